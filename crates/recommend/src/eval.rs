//! Offline evaluation: ranking metrics, two baselines with the hybrid's interface,
//! and a time split (train on events before a day, score on completions after).

use std::collections::{HashMap, HashSet};

use crate::model::{Model, Recommendation, Scratch};
use crate::types::{
    Catalog, Day, EventKind, Interactions, PeopleMeta, PersonId, PersonProfile, ResourceId,
};
use crate::weights::Weights;

/// Hits among the first `k` recommended, over `k`.
pub fn precision_at_k(recommended: &[ResourceId], relevant: &HashSet<ResourceId>, k: usize) -> f64 {
    if k == 0 {
        return 0.0;
    }
    hits(recommended, relevant, k) as f64 / k as f64
}

/// Hits among the first `k` recommended, over the number of relevant items.
pub fn recall_at_k(recommended: &[ResourceId], relevant: &HashSet<ResourceId>, k: usize) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    hits(recommended, relevant, k) as f64 / relevant.len() as f64
}

/// Normalised discounted cumulative gain with binary relevance: Σ 1/log2(rank+1)
/// over hits in the first `k`, over the same sum for a perfect list.
pub fn ndcg_at_k(recommended: &[ResourceId], relevant: &HashSet<ResourceId>, k: usize) -> f64 {
    let gain = |rank: usize| 1.0 / ((rank + 2) as f64).log2();
    let dcg: f64 = recommended
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, id)| relevant.contains(id))
        .map(|(rank, _)| gain(rank))
        .sum();
    let ideal: f64 = (0..relevant.len().min(k)).map(gain).sum();
    if ideal == 0.0 { 0.0 } else { dcg / ideal }
}

/// Share of the catalogue (`catalogue_size` recommendable items) that appears in at
/// least one list.
pub fn catalogue_coverage(lists: &[Vec<ResourceId>], catalogue_size: usize) -> f64 {
    if catalogue_size == 0 {
        return 0.0;
    }
    let seen: HashSet<ResourceId> = lists.iter().flatten().copied().collect();
    seen.len() as f64 / catalogue_size as f64
}

fn hits(recommended: &[ResourceId], relevant: &HashSet<ResourceId>, k: usize) -> usize {
    recommended
        .iter()
        .take(k)
        .filter(|id| relevant.contains(id))
        .count()
}

/// Anything that can be fitted on past events and rank resources for a person.
pub trait Recommender<'c>: Sized + Sync {
    const NAME: &'static str;
    fn fit(
        catalog: &'c Catalog,
        interactions: &Interactions,
        people: &PeopleMeta,
        as_of: Day,
        weights: &Weights,
    ) -> Self;
    fn recommend_with(
        &self,
        scratch: &mut Scratch,
        profile: &PersonProfile,
        k: usize,
    ) -> Vec<Recommendation>;
    fn scratch(&self) -> Scratch;
}

impl<'c> Recommender<'c> for Model<'c> {
    const NAME: &'static str = "hybrid";

    fn fit(
        catalog: &'c Catalog,
        interactions: &Interactions,
        people: &PeopleMeta,
        as_of: Day,
        weights: &Weights,
    ) -> Self {
        Model::fit(catalog, interactions, people, as_of, weights)
    }

    fn recommend_with(
        &self,
        scratch: &mut Scratch,
        profile: &PersonProfile,
        k: usize,
    ) -> Vec<Recommendation> {
        Model::recommend_with(self, scratch, profile, k)
    }

    fn scratch(&self) -> Scratch {
        Scratch::new(self)
    }
}

/// Baseline: the most used resources company-wide (time-decayed views and
/// completions), minus what the person completed, rejected or may not see.
#[derive(Debug)]
pub struct Popularity<'c>(pub Model<'c>);

/// Baseline: resources for the person's gaps by gap weight and level fit (ties by
/// popularity) — a push rule without peers, business fit or history.
#[derive(Debug)]
pub struct GapOnly<'c>(pub Model<'c>);

impl<'c> Recommender<'c> for Popularity<'c> {
    const NAME: &'static str = "popularity";

    fn fit(
        catalog: &'c Catalog,
        interactions: &Interactions,
        people: &PeopleMeta,
        as_of: Day,
        weights: &Weights,
    ) -> Self {
        let fixed = Weights {
            half_life_days: weights.half_life_days,
            ..Weights::popularity_only()
        };
        Popularity(Model::fit(catalog, interactions, people, as_of, &fixed))
    }

    fn recommend_with(
        &self,
        scratch: &mut Scratch,
        profile: &PersonProfile,
        k: usize,
    ) -> Vec<Recommendation> {
        self.0.recommend_with(scratch, profile, k)
    }

    fn scratch(&self) -> Scratch {
        Scratch::new(&self.0)
    }
}

