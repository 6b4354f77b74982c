//! "The host" sentences: the MCU on the UART, and what it expects back.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};

use super::{data, duration, show, unescape};
use crate::lines::matches;
use crate::world::{AtWorld, THEN_LIMIT};

#[when(regex = r"^the host sends (AT.*)$")]
fn sends_line(w: &mut AtWorld, line: String) {
    w.dut().host_write(format!("{line}\r\n").as_bytes());
}

#[when(regex = r#"^the host sends the raw bytes "(.*)"$"#)]
fn sends_raw(w: &mut AtWorld, bytes: String) {
    w.dut().host_write(&unescape(&bytes));
}

#[when(regex = r"^the host sends (\d+) bytes of data$")]
fn sends_data(w: &mut AtWorld, n: usize) {
    let bytes = data(w.host_data_sent, n);
    w.host_data_sent += n;
    w.dut().host_write(&bytes);
}

#[when(
    regex = r"^the host sends (\d+) bytes of data in pieces of (\d+) bytes every (\d+) ?(ms|s)$"
)]
fn sends_data_in_pieces(w: &mut AtWorld, n: usize, piece: usize, every: String, unit: String) {
    assert!(piece > 0, "pieces of 0 bytes");
    let gap = duration(&every, &unit);
    let mut left = n;
    while left > 0 {
        let k = left.min(piece);
        sends_data(w, k);
        left -= k;
        if left > 0 {
            w.wait(gap);
        }
    }
}

#[when(regex = r"^the host waits (\d+) ?(ms|s)$")]
fn waits(w: &mut AtWorld, n: String, unit: String) {
    w.wait(duration(&n, &unit));
}

/// The next non-empty line must match `want`, within `limit`.
fn expect(w: &mut AtWorld, want: &str, limit: std::time::Duration) {
    let start = w.dut().now();
    match w.next_line(limit) {
        Some(line) if matches(want, &line) => {}
        Some(line) => {
            let after = w.dut().now() - start;
            panic!(
                "expected the line {want:?}, got {:?} (after {after:?})",
                show(&line)
            );
        }
        None => panic!(
            "expected the line {want:?}, got nothing within {limit:?}; pending: {:?}",
            show(&w.rx)
        ),
    }
}

/// `replies <line>`, `replies the bytes "..."` and `replies "<text>" and
/// <n> bytes of the peer's data` share a prefix; one regex takes all three
/// (cucumber refuses a sentence two step regexes match).
#[then(regex = r"^the module replies (.+?)(?: within (\d+) ?(ms|s))?$")]
fn replies(w: &mut AtWorld, line: String, n: String, unit: String) {
    let limit = if n.is_empty() {
        THEN_LIMIT
    } else {
        duration(&n, &unit)
    };
    if let Some(bytes) = line
        .strip_prefix("the bytes \"")
        .and_then(|b| b.strip_suffix('"'))
    {
        return replies_bytes(w, &unescape(bytes), limit);
    }
    if let Some((text, n)) = text_and_peer_data(&line) {
        replies_bytes(w, &unescape(text), limit);
        return receives_peer_data(w, n);
    }
    expect(w, &line, limit);
}

/// `"<text>" and <n> bytes of the peer's data`.
fn text_and_peer_data(line: &str) -> Option<(&str, usize)> {
    let rest = line.strip_prefix('"')?;
    let (text, tail) = rest.rsplit_once("\" and ")?;
    let n = tail.strip_suffix(" bytes of the peer's data")?;
    Some((text, n.parse().ok()?))
}

/// The next bytes from the module are exactly `want` (G-9: CR, LF and
/// empty lines included).
fn replies_bytes(w: &mut AtWorld, want: &[u8], limit: std::time::Duration) {
    let ok = w.wait_until(limit, |w| w.rx.len() >= want.len());
    let n = want.len().min(w.rx.len());
    let got = w.take_raw(n);
    assert!(
        ok && got == want,
        "expected the bytes {:?}, got {:?}{}",
        show(want),
        show(&got),
        if ok {
            ""
        } else {
            " (and nothing more in time)"
        }
    );
}

#[then(regex = r"^the module replies:$")]
fn replies_lines(w: &mut AtWorld, step: &Step) {
    let text = step
        .docstring
        .as_deref()
        .expect("a doc string with the lines");
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        expect(w, line, THEN_LIMIT);
    }
}

#[then(regex = r"^the module stays silent for (\d+) ?(ms|s)$")]
fn silent(w: &mut AtWorld, n: String, unit: String) {
    let before = w.rx.len();
    w.wait(duration(&n, &unit));
    let extra = &w.rx[before..];
    assert!(extra.is_empty(), "the module sent {:?}", show(extra));
}

/// Waits for `n` raw bytes and takes them.
fn take_raw(w: &mut AtWorld, n: usize) -> Vec<u8> {
    let ok = w.wait_until(THEN_LIMIT, |w| w.rx.len() >= n);
    assert!(
        ok,
        "expected {n} bytes, got {}: {:?}",
        w.rx.len(),
        show(&w.rx)
    );
    w.take_raw(n)
}

#[then(regex = r#"^the host receives the raw bytes "(.*)"$"#)]
fn receives_raw(w: &mut AtWorld, bytes: String) {
    let want = unescape(&bytes);
    let got = take_raw(w, want.len());
    assert_eq!(show(&got), show(&want));
}

#[then(regex = r"^the host receives (\d+) bytes of the peer's data$")]
fn receives_peer_data(w: &mut AtWorld, n: usize) {
    let peer = w.data_peer.expect("no peer has sent data");
    let from = w.peer(peer).data_checked;
    let got = take_raw(w, n);
    let want = data(from, n);
    w.peer(peer).data_checked += n;
    if let Some(i) = got.iter().zip(&want).position(|(a, b)| a != b) {
        panic!(
            "the peer's data differs at byte {}: got {:?}",
            from + i,
            show(&got[i..(i + 16).min(n)])
        );
    }
}

#[given(regex = r"^the UART uses hardware flow control$")]
fn flow_control(w: &mut AtWorld) {
    if let Err(e) = w.dut().set_flow_control(true) {
        crate::dut::skip(format!("this DUT cannot use flow control: {}", e.0));
    }
}

#[when(regex = r"^the host (holds|releases) the module's output$")]
fn hold_output(w: &mut AtWorld, what: String) {
    if let Err(e) = w.dut().hold_output(what == "holds") {
        crate::dut::skip(format!("this DUT cannot drive the host's RTS: {}", e.0));
    }
}

#[then(regex = r"^the module (holds the host back|lets the host send) within (\d+) ?(ms|s)$")]
fn module_rts(w: &mut AtWorld, what: String, n: String, unit: String) {
    let want = what == "lets the host send";
    let limit = duration(&n, &unit);
    let ok = w.wait_until(limit, |w| match w.dut().module_rts() {
        Ok(rts) => rts == want,
        Err(e) => crate::dut::skip(format!("this DUT cannot read the module's RTS: {}", e.0)),
    });
    assert!(ok, "the module did not {what} within {limit:?}");
}
