//! The revision of a policy set (service.md, "Revision"): `sha256:` and the
//! lower-case hex SHA-256 of, for each `.policy` file in the set's path
//! order, its path relative to the directory with `/` separators, a zero
//! byte, its length as a little-endian `u64`, and its bytes.

use std::fmt::Write as _;

use sha2::Digest;
pub use sha2::Sha256;

/// The revision of files given as (relative path, bytes), in the set's
/// path order.
pub fn revision<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    finish(hash_files(Sha256::new(), files))
}

/// `h` with the files hashed in, in order, as the revision hashes them.
pub fn hash_files<'a>(
    mut h: Sha256,
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Sha256 {
    for (path, bytes) in files {
        h.update(path.as_bytes());
        h.update([0u8]);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h
}

/// The revision once every file is hashed in.
pub fn finish(h: Sha256) -> String {
    let digest = h.finalize();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        // Writing to a `String` cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specification_test_vector() {
        let files: [(&str, &[u8]); 2] = [
            ("a.policy", b"timezone +08:00\n"),
            ("sub/b.policy", b"# b\n"),
        ];
        assert_eq!(
            revision(files),
            "sha256:be185bcd427f2c03ec3c5a66e4b817af0266b4bedaf24b45d1dc606b50bab427"
        );
    }

    #[test]
    fn path_and_length_are_part_of_it() {
        // The same bytes split differently between files differ.
        let one: [(&str, &[u8]); 2] = [("a.policy", b"ab"), ("b.policy", b"c")];
        let two: [(&str, &[u8]); 2] = [("a.policy", b"a"), ("b.policy", b"bc")];
        assert_ne!(revision(one), revision(two));
        let renamed: [(&str, &[u8]); 2] = [("a.policy", b"ab"), ("c.policy", b"c")];
        assert_ne!(revision(one), revision(renamed));
    }
}
