//! Round trips for every version, malformed input, encoder limits and the offered JoinGroup list.

use super::golden_tests::{hex, reference_assignment_v2, reference_metadata_v2};
use super::*;

use ProtocolCompatibility::{Compatible, Eager, Sessioned};

fn busy_assignment(version: i16) -> Assignment {
    let incremental = version > 0;
    Assignment {
        version,
        error: NO_ERROR,
        leader: "connect-w1:8083-6f1c".into(),
        leader_url: "http://w1:8083/".into(),
        config_offset: 1234,
        connectors: vec!["orders".into(), "ünïcode".into()],
        tasks: vec![
            TaskId::new("orders", 0),
            TaskId::new("orders", 1),
            TaskId::new("ünïcode", 0),
            TaskId::new("tasks-only", 7),
        ],
        revoked_connectors: if incremental {
            vec!["old".into()]
        } else {
            vec![]
        },
        revoked_tasks: if incremental {
            vec![TaskId::new("old", 0), TaskId::new("orders", 2)]
        } else {
            vec![]
        },
        delay_ms: if incremental { 5000 } else { 0 },
    }
}

#[test]
fn assignments_round_trip_in_every_version() {
    for version in 0..=2 {
        let assignment = busy_assignment(version);
        let bytes = assignment.encode().unwrap();
        assert_eq!(bytes[..2], version.to_be_bytes());
        assert_eq!(
            Assignment::decode(&bytes).unwrap(),
            assignment,
            "v{version}"
        );
    }
}

#[test]
fn metadata_round_trips_in_every_version() {
    for version in 0..=2 {
        let allocation = (version > 0).then(|| busy_assignment(version));
        let metadata = WorkerMetadata {
            version,
            url: "https://worker-7.example:8443/".into(),
            config_offset: -1,
            allocation,
        };
        let bytes = metadata.encode().unwrap();
        assert_eq!(
            WorkerMetadata::decode(&bytes).unwrap(),
            metadata,
            "v{version}"
        );
    }
}

#[test]
fn one_entry_per_connector_with_its_instance_first() {
    let assignment = Assignment {
        connectors: vec!["b".into(), "a".into(), "b".into()],
        tasks: vec![
            TaskId::new("a", 1),
            TaskId::new("z", 0),
            TaskId::new("b", 0),
        ],
        ..busy_assignment(1)
    };
    let bytes = assignment.encode().unwrap();
    // Skip version, error, leader, leader URL and offset to reach the assigned array.
    let start = 2 + 2 + (2 + assignment.leader.len()) + (2 + assignment.leader_url.len()) + 8;
    let expected = hex("00 00 00 03 \
         00 01 62  00 00 00 02  ff ff ff ff  00 00 00 00 \
         00 01 61  00 00 00 02  ff ff ff ff  00 00 00 01 \
         00 01 7a  00 00 00 01  00 00 00 00");
    assert_eq!(&bytes[start..start + expected.len()], expected.as_slice());
    let decoded = Assignment::decode(&bytes).unwrap();
    assert_eq!(decoded.connectors, ["b", "a"]);
    assert_eq!(
        decoded.tasks,
        [
            TaskId::new("b", 0),
            TaskId::new("a", 1),
            TaskId::new("z", 0)
        ]
    );
}

#[test]
fn every_truncation_of_the_reference_assignment_is_refused_except_at_field_ends() {
    let bytes = reference_assignment_v2();
    // Lengths at which the "tolerate missing fields" rule lets the payload end: after
    // config-offset, after the assigned array, after the revoked array, and complete.
    let field_ends = [31, 50, 54, 58];
    for len in 0..=bytes.len() {
        let result = Assignment::decode(&bytes[..len]);
        if field_ends.contains(&len) {
            assert!(result.is_ok(), "prefix of {len} bytes: {result:?}");
        } else {
            assert!(
                matches!(result, Err(DecodeError::Truncated { .. })),
                "prefix of {len} bytes: {result:?}"
            );
        }
    }
    let headless = Assignment::decode(&bytes[..31]).unwrap();
    assert!(headless.connectors.is_empty() && headless.tasks.is_empty());
}

#[test]
fn every_truncation_of_the_reference_metadata_is_refused_except_at_field_ends() {
    let bytes = reference_metadata_v2();
    for len in 0..=bytes.len() {
        let result = WorkerMetadata::decode(&bytes[..len]);
        if len == 26 || len == 30 {
            assert!(result.is_ok(), "prefix of {len} bytes: {result:?}");
        } else {
            assert!(
                matches!(result, Err(DecodeError::Truncated { .. })),
                "prefix of {len} bytes: {result:?}"
            );
        }
    }
}

