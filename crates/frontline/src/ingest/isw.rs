//! The Institute for the Study of War's control maps, in the three shapes
//! they circulate in (all stored under source id `isw`):
//!
//! - `YYYYMMDD_RussianAssessedCoTinUkraine.geojson[.gz]` (assessed Russian
//!   control: `occupied`) and `YYYYMMDD_RussianAssessedAdvanceinUkraine...`
//!   (assessed advances: `gray`), one class per file (github
//!   Nikkei-Visual-Data-Journalism/ISW). The store merges the two layers of
//!   the same date.
//! - `YYYYMMDD.geojson[.gz]`, every layer in one file, named by `properties.layer`:
//!   assessed control (`VIEW_RussiaCoTinUkraine_V3`, Japanese ロシア軍支配エリア)
//!   is `occupied`; assessed advances (`MDS_AssessedRussianAdvanceInUkraine_view`,
//!   ロシア軍侵攻エリア) are `gray`. The *claimed* layers (Russian claims,
//!   `VIEW_ClaimedRussianTerritoryinUkraine_V2`; Ukrainian counteroffensive
//!   claims, `VIEW_ClaimedUkrainianCounteroffensives_V2`, ウクライナ軍反撃エリア)
//!   are unverified claims, not assessed control: skipped and counted.
//! - `YYYY-MM-DD.geojson`, the simplified series (github
//!   sdspieg/war-datasets-dashboard): `properties.date`, `area_km2`,
//!   `layer_type` = `ukraine_control_map`; every polygon is assessed control
//!   (`occupied`).
//!
//! Timestamps: ISW dates a map by the day it describes, with no time of day,
//! so a snapshot stands at that date's 00:00 UTC. That puts both halves of a
//! 2022 date at the same instant, as the store's merge needs.
//!
//! A date before 2014 (the war began in February 2014) or after today is a
//! misdated file (the simplified series has two dated `2202-02-0x`): the file
//! is rejected, never stored at a made-up date.

use super::{assemble, Classified, FileIngest, FileReport, IngestContext};
use crate::error::{Error, Result};
use crate::geojson;
use crate::model::{ControlClass, SourceId};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::path::Path;

/// Suffix of the 2022 assessed-control files.
const CONTROL_2022: &str = "_RussianAssessedCoTinUkraine";
/// Suffix of the 2022 assessed-advance files.
const ADVANCE_2022: &str = "_RussianAssessedAdvanceinUkraine";
/// `layer_type` of the simplified series.
const SIMPLIFIED_LAYER_TYPE: &str = "ukraine_control_map";

/// What an ISW `layer` name means.
fn layer_class(layer: &str) -> std::result::Result<ControlClass, String> {
    match layer.trim() {
        "VIEW_RussiaCoTinUkraine_V3" | "ロシア軍支配エリア" => Ok(ControlClass::Occupied),
        "MDS_AssessedRussianAdvanceInUkraine_view" | "ロシア軍侵攻エリア" => Ok(ControlClass::Gray),
        "VIEW_ClaimedRussianTerritoryinUkraine_V2" => {
            Err("claimed layer, not assessed control (Russian claims)".into())
        }
        "VIEW_ClaimedUkrainianCounteroffensives_V2" | "ウクライナ軍反撃エリア" => {
            Err("claimed layer, not assessed control (Ukrainian counteroffensive claims)".into())
        }
        other => Err(format!("unknown layer {other:?}")),
    }
}

/// The file-name stem without `.geojson[.gz]` / `.json`.
fn stem(name: &str) -> Option<&str> {
    name.strip_suffix(".geojson.gz").or_else(|| name.strip_suffix(".geojson")).or_else(|| name.strip_suffix(".json"))
}

/// The class of a 2022 file from its name, with its date digits.
fn split_2022_name(name: &str) -> Option<(&str, ControlClass)> {
    let stem = stem(name)?;
    if let Some(d) = stem.strip_suffix(CONTROL_2022) {
        return Some((d, ControlClass::Occupied));
    }
    stem.strip_suffix(ADVANCE_2022).map(|d| (d, ControlClass::Gray))
}

