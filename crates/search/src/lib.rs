//! Full-text search over learning resources, in Chinese and English.
//!
//! The index is derived data: the store owns resources, and the application feeds
//! them in as [`ResourceDoc`]s ([`ResourceIndex::upsert`] on each change,
//! [`ResourceIndex::rebuild`] on first start or after a schema change). Searches
//! take a [`Query`] and return a [`SearchPage`] of ids with highlighted HTML;
//! the caller loads whatever else it shows from the store.
//!
//! Text is split into words by jieba (Chinese) and lowercased and stemmed
//! (English). Matches in the title count most, then the summary, then the body
//! and the tags; most of the query's words must occur. See [`Query::text`] for
//! the syntax a user may type. No input makes a search fail.
//!
//! ```
//! use search::{Query, ResourceDoc, ResourceIndex};
//!
//! let index = ResourceIndex::in_memory()?;
//! index.upsert(&ResourceDoc {
//!     id: 1,
//!     title: "设备故障排查：三步定位液压系统异常".into(),
//!     kind: "micro_course".into(),
//!     status: "published".into(),
//!     ..ResourceDoc::default()
//! })?;
//! let page = index.search(&Query::text("液压故障"))?;
//! assert_eq!(page.hits[0].id, 1);
//! assert!(page.hits[0].title_html.contains("<mark>液压</mark>"));
//! # Ok::<(), search::SearchError>(())
//! ```

mod analyzer;
mod highlight;
mod index;
mod query;
mod schema;

use std::path::PathBuf;

pub use index::ResourceIndex;

/// A learning resource as the index sees it. Field values use the glossary's
/// codes (`kind`: `course`, `micro_course`, …; `tier`: `core`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceDoc {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub kind: String,
    pub tier: String,
    pub status: String,
    pub origin: String,
    /// Business tags as `dimension:value` (`business_line:装备制造`,
    /// `scenario:故障排查`) and plain tag values. Filtering matches a tag
    /// exactly; text search matches the value part.
    pub tags: Vec<String>,
    /// Skill codes, for filtering.
    pub skills: Vec<String>,
    /// Position names; filterable and searchable as text.
    pub positions: Vec<String>,
    /// Unix seconds; orders results when there is no text to rank by.
    pub updated_at: i64,
}

/// A search request. Empty filters (`None` or `Some("")`) do not filter, so a
/// form's "any" option can be passed through as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// What the user typed. Words: most must occur, ranked by relevance.
    /// `"…"`: an exact phrase that must occur. `-word`, `-"…"`: excluded.
    /// Anything else is read as text. Empty: every resource that passes the
    /// filters, newest `updated_at` first.
    pub text: String,
    pub kind: Option<String>,
    pub tier: Option<String>,
    /// An explicit status wins over `include_retired`.
    pub status: Option<String>,
    pub origin: Option<String>,
    /// Every tag listed must be on the resource (exact match, e.g. `scenario:故障排查`).
    pub tags: Vec<String>,
    pub skill: Option<String>,
    pub position: Option<String>,
    /// Retired resources are left out unless this is set (or `status` asks for them).
    pub include_retired: bool,
    /// Hits to skip; beyond [`Query::MAX_WINDOW`] no hits are returned (the total still is).
    pub offset: usize,
    /// Hits to return, capped at [`Query::MAX_LIMIT`]; 0 returns only the total.
    pub limit: usize,
}

impl Query {
    /// Largest page size.
    pub const MAX_LIMIT: usize = 100;
    /// Deepest `offset + limit` served; collecting deeper pages costs memory per request.
    pub const MAX_WINDOW: usize = 10_000;

    /// A text search with no filters, first page of 20.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }
}

impl Default for Query {
    fn default() -> Self {
        Self {
            text: String::new(),
            kind: None,
            tier: None,
            status: None,
            origin: None,
            tags: Vec::new(),
            skill: None,
            position: None,
            include_retired: false,
            offset: 0,
            limit: 20,
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    /// All matching resources, not just this page.
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// One result. The HTML fields are escaped text with the query's words in
/// `<mark>…</mark>`; they are safe to insert as HTML.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: i64,
    /// Relevance (higher is better); 0 when the page is ordered by recency.
    pub score: f32,
    pub title_html: String,
    /// The best-matching passage of the summary or body, or the start of the
    /// summary when the words occur only in the title.
    pub snippet_html: String,
}

/// What can go wrong with the index. A user's query text is never the cause.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("cannot create the search index directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the search index in {path}: {source}")]
    Open {
        path: PathBuf,
        source: tantivy::directory::error::OpenDirectoryError,
    },
    #[error(
        "the search index in {path} was built by another version; delete the directory and rebuild it"
    )]
    SchemaMismatch { path: PathBuf },
    #[error(
        "the search index in {path} is in use by another process (or another ResourceIndex in this one)"
    )]
    Locked { path: PathBuf },
    #[error("search index error: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("the search index writer is unusable after a panic during an earlier write")]
    Poisoned,
}
