//! The whole-set checks, on the finished model: rules written twice, rules
//! that never apply, rules that never seal, and rules that give one key
//! different seals at once. Each is a function of one rule (or one pair)
//! and the model, which the pass runs for every rule; it could run for one.

use std::hash::{Hash, Hasher};

use chrono::FixedOffset;
use rustc_hash::{FxHashMap, FxHasher};
use smallvec::SmallVec;

use super::{place, CheckError, CheckWarning, Checker, Env, NeverWhy};
use crate::ast::{self, FileAst, StmtKind};
use crate::model::{
    EmployeeRule, Forbid, Model, OrgId, RoleId, SealId, SealRule, SealRuleId, SealRuleKind,
    TemplateId, Toggle, Window,
};
use crate::source::{FileId, Span};
use crate::time::Instant;

use super::events::Timeline;

impl<'a> Checker<'a> {
    pub(super) fn lints(&mut self, files: &[&'a FileAst]) {
        self.duplicates(files);
        self.never_applies();
        self.never_seals();
        self.conflicts();
    }

    /// The same rule written twice, at two places: a warning at the second.
    fn duplicates(&mut self, files: &[&'a FileAst]) {
        for f in files {
            for (i, s) in f.stmts.iter().enumerate() {
                if !s.kind.is_rule() {
                    continue;
                }
                let at = StmtRef {
                    file: f.file,
                    index: i as u32,
                };
                let class = self.env.meanings.add(at, s, files);
                if let Some(first) = class.first().and_then(|r| r.stmt(files)) {
                    if place(first.span) < place(s.span) {
                        let label = first.label.as_ref().map(|l| l.name.as_str());
                        let first = self.rule_name(label, first.span);
                        self.warn(CheckWarning::DuplicateRule {
                            first,
                            span: s.span,
                        });
                    }
                }
            }
        }
    }

    fn never_applies(&mut self) {
        let env = &self.env;
        let m = &env.model;
        let rules = (m.seal_rules.iter().map(Rule::Seal))
            .chain(m.employee_rules.iter().map(Rule::Employee))
            .chain(m.forbids.iter().map(Rule::Forbid));
        let mut found = Vec::new();
        for r in rules {
            let span = r.span();
            if env.never_apply.contains(&(span.file, span.start)) {
                continue;
            }
            if let Some(why) = never_applies(env, r) {
                found.push((self.rule_name(r.label(), span), span, why));
            }
        }
        for (rule, span, why) in found {
            self.env.never_apply.insert((span.file, span.start));
            self.warn(CheckWarning::NeverApplies { rule, why, span });
        }
    }

    fn never_seals(&mut self) {
        let m = &self.env.model;
        let blockers = Blockers::new(m);
        if blockers.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for r in &m.seal_rules {
            if let Some(w) = self.never_seals_warning(&blockers, r) {
                found.push(w);
            }
        }
        for w in found {
            self.warn(w);
        }
    }

    /// The warning that seal rule `r` never seals, blocked throughout by
    /// forbids, if it is (and not already warned of as never applying).
    pub(super) fn never_seals_warning(
        &self,
        blockers: &Blockers,
        r: &SealRule,
    ) -> Option<CheckWarning> {
        if self.env.never_apply.contains(&(r.span.file, r.span.start)) {
            return None;
        }
        let forbids = never_seals(&self.env.model, blockers, r)?;
        let rule = self.rule_name(r.label.as_deref(), r.span);
        let forbids = forbids
            .iter()
            .map(|f| self.rule_name(f.label.as_deref(), f.span))
            .collect();
        Some(CheckWarning::NeverSeals {
            rule,
            forbids,
            span: r.span,
        })
    }

    fn conflicts(&mut self) {
        let m = &self.env.model;
        let mut by_key: FxHashMap<ConflictKey, Vec<usize>> = FxHashMap::default();
        for (i, r) in m.seal_rules.iter().enumerate() {
            if let Some(key) = conflict_key(r) {
                by_key.entry(key).or_default().push(i);
            }
        }
        let at = |i: &usize| m.seal_rules.get(*i).map(|r| place(r.span));
        let mut keys: Vec<Vec<usize>> = by_key.into_values().filter(|v| v.len() > 1).collect();
        for ids in &mut keys {
            ids.sort_by_key(at);
        }
        keys.sort_by_cached_key(|ids| ids.iter().map(at).collect::<Vec<_>>());
        let mut found = Vec::new();
        for ids in keys {
            for (n, &b) in ids.iter().enumerate() {
                for &a in ids.iter().take(n) {
                    let (Some(ra), Some(rb)) = (m.seal_rules.get(a), m.seal_rules.get(b)) else {
                        continue;
                    };
                    found.extend(self.conflict_error(ra, rb));
                }
            }
        }
        for e in found {
            self.err(e);
        }
    }

    /// The error that rules `ra` and `rb` (of one key, `ra` written first)
    /// give different seals at one instant, if they do.
    pub(super) fn conflict_error(&self, ra: &SealRule, rb: &SealRule) -> Option<CheckError> {
        let m = &self.env.model;
        let c = conflict(m, ra, rb)?;
        Some(CheckError::ConflictingRules {
            first: self.rule_name(ra.label.as_deref(), ra.span),
            second: self.rule_name(rb.label.as_deref(), rb.span),
            signer: c.signer,
            template: c.template,
            signatory: c.signatory,
            first_seal: m.seal_name(c.first_seal),
            second_seal: m.seal_name(c.second_seal),
            at: c.at,
            span: rb.span,
        })
    }

    /// The errors that seal rule `id` conflicts with another of its key,
    /// as the whole-set check gives them: each pair with the rule written
    /// first as `first`, in source order of the second, then the first.
    pub(super) fn conflicts_of(&self, id: SealRuleId) -> Vec<CheckError> {
        let m = &self.env.model;
        let Some(r) = m.seal_rules.get(id.index()) else {
            return Vec::new();
        };
        let Some(key) = conflict_key(r) else {
            return Vec::new();
        };
        let mut pairs: Vec<(&SealRule, &SealRule)> = m
            .seal_rules
            .iter()
            .enumerate()
            .filter(|(i, o)| *i != id.index() && conflict_key(o) == Some(key))
            .map(|(_, o)| {
                if place(o.span) < place(r.span) {
                    (o, r)
                } else {
                    (r, o)
                }
            })
            .collect();
        pairs.sort_by_key(|(a, b)| (place(b.span), place(a.span)));
        pairs
            .into_iter()
            .filter_map(|(a, b)| self.conflict_error(a, b))
            .collect()
    }
}

// ------------------------------------------------------------ duplicates

/// A statement: its file, and its place among the file's statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct StmtRef {
    pub(crate) file: FileId,
    pub(crate) index: u32,
}

impl StmtRef {
    /// The statement, in `files` (by file id).
    pub(crate) fn stmt<'f>(self, files: &[&'f FileAst]) -> Option<&'f ast::Stmt> {
        files
            .get(self.file.0 as usize)
            .and_then(|f| f.stmts.get(self.index as usize))
    }
}

