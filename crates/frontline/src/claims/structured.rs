//! Claims from a structured file, one a row or entry, for people who
//! already know what they want checked. Three formats carry the same
//! fields: CSV (a header line naming the columns),
//!
//! ```text
//! kind,subject,value,unit,qualifier,date,from,side
//! country,,19.25,%,,2026-01-01,,russia
//! region,Luhansk,nearly all,,,2025-06-01,,russia
//! town,Velyka Novosilka,,,captured,2025-01-27,,russia
//! gained,,4336,km2,,2026-01-01,2025-01-01,russia
//! corridor,Pokrovsk,3,km,about,2025-11-01,,
//! front-length,,1200,km,about,2025-11-20,,
//! ```
//!
//! YAML (a list of entries, or a `claims:` key holding one),
//!
//! ```yaml
//! claims:
//!   - {kind: country, value: "19.25", unit: "%", date: 2026-01-01}
//!   - {kind: gained, value: "259", unit: km2, period: 2025-09}
//! ```
//!
//! and TOML (an array of `[[claims]]` tables):
//!
//! ```toml
//! [[claims]]
//! kind = "town"
//! subject = "Kupiansk"
//! qualifier = "held"
//! date = 2025-11-21
//! ```
//!
//! `kind`: country, region, town, gained, corridor, front-length. `subject`:
//! the oblast (region), the settlement (town, corridor). `value`: a number
//! as written (its step follows the same rules as in text, so `116,000`
//! has step 1,000; in YAML and TOML quote it to keep trailing zeros: 19.10
//! unquoted is read as 19.1) or a fraction word ("a fifth", "nearly all").
//! `unit`: %, km2, sqmi, km, m. `qualifier`: exact, about, almost, more
//! than, less than; for a town the event instead: captured, liberated,
//! encircled, held. `date`: YYYY-MM-DD (the end of the period for
//! `gained`), else `--as-of`. `from`: the start of the period (gained
//! only). `period` (instead of `from` and `date`): `2025-11` (the month:
//! the maps of 1 November and 1 December), `2025` (the year: 1 January to
//! the next 1 January) or `2025-03-01..2025-06-01`. `side`: russia
//! (default) or ukraine.

use super::text::{extract_sentence, NoPlaces};

use super::{Amount, Claim, ClaimKind, DateFrom, Qualifier, Side, TownEvent, Unit};
use crate::error::{Error, Result};
use chrono::{Datelike, NaiveDate};
use std::path::Path;

/// The fields, in the order a CSV header names them (extra columns are
/// ignored; `period` may follow).
pub const COLUMNS: [&str; 8] = ["kind", "subject", "value", "unit", "qualifier", "date", "from", "side"];

/// Every field a claim may have, in every format.
const FIELDS: [&str; 9] = ["kind", "subject", "value", "unit", "qualifier", "date", "from", "side", "period"];

/// The formats a claims file may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A header line naming the columns, one claim a line.
    Csv,
    /// A list of mappings, or a `claims:` key holding one.
    Yaml,
    /// An array of `[[claims]]` tables.
    Toml,
}

/// The structured format of a file, from its extension (`.csv`, `.yaml`,
/// `.yml`, `.toml`) or, for standard input or another name, from a CSV
/// header line; `None` for text.
pub fn format_of(path: &Path, text: &str) -> Option<Format> {
    let ext = path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("csv") => Some(Format::Csv),
        Some("yaml" | "yml") => Some(Format::Yaml),
        Some("toml") => Some(Format::Toml),
        _ if is_claims_csv(text) => Some(Format::Csv),
        _ => None,
    }
}

/// Reads the claims of a structured file in `format`; errors name `path`
/// and the line (CSV) or the claim's number (YAML, TOML) and field.
pub fn parse(format: Format, text: &str, path: &Path, as_of: Option<NaiveDate>) -> Result<Vec<Claim>> {
    match format {
        Format::Csv => parse_csv(text, path, as_of),
        Format::Yaml => parse_yaml(text, path, as_of),
        Format::Toml => parse_toml(text, path, as_of),
    }
}

