//! The solver of the general model: greedy construction, then simulated annealing
//! over single-session moves and swaps of two sessions' slots, every move costed
//! incrementally by the [`Evaluator`].

use std::cmp::Reverse;
use std::time::{Duration, Instant};

use super::incremental::{Cost, Evaluator};
use super::{Assignment, Index, Plan, PlanOptions, Problem, Timetable};
use crate::ctt::rng::Rng;

/// How a search went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchStats {
    /// Moves tried by the annealing.
    pub iterations: u64,
    /// Time until the first timetable without hard violations (construction
    /// included); `None` when none was found.
    pub first_feasible: Option<Duration>,
    /// Time spent in total.
    pub elapsed: Duration,
}

/// Candidates scored per session during construction; larger domains are sampled.
const CONSTRUCTION_CANDIDATES: usize = 1024;
/// Share of moves (in percent) that swap the slots of two sessions.
const SWAP_PERCENT: usize = 20;
/// Moves between two refreshes of the list of sessions in conflict, per session
/// (a refresh scans every session, so it stays a small share of the work).
const CONFLICT_REFRESH_PER_SESSION: u64 = 4;

type Domain = (Vec<usize>, Vec<usize>, Vec<Option<usize>>);

pub(super) fn run(
    problem: &Problem,
    previous: Option<&Timetable>,
    pins: &[usize],
    options: &PlanOptions,
) -> (Plan, SearchStats) {
    let clock = Instant::now();
    let index = Index::new(problem, previous, pins);
    let count = problem.sessions.len();
    let mut stats = SearchStats::default();
    if count == 0 || problem.venues.is_empty() {
        let timetable = Timetable {
            assignments: Vec::new(),
        };
        let report = index.report(&timetable.assignments);
        stats.first_feasible = (report.hard() == 0).then(|| clock.elapsed());
        stats.elapsed = clock.elapsed();
        let plan = Plan {
            timetable,
            report,
            moved: Vec::new(),
        };
        return (plan, stats);
    }
    let mut rng = Rng::new(options.seed);
    let domains: Vec<Domain> = (0..count).map(|s| index.domain(s)).collect();
    let slots = problem.calendar.slots().max(1);
    let mut allowed_start = vec![false; count * slots];
    for (s, (starts, _, _)) in domains.iter().enumerate() {
        for &start in starts.iter().filter(|&&start| start < slots) {
            allowed_start[s * slots + start] = true;
        }
    }
    let movable: Vec<usize> = (0..count).filter(|&s| index.fixed[s].is_none()).collect();

    // Start: fixed sessions at their pins, previous assignments where usable, then
    // the others one by one at their cheapest place given those placed before.
    let known = |s: usize| {
        index.fixed[s].or_else(|| {
            previous
                .and_then(|p| p.assignments.get(s).copied())
                .filter(|a| a.venue < problem.venues.len())
        })
    };
    let known: Vec<Option<Assignment>> = (0..count).map(known).collect();
    let initial: Vec<Assignment> = (0..count)
        .map(|s| {
            known[s].unwrap_or(Assignment {
                start: domains[s].0[0],
                venue: domains[s].1[0],
                instructor: domains[s].2[0],
            })
        })
        .collect();
    let mut state = Evaluator::empty(index, initial);
    let mut unplaced = Vec::new();
    for (s, assignment) in known.iter().enumerate() {
        match assignment {
            Some(assignment) => state.insert(s, *assignment),
            None => unplaced.push(s),
        }
    }
    let options_of = |s: usize| domains[s].0.len() * domains[s].1.len() * domains[s].2.len();
    // Most constrained first: fewest options, then longest.
    unplaced.sort_by_key(|&s| (options_of(s), Reverse(problem.sessions[s].length), s));
    for &s in &unplaced {
        let (starts, venues, instructors) = &domains[s];
        let total = options_of(s);
        let candidate = |k: usize| Assignment {
            start: starts[k % starts.len()],
            venue: venues[k / starts.len() % venues.len()],
            instructor: instructors[k / (starts.len() * venues.len())],
        };
        let mut best: Option<((i64, i64), Assignment)> = None;
        for i in 0..total.min(CONSTRUCTION_CANDIDATES) {
            let k = if total <= CONSTRUCTION_CANDIDATES {
                i
            } else {
                rng.below(total)
            };
            let a = candidate(k);
            let change = state.move_cost(s, &a);
            let key = (change.hard, change.soft_total());
            if best.is_none_or(|(best, _)| key < best) {
                best = Some((key, a));
            }
        }
        if let Some((_, a)) = best {
            state.insert(s, a);
        }
    }

    let mut best_plan = state.plan().to_vec();
    let mut best = state.cost();
    let key = |cost: &Cost| (cost.hard, cost.soft_total());
    if best.hard == 0 {
        stats.first_feasible = Some(clock.elapsed());
    }

    // Temperature and hard weight from the size of soft changes of random moves,
    // so that the schedule fits whatever units the costs are in.
    let (mut sum, mut nonzero, mut largest) = (0.0, 0u32, 0.0f64);
    for _ in 0..if movable.is_empty() { 0 } else { 200 } {
        let s = movable[rng.below(movable.len())];
        let change = state.move_cost(s, &neighbour(&mut rng, &domains[s], state.plan()[s]));
        let size = change.soft_total().unsigned_abs() as f64;
        if size > 0.0 {
            sum += size;
            nonzero += 1;
            largest = largest.max(size);
        }
    }
    let initial_temperature = if nonzero > 0 {
        (sum / f64::from(nonzero)).max(1.0)
    } else {
        1.0
    };
    let final_temperature = (initial_temperature * 1e-3).max(0.05);
    let hard_weight = (10.0 * largest).max(1000.0);
    let weighted = |cost: &Cost| hard_weight * cost.hard as f64 + cost.soft_total() as f64;

    let mut temperature = initial_temperature;
    let mut conflicted: Vec<usize> = Vec::new();
    let refresh = (CONFLICT_REFRESH_PER_SESSION * count as u64).max(512);
    let mut iterations = 0u64;
    while !movable.is_empty() {
        if iterations.is_multiple_of(256) {
            let fraction = match options.max_iterations {
                Some(max) if iterations >= max => break,
                Some(max) => iterations as f64 / max.max(1) as f64,
                None => clock.elapsed().as_secs_f64() / options.time_limit.as_secs_f64().max(1e-9),
            };
            if fraction >= 1.0 || clock.elapsed() >= options.time_limit {
                break;
            }
            if best.hard == 0 && best.soft_total() == 0 {
                break; // nothing left to improve
            }
            temperature =
                initial_temperature * (final_temperature / initial_temperature).powf(fraction);
        }
        if iterations.is_multiple_of(refresh) {
            conflicted.clear();
            if state.cost().hard > 0 {
                conflicted.extend(movable.iter().filter(|&&s| state.session_hard(s) > 0));
            }
        }
        iterations += 1;
        // Half of the moves repair a session in conflict while there are any.
        let s = if !conflicted.is_empty() && rng.below(2) == 0 {
            conflicted[rng.below(conflicted.len())]
        } else {
            movable[rng.below(movable.len())]
        };
        let old = state.plan()[s];
        let accepted = if movable.len() >= 2 && rng.below(100) < SWAP_PERCENT {
            let t = movable[rng.below(movable.len())];
            let other = state.plan()[t];
            if t == s
                || old.start == other.start
                || old.start >= slots
                || other.start >= slots
                || !allowed_start[s * slots + other.start]
                || !allowed_start[t * slots + old.start]
            {
                continue;
            }
            let mut new_s = Assignment {
                start: other.start,
                ..old
            };
            let mut new_t = Assignment {
                start: old.start,
                ..other
            };
            if rng.below(2) == 0
                && domains[s].1.contains(&other.venue)
                && domains[t].1.contains(&old.venue)
            {
                (new_s.venue, new_t.venue) = (other.venue, old.venue);
            }
            // Apply the first half, cost the second against it, undo if rejected.
            let first = state.apply(s, new_s);
            let change = first.plus(&state.move_cost(t, &new_t));
            let accepted = accept(&mut rng, weighted(&change), temperature);
            if accepted {
                state.apply(t, new_t);
            } else {
                state.apply(s, old);
            }
            accepted
        } else {
            let new = neighbour(&mut rng, &domains[s], old);
            if new == old {
                continue;
            }
            let change = state.move_cost(s, &new);
            let accepted = accept(&mut rng, weighted(&change), temperature);
            if accepted {
                state.apply(s, new);
            }
            accepted
        };
        if accepted {
            let current = state.cost();
            if key(&current) < key(&best) {
                if current.hard == 0 && stats.first_feasible.is_none() {
                    stats.first_feasible = Some(clock.elapsed());
                }
                best = current;
                best_plan.copy_from_slice(state.plan());
            }
        }
    }
    stats.iterations = iterations;
    let report = state.index.report(&best_plan);
    debug_assert_eq!(
        (report.hard() as i64, report.soft as i64),
        (best.hard, best.soft_total())
    );
    let moved = match previous {
        Some(previous) => (0..count)
            .filter(|&s| previous.assignments.get(s) != Some(&best_plan[s]))
            .collect(),
        None => Vec::new(),
    };
    stats.elapsed = clock.elapsed();
    let plan = Plan {
        timetable: Timetable {
            assignments: best_plan,
        },
        report,
        moved,
    };
    (plan, stats)
}

/// Metropolis acceptance of a weighted cost change.
fn accept(rng: &mut Rng, delta: f64, temperature: f64) -> bool {
    delta <= 0.0 || rng.unit() < (-delta / temperature).exp()
}

/// A random change of one session's start, venue, instructor, or start and venue.
fn neighbour(rng: &mut Rng, domain: &Domain, old: Assignment) -> Assignment {
    let (starts, venues, instructors) = domain;
    let mut new = old;
    match rng.below(4) {
        0 => new.start = starts[rng.below(starts.len())],
        1 => new.venue = venues[rng.below(venues.len())],
        2 => new.instructor = instructors[rng.below(instructors.len())],
        _ => {
            new.start = starts[rng.below(starts.len())];
            new.venue = venues[rng.below(venues.len())];
        }
    }
    new
}
