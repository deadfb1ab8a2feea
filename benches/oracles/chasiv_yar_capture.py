#!/usr/bin/env python3
"""Oracle for tests/places.rs (chasiv_yar_is_centred_on_the_town): the 50 % and
95 % capture dates (3 consecutive daily snapshots at or above θ) of a 1.5 km
geodesic disc around OSM's Chasiv Yar node and around GeoNames' point, by
pyproj (AEQD disc, LAEA areas) and shapely, on every DeepState daily file.
Printed 2026-11-29: osm 0.5 20250130; geonames 0.5 20241119; geonames 0.95 20250130.
"""
import json, os, pyproj, shapely
from shapely.geometry import shape, Point
from shapely.ops import transform
D='/work/shared/data/deepstate/daily'
pts={'osm':(37.8373367,48.5873911),'geonames':(37.85724,48.59348)}
discs={}
for k,(lon,lat) in pts.items():
    aeqd=pyproj.Transformer.from_crs(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m","EPSG:4326",always_xy=True)
    discs[k]=transform(aeqd.transform, Point(0,0).buffer(1500,256))
laea=pyproj.Transformer.from_crs("EPSG:4326","+proj=laea +lat_0=48.5 +lon_0=37.8 +datum=WGS84",always_xy=True)
box=shapely.box(37.7,48.5,38.0,48.7)
out={k:[] for k in pts}
files=sorted(f for f in os.listdir(D) if f.endswith('.geojson'))
for f in files:
    doc=json.load(open(os.path.join(D,f)))
    gs=[shapely.make_valid(shape(ft['geometry'])) for ft in doc['features'] if ft.get('geometry')]
    gs=[g for g in gs if g.intersects(box)]
    occ=shapely.union_all(gs) if gs else shapely.Polygon()
    for k,d in discs.items():
        a=transform(laea.transform,d)
        i=transform(laea.transform,occ.intersection(d)) if not occ.is_empty else shapely.Polygon()
        out[k].append((f[18:26], i.area/a.area))
for k,s in out.items():
    for th in (0.5,0.95):
        for i in range(len(s)-2):
            if all(s[j][1]>=th for j in range(i,i+3)) and (i==0 or True):
                # first run of 3 from a state below
                if i==0 or s[i-1][1]<th:
                    print(k, th, s[i][0]); break
