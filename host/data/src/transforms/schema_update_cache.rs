//! Kafka's `SchemaUpdateCache` for transformations: what a transformation derived from an input
//! schema (Java's `LRUCache<Schema, Schema>` of 16), so a batch of records with one schema
//! derives it once and every record of it carries the same output `Arc` (which the schema text
//! cache then prints once).

use std::sync::Arc;

use crate::convert::schema::Schema;

/// Java's bound: `new LRUCache<>(16)`.
pub const CAPACITY: usize = 16;

/// Results derived from input schemas, keyed by the input `Arc`'s address, least recently used
/// first. Each entry holds its input `Arc`, so the address cannot be reused by another schema
/// while the entry lives.
#[derive(Debug)]
pub struct SchemaUpdateCache<V> {
    entries: Vec<(Arc<Schema>, V)>,
}

impl<V> Default for SchemaUpdateCache<V> {
    fn default() -> Self {
        SchemaUpdateCache {
            entries: Vec::with_capacity(CAPACITY),
        }
    }
}

impl<V: Clone> SchemaUpdateCache<V> {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value derived from `input`: the cached one, or `derive(input)` remembered (evicting
    /// the least recently used entry past [`CAPACITY`]).
    pub fn get_or_insert_with(
        &mut self,
        input: &Arc<Schema>,
        derive: impl FnOnce(&Schema) -> V,
    ) -> V {
        if let Some(i) = self.entries.iter().position(|(k, _)| Arc::ptr_eq(k, input)) {
            // Move to the most recently used end.
            let entry = self.entries.remove(i);
            let value = entry.1.clone();
            self.entries.push(entry);
            return value;
        }
        let value = derive(input);
        if self.entries.len() >= CAPACITY {
            self.entries.remove(0);
        }
        self.entries.push((Arc::clone(input), value.clone()));
        value
    }

    /// How many entries are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::schema::Type;
    use crate::transforms::requirements::schema_of;

    #[test]
    fn the_same_input_arc_derives_once_and_an_equal_copy_derives_again() {
        let mut cache = SchemaUpdateCache::new();
        let input = Arc::new(schema_of(Type::Int32));
        let mut calls = 0;
        let mut derive = |s: &Schema| {
            calls += 1;
            Arc::new(Schema {
                optional: true,
                ..s.clone()
            })
        };
        let a = cache.get_or_insert_with(&input, &mut derive);
        let b = cache.get_or_insert_with(&input, &mut derive);
        assert!(Arc::ptr_eq(&a, &b));
        let copy = Arc::new(schema_of(Type::Int32));
        let c = cache.get_or_insert_with(&copy, &mut derive);
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(calls, 2);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn bounded_to_sixteen_evicting_the_least_recently_used() {
        let mut cache = SchemaUpdateCache::new();
        let inputs: Vec<Arc<Schema>> = (0..=CAPACITY)
            .map(|_| Arc::new(schema_of(Type::String)))
            .collect();
        for (i, s) in inputs.iter().take(CAPACITY).enumerate() {
            cache.get_or_insert_with(s, |_| i);
        }
        // Touch the oldest so the second oldest is evicted instead.
        assert_eq!(cache.get_or_insert_with(&inputs[0], |_| 99), 0);
        cache.get_or_insert_with(&inputs[CAPACITY], |_| CAPACITY);
        assert_eq!(cache.len(), CAPACITY);
        assert_eq!(cache.get_or_insert_with(&inputs[0], |_| 99), 0);
        assert_eq!(cache.get_or_insert_with(&inputs[1], |_| 42), 42);
    }
}
