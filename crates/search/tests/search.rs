//! Behavior of the index through its public API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use search::{Query, ResourceDoc, ResourceIndex, SearchError, SearchPage};

fn doc(id: i64, kind: &str, title: &str, body: &str) -> ResourceDoc {
    ResourceDoc {
        id,
        title: title.into(),
        body: body.into(),
        kind: kind.into(),
        tier: "support".into(),
        status: "published".into(),
        origin: "internal".into(),
        updated_at: 1_700_000_000 + id,
        ..ResourceDoc::default()
    }
}

fn ids(page: &SearchPage) -> Vec<i64> {
    page.hits.iter().map(|h| h.id).collect()
}

fn search(index: &ResourceIndex, q: &Query) -> SearchPage {
    index.search(q).expect("search")
}

fn text(index: &ResourceIndex, text: &str) -> Vec<i64> {
    ids(&search(index, &Query::text(text)))
}

/// The corpus of the relevance requirement: one micro-course whose title says
/// it all, documents that mention the words only in the body, and noise.
fn troubleshooting_corpus() -> ResourceIndex {
    let index = ResourceIndex::in_memory().unwrap();
    let docs = vec![
        doc(
            1,
            "micro_course",
            "设备故障排查：三步定位液压系统异常",
            "先看压力表，再听泵的声音，最后检查油温。",
        ),
        doc(
            2,
            "document",
            "车间日常点检规范",
            "每班开工前对设备进行点检，设备铭牌、设备编号、设备状态逐项记录。设备清洁。",
        ),
        doc(
            3,
            "course",
            "质量异常处理流程",
            "出现故障时先隔离不良品，故障原因由质量工程师确认。",
        ),
        doc(
            4,
            "case",
            "班组长沟通技巧",
            "与员工沟通前排查情绪因素，排查误解来源。",
        ),
        // Two of the three words, many times, but only in the body.
        doc(
            5,
            "document",
            "安全生产月活动总结",
            "本月设备故障三起，设备故障停机共四小时；设备故障台账已更新，设备故障分析会已召开。",
        ),
        doc(
            6,
            "course",
            "大客户销售谈判",
            "谈判前准备底线与让步清单，识别客户决策链。",
        ),
        doc(
            7,
            "tool",
            "精益5S推行手册",
            "整理、整顿、清扫、清洁、素养，现场目视化管理。",
        ),
    ];
    index.rebuild(&docs).unwrap();
    index
}

#[test]
fn title_match_ranks_first_for_chinese_query() {
    let index = troubleshooting_corpus();
    let page = search(&index, &Query::text("设备故障排查"));
    let found = ids(&page);
    assert_eq!(found.first(), Some(&1), "{page:#?}");
    // Most words must match: the body with two of the three words is found,
    // single-word mentions and unrelated documents are not.
    assert!(found.contains(&5), "{found:?}");
    for absent in [2, 3, 4, 6, 7] {
        assert!(!found.contains(&absent), "{absent} in {found:?}");
    }
    assert_eq!(page.total, found.len());
    assert_eq!(
        page.hits[0].title_html,
        "<mark>设备故障排查</mark>：三步定位液压系统异常"
    );
}