#[test]
fn truncation_error_names_the_field_and_offset() {
    let err = WorkerMetadata::decode(&reference_metadata_v2()[..10]).unwrap_err();
    assert_eq!(
        err,
        DecodeError::Truncated {
            what: "worker URL",
            offset: 4,
            needed: 14,
            available: 6,
        }
    );
    assert!(err.to_string().contains("worker URL at byte 4"), "{err}");
}

#[test]
fn negative_versions_are_refused() {
    let err = WorkerMetadata::decode(&hex("ff ff 00 00")).unwrap_err();
    assert_eq!(err, DecodeError::NegativeVersion { version: -1 });
    let mut bytes = reference_assignment_v2();
    bytes[..2].copy_from_slice(&(-2i16).to_be_bytes());
    let err = Assignment::decode(&bytes).unwrap_err();
    assert_eq!(err, DecodeError::NegativeVersion { version: -2 });
}

#[test]
fn later_versions_read_with_the_version_1_layout_but_do_not_encode() {
    let mut bytes = reference_assignment_v2();
    bytes[1] = 3;
    let assignment = Assignment::decode(&bytes).unwrap();
    assert_eq!(assignment.version, 3);
    assert_eq!(assignment.tasks, [TaskId::new("c", 0)]);
    assert_eq!(
        assignment.encode().unwrap_err(),
        EncodeError::UnsupportedVersion { version: 3 }
    );
}

#[test]
fn negative_string_length_is_refused() {
    let err = WorkerMetadata::decode(&hex("00 01 ff fe")).unwrap_err();
    assert_eq!(
        err,
        DecodeError::NegativeLength {
            what: "worker URL",
            offset: 2,
            length: -2,
        }
    );
}

#[test]
fn negative_task_array_length_is_refused_but_null_connector_arrays_read_empty() {
    // Assigned: null; revoked: one entry for `c` whose task array claims -1 elements.
    let bytes = hex(
        "00 01 | 00 00 | 00 01 4c | 00 00 | 00 00 00 00 00 00 00 00 \
         | ff ff ff ff | 00 00 00 01 00 01 63 ff ff ff ff | 00 00 00 00",
    );
    let err = Assignment::decode(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            DecodeError::NegativeLength {
                what: "task list",
                length: -1,
                ..
            }
        ),
        "{err:?}"
    );

    let nulls = hex(
        "00 01 | 00 00 | 00 01 4c | 00 00 | 00 00 00 00 00 00 00 00 \
         | ff ff ff ff | ff ff ff ff | 00 00 00 00",
    );
    let assignment = Assignment::decode(&nulls).unwrap();
    assert!(assignment.connectors.is_empty() && assignment.revoked_tasks.is_empty());
    // Java never writes null arrays, and neither do we: they come back as empty ones.
    assert_eq!(
        Assignment::decode(&assignment.encode().unwrap()).unwrap(),
        assignment
    );
}

