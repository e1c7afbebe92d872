//! The JSON converter's schema cache (`schemas.cache.size`): schema text as it arrived →
//! parsed schema plus its canonical text, interned as one `Arc<str>` per distinct schema so a
//! batch of records with the same schema shares one allocation. When full it is emptied
//! (simpler than Kafka's LRU; schemas per topic are few). Size 0 disables caching.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::json_text::{Node, first_value};
use super::normalize::Normalizer;
use super::schema::Schema;

/// A parsed schema and its canonical JSON text.
#[derive(Debug)]
pub(crate) struct CachedSchema {
    /// Canonical schema JSON, shared.
    pub(crate) text: Arc<str>,
    /// The parsed schema.
    pub(crate) schema: Schema,
}

#[derive(Default)]
struct Maps {
    by_raw: HashMap<Box<str>, Arc<CachedSchema>>,
    by_canonical: HashMap<Arc<str>, Arc<CachedSchema>>,
}

/// Parsed schemas by raw text.
pub(crate) struct SchemaCache {
    capacity: usize,
    normalizer: Normalizer,
    maps: Mutex<Maps>,
}

impl SchemaCache {
    /// A cache holding up to `capacity` raw schema texts.
    pub(crate) fn new(capacity: usize, normalizer: Normalizer) -> Self {
        SchemaCache {
            capacity,
            normalizer,
            maps: Mutex::new(Maps::default()),
        }
    }

    /// The schema for `raw` (valid or not yet validated JSON text). `Ok(None)` for `null`.
    pub(crate) fn get(&self, raw: &str) -> Result<Option<Arc<CachedSchema>>, String> {
        if raw == "null" {
            return Ok(None);
        }
        if self.capacity > 0
            && let Some(hit) = self.lock().by_raw.get(raw)
        {
            return Ok(Some(Arc::clone(hit)));
        }
        let text = first_value(raw.as_bytes())?.ok_or("schema is empty")?;
        let Some(schema) = Schema::from_node(&Node::parse(text), &self.normalizer)? else {
            return Ok(None);
        };
        let canonical: Arc<str> = Arc::from(schema.to_json());
        if self.capacity == 0 {
            return Ok(Some(Arc::new(CachedSchema {
                text: canonical,
                schema,
            })));
        }
        let mut maps = self.lock();
        if maps.by_raw.len() >= self.capacity {
            maps.by_raw.clear();
            maps.by_canonical.clear();
        }
        let entry = match maps.by_canonical.get(&canonical) {
            Some(existing) => Arc::clone(existing),
            None => {
                let entry = Arc::new(CachedSchema {
                    text: Arc::clone(&canonical),
                    schema,
                });
                maps.by_canonical.insert(canonical, Arc::clone(&entry));
                entry
            }
        };
        maps.by_raw.insert(raw.into(), Arc::clone(&entry));
        Ok(Some(entry))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Maps> {
        self.maps.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_schemas_share_one_allocation() {
        let cache = SchemaCache::new(10, Normalizer::default());
        let a = cache.get(r#"{"type":"string"}"#).unwrap().unwrap();
        let b = cache
            .get(r#"{ "type" : "string" , "optional": false }"#)
            .unwrap()
            .unwrap();
        let c = cache.get(r#"{"type":"string"}"#).unwrap().unwrap();
        assert!(Arc::ptr_eq(&a.text, &b.text));
        assert!(Arc::ptr_eq(&a, &c));
        assert_eq!(&*a.text, r#"{"type":"string","optional":false}"#);
    }

    #[test]
    fn null_bad_and_uncached() {
        let cache = SchemaCache::new(0, Normalizer::default());
        assert!(cache.get("null").unwrap().is_none());
        assert_eq!(
            cache.get(r#"{"x":1}"#).unwrap_err(),
            "Schema must contain 'type' field"
        );
        assert!(cache.get("{").is_err());
        assert!(cache.get(r#"{"type":"int8"}"#).unwrap().is_some());
    }

    #[test]
    fn full_cache_is_emptied_not_grown() {
        let cache = SchemaCache::new(2, Normalizer::default());
        for t in ["int8", "int16", "int32", "int64"] {
            cache.get(&format!(r#"{{"type":"{t}"}}"#)).unwrap();
        }
        assert!(cache.lock().by_raw.len() <= 2);
    }
}
