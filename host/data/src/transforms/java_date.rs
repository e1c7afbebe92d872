//! Java's `java.text.SimpleDateFormat` as Kafka's transformations use it: always in UTC, with
//! the English date symbols, lenient, on a `java.util.GregorianCalendar` (Julian calendar before
//! 1582-10-15, as Java's). Formats milliseconds since the epoch and parses text back to them.
//!
//! Pattern letters `G y Y M L w W D d F E u a H k K h m s S z Z X`, `'` quoting (`''` is a
//! quote), Java's padding and two-digit-year rules. Parsing follows `SimpleDateFormat.parse`:
//! numbers take as many digits as there are unless the next field is numeric too (then the
//! letter count), out-of-range values roll over (month 13 is January of the next year), text
//! after the last field is ignored, names match without case. Zone names parse as `GMT`/`UTC`
//! and the common US and European abbreviations and long names, with fixed offsets.

use std::time::{SystemTime, UNIX_EPOCH};

const MS_PER_DAY: i64 = 86_400_000;
/// 1582-10-15 in days since the epoch: Java's Gregorian cutover; earlier days are Julian.
const CUTOVER_DAY: i64 = -141_427;
/// The year of the cutover.
const CUTOVER_YEAR: i64 = 1582;

/// Java's `DateFormatSymbols.patternChars`, in Java's order (the index is the field).
const PATTERN_CHARS: &str = "GyMdkHmsSEDFwWahKzZYuXL";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// Sunday first, as `Calendar.DAY_OF_WEEK` counts (1 = Sunday).
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const SHORT_WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const ERAS: [&str; 2] = ["BC", "AD"];
const AM_PM: [&str; 2] = ["AM", "PM"];

/// Zone names a `z` or `Z` field parses, and their offsets in minutes: UTC's own names first
/// (Java tries the formatter's zone first), then the others.
const ZONE_NAMES: &[(&str, i64)] = &[
    ("Coordinated Universal Time", 0),
    ("UTC", 0),
    ("Greenwich Mean Time", 0),
    ("GMT", 0),
    ("Eastern Standard Time", -300),
    ("EST", -300),
    ("Eastern Daylight Time", -240),
    ("EDT", -240),
    ("Central Standard Time", -360),
    ("CST", -360),
    ("Central Daylight Time", -300),
    ("CDT", -300),
    ("Mountain Standard Time", -420),
    ("MST", -420),
    ("Mountain Daylight Time", -360),
    ("MDT", -360),
    ("Pacific Standard Time", -480),
    ("PST", -480),
    ("Pacific Daylight Time", -420),
    ("PDT", -420),
    ("Western European Standard Time", 0),
    ("WET", 0),
    ("Western European Summer Time", 60),
    ("WEST", 60),
    ("Central European Standard Time", 60),
    ("CET", 60),
    ("Central European Summer Time", 120),
    ("CEST", 120),
    ("Eastern European Standard Time", 120),
    ("EET", 120),
    ("Eastern European Summer Time", 180),
    ("EEST", 180),
];

/// One pattern letter: Java's field (`G` era, `y` year, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Letter {
    Era,
    Year,
    Month,
    DayOfMonth,
    HourOfDay1,
    HourOfDay0,
    Minute,
    Second,
    Millisecond,
    DayOfWeek,
    DayOfYear,
    DayOfWeekInMonth,
    WeekOfYear,
    WeekOfMonth,
    AmPm,
    Hour1,
    Hour0,
    ZoneName,
    ZoneValue,
    WeekYear,
    IsoDayOfWeek,
    IsoZone,
    MonthStandalone,
}

impl Letter {
    /// The field of pattern letter `c`, in `PATTERN_CHARS` order.
    fn of(c: char) -> Option<Letter> {
        use Letter::*;
        const ALL: [Letter; 23] = [
            Era,
            Year,
            Month,
            DayOfMonth,
            HourOfDay1,
            HourOfDay0,
            Minute,
            Second,
            Millisecond,
            DayOfWeek,
            DayOfYear,
            DayOfWeekInMonth,
            WeekOfYear,
            WeekOfMonth,
            AmPm,
            Hour1,
            Hour0,
            ZoneName,
            ZoneValue,
            WeekYear,
            IsoDayOfWeek,
            IsoZone,
            MonthStandalone,
        ];
        PATTERN_CHARS.chars().position(|p| p == c).map(|i| ALL[i])
    }

    /// `SimpleDateFormat.shouldObeyCount`: a field followed by this one must take exactly its
    /// letter count of digits (`yyyyMMdd`).
    fn is_numeric_next(self, count: usize) -> bool {
        use Letter::*;
        match self {
            Month | MonthStandalone => count <= 2,
            Year | DayOfMonth | HourOfDay1 | HourOfDay0 | Minute | Second | Millisecond
            | DayOfYear | DayOfWeekInMonth | WeekOfYear | WeekOfMonth | Hour1 | Hour0
            | WeekYear | IsoDayOfWeek => true,
            _ => false,
        }
    }
}

/// A compiled pattern element.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Text matched and printed as is.
    Literal(Vec<char>),
    /// A field and its letter count.
    Field(Letter, usize),
}

/// Why text did not parse: Java's `ParseException`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unparseable date: \"{text}\"")]
pub struct ParseError {
    /// The text.
    pub text: String,
    /// Where parsing failed (`ParseException.getErrorOffset`), in characters.
    pub error_index: usize,
}

/// A compiled `SimpleDateFormat` pattern, in UTC.
#[derive(Debug, Clone)]
pub struct SimpleDateFormat {
    pattern: String,
    items: Vec<Item>,
    /// Two-digit years parse into the hundred years from here (80 years before the format was
    /// made, as Java's).
    century_start_ms: i64,
    century_start_year: i64,
}