#[test]
fn micro_course_outranks_shorter_titles_with_the_same_phrase() {
    // The library's real competition: a basic course, its video and its card,
    // whose short titles and summaries also hold the phrase.
    let index = ResourceIndex::in_memory().unwrap();
    let summary = "认识故障现象、原因与机理。本课程培养“设备故障排查”能力。";
    let mut docs = vec![
        doc(
            1,
            "micro_course",
            "设备故障排查：三步定位液压系统异常",
            "液压故障的排查顺序：看油液、测压力、查泄漏。",
        ),
        doc(2, "course", "设备故障排查基础", "基本概念与工作原理"),
        doc(3, "video", "设备故障排查基础演示讲解", "情景导入、操作演示"),
        doc(4, "document", "设备故障排查基础知识卡片", "图文资料"),
    ];
    for d in &mut docs[1..] {
        d.summary = summary.into();
    }
    index.rebuild(&docs).unwrap();
    let page = search(&index, &Query::text("设备故障排查"));
    let mut found = ids(&page);
    assert_eq!(found.first(), Some(&1), "{page:#?}");
    found.sort_unstable();
    assert_eq!(found, vec![1, 2, 3, 4]);

    // The kind prior multiplies relevance: the same text as a course scores 1/1.4.
    let same = ResourceIndex::in_memory().unwrap();
    same.rebuild(&[
        doc(1, "micro_course", "液压系统保压", "保压试验"),
        doc(2, "course", "液压系统保压", "保压试验"),
    ])
    .unwrap();
    let page = search(&same, &Query::text("液压系统保压"));
    assert_eq!(ids(&page), vec![1, 2]);
    let ratio = page.hits[0].score / page.hits[1].score;
    assert!((ratio - 1.4).abs() < 1e-3, "{ratio}");
}

#[test]
fn single_chinese_word_finds_body_mentions() {
    let index = troubleshooting_corpus();
    let found = text(&index, "排查");
    assert_eq!(found.first(), Some(&1), "title match first: {found:?}");
    assert!(found.contains(&4));
}

#[test]
fn chinese_words_need_not_be_adjacent() {
    let index = ResourceIndex::in_memory().unwrap();
    index
        .upsert(&doc(1, "document", "液压系统出现故障时的处置", ""))
        .unwrap();
    assert_eq!(text(&index, "液压故障"), [1]);
}

#[test]
fn english_query_matches_case_and_word_forms() {
    let index = ResourceIndex::in_memory().unwrap();
    index
        .upsert_many([
            doc(
                1,
                "video",
                "PLC Troubleshooting for Packaging Lines",
                "Step by step: read the fault codes.",
            ),
            doc(2, "course", "Customer complaint handling", "Listen first."),
            doc(
                3,
                "document",
                "Siemens PLC 编程入门",
                "梯形图 basics and troubleshooting tips.",
            ),
        ])
        .unwrap();
    let found = text(&index, "PLC troubleshooting");
    assert_eq!(found.first(), Some(&1), "{found:?}");
    assert!(found.contains(&3), "{found:?}");
    assert!(!found.contains(&2));
    assert_eq!(text(&index, "troubleshoot plc").first(), Some(&1));
    assert_eq!(text(&index, "complaints"), [2]);
    assert_eq!(text(&index, "PLC 编程"), [3]);
}

fn filter_corpus() -> ResourceIndex {
    let index = ResourceIndex::in_memory().unwrap();
    let mut a = doc(1, "micro_course", "焊接安全要点", "焊接前检查防护用品。");
    a.tier = "core".into();
    a.tags = vec!["business_line:装备制造".into(), "scenario:安全生产".into()];
    a.skills = vec!["SK-WELD-01".into()];
    a.positions = vec!["焊工".into()];
    let mut b = doc(2, "course", "焊接工艺基础", "焊接参数与焊缝质量。");
    b.tags = vec!["business_line:装备制造".into()];
    b.skills = vec!["SK-WELD-02".into()];
    b.origin = "external".into();
    let mut c = doc(3, "micro_course", "冲压模具保养", "冲压模具的日常保养。");
    c.tier = "core".into();
    c.tags = vec![
        "business_line:汽车零部件".into(),
        "scenario:安全生产".into(),
    ];
    c.skills = vec!["SK-PRESS-01".into()];
    index.rebuild([a, b, c]).unwrap();
    index
}

