#!/usr/bin/env bash
# Whole-process benchmark of the Python package: the 769-day area series
# (area, share, gained and lost per snapshot) by `frontline` from Python
# against the geopandas pipeline an analyst runs today
# (../shared/bench/area_series_geopandas.py), each a fresh `python3` process,
# alternating, RUNS times each; medians, min-max and their ratio, in one run.
#
#   bash benches/python/run.sh                 # builds a release wheel into a venv under target/
#   RUNS=5 bash benches/python/run.sh
#   FRONTLINE_BENCH_DB=built.db bash benches/python/run.sh
#
# frontline runs on one thread (RAYON_NUM_THREADS=1) and on every core; the
# geopandas pipeline has no parallel mode, so it is one thread both times.
# Two frontline variants: from a built store (what a notebook does), and
# from the files (a fresh store ingested in the same process). check: both
# pipelines' CSVs agree row by row (area to 0.1 km², the printed precision,
# except where ingest fills seams; gained/lost to 0.05 km²).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${FRONTLINE_SHARED:-$(cd "$root/.." && pwd)/shared}"
data="$shared/data"
runs="${RUNS:-3}"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/py-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q maturin==1.16.0 pandas geopandas==1.2.0 shapely==2.2.0 pyproj==3.7.2
if [ -z "${SKIP_BUILD:-}" ]; then
  rm -rf "$target/wheels-bench"
  (cd "$root/python" && CARGO_TARGET_DIR="$target/python" "$venv/bin/maturin" build --release -i "$venv/bin/python" -o "$target/wheels-bench")
  "$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$target"/wheels-bench/frontline-*.whl
fi
py="$venv/bin/python"
export FRONTLINE_SHARED="$shared"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/box.geojson" <<'JSON'
{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
 "geometry":{"type":"Polygon","coordinates":[[[20,40],[45,40],[45,55],[20,55],[20,40]]]}}]}
JSON
if [ -n "${FRONTLINE_BENCH_DB:-}" ]; then
  cp "$FRONTLINE_BENCH_DB" "$tmp/built.db"
else
  "$py" -c "import frontline, sys; frontline.Store(sys.argv[1]).ingest(sys.argv[2])" "$tmp/built.db" "$data/deepstate/daily"
fi
land_km2="$("$py" -c "
import geopandas as gpd, shapely, pyproj, sys
g = shapely.union_all(gpd.read_file(sys.argv[1]).geometry.values)
print(abs(pyproj.Geod(ellps='WGS84').geometry_area_perimeter(g)[0]) / 1e6)" "$data/boundaries/ukraine_land_osm.geojson")"

timed() { # seconds of one run of "$@", stdout to $out
  local t0 t1; t0=$(date +%s.%N); "$@" > "$out"; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
stats() { # median min max of the numbers on stdin
  sort -g | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f %.2f %.2f\n", m, a[1], a[NR]}'
}

baseline() { "$py" "$shared/bench/area_series_geopandas.py" "$data/deepstate/daily" "$data/boundaries/ukraine_land_osm.geojson"; }
from_store() { RAYON_NUM_THREADS=$1 "$py" "$root/benches/python/area_series.py" "$tmp/built.db" "$tmp/box.geojson" "$land_km2"; }
from_files() {
  rm -f "$tmp/fresh.db"*
  RAYON_NUM_THREADS=$1 "$py" "$root/benches/python/area_series.py" "$tmp/fresh.db" "$tmp/box.geojson" "$land_km2" "$data/deepstate/daily"
}

printf "%-34s %8s %17s %8s %17s %7s\n" variant frontline "(min-max)" geopandas "(min-max)" ratio
for threads in 1 "$(nproc)"; do
  : > "$tmp/t_store"; : > "$tmp/t_files"; : > "$tmp/t_base"
  for _ in $(seq "$runs"); do
    out="$tmp/base.csv"; timed baseline >> "$tmp/t_base"
    out="$tmp/store.csv"; timed from_store "$threads" >> "$tmp/t_store"
    out="$tmp/files.csv"; timed from_files "$threads" >> "$tmp/t_files"
  done
  read -r bm bmin bmax < <(stats < "$tmp/t_base")
  for v in store files; do
    read -r fm fmin fmax < <(stats < "$tmp/t_$v")
    printf "%-34s %7.2fs %17s %7.2fs %17s %6.1fx\n" "from the $v, $threads thread(s)" "$fm" "($fmin-$fmax)" "$bm" "($bmin-$bmax)" \
      "$(echo "$bm / $fm" | bc -l)"
  done
done
"$py" - "$tmp/base.csv" "$tmp/store.csv" "$tmp/files.csv" <<'PY'
import sys
import pandas as pd
base = pd.read_csv(sys.argv[1])
for path in sys.argv[2:]:
    ours = pd.read_csv(path)
    assert list(ours["date"]) == list(base["date"]), "different dates"
    da = (ours["area_km2"] - base["area_km2"]).abs()
    dg = (ours["gained_km2"] - base["gained_km2"]).abs().max()
    dl = (ours["lost_km2"] - base["lost_km2"]).abs().max()
    print(f"check {path.rsplit('/', 1)[-1]}: {len(ours)} rows; area differs by more than 0.1 km² on {(da > 0.1 + 1e-9).sum()} "
          f"(max {da.max():.2f} km²); gained max diff {dg:.2f} km², lost {dl:.2f} km²")
PY
