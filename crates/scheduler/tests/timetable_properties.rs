//! Tests of the general timetabling model: every constraint on tiny problems, and
//! seeded property tests of solving and re-planning.

use std::time::Duration;

use scheduler::timetable::{
    Assignment, Calendar, Change, Cohort, ConflictKind, Instructor, PlanOptions, Problem, Session,
    Timetable, Venue, Weights, conflicts, evaluate, replan, solve,
};

fn options(seed: u64, iterations: u64) -> PlanOptions {
    PlanOptions {
        time_limit: Duration::from_secs(3600),
        max_iterations: Some(iterations),
        seed,
    }
}

/// Two days of four slots, a lecture hall and a lab, two instructors, two cohorts.
fn tiny() -> Problem {
    let session =
        |id: &str, length, kind: &str, cohorts: Vec<usize>, candidates: Vec<usize>| Session {
            id: id.into(),
            length,
            venue_kind: kind.into(),
            learners: 20,
            cohorts,
            candidate_instructors: candidates,
            ..Session::default()
        };
    Problem {
        calendar: Calendar {
            days: 2,
            slots_per_day: 4,
        },
        sessions: vec![
            session("intro", 2, "hall", vec![0], vec![0]),
            session("lab", 1, "lab", vec![0], vec![1]),
            session("talk", 1, "hall", vec![1], vec![0, 1]),
        ],
        venues: vec![
            Venue {
                id: "hall".into(),
                kind: "hall".into(),
                capacity: 30,
                ..Venue::default()
            },
            Venue {
                id: "lab".into(),
                kind: "lab".into(),
                capacity: 25,
                ..Venue::default()
            },
        ],
        instructors: vec![
            Instructor {
                id: "ann".into(),
                ..Instructor::default()
            },
            Instructor {
                id: "bob".into(),
                ..Instructor::default()
            },
        ],
        cohorts: vec![
            Cohort {
                id: "a".into(),
                blocked: vec![],
            },
            Cohort {
                id: "b".into(),
                blocked: vec![],
            },
        ],
        groups: Vec::new(),
        weights: Weights::default(),
    }
}

fn at(start: usize, venue: usize, instructor: Option<usize>) -> Assignment {
    Assignment {
        start,
        venue,
        instructor,
    }
}

fn clean() -> Timetable {
    Timetable {
        assignments: vec![at(0, 0, Some(0)), at(2, 1, Some(1)), at(4, 0, Some(1))],
    }
}

#[test]
fn clean_plan_has_no_violation() {
    let report = evaluate(&tiny(), &clean(), None, &[]);
    assert_eq!(report.hard(), 0, "{report:?}");
    assert_eq!(report.soft, 0);
}

#[test]
fn each_hard_constraint_is_counted() {
    let problem = tiny();
    let mut plan = clean();
    plan.assignments[1] = at(1, 1, Some(1)); // lab overlaps intro in cohort a
    assert_eq!(evaluate(&problem, &plan, None, &[]).overlaps, 1);
    let mut plan = clean();
    plan.assignments[2] = at(0, 0, Some(0)); // same hall and instructor as intro
    assert_eq!(evaluate(&problem, &plan, None, &[]).overlaps, 2);
    let mut plan = clean();
    plan.assignments[0] = at(3, 0, Some(0)); // two slots from the last slot of day 0
    assert_eq!(evaluate(&problem, &plan, None, &[]).unsuitable, 1);
    let mut plan = clean();
    plan.assignments[1] = at(2, 0, Some(1)); // lab session in the hall
    assert_eq!(evaluate(&problem, &plan, None, &[]).unsuitable, 1);
    let mut plan = clean();
    plan.assignments[1] = at(2, 1, Some(0)); // ann may not teach the lab
    assert_eq!(evaluate(&problem, &plan, None, &[]).unsuitable, 1);

    let mut blocked = tiny();
    blocked.cohorts[0].blocked = vec![1];
    blocked.instructors[0].unavailable = vec![0];
    blocked.venues[0].unavailable = vec![1];
    assert_eq!(evaluate(&blocked, &clean(), None, &[]).unavailability, 3);

    let mut strict = tiny();
    strict.sessions[1].learners = 40;
    assert_eq!(evaluate(&strict, &clean(), None, &[]).soft, 15);
    strict.sessions[1].strict_capacity = true;
    let report = evaluate(&strict, &clean(), None, &[]);
    assert_eq!((report.unsuitable, report.soft), (1, 0));

    let mut ordered = tiny();
    ordered.sessions[0].predecessors = vec![1]; // lab must end before intro starts
    assert_eq!(evaluate(&ordered, &clean(), None, &[]).precedence, 1);

    let mut pinned = tiny();
    pinned.sessions[2].pinned = Some(at(5, 0, Some(1)));
    assert_eq!(evaluate(&pinned, &clean(), None, &[]).pins, 1);
}

