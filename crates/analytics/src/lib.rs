//! Value proof statistics (价值验证): plain structs in, plain structs out, no I/O.
//!
//! The store aggregates KPI values in SQL into per-person window sums around an
//! anchor month; this crate matches trained people with comparable untrained ones
//! and estimates the effect with difference-in-differences ([`effect`]), turns an
//! effect into money ([`roi`]), and ranks instructors, vendors and courses by the
//! gains of their learners ([`efficiency`]).

pub mod effect;
pub mod efficiency;
pub mod roi;
mod stats;
