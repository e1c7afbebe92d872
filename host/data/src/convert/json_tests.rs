//! Tests of [`super::JsonConverter`]: the seed's schemaless product records, the envelope rules
//! and messages, schema handling and interning, and writing.

use super::*;

fn converter(pairs: &[(&str, &str)]) -> JsonConverter {
    let settings: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    JsonConverter::new(&settings, false).unwrap()
}

fn read(c: &JsonConverter, input: &[u8]) -> (Converted, Vec<u8>) {
    let mut arena = Vec::new();
    let out = c.to_connect("coupang", Some(input), &mut arena).unwrap();
    let bytes = out.bytes(&arena).to_vec();
    (out, bytes)
}

fn write(c: &JsonConverter, data: ConnectDataRef<'_>) -> Option<String> {
    let mut out = Vec::new();
    c.from_connect("t", &data, &mut out)
        .unwrap()
        .then(|| String::from_utf8(out).unwrap())
}

/// The seed's sink: `value.converter.schemas.enable=false`, plain JSON product records on
/// topic `coupang`, keys absent. Values pass through byte for byte, without a schema.
#[test]
fn seed_schemaless_product_record() {
    let c = converter(&[("schemas.enable", "false")]);
    let record = r#"{"productId":"1234567","productName":"삼성 노트북 갤럭시북3 프로","price":1299000,"discountRate":12.5,"rating":4.8,"reviewCount":2381,"rocketDelivery":true,"categories":["가전디지털","노트북"],"crawledAt":"2024-03-01T09:00:00"}"#;
    let mut arena = b"earlier record".to_vec();
    let value = c
        .to_connect("coupang", Some(record.as_bytes()), &mut arena)
        .unwrap();
    assert_eq!(value.kind, DataKind::Json);
    assert_eq!(value.schema, None);
    assert_eq!(
        value.start, 14,
        "appended after what the arena already held"
    );
    assert_eq!(value.bytes(&arena), record.as_bytes());
    let key = c.to_connect("coupang", None, &mut arena).unwrap();
    assert_eq!((key.kind, key.len, key.schema), (DataKind::Null, 0, None));
}

