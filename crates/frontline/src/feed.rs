//! The publishers' feeds, without the network: what their listings look
//! like, how a downloaded map is named so that ingest reads it as a file of
//! the same format, and the checks that turn away a bad or partial response
//! before it reaches the store. The HTTP client lives in the CLI (`frontline
//! sync`); the engine never touches the network.
//!
//! Two feeds of DeepStateMap:
//! - its history API: a list of every published map (`[{"id": 1754251105,
//!   "createdAt": "2025-08-03T19:58:25.000Z", ...}, ...]`, the id being the
//!   publication time in Unix seconds) and each map's GeoJSON, the format of
//!   `deepstate/raw/` (stored as `deepstate-raw`);
//! - the daily GitHub export (cyterat/deepstate-map-data): a git tree
//!   listing (`{"tree": [{"path": "data/deepstatemap_data_20260101.geojson",
//!   "type": "blob"}, ...]}`, or the contents API's array of `{"name",
//!   "path"}`) and each file, the format of `deepstate/daily/` (stored as
//!   `deepstate-daily`).

use crate::geodesy::GeodesicAreaM2;
use crate::ingest::{deepstate_daily, Format};
use crate::model::{ControlClass, Snapshot};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use std::path::PathBuf;

/// One map the history API lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The map's id: its publication time, Unix seconds.
    pub id: i64,
    /// The publication time (from the id).
    pub taken_at: DateTime<Utc>,
}

/// One file the daily export lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyEntry {
    /// The file's path in the repository (`data/deepstatemap_data_YYYYMMDD.geojson`).
    pub path: String,
    /// The date in its name.
    pub date: NaiveDate,
}

/// Which feed a map came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// DeepStateMap's history API (full maps with every layer).
    History,
    /// The daily GitHub export (occupied territory only).
    Daily,
}

impl Feed {
    /// The format its maps are read in.
    pub fn format(self) -> Format {
        match self {
            Feed::History => Format::DeepStateRaw,
            Feed::Daily => Format::DeepStateDaily,
        }
    }
}

/// The name a downloaded map is ingested under: the URL it came from, with
/// a last segment in the name pattern of its format (ingest reads the date
/// from the name, as for a file on disk). `#/` keeps the URL readable as it
/// was fetched.
pub fn ingest_name(feed: Feed, url: &str, id_or_name: &str) -> PathBuf {
    match feed {
        Feed::History => PathBuf::from(format!("{url}#/{id_or_name}.geojson")),
        Feed::Daily if url.ends_with(&format!("/{id_or_name}")) => PathBuf::from(url),
        Feed::Daily => PathBuf::from(format!("{url}#/{id_or_name}")),
    }
}

#[derive(Deserialize)]
struct RawHistoryEntry {
    id: serde_json::Value,
}

/// Reads the history API's list of maps. Entries are returned oldest first;
/// an id that is not a plausible Unix time is an error naming it.
pub fn parse_history_list(bytes: &[u8]) -> Result<Vec<HistoryEntry>, String> {
    check_body(bytes, None)?;
    let raw: Vec<RawHistoryEntry> = serde_json::from_slice(bytes)
        .map_err(|e| format!("not the history API's list of maps (a JSON array of {{\"id\": ...}}): {e}"))?;
    let mut out = Vec::with_capacity(raw.len());
    for (i, r) in raw.into_iter().enumerate() {
        let id = match &r.id {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        let taken_at = id.and_then(|id| DateTime::from_timestamp(id, 0));
        match (id, taken_at) {
            (Some(id), Some(taken_at)) if id >= 1_000_000_000 => out.push(HistoryEntry { id, taken_at }),
            _ => return Err(format!("entry #{i}: id {} is not a publication time in Unix seconds", r.id)),
        }
    }
    out.sort_by_key(|e| e.id);
    out.dedup_by_key(|e| e.id);
    Ok(out)
}

#[derive(Deserialize)]
struct TreeListing {
    tree: Vec<TreeEntry>,
    #[serde(default)]
    truncated: bool,
}

#[derive(Deserialize)]
struct TreeEntry {
    path: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DailyListing {
    Tree(TreeListing),
    Contents(Vec<TreeEntry>),
}

/// Reads the daily export's listing (a git tree or a contents array) and
/// keeps the files named `deepstatemap_data_YYYYMMDD.geojson`, oldest
/// first. A truncated tree is an error: files would be missed silently.
pub fn parse_daily_index(bytes: &[u8]) -> Result<Vec<DailyEntry>, String> {
    check_body(bytes, None)?;
    let listing: DailyListing = serde_json::from_slice(bytes).map_err(|e| {
        format!("not a listing of the daily export (a git tree {{\"tree\": [...]}} or an array of files): {e}")
    })?;
    let entries = match listing {
        DailyListing::Tree(t) if t.truncated => {
            return Err("the listing is truncated by the server; point --daily-index-url at a complete one".into())
        }
        DailyListing::Tree(t) => t.tree,
        DailyListing::Contents(c) => c,
    };
    let mut out: Vec<DailyEntry> = entries
        .into_iter()
        .filter(|e| e.kind.as_deref().is_none_or(|k| k == "blob" || k == "file"))
        .filter_map(|e| {
            let name = e.path.rsplit('/').next()?;
            let date = deepstate_daily::date_from_name(name)?;
            Some(DailyEntry { path: e.path.clone(), date })
        })
        .collect();
    out.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.path.cmp(&b.path)));
    out.dedup_by_key(|e| e.date);
    Ok(out)
}

