//! Scale check: 100,000 candidates × 3 anchors and 2,000 trained people with 1,000
//! replications must estimate well under a second in release (measured 0.13–0.23 s
//! alone on the 2-core dev machine). The dev profile compiles this crate with
//! opt-level 3 but the test shares the machine with the coverage tests, so there
//! the bound is looser.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod sim;

use std::time::Instant;

use analytics::effect::{Matching, Options, Segment, Unit, Window, estimate};
use sim::Rng;

fn segment(rng: &mut Rng, level: f64, from: i32, to: i32) -> Segment {
    let mut s = Segment::default();
    for t in from..=to {
        if t == 0 || rng.uniform() < 0.05 {
            continue;
        }
        let y = level + 0.1 * f64::from(t) + 2.0 * rng.normal();
        s.n += 1;
        s.sum_y += y;
        s.sum_t += f64::from(t);
        s.sum_tt += f64::from(t * t);
        s.sum_ty += f64::from(t) * y;
    }
    s
}

fn unit(rng: &mut Rng, person: i64, anchor: i32, shift: f64) -> Unit {
    let level = 60.0 + 5.0 * rng.normal() - shift;
    Unit {
        person,
        cluster: rng.below(200) as i64,
        stratum: rng.below(20) as i64,
        anchor,
        window: Window {
            pre_early: segment(rng, level, -12, -4),
            pre_late: segment(rng, level, -3, -1),
            post: segment(rng, level + shift, 1, 6),
        },
    }
}

fn data() -> (Vec<Unit>, Vec<Unit>) {
    let mut rng = Rng::new(11);
    let anchors = [300, 306, 312];
    let trained = (0..2_000)
        .map(|p| unit(&mut rng, p, anchors[p as usize % 3], 2.0))
        .collect();
    let candidates = (0..100_000)
        .flat_map(|p| anchors.map(|a| (p, a)))
        .map(|(p, a)| unit(&mut rng, 10_000 + p, a, 0.0))
        .collect();
    (trained, candidates)
}

#[test]
fn large_program_estimates_within_a_second() {
    let (trained, candidates) = data();
    for matching in [
        Matching::NearestNeighbour {
            neighbours: 5,
            caliper: 1.0,
        },
        Matching::NearestNeighbour {
            neighbours: 1,
            caliper: f64::INFINITY,
        },
        Matching::CoarsenedExact { bins: 5 },
    ] {
        let options = Options {
            matching,
            replications: 1_000,
            ..Options::default()
        };
        let start = Instant::now();
        let e = estimate(&trained, &candidates, &options);
        let elapsed = start.elapsed();
        eprintln!(
            "{matching:?}: {elapsed:?}, effect {:.3} [{:.3}, {:.3}]",
            e.effect, e.ci_low, e.ci_high
        );
        assert!(e.n_trained >= 1_990, "{}", e.n_trained);
        assert!(e.ci_low < 2.0 && 2.0 < e.ci_high);
        let limit = if cfg!(debug_assertions) { 5.0 } else { 1.0 };
        assert!(
            elapsed.as_secs_f64() < limit,
            "{matching:?} took {elapsed:?}"
        );
    }
}