/// Whether a text looks like this CSV (its first line is the header).
pub fn is_claims_csv(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("").trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
    first.starts_with("kind,")
}

/// Reads the claims of a CSV text; `path` names the file in errors, as
/// "path: line N: problem".
pub fn parse_csv(text: &str, path: &Path, as_of: Option<NaiveDate>) -> Result<Vec<Claim>> {
    let text = text.trim_start_matches('\u{feff}');
    let records = crate::places::gazetteer::csv_records(text)
        .map_err(|line| Error::file(path, format!("line {line}: a quoted field is never closed")))?;
    let Some((_, header)) = records.first() else {
        return Err(Error::file(
            path,
            "empty file: expected a header line kind,subject,value,unit,qualifier,date,from,side",
        ));
    };
    let col = |name: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    if col("kind").is_none() {
        return Err(Error::file(
            path,
            "line 1: no 'kind' column; the header must be kind,subject,value,unit,qualifier,date,from,side",
        ));
    }
    let cols: Vec<Option<usize>> = FIELDS.iter().map(|c| col(c)).collect();
    let mut out = vec![];
    for (n, (line, rec)) in records.iter().enumerate().skip(1) {
        let fields: [&str; 9] =
            std::array::from_fn(|k| cols[k].and_then(|c| rec.get(c)).map(|s| s.trim()).unwrap_or(""));
        let claim = claim_of(&fields, n - 1, rec.join(","), as_of)
            .map_err(|what| Error::file(path, format!("line {line}: {what}")))?;
        out.push(claim);
    }
    Ok(out)
}

/// Reads the claims of a YAML text (see the module docs).
pub fn parse_yaml(text: &str, path: &Path, as_of: Option<NaiveDate>) -> Result<Vec<Claim>> {
    use serde_norway::Value;
    let doc: Value = serde_norway::from_str(text).map_err(|e| {
        let at = e.location().map(|l| format!("line {}: ", l.line())).unwrap_or_default();
        Error::file(path, format!("{at}not YAML ({e}); write a list of claims, one mapping each"))
    })?;
    let list = match &doc {
        Value::Sequence(s) => s,
        Value::Mapping(m) => match m.get("claims") {
            Some(Value::Sequence(s)) => s,
            _ => {
                return Err(Error::file(
                    path,
                    "no list of claims: write a list of mappings, or put it under a 'claims:' key",
                ))
            }
        },
        Value::Null => return Err(Error::file(path, "empty file: write a list of claims, one mapping each")),
        _ => return Err(Error::file(path, "not a list of claims: write a list of mappings, one a claim")),
    };
    let scalar = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => Some(String::new()),
            _ => None,
        }
    };
    let mut out = vec![];
    for (n, entry) in list.iter().enumerate() {
        let bad = |what: String| Error::file(path, format!("claim {}: {what}", n + 1));
        let Value::Mapping(m) = entry else {
            return Err(bad("not a mapping of fields (kind, subject, value, unit, ...)".into()));
        };
        let mut pairs = vec![];
        for (k, v) in m {
            let key = scalar(k).unwrap_or_default();
            let value =
                scalar(v).ok_or_else(|| bad(format!("field '{key}' holds a list or mapping, not one value")))?;
            pairs.push((key, value));
        }
        out.push(claim_of_pairs(&pairs, n, as_of).map_err(bad)?);
    }
    Ok(out)
}

