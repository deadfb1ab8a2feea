"""Independent count of the seams in raw DeepState 2025-08-03 (1754251105):
holes of the shapely union of the occupied keys (occupied, ORDLO, Crimea,
Tuzla), with mean width 2 x area / perimeter from pyproj's geodesic
area and perimeter. Used by tests/deepstate_full.rs.

    python3 crates/frontline/benches/oracles/seams_raw.py ../shared/data/deepstate/raw/1754251105.geojson.gz \
        ../shared/data/boundaries/adm1_geoboundaries_with_sea.geojson.gz
"""
import gzip
import json
import sys

from pyproj import Geod
from shapely import make_valid
from shapely.geometry import Polygon, shape
from shapely.ops import unary_union

CLASSES = {
    "occupied": {"geoJSON.status.occupied", "geoJSON.territories.ordlo", "geoJSON.territories.crimea", "geoJSON.territories.tuzla"},
    "gray": {"geoJSON.status.unknown"},
    "liberated": {"geoJSON.status.dismissed", "geoJSON.zmiinyi_island"},
}
geod = Geod(ellps="WGS84")
# Polygons wholly outside Ukraine with its territorial sea (Kursk's
# "liberated" areas) are dropped at ingest, as the engine does.
reference = unary_union([make_valid(shape(f["geometry"])) for f in json.load(gzip.open(sys.argv[2]))["features"]])
features = json.load(gzip.open(sys.argv[1]))["features"]
for cls, keys in CLASSES.items():
    parts = []
    for f in features:
        g = f.get("geometry")
        name = f["properties"].get("name", "")
        key = name.split("///")[2].strip() if name.count("///") >= 2 else ""
        if key.startswith("geoJSON.status.dismissed"):
            key = "geoJSON.status.dismissed"
        if g and key in keys and g["type"] in ("Polygon", "MultiPolygon", "GeometryCollection"):
            geom = make_valid(shape(g))
            for part in getattr(geom, "geoms", [geom]):
                if part.geom_type == "Polygon" and reference.contains(part.representative_point()):
                    parts.append(part)
    union = unary_union(parts)
    polys = list(union.geoms) if union.geom_type == "MultiPolygon" else [union]
    holes = []
    for p in polys:
        for ring in p.interiors:
            area, perimeter = geod.geometry_area_perimeter(Polygon(ring))
            holes.append((abs(area), perimeter, 2 * abs(area) / perimeter))
    thin = [h for h in holes if h[2] < 5.0]
    print(f"{cls}: holes {len(holes)}, under 5 m mean width {len(thin)}, widest {max([h[2] for h in holes] + [0]):.3f} m")
    print(f"{cls}: area of the thin holes {sum(h[0] for h in thin) / 1e6:.4f} km2, their boundary {sum(h[1] for h in thin) / 1e3:.1f} km")
