//! Claims people publish about the maps ("Russia now occupies almost a
//! fifth of Ukraine", "the corridor into Pokrovsk is three kilometres wide"),
//! turned into verdicts with evidence.
//!
//! - [`text`] — a grammar over numbers, units, qualifiers, dates, region
//!   names and settlement names (the gazetteer) in English and Ukrainian:
//!   sentences in, [`Claim`]s out, every other sentence counted as skipped.
//!   No language model, no network: word lists and rules, each tested.
//! - [`structured`] — the same claims from a CSV file (one a row).
//! - [`check`] — each claim measured against the store, first under the
//!   default conventions, then under each named alternative.
//! - [`kept`] — the boundaries a check measures within, parsed once and
//!   kept in the store.
//!
//! # How a claim's own rounding becomes a band
//!
//! A number's *step* `u` is the unit of its last significant digit as
//! written: `19.1` → 0.1, `19.25` → 0.01, `4 336` → 1, `1,200` → 100,
//! `116,000` → 1,000 (trailing zeros of a number of 100 or more are not
//! significant), `20` → 1 (a number under 100 always has step 1 at least
//! as fine as its decimals). Fraction words carry a tenth of their value:
//! "a fifth" = 20 % with step 2, "a third" = 33.3 % with step 3.33, "half"
//! = 50 % with step 5. "All" (of a region) is 100 % with step 1; "nearly
//! all" / "майже всю" is 100 % with step 5.
//!
//! | qualifier | words | band |
//! |---|---|---|
//! | exact | (none) | v ± u/2 |
//! | about | about, around, approximately, roughly, some, an estimated; близько, приблизно, орієнтовно | v ± u |
//! | almost | almost, nearly, close to, just under; майже, без малого | [v − u, v] |
//! | more than | more than, over, above, in excess of, upwards of, at least, just over; понад, більше, більш ніж, щонайменше | [v, v + u] |
//! | less than | less than, under, below, fewer than; менше, менш ніж | [v − u, v] |
//!
//! The band is then widened on both sides by the measurement's own
//! tolerance ([`check::measurement_tolerance`]): 0.1 percentage points for
//! shares, 1 % for areas held, 3 % for area gained in a period, 2 % for
//! frontline length, 0.5 km for corridor widths (two raster cells). So
//! "almost a fifth" holds for 17.9–20.1 %, "about 116,000 km²" for
//! 113,840–118,170 km², "more than 19 per cent" for 18.9–20.1 %.
//!
//! # Verdicts
//!
//! A claim is *consistent* when the default measurement falls in its band
//! (source: the first of deepstate-daily, deepstate, deepstate-raw,
//! deepstate-archive, isw with a snapshot within 10 days at or before the
//! date; gray zone not counted as held; reference: Ukraine with its
//! territorial sea; the last snapshot at or before the date; oblast shares
//! by DeepState's official-area convention). Otherwise every named
//! alternative is tried, one change at a time: gray zone counted as held
//! by Russia, the land reference, the outline share convention, every
//! other source in the store, the date moved within ± `window_days`. A
//! claim that holds under some of them is *consistent only under* those;
//! under none, *not consistent*. A claim without a date (none in the
//! sentence and no `--as-of`) is never measured at today's map: its
//! verdict is *no date*.

pub mod check;
pub mod kept;
pub mod structured;
pub mod text;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who holds (or took) the ground a claim is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Russia (occupied territory).
    Russia,
    /// Ukraine (everything else in the reference).
    Ukraine,
}

/// How a number is hedged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// As written: v ± step/2.
    Exact,
    /// about, around, близько: v ± step.
    About,
    /// almost, nearly, майже: [v − step, v].
    Almost,
    /// more than, over, понад: [v, v + step].
    MoreThan,
    /// less than, under, менше: [v − step, v].
    LessThan,
}

impl Qualifier {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Exact => "exact",
            Qualifier::About => "about",
            Qualifier::Almost => "almost",
            Qualifier::MoreThan => "more than",
            Qualifier::LessThan => "less than",
        }
    }

    /// Parses the names [`Qualifier::as_str`] prints (and `exactly`, `over`, `under`).
    pub fn parse(s: &str) -> Option<Qualifier> {
        match s.trim().to_lowercase().replace(['_', '-'], " ").as_str() {
            "" | "exact" | "exactly" => Some(Qualifier::Exact),
            "about" | "around" | "approximately" => Some(Qualifier::About),
            "almost" | "nearly" => Some(Qualifier::Almost),
            "more than" | "over" | "at least" => Some(Qualifier::MoreThan),
            "less than" | "under" => Some(Qualifier::LessThan),
            _ => None,
        }
    }
}

/// The unit a claim states its number in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Per cent.
    Percent,
    /// Square kilometres.
    Km2,
    /// Square miles.
    SqMi,
    /// Kilometres.
    Km,
    /// Metres.
    M,
}

