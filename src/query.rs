//! Questions about a policy set as a whole: which templates an employee can
//! use, who would auto-seal a template, what is in force, what changed.
//! These are reports, not the hot path: they may walk every rule.

use compact_str::CompactString;
use serde::Serialize;

use crate::compile::Policy;
use crate::decision::{Basis, InitiatorMiss, Reason, ReasonCode, RenderedReason};
use crate::model::*;
use crate::request::Request;
use crate::time::Instant;

/// A name a query was given that the policy set does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("unknown {what} `{name}`")]
#[diagnostic(code(autoseal::query::unknown_name))]
pub struct QueryError {
    pub what: &'static str,
    pub name: String,
}

/// One template of the initiator's org: can the "use" button be pressed?
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateStatus {
    pub template: String,
    pub name: String,
    pub usable: bool,
    /// Usable only when the request's attributes meet a condition (every
    /// failing check is a missing attribute).
    pub conditional: bool,
    /// The seal the org's own party would be sealed with (when
    /// `conditional`, once the conditions hold).
    pub seal: Option<String>,
    pub rule: Option<String>,
    /// When `conditional`: every attribute the failing conditions test
    /// that the request does not give, by name.
    pub needs: Vec<String>,
    /// Why not, every failing check.
    pub reasons: Vec<RenderedReason>,
}

/// A signer that would (or would not) auto-seal a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerStatus {
    pub signer: String,
    pub signatory: Option<String>,
    pub auto_seal: bool,
    /// Not decided yet: it would auto-seal when attributes the request does
    /// not give meet the conditions (`reasons` says which).
    pub conditional: bool,
    /// The seal (when `conditional`, once the conditions hold).
    pub seal: Option<String>,
    pub rule: Option<String>,
    pub basis: Option<Basis>,
    /// When `conditional`: every attribute the failing conditions test
    /// that the request does not give, by name.
    pub needs: Vec<String>,
    pub reasons: Vec<RenderedReason>,
    /// The signer's super admin at the instant asked (`ORG.PERSON`), who
    /// accepts its invites and revokes its grants; `None` when it has none.
    pub super_admin: Option<String>,
}

/// An authorization in force at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// `own_template`, `partner_grant`, `employee` or `forbid`.
    pub kind: &'static str,
    pub rule: String,
    pub signer: Option<String>,
    pub template: Option<String>,
    pub signatory: Option<String>,
    pub seal: Option<String>,
    pub employee: Option<String>,
    pub conditional: bool,
    /// In force, but it cannot seal at the instant: the signer's service
    /// is off (`service_not_enabled`), the template or the seal is
    /// disabled (`template_disabled`, `seal_disabled`), or a forbid without
    /// a condition blocks it (`forbidden`). Seal rules only.
    pub suspended: Option<ReasonCode>,
    /// When it lapses on its own (`until`) or by revocation, if it does.
    pub ends: Option<String>,
    pub expiring: bool,
    pub source: String,
    /// The super admin at the instant asked of the org the rule concerns
    /// (the signer of a seal rule, the employee's org), who may revoke it;
    /// `None` for a forbid, or an org without one.
    pub super_admin: Option<String>,
    #[serde(skip)]
    ends_at: Option<Instant>,
}

/// One request's answer as the queries show it (see [`Policy::answer`]).
struct Answer {
    auto_seal: bool,
    conditional: bool,
    seal: Option<String>,
    rule: Option<String>,
    basis: Option<Basis>,
    needs: Vec<String>,
    reasons: Vec<RenderedReason>,
}

/// A key of [`Policy::diff`]: signer, template, signatory.
type DiffKey = (String, String, Option<String>);
/// A key's seal at an instant, or the reason it has none.
type Outcome = (Option<String>, Option<ReasonCode>);
/// A key's outcome; `None` when that depends on attributes (a condition,
/// or a forbid that tests one).
type Decided = Option<Outcome>;

/// One difference between two policy sets at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffEntry {
    /// `gained`, `lost` or `seal_changed`.
    pub change: &'static str,
    pub kind: &'static str,
    pub signer: Option<String>,
    pub template: Option<String>,
    pub signatory: Option<String>,
    pub employee: Option<String>,
    pub old_seal: Option<String>,
    pub new_seal: Option<String>,
    /// Why a key lost its seal (the new set's deciding reason) or had
    /// none before (the old set's), when rules alone do not say: a
    /// forbid, or a service, template or seal switched off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<ReasonCode>,
}