/// The rules of a set by what they say, wherever they are written: by the
/// hash of their meaning, each a list of statements in source order (a
/// list may hold rules of different meanings whose hashes are equal).
#[derive(Debug, Default)]
pub(crate) struct Meanings {
    map: FxHashMap<u64, SmallVec<[StmtRef; 1]>>,
}

fn meaning_hash(k: &StmtKind) -> u64 {
    let mut h = FxHasher::default();
    ast::Meaning(k).hash(&mut h);
    h.finish()
}

impl Meanings {
    /// Adds rule `s`, written at `at`, in its place in source order; the
    /// rules that say what it says, `s` among them, in source order.
    pub(crate) fn add(&mut self, at: StmtRef, s: &ast::Stmt, files: &[&FileAst]) -> Vec<StmtRef> {
        let list = self.map.entry(meaning_hash(&s.kind)).or_default();
        let i = list.partition_point(|r| *r < at);
        list.insert(i, at);
        list.iter()
            .copied()
            .filter(|r| {
                *r == at
                    || r.stmt(files)
                        .is_some_and(|o| ast::Meaning(&o.kind) == ast::Meaning(&s.kind))
            })
            .collect()
    }

    /// Takes back rule `s`, added at `at`.
    pub(crate) fn remove(&mut self, at: StmtRef, s: &ast::Stmt) {
        let h = meaning_hash(&s.kind);
        if let Some(list) = self.map.get_mut(&h) {
            list.retain(|r| *r != at);
            if list.is_empty() {
                self.map.remove(&h);
            }
        }
    }
}

// ------------------------------------------------------------ never applies

/// A rule of the model, of any kind.
#[derive(Clone, Copy)]
pub(super) enum Rule<'m> {
    Seal(&'m SealRule),
    Employee(&'m EmployeeRule),
    Forbid(&'m Forbid),
}

impl<'m> Rule<'m> {
    pub(super) fn label(self) -> Option<&'m str> {
        match self {
            Rule::Seal(r) => r.label.as_deref(),
            Rule::Employee(r) => r.label.as_deref(),
            Rule::Forbid(r) => r.label.as_deref(),
        }
    }

    pub(super) fn span(self) -> Span {
        match self {
            Rule::Seal(r) => r.span,
            Rule::Employee(r) => r.span,
            Rule::Forbid(r) => r.span,
        }
    }

    fn window(self) -> &'m Window {
        match self {
            Rule::Seal(r) => &r.window,
            Rule::Employee(r) => &r.window,
            Rule::Forbid(r) => &r.window,
        }
    }
}

