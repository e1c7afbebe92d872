//! The `connect.protocol` modes, their sub-protocol names and versions, and the election rule.

use super::*;

use ProtocolCompatibility::{Compatible, Eager, Sessioned};

#[test]
fn modes_map_to_names_and_versions() {
    let table: Vec<_> = ProtocolCompatibility::ALL
        .iter()
        .map(|m| (m.config_name(), m.protocol_name(), m.version()))
        .collect();
    assert_eq!(
        table,
        [
            ("eager", "default", 0),
            ("compatible", "compatible", 1),
            ("sessioned", "sessioned", 2),
        ]
    );
    assert_eq!(ProtocolCompatibility::default(), Sessioned);
    assert_eq!(ProtocolCompatibility::from_config("EaGeR"), Ok(Eager));
    assert_eq!(
        ProtocolCompatibility::from_protocol_name("default"),
        Some(Eager)
    );
    assert_eq!(ProtocolCompatibility::from_protocol_name("eager"), None);
    assert_eq!(ProtocolCompatibility::from_version(1), Some(Compatible));
    let err = ProtocolCompatibility::from_config("cooperative").unwrap_err();
    assert!(
        err.to_string()
            .contains("use eager, compatible or sessioned"),
        "{err}"
    );
}

#[test]
fn the_group_elects_what_every_member_can_speak() {
    let s = Sessioned.offered();
    let c = Compatible.offered();
    let e = Eager.offered();
    assert_eq!(elect(&[s, s, s]), Some(Sessioned));
    assert_eq!(elect(&[s, c, s]), Some(Compatible));
    assert_eq!(elect(&[s, c, e]), Some(Eager));
    assert_eq!(elect(&[e, s]), Some(Eager));
    assert_eq!(elect(&[c]), Some(Compatible));
    assert_eq!(elect(&[]), None);
    // Lists no Connect worker sends: no common name, and a tie.
    assert_eq!(elect(&[&[Sessioned], &[Eager]]), None);
    assert_eq!(
        elect(&[&[Compatible, Eager], &[Eager, Compatible]]),
        Some(Compatible)
    );
    assert_eq!(
        elect(&[
            &[Eager, Compatible],
            &[Eager, Compatible],
            &[Compatible, Eager]
        ]),
        Some(Eager)
    );
}