impl SimpleDateFormat {
    /// Compiles `pattern`; the error is Java's `IllegalArgumentException` message
    /// (`Illegal pattern character 'q'`, `Unterminated quote`).
    pub fn new(pattern: &str) -> Result<SimpleDateFormat, String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        SimpleDateFormat::new_at(pattern, now)
    }

    /// [`SimpleDateFormat::new`] as if made at `now_ms` (fixes the two-digit-year window).
    fn new_at(pattern: &str, now_ms: i64) -> Result<SimpleDateFormat, String> {
        let items = compile(pattern)?;
        // Java: `Calendar.add(YEAR, -80)` on now, the day clamped to the month's length.
        let days = now_ms.div_euclid(MS_PER_DAY);
        let time = now_ms.rem_euclid(MS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        let year = y - 80;
        let day = d.min(month_length(year, m));
        let start = days_from_civil(System::of_year(year), year, m, day);
        Ok(SimpleDateFormat {
            pattern: pattern.to_owned(),
            items,
            century_start_ms: start.wrapping_mul(MS_PER_DAY).wrapping_add(time),
            century_start_year: year,
        })
    }

    /// The pattern as given (`toPattern()`).
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// `format(new Date(ms))`.
    pub fn format(&self, ms: i64) -> String {
        let t = Broken::of(ms);
        let mut out = String::new();
        for item in &self.items {
            match item {
                Item::Literal(chars) => out.extend(chars),
                Item::Field(letter, count) => format_field(&t, *letter, *count, &mut out),
            }
        }
        out
    }

    /// `parse(text)` (`DateFormat.parse(String)`): milliseconds since the epoch. Text after
    /// what the pattern describes is ignored, as in Java.
    pub fn parse(&self, text: &str) -> Result<i64, ParseError> {
        let chars: Vec<char> = text.chars().collect();
        let fail = |error_index: usize| ParseError {
            text: text.to_owned(),
            error_index,
        };
        let mut fields = Fields::default();
        let mut ambiguous_year = false;
        let mut pos = 0;
        for (i, item) in self.items.iter().enumerate() {
            match item {
                Item::Literal(lit) => {
                    for &c in lit {
                        if chars.get(pos) != Some(&c) {
                            return Err(fail(pos));
                        }
                        pos += 1;
                    }
                }
                Item::Field(letter, count) => {
                    let obey_count = match self.items.get(i + 1) {
                        Some(Item::Field(next, next_count)) => next.is_numeric_next(*next_count),
                        _ => false,
                    };
                    pos = self
                        .sub_parse(
                            &chars,
                            pos,
                            *letter,
                            *count,
                            obey_count,
                            &mut ambiguous_year,
                            &mut fields,
                        )
                        .map_err(fail)?;
                }
            }
        }
        // `DateFormat.parse(String)` fails when nothing was consumed.
        if pos == 0 {
            return Err(fail(0));
        }
        let mut millis = establish(&fields).ok_or_else(|| fail(pos))?;
        if ambiguous_year && millis < self.century_start_ms {
            fields.add_year(100);
            millis = establish(&fields).ok_or_else(|| fail(pos))?;
        }
        Ok(millis)
    }

    /// `SimpleDateFormat.subParse`: one field at `start`; the position after it, or where it
    /// failed.
    #[allow(clippy::too_many_arguments)]
    fn sub_parse(
        &self,
        text: &[char],
        start: usize,
        letter: Letter,
        count: usize,
        obey_count: bool,
        ambiguous_year: &mut bool,
        f: &mut Fields,
    ) -> Result<usize, usize> {
        use Letter::*;
        // Spaces and tabs before a field are skipped; the end of the text is a failure.
        let mut pos = start;
        loop {
            match text.get(pos) {
                None => return Err(start),
                Some(' ' | '\t') => pos += 1,
                Some(_) => break,
            }
        }
        let actual_start = pos;
        let limit = |pos: usize| -> Result<usize, usize> {
            if !obey_count {
                return Ok(text.len());
            }
            // Java counts the letters from before the skipped spaces.
            if start + count > text.len() {
                Err(pos)
            } else {
                Ok(start + count)
            }
        };
        let mut value = 0;
        let numeric_first = matches!(letter, HourOfDay1 | Hour1 | Year | WeekYear)
            || (matches!(letter, Month | MonthStandalone) && count <= 2);
        if numeric_first {
            let end = limit(pos)?;
            let (v, after) = parse_number(text, pos, end).ok_or(pos)?;
            value = v;
            pos = after;
        }
        match letter {
            Era => {
                let (i, end) = match_strings(text, start, &ERAS).ok_or(pos)?;
                f.set(ERA, i as i64);
                Ok(end)
            }
            Year | WeekYear => {
                // Two digits for `y`/`yy` are a year in the hundred years from the century
                // start; the one equal to its last two digits is ambiguous.
                if count <= 2
                    && pos - actual_start == 2
                    && text[actual_start].is_ascii_digit()
                    && text[actual_start + 1].is_ascii_digit()
                {
                    let ambiguous = self.century_start_year.rem_euclid(100);
                    *ambiguous_year = value == ambiguous;
                    value += self.century_start_year.div_euclid(100) * 100
                        + if value < ambiguous { 100 } else { 0 };
                }
                f.set(if letter == Year { YEAR } else { WEEK_YEAR }, value);
                Ok(pos)
            }
            Month | MonthStandalone if count <= 2 => {
                f.set(MONTH, value - 1);
                Ok(pos)
            }
            Month | MonthStandalone => {
                let (i, end) = match_strings(text, start, &MONTHS)
                    .or_else(|| match_strings(text, start, &SHORT_MONTHS))
                    .ok_or(pos)?;
                f.set(MONTH, i as i64);
                Ok(end)
            }
            HourOfDay1 => {
                f.set(HOUR_OF_DAY, if value == 24 { 0 } else { value });
                Ok(pos)
            }
            DayOfWeek => {
                let (i, end) = match_strings(text, start, &WEEKDAYS)
                    .or_else(|| match_strings(text, start, &SHORT_WEEKDAYS))
                    .ok_or(pos)?;
                f.set(DAY_OF_WEEK, i as i64 + 1);
                Ok(end)
            }
            AmPm => {
                let (i, end) = match_strings(text, start, &AM_PM).ok_or(pos)?;
                f.set(AM_PM_FIELD, i as i64);
                Ok(end)
            }
            Hour1 => {
                f.set(HOUR, if value == 12 { 0 } else { value });
                Ok(pos)
            }
            ZoneName | ZoneValue => parse_zone(text, start, pos, f),
            IsoZone => {
                let c = text[pos];
                if c == 'Z' {
                    f.set(ZONE_OFFSET, 0);
                    f.set(DST_OFFSET, 0);
                    return Ok(pos + 1);
                }
                let sign = match c {
                    '+' => 1,
                    '-' => -1,
                    _ => return Err(pos + 1),
                };
                let (offset, end) = numeric_zone(text, pos + 1, sign, count, count == 3)?;
                f.set(ZONE_OFFSET, offset);
                f.set(DST_OFFSET, 0);
                Ok(end)
            }
            _ => {
                let end = limit(pos)?;
                let (v, after) = parse_number(text, pos, end).ok_or(pos)?;
                let (field, v) = match letter {
                    DayOfMonth => (DAY_OF_MONTH, v),
                    HourOfDay0 => (HOUR_OF_DAY, v),
                    Minute => (MINUTE, v),
                    Second => (SECOND, v),
                    Millisecond => (MILLISECOND, v),
                    DayOfYear => (DAY_OF_YEAR, v),
                    DayOfWeekInMonth => (DAY_OF_WEEK_IN_MONTH, v),
                    WeekOfYear => (WEEK_OF_YEAR, v),
                    WeekOfMonth => (WEEK_OF_MONTH, v),
                    Hour0 => (HOUR, v),
                    // ISO 1 = Monday … 7 = Sunday; other values pass as they are.
                    IsoDayOfWeek => (
                        DAY_OF_WEEK,
                        match v {
                            7 => 1,
                            1..=6 => v + 1,
                            _ => v,
                        },
                    ),
                    _ => return Err(pos),
                };
                f.set(field, v);
                Ok(after)
            }
        }
    }
}