/// Why a rule can never apply, if it cannot: it is revoked before it
/// starts, its window is empty, or (a rule with a seal) its signer's
/// service, its template or its seal is off throughout its window.
pub(super) fn never_applies(env: &Env, r: Rule<'_>) -> Option<NeverWhy> {
    let w = r.window();
    if let Some(rev) = &w.revoked {
        if rev.stamp.at <= w.start() {
            return Some(NeverWhy::RevokedBeforeStart {
                at: rev.stamp.display(),
            });
        }
    }
    // `from` after `until` is an error of its own.
    if w.start() == w.end() && w.from.is_some() && w.until.is_some() {
        return Some(NeverWhy::EmptyWindow);
    }
    let Rule::Seal(r) = r else { return None };
    let (s, e) = (r.window.start(), r.window.stop());
    if s >= e || r.void.is_some() {
        return None;
    }
    let m = &env.model;
    let known = |timeline: Timeline, id: u32| !env.incomplete.contains(&(timeline, id));
    if known(Timeline::Service, r.signer.0)
        && m.org(r.signer)
            .is_some_and(|o| off_throughout(&o.service, false, s, e))
    {
        Some(NeverWhy::ServiceOff {
            org: m.org_name(r.signer).to_owned(),
        })
    } else if known(Timeline::Template, r.template.0)
        && m.template(r.template)
            .is_some_and(|t| off_throughout(&t.toggles, true, s, e))
    {
        Some(NeverWhy::TemplateDisabled {
            template: m.template_name(r.template),
        })
    } else if known(Timeline::Seal, r.seal.0)
        && r.reseals.is_empty()
        && m.seal(r.seal)
            .is_some_and(|x| off_throughout(&x.toggles, true, s, e))
    {
        Some(NeverWhy::SealDisabled {
            seal: m.seal_name(r.seal),
        })
    } else {
        None
    }
}

/// Whether a timeline starting at `initial` is off for all of `[s, e)`.
fn off_throughout(toggles: &[Toggle], initial: bool, s: Instant, e: Instant) -> bool {
    let (on, _) = crate::model::state_at(toggles, initial, s);
    !on && !toggles
        .iter()
        .any(|t| t.on && t.stamp.at > s && t.stamp.at < e)
}

// ------------------------------------------------------------ never seals

/// The forbids without a condition, by what they are scoped to: a rule
/// looks only at those that can match it.
#[derive(Default)]
pub(super) struct Blockers {
    global: Vec<usize>,
    by_signer: FxHashMap<OrgId, Vec<usize>>,
    by_template: FxHashMap<TemplateId, Vec<usize>>,
}

impl Blockers {
    pub(super) fn new(m: &Model) -> Blockers {
        let mut b = Blockers::default();
        for (i, f) in m.forbids.iter().enumerate() {
            if f.cond.is_some() || f.window.start() >= f.window.stop() {
                continue;
            }
            match (f.template, f.signer) {
                (Some(t), _) => b.by_template.entry(t).or_default().push(i),
                (None, Some(o)) => b.by_signer.entry(o).or_default().push(i),
                (None, None) => b.global.push(i),
            }
        }
        b
    }

    pub(super) fn is_empty(&self) -> bool {
        self.global.is_empty() && self.by_signer.is_empty() && self.by_template.is_empty()
    }

    /// The forbids that may block `r`, whatever its seal and time.
    fn candidates<'m>(&'m self, m: &'m Model, r: &SealRule) -> impl Iterator<Item = &'m Forbid> {
        let (signer, template) = (r.signer, r.template);
        self.global
            .iter()
            .chain(self.by_signer.get(&signer).into_iter().flatten())
            .chain(self.by_template.get(&template).into_iter().flatten())
            .filter_map(|&i| m.forbids.get(i))
            .filter(move |f| f.scope_covers(signer, template))
    }
}

