//! Third-party ESP-AT host libraries, unmodified, against `atmodule
//! --dialect esp-at` on its pty (issue 12): each joins the virtual access
//! point, looks a name up, opens a TCP link to an echo server, sends,
//! receives and closes.
//!
//! - Python: Adafruit's `adafruit-circuitpython-esp-atcontrol` over
//!   pyserial, in a virtualenv made from `tests/hostlibs/requirements.txt`
//!   under `target/hostlibs-venv` (made again when the requirements
//!   change). The script, `tests/hostlibs/adafruit_esp_at.py`, prints a
//!   `STEP <name> ok` line per step; each is asserted here. Active receive
//!   (`+IPD,<len>:<data>`), the library's only mode.
//! - Rust: `esp-at-nal` (atat-based, embedded-nal's `TcpClientStack`) over
//!   the pty through atat's blocking client and ingress. Passive receive
//!   (`AT+CIPRECVMODE=1`, `+IPD,<id>,<len>`, `AT+CIPRECVDATA`), the crate's
//!   only mode. It has no DNS: the lookup is an atat command of this test's
//!   own (`AT+CIPDOMAIN`) through the same atat client.
//!
//! The lab: the module's 192.168.0.0/24 is 127.0.11.0/24 on loopback, the
//! echo server 192.168.0.10 (127.0.11.10), the DNS server 192.168.0.1 on a
//! port of 127.0.11.1 (`--dns-port`), knowing one name, `echo.lab`.

mod common;

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::Atmodule;
use serialport::SerialPort;

/// The module's view of the lab on loopback.
const MAP: &str = "192.168.0.0/24=127.0.11.0/24";
const SSID: &str = "lab";
const PASSWORD: &str = "labpass1";
/// The echo server, as the module sees it and on loopback.
const ECHO: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 10);
const ECHO_LOOPBACK: Ipv4Addr = Ipv4Addr::new(127, 0, 11, 10);
/// The DHCP-given DNS server (atmodule's default `--dns`) on loopback.
const DNS_LOOPBACK: Ipv4Addr = Ipv4Addr::new(127, 0, 11, 1);
/// The one name the lab's DNS server knows: the echo server.
const NAME: &str = "echo.lab";
/// The echo answers this long after the bytes came, as a network's round
/// trip would. Without it, on loopback the `+IPD` follows `SEND OK` within
/// microseconds, and adafruit's `socket_send` reads it with `SEND OK` and
/// drops it (it reads whatever is waiting until the buffer ends in
/// `SEND OK\r\n`).
const ECHO_DELAY: Duration = Duration::from_millis(100);
/// The longest a library's whole run may take.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// A TCP echo server on `ECHO_LOOPBACK`: every connection gets each read
/// back after `ECHO_DELAY`. Returns its port.
fn echo_server() -> u16 {
    let listener = TcpListener::bind((ECHO_LOOPBACK, 0)).expect("binding the echo server");
    let port = listener.local_addr().expect("its address").port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            thread::spawn(move || {
                let mut buf = [0; 4096];
                while let Ok(n @ 1..) = stream.read(&mut buf) {
                    thread::sleep(ECHO_DELAY);
                    if stream.write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    port
}

/// A DNS server on `DNS_LOOPBACK` answering `NAME`'s A query with `ECHO`
/// and every other name NXDOMAIN; returns its port and the names it was
/// asked, in order.
fn dns_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let socket = UdpSocket::bind((DNS_LOOPBACK, 0)).expect("binding the DNS server");
    let port = socket.local_addr().expect("its address").port();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    thread::spawn(move || {
        let mut buf = [0; 512];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            if let Some((name, reply)) = dns_answer(&buf[..n]) {
                log.lock().unwrap().push(name);
                let _ = socket.send_to(&reply, from);
            }
        }
    });
    (port, asked)
}

/// The query's name and the reply to it; `None` for what is not a query
/// of one question.
fn dns_answer(query: &[u8]) -> Option<(String, Vec<u8>)> {
    if query.len() < 12 || query[2] & 0x80 != 0 || query[4..6] != [0, 1] {
        return None;
    }
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*query.get(at)?);
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(at..at + len)?).into_owned());
        at += len;
    }
    let question = query.get(12..at + 4)?;
    let qtype = &query[at..at + 2];
    let name = labels.join(".");
    let found = name.eq_ignore_ascii_case(NAME) && qtype == [0, 1];
    let mut reply = query[..2].to_vec();
    // A response, recursion desired and available; NOERROR or NXDOMAIN.
    reply.extend_from_slice(&[0x81, if found { 0x80 } else { 0x83 }]);
    reply.extend_from_slice(&[0, 1, 0, u8::from(found), 0, 0, 0, 0]);
    reply.extend_from_slice(question);
    if found {
        // The question's name (a pointer to offset 12), A, IN, TTL 60.
        reply.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        reply.extend_from_slice(&ECHO.octets());
    }
    Some((name, reply))
}