/// `SimpleDateFormat.compile`.
fn compile(pattern: &str) -> Result<Vec<Item>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut items = Vec::new();
    let mut in_quote = false;
    let mut quoted = Vec::new();
    // The field being collected: its letter and count.
    let mut field: Option<(Letter, usize)> = None;
    let flush =
        |field: &mut Option<(Letter, usize)>, items: &mut Vec<Item>| -> Result<(), String> {
            if let Some((letter, count)) = field.take() {
                if letter == Letter::IsoZone && count >= 4 {
                    return Err(format!("invalid ISO 8601 format: length={count}"));
                }
                items.push(Item::Field(letter, count));
            }
            Ok(())
        };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // `''` is a quote, inside quoted text or not.
            if chars.get(i + 1) == Some(&'\'') {
                i += 2;
                flush(&mut field, &mut items)?;
                if in_quote {
                    quoted.push('\'');
                } else {
                    items.push(Item::Literal(vec!['\'']));
                }
                continue;
            }
            if in_quote {
                items.push(Item::Literal(std::mem::take(&mut quoted)));
            } else {
                flush(&mut field, &mut items)?;
            }
            in_quote = !in_quote;
            i += 1;
            continue;
        }
        if in_quote {
            quoted.push(c);
            i += 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            flush(&mut field, &mut items)?;
            items.push(Item::Literal(vec![c]));
            i += 1;
            continue;
        }
        let letter = Letter::of(c).ok_or_else(|| format!("Illegal pattern character '{c}'"))?;
        match &mut field {
            Some((l, count)) if *l == letter => *count += 1,
            _ => {
                flush(&mut field, &mut items)?;
                field = Some((letter, 1));
            }
        }
        i += 1;
    }
    if in_quote {
        return Err("Unterminated quote".into());
    }
    flush(&mut field, &mut items)?;
    Ok(items)
}

/// `zeroPaddingNumber(value, min, max)`: at least `min` digits, only the last `max` kept.
fn pad(value: i64, min: usize, max: usize, out: &mut String) {
    let digits = value.unsigned_abs().to_string();
    let digits = if digits.len() > max {
        &digits[digits.len() - max..]
    } else {
        &digits[..]
    };
    if value < 0 {
        out.push('-');
    }
    for _ in digits.len()..min {
        out.push('0');
    }
    out.push_str(digits);
}

fn format_field(t: &Broken, letter: Letter, count: usize, out: &mut String) {
    use Letter::*;
    let number = |v: i64, out: &mut String| pad(v, count, usize::MAX, out);
    match letter {
        Era => out.push_str(ERAS[usize::from(t.year > 0)]),
        Year | WeekYear => {
            let v = if letter == Year {
                t.year_of_era()
            } else {
                t.week_year
            };
            if count == 2 {
                pad(v, 2, 2, out);
            } else {
                number(v, out);
            }
        }
        Month | MonthStandalone => match count {
            4.. => out.push_str(MONTHS[t.month0()]),
            3 => out.push_str(SHORT_MONTHS[t.month0()]),
            _ => number(t.month, out),
        },
        DayOfMonth => number(t.day, out),
        HourOfDay1 => number(if t.hour == 0 { 24 } else { t.hour }, out),
        HourOfDay0 => number(t.hour, out),
        Minute => number(t.minute, out),
        Second => number(t.second, out),
        Millisecond => number(t.millis, out),
        DayOfWeek => {
            let names = if count >= 4 { WEEKDAYS } else { SHORT_WEEKDAYS };
            out.push_str(names[t.day_of_week0()]);
        }
        DayOfYear => number(t.day_of_year, out),
        DayOfWeekInMonth => number((t.day - 1) / 7 + 1, out),
        WeekOfYear => number(t.week_of_year, out),
        WeekOfMonth => number(t.week_of_month, out),
        AmPm => out.push_str(AM_PM[usize::from(t.hour >= 12)]),
        Hour1 => number(if t.hour % 12 == 0 { 12 } else { t.hour % 12 }, out),
        Hour0 => number(t.hour % 12, out),
        ZoneName => out.push_str(if count >= 4 {
            "Coordinated Universal Time"
        } else {
            "UTC"
        }),
        ZoneValue => out.push_str("+0000"),
        IsoDayOfWeek => number(
            if t.day_of_week == 1 {
                7
            } else {
                t.day_of_week - 1
            },
            out,
        ),
        IsoZone => out.push('Z'),
    }
}

/// Java's calendar fields of an instant in UTC.
#[derive(Debug, Clone, Copy)]
struct Broken {
    /// Astronomical year (0 = 1 BC).
    year: i64,
    /// 1–12.
    month: i64,
    day: i64,
    day_of_year: i64,
    /// 1 = Sunday … 7 = Saturday.
    day_of_week: i64,
    week_of_year: i64,
    week_of_month: i64,
    week_year: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
}

impl Broken {
    fn of(ms: i64) -> Broken {
        let days = ms.div_euclid(MS_PER_DAY);
        let time = ms.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let jan1 = days_from_civil(System::of_year(year), year, 1, 1);
        let mut week_of_year = week_number(jan1, days);
        if week_of_year >= 52 {
            // The last days of a year may be in week 1 of the next.
            let next_jan1 = days_from_civil(System::of_year(year + 1), year + 1, 1, 1);
            let mut next_week1 = day_of_week_on_or_before(next_jan1 + 6, 1);
            if next_week1 - next_jan1 >= 1 {
                next_week1 -= 7;
            }
            if days >= next_week1 {
                week_of_year = 1;
            }
        }
        let week_year = if month == 1 && week_of_year >= 52 {
            year - 1
        } else if month != 1 && week_of_year == 1 {
            year + 1
        } else {
            year
        };
        Broken {
            year,
            month,
            day,
            day_of_year: days - jan1 + 1,
            day_of_week: day_of_week(days),
            week_of_year,
            week_of_month: week_number(days - day + 1, days),
            week_year,
            hour: time / 3_600_000,
            minute: time / 60_000 % 60,
            second: time / 1000 % 60,
            millis: time % 1000,
        }
    }

    /// The year of the era (1 BC is year 1 of BC).
    fn year_of_era(&self) -> i64 {
        if self.year > 0 {
            self.year
        } else {
            1 - self.year
        }
    }

