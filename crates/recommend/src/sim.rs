//! A deterministic synthetic company for evaluation and benchmarks.
//!
//! Departments have KPI targets that fall short; positions need skills at levels,
//! linked to a task and a KPI; people hold positions with assessed levels below
//! some requirements, duty tags from their position and a few project tags.
//! Resources teach a skill at a level, carry business tags of that skill's area,
//! belong to a scenario pack and have a hidden quality.
//!
//! Over two years each person makes learning attempts. An attempt is driven by one
//! of: a gap (a gap chosen by its weight; usually the next level, sometimes two up
//! or a refresher at the current level), the position's own favourites (what its
//! managers and colleagues pass around), a business tag of the person's duties or
//! projects, the rest of a scenario pack after finishing one of its items, or
//! browsing the company's most visible items. Whatever the driver, the person
//! views the item, finishes it with a probability that grows with quality, may
//! rate it (quality plus noise), and — if it taught a gap skill at the next level
//! — may improve that skill some weeks later. People also improve on the job and
//! mark a few items "not interested". None of this uses the recommender's formula.

use std::sync::Arc;

use crate::eval::Dataset;
use crate::types::{
    Catalog, Comparator, Day, Event, EventKind, Gap, GapChain, Improvement, Interactions,
    KpiTarget, Label, PeopleMeta, PersonMeta, PersonProfile, Resource, ResourceKind, Scope,
    SkillLevel,
};

/// SplitMix64: a small, fast, well-mixed generator; enough for simulation.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.f64();
        let v = self.f64();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Poisson: Knuth's method for small means, a rounded normal for large ones.
    pub fn poisson(&mut self, mean: f64) -> usize {
        if mean > 30.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0) as usize;
        }
        let limit = (-mean).exp();
        let mut product = self.f64();
        let mut n = 0;
        while product > limit {
            product *= self.f64();
            n += 1;
        }
        n
    }

    /// An index drawn by a cumulative weight table.
    fn by_cumulative(&mut self, cumulative: &[f64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(0.0);
        let x = self.f64() * total;
        cumulative
            .partition_point(|&c| c <= x)
            .min(cumulative.len() - 1)
    }
}

/// Size and shape of the simulated company.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    pub people: usize,
    pub resources: usize,
    pub seed: u64,
    /// Days simulated: 0..days.
    pub days: Day,
    /// Evaluation split: profiles are taken as of this day.
    pub split_day: Day,
    /// Mean completions per person over the whole period.
    pub completions_per_person: f64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            people: 2_000,
            resources: 1_500,
            seed: 1,
            days: 730,
            split_day: 640,
            completions_per_person: 12.0,
        }
    }
}

/// The generated company: inputs for the engine, and profiles at the split and at
/// the end of the period.
#[derive(Debug)]
pub struct Company {
    pub config: SimConfig,
    pub catalog: Catalog,
    pub interactions: Interactions,
    pub people: PeopleMeta,
    pub profiles_at_split: Vec<PersonProfile>,
    pub profiles_at_end: Vec<PersonProfile>,
}

impl Company {
    /// The data for [`crate::eval::evaluate_split`] at `config.split_day`.
    pub fn dataset(&self) -> Dataset<'_> {
        Dataset {
            catalog: &self.catalog,
            interactions: &self.interactions,
            people: &self.people,
            profiles: &self.profiles_at_split,
        }
    }
}

struct Requirement {
    skill: u32,
    required: u8,
    weight: f32,
    chain: Arc<GapChain>,
}

struct Position {
    requirements: Vec<Requirement>,
    duty_tags: Vec<u32>,
    favourites: Vec<u32>,
}

const MAX_LEVEL: u8 = 3;
/// Share of attempts by driver, cumulative: gap, position favourites, business
/// tag, scenario pack, browsing.
const DRIVERS: [f64; 4] = [0.35, 0.55, 0.70, 0.82];

