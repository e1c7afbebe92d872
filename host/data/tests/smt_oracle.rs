//! The SMT oracle table: every case of `tests/smt-oracle/cases.json` runs through Kafka Connect's
//! own transformations and predicates (the Kafka 4.3.1 jars the Java peer runs, fetched by
//! `scripts/infra.sh up --peer` into `.infra/lib/connect`, driven by `SmtOracle.java`) and through
//! ours, the way a sink task does: key and value from Kafka bytes in `JsonConverter`'s envelope,
//! headers through `SimpleHeaderConverter`, the chain with predicates and `negate`, the result
//! written back with `JsonConverter`. Topic, partition, timestamp, key, value (schema and
//! payload), headers, a drop or the failure's message must be the same.
//!
//! Needs `java`/`javac` and the peer's jars (`CONNECT_PEER_LIB` overrides their directory).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use connect_data::convert::{ConnectDataRef, Converter, HeaderConverter, JsonConverter};
use connect_data::transforms::builtin::lookup;
use connect_data::transforms::chain::{self, Chain, PredicateSpec, StageSpec};
use connect_data::transforms::codec::Codec;
use connect_data::transforms::data::Datum;
use connect_data::transforms::record::{Header, TransformRecord};
use connect_data::transforms::schemas::SchemaCache;
use serde_json::{Value as Json, json};

