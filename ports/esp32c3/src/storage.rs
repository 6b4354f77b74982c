//! The module's stored settings in flash: the first two sectors of the
//! partition table's NVS data partition (0x9000 in espflash's default
//! table). esp-radio keeps ESP-IDF's NVS off, so nothing else writes there.
//!
//! Atomic under power loss (B-6), with driver-kit's [`Record`]: two slots,
//! one per sector, each a sequence-numbered blob with a CRC. A save erases
//! and writes the slot that does not hold the newest record, which stays
//! readable until the new one is complete and read back; at boot the
//! newest intact slot wins. What the blob means is the core's business; a
//! blob that does not decode is factory state to it.

use alloc::vec;
use alloc::vec::Vec;

use driver_kit::Record;
use esp_bootloader_esp_idf::partitions::{
    self, DataPartitionSubType, PARTITION_TABLE_MAX_LEN, PartitionType,
};
use esp_hal::peripherals::FLASH;
use esp_println::println;
use esp_storage::FlashStorage;
use firmware_core::Settings;

/// The core's settings blob.
pub(crate) type Blob = Vec<u8>;

const SECTOR: u32 = FlashStorage::SECTOR_SIZE;
const LAYOUT: Record = Record::new(Settings::MAX_ENCODED_LEN);
/// A slot as written: whole flash words.
const SLOT_WORDS: usize = LAYOUT.slot_len().div_ceil(4);

/// A slot's bytes, word-aligned as the flash ROM routines read and write.
#[repr(C, align(4))]
struct Words([u8; SLOT_WORDS * 4]);

/// The settings sectors.
pub(crate) struct Store {
    flash: FlashStorage<'static>,
    /// The first sector's flash address; `None` without an NVS partition
    /// of two sectors (settings then last until power-off).
    base: Option<u32>,
    /// Both slots as the flash holds them.
    image: Vec<u8>,
}

impl Store {
    /// Finds the sectors and reads the settings in force (`None`: factory).
    pub(crate) fn open(flash: FLASH<'static>) -> (Self, Option<Blob>) {
        let mut flash = FlashStorage::new(flash);
        let base = find_sectors(&mut flash);
        let mut store = Store {
            flash,
            base,
            image: vec![0xFF; LAYOUT.image_len()],
        };
        for slot in 0..2 {
            if let Some(words) = store.read(slot) {
                store
                    .slot(slot)
                    .copy_from_slice(&words.0[..LAYOUT.slot_len()]);
            }
        }
        let stored = LAYOUT.read(&store.image).map(<[u8]>::to_vec);
        (store, stored)
    }

    /// Makes `blob` the settings in force; whether it is durably so.
    pub(crate) fn save(&mut self, blob: &[u8]) -> bool {
        let Some(base) = self.base else {
            // No place to keep them: they last until power-off (README.md).
            return true;
        };
        let Some((at, bytes)) = LAYOUT.write(&self.image, blob) else {
            return false;
        };
        let slot = at / LAYOUT.slot_len();
        let mut words = Words([0xFF; SLOT_WORDS * 4]);
        words.0[..bytes.len()].copy_from_slice(&bytes);
        let sector = base + slot as u32 * SECTOR;
        // Until it reads back whole, the slot holds nothing.
        self.slot(slot).fill(0xFF);
        let written = self
            .flash
            .erase(sector, sector + SECTOR)
            .and_then(|()| self.flash.write_nor(sector, &words.0));
        if let Err(e) = written {
            println!("settings: writing failed: {e:?}");
            return false;
        }
        let durable = self.read(slot).is_some_and(|r| r.0 == words.0);
        if durable {
            self.slot(slot).copy_from_slice(&bytes);
        } else {
            println!("settings: the written record does not read back");
        }
        durable
    }

    fn slot(&mut self, slot: usize) -> &mut [u8] {
        let len = LAYOUT.slot_len();
        &mut self.image[slot * len..(slot + 1) * len]
    }

    fn read(&mut self, slot: usize) -> Option<Words> {
        let sector = self.base? + slot as u32 * SECTOR;
        let mut words = Words([0; SLOT_WORDS * 4]);
        self.flash.read_nor(sector, &mut words.0).ok()?;
        Some(words)
    }
}

/// The first sector of the NVS partition, if it has two.
fn find_sectors(flash: &mut FlashStorage<'static>) -> Option<u32> {
    let mut buf = [0u8; PARTITION_TABLE_MAX_LEN];
    let nvs = partitions::read_partition_table(flash, &mut buf)
        .and_then(|table| table.find_partition(PartitionType::Data(DataPartitionSubType::Nvs)));
    match nvs {
        Ok(Some(p)) if p.len() >= 2 * SECTOR && p.offset() % SECTOR == 0 => Some(p.offset()),
        other => {
            println!(
                "settings: no NVS partition of two sectors ({other:?}); stored settings are not kept"
            );
            None
        }
    }
}