/// Turns away a response that is not JSON at all: empty, or an HTML page
/// (a publisher's error or login page served with status 200). Truncated
/// JSON is left to the parser, whose error names where it stopped.
pub fn check_body(bytes: &[u8], content_type: Option<&str>) -> Result<(), String> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err("the response is empty".into());
    };
    let head = String::from_utf8_lossy(&text[start..text.len().min(start + 64)]).to_ascii_lowercase();
    let html_type = content_type.is_some_and(|t| t.to_ascii_lowercase().contains("text/html"));
    if html_type || head.starts_with("<!doctype") || head.starts_with("<html") || head.starts_with('<') {
        return Err("the response is an HTML page, not JSON (the publisher's error or maintenance page?); \
                    try again later, or check the URL"
            .into());
    }
    Ok(())
}

/// How far a new map may fall short of the one before it before it is
/// taken for a partial response. Measured on every consecutive pair of
/// the real history (`tests/feed.rs`, `whole_history_extremes`): the
/// smallest fraction of a class's polygons (classes of 10 or more) kept
/// from one map to the next is 0.700 in `deepstate/raw` (255 maps), 0.786
/// in `archive` (348), 0.769 in `daily` (769), above the 0.6 threshold and
/// well above the 0.5 of a map with half its polygons missing; the largest
/// change of the occupied area is 7.1 % (raw, weekly maps of the Kharkiv
/// counter-offensive, September 2022), 0.1 % in the daily series, under
/// the 15 % threshold. No published map is refused.
#[derive(Debug, Clone, Copy)]
pub struct SuccessorRules {
    /// A class with at least [`SuccessorRules::min_polygons`] polygons in
    /// the previous map must keep at least this fraction of them.
    pub min_polygon_ratio: f64,
    /// Classes with fewer polygons than this are not compared by count.
    pub min_polygons: usize,
    /// The occupied area may not change by more than this fraction.
    pub max_area_change: f64,
}

impl Default for SuccessorRules {
    fn default() -> Self {
        SuccessorRules { min_polygon_ratio: 0.6, min_polygons: 10, max_area_change: 0.15 }
    }
}

/// The polygons of each class of a snapshot, and its occupied area (km²).
pub fn shape_of(s: &Snapshot) -> (Vec<(ControlClass, usize)>, Option<f64>) {
    let counts = s.layers.iter().map(|l| (l.class, l.geometry.0.len())).collect();
    let occupied = s.layer(ControlClass::Occupied).map(|g| g.geodesic_area_m2() / 1e6);
    (counts, occupied)
}

