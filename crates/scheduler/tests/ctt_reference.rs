//! The evaluator reproduces the known costs of every reference solution.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use scheduler::ctt::{
    Evaluation, HardViolations, SoftCosts, evaluate, parse_instance, parse_solution,
};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/benchmarks/ctt"
);

fn read(relative: &str) -> String {
    let path = format!("{DATA}/{relative}");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"))
}

fn evaluate_files(instance: &str, solution: &str) -> Evaluation {
    let instance = parse_instance(&read(instance)).expect("instance parses");
    let placements = parse_solution(&instance, &read(solution)).expect("solution parses");
    evaluate(&instance, &placements)
}

const KNOWN: [(&str, u64); 7] = [
    ("comp01", 5),
    ("comp02", 36),
    ("comp03", 66),
    ("comp04", 37),
    ("comp05", 305),
    ("comp06", 40),
    ("comp07", 14),
];

#[test]
fn reference_solutions_have_known_costs() {
    for (name, cost) in KNOWN {
        let evaluation = evaluate_files(
            &format!("instances/{name}.ctt"),
            &format!("reference_solutions/{name}.sol"),
        );
        assert_eq!(evaluation.hard_total(), 0, "{name}: {evaluation}");
        assert_eq!(evaluation.soft_total(), cost, "{name}: {evaluation}");
    }
}

#[test]
fn original_id_solutions_answer_original_instances() {
    for (name, cost) in KNOWN {
        let evaluation = evaluate_files(
            &format!("instances/itc2007_original/{name}.ctt"),
            &format!("reference_solutions/itc2007_original_ids/{name}.sol"),
        );
        assert_eq!(evaluation.hard_total(), 0, "{name}: {evaluation}");
        assert_eq!(evaluation.soft_total(), cost, "{name}: {evaluation}");
    }
}

#[test]
fn mismatched_room_ids_leave_lectures_unscheduled() {
    // Solutions with `rB` room names do not answer instances whose rooms are `B`:
    // every line is skipped, as the validator does.
    let evaluation = evaluate_files(
        "instances/itc2007_original/comp01.ctt",
        "reference_solutions/comp01.sol",
    );
    assert_eq!(evaluation.hard.lectures, 160);
}

#[test]
fn toy_example_matches_the_official_description() {
    let evaluation = evaluate_files(
        "instances/extra/toy_itc2007_doc.ctt",
        "reference_solutions/toy_itc2007_doc.sol",
    );
    assert_eq!(
        evaluation,
        Evaluation {
            hard: HardViolations {
                lectures: 0,
                conflicts: 3,
                availability: 0,
                room_occupation: 2
            },
            soft: SoftCosts {
                room_capacity: 8,
                min_working_days: 15,
                curriculum_compactness: 4,
                room_stability: 3
            },
        }
    );
    assert_eq!(evaluation.hard_total(), 5);
    assert_eq!(evaluation.soft_total(), 30);
}
