#!/usr/bin/env python3
"""Baseline for `cargo bench -p frontline --bench compare`: what an analyst
would run today to compare DeepState's daily export with its full map over
their whole overlap: for every raw snapshot date d that has a daily file on
d, read both files, classify (raw: by i18n key or fill, as
shared/data/README.md says; daily: all occupied), make valid, union, clip to
Ukraine with its territorial sea, and measure each layer and the symmetric
difference geodesically (geopandas for reading, shapely/GEOS, pyproj).

    python3 compare_baseline.py SHARED_DATA

Prints `date,daily_km2,raw_km2,symmetric_difference_km2`, one row per date.
"""
import datetime as dt
import gzip
import json
import os
import sys

import geopandas as gpd
from pyproj import Geod
from shapely import force_2d, make_valid
from shapely.ops import unary_union

DATA = sys.argv[1]
GEOD = Geod(ellps="WGS84")
OCCUPIED_KEYS = {"geoJSON.status.occupied", "geoJSON.territories.ordlo", "geoJSON.territories.crimea", "geoJSON.territories.tuzla"}
OCCUPIED_FILLS = {"#a52714", "#000000", "#880e4f"}


def read(path):
    """A GeoDataFrame from plain or gzipped GeoJSON (GDAL does not open .gz by name)."""
    if path.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return gpd.GeoDataFrame.from_features(json.load(f)["features"])
    return gpd.read_file(path)


def valid_polys(geoms):
    out = []
    for g in geoms:
        if g is None or g.is_empty:
            continue
        g = make_valid(force_2d(g))
        parts = getattr(g, "geoms", [g])
        out += [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
    return unary_union(out)


def area_km2(g):
    parts = getattr(g, "geoms", [g])
    return sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in parts if p.geom_type == "Polygon" and not p.is_empty) / 1e6


def raw_occupied(path):
    df = read(path)
    keep = []
    for name, fill, geom in zip(df.get("name", [None] * len(df)), df.get("fill", [None] * len(df)), df.geometry):
        parts = str(name or "").split("///")
        key = parts[2].strip() if len(parts) > 2 else ""
        if key:
            ok = key in OCCUPIED_KEYS
        else:
            ok = str(fill or "").strip().lower() in OCCUPIED_FILLS
        if ok:
            keep.append(geom)
    return valid_polys(keep)


def main():
    ref = valid_polys(read(os.path.join(DATA, "boundaries/adm1_geoboundaries_with_sea.geojson.gz")).geometry)
    raw_dir = os.path.join(DATA, "deepstate/raw")
    daily_dir = os.path.join(DATA, "deepstate/daily")
    by_date = {}
    for name in sorted(os.listdir(raw_dir)):
        d = dt.datetime.fromtimestamp(int(name.split(".")[0]), dt.timezone.utc).date()
        by_date[d] = name  # the last snapshot of a day
    print("date,daily_km2,raw_km2,symmetric_difference_km2")
    for d, name in sorted(by_date.items()):
        daily = os.path.join(daily_dir, f"deepstatemap_data_{d.strftime('%Y%m%d')}.geojson")
        if not os.path.exists(daily):
            continue
        a = valid_polys(read(daily).geometry).intersection(ref)
        b = raw_occupied(os.path.join(raw_dir, name)).intersection(ref)
        print(f"{d},{area_km2(a):.3f},{area_km2(b):.3f},{area_km2(a.symmetric_difference(b)):.3f}")


if __name__ == "__main__":
    main()
