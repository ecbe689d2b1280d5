//! Return on investment of a program from an estimated effect (Phillips' level 5).
//!
//! ```text
//! monthly benefit = good-direction effect × value of one KPI unit per person-month × people
//! benefit         = monthly benefit × months the effect lasts
//! cost            = program cost + participants' hours × hourly cost
//! net             = benefit − cost
//! ROI %           = net / cost × 100
//! benefit-cost    = benefit / cost
//! payback months  = cost / monthly benefit   (none when the monthly benefit ≤ 0)
//! ```
//!
//! The good-direction effect is the effect when higher KPI values are better and
//! its negative when lower values are better, so a benefit is always positive when
//! the KPI moved the right way. Every money figure comes as a [`Range`]: the
//! central value from the effect, and low/high from the ends of its confidence
//! interval (the cost is taken as known). Figures are not discounted.

/// Which way the KPI should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

/// What the calculation needs; money in one currency (¥).
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Estimated effect per person-month, in KPI units, signed as the KPI moves.
    pub effect: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub direction: Direction,
    /// Value of one KPI unit (in the good direction) per person-month.
    pub value_per_unit: f64,
    /// People the effect applies to (the trained people).
    pub people: f64,
    /// Months the effect is assumed to last.
    pub months: f64,
    /// Sum of the program's cost lines.
    pub program_cost: f64,
    /// Participants' hours in training, all participants together.
    pub participant_hours: f64,
    /// Cost of one participant hour.
    pub hourly_cost: f64,
}

/// A figure with the range implied by the effect's confidence interval;
/// `low <= high` always (they are the smaller and the larger of the two ends).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub central: f64,
    pub low: f64,
    pub high: f64,
}

/// Payback period in months. `None` means the benefit never repays the cost at
/// that end of the interval (benefit ≤ 0). `shortest` comes from the favourable
/// end of the interval, `longest` from the unfavourable one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Payback {
    pub central: Option<f64>,
    pub shortest: Option<f64>,
    pub longest: Option<f64>,
}

/// One assumption behind the figures, as data; the product words it.
#[derive(Debug, Clone, PartialEq)]
pub enum Assumption {
    /// The estimated effect per person-month and its interval, in the KPI's units.
    Effect {
        effect: f64,
        ci_low: f64,
        ci_high: f64,
        direction: Direction,
    },
    /// The value of one KPI unit per person-month.
    ValuePerUnit { value: f64 },
    /// The effect applies to this many people, equally.
    People { people: f64 },
    /// The effect lasts this many months at full strength, then stops.
    Duration { months: f64 },
    /// The program's cost lines.
    ProgramCost { amount: f64 },
    /// Participants' time: hours × hourly cost.
    ParticipantTime {
        hours: f64,
        hourly_cost: f64,
        amount: f64,
    },
    /// Money is not discounted over the months.
    NoDiscounting,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Roi {
    pub benefit: Range,
    /// Program cost plus participants' time.
    pub cost: f64,
    pub program_cost: f64,
    pub participant_time_cost: f64,
    pub net: Range,
    /// `(benefit − cost) / cost × 100`; `None` when the cost is 0.
    pub roi_percent: Option<Range>,
    /// `benefit / cost`; `None` when the cost is 0.
    pub benefit_cost_ratio: Option<Range>,
    pub payback_months: Payback,
    pub assumptions: Vec<Assumption>,
}

/// A rejected input, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub field: &'static str,
    pub message: &'static str,
}

