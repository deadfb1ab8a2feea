//! Typed arguments shared by several commands: the values a flag takes are
//! listed in `--help` and checked by clap before any work starts, and the
//! blocks of flags that many commands repeat are declared once.

use crate::context::parse_date;
use chrono::NaiveDate;
use clap::ValueEnum;
use frontline::area::Period;
use frontline::ingest::Format;
use frontline::places::Status;
use frontline::regions::ShareConvention;
use frontline::ControlClass;

/// `--source`, `--on`, `--from`, `--to`: which snapshots of which source.
#[derive(clap::Args, Debug, Clone)]
pub struct Snapshots {
    /// Source (default: the only one, or deepstate-daily; the gray zone after August 2025 is only in
    /// deepstate, the DeepState full map).
    #[arg(long)]
    pub source: Option<String>,
    /// One date: the last snapshot at or before it is used (default: the latest).
    #[arg(long, value_parser = parse_date, conflicts_with_all = ["from", "to"])]
    pub on: Option<NaiveDate>,
    /// First date of a range (every snapshot in the range is measured).
    #[arg(long, value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last date of a range.
    #[arg(long, value_parser = parse_date)]
    pub to: Option<NaiveDate>,
}

/// A class of ground, as `--class` names it.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Held by Russia.
    Occupied,
    /// Contested (DeepState's gray zone).
    Gray,
    /// Taken back by Ukraine.
    Liberated,
}

impl From<Class> for ControlClass {
    fn from(c: Class) -> ControlClass {
        match c {
            Class::Occupied => ControlClass::Occupied,
            Class::Gray => ControlClass::Gray,
            Class::Liberated => ControlClass::Liberated,
        }
    }
}

/// `change --class`: one class, or all the source has.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassOrAll {
    Occupied,
    Gray,
    Liberated,
    /// Every class the source publishes.
    All,
}

impl ClassOrAll {
    /// The name the engine's change request takes.
    pub fn name(self) -> &'static str {
        match self {
            ClassOrAll::Occupied => "occupied",
            ClassOrAll::Gray => "gray",
            ClassOrAll::Liberated => "liberated",
            ClassOrAll::All => "all",
        }
    }
}

/// The step of a change series (`change --every`, `advance --every`).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Consecutive snapshots.
    Snapshot,
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    Month,
    Year,
}

impl Step {
    pub fn period(self) -> Period {
        match self {
            Step::Snapshot => Period::Snapshot,
            Step::Day => Period::Day,
            Step::Week => Period::Week,
            Step::Month => Period::Month,
            Step::Year => Period::Year,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Step::Snapshot => "snapshot",
            Step::Day => "day",
            Step::Week => "week",
            Step::Month => "month",
            Step::Year => "year",
        }
    }
}

/// Which snapshots a series shows: every one, or the last of each period.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// Every snapshot.
    #[value(alias = "snapshot")]
    Day,
    /// The last snapshot of each ISO week.
    Week,
    /// The last snapshot of each month.
    Month,
}

impl Sample {
    pub fn every(self) -> frontline::usecase::Every {
        match self {
            Sample::Day => frontline::usecase::Every::Day,
            Sample::Week => frontline::usecase::Every::Week,
            Sample::Month => frontline::usecase::Every::Month,
        }
    }
}

/// `ingest --as`: a format instead of recognising it by the file's name.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatName {
    /// DeepStateMap's daily export (one file a day).
    DeepstateDaily,
    /// DeepStateMap's history API (`<unix time>.geojson`).
    DeepstateRaw,
    /// Daily downloads of DeepStateMap's full map.
    DeepstateArchive,
    /// ISW's assessed control.
    Isw,
}

impl FormatName {
    pub fn format(self) -> Option<Format> {
        Format::parse(match self {
            FormatName::DeepstateDaily => "deepstate-daily",
            FormatName::DeepstateRaw => "deepstate-raw",
            FormatName::DeepstateArchive => "deepstate-archive",
            FormatName::Isw => "isw",
        })
    }
}

/// `area --shares`: how a region's share is computed.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shares {
    /// Area within the region incl. its territorial sea ÷ its official area, at most 100 %
    /// (DeepState's convention; the default for oblasts).
    Official,
    /// Area within the region's outline ÷ the outline's measured area (the default, and only
    /// choice, elsewhere).
    Outline,
}

impl From<Shares> for ShareConvention {
    fn from(s: Shares) -> ShareConvention {
        match s {
            Shares::Official => ShareConvention::Official,
            Shares::Outline => ShareConvention::Outline,
        }
    }
}

/// `places --status`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusName {
    Held,
    Contested,
    Occupied,
}

impl From<StatusName> for Status {
    fn from(s: StatusName) -> Status {
        match s {
            StatusName::Held => Status::Held,
            StatusName::Contested => Status::Contested,
            StatusName::Occupied => Status::Occupied,
        }
    }
}

/// The help line of `--reference`: it takes a name or a file, so it is
/// not an enum, but its names are listed the same way.
pub const REFERENCE_VALUE: &str = "sea|land|FILE";

/// The value name of `--by` (a region level or a file).
pub const BY_VALUE: &str = "oblast|raion|hromada|FILE";

/// A bad value as one line: the flag, the value, and the values it takes
/// (clap's own message spans several lines).
pub fn one_line_error(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if !matches!(e.kind(), ErrorKind::InvalidValue | ErrorKind::ValueValidation) {
        return None;
    }
    let flag = match e.get(ContextKind::InvalidArg)? {
        ContextValue::String(s) => s.split_whitespace().next().unwrap_or(s).to_string(),
        _ => return None,
    };
    let value = match e.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    match e.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(valid)) => Some(format!("{flag} {value}: use {}", valid.join(", "))),
        // A value parser's own message (a date, a length) says what to give.
        _ => std::error::Error::source(e).map(|s| format!("{flag} {value}: {s}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[arg(long, value_enum)]
        every: Step,
        #[arg(long, value_parser = parse_date)]
        on: Option<NaiveDate>,
    }

    #[test]
    fn a_bad_value_is_one_line_naming_the_values() {
        let e = T::try_parse_from(["t", "--every", "fortnight"]).err().expect("refused");
        assert_eq!(one_line_error(&e).as_deref(), Some("--every fortnight: use snapshot, day, week, month, year"));
        let e = T::try_parse_from(["t", "--every", "day", "--on", "2025-13-01"]).err().expect("refused");
        let line = one_line_error(&e).expect("one line");
        assert!(line.starts_with("--on 2025-13-01: ") && line.contains("YYYY-MM-DD") && !line.contains('\n'), "{line}");
    }

    #[test]
    fn every_format_name_is_one_the_engine_knows() {
        for f in FormatName::value_variants() {
            assert!(f.format().is_some(), "{f:?}");
        }
        assert_eq!(FormatName::value_variants().len(), Format::NAMES.len());
    }
}
