//! Kafka's per-transformation `SchemaUpdateCache`: what a transformation derived from an input
//! schema (its output schema, and whatever else it needs per schema), kept in an LRU of 16
//! entries like Java's `LRUCache<Schema, Schema>(16)`, so records with the same input schema get
//! the same output `Arc` (and the converters print it once).

use std::sync::Arc;

use crate::convert::schema::Schema;

/// Entries kept, as Java's `new LRUCache<>(16)`.
const CAPACITY: usize = 16;

/// Derived values by input schema, most recently used first. Keyed by the input `Arc`'s address;
/// each entry holds that `Arc`, so the address cannot be reused while it is cached. (Java keys
/// by schema equality; the converters' schema cache already gives equal schemas one `Arc`.)
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

impl<V> SchemaUpdateCache<V> {
    /// The value derived from `input`, made by `make` on a miss. A failure is not cached (Java
    /// caches only what it built), so the next record with that schema fails the same way.
    pub fn get_or_try_insert<E>(
        &mut self,
        input: &Arc<Schema>,
        make: impl FnOnce(&Schema) -> Result<V, E>,
    ) -> Result<&V, E> {
        match self.entries.iter().position(|(k, _)| Arc::ptr_eq(k, input)) {
            Some(i) => {
                // Most recently used goes to the front; at 16 entries the shift is nothing.
                self.entries[..=i].rotate_right(1);
            }
            None => {
                let value = make(input)?;
                if self.entries.len() >= CAPACITY {
                    self.entries.pop();
                }
                self.entries.insert(0, (Arc::clone(input), value));
            }
        }
        Ok(&self.entries[0].1)
    }

    /// How many input schemas are cached.
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
    fn same_input_same_output_and_least_recently_used_goes_first() {
        let mut cache: SchemaUpdateCache<Arc<Schema>> = SchemaUpdateCache::default();
        let inputs: Vec<Arc<Schema>> = (0..17).map(|_| Arc::new(schema_of(Type::Int32))).collect();
        let make = |s: &Schema| Ok::<_, ()>(Arc::new(s.clone()));
        let first = Arc::clone(cache.get_or_try_insert(&inputs[0], make).unwrap());
        let again = Arc::clone(cache.get_or_try_insert(&inputs[0], make).unwrap());
        assert!(Arc::ptr_eq(&first, &again));
        for input in &inputs[1..16] {
            cache.get_or_try_insert(input, make).unwrap();
        }
        assert_eq!(cache.len(), 16);
        // inputs[0] is used again, so inputs[1] is now the least recently used.
        cache.get_or_try_insert(&inputs[0], make).unwrap();
        cache.get_or_try_insert(&inputs[16], make).unwrap();
        assert_eq!(cache.len(), 16);
        let kept = Arc::clone(cache.get_or_try_insert(&inputs[0], make).unwrap());
        assert!(Arc::ptr_eq(&first, &kept));
        let mut remade = false;
        cache
            .get_or_try_insert(&inputs[1], |s| {
                remade = true;
                make(s)
            })
            .unwrap();
        assert!(remade);
        // A failure is not cached.
        let other = Arc::new(schema_of(Type::String));
        assert!(cache.get_or_try_insert(&other, |_| Err(())).is_err());
        assert!(cache.get_or_try_insert(&other, make).is_ok());
    }
}
