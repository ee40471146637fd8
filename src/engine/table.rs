//! [`Table`]: the state's big maps (images, snapshots), stored densely.
//!
//! A hash map keeps its values in its buckets, and a table of a million images has two
//! million buckets (it doubles past seven eighths full), each as large as an image: half
//! the memory would be empty buckets. A `Table` keeps the entries in a `Vec` instead (one
//! after the other, with at most the `Vec`'s own growth to spare) and hashes each key to
//! the entry's position, so an empty bucket costs the size of a key and a position.
//! Removing an entry moves the last one into its place (`swap_remove`); iteration order is
//! insertion order changed only by those moves, so it is as deterministic as the commands.

use std::collections::hash_map::Entry;
use std::hash::Hash;

use rustc_hash::FxHashMap;

/// A map from `K` to `V` stored as a dense `Vec` of entries and a hashed index of
/// positions. See the module docs.
#[derive(Debug, Clone)]
pub(crate) struct Table<K, V> {
    entries: Vec<(K, V)>,
    index: FxHashMap<K, u32>,
}

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Table {
            entries: Vec::new(),
            index: FxHashMap::default(),
        }
    }
}

impl<K: Hash + Eq + Clone, V> Table<K, V> {
    /// The value of `key`.
    #[inline]
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        let &i = self.index.get(key)?;
        Some(&self.entries[i as usize].1)
    }

    /// The value of `key`, to change.
    #[inline]
    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let &i = self.index.get(key)?;
        Some(&mut self.entries[i as usize].1)
    }

    /// Whether `key` has a value.
    #[inline]
    pub(crate) fn contains_key(&self, key: &K) -> bool {
        self.index.contains_key(key)
    }

    /// Sets the value of `key`; returns the value it replaced.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        // Positions are `u32`: four billion entries is far beyond any registry this models
        // (a million images take under a gigabyte).
        let position = u32::try_from(self.entries.len()).expect("fewer than 2^32 entries");
        match self.index.entry(key.clone()) {
            Entry::Occupied(e) => {
                let i = *e.get() as usize;
                Some(std::mem::replace(&mut self.entries[i].1, value))
            }
            Entry::Vacant(e) => {
                e.insert(position);
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Removes `key`'s value and returns it; the last entry takes its place.
    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.index.remove(key)? as usize;
        let (_, value) = self.entries.swap_remove(i);
        if let Some((moved, _)) = self.entries.get(i) {
            // The entry that was last is now at `i`.
            *self.index.get_mut(moved).expect("every entry is indexed") = i as u32;
        }
        Some(value)
    }

    /// Every value, in the table's order.
    pub(crate) fn values(&self) -> impl ExactSizeIterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// How many entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Takes every value out, leaving the table empty.
    pub(crate) fn take_values(&mut self) -> Vec<V> {
        self.index.clear();
        self.entries.drain(..).map(|(_, v)| v).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8, u32),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (any::<u8>(), any::<u32>()).prop_map(|(k, v)| Op::Insert(k % 32, v)),
            any::<u8>().prop_map(|k| Op::Remove(k % 32)),
        ]
    }

    proptest! {
        /// Any sequence of inserts and removes leaves the table holding what a `BTreeMap`
        /// given the same sequence holds, and every answer along the way agrees.
        #[test]
        fn behaves_as_a_map(ops in proptest::collection::vec(op(), 0..200)) {
            let mut table: Table<u8, u32> = Table::default();
            let mut model = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => prop_assert_eq!(table.insert(k, v), model.insert(k, v)),
                    Op::Remove(k) => prop_assert_eq!(table.remove(&k), model.remove(&k)),
                }
                prop_assert_eq!(table.len(), model.len());
                for k in 0..32 {
                    prop_assert_eq!(table.get(&k), model.get(&k));
                    prop_assert_eq!(table.contains_key(&k), model.contains_key(&k));
                }
            }
            let mut values: Vec<u32> = table.values().copied().collect();
            values.sort_unstable();
            let mut expected: Vec<u32> = model.values().copied().collect();
            expected.sort_unstable();
            prop_assert_eq!(&values, &expected);
            prop_assert_eq!(table.take_values().len(), expected.len());
            prop_assert_eq!(table.len(), 0);
        }
    }

    #[test]
    fn get_mut_changes_the_value_in_place() {
        let mut table = Table::default();
        table.insert("a", 1);
        table.insert("b", 2);
        *table.get_mut(&"a").unwrap() += 10;
        assert_eq!(table.remove(&"a"), Some(11));
        assert_eq!(table.get(&"b"), Some(&2));
    }
}
