#!/usr/bin/env python3
"""Reads a frontline export back with the tools analysts use and checks it
independently of the engine:

- GeoParquet (the Hive-partitioned folder) with pyarrow and geopandas: the
  `geo` metadata is GeoParquet 1.1 with a bbox covering, the bbox column
  equals shapely's bounds of each geometry, and pyproj's geodesic area of
  each geometry as read equals the row's area_km2 to 1e-9 relative;
- FlatGeobuf with pyogrio (GDAL/OGR, what QGIS uses): it has a spatial
  index, a bounding-box query through it returns the rows whose extent
  meets the box, and the same area check;
- optionally GeoJSON with geopandas: the same area check.

Usage: roundtrip.py PARQUET_DIR FGB_FILE GEOJSON_FILE|- EXPECTED_SNAPSHOTS
Prints one line per format; exits non-zero on the first failure."""
import json
import sys

import geopandas as gpd
import numpy as np
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pyogrio
import shapely
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
TOLERANCE = 1e-9


def geodesic_km2(geom):
    if geom is None or geom.is_empty:
        return 0.0
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def check_areas(label, geoms, areas_km2, keys):
    worst = 0.0
    for g, a, k in zip(geoms, areas_km2, keys):
        got = geodesic_km2(g)
        rel = abs(got - a) / max(abs(a), 1e-300) if a != 0 else abs(got)
        if rel > TOLERANCE:
            sys.exit(f"{label}: {k}: pyproj {got!r} km² vs area_km2 {a!r} (relative {rel:.3e})")
        worst = max(worst, rel)
    return worst


def check_parquet(folder, expected):
    dataset = ds.dataset(folder, format="parquet", partitioning="hive")
    files = dataset.files
    for f in files:
        meta = pq.read_schema(f).metadata
        geo = json.loads(meta[b"geo"])
        assert geo["version"] == "1.1.0", geo["version"]
        col = geo["columns"][geo["primary_column"]]
        assert col["encoding"] == "WKB", col
        assert col["covering"]["bbox"]["xmin"] == ["bbox", "xmin"], col
    table = dataset.to_table()
    assert "source" in table.column_names and "year" in table.column_names, table.column_names
    frame = gpd.read_parquet(folder)
    # No crs in the metadata means OGC:CRS84 (GeoParquet 1.1): lon/lat on WGS84.
    assert frame.crs is not None and frame.crs.to_string() == "OGC:CRS84", frame.crs
    dates = sorted(set(frame["date"].astype(str)))
    if len(dates) != expected:
        sys.exit(f"GeoParquet: {len(dates)} snapshot dates, expected {expected}")
    # The covering column: each row's bbox equals the geometry's bounds.
    bounds = shapely.bounds(np.asarray(frame.geometry.values))
    bbox = table.column("bbox").to_pylist()
    order = {  # dataset rows and geopandas rows come in the same file order
        "xmin": 0, "ymin": 1, "xmax": 2, "ymax": 3,
    }
    for i, b in enumerate(bbox):
        if b is None:
            assert frame.geometry.values[i].is_empty
            continue
        for k, j in order.items():
            if b[k] != bounds[i][j]:
                sys.exit(f"GeoParquet: row {i}: bbox.{k} {b[k]} vs bounds {bounds[i][j]}")
    # The declared orientation holds: exteriors counter-clockwise, holes clockwise.
    for i, g in enumerate(frame.geometry.values):
        for p in getattr(g, "geoms", []):
            if not p.exterior.is_ccw or any(shapely.LinearRing(h).is_ccw for h in p.interiors):
                sys.exit(f"GeoParquet: row {i}: a ring is not oriented as the metadata declares")
    keys = [f"{s} {d} {c}" for s, d, c in zip(frame["source"], frame["date"], frame["class"])]
    worst = check_areas("GeoParquet", frame.geometry.values, frame["area_km2"].to_numpy(), keys)
    print(f"GeoParquet: {len(files)} files, {len(frame)} rows, {len(dates)} snapshot dates, "
          f"worst relative area difference to pyproj {worst:.2e}")
    return frame


def check_flatgeobuf(path, expected, parquet_frame):
    info = pyogrio.read_info(path)
    if not info["capabilities"].get("fast_spatial_filter"):
        sys.exit(f"FlatGeobuf: {path} has no spatial index")
    frame = gpd.read_file(path, engine="pyogrio")
    dates = sorted(set(frame["date"].astype(str)))
    if len(dates) != expected:
        sys.exit(f"FlatGeobuf: {len(dates)} snapshot dates, expected {expected}")
    keys = [f"{s} {d} {c}" for s, d, c in zip(frame["source"], frame["date"], frame["class"])]
    worst = check_areas("FlatGeobuf", frame.geometry.values, frame["area_km2"].to_numpy(), keys)
    # A query through the index: a box around Pokrovsk returns the rows whose
    # geometry meets it (GDAL filters the index's candidates by geometry), the
    # same rows shapely finds in the GeoParquet read.
    box = (37.1, 48.2, 37.3, 48.35)
    hit = gpd.read_file(path, engine="pyogrio", bbox=box)
    want = int(shapely.intersects(np.asarray(parquet_frame.geometry.values), shapely.box(*box)).sum())
    if len(hit) != want:
        sys.exit(f"FlatGeobuf: the index returned {len(hit)} rows for {box}, shapely finds {want}")
    if sorted(hit["date"].astype(str)) != sorted(
            parquet_frame["date"].astype(str)[shapely.intersects(np.asarray(parquet_frame.geometry.values),
                                                                  shapely.box(*box))]):
        sys.exit("FlatGeobuf: the index returned other dates than shapely finds")
    print(f"FlatGeobuf: {len(frame)} rows with a spatial index ({len(hit)} meet {box}), "
          f"worst relative area difference to pyproj {worst:.2e}")


def check_geojson(path, expected):
    frame = gpd.read_file(path, engine="pyogrio")
    dates = sorted(set(frame["date"].astype(str)))
    if len(dates) != expected:
        sys.exit(f"GeoJSON: {len(dates)} snapshot dates, expected {expected}")
    keys = [f"{s} {d} {c}" for s, d, c in zip(frame["source"], frame["date"], frame["class"])]
    worst = check_areas("GeoJSON", frame.geometry.values, frame["area_km2"].to_numpy(), keys)
    print(f"GeoJSON: {len(frame)} rows, worst relative area difference to pyproj {worst:.2e}")


def main():
    folder, fgb, geojson, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    frame = check_parquet(folder, expected)
    check_flatgeobuf(fgb, expected, frame)
    if geojson != "-":
        check_geojson(geojson, expected)


if __name__ == "__main__":
    main()
