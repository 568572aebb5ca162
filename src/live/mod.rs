//! A policy set kept loaded, to which statements are added as they are
//! appended to one of its files: what `autoseal serve` does with events
//! and with a journal that grows.
//!
//! A [`LiveSet`] keeps each file's syntax tree, what the checker built
//! (its name tables, labels and model) and its warnings, with the compiled
//! [`Policy`]. [`LiveSet::append`] takes the bytes appended to a file,
//! parses them alone, checks their statements with the kept state and
//! derives the new policy from the old one, copying only the tables the
//! statements change; the result is what loading the files afresh would
//! give (the same policy, the same diagnostics), or the same refusal.
//! What it cannot take so (a declaration, a super-admin change, text that
//! continues the file's last statement...) it takes by checking the whole
//! set again, with every other file's syntax tree kept: only the file that
//! grew is parsed. [`LiveSet::reload`] loads a set again the same way,
//! parsing only the files whose text changed.
//!
//! A change is prepared ([`LiveSet::append`]), then committed or aborted
//! ([`LiveSet::commit`], [`LiveSet::abort`]): the service writes the
//! journal in between, and takes the change back when it cannot.

mod respan;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::ast::{FileAst, Stmt, StmtKind};
use crate::check::incr::{warn_key, Added, Changes, Undo, WarnKey};
use crate::check::lint::StmtRef;
use crate::check::{check_kept, CheckWarning, Env};
use crate::compile::Lines;
use crate::diag::{Diagnostic, Diagnostics};
use crate::limits::{MAX_FILE_BYTES, MAX_STATEMENTS};
use crate::load::{
    decode, gather, parse_input, time_zone, Content, Input, ParsedInput, BYTE_ORDER_MARK,
};
use crate::source::{FileId, SourceFile, Sources};
use crate::{Policy, Report};

use respan::Move;

/// What one statement changed of the set's warnings: the keys dropped,
/// then the warnings put in.
type Delta = (Vec<WarnKey>, Vec<(WarnKey, CheckWarning)>);

/// A policy set kept loaded (see the module's documentation).
#[derive(Debug)]
pub struct LiveSet {
    names: Vec<String>,
    files: Vec<Arc<FileAst>>,
    sources: Sources,
    env: Env,
    /// The warnings by key (see [`WarnKey`]), when no two have one key;
    /// else every change checks the set whole.
    keyed: Option<BTreeMap<WarnKey, CheckWarning>>,
    /// The warnings as a report, shared with those who asked for them.
    warnings: Arc<Report>,
    policy: Arc<Policy>,
    statements: usize,
    /// A change is prepared and neither committed nor aborted.
    pending: bool,
}

/// A change prepared by [`LiveSet::append`]: the policy it gives and the
/// warnings it brings. Commit it, or abort it.
#[must_use = "a prepared change must be committed or aborted"]
#[derive(Debug)]
pub struct Pending {
    /// The new policy.
    pub policy: Arc<Policy>,
    /// The warnings the set has now and did not have before.
    pub new_warnings: Report,
    /// How many statements were added.
    pub statements: usize,
    /// Whether the set was checked whole (the change could not be taken
    /// one statement at a time).
    pub whole: bool,
    kind: PendingKind,
}

#[derive(Debug)]
enum PendingKind {
    /// The kept state already holds the statements.
    Added {
        file: usize,
        old_source: SourceFile,
        old_len: usize,
        added: Vec<(Stmt, Undo)>,
        deltas: Vec<Delta>,
    },
    /// A whole new set, to put in place.
    Whole(Box<LiveSet>),
}

impl LiveSet {
    /// Loads a set: parses, checks and compiles every file. The problems
    /// when it does not load.
    pub fn load(inputs: Vec<Input>) -> Result<LiveSet, Report> {
        LiveSet::load_from(inputs, None)
    }

