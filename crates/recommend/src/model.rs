//! The hybrid model: precomputed statistics ([`Model::fit`]) and per-person
//! ranking ([`Model::recommend`]) over a small candidate set.

use std::collections::HashMap;

use crate::reason::{BusinessReason, GapReason, PeerReason, Reason, TagMatch};
use crate::types::{
    Catalog, Day, EventKind, Gap, Interactions, PeopleMeta, PersonId, PersonProfile, PositionId,
    ResourceId, SkillId, TagId,
};
use crate::weights::Weights;

/// Every part of a recommendation's score before weighting. `score` in
/// [`Recommendation`] is the weighted sum minus `diversity_penalty`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ScoreParts {
    /// Σ over open gaps of (gap weight / person's largest gap weight) × level fit.
    pub gap: f32,
    /// 0.4 × suitable for the position + 0.6 × share of the resource's business
    /// tags that are the person's duty or project tags.
    pub business: f32,
    /// Same-position people who improved one of the person's gap skills after it
    /// (decayed count n, as n / (n + 2)), times that gap's relative weight and the
    /// level fit of the resource for this person.
    pub peers: f32,
    /// Co-occurrence with the person's recent completions (at most 1).
    pub co_occurrence: f32,
    /// Smoothed mean rating, -1 (all 1s) .. 1 (all 5s); 0 without ratings.
    pub feedback: f32,
    /// Decayed views and completions, log-scaled to 0..1, blended company-wide and
    /// within the position.
    pub popularity: f32,
    /// 1 on the day of publication, halving every `freshness_half_life_days`.
    pub freshness: f32,
    /// `diversity` × number of already chosen items with the same main skill.
    pub diversity_penalty: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    pub resource: ResourceId,
    pub score: f32,
    pub parts: ScoreParts,
    pub reason: Reason,
}

#[derive(Clone, Copy, Debug)]
struct PeerUse {
    resource: u32,
    people: u32,
    weight: f32,
}

/// Precomputed statistics over the catalogue and everyone's learning events, as of
/// one day. Build it once per refresh; ranking one person only reads it.
#[derive(Debug)]
pub struct Model<'c> {
    catalog: &'c Catalog,
    weights: Weights,
    as_of: Day,
    available: Vec<bool>,
    /// Company-wide decayed popularity, log-scaled to 0..1.
    popularity: Vec<f32>,
    quality: Vec<f32>,
    by_skill_level: HashMap<(SkillId, u8), Vec<u32>>,
    by_tag: HashMap<TagId, Vec<u32>>,
    global_top: Vec<u32>,
    /// Per position: its most popular resources (index, 0..1), sorted by index.
    position_popularity: HashMap<PositionId, Vec<(u32, f32)>>,
    peers: HashMap<(PositionId, SkillId), Vec<PeerUse>>,
    neighbour_start: Vec<u32>,
    neighbours: Vec<(u32, f32)>,
    people: HashMap<PersonId, u32>,
    /// Per person: completions (resource index, day), oldest first.
    completed_start: Vec<u32>,
    completed: Vec<(u32, Day)>,
    /// Per person: completed or "not interested" resource indices, sorted.
    excluded_start: Vec<u32>,
    excluded: Vec<u32>,
}

/// Reusable per-thread working memory for [`Model::recommend_with`].
#[derive(Debug)]
pub struct Scratch {
    slot: Vec<u32>,
    touched: Vec<u32>,
    candidates: Vec<Candidate>,
}

impl Scratch {
    pub fn new(model: &Model<'_>) -> Self {
        Scratch {
            slot: vec![FREE; model.catalog.len()],
            touched: Vec::new(),
            candidates: Vec::new(),
        }
    }
}

impl Scratch {
    /// The candidate slot of resource `ri`, adding it if `allowed`.
    fn admit(&mut self, ri: u32, allowed: impl Fn(u32) -> bool) -> Option<usize> {
        match self.slot[ri as usize] {
            REJECTED => return None,
            FREE => {}
            at => return Some(at as usize),
        }
        self.touched.push(ri);
        if !allowed(ri) {
            self.slot[ri as usize] = REJECTED;
            return None;
        }
        self.slot[ri as usize] = self.candidates.len() as u32;
        self.candidates.push(Candidate {
            ri,
            co: 0.0,
            co_best: 0.0,
            co_from: NONE,
            peers: 0.0,
            peer_best: 0.0,
            peer_people: 0,
            peer_gap: NONE,
            parts: ScoreParts::default(),
            total: 0.0,
            gap_best: NONE,
            gap_level: 0,
            main_skill: None,
            position_share: 0.0,
        });
        Some(self.candidates.len() - 1)
    }
}

