//! Reading policy files and running them through syntax and check.

use std::path::{Path, PathBuf};

use crate::ast::FileAst;
use crate::check;
use crate::diag::{Diagnostic, Diagnostics};
use crate::limits::{MAX_FILE_BYTES, MAX_STATEMENTS};
use crate::model::Model;
use crate::source::{FileId, SourceFile, Sources, Span};
use crate::syntax::{self, Comment, SyntaxError};

/// A path that could not be read at all (as opposed to a file with
/// problems in it, which is reported as diagnostics).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    #[error("cannot read `{path}`: {source}")]
    #[diagnostic(code(autoseal::io))]
    /// A file or directory could not be read (it does not exist, or no
    /// permission...).
    Io {
        /// The path, as given.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    #[error("no `.policy` files under `{path}`")]
    #[diagnostic(code(autoseal::no_policies), help("policy files end in `.policy`"))]
    /// A directory holds no `.policy` file.
    Empty {
        /// The directory, as given.
        path: String,
    },
    /// A FIFO, a device, a socket: reading one may block forever or never
    /// end, so only regular files (or links to them) are read.
    #[error("cannot read `{path}`: it is a {what}, not a regular file")]
    #[diagnostic(
        code(autoseal::not_a_file),
        help("only regular files (or links to them) are read as policy files")
    )]
    NotAFile {
        /// The path, as given.
        path: String,
        /// What it is instead: `FIFO`, `socket`, ...
        what: &'static str,
    },
}

/// One policy file's bytes, named as the user named it.
#[derive(Debug, Clone)]
pub struct Input {
    /// The name diagnostics show (a path, or any label).
    pub name: String,
    /// What was read.
    pub content: Content,
}

/// What was read of a policy file.
#[derive(Debug, Clone)]
pub enum Content {
    /// Its bytes (checked for UTF-8 when it is parsed).
    Bytes(Vec<u8>),
    /// A file larger than [`MAX_FILE_BYTES`], not read: only its size.
    TooLarge(u64),
}

impl Input {
    /// A policy file held in memory: its name and its text.
    pub fn new(name: impl Into<String>, text: impl Into<Vec<u8>>) -> Input {
        Input {
            name: name.into(),
            content: Content::Bytes(text.into()),
        }
    }
}

/// Every `.policy` file under the given paths (a file is taken as it is; a
/// directory is searched recursively), in sorted path order, each file
/// once however it is named. Under a directory, a name that starts with
/// `.` is skipped, file or directory: editors' lock and swap files
/// (`.#acme.policy`, often a dangling link) and hidden directories are
/// not policy files.
pub fn policy_files<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        let p = p.as_ref();
        let meta = std::fs::metadata(p).map_err(|e| io(p, e))?;
        if meta.is_dir() {
            let before = out.len();
            walk(p, &mut out)?;
            if out.len() == before {
                return Err(LoadError::Empty {
                    path: p.display().to_string(),
                });
            }
        } else {
            out.push(p.to_path_buf());
        }
    }
    out.sort();
    // One file named twice (`policies` and `./policies`, or a link) is
    // read once: read twice, every name in it would be a duplicate.
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io(dir, e))?;
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let path = entry.path();
        let ty = entry.file_type().map_err(|e| io(&path, e))?;
        if ty.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "policy") {
            out.push(path);
        }
    }
    Ok(())
}

fn io(p: &Path, e: std::io::Error) -> LoadError {
    LoadError::Io {
        path: p.display().to_string(),
        source: e,
    }
}

/// Reads the files, refusing (as a diagnostic, not an I/O error) any that
/// is larger than [`MAX_FILE_BYTES`] without reading it.
pub fn read_inputs<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<Input>, LoadError> {
    let files = policy_files(paths)?;
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let content = read_file(&f)?;
        out.push(Input {
            name: f.display().to_string(),
            content,
        });
    }
    Ok(out)
}

/// Reads one policy file: only a regular file (after following links),
/// and never more than [`MAX_FILE_BYTES`] plus one byte of it, so that
/// neither a FIFO (which blocks) nor a device such as `/dev/zero` (which
/// says it is empty and never ends) can stall a load. Anything else is a
/// [`LoadError::NotAFile`] naming the path.
pub fn read_file(path: &Path) -> Result<Content, LoadError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
    if !meta.is_file() {
        return Err(not_a_file(path, &meta));
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Ok(Content::TooLarge(meta.len()));
    }
    // Opened without blocking, and looked at again once open: the name may
    // have been swapped for a FIFO since.
    let file = open_nonblocking(path).map_err(|e| io(path, e))?;
    let meta = file.metadata().map_err(|e| io(path, e))?;
    if !meta.is_file() {
        return Err(not_a_file(path, &meta));
    }
    let limit = MAX_FILE_BYTES as u64;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io(path, e))?;
    if bytes.len() > MAX_FILE_BYTES {
        // It grew while being read.
        return Ok(Content::TooLarge(meta.len().max(bytes.len() as u64)));
    }
    Ok(Content::Bytes(bytes))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

