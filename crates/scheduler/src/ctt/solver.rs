//! Solver: greedy construction, a min-conflicts repair walk until feasible, then
//! simulated annealing over relocate, swap and Kempe-chain moves (by default
//! restricted to feasible solutions) with geometric cooling over the budget.

use std::time::{Duration, Instant};

use super::evaluate::{Evaluation, evaluate};
use super::model::{Instance, Placement};
use super::rng::Rng;
use super::state::{KempeChain, NONE, Problem, State};

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
    /// Cost of one hard violation relative to one unit of UD2 soft cost during
    /// annealing; `f64::INFINITY` (the default) keeps annealing within feasible
    /// solutions once the repair phase has found one.
    pub hard_weight: f64,
    /// Share of annealing proposals that are Kempe-chain moves (the rest relocate or swap).
    pub kempe_rate: f64,
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
            hard_weight: f64::INFINITY,
            kempe_rate: 0.05,
            initial_temperature: 3.0,
            final_temperature: 0.05,
        }
    }
}

/// Snapshot passed to the progress callback, at the start of annealing and then
/// after every further 1/20 of the annealing budget.
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
    /// Search iterations performed (repair and annealing proposals, including rejected ones).
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
        let mut budget = Budget::new(options, start);
        if state.costs.hard() > 0 {
            repair(&mut state, &mut best, &mut rng, &mut budget);
            if best.costs.hard() == 0 {
                first_feasible = Some(start.elapsed());
            }
        }
        state.copy_from(&best);
        budget.start_phase();
        anneal(
            &mut state,
            &mut best,
            &mut rng,
            options,
            &mut budget,
            &mut first_feasible,
            progress,
        );
        iterations = budget.iterations;
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

/// Share of the budget the feasibility repair may use before annealing takes over.
const REPAIR_SHARE: f64 = 0.3;

/// Tracks time and iterations against the limits; `fraction` is the progress of
/// the current phase in `[0, 1]`, by iterations when a cap is set, else by time.
struct Budget {
    start: Instant,
    time_limit: Duration,
    max_iterations: Option<u64>,
    iterations: u64,
    phase_start_time: Duration,
    phase_start_iterations: u64,
}

impl Budget {
    fn new(options: &SolveOptions, start: Instant) -> Self {
        Self {
            start,
            time_limit: options.time_limit,
            max_iterations: options.max_iterations,
            iterations: 0,
            phase_start_time: Duration::ZERO,
            phase_start_iterations: 0,
        }
    }

    fn start_phase(&mut self) {
        self.phase_start_time = self.start.elapsed();
        self.phase_start_iterations = self.iterations;
    }

    /// Progress of the whole run, or `None` once a limit is reached.
    fn overall(&self) -> Option<f64> {
        let elapsed = self.start.elapsed();
        if elapsed >= self.time_limit {
            return None;
        }
        match self.max_iterations {
            Some(max) if self.iterations >= max => None,
            Some(max) => Some(self.iterations as f64 / max.max(1) as f64),
            None => Some(elapsed.as_secs_f64() / self.time_limit.as_secs_f64()),
        }
    }

    /// Progress of the current phase, or `None` once a limit is reached.
    fn phase(&self) -> Option<f64> {
        let elapsed = self.start.elapsed();
        if elapsed >= self.time_limit {
            return None;
        }
        match self.max_iterations {
            Some(max) if self.iterations >= max => None,
            Some(max) => {
                let span = max.saturating_sub(self.phase_start_iterations).max(1);
                Some((self.iterations - self.phase_start_iterations) as f64 / span as f64)
            }
            None => {
                let span = (self.time_limit - self.phase_start_time)
                    .as_secs_f64()
                    .max(1e-9);
                Some((elapsed - self.phase_start_time).as_secs_f64() / span)
            }
        }
    }
}

