//! JSON request bodies: the [`ConnectJson`] extractor and the config-map shapes that coerce
//! scalars to strings.
//!
//! Kafka Connect reads bodies with Jackson. Two of its behaviours are kept and one is improved:
//! - Config values are strings, but Jackson coerces a JSON number or boolean into its text
//!   (`"tasks.max": 2` becomes `"2"`, `true` becomes `"true"`), and many clients rely on it, so
//!   [`ConfigBody`] and [`ConfigPatch`] do the same. Arrays and objects are still refused. A
//!   `null` value means "no value": it is dropped from a full config (Kafka would store a Java
//!   null and fail later) and deletes the key in a PATCH.
//! - A body that is not `application/json` gets 415. A request without `Content-Type` is
//!   accepted as JSON, because curl users often forget the header and nothing is ambiguous.
//! - A malformed body gets 400 with serde's message and its line/column, where Kafka answers
//!   500 with a Jackson stack message (the contract allows this improvement).

use std::{collections::BTreeMap, fmt};

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{HeaderMap, StatusCode, header::CONTENT_TYPE},
};
use serde::{
    Deserialize, Deserializer,
    de::{DeserializeOwned, MapAccess, Visitor},
};

use super::error::RestError;
use crate::runtime::stores::ConfigMap;

/// A JSON body, read with Kafka Connect's error rules (415 for another content type, 400 with
/// the parser's position for a malformed body). An empty body is read as JSON `null`, so an
/// `Option<T>` target sees `None` and any other target gets a 400 saying the body is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectJson<T>(pub T);

impl<S, T> FromRequest<S> for ConnectJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = RestError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        check_content_type(req.headers())?;
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        parse_body(&bytes).map(ConnectJson)
    }
}

/// The body's exact bytes, read with the server's size limit and Kafka Connect's error body for
/// failures (413 when too large). For the endpoints that need the bytes themselves: signature
/// checks and forwarding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = RestError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    RestError::PayloadTooLarge(e.body_text())
                } else {
                    RestError::BadRequest(format!(
                        "Could not read the request body: {}",
                        e.body_text()
                    ))
                }
            })
    }
}

/// Refuses a body whose declared type is not JSON (`application/json`, or `application/*+json`).
pub fn check_content_type(headers: &HeaderMap) -> Result<(), RestError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .map_err(|_| RestError::UnsupportedMediaType)?
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if json {
        Ok(())
    } else {
        Err(RestError::UnsupportedMediaType)
    }
}

/// Parses a request body into `T`, mapping failures to 400 with serde's line/column.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, RestError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return T::deserialize(serde_json::Value::Null).map_err(|_| {
            RestError::BadRequest("Request body is empty; a JSON document is required".to_owned())
        });
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let prefix = if e.is_data() {
            // Well-formed JSON of the wrong shape (a list where a map belongs, a missing field).
            "Request body does not have the expected shape"
        } else {
            "Request body is not valid JSON"
        };
        RestError::BadRequest(format!("{prefix}: {e}"))
    })
}

/// A full connector config body (`PUT …/config`, validate, the `config` of a create request):
/// a map of strings, with numbers and booleans coerced and `null` values dropped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigBody(pub ConfigMap);

impl<'de> Deserialize<'de> for ConfigBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let patch = ConfigPatch::deserialize(d)?;
        Ok(ConfigBody(
            patch
                .0
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?)))
                .collect(),
        ))
    }
}

/// A `PATCH …/config` body: scalars coerced to strings, `null` kept as `None` (delete the key).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigPatch(pub BTreeMap<String, Option<String>>);

impl<'de> Deserialize<'de> for ConfigPatch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor;
        impl<'de> Visitor<'de> for MapVisitor {
            type Value = ConfigPatch;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of config keys to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ConfigPatch, A::Error> {
                let mut out = BTreeMap::new();
                // A repeated key keeps its last value, as Jackson does.
                while let Some((key, CoercedString(value))) = map.next_entry::<String, _>()? {
                    out.insert(key, value);
                }
                Ok(ConfigPatch(out))
            }
        }
        d.deserialize_map(MapVisitor)
    }
}

