//! The module's UART: a pseudo-terminal (`--pty`) or an existing line
//! (`--serial PATH`), and the rule that cuts what arrives into pieces.
//!
//! Two threads move the bytes, so the loop never blocks on the line: the
//! reader stamps each read with the module's clock and hands it over a
//! small channel (when the loop stops taking, the reader stops reading and
//! the other end's writes wait in the kernel, as a held-back sender would);
//! the writer writes what the core gives. A pty has no baud rate: unpaced
//! by default, or paced at one (`--pace`), both ways, in slices of about a
//! millisecond of the line.

use std::io::{self, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

use firmware_core::Instant;
use serialport::{SerialPort, TTYPort};
use tokio::sync::mpsc;

use crate::clock::Clock;

/// One read from the line.
const READ_SIZE: usize = 4096;

/// Reads waiting for the loop: a few pieces' worth.
const IN_QUEUE: usize = 4;

/// Writes waiting for the line, each at most [`WRITE_SIZE`] bytes.
const OUT_QUEUE: usize = 16;

/// The most the loop takes from the core's output at once.
pub(crate) const WRITE_SIZE: usize = 4096;

/// How long one blocking read or write waits before it looks again; only
/// bounds how long a thread sits in one system call.
const LINE_POLL: Duration = Duration::from_secs(3600);

/// What the writer thread does next, in order.
pub(crate) enum Out {
    /// Write these bytes.
    Bytes(Vec<u8>),
    /// Once every byte before is on the line, run it at this rate (8N1):
    /// a serial line's speed, a paced pty's pace (EH-1).
    Rate(u32),
}

/// An open line with its two threads.
pub(crate) struct Line {
    /// What the other end opens: the pty's slave, or the `--serial` path.
    pub(crate) path: String,
    /// Reads, stamped with their arrival; `None` once the line is gone.
    pub(crate) input: mpsc::Receiver<(Instant, Vec<u8>)>,
    /// Writes, and rate changes in order with them; closed once the line
    /// is gone.
    pub(crate) output: mpsc::Sender<Out>,
    /// The pty's slave end, held open and never read: the master then
    /// never reads EIO while no program has the path open, and output
    /// waits in the pty for the first program to open it (the boot
    /// `ready` among it).
    _slave: Option<TTYPort>,
}

impl Line {
    /// A new pseudo-terminal: the module keeps the master; `path` is the
    /// slave, in raw mode, for any program to open (not exclusively).
    pub(crate) fn pty(clock: Clock, pace: Option<u32>) -> io::Result<Line> {
        let (master, slave) = TTYPort::pair().map_err(io::Error::from)?;
        let path = slave
            .name()
            .ok_or_else(|| io::Error::other("the pty has no path"))?;
        Line::start(master, path, Some(slave), clock, pace)
    }

    /// An existing serial line (a device, or one end of a pty pair another
    /// program made) at `baud`, 8N1, no flow control.
    pub(crate) fn serial(path: &str, baud: u32, clock: Clock) -> io::Result<Line> {
        let port = serialport::new(path, baud)
            .timeout(LINE_POLL)
            .open_native()
            .map_err(io::Error::from)?;
        // The line itself carries bytes at its rate.
        Line::start(port, path.to_string(), None, clock, None)
    }

    fn start(
        mut port: TTYPort,
        path: String,
        slave: Option<TTYPort>,
        clock: Clock,
        pace: Option<u32>,
    ) -> io::Result<Line> {
        port.set_timeout(LINE_POLL).map_err(io::Error::from)?;
        // A serial line has a speed to set; a pty only its pace, if any.
        let serial = slave.is_none();
        let rate = Arc::new(AtomicU32::new(pace.unwrap_or(0)));
        let (mut rx_pace, mut tx_pace) = (Pace::new(rate.clone()), Pace::new(rate));
        let mut writer = port.try_clone_native().map_err(io::Error::from)?;
        let (in_tx, input) = mpsc::channel(IN_QUEUE);
        let (output, mut out_rx) = mpsc::channel::<Out>(OUT_QUEUE);
        thread::Builder::new()
            .name("uart-rx".into())
            .spawn(move || {
                let mut buf = vec![0; READ_SIZE];
                loop {
                    let slice = rx_pace.slice(READ_SIZE);
                    match port.read(&mut buf[..slice]) {
                        Ok(0) => break,
                        Ok(n) => {
                            // Arrived once the line would have carried it.
                            rx_pace.carry(n);
                            if in_tx
                                .blocking_send((clock.now(), buf[..n].to_vec()))
                                .is_err()
                            {
                                break;
                            }
                        }
                        Err(e) if is_retry(&e) => {}
                        Err(e) => {
                            eprintln!("atmodule: reading the line: {e}");
                            break;
                        }
                    }
                }
            })?;
        thread::Builder::new()
            .name("uart-tx".into())
            .spawn(move || {
                'line: while let Some(out) = out_rx.blocking_recv() {
                    let data = match out {
                        Out::Bytes(data) => data,
                        Out::Rate(baud) => {
                            if serial {
                                // What was written goes out at the old
                                // speed first.
                                let set = writer
                                    .flush()
                                    .map_err(serialport::Error::from)
                                    .and_then(|()| writer.set_baud_rate(baud));
                                if let Err(e) = set {
                                    eprintln!("atmodule: setting the line to {baud} baud: {e}");
                                }
                            }
                            tx_pace.set_rate(baud);
                            continue;
                        }
                    };
                    let slice = tx_pace.slice(WRITE_SIZE);
                    for part in data.chunks(slice) {
                        tx_pace.carry(part.len());
                        if let Err(e) = write_all(&mut writer, part) {
                            eprintln!("atmodule: writing the line: {e}");
                            break 'line;
                        }
                    }
                }
            })?;
        Ok(Line {
            path,
            input,
            output,
            _slave: slave,
        })
    }
}