impl Policy {
    /// Every template of the initiator's org (or of `on_behalf_of`), with
    /// whether its own party can be auto-sealed at `at` given `attributes`,
    /// and every reason when not.
    pub fn templates_for(
        &self,
        initiator: &str,
        on_behalf_of: Option<&str>,
        at: Instant,
        attributes: &[(CompactString, Value)],
    ) -> Result<Vec<TemplateStatus>, QueryError> {
        let emp = self.employee_id(initiator).ok_or_else(|| QueryError {
            what: "employee",
            name: initiator.to_owned(),
        })?;
        let org = match on_behalf_of {
            Some(o) => self.org_id(o).ok_or_else(|| QueryError {
                what: "org",
                name: o.to_owned(),
            })?,
            None => self.m.employee(emp).map_or(OrgId(0), |e| e.org),
        };
        let org_name = CompactString::from(self.m.org_name(org));
        let mut out: Vec<TemplateStatus> = self
            .m
            .templates
            .iter()
            .enumerate()
            .filter(|(_, t)| t.org == org)
            .map(|(i, t)| {
                let id = TemplateId::from_index(i);
                let req = Request {
                    at,
                    template: self.m.template_name(id).into(),
                    initiator: initiator.into(),
                    on_behalf_of: on_behalf_of.map(CompactString::from),
                    signer: org_name.clone(),
                    signatory: None,
                    attributes: attributes.to_vec(),
                };
                let a = self.answer(&req);
                TemplateStatus {
                    template: self.m.template_name(id),
                    name: t.display.clone(),
                    usable: a.auto_seal || a.conditional,
                    conditional: a.conditional,
                    seal: a.seal,
                    rule: a.rule,
                    needs: a.needs,
                    reasons: a.reasons,
                }
            })
            .collect();
        out.sort_by(|a, b| a.template.cmp(&b.template));
        Ok(out)
    }

    /// Every signer with a rule for `template` (its own org, and every
    /// partner that granted it), with what it would do at `at` for a
    /// request by `initiator`. By default the initiator is the first
    /// employee (by name) authorized for the template at `at` — of its own
    /// org, or of the group's main org on its behalf — so the initiator
    /// check does not hide the signers.
    pub fn who(
        &self,
        template: &str,
        at: Instant,
        initiator: Option<&str>,
        attributes: &[(CompactString, Value)],
    ) -> Result<Vec<SignerStatus>, QueryError> {
        let tid = self.template_id(template).ok_or_else(|| QueryError {
            what: "template",
            name: template.to_owned(),
        })?;
        let owner = self.m.template(tid).map_or(OrgId(0), |t| t.org);
        let (initiator, on_behalf_of) = match initiator {
            Some(i) => {
                let emp = self.employee_id(i).ok_or_else(|| QueryError {
                    what: "employee",
                    name: i.to_owned(),
                })?;
                let own = self.m.employee(emp).map(|e| e.org);
                let on_behalf = (own.is_some() && own != Some(owner))
                    .then(|| self.m.org_name(owner).to_owned());
                (i.to_owned(), on_behalf)
            }
            None => self.any_initiator(tid, owner, at).unwrap_or_default(),
        };
        let initiator = CompactString::from(initiator);
        let on_behalf_of = on_behalf_of.map(CompactString::from);
        // (signer, role) pairs with a rule on this template.
        let mut keys: Vec<(OrgId, Option<RoleId>)> = self
            .seal_rules()
            .filter(|(_, r)| r.template == tid)
            .map(|(_, r)| match r.kind {
                SealRuleKind::Own => (r.signer, None),
                SealRuleKind::Partner { role, .. } => (r.signer, Some(role)),
            })
            .collect();
        keys.sort();
        keys.dedup();
        let mut out = Vec::new();
        for (signer, role) in keys {
            let req = Request {
                at,
                template: template.into(),
                initiator: initiator.clone(),
                on_behalf_of: on_behalf_of.clone(),
                signer: self.m.org_name(signer).into(),
                signatory: role.map(|r| self.m.role_name(r).into()),
                attributes: attributes.to_vec(),
            };
            let a = self.answer(&req);
            out.push(SignerStatus {
                signer: self.m.org_name(signer).to_owned(),
                signatory: req.signatory.as_deref().map(str::to_owned),
                auto_seal: a.auto_seal,
                conditional: a.conditional,
                seal: a.seal,
                rule: a.rule,
                basis: a.basis,
                needs: a.needs,
                reasons: a.reasons,
                super_admin: self.super_admin_name(signer, at),
            });
        }
        Ok(out)
    }

