//! What happened, in order, stamped with simulated time.
//!
//! Every UART byte in both directions (as pieces the module's UART driver
//! delivered, and as chunks the module wrote) and every network command and
//! event the module's driver saw. Rendered as text with CR, LF and other
//! non-printing bytes spelled out, one entry per line, so two transcripts
//! diff cleanly and a golden file reads like a log.

use std::fmt::{self, Write};
use std::time::Duration;

/// One transcript line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Simulated time since the simulation started.
    pub at: Duration,
    /// What happened.
    pub event: Event,
}

/// The kinds of transcript line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A UART piece the module received from the host MCU.
    UartIn(Vec<u8>),
    /// Bytes the module wrote to its UART.
    UartOut(Vec<u8>),
    /// A network command of the module, or an event its driver reported.
    Net(String),
    /// Something the scenario did: a fault, a power cycle, a peer added.
    Note(String),
}

/// A whole run's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    /// The seed the run used; a failing run prints it.
    pub seed: u64,
    entries: Vec<Entry>,
}

impl Transcript {
    /// An empty transcript for a run with `seed`.
    pub fn new(seed: u64) -> Self {
        Transcript {
            seed,
            entries: Vec::new(),
        }
    }

    /// Appends an entry; consecutive UART output at one instant is merged.
    pub fn push(&mut self, at: Duration, event: Event) {
        if let (Some(last), Event::UartOut(more)) = (self.entries.last_mut(), &event)
            && last.at == at
            && let Event::UartOut(bytes) = &mut last.event
        {
            bytes.extend_from_slice(more);
            return;
        }
        self.entries.push(Entry { at, event });
    }

    /// The entries so far.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The text form (also what `Display` prints).
    pub fn render(&self) -> String {
        self.to_string()
    }

    /// The text form with UART data as sizes and checksums instead of
    /// bytes: for bulk transfers, where the packet boundaries and the
    /// stream's integrity matter, not each byte.
    pub fn render_digest(&self) -> String {
        let mut out = String::new();
        let _ = self.write(&mut out, true);
        out
    }

    fn write(&self, f: &mut impl Write, digest: bool) -> fmt::Result {
        writeln!(f, "# atcert transcript, seed {}", self.seed)?;
        for e in &self.entries {
            write!(f, "{:>4}.{:06} ", e.at.as_secs(), e.at.subsec_micros())?;
            match &e.event {
                Event::UartIn(b) => {
                    f.write_str("host> ")?;
                    bytes(f, b, digest)?;
                }
                Event::UartOut(b) => {
                    f.write_str("<mod ")?;
                    bytes(f, b, digest)?;
                }
                Event::Net(s) => write!(f, "net   {s}")?,
                Event::Note(s) => write!(f, "note  {s}")?,
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// UART bytes, escaped, or as `[n bytes fnv1a:h]`.
fn bytes(f: &mut impl Write, b: &[u8], digest: bool) -> fmt::Result {
    if !digest {
        return escape(f, b);
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h = (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
    }
    write!(f, "[{} bytes fnv1a:{h:016x}]", b.len())
}

/// Writes bytes with `\r`, `\n`, `\\` and non-printing bytes escaped.
pub fn escape(out: &mut impl Write, bytes: &[u8]) -> fmt::Result {
    for &b in bytes {
        match b {
            b'\r' => out.write_str("\\r")?,
            b'\n' => out.write_str("\\n")?,
            b'\\' => out.write_str("\\\\")?,
            0x20..=0x7e => out.write_char(char::from(b))?,
            _ => write!(out, "\\x{b:02x}")?,
        }
    }
    Ok(())
}

/// Undoes [`escape`]; also takes `\"` for a quote, so byte strings of
/// feature files (spec/STEPS.md) and of session scripts read the same way.
///
/// # Errors
/// An unknown escape or a bad `\xNN`.
pub fn unescape(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match it.next() {
            Some(b'r') => out.push(b'\r'),
            Some(b'n') => out.push(b'\n'),
            Some(b'"') => out.push(b'"'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex: String = it.by_ref().take(2).map(char::from).collect();
                out.push(u8::from_str_radix(&hex, 16).map_err(|_| format!("bad escape \\x{hex}"))?);
            }
            other => return Err(format!("bad escape \\{:?}", other.map(char::from))),
        }
    }
    Ok(out)
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_control_bytes_visibly_and_merges_output() {
        let mut t = Transcript::new(9);
        t.push(
            Duration::from_micros(1_500),
            Event::UartIn(b"AT\r\n".to_vec()),
        );
        t.push(
            Duration::from_micros(2_000),
            Event::UartOut(b"\r\nOK".to_vec()),
        );
        t.push(
            Duration::from_micros(2_000),
            Event::UartOut(b"\r\n\x00".to_vec()),
        );
        assert_eq!(
            t.render(),
            "# atcert transcript, seed 9\n   0.001500 host> AT\\r\\n\n   0.002000 <mod \\r\\nOK\\r\\n\\x00\n"
        );
    }
}
