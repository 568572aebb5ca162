//! `diff`: what changes between two policy sets, and when.
//!
//! Over the whole timeline (cli.md): every instant at which either set
//! changes is a point to compare, and each difference is reported with the
//! interval where it holds (`from`, `until` exclusive; consecutive instants
//! with the same difference make one interval). With one instant (`--at`)
//! only that instant is compared.
//!
//! Two kinds of differences are reported:
//!
//! - **Rules as written.** A rule of the old set is matched with the rule
//!   of the new set that has the same label, else the same text (what it
//!   says, compared by value: times as instants, conditions written
//!   canonically, `100_000` equal to `100000`). Unmatched rules are
//!   `removed` or `added`; matched rules whose conditions differ are
//!   `condition_changed` where both are in force; a matched forbid in force
//!   in one set only is `gained` or `lost` there.
//! - **Decisions.** Each auto-seal key (signer, template, signatory) with a
//!   rule in either set is decided in both, without attributes, as `who`
//!   decides it; each employee authorization key (employee, template, on
//!   behalf of) is looked up in both. A key that seals in one set and not
//!   in the other is `gained` or `lost` (with the deciding reason of the
//!   side that does not seal), one that seals with another seal is
//!   `seal_changed`. A key that seals only when attributes meet a condition
//!   counts as sealing, with the seal it would use: how its condition
//!   changed shows among the rules.
//!
//! A key is compared only at the instants it depends on (its rules'
//! windows, revokes and reseals, its seals', template's and signer's
//! switches, the forbids that could match it, the authorizations that pick
//! its initiator), never at every instant of the set: a set of 10,000
//! grants compared with itself takes well under a second.

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::compile::Policy;
use crate::decision::{Outcome as Decided, ReasonCode};
use crate::model::*;
use crate::request::Request;
use crate::time::Instant;

/// The difference of two policy sets (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// The one instant compared (`--at`); `None` over the whole timeline.
    pub at: Option<String>,
    /// The instants compared: with `at`, that one; else every instant at
    /// which either set changes, in order (the stretch of time before the
    /// first is compared too).
    pub instants: Vec<String>,
    /// Every difference, in a stable order.
    pub changes: Vec<DiffEntry>,
}

/// One difference between two policy sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffEntry {
    /// Rules as written: `removed`, `added`, `condition_changed`, and
    /// `gained` or `lost` for a forbid in force in one set only.
    /// Decisions: `gained`, `lost` or `seal_changed`.
    pub change: ChangeKind,
    /// `own_template`, `partner_grant`, `employee` or `forbid`.
    pub kind: RuleKind,
    /// The rule (its label, else `file:line`), for a difference of rules
    /// as written; `None` for a decision's.
    pub rule: Option<String>,
    /// The signer's org.
    pub signer: Option<String>,
    /// The template.
    pub template: Option<String>,
    /// The signatory role, for a partner grant.
    pub signatory: Option<String>,
    /// The employee, for an employee authorization.
    pub employee: Option<String>,
    /// The seal before and after (for a forbid, the kind of seal it
    /// blocks: `kind official`).
    pub old_seal: Option<String>,
    /// The seal after.
    pub new_seal: Option<String>,
    /// The conditions before and after, written canonically
    /// (`amount <= 100000`); `None` for no condition.
    pub old_condition: Option<String>,
    /// The condition after.
    pub new_condition: Option<String>,
    /// Why a key has no seal on the side that does not seal (the deciding
    /// reason there), for `gained` and `lost` of a decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<ReasonCode>,
    /// Where the difference holds.
    #[serde(flatten)]
    pub when: When,
}

/// What a [`DiffEntry`] says changed (in JSON, its `snake_case` name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A rule as written is in the old set only.
    Removed,
    /// A rule as written is in the new set only.
    Added,
    /// A rule in both sets, in force in both, with another condition.
    ConditionChanged,
    /// A key seals (an employee is authorized, a forbid is in force) in
    /// the new set only.
    Gained,
    /// A key seals (an employee is authorized, a forbid is in force) in
    /// the old set only.
    Lost,
    /// A key seals in both sets, with another seal.
    SealChanged,
}

impl ChangeKind {
    /// The `snake_case` name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Removed => "removed",
            ChangeKind::Added => "added",
            ChangeKind::ConditionChanged => "condition_changed",
            ChangeKind::Gained => "gained",
            ChangeKind::Lost => "lost",
            ChangeKind::SealChanged => "seal_changed",
        }
    }
}

