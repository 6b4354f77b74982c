//! `atmodule` as a program another one talks to: started with `--pty`, its
//! path read from stdout, the path opened with `serialport`, AT commands
//! typed, real sockets on loopback. Real time: every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serialport::TTYPort;

/// Longest wait for anything: the module answers in milliseconds, but a
/// loaded CI machine may be slow to start a process.
const WAIT: Duration = Duration::from_secs(10);

/// A running `atmodule` and the pty it printed.
struct Atmodule {
    child: Child,
    port: TTYPort,
    /// Output read but not yet matched.
    seen: Vec<u8>,
    stderr: Arc<Mutex<String>>,
}

impl Atmodule {
    /// Starts the binary on a new pty with `args`, opens the pty and waits
    /// for `ready`.
    fn start(args: &[&str]) -> Atmodule {
        let mut child = Command::new(env!("CARGO_BIN_EXE_atmodule"))
            .arg("--pty")
            .arg("--exit-on-stdin-eof")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("atmodule starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("stderr is piped");
        let log = stderr.clone();
        thread::spawn(move || {
            let mut buf = [0; 1024];
            while let Ok(n @ 1..) = err.read(&mut buf) {
                log.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(WAIT) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("no path on stdout; stderr: {}", stderr.lock().unwrap());
            }
        };
        let path = line
            .strip_prefix("atmodule: ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .trim();
        // Any baud: a pty has none.
        let port = serialport::new(path, 9600)
            .timeout(Duration::from_millis(20))
            .open_native()
            .unwrap_or_else(|e| panic!("opening {path}: {e}"));
        let mut m = Atmodule {
            child,
            port,
            seen: Vec::new(),
            stderr,
        };
        m.expect("ready\r\n");
        m
    }

    fn send(&mut self, bytes: &[u8]) {
        self.port.write_all(bytes).expect("writing the pty");
    }

    /// Reads until the output holds `want`; returns everything up to and
    /// including it, and keeps the rest for the next call.
    fn expect(&mut self, want: &str) -> String {
        self.expect_any(&[want]).1
    }

    /// Like `expect`, for the first of several; returns which one came.
    fn expect_any(&mut self, wants: &[&str]) -> (usize, String) {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = String::from_utf8_lossy(&self.seen).into_owned();
            let found = wants
                .iter()
                .enumerate()
                .filter_map(|(i, w)| text.find(w).map(|at| (at + w.len(), i)))
                .min();
            if let Some((end, i)) = found {
                self.seen.drain(..end);
                return (i, text[..end].to_string());
            }
            assert!(
                Instant::now() < deadline,
                "waited {WAIT:?} for one of {wants:?}; got {text:?}; stderr: {}",
                self.stderr.lock().unwrap()
            );
            let mut buf = [0; 1024];
            match self.port.read(&mut buf) {
                Ok(n) => self.seen.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("reading the pty: {e}"),
            }
        }
    }

    /// A command line and the reply up to its final `OK`.
    fn command(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes());
        self.expect("\r\nOK\r\n")
    }

    /// Closes its stdin (`--exit-on-stdin-eof`) and waits for it to exit.
    fn stop(mut self) -> ExitStatus {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for atmodule") {
                return status;
            }
            assert!(Instant::now() < deadline, "atmodule did not stop");
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Atmodule {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh directory for one test's store.
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
    // Refused on this port until TLS lands; the command is logged anyway.
    m.send(format!("AT+CIPSTART=0,\"TLS\",\"192.168.0.103\",{port}\r\n").as_bytes());
    m.expect("\r\nERROR\r\n");
    let log = m.stderr.lock().unwrap().clone();
    assert!(
        log.contains("tls=true"),
        "the TLS connect was logged: {log}"
    );
    assert!(!log.contains(KEY), "the key leaked into the log: {log}");
}
