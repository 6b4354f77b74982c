//! The AT command line grammar (contract clauses G-1, G-2, G-3, G-5).
//!
//! Two stages, both sans-IO and panic-free on any input bytes:
//!
//! 1. [`LineAssembler`] turns the UART byte stream into lines (G-1, G-3).
//! 2. [`parse`] turns one line into a [`Request`]: command name, form and
//!    parameters (G-2, G-5).
//!
//! Grammar of a line, as accepted by [`parse`]:
//!
//! ```text
//! line     = "AT" name form
//! name     = "" | basic | "+" ext
//! basic    = 1*( A-Z | 0-9 )                  ; ATE0
//! ext      = 1*( A-Z | 0-9 | "_" )            ; AT+CIPSEND, AT+SYSSTORE
//! form     = "" | "?" | "=?" | "=" params     ; Exec, Query, Test, Set
//! params   = param *( "," param )             ; at most 8
//! param    = *SP ( quoted | bare )
//! quoted   = DQUOTE *( char | "\" ( DQUOTE | "\" | "," ) ) DQUOTE
//! bare     = *( any byte but "," )            ; trailing spaces trimmed
//! ```
//!
//! Names are case-sensitive, as in ESP-AT: `at` and `AT+cipmux` are errors.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::fmt;
use core::net::Ipv4Addr;

// ---------------------------------------------------------------------------
// Line assembly
// ---------------------------------------------------------------------------

/// Collects UART bytes into command lines.
///
/// `\r` and `\n` each end a line (G-1), so `\r\n` yields the line and then an
/// [`Line::Empty`], which the caller ignores. The buffer is allocated once with
/// capacity `max_len` and never grows: bytes beyond `max_len` are dropped and
/// the line is reported as [`Line::TooLong`] when its terminator arrives (G-3).
#[derive(Debug, Clone)]
pub(crate) struct LineAssembler {
    buf: Vec<u8>,
    max_len: usize,
    /// Bytes of the current line were dropped for lack of room.
    overflowed: bool,
    /// `buf` still holds the line handed out by the previous `push`; it is
    /// kept until the next call so the returned slice can borrow it.
    delivered: bool,
    /// Only CRLF ends a line (esp-at's EG-1); a lone CR or LF is the line's.
    crlf_only: bool,
    /// The last byte taken was a CR (kept in `buf`, or dropped).
    last_cr: bool,
}

/// A line ended by [`LineAssembler::push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// A non-empty line of at most `max_len` bytes, terminator excluded.
    Complete(&'a [u8]),
    /// The line had more than `max_len` bytes; its content was discarded.
    TooLong,
    /// A terminator with nothing before it, e.g. the `\n` of `\r\n`.
    Empty,
}

impl LineAssembler {
    /// Creates an assembler for lines of at most `max_len` bytes.
    pub(crate) fn new(max_len: usize) -> Self {
        Self {
            buf: Vec::with_capacity(max_len),
            max_len,
            overflowed: false,
            delivered: false,
            crlf_only: false,
            last_cr: false,
        }
    }

    /// An assembler whose lines end only with CRLF (esp-at.md EG-1): the
    /// CR counts towards no limit, and a lone CR or LF is part of the line.
    pub(crate) fn crlf_only(max_len: usize) -> Self {
        Self {
            buf: Vec::with_capacity(max_len + 1),
            crlf_only: true,
            ..Self::new(max_len)
        }
    }

