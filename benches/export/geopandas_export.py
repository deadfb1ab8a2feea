#!/usr/bin/env python3
"""The baseline for `frontline export snapshots --as geoparquet`: what an
analyst writes with geopandas to get the DeepState daily history into
GeoParquet. For each daily file: read it, union its polygons, repair
(make_valid), measure the geodesic area with pyproj (the rows must carry
area_km2, as frontline's do), then write one GeoParquet file per year with a
bbox covering column (geopandas' to_parquet, GeoParquet 1.1).

Usage: geopandas_export.py DAILY_DIR OUT_DIR [--jobs N]"""
import argparse
import os
import re
from multiprocessing import Pool

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import Geod

GEOD = Geod(ellps="WGS84")


def one(path):
    date = re.search(r"(\d{8})", os.path.basename(path)).group(1)
    geom = shapely.make_valid(shapely.union_all(gpd.read_file(path).geometry.values))
    area_km2 = abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6
    return f"{date[:4]}-{date[4:6]}-{date[6:]}", geom, area_km2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("daily_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args()
    files = sorted(os.path.join(a.daily_dir, f) for f in os.listdir(a.daily_dir) if f.endswith(".geojson"))
    if a.jobs > 1:
        with Pool(a.jobs) as pool:
            rows = pool.map(one, files, chunksize=8)
    else:
        rows = [one(f) for f in files]
    frame = gpd.GeoDataFrame(
        {
            "source": "deepstate-daily",
            "date": pd.to_datetime([r[0] for r in rows]).date,
            "class": "occupied",
            "area_km2": [r[2] for r in rows],
        },
        geometry=[r[1] for r in rows],
        crs="EPSG:4326",
    )
    years = pd.to_datetime(frame["date"]).dt.year
    for year in sorted(years.unique()):
        folder = os.path.join(a.out_dir, "source=deepstate-daily", f"year={year}")
        os.makedirs(folder, exist_ok=True)
        frame[years == year].drop(columns=["source"]).to_parquet(
            os.path.join(folder, "part-0.parquet"), write_covering_bbox=True, compression="snappy")
    print(f"{len(frame)} rows written to {a.out_dir}")


if __name__ == "__main__":
    main()
