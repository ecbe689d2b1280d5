//! Reaction surveys (一级评估): templates of questions, surveys attached to sessions,
//! learners' answers and the results per session, instructor and program.

use crate::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

coded_enum!(
    /// How a question is answered.
    QuestionKind, "kind", {
        /// A score from 1 (poor) to 5 (excellent).
        Rating => "rating" | "评分",
        /// One of the listed options.
        Choice => "choice" | "单选",
        /// Free text.
        Text => "text" | "文本" | "文字",
    }
);

coded_enum!(
    /// What a rating question measures, for results across templates.
    Dimension, "dimension", {
        Content => "content" | "课程内容",
        Instructor => "instructor" | "讲师",
        Organisation => "organisation" | "组织安排" | "组织",
        Usefulness => "usefulness" | "工作帮助" | "实用性",
        Other => "other" | "其他",
    }
);

/// Days after a session's end a survey stays open by default.
pub const DEFAULT_OPEN_DAYS: i64 = 7;
/// Longest free-text answer kept.
pub const MAX_TEXT_CHARS: usize = 2000;

/// One question of a template or survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub text: String,
    pub kind: QuestionKind,
    /// For rating questions; `other` when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<Dimension>,
    /// For choice questions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// A survey template as entered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateInput {
    pub code: String,
    pub title: String,
    pub questions: Vec<Question>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl TemplateInput {
    pub fn validated(&self) -> DomainResult<Self> {
        let code = crate::operations::valid_code("code", &self.code)?;
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(DomainError::invalid(
                "title",
                "is required, at most 200 characters",
            ));
        }
        if self.questions.is_empty() || self.questions.len() > 40 {
            return Err(DomainError::invalid(
                "questions",
                "a template has 1 to 40 questions",
            ));
        }
        let mut questions = Vec::with_capacity(self.questions.len());
        for (i, q) in self.questions.iter().enumerate() {
            let field = format!("questions[{i}]");
            let text = q.text.trim();
            if text.is_empty() || text.chars().count() > 300 {
                return Err(DomainError::invalid(
                    format!("{field}.text"),
                    "is required, at most 300 characters",
                ));
            }
            let mut options: Vec<String> = q
                .options
                .iter()
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect();
            let mut seen = std::collections::HashSet::new();
            options.retain(|o| seen.insert(o.clone()));
            match q.kind {
                QuestionKind::Choice if !(2..=12).contains(&options.len()) => {
                    return Err(DomainError::invalid(
                        format!("{field}.options"),
                        "a single-choice question needs 2 to 12 different options",
                    ));
                }
                QuestionKind::Choice => {}
                _ => options.clear(),
            }
            questions.push(Question {
                text: text.to_string(),
                kind: q.kind,
                dimension: match q.kind {
                    QuestionKind::Rating => Some(q.dimension.unwrap_or(Dimension::Other)),
                    _ => None,
                },
                options,
            });
        }
        Ok(Self {
            code,
            title: title.to_string(),
            questions,
            active: self.active,
        })
    }
}

/// A stored template.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyTemplate {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub questions: Vec<Question>,
    pub active: bool,
    /// Surveys made from it.
    pub surveys: i64,
}

/// Attaching a survey to a session (or every session of a program).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttachInput {
    pub template_code: String,
    #[serde(default)]
    pub anonymous: bool,
    /// Default: the session's start.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub opens_at: Option<OffsetDateTime>,
    /// Default: seven days after the session's end.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub closes_at: Option<OffsetDateTime>,
}

