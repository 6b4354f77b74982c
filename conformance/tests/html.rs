//! The HTML report in a browser: `atcert run --html` on a few scenarios, one
//! of them failing, and the page loaded in headless Chromium. The DOM after
//! the page's script ran shows every clause, hides all but the failed ones
//! under `#failed`, and shows the failure's steps (the failed one marked)
//! and its transcript with CR and LF marked.
//!
//! Ignored by default (it needs Debian's `chromium`); `.ci/run` runs it:
//! `cargo test -p conformance --test html -- --ignored`.

use std::path::Path;
use std::process::Command;

/// A passing scenario (B-1) and an outline whose two rows share a name,
/// the second failing on a reply the module never gives (B-2).
const FEATURE: &str = r#"Feature: HTML report <check> & "quotes"

  Background:
    Given the module has just booted

  @B-1
  Scenario: AT answers OK
    When the host sends AT
    Then the module replies OK

  @B-2
  Scenario Outline: a reply the module never gives
    When the host sends AT
    Then the module replies <reply>
    And the module stays silent for 200 ms

    Examples:
      | reply  |
      | OK     |
      | NOT OK |
"#;

fn browser() -> &'static str {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect(
            "neither `chromium` nor `chromium-browser` runs: install Debian's chromium \
             (apt-get install chromium), as .ci/run does",
        )
}

/// The DOM of `page` at `fragment` once its script has run.
fn dump_dom(browser: &str, page: &Path, fragment: &str, profile: &Path) -> String {
    let url = format!("file://{}{fragment}", page.display());
    let out = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", &url])
        .output()
        .unwrap_or_else(|e| panic!("{browser}: {e}"));
    assert!(
        out.status.success(),
        "{browser} --dump-dom {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("the DOM is UTF-8")
}

/// The clause table's rows: each row's start tag, as the browser serialized
/// it (`<tr id="clause-B-1" data-verdict="passed" hidden="">`).
fn clause_rows(dom: &str) -> Vec<&str> {
    let table = &dom[dom.find("id=\"clauses\"").expect("the clause table")..];
    let body = &table[table.find("<tbody>").expect("its body")..];
    let body = &body[..body.find("</tbody>").expect("its end")];
    body.split("<tr ")
        .skip(1)
        .map(|r| &r[..r.find('>').expect("a start tag")])
        .collect()
}

fn verdict(row: &str) -> &str {
    let at = row.find("data-verdict=\"").expect("data-verdict") + "data-verdict=\"".len();
    &row[at..at + row[at..].find('"').expect("a closing quote")]
}

#[test]
#[ignore = "needs chromium; .ci/run runs it"]
fn the_page_in_a_browser_shows_the_clauses_and_the_failure() {
    let browser = browser();
    let dir = std::env::temp_dir().join(format!("atcert-html-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("features")).expect("a scratch folder");
    std::fs::write(dir.join("features/report.feature"), FEATURE).expect("the feature");
    let page = dir.join("report.html");
    let run = Command::new(env!("CARGO_BIN_EXE_atcert"))
        .arg("run")
        .arg(dir.join("features"))
        .arg("--html")
        .arg(&page)
        .output()
        .expect("atcert runs");
    let console =
        String::from_utf8_lossy(&run.stdout).into_owned() + &String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "one scenario fails:\n{console}");
    let html = std::fs::read_to_string(&page).expect("the page was written");
    for external in ["http://", "https://", "src="] {
        assert!(
            !html.contains(external),
            "the page fetches nothing: {external}"
        );
    }

    let profile = dir.join("profile");
    let dom = dump_dom(browser, &page, "#failed", &profile);
    let rows = clause_rows(&dom);
    assert_eq!(rows.len(), conformance::report::clauses().len(), "{dom}");
    assert!(
        dom.contains("data-filter=\"failed\""),
        "the fragment chose the filter"
    );
    for row in &rows {
        let failed = verdict(row).split(' ').any(|v| v == "failed");
        assert_eq!(row.contains(" hidden"), !failed, "under #failed: {row}");
    }
    let b1 = rows
        .iter()
        .find(|r| r.contains("id=\"clause-B-1\""))
        .expect("B-1");
    let b2 = rows
        .iter()
        .find(|r| r.contains("id=\"clause-B-2\""))
        .expect("B-2");
    assert!(verdict(b1) == "passed" && b1.contains(" hidden"), "{b1}");
    assert!(verdict(b2) == "failed" && !b2.contains(" hidden"), "{b2}");

    // The failure: the outline's second row, its Background step first and
    // its failed step marked, the steps after it not run.
    assert_eq!(
        dom.matches("<article class=\"failure\"").count(),
        1,
        "{dom}"
    );
    assert!(
        dom.contains(
            "<h3>HTML report &lt;check&gt; &amp; \"quotes\": a reply the module never gives</h3>"
        ),
        "{dom}"
    );
    let steps = "<li>Given the module has just booted</li>\n\
                 <li>When the host sends AT</li>\n\
                 <li class=\"failed-step\">Then the module replies NOT OK</li>\n\
                 <li class=\"not-run\">And the module stays silent for 200 ms</li>";
    assert!(dom.contains(steps), "{dom}");
    let transcript = &dom[dom
        .find("<pre class=\"transcript\">")
        .expect("a transcript")..];
    let transcript = &transcript[..transcript.find("</pre>").expect("its end")];
    let crlf =
        "<span class=\"cr\" title=\"CR\">\\r</span><span class=\"lf\" title=\"LF\">\\n</span>";
    assert!(
        transcript.contains(&format!("host&gt; AT{crlf}")),
        "{transcript}"
    );
    assert!(
        transcript.contains(&format!("{crlf}OK{crlf}")),
        "{transcript}"
    );

    // With no fragment, every row shows.
    let all = dump_dom(browser, &page, "", &profile);
    assert!(clause_rows(&all).iter().all(|r| !r.contains(" hidden")));
    println!(
        "{}: {} bytes; {} clause rows, {} shown under #failed",
        page.display(),
        html.len(),
        rows.len(),
        rows.iter().filter(|r| !r.contains(" hidden")).count()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