#[test]
fn schemaless_kinds() {
    let c = converter(&[("schemas.enable", "false")]);
    assert_eq!(read(&c, br#"  "k\u00e9y"  "#).0.kind, DataKind::String);
    assert_eq!(read(&c, br#""k\u00e9y""#).1, "kéy".as_bytes());
    assert_eq!(read(&c, b"42").0.kind, DataKind::Json);
    assert_eq!(read(&c, b" [1, 2] ").1, b"[1, 2]");
    assert_eq!(read(&c, b"null").0.kind, DataKind::Null);
    assert_eq!(
        read(&c, b"").0.kind,
        DataKind::Null,
        "empty bytes read as null, like Jackson's MissingNode"
    );
}

#[test]
fn malformed_json_names_the_topic_the_parse_error_and_the_fix() {
    let c = converter(&[("schemas.enable", "false")]);
    let e = c
        .to_connect("coupang", Some(b"{\"price\": 12"), &mut Vec::new())
        .unwrap_err();
    assert_eq!(
        e.java_class(),
        "org.apache.kafka.connect.errors.DataException"
    );
    let msg = e.to_string();
    assert!(msg.starts_with("Converting byte[] to Kafka Connect data failed due to serialization error: EOF while parsing"), "{msg}");
    assert!(msg.contains("(topic `coupang`)"), "{msg}");
    assert!(
        msg.contains("fix its producer, or read the topic with a converter for its format"),
        "the message names the fix: {msg}"
    );
}

#[test]
fn envelope_is_required_when_schemas_are_enabled() {
    let c = converter(&[]);
    let expected = "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.";
    assert_eq!(ENVELOPE_ERROR, expected);
    for bad in [
        &br#"{"productId":"1"}"#[..],
        br#"{"schema":null}"#,
        br#"{"schema":null,"payload":1,"extra":2}"#,
        br#"[{"schema":null,"payload":1}]"#,
        br#""text""#,
        b"",
    ] {
        let e = c.to_connect("t", Some(bad), &mut Vec::new()).unwrap_err();
        assert_eq!(
            e,
            ConvertError::Data {
                topic: "t".into(),
                message: expected.into()
            },
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn envelope_with_null_schema_is_schemaless() {
    let c = converter(&[]);
    let (v, bytes) = read(&c, br#"{"payload":{"a":1},"schema":null}"#);
    assert_eq!((v.kind, v.schema), (DataKind::Json, None));
    assert_eq!(bytes, br#"{"a":1}"#);
    let (v, _) = read(&c, br#"{"schema":null,"payload":null}"#);
    assert_eq!(v.kind, DataKind::Null);
}

#[test]
fn envelope_with_schema() {
    let c = converter(&[]);
    let (v, bytes) = read(
        &c,
        br#"{"schema":{"type":"string","optional":false},"payload":"hello"}"#,
    );
    assert_eq!(v.kind, DataKind::String);
    assert_eq!(bytes, b"hello");
    assert_eq!(
        v.schema.as_deref(),
        Some(r#"{"type":"string","optional":false}"#)
    );

    let (v, bytes) = read(&c, br#"{"schema":{"type":"bytes"},"payload":"AQID"}"#);
    assert_eq!((v.kind, bytes), (DataKind::Bytes, vec![1, 2, 3]));

    let user = br#"{"schema":{"type":"struct","name":"com.acme.User","fields":[{"field":"id","type":"int64"},{"field":"name","type":"string","optional":true}]},"payload":{"name":"kim","id":1,"ignored":true}}"#;
    let (v, bytes) = read(&c, user);
    assert_eq!(v.kind, DataKind::Json);
    assert_eq!(
        bytes, br#"{"id":1,"name":"kim"}"#,
        "fields in schema order, unknown fields dropped"
    );
    assert_eq!(
        v.schema.as_deref(),
        Some(
            r#"{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":true,"field":"name"}],"optional":false,"name":"com.acme.User"}"#
        )
    );

    let (v, _) = read(
        &c,
        br#"{"schema":{"type":"string","optional":true},"payload":null}"#,
    );
    assert_eq!(v.kind, DataKind::Null);
    assert!(v.schema.is_some(), "a null with a schema keeps its schema");
}

#[test]
fn equal_schemas_in_a_batch_share_one_allocation() {
    let c = converter(&[]);
    let mut arena = Vec::new();
    let a = c
        .to_connect(
            "t",
            Some(br#"{"schema":{"type":"int32"},"payload":1}"#),
            &mut arena,
        )
        .unwrap();
    let b = c
        .to_connect(
            "t",
            Some(br#"{"schema":{"type":"int32"},"payload":2}"#),
            &mut arena,
        )
        .unwrap();
    assert!(Arc::ptr_eq(
        a.schema.as_ref().unwrap(),
        b.schema.as_ref().unwrap()
    ));
    assert_eq!(arena, b"12");
}

#[test]
fn payload_is_checked_against_the_schema() {
    let c = converter(&[]);
    let e = c
        .to_connect(
            "t",
            Some(br#"{"schema":{"type":"int64"},"payload":null}"#),
            &mut Vec::new(),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Invalid null value for required INT64 field. The record's \"payload\" does not match its \
         own \"schema\": fix the producer so that they agree",
        "Kafka's message, then the fix"
    );
    let e = c
        .to_connect(
            "t",
            Some(br#"{"schema":{"type":"int32"},"payload":"x"}"#),
            &mut Vec::new(),
        )
        .unwrap_err();
    assert!(
        e.to_string().starts_with("Invalid value for INT32 field"),
        "{e}"
    );
    let e = c
        .to_connect(
            "t",
            Some(br#"{"schema":{"type":"nope"},"payload":1}"#),
            &mut Vec::new(),
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "Unknown schema type: nope");
}

#[test]
fn defaults_replace_nulls_unless_disabled() {
    let input = br#"{"schema":{"type":"int32","optional":true,"default":7},"payload":null}"#;
    assert_eq!(read(&converter(&[]), input).1, b"7");
    assert_eq!(
        read(&converter(&[("replace.null.with.default", "false")]), input)
            .0
            .kind,
        DataKind::Null
    );
}

#[test]
fn decimal_format() {
    let input = br#"{"schema":{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}},"payload":"ASw="}"#;
    assert_eq!(read(&converter(&[]), input).1, br#""ASw=""#);
    assert_eq!(
        read(&converter(&[("decimal.format", "numeric")]), input).1,
        b"3.00"
    );
}

#[test]
fn writing_with_envelope() {
    let c = converter(&[]);
    assert_eq!(
        write(&c, ConnectDataRef::NULL),
        None,
        "null without schema is a tombstone"
    );
    assert_eq!(
        write(&c, ConnectDataRef::string("abc")).unwrap(),
        r#"{"schema":null,"payload":"abc"}"#
    );
    assert_eq!(
        write(&c, ConnectDataRef::json(r#" {"a": 1} "#)).unwrap(),
        r#"{"schema":null,"payload":{"a": 1}}"#
    );
    assert_eq!(
        write(&c, ConnectDataRef::bytes(&[1, 2, 3])).unwrap(),
        r#"{"schema":null,"payload":"AQID"}"#
    );
    assert_eq!(
        write(
            &c,
            ConnectDataRef::bytes(&[1, 2, 3]).with_schema(r#"{"type":"bytes"}"#)
        )
        .unwrap(),
        r#"{"schema":{"type":"bytes","optional":false},"payload":"AQID"}"#
    );
    assert_eq!(
        write(
            &c,
            ConnectDataRef::string("x").with_schema(r#"{"type":"string","optional":true}"#)
        )
        .unwrap(),
        r#"{"schema":{"type":"string","optional":true},"payload":"x"}"#
    );
    assert_eq!(
        write(
            &c,
            ConnectDataRef::NULL.with_schema(r#"{"type":"string","optional":true}"#)
        )
        .unwrap(),
        r#"{"schema":{"type":"string","optional":true},"payload":null}"#
    );
    let user = r#"{"type":"struct","fields":[{"field":"id","type":"int64"},{"field":"n","type":"int32","default":0}]}"#;
    assert_eq!(
        write(&c, ConnectDataRef::json(r#"{"id":5}"#).with_schema(user)).unwrap(),
        r#"{"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"int32","optional":false,"default":0,"field":"n"}],"optional":false},"payload":{"id":5,"n":0}}"#
    );
}

#[test]
fn writing_without_envelope() {
    let c = converter(&[("schemas.enable", "false")]);
    assert_eq!(
        write(&c, ConnectDataRef::json(r#"{"a":1}"#)).unwrap(),
        r#"{"a":1}"#
    );
    assert_eq!(
        write(&c, ConnectDataRef::string("a\"b")).unwrap(),
        r#""a\"b""#
    );
    assert_eq!(write(&c, ConnectDataRef::NULL), None);
    // Kafka writes a null that has a schema as JSON null, not as a tombstone.
    assert_eq!(
        write(
            &c,
            ConnectDataRef::NULL.with_schema(r#"{"type":"string","optional":true}"#)
        )
        .unwrap(),
        "null"
    );
    let dec = r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"2"}}"#;
    assert_eq!(
        write(&c, ConnectDataRef::bytes(&[0x01, 0x2c]).with_schema(dec)).unwrap(),
        r#""ASw=""#
    );
    let numeric = converter(&[("schemas.enable", "false"), ("decimal.format", "NUMERIC")]);
    assert_eq!(
        write(
            &numeric,
            ConnectDataRef::bytes(&[0x01, 0x2c]).with_schema(dec)
        )
        .unwrap(),
        "3.00"
    );
}

#[test]
fn writing_errors() {
    let c = converter(&[]);
    let mut out = b"keep".to_vec();
    let e = c
        .from_connect(
            "t",
            &ConnectDataRef::string("x").with_schema(r#"{"type":"int32"}"#),
            &mut out,
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Invalid type for INT32: class java.lang.String"
    );
    assert_eq!(out, b"keep", "nothing is left behind on error");
    let e = c
        .from_connect(
            "t",
            &ConnectDataRef::NULL.with_schema(r#"{"type":"int32"}"#),
            &mut out,
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Conversion error: null value for field that is required and has no default value"
    );
    let e = c
        .from_connect("t", &ConnectDataRef::json("{oops"), &mut out)
        .unwrap_err();
    assert!(
        e.to_string().contains("the connector gave invalid JSON"),
        "{e}"
    );
    let e = c
        .from_connect("t", &ConnectDataRef::json("1").with_schema("{}"), &mut out)
        .unwrap_err();
    assert!(
        e.to_string().contains("Schema must contain 'type' field"),
        "{e}"
    );
}

#[test]
fn round_trip_through_kafka_bytes() {
    let c = converter(&[]);
    let schema = r#"{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}],"optional":false}"#;
    let kafka = write(&c, ConnectDataRef::json(r#"{"id":9}"#).with_schema(schema)).unwrap();
    let (v, bytes) = read(&c, kafka.as_bytes());
    assert_eq!(
        (v.kind, bytes.as_slice(), v.schema.as_deref()),
        (DataKind::Json, &br#"{"id":9}"#[..], Some(schema))
    );
}

#[test]
fn settings() {
    let bad = |pairs: &[(&str, &str)]| {
        let m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        JsonConverter::new(&m, true).err().unwrap().to_string()
    };
    assert_eq!(
        bad(&[("schemas.enabled", "false")]),
        "JsonConverter: unknown setting `key.converter.schemas.enabled` (did you mean `key.converter.schemas.enable`?)"
    );
    assert!(
        bad(&[("schemas.enable", "nope")])
            .contains("key.converter.schemas.enable: Expected value to be either true or false")
    );
    assert!(bad(&[("decimal.format", "HEX")]).contains("String must be one of: BASE64, NUMERIC"));
    assert!(bad(&[("schemas.cache.size", "many")]).contains("Not a number of type INT"));
    let c = converter(&[("schemas.cache.size", "0"), ("converter.type", "value")]);
    assert_eq!(
        read(&c, br#"{"schema":{"type":"int8"},"payload":1}"#).1,
        b"1"
    );
}
