//! Runs the statement cases of ADL's LRS conformance suite through the validator.
//!
//! The cases are not in this repository: `tools/suite-cases.js` expands them from the
//! suite's own configs and templates. This test is ignored by default; run it with
//!
//! ```sh
//! S=/work/shared/xapi/lrs-conformance-test-suite; D=$(mktemp -d)
//! node crates/xapi/tools/suite-cases.js $S v1_0_3 > $D/v1_0_3.jsonl
//! node crates/xapi/tools/suite-cases.js $S v2_0 > $D/v2_0.jsonl
//! XAPI_SUITE_CASES=$D cargo test -p skillbridge-xapi --test suite_cases -- --ignored
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use xapi::{XapiVersion, validate_statements};

fn run(file: &str, version: XapiVersion) {
    let dir = std::env::var("XAPI_SUITE_CASES").expect("set XAPI_SUITE_CASES to the cases folder");
    let text = std::fs::read_to_string(format!("{dir}/{file}")).expect("read cases");
    let mut failures = Vec::new();
    let mut total = 0;
    for line in text.lines() {
        let case: Value = serde_json::from_str(line).expect("case JSON");
        total += 1;
        let expect_ok = case["expect"][0] == 200;
        let got = validate_statements(&case["statement"], version);
        if got.is_ok() != expect_ok {
            failures.push(format!(
                "{} / {} / {}: expected {}, got {:?}\n    {}",
                case["file"],
                case["group"],
                case["name"],
                case["expect"],
                got.err().map(|e| e.to_string()),
                case["statement"]
            ));
        }
    }
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {total} suite cases disagree",
        failures.len()
    );
    eprintln!("{total} suite cases agree");
}

#[test]
#[ignore = "needs XAPI_SUITE_CASES, see the module docs"]
fn suite_cases_1_0_3() {
    run("v1_0_3.jsonl", XapiVersion::V1_0_3);
}

#[test]
#[ignore = "needs XAPI_SUITE_CASES, see the module docs"]
fn suite_cases_2_0() {
    run("v2_0.jsonl", XapiVersion::V2_0);
}
