#!/usr/bin/env python3
"""frontline's Python package doing the job of ../../shared/bench/area_series_geopandas.py:
for every DeepState daily snapshot, the geodesic area of the occupied layer, its share
of the land reference, and the area gained and lost since the previous snapshot.

    area_series.py STORE BOX.geojson LAND_KM2 [DAILY_DIR] > out.csv

STORE holds the daily series (built by `frontline ingest`); with DAILY_DIR the folder
is ingested into STORE first, inside the timed process (start from files, as the
geopandas pipeline does). BOX is a reference larger than the theatre, so that areas are
the maps' own (the geopandas pipeline does not clip either); LAND_KM2 is the land
reference's area, the share's denominator. Same CSV columns as the baseline."""
import sys

import frontline

store_path, box, land_km2 = sys.argv[1], sys.argv[2], float(sys.argv[3])
store = frontline.Store(store_path)
if len(sys.argv) > 4:
    summary = store.ingest(sys.argv[4])
    if summary["errors"]:
        sys.exit("ingest failed: " + "; ".join(summary["errors"]))
area = store.area(source="deepstate-daily", from_="2000-01-01", reference=box)
change = store.change(source="deepstate-daily", every="snapshot", reference=box)
area = area.merge(change[["to", "gained_km2", "lost_km2"]], left_on="date", right_on="to", how="left").fillna(
    {"gained_km2": 0.0, "lost_km2": 0.0}
)
print("date,area_km2,area_sqmi,share_pct,gained_km2,lost_km2")
for r in zip(area["date"], area["occupied_km2"], area["occupied_sqmi"], area["gained_km2"], area["lost_km2"]):
    print(f"{r[0]:%Y-%m-%d},{r[1]:.1f},{r[2]:.1f},{100 * r[1] / land_km2:.3f},{r[3]:.2f},{r[4]:.2f}")