/// One config value: a string, or a number/boolean rendered as text, or `null` (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoercedString(pub Option<String>);

impl<'de> Deserialize<'de> for CoercedString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl Visitor<'_> for ScalarVisitor {
            type Value = CoercedString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E>(self, v: &str) -> Result<CoercedString, E> {
                Ok(CoercedString(Some(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<CoercedString, E> {
                Ok(CoercedString(Some(v)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<CoercedString, E> {
                Ok(CoercedString(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<CoercedString, E> {
                Ok(CoercedString(Some(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<CoercedString, E> {
                Ok(CoercedString(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<CoercedString, E> {
                Ok(CoercedString(Some(v.to_string())))
            }
            fn visit_unit<E>(self) -> Result<CoercedString, E> {
                Ok(CoercedString(None))
            }
            fn visit_none<E>(self) -> Result<CoercedString, E> {
                Ok(CoercedString(None))
            }
        }
        d.deserialize_any(ScalarVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Body, http::HeaderValue};

    fn request(content_type: Option<&str>, body: &'static str) -> Request {
        let mut builder = Request::builder().method("PUT").uri("/x");
        if let Some(ct) = content_type {
            builder = builder.header(CONTENT_TYPE, ct);
        }
        builder.body(Body::from(body)).unwrap()
    }

    async fn extract<T: DeserializeOwned>(
        ct: Option<&str>,
        body: &'static str,
    ) -> Result<T, RestError> {
        ConnectJson::<T>::from_request(request(ct, body), &())
            .await
            .map(|ConnectJson(v)| v)
    }

    #[tokio::test]
    async fn config_values_are_coerced_like_jackson() {
        let body = r#"{"tasks.max": 2, "flag": true, "ratio": 0.5, "topics": "t", "gone": null}"#;
        let ConfigBody(config) = extract(Some("application/json"), body).await.unwrap();
        let expected: ConfigMap = [
            ("flag", "true"),
            ("ratio", "0.5"),
            ("tasks.max", "2"),
            ("topics", "t"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(config, expected);

        let ConfigPatch(patch) = extract(None, r#"{"a": null, "b": -1}"#).await.unwrap();
        assert_eq!(patch["a"], None);
        assert_eq!(patch["b"].as_deref(), Some("-1"));
    }

    #[tokio::test]
    async fn nested_values_are_refused_with_the_position() {
        let e = extract::<ConfigBody>(None, "{\"a\": [1]}")
            .await
            .unwrap_err();
        assert_eq!(
            e,
            RestError::BadRequest(
                "Request body does not have the expected shape: invalid type: sequence, \
                 expected a string, number or boolean at line 1 column 7"
                    .into()
            )
        );
    }

    #[tokio::test]
    async fn malformed_json_is_a_400_with_line_and_column() {
        let e = extract::<ConfigBody>(Some("application/json"), "{\"a\": \"b\",\n}")
            .await
            .unwrap_err();
        let (status, message) = e.status_and_message();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            message.starts_with("Request body is not valid JSON: "),
            "{message}"
        );
        assert!(message.ends_with("at line 2 column 1"), "{message}");
    }

    #[tokio::test]
    async fn empty_body_is_none_for_options_and_a_400_otherwise() {
        assert_eq!(extract::<Option<ConfigBody>>(None, "").await.unwrap(), None);
        let e = extract::<ConfigBody>(None, " \n").await.unwrap_err();
        assert_eq!(
            e,
            RestError::BadRequest("Request body is empty; a JSON document is required".into())
        );
    }

    #[tokio::test]
    async fn other_content_types_are_a_415() {
        let e = extract::<ConfigBody>(Some("application/x-www-form-urlencoded"), "{}")
            .await
            .unwrap_err();
        assert_eq!(e, RestError::UnsupportedMediaType);
        assert!(
            extract::<ConfigBody>(Some("Application/JSON; charset=utf-8"), "{}")
                .await
                .is_ok()
        );
        assert!(
            extract::<ConfigBody>(Some("application/vnd.api+json"), "{}")
                .await
                .is_ok()
        );
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert_eq!(
            check_content_type(&headers),
            Err(RestError::UnsupportedMediaType)
        );
    }
}