/// Pads like a string (`{:<17}`).
impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// The kind of rule (or, for a decision, of key) a [`DiffEntry`] is
/// about (in JSON, its `snake_case` name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// An auto-sign template rule (`ORG auto-signs template ...`).
    OwnTemplate,
    /// A partner grant.
    PartnerGrant,
    /// An employee authorization.
    Employee,
    /// A forbid.
    Forbid,
}

impl RuleKind {
    /// The `snake_case` name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::OwnTemplate => "own_template",
            RuleKind::PartnerGrant => "partner_grant",
            RuleKind::Employee => "employee",
            RuleKind::Forbid => "forbid",
        }
    }
}

/// Pads like a string (`{:<13}`).
impl std::fmt::Display for RuleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where a difference holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum When {
    /// At the one instant compared.
    At {
        /// That instant.
        at: String,
    },
    /// From `from` (`None`: from the beginning of time) until just before
    /// `until` (`None`: for ever).
    Interval {
        /// The first instant it holds; `None`: from the beginning of time.
        from: Option<String>,
        /// The first instant it no longer holds; `None`: for ever.
        until: Option<String>,
    },
}

/// One instant, or the whole timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    At(Instant),
    Timeline,
}

/// A difference of one key at a point, before it is placed in time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    change: ChangeKind,
    old_seal: Option<String>,
    new_seal: Option<String>,
    old_condition: Option<String>,
    new_condition: Option<String>,
    reason: Option<ReasonCode>,
}

/// Where a key's change holds: `[from, until)`.
type Stretch = (Instant, Instant);

/// The changes of one key over its points. `points` are the instants at
/// which either side may change (sorted or not; `Instant::MIN` and
/// `Instant::MAX`, "no start" and "no end", are not points); between two
/// of them `change` gives the same answer. Over the timeline, the stretch
/// before the first point is a point too, and neighbours with the same
/// change are merged.
fn over_time<C: PartialEq>(
    mode: Mode,
    points: &mut Vec<Instant>,
    mut change: impl FnMut(Instant) -> Option<C>,
) -> Vec<(C, Stretch)> {
    let mut out: Vec<(C, Stretch)> = Vec::new();
    match mode {
        Mode::At(t) => {
            if let Some(c) = change(t) {
                out.push((c, (t, t)));
            }
        }
        Mode::Timeline => {
            points.retain(|&t| t != Instant::MIN && t != Instant::MAX);
            points.sort_unstable();
            points.dedup();
            let starts = std::iter::once(Instant::MIN).chain(points.iter().copied());
            let ends = points.iter().copied().chain(std::iter::once(Instant::MAX));
            for (from, until) in starts.zip(ends) {
                let Some(c) = change(from) else {
                    continue;
                };
                match out.last_mut() {
                    Some((last, span)) if span.1 == from && *last == c => span.1 = until,
                    _ => out.push((c, (from, until))),
                }
            }
        }
    }
    out
}

/// A window's instants: where whether it is in force may change.
fn window_points(w: &Window, out: &mut Vec<Instant>) {
    out.extend([w.start(), w.end(), w.revoked_at()]);
}

fn toggle_points(ts: &[Toggle], out: &mut Vec<Instant>) {
    out.extend(ts.iter().map(|t| t.stamp.at));
}

/// A rule as written, to match across the two sets.
#[derive(Debug, Clone)]
struct Written {
    kind: RuleKind,
    label: Option<String>,
    name: String,
    /// What it says but its label, by value: two rules that say the same
    /// have the same text.
    text: String,
    /// What a forbid applies to (signer, template, kind): a forbid matched
    /// by label but scoped otherwise is another forbid.
    scope: String,
    cond: Option<String>,
    /// In force over `[start, stop)`.
    start: Instant,
    stop: Instant,
    signer: Option<String>,
    template: Option<String>,
    signatory: Option<String>,
    employee: Option<String>,
    seal: Option<String>,
    order: (Option<std::path::PathBuf>, u32),
}

impl Written {
    fn covers(&self, t: Instant) -> bool {
        self.start <= t && t < self.stop
    }
}

/// An instant as `text` writes it: by value.
fn at_value(t: Instant) -> String {
    match t {
        Instant::MIN => String::from("-"),
        Instant::MAX => String::from("+"),
        t => t.0.to_string(),
    }
}

/// A condition written canonically: `and`, `or` and `not` with the
/// parentheses their precedence needs and no others, numbers by value
/// (`100_000` and `100000.00` are `100000`), strings with their escapes.
pub(crate) fn condition_text(p: &Policy, c: &Condition) -> String {
    let mut out = String::new();
    if let Some(root) = c.nodes.len().checked_sub(1) {
        cond_node(p, &c.nodes, root, 0, &mut out);
    }
    out
}