/// `atmodule --dialect esp-at` with the lab's access point and map, at
/// `address`, its DNS queries sent to `dns_port`.
fn module(address: &str, dns_port: u16) -> Atmodule {
    Atmodule::start(&[
        "-v",
        "--dialect",
        "esp-at",
        "--ap",
        &format!("{SSID}:{PASSWORD}"),
        "--map",
        MAP,
        "--address",
        address,
        "--dns-port",
        &dns_port.to_string(),
    ])
}

// --- Python: adafruit-circuitpython-esp-atcontrol over pyserial ----------

/// This file's folder of host library scripts.
fn hostlibs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostlibs")
}

/// The virtualenv's python, made (again) if the requirements changed since
/// it was made; `None` if there is no `python3` at all.
fn venv_python() -> Option<PathBuf> {
    if Command::new("python3").arg("--version").output().is_err() {
        return None;
    }
    let requirements = hostlibs_dir().join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).expect("reading requirements.txt");
    // target/tmp's parent: target/.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp is in target/");
    let venv = target.join("hostlibs-venv");
    let python = venv.join("bin/python");
    let stamp = venv.join("requirements.txt");
    if std::fs::read_to_string(&stamp).is_ok_and(|had| had == wanted) && python.exists() {
        return Some(python);
    }
    let _ = std::fs::remove_dir_all(&venv);
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            out.status.success(),
            "{what}: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv (Debian: apt-get install python3-venv)",
    );
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "-r",
            ])
            .arg(&requirements),
        "pip install -r tests/hostlibs/requirements.txt",
    );
    std::fs::write(&stamp, wanted).expect("writing the venv's stamp");
    Some(python)
}

/// Runs `python script args` for at most `RUN_LIMIT`; its exit success and
/// its stdout and stderr.
fn run_script(python: &Path, script: &Path, args: &[String]) -> (bool, String, String) {
    let mut child = Command::new(python)
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the script");
    let collect = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let out = collect(Box::new(child.stdout.take().expect("piped")));
    let err = collect(Box::new(child.stderr.take().expect("piped")));
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the script") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    (status.is_some_and(|s| s.success()), out, err)
}

