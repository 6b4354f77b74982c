//! The module's flash: a two-slot settings record (`driver_kit::Record`)
//! that takes time to write, so power can be lost in the middle (B-6).
//!
//! A write lands byte by byte over [`WRITE_TIME`]; a power loss at any
//! instant leaves the bytes that landed by then and the rest as they were.
//! The record's layout makes that the old settings or the new ones, whole;
//! the core's `OK` waits for the write to finish.

use std::time::Duration;

use driver_kit::Record;
use firmware_core::Settings;

/// How long one settings write takes: a small NOR program, order of a
/// couple of milliseconds.
pub const WRITE_TIME: Duration = Duration::from_millis(2);

/// The layout of the record.
const RECORD: Record = Record::new(Settings::MAX_ENCODED_LEN);

/// A write under way.
#[derive(Debug, Clone)]
struct Write {
    start: Duration,
    offset: usize,
    bytes: Vec<u8>,
}

/// The flash's bytes, and the write under way.
#[derive(Debug, Clone)]
pub struct Flash {
    image: Vec<u8>,
    pending: Option<Write>,
}

impl Flash {
    /// An erased flash, or one holding `blob` as its record.
    pub fn new(blob: &[u8]) -> Self {
        let mut flash = Flash {
            image: vec![0xFF; RECORD.image_len()],
            pending: None,
        };
        if !blob.is_empty() {
            flash.begin(Duration::ZERO, blob);
            flash.settle(WRITE_TIME);
        }
        flash
    }

    /// Starts writing `blob` at `now`; returns when it is done.
    pub fn begin(&mut self, now: Duration, blob: &[u8]) -> Duration {
        self.settle(now);
        let (offset, bytes) = RECORD
            .write(&self.image, blob)
            .expect("the core's blob fits the record");
        self.pending = Some(Write {
            start: now,
            offset,
            bytes,
        });
        now + WRITE_TIME
    }

    /// Applies what of the write under way has landed by `now` (all of it
    /// once `WRITE_TIME` passed). Call it at power loss, before reading.
    pub fn settle(&mut self, now: Duration) {
        let Some(w) = &self.pending else { return };
        let elapsed = now.saturating_sub(w.start);
        let landed = if elapsed >= WRITE_TIME {
            w.bytes.len()
        } else {
            (w.bytes.len() as u128 * elapsed.as_nanos() / WRITE_TIME.as_nanos()) as usize
        };
        self.image[w.offset..w.offset + landed].copy_from_slice(&w.bytes[..landed]);
        if landed == w.bytes.len() {
            self.pending = None;
        }
    }

    /// Forgets the write under way, as power loss does once `settle` took
    /// what landed.
    pub fn power_loss(&mut self, now: Duration) {
        self.settle(now);
        self.pending = None;
    }

    /// The settings blob the newest intact record holds; empty if none (the
    /// core reads that as factory settings).
    pub fn blob(&self) -> Vec<u8> {
        RECORD
            .read(&self.image)
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use firmware_core::DnsSetting;
    use std::net::Ipv4Addr;

    fn settings(last: u8) -> Settings {
        Settings {
            sysstore: true,
            dns: DnsSetting::manual(&[Ipv4Addr::new(10, 0, 0, last)]).unwrap(),
            station: None,
            line_rate: None,
        }
    }

    #[test]
    fn a_power_loss_at_every_microsecond_of_a_write_leaves_old_or_new_never_a_mix() {
        let (old, new) = (settings(1), settings(2));
        let mut base = Flash::new(&old.encode());
        // A second write first, so the next one overwrites a slot that
        // holds an older record (the harder case).
        let done = base.begin(Duration::from_secs(1), &settings(3).encode());
        base.settle(done);
        let old = settings(3);
        let start = Duration::from_secs(2);
        let micros = WRITE_TIME.as_micros() as u64;
        let (mut olds, mut news) = (0, 0);
        for t in 0..=micros {
            let mut f = base.clone();
            f.begin(start, &new.encode());
            f.power_loss(start + Duration::from_micros(t));
            let got = Settings::decode(&f.blob());
            if got == old {
                olds += 1;
            } else {
                assert_eq!(got, new, "a mix at {t} us");
                news += 1;
            }
        }
        assert_eq!(olds + news, micros + 1);
        assert!(
            olds > 0 && news > 0,
            "both outcomes seen: {olds} old, {news} new"
        );
    }

    #[test]
    fn an_erased_flash_is_factory() {
        assert_eq!(Flash::new(&[]).blob(), Vec::<u8>::new());
        assert_eq!(Settings::decode(&Flash::new(&[]).blob()), Settings::FACTORY);
    }
}