    /// Feeds bytes until a line ends; returns how many bytes of `input` were
    /// consumed and the line if one ended.
    ///
    /// Bytes after the terminator are left unconsumed so the caller can switch
    /// modes (e.g. to `AT+CIPSEND` data) before feeding them. The returned
    /// slice is valid until the next call.
    pub(crate) fn push<'a>(&'a mut self, input: &[u8]) -> (usize, Option<Line<'a>>) {
        self.release();
        if self.crlf_only {
            return self.push_crlf(input);
        }
        let Some(end) = input.iter().position(|&b| b == b'\r' || b == b'\n') else {
            self.absorb(input);
            return (input.len(), None);
        };
        self.absorb(&input[..end]);
        self.delivered = true;
        (end + 1, Some(self.ended()))
    }

    fn push_crlf<'a>(&'a mut self, input: &[u8]) -> (usize, Option<Line<'a>>) {
        let mut cr = self.last_cr;
        let end = input.iter().position(|&b| {
            let ends = cr && b == b'\n';
            cr = b == b'\r';
            ends
        });
        let Some(end) = end else {
            self.absorb(input);
            self.last_cr = cr;
            return (input.len(), None);
        };
        self.absorb(&input[..end]);
        self.last_cr = false;
        self.delivered = true;
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        (end + 1, Some(self.ended()))
    }

    /// The line `buf` holds, now that its terminator came.
    fn ended(&mut self) -> Line<'_> {
        if core::mem::take(&mut self.overflowed) {
            Line::TooLong
        } else if self.buf.is_empty() {
            Line::Empty
        } else {
            Line::Complete(&self.buf)
        }
    }

    /// Drops a partial line, e.g. on entering data mode.
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.overflowed = false;
        self.delivered = false;
        self.last_cr = false;
    }

    /// Returns `true` if no partial line is pending.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.delivered || (self.buf.is_empty() && !self.overflowed)
    }

    /// Forgets the line handed out by the previous `push`.
    fn release(&mut self) {
        if core::mem::take(&mut self.delivered) {
            self.buf.clear();
        }
    }

    /// Appends terminator-free bytes, keeping at most `max_len` of them.
    fn absorb(&mut self, bytes: &[u8]) {
        // Room for a CRLF line's CR beyond the limit.
        let max = self.max_len + usize::from(self.crlf_only);
        let room = max.saturating_sub(self.buf.len());
        let (kept, dropped) = bytes.split_at(bytes.len().min(room));
        self.buf.extend_from_slice(kept);
        self.overflowed |= !dropped.is_empty();
    }
}

// ---------------------------------------------------------------------------
// Request parsing
// ---------------------------------------------------------------------------

/// The most parameters a command line may carry (G-5).
pub(crate) const MAX_ARGS: usize = 10;

/// One command line, split into name, form and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request<'a> {
    /// The command name after `AT`, keeping a leading `+`: `b"+CIPSEND"`,
    /// `b"E0"`, or empty for a bare `AT`.
    pub(crate) name: &'a [u8],
    /// What the line asks of the command.
    pub(crate) form: Form<'a>,
}

/// The four command forms of the AT grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "args are inline by design: one short-lived request on the stack, no allocation"
)]
pub(crate) enum Form<'a> {
    /// `AT+X`: run the command.
    Exec,
    /// `AT+X?`: report the current value.
    Query,
    /// `AT+X=?`: report the accepted parameters.
    Test,
    /// `AT+X=...`: run with parameters; there is always at least one.
    Set(Args<'a>),
}

/// The parameters of a `Set` line: at most [`MAX_ARGS`], without allocation
/// beyond the unescaped strings.
#[derive(Debug, Clone)]
pub(crate) struct Args<'a> {
    items: [Arg<'a>; MAX_ARGS],
    len: usize,
}

/// One parameter: a quoted string, a bare token or an omitted value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arg<'a> {
    /// Borrowed from the line unless the quoted string had escapes.
    value: Cow<'a, [u8]>,
    quoted: bool,
}

/// Why a line is not a well-formed AT command. Each one is answered `ERROR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyntaxError {
    /// The line does not start with upper-case `AT`.
    NotAt,
    /// The command name is empty after `+`, or has a character outside its
    /// set (lower case, or `_` in a basic name).
    BadName,
    /// After the name comes something other than nothing, `?`, `=?` or
    /// `=` with parameters (e.g. `?x`, `==1`, `=?x`).
    BadForm,
    /// A quoted parameter has no closing quote.
    UnterminatedQuote,
    /// A backslash inside quotes is not followed by `"`, `\` or `,`.
    BadEscape,
    /// Something other than a comma follows a closing quote.
    JunkAfterQuote,
    /// More than [`MAX_ARGS`] parameters.
    TooManyArgs,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotAt => "line does not start with AT",
            Self::BadName => "malformed command name",
            Self::BadForm => "malformed command form",
            Self::UnterminatedQuote => "unterminated quoted parameter",
            Self::BadEscape => "invalid escape in quoted parameter",
            Self::JunkAfterQuote => "characters after closing quote",
            Self::TooManyArgs => "too many parameters",
        })
    }
}

