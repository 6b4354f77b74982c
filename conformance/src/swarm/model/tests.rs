//! The model on made-up exchanges: it must accept what the dialect allows
//! and flag what it does not, or it is no oracle.

use std::net::Ipv4Addr;

use super::Model;
use super::parse::{Command, Parsed, parse};

const OWN: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 107);

/// One exchange: the host's line, the information lines, the final.
type Step<'a> = (&'a str, &'a [&'a str], &'a str);

/// Plays `steps` on `m`; every finding, in order.
fn play(m: &mut Model, steps: &[Step<'_>]) -> Vec<String> {
    let mut found = Vec::new();
    for (line, info, fin) in steps {
        let info: Vec<Vec<u8>> = info.iter().map(|l| l.as_bytes().to_vec()).collect();
        let line = format!("{line}\r\n");
        found.extend(m.judge(line.as_bytes(), fin.as_bytes(), &info));
    }
    found
}

fn fresh(steps: &[Step<'_>]) -> Vec<String> {
    play(&mut Model::new(OWN), steps)
}

const MUX1: Step = ("AT+CIPMUX=1", &[], "OK");
const TCP0: Step = ("AT+CIPSTART=0,\"TCP\",\"192.168.0.110\",2000", &[], "OK");
const AT: Step = ("AT", &[], "OK");

#[test]
fn parse_follows_the_g_clauses() {
    // What a line should read as: a command, a refusal naming its
    // clause, or (`Err(None)`) open.
    type Want = Result<Command, Option<&'static str>>;
    let cases: [(&[u8], Want); 24] = [
        (b"AT\r\n", Ok(Command::At)),
        (b"ATE0\r", Ok(Command::Echo(false))),
        (b"AT+CIPMUX=1\n", Ok(Command::Mux(true))),
        (b"AT+CIPMODE?\r\n", Ok(Command::ModeQuery)),
        (b"AT+CIPCLOSE=5\r\n", Ok(Command::Close(5))),
        (
            b"AT+CIPDNS=1, \"8.8.8.8\",1.1.1.1\r\n",
            Ok(Command::Dns(Some(vec![
                Ipv4Addr::new(8, 8, 8, 8),
                Ipv4Addr::new(1, 1, 1, 1),
            ]))),
        ),
        (b"AT+CIPDNS=0\r\n", Ok(Command::Dns(None))),
        (b"AT+CIPMUX=2\r\n", Err(Some("MX-2"))),
        (b"AT+CIPMUX=1,1\r\n", Err(Some("MX-2"))),
        (b"AT+CIPMUX=?\r\n", Err(Some("G-4"))),
        (b"AT+CIPSTATUS\r\n", Err(Some("G-4"))),
        (b"AT+FOO\r\n", Err(Some("G-4"))),
        (
            b"AT+CIPSTART=5,\"TCP\",\"1.2.3.4\",80\r\n",
            Err(Some("SS-2")),
        ),
        (
            b"AT+CIPSTART=0,\"TCP\",\"1.2.3.4\",0\r\n",
            Err(Some("SS-5")),
        ),
        (
            b"AT+CIPSTART=0,\"FOO\",\"1.2.3.4\",80\r\n",
            Err(Some("SS-3")),
        ),
        (
            b"AT+CIPSTART=0,\"TCP\",\"1.2.3.4\",80,7201\r\n",
            Err(Some("SS-5")),
        ),
        (b"AT+CIPSEND=0,2049\r\n", Err(Some("SD-2"))),
        (b"AT+CIPCLOSE=6\r\n", Err(Some("CL-1"))),
        (
            b"AT+CIPDNS=1,\"1.2.3.4\",\"1.2.3.4\"\r\n",
            Err(Some("DN-2")),
        ),
        (b"AT+CIPDNS=0,\"1.2.3.4\"\r\n", Err(Some("DN-3"))),
        (b"AT+CIPSNTPCFG=1,13\r\n", Err(Some("NT-1"))),
        // The clauses leave these open: another case, a quoted number,
        // a trailing comma.
        (b"AT+cipmux=1\r\n", Err(None)),
        (b"AT+CIPMUX=\"1\"\r\n", Err(None)),
        (b"AT+CIPMUX=1,\r\n", Err(None)),
    ];
    for (line, want) in cases {
        let got = parse(line);
        let ok = match (&got, &want) {
            (Parsed::Cmd(c), Ok(w)) => c == w,
            (Parsed::Refused(clause, _), Err(Some(w))) => clause == w,
            (Parsed::Unsure, Err(None)) => true,
            _ => false,
        };
        assert!(
            ok,
            "{}: {got:?}, want {want:?}",
            String::from_utf8_lossy(line)
        );
    }
    let long = format!("AT+{}\r\n", "A".repeat(300));
    assert!(matches!(parse(long.as_bytes()), Parsed::Refused("G-3", _)));
    let cip = parse(b"AT+CIPSTART=0, \"tcp\", \"192.168.0.103\", 20108, 1800\r\n");
    assert!(matches!(cip, Parsed::Cmd(Command::Start(_))), "{cip:?}");
}

/// Exchanges the dialect allows: no finding.
#[test]
fn right_answers_pass() {
    let cases: [&[Step]; 10] = [
        &[
            ("AT+CIPMUX?", &["+CIPMUX:0"], "OK"),
            MUX1,
            ("AT+CIPMUX?", &["+CIPMUX:1"], "OK"),
        ],
        &[
            MUX1,
            TCP0,
            ("AT+CIPMUX=0", &[], "ERROR"),
            ("AT+CIPMUX=1", &[], "OK"),
        ],
        &[TCP0, ("AT+CIPSEND=0,5", &[], ">")],
        &[
            ("AT+CIPSEND=0,5", &[], "CMDRSP:ERROR"),
            ("AT+CIPCLOSE=0", &[], "ERROR"),
        ],
        &[
            TCP0,
            (
                "AT+CIPSTATUS?",
                &["+BIPSTATUS:0,192.168.0.110,2000,49152,0"],
                "OK",
            ),
        ],
        &[
            TCP0,
            ("AT+CIPCLOSE=0", &[], "OK"),
            ("AT+CIPSTATUS?", &[], "OK"),
        ],
        &[("AT+CIPMODE=1", &[], "OK"), ("AT+CIPMUX=1", &[], "ERROR")],
        &[
            ("AT+CIPDNS=1,\"8.8.8.8\"", &[], "OK"),
            ("AT+CIPDNS?", &["+CIPDNS:1,\"8.8.8.8\""], "OK"),
        ],
        &[("AT+PING=\"peer0.lan\"", &["+PING:TIMEOUT"], "ERROR"), AT],
        &[("AT+CIPSNTPTIME?", &[], "ERROR"), ("AT+FOO", &[], "ERROR")],
    ];
    for steps in cases {
        let found = fresh(steps);
        assert!(found.is_empty(), "{steps:?}: {found:?}");
    }
}

/// Exchanges the dialect refuses: a finding naming the clause.
#[test]
fn wrong_answers_are_flagged() {
    let cases: [(&[Step], &str); 12] = [
        (&[MUX1, ("AT+CIPMUX?", &["+CIPMUX:0"], "OK")], "MX-1"),
        (&[("AT+CIPSEND=0,5", &[], ">")], "SD-3"),
        (&[("AT+CIPSEND=0,5", &[], "OK")], "SD-3"),
        (&[("AT+CIPCLOSE=0", &[], "OK")], "CL-1"),
        (&[TCP0, TCP0], "SS-9"),
        (
            &[
                TCP0,
                ("AT+CIPSTART=1,\"TCP\",\"192.168.0.111\",2000", &[], "OK"),
            ],
            "SS-10",
        ),
        (&[("AT+CIPMODE=1", &[], "OK"), MUX1], "MX-3"),
        (&[("AT+CIPMUX=2", &[], "OK")], "MX-2"),
        (
            &[("AT+CIPSTATUS?", &["+BIPSTATUS:0,1.2.3.4,80,49152,0"], "OK")],
            "ST-1",
        ),
        (&[("AT+CIPSEND", &[], ">")], "PT-1"),
        (&[("AT+GMR", &[], "busy p...")], "G-6"),
        (
            &[(
                "AT+CIPSNTPTIME?",
                &["+CIPSNTPTIME:2026-01-01 00:00:00"],
                "OK",
            )],
            "NT-4",
        ),
    ];
    for (steps, clause) in cases {
        let found = fresh(steps);
        assert!(
            found
                .iter()
                .any(|f| f.starts_with(clause) || f.contains(&format!("/{clause}"))),
            "{steps:?}: {found:?}, want {clause}"
        );
    }
}

#[test]
fn a_link_the_module_drops_must_be_reported_closed() {
    // OK to a CIPMUX change with a link open is allowed only if the link
    // had just closed: its CLOSED must come before the next final result.
    let steps = [MUX1, TCP0, ("AT+CIPMUX=0", &[][..], "OK"), AT];
    let found = fresh(&steps);
    assert!(found.iter().any(|f| f.starts_with("RX-2")), "{found:?}");
    let mut m = Model::new(OWN);
    assert!(play(&mut m, &steps[..3]).is_empty());
    assert_eq!(m.closed(Some(0)), None);
    assert!(play(&mut m, &[AT]).is_empty());
    // A CLOSED for a link the model holds closed is wrong (CL-3).
    let mut m = Model::new(OWN);
    play(&mut m, &[TCP0, ("AT+CIPCLOSE=0", &[], "OK")]);
    assert!(m.closed(None).is_some());
}

#[test]
fn send_data_ends_in_send_ok_or_cmdrsp_error() {
    let mut m = Model::new(OWN);
    assert!(play(&mut m, &[TCP0, ("AT+CIPSEND=0,5", &[], ">")]).is_empty());
    assert!(m.data_final(b"SEND OK").is_empty());
    play(&mut m, &[("AT+CIPSEND=0,5", &[], ">")]);
    assert!(m.data_final(b"OK").iter().any(|f| f.starts_with("SD-5")));
}

#[test]
fn stored_settings_follow_sysstore_across_restarts() {
    let dns = ("AT+CIPDNS=1,\"8.8.8.8\"", &[][..], "OK");
    let manual = ("AT+CIPDNS?", &["+CIPDNS:1,\"8.8.8.8\""][..], "OK");
    let auto = ("AT+CIPDNS?", &["+CIPDNS:0,\"192.168.0.1\""][..], "OK");
    // DN-4: with SYSSTORE=1 the setting survives a restart.
    let mut m = Model::new(OWN);
    play(&mut m, &[dns]);
    m.ready();
    assert!(play(&mut m, &[manual]).is_empty());
    // With SYSSTORE=0 it does not.
    let mut m = Model::new(OWN);
    play(&mut m, &[("AT+SYSSTORE=0", &[], "OK"), dns, manual]);
    m.ready();
    assert!(!play(&mut m, &[manual]).is_empty());
    let mut m = Model::new(OWN);
    play(&mut m, &[("AT+SYSSTORE=0", &[], "OK"), dns]);
    m.ready();
    assert!(play(&mut m, &[auto, ("AT+SYSSTORE?", &["+SYSSTORE:0"], "OK")]).is_empty());
    // B-6: power lost before the OK leaves the old or the new store.
    for shown in [manual, auto] {
        let mut m = Model::new(OWN);
        m.sent(b"AT+CIPDNS=1,\"8.8.8.8\"\r\n");
        m.ready();
        assert!(play(&mut m, &[shown]).is_empty());
    }
    let mut m = Model::new(OWN);
    m.sent(b"AT+CIPDNS=1,\"8.8.8.8\"\r\n");
    m.ready();
    let other = ("AT+CIPDNS?", &["+CIPDNS:1,\"9.9.9.9\""][..], "OK");
    assert!(!play(&mut m, &[other]).is_empty());
}

#[test]
fn an_unknown_state_is_learnt_again_not_guessed() {
    let mut m = Model::new(OWN);
    // A line the clauses leave open, accepted: the model forgets.
    assert!(play(&mut m, &[("AT+cipmux=1", &[], "OK")]).is_empty());
    assert!(play(&mut m, &[("AT+CIPMUX?", &["+CIPMUX:1"], "OK")]).is_empty());
    assert!(!play(&mut m, &[("AT+CIPMUX?", &["+CIPMUX:0"], "OK")]).is_empty());
    // Links: anything goes until CIPSTATUS settles them.
    m.lost();
    assert!(play(&mut m, &[("AT+CIPSEND=0,5", &[], "CMDRSP:ERROR")]).is_empty());
    assert!(play(&mut m, &[("AT+CIPSTATUS?", &[], "OK")]).is_empty());
    // SD is normal mode's: CIPMODE must be known too.
    assert!(play(&mut m, &[("AT+CIPSEND=0,5", &[], ">")]).is_empty());
    m.data_final(b"SEND OK");
    assert!(play(&mut m, &[("AT+CIPMODE?", &["+CIPMODE:0"], "OK")]).is_empty());
    assert!(!play(&mut m, &[("AT+CIPSEND=0,5", &[], ">")]).is_empty());
    // `ready` brings the defaults back.
    m.ready();
    assert!(play(&mut m, &[("AT+CIPMODE?", &["+CIPMODE:0"], "OK")]).is_empty());
}
