"""Independent expected values for the self-overlapping ring test in
crates/frontline/src/ingest/clean.rs (`a_ring_wound_twice_is_filled_by_the_non_zero_rule`).

The ring is a pentagram ({5/2} star) of circumradius 0.5 degrees centred on
(37.5 E, 48.5 N): drawn in one stroke it goes round its centre twice, so
the central pentagon has winding number 2 and the five points winding 1.

frontline's rule is non-zero (every place the ring encloses counts once).
The oracle computes that fill without frontline's overlay: shapely nodes the
ring's linework and polygonizes it, each face is kept when a point inside it
has a non-zero winding number (counted here by hand), the kept faces are
unioned, and pyproj (GeographicLib) measures the geodesic area. GEOS's
make_valid (even-odd like: the doubly wound centre becomes a hole) is
printed for comparison.

Run: python3 crates/frontline/benches/oracles/self_overlap.py
(shapely 2.2.0, pyproj 3.7.2)
"""
import math

from pyproj import Geod
from shapely import make_valid
from shapely.geometry import LineString, Polygon
from shapely.ops import polygonize, unary_union

CX, CY, R = 37.5, 48.5, 0.5
outer = [(CX + R * math.cos(math.radians(90 + 72 * k)), CY + R * math.sin(math.radians(90 + 72 * k))) for k in range(5)]
star = [outer[(2 * k) % 5] for k in range(5)]
ring = star + [star[0]]


def winding(pt, ring):
    """Winding number of a closed ring around pt (Sunday's algorithm)."""
    x, y = pt
    wn = 0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        cross = (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0)
        if y0 <= y < y1 and cross > 0:
            wn += 1
        elif y1 <= y < y0 and cross < 0:
            wn -= 1
    return wn


faces = list(polygonize(unary_union(LineString(ring))))
kept = [f for f in faces if winding(f.representative_point().coords[0], ring) != 0]
nonzero = unary_union(kept)
g = Geod(ellps="WGS84")
area_nonzero = abs(g.geometry_area_perimeter(nonzero)[0])
area_make_valid = abs(g.geometry_area_perimeter(make_valid(Polygon(ring)))[0])
print("star vertices (lon, lat):")
for x, y in star:
    print(f"  ({x!r}, {y!r})")
print(f"faces {len(faces)}, kept {len(kept)}")
print(f"non-zero fill area = {area_nonzero:.3f} m2")
print(f"make_valid area    = {area_make_valid:.3f} m2")
