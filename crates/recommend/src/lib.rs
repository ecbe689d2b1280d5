//! Recommender engine (see crate description).
//!
//! Pure: no I/O, no database, no clock. The caller passes the catalogue, everyone's
//! learning events and skill improvements, one person's profile (position, tags,
//! weighted gaps with their KPI chain, data scope) and the day it is as of.
//!
//! - [`Model::fit`] precomputes popularity (company-wide and per position), ratings,
//!   item-to-item co-occurrence, what same-position people used before their level of
//!   a skill rose, and indexes by skill level and business tag.
//! - [`Model::recommend`] ranks a few hundred candidates for one person (gap
//!   resources at the next level, peers' resources, neighbours of recent completions,
//!   position, tag and company favourites) by a weighted sum of [`ScoreParts`], picks
//!   `k` with a per-skill cap and a diversity penalty, and explains each with a
//!   structured [`Reason`] that [`render`] writes in Chinese or English.
//! - [`refresh_all`] ranks everyone on a few threads; [`path_for_gap`] and
//!   [`Model::path_for_gap`] order resources for one gap by level.
//! - [`eval`] has ranking metrics, the `Popularity` and `GapOnly` baselines and a
//!   time-split evaluation; [`sim`] generates a synthetic company to run it on.

pub mod eval;
mod model;
mod reason;
pub mod sim;
mod types;
mod weights;

pub use model::{Model, Recommendation, ScoreParts, Scratch, level_fit, path_for_gap, refresh_all};
pub use reason::{BusinessReason, GapReason, Lang, PeerReason, Reason, TagMatch, render};
pub use types::{
    Catalog, Comparator, Day, DuplicateResource, Event, EventKind, Gap, GapChain, Improvement,
    Interactions, KpiTarget, Label, PeopleMeta, PersonId, PersonMeta, PersonProfile, PositionId,
    Resource, ResourceId, ResourceKind, Scope, SkillId, SkillLevel, TagId,
};
pub use weights::{Limits, Weights};