/// Reads the claims of a TOML text (see the module docs).
pub fn parse_toml(text: &str, path: &Path, as_of: Option<NaiveDate>) -> Result<Vec<Claim>> {
    use toml::Value;
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let at = e
            .span()
            .map(|s| format!("line {}: ", text[..s.start.min(text.len())].matches('\n').count() + 1))
            .unwrap_or_default();
        Error::file(path, format!("{at}not TOML ({}); write one [[claims]] table a claim", e.message()))
    })?;
    let Some(list) = doc.get("claims") else {
        return Err(Error::file(path, "no [[claims]] tables: write one [[claims]] table a claim"));
    };
    let Value::Array(list) = list else {
        return Err(Error::file(path, "'claims' is not an array of tables: write one [[claims]] table a claim"));
    };
    let mut out = vec![];
    for (n, entry) in list.iter().enumerate() {
        let bad = |what: String| Error::file(path, format!("claim {}: {what}", n + 1));
        let Value::Table(t) = entry else {
            return Err(bad("not a table of fields (kind, subject, value, unit, ...)".into()));
        };
        let mut pairs = vec![];
        for (k, v) in t {
            let value = match v {
                Value::String(s) => s.trim().to_string(),
                Value::Integer(i) => i.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Boolean(b) => b.to_string(),
                Value::Datetime(d) => d.to_string(),
                _ => return Err(bad(format!("field '{k}' holds a list or table, not one value"))),
            };
            pairs.push((k.clone(), value));
        }
        out.push(claim_of_pairs(&pairs, n, as_of).map_err(bad)?);
    }
    Ok(out)
}

/// A claim from named fields (YAML, TOML); an unknown name is an error, so
/// that a misspelt field is not silently ignored.
fn claim_of_pairs(
    pairs: &[(String, String)],
    n: usize,
    as_of: Option<NaiveDate>,
) -> std::result::Result<Claim, String> {
    let mut fields: [&str; 9] = [""; 9];
    for (k, v) in pairs {
        let Some(i) = FIELDS.iter().position(|f| k.trim().eq_ignore_ascii_case(f)) else {
            return Err(format!("unknown field '{k}'; the fields are {}", FIELDS.join(", ")));
        };
        fields[i] = v.as_str();
    }
    if fields[0].is_empty() {
        return Err("no 'kind' (country, region, town, gained, corridor, front-length)".into());
    }
    let quote = pairs.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ");
    claim_of(&fields, n, quote, as_of)
}

