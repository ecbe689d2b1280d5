//! Solver: greedy construction, then simulated annealing over relocate/swap
//! moves with a weighted hard-constraint penalty and time-based geometric cooling.

use std::time::{Duration, Instant};

use super::evaluate::{Evaluation, evaluate};
use super::model::{Instance, Placement};
use super::rng::Rng;
use super::state::{NONE, Problem, State};

/// Solver settings. `Default` gives 60 s, seed 0 and the tuned annealing parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOptions {
    /// Wall-clock budget; the solver returns when it is used up.
    pub time_limit: Duration,
    /// Seed of the pseudo-random generator.
    pub seed: u64,
    /// Optional cap on annealing iterations. When set, the cooling schedule follows
    /// iterations instead of time, so a run that stops on this cap is reproducible.
    pub max_iterations: Option<u64>,
    /// Cost of one hard violation relative to one unit of UD2 soft cost.
    pub hard_weight: f64,
    /// Temperature at the start of annealing.
    pub initial_temperature: f64,
    /// Temperature at the end of the budget.
    pub final_temperature: f64,
}

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(60),
            seed: 0,
            max_iterations: None,
            hard_weight: 20.0,
            initial_temperature: 4.0,
            final_temperature: 0.1,
        }
    }
}

/// Snapshot passed to the progress callback (about every 1/20 of the budget and
/// at every new best feasible solution found after the first second).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Time since the solver started.
    pub elapsed: Duration,
    /// Annealing iterations so far.
    pub iterations: u64,
    /// Current temperature.
    pub temperature: f64,
    /// Best (hard violations, soft cost) found so far.
    pub best: (u64, u64),
}

/// Result of [`solve`].
#[derive(Debug, Clone, PartialEq)]
pub struct SolveOutcome {
    /// Best solution found (lexicographically: hard violations, then cost).
    pub placements: Vec<Placement>,
    /// Full evaluation of `placements`.
    pub evaluation: Evaluation,
    /// When the first solution without hard violations was reached, if ever.
    pub time_to_first_feasible: Option<Duration>,
    /// Annealing iterations performed (proposed moves, including rejected ones).
    pub iterations: u64,
    /// Total time spent.
    pub elapsed: Duration,
}

/// Solves a CB-CTT instance under the UD2 cost. Deterministic for a given seed
/// when stopped by `max_iterations`.
pub fn solve(instance: &Instance, options: &SolveOptions) -> SolveOutcome {
    solve_with_progress(instance, options, &mut |_| {})
}

/// [`solve`] with a callback reporting progress.
pub fn solve_with_progress(
    instance: &Instance,
    options: &SolveOptions,
    progress: &mut dyn FnMut(&Progress),
) -> SolveOutcome {
    let start = Instant::now();
    let problem = Problem::new(instance);
    let mut rng = Rng::new(options.seed);
    let mut state = State::empty(&problem);
    construct(&mut state, &mut rng);
    let mut best = state.clone();
    let mut first_feasible = (state.costs.hard() == 0).then(|| start.elapsed());
    let mut iterations = 0u64;

    if problem.lectures() > 0 && problem.rooms > 0 && problem.periods > 0 {
        iterations = anneal(
            &mut state,
            &mut best,
            &mut rng,
            options,
            start,
            &mut first_feasible,
            progress,
        );
    }

    let placements = best.placements();
    let evaluation = evaluate(instance, &placements);
    debug_assert_eq!(evaluation.hard_total() as i64, best.costs.hard());
    debug_assert_eq!(evaluation.soft_total() as i64, best.costs.soft());
    SolveOutcome {
        placements,
        evaluation,
        time_to_first_feasible: first_feasible,
        iterations,
        elapsed: start.elapsed(),
    }
}

fn key(state: &State<'_>) -> (i64, i64) {
    (state.costs.hard(), state.costs.soft())
}

