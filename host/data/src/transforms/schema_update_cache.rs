//! Kafka's `SchemaUpdateCache` (a `SynchronizedCache` over an `LRUCache` of 16): what a
//! transformation derived from an input schema, kept so that records with the same input
//! schema get the same output `Arc` (and the schema text is printed once downstream).
//!
//! Entries are keyed by the input `Arc`'s address and hold that `Arc`, so an address is never
//! reused while its entry lives. A transformation is applied from one thread (its task's), so
//! no lock is needed.

use std::sync::Arc;

use crate::convert::schema::Schema;

/// Java's cache size.
pub const CAPACITY: usize = 16;

/// Up to [`CAPACITY`] derived values by input schema, least recently used evicted first.
#[derive(Debug)]
pub struct SchemaUpdateCache<V> {
    /// Least recently used first.
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
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value derived from `input`, made by `derive` on a miss (its error is returned and
    /// nothing is cached).
    pub fn get_or_try_insert<E>(
        &mut self,
        input: &Arc<Schema>,
        derive: impl FnOnce(&Schema) -> Result<V, E>,
    ) -> Result<&V, E> {
        match self.entries.iter().position(|(k, _)| Arc::ptr_eq(k, input)) {
            Some(i) => {
                // A hit becomes the most recently used.
                let entry = self.entries.remove(i);
                self.entries.push(entry);
            }
            None => {
                let value = derive(input)?;
                if self.entries.len() >= CAPACITY {
                    self.entries.remove(0);
                }
                self.entries.push((Arc::clone(input), value));
            }
        }
        // The entry asked for is now the last one.
        Ok(&self.entries[self.entries.len() - 1].1)
    }

    /// How many inputs are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<V: Clone> SchemaUpdateCache<V> {
    /// The value derived from `input`: the cached one, or `derive(input)` remembered (an
    /// infallible [`SchemaUpdateCache::get_or_try_insert`] that returns a copy).
    pub fn get_or_insert_with(
        &mut self,
        input: &Arc<Schema>,
        derive: impl FnOnce(&Schema) -> V,
    ) -> V {
        match self.get_or_try_insert(input, |s| Ok::<V, std::convert::Infallible>(derive(s))) {
            Ok(v) => v.clone(),
            Err(never) => match never {},
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::schema::Type;
    use crate::transforms::requirements::schema_of;

    fn derive(n: &mut usize) -> Result<usize, ()> {
        *n += 1;
        Ok(*n)
    }

    #[test]
    fn same_input_same_output_and_lru_eviction() {
        let mut cache = SchemaUpdateCache::default();
        let mut made = 0;
        let inputs: Vec<Arc<Schema>> = (0..=CAPACITY)
            .map(|_| Arc::new(schema_of(Type::Int32)))
            .collect();
        let first = *cache
            .get_or_try_insert(&inputs[0], |_| derive(&mut made))
            .unwrap();
        assert_eq!(
            *cache
                .get_or_try_insert(&inputs[0], |_| derive(&mut made))
                .unwrap(),
            first
        );
        // An equal but distinct schema is another entry.
        assert_ne!(
            *cache
                .get_or_try_insert(&inputs[1], |_| derive(&mut made))
                .unwrap(),
            first
        );
        for input in &inputs[2..CAPACITY] {
            cache
                .get_or_try_insert(input, |_| derive(&mut made))
                .unwrap();
        }
        assert_eq!(cache.len(), CAPACITY);
        // Touch the first, then add one more: the second (least recently used) goes.
        cache
            .get_or_try_insert(&inputs[0], |_| derive(&mut made))
            .unwrap();
        cache
            .get_or_try_insert(&inputs[CAPACITY], |_| derive(&mut made))
            .unwrap();
        assert_eq!(cache.len(), CAPACITY);
        let before = made;
        cache
            .get_or_try_insert(&inputs[0], |_| derive(&mut made))
            .unwrap();
        assert_eq!(made, before);
        cache
            .get_or_try_insert(&inputs[1], |_| derive(&mut made))
            .unwrap();
        assert_eq!(made, before + 1);
        assert!(
            cache
                .get_or_try_insert(&Arc::new(schema_of(Type::Int8)), |_| Err::<usize, _>("no"))
                .is_err()
        );
    }

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