/// Precedence: `or` 1, `and` 2, `not` 3; a child of lower precedence than
/// its parent is parenthesized.
fn cond_node(p: &Policy, nodes: &[CondNode], i: usize, parent: u8, out: &mut String) {
    let Some(n) = nodes.get(i) else {
        return;
    };
    match n {
        CondNode::Or(ids) | CondNode::And(ids) => {
            let (prec, sep) = if matches!(n, CondNode::Or(_)) {
                (1, " or ")
            } else {
                (2, " and ")
            };
            let paren = parent > prec;
            if paren {
                out.push('(');
            }
            for (k, id) in ids.iter().enumerate() {
                if k > 0 {
                    out.push_str(sep);
                }
                cond_node(p, nodes, *id as usize, prec, out);
            }
            if paren {
                out.push(')');
            }
        }
        CondNode::Not(x) => {
            out.push_str("not ");
            cond_node(p, nodes, *x as usize, 3, out);
        }
        CondNode::Cmp { attr, op, value } => {
            out.push_str(p.m.attr_name(*attr));
            out.push(' ');
            out.push_str(op.as_str());
            out.push(' ');
            value_text(value, out);
        }
        CondNode::In { attr, values } => {
            out.push_str(p.m.attr_name(*attr));
            out.push_str(" in [");
            for (k, v) in values.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                value_text(v, out);
            }
            out.push(']');
        }
    }
}

fn value_text(v: &Value, out: &mut String) {
    match v {
        Value::Number(d) => out.push_str(&d.normalize().to_string()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Str(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
    }
}

/// A key's answer at an instant, as `who` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Seal(String),
    /// Seals when attributes meet a condition: with this seal, when known.
    Conditional(Option<String>),
    Manual(ReasonCode),
}

impl Outcome {
    fn seal(&self) -> Option<&String> {
        match self {
            Outcome::Seal(s) | Outcome::Conditional(Some(s)) => Some(s),
            Outcome::Conditional(None) | Outcome::Manual(_) => None,
        }
    }
    fn seals(&self) -> bool {
        !matches!(self, Outcome::Manual(_))
    }
}

/// Whether an employee authorization key authorizes at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Auth {
    No,
    Conditional,
    Yes,
}

/// An auto-seal key by names: signer, template, signatory.
type SealKey = (String, String, Option<String>);
/// An employee authorization key by names: employee, the org it initiates
/// for, whether on behalf of it, the template (`None`: every template).
type EmployeeKey = (String, String, bool, Option<String>);
/// The initiator a set decides a template's keys for from an instant on:
/// (tier, on behalf, employee) as `who` ranks them, and the member org.
type Pick = ((u8, bool, String), Option<String>);

/// One of the two sets, with what comparing it needs, worked out once.
struct Side<'a> {
    p: &'a Policy,
    /// Employee authorizations by the org they initiate for.
    by_target: FxHashMap<OrgId, Vec<EmployeeRuleId>>,
    /// By template: who initiates its keys, from which instant on.
    picks: FxHashMap<TemplateId, Vec<(Instant, Pick)>>,
}

impl<'a> Side<'a> {
    fn new(p: &'a Policy) -> Side<'a> {
        let mut by_target: FxHashMap<OrgId, Vec<EmployeeRuleId>> = FxHashMap::default();
        for (i, r) in p.m.employee_rules.iter().enumerate() {
            by_target
                .entry(r.target)
                .or_default()
                .push(EmployeeRuleId::from_index(i));
        }
        Side {
            p,
            by_target,
            picks: FxHashMap::default(),
        }
    }

    /// Who `who` would pick to initiate `tid` from each instant on (see
    /// [`Policy::who_initiator`]): the first by name of the employees
    /// authorized for it then, unconditionally if one is, then at all,
    /// then ever; own before `on behalf of`; else any employee of its org.
    fn picks(&mut self, tid: TemplateId) -> &[(Instant, Pick)] {
        let p = self.p;
        let by_target = &self.by_target;
        self.picks.entry(tid).or_insert_with(|| {
            let Some(org) = p.m.template(tid).map(|t| t.org) else {
                return Vec::new();
            };
            let rules: Vec<&EmployeeRule> = by_target
                .get(&org)
                .into_iter()
                .flatten()
                .filter_map(|id| p.m.employee_rules.get(id.index()))
                .filter(|r| r.template.is_none_or(|t| t == tid))
                .collect();
            let fallback = || {
                p.m.employees
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.org == org)
                    .map(|(i, _)| p.m.employee_name(EmployeeId::from_index(i)))
                    .min()
                    .unwrap_or_default()
            };
            if rules.is_empty() {
                return vec![(Instant::MIN, ((2, false, fallback()), None))];
            }
            let pick_at = |t: Instant| -> Pick {
                let best = rules
                    .iter()
                    .map(|r| {
                        let tier = if !r.window.covers(t) {
                            2
                        } else if r.cond.is_some() {
                            1
                        } else {
                            0
                        };
                        (tier, r.on_behalf, p.m.employee_name(r.employee))
                    })
                    .min()
                    .unwrap_or_default();
                let on_behalf = best.1.then(|| p.m.org_name(org).to_owned());
                (best, on_behalf)
            };
            let mut points = Vec::new();
            for r in &rules {
                window_points(&r.window, &mut points);
            }
            points.retain(|&t| t != Instant::MIN && t != Instant::MAX);
            points.sort_unstable();
            points.dedup();
            let mut out: Vec<(Instant, Pick)> = vec![(Instant::MIN, pick_at(Instant::MIN))];
            for t in points {
                let pick = pick_at(t);
                if out.last().map(|l| &l.1) != Some(&pick) {
                    out.push((t, pick));
                }
            }
            out
        })
    }

