//! `atmodule` driven over its pty by the integration tests: started with
//! `--pty`, its path read from stdout, the path opened with `serialport`.
//! Real time: every wait is bounded.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serialport::{SerialPort, TTYPort};

/// Longest wait for anything: the module answers in milliseconds, but a
/// loaded CI machine may be slow to start a process.
pub const WAIT: Duration = Duration::from_secs(10);

/// The module's final result lines.
pub const OK: &str = "\r\nOK\r\n";
pub const ERROR: &str = "\r\nERROR\r\n";

/// A running `atmodule` on a pty, with its stderr collected.
pub struct Atmodule {
    pub child: Child,
    pub port: TTYPort,
    /// Output read but not yet matched.
    pub seen: Vec<u8>,
    pub stderr: Arc<Mutex<String>>,
}

impl Atmodule {
    /// Starts the binary on a new pty with `args`, opens the pty and waits
    /// for `ready`.
    pub fn start(args: &[&str]) -> Atmodule {
        let mut child = Command::new(env!("CARGO_BIN_EXE_atmodule"))
            .args(["--pty", "--exit-on-stdin-eof"])
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
                let _ = child.wait();
                panic!("no path on stdout; stderr: {}", stderr.lock().unwrap());
            }
        };
        let Some(path) = line.strip_prefix("atmodule: ").map(str::trim) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "unexpected first line {line:?}; stderr: {}",
                stderr.lock().unwrap()
            );
        };
        // Any baud: a pty has none. A short read timeout keeps the
        // deadline checks frequent; a read returns as soon as bytes come.
        let port = serialport::new(path, 115_200)
            .timeout(Duration::from_millis(20))
            .open_native()
            .unwrap_or_else(|e| panic!("opening {path}: {e}"));
        let mut m = Atmodule {
            child,
            port,
            seen: Vec::new(),
            stderr,
        };
        m.expect_any(&["\r\nready\r\n"]);
        m
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.port.write_all(bytes).expect("writing the pty");
    }

    /// Reads until the output holds one of `wants`; returns which one and
    /// everything up to and including it, and keeps the rest. Fails after
    /// `WAIT` with every byte seen.
    pub fn expect_any(&mut self, wants: &[&str]) -> (usize, String) {
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
                Err(e) => panic!(
                    "reading the pty: {e}; got {text:?}; stderr: {}",
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// Reads until the output holds `want`; returns everything up to and
    /// including it, and keeps the rest for the next call.
    pub fn expect(&mut self, want: &str) -> String {
        self.expect_any(&[want]).1
    }

    /// Waits for the final result of the command last sent: its reply up
    /// to `OK`; fails on `ERROR`.
    pub fn expect_ok(&mut self, what: &str) -> String {
        let (which, reply) = self.expect_any(&[OK, ERROR]);
        assert_eq!(
            which,
            0,
            "{what} answered {reply:?}; stderr: {}",
            self.stderr.lock().unwrap()
        );
        reply
    }

    /// A command line and its reply up to `OK`.
    pub fn command(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes());
        self.expect_ok(line)
    }

    /// Output already in the pty, read without waiting: a lower bound on
    /// what the module wrote so far. (After a kill the pty hangs up and
    /// drops what nobody read, so this is the last chance to look.)
    pub fn pending(&mut self) -> Vec<u8> {
        let mut buf = [0; 1024];
        while self.port.bytes_to_read().is_ok_and(|n| n > 0) {
            match self.port.read(&mut buf) {
                Ok(n) => self.seen.extend_from_slice(&buf[..n]),
                Err(_) => break,
            }
        }
        std::mem::take(&mut self.seen)
    }

    /// Closes its stdin (`--exit-on-stdin-eof`) and waits for it to exit.
    pub fn stop(mut self) -> ExitStatus {
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

    /// SIGKILL, then reaps it.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaping atmodule");
    }
}

impl Drop for Atmodule {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
