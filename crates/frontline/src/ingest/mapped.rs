//! Any GeoJSON control map, read with a mapping the user gives: which
//! property says the class, which of its values mean which class, and where
//! the date comes from.
//!
//! The rule syntax ([`Mapping::parse_rules`]), as the CLI's `--map` takes it:
//!
//! ```text
//! PROPERTY=VALUE:CLASS[,PROPERTY=VALUE:CLASS...][,*:CLASS]
//! ```
//!
//! e.g. `status=occupied:occupied,status=contested:gray,*:occupied`. Every
//! rule names the same property; VALUE is matched against the property's
//! text (numbers and booleans as JSON writes them), trimmed, case-sensitive;
//! it may contain `:` and `=` (the class is after the last `:`) but not `,`.
//! CLASS is `occupied`, `gray` (or `grey`, `contested`) or `liberated`.
//! `*:CLASS` classifies every feature no rule matches; without it such
//! features are skipped and counted under their value.
//!
//! The snapshot's instant: [`Mapping::taken_at`] if given, else the
//! [`Mapping::date_property`] (`YYYY-MM-DD`, `YYYYMMDD` or RFC 3339; every
//! feature must agree), else a `YYYY-MM-DD` or `YYYYMMDD` in the file name
//! (dates at 00:00 UTC), else an error asking for one.

use super::{assemble, Classified, FileIngest, FileReport, IngestContext};
use crate::error::{Error, Result};
use crate::geojson;
use crate::model::{ControlClass, SourceId};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::path::Path;

/// How to read a GeoJSON file whose format frontline does not know.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// The source the snapshots are stored under.
    pub source: SourceId,
    /// The property whose value says the class.
    pub property: String,
    /// Property value -> class.
    pub values: Vec<(String, ControlClass)>,
    /// The class of features no value matches; `None` skips them.
    pub default: Option<ControlClass>,
    /// The snapshot's instant, if the user gives it.
    pub taken_at: Option<DateTime<Utc>>,
    /// A property holding each feature's date, if any.
    pub date_property: Option<String>,
}

impl Mapping {
    /// Parses `PROPERTY=VALUE:CLASS,...[,*:CLASS]` (module documentation).
    pub fn parse_rules(source: SourceId, rules: &str) -> Result<Mapping> {
        let bad = |rule: &str, why: &str| {
            Error::Request(format!(
                "mapping rule {rule:?}: {why}; write PROPERTY=VALUE:CLASS (e.g. status=contested:gray), or *:CLASS for the rest"
            ))
        };
        let mut property: Option<String> = None;
        let mut values = vec![];
        let mut default = None;
        for rule in rules.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            let (lhs, class) = rule.rsplit_once(':').ok_or_else(|| bad(rule, "no :CLASS"))?;
            let class =
                ControlClass::parse(class).ok_or_else(|| bad(rule, "the class must be occupied, gray or liberated"))?;
            if lhs.trim() == "*" {
                if default.replace(class).is_some() {
                    return Err(bad(rule, "a second *:CLASS"));
                }
                continue;
            }
            let (prop, value) = lhs.split_once('=').ok_or_else(|| bad(rule, "no PROPERTY=VALUE"))?;
            let prop = prop.trim();
            if prop.is_empty() {
                return Err(bad(rule, "empty property name"));
            }
            match &property {
                None => property = Some(prop.to_string()),
                Some(p) if p != prop => {
                    return Err(bad(rule, &format!("every rule must name the same property (first was {p:?})")))
                }
                Some(_) => {}
            }
            let value = value.trim().to_string();
            if values.iter().any(|(v, _)| *v == value) {
                return Err(bad(rule, "this value is mapped twice"));
            }
            values.push((value, class));
        }
        let property = property.ok_or_else(|| {
            Error::Request(
                "a mapping needs at least one PROPERTY=VALUE:CLASS rule (e.g. status=occupied:occupied)".into(),
            )
        })?;
        Ok(Mapping { source, property, values, default, taken_at: None, date_property: None })
    }

    /// The classes this mapping can produce (every one is published, even empty).
    pub fn classes(&self) -> Vec<ControlClass> {
        let mut c: Vec<ControlClass> = self.values.iter().map(|(_, c)| *c).chain(self.default).collect();
        c.sort();
        c.dedup();
        c
    }

    /// The class of a property value, if mapped.
    fn class_of(&self, value: Option<&Value>) -> std::result::Result<ControlClass, String> {
        let text = value.map(value_text);
        if let Some(t) = &text {
            if let Some((_, c)) = self.values.iter().find(|(v, _)| v == t) {
                return Ok(*c);
            }
        }
        self.default.ok_or_else(|| match text {
            Some(t) => format!("unmapped {}={t:?}", self.property),
            None => format!("no property {}", self.property),
        })
    }
}