#[test]
fn adafruit_esp_atcontrol_over_pyserial_joins_resolves_connects_sends_receives_closes() {
    let Some(python) = venv_python() else {
        eprintln!("SKIPPED: no python3 on PATH; adafruit-circuitpython-esp-atcontrol not run");
        return;
    };
    let echo_port = echo_server();
    let (dns_port, asked) = dns_server();
    let address = "192.168.0.51";
    let mut m = module(address, dns_port);
    // The script opens the pty too: no TIOCEXCL/flock of ours in its way.
    m.port.set_exclusive(false).expect("sharing the pty");
    let path = m.port.name().expect("the pty's path");
    let args = [&path, SSID, PASSWORD, NAME, &ECHO.to_string()]
        .map(str::to_string)
        .into_iter()
        .chain([echo_port.to_string(), address.to_string(), "-v".into()])
        .collect::<Vec<_>>();
    let started = Instant::now();
    let (ok, out, err) = run_script(&python, &hostlibs_dir().join("adafruit_esp_at.py"), &args);
    let took = started.elapsed();
    let report = || {
        format!(
            "script stdout:\n{out}\nscript stderr:\n{err}\natmodule stderr:\n{}",
            m.stderr.lock().unwrap()
        )
    };
    let steps: Vec<&str> = out.lines().filter(|l| l.starts_with("STEP ")).collect();
    println!("adafruit-circuitpython-esp-atcontrol, {took:.1?}:");
    for line in out
        .lines()
        .filter(|l| l.starts_with("library") || l.starts_with("STEP"))
    {
        println!("  {line}");
    }
    for step in [
        "begin",
        "scan",
        "join",
        "dns",
        "connect",
        "send",
        "receive",
        "close",
        "socket module",
        "leave",
    ] {
        assert!(
            steps
                .iter()
                .any(|l| l.starts_with(&format!("STEP {step} ok"))),
            "step {step:?} did not pass\n{}",
            report()
        );
    }
    assert!(
        ok && out.contains("DONE"),
        "the script failed\n{}",
        report()
    );
    // nslookup, CIPSTART by name and getaddrinfo: the module asked for
    // the name at least once (it may keep an answer for its TTL), and for
    // nothing else.
    let asked = asked.lock().unwrap().clone();
    assert!(
        !asked.is_empty() && asked.iter().all(|n| n == NAME),
        "{asked:?}"
    );
    println!("  the lab's DNS server was asked {asked:?}");
    assert!(m.stop().success());
}

// --- Rust: esp-at-nal on atat ---------------------------------------------

mod nal {
    //! What esp-at-nal needs from its platform, on std: a UART writer
    //! (embedded-io), a timer (fugit-timer), embassy-time's clock (atat's
    //! client reads it) and a critical section (critical-section's `std`).

    use std::time::{Duration, Instant};

    /// The pty as atat's writer.
    pub struct Uart(pub serialport::TTYPort);

    impl embedded_io::ErrorType for Uart {
        type Error = std::io::Error;
    }

    impl embedded_io::Write for Uart {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            std::io::Write::write(&mut self.0, buf)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            std::io::Write::flush(&mut self.0)
        }
    }

    /// A millisecond count-down timer on `Instant`.
    pub struct Timer {
        start: Instant,
        length: Duration,
    }

    impl Timer {
        pub fn new() -> Timer {
            Timer {
                start: Instant::now(),
                length: Duration::ZERO,
            }
        }
    }

    impl fugit_timer::Timer<1000> for Timer {
        type Error = ();

        fn now(&mut self) -> fugit::TimerInstantU32<1000> {
            fugit::TimerInstantU32::from_ticks(self.start.elapsed().as_millis() as u32)
        }

        fn start(&mut self, length: fugit::TimerDurationU32<1000>) -> Result<(), ()> {
            self.start = Instant::now();
            self.length = Duration::from_millis(length.ticks().into());
            Ok(())
        }

        fn cancel(&mut self) -> Result<(), ()> {
            Ok(())
        }

        fn wait(&mut self) -> nb::Result<(), ()> {
            if self.start.elapsed() >= self.length {
                return Ok(());
            }
            // esp-at-nal polls in a loop: let the reader thread run.
            std::thread::sleep(Duration::from_millis(1));
            Err(nb::Error::WouldBlock)
        }
    }

    /// embassy-time's clock in microseconds (its default tick rate). Timers
    /// are never awaited here (atat's blocking client polls `now`), so a
    /// wake-up is due at once.
    struct Clock;

    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

    impl embassy_time_driver::Driver for Clock {
        fn now(&self) -> u64 {
            EPOCH.get_or_init(Instant::now).elapsed().as_micros() as u64
        }

        fn schedule_wake(&self, _at: u64, waker: &core::task::Waker) {
            waker.wake_by_ref();
        }
    }

    embassy_time_driver::time_driver_impl!(static CLOCK: Clock = Clock);

    /// `AT+CIPDOMAIN="<name>"` → `+CIPDOMAIN:"<ip>"` (ED-1), which
    /// esp-at-nal does not have: an atat command of the test's own.
    #[derive(Clone, atat::atat_derive::AtatCmd)]
    #[at_cmd("+CIPDOMAIN", Domain, timeout_ms = 5_000)]
    pub struct CipDomain {
        pub name: atat::heapless::String<64>,
    }

    #[derive(Clone, Debug, atat::atat_derive::AtatResp)]
    pub struct Domain {
        pub ip: atat::heapless::String<15>,
    }

    /// One atat client for esp-at-nal's adapter and the test's own command.
    pub struct Shared<'c, C>(pub &'c std::cell::RefCell<C>);

    impl<C: atat::blocking::AtatClient> atat::blocking::AtatClient for Shared<'_, C> {
        fn send<A: atat::AtatCmd>(&mut self, cmd: &A) -> Result<A::Response, atat::Error> {
            self.0.borrow_mut().send(cmd)
        }
    }
}

