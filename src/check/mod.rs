//! Syntax tree to checked model: resolves every name, turns every time into
//! an instant, and reports every load-time error and warning
//! (`docs/language.md`, "Load-time errors and warnings").
//!
//! The check runs in passes over the statements of every file, one file
//! each under `src/check/`, in this order. Each may assume what the passes
//! before it did:
//!
//! 1. Declarations (`declare.rs`): orgs, then their persons, seals and
//!    templates (with their signatory roles), groups and attributes.
//!    Assumes nothing. After it every declared name is in the name tables
//!    (`resolve.rs`), so later passes resolve a name whatever the order of
//!    files and statements.
//! 2. Labels (`link.rs`): every statement's label is reserved, so a
//!    `revoke`, `reseal` or `via invite` may name a statement written after
//!    it.
//! 3. Rules (`rules.rs`): each rule and invite, its validity and condition
//!    lowered (`lower.rs`: times to instants, conditions to nodes) and its
//!    names resolved (`resolve.rs`), goes into the model, and its label is
//!    bound to it. A rule with an unknown name is left out, its label bound
//!    to nothing (naming it reports nothing more).
//! 4. Events (`events.rs`): super-admin changes first (every act "by the
//!    super admin" is judged against the one at its instant), then
//!    services, seal and template toggles, revokes and reseals, onto the
//!    timelines of the model's orgs, seals, templates and rules; then every
//!    timeline is sorted. Assumes every rule and invite is in the model.
//! 5. Invites (`link.rs`): each partner grant accepted through an invite is
//!    linked to it (a grant that breaks its invite is void), and invites no
//!    grant accepts are warned of. Assumes the super-admin timelines.
//! 6. Lints (`lint.rs`): the whole-set checks (duplicate rules, rules that
//!    never apply or never seal, rules that conflict), each a function of
//!    one rule (or pair of rules) and the finished model. Assumes all of
//!    the above.
//!
//! What the passes build and share, the model and the tables that name its
//! parts, is an `Env`: it owns all of it (no syntax tree is borrowed), so
//! it can outlive a check. What lives only as long as one check (its
//! problems, the budget of its hints, what one pass leaves for a later
//! one) is in the `Checker`. Diagnostics are listed in source order,
//! whatever pass found them.
//!
//! A kept `Env` takes one more statement (`incr.rs`): the passes run for
//! that statement alone, then the whole-set checks for the rules it
//! touches, so that the result is what checking the whole set again would
//! give. Nothing in the passes may depend on the order statements are
//! visited in beyond what source order (file, then place) decides: where
//! a pass keeps the first of several (a revocation, a timeline's event at
//! one instant), it compares places, not the order of visits.

mod declare;
mod err;
mod events;
pub(crate) mod incr;
mod link;
pub(crate) mod lint;
mod lower;
mod resolve;
mod rules;

pub use err::{AdminAct, CheckError, CheckWarning, Close, NeverWhy, QualifierHint};

use rustc_hash::FxHashSet;

use crate::ast;
use crate::model::Model;
use crate::source::{FileId, Locate, Sources, Span};

/// What the checker found: the model when there were no errors, and every
/// problem.
#[derive(Debug)]
pub struct Checked {
    pub model: Option<Model>,
    pub errors: Vec<CheckError>,
    pub warnings: Vec<CheckWarning>,
}

/// Checks a whole policy set. Files are given in load order; the result does
/// not depend on that order beyond the order problems are listed in.
pub fn check(files: &[ast::FileAst], sources: &Sources) -> Checked {
    let files: Vec<&ast::FileAst> = files.iter().collect();
    let (env, problems) = check_kept(&files, sources);
    Checked {
        model: problems.errors.is_empty().then_some(env.model),
        errors: problems.errors,
        warnings: problems.warnings,
    }
}