impl core::error::Error for SyntaxError {}

/// Parses one complete line (terminator excluded) into a request.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn parse(line: &[u8]) -> Result<Request<'_>, SyntaxError> {
    parse_as(line, false)
}

/// As [`parse`]; with `escape_any`, `\` before any byte in a quoted
/// string stands for that byte (esp-at.md EG-6), not only before `"`, `\`
/// and `,` (G-5).
pub(crate) fn parse_as(line: &[u8], escape_any: bool) -> Result<Request<'_>, SyntaxError> {
    let rest = line.strip_prefix(b"AT").ok_or(SyntaxError::NotAt)?;
    let (name, rest) = split_name(rest)?;
    let form = match rest {
        [] => Form::Exec,
        [b'?'] => Form::Query,
        [b'=', b'?'] => Form::Test,
        // `=?` and `==` are never the start of parameters, with spaces
        // between or not: reject rather than read `?x` or `=1` as a bare
        // token.
        [b'=', params @ ..] if matches!(trim_start_spaces(params), [b'?' | b'=', ..]) => {
            return Err(SyntaxError::BadForm);
        }
        [b'=', params @ ..] => Form::Set(parse_args(params, escape_any)?),
        _ => return Err(SyntaxError::BadForm),
    };
    Ok(Request { name, form })
}

/// Splits `rest` (the line after `AT`) into the command name and what follows.
fn split_name(rest: &[u8]) -> Result<(&[u8], &[u8]), SyntaxError> {
    let (prefix, allowed): (usize, fn(&u8) -> bool) = match rest.first() {
        Some(b'+') => (1, is_extended_name_byte),
        _ => (0, is_basic_name_byte),
    };
    // Scan a generous word so that `AT+CIPmux` reports a bad name, not a bad form.
    let word_len = rest[prefix..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
        .count();
    let (name, tail) = rest.split_at(prefix + word_len);
    let word = &name[prefix..];
    if (prefix == 1 && word.is_empty()) || !word.iter().all(allowed) {
        return Err(SyntaxError::BadName);
    }
    Ok((name, tail))
}

fn is_basic_name_byte(b: &u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn is_extended_name_byte(b: &u8) -> bool {
    is_basic_name_byte(b) || *b == b'_'
}

/// Parses the comma-separated parameters after `=` (G-5).
fn parse_args(mut rest: &[u8], escape_any: bool) -> Result<Args<'_>, SyntaxError> {
    let mut args = Args::EMPTY;
    loop {
        let Some(slot) = args.items.get_mut(args.len) else {
            return Err(SyntaxError::TooManyArgs);
        };
        let start = trim_start_spaces(rest);
        let (arg, after) = match start {
            [b'"', body @ ..] => parse_quoted(body, escape_any)?,
            _ => parse_bare(start),
        };
        *slot = arg;
        args.len += 1;
        match after {
            [] => return Ok(args),
            [b',', tail @ ..] => rest = tail,
            // A bare token always stops at a comma or the end, so only a
            // quoted one can get here.
            _ => return Err(SyntaxError::JunkAfterQuote),
        }
    }
}

/// Parses a quoted string whose opening quote is already consumed; returns it
/// and the bytes after the closing quote.
fn parse_quoted(body: &[u8], escape_any: bool) -> Result<(Arg<'_>, &[u8]), SyntaxError> {
    // First pass: validate and find the closing quote, so the second pass can
    // allocate exactly once, and only if there are escapes.
    let mut escapes = 0;
    let mut i = 0;
    let close = loop {
        match body.get(i) {
            None => return Err(SyntaxError::UnterminatedQuote),
            Some(b'"') => break i,
            Some(b'\\') => match body.get(i + 1) {
                Some(b'"' | b'\\' | b',') => {
                    escapes += 1;
                    i += 2;
                }
                Some(_) if escape_any => {
                    escapes += 1;
                    i += 2;
                }
                Some(_) => return Err(SyntaxError::BadEscape),
                None => return Err(SyntaxError::UnterminatedQuote),
            },
            Some(_) => i += 1,
        }
    };
    let (raw, after) = (&body[..close], &body[close + 1..]);
    let value = if escapes == 0 {
        Cow::Borrowed(raw)
    } else {
        let mut out = Vec::with_capacity(raw.len() - escapes);
        let mut bytes = raw.iter();
        while let Some(&b) = bytes.next() {
            // Validated above: a backslash is always followed by the escaped byte.
            let b = if b == b'\\' {
                bytes.next().copied().unwrap_or(b)
            } else {
                b
            };
            out.push(b);
        }
        Cow::Owned(out)
    };
    Ok((
        Arg {
            value,
            quoted: true,
        },
        after,
    ))
}

/// Parses a bare token up to the next comma; returns it and the bytes from
/// that comma on.
fn parse_bare(start: &[u8]) -> (Arg<'_>, &[u8]) {
    let end = start.iter().position(|&b| b == b',').unwrap_or(start.len());
    let (token, after) = start.split_at(end);
    let kept = token.len() - token.iter().rev().take_while(|&&b| b == b' ').count();
    let arg = Arg {
        value: Cow::Borrowed(&token[..kept]),
        quoted: false,
    };
    (arg, after)
}

fn trim_start_spaces(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|&&b| b == b' ').count();
    &bytes[n..]
}

