//! `DecodeError` and `EncodeError`: the ways a Connect group payload cannot be read or written.
//!
//! Decoding errors come from bytes another member sent, so each message says where in the
//! payload it broke and that the sender (or its version) is the thing to check. Encoding errors
//! come from our own values not fitting the wire format, so each names the field and the limit.

/// Bytes that are not a valid Connect worker metadata or assignment payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The payload ends before a field it must contain.
    #[error(
        "Connect group payload truncated: reading {what} at byte {offset} needs {needed} bytes \
         but only {available} remain (the sending member wrote a short or corrupt payload; \
         check that it runs a Kafka Connect compatible worker)"
    )]
    Truncated {
        /// The field being read.
        what: &'static str,
        /// Where in the payload the field starts.
        offset: usize,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes left in the payload.
        available: usize,
    },

    /// The version header is negative, which no Connect protocol version is.
    #[error(
        "Connect group payload has version {version}; versions are never negative (the \
         sending member is not speaking the Connect group protocol)"
    )]
    NegativeVersion {
        /// The version read from the header.
        version: i16,
    },

    /// A string or non-nullable array carries a negative length.
    #[error(
        "Connect group payload: {what} at byte {offset} has length {length}; only nullable \
         fields may use -1 and this one is not nullable (the sending member wrote a corrupt \
         payload)"
    )]
    NegativeLength {
        /// The field being read.
        what: &'static str,
        /// Where in the payload the length starts.
        offset: usize,
        /// The length read.
        length: i32,
    },

    /// A string's bytes are not UTF-8.
    #[error(
        "Connect group payload: {what} at byte {offset} is not valid UTF-8 (the sending member \
         wrote a corrupt payload)"
    )]
    InvalidUtf8 {
        /// The field being read.
        what: &'static str,
        /// Where in the payload the string's bytes start.
        offset: usize,
    },

    /// A task number below -1; -1 means "the connector itself" and real tasks count from 0.
    #[error(
        "Connect assignment lists task {task} of connector `{connector}`; task numbers are -1 \
         (the connector itself) or 0 and up (the leader that sent it is broken)"
    )]
    InvalidTask {
        /// The connector the entry is for.
        connector: String,
        /// The task number read.
        task: i32,
    },

    /// The allocation embedded in worker metadata is itself not a valid assignment.
    #[error("Connect worker metadata: its embedded allocation is invalid: {0}")]
    InvalidAllocation(#[source] Box<DecodeError>),
}

/// A value that cannot be written in the Connect group protocol's wire format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// Only versions 0, 1 and 2 have a known layout to write.
    #[error(
        "cannot encode Connect group payload version {version}: only 0 (default), \
         1 (compatible) and 2 (sessioned) are defined; pick one of those"
    )]
    UnsupportedVersion {
        /// The version asked for.
        version: i16,
    },

    /// A string or array is longer than its length prefix can say.
    #[error(
        "cannot encode {what}: its length {len} exceeds the wire format's limit of {max}; \
         shorten it"
    )]
    TooLong {
        /// The field being written.
        what: &'static str,
        /// Its length (bytes for strings, elements for arrays).
        len: usize,
        /// The largest length the prefix allows.
        max: usize,
    },

    /// A task number that does not fit the wire's int32.
    #[error(
        "cannot encode task {task} of connector `{connector}`: task numbers must fit in a \
         signed 32-bit integer"
    )]
    TaskOutOfRange {
        /// The connector the task belongs to.
        connector: String,
        /// The task number.
        task: u32,
    },

    /// A field set on a value whose version has no place for it.
    #[error(
        "cannot encode {what} in a version 0 (default, eager) payload: that version has no such \
         field; clear it or encode as version 1 or 2"
    )]
    NotInVersion0 {
        /// The field that is set.
        what: &'static str,
    },
}
