//! Resource efficiency index (资源效能指数) per instructor, vendor or course.
//!
//! Input: deliveries (a session, a class), each with the hours taught and the
//! measured gains of its learners, e.g. [`normalised_gain`] of pre- and post-test
//! scores, or each learner's KPI effect. For an entity (instructor, vendor, course)
//!
//! ```text
//! gain(entity) = Σ_deliveries hours × mean learner gain / Σ_deliveries hours
//! index        = 100 × gain(entity) / gain(company)
//! ```
//!
//! where the company's gain is the same hours-weighted mean over all deliveries
//! given. So 100 is the company baseline; 120 means 20% more gain per hour taught
//! than the company as a whole. Hours weight deliveries (a 16-hour course counts
//! eight times a 2-hour one); within a delivery every learner counts the same. A
//! delivery without hours or without learners carries no information and is left
//! out. When the baseline gain is not positive an index is meaningless (`None`).

use std::collections::{BTreeMap, BTreeSet};

/// Normalised gain `(post − pre) / (max − pre)`: the share of the possible
/// improvement achieved. `None` when the pre-test score is already at the maximum
/// or a value is not a number.
pub fn normalised_gain(pre: f64, post: f64, max: f64) -> Option<f64> {
    let room = max - pre;
    (room > 0.0 && pre.is_finite() && post.is_finite()).then(|| (post - pre) / room)
}

/// One delivery by an instructor, vendor or of a course.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery<K> {
    /// The instructor, vendor or course.
    pub key: K,
    pub hours: f64,
    /// Each learner's measured gain.
    pub gains: Vec<f64>,
}

/// One entity's index.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<K> {
    pub key: K,
    /// Hours taught in deliveries with measured gains.
    pub hours: f64,
    pub learners: usize,
    /// Hours-weighted mean gain.
    pub gain: f64,
    /// 100 × gain / company gain; `None` when the company gain is not positive.
    pub index: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report<K> {
    /// Hours-weighted mean gain over all deliveries (the baseline, index 100).
    pub baseline_gain: f64,
    /// Sorted by key.
    pub entries: Vec<Entry<K>>,
}

/// Index of every entity among the deliveries; see the module documentation.
pub fn index<K: Ord + Clone>(deliveries: &[Delivery<K>]) -> Report<K> {
    // Per entity: Σ hours, Σ hours × mean gain, learners.
    let mut sums: BTreeMap<K, (f64, f64, usize)> = BTreeMap::new();
    let (mut hours_all, mut weighted_all) = (0.0, 0.0);
    for d in deliveries {
        let gains: Vec<f64> = d.gains.iter().copied().filter(|g| g.is_finite()).collect();
        if !(d.hours.is_finite() && d.hours > 0.0) || gains.is_empty() {
            continue;
        }
        let mean = gains.iter().sum::<f64>() / gains.len() as f64;
        let e = sums.entry(d.key.clone()).or_default();
        e.0 += d.hours;
        e.1 += d.hours * mean;
        e.2 += gains.len();
        hours_all += d.hours;
        weighted_all += d.hours * mean;
    }
    let baseline_gain = if hours_all > 0.0 {
        weighted_all / hours_all
    } else {
        0.0
    };
    let entries = sums
        .into_iter()
        .map(|(key, (hours, weighted, learners))| {
            let gain = weighted / hours;
            let index = (baseline_gain > 0.0).then(|| 100.0 * gain / baseline_gain);
            Entry {
                key,
                hours,
                learners,
                gain,
                index,
            }
        })
        .collect();
    Report {
        baseline_gain,
        entries,
    }
}

