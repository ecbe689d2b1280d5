//! The text analyzer shared by indexing, querying and highlighting.
//!
//! jieba splits Chinese into words (in "search" mode it also emits the dictionary
//! words inside a long word, so 技术学校 is found by 学校) and passes Latin words
//! through whole. Punctuation and spaces come out of jieba as tokens of their own;
//! they are dropped here so they neither match nor count towards field lengths.

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use tantivy_jieba::JiebaTokenizer;

/// Name under which the analyzer is registered and referenced by the schema.
///
/// The version suffix is part of the schema: when the analysis changes, an index
/// built with the old one no longer opens (and must be rebuilt) instead of
/// silently mismatching query and index tokens.
pub(crate) const ANALYZER_NAME: &str = "skillbridge_zh_en_v1";

/// Function words that match nearly every document and only add noise to
/// scoring and to the "most words must match" rule.
const STOP_WORDS: &[&str] = &[
    // Chinese particles, conjunctions and question words.
    "的", "了", "和", "与", "及", "或", "是", "在", "等", "之", "对", "把", "被", "也", "就", "都",
    "而", "以及", "如何", "怎么", "怎样", "什么", "哪些", "一个", "进行", // English.
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "in", "into", "is",
    "it", "of", "on", "or", "the", "to", "with",
];

/// Builds the analyzer: jieba → drop long tokens → lowercase → drop punctuation →
/// stop words → English stemming (Chinese words pass the stemmer unchanged).
pub(crate) fn build() -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(WordsOnly)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|w| (*w).to_owned()),
        ))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// One analysed token as the query builder needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryToken {
    pub text: String,
    /// Position in characters (jieba counts characters, not words).
    pub position: usize,
    pub position_length: usize,
}

/// Runs the analyzer over `text`.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<QueryToken> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    stream.process(&mut |t: &Token| {
        out.push(QueryToken {
            text: t.text.clone(),
            position: t.position,
            position_length: t.position_length.max(1),
        });
    });
    out
}

/// Drops tokens with no letter or digit (punctuation, spaces, symbols).
#[derive(Clone)]
pub(crate) struct WordsOnly;

impl TokenFilter for WordsOnly {
    type Tokenizer<T: Tokenizer> = WordsOnlyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordsOnlyTokenizer<T> {
        WordsOnlyTokenizer(tokenizer)
    }
}

#[derive(Clone)]
pub(crate) struct WordsOnlyTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for WordsOnlyTokenizer<T> {
    type TokenStream<'a> = WordsOnlyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        WordsOnlyStream {
            tail: self.0.token_stream(text),
        }
    }
}

pub(crate) struct WordsOnlyStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for WordsOnlyStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if self.tail.token().text.chars().any(char::is_alphanumeric) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        tokens(&mut build(), text)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn chinese_is_split_into_words_without_punctuation() {
        let t = texts("设备故障排查：三步定位液压系统异常");
        for w in ["设备", "故障", "排查", "液压", "系统", "异常"] {
            assert!(t.contains(&w.to_owned()), "{w} missing from {t:?}");
        }
        assert!(!t.iter().any(|w| w == "：" || w.trim().is_empty()), "{t:?}");
    }

    #[test]
    fn english_is_lowercased_and_stemmed() {
        assert_eq!(texts("PLC Troubleshooting"), ["plc", "troubleshoot"]);
        assert_eq!(texts("Valves"), texts("valve"));
        assert_eq!(texts("welding"), texts("weld"));
    }

    #[test]
    fn stop_words_are_dropped() {
        assert_eq!(texts("设备的故障"), ["设备", "故障"]);
    }

    #[test]
    fn positions_never_go_backwards_for_one_term() {
        // tantivy's postings writer subtracts consecutive positions of a term.
        let toks = tokens(
            &mut build(),
            "北京大学的技术学校技术学校 Lean lean LEAN 5S 5s 精益生产精益",
        );
        let mut last: std::collections::HashMap<&str, usize> = Default::default();
        for t in &toks {
            if let Some(prev) = last.insert(&t.text, t.position) {
                assert!(prev <= t.position, "{} went back: {toks:?}", t.text);
            }
        }
    }
}
