//! A calendar date (`YYYY-MM-DD`, proleptic Gregorian), for the `until` of an `[[allow]]`.
//!
//! The arithmetic is two small exact formulas, Howard Hinnant's `days_from_civil` and
//! `civil_from_days` (<https://howardhinnant.github.io/date_algorithms.html>): a date library
//! would be a dependency for what Trellis needs of dates, which is to read one, compare two
//! and count days.

use std::fmt;

/// A day of the calendar. Dates order as time does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date a text of the form `YYYY-MM-DD` names (four digits, two, two: a day that
    /// exists, years 0001 to 9999), else `None`.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if !text.is_ascii() || bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[range];
            part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let date = Date::new(i32::try_from(year).ok()?, u8::try_from(month).ok()?, day as u8)?;
        (year >= 1 && day <= 31).then_some(date)
    }

    /// The date of `year`, `month` (1 to 12) and `day` (1 to the month's last), if it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let last = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=last).contains(&day).then_some(Date { year, month, day })
    }

    /// The date `days` days after 1970-01-01 (before it, when negative).
    pub fn from_days(days: i64) -> Date {
        // civil_from_days: eras of 400 years (146,097 days) starting on March 1st.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// How many days after 1970-01-01 this date is (negative before it).
    pub fn days(self) -> i64 {
        // days_from_civil, the inverse of `from_days`.
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400);
        let month = i64::from(self.month);
        let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
            + i64::from(self.day)
            - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days later (earlier when negative).
    pub fn plus_days(self, days: i64) -> Date {
        Date::from_days(self.days() + days)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn dates_read_back_as_written_and_count_days_exactly() {
        assert_eq!(Date::parse("1970-01-01").unwrap().days(), 0);
        assert_eq!(Date::parse("2000-02-29").unwrap().days(), 11_016);
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
        assert_eq!(Date::parse("1969-12-31").unwrap().days(), -1);
        for days in -800_000..800_000 {
            let date = Date::from_days(days);
            assert_eq!(date.days(), days);
            assert_eq!(Date::parse(&date.to_string()), Some(date).filter(|_| days >= -719_162));
        }
        let d = Date::parse("2026-03-01").unwrap();
        assert_eq!(d.plus_days(-1).to_string(), "2026-02-28");
        assert!(Date::parse("2026-01-31").unwrap() < Date::parse("2026-02-01").unwrap());
    }

    #[test]
    fn malformed_dates_are_none() {
        for bad in [
            "",
            "2026-1-01",
            "2026-13-01",
            "2026-02-29",
            "2026-04-31",
            "0000-01-01",
            "26-01-01",
            "2026/01/01",
            "2026-01-01T00:00",
            "+026-01-01",
            "2026-00-10",
            "２０２６-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2024-02-29").is_some());
    }
}
