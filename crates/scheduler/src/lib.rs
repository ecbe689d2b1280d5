//! Timetabling engine (see crate description).
//!
//! [`ctt`] reads, validates and solves ITC-2007 track 3 (curriculum-based course
//! timetabling) instances with the UD2 cost function. [`timetable`] is the
//! product's general model (multi-slot sessions, venues, instructors, cohorts,
//! pins) with solving and re-planning.

pub mod ctt;
pub mod timetable;