impl<'c> Recommender<'c> for GapOnly<'c> {
    const NAME: &'static str = "gap-only";

    fn fit(
        catalog: &'c Catalog,
        interactions: &Interactions,
        people: &PeopleMeta,
        as_of: Day,
        weights: &Weights,
    ) -> Self {
        let fixed = Weights {
            half_life_days: weights.half_life_days,
            max_per_skill: weights.max_per_skill,
            ..Weights::gap_only()
        };
        GapOnly(Model::fit(catalog, interactions, people, as_of, &fixed))
    }

    fn recommend_with(
        &self,
        scratch: &mut Scratch,
        profile: &PersonProfile,
        k: usize,
    ) -> Vec<Recommendation> {
        self.0.recommend_with(scratch, profile, k)
    }

    fn scratch(&self) -> Scratch {
        Scratch::new(&self.0)
    }
}

/// Everything an evaluation reads. `profiles` describe people as of the split day
/// (their gaps then).
#[derive(Clone, Copy, Debug)]
pub struct Dataset<'d> {
    pub catalog: &'d Catalog,
    pub interactions: &'d Interactions,
    pub people: &'d PeopleMeta,
    pub profiles: &'d [PersonProfile],
}

/// Mean metrics over the people with at least one completion after the split.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    pub people: usize,
    pub precision: f64,
    pub recall: f64,
    pub ndcg: f64,
    pub coverage: f64,
}

/// Completions on or after `split_day` of resources the person had not completed
/// before it, per person.
pub fn held_out(
    interactions: &Interactions,
    split_day: Day,
) -> HashMap<PersonId, HashSet<ResourceId>> {
    let mut before: HashSet<(PersonId, ResourceId)> = HashSet::new();
    for e in &interactions.events {
        if e.day < split_day && e.kind == EventKind::Completed {
            before.insert((e.person, e.resource));
        }
    }
    let mut after: HashMap<PersonId, HashSet<ResourceId>> = HashMap::new();
    for e in &interactions.events {
        if e.day >= split_day
            && e.kind == EventKind::Completed
            && !before.contains(&(e.person, e.resource))
        {
            after.entry(e.person).or_default().insert(e.resource);
        }
    }
    after
}

/// Fit `R` on the events and improvements before `split_day` (as of that day),
/// recommend `k` to every profile with held-out completions, and average the
/// metrics. Coverage is over the resources available on the split day. Runs on
/// `threads` threads; the result does not depend on their number.
pub fn evaluate_split<'c, R: Recommender<'c>>(
    data: &Dataset<'c>,
    split_day: Day,
    k: usize,
    weights: &Weights,
    threads: usize,
) -> Metrics {
    let train = data.interactions.before(split_day);
    let people = data.people.before(split_day);
    let model = R::fit(data.catalog, &train, &people, split_day, weights);
    drop(train);
    let relevant = held_out(data.interactions, split_day);
    let profiles: Vec<&PersonProfile> = data
        .profiles
        .iter()
        .filter(|p| relevant.contains_key(&p.person))
        .collect();
    let threads = threads.max(1);
    let chunk = profiles.len().div_ceil(threads).max(1);
    let lists: Vec<Vec<ResourceId>> = std::thread::scope(|s| {
        let handles: Vec<_> = profiles
            .chunks(chunk)
            .map(|part| {
                let model = &model;
                s.spawn(move || {
                    let mut scratch = model.scratch();
                    part.iter()
                        .map(|p| {
                            model
                                .recommend_with(&mut scratch, p, k)
                                .into_iter()
                                .map(|r| r.resource)
                                .collect()
                        })
                        .collect::<Vec<Vec<ResourceId>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut m = Metrics {
        people: profiles.len(),
        ..Metrics::default()
    };
    for (p, list) in profiles.iter().zip(&lists) {
        let rel = &relevant[&p.person];
        m.precision += precision_at_k(list, rel, k);
        m.recall += recall_at_k(list, rel, k);
        m.ndcg += ndcg_at_k(list, rel, k);
    }
    if m.people > 0 {
        let n = m.people as f64;
        m.precision /= n;
        m.recall /= n;
        m.ndcg /= n;
    }
    let available = data
        .catalog
        .resources()
        .iter()
        .filter(|r| Catalog::is_available(r, split_day))
        .count();
    m.coverage = catalogue_coverage(&lists, available);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[ResourceId]) -> HashSet<ResourceId> {
        ids.iter().copied().collect()
    }

    #[test]
    fn metrics_on_a_hand_computed_list() {
        let rec = [5, 1, 7, 2];
        let rel = set(&[1, 2, 9]);
        assert_eq!(precision_at_k(&rec, &rel, 4), 0.5);
        assert!((recall_at_k(&rec, &rel, 4) - 2.0 / 3.0).abs() < 1e-12);
        // DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3) + 1/log2(4).
        let dcg = 1.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let ideal = 1.0 + 1.0 / 3f64.log2() + 0.5;
        assert!((ndcg_at_k(&rec, &rel, 4) - dcg / ideal).abs() < 1e-12);
        assert_eq!(ndcg_at_k(&[1, 2, 9], &rel, 3), 1.0);
        assert_eq!(ndcg_at_k(&[], &rel, 3), 0.0);
        assert_eq!(catalogue_coverage(&[vec![1, 2], vec![2, 3]], 6), 0.5);
    }
}
