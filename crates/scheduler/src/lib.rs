//! Timetabling engine (see crate description).
//!
//! [`ctt`] reads, validates and solves ITC-2007 track 3 (curriculum-based course
//! timetabling) instances with the UD2 cost function.

pub mod ctt;
