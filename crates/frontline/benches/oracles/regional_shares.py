"""Independent regional shares (shapely + pyproj) under four conventions, for
tests/deepstate_daily.rs: numerator = occupied (daily export) within the
geoBoundaries ADM1 outline with territorial sea (gb), within the OSM land
outline (osm), or within gb cut to the land outline (gbland); denominator =
the official area (off, boundaries/official_areas.csv) or the outline's own
geodesic area. DeepState's published figures (2 January 2026) are printed
beside them: gb/off reproduces all but Kherson.

    python3 crates/frontline/benches/oracles/regional_shares.py
"""
import json, gzip, csv, sys
from shapely.geometry import shape
from shapely import make_valid
from pyproj import Geod
g = Geod(ellps="WGS84")
def A(geom): return abs(g.geometry_area_perimeter(geom)[0])/1e6
import os
D = os.environ.get("FRONTLINE_SHARED", os.path.join(os.path.dirname(__file__), "../../../../../shared")) + "/data/"
off = {r["iso3166_2"]: float(r["area_km2"]) for r in csv.DictReader(open(D+"boundaries/official_areas.csv"))}
osm = {f["properties"]["iso3166-2"]: make_valid(shape(f["geometry"])) for f in json.load(gzip.open(D+"boundaries/oblasts_osm.geojson.gz"))["features"]}
gb = {f["properties"]["shapeISO"]: make_valid(shape(f["geometry"])) for f in json.load(gzip.open(D+"boundaries/adm1_geoboundaries_with_sea.geojson.gz"))["features"]}
land = make_valid(shape(json.load(open(D+"boundaries/ukraine_land_osm.geojson"))["features"][0]["geometry"]))
pub = {"20260101": {"UA-12":0.6,"UA-59":1.0,"UA-63":4.7,"UA-65":72,"UA-23":74.8,"UA-14":78.1,"UA-09":99.6,"UA-43":100},
       "20241231": {"UA-63":3.4,"UA-23":72.7,"UA-14":67.5,"UA-09":99.0}}
for day, want in pub.items():
    occ = make_valid(shape(json.load(open(D+f"deepstate/daily/deepstatemap_data_{day}.geojson"))["features"][0]["geometry"]))
    for iso, w in want.items():
        o_gb = A(occ.intersection(gb[iso])); o_osm = A(occ.intersection(osm[iso])); o_gbl = A(occ.intersection(gb[iso]).intersection(land))
        m_gb = A(gb[iso]); m_osm = A(osm[iso]); m_gbl = A(gb[iso].intersection(land))
        print(day, iso, w, " gb/off %.2f gb/gb %.2f osm/osm %.2f osm/off %.2f gbland/off %.2f gbland/gbland %.2f" % (
            100*o_gb/off[iso], 100*o_gb/m_gb, 100*o_osm/m_osm, 100*o_osm/off[iso], 100*o_gbl/off[iso], 100*o_gbl/m_gbl), flush=True)
