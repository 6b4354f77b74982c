use super::*;
use proptest::prelude::*;
use rstest::rstest;
use std::string::ToString;
use std::vec;
use std::vec::Vec;

/// An expected parameter: quoted string, bare token (`B("")` is omitted).
#[derive(Debug, Clone, Copy)]
enum Exp {
    Q(&'static str),
    B(&'static str),
}
use Exp::{B, Q};

fn assert_args(args: &Args<'_>, expected: &[Exp]) {
    let got: Vec<(&[u8], bool)> = args.iter().map(|a| (a.bytes(), a.is_quoted())).collect();
    let want: Vec<(&[u8], bool)> = expected
        .iter()
        .map(|e| match *e {
            Q(s) => (s.as_bytes(), true),
            B(s) => (s.as_bytes(), false),
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(args.len(), expected.len());
}

fn set_args(line: &[u8]) -> Args<'_> {
    match parse(line) {
        Ok(Request {
            form: Form::Set(args),
            ..
        }) => args,
        other => panic!(
            "{:?}: expected a Set form, got {other:?}",
            line.escape_ascii().to_string()
        ),
    }
}

// --- forms -----------------------------------------------------------------

#[rstest]
#[case(b"AT", b"", Form::Exec)]
#[case(b"ATE0", b"E0", Form::Exec)]
#[case(b"ATE1", b"E1", Form::Exec)]
#[case(b"AT+RST", b"+RST", Form::Exec)]
#[case(b"AT+CIPMUX?", b"+CIPMUX", Form::Query)]
#[case(b"AT+CIPMUX=?", b"+CIPMUX", Form::Test)]
#[case(b"AT+SYSSTORE?", b"+SYSSTORE", Form::Query)]
#[case(b"AT+BLE_2=?", b"+BLE_2", Form::Test)]
#[case(b"AT+_", b"+_", Form::Exec)]
#[case(b"AT?", b"", Form::Query)]
fn forms(#[case] line: &[u8], #[case] name: &[u8], #[case] form: Form<'static>) {
    assert_eq!(parse(line), Ok(Request { name, form }));
}

#[rstest]
#[case(b"AT+CIPMUX=1", b"+CIPMUX", &[B("1")])]
#[case(b"AT+SYSSTORE=0", b"+SYSSTORE", &[B("0")])]
#[case(b"AT+X=", b"+X", &[B("")])]
#[case(b"ATE0=1", b"E0", &[B("1")])]
fn set_form(#[case] line: &[u8], #[case] name: &[u8], #[case] expected: &[Exp]) {
    let req = parse(line).unwrap();
    assert_eq!(req.name, name);
    let Form::Set(args) = &req.form else {
        panic!("not Set: {req:?}")
    };
    assert_args(args, expected);
}

// --- parameters --------------------------------------------------------------

#[rstest]
// The spec's own lines.
#[case(
    br#"AT+CIPSTART=0,"tcp","192.168.0.103",20108,1800"#,
    &[B("0"), Q("tcp"), Q("192.168.0.103"), B("20108"), B("1800")]
)]
#[case(
    br#"AT+CIPSTART=2,"tcp","192.168.0.103",20108,1800, 5637, "192.168.0.107""#,
    &[B("2"), Q("tcp"), Q("192.168.0.103"), B("20108"), B("1800"), B("5637"), Q("192.168.0.107")]
)]
#[case(br#"AT+CIPSNTPCFG=1,-5,"0.pool.ntp.org""#, &[B("1"), B("-5"), Q("0.pool.ntp.org")])]
#[case(br#"AT+CIPSSLCPSK="a\,b","c\"d""#, &[Q("a,b"), Q("c\"d")])]
// Escapes.
#[case(br#"AT+X="a\\b""#, &[Q(r"a\b")])]
#[case(br#"AT+X="\"\\\,""#, &[Q(r#""\,"#)])]
#[case(br#"AT+X="a,b""#, &[Q("a,b")])]
#[case(br#"AT+X="""#, &[Q("")])]
// Bare tokens: no escapes, end at a comma, trailing spaces trimmed.
#[case(b"AT+X=abc", &[B("abc")])]
#[case(b"AT+X=a b  ", &[B("a b")])]
#[case(br"AT+X=a\,b", &[B(r"a\"), B("b")])]
#[case(br#"AT+X=a"b"#, &[B(r#"a"b"#)])]
#[case(b"AT+X=1?", &[B("1?")])]
// Spaces before a parameter, including the first, are skipped.
#[case(br#"AT+X=  "a",  b"#, &[Q("a"), B("b")])]
// Omitted parameters.
#[case(b"AT+X=1,,2", &[B("1"), B(""), B("2")])]
#[case(b"AT+X=1, ,2", &[B("1"), B(""), B("2")])]
#[case(b"AT+X=,", &[B(""), B("")])]
#[case(b"AT+X=1,", &[B("1"), B("")])]
#[case(br#"AT+X=,"""#, &[B(""), Q("")])]
// The maximum of eight.
#[case(b"AT+X=1,2,3,4,5,6,7,8", &[B("1"), B("2"), B("3"), B("4"), B("5"), B("6"), B("7"), B("8")])]
#[case(b"AT+X=,,,,,,,", &[B(""); 8])]
fn params(#[case] line: &[u8], #[case] expected: &[Exp]) {
    assert_args(&set_args(line), expected);
}

