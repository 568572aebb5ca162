//! A policy directory as the service reads it: its `.policy` files, named
//! by their paths relative to the directory, and the compiled snapshot a
//! request sees.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use autoseal::limits::MAX_FILE_BYTES;
use autoseal::live::LiveSet;
use autoseal::load::{analyze, policy_files, Content, Input, LoadError};
use autoseal::{Policy, Report};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::revision::revision;

/// One `.policy` file of the directory.
#[derive(Debug, Clone)]
pub struct DiskFile {
    /// Its path relative to the directory, with `/` separators: the name
    /// diagnostics, rule names and sources use, and the revision hashes.
    pub rel: String,
    /// `DIR/rel`, as the directory walk names it (it fixes the order).
    pub path: PathBuf,
    pub content: Content,
}

/// Every `.policy` file under a directory, in the set's path order.
#[derive(Debug, Clone, Default)]
pub struct DiskSet {
    pub files: Vec<DiskFile>,
}

impl DiskSet {
    /// Reads the directory as the library's loader does (the same files in
    /// the same order), keeping each file's bytes.
    pub fn read(dir: &Path) -> Result<DiskSet, LoadError> {
        let paths = policy_files(&[dir.to_path_buf()])?;
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let io = |source| LoadError::Io {
                path: path.display().to_string(),
                source,
            };
            let len = std::fs::metadata(&path).map_err(io)?.len();
            let content = if len > MAX_FILE_BYTES as u64 {
                Content::TooLarge(len)
            } else {
                Content::Bytes(std::fs::read(&path).map_err(io)?)
            };
            files.push(DiskFile {
                rel: relative(dir, &path),
                path,
                content,
            });
        }
        Ok(DiskSet { files })
    }

    /// The set's revision; `None` when a file was too large to be read
    /// (such a set does not load).
    pub fn revision(&self) -> Option<String> {
        let mut parts = Vec::with_capacity(self.files.len());
        for f in &self.files {
            match &f.content {
                Content::Bytes(b) => parts.push((f.rel.as_str(), b.as_slice())),
                Content::TooLarge(_) => return None,
            }
        }
        Some(revision(parts))
    }

    /// Whether `other` holds the same files (names, paths and bytes).
    pub fn same(&self, other: &DiskSet) -> bool {
        self.files.len() == other.files.len()
            && self.files.iter().zip(&other.files).all(|(a, b)| {
                a.rel == b.rel
                    && a.path == b.path
                    && match (&a.content, &b.content) {
                        (Content::Bytes(x), Content::Bytes(y)) => x == y,
                        _ => false,
                    }
            })
    }

    /// The files as the loader's inputs (copies the bytes).
    pub fn inputs(&self) -> Vec<Input> {
        self.files
            .iter()
            .map(|f| Input {
                name: f.rel.clone(),
                content: f.content.clone(),
            })
            .collect()
    }

    /// The bytes of the file named `rel`, if the set has it.
    pub fn bytes(&self, rel: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|f| f.rel == rel)
            .and_then(|f| match &f.content {
                Content::Bytes(b) => Some(b.as_slice()),
                Content::TooLarge(_) => None,
            })
    }

    /// The set with the file `rel` (at `path`, `DIR/rel`) holding `bytes`:
    /// replaced, or added in its place in the path order.
    pub fn with_file(&self, rel: &str, path: &Path, bytes: Vec<u8>) -> DiskSet {
        self.clone().into_with_file(rel, path, bytes)
    }

    /// As [`DiskSet::with_file`], without copying the other files' bytes.
    pub fn into_with_file(mut self, rel: &str, path: &Path, bytes: Vec<u8>) -> DiskSet {
        let file = DiskFile {
            rel: rel.to_owned(),
            path: path.to_path_buf(),
            content: Content::Bytes(bytes),
        };
        match self.files.iter().position(|f| f.rel == rel) {
            Some(i) => {
                if let Some(slot) = self.files.get_mut(i) {
                    *slot = file;
                }
            }
            None => {
                let at = self.files.partition_point(|f| f.path.as_path() < path);
                self.files.insert(at, file);
            }
        }
        self
    }
}

