//! The journal: runtime events appended to a `.policy` file of the set,
//! each as one comment line and one statement line, written and fsync'ed
//! before the event is answered.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use autoseal::ast::{Meaning, StmtKind};
use autoseal::diag::{Diagnostic, Diagnostics};
use autoseal::source::{FileId, SourceFile, Sources};
use autoseal::syntax::parse_file;

use crate::set::Refusal;

/// The journal's file operations. The service makes every write, newline,
/// fsync and truncation through this layer, and tells it when the new set
/// is swapped in and when the answer goes out; the default methods do the
/// real work, so an implementation that only records calls them (see
/// [`Fs`]) and a test can see the order of the steps (or make one fail).
pub trait JournalIo: Send + Sync {
    /// Writes the comment line and the statement, without the final newline.
    fn write(&self, file: &mut File, bytes: &[u8]) -> io::Result<()> {
        file.write_all(bytes)
    }
    /// Writes the newline that ends the statement.
    fn newline(&self, file: &mut File) -> io::Result<()> {
        file.write_all(b"\n")
    }
    /// Makes what was written durable.
    fn sync(&self, file: &File) -> io::Result<()> {
        file.sync_data()
    }
    /// Makes a new file's directory entry durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
    /// Cuts the file back to `len` bytes (a failed append, or a torn last
    /// line at start-up) and makes that durable.
    fn truncate(&self, file: &File, len: u64) -> io::Result<()> {
        file.set_len(len)?;
        file.sync_data()
    }
    /// The set with the event was swapped in.
    fn swapped(&self, _revision: &str) {}
    /// The answer to an event is about to be sent.
    fn answered(&self, _status: u16) {}
}

/// The real file system, nothing recorded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fs;

impl JournalIo for Fs {}

/// What start-up cut from a journal whose last line had no newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub bytes: Vec<u8>,
}

impl Cut {
    /// The warning start-up logs.
    pub fn warning(&self, journal: &str) -> String {
        format!(
            "journal `{journal}`: its last line had no final newline, so it was never acknowledged; cut {} byte(s): `{}`",
            self.bytes.len(),
            String::from_utf8_lossy(&self.bytes).escape_debug()
        )
    }
}

/// At start-up: cuts a last line without its final newline (a line break
/// is `\n`, or a lone `\r`). `Ok(None)` when the journal is absent or whole.
pub fn cut_torn(io: &dyn JournalIo, path: &Path) -> io::Result<Option<Cut>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let keep = bytes
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    if keep == bytes.len() {
        return Ok(None);
    }
    let file = OpenOptions::new().write(true).open(path)?;
    io.truncate(&file, keep as u64)?;
    Ok(Some(Cut {
        bytes: bytes.get(keep..).unwrap_or_default().to_vec(),
    }))
}

/// Appends `record` (the comment line and the statement) and its newline
/// to the journal, which holds `before` bytes, and makes them durable. On
/// a failure the journal is cut back to `before` (removed, if this append
/// created it); `Err((_, true))` when even that failed (the journal must
/// not be appended to again).
pub fn append(
    io: &dyn JournalIo,
    path: &Path,
    before: u64,
    record: &[u8],
) -> Result<(), (io::Error, bool)> {
    let existed = path.exists();
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| (e, false))?;
    let len = file.metadata().map_err(|e| (e, false))?.len();
    if len != before {
        return Err((
            io::Error::other(format!(
                "the journal changed on disk while the event was checked ({len} bytes, not {before})"
            )),
            false,
        ));
    }
    let steps = io
        .write(&mut file, record)
        .and_then(|()| io.newline(&mut file))
        .and_then(|()| io.sync(&file))
        .and_then(|()| match (existed, path.parent()) {
            (false, Some(dir)) => io.sync_dir(dir),
            _ => Ok(()),
        });
    match steps {
        Ok(()) => Ok(()),
        Err(e) => {
            // Back to what it was: cut back, or gone if it was created.
            let undone = if existed {
                io.truncate(&file, before)
            } else {
                drop(file);
                std::fs::remove_file(path)
            };
            Err((e, undone.is_err()))
        }
    }
}

