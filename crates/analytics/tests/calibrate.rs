//! Calibration runs behind the method choices in `effect`'s documentation; slow,
//! so ignored. Prints coverage, bias, spread vs mean standard error, naive biases
//! and placebo alarm rate per scenario:
//!
//! ```text
//! SEEDS=300 RUNS=sel cargo test -p skillbridge-analytics --test calibrate -- --ignored --nocapture
//! ```
//!
//! `RUNS`: unset (assorted scenarios), `sel` (selection mechanisms × matching),
//! `cal` (neighbours and caliper), `ci` (departments, shocks, sizes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod sim;
use analytics::effect::{Matching, estimate};
use sim::{Scenario, Selection};

fn run(name: &str, sc: &Scenario, seeds: u64) {
    let start = std::time::Instant::now();
    let (mut cover, mut n) = (0usize, 0usize);
    let (mut sum_e, mut sum_ba, mut sum_tu, mut sum_se, mut sum_sd2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut pre_rej = 0usize;
    let mut ests = Vec::new();
    let mut width = 0.0;
    let mut ntr = 0usize;
    for seed in 0..seeds {
        let d = sc.generate(seed);
        let mut o = sc.options.clone();
        o.seed = seed;
        let e = estimate(&d.trained, &d.candidates, &o);
        n += 1;
        if e.ci_low <= sc.effect && sc.effect <= e.ci_high {
            cover += 1;
        }
        sum_e += e.effect;
        sum_ba += e.naive_before_after;
        sum_tu += e.naive_trained_vs_untrained;
        sum_se += e.std_error;
        width += e.ci_high - e.ci_low;
        ests.push(e.effect);
        ntr += e.n_trained;
        if e.pretrend_p_value.is_some_and(|p| p < 0.05) {
            pre_rej += 1;
        }
    }
    let nf = n as f64;
    let mean = sum_e / nf;
    for e in &ests {
        sum_sd2 += (e - mean).powi(2);
    }
    println!(
        "{name}: cover {:.3} mean {:.3} (bias {:+.3}) sd {:.3} meanSE {:.3} width {:.3} naiveBA bias {:+.3} naiveTU bias {:+.3} pretrend rej {:.3} n_trained {:.0} [{:.1}s]",
        cover as f64 / nf,
        mean,
        mean - sc.effect,
        (sum_sd2 / (nf - 1.0)).sqrt(),
        sum_se / nf,
        width / nf,
        sum_ba / nf - sc.effect,
        sum_tu / nf - sc.effect,
        pre_rej as f64 / nf,
        ntr as f64 / nf,
        start.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore]
fn calibrate() {
    let seeds: u64 = std::env::var("SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let base = Scenario::default();
    let which = std::env::var("RUNS").unwrap_or_default();
    if which == "cal" {
        for (k, c) in [(1, 0.5), (5, 0.5), (5, 1.0), (5, f64::INFINITY), (10, 1.0)] {
            let mut sc = base.clone();
            sc.options.matching = Matching::NearestNeighbour {
                neighbours: k,
                caliper: c,
            };
            run(&format!("nn{k}-{c}"), &sc, seeds);
        }
        return;
    }
    if which == "ci" {
        let mut b = base.clone();
        b.options.matching = Matching::NearestNeighbour {
            neighbours: 5,
            caliper: 1.0,
        };
        run("base", &b, seeds);
        run(
            "fewdept8",
            &Scenario {
                departments: 8,
                ..b.clone()
            },
            seeds,
        );
        run(
            "dept12",
            &Scenario {
                departments: 12,
                ..b.clone()
            },
            seeds,
        );
        run(
            "bigshock",
            &Scenario {
                sd_department_shock: 2.5,
                ..b.clone()
            },
            seeds,
        );
        run(
            "bydept",
            &Scenario {
                stratify_by_department: true,
                sd_department_shock: 2.5,
                ..b.clone()
            },
            seeds,
        );
        run(
            "small",
            &Scenario {
                trained_per_cohort: 15,
                people: 1200,
                ..b.clone()
            },
            seeds,
        );
        run(
            "big",
            &Scenario {
                trained_per_cohort: 250,
                people: 8000,
                departments: 40,
                ..b.clone()
            },
            seeds,
        );
        return;
    }
    if which == "sel" {
        for sel in [
            Selection::PrePeriod,
            Selection::Recent,
            Selection::Late,
            Selection::None,
        ] {
            let sc = Scenario {
                selection: sel,
                ..base.clone()
            };
            run(&format!("{sel:?}"), &sc, seeds);
            let mut w = sc.clone();
            w.options.matching = Matching::NearestNeighbour {
                neighbours: 5,
                caliper: 0.5,
            };
            run(&format!("{sel:?}-cal0.5"), &w, seeds);
            let mut cem = sc.clone();
            cem.options.matching = Matching::CoarsenedExact { bins: 5 };
            run(&format!("{sel:?}-cem5"), &cem, seeds);
        }
        return;
    }
    run("base", &base, seeds);
    run(
        "recent",
        &Scenario {
            selection: Selection::Recent,
            ..base.clone()
        },
        seeds,
    );
    run(
        "noselect",
        &Scenario {
            selection: Selection::None,
            ..base.clone()
        },
        seeds,
    );
    run(
        "zero",
        &Scenario {
            effect: 0.0,
            ..base.clone()
        },
        seeds,
    );
    run(
        "fewdept",
        &Scenario {
            departments: 8,
            ..base.clone()
        },
        seeds,
    );
    run(
        "bigshock",
        &Scenario {
            sd_department_shock: 2.5,
            ..base.clone()
        },
        seeds,
    );
    let mut cem = base.clone();
    cem.options.matching = Matching::CoarsenedExact { bins: 5 };
    run("cem", &cem, seeds);
    run(
        "never",
        &Scenario {
            never_trained_controls: true,
            ..base.clone()
        },
        seeds,
    );
    let mut wide = base.clone();
    wide.options.matching = Matching::NearestNeighbour {
        neighbours: 5,
        caliper: 0.5,
    };
    run("nn5-0.5", &wide, seeds);
    wide.options.matching = Matching::NearestNeighbour {
        neighbours: 1,
        caliper: 0.5,
    };
    run("nn1-0.5", &wide, seeds);
    run(
        "pretrend",
        &Scenario {
            pre_shift: 2.0,
            ..base.clone()
        },
        seeds,
    );
}
