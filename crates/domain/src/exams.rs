//! Exams (考试): a question bank (题库) per skill, exam papers drawn from it by
//! difficulty, attempts with a time limit, automatic grading of the objective kinds,
//! manual grading of short answers, and the learning gain of pre- and post-tests
//! (Kirkpatrick level 2).

use crate::operations::valid_code;
use crate::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

coded_enum!(
    /// What a question asks for.
    QuestionKind, "kind", {
        SingleChoice => "single_choice" | "单选" | "单选题",
        MultipleChoice => "multiple_choice" | "多选" | "多选题",
        TrueFalse => "true_false" | "判断" | "判断题",
        FillIn => "fill_in" | "填空" | "填空题",
        ShortAnswer => "short_answer" | "简答" | "简答题",
    }
);

impl QuestionKind {
    /// Whether the learner picks among options.
    pub fn has_options(self) -> bool {
        matches!(
            self,
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice
        )
    }

    /// Whether a person grades it (the others are graded automatically).
    pub fn graded_by_person(self) -> bool {
        self == QuestionKind::ShortAnswer
    }
}

coded_enum!(
    /// What an exam is for within its program.
    ExamPurpose, "purpose", {
        PreTest => "pre_test" | "训前测试" | "前测",
        PostTest => "post_test" | "训后测试" | "后测",
        Final => "final" | "结业考试" | "考试",
    }
);

coded_enum!(
    /// Where an exam stands: only a published exam can be taken.
    ExamStatus, "status", {
        Draft => "draft" | "草稿",
        Published => "published" | "已发布",
        Closed => "closed" | "已关闭",
    }
);

coded_enum!(
    /// Where an attempt stands.
    AttemptStatus, "status", {
        InProgress => "in_progress" | "答题中",
        Grading => "grading" | "待阅卷",
        Graded => "graded" | "已评分",
    }
);

/// Difficulty 1 (easy) to 3 (hard).
pub const DIFFICULTIES: [i32; 3] = [1, 2, 3];
/// Seconds after the deadline in which answers are still taken (network delays).
pub const GRACE_SECONDS: i64 = 30;

/// Parses a difficulty: 1-3 or easy/medium/hard (容易/中等/困难).
pub fn parse_difficulty(text: &str) -> DomainResult<i32> {
    match text.trim().to_lowercase().as_str() {
        "1" | "easy" | "容易" | "易" => Ok(1),
        "2" | "medium" | "中等" | "中" => Ok(2),
        "3" | "hard" | "困难" | "难" => Ok(3),
        other => Err(DomainError::invalid(
            "difficulty",
            format!("'{other}' is not one of 1/easy, 2/medium, 3/hard"),
        )),
    }
}

/// The difficulty's code.
pub fn difficulty_code(difficulty: i32) -> &'static str {
    match difficulty {
        1 => "easy",
        2 => "medium",
        _ => "hard",
    }
}

fn required(field: &str, value: &str, max_chars: usize) -> DomainResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(field, "is required"));
    }
    if value.chars().count() > max_chars {
        return Err(DomainError::invalid(
            field,
            format!("is longer than {max_chars} characters"),
        ));
    }
    Ok(value.to_string())
}

/// The letter of option `i` (A, B, ...).
pub fn option_letter(i: usize) -> String {
    char::from(b'A' + (i.min(25) as u8)).to_string()
}

/// Reads an option letter (`A`, `b`) into an index below `count`.
fn option_index(field: &str, text: &str, count: usize) -> DomainResult<usize> {
    let t = text.trim().to_ascii_uppercase();
    let mut chars = t.chars();
    match (chars.next(), chars.next()) {
        (Some(c @ 'A'..='Z'), None) if ((c as u8 - b'A') as usize) < count => {
            Ok((c as u8 - b'A') as usize)
        }
        _ => Err(DomainError::invalid(
            field,
            format!(
                "'{}' is not an option letter between A and {}",
                text.trim(),
                option_letter(count.saturating_sub(1))
            ),
        )),
    }
}

