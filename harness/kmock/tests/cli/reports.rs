//! `kmock test` and `kmock run` reports: the human text, JUnit, HTML and JSON.

use crate::support::{repo, run, scratch, text};

/// The testcases of a JUnit file, parsed as XML: (name, failure text if it failed).
fn junit_cases(xml: &str) -> Vec<(String, Option<String>)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut cases: Vec<(String, Option<String>)> = Vec::new();
    let mut in_failure = false;
    loop {
        match reader
            .read_event()
            .expect("the JUnit file is well-formed XML")
        {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                let name = e
                    .try_get_attribute("name")
                    .unwrap()
                    .expect("a testcase has a name")
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned();
                cases.push((name, None));
            }
            Event::Start(e) if e.name().as_ref() == b"failure" => in_failure = true,
            Event::End(e) if e.name().as_ref() == b"failure" => in_failure = false,
            Event::Text(t) if in_failure => {
                let text = t.decode().unwrap().into_owned();
                let last = cases.last_mut().expect("a failure inside a testcase");
                last.1.get_or_insert_default().push_str(&text);
            }
            Event::GeneralRef(r) if in_failure => {
                let name = r.decode().unwrap().into_owned();
                let entity = quick_xml::escape::resolve_xml_entity(&name).unwrap_or("");
                let last = cases.last_mut().expect("a failure inside a testcase");
                last.1.get_or_insert_default().push_str(entity);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    cases
}

/// An HTML report loads nothing: no script at all, no `src`/`href` to another host.
fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a report holds no script");
    for attribute in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
        "@import",
    ] {
        assert!(!lower.contains(attribute), "a report loads `{attribute}`");
    }
}

#[test]
fn test_runs_every_shipped_scenario() {
    let scratch_dir = scratch("reports");
    let junit = scratch_dir.path().join("junit.xml");
    let html_dir = scratch_dir.path().join("html");
    let out = run(&[
        "test",
        "--junit",
        junit.to_str().unwrap(),
        "--html",
        html_dir.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let shipped: Vec<String> = std::fs::read_dir(repo().join("fixtures/scenarios"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| e.path())
        .map(|p| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            v["name"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(shipped.len() >= 7);
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("PASS ")).count(),
        shipped.len(),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("passed, 0 failed"), "{stdout}");
    // JUnit: one testcase per shipped scenario, none failed.
    let cases = junit_cases(&std::fs::read_to_string(&junit).unwrap());
    let mut names: Vec<&str> = cases.iter().map(|(n, _)| n.as_str()).collect();
    let mut expected: Vec<&str> = shipped.iter().map(String::as_str).collect();
    names.sort();
    expected.sort();
    assert_eq!(names, expected);
    assert!(cases.iter().all(|(_, f)| f.is_none()), "{cases:?}");
    // HTML: an index linking one self-contained page per scenario.
    let index = std::fs::read_to_string(html_dir.join("index.html")).unwrap();
    assert_self_contained(&index);
    for name in &shipped {
        assert!(index.contains(&format!("href=\"{name}.html\"")), "{index}");
        assert_self_contained(
            &std::fs::read_to_string(html_dir.join(format!("{name}.html"))).unwrap(),
        );
    }
    let looped = std::fs::read_to_string(html_dir.join("infinite-loop.html")).unwrap();
    assert!(
        looped.contains("class=\"loop-box\""),
        "the loop is drawn red"
    );
}

#[test]
fn an_html_report_shows_the_loop_tree_and_runs_as_escaped_text() {
    let scratch_dir = scratch("html");
    let file = scratch_dir.path().join("loop.html");
    let out = run(&[
        "run",
        "fixtures/scenarios/infinite-loop.json",
        "--html",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&file).unwrap();
    assert_self_contained(&html);
    for part in [
        "<!DOCTYPE html>",
        "Causal tree",
        "run naive-close-on-tag → halted",
        "Loop detected:",
        "class=\"node run loop\"",
        "Trigger",
        "params (secrets masked)",
    ] {
        assert!(html.contains(part), "missing `{part}`");
    }
    // JSON in params and outputs is text: its quotes are escaped, never markup.
    assert!(html.contains("&quot;"));
}

#[test]
fn a_broken_expectation_fails_with_expected_and_actual() {
    let scratch_dir = scratch("broken");
    let dir = scratch_dir.path();
    let scenario = serde_json::json!({
        "name": "broken",
        "fixtures": [repo().join("fixtures/acme.json")],
        "workflows": [repo().join("fixtures/workflows/close-on-tag.json")],
        "steps": [{"request": {"method": "POST", "path": "/v1/conversations/64a0c0ffee00000000000b01/tags", "key": "acme-admin", "body": ["auto-close"]}}],
        "expect": [{"runs": "close-on-tag", "count": 5}]
    });
    std::fs::write(dir.join("broken.json"), scenario.to_string()).unwrap();
    let out = run(&["test", dir.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL broken"), "{stdout}");
    assert!(
        stdout.contains("$.expect[0]")
            && stdout.contains(r#"expected {"count":5}"#)
            && stdout.contains(r#"actual {"count":2}"#),
        "{stdout}"
    );
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
    let junit = dir.join("junit.xml");
    let again = run(&[
        "test",
        dir.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(1));
    let cases = junit_cases(&std::fs::read_to_string(&junit).unwrap());
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0].0, "broken");
    let failure = cases[0].1.as_deref().expect("a <failure>");
    assert!(
        failure.contains("Scenario broken") && failure.contains(r#"expected {"count":5}"#),
        "{failure}"
    );
    let single = run(&["run", dir.join("broken.json").to_str().unwrap()]);
    assert_eq!(single.status.code(), Some(1));
    assert!(text(&single.stdout).contains("FAILED — 0 of 1 expectation(s) hold"));
}

#[test]
fn json_reports_are_byte_identical_run_to_run() {
    let a = run(&["run", "fixtures/scenarios/infinite-loop.json", "--json"]);
    let b = run(&["run", "fixtures/scenarios/infinite-loop.json", "--json"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    let report: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(report["passed"], true);
    assert_eq!(report["loops"].as_array().unwrap().len(), 1);
}

#[test]
fn the_human_report_shows_tree_runs_loops_and_results() {
    let out = run(&["run", "fixtures/scenarios/infinite-loop.json"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success());
    for part in [
        "Causal tree",
        "└─ event kustomer.conversation.update",
        "run naive-close-on-tag → halted",
        "Loop detected:",
        "✓ a loop of `naive-close-on-tag`",
        "PASSED",
    ] {
        assert!(stdout.contains(part), "missing `{part}` in:\n{stdout}");
    }
}
