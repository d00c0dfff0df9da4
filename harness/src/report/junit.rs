//! JUnit XML for CI (`kmock test --junit FILE`): one `<testcase>` per scenario; a failed
//! expectation is a `<failure>` whose text is the scenario's text report, a scenario that
//! could not load or run is an `<error>`. Written with quick-xml, which escapes every
//! attribute and text, so a scenario's own words cannot break the file.

use quick_xml::Writer;
use quick_xml::events::BytesText;

/// How one scenario went.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseOutcome {
    Passed,
    /// Expectations (or the snapshot) did not hold: `message` is the one-line summary,
    /// `text` the full report.
    Failed {
        message: String,
        text: String,
    },
    /// The scenario could not be loaded or run.
    Error {
        message: String,
    },
}

/// One `<testcase>`.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// The scenario's name.
    pub name: String,
    /// The scenario file (JUnit's `classname`, so CI groups cases by file).
    pub file: String,
    /// Wall time the scenario took, in seconds.
    pub seconds: f64,
    pub outcome: CaseOutcome,
}

/// The JUnit document of one suite.
pub fn render(suite: &str, cases: &[TestCase]) -> String {
    let failures = cases
        .iter()
        .filter(|c| matches!(c.outcome, CaseOutcome::Failed { .. }))
        .count();
    let errors = cases
        .iter()
        .filter(|c| matches!(c.outcome, CaseOutcome::Error { .. }))
        .count();
    let total: f64 = cases.iter().map(|c| c.seconds).sum();
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written = write_suites(
        &mut writer,
        suite,
        cases,
        [
            cases.len().to_string(),
            failures.to_string(),
            errors.to_string(),
            format!("{total:.3}"),
        ],
    );
    // Writing into a Vec cannot fail.
    debug_assert!(written.is_ok());
    let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    text.push_str(&String::from_utf8_lossy(&writer.into_inner()));
    text.push('\n');
    text
}

fn write_suites(
    writer: &mut Writer<Vec<u8>>,
    suite: &str,
    cases: &[TestCase],
    [tests, failures, errors, time]: [String; 4],
) -> std::io::Result<()> {
    let counts = [
        ("tests", tests.as_str()),
        ("failures", failures.as_str()),
        ("errors", errors.as_str()),
        ("time", time.as_str()),
    ];
    writer
        .create_element("testsuites")
        .with_attributes(counts)
        .write_inner_content(|w| {
            w.create_element("testsuite")
                .with_attribute(("name", suite))
                .with_attributes(counts)
                .write_inner_content(|w| {
                    for case in cases {
                        write_case(w, case)?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

fn write_case(w: &mut Writer<Vec<u8>>, case: &TestCase) -> std::io::Result<()> {
    let time = format!("{:.3}", case.seconds);
    let element = w.create_element("testcase").with_attributes([
        ("name", case.name.as_str()),
        ("classname", case.file.as_str()),
        ("time", time.as_str()),
    ]);
    match &case.outcome {
        CaseOutcome::Passed => {
            element.write_empty()?;
        }
        CaseOutcome::Failed { message, text } => {
            element.write_inner_content(|w| {
                w.create_element("failure")
                    .with_attributes([("message", message.as_str()), ("type", "expectation")])
                    .write_text_content(BytesText::new(text))?;
                Ok(())
            })?;
        }
        CaseOutcome::Error { message } => {
            element.write_inner_content(|w| {
                w.create_element("error")
                    .with_attributes([("message", message.as_str()), ("type", "scenario")])
                    .write_text_content(BytesText::new(message))?;
                Ok(())
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::Reader;
    use quick_xml::events::Event;

    /// Reads the document back: (testcase names, failure texts) — or the parse error.
    fn read_back(xml: &str) -> Result<(Vec<String>, Vec<String>), quick_xml::Error> {
        let mut reader = Reader::from_str(xml);
        let (mut names, mut failures, mut in_failure) = (Vec::new(), Vec::new(), false);
        loop {
            match reader.read_event()? {
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                    if let Some(a) = e.try_get_attribute("name")? {
                        names.push(
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)?
                                .into_owned(),
                        );
                    }
                }
                Event::Start(e) if e.name().as_ref() == b"failure" => {
                    in_failure = true;
                    failures.push(String::new());
                }
                Event::Text(t) if in_failure => {
                    let text = t.decode().map_err(quick_xml::Error::from)?;
                    failures.last_mut().unwrap().push_str(&text);
                }
                Event::GeneralRef(r) if in_failure => {
                    let name = r.decode().map_err(quick_xml::Error::from)?;
                    let entity = quick_xml::escape::resolve_xml_entity(&name).unwrap_or("?");
                    failures.last_mut().unwrap().push_str(entity);
                }
                Event::End(e) if e.name().as_ref() == b"failure" => in_failure = false,
                Event::Eof => break,
                _ => {}
            }
        }
        Ok((names, failures))
    }

    #[test]
    fn cases_failures_and_markup_in_text_survive_the_round_trip() {
        let cases = vec![
            TestCase {
                name: "close-on-tag".into(),
                file: "fixtures/scenarios/close.json".into(),
                seconds: 0.25,
                outcome: CaseOutcome::Passed,
            },
            TestCase {
                name: "tag <b>&\"quoted\"".into(),
                file: "x.json".into(),
                seconds: 0.0,
                outcome: CaseOutcome::Failed {
                    message: "$.expect[0] status: expected 200, actual 401".into(),
                    text: "Scenario x\n  ✗ </failure><script>".into(),
                },
            },
            TestCase {
                name: "broken".into(),
                file: "broken.json".into(),
                seconds: 0.0,
                outcome: CaseOutcome::Error {
                    message: "$.steps: missing".into(),
                },
            },
        ];
        let xml = render("kmock", &cases);
        assert!(
            xml.contains(r#"tests="3" failures="1" errors="1""#),
            "{xml}"
        );
        let (names, failures) = read_back(&xml).expect("valid XML");
        assert_eq!(names, ["close-on-tag", "tag <b>&\"quoted\"", "broken"]);
        assert_eq!(failures.len(), 1);
        assert!(failures[0].contains("</failure><script>"), "{failures:?}");
    }
}
