#!/usr/bin/env bash
# The reliability suite: what a hostile or unlucky world does to frontline,
# on loopback only and bounded in time (about 3 minutes on 2 cores).
#
#   1. request flood   400 concurrent corridor requests (distinct queries)
#                      plus 400 snapshot requests against `frontline serve`
#   2. slowloris       600 connections sending a header one line at a time,
#                      then blank lines; a normal client must still be served
#   3. bit flips       40 copies of a store, one random bit flipped in each;
#                      every `area` either fails or gives the right figure
#   4. kill -9         10 ingests killed at random moments; every store left
#                      behind verifies and gives the right figures
#   5. writers         4 ingests into one store at once; all finish, all stored
#
# Prints per part: requests, errors, peak RSS of the server, and wrong
# answers (a figure with exit 0 that differs from the clean store's): the
# last must be 0. Exit status is non-zero if any wrong answer was seen.
#
# Needs: python3, the shared data. Builds the debug binary (what the tests
# use); BIN=path overrides it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
shared="${FRONTLINE_SHARED:-$(cd "$root/.." && pwd)/shared}"
data="$shared/data"
[ -d "$data/deepstate/daily" ] || { echo "error: no shared data at $data (set FRONTLINE_SHARED)" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  cargo build -q -p frontline-cli
  BIN="${CARGO_TARGET_DIR:-$root/target}/debug/frontline"
fi
export BIN DATA="$data"
exec python3 "$root/benches/reliability/suite.py"