#[test]
fn soft_costs_are_weighted() {
    let mut problem = tiny();
    problem.venues[0].cost_per_slot = 3; // intro 2 slots + talk 1 slot in the hall
    problem.instructors[1].hourly_cost = 10; // lab + talk
    problem.instructors[0].preferred = vec![4, 5]; // intro at 0-1 is outside
    problem.weights = Weights {
        venue_cost: 1,
        instructor_cost: 2,
        unpreferred_slot: 5,
        ..Weights::default()
    };
    let report = evaluate(&problem, &clean(), None, &[]);
    assert_eq!(report.soft, 9 + 40 + 10);
    let mut moved = clean();
    moved.assignments[2] = at(5, 0, Some(1));
    let report = evaluate(&tiny(), &moved, Some(&clean()), &[]);
    assert_eq!(report.soft, Weights::default().moved_session);
    assert_eq!(evaluate(&tiny(), &moved, Some(&clean()), &[2]).pins, 1);
}

/// SplitMix64 for the generators.
struct TestRng(u64);

impl TestRng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn range(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low + 1) as u64) as usize
    }
}

/// A random problem built around a hidden plan without hard violations: each
/// session is placed first, then cohorts and instructors are only shared by
/// sessions that never overlap, and unavailability avoids used slots.
fn problem_with_hidden_plan(seed: u64) -> (Problem, Timetable) {
    let mut rng = TestRng(seed);
    let calendar = Calendar {
        days: rng.range(2, 4),
        slots_per_day: rng.range(3, 6),
    };
    let slots = calendar.slots();
    let venue_count = rng.range(1, 3);
    let venues: Vec<Venue> = (0..venue_count)
        .map(|v| Venue {
            id: format!("v{v}"),
            kind: if v % 2 == 0 {
                "room".into()
            } else {
                "lab".into()
            },
            capacity: rng.range(10, 40),
            cost_per_slot: rng.range(0, 3) as u64,
            ..Venue::default()
        })
        .collect();
    let mut busy = vec![false; venue_count * slots];
    let mut sessions = Vec::new();
    let mut hidden = Vec::new();
    for s in 0..rng.range(2, 9) {
        let length = rng.range(1, 2.min(calendar.slots_per_day));
        for _ in 0..20 {
            let day = rng.range(0, calendar.days - 1);
            let start =
                day * calendar.slots_per_day + rng.range(0, calendar.slots_per_day - length);
            let venue = rng.range(0, venue_count - 1);
            if (start..start + length).any(|slot| busy[venue * slots + slot]) {
                continue;
            }
            (start..start + length).for_each(|slot| busy[venue * slots + slot] = true);
            sessions.push(Session {
                id: format!("s{s}"),
                length,
                venue_kind: venues[venue].kind.clone(),
                learners: rng.range(5, 40),
                strict_capacity: false,
                ..Session::default()
            });
            hidden.push(at(start, venue, None));
            break;
        }
    }
    let count = sessions.len();
    let overlaps = |a: usize, b: usize| {
        let (x, y) = (&hidden[a], &hidden[b]);
        x.start < y.start + sessions[b].length && y.start < x.start + sessions[a].length
    };
    let overlap_matrix: Vec<bool> = (0..count * count)
        .map(|i| i / count != i % count && overlaps(i / count, i % count))
        .collect();
    let compatible =
        |group: &[usize], s: usize| group.iter().all(|&t| !overlap_matrix[t * count + s]);
    let mut cohorts = Vec::new();
    for c in 0..rng.range(1, 3) {
        let mut members: Vec<usize> = Vec::new();
        for s in 0..count {
            if rng.range(0, 1) == 0 && compatible(&members, s) {
                members.push(s);
            }
        }
        for &s in &members {
            sessions[s].cohorts.push(c);
        }
        cohorts.push(Cohort {
            id: format!("c{c}"),
            blocked: Vec::new(),
        });
    }
    let instructor_count = rng.range(1, 3);
    let mut taught: Vec<Vec<usize>> = vec![Vec::new(); instructor_count];
    for s in 0..count {
        let instructor = rng.range(0, instructor_count - 1);
        if compatible(&taught[instructor], s) {
            taught[instructor].push(s);
            sessions[s].candidate_instructors.push(instructor);
            hidden[s].instructor = Some(instructor);
            // A second candidate widens the search space.
            let other = rng.range(0, instructor_count - 1);
            if other != instructor {
                sessions[s].candidate_instructors.push(other);
            }
        }
    }
    let mut instructors: Vec<Instructor> = (0..instructor_count)
        .map(|i| Instructor {
            id: format!("i{i}"),
            hourly_cost: rng.range(0, 5) as u64,
            ..Instructor::default()
        })
        .collect();
    for (i, instructor) in instructors.iter_mut().enumerate() {
        for slot in 0..slots {
            let used = taught[i]
                .iter()
                .any(|&s| (hidden[s].start..hidden[s].start + sessions[s].length).contains(&slot));
            if !used && rng.range(0, 4) == 0 {
                instructor.unavailable.push(slot);
            }
        }
    }
    // A precedence that the hidden plan satisfies.
    if count >= 2 {
        let (a, b) = (rng.range(0, count - 1), rng.range(0, count - 1));
        if hidden[a].start + sessions[a].length <= hidden[b].start {
            sessions[b].predecessors.push(a);
        }
    }
    let problem = Problem {
        calendar,
        sessions,
        venues,
        instructors,
        cohorts,
        groups: Vec::new(),
        weights: Weights::default(),
    };
    (
        problem,
        Timetable {
            assignments: hidden,
        },
    )
}

