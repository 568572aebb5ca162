//! Limits on what a policy set and a request may hold.
//!
//! Input past a limit is refused with an error that names the limit and
//! where it was crossed; nothing is truncated silently. The README lists
//! them for users.

/// Largest policy file read, in bytes.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Longest line of a policy file, in bytes.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Deepest nesting of parentheses in a condition.
pub const MAX_NESTING: usize = 64;
/// Longest string literal, in characters (after escapes).
pub const MAX_STRING_CHARS: usize = 4096;
/// Most statements in one policy set.
pub const MAX_STATEMENTS: usize = 4_000_000;
/// Most digits of a number (policy or request), leading zeros before the
/// point aside: numbers are exact decimals of at most 28 digits, so of at
/// most 28 decimal places.
pub const MAX_NUMBER_DIGITS: usize = 28;
/// Earliest year of a time (policy or request).
pub const MIN_YEAR: i32 = 1;
/// Latest year of a time (policy or request).
pub const MAX_YEAR: i32 = 9999;
/// Largest request document, in bytes.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;
/// Most attributes in one request.
pub const MAX_ATTRIBUTES: usize = 256;
/// Most values (scalars, lists, mappings) in one request, with YAML
/// aliases expanded: a request holds a few hundred at most, and a few
/// hundred bytes of nested aliases could expand to billions. Its text,
/// aliases expanded, is held to [`MAX_REQUEST_BYTES`] too.
pub const MAX_REQUEST_VALUES: usize = 100_000;
/// Deepest nesting of lists and mappings in a request or a test case
/// file (a request has 2 levels, a case file a handful).
pub const MAX_DOCUMENT_NESTING: usize = 64;
/// Most values in one test case file, with YAML aliases expanded.
pub const MAX_CASE_FILE_VALUES: usize = 1_000_000;
/// Most bytes of text in one test case file, with YAML aliases expanded.
pub const MAX_CASE_FILE_TEXT: usize = 64 * 1024 * 1024;
