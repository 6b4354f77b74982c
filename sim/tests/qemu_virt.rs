//! The `ports/qemu-virt` image against the simulator: one scripted AT
//! session through both, the UART output compared line for line (issue:
//! ports/qemu-virt); one for each dialect's image.
//!
//! Ignored by default: they need `qemu-system-riscv32` and the images,
//! which `.ci/run` installs and builds before running each with
//! `--ignored` (the esp-at image copied to `qemu-virt-esp-at` beside the
//! seed's). They build nothing themselves.
//!
//! Both worlds hold the same network (`ports/qemu-virt/src/net.rs`): the
//! module at 192.168.0.107, a TCP echo server at 192.168.0.103:20108, a DNS
//! server at 192.168.0.1 that knows `echo.lan`, and an SNTP server there
//! too whose clock reads 2022-10-21 11:20:39 UTC when it is started. In
//! the esp-at dialect the module joins the access point `lab` first.
//!
//! The session is timing-insensitive: every line waits for its final result
//! (or the unsolicited lines that follow it) before the next one goes, and
//! no reply depends on how long anything took. Two details keep QEMU's
//! delivery of input from mattering:
//!
//! - A command line goes as its text, then, after a pause, its `\r\n`. The
//!   core echoes the LF of a CRLF with its line only when both arrive in one
//!   UART piece (G-1); QEMU hands the emulated UART a pipe's bytes in bursts
//!   of at most 14, so a line written at once could be cut between CR and LF
//!   if the host stalled there. The pair alone always arrives as one burst.
//! - The SNTP server's clock starts just before SNTP is enabled: in the
//!   simulator the step sets it, in QEMU it starts at the first request. The
//!   time is asked for ~100 ms later, within the same second in both.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use firmware_core::{Dialect, ESP_AT, SEED};
use sim::World;
use sim::peers::{Clock, Record, Service};

/// The echo peer (`net::ECHO` in the port).
const PEER: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 103);
/// The DNS and SNTP server (`net::ROUTER`; the simulator's `DNS_IP`).
const ROUTER: Ipv4Addr = sim::DNS_IP;
/// The one name in the zone (`net::ECHO_NAME`).
const ECHO_NAME: &str = "echo.lan";
/// The SNTP server's clock when started (`net::CLOCK_START`).
const CLOCK_START: i64 = 1_666_351_239_000_000;

/// How long one step may take, in real time for QEMU and in simulated time
/// for the simulator. Every step takes milliseconds.
const STEP_LIMIT: Duration = Duration::from_secs(20);

/// The pause between a line's text and its `\r\n`.
const LINE_END_PAUSE: Duration = Duration::from_millis(20);

/// The access point of the esp-at session (`net::AP_SSID`,
/// `net::AP_PASSWORD`).
const AP_SSID: &str = "lab";
const AP_PASSWORD: &str = "labpass1";

/// Output that ends a command's response.
const FINALS: [&str; 5] = [
    "\r\nOK\r\n",
    "\r\nERROR\r\n",
    "\r\nSEND OK\r\n",
    "CMDRSP:ERROR\r\n",
    "\r\n>",
];

