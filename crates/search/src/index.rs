//! [`ResourceIndex`]: the index, its single writer and its reader.

use std::borrow::Borrow;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TantivyQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score, Searcher,
    SegmentReader, TantivyDocument, TantivyError, Term,
};

use crate::analyzer::{self, ANALYZER_NAME};
use crate::highlight;
use crate::query::{Builder, TextPlan};
use crate::schema::{self, Fields};
use crate::{Hit, Query, ResourceDoc, SearchError, SearchPage};

/// Indexing memory shared by the writer's threads; tantivy flushes a segment
/// when a thread's share fills. Enough for a full rebuild without hurting a
/// small server.
const WRITER_MEMORY_BYTES: usize = 50_000_000;
/// Indexing threads; tantivy needs at least 15 MB of the budget per thread.
const WRITER_MAX_THREADS: usize = 2;
/// Longest body/summary passage, in bytes (about 80 Chinese characters).
const SNIPPET_BYTES: usize = 240;
/// Characters shown from the start of the summary when no passage matches.
const HEAD_CHARS: usize = 80;
/// Only this much of a body is searched for a passage: highlighting re-runs
/// jieba over the text of every hit, and a long document would make one page
/// of results cost as much as indexing it.
const PASSAGE_SOURCE_BYTES: usize = 8 * 1024;

/// A full-text index of learning resources.
///
/// `Send + Sync`: share it (e.g. in an `Arc`) between request handlers. Writes
/// are serialised on one writer; each write commits and reloads the reader
/// before returning, so a search issued after a write returns sees it.
pub struct ResourceIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    analyzer: TextAnalyzer,
    /// `None` for an in-memory index.
    path: Option<PathBuf>,
}

impl std::fmt::Debug for ResourceIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceIndex")
            .field("path", &self.path)
            .field("docs", &self.doc_count())
            .finish_non_exhaustive()
    }
}

