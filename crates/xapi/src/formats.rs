//! Checks for the string formats the xAPI data model uses: UUIDs, IRIs,
//! `mailto:` IRIs, SHA hex digests, RFC 5646 language tags, ISO 8601
//! timestamps and durations.

use std::collections::HashSet;

/// A UUID in the standard string form `8-4-4-4-12` hexadecimal digits (either case).
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 36 {
        return false;
    }
    b.iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    })
}

/// An absolute IRI: a scheme (`ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")`), a colon and a
/// non-empty remainder without whitespace, control characters or the characters RFC 3987
/// never allows unescaped (`<>"{}|\^` and backquote).
pub fn is_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut sc = scheme.chars();
    let scheme_ok = matches!(sc.next(), Some(c) if c.is_ascii_alphabetic())
        && sc.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok
        && !rest.is_empty()
        && rest.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
}

/// An IRL (an IRI meant to be dereferenced). The data model only requires IRI syntax.
pub fn is_irl(s: &str) -> bool {
    is_iri(s)
}

/// A `mailto:` IRI holding one e-mail address (`local@domain`).
pub fn is_mailto(s: &str) -> bool {
    let Some(addr) = s.strip_prefix("mailto:") else {
        return false;
    };
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && addr
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '<' | '>' | '"'))
}

/// `len` hexadecimal digits.
pub fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// The hex digest of a SHA-2 hash: SHA-224, -256, -384 or -512.
pub fn is_sha2_hex(s: &str) -> bool {
    [56, 64, 96, 128].iter().any(|&n| is_hex(s, n))
}

/// RFC 5646 tags that the grammar only allows as "irregular grandfathered" tags.
const IRREGULAR_TAGS: [&str; 17] = [
    "en-gb-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-be-fr",
    "sgn-be-nl",
    "sgn-ch-de",
];

/// A well-formed RFC 5646 language tag (syntax only; subtags are not looked up in the
/// IANA registry). Duplicate variants and duplicate extension singletons are rejected.
pub fn is_language_tag(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if IRREGULAR_TAGS.contains(&lower.as_str()) {
        return true;
    }
    let parts: Vec<&str> = lower.split('-').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|c| c.is_ascii_alphanumeric()))
    {
        return false;
    }
    let alpha = |p: &str| p.bytes().all(|c| c.is_ascii_alphabetic());
    let digit = |p: &str| p.bytes().all(|c| c.is_ascii_digit());
    let n = parts.len();
    let mut i = 0;
    if parts[0] == "x" {
        return private_use(&parts, 1) == Some(n);
    }
    let lang = parts[0];
    if !alpha(lang) || !(2..=8).contains(&lang.len()) {
        return false;
    }
    i += 1;
    if lang.len() <= 3 {
        let mut ext = 0;
        while i < n && ext < 3 && parts[i].len() == 3 && alpha(parts[i]) {
            i += 1;
            ext += 1;
        }
    }
    if i < n && parts[i].len() == 4 && alpha(parts[i]) {
        i += 1;
    }
    if i < n
        && ((parts[i].len() == 2 && alpha(parts[i])) || (parts[i].len() == 3 && digit(parts[i])))
    {
        i += 1;
    }
    let mut variants = HashSet::new();
    while i < n {
        let p = parts[i];
        let variant =
            (5..=8).contains(&p.len()) || (p.len() == 4 && p.as_bytes()[0].is_ascii_digit());
        if !variant {
            break;
        }
        if !variants.insert(p) {
            return false;
        }
        i += 1;
    }
    let mut singletons = HashSet::new();
    while i < n && parts[i].len() == 1 && parts[i] != "x" {
        if !singletons.insert(parts[i]) {
            return false;
        }
        i += 1;
        let start = i;
        while i < n && (2..=8).contains(&parts[i].len()) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if i < n && parts[i] == "x" {
        match private_use(&parts, i + 1) {
            Some(end) => i = end,
            None => return false,
        }
    }
    i == n
}

fn private_use(parts: &[&str], from: usize) -> Option<usize> {
    let mut i = from;
    while i < parts.len() && (1..=8).contains(&parts[i].len()) {
        i += 1;
    }
    (i > from).then_some(i)
}

