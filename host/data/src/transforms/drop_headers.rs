//! `org.apache.kafka.connect.transforms.DropHeaders`: removes every header whose key is one of
//! `headers` (all of its occurrences), keeping the others in order.

use std::collections::HashSet;

use connect_plugin_api::ConnectConfig;
use connect_plugin_api::abi::config::ConfigValueReport;
use connect_plugin_api::sdk::config::{ConfigDef, ConfigMap};

use super::builtin::BuiltinTransform;
use super::config_checks::{Checked, ExtraChecks, check_non_empty_list, java_list};
use super::record::TransformRecord;
use super::transform::{Transform, TransformError};

/// Kafka's key.
#[derive(Debug, ConnectConfig)]
pub struct DropHeadersConfig {
    /// The name of the headers to be removed.
    #[config(importance = "high", ty = "LIST", parse_with = "java_list")]
    pub headers: Vec<String>,
}

impl ExtraChecks for DropHeadersConfig {
    fn extra_checks(reports: &mut [ConfigValueReport], raw: &ConfigMap, def: &ConfigDef) {
        check_non_empty_list(reports, raw, def, "headers");
    }
}

/// The configured transformation.
#[derive(Debug)]
pub struct DropHeaders {
    headers: HashSet<String>,
}

impl BuiltinTransform for DropHeaders {
    const CLASS: &'static str = "org.apache.kafka.connect.transforms.DropHeaders";
    const DOC: &'static str = "Removes one or more headers from each record.";
    type Config = Checked<DropHeadersConfig>;
    fn new(Checked(c): Checked<DropHeadersConfig>) -> Result<Self, TransformError> {
        Ok(DropHeaders {
            headers: c.headers.into_iter().collect(),
        })
    }
}

impl Transform for DropHeaders {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        record.headers.retain(|h| !self.headers.contains(&h.key));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::builtin::{Build, lookup};
    use crate::transforms::record::Header;
    use crate::transforms::test_support::*;

    fn xform(headers: &str) -> DropHeaders {
        build(&[("headers", headers)]).unwrap()
    }

    /// Java's tests: only the headers change.
    fn assert_dropped(headers: Vec<Header>, expected: Vec<Header>) {
        let original = header_record(headers);
        let out = xform("to-drop").apply(original.clone()).unwrap().unwrap();
        assert_eq!(
            out,
            TransformRecord {
                headers: expected,
                ..original
            }
        );
    }

    #[test]
    fn drop_existing_header() {
        assert_dropped(
            vec![
                string_header("existing", "existing-value"),
                string_header("to-drop", "existing-value"),
            ],
            vec![string_header("existing", "existing-value")],
        );
    }

    #[test]
    fn drop_existing_header_with_multiple_values() {
        assert_dropped(
            vec![
                string_header("existing", "existing-value"),
                string_header("to-drop", "existing-value"),
                string_header("to-drop", "existing-other-value"),
            ],
            vec![string_header("existing", "existing-value")],
        );
    }

    #[test]
    fn drop_non_existing_header() {
        assert_dropped(
            vec![string_header("existing", "existing-value")],
            vec![string_header("existing", "existing-value")],
        );
    }

    #[test]
    fn several_names_and_order_kept() {
        let out = xform("a, c")
            .apply(header_record(vec![
                string_header("a", "1"),
                string_header("b", "2"),
                string_header("c", "3"),
                string_header("d", "4"),
            ]))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.headers,
            [string_header("b", "2"), string_header("d", "4")]
        );
    }

    #[test]
    fn config_rejects_empty_list() {
        assert_eq!(
            validation_errors::<DropHeaders>(&[("headers", "")]),
            ["Invalid value [] for configuration headers: Empty list"]
        );
        assert_eq!(
            validation_errors::<DropHeaders>(&[]),
            ["Missing required configuration \"headers\" which has no default value."]
        );
        let entry = lookup("DropHeaders").unwrap();
        assert_eq!(entry.class, DropHeaders::CLASS);
        let Build::Transform(build) = entry.build else {
            panic!("not a transformation")
        };
        assert!(build(&config(&[("headers", " ")])).is_err());
        assert!(build(&config(&[("headers", "x")])).is_ok());
    }
}