#[test]
fn filters_by_kind_tier_origin_tag_skill_and_position() {
    let index = filter_corpus();
    let q = |f: fn(&mut Query)| {
        let mut q = Query::default();
        f(&mut q);
        ids(&search(&index, &q))
    };
    // No text: everything that passes the filters, newest first.
    assert_eq!(q(|_| {}), [3, 2, 1]);
    assert_eq!(q(|q| q.kind = Some("micro_course".into())), [3, 1]);
    assert_eq!(q(|q| q.tier = Some("core".into())), [3, 1]);
    assert_eq!(q(|q| q.origin = Some("external".into())), [2]);
    assert_eq!(
        q(|q| q.tags = vec!["business_line:装备制造".into()]),
        [2, 1]
    );
    assert_eq!(
        q(|q| q.tags = vec!["business_line:装备制造".into(), "scenario:安全生产".into()]),
        [1]
    );
    assert_eq!(q(|q| q.skill = Some("SK-PRESS-01".into())), [3]);
    assert_eq!(q(|q| q.position = Some("焊工".into())), [1]);
    // Text and filters together.
    assert_eq!(
        q(|q| {
            q.text = "焊接".into();
            q.kind = Some("course".into());
        }),
        [2]
    );
    // A form's "any" arrives as an empty string and does not filter.
    assert_eq!(
        q(|q| {
            q.kind = Some(String::new());
            q.tags = vec![" ".into()];
        }),
        [3, 2, 1]
    );
    // Unknown values filter everything out rather than failing.
    assert_eq!(q(|q| q.kind = Some("nonsense".into())), Vec::<i64>::new());
}

#[test]
fn filters_do_not_change_ranking_scores() {
    let index = filter_corpus();
    let plain = search(&index, &Query::text("焊接"));
    let mut filtered = Query::text("焊接");
    filtered.tags = vec!["business_line:装备制造".into()];
    let filtered = search(&index, &filtered);
    assert_eq!(ids(&plain), ids(&filtered));
    for (a, b) in plain.hits.iter().zip(&filtered.hits) {
        assert!((a.score - b.score).abs() < 1e-6);
    }
}

#[test]
fn tag_values_and_positions_are_searchable_text() {
    let index = filter_corpus();
    assert_eq!(text(&index, "汽车零部件"), [3]);
    assert_eq!(text(&index, "焊工"), [1]);
    // The dimension name is not text.
    assert!(text(&index, "business_line").is_empty());
}

#[test]
fn retired_resources_are_excluded_unless_asked_for() {
    let index = ResourceIndex::in_memory().unwrap();
    let mut old = doc(1, "course", "旧版安全培训", "");
    old.status = "retired".into();
    index
        .upsert_many([old, doc(2, "course", "新版安全培训", "")])
        .unwrap();
    assert_eq!(text(&index, "安全培训"), [2]);
    assert_eq!(ids(&search(&index, &Query::default())), [2]);

    let mut q = Query::text("安全培训");
    q.include_retired = true;
    let mut found = ids(&search(&index, &q));
    found.sort();
    assert_eq!(found, [1, 2]);

    // Asking for the status explicitly is asking for them.
    let q = Query {
        status: Some("retired".into()),
        ..Query::default()
    };
    assert_eq!(ids(&search(&index, &q)), [1]);
}

#[test]
fn upsert_replaces_the_previous_version() {
    let index = ResourceIndex::in_memory().unwrap();
    index.upsert(&doc(7, "course", "液压基础", "")).unwrap();
    index.upsert(&doc(7, "course", "液压进阶", "")).unwrap();
    assert_eq!(index.doc_count(), 1);
    assert_eq!(text(&index, "液压"), [7]);
    assert!(text(&index, "基础").is_empty());
    assert_eq!(text(&index, "进阶"), [7]);

    // Within one batch, the last version of an id wins too.
    index
        .upsert_many([
            doc(8, "course", "冲压一", ""),
            doc(8, "course", "冲压二", ""),
        ])
        .unwrap();
    assert_eq!(text(&index, "冲压"), [8]);
    assert_eq!(index.doc_count(), 2);
}

#[test]
fn delete_removes_a_document() {
    let index = troubleshooting_corpus();
    index.delete(1).unwrap();
    assert!(!text(&index, "设备故障排查").contains(&1));
    assert_eq!(index.doc_count(), 6);
    // Deleting an unknown id is not an error.
    index.delete(999).unwrap();
}