/// A property value as the rules match it.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    }
}

/// Parses `YYYY-MM-DD`, `YYYYMMDD` or RFC 3339 (dates at 00:00 UTC).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().or_else(|| {
        (t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| NaiveDate::parse_from_str(t, "%Y%m%d").ok())
            .flatten()
    })?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// The first `YYYY-MM-DD`, or `YYYYMMDD` standing alone (not part of a longer
/// run of digits), in a file name.
pub fn date_in_name(name: &str) -> Option<NaiveDate> {
    let b = name.as_bytes();
    for i in 0..b.len() {
        if let Some(s) = name.get(i..i + 10) {
            if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                return Some(d);
            }
        }
        let starts_run = i == 0 || !b[i - 1].is_ascii_digit();
        let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if starts_run && digits == 8 {
            if let Ok(d) = NaiveDate::parse_from_str(&name[i..i + 8], "%Y%m%d") {
                return Some(d);
            }
        }
    }
    None
}

pub(super) fn ingest(path: &Path, bytes: &[u8], mapping: &Mapping, ctx: &IngestContext) -> Result<FileIngest> {
    let features = geojson::parse_features(path, bytes)?;
    let taken_at = taken_at(path, mapping, &features)?;
    let mut report = FileReport { features: features.len(), ..FileReport::default() };
    let mut classified = Classified::default();
    for f in features {
        report.note_feature(&f);
        if f.polygons.is_empty() {
            continue;
        }
        match mapping.class_of(f.properties.get(&mapping.property)) {
            Ok(class) => {
                for p in f.polygons {
                    classified.push_from(class, p, f.index);
                }
            }
            Err(reason) => {
                for _ in 0..f.polygons.len() {
                    report.skip(reason.clone());
                }
            }
        }
    }
    assemble(path, mapping.source.clone(), taken_at, &mapping.classes(), classified, report, ctx)
}

