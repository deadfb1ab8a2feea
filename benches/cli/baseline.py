#!/usr/bin/env python3
"""What an analyst runs today for the jobs frontline's commands do, over
every DeepState daily file (no sampling, no extrapolation), with geopandas,
shapely/GEOS and pyproj: the baseline of benches/cli/run.sh.

    baseline.py ingest DATA OUT.sqlite [--jobs N]   # read, make valid, store (WKB in SQLite)
    baseline.py area   DATA [--jobs N]               # clipped geodesic area of every snapshot (CSV)
    baseline.py change DATA [--jobs N]               # gained and lost between consecutive snapshots (CSV)

DATA is the shared data folder. The reference territory is frontline's
default: Ukraine with its territorial sea, the union of geoBoundaries ADM1.
`--jobs N` runs N worker processes over contiguous runs of files (what a
careful analyst does with multiprocessing), so that each side uses the same
number of cores.
"""
import argparse
import gzip
import json
import os
import re
import sqlite3
from multiprocessing import Pool

import geopandas as gpd
import shapely
from pyproj import Geod
from shapely.geometry import shape

GEOD = Geod(ellps="WGS84")


def area_km2(geom):
    if geom is None or geom.is_empty:
        return 0.0
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def daily_files(data):
    folder = os.path.join(data, "deepstate/daily")
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.endswith(".geojson")]


def date_of(path):
    d = re.search(r"(\d{8})", os.path.basename(path)).group(1)
    return f"{d[:4]}-{d[4:6]}-{d[6:]}"


def read_layer(path):
    return shapely.make_valid(shapely.union_all(gpd.read_file(path).geometry.values))


REFERENCE = None


def reference(data):
    global REFERENCE
    if REFERENCE is None:
        with gzip.open(os.path.join(data, "boundaries/adm1_geoboundaries_with_sea.geojson.gz")) as f:
            REFERENCE = shapely.union_all([shape(ft["geometry"]) for ft in json.load(f)["features"]])
    return REFERENCE


def chunks(items, n, overlap=0):
    size = -(-len(items) // n)
    return [items[max(0, i - overlap) : i + size] for i in range(0, len(items), size)]


def ingest_chunk(args):
    paths, = args
    return [(date_of(p), shapely.to_wkb(read_layer(p))) for p in paths]


def area_chunk(args):
    data, paths = args
    r = reference(data)
    return [(date_of(p), area_km2(shapely.intersection(read_layer(p), r))) for p in paths]


def change_chunk(args):
    data, paths = args
    r = reference(data)
    out, prev = [], None
    for p in paths:
        geom = read_layer(p)
        if prev is not None:
            gained = area_km2(shapely.intersection(shapely.difference(geom, prev[1]), r))
            lost = area_km2(shapely.intersection(shapely.difference(prev[1], geom), r))
            out.append((prev[0], date_of(p), gained, lost))
        prev = (date_of(p), geom)
    return out


def run(fn, args_list, jobs):
    if jobs <= 1:
        return [row for a in args_list for row in fn(a)]
    with Pool(jobs) as pool:
        return [row for part in pool.map(fn, args_list) for row in part]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("job", choices=["ingest", "area", "change"])
    ap.add_argument("data")
    ap.add_argument("out", nargs="?")
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args()
    files = daily_files(a.data)
    if a.job == "ingest":
        rows = run(ingest_chunk, [(c,) for c in chunks(files, a.jobs)], a.jobs)
        db = sqlite3.connect(a.out)
        with db:
            db.execute("CREATE TABLE IF NOT EXISTS layers (date TEXT PRIMARY KEY, geometry BLOB)")
            db.executemany("INSERT OR REPLACE INTO layers VALUES (?, ?)", rows)
        db.close()
        print(f"{len(rows)} snapshots stored")
    elif a.job == "area":
        print("date,occupied_km2")
        for d, km2 in run(area_chunk, [(a.data, c) for c in chunks(files, a.jobs)], a.jobs):
            print(f"{d},{km2:.6f}")
    else:
        print("from,to,gained_km2,lost_km2")
        for f, t, g, l in run(change_chunk, [(a.data, c) for c in chunks(files, a.jobs, overlap=1)], a.jobs):
            print(f"{f},{t},{g:.6f},{l:.6f}")


if __name__ == "__main__":
    main()
