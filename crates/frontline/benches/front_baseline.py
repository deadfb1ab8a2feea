"""Baseline for benches/front.rs: the frontline extracted with shapely/GEOS
the straightforward way, occupied ∩ reference, its boundary, minus 500 m
buffers of the reference boundary and of the land outline's boundary (the
coast), kept on land, in a Lambert azimuthal equal-area projection; geodesic
length with pyproj. Runs every STRIDE-th daily file and prints the time per file.

Usage: python3 front_baseline.py DATA_DIR [STRIDE]
"""
import glob
import os
import sys
import time

import geopandas as gpd
import shapely
from pyproj import Geod, Transformer

data = sys.argv[1]
stride = int(sys.argv[2]) if len(sys.argv) > 2 else 1
laea = "+proj=laea +lat_0=48.5 +lon_0=33 +units=m"
fwd = Transformer.from_crs(4326, laea, always_xy=True)
inv = Transformer.from_crs(laea, 4326, always_xy=True)
geod = Geod(ellps="WGS84")


def project(g, t):
    return shapely.transform(g, lambda xy: __import__("numpy").column_stack(t.transform(xy[:, 0], xy[:, 1])))


t0 = time.perf_counter()
ref = gpd.read_file("/vsigzip/" + os.path.join(data, "boundaries/adm1_geoboundaries_with_sea.geojson.gz")).union_all().buffer(0)
land = gpd.read_file(os.path.join(data, "boundaries/ukraine_land_osm.geojson")).union_all().buffer(0)
ref_m, land_m = project(ref, fwd), project(land, fwd)
exclude = shapely.union(ref_m.boundary.buffer(500), land_m.boundary.buffer(500))
shapely.prepare(exclude)
setup = time.perf_counter() - t0

files = sorted(glob.glob(os.path.join(data, "deepstate/daily/*.geojson")))[::stride]
t0 = time.perf_counter()
lengths = []
for f in files:
    occ = gpd.read_file(f).union_all()
    inside = project(occ, fwd).intersection(ref_m).intersection(land_m.buffer(1))
    front = inside.boundary.difference(exclude).intersection(land_m)
    lengths.append(geod.geometry_length(project(front, inv)) / 1000)
elapsed = time.perf_counter() - t0
print(f"baseline setup {setup:.2f} s; {len(files)} files in {elapsed:.2f} s; first front {lengths[0]:.1f} km, last {lengths[-1]:.1f} km")
print(f"per_file_s {elapsed / len(files):.6f}")