    /// The instants at which a key's answer may change in this set (its
    /// template's initiator aside).
    fn seal_key_points(&self, signer: OrgId, tid: TemplateId, out: &mut Vec<Instant>) {
        let p = self.p;
        if let Some(o) = p.m.org(signer) {
            toggle_points(&o.service, out);
        }
        let Some(t) = p.m.template(tid) else {
            return;
        };
        toggle_points(&t.toggles, out);
        let own = t.org == signer;
        let grants = p
            .orgs
            .get(p.m.org_name(signer))
            .map(|(_, s)| s.grants)
            .unwrap_or_default();
        let run = p.rules_for(grants, tid, own);
        let mut kinds = [false; 6];
        for rid in (run.start..run.start.saturating_add(run.len)).map(SealRuleId) {
            let Some(rule) = p.rule_ref(rid) else {
                continue;
            };
            out.extend([rule.start(), rule.end(), rule.revoked_at()]);
            let reseals = rule.extra.map_or(&[][..], |e| e.reseals.as_slice());
            out.extend(reseals.iter().map(|r| r.stamp.at));
            let seals = std::iter::once(rule.row.seal).chain(reseals.iter().map(|r| r.seal));
            for seal in seals.filter_map(|s| p.m.seal(s)) {
                toggle_points(&seal.toggles, out);
                if let Some(k) = kinds.get_mut(crate::compile::kind_index(seal.kind)) {
                    *k = true;
                }
            }
        }
        let scoped = |runs: &[crate::compile::Run], i: usize| {
            runs.get(i)
                .map_or(&[][..], |r| r.slice(&p.forbid_order))
                .to_vec()
        };
        let mut forbids = scoped(&p.forbid_by_template, tid.index());
        forbids.extend(scoped(&p.forbid_by_signer, signer.index()));
        forbids.extend_from_slice(&p.forbid_any);
        for k in crate::ast::SealKind::ALL {
            if kinds.get(crate::compile::kind_index(k)) == Some(&true) {
                forbids.extend_from_slice(p.forbids_for_kind(k));
            }
        }
        for f in forbids.iter().filter_map(|f| p.m.forbids.get(f.index())) {
            window_points(&f.window, out);
        }
    }

    /// A key's answer at `t`, for the initiator picked then.
    fn outcome(&mut self, key: &SealKey, tid: Option<TemplateId>, t: Instant) -> Outcome {
        let (initiator, on_behalf) = match tid {
            Some(tid) => {
                let picks = self.picks(tid);
                let i = picks.partition_point(|(from, _)| *from <= t);
                picks
                    .get(i.saturating_sub(1))
                    .map(|(_, ((_, _, e), o))| (e.clone(), o.clone()))
                    .unwrap_or_default()
            }
            None => Default::default(),
        };
        let p = self.p;
        let req = Request {
            at: t,
            template: key.1.as_str().into(),
            initiator: initiator.into(),
            on_behalf_of: on_behalf.map(Into::into),
            signer: key.0.as_str().into(),
            signatory: key.2.as_deref().map(Into::into),
            attributes: Vec::new(),
            id: None,
        };
        let reason = match p.decide(&req).outcome {
            Decided::AutoSeal { seal, .. } => return Outcome::Seal(p.m.seal_name(seal)),
            Decided::Manual(r) => r.code(),
        };
        // Only these may wait on attributes (see `Policy::who`).
        if matches!(
            reason,
            ReasonCode::AttributeMissing
                | ReasonCode::Forbidden
                | ReasonCode::InitiatorNotAuthorized
        ) {
            let e = p.explain(&req);
            if p.when_conditions_hold(&e) {
                let (_, would) = p.when_conditions(&e, true, &req);
                return Outcome::Conditional(would.map(|(seal, _)| seal));
            }
        }
        Outcome::Manual(reason)
    }