/// A claim from its fields in [`FIELDS`] order (empty when absent); the
/// error is the problem alone, which the caller prefixes with where.
fn claim_of(
    fields: &[&str; 9],
    n: usize,
    quote: String,
    as_of: Option<NaiveDate>,
) -> std::result::Result<Claim, String> {
    let get = |k: usize| fields[k];
    let kind_name = get(0).to_ascii_lowercase();
    let subject = get(1);
    let mut date = parse_date(get(5)).map_err(|e| format!("field 'date': {e}"))?;
    let mut from = parse_date(get(6)).map_err(|e| format!("field 'from': {e}"))?;
    if !get(8).is_empty() {
        let (s, e) = parse_period(get(8)).map_err(|e| format!("field 'period': {e}"))?;
        if date.is_some_and(|d| d != e) || from.is_some_and(|f| f != s) {
            return Err(format!(
                "'period' {} runs {s} to {e}, which 'date'/'from' contradict; give either the period or the dates",
                get(8)
            ));
        }
        (from, date) = (Some(s), Some(e));
    }
    let side = match get(7).to_ascii_lowercase().as_str() {
        "" | "russia" | "ru" => Side::Russia,
        "ukraine" | "ua" => Side::Ukraine,
        other => return Err(format!("field 'side': '{other}' is neither russia nor ukraine")),
    };
    let event = TownEvent::parse(get(4));
    let amount = if get(2).is_empty() {
        None
    } else {
        Some(parse_amount(get(2), get(3), if kind_name == "town" { "" } else { get(4) })?)
    };
    let need_subject = |what: &str| -> std::result::Result<String, String> {
        if subject.is_empty() {
            Err(format!("a {kind_name} claim needs the {what} in 'subject'"))
        } else {
            Ok(subject.to_string())
        }
    };
    let kind = match kind_name.as_str() {
        "country" => ClaimKind::Country,
        "region" => {
            let s = need_subject("oblast")?;
            let found = super::text::region_named(&s).map(|(i, n)| (i.to_string(), n.to_string()));
            let (iso, name) = found.ok_or_else(|| format!("field 'subject': '{s}' is not an oblast frontline knows (Donetsk, Luhansk, Zaporizhzhia, Kherson, Kharkiv, Sumy, Dnipropetrovsk, Mykolaiv, Crimea, ...)"))?;
            ClaimKind::Region { iso, name }
        }
        "town" => {
            let event = event.ok_or_else(|| {
                format!("field 'qualifier': town event '{}' is not captured, liberated, encircled or held", get(4))
            })?;
            ClaimKind::Town { place: need_subject("settlement")?, event }
        }
        "gained" => ClaimKind::Gained,
        "corridor" => ClaimKind::Corridor { place: need_subject("settlement")? },
        "front-length" | "front" | "front_length" => ClaimKind::FrontLength,
        other => {
            return Err(format!(
                "field 'kind': '{other}' is not one of country, region, town, gained, corridor, front-length"
            ))
        }
    };
    if !matches!(kind, ClaimKind::Town { .. }) && amount.is_none() {
        return Err(format!("a {kind_name} claim needs a 'value'"));
    }
    if kind == ClaimKind::Gained && from.is_none() {
        return Err(
            "a gained claim needs its period: 'from' (YYYY-MM-DD) with 'date', or 'period' (2025-11, 2025, or FROM..TO)"
                .into(),
        );
    }
    if let (ClaimKind::Gained, Some(f), Some(d)) = (&kind, from, date) {
        if f >= d {
            return Err(format!("the period starts ({f}) on or after it ends ({d})"));
        }
    }
    let (date, date_from) = match (date, as_of) {
        (Some(d), _) => (Some(d), DateFrom::Claim),
        (None, Some(a)) => (Some(a), DateFrom::AsOf),
        (None, None) => (None, DateFrom::None),
    };
    Ok(Claim {
        quote,
        sentence: n,
        kind,
        side,
        amount,
        date,
        from: if matches!(kind_name.as_str(), "gained") { from } else { None },
        date_from,
    })
}

/// A period: `YYYY-MM` (that month's first day to the next month's),
/// `YYYY` (1 January to the next 1 January), or `FROM..TO`.
fn parse_period(s: &str) -> std::result::Result<(NaiveDate, NaiveDate), String> {
    let s = s.trim();
    let help = "write 2025-11 (a month), 2025 (a year) or 2025-03-01..2025-06-01";
    if let Some((a, b)) = s.split_once("..") {
        let a = parse_date(a.trim())?.ok_or_else(|| format!("'{s}' has no start; {help}"))?;
        let b = parse_date(b.trim())?.ok_or_else(|| format!("'{s}' has no end; {help}"))?;
        return Ok((a, b));
    }
    if let Ok(y) = s.parse::<i32>() {
        if (1900..=2200).contains(&y) {
            if let (Some(a), Some(b)) = (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y + 1, 1, 1)) {
                return Ok((a, b));
            }
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d") {
        if d.day() == 1 && s.len() == 7 {
            if let Some(e) = d.checked_add_months(chrono::Months::new(1)) {
                return Ok((d, e));
            }
        }
    }
    Err(format!("'{s}' is not a period; {help}"))
}

fn parse_date(s: &str) -> std::result::Result<Option<NaiveDate>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| format!("'{s}' is not a date: use YYYY-MM-DD"))
}

