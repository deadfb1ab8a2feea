//! The `frontline` binary end to end on the real data: what a user types,
//! what they see, and what happens to the store on bad input.

mod common;

use chrono::NaiveDate;
use common::{daily, frontline, shared_data, stdout, tmpdir};
use std::process::Command;

#[test]
fn ingest_measure_and_reingest() {
    let dir = tmpdir("main");
    let db = dir.join("t.db");
    for d in ["20241231", "20250601", "20260101"] {
        std::fs::copy(daily(d), dir.join(format!("deepstatemap_data_{d}.geojson"))).expect("copy");
    }
    let o = frontline(&db, &["ingest", dir.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("3 file(s) written"), "{}", stdout(&o));
    // Same content again: a no-op.
    let o = frontline(&db, &["ingest", dir.to_str().expect("utf8")]);
    assert!(stdout(&o).contains("0 file(s) written") && stdout(&o).contains("3 already stored"), "{}", stdout(&o));

    // DeepState published 116,165 km² for 2026-01-01.
    let o = frontline(&db, &["area", "--on", "2026-01-01", "--format", "json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let km2 = v[0]["occupied_km2"].as_f64().expect("number");
    assert!((km2 - 116_165.0).abs() / 116_165.0 < 0.001, "{km2}");
    assert_eq!(v[0]["reference"], "ukraine-with-sea");

    // A date between snapshots uses the last one before it, and says so.
    let o = frontline(&db, &["area", "--on", "2025-12-25"]);
    assert!(stdout(&o).contains("using the last one before it, 2025-06-01"), "{}", stdout(&o));

    // 2025 as one year: DeepState published a 4,336 km² gain.
    let o =
        frontline(&db, &["change", "--every", "year", "--from", "2025-01-01", "--to", "2026-01-01", "--format", "csv"]);
    let out = stdout(&o);
    let line = out.lines().find(|l| l.starts_with("2025,")).unwrap_or_else(|| panic!("{out}"));
    let net: f64 = line.split(',').nth(7).expect("net column").parse().expect("number");
    assert!((net - 4_336.0).abs() / 4_336.0 < 0.01, "{line}");
    assert!(line.contains("2024-12-31,2026-01-01"), "the dates actually used: {line}");

    // Oblast breakdown names Donetsk.
    let o = frontline(&db, &["area", "--on", "2026-01-01", "--by", "oblast", "--format", "csv"]);
    let out = stdout(&o);
    let donetsk = out.lines().find(|l| l.contains("UA-14")).unwrap_or_else(|| panic!("{out}"));
    let pct: f64 = donetsk.split(',').nth(5).expect("pct").parse().expect("number");
    assert!((pct - 78.1).abs() < 1.0, "{donetsk}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_fails_cleanly_and_leaves_store_unchanged() {
    let dir = tmpdir("bad");
    let db = dir.join("t.db");
    let good = daily("20250601");
    let o = frontline(&db, &["ingest", good.to_str().expect("utf8")]);
    assert!(o.status.success());
    let before = frontline(&db, &["snapshots", "--format", "csv"]).stdout;

    let bytes = std::fs::read(daily("20250602")).expect("read");
    let truncated = dir.join("deepstatemap_data_20250602.geojson");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).expect("write");
    let nan = dir.join("deepstatemap_data_20250603.geojson");
    let text = String::from_utf8(std::fs::read(daily("20250603")).expect("read"))
        .expect("utf8")
        .replacen("35.", "NaN, 35.", 1);
    std::fs::write(&nan, text).expect("write");

    for (file, what) in [(&truncated, "truncated"), (&nan, "NaN")] {
        let o = frontline(&db, &["ingest", file.to_str().expect("utf8")]);
        assert!(!o.status.success(), "{what}: must exit non-zero");
        let err = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "one line: {err}");
        assert!(lines[0].contains(file.file_name().and_then(|n| n.to_str()).expect("name")), "{err}");
        assert!(lines[0].contains("feature #0") && lines[0].contains(what), "{err}");
    }
    let after = frontline(&db, &["snapshots", "--format", "csv"]).stdout;
    assert_eq!(before, after, "the store must be unchanged");

    // Unknown dates and sources are clear errors, not panics.
    let o = frontline(&db, &["area", "--on", "2020-01-01"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no deepstate-daily snapshot on or before 2020-01-01"));
    let o = frontline(&db, &["area", "--on", "2025-13-01"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("YYYY-MM-DD"));
    let o = frontline(&db, &["area", "--source", "nope"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no source 'nope'"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn isw_folder_ingests_except_misdated_files() {
    let dir = tmpdir("isw");
    let db = dir.join("t.db");
    let control = shared_data().join("isw/control");
    let o = frontline(&db, &["ingest", control.to_str().expect("utf8")]);
    assert!(!o.status.success(), "two misdated files must make the run fail");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().filter(|l| l.contains("2202-02-0")).count(), 2, "{err}");
    assert!(stdout(&o).contains("37 file(s) written"), "{}", stdout(&o));
    let o = frontline(&db, &["snapshots", "--source", "isw", "--format", "csv"]);
    assert_eq!(stdout(&o).lines().count(), 1 + 37);
    // ISW's redrawn layer of 2026-01-25 (net −4,776 km² by the files' own
    // area_km2 properties) flags January 2026 in `change --by` too, on every
    // region's row of that month and no other.
    let o = frontline(
        &db,
        &[
            "change",
            "--every",
            "month",
            "--from",
            "2025-12-01",
            "--to",
            "2026-02-28",
            "--by",
            "oblast",
            "--format",
            "csv",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let (period, flag) =
        (header.iter().position(|h| *h == "period").unwrap(), header.iter().position(|h| *h == "flag").unwrap());
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().any(|r| r[period] == "2026-01"));
    for r in &rows {
        assert_eq!(r[flag].contains("implausible jump 2026-01-25"), r[period] == "2026-01", "{r:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn any_geojson_with_a_mapping() {
    // ISW's simplified control file read as "any GeoJSON": the areas its
    // features publish (`area_km2`) sum to 112,621.19 km².
    let dir = tmpdir("mapped");
    let db = dir.join("t.db");
    let file = shared_data().join("isw/control/2025-08-11.geojson");
    let o = frontline(
        &db,
        &[
            "ingest",
            file.to_str().expect("utf8"),
            "--map",
            "layer_type=ukraine_control_map:occupied",
            "--source",
            "my-map",
            "--date-property",
            "date",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = frontline(&db, &["area", "--source", "my-map", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v[0]["date"], "2025-08-11");
    let km2 = v[0]["occupied_km2"].as_f64().expect("number");
    assert!((km2 - 112_621.19).abs() / 112_621.19 < 0.001, "{km2}");
    // A file whose format cannot be told from its name asks for --as or --map.
    let unknown = dir.join("control-map.geojson");
    std::fs::copy(&file, &unknown).expect("copy");
    let o = frontline(&db, &["ingest", unknown.to_str().expect("utf8")]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--map"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn front_and_advance_on_the_daily_source() {
    let dir = tmpdir("front");
    let db = dir.join("t.db");
    for d in ["20251201", "20260101"] {
        let o = frontline(&db, &["ingest", daily(d).to_str().expect("utf8")]);
        assert!(o.status.success());
    }
    // GEOS computes 1,221.76 km for the 2026-01-01 front with a 3 km coast
    // band (crates/frontline/benches/oracles/front_coast_band.py).
    let o = frontline(&db, &["front", "--on", "2026-01-01", "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let km = v["length_km"].as_f64().expect("length");
    assert!((km - 1_221.76).abs() < 0.005 * 1_221.76, "{km}");
    let sectors: f64 =
        v["sectors"].as_array().expect("sectors").iter().map(|s| s["length_km"].as_f64().unwrap_or(0.0)).sum();
    assert!((sectors - km).abs() < 0.01 * km, "sector lengths {sectors} vs {km}");

    // December 2025: sector shares of the gain sum to 100 %, and the gain
    // equals `change` for the same two snapshots.
    let o = frontline(&db, &["advance", "--from", "2025-12-01", "--to", "2026-01-01", "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let rows = rows.as_array().expect("rows");
    let share: f64 = rows.iter().map(|r| r["gained_share_pct"].as_f64().unwrap_or(0.0)).sum();
    assert!((share - 100.0).abs() < 1e-6, "{share}");
    let gained: f64 = rows.iter().map(|r| r["gained_km2"].as_f64().unwrap_or(0.0)).sum();
    let o = frontline(&db, &["change", "--every", "snapshot", "--format", "json"]);
    let c: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let expected = c[0]["gained_km2"].as_f64().expect("gained");
    assert!((gained - expected).abs() < 1e-3 * expected, "{gained} vs {expected}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn settlements_over_the_daily_history() {
    let dir = tmpdir("places");
    let db = dir.join("t.db");
    let o = frontline(&db, &["ingest", shared_data().join("deepstate/daily").to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Three spellings, one place (GeoNames: Pokrovsk, Donetsk oblast, 60,127 people).
    let mut seen = vec![];
    for name in ["Pokrovsk", "Покровськ", "Krasnoarmiisk"] {
        let o = frontline(&db, &["place", name, "--format", "json"]);
        assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(v["oblast"], "Donetsk Oblast");
        assert_eq!(v["population"], 60_127);
        seen.push(v["timeline"].clone());
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
    // Contested before occupied; the 95 % capture after the 50 % one.
    let timeline: Vec<&str> = seen[0].as_array().expect("timeline").iter().filter_map(|c| c["to"].as_str()).collect();
    let contested = timeline.iter().position(|s| *s == "contested").expect("contested at some point");
    let occupied = timeline.iter().position(|s| *s == "occupied").expect("occupied at some point");
    assert!(contested < occupied, "{timeline:?}");

    // Mykolaivka: 89 places, none ten times the next: listed, biggest first,
    // none picked, and the exit status says so.
    let o = frontline(&db, &["place", "Mykolaivka"]);
    assert!(!o.status.success(), "an ambiguous name must fail");
    let out = stdout(&o);
    assert!(out.contains("Odesa Oblast") && out.contains("3629"), "{out}");
    assert!(!out.contains("status changes"), "an ambiguous name must not be resolved silently: {out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("NAME@OBLAST"));
    // A misspelling gets a suggestion (and fails).
    let o = frontline(&db, &["place", "Pokrovks"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("did you mean Pokrovsk"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Zaporizhzhia is the city (GeoNames: 710,052 people), and the output says why.
    let o = frontline(&db, &["place", "Zaporizhzhia", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["population"], 710_052);
    assert!(v["chosen_because"].as_str().unwrap_or("").contains("times the next"));
    // The stored copy is current now: a second query reads it and writes nothing.
    let wal = db.with_extension("db-wal");
    let snapshot = || (std::fs::read(&db).expect("db"), std::fs::read(&wal).ok());
    let before = snapshot();
    let o = frontline(&db, &["place", "Vuhledar"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("1.5 km circle around the centre"), "{}", stdout(&o));
    assert!(snapshot() == before, "a read-only query wrote to the store");
    // The README's example, as written.
    let o = frontline(&db, &["watch", "Sloviansk", "Kramatorsk", "Druzhkivka", "Kostiantynivka"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Selydove fell on 2024-10-28 (±3 days) by DeepState's map.
    let o = frontline(&db, &["captured", "--from", "2024-10-01", "--to", "2024-11-30", "--format", "csv"]);
    let out = stdout(&o);
    let line = out.lines().find(|l| l.starts_with("Selydove,")).unwrap_or_else(|| panic!("{out}"));
    let date = NaiveDate::parse_from_str(line.split(',').nth(3).expect("date"), "%Y-%m-%d").expect("date");
    let expected = NaiveDate::from_ymd_opt(2024, 10, 28).expect("date");
    assert!((date - expected).num_days().abs() <= 3, "{line}");
    // Kupiansk: never captured in DeepState's history.
    // (The command must succeed and list the towns that did fall, so that an
    // empty or failed output cannot pass for "Kupiansk not listed".)
    let o = frontline(&db, &["captured", "--from", "2024-07-01", "--format", "csv"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    let captured_names: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(4) == Some("captured"))
        .filter_map(|l| l.split(',').next())
        .collect();
    assert!(captured_names.contains(&"Selydove") && captured_names.contains(&"Pokrovsk"), "{out}");
    assert!(!captured_names.contains(&"Kupiansk"), "{out}");

    // The fortress belt: distances shrink from 2024 to 2026.
    let o = frontline(&db, &["watch", "Sloviansk", "Kramatorsk", "--every", "month", "--format", "csv"]);
    let out = stdout(&o);
    let km = |prefix: &str, town: &str| -> f64 {
        out.lines()
            .find(|l| l.starts_with(prefix) && l.contains(town))
            .and_then(|l| l.split(',').nth(2))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{prefix} {town}: {out}"))
    };
    assert!(km("2026-08", "Kramatorsk") < km("2024-08", "Kramatorsk"));
    assert!(km("2026-08", "Sloviansk") < km("2024-08", "Sloviansk"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn corridor_series_chart_and_gray_bound() {
    let dir = tmpdir("corridor");
    let db = dir.join("t.db");
    // Pokrovsk, summer 2025 to January 2026, one snapshot a fortnight.
    let mut dates = vec![];
    let mut d = NaiveDate::from_ymd_opt(2025, 6, 2).expect("date");
    while d <= NaiveDate::from_ymd_opt(2026, 1, 31).expect("date") {
        dates.push(d);
        d += chrono::Duration::days(14);
    }
    let paths: Vec<String> = dates
        .iter()
        .map(|d| daily(&d.format("%Y%m%d").to_string()))
        .filter(|p| p.exists())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["ingest"];
    args.extend(paths.iter().map(String::as_str));
    assert!(frontline(&db, &args).status.success());
    let chart = dir.join("pokrovsk.png");
    let o = frontline(
        &db,
        &["corridor", "Pokrovsk", "--from", "2025-06-01", "--chart", chart.to_str().expect("utf8"), "--format", "json"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let png = std::fs::read(&chart).expect("chart written");
    assert_eq!(&png[1..4], b"PNG");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let widths: Vec<(String, f64)> = v["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|p| {
            (p["date"].as_str().unwrap_or_default().to_string(), p["occupied_only"]["width_m"].as_f64().unwrap_or(0.0))
        })
        .collect();
    // A line across the way out is at least as long as the way out is wide
    // at its narrowest (a line through a point c from hostile ground is at
    // least 2c long).
    for p in v["series"].as_array().expect("series") {
        let c = &p["occupied_only"];
        if let (Some(w), Some(g)) = (c["width_m"].as_f64(), c["gap"]["gap_m"].as_f64()) {
            assert!(g >= w - 1.0, "{}: gap {g} m < width {w} m", p["date"]);
        }
    }
    let mean = |from: &str, to: &str| {
        let w: Vec<f64> =
            widths.iter().filter(|(d, _)| d.as_str() >= from && d.as_str() < to).map(|(_, w)| *w).collect();
        w.iter().sum::<f64>() / w.len() as f64
    };
    let summer = mean("2025-06", "2025-08");
    let winter = mean("2025-11", "2026-02");
    // Analysts measured "about 10 km" in autumn and "under 3 km" at the end;
    // in summer the way out was several km to a few tens of km wide.
    assert!(summer > winter, "summer {summer} m, winter {winter} m");
    assert!((3_000.0..40_000.0).contains(&summer), "{summer}");

    // The raw DeepState snapshots carry the gray zone: counting it as hostile
    // can only narrow the corridor.
    let raw: Vec<String> = ["1751314076", "1752007601", "1752869284", "1753821031", "1754251105"]
        .iter()
        .map(|t| shared_data().join(format!("deepstate/raw/{t}.geojson.gz")).to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["ingest"];
    args.extend(raw.iter().map(String::as_str));
    assert!(frontline(&db, &args).status.success());
    let series = |gray: bool| -> Vec<f64> {
        let mut a =
            vec!["corridor", "Pokrovsk", "--source", "deepstate-raw", "--from", "2025-06-01", "--format", "json"];
        if gray {
            a.push("--with-gray");
        }
        let o = frontline(&db, &a);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        v["series"]
            .as_array()
            .expect("series")
            .iter()
            .map(|p| p[if gray { "with_gray" } else { "occupied_only" }]["width_m"].as_f64().unwrap_or(0.0))
            .collect()
    };
    let (plain, gray) = (series(false), series(true));
    assert_eq!(plain.len(), 5);
    for (p, g) in plain.iter().zip(&gray) {
        assert!(g <= p, "with gray {g} m > without {p} m");
    }
    // The daily source has no gray zone: --with-gray is refused, not ignored.
    let o = frontline(&db, &["corridor", "Pokrovsk", "--source", "deepstate-daily", "--with-gray"]);
    assert!(!o.status.success());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn deepstate_full_map_series_regional_shares_and_pockets() {
    let dir = tmpdir("full");
    let db = dir.join("t.db");
    let raw = shared_data().join("deepstate/raw/1754251105.geojson.gz");
    let archive = shared_data().join("deepstate/archive");
    let files = [
        raw,
        archive.join("deepstate_20250804T093827Z_35751014.geojson.gz"),
        archive.join("deepstate_20260101T093147Z_67494454.geojson.gz"),
        daily("20260101"),
    ];
    let args: Vec<&str> = std::iter::once("ingest").chain(files.iter().map(|p| p.to_str().expect("utf8"))).collect();
    let o = frontline(&db, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    assert!(out.contains("4 file(s) written") && out.contains("seams closed:"), "{out}");
    assert!(out.contains("transnistria"), "Transnistria is dropped and said so: {out}");
    let o = frontline(&db, &args);
    assert!(stdout(&o).contains("0 file(s) written") && stdout(&o).contains("4 already stored"), "{}", stdout(&o));

    // One series, raw then archive, with a label a reader understands.
    let o = frontline(&db, &["sources", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let joined = v.as_array().expect("rows").iter().find(|r| r["source"] == "deepstate").expect("joined source");
    assert_eq!(joined["snapshots"], 3);
    assert!(joined["label"].as_str().expect("label").contains("with gray zone"));
    // The gray zone on 2025-08-03 (raw) and 2025-08-04 (archive, the same
    // map): the data README's independent figure, 1,014 km².
    let o = frontline(
        &db,
        &["area", "--source", "deepstate", "--from", "2025-08-01", "--to", "2025-08-05", "--format", "json"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let rows = v.as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    for r in rows {
        let gray = r["gray_km2"].as_f64().expect("gray");
        assert!((gray - 1014.0).abs() < 10.14, "{r}");
    }

    // Regional shares: DeepState's published 78.1 % for Donetsk on
    // 2026-01-01 under the default convention; the outline convention differs
    // and the output names each.
    let share = |convention: &str| {
        let o = frontline(
            &db,
            &["area", "--on", "2026-01-01", "--by", "oblast", "--shares", convention, "--format", "csv"],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = stdout(&o);
        let row = out.lines().find(|l| l.contains("UA-14")).expect("Donetsk row").to_string();
        let cells: Vec<&str> = row.split(',').collect();
        assert!(cells.last().expect("convention").starts_with(convention), "{row}");
        cells[5].parse::<f64>().expect("share")
    };
    assert!((share("official") - 78.1).abs() < 0.15);
    assert!((share("outline") - 77.48).abs() < 0.01);
    let o = frontline(&db, &["area", "--on", "2026-01-01", "--by", "raion", "--shares", "official"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("outline"));

    // Pockets on 2026-01-01: no pocket, hundreds of slivers counted apart.
    let o = frontline(&db, &["pockets", "--source", "deepstate-daily", "--on", "2026-01-01", "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["pockets"].as_array().expect("pockets").len(), 0, "{v}");
    assert!(v["slivers"].as_u64().expect("slivers") >= 500, "{v}");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::process::Stdio;
    let dir = tmpdir("pipe");
    let db = dir.join("t.db");
    // Printed with println! (the ingest summary) and through the table
    // writer (snapshots): the reader closes the pipe before either writes.
    for args in [vec!["ingest", daily("20260101").to_str().expect("utf8")], vec!["snapshots"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .arg("--db")
            .arg(&db)
            .arg("--data")
            .arg(shared_data())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run frontline");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {stderr}", out.status);
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `check` on claims files: the same two claims as YAML and TOML give the
/// same verdicts, against DeepState's own published figures for October
/// 2025 (267 km² gained in the month, 19.09 % held on 1 November); a bad
/// file is one line naming the file, the claim and the field, and a
/// non-zero exit.
#[test]
fn check_reads_yaml_and_toml_claims_and_refuses_bad_ones() {
    let dir = tmpdir("check");
    let db = dir.join("t.db");
    for d in ["20251001", "20251101"] {
        let o = frontline(&db, &["ingest", daily(d).to_str().expect("utf8")]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let yaml = dir.join("claims.yaml");
    std::fs::write(
        &yaml,
        "claims:\n  - {kind: gained, value: \"267\", unit: km2, period: 2025-10}\n  - {kind: country, value: \"19.09\", unit: \"%\", date: 2025-11-01}\n",
    )
    .expect("write");
    let toml = dir.join("claims.toml");
    std::fs::write(
        &toml,
        "[[claims]]\nkind = \"gained\"\nvalue = \"267\"\nunit = \"km2\"\nperiod = \"2025-10\"\n\n\
         [[claims]]\nkind = \"country\"\nvalue = \"19.09\"\nunit = \"%\"\ndate = 2025-11-01\n",
    )
    .expect("write");
    let mut verdicts = vec![];
    for file in [&yaml, &toml] {
        let o = frontline(&db, &["--format", "json", "check", file.to_str().expect("utf8")]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let claims = v["claims"].as_array().expect("claims");
        assert_eq!(claims.len(), 2);
        // 267 km² (step 1, ± 3 %) and 19.09 % (step 0.01, ± 0.1 point): both hold on DeepState's maps.
        let got: Vec<String> = claims.iter().map(|c| c["verdict"].as_str().unwrap_or("").to_string()).collect();
        assert_eq!(got, ["consistent", "consistent"], "{}", stdout(&o));
        let gained = claims[0]["measured"].as_f64().expect("number");
        assert!((258.5..=275.5).contains(&gained), "{gained}");
        verdicts.push(got);
    }
    assert_eq!(verdicts[0], verdicts[1]);

    let bad_yaml = dir.join("bad.yaml");
    std::fs::write(
        &bad_yaml,
        "- {kind: country, value: \"19\", unit: \"%\", date: 2025-11-01}\n- {kind: country, value: \"19\", unit: furlongs, date: 2025-11-01}\n",
    )
    .expect("write");
    let bad_toml = dir.join("bad.toml");
    std::fs::write(&bad_toml, "[[claims]]\nkind = \"country\"\nvalue = \n").expect("write");
    for (file, want) in [(&bad_yaml, ["claim 2", "field 'unit'"]), (&bad_toml, ["line 3", "not TOML"])] {
        let o = frontline(&db, &["check", file.to_str().expect("utf8")]);
        assert!(!o.status.success(), "{}: must exit non-zero", file.display());
        let err = String::from_utf8_lossy(&o.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "one line: {err}");
        assert!(lines[0].contains(file.file_name().and_then(|n| n.to_str()).expect("name")), "{err}");
        for w in want {
            assert!(lines[0].contains(w), "{err} lacks {w}");
        }
        assert!(o.stdout.is_empty(), "nothing half-written: {}", stdout(&o));
    }
    std::fs::remove_dir_all(&dir).ok();
}
