//! The module's TLS and DTLS against OpenSSL (TL-1…TL-4): for each suite
//! of TL-1, over TLS 1.2 and DTLS 1.2, `openssl s_server -psk … -nocert
//! -cipher <suite>` on loopback, and `atmodule` through a handshake, a
//! send, the echo and a close. The echo sends each line back reversed:
//! s_server's own `-rev` over TLS; over DTLS (where s_server has no
//! `-rev`) the test reads the line s_server printed and types it back
//! reversed on s_server's stdin. `.ci/run` installs `openssl` where it is missing; without it the
//! test fails rather than pass unchecked.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;

use common::{Atmodule, WAIT};

/// The key and identity the module is given, and OpenSSL expects.
const KEY: &str = "Sup3rS3cretKey";
const IDENTITY: &str = "module";

/// The echo's host, as the module sees it and on loopback.
const PEER: &str = "192.168.0.103";
const PEER_LOOPBACK: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 103);

/// TL-1's suites, by OpenSSL's names.
const SUITES: [&str; 3] = [
    "PSK-AES128-GCM-SHA256",
    "PSK-AES128-CCM8",
    "PSK-AES128-CBC-SHA256",
];

/// A port free on the echo's address for `dtls` (UDP) or TCP.
fn free_port(dtls: bool) -> u16 {
    match dtls {
        true => UdpSocket::bind((PEER_LOOPBACK, 0)).unwrap().local_addr(),
        false => TcpListener::bind((PEER_LOOPBACK, 0)).unwrap().local_addr(),
    }
    .expect("a local address")
    .port()
}

/// `openssl s_server` for one connection, listening once it returns; its
/// stdout's lines after `ACCEPT`.
struct Server(Child, mpsc::Receiver<String>);

impl Server {
    fn start(dtls: bool, suite: &str, port: u16) -> Server {
        let hex: String = KEY.bytes().map(|b| format!("{b:02x}")).collect();
        let mut child = Command::new("openssl")
            .args(["s_server", "-accept"])
            .arg(format!("{PEER_LOOPBACK}:{port}"))
            .args(["-nocert", "-psk", &hex, "-psk_identity", IDENTITY])
            .args(["-cipher", suite, "-naccept", "1"])
            .args(if dtls {
                &["-dtls1_2"][..]
            } else {
                &["-tls1_2", "-rev"]
            })
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl starts (is the openssl package installed?)");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        // Killed and reaped when dropped, a failed wait included.
        let server = Server(child, rx);
        loop {
            let line = server
                .1
                .recv_timeout(WAIT)
                .expect("openssl s_server says ACCEPT once it listens");
            if line.contains("ACCEPT") {
                return server;
            }
        }
    }

    /// Waits for `line` among what s_server printed, then types `reply`.
    fn answer(&mut self, line: &str, reply: &str) {
        loop {
            let got = self.1.recv_timeout(WAIT).expect("s_server prints the line");
            if got.contains(line) {
                break;
            }
        }
        let stdin = self.0.stdin.as_mut().expect("piped");
        stdin.write_all(reply.as_bytes()).expect("s_server's stdin");
        stdin.flush().expect("s_server's stdin");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One suite on one transport: handshake, send, echo, close.
fn round_trip(m: &mut Atmodule, dtls: bool, suite: &str) {
    let port = free_port(dtls);
    let mut server = Server::start(dtls, suite, port);
    let kind = if dtls { "DTLS" } else { "TLS" };
    m.command(&format!("AT+CIPSTART=0,\"{kind}\",\"{PEER}\",{port}"));
    let status = m.command("AT+CIPSTATUS?");
    let code = if dtls { 3 } else { 2 };
    assert!(
        status.contains(&format!("+BIPSTATUS:{code},{PEER},{port},")),
        "{kind} {suite}: {status:?}"
    );
    let line = format!("{kind} {suite}\n");
    m.send(format!("AT+CIPSEND=0,{}\r\n", line.len()).as_bytes());
    m.expect(">");
    m.send(line.as_bytes());
    m.expect("SEND OK\r\n");
    let reversed: String = line.trim_end().chars().rev().collect();
    if dtls {
        server.answer(line.trim_end(), &format!("{reversed}\n"));
    }
    m.expect(&format!("+IPD,{}:{reversed}\n", line.len()));
    m.command("AT+CIPCLOSE=0");
    println!("{kind} {suite}: handshake, send, echo ({reversed:?}), close");
}

#[test]
fn each_suite_over_tls_and_dtls_against_openssl_s_server() {
    // -v: the module logs every UART piece and network command.
    let mut m = Atmodule::start(&["-v"]);
    m.command("ATE0");
    m.command(&format!("AT+CIPSSLCPSK=\"{KEY}\",\"{IDENTITY}\""));
    for dtls in [false, true] {
        for suite in SUITES {
            round_trip(&mut m, dtls, suite);
        }
    }
    // TL-7: the key is in no log line but the UART's own (the host typed
    // it), and nowhere in hex.
    let log = m.stderr.lock().unwrap().clone();
    let hex: String = KEY.bytes().map(|b| format!("{b:02x}")).collect();
    let beyond_uart: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(KEY) && !l.contains("CIPSSLCPSK"))
        .collect();
    assert!(beyond_uart.is_empty(), "the key in {beyond_uart:?}");
    assert!(!log.contains(&hex), "the key in hex in the -v log");
    assert!(log.contains("send"), "the -v log was written");
}
