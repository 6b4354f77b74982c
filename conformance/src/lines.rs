//! The module's UART output as the logical lines feature files speak of.
//!
//! Lines end with CRLF (a lone LF too); empty lines are skipped (final
//! results are preceded by one). Two things are lines without ending like
//! one: the data prompt `>` (G-8: nothing follows it), and `+IPD,..:<data>`,
//! whose data is raw and may hold CR and LF, so it is cut by its length.

/// Takes the next complete logical line off the front of `buf`, if one is
/// there. Empty lines are dropped on the way.
pub fn next_line(buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    next_framed(buf, &mut Vec::new(), &[]).map(|(line, _)| line)
}

/// The framing the module owes every reply (G-9), checked as lines are
/// taken: the bytes around a line, and what is wrong with them.
pub type Fault = String;

/// Like [`next_line`], and checks the line's framing (G-9, G-8) against
/// `tail`, the last bytes taken before (updated here; empty at the start
/// of the output or after raw data, where nothing is known of the line
/// before). `finals` are the dialect's final results, which come after an
/// empty line; every other line comes right after the line before it. A
/// line that starts with `AT` may be the echo of the host's own bytes,
/// which end as the host ended them, and is not checked.
pub fn next_framed(
    buf: &mut Vec<u8>,
    tail: &mut Vec<u8>,
    finals: &[&str],
) -> Option<(Vec<u8>, Option<Fault>)> {
    let skip = buf
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    if skip == buf.len() {
        return None;
    }
    let pre = buf[..skip].to_vec();
    let rest = &buf[skip..];
    let (line, taken, ended) = if rest[0] == b'>' {
        (b">".to_vec(), skip + 1, true)
    } else if let Some(end) = ipd_end(rest) {
        let end = end?;
        // The frame's CRLF goes with it when it has come.
        let crlf = usize::from(rest[end..].starts_with(b"\r\n")) * 2;
        (rest[..end].to_vec(), skip + end + crlf, crlf == 2)
    } else {
        let eol = rest.iter().position(|&b| b == b'\n')?;
        let mut line = rest[..eol].to_vec();
        let crlf = line.last() == Some(&b'\r');
        if crlf {
            line.pop();
        }
        (line, skip + eol + 1, crlf)
    };
    let fault = fault(&line, &pre, tail, ended, finals);
    let consumed: Vec<u8> = buf.drain(..taken).collect();
    tail.clear();
    if line != b">" {
        // The prompt ends no line (G-8): what follows it starts afresh, so a
        // final result after it still brings its own CRLF.
        tail.extend_from_slice(&consumed[consumed.len().saturating_sub(4)..]);
    }
    Some((line, fault))
}

/// What is wrong with `line`'s framing, if anything.
fn fault(line: &[u8], pre: &[u8], tail: &[u8], ended: bool, finals: &[&str]) -> Option<Fault> {
    if line.starts_with(b"AT") || line.starts_with(b"at") {
        return None;
    }
    let prompt = line == b">";
    let is_final = prompt || finals.iter().any(|f| f.as_bytes() == line);
    let before = [tail, pre].concat();
    let shown = show(&before[before.len().saturating_sub(6)..]);
    if is_final {
        // An empty line right before it: CRLF after a line end (or at the
        // start), and no more than that.
        let empty_line = before.ends_with(b"\r\n") && {
            let head = &before[..before.len() - 2];
            head.is_empty() || head.ends_with(b"\n") || head.ends_with(b"\r")
        };
        // After raw bytes (tail unknown) a frame's CRLF may come first.
        if !empty_line || (pre.len() > 2 && !tail.is_empty()) {
            return Some(format!(
                "{:?} must follow an empty line (\"\\r\\n\"), but follows {shown:?}",
                show(line)
            ));
        }
    } else if !pre.is_empty() && !tail.is_empty() {
        return Some(format!(
            "{:?} must follow the line before it directly, but follows {shown:?}",
            show(line)
        ));
    }
    if !prompt && !ended {
        return Some(format!("{:?} does not end with \"\\r\\n\"", show(line)));
    }
    None
}

/// For a buffer starting with `+IPD,`: `Some(Some(n))` when the whole
/// frame (header, data, CRLF) is there and the line is its first `n` bytes,
/// `Some(None)` when more must arrive, `None` when it is no `+IPD` frame.
fn ipd_end(buf: &[u8]) -> Option<Option<usize>> {
    if !buf.starts_with(b"+IPD,") {
        return None;
    }
    let Some(colon) = buf.iter().position(|&b| b == b':') else {
        return Some(None);
    };
    let header = std::str::from_utf8(&buf[5..colon]).ok()?;
    let len: usize = header.rsplit(',').next()?.parse().ok()?;
    let end = colon + 1 + len;
    if buf.len() < end {
        return Some(None);
    }
    // The frame's line end, when it has come, is not part of the line.
    if buf.len() < end + 2 && buf[end..].iter().all(|&b| b == b'\r') {
        return Some(None);
    }
    Some(Some(end))
}

fn show(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}

/// Whether `line` matches the expected `pattern`: exact, except that `{n}`
/// matches a whole number, `{ip}` a dotted IPv4 address and `{*}` any text.
pub fn matches(pattern: &str, line: &[u8]) -> bool {
    match_from(pattern.as_bytes(), line)
}

