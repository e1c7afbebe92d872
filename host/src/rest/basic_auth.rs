//! HTTP basic authentication of the REST API, configured as Kafka's
//! `BasicAuthSecurityRestExtension` is: `rest.extension.classes` names the extension, the JVM's
//! JAAS file (`-Djava.security.auth.login.config=…` in `KAFKA_OPTS`) has a `KafkaConnect` entry
//! with Kafka's `PropertyFileLoginModule`, whose `file` option names a properties file of
//! `user=password` lines.
//!
//! As in Kafka: every request to a matched resource of the main listeners needs credentials
//! (unknown paths and wrong methods answer 404/405 first, as Jersey matches before its filters
//! run); an `admin.listeners` listener is not protected; the internal requests between workers
//! (`POST /connectors/{c}/tasks`, `PUT /connectors/{c}/fence`) pass, as their KIP-507
//! signatures protect them; an empty credentials file lets every request in (with a warning at
//! start); a refused request gets 401 with Java's text. Requests forwarded to another worker
//! keep their `Authorization` header ([`super::forward`]).

use std::{collections::BTreeMap, path::Path, sync::Arc};

use axum::{
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::Engine;

use crate::config::{
    BASIC_AUTH_EXTENSION, jaas,
    jaas::{LOGIN_CONFIG_PROPERTY, system_property},
    parse_properties,
};

/// The JAAS entry the extension logs in with.
const LOGIN_ENTRY: &str = "KafkaConnect";
/// The login module it runs.
const PROPERTY_FILE_LOGIN_MODULE: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule";
/// Java's 401 body.
const REFUSED: &str = "User cannot access the resource.";

/// The users allowed in, read once at start (Kafka also reads the file once).
#[derive(Debug)]
pub struct BasicAuth {
    /// user → password; empty means everyone is let in.
    users: BTreeMap<String, String>,
}

impl BasicAuth {
    /// The credentials of the JAAS file that `kafka_opts` (the `KAFKA_OPTS` variable) names.
    /// Each error says what is missing or wrong and how to fix it.
    pub fn from_kafka_opts(kafka_opts: Option<&str>) -> Result<BasicAuth, String> {
        let Some(file) = kafka_opts.and_then(|o| system_property(o, LOGIN_CONFIG_PROPERTY)) else {
            return Err(format!(
                "rest.extension.classes names {BASIC_AUTH_EXTENSION}, but no JAAS file is given: set \
                 KAFKA_OPTS=-D{LOGIN_CONFIG_PROPERTY}=/path/to/connect_jaas.conf, a file with a \
                 {LOGIN_ENTRY} {{ {PROPERTY_FILE_LOGIN_MODULE} required file=\"/path/to/credentials.properties\"; }}; entry"
            ));
        };
        Self::from_jaas_file(Path::new(&file))
    }

    /// The credentials of the `KafkaConnect` entry of the JAAS file at `path`.
    pub fn from_jaas_file(path: &Path) -> Result<BasicAuth, String> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read the JAAS file {shown} (-D{LOGIN_CONFIG_PROPERTY} in KAFKA_OPTS): {e}; \
                 check the path and its permissions"
            )
        })?;
        let entries =
            jaas::parse(&text).map_err(|e| format!("the JAAS file {shown} is malformed: {e}"))?;
        let Some(entry) = entries.iter().find(|e| e.name == LOGIN_ENTRY) else {
            return Err(format!(
                "the JAAS file {shown} has no {LOGIN_ENTRY} entry, so no request could log in: add \
                 {LOGIN_ENTRY} {{ {PROPERTY_FILE_LOGIN_MODULE} required file=\"/path/to/credentials.properties\"; }};"
            ));
        };
        let module = match entry.modules.as_slice() {
            [one] => one,
            [] => {
                return Err(format!(
                    "the {LOGIN_ENTRY} entry of {shown} has no login module: add {PROPERTY_FILE_LOGIN_MODULE} required file=\"…\";"
                ));
            }
            _ => {
                return Err(format!(
                    "the {LOGIN_ENTRY} entry of {shown} has {} login modules; this worker runs one \
                     {PROPERTY_FILE_LOGIN_MODULE} (several stacked modules are not supported yet)",
                    entry.modules.len()
                ));
            }
        };
        if module.class != PROPERTY_FILE_LOGIN_MODULE {
            return Err(format!(
                "the {LOGIN_ENTRY} entry of {shown} uses {}: login modules are Java classes, and this \
                 worker runs Kafka's {PROPERTY_FILE_LOGIN_MODULE} only (others are not supported yet)",
                module.class
            ));
        }
        let Some(file) = module.options.get("file").filter(|f| !f.trim().is_empty()) else {
            // Kafka's message for it.
            return Err(format!(
                "the {LOGIN_ENTRY} entry of {shown}: Property Credentials file must be specified \
                 (add file=\"/path/to/credentials.properties\")"
            ));
        };
        let credentials = std::fs::read_to_string(file).map_err(|e| {
            format!(
                "cannot read the credentials file {file} (the file option of {LOGIN_ENTRY} in {shown}): \
                 {e}; check the path and its permissions"
            )
        })?;
        let users = parse_properties(&credentials, file).map_err(|e| e.to_string())?;
        if users.is_empty() {
            tracing::warn!(
                file = %file,
                "credential properties file '{file}' is empty; all requests will be permitted"
            );
        }
        Ok(BasicAuth { users })
    }

    /// Whether an `Authorization` header value lets its request in.
    fn permits(&self, authorization: Option<&HeaderValue>) -> bool {
        if self.users.is_empty() {
            return true;
        }
        let Some((user, password)) = authorization
            .and_then(|v| v.to_str().ok())
            .and_then(credentials)
        else {
            return false;
        };
        self.users.get(&user).is_some_and(|p| *p == password)
    }
}