#[test]
fn spec_line_values() {
    let args =
        set_args(br#"AT+CIPSTART=2,"tcp","192.168.0.103",20108,1800, 5637, "192.168.0.107""#);
    let ints: Vec<Option<i64>> = args.iter().map(Arg::int).collect();
    assert_eq!(
        ints,
        [
            Some(2),
            None,
            None,
            Some(20108),
            Some(1800),
            Some(5637),
            None
        ]
    );
    assert_eq!(args.get(1).and_then(Arg::str), Some("tcp"));
    assert_eq!(
        parse_ipv4(args.get(6).unwrap().bytes()),
        Some(Ipv4Addr::new(192, 168, 0, 107))
    );
    assert!(args.get(7).is_none());

    let args = set_args(br#"AT+CIPSNTPCFG=1,-5,"0.pool.ntp.org""#);
    assert_eq!(args.get(1).and_then(Arg::int), Some(-5));
}

#[test]
fn escaped_strings_are_owned_and_plain_ones_borrowed() {
    let line = br#"AT+X="plain","es\"c""#;
    let args = set_args(line);
    assert!(matches!(args.get(0).unwrap().value, Cow::Borrowed(_)));
    let Cow::Owned(v) = &args.get(1).unwrap().value else {
        panic!("expected owned")
    };
    assert_eq!(v, b"es\"c");
    assert_eq!(v.capacity(), 4, "allocated exactly once, exactly sized");
}

#[rstest]
#[case(B(""), true, false)]
#[case(Q(""), false, true)]
#[case(B("x"), false, false)]
#[case(Q("x"), false, true)]
fn omitted_and_quoted(#[case] arg: Exp, #[case] omitted: bool, #[case] quoted: bool) {
    let line = match arg {
        Q(s) => std::format!("AT+X=\"{s}\""),
        B(s) => std::format!("AT+X={s}"),
    };
    let args = set_args(line.as_bytes());
    let a = args.get(0).unwrap();
    assert_eq!((a.is_omitted(), a.is_quoted()), (omitted, quoted));
}

#[test]
fn str_needs_utf8() {
    let args = set_args(b"AT+X=\xff\xfe,\"\xc3\xa9\"");
    assert_eq!(args.get(0).unwrap().bytes(), b"\xff\xfe");
    assert_eq!(args.get(0).unwrap().str(), None);
    assert_eq!(args.get(1).unwrap().str(), Some("é"));
}

// --- integers ------------------------------------------------------------------

#[rstest]
#[case("0", Some(0))]
#[case("-0", Some(0))]
#[case("42", Some(42))]
#[case("-5", Some(-5))]
#[case("007", Some(7))]
#[case(" 7", Some(7))]
#[case("7  ", Some(7))]
#[case("9223372036854775807", Some(i64::MAX))]
#[case("-9223372036854775808", Some(i64::MIN))]
#[case("9223372036854775808", None)]
#[case("-9223372036854775809", None)]
#[case("99999999999999999999999", None)]
#[case("+1", None)]
#[case("1 2", None)]
#[case("- 1", None)]
#[case("\"1\"", None)]
#[case("", None)]
#[case("-", None)]
#[case("--1", None)]
#[case("1-", None)]
#[case("1a", None)]
#[case("0x10", None)]
#[case("1.0", None)]
#[case("１", None)]
fn int(#[case] token: &str, #[case] expected: Option<i64>) {
    let line = std::format!("AT+X={token}");
    assert_eq!(set_args(line.as_bytes()).get(0).unwrap().int(), expected);
}

// --- syntax errors -------------------------------------------------------------

#[rstest]
#[case(b"", SyntaxError::NotAt)]
#[case(b"A", SyntaxError::NotAt)]
#[case(b"at", SyntaxError::NotAt)]
#[case(b"aT+RST", SyntaxError::NotAt)]
#[case(b"At", SyntaxError::NotAt)]
#[case(b" AT", SyntaxError::NotAt)]
#[case(b"+AT", SyntaxError::NotAt)]
#[case(b"AT+cipmux", SyntaxError::BadName)]
#[case(b"AT+CIPmux=1", SyntaxError::BadName)]
#[case(b"AT+", SyntaxError::BadName)]
#[case(b"AT+?", SyntaxError::BadName)]
#[case(b"AT+=1", SyntaxError::BadName)]
#[case(b"ATe0", SyntaxError::BadName)]
#[case(b"ATE_0", SyntaxError::BadName)]
#[case(b"AT+CIPMUX?x", SyntaxError::BadForm)]
#[case(b"AT+CIPMUX==1", SyntaxError::BadForm)]
#[case(b"AT+CIPMUX=?x", SyntaxError::BadForm)]
#[case(b"AT+CIPMUX=?=", SyntaxError::BadForm)]
#[case(b"AT+CIPMUX??", SyntaxError::BadForm)]
#[case(b"AT+CIPMUX ?", SyntaxError::BadForm)]
#[case(b"AT+CIPMUX!", SyntaxError::BadForm)]
#[case(b"AT+CIP-MUX", SyntaxError::BadForm)]
#[case(b"AT++X", SyntaxError::BadName)]
#[case(b"AT+X\xff", SyntaxError::BadForm)]
#[case(br#"AT+X=""#, SyntaxError::UnterminatedQuote)]
#[case(br#"AT+X="abc"#, SyntaxError::UnterminatedQuote)]
#[case(br#"AT+X="abc\""#, SyntaxError::UnterminatedQuote)]
#[case(br#"AT+X="abc\"#, SyntaxError::UnterminatedQuote)]
#[case(br#"AT+X=1,"a"#, SyntaxError::UnterminatedQuote)]
#[case(br#"AT+X="a\nb""#, SyntaxError::BadEscape)]
#[case(br#"AT+X="\x""#, SyntaxError::BadEscape)]
#[case(br#"AT+X="\ ""#, SyntaxError::BadEscape)]
#[case(br#"AT+X="\'""#, SyntaxError::BadEscape)]
#[case(br#"AT+X="a"b"#, SyntaxError::JunkAfterQuote)]
#[case(br#"AT+X="a" ,1"#, SyntaxError::JunkAfterQuote)]
#[case(br#"AT+X="a" "#, SyntaxError::JunkAfterQuote)]
#[case(br#"AT+X="a""b""#, SyntaxError::JunkAfterQuote)]
#[case(b"AT+X=1,2,3,4,5,6,7,8,9,10,11", SyntaxError::TooManyArgs)]
#[case(b"AT+X=1,2,3,4,5,6,7,8,9,10,", SyntaxError::TooManyArgs)]
#[case(b"AT+X=,,,,,,,,,,", SyntaxError::TooManyArgs)]
// The first error in the line wins.
#[case(br#"AT+X=1,2,3,4,5,6,7,8,9,10,"\q"#, SyntaxError::TooManyArgs)]
#[case(br#"AT+X="\q",2,3,4,5,6,7,8,9,10,11"#, SyntaxError::BadEscape)]
fn syntax_errors(#[case] line: &[u8], #[case] error: SyntaxError) {
    assert_eq!(parse(line), Err(error));
}

/// Found by the `parser` fuzz target: spaces after `=` let `= =1` (and
/// `= ?`) through as a bare `=1` (`?`), which `==1` (`=?x`) is not.
#[test]
fn fuzz_parser_equals_or_question_after_spaces() {
    for line in [
        &b"ATMODE= ="[..],
        b"AT+CIPMUX= =1",
        b"AT+CIPMUX=  ?",
        b"AT+CIPMUX= ?x",
    ] {
        assert_eq!(
            parse(line),
            Err(SyntaxError::BadForm),
            "{}",
            line.escape_ascii()
        );
    }
    // Spaces before a parameter are still ignored, and `=` or `?` later
    // in one, or in a later one, is still a bare token.
    assert_args(&set_args(b"AT+CIPMUX= 1"), &[B("1")]);
    assert_args(&set_args(b"AT+X= a=?,=1"), &[B("a=?"), B("=1")]);
}

#[test]
fn errors_display_distinctly() {
    use SyntaxError::*;
    let all = [
        NotAt,
        BadName,
        BadForm,
        UnterminatedQuote,
        BadEscape,
        JunkAfterQuote,
        TooManyArgs,
    ];
    let texts: Vec<_> = all.iter().map(ToString::to_string).collect();
    for (i, t) in texts.iter().enumerate() {
        assert!(!t.is_empty());
        assert!(!texts[..i].contains(t), "duplicate message {t}");
    }
    let _: &dyn core::error::Error = &NotAt;
}

// --- parse_ipv4 --------------------------------------------------------------------

#[rstest]
#[case("0.0.0.0", Some([0, 0, 0, 0]))]
#[case("255.255.255.255", Some([255, 255, 255, 255]))]
#[case("192.168.0.103", Some([192, 168, 0, 103]))]
#[case("10.0.200.9", Some([10, 0, 200, 9]))]
#[case("", None)]
#[case("1.2.3", None)]
#[case("1.2.3.4.5", None)]
#[case("1.2.3.4.", None)]
#[case(".1.2.3", None)]
#[case("1..2.3", None)]
#[case("256.0.0.1", None)]
#[case("1.2.3.999", None)]
#[case("1000.1.1.1", None)]
#[case("01.2.3.4", None)]
#[case("00.2.3.4", None)]
#[case("1.2.3.010", None)]
#[case("+1.2.3.4", None)]
#[case("1.2.3.-4", None)]
#[case(" 1.2.3.4", None)]
#[case("1.2.3.4 ", None)]
#[case("1.2.3.0x4", None)]
#[case("١.2.3.4", None)]
#[case("a.b.c.d", None)]
fn ipv4(#[case] text: &str, #[case] expected: Option<[u8; 4]>) {
    assert_eq!(parse_ipv4(text.as_bytes()), expected.map(Ipv4Addr::from));
}

// --- LineAssembler -------------------------------------------------------------------

/// An owned [`Line`], so results of successive pushes can be collected.
#[derive(Debug, Clone, PartialEq, Eq)]
enum L {
    C(Vec<u8>),
    TooLong,
    Empty,
}

fn own(line: Line<'_>) -> L {
    match line {
        Line::Complete(b) => L::C(b.to_vec()),
        Line::TooLong => L::TooLong,
        Line::Empty => L::Empty,
    }
}

/// Feeds `chunks` in order, checking the assembler's memory bound after every push.
fn feed<'c>(asm: &mut LineAssembler, chunks: impl IntoIterator<Item = &'c [u8]>) -> Vec<L> {
    let capacity = asm.buf.capacity();
    let mut out = Vec::new();
    for mut chunk in chunks {
        loop {
            let (n, line) = asm.push(chunk);
            assert!(n <= chunk.len());
            let line = line.map(own);
            assert!(asm.buf.len() <= asm.max_len);
            assert_eq!(asm.buf.capacity(), capacity, "buffer must never grow");
            chunk = &chunk[n..];
            match line {
                Some(l) => out.push(l),
                None => {
                    assert!(chunk.is_empty(), "no line, so all input must be consumed");
                    break;
                }
            }
            if chunk.is_empty() {
                break;
            }
        }
    }
    out
}

/// What the assembler must produce: split at every terminator, drop the tail.
fn model(input: &[u8], max_len: usize) -> Vec<L> {
    let mut parts: Vec<&[u8]> = input.split(|&b| b == b'\r' || b == b'\n').collect();
    parts.pop(); // No terminator after the last part.
    parts
        .into_iter()
        .map(|p| match p.len() {
            0 => L::Empty,
            n if n > max_len => L::TooLong,
            _ => L::C(p.to_vec()),
        })
        .collect()
}

fn c(s: &str) -> L {
    L::C(s.as_bytes().to_vec())
}

#[rstest]
#[case::crlf(&["AT\r\n"], vec![c("AT"), L::Empty])]
#[case::lone_cr(&["AT\rAT+RST\r"], vec![c("AT"), c("AT+RST")])]
#[case::lone_lf(&["AT\nAT+RST\n"], vec![c("AT"), c("AT+RST")])]
#[case::lf_cr(&["AT\n\r"], vec![c("AT"), L::Empty])]
#[case::split(&["A", "T+R", "ST", "\r", "\n"], vec![c("AT+RST"), L::Empty])]
#[case::split_crlf(&["AT\r", "\nATE0\r\n"], vec![c("AT"), L::Empty, c("ATE0"), L::Empty])]
#[case::partial_tail(&["AT\r\nAT+G"], vec![c("AT"), L::Empty])]
#[case::empty_input(&["", ""], vec![])]
fn assembler(#[case] chunks: &[&str], #[case] expected: Vec<L>) {
    let mut asm = LineAssembler::new(256);
    assert_eq!(
        feed(&mut asm, chunks.iter().map(|c| c.as_bytes())),
        expected
    );
}

#[test]
fn assembler_reports_consumed_bytes() {
    let mut asm = LineAssembler::new(256);
    assert_eq!(asm.push(b"AT\r\nXYZ"), (3, Some(Line::Complete(b"AT"))));
    assert!(asm.is_empty());
    assert_eq!(asm.push(b"\nXYZ"), (1, Some(Line::Empty)));
    assert_eq!(asm.push(b"XYZ"), (3, None));
    assert!(!asm.is_empty());
    assert_eq!(asm.push(b""), (0, None));
    assert_eq!(asm.push(b"\r"), (1, Some(Line::Complete(b"XYZ"))));
}

#[rstest]
#[case(256, Some(256))]
#[case(257, None)]
#[case(1000, None)]
fn assembler_length_limit(#[case] len: usize, #[case] kept: Option<usize>) {
    let mut asm = LineAssembler::new(256);
    let mut input = vec![b'x'; len];
    input.extend_from_slice(b"\r\nAT\r\n");
    let first = kept.map_or(L::TooLong, |n| L::C(vec![b'x'; n]));
    // Whole, and split across the limit.
    assert_eq!(
        feed(&mut asm, [&input[..]]),
        vec![first.clone(), L::Empty, c("AT"), L::Empty]
    );
    let (a, b) = input.split_at(200);
    assert_eq!(
        feed(&mut asm, [a, b]),
        vec![first, L::Empty, c("AT"), L::Empty]
    );
}

#[test]
fn assembler_zero_max_len() {
    let mut asm = LineAssembler::new(0);
    assert_eq!(feed(&mut asm, [&b"a\r\r"[..]]), vec![L::TooLong, L::Empty]);
}

#[test]
fn assembler_clear_and_is_empty() {
    let mut asm = LineAssembler::new(4);
    assert!(asm.is_empty());
    asm.push(b"AT+");
    assert!(!asm.is_empty());
    asm.clear();
    assert!(asm.is_empty());
    assert_eq!(asm.push(b"AT\r"), (3, Some(Line::Complete(b"AT"))));

    // An overflowing partial line is pending even though its bytes are dropped.
    asm.push(b"123456");
    assert!(!asm.is_empty());
    asm.clear();
    assert!(asm.is_empty());
    assert_eq!(asm.push(b"AT\r"), (3, Some(Line::Complete(b"AT"))));
}

// --- properties ----------------------------------------------------------------------

/// Bytes biased towards the grammar's special characters.
fn grammar_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(&b"AT+=?\",\\ -019aZ_\r\n"[..]),
        1 => any::<u8>(),
    ]
}

