//! Questions about a policy set as a whole: which templates an employee can
//! use, who would auto-seal a template, what is in force, what changed.
//! These are reports, not the hot path: they may walk every rule.

use chrono::FixedOffset;
use compact_str::CompactString;
use serde::Serialize;

use crate::compile::Policy;
use crate::decision::{Basis, InitiatorMiss, Reason, ReasonCode, RenderedReason};
use crate::i18n::{Lang, Params};
use crate::model::*;
use crate::request::Request;
use crate::time::Instant;

/// A name a query was given that the policy set does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("unknown {what} `{name}`")]
#[diagnostic(code(autoseal::query::unknown_name))]
pub struct QueryError {
    /// What kind of thing it should name: `org`, `template`, ...
    pub what: &'static str,
    /// The name as given.
    pub name: String,
}

/// One template of the initiator's org: can the "use" button be pressed?
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateStatus {
    /// The template's id (`ORG.TEMPLATE`).
    pub template: String,
    /// Its display name.
    pub name: String,
    /// Whether auto-seal can start with it (now, or once its conditions hold).
    pub usable: bool,
    /// Usable only when the request's attributes meet a condition (every
    /// failing check is a missing attribute).
    pub conditional: bool,
    /// The seal the org's own party would be sealed with (when
    /// `conditional`, once the conditions hold).
    pub seal: Option<String>,
    /// The rule that gives the seal: its label, else `file:line`.
    pub rule: Option<String>,
    /// When `conditional`: every attribute the failing conditions test
    /// that the request does not give, by name.
    pub needs: Vec<String>,
    /// Why not, every failing check.
    pub reasons: Vec<RenderedReason>,
    /// One line a console can show on the template's "use" button, in the
    /// language asked: usable (with the seal and rule), usable when its
    /// conditions hold (with what they need), or why not (the first
    /// reason), naming the template by its display name.
    pub tooltip: String,
}

/// A signer that would (or would not) auto-seal a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerStatus {
    /// The signer's org.
    pub signer: String,
    /// The signatory role asked for, if any.
    pub signatory: Option<String>,
    /// Whether it would auto-seal.
    pub auto_seal: bool,
    /// Not decided yet: it would auto-seal when attributes the request does
    /// not give meet the conditions (`reasons` says which).
    pub conditional: bool,
    /// The seal (when `conditional`, once the conditions hold).
    pub seal: Option<String>,
    /// The rule that gives the seal: its label, else `file:line`.
    pub rule: Option<String>,
    /// How the auto-seal is justified.
    pub basis: Option<Basis>,
    /// When `conditional`: every attribute the failing conditions test
    /// that the request does not give, by name.
    pub needs: Vec<String>,
    /// Why not, every failing check.
    pub reasons: Vec<RenderedReason>,
    /// The signer's super admin at the instant asked (`ORG.PERSON`), who
    /// accepts its invites and revokes its grants; `None` when it has none.
    pub super_admin: Option<String>,
    /// The initiator the request was decided for: the one asked for, or
    /// the one [`Policy::who_initiator`] assumes.
    pub initiator: String,
    /// The member org it initiates for, when it is of the group's main
    /// org and the template is the member's.
    pub on_behalf_of: Option<String>,
}

/// What an [`AuditEntry`] is (in JSON, its `snake_case` name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// An auto-sign template rule (`ORG auto-signs template ...`).
    OwnTemplate,
    /// A partner grant.
    PartnerGrant,
    /// An employee authorization.
    Employee,
    /// A forbid.
    Forbid,
    /// An invite open at the instant (the entry's `rule` is its label).
    Invite,
}

impl AuditKind {
    /// The `snake_case` name, as in JSON (the audit lists entries by it,
    /// alphabetically).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::OwnTemplate => "own_template",
            AuditKind::PartnerGrant => "partner_grant",
            AuditKind::Employee => "employee",
            AuditKind::Forbid => "forbid",
            AuditKind::Invite => "invite",
        }
    }
}