#[test]
fn rebuild_replaces_everything() {
    let index = troubleshooting_corpus();
    assert_eq!(index.doc_count(), 7);
    let n = index
        .rebuild(vec![
            doc(100, "course", "质量管理体系", ""),
            doc(101, "course", "质量改进工具", ""),
        ])
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(index.doc_count(), 2);
    assert!(text(&index, "设备").is_empty());
    let mut found = text(&index, "质量");
    found.sort();
    assert_eq!(found, [100, 101]);
    index.rebuild(Vec::<ResourceDoc>::new()).unwrap();
    assert!(index.is_empty());
}

#[test]
fn titles_and_snippets_are_escaped_html() {
    let index = ResourceIndex::in_memory().unwrap();
    let mut d = doc(
        1,
        "document",
        "<script>alert('x')</script> 设备 & \"安全\"",
        "",
    );
    d.summary = "点击 <img src=x onerror=alert(1)> 查看设备说明".into();
    index.upsert(&d).unwrap();
    let page = search(&index, &Query::text("设备"));
    let hit = &page.hits[0];
    assert_eq!(
        hit.title_html,
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>设备</mark> &amp; &quot;安全&quot;"
    );
    assert_eq!(
        hit.snippet_html,
        "点击 &lt;img src=x onerror=alert(1)&gt; 查看<mark>设备</mark>说明"
    );
    // Without text the title is escaped the same way, with no marks.
    let page = search(&index, &Query::default());
    assert!(page.hits[0].title_html.starts_with("&lt;script&gt;"));
    assert!(!page.hits[0].title_html.contains("<mark>"));
}

#[test]
fn snippet_is_the_matching_passage_of_a_long_body() {
    let index = ResourceIndex::in_memory().unwrap();
    let filler = "班前会强调劳动纪律与现场秩序。".repeat(20);
    let body = format!("{filler}更换刀具前必须切断主电源并挂牌上锁。{filler}");
    index
        .upsert(&doc(1, "document", "车间管理制度汇编", &body))
        .unwrap();
    let hit = &search(&index, &Query::text("挂牌上锁")).hits[0];
    assert!(hit.snippet_html.contains("<mark>"), "{}", hit.snippet_html);
    assert!(hit.snippet_html.starts_with('…'), "{}", hit.snippet_html);
    assert!(hit.snippet_html.ends_with('…'), "{}", hit.snippet_html);
    assert!(
        hit.snippet_html.chars().count() < 140,
        "{}",
        hit.snippet_html
    );
    // A match in the title only: the snippet is the start of the summary.
    let mut d = doc(2, "course", "挂牌上锁实操", "");
    d.summary = "能量隔离的标准步骤。".into();
    index.upsert(&d).unwrap();
    let page = search(&index, &Query::text("实操"));
    assert_eq!(page.hits[0].snippet_html, "能量隔离的标准步骤。");
}

#[test]
fn phrases_and_exclusions() {
    let index = ResourceIndex::in_memory().unwrap();
    index
        .upsert_many([
            doc(1, "course", "液压系统维护", ""),
            doc(2, "course", "系统思考与液压原理", ""),
            doc(3, "course", "焊接设备维护", ""),
        ])
        .unwrap();
    assert_eq!(text(&index, "\"液压系统\""), [1]);
    let mut both = text(&index, "液压 系统");
    both.sort();
    assert_eq!(both, [1, 2]);
    assert_eq!(text(&index, "维护 -焊接"), [1]);
    assert_eq!(text(&index, "维护 -\"液压系统\""), [3]);
    // Only an exclusion: everything else, newest first.
    assert_eq!(text(&index, "-焊接"), [2, 1]);
}

