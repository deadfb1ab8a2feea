#!/usr/bin/env bash
# Load benchmark of the snapshot-at-date endpoint: `frontline serve`
# (release build) over the whole DeepState daily history, hit by wrk on
# loopback with 64 connections for a bounded time, each request a random
# snapshot date at zoom 6 (what the map asks for at country scale).
# Prints wrk's latency distribution, then p99 and errors on one line.
# Target: p99 under 20 ms with zero errors.
#
# Needs: wrk (apt-get install -y wrk), the shared data. Options via env:
# DURATION (default 10s), CONNECTIONS (64), THREADS (2), ZOOM (6).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="${FRONTLINE_SHARED:-$(cd "$root/.." && pwd)/shared}"
data="$shared/data"
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
zoom="${ZOOM:-6}"
command -v wrk >/dev/null || { echo "error: wrk not found: apt-get install -y wrk" >&2; exit 1; }

cargo build --release -p frontline-cli
bin="${CARGO_TARGET_DIR:-$root/target}/release/frontline"

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$bin" --db "$tmp/load.db" --data "$data" ingest "$data/deepstate/daily" | tail -1
"$bin" --db "$tmp/load.db" --data "$data" serve --bind 127.0.0.1:0 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's|^listening on \(http://[^ ]*\)/$|\1|p' "$tmp/server.out")"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "error: the server did not start" >&2; exit 1; }

curl -sf "$url/api/dates" | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' >"$tmp/dates.txt" \
  || { echo "error: cannot list dates" >&2; exit 1; }
echo "$(wc -l <"$tmp/dates.txt") snapshot dates; server at $url"

# A first pass over every date (as a slider scrub would), so the timed run
# measures the steady state; the cold cost is printed too.
start=$(date +%s.%N)
while read -r d; do curl -sf -o /dev/null "$url/api/snapshot/$d?zoom=$zoom"; done <"$tmp/dates.txt"
end=$(date +%s.%N)
echo "cold pass over every date: $(echo "$end - $start" | bc) s"

cat >"$tmp/random.lua" <<LUA
local dates = {}
for line in io.lines("$tmp/dates.txt") do dates[#dates + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/snapshot/" .. dates[math.random(#dates)] .. "?zoom=$zoom")
end
local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
LUA

wrk -t"$threads" -c"$connections" -d"$duration" --timeout 5s --latency -s "$tmp/random.lua" "$url" | tee "$tmp/wrk.txt"
p99="$(awk '$1 == "99%" {print $2}' "$tmp/wrk.txt")"
non2xx="$(awk '/Non-2xx or 3xx responses/ {print $NF}' "$tmp/wrk.txt")"
socket="$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$tmp/wrk.txt")"
echo "RESULT snapshot-at-date, $connections connections, $duration: p99 ${p99:-?}, non-2xx ${non2xx:-0}, socket errors: ${socket:-none}"