    fn month0(&self) -> usize {
        usize::try_from(self.month - 1).unwrap_or(0)
    }

    fn day_of_week0(&self) -> usize {
        usize::try_from(self.day_of_week - 1).unwrap_or(0)
    }
}

/// Gregorian or Julian arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum System {
    Gregorian,
    Julian,
}

impl System {
    /// The system Java uses for January 1 of `year` (and for its month lengths).
    fn of_year(year: i64) -> System {
        if year > CUTOVER_YEAR {
            System::Gregorian
        } else {
            System::Julian
        }
    }
}

/// Days since 1970-01-01 of `y-m-d` in `system` (`m` 1–12, `d` any).
fn days_from_civil(system: System, y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    match system {
        System::Gregorian => {
            let era = y.div_euclid(400);
            let yoe = y - era * 400;
            era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
        }
        System::Julian => {
            let cycle = y.div_euclid(4);
            let yoc = y - cycle * 4;
            cycle * 1461 + yoc * 365 + doy - 719_470
        }
    }
}

/// `(year, month 1–12, day)` of a day since the epoch, Julian before the cutover.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let (year_in_cycle, doy, base) = if days >= CUTOVER_DAY {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        (yoe, doe - (365 * yoe + yoe / 4 - yoe / 100), era * 400)
    } else {
        let z = days + 719_470;
        let cycle = z.div_euclid(1461);
        let doc = z - cycle * 1461;
        let yoc = (doc / 365).min(3);
        (yoc, doc - 365 * yoc, cycle * 4)
    };
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (year_in_cycle + base + i64::from(m <= 2), m, d)
}

fn is_leap(year: i64) -> bool {
    match System::of_year(year) {
        System::Gregorian => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0),
        System::Julian => year.rem_euclid(4) == 0,
    }
}

/// Days in month `m` (1–12) of `year`.
fn month_length(year: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `Calendar.DAY_OF_WEEK` of a day since the epoch (1970-01-01 was a Thursday, 5).
fn day_of_week(days: i64) -> i64 {
    (days + 4).rem_euclid(7) + 1
}

/// The last day on or before `days` that is a `dow` (1 = Sunday).
fn day_of_week_on_or_before(days: i64, dow: i64) -> i64 {
    days - (day_of_week(days) - dow).rem_euclid(7)
}

/// `GregorianCalendar.getWeekNumber` for the US week (starts Sunday, a first week of one
/// day): the week of `date` in the period starting `first`.
fn week_number(first: i64, date: i64) -> i64 {
    let mut start = day_of_week_on_or_before(first + 6, 1);
    if start - first >= 1 {
        start -= 7;
    }
    (date - start).div_euclid(7) + 1
}

/// `DecimalFormat.parse` as `SimpleDateFormat` sets it up: an optional `-`, then digits, up
/// to `end`. The value is Java's `Number.intValue()` of the result.
fn parse_number(text: &[char], start: usize, end: usize) -> Option<(i64, usize)> {
    let mut pos = start;
    let negative = pos < end && text[pos] == '-';
    if negative {
        pos += 1;
    }
    let digits_start = pos;
    let mut value: i128 = 0;
    while pos < end {
        let Some(d) = text[pos].to_digit(10) else {
            break;
        };
        // Past `long` Java has a double; its int value saturates, as this does.
        value = (value * 10 + i128::from(d)).min(i128::from(u64::MAX));
        pos += 1;
    }
    if pos == digits_start {
        return None;
    }
    let value = if negative { -value } else { value };
    let int = match i64::try_from(value) {
        Ok(long) => i64::from(long as i32),
        Err(_) if negative => i64::from(i32::MIN),
        Err(_) => i64::from(i32::MAX),
    };
    Some((int, pos))
}

fn eq_ignore_case(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase()) || a.to_uppercase().eq(b.to_uppercase())
}

/// `String.regionMatches(true, at, s, 0, s.length())`.
fn region_matches(text: &[char], at: usize, s: &str) -> bool {
    let mut i = at;
    for c in s.chars() {
        match text.get(i) {
            Some(&t) if eq_ignore_case(t, c) => i += 1,
            _ => return false,
        }
    }
    true
}

/// `SimpleDateFormat.matchString`: the longest of `names` at `at` (ignoring case), its index
/// and the position after it.
fn match_strings(text: &[char], at: usize, names: &[&str]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for (i, name) in names.iter().enumerate() {
        let len = name.chars().count();
        if len > best.map_or(0, |(_, l)| l) && region_matches(text, at, name) {
            best = Some((i, len));
        }
    }
    best.map(|(i, len)| (i, at + len))
}

/// A `z` or `Z` field: `+hhmm`/`-hhmm`, `GMT`, `GMT+h:mm`, or a zone name.
fn parse_zone(text: &[char], start: usize, pos: usize, f: &mut Fields) -> Result<usize, usize> {
    let sign = |c: Option<&char>| match c {
        Some('+') => 1,
        Some('-') => -1,
        _ => 0,
    };
    let c = text.get(pos).copied();
    match sign(c.as_ref()) {
        0 if matches!(c, Some('G' | 'g')) && region_matches(text, start, "GMT") => {
            let after = start + 3;
            match sign(text.get(after)) {
                0 => {
                    f.set(ZONE_OFFSET, 0);
                    f.set(DST_OFFSET, 0);
                    Ok(after)
                }
                s => {
                    let (offset, end) = numeric_zone(text, after + 1, s, 0, true)?;
                    f.set(ZONE_OFFSET, offset);
                    f.set(DST_OFFSET, 0);
                    Ok(end)
                }
            }
        }
        0 => {
            let (name, minutes) = ZONE_NAMES
                .iter()
                .find(|(name, _)| region_matches(text, pos, name))
                .ok_or(pos)?;
            f.set(ZONE_OFFSET, minutes * 60_000);
            f.set(DST_OFFSET, 0);
            Ok(pos + name.chars().count())
        }
        s => {
            let (offset, end) = numeric_zone(text, pos + 1, s, 0, false)?;
            f.set(ZONE_OFFSET, offset);
            f.set(DST_OFFSET, 0);
            Ok(end)
        }
    }
}