fn taken_at(path: &Path, mapping: &Mapping, features: &[geojson::RawFeature]) -> Result<DateTime<Utc>> {
    if let Some(t) = mapping.taken_at {
        return Ok(t);
    }
    if let Some(prop) = &mapping.date_property {
        let mut found: Option<DateTime<Utc>> = None;
        for f in features {
            let Some(v) = f.properties.get(prop) else {
                continue;
            };
            let text = value_text(v);
            let t = parse_instant(&text).ok_or_else(|| {
                Error::feature(
                    path,
                    f.index,
                    format!("{prop}={text:?} is not a date (YYYY-MM-DD, YYYYMMDD or RFC 3339)"),
                )
            })?;
            match found {
                Some(prev) if prev != t => {
                    return Err(Error::feature(
                        path,
                        f.index,
                        format!("{prop} is {t}, but an earlier feature has {prev}; a snapshot is one instant: split the file or pass the date"),
                    ))
                }
                _ => found = Some(t),
            }
        }
        if let Some(t) = found {
            return Ok(t);
        }
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    date_in_name(name).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc()).ok_or_else(|| {
        Error::file(
            path,
            "no date for this snapshot: pass one (--date YYYY-MM-DD), name a date property, \
                 or put YYYY-MM-DD in the file name",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    const DOC: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"status":"occupied","day":"2024-05-01"},
       "geometry":{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,49],[30,49],[30,48]]]}},
      {"type":"Feature","properties":{"status":"contested","day":"2024-05-01"},
       "geometry":{"type":"Polygon","coordinates":[[[32,48],[33,48],[33,49],[32,48]]]}},
      {"type":"Feature","properties":{"status":"rumour","day":"2024-05-01"},
       "geometry":{"type":"Polygon","coordinates":[[[34,48],[35,48],[35,49],[34,48]]]}},
      {"type":"Feature","properties":{"status":7},
       "geometry":{"type":"Point","coordinates":[34,48]}}]}"#;

    fn mapping(rules: &str) -> Mapping {
        Mapping::parse_rules(SourceId::new("mine"), rules).expect("valid rules")
    }

    #[test]
    fn parses_rules() {
        let m = mapping("status=occupied:occupied, status=a:b:grey ,*:liberated");
        assert_eq!(m.property, "status");
        assert_eq!(
            m.values,
            vec![("occupied".to_string(), ControlClass::Occupied), ("a:b".to_string(), ControlClass::Gray)]
        );
        assert_eq!(m.default, Some(ControlClass::Liberated));
        for bad in [
            "",
            "status=x",
            "status=x:enemy",
            "status=x:gray,kind=y:gray",
            "*:gray",
            "=x:gray",
            "status=x:gray,status=x:occupied",
        ] {
            assert!(Mapping::parse_rules(SourceId::new("m"), bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn classifies_and_counts_unmapped() {
        let mut m = mapping("status=occupied:occupied,status=contested:gray");
        m.date_property = Some("day".into());
        let r = ingest(Path::new("any.geojson"), DOC.as_bytes(), &m, &IngestContext::default()).expect("ingests");
        assert_eq!(r.snapshot.date(), NaiveDate::from_ymd_opt(2024, 5, 1).expect("date"));
        // The unit square and the half-square triangle, in square degrees.
        let occ = r.snapshot.layer(ControlClass::Occupied).expect("occupied");
        assert!((occ.unsigned_area() - 1.0).abs() < 1e-12);
        let gray = r.snapshot.layer(ControlClass::Gray).expect("gray");
        assert!((gray.unsigned_area() - 0.5).abs() < 1e-12);
        assert!(r.snapshot.layer(ControlClass::Liberated).is_none());
        assert_eq!(r.report.skipped.get("unmapped status=\"rumour\""), Some(&1));
        assert_eq!(r.report.skipped.get("point or line (not territory)"), Some(&1));
    }

    #[test]
    fn date_sources_in_order() {
        let m = mapping("status=occupied:occupied,*:gray");
        let e = ingest(Path::new("any.geojson"), DOC.as_bytes(), &m, &IngestContext::default())
            .expect_err("no date anywhere")
            .to_string();
        assert!(e.contains("--date"), "{e}");
        let r = ingest(Path::new("map_20240502.geojson"), DOC.as_bytes(), &m, &IngestContext::default())
            .expect("date from name");
        assert_eq!(r.snapshot.taken_at.to_rfc3339(), "2024-05-02T00:00:00+00:00");
        assert_eq!(r.report.polygons.get(&ControlClass::Gray), Some(&2));
        let mut m2 = m.clone();
        m2.taken_at = parse_instant("2024-05-03T10:00:00Z");
        let r = ingest(Path::new("map_20240502.geojson"), DOC.as_bytes(), &m2, &IngestContext::default())
            .expect("explicit date");
        assert_eq!(r.snapshot.taken_at.to_rfc3339(), "2024-05-03T10:00:00+00:00");
    }

    #[test]
    fn dates_in_names() {
        let d = |s: &str| date_in_name(s).map(|d| d.to_string());
        assert_eq!(d("front 2024-05-02 final.geojson").as_deref(), Some("2024-05-02"));
        assert_eq!(d("x_20240502.json").as_deref(), Some("2024-05-02"));
        assert_eq!(d("1754251105.geojson"), None);
        assert_eq!(d("20241302.geojson"), None);
    }
}
