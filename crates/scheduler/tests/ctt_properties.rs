//! Property tests of the solver on seeded random instances.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use scheduler::ctt::{
    Course, Curriculum, Instance, Placement, Room, SolveOptions, Unavailability, evaluate,
    parse_instance, parse_solution, solve, testing, write_solution,
};

/// SplitMix64, enough to drive the generators deterministically.
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

/// A random instance built around a hidden assignment that satisfies every hard
/// constraint: curricula and shared teachers only join courses whose hidden
/// periods are disjoint, and unavailability only hits periods a course does not use.
fn instance_with_hidden_solution(seed: u64) -> (Instance, Vec<Placement>) {
    let mut rng = TestRng(seed);
    let days = rng.range(2, 5);
    let periods_per_day = rng.range(2, 5);
    let periods = days * periods_per_day;
    let room_count = rng.range(1, 4);
    let course_count = rng.range(3, 12);
    let mut occupied = vec![false; periods * room_count];
    let mut hidden = Vec::new();
    let mut course_periods = vec![Vec::new(); course_count];
    for (course, used) in course_periods.iter_mut().enumerate() {
        let wanted = rng.range(1, 4.min(periods));
        for _ in 0..wanted * 4 {
            if used.len() == wanted {
                break;
            }
            let period = rng.range(0, periods - 1);
            let room = rng.range(0, room_count - 1);
            if occupied[period * room_count + room] || used.contains(&period) {
                continue;
            }
            occupied[period * room_count + room] = true;
            used.push(period);
            hidden.push(Placement {
                course,
                room,
                day: period / periods_per_day,
                slot: period % periods_per_day,
            });
        }
    }
    let disjoint = |a: usize, b: usize| {
        course_periods[a]
            .iter()
            .all(|p| !course_periods[b].contains(p))
    };
    let mut curricula = Vec::new();
    for index in 0..rng.range(1, course_count) {
        let mut members = vec![rng.range(0, course_count - 1)];
        for _ in 0..3 {
            let candidate = rng.range(0, course_count - 1);
            if !members.contains(&candidate) && members.iter().all(|&m| disjoint(m, candidate)) {
                members.push(candidate);
            }
        }
        curricula.push(Curriculum {
            id: format!("q{index}"),
            courses: members,
        });
    }
    let mut teacher_of: Vec<usize> = (0..course_count).collect();
    for course in 1..course_count {
        let other = rng.range(0, course - 1);
        let teacher = teacher_of[other];
        if (0..course)
            .filter(|&c| teacher_of[c] == teacher)
            .all(|c| disjoint(c, course))
            && rng.range(0, 1) == 0
        {
            teacher_of[course] = teacher;
        }
    }
    let mut unavailability = Vec::new();
    for (course, used) in course_periods.iter().enumerate() {
        for period in 0..periods {
            if !used.contains(&period) && rng.range(0, 3) == 0 {
                unavailability.push(Unavailability {
                    course,
                    day: period / periods_per_day,
                    slot: period % periods_per_day,
                });
            }
        }
    }
    let courses = (0..course_count)
        .map(|course| Course {
            id: format!("c{course}"),
            teacher: format!("t{}", teacher_of[course]),
            lectures: course_periods[course].len(),
            min_working_days: rng.range(1, course_periods[course].len().max(1)),
            students: rng.range(5, 60),
        })
        .collect();
    let rooms = (0..room_count)
        .map(|room| Room {
            id: format!("r{room}"),
            capacity: rng.range(10, 60),
        })
        .collect();
    let instance = Instance {
        name: format!("rng{seed}"),
        days,
        periods_per_day,
        courses,
        rooms,
        curricula,
        unavailability,
    };
    (instance, hidden)
}

#[test]
fn hidden_assignment_is_feasible_by_construction() {
    for seed in 0..50 {
        let (instance, hidden) = instance_with_hidden_solution(seed);
        assert_eq!(evaluate(&instance, &hidden).hard_total(), 0, "seed {seed}");
    }
}

#[test]
fn incremental_costs_match_full_evaluation() {
    for seed in 0..40 {
        let (instance, _) = instance_with_hidden_solution(seed);
        testing::check_incremental_consistency(&instance, seed, 400)
            .unwrap_or_else(|error| panic!("seed {seed}: {error}"));
    }
}

#[test]
fn incremental_costs_match_on_a_competition_instance() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/benchmarks/ctt/instances/comp05.ctt"
    );
    let instance =
        parse_instance(&std::fs::read_to_string(path).expect("comp05 readable")).expect("parses");
    testing::check_incremental_consistency(&instance, 3, 300).unwrap();
}

#[test]
fn generated_instances_are_solved_feasibly() {
    for seed in 0..30 {
        let (instance, _) = instance_with_hidden_solution(seed);
        let options = SolveOptions {
            time_limit: Duration::from_secs(3600),
            seed,
            max_iterations: Some(200_000),
            ..SolveOptions::default()
        };
        let outcome = solve(&instance, &options);
        assert_eq!(
            outcome.evaluation.hard_total(),
            0,
            "seed {seed}: {}",
            outcome.evaluation
        );
        assert_eq!(outcome.evaluation, evaluate(&instance, &outcome.placements));
        assert!(outcome.time_to_first_feasible.is_some());
        assert_eq!(outcome.placements.len(), instance.total_lectures());
        let reread =
            parse_solution(&instance, &write_solution(&instance, &outcome.placements)).unwrap();
        assert_eq!(evaluate(&instance, &reread), outcome.evaluation);
    }
}

#[test]
fn same_seed_and_iteration_limit_give_the_same_solution() {
    let (instance, _) = instance_with_hidden_solution(11);
    let options = SolveOptions {
        time_limit: Duration::from_secs(3600),
        seed: 5,
        max_iterations: Some(50_000),
        ..Default::default()
    };
    let first = solve(&instance, &options);
    let second = solve(&instance, &options);
    assert_eq!(first.placements, second.placements);
    assert_eq!(first.iterations, second.iterations);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/benchmarks/ctt/instances/comp01.ctt"
    );
    let comp01 =
        parse_instance(&std::fs::read_to_string(path).expect("comp01 readable")).expect("parses");
    let options = SolveOptions {
        max_iterations: Some(100_000),
        ..options
    };
    assert_eq!(
        solve(&comp01, &options).placements,
        solve(&comp01, &options).placements
    );
}

#[test]
fn degenerate_instances_do_not_panic() {
    let empty = Instance {
        name: "empty".into(),
        days: 1,
        periods_per_day: 1,
        courses: vec![Course {
            id: "c".into(),
            teacher: "t".into(),
            lectures: 2,
            min_working_days: 1,
            students: 1,
        }],
        rooms: vec![],
        curricula: vec![],
        unavailability: vec![],
    };
    let options = SolveOptions {
        max_iterations: Some(1000),
        ..Default::default()
    };
    let outcome = solve(&empty, &options);
    assert_eq!(outcome.evaluation.hard.lectures, 2);
    // More lectures than periods: one must stay unscheduled.
    let crowded = Instance {
        rooms: vec![Room {
            id: "r".into(),
            capacity: 1,
        }],
        ..empty
    };
    let outcome = solve(&crowded, &options);
    assert_eq!(outcome.evaluation.hard.lectures, 1);
    assert_eq!(outcome.evaluation, evaluate(&crowded, &outcome.placements));
}