/// A point in time parsed from an ISO 8601 timestamp, kept as nanoseconds since the Unix
/// epoch in UTC so that timestamps with different offsets compare correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    pub unix_nanos: i128,
}

/// A parsed timestamp and whether it carried a time zone designator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedTimestamp {
    pub at: Timestamp,
    pub has_offset: bool,
}

fn digits(s: &[u8], from: usize, len: usize) -> Option<i64> {
    let part = s.get(from..from + len)?;
    if !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(part.iter().fold(0, |acc, c| acc * 10 + i64::from(c - b'0')))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Parses an ISO 8601 extended-format date-time: `YYYY-MM-DDThh:mm[:ss[.fff…]]` followed by
/// `Z`, `±hh:mm`, `±hhmm`, `±hh` or nothing. The "unknown local offset" forms `-00`,
/// `-0000` and `-00:00` are rejected, as the xAPI specification requires.
pub fn parse_timestamp(s: &str) -> Option<ParsedTimestamp> {
    let b = s.as_bytes();
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't'))
    {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    if b.get(13) != Some(&b':') {
        return None;
    }
    let minute = digits(b, 14, 2)?;
    let mut i = 16;
    let mut second = 0;
    let mut nanos: i64 = 0;
    if b.get(i) == Some(&b':') {
        second = digits(b, i + 1, 2)?;
        i += 3;
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    nanos = nanos * 10 + i64::from(b[i] - b'0');
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            for _ in (i - start).min(9)..9 {
                nanos *= 10;
            }
        }
    }
    if hour > 24
        || minute > 59
        || second > 60
        || (hour == 24 && (minute, second, nanos) != (0, 0, 0))
    {
        return None;
    }
    let rest = &s[i..];
    let (offset_minutes, has_offset) = match rest {
        "" => (0, false),
        "Z" | "z" => (0, true),
        _ => {
            let rb = rest.as_bytes();
            let sign = match rb[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = match rb.len() {
                3 => (digits(rb, 1, 2)?, 0),
                5 => (digits(rb, 1, 2)?, digits(rb, 3, 2)?),
                6 if rb[3] == b':' => (digits(rb, 1, 2)?, digits(rb, 4, 2)?),
                _ => return None,
            };
            if h > 23 || m > 59 || (sign == -1 && h == 0 && m == 0) {
                return None;
            }
            (sign * (h * 60 + m), true)
        }
    };
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset_minutes * 60;
    Some(ParsedTimestamp {
        at: Timestamp {
            unix_nanos: i128::from(secs) * 1_000_000_000 + i128::from(nanos),
        },
        has_offset,
    })
}

impl Timestamp {
    /// The timestamp as RFC 3339 in UTC with millisecond precision, e.g.
    /// `2024-05-01T09:30:00.123Z` (the form the LRS uses for `stored`).
    pub fn to_rfc3339(self) -> String {
        let secs = self.unix_nanos.div_euclid(1_000_000_000);
        let nanos = self.unix_nanos.rem_euclid(1_000_000_000);
        let days = i64::try_from(secs.div_euclid(86_400)).unwrap_or(0);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60,
            nanos / 1_000_000
        )
    }

    /// Builds a timestamp from Unix time.
    pub fn from_unix(secs: i64, nanos: u32) -> Self {
        Timestamp {
            unix_nanos: i128::from(secs) * 1_000_000_000 + i128::from(nanos),
        }
    }
}

/// Parses an ISO 8601:2004 §4.4.3.2 duration (`PnYnMnDTnHnMnS` or `PnW`); only the last
/// component may carry a decimal fraction. Returns the components with the seconds
/// truncated to 0.01 s, as xAPI compares durations at that precision.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let body = s.strip_prefix('P')?;
    if body.is_empty() {
        return None;
    }
    let mut out = Duration::default();
    if let Some(weeks) = body.strip_suffix('W') {
        let (n, frac) = number(weeks)?;
        out.weeks = Some((n, frac));
        return Some(out);
    }
    let (date, time) = match body.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return None;
            }
            (d, Some(t))
        }
        None => (body, None),
    };
    let mut seen_fraction = false;
    let mut date_slots = [None; 3];
    let date_count = duration_part(date, b"YMD", &mut date_slots, &mut seen_fraction)?;
    let mut time_slots = [None; 3];
    let mut time_count = 0;
    if let Some(t) = time {
        time_count = duration_part(t, b"HMS", &mut time_slots, &mut seen_fraction)?;
        if time_count == 0 {
            return None;
        }
    }
    if date_count + time_count == 0 {
        return None;
    }
    out.components = [
        date_slots[0],
        date_slots[1],
        date_slots[2],
        time_slots[0],
        time_slots[1],
        time_slots[2],
    ];
    Some(out)
}

