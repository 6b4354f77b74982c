//! TL-7: a key never leaves the module but on the UART. A scenario sets a
//! recognisable key, opens a TLS link with it to OpenSSL's server (so the
//! key is in use), sends data, and fails on purpose (so every artefact
//! carries its transcript); then the console output, the JUnit file, the
//! Markdown and HTML reports are searched, as text and in hex: the key may
//! appear only on UART lines (what the host typed, `AT+CIPSSLCPSK?`'s
//! reply) and in the scenario's own step that gives the server its key.

use std::path::PathBuf;
use std::process::Command;

const KEY: &str = "K3Y-of-atcert-7e5t";

const FEATURE: &str = r#"Feature: secrets stay secret

  @TL-7
  Scenario: a TLS link with a recognisable key, failing on purpose
    Given a TLS-PSK echo server at 192.168.0.103:4433 with key "K3Y-of-atcert-7e5t" and identity "client1"
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="K3Y-of-atcert-7e5t","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    Then the module replies OK
    When the host sends AT+CIPSEND=0,5
    Then the module replies >
    When the host sends the raw bytes "hello"
    Then the module replies SEND OK
    And the module replies +IPD,5:hello
    Then the module replies a line this module never sends
"#;

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("atcert-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

#[test]
fn no_artefact_shows_the_key_outside_uart_lines() {
    let dir = temp_dir();
    let feature = dir.join("secrets.feature");
    std::fs::write(&feature, FEATURE).unwrap();
    let (junit, report, html) = (
        dir.join("junit.xml"),
        dir.join("report.md"),
        dir.join("report.html"),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_atcert"))
        .arg("run")
        .arg(&feature)
        .arg("--junit")
        .arg(&junit)
        .arg("--report")
        .arg(&report)
        .arg("--html")
        .arg(&html)
        .output()
        .expect("atcert runs");
    assert!(!out.status.success(), "the scenario fails on purpose");
    let artefacts = [
        ("console", String::from_utf8_lossy(&out.stdout).into_owned()),
        ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
        (
            "junit",
            std::fs::read_to_string(&junit).expect("the JUnit file"),
        ),
        (
            "report",
            std::fs::read_to_string(&report).expect("the report"),
        ),
        (
            "html",
            std::fs::read_to_string(&html).expect("the HTML report"),
        ),
    ];
    let hex: String = KEY.bytes().map(|b| format!("{b:02x}")).collect();
    let mut uart_lines = 0;
    let mut records = 0;
    for (name, text) in &artefacts {
        assert!(!text.contains(&hex), "{name} shows the key in hex");
        for line in text.lines() {
            records += usize::from(line.contains("received") && line.contains("bytes from"));
            if !line.contains(KEY) {
                continue;
            }
            // A transcript's UART lines (`host> ...`, `<mod ...`), the step
            // that typed the key (the bytes the host sends), and the step
            // that gave the server its key: the scenario's own text.
            assert!(
                line.contains("host> ")
                    || line.contains("host&gt; ")
                    || line.contains("<mod ")
                    || line.contains("&lt;mod ")
                    || line.contains("the host sends AT+CIPSSLCPSK=")
                    || line.contains("-PSK echo server at"),
                "{name} shows the key outside a UART line: {line}"
            );
            uart_lines += 1;
        }
    }
    assert!(uart_lines > 0, "the host's typed key is in the transcript");
    assert!(
        records > 0,
        "the TLS session's records are in the transcript"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
