"""The server benchmark's measurements (run by benches/server/run.sh).

Usage: bench.py FRONTLINE_BIN STORE DATA_DIR RUNS WRK_DURATION CONNECTIONS

STORE is a copy the benchmark may write (the server keeps its area series
there). Prints what it measures and one RESULT line per figure.
"""

import datetime
import http.client
import json
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

BIN, DB, DATA, RUNS, DURATION, CONNECTIONS = sys.argv[1:7]
RUNS = int(RUNS)


def start():
    """Launches `frontline serve`; returns the process, its port and the launch instant."""
    t0 = time.perf_counter()
    p = subprocess.Popen(
        [BIN, "--db", DB, "--data", DATA, "serve", "--bind", "127.0.0.1:0", "--check-store-every", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = p.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        p.kill()
        sys.exit(f"error: the server did not start (printed {line!r})")
    return p, int(m.group(1)), t0


def stop(p):
    p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def get(port, path, headers=None, timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def complete_area(port):
    """Blocks until /api/area answers in full; the number of rows."""
    while True:
        try:
            status, body = get(port, "/api/area")
        except (ConnectionRefusedError, ConnectionResetError):
            time.sleep(0.002)
            continue
        if status == 200:
            rows = json.loads(body)["rows"]
            if rows:
                return len(rows)
        time.sleep(0.005)


def sources(port):
    status, body = get(port, "/api/sources")
    assert status == 200, body
    return [s["source"] for s in json.loads(body)]


def pct(xs, q):
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


# ---- 1. cold start ----
with sqlite3.connect(DB) as c:
    kept = c.execute("DELETE FROM derived WHERE kind LIKE 'area-series:%'").rowcount
print(f"(removed {kept} kept area series from the copy: the first start computes them)")
p, port, t0 = start()
rows = complete_area(port)
first = time.perf_counter() - t0
names = sources(port)
for s in names:  # every source's series, so that the next starts find them all kept
    get(port, f"/api/area?source={s}")
time.sleep(1.0)  # the store is written on a thread of its own
stop(p)
print(f"first start, nothing kept: complete /api/area ({rows} rows) after {first * 1000:.0f} ms")

cold = []
for _ in range(RUNS):
    p, port, t0 = start()
    complete_area(port)
    cold.append(time.perf_counter() - t0)
    stop(p)
cold_ms = [x * 1000 for x in cold]
print(
    f"RESULT cold start to a complete /api/area: median {statistics.median(cold_ms):.0f} ms "
    f"(min {min(cold_ms):.0f}, max {max(cold_ms):.0f}, {RUNS} runs; target < 500 ms)"
)

# ---- 2. throughput ----
p, port, _ = start()
complete_area(port)
for h in (["-H", "Accept-Encoding: br, gzip"], []):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--timeout", "5s", *h, f"http://127.0.0.1:{port}/api/area"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    how = "compressed as a browser asks (br)" if h else "uncompressed"
    print(
        f"RESULT /api/area {how}: {rps:,.0f} requests/s at {CONNECTIONS} connections "
        f"(non-2xx {errors.group(1) if errors else 0}; target >= 5,000)"
    )

# ---- 3. a corridor with its own range against an unrelated request ----
for _ in range(20):  # the gazetteer is built on first use: a 503 says to retry
    status, body = get(port, "/api/places?q=Pokrovsk")
    if status == 200:
        break
    time.sleep(5)
pid = json.loads(body)["resolved"]["id"]
names = sources(port)
src = "deepstate" if "deepstate" in names else names[0]
for s in names:  # every series and the status tables ready: only the corridors compute
    get(port, f"/api/area?source={s}")
probes = ["/api/area", "/api/dates", "/api/area?reference=land"]


def probe(n):
    out = []
    for i in range(n):
        t = time.perf_counter()
        status, _ = get(port, probes[i % len(probes)])
        out.append((time.perf_counter() - t) * 1000)
        assert status == 200
        time.sleep(0.01)
    return out


probe(20)
idle = probe(150)
done = []
running = threading.Event()
running.set()


def corridors(k):
    day = datetime.date(2025, 1, 1) + datetime.timedelta(days=k)
    while running.is_set():
        t = time.perf_counter()
        path = f"/api/places/{pid}/corridor?source={src}&with_gray=true&from={day}&to=2026-08-22"
        status, _ = get(port, path)
        done.append((status, time.perf_counter() - t))
        day += datetime.timedelta(days=2)


workers = [threading.Thread(target=corridors, args=(k,)) for k in (0, 1)]
for w in workers:
    w.start()
time.sleep(0.5)
busy = probe(150)
running.clear()
for w in workers:
    w.join()
stop(p)
ok = [d for s, d in done if s == 200]
print(
    f"corridors of {src} (Pokrovsk, own date ranges, with the gray zone) during the probe: {len(ok)} answered "
    f"(median {statistics.median(ok):.2f} s each), {len(done) - len(ok)} refused"
    if ok
    else f"no corridor answered ({done})"
)
print(
    f"idle: median {statistics.median(idle):.1f} ms, p99 {pct(idle, 0.99):.1f}, max {max(idle):.1f}; "
    f"while corridors run: median {statistics.median(busy):.1f} ms, p99 {pct(busy, 0.99):.1f}, max {max(busy):.1f}"
)
print(
    f"RESULT delay of an unrelated request while corridors run: p99 {pct(busy, 0.99) - statistics.median(idle):.1f} ms, "
    f"worst {max(busy) - statistics.median(idle):.1f} ms over {len(busy)} requests (target <= 50 ms)"
)
