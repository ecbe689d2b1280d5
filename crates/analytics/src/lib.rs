//! Value proof statistics (价值验证): plain structs in, plain structs out, no I/O.
//!
//! The store aggregates KPI values in SQL into per-person window sums around an
//! anchor month; this crate matches trained people with comparable untrained ones
//! and estimates the effect with difference-in-differences ([`effect`]) and turns an
//! effect into money ([`roi`]). The resource efficiency index lives with the other
//! level 1–3 figures in `domain::evaluation`.

pub mod effect;
pub mod roi;
mod stats;
