"""Friendly parts on 2026-01-01 (daily export) with shapely + pyproj, for
tests/encircle.rs: Ukraine with its territorial sea (union of geoBoundaries
ADM1) minus the occupied layer; every part but the largest, by geodesic
area. Prints the count, the largest, the total area.

    python3 crates/frontline/benches/oracles/pockets_2026.py
"""
import gzip
import json
import os

from pyproj import Geod
from shapely import make_valid
from shapely.geometry import shape
from shapely.ops import unary_union

D = os.environ.get("FRONTLINE_SHARED", os.path.join(os.path.dirname(__file__), "../../../../../shared")) + "/data/"
geod = Geod(ellps="WGS84")
reference = unary_union([make_valid(shape(f["geometry"])) for f in json.load(gzip.open(D + "boundaries/adm1_geoboundaries_with_sea.geojson.gz"))["features"]])
occupied = make_valid(shape(json.load(open(D + "deepstate/daily/deepstatemap_data_20260101.geojson"))["features"][0]["geometry"]))
friendly = reference.difference(occupied)
parts = sorted((abs(geod.geometry_area_perimeter(p)[0]) / 1e6 for p in getattr(friendly, "geoms", [friendly])), reverse=True)
others = parts[1:]
print(f"main body {parts[0]:.1f} km2; other parts {len(others)}, largest {others[0]:.3f} km2, "
      f"under 5 km2 {sum(1 for a in others if a < 5)}, total {sum(others):.2f} km2")