/// `path` relative to `dir`, `/`-separated.
pub fn relative(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// What a request sees: one whole compiled set and what it was built from.
#[derive(Debug)]
pub struct Snapshot {
    pub policy: Arc<Policy>,
    pub revision: String,
    pub loaded_at: DateTime<Utc>,
    /// Each file, relative path and size in bytes.
    pub files: Vec<(String, u64)>,
    pub statements: usize,
    /// The set's warnings, as JSON diagnostics (shared with the next
    /// snapshot when an event leaves them as they are).
    pub warnings: Arc<Vec<Value>>,
    /// Event ids found in the journal, with the line of their statement.
    pub events: HashMap<String, usize>,
}

/// Why a set was not loaded: a message, the diagnostics as JSON, and the
/// same as text for the service's log or standard error.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub message: String,
    pub diagnostics: Vec<Value>,
    pub text: String,
}

impl Refusal {
    pub fn from_load_error(e: &LoadError) -> Refusal {
        let code = match e {
            LoadError::Io { .. } => "io",
            LoadError::Empty { .. } => "no_policies",
            LoadError::NotAFile { .. } => "not_a_file",
        };
        Refusal {
            message: e.to_string(),
            diagnostics: vec![serde_json::json!({
                "severity": "error", "code": code, "message": e.to_string(),
            })],
            text: format!("error: {e}\n"),
        }
    }

    /// Only the diagnostics that `before` does not have (those a change
    /// brought in).
    pub fn only_new(mut self, before: &[Value]) -> Refusal {
        self.diagnostics = new_diagnostics(&self.diagnostics, before);
        self
    }
}

/// The diagnostics of `after` that `before` does not have.
pub fn new_diagnostics(after: &[Value], before: &[Value]) -> Vec<Value> {
    let seen: HashSet<String> = before.iter().map(Value::to_string).collect();
    after
        .iter()
        .filter(|d| !seen.contains(&d.to_string()))
        .cloned()
        .collect()
}

/// Parses, checks and compiles a set; `journal` is the journal's relative
/// path, whose event comments are indexed.
pub fn build(set: &DiskSet, journal: &str) -> Result<Snapshot, Refusal> {
    let revision = set.revision();
    let analysis = analyze(set.inputs());
    let diagnostics: Vec<Value> = analysis
        .diagnostics
        .to_json(&analysis.sources)
        .into_iter()
        .filter_map(|d| serde_json::to_value(d).ok())
        .collect();
    let refusal = |analysis: &autoseal::Analysis, diagnostics: Vec<Value>| Refusal {
        message: format!(
            "the policy set does not load: {}",
            analysis.diagnostics.summary()
        ),
        diagnostics,
        text: analysis.diagnostics.render(&analysis.sources, false),
    };
    let Some(revision) = revision else {
        return Err(refusal(&analysis, diagnostics));
    };
    let statements = analysis.files.iter().map(|f| f.stmts.len()).sum();
    // As `Policy::load` makes it: with the set's time zone.
    let policy = match Policy::from_analysis(analysis) {
        Ok(loaded) => loaded.policy,
        Err(autoseal::Error::Invalid { analysis }) => return Err(refusal(&analysis, diagnostics)),
        // `from_analysis` reads no file.
        Err(e @ autoseal::Error::Load(_)) => {
            return Err(Refusal {
                message: format!("the policy set does not load: {e}"),
                diagnostics,
                text: e.to_string(),
            })
        }
    };
    Ok(Snapshot {
        policy: Arc::new(policy),
        revision,
        loaded_at: Utc::now(),
        files: set.sizes(),
        statements,
        warnings: Arc::new(diagnostics),
        events: set.bytes(journal).map(journal_events).unwrap_or_default(),
    })
}

/// What the live snapshot was built from, kept by the writer so that an
/// event (or lines a replica finds appended to the journal) is applied to
/// it at the cost of its statements, not of a full load.
#[derive(Debug)]
pub struct Kept {
    pub set: LiveSet,
    /// The files as they were read (and appended to since).
    pub disk: DiskSet,
    /// The set's warnings as JSON, and the report they were made from.
    json: Arc<Vec<Value>>,
    json_of: Arc<Report>,
}

impl Kept {
    /// The set's warnings as JSON: made again only when they changed.
    pub fn warnings_json(&mut self) -> Arc<Vec<Value>> {
        if !Arc::ptr_eq(self.set.warnings(), &self.json_of) {
            self.json_of = self.set.warnings().clone();
            self.json = Arc::new(json(&self.json_of));
        }
        self.json.clone()
    }
}