/// Reads a true/false answer into `"true"` or `"false"`.
fn truth(field: &str, text: &str) -> DomainResult<String> {
    match text.trim().to_lowercase().as_str() {
        "true" | "t" | "yes" | "1" | "对" | "正确" | "是" | "√" => Ok("true".into()),
        "false" | "f" | "no" | "0" | "错" | "错误" | "否" | "×" => Ok("false".into()),
        other => Err(DomainError::invalid(
            field,
            format!("'{other}' is neither true nor false"),
        )),
    }
}

/// A question of the bank as written by an administrator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuestionInput {
    pub skill_code: String,
    pub kind: QuestionKind,
    /// 1 easy, 2 medium, 3 hard.
    pub difficulty: i32,
    pub stem: String,
    /// Option texts, for single and multiple choice (2 to 8).
    #[serde(default)]
    pub options: Vec<String>,
    /// Option letters (choice), `true`/`false`, accepted texts (fill-in) or a
    /// reference answer for graders (short answer).
    #[serde(default)]
    pub answers: Vec<String>,
    #[serde(default = "default_points")]
    pub points: f64,
    #[serde(default)]
    pub explanation: String,
}

fn default_points() -> f64 {
    1.0
}

impl QuestionInput {
    /// Trims and checks the question; answers come back normalised (upper-case
    /// letters in order, `true`/`false`).
    pub fn validated(&self) -> DomainResult<Self> {
        let skill_code = required("skill_code", &self.skill_code, 40)?;
        if !DIFFICULTIES.contains(&self.difficulty) {
            return Err(DomainError::invalid(
                "difficulty",
                "must be 1 (easy), 2 (medium) or 3 (hard)",
            ));
        }
        let stem = required("stem", &self.stem, 2000)?;
        if !self.points.is_finite() || !(0.5..=100.0).contains(&self.points) {
            return Err(DomainError::invalid(
                "points",
                "must be between 0.5 and 100",
            ));
        }
        let options: Vec<String> = self
            .options
            .iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect();
        let answers: Vec<String> = self
            .answers
            .iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        let answers = match self.kind {
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
                if !(2..=8).contains(&options.len()) {
                    return Err(DomainError::invalid(
                        "options",
                        "a choice question needs 2 to 8 options",
                    ));
                }
                if let Some(long) = options.iter().find(|o| o.chars().count() > 500) {
                    return Err(DomainError::invalid(
                        "options",
                        format!(
                            "option '{}…' is longer than 500 characters",
                            long.chars().take(20).collect::<String>()
                        ),
                    ));
                }
                let mut picked = Vec::new();
                for a in &answers {
                    picked.push(option_index("answers", a, options.len())?);
                }
                picked.sort_unstable();
                picked.dedup();
                match (self.kind, picked.len()) {
                    (_, 0) => {
                        return Err(DomainError::invalid(
                            "answers",
                            "name the correct option letter(s)",
                        ));
                    }
                    (QuestionKind::SingleChoice, n) if n > 1 => {
                        return Err(DomainError::invalid(
                            "answers",
                            "a single-choice question has exactly one correct option",
                        ));
                    }
                    _ => {}
                }
                picked.into_iter().map(option_letter).collect()
            }
            QuestionKind::TrueFalse => {
                if answers.len() != 1 {
                    return Err(DomainError::invalid(
                        "answers",
                        "a true/false question has one answer: true or false",
                    ));
                }
                vec![truth("answers", &answers[0])?]
            }
            QuestionKind::FillIn => {
                if answers.is_empty() {
                    return Err(DomainError::invalid(
                        "answers",
                        "list at least one accepted answer",
                    ));
                }
                answers
            }
            QuestionKind::ShortAnswer => answers,
        };
        if !self.kind.has_options() && !options.is_empty() {
            return Err(DomainError::invalid(
                "options",
                "only choice questions have options",
            ));
        }
        Ok(Self {
            skill_code,
            kind: self.kind,
            difficulty: self.difficulty,
            stem,
            options,
            answers,
            points: self.points,
            explanation: self.explanation.trim().to_string(),
        })
    }
}

