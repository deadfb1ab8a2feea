#!/usr/bin/env python3
"""Baseline for frontline's settlement fractions: the straightforward
shapely/GEOS way.

For every settlement footprint and every (selected) DeepState daily
snapshot: occupied fraction = area(footprint ∩ occupied) / area(footprint),
areas in an equal-area projection (LAEA centred on Ukraine, so area ratios
match geodesic ones to ~1e-6 for footprints a few km across).

Footprints come from frontline itself (the bench writes them as GeoJSON with
a `place` property) so both sides measure the same shapes.

Per snapshot: read the file, make it valid (the untimed part, like
frontline's ingest); then (timed) project it, query an STRtree of the
footprints for the ones it intersects, intersect those and measure.

Prints `baseline snapshots=N compute_s=T per_snapshot_s=T/N` and writes
`snapshot_date,place,fraction` for every non-zero fraction to --out.

Usage: places_baseline.py --footprints F.geojson --daily DIR --out OUT.csv [--every K]
"""

import argparse
import csv
import json
import os
import time

import numpy as np
import pyproj
import shapely
from shapely.geometry import shape

LAEA = "+proj=laea +lat_0=48.5 +lon_0=32 +datum=WGS84 +units=m"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--footprints", required=True)
    ap.add_argument("--daily", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--every", type=int, default=1, help="use every K-th daily file")
    args = ap.parse_args()

    to_laea = pyproj.Transformer.from_crs("EPSG:4326", LAEA, always_xy=True)

    def project(geom):
        return shapely.transform(geom, lambda xy: np.column_stack(to_laea.transform(xy[:, 0], xy[:, 1])))

    with open(args.footprints) as f:
        fc = json.load(f)
    places = np.array([ft["properties"]["place"] for ft in fc["features"]])
    footprints = np.array([project(shape(ft["geometry"])) for ft in fc["features"]])
    footprint_area = shapely.area(footprints)
    tree = shapely.STRtree(footprints)

    files = sorted(
        n for n in os.listdir(args.daily) if n.startswith("deepstatemap_data_") and n.endswith(".geojson")
    )[:: args.every]

    compute_s = 0.0
    rows = []
    for name in files:
        date = f"{name[18:22]}-{name[22:24]}-{name[24:26]}"
        with open(os.path.join(args.daily, name)) as f:
            doc = json.load(f)
        occupied = shapely.union_all(
            [shapely.make_valid(shape(ft["geometry"])) for ft in doc["features"] if ft.get("geometry")]
        )
        t0 = time.perf_counter()
        occ = project(occupied)
        shapely.prepare(occ)
        idx = tree.query(occ, predicate="intersects")
        inter = shapely.intersection(footprints[idx], occ)
        frac = shapely.area(inter) / footprint_area[idx]
        compute_s += time.perf_counter() - t0
        for i, fr in zip(idx, frac):
            if fr > 0:
                rows.append((date, int(places[i]), float(fr)))

    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["snapshot_date", "place", "fraction"])
        w.writerows(rows)
    n = len(files)
    print(f"baseline snapshots={n} compute_s={compute_s:.3f} per_snapshot_s={compute_s / max(n, 1):.5f}")


if __name__ == "__main__":
    main()