/// Generate a company. The same config gives the same company.
#[expect(
    clippy::expect_used,
    reason = "the generator numbers resources itself, so their ids are unique"
)]
pub fn generate(config: &SimConfig) -> Company {
    let mut rng = Rng::new(config.seed ^ 0x5EED_0FC0_FFEE);
    let n_res = config.resources.max(10);
    let n_skills = (n_res / 40).clamp(12, 600);
    let n_positions = (config.people / 150).clamp(4, 400);
    let n_depts = (n_positions / 4).clamp(2, 60);
    let n_tags = (n_res / 60).clamp(8, 400);
    let split = config.split_day;
    let days = config.days.max(split + 1);

    // Skills: each belongs to a business area (two home tags).
    let skill_tags: Vec<[u32; 2]> = (0..n_skills)
        .map(|_| [rng.below(n_tags) as u32, rng.below(n_tags) as u32])
        .collect();
    let skill_names: Vec<String> = (0..n_skills).map(|s| format!("技能{s}")).collect();

    // Departments: a pool of skills and three KPIs that fall short.
    struct Dept {
        pool: Vec<u32>,
        kpis: Vec<(Arc<KpiTarget>, f32)>,
    }
    let depts: Vec<Dept> = (0..n_depts)
        .map(|d| {
            let pool_size = (n_skills * 3 / n_depts).clamp(8, n_skills);
            let pool = distinct(&mut rng, n_skills, pool_size);
            let kpis = (0..3)
                .map(|j| {
                    let shortfall = 0.1 + 0.9 * rng.f64();
                    let at_most = rng.chance(0.5);
                    let target = (2.0 + 10.0 * rng.f64()).round();
                    let current = if at_most {
                        target * (1.0 + shortfall)
                    } else {
                        target * (1.0 - 0.5 * shortfall)
                    };
                    let kpi = KpiTarget {
                        department: format!("部门{d}"),
                        kpi: format!("指标{d}.{j}"),
                        comparator: if at_most {
                            Comparator::AtMost
                        } else {
                            Comparator::AtLeast
                        },
                        target,
                        current: (current * 10.0).round() / 10.0,
                        unit: "%".to_owned(),
                    };
                    (Arc::new(kpi), shortfall as f32)
                })
                .collect();
            Dept { pool, kpis }
        })
        .collect();

    let mut positions: Vec<Position> = (0..n_positions)
        .map(|p| {
            let dept = &depts[p % n_depts];
            let count = (5 + rng.below(4)).min(dept.pool.len());
            let picks = distinct(&mut rng, dept.pool.len(), count);
            let requirements = picks
                .iter()
                .enumerate()
                .map(|(j, &pi)| {
                    let skill = dept.pool[pi as usize];
                    let tier = match j {
                        0 | 1 => 1.0,
                        2..=4 => 0.6,
                        _ => 0.3,
                    };
                    let (kpi, shortfall) = &dept.kpis[rng.below(3)];
                    let chain = GapChain {
                        kpi: Some(KpiTarget::clone(kpi)),
                        task: Some(format!("任务{p}.{}", rng.below(3))),
                        skill_name: skill_names[skill as usize].clone(),
                    };
                    Requirement {
                        skill,
                        required: 2 + rng.below(2) as u8,
                        weight: tier * shortfall,
                        chain: Arc::new(chain),
                    }
                })
                .collect::<Vec<_>>();
            let duty_tags = requirements
                .iter()
                .take(2)
                .map(|r| skill_tags[r.skill as usize][0])
                .collect();
            Position {
                requirements,
                duty_tags,
                favourites: Vec::new(),
            }
        })
        .collect();
    let mut positions_of_skill: Vec<Vec<u32>> = vec![Vec::new(); n_skills];
    for (p, pos) in positions.iter().enumerate() {
        for r in &pos.requirements {
            positions_of_skill[r.skill as usize].push(p as u32);
        }
    }

    // Resources.
    let kinds = ResourceKind::ALL;
    let kind_weights = cumulative(&[3.0, 4.0, 2.0, 2.0, 1.0, 1.5, 0.5]);
    let mut resources = Vec::with_capacity(n_res);
    let mut quality = Vec::with_capacity(n_res);
    let mut retired_on: Vec<Day> = Vec::with_capacity(n_res);
    for i in 0..n_res {
        let skill = rng.below(n_skills) as u32;
        let level = match rng.f64() {
            x if x < 0.4 => 1,
            x if x < 0.75 => 2,
            _ => 3,
        };
        let mut skills = vec![SkillLevel { skill, level }];
        if rng.chance(0.25) {
            let other = rng.below(n_skills) as u32;
            if other != skill {
                skills.push(SkillLevel {
                    skill: other,
                    level,
                });
            }
        }
        let home = skill_tags[skill as usize];
        let mut tags = vec![home[rng.below(2)]];
        if rng.chance(0.4) && home[0] != home[1] {
            tags = home.to_vec();
        }
        if rng.chance(0.3) {
            let t = rng.below(n_tags) as u32;
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let mut suitable = Vec::new();
        let candidates = &positions_of_skill[skill as usize];
        if !candidates.is_empty() && rng.chance(0.5) {
            for _ in 0..1 + rng.below(2) {
                let p = candidates[rng.below(candidates.len())];
                if !suitable.contains(&p) {
                    suitable.push(p);
                }
            }
        }
        let published = -900 + rng.below((days + 900) as usize) as Day;
        let retired = published < split - 90 && rng.chance(0.04);
        retired_on.push(if retired {
            published + 60 + rng.below((split - 60 - published) as usize) as Day
        } else {
            Day::MAX
        });
        quality.push(0.5 * (rng.f64() + rng.f64()));
        resources.push(Resource {
            id: 10_000 + i as u32,
            title: format!("{}·{}级·第{i}号", skill_names[skill as usize], level).into(),
            kind: kinds[rng.by_cumulative(&kind_weights)],
            skills,
            business_tags: tags,
            positions: suitable,
            published,
            retired,
        });
    }

    // Indexes the simulation draws from.
    let mut by_skill_level: Vec<Vec<u32>> = vec![Vec::new(); n_skills * (MAX_LEVEL as usize + 1)];
    let mut by_tag: Vec<Vec<u32>> = vec![Vec::new(); n_tags];
    let mut by_skill: Vec<Vec<u32>> = vec![Vec::new(); n_skills];
    for (ri, r) in resources.iter().enumerate() {
        for s in &r.skills {
            by_skill_level[s.skill as usize * (MAX_LEVEL as usize + 1) + s.level as usize]
                .push(ri as u32);
        }
        by_skill[r.skills[0].skill as usize].push(ri as u32);
        for &t in &r.business_tags {
            by_tag[t as usize].push(ri as u32);
        }
    }
    // Scenario packs: a skill's resources in groups of five.
    let mut pack_of = vec![0u32; n_res];
    let mut packs: Vec<Vec<u32>> = Vec::new();
    for list in &by_skill {
        for chunk in list.chunks(5) {
            for &ri in chunk {
                pack_of[ri as usize] = packs.len() as u32;
            }
            packs.push(chunk.to_vec());
        }
    }
    // Company-wide visibility: a Zipf law over an order that favours quality.
    let mut visible: Vec<u32> = (0..n_res as u32).collect();
    let noisy: Vec<f64> = quality.iter().map(|q| q + 0.4 * rng.normal()).collect();
    visible.sort_by(|a, b| noisy[*b as usize].total_cmp(&noisy[*a as usize]));
    let zipf_all = cumulative(
        &(0..n_res)
            .map(|r| 1.0 / (r as f64 + 1.0).powf(0.9))
            .collect::<Vec<_>>(),
    );
    // Position favourites: mostly resources of the position's skills, some from anywhere.
    for pos in &mut positions {
        let mut fav = Vec::new();
        for _ in 0..200 {
            if fav.len() >= 25 {
                break;
            }
            let req = &pos.requirements[rng.below(pos.requirements.len())];
            let list = &by_skill[req.skill as usize];
            if list.is_empty() {
                continue;
            }
            let ri = list[rng.below(list.len())];
            if rng.chance(quality[ri as usize]) && !fav.contains(&ri) {
                fav.push(ri);
            }
        }
        while fav.len() < 30 {
            let ri = rng.below(n_res) as u32;
            if !fav.contains(&ri) {
                fav.push(ri);
            }
        }
        // Shuffle so the Zipf head is not always a skill resource.
        for i in (1..fav.len()).rev() {
            let j = rng.below(i + 1);
            fav.swap(i, j);
        }
        pos.favourites = fav;
    }
    let zipf_fav = cumulative(&(0..30).map(|r| 1.0 / (r as f64 + 1.0)).collect::<Vec<_>>());
    let position_weights = cumulative(
        &(0..n_positions)
            .map(|p| 1.0 / ((p % 7) as f64 + 1.0).sqrt())
            .collect::<Vec<_>>(),
    );

    let world = World {
        resources: &resources,
        quality: &quality,
        retired_on: &retired_on,
        by_skill_level: &by_skill_level,
        by_tag: &by_tag,
        pack_of: &pack_of,
        packs: &packs,
        visible: &visible,
        zipf_all: &zipf_all,
        zipf_fav: &zipf_fav,
    };

    let mut events = Vec::new();
    let mut metas = Vec::with_capacity(config.people);
    let mut profiles_at_split = Vec::with_capacity(config.people);
    let mut profiles_at_end = Vec::with_capacity(config.people);
    let position_labels: Vec<Label> = (0..n_positions)
        .map(|p| Label::new(p as u32, format!("岗位{p}")))
        .collect();
    let tag_labels: Vec<Label> = (0..n_tags)
        .map(|t| Label::new(t as u32, format!("标签{t}")))
        .collect();
    let attempts_per_completion = 1.0 / 0.62;
    for person in 0..config.people {
        let id = 1 + person as u32;
        let p = rng.by_cumulative(&position_weights);
        let pos = &positions[p];
        let mut levels: Vec<u8> = pos
            .requirements
            .iter()
            .map(|r| {
                let short = match rng.f64() {
                    x if x < 0.3 => 0,
                    x if x < 0.75 => 1,
                    _ => 2,
                };
                r.required.saturating_sub(short)
            })
            .collect();
        let dept = &depts[p % n_depts];
        let projects: Vec<u32> = (0..[0, 1, 1, 2][rng.below(4)])
            .map(|_| {
                if rng.chance(0.7) {
                    let s = dept.pool[rng.below(dept.pool.len())];
                    skill_tags[s as usize][rng.below(2)]
                } else {
                    rng.below(n_tags) as u32
                }
            })
            .collect();
        let activity = (0.6 * rng.normal() - 0.18).exp();
        let attempts =
            rng.poisson(config.completions_per_person * attempts_per_completion * activity);
        let mut when: Vec<Day> = (0..attempts)
            .map(|_| rng.below(days as usize) as Day)
            .collect();
        when.sort_unstable();

        let mut state = PersonState {
            id,
            levels: &mut levels,
            pending: Vec::new(),
            improvements: Vec::new(),
            done: Vec::new(),
            rejected: Vec::new(),
            last: None,
        };
        let mut at_split: Option<Vec<u8>> = None;
        for &t in &when {
            if at_split.is_none() && t >= split {
                state.settle(pos, split - 1);
                at_split = Some(state.levels.clone());
            }
            state.settle(pos, t);
            state.attempt(&mut rng, &world, pos, &projects, t, &mut events);
        }
        if at_split.is_none() {
            state.settle(pos, split - 1);
            at_split = Some(state.levels.clone());
        }
        state.settle(pos, days - 1);
        let improvements = std::mem::take(&mut state.improvements);
        let at_split = at_split.unwrap_or_default();

        let profile = |levels: &[u8]| PersonProfile {
            person: id,
            position: position_labels[p].clone(),
            duty_tags: pos
                .duty_tags
                .iter()
                .map(|&t| tag_labels[t as usize].clone())
                .collect(),
            project_tags: projects
                .iter()
                .map(|&t| tag_labels[t as usize].clone())
                .collect(),
            gaps: pos
                .requirements
                .iter()
                .zip(levels)
                .filter(|(r, l)| **l < r.required)
                .map(|(r, &l)| Gap {
                    skill: r.skill,
                    required: r.required,
                    current: l,
                    weight: r.weight,
                    chain: r.chain.clone(),
                })
                .collect(),
            scope: Scope::All,
        };
        profiles_at_split.push(profile(&at_split));
        profiles_at_end.push(profile(&levels));
        metas.push(PersonMeta {
            person: id,
            position: p as u32,
            improvements,
        });
    }

    Company {
        config: config.clone(),
        catalog: Catalog::new(resources).expect("generated ids are unique"),
        interactions: Interactions::new(events),
        people: PeopleMeta::new(metas),
        profiles_at_split,
        profiles_at_end,
    }
}

struct World<'w> {
    resources: &'w [Resource],
    quality: &'w [f64],
    retired_on: &'w [Day],
    by_skill_level: &'w [Vec<u32>],
    by_tag: &'w [Vec<u32>],
    pack_of: &'w [u32],
    packs: &'w [Vec<u32>],
    visible: &'w [u32],
    zipf_all: &'w [f64],
    zipf_fav: &'w [f64],
}