#[test]
fn no_input_makes_a_search_fail() {
    let index = troubleshooting_corpus();
    let long = "设备故障".repeat(5_000);
    let inputs = [
        "\"",
        "\"\"",
        "-",
        "--",
        "- -",
        "-\"",
        "title:",
        "title:设备",
        "(((",
        ")",
        "AND OR NOT",
        "*",
        "设备*",
        "~2",
        "\\",
        "[1 TO 2]",
        "{}",
        "\"unterminated 设备",
        "ＰＬＣ",
        "🔧🔩",
        "\u{0}",
        "！？。，",
        "的",
        long.as_str(),
    ];
    for input in inputs {
        let page = index.search(&Query::text(input));
        assert!(page.is_ok(), "{input:?}: {page:?}");
    }
    // Punctuation or stop words alone find nothing rather than everything.
    assert_eq!(search(&index, &Query::text("！？")).total, 0);
    assert_eq!(search(&index, &Query::text("的")).total, 0);
    // Blank text is a browse.
    assert_eq!(search(&index, &Query::text("   ")).total, 7);
}

#[test]
fn paging() {
    let index = ResourceIndex::in_memory().unwrap();
    index
        .rebuild((1..=25).map(|i| doc(i, "course", &format!("安全培训第{i}讲"), "")))
        .unwrap();
    let page = |offset, limit| {
        search(
            &index,
            &Query {
                offset,
                limit,
                ..Query::default()
            },
        )
    };
    let first = page(0, 10);
    assert_eq!(first.total, 25);
    assert_eq!(ids(&first), (16..=25).rev().collect::<Vec<_>>());
    assert_eq!(ids(&page(20, 10)), [5, 4, 3, 2, 1]);
    let only_total = page(0, 0);
    assert_eq!((only_total.total, only_total.hits.len()), (25, 0));
    // Absurd paging from a URL neither panics nor allocates for it.
    let deep = page(usize::MAX, usize::MAX);
    assert_eq!((deep.total, deep.hits.len()), (25, 0));
    assert_eq!(page(0, 1_000).hits.len(), 25);
    let mut q = Query::text("安全");
    q.limit = 5;
    q.offset = 5;
    let ranked = search(&index, &q);
    assert_eq!((ranked.total, ranked.hits.len()), (25, 5));
}

#[test]
fn reopening_from_disk_keeps_documents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("index");
    {
        let index = ResourceIndex::open_or_create(&path).unwrap();
        assert!(index.is_empty());
        index
            .upsert(&doc(1, "micro_course", "设备故障排查", ""))
            .unwrap();
        // A second writer on the same directory is refused, clearly.
        let second = ResourceIndex::open_or_create(&path);
        assert!(
            matches!(second, Err(SearchError::Locked { .. })),
            "{second:?}"
        );
    }
    let index = ResourceIndex::open_or_create(&path).unwrap();
    assert_eq!(index.doc_count(), 1);
    assert_eq!(text(&index, "故障"), [1]);
    assert_eq!(index.path(), Some(path.as_path()));
}

#[test]
fn an_index_of_another_schema_is_reported() {
    use tantivy::schema::{STORED, Schema};
    let dir = tempfile::tempdir().unwrap();
    let mut b = Schema::builder();
    b.add_text_field("something_else", STORED);
    tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap();
    let err = ResourceIndex::open_or_create(dir.path()).unwrap_err();
    assert!(matches!(err, SearchError::SchemaMismatch { .. }), "{err:?}");
    assert!(err.to_string().contains("rebuild"), "{err}");
}

#[test]
fn writes_are_visible_to_searches_on_other_threads() {
    let index = Arc::new(ResourceIndex::in_memory().unwrap());
    let writer = {
        let index = Arc::clone(&index);
        std::thread::spawn(move || {
            for i in 0..20 {
                index
                    .upsert(&doc(i, "course", &format!("精益生产第{i}课"), ""))
                    .unwrap();
                // Visible as soon as upsert returns, from any thread.
                assert!(index.doc_count() > i as u64);
            }
        })
    };
    for _ in 0..20 {
        index.search(&Query::text("精益")).unwrap();
    }
    writer.join().unwrap();
    assert_eq!(search(&index, &Query::text("精益")).total, 20);
}
