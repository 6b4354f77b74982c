//! Settings on raw flash, atomic under power loss (B-6).
//!
//! Flash is written a word at a time; power lost mid-write leaves a slot
//! half old, half new. So the image holds two slots, and a write goes to
//! the slot that does not hold the newest record, with the next sequence
//! number and a CRC over all of it. A torn slot fails its CRC and the other
//! slot, the previous record, is read. A driver on a file system uses
//! write-rename-fsync instead; one on an ESP32's NVS gets the same
//! guarantee from its records.
//!
//! A slot: magic `b"ATRC"`, sequence (u32 LE), blob length (u16 LE), the
//! blob, CRC-32/ISO-HDLC of everything before it (u32 LE).

use alloc::vec::Vec;

use crc::{CRC_32_ISO_HDLC, Crc, NoTable};

const MAGIC: [u8; 4] = *b"ATRC";
const HEAD: usize = 4 + 4 + 2;
const CRC32: Crc<u32, NoTable> = Crc::<u32, NoTable>::new(&CRC_32_ISO_HDLC);

/// The layout of a two-slot image for blobs of at most `max_blob` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    max_blob: usize,
}

impl Record {
    /// A layout for blobs up to `max_blob` bytes (at most 65535).
    pub const fn new(max_blob: usize) -> Self {
        assert!(max_blob <= u16::MAX as usize);
        Record { max_blob }
    }

    /// The bytes of one slot.
    pub const fn slot_len(&self) -> usize {
        HEAD + self.max_blob + 4
    }

    /// The bytes of the whole image (an erased image reads as no record).
    pub const fn image_len(&self) -> usize {
        2 * self.slot_len()
    }

    /// The newest intact blob in `image`; `None` if neither slot is.
    pub fn read<'a>(&self, image: &'a [u8]) -> Option<&'a [u8]> {
        let (_, seq, blob) = self.newest(image)?;
        let _ = seq;
        Some(blob)
    }

    /// Where to write `blob` next and the bytes to write there: the slot
    /// without the newest record, which stays readable until the new one
    /// is complete. `None` if `blob` is longer than the layout allows.
    pub fn write(&self, image: &[u8], blob: &[u8]) -> Option<(usize, Vec<u8>)> {
        if blob.len() > self.max_blob {
            return None;
        }
        let (slot, seq) = match self.newest(image) {
            Some((newest, seq, _)) => (1 - newest, seq.wrapping_add(1)),
            None => (0, 1),
        };
        let mut bytes = Vec::with_capacity(self.slot_len());
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&seq.to_le_bytes());
        bytes.extend_from_slice(&(blob.len() as u16).to_le_bytes());
        bytes.extend_from_slice(blob);
        let crc = CRC32.checksum(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        Some((slot * self.slot_len(), bytes))
    }

    /// The intact slot with the highest sequence: (slot, sequence, blob).
    fn newest<'a>(&self, image: &'a [u8]) -> Option<(usize, u32, &'a [u8])> {
        let slots = (0..2).filter_map(|i| {
            let slot = image.get(i * self.slot_len()..(i + 1) * self.slot_len())?;
            let (seq, blob) = self.intact(slot)?;
            Some((i, seq, blob))
        });
        // Sequences wrap: the newer of two is the one ahead by less than half.
        slots.reduce(|a, b| {
            if b.1.wrapping_sub(a.1) < u32::MAX / 2 {
                b
            } else {
                a
            }
        })
    }

    fn intact<'a>(&self, slot: &'a [u8]) -> Option<(u32, &'a [u8])> {
        if slot[..4] != MAGIC {
            return None;
        }
        let seq = u32::from_le_bytes(slot[4..8].try_into().ok()?);
        let len = usize::from(u16::from_le_bytes(slot[8..10].try_into().ok()?));
        if len > self.max_blob {
            return None;
        }
        let end = HEAD + len;
        let crc = u32::from_le_bytes(slot[end..end + 4].try_into().ok()?);
        (CRC32.checksum(&slot[..end]) == crc).then(|| (seq, &slot[HEAD..end]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn apply(image: &mut [u8], at: usize, bytes: &[u8]) {
        image[at..at + bytes.len()].copy_from_slice(bytes);
    }

    #[test]
    fn an_erased_image_holds_no_record() {
        let r = Record::new(24);
        assert_eq!(r.read(&vec![0xFF; r.image_len()]), None);
        assert_eq!(r.read(&vec![0; r.image_len()]), None);
        assert_eq!(r.read(&[]), None);
    }

    #[test]
    fn writes_alternate_slots_and_the_newest_is_read() {
        let r = Record::new(24);
        let mut image = vec![0xFF; r.image_len()];
        for n in 0..5u8 {
            let (at, bytes) = r.write(&image, &[n; 24]).unwrap();
            assert_eq!(at, usize::from(n % 2) * r.slot_len());
            apply(&mut image, at, &bytes);
            assert_eq!(r.read(&image), Some(&[n; 24][..]));
        }
    }

    #[test]
    fn a_write_torn_after_any_byte_leaves_the_old_record_or_the_new() {
        let r = Record::new(24);
        let mut image = vec![0xFF; r.image_len()];
        for n in 0..3u8 {
            let (at, bytes) = r.write(&image, &[n; 24]).unwrap();
            apply(&mut image, at, &bytes);
        }
        let old = r.read(&image).unwrap().to_vec();
        let (at, bytes) = r.write(&image, &[9; 24]).unwrap();
        for torn in 0..=bytes.len() {
            let mut t = image.clone();
            apply(&mut t, at, &bytes[..torn]);
            let got = r.read(&t).expect("always a record");
            if torn == bytes.len() {
                assert_eq!(got, &[9; 24][..]);
            } else {
                assert_eq!(got, &old[..], "torn after {torn} bytes");
            }
        }
    }
}
