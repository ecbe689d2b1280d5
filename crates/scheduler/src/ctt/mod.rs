//! ITC-2007 track 3 (curriculum-based course timetabling, CB-CTT): instance and
//! solution formats, the UD2 evaluator, and a simulated-annealing solver.
//!
//! Everything here is pure: text in, text out. Callers do the file I/O.

mod evaluate;
mod model;
mod parse;
pub(crate) mod rng;
mod solver;
mod state;

pub use evaluate::{Evaluation, HardViolations, SoftCosts, evaluate};
pub use model::{Course, CttError, Curriculum, Instance, Placement, Room, Unavailability};
pub use parse::{parse_instance, parse_solution, write_solution};
pub use solver::{Progress, SolveOptions, SolveOutcome, solve, solve_with_progress};

#[doc(hidden)]
pub use state::testing;