/// As [`build`], keeping the set for events: the same snapshot, the same
/// diagnostics. With `prev`, a file whose bytes it already holds is not
/// parsed again.
pub fn build_kept(
    set: &DiskSet,
    journal: &str,
    prev: Option<&LiveSet>,
) -> Result<(Snapshot, Kept), Refusal> {
    let revision = set.revision();
    let inputs = set.inputs();
    let loaded = match prev {
        Some(p) => p.reload(inputs),
        None => LiveSet::load(inputs),
    };
    let live = loaded.map_err(|r| refusal(&r))?;
    let Some(revision) = revision else {
        // A file too large to read does not load (the loader says so);
        // never reached, but never a set without a revision.
        return Err(Refusal {
            message: String::from("the policy set does not load: a file is too large"),
            diagnostics: Vec::new(),
            text: String::new(),
        });
    };
    let mut kept = Kept {
        json: Arc::new(json(live.warnings())),
        json_of: live.warnings().clone(),
        set: live,
        disk: set.clone(),
    };
    let snap = snapshot(&mut kept, journal, revision);
    Ok((snap, kept))
}

/// The snapshot of a kept set, of revision `revision`.
pub fn snapshot(kept: &mut Kept, journal: &str, revision: String) -> Snapshot {
    Snapshot {
        policy: kept.set.policy().clone(),
        revision,
        loaded_at: Utc::now(),
        files: kept.disk.sizes(),
        statements: kept.set.statements(),
        warnings: kept.warnings_json(),
        events: kept
            .disk
            .bytes(journal)
            .map(journal_events)
            .unwrap_or_default(),
    }
}

/// A report's diagnostics as JSON values.
pub fn json(r: &Report) -> Vec<Value> {
    r.to_json()
        .into_iter()
        .filter_map(|d| serde_json::to_value(d).ok())
        .collect()
}

/// Why a set with the problems of `r` is refused (as [`build`] says it).
pub fn refusal(r: &Report) -> Refusal {
    Refusal {
        message: format!("the policy set does not load: {}", r.diagnostics.summary()),
        diagnostics: json(r),
        text: r.render(false),
    }
}

impl DiskSet {
    /// Each file, relative path and size in bytes.
    pub fn sizes(&self) -> Vec<(String, u64)> {
        self.files
            .iter()
            .map(|f| {
                let len = match &f.content {
                    Content::Bytes(b) => b.len() as u64,
                    Content::TooLarge(n) => *n,
                };
                (f.rel.clone(), len)
            })
            .collect()
    }
}

/// `# event ID at TIME` comments, each with the 1-based line of the
/// statement after it.
pub fn journal_events(bytes: &[u8]) -> HashMap<String, usize> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = HashMap::new();
    for (i, line) in lines(&text).enumerate() {
        if let Some(id) = event_comment(line) {
            out.insert(id.to_owned(), i + 2);
        }
    }
    out
}

/// The lines of a text, ended by `\n`, `\r\n` or a lone `\r` (as the
/// library numbers them).
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
}

/// The event id of an `# event ID at TIME` line.
pub fn event_comment(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("event ")?;
    let (id, _) = rest.trim_start().split_once(" at ")?;
    (!id.is_empty() && !id.contains(char::is_whitespace)).then_some(id)
}

/// How many line ends the bytes hold (so the next line's 1-based number
/// is this plus one).
pub fn line_ends(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn event_comments_are_found_with_their_statement_line() {
        let j = b"timezone +08:00\n# event e1 at 2026-01-01T00:00:00Z\nrevoke x at 2026-01-02\r\n# event e2 at T\rrevoke y at 2026-01-03\n";
        let ev = journal_events(j);
        assert_eq!(ev["e1"], 3);
        assert_eq!(ev["e2"], 5);
        assert_eq!(line_ends(j), 5);
    }

    #[test]
    fn relative_paths_use_slashes() {
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/b/c/d.policy")),
            "c/d.policy"
        );
        assert_eq!(
            relative(Path::new("./p"), Path::new("./p/x.policy")),
            "x.policy"
        );
    }
}
