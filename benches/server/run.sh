#!/usr/bin/env bash
# Server benchmark (issue 19's server targets), on loopback, release build:
#   1. cold start: process launch to a complete `/api/area` answer, with the
#      area series kept in the store by a previous start (and once without);
#   2. `/api/area` throughput at 64 connections (wrk, as a browser asks:
#      Accept-Encoding br, gzip; and without compression);
#   3. interference: the latency of `/api/area` and `/api/dates` while
#      corridor requests, each with its own date range (nothing cached),
#      keep both cores busy, against the same requests on an idle server.
# Prints one RESULT line per figure. Targets: cold start < 500 ms,
# >= 5,000 requests/s, a corridor delays another request by <= 50 ms.
#
# Usage: benches/server/run.sh            (ingests the daily history first)
#        DB=/path/to/store.db benches/server/run.sh   (a copy is used; the
#        original is never written)
# Options via env: DURATION (wrk, default 10s), CONNECTIONS (64), RUNS (5),
# BIN (a frontline binary to use instead of building the release one).
# Needs: wrk (apt-get install -y wrk), python3, the shared data.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
shared="${FRONTLINE_SHARED:-$(cd "$root/.." && pwd)/shared}"
data="$shared/data"
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-64}"
runs="${RUNS:-5}"
command -v wrk >/dev/null || { echo "error: wrk not found: apt-get install -y wrk" >&2; exit 1; }
[ -d "$data/boundaries" ] || { echo "error: no shared data at $data (set FRONTLINE_SHARED)" >&2; exit 1; }

[ -n "${BIN:-}" ] || cargo build --release -p frontline-cli
bin="${BIN:-${CARGO_TARGET_DIR:-$root/target}/release/frontline}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ -n "${DB:-}" ]; then
  cp "$DB" "$tmp/bench.db"
else
  "$bin" --db "$tmp/bench.db" --data "$data" ingest "$data/deepstate/daily" | tail -1
fi

python3 "$root/benches/server/bench.py" "$bin" "$tmp/bench.db" "$data" "$runs" "$duration" "$connections"