/// One step of the session.
#[derive(Debug, Clone)]
enum Step {
    /// A command line (without its terminator); wait for a final result.
    Line(String),
    /// Raw bytes (CIPSEND data); wait until the output ends with the text.
    Data(&'static [u8], &'static str),
    /// A command line whose final result an unsolicited line follows;
    /// wait for that line.
    LineThen(String, &'static str),
    /// Raw bytes, nothing awaited (the `+++` of an escape).
    Write(&'static [u8]),
    /// Let time pass.
    Pause(Duration),
    /// Start the SNTP server's clock at [`CLOCK_START`].
    StartClock,
}

fn line(text: &str) -> Step {
    Step::Line(text.to_owned())
}

/// The session: basic commands, CIPMUX/CIPMODE rules, links to the echo
/// peer by address and by name, data both ways, DNS, SNTP, bad input.
fn script() -> Vec<Step> {
    let too_long = format!("AT+CIPDOMAIN=\"{}\"", "x".repeat(285));
    assert_eq!(too_long.len(), 300);
    vec![
        // Basic commands (B-1, B-4), with echo off and on again.
        line("AT"),
        line("ATE0"),
        line("AT"),
        line("AT+GMR"),
        line("ATE1"),
        line("AT+GMR"),
        // CIPMUX and CIPMODE rules (MX, MD, PT-1).
        line("AT+CIPMUX?"),
        line("AT+CIPMODE?"),
        line("AT+CIPMUX=1"),
        line("AT+CIPMODE=1"),
        line("AT+CIPMUX=0"),
        line("AT+CIPMODE=1"),
        line("AT+CIPMUX=1"),
        line("AT+CIPSEND"),
        line("AT+CIPMODE=0"),
        line("AT+CIPMUX=2"),
        line("AT+CIPMODE=2"),
        line("AT+CIPMUX=1"),
        line("AT+CIPMUX?"),
        line("AT+CIPMODE?"),
        // Links: by address, by name, refused, unknown name, taken ID, bad
        // ID (SS), and no CIPMUX change while they are open (MX-2).
        line("AT+CIPSTATUS?"),
        line("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",20108"),
        line("AT+CIPSTART=1,\"tcp\",\"echo.lan\",20108,60"),
        line("AT+CIPSTART=2,\"TCP\",\"192.168.0.103\",20109"),
        line("AT+CIPSTART=2,\"TCP\",\"nowhere.lan\",20108"),
        line("AT+CIPSTART=1,\"TCP\",\"192.168.0.103\",20108"),
        line("AT+CIPSTART=5,\"TCP\",\"192.168.0.103\",20108"),
        line("AT+CIPMUX=0"),
        line("AT+CIPSTATUS?"),
        // Data to the echo peer and back (SD, RX-1).
        line("AT+CIPSEND=0,5"),
        Step::Data(b"hello", "+IPD,0,5:hello\r\n"),
        line("AT+CIPSEND=1,14"),
        Step::Data(b"AT+RST\r\nline 2", "+IPD,1,14:AT+RST\r\nline 2\r\n"),
        line("AT+CIPSEND=0,0"),
        line("AT+CIPSEND=0,2049"),
        line("AT+CIPSEND=3,5"),
        // Closing (CL).
        line("AT+CIPCLOSE=0"),
        line("AT+CIPCLOSE=0"),
        line("AT+CIPSTATUS?"),
        line("AT+CIPCLOSE=5"),
        line("AT+CIPSTATUS?"),
        // One link with CIPMUX=0 (SS-10).
        line("AT+CIPMUX=0"),
        line("AT+CIPSTART=0,\"TCP\",\"echo.lan\",20108"),
        line("AT+CIPSTART=1,\"TCP\",\"echo.lan\",20108"),
        line("AT+CIPSTATUS?"),
        line("AT+CIPSEND=0,3"),
        Step::Data(b"abc", "+IPD,3:abc\r\n"),
        line("AT+CIPCLOSE=0"),
        // DNS (DM).
        line("AT+CIPDOMAIN=\"echo.lan\""),
        line("AT+CIPDOMAIN=\"Echo.LAN\""),
        line("AT+CIPDOMAIN=\"nowhere.lan\""),
        // SNTP (NT).
        line("AT+CIPSNTPCFG?"),
        line("AT+CIPSNTPTIME?"),
        Step::StartClock,
        line("AT+CIPSNTPCFG=1,8,\"192.168.0.1\""),
        Step::Pause(Duration::from_millis(100)),
        line("AT+CIPSNTPTIME?"),
        line("AT+CIPSNTPCFG?"),
        // Bad input (G-3, G-4).
        line("AT+NOSUCH"),
        line("AT+CIPSTATUS"),
        line("AT+CIPMUX=-1"),
        line("AT+CIPSNTPCFG=1,13"),
        line("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",65536"),
        line("AT+CIPSEND=0,5,\"192.168.0.103\""),
        line(&too_long),
        line("AT"),
    ]
}

/// The esp-at session: no address until the module joins `lab` (a wrong
/// password first), the station's state, a scan, links by address and by
/// name with data both ways, DNS, SNTP, passthrough with its escape, and
/// leaving the access point.
fn script_esp_at() -> Vec<Step> {
    let guard = Duration::from_millis(1500);
    vec![
        line("AT"),
        line("ATE0"),
        line("AT+CWMODE?"),
        line("AT+CWJAP?"),
        line("AT+CIPSTA?"),
        line("AT+CIPSTART=\"TCP\",\"192.168.0.103\",20108"),
        line(&format!("AT+CWJAP=\"{AP_SSID}\",\"wrongpass\"")),
        line(&format!("AT+CWJAP=\"{AP_SSID}\",\"{AP_PASSWORD}\"")),
        line("AT+CWJAP?"),
        line("AT+CIPSTA?"),
        line("AT+CWLAP"),
        // Links, data (ET, SD, RX).
        line("AT+CIPMUX=1"),
        line("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",20108"),
        line("AT+CIPSTART=1,\"TCP\",\"echo.lan\",20108"),
        line("AT+CIPSTATE?"),
        line("AT+CIPSEND=0,5"),
        // ER-1: `+IPD` after an empty line, nothing after the data.
        Step::Data(b"hello", "+IPD,0,5:hello"),
        line("AT+CIPSEND=1,3"),
        Step::Data(b"abc", "+IPD,1,3:abc"),
        line("AT+CIPCLOSE=0"),
        line("AT+CIPCLOSE=1"),
        line("AT+CIPSTATE?"),
        // DNS, SNTP.
        line("AT+CIPDOMAIN=\"echo.lan\""),
        line("AT+CIPDOMAIN=\"nowhere.lan\""),
        Step::StartClock,
        Step::LineThen(
            "AT+CIPSNTPCFG=1,8,\"192.168.0.1\"".into(),
            "+TIME_UPDATED\r\n",
        ),
        line("AT+CIPSNTPTIME?"),
        // Passthrough and its escape (PT, EP).
        line("AT+CIPMUX=0"),
        line("AT+CIPMODE=1"),
        line("AT+CIPSTART=\"TCP\",\"192.168.0.103\",20108"),
        line("AT+CIPSEND"),
        Step::Data(b"through", "through"),
        Step::Pause(guard),
        Step::Write(b"+++"),
        Step::Pause(guard),
        line("AT+CIPMODE=0"),
        line("AT+CIPCLOSE"),
        // Leaving (EW), bad input.
        Step::LineThen("AT+CWQAP".into(), "WIFI DISCONNECT\r\n"),
        line("AT+CIPSTA?"),
        line("AT+NOSUCH"),
        line("AT"),
    ]
}

/// A module the script can talk to.
trait Session {
    fn write(&mut self, bytes: &[u8]);
    /// Output until `done` holds for what came since this call; panics
    /// after [`STEP_LIMIT`].
    fn read_until(&mut self, what: &str, done: &dyn Fn(&str) -> bool) -> String;
    fn pause(&mut self, d: Duration);
    fn start_clock(&mut self);
}

/// A command line: its text, then after a pause its `\r\n` (see the
/// module doc).
fn send_line(s: &mut dyn Session, text: &str) {
    s.write(text.as_bytes());
    s.pause(LINE_END_PAUSE);
    s.write(b"\r\n");
}

/// Runs `script`; returns all output, boot included.
fn run(s: &mut dyn Session, script: Vec<Step>) -> String {
    let mut out = s.read_until("ready", &|t| t.ends_with("ready\r\n"));
    for step in script {
        match step {
            Step::Line(text) => {
                send_line(s, &text);
                out += &s.read_until(&text, &|t| FINALS.iter().any(|f| t.ends_with(f)));
            }
            Step::LineThen(text, until) => {
                send_line(s, &text);
                out += &s.read_until(&text, &|t| t.ends_with(until));
            }
            Step::Data(bytes, until) => {
                s.write(bytes);
                out += &s.read_until(until, &|t| t.ends_with(until));
            }
            Step::Write(bytes) => s.write(bytes),
            Step::Pause(d) => s.pause(d),
            Step::StartClock => s.start_clock(),
        }
    }
    out
}

// ---- QEMU ----

struct Qemu {
    child: Child,
    stdin: ChildStdin,
    output: mpsc::Receiver<Vec<u8>>,
    /// Everything read so far, for failure messages.
    all: Vec<u8>,
}

impl Qemu {
    /// Boots `image` from the port's release folder.
    fn start(image: &str) -> Self {
        let elf = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../ports/qemu-virt/target/riscv32imc-unknown-none-elf/release")
            .join(image);
        assert!(
            elf.is_file(),
            "no qemu-virt image at {}: build it first with \
             `cd ports/qemu-virt && cargo build --release` (.ci/run does, \
             and copies the esp-at build to qemu-virt-esp-at)",
            elf.display()
        );
        // -nographic: no window; -monitor none: the UART alone on stdio,
        // without the monitor's Ctrl-A escapes; -bios none: boot the ELF
        // at 0x8000_0000 with no firmware before it.
        let mut child = Command::new("qemu-system-riscv32")
            .args(["-machine", "virt", "-nographic", "-monitor", "none"])
            .args(["-bios", "none", "-kernel"])
            .arg(&elf)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start qemu-system-riscv32 ({e}): install it \
                     (Debian: apt-get install qemu-system-misc; .ci/run does)"
                )
            });
        let stdin = child.stdin.take().expect("piped");
        let mut stdout = child.stdout.take().expect("piped");
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut buf) {
                if tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Qemu {
            child,
            stdin,
            output,
            all: Vec::new(),
        }
    }
}

impl Session for Qemu {
    fn write(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("QEMU takes input");
        self.stdin.flush().expect("QEMU takes input");
    }

    fn read_until(&mut self, what: &str, done: &dyn Fn(&str) -> bool) -> String {
        let end = Instant::now() + STEP_LIMIT;
        let mut got = Vec::new();
        while !done(&String::from_utf8_lossy(&got)) {
            let left = end.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(bytes) => {
                    self.all.extend_from_slice(&bytes);
                    got.extend(bytes);
                }
                Err(e) => {
                    let status = self.child.try_wait().ok().flatten();
                    panic!(
                        "QEMU: no end to {what:?} ({e:?}, exit status {status:?}); \
                         this step: {:?}; the whole output:\n{}",
                        String::from_utf8_lossy(&got),
                        String::from_utf8_lossy(&self.all)
                    );
                }
            }
        }
        String::from_utf8_lossy(&got).into_owned()
    }

    fn pause(&mut self, d: Duration) {
        std::thread::sleep(d);
    }

    fn start_clock(&mut self) {
        // The image's SNTP server starts its clock at the first request.
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        // The session is over: the image runs until stopped.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- the simulator ----

struct Sim {
    w: World,
    clock: Rc<RefCell<Clock>>,
}

impl Sim {
    /// The port's network in the simulator, for a module of `dialect`.
    fn start(dialect: &'static Dialect) -> Self {
        let mut w = World::builder().seed(1).dialect(dialect).build();
        if dialect.wifi.is_some() {
            // As `net::AP`: WPA2, -40 dBm, channel 6 (the defaults).
            w.add_access_point(AP_SSID, Some(AP_PASSWORD.as_bytes()), None, None);
        }
        w.add_service(PEER, Service::TcpEcho { port: 20108 });
        w.dns()
            .borrow_mut()
            .zone
            .insert(ECHO_NAME.into(), vec![Record::A(PEER)]);
        let clock = w.add_sntp_server(ROUTER, CLOCK_START);
        Sim { w, clock }
    }
}

impl Session for Sim {
    fn write(&mut self, bytes: &[u8]) {
        self.w.host_write(bytes);
    }

    fn read_until(&mut self, what: &str, done: &dyn Fn(&str) -> bool) -> String {
        let mut got = Vec::new();
        let ok = self.w.run_until(STEP_LIMIT, |w| {
            got.extend(w.host_read());
            done(&String::from_utf8_lossy(&got))
        });
        let text = String::from_utf8_lossy(&got).into_owned();
        assert!(
            ok,
            "simulator: no end to {what:?}: {text:?}\n{}",
            self.w.transcript()
        );
        text
    }

    fn pause(&mut self, d: Duration) {
        self.w.run_for(d);
    }

    fn start_clock(&mut self) {
        *self.clock.borrow_mut() = Clock {
            set_at: self.w.now(),
            unix_micros: CLOCK_START,
        };
    }
}

// ---- comparison ----

/// Output as lines split at CRLF, control characters escaped so that a
/// stray CR or LF is visible.
fn lines(out: &str) -> Vec<String> {
    out.split("\r\n")
        .map(|l| {
            l.chars()
                .map(|c| match c {
                    c if c.is_control() => c.escape_default().to_string(),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect()
}

/// Both outputs in two columns, differing lines marked; long lines cut.
fn side_by_side(qemu: &[String], sim: &[String]) -> String {
    const W: usize = 44;
    let cut = |s: &str| {
        if s.chars().count() <= W {
            s.to_owned()
        } else {
            let head: String = s.chars().take(W - 12).collect();
            format!("{head}…({} chars)", s.chars().count())
        }
    };
    let mut t = format!("     {:<W$} | simulator\n", "qemu-system-riscv32 virt");
    for i in 0..qemu.len().max(sim.len()) {
        let (q, s) = (qemu.get(i), sim.get(i));
        let mark = if q == s { ' ' } else { '!' };
        let q = q.map_or("<none>".to_owned(), |l| cut(l));
        let s = s.map_or("<none>".to_owned(), |l| cut(l));
        let _ = writeln!(t, "{mark}{i:>3} {q:<W$} | {s}");
    }
    t
}

/// Runs the session through QEMU's `image` and the simulator's module of
/// `dialect`; fails on the first differing line.
fn same_session(image: &str, dialect: &'static Dialect, script: fn() -> Vec<Step>) {
    let qemu_out = {
        let mut q = Qemu::start(image);
        run(&mut q, script())
    };
    let sim_out = run(&mut Sim::start(dialect), script());
    let (qemu, sim) = (lines(&qemu_out), lines(&sim_out));
    println!("{}", side_by_side(&qemu, &sim));
    let diff: Vec<String> = (0..qemu.len().max(sim.len()))
        .filter(|&i| qemu.get(i) != sim.get(i))
        .map(|i| {
            format!(
                "line {i}:\n  qemu: {:?}\n  sim:  {:?}",
                qemu.get(i),
                sim.get(i)
            )
        })
        .collect();
    assert!(
        diff.is_empty(),
        "the QEMU session differs from the simulator's:\n{}",
        diff.join("\n")
    );
    println!(
        "{} lines, identical ({} bytes of output each)",
        qemu.len(),
        qemu_out.len()
    );
}

#[test]
#[ignore = "needs qemu-system-riscv32 and the qemu-virt image: .ci/run runs it"]
fn qemu_virt_session_matches_the_simulator_line_for_line() {
    same_session("qemu-virt", &SEED, script);
}

#[test]
#[ignore = "needs qemu-system-riscv32 and the esp-at qemu-virt image: .ci/run runs it"]
fn qemu_virt_esp_at_session_matches_the_simulator_line_for_line() {
    same_session("qemu-virt-esp-at", &ESP_AT, script_esp_at);
}