fn not_a_file(path: &Path, meta: &std::fs::Metadata) -> LoadError {
    LoadError::NotAFile {
        path: path.display().to_string(),
        what: file_kind(&meta.file_type()),
    }
}

/// What a path that is not a regular file is, in words.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

/// A policy set read and checked: its sources, syntax trees, comments and
/// every problem; the model when there was no error.
#[derive(Debug)]
pub struct Analysis {
    /// The text of every file read.
    pub sources: Sources,
    /// The syntax tree of each file, in the order of `sources`.
    pub files: Vec<FileAst>,
    /// The comments of each file, in the order of `sources`.
    pub comments: Vec<Vec<Comment>>,
    /// Every problem found, errors and warnings.
    pub diagnostics: Diagnostics,
    /// The checked model, when the check found no error (internal: a
    /// program gets a compiled policy from [`crate::Policy::load`]).
    #[doc(hidden)]
    pub model: Option<Model>,
}

impl Analysis {
    /// The policy set's time zone (language.md, "Times"): the offset of
    /// its `timezone` lines when they all agree (files without one do not
    /// count); none when they disagree or there is none.
    pub fn time_zone(&self) -> Option<chrono::FixedOffset> {
        time_zone(&self.files)
    }
}

/// A UTF-8 byte order mark. Editors on Windows may start a file with one;
/// it is not text, and reading a policy file skips it.
pub const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Parses every input, then checks the whole set when every file parsed.
pub fn analyze(inputs: Vec<Input>) -> Analysis {
    let parsed = inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| parse_input(FileId(i as u32), &input))
        .collect();
    let ParsedSet {
        sources,
        files,
        comments,
        mut diags,
        ..
    } = gather(parsed);
    let mut model = None;
    let files: Vec<FileAst> = files
        .into_iter()
        .map(|f| std::sync::Arc::try_unwrap(f).unwrap_or_else(|f| (*f).clone()))
        .collect();
    if diags.is_empty() {
        let checked = check::check(&files, &sources);
        diags.extend(checked.errors.into_iter().map(Diagnostic::Error));
        diags.extend(checked.warnings.into_iter().map(Diagnostic::Warning));
        model = checked.model;
    }
    Analysis {
        sources,
        files,
        comments,
        diagnostics: Diagnostics { items: diags },
        model,
    }
}

/// One file read and parsed.
pub(crate) struct ParsedInput {
    pub source: SourceFile,
    pub ast: std::sync::Arc<FileAst>,
    pub comments: Vec<Comment>,
    /// The problem that stopped it being read as text, if any.
    pub early: Option<SyntaxError>,
    pub errors: Vec<SyntaxError>,
}

/// Reads and parses file `id`.
pub(crate) fn parse_input(id: FileId, input: &Input) -> ParsedInput {
    let (text, early) = decode(&input.content);
    let source = SourceFile::new(input.name.clone(), text);
    if let Some(e) = early {
        return ParsedInput {
            source,
            ast: std::sync::Arc::new(FileAst {
                file: id,
                stmts: Vec::new(),
            }),
            comments: Vec::new(),
            early: Some(with_file(e, id)),
            errors: Vec::new(),
        };
    }
    let parsed = syntax::parse_file(id, &source.text);
    ParsedInput {
        source,
        ast: std::sync::Arc::new(parsed.ast),
        comments: parsed.comments,
        early: None,
        errors: parsed.errors,
    }
}

/// Files parsed, with every syntax problem, in load order.
pub(crate) struct ParsedSet {
    pub sources: Sources,
    pub files: Vec<std::sync::Arc<FileAst>>,
    pub comments: Vec<Vec<Comment>>,
    pub diags: Vec<Diagnostic>,
    pub statements: usize,
}

