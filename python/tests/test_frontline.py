"""The Python package on the real data (../shared/data), against the CLI and
independent oracles: the pyproj/GeographicLib CSV of every daily file, a
shapely + pyproj clip of the published 2026-01-01 map, DeepState's published
figure, and the capture rule recomputed with shapely from the daily files.

Needs: FRONTLINE_SHARED (else <repo>/../shared), the `frontline` binary
(FRONTLINE_BIN, else <repo>/target/debug/frontline or $CARGO_TARGET_DIR's),
and a store: FRONTLINE_TEST_DB (copied, never written) or, by default, one
built here by ingesting the DeepState daily folder through the package.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import shapely
from pyproj import Geod

import frontline

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("FRONTLINE_SHARED", REPO.parent / "shared"))
DATA = SHARED / "data"
DAILY = DATA / "deepstate" / "daily"
GEOD = Geod(ellps="WGS84")
ARCHIVE_FILES = [
    DATA / "deepstate" / "archive" / f
    for f in (
        "deepstate_20251001T092631Z_ec9db874.geojson.gz",
        "deepstate_20251002T092430Z_59c499a7.geojson.gz",
        "deepstate_20251003T092347Z_5e92ed23.geojson.gz",
    )
]
SOURCE = "deepstate-daily"


def geodesic_km2(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def daily_geometry(date: str):
    path = DAILY / f"deepstatemap_data_{date.replace('-', '')}.geojson"
    features = json.loads(path.read_text())["features"]
    return shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in features])


@pytest.fixture(scope="session")
def cli() -> Path:
    candidates = [os.environ.get("FRONTLINE_BIN")]
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(str(Path(os.environ["CARGO_TARGET_DIR"]) / "debug" / "frontline"))
    candidates.append(str(REPO / "target" / "debug" / "frontline"))
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    pytest.fail("the frontline binary was not found: build it (cargo build -p frontline-cli) or set FRONTLINE_BIN")


@pytest.fixture(scope="session")
def store_path(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("store") / "frontline.db"
    given = os.environ.get("FRONTLINE_TEST_DB")
    if given:
        shutil.copy(given, tmp)
        return tmp
    summary = frontline.Store(tmp, data=DATA).ingest(DAILY)
    # The whole folder goes in with nothing refused (the Rust test
    # whole_folder_ingests_with_nothing_skipped holds the same for the engine).
    assert summary["errors"] == []
    assert summary["files_written"] == {"added": 769}
    # A second source for compare: three days of the full map (gray zone too).
    summary = frontline.Store(tmp, data=DATA).ingest(ARCHIVE_FILES)
    assert summary["errors"] == [] and summary["files_written"] == {"added": 3}
    return tmp


@pytest.fixture(scope="session")
def store(store_path) -> frontline.Store:
    return frontline.Store(store_path, data=DATA)


def run_cli(cli: Path, store_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, FRONTLINE_SHARED=str(SHARED))
    return subprocess.run(
        [str(cli), "--db", str(store_path), *args], capture_output=True, text=True, env=env, check=False
    )


def cli_csv(cli: Path, store_path: Path, *args: str) -> pd.DataFrame:
    r = run_cli(cli, store_path, *args, "-f", "csv")
    assert r.returncode == 0, r.stderr
    return pd.read_csv(io.StringIO(r.stdout))


def test_area_on_2026_01_01_matches_cli_published_figure_and_a_shapely_clip(store, cli, store_path):
    df = store.area(source=SOURCE, on="2026-01-01")
    assert len(df) == 1
    row = df.iloc[0]
    assert row["date"] == pd.Timestamp("2026-01-01")
    km2 = row["occupied_km2"]
    # The CLI prints three decimals.
    c = cli_csv(cli, store_path, "area", "--source", SOURCE, "--on", "2026-01-01")
    assert c["occupied_km2"][0] == pytest.approx(km2, abs=5e-4)
    assert c["occupied_pct"][0] == pytest.approx(row["occupied_pct"], abs=5e-4)
    # DeepState's published figure for 1 January 2026: 116,165 km², 19.25 %.
    assert abs(km2 - 116_165) / 116_165 < 1e-3
    assert row["occupied_pct"] == pytest.approx(19.25, abs=0.01)
    # Independently: shapely clips the day's file to Ukraine with its
    # territorial sea, pyproj measures it on the ellipsoid.
    with gzip.open(DATA / "boundaries" / "adm1_geoboundaries_with_sea.geojson.gz", "rt") as f:
        regions = json.load(f)["features"]
    sea = shapely.union_all([shapely.geometry.shape(r["geometry"]) for r in regions])
    oracle = geodesic_km2(shapely.intersection(shapely.make_valid(daily_geometry("2026-01-01")), sea))
    assert abs(km2 - oracle) / oracle < 1e-6, (km2, oracle)


def test_every_daily_area_matches_the_geographiclib_oracle(store, tmp_path):
    # With a reference larger than the theatre, nothing is clipped: the area
    # is the stored map's, and the oracle CSV holds each file's as drawn for
    # all 769. They differ only by the seams ingest fills (holes under 5 m
    # mean width between layers drawn edge to edge, ARCHITECTURE.md
    # "Deviations"): under 0.001 km² a map from 2025-02-22 on (6e-9
    # relative), otherwise 1e-9.
    box = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [[[20, 40], [45, 40], [45, 55], [20, 55], [20, 40]]]},
            }
        ],
    }
    ref = tmp_path / "box.geojson"
    ref.write_text(json.dumps(box))
    df = store.area(source=SOURCE, from_="2024-07-08", to="2026-08-22", reference=str(ref))
    with open(SHARED / "oracles" / "deepstate_daily_geodesic_area.csv") as f:
        oracle = {r["file"][18:26]: float(r["area_m2_as_drawn"]) / 1e6 for r in csv.DictReader(f)}
    assert len(df) == len(oracle) == 769
    for d, km2 in zip(df["date"], df["occupied_km2"]):
        expected = oracle[d.strftime("%Y%m%d")]
        assert abs(km2 - expected) < 1e-9 * expected + 0.001, (d, km2, expected)
    assert sum(abs(k - oracle[d.strftime("%Y%m%d")]) / k < 1e-9 for d, k in zip(df["date"], df["occupied_km2"])) >= 200


def test_pokrovsk_capture_date_matches_cli_and_the_rule_recomputed(store, cli, store_path):
    caps = store.captures("Pokrovsk", source=SOURCE)
    r = run_cli(cli, store_path, "place", "Pokrovsk", "--source", SOURCE, "-f", "json")
    assert r.returncode == 0, r.stderr
    cli_caps = json.loads(r.stdout)["captures"]
    at50 = [c for c in cli_caps if c["rule"]["theta"] == 0.5]
    ours = caps[caps["threshold_pct"] == 50.0]
    assert [c["date"] for c in at50] == [d.strftime("%Y-%m-%d") for d in ours["date"]]
    assert [c["direction"] for c in at50] == list(ours["change"])
    assert list(ours["name"]) == ["Pokrovsk"] * len(ours)
    captured = ours[ours["change"] == "captured"]["date"].iloc[0].strftime("%Y-%m-%d")
    # The rule recomputed independently: the occupied share of the town's
    # footprint (shapely + pyproj on the daily files) reaches 50 % on that
    # map and the next two, and was below it on the map before.
    places = store.places(source=SOURCE, geometry=True)
    town = places[(places["name"] == "Pokrovsk") & (places["oblast"].str.startswith("Donetsk"))].iloc[0]
    footprint_km2 = geodesic_km2(town.geometry)
    dates = sorted(p.name[18:26] for p in DAILY.glob("*.geojson"))
    i = dates.index(captured.replace("-", ""))

    def share(d: str) -> float:
        d = f"{d[:4]}-{d[4:6]}-{d[6:]}"
        return geodesic_km2(shapely.intersection(shapely.make_valid(daily_geometry(d)), town.geometry)) / footprint_km2

    assert share(dates[i - 1]) < 0.5
    assert all(share(d) >= 0.5 for d in dates[i : i + 3])


def test_corridor_series_matches_cli(store, cli, store_path):
    args = dict(source=SOURCE, from_="2025-10-01", to="2025-11-30", every="week")
    df = store.corridor("Pokrovsk+Myrnohrad", **args)
    c = cli_csv(
        cli,
        store_path,
        "corridor",
        "Pokrovsk+Myrnohrad",
        "--source",
        SOURCE,
        "--from",
        "2025-10-01",
        "--to",
        "2025-11-30",
        "--every",
        "week",
    )
    assert len(df) == len(c) >= 8
    assert list(df["date"].dt.strftime("%Y-%m-%d")) == list(c["date"])
    assert list(df["state"]) == list(c["state"])
    for col, decimals in [("width_km", 2), ("pincer_gap_km", 2), ("length_km", 1)]:
        for ours, theirs in zip(df[col], c[col]):
            assert round(ours, decimals) == pytest.approx(theirs, abs=1e-9), col
    # The corridor narrowed through the autumn (analysts' accounts; the CLI
    # test in crates/frontline/tests/encircle.rs holds its exact figures).
    assert df["width_km"].iloc[-1] < df["width_km"].iloc[0]


def test_front_geometry_is_the_measured_line(store, cli, store_path):
    gdf = store.front(source=SOURCE, on="2026-01-01")
    assert gdf.crs.to_epsg() == 4326
    length_km = gdf["length_km"].iloc[0]
    # The WKB line decoded by shapely, measured by pyproj: the same geodesic
    # segments summed in another order agree to millimetres (4e-9 here).
    assert GEOD.geometry_length(gdf.geometry.iloc[0]) / 1000 == pytest.approx(length_km, rel=1e-8)
    r = run_cli(cli, store_path, "front", "--source", SOURCE, "--on", "2026-01-01", "-f", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["length_km"] == pytest.approx(length_km, rel=1e-12)
    sectors = gdf.attrs["sectors"]
    assert sectors["length_km"].sum() == pytest.approx(length_km, rel=1e-9)


def test_change_polygons_measure_their_rows(store, cli, store_path):
    table = store.change(source=SOURCE, every="month", from_="2025-01-01", to="2025-12-31")
    c = cli_csv(cli, store_path, "change", "--source", SOURCE, "--from", "2025-01-01", "--to", "2025-12-31")
    assert list(table["period"]) == list(c["period"])
    assert list(table["gained_km2"].round(3)) == pytest.approx(list(c["gained_km2"]), abs=1e-9)
    # DeepState's published 2025 gain: 4,336 km² (the CLI test holds this too).
    assert table["net_km2"].sum() == pytest.approx(4336, rel=0.02)
    geo = store.change_geometry(source=SOURCE, every="month", from_="2025-01-01", to="2025-03-31")
    measured = geo.geometry.apply(geodesic_km2)
    assert (abs(measured - geo["area_km2"]) <= 1e-9 * geo["area_km2"] + 1e-9).all()
    assert set(geo["kind"]) <= {"gained", "lost"} and len(geo) >= 3


def test_compare_matches_cli_and_its_polygons(store, cli, store_path):
    df = store.compare(SOURCE, "deepstate-archive", on="2025-10-02")
    c = cli_csv(cli, store_path, "compare", SOURCE, "deepstate-archive", "--on", "2025-10-02")
    assert len(df) == len(c) == 1
    row = df.iloc[0]
    for col in ["a_km2", "b_km2", "a_only_km2", "b_only_km2"]:
        assert round(row[col], 3) == pytest.approx(c[col][0], abs=1e-9), col
    # Each side is the other's both plus its own part.
    assert row["a_km2"] - row["a_only_km2"] == pytest.approx(row["b_km2"] - row["b_only_km2"], abs=1e-6)
    # The polygons, decoded from WKB and measured by pyproj, are the rows' areas.
    geo = store.compare_geometry(SOURCE, "deepstate-archive", on="2025-10-02")
    assert set(geo["counted_by"]) == {f"{SOURCE} only", "deepstate-archive only"}
    for _, g in geo.iterrows():
        expected = row["a_only_km2"] if g["counted_by"] == f"{SOURCE} only" else row["b_only_km2"]
        assert geodesic_km2(g.geometry) == pytest.approx(expected, rel=1e-9)


def test_errors_carry_the_cli_message_and_kind(store, cli, store_path):
    r = run_cli(cli, store_path, "area", "--source", "nope")
    assert r.returncode != 0
    with pytest.raises(frontline.NotFoundError) as e:
        store.area(source="nope")
    assert r.stderr.strip() == f"error: {e.value}"
    assert isinstance(e.value, LookupError) and isinstance(e.value, frontline.FrontlineError)

    with pytest.raises(frontline.InvalidArgumentError) as e:
        store.area(source=SOURCE, on="1 January")
    assert str(e.value) == "'1 January' is not a date: use YYYY-MM-DD, e.g. 2025-06-01"
    assert isinstance(e.value, ValueError)

    r = run_cli(cli, store_path, "area", "--source", SOURCE, "--on", "2014-01-01")
    with pytest.raises(frontline.NotFoundError) as e:
        store.area(source=SOURCE, on="2014-01-01")
    assert r.stderr.strip() == f"error: {e.value}"

    r = run_cli(cli, store_path, "place", "Qwertyzhky", "--source", SOURCE)
    with pytest.raises(frontline.NotFoundError) as e:
        store.captures("Qwertyzhky", source=SOURCE)
    assert r.stderr.strip() == f"error: {e.value}"
    assert "no settlement called 'Qwertyzhky'" in str(e.value)
    with pytest.raises(frontline.InvalidArgumentError, match="--every fortnight"):
        store.change(source=SOURCE, every="fortnight")


def test_a_bad_file_names_file_and_feature(tmp_path):
    bad = tmp_path / "deepstatemap_data_20250101.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": 7}]}')
    s = frontline.Store(tmp_path / "new.db", data=DATA)
    summary = s.ingest(bad)
    assert summary["files_written"] == {}
    assert len(summary["errors"]) == 1 and str(bad) in summary["errors"][0]
    with pytest.raises(frontline.FileReadError) as e:
        s.ingest(tmp_path / "missing.geojson")
    assert isinstance(e.value, OSError) and "missing.geojson" in str(e.value)
