//! What-if simulation on synthetic forecasts: hours are conserved and the strategies
//! move overflow the way they should.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use forecast::synth::{SynthConfig, generate};
use forecast::{Config, Simulation, Strategy, forecast_all, simulate};

fn conserved(s: &Simulation) {
    for loads in [&s.before, &s.after] {
        let demand: f64 = loads.iter().map(|l| l.demand_hours).sum();
        let held: f64 = loads
            .iter()
            .map(|l| l.hosted_hours + l.overflow_hours)
            .sum();
        assert!(
            (demand - held).abs() < 1e-6 * demand.max(1.0),
            "{demand} vs {held}"
        );
        for l in loads {
            assert!(l.hosted_hours <= l.available_hours + 1e-9, "{l:?}");
            assert!(l.overflow_hours >= 0.0 && l.hosted_hours >= 0.0);
        }
    }
}

#[test]
fn strategies_move_overflow_and_conserve_hours() {
    let series = generate(&SynthConfig::years(60, 2022, 3, 9));
    let mut forecasts = forecast_all(&series, &Config::default()).unwrap();
    // Double every forecast so that some venues overflow.
    for f in &mut forecasts {
        f.weeks.iter_mut().for_each(|w| w.hours *= 2.0);
    }
    let none = simulate(&forecasts, &[]);
    conserved(&none);
    assert_eq!(none.before, none.after);
    assert!(none.overflow_before > 0.0);

    let busiest = none
        .before
        .iter()
        .max_by(|a, b| a.overflow_hours.total_cmp(&b.overflow_hours))
        .unwrap();
    let venue = forecasts
        .iter()
        .find(|f| f.venue.id == busiest.venue)
        .unwrap();
    let add = Strategy::AddVenue {
        id: 1000,
        kind: venue.venue.kind.clone(),
        site: venue.venue.site.clone(),
        weekly_hours: 40.0,
    };
    let added = simulate(&forecasts, &[add]);
    conserved(&added);
    assert!(added.overflow_after < added.overflow_before);
    assert_eq!(added.after.len(), added.before.len() + 13);

    let removed = simulate(
        &forecasts,
        &[Strategy::RemoveVenue {
            venue: busiest.venue,
        }],
    );
    conserved(&removed);
    assert!(removed.overflow_after > removed.overflow_before);
    assert!(
        removed
            .after
            .iter()
            .filter(|l| l.venue == busiest.venue)
            .all(|l| l.hosted_hours == 0.0)
    );

    let department = venue.venue.department_shares[0].0;
    let halved = simulate(
        &forecasts,
        &[Strategy::ScaleDepartment {
            department,
            factor: 0.5,
        }],
    );
    conserved(&halved);
    assert!(halved.overflow_after <= halved.overflow_before);
    let demand =
        |loads: &[forecast::VenueWeekLoad]| -> f64 { loads.iter().map(|l| l.demand_hours).sum() };
    assert!(demand(&halved.after) < demand(&halved.before));
}
