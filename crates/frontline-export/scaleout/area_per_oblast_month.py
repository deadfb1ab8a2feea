#!/usr/bin/env python3
"""Area per oblast per month, by a distributed SQL engine over frontline's
GeoParquet export: the scale-out path (README, "Past one machine").

    frontline export oblasts --out lake/oblasts.parquet          # GeoParquet, source=/year= folders
    python3 area_per_oblast_month.py lake/oblasts.parquet         # table on stdout (CSV)
    python3 area_per_oblast_month.py lake/oblasts.parquet --check cli.json

The engine is Apache DataFusion (`pip install datafusion`, no extension
downloaded at run time). It reads the Hive-partitioned files (partition
pruning by source and year, row-group pruning by the bbox covering), and
only aggregates: every area is the engine's geodesic area_km2 carried in each
row. DataFusion's (and Sedona's) ST_Area is planar, in square degrees:
never use it for areas.

Per source, oblast, class and month: the number of snapshots, the mean
area over them, and the month-end value (the area on the month's last
snapshot). --check FILE compares the month-end values with
`frontline area --by oblast --from D --to D --format json` saved in FILE
(full precision; the same engine, a different path: export -> files ->
DataFusion SQL), to 1e-9 relative, and the monthly means with pyarrow's own
aggregation of the same files (a second reader)."""
import argparse
import json
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from datafusion import SessionContext

QUERY = """
WITH pieces AS (
    SELECT source, region, class, date, area_km2, date_trunc('month', CAST(date AS TIMESTAMP)) AS month
    FROM oblasts
),
ends AS (
    SELECT source, region, class, month, max(date) AS month_end
    FROM pieces GROUP BY source, region, class, month
)
SELECT p.source, p.region, p.class, to_char(p.month, '%Y-%m') AS month,
       count(*) AS snapshots,
       avg(p.area_km2) AS mean_area_km2,
       max(e.month_end) AS month_end_date,
       max(CASE WHEN p.date = e.month_end THEN p.area_km2 END) AS month_end_area_km2
FROM pieces p JOIN ends e
  ON p.source = e.source AND p.region = e.region AND p.class = e.class AND p.month = e.month
GROUP BY p.source, p.region, p.class, p.month
ORDER BY p.source, p.region, p.class, month
"""


def run(folder):
    ctx = SessionContext()
    ctx.register_parquet(
        "oblasts", folder,
        table_partition_cols=[("source", pa.string()), ("year", pa.int32())],
        file_extension=".parquet",
    )
    return ctx.sql(QUERY).to_arrow_table()


def check_against_cli(result, cli_json, folder):
    rows = json.load(open(cli_json))
    cli = {(r["region"], r["date"]): r["occupied_km2"] for r in rows}
    checked = 0
    for r in result.to_pylist():
        if r["class"] != "occupied":
            continue
        key = (r["region"], str(r["month_end_date"]))
        if key not in cli:
            continue
        want, got = cli[key], r["month_end_area_km2"]
        if abs(got - want) > 1e-9 * max(abs(want), 1.0):
            sys.exit(f"{key}: DataFusion month-end {got!r} km² vs frontline area --by oblast {want!r}")
        checked += 1
    if checked == 0:
        sys.exit("no month-end date of the query is in the CLI's output: export and CLI cover different dates")
    # The monthly means, aggregated again by pyarrow straight from the files.
    table = ds.dataset(folder, format="parquet", partitioning="hive").to_table(
        columns=["source", "region", "class", "date", "area_km2"])
    months = pc.strftime(pc.cast(table["date"], pa.timestamp("s")), format="%Y-%m")
    table = table.append_column("month", months)
    means = table.group_by(["source", "region", "class", "month"]).aggregate([("area_km2", "mean")])
    want = {(s, r, c, m): v for s, r, c, m, v in zip(*[means[k].to_pylist() for k in
            ["source", "region", "class", "month", "area_km2_mean"]])}
    for r in result.to_pylist():
        w = want[(r["source"], r["region"], r["class"], r["month"])]
        if abs(r["mean_area_km2"] - w) > 1e-9 * max(abs(w), 1.0):
            sys.exit(f"{r['region']} {r['month']}: DataFusion mean {r['mean_area_km2']} vs pyarrow {w}")
    return checked


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", help="the oblasts export (GeoParquet folder)")
    ap.add_argument("--check", help="JSON of frontline area --by oblast over the same dates")
    a = ap.parse_args()
    result = run(a.folder)
    print("source,region,class,month,snapshots,mean_area_km2,month_end_date,month_end_area_km2")
    for r in result.to_pylist():
        print(f"{r['source']},\"{r['region']}\",{r['class']},{r['month']},{r['snapshots']},"
              f"{r['mean_area_km2'] + 0.0:.3f},{r['month_end_date']},{r['month_end_area_km2'] + 0.0:.3f}")
    if a.check:
        n = check_against_cli(result, a.check, a.folder)
        print(f"checked: {n} month-end oblast areas equal frontline area --by oblast to 1e-9; "
              f"{len(result)} monthly means equal pyarrow's", file=sys.stderr)


if __name__ == "__main__":
    main()
