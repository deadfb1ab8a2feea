//! DeepState's full snapshots with every layer (github
//! DanielRose2310/deepstatemaps-history): `<unix-timestamp>.geojson.gz`, the
//! timestamp being DeepState's publication time (UTC).
//!
//! Each polygon is classified by its i18n key (the third part of
//! `properties.name`, "Ukrainian /// English /// key"), which DeepState adds to
//! every polygon from 2024-03-25 and which is authoritative; without a key,
//! by its `fill` colour. The rules were checked against an inventory of all
//! 255 published files (every (key, fill) combination is either classified or
//! skipped with a named reason; see `tests/deepstate_raw.rs`). Names are free
//! text with typos and are never used to classify.
//!
//! Satirical "occupied" territories (Karelia, Kuril Islands, Transnistria, ...)
//! are skipped by key or colour, so they are never counted even when no
//! reference territory is given.

use super::{assemble, Classified, FileIngest, FileReport, IngestContext};
use crate::error::{Error, Result};
use crate::geojson;
use crate::model::{ControlClass, SourceId};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::path::Path;

/// The classes a raw snapshot publishes.
pub(super) const CLASSES: [ControlClass; 3] = ControlClass::ALL;

/// What one polygon's key or colour says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Territory of this class.
    Class(ControlClass),
    /// Not territory of this war, or not understood: skipped, with the reason
    /// the report counts it under.
    Skip(String),
}

/// The publication time in a `<unix-timestamp>.geojson[.gz]` name.
///
/// Only 10-digit timestamps (2001-09-09 .. 2286-11-20) are recognised, so
/// that an 8-digit `YYYYMMDD` name is never mistaken for one.
pub fn taken_at_from_name(name: &str) -> Option<DateTime<Utc>> {
    let stem = name
        .strip_suffix(".geojson.gz")
        .or_else(|| name.strip_suffix(".geojson"))
        .or_else(|| name.strip_suffix(".json"))?;
    if stem.len() != 10 || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    DateTime::from_timestamp(stem.parse().ok()?, 0)
}

/// The i18n key of a `properties.name` ("Ukrainian /// English /// key"),
/// trimmed of the stray spaces, non-breaking spaces and newlines DeepState
/// leaves around it. `None` when the name has no third part or it is empty.
pub fn key_from_name(name: &str) -> Option<&str> {
    let key = name.split("///").nth(2)?.trim();
    (!key.is_empty()).then_some(key)
}

/// Classifies by i18n key (authoritative from 2024-03-25).
pub fn classify_by_key(key: &str) -> Verdict {
    use ControlClass::*;
    match key {
        "geoJSON.status.occupied" => Verdict::Class(Occupied),
        "geoJSON.status.unknown" => Verdict::Class(Gray),
        "geoJSON.status.dismissed" => Verdict::Class(Liberated),
        // "dismissed_at {{at:16.03 -17.03}}": liberated, with the date in the key.
        k if k.starts_with("geoJSON.status.dismissed_at") => Verdict::Class(Liberated),
        "geoJSON.territories.ordlo" | "geoJSON.territories.crimea" | "geoJSON.territories.tuzla" => {
            Verdict::Class(Occupied)
        }
        "geoJSON.zmiinyi_island" => Verdict::Class(Liberated),
        k if k.starts_with("geoJSON.territories.") => Verdict::Skip(format!("satirical territory (key {k})")),
        k => Verdict::Skip(format!("unknown key {k:?}")),
    }
}

/// The first snapshot (2022-05-30) where `#880e4f` marks ORDLO and Crimea;
/// before it they are black and `#880e4f` is Transnistria (the 2022-05-23
/// snapshot is the last of that scheme).
fn transnistria_colour_until() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2022, 5, 30).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default().and_utc()
}

/// Classifies by fill colour, the only signal before 2024-03-25.
pub fn classify_by_fill(fill: &str, taken_at: DateTime<Utc>) -> Verdict {
    use ControlClass::*;
    let fill = fill.trim().to_ascii_lowercase();
    match fill.as_str() {
        "#a52714" | "#000000" => Verdict::Class(Occupied),
        "#880e4f" if taken_at < transnistria_colour_until() => {
            Verdict::Skip("satirical territory (fill #880e4f before 2022-05-30: Transnistria)".into())
        }
        "#880e4f" => Verdict::Class(Occupied),
        "#bcaaa4" | "#bdbdbd" | "#757575" => Verdict::Class(Gray),
        "#0f9d58" | "#0288d1" | "#01579b" => Verdict::Class(Liberated),
        "#ff5252" => Verdict::Skip("satirical territory (fill #ff5252)".into()),
        other => Verdict::Skip(format!("unknown fill {other:?}")),
    }
}

/// Classifies one feature: by key when it has one, else by colour.
/// Returns the verdict and, when both signals exist and name different
/// classes, the colour's verdict (for the report's disagreement count).
pub fn classify(name: Option<&str>, fill: Option<&str>, taken_at: DateTime<Utc>) -> (Verdict, Option<Verdict>) {
    let by_fill = fill.map(|f| classify_by_fill(f, taken_at));
    match name.and_then(key_from_name) {
        Some(key) => {
            let by_key = classify_by_key(key);
            let disagreement = match (&by_key, &by_fill) {
                (Verdict::Class(a), Some(f @ Verdict::Class(b))) if a != b => Some(f.clone()),
                (Verdict::Class(_), Some(f @ Verdict::Skip(_))) => Some(f.clone()),
                _ => None,
            };
            (by_key, disagreement)
        }
        None => (by_fill.unwrap_or_else(|| Verdict::Skip("polygon with neither key nor fill".into())), None),
    }
}