    /// Loads a set again: a file whose text is the same as one of this
    /// set's of the same name is not parsed again.
    pub fn reload(&self, inputs: Vec<Input>) -> Result<LiveSet, Report> {
        LiveSet::load_from(inputs, Some(self))
    }

    fn load_from(inputs: Vec<Input>, prev: Option<&LiveSet>) -> Result<LiveSet, Report> {
        let mut names = Vec::with_capacity(inputs.len());
        let mut parsed = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            let id = FileId(i as u32);
            names.push(input.name.clone());
            let kept = prev.and_then(|p| p.reuse(id, input));
            parsed.push(kept.unwrap_or_else(|| parse_input(id, input)));
        }
        let set = gather(parsed);
        if !set.diags.is_empty() {
            return Err(Report {
                sources: set.sources,
                diagnostics: Diagnostics { items: set.diags },
            });
        }
        let refs: Vec<&FileAst> = set.files.iter().map(|f| &**f).collect();
        let (env, problems) = check_kept(&refs, &set.sources);
        if !problems.errors.is_empty() {
            let mut items: Vec<Diagnostic> =
                problems.errors.into_iter().map(Diagnostic::Error).collect();
            items.extend(problems.warnings.into_iter().map(Diagnostic::Warning));
            return Err(Report {
                sources: set.sources,
                diagnostics: Diagnostics { items },
            });
        }
        let mut policy = Policy::compile_kept(&env.model, &set.sources);
        policy.time_zone = time_zone(refs.iter().copied());
        let mut map = BTreeMap::new();
        let mut unique = true;
        for w in &problems.warnings {
            unique &= map.insert(warn_key(w, &env), w.clone()).is_none();
        }
        let keyed = unique.then_some(map);
        let warnings = Arc::new(Report {
            sources: set.sources.clone(),
            diagnostics: Diagnostics {
                items: problems
                    .warnings
                    .into_iter()
                    .map(Diagnostic::Warning)
                    .collect(),
            },
        });
        Ok(LiveSet {
            names,
            files: set.files,
            sources: set.sources,
            env,
            keyed,
            warnings,
            policy: Arc::new(policy),
            statements: set.statements,
            pending: false,
        })
    }

    /// This set's parse of a file of the same name and text as `input`,
    /// as file `id`.
    fn reuse(&self, id: FileId, input: &Input) -> Option<ParsedInput> {
        let Content::Bytes(bytes) = &input.content else {
            return None;
        };
        let i = self.names.iter().position(|n| *n == input.name)?;
        let source = self.sources.get(FileId(i as u32))?;
        let text = bytes.strip_prefix(BYTE_ORDER_MARK).unwrap_or(bytes);
        if text != source.text.as_bytes() {
            return None;
        }
        let kept = self.files.get(i)?;
        let ast = if kept.file == id {
            kept.clone()
        } else {
            let mut ast = (**kept).clone();
            let to = Move { file: id, by: 0 };
            ast.file = id;
            ast.stmts.iter_mut().for_each(|s| to.stmt(s));
            Arc::new(ast)
        };
        Some(ParsedInput {
            source: source.clone(),
            ast,
            comments: Vec::new(),
            early: None,
            errors: Vec::new(),
        })
    }

    /// The compiled policy.
    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }

    /// The set's warnings, with the text they point into.
    pub fn warnings(&self) -> &Arc<Report> {
        &self.warnings
    }

    /// How many statements the set has.
    pub fn statements(&self) -> usize {
        self.statements
    }

    /// The set's files, by name, in load order.
    pub fn file_names(&self) -> &[String] {
        &self.names
    }

    /// Prepares adding what `bytes` holds, appended to the set's file
    /// `name`: the statements it holds are checked with the set, and the
    /// policy they give is built. `Err` with the problems (those the set
    /// did not have) when the set with them does not load; the set is
    /// then unchanged. Else commit or abort the change before any other.
    pub fn append(&mut self, name: &str, bytes: &[u8]) -> Result<Pending, AppendError> {
        let Some(file) = self.names.iter().position(|n| n == name) else {
            return Err(AppendError::UnknownFile(name.to_owned()));
        };
        if self.pending {
            return Err(AppendError::Pending);
        }
        match self.try_add(file, bytes) {
            Ok(p) => {
                self.pending = true;
                Ok(p)
            }
            Err(Whole) => {
                let inputs = self.inputs_with(file, bytes);
                match self.reload(inputs) {
                    Ok(next) => {
                        // The warnings of `next` that this set does not have.
                        let new_warnings = self.only_new((*next.warnings).clone());
                        self.pending = true;
                        Ok(Pending {
                            policy: next.policy.clone(),
                            new_warnings,
                            statements: next.statements.saturating_sub(self.statements),
                            whole: true,
                            kind: PendingKind::Whole(Box::new(next)),
                        })
                    }
                    Err(report) => Err(AppendError::Refused(self.only_new(report))),
                }
            }
        }
    }

    /// Puts a prepared change in force.
    pub fn commit(&mut self, p: Pending) {
        self.pending = false;
        match p.kind {
            PendingKind::Whole(next) => *self = *next,
            PendingKind::Added { deltas, added, .. } => {
                self.statements += added.len();
                self.policy = p.policy;
                let mut changed = false;
                if let Some(map) = &mut self.keyed {
                    for (removed, new) in deltas {
                        for k in removed {
                            changed |= map.remove(&k).is_some();
                        }
                        for (k, w) in new {
                            changed |= map.insert(k, w.clone()).as_ref() != Some(&w);
                        }
                    }
                    if changed {
                        self.warnings = Arc::new(Report {
                            sources: self.sources.clone(),
                            diagnostics: Diagnostics {
                                items: map.values().cloned().map(Diagnostic::Warning).collect(),
                            },
                        });
                    }
                }
            }
        }
    }

    /// Takes a prepared change back: the set is as it was.
    pub fn abort(&mut self, p: Pending) {
        self.pending = false;
        if let PendingKind::Added {
            file,
            old_source,
            old_len,
            added,
            ..
        } = p.kind
        {
            self.take_back(file, old_source, old_len, added);
        }
    }

    fn take_back(
        &mut self,
        file: usize,
        old_source: SourceFile,
        old_len: usize,
        added: Vec<(Stmt, Undo)>,
    ) {
        for (s, undo) in added.into_iter().rev() {
            self.env.undo(&s, undo);
        }
        if let Some(ast) = self.files.get_mut(file) {
            Arc::make_mut(ast).stmts.truncate(old_len);
        }
        self.sources.replace(FileId(file as u32), old_source);
    }

    /// Adds the statements of `bytes`, appended to file `file`, one at a
    /// time: `Err(Whole)` when they cannot be (nothing changed).
    fn try_add(&mut self, file: usize, bytes: &[u8]) -> Result<Pending, Whole> {
        if self.keyed.is_none() {
            return Err(Whole);
        }
        let id = FileId(file as u32);
        let old = self.sources.get(id).ok_or(Whole)?.clone();
        let stmts = self.parse_appended(file, &old, bytes)?;
        if self.statements + stmts.len() > MAX_STATEMENTS {
            return Err(Whole);
        }
        let chunk = std::str::from_utf8(bytes).map_err(|_| Whole)?;
        let mut text = String::with_capacity(old.text.len() + chunk.len());
        text.push_str(&old.text);
        text.push_str(chunk);
        self.sources
            .replace(id, SourceFile::new(old.name.clone(), text));
        let old_len = self.files.get(file).map_or(0, |f| f.stmts.len());
        // No statement after the file's: the new ones are the last.
        let last = self.files.iter().skip(file + 1).all(|f| f.stmts.is_empty());
        let mut added: Vec<(Stmt, Undo)> = Vec::new();
        let mut deltas = Vec::new();
        let mut changes = Changes::default();
        for s in stmts {
            let Some(ast) = self.files.get_mut(file) else {
                break;
            };
            let ast = Arc::make_mut(ast);
            let at = StmtRef {
                file: id,
                index: ast.stmts.len() as u32,
            };
            ast.stmts.push(s.clone());
            let refs: Vec<&FileAst> = self.files.iter().map(|f| &**f).collect();
            let result = self.env.add(&s, at, &refs, &self.sources, last);
            drop(refs);
            match result {
                Err(_unsupported) => {
                    if let Some(ast) = self.files.get_mut(file) {
                        Arc::make_mut(ast).stmts.pop();
                    }
                    self.take_back(file, old, old_len, added);
                    return Err(Whole);
                }
                Ok(Added {
                    errors,
                    removed,
                    added: new,
                    changes: ch,
                    undo,
                }) => {
                    if !errors.is_empty() {
                        // Refused: the set is checked whole, which says
                        // why as a fresh load does (and decides).
                        self.env.undo(&s, undo);
                        if let Some(ast) = self.files.get_mut(file) {
                            Arc::make_mut(ast).stmts.pop();
                        }
                        self.take_back(file, old, old_len, added);
                        return Err(Whole);
                    }
                    changes.merge(ch);
                    deltas.push((removed, new));
                    added.push((s, undo));
                }
            }
        }
        // A statement that declares nothing has one located span, its own
        // (a declaration's are its names'): the line tables need only those.
        let own_spans: Option<Vec<u32>> = added
            .iter()
            .map(|(s, _)| match s.kind {
                StmtKind::Timezone(_)
                | StmtKind::Org(_)
                | StmtKind::Group(_)
                | StmtKind::Attribute(_) => None,
                _ => Some(s.span.start),
            })
            .collect();
        let lines = own_spans
            .zip(self.sources.get(id))
            .and_then(|(spans, now)| self.policy.lines.appended(id, now, old.text.len(), &spans))
            .unwrap_or_else(|| Lines::new(&self.sources, &self.env.model));
        let policy = Arc::new(self.policy.patched(&self.env.model, &changes, lines));
        let new_warnings = Report {
            sources: self.sources.clone(),
            diagnostics: Diagnostics {
                items: self
                    .brought(&deltas)
                    .into_iter()
                    .map(Diagnostic::Warning)
                    .collect(),
            },
        };
        Ok(Pending {
            policy,
            new_warnings,
            statements: added.len(),
            whole: false,
            kind: PendingKind::Added {
                file,
                old_source: old,
                old_len,
                added,
                deltas,
            },
        })
    }

    /// The statements of `bytes`, appended to file `file` (whose source
    /// is `old`), in place in the file: `Err(Whole)` unless they can be
    /// read alone (the file ends a line, the bytes start a statement or
    /// hold none, are text and parse).
    fn parse_appended(
        &self,
        file: usize,
        old: &SourceFile,
        bytes: &[u8],
    ) -> Result<Vec<Stmt>, Whole> {
        let ast = self.files.get(file).ok_or(Whole)?;
        if old.text.is_empty() || !old.text.ends_with('\n') {
            return Err(Whole);
        }
        let total = old.text.len() + bytes.len();
        if total > MAX_FILE_BYTES {
            return Err(Whole);
        }
        let (chunk, early) = decode(&Content::Bytes(bytes.to_vec()));
        if early.is_some() || bytes.starts_with(BYTE_ORDER_MARK) {
            return Err(Whole);
        }
        // The first line that is not blank or a comment must start a
        // statement (not continue the one above).
        let first = chunk
            .split('\n')
            .flat_map(|l| l.split('\r'))
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        if first.is_some_and(|l| l.starts_with([' ', '\t'])) {
            return Err(Whole);
        }
        // Read in the time zone in force where the bytes start.
        let tz = ast.stmts.iter().rev().find_map(|s| match &s.kind {
            StmtKind::Timezone(tz) => Some(tz.offset),
            _ => None,
        });
        let prefix = tz.map_or_else(String::new, |o| format!("timezone {o}\n"));
        let text = format!("{prefix}{chunk}");
        let parsed = crate::syntax::parse_file(FileId(file as u32), &text);
        if !parsed.errors.is_empty() {
            return Err(Whole);
        }
        let to = Move {
            file: FileId(file as u32),
            by: old.text.len() as i64 - prefix.len() as i64,
        };
        let mut stmts = parsed.ast.stmts;
        if tz.is_some() {
            if !matches!(stmts.first().map(|s| &s.kind), Some(StmtKind::Timezone(_))) {
                return Err(Whole);
            }
            stmts.remove(0);
        }
        stmts.iter_mut().for_each(|s| to.stmt(s));
        Ok(stmts)
    }

    /// The set's files as inputs, with `bytes` appended to file `file`.
    fn inputs_with(&self, file: usize, bytes: &[u8]) -> Vec<Input> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let text = self
                    .sources
                    .get(FileId(i as u32))
                    .map(|s| s.text.as_bytes().to_vec())
                    .unwrap_or_default();
                let mut content = text;
                if i == file {
                    content.extend_from_slice(bytes);
                }
                Input::new(name.clone(), content)
            })
            .collect()
    }

    /// The warnings the statements' deltas bring that the set did not
    /// have, in order.
    fn brought(&self, deltas: &[Delta]) -> Vec<CheckWarning> {
        let Some(map) = &self.keyed else {
            return Vec::new();
        };
        let mut now: BTreeMap<WarnKey, Option<&CheckWarning>> = BTreeMap::new();
        for (removed, added) in deltas {
            for k in removed {
                now.insert(*k, None);
            }
            for (k, w) in added {
                now.insert(*k, Some(w));
            }
        }
        now.into_iter()
            .filter_map(|(k, w)| {
                let w = w?;
                (map.get(&k) != Some(w)).then(|| w.clone())
            })
            .collect()
    }

    /// Of a report on another set (one that does not load, or the next
    /// set's warnings), the problems this set does not have.
    fn only_new(&self, report: Report) -> Report {
        let before: std::collections::HashSet<String> = self
            .warnings
            .diagnostics
            .items
            .iter()
            .map(|d| describe(d, &self.warnings.sources))
            .collect();
        let Report {
            sources,
            diagnostics,
        } = report;
        let items = diagnostics
            .items
            .into_iter()
            .filter(|d| !before.contains(&describe(d, &sources)))
            .collect();
        Report {
            sources,
            diagnostics: Diagnostics { items },
        }
    }
}

/// Why [`LiveSet::append`] prepared no change.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The set with the appended statements does not load: the problems
    /// it would have and has not now.
    #[error("the policy set would not load")]
    Refused(Report),
    /// The set has no file of that name.
    #[error("`{0}` is not a file of the policy set")]
    UnknownFile(String),
    /// A change is prepared: commit or abort it first.
    #[error("a change is already prepared")]
    Pending,
}

/// A diagnostic as its JSON form says it, with the text it points into
/// (to compare the diagnostics of two sets).
fn describe(d: &Diagnostic, sources: &Sources) -> String {
    let one = Diagnostics {
        items: vec![d.clone()],
    };
    format!("{:?}", one.to_json(sources))
}

/// The change must be taken by checking the whole set.
#[derive(Debug)]
struct Whole;

impl Changes {
    /// These changes and then `other`.
    fn merge(&mut self, other: Changes) {
        self.rules.extend(other.rules);
        self.new_rules.extend(other.new_rules);
        self.model |= other.model;
        self.timelines |= other.timelines;
        self.employee_rules |= other.employee_rules;
        self.forbids |= other.forbids;
        self.names |= other.names;
        self.invite_at.extend(other.invite_at);
    }
}
