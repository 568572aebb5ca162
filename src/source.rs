//! Source files and spans into them.

use std::fmt;
use std::sync::Arc;

/// Index of a file in a [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
///
/// Spans compare and hash by file and position, so derived comparisons of
/// syntax tree nodes see where they were written; to compare nodes by what
/// they say, wherever they were written, use [`crate::ast::Meaning`].
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// The file it is in.
    pub file: FileId,
    /// Byte offset of its start.
    pub start: u32,
    /// Byte offset of its end (exclusive).
    pub end: u32,
}

impl Span {
    /// A span of `file` from byte `start` to byte `end` (exclusive).
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Its length in bytes.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    /// Whether it covers no byte.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}..{}", self.file.0, self.start, self.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> miette::SourceSpan {
        (s.start as usize, s.len()).into()
    }
}

/// One policy file: its name as given and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Its name as given (a path, or any label).
    pub name: String,
    /// Its text.
    pub text: Arc<str>,
    /// Shared: a compiled policy keeps them (see `compile::Lines`).
    line_starts: Arc<[u32]>,
}

impl SourceFile {
    /// A file of that name and text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceFile {
        let text: Arc<str> = text.into();
        // A line ends at `\n`, `\r\n` or a lone `\r`, as for the grammar
        // (pest's `NEWLINE`) and miette.
        let mut line_starts = vec![0u32];
        let bytes = text.as_bytes();
        if text.contains('\r') {
            for (i, &b) in bytes.iter().enumerate() {
                let ends = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
                if ends {
                    line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
                }
            }
        } else {
            // Only `\n`: found with `str::find`'s memchr, not byte by byte.
            let mut from = 0;
            while let Some(at) = text.get(from..).and_then(|rest| rest.find('\n')) {
                from += at + 1;
                line_starts.push(u32::try_from(from).unwrap_or(u32::MAX));
            }
        }
        SourceFile {
            name: name.into(),
            text,
            line_starts: line_starts.into(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = line_of(&self.line_starts, offset);
        let start = self.line_starts.get(line).copied().unwrap_or(0) as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map(|s| s.chars().count())
            .unwrap_or(end - start);
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self
            .line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(0) as usize;
        let end = self
            .line_starts
            .get(line)
            .map(|e| *e as usize)
            .unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// Byte offset of the start of every line.
    pub fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }

    /// The line starts, shared.
    pub(crate) fn shared_line_starts(&self) -> Arc<[u32]> {
        self.line_starts.clone()
    }

    /// How many lines it has.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// Every file of a policy set.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// No files yet.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file; its id is its position.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }

    /// The file of an id, if this set has it.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Puts `file` in the place of file `id` (a file that grew, say): the
    /// file it replaces, if `id` is one of the set's.
    pub fn replace(&mut self, id: FileId, file: SourceFile) -> Option<SourceFile> {
        self.files
            .get_mut(id.0 as usize)
            .map(|slot| std::mem::replace(slot, file))
    }

    /// Every file with its id, in order.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there is no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// `file:line:col` of the start of a span, the column in characters.
    pub fn location(&self, span: Span) -> String {
        Locate::location(self, span)
    }
}

impl Locate for Sources {
    fn position(&self, span: Span) -> Option<(&str, usize, usize)> {
        let f = self.get(span.file)?;
        let (line, col) = f.line_col(span.start);
        Some((&f.name, line, col))
    }
}

/// The 0-based line of a byte offset, given the byte offset of the start
/// of every line (the first `0`).
pub(crate) fn line_of(line_starts: &[u32], offset: u32) -> usize {
    line_starts
        .partition_point(|&s| s <= offset)
        .saturating_sub(1)
}

/// Where a span is, as every message, report and answer writes it: the
/// file's name as given, the line and the column from 1, the column in
/// characters (not bytes). [`Sources`] has the text; a compiled policy
/// keeps only its line starts (`compile::Lines`). The formats are written
/// here once: `file:line:col`, `file:line`, and a rule's name.
pub(crate) trait Locate {
    /// The file's name and the line and column of the start of a span;
    /// `None` for a span of a file not here.
    fn position(&self, span: Span) -> Option<(&str, usize, usize)>;

    /// `file:line:col` of the start of a span (`<unknown>` for a file not
    /// here).
    fn location(&self, span: Span) -> String {
        match self.position(span) {
            Some((file, line, col)) => format!("{file}:{line}:{col}"),
            None => String::from("<unknown>"),
        }
    }

    /// `file:line` of the start of a span.
    fn file_line(&self, span: Span) -> String {
        match self.position(span) {
            Some((file, line, _)) => format!("{file}:{line}"),
            None => String::from("<unknown>"),
        }
    }

    /// What a message calls a rule: its label, else where it starts
    /// (`file:line`).
    fn rule_name(&self, label: Option<&str>, span: Span) -> String {
        label.map_or_else(|| self.file_line(span), str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn spans_compare_and_hash_by_position() {
        let a = Span::new(FileId(0), 3, 9);
        assert_eq!(a, Span::new(FileId(0), 3, 9));
        assert_ne!(a, Span::new(FileId(0), 4, 9));
        assert_ne!(a, Span::new(FileId(0), 3, 10));
        assert_ne!(a, Span::new(FileId(1), 3, 9));
        let set: HashSet<Span> = [a, Span::new(FileId(0), 10, 16), Span::new(FileId(1), 3, 9)]
            .into_iter()
            .collect();
        assert_eq!(set.len(), 3);
        assert!(set.contains(&Span::new(FileId(0), 10, 16)));
        assert!(!set.contains(&Span::new(FileId(0), 10, 17)));
    }
}
