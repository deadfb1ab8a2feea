#!/usr/bin/env bash
# A running server picks up a map synced after it started, under load.
#
# `frontline serve --check-store-every 2s` over the last DAYS-1 DeepState
# daily files; a local "publisher" (python3 -m http.server on loopback,
# laid out as the daily GitHub export: a git tree listing and the files)
# has DAYS files. While wrk hits the snapshot and dates endpoints with 32
# connections, `frontline sync deepstate --feeds daily` stores the missing
# day; the script polls /api/dates until the server lists it. Prints how
# long after the sync ended the server showed it (the stated delay is the
# check interval plus one reload), and wrk's requests, latency and errors.
# Nothing leaves loopback.
#
# Needs: wrk (apt-get install -y wrk), python3, curl, the shared data.
# Env: DAYS (30), DURATION (30s), CONNECTIONS (32), THREADS (2),
# PROFILE (release; "debug" reuses the test build).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="${FRONTLINE_SHARED:-$(cd "$root/.." && pwd)/shared}"
data="$shared/data"
days="${DAYS:-30}"
duration="${DURATION:-30s}"
connections="${CONNECTIONS:-32}"
threads="${THREADS:-2}"
profile="${PROFILE:-release}"
check_every=2
command -v wrk >/dev/null || { echo "error: wrk not found: apt-get install -y wrk" >&2; exit 1; }

if [ "$profile" = release ]; then
  cargo build --release -p frontline-cli
  bin="${CARGO_TARGET_DIR:-$root/target}/release/frontline"
else
  cargo build -p frontline-cli
  bin="${CARGO_TARGET_DIR:-$root/target}/debug/frontline"
fi

tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# The publisher's folder: the last $days daily files and their listing.
mkdir -p "$tmp/pub/data" "$tmp/disk"
ls "$data/deepstate/daily" | grep -E '^deepstatemap_data_[0-9]{8}\.geojson$' | sort | tail -n "$days" >"$tmp/names.txt"
while read -r n; do cp "$data/deepstate/daily/$n" "$tmp/pub/data/"; done <"$tmp/names.txt"
head -n $((days - 1)) "$tmp/names.txt" | while read -r n; do ln -s "$tmp/pub/data/$n" "$tmp/disk/$n"; done
last="$(tail -n 1 "$tmp/names.txt" | sed -E 's/deepstatemap_data_([0-9]{4})([0-9]{2})([0-9]{2}).*/\1-\2-\3/')"
python3 - "$tmp/names.txt" >"$tmp/pub/tree.json" <<'PY'
import json, sys
names = [l.strip() for l in open(sys.argv[1]) if l.strip()]
print(json.dumps({"tree": [{"path": "data/" + n, "type": "blob"} for n in names], "truncated": False}))
PY
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$tmp/pub" && exec python3 -m http.server --bind 127.0.0.1 "$port") >/dev/null 2>&1 &
pids+=($!)

"$bin" --db "$tmp/live.db" --data "$data" ingest "$tmp/disk" | head -1
"$bin" --db "$tmp/live.db" --data "$data" serve --bind 127.0.0.1:0 --check-store-every "${check_every}s" \
  >"$tmp/server.out" 2>"$tmp/server.err" &
pids+=($!)
url=""
for _ in $(seq 1 600); do
  url="$(sed -n 's|^listening on \(http://[^ ]*\)/$|\1|p' "$tmp/server.out")"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$tmp/server.err" >&2; echo "error: the server did not start" >&2; exit 1; }
curl -sf "$url/api/dates?source=deepstate-daily" | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' >"$tmp/dates.txt"
if grep -q "$last" "$tmp/dates.txt"; then echo "error: $last already served" >&2; exit 1; fi
echo "server at $url with $(wc -l <"$tmp/dates.txt") dates; the publisher adds $last"

cat >"$tmp/mix.lua" <<LUA
local dates = {}
for line in io.lines("$tmp/dates.txt") do dates[#dates + 1] = line end
math.randomseed(os.time())
local n = 0
request = function()
  n = n + 1
  if n % 4 == 0 then return wrk.format("GET", "/api/dates?source=deepstate-daily") end
  return wrk.format("GET", "/api/snapshot/" .. dates[math.random(#dates)] .. "?source=deepstate-daily&zoom=6")
end
LUA
wrk -t "$threads" -c "$connections" -d "$duration" --latency -s "$tmp/mix.lua" "$url" >"$tmp/wrk.out" 2>&1 &
wrk_pid=$!
pids+=($wrk_pid)
sleep 5
t0=$(date +%s.%N)
"$bin" --db "$tmp/live.db" --data "$data" sync deepstate --feeds daily --delay 0s \
  --daily-index-url "http://127.0.0.1:$port/tree.json" --daily-file-url "http://127.0.0.1:$port/{path}" | head -1
t1=$(date +%s.%N)
shown=""
for _ in $(seq 1 1200); do
  if curl -sf "$url/api/dates?source=deepstate-daily" | grep -q "$last"; then shown=$(date +%s.%N); break; fi
  sleep 0.1
done
wait "$wrk_pid" || true
cat "$tmp/wrk.out"
grep -E '^frontline: store changed' "$tmp/server.err" || true
[ -n "$shown" ] || { echo "error: the server never showed $last" >&2; exit 1; }
requests="$(awk '/requests in/ {print $1}' "$tmp/wrk.out")"
non2xx="$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk.out")"
socket="$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$tmp/wrk.out")"
printf 'sync took %.1f s; the server showed %s %.1f s after the sync ended (check interval %s s); wrk: %s requests, non-2xx: %s, socket errors: %s\n' \
  "$(echo "$t1 - $t0" | bc)" "$last" "$(echo "$shown - $t1" | bc)" "$check_every" "$requests" "${non2xx:-0}" "${socket:-none}"
[ -z "$non2xx" ] && [ -z "$socket" ]