/// Reads a value as the text grammar does (steps, fraction words), with
/// the unit and qualifier from their own columns when given.
fn parse_amount(value: &str, unit: &str, qualifier: &str) -> std::result::Result<Amount, String> {
    let unit_given = if unit.is_empty() {
        None
    } else {
        Some(Unit::parse(unit).ok_or_else(|| format!("field 'unit': '{unit}' is not %, km2, sqmi, km or m"))?)
    };
    let q_given = if qualifier.is_empty() {
        None
    } else {
        Some(Qualifier::parse(qualifier).ok_or_else(|| {
            format!("field 'qualifier': '{qualifier}' is not exact, about, almost, more than or less than")
        })?)
    };
    // Let the grammar read the number with a unit it knows, then keep the given unit.
    let unit_words = match unit_given.unwrap_or(Unit::Percent) {
        Unit::Percent => "%",
        Unit::Km2 | Unit::SqMi => "km²",
        Unit::Km | Unit::M => "km",
    };
    let probe = if unit_words == "km" {
        // A length is read in a sentence about one.
        format!("The front line is {value} km long.")
    } else if value.chars().any(|c| c.is_ascii_digit()) {
        format!("Russia holds {value} {unit_words} of Ukraine")
    } else {
        // An oblast, since "all" of the country is never read as a claim.
        format!("Russia holds {value} of Luhansk region")
    };
    let toks_claims = extract_sentence(&probe, 0, None, &NoPlaces);
    let mut a = toks_claims.into_iter().find_map(|c| c.amount).ok_or_else(|| {
        format!("field 'value': '{value}' is not a number or a fraction word (19.25, 116,000, a fifth, nearly all)")
    })?;
    if let Some(u) = unit_given {
        a.unit = u;
    }
    if let Some(q) = q_given {
        a.qualifier = q;
    }
    a.text = [value, unit].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join(" ");
    Ok(a)
}

