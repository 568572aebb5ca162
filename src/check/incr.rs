//! One more statement for a kept [`Env`]: what checking the whole set with
//! it would give, without checking the rest again.
//!
//! The passes run for the statement alone ([`Checker::labels`],
//! [`Checker::rules`], [`Checker::event`], then linking its invite); what
//! they change of the `Env` is recorded ([`Touch`]) so that a statement the
//! set refuses, or one whose journal line cannot be written, is taken back
//! ([`Env::undo`]). Then the whole-set checks run again for every rule the
//! statement touches: the new rule; a revoked or resealed rule; each rule
//! of a signer, template or seal whose timeline it changes; each seal rule
//! a forbid may block, when a forbid comes or goes; the invite a grant
//! accepts. Their warnings replace those the rules had.
//!
//! What it does not take (a declaration, a `timezone`, a super-admin
//! change, which reaches every act "by the super admin" of an org; and,
//! when the statement is not the last of the set in source order, a rule
//! that names a signatory role or an attribute no earlier statement made
//! known: the ids of roles and attributes are given in source order) it
//! says so before changing anything ([`Unsupported`]), and the set is
//! checked whole.
//!
//! New employee authorizations, forbids and invites are put in their place
//! in source order among the model's (the model's order is the order of
//! their ids, which answers and reports show); new seal rules stay where
//! they are added, since a compiled policy orders them by key and nothing
//! else reads their order.

use compact_str::CompactString;

use super::events::{sort_reseals, sort_timeline, timeline_of, Timeline};
use super::link::Labelled;
use super::lint::{never_applies, Blockers, Rule, StmtRef};
use super::{place, CheckError, CheckWarning, Checker, Env};
use crate::ast::{self, Expr, FileAst, StmtKind};
use crate::model::{
    EmployeeRuleId, Forbid, ForbidId, InviteId, Revocation, SealRuleId, SealRuleKind,
};
use crate::source::{FileId, Sources, Span};

/// A change the passes made to a kept `Env`, to undo.
#[derive(Debug)]
pub(crate) enum Touch {
    /// A label reserved.
    Label(CompactString),
    /// An event on a timeline (the one at `span`).
    Toggle {
        timeline: Timeline,
        id: u32,
        span: Span,
    },
    Incomplete(Timeline, u32),
    /// A rule's revocation, and what it was.
    Revoked {
        target: Labelled,
        before: Option<Box<Revocation>>,
    },
    /// The first revoke of a label, and what it was.
    FirstRevoke {
        label: CompactString,
        before: Option<Span>,
    },
    /// A reseal of a rule (the one at `span`).
    Resealed {
        rule: SealRuleId,
        span: Span,
    },
    /// A grant accepted after its `until`, warned of by the rules pass.
    AcceptedLate((FileId, u32)),
    /// An invite accepted.
    Accepted(InviteId),
}

/// A warning's key in a set's list of warnings: its place, then the rank
/// of the pass that finds it (and of the check in that pass). Sorted by
/// key, the list is in the order a whole check lists warnings (a stable
/// sort by place of what the passes found in their order), and no two
/// warnings of a set have one key.
pub(crate) type WarnKey = (FileId, u32, u8);

/// Ranks: the rules pass (a grant accepted late; an attribute's
/// warnings), events, invites, then the lints in their order.
const RANK_ACCEPTED_LATE: u8 = 1;
const RANK_UNDECLARED: u8 = 2;
const RANK_EMPTY_LIST: u8 = 3;
const RANK_EVENTS: u8 = 4;
const RANK_INVITES: u8 = 5;
const RANK_DUPLICATE: u8 = 6;
const RANK_NEVER_APPLIES: u8 = 7;
const RANK_NEVER_SEALS: u8 = 8;

/// The key of a warning of the set `env` describes.
pub(crate) fn warn_key(w: &CheckWarning, env: &Env) -> WarnKey {
    let span = w.span();
    let rank = match w {
        CheckWarning::NeverApplies { .. } if env.accepted_late.contains(&place(span)) => {
            RANK_ACCEPTED_LATE
        }
        CheckWarning::UndeclaredAttribute { .. } => RANK_UNDECLARED,
        CheckWarning::EmptyList { .. } => RANK_EMPTY_LIST,
        CheckWarning::RevokedTwice { .. }
        | CheckWarning::EnablesWithoutBy { .. }
        | CheckWarning::AdminUnchanged { .. } => RANK_EVENTS,
        CheckWarning::VoidGrant { .. } | CheckWarning::InviteNeverAccepted { .. } => RANK_INVITES,
        CheckWarning::DuplicateRule { .. } => RANK_DUPLICATE,
        CheckWarning::NeverApplies { .. } => RANK_NEVER_APPLIES,
        CheckWarning::NeverSeals { .. } => RANK_NEVER_SEALS,
    };
    (span.file, span.start, rank)
}

