# Type stubs of the native module (python/src/lib.rs). Tables are dicts of
# equal-length lists (column name -> values); geometry columns are named
# "wkb" and hold WKB bytes. The public API is frontline.Store (__init__.py).
from os import PathLike
from typing import Any, Dict, List, Optional, Tuple, Union

_Columns = Dict[str, List[Any]]
_Path = Union[str, PathLike[str]]

__version__: str
UKRAINE_OFFICIAL_KM2: float

class Store:
    def __init__(self, path: _Path, data: Optional[_Path] = None) -> None: ...
    @property
    def path(self) -> str: ...
    def sources(self) -> _Columns: ...
    def ingest(self, paths: List[_Path], format: Optional[str] = None) -> str: ...
    def area(
        self,
        source: Optional[str] = None,
        on: Optional[str] = None,
        from_: Optional[str] = None,
        to: Optional[str] = None,
        reference: str = "sea",
        country_km2: float = ...,
    ) -> Tuple[_Columns, List[str]]: ...
    def change(
        self,
        source: Optional[str] = None,
        every: str = "month",
        from_: Optional[str] = None,
        to: Optional[str] = None,
        class_: str = "occupied",
        reference: str = "sea",
        offset_days: int = 0,
        geometry: bool = False,
    ) -> Tuple[_Columns, Optional[_Columns]]: ...
    def places(
        self, source: Optional[str] = None, on: Optional[str] = None, geometry: bool = False
    ) -> Tuple[_Columns, List[str]]: ...
    def captures(
        self,
        source: Optional[str] = None,
        threshold: float = 0.5,
        place: Optional[str] = None,
        oblast: Optional[str] = None,
    ) -> Tuple[_Columns, List[str]]: ...
    def front(
        self,
        source: Optional[str] = None,
        on: Optional[str] = None,
        with_gray: bool = False,
        reference: str = "sea",
        border_tolerance_m: float = 500.0,
        coast_tolerance_m: float = 3000.0,
    ) -> Tuple[_Columns, _Columns, List[str]]: ...
    def corridor(
        self,
        place: str,
        oblast: Optional[str] = None,
        source: Optional[str] = None,
        on: Optional[str] = None,
        from_: Optional[str] = None,
        to: Optional[str] = None,
        every: str = "day",
        with_gray: bool = False,
        resolution_m: float = 250.0,
        window_m: float = 60000.0,
        seed_radius_m: Optional[float] = None,
        reference: str = "sea",
    ) -> Tuple[_Columns, List[str]]: ...
    def compare(
        self,
        a: str,
        b: str,
        on: Optional[str] = None,
        from_: Optional[str] = None,
        to: Optional[str] = None,
        max_days_apart: int = 7,
        class_: str = "occupied",
        reference: str = "sea",
        geometry: bool = False,
    ) -> Tuple[_Columns, Optional[_Columns]]: ...
