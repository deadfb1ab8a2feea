#!/usr/bin/env python3
"""Baseline for frontline's corridor width (measures.md, "Pockets and corridors").

The same definition computed with the usual Python stack, independently of the
Rust engine: pyproj's ellipsoidal azimuthal-equidistant projection centred on
the place, shapely for clipping, the friendly/pocket split and point-in-polygon
rasterisation (cell centres), scipy.ndimage.distance_transform_edt for the
clearance field, and a bisection over clearance thresholds with
scipy.ndimage.label for the widest path (the largest c for which a seed cell
and a rear cell share a component of {friendly, clearance >= c}).

Width here is 2 x the raster bottleneck clearance (distance between cell
centres); the engine refines its neck against the polygons, so the two agree
to about one cell (250 m).

Usage: corridor_baseline.py --data SHARED_DATA [--every N] [--out FILE.json]
Prints nothing but a JSON object on stdout (or into --out):
  {"dates": [...], "width_m": [...], "setup_s": ..., "per_date_s": ...,
   "per_date_cpu_s": ..., "n": ...}
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import pyproj
import shapely
from scipy import ndimage
from shapely.geometry import box, shape

LON, LAT = 37.1800, 48.2830  # Pokrovsk
HALF_M, H_M, SEED_M, REAR_M = 60_000.0, 250.0, 5_000.0, 25_000.0


def load_reference(data):
    with gzip.open(os.path.join(data, "boundaries/adm1_geoboundaries_with_sea.geojson.gz")) as f:
        fc = json.load(f)
    return shapely.make_valid(shapely.union_all([shape(ft["geometry"]) for ft in fc["features"]]))


def load_daily(path):
    with open(path) as f:
        fc = json.load(f)
    geoms = [shapely.make_valid(shape(ft["geometry"])) for ft in fc["features"] if ft.get("geometry")]
    return shapely.union_all(geoms)


class Frame:
    def __init__(self, reference):
        self.fwd = pyproj.Transformer.from_crs(
            "EPSG:4326", f"+proj=aeqd +lat_0={LAT} +lon_0={LON} +ellps=WGS84 +units=m", always_xy=True
        )
        self.inv = pyproj.Transformer.from_crs(self.fwd.target_crs, "EPSG:4326", always_xy=True)
        c = math.ceil(HALF_M / H_M)
        self.n = 2 * c + 1
        self.m = math.ceil(REAR_M / H_M)
        self.big_n = self.n + 2 * self.m
        ax = (np.arange(self.big_n) - (c + self.m)) * H_M
        self.ext_x, self.ext_y = np.meshgrid(ax, ax)  # row = northing, column = easting
        w = slice(self.m, self.m + self.n)
        self.win_x, self.win_y = self.ext_x[w, w], self.ext_y[w, w]
        self.ext_box = self.lonlat_box((c + self.m + 0.5) * H_M)
        self.win_box = self.lonlat_box((c + 0.5) * H_M)
        self.reference = reference
        ref_win = self.project(shapely.clip_by_rect(reference, *self.win_box.bounds))
        self.inside_ref = shapely.contains_xy(ref_win, self.win_x, self.win_y)
        self.seed = self.win_x**2 + self.win_y**2 <= SEED_M**2
        self.rear_d = REAR_M

    def lonlat_box(self, half):
        t = np.linspace(-half, half, 65)
        xs = np.concatenate([t, t, -half + 0 * t, half + 0 * t])
        ys = np.concatenate([-half + 0 * t, half + 0 * t, t, t])
        lon, lat = self.inv.transform(xs, ys)
        px, py = 0.01 * (lon.max() - lon.min()), 0.01 * (lat.max() - lat.min())
        return box(lon.min() - px, lat.min() - py, lon.max() + px, lat.max() + py)

    def project(self, g):
        g = shapely.segmentize(g, 0.005)
        return shapely.transform(g, lambda xy: np.column_stack(self.fwd.transform(xy[:, 0], xy[:, 1])))

    def width(self, hostile):
        near = self.project(shapely.clip_by_rect(hostile, *self.ext_box.bounds))
        hostile_ext = shapely.contains_xy(near, self.ext_x, self.ext_y)
        dist_ext = ndimage.distance_transform_edt(~hostile_ext, sampling=H_M)
        w = slice(self.m, self.m + self.n)
        dist = dist_ext[w, w]
        friendly = self.inside_ref & ~hostile_ext[w, w]
        # Pockets: parts of reference - hostile other than the largest.
        parts = shapely.get_parts(self.reference.difference(hostile))
        areas = [p.area * math.cos(math.radians(p.centroid.y)) for p in parts]
        main = int(np.argmax(areas)) if areas else -1
        in_pocket = np.zeros_like(friendly)
        for i, p in enumerate(parts):
            if i != main and p.intersects(self.win_box):
                pp = self.project(shapely.clip_by_rect(p, *self.win_box.bounds))
                in_pocket |= shapely.contains_xy(pp, self.win_x, self.win_y)
        rear = friendly & (dist >= self.rear_d) & ~in_pocket
        seed = friendly & self.seed
        if not seed.any():
            return 0.0

        def connects(c):
            lab, _ = ndimage.label(friendly & (dist >= c))
            s = np.unique(lab[seed & (lab > 0)])
            r = np.unique(lab[rear & (lab > 0)])
            return np.intersect1d(s, r).size > 0

        levels = np.unique(np.minimum(dist[friendly], self.rear_d))
        if not connects(levels[0]):
            return 0.0
        lo, hi = 0, len(levels) - 1  # levels[lo] connects; find the last that does
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if connects(levels[mid]):
                lo = mid
            else:
                hi = mid - 1
        return 2.0 * float(levels[lo])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--every", type=int, default=1, help="take every N-th daily file")
    ap.add_argument("--out")
    a = ap.parse_args()
    t0 = time.perf_counter()
    frame = Frame(load_reference(a.data))
    daily = os.path.join(a.data, "deepstate/daily")
    names = sorted(n for n in os.listdir(daily) if n.startswith("deepstatemap_data_"))[:: a.every]
    hostile = [load_daily(os.path.join(daily, n)) for n in names]
    setup = time.perf_counter() - t0
    t1, c1 = time.perf_counter(), time.process_time()
    widths = [frame.width(h) for h in hostile]
    per_date = (time.perf_counter() - t1) / max(len(names), 1)
    per_date_cpu = (time.process_time() - c1) / max(len(names), 1)
    dates = [f"{n[18:22]}-{n[22:24]}-{n[24:26]}" for n in names]
    out = {"dates": dates, "width_m": widths, "setup_s": setup, "per_date_s": per_date, "per_date_cpu_s": per_date_cpu, "n": len(names)}
    text = json.dumps(out)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
