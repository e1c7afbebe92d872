//! The worker against the broker's TLS and SASL listeners (`scripts/infra.sh up` starts them:
//! SSL with a required client certificate, SASL_SSL and SASL_PLAINTEXT with PLAIN and SCRAM):
//! a worker file written for Kafka Connect (Java's `security.protocol`, `sasl.jaas.config`,
//! `ssl.truststore.*`, `ssl.keystore.*` keys, set once at the top level) moves a file through
//! Kafka and back with every client of the worker on the secured listener; a JKS store and a
//! Java-only mechanism are refused at start, naming the key and the fix. The distributed group
//! and the seed flow also serve REST over HTTPS with basic authentication, so a follower
//! forwards the user's credentials to the leader over TLS and hands it task configs there.

use std::process::Command;
use std::time::Duration;

use connect_tests::{
    artifacts::connect_binary, kafka::read_records, require_kafka, rest_access::RestAccess,
    unique_name, worker::Worker,
};

const USER: &str = "connect";
const PASSWORD: &str = "connect-secret";

fn tls(file: &str) -> String {
    connect_tests::rest_access::tls_file(file)
        .display()
        .to_string()
}

/// REST over HTTPS, with basic authentication for one user.
fn https_with_user() -> RestAccess {
    RestAccess::https_with_user("operator", "operator-secret")
}

fn listener(var: &str, default_port: u16) -> String {
    // The plaintext listener must answer (the secured ones are on the same broker).
    require_kafka();
    std::env::var(var).unwrap_or_else(|_| format!("127.0.0.1:{default_port}"))
}

fn jaas(module: &str) -> String {
    format!(
        r#"org.apache.kafka.common.security.{module} required username="{USER}" password="{PASSWORD}";"#
    )
}

/// A file source into `topic` and a file sink out of it, on a standalone worker with `security`
/// as its top-level settings; the lines must come back whole and be in Kafka.
fn file_round_trip(security: &[(&str, String)]) {
    let topic = unique_name("secured");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    let output = dir.path().join("out.txt");
    let lines: String = (0..200).map(|i| format!("line {i} ✓\n")).collect();
    std::fs::write(&input, &lines).unwrap();
    let source = format!(
        "name=secured-source\nconnector.class=FileStreamSource\ntopic={topic}\nfile={}\n",
        input.display()
    );
    let sink = format!(
        "name=secured-sink-{topic}\nconnector.class=FileStreamSink\ntopics={topic}\nfile={}\n",
        output.display()
    );
    let extra: Vec<(&str, &str)> = security.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let w = Worker::standalone(
        &extra,
        &[("source.properties", &source), ("sink.properties", &sink)],
    );
    w.wait_until(
        "every line in the sink file",
        Duration::from_secs(90),
        |_| std::fs::read_to_string(&output).unwrap_or_default() == lines,
    );
    // And they went through the broker (read back on its plaintext listener).
    assert_eq!(read_records(&require_kafka(), &topic).len(), 200);
    let log = w.log();
    assert!(
        !log.contains(PASSWORD),
        "the SASL password is in the worker log:\n{}",
        w.log_tail()
    );
}

/// The worker-wide settings of the SASL_SSL listener with SCRAM-SHA-512 and a PEM truststore.
fn sasl_ssl_scram() -> Vec<(&'static str, String)> {
    vec![
        (
            "bootstrap.servers",
            listener("KAFKA_SASL_SSL_BOOTSTRAP", 9095),
        ),
        ("security.protocol", "SASL_SSL".into()),
        ("sasl.mechanism", "SCRAM-SHA-512".into()),
        ("sasl.jaas.config", jaas("scram.ScramLoginModule")),
        ("ssl.truststore.type", "PEM".into()),
        ("ssl.truststore.location", tls("ca.pem")),
    ]
}

#[test]
fn a_file_pipeline_runs_over_sasl_ssl_with_scram() {
    file_round_trip(&sasl_ssl_scram());
}

#[test]
fn a_file_pipeline_runs_over_ssl_with_a_client_certificate_and_pkcs12_stores() {
    file_round_trip(&[
        ("bootstrap.servers", listener("KAFKA_SSL_BOOTSTRAP", 9094)),
        ("security.protocol", "SSL".into()),
        ("ssl.truststore.type", "PKCS12".into()),
        ("ssl.truststore.location", tls("truststore.p12")),
        ("ssl.truststore.password", "trust-secret".into()),
        ("ssl.keystore.type", "PKCS12".into()),
        ("ssl.keystore.location", tls("client.p12")),
        ("ssl.keystore.password", "client-secret".into()),
    ]);
}

