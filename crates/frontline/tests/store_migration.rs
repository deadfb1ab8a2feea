//! A store built by the release before store schema 3, whose derived
//! results (gazetteer, footprints, status tables) are zlib + bincode 1,
//! opened by this frontline (postcard, footprints in their own table).
#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use frontline::ingest::{ingest_file, Format, IngestContext};
use frontline::places::{stored, CaptureRule, GazetteerSources, Place, Resolution};
use frontline::store::{content_hash, Store, SCHEMA_VERSION};
use frontline::SourceId;
use std::path::{Path, PathBuf};

/// A genuine derived blob of the release: the entry for Pokrovsk cut out
/// of the `gazetteer` row (zlib around bincode 1 of a `Vec<Place>`) of a
/// store that `frontline place` built at main 5f561b7 (schema 2), wrapped
/// as a one-place list. 299 bytes.
const OLD_BLOB: &[u8] = include_bytes!("data/old_release_gazetteer_pokrovsk.zlib");

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("frontline-migration-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn schema_version(db: &Path) -> String {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    c.query_row("SELECT value FROM meta WHERE key='schema_version'", [], |r| r.get(0)).unwrap()
}

fn derived_values(db: &Path) -> Vec<(String, Vec<u8>)> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut s = c.prepare("SELECT kind, value FROM derived ORDER BY kind").unwrap();
    let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.collect::<rusqlite::Result<Vec<_>>>().unwrap()
}

#[test]
fn the_release_s_bincode_blob_is_refused_by_the_new_codec_not_misread() {
    // The old codec's bytes are never handed to postcard (which is not
    // self-describing and could read garbage as a value): refused by the
    // header, with a message saying why.
    let e = stored::decode::<Vec<Place>>(OLD_BLOB).unwrap_err().to_string();
    assert!(e.contains("older encoding"), "{e}");
    // The fixture is what it claims: zlib around bincode 1 of one place,
    // whose first string (u64 length, then bytes) is "Pokrovsk".
    let mut raw = vec![];
    std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(OLD_BLOB), &mut raw).unwrap();
    assert_eq!(&raw[..8], &1u64.to_le_bytes());
    assert_eq!(&raw[16..24], &8u64.to_le_bytes());
    assert_eq!(&raw[24..32], b"Pokrovsk");
}

#[test]
fn a_store_of_the_bincode_release_is_converted_in_place_and_answers_right() {
    let dir = tmpdir("v2");
    let db = dir.join("release.db");
    let data = common::shared_data();
    // Fifteen daily maps around Selydove's fall.
    let first = NaiveDate::from_ymd_opt(2024, 10, 20).unwrap();
    let days: Vec<String> = (0..15).map(|i| (first + chrono::Days::new(i)).to_string()).collect();
    {
        let mut store = Store::open(&db).unwrap();
        for d in &days {
            let path = common::daily_file(d);
            if !path.exists() {
                continue;
            }
            let ingest = ingest_file(&path, &Format::DeepStateDaily, &IngestContext::default()).unwrap();
            let bytes = std::fs::read(&path).unwrap();
            store.put_file(&ingest, &content_hash(&bytes)).unwrap();
        }
    }
    // As the release leaves it after `frontline place`: schema 2, no
    // footprints table, its derived rows in bincode.
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch("DROP TABLE footprints; UPDATE meta SET value='2' WHERE key='schema_version';").unwrap();
        for (kind, source) in [("gazetteer", ""), ("footprints", ""), ("status", "deepstate-daily")] {
            c.execute(
                "INSERT INTO derived(kind, source, inputs, value) VALUES(?1, ?2, ?3, ?4)",
                rusqlite::params![kind, source, vec![7u8; 32], OLD_BLOB],
            )
            .unwrap();
        }
    }
    let sources = GazetteerSources::shared(&data);
    let source = SourceId::new("deepstate-daily");

    // Read-only, the release's store is read as it is and nothing is written.
    let before = std::fs::read(&db).unwrap();
    {
        let store = Store::open_read_only(&db).unwrap();
        assert!(stored::stored_gazetteer(&store, &sources).unwrap().is_none());
        assert!(stored::stored_status_table(&store, &sources, &source).unwrap().is_none());
    }
    assert!(std::fs::read(&db).unwrap() == before, "a read-only open wrote to the store");
    assert_eq!(schema_version(&db), "2");

    // A writable open converts it: schema 3, the old derived rows gone.
    {
        let _store = Store::open(&db).unwrap();
    }
    assert_eq!(schema_version(&db), SCHEMA_VERSION.to_string());
    assert_eq!(SCHEMA_VERSION, 3);
    assert!(derived_values(&db).is_empty(), "the bincode rows must not survive the migration");

    // The next query recomputes and keeps them in the new encoding, and answers right.
    let selydove_capture = |g: &frontline::places::Gazetteer, t: &frontline::places::StatusTable| {
        let Resolution::Found { place, .. } = g.resolve("Selydove@Donetsk") else { panic!("Selydove") };
        t.first_capture(place.place, CaptureRule::at(0.5)).expect("Selydove captured").date
    };
    let (capture, places) = {
        let store = Store::open(&db).unwrap();
        let mut g = stored::gazetteer(&store, &sources, true).unwrap();
        let t = stored::status_table(&store, &mut g, &sources, &source, true).unwrap();
        (selydove_capture(&g, &t), g.len())
    };
    // DeepState reported Selydove occupied on 2024-10-28 (±3 days for the
    // daily export's download time and the 3-snapshot rule).
    let published = NaiveDate::from_ymd_opt(2024, 10, 28).unwrap();
    assert!((capture - published).num_days().abs() <= 3, "Selydove 50 % capture {capture}");
    let derived = derived_values(&db);
    let kinds: Vec<&str> = derived.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["footprints", "gazetteer", "status"]);
    // The footprints row marks the `footprints` table current (its count);
    // the others are postcard behind the new header.
    assert_eq!(derived[0].1, (places as i64).to_le_bytes());
    for (k, v) in &derived[1..] {
        assert!(v.starts_with(stored::MAGIC), "{k} is not in the new encoding");
    }

    // Read back as stored (read-only: nothing recomputed), the same answer.
    let store = Store::open_read_only(&db).unwrap();
    let g = stored::stored_gazetteer(&store, &sources).unwrap().expect("the converted gazetteer loads");
    assert_eq!(g.len(), places);
    assert!(g.has_geometries());
    let t = stored::stored_status_table(&store, &sources, &source).unwrap().expect("the converted table loads");
    assert_eq!(selydove_capture(&g, &t), capture);
    std::fs::remove_dir_all(&dir).ok();
}