/// Why a statement is not added to a kept `Env` (the set is checked whole
/// instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unsupported(pub &'static str);

/// What adding a statement to a kept `Env` found.
#[derive(Debug)]
pub(crate) struct Added {
    /// The errors the whole set now has, in source order: if any, the
    /// statement must be taken back ([`Env::undo`]).
    pub errors: Vec<CheckError>,
    /// The warnings of the set's list to drop (keys it may not have)...
    pub removed: Vec<WarnKey>,
    /// ... and those to put in (in place of any of one key).
    pub added: Vec<(WarnKey, CheckWarning)>,
    /// What the compiled policy must take again.
    pub changes: Changes,
    pub undo: Undo,
}

/// What of the model a statement changed, for the compiled policy.
#[derive(Debug, Default, Clone)]
pub(crate) struct Changes {
    /// Seal rules changed in place (revoked, resealed).
    pub rules: Vec<SealRuleId>,
    /// New seal rules.
    pub new_rules: Vec<SealRuleId>,
    /// The model but for its seal rules changed (an event on a timeline,
    /// an authorization, a forbid, an invite, a role or an attribute).
    pub model: bool,
    /// A service, seal or template timeline changed.
    pub timelines: bool,
    pub employee_rules: bool,
    pub forbids: bool,
    /// Roles or attributes were added.
    pub names: bool,
    /// New invites were put at these indexes, one after the other (the
    /// invites after each moved up one).
    pub invite_at: Vec<u32>,
}

/// How to take a statement back.
#[derive(Debug, Default)]
pub(crate) struct Undo {
    lens: Lens,
    touched: Vec<Touch>,
    /// Rules whose "never applies" mark was looked at again, and whether
    /// they had it.
    never_apply: Vec<((FileId, u32), bool)>,
    meaning: Option<StmtRef>,
    moved: Option<Moved>,
}

/// How long the model's lists were.
#[derive(Debug, Default, Clone, Copy)]
struct Lens {
    seal_rules: usize,
    employee_rules: usize,
    forbids: usize,
    invites: usize,
    roles: usize,
    attributes: usize,
}

/// A new rule or invite moved from the end of its list to `to`.
#[derive(Debug, Clone, Copy)]
struct Moved {
    kind: Kind,
    to: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Employee,
    Forbid,
    Invite,
}

