#!/usr/bin/env python3
"""Oracle for tests/places.rs: geodesic distance from settlements (their
OpenStreetMap place nodes, the gazetteer's points) to the occupied territory
of two DeepState daily files.

Independent of frontline's method: the occupied MultiPolygon is projected to
an azimuthal equidistant projection centred on the settlement (pyproj/PROJ),
where distance from the centre is the geodesic distance, and shapely gives
the distance from the centre to the projected polygon.

Run: python3 benches/oracles/places_distance.py [shared/data]
"""
import csv
import gzip
import json
import sys

import numpy as np
import pyproj
import shapely
from shapely.geometry import Point, shape

DATA = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
PLACES = {  # OSM node id: name
    "256613916": "Pokrovsk",
    "337548383": "Kupiansk",
    "274929523": "Kramatorsk",
    "1685829423": "Kharkiv",
    "26150791": "Lviv",
    "27122612": "Zaporizhzhia",
}
DATES = ["20240708", "20260822"]

coords = {}
with gzip.open(f"{DATA}/settlements/osm_places_ua.csv.gz", "rt") as f:
    for row in csv.DictReader(f):
        if row["osm_type"] == "node" and row["osm_id"] in PLACES:
            coords[row["osm_id"]] = (float(row["lon"]), float(row["lat"]))

for date in DATES:
    with open(f"{DATA}/deepstate/daily/deepstatemap_data_{date}.geojson") as f:
        doc = json.load(f)
    occupied = shapely.union_all([shapely.make_valid(shape(ft["geometry"])) for ft in doc["features"]])
    for gid, name in PLACES.items():
        lon, lat = coords[gid]
        aeqd = pyproj.Transformer.from_crs(
            "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m", always_xy=True
        )
        projected = shapely.transform(occupied, lambda xy: np.column_stack(aeqd.transform(xy[:, 0], xy[:, 1])))
        d = projected.distance(Point(0, 0))
        print(f"{date} {name:14s} {d:12.1f}")
