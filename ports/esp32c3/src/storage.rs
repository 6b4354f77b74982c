//! The module's stored settings in one flash sector: the first sector of the
//! partition table's NVS data partition (0x9000 in espflash's default
//! table). esp-radio keeps ESP-IDF's NVS off, so nothing else writes there.
//!
//! NVS-like, in miniature: the sector is a log of fixed-size records, each
//! the core's settings blob behind a magic word. A save appends a record in
//! the next erased slot; only a full sector is erased, once per
//! `RECORDS` saves. At boot the last record that reads back intact wins,
//! so a save cut short by a power loss leaves the one before it in force.
//! What the blob means is the core's business; a blob that does not decode
//! is factory state to it.

use esp_bootloader_esp_idf::partitions::{
    self, DataPartitionSubType, PARTITION_TABLE_MAX_LEN, PartitionType,
};
use esp_hal::peripherals::FLASH;
use esp_println::println;
use esp_storage::FlashStorage;
use firmware_core::Settings;

/// The core's settings blob.
pub(crate) type Blob = [u8; Settings::ENCODED_LEN];

const SECTOR: u32 = FlashStorage::SECTOR_SIZE;
/// Marks a record; anything else in a slot is not ours.
const MAGIC: [u8; 4] = *b"ATs1";
/// Magic + blob, padded to a power of two so records tile the sector.
const RECORD: usize = (MAGIC.len() + Settings::ENCODED_LEN).next_power_of_two();
const RECORDS: u32 = SECTOR / RECORD as u32;

/// A record, word-aligned as the flash ROM routines read and write it.
#[repr(C, align(4))]
struct Record([u8; RECORD]);

impl Record {
    fn new(blob: &Blob) -> Self {
        let mut r = Record([0xFF; RECORD]);
        r.0[..MAGIC.len()].copy_from_slice(&MAGIC);
        r.0[MAGIC.len()..MAGIC.len() + blob.len()].copy_from_slice(blob);
        r
    }

    fn is_erased(&self) -> bool {
        self.0.iter().all(|&b| b == 0xFF)
    }

    /// The blob, if this is a whole record of ours: the magic, and a blob
    /// that survives a decode/encode round trip (a torn write does not).
    fn blob(&self) -> Option<Blob> {
        let (magic, rest) = self.0.split_at(MAGIC.len());
        let blob: Blob = rest[..Settings::ENCODED_LEN].try_into().ok()?;
        (magic == MAGIC && Settings::decode(&blob).encode() == blob).then_some(blob)
    }
}

/// The settings sector.
pub(crate) struct Store {
    flash: FlashStorage<'static>,
    /// The sector's flash address; `None` without an NVS partition (settings
    /// then last until power-off).
    sector: Option<u32>,
    /// The slot the next save goes to.
    next: u32,
}

impl Store {
    /// Finds the sector and reads the settings in force (`None`: factory).
    pub(crate) fn open(flash: FLASH<'static>) -> (Self, Option<Blob>) {
        let mut flash = FlashStorage::new(flash);
        let sector = find_sector(&mut flash);
        let mut store = Store {
            flash,
            sector,
            next: 0,
        };
        let mut last = None;
        for slot in 0..RECORDS {
            if let Some(blob) = store.read(slot).and_then(|r| r.blob()) {
                last = Some(blob);
                store.next = slot + 1;
            }
        }
        (store, last)
    }

    /// Makes `blob` the settings in force.
    pub(crate) fn save(&mut self, blob: &Blob) {
        let Some(sector) = self.sector else { return };
        let erased = self.read(self.next).is_some_and(|r| r.is_erased());
        if self.next >= RECORDS || !erased {
            if let Err(e) = self.flash.erase(sector, sector + SECTOR) {
                println!("settings: erase failed: {e:?}");
                return;
            }
            self.next = 0;
        }
        let record = Record::new(blob);
        match self
            .flash
            .write_nor(sector + self.next * RECORD as u32, &record.0)
        {
            Ok(()) => self.next += 1,
            Err(e) => println!("settings: write failed: {e:?}"),
        }
    }

    fn read(&mut self, slot: u32) -> Option<Record> {
        let sector = self.sector.filter(|_| slot < RECORDS)?;
        let mut r = Record([0; RECORD]);
        self.flash
            .read_nor(sector + slot * RECORD as u32, &mut r.0)
            .ok()?;
        Some(r)
    }
}

/// The first sector of the NVS partition.
fn find_sector(flash: &mut FlashStorage<'static>) -> Option<u32> {
    let mut buf = [0u8; PARTITION_TABLE_MAX_LEN];
    let nvs = partitions::read_partition_table(flash, &mut buf)
        .and_then(|table| table.find_partition(PartitionType::Data(DataPartitionSubType::Nvs)));
    match nvs {
        Ok(Some(p)) if p.len() >= SECTOR && p.offset() % SECTOR == 0 => Some(p.offset()),
        other => {
            println!("settings: no NVS partition ({other:?}); stored settings are not kept");
            None
        }
    }
}