impl Env {
    /// Adds statement `s`, written at `at` (its file's id, its place in the
    /// file's statements: `files` must hold it there), whose text is in
    /// `sources`. `last`: no statement of the set comes after it in
    /// source order.
    pub(crate) fn add(
        &mut self,
        s: &ast::Stmt,
        at: StmtRef,
        files: &[&FileAst],
        sources: &Sources,
        last: bool,
    ) -> Result<Added, Unsupported> {
        self.supports(s, last)?;
        let lens = self.lens();
        let mut c = Checker::new(sources);
        c.env = std::mem::take(self);
        c.touched = Some(Vec::new());
        c.labels(&[s]);
        c.rules(&[s]);
        c.event(s);
        let invites = c.env.model.invites.len();
        c.env.accepted.resize(invites, false);
        c.link_pending();
        let mut touched = c.touched.take().unwrap_or_default();
        for t in &touched {
            match *t {
                Touch::Toggle { timeline, id, .. } => sort_timeline(&mut c.env.model, timeline, id),
                Touch::Resealed { rule, .. } => sort_reseals(&mut c.env.model, rule),
                _ => {}
            }
        }
        let mut out = Added {
            errors: Vec::new(),
            removed: Vec::new(),
            added: Vec::new(),
            changes: Changes::default(),
            undo: Undo::default(),
        };
        let mut relint = Relint::default();
        let m = &c.env.model;
        let new_seal_rule =
            (m.seal_rules.len() > lens.seal_rules).then(|| SealRuleId::from_index(lens.seal_rules));
        let new_employee_rule = m.employee_rules.len() > lens.employee_rules;
        let new_forbid = m.forbids.len() > lens.forbids;
        let new_invite = m.invites.len() > lens.invites;
        if let Some(id) = new_seal_rule {
            relint.seal_rules.push(id);
            out.errors.extend(c.conflicts_of(id));
            out.changes.new_rules.push(id);
        }
        if new_employee_rule {
            relint
                .employee_rules
                .push(EmployeeRuleId::from_index(lens.employee_rules));
            out.changes.employee_rules = true;
        }
        if new_forbid {
            relint.forbids.push(ForbidId::from_index(lens.forbids));
            out.changes.forbids = true;
        }
        if new_invite {
            if let Some(w) = c.never_accepted(InviteId::from_index(lens.invites)) {
                let key = warn_key(&w, &c.env);
                out.added.push((key, w));
            }
        }
        for t in &touched {
            match t {
                Touch::Toggle { timeline, id, .. } => {
                    out.changes.timelines = true;
                    let (timeline, id) = (*timeline, *id);
                    relint.seal_rules.extend(
                        c.env
                            .model
                            .seal_rules
                            .iter()
                            .enumerate()
                            .filter(|(_, r)| match timeline {
                                Timeline::Service => r.signer.0 == id,
                                Timeline::Template => r.template.0 == id,
                                Timeline::Seal => r.seal.0 == id,
                            })
                            .map(|(i, _)| SealRuleId::from_index(i)),
                    );
                }
                Touch::Revoked { target, .. } => match *target {
                    Labelled::SealRule(id) => {
                        relint.seal_rules.push(id);
                        out.changes.rules.push(id);
                    }
                    Labelled::EmployeeRule(id) => {
                        relint.employee_rules.push(id);
                        out.changes.employee_rules = true;
                    }
                    Labelled::Forbid(id) => {
                        relint.forbids.push(id);
                        out.changes.forbids = true;
                    }
                    _ => {}
                },
                Touch::Resealed { rule, .. } => {
                    relint.seal_rules.push(*rule);
                    out.changes.rules.push(*rule);
                    if new_seal_rule != Some(*rule) {
                        out.errors.extend(c.conflicts_of(*rule));
                    }
                }
                Touch::Accepted(i) if i.index() < lens.invites => {
                    if let Some(inv) = c.env.model.invites.get(i.index()) {
                        out.removed
                            .push((inv.span.file, inv.span.start, RANK_INVITES));
                    }
                }
                _ => {}
            }
        }
        if s.kind.is_rule() {
            c.duplicates_of(s, at, files, &mut out);
        }
        c.relint(&mut relint, &mut out);
        // The problems the passes found for the statement.
        let Checker { env, problems, .. } = c;
        *self = env;
        out.errors.extend(problems.errors);
        for w in problems.warnings {
            out.added.push((warn_key(&w, self), w));
        }
        out.errors.sort_by_key(|e| place(e.span()));
        touched.shrink_to_fit();
        out.undo.lens = lens;
        out.undo.touched = touched;
        out.undo.never_apply = std::mem::take(&mut relint.never_apply);
        out.undo.meaning = s.kind.is_rule().then_some(at);
        let m = &self.model;
        out.changes.model = m.employee_rules.len() != lens.employee_rules
            || m.forbids.len() != lens.forbids
            || m.invites.len() != lens.invites
            || m.roles.len() != lens.roles
            || m.attributes.len() != lens.attributes
            || out.changes.timelines
            || out.changes.employee_rules
            || out.changes.forbids;
        out.changes.names = m.roles.len() != lens.roles || m.attributes.len() != lens.attributes;
        if out.errors.is_empty() {
            // Into its place in source order.
            let kind = if new_employee_rule {
                Some(Kind::Employee)
            } else if new_forbid {
                Some(Kind::Forbid)
            } else if new_invite {
                Some(Kind::Invite)
            } else {
                None
            };
            if let Some(kind) = kind {
                let to = self.place_of(kind, s.span);
                if to + 1 < self.len_of(kind) {
                    self.relocate(kind, self.len_of(kind) - 1, to);
                    out.undo.moved = Some(Moved { kind, to });
                    if kind == Kind::Invite {
                        out.changes.invite_at.push(to as u32);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Takes back statement `s`, added at `at` ([`Env::add`]).
    pub(crate) fn undo(&mut self, s: &ast::Stmt, undo: Undo) {
        let Undo {
            lens,
            touched,
            never_apply,
            meaning,
            moved,
        } = undo;
        if let Some(Moved { kind, to }) = moved {
            let last = self.len_of(kind) - 1;
            self.relocate(kind, to, last);
        }
        if let Some(at) = meaning {
            self.meanings.remove(at, s);
        }
        for (key, had) in never_apply.into_iter().rev() {
            if had {
                self.never_apply.insert(key);
            } else {
                self.never_apply.remove(&key);
            }
        }
        for t in touched.into_iter().rev() {
            match t {
                Touch::Label(name) => self.labels.remove(&name),
                Touch::Toggle { timeline, id, span } => {
                    if let Some(list) = timeline_of(&mut self.model, timeline, id) {
                        list.retain(|x| place(x.span) != place(span));
                    }
                }
                Touch::Incomplete(timeline, id) => {
                    self.incomplete.remove(&(timeline, id));
                }
                Touch::Revoked { target, before } => {
                    let m = &mut self.model;
                    let window = match target {
                        Labelled::SealRule(id) => {
                            m.seal_rules.get_mut(id.index()).map(|r| &mut r.window)
                        }
                        Labelled::EmployeeRule(id) => {
                            m.employee_rules.get_mut(id.index()).map(|r| &mut r.window)
                        }
                        Labelled::Forbid(id) => {
                            m.forbids.get_mut(id.index()).map(|r| &mut r.window)
                        }
                        _ => None,
                    };
                    if let Some(w) = window {
                        w.revoked = before;
                    }
                }
                Touch::FirstRevoke { label, before } => match before {
                    Some(span) => {
                        self.first_revoke.insert(label, span);
                    }
                    None => {
                        self.first_revoke.remove(&label);
                    }
                },
                Touch::Resealed { rule, span } => {
                    if let Some(r) = self.model.seal_rules.get_mut(rule.index()) {
                        r.reseals.retain(|x| place(x.span) != place(span));
                    }
                }
                Touch::AcceptedLate(key) => {
                    self.accepted_late.remove(&key);
                    self.never_apply.remove(&key);
                }
                Touch::Accepted(i) => {
                    if let Some(a) = self.accepted.get_mut(i.index()) {
                        *a = false;
                    }
                }
            }
        }
        let m = &mut self.model;
        m.seal_rules.truncate(lens.seal_rules);
        m.employee_rules.truncate(lens.employee_rules);
        m.forbids.truncate(lens.forbids);
        m.invites.truncate(lens.invites);
        self.accepted.truncate(lens.invites);
        for r in m.roles.drain(lens.roles..) {
            self.names.roles.remove(r.as_str());
        }
        for a in m.attributes.drain(lens.attributes..) {
            self.names.attrs.remove(a.name.as_str());
        }
    }

    /// Whether `s` can be added (see the module's documentation).
    fn supports(&self, s: &ast::Stmt, last: bool) -> Result<(), Unsupported> {
        let (roles, conds): (Vec<&str>, Vec<&ast::Condition>) = match &s.kind {
            StmtKind::Timezone(_)
            | StmtKind::Org(_)
            | StmtKind::Group(_)
            | StmtKind::Attribute(_) => return Err(Unsupported("a declaration")),
            StmtKind::SuperAdminChange(_) => return Err(Unsupported("a super-admin change")),
            StmtKind::PartnerGrant(g) => (vec![g.role.value.as_str()], g.when.iter().collect()),
            StmtKind::Invite(i) => (vec![i.role.value.as_str()], Vec::new()),
            StmtKind::OwnRule(r) => (Vec::new(), r.when.iter().collect()),
            StmtKind::EmployeeRule(r) => (Vec::new(), r.when.iter().collect()),
            StmtKind::Forbid(f) => (Vec::new(), f.when.iter().collect()),
            _ => return Ok(()),
        };
        if last {
            return Ok(());
        }
        if roles.iter().any(|r| !self.names.roles.contains_key(*r)) {
            return Err(Unsupported(
                "a new signatory role before the end of the set",
            ));
        }
        let mut attrs = Vec::new();
        for c in conds {
            attributes(&c.expr, &mut attrs);
        }
        let known = |name: &str| {
            self.names.attrs.get(name).is_some_and(|a| {
                !self.names.attrs_declared
                    || self
                        .model
                        .attributes
                        .get(a.index())
                        .is_some_and(|x| x.ty.is_some())
            })
        };
        if attrs.iter().any(|a| !known(a)) {
            return Err(Unsupported(
                "an attribute not declared or not used before, before the end of the set",
            ));
        }
        Ok(())
    }

    fn lens(&self) -> Lens {
        let m = &self.model;
        Lens {
            seal_rules: m.seal_rules.len(),
            employee_rules: m.employee_rules.len(),
            forbids: m.forbids.len(),
            invites: m.invites.len(),
            roles: m.roles.len(),
            attributes: m.attributes.len(),
        }
    }

    fn len_of(&self, kind: Kind) -> usize {
        let m = &self.model;
        match kind {
            Kind::Employee => m.employee_rules.len(),
            Kind::Forbid => m.forbids.len(),
            Kind::Invite => m.invites.len(),
        }
    }

    /// Where a statement at `span` goes among the others of its kind (all
    /// but the last, which it is), in source order.
    fn place_of(&self, kind: Kind, span: Span) -> usize {
        let m = &self.model;
        let at = place(span);
        let n = self.len_of(kind).saturating_sub(1);
        match kind {
            Kind::Employee => m
                .employee_rules
                .get(..n)
                .map_or(0, |v| v.partition_point(|r| place(r.span) < at)),
            Kind::Forbid => m
                .forbids
                .get(..n)
                .map_or(0, |v| v.partition_point(|r| place(r.span) < at)),
            Kind::Invite => m
                .invites
                .get(..n)
                .map_or(0, |v| v.partition_point(|r| place(r.span) < at)),
        }
    }

    /// Moves the rule or invite of `kind` at index `from` to index `to`,
    /// renumbering what names them (labels; a grant's invite).
    fn relocate(&mut self, kind: Kind, from: usize, to: usize) {
        if from == to {
            return;
        }
        // Index `i` before the move is this after it.
        let map = move |i: usize| -> usize {
            if i == from {
                to
            } else if from < to && i > from && i <= to {
                i - 1
            } else if to < from && i >= to && i < from {
                i + 1
            } else {
                i
            }
        };
        fn shift<T>(v: &mut [T], from: usize, to: usize) {
            if from < to {
                if let Some(part) = v.get_mut(from..=to) {
                    part.rotate_left(1);
                }
            } else if let Some(part) = v.get_mut(to..=from) {
                part.rotate_right(1);
            }
        }
        let m = &mut self.model;
        match kind {
            Kind::Employee => {
                shift(&mut m.employee_rules, from, to);
                self.labels.renumber(|l| match l {
                    Labelled::EmployeeRule(id) => {
                        Labelled::EmployeeRule(EmployeeRuleId::from_index(map(id.index())))
                    }
                    other => other,
                });
            }
            Kind::Forbid => {
                shift(&mut m.forbids, from, to);
                self.labels.renumber(|l| match l {
                    Labelled::Forbid(id) => Labelled::Forbid(ForbidId::from_index(map(id.index()))),
                    other => other,
                });
            }
            Kind::Invite => {
                shift(&mut m.invites, from, to);
                shift(&mut self.accepted, from, to);
                self.labels.renumber(|l| match l {
                    Labelled::Invite(id) => Labelled::Invite(InviteId::from_index(map(id.index()))),
                    other => other,
                });
                for r in &mut m.seal_rules {
                    if let SealRuleKind::Partner { role, via: Some(v) } = r.kind {
                        r.kind = SealRuleKind::Partner {
                            role,
                            via: Some(InviteId::from_index(map(v.index()))),
                        };
                    }
                }
            }
        }
    }
}

/// The attributes a condition names.
fn attributes<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
    match e {
        Expr::Or(parts) | Expr::And(parts) => parts.iter().for_each(|p| attributes(p, out)),
        Expr::Not(inner) | Expr::Paren(inner) => attributes(inner, out),
        Expr::Cmp { attr, .. } | Expr::In { attr, .. } => out.push(attr.name.as_str()),
    }
}

/// The rules whose whole-set checks run again.
#[derive(Default)]
struct Relint {
    seal_rules: Vec<SealRuleId>,
    employee_rules: Vec<EmployeeRuleId>,
    /// The forbids that came or changed: besides their own checks, the
    /// "never seals" of every seal rule in one of their scopes is looked
    /// at again (only a forbid that may block a rule bears on it; see
    /// `Blockers::candidates`).
    forbids: Vec<ForbidId>,
    /// What was changed of the "never applies" marks.
    never_apply: Vec<((FileId, u32), bool)>,
}

impl Checker<'_> {
    /// The duplicate warnings of new rule `s`, written at `at`: at `s` if
    /// a rule written before says the same; if it is written before all
    /// of those, at each of them, naming `s` as the first.
    fn duplicates_of(&mut self, s: &ast::Stmt, at: StmtRef, files: &[&FileAst], out: &mut Added) {
        let class = self.env.meanings.add(at, s, files);
        let stmts: Vec<&ast::Stmt> = class.iter().filter_map(|r| r.stmt(files)).collect();
        let Some(first) = stmts.first() else { return };
        let name =
            |x: &ast::Stmt| self.rule_name(x.label.as_ref().map(|l| l.name.as_str()), x.span);
        if place(first.span) < place(s.span) {
            out.added.push((
                (s.span.file, s.span.start, RANK_DUPLICATE),
                CheckWarning::DuplicateRule {
                    first: name(first),
                    span: s.span,
                },
            ));
        } else {
            let first = name(s);
            for o in stmts.iter().skip(1) {
                let key = (o.span.file, o.span.start, RANK_DUPLICATE);
                out.removed.push(key);
                out.added.push((
                    key,
                    CheckWarning::DuplicateRule {
                        first: first.clone(),
                        span: o.span,
                    },
                ));
            }
        }
    }

    /// Runs the whole-set checks again for the rules of `r`: their old
    /// warnings are dropped, their new ones added.
    fn relint(&mut self, r: &mut Relint, out: &mut Added) {
        let mut marks = Vec::new();
        let mut ids = r.seal_rules.clone();
        ids.sort_unstable();
        ids.dedup();
        let mut spans = Vec::new();
        for id in &ids {
            if let Some(rule) = self.env.model.seal_rules.get(id.index()) {
                spans.push(rule.span);
            }
        }
        for id in &r.employee_rules {
            if let Some(rule) = self.env.model.employee_rules.get(id.index()) {
                spans.push(rule.span);
            }
        }
        for id in &r.forbids {
            if let Some(rule) = self.env.model.forbids.get(id.index()) {
                spans.push(rule.span);
            }
        }
        // Never applies: the mark first, then the warning.
        for span in &spans {
            let key = place(*span);
            if self.env.accepted_late.contains(&key) {
                continue;
            }
            marks.push((key, self.env.never_apply.remove(&key)));
            out.removed.push((key.0, key.1, RANK_NEVER_APPLIES));
        }
        let m = &self.env.model;
        let rules = ids
            .iter()
            .filter_map(|id| m.seal_rules.get(id.index()).map(Rule::Seal))
            .chain(
                r.employee_rules
                    .iter()
                    .filter_map(|id| m.employee_rules.get(id.index()).map(Rule::Employee)),
            )
            .chain(
                r.forbids
                    .iter()
                    .filter_map(|id| m.forbids.get(id.index()).map(Rule::Forbid)),
            );
        let mut found = Vec::new();
        for rule in rules {
            let span = rule.span();
            if self.env.never_apply.contains(&place(span)) {
                continue;
            }
            if let Some(reason) = never_applies(&self.env, rule) {
                found.push((self.rule_name(rule.label(), span), span, reason));
            }
        }
        for (rule, span, reason) in found {
            self.env.never_apply.insert(place(span));
            out.added.push((
                (span.file, span.start, RANK_NEVER_APPLIES),
                CheckWarning::NeverApplies {
                    rule,
                    why: reason,
                    span,
                },
            ));
        }
        // Never seals.
        let blockers = Blockers::new(&self.env.model);
        let in_scope: Vec<SealRuleId>;
        let forbids: Vec<&Forbid> = r
            .forbids
            .iter()
            .filter_map(|id| self.env.model.forbids.get(id.index()))
            .collect();
        let seal_ids: &[SealRuleId] = if forbids.is_empty() {
            &ids
        } else {
            let mut more: Vec<SealRuleId> = self
                .env
                .model
                .seal_rules
                .iter()
                .enumerate()
                .filter(|(_, rule)| {
                    forbids
                        .iter()
                        .any(|f| f.scope_covers(rule.signer, rule.template))
                })
                .map(|(i, _)| SealRuleId::from_index(i))
                .collect();
            more.extend_from_slice(&ids);
            more.sort_unstable();
            more.dedup();
            in_scope = more;
            &in_scope
        };
        for id in seal_ids {
            let Some(rule) = self.env.model.seal_rules.get(id.index()) else {
                continue;
            };
            let key = (rule.span.file, rule.span.start, RANK_NEVER_SEALS);
            out.removed.push(key);
            if blockers.is_empty() {
                continue;
            }
            if let Some(w) = self.never_seals_warning(&blockers, rule) {
                out.added.push((key, w));
            }
        }
        r.never_apply.extend(marks);
    }
}