    /// Every rule as written.
    fn written(&self) -> Vec<Written> {
        let p = self.p;
        let m = &p.m;
        let cond = |c: Option<&Condition>| c.map(|c| condition_text(p, c));
        let mut out = Vec::new();
        for (id, r) in p.seal_rules() {
            let c = cond(r.cond.as_deref());
            let (kind, role, head) = match r.kind {
                SealRuleKind::Own => (
                    RuleKind::OwnTemplate,
                    None,
                    format!("{} auto-signs template", m.org_name(r.signer)),
                ),
                SealRuleKind::Partner { role, via } => {
                    let via = via
                        .and_then(|i| m.invites.get(i.index()))
                        .map(|i| i.label.as_str())
                        .unwrap_or("-");
                    (
                        RuleKind::PartnerGrant,
                        Some(m.role_name(role).to_owned()),
                        format!(
                            "partner {} authorizes via {via} as signatory {:?}, template",
                            m.org_name(r.signer),
                            m.role_name(role)
                        ),
                    )
                }
            };
            let text = format!(
                "{head} {} with seal {} from {} until {} when {}",
                m.template_name(r.template),
                m.seal_name(r.seal),
                at_value(r.window.start()),
                at_value(r.window.end()),
                c.as_deref().unwrap_or("-")
            );
            out.push(Written {
                kind,
                label: r.label.as_deref().map(str::to_owned),
                name: p.seal_rule_name(id),
                text,
                scope: String::new(),
                cond: c,
                start: r.window.start(),
                stop: r.window.stop(),
                signer: Some(m.org_name(r.signer).to_owned()),
                template: Some(m.template_name(r.template)),
                signatory: role,
                employee: None,
                seal: Some(m.seal_name(r.seal)),
                order: p.lines.order_key(r.span),
            });
        }
        for (i, r) in m.employee_rules.iter().enumerate() {
            let c = cond(r.cond.as_ref());
            let template = r.template.map(|t| m.template_name(t));
            let behalf = r.on_behalf.then(|| m.org_name(r.target).to_owned());
            let text = format!(
                "employee {} may initiate auto-sign for template {} on behalf of {} from {} until {} when {}",
                m.employee_name(r.employee),
                template.as_deref().unwrap_or("-"),
                behalf.as_deref().unwrap_or("-"),
                at_value(r.window.start()),
                at_value(r.window.end()),
                c.as_deref().unwrap_or("-")
            );
            out.push(Written {
                kind: RuleKind::Employee,
                label: r.label.clone(),
                name: p.employee_rule_name(EmployeeRuleId::from_index(i)),
                text,
                scope: String::new(),
                cond: c,
                start: r.window.start(),
                stop: r.window.stop(),
                signer: behalf,
                template,
                signatory: None,
                employee: Some(m.employee_name(r.employee)),
                seal: None,
                order: p.lines.order_key(r.span),
            });
        }
        for (i, f) in m.forbids.iter().enumerate() {
            let c = cond(f.cond.as_ref());
            let signer = f.signer.map(|s| m.org_name(s).to_owned());
            let template = f.template.map(|t| m.template_name(t));
            let seal = f.kind.map(|k| format!("kind {}", k.as_str()));
            let scope = format!(
                "forbid auto-sign for signer {} for template {} with seal {}",
                signer.as_deref().unwrap_or("-"),
                template.as_deref().unwrap_or("-"),
                seal.as_deref().unwrap_or("-"),
            );
            let text = format!(
                "{scope} from {} until {} when {}",
                at_value(f.window.start()),
                at_value(f.window.end()),
                c.as_deref().unwrap_or("-")
            );
            out.push(Written {
                kind: RuleKind::Forbid,
                label: f.label.clone(),
                name: p.forbid_name(ForbidId::from_index(i)),
                text,
                scope,
                cond: c,
                start: f.window.start(),
                stop: f.window.stop(),
                signer,
                template,
                signatory: None,
                employee: None,
                seal,
                order: p.lines.order_key(f.span),
            });
        }
        out.sort_by(|a, b| a.order.cmp(&b.order));
        out
    }

