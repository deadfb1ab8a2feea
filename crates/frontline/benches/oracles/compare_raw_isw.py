#!/usr/bin/env python3
"""Oracle for `frontline compare deepstate-raw isw --on D`: the occupied area
of each source, what only one of them counts, and their symmetric
difference, within Ukraine with its territorial sea, computed with shapely
(GEOS) and pyproj (GeographicLib) straight from the published files.

Independent of frontline: its own reading of the files (classes by the
rules of shared/data/README.md), GEOS for make_valid/union/overlay, and
pyproj's Geod for the geodesic areas.

    python3 crates/frontline/benches/oracles/compare_raw_isw.py [SHARED_DATA]

Prints one CSV row per date; tests/compare.rs hard-codes the values.
"""
import datetime as dt
import gzip
import json
import os
import sys

from pyproj import Geod
from shapely import make_valid
from shapely.geometry import shape
from shapely.ops import unary_union

DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../../../shared/data")
GEOD = Geod(ellps="WGS84")

# The ISW full-precision dates and the DeepState raw snapshot nearest to each
# (ties to the earlier): the raw series is weekly in 2022-23.
DATES = ["2022-05-01", "2022-08-01", "2022-11-01", "2023-05-03", "2023-08-01"]

# DeepState fills (README): occupied, ORDLO/Crimea (black, later #880e4f;
# #880e4f is Transnistria before 2022-05-30, skipped: its polygon overlaps
# the border by some 34 km², so the clip alone would not remove it), gray.
OCCUPIED_FILLS = {"#a52714", "#000000", "#880e4f"}
GRAY_FILLS = {"#bcaaa4", "#bdbdbd", "#757575"}
# ISW 2023 layer names, in English or (some files) Japanese: assessed control
# and assessed advances; the "claimed" layers are not assessed control.
ISW_CONTROL_2023 = {"VIEW_RussiaCoTinUkraine_V3", "ロシア軍支配エリア"}
ISW_ADVANCE_2023 = {"MDS_AssessedRussianAdvanceInUkraine_view", "ロシア軍侵攻エリア"}
# Before this date #880e4f is Transnistria, not ORDLO/Crimea (README).
TRANSNISTRIA_COLOUR_UNTIL = dt.date(2022, 5, 30)


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def polygons(geom):
    """Polygonal parts of a GeoJSON geometry (2-D), GeometryCollections flattened."""
    if geom is None:
        return []
    t = geom.get("type")
    if t == "GeometryCollection":
        return [p for g in geom.get("geometries", []) for p in polygons(g)]
    if t not in ("Polygon", "MultiPolygon"):
        return []
    g = shape(geom)
    if g.has_z:
        from shapely import force_2d

        g = force_2d(g)
    g = make_valid(g)
    if g.geom_type == "GeometryCollection":
        return [p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")]
    return [g] if g.geom_type in ("Polygon", "MultiPolygon") else []


def area_km2(g):
    if g.is_empty:
        return 0.0
    parts = g.geoms if hasattr(g, "geoms") else [g]
    total = 0.0
    for p in parts:
        if p.geom_type != "Polygon":
            continue
        a, _ = GEOD.geometry_area_perimeter(p)
        total += abs(a)
    return total / 1e6


def raw_nearest(date):
    folder = os.path.join(DATA, "deepstate/raw")
    target = dt.datetime.strptime(date, "%Y-%m-%d").date()
    best = None
    for name in sorted(os.listdir(folder)):
        ts = int(name.split(".")[0])
        d = dt.datetime.fromtimestamp(ts, dt.timezone.utc).date()
        key = (abs((d - target).days), d)
        if best is None or key < best[0]:
            best = (key, name, d)
    return os.path.join(folder, best[1]), best[2]


def raw_layers(path, date):
    occ, gray = [], []
    for f in load(path)["features"]:
        fill = str((f.get("properties") or {}).get("fill", "")).strip().lower()
        if fill == "#880e4f" and date < TRANSNISTRIA_COLOUR_UNTIL:
            continue
        if fill in OCCUPIED_FILLS:
            occ += polygons(f.get("geometry"))
        elif fill in GRAY_FILLS:
            gray += polygons(f.get("geometry"))
    return unary_union(occ), unary_union(gray)


def isw_layers(date):
    digits = date.replace("-", "")
    if date.startswith("2022"):
        base = os.path.join(DATA, "isw/full_2022", digits)
        occ = [p for f in load(base + "_RussianAssessedCoTinUkraine.geojson.gz")["features"] for p in polygons(f.get("geometry"))]
        adv = [p for f in load(base + "_RussianAssessedAdvanceinUkraine.geojson.gz")["features"] for p in polygons(f.get("geometry"))]
    else:
        occ, adv = [], []
        for f in load(os.path.join(DATA, "isw/full_2023", digits + ".geojson.gz"))["features"]:
            layer = (f.get("properties") or {}).get("layer")
            if layer in ISW_CONTROL_2023:
                occ += polygons(f.get("geometry"))
            elif layer in ISW_ADVANCE_2023:
                adv += polygons(f.get("geometry"))
    return unary_union(occ), unary_union(adv)


def main():
    ref = unary_union([p for f in load(os.path.join(DATA, "boundaries/adm1_geoboundaries_with_sea.geojson.gz"))["features"] for p in polygons(f.get("geometry"))])
    print("isw_date,raw_date,raw_km2,isw_km2,raw_only_km2,isw_only_km2,symmetric_difference_km2,raw_only_in_isw_advance_km2")
    for date in DATES:
        raw_path, raw_date = raw_nearest(date)
        r_occ, _ = raw_layers(raw_path, raw_date)
        i_occ, i_adv = isw_layers(date)
        a = r_occ.intersection(ref)
        b = i_occ.intersection(ref)
        a_only = a.difference(b)
        b_only = b.difference(a)
        sym = a.symmetric_difference(b)
        print(
            f"{date},{raw_date},{area_km2(a):.3f},{area_km2(b):.3f},{area_km2(a_only):.3f},"
            f"{area_km2(b_only):.3f},{area_km2(sym):.3f},{area_km2(a_only.intersection(i_adv)):.3f}"
        )


if __name__ == "__main__":
    main()
