//! `org.apache.kafka.connect.transforms.HoistField$Key` / `$Value`: wraps the key or value in a
//! struct with one field (with a schema) or a one-entry map (without).

use std::sync::Arc;

use connect_plugin_api::ConnectConfig;

use super::builtin::{BuiltinTransform, key_or_value_class};
use super::connect_schema::validate_value;
use super::data::{Datum, Value};
use super::record::TransformRecord;
use super::requirements::schema_of;
use super::schema_update_cache::SchemaUpdateCache;
use super::transform::{Transform, TransformError};
use crate::config_value::trim;
use crate::convert::schema::{Schema, Type};

/// Kafka's key.
#[derive(Debug, ConnectConfig)]
pub struct HoistFieldConfig {
    /// Field name for the single field that will be created in the resulting Struct or Map.
    #[config(importance = "medium")]
    pub field: String,
}

/// The configured transformation; `KEY` picks the key (`$Key`) or the value (`$Value`).
#[derive(Debug)]
pub struct HoistField<const KEY: bool> {
    field: String,
    /// Wrapper struct schemas by wrapped schema.
    cache: SchemaUpdateCache<Result<Arc<Schema>, TransformError>>,
}

/// `HoistField$Key`.
pub type HoistFieldKey = HoistField<true>;
/// `HoistField$Value`.
pub type HoistFieldValue = HoistField<false>;

impl<const KEY: bool> BuiltinTransform for HoistField<KEY> {
    const CLASS: &'static str = key_or_value_class!(KEY, "HoistField");
    const DOC: &'static str = "Wrap data using the specified field name in a Struct when schema present, or a Map in the case of schemaless data.<p/>Use the concrete transformation type designed for the record key (<code>org.apache.kafka.connect.transforms.HoistField$Key</code>) or value (<code>org.apache.kafka.connect.transforms.HoistField$Value</code>).";
    type Config = HoistFieldConfig;
    fn new(c: HoistFieldConfig) -> Result<Self, TransformError> {
        Ok(HoistField {
            // Kafka trims STRING values.
            field: trim(&c.field).to_owned(),
            cache: SchemaUpdateCache::new(),
        })
    }
}

impl<const KEY: bool> Transform for HoistField<KEY> {
    fn apply(
        &mut self,
        mut record: TransformRecord,
    ) -> Result<Option<TransformRecord>, TransformError> {
        let operand = record.operand_mut(KEY);
        let Datum { schema, value } = std::mem::replace(operand, Datum::NULL);
        *operand = match schema {
            None => Datum::schemaless(Value::Map(vec![(Value::String(self.field.clone()), value)])),
            Some(schema) => {
                let field = &self.field;
                let wrapper = self
                    .cache
                    .get_or_insert_with(&schema, |s| wrapper_schema(field, s))?;
                // `Struct.put` checks the value (a null needs an optional schema).
                validate_value(Some(field), &schema, &value)?;
                Datum::with_schema(wrapper, Value::Struct(vec![value]))
            }
        };
        Ok(Some(record))
    }
}

