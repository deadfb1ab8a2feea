#!/usr/bin/env python3
"""Oracle for `frontline compare deepstate-daily deepstate-raw --lag`: the
symmetric difference (km², within Ukraine with its territorial sea) between
the daily file dated d + k and the raw snapshot dated d, for a few dates d
and offsets k, with shapely (GEOS) and pyproj (GeographicLib), from the
published files. Raw polygons are classified by their i18n key (the third
part of properties.name, authoritative from 2024-03-25, README); the daily
file's one MultiPolygon is all occupied. As frontline's ingest does, holes
of the raw union under 5 m mean width (2 x area / perimeter, geodesic) are
seams between DeepState's layers and are filled (ARCHITECTURE.md, "Seams").

    python3 crates/frontline/benches/oracles/lag_daily_raw.py [SHARED_DATA]
"""
import datetime as dt
import gzip
import json
import os
import sys

from pyproj import Geod
from shapely import force_2d, make_valid
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import unary_union

DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../../../shared/data")
GEOD = Geod(ellps="WGS84")
DATES = ["2024-09-02", "2025-01-06", "2025-06-15"]
OFFSETS = [0, 1, 2, 3]
OCCUPIED_KEYS = {
    "geoJSON.status.occupied",
    "geoJSON.territories.ordlo",
    "geoJSON.territories.crimea",
    "geoJSON.territories.tuzla",
}


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def polygons(geom):
    if geom is None:
        return []
    if geom.get("type") == "GeometryCollection":
        return [p for g in geom.get("geometries", []) for p in polygons(g)]
    if geom.get("type") not in ("Polygon", "MultiPolygon"):
        return []
    g = make_valid(force_2d(shape(geom)))
    if g.geom_type == "GeometryCollection":
        return [p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")]
    return [g] if g.geom_type in ("Polygon", "MultiPolygon") else []


def area_km2(g):
    parts = getattr(g, "geoms", [g])
    return sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in parts if p.geom_type == "Polygon" and not p.is_empty) / 1e6


def raw_on(date):
    folder = os.path.join(DATA, "deepstate/raw")
    hits = []
    for name in sorted(os.listdir(folder)):
        d = dt.datetime.fromtimestamp(int(name.split(".")[0]), dt.timezone.utc).date()
        if d.isoformat() == date:
            hits.append(name)
    # The last snapshot of the day, as frontline pairs them.
    return os.path.join(folder, hits[-1])


def raw_occupied(path):
    occ = []
    for f in load(path)["features"]:
        name = str((f.get("properties") or {}).get("name", ""))
        parts = name.split("///")
        key = parts[2].strip() if len(parts) > 2 else ""
        if key in OCCUPIED_KEYS:
            occ += polygons(f.get("geometry"))
    return close_seams(unary_union(occ))


def close_seams(g, max_width_m=5.0):
    def thin(ring):
        area, perimeter = GEOD.geometry_area_perimeter(Polygon(ring))
        return perimeter > 0 and 2 * abs(area) / perimeter < max_width_m

    parts = [Polygon(p.exterior, [r for r in p.interiors if not thin(r)]) for p in getattr(g, "geoms", [g]) if p.geom_type == "Polygon"]
    return MultiPolygon(parts)


def daily_occupied(date):
    path = os.path.join(DATA, "deepstate/daily", f"deepstatemap_data_{date.replace('-', '')}.geojson")
    return unary_union([p for f in load(path)["features"] for p in polygons(f.get("geometry"))])


def main():
    ref = unary_union([p for f in load(os.path.join(DATA, "boundaries/adm1_geoboundaries_with_sea.geojson.gz"))["features"] for p in polygons(f.get("geometry"))])
    print("raw_date,offset_days,symmetric_difference_km2")
    for date in DATES:
        b = raw_occupied(raw_on(date)).intersection(ref)
        for k in OFFSETS:
            d = (dt.date.fromisoformat(date) + dt.timedelta(days=k)).isoformat()
            a = daily_occupied(d).intersection(ref)
            print(f"{date},{k},{area_km2(a.symmetric_difference(b)):.3f}")


if __name__ == "__main__":
    main()