const FREE: u32 = u32::MAX;
const REJECTED: u32 = u32::MAX - 1;
const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Candidate {
    ri: u32,
    co: f32,
    co_best: f32,
    co_from: u32,
    peers: f32,
    peer_best: f32,
    peer_people: u32,
    peer_gap: u32,
    parts: ScoreParts,
    total: f32,
    gap_best: u32,
    gap_level: u8,
    main_skill: Option<SkillId>,
    position_share: f32,
}

/// How well a resource at `level` fits a gap from `current` to `required`: the
/// next level up is what the person can learn now; two levels up is a stretch;
/// at or below the current level, or further up, it is no help.
pub fn level_fit(level: u8, current: u8, required: u8) -> f32 {
    if level <= current {
        return 0.0;
    }
    match level - current {
        1 => 1.0,
        2 if level <= required => 0.25,
        2 => 0.1,
        _ => 0.0,
    }
}

fn saturate(x: f32, half: f32) -> f32 {
    x / (x + half)
}

/// Weight of a view relative to a completion in popularity.
const VIEW_WEIGHT: f32 = 0.2;
/// Ratings added at the neutral 3 before averaging.
const RATING_PRIOR: f32 = 3.0;
/// Added to the co-occurrence denominator so rare pairs count less.
const CO_SHRINK: f32 = 1.0;