    /// The super admin of `org` at `at`, as `ORG.PERSON`.
    fn super_admin_name(&self, org: OrgId, at: Instant) -> Option<String> {
        let admin = self.m.org(org)?.super_admin_at(at)?;
        Some(self.m.employee_name(admin))
    }

    /// What `templates` and `who` show of one request: its explanation,
    /// whether it waits on attributes, and then what it needs and the seal
    /// and rule it would seal with.
    fn answer(&self, req: &Request) -> Answer {
        let e = self.explain(req);
        let r = self.render_explanation(&e);
        let conditional = self.when_conditions_hold(&e);
        let (needs, would) = self.when_conditions(&e, conditional, req);
        let (seal, rule) = would.map_or((r.seal, r.rule), |(s, r)| (Some(s), Some(r)));
        Answer {
            auto_seal: e.decision.is_auto_seal(),
            conditional,
            seal,
            rule,
            basis: r.basis,
            needs,
            reasons: r.reasons,
        }
    }

    /// Whether a manual explanation fails only on attributes the request
    /// does not give: a rule's condition, the condition of the initiator's
    /// authorization, or a forbid that applies only for want of them (the
    /// "use" button is on when they hold).
    fn when_conditions_hold(&self, e: &crate::decision::Explanation) -> bool {
        !e.decision.is_auto_seal()
            && e.reasons.iter().all(|x| {
                matches!(
                    x,
                    Reason::AttributeMissing { .. }
                        | Reason::InitiatorNotAuthorized {
                            why: InitiatorMiss::AttributeMissing { .. },
                            ..
                        }
                        | Reason::Forbidden {
                            missing: Some(_),
                            ..
                        }
                )
            })
    }

    /// The employee `who` decides for by default: the first by name with
    /// an authorization covering `tid` of `org` — in force at `at` and
    /// unconditional if one is, then in force at `at`, then ever — own
    /// before `on behalf of`; else any employee of `org`. An authorization
    /// that has lapsed, or needs attributes, would hide every signer
    /// behind `initiator_not_authorized`.
    fn any_initiator(
        &self,
        tid: TemplateId,
        org: OrgId,
        at: Instant,
    ) -> Option<(String, Option<String>)> {
        if let Some((_, e, on_behalf)) = self.ranked_initiator(tid, org, at) {
            return Some((e, on_behalf));
        }
        self.m
            .employees
            .iter()
            .enumerate()
            .filter(|(_, e)| e.org == org)
            .map(|(i, _)| (self.m.employee_name(EmployeeId::from_index(i)), None))
            .min()
    }

    /// The best authorized initiator for `tid` of `org` at `at` (see
    /// [`Self::any_initiator`]), with its tier: 0 in force and
    /// unconditional, 1 in force, 2 lapsed; and the `on_behalf_of` it needs.
    fn ranked_initiator(
        &self,
        tid: TemplateId,
        org: OrgId,
        at: Instant,
    ) -> Option<(u8, String, Option<String>)> {
        let ((tier, on_behalf), e) = self
            .m
            .employee_rules
            .iter()
            .filter(|r| r.target == org && r.template.is_none_or(|t| t == tid))
            .map(|r| {
                let tier = if !r.window.covers(at) {
                    2
                } else if r.cond.is_some() {
                    1
                } else {
                    0
                };
                ((tier, r.on_behalf), self.m.employee_name(r.employee))
            })
            .min()?;
        Some((tier, e, on_behalf.then(|| self.m.org_name(org).to_owned())))
    }

