//! Turning what a user typed into a tantivy query.
//!
//! tantivy's `QueryParser` is not used for the text: it treats each
//! whitespace-free run as one word and, when the analyzer splits that run into
//! several tokens, builds a *phrase* query. Chinese is written without spaces,
//! so 液压故障 would only find the exact sequence 液压·故障 and miss
//! 液压系统故障. Instead the text is analysed here and each word becomes an
//! optional clause, most of which must match.
//!
//! The accepted syntax is deliberately small and cannot fail:
//! - words: most must match (all of one or two; two of three; …), ranked by BM25
//!   with title > summary > body = keywords;
//! - `"…"` (or `“…”`): a phrase that must occur as written;
//! - `-word` / `-"…"`: excluded;
//! - anything else (unbalanced quotes, `:`, `*`, `(`…) is treated as text, and
//!   punctuation is dropped by the analyzer.

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhraseQuery, Query as TantivyQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use crate::analyzer::{self, QueryToken};
use crate::schema::Fields;

/// Longest text (in characters) that is analysed; the rest of a pasted
/// paragraph is ignored so one request cannot build a huge query.
const MAX_QUERY_CHARS: usize = 200;
/// Most word clauses built from the text, for the same reason.
const MAX_GROUPS: usize = 24;

/// How the text of a search is to be run.
pub(crate) enum TextPlan {
    /// No words: list documents by recency, minus any excluded words.
    Browse { exclude: Vec<Box<dyn TantivyQuery>> },
    /// There was text but no searchable word in it (only punctuation or stop
    /// words): nothing can match.
    Nothing,
    /// Rank by relevance.
    Ranked {
        query: Box<dyn TantivyQuery>,
        /// The positive part only, for highlighting (excluded words are not marked).
        highlight: Box<dyn TantivyQuery>,
    },
}

/// One piece of the user's text.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Words(String),
    Phrase(String),
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Parsed {
    /// Plain words, in order, joined by single spaces.
    words: String,
    phrases: Vec<String>,
    excluded: Vec<Piece>,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '＂')
}

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '－')
}

fn parse(text: &str) -> Parsed {
    let text: String = text.chars().take(MAX_QUERY_CHARS).collect();
    let mut parsed = Parsed::default();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        let negated = is_minus(first);
        if negated {
            chars.next();
            // A lone "-" is not an operator.
            if chars.peek().is_none_or(|c| c.is_whitespace()) {
                continue;
            }
        }
        let piece = if chars.next_if(|c| is_quote(*c)).is_some() {
            // An unclosed quote runs to the end of the text.
            let phrase: String = chars.by_ref().take_while(|c| !is_quote(*c)).collect();
            Piece::Phrase(phrase)
        } else {
            let mut word = String::new();
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                word.push(c);
            }
            Piece::Words(word)
        };
        match (negated, piece) {
            (true, piece) => parsed.excluded.push(piece),
            (false, Piece::Phrase(p)) => parsed.phrases.push(p),
            (false, Piece::Words(w)) => {
                if !parsed.words.is_empty() {
                    parsed.words.push(' ');
                }
                parsed.words.push_str(&w);
            }
        }
    }
    parsed
}

/// Groups tokens that cover overlapping text: jieba's search mode emits a long
/// word together with the dictionary words inside it (技术学校, 技术, 学校), and
/// any of them matching counts as that word matching.
fn word_groups(tokens: &[QueryToken]) -> Vec<Vec<String>> {
    // jieba emits the inner words before the word that spans them, so sweep in
    // order of position to merge every overlapping span.
    let mut sorted: Vec<&QueryToken> = tokens.iter().collect();
    sorted.sort_by_key(|t| t.position);
    let mut groups: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for t in sorted {
        let (start, end) = (t.position, t.position + t.position_length);
        match groups.last_mut() {
            Some((s, e, terms)) if start < *e && end > *s => {
                *s = (*s).min(start);
                *e = (*e).max(end);
                if !terms.contains(&t.text) {
                    terms.push(t.text.clone());
                }
            }
            _ => groups.push((start, end, vec![t.text.clone()])),
        }
    }
    let mut out: Vec<Vec<String>> = Vec::new();
    for (_, _, mut terms) in groups {
        terms.sort();
        // The same word typed twice is one requirement, not two.
        if !out.contains(&terms) {
            out.push(terms);
        }
    }
    out.truncate(MAX_GROUPS);
    out
}

/// Tokens that do not overlap, in order, with positions relative to the first:
/// the terms of a phrase query. The index holds every token jieba emitted for
/// the same text, so any non-overlapping choice matches it.
fn phrase_terms(tokens: &[QueryToken]) -> Vec<(usize, String)> {
    let mut sorted: Vec<&QueryToken> = tokens.iter().collect();
    sorted.sort_by_key(|t| t.position);
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut next_free = 0;
    for t in sorted {
        if t.position >= next_free {
            out.push((t.position, t.text.clone()));
            next_free = t.position + t.position_length;
        }
    }
    if let Some(&(base, _)) = out.first() {
        for (pos, _) in &mut out {
            *pos -= base;
        }
    }
    out
}

pub(crate) struct Builder<'a> {
    pub fields: &'a Fields,
    pub analyzer: TextAnalyzer,
}