type Props = serde_json::Map<String, Json>;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Java's answers, one JSON object per case, in case order.
fn java_answers(cases: &Path) -> Vec<Json> {
    let lib = std::env::var_os("CONNECT_PEER_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".infra/lib/connect"));
    assert!(
        lib.join(".complete").exists(),
        "the Java peer's jars are not in {}: run scripts/infra.sh up --peer first \
         (or set CONNECT_PEER_LIB to the directory holding Kafka Connect 4.3.1's jars)",
        lib.display()
    );
    let classes = Path::new(env!("CARGO_TARGET_TMPDIR")).join("smt-oracle-classes");
    std::fs::create_dir_all(&classes).unwrap();
    let classpath = format!("{}/*", lib.display());
    let source = repo_root().join("tests/smt-oracle/SmtOracle.java");
    let status = Command::new("javac")
        .args(["--release", "17", "-nowarn", "-cp", &classpath, "-d"])
        .arg(&classes)
        .arg(&source)
        .status()
        .expect("javac (JDK 17) must be on PATH");
    assert!(status.success(), "javac failed on {}", source.display());
    let out = Command::new("java")
        .arg("-cp")
        .arg(format!("{classpath}:{}", classes.display()))
        .arg("SmtOracle")
        .arg(cases)
        .output()
        .expect("java must be on PATH");
    assert!(
        out.status.success(),
        "SmtOracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn under(props: &Props, prefix: &str) -> BTreeMap<String, String> {
    props
        .iter()
        .filter_map(|(k, v)| {
            let k = k.strip_prefix(prefix)?;
            Some((k.to_owned(), v.as_str().unwrap().to_owned()))
        })
        .collect()
}

fn aliases(props: &Props, key: &str) -> Vec<String> {
    props
        .get(key)
        .and_then(Json::as_str)
        .map_or(Vec::new(), |v| {
            v.split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect()
        })
}

/// The chain the host builds for these connector props (the same `chain::build` the host's
/// `runtime::transform_chain::build` calls).
fn chain(props: &Props) -> Result<Chain, String> {
    let predicate_settings: Vec<(String, BTreeMap<String, String>)> = aliases(props, "predicates")
        .into_iter()
        .map(|alias| {
            let settings = under(props, &format!("predicates.{alias}."));
            (alias, settings)
        })
        .collect();
    let stage_settings: Vec<(String, BTreeMap<String, String>)> = aliases(props, "transforms")
        .into_iter()
        .map(|alias| {
            let settings = under(props, &format!("transforms.{alias}."));
            (alias, settings)
        })
        .collect();
    let own = |s: &BTreeMap<String, String>, skip: &[&str]| -> BTreeMap<String, String> {
        s.iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let predicate_own: Vec<BTreeMap<String, String>> = predicate_settings
        .iter()
        .map(|(_, s)| own(s, &["type"]))
        .collect();
    let stage_own: Vec<BTreeMap<String, String>> = stage_settings
        .iter()
        .map(|(_, s)| own(s, &["type", "predicate", "negate"]))
        .collect();
    let predicates: Vec<PredicateSpec<'_>> = predicate_settings
        .iter()
        .zip(&predicate_own)
        .map(|((alias, s), settings)| PredicateSpec {
            alias,
            class: &s["type"],
            settings,
        })
        .collect();
    let stages: Vec<StageSpec<'_>> = stage_settings
        .iter()
        .zip(&stage_own)
        .map(|((alias, s), settings)| StageSpec {
            alias,
            class: &s["type"],
            settings,
            predicate: s.get("predicate").map(String::as_str),
            negate: s.get("negate").is_some_and(|n| n == "true"),
        })
        .collect();
    chain::build(&predicates, &stages, |_, _, class| {
        lookup(class)
            .map(chain::Class::Builtin)
            .ok_or(format!("no built-in {class}"))
    })
    // Kafka's exception message alone, as Java's side reports it.
    .map_err(|e| e.message)
}

/// Our sink pipeline around the chain: converters, codec and schema cache.
struct Side {
    keys: JsonConverter,
    values: JsonConverter,
    codec: Codec,
    schemas: SchemaCache,
}

impl Side {
    fn new() -> Side {
        let settings = BTreeMap::from([("schemas.enable".to_owned(), "true".to_owned())]);
        Side {
            keys: JsonConverter::new(&settings, true).unwrap(),
            values: JsonConverter::new(&settings, false).unwrap(),
            codec: Codec::default(),
            schemas: SchemaCache::default(),
        }
    }

    /// Kafka bytes (an envelope, or null) → the datum a transformation sees.
    fn decode(&mut self, is_key: bool, topic: &str, envelope: &Json) -> Result<Datum, String> {
        let bytes = (!envelope.is_null()).then(|| serde_json::to_vec(envelope).unwrap());
        let converter = if is_key { &self.keys } else { &self.values };
        let mut arena = Vec::new();
        let c = converter
            .to_connect(topic, bytes.as_deref(), &mut arena)
            .map_err(|e| e.to_string())?;
        let schema = match &c.schema {
            Some(text) => Some(self.schemas.parse(text)?),
            None => None,
        };
        self.codec.decode(c.kind, c.bytes(&arena), schema)
    }

    /// A datum → the envelope `JsonConverter` writes for it (JSON null for a Kafka null).
    fn encode(&mut self, is_key: bool, topic: &str, datum: &Datum) -> Result<Json, String> {
        let mut bytes = Vec::new();
        let kind = self.codec.encode(datum, &mut bytes)?;
        let schema: Option<Arc<str>> = datum.schema.as_ref().map(|s| self.schemas.text(s));
        let data = ConnectDataRef {
            kind,
            bytes: &bytes,
            schema: schema.as_deref(),
        };
        let converter = if is_key { &self.keys } else { &self.values };
        let mut out = Vec::new();
        let written = converter
            .from_connect(topic, &data, &mut out)
            .map_err(|e| e.to_string())?;
        if !written {
            return Ok(Json::Null);
        }
        serde_json::from_slice(&out).map_err(|e| e.to_string())
    }

    fn run(&mut self, case: &Json) -> Result<Json, String> {
        let props = case["config"].as_object().unwrap();
        let r = &case["record"];
        let topic = r["topic"].as_str().unwrap().to_owned();
        // The case's header.converter (Kafka's default when it names none), as a task has it.
        let spec = &case["header_converter"];
        let mut header_converter = match spec["class"].as_str() {
            None => HeaderConverter::default(),
            Some(class) => {
                let settings: BTreeMap<String, String> = spec["settings"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                    .collect();
                HeaderConverter::from_config(class, &settings).map_err(|e| e.to_string())?
            }
        };
        let mut headers = Vec::new();
        for h in r["headers"].as_array().unwrap() {
            let key = h[0].as_str().unwrap();
            let bytes = h[1].as_str().map(str::as_bytes);
            headers.push(Header {
                key: key.to_owned(),
                value: header_converter
                    .to_connect_header(&topic, key, bytes)
                    .map_err(|e| e.to_string())?,
            });
        }
        let record = TransformRecord {
            key: self.decode(true, &topic, &r["key"])?,
            value: self.decode(false, &topic, &r["value"])?,
            topic,
            partition: Some(r["partition"].as_i64().unwrap() as i32),
            offset: r["offset"].as_i64(),
            timestamp: r["timestamp"].as_i64(),
            headers,
        };
        let mut chain = chain(props)?;
        let Some(out) = chain.apply(record).map_err(|e| e.error.message)? else {
            return Ok(json!({ "dropped": true }));
        };
        let mut headers = Vec::new();
        for h in &out.headers {
            headers.push(json!([h.key, self.encode(false, &out.topic, &h.value)?]));
        }
        let mut answer = json!({
            "topic": out.topic,
            "partition": out.partition,
            "timestamp": out.timestamp,
            "key": self.encode(true, &out.topic, &out.key)?,
            "value": self.encode(false, &out.topic, &out.value)?,
            "headers": headers,
        });
        if !spec.is_null() {
            let mut written = Vec::new();
            for h in &out.headers {
                let bytes = header_converter
                    .from_connect_header(&out.topic, &h.key, &h.value)
                    .map_err(|e| e.to_string())?;
                written.push(bytes.map(|b| String::from_utf8_lossy(&b).into_owned()));
            }
            answer["header_bytes"] = json!(written);
        }
        Ok(answer)
    }
}

#[test]
fn every_case_matches_kafka_connect() {
    let path = repo_root().join("tests/smt-oracle/cases.json");
    let cases: Vec<Json> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let answers = java_answers(&path);
    assert_eq!(answers.len(), cases.len(), "SmtOracle answered every case");
    let mut side = Side::new();
    let mut mismatches = Vec::new();
    for (case, java) in cases.iter().zip(&answers) {
        let name = case["name"].as_str().unwrap();
        let mut ours = match side.run(case) {
            Ok(v) => v,
            Err(message) => json!({ "error": message }),
        };
        ours["name"] = json!(name);
        if &ours != java {
            mismatches.push(format!("{name}\n  java: {java}\n  ours: {ours}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ from Kafka Connect:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}