/// Computes ROI, benefit-cost ratio and payback with their ranges.
pub fn compute(input: &Input) -> Result<Roi, InputError> {
    let finite = |field, v: f64| {
        if v.is_finite() {
            Ok(v)
        } else {
            Err(InputError {
                field,
                message: "must be a number",
            })
        }
    };
    let non_negative = |field, v: f64| {
        finite(field, v)?;
        if v >= 0.0 {
            Ok(v)
        } else {
            Err(InputError {
                field,
                message: "must not be negative",
            })
        }
    };
    finite("effect", input.effect)?;
    finite("ci_low", input.ci_low)?;
    finite("ci_high", input.ci_high)?;
    let value = non_negative("value_per_unit", input.value_per_unit)?;
    let people = non_negative("people", input.people)?;
    let months = non_negative("months", input.months)?;
    let program_cost = non_negative("program_cost", input.program_cost)?;
    let hours = non_negative("participant_hours", input.participant_hours)?;
    let hourly = non_negative("hourly_cost", input.hourly_cost)?;

    let good = |e: f64| match input.direction {
        Direction::HigherIsBetter => e,
        Direction::LowerIsBetter => -e,
    };
    let (a, b) = (good(input.ci_low), good(input.ci_high));
    let monthly = |e: f64| e * value * people;
    let range = |f: &dyn Fn(f64) -> f64| {
        let (x, y) = (f(monthly(a)), f(monthly(b)));
        Range {
            central: f(monthly(good(input.effect))),
            low: x.min(y),
            high: x.max(y),
        }
    };
    let time_cost = hours * hourly;
    let cost = program_cost + time_cost;
    let benefit = range(&|m| m * months);
    let net = range(&|m| m * months - cost);
    let (roi_percent, benefit_cost_ratio) = if cost > 0.0 {
        (
            Some(range(&|m| (m * months - cost) / cost * 100.0)),
            Some(range(&|m| m * months / cost)),
        )
    } else {
        (None, None)
    };
    let payback = |m: f64| (m > 0.0).then(|| cost / m);
    let (favourable, unfavourable) = (monthly(a.max(b)), monthly(a.min(b)));
    let payback_months = Payback {
        central: payback(monthly(good(input.effect))),
        shortest: payback(favourable),
        longest: payback(unfavourable),
    };
    let assumptions = vec![
        Assumption::Effect {
            effect: input.effect,
            ci_low: input.ci_low,
            ci_high: input.ci_high,
            direction: input.direction,
        },
        Assumption::ValuePerUnit { value },
        Assumption::People { people },
        Assumption::Duration { months },
        Assumption::ProgramCost {
            amount: program_cost,
        },
        Assumption::ParticipantTime {
            hours,
            hourly_cost: hourly,
            amount: time_cost,
        },
        Assumption::NoDiscounting,
    ];
    Ok(Roi {
        benefit,
        cost,
        program_cost,
        participant_time_cost: time_cost,
        net,
        roi_percent,
        benefit_cost_ratio,
        payback_months,
        assumptions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Input {
        // A defect rate (lower is better) fell by 0.5 points [-0.8, -0.2]; a point
        // per person-month is worth ¥200; 40 people; 12 months; ¥60,000 of cost
        // lines and 40 × 16 h at ¥50.
        Input {
            effect: -0.5,
            ci_low: -0.8,
            ci_high: -0.2,
            direction: Direction::LowerIsBetter,
            value_per_unit: 200.0,
            people: 40.0,
            months: 12.0,
            program_cost: 60_000.0,
            participant_hours: 640.0,
            hourly_cost: 50.0,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn hand_computed_figures() {
        let r = compute(&input()).unwrap();
        // Monthly benefit 0.5 × 200 × 40 = 4,000 (range 1,600 .. 6,400); × 12.
        assert!(
            close(r.benefit.central, 48_000.0)
                && close(r.benefit.low, 19_200.0)
                && close(r.benefit.high, 76_800.0)
        );
        // Cost 60,000 + 640 × 50 = 92,000.
        assert!(close(r.cost, 92_000.0) && close(r.participant_time_cost, 32_000.0));
        assert!(
            close(r.net.central, -44_000.0)
                && close(r.net.low, -72_800.0)
                && close(r.net.high, -15_200.0)
        );
        let roi = r.roi_percent.unwrap();
        assert!(close(roi.central, -44_000.0 / 92_000.0 * 100.0));
        assert!(close(roi.low, -72_800.0 / 920.0) && close(roi.high, -15_200.0 / 920.0));
        let bcr = r.benefit_cost_ratio.unwrap();
        assert!(close(bcr.central, 48_000.0 / 92_000.0) && close(bcr.high, 76_800.0 / 92_000.0));
        // Payback 92,000 / 4,000 = 23 months; 92,000 / 6,400 = 14.375; / 1,600 = 57.5.
        assert!(close(r.payback_months.central.unwrap(), 23.0));
        assert!(close(r.payback_months.shortest.unwrap(), 14.375));
        assert!(close(r.payback_months.longest.unwrap(), 57.5));
        assert_eq!(r.assumptions.len(), 7);
        assert!(
            r.assumptions
                .contains(&Assumption::Duration { months: 12.0 })
        );
    }

    #[test]
    fn direction_decides_the_sign_of_the_benefit() {
        let higher = compute(&Input {
            direction: Direction::HigherIsBetter,
            ..input()
        })
        .unwrap();
        assert!(close(higher.benefit.central, -48_000.0));
        assert!(close(higher.benefit.low, -76_800.0) && close(higher.benefit.high, -19_200.0));
        // A worsening KPI never pays back.
        assert_eq!(
            higher.payback_months,
            Payback {
                central: None,
                shortest: None,
                longest: None
            }
        );
    }

    #[test]
    fn interval_across_zero_has_an_open_payback_end() {
        let r = compute(&Input {
            ci_low: -0.9,
            ci_high: 0.1,
            ..input()
        })
        .unwrap();
        assert!(r.benefit.low < 0.0 && r.benefit.high > 0.0);
        assert!(r.payback_months.shortest.is_some());
        assert_eq!(r.payback_months.longest, None);
    }

    #[test]
    fn zero_cost_has_no_ratios_and_bad_input_names_the_field() {
        let r = compute(&Input {
            program_cost: 0.0,
            participant_hours: 0.0,
            ..input()
        })
        .unwrap();
        assert_eq!(r.roi_percent, None);
        assert_eq!(r.benefit_cost_ratio, None);
        assert_eq!(r.payback_months.central, Some(0.0));
        assert_eq!(
            compute(&Input {
                months: -1.0,
                ..input()
            })
            .unwrap_err()
            .field,
            "months"
        );
        assert_eq!(
            compute(&Input {
                effect: f64::NAN,
                ..input()
            })
            .unwrap_err()
            .field,
            "effect"
        );
        assert_eq!(
            compute(&Input {
                hourly_cost: f64::INFINITY,
                ..input()
            })
            .unwrap_err()
            .field,
            "hourly_cost"
        );
    }
}
