"""The reliability suite's driver (see run.sh). Standard library only."""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

BIN = os.environ["BIN"]
DATA = os.environ["DATA"]
DAILY = os.path.join(DATA, "deepstate", "daily")
RNG = random.Random(18)
TMP = tempfile.mkdtemp(prefix="frontline-reliability-")
FILES = sorted(f for f in os.listdir(DAILY) if f.startswith("deepstatemap_data_2025"))[:40]
CHECK_DATES = ["2025-01-10", "2025-01-25", "2025-02-05"]
wrong_total = 0


def run(db, *args, timeout=300):
    return subprocess.run([BIN, "--db", db, "--data", DATA, *args], capture_output=True, text=True, timeout=timeout)


def folder(name, files):
    d = os.path.join(TMP, name)
    os.makedirs(d, exist_ok=True)
    for f in files:
        os.symlink(os.path.join(DAILY, f), os.path.join(d, f))
    return d


def areas(db):
    """occupied km² per check date, or None where the command failed."""
    out = {}
    for d in CHECK_DATES:
        r = run(db, "area", "--on", d, "--format", "json")
        out[d] = json.loads(r.stdout)[0]["occupied_km2"] if r.returncode == 0 else None
    return out


def all_areas(db):
    """(taken_at, occupied km²) of every stored snapshot, or None if the command failed."""
    r = run(db, "area", "--from", "2014-01-01", "--to", "2100-01-01", "--format", "json")
    return [(row["taken_at"], row["occupied_km2"]) for row in json.loads(r.stdout)] if r.returncode == 0 else None


def report(part, requests, errors, wrong, extra=""):
    global wrong_total
    wrong_total += wrong
    print(f"{part:<16} requests {requests:>5}  errors {errors:>5}  wrong answers {wrong}  {extra}", flush=True)


# The clean store every figure is checked against.
clean = os.path.join(TMP, "clean.db")
r = run(clean, "ingest", folder("all", FILES))
assert r.returncode == 0, r.stderr
truth = areas(clean)
assert all(v is not None for v in truth.values()), truth
truth_all = all_areas(clean)
assert truth_all is not None and len(truth_all) == len(FILES)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def get(url, timeout=60):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except Exception as e:  # connection refused, reset, timeout
        return 0, str(e).encode()


