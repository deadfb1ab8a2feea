//! Where the shared real data lives: `$FRONTLINE_SHARED/data`, else
//! `<repo root>/../shared/data`.
#![allow(dead_code)]

use std::path::PathBuf;

pub fn shared_data() -> PathBuf {
    let shared = match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let data = shared.join("data");
    assert!(data.is_dir(), "shared data not found at {} (set FRONTLINE_SHARED)", data.display());
    data
}

pub fn shared_oracles() -> PathBuf {
    shared_data().join("../oracles")
}

pub fn daily_file(date: &str) -> PathBuf {
    shared_data().join(format!("deepstate/daily/deepstatemap_data_{}.geojson", date.replace('-', "")))
}
