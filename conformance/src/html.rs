//! The HTML certification report: one self-contained page (its CSS and
//! script inline, nothing fetched, so it opens offline) with each device's
//! summary, the clause table with filters, and each failure's steps and
//! transcript, read the way pytest-html and Allure reports are.
//!
//! The filter is also chosen by the address's fragment (`#failed`,
//! `#skipped`, `#passed`, `#all`): a clause row that does not match gets
//! the `hidden` attribute.

use std::fmt::Write;

use crate::report::{Contract, DeviceRun, Header, Row, Verdict};
use crate::runner::{ScenarioResult, Status};

const STYLE: &str = "
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:80em;padding:0 1em;color:#222;background:#fff}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{font-size:1.05em;margin:0 0 .4em}
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right}[hidden]{display:none!important}
.v-passed{color:#17692e}.v-failed{color:#b00020;font-weight:bold}.v-skipped{color:#8a5a00}
.v-sim-only{color:#555}.v-uncovered{color:#b00020}
.filters{margin:1em 0}.filters button{font:inherit;padding:.2em .8em;margin-right:.3em;border:1px solid #999;border-radius:3px;background:#f4f4f4;cursor:pointer}
.filters button[aria-pressed=true]{background:#333;color:#fff}
.failure{border:1px solid #e0b4b4;border-left:4px solid #b00020;border-radius:3px;padding:.8em 1em;margin:1em 0}
.meta{color:#555}pre{background:#f7f7f7;padding:.6em;overflow:auto;max-height:40em;margin:.4em 0}
pre.why{white-space:pre-wrap;background:#fff4f4}
ol.steps{font-family:ui-monospace,monospace;padding-left:2.5em}ol.steps li.failed-step{background:#fde2e2;color:#b00020;font-weight:bold}
ol.steps li.not-run{color:#999}.cr,.lf,.hex{color:#6a3dbd;background:#ece6f8;border-radius:2px}
";

/// Applies the filter named by the fragment; a button sets the fragment.
const SCRIPT: &str = r##"
(function () {
  var names = ["all", "failed", "skipped", "passed"];
  var buttons = document.querySelectorAll("button[data-filter]");
  function apply() {
    var f = location.hash.slice(1);
    if (names.indexOf(f) < 0) {
      if (document.body.dataset.filter) return;
      f = "all";
    }
    document.body.dataset.filter = f;
    var shown = 0;
    document.querySelectorAll("#clauses tbody tr").forEach(function (tr) {
      tr.hidden = f !== "all" && tr.dataset.verdict.split(" ").indexOf(f) < 0;
      if (!tr.hidden) shown++;
    });
    document.getElementById("shown").textContent = String(shown);
    buttons.forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.filter === f));
    });
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () { location.hash = b.dataset.filter; });
  });
  window.addEventListener("hashchange", apply);
  apply();
})();
"##;

/// The page for `runs` (one column of the tables per device).
pub fn page(runs: &[DeviceRun<'_>]) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let clauses: Vec<&str> = match runs.first() {
        Some(r) => r.rows.iter().map(|r| r.clause.as_str()).collect(),
        None => Vec::new(),
    };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>AT TCP/IP conformance report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>AT TCP/IP conformance report</h1>\n\
         <p>Contract: <code>{}</code> (the <code>{}</code> dialect), {} clauses.</p>\n",
        contract(runs).file,
        esc(contract(runs).dialect),
        clauses.len()
    );
    summary(&mut s, runs);
    clause_table(&mut s, runs, &clauses);
    for (d, run) in runs.iter().enumerate() {
        // Sections name their device when there are several.
        let of = match runs.len() {
            1 => String::new(),
            _ => format!(": {}", esc(&run.header.device)),
        };
        let failed: Vec<_> = run
            .results
            .iter()
            .filter(|r| r.status.is_failed())
            .collect();
        let _ = writeln!(s, "<h2>Failures{of} ({})</h2>", failed.len());
        if failed.is_empty() {
            s.push_str("<p>None.</p>\n");
        }
        for (i, r) in failed.into_iter().enumerate() {
            failure(&mut s, &format!("failure-{}-{}", d + 1, i + 1), r);
        }
        let skipped = run.skips();
        if !skipped.is_empty() {
            let _ = writeln!(
                s,
                "<h2>Skipped{of} ({})</h2>\n<ul class=\"skipped\">",
                skipped.len()
            );
            for (r, why) in skipped {
                let step = r.failed_step.as_deref().map_or(String::new(), |st| {
                    format!(" (at <code>{}</code>)", esc(st))
                });
                let _ = writeln!(
                    s,
                    "<li>{}: {}{step}: {}</li>",
                    esc(&r.feature),
                    esc(&r.name),
                    esc(why)
                );
            }
            s.push_str("</ul>\n");
        }
    }
    let _ = write!(s, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    s
}

/// The contract the runs were certified against (their dialect's).
fn contract(runs: &[DeviceRun<'_>]) -> &'static Contract {
    Contract::of(runs.first().map_or("seed", |r| &r.header.dialect))
}

/// A row of the summary table: a label and a cell per device.
fn summary_row(s: &mut String, label: &str, cells: impl Iterator<Item = String>) {
    let _ = write!(s, "<tr><th>{label}</th>");
    for c in cells {
        let _ = write!(s, "<td>{c}</td>");
    }
    s.push_str("</tr>\n");
}

fn summary(s: &mut String, runs: &[DeviceRun<'_>]) {
    s.push_str("<h2>Summary</h2>\n<table class=\"summary\">\n");
    let field = |f: fn(&Header) -> String| runs.iter().map(move |r| esc(&f(r.header)));
    summary_row(s, "Device", field(|h| h.device.clone()));
    let identity = runs.iter().map(|r| {
        let lines: Vec<String> = r.header.identity.iter().map(|l| esc(l)).collect();
        lines.join("<br>")
    });
    summary_row(s, "Identity (<code>AT+GMR</code>)", identity);
    summary_row(s, "Dialect", field(|h| h.dialect.clone()));
    summary_row(s, "Seed", field(|h| h.seed.to_string()));
    summary_row(s, "Selection", field(|h| h.selection.clone()));
    summary_row(s, "Date", field(|h| h.date.clone()));
    summary_row(s, "Tool", field(|h| h.tool.clone()));
    let scenarios = runs.iter().map(|r| {
        let count = |f: fn(&Status) -> bool| r.results.iter().filter(|x| f(&x.status)).count();
        format!(
            "{} run: <span class=\"v-passed\">{} passed</span>, <span class=\"v-failed\">{} failed</span>, <span class=\"v-skipped\">{} skipped</span>",
            r.results.len(),
            count(|s| *s == Status::Passed),
            count(Status::is_failed),
            count(|s| matches!(s, Status::Skipped(_)))
        )
    });
    summary_row(s, "Scenarios", scenarios);
    let clauses = runs.iter().map(|r| {
        let count = |v| r.rows.iter().filter(|x| x.verdict == v).count();
        let parts: Vec<String> = VERDICTS
            .iter()
            .map(|&(v, w)| format!("<span class=\"v-{w}\">{} {w}</span>", count(v)))
            .collect();
        parts.join(", ")
    });
    summary_row(s, "Clauses", clauses);
    s.push_str("</table>\n");
}

fn clause_table(s: &mut String, runs: &[DeviceRun<'_>], clauses: &[&str]) {
    let _ = writeln!(
        s,
        "<h2>Clauses</h2>\n<div class=\"filters\">Show: \
         <button type=\"button\" data-filter=\"all\">all</button>\
         <button type=\"button\" data-filter=\"failed\">failed</button>\
         <button type=\"button\" data-filter=\"skipped\">skipped</button>\
         <button type=\"button\" data-filter=\"passed\">passed</button> \
         <span id=\"shown\">{}</span> of {} clauses shown</div>",
        clauses.len(),
        clauses.len()
    );
    s.push_str("<table id=\"clauses\">\n<thead>\n");
    if runs.len() > 1 {
        s.push_str("<tr><th colspan=\"2\"></th>");
        for r in runs {
            let _ = write!(s, "<th colspan=\"3\">{}</th>", esc(&r.header.device));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("<tr><th>clause</th><th>title</th>");
    for _ in runs {
        s.push_str("<th>scenarios</th><th>failed</th><th>verdict</th>");
    }
    s.push_str("</tr>\n</thead>\n<tbody>\n");
    for clause in clauses {
        let rows: Vec<Option<&Row>> = runs
            .iter()
            .map(|r| r.rows.iter().find(|x| x.clause == *clause))
            .collect();
        let mut verdicts: Vec<&str> = rows.iter().flatten().map(|r| word(r.verdict)).collect();
        verdicts.sort_unstable();
        verdicts.dedup();
        let _ = write!(
            s,
            "<tr id=\"clause-{0}\" data-verdict=\"{1}\"><td>{0}</td><td>{2}</td>",
            esc(clause),
            verdicts.join(" "),
            esc(&contract(runs).title(clause))
        );
        for row in rows {
            let Some(r) = row else {
                s.push_str("<td></td><td></td><td></td>");
                continue;
            };
            let verdict = match (&r.verdict, &r.skip_reason) {
                (Verdict::Skipped, Some(why)) => format!("skipped: {}", esc(why)),
                (Verdict::SimOnly, _) => "simulator only".into(),
                (v, _) => word(*v).into(),
            };
            let _ = write!(
                s,
                "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"v-{}\">{verdict}</td>",
                r.scenarios,
                r.failed,
                word(r.verdict)
            );
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
}

fn failure(s: &mut String, id: &str, r: &ScenarioResult) {
    let why = match &r.status {
        Status::Failed(m) | Status::Skipped(m) => m.as_str(),
        Status::Passed => "",
    };
    let tags: Vec<String> = r
        .tags
        .iter()
        .map(|t| format!("<a href=\"#clause-{0}\">@{0}</a>", esc(t)))
        .collect();
    let file = r.path.as_ref().map_or(String::new(), |p| {
        format!(" · <code>{}</code>", esc(&p.display().to_string()))
    });
    let _ = writeln!(
        s,
        "<article class=\"failure\" id=\"{id}\">\n<h3>{}: {}</h3>\n\
         <p class=\"meta\">{} · seed {}{file}</p>\n<pre class=\"why\">{}</pre>",
        esc(&r.feature),
        esc(&r.name),
        tags.join(" "),
        r.seed,
        esc(why)
    );
    if !r.steps.is_empty() {
        s.push_str("<ol class=\"steps\">\n");
        for (i, step) in r.steps.iter().enumerate() {
            let class = match r.failed_step_index {
                Some(at) if at == i => " class=\"failed-step\"",
                Some(at) if i > at => " class=\"not-run\"",
                _ => "",
            };
            let _ = writeln!(s, "<li{class}>{}</li>", esc(step));
        }
        s.push_str("</ol>\n");
    }
    if let (Some(step), None) = (&r.failed_step, r.failed_step_index) {
        let _ = writeln!(
            s,
            "<p>Failed at <code class=\"failed-step\">{}</code></p>",
            esc(step)
        );
    }
    if let Some(t) = &r.transcript {
        let _ = writeln!(s, "<pre class=\"transcript\">{}</pre>", transcript(t));
    }
    s.push_str("</article>\n");
}

/// Each verdict and its word in `data-verdict` and class names.
const VERDICTS: [(Verdict, &str); 5] = [
    (Verdict::Passed, "passed"),
    (Verdict::Failed, "failed"),
    (Verdict::Skipped, "skipped"),
    (Verdict::SimOnly, "sim-only"),
    (Verdict::Uncovered, "uncovered"),
];

fn word(v: Verdict) -> &'static str {
    VERDICTS.iter().find(|x| x.0 == v).map_or("", |x| x.1)
}

/// `text` escaped for HTML text and attribute values; control characters
/// other than tab, CR and LF shown as `\xNN`.
pub fn esc(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            '\t' | '\n' | '\r' => s.push(c),
            c if c.is_ascii_control() => {
                let _ = write!(s, "\\x{:02x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s
}

/// A transcript (sim's text form, UART bytes escaped as `\r`, `\n`, `\\`,
/// `\xNN`) with its CRs and LFs marked so they stand out; a raw CR is
/// marked too, a raw LF ends the line.
pub fn transcript(text: &str) -> String {
    const CR: &str = "<span class=\"cr\" title=\"CR\">\\r</span>";
    const LF: &str = "<span class=\"lf\" title=\"LF\">\\n</span>";
    let mut s = String::with_capacity(text.len() * 2);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let (out, len): (String, usize) = match (c, rest.as_bytes().get(1)) {
            ('\\', Some(b'r')) => (CR.into(), 2),
            ('\\', Some(b'n')) => (LF.into(), 2),
            ('\\', Some(b'\\')) => ("\\\\".into(), 2),
            ('\\', Some(b'x')) if rest.len() >= 4 && rest.is_char_boundary(4) => {
                (format!("<span class=\"hex\">{}</span>", esc(&rest[..4])), 4)
            }
            ('\r', _) => (CR.into(), 1),
            (c, _) => (esc(c.encode_utf8(&mut [0; 4])), c.len_utf8()),
        };
        s.push_str(&out);
        rest = &rest[len..];
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report;

    fn result(name: &str, status: Status, steps: &[&str], failed: Option<usize>) -> ScenarioResult {
        ScenarioResult {
            feature: "Basic <commands> & \"more\"".into(),
            path: None,
            name: name.into(),
            tags: vec!["B-1".into()],
            status,
            seed: 7,
            transcript: Some("# atcert transcript, seed 7\n   0.001500 host> AT\\r\\n\n   0.002000 <mod \\r\\nERROR\\r\\n\n".into()),
            steps: steps.iter().map(|s| (*s).to_owned()).collect(),
            failed_step: failed.map(|i| steps[i].to_owned()),
            failed_step_index: failed,
            setup: std::time::Duration::ZERO,
            line: 0,
            took: std::time::Duration::ZERO,
        }
    }

    fn sample() -> String {
        let results = [
            result("passes", Status::Passed, &["When the host sends AT"], None),
            result(
                "a ]]> <b>",
                Status::Failed("expected OK, got ERROR".into()),
                &[
                    "Given the module has just booted",
                    "When the host sends AT",
                    "Then the module replies OK",
                    "And the module stays silent for 200 ms",
                ],
                Some(2),
            ),
            result(
                "skips",
                Status::Skipped("no power switch".into()),
                &["When the module is power-cycled"],
                Some(0),
            ),
        ];
        let rows = report::table(Contract::of("seed"), &results, &[]);
        let header = Header {
            device: "sim <1>".into(),
            identity: vec!["AT version:1.0".into()],
            ..Header::default()
        };
        page(&[DeviceRun {
            header: &header,
            results: &results,
            rows: &rows,
        }])
    }

    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(
            esc("<a href=\"x\">&'s ]]> \u{1}</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;s ]]&gt; \\x01&lt;/a&gt;"
        );
        let p = sample();
        assert!(
            p.contains(
                "<h3>Basic &lt;commands&gt; &amp; &quot;more&quot;: a ]]&gt; &lt;b&gt;</h3>"
            ),
            "{p}"
        );
        assert!(!p.contains("<b>") && !p.contains("sim <1>"));
    }

    #[test]
    fn marks_cr_and_lf_in_transcripts() {
        let t = transcript("host> AT\\r\\n\\\\r\\x00<\r\nnext");
        assert_eq!(
            t,
            "host&gt; AT<span class=\"cr\" title=\"CR\">\\r</span><span class=\"lf\" title=\"LF\">\\n</span>\\\\r<span class=\"hex\">\\x00</span>&lt;<span class=\"cr\" title=\"CR\">\\r</span>\nnext"
        );
        assert!(sample().contains("<pre class=\"transcript\"># atcert transcript, seed 7\n   0.001500 host&gt; AT<span class=\"cr\""));
    }

    #[test]
    fn highlights_the_failed_step() {
        let p = sample();
        assert!(p.contains("<li>When the host sends AT</li>\n<li class=\"failed-step\">Then the module replies OK</li>\n<li class=\"not-run\">And the module stays silent for 200 ms</li>"), "{p}");
        let skipped =
            ": skips (at <code>When the module is power-cycled</code>): no power switch</li>";
        assert!(p.contains(skipped), "{p}");
    }

    #[test]
    fn several_devices_have_a_column_each() {
        let results = [result("passes", Status::Passed, &[], None)];
        let rows = report::table(Contract::of("seed"), &results, &[]);
        let (a, b) = (
            Header::default(),
            Header {
                device: "b".into(),
                ..Header::default()
            },
        );
        let rows_b: Vec<Row> = rows
            .iter()
            .map(|r| Row {
                verdict: Verdict::Failed,
                ..r.clone()
            })
            .collect();
        let p = page(&[
            DeviceRun {
                header: &a,
                results: &results,
                rows: &rows,
            },
            DeviceRun {
                header: &b,
                results: &results,
                rows: &rows_b,
            },
        ]);
        assert_eq!(p.matches("<th colspan=\"3\">").count(), 2);
        assert!(
            p.contains("<tr id=\"clause-B-1\" data-verdict=\"failed passed\">"),
            "{p}"
        );
        assert!(p.contains("<h2>Failures: b (0)</h2>"));
    }

    #[test]
    fn a_row_per_clause_and_nothing_external() {
        let p = sample();
        assert_eq!(p.matches("data-verdict=").count(), report::clauses().len());
        assert!(p.contains("<tr id=\"clause-B-1\" data-verdict=\"failed\">"));
        assert_eq!(
            p.matches("data-verdict=\"uncovered\"").count(),
            report::clauses().len() - 1
        );
        for external in ["http://", "https://", "src=", "@import", "url("] {
            assert!(!p.contains(external), "{external}");
        }
    }
}
