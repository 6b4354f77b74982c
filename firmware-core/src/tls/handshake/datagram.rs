//! DTLS's reliability over datagrams (RFC 6347 §4.2): the records of one
//! datagram, handshake messages joined from their fragments in order (one
//! ahead or with a gap is dropped: the server sends it again), and the
//! last flight sent again on its timer or when the server repeats its own.

use alloc::vec::Vec;

use super::{Handshake, MAX_MESSAGE, Progress, State, peer_alert, u24};
use crate::time::Instant;
use crate::tls::Transport;
use crate::tls::alert::{Alert, AlertDescription};
use crate::tls::messages::{self, header_len};
use crate::tls::record::{ContentType, Header};

impl Handshake {
    /// DTLS: handles the records of one datagram; drops those that fail.
    pub(super) fn process_datagram(
        &mut self,
        now: Instant,
        datagram: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Progress, Alert> {
        let mut rest = datagram;
        while !rest.is_empty() {
            if self.state == State::Established {
                self.received.extend_from_slice(rest);
                break;
            }
            let Some(header) = Header::parse(self.transport, rest) else {
                break;
            };
            let len = self.transport.header_len() + header.length;
            if len > rest.len() {
                break; // truncated: the rest of the datagram is dropped
            }
            let mut record = rest[..len].to_vec();
            rest = &rest[len..];
            let Ok(opened) = self.opener.open(&mut record) else {
                continue; // dropped silently (RFC 6347 §4.1.2.7)
            };
            let fragment = &record[opened.fragment];
            match opened.content_type {
                ContentType::Handshake => self.datagram_handshake(fragment, now, out)?,
                ContentType::ChangeCipherSpec => {
                    // A repeated one (of a repeated flight) is ignored.
                    if self.state == State::ChangeCipherSpec {
                        self.change_cipher_spec(fragment)?;
                    }
                }
                ContentType::Alert => peer_alert(fragment)?,
                ContentType::ApplicationData => {}
            }
        }
        Ok(if self.state == State::Established {
            Progress::Established
        } else {
            Progress::Handshaking
        })
    }

    /// DTLS: the handshake fragments of one record (RFC 6347 §4.2.2).
    fn datagram_handshake(
        &mut self,
        mut fragments: &[u8],
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Result<(), Alert> {
        let h = header_len(self.transport);
        while fragments.len() >= h && self.state != State::Established {
            let msg_type = fragments[0];
            let length = u24(&fragments[1..4]);
            let seq = u16::from_be_bytes([fragments[4], fragments[5]]);
            let offset = u24(&fragments[6..9]);
            let fragment_length = u24(&fragments[9..12]);
            if fragments.len() < h + fragment_length || offset + fragment_length > length {
                return Ok(()); // malformed: the rest is dropped
            }
            let data = &fragments[h..h + fragment_length];
            fragments = &fragments[h + fragment_length..];
            if seq < self.receive_seq {
                // The server sent its last flight again: it did not get
                // ours (RFC 6347 §4.2.4). Answer once per flight, on its
                // last message.
                if matches!(
                    msg_type,
                    messages::SERVER_HELLO_DONE | messages::HELLO_VERIFY_REQUEST
                ) && offset + fragment_length == length
                    && !self.flight.is_empty()
                {
                    self.resend(now, out)?;
                }
                continue;
            }
            if seq > self.receive_seq {
                continue; // ahead: dropped, the server sends it again
            }
            if !self.expects(msg_type) {
                return Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE));
            }
            if length > MAX_MESSAGE {
                return Err(Alert::local(AlertDescription::DECODE_ERROR));
            }
            if self.joining != Some((msg_type, length)) {
                self.joining = Some((msg_type, length));
                self.messages.clear();
            }
            let have = self.messages.len();
            if offset > have {
                continue; // a gap: dropped, the server sends it again
            }
            if offset + fragment_length > have {
                self.messages.extend_from_slice(&data[have - offset..]);
            }
            if self.messages.len() == length {
                let mut message = Vec::with_capacity(h + length);
                messages::message(self.transport, msg_type, seq, &self.messages, &mut message);
                self.joining = None;
                self.messages.clear();
                self.receive_seq += 1;
                self.handle_message(msg_type, &message, now, out)?;
            }
        }
        Ok(())
    }

    /// DTLS: the timer of a new flight.
    pub(super) fn arm(&mut self, now: Instant) {
        if self.transport == Transport::Dtls {
            self.wait = self.timers.retransmit;
            self.retransmit_at = Some(now + self.wait);
        }
    }

    /// DTLS: the last flight again, with new record sequence numbers.
    pub(super) fn resend(&mut self, now: Instant, out: &mut Vec<u8>) -> Result<(), Alert> {
        let flight = core::mem::take(&mut self.flight);
        let mut result = Ok(());
        for sent in &flight {
            result = self.seal(sent.protected, sent.content_type, &sent.fragment, out);
            if result.is_err() {
                break;
            }
        }
        self.flight = flight;
        self.retransmit_at = Some(now + self.wait);
        result.map_err(|_| Alert::local(AlertDescription::INTERNAL_ERROR))
    }
}
