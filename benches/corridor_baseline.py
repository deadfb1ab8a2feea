#!/usr/bin/env python3
"""Baseline for frontline's corridor width, from the edge of a besieged area
(ARCHITECTURE.md, "Deviations": the corridor).

The same definition computed with the usual Python stack, independently of the
Rust engine: pyproj's ellipsoidal azimuthal-equidistant projection centred on
the place, shapely for clipping, the friendly/pocket split and point-in-polygon
rasterisation (cell centres), scipy.ndimage.distance_transform_edt for the
clearance field, and a bisection over clearance thresholds with
scipy.ndimage.label for the widest path (the largest c for which a seed cell
and a rear cell share a component of {friendly, clearance >= c}).

The besieged area (the towns' footprints) starts the path: its friendly
cells are the seeds and pass at the cap, so they never narrow the corridor;
the rear excludes them. Pockets: parts of (reference - hostile) cut to the
window-and-margin box that do not reach the box's edge (the engine's rule
when the reference is larger than the box).

Width here is 2 x the raster bottleneck clearance (distance between cell
centres), compared with the engine's raster width.

Usage: corridor_baseline.py --data SHARED_DATA --input FILE.jsonl [--out FILE.json]
The input (written by crates/frontline/benches/corridor.rs): a first line
{"area": GeoJSON, "centre": [lon, lat]}, then one line a date
{"date", "occupied": [GeoJSON...], "gray": GeoJSON|null}.
Prints nothing but a JSON object on stdout (or into --out): for "occupied"
and "with_gray", {"dates", "width_m", "per_date_s", "per_date_cpu_s", "n"},
and "setup_s".
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

HALF_M, H_M, REAR_M = 60_000.0, 250.0, 25_000.0


def load_reference(data):
    with gzip.open(os.path.join(data, "boundaries/adm1_geoboundaries_with_sea.geojson.gz")) as f:
        fc = json.load(f)
    return shapely.make_valid(shapely.union_all([shape(ft["geometry"]) for ft in fc["features"]]))


class Frame:
    def __init__(self, reference, centre, area):
        lon, lat = centre
        self.fwd = pyproj.Transformer.from_crs(
            "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m", always_xy=True
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
        self.seed = shapely.contains_xy(self.project(area), self.win_x, self.win_y)
        self.ref_ext = shapely.clip_by_rect(reference, *self.ext_box.bounds)
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
        dist = np.minimum(dist_ext[w, w], self.rear_d)
        friendly = self.inside_ref & ~hostile_ext[w, w]
        seed = friendly & self.seed
        if not seed.any():
            return 0.0
        # Pockets: friendly parts in the box that do not reach its edge.
        x0, y0, x1, y1 = self.ext_box.bounds
        eps = 1e-6 * ((x1 - x0) + (y1 - y0))
        in_pocket = np.zeros_like(friendly)
        for p in shapely.get_parts(self.ref_ext.difference(shapely.clip_by_rect(hostile, x0, y0, x1, y1))):
            a, b, c, d = p.bounds
            if a > x0 + eps and b > y0 + eps and c < x1 - eps and d < y1 - eps and p.intersects(self.win_box):
                pp = self.project(shapely.clip_by_rect(p, *self.win_box.bounds))
                in_pocket |= shapely.contains_xy(pp, self.win_x, self.win_y)
        dist = np.where(seed, self.rear_d, dist)  # the town's streets pass at the cap
        rear = friendly & (dist >= self.rear_d) & ~in_pocket & ~self.seed

        def connects(c):
            lab, _ = ndimage.label(friendly & (dist >= c))
            s = np.unique(lab[seed & (lab > 0)])
            r = np.unique(lab[rear & (lab > 0)])
            return np.intersect1d(s, r).size > 0

        levels = np.unique(dist[friendly & ~self.seed])
        if levels.size == 0 or not connects(levels[0]):
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
    ap.add_argument("--input", required=True)
    ap.add_argument("--out")
    a = ap.parse_args()
    t0 = time.perf_counter()
    with open(a.input) as f:
        head = json.loads(f.readline())
        rows = [json.loads(line) for line in f if line.strip()]
    frame = Frame(load_reference(a.data), head["centre"], shape(head["area"]))
    occupied = [shapely.union_all([shapely.make_valid(shape(g)) for g in r["occupied"]]) for r in rows]
    gray = [None if r["gray"] is None else shapely.make_valid(shape(r["gray"])) for r in rows]
    setup = time.perf_counter() - t0
    out = {"setup_s": setup}
    for key, hostile in [
        ("occupied", occupied),
        ("with_gray", [shapely.union(o, g) if g is not None else None for o, g in zip(occupied, gray)]),
    ]:
        pairs = [(r["date"], h) for r, h in zip(rows, hostile) if h is not None]
        t1, c1 = time.perf_counter(), time.process_time()
        widths = [frame.width(h) for _, h in pairs]
        n = max(len(pairs), 1)
        out[key] = {
            "dates": [d for d, _ in pairs],
            "width_m": widths,
            "per_date_s": (time.perf_counter() - t1) / n,
            "per_date_cpu_s": (time.process_time() - c1) / n,
            "n": len(pairs),
        }
    text = json.dumps(out)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