/// Whether a file name is unmistakably ISW's (the 2022 layer files). The
/// other ISW names (`YYYYMMDD`, `YYYY-MM-DD`) are only recognised inside a
/// folder whose name contains `isw`; see [`super::Format::detect`].
pub fn is_isw_2022_name(name: &str) -> bool {
    split_2022_name(name).is_some_and(|(d, _)| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a file name has the shape of the other ISW files: `YYYYMMDD` or
/// `YYYY-MM-DD` (the date itself is checked on reading).
pub fn is_isw_dated_name(name: &str) -> bool {
    let Some(stem) = stem(name) else {
        return false;
    };
    let b = stem.as_bytes();
    match b.len() {
        8 => b.iter().all(u8::is_ascii_digit),
        10 => b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() }),
        _ => false,
    }
}

/// Parses `YYYYMMDD` or `YYYY-MM-DD`.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| (s.len() == 8).then(|| NaiveDate::parse_from_str(s, "%Y%m%d").ok()).flatten())
}

/// Rejects dates no map can carry: the one rule of [`super::check_plausible_date`].
pub fn check_plausible(path: &Path, date: NaiveDate, today: NaiveDate, what: &str) -> Result<()> {
    super::check_plausible_date(path, date, today, what)
}

/// A date at 00:00 UTC (see the module comment).
fn midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

pub(super) fn ingest(path: &Path, bytes: &[u8], ctx: &IngestContext) -> Result<FileIngest> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let today = Utc::now().date_naive();
    let features = geojson::parse_features(path, bytes)?;
    let mut report = FileReport { features: features.len(), ..FileReport::default() };
    let mut classified = Classified::default();

    for f in &features {
        report.note_feature(f);
    }

    // Which of the three shapes this file has, from its name and content.
    let (date, classes) = if let Some((digits, class)) = split_2022_name(name) {
        let date = parse_date(digits)
            .ok_or_else(|| Error::file(path, format!("ISW file name without a YYYYMMDD date: {name}")))?;
        check_plausible(path, date, today, "file-name date")?;
        for f in features {
            for p in f.polygons {
                classified.push_from(class, p, f.index);
            }
        }
        (date, vec![class])
    } else if features.iter().any(|f| f.properties.contains_key("layer")) {
        let date = stem(name).and_then(parse_date).ok_or_else(|| {
            Error::file(path, format!("ISW layered file without a YYYYMMDD date in its name: {name}; rename it"))
        })?;
        check_plausible(path, date, today, "file-name date")?;
        for f in features {
            if f.polygons.is_empty() {
                continue;
            }
            let layer = f.prop_str("layer").unwrap_or_default();
            match layer_class(layer) {
                Ok(class) => {
                    for p in f.polygons {
                        classified.push_from(class, p, f.index);
                    }
                }
                Err(reason) => {
                    for _ in &f.polygons {
                        report.skip(reason.clone());
                    }
                }
            }
        }
        (date, vec![ControlClass::Occupied, ControlClass::Gray])
    } else {
        let date = simplified_date(path, name, &features)?;
        check_plausible(path, date, today, "date")?;
        for f in features {
            if f.polygons.is_empty() {
                continue;
            }
            match f.properties.get("layer_type") {
                None => {}
                Some(Value::String(t)) if t == SIMPLIFIED_LAYER_TYPE => {}
                Some(other) => {
                    for _ in &f.polygons {
                        report.skip(format!("unknown layer_type {other}"));
                    }
                    continue;
                }
            }
            for p in f.polygons {
                classified.push_from(ControlClass::Occupied, p, f.index);
            }
        }
        (date, vec![ControlClass::Occupied])
    };

    assemble(path, SourceId::new(SourceId::ISW), midnight(date), &classes, classified, report, ctx)
}