#[test]
fn a_file_pipeline_runs_over_ssl_with_pem_text_and_pem_files() {
    let read = |f: &str| std::fs::read_to_string(tls(f)).unwrap();
    // The key and chain as PEM text, the CA as a PEM file, no host name check.
    file_round_trip(&[
        ("bootstrap.servers", listener("KAFKA_SSL_BOOTSTRAP", 9094)),
        ("security.protocol", "SSL".into()),
        ("ssl.truststore.type", "PEM".into()),
        ("ssl.truststore.location", tls("ca.pem")),
        ("ssl.keystore.type", "PEM".into()),
        ("ssl.keystore.key", read("client.key")),
        ("ssl.keystore.certificate.chain", read("client.pem")),
        ("ssl.endpoint.identification.algorithm", String::new()),
    ]);
    // The key and chain in one PEM file, the CA as PEM text, and an (unused) key password.
    file_round_trip(&[
        ("bootstrap.servers", listener("KAFKA_SSL_BOOTSTRAP", 9094)),
        ("security.protocol", "SSL".into()),
        ("ssl.truststore.type", "PEM".into()),
        ("ssl.truststore.certificates", read("ca.pem")),
        ("ssl.keystore.type", "PEM".into()),
        ("ssl.keystore.location", tls("client-keystore.pem")),
        ("ssl.key.password", String::new()),
    ]);
}

#[test]
fn a_file_pipeline_runs_over_sasl_plaintext_with_plain() {
    file_round_trip(&[
        (
            "bootstrap.servers",
            listener("KAFKA_SASL_PLAINTEXT_BOOTSTRAP", 9096),
        ),
        ("security.protocol", "SASL_PLAINTEXT".into()),
        ("sasl.mechanism", "PLAIN".into()),
        ("sasl.jaas.config", jaas("plain.PlainLoginModule")),
    ]);
}