    /// Every instant at which the set changes, with the offset it was
    /// written in.
    fn instants(&self, out: &mut Vec<(Instant, chrono::FixedOffset)>) {
        let p = self.p;
        let m = &p.m;
        let mut stamp = |s: Option<&Stamp>| {
            if let Some(s) = s {
                out.push((s.at, s.tz));
            }
        };
        let window = |w: &Window, stamp: &mut dyn FnMut(Option<&Stamp>)| {
            stamp(w.from.as_ref());
            stamp(w.until.as_ref());
            stamp(w.revoked.as_ref().map(|r| &r.stamp));
        };
        for t in m.orgs.iter().flat_map(|o| o.service.iter()) {
            stamp(Some(&t.stamp));
        }
        for t in m.seals.iter().flat_map(|s| s.toggles.iter()) {
            stamp(Some(&t.stamp));
        }
        for t in m.templates.iter().flat_map(|t| t.toggles.iter()) {
            stamp(Some(&t.stamp));
        }
        for (_, r) in p.seal_rules() {
            window(&r.window, &mut stamp);
            for x in &r.reseals {
                stamp(Some(&x.stamp));
            }
        }
        for r in &m.employee_rules {
            window(&r.window, &mut stamp);
        }
        for f in &m.forbids {
            window(&f.window, &mut stamp);
        }
    }
}

impl Policy {
    /// What changes from `self` (old) to `new`: over the whole timeline,
    /// or at the one instant `at` (see the [module documentation](self)).
    pub fn diff(&self, new: &Policy, at: Option<Instant>) -> Diff {
        let mode = at.map_or(Mode::Timeline, Mode::At);
        let mut old = Side::new(self);
        let mut newer = Side::new(new);
        let mut stamps = Vec::new();
        old.instants(&mut stamps);
        newer.instants(&mut stamps);
        stamps.retain(|(t, _)| *t != Instant::MIN && *t != Instant::MAX);
        stamps.sort_by_key(|(t, _)| *t);
        stamps.dedup_by_key(|(t, _)| *t);
        let tz = self.time_zone.or(new.time_zone);
        let show = |t: Instant| -> String {
            let written = stamps
                .binary_search_by_key(&t, |(s, _)| *s)
                .ok()
                .and_then(|i| stamps.get(i))
                .map(|(_, z)| *z);
            let zone = tz
                .or(written)
                .unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc));
            t.display(zone)
        };
        let when = |(from, until): Stretch| match mode {
            Mode::At(t) => When::At { at: show(t) },
            Mode::Timeline => When::Interval {
                from: (from != Instant::MIN).then(|| show(from)),
                until: (until != Instant::MAX).then(|| show(until)),
            },
        };
        let mut changes = written_changes(&old, &newer, mode, &when);
        changes.extend(employee_changes(&old, &newer, mode, &when));
        changes.extend(seal_changes(&mut old, &mut newer, mode, &when));
        Diff {
            at: at.map(show),
            instants: match at {
                Some(t) => vec![show(t)],
                None => stamps.iter().map(|(t, _)| show(*t)).collect(),
            },
            changes,
        }
    }
}