# ---- 1. request flood ------------------------------------------------------
port = free_port()
server = subprocess.Popen([BIN, "--db", clean, "--data", DATA, "serve", "--bind", f"127.0.0.1:{port}"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"
for _ in range(600):
    if get(base + "/api/status", timeout=2)[0] == 200:
        break
    time.sleep(0.1)
pid = get(base + "/api/places?q=Pokrovsk")[1]
place = json.loads(pid)["matches"][0]["id"]
reference_corridor = None
while reference_corridor is None:
    s, body = get(f"{base}/api/places/{place}/corridor?from=2024-12-31")
    if s == 200:
        reference_corridor = json.loads(body)["rows"]
    else:
        time.sleep(1)
reference_snapshot = {}
for d in CHECK_DATES:
    reference_snapshot[d] = get(f"{base}/api/snapshot/{d}?zoom=6")[1]
rss_before = peak_rss_mb(server.pid)
threads_before = len(os.listdir(f"/proc/{server.pid}/task"))

def flood_one(i):
    if i % 2 == 0:
        # Distinct queries, same answer: every one is a new computation.
        day = 1 + (i // 2) % 28
        month = 1 + (i // 56) % 12
        s, body = get(f"{base}/api/places/{place}/corridor?from=2024-{month:02d}-{day:02d}&to=2025-12-31")
        ok = s != 200 or json.loads(body)["rows"] == reference_corridor
    else:
        d = CHECK_DATES[i % len(CHECK_DATES)]
        s, body = get(f"{base}/api/snapshot/{d}?zoom=6")
        ok = s != 200 or body == reference_snapshot[d]
    return s, ok

t0 = time.time()
with ThreadPoolExecutor(max_workers=200) as pool:
    results = list(pool.map(flood_one, range(800)))
flood_s = time.time() - t0
statuses = {}
for s, _ in results:
    statuses[s] = statuses.get(s, 0) + 1
wrong = sum(1 for _, ok in results if not ok)
errors = sum(n for s, n in statuses.items() if s not in (200, 503))
time.sleep(3)
report("request flood", len(results), errors, wrong,
       f"(statuses {dict(sorted(statuses.items()))}; {flood_s:.1f} s; server peak RSS {rss_before:.0f} -> "
       f"{peak_rss_mb(server.pid):.0f} MB, threads {threads_before} -> {len(os.listdir(f'/proc/{server.pid}/task'))})")

# ---- 2. slowloris ----------------------------------------------------------
socks = []
for i in range(600):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        c.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n" if i % 2 == 0 else b"\r\n")
        socks.append(c)
    except OSError:
        pass
served, attempts = 0, 0
closed = 0
t0 = time.time()
while time.time() - t0 < 30:
    attempts += 1
    if get(base + "/api/status", timeout=10)[0] == 200:
        served += 1
    still = []
    for c in socks:
        try:
            c.sendall(b"X-a: b\r\n")
            still.append(c)
        except OSError:
            closed += 1
    socks = still
    time.sleep(1)
for c in socks:
    c.close()
report("slowloris", attempts, attempts - served, 0,
       f"(600 slow connections opened, {closed} closed by the server within 30 s, {len(socks)} still open; "
       f"normal requests served {served}/{attempts}; server peak RSS {peak_rss_mb(server.pid):.0f} MB)")
server.send_signal(signal.SIGTERM)
server.wait(timeout=60)

# ---- 3. bit flips ----------------------------------------------------------
size = os.path.getsize(clean)
# Half the flips land inside a stored geometry (found by its first bytes in
# the file), half anywhere after the file header.
import sqlite3
con = sqlite3.connect(f"file:{clean}?mode=ro", uri=True)
blobs = [row[0] for row in con.execute("SELECT geometry FROM layers")]
con.close()
image = open(clean, "rb").read()
in_blob = []
for b in blobs:
    at = image.find(b[:64])
    if at >= 0:
        in_blob.append((at, min(len(b), 4096 - at % 4096)))  # the part on its first page
detected = harmless = wrong = 0
for trial in range(40):
    db = os.path.join(TMP, f"flip{trial}.db")
    shutil.copy(clean, db)
    with open(db, "r+b") as f:
        if trial % 2 == 0 and in_blob:
            start, length = RNG.choice(in_blob)
            at = start + RNG.randrange(length)
        else:
            at = RNG.randrange(100, size)  # not the 100-byte file header
        f.seek(at)
        b = f.read(1)[0]
        f.seek(at)
        f.write(bytes([b ^ (1 << RNG.randrange(8))]))
    # Every snapshot measured: an error, or exactly the clean figures.
    got = all_areas(db)
    if got is None:
        detected += 1
    elif got != truth_all:
        wrong += 1
    else:
        harmless += 1
    os.remove(db)
report("bit flips", 40, detected, wrong,
       f"(20 inside a stored geometry, 20 anywhere: {detected} refused with an error (checksum or SQLite), "
       f"{harmless} touched nothing measured)")

# ---- 4. kill -9 during ingest ---------------------------------------------
wrong = killed = 0
notes = []
for trial in range(10):
    db = os.path.join(TMP, f"kill{trial}.db")
    p = subprocess.Popen([BIN, "--db", db, "--data", DATA, "ingest", os.path.join(TMP, "all")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(RNG.uniform(0.02, 0.6))
    if p.poll() is None:
        p.kill()
        killed += 1
    p.wait()
    if not os.path.exists(db):
        continue
    v = run(db, "verify")
    if v.returncode != 0 and "an empty database" not in v.stderr:
        # (killed before the schema was committed: an empty file, which
        # read commands call "not a frontline store" and ingest fills)
        wrong += 1
        notes.append(f"verify after kill: {v.stdout.strip()} {v.stderr.strip()}")
        continue
    for d, val in areas(db).items():
        # A date ingested before the kill must give the clean figure; one
        # not yet ingested falls back to an earlier snapshot and says so.
        times = run(db, "snapshots", "--format", "csv").stdout
        if val is not None and d in times and abs(val - truth[d]) > 1e-9:
            wrong += 1
            notes.append(f"{d}: {val} after kill, clean {truth[d]}")
    # Finishing the ingest afterwards gives the clean store's figures.
    r = run(db, "ingest", os.path.join(TMP, "all"))
    if all_areas(db) != truth_all:
        wrong += 1
        notes.append(f"after completing: {r.stdout.strip()} {r.stderr.strip()}")
report("kill -9", 10, 0, wrong, f"({killed} ingests killed mid-way; every store verified and completed)"
       + "".join(f"\n    {n}" for n in notes))

# ---- 5. concurrent writers ------------------------------------------------
db = os.path.join(TMP, "writers.db")
sets = [folder(f"w{k}", FILES[k::4]) for k in range(4)]
procs = [subprocess.Popen([BIN, "--db", db, "--data", DATA, "ingest", s], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) for s in sets]
outs = [p.communicate(timeout=600) for p in procs]
errors = sum(1 for p in procs if p.returncode != 0)
n = len(run(db, "snapshots", "--format", "csv").stdout.strip().splitlines()) - 1
wrong = int(n != len(FILES)) + int(areas(db) != truth) + int(run(db, "verify").returncode != 0)
report("writers", 4, errors, wrong, f"({n}/{len(FILES)} snapshots stored)"
       + "".join(f"\n    {e.strip()}" for _, e in outs if e.strip()))

# ---- 6. read-only file system (needs root for a read-only bind mount) -----
src, mnt = os.path.join(TMP, "ro-src"), os.path.join(TMP, "ro")
os.makedirs(src)
os.makedirs(mnt)
shutil.copy(clean, os.path.join(src, "store.db"))
mounted = subprocess.run(["mount", "--bind", src, mnt], capture_output=True).returncode == 0 and \
    subprocess.run(["mount", "-o", "remount,ro,bind", mnt], capture_output=True).returncode == 0
if mounted:
    db = os.path.join(mnt, "store.db")
    checks = [run(db, "sources"), run(db, "verify"), run(db, "place", "Pokrovsk", "--on", CHECK_DATES[0])]
    got = all_areas(db)
    errors = sum(1 for c in checks if c.returncode != 0) + int(got is None)
    report("read-only fs", len(checks) + 1, errors, int(got is not None and got != truth_all),
           "(sources, verify, place, area on a read-only mount)")
    subprocess.run(["umount", mnt], capture_output=True)
else:
    print("read-only fs     skipped (a read-only bind mount needs root)")

shutil.rmtree(TMP, ignore_errors=True)
print(f"wrong answers in all: {wrong_total}")
sys.exit(1 if wrong_total else 0)