    /// For a conditional answer to `req`: every attribute its failing
    /// conditions (rules', the initiator's authorization's, forbids') test
    /// that the request does not give, and the seal and rule it would seal
    /// with once they hold (the first rule that needs them; when only the
    /// initiator's authorization does, the rule that seals for an
    /// initiator authorized without a condition).
    fn when_conditions(
        &self,
        e: &crate::decision::Explanation,
        conditional: bool,
        req: &Request,
    ) -> (Vec<String>, Option<(String, String)>) {
        let (at, attrs) = (req.at, req.attributes.as_slice());
        let mut needs: Vec<String> = Vec::new();
        let mut would = None;
        if !conditional {
            return (needs, would);
        }
        let mut add = |c: Option<&Condition>| {
            for n in c.map_or(&[][..], |c| c.nodes.as_slice()) {
                let (CondNode::Cmp { attr, .. } | CondNode::In { attr, .. }) = n else {
                    continue;
                };
                let name = self.m.attr_name(*attr);
                if !attrs.iter().any(|(k, _)| k == name) && !needs.iter().any(|x| x == name) {
                    needs.push(name.to_owned());
                }
            }
        };
        for x in &e.reasons {
            match x {
                Reason::AttributeMissing { rule, .. } => {
                    let r = self.rule_ref(*rule);
                    add(r.and_then(|r| r.cond()));
                    if would.is_none() {
                        would = r
                            .map(|r| (self.m.seal_name(r.seal_at(at)), self.seal_rule_name(*rule)));
                    }
                }
                Reason::InitiatorNotAuthorized {
                    why: InitiatorMiss::AttributeMissing { rule: id, .. },
                    ..
                } => add(self
                    .m
                    .employee_rules
                    .get(id.index())
                    .and_then(|r| r.cond.as_ref())),
                Reason::Forbidden {
                    forbid,
                    rule,
                    seal,
                    missing: Some(_),
                } => {
                    add(self
                        .m
                        .forbids
                        .get(forbid.index())
                        .and_then(|f| f.cond.as_ref()));
                    if would.is_none() {
                        would = Some((self.m.seal_name(*seal), self.seal_rule_name(*rule)));
                    }
                }
                _ => {}
            }
        }
        if would.is_none() {
            would = self.seal_for_another_initiator(req);
        }
        needs.sort();
        (needs, would)
    }

    /// The seal and rule `req` gets when its initiator is replaced by one
    /// authorized for the template without a condition, if there is one:
    /// steps 5-9 do not depend on who initiates, only on the effective org.
    fn seal_for_another_initiator(&self, req: &Request) -> Option<(String, String)> {
        let tid = self.template_id(&req.template)?;
        let owner = self.m.template(tid)?.org;
        let (tier, initiator, on_behalf) = self.ranked_initiator(tid, owner, req.at)?;
        if tier != 0 {
            return None;
        }
        let mut other = req.clone();
        other.initiator = initiator.into();
        other.on_behalf_of = on_behalf.map(CompactString::from);
        match self.decide(&other) {
            crate::decision::Decision::AutoSeal { seal, rule, .. } => {
                Some((self.m.seal_name(seal), self.seal_rule_name(rule)))
            }
            crate::decision::Decision::Manual(_) => None,
        }
    }