/// The forbids without a condition that block every auto-seal of seal
/// rule `r` for its whole window (each seal it has over time, its signer,
/// template and the seal's kind), in source order; nothing if the rule can
/// seal (or never applies at all).
fn never_seals<'m>(m: &'m Model, blockers: &'m Blockers, r: &SealRule) -> Option<Vec<&'m Forbid>> {
    let (s, e) = (r.window.start(), r.window.stop());
    if s >= e || r.void.is_some() {
        return None;
    }
    // Most rules: nothing blocks their first instant.
    let first_kind = m.seal(r.seal_at(s)).map(|x| x.kind);
    if !blockers.candidates(m, r).any(|f| {
        f.kind.is_none_or(|k| Some(k) == first_kind) && f.window.start() <= s && s < f.window.stop()
    }) {
        return None;
    }
    let candidates: Vec<&Forbid> = blockers.candidates(m, r).collect();
    let mut blocking: Vec<&Forbid> = Vec::new();
    let blocked = seal_pieces(r).into_iter().all(|(a, b, seal)| {
        let kind = m.seal(seal).map(|x| x.kind);
        let mut matching: Vec<&Forbid> = candidates
            .iter()
            .copied()
            .filter(|f| f.kind.is_none_or(|k| Some(k) == kind))
            .filter(|f| f.window.start() < b && a < f.window.stop())
            .collect();
        matching.sort_by_key(|f| f.window.start());
        let mut covered = a;
        for f in &matching {
            if f.window.start() > covered {
                break;
            }
            covered = covered.max(f.window.stop());
            if !blocking.iter().any(|x| std::ptr::eq(*x, *f)) {
                blocking.push(f);
            }
            if covered >= b {
                break;
            }
        }
        covered >= b
    });
    if !blocked {
        return None;
    }
    blocking.sort_by_key(|f| (f.span.file, f.span.start));
    Some(blocking)
}

/// A rule's seal over time: `(start, end, seal)` pieces of its window.
fn seal_pieces(r: &SealRule) -> Vec<(Instant, Instant, SealId)> {
    let (s, e) = (r.window.start(), r.window.stop());
    let mut out = Vec::new();
    let mut cur_start = s;
    let mut cur_seal = r.seal_at(s);
    for rs in &r.reseals {
        if rs.stamp.at <= s {
            continue;
        }
        if rs.stamp.at >= e {
            break;
        }
        out.push((cur_start, rs.stamp.at, cur_seal));
        cur_start = rs.stamp.at;
        cur_seal = rs.seal;
    }
    out.push((cur_start, e, cur_seal));
    out.retain(|(a, b, _)| a < b);
    out
}

// ------------------------------------------------------------ conflicts

/// Rules of one key give a signer's auto-seal on one template (as one
/// signatory role, for partner grants) one seal at a time.
type ConflictKey = (OrgId, TemplateId, Option<RoleId>);

/// The key of a seal rule that can conflict: one without a condition, not
/// void.
fn conflict_key(r: &SealRule) -> Option<ConflictKey> {
    if r.cond.is_some() || r.void.is_some() {
        return None;
    }
    let role = match r.kind {
        SealRuleKind::Own => None,
        SealRuleKind::Partner { role, .. } => Some(role),
    };
    Some((r.signer, r.template, role))
}

/// Two rules of one key in force with different seals at one instant.
struct Conflict {
    /// The key, for a message: the signer, the template and (of a
    /// partner grant) the signatory.
    signer: String,
    template: String,
    signatory: Option<String>,
    first_seal: SealId,
    second_seal: SealId,
    /// The first such instant, for a message (`None`: from the start).
    at: Option<String>,
}

/// Whether rules `a` and `b`, of one [`ConflictKey`], give different seals
/// at one instant, and from when.
fn conflict(m: &Model, a: &SealRule, b: &SealRule) -> Option<Conflict> {
    let (at, sa, sb) = first_conflict(a, b)?;
    let tz = a
        .window
        .from
        .map_or(FixedOffset::east_opt(0), |f| Some(f.tz));
    let at = (at != Instant::MIN).then(|| tz.map_or_else(|| at.0.to_string(), |tz| at.display(tz)));
    let signatory = match a.kind {
        SealRuleKind::Own => None,
        SealRuleKind::Partner { role, .. } => Some(m.role_name(role).to_owned()),
    };
    Some(Conflict {
        signer: m.org_name(a.signer).to_owned(),
        template: m.template_name(a.template),
        signatory,
        first_seal: sa,
        second_seal: sb,
        at,
    })
}

/// The first instant two rules give different seals, and those seals.
fn first_conflict(a: &SealRule, b: &SealRule) -> Option<(Instant, SealId, SealId)> {
    let pa = seal_pieces(a);
    let pb = seal_pieces(b);
    let mut best: Option<(Instant, SealId, SealId)> = None;
    for &(s1, e1, x) in &pa {
        for &(s2, e2, y) in &pb {
            let (s, e) = (s1.max(s2), e1.min(e2));
            if s < e && x != y && best.is_none_or(|(t, _, _)| s < t) {
                best = Some((s, x, y));
            }
        }
    }
    best
}