/// Pads like a string (`{:<13}`).
impl std::fmt::Display for AuditKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// An authorization in force at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// `own_template`, `partner_grant`, `employee`, `forbid`, or
    /// `invite` (an invite open at the instant: `rule` is its label).
    pub kind: AuditKind,
    /// The rule (its label, else `file:line`); for an invite, its label.
    pub rule: String,
    /// The signer's org.
    pub signer: Option<String>,
    /// The template.
    pub template: Option<String>,
    /// The signatory role, for a partner grant or an invite.
    pub signatory: Option<String>,
    /// The seal the rule gives (in force at the instant).
    pub seal: Option<String>,
    /// The employee, for an employee authorization.
    pub employee: Option<String>,
    /// Whether it has a condition (it applies only to requests that meet it).
    pub conditional: bool,
    /// In force, but it cannot seal at the instant: the signer's service
    /// is off (`service_not_enabled`), the template or the seal is
    /// disabled (`template_disabled`, `seal_disabled`), or a forbid without
    /// a condition blocks it (`forbidden`). Seal rules only.
    pub suspended: Option<ReasonCode>,
    /// The instant it stops being in force, exclusive: its `until`, or a
    /// revoke that takes effect first (for an invite, the instant its
    /// window closes). `None`: it has no end.
    pub ends_at: Option<String>,
    /// Its `until` as written: a date (in force through that day) or a
    /// date-time (in force until just before it).
    pub until: Option<String>,
    /// The instant a revoke takes effect, when a revoke ends it (before
    /// its `until`, if it has one).
    pub revoked_at: Option<String>,
    /// Whether it ends within the `expiring_within` asked.
    pub expiring: bool,
    /// `file:line` of the rule.
    pub source: String,
    /// The super admin at the instant asked of the org the rule concerns
    /// (the signer of a seal rule, the employee's org), who may revoke it;
    /// `None` for a forbid, or an org without one.
    pub super_admin: Option<String>,
    #[serde(skip)]
    end: Option<Instant>,
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

pub use crate::diff::{ChangeKind, Diff, DiffEntry, RuleKind, When};

impl Policy {
    /// Every template of the initiator's org (or of `on_behalf_of`), with
    /// whether its own party can be auto-sealed at `at` given `attributes`,
    /// and every reason when not; messages in English (see
    /// [`Policy::templates_for_in`]).
    pub fn templates_for(
        &self,
        initiator: &str,
        on_behalf_of: Option<&str>,
        at: Instant,
        attributes: &[(CompactString, Value)],
    ) -> Result<Vec<TemplateStatus>, QueryError> {
        self.templates_for_in(initiator, on_behalf_of, at, attributes, Lang::En)
    }