impl TownEvent {
    /// Parses captured, liberated, encircled, held.
    pub fn parse(s: &str) -> Option<TownEvent> {
        match s.trim().to_ascii_lowercase().as_str() {
            "captured" | "taken" | "occupied" => Some(TownEvent::Captured),
            "liberated" | "retaken" => Some(TownEvent::Liberated),
            "encircled" | "surrounded" => Some(TownEvent::Encircled),
            "held" | "still held" | "holds" => Some(TownEvent::Held),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_claims_and_bad_rows_name_their_line() {
        let text = "kind,subject,value,unit,qualifier,date,from,side\n\
                    country,,19.25,%,,2026-01-01,,russia\n\
                    region,Luhansk,nearly all,,,2025-06-01,,\n\
                    town,Velyka Novosilka,,,captured,2025-01-27,,\n\
                    gained,,4336,km2,,2026-01-01,2025-01-01,\n\
                    country,,44800,sqmi,about,,,\n";
        let c = parse_csv(text, Path::new("c.csv"), NaiveDate::from_ymd_opt(2025, 9, 1)).expect("parses");
        assert_eq!(c.len(), 5);
        assert_eq!(c[0].amount.as_ref().map(|a| a.band()), Some((19.245, 19.255)));
        assert_eq!(c[1].amount.as_ref().map(|a| a.band()), Some((95.0, 100.0)));
        assert_eq!(c[2].kind, ClaimKind::Town { place: "Velyka Novosilka".into(), event: TownEvent::Captured });
        assert_eq!(c[3].from, NaiveDate::from_ymd_opt(2025, 1, 1));
        // 44,800 sq mi about: step 100 sq mi -> 44,700..44,900 sq mi in km².
        let (lo, hi) = c[4].amount.as_ref().map(|a| a.band()).expect("amount");
        assert!((lo - 115_772.47).abs() < 0.01 && (hi - 116_290.47).abs() < 0.01, "{lo} {hi}");
        assert_eq!(c[4].date_from, DateFrom::AsOf);
        let err =
            parse_csv("kind,subject,value\nregion,Atlantis,5\n", Path::new("c.csv"), None).expect_err("bad oblast");
        assert!(err.to_string().contains("c.csv") && err.to_string().contains("line 2"), "{err}");
        let err =
            parse_csv("kind,value,date\ncountry,19,2025-13-01\n", Path::new("c.csv"), None).expect_err("bad date");
        assert!(err.to_string().contains("line 2") && err.to_string().contains("YYYY-MM-DD"), "{err}");
    }

    /// The same five claims in the three formats give the same claims.
    #[test]
    fn yaml_and_toml_read_as_csv_does() {
        let csv = "kind,subject,value,unit,qualifier,date,from,side\n\
                   country,,19.25,%,,2026-01-01,,russia\n\
                   region,Luhansk,nearly all,,,2025-06-01,,\n\
                   town,Velyka Novosilka,,,captured,2025-01-27,,\n\
                   gained,,\"4,336\",km2,,2026-01-01,2025-01-01,\n\
                   country,,44800,sqmi,about,,,ukraine\n";
        let yaml = "claims:\n\
                    - {kind: country, value: \"19.25\", unit: \"%\", date: 2026-01-01, side: russia}\n\
                    - kind: region\n  subject: Luhansk\n  value: nearly all\n  date: 2025-06-01\n\
                    - {kind: town, subject: Velyka Novosilka, qualifier: captured, date: 2025-01-27}\n\
                    - {kind: gained, value: \"4,336\", unit: km2, period: 2025}\n\
                    - {kind: country, value: 44800, unit: sqmi, qualifier: about, side: ukraine}\n";
        let toml = "[[claims]]\nkind = \"country\"\nvalue = \"19.25\"\nunit = \"%\"\ndate = 2026-01-01\n\
                    [[claims]]\nkind = \"region\"\nsubject = \"Luhansk\"\nvalue = \"nearly all\"\ndate = \"2025-06-01\"\n\
                    [[claims]]\nkind = \"town\"\nsubject = \"Velyka Novosilka\"\nqualifier = \"captured\"\ndate = 2025-01-27\n\
                    [[claims]]\nkind = \"gained\"\nvalue = \"4,336\"\nunit = \"km2\"\nperiod = \"2025-01-01..2026-01-01\"\n\
                    [[claims]]\nkind = \"country\"\nvalue = 44800\nunit = \"sqmi\"\nqualifier = \"about\"\nside = \"ukraine\"\n";
        let as_of = NaiveDate::from_ymd_opt(2025, 9, 1);
        type Seen = (ClaimKind, Side, Option<(f64, f64)>, Option<NaiveDate>, Option<NaiveDate>, DateFrom);
        let strip = |c: Vec<Claim>| -> Vec<Seen> {
            c.into_iter().map(|c| (c.kind, c.side, c.amount.map(|a| a.band()), c.date, c.from, c.date_from)).collect()
        };
        let from_csv = strip(parse(Format::Csv, csv, Path::new("c.csv"), as_of).expect("csv"));
        let from_yaml = strip(parse(Format::Yaml, yaml, Path::new("c.yaml"), as_of).expect("yaml"));
        let from_toml = strip(parse(Format::Toml, toml, Path::new("c.toml"), as_of).expect("toml"));
        assert_eq!(from_csv.len(), 5);
        assert_eq!(from_yaml, from_csv);
        assert_eq!(from_toml, from_csv);
        // "4,336" keeps its step of 1 km² in every format: 4,335.5..4,336.5.
        assert_eq!(from_toml[3].2, Some((4335.5, 4336.5)));
        // A YAML list at the top level is read too.
        let top = "- {kind: front-length, value: 1200, unit: km, qualifier: about, date: 2025-11-20}\n";
        let c = parse(Format::Yaml, top, Path::new("c.yml"), None).expect("top-level list");
        assert_eq!(c[0].kind, ClaimKind::FrontLength);
        // 1,200 km about: step 100 -> 1,100..1,300.
        assert_eq!(c[0].amount.as_ref().map(|a| a.band()), Some((1100.0, 1300.0)));
    }

    /// A month, a year and a range as `period`, and what contradicts them.
    #[test]
    fn periods() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(parse_period("2025-11"), Ok((d(2025, 11, 1), d(2025, 12, 1))));
        assert_eq!(parse_period("2024-12"), Ok((d(2024, 12, 1), d(2025, 1, 1))));
        assert_eq!(parse_period("2025"), Ok((d(2025, 1, 1), d(2026, 1, 1))));
        assert_eq!(parse_period("2025-03-01..2025-06-01"), Ok((d(2025, 3, 1), d(2025, 6, 1))));
        for bad in ["2025-13", "November", "2025-03-01..", "25"] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
        let err =
            parse_csv("kind,value,unit,date,period\ngained,259,km2,2025-10-02,2025-09\n", Path::new("g.csv"), None)
                .expect_err("date contradicts period");
        assert!(err.to_string().contains("line 2") && err.to_string().contains("contradict"), "{err}");
    }

    /// Bad input: one line naming the file, the claim (or line) and field, and the problem.
    #[test]
    fn bad_yaml_and_toml_name_file_claim_and_field() {
        let p = Path::new("claims.yaml");
        let cases_yaml: [(&str, &[&str]); 7] = [
            ("- {kind: country, value: 19, unit: furlongs, date: 2025-01-01}\n", &["claims.yaml", "claim 1", "field 'unit'", "furlongs"]),
            ("- {kind: gained, value: 259, unit: km2, date: 2025-10-01}\n- {kind: gained, value: 10, unit: km2, period: Nov}\n", &["claim 1", "period"]),
            ("- {kind: country, value: 19, unit: \"%\", date: 2025-01-01}\n- {kind: country, valeu: 19}\n", &["claim 2", "unknown field 'valeu'"]),
            ("- {kind: town, subject: Kupiansk, qualifier: sold, date: 2025-11-21}\n", &["claim 1", "field 'qualifier'", "sold"]),
            ("- {kind: country, value: [1, 2]}\n", &["claim 1", "field 'value'", "list"]),
            ("claims: [\n  {kind: country\n", &["claims.yaml", "line", "not YAML"]),
            ("just some words\n", &["claims.yaml", "not a list of claims"]),
        ];
        for (text, want) in cases_yaml {
            let err = parse(Format::Yaml, text, p, None).expect_err(text).to_string();
            assert!(!err.contains('\n'), "one line: {err}");
            for w in want {
                assert!(err.contains(w), "{text:?}: {err:?} lacks {w:?}");
            }
        }
        let p = Path::new("claims.toml");
        let cases_toml: [(&str, &[&str]); 5] = [
            (
                "[[claims]]\nkind = \"country\"\nvalue = \"19\"\nunit = \"%\"\ndate = \"2025-02-30\"\n",
                &["claims.toml", "claim 1", "field 'date'", "YYYY-MM-DD"],
            ),
            (
                "[[claims]]\nkind = \"country\"\nvalue = 19\nunit = \"%\"\n[[claims]]\nkind = \"island\"\nvalue = 1\n",
                &["claim 2", "field 'kind'", "island"],
            ),
            (
                "[[claims]]\nkind = \"region\"\nsubject = \"Atlantis\"\nvalue = 5\n",
                &["claim 1", "field 'subject'", "Atlantis"],
            ),
            ("[[claims]]\nkind = \"country\"\nvalue = \n", &["claims.toml", "line 3", "not TOML"]),
            ("kind = \"country\"\n", &["claims.toml", "[[claims]]"]),
        ];
        for (text, want) in cases_toml {
            let err = parse(Format::Toml, text, p, None).expect_err(text).to_string();
            assert!(!err.contains('\n'), "one line: {err}");
            for w in want {
                assert!(err.contains(w), "{text:?}: {err:?} lacks {w:?}");
            }
        }
    }

    #[test]
    fn format_from_extension_else_csv_header() {
        assert_eq!(format_of(Path::new("a.YAML"), ""), Some(Format::Yaml));
        assert_eq!(format_of(Path::new("a.yml"), ""), Some(Format::Yaml));
        assert_eq!(format_of(Path::new("a.toml"), ""), Some(Format::Toml));
        assert_eq!(format_of(Path::new("a.csv"), "x"), Some(Format::Csv));
        assert_eq!(format_of(Path::new("-"), "kind,value\ncountry,19\n"), Some(Format::Csv));
        assert_eq!(format_of(Path::new("article.txt"), "Russia holds 19% of Ukraine."), None);
    }
}
