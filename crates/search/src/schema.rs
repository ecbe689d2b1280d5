//! The index schema and the conversion of a [`ResourceDoc`] into a tantivy document.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::ResourceDoc;
use crate::analyzer::ANALYZER_NAME;

/// Handles to the fields, resolved once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub id: Field,
    pub title: Field,
    pub summary: Field,
    pub body: Field,
    /// Tag values and position names, analysed: a search for 装备制造 finds a
    /// resource tagged `business_line:装备制造`.
    pub keywords: Field,
    pub kind: Field,
    pub tier: Field,
    pub status: Field,
    pub origin: Field,
    /// Tags verbatim (`business_line:装备制造`), for exact filtering.
    pub tag: Field,
    pub skill: Field,
    pub position: Field,
    pub updated_at: Field,
    /// The kind's ranking prior ([`kind_prior`]); relevance is multiplied by it.
    pub prior: Field,
}

/// Name of the fast field holding [`kind_prior`].
pub(crate) const PRIOR_FIELD: &str = "prior";

/// How much a kind's relevance is raised at equal text match. Micro-courses and
/// cases are written to answer one business problem (问题 → 案例 → 方法), so a
/// search naming a problem should meet them before the longer courses and the
/// reference material that mention it too.
pub(crate) fn kind_prior(kind: &str) -> f64 {
    match kind {
        "micro_course" => 1.4,
        "case" => 1.2,
        _ => 1.0,
    }
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Positions are indexed so that phrases ("…" in a query) and the exact-order
    // bonus work; title/summary/body are stored because snippets are cut from them.
    let analysed = |stored: bool| {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER_NAME)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { opts.set_stored() } else { opts }
    };
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        // Titles are short and their length says nothing about relevance; without
        // length norms 设备故障排查基础 does not outrank 设备故障排查：三步定位液压系统异常
        // merely for having fewer words.
        title: b.add_text_field(
            "title",
            analysed(true).set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(ANALYZER_NAME)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions)
                    .set_fieldnorms(false),
            ),
        ),
        summary: b.add_text_field("summary", analysed(true)),
        body: b.add_text_field("body", analysed(true)),
        keywords: b.add_text_field("keywords", analysed(false)),
        kind: b.add_text_field("kind", STRING),
        tier: b.add_text_field("tier", STRING),
        status: b.add_text_field("status", STRING),
        origin: b.add_text_field("origin", STRING),
        tag: b.add_text_field("tag", STRING),
        skill: b.add_text_field("skill", STRING),
        position: b.add_text_field("position", STRING),
        updated_at: b.add_i64_field("updated_at", FAST),
        prior: b.add_f64_field(PRIOR_FIELD, FAST),
    };
    (b.build(), fields)
}

impl Fields {
    pub(crate) fn to_document(self, doc: &ResourceDoc) -> TantivyDocument {
        let mut d = TantivyDocument::new();
        d.add_i64(self.id, doc.id);
        d.add_text(self.title, &doc.title);
        d.add_text(self.summary, &doc.summary);
        d.add_text(self.body, &doc.body);
        d.add_text(self.kind, &doc.kind);
        d.add_text(self.tier, &doc.tier);
        d.add_text(self.status, &doc.status);
        d.add_text(self.origin, &doc.origin);
        for tag in &doc.tags {
            d.add_text(self.tag, tag);
            d.add_text(self.keywords, tag_value(tag));
        }
        for skill in &doc.skills {
            d.add_text(self.skill, skill);
        }
        for position in &doc.positions {
            d.add_text(self.position, position);
            d.add_text(self.keywords, position);
        }
        d.add_i64(self.updated_at, doc.updated_at);
        d.add_f64(self.prior, kind_prior(&doc.kind));
        d
    }
}

/// The searchable part of a tag: `scenario:故障排查` → `故障排查`, so that the
/// dimension names don't match every tagged resource.
fn tag_value(tag: &str) -> &str {
    match tag.split_once(':') {
        Some((dimension, value))
            if !dimension.is_empty()
                && dimension
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_') =>
        {
            value
        }
        _ => tag,
    }
}

#[cfg(test)]
mod tests {
    use super::tag_value;

    #[test]
    fn tag_dimension_is_not_searchable_text() {
        assert_eq!(tag_value("scenario:故障排查"), "故障排查");
        assert_eq!(tag_value("安全生产"), "安全生产");
        // A colon inside a plain value (not a dimension name) is kept.
        assert_eq!(tag_value("ISO 9001:2015"), "ISO 9001:2015");
    }
}
