#!/usr/bin/env python3
"""Checks that frontline and the baseline gave the same numbers.

    check.py area|change|compare FRONTLINE.csv BASELINE.csv
    check.py corridor FRONTLINE.csv BASELINE.json
    check.py ingest FRONTLINE_SNAPSHOTS.csv BASELINE.sqlite

Prints one line: how many figures were compared and the largest
difference, and exits non-zero when a figure is off by more than the
tolerance named in the line (GEOS and frontline's overlay snap
intersections differently: a few m² a clip, see shared/docs/crates.md).
"""
import csv
import io
import json
import sqlite3
import sys


def rows(path):
    text = open(path, encoding="utf-8").read()
    return list(csv.DictReader(io.StringIO(text)))


def fail(msg):
    print("MISMATCH " + msg)
    sys.exit(1)


def compare_keyed(fl, bl, key, cols, tol_km2, what):
    base = {key(r): r for r in bl}
    worst, n, missing = 0.0, 0, 0
    for r in fl:
        b = base.get(key(r))
        if b is None:
            missing += 1
            continue
        for fc, bc in cols:
            d = abs(float(r[fc]) - float(b[bc]))
            worst = max(worst, d)
            n += 1
    if n == 0:
        fail(f"{what}: no figure in common")
    line = f"{what}: {n} figures compared, largest difference {worst:.4f} km² (tolerance {tol_km2} km²)"
    if missing:
        line += f"; {missing} rows of frontline's without a baseline row"
    if worst > tol_km2:
        fail(line)
    print("SAME " + line)


def main():
    job, fl_path, bl_path = sys.argv[1:4]
    if job == "area":
        compare_keyed(rows(fl_path), rows(bl_path), lambda r: r["date"], [("occupied_km2", "occupied_km2")], 0.01, "area")
    elif job == "change":
        compare_keyed(
            rows(fl_path),
            rows(bl_path),
            lambda r: (r["from"], r["to"]),
            [("gained_km2", "gained_km2"), ("lost_km2", "lost_km2")],
            0.01,
            "change",
        )
    elif job == "compare":
        fl = [r for r in rows(fl_path) if r.get("part", "total") in ("total", "")]
        compare_keyed(
            fl,
            rows(bl_path),
            lambda r: r["a_date"] if "a_date" in r else r["date"],
            [("symmetric_difference_km2", "symmetric_difference_km2")],
            0.05,
            "compare",
        )
    elif job == "corridor":
        bl = json.load(open(bl_path))
        fl_by_date = {r["date"]: 1000.0 * float(r["width_km"]) for r in rows(fl_path) if r.get("width_km")}
        diffs = [
            abs(fl_by_date[d] - w)
            for d, w in zip(bl["dates"], bl["width_m"])
            if fl_by_date.get(d) is not None and w is not None
        ]
        if not diffs:
            fail("corridor: no date in common")
        diffs.sort()
        within = sum(1 for d in diffs if d <= 500.0)
        line = (
            f"corridor: {len(diffs)} dates compared, median difference {diffs[len(diffs) // 2]:.0f} m, "
            f"{within} within 500 m (two raster cells)"
        )
        if within < 0.9 * len(diffs):
            fail(line)
        print("SAME " + line)
    elif job == "ingest":
        fl_dates = sorted(r["date"] for r in rows(fl_path))
        bl_dates = [d for (d,) in sqlite3.connect(bl_path).execute("SELECT date FROM layers ORDER BY date")]
        line = f"ingest: {len(fl_dates)} snapshots stored by frontline, {len(bl_dates)} by the baseline"
        if fl_dates != bl_dates:
            fail(line + " (the dates differ)")
        print("SAME " + line)
    else:
        fail(f"unknown job {job}")


if __name__ == "__main__":
    main()
