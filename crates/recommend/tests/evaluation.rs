//! The hybrid against its baselines on simulated companies the weights were not
//! tuned on (the defaults came from seeds 1 and 2 at 5,000 people).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recommend::Model;
use recommend::Weights;
use recommend::eval::{GapOnly, Metrics, Popularity, evaluate_split};
use recommend::sim::{SimConfig, generate};

#[test]
fn hybrid_beats_both_baselines_on_ndcg_at_10() {
    for seed in [11, 12, 13] {
        let config = SimConfig {
            people: 1_500,
            resources: 1_200,
            seed,
            ..SimConfig::default()
        };
        let company = generate(&config);
        let data = company.dataset();
        let weights = Weights::default();
        let split = config.split_day;
        let hybrid: Metrics = evaluate_split::<Model>(&data, split, 10, &weights, 2);
        let popularity = evaluate_split::<Popularity>(&data, split, 10, &weights, 2);
        let gap_only = evaluate_split::<GapOnly>(&data, split, 10, &weights, 2);
        assert!(
            hybrid.people > 500,
            "seed {seed}: {} people with held-out completions",
            hybrid.people
        );
        assert_eq!(hybrid.people, popularity.people);
        assert!(
            hybrid.ndcg > popularity.ndcg && hybrid.ndcg > gap_only.ndcg,
            "seed {seed}: hybrid {hybrid:?}, popularity {popularity:?}, gap-only {gap_only:?}"
        );
        // Personalised lists reach far more of the catalogue than one popular list.
        assert!(hybrid.coverage > 5.0 * popularity.coverage, "seed {seed}");
    }
}

#[test]
fn evaluation_does_not_depend_on_thread_count() {
    let company = generate(&SimConfig {
        people: 300,
        resources: 300,
        seed: 14,
        ..SimConfig::default()
    });
    let data = company.dataset();
    let one = evaluate_split::<Model>(&data, 640, 10, &Weights::default(), 1);
    let two = evaluate_split::<Model>(&data, 640, 10, &Weights::default(), 2);
    assert_eq!(one, two);
}
