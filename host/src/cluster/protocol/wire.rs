//! The primitive types of Kafka's old (non-flexible) struct encoding, which Connect's group
//! payloads use: big-endian fixed-width integers, `STRING` (int16 length + UTF-8),
//! `NULLABLE_BYTES` (int32 length, -1 = null) and arrays (int32 count, -1 = null, + elements).
//!
//! These payloads are in no Kafka message spec, so `kafka-protocol` cannot write them; this is
//! the small hand-written reader and writer they need. The reader never panics: every read is
//! bounds-checked and reports the field and byte offset where the input went wrong.

use bytes::{BufMut, BytesMut};

use super::error::{DecodeError, EncodeError};

/// A bounds-checked cursor over a received payload.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading `buf` at its first byte.
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Whether every byte has been read; the "tolerate missing fields" rule keys off this.
    pub(super) fn is_exhausted(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(DecodeError::Truncated {
                what,
                offset: self.pos,
                needed: n,
                available: self.remaining(),
            });
        }
        let bytes = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    /// Reads a big-endian int16.
    pub(super) fn i16(&mut self, what: &'static str) -> Result<i16, DecodeError> {
        self.array(what).map(i16::from_be_bytes)
    }

    /// Reads a big-endian int32.
    pub(super) fn i32(&mut self, what: &'static str) -> Result<i32, DecodeError> {
        self.array(what).map(i32::from_be_bytes)
    }

    /// Reads a big-endian int64.
    pub(super) fn i64(&mut self, what: &'static str) -> Result<i64, DecodeError> {
        self.array(what).map(i64::from_be_bytes)
    }

    /// Reads a `STRING`; a negative length is an error because this type has no null.
    pub(super) fn string(&mut self, what: &'static str) -> Result<String, DecodeError> {
        let offset = self.pos;
        let len = self.i16(what)?;
        let len = usize::try_from(len).map_err(|_| DecodeError::NegativeLength {
            what,
            offset,
            length: i32::from(len),
        })?;
        let start = self.pos;
        let bytes = self.take(len, what)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| DecodeError::InvalidUtf8 {
                what,
                offset: start,
            })
    }

    /// Reads `NULLABLE_BYTES`: `None` for any negative length, as Kafka's reader does.
    pub(super) fn nullable_bytes(
        &mut self,
        what: &'static str,
    ) -> Result<Option<&'a [u8]>, DecodeError> {
        let len = self.i32(what)?;
        match usize::try_from(len) {
            Ok(len) => self.take(len, what).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// Reads a nullable array's element count; `None` means a null array (any negative count).
    pub(super) fn nullable_array_len(
        &mut self,
        what: &'static str,
        min_element_size: usize,
    ) -> Result<Option<usize>, DecodeError> {
        let count = self.i32(what)?;
        match usize::try_from(count) {
            Ok(count) => self.check_fits(count, min_element_size, what).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// Reads a non-nullable array's element count; a negative count is an error.
    pub(super) fn array_len(
        &mut self,
        what: &'static str,
        min_element_size: usize,
    ) -> Result<usize, DecodeError> {
        let offset = self.pos;
        let count = self.i32(what)?;
        let count = usize::try_from(count).map_err(|_| DecodeError::NegativeLength {
            what,
            offset,
            length: count,
        })?;
        self.check_fits(count, min_element_size, what)
    }

    /// Each element takes at least `min_element_size` bytes, so a count the remaining bytes
    /// cannot hold is refused before anything is allocated for it.
    fn check_fits(
        &self,
        count: usize,
        min_element_size: usize,
        what: &'static str,
    ) -> Result<usize, DecodeError> {
        let needed = count.saturating_mul(min_element_size);
        if needed > self.remaining() {
            return Err(DecodeError::Truncated {
                what,
                offset: self.pos,
                needed,
                available: self.remaining(),
            });
        }
        Ok(count)
    }
}

/// Builds an outgoing payload, refusing values whose lengths the prefixes cannot carry.
#[derive(Default)]
pub(super) struct Writer {
    buf: BytesMut,
}

impl Writer {
    /// The bytes written so far.
    pub(super) fn finish(self) -> bytes::Bytes {
        self.buf.freeze()
    }

    /// Writes a big-endian int16.
    pub(super) fn i16(&mut self, value: i16) {
        self.buf.put_i16(value);
    }

    /// Writes a big-endian int32.
    pub(super) fn i32(&mut self, value: i32) {
        self.buf.put_i32(value);
    }

    /// Writes a big-endian int64.
    pub(super) fn i64(&mut self, value: i64) {
        self.buf.put_i64(value);
    }

    /// Writes a `STRING` (at most `i16::MAX` bytes of UTF-8).
    pub(super) fn string(&mut self, value: &str, what: &'static str) -> Result<(), EncodeError> {
        let len = i16::try_from(value.len()).map_err(|_| EncodeError::TooLong {
            what,
            len: value.len(),
            max: i16::MAX as usize,
        })?;
        self.buf.put_i16(len);
        self.buf.put_slice(value.as_bytes());
        Ok(())
    }

    /// Writes `NULLABLE_BYTES`, -1 for `None`.
    pub(super) fn nullable_bytes(
        &mut self,
        value: Option<&[u8]>,
        what: &'static str,
    ) -> Result<(), EncodeError> {
        match value {
            None => self.buf.put_i32(-1),
            Some(bytes) => {
                self.array_len(bytes.len(), what)?;
                self.buf.put_slice(bytes);
            }
        }
        Ok(())
    }

    /// Writes an array's (or a byte string's) int32 element count.
    pub(super) fn array_len(&mut self, len: usize, what: &'static str) -> Result<(), EncodeError> {
        let count = i32::try_from(len).map_err(|_| EncodeError::TooLong {
            what,
            len,
            max: i32::MAX as usize,
        })?;
        self.buf.put_i32(count);
        Ok(())
    }
}
