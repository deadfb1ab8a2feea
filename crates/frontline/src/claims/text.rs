//! The grammar: sentences in, [`Claim`]s out.
//!
//! A sentence is cut into tokens (words, numbers with their separators,
//! symbols). Numbers are read with their unit (%, per cent, відсотків, km²,
//! square kilometres, кв. км, square miles, km, кілометрів, m) and the hedge
//! before them (see the table in [`super`]); fraction words ("a fifth",
//! "п'ята частина", "nearly all") are numbers too. Each number is then
//! given a kind by what surrounds it in its sentence: a region name after
//! it (or just before it, as in "Донецька – 78.1%") makes it a region
//! share or area; "of Ukraine", "of the country", "території" makes a
//! country share; a frontline word makes a length; a corridor word and
//! "wide" a corridor width; a verb of taking with a period ("in November",
//! "за 2025 рік", "since 12 November 2022") makes it area gained. Settlement
//! claims come from verbs of taking, retaking, encircling and holding next
//! to a name the gazetteer knows (exact spelling or a transliteration,
//! never a typo match). Anything else is not a claim: the sentence is
//! counted as skipped.

use super::{Amount, Claim, ClaimKind, DateFrom, Extraction, Qualifier, Side, TownEvent, Unit};
use chrono::{Datelike, Duration, NaiveDate};

/// Tells the grammar whether words name a settlement.
pub trait PlaceNames {
    /// `Some(name to resolve later)` when `words` (as written, possibly
    /// inflected) name a settlement; `None` otherwise.
    fn settlement(&self, words: &str) -> Option<String>;
}

/// No settlement names at all (for tests of the number grammar).
pub struct NoPlaces;

impl PlaceNames for NoPlaces {
    fn settlement(&self, _words: &str) -> Option<String> {
        None
    }
}

impl PlaceNames for crate::places::Gazetteer {
    fn settlement(&self, words: &str) -> Option<String> {
        use crate::places::MatchKind;
        for form in inflection_forms(words) {
            let hits = self.lookup(&form);
            if hits.iter().any(|m| !matches!(m.how, MatchKind::Typo { .. })) {
                return Some(form);
            }
        }
        None
    }
}

/// The nominative forms a Ukrainian (or English) inflected name may have:
/// the word itself, then the common case endings removed or replaced
/// (Покровська → Покровськ, Курахового → Курахове, Вугледару → Вугледар).
pub fn inflection_forms(words: &str) -> Vec<String> {
    let w = words.trim().to_string();
    let mut out = vec![w.clone()];
    let lower_last: String = w.chars().rev().take(3).collect::<String>().chars().rev().collect();
    let cyrillic = w.chars().any(|c| ('\u{0400}'..='\u{04ff}').contains(&c));
    if !cyrillic {
        return out;
    }
    let _ = lower_last;
    let swaps: [(&str, &str); 14] = [
        ("ого", "е"),
        ("ому", "е"),
        ("ої", "а"),
        ("ій", "а"),
        ("ою", "а"),
        ("ому", ""),
        ("ом", ""),
        ("ах", "и"),
        ("у", ""),
        ("а", ""),
        ("і", "а"),
        ("ю", "я"),
        ("і", ""),
        ("и", "а"),
    ];
    for (end, with) in swaps {
        if let Some(stem) = w.strip_suffix(end) {
            if stem.chars().count() >= 3 {
                out.push(format!("{stem}{with}"));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Word,
    Number { value: f64, step: f64 },
    Symbol,
}

#[derive(Debug, Clone)]
struct Tok {
    text: String,
    low: String,
    kind: Kind,
}

impl Tok {
    fn is(&self, w: &str) -> bool {
        self.low == w
    }
    fn starts(&self, p: &str) -> bool {
        self.low.starts_with(p)
    }
    fn capitalised(&self) -> bool {
        self.kind == Kind::Word && self.text.chars().next().is_some_and(char::is_uppercase)
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}' || c == '\u{2009}'
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '‘')
}

fn tokenize(s: &str) -> Vec<Tok> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_space(c) {
            i += 1;
        } else if c.is_ascii_digit() {
            let (tok, next) = read_number(&chars, i);
            out.push(tok);
            i = next;
        } else if c.is_alphabetic() {
            let start = i;
            while i < chars.len() {
                let c = chars[i];
                let inner = |j: usize| chars.get(j).is_some_and(|c| c.is_alphabetic());
                if c.is_alphabetic() || ((is_apostrophe(c) || c == '-') && inner(i + 1) && i > start) {
                    i += 1;
                } else {
                    break;
                }
            }
            // km² / км² keep their superscript.
            if chars.get(i) == Some(&'²') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let low = text.to_lowercase().replace(['’', 'ʼ', '`', '‘'], "'");
            out.push(Tok { text, low, kind: Kind::Word });
        } else {
            let text = c.to_string();
            out.push(Tok { low: text.clone(), text, kind: Kind::Symbol });
            i += 1;
        }
    }
    out
}

/// Reads `116,000`, `4 336`, `19.1`, `0,72`, `116 165` from `i`.
fn read_number(chars: &[char], start: usize) -> (Tok, usize) {
    let digits_at = |j: usize| -> usize {
        let mut k = j;
        while k < chars.len() && chars[k].is_ascii_digit() {
            k += 1;
        }
        k - j
    };
    let mut i = start;
    let first = digits_at(i);
    let mut int: String = chars[i..i + first].iter().collect();
    i += first;
    let mut frac = String::new();
    while let Some(&c) = chars.get(i) {
        let n = digits_at(i + 1);
        let after_digit = chars.get(i + 1 + n).is_some_and(|c| c.is_ascii_digit());
        if c == ',' && n == 3 && !after_digit && frac.is_empty() {
            // Thousands, unless it reads as a decimal comma: "0,720" is rare.
            int.extend(&chars[i + 1..i + 4]);
            i += 4;
        } else if (c == ',' || c == '.') && n > 0 && frac.is_empty() {
            frac = chars[i + 1..i + 1 + n].iter().collect();
            i += 1 + n;
            break;
        } else if is_space(c) && n == 3 && first <= 3 && frac.is_empty() && !after_digit {
            int.extend(&chars[i + 1..i + 4]);
            i += 4;
        } else {
            break;
        }
    }
    let text: String = chars[start..i].iter().collect();
    let value: f64 = format!("{int}.{}", if frac.is_empty() { "0" } else { &frac }).parse().unwrap_or(f64::NAN);
    let step = if !frac.is_empty() {
        10f64.powi(-(frac.len() as i32))
    } else if value < 100.0 {
        1.0
    } else {
        let zeros = int.chars().rev().take_while(|c| *c == '0').count();
        10f64.powi(zeros as i32)
    };
    (Tok { low: text.clone(), text, kind: Kind::Number { value, step } }, i)
}

// ---------------------------------------------------------------------------
// Sentences

/// Splits a text into sentences: at `.`, `!`, `?`, `…` followed by a space
/// and a capital letter, digit or quote (not after an abbreviation such as
/// "Jan.", "U.S.", "km.", "кв.", "тис."), and at blank lines and line breaks
/// that end with such a mark.
pub fn sentences(text: &str) -> Vec<String> {
    const ABBREV: [&str; 24] = [
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "mr", "dr",
        "st", "no", "km", "sq", "кв", "тис", "вул", "ім",
    ];
    let chars: Vec<char> = text.chars().collect();
    let mut out = vec![];
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' && chars.get(i + 1) == Some(&'\n') {
            push_sentence(&mut out, &mut cur);
            i += 1;
            continue;
        }
        cur.push(if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c });
        if matches!(c, '.' | '!' | '?' | '…') {
            // Skip closing quotes and brackets after the mark.
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j], '"' | '”' | '»' | '\'' | ')' | '’') {
                cur.push(chars[j]);
                j += 1;
            }
            let spaced = j < chars.len() && is_space(chars[j]);
            let mut k = j;
            while k < chars.len() && is_space(chars[k]) {
                k += 1;
            }
            let next_starts = chars.get(k).is_none_or(|n| {
                n.is_uppercase() || n.is_ascii_digit() || matches!(n, '"' | '“' | '«' | '„' | '—' | '-')
            });
            let word_before: String = cur
                .trim_end_matches(['.', '!', '?', '…', '"', '”', '»', '\'', ')', '’'])
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '.')
                .collect::<String>()
                .chars()
                .rev()
                .collect::<String>()
                .to_lowercase();
            let abbreviation = c == '.' && (ABBREV.contains(&word_before.as_str()) || word_before.chars().count() == 1);
            if (spaced || j >= chars.len()) && next_starts && !abbreviation {
                push_sentence(&mut out, &mut cur);
            }
            i = j;
            continue;
        }
        i += 1;
    }
    push_sentence(&mut out, &mut cur);
    out
}

fn push_sentence(out: &mut Vec<String>, cur: &mut String) {
    let s = cur.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().any(char::is_alphanumeric) {
        out.push(s);
    }
    cur.clear();
}

// ---------------------------------------------------------------------------
// Word lists

const MONTHS_EN: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const MONTHS_EN_SHORT: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
/// Genitive ("1 січня"), locative ("у січні") and nominative ("січень").
const MONTHS_UK: [[&str; 3]; 12] = [
    ["січня", "січні", "січень"],
    ["лютого", "лютому", "лютий"],
    ["березня", "березні", "березень"],
    ["квітня", "квітні", "квітень"],
    ["травня", "травні", "травень"],
    ["червня", "червні", "червень"],
    ["липня", "липні", "липень"],
    ["серпня", "серпні", "серпень"],
    ["вересня", "вересні", "вересень"],
    ["жовтня", "жовтні", "жовтень"],
    ["листопада", "листопаді", "листопад"],
    ["грудня", "грудні", "грудень"],
];

