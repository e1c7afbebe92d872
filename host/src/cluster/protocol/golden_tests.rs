//! Golden bytes: payloads decoded field by field and re-encoded byte for byte.
//!
//! The first two are the hex examples of the distributed-mode reference (§1.3 and §1.4, which
//! abbreviate the repeated URL and offset as `68…2f` and `00…05`; they are spelled out here
//! and the lengths match the stated 30 and 58 bytes). The rest are derived by hand from the
//! layout tables, not produced by this codec, to pin the other versions and fields.

use super::*;

/// `"00 02 | 00 0e"` → bytes; spaces and `|` are only for reading.
pub(super) fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    assert_eq!(digits.len() % 2, 0, "odd number of hex digits in {text:?}");
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// STRING `http://a:8083/` (14 bytes).
const URL: &str = "00 0e 68 74 74 70 3a 2f 2f 61 3a 38 30 38 33 2f";
/// int64 5.
const OFFSET_5: &str = "00 00 00 00 00 00 00 05";
/// One entry: connector `c` with tasks [-1, 0], i.e. start `c` and `c-0`.
const START_C_AND_C0: &str = "00 00 00 01 · 00 01 63 · 00 00 00 02 ff ff ff ff 00 00 00 00";

/// Reference §1.3: sessioned metadata, `http://a:8083/`, offset 5, no allocation.
pub(super) fn reference_metadata_v2() -> Vec<u8> {
    hex(&format!("00 02 | {URL} | {OFFSET_5} | ff ff ff ff"))
}

/// Reference §1.4: v2 assignment, leader `L`, start `c` and `c-0`, nothing revoked, delay 0.
pub(super) fn reference_assignment_v2() -> Vec<u8> {
    hex(&format!(
        "00 02 | 00 00 | 00 01 4c | {URL} | {OFFSET_5} | {START_C_AND_C0} | 00 00 00 00 | 00 00 00 00"
    ))
}

fn start_c_and_c0(version: i16) -> Assignment {
    Assignment {
        version,
        error: NO_ERROR,
        leader: "L".into(),
        leader_url: "http://a:8083/".into(),
        config_offset: 5,
        connectors: vec!["c".into()],
        tasks: vec![TaskId::new("c", 0)],
        revoked_connectors: vec![],
        revoked_tasks: vec![],
        delay_ms: 0,
    }
}

#[test]
fn reference_metadata_v2_decodes_and_reencodes() {
    let bytes = reference_metadata_v2();
    assert_eq!(bytes.len(), 30);
    let metadata = WorkerMetadata::decode(&bytes).unwrap();
    assert_eq!(
        metadata,
        WorkerMetadata {
            version: 2,
            url: "http://a:8083/".into(),
            config_offset: 5,
            allocation: None,
        }
    );
    assert_eq!(metadata.encode().unwrap().as_ref(), bytes.as_slice());
}

#[test]
fn reference_assignment_v2_decodes_and_reencodes() {
    let bytes = reference_assignment_v2();
    assert_eq!(bytes.len(), 58);
    let assignment = Assignment::decode(&bytes).unwrap();
    assert_eq!(assignment, start_c_and_c0(2));
    assert!(!assignment.failed());
    assert_eq!(assignment.encode().unwrap().as_ref(), bytes.as_slice());
}

#[test]
fn sessioned_join_without_allocation_offers_reference_metadata_first() {
    let offered =
        join_group_protocols(ProtocolCompatibility::Sessioned, "http://a:8083/", 5, None).unwrap();
    assert_eq!(offered[0].0.protocol_name(), "sessioned");
    assert_eq!(offered[0].1.as_ref(), reference_metadata_v2().as_slice());
}

#[test]
fn derived_metadata_v0_has_no_allocation_field() {
    let bytes = hex(&format!("00 00 | {URL} | {OFFSET_5}"));
    assert_eq!(bytes.len(), 26);
    let metadata = WorkerMetadata::decode(&bytes).unwrap();
    assert_eq!(metadata.version, 0);
    assert_eq!(metadata.url, "http://a:8083/");
    assert_eq!(metadata.config_offset, 5);
    assert_eq!(metadata.allocation, None);
    assert_eq!(metadata.encode().unwrap().as_ref(), bytes.as_slice());
}

#[test]
fn derived_metadata_v1_embeds_its_allocation_with_its_own_header() {
    // The allocation is the reference assignment stamped version 1: 58 bytes = 0x3a.
    let allocation = format!(
        "00 01 | 00 00 | 00 01 4c | {URL} | {OFFSET_5} | {START_C_AND_C0} | 00 00 00 00 | 00 00 00 00"
    );
    let bytes = hex(&format!(
        "00 01 | {URL} | {OFFSET_5} | 00 00 00 3a | {allocation}"
    ));
    assert_eq!(bytes.len(), 26 + 4 + 58);
    let metadata = WorkerMetadata::decode(&bytes).unwrap();
    assert_eq!(metadata.version, 1);
    assert_eq!(metadata.allocation, Some(start_c_and_c0(1)));
    assert_eq!(metadata.encode().unwrap().as_ref(), bytes.as_slice());
}

#[test]
fn derived_assignment_v0_reads_with_defaults_for_incremental_fields() {
    let bytes = hex(&format!(
        "00 00 | 00 00 | 00 01 4c | {URL} | {OFFSET_5} | {START_C_AND_C0}"
    ));
    assert_eq!(bytes.len(), 50);
    let assignment = Assignment::decode(&bytes).unwrap();
    assert_eq!(assignment, start_c_and_c0(0));
    assert_eq!(assignment.encode().unwrap().as_ref(), bytes.as_slice());
}

#[test]
fn derived_assignment_v1_with_revocations_delay_and_error() {
    // CONFIG_MISMATCH, leader `L`, start c-1 and c-2 (no connector instance, so no -1);
    // revoke connector `d` and tasks d-0, d-3; rejoin in 300000 ms (0x000493e0).
    let bytes = hex(&format!(
        "00 01 | 00 01 | 00 01 4c | {URL} | {OFFSET_5} \
         | 00 00 00 01 · 00 01 63 · 00 00 00 02 00 00 00 01 00 00 00 02 \
         | 00 00 00 01 · 00 01 64 · 00 00 00 03 ff ff ff ff 00 00 00 00 00 00 00 03 \
         | 00 04 93 e0"
    ));
    let assignment = Assignment::decode(&bytes).unwrap();
    assert_eq!(
        assignment,
        Assignment {
            version: 1,
            error: CONFIG_MISMATCH,
            leader: "L".into(),
            leader_url: "http://a:8083/".into(),
            config_offset: 5,
            connectors: vec![],
            tasks: vec![TaskId::new("c", 1), TaskId::new("c", 2)],
            revoked_connectors: vec!["d".into()],
            revoked_tasks: vec![TaskId::new("d", 0), TaskId::new("d", 3)],
            delay_ms: 300_000,
        }
    );
    assert!(assignment.failed());
    assert_eq!(assignment.encode().unwrap().as_ref(), bytes.as_slice());
}
