//! The module's UART output as the logical lines feature files speak of.
//!
//! Lines end with CRLF (a lone LF too); empty lines are skipped (final
//! results are preceded by one). Two things are lines without ending like
//! one: the data prompt `>` (G-8: nothing follows it), and `+IPD,..:<data>`,
//! whose data is raw and may hold CR and LF, so it is cut by its length.

/// Takes the next complete logical line off the front of `buf`, if one is
/// there. Empty lines are dropped on the way.
pub fn next_line(buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    loop {
        let skip = buf
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        buf.drain(..skip);
        if buf.is_empty() {
            return None;
        }
        if buf[0] == b'>' {
            buf.remove(0);
            return Some(b">".to_vec());
        }
        if let Some(end) = ipd_end(buf) {
            let end = end?;
            let line: Vec<u8> = buf.drain(..end).collect();
            return Some(line);
        }
        let eol = buf.iter().position(|&b| b == b'\n')?;
        let mut line: Vec<u8> = buf.drain(..=eol).collect();
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if !line.is_empty() {
            return Some(line);
        }
    }
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