#[test]
fn hidden_plans_are_feasible_and_the_solver_finds_feasible_plans() {
    for seed in 0..25 {
        let (problem, hidden) = problem_with_hidden_plan(seed);
        assert_eq!(
            evaluate(&problem, &hidden, None, &[]).hard(),
            0,
            "seed {seed}"
        );
        let plan = solve(&problem, &options(seed, 30_000));
        assert_eq!(plan.report.hard(), 0, "seed {seed}: {:?}", plan.report);
        assert_eq!(plan.report, evaluate(&problem, &plan.timetable, None, &[]));
    }
}

#[test]
fn replanning_never_moves_pinned_sessions() {
    for seed in 0..25 {
        let (problem, _) = problem_with_hidden_plan(seed);
        let first = solve(&problem, &options(seed, 20_000));
        let count = problem.sessions.len();
        let mut rng = TestRng(seed ^ 0xABCD);
        let pins: Vec<usize> = (0..count).filter(|_| rng.range(0, 2) == 0).collect();
        // Make the first session's instructor unavailable where it is placed.
        let assignment = first.timetable.assignments[0];
        let changes = match assignment.instructor {
            Some(instructor) => vec![Change::InstructorUnavailable {
                instructor,
                slots: (assignment.start..assignment.start + problem.sessions[0].length).collect(),
            }],
            None => vec![Change::CohortBlocked {
                cohort: 0,
                slots: vec![assignment.start],
            }],
        };
        let (changed, plan) = replan(
            &problem,
            &first.timetable,
            &changes,
            &pins,
            &options(seed, 20_000),
        );
        for &pin in &pins {
            assert_eq!(
                plan.timetable.assignments[pin], first.timetable.assignments[pin],
                "seed {seed} pin {pin}"
            );
            assert!(!plan.moved.contains(&pin));
        }
        let expected: Vec<usize> = (0..count)
            .filter(|&s| plan.timetable.assignments[s] != first.timetable.assignments[s])
            .collect();
        assert_eq!(plan.moved, expected, "seed {seed}");
        assert_eq!(
            plan.report,
            evaluate(&changed, &plan.timetable, Some(&first.timetable), &pins)
        );
    }
}

#[test]
fn replanning_moves_only_what_the_change_forces() {
    let problem = tiny();
    let previous = clean();
    // Bob becomes unavailable at slot 2, where he teaches the lab.
    let changes = [Change::InstructorUnavailable {
        instructor: 1,
        slots: vec![2],
    }];
    let (_, plan) = replan(&problem, &previous, &changes, &[], &options(1, 20_000));
    assert_eq!(plan.report.hard(), 0);
    assert_eq!(plan.moved, vec![1]);
}

#[test]
fn same_seed_same_plan() {
    let (problem, _) = problem_with_hidden_plan(3);
    assert_eq!(
        solve(&problem, &options(9, 5_000)),
        solve(&problem, &options(9, 5_000))
    );
}

#[test]
fn conflicts_name_the_kind_and_say_when_they_are_unavoidable() {
    let mut problem = tiny();
    // Every slot of the lab is closed: the lab session cannot be placed cleanly.
    problem.venues[1].unavailable = (0..problem.calendar.slots()).collect();
    let timetable = Timetable {
        assignments: vec![at(0, 0, Some(0)), at(0, 1, Some(1)), at(1, 0, Some(0))],
    };
    let found = conflicts(&problem, &timetable, None, &[]);
    let kinds: Vec<_> = found
        .iter()
        .map(|c| (c.kind, c.sessions.clone(), c.unavoidable))
        .collect();
    assert!(
        kinds.contains(&(ConflictKind::VenueUnavailable, vec![1], true)),
        "{kinds:?}"
    );
    // intro (0..2) and lab (slot 0) share cohort 0; intro and talk share instructor 0 and the hall.
    assert!(
        kinds.contains(&(ConflictKind::CohortOverlap, vec![0, 1], false)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(ConflictKind::InstructorOverlap, vec![0, 2], false)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(ConflictKind::VenueOverlap, vec![0, 2], false)),
        "{kinds:?}"
    );
    let report = evaluate(&problem, &timetable, None, &[]);
    let hard: u64 = report
        .lines()
        .iter()
        .filter(|l| l.hard)
        .map(|l| l.cost)
        .sum();
    assert_eq!(hard, report.hard());
    let soft: u64 = report
        .lines()
        .iter()
        .filter(|l| !l.hard)
        .map(|l| l.cost)
        .sum();
    assert_eq!(soft, report.soft);
}