/// Vendors whose index was below the baseline (100) in two consecutive periods.
///
/// Input rows are `(period, vendor, index)` with periods that sort in time order
/// (e.g. `"2026-Q1"` or a month number). "Consecutive" means adjacent among all
/// periods present in the input: a vendor without a row in a period (no
/// deliveries) breaks its run. Returned sorted, each vendor once.
pub fn flag_vendors<P: Ord + Clone, V: Ord + Clone>(periods: &[(P, V, f64)]) -> Vec<V> {
    let order: BTreeMap<P, usize> = periods
        .iter()
        .map(|(p, _, _)| p.clone())
        .collect::<BTreeSet<P>>()
        .into_iter()
        .enumerate()
        .map(|(i, p)| (p, i))
        .collect();
    let mut below: BTreeSet<(V, usize)> = BTreeSet::new();
    for (p, v, index) in periods {
        if *index < 100.0 {
            below.insert((v.clone(), order[p]));
        }
    }
    let mut flagged: BTreeSet<V> = BTreeSet::new();
    for (v, i) in &below {
        if below.contains(&(v.clone(), i + 1)) {
            flagged.insert(v.clone());
        }
    }
    flagged.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_gain_is_share_of_possible_improvement() {
        assert_eq!(normalised_gain(60.0, 80.0, 100.0), Some(0.5));
        assert_eq!(normalised_gain(80.0, 70.0, 100.0), Some(-0.5));
        assert_eq!(normalised_gain(100.0, 100.0, 100.0), None);
        assert_eq!(normalised_gain(f64::NAN, 100.0, 100.0), None);
    }

    #[test]
    fn hand_computed_index() {
        let d = |key: &'static str, hours: f64, gains: &[f64]| Delivery {
            key,
            hours,
            gains: gains.to_vec(),
        };
        let report = index(&[
            d("li", 10.0, &[0.2, 0.4]), // mean 0.3
            d("li", 30.0, &[0.5]),      // mean 0.5
            d("wang", 20.0, &[0.1, 0.3, 0.2]),
            d("zhao", 0.0, &[0.9]), // no hours: left out
            d("zhou", 5.0, &[]),    // no learners: left out
        ]);
        // li: (10 × 0.3 + 30 × 0.5) / 40 = 0.45; wang: 0.2;
        // company: (3 + 15 + 4) / 60 = 0.366…
        let baseline = 22.0 / 60.0;
        assert!((report.baseline_gain - baseline).abs() < 1e-12);
        assert_eq!(report.entries.len(), 2);
        let li = &report.entries[0];
        assert_eq!((li.key, li.hours, li.learners), ("li", 40.0, 3));
        assert!((li.gain - 0.45).abs() < 1e-12);
        assert!((li.index.unwrap() - 100.0 * 0.45 / baseline).abs() < 1e-9);
        let wang = &report.entries[1];
        assert!((wang.index.unwrap() - 100.0 * 0.2 / baseline).abs() < 1e-9);
        // The hours-weighted mean of the indices is 100 by construction.
        let mean: f64 = report
            .entries
            .iter()
            .map(|e| e.hours * e.index.unwrap())
            .sum::<f64>()
            / 60.0;
        assert!((mean - 100.0).abs() < 1e-9);
    }

    #[test]
    fn no_positive_baseline_means_no_index() {
        let report = index(&[Delivery {
            key: 1,
            hours: 2.0,
            gains: vec![-0.1],
        }]);
        assert_eq!(report.entries[0].index, None);
        assert_eq!(index::<u8>(&[]).baseline_gain, 0.0);
    }

    #[test]
    fn vendors_below_baseline_twice_in_a_row_are_flagged() {
        let rows = [
            (1, "acme", 95.0),
            (2, "acme", 99.0), // 1 and 2: flagged
            (1, "best", 90.0),
            (2, "best", 110.0),
            (3, "best", 80.0),
            (1, "core", 70.0), // no row in 2: the run is broken
            (3, "core", 70.0),
            (3, "dyn", 100.0), // at the baseline is not below it
            (4, "dyn", 99.0),
            (4, "acme", 120.0),
            (3, "edge", 50.0),
            (4, "edge", 60.0),
        ];
        assert_eq!(flag_vendors(&rows), vec!["acme", "edge"]);
        assert!(flag_vendors::<i32, &str>(&[]).is_empty());
    }
}
