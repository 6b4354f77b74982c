//! The module's UART output as the logical lines feature files speak of.
//!
//! Lines end with CRLF (a lone LF too); empty lines are skipped (final
//! results are preceded by one). Two things are lines without ending like
//! one: the data prompt `>` (G-8: nothing follows it), and `+IPD,..:<data>`,
//! whose data is raw and may hold CR and LF, so it is cut by its length.
//! How a dialect frames its lines (which are final results, whether a data
//! frame has an empty line before it or a line end after it) is a
//! [`Framing`].

use firmware_core::Dialect;

/// What the framing check (G-9; esp-at's EG-4 and ER-1) needs of a dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framing {
    /// The final results: each comes after an empty line.
    pub finals: Vec<&'static str>,
    /// The data prompt (`>`): after an empty line, and nothing after it.
    pub prompt: &'static str,
    /// The received-data prefix (`+IPD`): `<ipd>,...:<data>` is a data
    /// frame, cut by its length.
    pub ipd: &'static str,
    /// Received data frames (`+IPD,`) come after an empty line and end
    /// with their data, no line end after it (esp-at's ER-1); otherwise
    /// they come right after the line before and end with CRLF (seed's
    /// RX-1).
    pub ipd_crlf_before: bool,
}

impl Framing {
    /// The framing of `d`'s replies: its final results (`OK`, `ERROR`,
    /// `SEND OK`, `SEND FAIL`, CIPSEND's refusal, `ready`) and its data
    /// frames.
    pub fn of(d: &Dialect) -> Framing {
        let mut finals = vec![
            d.ok,
            d.error,
            d.send_ok,
            d.send_fail,
            d.cmdrsp_error,
            d.ready,
        ];
        finals.sort_unstable();
        finals.dedup();
        Framing {
            finals,
            prompt: d.prompt,
            ipd: d.ipd,
            ipd_crlf_before: d.style.ipd_crlf_before,
        }
    }

    /// No final results, seed's prompt and data frames: only cuts lines.
    fn lines_only() -> Framing {
        Framing {
            finals: Vec::new(),
            ..Framing::of(&firmware_core::SEED)
        }
    }

    /// `<ipd>,`: what starts a data frame or a passive-mode notice.
    fn ipd_start(&self) -> Vec<u8> {
        [self.ipd.as_bytes(), b","].concat()
    }
}

/// Takes the next complete logical line off the front of `buf`, if one is
/// there. Empty lines are dropped on the way.
pub fn next_line(buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    next_framed(buf, &mut Vec::new(), &Framing::lines_only()).map(|(line, _)| line)
}

/// The framing the module owes every reply (G-9), checked as lines are
/// taken: the bytes around a line, and what is wrong with them.
pub type Fault = String;

/// Like [`next_line`], and checks the line's framing (G-9, G-8) against
/// `tail`, the last bytes taken before (updated here; empty at the start
/// of the output or after raw data, where nothing is known of the line
/// before). `framing`'s final results come after an empty line, and so do
/// its data frames when it says so; every other line comes right after
/// the line before it. A line that starts with `AT` may be the echo of the
/// host's own bytes, which end as the host ended them, and is not checked.
pub fn next_framed(
    buf: &mut Vec<u8>,
    tail: &mut Vec<u8>,
    framing: &Framing,
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
    let mut data_frame = false;
    let prompt = framing.prompt.as_bytes();
    let ipd = framing.ipd_start();
    let (line, taken, ended) = if rest.starts_with(prompt) {
        (prompt.to_vec(), skip + prompt.len(), true)
    } else if let Some(end) = ipd_end(rest, &ipd, framing.ipd_crlf_before) {
        let end = end?;
        data_frame = true;
        if framing.ipd_crlf_before {
            // Nothing follows the data (ER-1): the next line brings its own
            // line ends.
            (rest[..end].to_vec(), skip + end, true)
        } else {
            // The frame's CRLF goes with it when it has come.
            let crlf = usize::from(rest[end..].starts_with(b"\r\n")) * 2;
            (rest[..end].to_vec(), skip + end + crlf, crlf == 2)
        }
    } else {
        let eol = rest.iter().position(|&b| b == b'\n')?;
        let mut line = rest[..eol].to_vec();
        let crlf = line.last() == Some(&b'\r');
        if crlf {
            line.pop();
        }
        (line, skip + eol + 1, crlf)
    };
    let after_empty = framing.ipd_crlf_before && line.starts_with(&ipd);
    let fault = fault(&line, &pre, tail, ended, framing, after_empty);
    let consumed: Vec<u8> = buf.drain(..taken).collect();
    tail.clear();
    if line != prompt && !(data_frame && framing.ipd_crlf_before) {
        // The prompt ends no line (G-8): what follows it starts afresh, so a
        // final result after it still brings its own CRLF. Neither does a
        // data frame that ends with its data.
        tail.extend_from_slice(&consumed[consumed.len().saturating_sub(4)..]);
    }
    Some((line, fault))
}