/// esp-at-nal's receive chunk, and what atat buffers.
const RX_SIZE: usize = 1024;
const TX_SIZE: usize = 1024;
const INGRESS_SIZE: usize = 4096;
const URC_CAPACITY: usize = 32;

#[test]
fn esp_at_nal_on_atat_joins_resolves_connects_sends_receives_passively_closes() {
    use atat::blocking::AtatClient;
    use atat::{AtDigester, AtatIngress, Ingress, ResponseSlot, UrcChannel};
    use embedded_nal::TcpClientStack;
    use esp_at_nal::urc::URCMessages;
    use esp_at_nal::wifi::{Adapter, WifiAdapter};

    let echo_port = echo_server();
    let (dns_port, asked) = dns_server();
    let m = module("192.168.0.52", dns_port);
    let mut reader = m.port.try_clone_native().expect("a reader");
    let writer = m.port.try_clone_native().expect("a writer");
    let traffic = Arc::new(Mutex::new(String::new()));
    let stop = AtomicBool::new(false);

    let responses = ResponseSlot::<INGRESS_SIZE>::new();
    let urcs = UrcChannel::<URCMessages<RX_SIZE>, URC_CAPACITY, 1>::new();
    let mut ingress_buf = [0; INGRESS_SIZE];
    let mut client_buf = [0; INGRESS_SIZE];
    let started = Instant::now();
    let mut log = Vec::new();
    thread::scope(|s| {
        // The UART's reader: every byte into atat's ingress (which digests
        // responses and esp-at-nal's URCs) and into the traffic log.
        let ingress_buf = &mut ingress_buf;
        let (responses, urcs, stop, seen) = (&responses, &urcs, &stop, traffic.clone());
        s.spawn(move || {
            let digester = AtDigester::<URCMessages<RX_SIZE>>::new();
            let mut ingress = Ingress::new(digester, ingress_buf, responses, urcs);
            let mut buf = [0; 256];
            while !stop.load(Ordering::Relaxed) {
                match reader.read(&mut buf) {
                    Ok(n) => {
                        let text = String::from_utf8_lossy(&buf[..n]);
                        seen.lock().unwrap().push_str(&text);
                        ingress
                            .try_write(&buf[..n])
                            .expect("atat's ingress takes it");
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(e) => panic!("reading the pty: {e}"),
                }
            }
        });
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let client = RefCell::new(atat::blocking::Client::new(
                nal::Uart(writer),
                responses,
                &mut client_buf,
                atat::Config::new(),
            ));
            let mut adapter: Adapter<_, _, 1000, TX_SIZE, RX_SIZE, URC_CAPACITY> = Adapter::new(
                nal::Shared(&client),
                urcs.subscribe().expect("a URC subscription"),
                nal::Timer::new(),
            );

            // Restart: AT+RST → OK, then `ready` within the crate's 5 s.
            adapter.restart().expect("restart");
            log.push("restart: ready".into());

            // Join: AT+CWMODE=1, AT+CWJAP="lab","labpass1"; AT+CIFSR.
            let state = adapter.join(SSID, PASSWORD).expect("join");
            assert!(state.connected && state.ip_assigned, "{state:?}");
            let local = adapter.get_address().expect("get_address");
            assert_eq!(local.ipv4, Some(Ipv4Addr::new(192, 168, 0, 52)));
            assert!(local.mac.is_some(), "{local:?}");
            log.push(format!("join: connected, ip {:?}", local.ipv4));

            // DNS: not in esp-at-nal; AT+CIPDOMAIN through the same client.
            let lookup = nal::CipDomain {
                name: NAME.try_into().expect("a short name"),
            };
            let found = nal::Shared(&client).send(&lookup).expect("AT+CIPDOMAIN");
            assert_eq!(found.ip.as_str(), ECHO.to_string());
            log.push(format!(
                "dns (atat command of the test's own): {NAME} is {}",
                found.ip
            ));

            // Connect: AT+CIPMUX=1, AT+CIPRECVMODE=1, AT+CIPSTART=0,"TCP",...
            let mut socket = adapter.socket().expect("socket");
            let remote = SocketAddr::V4(SocketAddrV4::new(ECHO, echo_port));
            nb::block!(adapter.connect(&mut socket, remote)).expect("connect");
            assert!(adapter.is_connected(&socket).expect("is_connected"));
            log.push(format!("connect: {remote}"));

            // Send a short message, then one of several TX chunks:
            // AT+CIPSEND=0,<n>, '>', the bytes, Recv <n> bytes, SEND OK.
            for (what, data) in [
                ("short", b"esp-at-nal passive receive".to_vec()),
                (
                    "long",
                    (0..3000u32).map(|i| b'a' + (i % 26) as u8).collect(),
                ),
            ] {
                let sent = nb::block!(adapter.send(&mut socket, &data)).expect("send");
                assert_eq!(sent, data.len());
                // Passive receive: +IPD,0,<len>, AT+CIPRECVDATA=0,<n>.
                let mut got = Vec::new();
                let deadline = Instant::now() + common::WAIT;
                while got.len() < data.len() {
                    let mut buf = [0; 4096];
                    match adapter.receive(&mut socket, &mut buf) {
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                        Err(nb::Error::WouldBlock) => {
                            assert!(Instant::now() < deadline, "{what}: got {} bytes", got.len());
                            thread::sleep(Duration::from_millis(5));
                        }
                        Err(nb::Error::Other(e)) => panic!("{what}: receive: {e:?}"),
                    }
                }
                assert!(got == data, "{what}: the echo differs");
                log.push(format!(
                    "send and passive receive ({what}): {} bytes",
                    data.len()
                ));
            }

            // Close: AT+CIPCLOSE=0 → 0,CLOSED, OK.
            adapter.close(socket).expect("close");
            log.push("close".into());
        }));
        stop.store(true, Ordering::Relaxed);
        if let Err(panic) = result {
            eprintln!("UART traffic:\n{}", traffic.lock().unwrap());
            eprintln!("atmodule stderr:\n{}", m.stderr.lock().unwrap());
            std::panic::resume_unwind(panic);
        }
    });
    println!("esp-at-nal, {:.1?}:", started.elapsed());
    for line in &log {
        println!("  {line}");
    }
    assert_eq!(*asked.lock().unwrap(), [NAME]);
    assert!(m.stop().success());
}
