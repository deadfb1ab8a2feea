#!/usr/bin/env bash
# Whole-process benchmark: the commands people run, each timed as a fresh
# process (start-up, store, reference territory and output included) against
# a Python script doing the same job over every file (no sampling, no
# extrapolation), on the same number of threads.
#
#   bash benches/cli/run.sh
#   RUNS=5 JOBS="area change" bash benches/cli/run.sh
#   FRONTLINE_BENCH_DB=built.db bash benches/cli/run.sh   # a store with deepstate daily, raw and archive
#
# Each job with a baseline runs twice: on one thread (RAYON_NUM_THREADS=1
# against --jobs 1) and on every core (nproc threads against --jobs nproc
# worker processes). Within each, frontline and the baseline alternate, RUNS
# times each. Printed per job: median and min-max wall time of both sides,
# the ratio of the medians, and check.py's verdict on whether both gave the
# same numbers. The machine's load moves absolute times; only the ratios of
# one run mean anything.
#
# Needs: python3 with geopandas 1.2.0, shapely 2.2.0, pyproj 3.7.2 (and
# scipy for the corridor baseline), bc, the shared data. Jobs: ingest area
# change compare corridor place placept captured watch advance. `place`,
# `placept` (`place LON,LAT`), `captured`, `watch` and `advance` have no
# Python baseline here: their wall time is printed alone (the target for
# place, captured and watch is under 150 ms).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/benches/cli"
shared="${FRONTLINE_SHARED:-$(cd "$root/.." && pwd)/shared}"
data="$shared/data"
runs="${RUNS:-3}"
jobs="${JOBS:-ingest area change compare corridor place placept captured watch advance}"
cores="$(nproc)"
command -v bc >/dev/null || { echo "error: bc not found: apt-get install -y bc" >&2; exit 1; }
python3 -c "import geopandas, shapely, pyproj" 2>/dev/null || {
  echo "error: the baseline needs: python3 -m pip install geopandas==1.2.0 shapely==2.2.0 pyproj==3.7.2" >&2
  exit 1
}

(cd "$root" && cargo build --release -p frontline-cli)
bin="${CARGO_TARGET_DIR:-$root/target}/release/frontline"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# A built store, copied so the benchmark never writes to the original.
if [ -n "${FRONTLINE_BENCH_DB:-}" ]; then
  cp "$FRONTLINE_BENCH_DB" "$tmp/store.db"
else
  echo "building a store (deepstate daily, raw, archive)..."
  "$bin" --db "$tmp/store.db" --data "$data" ingest "$data/deepstate/daily" "$data/deepstate/raw" \
    "$data/deepstate/archive" >/dev/null
fi
fl() { "$bin" --db "$tmp/store.db" --data "$data" "$@"; }
# The first settlement query stores the gazetteer and the status table (a
# built store keeps them): done once here, untimed.
fl place Pokrovsk >/dev/null

# wall seconds of one run of "$@", its stdout into $out
timed() {
  local out="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  if ! "$@" >"$out" 2>"$out.err"; then
    echo "error: failed: $*" >&2; tail -3 "$out.err" >&2; exit 1
  fi
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}

summary() { # name threads frontline-times baseline-times
  python3 - "$@" <<'PY'
import statistics, sys
name, threads, a, b = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
a, b = [float(x) for x in a], [float(x) for x in b]
ma, mb = statistics.median(a), statistics.median(b)
print(f"{name:<9} {threads:>2} thread(s): frontline {ma:8.3f} s ({min(a):.3f}-{max(a):.3f}), "
      f"baseline {mb:8.3f} s ({min(b):.3f}-{max(b):.3f}), RATIO {mb / ma:6.1f}x  [{len(a)} runs each]")
PY
}

alone() { # name times
  python3 - "$@" <<'PY'
import statistics, sys
name, t = sys.argv[1], [float(x) for x in sys.argv[2].split()]
print(f"{name:<9}  frontline {1000 * statistics.median(t):8.1f} ms ({1000 * min(t):.1f}-{1000 * max(t):.1f}), "
      f"no baseline  [{len(t)} runs]")
PY
}