/// A question of the bank.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    pub id: i64,
    pub skill_code: String,
    pub skill_name: String,
    pub kind: QuestionKind,
    pub difficulty: i32,
    pub stem: String,
    pub options: Vec<String>,
    pub answers: Vec<String>,
    pub points: f64,
    pub explanation: String,
    pub active: bool,
}

/// Filters of the question bank.
#[derive(Debug, Clone, Default)]
pub struct QuestionFilter {
    pub skill_code: Option<String>,
    pub kind: Option<QuestionKind>,
    pub difficulty: Option<i32>,
    /// Substring of the stem.
    pub q: Option<String>,
    /// Include deactivated questions.
    pub include_inactive: bool,
}

/// An exam as written by an administrator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExamInput {
    pub code: String,
    pub title: String,
    /// The program's code; none for a standalone exam anyone may take.
    #[serde(default)]
    pub program_code: Option<String>,
    pub purpose: ExamPurpose,
    pub skill_code: String,
    /// Questions drawn per attempt, by difficulty.
    #[serde(default)]
    pub draw_easy: i32,
    #[serde(default)]
    pub draw_medium: i32,
    #[serde(default)]
    pub draw_hard: i32,
    pub time_limit_minutes: i32,
    pub pass_mark_pct: i32,
    #[serde(default = "one")]
    pub max_attempts: i32,
    /// Hours to wait after a failed attempt.
    #[serde(default)]
    pub retake_wait_hours: i32,
}

fn one() -> i32 {
    1
}

impl ExamInput {
    pub fn validated(&self) -> DomainResult<Self> {
        for (field, n) in [
            ("draw_easy", self.draw_easy),
            ("draw_medium", self.draw_medium),
            ("draw_hard", self.draw_hard),
        ] {
            if !(0..=100).contains(&n) {
                return Err(DomainError::invalid(field, "must be between 0 and 100"));
            }
        }
        if self.draw_easy + self.draw_medium + self.draw_hard == 0 {
            return Err(DomainError::invalid(
                "draw_easy",
                "the paper draws no question: set how many per difficulty",
            ));
        }
        if !(1..=600).contains(&self.time_limit_minutes) {
            return Err(DomainError::invalid(
                "time_limit_minutes",
                "must be between 1 and 600",
            ));
        }
        if !(0..=100).contains(&self.pass_mark_pct) {
            return Err(DomainError::invalid(
                "pass_mark_pct",
                "must be between 0 and 100",
            ));
        }
        if !(1..=20).contains(&self.max_attempts) {
            return Err(DomainError::invalid(
                "max_attempts",
                "must be between 1 and 20",
            ));
        }
        if !(0..=24 * 90).contains(&self.retake_wait_hours) {
            return Err(DomainError::invalid(
                "retake_wait_hours",
                "must be between 0 and 2160",
            ));
        }
        Ok(Self {
            code: valid_code("code", &self.code)?,
            title: required("title", &self.title, 200)?,
            program_code: self
                .program_code
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            purpose: self.purpose,
            skill_code: required("skill_code", &self.skill_code, 40)?,
            ..self.clone()
        })
    }

    /// Questions an attempt draws.
    pub fn question_count(&self) -> i32 {
        self.draw_easy + self.draw_medium + self.draw_hard
    }
}

/// An exam with its rules.
#[derive(Debug, Clone, Serialize)]
pub struct Exam {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub program_id: Option<i64>,
    pub program_code: Option<String>,
    pub program_title: Option<String>,
    pub purpose: ExamPurpose,
    pub skill_id: i64,
    pub skill_code: String,
    pub skill_name: String,
    pub draw_easy: i32,
    pub draw_medium: i32,
    pub draw_hard: i32,
    pub time_limit_minutes: i32,
    pub pass_mark_pct: i32,
    pub max_attempts: i32,
    pub retake_wait_hours: i32,
    pub status: ExamStatus,
    /// Attempts so far (all learners).
    pub attempts: i64,
}

impl Exam {
    pub fn question_count(&self) -> i32 {
        self.draw_easy + self.draw_medium + self.draw_hard
    }

