//! Time-split evaluation of the hybrid against the two baselines on simulated
//! companies; prints precision, recall, NDCG and catalogue coverage at k.
//!
//! `cargo run --release -p skillbridge-recommend --example evaluate_sim -- [--people N]
//! [--resources N] [--seeds S] [--k K] [--threads T] [--ablate]
//! [--set name=value,...]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recommend::eval::{Dataset, GapOnly, Metrics, Popularity, Recommender, evaluate_split};
use recommend::sim::{SimConfig, generate};
use recommend::{Lang, Model, Weights, render};

/// Sets one weight of the hybrid to zero.
type Zero = fn(&mut Weights);

struct Args {
    people: usize,
    resources: usize,
    seeds: u64,
    k: usize,
    threads: usize,
    /// Also run the hybrid with each part's weight set to zero.
    ablate: bool,
    /// Weights for the hybrid (defaults changed by `--set name=value,...`).
    weights: Weights,
}

/// Apply `name=value,...` to the hybrid's weights.
fn set_weights(w: &mut Weights, spec: &str) -> Result<(), String> {
    for pair in spec.split(',') {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("--set: {pair} is not name=value"))?;
        let v: f32 = value.parse().map_err(|e| format!("--set {name}: {e}"))?;
        match name {
            "gap" => w.gap = v,
            "business" => w.business = v,
            "peers" => w.peers = v,
            "co_occurrence" => w.co_occurrence = v,
            "feedback" => w.feedback = v,
            "popularity" => w.popularity = v,
            "freshness" => w.freshness = v,
            "position_popularity_share" => w.position_popularity_share = v,
            "half_life_days" => w.half_life_days = v,
            "diversity" => w.diversity = v,
            "max_per_skill" => w.max_per_skill = v as usize,
            _ => return Err(format!("--set: unknown weight {name}")),
        }
    }
    Ok(())
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        people: 5_000,
        resources: 4_000,
        seeds: 5,
        k: 10,
        threads: 2,
        ablate: false,
        weights: Weights::default(),
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        if flag == "--ablate" {
            args.ablate = true;
            continue;
        }
        let value = iter.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--people" => args.people = number(&value)?,
            "--resources" => args.resources = number(&value)?,
            "--seeds" => args.seeds = number(&value)? as u64,
            "--k" => args.k = number(&value)?,
            "--threads" => args.threads = number(&value)?,
            "--set" => set_weights(&mut args.weights, &value)?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(args)
}

fn run<'c, R: Recommender<'c>>(
    data: &Dataset<'c>,
    split: i32,
    args: &Args,
    total: &mut Metrics,
) -> Metrics {
    let m = evaluate_split::<R>(data, split, args.k, &args.weights, args.threads);
    total.people += m.people;
    total.precision += m.precision;
    total.recall += m.recall;
    total.ndcg += m.ndcg;
    total.coverage += m.coverage;
    m
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let k = args.k;
    println!(
        "{} people, {} resources, k = {k}, seeds 1..={}",
        args.people, args.resources, args.seeds
    );
    println!("seed  ranker       people  P@{k}    R@{k}    NDCG@{k} coverage");
    let mut totals = [Metrics::default(); 3];
    for seed in 1..=args.seeds {
        let config = SimConfig {
            people: args.people,
            resources: args.resources,
            seed,
            ..SimConfig::default()
        };
        let company = generate(&config);
        let data = company.dataset();
        let split = config.split_day;
        let rows = [
            (
                Model::NAME,
                run::<Model>(&data, split, &args, &mut totals[0]),
            ),
            (
                Popularity::NAME,
                run::<Popularity>(&data, split, &args, &mut totals[1]),
            ),
            (
                GapOnly::NAME,
                run::<GapOnly>(&data, split, &args, &mut totals[2]),
            ),
        ];
        for (name, m) in rows {
            println!(
                "{seed:>4}  {name:<11} {:>7}  {:.4}  {:.4}  {:.4}  {:.4}",
                m.people, m.precision, m.recall, m.ndcg, m.coverage
            );
        }
        if args.ablate {
            let parts: [(&str, Zero); 7] = [
                ("-gap", |w| w.gap = 0.0),
                ("-business", |w| w.business = 0.0),
                ("-peers", |w| w.peers = 0.0),
                ("-co-occur", |w| w.co_occurrence = 0.0),
                ("-feedback", |w| w.feedback = 0.0),
                ("-popular", |w| w.popularity = 0.0),
                ("-fresh", |w| w.freshness = 0.0),
            ];
            for (name, zero) in parts {
                let mut w = args.weights.clone();
                zero(&mut w);
                let m = evaluate_split::<Model>(&data, split, k, &w, args.threads);
                println!(
                    "{seed:>4}  {name:<11} {:>7}  {:.4}  {:.4}  {:.4}  {:.4}",
                    m.people, m.precision, m.recall, m.ndcg, m.coverage
                );
            }
        }
        if seed == 1 {
            let model = Model::fit(
                &company.catalog,
                &company.interactions.before(split),
                &company.people.before(split),
                split,
                &Weights::default(),
            );
            if let Some(p) = company
                .profiles_at_split
                .iter()
                .find(|p| !p.gaps.is_empty())
            {
                for r in model.recommend(p, 3) {
                    println!("  e.g. {}: {}", r.resource, render(&r.reason, Lang::Zh));
                    println!("       {}: {}", r.resource, render(&r.reason, Lang::En));
                }
            }
        }
    }
    let n = args.seeds as f64;
    println!("mean over {} seeds:", args.seeds);
    for (name, t) in [Model::NAME, Popularity::NAME, GapOnly::NAME]
        .iter()
        .zip(&totals)
    {
        println!(
            "      {name:<11} {:>7}  {:.4}  {:.4}  {:.4}  {:.4}",
            t.people / args.seeds as usize,
            t.precision / n,
            t.recall / n,
            t.ndcg / n,
            t.coverage / n
        );
    }
}
