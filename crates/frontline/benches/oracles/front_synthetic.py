"""Independent expected values for the synthetic frontline tests in
crates/frontline/src/front/ (GeographicLib through pyproj 3.7).

Run: python3 crates/frontline/benches/oracles/front_synthetic.py
"""
from pyproj import Geod

g = Geod(ellps="WGS84")

# 1. Hostile square lon 30..31, lat 48..49 whose west side lies on the
#    border of the reference (lon 30..32, lat 47..50). Front = south, east
#    and north sides, less the 500 m at the west end of the south and north
#    sides (within the border's tolerance; a parallel meets the meridian at a
#    right angle, so the trim is 500 m of arc).
south = g.inv(30, 48, 31, 48)[2]
east = g.inv(31, 48, 31, 49)[2]
north = g.inv(31, 49, 30, 49)[2]
print(f"square: south {south:.3f} m, east {east:.3f} m, north {north:.3f} m")
print(f"square front length = {south + east + north - 1000.0:.3f} m")

# 2. A line moved north by exactly 2 km: the latitude 2 km north of
#    (30.5, lat0), and the gained strip's area between lon 30.5 +- 0.5.
for lat0 in (48.0, 60.0):
    lat_b = g.fwd(30.5, lat0, 0.0, 2000.0)[1]
    area, _ = g.polygon_area_perimeter([30, 31, 31, 30], [lat0, lat0, lat_b, lat_b])
    print(f"lat0 {lat0}: lat_b = {lat_b:.12f}, strip area = {abs(area):.6f} m2")