    /// [`Policy::templates_for`], with the reasons' messages and the
    /// tooltips in `lang` (codes and params are the same in every
    /// language).
    pub fn templates_for_in(
        &self,
        initiator: &str,
        on_behalf_of: Option<&str>,
        at: Instant,
        attributes: &[(CompactString, Value)],
        lang: Lang,
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
                    id: None,
                };
                let a = self.answer(&req, lang);
                let template = self.m.template_name(id);
                let tooltip = self.tooltip(&template, &t.display, &a, lang);
                TemplateStatus {
                    template,
                    name: t.display.clone(),
                    usable: a.auto_seal || a.conditional,
                    conditional: a.conditional,
                    seal: a.seal,
                    rule: a.rule,
                    needs: a.needs,
                    reasons: a.reasons,
                    tooltip,
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
    /// check does not hide the signers. Messages in English (see
    /// [`Policy::who_in`]).
    pub fn who(
        &self,
        template: &str,
        at: Instant,
        initiator: Option<&str>,
        attributes: &[(CompactString, Value)],
    ) -> Result<Vec<SignerStatus>, QueryError> {
        self.who_in(template, at, initiator, attributes, Lang::En)
    }

    /// [`Policy::who`], with the reasons' messages in `lang` (codes and
    /// params are the same in every language).
    pub fn who_in(
        &self,
        template: &str,
        at: Instant,
        initiator: Option<&str>,
        attributes: &[(CompactString, Value)],
        lang: Lang,
    ) -> Result<Vec<SignerStatus>, QueryError> {
        let tid = self.template_id(template).ok_or_else(|| QueryError {
            what: "template",
            name: template.to_owned(),
        })?;
        let (initiator, on_behalf_of) = self.who_initiator(template, at, initiator)?;
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
                id: None,
            };
            let a = self.answer(&req, lang);
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
                initiator: initiator.to_string(),
                on_behalf_of: on_behalf_of.as_deref().map(str::to_owned),
            });
        }
        Ok(out)
    }

    /// The super admin of `org` at `at`, as `ORG.PERSON`.
    fn super_admin_name(&self, org: OrgId, at: Instant) -> Option<String> {
        let admin = self.m.org(org)?.super_admin_at(at)?;
        Some(self.m.employee_name(admin))
    }

    /// The initiator [`Self::who`] decides for, and the member org it
    /// initiates on behalf of: `initiator` when given (on behalf of the
    /// template's org when that is not its own), else the first employee
    /// by name authorized for the template at `at`: unconditionally if
    /// one is, then with a condition, then one whose authorization has
    /// lapsed; own before `on behalf of`; else any employee of its org.
    pub fn who_initiator(
        &self,
        template: &str,
        at: Instant,
        initiator: Option<&str>,
    ) -> Result<(String, Option<String>), QueryError> {
        let tid = self.template_id(template).ok_or_else(|| QueryError {
            what: "template",
            name: template.to_owned(),
        })?;
        let owner = self.m.template(tid).map_or(OrgId(0), |t| t.org);
        Ok(match initiator {
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
        })
    }

    /// What `templates` and `who` show of one request: its explanation,
    /// whether it waits on attributes, and then what it needs and the seal
    /// and rule it would seal with.
    fn answer(&self, req: &Request, lang: Lang) -> Answer {
        let e = self.explain(req);
        let r = self.render_explained_in(&e, lang);
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

    /// The "use" button's line of a template (see
    /// [`TemplateStatus::tooltip`]).
    fn tooltip(&self, template: &str, display: &str, a: &Answer, lang: Lang) -> String {
        let mut p = Params::default();
        p.set("template", template);
        p.set(
            "template_name",
            if display.is_empty() {
                template
            } else {
                display
            },
        );
        let why = if a.auto_seal {
            "usable"
        } else if a.conditional {
            "conditional"
        } else {
            "manual"
        };
        p.set("why", why);
        if let Some(seal) = &a.seal {
            let shown = self
                .m
                .seals
                .iter()
                .enumerate()
                .find(|(i, _)| self.m.seal_name(SealId::from_index(*i)) == *seal)
                .map(|(_, s)| s.display.as_str())
                .filter(|d| !d.is_empty())
                .unwrap_or(seal);
            p.set("seal_name", shown);
            p.set("seal", seal.as_str());
        }
        p.set_opt("rule", a.rule.as_deref());
        if !a.needs.is_empty() {
            p.set_list("needs", a.needs.iter().map(String::as_str));
        }
        if why == "manual" {
            p.set_opt("reason", a.reasons.first().map(|r| r.message.as_str()));
        }
        crate::i18n::format_report(lang, "template-tooltip", &p).0
    }

    /// Whether a manual explanation fails only on attributes the request
    /// does not give: a rule's condition, the condition of the initiator's
    /// authorization, or a forbid that applies only for want of them (the
    /// "use" button is on when they hold).
    pub(crate) fn when_conditions_hold(&self, e: &crate::decision::Explanation) -> bool {
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
    pub(crate) fn when_conditions(
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
        match self.decide(&other).outcome {
            crate::decision::Outcome::AutoSeal { seal, rule, .. } => {
                Some((self.m.seal_name(seal), self.seal_rule_name(rule)))
            }
            crate::decision::Outcome::Manual(_) => None,
        }
    }

    /// Every authorization in force at `at`, and every invite open at
    /// `at`; `expiring_within` marks those that lapse (or close) within
    /// that time.
    pub fn audit(&self, at: Instant, expiring_within: Option<Duration>) -> Vec<AuditEntry> {
        let m = &self.m;
        let mut out = Vec::new();
        let deadline = expiring_within.map(|d| d.after(at, self.time_zone));
        let mut push = |kind, rule: String, w: &Window, span, fill: &dyn Fn(&mut AuditEntry)| {
            let until = w.until.map(|u| {
                if u.date {
                    u.display_until()
                } else {
                    self.show(u.at, u.tz)
                }
            });
            // A revoke ends it only when it comes first; it is an instant
            // even when written as a date.
            let revoked = w
                .revoked
                .as_ref()
                .map(|r| r.stamp)
                .filter(|r| r.at < w.end());
            let end = (w.stop() != Instant::MAX).then(|| w.stop());
            let ends_at = match (revoked, w.until) {
                (Some(r), _) => Some(self.show(r.at, r.tz)),
                (None, Some(u)) => Some(self.show(u.at, u.tz)),
                (None, None) => None,
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
                ends_at,
                until,
                revoked_at: revoked.map(|r| self.show(r.at, r.tz)),
                expiring: expiring(end, deadline),
                source: self.location(span),
                super_admin: None,
                end,
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
                SealRuleKind::Own => (AuditKind::OwnTemplate, None),
                SealRuleKind::Partner { role, .. } => (AuditKind::PartnerGrant, Some(role)),
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
                AuditKind::Employee,
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
                AuditKind::Forbid,
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
        for i in m
            .invites
            .iter()
            .filter(|i| i.opens.at <= at && at < i.closes.at)
        {
            let end = Some(i.closes.at);
            let entry = AuditEntry {
                kind: AuditKind::Invite,
                rule: i.label.clone(),
                signer: None,
                template: Some(m.template_name(i.template)),
                signatory: Some(m.role_name(i.role).to_owned()),
                seal: None,
                employee: None,
                conditional: false,
                suspended: None,
                ends_at: Some(self.show(i.closes.at, i.closes.tz)),
                until: None,
                revoked_at: None,
                expiring: expiring(end, deadline),
                source: self.location(i.span),
                super_admin: self.super_admin_name(i.org, at),
                end,
            };
            out.push((entry, self.lines.order_key(i.span)));
        }
        // By kind, then in the order of the policy files.
        out.sort_by(|a, b| (a.0.kind.as_str(), &a.1).cmp(&(b.0.kind.as_str(), &b.1)));
        out.into_iter().map(|(e, _)| e).collect()
    }

    /// The policy set's time zone (language.md, "Times"): the offset of
    /// its `timezone` lines when they all agree; `None` when they disagree
    /// or there are none (and for a policy built with
    /// [`Policy::compile`] rather than loaded).
    pub fn time_zone(&self) -> Option<FixedOffset> {
        self.time_zone
    }

    /// An instant as a person gives one (`--at`): an RFC 3339 time, or a
    /// date, the start of that day in the policy set's time zone (refused
    /// when the set has none).
    pub fn parse_at(&self, text: &str) -> Result<Instant, String> {
        parse_at(text, self.time_zone)
    }

    /// An instant shown to people: in the policy set's time zone, else
    /// in the offset it was written with.
    fn show(&self, t: Instant, written: FixedOffset) -> String {
        t.display(self.time_zone.unwrap_or(written))
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
        } else if blocking
            .iter()
            .any(|f| f.scope_covers_seal(r.signer, r.template, kind))
        {
            Some(ReasonCode::Forbidden)
        } else {
            None
        }
    }
}

/// Whether an end falls within the deadline.
fn expiring(end: Option<Instant>, deadline: Option<Instant>) -> bool {
    matches!((end, deadline), (Some(e), Some(d)) if e <= d)
}

/// An instant as a person gives one: an RFC 3339 time, or a date, the
/// start of that day in `tz` (refused without one, asking for a full
/// time).
pub fn parse_at(text: &str, tz: Option<FixedOffset>) -> Result<Instant, String> {
    let text = text.trim();
    let is_date = text.len() == 10 && text.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    if !is_date {
        return crate::time::parse_datetime(text)
            .map(|t| Instant::from_datetime(&t))
            .map_err(|_| {
                format!(
                    "`{text}` is neither a date (`2026-04-10`) nor an RFC 3339 time (`2026-04-10T09:00:00+08:00`)"
                )
            });
    }
    let date = crate::time::parse_date(text).map_err(|e| e.to_string())?;
    let Some(tz) = tz else {
        return Err(format!(
            "`{text}` is a date, but the policy set has no time zone to read it in (its files declare no `timezone`, or disagree): give a full time such as `{text}T00:00:00+08:00`"
        ));
    };
    Instant::start_of_day(date, tz).ok_or_else(|| format!("`{text}` is out of range"))
}

/// A length of time, as `--expiring-within` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duration {
    /// Days, hours and weeks: a fixed number of microseconds.
    Micros(i64),
    /// Calendar months.
    Months(u32),
}

impl Duration {
    /// The instant this long after `at`: months are calendar months at the
    /// same clock time in `tz` (UTC when none), clamped to the month's last
    /// day (2026-01-31 plus a month is 2026-02-28).
    pub fn after(self, at: Instant, tz: Option<FixedOffset>) -> Instant {
        match self {
            Duration::Micros(d) => Instant(at.0.saturating_add(d)),
            Duration::Months(n) => {
                let tz = tz.unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc));
                at.to_datetime(tz)
                    .and_then(|t| crate::time::add_months(t, n))
                    .map_or(Instant::MAX, |t| Instant::from_datetime(&t))
            }
        }
    }
}

/// Parses `30d`, `12h`, `2w` or `3mo` (calendar months). A bare `m` is
/// refused as ambiguous (minutes or months?), and so is any other unit.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let usage = "a number and a unit: `d` (days), `h` (hours), `w` (weeks) or `mo` (calendar months), such as `30d`";
    let Ok(n) = n.parse::<u32>() else {
        return Err(format!("`{s}` is not a duration: {usage}"));
    };
    let secs: i64 = match unit {
        "mo" => return Ok(Duration::Months(n)),
        "m" => {
            return Err(format!(
            "`{s}` is ambiguous: write `{n}mo` for calendar months (minutes are not a unit here)"
        ))
        }
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("`{s}` is not a duration: {usage}")),
    };
    i64::from(n)
        .checked_mul(secs * 1_000_000)
        .map(Duration::Micros)
        .ok_or_else(|| format!("`{s}` is too long a time"))
}