fn month_of(t: &Tok) -> Option<u32> {
    let w = t.low.trim_end_matches('.');
    if let Some(i) = MONTHS_EN.iter().position(|m| *m == w) {
        return Some(i as u32 + 1);
    }
    if w == "sept" {
        return Some(9);
    }
    if let Some(i) = MONTHS_EN_SHORT.iter().position(|m| *m == w) {
        // "may" is also a verb: only with a number next to it (checked by callers).
        return Some(i as u32 + 1);
    }
    MONTHS_UK.iter().position(|forms| forms.contains(&w)).map(|i| i as u32 + 1)
}

/// Oblasts by the stems their names start with in either language, with
/// their ISO 3166-2 codes and English names.
const REGIONS: [(&[&str], &str, &str); 11] = [
    (&["luhansk", "lugansk", "луганськ", "луганщин"], "UA-09", "Luhansk Oblast"),
    (&["donetsk", "донецьк", "донеччин"], "UA-14", "Donetsk Oblast"),
    (
        &["zaporizhzhia", "zaporizhia", "zaporizhzhya", "zaporozhzhia", "запорізьк", "запоріжж"],
        "UA-23",
        "Zaporizhzhia Oblast",
    ),
    (&["kherson", "херсонськ", "херсонщин"], "UA-65", "Kherson Oblast"),
    (&["kharkiv", "kharkov", "харківськ", "харківщин"], "UA-63", "Kharkiv Oblast"),
    (&["sumy", "сумськ", "сумщин"], "UA-59", "Sumy Oblast"),
    (&["dnipropetrovsk", "дніпропетровськ", "дніпропетровщин"], "UA-12", "Dnipropetrovsk Oblast"),
    (&["mykolaiv", "миколаївськ", "миколаївщин"], "UA-48", "Mykolaiv Oblast"),
    (&["crimea", "крим"], "UA-43", "Autonomous Republic of Crimea"),
    (&["chernihiv", "чернігівськ"], "UA-74", "Chernihiv Oblast"),
    (&["kyiv oblast", "київськ"], "UA-32", "Kyiv Oblast"),
];

const REGION_WORDS: [&str; 14] = [
    "region",
    "oblast",
    "province",
    "області",
    "область",
    "областю",
    "обл",
    "regions",
    "oblast's",
    "region's",
    "province's",
    "областi",
    "peninsula",
    "півострова",
];

/// A region named at token `i` ("Donetsk region", "Донецької області",
/// "Crimea", "Луганщини"): its ISO code and name, and the tokens it spans.
fn region_at(toks: &[Tok], i: usize) -> Option<(&'static str, &'static str, usize)> {
    let t = toks.get(i)?;
    if t.kind != Kind::Word {
        return None;
    }
    for (stems, iso, name) in REGIONS {
        if !stems.iter().any(|s| t.low.starts_with(s)) {
            continue;
        }
        // The oblast and the city share a name: the city needs a region word
        // after it (English) or an adjective ending (Ukrainian "-ької").
        let next_is_region = toks.get(i + 1).is_some_and(|n| REGION_WORDS.iter().any(|w| n.low == *w));
        let folk = t.low.contains("щин") || t.low.starts_with("крим") || t.low.starts_with("crimea");
        let adjective = ["ька", "ької", "ькій", "ьку", "ька."].iter().any(|e| t.low.ends_with(e));
        if next_is_region || folk || adjective {
            return Some((iso, name, if next_is_region { 2 } else { 1 }));
        }
    }
    None
}

/// The oblast a name like "Luhansk", "Donetsk Oblast" or "Луганська" means: its ISO code and English name.
pub fn region_named(name: &str) -> Option<(&'static str, &'static str)> {
    let toks = tokenize(&format!("{name} region"));
    region_at(&toks, 0).map(|(iso, n, _)| (iso, n))
}

fn phrase_at(toks: &[Tok], i: usize, words: &[&str]) -> bool {
    words.iter().enumerate().all(|(k, w)| toks.get(i + k).is_some_and(|t| t.low == *w))
}

/// Hedges, longest first, with their qualifier.
const HEDGES: [(&[&str], Qualifier); 37] = [
    (&["in", "excess", "of"], Qualifier::MoreThan),
    (&["more", "than"], Qualifier::MoreThan),
    (&["upwards", "of"], Qualifier::MoreThan),
    (&["at", "least"], Qualifier::MoreThan),
    (&["just", "over"], Qualifier::MoreThan),
    (&["більш", "ніж"], Qualifier::MoreThan),
    (&["більше", "ніж"], Qualifier::MoreThan),
    (&["більш", "як"], Qualifier::MoreThan),
    (&["не", "менше"], Qualifier::MoreThan),
    (&["less", "than"], Qualifier::LessThan),
    (&["fewer", "than"], Qualifier::LessThan),
    (&["менш", "ніж"], Qualifier::LessThan),
    (&["менше", "ніж"], Qualifier::LessThan),
    (&["close", "to"], Qualifier::Almost),
    (&["just", "under"], Qualifier::Almost),
    (&["без", "малого"], Qualifier::Almost),
    (&["an", "estimated"], Qualifier::About),
    (&["over"], Qualifier::MoreThan),
    (&["above"], Qualifier::MoreThan),
    (&["понад"], Qualifier::MoreThan),
    (&["більше"], Qualifier::MoreThan),
    (&["щонайменше"], Qualifier::MoreThan),
    (&["under"], Qualifier::LessThan),
    (&["below"], Qualifier::LessThan),
    (&["менше"], Qualifier::LessThan),
    (&["almost"], Qualifier::Almost),
    (&["nearly"], Qualifier::Almost),
    (&["майже"], Qualifier::Almost),
    (&["about"], Qualifier::About),
    (&["around"], Qualifier::About),
    (&["approximately"], Qualifier::About),
    (&["roughly"], Qualifier::About),
    (&["some"], Qualifier::About),
    (&["~"], Qualifier::About),
    (&["близько"], Qualifier::About),
    (&["приблизно"], Qualifier::About),
    (&["орієнтовно"], Qualifier::About),
];

/// The hedge ending just before token `i`, skipping "of", "the", "a".
fn hedge_before(toks: &[Tok], i: usize) -> (Qualifier, usize) {
    let mut end = i;
    while end > 0 && matches!(toks[end - 1].low.as_str(), "the" | "of" | "a" | "an" | "just" | "still" | "now") {
        end -= 1;
        if end + 2 < i {
            break;
        }
    }
    for (words, q) in HEDGES {
        let n = words.len();
        if end >= n && phrase_at(toks, end - n, words) {
            return (q, end - n);
        }
    }
    (Qualifier::Exact, i)
}

const NUMBER_WORDS: [(&str, f64); 24] = [
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("fifteen", 15.0),
    ("twenty", 20.0),
    ("один", 1.0),
    ("одного", 1.0),
    ("два", 2.0),
    ("двох", 2.0),
    ("три", 3.0),
    ("трьох", 3.0),
    ("чотири", 4.0),
    ("п'ять", 5.0),
    ("шість", 6.0),
    ("десять", 10.0),
];