/// A parameter to format into a line, and what parsing must give back.
#[derive(Debug, Clone)]
enum GenArg {
    Int(i64),
    Quoted(Vec<u8>),
    Bare(Vec<u8>),
}

fn gen_arg() -> impl Strategy<Value = GenArg> {
    prop_oneof![
        any::<i64>().prop_map(GenArg::Int),
        prop::collection::vec(grammar_byte(), 0..12).prop_map(GenArg::Quoted),
        // Bare tokens cannot hold a comma, cannot start with a quote (or `?` right
        // after `=`), and their edge spaces are not kept.
        "[A-Za-z0-9.-]([A-Za-z0-9 .\"?-]{0,8}[A-Za-z0-9.\"?-])?"
            .prop_map(|s| GenArg::Bare(s.into_bytes())),
        Just(GenArg::Bare(Vec::new())),
    ]
}

proptest! {
    #[test]
    fn parse_never_panics(line in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse(&line);
    }

    #[test]
    fn parse_never_panics_near_grammar(tail in prop::collection::vec(grammar_byte(), 0..80)) {
        let mut line = b"AT+X=".to_vec();
        line.extend_from_slice(&tail);
        if let Ok(Request { name, form: Form::Set(args) }) = parse(&line) {
            prop_assert_eq!(name, b"+X");
            prop_assert!((1..=MAX_ARGS).contains(&args.len()));
            for arg in &args {
                prop_assert!(arg.bytes().len() <= line.len());
            }
        }
    }

    #[test]
    fn formatted_args_parse_back(args in prop::collection::vec(gen_arg(), 1..=MAX_ARGS)) {
        let mut line = b"AT+X=".to_vec();
        for (i, arg) in args.iter().enumerate() {
            if i > 0 {
                line.extend_from_slice(if i % 2 == 0 { b"," } else { b", " });
            }
            match arg {
                GenArg::Int(n) => line.extend_from_slice(n.to_string().as_bytes()),
                GenArg::Bare(b) => line.extend_from_slice(b),
                GenArg::Quoted(s) => {
                    line.push(b'"');
                    for &b in s {
                        if matches!(b, b'"' | b'\\' | b',') {
                            line.push(b'\\');
                        }
                        line.push(b);
                    }
                    line.push(b'"');
                }
            }
        }
        let parsed = set_args(&line);
        prop_assert_eq!(parsed.len(), args.len());
        for (got, want) in parsed.iter().zip(&args) {
            match want {
                GenArg::Int(n) => prop_assert_eq!(got.int(), Some(*n)),
                GenArg::Quoted(s) => {
                    prop_assert!(got.is_quoted());
                    prop_assert_eq!(got.bytes(), &s[..]);
                }
                GenArg::Bare(b) => {
                    prop_assert!(!got.is_quoted());
                    prop_assert_eq!(got.bytes(), &b[..]);
                    prop_assert_eq!(got.is_omitted(), b.is_empty());
                }
            }
        }
    }

    #[test]
    fn ipv4_round_trips(octets in any::<[u8; 4]>()) {
        let addr = Ipv4Addr::from(octets);
        prop_assert_eq!(parse_ipv4(addr.to_string().as_bytes()), Some(addr));
    }

    #[test]
    fn ipv4_never_panics(bytes in prop::collection::vec(grammar_byte(), 0..20)) {
        if let Some(addr) = parse_ipv4(&bytes) {
            // Strict means canonical: the text is exactly the address's own form.
            let text = addr.to_string();
            prop_assert_eq!(text.as_bytes(), &bytes[..]);
        }
    }

    #[test]
    fn assembler_chunking_is_invisible(
        input in prop::collection::vec(grammar_byte(), 0..200),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
        max_len in 0usize..12,
    ) {
        let expected = model(&input, max_len);

        let mut whole = LineAssembler::new(max_len);
        prop_assert_eq!(&feed(&mut whole, [&input[..]]), &expected);

        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(input.len() + 1)).collect();
        points.sort_unstable();
        let mut chunks = Vec::new();
        let mut prev = 0;
        for p in points.into_iter().chain([input.len()]) {
            chunks.push(&input[prev..p]);
            prev = p;
        }
        let mut chunked = LineAssembler::new(max_len);
        prop_assert_eq!(&feed(&mut chunked, chunks), &expected);

        let mut bytewise = LineAssembler::new(max_len);
        prop_assert_eq!(&feed(&mut bytewise, input.chunks(1)), &expected);

        let tail_pending = input.last().is_some_and(|&b| b != b'\r' && b != b'\n');
        prop_assert_eq!(chunked.is_empty(), !tail_pending);
    }
}