impl World<'_> {
    fn open(&self, ri: u32, day: Day) -> bool {
        self.resources[ri as usize].published <= day && self.retired_on[ri as usize] > day
    }

    /// A resource from `list`, drawn with probability proportional to quality.
    fn by_quality(&self, rng: &mut Rng, list: &[u32]) -> Option<u32> {
        if list.is_empty() {
            return None;
        }
        for _ in 0..8 {
            let ri = list[rng.below(list.len())];
            if rng.chance(self.quality[ri as usize]) {
                return Some(ri);
            }
        }
        Some(list[rng.below(list.len())])
    }

    fn browse(&self, rng: &mut Rng) -> u32 {
        self.visible[rng.by_cumulative(self.zipf_all)]
    }
}

struct PersonState<'l> {
    id: u32,
    levels: &'l mut Vec<u8>,
    /// (day, requirement index) of improvements to come.
    pending: Vec<(Day, usize)>,
    improvements: Vec<Improvement>,
    done: Vec<u32>,
    rejected: Vec<u32>,
    last: Option<u32>,
}

impl PersonState<'_> {
    /// Apply the improvements due by `day`.
    fn settle(&mut self, pos: &Position, day: Day) {
        let mut i = 0;
        while i < self.pending.len() {
            let (due, j) = self.pending[i];
            if due <= day {
                self.pending.swap_remove(i);
                if self.levels[j] < MAX_LEVEL {
                    self.levels[j] += 1;
                    self.improvements.push(Improvement {
                        skill: pos.requirements[j].skill,
                        day: due,
                    });
                }
            } else {
                i += 1;
            }
        }
    }

    fn schedule(&mut self, day: Day, j: usize) {
        if !self.pending.iter().any(|&(_, pj)| pj == j) {
            self.pending.push((day, j));
        }
    }

    fn attempt(
        &mut self,
        rng: &mut Rng,
        world: &World<'_>,
        pos: &Position,
        projects: &[u32],
        t: Day,
        events: &mut Vec<Event>,
    ) {
        let mut chosen = None;
        for _ in 0..4 {
            let Some(ri) = self.draw(rng, world, pos, projects) else {
                continue;
            };
            if world.open(ri, t) && !self.done.contains(&ri) && !self.rejected.contains(&ri) {
                chosen = Some(ri);
                break;
            }
        }
        let person = self.id;
        let event = |resource: u32, kind: EventKind, day: Day| Event {
            person,
            resource: world.resources[resource as usize].id,
            kind,
            day,
        };
        if let Some(ri) = chosen {
            let q = world.quality[ri as usize];
            events.push(event(ri, EventKind::Viewed, t));
            if rng.chance(0.3 + 0.6 * q) {
                let day = t + rng.below(3) as Day;
                events.push(event(ri, EventKind::Completed, day));
                if rng.chance(0.35) {
                    let stars = (1.0 + 4.0 * q + 0.8 * rng.normal()).round().clamp(1.0, 5.0) as u8;
                    events.push(event(ri, EventKind::Rated(stars), day));
                }
                self.done.push(ri);
                self.last = Some(ri);
                for s in &world.resources[ri as usize].skills {
                    let Some(j) = pos.requirements.iter().position(|r| r.skill == s.skill) else {
                        continue;
                    };
                    let cur = self.levels[j];
                    let p = if s.level == cur + 1 {
                        0.2 + 0.6 * q
                    } else if s.level == cur + 2 {
                        0.1 * q
                    } else {
                        0.0
                    };
                    if cur < pos.requirements[j].required && rng.chance(p) {
                        self.schedule(day + 14 + rng.below(100) as Day, j);
                    }
                }
            }
        }
        if rng.chance(0.5) {
            let ri = world.browse(rng);
            if world.open(ri, t) {
                events.push(event(ri, EventKind::Viewed, t));
            }
        }
        if rng.chance(0.03) {
            let ri = if rng.chance(0.5) {
                world.browse(rng)
            } else {
                pos.favourites[rng.below(pos.favourites.len())]
            };
            if world.open(ri, t) && !self.done.contains(&ri) {
                events.push(event(ri, EventKind::NotInterested, t));
                self.rejected.push(ri);
            }
        }
        if rng.chance(0.03) {
            let open: Vec<usize> = (0..self.levels.len())
                .filter(|&j| self.levels[j] < pos.requirements[j].required)
                .collect();
            if !open.is_empty() {
                let j = open[rng.below(open.len())];
                self.schedule(t + rng.below(60) as Day, j);
            }
        }
    }

    /// One draw of the attempt's driver and the resource it leads to.
    fn draw(
        &self,
        rng: &mut Rng,
        world: &World<'_>,
        pos: &Position,
        projects: &[u32],
    ) -> Option<u32> {
        let u = rng.f64();
        if u < DRIVERS[0] {
            let open: Vec<(usize, f64)> = (0..self.levels.len())
                .filter(|&j| self.levels[j] < pos.requirements[j].required)
                .map(|j| (j, f64::from(pos.requirements[j].weight)))
                .collect();
            if open.is_empty() {
                return Some(world.browse(rng));
            }
            let weights = cumulative(&open.iter().map(|e| e.1).collect::<Vec<_>>());
            let j = open[rng.by_cumulative(&weights)].0;
            let cur = self.levels[j];
            let level = match rng.f64() {
                x if x < 0.7 => cur + 1,
                x if x < 0.85 && cur + 2 <= MAX_LEVEL => cur + 2,
                x if x < 0.85 => cur + 1,
                _ => cur.max(1),
            };
            let skill = pos.requirements[j].skill as usize;
            world.by_quality(
                rng,
                &world.by_skill_level[skill * (MAX_LEVEL as usize + 1) + level as usize],
            )
        } else if u < DRIVERS[1] {
            Some(
                pos.favourites[rng
                    .by_cumulative(world.zipf_fav)
                    .min(pos.favourites.len() - 1)],
            )
        } else if u < DRIVERS[2] {
            let pick = rng.below(pos.duty_tags.len() + 2 * projects.len());
            let tag = if pick < pos.duty_tags.len() {
                pos.duty_tags[pick]
            } else {
                projects[(pick - pos.duty_tags.len()) / 2]
            };
            world.by_quality(rng, &world.by_tag[tag as usize])
        } else if u < DRIVERS[3] {
            match self.last {
                Some(last) => {
                    let pack = &world.packs[world.pack_of[last as usize] as usize];
                    Some(pack[rng.below(pack.len())])
                }
                None => Some(world.browse(rng)),
            }
        } else {
            Some(world.browse(rng))
        }
    }
}