/// A pause longer than this leaves the paced line idle.
const IDLE: Duration = Duration::from_millis(5);

/// A line rate imposed on a pty: each slice of bytes takes its time on
/// the line (10 bits a byte), one after the other.
struct Pace {
    /// Bits per second, 0 when not paced; shared by both directions.
    baud: Arc<AtomicU32>,
    /// When the line is free again.
    free: std::time::Instant,
}

impl Pace {
    fn new(baud: Arc<AtomicU32>) -> Pace {
        Pace {
            baud,
            free: std::time::Instant::now(),
        }
    }

    /// Bytes per second, if paced.
    fn rate(&self) -> Option<f64> {
        match self.baud.load(Ordering::Relaxed) {
            0 => None,
            baud => Some(f64::from(baud) / 10.0),
        }
    }

    /// A paced line's new rate, for both directions; an unpaced one stays
    /// unpaced.
    fn set_rate(&self, baud: u32) {
        let _ = self
            .baud
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                (b != 0).then_some(baud)
            });
    }

    /// How many bytes to move at once: about a millisecond of the line
    /// (at least 16), or `unpaced` when not paced.
    fn slice(&self, unpaced: usize) -> usize {
        self.rate()
            .map_or(unpaced, |r| ((r / 1000.0) as usize).clamp(16, unpaced))
    }

    /// Waits until `n` more bytes have had their time on the line.
    fn carry(&mut self, n: usize) {
        let Some(rate) = self.rate() else { return };
        let now = std::time::Instant::now();
        // Back to back, slices follow each other on the line (a sleep's
        // overshoot is not lost); after an idle spell the line starts now.
        let from = if now > self.free + IDLE {
            now
        } else {
            self.free
        };
        self.free = from + Duration::from_secs_f64(n as f64 / rate);
        if let Some(wait) = self.free.checked_duration_since(now) {
            thread::sleep(wait);
        }
    }
}

/// A poll that timed out or a signal: look again.
fn is_retry(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock
    )
}

fn write_all(port: &mut TTYPort, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        match port.write(data) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if is_retry(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
