//! Exact name-to-id lookup for the decision path.
//!
//! A request names its template, initiator and signer, so a decision by
//! names starts with three or four lookups. Names of up to 23 bytes (nearly
//! all) are packed with their length into three words that are the hash
//! table's key itself: a lookup hashes three words and compares three,
//! with no string comparison and no second allocation to read. Longer
//! names go to an ordinary string-keyed map.

use hashbrown::HashTable;
use rustc_hash::FxHashMap;

/// Up to 23 bytes of a name, zero-padded, and its length in the last byte
/// (so `ab` and `ab\0` differ).
#[derive(Debug, Clone, Copy)]
struct Packed([u64; 3]);

impl Packed {
    /// Names differ in a few bytes of mostly-zero words: fold the three
    /// words into one well-spread word (folded multiplies, as in foldhash).
    /// A factor of zero would make the hash constant: the first fold's
    /// constants are not UTF-8, `c`'s top byte is a length of at most 23,
    /// and the last one would need the first fold's output to be one given
    /// word, so names chosen to collide are not easy to find.
    #[inline]
    fn hash(&self) -> u64 {
        let [a, b, c] = self.0;
        let ab = fold(a ^ 0x243f_6a88_85a3_08d3, b ^ 0x1319_8a2e_0370_7344);
        fold(ab ^ 0x082e_fa98_ec4e_6c89, c ^ 0xa409_3822_299f_31d0)
    }

    /// Word by word (an array `==` may call `memcmp`).
    #[inline]
    fn same(&self, other: &Packed) -> bool {
        let ([a, b, c], [x, y, z]) = (self.0, other.0);
        (a ^ x) | (b ^ y) | (c ^ z) == 0
    }
}

#[inline]
fn fold(x: u64, y: u64) -> u64 {
    let full = u128::from(x) * u128::from(y);
    (full as u64) ^ ((full >> 64) as u64)
}

const PACKED_BYTES: usize = 23;

/// Packs a name of at most [`PACKED_BYTES`] by whole-word loads: full
/// words, then the tail as the name's last eight bytes shifted down (no
/// byte loop, no call to `memcpy`).
#[inline(always)]
fn pack(name: &str) -> Option<Packed> {
    let b = name.as_bytes();
    let n = b.len();
    if n > PACKED_BYTES {
        return None;
    }
    let at = |i: usize| b.get(i..i + 8).map_or(0, word);
    // The bytes from `from` to the end, when fewer than eight remain.
    let tail = |from: usize| {
        at(n - 8)
            .checked_shr(8 * (8 + from - n) as u32)
            .unwrap_or(0)
    };
    let words = if n >= 16 {
        [at(0), at(8), tail(16)]
    } else if n >= 8 {
        [at(0), tail(8), 0]
    } else {
        [small(b), 0, 0]
    };
    let [a, b, c] = words;
    Some(Packed([a, b, c | (n as u64) << 56]))
}

/// Eight bytes as a little-endian word.
#[inline]
fn word(b: &[u8]) -> u64 {
    <[u8; 8]>::try_from(b).map_or(0, u64::from_le_bytes)
}

/// Zero to seven bytes as a little-endian word, by overlapping loads.
#[inline]
fn small(t: &[u8]) -> u64 {
    let n = t.len();
    let at = |i: usize| u64::from(t.get(i).copied().unwrap_or(0));
    if n >= 4 {
        let four = |i: usize| {
            t.get(i..i + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
        };
        four(0) | (four(n - 4) << (8 * (n - 4)))
    } else if n > 0 {
        at(0) | (at(n / 2) << (8 * (n / 2))) | (at(n - 1) << (8 * (n - 1)))
    } else {
        0
    }
}

/// Names to ids.
#[derive(Debug, Clone)]
pub(crate) struct Names<I> {
    /// Packed names with their ids, hashed by [`Packed::hash`].
    short: HashTable<(Packed, I)>,
    long: FxHashMap<Box<str>, I>,
}

impl<I> Default for Names<I> {
    fn default() -> Self {
        Names {
            short: HashTable::new(),
            long: FxHashMap::default(),
        }
    }
}

impl<I: Copy> Names<I> {
    // Always inlined: a decision makes three or four lookups, and a call
    // costs about as much as the probe.
    #[inline(always)]
    pub fn get(&self, name: &str) -> Option<I> {
        match pack(name) {
            Some(p) => self
                .short
                .find(p.hash(), |(k, _)| k.same(&p))
                .map(|&(_, id)| id),
            None => self.long.get(name).copied(),
        }
    }

    /// Bytes the tables hold (buckets and control bytes; long keys).
    pub fn heap_bytes(&self) -> usize {
        let short = self.short.capacity() * (std::mem::size_of::<(Packed, I)>() + 1);
        let long = self.long.capacity() * (std::mem::size_of::<(Box<str>, I)>() + 1);
        short + long + self.long.keys().map(|k| k.len()).sum::<usize>()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Every value, to change (not the names).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut I> {
        self.short
            .iter_mut()
            .map(|(_, id)| id)
            .chain(self.long.values_mut())
    }

    /// Maps `name` to `id`, replacing an earlier id.
    pub fn insert(&mut self, name: &str, id: I) {
        match pack(name) {
            Some(p) => {
                let h = p.hash();
                match self.short.find_mut(h, |(k, _)| k.same(&p)) {
                    Some(slot) => slot.1 = id,
                    None => {
                        self.short.insert_unique(h, (p, id), |(k, _)| k.hash());
                    }
                }
            }
            None => {
                self.long.insert(name.into(), id);
            }
        }
    }
}

impl<I: Copy, S: AsRef<str>> FromIterator<(S, I)> for Names<I> {
    fn from_iter<T: IntoIterator<Item = (S, I)>>(iter: T) -> Self {
        let mut names = Names::default();
        for (name, id) in iter {
            names.insert(name.as_ref(), id);
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_exact() {
        let long = "a-name-that-is-longer-than-twenty-three-bytes";
        let names: Names<u32> = [("", 0), ("ab", 1), ("acme.zhang", 2), (long, 3)]
            .into_iter()
            .collect();
        assert_eq!(names.get(""), Some(0));
        assert_eq!(names.get("ab"), Some(1));
        assert_eq!(names.get("ab\0"), None);
        assert_eq!(names.get("a"), None);
        assert_eq!(names.get("acme.zhang"), Some(2));
        assert_eq!(names.get("acme.zhan"), None);
        assert_eq!(names.get(long), Some(3));
        assert_eq!(names.get(&long[1..]), None);
        let exactly = "x".repeat(PACKED_BYTES);
        let over = "x".repeat(PACKED_BYTES + 1);
        let names: Names<u32> = [(exactly.as_str(), 7), (over.as_str(), 8)]
            .into_iter()
            .collect();
        assert_eq!(names.get(&exactly), Some(7));
        assert_eq!(names.get(&over), Some(8));
        assert_eq!(names.get(&"x".repeat(PACKED_BYTES - 1)), None);
        // Every length, every byte position.
        let all: Vec<String> = (0..=PACKED_BYTES + 2)
            .flat_map(|n| (0..n.max(1)).map(move |i| (n, i)))
            .map(|(n, i)| {
                (0..n)
                    .map(|j| if j == i { 'b' } else { 'a' })
                    .collect::<String>()
            })
            .collect();
        let names: Names<usize> = all.iter().map(|s| s.as_str()).zip(0..).collect();
        for (i, s) in all.iter().enumerate() {
            assert_eq!(names.get(s), Some(i), "{s}");
        }
        assert_eq!(names.get("aaaac"), None);
    }
}