/// `SimpleDateFormat.subParseNumericZone`: `hh[[:]mm]` after a sign; `count` 1 = hours only
/// (`X`), `colon` = `hh:mm` (then one hour digit is enough when `count` is 0). The offset in
/// milliseconds and the position after it.
fn numeric_zone(
    text: &[char],
    start: usize,
    sign: i64,
    count: usize,
    colon: bool,
) -> Result<(i64, usize), usize> {
    let digit = |i: usize| text.get(i).and_then(|c| c.to_digit(10)).map(i64::from);
    let mut i = start;
    let mut hours = digit(i).ok_or(i)?;
    i += 1;
    match digit(i) {
        Some(d) => {
            hours = hours * 10 + d;
            i += 1;
        }
        // Without a colon (RFC 822) or with `X`, two digits are required.
        None if count > 0 || !colon => return Err(i),
        None => {}
    }
    if hours > 23 {
        return Err(i);
    }
    let mut minutes = 0;
    if count != 1 {
        if colon {
            if text.get(i) != Some(&':') {
                return Err(i);
            }
            i += 1;
        }
        let tens = digit(i).ok_or(i)?;
        let ones = digit(i + 1).ok_or(i + 1)?;
        minutes = tens * 10 + ones;
        i += 2;
        if minutes > 59 {
            return Err(i);
        }
    }
    Ok((sign * (hours * 60 + minutes) * 60_000, i))
}

// `Calendar` field numbers, as Java's.
const ERA: usize = 0;
const YEAR: usize = 1;
const MONTH: usize = 2;
const WEEK_OF_YEAR: usize = 3;
const WEEK_OF_MONTH: usize = 4;
const DAY_OF_MONTH: usize = 5;
const DAY_OF_YEAR: usize = 6;
const DAY_OF_WEEK: usize = 7;
const DAY_OF_WEEK_IN_MONTH: usize = 8;
const AM_PM_FIELD: usize = 9;
const HOUR: usize = 10;
const HOUR_OF_DAY: usize = 11;
const MINUTE: usize = 12;
const SECOND: usize = 13;
const MILLISECOND: usize = 14;
const ZONE_OFFSET: usize = 15;
const DST_OFFSET: usize = 16;
const WEEK_YEAR: usize = 17;
const FIELDS: usize = 18;

/// Parsed fields with the order they were set in (Java's `CalendarBuilder` and `Calendar`
/// stamps): when fields disagree, the group set last wins.
#[derive(Debug, Clone)]
struct Fields {
    /// 0 = unset; otherwise increasing with each `set`.
    stamp: [u32; FIELDS],
    value: [i64; FIELDS],
    next: u32,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            stamp: [0; FIELDS],
            value: [0; FIELDS],
            next: 2,
        }
    }
}

impl Fields {
    fn set(&mut self, field: usize, value: i64) {
        self.stamp[field] = self.next;
        self.next += 1;
        self.value[field] = value;
    }

    fn is_set(&self, field: usize) -> bool {
        self.stamp[field] != 0
    }

    /// The value, 0 when unset (Java's `internalGet` after `clear()`).
    fn get(&self, field: usize) -> i64 {
        if self.is_set(field) {
            self.value[field]
        } else {
            0
        }
    }

    /// `CalendarBuilder.addYear`.
    fn add_year(&mut self, years: i64) {
        self.value[YEAR] += years;
        self.value[WEEK_YEAR] += years;
    }
}

/// `CalendarBuilder.establish(calendar).getTime()`: the instant the fields describe, or
/// `None` where Java's calendar throws (an invalid era).
fn establish(parsed: &Fields) -> Option<i64> {
    let mut f = parsed.clone();
    if f.is_set(WEEK_YEAR) && f.stamp[WEEK_YEAR] > f.stamp[YEAR] {
        // `setWeekDate(weekYear, weekOfYear, dayOfWeek)`, lenient: the date replaces the
        // era, year, month and day; the time of day stays.
        let mut week = if f.is_set(WEEK_OF_YEAR) {
            f.get(WEEK_OF_YEAR)
        } else {
            1
        };
        let mut dow = if f.is_set(DAY_OF_WEEK) {
            f.get(DAY_OF_WEEK)
        } else {
            1
        };
        if !(1..=7).contains(&dow) {
            if dow >= 8 {
                dow -= 1;
                week += dow / 7;
                dow = dow % 7 + 1;
            } else {
                while dow <= 0 {
                    dow += 7;
                    week -= 1;
                }
            }
            dow = if dow == 7 { 1 } else { dow + 1 };
        }
        let year = f.get(WEEK_YEAR);
        let jan1 = days_from_civil(System::of_year(year), year, 1, 1);
        let mut week1 = day_of_week_on_or_before(jan1 + 6, 1);
        if week1 - jan1 >= 1 {
            week1 -= 7;
        }
        let day = week1 + (dow - 1) + 7 * (week - 1);
        let (y, m, d) = civil_from_days(day);
        let (era, year_of_era) = if y > 0 { (1, y) } else { (0, 1 - y) };
        f.set(ERA, era);
        f.set(YEAR, year_of_era);
        f.set(MONTH, m - 1);
        f.set(DAY_OF_MONTH, d);
    }
    compute_time(&f)
}

/// `Calendar.aggregateStamp`.
fn aggregate(a: u32, b: u32) -> u32 {
    if a == 0 || b == 0 { 0 } else { a.max(b) }
}

fn bit(field: usize) -> u32 {
    1 << field
}

/// `Calendar.selectFields`: which fields determine the date and the time.
fn select_fields(f: &Fields) -> u32 {
    let s = &f.stamp;
    let mut mask = bit(YEAR);
    if f.is_set(ERA) {
        mask |= bit(ERA);
    }
    let dow = s[DAY_OF_WEEK];
    let month = s[MONTH];
    let mut dom = s[DAY_OF_MONTH];
    let mut wom = aggregate(s[WEEK_OF_MONTH], dow);
    let mut dowim = aggregate(s[DAY_OF_WEEK_IN_MONTH], dow);
    let doy = s[DAY_OF_YEAR];
    let mut woy = aggregate(s[WEEK_OF_YEAR], dow);
    let mut best = dom.max(wom).max(dowim).max(doy).max(woy);
    if best == 0 {
        wom = s[WEEK_OF_MONTH];
        dowim = s[DAY_OF_WEEK_IN_MONTH].max(dow);
        woy = s[WEEK_OF_YEAR];
        best = wom.max(dowim).max(woy);
        if best == 0 {
            dom = month;
            best = month;
        }
    }
    if best == dom
        || (best == wom && s[WEEK_OF_MONTH] >= s[WEEK_OF_YEAR])
        || (best == dowim && s[DAY_OF_WEEK_IN_MONTH] >= s[WEEK_OF_YEAR])
    {
        mask |= bit(MONTH);
        if best == dom {
            mask |= bit(DAY_OF_MONTH);
        } else {
            if dow != 0 {
                mask |= bit(DAY_OF_WEEK);
            }
            if wom == dowim {
                if s[WEEK_OF_MONTH] >= s[DAY_OF_WEEK_IN_MONTH] {
                    mask |= bit(WEEK_OF_MONTH);
                } else {
                    mask |= bit(DAY_OF_WEEK_IN_MONTH);
                }
            } else if best == wom {
                mask |= bit(WEEK_OF_MONTH);
            } else if s[DAY_OF_WEEK_IN_MONTH] != 0 {
                mask |= bit(DAY_OF_WEEK_IN_MONTH);
            }
        }
    } else if best == doy {
        mask |= bit(DAY_OF_YEAR);
    } else {
        if dow != 0 {
            mask |= bit(DAY_OF_WEEK);
        }
        mask |= bit(WEEK_OF_YEAR);
    }
    let hour_of_day = s[HOUR_OF_DAY];
    let hour = aggregate(s[HOUR], s[AM_PM_FIELD]);
    let mut best = hour.max(hour_of_day);
    if best == 0 {
        best = s[HOUR].max(s[AM_PM_FIELD]);
    }
    if best != 0 {
        if best == hour_of_day {
            mask |= bit(HOUR_OF_DAY);
        } else {
            mask |= bit(HOUR);
            if s[AM_PM_FIELD] != 0 {
                mask |= bit(AM_PM_FIELD);
            }
        }
    }
    for field in [MINUTE, SECOND, MILLISECOND, ZONE_OFFSET, DST_OFFSET] {
        if s[field] != 0 {
            mask |= bit(field);
        }
    }
    mask
}