/// User and password of `Basic <base64(user:password)>` (scheme in any case; the user must not
/// be empty).
fn credentials(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.split_once(' ')?;
    if scheme.is_empty() || !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8_lossy(&decoded);
    let (user, password) = text.split_once(':')?;
    (!user.is_empty()).then(|| (user.to_owned(), password.to_owned()))
}

/// The requests other workers send, which their signatures protect instead.
fn is_internal(method: &Method, path: &str) -> bool {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["connectors", name, "tasks"] if !name.is_empty() => method == Method::POST,
        ["connectors", name, "fence"] if !name.is_empty() => method == Method::PUT,
        _ => false,
    }
}

/// A route layer: lets the request through or answers 401.
pub async fn check(State(auth): State<Arc<BasicAuth>>, request: Request, next: Next) -> Response {
    if is_internal(request.method(), request.uri().path())
        || auth.permits(request.headers().get(header::AUTHORIZATION))
    {
        return next.run(request).await;
    }
    tracing::debug!(path = %request.uri().path(), "request failed authentication");
    // Jersey writes the text with the matched resource's media type.
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "application/json")],
        REFUSED,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user_password: &str) -> HeaderValue {
        let encoded = base64::engine::general_purpose::STANDARD.encode(user_password);
        HeaderValue::from_str(&format!("Basic {encoded}")).unwrap()
    }

    fn auth(users: &[(&str, &str)]) -> BasicAuth {
        BasicAuth {
            users: users
                .iter()
                .map(|(u, p)| (u.to_string(), p.to_string()))
                .collect(),
        }
    }

    #[test]
    fn credentials_are_checked_as_the_property_file_module_does() {
        let a = auth(&[("admin", "s3cr:et"), ("ops", "")]);
        assert!(a.permits(Some(&basic("admin:s3cr:et"))));
        assert!(!a.permits(Some(&basic("admin:wrong"))));
        assert!(!a.permits(Some(&basic("nobody:s3cr:et"))));
        assert!(a.permits(Some(&basic("ops:"))));
        assert!(!a.permits(None));
        assert!(!a.permits(Some(&HeaderValue::from_static("Bearer abc"))));
        assert!(!a.permits(Some(&HeaderValue::from_static("Basic !!notbase64"))));
        assert!(!a.permits(Some(&basic(":s3cr:et"))), "an empty user");
        let lower = HeaderValue::from_str(&format!(
            "basic {}",
            base64::engine::general_purpose::STANDARD.encode("admin:s3cr:et")
        ))
        .unwrap();
        assert!(a.permits(Some(&lower)));
        assert!(auth(&[]).permits(None), "an empty file permits everyone");
    }

    #[test]
    fn only_the_signed_internal_requests_pass_without_credentials() {
        assert!(is_internal(&Method::POST, "/connectors/c/tasks"));
        assert!(is_internal(&Method::PUT, "/connectors/c/fence"));
        assert!(!is_internal(&Method::GET, "/connectors/c/tasks"));
        assert!(!is_internal(&Method::POST, "/connectors/c/tasks/0/restart"));
        assert!(!is_internal(&Method::POST, "/connectors"));
        assert!(!is_internal(&Method::PUT, "/connectors/c/config"));
    }

    #[test]
    fn a_jaas_file_with_the_property_file_module() {
        let dir = tempfile::tempdir().unwrap();
        let creds = dir.path().join("credentials.properties");
        std::fs::write(&creds, "# users\nadmin: admin-secret\nops=ops-secret\n").unwrap();
        let jaas_file = dir.path().join("jaas.conf");
        std::fs::write(
            &jaas_file,
            format!(
                "KafkaConnect {{\n  {PROPERTY_FILE_LOGIN_MODULE} required\n  file=\"{}\";\n}};\n",
                creds.display()
            ),
        )
        .unwrap();
        let opts = format!("-Xmx256m -D{LOGIN_CONFIG_PROPERTY}={}", jaas_file.display());
        let a = BasicAuth::from_kafka_opts(Some(&opts)).unwrap();
        assert!(a.permits(Some(&basic("admin:admin-secret"))));
        assert!(a.permits(Some(&basic("ops:ops-secret"))));
        assert!(!a.permits(Some(&basic("ops:admin-secret"))));
    }

    #[test]
    fn every_configuration_mistake_is_named_with_its_fix() {
        let e = BasicAuth::from_kafka_opts(Some("-Xmx1g")).unwrap_err();
        assert!(
            e.contains("set KAFKA_OPTS=-Djava.security.auth.login.config="),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let write = |text: &str| {
            let p = dir.path().join("jaas.conf");
            std::fs::write(&p, text).unwrap();
            BasicAuth::from_jaas_file(&p).unwrap_err()
        };
        let e = write("KafkaServer { a.B required; };");
        assert!(e.contains("has no KafkaConnect entry"), "{e}");
        let e = write("KafkaConnect { com.example.LdapLoginModule required; };");
        assert!(
            e.contains("com.example.LdapLoginModule: login modules are Java classes"),
            "{e}"
        );
        let e = write(&format!(
            "KafkaConnect {{ {PROPERTY_FILE_LOGIN_MODULE} required; }};"
        ));
        assert!(
            e.contains("Property Credentials file must be specified"),
            "{e}"
        );
        let e = write(&format!(
            "KafkaConnect {{ {PROPERTY_FILE_LOGIN_MODULE} required file=\"/nonexistent/creds\"; }};"
        ));
        assert!(
            e.contains("cannot read the credentials file /nonexistent/creds"),
            "{e}"
        );
        let e = write("KafkaConnect { a.B required");
        assert!(e.contains("is malformed: line 1"), "{e}");
    }
}