/// `SchemaBuilder.struct().field(field, schema).build()`.
fn wrapper_schema(field: &str, schema: &Schema) -> Result<Arc<Schema>, TransformError> {
    if field.is_empty() {
        return Err(TransformError::new("fieldName cannot be null."));
    }
    Ok(Arc::new(schema_of(Type::Struct(vec![(
        field.to_owned(),
        schema.clone(),
    )]))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_plugin_api::sdk::config::ConnectConfig;

    fn hoist<const KEY: bool>(field: &str) -> HoistField<KEY> {
        build(&[("field", field)]).unwrap()
    }

    fn int32() -> Arc<Schema> {
        Arc::new(schema_of(Type::Int32))
    }

    #[test]
    fn schemaless() {
        let mut xform = hoist::<true>("magic");
        let out = xform
            .apply(sink_record(
                Datum::schemaless(Value::Int64(42)),
                Datum::NULL,
            ))
            .unwrap()
            .unwrap();
        assert_eq!(out.key.schema, None);
        assert_eq!(
            out.key.value,
            Value::Map(vec![(Value::String("magic".into()), Value::Int64(42))])
        );
        assert_eq!(out.value, Datum::NULL);
    }

    #[test]
    fn with_schema() {
        let mut xform = hoist::<true>("magic");
        let key_schema = int32();
        let out = xform
            .apply(sink_record(
                Datum::with_schema(key_schema.clone(), Value::Int32(42)),
                Datum::NULL,
            ))
            .unwrap()
            .unwrap();
        let schema = out.key.schema.unwrap();
        assert_eq!(
            schema.ty,
            Type::Struct(vec![("magic".into(), (*key_schema).clone())])
        );
        assert!(!schema.optional && schema.name.is_none());
        assert_eq!(out.key.value, Value::Struct(vec![Value::Int32(42)]));
    }

    #[test]
    fn the_value_variant_leaves_the_key_alone() {
        let mut xform = hoist::<false>("v");
        let key = Datum::schemaless(Value::String("k".into()));
        let out = xform
            .apply(sink_record(key.clone(), Datum::schemaless(Value::Null)))
            .unwrap()
            .unwrap();
        assert_eq!(out.key, key);
        // A null is wrapped too (Java has no tombstone pass-through here).
        assert_eq!(
            out.value.value,
            Value::Map(vec![(Value::String("v".into()), Value::Null)])
        );
    }

    #[test]
    fn one_wrapper_schema_per_input_schema() {
        let mut xform = hoist::<false>("v");
        let schema = int32();
        let a = xform
            .apply(sink_record(
                Datum::NULL,
                Datum::with_schema(schema.clone(), Value::Int32(1)),
            ))
            .unwrap()
            .unwrap();
        let b = xform
            .apply(sink_record(
                Datum::NULL,
                Datum::with_schema(schema, Value::Int32(2)),
            ))
            .unwrap()
            .unwrap();
        assert!(Arc::ptr_eq(
            a.value.schema.as_ref().unwrap(),
            b.value.schema.as_ref().unwrap()
        ));
    }

    #[test]
    fn null_with_a_schema_needs_it_optional() {
        let mut xform = hoist::<false>("v");
        let e = xform
            .apply(sink_record(
                Datum::NULL,
                Datum::with_schema(int32(), Value::Null),
            ))
            .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid value: null used for required field: \"v\", schema type: INT32"
        );
        let mut optional = schema_of(Type::Int32);
        optional.optional = true;
        let out = xform
            .apply(sink_record(
                Datum::NULL,
                Datum::with_schema(Arc::new(optional), Value::Null),
            ))
            .unwrap()
            .unwrap();
        assert_eq!(out.value.value, Value::Struct(vec![Value::Null]));
    }

    #[test]
    fn an_empty_field_name_cannot_make_a_struct() {
        let mut xform = hoist::<false>(" ");
        let e = xform
            .apply(sink_record(
                Datum::NULL,
                Datum::with_schema(int32(), Value::Int32(1)),
            ))
            .unwrap_err();
        assert_eq!(e.message, "fieldName cannot be null.");
        let out = xform
            .apply(sink_record(Datum::NULL, Datum::schemaless(Value::Int64(1))))
            .unwrap()
            .unwrap();
        assert_eq!(
            out.value.value,
            Value::Map(vec![(Value::String(String::new()), Value::Int64(1))])
        );
    }

    #[test]
    fn field_is_required() {
        let reports = HoistFieldConfig::validate(&config(&[]));
        assert_eq!(
            reports[0].errors[0].as_str(),
            "Missing required configuration \"field\" which has no default value."
        );
        assert!(
            HoistFieldConfig::validate(&config(&[("field", "f")]))[0]
                .errors
                .is_empty()
        );
    }
}
