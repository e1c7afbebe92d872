//! Kafka's `SchemaUpdateCache` (an `LRUCache` of 16): the schema a transformation built from
//! an input schema, so records with the same input schema get the same output `Arc` (and the
//! converters print it once) without rebuilding it per record.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::convert::schema::Schema;

/// Java's size for these caches.
const CAPACITY: usize = 16;

/// Output schemas by input schema. An input is known by its `Arc`'s address; the entry holds
/// the `Arc`, so the address cannot be reused while it is cached.
#[derive(Debug, Default)]
pub struct SchemaUpdateCache {
    /// Least recently used first.
    entries: VecDeque<(Arc<Schema>, Arc<Schema>)>,
}

impl SchemaUpdateCache {
    /// The schema built for `input`, building it with `build` when it is not cached (an error
    /// is returned and nothing cached).
    pub fn get_or_try_build<E>(
        &mut self,
        input: &Arc<Schema>,
        build: impl FnOnce(&Schema) -> Result<Schema, E>,
    ) -> Result<Arc<Schema>, E> {
        if let Some(i) = self.entries.iter().position(|(k, _)| Arc::ptr_eq(k, input))
            && let Some(entry) = self.entries.remove(i)
        {
            let out = Arc::clone(&entry.1);
            self.entries.push_back(entry);
            return Ok(out);
        }
        let out = Arc::new(build(input)?);
        if self.entries.len() >= CAPACITY {
            self.entries.pop_front();
        }
        self.entries
            .push_back((Arc::clone(input), Arc::clone(&out)));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::schema::Type;
    use crate::transforms::requirements::schema_of;

    fn build_count(
        cache: &mut SchemaUpdateCache,
        input: &Arc<Schema>,
        n: &mut usize,
    ) -> Arc<Schema> {
        cache
            .get_or_try_build(input, |s| {
                *n += 1;
                Ok::<_, ()>(Schema {
                    optional: true,
                    ..s.clone()
                })
            })
            .unwrap()
    }

    #[test]
    fn same_input_same_output_least_recent_evicted() {
        let mut cache = SchemaUpdateCache::default();
        let mut builds = 0;
        let first = Arc::new(schema_of(Type::Int32));
        let a = build_count(&mut cache, &first, &mut builds);
        let b = build_count(&mut cache, &first, &mut builds);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(a.optional);
        assert_eq!(builds, 1);
        // An equal schema in another `Arc` is another key.
        let other = Arc::new(schema_of(Type::Int32));
        build_count(&mut cache, &other, &mut builds);
        assert_eq!(builds, 2);
        // Fifteen more inputs, with `first` used in between, evict `other` but not `first`.
        let more: Vec<_> = (0..15).map(|_| Arc::new(schema_of(Type::Int8))).collect();
        for s in &more {
            build_count(&mut cache, s, &mut builds);
            build_count(&mut cache, &first, &mut builds);
        }
        assert_eq!(builds, 17);
        assert!(Arc::ptr_eq(
            &build_count(&mut cache, &first, &mut builds),
            &a
        ));
        build_count(&mut cache, &other, &mut builds);
        assert_eq!(builds, 18);
        let failed: Result<_, &str> =
            cache.get_or_try_build(&Arc::new(schema_of(Type::Int8)), |_| Err("no"));
        assert_eq!(failed.unwrap_err(), "no");
    }
}
