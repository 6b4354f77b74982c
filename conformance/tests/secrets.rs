//! TL-7: a key never leaves the module but on the UART. A scenario sets a
//! recognisable key, starts a TLS link and fails on purpose (so every
//! artefact carries its transcript); then the console output, the JUnit
//! file and the Markdown report are searched: the key may appear only on
//! UART lines (what the host typed, `AT+CIPSSLCPSK?`'s reply).

use std::path::PathBuf;
use std::process::Command;

const KEY: &str = "K3Y-of-atcert-7e5t";

const FEATURE: &str = r#"Feature: secrets stay secret

  @TL-7
  Scenario: a TLS link with a recognisable key, failing on purpose
    Given a TCP echo server at 192.168.0.103:4433
    And the module has just booted
    When the host sends AT+CIPSSLCPSK="K3Y-of-atcert-7e5t","client1"
    Then the module replies OK
    When the host sends AT+CIPSTART=0,"TLS","192.168.0.103",4433
    And the host waits 100 ms
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
    let (junit, report) = (dir.join("junit.xml"), dir.join("report.md"));
    let out = Command::new(env!("CARGO_BIN_EXE_atcert"))
        .arg("run")
        .arg(&feature)
        .arg("--junit")
        .arg(&junit)
        .arg("--report")
        .arg(&report)
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
    ];
    let mut uart_lines = 0;
    let mut tls_connects = 0;
    for (name, text) in &artefacts {
        for line in text.lines() {
            tls_connects += usize::from(line.contains("Connect {") && line.contains("tls: Some"));
            if !line.contains(KEY) {
                continue;
            }
            // A transcript's UART lines (`host> ...`, `<mod ...`), or the
            // step that typed the key: the bytes the host sends.
            assert!(
                line.contains("host> ")
                    || line.contains("<mod ")
                    || line.contains("the host sends AT+CIPSSLCPSK="),
                "{name} shows the key outside a UART line: {line}"
            );
            uart_lines += 1;
        }
    }
    assert!(uart_lines > 0, "the host's typed key is in the transcript");
    assert!(tls_connects > 0, "the TLS connect is in the transcript");
    let _ = std::fs::remove_dir_all(&dir);
}