impl Builder<'_> {
    /// Text fields searched, with their boosts.
    fn weighted_fields(&self) -> [(Field, f32); 4] {
        [
            (self.fields.title, 3.0),
            (self.fields.summary, 1.5),
            (self.fields.body, 1.0),
            (self.fields.keywords, 1.0),
        ]
    }

    fn term_in(field: Field, text: &str, boost: f32) -> Box<dyn TantivyQuery> {
        let q = TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        );
        Box::new(BoostQuery::new(Box::new(q), boost))
    }

    /// `terms` as a phrase in one field; a single term is a term query.
    fn phrase_in(field: Field, terms: &[(usize, String)], boost: f32) -> Box<dyn TantivyQuery> {
        if let [(_, only)] = terms {
            return Self::term_in(field, only, boost);
        }
        let terms = terms
            .iter()
            .map(|(pos, text)| (*pos, Term::from_field_text(field, text)))
            .collect();
        Box::new(BoostQuery::new(
            Box::new(PhraseQuery::new_with_offset(terms)),
            boost,
        ))
    }

    /// A phrase in any of the searched fields; `None` if it has no words.
    fn phrase_anywhere(&mut self, text: &str) -> Option<Box<dyn TantivyQuery>> {
        let terms = phrase_terms(&analyzer::tokens(&mut self.analyzer, text));
        if terms.is_empty() {
            return None;
        }
        let per_field = self
            .weighted_fields()
            .into_iter()
            .map(|(f, boost)| Self::phrase_in(f, &terms, boost))
            .collect();
        Some(Box::new(BooleanQuery::union(per_field)))
    }

    pub(crate) fn plan(&mut self, text: &str) -> TextPlan {
        let parsed = parse(text);
        let mut exclude = Vec::new();
        for piece in &parsed.excluded {
            let (Piece::Words(t) | Piece::Phrase(t)) = piece;
            exclude.extend(self.phrase_anywhere(t));
        }

        let mut required: Vec<Box<dyn TantivyQuery>> = Vec::new();
        let mut bonus: Vec<Box<dyn TantivyQuery>> = Vec::new();

        let tokens = analyzer::tokens(&mut self.analyzer, &parsed.words);
        let groups = word_groups(&tokens);
        if !groups.is_empty() {
            let clauses: Vec<Box<dyn TantivyQuery>> = groups
                .iter()
                .map(|group| {
                    let alternatives = group
                        .iter()
                        .flat_map(|term| {
                            self.weighted_fields()
                                .into_iter()
                                .map(move |(f, boost)| Self::term_in(f, term, boost))
                        })
                        .collect();
                    Box::new(BooleanQuery::union(alternatives)) as Box<dyn TantivyQuery>
                })
                .collect();
            // Most words must match: all of one or two, then two thirds. Requiring
            // all of a long query would lose good results over one odd word;
            // requiring any would list everything that mentions 设备.
            let n = clauses.len();
            required.push(Box::new(BooleanQuery::union_with_minimum_required_clauses(
                clauses,
                n - n / 3,
            )));
            // The words in the order typed, in the title or summary, rank higher.
            let in_order = phrase_terms(&tokens);
            if in_order.len() >= 2 {
                for (f, boost) in self.weighted_fields().into_iter().take(2) {
                    bonus.push(Self::phrase_in(f, &in_order, boost));
                }
            }
        }
        for phrase in &parsed.phrases {
            required.extend(self.phrase_anywhere(phrase));
        }

        if required.is_empty() {
            let blank = parsed.words.trim().is_empty() && parsed.phrases.is_empty();
            return if blank || !parsed.excluded.is_empty() {
                TextPlan::Browse { exclude }
            } else {
                TextPlan::Nothing
            };
        }

        let highlight = Box::new(BooleanQuery::union(
            required.iter().map(|q| q.box_clone()).collect(),
        ));
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        clauses.extend(required.into_iter().map(|q| (Occur::Must, q)));
        clauses.extend(bonus.into_iter().map(|q| (Occur::Should, q)));
        clauses.extend(exclude.into_iter().map(|q| (Occur::MustNot, q)));
        TextPlan::Ranked {
            query: Box::new(BooleanQuery::new(clauses)),
            highlight,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(text: &str, position: usize, len: usize) -> QueryToken {
        QueryToken {
            text: text.to_owned(),
            position,
            position_length: len,
        }
    }

    #[test]
    fn parse_words_phrases_and_exclusions() {
        let p = parse(r#" 设备  "液压 系统" -焊接 -"冲压 模具" PLC- a-b - "#);
        assert_eq!(p.words, "设备 PLC- a-b");
        assert_eq!(p.phrases, ["液压 系统"]);
        assert_eq!(
            p.excluded,
            [
                Piece::Words("焊接".into()),
                Piece::Phrase("冲压 模具".into())
            ]
        );
    }

    #[test]
    fn parse_is_lenient() {
        // Unclosed quote, stray operators and query-parser syntax are just text.
        let p = parse(r#"title:(设备 AND "故障"#);
        assert_eq!(p.words, "title:(设备 AND");
        assert_eq!(p.phrases, ["故障"]);
        assert_eq!(parse("“全角引号”").phrases, ["全角引号"]);
        assert_eq!(parse("").words, "");
        assert_eq!(parse("-").excluded, []);
    }

    #[test]
    fn overlapping_tokens_form_one_group() {
        let tokens = [
            tok("技术", 0, 2),
            tok("学校", 2, 2),
            tok("技术学校", 0, 4),
            tok("安全", 4, 2),
            tok("安全", 7, 2),
        ];
        assert_eq!(
            word_groups(&tokens),
            [vec!["学校", "技术", "技术学校"], vec!["安全"]]
        );
        assert_eq!(
            phrase_terms(&tokens),
            [
                (0, "技术".into()),
                (2, "学校".into()),
                (4, "安全".into()),
                (7, "安全".into())
            ]
        );
    }

    #[test]
    fn phrase_positions_are_relative() {
        let tokens = [tok("液压", 3, 2), tok("系统", 5, 2)];
        assert_eq!(
            phrase_terms(&tokens),
            [(0, "液压".into()), (2, "系统".into())]
        );
    }
}