results="$tmp/results.txt"
: >"$results"

# job name, frontline command (a shell function taking the thread count),
# baseline command (same), check
fl_ingest() { rm -f "$tmp"/ingest.db*; RAYON_NUM_THREADS=$1 "$bin" --db "$tmp/ingest.db" --data "$data" ingest "$data/deepstate/daily"; }
bl_ingest() { rm -f "$tmp/base.sqlite"; python3 "$here/baseline.py" ingest "$data" "$tmp/base.sqlite" --jobs "$1"; }
fl_area() { RAYON_NUM_THREADS=$1 fl area --source deepstate-daily --from 2024-07-01 --to 2026-12-31 --format csv; }
bl_area() { python3 "$here/baseline.py" area "$data" --jobs "$1"; }
fl_change() { RAYON_NUM_THREADS=$1 fl change --source deepstate-daily --every snapshot --format csv; }
bl_change() { python3 "$here/baseline.py" change "$data" --jobs "$1"; }
fl_compare() { RAYON_NUM_THREADS=$1 fl compare deepstate-daily deepstate-raw --from 2024-07-08 --to 2025-08-03 --format csv; }
bl_compare() { python3 "$root/crates/frontline/benches/compare_baseline.py" "$data"; }
fl_corridor() { RAYON_NUM_THREADS=$1 fl corridor Pokrovsk --source deepstate-daily --from 2024-07-01 --to 2026-12-31 --format csv; }
bl_corridor() { python3 "$root/benches/corridor_baseline.py" --data "$data"; }

check() {
  local job="$1"
  case "$job" in
    ingest) "$bin" --db "$tmp/ingest.db" snapshots --source deepstate-daily --format csv >"$tmp/ingest.csv"
            python3 "$here/check.py" ingest "$tmp/ingest.csv" "$tmp/base.sqlite" ;;
    *) python3 "$here/check.py" "$job" "$tmp/$job.fl" "$tmp/$job.bl" ;;
  esac
}

for job in $jobs; do
  case "$job" in
    ingest|area|change|compare|corridor)
      for threads in 1 "$cores"; do
        # The compare and corridor baselines are single-process scripts: timed on one thread only.
        if [ "$threads" != 1 ] && { [ "$job" = compare ] || [ "$job" = corridor ]; }; then continue; fi
        a=""; b=""
        for _ in $(seq 1 "$runs"); do
          a="$a $(timed "$tmp/$job.fl" "fl_$job" "$threads")"
          b="$b $(timed "$tmp/$job.bl" "bl_$job" "$threads")"
        done
        line="$(summary "$job" "$threads" "$a" "$b")"
        echo "$line" | tee -a "$results"
      done
      check "$job" | tee -a "$results" || true
      ;;
    place|placept|captured|watch|advance)
      t=""
      for _ in $(seq 1 "$runs"); do
        case "$job" in
          place) t="$t $(timed "$tmp/p.out" fl place Pokrovsk)" ;;
          placept) t="$t $(timed "$tmp/p.out" fl place 37.84,48.59)" ;;
          captured) t="$t $(timed "$tmp/p.out" fl captured --from 2024-10-01 --to 2024-11-30)" ;;
          watch) t="$t $(timed "$tmp/p.out" fl watch Sloviansk Kramatorsk Druzhkivka Kostiantynivka)" ;;
          advance) t="$t $(timed "$tmp/p.out" fl advance --source deepstate-daily --every month --from 2024-08-01 --to 2026-08-01)" ;;
        esac
      done
      alone "$job" "$t" | tee -a "$results"
      ;;
    *) echo "error: unknown job $job" >&2; exit 1 ;;
  esac
done

echo
echo "SUMMARY ($cores cores, $runs alternating runs a side; ratio = baseline median / frontline median)"
cat "$results"
