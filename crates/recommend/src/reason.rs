//! Structured reasons attached to a recommendation, and their text in Chinese or
//! English.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::types::{Comparator, GapChain, ResourceKind};

/// The gap a resource serves: the decoding chain, the person's levels and the
/// level at which the resource covers the skill.
#[derive(Clone, Debug, PartialEq)]
pub struct GapReason {
    pub chain: Arc<GapChain>,
    pub required: u8,
    pub current: u8,
    pub covered_level: u8,
    pub kind: ResourceKind,
}

/// People in the same position whose level of a gap skill rose after this resource.
#[derive(Clone, Debug, PartialEq)]
pub struct PeerReason {
    pub people: u32,
    /// The gap (skill) they improved.
    pub chain: Arc<GapChain>,
}

/// What of the person's business the resource serves.
#[derive(Clone, Debug, PartialEq)]
pub struct BusinessReason {
    /// The person's position, when the resource is marked suitable for it.
    pub position: Option<Arc<str>>,
    /// A matching project tag (preferred) or duty tag.
    pub tag: Option<TagMatch>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TagMatch {
    Project(Arc<str>),
    Duty(Arc<str>),
}

/// Why a resource is recommended. Each part is present only when its signal is
/// strong enough to be worth telling.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reason {
    pub gap: Option<GapReason>,
    pub peers: Option<PeerReason>,
    pub business: Option<BusinessReason>,
    /// Title of a resource the person completed that people often take with this one.
    pub also_taken_with: Option<Arc<str>>,
    pub popular_in_position: bool,
    pub new: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// The reason as one line of text in `lang`. Names (departments, KPIs, tasks,
/// skills, tags, titles) are the caller's data and are written as given.
///
/// Chinese: `客服部 客户投诉率目标 ≤ 2%(当前 3.1%)→ 岗位任务 问题解决 → 技能 异议处理(要求 3 级,你 1 级)→ 本微课覆盖 异议处理 2 级;同岗位 12 人学后该技能提升`
pub fn render(reason: &Reason, lang: Lang) -> String {
    let mut clauses: Vec<String> = Vec::new();
    if let Some(gap) = &reason.gap {
        clauses.push(gap_chain(gap, lang));
    }
    if let Some(peers) = &reason.peers {
        let same_skill = reason
            .gap
            .as_ref()
            .is_some_and(|g| g.chain.skill_name == peers.chain.skill_name);
        clauses.push(peer_clause(peers, same_skill, lang));
    }
    if let Some(business) = &reason.business {
        if let Some(position) = &business.position {
            clauses.push(match lang {
                Lang::Zh => format!("适合岗位 {position}"),
                Lang::En => format!("suited to the position {position}"),
            });
        }
        match (&business.tag, lang) {
            (Some(TagMatch::Project(t)), Lang::Zh) => clauses.push(format!("与你的项目 {t} 相关")),
            (Some(TagMatch::Project(t)), Lang::En) => {
                clauses.push(format!("relevant to your project {t}"))
            }
            (Some(TagMatch::Duty(t)), Lang::Zh) => clauses.push(format!("与你的职责 {t} 相关")),
            (Some(TagMatch::Duty(t)), Lang::En) => {
                clauses.push(format!("relevant to your duty {t}"))
            }
            (None, _) => {}
        }
    }
    if let Some(title) = &reason.also_taken_with {
        clauses.push(match lang {
            Lang::Zh => format!("学过《{title}》的人也学了它"),
            Lang::En => format!("people who took “{title}” also took this"),
        });
    }
    if reason.popular_in_position {
        clauses.push(match lang {
            Lang::Zh => "同岗位热门".to_owned(),
            Lang::En => "popular in your position".to_owned(),
        });
    }
    if reason.new {
        clauses.push(match lang {
            Lang::Zh => "新上架".to_owned(),
            Lang::En => "newly published".to_owned(),
        });
    }
    clauses.join(match lang {
        Lang::Zh => ";",
        Lang::En => "; ",
    })
}

fn gap_chain(gap: &GapReason, lang: Lang) -> String {
    let chain = &gap.chain;
    let skill = &chain.skill_name;
    let mut steps: Vec<String> = Vec::new();
    if let Some(kpi) = &chain.kpi {
        let cmp = match kpi.comparator {
            Comparator::AtMost => "≤",
            Comparator::AtLeast => "≥",
        };
        let (target, current, unit) = (number(kpi.target), number(kpi.current), &kpi.unit);
        steps.push(match lang {
            Lang::Zh => format!(
                "{} {}目标 {cmp} {target}{unit}(当前 {current}{unit})",
                kpi.department, kpi.kpi
            ),
            Lang::En => format!(
                "{}: {} target {cmp} {target}{unit} (now {current}{unit})",
                kpi.department, kpi.kpi
            ),
        });
    }
    if let Some(task) = &chain.task {
        steps.push(match lang {
            Lang::Zh => format!("岗位任务 {task}"),
            Lang::En => format!("position task {task}"),
        });
    }
    steps.push(match lang {
        Lang::Zh => format!(
            "技能 {skill}(要求 {} 级,你 {} 级)",
            gap.required, gap.current
        ),
        Lang::En => format!(
            "skill {skill} (level {} required, yours {})",
            gap.required, gap.current
        ),
    });
    steps.push(match lang {
        Lang::Zh => format!(
            "本{}覆盖 {skill} {} 级",
            kind_zh(gap.kind),
            gap.covered_level
        ),
        Lang::En => format!(
            "this {} covers {skill} at level {}",
            kind_en(gap.kind),
            gap.covered_level
        ),
    });
    let mut out = String::new();
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            // In Chinese a closing parenthesis already separates; otherwise a space
            // before the arrow.
            if lang == Lang::En || !out.ends_with(')') {
                out.push(' ');
            }
            out.push_str("→ ");
        }
        out.push_str(step);
    }
    out
}

fn peer_clause(peers: &PeerReason, same_skill: bool, lang: Lang) -> String {
    let n = peers.people;
    match (lang, same_skill) {
        (Lang::Zh, true) => format!("同岗位 {n} 人学后该技能提升"),
        (Lang::Zh, false) => format!("同岗位 {n} 人学后 {} 提升", peers.chain.skill_name),
        (Lang::En, same) => {
            let who = if n == 1 {
                "1 person".to_owned()
            } else {
                format!("{n} people")
            };
            let what = if same {
                "this skill".to_owned()
            } else {
                peers.chain.skill_name.clone()
            };
            format!("{who} in the same position improved {what} after it")
        }
    }
}

fn kind_zh(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Course => "课程",
        ResourceKind::MicroCourse => "微课",
        ResourceKind::Document => "文档",
        ResourceKind::Video => "视频",
        ResourceKind::Tool => "工具",
        ResourceKind::Case => "案例",
        ResourceKind::Exam => "考试",
    }
}

fn kind_en(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Course => "course",
        ResourceKind::MicroCourse => "micro-course",
        ResourceKind::Document => "document",
        ResourceKind::Video => "video",
        ResourceKind::Tool => "tool",
        ResourceKind::Case => "case",
        ResourceKind::Exam => "exam",
    }
}

/// A KPI figure without trailing zeros: 2 → "2", 3.10 → "3.1", 0.125 → "0.13".
fn number(x: f64) -> String {
    let mut s = String::new();
    let _ = write!(s, "{x:.2}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" { "0".to_owned() } else { s }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(2.0), "2");
        assert_eq!(number(3.1), "3.1");
        assert_eq!(number(95.25), "95.25");
        assert_eq!(number(-0.001), "0");
        assert_eq!(number(1200.0), "1200");
    }
}
