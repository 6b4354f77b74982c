//! JUnit XML for CI systems: a test suite per feature, a test case per
//! scenario, with failures and skips (and their reasons) counted right.
//!
//! Written here rather than by cucumber's writer: a scenario the DUT
//! cannot run is skipped with its reason (STEPS.md), which that writer
//! would call a failure; and any text (a transcript holding `]]>`, a
//! scenario name with `<` or `&`) must stay valid XML.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::runner::{ScenarioResult, Status};

/// The JUnit document for `results`, a run certifying `dialect`.
pub fn xml(results: &[ScenarioResult], dialect: &str) -> String {
    xml_devices(&[("", results)], dialect)
}

/// The JUnit document for several devices' results: each suite (a
/// feature) is named for its device (`label: feature`) when a label is
/// given, and says the dialect certified in its `dialect` property.
pub fn xml_devices(devices: &[(&str, &[ScenarioResult])], dialect: &str) -> String {
    let mut suites: BTreeMap<String, Vec<&ScenarioResult>> = BTreeMap::new();
    for (label, results) in devices {
        for r in *results {
            let name = match label.is_empty() {
                true => r.feature.clone(),
                false => format!("{label}: {}", r.feature),
            };
            suites.entry(name).or_default().push(r);
        }
    }
    let results: Vec<&ScenarioResult> = devices.iter().flat_map(|d| d.1).collect();
    let count =
        |rs: &[&ScenarioResult], f: fn(&Status) -> bool| rs.iter().filter(|r| f(&r.status)).count();
    let failed = |s: &Status| matches!(s, Status::Failed(_));
    let skipped = |s: &Status| matches!(s, Status::Skipped(_));
    let all = results;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"atcert\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
        all.len(),
        count(&all, failed),
        count(&all, skipped)
    );
    for (feature, rs) in &suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            attr(feature),
            rs.len(),
            count(rs, failed),
            count(rs, skipped)
        );
        let _ = writeln!(
            out,
            "    <properties><property name=\"dialect\" value=\"{}\"/></properties>",
            attr(dialect)
        );
        for r in rs {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\">",
                attr(feature),
                attr(&r.name)
            );
            match &r.status {
                Status::Passed => {}
                Status::Failed(why) => {
                    let _ = write!(out, "\n      <failure message=\"{}\"/>", attr(why));
                }
                Status::Skipped(why) => {
                    let _ = write!(out, "\n      <skipped message=\"{}\"/>", attr(why));
                }
            }
            let detail = format!(
                "seed {}\ntags {}\n{}",
                r.seed,
                r.tags.join(" "),
                r.transcript.as_deref().unwrap_or("")
            );
            let _ = write!(out, "\n      <system-out>{}</system-out>", cdata(&detail));
            let _ = writeln!(out, "\n    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// `text` as an attribute value, with characters XML 1.0 does not allow
/// (control bytes other than tab, CR, LF) shown as `\xNN`.
pub(crate) fn attr(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\n' => s.push_str("&#10;"),
            '\r' => s.push_str("&#13;"),
            '\t' => s.push_str("&#9;"),
            c if (c as u32) < 0x20 => {
                let _ = write!(s, "\\x{:02x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s
}

/// `text` in CDATA sections: a `]]>` inside is split across two sections,
/// and characters XML does not allow are shown as `\xNN`.
pub(crate) fn cdata(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c.to_string(),
            c if (c as u32) < 0x20 => format!("\\x{:02x}", c as u32),
            c => c.to_string(),
        })
        .collect();
    format!("<![CDATA[{}]]>", clean.replace("]]>", "]]]]><![CDATA[>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, status: Status, transcript: &str) -> ScenarioResult {
        ScenarioResult {
            feature: "F <&>".into(),
            path: None,
            name: name.into(),
            tags: vec!["SD-5".into()],
            status,
            seed: 7,
            transcript: Some(transcript.into()),
            steps: Vec::new(),
            failed_step: None,
            failed_step_index: None,
            setup: std::time::Duration::ZERO,
            line: 0,
            took: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn counts_and_escapes() {
        let x = xml(
            &[
                result("a ]]> b", Status::Passed, "x ]]> y \u{1} z"),
                result("c", Status::Failed("why \"<\"".into()), ""),
                result("d", Status::Skipped("no power switch".into()), ""),
            ],
            "esp-at",
        );
        assert!(
            x.contains("<properties><property name=\"dialect\" value=\"esp-at\"/></properties>"),
            "{x}"
        );
        assert!(
            x.contains("tests=\"3\" failures=\"1\" skipped=\"1\""),
            "{x}"
        );
        assert!(
            x.contains("classname=\"F &lt;&amp;&gt;\" name=\"a ]]&gt; b\""),
            "{x}"
        );
        assert!(x.contains("x ]]]]><![CDATA[> y \\x01 z"), "{x}");
        assert!(
            x.contains("<failure message=\"why &quot;&lt;&quot;\"/>"),
            "{x}"
        );
        assert!(x.contains("<skipped message=\"no power switch\"/>"), "{x}");
    }
}
