"""Oracle for tests/front.rs coast_is_what_separates_the_front_from_the_sea:
the 2026-01-01 DeepState daily front with a 500 m border band and a 3 km
coast band, by shapely/GEOS buffers in a Lambert azimuthal equal-area
projection (distances there are within about 0.5 % of true over Ukraine)
and pyproj geodesic length. Prints the front (km) with the sea limit only
(3410.06), with a 500 m coast band (1720.79) and a 3 km one (1221.76).

Run: python3 crates/frontline/benches/oracles/front_coast_band.py
"""
import geopandas as gpd, shapely, numpy as np
from pyproj import Transformer, Geod
D='/work/shared/data'
laea="+proj=laea +lat_0=48.5 +lon_0=33 +units=m"
fwd=Transformer.from_crs(4326,laea,always_xy=True); inv=Transformer.from_crs(laea,4326,always_xy=True)
P=lambda g,t: shapely.transform(g, lambda xy: np.column_stack(t.transform(xy[:,0],xy[:,1])))
ref=gpd.read_file('/vsigzip/'+D+'/boundaries/adm1_geoboundaries_with_sea.geojson.gz').union_all().buffer(0)
land=gpd.read_file(D+'/boundaries/ukraine_land_osm.geojson').union_all().buffer(0)
occ=gpd.read_file(D+'/deepstate/daily/deepstatemap_data_20260101.geojson').union_all()
r,l=P(ref,fwd),P(land,fwd)
b=P(occ,fwd).intersection(r).boundary
g=Geod(ellps='WGS84')
sea=b.difference(r.boundary.buffer(500))
print('sea only', g.geometry_length(P(sea,inv))/1000)
for coast_m in (500, 3000):
    f=sea.difference(l.boundary.buffer(coast_m)).intersection(l)
    print('coast', coast_m, g.geometry_length(P(f,inv))/1000)
