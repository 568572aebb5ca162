//! A policy directory as the service reads it: its `.policy` files, named
//! by their paths relative to the directory, and the compiled snapshot a
//! request sees.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use autoseal::limits::MAX_FILE_BYTES;
use autoseal::live::LiveSet;
use autoseal::load::{analyze, policy_files, Content, Input, LoadError};
use autoseal::{Policy, Report};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::revision::{finish, hash_files, revision, Sha256};

/// One `.policy` file of the directory.
#[derive(Debug, Clone)]
pub struct DiskFile {
    /// Its path relative to the directory, with `/` separators: the name
    /// diagnostics, rule names and sources use, and the revision hashes.
    pub rel: String,
    /// `DIR/rel`, as the directory walk names it (it fixes the order).
    pub path: PathBuf,
    /// Its bytes as read (shared by the sets read again while it stays
    /// unchanged).
    pub content: Arc<Content>,
    /// What the file system said of it just before it was read, when that
    /// is enough to tell later that it was not written since.
    pub stamp: Option<Stamp>,
}

/// What the file system says of a file without reading it: device, inode,
/// size, and the times of its last write and last change. A write changes
/// the change time (which no program can set back), a rename the inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

/// A file whose last write is this recent when it is looked at may be
/// written again within the same tick of the file system's clock without
/// its stamp changing (git's "racy" entries): its stamp is not trusted,
/// and it is read again next time.
const RACY: Duration = Duration::from_secs(2);

impl Stamp {
    /// The stamp of a file, when it is old enough to be trusted (see
    /// [`RACY`]); `None` on systems without change times.
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let stamp = Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            len: meta.len(),
            modified: (meta.mtime(), meta.mtime_nsec()),
            changed: (meta.ctime(), meta.ctime_nsec()),
        };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
        let last = stamp.modified.max(stamp.changed).0;
        let settled = i64::try_from(now.saturating_sub(RACY).as_secs()).ok()?;
        (last < settled).then_some(stamp)
    }

    #[cfg(not(unix))]
    fn of(_meta: &std::fs::Metadata) -> Option<Stamp> {
        None
    }
}

impl DiskFile {
    /// What the revision hashes of it; `None` when it was too large to
    /// read.
    fn part(&self) -> Option<(&str, &[u8])> {
        match &*self.content {
            Content::Bytes(b) => Some((self.rel.as_str(), b.as_slice())),
            Content::TooLarge(_) => None,
        }
    }
}