/// Rules as written: matched by label, else by text.
fn written_changes(
    old: &Side<'_>,
    new: &Side<'_>,
    mode: Mode,
    when: &dyn Fn(Stretch) -> When,
) -> Vec<DiffEntry> {
    let (olds, news) = (old.written(), new.written());
    let mut new_taken = vec![false; news.len()];
    let mut by_label: FxHashMap<(RuleKind, &str), usize> = FxHashMap::default();
    for (j, n) in news.iter().enumerate() {
        if let Some(l) = &n.label {
            by_label.insert((n.kind, l.as_str()), j);
        }
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut old_left = Vec::new();
    for (i, o) in olds.iter().enumerate() {
        let by = o
            .label
            .as_deref()
            .and_then(|l| by_label.get(&(o.kind, l)).copied())
            .filter(|&j| news.get(j).is_some_and(|n| n.scope == o.scope));
        match by {
            Some(j) => {
                if let Some(t) = new_taken.get_mut(j) {
                    *t = true;
                }
                pairs.push((i, j));
            }
            None => old_left.push(i),
        }
    }
    // The rest by text, in file order.
    let mut by_text: FxHashMap<&str, std::collections::VecDeque<usize>> = FxHashMap::default();
    for (j, n) in news.iter().enumerate() {
        if !new_taken.get(j).copied().unwrap_or(true) {
            by_text.entry(n.text.as_str()).or_default().push_back(j);
        }
    }
    let mut removed = Vec::new();
    for i in old_left {
        let Some(o) = olds.get(i) else {
            continue;
        };
        match by_text.get_mut(o.text.as_str()).and_then(|q| q.pop_front()) {
            Some(j) => {
                if let Some(t) = new_taken.get_mut(j) {
                    *t = true;
                }
                pairs.push((i, j));
            }
            None => removed.push(i),
        }
    }
    pairs.sort_unstable();

    let entry = |w: &Written, c: Change, span: Stretch| DiffEntry {
        change: c.change,
        kind: w.kind,
        rule: Some(w.name.clone()),
        signer: w.signer.clone(),
        template: w.template.clone(),
        signatory: w.signatory.clone(),
        employee: w.employee.clone(),
        old_seal: c.old_seal,
        new_seal: c.new_seal,
        old_condition: c.old_condition,
        new_condition: c.new_condition,
        reason: None,
        when: when(span),
    };
    // Removed and added: where the rule is in force; one that never is
    // shows with the empty interval at its start.
    let alone = |w: &Written, removed: bool| -> Option<DiffEntry> {
        let c = Change {
            change: if removed {
                ChangeKind::Removed
            } else {
                ChangeKind::Added
            },
            old_seal: w.seal.clone().filter(|_| removed),
            new_seal: w.seal.clone().filter(|_| !removed),
            old_condition: w.cond.clone().filter(|_| removed),
            new_condition: w.cond.clone().filter(|_| !removed),
            reason: None,
        };
        match mode {
            Mode::At(t) => w.covers(t).then(|| entry(w, c, (t, t))),
            Mode::Timeline => Some(entry(w, c, (w.start, w.stop.max(w.start)))),
        }
    };
    let mut out: Vec<DiffEntry> = removed
        .iter()
        .filter_map(|&i| olds.get(i))
        .filter_map(|o| alone(o, true))
        .collect();
    for (i, j) in pairs {
        let (Some(o), Some(n)) = (olds.get(i), news.get(j)) else {
            continue;
        };
        let mut points = vec![o.start, o.stop, n.start, n.stop];
        let changed = o.cond != n.cond;
        let forbid = o.kind == RuleKind::Forbid;
        if !changed && !forbid {
            continue;
        }
        let found = over_time(mode, &mut points, |t| {
            let (a, b) = (o.covers(t), n.covers(t));
            let change = match (a, b) {
                (true, true) if changed => ChangeKind::ConditionChanged,
                (true, false) if forbid => ChangeKind::Lost,
                (false, true) if forbid => ChangeKind::Gained,
                _ => return None,
            };
            Some(Change {
                change,
                old_seal: o.seal.clone().filter(|_| a),
                new_seal: n.seal.clone().filter(|_| b),
                old_condition: o.cond.clone().filter(|_| a),
                new_condition: n.cond.clone().filter(|_| b),
                reason: None,
            })
        });
        out.extend(found.into_iter().map(|(c, span)| entry(n, c, span)));
    }
    out.extend(
        news.iter()
            .zip(&new_taken)
            .filter(|(_, taken)| !**taken)
            .filter_map(|(n, _)| alone(n, false)),
    );
    out
}

/// Employee authorizations: each (employee, org, on behalf, template)
/// authorized in one set and not in the other.
fn employee_changes(
    old: &Side<'_>,
    new: &Side<'_>,
    mode: Mode,
    when: &dyn Fn(Stretch) -> When,
) -> Vec<DiffEntry> {
    let key_of = |p: &Policy, r: &EmployeeRule| -> EmployeeKey {
        (
            p.m.employee_name(r.employee),
            p.m.org_name(r.target).to_owned(),
            r.on_behalf,
            r.template.map(|t| p.m.template_name(t)),
        )
    };
    let mut keys: Vec<EmployeeKey> = Vec::new();
    for side in [old, new] {
        keys.extend(side.p.m.employee_rules.iter().map(|r| key_of(side.p, r)));
    }
    keys.sort();
    keys.dedup();
    let auth = |rules: &[&EmployeeRule], t: Instant| {
        rules
            .iter()
            .filter(|r| r.window.covers(t))
            .map(|r| {
                if r.cond.is_some() {
                    Auth::Conditional
                } else {
                    Auth::Yes
                }
            })
            .max()
            .unwrap_or(Auth::No)
    };
    let mut out = Vec::new();
    for key in keys {
        let (o, n) = (key_rules(old, &key), key_rules(new, &key));
        let mut points = Vec::new();
        for r in o.iter().chain(&n) {
            window_points(&r.window, &mut points);
        }
        let found = over_time(mode, &mut points, |t| {
            let change = match (auth(&o, t), auth(&n, t)) {
                (Auth::No, Auth::No) => return None,
                (_, Auth::No) => ChangeKind::Lost,
                (Auth::No, _) => ChangeKind::Gained,
                _ => return None,
            };
            Some(change)
        });
        for (change, span) in found {
            out.push(DiffEntry {
                change,
                kind: RuleKind::Employee,
                rule: None,
                signer: key.2.then(|| key.1.clone()),
                template: key.3.clone(),
                signatory: None,
                employee: Some(key.0.clone()),
                old_seal: None,
                new_seal: None,
                old_condition: None,
                new_condition: None,
                reason: None,
                when: when(span),
            });
        }
    }
    out
}

/// The rules that bear on an employee authorization key: its employee's
/// for that org, on behalf or not, for every template or (when the key
/// names one) that template.
fn key_rules<'a>(side: &Side<'a>, key: &EmployeeKey) -> Vec<&'a EmployeeRule> {
    let p = side.p;
    let (Some(emp), Some(org)) = (p.employee_id(&key.0), p.org_id(&key.1)) else {
        return Vec::new();
    };
    let tid = key.3.as_deref().map(|t| p.template_id(t));
    side.by_target
        .get(&org)
        .into_iter()
        .flatten()
        .filter_map(|id| p.m.employee_rules.get(id.index()))
        .filter(|r| r.employee == emp && r.on_behalf == key.2)
        .filter(|r| match (r.template, tid) {
            (None, _) => true,
            (Some(t), Some(Some(k))) => t == k,
            _ => false,
        })
        .collect()
}

