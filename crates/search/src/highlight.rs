//! HTML for highlighted titles and snippets.
//!
//! The web layer inserts these strings as trusted HTML, so everything that is not
//! our own `<mark>` tag goes through [`escape_into`]. tantivy's `Snippet::to_html`
//! is not used because its markers are fixed to `<b>` per snippet and its escaping
//! leaves `'` alone; here one function decides both.

use std::ops::Range;

use tantivy::snippet::{Snippet, SnippetGenerator};

pub(crate) const MARK_OPEN: &str = "<mark>";
pub(crate) const MARK_CLOSE: &str = "</mark>";
const ELLIPSIS: &str = "…";

/// Escapes text for an HTML element body or a quoted attribute value.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// Renders `text` with the byte ranges in `marks` wrapped in `<mark>`.
/// Overlapping ranges (jieba emits 北京 and 北京大学 for the same text) are merged;
/// ranges that are out of bounds or split a character are ignored rather than
/// trusted, so a bad range can never panic or break the escaping.
fn render_into(out: &mut String, text: &str, marks: &[Range<usize>]) {
    let mut ranges: Vec<Range<usize>> = marks
        .iter()
        .filter(|r| r.start < r.end && text.get(r.start..r.end).is_some())
        .cloned()
        .collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut at = 0;
    for r in merged {
        // Both ends were checked to be char boundaries above.
        escape_into(out, &text[at..r.start]);
        out.push_str(MARK_OPEN);
        escape_into(out, &text[r.clone()]);
        out.push_str(MARK_CLOSE);
        at = r.end;
    }
    escape_into(out, &text[at..]);
}

/// The whole of `text` with the query's words marked (for titles).
///
/// `generator` must have an unlimited fragment size: its single fragment then
/// starts at byte 0 and ends at the last word, so the rest is appended as is.
pub(crate) fn whole(generator: &SnippetGenerator, text: &str) -> String {
    let snippet = generator.snippet(text);
    let mut out = String::with_capacity(text.len() + 16);
    match text.strip_prefix(snippet.fragment()) {
        Some(tail) if !snippet.is_empty() => {
            render_into(&mut out, snippet.fragment(), snippet.highlighted());
            escape_into(&mut out, tail);
        }
        _ => escape_into(&mut out, text),
    }
    out
}

/// The best-matching passage of `text`, or `None` when no query word occurs in it.
pub(crate) fn passage(generator: &SnippetGenerator, text: &str) -> Option<String> {
    let snippet: Snippet = generator.snippet(text);
    if snippet.is_empty() {
        return None;
    }
    let fragment = snippet.fragment();
    let mut out = String::with_capacity(fragment.len() + 32);
    // The snippet does not say where the fragment starts; it is a copy of a
    // slice of `text`, so finding it again is exact in practice and only
    // decides whether to show the ellipses.
    let start = text.find(fragment).unwrap_or(0);
    if start > 0 {
        out.push_str(ELLIPSIS);
    }
    render_into(&mut out, fragment, snippet.highlighted());
    if start + fragment.len() < text.len() {
        out.push_str(ELLIPSIS);
    }
    Some(out)
}

/// The first `max_chars` characters of `text`, escaped, for results that have
/// no matching passage (filter-only searches, matches in the title only).
pub(crate) fn head(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => {
            let mut out = escape(&text[..cut]);
            out.push_str(ELLIPSIS);
            out
        }
        None => escape(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str, marks: &[Range<usize>]) -> String {
        let mut out = String::new();
        render_into(&mut out, text, marks);
        out
    }

    #[test]
    fn escapes_everything_outside_the_marks() {
        assert_eq!(
            render("<b>a&b</b> \"x\" 'y'", &[1..2, 1..2]),
            "&lt;<mark>b</mark>&gt;a&amp;b&lt;/b&gt; &quot;x&quot; &#39;y&#39;"
        );
    }

    #[test]
    fn overlapping_and_adjacent_marks_merge() {
        let text = "北京大学";
        assert_eq!(render(text, &[0..6, 6..12, 0..12]), "<mark>北京大学</mark>");
    }

    #[test]
    fn bad_ranges_are_ignored() {
        // 1..2 splits the first character, 5..99 runs past the end.
        assert_eq!(render("设备", &[1..2, 5..99, 3..3]), "设备");
    }

    #[test]
    fn head_cuts_on_characters() {
        assert_eq!(head("设备故障排查", 4), "设备故障…");
        assert_eq!(head(" <a> ", 10), "&lt;a&gt;");
    }
}