    /// The exam as its input, for editing.
    pub fn to_input(&self) -> ExamInput {
        ExamInput {
            code: self.code.clone(),
            title: self.title.clone(),
            program_code: self.program_code.clone(),
            purpose: self.purpose,
            skill_code: self.skill_code.clone(),
            draw_easy: self.draw_easy,
            draw_medium: self.draw_medium,
            draw_hard: self.draw_hard,
            time_limit_minutes: self.time_limit_minutes,
            pass_mark_pct: self.pass_mark_pct,
            max_attempts: self.max_attempts,
            retake_wait_hours: self.retake_wait_hours,
        }
    }
}

/// Filters of the exam list.
#[derive(Debug, Clone, Default)]
pub struct ExamFilter {
    pub q: Option<String>,
    pub program_id: Option<i64>,
    pub skill_code: Option<String>,
    pub status: Option<ExamStatus>,
}

/// One question of an attempt, as drawn.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptItem {
    pub position: i32,
    pub question_id: i64,
    pub kind: QuestionKind,
    pub difficulty: i32,
    pub stem: String,
    pub options: Vec<String>,
    /// The key; hidden from the learner until the attempt is submitted.
    pub answers: Option<Vec<String>>,
    pub points: f64,
    pub response: Option<Vec<String>>,
    /// Points given; none until graded.
    pub awarded: Option<f64>,
}

impl AttemptItem {
    /// Whether the response earned every point.
    pub fn correct(&self) -> Option<bool> {
        self.awarded.map(|a| a >= self.points - 1e-9)
    }
}

/// An attempt at an exam.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub id: i64,
    pub exam_id: i64,
    pub exam_code: String,
    pub exam_title: String,
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub department: String,
    pub attempt_no: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub deadline_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    pub status: AttemptStatus,
    pub score: Option<f64>,
    pub max_score: f64,
    pub score_pct: Option<f64>,
    pub passed: Option<bool>,
    pub assessment_id: Option<i64>,
}

/// An attempt with its questions.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptDetail {
    pub attempt: Attempt,
    pub items: Vec<AttemptItem>,
}

/// Filters of an exam's attempts.
#[derive(Debug, Clone, Default)]
pub struct AttemptFilter {
    pub status: Option<AttemptStatus>,
    pub passed: Option<bool>,
    /// Substring of the employee's number or name.
    pub q: Option<String>,
}

/// Figures of an exam's graded attempts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExamStats {
    pub attempts: i64,
    pub graded: i64,
    pub waiting_for_grading: i64,
    pub passed: i64,
    /// Passed among graded, in percent.
    pub pass_rate_pct: Option<f64>,
    pub mean_pct: Option<f64>,
    /// Graded attempts per score band: 0-9, 10-19, ..., 90-100.
    pub distribution: [i64; 10],
}

/// A short answer waiting for a person.
#[derive(Debug, Clone, Serialize)]
pub struct GradingTask {
    pub attempt_id: i64,
    pub position: i32,
    pub exam_code: String,
    pub exam_title: String,
    pub employee_number: String,
    pub employee_name: String,
    pub stem: String,
    /// The reference answer.
    pub answers: Vec<String>,
    pub response: Vec<String>,
    pub points: f64,
}

/// An exam as a learner sees it in their list.
#[derive(Debug, Clone, Serialize)]
pub struct MyExam {
    pub exam: Exam,
    pub attempts: Vec<Attempt>,
    /// Whether a new attempt may start now, or why not.
    pub can_start: bool,
    pub reason: Option<String>,
}

impl MyExam {
    /// Whether an attempt is running (it can be resumed).
    pub fn has_running(&self) -> bool {
        self.attempts
            .iter()
            .any(|a| a.status == AttemptStatus::InProgress)
    }
}

/// One learner's pre- and post-test figures.
#[derive(Debug, Clone, Serialize)]
pub struct LearnerGain {
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub skill_code: String,
    pub pre_pct: f64,
    pub post_pct: f64,
    pub gain: f64,
    /// (post − pre) / (100 − pre); none when the pre-test was full marks.
    pub normalised_gain: Option<f64>,
}