/// An event's statement on one line: it must parse as exactly one
/// statement that is not a declaration; comments are dropped and its
/// lines joined with single spaces (which keeps its meaning: a string
/// literal never spans lines).
pub fn one_line(statement: &str) -> Result<String, Refusal> {
    let text = statement.strip_prefix('\u{feff}').unwrap_or(statement);
    if text.contains('\0') {
        return Err(refusal("the statement holds a NUL byte"));
    }
    let parsed = parse_file(FileId(0), text);
    if !parsed.errors.is_empty() {
        let mut sources = Sources::new();
        sources.add(SourceFile::new("statement", text));
        let diags = Diagnostics {
            items: parsed.errors.into_iter().map(Diagnostic::Syntax).collect(),
        };
        return Err(Refusal {
            message: String::from("the statement does not parse"),
            diagnostics: diags
                .to_json(&sources)
                .into_iter()
                .filter_map(|d| serde_json::to_value(d).ok())
                .collect(),
            text: diags.render(&sources, false),
        });
    }
    let stmt = match parsed.ast.stmts.as_slice() {
        [] => return Err(refusal("no statement: an event is one statement")),
        [s] => s,
        more => {
            return Err(refusal(&format!(
                "an event is one statement, not {}",
                more.len()
            )))
        }
    };
    if let Some(what) = declaration(&stmt.kind) {
        return Err(refusal(&format!(
            "`{what}` is a declaration, and declarations are not events: write it in a policy file"
        )));
    }
    let mut bytes = text.as_bytes().to_vec();
    for c in &parsed.comments {
        let (start, end) = (c.span.start as usize, c.span.end as usize);
        if let Some(part) = bytes.get_mut(start..end.min(text.len())) {
            part.fill(b' ');
        }
    }
    let blanked = String::from_utf8_lossy(&bytes).into_owned();
    let line = crate::set::lines(&blanked)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    // The one line must say what the statement said (spans aside: the
    // words moved).
    let again = parse_file(FileId(0), &line);
    match again.ast.stmts.as_slice() {
        [s] if again.errors.is_empty() && Meaning(s) == Meaning(stmt) => Ok(line),
        _ => Err(refusal("the statement cannot be written on one line")),
    }
}

fn refusal(message: &str) -> Refusal {
    Refusal {
        message: message.to_owned(),
        diagnostics: Vec::new(),
        text: format!("error: {message}\n"),
    }
}

fn declaration(k: &StmtKind) -> Option<&'static str> {
    match k {
        StmtKind::Timezone { .. } => Some("timezone"),
        StmtKind::Org { .. } => Some("org"),
        StmtKind::Group { .. } => Some("group"),
        StmtKind::Attribute { .. } => Some("attribute"),
        _ => None,
    }
}

/// An event id as a client may choose it: 1 to 128 characters, none of
/// them white space or a control character (it is written in a comment
/// line of the journal).
pub fn valid_event_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= 128
        && !id.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_statement_over_several_lines_becomes_one() {
        let s = "f_x: forbid auto-sign for template acme.general # why\n    when category in [\n\"a\", # first\n  \"b\"]\n";
        assert_eq!(
            one_line(s).unwrap(),
            "f_x: forbid auto-sign for template acme.general when category in [ \"a\", \"b\"]"
        );
    }

    #[test]
    fn declarations_and_two_statements_are_refused() {
        assert!(one_line("timezone +08:00")
            .unwrap_err()
            .message
            .contains("`timezone` is a declaration"));
        assert!(
            one_line("revoke a at 2026-01-01T00:00:00Z\nrevoke b at 2026-01-01T00:00:00Z")
                .unwrap_err()
                .message
                .contains("not 2")
        );
        assert!(one_line("").is_err());
        let bad = one_line("revoke at").unwrap_err();
        assert_eq!(bad.message, "the statement does not parse");
        assert!(!bad.diagnostics.is_empty());
    }

    #[test]
    fn event_ids_are_single_words() {
        assert!(valid_event_id("e-17:abc"));
        assert!(!valid_event_id("two words"));
        assert!(!valid_event_id(""));
        assert!(!valid_event_id("a\nb"));
    }

    #[test]
    fn a_torn_last_line_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("journal.policy");
        std::fs::write(
            &p,
            "# event a at T\nrevoke x at 2026-01-01T00:00:00Z\n# event b at T\nrevoke y at 20",
        )
        .unwrap();
        let cut = cut_torn(&Fs, &p).unwrap().unwrap();
        assert_eq!(cut.bytes, b"revoke y at 20");
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "# event a at T\nrevoke x at 2026-01-01T00:00:00Z\n# event b at T\n"
        );
        assert_eq!(cut_torn(&Fs, &p).unwrap(), None);
        assert_eq!(
            cut_torn(&Fs, &dir.path().join("none.policy")).unwrap(),
            None
        );
    }
}
