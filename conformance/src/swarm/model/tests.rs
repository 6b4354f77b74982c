//! The model on made-up exchanges: it must accept what the dialect allows
//! and flag what it does not, or it is no oracle.

use std::net::Ipv4Addr;

use proptest::prelude::*;
use rstest::rstest;

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

/// A step, typed (a literal `&[]` of information lines needs the help).
const fn s(line: &'static str, info: &'static [&'static str], fin: &'static str) -> Step<'static> {
    (line, info, fin)
}

fn fresh(steps: &[Step<'_>]) -> Vec<String> {
    play(&mut Model::new(OWN), steps)
}

const MUX1: Step = ("AT+CIPMUX=1", &[], "OK");
const TCP0: Step = ("AT+CIPSTART=0,\"TCP\",\"192.168.0.110\",2000", &[], "OK");
const AT: Step = ("AT", &[], "OK");

/// What a line should read as: a command, a refusal naming its clause,
/// or (`Err(None)`) left open by the clauses.
type Want = Result<Command, Option<&'static str>>;

#[rstest]
#[case(b"AT\r\n", Ok(Command::At))]
#[case(b"ATE0\r", Ok(Command::Echo(false)))]
#[case(b"AT+CIPMUX=1\n", Ok(Command::Mux(true)))]
#[case(b"AT+CIPMODE?\r\n", Ok(Command::ModeQuery))]
#[case(b"AT+CIPCLOSE=5\r\n", Ok(Command::Close(5)))]
#[case(b"AT+CIPDNS=0\r\n", Ok(Command::Dns(None)))]
#[case(
    b"AT+CIPDNS=1, \"8.8.8.8\",1.1.1.1\r\n",
    Ok(Command::Dns(Some(vec![Ipv4Addr::new(8, 8, 8, 8), Ipv4Addr::new(1, 1, 1, 1)])))
)]
#[case(b"AT+CIPMUX=2\r\n", Err(Some("MX-2")))]
#[case(b"AT+CIPMUX=1,1\r\n", Err(Some("MX-2")))]
#[case(b"AT+CIPMUX=\r\n", Err(Some("G-4")))]
#[case(b"AT+CIPMUX=?\r\n", Err(Some("G-4")))]
#[case(b"AT+CIPSTATUS\r\n", Err(Some("G-4")))]
#[case(b"AT+FOO\r\n", Err(Some("G-4")))]
#[case(b"AT+CIPSTART=5,\"TCP\",\"1.2.3.4\",80\r\n", Err(Some("SS-2")))]
#[case(b"AT+CIPSTART=0,\"TCP\",\"1.2.3.4\",0\r\n", Err(Some("SS-5")))]
#[case(b"AT+CIPSTART=0,\"FOO\",\"1.2.3.4\",80\r\n", Err(Some("SS-3")))]
#[case(b"AT+CIPSTART=0,\"TCP\",\"1.2.3.4\",80,7201\r\n", Err(Some("SS-5")))]
#[case(b"AT+CIPSEND=0,2049\r\n", Err(Some("SD-2")))]
#[case(b"AT+CIPSEND=0,0\r\n", Err(Some("SD-2")))]
#[case(b"AT+CIPCLOSE=6\r\n", Err(Some("CL-1")))]
#[case(b"AT+CIPCLOSE=-1\r\n", Err(Some("CL-1")))]
#[case(b"AT+CIPDNS=1,\"1.2.3.4\",\"1.2.3.4\"\r\n", Err(Some("DN-2")))]
#[case(b"AT+CIPDNS=1,1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4\r\n", Err(Some("DN-2")))]
#[case(b"AT+CIPDNS=0,\"1.2.3.4\"\r\n", Err(Some("DN-3")))]
#[case(b"AT+CIPSNTPCFG=1,13\r\n", Err(Some("NT-1")))]
#[case(b"AT+CIPSNTPCFG=1\r\n", Err(Some("NT-1")))]
// The clauses leave these open: another case, a quoted number, a
// trailing comma, a space before a comma.
#[case(b"AT+cipmux=1\r\n", Err(None))]
#[case(b"AT+CIPMUX=\"1\"\r\n", Err(None))]
#[case(b"AT+CIPMUX=1,\r\n", Err(None))]
#[case(b"AT+CIPCLOSE=1 ,\r\n", Err(None))]
fn parse_follows_the_g_clauses(#[case] line: &[u8], #[case] want: Want) {
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

#[test]
fn parse_reads_the_pages_own_examples_and_long_lines() {
    let long = format!("AT+{}\r\n", "A".repeat(300));
    assert!(matches!(parse(long.as_bytes()), Parsed::Refused("G-3", _)));
    let cip = parse(b"AT+CIPSTART=0, \"tcp\", \"192.168.0.103\", 20108, 1800\r\n");
    assert!(matches!(cip, Parsed::Cmd(Command::Start(_))), "{cip:?}");
    let udp = parse(b"AT+CIPSTART=1,\"udp\",\"192.168.0.103\",20108,5637, \"192.168.0.107\"\r\n");
    assert!(
        matches!(&udp, Parsed::Cmd(Command::Start(s)) if s.server.is_some()),
        "{udp:?}"
    );
}

/// Exchanges the dialect allows: no finding.
#[rstest]
#[case(&[s("AT+CIPMUX?", &["+CIPMUX:0"], "OK"), MUX1, s("AT+CIPMUX?", &["+CIPMUX:1"], "OK")])]
#[case(&[MUX1, TCP0, s("AT+CIPMUX=0", &[], "ERROR"), s("AT+CIPMUX=1", &[], "OK")])]
#[case(&[TCP0, s("AT+CIPSEND=0,5", &[], ">")])]
#[case(&[s("AT+CIPSEND=0,5", &[], "CMDRSP:ERROR"), s("AT+CIPCLOSE=0", &[], "ERROR")])]
#[case(&[TCP0, s("AT+CIPSTATUS?", &["+BIPSTATUS:0,192.168.0.110,2000,49152,0"], "OK")])]
#[case(&[TCP0, s("AT+CIPCLOSE=0", &[], "OK"), s("AT+CIPSTATUS?", &[], "OK")])]
#[case(&[s("AT+CIPMODE=1", &[], "OK"), s("AT+CIPMUX=1", &[], "ERROR")])]
#[case(&[s("AT+CIPDNS=1,\"8.8.8.8\"", &[], "OK"), s("AT+CIPDNS?", &["+CIPDNS:1,\"8.8.8.8\""], "OK")])]
#[case(&[s("AT+CIPDNS=0", &[], "OK"), s("AT+CIPDNS?", &["+CIPDNS:0,\"208.67.222.222\""], "OK")])]
#[case(&[s("AT+PING=\"peer0.lan\"", &["+PING:TIMEOUT"], "ERROR"), AT])]
#[case(&[s("AT+CIPSNTPTIME?", &[], "ERROR"), s("AT+FOO", &[], "ERROR")])]
#[case(&[s("AT+CIPSNTPCFG?", &["+CIPSNTPCFG:0,0,\"pool.ntp.org\""], "OK")])]
#[case(&[s("AT+CIPSSLCPSK=\"key\",\"id\"", &[], "OK"), s("AT+CIPSSLCPSK?", &["+CIPSSLCPSK:0,\"key\",\"id\""], "OK")])]
#[case(&[s("AT+CIPDOMAIN=\"1.2.3.4\"", &["+CIPDOMAIN:\"1.2.3.4\""], "OK")])]
fn right_answers_pass(#[case] steps: &[Step<'static>]) {
    let found = fresh(steps);
    assert!(found.is_empty(), "{steps:?}: {found:?}");
}

/// Exchanges the dialect refuses: a finding naming the clause.
#[rstest]
#[case(&[MUX1, s("AT+CIPMUX?", &["+CIPMUX:0"], "OK")], "MX-1")]
#[case(&[s("AT+CIPSEND=0,5", &[], ">")], "SD-3")]
#[case(&[s("AT+CIPSEND=0,5", &[], "OK")], "SD-3")]
#[case(&[s("AT+CIPCLOSE=0", &[], "OK")], "CL-1")]
#[case(&[TCP0, TCP0], "SS-9")]
#[case(&[TCP0, s("AT+CIPSTART=1,\"TCP\",\"192.168.0.111\",2000", &[], "OK")], "SS-10")]
#[case(&[s("AT+CIPSTART=0,\"UDP\",\"1.2.3.4\",53", &[], "ERROR")], "SS-7")]
#[case(&[s("AT+CIPMODE=1", &[], "OK"), MUX1], "MX-3")]
#[case(&[MUX1, s("AT+CIPMODE=1", &[], "OK")], "MD-2")]
#[case(&[s("AT+CIPMUX=2", &[], "OK")], "MX-2")]
#[case(&[s("AT+CIPMUX=1", &["+CIPMUX:1"], "OK")], "MX-2")]
#[case(&[s("AT+CIPSTATUS?", &["+BIPSTATUS:0,1.2.3.4,80,49152,0"], "OK")], "ST-1")]
#[case(&[TCP0, s("AT+CIPSTATUS?", &["+BIPSTATUS:1,192.168.0.110,2000,49152,0"], "OK")], "ST-1")]
#[case(&[s("AT+CIPSEND", &[], ">")], "PT-1")]
#[case(&[s("AT+GMR", &[], "busy p...")], "G-6")]
#[case(&[s("AT+CIPSNTPTIME?", &["+CIPSNTPTIME:2026-01-01 00:00:00"], "OK")], "NT-4")]
#[case(&[s("AT+CIPSNTPCFG?", &["+CIPSNTPCFG:1,0,\"pool.ntp.org\""], "OK")], "NT-2")]
#[case(&[s("AT+CIPDNS=0", &[], "OK"), s("AT+CIPDNS?", &["+CIPDNS:0,\"8.8.8.8\""], "OK")], "DN-1")]
#[case(&[s("AT+CIPSSLCPSK=0,\"key\",\"id\"", &[], "OK")], "PK-1")]
#[case(&[s("AT+CIPDOMAIN=\"1.2.3.4\"", &["+CIPDOMAIN:\"4.3.2.1\""], "OK")], "DM-1")]
#[case(&[s("AT+PING=\"peer0.lan\"", &["+PING:TIMEOUT"], "OK")], "PG-1")]
fn wrong_answers_are_flagged(#[case] steps: &[Step<'static>], #[case] clause: &str) {
    let found = fresh(steps);
    assert!(
        found
            .iter()
            .any(|f| f.starts_with(clause) || f.contains(&format!("/{clause}"))),
        "{steps:?}: {found:?}, want {clause}"
    );
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

/// Lines the property tests type: valid, borderline and broken.
const LINES: [&str; 16] = [
    "AT",
    "AT+CIPMUX=1",
    "AT+CIPMUX=0",
    "AT+CIPMODE=1",
    "AT+CIPMODE=0",
    "AT+CIPSTART=0,\"TCP\",\"192.168.0.110\",2000",
    "AT+CIPSTART=1,UDP,192.168.0.111,2003,5638,\"0.0.0.0\"",
    "AT+CIPSEND=0,5",
    "AT+CIPSEND",
    "AT+CIPCLOSE=0",
    "AT+CIPCLOSE=5",
    "AT+CIPSTATUS?",
    "AT+CIPDNS?",
    "AT+SYSSTORE=0",
    "AT+RESTORE",
    "at+cipmux?",
];
const FINALS: [&str; 6] = ["OK", "ERROR", "CMDRSP:ERROR", ">", "SEND OK", "busy p..."];
const INFO: [&str; 4] = [
    "+CIPMUX:1",
    "+BIPSTATUS:0,192.168.0.110,2000,49152,0",
    "+CIPDNS:0,\"1.1.1.1\"",
    "junk",
];

/// One step of a made-up session: an answer to a line, or an event.
#[derive(Debug, Clone)]
enum Op {
    Answer(usize, Vec<usize>, usize),
    Data(usize),
    Closed(Option<u32>),
    Ready,
    Lost,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..LINES.len(), prop::collection::vec(0..INFO.len(), 0..3), 0..FINALS.len())
            .prop_map(|(l, i, f)| Op::Answer(l, i, f)),
        1 => (0..FINALS.len()).prop_map(Op::Data),
        1 => prop::option::of(0u32..7).prop_map(Op::Closed),
        1 => Just(Op::Ready),
        1 => Just(Op::Lost),
    ]
}

