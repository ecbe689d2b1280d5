//! Reaction surveys, certificates and credit requirements for the demo: surveys on the
//! closed programs' sessions with answers from attendees (some anonymous), certificate
//! validity chosen so that some certificates have expired and some expire within the
//! next month, and a yearly credit requirement per position family.

use crate::SplitMix64;
use crate::operations::{DemoProgram, DemoStage};
use time::{Date, Month};

/// Yearly credits a position of `job_family` should earn (managers and engineers more).
pub fn credit_requirement(job_family: &str) -> f64 {
    match job_family {
        "管理" => 48.0,
        "研发" => 40.0,
        "设备" | "质量" => 36.0,
        "生产" | "客服" => 32.0,
        _ => 24.0,
    }
}

/// `date` moved by `months` (day kept, or the month's last day).
fn add_months(date: Date, months: i32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

/// How long a program's certificate stays valid, in months (None: never expires).
/// The first customer-service program's certificates expire within the next month of
/// `today`, the first quality program's have just expired, the equipment program's
/// last two years; the others do not expire.
pub fn certificate_months(program: &DemoProgram, today: Date) -> Option<i32> {
    if program.stage != DemoStage::Closed {
        return Some(24);
    }
    let completed = program.sessions.iter().map(|s| s.day).max()?;
    // The first month count that ends after today, and the last that ends before it.
    let mut first_after = 1;
    while add_months(completed, first_after) <= today && first_after < 240 {
        first_after += 1;
    }
    match program.code.as_str() {
        "CS-2025-01" => Some(first_after),
        "QA-2025-01" => Some((first_after - 1).max(1)),
        "EQ-2025-01" => Some(24),
        _ => None,
    }
}

/// Whether the surveys of a closed program are anonymous (every other one is).
pub fn anonymous(program_index: usize) -> bool {
    program_index.is_multiple_of(2)
}

/// One attendee's answers to the standard template (课程内容, 讲师表现, 组织安排,
/// 对工作的帮助, 推荐, 建议), or None when they did not answer (about a quarter).
/// Programs that worked (`effective`) are rated higher.
pub fn answers(
    rng: &mut SplitMix64,
    effective: bool,
) -> Option<([i32; 4], &'static str, Option<&'static str>)> {
    if rng.below(100) < 25 {
        return None;
    }
    let base = if effective { 4 } else { 3 };
    let mut ratings = [0; 4];
    for r in &mut ratings {
        *r = match rng.below(10) {
            0 => base - 1,
            1..=6 => base,
            _ => (base + 1).min(5),
        };
    }
    let recommend = match ratings.iter().sum::<i32>() {
        s if s >= 16 => "会",
        s if s >= 13 => "不确定",
        _ => "不会",
    };
    const COMMENTS: [&str; 6] = [
        "案例很贴近实际工作，希望多安排练习。",
        "课程时间有点紧，建议分两天进行。",
        "讲师讲解清楚，互动很好。",
        "教室设备需要提前调试。",
        "希望提供课后资料下载。",
        "内容偏理论，现场演示可以更多一些。",
    ];
    let comment =
        (rng.below(100) < 40).then(|| COMMENTS[rng.below(COMMENTS.len() as u64) as usize]);
    Some((ratings, recommend, comment))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn validity_puts_one_program_expired_and_one_expiring() {
        let program = |code: &str, day: Date| DemoProgram {
            code: code.into(),
            title: String::new(),
            plan: "",
            objectives: "",
            positions: vec![],
            skills: vec![],
            hours: 8.0,
            capacity: None,
            costs: vec![],
            transfer: None,
            sessions: vec![crate::operations::DemoSession {
                title: String::new(),
                day,
                start_hour: 9,
                hours: 4,
                venue: None,
                instructor: String::new(),
            }],
            learners: vec![],
            stage: DemoStage::Closed,
            real_effect: 0.0,
        };
        let today = date!(2026 - 05 - 20);
        let soon = certificate_months(&program("CS-2025-01", date!(2025 - 03 - 14)), today);
        let expiry = add_months(date!(2025 - 03 - 14), soon.unwrap());
        assert!(expiry > today && expiry <= today + time::Duration::days(31));
        let gone = certificate_months(&program("QA-2025-01", date!(2025 - 03 - 14)), today);
        assert!(add_months(date!(2025 - 03 - 14), gone.unwrap()) <= today);
    }

    #[test]
    fn answers_are_scores_from_one_to_five() {
        let mut rng = SplitMix64::new(3);
        let mut answered = 0;
        for _ in 0..200 {
            if let Some((ratings, _, _)) = answers(&mut rng, true) {
                answered += 1;
                assert!(ratings.iter().all(|r| (1..=5).contains(r)));
            }
        }
        assert!((100..200).contains(&answered));
    }
}
