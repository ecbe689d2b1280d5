//! Forecasts on hand-made series: exact cases, fallbacks, limits and errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use forecast::synth::{SynthConfig, generate, working_days};
use forecast::{
    Config, Error, GroupBy, Method, Observed, Planned, Series, Venue, Week, forecast, forecast_all,
    forecast_groups, group_series, proposals,
};
use std::f64::consts::TAU;

fn venue(id: i64) -> Venue {
    Venue {
        id,
        kind: "classroom".into(),
        site: "HQ".into(),
        department_shares: vec![(3, 1.0)],
    }
}

/// `weeks` of history from 2022-W01 and 13 future weeks, with the synthetic calendar,
/// 8 hours a working day and booked hours `booked(week, available)`.
fn series(id: i64, weeks: usize, booked: impl Fn(Week, f64) -> f64) -> Series {
    let start = Week::new(2022, 1).unwrap();
    let history = (0..weeks)
        .map(|t| {
            let week = start.plus(t as i64);
            let wd = working_days(week);
            let available = 8.0 * f64::from(wd);
            Observed {
                week,
                booked_hours: booked(week, available),
                working_days: wd,
                available_hours: available,
            }
        })
        .collect();
    let future = (0..13)
        .map(|j| {
            let week = start.plus((weeks + j) as i64);
            let wd = working_days(week);
            Planned {
                week,
                working_days: wd,
                available_hours: 8.0 * f64::from(wd),
                known_hours: 0.0,
            }
        })
        .collect();
    Series {
        venue: venue(id),
        history,
        future,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * (1.0 + b.abs())
}

#[test]
fn constant_utilisation_scales_with_working_days() {
    // Half the available hours every week: a short week books proportionally less,
    // and the forecast of a holiday week (春节 2024-W07 has no working days) is zero.
    let s = series(1, 109, |_, available| 0.5 * available);
    let f = forecast(&s, &Config::default()).unwrap();
    assert!(matches!(f.method, Method::Seasonal { .. }));
    for w in &f.weeks {
        assert!(close(w.hours, 0.5 * w.available_hours), "{w:?}");
        assert!(close(w.lower, w.hours) && close(w.upper, w.hours), "{w:?}");
        assert!(close(w.utilisation().unwrap_or(0.5), 0.5));
    }
    let spring = |week| {
        f.weeks
            .iter()
            .find(|w| w.week == Week::new(2024, week).unwrap())
            .unwrap()
    };
    assert_eq!(spring(7).hours, 0.0);
    assert_eq!(spring(7).utilisation(), None);
    assert!(close(spring(6).hours, 0.5 * 4.0 * 8.0));
}

#[test]
fn a_yearly_sine_is_forecast_exactly() {
    // Utilisation 0.5 + 0.3·sin(2π·phase): exactly one harmonic of the model's cycle.
    let u = |w: Week| 0.5 + 0.3 * (TAU * w.year_phase()).sin();
    let s = series(1, 156, |w, available| u(w) * available);
    let f = forecast(&s, &Config::default()).unwrap();
    assert_eq!(f.method, Method::Seasonal { harmonics: 1 });
    for w in &f.weeks {
        let expected = u(w.week) * w.available_hours;
        assert!(
            close(w.hours, expected),
            "{} {} {expected}",
            w.week,
            w.hours
        );
        assert!(w.upper - w.lower < 1e-4, "{w:?}");
    }
}

#[test]
fn short_histories_fall_back_to_simpler_models() {
    let cases = [
        (0, Method::Empty),
        (5, Method::Mean),
        (30, Method::Level),
        (51, Method::Level),
    ];
    for (weeks, method) in cases {
        let s = series(1, weeks, |w, a| a * (0.3 + 0.01 * f64::from(w.week() % 7)));
        let f = forecast(&s, &Config::default()).unwrap();
        assert_eq!(f.method, method, "{weeks} weeks");
        assert_eq!(f.weeks.len(), 13);
        if weeks > 0 {
            for w in &f.weeks {
                let u = w.utilisation().unwrap_or(0.33);
                assert!((0.29..=0.37).contains(&u), "{weeks}: {w:?}");
                assert!(w.lower <= w.hours && w.hours <= w.upper);
            }
        }
    }
    let s = series(1, 60, |_, a| 0.4 * a);
    match forecast(&s, &Config::default()).unwrap().method {
        Method::Seasonal { harmonics } => assert!(harmonics <= 3),
        other => panic!("60 weeks gave {other:?}"),
    }
}

#[test]
fn an_empty_history_forecasts_the_known_load() {
    let mut s = series(1, 0, |_, _| 0.0);
    s.future[2].known_hours = 12.0;
    let f = forecast(&s, &Config::default()).unwrap();
    assert_eq!(f.weeks[0].hours, 0.0);
    assert_eq!(f.weeks[0].upper, f.weeks[0].available_hours);
    assert_eq!(f.weeks[2].hours, 12.0);
    assert_eq!(f.weeks[2].lower, 12.0);
}

#[test]
fn known_load_is_a_floor() {
    let mut s = series(1, 104, |_, a| 0.2 * a);
    s.future[0].known_hours = 35.0;
    s.future[1].known_hours = 1.0;
    let f = forecast(&s, &Config::default()).unwrap();
    assert_eq!(f.weeks[0].hours, 35.0);
    assert_eq!(f.weeks[0].lower, 35.0);
    assert!(f.weeks[0].upper >= 35.0);
    assert!(close(f.weeks[1].hours, 0.2 * f.weeks[1].available_hours));
}

#[test]
fn sparse_and_synthetic_forecasts_are_never_negative() {
    // Booked 4 hours once every nine weeks, else nothing.
    let s = series(1, 156, |w, _| if w.monday() % 63 == 4 { 4.0 } else { 0.0 });
    let mut all = vec![forecast(&s, &Config::default()).unwrap()];
    let synth = generate(&SynthConfig::years(120, 2021, 3, 11));
    all.extend(forecast_all(&synth, &Config::default()).unwrap());
    for by in [GroupBy::Kind, GroupBy::Site, GroupBy::KindAndSite] {
        all.extend(forecast_groups(&synth, by, &Config::default()).unwrap());
    }
    for f in &all {
        for w in &f.weeks {
            assert!(
                w.lower >= 0.0 && w.lower <= w.hours && w.hours <= w.upper,
                "{w:?}"
            );
            assert!(w.upper.is_finite() && w.hours >= w.known_hours);
        }
    }
    assert!(all[0].weeks.iter().all(|w| w.lower == 0.0 && w.hours < 2.0));
}

#[test]
fn groups_sum_their_venues() {
    let synth = generate(&SynthConfig::years(40, 2022, 2, 5));
    let by_site = group_series(&synth, GroupBy::Site);
    let sites: std::collections::BTreeSet<_> = synth.iter().map(|s| s.venue.site.clone()).collect();
    assert_eq!(by_site.len(), sites.len());
    let mut total_booked = 0.0;
    for g in &by_site {
        assert!(g.venue.kind.is_empty());
        let members: Vec<_> = synth
            .iter()
            .filter(|s| s.venue.site == g.venue.site)
            .collect();
        for (t, o) in g.history.iter().enumerate() {
            let booked: f64 = members.iter().map(|m| m.history[t].booked_hours).sum();
            let available: f64 = members.iter().map(|m| m.history[t].available_hours).sum();
            assert!(close(o.booked_hours, booked) && close(o.available_hours, available));
            total_booked += o.booked_hours;
        }
        let known: f64 = members.iter().map(|m| m.future[0].known_hours).sum();
        assert!(close(g.future[0].known_hours, known));
        let shares: f64 = g.venue.department_shares.iter().map(|s| s.1).sum();
        assert!(close(shares, 1.0));
    }
    let all: f64 = synth
        .iter()
        .flat_map(|s| &s.history)
        .map(|o| o.booked_hours)
        .sum();
    assert!(close(total_booked, all));

    // A group of one venue forecasts exactly as the venue does.
    let one = &synth[..1];
    let g = forecast_groups(one, GroupBy::KindAndSite, &Config::default()).unwrap();
    let v = forecast(&one[0], &Config::default()).unwrap();
    assert_eq!(g[0].weeks, v.weeks);

    // Group totals stay close to the sum of their venues' forecasts.
    let config = Config::default();
    let venues = forecast_all(&synth, &config).unwrap();
    for g in forecast_groups(&synth, GroupBy::Site, &config).unwrap() {
        let group: f64 = g.weeks.iter().map(|w| w.hours).sum();
        let sum: f64 = venues
            .iter()
            .filter(|f| f.venue.site == g.venue.site)
            .flat_map(|f| &f.weeks)
            .map(|w| w.hours)
            .sum();
        assert!(
            (group / sum - 1.0).abs() < 0.1,
            "{}: {group} vs {sum}",
            g.venue.site
        );
    }
}

#[test]
fn proposals_pick_busy_weeks_and_reserve_what_fits() {
    let busy = series(1, 104, |_, a| 0.95 * a);
    let quiet = series(2, 104, |_, a| 0.4 * a);
    let mut over = series(3, 104, |_, a| 0.5 * a);
    over.future[3].known_hours = 60.0;
    let f = forecast_all(&[busy, quiet, over], &Config::default()).unwrap();
    let p = proposals(&f, forecast::DEFAULT_THRESHOLD);
    // Venue 1 in every open week, venue 3 in the week its known load exceeds capacity.
    let open = f[0]
        .weeks
        .iter()
        .filter(|w| w.available_hours > 0.0)
        .count();
    assert_eq!(p.iter().filter(|p| p.venue == 1).count(), open);
    assert!(p.iter().all(|p| p.venue != 2));
    let o = p.iter().find(|p| p.venue == 3).unwrap();
    assert_eq!(o.week, f[2].weeks[3].week);
    assert!(close(o.reserve_hours, o.available_hours));
    assert!(close(o.overflow_hours, 60.0 - o.available_hours));
    assert!(p.windows(2).all(|w| w[0].week <= w[1].week));
    for p in p.iter().filter(|p| p.venue == 1) {
        assert!(close(p.reserve_hours, 0.95 * p.available_hours));
        assert!(close(p.utilisation, 0.95));
    }
    assert!(proposals(&f, 0.99).iter().all(|p| p.venue == 3));
}

#[test]
fn invalid_input_is_refused() {
    let config = Config::default();
    let mut s = series(7, 20, |_, a| 0.5 * a);
    s.history.remove(10);
    assert!(matches!(
        forecast(&s, &config),
        Err(Error::NotConsecutive { venue: 7, .. })
    ));

    let mut s = series(7, 20, |_, a| 0.5 * a);
    s.future.remove(0);
    assert!(matches!(
        forecast(&s, &config),
        Err(Error::NotConsecutive { .. })
    ));

    let mut s = series(7, 20, |_, a| 0.5 * a);
    s.history[3].booked_hours = f64::NAN;
    assert!(matches!(
        forecast(&s, &config),
        Err(Error::InvalidValue { .. })
    ));
    s.history[3].booked_hours = -1.0;
    assert!(matches!(
        forecast(&s, &config),
        Err(Error::InvalidValue { .. })
    ));

    let mut s = series(7, 20, |_, a| 0.5 * a);
    s.future.truncate(5);
    assert_eq!(
        forecast(&s, &config),
        Err(Error::ShortCalendar {
            venue: 7,
            weeks: 5,
            horizon: 13
        })
    );
    let short = Config {
        horizon: 5,
        ..config
    };
    assert_eq!(forecast(&s, &short).unwrap().weeks.len(), 5);
    let bad = Config {
        coverage: 1.0,
        ..config
    };
    assert_eq!(forecast(&s, &bad), Err(Error::InvalidConfig));
}
