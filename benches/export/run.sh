#!/usr/bin/env bash
# Whole-process benchmark of `frontline export snapshots --as geoparquet` over
# the full DeepState daily history against geopandas writing the same
# (geopandas_export.py: read, union, repair, pyproj area, to_parquet with a
# bbox covering, one file per year), from the same daily GeoJSON files.
#
#   bash benches/export/run.sh
#   RUNS=5 FRONTLINE_BENCH_DB=built.db bash benches/export/run.sh
#   PROFILE=debug bash benches/export/run.sh   # reuse the test build (dependencies optimised, workspace opt-level 1)
#
# Two frontline jobs, each against the same baseline:
#   export         the store already built (what a user with a store runs)
#   ingest+export  from the GeoJSON files: a fresh store ingested, then exported
# On one thread (RAYON_NUM_THREADS=1 against --jobs 1) and on every core
# (nproc threads against --jobs nproc processes), alternating, RUNS times each;
# printed: medians, min-max and the ratio of the medians in the same run.
# Needs python3 with geopandas 1.2.0, shapely 2.2.0, pyproj 3.7.2, pyarrow; bc.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/benches/export"
shared="${FRONTLINE_SHARED:-$(cd "$root/.." && pwd)/shared}"
data="$shared/data"
runs="${RUNS:-3}"
cores="$(nproc)"
command -v bc >/dev/null || { echo "error: bc not found: apt-get install -y bc" >&2; exit 1; }
python3 -c "import geopandas, shapely, pyproj, pyarrow" 2>/dev/null || {
  echo "error: the baseline needs: python3 -m pip install geopandas==1.2.0 shapely==2.2.0 pyproj==3.7.2 pyarrow" >&2
  exit 1
}

profile="${PROFILE:-release}"
if [ "$profile" = release ]; then
  (cd "$root" && cargo build --release -p frontline-cli --features geoparquet)
else
  (cd "$root" && cargo build -p frontline-cli --features geoparquet)
fi
bin="${CARGO_TARGET_DIR:-$root/target}/$profile/frontline"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ -n "${FRONTLINE_BENCH_DB:-}" ]; then
  cp "$FRONTLINE_BENCH_DB" "$tmp/store.db"
else
  echo "building a store (deepstate daily)..."
  "$bin" --db "$tmp/store.db" --data "$data" ingest "$data/deepstate/daily" >/dev/null
fi

timed() {
  local t0 t1
  t0=$(date +%s.%N)
  if ! "$@" >"$tmp/out" 2>"$tmp/err"; then
    echo "error: failed: $*" >&2; tail -3 "$tmp/err" >&2; exit 1
  fi
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}

fl_export() {
  rm -rf "$tmp/fl.parquet"
  RAYON_NUM_THREADS=$1 "$bin" --db "$tmp/store.db" --data "$data" export snapshots --source deepstate-daily \
    --out "$tmp/fl.parquet"
}
fl_ingest_export() {
  rm -rf "$tmp/fl.parquet" "$tmp"/fresh.db*
  RAYON_NUM_THREADS=$1 "$bin" --db "$tmp/fresh.db" --data "$data" ingest "$data/deepstate/daily" >/dev/null
  RAYON_NUM_THREADS=$1 "$bin" --db "$tmp/fresh.db" --data "$data" export snapshots --out "$tmp/fl.parquet"
}
baseline() {
  rm -rf "$tmp/gp"
  python3 "$here/geopandas_export.py" "$data/deepstate/daily" "$tmp/gp" --jobs "$1"
}

summary() {
  python3 - "$@" <<'PY'
import statistics, sys
name, threads, a, b = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
a, b = [float(x) for x in a], [float(x) for x in b]
ma, mb = statistics.median(a), statistics.median(b)
print(f"{name:<14} {threads:>2} thread(s): frontline {ma:8.3f} s ({min(a):.3f}-{max(a):.3f}), "
      f"geopandas {mb:8.3f} s ({min(b):.3f}-{max(b):.3f}), RATIO {mb / ma:6.1f}x  [{len(a)} runs each]")
PY
}

results="$tmp/results.txt"
: >"$results"
for job in export ingest_export; do
  for threads in 1 "$cores"; do
    a=""; b=""
    for _ in $(seq 1 "$runs"); do
      a="$a $(timed "fl_$job" "$threads")"
      b="$b $(timed baseline "$threads")"
    done
    summary "$job" "$threads" "$a" "$b" | tee -a "$results"
  done
done

# Both wrote the same rows: dates, and areas to 1e-9 relative where the
# geometries agree (frontline repairs by the non-zero rule, geopandas by
# make_valid: on the daily files they agree).
python3 - "$tmp/fl.parquet" "$tmp/gp" <<'PY' | tee -a "$results"
import sys, geopandas as gpd
a, b = gpd.read_parquet(sys.argv[1]), gpd.read_parquet(sys.argv[2])
a = a.sort_values("date").reset_index(drop=True); b = b.sort_values("date").reset_index(drop=True)
assert list(a["date"].astype(str)) == list(b["date"].astype(str)), "different dates"
rel = ((a["area_km2"] - b["area_km2"]).abs() / b["area_km2"]).max()
print(f"check: {len(a)} rows each, same dates; largest relative area difference {rel:.2e}")
PY

echo
echo "SUMMARY ($cores cores, $profile build, $runs alternating runs a side; ratio = geopandas median / frontline median)"
cat "$results"
