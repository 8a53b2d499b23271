//! Dates as each language writes them: Moroccan Arabic month names, Tifinagh month names,
//! French month names, always with Western digits.

use crate::Lang;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};

const AR_MONTHS: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
];
const ZGH_MONTHS: [&str; 12] = [
    "ⵉⵏⵏⴰⵢⵔ",
    "ⴱⵕⴰⵢⵕ",
    "ⵎⴰⵕⵚ",
    "ⵉⴱⵔⵉⵔ",
    "ⵎⴰⵢⵢⵓ",
    "ⵢⵓⵏⵢⵓ",
    "ⵢⵓⵍⵢⵓⵣ",
    "ⵖⵓⵛⵜ",
    "ⵛⵓⵜⴰⵏⴱⵉⵔ",
    "ⴽⵜⵓⴱⵔ",
    "ⵏⵓⵡⴰⵏⴱⵉⵔ",
    "ⴷⵓⵊⴰⵏⴱⵉⵔ",
];
const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// The name of month `month` (1-12) in `lang`.
pub fn month_name(lang: Lang, month: u32) -> &'static str {
    let table = match lang {
        Lang::Ar => &AR_MONTHS,
        Lang::Zgh => &ZGH_MONTHS,
        Lang::Fr => &FR_MONTHS,
    };
    table[(month.clamp(1, 12) - 1) as usize]
}

/// A calendar day in `lang`: "26 نونبر 2026", "26 ⵏⵓⵡⴰⵏⴱⵉⵔ 2026", "26 novembre 2026".
pub fn format_day(lang: Lang, day: NaiveDate) -> String {
    let d = day.day();
    let first = if lang == Lang::Fr && d == 1 {
        "1er".to_string()
    } else {
        d.to_string()
    };
    format!("{first} {} {}", month_name(lang, day.month()), day.year())
}

/// When something starts, in `lang`: the day alone when it starts at midnight (an opening on
/// "2 novembre 2026" needs no "00:00"), else as [`format_instant`]. (A closing at midnight keeps
/// its hour: the day it names is already closed.)
pub fn format_start(lang: Lang, at: &DateTime<FixedOffset>) -> String {
    if at.hour() == 0 && at.minute() == 0 {
        return format_day(lang, at.date_naive());
    }
    format_instant(lang, at)
}

/// An instant in `lang`, in its own offset: day, then hour and minute ("26 novembre 2026, 18:00").
pub fn format_instant(lang: Lang, at: &DateTime<FixedOffset>) -> String {
    let sep = if lang == Lang::Ar { "، " } else { ", " };
    format!(
        "{}{sep}{:02}:{:02}",
        format_day(lang, at.date_naive()),
        at.hour(),
        at.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_moroccan_arabic_month_names() {
        let day = NaiveDate::from_ymd_opt(2026, 8, 20).unwrap();
        assert_eq!(format_day(Lang::Ar, day), "20 غشت 2026");
        let day = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        assert_eq!(format_day(Lang::Ar, day), "5 نونبر 2026");
    }

    #[test]
    fn writes_amazigh_months_in_tifinagh_and_french_first_of_month() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(format_day(Lang::Zgh, day), "1 ⵉⵏⵏⴰⵢⵔ 2026");
        assert_eq!(format_day(Lang::Fr, day), "1er janvier 2026");
    }

    #[test]
    fn instants_keep_their_offset() {
        let at = DateTime::parse_from_rfc3339("2026-03-01T09:05:00+01:00").unwrap();
        assert_eq!(format_instant(Lang::Fr, &at), "1er mars 2026, 09:05");
        let midnight = DateTime::parse_from_rfc3339("2026-03-01T00:00:00+01:00").unwrap();
        assert_eq!(format_start(Lang::Fr, &midnight), "1er mars 2026");
        assert_eq!(format_instant(Lang::Fr, &midnight), "1er mars 2026, 00:00");
        assert_eq!(format_start(Lang::Fr, &at), "1er mars 2026, 09:05");
    }
}