pub(super) fn ingest(path: &Path, bytes: &[u8], ctx: &IngestContext) -> Result<FileIngest> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let taken_at = taken_at_from_name(name).ok_or_else(|| {
        Error::file(path, "not a DeepState raw snapshot name (expected <10-digit unix timestamp>.geojson.gz)")
    })?;
    let (classified, report) = classify_features(path, bytes, taken_at)?;
    assemble(path, SourceId::new(SourceId::DEEPSTATE_RAW), taken_at, &CLASSES, classified, report, ctx)
}

/// Parses a full DeepState map (raw history or archive: the same feature
/// format) and sorts its polygons into classes by key, else colour.
pub(super) fn classify_features(
    path: &Path,
    bytes: &[u8],
    taken_at: DateTime<Utc>,
) -> Result<(Classified, FileReport)> {
    let features = geojson::parse_features(path, bytes)?;
    let mut report = FileReport { features: features.len(), ..FileReport::default() };
    let mut classified = Classified::default();
    // (key, fill, key's class, colour's verdict) -> polygons: one warning line each.
    let mut disagreements: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    for f in features {
        report.note_feature(&f);
        if f.polygons.is_empty() {
            continue;
        }
        let (verdict, disagreement) = classify(f.prop_str("name"), f.prop_str("fill"), taken_at);
        if let (Verdict::Class(class), Some(by_fill)) = (&verdict, disagreement) {
            let key = f.prop_str("name").and_then(key_from_name).unwrap_or_default();
            let fill = f.prop_str("fill").unwrap_or_default();
            let by_fill = match by_fill {
                Verdict::Class(c) => c.to_string(),
                Verdict::Skip(reason) => reason,
            };
            *disagreements.entry((key.to_string(), fill.to_string(), class.to_string(), by_fill)).or_default() +=
                f.polygons.len();
        }
        match verdict {
            Verdict::Class(class) => {
                for p in f.polygons {
                    classified.push_from(class, p, f.index);
                }
            }
            Verdict::Skip(reason) => {
                for _ in 0..f.polygons.len() {
                    report.skip(reason.clone());
                }
            }
        }
    }
    for ((key, fill, class, by_fill), n) in disagreements {
        report.warnings.push(format!(
            "{n} polygon(s) keyed {key} ({class}) are drawn in {fill} ({by_fill}): classified by the key"
        ));
    }
    Ok((classified, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ControlClass::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(12, 0, 0)).map(|d| d.and_utc()).expect("valid date")
    }

    #[test]
    fn names() {
        // 1754251105 s = 20303 days (1970-01-01 + 20303 d = 2025-08-03) + 71905 s (19:58:25).
        let t = taken_at_from_name("1754251105.geojson.gz").expect("timestamp");
        assert_eq!(t.to_rfc3339(), "2025-08-03T19:58:25+00:00");
        assert!(taken_at_from_name("20230503.geojson.gz").is_none());
        assert!(taken_at_from_name("1754251105.txt").is_none());
        assert!(taken_at_from_name("17542511x5.geojson").is_none());
    }

    #[test]
    fn keys_are_trimmed_of_nbsp_and_newlines() {
        assert_eq!(
            key_from_name("ОРДЛО /// CADR and CALR\u{a0}/// geoJSON.territories.ordlo\n"),
            Some("geoJSON.territories.ordlo")
        );
        assert_eq!(key_from_name("Окупований Крим /// Occupied Crimea"), None);
        assert_eq!(key_from_name("Під питанням"), None);
        assert_eq!(key_from_name("a /// b ///  \u{a0}\n"), None);
    }

    #[test]
    fn key_rules() {
        assert_eq!(classify_by_key("geoJSON.status.dismissed_at {{at:16.03 -17.03}}"), Verdict::Class(Liberated));
        assert_eq!(classify_by_key("geoJSON.territories.tuzla"), Verdict::Class(Occupied));
        assert_eq!(classify_by_key("geoJSON.zmiinyi_island"), Verdict::Class(Liberated));
        assert!(matches!(classify_by_key("geoJSON.territories.karelia"), Verdict::Skip(r) if r.contains("satirical")));
        assert!(matches!(classify_by_key("geoJSON.status.new"), Verdict::Skip(r) if r.contains("geoJSON.status.new")));
    }

    #[test]
    fn colour_rules_follow_the_calendar() {
        assert!(matches!(classify_by_fill("#880e4f", at(2022, 5, 23)), Verdict::Skip(r) if r.contains("Transnistria")));
        assert_eq!(classify_by_fill("#880e4f", at(2022, 5, 30)), Verdict::Class(Occupied));
        assert_eq!(classify_by_fill("#BDBDBD", at(2023, 1, 1)), Verdict::Class(Gray));
        assert!(matches!(classify_by_fill("#123456", at(2023, 1, 1)), Verdict::Skip(r) if r.contains("#123456")));
    }

    #[test]
    fn key_wins_and_disagreement_is_reported() {
        let name = "Звільнено /// Liberated /// geoJSON.status.dismissed";
        let (v, d) = classify(Some(name), Some("#bcaaa4"), at(2024, 10, 8));
        assert_eq!(v, Verdict::Class(Liberated));
        assert_eq!(d, Some(Verdict::Class(Gray)));
        let (v, d) = classify(Some(name), Some("#0f9d58"), at(2024, 10, 8));
        assert_eq!(v, Verdict::Class(Liberated));
        assert_eq!(d, None);
    }
}