fn match_from(p: &[u8], s: &[u8]) -> bool {
    if p.is_empty() {
        return s.is_empty();
    }
    for (token, rest) in [(&b"{n}"[..], 0u8), (b"{ip}", 1), (b"{*}", 2)] {
        if let Some(after) = p.strip_prefix(token) {
            return (0..=s.len()).any(|k| {
                let head = &s[..k];
                let ok = match rest {
                    0 => !head.is_empty() && head.iter().all(u8::is_ascii_digit),
                    1 => std::str::from_utf8(head)
                        .is_ok_and(|t| t.parse::<std::net::Ipv4Addr>().is_ok()),
                    _ => true,
                };
                ok && match_from(after, &s[k..])
            });
        }
    }
    !s.is_empty() && s[0] == p[0] && match_from(&p[1..], &s[1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8]) -> Vec<String> {
        let mut buf = bytes.to_vec();
        std::iter::from_fn(|| next_line(&mut buf))
            .map(|l| String::from_utf8_lossy(&l).into_owned())
            .collect()
    }

    #[test]
    fn splits_replies_prompts_and_ipd_frames() {
        assert_eq!(
            lines(b"\r\nOK\r\n\r\n>+IPD,0,4:a\r\nb\r\nCLOSED\r\nAT\n"),
            ["OK", ">", "+IPD,0,4:a\r\nb", "CLOSED", "AT"]
        );
    }

    #[test]
    fn waits_for_whole_lines_and_frames() {
        let mut buf = b"+IPD,5:ab".to_vec();
        assert_eq!(next_line(&mut buf), None);
        buf.extend_from_slice(b"cde\r");
        assert_eq!(next_line(&mut buf), None);
        buf.extend_from_slice(b"\nOK");
        assert_eq!(next_line(&mut buf).unwrap(), b"+IPD,5:abcde");
        assert_eq!(next_line(&mut buf), None);
        assert_eq!(buf, b"OK");
    }

    const FINALS: &[&str] = &["OK", "ERROR", "SEND OK", "ready"];

    /// Every line of `bytes` with its framing fault, if any.
    fn framed(bytes: &[u8]) -> Vec<(String, bool)> {
        let (mut buf, mut tail) = (bytes.to_vec(), Vec::new());
        std::iter::from_fn(|| next_framed(&mut buf, &mut tail, FINALS))
            .map(|(l, f)| (String::from_utf8_lossy(&l).into_owned(), f.is_some()))
            .collect()
    }

    #[test]
    fn g_9_well_framed_replies_pass() {
        let ok = |s: &str| (s.to_string(), false);
        assert_eq!(
            framed(b"\r\nready\r\nATE0\r\n\r\nOK\r\n+CIPMUX:0\r\n\r\nOK\r\n\r\n>"),
            [
                ok("ready"),
                ok("ATE0"),
                ok("OK"),
                ok("+CIPMUX:0"),
                ok("OK"),
                ok(">")
            ]
        );
        assert_eq!(
            framed(b"\r\nSEND OK\r\n+IPD,5:a\r\nbc\r\nCLOSED\r\nAT\r\nbusy p...\r\n"),
            [
                ok("SEND OK"),
                ok("+IPD,5:a\r\nbc"),
                ok("CLOSED"),
                ok("AT"),
                ok("busy p...")
            ]
        );
        // The echo of a line ended by a lone CR, then the reply.
        assert_eq!(framed(b"AT\r\r\nOK\r\n"), [ok("AT\r"), ok("OK")]);
        // After the prompt (and the data, never echoed), the result.
        assert_eq!(framed(b"\r\n>\r\nSEND OK\r\n"), [ok(">"), ok("SEND OK")]);
    }

    #[test]
    fn g_9_misframed_replies_are_faults() {
        // `OK` without its empty line, after an information line.
        assert_eq!(framed(b"+CIPMUX:0\r\nOK\r\n")[1], ("OK".into(), true));
        // A busy line after an empty line.
        assert_eq!(
            framed(b"AT\r\n\r\nbusy p...\r\n")[1],
            ("busy p...".into(), true)
        );
        // A bare LF.
        assert_eq!(framed(b"+CIPMUX:0\n")[0], ("+CIPMUX:0".into(), true));
        // Two empty lines before a final result.
        assert_eq!(framed(b"+X\r\n\r\n\r\nOK\r\n")[1], ("OK".into(), true));
        // A prompt without its CRLF.
        assert_eq!(framed(b"+X\r\n>")[1], (">".into(), true));
        // A result right after the prompt, with no CRLF of its own.
        assert_eq!(framed(b"\r\n>SEND OK\r\n")[1], ("SEND OK".into(), true));
    }

    #[test]
    fn placeholders() {
        assert!(matches("+PING:{n}", b"+PING:12"));
        assert!(!matches("+PING:{n}", b"+PING:TIMEOUT"));
        assert!(matches(
            "+CIPDOMAIN:\"{ip}\"",
            b"+CIPDOMAIN:\"192.168.0.103\""
        ));
        assert!(!matches("+CIPDOMAIN:\"{ip}\"", b"+CIPDOMAIN:\"192.168.0\""));
        assert!(matches(
            "+BIPSTATUS:0,{ip},{n},{n},0",
            b"+BIPSTATUS:0,1.2.3.4,80,49155,0"
        ));
        assert!(matches("AT version:{*}", b"AT version:0.1.0(x)"));
        assert!(!matches("OK", b"OK "));
    }
}
