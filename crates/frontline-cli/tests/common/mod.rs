//! What every end-to-end test of the `frontline` binary needs: the shared
//! real data, a fresh folder, and the binary run against a store. Each test
//! file uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `$FRONTLINE_SHARED/data`, else `<repo root>/../shared/data`.
pub fn shared_data() -> PathBuf {
    let shared = match std::env::var_os("FRONTLINE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let data = shared.join("data");
    assert!(data.is_dir(), "shared data not found at {} (set FRONTLINE_SHARED)", data.display());
    data
}

/// The DeepState daily export of a date (YYYYMMDD).
pub fn daily(date: &str) -> PathBuf {
    shared_data().join(format!("deepstate/daily/deepstatemap_data_{date}.geojson"))
}

/// Runs `frontline --db DB --data SHARED ARGS...` and waits for it.
pub fn frontline(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("--db")
        .arg(db)
        .arg("--data")
        .arg(shared_data())
        .args(args)
        .output()
        .expect("run frontline")
}

/// An empty folder of its own for one test (test file, name and process
/// in its name, so that test binaries running at once never share one).
pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("frontline-{}-{name}-{}", env!("CARGO_CRATE_NAME"), std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tmp dir");
    d
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

pub fn stderr(o: &Output) -> String {
    text(&o.stderr)
}
