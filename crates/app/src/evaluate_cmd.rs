//! `skillbridge evaluate`: the effect of a program on a KPI, from the command line.

use clap::Args;
use domain::effect::{EffectRequest, MatchingMethod, StratifyBy};
use service::effect::{self as effect, DEFAULT_HOURLY_COST, EffectResult, GivenAssumptions};
use store::Store;

/// Options of `evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// The program's code.
    #[arg(long)]
    pub program: String,
    /// The KPI's code (default: the program's transfer goal KPI).
    #[arg(long)]
    pub kpi: Option<String>,
    /// Months before each person's completion month.
    #[arg(long, default_value_t = 12)]
    pub pre_months: u32,
    /// Months after each person's completion month.
    #[arg(long, default_value_t = 6)]
    pub post_months: u32,
    /// nearest (nearest neighbours on pre-period level and trend) or cem (coarsened exact).
    #[arg(long, default_value = "nearest")]
    pub matching: String,
    /// What comparison people must share: position or department.
    #[arg(long, default_value = "position")]
    pub stratify: String,
    /// Bootstrap replications for the confidence interval.
    #[arg(long, default_value_t = 1000)]
    pub replications: u32,
    /// Seed of the bootstrap (same seed, same interval).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Yuan per KPI unit per person and month (default: the KPI's configured value).
    #[arg(long)]
    pub unit_value: Option<f64>,
    /// Months the effect is assumed to last (default: the program's transfer window, or 12).
    #[arg(long)]
    pub benefit_months: Option<f64>,
    /// Yuan per participant hour where the position has no hourly cost.
    #[arg(long, default_value_t = DEFAULT_HOURLY_COST)]
    pub hourly_cost: f64,
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Also record the estimate (for history and alerts).
    #[arg(long)]
    pub record: bool,
}

/// Runs `evaluate` against an opened store.
pub async fn run(store: &Store, args: &EvaluateArgs) -> anyhow::Result<()> {
    let program = effect::program_by_code(store, &args.program)
        .await
        .map_err(|_| anyhow::anyhow!("--program: no program has the code '{}'", args.program))?;
    // A field the domain names becomes the flag the user typed.
    let flag = |e: domain::DomainError| match e {
        domain::DomainError::Validation { field, message } => {
            anyhow::anyhow!("--{}: {message}", field.replace('_', "-"))
        }
        other => other.into(),
    };
    let kpi = effect::resolve_kpi(store, &program, args.kpi.as_deref())
        .await
        .map_err(flag)?;
    let request = EffectRequest {
        pre_months: args.pre_months,
        post_months: args.post_months,
        matching: MatchingMethod::parse(&args.matching).map_err(flag)?,
        stratify: StratifyBy::parse(&args.stratify).map_err(flag)?,
        replications: args.replications,
        seed: args.seed,
    };
    let given = GivenAssumptions {
        unit_value: args.unit_value,
        benefit_months: args.benefit_months,
        hourly_cost: Some(args.hourly_cost),
    };
    let assumptions = effect::assumptions(store, &program, &kpi, given)
        .await
        .map_err(flag)?;
    let result = effect::evaluate(store, &program, &kpi, request, assumptions)
        .await
        .map_err(flag)?;
    if args.record {
        effect::record(store, &result, "cli").await?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", text(&result));
    }
    Ok(())
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.digits$}"))
}

/// The result as a plain-text report.
pub fn text(r: &EffectResult) -> String {
    let mut out = String::new();
    let unit = r.subject.kpi_unit.clone().unwrap_or_default();
    out.push_str(&format!(
        "Program {} {} — KPI {} {} ({} is better)\n",
        r.subject.program_code,
        r.subject.program_title,
        r.subject.kpi_code,
        r.subject.kpi_name,
        r.subject.kpi_direction
    ));
    out.push_str(&format!(
        "Window: {} months before and {} after each person's completion month; matching {} within {}\n\n",
        r.pre_months, r.post_months, r.matching, r.stratify
    ));
    out.push_str(&format!(
        "Effect (difference-in-differences): {:+.3} {unit}  95% CI [{:+.3}, {:+.3}]  ({}; {} relative to the trained group's pre-period level)\n",
        r.effect,
        r.ci_low,
        r.ci_high,
        r.verdict,
        r.effect_pct.map_or_else(|| "—".into(), |p| format!("{p:+.1}%"))
    ));
    out.push_str(&format!(
        "People: {} trained of {} (departments: {}), {} comparison\n",
        r.n_trained, r.n_trained_total, r.n_clusters, r.n_comparison
    ));
    out.push_str(&format!(
        "Trained: {:.3} → {:.3}   Comparison: {:.3} → {:.3}\n",
        r.trained_pre, r.trained_post, r.comparison_pre, r.comparison_post
    ));
    out.push_str(&format!(
        "Naive before/after: {:+.3}   Naive trained vs untrained: {:+.3}\n",
        r.naive_before_after, r.naive_trained_vs_untrained
    ));
    out.push_str(&format!(
        "Placebo test on the pre-period: {} (p = {})\n",
        opt(r.pretrend_effect, 3),
        opt(r.pretrend_p_value, 3)
    ));
    for b in &r.balance {
        out.push_str(&format!(
            "Balance {}: SMD {:.2} before, {:.2} after matching\n",
            b.covariate, b.smd_before, b.smd_after
        ));
    }
    out.push_str(&format!(
        "Cost: ¥{:.0} (lines ¥{:.0}, per head ¥{:.0}, participants' time {:.0} h = ¥{:.0})\n",
        r.cost.total,
        r.cost.cost_lines,
        r.cost.per_head,
        r.cost.participant_hours,
        r.cost.participant_time_cost
    ));
    match &r.roi {
        Some(roi) => {
            out.push_str(&format!(
                "Benefit: ¥{} [¥{}, ¥{}]  ROI {}% [{}%, {}%]  benefit-cost ratio {} [{}, {}]  payback {} months [{}, {}]\n",
                opt(roi.benefit.value, 0),
                opt(roi.benefit.low, 0),
                opt(roi.benefit.high, 0),
                opt(roi.roi_pct.value, 0),
                opt(roi.roi_pct.low, 0),
                opt(roi.roi_pct.high, 0),
                opt(roi.benefit_cost_ratio.value, 2),
                opt(roi.benefit_cost_ratio.low, 2),
                opt(roi.benefit_cost_ratio.high, 2),
                opt(roi.payback_months.value, 1),
                opt(roi.payback_months.low, 1),
                opt(roi.payback_months.high, 1),
            ));
            for a in &roi.assumptions {
                out.push_str(&format!("  assumes: {a}\n"));
            }
        }
        None => out.push_str(
            "ROI: not computed — the KPI has no value per unit (set it, or pass --unit-value)\n",
        ),
    }
    if r.warnings.is_empty() {
        out.push_str("Warnings: none\n");
    }
    for w in &r.warnings {
        out.push_str(&format!("Warning ({}): {}\n", w.code, w.message));
    }
    out
}
