//! A generator of realistic KPI panels with a known, planted training effect.
//!
//! Monthly KPI of person p (department d, position s) in month t:
//!
//! ```text
//! y = base_s + α_p + γ_d + seasonality_s(t) + drift·t   (levels, season, drift)
//!   + δ_d(t)            department shock, AR(1) ρ 0.8 (a bad quarter in one department)
//!   + u_p(t)            person's transitory spell, AR(1) ρ 0.6 (regression to the mean)
//!   + ε                 measurement noise
//!   + effect            for trained people from the month after completion on
//!   + pre_shift         for trained people in the `pre_late` months and after (a
//!                       planted pre-trend: they were already improving)
//! ```
//!
//! Positions span departments. Several cohorts complete at different months; in
//! each, people are picked by a department propensity and by weak recent
//! performance (low mean and falling trend over the pre-period as a manager would
//! see it, or the last three months only), never twice. Months go missing at
//! random and some people join late (no pre-period).

#![allow(dead_code)]

use analytics::effect::{Options, Segment, Unit, Window};

/// splitmix64 with Box-Muller normals.
pub struct Rng(u64, Option<f64>);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x1234_5678_9ABC_DEF0, None)
    }
    pub fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.1.take() {
            return z;
        }
        let (a, b) = (self.uniform(), self.uniform());
        let r = (-2.0 * a.ln()).sqrt();
        let (s, c) = (2.0 * std::f64::consts::PI * b).sin_cos();
        self.1 = Some(r * s);
        r * c
    }
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.u64()) * n as u128) >> 64) as usize
    }
}

/// What a manager looks at when picking people for training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Selection {
    /// Mean and trend over the whole pre-period.
    PrePeriod,
    /// Mean of the last three months before nomination only.
    Recent,
    /// Mean and trend over the whole pre-period up to completion (a short course:
    /// nominated in the month it ends).
    Late,
    /// Nobody is picked on performance (department propensity only).
    None,
}

#[derive(Debug, Clone)]
pub struct Scenario {
    pub departments: usize,
    pub positions: usize,
    pub people: usize,
    pub months: i32,
    /// Completion months of the cohorts.
    pub cohorts: Vec<i32>,
    pub trained_per_cohort: usize,
    /// Planted effect per person-month after completion.
    pub effect: f64,
    /// Planted pre-trend: trained people's shift from the start of `pre_late`.
    pub pre_shift: f64,
    pub selection: Selection,
    /// Weight of weak performance in the pick (log-odds per SD).
    pub selection_strength: f64,
    /// Probability that a month's value is missing.
    pub missing: f64,
    /// Share of people who join after the first cohort's pre-period starts.
    pub late_joiners: f64,
    pub sd_department_shock: f64,
    pub sd_transitory: f64,
    pub sd_noise: f64,
    /// Comparison candidates are people never trained, instead of people not (yet)
    /// trained by the end of the post-period (which the store should pass).
    pub never_trained_controls: bool,
    /// `Unit::stratum` holds the department instead of the position.
    pub stratify_by_department: bool,
    pub options: Options,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            departments: 24,
            positions: 4,
            people: 2400,
            months: 60,
            cohorts: vec![20, 27, 34, 41],
            trained_per_cohort: 60,
            effect: 2.0,
            pre_shift: 0.0,
            selection: Selection::PrePeriod,
            selection_strength: 1.5,
            missing: 0.05,
            late_joiners: 0.04,
            sd_department_shock: 1.0,
            sd_transitory: 2.5,
            sd_noise: 1.5,
            never_trained_controls: false,
            stratify_by_department: false,
            options: Options {
                replications: 200,
                ..Options::default()
            },
        }
    }
}

/// One generated data set: the estimator's inputs and the planted truth.
pub struct Data {
    pub trained: Vec<Unit>,
    pub candidates: Vec<Unit>,
}