/// Feasibility repair: a min-conflicts walk on the hard cost only. A lecture in
/// violation moves to a random cell; moves that do not increase the hard cost are
/// kept (so the walk crosses plateaus), worse ones rarely. Stops when feasible
/// or after [`REPAIR_SHARE`] of the budget; `best` holds the best state seen.
fn repair<'p>(state: &mut State<'p>, best: &mut State<'p>, rng: &mut Rng, budget: &mut Budget) {
    const CHECK_EVERY: u64 = 1024;
    const NOISE_TEMPERATURE: f64 = 0.3;
    const SAMPLES: usize = 64;
    let problem = state.problem;
    loop {
        if budget.iterations.is_multiple_of(CHECK_EVERY)
            && budget.overall().is_none_or(|f| f >= REPAIR_SHARE)
        {
            return;
        }
        budget.iterations += 1;
        let mut lecture = rng.below(problem.lectures()) as u32;
        for _ in 0..SAMPLES {
            if state.is_violating(lecture) {
                break;
            }
            lecture = rng.below(problem.lectures()) as u32;
        }
        let period = rng.below(problem.periods) as u32;
        let room = rng.below(problem.rooms) as u32;
        let Some(change) = state.move_to(lecture, period, room) else {
            continue;
        };
        let before = state.costs.hard();
        state.apply(change);
        let delta = state.costs.hard() - before;
        if delta <= 0 || rng.unit() < (-(delta as f64) / NOISE_TEMPERATURE).exp() {
            if key(state) < key(best) {
                best.copy_from(state);
                if state.costs.hard() == 0 {
                    return;
                }
            }
        } else {
            state.undo(change);
        }
    }
}

/// Simulated annealing with geometric cooling over the rest of the budget.
fn anneal<'p>(
    state: &mut State<'p>,
    best: &mut State<'p>,
    rng: &mut Rng,
    options: &SolveOptions,
    budget: &mut Budget,
    first_feasible: &mut Option<Duration>,
    progress: &mut dyn FnMut(&Progress),
) {
    const CHECK_EVERY: u64 = 1024;
    let weight = options.hard_weight;
    let initial = options.initial_temperature.max(1e-9);
    let ratio = (options.final_temperature.max(1e-9) / initial).ln();
    let mut temperature = initial;
    let mut next_report = 0.0;
    let problem = state.problem;
    let mut chain = KempeChain::default();
    loop {
        if budget.iterations.is_multiple_of(CHECK_EVERY) {
            let Some(fraction) = budget.phase() else {
                break;
            };
            temperature = initial * (ratio * fraction).exp();
            if fraction >= next_report {
                next_report = fraction + 0.05;
                let (hard, soft) = key(best);
                progress(&Progress {
                    elapsed: budget.start.elapsed(),
                    iterations: budget.iterations,
                    temperature,
                    best: (hard as u64, soft as u64),
                });
            }
        }
        budget.iterations += 1;
        let hard_before = state.costs.hard();
        let soft_before = state.costs.soft();
        let kempe = options.kempe_rate > 0.0 && rng.unit() < options.kempe_rate;
        let mut simple = None;
        if kempe {
            let lecture = rng.below(problem.lectures()) as u32;
            let target = rng.below(problem.periods) as u32;
            if !state.apply_kempe(lecture, target, &mut chain) {
                continue;
            }
        } else {
            let Some(change) = state.propose(rng) else {
                continue;
            };
            // Cheap pre-check: in feasible-only mode skip moves that add hard cost.
            if weight.is_infinite() && state.hard_delta(change) > 0 {
                continue;
            }
            state.apply(change);
            simple = Some(change);
        }
        let (hard_after, soft_after) = key(state);
        if accepts(
            weight,
            hard_after - hard_before,
            soft_after - soft_before,
            temperature,
            rng,
        ) {
            if (hard_after, soft_after) < key(best) {
                best.copy_from(state);
                if hard_after == 0 && first_feasible.is_none() {
                    *first_feasible = Some(budget.start.elapsed());
                }
            }
        } else if let Some(change) = simple {
            state.undo(change);
        } else {
            state.undo_kempe(&chain);
        }
    }
}

/// Metropolis acceptance of a change with weighted hard and soft deltas.
fn accepts(weight: f64, hard_delta: i64, soft_delta: i64, temperature: f64, rng: &mut Rng) -> bool {
    if hard_delta > 0 && weight.is_infinite() {
        return false;
    }
    let hard_term = if hard_delta == 0 {
        0.0
    } else {
        weight * hard_delta as f64
    };
    let delta = hard_term + soft_delta as f64;
    delta <= 0.0 || rng.unit() < (-delta / temperature).exp()
}
