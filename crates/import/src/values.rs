//! Cell values in the forms real exports use.

use domain::org::EmployeeStatus;
use time::{Date, Duration, Month};

/// Parses `2024-03-01`, `2024/3/1`, `2024.3.1`, `2024年3月1日`, `20240301` or an Excel
/// serial day number (1900 date system, as both Excel and WPS write it).
pub fn parse_date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    let bad =
        || format!("'{t}' is not a date (use 2024-03-01, 2024/3/1, 2024年3月1日 or an Excel date)");
    if let Ok(serial) = t.parse::<f64>() {
        if t.len() == 8 && !t.contains('.') {
            let (y, m, d) = (&t[0..4], &t[4..6], &t[6..8]);
            return ymd(y, m, d).ok_or_else(bad);
        }
        // Serials 1..=2958465 cover 1900-01-01..9999-12-31; day 60 is Excel's phantom 1900-02-29.
        if !(1.0..=2_958_465.0).contains(&serial) {
            return Err(bad());
        }
        let days = serial.floor() as i64;
        let epoch = time::macros::date!(1899 - 12 - 30);
        let adjusted = if days < 61 { days + 1 } else { days };
        return Ok(epoch + Duration::days(adjusted));
    }
    let normalised: String = t.replace(['年', '月', '/', '.'], "-").replace('日', "");
    let parts: Vec<&str> = normalised
        .split('-')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [y, m, d] => ymd(y, m, d).ok_or_else(bad),
        _ => Err(bad()),
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<Date> {
    let year: i32 = y.parse().ok()?;
    if !(1900..=2200).contains(&year) {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year, month, d.parse().ok()?).ok()
}

/// Parses an employment status in Chinese or English; empty means active.
pub fn parse_status(text: &str) -> Result<EmployeeStatus, String> {
    match text.trim().to_lowercase().as_str() {
        "" | "在职" | "正式" | "试用" | "active" | "employed" | "yes" => {
            Ok(EmployeeStatus::Active)
        }
        "休假" | "停薪留职" | "长假" | "on_leave" | "on leave" | "leave" => {
            Ok(EmployeeStatus::OnLeave)
        }
        "离职" | "已离职" | "退休" | "left" | "terminated" | "resigned" | "retired" => {
            Ok(EmployeeStatus::Left)
        }
        other => Err(format!(
            "'{other}' is not a status (在职/休假/离职 or active/on_leave/left)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_in_every_form() {
        for text in [
            "2024-03-01",
            "2024/3/1",
            "2024.3.1",
            "2024年3月1日",
            "20240301",
            "45352",
        ] {
            assert_eq!(parse_date(text).unwrap(), date!(2024 - 03 - 01), "{text}");
        }
        assert_eq!(parse_date("1").unwrap(), date!(1900 - 01 - 01));
        assert_eq!(parse_date("61").unwrap(), date!(1900 - 03 - 01));
        for bad in ["2024-02-30", "yesterday", "3/1/2024x", "0", "2024-13-01"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses() {
        assert_eq!(parse_status("在职").unwrap(), EmployeeStatus::Active);
        assert_eq!(parse_status("").unwrap(), EmployeeStatus::Active);
        assert_eq!(parse_status("Left").unwrap(), EmployeeStatus::Left);
        assert!(parse_status("fired").is_err());
    }
}
