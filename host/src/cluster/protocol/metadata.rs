//! `WorkerMetadata`: what a worker tells the group about itself when it joins (the JoinGroup
//! `Protocols[].Metadata` bytes), and the list of sub-protocols with their metadata that a
//! worker offers.
//!
//! Layout (Java's `ConnectProtocol` and `IncrementalCooperativeConnectProtocol`): version
//! int16, url STRING, config-offset int64, and from version 1 allocation NULLABLE_BYTES, which
//! holds the worker's current full running set as a complete [`Assignment`] (own version
//! header), or -1 when it has none.

use bytes::Bytes;

use super::assignment::Assignment;
use super::compatibility::ProtocolCompatibility;
use super::error::{DecodeError, EncodeError};
use super::wire::{Reader, Writer};

/// One worker's JoinGroup metadata for one sub-protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerMetadata {
    /// Payload version: 0 (`default`), 1 (`compatible`) or 2 (`sessioned`). Decoding keeps any
    /// non-negative version, as Java does.
    pub version: i16,
    /// The worker's advertised REST URL, e.g. `http://host:8083/`; the leader forwards
    /// requests there.
    pub url: String,
    /// The worker's own config topic position (the leader assigns at the highest one).
    pub config_offset: i64,
    /// The connectors and tasks the worker runs now (versions 1 and 2 only); `None` when it
    /// runs nothing yet (fresh start) or has dropped its work.
    pub allocation: Option<Assignment>,
}

impl WorkerMetadata {
    /// Writes the metadata in the layout of its `version`; the allocation is written with its
    /// own version header.
    pub fn encode(&self) -> Result<Bytes, EncodeError> {
        let incremental = match self.version {
            0 => false,
            1 | 2 => true,
            version => return Err(EncodeError::UnsupportedVersion { version }),
        };
        if !incremental && self.allocation.is_some() {
            return Err(EncodeError::NotInVersion0 {
                what: "a worker allocation",
            });
        }
        let mut w = Writer::default();
        w.i16(self.version);
        w.string(&self.url, "worker URL")?;
        w.i64(self.config_offset);
        if incremental {
            let allocation = self
                .allocation
                .as_ref()
                .map(Assignment::encode)
                .transpose()?;
            w.nullable_bytes(allocation.as_deref(), "worker allocation")?;
        }
        Ok(w.finish())
    }

    /// Reads metadata of any version, the way Java's version 1 reader does (the leader uses it
    /// for every member, even under eager).
    ///
    /// If the payload ends right after config-offset (as version 0 does) the allocation is
    /// `None`. Bytes after the last field are ignored.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let version = r.i16("metadata version")?;
        if version < 0 {
            return Err(DecodeError::NegativeVersion { version });
        }
        let url = r.string("worker URL")?;
        let config_offset = r.i64("worker config offset")?;
        let allocation = if r.is_exhausted() {
            None
        } else {
            r.nullable_bytes("worker allocation")?
                .map(|inner| {
                    Assignment::decode(inner).map_err(|e| DecodeError::InvalidAllocation(e.into()))
                })
                .transpose()?
        };
        Ok(Self {
            version,
            url,
            config_offset,
            allocation,
        })
    }
}

/// The JoinGroup protocol list a worker in `mode` sends: each offered sub-protocol, most
/// preferred first, with metadata of that sub-protocol's version.
///
/// `allocation` is the worker's current running set; it is sent, re-stamped with each entry's
/// version, in the incremental entries only, since version 0 has no place for it.
pub fn join_group_protocols(
    mode: ProtocolCompatibility,
    url: &str,
    config_offset: i64,
    allocation: Option<&Assignment>,
) -> Result<Vec<(ProtocolCompatibility, Bytes)>, EncodeError> {
    mode.offered()
        .iter()
        .map(|&protocol| {
            let version = protocol.version();
            let allocation = allocation
                .filter(|_| protocol.is_incremental())
                .map(|a| Assignment {
                    version,
                    ..a.clone()
                });
            let metadata = WorkerMetadata {
                version,
                url: url.to_owned(),
                config_offset,
                allocation,
            };
            Ok((protocol, metadata.encode()?))
        })
        .collect()
}