/// The date of a simplified-series file: `properties.date`, which every
/// feature must agree on, checked against the file name when that is a date.
fn simplified_date(path: &Path, name: &str, features: &[geojson::RawFeature]) -> Result<NaiveDate> {
    let mut date: Option<NaiveDate> = None;
    for f in features {
        let Some(text) = f.prop_str("date") else {
            continue;
        };
        let d = parse_date(text)
            .ok_or_else(|| Error::feature(path, f.index, format!("date {text:?} is not YYYY-MM-DD")))?;
        match date {
            None => date = Some(d),
            Some(prev) if prev != d => {
                return Err(Error::feature(
                    path,
                    f.index,
                    format!(
                    "date {d} differs from the file's other features ({prev}); a snapshot is one day: split the file"
                ),
                ))
            }
            Some(_) => {}
        }
    }
    let from_name = stem(name).and_then(parse_date);
    match (date, from_name) {
        (Some(d), Some(n)) if d != n => {
            Err(Error::file(path, format!("properties.date {d} and the file name's date {n} differ; fix one of them")))
        }
        (Some(d), _) | (None, Some(d)) => Ok(d),
        (None, None) => Err(Error::file(
            path,
            "no date: neither properties.date nor a YYYY-MM-DD file name; rename the file with its date",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_isw_2022_name("20220401_RussianAssessedCoTinUkraine.geojson.gz"));
        assert!(is_isw_2022_name("20220401_RussianAssessedAdvanceinUkraine.geojson"));
        assert!(!is_isw_2022_name("x_RussianAssessedAdvanceinUkraine.geojson"));
        assert!(is_isw_dated_name("20230503.geojson.gz"));
        assert!(is_isw_dated_name("2202-02-02.geojson"));
        assert!(!is_isw_dated_name("1754251105.geojson.gz"));
        assert!(!is_isw_dated_name("2025_08_11.geojson"));
    }

    #[test]
    fn layers() {
        assert_eq!(layer_class("ロシア軍支配エリア"), Ok(ControlClass::Occupied));
        assert_eq!(layer_class("MDS_AssessedRussianAdvanceInUkraine_view"), Ok(ControlClass::Gray));
        assert!(layer_class("ウクライナ軍反撃エリア").is_err_and(|r| r.contains("claimed")));
        assert!(layer_class("something").is_err_and(|r| r.contains("something")));
    }

    #[test]
    fn implausible_dates_are_rejected() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let p = Path::new("2202-02-02.geojson");
        let d = NaiveDate::from_ymd_opt(2202, 2, 2).expect("date");
        let e = check_plausible(p, d, today, "date").expect_err("future").to_string();
        assert!(e.contains("2202-02-02") && e.contains("future"), "{e}");
        let d = NaiveDate::from_ymd_opt(2013, 12, 31).expect("date");
        assert!(check_plausible(p, d, today, "date").is_err());
        assert!(check_plausible(p, today, today, "date").is_ok());
    }

    #[test]
    fn simplified_file_takes_its_date_from_properties() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"date":"2025-08-11","area_km2":1,"layer_type":"ukraine_control_map"},
           "geometry":{"type":"Polygon","coordinates":[[[37,48],[37.1,48],[37.1,48.1],[37,48]]]}},
          {"type":"Feature","properties":{"date":"2025-08-11","layer_type":"ukraine_control_map"},"geometry":null}]}"#;
        let r = ingest(Path::new("x/2025-08-11.geojson"), text.as_bytes(), &IngestContext::default()).expect("ingests");
        assert_eq!(r.snapshot.taken_at.to_rfc3339(), "2025-08-11T00:00:00+00:00");
        assert_eq!(r.report.skipped.get("feature without geometry"), Some(&1));
        assert_eq!(r.report.polygons.get(&ControlClass::Occupied), Some(&1));
        let e = ingest(Path::new("x/2025-08-12.geojson"), text.as_bytes(), &IngestContext::default())
            .expect_err("name and property disagree")
            .to_string();
        assert!(e.contains("2025-08-12") && e.contains("2025-08-11"), "{e}");
    }
}