/// Auto-seal keys: each (signer, template, signatory) with a rule in
/// either set, decided in both.
fn seal_changes<'a>(
    old: &mut Side<'a>,
    new: &mut Side<'a>,
    mode: Mode,
    when: &dyn Fn(Stretch) -> When,
) -> Vec<DiffEntry> {
    let mut keys: Vec<SealKey> = Vec::new();
    for side in [&*old, &*new] {
        let p = side.p;
        keys.extend(p.seal_rules().map(|(_, r)| {
            let role = match r.kind {
                SealRuleKind::Own => None,
                SealRuleKind::Partner { role, .. } => Some(p.m.role_name(role).to_owned()),
            };
            (
                p.m.org_name(r.signer).to_owned(),
                p.m.template_name(r.template),
                role,
            )
        }));
    }
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let mut points = Vec::new();
        let mut ids = [None, None];
        for (side, id) in [&mut *old, &mut *new].into_iter().zip(&mut ids) {
            let p = side.p;
            let (Some(signer), Some(tid)) = (p.org_id(&key.0), p.template_id(&key.1)) else {
                continue;
            };
            *id = Some(tid);
            side.seal_key_points(signer, tid, &mut points);
            points.extend(side.picks(tid).iter().map(|(t, _)| *t));
        }
        let found = over_time(mode, &mut points, |t| {
            let o = old.outcome(&key, ids[0], t);
            let n = new.outcome(&key, ids[1], t);
            let (change, reason) = match (o.seals(), n.seals()) {
                (true, false) => (ChangeKind::Lost, n_reason(&n)),
                (false, true) => (ChangeKind::Gained, n_reason(&o)),
                (true, true) => match (o.seal(), n.seal()) {
                    (Some(a), Some(b)) if a != b => (ChangeKind::SealChanged, None),
                    _ => return None,
                },
                (false, false) => return None,
            };
            Some(Change {
                change,
                old_seal: o.seal().cloned(),
                new_seal: n.seal().cloned(),
                old_condition: None,
                new_condition: None,
                reason,
            })
        });
        for (c, span) in found {
            out.push(DiffEntry {
                change: c.change,
                kind: if key.2.is_some() {
                    RuleKind::PartnerGrant
                } else {
                    RuleKind::OwnTemplate
                },
                rule: None,
                signer: Some(key.0.clone()),
                template: Some(key.1.clone()),
                signatory: key.2.clone(),
                employee: None,
                old_seal: c.old_seal,
                new_seal: c.new_seal,
                old_condition: None,
                new_condition: None,
                reason: c.reason,
                when: when(span),
            });
        }
    }
    out
}

/// The deciding reason of a side that does not seal.
fn n_reason(o: &Outcome) -> Option<ReasonCode> {
    match o {
        Outcome::Manual(r) => Some(*r),
        _ => None,
    }
}