/// Reads `nU` components of one half of a duration, units in the order given; returns how
/// many were present.
fn duration_part(
    part: &str,
    units: &[u8],
    slots: &mut [Option<(u64, u64)>],
    seen_fraction: &mut bool,
) -> Option<usize> {
    let mut rest = part;
    let mut next_unit = 0;
    let mut count = 0;
    while !rest.is_empty() {
        if *seen_fraction {
            return None;
        }
        let end = rest.find(|c: char| c.is_ascii_alphabetic())?;
        let unit = rest.as_bytes()[end];
        let pos = units[next_unit..].iter().position(|u| *u == unit)? + next_unit;
        let (n, frac) = number(&rest[..end])?;
        *seen_fraction = frac.is_some();
        slots[pos] = Some((n, frac.unwrap_or(0)));
        next_unit = pos + 1;
        count += 1;
        rest = &rest[end + 1..];
    }
    Some(count)
}

/// Digits with an optional fraction; the fraction is returned as hundredths (truncated).
fn number(s: &str) -> Option<(u64, Option<u64>)> {
    let (int, frac) = match s.split_once(['.', ',']) {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int.is_empty() || !int.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = int.parse().ok()?;
    let frac = match frac {
        None => None,
        Some(f) => {
            if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let two: String = f.chars().chain("00".chars()).take(2).collect();
            Some(two.parse().ok()?)
        }
    };
    Some((n, frac))
}

/// The components of an ISO 8601 duration: years, months, days, hours, minutes, seconds,
/// each an integer part and hundredths; or weeks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Duration {
    pub components: [Option<(u64, u64)>; 6],
    pub weeks: Option<(u64, Option<u64>)>,
}