/// The learning gain of one skill's pre/post pair.
#[derive(Debug, Clone, Serialize)]
pub struct SkillGain {
    pub skill_code: String,
    pub skill_name: String,
    pub pre_exam_code: String,
    pub post_exam_code: String,
    pub n_paired: usize,
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    pub mean_gain: Option<f64>,
    pub normalised_gain: Option<f64>,
}

/// A program's learning gain (Kirkpatrick level 2): per learner post − pre over
/// every skill with a pre-test and a post-test, and the means.
#[derive(Debug, Clone, Serialize)]
pub struct LearningGain {
    pub program_id: i64,
    /// Learner × skill pairs with both tests graded.
    pub n_paired: usize,
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    pub mean_gain: Option<f64>,
    /// The class-average normalised gain (mean post − mean pre) / (100 − mean pre).
    pub normalised_gain: Option<f64>,
    pub skills: Vec<SkillGain>,
    pub learners: Vec<LearnerGain>,
}

/// Summarises paired (pre, post) percentages.
pub fn summarise_pairs(
    pairs: &[(f64, f64)],
) -> (Option<f64>, Option<f64>, Option<f64>, Option<f64>) {
    if pairs.is_empty() {
        return (None, None, None, None);
    }
    let n = pairs.len() as f64;
    let pre = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let post = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let normalised = (pre < 100.0 - 1e-9).then(|| (post - pre) / (100.0 - pre));
    (Some(pre), Some(post), Some(post - pre), normalised)
}

/// Competency level for a passed attempt's score, capped at the skill's levels:
/// below 60 % level 1, 60–74 level 2, 75–89 level 3, 90 and above level 4.
pub fn level_for_score(score_pct: f64, skill_levels: i32) -> i32 {
    let level = if score_pct >= 90.0 {
        4
    } else if score_pct >= 75.0 {
        3
    } else if score_pct >= 60.0 {
        2
    } else {
        1
    };
    level.min(skill_levels.max(1))
}

/// Points for an objective response; `None` for a short answer (a person grades it).
/// Multiple choice is all or nothing; fill-in matches an accepted answer trimmed and
/// case-insensitively.
pub fn auto_grade(
    kind: QuestionKind,
    answers: &[String],
    response: &[String],
    points: f64,
) -> Option<f64> {
    let normal = |v: &[String]| -> Vec<String> {
        let mut v: Vec<String> = v
            .iter()
            .map(|s| s.trim().to_uppercase())
            .filter(|s| !s.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let right = match kind {
        QuestionKind::ShortAnswer => return None,
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            !response.is_empty() && normal(answers) == normal(response)
        }
        QuestionKind::TrueFalse => match response.first() {
            Some(r) => truth("response", r).ok().as_deref() == answers.first().map(String::as_str),
            None => false,
        },
        QuestionKind::FillIn => match response.first() {
            Some(r) => {
                let r = r.trim().to_lowercase();
                !r.is_empty() && answers.iter().any(|a| a.trim().to_lowercase() == r)
            }
            None => false,
        },
    };
    Some(if right { points } else { 0.0 })
}

/// Normalises a learner's response to a question: letters upper-cased and checked,
/// true/false read, texts trimmed (at most 4000 characters).
pub fn normalise_response(
    field: &str,
    kind: QuestionKind,
    option_count: usize,
    response: &[String],
) -> DomainResult<Vec<String>> {
    let given: Vec<&str> = response
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    match kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            let mut picked = Vec::new();
            for g in &given {
                picked.push(option_index(field, g, option_count)?);
            }
            picked.sort_unstable();
            picked.dedup();
            if kind == QuestionKind::SingleChoice && picked.len() > 1 {
                return Err(DomainError::invalid(field, "pick one option"));
            }
            Ok(picked.into_iter().map(option_letter).collect())
        }
        QuestionKind::TrueFalse => given
            .first()
            .map(|g| truth(field, g))
            .transpose()
            .map(|v| v.into_iter().collect()),
        QuestionKind::FillIn | QuestionKind::ShortAnswer => {
            let text = given.join("\n");
            if text.chars().count() > 4000 {
                return Err(DomainError::invalid(
                    field,
                    "is longer than 4000 characters",
                ));
            }
            Ok(if text.is_empty() { vec![] } else { vec![text] })
        }
    }
}