impl AttachInput {
    /// The window for a session running `starts_at`..`ends_at`.
    pub fn window(
        &self,
        starts_at: OffsetDateTime,
        ends_at: OffsetDateTime,
    ) -> DomainResult<(OffsetDateTime, OffsetDateTime)> {
        let opens = self.opens_at.unwrap_or(starts_at);
        let closes = self
            .closes_at
            .unwrap_or(ends_at + time::Duration::days(DEFAULT_OPEN_DAYS));
        if closes <= opens {
            return Err(DomainError::invalid(
                "closes_at",
                "must be after the survey opens",
            ));
        }
        if closes - opens > time::Duration::days(366) {
            return Err(DomainError::invalid(
                "closes_at",
                "a survey stays open at most a year",
            ));
        }
        Ok((opens, closes))
    }
}

/// A survey on a session.
#[derive(Debug, Clone, Serialize)]
pub struct Survey {
    pub id: i64,
    pub session_id: i64,
    pub session_title: String,
    pub program_id: i64,
    pub program_title: String,
    pub template_code: String,
    pub title: String,
    pub questions: Vec<Question>,
    pub anonymous: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub opens_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub closes_at: OffsetDateTime,
    /// Attendees (present or late) of the session: who may answer.
    pub invited: i64,
    pub responses: i64,
}

impl Survey {
    pub fn is_open(&self, now: OffsetDateTime) -> bool {
        self.opens_at <= now && now < self.closes_at
    }
}

/// One answer, by question position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub question: usize,
    #[serde(default)]
    pub rating: Option<i32>,
    #[serde(default)]
    pub choice: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
}

/// Checks answers against a survey's questions: every rating and choice question
/// answered with a valid value; free text optional. Returns them in question order,
/// with empty free text left out.
pub fn validate_answers(questions: &[Question], answers: &[Answer]) -> DomainResult<Vec<Answer>> {
    let mut out: Vec<Answer> = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let field = format!("answers[{i}]");
        let given: Vec<&Answer> = answers.iter().filter(|a| a.question == i).collect();
        if given.len() > 1 {
            return Err(DomainError::invalid(field, "is answered twice"));
        }
        let given = given.first();
        match q.kind {
            QuestionKind::Rating => {
                let rating = given.and_then(|a| a.rating).ok_or_else(|| {
                    DomainError::invalid(&field, format!("'{}' needs a score from 1 to 5", q.text))
                })?;
                if !(1..=5).contains(&rating) {
                    return Err(DomainError::invalid(field, "a score is from 1 to 5"));
                }
                out.push(Answer {
                    question: i,
                    rating: Some(rating),
                    choice: None,
                    text: None,
                });
            }
            QuestionKind::Choice => {
                let choice = given
                    .and_then(|a| a.choice.as_deref())
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| {
                        DomainError::invalid(&field, format!("'{}' needs a choice", q.text))
                    })?;
                if !q.options.iter().any(|o| o == choice) {
                    return Err(DomainError::invalid(
                        field,
                        format!("'{choice}' is not one of the options"),
                    ));
                }
                out.push(Answer {
                    question: i,
                    rating: None,
                    choice: Some(choice.to_string()),
                    text: None,
                });
            }
            QuestionKind::Text => {
                let text = given
                    .and_then(|a| a.text.as_deref())
                    .map(str::trim)
                    .unwrap_or("");
                if text.chars().count() > MAX_TEXT_CHARS {
                    return Err(DomainError::invalid(
                        field,
                        format!("is longer than {MAX_TEXT_CHARS} characters"),
                    ));
                }
                if !text.is_empty() {
                    out.push(Answer {
                        question: i,
                        rating: None,
                        choice: None,
                        text: Some(text.to_string()),
                    });
                }
            }
        }
    }
    if let Some(extra) = answers.iter().find(|a| a.question >= questions.len()) {
        return Err(DomainError::invalid(
            format!("answers[{}]", extra.question),
            "the survey has no such question",
        ));
    }
    Ok(out)
}

/// Whose results to summarise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ReactionSubject {
    Session(i64),
    Instructor(i64),
    Program(i64),
}