impl Unit {
    /// The symbol used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Km2 => "km²",
            Unit::SqMi => "sq mi",
            Unit::Km => "km",
            Unit::M => "m",
        }
    }

    /// Parses `%`, `pct`, `km2`, `km²`, `sqmi`, `sq mi`, `km`, `m`.
    pub fn parse(s: &str) -> Option<Unit> {
        match s.trim().to_lowercase().replace([' ', '_'], "").as_str() {
            "%" | "pct" | "percent" => Some(Unit::Percent),
            "km2" | "km²" | "sqkm" => Some(Unit::Km2),
            "sqmi" | "mi2" | "squaremiles" => Some(Unit::SqMi),
            "km" => Some(Unit::Km),
            "m" => Some(Unit::M),
            _ => None,
        }
    }

    /// The factor to the canonical unit of its dimension (km², %, km).
    pub fn to_canonical(self) -> f64 {
        match self {
            Unit::Percent | Unit::Km2 | Unit::Km => 1.0,
            Unit::SqMi => 2.589_988_110_336,
            Unit::M => 0.001,
        }
    }

    /// The canonical unit of its dimension.
    pub fn canonical(self) -> Unit {
        match self {
            Unit::SqMi => Unit::Km2,
            Unit::M => Unit::Km,
            u => u,
        }
    }
}

/// A number as a claim states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    /// The value, in `unit`.
    pub value: f64,
    /// The unit of the last significant digit as written, in `unit`.
    pub step: f64,
    /// Its unit.
    pub unit: Unit,
    /// Its hedge.
    pub qualifier: Qualifier,
    /// The words it came from ("almost a fifth", "116,000 km²").
    pub text: String,
}

impl Amount {
    /// The band the claim's own rounding allows, in the canonical unit
    /// (km², %, km), before any measurement tolerance (see the module docs).
    pub fn band(&self) -> (f64, f64) {
        let (v, u) = (self.value, self.step);
        let (lo, hi) = match self.qualifier {
            Qualifier::Exact => (v - u / 2.0, v + u / 2.0),
            Qualifier::About => (v - u, v + u),
            Qualifier::Almost | Qualifier::LessThan => (v - u, v),
            Qualifier::MoreThan => (v, v + u),
        };
        let f = self.unit.to_canonical();
        (lo * f, hi * f)
    }
}

/// What happened to a settlement, as claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TownEvent {
    /// Taken by Russia (occupied on the date).
    Captured,
    /// Taken back by Ukraine (held on the date after being occupied).
    Liberated,
    /// Cut off: no way out to the rear on the date.
    Encircled,
    /// Still held by Ukraine on the date.
    Held,
}

impl TownEvent {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TownEvent::Captured => "captured",
            TownEvent::Liberated => "liberated",
            TownEvent::Encircled => "encircled",
            TownEvent::Held => "held",
        }
    }
}

/// What a claim is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ClaimKind {
    /// Share (%) or area (km², sq mi) of the country held by a side.
    Country,
    /// Share or area of an oblast held by a side.
    Region {
        /// ISO 3166-2 code ("UA-09").
        iso: String,
        /// English name ("Luhansk Oblast").
        name: String,
    },
    /// A settlement captured, liberated, encircled or still held.
    Town {
        /// The name as written (resolved by the gazetteer when checked).
        place: String,
        /// What is claimed.
        event: TownEvent,
    },
    /// Area (or share of the country) gained by a side in a period.
    Gained,
    /// The width of the way out of a settlement.
    Corridor {
        /// The name as written.
        place: String,
    },
    /// The length of the frontline.
    FrontLength,
}

impl ClaimKind {
    /// A short name for tables and files.
    pub fn name(&self) -> &'static str {
        match self {
            ClaimKind::Country => "country",
            ClaimKind::Region { .. } => "region",
            ClaimKind::Town { .. } => "town",
            ClaimKind::Gained => "gained",
            ClaimKind::Corridor { .. } => "corridor",
            ClaimKind::FrontLength => "front-length",
        }
    }
}

/// Where a claim's date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFrom {
    /// Written in the sentence (or the file's row).
    Claim,
    /// The article's date (`--as-of`).
    AsOf,
    /// Neither: the claim cannot be dated.
    None,
}

/// One checkable claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// The sentence (or row) it came from, quoted whole.
    pub quote: String,
    /// Zero-based index of that sentence (or data row).
    pub sentence: usize,
    /// What it is about.
    pub kind: ClaimKind,
    /// Who holds or took the ground.
    pub side: Side,
    /// The number, for kinds that have one (not for a town's status).
    pub amount: Option<Amount>,
    /// The date it speaks of: the end of a period for [`ClaimKind::Gained`].
    pub date: Option<NaiveDate>,
    /// The start of the period, for [`ClaimKind::Gained`].
    pub from: Option<NaiveDate>,
    /// Where the date came from.
    pub date_from: DateFrom,
}

/// The claims of a text, and how much of it was set aside.
#[derive(Debug, Clone, Serialize)]
pub struct Extraction {
    /// Every checkable claim, in reading order.
    pub claims: Vec<Claim>,
    /// Sentences read.
    pub sentences: usize,
    /// Sentences holding no checkable claim.
    pub skipped: usize,
}