impl Duration {
    /// The duration written back with at most 0.01 s precision, for storage and comparison.
    pub fn to_canonical_string(&self) -> String {
        let frac = |f: u64| {
            if f == 0 {
                String::new()
            } else if f.is_multiple_of(10) {
                format!(".{}", f / 10)
            } else {
                format!(".{f:02}")
            }
        };
        if let Some((n, f)) = self.weeks {
            return format!("P{n}{}W", f.map(frac).unwrap_or_default());
        }
        let mut s = String::from("P");
        for (slot, unit) in self.components[..3].iter().zip(['Y', 'M', 'D']) {
            if let Some((n, f)) = slot {
                s.push_str(&format!("{n}{}{unit}", frac(*f)));
            }
        }
        if self.components[3..].iter().any(Option::is_some) {
            s.push('T');
            for (slot, unit) in self.components[3..].iter().zip(['H', 'M', 'S']) {
                if let Some((n, f)) = slot {
                    s.push_str(&format!("{n}{}{unit}", frac(*f)));
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids() {
        assert!(is_uuid("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"));
        assert!(is_uuid("FD41C918-B88B-4B20-A0A5-A4C32391AAA0"));
        assert!(!is_uuid("AA97B177-9383-4934-8543-0F91A7A028368"));
        assert!(!is_uuid("MA97B177-9383-4934-8543-0F91A7A02836"));
        assert!(!is_uuid("fd41c918b88b4b20a0a5a4c32391aaa0"));
        assert!(!is_uuid(""));
    }

    #[test]
    fn iris() {
        for ok in [
            "http://adlnet.gov/expapi/verbs/attended",
            "urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
            "https://例子.测试/路径",
            "tag:example.com,2024:x",
        ] {
            assert!(is_iri(ok), "{ok}");
        }
        for bad in [
            "ab=c://should.fail.com",
            "www.example.com/meetings",
            "should fail",
            "http://exa mple.com",
            ":nothing",
            "http:",
            "",
            "1http://x",
        ] {
            assert!(!is_iri(bad), "{bad}");
        }
    }

    #[test]
    fn mailto() {
        assert!(is_mailto("mailto:xapi@adlnet.gov"));
        assert!(!is_mailto("mailto:should.fail.com"));
        assert!(!is_mailto("http://should.fail.com"));
        assert!(!is_mailto("xapi@adlnet.gov"));
        assert!(!is_mailto("mailto:@adlnet.gov"));
        assert!(!is_mailto("mailto:a b@adlnet.gov"));
    }

    #[test]
    fn language_tags() {
        for ok in [
            "en",
            "en-US",
            "de",
            "de-DE",
            "zh-Hant",
            "sr-Latn-RS",
            "cmn",
            "es",
            "es-MX",
            "es-419",
            "sr-Cyrl",
            "zh-Hans-CN",
            "ase",
            "ja",
            "fr-CA",
            "x-whatever",
            "i-klingon",
            "en-GB-oed",
            "de-CH-1901",
            "en-a-bbb-x-a-ccc",
            "zh-yue-HK",
            "und",
        ] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in [
            "a12345",
            "a12345678",
            "zh-z-aaa-z-bbb-c-ccc",
            "",
            "en-",
            "-en",
            "e",
            "en_US",
            "de-1901-1901",
            "en-a",
            "en-x",
            "toolongtag",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn timestamps() {
        let t = |s| parse_timestamp(s).map(|p| p.at);
        assert_eq!(
            t("2008-09-15T15:53:00.601Z"),
            t("2008-09-15T17:53:00.601+02:00")
        );
        assert_eq!(t("2008-09-15T15:53:00Z"), t("2008-09-15T10:53:00-0500"));
        assert_eq!(t("2008-09-15T15:53:00Z"), t("2008-09-15T16:53:00+01"));
        assert_eq!(t("1970-01-01T00:00:00Z"), Some(Timestamp { unix_nanos: 0 }));
        assert!(parse_timestamp("2008-09-15T15:53:00.601+00:00").is_some());
        assert!(!parse_timestamp("2008-09-15T15:53:00").unwrap().has_offset);
        for bad in [
            "01/011/2015",
            "should fail",
            "2008-09-15T15:53:00.601-00",
            "2008-09-15T15:53:00.601-0000",
            "2008-09-15T15:53:00.601-00:00",
            "2008-02-30T15:53:00Z",
            "2008-09-15 15:53:00Z",
            "2008-09-15T25:53:00Z",
            "2008-09-15T15:53:00.Z",
            "2008-09-15T15:53:00+5",
            "2008-09-15",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn rfc3339_round_trip() {
        let p = parse_timestamp("2024-02-29T23:59:58.123456+01:00").unwrap();
        assert_eq!(p.at.to_rfc3339(), "2024-02-29T22:59:58.123Z");
        let early = parse_timestamp("1969-12-31T23:59:59.5Z").unwrap();
        assert_eq!(early.at.to_rfc3339(), "1969-12-31T23:59:59.500Z");
    }

    #[test]
    fn durations() {
        for ok in [
            "PT1H0M0.1S",
            "PT4H35M59.14S",
            "PT16559.14S",
            "P3Y1M29DT4H35M59.14S",
            "P3Y",
            "P4W",
            "P1D",
            "PT0S",
            "P0.5Y",
        ] {
            assert!(parse_duration(ok).is_some(), "{ok}");
        }
        for bad in [
            "PA1H0M0S",
            "P4W1D",
            "P",
            "PT",
            "P1H",
            "PT1D",
            "P1.5YT1H",
            "P0003-01-02T04:05:06",
            "1D",
            "P-1D",
            "PT1S1M",
            "P1Y1Y",
        ] {
            assert!(parse_duration(bad).is_none(), "{bad}");
        }
        assert_eq!(
            parse_duration("PT1.23456S").unwrap().to_canonical_string(),
            "PT1.23S"
        );
        assert_eq!(
            parse_duration("PT1.2S").unwrap(),
            parse_duration("PT1.2049S").unwrap()
        );
        assert_eq!(
            parse_duration("P1DT2H").unwrap().to_canonical_string(),
            "P1DT2H"
        );
    }
}
