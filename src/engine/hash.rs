//! A deterministic hasher for the engine's indexes.
//!
//! The standard `RandomState` seeds itself from the operating system, which this crate
//! never touches (no randomness, byte-identical results). The indexes hold trusted,
//! engine-validated keys, so hash flooding is not a concern and a fast multiplicative
//! hash (the Fx hash used inside rustc) serves.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash: rotate, xor, multiply, one machine word at a time.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8-byte chunk")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Assembled byte by byte: a copy of a variable length into a buffer would be a
            // call to `memcpy`, on every key hashed.
            let word = rest
                .iter()
                .rev()
                .fold(0u64, |word, &b| (word << 8) | u64::from(b));
            self.add(word);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The running hash is weak in its low bits (a product's low bits depend only on the
    /// factors' low bits, so ids that differ in their last characters would share buckets);
    /// the table picks buckets by the low bits, so the hash is finished with the murmur3 mix,
    /// which spreads every input bit over every output bit.
    #[inline]
    fn finish(&self) -> u64 {
        let mut z = self.hash;
        z ^= z >> 33;
        z = z.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        z ^= z >> 33;
        z
    }
}

/// A `HashMap` with the deterministic hasher.
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with the deterministic hasher.
pub type FxHashSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    fn hash_of(s: &str) -> u64 {
        let mut h = FxHasher::default();
        s.hash(&mut h);
        h.finish()
    }

    #[test]
    fn ids_differing_in_their_last_characters_spread_over_the_low_bits() {
        let buckets: std::collections::BTreeSet<u64> = (0..64)
            .map(|i| hash_of(&format!("m-0000000000{i:02}")) & 63)
            .collect();
        assert!(
            buckets.len() > 32,
            "only {} of 64 buckets used",
            buckets.len()
        );
    }

    #[test]
    fn deterministic_and_discriminating() {
        assert_eq!(hash_of("m-abc"), hash_of("m-abc"));
        assert_ne!(hash_of("m-abc"), hash_of("m-abd"));
        assert_ne!(hash_of("abcdefgh1"), hash_of("abcdefgh2"));
    }
}