/// `GregorianCalendar.computeTime`, lenient, in UTC.
fn compute_time(f: &Fields) -> Option<i64> {
    let mask = select_fields(f);
    let has = |field: usize| mask & bit(field) != 0;
    let mut year = if f.is_set(YEAR) { f.get(YEAR) } else { 1970 };
    match if f.is_set(ERA) { f.get(ERA) } else { 1 } {
        0 => year = 1 - year,
        1 => {}
        _ => return None,
    }
    let mut time: i64 = if has(HOUR_OF_DAY) {
        f.get(HOUR_OF_DAY)
    } else {
        let mut h = f.get(HOUR);
        if has(AM_PM_FIELD) {
            h = h.wrapping_add(12i64.wrapping_mul(f.get(AM_PM_FIELD)));
        }
        h
    };
    time = time.wrapping_mul(60).wrapping_add(f.get(MINUTE));
    time = time.wrapping_mul(60).wrapping_add(f.get(SECOND));
    time = time.wrapping_mul(1000).wrapping_add(f.get(MILLISECOND));
    let mut day = time.div_euclid(MS_PER_DAY);
    let time = time.rem_euclid(MS_PER_DAY);
    let greg = || fixed_date(System::Gregorian, year, mask, f);
    let jul = || fixed_date(System::Julian, year, mask, f);
    // Which calendar the date is in: Gregorian from the cutover on, as Java decides.
    let date = if year > CUTOVER_YEAR {
        let g = day.wrapping_add(greg());
        if g >= CUTOVER_DAY {
            g
        } else {
            choose(g, day.wrapping_add(jul()))
        }
    } else if year < CUTOVER_YEAR {
        let j = day.wrapping_add(jul());
        if j < CUTOVER_DAY { j } else { choose(j, j) }
    } else if has(DAY_OF_YEAR) || has(WEEK_OF_YEAR) {
        day.wrapping_add(jul())
    } else {
        choose(day.wrapping_add(greg()), day.wrapping_add(jul()))
    };
    day = date;
    let zone = f.get(ZONE_OFFSET).wrapping_add(f.get(DST_OFFSET));
    Some(
        day.wrapping_mul(MS_PER_DAY)
            .wrapping_add(time)
            .wrapping_sub(zone),
    )
}

/// Between a Gregorian and a Julian reading of the same fields near the cutover: the
/// Gregorian one when it is past the cutover, else the Julian one (Java, lenient).
fn choose(gregorian: i64, julian: i64) -> i64 {
    if gregorian >= CUTOVER_DAY {
        gregorian
    } else {
        julian
    }
}