impl<'a> Args<'a> {
    const EMPTY: Self = Self {
        items: [Arg::OMITTED; MAX_ARGS],
        len: 0,
    };

    /// Number of parameters, omitted ones included.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The `i`-th parameter, if the line had that many.
    pub(crate) fn get(&self, i: usize) -> Option<&Arg<'a>> {
        self.as_slice().get(i)
    }

    /// Iterates over the parameters in order.
    pub(crate) fn iter(&self) -> core::slice::Iter<'_, Arg<'a>> {
        self.as_slice().iter()
    }

    /// The parameters as a slice.
    pub(crate) fn as_slice(&self) -> &[Arg<'a>] {
        &self.items[..self.len]
    }
}

impl PartialEq for Args<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Args<'_> {}

impl<'a, 'b> IntoIterator for &'b Args<'a> {
    type Item = &'b Arg<'a>;
    type IntoIter = core::slice::Iter<'b, Arg<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Arg<'_> {
    const OMITTED: Self = Self {
        value: Cow::Borrowed(&[]),
        quoted: false,
    };

    /// Returns `true` for an empty, unquoted parameter (`1,,2`): the command
    /// uses its default. `""` is an empty string, not an omission.
    pub(crate) fn is_omitted(&self) -> bool {
        !self.quoted && self.value.is_empty()
    }

    /// Returns `true` if the parameter was written in double quotes.
    pub(crate) fn is_quoted(&self) -> bool {
        self.quoted
    }

    /// The string value, unescaped.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.value
    }

    /// The value as an integer: only an unquoted decimal with an optional
    /// leading `-`, within `i64`. `"1"`, `+1`, `1 2` and `0x1` are not integers.
    pub(crate) fn int(&self) -> Option<i64> {
        if self.quoted {
            return None;
        }
        let digits = self.value.strip_prefix(b"-").unwrap_or(&self.value);
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        // Now plain ASCII: `from_str` only adds the overflow check.
        core::str::from_utf8(&self.value).ok()?.parse().ok()
    }

    #[cfg(test)]
    /// The value as UTF-8, if it is valid UTF-8.
    pub(crate) fn str(&self) -> Option<&str> {
        core::str::from_utf8(&self.value).ok()
    }
}

/// Parses a strict dotted quad: four decimal parts 0–255, no sign, no empty
/// part, no leading zero except `0` itself, nothing else.
///
/// Leading zeros are refused because other stacks read them as octal.
pub(crate) fn parse_ipv4(bytes: &[u8]) -> Option<Ipv4Addr> {
    let mut parts = bytes.split(|&b| b == b'.');
    let mut octets = [0u8; 4];
    for octet in &mut octets {
        *octet = parse_octet(parts.next()?)?;
    }
    match parts.next() {
        None => Some(Ipv4Addr::from(octets)),
        Some(_) => None,
    }
}

fn parse_octet(part: &[u8]) -> Option<u8> {
    if part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
        return None;
    }
    let mut value: u16 = 0;
    for &d in part {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u16::from(d - b'0');
    }
    u8::try_from(value).ok()
}

#[cfg(test)]
mod tests;
