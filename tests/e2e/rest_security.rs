//! The REST API protected as a Kafka Connect user protects it: `https://` listeners with
//! `listeners.https.ssl.*` (PKCS12 and PEM keystores, `ssl.client.auth=required`) and an
//! `admin.listeners` listener with its own `admin.listeners.https.ssl.*`; and HTTP basic
//! authentication configured for Kafka's `BasicAuthSecurityRestExtension` (the JAAS file with
//! `PropertyFileLoginModule`, named in `KAFKA_OPTS`), answering as a Java Kafka Connect 4.3.1
//! worker with the same files answers, compared side by side.

use std::time::Duration;

use connect_tests::{
    java_standalone::JavaStandalone,
    rest_access::{RestAccess, tls_file},
    worker::{Worker, call, free_port},
};

fn ca_only_client() -> reqwest::blocking::Client {
    let ca = std::fs::read(tls_file("ca.pem")).unwrap();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
        .build()
        .unwrap()
}

#[test]
fn https_listeners_with_client_certificates_and_an_admin_listener() {
    let admin = format!("https://127.0.0.1:{}", free_port());
    let pem = tls_file("broker-keystore.pem").display().to_string();
    let access = RestAccess {
        https: true,
        client_auth: true,
        user: None,
    };
    let w = Worker::distributed_with(
        &[
            ("admin.listeners", &admin),
            // The admin listener's own settings (PEM), all or nothing: no client certificate.
            ("admin.listeners.https.ssl.keystore.location", &pem),
            ("admin.listeners.https.ssl.keystore.type", "PEM"),
        ],
        access,
    );
    assert!(w.url.starts_with("https://"), "{}", w.url);
    // The test client trusts the CA and presents its certificate.
    assert_eq!(w.get("/connectors").0, 200, "{}", w.log_tail());
    assert!(w.get("/").1["version"].is_string());

    // Without a client certificate the main listener refuses the connection...
    let no_cert = ca_only_client();
    let refused = no_cert.get(format!("{}/connectors", w.url)).send();
    assert!(
        refused.is_err(),
        "a client without a certificate was served: {refused:?}"
    );
    // ...the admin listener serves /admin alone, and asks for none.
    let (code, loggers) = call(&no_cert, "GET", &format!("{admin}/admin/loggers"), None);
    assert_eq!(code, 200, "{loggers}");
    assert!(loggers["root"]["level"].is_string(), "{loggers}");
    assert_eq!(
        call(&no_cert, "GET", &format!("{admin}/connectors"), None).0,
        404
    );
    assert_eq!(
        w.get("/admin/loggers").0,
        404,
        "/admin moved off the main listener"
    );

    // A client that does not trust the test CA, and plain HTTP on the TLS port, get nothing.
    let system_roots = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let untrusted = system_roots.get(format!("{admin}/admin/loggers")).send();
    assert!(
        untrusted
            .as_ref()
            .is_err_and(|e| format!("{e:?}").contains("certificate verify failed")),
        "{untrusted:?}"
    );
    let plain = w.url.replacen("https://", "http://", 1);
    let answer = system_roots.get(format!("{plain}/connectors")).send();
    assert!(
        answer.as_ref().map_or(true, |r| r.status() != 200),
        "plain HTTP was served on the https listener: {answer:?}"
    );
}

/// One request's answer as compared: status, content type, and the body of a refusal.
fn answer(
    http: &reqwest::blocking::Client,
    method: &str,
    url: &str,
    authorization: Option<&str>,
) -> (u16, String, String) {
    let mut request = http.request(method.parse().unwrap(), url);
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    if method == "POST" || method == "PUT" {
        request = request
            .header("Content-Type", "application/json")
            .body("[]");
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response.text().unwrap_or_default();
    (status, content_type, body)
}

/// `Basic <base64(user:password)>`, as the HTTP client writes it.
fn basic(user: &str, password: &str) -> String {
    let request = reqwest::blocking::Client::new()
        .get("http://127.0.0.1/")
        .basic_auth(user, Some(password))
        .build()
        .unwrap();
    request.headers()["authorization"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn basic_authentication_answers_as_the_java_worker_does() {
    let access = RestAccess {
        https: false,
        client_auth: false,
        user: Some(("admin".into(), "admin-secret".into())),
    };
    let ours = Worker::distributed_with(&[], access.clone());
    let java = JavaStandalone::start(&[], &access);
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let good = basic("admin", "admin-secret");
    let wrong = basic("admin", "nope");
    let stranger = basic("mallory", "admin-secret");
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("GET", "/connectors", None),
        ("GET", "/connectors", Some(&wrong)),
        ("GET", "/connectors", Some(&stranger)),
        ("GET", "/connectors", Some("Bearer abc")),
        ("GET", "/connectors", Some(&good)),
        ("GET", "/", None),
        ("GET", "/", Some(&good)),
        ("GET", "/connector-plugins", None),
        ("GET", "/admin/loggers", None),
        ("GET", "/admin/loggers", Some(&good)),
        ("DELETE", "/connectors/missing", None),
        ("DELETE", "/connectors/missing", Some(&good)),
        // Jersey matches first: unknown paths and wrong methods are not asked for credentials.
        ("GET", "/no/such/path", None),
        ("DELETE", "/connectors", None),
    ];
    for (method, path, authorization) in cases {
        let o = answer(
            ours.client(),
            method,
            &format!("{}{path}", ours.url),
            *authorization,
        );
        let j = answer(
            &http,
            method,
            &format!("{}{path}", java.url),
            *authorization,
        );
        let what = format!("{method} {path} with {authorization:?}");
        assert_eq!(o.0, j.0, "{what}: status (ours {o:?}, Java {j:?})");
        if o.0 == 401 {
            assert_eq!(o, j, "{what}: the refusal");
        }
    }
    // The internal requests between workers pass without credentials (their signatures
    // protect them): whatever each worker answers, it is not a 401.
    for (method, path) in [
        ("POST", "/connectors/missing/tasks"),
        ("PUT", "/connectors/missing/fence"),
    ] {
        let o = answer(ours.client(), method, &format!("{}{path}", ours.url), None);
        let j = answer(&http, method, &format!("{}{path}", java.url), None);
        assert!(
            o.0 != 401 && j.0 != 401,
            "{method} {path}: ours {o:?}, Java {j:?}"
        );
    }
    // Java answers a header that is not base64 with a 500 (its decoder's exception escapes the
    // filter): a bug, so ours refuses it as any other bad credential.
    let garbage = answer(
        ours.client(),
        "GET",
        &format!("{}/connectors", ours.url),
        Some("Basic !!!"),
    );
    assert_eq!(garbage.0, 401, "{garbage:?}");
    assert!(
        !ours.log().contains("admin-secret"),
        "a password is in the worker log"
    );
}

#[test]
fn a_worker_without_a_usable_jaas_file_refuses_to_start_saying_what_to_set() {
    let mut w = Worker::spawn_in_group(
        &connect_tests::unique_name("no-jaas"),
        &[(
            "rest.extension.classes",
            connect_tests::rest_access::BASIC_AUTH_EXTENSION,
        )],
    );
    let err = w.try_wait_ready(Duration::from_secs(60)).unwrap_err();
    assert!(
        err.contains("no JAAS file is given: set KAFKA_OPTS=-Djava.security.auth.login.config="),
        "{err}"
    );
}