/// Whether `next` looks like a whole map given `previous`, the map stored
/// before it in the same source: an error in words when a class lost too
/// many polygons or the occupied area jumped (a partial or broken response).
pub fn check_successor(previous: &Snapshot, next: &Snapshot, rules: SuccessorRules) -> Result<(), String> {
    let (before, area_before) = shape_of(previous);
    let (after, area_after) = shape_of(next);
    for (class, n_before) in before {
        if n_before < rules.min_polygons {
            continue;
        }
        let n_after = after.iter().find(|(c, _)| *c == class).map_or(0, |(_, n)| *n);
        if (n_after as f64) < rules.min_polygon_ratio * n_before as f64 {
            return Err(format!(
                "{n_after} {class} polygon(s), against {n_before} in the previous map ({}): fewer than {:.0} % \
                 of them, so the response looks partial; it was not stored (run sync again later, or pass \
                 --allow-shrink if the publisher really removed them)",
                previous.taken_at.format("%Y-%m-%d %H:%M UTC"),
                rules.min_polygon_ratio * 100.0
            ));
        }
    }
    if let (Some(a), Some(b)) = (area_before, area_after) {
        if a > 0.0 && ((b - a) / a).abs() > rules.max_area_change {
            return Err(format!(
                "occupied area {b:.0} km², against {a:.0} km² in the previous map ({}): a change of {:+.1} %, \
                 more than the {:.0} % any published map has shown, so the response looks partial or broken; it was not \
                 stored (run sync again later, or pass --allow-shrink if the map really changed so much)",
                previous.taken_at.format("%Y-%m-%d %H:%M UTC"),
                (b - a) / a * 100.0,
                rules.max_area_change * 100.0
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Layer, SourceId};
    use geo::{polygon, MultiPolygon};

    #[test]
    fn history_list_shape() {
        let text = br#"[{"id":1754251105,"createdAt":"2025-08-03T19:58:25.000Z","status":true,"description":"x"},
                        {"id":"1649004375","createdAt":"2022-04-03T16:46:15.000Z"}]"#;
        let l = parse_history_list(text).expect("list");
        assert_eq!(l.iter().map(|e| e.id).collect::<Vec<_>>(), vec![1649004375, 1754251105]);
        assert_eq!(l[1].taken_at.to_rfc3339(), "2025-08-03T19:58:25+00:00");
        assert!(parse_history_list(br#"[{"id":"soon"}]"#).expect_err("bad id").contains("entry #0"));
        assert!(parse_history_list(b"<html><body>502 Bad Gateway</body></html>").expect_err("html").contains("HTML"));
        assert!(parse_history_list(br#"[{"id":1754251105},{"id":17"#).is_err());
    }

    #[test]
    fn daily_index_shapes() {
        let tree = br#"{"sha":"x","tree":[{"path":"README.md","type":"blob"},{"path":"data","type":"tree"},
            {"path":"data/deepstatemap_data_20260102.geojson","type":"blob"},
            {"path":"data/deepstatemap_data_20260101.geojson","type":"blob"}],"truncated":false}"#;
        let l = parse_daily_index(tree).expect("tree");
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].path, "data/deepstatemap_data_20260101.geojson");
        let contents = br#"[{"name":"deepstatemap_data_20260101.geojson","path":"data/deepstatemap_data_20260101.geojson","type":"file"}]"#;
        assert_eq!(parse_daily_index(contents).expect("contents").len(), 1);
        let cut = br#"{"tree":[],"truncated":true}"#;
        assert!(parse_daily_index(cut).expect_err("truncated").contains("truncated"));
    }

    #[test]
    fn names_read_as_their_format() {
        let p = ingest_name(Feed::History, "https://deepstatemap.live/api/history/1754251105/geojson", "1754251105");
        let name = p.file_name().and_then(|n| n.to_str()).expect("name");
        assert_eq!(crate::ingest::Format::detect(std::path::Path::new(name)), Some(Format::DeepStateRaw));
        let p = ingest_name(
            Feed::Daily,
            "http://x/data/deepstatemap_data_20260101.geojson",
            "deepstatemap_data_20260101.geojson",
        );
        assert_eq!(p, PathBuf::from("http://x/data/deepstatemap_data_20260101.geojson"));
    }

    fn squares(n: usize, side: f64) -> MultiPolygon<f64> {
        MultiPolygon(
            (0..n)
                .map(|i| {
                    let x = 30.0 + i as f64;
                    polygon![(x: x, y: 48.0), (x: x + side, y: 48.0), (x: x + side, y: 48.0 + side), (x: x, y: 48.0)]
                })
                .collect(),
        )
    }

    fn snap(day: u32, occupied: MultiPolygon<f64>, gray: MultiPolygon<f64>) -> Snapshot {
        let taken_at =
            NaiveDate::from_ymd_opt(2025, 1, day).and_then(|d| d.and_hms_opt(0, 0, 0)).expect("date").and_utc();
        Snapshot {
            source: SourceId::new("deepstate-raw"),
            taken_at,
            layers: vec![
                Layer { class: ControlClass::Occupied, geometry: occupied },
                Layer { class: ControlClass::Gray, geometry: gray },
            ],
        }
    }

    #[test]
    fn partial_maps_are_told_apart() {
        let rules = SuccessorRules::default();
        let prev = snap(1, squares(3, 0.5), squares(20, 0.1));
        // Half the gray polygons gone: refused, naming the class and counts.
        let e = check_successor(&prev, &snap(2, squares(3, 0.5), squares(10, 0.1)), rules).expect_err("half");
        assert!(e.contains("10 gray polygon(s), against 20"), "{e}");
        // Two of twenty gone: a real map's day.
        assert!(check_successor(&prev, &snap(2, squares(3, 0.5), squares(18, 0.1)), rules).is_ok());
        // One of three occupied squares gone: a third of the area.
        let e = check_successor(&prev, &snap(2, squares(2, 0.5), squares(20, 0.1)), rules).expect_err("area");
        assert!(e.contains("occupied area") && e.contains("-33.3 %"), "{e}");
    }
}
