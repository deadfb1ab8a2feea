#!/usr/bin/env python3
"""Oracle for tests/places.rs: geodesic distance from settlements (GeoNames
points) to the occupied territory of two DeepState daily files.

Independent of frontline's method: the occupied MultiPolygon is projected to
an azimuthal equidistant projection centred on the settlement (pyproj/PROJ),
where distance from the centre is the geodesic distance, and shapely gives
the distance from the centre to the projected polygon.

Run: python3 benches/oracles/places_distance.py [shared/data]
"""
import gzip
import json
import sys

import numpy as np
import pyproj
import shapely
from shapely.geometry import Point, shape

DATA = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
PLACES = {  # geonameid: name
    704422: "Pokrovsk",
    703656: "Kupiansk",
    704508: "Kramatorsk",
    706483: "Kharkiv",
    702550: "Lviv",
    687700: "Zaporizhzhia",
}
DATES = ["20240708", "20260822"]

coords = {}
with gzip.open(f"{DATA}/settlements/geonames_cities500_UA.tsv.gz", "rt") as f:
    next(f)
    for line in f:
        c = line.split("\t")
        if int(c[0]) in PLACES:
            coords[int(c[0])] = (float(c[5]), float(c[4]))

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
