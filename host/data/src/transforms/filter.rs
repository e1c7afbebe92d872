//! `org.apache.kafka.connect.transforms.Filter`: drops every record it is applied to; meant to
//! be used with a predicate.

use connect_plugin_api::ConnectConfig;

use super::builtin::BuiltinTransform;
use super::record::TransformRecord;
use super::transform::{Transform, TransformError};

/// No keys.
#[derive(Debug, ConnectConfig)]
pub struct FilterConfig {}

/// Drops the record.
#[derive(Debug)]
pub struct Filter;

impl BuiltinTransform for Filter {
    const CLASS: &'static str = "org.apache.kafka.connect.transforms.Filter";
    const DOC: &'static str = "Drops all records, filtering them from subsequent transformations in the chain. This is intended to be used conditionally to filter out records matching (or not matching) a particular Predicate.";
    type Config = FilterConfig;
    fn new(_: FilterConfig) -> Result<Self, TransformError> {
        Ok(Filter)
    }
}

impl Transform for Filter {
    fn apply(&mut self, _: TransformRecord) -> Result<Option<TransformRecord>, TransformError> {
        Ok(None)
    }
}