impl Scenario {
    pub fn generate(&self, seed: u64) -> Data {
        let mut rng = Rng::new(seed);
        let m = self.months as usize;
        let dept_level: Vec<f64> = (0..self.departments).map(|_| 3.0 * rng.normal()).collect();
        let dept_propensity: Vec<f64> = (0..self.departments).map(|_| 0.7 * rng.normal()).collect();
        // Department shocks: AR(1) over the months.
        let mut dept_shock = vec![vec![0.0; m]; self.departments];
        for shocks in &mut dept_shock {
            let mut s = rng.normal() * self.sd_department_shock / (1.0f64 - 0.64).sqrt();
            for v in shocks.iter_mut() {
                s = 0.8 * s + self.sd_department_shock * rng.normal();
                *v = s;
            }
        }
        let season = |s: usize, t: usize| {
            let phase = 2.0 * std::f64::consts::PI * (t % 12) as f64 / 12.0;
            (1.5 + s as f64) * phase.sin() + 1.0 * phase.cos()
        };

        struct Person {
            dept: usize,
            pos: usize,
            start: usize,
            y: Vec<f64>,
            missing: Vec<bool>,
        }
        let first_pre = (self.cohorts.iter().min().copied().unwrap_or(0)
            - self.options.pre_months as i32)
            .max(0) as usize;
        let mut people: Vec<Person> = (0..self.people)
            .map(|_| {
                let dept = rng.below(self.departments);
                let pos = rng.below(self.positions);
                let start = if rng.uniform() < self.late_joiners {
                    first_pre + 6 + rng.below(m - first_pre - 6)
                } else {
                    0
                };
                let alpha = 5.0 * rng.normal();
                let base = 60.0 + 4.0 * pos as f64 + dept_level[dept] + alpha;
                let mut u = rng.normal() * self.sd_transitory / (1.0f64 - 0.36).sqrt();
                let mut y = Vec::with_capacity(m);
                let mut missing = Vec::with_capacity(m);
                for (t, shock) in dept_shock[dept].iter().enumerate() {
                    u = 0.6 * u + self.sd_transitory * rng.normal();
                    y.push(
                        base + season(pos, t)
                            + 0.05 * t as f64
                            + shock
                            + u
                            + self.sd_noise * rng.normal(),
                    );
                    missing.push(t < start || rng.uniform() < self.missing);
                }
                Person {
                    dept,
                    pos,
                    start,
                    y,
                    missing,
                }
            })
            .collect();

        // Cohorts: pick people by weak performance and department propensity
        // (Gumbel-top-k = sampling without replacement with odds ∝ exp(score)).
        let pre = self.options.pre_months as i32;
        let mut trained_at: Vec<Option<i32>> = vec![None; self.people];
        for &anchor in &self.cohorts {
            // Nomination happens when the program starts, `placebo_months` before
            // completion: the manager sees the months before that.
            let enrol = anchor - self.options.placebo_months as i32;
            let view = |p: &Person| -> Option<(f64, f64)> {
                let (from, to) = match self.selection {
                    Selection::Recent => (enrol - 3, enrol),
                    Selection::Late => (anchor - pre, anchor),
                    _ => (anchor - pre, enrol),
                };
                let pts: Vec<(f64, f64)> = (from.max(0)..to)
                    .filter(|&t| !p.missing[t as usize])
                    .map(|t| (f64::from(t), p.y[t as usize]))
                    .collect();
                if pts.len() < 2 {
                    return None;
                }
                let n = pts.len() as f64;
                let mt = pts.iter().map(|p| p.0).sum::<f64>() / n;
                let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
                let stt: f64 = pts.iter().map(|p| (p.0 - mt).powi(2)).sum();
                let sty: f64 = pts.iter().map(|p| (p.0 - mt) * (p.1 - my)).sum();
                Some((my, sty / stt))
            };
            // Standardise the manager's view within position.
            let views: Vec<Option<(f64, f64)>> = people.iter().map(view).collect();
            let mut pos_stats = vec![(0.0, 0.0, 0.0, 0.0, 0.0); self.positions];
            for (p, v) in people.iter().zip(&views) {
                if let Some((l, s)) = v {
                    let e = &mut pos_stats[p.pos];
                    e.0 += 1.0;
                    e.1 += l;
                    e.2 += l * l;
                    e.3 += s;
                    e.4 += s * s;
                }
            }
            let z = |pos: usize, l: f64, s: f64| {
                let e = pos_stats[pos];
                let (ml, ms) = (e.1 / e.0, e.3 / e.0);
                let (sl, ss) = ((e.2 / e.0 - ml * ml).sqrt(), (e.4 / e.0 - ms * ms).sqrt());
                ((l - ml) / sl, (s - ms) / ss)
            };
            let mut scored: Vec<(f64, usize)> = people
                .iter()
                .enumerate()
                .filter(|(i, p)| {
                    trained_at[*i].is_none()
                        && views[*i].is_some()
                        && p.start as i32 <= anchor - pre
                })
                .map(|(i, p)| {
                    let (l, s) = views[i].unwrap();
                    let (zl, zs) = z(p.pos, l, s);
                    let weak = match self.selection {
                        Selection::PrePeriod | Selection::Late => -(zl + 0.5 * zs),
                        Selection::Recent => -zl,
                        Selection::None => 0.0,
                    };
                    let gumbel = -(-rng.uniform().ln()).ln();
                    (
                        self.selection_strength * weak + dept_propensity[p.dept] + gumbel,
                        i,
                    )
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            for &(_, i) in scored.iter().take(self.trained_per_cohort) {
                trained_at[i] = Some(anchor);
            }
        }
        // Apply the planted effect and pre-shift.
        let placebo = self.options.placebo_months as i32;
        for (p, at) in people.iter_mut().zip(&trained_at) {
            if let Some(a) = *at {
                for t in (a - placebo).max(0)..self.months {
                    p.y[t as usize] += self.pre_shift;
                }
                for t in (a + 1)..self.months {
                    p.y[t as usize] += self.effect;
                }
            }
        }

        let unit = |i: usize, p: &Person, anchor: i32| -> Unit {
            let mut w = Window::default();
            let post = self.options.post_months as i32;
            for rel in -pre..=post {
                let t = anchor + rel;
                if rel == 0 || t < 0 || t >= self.months || p.missing[t as usize] {
                    continue;
                }
                let seg: &mut Segment = if rel > 0 {
                    &mut w.post
                } else if rel >= -placebo {
                    &mut w.pre_late
                } else {
                    &mut w.pre_early
                };
                let (rt, y) = (f64::from(rel), p.y[t as usize]);
                seg.n += 1;
                seg.sum_y += y;
                seg.sum_t += rt;
                seg.sum_tt += rt * rt;
                seg.sum_ty += rt * y;
            }
            let stratum = if self.stratify_by_department {
                p.dept
            } else {
                p.pos
            } as i64
                + 1;
            Unit {
                person: i as i64 + 1,
                cluster: p.dept as i64 + 1,
                stratum,
                anchor,
                window: w,
            }
        };
        let mut data = Data {
            trained: Vec::new(),
            candidates: Vec::new(),
        };
        let post = self.options.post_months as i32;
        for (i, p) in people.iter().enumerate() {
            if let Some(a) = trained_at[i] {
                data.trained.push(unit(i, p, a));
            }
            for &a in &self.cohorts {
                let untrained = match trained_at[i] {
                    None => true,
                    Some(_) if self.never_trained_controls => false,
                    Some(own) => own > a + post,
                };
                if untrained {
                    data.candidates.push(unit(i, p, a));
                }
            }
        }
        data
    }
}
