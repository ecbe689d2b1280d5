//! The language of a request (the UI texts themselves are in the `i18n` crate).

use crate::auth::{LANG_COOKIE, cookie};
use axum::http::{HeaderMap, header};
use i18n::Locale;

/// Picks the language for a request: the saved preference, the language cookie, then
/// `Accept-Language` (highest q first), then Chinese.
pub fn from_request(headers: &HeaderMap, saved: Option<&str>) -> Locale {
    if let Some(l) = saved.and_then(Locale::parse) {
        return l;
    }
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(Locale::parse) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            // Highest q first; ties keep header order.
            let mut langs: Vec<(f32, usize, &str)> = v
                .split(',')
                .enumerate()
                .map(|(i, part)| {
                    let mut it = part.split(';');
                    let tag = it.next().unwrap_or("").trim();
                    let q = it
                        .find_map(|p| p.trim().strip_prefix("q="))
                        .and_then(|q| q.parse().ok())
                        .unwrap_or(1.0);
                    (q, i, tag)
                })
                .collect();
            langs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            langs.into_iter().find_map(|(_, _, tag)| Locale::parse(tag))
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use i18n::Tr;

    #[test]
    fn every_key_used_in_templates_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("t.get(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                assert!(
                    Tr::has(key),
                    "{} uses unknown text key {key}",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn picks_language() {
        let mut h = HeaderMap::new();
        assert_eq!(from_request(&h, None), Locale::ZhCn);
        h.insert(
            header::ACCEPT_LANGUAGE,
            "de;q=0.9, en-US;q=0.8, zh;q=0.5".parse().unwrap(),
        );
        assert_eq!(from_request(&h, None), Locale::En);
        assert_eq!(from_request(&h, Some("zh-CN")), Locale::ZhCn);
        h.insert(header::COOKIE, "sb_lang=zh-CN".parse().unwrap());
        assert_eq!(from_request(&h, None), Locale::ZhCn);
    }
}
