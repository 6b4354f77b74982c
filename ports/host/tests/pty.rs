//! `atmodule` as a program another one talks to: started with `--pty`, its
//! path read from stdout, the path opened with `serialport`, AT commands
//! typed, real sockets on loopback. Real time: every wait is bounded.

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;

use common::Atmodule;

fn temp_dir() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "atmodule-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A TCP echo server on `ip`; returns its port. Serves one connection at
/// a time until the test process ends.
fn echo_server(ip: Ipv4Addr) -> u16 {
    let listener = TcpListener::bind((ip, 0)).expect("echo server binds");
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = stream.read(&mut buf) {
                if stream.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    });
    port
}

fn store_arg(dir: &Path) -> String {
    dir.join("settings")
        .to_str()
        .expect("utf-8 path")
        .to_string()
}

#[test]
fn a_session_over_the_pty_with_a_real_peer_and_a_stored_setting() {
    let dir = temp_dir();
    let store = store_arg(&dir);
    let port = echo_server(Ipv4Addr::new(127, 0, 0, 103));
    let mut m = Atmodule::start(&["--store", &store]);

    assert_eq!(m.command("AT"), "AT\r\n\r\nOK\r\n");

    // 192.168.0.103 is the echo server's 127.0.0.103.
    let start = format!("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",{port}");
    m.command(&start);
    m.send(b"AT+CIPSEND=0,5\r\n");
    m.expect(">");
    m.send(b"hello");
    m.expect("SEND OK\r\n");
    m.expect("+IPD,5:hello");

    let status = m.command("AT+CIPSTATUS?");
    let link = format!("+BIPSTATUS:0,192.168.0.103,{port},");
    assert!(status.contains(&link), "{status:?}");

    m.command("AT+SYSSTORE=1");
    m.command("AT+CIPDNS=1,\"1.1.1.1\"");
    assert!(m.stop().success(), "a clean exit on stdin's end");
    assert!(dir.join("settings").exists(), "the settings were stored");

    // The same store file: the setting survives the restart.
    let mut m = Atmodule::start(&["--store", &store]);
    let dns = m.command("AT+CIPDNS?");
    assert!(dns.contains("+CIPDNS:1,\"1.1.1.1\""), "{dns:?}");
    drop(m);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ping_answers_with_a_time_or_times_out() {
    let mut m = Atmodule::start(&[]);
    m.send(b"AT+PING=\"192.168.0.1\"\r\n");
    // Either the OS gave an ICMP socket (unprivileged, or raw as root) and
    // loopback answers, or it did not and the core times out.
    let (which, reply) = m.expect_any(&["\r\nOK\r\n", "+PING:TIMEOUT\r\n"]);
    if which == 0 {
        let time = reply
            .split("+PING:")
            .nth(1)
            .and_then(|rest| rest.split("\r\n").next())
            .unwrap_or_else(|| panic!("no +PING line in {reply:?}"));
        assert!(
            time.parse::<u32>().is_ok(),
            "+PING:{time} is not a time: {reply:?}"
        );
    } else {
        m.expect("\r\nERROR\r\n");
    }
}

#[test]
fn tl_7_the_verbose_log_never_shows_a_key() {
    const KEY: &str = "K3Y-of-atmodule-7e5t";
    let port = echo_server(Ipv4Addr::new(127, 0, 0, 103));
    let mut m = Atmodule::start(&["-v"]);
    assert_eq!(
        m.command(&format!("AT+CIPSSLCPSK=\"{KEY}\",\"client1\"")),
        format!("AT+CIPSSLCPSK=\"{KEY}\",\"client1\"\r\n\r\nOK\r\n")
    );
    // An echo server is no TLS server: it sends the ClientHello back, and
    // the handshake fails (TL-3). The connect and the records are logged.
    m.send(format!("AT+CIPSTART=0,\"TLS\",\"192.168.0.103\",{port}\r\n").as_bytes());
    m.expect("\r\nERROR\r\n");
    let log = m.stderr.lock().unwrap().clone();
    assert!(
        log.contains(&format!("connect 192.168.0.103:{port}")) && log.contains("s3 send"),
        "the TLS connect and its records were logged: {log}"
    );
    assert!(!log.contains(KEY), "the key leaked into the log: {log}");
}

/// EH-1, EH-5: a paced pty takes the new rate after AT+UART_CUR's `OK`
/// (an `AT` then takes its byte times at 9600), and AT+UART_DEF's rate is
/// the one after a restart of the program with the same store.
#[test]
fn eh_1_uart_cur_paces_the_pty_at_the_new_rate_and_uart_def_is_stored() {
    let dir = temp_dir();
    let store = store_arg(&dir);
    let args = ["--dialect", "esp-at", "--pace", "--store", &store];
    let mut m = Atmodule::start(&args);
    m.command("ATE0");
    assert_eq!(m.command("AT+UART_CUR=2400,8,1,0,0"), "\r\nOK\r\n");
    let start = std::time::Instant::now();
    assert_eq!(m.command("AT"), "\r\nOK\r\n");
    // 4 bytes in and 6 out at 240 bytes a second: over 40 ms.
    let took = start.elapsed();
    assert!(took >= std::time::Duration::from_millis(40), "{took:?}");
    assert!(m.command("AT+UART_CUR?").contains("+UART_CUR:2400,8,1,0,0"));
    assert_eq!(m.command("AT+UART_DEF=460800,8,1,0,0"), "\r\nOK\r\n");
    assert!(m.stop().success());

    let mut m = Atmodule::start(&args);
    let cur = m.command("AT+UART_CUR?");
    assert!(cur.contains("+UART_CUR:460800,8,1,0,0"), "{cur:?}");
    drop(m);
    let _ = std::fs::remove_dir_all(&dir);
}
