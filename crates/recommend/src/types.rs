//! Plain inputs of the engine: the catalogue, learning events, people and one
//! person's profile. The caller reads them from the database; nothing here does I/O.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

pub type PersonId = u32;
pub type ResourceId = u32;
pub type SkillId = u32;
pub type PositionId = u32;
/// Business tags (business line, task type, scenario) and person tags (duty,
/// project) share one id space, so a project tag can match a resource's tag.
pub type TagId = u32;
/// A day number (days since an epoch the caller chooses). The engine never reads
/// a clock: "now" is the `as_of` day the caller passes.
pub type Day = i32;

/// What kind of item a resource is (the glossary's `resource.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    Course,
    MicroCourse,
    Document,
    Video,
    Tool,
    Case,
    Exam,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 7] = [
        ResourceKind::Course,
        ResourceKind::MicroCourse,
        ResourceKind::Document,
        ResourceKind::Video,
        ResourceKind::Tool,
        ResourceKind::Case,
        ResourceKind::Exam,
    ];
}

/// A skill a resource teaches, at a proficiency level (1..N).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SkillLevel {
    pub skill: SkillId,
    pub level: u8,
}

/// One library item as the recommender sees it.
#[derive(Clone, Debug)]
pub struct Resource {
    pub id: ResourceId,
    pub title: Arc<str>,
    pub kind: ResourceKind,
    /// Skills covered, each at the level the resource teaches.
    pub skills: Vec<SkillLevel>,
    pub business_tags: Vec<TagId>,
    /// Positions the resource is marked suitable for (empty: not position-specific).
    pub positions: Vec<PositionId>,
    /// Day of publication; a resource published after `as_of` is not recommended.
    pub published: Day,
    pub retired: bool,
}

/// Two resources with one id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DuplicateResource(pub ResourceId);

impl fmt::Display for DuplicateResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "resource {} appears twice in the catalogue", self.0)
    }
}

impl std::error::Error for DuplicateResource {}

/// The resources the engine may rank, indexed by id.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    resources: Vec<Resource>,
    index: HashMap<ResourceId, u32>,
}

impl Catalog {
    pub fn new(resources: Vec<Resource>) -> Result<Self, DuplicateResource> {
        let mut index = HashMap::with_capacity(resources.len());
        for (i, r) in resources.iter().enumerate() {
            if index.insert(r.id, i as u32).is_some() {
                return Err(DuplicateResource(r.id));
            }
        }
        Ok(Catalog { resources, index })
    }

    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    pub fn get(&self, id: ResourceId) -> Option<&Resource> {
        self.index.get(&id).map(|&i| &self.resources[i as usize])
    }

    pub fn len(&self) -> usize {
        self.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// Position of a resource in [`Catalog::resources`].
    pub(crate) fn position_of(&self, id: ResourceId) -> Option<u32> {
        self.index.get(&id).copied()
    }

    /// Published by `as_of` and not retired.
    pub fn is_available(resource: &Resource, as_of: Day) -> bool {
        !resource.retired && resource.published <= as_of
    }
}

/// What a person did with a resource (implicit and explicit feedback).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    Viewed,
    Completed,
    /// A rating of 1..=5; other values are ignored.
    Rated(u8),
    /// "Not interested": the resource is never recommended to this person again.
    NotInterested,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub person: PersonId,
    pub resource: ResourceId,
    pub kind: EventKind,
    pub day: Day,
}

/// Learning events, in any order.
#[derive(Clone, Debug, Default)]
pub struct Interactions {
    pub events: Vec<Event>,
}

impl Interactions {
    pub fn new(events: Vec<Event>) -> Self {
        Interactions { events }
    }

    /// The events strictly before `day` (a training window for evaluation).
    pub fn before(&self, day: Day) -> Interactions {
        Interactions {
            events: self
                .events
                .iter()
                .filter(|e| e.day < day)
                .copied()
                .collect(),
        }
    }
}

/// A person's assessed level of a skill went up on `day`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Improvement {
    pub skill: SkillId,
    pub day: Day,
}

/// What the model needs to know about everyone (not only the person being served):
/// the position, for position popularity and peers, and when skills improved.
#[derive(Clone, Debug)]
pub struct PersonMeta {
    pub person: PersonId,
    pub position: PositionId,
    pub improvements: Vec<Improvement>,
}

#[derive(Clone, Debug, Default)]
pub struct PeopleMeta {
    pub people: Vec<PersonMeta>,
}

impl PeopleMeta {
    pub fn new(people: Vec<PersonMeta>) -> Self {
        PeopleMeta { people }
    }

    /// The same people with only the improvements strictly before `day`.
    pub fn before(&self, day: Day) -> PeopleMeta {
        PeopleMeta {
            people: self
                .people
                .iter()
                .map(|p| PersonMeta {
                    person: p.person,
                    position: p.position,
                    improvements: p
                        .improvements
                        .iter()
                        .filter(|i| i.day < day)
                        .copied()
                        .collect(),
                })
                .collect(),
        }
    }
}

/// An id with the name shown to people (a position, a duty or project tag).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub id: u32,
    pub name: Arc<str>,
}

impl Label {
    pub fn new(id: u32, name: impl Into<Arc<str>>) -> Self {
        Label {
            id,
            name: name.into(),
        }
    }
}

/// Whether a smaller or a larger KPI value is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparator {
    AtMost,
    AtLeast,
}

/// A department's KPI target and its current figure, as decoded by the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct KpiTarget {
    pub department: String,
    pub kpi: String,
    pub comparator: Comparator,
    pub target: f64,
    pub current: f64,
    /// Written after both figures, e.g. "%"; may be empty.
    pub unit: String,
}

/// Why a gap matters: the decoding chain from a department KPI target through a
/// position task to the skill. Shared (`Arc`) by everyone with the same gap source.
#[derive(Clone, Debug, PartialEq)]
pub struct GapChain {
    pub kpi: Option<KpiTarget>,
    pub task: Option<String>,
    pub skill_name: String,
}

/// One skill gap of a person, computed by the caller.
#[derive(Clone, Debug)]
pub struct Gap {
    pub skill: SkillId,
    pub required: u8,
    /// Assessed level (0: not assessed / none).
    pub current: u8,
    /// Importance: tier factor × KPI shortfall. Only ratios between one person's
    /// gaps matter; the engine divides by the person's largest weight.
    pub weight: f32,
    pub chain: Arc<GapChain>,
}

impl Gap {
    /// A gap is open while the assessed level is below the required one.
    pub fn is_open(&self) -> bool {
        self.current < self.required && self.weight > 0.0
    }
}

/// Which resources a person may see (their data scope).
#[derive(Clone, Default)]
pub enum Scope {
    #[default]
    All,
    Allowed(Arc<HashSet<ResourceId>>),
    Predicate(Arc<dyn Fn(ResourceId) -> bool + Send + Sync>),
}

impl Scope {
    pub fn allows(&self, id: ResourceId) -> bool {
        match self {
            Scope::All => true,
            Scope::Allowed(set) => set.contains(&id),
            Scope::Predicate(f) => f(id),
        }
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::All => f.write_str("All"),
            Scope::Allowed(set) => write!(f, "Allowed({} resources)", set.len()),
            Scope::Predicate(_) => f.write_str("Predicate(..)"),
        }
    }
}

/// The person being served.
#[derive(Clone, Debug)]
pub struct PersonProfile {
    pub person: PersonId,
    pub position: Label,
    pub duty_tags: Vec<Label>,
    pub project_tags: Vec<Label>,
    pub gaps: Vec<Gap>,
    pub scope: Scope,
}