    /// Every authorization in force at `at`; `expiring_within` (in
    /// microseconds) marks those that lapse within that time.
    pub fn audit(&self, at: Instant, expiring_within: Option<i64>) -> Vec<AuditEntry> {
        let m = &self.m;
        let mut out = Vec::new();
        let ends = |w: &Window| -> Option<(Instant, String)> {
            let until = w.until.map(|u| {
                (
                    u.at,
                    if u.date {
                        u.display_until()
                    } else {
                        u.display()
                    },
                )
            });
            // A revocation is an instant even when written as a date.
            let revoked = w
                .revoked
                .as_ref()
                .map(|r| (r.stamp.at, r.stamp.at.display(r.stamp.tz)));
            match (until, revoked) {
                (Some(u), Some(r)) => Some(if r.0 < u.0 { r } else { u }),
                (u, r) => u.or(r),
            }
        };
        let mut push = |kind, rule: String, w: &Window, span, fill: &dyn Fn(&mut AuditEntry)| {
            let e = ends(w);
            let expiring = match (e.as_ref(), expiring_within) {
                (Some((t, _)), Some(d)) => t.0 <= at.0.saturating_add(d),
                _ => false,
            };
            let mut entry = AuditEntry {
                kind,
                rule,
                signer: None,
                template: None,
                signatory: None,
                seal: None,
                employee: None,
                conditional: false,
                suspended: None,
                ends: e.as_ref().map(|(_, s)| s.clone()),
                expiring,
                source: self.location(span),
                super_admin: None,
                ends_at: e.map(|(t, _)| t),
            };
            fill(&mut entry);
            out.push((entry, self.lines.order_key(span)));
        };
        // Forbids without a condition in force at `at`: what suspends a
        // rule at step 8.
        let blocking: Vec<&Forbid> = m
            .forbids
            .iter()
            .filter(|f| f.cond.is_none() && f.window.covers(at))
            .collect();
        for (id, r) in self.seal_rules() {
            if !r.window.covers(at) || r.void.is_some() {
                continue;
            }
            let (kind, role) = match r.kind {
                SealRuleKind::Own => ("own_template", None),
                SealRuleKind::Partner { role, .. } => ("partner_grant", Some(role)),
            };
            push(kind, self.seal_rule_name(id), &r.window, r.span, &|e| {
                e.signer = Some(m.org_name(r.signer).to_owned());
                e.template = Some(m.template_name(r.template));
                e.signatory = role.map(|x| m.role_name(x).to_owned());
                e.seal = Some(m.seal_name(r.seal_at(at)));
                e.conditional = r.cond.is_some();
                e.suspended = self.suspended(&r, at, &blocking);
                e.super_admin = self.super_admin_name(r.signer, at);
            });
        }
        for (i, r) in m.employee_rules.iter().enumerate() {
            if !r.window.covers(at) {
                continue;
            }
            push(
                "employee",
                self.employee_rule_name(EmployeeRuleId::from_index(i)),
                &r.window,
                r.span,
                &|e| {
                    e.employee = Some(m.employee_name(r.employee));
                    e.signer = r.on_behalf.then(|| m.org_name(r.target).to_owned());
                    e.template = r.template.map(|t| m.template_name(t));
                    e.conditional = r.cond.is_some();
                    e.super_admin = m
                        .employee(r.employee)
                        .and_then(|x| self.super_admin_name(x.org, at));
                },
            );
        }
        for (i, f) in m.forbids.iter().enumerate() {
            if !f.window.covers(at) {
                continue;
            }
            push(
                "forbid",
                self.forbid_name(ForbidId::from_index(i)),
                &f.window,
                f.span,
                &|e| {
                    e.signer = f.signer.map(|s| m.org_name(s).to_owned());
                    e.template = f.template.map(|t| m.template_name(t));
                    e.seal = f.kind.map(|k| format!("kind {}", k.as_str()));
                    e.conditional = f.cond.is_some();
                },
            );
        }
        // By kind, then in the order of the policy files.
        out.sort_by(|a, b| (a.0.kind, &a.1).cmp(&(b.0.kind, &b.1)));
        out.into_iter().map(|(e, _)| e).collect()
    }

    /// Why a seal rule in force cannot seal at `at`, as steps 2, 4, 6 and
    /// 8 of a decision would say: a forbid without a condition in force at
    /// `at` that matches it (one of `blocking`, those in force at `at`)
    /// blocks it whatever the request's attributes.
    fn suspended(&self, r: &SealRule, at: Instant, blocking: &[&Forbid]) -> Option<ReasonCode> {
        let seal = r.seal_at(at);
        let kind = self.m.seal(seal).map(|s| s.kind);
        if !self.service_state(r.signer, at).0 {
            Some(ReasonCode::ServiceNotEnabled)
        } else if !self.template_state(r.template, at).0 {
            Some(ReasonCode::TemplateDisabled)
        } else if !self.seal_state(seal, at).0 {
            Some(ReasonCode::SealDisabled)
        } else if blocking.iter().any(|f| {
            f.signer.is_none_or(|o| o == r.signer)
                && f.template.is_none_or(|t| t == r.template)
                && f.kind.is_none_or(|k| Some(k) == kind)
        }) {
            Some(ReasonCode::Forbidden)
        } else {
            None
        }
    }