/// Greedy construction: most constrained courses first; each lecture goes to the
/// empty cell with the smallest (hard, soft) increase, ties broken at random.
fn construct(state: &mut State<'_>, rng: &mut Rng) {
    let problem = state.problem;
    if problem.rooms == 0 || problem.periods == 0 {
        return;
    }
    let mut courses: Vec<usize> = (0..problem.courses).collect();
    let difficulty = |course: usize| {
        let available = (0..problem.periods)
            .filter(|&p| !problem.unavailable[course * problem.periods + p])
            .count()
            .max(1);
        let lectures = problem
            .lecture_course
            .iter()
            .filter(|&&c| c as usize == course)
            .count();
        // Fewer free periods per lecture and more conflicts make a course harder.
        (available as f64 / (lectures.max(1) as f64))
            / (1.0 + problem.neighbours[course].len() as f64)
    };
    let scores: Vec<f64> = courses.iter().map(|&c| difficulty(c)).collect();
    courses.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut first_lecture = vec![0u32; problem.courses + 1];
    for &course in &problem.lecture_course {
        first_lecture[course as usize + 1] += 1;
    }
    for course in 0..problem.courses {
        first_lecture[course + 1] += first_lecture[course];
    }
    for course in courses {
        for lecture in first_lecture[course]..first_lecture[course + 1] {
            let mut best: Option<((i64, i64), u32, u32)> = None;
            let mut ties = 0usize;
            for period in 0..problem.periods as u32 {
                if !state.course_free(course, period) {
                    continue;
                }
                for room in 0..problem.rooms as u32 {
                    if state.cell[period as usize * problem.rooms + room as usize] != NONE {
                        continue;
                    }
                    state.insert(lecture, period, room);
                    let candidate = key(state);
                    state.remove(lecture);
                    match best {
                        Some((score, ..)) if candidate > score => {}
                        Some((score, ..)) if candidate == score => {
                            ties += 1;
                            if rng.below(ties + 1) == 0 {
                                best = Some((candidate, period, room));
                            }
                        }
                        _ => {
                            ties = 0;
                            best = Some((candidate, period, room));
                        }
                    }
                }
            }
            if let Some((_, period, room)) = best {
                state.insert(lecture, period, room);
            }
        }
    }
}

/// Simulated annealing; returns the number of iterations.
fn anneal<'p>(
    state: &mut State<'p>,
    best: &mut State<'p>,
    rng: &mut Rng,
    options: &SolveOptions,
    start: Instant,
    first_feasible: &mut Option<Duration>,
    progress: &mut dyn FnMut(&Progress),
) -> u64 {
    const CHECK_EVERY: u64 = 1024;
    let weight = options.hard_weight;
    let initial = options.initial_temperature.max(1e-9);
    let ratio = (options.final_temperature.max(1e-9) / initial).ln();
    let limit_secs = options.time_limit.as_secs_f64().max(1e-9);
    let mut temperature = initial;
    let mut iterations = 0u64;
    let mut next_report = 0.0;
    loop {
        if iterations.is_multiple_of(CHECK_EVERY) {
            let elapsed = start.elapsed();
            let fraction = match options.max_iterations {
                Some(max) => {
                    if iterations >= max || elapsed >= options.time_limit {
                        break;
                    }
                    iterations as f64 / max.max(1) as f64
                }
                None => {
                    if elapsed >= options.time_limit {
                        break;
                    }
                    elapsed.as_secs_f64() / limit_secs
                }
            };
            temperature = initial * (ratio * fraction).exp();
            if fraction >= next_report {
                next_report = fraction + 0.05;
                let (hard, soft) = key(best);
                progress(&Progress {
                    elapsed,
                    iterations,
                    temperature,
                    best: (hard as u64, soft as u64),
                });
            }
        }
        iterations += 1;
        let Some(change) = state.propose(rng) else {
            continue;
        };
        let (hard_before, soft_before) = key(state);
        state.apply(change);
        let (hard_after, soft_after) = key(state);
        let delta = weight * (hard_after - hard_before) as f64 + (soft_after - soft_before) as f64;
        if delta <= 0.0 || rng.unit() < (-delta / temperature).exp() {
            if (hard_after, soft_after) < key(best) {
                best.copy_from(state);
                if hard_after == 0 && first_feasible.is_none() {
                    *first_feasible = Some(start.elapsed());
                }
            }
        } else {
            state.undo(change);
        }
    }
    iterations
}
