//! "Wi-Fi" sentences: access points on the module's radio, and a join.

use cucumber::{given, when};

use super::{show, unescape};
use crate::dut::AccessPoint;
use crate::world::{AtWorld, THEN_LIMIT};

/// `<rssi>` and `<n>` of ` at <rssi> dBm on channel <n>`, when given.
fn signal(rssi: &str, channel: &str) -> (Option<i8>, Option<u8>) {
    if rssi.is_empty() {
        return (None, None);
    }
    let rssi = rssi
        .parse()
        .unwrap_or_else(|_| panic!("not a signal in dBm: {rssi}"));
    let channel = channel
        .parse()
        .unwrap_or_else(|_| panic!("not a channel: {channel}"));
    (Some(rssi), Some(channel))
}

fn add(w: &mut AtWorld, ap: AccessPoint) {
    if let Err(e) = w.dut().add_access_point(&ap) {
        crate::dut::skip(format!(
            "this DUT cannot put an access point on the module's radio: {}",
            e.0
        ));
    }
    w.access_points.insert(ap.ssid, ap.password);
}

#[given(
    regex = r#"^an access point "((?:[^"\\]|\\.)*)" with password "((?:[^"\\]|\\.)*)"(?: at (-?\d+) dBm on channel (\d+))?$"#
)]
fn access_point(w: &mut AtWorld, ssid: String, password: String, rssi: String, channel: String) {
    let (rssi, channel) = signal(&rssi, &channel);
    let ap = AccessPoint {
        ssid: unescape(&ssid),
        password: Some(unescape(&password)),
        rssi,
        channel,
    };
    add(w, ap);
}

#[given(
    regex = r#"^an open access point "((?:[^"\\]|\\.)*)"(?: at (-?\d+) dBm on channel (\d+))?$"#
)]
fn open_access_point(w: &mut AtWorld, ssid: String, rssi: String, channel: String) {
    let (rssi, channel) = signal(&rssi, &channel);
    let ap = AccessPoint {
        ssid: unescape(&ssid),
        password: None,
        rssi,
        channel,
    };
    add(w, ap);
}

/// A string parameter of an AT command (esp-at.md EG-6): quoted, with `\`,
/// `,` and `"` escaped by a backslash.
pub(crate) fn at_string(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![b'"'];
    for &b in bytes {
        if matches!(b, b'\\' | b',' | b'"') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

/// The password the scenario gave the access point `ssid`.
fn password_of(w: &AtWorld, ssid: &[u8]) -> Vec<u8> {
    match w.access_points.get(ssid) {
        Some(password) => password.clone().unwrap_or_default(),
        None => panic!(
            "no access point \"{}\": a Given step must create it",
            ssid.escape_ascii()
        ),
    }
}

#[given(regex = r#"^the module has joined "((?:[^"\\]|\\.)*)"$"#)]
fn joined(w: &mut AtWorld, ssid: String) {
    let ssid = unescape(&ssid);
    let password = password_of(w, &ssid);
    let d = w.dialect();
    let Some(wifi) = d.wifi.as_ref() else {
        panic!("the {} dialect has no Wi-Fi station to join with", d.name);
    };
    let mut line = b"AT+CWJAP=".to_vec();
    line.extend(at_string(&ssid));
    line.push(b',');
    line.extend(at_string(&password));
    line.extend(b"\r\n");
    w.dut().host_write(&line);
    // The join's lines (EW-4), its echo if echo is on, a disconnection from
    // an access point joined before, then OK.
    let end = w.dut().now() + wifi.join_timeout + THEN_LIMIT;
    loop {
        let left = end.saturating_sub(w.dut().now());
        let Some(got) = w.next_line(left) else {
            panic!(
                "AT+CWJAP to \"{}\": no OK within {:?}; pending: {:?}",
                ssid.escape_ascii(),
                wifi.join_timeout + THEN_LIMIT,
                show(&w.rx)
            );
        };
        let text = got.as_slice();
        if text == d.ok.as_bytes() {
            return;
        }
        let expected = text.starts_with(b"AT+CWJAP")
            || [wifi.connected, wifi.got_ip, wifi.disconnected]
                .iter()
                .any(|l| l.as_bytes() == text);
        assert!(
            expected,
            "AT+CWJAP to \"{}\": the join failed: the module replied {:?}",
            ssid.escape_ascii(),
            show(text)
        );
    }
}

#[when(regex = r#"^the access point "((?:[^"\\]|\\.)*)" (goes down|comes back up)$"#)]
fn goes(w: &mut AtWorld, ssid: String, what: String) {
    let ssid = unescape(&ssid);
    let _ = password_of(w, &ssid);
    if let Err(e) = w.dut().set_access_point_up(&ssid, what == "comes back up") {
        crate::dut::skip(format!(
            "this DUT cannot take an access point {}: {}",
            if what == "goes down" { "down" } else { "up" },
            e.0
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_strings_escape_backslash_comma_and_quote() {
        assert_eq!(at_string(b"lab"), b"\"lab\"");
        assert_eq!(at_string(br#"my,"lab"\x"#), br#""my\,\"lab\"\\x""#);
        assert_eq!(at_string(b""), b"\"\"");
    }

    #[test]
    fn signals_are_optional() {
        assert_eq!(signal("", ""), (None, None));
        assert_eq!(signal("-70", "11"), (Some(-70), Some(11)));
    }
}