/// What is wrong with `line`'s framing, if anything.
/// `after_empty`: the line comes after an empty line, as a final result
/// does (esp-at's `+IPD`).
fn fault(
    line: &[u8],
    pre: &[u8],
    tail: &[u8],
    ended: bool,
    framing: &Framing,
    after_empty: bool,
) -> Option<Fault> {
    if line.starts_with(b"AT") || line.starts_with(b"at") {
        return None;
    }
    let prompt = line == framing.prompt.as_bytes();
    let is_final = prompt || after_empty || framing.finals.iter().any(|f| f.as_bytes() == line);
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

/// For a buffer starting with `ipd` (`+IPD,`): `Some(Some(n))` when the whole
/// frame (header, data, and with `!no_crlf` its CRLF) is there and the
/// line is its first `n` bytes, `Some(None)` when more must arrive, `None`
/// when it is no data frame (a passive-mode `+IPD,<id>,<len>` line ends
/// before any `:`, esp-at's ER-4). The length is the header's last field,
/// or with the sender's address (`+IPD,0,4,"192.168.0.3",5000:`, ER-2)
/// the field before it.
fn ipd_end(buf: &[u8], ipd: &[u8], no_crlf: bool) -> Option<Option<usize>> {
    if !buf.starts_with(ipd) {
        return None;
    }
    let colon = buf.iter().position(|&b| b == b':');
    let eol = buf.iter().position(|&b| b == b'\n');
    let colon = match (colon, eol) {
        (Some(c), Some(e)) if e < c => return None,
        (None, Some(_)) => return None,
        (None, None) => return Some(None),
        (Some(c), _) => c,
    };
    let header = std::str::from_utf8(&buf[ipd.len()..colon]).ok()?;
    let fields: Vec<&str> = header.split(',').collect();
    let len = match fields.iter().position(|f| f.starts_with('"')) {
        Some(quoted) => fields[..quoted].last()?,
        None => fields.last()?,
    };
    let len: usize = len.parse().ok()?;
    let end = colon + 1 + len;
    if buf.len() < end {
        return Some(None);
    }
    // The frame's line end, when it has come, is not part of the line.
    if !no_crlf && buf.len() < end + 2 && buf[end..].iter().all(|&b| b == b'\r') {
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

    /// Every line of `bytes` with its framing fault, if any, in `framing`.
    fn framed_in(framing: &Framing, bytes: &[u8]) -> Vec<(String, bool)> {
        let (mut buf, mut tail) = (bytes.to_vec(), Vec::new());
        std::iter::from_fn(|| next_framed(&mut buf, &mut tail, framing))
            .map(|(l, f)| (String::from_utf8_lossy(&l).into_owned(), f.is_some()))
            .collect()
    }

    /// The same in the seed dialect.
    fn framed(bytes: &[u8]) -> Vec<(String, bool)> {
        framed_in(&Framing::of(&firmware_core::SEED), bytes)
    }

    #[test]
    fn each_dialect_s_final_results() {
        let seed = Framing::of(&firmware_core::SEED);
        assert_eq!(
            seed.finals,
            ["CMDRSP:ERROR", "ERROR", "OK", "SEND OK", "ready"]
        );
        assert!(!seed.ipd_crlf_before);
        let esp = Framing::of(&firmware_core::ESP_AT);
        assert!(esp.finals.contains(&"SEND FAIL") && esp.ipd_crlf_before);
    }

    #[test]
    fn esp_at_data_frames_come_after_an_empty_line_and_end_with_their_data() {
        let esp = Framing::of(&firmware_core::ESP_AT);
        let ok = |s: &str| (s.to_string(), false);
        assert_eq!(
            framed_in(
                &esp,
                b"\r\nOK\r\n\r\n+IPD,0,4:a\r\nb\r\n+IPD,4:test0,CLOSED\r\n\r\n+IPD,0,4\r\n\r\nSEND FAIL\r\n"
            ),
            [
                ok("OK"),
                ok("+IPD,0,4:a\r\nb"),
                ok("+IPD,4:test"),
                ok("0,CLOSED"),
                ok("+IPD,0,4"),
                ok("SEND FAIL"),
            ]
        );
        // With the sender (ER-2), the length is the field before it.
        assert_eq!(
            framed_in(&esp, b"\r\n+IPD,1,3,\"192.168.0.3\",5000:a,bOK"),
            [ok("+IPD,1,3,\"192.168.0.3\",5000:a,b")]
        );
        // Right after a line, without its empty line: a fault.
        assert_eq!(
            framed_in(&esp, b"+CIPMUX:0\r\n+IPD,1:x")[1],
            ("+IPD,1:x".into(), true)
        );
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