#[test]
fn counts_the_payload_cannot_hold_are_refused_before_allocating() {
    let bytes = hex("00 01 | 00 00 | 00 01 4c | 00 00 | 00 00 00 00 00 00 00 00 | 7f ff ff ff");
    let err = Assignment::decode(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            DecodeError::Truncated {
                what: "assigned connectors",
                available: 0,
                ..
            }
        ),
        "{err:?}"
    );
    let bytes = hex("00 02 | 00 00 | 00 00 00 00 00 00 00 00 | 7f ff ff ff 00");
    let err = WorkerMetadata::decode(&bytes).unwrap_err();
    assert!(
        matches!(
            err,
            DecodeError::Truncated {
                what: "worker allocation",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn invalid_utf8_and_bad_task_numbers_are_refused() {
    let bytes = hex("00 00 | 00 00 | 00 01 ff | 00 00 | 00 00 00 00 00 00 00 00 | 00 00 00 00");
    let err = Assignment::decode(&bytes).unwrap_err();
    assert_eq!(
        err,
        DecodeError::InvalidUtf8 {
            what: "assignment leader id",
            offset: 6,
        }
    );

    let bytes = hex("00 00 | 00 00 | 00 00 | 00 00 | 00 00 00 00 00 00 00 00 \
         | 00 00 00 01 00 01 63 00 00 00 01 ff ff ff fe");
    let err = Assignment::decode(&bytes).unwrap_err();
    assert_eq!(
        err,
        DecodeError::InvalidTask {
            connector: "c".into(),
            task: -2,
        }
    );
}

#[test]
fn an_empty_or_broken_allocation_is_refused_as_such() {
    let err = WorkerMetadata::decode(&hex(
        "00 01 | 00 00 | 00 00 00 00 00 00 00 00 | 00 00 00 00",
    ))
    .unwrap_err();
    assert!(
        matches!(&err, DecodeError::InvalidAllocation(inner)
            if matches!(**inner, DecodeError::Truncated { what: "assignment version", .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("embedded allocation"), "{err}");
}

#[test]
fn trailing_bytes_are_ignored_as_java_does() {
    let mut bytes = reference_assignment_v2();
    bytes.extend_from_slice(&[0xde, 0xad]);
    assert_eq!(
        Assignment::decode(&bytes).unwrap(),
        Assignment::decode(&reference_assignment_v2()).unwrap()
    );
    let mut bytes = reference_metadata_v2();
    bytes.push(0);
    assert!(WorkerMetadata::decode(&bytes).is_ok());
}

#[test]
fn decoders_never_panic_on_mangled_input() {
    let goldens = [reference_assignment_v2(), reference_metadata_v2()];
    for golden in &goldens {
        for at in 0..golden.len() {
            for value in [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff] {
                let mut bytes = golden.clone();
                bytes[at] = value;
                let _ = Assignment::decode(&bytes);
                let _ = WorkerMetadata::decode(&bytes);
            }
        }
    }
    // A cheap deterministic generator, so failures reproduce.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2000 {
        let bytes: Vec<u8> = (0..(state % 64))
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (state >> 56) as u8
            })
            .collect();
        state = state.wrapping_add(bytes.len() as u64 + 1);
        let _ = Assignment::decode(&bytes);
        let _ = WorkerMetadata::decode(&bytes);
    }
}

#[test]
fn version_0_has_no_place_for_incremental_fields() {
    let err = busy_assignment(1).tap_version(0).encode().unwrap_err();
    assert_eq!(
        err,
        EncodeError::NotInVersion0 {
            what: "revoked connectors or tasks"
        }
    );
    let delayed = Assignment {
        delay_ms: 1,
        ..busy_assignment(0)
    };
    assert!(matches!(
        delayed.encode(),
        Err(EncodeError::NotInVersion0 { .. })
    ));
    let metadata = WorkerMetadata {
        version: 0,
        url: "http://a:8083/".into(),
        config_offset: 0,
        allocation: Some(busy_assignment(1)),
    };
    let err = metadata.encode().unwrap_err();
    assert!(err.to_string().contains("version 1 or 2"), "{err}");
}

#[test]
fn encoder_refuses_what_the_wire_cannot_carry() {
    let long = Assignment {
        leader: "x".repeat(i16::MAX as usize + 1),
        ..busy_assignment(2)
    };
    assert_eq!(
        long.encode().unwrap_err(),
        EncodeError::TooLong {
            what: "assignment leader id",
            len: 32768,
            max: 32767,
        }
    );
    let big_task = Assignment {
        tasks: vec![TaskId::new("c", u32::MAX)],
        ..busy_assignment(2)
    };
    assert!(matches!(
        big_task.encode(),
        Err(EncodeError::TaskOutOfRange { task: u32::MAX, .. })
    ));
    let negative = WorkerMetadata {
        version: -1,
        url: String::new(),
        config_offset: 0,
        allocation: None,
    };
    assert_eq!(
        negative.encode().unwrap_err(),
        EncodeError::UnsupportedVersion { version: -1 }
    );
}

#[test]
fn workers_offer_their_mode_and_every_older_one_in_preference_order() {
    assert_eq!(Sessioned.offered(), [Sessioned, Compatible, Eager]);
    assert_eq!(Compatible.offered(), [Compatible, Eager]);
    assert_eq!(Eager.offered(), [Eager]);

    let allocation = busy_assignment(2);
    let offered = join_group_protocols(Sessioned, "http://a:8083/", 9, Some(&allocation)).unwrap();
    let names: Vec<_> = offered.iter().map(|(p, _)| p.protocol_name()).collect();
    assert_eq!(names, ["sessioned", "compatible", "default"]);
    for (protocol, bytes) in &offered {
        let metadata = WorkerMetadata::decode(bytes).unwrap();
        assert_eq!(metadata.version, protocol.version());
        assert_eq!(metadata.config_offset, 9);
        match metadata.allocation {
            // Each incremental entry's allocation carries that entry's version.
            Some(a) => assert_eq!(a, allocation.clone().tap_version(protocol.version())),
            None => assert_eq!(*protocol, Eager),
        }
    }
}

trait TapVersion {
    fn tap_version(self, version: i16) -> Self;
}

impl TapVersion for Assignment {
    fn tap_version(mut self, version: i16) -> Self {
        self.version = version;
        self
    }
}