/// Starts a standalone worker with `props` and returns (started?, stderr).
fn start_with(props: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("worker.properties");
    std::fs::write(
        &path,
        format!(
            "key.converter=org.apache.kafka.connect.storage.StringConverter\nvalue.converter=org.apache.kafka.connect.storage.StringConverter\noffset.storage.file.filename={}\nlisteners=http://127.0.0.1:0\n{props}",
            dir.path().join("offsets").display()
        ),
    )
    .unwrap();
    let out = Command::new(connect_binary())
        .arg("standalone")
        .arg(&path)
        .env("CONNECT_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_jks_store_and_a_java_only_mechanism_are_refused_at_start_with_the_fix() {
    let jks = tls("truststore.jks");
    let (ok, err) = start_with(&format!(
        "bootstrap.servers={}\nsecurity.protocol=SSL\nssl.truststore.location={jks}\nssl.truststore.password=trust-secret\n",
        listener("KAFKA_SSL_BOOTSTRAP", 9094)
    ));
    assert!(!ok);
    assert!(
        err.contains("not supported yet: ssl.truststore.location")
            && err.contains("keytool -importkeystore -srckeystore")
            && err.contains("-deststoretype PKCS12"),
        "{err}"
    );
    let (ok, err) = start_with(&format!(
        "bootstrap.servers={}\nsecurity.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\nsasl.jaas.config={}\n",
        listener("KAFKA_SASL_SSL_BOOTSTRAP", 9095),
        jaas("plain.PlainLoginModule")
    ));
    assert!(!ok);
    assert!(
        err.contains("not supported yet: sasl.mechanism: 'GSSAPI'"),
        "{err}"
    );
    assert!(!err.contains(PASSWORD), "{err}");
}

/// Two distributed workers of one group on the SASL_SSL listener: the group membership client,
/// the internal-topic stores and the task clients all log in with SCRAM over TLS; the work is
/// shared between the two and a file goes through Kafka and back. Their REST APIs speak HTTPS
/// with basic authentication: one connector is created on each worker, so one of the two
/// requests goes through a follower, which forwards it with the user's credentials to the
/// leader over TLS (and the follower's task configs reach the leader there too).
#[test]
fn a_distributed_group_shares_its_work_over_sasl_ssl() {
    let group = unique_name("secure-group");
    let topics = [
        ("group.id", group.clone()),
        ("config.storage.topic", format!("{group}-configs")),
        ("offset.storage.topic", format!("{group}-offsets")),
        ("status.storage.topic", format!("{group}-status")),
        (
            "bootstrap.servers",
            listener("KAFKA_SASL_SSL_BOOTSTRAP", 9095),
        ),
        ("security.protocol", "SASL_SSL".into()),
        ("sasl.mechanism", "SCRAM-SHA-256".into()),
        ("sasl.jaas.config", jaas("scram.ScramLoginModule")),
        ("ssl.truststore.location", tls("ca.pem")),
    ];
    let extra: Vec<(&str, &str)> = topics.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = Worker::distributed_with(&extra, https_with_user());
    let b = Worker::distributed_with(&extra, https_with_user());
    let topic = unique_name("secure-group-data");
    let input = a.path("in.txt");
    let output = a.path("out.txt");
    let lines: String = (0..100).map(|i| format!("grouped {i}\n")).collect();
    std::fs::write(&input, &lines).unwrap();
    for (name, config) in [
        (
            "source",
            serde_json::json!({"connector.class": "FileStreamSource", "topic": topic, "file": input.display().to_string()}),
        ),
        (
            "sink",
            serde_json::json!({"connector.class": "FileStreamSink", "topics": topic, "file": output.display().to_string()}),
        ),
    ] {
        let on = if name == "source" { &a } else { &b };
        let body = serde_json::json!({"name": name, "config": config}).to_string();
        let (code, info) = on.call("POST", "/connectors", Some(&body));
        assert_eq!(code, 201, "{info}\n{}", on.log_tail());
    }
    // Without credentials: refused, on both.
    for w in [&a, &b] {
        let refused = w
            .client()
            .get(format!("{}/connectors", w.url))
            .send()
            .unwrap();
        assert_eq!(refused.status().as_u16(), 401);
    }
    a.wait_until(
        "every line in the sink file",
        Duration::from_secs(120),
        |_| std::fs::read_to_string(&output).unwrap_or_default() == lines,
    );
    let ids: Vec<String> = [&a, &b].iter().map(|w| w.id().to_owned()).collect();
    a.wait_until("the work on both workers", Duration::from_secs(60), |w| {
        let mut on: std::collections::BTreeSet<String> = Default::default();
        for name in ["source", "sink"] {
            let s = w.get(&format!("/connectors/{name}/status")).1;
            on.extend(s["connector"]["worker_id"].as_str().map(str::to_owned));
            for t in s["tasks"].as_array().into_iter().flatten() {
                on.extend(t["worker_id"].as_str().map(str::to_owned));
            }
        }
        ids.iter().all(|id| on.contains(id))
    });
    assert_eq!(
        b.get("/connectors").1,
        serde_json::json!(["sink", "source"])
    );
    assert!(!a.log().contains(PASSWORD) && !b.log().contains(PASSWORD));
}

/// The seed flow (the Elasticsearch sink installed like confluent-hub, the seed's connector
/// JSON) on a distributed worker whose every Kafka client is on the SASL_SSL listener, and
/// whose REST API speaks HTTPS with basic authentication.
#[test]
fn the_seed_flow_runs_over_sasl_ssl_with_https_and_basic_auth() {
    connect_tests::require_opensearch();
    let security = sasl_ssl_scram();
    let extra: Vec<(&str, &str)> = security.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let w = crate::seed_flow::seed_worker_secured(&extra, https_with_user());
    assert!(w.url.starts_with("https://"), "{}", w.url);
    let anonymous = w
        .client()
        .get(format!("{}/connectors", w.url))
        .send()
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let topic = unique_name("coupang-secure");
    crate::seed_flow::produce_products(&topic, 0, 500);
    let (code, info) = w.call(
        "POST",
        "/connectors",
        Some(&crate::seed_flow::seed_connector("secure-es", &topic)),
    );
    assert_eq!(code, 201, "{info}\n{}", w.log_tail());
    w.wait_until(
        "500 documents in OpenSearch",
        Duration::from_secs(120),
        |_| crate::seed_flow::count(&topic) == 500,
    );
    assert!(!w.log().contains(PASSWORD) && !w.log().contains("operator-secret"));
}