/// The results of one question, over every survey in the summary that asked it
/// (questions are matched by kind and text).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    pub text: String,
    pub kind: QuestionKind,
    pub dimension: Option<Dimension>,
    pub answers: i64,
    /// Mean score of a rating question.
    pub mean: Option<f64>,
    /// Counts of scores 1..=5 (rating) or of each option (choice), in order.
    pub distribution: Vec<(String, i64)>,
}

/// The mean score of one dimension over every rating question measuring it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionResult {
    pub dimension: Dimension,
    pub answers: i64,
    pub mean: f64,
}

/// A free-text answer; the author only on surveys that are not anonymous.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comment {
    pub question: String,
    pub text: String,
    pub author: Option<String>,
}

/// Reaction results of a session, an instructor or a program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReactionSummary {
    pub subject: ReactionSubject,
    pub surveys: i64,
    /// Attendees of the surveyed sessions.
    pub invited: i64,
    pub responses: i64,
    /// responses / invited, 0..1; none without attendees.
    pub response_rate: Option<f64>,
    /// Mean of every rating answer.
    pub overall_mean: Option<f64>,
    pub dimensions: Vec<DimensionResult>,
    pub questions: Vec<QuestionResult>,
    pub comments: Vec<Comment>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Vec<Question> {
        vec![
            Question {
                text: "课程内容".into(),
                kind: QuestionKind::Rating,
                dimension: Some(Dimension::Content),
                options: vec![],
            },
            Question {
                text: "推荐吗".into(),
                kind: QuestionKind::Choice,
                dimension: None,
                options: vec!["会".into(), "不会".into()],
            },
            Question {
                text: "建议".into(),
                kind: QuestionKind::Text,
                dimension: None,
                options: vec![],
            },
        ]
    }

    fn rating(q: usize, r: i32) -> Answer {
        Answer {
            question: q,
            rating: Some(r),
            choice: None,
            text: None,
        }
    }

    #[test]
    fn answers_must_fit_the_questions() {
        let choice = Answer {
            question: 1,
            rating: None,
            choice: Some("会".into()),
            text: None,
        };
        let ok = validate_answers(&questions(), &[rating(0, 5), choice.clone()]).unwrap();
        assert_eq!(ok.len(), 2, "empty free text is left out");
        for (bad, field) in [
            (vec![rating(0, 6), choice.clone()], "answers[0]"),
            (vec![choice.clone()], "answers[0]"),
            (vec![rating(0, 3)], "answers[1]"),
            (
                vec![rating(0, 3), choice.clone(), rating(7, 1)],
                "answers[7]",
            ),
        ] {
            assert!(
                matches!(validate_answers(&questions(), &bad), Err(DomainError::Validation { field: f, .. }) if f == field),
                "{field}"
            );
        }
        let mut wrong = choice;
        wrong.choice = Some("也许".into());
        assert!(validate_answers(&questions(), &[rating(0, 3), wrong]).is_err());
    }

    #[test]
    fn templates_need_sound_questions() {
        let template = TemplateInput {
            code: "T1".into(),
            title: "反应评估".into(),
            questions: questions(),
            active: true,
        };
        assert!(template.validated().is_ok());
        let mut t = template.clone();
        t.questions[1].options = vec!["会".into(), "会".into()];
        assert!(
            matches!(t.validated(), Err(DomainError::Validation { field, .. }) if field == "questions[1].options")
        );
        let mut t = template;
        t.questions.clear();
        assert!(t.validated().is_err());
    }

    #[test]
    fn windows_default_to_the_session_and_a_week() {
        let start = time::macros::datetime!(2026-03-02 09:00 UTC);
        let end = start + time::Duration::hours(3);
        let input = AttachInput {
            template_code: "T".into(),
            anonymous: false,
            opens_at: None,
            closes_at: None,
        };
        let (o, c) = input.window(start, end).unwrap();
        assert_eq!(o, start);
        assert_eq!(c, end + time::Duration::days(7));
        let bad = AttachInput {
            closes_at: Some(start),
            ..input
        };
        assert!(bad.window(start, end).is_err());
    }
}