impl<'c> Model<'c> {
    /// Precompute everything ranking needs. Events after `as_of` and events on
    /// resources missing from the catalogue are ignored.
    pub fn fit(
        catalog: &'c Catalog,
        interactions: &Interactions,
        people: &PeopleMeta,
        as_of: Day,
        weights: &Weights,
    ) -> Self {
        let n = catalog.len();
        let w = weights.clone();
        let available: Vec<bool> = catalog
            .resources()
            .iter()
            .map(|r| Catalog::is_available(r, as_of))
            .collect();

        // People: everyone in the metadata, then anyone else with events.
        let mut person_index: HashMap<PersonId, u32> = HashMap::with_capacity(people.people.len());
        let mut position: Vec<Option<PositionId>> = Vec::with_capacity(people.people.len());
        let mut meta_of: Vec<Option<u32>> = Vec::with_capacity(people.people.len());
        for (mi, p) in people.people.iter().enumerate() {
            if let std::collections::hash_map::Entry::Vacant(e) = person_index.entry(p.person) {
                e.insert(position.len() as u32);
                position.push(Some(p.position));
                meta_of.push(Some(mi as u32));
            }
        }
        let mut events: Vec<(u32, u32, EventKind, Day)> =
            Vec::with_capacity(interactions.events.len());
        for e in &interactions.events {
            if e.day > as_of {
                continue;
            }
            let Some(ri) = catalog.position_of(e.resource) else {
                continue;
            };
            let pi = *person_index.entry(e.person).or_insert_with(|| {
                position.push(None);
                meta_of.push(None);
                (position.len() - 1) as u32
            });
            events.push((pi, ri, e.kind, e.day));
        }
        let n_people = position.len();
        events.sort_unstable_by_key(|&(pi, ri, _, day)| (pi, day, ri));

        let mut raw_popularity = vec![0.0f32; n];
        let mut completions_decayed = vec![0.0f32; n];
        let mut rating_sum = vec![0.0f32; n];
        let mut rating_count = vec![0u32; n];
        let mut completed_start = Vec::with_capacity(n_people + 1);
        let mut completed: Vec<(u32, Day)> = Vec::new();
        let mut excluded_start = Vec::with_capacity(n_people + 1);
        let mut excluded: Vec<u32> = Vec::new();
        // (position << 32 | resource, weight) for position popularity.
        let mut position_events: Vec<(u64, f32)> = Vec::new();
        // ((position, skill), resource, decayed improvement) for peers.
        let mut peer_events: Vec<((PositionId, SkillId), u32, f32)> = Vec::new();

        let mut at = 0;
        for pi in 0..n_people {
            completed_start.push(completed.len() as u32);
            excluded_start.push(excluded.len() as u32);
            let begin = at;
            while at < events.len() && events[at].0 as usize == pi {
                at += 1;
            }
            let mine = &events[begin..at];
            let first_completed = completed.len();
            for &(_, ri, kind, day) in mine {
                let decay = w.decay(as_of - day);
                let r = ri as usize;
                let popularity = match kind {
                    EventKind::Viewed => VIEW_WEIGHT,
                    EventKind::Completed => {
                        // A repeated completion keeps the first one.
                        if !completed[first_completed..].iter().any(|&(c, _)| c == ri) {
                            completed.push((ri, day));
                            completions_decayed[r] += decay;
                        }
                        1.0
                    }
                    EventKind::Rated(stars @ 1..=5) => {
                        rating_sum[r] += f32::from(stars);
                        rating_count[r] += 1;
                        0.0
                    }
                    EventKind::Rated(_) => 0.0,
                    EventKind::NotInterested => {
                        excluded.push(ri);
                        0.0
                    }
                };
                if popularity > 0.0 {
                    raw_popularity[r] += popularity * decay;
                    if let Some(pos) = position[pi] {
                        position_events
                            .push(((u64::from(pos) << 32) | u64::from(ri), popularity * decay));
                    }
                }
            }
            let first_excluded = excluded_start[pi] as usize;
            excluded.extend(completed[first_completed..].iter().map(|&(ri, _)| ri));
            excluded[first_excluded..].sort_unstable();
            let mut kept = first_excluded;
            for i in first_excluded..excluded.len() {
                if i == first_excluded || excluded[i] != excluded[kept - 1] {
                    excluded[kept] = excluded[i];
                    kept += 1;
                }
            }
            excluded.truncate(kept);

            // Peers: completions followed, within the window, by an improvement of a
            // skill the resource covers, in the person's position.
            if let (Some(pos), Some(mi)) = (position[pi], meta_of[pi]) {
                let improvements = &people.people[mi as usize].improvements;
                if !improvements.is_empty() {
                    for &(ri, done) in &completed[first_completed..] {
                        for sl in &catalog.resources()[ri as usize].skills {
                            let hit = improvements
                                .iter()
                                .filter(|i| {
                                    i.skill == sl.skill
                                        && i.day >= done
                                        && i.day <= done + w.peer_window_days
                                        && i.day <= as_of
                                })
                                .map(|i| i.day)
                                .min();
                            if let Some(day) = hit {
                                peer_events.push(((pos, sl.skill), ri, w.decay(as_of - day)));
                            }
                        }
                    }
                }
            }
        }
        completed_start.push(completed.len() as u32);
        excluded_start.push(excluded.len() as u32);
        drop(events);

        let max_popularity = raw_popularity.iter().copied().fold(0.0f32, f32::max);
        let scale = (1.0 + max_popularity).ln().max(f32::MIN_POSITIVE);
        let popularity: Vec<f32> = raw_popularity
            .iter()
            .map(|&p| (1.0 + p).ln() / scale)
            .collect();
        let quality: Vec<f32> = rating_sum
            .iter()
            .zip(&rating_count)
            .map(|(&sum, &count)| {
                let mean = (sum + 3.0 * RATING_PRIOR) / (count as f32 + RATING_PRIOR);
                (mean - 3.0) / 2.0
            })
            .collect();
        let prior = |ri: u32| popularity[ri as usize] + 0.25 * quality[ri as usize];
        let by_prior = |a: &u32, b: &u32| prior(*b).total_cmp(&prior(*a)).then(a.cmp(b));

        let mut by_skill_level: HashMap<(SkillId, u8), Vec<u32>> = HashMap::new();
        let mut by_tag: HashMap<TagId, Vec<u32>> = HashMap::new();
        for (ri, r) in catalog.resources().iter().enumerate() {
            if !available[ri] {
                continue;
            }
            for sl in &r.skills {
                let list = by_skill_level.entry((sl.skill, sl.level)).or_default();
                if list.last() != Some(&(ri as u32)) {
                    list.push(ri as u32);
                }
            }
            for &tag in &r.business_tags {
                let list = by_tag.entry(tag).or_default();
                if list.last() != Some(&(ri as u32)) {
                    list.push(ri as u32);
                }
            }
        }
        for list in by_skill_level.values_mut() {
            list.sort_unstable_by(by_prior);
        }
        for list in by_tag.values_mut() {
            list.sort_unstable_by(by_prior);
            list.truncate(w.limits.tag_top);
        }
        let mut global_top: Vec<u32> = (0..n as u32)
            .filter(|&ri| available[ri as usize] && raw_popularity[ri as usize] > 0.0)
            .collect();
        global_top.sort_unstable_by(|a, b| {
            raw_popularity[*b as usize]
                .total_cmp(&raw_popularity[*a as usize])
                .then(a.cmp(b))
        });
        global_top.truncate(w.limits.global_top);

        position_events.sort_unstable_by_key(|&(key, _)| key);
        let mut position_popularity: HashMap<PositionId, Vec<(u32, f32)>> = HashMap::new();
        let mut i = 0;
        while i < position_events.len() {
            let pos = (position_events[i].0 >> 32) as PositionId;
            let mut list: Vec<(u32, f32)> = Vec::new();
            while i < position_events.len() && (position_events[i].0 >> 32) as PositionId == pos {
                let key = position_events[i].0;
                let mut sum = 0.0;
                while i < position_events.len() && position_events[i].0 == key {
                    sum += position_events[i].1;
                    i += 1;
                }
                let ri = key as u32;
                if available[ri as usize] {
                    list.push((ri, sum));
                }
            }
            list.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            list.truncate(w.limits.position_top);
            if let Some(&(_, top)) = list.first() {
                let scale = (1.0 + top).ln();
                for e in &mut list {
                    e.1 = (1.0 + e.1).ln() / scale;
                }
                list.sort_unstable_by_key(|e| e.0);
                position_popularity.insert(pos, list);
            }
        }
        drop(position_events);

        peer_events.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut peers: HashMap<(PositionId, SkillId), Vec<PeerUse>> = HashMap::new();
        let mut i = 0;
        while i < peer_events.len() {
            let key = peer_events[i].0;
            let mut list = Vec::new();
            while i < peer_events.len() && peer_events[i].0 == key {
                let ri = peer_events[i].1;
                let mut use_ = PeerUse {
                    resource: ri,
                    people: 0,
                    weight: 0.0,
                };
                while i < peer_events.len() && peer_events[i].0 == key && peer_events[i].1 == ri {
                    use_.people += 1;
                    use_.weight += peer_events[i].2;
                    i += 1;
                }
                if available[ri as usize] {
                    list.push(use_);
                }
            }
            list.sort_unstable_by(|a, b| {
                b.weight
                    .total_cmp(&a.weight)
                    .then(a.resource.cmp(&b.resource))
            });
            list.truncate(w.limits.peers_per_skill);
            if !list.is_empty() {
                peers.insert(key, list);
            }
        }
        drop(peer_events);

        let (neighbour_start, neighbours) = co_occurrence(
            &completed_start,
            &completed,
            &completions_decayed,
            &available,
            as_of,
            &w,
            n,
        );

        Model {
            catalog,
            weights: w,
            as_of,
            available,
            popularity,
            quality,
            by_skill_level,
            by_tag,
            global_top,
            position_popularity,
            peers,
            neighbour_start,
            neighbours,
            people: person_index,
            completed_start,
            completed,
            excluded_start,
            excluded,
        }
    }

    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    pub fn as_of(&self) -> Day {
        self.as_of
    }