proptest! {
    /// No input makes the model panic (a panic would end the seed), and
    /// random bytes never parse into a panic either.
    #[test]
    fn no_answer_or_line_panics(
        ops in prop::collection::vec(op(), 0..40),
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let _ = parse(&bytes);
        let mut m = Model::new(OWN);
        for o in ops {
            match o {
                Op::Answer(l, info, f) => {
                    let info: Vec<Vec<u8>> = info.iter().map(|&i| INFO[i].as_bytes().to_vec()).collect();
                    let line = format!("{}\r\n", LINES[l]);
                    m.sent(line.as_bytes());
                    let _ = m.judge(line.as_bytes(), FINALS[f].as_bytes(), &info);
                }
                Op::Data(f) => drop(m.data_final(FINALS[f].as_bytes())),
                Op::Closed(id) => drop(m.closed(id)),
                Op::Ready => m.ready(),
                Op::Lost => m.lost(),
            }
        }
    }

    /// A line the dialect refuses, answered ERROR, is never a finding.
    #[test]
    fn a_refusal_of_a_refused_line_passes(tail in "[A-Z0-9=?,\" ]{0,20}") {
        let line = format!("AT+{tail}\r\n");
        if let Parsed::Refused(..) = parse(line.as_bytes()) {
            let found = Model::new(OWN).judge(line.as_bytes(), b"ERROR", &[]);
            prop_assert!(found.is_empty(), "{line:?}: {found:?}");
        }
    }
}