/// Puts parsed files together (in load order: each file's id is its
/// place), with the syntax problems in order, and the statement limit.
pub(crate) fn gather(parsed: Vec<ParsedInput>) -> ParsedSet {
    let mut sources = Sources::new();
    let mut files = Vec::with_capacity(parsed.len());
    let mut comments = Vec::with_capacity(parsed.len());
    let mut diags = Vec::new();
    let mut statements = 0usize;
    for p in parsed {
        let id = sources.add(p.source);
        if let Some(e) = p.early {
            diags.push(Diagnostic::Syntax(e));
            files.push(p.ast);
            comments.push(Vec::new());
            continue;
        }
        let before = statements;
        statements += p.ast.stmts.len();
        if statements > MAX_STATEMENTS && before <= MAX_STATEMENTS {
            // The first statement over the limit.
            let span = p
                .ast
                .stmts
                .get(MAX_STATEMENTS - before)
                .map_or(Span::new(id, 0, 0), |s| s.span);
            diags.push(Diagnostic::Syntax(SyntaxError::TooManyStatements {
                limit: MAX_STATEMENTS,
                span,
            }));
        }
        diags.extend(p.errors.into_iter().map(Diagnostic::Syntax));
        files.push(p.ast);
        comments.push(p.comments);
    }
    ParsedSet {
        sources,
        files,
        comments,
        diags,
        statements,
    }
}

/// The policy set's time zone (see [`Analysis::time_zone`]).
pub(crate) fn time_zone<'f>(
    files: impl IntoIterator<Item = &'f FileAst>,
) -> Option<chrono::FixedOffset> {
    let mut offsets = files.into_iter().flat_map(|f| {
        f.stmts.iter().filter_map(|s| match &s.kind {
            crate::ast::StmtKind::Timezone(tz) => Some(tz.offset),
            _ => None,
        })
    });
    let first = offsets.next()?;
    offsets.all(|o| o == first).then_some(first)
}

fn with_file(mut e: SyntaxError, id: FileId) -> SyntaxError {
    let fix = |s: &mut Span| s.file = id;
    match &mut e {
        SyntaxError::NotUtf8 { span }
        | SyntaxError::NulByte { span }
        | SyntaxError::FileTooLarge { span, .. } => fix(span),
        _ => {}
    }
    e
}

/// Text of a file, or the problem that stops it being read as text.
pub(crate) fn decode(content: &Content) -> (String, Option<SyntaxError>) {
    let at = |i: usize| Span::new(FileId(0), i, i + 1);
    let too_large = |size: usize| SyntaxError::FileTooLarge {
        size,
        limit: MAX_FILE_BYTES,
        span: Span::new(FileId(0), 0, 0),
    };
    let bytes = match content {
        Content::TooLarge(n) => return (String::new(), Some(too_large(*n as usize))),
        Content::Bytes(b) if b.len() > MAX_FILE_BYTES => {
            return (String::new(), Some(too_large(b.len())))
        }
        Content::Bytes(b) => b.strip_prefix(BYTE_ORDER_MARK).unwrap_or(b),
    };
    match std::str::from_utf8(bytes) {
        Ok(s) => match s.find('\0') {
            Some(i) => (
                s.replace('\0', " "),
                Some(SyntaxError::NulByte { span: at(i) }),
            ),
            None => (s.to_owned(), None),
        },
        Err(e) => {
            let i = e.valid_up_to();
            (
                String::from_utf8_lossy(bytes).into_owned(),
                // The bad bytes read as one U+FFFD.
                Some(SyntaxError::NotUtf8 {
                    span: Span::new(FileId(0), i, i + '\u{FFFD}'.len_utf8()),
                }),
            )
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("autoseal-load-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.policy"), "timezone +08:00\n").unwrap();
        dir
    }

    /// What the service's reload reads too: a FIFO and a device are
    /// errors naming the path; dot names are skipped.
    #[test]
    fn only_regular_files_are_read() {
        let dir = scratch("fifo");
        let fifo = dir.join("b.policy");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        match read_inputs(std::slice::from_ref(&dir)) {
            Err(LoadError::NotAFile { path, what }) => {
                assert_eq!((path, what), (fifo.display().to_string(), "FIFO"));
            }
            other => panic!("{other:?}"),
        }
        std::fs::remove_file(&fifo).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &fifo).unwrap();
        assert!(matches!(
            read_inputs(std::slice::from_ref(&dir)),
            Err(LoadError::NotAFile {
                what: "character device",
                ..
            })
        ));
        std::fs::remove_file(&fifo).unwrap();
        std::os::unix::fs::symlink("nowhere", dir.join(".#b.policy")).unwrap();
        std::fs::create_dir_all(dir.join(".hidden")).unwrap();
        std::fs::write(dir.join(".hidden/c.policy"), "x").unwrap();
        let inputs = read_inputs(std::slice::from_ref(&dir)).unwrap();
        let names: Vec<_> = inputs.iter().map(|i| i.name.clone()).collect();
        assert_eq!(names, [dir.join("a.policy").display().to_string()]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