/// A small deterministic generator (splitmix64), so a paper follows from its seed.
pub struct DrawRng(u64);

impl DrawRng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Picks `n` of `pool` without repetition, in drawn order.
    pub fn pick<T: Copy>(&mut self, pool: &[T], n: usize) -> Vec<T> {
        let mut pool = pool.to_vec();
        let n = n.min(pool.len());
        for i in 0..n {
            let j = i + (self.next_u64() % (pool.len() - i) as u64) as usize;
            pool.swap(i, j);
        }
        pool.truncate(n);
        pool
    }
}

/// The seed of an attempt's paper: the exam, the learner and the attempt number.
pub fn attempt_seed(exam_id: i64, employee_id: i64, attempt_no: i32) -> i64 {
    let mut rng = DrawRng::new(
        (exam_id as u64).wrapping_mul(0x1000_0000_01B3)
            ^ (employee_id as u64).rotate_left(21)
            ^ u64::from(attempt_no as u32).rotate_left(47),
    );
    (rng.next_u64() >> 1) as i64
}

/// An exam's active questions, by difficulty, from which papers are drawn.
#[derive(Debug, Clone)]
pub struct Bank {
    pub exam: Exam,
    /// Active questions of the exam's skill: easy, medium, hard.
    pub by_difficulty: [Vec<Question>; 3],
}

