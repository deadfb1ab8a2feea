//! Claims from a CSV file, one a row, for people who already know what
//! they want checked:
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
//! `kind`: country, region, town, gained, corridor, front-length. `subject`:
//! the oblast (region), the settlement (town, corridor). `value`: a number
//! as written (its step follows the same rules as in text, so `116,000`
//! has step 1,000) or a fraction word ("a fifth", "nearly all"). `unit`: %,
//! km2, sqmi, km, m. `qualifier`: exact, about, almost, more than, less
//! than; for a town the event instead: captured, liberated, encircled,
//! held. `date`: YYYY-MM-DD (the end of the period for `gained`), else
//! `--as-of`. `from`: the start of the period (gained only). `side`:
//! russia (default) or ukraine.

use super::text::{extract_sentence, NoPlaces};

use super::{Amount, Claim, ClaimKind, DateFrom, Qualifier, Side, TownEvent, Unit};
use crate::error::{Error, Result};
use chrono::NaiveDate;
use std::path::Path;

/// The columns, in the order the header must name them (extra columns are ignored).
pub const COLUMNS: [&str; 8] = ["kind", "subject", "value", "unit", "qualifier", "date", "from", "side"];

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
    let Some(kind_col) = col("kind") else {
        return Err(Error::file(
            path,
            "line 1: no 'kind' column; the header must be kind,subject,value,unit,qualifier,date,from,side",
        ));
    };
    let cols: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    let mut out = vec![];
    for (n, (line, rec)) in records.iter().enumerate().skip(1) {
        let get = |k: usize| cols[k].and_then(|c| rec.get(c)).map(|s| s.trim()).unwrap_or("");
        let bad = |what: String| Error::file(path, format!("line {line}: {what}"));
        let kind_name = rec.get(kind_col).map(|s| s.trim().to_ascii_lowercase()).unwrap_or_default();
        let subject = get(1);
        let date = parse_date(get(5)).map_err(bad)?;
        let from = parse_date(get(6)).map_err(bad)?;
        let side = match get(7).to_ascii_lowercase().as_str() {
            "" | "russia" | "ru" => Side::Russia,
            "ukraine" | "ua" => Side::Ukraine,
            other => return Err(bad(format!("side '{other}' is neither russia nor ukraine"))),
        };
        let event = TownEvent::parse(get(4));
        let amount = if get(2).is_empty() {
            None
        } else {
            Some(parse_amount(get(2), get(3), if kind_name == "town" { "" } else { get(4) }).map_err(bad)?)
        };
        let need_subject = |what: &str| -> Result<String> {
            if subject.is_empty() {
                Err(bad(format!("a {kind_name} claim needs the {what} in 'subject'")))
            } else {
                Ok(subject.to_string())
            }
        };
        let kind = match kind_name.as_str() {
            "country" => ClaimKind::Country,
            "region" => {
                let s = need_subject("oblast")?;
                let found = super::text::region_named(&s).map(|(i, n)| (i.to_string(), n.to_string()));
                let (iso, name) = found.ok_or_else(|| bad(format!("'{s}' is not an oblast frontline knows (Donetsk, Luhansk, Zaporizhzhia, Kherson, Kharkiv, Sumy, Dnipropetrovsk, Mykolaiv, Crimea, ...)")))?;
                ClaimKind::Region { iso, name }
            }
            "town" => {
                let event = event.ok_or_else(|| {
                    bad(format!("town event '{}' is not captured, liberated, encircled or held", get(4)))
                })?;
                ClaimKind::Town { place: need_subject("settlement")?, event }
            }
            "gained" => ClaimKind::Gained,
            "corridor" => ClaimKind::Corridor { place: need_subject("settlement")? },
            "front-length" | "front" | "front_length" => ClaimKind::FrontLength,
            other => {
                return Err(bad(format!(
                    "kind '{other}' is not one of country, region, town, gained, corridor, front-length"
                )))
            }
        };
        if !matches!(kind, ClaimKind::Town { .. }) && amount.is_none() {
            return Err(bad(format!("a {kind_name} claim needs a value")));
        }
        if kind == ClaimKind::Gained && from.is_none() {
            return Err(bad("a gained claim needs the start of its period in 'from' (YYYY-MM-DD)".into()));
        }
        let (date, date_from) = match (date, as_of) {
            (Some(d), _) => (Some(d), DateFrom::Claim),
            (None, Some(a)) => (Some(a), DateFrom::AsOf),
            (None, None) => (None, DateFrom::None),
        };
        out.push(Claim {
            quote: rec.join(","),
            sentence: n - 1,
            kind,
            side,
            amount,
            date,
            from: if matches!(kind_name.as_str(), "gained") { from } else { None },
            date_from,
        });
    }
    Ok(out)
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
        Some(Unit::parse(unit).ok_or_else(|| format!("unit '{unit}' is not %, km2, sqmi, km or m"))?)
    };
    let q_given =
        if qualifier.is_empty() {
            None
        } else {
            Some(Qualifier::parse(qualifier).ok_or_else(|| {
                format!("qualifier '{qualifier}' is not exact, about, almost, more than or less than")
            })?)
        };
    // Let the grammar read the number with a unit it knows, then keep the given unit.
    let unit_words = match unit_given.unwrap_or(Unit::Percent) {
        Unit::Percent => "%",
        Unit::Km2 | Unit::SqMi => "km²",
        Unit::Km | Unit::M => "km",
    };
    let probe = if value.chars().any(|c| c.is_ascii_digit()) {
        format!("Russia holds {value} {unit_words} of Ukraine")
    } else {
        format!("Russia holds {value} of Ukraine")
    };
    let toks_claims = extract_sentence(&probe, 0, None, &NoPlaces);
    let mut a = toks_claims.into_iter().find_map(|c| c.amount).ok_or_else(|| {
        format!("value '{value}' is not a number or a fraction word (19.25, 116,000, a fifth, nearly all)")
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
}
