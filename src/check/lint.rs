//! The whole-set checks, on the finished model: rules written twice, rules
//! that never apply, rules that never seal, and rules that give one key
//! different seals at once. Each is a function of one rule (or one pair)
//! and the model, which the pass runs for every rule; it could run for one.

use chrono::FixedOffset;
use rustc_hash::FxHashMap;

use super::{CheckError, CheckWarning, Checker, Env, NeverWhy};
use crate::ast::{self, StmtKind};
use crate::model::{
    EmployeeRule, Forbid, Model, OrgId, RoleId, SealId, SealRule, SealRuleKind, TemplateId, Toggle,
    Window,
};
use crate::source::Span;
use crate::time::Instant;

use super::events::Timeline;

impl<'a> Checker<'a> {
    pub(super) fn lints(&mut self, stmts: &[&'a ast::Stmt]) {
        self.duplicates(stmts);
        self.never_applies();
        self.never_seals();
        self.conflicts();
    }

    /// The same rule written twice, at two places: a warning at the second.
    fn duplicates(&mut self, stmts: &[&'a ast::Stmt]) {
        let mut seen = Duplicates::default();
        for &s in stmts {
            if let Some((label, first)) = seen.first_of(s) {
                let first = self.rule_name(label, first);
                self.warn(CheckWarning::DuplicateRule {
                    first,
                    span: s.span,
                });
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
            if self.env.never_apply.contains(&(r.span.file, r.span.start)) {
                continue;
            }
            let Some(forbids) = never_seals(m, &blockers, r) else {
                continue;
            };
            let rule = self.rule_name(r.label.as_deref(), r.span);
            let forbids = forbids
                .iter()
                .map(|f| self.rule_name(f.label.as_deref(), f.span))
                .collect();
            found.push(CheckWarning::NeverSeals {
                rule,
                forbids,
                span: r.span,
            });
        }
        for w in found {
            self.warn(w);
        }
    }

    fn conflicts(&mut self) {
        let m = &self.env.model;
        let mut by_key: FxHashMap<ConflictKey, Vec<usize>> = FxHashMap::default();
        for (i, r) in m.seal_rules.iter().enumerate() {
            if let Some(key) = conflict_key(r) {
                by_key.entry(key).or_default().push(i);
            }
        }
        let mut keys: Vec<_> = by_key.into_values().filter(|v| v.len() > 1).collect();
        keys.sort();
        let mut found = Vec::new();
        for ids in keys {
            for (n, &b) in ids.iter().enumerate() {
                for &a in ids.iter().take(n) {
                    let (Some(ra), Some(rb)) = (m.seal_rules.get(a), m.seal_rules.get(b)) else {
                        continue;
                    };
                    if let Some(c) = conflict(m, ra, rb) {
                        found.push(CheckError::ConflictingRules {
                            first: self.rule_name(ra.label.as_deref(), ra.span),
                            second: self.rule_name(rb.label.as_deref(), rb.span),
                            signer: c.signer,
                            template: c.template,
                            signatory: c.signatory,
                            first_seal: m.seal_name(c.first_seal),
                            second_seal: m.seal_name(c.second_seal),
                            at: c.at,
                            span: rb.span,
                        });
                    }
                }
            }
        }
        for e in found {
            self.err(e);
        }
    }
}

// ------------------------------------------------------------ duplicates

/// Rules by what they say, wherever they are written.
#[derive(Default)]
struct Duplicates<'a> {
    seen: FxHashMap<ast::Meaning<'a, StmtKind>, (Option<&'a str>, Span)>,
}

impl<'a> Duplicates<'a> {
    /// The label and place of the rule seen first that says what `s` says
    /// (`s` is seen too); nothing if `s` is no rule, or the first.
    fn first_of(&mut self, s: &'a ast::Stmt) -> Option<(Option<&'a str>, Span)> {
        if !s.kind.is_rule() {
            return None;
        }
        let label = s.label.as_ref().map(|l| l.name.as_str());
        match self.seen.entry(ast::Meaning(&s.kind)) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert((label, s.span));
                None
            }
        }
    }
}

// ------------------------------------------------------------ never applies

/// A rule of the model, of any kind.
#[derive(Clone, Copy)]
enum Rule<'m> {
    Seal(&'m SealRule),
    Employee(&'m EmployeeRule),
    Forbid(&'m Forbid),
}

impl<'m> Rule<'m> {
    fn label(self) -> Option<&'m str> {
        match self {
            Rule::Seal(r) => r.label.as_deref(),
            Rule::Employee(r) => r.label.as_deref(),
            Rule::Forbid(r) => r.label.as_deref(),
        }
    }

    fn span(self) -> Span {
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
fn never_applies(env: &Env, r: Rule<'_>) -> Option<NeverWhy> {
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
struct Blockers {
    global: Vec<usize>,
    by_signer: FxHashMap<OrgId, Vec<usize>>,
    by_template: FxHashMap<TemplateId, Vec<usize>>,
}

impl Blockers {
    fn new(m: &Model) -> Blockers {
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

    fn is_empty(&self) -> bool {
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
            .filter(move |f| f.signer.is_none_or(|o| o == signer))
            .filter(move |f| f.template.is_none_or(|t| t == template))
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