fn cumulative(weights: &[f64]) -> Vec<f64> {
    let mut sum = 0.0;
    weights
        .iter()
        .map(|w| {
            sum += w;
            sum
        })
        .collect()
}

/// `count` distinct indices below `n` (count ≤ n).
fn distinct(rng: &mut Rng, n: usize, count: usize) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::with_capacity(count);
    while out.len() < count.min(n) {
        let x = rng.below(n) as u32;
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_company() {
        let config = SimConfig {
            people: 200,
            resources: 300,
            ..SimConfig::default()
        };
        let a = generate(&config);
        let b = generate(&config);
        assert_eq!(a.interactions.events, b.interactions.events);
        let c = generate(&SimConfig { seed: 2, ..config });
        assert_ne!(a.interactions.events, c.interactions.events);
    }

    #[test]
    fn rng_is_roughly_uniform() {
        let mut rng = Rng::new(7);
        let mut counts = [0usize; 10];
        for _ in 0..100_000 {
            counts[rng.below(10)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_000..11_000).contains(&c)),
            "{counts:?}"
        );
        let mean = (0..100_000).map(|_| rng.poisson(4.0)).sum::<usize>() as f64 / 100_000.0;
        assert!((mean - 4.0).abs() < 0.05, "{mean}");
    }
}
