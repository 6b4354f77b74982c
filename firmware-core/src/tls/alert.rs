//! Alerts (RFC 5246 §7.2): what ends a handshake, and which side said so.

use alloc::vec::Vec;

use super::record::{ContentType, Sealer};

/// An alert description (RFC 5246 §7.2, RFC 4279 §2). A newtype over the
/// byte, since a peer may send any value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AlertDescription(pub(crate) u8);

impl AlertDescription {
    pub(crate) const CLOSE_NOTIFY: Self = Self(0);
    pub(crate) const UNEXPECTED_MESSAGE: Self = Self(10);
    pub(crate) const BAD_RECORD_MAC: Self = Self(20);
    pub(crate) const RECORD_OVERFLOW: Self = Self(22);
    pub(crate) const HANDSHAKE_FAILURE: Self = Self(40);
    pub(crate) const ILLEGAL_PARAMETER: Self = Self(47);
    pub(crate) const DECODE_ERROR: Self = Self(50);
    pub(crate) const DECRYPT_ERROR: Self = Self(51);
    pub(crate) const PROTOCOL_VERSION: Self = Self(70);
    pub(crate) const INTERNAL_ERROR: Self = Self(80);
    pub(crate) const UNSUPPORTED_EXTENSION: Self = Self(110);
}

/// Who raised an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The module found the fault, and sent this alert (fatal) to the peer.
    Local,
    /// The peer sent it: a fatal alert, or close_notify.
    Peer,
    /// No alert: the handshake did not complete in time (TL-3), and
    /// nothing was sent. The description is handshake_failure.
    Timeout,
}

/// Why a handshake failed (TL-3: the CIPSTART gets `ERROR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Alert {
    /// What went wrong.
    pub(crate) description: AlertDescription,
    /// Which side said so.
    pub(crate) origin: Origin,
}

impl Alert {
    /// A fault the module found.
    pub(crate) const fn local(description: AlertDescription) -> Self {
        Alert {
            description,
            origin: Origin::Local,
        }
    }

    /// The handshake ran out of time.
    pub(crate) const fn timeout() -> Self {
        Alert {
            description: AlertDescription::HANDSHAKE_FAILURE,
            origin: Origin::Timeout,
        }
    }

    /// An alert the peer sent.
    pub(crate) const fn peer(description: u8) -> Self {
        Alert {
            description: AlertDescription(description),
            origin: Origin::Peer,
        }
    }
}

/// The alert levels (RFC 5246 §7.2).
pub(crate) const WARNING: u8 = 1;
pub(crate) const FATAL: u8 = 2;

/// Appends a fatal alert record, protected as `sealer` protects. Best
/// effort: a sealer that can seal no more (its sequence numbers used up)
/// sends nothing.
pub(crate) fn send_fatal(sealer: &mut Sealer, description: AlertDescription, out: &mut Vec<u8>) {
    let _ = sealer.seal(ContentType::Alert, &[FATAL, description.0], out);
}
