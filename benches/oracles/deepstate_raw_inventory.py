"""Independent inventory of shared/data/deepstate/raw for tests/deepstate_raw.rs.

Re-implements the classification rules (key first, else fill) in Python and
counts, over all 255 files, every polygon part: per class, satirical, and
points/lines. With --areas, also measures the occupied and gray areas of the
snapshots either side of the key switch (2024-03-18, 2024-03-25), clipped to
Ukraine with its territorial sea, with shapely (union, intersection) and
pyproj's GeographicLib (geodesic area).

    python3 benches/oracles/deepstate_raw_inventory.py [--areas]
"""
import collections, datetime, gzip, json, os, sys

DATA = os.environ.get("FRONTLINE_SHARED", os.path.join(os.path.dirname(__file__), "../../../shared"))
RAW = os.path.join(DATA, "data/deepstate/raw")
SWITCH_880E4F = datetime.datetime(2022, 5, 30, tzinfo=datetime.timezone.utc)

def key_of(name):
    parts = (name or "").split("///")
    if len(parts) < 3:
        return None
    k = parts[2].strip()
    return k or None

def by_key(k):
    if k == "geoJSON.status.occupied": return "occupied"
    if k == "geoJSON.status.unknown": return "gray"
    if k == "geoJSON.status.dismissed" or k.startswith("geoJSON.status.dismissed_at"): return "liberated"
    if k in ("geoJSON.territories.ordlo", "geoJSON.territories.crimea", "geoJSON.territories.tuzla"): return "occupied"
    if k == "geoJSON.zmiinyi_island": return "liberated"
    if k.startswith("geoJSON.territories."): return "satirical"
    return "UNKNOWN"

def by_fill(f, t):
    f = (f or "").lower()
    if f in ("#a52714", "#000000"): return "occupied"
    if f == "#880e4f": return "satirical" if t < SWITCH_880E4F else "occupied"
    if f in ("#bcaaa4", "#bdbdbd", "#757575"): return "gray"
    if f in ("#0f9d58", "#0288d1", "#01579b"): return "liberated"
    if f == "#ff5252": return "satirical"
    return "UNKNOWN"

def parts(g):
    if g is None: return [], 0
    t = g["type"]
    if t == "Polygon": return [g["coordinates"]], 0
    if t == "MultiPolygon": return list(g["coordinates"]), 0
    if t == "GeometryCollection":
        ps, n = [], 0
        for x in g["geometries"]:
            a, b = parts(x); ps += a; n += b
        return ps, n
    return [], 1

def classify_file(path):
    ts = int(os.path.basename(path).split(".")[0])
    t = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    fc = json.load(gzip.open(path))
    out = collections.defaultdict(list); counts = collections.Counter(); disagree = 0
    for f in fc["features"]:
        p = f.get("properties") or {}
        ps, nonareal = parts(f.get("geometry"))
        counts["point or line"] += nonareal
        if not ps: continue
        k = key_of(p.get("name"))
        c = by_key(k) if k else by_fill(p.get("fill"), t)
        if k and by_fill(p.get("fill"), t) != c: disagree += len(ps)
        counts[c] += len(ps)
        out[c] += ps
    return t, out, counts, disagree

def main():
    files = sorted(os.listdir(RAW))
    total = collections.Counter(); disagree = 0
    for fn in files:
        _, _, c, d = classify_file(os.path.join(RAW, fn))
        total.update(c); disagree += d
    print("files", len(files))
    for k, v in sorted(total.items()): print(f"{k:>14} {v}")
    print("key/fill disagreements", disagree)
    if "--areas" in sys.argv:
        import shapely
        from shapely.geometry import Polygon
        from pyproj import Geod
        geod = Geod(ellps="WGS84")
        ref = json.load(gzip.open(os.path.join(DATA, "data/boundaries/adm1_geoboundaries_with_sea.geojson.gz")))
        ref = shapely.union_all([shapely.make_valid(shapely.geometry.shape(f["geometry"])) for f in ref["features"]])
        for fn in ("1710798442.geojson.gz", "1711403010.geojson.gz"):
            t, out, _, _ = classify_file(os.path.join(RAW, fn))
            row = [str(t)]
            for cls in ("occupied", "gray"):
                polys = [shapely.make_valid(Polygon([c[:2] for c in r[0]], [[c[:2] for c in h] for h in r[1:]])) for r in out[cls]]
                u = shapely.union_all(polys).intersection(ref)
                a = sum(geod.geometry_area_perimeter(shapely.geometry.polygon.orient(q, 1.0))[0]
                        for q in getattr(u, "geoms", [u]) if q.geom_type == "Polygon") / 1e6
                row.append(f"{cls} {a:.1f} km2")
            print(fn, *row)

main()