/// `GregorianCalendar.getFixedDate`: the day (since the epoch) the date fields give in
/// `system`, for `year`.
fn fixed_date(system: System, year: i64, mask: u32, f: &Fields) -> i64 {
    let has = |field: usize| mask & bit(field) != 0;
    let mut year = year;
    let mut month = 0;
    if has(MONTH) {
        month = f.get(MONTH);
        year = year.wrapping_add(month.div_euclid(12));
        month = month.rem_euclid(12);
    }
    let first = days_from_civil(system, year, month + 1, 1);
    if has(MONTH) {
        if has(DAY_OF_MONTH) {
            if f.is_set(DAY_OF_MONTH) {
                return first.wrapping_add(f.get(DAY_OF_MONTH)).wrapping_sub(1);
            }
            return first;
        }
        if has(WEEK_OF_MONTH) {
            let mut week1 = day_of_week_on_or_before(first + 6, 1);
            if week1 - first >= 1 {
                week1 -= 7;
            }
            if has(DAY_OF_WEEK) {
                week1 = day_of_week_on_or_before(week1 + 6, f.get(DAY_OF_WEEK));
            }
            return week1.wrapping_add(7i64.wrapping_mul(f.get(WEEK_OF_MONTH) - 1));
        }
        let dow = if has(DAY_OF_WEEK) {
            f.get(DAY_OF_WEEK)
        } else {
            1
        };
        let dowim = if has(DAY_OF_WEEK_IN_MONTH) {
            f.get(DAY_OF_WEEK_IN_MONTH)
        } else {
            1
        };
        if dowim >= 0 {
            return day_of_week_on_or_before(first.wrapping_add(7i64.wrapping_mul(dowim)) - 1, dow);
        }
        let last = month_length(year, month + 1) + 7 * (dowim + 1);
        return day_of_week_on_or_before(first + last - 1, dow);
    }
    if has(DAY_OF_YEAR) {
        return first.wrapping_add(f.get(DAY_OF_YEAR)).wrapping_sub(1);
    }
    let mut week1 = day_of_week_on_or_before(first + 6, 1);
    if week1 - first >= 1 {
        week1 -= 7;
    }
    if has(DAY_OF_WEEK) {
        let dow = f.get(DAY_OF_WEEK);
        if dow != 1 {
            week1 = day_of_week_on_or_before(week1 + 6, dow);
        }
    }
    week1.wrapping_add(7i64.wrapping_mul(f.get(WEEK_OF_YEAR).wrapping_sub(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-06-15T12:00:00Z: two-digit years then fall in 1945–2044.
    const NOW: i64 = 1_749_988_800_000;

    fn fmt(pattern: &str) -> SimpleDateFormat {
        SimpleDateFormat::new_at(pattern, NOW).unwrap()
    }

    fn utc(y: i64, m: i64, d: i64, h: i64, min: i64, s: i64, ms: i64) -> i64 {
        let days = days_from_civil(System::Gregorian, y, m, d);
        days * MS_PER_DAY + ((h * 60 + min) * 60 + s) * 1000 + ms
    }

    #[test]
    fn formats_kafka_test_values() {
        assert_eq!(fmt("yyyyMMdd").format(1_483_425_001_864), "20170103");
        assert_eq!(
            fmt("yyyy MM dd HH mm ss SSS z").format(86_401_234),
            "1970 01 02 00 00 01 234 UTC"
        );
        assert_eq!(
            fmt("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").format(1_483_425_001_864),
            "2017-01-03T06:30:01.864Z"
        );
        assert_eq!(fmt("HH:mm:ss.SSS'Z'").format(3_600_000), "01:00:00.000Z");
        assert_eq!(fmt("yyyy-MM-dd").format(MS_PER_DAY), "1970-01-02");
    }

    #[test]
    fn formats_text_fields_and_padding() {
        assert_eq!(
            fmt("EEE MMM dd HH:mm:ss zzz yyyy").format(0),
            "Thu Jan 01 00:00:00 UTC 1970"
        );
        assert_eq!(
            fmt("EEEE, MMMM d, yyyy h:mm a zzzz").format(utc(2017, 1, 3, 18, 5, 0, 0)),
            "Tuesday, January 3, 2017 6:05 PM Coordinated Universal Time"
        );
        assert_eq!(fmt("G yy y yyyyy").format(0), "AD 70 1970 01970");
        assert_eq!(fmt("k K h H").format(0), "24 0 12 0");
        assert_eq!(fmt("S SS SSSS").format(5), "5 05 0005");
        assert_eq!(
            fmt("D DDD F u").format(utc(2017, 2, 14, 0, 0, 0, 0)),
            "45 045 2 2"
        );
        assert_eq!(fmt("Z X XX XXX").format(0), "+0000 Z Z Z");
        assert_eq!(fmt("L LLL LLLL").format(0), "1 Jan January");
    }

    #[test]
    fn quotes_and_literals() {
        assert_eq!(fmt("'at' HH 'o''clock' ''").format(0), "at 00 o'clock '");
        assert_eq!(fmt("''yy''").format(0), "'70'");
        assert_eq!(fmt("").format(0), "");
        assert_eq!(fmt("é/-:").format(0), "é/-:");
        assert_eq!(fmt("yyyy'x'").pattern(), "yyyy'x'");
    }

    #[test]
    fn weeks_follow_the_us_calendar() {
        // 2015-12-31 (Thursday) is in week 1 of 2016; 2016-12-31 (Saturday) in week 53.
        assert_eq!(
            fmt("w YYYY W").format(utc(2015, 12, 31, 0, 0, 0, 0)),
            "1 2016 5"
        );
        assert_eq!(
            fmt("w YYYY").format(utc(2016, 12, 31, 0, 0, 0, 0)),
            "53 2016"
        );
        assert_eq!(fmt("w YY").format(utc(2017, 1, 1, 0, 0, 0, 0)), "1 17");
        assert_eq!(fmt("W").format(utc(2017, 1, 8, 0, 0, 0, 0)), "2");
    }

    #[test]
    fn julian_before_the_cutover_and_eras() {
        let cutover = utc(1582, 10, 15, 0, 0, 0, 0);
        assert_eq!(cutover, -12_219_292_800_000);
        assert_eq!(fmt("yyyy-MM-dd").format(cutover), "1582-10-15");
        assert_eq!(fmt("yyyy-MM-dd").format(cutover - MS_PER_DAY), "1582-10-04");
        // 0001-01-01 in Java's calendar is Julian, two days before the proleptic Gregorian one.
        assert_eq!(
            fmt("G yyyy-MM-dd").format(-62_135_769_600_000),
            "AD 0001-01-01"
        );
        assert_eq!(
            fmt("G yyyy-MM-dd").format(-62_135_769_600_000 - MS_PER_DAY),
            "BC 0001-12-31"
        );
        assert_eq!(
            fmt("yyyy-MM-dd").parse("1582-10-04").unwrap(),
            cutover - MS_PER_DAY
        );
        // In the ten missing days, lenient Java reads the Julian date.
        assert_eq!(fmt("yyyy-MM-dd").parse("1582-10-05").unwrap(), cutover);
        assert_eq!(
            fmt("G yyyy-MM-dd").parse("BC 0001-12-31").unwrap(),
            -62_135_769_600_000 - MS_PER_DAY
        );
    }

    #[test]
    fn bad_patterns_are_refused_with_javas_messages() {
        assert_eq!(
            SimpleDateFormat::new("bad-format").unwrap_err(),
            "Illegal pattern character 'b'"
        );
        assert_eq!(
            SimpleDateFormat::new("yyyy 'x").unwrap_err(),
            "Unterminated quote"
        );
        assert_eq!(
            SimpleDateFormat::new("XXXX").unwrap_err(),
            "invalid ISO 8601 format: length=4"
        );
    }

    #[test]
    fn parses_kafka_test_values() {
        assert_eq!(
            fmt("yyyy MM dd HH mm ss SSS z")
                .parse("1970 01 02 00 00 01 234 UTC")
                .unwrap(),
            86_401_234
        );
        assert_eq!(
            fmt("yyyyMMdd").parse("20170103").unwrap(),
            utc(2017, 1, 3, 0, 0, 0, 0)
        );
        assert_eq!(
            fmt("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .parse("2017-01-03T06:30:01.864Z")
                .unwrap(),
            1_483_425_001_864
        );
    }

    #[test]
    fn parsing_is_lenient_as_javas() {
        let f = fmt("yyyy-MM-dd");
        assert_eq!(f.parse("2017-13-01").unwrap(), utc(2018, 1, 1, 0, 0, 0, 0));
        assert_eq!(f.parse("2017-02-30").unwrap(), utc(2017, 3, 2, 0, 0, 0, 0));
        assert_eq!(f.parse("2017-1-3").unwrap(), utc(2017, 1, 3, 0, 0, 0, 0));
        assert_eq!(
            f.parse("2017-01-03 trailing").unwrap(),
            utc(2017, 1, 3, 0, 0, 0, 0)
        );
        assert_eq!(f.parse("2017-00-03").unwrap(), utc(2016, 12, 3, 0, 0, 0, 0));
        assert_eq!(
            fmt("HH:mm:ss").parse("25:61:00").unwrap(),
            utc(1970, 1, 2, 2, 1, 0, 0)
        );
        // `S` is a count of milliseconds, not a fraction.
        assert_eq!(fmt("ss.S").parse("01.5").unwrap(), 1005);
        assert_eq!(fmt("ss.SSS").parse("01.123456").unwrap(), 124_456);
        // Spaces before a number are skipped.
        assert_eq!(
            fmt("yyyy MM").parse("2017   02").unwrap(),
            utc(2017, 2, 1, 0, 0, 0, 0)
        );
    }

    #[test]
    fn parse_failures() {
        let f = fmt("yyyy-MM-dd");
        let e = f.parse("abc").unwrap_err();
        assert_eq!(e.error_index, 0);
        assert_eq!(e.to_string(), "Unparseable date: \"abc\"");
        assert!(f.parse("2017/01/03").is_err());
        assert!(f.parse("2017-01").is_err());
        assert!(f.parse("").is_err());
        // Digits are counted when fields touch: `2017013` is 2017-01-3, `201701` lacks the day.
        assert_eq!(
            fmt("yyyyMMdd").parse("2017013").unwrap(),
            utc(2017, 1, 3, 0, 0, 0, 0)
        );
        assert!(fmt("yyyyMMdd").parse("201701").is_err());
        assert!(fmt("").parse("x").is_err());
    }

    #[test]
    fn parses_text_fields_ignoring_case() {
        let f = fmt("EEE, dd MMM yyyy hh:mm a");
        assert_eq!(
            f.parse("tue, 03 JAN 2017 12:30 am").unwrap(),
            utc(2017, 1, 3, 0, 30, 0, 0)
        );
        assert_eq!(
            f.parse("Tuesday, 03 January 2017 12:30 PM").unwrap(),
            utc(2017, 1, 3, 12, 30, 0, 0)
        );
        assert_eq!(
            fmt("G yyyy").parse("BC 0001").unwrap(),
            days_from_civil(System::Julian, 0, 1, 1) * MS_PER_DAY
        );
        assert_eq!(fmt("kk").parse("24").unwrap(), 0);
    }

    #[test]
    fn parses_zones() {
        let base = utc(2017, 1, 3, 10, 0, 0, 0);
        let z = fmt("yyyy-MM-dd HH:mm Z");
        assert_eq!(z.parse("2017-01-03 10:00 +0100").unwrap(), base - 3_600_000);
        assert_eq!(
            z.parse("2017-01-03 10:00 -0530").unwrap(),
            base + 19_800_000
        );
        assert_eq!(
            z.parse("2017-01-03 10:00 PST").unwrap(),
            base + 8 * 3_600_000
        );
        assert!(z.parse("2017-01-03 10:00 +01").is_err());
        let zone = fmt("yyyy-MM-dd HH:mm z");
        assert_eq!(zone.parse("2017-01-03 10:00 GMT").unwrap(), base);
        assert_eq!(
            zone.parse("2017-01-03 10:00 GMT+1:00").unwrap(),
            base - 3_600_000
        );
        assert_eq!(zone.parse("2017-01-03 10:00 utc").unwrap(), base);
        assert_eq!(
            zone.parse("2017-01-03 10:00 Central European Summer Time")
                .unwrap(),
            base - 7_200_000
        );
        assert!(zone.parse("2017-01-03 10:00 Nowhere").is_err());
        let iso = fmt("yyyy-MM-dd'T'HH:mmXXX");
        assert_eq!(iso.parse("2017-01-03T10:00Z").unwrap(), base);
        assert_eq!(
            iso.parse("2017-01-03T10:00+01:00").unwrap(),
            base - 3_600_000
        );
        assert!(iso.parse("2017-01-03T10:00+0100").is_err());
        assert_eq!(
            fmt("yyyy-MM-dd'T'HH:mmX")
                .parse("2017-01-03T10:00-02")
                .unwrap(),
            base + 7_200_000
        );
    }

    #[test]
    fn two_digit_years_fall_in_the_hundred_years_from_80_years_ago() {
        let f = fmt("yy-MM-dd");
        assert_eq!(f.parse("24-01-01").unwrap(), utc(2024, 1, 1, 0, 0, 0, 0));
        assert_eq!(f.parse("46-01-01").unwrap(), utc(1946, 1, 1, 0, 0, 0, 0));
        // 45 is ambiguous: 1945 after the century start (1945-06-15), else 2045.
        assert_eq!(f.parse("45-07-01").unwrap(), utc(1945, 7, 1, 0, 0, 0, 0));
        assert_eq!(f.parse("45-01-01").unwrap(), utc(2045, 1, 1, 0, 0, 0, 0));
        // Three digits, or a `yyyy` pattern, are taken literally.
        assert_eq!(
            f.parse("024-01-01").unwrap(),
            utc(24, 1, 1, 0, 0, 0, 0) - 2 * MS_PER_DAY
        );
        assert_eq!(
            fmt("yyyy-MM-dd").parse("24-01-01").unwrap(),
            utc(24, 1, 1, 0, 0, 0, 0) - 2 * MS_PER_DAY
        );
    }

    #[test]
    fn parses_week_dates_and_day_of_year() {
        // Week 1 of 2016 starts Sunday 2015-12-27; its Thursday is 2015-12-31.
        assert_eq!(
            fmt("YYYY w u").parse("2016 1 4").unwrap(),
            utc(2015, 12, 31, 0, 0, 0, 0)
        );
        assert_eq!(
            fmt("yyyy DDD").parse("2017 045").unwrap(),
            utc(2017, 2, 14, 0, 0, 0, 0)
        );
        assert_eq!(
            fmt("yyyy MM F E").parse("2017 02 2 Tue").unwrap(),
            utc(2017, 2, 14, 0, 0, 0, 0)
        );
        // A later day of month wins over an earlier day of year.
        assert_eq!(
            fmt("yyyy DDD MM dd").parse("2017 045 03 01").unwrap(),
            utc(2017, 3, 1, 0, 0, 0, 0)
        );
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let f = fmt("G yyyy-MM-dd HH:mm:ss.SSS D w W F u YYYY");
        assert!(
            f.format(i64::MAX)
                .starts_with("AD 292278994-08-17 07:12:55.807")
        );
        assert!(
            f.format(i64::MIN)
                .starts_with("BC 292269055-12-02 16:47:04.192")
        );
        // Java's int parse saturates; the instant wraps as Java's long arithmetic does.
        assert!(
            f.parse("AD 99999999999999999999-99-99 99:99:99.999 9 9 9 9 9 9")
                .is_ok()
        );
        assert!(fmt("yyyy-MM-dd").parse("-2147483648-01-01").is_ok());
    }

    #[test]
    fn format_then_parse_round_trips() {
        let f = fmt("yyyy-MM-dd HH:mm:ss.SSS");
        for ms in [
            0,
            1,
            -1,
            86_399_999,
            1_483_425_001_864,
            -12_219_292_800_001,
            253_402_300_799_999,
        ] {
            assert_eq!(f.parse(&f.format(ms)).unwrap(), ms, "{ms}");
        }
    }
}
