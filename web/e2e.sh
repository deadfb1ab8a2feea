#!/usr/bin/env bash
# End-to-end test of the web map, for .ci/run: builds the web assets and the
# binary, ingests a small set of DeepState daily files into a temporary
# store, starts `frontline serve` on a free loopback port, drives headless
# Chromium through the map (tests/e2e.mjs), saves docs/screenshot-desktop.png
# and docs/screenshot-phone.png, prints the measured speed figures and
# stops the server. ISW's control files are ingested too (a second source
# for the comparison and the audit flag; the two misdated 2202 files are
# left out, as ingest would refuse them).
#
# Needs: npm, /usr/bin/chromium (apt-get install -y chromium), the shared
# data (FRONTLINE_SHARED, else ../shared beside the repository).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="${FRONTLINE_SHARED:-$(cd "$root/.." && pwd)/shared}"
data="$shared/data"
[ -d "$data/deepstate/daily" ] || { echo "error: no shared data at $data (set FRONTLINE_SHARED)" >&2; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "error: no Chromium at ${CHROMIUM:-/usr/bin/chromium}: apt-get install -y chromium" >&2; exit 1; }

echo "== web: npm ci && npm run build"
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build)

echo "== cargo build (embeds web/dist)"
cargo build -p frontline-cli
bin="${CARGO_TARGET_DIR:-$root/target}/debug/frontline"

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== ingest: the 1st and 15th of every month"
mkdir "$tmp/daily"
for f in "$data"/deepstate/daily/deepstatemap_data_??????01.geojson "$data"/deepstate/daily/deepstatemap_data_??????15.geojson \
         "$data"/deepstate/daily/deepstatemap_data_20260822.geojson; do
  [ -e "$f" ] && ln -s "$f" "$tmp/daily/"
done
"$bin" --db "$tmp/e2e.db" --data "$data" ingest "$tmp/daily" | tail -1
if [ -d "$data/isw/control" ]; then
  echo "== ingest: ISW control (a second source)"
  mkdir "$tmp/isw"
  for f in "$data"/isw/control/20[12]?-*.geojson; do [ -e "$f" ] && ln -s "$f" "$tmp/isw/"; done
  "$bin" --db "$tmp/e2e.db" --data "$data" ingest "$tmp/isw" | tail -1
fi

echo "== keep the gazetteer and status tables in the store (as an operator would after ingest)"
"$bin" --db "$tmp/e2e.db" --data "$data" place Pokrovsk >/dev/null
if [ -d "$tmp/isw" ]; then "$bin" --db "$tmp/e2e.db" --data "$data" place Pokrovsk --source isw >/dev/null; fi

echo "== serve on a free loopback port"
"$bin" --db "$tmp/e2e.db" --data "$data" serve --bind 127.0.0.1:0 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's|^listening on \(http://[^ ]*\)/$|\1|p' "$tmp/server.out")"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "error: the server did not start" >&2; cat "$tmp/server.err" >&2; exit 1; }
echo "server at $url"

echo "== browser test"
mkdir -p docs
(cd web && node tests/e2e.mjs "$url" "$root/docs")
