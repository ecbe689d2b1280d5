//! Tunable weights and limits, with the defaults the product ships.

use crate::types::Day;

/// How the parts of a score are combined, how fast the past fades, and how much
/// diversity is enforced. Every part is on a 0..1 scale (feedback on -1..1), so a
/// weight reads as "how much one full unit of this signal is worth".
///
/// The score weights were set by a coarse sweep of the time-split evaluation on
/// simulated companies (seeds 1 and 2, 5,000 people; the tests use other seeds).
/// Re-run [`crate::eval::evaluate_split`] on the real history before trusting them.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// Weighted skill gaps × level fit of the resource. Default 1.0: closing a
    /// KPI-linked gap is the product's reason to exist.
    pub gap: f32,
    /// Suitable for the person's position and sharing business tags with their
    /// duty and project tags. Default 0.1: a tag is shared by many resources, so
    /// this is a coarse prior (and what ranks resources for a person with no gaps
    /// and no history).
    pub business: f32,
    /// People in the same position whose assessed level of one of this person's
    /// gap skills went up after completing the resource, at this person's next
    /// level. Default 0.25. The time-split evaluation scores predicted completions,
    /// not improvements, and does not reward this part (NDCG@10 rises slightly
    /// without it); it is kept, small, because it steers towards resources after
    /// which people in the position did improve, and it is the reason people trust.
    pub peers: f32,
    /// Item-to-item co-occurrence with the person's recent completions. Default 0.4.
    pub co_occurrence: f32,
    /// Ratings (smoothed mean, -1..1). Default 0.1.
    pub feedback: f32,
    /// Time-decayed views and completions, globally and within the position. Default 0.6.
    pub popularity: f32,
    /// Recently published. Default 0.1.
    pub freshness: f32,
    /// Share of the popularity part taken from the person's position (the rest is
    /// company-wide). Default 0.7.
    pub position_popularity_share: f32,
    /// An interaction loses half its weight every this many days. Default 120.
    pub half_life_days: f32,
    /// Freshness halves every this many days after publication. Default 45.
    pub freshness_half_life_days: f32,
    /// An improvement counts for a completion if it came within this many days
    /// after it. Default 180.
    pub peer_window_days: i32,
    /// Subtracted from a candidate's score for each already chosen item of the
    /// same skill (maximal-marginal-relevance style). Default 0.15.
    pub diversity: f32,
    /// At most this many recommendations whose main skill is the same. Default 3.
    pub max_per_skill: usize,
    pub limits: Limits,
}

/// Candidate generation and model sizes: how much of each source is looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Resources taken per (gap skill, level) from the skill index. Default 40.
    pub per_gap_level: usize,
    /// Resources kept per (position, skill) in the peers index. Default 30.
    pub peers_per_skill: usize,
    /// Neighbours kept per resource in the co-occurrence index. Default 20.
    pub neighbours: usize,
    /// Recent completions whose neighbours become candidates. Default 10.
    pub recent_completions: usize,
    /// Completions on either side of one in a person's history that count as
    /// co-occurring with it. Default 5.
    pub co_window: usize,
    /// Most popular resources kept per position. Default 50.
    pub position_top: usize,
    /// Most popular resources kept per business tag. Default 20.
    pub tag_top: usize,
    /// Most popular resources company-wide. Default 50.
    pub global_top: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_gap_level: 40,
            peers_per_skill: 30,
            neighbours: 20,
            recent_completions: 10,
            co_window: 5,
            position_top: 50,
            tag_top: 20,
            global_top: 50,
        }
    }
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            gap: 1.0,
            business: 0.1,
            peers: 0.25,
            co_occurrence: 0.4,
            feedback: 0.1,
            popularity: 0.6,
            freshness: 0.1,
            position_popularity_share: 0.7,
            half_life_days: 120.0,
            freshness_half_life_days: 45.0,
            peer_window_days: 180,
            diversity: 0.15,
            max_per_skill: 3,
            limits: Limits::default(),
        }
    }
}

impl Weights {
    /// Company-wide popularity only (the `Popularity` baseline).
    pub fn popularity_only() -> Self {
        Weights {
            gap: 0.0,
            business: 0.0,
            peers: 0.0,
            co_occurrence: 0.0,
            feedback: 0.0,
            popularity: 1.0,
            freshness: 0.0,
            position_popularity_share: 0.0,
            diversity: 0.0,
            max_per_skill: usize::MAX,
            ..Weights::default()
        }
    }

    /// Gap fit only, ties broken by company-wide popularity (the `GapOnly` baseline:
    /// a rule that pushes resources for a person's gaps).
    pub fn gap_only() -> Self {
        Weights {
            gap: 1.0,
            business: 0.0,
            peers: 0.0,
            co_occurrence: 0.0,
            feedback: 0.0,
            popularity: 1e-3,
            freshness: 0.0,
            position_popularity_share: 0.0,
            diversity: 0.0,
            limits: Limits {
                global_top: 0,
                ..Limits::default()
            },
            ..Weights::default()
        }
    }

    /// Weight of an interaction `age` days old.
    pub(crate) fn decay(&self, age: Day) -> f32 {
        half_life(age, self.half_life_days)
    }

    pub(crate) fn freshness_of(&self, age: Day) -> f32 {
        half_life(age, self.freshness_half_life_days)
    }
}

fn half_life(age: Day, half_life_days: f32) -> f32 {
    if half_life_days <= 0.0 {
        return 1.0;
    }
    (-(age.max(0) as f32) * std::f32::consts::LN_2 / half_life_days).exp()
}