/// Checks a whole policy set, keeping what the passes built (to take more
/// statements: [`incr`]). Files are given in load order, each file's
/// `FileId` its place in it.
pub(crate) fn check_kept(files: &[&ast::FileAst], sources: &Sources) -> (Env, Problems) {
    let stmts: Vec<&ast::Stmt> = files.iter().flat_map(|f| f.stmts.iter()).collect();
    let mut c = Checker::new(sources);
    c.declarations(&stmts);
    c.labels(&stmts);
    c.rules(&stmts);
    c.events(&stmts);
    c.invites();
    c.lints(files);
    let Checker {
        env, mut problems, ..
    } = c;
    problems.sort();
    (env, problems)
}

/// Where a span is in source order: files in load order, then places.
pub(crate) fn place(s: Span) -> (FileId, u32) {
    (s.file, s.start)
}

/// What the passes know of a policy set: the model they build, the names
/// and labels that point into it, and what the lints must know of how it
/// was built. It owns all of it, so it can outlive one check (to resolve
/// and apply one more event, say, without checking the set again).
#[derive(Debug, Default)]
pub(crate) struct Env {
    pub(crate) model: Model,
    pub(crate) names: resolve::Names,
    pub(crate) labels: link::Labels,
    /// Orgs, seals and templates with an event whose time could not be
    /// read (already an error): their timelines are incomplete, so no
    /// "never applies" warning is drawn from them.
    pub(crate) incomplete: FxHashSet<(events::Timeline, u32)>,
    /// Rules already warned of as never applying (one such warning a rule,
    /// and none that they never seal), by where they start: spans compare
    /// equal whatever they cover, so they cannot be the key.
    pub(crate) never_apply: FxHashSet<(FileId, u32)>,
    /// Those of them the rules pass warned of (a grant accepted after its
    /// `until`): the lints never look at them again.
    pub(crate) accepted_late: FxHashSet<(FileId, u32)>,
    /// Where the first revoke of each label is (in source order): every
    /// other is warned of as revoking it again.
    pub(crate) first_revoke: rustc_hash::FxHashMap<compact_str::CompactString, Span>,
    /// By invite id: whether a partner grant accepts it.
    pub(crate) accepted: Vec<bool>,
    /// The rules, by what they say (the hash of their meaning), each a
    /// file and a place in its statements, in source order.
    pub(crate) meanings: lint::Meanings,
}

impl Problems {
    /// In source order, whatever pass found them (a stable sort: problems
    /// at one place stay in the order they were found in).
    pub(crate) fn sort(&mut self) {
        self.errors.sort_by_key(|e| place(e.span()));
        self.warnings.sort_by_key(|w| place(w.span()));
    }
}

/// Errors and warnings, in the order found.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub(crate) errors: Vec<CheckError>,
    pub(crate) warnings: Vec<CheckWarning>,
}

/// One check of a policy set: the [`Env`] its passes build, and what lives
/// only as long as the check.
pub(crate) struct Checker<'a> {
    sources: &'a Sources,
    env: Env,
    problems: Problems,
    /// The budget and index of "did you mean" hints.
    hints: resolve::Hints,
    /// What the rules pass leaves for the invites pass.
    pending: link::Pending<'a>,
    /// What the passes changed of a kept `Env` (recorded only when one
    /// statement is added to it, so that it can be undone).
    touched: Option<Vec<incr::Touch>>,
}

impl<'a> Checker<'a> {
    fn new(sources: &'a Sources) -> Checker<'a> {
        Checker {
            sources,
            env: Env::default(),
            problems: Problems::default(),
            hints: resolve::Hints::default(),
            pending: link::Pending::default(),
            touched: None,
        }
    }

    /// Records a change to the kept `Env`, if changes are recorded.
    fn touch(&mut self, t: incr::Touch) {
        if let Some(log) = &mut self.touched {
            log.push(t);
        }
    }

    fn err(&mut self, e: CheckError) {
        self.problems.errors.push(e);
    }

    fn warn(&mut self, w: CheckWarning) {
        self.problems.warnings.push(w);
    }

    /// `file:line:col` of a span.
    fn loc(&self, span: Span) -> String {
        self.sources.location(span)
    }

    /// A rule's name in messages: its label, else `file:line`.
    fn rule_name(&self, label: Option<&str>, span: Span) -> String {
        self.sources.rule_name(label, span)
    }
}