/// The files before the journal, and the revision's hashing of them.
#[derive(Debug, Clone)]
pub struct Prefix {
    files: Vec<(String, Arc<Content>)>,
    state: Sha256,
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
        DiskSet::read_again(dir, None)
    }

    /// Reads the directory again: a file that `before` read and whose
    /// stamp says it was not written since is not read; its bytes are
    /// shared. (At 1,000,000 grants, reading and comparing 170 MB of
    /// policy text was a sixth of an event's cost.)
    pub fn read_again(dir: &Path, before: Option<&DiskSet>) -> Result<DiskSet, LoadError> {
        let paths = policy_files(&[dir.to_path_buf()])?;
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let io = |source| LoadError::Io {
                path: path.display().to_string(),
                source,
            };
            let rel = relative(dir, &path);
            let meta = std::fs::metadata(&path).map_err(io)?;
            let stamp = Stamp::of(&meta);
            let was = before.and_then(|b| b.files.iter().find(|f| f.rel == rel && f.path == path));
            if let (Some(was), Some(now)) = (was, stamp) {
                if was.stamp == Some(now) {
                    files.push(was.clone());
                    continue;
                }
            }
            let len = meta.len();
            let content = if len > MAX_FILE_BYTES as u64 {
                Content::TooLarge(len)
            } else {
                Content::Bytes(std::fs::read(&path).map_err(io)?)
            };
            // The same bytes as before: shared, so that comparing the sets
            // compares pointers.
            let content = Arc::new(content);
            let content = match was {
                Some(w) if same_bytes(&w.content, &content) => w.content.clone(),
                _ => content,
            };
            files.push(DiskFile {
                rel,
                path,
                content,
                stamp,
            });
        }
        Ok(DiskSet { files })
    }

    /// The set's revision; `None` when a file was too large to be read
    /// (such a set does not load).
    pub fn revision(&self) -> Option<String> {
        let parts = self
            .files
            .iter()
            .map(DiskFile::part)
            .collect::<Option<Vec<_>>>()?;
        Some(revision(parts))
    }

    /// The set's revision, as [`DiskSet::revision`], hashing again only
    /// the file `journal` and those after it when `before` holds the
    /// hashing of the same files before it; `before` then holds this
    /// set's. An event changes only the journal: a journal whose name
    /// sorts after every other file is all an event hashes.
    pub fn revision_after(&self, journal: &str, before: &mut Option<Prefix>) -> Option<String> {
        let Some(j) = self.files.iter().position(|f| f.rel == journal) else {
            return self.revision();
        };
        let head = self.files.get(..j)?;
        let kept = before.as_ref().filter(|p| {
            p.files.len() == head.len()
                && p.files
                    .iter()
                    .zip(head)
                    .all(|((rel, c), f)| *rel == f.rel && Arc::ptr_eq(c, &f.content))
        });
        let state = match kept {
            Some(p) => p.state.clone(),
            None => {
                let parts = head
                    .iter()
                    .map(DiskFile::part)
                    .collect::<Option<Vec<_>>>()?;
                let state = hash_files(Sha256::default(), parts);
                *before = Some(Prefix {
                    files: head
                        .iter()
                        .map(|f| (f.rel.clone(), f.content.clone()))
                        .collect(),
                    state: state.clone(),
                });
                state
            }
        };
        let rest = self.files.get(j..)?;
        let parts = rest
            .iter()
            .map(DiskFile::part)
            .collect::<Option<Vec<_>>>()?;
        Some(finish(hash_files(state, parts)))
    }

    /// Whether `other` holds the same files (names, paths and bytes).
    pub fn same(&self, other: &DiskSet) -> bool {
        self.files.len() == other.files.len()
            && self.files.iter().zip(&other.files).all(|(a, b)| {
                a.rel == b.rel && a.path == b.path && same_bytes(&a.content, &b.content)
            })
    }

    /// The files as the loader's inputs (copies the bytes).
    pub fn inputs(&self) -> Vec<Input> {
        self.files
            .iter()
            .map(|f| Input {
                name: f.rel.clone(),
                content: (*f.content).clone(),
            })
            .collect()
    }

    /// The bytes of the file named `rel`, if the set has it.
    pub fn bytes(&self, rel: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|f| f.rel == rel)
            .and_then(|f| match &*f.content {
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
            content: Arc::new(Content::Bytes(bytes)),
            // Just written: read again next time.
            stamp: None,
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

/// Whether two files' contents are the same bytes (a file too large to
/// read is the same as nothing).
fn same_bytes(a: &Arc<Content>, b: &Arc<Content>) -> bool {
    Arc::ptr_eq(a, b)
        || match (&**a, &**b) {
            (Content::Bytes(x), Content::Bytes(y)) => x == y,
            _ => false,
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
    /// Their revision (hashing them again is most of what finding that
    /// nothing changed would cost).
    revision: String,
    /// The revision's hashing of the files before the journal.
    pub prefix: Option<Prefix>,
    /// The set's warnings as JSON, and the report they were made from.
    json: Arc<Vec<Value>>,
    json_of: Arc<Report>,
}

impl Kept {
    /// The files are now `disk`, of revision `revision`.
    pub fn on_disk(&mut self, disk: DiskSet, revision: String) {
        self.disk = disk;
        self.revision = revision;
    }

    /// The revision of `disk`: the kept one when they are the kept files
    /// (see [`DiskSet::read_again`]), else hashed.
    pub fn revision_of(&self, disk: &DiskSet) -> Option<String> {
        if self.disk.same(disk) {
            Some(self.revision.clone())
        } else {
            disk.revision()
        }
    }

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
        revision: revision.clone(),
        prefix: None,
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
                let len = match &*f.content {
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

    fn text(set: &DiskSet, rel: &str) -> String {
        String::from_utf8(set.bytes(rel).unwrap().to_vec()).unwrap()
    }

    #[test]
    fn a_file_written_again_within_its_clock_tick_is_read_again() {
        // Same length, at once: the stamp may not change, so a file this
        // fresh is never trusted.
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.policy");
        std::fs::write(&f, "# aaaa\n").unwrap();
        let first = DiskSet::read(dir.path()).unwrap();
        assert!(first.files[0].stamp.is_none());
        std::fs::write(&f, "# bbbb\n").unwrap();
        let second = DiskSet::read_again(dir.path(), Some(&first)).unwrap();
        assert_eq!(text(&second, "a.policy"), "# bbbb\n");
        assert!(!first.same(&second));
    }

    #[cfg(unix)]
    #[test]
    fn a_settled_file_is_shared_until_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.policy");
        std::fs::write(&f, "# aaaa\n").unwrap();
        std::fs::write(dir.path().join("b.policy"), "# b\n").unwrap();
        // Older than the racy window.
        std::thread::sleep(RACY + Duration::from_millis(1100));
        let first = DiskSet::read(dir.path()).unwrap();
        assert!(first.files.iter().all(|f| f.stamp.is_some()));
        let again = DiskSet::read_again(dir.path(), Some(&first)).unwrap();
        assert!(Arc::ptr_eq(
            &first.files[0].content,
            &again.files[0].content
        ));
        assert!(first.same(&again));
        // Written again with the same length: the change time moves.
        std::fs::write(&f, "# bbbb\n").unwrap();
        let after = DiskSet::read_again(dir.path(), Some(&again)).unwrap();
        assert_eq!(text(&after, "a.policy"), "# bbbb\n");
        assert!(!after.same(&again));
        // The file not written stays shared; a new one is read.
        assert!(Arc::ptr_eq(
            &again.files[1].content,
            &after.files[1].content
        ));
        std::fs::write(dir.path().join("c.policy"), "# c\n").unwrap();
        let more = DiskSet::read_again(dir.path(), Some(&after)).unwrap();
        assert_eq!(more.files.len(), 3);
        assert_eq!(text(&more, "c.policy"), "# c\n");
    }

    #[test]
    fn the_revision_after_the_journal_is_the_revision() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("a.policy", "# a\n"),
            ("j.policy", "# j\n"),
            ("z.policy", "# z\n"),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let set = DiskSet::read(dir.path()).unwrap();
        let mut prefix = None;
        assert_eq!(set.revision_after("j.policy", &mut prefix), set.revision());
        assert_eq!(prefix.as_ref().unwrap().files.len(), 1);
        // The journal grows: the kept hashing of `a.policy` serves (a
        // kept hashing of nothing shows it is used, not done again).
        let path = dir.path().join("j.policy");
        let grown = set.with_file("j.policy", &path, b"# j\n# more\n".to_vec());
        assert_eq!(
            grown.revision_after("j.policy", &mut prefix),
            grown.revision()
        );
        assert_ne!(grown.revision(), set.revision());
        let mut tampered = prefix.clone();
        if let Some(t) = tampered.as_mut() {
            t.state = Sha256::default();
        }
        assert_ne!(
            grown.revision_after("j.policy", &mut tampered),
            grown.revision()
        );
        // A file before the journal changed: hashed again, and kept anew.
        let a = dir.path().join("a.policy");
        let other = grown.with_file("a.policy", &a, b"# b\n".to_vec());
        assert_eq!(
            other.revision_after("j.policy", &mut tampered),
            other.revision()
        );
        let kept = &tampered.unwrap().files[0].1;
        assert!(Arc::ptr_eq(kept, &other.files[0].content));
        // No journal in the set: the whole revision.
        assert_eq!(set.revision_after("none.policy", &mut None), set.revision());
    }

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
