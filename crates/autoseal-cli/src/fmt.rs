//! `autoseal fmt`: rewrite policy files in the canonical layout, comments
//! kept; `--check` only lists the files that would change.

use std::path::Path;

use autoseal::diag::Diagnostics;
use autoseal::limits::MAX_FILE_BYTES;
use autoseal::load::{Content, BYTE_ORDER_MARK};
use autoseal::source::{SourceFile, Sources, Span};
use autoseal::syntax::SyntaxError;
use autoseal::Diagnostic;

use crate::common::{color_stderr, LangArg, PolicyPaths, CANNOT_RUN, OK, PROBLEMS};

#[derive(clap::Args)]
pub struct Args {
    /// Do not write: print each file that would change, and exit 1 if any.
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    paths: PolicyPaths,
    #[command(flatten)]
    lang: LangArg,
}

pub fn run(a: Args) -> u8 {
    let paths = a.paths.paths();
    let files = match autoseal::load::policy_files(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    };
    // OK < PROBLEMS < CANNOT_RUN: the worst outcome of any file wins.
    files
        .iter()
        .map(|f| one(f, a.check, a.lang.lang))
        .fold(OK, u8::max)
}

/// Why a file's bytes cannot be formatted.
enum Unreadable {
    /// Not UTF-8 from this byte on.
    NotUtf8(usize),
    /// Larger than [`MAX_FILE_BYTES`]: not read.
    TooLarge(u64),
}

/// A file's text (decoded lossily when it is not UTF-8, to show), what
/// stops it being formatted if anything, and whether it started with a
/// byte order mark (not text, as when loading: formatting drops it). Read
/// as loading reads it: a regular file only, never past the size limit.
fn read(path: &Path) -> Result<(String, Option<Unreadable>, bool), autoseal::LoadError> {
    let mut bytes = match autoseal::load::read_file(path)? {
        Content::Bytes(b) => b,
        Content::TooLarge(size) => {
            return Ok((String::new(), Some(Unreadable::TooLarge(size)), false))
        }
    };
    let marked = bytes.starts_with(BYTE_ORDER_MARK);
    if marked {
        bytes.drain(..BYTE_ORDER_MARK.len());
    }
    Ok(match String::from_utf8(bytes) {
        Ok(t) => (t, None, marked),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            (text, Some(Unreadable::NotUtf8(at)), marked)
        }
    })
}

/// Formats one file; the exit status it calls for (problems shown in
/// `lang`).
fn one(path: &Path, check: bool, lang: autoseal::Lang) -> u8 {
    let name = path.display().to_string();
    let (text, unreadable, marked) = match read(path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    };
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new(name.clone(), text));
    let text = sources.get(id).map(|f| f.text.clone()).unwrap_or_default();
    let formatted = match unreadable {
        None => autoseal::fmt::format_source(id, &text),
        Some(Unreadable::NotUtf8(at)) => Err(vec![SyntaxError::NotUtf8 {
            span: Span::new(id, at, at + 1),
        }]),
        Some(Unreadable::TooLarge(size)) => Err(vec![SyntaxError::FileTooLarge {
            size: usize::try_from(size).unwrap_or(usize::MAX),
            limit: MAX_FILE_BYTES,
            span: Span::new(id, 0, 0),
        }]),
    };
    match formatted {
        Err(errors) => {
            let d = Diagnostics {
                items: errors.into_iter().map(Diagnostic::Syntax).collect(),
            };
            eprint!("{}", d.render_in(&sources, color_stderr(), lang));
            PROBLEMS
        }
        Ok(out) if out == *text && !marked => OK,
        Ok(_) if check => {
            outln!("{name}");
            PROBLEMS
        }
        Ok(out) => match std::fs::write(path, out) {
            Ok(()) => OK,
            Err(e) => {
                eprintln!("error: cannot write `{name}`: {e}");
                CANNOT_RUN
            }
        },
    }
}