    /// Company-wide time-decayed popularity of a resource, 0..1.
    pub fn popularity(&self, id: ResourceId) -> Option<f32> {
        self.catalog
            .position_of(id)
            .map(|ri| self.popularity[ri as usize])
    }

    /// Resources most often completed near this one, with their similarity.
    pub fn similar(&self, id: ResourceId) -> Vec<(ResourceId, f32)> {
        let Some(ri) = self.catalog.position_of(id) else {
            return Vec::new();
        };
        self.neighbours_of(ri)
            .iter()
            .map(|&(b, s)| (self.id(b), s))
            .collect()
    }

    /// Same-position people whose level of `skill` rose after each resource:
    /// (resource, people).
    pub fn peer_uses(&self, position: PositionId, skill: SkillId) -> Vec<(ResourceId, u32)> {
        self.peers
            .get(&(position, skill))
            .map(|list| {
                list.iter()
                    .map(|u| (self.id(u.resource), u.people))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn id(&self, ri: u32) -> ResourceId {
        self.catalog.resources()[ri as usize].id
    }

    fn neighbours_of(&self, ri: u32) -> &[(u32, f32)] {
        let (a, b) = (
            self.neighbour_start[ri as usize],
            self.neighbour_start[ri as usize + 1],
        );
        &self.neighbours[a as usize..b as usize]
    }

    fn history(&self, person: PersonId) -> (&[(u32, Day)], &[u32]) {
        match self.people.get(&person) {
            Some(&pi) => {
                let pi = pi as usize;
                let c = &self.completed
                    [self.completed_start[pi] as usize..self.completed_start[pi + 1] as usize];
                let e = &self.excluded
                    [self.excluded_start[pi] as usize..self.excluded_start[pi + 1] as usize];
                (c, e)
            }
            None => (&[], &[]),
        }
    }

    /// A learning path for one gap: for each level from `current + 1` up to
    /// `required`, up to `per_level` available resources covering the skill at
    /// exactly that level, best-rated and most used first.
    pub fn path_for_gap(&self, gap: &Gap, per_level: usize) -> Vec<ResourceId> {
        let mut path = Vec::new();
        for level in gap.current.saturating_add(1)..=gap.required {
            if let Some(list) = self.by_skill_level.get(&(gap.skill, level)) {
                path.extend(list.iter().take(per_level).map(|&ri| self.id(ri)));
            }
        }
        path
    }

    /// The `k` best resources for one person.
    pub fn recommend(&self, profile: &PersonProfile, k: usize) -> Vec<Recommendation> {
        let mut scratch = Scratch::new(self);
        self.recommend_with(&mut scratch, profile, k)
    }

    /// [`Model::recommend`] reusing working memory between calls.
    pub fn recommend_with(
        &self,
        scratch: &mut Scratch,
        profile: &PersonProfile,
        k: usize,
    ) -> Vec<Recommendation> {
        let out = self.rank(scratch, profile, k);
        for &ri in &scratch.touched {
            scratch.slot[ri as usize] = FREE;
        }
        scratch.touched.clear();
        scratch.candidates.clear();
        out
    }

    fn rank(
        &self,
        scratch: &mut Scratch,
        profile: &PersonProfile,
        k: usize,
    ) -> Vec<Recommendation> {
        let w = &self.weights;
        let (completed, excluded) = self.history(profile.person);
        let gaps: Vec<&Gap> = profile.gaps.iter().filter(|g| g.is_open()).collect();
        let max_weight = gaps.iter().map(|g| g.weight).fold(0.0f32, f32::max);
        let gap_weight: Vec<f32> = gaps.iter().map(|g| g.weight / max_weight).collect();
        let resources = self.catalog.resources();

        let allowed = |ri: u32| {
            self.available[ri as usize]
                && excluded.binary_search(&ri).is_err()
                && profile.scope.allows(resources[ri as usize].id)
        };
        let add = |scratch: &mut Scratch, ri: u32| scratch.admit(ri, allowed);

        // 1. Resources for each open gap, at the next level and the one after.
        if w.gap > 0.0 {
            for g in &gaps {
                for level in [g.current + 1, g.current + 2] {
                    if let Some(list) = self.by_skill_level.get(&(g.skill, level)) {
                        for &ri in list.iter().take(w.limits.per_gap_level) {
                            add(scratch, ri);
                        }
                    }
                }
            }
        }
        // 2. What same-position people used before their level of a gap skill rose.
        if w.peers > 0.0 {
            for (gi, g) in gaps.iter().enumerate() {
                let Some(list) = self.peers.get(&(profile.position.id, g.skill)) else {
                    continue;
                };
                for u in list {
                    // Peers' step must be this person's step: a resource at the
                    // next level counts fully, two up a little, others not at all.
                    let fit = resources[u.resource as usize]
                        .skills
                        .iter()
                        .filter(|s| s.skill == g.skill)
                        .map(|s| level_fit(s.level, g.current, g.required))
                        .fold(0.0f32, f32::max);
                    if fit == 0.0 {
                        continue;
                    }
                    let Some(ci) = add(scratch, u.resource) else {
                        continue;
                    };
                    let c = &mut scratch.candidates[ci];
                    let share = gap_weight[gi] * fit * saturate(u.weight, 2.0);
                    c.peers += share;
                    if share > c.peer_best {
                        c.peer_best = share;
                        c.peer_people = u.people;
                        c.peer_gap = gi as u32;
                    }
                }
            }
        }
        // 3. Neighbours of recent completions.
        if w.co_occurrence > 0.0 {
            let recent = completed.len().saturating_sub(w.limits.recent_completions);
            for &(done, day) in &completed[recent..] {
                let recency = w.decay(self.as_of - day);
                for &(b, sim) in self.neighbours_of(done) {
                    let Some(ci) = add(scratch, b) else { continue };
                    let c = &mut scratch.candidates[ci];
                    let share = recency * sim;
                    c.co += share;
                    if share > c.co_best {
                        c.co_best = share;
                        c.co_from = done;
                    }
                }
            }
        }
        // 4. Popular in the position, with the person's tags, and company-wide.
        let position_list = self
            .position_popularity
            .get(&profile.position.id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if w.popularity > 0.0 && w.position_popularity_share > 0.0 {
            for &(ri, _) in position_list {
                add(scratch, ri);
            }
        }
        if w.business > 0.0 {
            for tag in profile.duty_tags.iter().chain(&profile.project_tags) {
                if let Some(list) = self.by_tag.get(&tag.id) {
                    for &ri in list {
                        add(scratch, ri);
                    }
                }
            }
        }
        if w.popularity > 0.0 {
            for &ri in &self.global_top {
                add(scratch, ri);
            }
        }

        let candidates = &mut scratch.candidates;
        // Score.
        for c in candidates.iter_mut() {
            let r = &resources[c.ri as usize];
            let mut gap = 0.0;
            let mut best = 0.0;
            for (gi, g) in gaps.iter().enumerate() {
                let mut fit = 0.0f32;
                let mut level = 0;
                for s in r.skills.iter().filter(|s| s.skill == g.skill) {
                    let f = level_fit(s.level, g.current, g.required);
                    if f > fit {
                        fit = f;
                        level = s.level;
                    }
                }
                let share = gap_weight[gi] * fit;
                gap += share;
                if share > best {
                    best = share;
                    c.gap_best = gi as u32;
                    c.gap_level = level;
                }
            }
            let suitable = r.positions.contains(&profile.position.id);
            let matching = r
                .business_tags
                .iter()
                .filter(|t| {
                    profile
                        .duty_tags
                        .iter()
                        .chain(&profile.project_tags)
                        .any(|p| p.id == **t)
                })
                .count();
            let tag_share = if r.business_tags.is_empty() {
                0.0
            } else {
                matching as f32 / r.business_tags.len() as f32
            };
            c.position_share = position_list
                .binary_search_by_key(&c.ri, |e| e.0)
                .map(|i| position_list[i].1)
                .unwrap_or(0.0);
            let share = w.position_popularity_share;
            c.parts = ScoreParts {
                gap,
                business: 0.4 * f32::from(u8::from(suitable)) + 0.6 * tag_share,
                peers: c.peers,
                co_occurrence: c.co.min(1.0),
                feedback: self.quality[c.ri as usize],
                popularity: (1.0 - share) * self.popularity[c.ri as usize]
                    + share * c.position_share,
                freshness: w.freshness_of(self.as_of - r.published),
                diversity_penalty: 0.0,
            };
            let p = &c.parts;
            c.total = w.gap * p.gap
                + w.business * p.business
                + w.peers * p.peers
                + w.co_occurrence * p.co_occurrence
                + w.feedback * p.feedback
                + w.popularity * p.popularity
                + w.freshness * p.freshness;
            c.main_skill = if c.gap_best != NONE {
                Some(gaps[c.gap_best as usize].skill)
            } else {
                r.skills.first().map(|s| s.skill)
            };
        }

        // Select greedily: best score after the diversity penalty, at most
        // `max_per_skill` per main skill.
        let mut chosen: Vec<usize> = Vec::with_capacity(k);
        let mut per_skill: Vec<(SkillId, usize)> = Vec::new();
        let mut taken = vec![false; candidates.len()];
        let count = |per_skill: &[(SkillId, usize)], s: Option<SkillId>| -> usize {
            s.and_then(|s| per_skill.iter().find(|e| e.0 == s))
                .map_or(0, |e| e.1)
        };
        while chosen.len() < k {
            let mut best: Option<(usize, f32, f32)> = None;
            for (ci, c) in candidates.iter().enumerate() {
                if taken[ci] {
                    continue;
                }
                let same = count(&per_skill, c.main_skill);
                if c.main_skill.is_some() && same >= w.max_per_skill {
                    continue;
                }
                let penalty = w.diversity * same as f32;
                let adjusted = c.total - penalty;
                let better = match best {
                    None => true,
                    Some((bi, bs, _)) => {
                        adjusted > bs || (adjusted == bs && c.ri < candidates[bi].ri)
                    }
                };
                if better {
                    best = Some((ci, adjusted, penalty));
                }
            }
            let Some((ci, adjusted, penalty)) = best else {
                break;
            };
            taken[ci] = true;
            let c = &mut candidates[ci];
            c.parts.diversity_penalty = penalty;
            c.total = adjusted;
            if let Some(s) = c.main_skill {
                match per_skill.iter_mut().find(|e| e.0 == s) {
                    Some(e) => e.1 += 1,
                    None => per_skill.push((s, 1)),
                }
            }
            chosen.push(ci);
        }

        chosen
            .into_iter()
            .map(|ci| {
                let c = &candidates[ci];
                let r = &resources[c.ri as usize];
                Recommendation {
                    resource: r.id,
                    score: c.total,
                    parts: c.parts,
                    reason: self.reason(c, profile, &gaps),
                }
            })
            .collect()
    }

    fn reason(&self, c: &Candidate, profile: &PersonProfile, gaps: &[&Gap]) -> Reason {
        let r = &self.catalog.resources()[c.ri as usize];
        let gap = (c.gap_best != NONE).then(|| {
            let g = gaps[c.gap_best as usize];
            GapReason {
                chain: g.chain.clone(),
                required: g.required,
                current: g.current,
                covered_level: c.gap_level,
                kind: r.kind,
            }
        });
        let peers = (c.peer_gap != NONE && c.peer_people > 0).then(|| PeerReason {
            people: c.peer_people,
            chain: gaps[c.peer_gap as usize].chain.clone(),
        });
        let position = r
            .positions
            .contains(&profile.position.id)
            .then(|| profile.position.name.clone());
        let tag = profile
            .project_tags
            .iter()
            .find(|t| r.business_tags.contains(&t.id))
            .map(|t| TagMatch::Project(t.name.clone()))
            .or_else(|| {
                profile
                    .duty_tags
                    .iter()
                    .find(|t| r.business_tags.contains(&t.id))
                    .map(|t| TagMatch::Duty(t.name.clone()))
            });
        let business =
            (position.is_some() || tag.is_some()).then_some(BusinessReason { position, tag });
        let also_taken_with = (c.co_from != NONE && c.co_best >= 0.05)
            .then(|| self.catalog.resources()[c.co_from as usize].title.clone());
        Reason {
            gap,
            peers,
            business,
            also_taken_with,
            popular_in_position: c.position_share >= 0.5,
            new: c.parts.freshness >= 0.5,
        }
    }
}

/// Item-to-item co-occurrence over completion histories: two completions of one
/// person within `co_window` places of each other co-occur, weighted by the decay
/// of the later one; similarity is that sum over √(decayed completions of each) + 1.
/// Computed per source resource on up to two threads.
fn co_occurrence(
    completed_start: &[u32],
    completed: &[(u32, Day)],
    completions_decayed: &[f32],
    available: &[bool],
    as_of: Day,
    w: &Weights,
    n: usize,
) -> (Vec<u32>, Vec<(u32, f32)>) {
    // Postings: for each resource, (person, place in that person's history).
    let mut start = vec![0u32; n + 1];
    for &(ri, _) in completed {
        start[ri as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut postings = vec![(0u32, 0u32); completed.len()];
    for pi in 0..completed_start.len() - 1 {
        for at in completed_start[pi]..completed_start[pi + 1] {
            let ri = completed[at as usize].0 as usize;
            postings[fill[ri] as usize] = (pi as u32, at);
            fill[ri] += 1;
        }
    }
    drop(fill);

    let window = w.limits.co_window as u32;
    let keep = w.limits.neighbours;
    let work = |range: std::ops::Range<usize>| -> Vec<Vec<(u32, f32)>> {
        let mut acc = vec![0.0f32; n];
        let mut touched: Vec<u32> = Vec::new();
        let mut out = Vec::with_capacity(range.len());
        for a in range {
            for &(pi, at) in &postings[start[a] as usize..start[a + 1] as usize] {
                let (lo, hi) = (
                    completed_start[pi as usize],
                    completed_start[pi as usize + 1],
                );
                let day_a = completed[at as usize].1;
                for j in at.saturating_sub(window).max(lo)..(at + window + 1).min(hi) {
                    if j == at {
                        continue;
                    }
                    let (b, day_b) = completed[j as usize];
                    if !available[b as usize] {
                        continue;
                    }
                    if acc[b as usize] == 0.0 {
                        touched.push(b);
                    }
                    acc[b as usize] += w.decay(as_of - day_a.max(day_b));
                }
            }
            let mut list: Vec<(u32, f32)> = touched
                .iter()
                .map(|&b| {
                    let denom = (completions_decayed[a] * completions_decayed[b as usize]).sqrt()
                        + CO_SHRINK;
                    (b, acc[b as usize] / denom)
                })
                .collect();
            for &b in &touched {
                acc[b as usize] = 0.0;
            }
            touched.clear();
            let by_sim = |x: &(u32, f32), y: &(u32, f32)| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0));
            if list.len() > keep {
                list.select_nth_unstable_by(keep, by_sim);
                list.truncate(keep);
            }
            list.sort_unstable_by(by_sim);
            out.push(list);
        }
        out
    };
    let mid = n / 2;
    let (first, second) = std::thread::scope(|s| {
        let h = s.spawn(|| work(mid..n));
        let first = work(0..mid);
        (
            first,
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    let mut neighbour_start = Vec::with_capacity(n + 1);
    let mut neighbours = Vec::with_capacity(first.iter().chain(&second).map(Vec::len).sum());
    for list in first.into_iter().chain(second) {
        neighbour_start.push(neighbours.len() as u32);
        neighbours.extend(list);
    }
    neighbour_start.push(neighbours.len() as u32);
    (neighbour_start, neighbours)
}

/// Recommendations for everyone, on `threads` threads (at least 1), in the order
/// of `profiles`.
pub fn refresh_all(
    model: &Model<'_>,
    profiles: &[PersonProfile],
    k: usize,
    threads: usize,
) -> Vec<Vec<Recommendation>> {
    let threads = threads.max(1);
    let chunk = profiles.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = profiles
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut scratch = Scratch::new(model);
                    part.iter()
                        .map(|p| model.recommend_with(&mut scratch, p, k))
                        .collect::<Vec<_>>()
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
    })
}

/// A learning path for one gap straight from the catalogue (no usage statistics):
/// for each level from `current + 1` up to `required`, the most focused resource
/// covering the skill at exactly that level (fewest other skills, then newest, then
/// lowest id). Retired resources are skipped.
pub fn path_for_gap(gap: &Gap, catalog: &Catalog) -> Vec<ResourceId> {
    (gap.current.saturating_add(1)..=gap.required)
        .filter_map(|level| {
            catalog
                .resources()
                .iter()
                .filter(|r| {
                    !r.retired
                        && r.skills
                            .iter()
                            .any(|s| s.skill == gap.skill && s.level == level)
                })
                .min_by(|a, b| {
                    a.skills
                        .len()
                        .cmp(&b.skills.len())
                        .then(b.published.cmp(&a.published))
                        .then(a.id.cmp(&b.id))
                })
                .map(|r| r.id)
        })
        .collect()
}