impl Bank {
    /// Refuses when the bank holds fewer questions than a paper draws, naming the
    /// draw field and the shortfall.
    pub fn check(&self) -> DomainResult<()> {
        let wanted = [
            self.exam.draw_easy,
            self.exam.draw_medium,
            self.exam.draw_hard,
        ];
        for (i, field) in ["draw_easy", "draw_medium", "draw_hard"].iter().enumerate() {
            let have = self.by_difficulty[i].len();
            if (wanted[i] as usize) > have {
                return Err(DomainError::invalid(
                    *field,
                    format!(
                        "the bank of skill {} holds {have} active {} question(s); the paper draws {}",
                        self.exam.skill_code,
                        difficulty_code(i as i32 + 1),
                        wanted[i]
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The paper of one attempt: easy questions first, then medium, then hard, each
    /// group drawn from the bank by `seed`.
    pub fn draw(&self, seed: i64) -> DomainResult<Vec<AttemptItem>> {
        self.check()?;
        let wanted = [
            self.exam.draw_easy,
            self.exam.draw_medium,
            self.exam.draw_hard,
        ];
        let mut rng = DrawRng::new(seed as u64);
        let mut items = Vec::new();
        for (i, questions) in self.by_difficulty.iter().enumerate() {
            let indexes: Vec<usize> = (0..questions.len()).collect();
            for k in rng.pick(&indexes, wanted[i] as usize) {
                let q = &questions[k];
                items.push(AttemptItem {
                    position: items.len() as i32 + 1,
                    question_id: q.id,
                    kind: q.kind,
                    difficulty: q.difficulty,
                    stem: q.stem.clone(),
                    options: q.options.clone(),
                    answers: Some(q.answers.clone()),
                    points: q.points,
                    response: None,
                    awarded: None,
                });
            }
        }
        Ok(items)
    }
}

/// Why a learner may not start another attempt now, given their earlier ones
/// (newest last); `None` when they may.
pub fn retake_refusal(exam: &Exam, attempts: &[Attempt], now: OffsetDateTime) -> Option<String> {
    if exam.status != ExamStatus::Published {
        return Some("the exam is not open".into());
    }
    if attempts.iter().any(|a| a.passed == Some(true)) {
        return Some("you have passed this exam".into());
    }
    if attempts.iter().any(|a| a.status == AttemptStatus::Grading) {
        return Some("an attempt is waiting for grading".into());
    }
    if attempts.len() as i32 >= exam.max_attempts {
        return Some(format!("all {} attempt(s) are used", exam.max_attempts));
    }
    if let Some(last) = attempts.last()
        && let Some(submitted) = last.submitted_at
    {
        let next = submitted + time::Duration::hours(i64::from(exam.retake_wait_hours));
        if now < next {
            return Some(format!(
                "a retake is possible {} hour(s) after the last attempt",
                exam.retake_wait_hours
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(kind: QuestionKind, options: &[&str], answers: &[&str]) -> QuestionInput {
        QuestionInput {
            skill_code: "S".into(),
            kind,
            difficulty: 2,
            stem: "stem".into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            answers: answers.iter().map(|s| s.to_string()).collect(),
            points: 2.0,
            explanation: String::new(),
        }
    }

    fn field_of(e: DomainError) -> String {
        match e {
            DomainError::Validation { field, .. } => field,
            other => panic!("not a validation error: {other}"),
        }
    }

    #[test]
    fn validation_names_fields() {
        use QuestionKind::*;
        assert_eq!(
            field_of(q(SingleChoice, &["a"], &["A"]).validated().unwrap_err()),
            "options"
        );
        assert_eq!(
            field_of(
                q(SingleChoice, &["a", "b"], &["A", "B"])
                    .validated()
                    .unwrap_err()
            ),
            "answers"
        );
        assert_eq!(
            field_of(
                q(SingleChoice, &["a", "b"], &["C"])
                    .validated()
                    .unwrap_err()
            ),
            "answers"
        );
        assert_eq!(
            field_of(q(TrueFalse, &[], &["maybe"]).validated().unwrap_err()),
            "answers"
        );
        assert_eq!(
            field_of(q(FillIn, &[], &[]).validated().unwrap_err()),
            "answers"
        );
        assert_eq!(
            field_of(q(FillIn, &["x"], &["y"]).validated().unwrap_err()),
            "options"
        );
        let ok = q(MultipleChoice, &["a", "b", "c"], &["c", "a"])
            .validated()
            .unwrap();
        assert_eq!(ok.answers, vec!["A", "C"]);
        assert_eq!(
            q(TrueFalse, &[], &["对"]).validated().unwrap().answers,
            vec!["true"]
        );
    }

    #[test]
    fn grading_of_each_kind() {
        use QuestionKind::*;
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            auto_grade(SingleChoice, &s(&["B"]), &s(&["b"]), 2.0),
            Some(2.0)
        );
        assert_eq!(
            auto_grade(MultipleChoice, &s(&["A", "C"]), &s(&["A"]), 2.0),
            Some(0.0)
        );
        assert_eq!(
            auto_grade(MultipleChoice, &s(&["A", "C"]), &s(&["C", "A"]), 2.0),
            Some(2.0)
        );
        assert_eq!(
            auto_grade(TrueFalse, &s(&["false"]), &s(&["错"]), 1.0),
            Some(1.0)
        );
        assert_eq!(
            auto_grade(FillIn, &s(&["Torque", "扭矩"]), &s(&["  torque "]), 1.0),
            Some(1.0)
        );
        assert_eq!(auto_grade(FillIn, &s(&["Torque"]), &s(&[]), 1.0), Some(0.0));
        assert_eq!(auto_grade(ShortAnswer, &s(&[]), &s(&["x"]), 5.0), None);
    }

    #[test]
    fn draws_are_deterministic_and_distinct() {
        let pool: Vec<i64> = (1..=20).collect();
        let a = DrawRng::new(7).pick(&pool, 5);
        let b = DrawRng::new(7).pick(&pool, 5);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 5);
    }

    #[test]
    fn levels_and_gain() {
        assert_eq!(level_for_score(95.0, 5), 4);
        assert_eq!(level_for_score(95.0, 3), 3);
        assert_eq!(level_for_score(80.0, 5), 3);
        assert_eq!(level_for_score(60.0, 5), 2);
        let (pre, post, gain, norm) = summarise_pairs(&[(40.0, 70.0), (60.0, 80.0)]);
        assert_eq!((pre, post, gain), (Some(50.0), Some(75.0), Some(25.0)));
        assert_eq!(norm, Some(0.5));
    }
}