impl ResourceIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if
    /// needed. Fails with [`SearchError::SchemaMismatch`] when `dir` holds an
    /// index built by a version with different fields or text analysis, and
    /// with [`SearchError::Locked`] when another writer holds it.
    pub fn open_or_create(dir: &Path) -> Result<Self, SearchError> {
        let path = dir.to_path_buf();
        std::fs::create_dir_all(dir).map_err(|source| SearchError::CreateDir {
            path: path.clone(),
            source,
        })?;
        let directory = MmapDirectory::open(dir).map_err(|source| SearchError::Open {
            path: path.clone(),
            source,
        })?;
        let (schema, fields) = schema::build();
        let index = Index::open_or_create(directory, schema).map_err(|e| match e {
            TantivyError::SchemaError(_) => SearchError::SchemaMismatch { path: path.clone() },
            other => SearchError::Index(other),
        })?;
        Self::from_index(index, fields, Some(path))
    }

    /// A fresh index held in memory, for tests and tools.
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        Self::from_index(Index::create_in_ram(schema), fields, None)
    }

    fn from_index(
        index: Index,
        fields: Fields,
        path: Option<PathBuf>,
    ) -> Result<Self, SearchError> {
        // Tokenizers are not stored in the index; register ours on every open.
        let analyzer = analyzer::build();
        index.tokenizers().register(ANALYZER_NAME, analyzer.clone());
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(WRITER_MAX_THREADS);
        let writer = index
            .writer_with_num_threads(threads, WRITER_MEMORY_BYTES)
            .map_err(|e| match (e, &path) {
                (TantivyError::LockFailure(..), Some(p)) => SearchError::Locked { path: p.clone() },
                (e, _) => SearchError::Index(e),
            })?;
        // Reloaded by hand after each commit (see `write`), so a write is visible
        // as soon as it returns rather than after a file-watcher delay.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            reader,
            writer: Mutex::new(writer),
            fields,
            analyzer,
            path,
        })
    }

    /// Adds `doc`, replacing any earlier version with the same id.
    pub fn upsert(&self, doc: &ResourceDoc) -> Result<(), SearchError> {
        self.upsert_many(std::iter::once(doc)).map(|_| ())
    }

    /// Adds or replaces many documents in one commit (much cheaper than one
    /// [`upsert`](Self::upsert) each). Returns how many were written. On error
    /// nothing of the batch is kept.
    pub fn upsert_many<I>(&self, docs: I) -> Result<usize, SearchError>
    where
        I: IntoIterator,
        I::Item: Borrow<ResourceDoc>,
    {
        let fields = self.fields;
        self.write(|writer| {
            let mut n = 0;
            for doc in docs {
                let doc = doc.borrow();
                writer.delete_term(Term::from_field_i64(fields.id, doc.id));
                writer.add_document(fields.to_document(doc))?;
                n += 1;
            }
            Ok(n)
        })
    }

    /// Removes the document with `id`, if there is one.
    pub fn delete(&self, id: i64) -> Result<(), SearchError> {
        let term = Term::from_field_i64(self.fields.id, id);
        self.write(|writer| {
            writer.delete_term(term);
            Ok(())
        })
    }

    /// Replaces the whole content of the index with `docs`, in one commit:
    /// searches see the old content until the new one is complete. Returns how
    /// many documents were written. On error the old content stays.
    pub fn rebuild<I>(&self, docs: I) -> Result<usize, SearchError>
    where
        I: IntoIterator,
        I::Item: Borrow<ResourceDoc>,
    {
        let fields = self.fields;
        self.write(|writer| {
            writer.delete_all_documents()?;
            let mut n = 0;
            for doc in docs {
                writer.add_document(fields.to_document(doc.borrow()))?;
                n += 1;
            }
            Ok(n)
        })
    }

    /// Number of documents searchable now.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.doc_count() == 0
    }

    /// Where the index lives on disk (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `f` on the writer, then commits and makes the result visible; on
    /// any error rolls back to the last commit so a half-done batch never leaks
    /// into a later commit.
    fn write<R>(
        &self,
        f: impl FnOnce(&mut IndexWriter) -> tantivy::Result<R>,
    ) -> Result<R, SearchError> {
        let mut writer = self.lock_writer()?;
        let result = f(&mut writer).and_then(|r| writer.commit().map(|_| r));
        match result {
            Ok(r) => {
                self.reader.reload()?;
                Ok(r)
            }
            Err(e) => {
                // The original error is the one worth reporting.
                let _ = writer.rollback();
                Err(e.into())
            }
        }
    }

    fn lock_writer(&self) -> Result<MutexGuard<'_, IndexWriter>, SearchError> {
        match self.writer.lock() {
            Ok(guard) => Ok(guard),
            Err(poisoned) => {
                // A panic mid-write left uncommitted changes of unknown extent:
                // discard them and carry on from the last commit.
                let mut guard = poisoned.into_inner();
                guard.rollback()?;
                self.writer.clear_poison();
                Ok(guard)
            }
        }
    }

    /// Runs a search. Never fails because of what the user typed; errors come
    /// only from reading the index.
    pub fn search(&self, q: &Query) -> Result<SearchPage, SearchError> {
        let searcher = self.reader.searcher();
        let mut builder = Builder {
            fields: &self.fields,
            analyzer: self.analyzer.clone(),
        };
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let highlight = match builder.plan(&q.text) {
            TextPlan::Nothing => {
                return Ok(SearchPage {
                    total: 0,
                    hits: Vec::new(),
                });
            }
            TextPlan::Browse { exclude } => {
                clauses.push((Occur::Must, Box::new(AllQuery)));
                clauses.extend(exclude.into_iter().map(|e| (Occur::MustNot, e)));
                None
            }
            TextPlan::Ranked { query, highlight } => {
                clauses.push((Occur::Must, query));
                Some(highlight)
            }
        };
        self.add_filters(q, &mut clauses);
        let query = BooleanQuery::new(clauses);

        let limit = q.limit.min(Query::MAX_LIMIT);
        if limit == 0 || q.offset.saturating_add(limit) > Query::MAX_WINDOW {
            let total = searcher.search(&query, &Count)?;
            return Ok(SearchPage {
                total,
                hits: Vec::new(),
            });
        }
        let top = TopDocs::with_limit(limit).and_offset(q.offset);
        let (total, found): (usize, Vec<(f32, DocAddress)>) = if highlight.is_some() {
            let weighted = top.tweak_score(|segment: &SegmentReader| {
                let prior = segment
                    .fast_fields()
                    .f64(schema::PRIOR_FIELD)
                    .ok()
                    .map(|column| column.first_or_default_col(1.0));
                move |doc: DocId, score: Score| match &prior {
                    Some(prior) => score * prior.get_val(doc) as Score,
                    None => score,
                }
            });
            searcher.search(&query, &(Count, weighted))?
        } else {
            let (total, found) = searcher.search(
                &query,
                &(
                    Count,
                    top.order_by_fast_field::<i64>("updated_at", Order::Desc),
                ),
            )?;
            (total, found.into_iter().map(|(_, a)| (0.0, a)).collect())
        };
        let hits = self.hits(&searcher, highlight.as_deref(), found)?;
        Ok(SearchPage { total, hits })
    }

    fn add_filters(&self, q: &Query, clauses: &mut Vec<(Occur, Box<dyn TantivyQuery>)>) {
        let f = &self.fields;
        let given = |v: &Option<String>| -> Option<String> {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let mut exact: Vec<(Field, String)> = [
            (f.kind, &q.kind),
            (f.tier, &q.tier),
            (f.status, &q.status),
            (f.origin, &q.origin),
            (f.skill, &q.skill),
            (f.position, &q.position),
        ]
        .into_iter()
        .filter_map(|(field, v)| given(v).map(|v| (field, v)))
        .collect();
        exact.extend(
            q.tags
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .map(|t| (f.tag, t.to_owned())),
        );
        for (field, value) in exact {
            // Filters select; they must not change the ranking.
            let term = TermQuery::new(
                Term::from_field_text(field, &value),
                IndexRecordOption::Basic,
            );
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(term), 0.0)),
            ));
        }
        if !q.include_retired && given(&q.status).is_none() {
            let retired = TermQuery::new(
                Term::from_field_text(f.status, "retired"),
                IndexRecordOption::Basic,
            );
            clauses.push((Occur::MustNot, Box::new(retired)));
        }
    }

    fn hits(
        &self,
        searcher: &Searcher,
        highlight: Option<&dyn TantivyQuery>,
        found: Vec<(f32, DocAddress)>,
    ) -> Result<Vec<Hit>, SearchError> {
        let f = &self.fields;
        let generators = match highlight {
            Some(h) => {
                let mut title = SnippetGenerator::create(searcher, h, f.title)?;
                // One fragment covering the whole title (see `highlight::whole`).
                title.set_max_num_chars(usize::MAX);
                let mut summary = SnippetGenerator::create(searcher, h, f.summary)?;
                summary.set_max_num_chars(SNIPPET_BYTES);
                let mut body = SnippetGenerator::create(searcher, h, f.body)?;
                body.set_max_num_chars(SNIPPET_BYTES);
                Some((title, summary, body))
            }
            None => None,
        };
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(id) = doc.get_first(f.id).and_then(|v| v.as_i64()) else {
                continue;
            };
            let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
            let (title, summary, body) = (text(f.title), text(f.summary), text(f.body));
            let lead = if summary.trim().is_empty() {
                body
            } else {
                summary
            };
            let (title_html, snippet_html) = match &generators {
                Some((tg, sg, bg)) => (
                    highlight::whole(tg, title),
                    highlight::passage(sg, summary)
                        .or_else(|| highlight::passage(bg, prefix(body, PASSAGE_SOURCE_BYTES)))
                        .unwrap_or_else(|| highlight::head(lead, HEAD_CHARS)),
                ),
                None => (highlight::escape(title), highlight::head(lead, HEAD_CHARS)),
            };
            hits.push(Hit {
                id,
                score,
                title_html,
                snippet_html,
            });
        }
        Ok(hits)
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

#[cfg(test)]
mod tests {
    use super::{ResourceIndex, prefix};

    #[test]
    fn prefix_ends_on_a_character() {
        assert_eq!(prefix("设备", 4), "设");
        assert_eq!(prefix("设备", 6), "设备");
        assert_eq!(prefix("ab", 0), "");
    }

    #[test]
    fn index_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<ResourceIndex>();
    }
}