    /// Decision-level difference between `self` (old) and `new` at `at`:
    /// auto-seal keys and employee authorizations gained, lost, or sealing
    /// with another seal. Rules in force are compared first; then each
    /// key (signer, template, signatory) of a rule in either set is
    /// decided in both (as [`Self::who`] does), which finds what rules
    /// alone do not: a forbid, or a service, template or seal switched off.
    pub fn diff(&self, new: &Policy, at: Instant) -> Vec<DiffEntry> {
        let mut out = self.rule_diff(new, at);
        let listed: Vec<_> = out
            .iter()
            .map(|e| (e.signer.clone(), e.template.clone(), e.signatory.clone()))
            .collect();
        let (old_keys, new_keys) = (self.decided_keys(at), new.decided_keys(at));
        let mut keys: Vec<_> = old_keys.keys().chain(new_keys.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let (signer, template, signatory) = key;
            let k = (
                Some(signer.clone()),
                Some(template.clone()),
                signatory.clone(),
            );
            if listed.contains(&k) {
                continue;
            }
            let (o, n) = (old_keys.get(key), new_keys.get(key));
            // Decided without attributes, a key that depends on them is
            // compared by its rules alone (above).
            if matches!(o, Some(None)) || matches!(n, Some(None)) {
                continue;
            }
            let (o, n) = (o.and_then(Option::as_ref), n.and_then(Option::as_ref));
            let seal = |d: Option<&Outcome>| d.and_then(|d| d.0.clone());
            let reason = |d: Option<&Outcome>| d.and_then(|d| d.1);
            let (old_seal, new_seal) = (seal(o), seal(n));
            let change = match (&old_seal, &new_seal) {
                (Some(a), Some(b)) if a != b => ("seal_changed", None),
                (Some(_), None) => ("lost", reason(n)),
                (None, Some(_)) => ("gained", reason(o)),
                _ => continue,
            };
            out.push(DiffEntry {
                change: change.0,
                kind: if signatory.is_some() {
                    "partner_grant"
                } else {
                    "own_template"
                },
                signer: Some(signer.clone()),
                template: Some(template.clone()),
                signatory: signatory.clone(),
                employee: None,
                old_seal,
                new_seal,
                reason: change.1,
            });
        }
        out
    }

    /// Each key (signer, template, signatory) with a seal rule, decided
    /// at `at` as [`Self::who`] decides it: the seal, or the deciding
    /// reason.
    fn decided_keys(&self, at: Instant) -> std::collections::BTreeMap<DiffKey, Decided> {
        let mut templates: Vec<TemplateId> = self.seal_rules().map(|(_, r)| r.template).collect();
        templates.sort();
        templates.dedup();
        let mut out = std::collections::BTreeMap::new();
        for tid in templates {
            let name = self.m.template_name(tid);
            let Ok(signers) = self.who(&name, at, None, &[]) else {
                continue;
            };
            for s in signers {
                let reason = s.reasons.first().map(|r| r.code);
                let seal = if s.auto_seal { s.seal } else { None };
                let decided = (!s.conditional).then_some((seal, reason));
                out.insert((s.signer, name.clone(), s.signatory), decided);
            }
        }
        out
    }

    /// Rules and employee authorizations in force, compared.
    fn rule_diff(&self, new: &Policy, at: Instant) -> Vec<DiffEntry> {
        use std::collections::BTreeMap;
        type Key = (
            &'static str,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let index = |p: &Policy| -> BTreeMap<Key, Vec<String>> {
            let mut map: BTreeMap<Key, Vec<String>> = BTreeMap::new();
            // Forbids too, by what they scope: one gained or lost shows
            // even when it tests attributes (and so changes no key's
            // decision without them).
            for e in p.audit(at, None) {
                let key = (e.kind, e.signer, e.template, e.signatory, e.employee);
                let v = map.entry(key).or_default();
                if let Some(s) = e.seal {
                    v.push(s);
                }
                v.sort();
                v.dedup();
            }
            map
        };
        let (old, newer) = (index(self), index(new));
        let mut out = Vec::new();
        let entry = |change, k: &Key, o: Option<&Vec<String>>, n: Option<&Vec<String>>| DiffEntry {
            change,
            kind: k.0,
            signer: k.1.clone(),
            template: k.2.clone(),
            signatory: k.3.clone(),
            employee: k.4.clone(),
            old_seal: o.filter(|v| !v.is_empty()).map(|v| v.join(", ")),
            new_seal: n.filter(|v| !v.is_empty()).map(|v| v.join(", ")),
            reason: None,
        };
        for (k, o) in &old {
            match newer.get(k) {
                None => out.push(entry("lost", k, Some(o), None)),
                Some(n) if n != o => out.push(entry("seal_changed", k, Some(o), Some(n))),
                Some(_) => {}
            }
        }
        for (k, n) in &newer {
            if !old.contains_key(k) {
                out.push(entry("gained", k, None, Some(n)));
            }
        }
        out
    }
}

/// Parses `30d`, `12h`, `90m`, `45s` or `2w` into microseconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(secs)?.checked_mul(1_000_000)
}