/// A unit starting at token `i`: the unit and how many tokens it spans.
fn unit_at(toks: &[Tok], i: usize) -> Option<(Unit, usize)> {
    let t = toks.get(i)?;
    let w = t.low.trim_end_matches('.');
    // "кв. км", "sq. km": the abbreviation's full stop is a token of its own.
    let dot = usize::from(matches!(w, "кв" | "sq") && toks.get(i + 1).is_some_and(|n| n.low == "."));
    if dot == 1 {
        let next = toks.get(i + 2).map(|t| t.low.as_str()).unwrap_or("");
        if next.starts_with("км") || next.starts_with("km") {
            return Some((Unit::Km2, 3));
        }
        if matches!(next, "mi" | "miles") {
            return Some((Unit::SqMi, 3));
        }
    }
    let next = toks.get(i + 1).map(|t| t.low.trim_end_matches('.').to_string()).unwrap_or_default();
    let next2 = toks.get(i + 2).map(|t| t.low.trim_end_matches('.').to_string()).unwrap_or_default();
    let sq_next = |n: &str| matches!(n, "km" | "km²" | "km2" | "kilometres" | "kilometers" | "kilometre" | "kilometer");
    let mi = |n: &str| matches!(n, "mi" | "miles" | "mile");
    match w {
        "%" => Some((Unit::Percent, 1)),
        "percent" | "pct" | "відсотків" | "відсотка" | "відсотки" | "відсоток" | "відс" => {
            Some((Unit::Percent, 1))
        }
        "per" if next == "cent" => Some((Unit::Percent, 2)),
        "km²" | "km2" | "км²" | "км2" => Some((Unit::Km2, 1)),
        "sq" | "square" if sq_next(&next) => Some((Unit::Km2, 2)),
        "sq" | "square" if mi(&next) => Some((Unit::SqMi, 2)),
        "кв" | "квадратних" | "квадратного" | "квадратні" | "квадратний" | "кв.км" => {
            if next.starts_with("км") || next.starts_with("кілометр") {
                Some((Unit::Km2, 2))
            } else if w == "кв.км" {
                Some((Unit::Km2, 1))
            } else {
                None
            }
        }
        "km"
        | "kilometres"
        | "kilometers"
        | "kilometre"
        | "kilometer"
        | "км"
        | "кілометрів"
        | "кілометри"
        | "кілометра"
        | "кілометр" => {
            // "km" then "²" as a separate symbol.
            if next == "²" || next == "2" {
                Some((Unit::Km2, 2))
            } else {
                Some((Unit::Km, 1))
            }
        }
        "m" | "metres" | "meters" | "м" | "метрів" | "метри" => {
            let _ = next2;
            Some((Unit::M, 1))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Amounts

#[derive(Debug, Clone)]
struct Found {
    amount: Amount,
    /// Token index where the hedge (or the number) starts.
    start: usize,
    /// Token index just after the unit.
    end: usize,
}

/// Fraction words at `i`: value in per cent, step, tokens spanned.
fn fraction_at(toks: &[Tok], i: usize) -> Option<(f64, f64, usize)> {
    let t = toks.get(i)?;
    let a = matches!(t.low.as_str(), "a" | "one" | "one-fifth" | "one-third" | "one-quarter" | "every");
    let next = toks.get(i + 1).map(|t| t.low.as_str()).unwrap_or("");
    let frac = |w: &str| -> Option<f64> {
        match w {
            "fifth" => Some(20.0),
            "quarter" => Some(25.0),
            "third" => Some(100.0 / 3.0),
            _ => None,
        }
    };
    if let Some(v) = t.low.strip_prefix("one-").and_then(frac) {
        return Some((v, v / 10.0, 1));
    }
    if a {
        if let Some(v) = frac(next) {
            return Some((v, v / 10.0, 2));
        }
    }
    match t.low.as_str() {
        "half" => return Some((50.0, 5.0, 1)),
        "третину" | "третина" => return Some((100.0 / 3.0, 10.0 / 3.0, 1)),
        "половину" | "половина" => return Some((50.0, 5.0, 1)),
        "чверть" => return Some((25.0, 2.5, 1)),
        "п'яту" | "п'ята" if next.starts_with("частин") => return Some((20.0, 2.0, 2)),
        "п'ятину" => return Some((20.0, 2.0, 1)),
        "кожен" | "кожний" if matches!(next, "п'ятий" | "5-й") => return Some((20.0, 2.0, 2)),
        _ => {}
    }
    // "кожен 5-й": the number token "5" then "-й".
    if matches!(t.low.as_str(), "кожен" | "кожний")
        && toks.get(i + 1).is_some_and(|n| n.low == "5")
        && toks.get(i + 2).is_some_and(|n| n.low == "-")
        && toks.get(i + 3).is_some_and(|n| n.low == "й")
    {
        return Some((20.0, 2.0, 4));
    }
    None
}

/// Every amount of a sentence.
fn amounts(toks: &[Tok]) -> Vec<Found> {
    let mut out = vec![];
    let mut i = 0;
    while i < toks.len() {
        // Fraction words ("almost a fifth") are shares.
        if let Some((v, step, n)) = fraction_at(toks, i) {
            let (q, start) = hedge_before(toks, i);
            let text = words(toks, start, i + n);
            out.push(Found {
                amount: Amount { value: v, step, unit: Unit::Percent, qualifier: q, text },
                start,
                end: i + n,
            });
            i += n;
            continue;
        }
        // "all of Luhansk region", "nearly all", "повністю", "fully".
        let all = matches!(
            toks[i].low.as_str(),
            "all" | "entire" | "entirety" | "whole" | "fully" | "всю" | "повністю" | "цілком"
        );
        if all && toks.get(i.wrapping_sub(1)).is_none_or(|p| !matches!(p.low.as_str(), "at" | "not")) {
            let (q, start) = hedge_before(toks, i);
            let step = if q == Qualifier::Almost { 5.0 } else { 1.0 };
            let text = words(toks, start, i + 1);
            out.push(Found {
                amount: Amount { value: 100.0, step, unit: Unit::Percent, qualifier: q, text },
                start,
                end: i + 1,
            });
            i += 1;
            continue;
        }
        // "a couple of kilometres": two, loosely (about 2: 1-3).
        let couple = toks[i].low == "couple" && toks.get(i + 1).is_some_and(|t| t.low == "of");
        let (value, step, mut j) = match &toks[i].kind {
            Kind::Number { value, step } => (*value, *step, i + 1),
            Kind::Word if couple => (2.0, 1.0, i + 2),
            Kind::Word => match NUMBER_WORDS.iter().find(|(w, _)| toks[i].low == *w) {
                Some((_, v)) => (*v, 1.0, i + 1),
                None => {
                    i += 1;
                    continue;
                }
            },
            Kind::Symbol => {
                i += 1;
                continue;
            }
        };
        let (mut value, mut step) = (value, step);
        // "116 тис 165", "68 тисяч", "5 thousand".
        if toks.get(j).is_some_and(|t| t.starts("тис") || t.is("thousand")) {
            value *= 1000.0;
            step = step.max(1.0) * 1000.0;
            j += 1;
            if toks.get(j).is_some_and(|t| t.is(".")) {
                j += 1;
            }
            if let Some(Kind::Number { value: rest, .. }) = toks.get(j).map(|t| &t.kind) {
                if *rest < 1000.0 && toks.get(j + 1).is_some_and(|t| unit_at(toks, j + 1).is_some() || t.low == "кв")
                {
                    value += rest;
                    step = 1.0;
                    j += 1;
                }
            }
        }
        // A hyphen between the number and its unit: "1,200-km front line".
        let mut k = j;
        if toks.get(k).is_some_and(|t| t.is("-")) {
            k += 1;
        }
        let Some((unit, n)) = unit_at(toks, k) else {
            i = j;
            continue;
        };
        if !value.is_finite() {
            i = j;
            continue;
        }
        let (mut q, start) = hedge_before(toks, i);
        if couple && q == Qualifier::Exact {
            q = Qualifier::About;
        }
        let text = words(toks, start, k + n);
        out.push(Found { amount: Amount { value, step, unit, qualifier: q, text }, start, end: k + n });
        i = k + n;
    }
    out
}

fn words(toks: &[Tok], from: usize, to: usize) -> String {
    let mut s = String::new();
    for (k, t) in toks[from..to.min(toks.len())].iter().enumerate() {
        let glue =
            k == 0 || matches!(t.low.as_str(), "%" | "²" | "-" | "," | ".") || (k > 0 && toks[from + k - 1].low == "-");
        if !glue {
            s.push(' ');
        }
        s.push_str(&t.text);
    }
    s
}

// ---------------------------------------------------------------------------
// Dates

#[derive(Debug, Clone, Copy, PartialEq)]
struct DateAt {
    date: NaiveDate,
    at: usize,
    /// Whether a year was written.
    with_year: bool,
}

fn year_of(t: &Tok) -> Option<i32> {
    match t.kind {
        Kind::Number { value, .. }
            if (2000.0..2100.0).contains(&value) && value.fract() == 0.0 && t.text.len() == 4 =>
        {
            Some(value as i32)
        }
        _ => None,
    }
}

fn day_of(t: &Tok) -> Option<u32> {
    match t.kind {
        Kind::Number { value, .. } if (1.0..=31.0).contains(&value) && value.fract() == 0.0 && t.text.len() <= 2 => {
            Some(value as u32)
        }
        _ => None,
    }
}

/// A day-month(-year) date, with the year of `as_of` (or the one before,
/// when that would fall after it) if none is written.
fn full_dates(toks: &[Tok], as_of: Option<NaiveDate>) -> Vec<DateAt> {
    let mut out = vec![];
    let year_for = |m: u32, d: u32, y: Option<i32>| -> Option<(NaiveDate, bool)> {
        match y {
            Some(y) => NaiveDate::from_ymd_opt(y, m, d).map(|x| (x, true)),
            None => {
                let a = as_of?;
                let this = NaiveDate::from_ymd_opt(a.year(), m, d)?;
                Some((if this > a { NaiveDate::from_ymd_opt(a.year() - 1, m, d)? } else { this }, false))
            }
        }
    };
    for i in 0..toks.len() {
        // ISO 2025-01-01
        if let (Some(y), Some(d1), Some(m), Some(d2), Some(d)) =
            (year_of(&toks[i]), toks.get(i + 1), toks.get(i + 2), toks.get(i + 3), toks.get(i + 4))
        {
            if d1.is("-") && d2.is("-") {
                if let (Kind::Number { value: mv, .. }, Some(dd)) = (&m.kind, day_of(d)) {
                    if let Some(x) = NaiveDate::from_ymd_opt(y, *mv as u32, dd) {
                        out.push(DateAt { date: x, at: i, with_year: true });
                        continue;
                    }
                }
            }
        }
        // 1 January 2026 / 1 січня 2026 року
        if let (Some(d), Some(m)) = (day_of(&toks[i]), toks.get(i + 1).and_then(month_of)) {
            let y = toks.get(i + 2).and_then(year_of);
            if let Some((x, with_year)) = year_for(m, d, y) {
                out.push(DateAt { date: x, at: i, with_year });
            }
            continue;
        }
        // January 1, 2026 / Jan. 1
        if let Some(m) = month_of(&toks[i]) {
            let mut j = i + 1;
            if toks.get(j).is_some_and(|t| t.is(".")) {
                j += 1;
            }
            if let Some(d) = toks.get(j).and_then(day_of) {
                let mut k = j + 1;
                if toks.get(k).is_some_and(|t| t.is(",")) {
                    k += 1;
                }
                let y = toks.get(k).and_then(year_of);
                if let Some((x, with_year)) = year_for(m, d, y) {
                    out.push(DateAt { date: x, at: i, with_year });
                }
            }
        }
    }
    out
}

/// A month written without a day ("in November", "у жовтні 2025", "за
/// листопад"): its first day and the first day of the next month.
fn month_periods(toks: &[Tok], as_of: Option<NaiveDate>, days: &[DateAt]) -> Vec<(NaiveDate, NaiveDate, usize)> {
    let mut out = vec![];
    for i in 0..toks.len() {
        let Some(m) = month_of(&toks[i]) else { continue };
        let short =
            MONTHS_EN_SHORT.contains(&toks[i].low.trim_end_matches('.')) && !MONTHS_EN.contains(&toks[i].low.as_str());
        if short || toks[i].low == "may" && toks.get(i + 1).is_none_or(|t| year_of(t).is_none()) {
            continue;
        }
        let part_of_day = days.iter().any(|d| d.at == i || d.at + 1 == i);
        if part_of_day {
            continue;
        }
        let y = toks.get(i + 1).and_then(year_of).or_else(|| {
            let a = as_of?;
            // A month not yet begun, or begun on the article's date, is last year's:
            // "in January" written on 1 January 2026 is January 2025.
            Some(if m > a.month() || (m == a.month() && a.day() == 1) { a.year() - 1 } else { a.year() })
        });
        let Some(y) = y else { continue };
        let Some(start) = NaiveDate::from_ymd_opt(y, m, 1) else { continue };
        let Some(end) = start.checked_add_months(chrono::Months::new(1)) else { continue };
        out.push((start, end, i));
    }
    out
}

/// How a text speaks of time in one sentence.
#[derive(Debug, Clone, Default)]
struct Times {
    /// The date a state claim speaks of, if the sentence names one.
    on: Option<NaiveDate>,
    /// The period a gain claim speaks of, if the sentence names one.
    period: Option<(NaiveDate, NaiveDate)>,
    /// Every month named without a day, with its token: a gain takes the
    /// nearest ("725 km² in November, up from 610 km² in October").
    months: Vec<(NaiveDate, NaiveDate, usize)>,
}

impl Times {
    /// The period of the amount at token `at`: the nearest month named, else the sentence's period.
    fn period_near(&self, at: usize, as_of: Option<NaiveDate>) -> Option<(NaiveDate, NaiveDate)> {
        let nearest = self.months.iter().min_by_key(|(_, _, i)| i.abs_diff(at));
        match nearest {
            Some((s, e, _)) if self.months.len() > 1 => {
                let e = match as_of {
                    Some(a) if *e > a && *s < a => a,
                    _ => *e,
                };
                Some((*s, e))
            }
            _ => self.period,
        }
    }
}

fn times(toks: &[Tok], as_of: Option<NaiveDate>) -> Times {
    let days = full_dates(toks, as_of);
    let months = month_periods(toks, as_of, &days);
    let mut t = Times { months: months.clone(), ..Times::default() };
    // A range: "since D", "з D по D", "from D to D", "between D and D".
    let before = |d: &DateAt, ws: &[&str]| d.at > 0 && ws.contains(&toks[d.at - 1].low.as_str());
    if let Some(a) = days.iter().find(|d| before(d, &["since", "from", "з", "із", "від", "between"])) {
        let end =
            days.iter().find(|d| d.at > a.at && before(d, &["to", "по", "until", "till", "and", "до"])).map(|d| d.date);
        t.period = Some((a.date, end.or(as_of).unwrap_or(a.date)));
    }
    // A state date: prefer one after "on", "as of", "by", "станом на".
    let state = days
        .iter()
        .find(|d| before(d, &["on", "of", "by", "на", "until"]))
        .or_else(|| days.iter().find(|d| t.period.is_none_or(|(a, _)| a != d.date)));
    t.on = state.map(|d| d.date);
    if t.on.is_none() {
        // "By the end of November": the first day after it.
        for (s, e, i) in &months {
            if *i >= 3 && phrase_at(toks, i - 3, &["by", "the", "end"])
                || *i >= 2 && phrase_at(toks, i - 2, &["end", "of"])
            {
                t.on = Some(*e);
                let _ = s;
            }
        }
    }
    if t.on.is_none() {
        // "in 2014" in a sentence about the present ("currently", "now") is background.
        let present = toks.iter().any(|x| {
            matches!(x.low.as_str(), "currently" | "now" | "today" | "наразі" | "зараз" | "тепер" | "сьогодні")
        });
        for i in 1..toks.len() {
            if let (Some(y), Some(a)) = (year_of(&toks[i]), as_of) {
                if matches!(toks[i - 1].low.as_str(), "in" | "у" | "в") && y < a.year() && !present && months.is_empty()
                {
                    t.on = NaiveDate::from_ymd_opt(y, 12, 31);
                }
            }
        }
    }
    if t.period.is_none() {
        if let Some((s, e, _)) = months.first() {
            t.period = Some((*s, *e));
        }
    }
    let relative = relative_period(toks, as_of);
    if t.period.is_none() {
        t.period = relative;
    }
    if t.period.is_none() {
        // A year: "in 2024", "за 2025 рік", "протягом 2025 року", "of 2025".
        for i in 0..toks.len() {
            if let Some(y) = year_of(&toks[i]) {
                let prev = if i > 0 { toks[i - 1].low.as_str() } else { "" };
                let next = toks.get(i + 1).map(|t| t.low.as_str()).unwrap_or("");
                let marked = matches!(prev, "in" | "за" | "протягом" | "of" | "during" | "у" | "в" | "throughout")
                    || matches!(next, "рік" | "року" | "році");
                if marked && !days.iter().any(|d| d.at + 2 == i || d.at + 3 == i) {
                    let (Some(s), Some(e)) = (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y + 1, 1, 1))
                    else {
                        continue;
                    };
                    t.period = Some((s, e));
                    break;
                }
            }
        }
    }
    // A period ending after the article's date ends at it (a month in progress).
    if let (Some((s, e)), Some(a)) = (t.period, as_of) {
        if e > a && s < a {
            t.period = Some((s, a));
        }
    }
    t
}

/// "last month", "over the past week", "this year", "минулого місяця", ...
/// relative to the article's date. "The month" in an article from the
/// first ten days of a month is the month before (a monthly report).
fn relative_period(toks: &[Tok], as_of: Option<NaiveDate>) -> Option<(NaiveDate, NaiveDate)> {
    let has = |words: &[&str]| (0..toks.len()).any(|i| phrase_at(toks, i, words));
    let a = as_of?;
    let year = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1);
    // "since the start of 2025", "з початку 2025 року".
    for i in 0..toks.len() {
        if let Some(y) = year_of(&toks[i]) {
            if i >= 2 && (phrase_at(toks, i - 2, &["start", "of"]) || phrase_at(toks, i - 2, &["beginning", "of"]))
                || i >= 1 && toks[i - 1].low == "початку"
            {
                return year(y).map(|s| (s, a));
            }
        }
    }
    let month_before = || {
        let first = a.with_day(1)?;
        if a.day() <= 10 {
            Some((first.checked_sub_months(chrono::Months::new(1))?, first))
        } else {
            Some((first, a))
        }
    };
    if has(&["last", "month"])
        || has(&["past", "month"])
        || has(&["the", "month"])
        || has(&["минулого", "місяця"])
        || has(&["за", "місяць"])
        || has(&["минулий", "місяць"])
    {
        month_before()
    } else if has(&["past", "week"]) || has(&["last", "week"]) || has(&["минулого", "тижня"]) || has(&["за", "тиждень"])
    {
        Some((a - Duration::days(7), a))
    } else if has(&["this", "year"])
        || has(&["цього", "року"])
        || has(&["з", "початку", "року"])
        || has(&["start", "of", "the", "year"])
    {
        year(a.year()).map(|s| (s, a))
    } else if has(&["last", "year"]) || has(&["past", "year"]) || has(&["минулого", "року"]) || has(&["минулий", "рік"])
    {
        Some((year(a.year() - 1)?, year(a.year())?))
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Kinds

const GAIN_WORDS: [&str; 23] = [
    "capture",
    "captured",
    "capturing",
    "gained",
    "gains",
    "seized",
    "took",
    "taken",
    "advanced",
    "occupied",
    "occupy",
    "advance",
    "окупува",
    "окупували",
    "захопи",
    "зайня",
    "просуну",
    "приріст",
    "окупувала",
    "окупував",
    "захопила",
    "зайняли",
    "lost",
];

const CONTROL_WORDS: [&str; 21] = [
    "occupied",
    "occupies",
    "occupy",
    "occupation",
    "occupying",
    "control",
    "controls",
    "controlled",
    "holds",
    "held",
    "hold",
    "окупован",
    "окупува",
    "контрол",
    "окупац",
    "окуповано",
    "окупована",
    "under",
    "захопл",
    "seized",
    "taken",
];

const COUNTRY_WORDS: [&str; 14] = [
    "ukraine",
    "ukraine's",
    "ukrainian",
    "country",
    "country's",
    "territory",
    "території",
    "україни",
    "територій",
    "площі",
    "землі",
    "land",
    "української",
    "україну",
];

const FRONT_WORDS: [&str; 6] = ["front", "frontline", "front-line", "фронту", "фронт", "зіткнення"];
// "exit" with a width word: "the last remaining exit from Myrnohrad is ... a couple of kilometres wide".
const CORRIDOR_WORDS: [&str; 8] = ["corridor", "gap", "neck", "exit", "коридор", "коридору", "горловина", "горловини"];
const WIDTH_WORDS: [&str; 5] = ["wide", "width", "завширшки", "ширина", "шириною"];

fn any_word(toks: &[Tok], list: &[&str]) -> bool {
    toks.iter().any(|t| list.iter().any(|w| t.low.starts_with(w)))
}

fn ukrainian_side(toks: &[Tok], from: usize, to: usize) -> bool {
    // "Ukraine controls 21.5%", "Під контролем ЗСУ залишається 21,5%".
    let window = &toks[from.saturating_sub(8)..to.min(toks.len())];
    let ua_actor = window.iter().enumerate().any(|(k, t)| {
        (matches!(t.low.as_str(), "ukraine" | "kyiv" | "зсу" | "ukraine's" | "kyiv's")
            || t.low == "ukrainian"
                && window.get(k + 1).is_some_and(|n| matches!(n.low.as_str(), "army" | "forces" | "troops")))
            && window.get(k + 1).is_some_and(|n| {
                matches!(
                    n.low.as_str(),
                    "controls" | "holds" | "holds," | "still" | "now" | "army" | "forces" | "troops" | "retains"
                ) || n.low == "controls"
            })
    });
    let uk = window
        .windows(2)
        .any(|w| w[0].low == "контролем" && matches!(w[1].low.as_str(), "зсу" | "збройних" | "сил" | "україни"));
    ua_actor || uk
}

/// Words after an amount that make a percentage a share of something else
/// ("90% of Russian territorial gains", "44% less territory", "70 percent of Pokrovsk").
fn share_target(toks: &[Tok], end: usize) -> Option<Target> {
    let mut j = end;
    let mut steps = 0;
    while j < toks.len() && steps < 7 {
        let t = &toks[j];
        // A list item ends at its separator: "Херсонська – 72% (-); Запорізька – 74.8%".
        if matches!(t.low.as_str(), ";" | "(" | ")" | "," | ".") {
            return None;
        }
        // "of pre-2014 Ukrainian territory".
        if t.low == "pre" || matches!(t.kind, Kind::Number { .. }) || t.low == "-" {
            j += 1;
            steps += 1;
            continue;
        }
        if let Some((iso, name, _)) = region_at(toks, j) {
            return Some(Target::Region(iso, name));
        }
        // "97 per cent of Luhansk": after "% of", an oblast's English name is the oblast.
        if j > 0 && toks[j - 1].low == "of" {
            if let Some((iso, name)) = REGIONS
                .iter()
                .find(|(stems, _, _)| stems.iter().any(|s| s.is_ascii() && t.low == *s))
                .map(|(_, i, n)| (*i, *n))
            {
                return Some(Target::Region(iso, name));
            }
        }
        if matches!(
            t.low.as_str(),
            "less"
                | "more"
                | "fewer"
                | "менше"
                | "більше"
                | "gains"
                | "of"
                | "від"
                | "з"
                | "the"
                | "its"
                | "our"
                | "all"
                | "усієї"
                | "всієї"
                | "всієї."
                | "total"
                | "its,"
                | "його"
        ) || t.kind == Kind::Symbol && t.low != "%"
        {
            if matches!(t.low.as_str(), "less" | "more" | "fewer" | "менше" | "більше" | "gains") {
                return None;
            }
            j += 1;
            steps += 1;
            continue;
        }
        if COUNTRY_WORDS.iter().any(|w| t.low == *w) {
            // "of Russian territorial gains" is not the country.
            if toks.get(j + 1).is_some_and(|n| n.low.starts_with("gain")) {
                return None;
            }
            return Some(Target::Country);
        }
        if matches!(
            t.low.as_str(),
            "pre-2014"
                | "international"
                | "internationally"
                | "recognised"
                | "recognized"
                | "українських"
                | "українській"
                | "russian"
                | "української"
                | "державної"
        ) {
            j += 1;
            steps += 1;
            continue;
        }
        return None;
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Country,
    Region(&'static str, &'static str),
}

/// Whether the words just after an amount name Ukraine itself ("of
/// Ukraine", "Ukrainian territory"), not only a bare "territory".
fn names_the_country(toks: &[Tok], end: usize) -> bool {
    toks[end.min(toks.len())..(end + 8).min(toks.len())]
        .iter()
        .take_while(|t| !matches!(t.low.as_str(), ";" | "." | ","))
        .any(|t| ["ukrain", "україн", "країн", "country"].iter().any(|w| t.low.starts_with(w)))
}

/// The last oblast named anywhere before token `start`.
fn region_anywhere_before(toks: &[Tok], start: usize) -> Option<Target> {
    (0..start).rev().find_map(|i| region_at(toks, i).map(|(iso, name, _)| Target::Region(iso, name)))
}

/// A region named just before an amount ("Донецька – 78.1%", "Luhansk: 99.6%").
fn region_before(toks: &[Tok], start: usize) -> Option<Target> {
    for back in 1..=3 {
        let i = start.checked_sub(back)?;
        if let Some((iso, name, _)) = region_at(toks, i) {
            return Some(Target::Region(iso, name));
        }
        if !matches!(toks[i].kind, Kind::Symbol) {
            return None;
        }
    }
    None
}

/// A region named anywhere in the clause of an area ("in the Donetsk region ... 629 km²").
fn region_after(toks: &[Tok], end: usize) -> Option<Target> {
    for j in end..(end + 6).min(toks.len()) {
        if let Some((iso, name, _)) = region_at(toks, j) {
            return Some(Target::Region(iso, name));
        }
        if toks[j].low == "," || toks[j].low == ";" {
            return None;
        }
    }
    None
}

/// Whether a number is the running total ("bringing the total figure to 19.04%", "загалом тепер").
fn total_marker(toks: &[Tok], start: usize) -> bool {
    let from = start.saturating_sub(6);
    toks[from..start]
        .iter()
        .any(|t| matches!(t.low.as_str(), "total" | "загалом" | "тепер" | "наразі" | "now" | "currently" | "всього"))
}

/// Extracts every checkable claim of a text. `as_of` (the article's date)
/// dates claims whose sentence names no date; without it such claims get
/// [`DateFrom::None`].
pub fn extract(text: &str, as_of: Option<NaiveDate>, places: &dyn PlaceNames) -> Extraction {
    let sents = sentences(text);
    let mut claims = vec![];
    let mut skipped = 0;
    for (n, s) in sents.iter().enumerate() {
        let found = extract_sentence(s, n, as_of, places);
        if found.is_empty() {
            skipped += 1;
        }
        claims.extend(found);
    }
    Extraction { claims, sentences: sents.len(), skipped }
}

/// The claims of one sentence.
pub fn extract_sentence(s: &str, index: usize, as_of: Option<NaiveDate>, places: &dyn PlaceNames) -> Vec<Claim> {
    let toks = tokenize(s);
    let when = times(&toks, as_of);
    let amounts = amounts(&toks);
    let gain_words = toks.iter().any(|t| GAIN_WORDS.iter().any(|w| t.low.starts_with(w)));
    let control = toks.iter().any(|t| CONTROL_WORDS.iter().any(|w| t.low.starts_with(w)));
    let front =
        any_word(&toks, &FRONT_WORDS) || (0..toks.len()).any(|i| phrase_at(&toks, i, &["line", "of", "contact"]));
    let corridor = any_word(&toks, &CORRIDOR_WORDS) && any_word(&toks, &WIDTH_WORDS);
    let gain_sentence = gain_words && when.period.is_some();
    let mut out = vec![];
    let state_date = |on: Option<NaiveDate>| match (on, as_of) {
        (Some(d), _) => (Some(d), DateFrom::Claim),
        (None, Some(a)) => (Some(a), DateFrom::AsOf),
        (None, None) => (None, DateFrom::None),
    };
    let mut push = |kind: ClaimKind, side: Side, amount: Option<Amount>, gained: bool, at: usize| {
        let (date, from, date_from) = if gained {
            match when.period_near(at, as_of) {
                Some((a, b)) => (Some(b), Some(a), DateFrom::Claim),
                None => (None, None, DateFrom::None),
            }
        } else {
            let (d, f) = state_date(when.on);
            (d, None, f)
        };
        out.push(Claim { quote: s.to_string(), sentence: index, kind, side, amount, date, from, date_from });
    };
    for f in &amounts {
        let a = f.amount.clone();
        if not_a_quantity(&toks, f) {
            continue;
        }
        let at = f.start;
        let side = if ukrainian_side(&toks, f.start, f.end) { Side::Ukraine } else { Side::Russia };
        match a.unit {
            Unit::Percent => {
                let target = share_target(&toks, f.end)
                    .or_else(|| region_before(&toks, f.start))
                    .or_else(|| share_of_country_before(&toks, f.start));
                // "In Zaporizhzhia region Russian forces hold 74.8% of the territory":
                // a bare "territory" after an oblast named earlier is the oblast's.
                let target = match target {
                    Some(Target::Country) if !names_the_country(&toks, f.end) => {
                        region_anywhere_before(&toks, f.start).or(target)
                    }
                    t => t,
                };
                let Some(target) = target else { continue };
                // "all", "whole", "entire" are a claim about an oblast ("all of Luhansk
                // region"), never about the country ("Ukraine's whole territory").
                let in_words = !a.text.chars().any(|c| c.is_ascii_digit());
                if in_words && a.value == 100.0 && target == Target::Country {
                    continue;
                }
                // Russia has held over 7 % of Ukraine since 2014 (Crimea and part of
                // the Donbas), so a share of the country under 5 % is ground that
                // changed hands over some period ("roughly 0.72% of Ukraine's whole
                // territory", after a year's gains): a gain, checkable only with its
                // period, never a share held.
                let gained = target == Target::Country
                    && a.value < CHANGE_SHARE_BELOW_PCT
                    && !(gain_sentence && total_marker(&toks, f.start));
                match target {
                    Target::Region(iso, name) => {
                        push(ClaimKind::Region { iso: iso.into(), name: name.into() }, side, Some(a), false, at)
                    }
                    Target::Country if gained => push(ClaimKind::Gained, side, Some(a), true, at),
                    Target::Country => push(ClaimKind::Country, side, Some(a), false, at),
                }
            }
            Unit::Km2 | Unit::SqMi => {
                let region = region_after(&toks, f.end).or_else(|| region_before(&toks, f.start));
                let gained = gain_sentence && !total_marker(&toks, f.start);
                if gained && region.is_none() {
                    push(ClaimKind::Gained, side, Some(a), true, at);
                } else if let (Some(Target::Region(iso, name)), false) = (region, gained) {
                    push(ClaimKind::Region { iso: iso.into(), name: name.into() }, side, Some(a), false, at);
                } else if control && region.is_none() && !gained {
                    push(ClaimKind::Country, side, Some(a), false, at);
                }
            }
            Unit::Km | Unit::M => {
                let near = |list: &[&str], span: usize| {
                    toks[f.start.saturating_sub(span)..(f.end + span).min(toks.len())]
                        .iter()
                        .any(|t| list.iter().any(|w| t.low.starts_with(w)))
                };
                // "within five kilometres of it" is a distance, not a length.
                let distance = toks[f.end..(f.end + 5).min(toks.len())]
                    .iter()
                    .take_while(|t| !matches!(t.low.as_str(), "," | ";" | "."))
                    .any(|t| matches!(t.low.as_str(), "of" | "from" | "від" | "до" | "away"))
                    || f.start > 0 && matches!(toks[f.start - 1].low.as_str(), "within" | "by" | "на" | "to");
                // "The last remaining exit from Myrnohrad is described as a strip of
                // gray zone only a couple of kilometers (about 1 mile) wide": a width
                // word right after the number (a bracket aside) measures the corridor
                // word of the sentence, however far before it stands.
                let wide_after = toks[f.end..(f.end + 8).min(toks.len())]
                    .iter()
                    .take_while(|t| !matches!(t.low.as_str(), "," | ";" | "."))
                    .scan(0i32, |depth, t| {
                        *depth += i32::from(t.low == "(") - i32::from(t.low == ")");
                        Some((*depth, t))
                    })
                    .filter(|(depth, t)| *depth == 0 && t.low != ")")
                    .take(1)
                    .any(|(_, t)| WIDTH_WORDS.contains(&t.low.as_str()));
                let corridor_before = toks[..f.start].iter().any(|t| CORRIDOR_WORDS.contains(&t.low.as_str()));
                if corridor && (near(&CORRIDOR_WORDS, 10) || wide_after && corridor_before) {
                    if let Some(place) = first_settlement(&toks, places) {
                        push(ClaimKind::Corridor { place }, side, Some(a), false, at);
                    }
                } else if a.unit == Unit::Km && front && near(&FRONT_WORDS, 12) && !distance {
                    push(ClaimKind::FrontLength, side, Some(a), false, at);
                }
            }
        }
    }
    for (place, event) in town_events(&toks, places) {
        push(ClaimKind::Town { place, event }, Side::Russia, None, false, 0);
    }
    out
}

/// Numbers that are not a quantity of ground: comparisons ("2,000 km²
/// more than"), rates ("20 km² a day"), the size of something else ("a
/// country of 230,000 square miles").
fn not_a_quantity(toks: &[Tok], f: &Found) -> bool {
    let after = |k: usize| toks.get(f.end + k).map(|t| t.low.as_str()).unwrap_or("");
    let comparison =
        matches!(after(0), "more" | "less" | "fewer" | "більше" | "менше" | "larger" | "smaller" | "bigger");
    let rate = matches!(after(0), "daily" | "щодня" | "щоденно")
        || matches!(
            (after(0), after(1)),
            ("a", "day") | ("per", "day") | ("on", "a") | ("на", "добу") | ("за", "добу") | ("each", "day")
        );
    let before: Vec<&str> = toks[f.start.saturating_sub(6)..f.start].iter().map(|t| t.low.as_str()).collect();
    let other_thing =
        before.windows(2).any(|w| matches!(w, ["country", "of"] | ["area", "of"] | ["size", "of"] | ["площею", _]));
    comparison || rate || other_thing
}

/// "А загальна частка окупованої території України тепер сягає 19,04%",
/// "Russia's share of Ukraine is now 19%": the country named before a
/// percentage, with a word for share or total.
fn share_of_country_before(toks: &[Tok], start: usize) -> Option<Target> {
    let before = &toks[start.saturating_sub(10)..start];
    let share = before
        .iter()
        .any(|t| matches!(t.low.as_str(), "share" | "частка" | "частку" | "total" | "загальна" | "figure" | "площа"));
    let country = before.iter().any(|t| COUNTRY_WORDS.iter().any(|w| t.low == *w));
    let region = (start.saturating_sub(10)..start).any(|i| region_at(toks, i).is_some());
    (share && country && !region).then_some(Target::Country)
}

/// Every settlement name of a sentence, in order, as the grammar reads
/// names: what a claim's place is resolved against when its name has
/// several places.
pub fn settlement_names(sentence: &str, places: &dyn PlaceNames) -> Vec<String> {
    let toks = tokenize(sentence);
    let mut out = vec![];
    let mut i = 0;
    while i < toks.len() {
        match name_at(&toks, i, places) {
            Some((name, n)) => {
                out.push(name);
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

fn first_settlement(toks: &[Tok], places: &dyn PlaceNames) -> Option<String> {
    (0..toks.len()).find_map(|i| name_at(toks, i, places).map(|(n, _)| n))
}

/// A settlement name starting at token `i` (one to three capitalised words).
fn name_at(toks: &[Tok], i: usize, places: &dyn PlaceNames) -> Option<(String, usize)> {
    if !toks.get(i)?.capitalised() {
        return None;
    }
    let mut n = 1;
    while n < 3 && toks.get(i + n).is_some_and(Tok::capitalised) {
        n += 1;
    }
    // Region and country words are not settlements here.
    for len in (1..=n).rev() {
        let words: Vec<&str> = toks[i..i + len].iter().map(|t| t.text.as_str()).collect();
        let w = words.join(" ");
        if region_at(toks, i).is_some() && len == 1 {
            continue;
        }
        if NOT_NAMES.contains(&toks[i].low.as_str()) {
            return None;
        }
        if let Some(name) = places.settlement(&w) {
            return Some((name, len));
        }
    }
    None
}

/// A share of the country below this (%) is a change, not ground held
/// (see its use in [`extract_sentence`]).
const CHANGE_SHARE_BELOW_PCT: f64 = 5.0;

/// Verbs (and nouns) of taking, retaking, encircling and holding.
const TOWN_VERBS: [(&[&str], TownEvent); 41] = [
    (&["took", "control", "of"], TownEvent::Captured),
    (&["taken", "control", "of"], TownEvent::Captured),
    (&["take", "control", "of"], TownEvent::Captured),
    (&["regained", "control", "of"], TownEvent::Liberated),
    (&["captured"], TownEvent::Captured),
    (&["capture", "of"], TownEvent::Captured),
    (&["seized"], TownEvent::Captured),
    (&["seizure", "of"], TownEvent::Captured),
    (&["took"], TownEvent::Captured),
    (&["taken"], TownEvent::Captured),
    (&["fall", "of"], TownEvent::Captured),
    (&["occupied"], TownEvent::Captured),
    (&["takeover", "of"], TownEvent::Captured),
    (&["окупували"], TownEvent::Captured),
    (&["окупувала"], TownEvent::Captured),
    (&["окупував"], TownEvent::Captured),
    (&["окупацію"], TownEvent::Captured),
    (&["окупація"], TownEvent::Captured),
    (&["захопили"], TownEvent::Captured),
    (&["захопила"], TownEvent::Captured),
    (&["захоплення"], TownEvent::Captured),
    (&["зайняли"], TownEvent::Captured),
    (&["liberated"], TownEvent::Liberated),
    (&["freed"], TownEvent::Liberated),
    (&["liberation", "of"], TownEvent::Liberated),
    (&["retook"], TownEvent::Liberated),
    (&["recaptured"], TownEvent::Liberated),
    (&["звільнили"], TownEvent::Liberated),
    (&["звільнення"], TownEvent::Liberated),
    (&["деокупували"], TownEvent::Liberated),
    (&["encircled"], TownEvent::Encircled),
    (&["surrounded"], TownEvent::Encircled),
    (&["encirclement", "of"], TownEvent::Encircled),
    (&["оточили"], TownEvent::Encircled),
    (&["оточення"], TownEvent::Encircled),
    (&["оточений"], TownEvent::Encircled),
    (&["still", "hold"], TownEvent::Held),
    (&["still", "holds"], TownEvent::Held),
    (&["утримують"], TownEvent::Held),
    (&["defending"], TownEvent::Held),
    (&["обороняють"], TownEvent::Held),
];

/// "X is under the control of Ukraine's defence forces", "X fell".
const AFTER_NAME: [(&[&str], TownEvent); 6] = [
    (&["is", "under", "the", "control", "of", "ukraine's"], TownEvent::Held),
    (&["is", "under", "the", "control", "of", "ukraine"], TownEvent::Held),
    (&["remains", "under", "ukrainian", "control"], TownEvent::Held),
    (&["fell"], TownEvent::Captured),
    (&["has", "fallen"], TownEvent::Captured),
    (&["had", "fallen"], TownEvent::Captured),
];

/// Ukrainian "X перебуває/знаходиться/залишається під контролем <whose>".
const UNDER_CONTROL_UK: [&str; 4] = ["перебуває", "знаходиться", "залишається", "перебувають"];

/// Words a settlement name never is, though capitalised.
const NOT_NAMES: [&str; 16] = [
    "russia",
    "russian",
    "ukraine",
    "ukrainian",
    "moscow",
    "kyiv",
    "росія",
    "україна",
    "deepstate",
    "isw",
    "рф",
    "зсу",
    "reuters",
    "putin",
    "kremlin",
    "генштаб",
];

/// The nearest settlement named in the tokens before `i` (up to 6 back).
fn name_before(toks: &[Tok], i: usize, places: &dyn PlaceNames) -> Option<String> {
    (i.saturating_sub(12)..i).rev().find_map(|k| name_at(toks, k, places).filter(|(_, n)| k + n <= i).map(|(n, _)| n))
}

/// Words that may stand between a passive verb's subject and its
/// auxiliary: "Lyman has now been freed", "X was finally captured".
const BEFORE_AUXILIARY: [&str; 12] =
    ["has", "have", "had", "was", "were", "been", "is", "now", "reportedly", "finally", "officially", "fully"];

/// The grammatical subject of a passive verb whose auxiliary is token
/// `aux`: the name that ends just before it, with a phrase set off by
/// commas skipped ("Velyka Novosilka, at the junction of the Donetsk and
/// Zaporizhzhia fronts, was captured": the town, not Zaporizhzhia, which
/// only qualifies "fronts"). `None` when no name ends there.
fn passive_subject(toks: &[Tok], aux: usize, places: &dyn PlaceNames) -> Option<String> {
    let mut end = aux;
    while end > 0 && BEFORE_AUXILIARY.contains(&toks[end - 1].low.as_str()) {
        end -= 1;
    }
    if end > 0 && toks[end - 1].low == "," {
        // The appositive's opening comma, within the sentence's last 25 tokens.
        end = (end.saturating_sub(25)..end - 1).rev().find(|&j| toks[j].low == ",")?;
    }
    (end.saturating_sub(3)..end).find_map(|k| name_at(toks, k, places).filter(|(_, n)| k + n == end).map(|(n, _)| n))
}

fn town_events(toks: &[Tok], places: &dyn PlaceNames) -> Vec<(String, TownEvent)> {
    let russian_actor = toks.iter().any(|t| {
        matches!(
            t.low.as_str(),
            "russia"
                | "russian"
                | "moscow"
                | "moscow's"
                | "kremlin"
                | "russia's"
                | "рф"
                | "росія"
                | "росіяни"
                | "росії"
        )
    });
    let ukrainian_actor =
        toks.iter().any(|t| matches!(t.low.as_str(), "зсу" | "ukrainian" | "ukraine's" | "kyiv" | "оборони"))
            && !toks.iter().any(|t| t.low == "рф" || t.low == "moscow's");
    let mut out: Vec<(String, TownEvent)> = vec![];
    let add = |name: String, ev: TownEvent, out: &mut Vec<(String, TownEvent)>| {
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, ev));
        }
    };
    let negated_before = |i: usize| {
        toks[i.saturating_sub(3)..i]
            .iter()
            .any(|t| matches!(t.low.as_str(), "not" | "never" | "не" | "didn't" | "denied"))
    };
    for i in 0..toks.len() {
        for (verb, ev) in TOWN_VERBS {
            if !phrase_at(toks, i, verb) {
                continue;
            }
            let mut ev = ev;
            // "the partially occupied village of Rivne" claims no capture.
            if ev == TownEvent::Captured
                && i > 0
                && matches!(toks[i - 1].low.as_str(), "partially" | "partly" | "частково")
            {
                continue;
            }
            // Russia's ministry "liberates" what it takes.
            if ev == TownEvent::Liberated && russian_actor && !ukrainian_actor {
                ev = TownEvent::Captured;
            }
            // "did not capture", "never fell", "не захопили".
            if negated_before(i) && ev == TownEvent::Captured {
                ev = TownEvent::Held;
            }
            // "Lyman ... was liberated by", "the city of Lyman has been freed": the name comes first.
            let passive = i > 0 && matches!(toks[i - 1].low.as_str(), "was" | "were" | "been" | "is" | "being");
            if passive {
                if let Some(name) = passive_subject(toks, i - 1, places).or_else(|| name_before(toks, i, places)) {
                    add(name, ev, &mut out);
                }
                break;
            }
            // Skip what stands between the verb and the name: "the northeastern
            // Ukrainian city of", "\"full control\" of the eastern", "військами РФ селища".
            let mut j = i + verb.len();
            let mut skipped = 0;
            while j < toks.len() && skipped < 8 {
                let t = &toks[j];
                let skippable = t.kind == Kind::Symbol && !matches!(t.low.as_str(), "." | ";")
                    || t.kind == Kind::Word && !t.capitalised()
                    || t.capitalised() && NOT_NAMES.contains(&t.low.as_str());
                if !skippable || matches!(t.low.as_str(), "and" | "but" | "after" | "та" | "але" | "which" | "що")
                {
                    break;
                }
                j += 1;
                skipped += 1;
            }
            if let Some((name, n)) = name_at(toks, j, places) {
                add(name, ev, &mut out);
                // "captured Velyka Novosilka and Vremivka"
                let k = j + n;
                if toks.get(k).is_some_and(|t| matches!(t.low.as_str(), "and" | "та" | "і" | "й")) {
                    if let Some((second, _)) = name_at(toks, k + 1, places) {
                        add(second, ev, &mut out);
                    }
                }
            }
            break;
        }
        for (tail, ev) in AFTER_NAME {
            if i > 0 && phrase_at(toks, i, tail) {
                let ev = if negated_before(i) && ev == TownEvent::Captured { TownEvent::Held } else { ev };
                if let Some(name) = name_before(toks, i, places) {
                    add(name, ev, &mut out);
                }
            }
        }
        if UNDER_CONTROL_UK.contains(&toks[i].low.as_str()) && toks.get(i + 1).is_some_and(|t| t.low == "під") {
            let whose = toks.get(i + 3).map(|t| t.low.as_str()).unwrap_or("");
            let ours = matches!(whose, "сил" | "зсу" | "збройних" | "україни" | "українських");
            let theirs = matches!(whose, "загарбників" | "окупантів" | "росіян" | "рф" | "ворога" | "росії");
            if toks.get(i + 2).is_some_and(|t| t.low == "контролем") && (ours || theirs) {
                let mut ev = if ours { TownEvent::Held } else { TownEvent::Captured };
                if negated_before(i) {
                    ev = if ours { TownEvent::Captured } else { TownEvent::Held };
                }
                if let Some(name) = name_before(toks, i, places) {
                    add(name, ev, &mut out);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Names(Vec<&'static str>);
    impl PlaceNames for Names {
        fn settlement(&self, words: &str) -> Option<String> {
            inflection_forms(words).into_iter().find(|f| self.0.contains(&f.as_str()))
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn one(s: &str, as_of: Option<NaiveDate>) -> Claim {
        let c = extract_sentence(
            s,
            0,
            as_of,
            &Names(vec!["Pokrovsk", "Покровськ", "Kupiansk", "Куп'янськ", "Velyka Novosilka"]),
        );
        assert_eq!(c.len(), 1, "{s}: {c:?}");
        c.into_iter().next().expect("one claim")
    }

    #[test]
    fn number_formats_and_their_steps() {
        // (sentence, value, step, unit, qualifier, band lo, band hi) — bands by hand from the table in mod.rs.
        let cases: [(&str, f64, f64, Unit, Qualifier, f64, f64); 9] = [
            ("Russia occupies 19.1 % of Ukraine.", 19.1, 0.1, Unit::Percent, Qualifier::Exact, 19.05, 19.15),
            (
                "Russia holds more than 19 per cent of Ukraine.",
                19.0,
                1.0,
                Unit::Percent,
                Qualifier::MoreThan,
                19.0,
                20.0,
            ),
            (
                "Russia controls about 44,800 square miles of Ukraine.",
                44_800.0,
                100.0,
                Unit::SqMi,
                Qualifier::About,
                44_700.0 * 2.589_988_110_336,
                44_900.0 * 2.589_988_110_336,
            ),
            (
                "Окуповано 116 165 кв км української землі.",
                116_165.0,
                1.0,
                Unit::Km2,
                Qualifier::Exact,
                116_164.5,
                116_165.5,
            ),
            ("Росія окупувала близько 10 % території України.", 10.0, 1.0, Unit::Percent, Qualifier::About, 9.0, 11.0),
            ("Russia now occupies almost a fifth of Ukraine.", 20.0, 2.0, Unit::Percent, Qualifier::Almost, 18.0, 20.0),
            (
                "Russia occupies about 116,000 km² of Ukraine.",
                116_000.0,
                1000.0,
                Unit::Km2,
                Qualifier::About,
                115_000.0,
                117_000.0,
            ),
            (
                "Наразі окуповані 116 тис 165 кв км української землі.",
                116_165.0,
                1.0,
                Unit::Km2,
                Qualifier::Exact,
                116_164.5,
                116_165.5,
            ),
            (
                "Росія контролює 19,25% від усієї території України.",
                19.25,
                0.01,
                Unit::Percent,
                Qualifier::Exact,
                19.245,
                19.255,
            ),
        ];
        for (s, v, step, unit, q, lo, hi) in cases {
            let c = one(s, Some(d(2026, 1, 1)));
            let a = c.amount.expect("an amount");
            assert!((a.value - v).abs() < 1e-9, "{s}: value {}", a.value);
            assert!((a.step - step).abs() < 1e-9, "{s}: step {}", a.step);
            assert_eq!((a.unit, a.qualifier), (unit, q), "{s}");
            let (l, h) = a.band();
            assert!((l - lo).abs() < 1e-6 && (h - hi).abs() < 1e-6, "{s}: band {l}..{h}");
            assert_eq!(c.kind, ClaimKind::Country, "{s}");
        }
    }

    #[test]
    fn gained_in_a_period_in_both_languages() {
        let c = one("DeepState: in 2025 Russia captured 4 336 km² of Ukrainian territory.", Some(d(2026, 1, 2)));
        assert_eq!((c.kind, c.from, c.date), (ClaimKind::Gained, Some(d(2025, 1, 1)), Some(d(2026, 1, 1))));
        let c =
            one("Російські окупанти зайняли 4336 кв км української території протягом 2025 року.", Some(d(2026, 1, 1)));
        assert_eq!((c.from, c.date), (Some(d(2025, 1, 1)), Some(d(2026, 1, 1))));
        let c = one("У жовтні Росія окупувала 267 кв км української території.", Some(d(2025, 11, 1)));
        assert_eq!((c.from, c.date), (Some(d(2025, 10, 1)), Some(d(2025, 11, 1))));
        let c = one("За 2025 рік Росія окупувала 4 336 км² української території.", Some(d(2026, 1, 1)));
        let a = c.amount.clone().expect("an amount");
        assert_eq!((a.value, a.step, a.unit), (4336.0, 1.0, Unit::Km2));
        assert_eq!((c.kind, c.from, c.date), (ClaimKind::Gained, Some(d(2025, 1, 1)), Some(d(2026, 1, 1))));
        let c = one("Russia gained 505 km² in November.", Some(d(2025, 12, 1)));
        assert_eq!((c.kind, c.from, c.date), (ClaimKind::Gained, Some(d(2025, 11, 1)), Some(d(2025, 12, 1))));
    }

    #[test]
    fn regions_towns_fronts_corridors() {
        let c = one("Russia holds nearly all of Luhansk region.", Some(d(2025, 6, 1)));
        assert_eq!(c.kind, ClaimKind::Region { iso: "UA-09".into(), name: "Luhansk Oblast".into() });
        assert_eq!(c.amount.map(|a| a.band()), Some((95.0, 100.0)));
        let c = one("Russia now controls 81% of the Donetsk region.", Some(d(2025, 11, 3)));
        assert!(matches!(c.kind, ClaimKind::Region { ref iso, .. } if iso == "UA-14"));
        let c = one("Під контролем Збройних сил України залишається 21,5% Донецької області.", Some(d(2026, 2, 6)));
        assert_eq!(c.side, Side::Ukraine);
        let c = one("Russian troops captured Velyka Novosilka.", Some(d(2025, 1, 26)));
        assert_eq!(c.kind, ClaimKind::Town { place: "Velyka Novosilka".into(), event: TownEvent::Captured });
        let c = one(
            "Генштаб повідомляє, що Куп'янськ знаходиться під контролем Сил оборони України.",
            Some(d(2025, 11, 20)),
        );
        assert_eq!(c.kind, ClaimKind::Town { place: "Куп'янськ".into(), event: TownEvent::Held });
        let c = one("The corridor into Pokrovsk is three kilometres wide.", Some(d(2025, 11, 1)));
        assert_eq!(c.kind, ClaimKind::Corridor { place: "Pokrovsk".into() });
        let c = one("The heaviest fighting along the 1,200-km front line was near Pokrovsk.", Some(d(2025, 11, 20)));
        assert_eq!(c.kind, ClaimKind::FrontLength);
        assert_eq!(c.amount.map(|a| a.band()), Some((1150.0, 1250.0)));
        let c = one("Сирський: зараз лінія фронту становить 1218 кілометрів.", Some(d(2025, 12, 9)));
        assert_eq!(c.kind, ClaimKind::FrontLength);
    }

    /// The subject of a passive verb is the sentence's subject, not a name
    /// inside a phrase set off by commas (the article's misreading: the
    /// town of Velyka Novosilka was read as Zaporizhzhia).
    #[test]
    fn the_passive_subject_skips_a_phrase_between_commas() {
        let names = Names(vec!["Velyka Novosilka", "Zaporizhzhia", "Donetsk", "Lyman"]);
        let jan = Some(d(2025, 1, 31));
        let c = extract_sentence(
            "The town of Velyka Novosilka, at the junction of the Donetsk and Zaporizhzhia fronts, was captured by Russian forces in January.",
            0,
            jan,
            &names,
        );
        let kinds: Vec<ClaimKind> = c.into_iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ClaimKind::Town { place: "Velyka Novosilka".into(), event: TownEvent::Captured }]);
        let c = extract_sentence(
            "Lyman, a key logistics hub near Zaporizhzhia, has now been liberated by Ukrainian troops.",
            0,
            jan,
            &names,
        );
        let kinds: Vec<ClaimKind> = c.into_iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ClaimKind::Town { place: "Lyman".into(), event: TownEvent::Liberated }]);
        // No comma: the name just before the verb is the subject.
        let c = one("Velyka Novosilka was captured.", jan);
        assert_eq!(c.kind, ClaimKind::Town { place: "Velyka Novosilka".into(), event: TownEvent::Captured });
    }

    /// A share of Ukraine under 5 % is a change (Russia has held over 7 %
    /// since 2014): with no period in the sentence it is a gain without a
    /// period, which the check answers "no date", never a share held.
    #[test]
    fn a_small_share_of_the_country_is_a_change_that_needs_its_period() {
        let as_of = Some(d(2026, 1, 1));
        let c = one("That figure is roughly 0.72% of Ukraine's whole territory, the summary added.", as_of);
        assert_eq!(c.kind, ClaimKind::Gained);
        assert_eq!((c.date, c.from, c.date_from), (None, None, DateFrom::None));
        // With its period it is checkable.
        let c = one("Russia seized roughly 0.72% of Ukraine's territory in 2025.", as_of);
        assert_eq!(c.kind, ClaimKind::Gained);
        assert_eq!((c.from, c.date), (Some(d(2025, 1, 1)), Some(d(2026, 1, 1))));
        // A share held stays one.
        let c = one("Russia occupies 19.1 % of Ukraine.", as_of);
        assert_eq!(c.kind, ClaimKind::Country);
    }

    /// A width word just after the number measures the sentence's corridor
    /// word, however far before it (the Kyiv Independent, 10 December 2025).
    #[test]
    fn a_corridor_named_long_before_its_width() {
        let names = Names(vec!["Myrnohrad", "Rivne", "Krasnyi Lyman"]);
        let c = extract_sentence(
            "The last remaining exit from Myrnohrad is described as a \"strip of gray zone\" only a couple of kilometers (about 1 mile) wide between the partially occupied village of Rivne and the occupied village of Krasnyi Lyman.",
            0,
            Some(d(2025, 12, 10)),
            &names,
        );
        let kinds: Vec<ClaimKind> = c.iter().map(|c| c.kind.clone()).collect();
        assert_eq!(
            kinds,
            [
                ClaimKind::Corridor { place: "Myrnohrad".into() },
                ClaimKind::Town { place: "Krasnyi Lyman".into(), event: TownEvent::Captured }
            ]
        );
        // "a couple of": about 2, so 1-3 km before the measurement's allowance.
        assert_eq!(c[0].amount.as_ref().map(|a| a.band()), Some((1.0, 3.0)));
        // Without a corridor word a width is not a corridor's.
        let c = extract_sentence("A strip of open ground 200-800 meters wide runs through Rivne.", 0, None, &names);
        assert!(c.is_empty(), "{c:?}");
    }

    /// Every way a corridor width or a front length is written, in both
    /// languages: value, step, unit, qualifier and band (in km) by hand
    /// from the table in mod.rs.
    #[test]
    fn corridor_and_front_number_formats() {
        let nov = Some(d(2025, 11, 1));
        let corridor = ClaimKind::Corridor { place: "Pokrovsk".into() };
        // (sentence, kind, value, step, unit, qualifier, band lo, band hi)
        type Case = (&'static str, ClaimKind, f64, f64, Unit, Qualifier, f64, f64);
        let cases: [Case; 10] = [
            (
                "The corridor into Pokrovsk is three kilometres wide.",
                corridor.clone(),
                3.0,
                1.0,
                Unit::Km,
                Qualifier::Exact,
                2.5,
                3.5,
            ),
            (
                "The corridor into Pokrovsk is about 10 km wide.",
                corridor.clone(),
                10.0,
                1.0,
                Unit::Km,
                Qualifier::About,
                9.0,
                11.0,
            ),
            (
                "The gap between the pincers around Pokrovsk is only 2.8km wide.",
                corridor.clone(),
                2.8,
                0.1,
                Unit::Km,
                Qualifier::Exact,
                2.75,
                2.85,
            ),
            (
                "The last exit from Pokrovsk is only a couple of kilometers wide.",
                corridor.clone(),
                2.0,
                1.0,
                Unit::Km,
                Qualifier::About,
                1.0,
                3.0,
            ),
            (
                "The corridor to Pokrovsk is less than 800 metres wide.",
                corridor.clone(),
                800.0,
                100.0,
                Unit::M,
                Qualifier::LessThan,
                0.7,
                0.8,
            ),
            (
                "Коридор до Покровська завширшки близько 3 км.",
                ClaimKind::Corridor { place: "Покровськ".into() },
                3.0,
                1.0,
                Unit::Km,
                Qualifier::About,
                2.0,
                4.0,
            ),
            (
                "Ширина коридору до Покровська – 1,5 кілометра.",
                ClaimKind::Corridor { place: "Покровськ".into() },
                1.5,
                0.1,
                Unit::Km,
                Qualifier::Exact,
                1.45,
                1.55,
            ),
            (
                "The front line is roughly 1,250 kilometres long.",
                ClaimKind::FrontLength,
                1250.0,
                10.0,
                Unit::Km,
                Qualifier::About,
                1240.0,
                1260.0,
            ),
            (
                "The frontline stretches for more than 1,000 km.",
                ClaimKind::FrontLength,
                1000.0,
                1000.0,
                Unit::Km,
                Qualifier::MoreThan,
                1000.0,
                2000.0,
            ),
            (
                "Лінія фронту становить майже 1 200 км.",
                ClaimKind::FrontLength,
                1200.0,
                100.0,
                Unit::Km,
                Qualifier::Almost,
                1100.0,
                1200.0,
            ),
        ];
        for (s, kind, v, step, unit, q, lo, hi) in cases {
            let c = one(s, nov);
            assert_eq!(c.kind, kind, "{s}");
            let a = c.amount.expect("an amount");
            assert_eq!((a.value, a.unit, a.qualifier), (v, unit, q), "{s}");
            assert!((a.step - step).abs() < 1e-9, "{s}: step {}", a.step);
            let (blo, bhi) = a.band();
            assert!((blo - lo).abs() < 1e-9 && (bhi - hi).abs() < 1e-9, "{s}: band {blo}..{bhi}, want {lo}..{hi}");
        }
        // A village "partially occupied" is not claimed captured.
        let none = extract_sentence(
            "Russian troops hold the partially occupied town of Pokrovsk.",
            0,
            nov,
            &Names(vec!["Pokrovsk"]),
        );
        assert!(none.is_empty(), "{none:?}");
        // A distance is not a corridor or a front length.
        let none = extract_sentence(
            "They fled Pokrovsk, which is less than 10 kilometers from the front line.",
            0,
            nov,
            &Names(vec!["Pokrovsk"]),
        );
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn dates_from_the_sentence_else_as_of_else_none() {
        let c = one("On 1 January 2026 Russia occupied 19.25% of Ukraine.", Some(d(2026, 3, 1)));
        assert_eq!((c.date, c.date_from), (Some(d(2026, 1, 1)), DateFrom::Claim));
        let c = one("Станом на 1 січня 2026 року окуповано 19,25% території України.", None);
        assert_eq!(c.date, Some(d(2026, 1, 1)));
        let c = one(
            "By the end of November, the Russian army controlled 19.3 percent of Ukrainian territory.",
            Some(d(2025, 12, 2)),
        );
        assert_eq!(c.date, Some(d(2025, 12, 1)));
        let c = one("Russia occupies 19% of Ukraine.", None);
        assert_eq!((c.date, c.date_from), (None, DateFrom::None));
    }

    #[test]
    fn not_claims() {
        let none = [
            "The 110th brigade said fighting in the town continues.",
            "Donetsk accounts for nearly 90% of Russian territorial gains in November.",
            "Last month, the enemy occupied 44% less territory than in August.",
            "Russian troops are now within five kilometers of the city.",
            "Nearly 300,000 square kilometres had been polluted with mines.",
            "Our assault units advanced from 100 meters to 1,400 meters in certain directions.",
        ];
        for s in none {
            let c = extract_sentence(s, 0, Some(d(2025, 1, 1)), &Names(vec!["Pokrovsk"]));
            assert!(c.is_empty(), "{s}: {c:?}");
        }
    }

    #[test]
    fn sentence_splitting() {
        let s = sentences("Russia took 725 sq. km in Nov. 2024. It was the most since March 2022! Ukraine holds 21.5% of the region.\n\nA new paragraph");
        assert_eq!(s.len(), 4, "{s:?}");
        assert!(s[0].ends_with("2024."));
    }
}
