//! TLS's handshake over a byte stream: records cut anywhere by TCP, and
//! handshake messages split across records or sharing one (RFC 5246
//! §6.2.1): buffered until whole, then handled in order.

use alloc::vec::Vec;

use super::{Handshake, MAX_MESSAGE, Progress, State, peer_alert, record_alert, u24};
use crate::time::Instant;
use crate::tls::alert::{Alert, AlertDescription};
use crate::tls::messages::header_len;
use crate::tls::record::ContentType;

impl Handshake {
    /// TLS: opens and handles every whole record received, until the
    /// handshake is established or a record is incomplete.
    pub(super) fn process_stream(
        &mut self,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Result<Progress, Alert> {
        while self.state != State::Established {
            let len = match self.opener.record_len(&self.received) {
                Ok(Some(len)) if len <= self.received.len() => len,
                Ok(_) => return Ok(Progress::Handshaking),
                Err(e) => return Err(record_alert(e)),
            };
            let mut record: Vec<u8> = self.received.drain(..len).collect();
            let opened = self.opener.open(&mut record).map_err(record_alert)?;
            let fragment = &record[opened.fragment];
            match opened.content_type {
                ContentType::Handshake => self.stream_handshake(fragment, now, out)?,
                ContentType::ChangeCipherSpec => self.change_cipher_spec(fragment)?,
                ContentType::Alert => peer_alert(fragment)?,
                ContentType::ApplicationData => {
                    return Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE));
                }
            }
        }
        Ok(Progress::Established)
    }

    /// TLS: joins handshake bytes into messages and handles each whole one.
    fn stream_handshake(
        &mut self,
        fragment: &[u8],
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Result<(), Alert> {
        self.messages.extend_from_slice(fragment);
        let h = header_len(self.transport);
        while self.messages.len() >= h {
            let msg_type = self.messages[0];
            if !self.expects(msg_type) {
                return Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE));
            }
            let len = u24(&self.messages[1..4]);
            if len > MAX_MESSAGE {
                return Err(Alert::local(AlertDescription::DECODE_ERROR));
            }
            if self.messages.len() < h + len {
                break;
            }
            let message: Vec<u8> = self.messages.drain(..h + len).collect();
            self.handle_message(msg_type, &message, now, out)?;
        }
        // Nothing may follow the server's Finished in its record, and a
        // message may not straddle the ChangeCipherSpec (RFC 5246 §7.1).
        if matches!(self.state, State::Established | State::ChangeCipherSpec)
            && !self.messages.is_empty()
        {
            return Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE));
        }
        Ok(())
    }
}
