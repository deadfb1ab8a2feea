"""frontline: trustworthy numbers from public war maps, as pandas and geopandas frames.

    import frontline
    store = frontline.Store("frontline.db")          # a store made by `frontline ingest`, or:
    store.ingest("../shared/data/deepstate/daily")    # read a folder of maps into it
    store.area(on="2026-01-01")                       # pandas DataFrame, one row per snapshot
    store.front(on="2026-01-01").plot()               # geopandas GeoDataFrame of the line

Every figure is the engine's, computed as ``frontline`` (the CLI) computes
it and defined in measures.md. Tables come back as pandas DataFrames (dates
as ``datetime64``), geometry as geopandas GeoDataFrames in WGS84 decoded
from WKB in one vectorised call. Errors are the exceptions of
``frontline.errors`` with the CLI's messages. Long calls release the GIL.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import os as _os
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union

import pandas as _pd

from . import _frontline

if TYPE_CHECKING:
    import geopandas
from .errors import (
    FileReadError,
    FrontlineError,
    InputError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    StoreError,
)

__version__: str = _frontline.__version__
UKRAINE_OFFICIAL_KM2: float = _frontline.UKRAINE_OFFICIAL_KM2

DateLike = Union[str, _dt.date, None]
PathLike = Union[str, "_os.PathLike[str]"]

_DATE_COLUMNS = ("date", "from", "to", "first", "last", "a_date", "b_date")


def _date(d: DateLike) -> Optional[str]:
    """A date as the engine takes it (YYYY-MM-DD); datetimes and pandas Timestamps too."""
    if d is None or isinstance(d, str):
        return d
    if isinstance(d, _dt.datetime):
        return d.date().isoformat()
    if isinstance(d, _dt.date):
        return d.isoformat()
    raise InvalidArgumentError(f"{d!r} is not a date: use YYYY-MM-DD, e.g. 2025-06-01, or a datetime.date")


def _frame(columns: Dict[str, List[Any]], notes: Sequence[str] = ()) -> _pd.DataFrame:
    """A dict of equal-length lists as a DataFrame; date columns parsed, notes kept in ``attrs``."""
    df = _pd.DataFrame(columns)
    for c in _DATE_COLUMNS:
        if c in df.columns:
            df[c] = _pd.to_datetime(df[c], format="%Y-%m-%d")
    df.attrs["notes"] = list(notes)
    return df


def _geoframe(columns: Dict[str, List[Any]], notes: Sequence[str] = ()) -> "geopandas.GeoDataFrame":
    """Columns with a ``wkb`` list of bytes as a GeoDataFrame (EPSG:4326), decoded in one vectorised call."""
    import geopandas as gpd

    blobs = columns.pop("wkb")
    df = _frame(columns, notes)
    geometry = gpd.GeoSeries.from_wkb(blobs, crs="EPSG:4326", index=df.index)
    gdf = gpd.GeoDataFrame(df, geometry=geometry, crs="EPSG:4326")
    gdf.attrs["notes"] = list(notes)
    return gdf


class Store:
    """A frontline snapshot store (the SQLite file ``frontline ingest`` writes).

    ``data`` is the shared data folder (the one holding ``boundaries/`` and
    ``settlements/``); by default $FRONTLINE_DATA, $FRONTLINE_SHARED/data, or
    ../shared/data from the current folder. Nothing is opened until a call:
    measuring calls open the store read-only; ``ingest`` creates it.
    """

    def __init__(self, path: PathLike, data: Optional[PathLike] = None) -> None:
        self._inner = _frontline.Store(_os.fspath(path), None if data is None else _os.fspath(data))

    @property
    def path(self) -> str:
        return _os.fspath(self._inner.path)

    def __repr__(self) -> str:
        return f"frontline.Store({self.path!r})"

    def sources(self) -> _pd.DataFrame:
        """The sources in the store: name, description, number of snapshots, first and last date."""
        return _frame(self._inner.sources())

    def ingest(self, paths: Union[PathLike, Sequence[PathLike]], format: Optional[str] = None) -> Dict[str, Any]:
        """Read map files or folders (recursively) into the store, as ``frontline ingest``.

        ``format`` forces one source format (deepstate-daily, deepstate-raw,
        deepstate-archive, isw) instead of recognising each file by name.
        Returns the summary: files written/already stored, repairs, warnings,
        and ``errors`` (one line per file that could not be ingested; the
        other files are still written).
        """
        if isinstance(paths, (str, _os.PathLike)):
            paths = [paths]
        return _json.loads(self._inner.ingest([_os.fspath(p) for p in paths], format))

    def area(
        self,
        source: Optional[str] = None,
        on: DateLike = None,
        from_: DateLike = None,
        to: DateLike = None,
        reference: str = "sea",
        country_km2: float = UKRAINE_OFFICIAL_KM2,
    ) -> _pd.DataFrame:
        """Area held on a date (the last snapshot at or before ``on``; default the latest) or every
        snapshot in ``from_``..``to``: occupied km² and share of Ukraine, gray zone, within the reference
        territory (sea: Ukraine with its territorial sea; land; or a polygon file). ``flag`` says when
        ``frontline audit`` finds the step to that snapshot implausible."""
        cols, notes = self._inner.area(source, _date(on), _date(from_), _date(to), reference, country_km2)
        return _frame(cols, notes)

    def change(
        self,
        source: Optional[str] = None,
        every: str = "month",
        from_: DateLike = None,
        to: DateLike = None,
        class_: str = "occupied",
        reference: str = "sea",
        offset_days: int = 0,
    ) -> _pd.DataFrame:
        """Area gained, lost and net per period (snapshot, day, week, month or year), as ``frontline change``."""
        cols, _ = self._inner.change(source, every, _date(from_), _date(to), class_, reference, offset_days, False)
        return _frame(cols)

    def change_geometry(
        self,
        source: Optional[str] = None,
        every: str = "month",
        from_: DateLike = None,
        to: DateLike = None,
        class_: str = "occupied",
        reference: str = "sea",
        offset_days: int = 0,
    ) -> "geopandas.GeoDataFrame":
        """The gained and lost polygons of each period (one row per period and kind), a GeoDataFrame."""
        _, geo = self._inner.change(source, every, _date(from_), _date(to), class_, reference, offset_days, True)
        return _geoframe(geo)

    def places(
        self, source: Optional[str] = None, on: DateLike = None, geometry: bool = False
    ) -> Union[_pd.DataFrame, "geopandas.GeoDataFrame"]:
        """Every settlement's status on a date: held / contested / occupied, occupied and gray share of its
        footprint, distance to occupied ground. With ``geometry``, a GeoDataFrame of the footprints."""
        cols, notes = self._inner.places(source, _date(on), geometry)
        return _geoframe(cols, notes) if geometry else _frame(cols, notes)

    def captures(
        self,
        place: Optional[str] = None,
        source: Optional[str] = None,
        threshold: float = 0.5,
        oblast: Optional[str] = None,
    ) -> _pd.DataFrame:
        """Capture and retake dates: the first map of a run of 3+ on which the occupied share of a
        settlement's footprint reached ``threshold`` (captured) or fell back below it (retaken).
        One place (NAME, NAME@OBLAST or LON,LAT) or, without ``place``, every settlement.
        ``on_or_before`` marks a change already true on the source's first map."""
        cols, notes = self._inner.captures(source, threshold, place, oblast)
        return _frame(cols, notes)

    def front(
        self,
        source: Optional[str] = None,
        on: DateLike = None,
        with_gray: bool = False,
        reference: str = "sea",
        border_tolerance_m: float = 500.0,
        coast_tolerance_m: float = 3000.0,
    ) -> "geopandas.GeoDataFrame":
        """The frontline on a date as a one-row GeoDataFrame (MultiLineString, ``length_km``);
        ``attrs["sectors"]`` holds its length per sector (nearest direction town)."""
        line, sectors, notes = self._inner.front(
            source, _date(on), with_gray, reference, border_tolerance_m, coast_tolerance_m
        )
        gdf = _geoframe(line, notes)
        gdf.attrs["sectors"] = _pd.DataFrame(sectors)
        return gdf

    def front_sectors(self, **kwargs: Any) -> _pd.DataFrame:
        """The frontline's length per sector on a date (arguments as ``front``)."""
        return self.front(**kwargs).attrs["sectors"]

    def corridor(
        self,
        place: str,
        oblast: Optional[str] = None,
        source: Optional[str] = None,
        on: DateLike = None,
        from_: DateLike = None,
        to: DateLike = None,
        every: str = "day",
        with_gray: bool = False,
        resolution_m: float = 250.0,
        window_m: float = 60000.0,
        seed_radius_m: Optional[float] = None,
        reference: str = "sea",
    ) -> _pd.DataFrame:
        """The way out of a besieged town (``Pokrovsk+Myrnohrad`` joins towns) to the rear, per date:
        state, narrowest width, pincer gap and length in km, as ``frontline corridor``; ``with_gray``
        adds the same with the gray zone counted hostile (``gray_*`` columns)."""
        cols, notes = self._inner.corridor(
            place,
            oblast,
            source,
            _date(on),
            _date(from_),
            _date(to),
            every,
            with_gray,
            resolution_m,
            window_m,
            seed_radius_m,
            reference,
        )
        return _frame(cols, notes)

    def compare(
        self,
        a: str,
        b: str,
        on: DateLike = None,
        from_: DateLike = None,
        to: DateLike = None,
        max_days_apart: int = 7,
        class_: str = "occupied",
        reference: str = "sea",
    ) -> _pd.DataFrame:
        """Where two sources disagree (``frontline compare A B``): each one's area, A only, B only, both,
        on the snapshot of each nearest ``on``, or every snapshot of the sparser source in ``from_``..``to``
        paired with the other's nearest (at most ``max_days_apart`` days apart)."""
        cols, _ = self._inner.compare(a, b, _date(on), _date(from_), _date(to), max_days_apart, class_, reference, False)
        return _frame(cols)

    def compare_geometry(
        self,
        a: str,
        b: str,
        on: DateLike = None,
        from_: DateLike = None,
        to: DateLike = None,
        max_days_apart: int = 7,
        class_: str = "occupied",
        reference: str = "sea",
    ) -> "geopandas.GeoDataFrame":
        """The polygons counted by one source only (``counted_by``), per compared pair, a GeoDataFrame."""
        _, geo = self._inner.compare(a, b, _date(on), _date(from_), _date(to), max_days_apart, class_, reference, True)
        return _geoframe(geo)


__all__ = [
    "Store",
    "FrontlineError",
    "InvalidArgumentError",
    "NotFoundError",
    "InternalError",
    "FileReadError",
    "InputError",
    "StoreError",
    "UKRAINE_OFFICIAL_KM2",
]
