//! DeepState's daily export (github cyterat/deepstate-map-data): one
//! MultiPolygon a day, the union of the occupied, ORDLO and Crimea layers.
//! No gray zone. The date is in the file name (download time, 03:00 UTC).

use super::{assemble, Classified, FileIngest, FileReport, IngestContext};
use crate::error::{Error, Result};
use crate::geojson;
use crate::model::{ControlClass, SourceId};
use chrono::{DateTime, NaiveDate, Utc};
use std::path::Path;

/// The date in a `deepstatemap_data_YYYYMMDD.geojson[.gz]` name.
pub fn date_from_name(name: &str) -> Option<NaiveDate> {
    let rest = name.strip_prefix("deepstatemap_data_")?;
    let digits = rest.get(..8)?;
    let tail = &rest[8..];
    if !(tail == ".geojson" || tail == ".geojson.gz" || tail == ".json") {
        return None;
    }
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// The instant a daily file stands for: its date at 03:00 UTC, when the
/// export runs.
pub fn taken_at(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(3, 0, 0).unwrap_or_default().and_utc()
}

pub(super) fn ingest(path: &Path, bytes: &[u8], ctx: &IngestContext) -> Result<FileIngest> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let date = date_from_name(name).ok_or_else(|| {
        Error::file(path, "not a DeepState daily file name (expected deepstatemap_data_YYYYMMDD.geojson)")
    })?;
    let features = geojson::parse_features(path, bytes)?;
    let mut report = FileReport { features: features.len(), ..FileReport::default() };
    let mut classified = Classified::default();
    for f in features {
        report.note_feature(&f);
        for p in f.polygons {
            classified.push_from(ControlClass::Occupied, p, f.index);
        }
    }
    assemble(
        path,
        SourceId::new(SourceId::DEEPSTATE_DAILY),
        taken_at(date),
        &[ControlClass::Occupied],
        classified,
        report,
        ctx,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(date_from_name("deepstatemap_data_20260101.geojson"), NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(date_from_name("deepstatemap_data_20261301.geojson"), None);
        assert_eq!(date_from_name("deepstatemap_data_20260101.txt"), None);
    }

    #[test]
    fn implausible_dates_are_refused_like_every_format() {
        let square = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
            "geometry":{"type":"Polygon","coordinates":[[[37,48],[38,48],[38,49],[37,48]]]}}]}"#;
        let ctx = IngestContext::default();
        for (name, why) in [
            ("deepstatemap_data_29991231.geojson", "in the future"),
            ("deepstatemap_data_00010101.geojson", "before the war began"),
            ("deepstatemap_data_20131231.geojson", "before the war began"),
        ] {
            let e = ingest(Path::new(name), square, &ctx).expect_err(name).to_string();
            assert!(e.starts_with(name) && e.contains("implausible") && e.contains(why), "{e}");
        }
        assert!(ingest(Path::new("deepstatemap_data_20140101.geojson"), square, &ctx).is_ok());
        let today = Utc::now().date_naive();
        let tomorrow = today.succ_opt().expect("date");
        let name = |d: NaiveDate| format!("deepstatemap_data_{}.geojson", d.format("%Y%m%d"));
        assert!(ingest(Path::new(&name(tomorrow)), square, &ctx).is_ok());
        let after = tomorrow.succ_opt().expect("date");
        assert!(ingest(Path::new(&name(after)), square, &ctx).is_err());
    }

    #[test]
    fn a_self_crossing_ring_is_named_in_the_report() {
        // Feature #1 is a pentagram drawn in one stroke (its centre wound twice).
        let text = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,50],[30.1,50],[30.1,50.1],[30,50]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[37.5,49.0],[37.206,48.095],[37.976,48.655],[37.024,48.655],[37.794,48.095],[37.5,49.0]]]}}]}"#;
        let fi =
            ingest(Path::new("deepstatemap_data_20250101.geojson"), text, &IngestContext::default()).expect("ingest");
        assert_eq!(fi.report.repairs.self_crossing_polygons, 1);
        assert_eq!(fi.report.warnings.len(), 1, "{:?}", fi.report.warnings);
        assert!(fi.report.warnings[0].starts_with("feature #1: ") && fi.report.warnings[0].contains("non-zero"));
    }
}
