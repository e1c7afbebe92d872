//! Schemas between their text (as the converters intern it in a batch) and their parsed form,
//! both ways, cached: a batch of records with one schema parses it once and prints each
//! schema a transformation made once.

use std::collections::HashMap;
use std::sync::Arc;

use crate::convert::json_text::{Node, first_value};
use crate::convert::normalize::Normalizer;
use crate::convert::schema::Schema;

/// Past this many entries a cache starts over (a transformation that makes a new schema per
/// record would otherwise grow it without end).
const CAPACITY: usize = 1024;

/// Parsed schemas by text, and texts by parsed schema.
#[derive(Default)]
pub struct SchemaCache {
    parsed: HashMap<Arc<str>, Arc<Schema>>,
    /// Keyed by the `Arc`'s address; the entry holds the `Arc`, so the address stays valid.
    texts: HashMap<usize, (Arc<Schema>, Arc<str>)>,
}

impl SchemaCache {
    /// The parsed form of `text` (schema JSON as a converter wrote it).
    pub fn parse(&mut self, text: &Arc<str>) -> Result<Arc<Schema>, String> {
        if let Some(s) = self.parsed.get(text) {
            return Ok(Arc::clone(s));
        }
        let json = first_value(text.as_bytes())?.ok_or("an empty schema")?;
        let schema = Schema::from_node(&Node::parse(json), &Normalizer::default())?
            .ok_or("a null schema")?;
        let schema = Arc::new(schema);
        if self.parsed.len() >= CAPACITY {
            self.parsed.clear();
        }
        self.parsed.insert(Arc::clone(text), Arc::clone(&schema));
        self.remember(&schema, Arc::clone(text));
        Ok(schema)
    }

    /// The text of `schema` (`JsonConverter`'s canonical schema JSON).
    pub fn text(&mut self, schema: &Arc<Schema>) -> Arc<str> {
        let key = Arc::as_ptr(schema) as usize;
        if let Some((_, text)) = self.texts.get(&key) {
            return Arc::clone(text);
        }
        let text: Arc<str> = schema.to_json().into();
        self.remember(schema, Arc::clone(&text));
        text
    }

    fn remember(&mut self, schema: &Arc<Schema>, text: Arc<str>) {
        if self.texts.len() >= CAPACITY {
            self.texts.clear();
        }
        self.texts
            .insert(Arc::as_ptr(schema) as usize, (Arc::clone(schema), text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_once_and_printed_back_the_same() {
        let mut cache = SchemaCache::default();
        let text: Arc<str> = r#"{"type":"int32","optional":false}"#.into();
        let a = cache.parse(&text).unwrap();
        let b = cache.parse(&text).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(Arc::ptr_eq(&cache.text(&a), &text));
        let made = Arc::new(Schema::clone(&a));
        assert_eq!(&*cache.text(&made), &*text);
        assert!(cache.parse(&"{".into()).is_err());
    }
}
