//! Reasons in words: the messages a greyed-out "use" button shows. A
//! reason's [`Params`] are worked out here from its ids; its message is
//! rendered from its code and params by the catalog ([`crate::i18n`]),
//! in the language asked. Nothing here runs while deciding.

use chrono::FixedOffset;

use crate::ast::{AttrType, CmpOp};
use crate::compile::Policy;
use crate::decision::*;
use crate::i18n::{self, Lang, Params};
use crate::model::*;
use crate::source::Span;
use crate::time::Instant;

impl Policy {
    /// A decision in words, in English (the first reason only for
    /// `manual`). A decision of another policy is refused: its ids name
    /// that policy's seals and rules.
    pub fn render(&self, d: &Decision) -> Result<Rendered, ForeignDecision> {
        self.render_in(d, Lang::En)
    }

    /// A decision in words, in `lang` (the first reason only for
    /// `manual`). Codes and params are the same in every language.
    pub fn render_in(&self, d: &Decision, lang: Lang) -> Result<Rendered, ForeignDecision> {
        self.own(d)?;
        Ok(self.render_outcome_in(&d.outcome, lang))
    }

    /// An explanation in words, in English: every failing check.
    pub fn render_explanation(&self, e: &Explanation) -> Result<Rendered, ForeignDecision> {
        self.render_explanation_in(e, Lang::En)
    }

    /// An explanation in words, in `lang`: every failing check.
    pub fn render_explanation_in(
        &self,
        e: &Explanation,
        lang: Lang,
    ) -> Result<Rendered, ForeignDecision> {
        self.own(&e.decision)?;
        Ok(self.render_explained_in(e, lang))
    }

    /// Decides `req` and renders the answer in `lang`: [`Self::decide`]
    /// then [`Self::render_in`], which cannot then be given another
    /// policy's decision.
    pub fn decide_rendered(&self, req: &crate::Request, lang: Lang) -> Rendered {
        self.render_outcome_in(&self.decide(req).outcome, lang)
    }

    /// Explains `req` and renders every failing check in `lang`.
    pub fn explain_rendered(&self, req: &crate::Request, lang: Lang) -> Rendered {
        self.render_explained_in(&self.explain(req), lang)
    }

    /// Whether a decision is this policy's.
    fn own(&self, d: &Decision) -> Result<(), ForeignDecision> {
        if d.policy == self.id {
            Ok(())
        } else {
            Err(ForeignDecision)
        }
    }

    /// An outcome of this policy in words.
    pub(crate) fn render_outcome_in(&self, o: &Outcome, lang: Lang) -> Rendered {
        match o {
            Outcome::AutoSeal { seal, rule, basis } => Rendered {
                decision: Verdict::AutoSeal,
                seal: Some(self.m.seal_name(*seal)),
                basis: Some(*basis),
                rule: Some(self.seal_rule_name(*rule)),
                reasons: Vec::new(),
            },
            Outcome::Manual(r) => Rendered {
                decision: Verdict::Manual,
                seal: None,
                basis: None,
                rule: None,
                reasons: vec![self.render_reason_in(r, lang)],
            },
        }
    }

    /// An explanation of this policy in words.
    pub(crate) fn render_explained_in(&self, e: &Explanation, lang: Lang) -> Rendered {
        match &e.decision.outcome {
            Outcome::AutoSeal { .. } => self.render_outcome_in(&e.decision.outcome, lang),
            Outcome::Manual(_) => Rendered {
                decision: Verdict::Manual,
                seal: None,
                basis: None,
                rule: None,
                reasons: e
                    .reasons
                    .iter()
                    .map(|x| self.render_reason_in(x, lang))
                    .collect(),
            },
        }
    }

    /// One reason of this policy in words, in `lang`.
    pub(crate) fn render_reason_in(&self, r: &Reason, lang: Lang) -> RenderedReason {
        let params = self.params(r);
        RenderedReason {
            code: r.code(),
            message: i18n::message(lang, r.code(), &params),
            params,
            source: self.source(r),
        }
    }

    /// The source location of the rule or event behind a reason.
    pub(crate) fn source(&self, r: &Reason) -> Option<String> {
        let m = &self.m;
        let span = match r {
            Reason::UnknownOrg { .. }
            | Reason::UnknownEmployee { .. }
            | Reason::UnknownTemplate { .. }
            | Reason::NoPartnerGrant { .. }
            | Reason::TemplateNotAutoSign { rule: None, .. } => None,
            // The group the initiator's org leads (its members lack `sub`),
            // else the one `sub` belongs to.
            Reason::NotGroupMember { org, sub } => m
                .groups
                .iter()
                .find(|g| g.main == *org)
                .or_else(|| m.groups.iter().find(|g| g.members.contains(sub)))
                .map(|g| g.span),
            Reason::TemplateOwnerMismatch { template, .. } => m.template(*template).map(|t| t.span),
            // Off since a disable, or else before its first enable (if any).
            Reason::ServiceNotEnabled { org, event } => m.org(*org).map(|o| {
                let event = service_disable(&o.service, *event).or(first_enable(&o.service));
                event_span(&o.service, event, o.span)
            }),
            Reason::InitiatorNotAuthorized { why, .. } => {
                let (id, lapse) = match why {
                    InitiatorMiss::NoAuthorization => return None,
                    InitiatorMiss::Lapsed { rule, lapse } => (rule, Some(*lapse)),
                    InitiatorMiss::OtherTemplate { rule }
                    | InitiatorMiss::ConditionNotMet { rule, .. }
                    | InitiatorMiss::AttributeMissing { rule, .. } => (rule, None),
                };
                let r = m.employee_rules.get(id.index())?;
                match (lapse, &r.window.revoked) {
                    (Some(Lapse::Revoked), Some(rev)) => Some(rev.span),
                    _ => Some(r.span),
                }
            }
            Reason::TemplateDisabled { template, event } => m
                .template(*template)
                .map(|t| event_span(&t.toggles, Some(*event), t.span)),
            Reason::TemplateNotAutoSign {
                rule: Some((rule, lapse)),
                ..
            } => self.lapse_span(*rule, *lapse),
            Reason::GrantNotYetValid { rule } => self.lapse_span(*rule, Lapse::NotYetValid),
            Reason::GrantExpired { rule } => self.lapse_span(*rule, Lapse::Expired),
            Reason::GrantRevoked { rule } => self.lapse_span(*rule, Lapse::Revoked),
            Reason::SignatoryMismatch { rule, .. }
            | Reason::GrantVoid { rule }
            | Reason::ConditionNotMet { rule, .. }
            | Reason::AttributeMissing { rule, .. } => self.rule_ref(*rule).map(|x| x.cold.span),
            Reason::SealDisabled { seal, event, .. } => m
                .seal(*seal)
                .map(|s| event_span(&s.toggles, Some(*event), s.span)),
            Reason::Forbidden { forbid, .. } => m.forbids.get(forbid.index()).map(|f| f.span),
            Reason::AmbiguousSeal { second, .. } => self.rule_ref(*second).map(|x| x.cold.span),
        };
        span.map(|s| self.location(s))
    }

    /// A seal rule that has lapsed: its revoke when revoked, else itself.
    fn lapse_span(&self, rule: SealRuleId, lapse: Lapse) -> Option<Span> {
        let r = self.rule_ref(rule)?;
        match (lapse, r.revocation()) {
            (Lapse::Revoked, Some(rev)) => Some(rev.span),
            _ => Some(r.cold.span),
        }
    }

    /// The values a reason's message names (see [`Params`] and
    /// [`i18n::reason_params`]).
    pub(crate) fn params(&self, r: &Reason) -> Params {
        let mut p = Params::default();
        self.fill(&mut p, r);
        p.ordered(i18n::reason_params(r.code()))
    }

    fn fill(&self, p: &mut Params, r: &Reason) {
        let m = &self.m;
        match r {
            Reason::UnknownOrg { name } => p.set("org", name.as_ref()),
            Reason::UnknownEmployee { name } => p.set("employee", name.as_ref()),
            Reason::UnknownTemplate { name } => p.set("template", name.as_ref()),
            Reason::TemplateOwnerMismatch { template, expected } => {
                self.template_params(p, *template);
                if let Some(t) = m.template(*template) {
                    self.org_params(p, "owner", "owner_name", t.org);
                }
                self.org_params(p, "org", "org_name", *expected);
            }
            Reason::ServiceNotEnabled { org, event } => {
                self.org_params(p, "org", "org_name", *org);
                let service = m.org(*org).map_or(&[][..], |o| &o.service);
                let disabled = service_disable(service, *event);
                let first = first_enable(service);
                let (why, at) = match (disabled, first) {
                    (Some(e), _) => ("disabled", Some(e)),
                    (None, Some(e)) => ("not_yet_enabled", Some(e)),
                    (None, None) => ("never_enabled", None),
                };
                p.set("why", why);
                if let Some(t) = at.and_then(|e| service.get(e as usize)) {
                    p.set("at", self.instant(t.stamp));
                }
            }
            Reason::NotGroupMember { org, sub } => {
                self.org_params(p, "org", "org_name", *org);
                self.org_params(p, "on_behalf_of", "on_behalf_of_name", *sub);
            }
            Reason::InitiatorNotAuthorized {
                employee,
                template,
                target,
                why,
            } => {
                self.employee_params(p, "employee", "employee_name", *employee);
                self.template_params(p, *template);
                self.org_params(p, "org", "org_name", *target);
                self.initiator_params(p, *employee, *target, why);
            }
            Reason::TemplateDisabled { template, event } => {
                self.template_params(p, *template);
                let toggles = m.template(*template).map_or(&[][..], |t| &t.toggles);
                if let Some(t) = toggles.get(*event as usize) {
                    p.set("since", self.instant(t.stamp));
                }
            }
            Reason::TemplateNotAutoSign {
                signer,
                template,
                rule,
            } => {
                self.template_params(p, *template);
                self.org_params(p, "org", "org_name", *signer);
                match rule {
                    None => p.set("why", "no_rule"),
                    Some((rule, lapse)) => {
                        p.set("why", lapse_why(*lapse));
                        p.set("rule", self.seal_rule_name(*rule));
                        self.seal_rule_lapse(p, *rule, *lapse);
                    }
                }
            }
            Reason::NoPartnerGrant { signer, template } => {
                self.org_params(p, "org", "org_name", *signer);
                self.template_params(p, *template);
            }
            Reason::SignatoryMismatch { rule, asked } => {
                self.grant_params(p, *rule);
                p.set(
                    "signatory",
                    match asked {
                        Signatory::Known(r) => m.role_name(*r),
                        Signatory::Unknown(s) => s.as_ref(),
                    },
                );
                if let Some(SealRuleKind::Partner { role, .. }) =
                    self.rule_ref(*rule).map(|r| r.kind())
                {
                    p.set("grant_signatory", m.role_name(role));
                }
            }
            Reason::GrantNotYetValid { rule } => {
                self.grant_params(p, *rule);
                self.seal_rule_lapse(p, *rule, Lapse::NotYetValid);
            }
            Reason::GrantExpired { rule } => {
                self.grant_params(p, *rule);
                self.seal_rule_lapse(p, *rule, Lapse::Expired);
            }
            Reason::GrantRevoked { rule } => {
                self.grant_params(p, *rule);
                self.seal_rule_lapse(p, *rule, Lapse::Revoked);
            }
            Reason::GrantVoid { rule } => {
                self.grant_params(p, *rule);
                let r = self.rule_ref(*rule);
                if let Some(SealRuleKind::Partner { via: Some(i), .. }) = r.map(|r| r.kind()) {
                    if let Some(invite) = m.invites.get(i.index()) {
                        p.set("invite", invite.label.as_str());
                    }
                }
                if let Some(v) = r.and_then(|r| r.void()) {
                    self.void_params(p, v);
                }
            }
            Reason::SealDisabled { rule, seal, event } => {
                p.set("rule", self.seal_rule_name(*rule));
                self.seal_params(p, "seal", "seal_name", *seal);
                let toggles = m.seal(*seal).map_or(&[][..], |s| &s.toggles);
                if let Some(t) = toggles.get(*event as usize) {
                    p.set("since", self.instant(t.stamp));
                }
            }
            Reason::ConditionNotMet { rule, failed } => {
                p.set("rule", self.seal_rule_name(*rule));
                if let Some(c) = self.rule_ref(*rule).and_then(|r| r.cond()) {
                    self.failed_params(p, c, failed.as_ref());
                }
            }
            Reason::AttributeMissing { rule, missing } => {
                p.set("rule", self.seal_rule_name(*rule));
                if let Some(c) = self.rule_ref(*rule).and_then(|r| r.cond()) {
                    self.missing_params(p, c, *missing);
                }
            }
            Reason::Forbidden {
                forbid,
                rule,
                seal,
                missing,
            } => {
                p.set("forbid", self.forbid_name(*forbid));
                p.set("rule", self.seal_rule_name(*rule));
                self.seal_params(p, "seal", "seal_name", *seal);
                let cond = m.forbids.get(forbid.index()).and_then(|f| f.cond.as_ref());
                if let (Some(c), Some(missing)) = (cond, missing) {
                    self.missing_params(p, c, *missing);
                }
            }
            Reason::AmbiguousSeal {
                first,
                first_seal,
                second,
                second_seal,
            } => {
                p.set("rule", self.seal_rule_name(*first));
                self.seal_params(p, "seal", "seal_name", *first_seal);
                p.set("other_rule", self.seal_rule_name(*second));
                self.seal_params(p, "other_seal", "other_seal_name", *second_seal);
            }
        }
    }

    fn org_params(&self, p: &mut Params, key: &'static str, name: &'static str, org: OrgId) {
        p.set(key, self.m.org_name(org));
        p.set(
            name,
            shown(self.m.org(org).map(|o| &o.display), self.m.org_name(org)),
        );
    }

    fn employee_params(
        &self,
        p: &mut Params,
        key: &'static str,
        name: &'static str,
        e: EmployeeId,
    ) {
        let id = self.m.employee_name(e);
        p.set(name, shown(self.m.employee(e).map(|x| &x.display), &id));
        p.set(key, id);
    }

    fn seal_params(&self, p: &mut Params, key: &'static str, name: &'static str, s: SealId) {
        let id = self.m.seal_name(s);
        p.set(name, shown(self.m.seal(s).map(|x| &x.display), &id));
        p.set(key, id);
    }

    fn template_params(&self, p: &mut Params, t: TemplateId) {
        self.named_template(p, "template", "template_name", t);
    }

    fn named_template(&self, p: &mut Params, key: &'static str, name: &'static str, t: TemplateId) {
        let id = self.m.template_name(t);
        p.set(name, shown(self.m.template(t).map(|x| &x.display), &id));
        p.set(key, id);
    }

    /// A partner grant (or own rule) and the org that gave it.
    fn grant_params(&self, p: &mut Params, rule: SealRuleId) {
        p.set("rule", self.seal_rule_name(rule));
        if let Some(r) = self.rule_ref(rule) {
            self.org_params(p, "org", "org_name", r.cold.signer);
        }
    }

    /// The instants of a seal rule's lapse.
    fn seal_rule_lapse(&self, p: &mut Params, rule: SealRuleId, lapse: Lapse) {
        if let Some(r) = self.rule_ref(rule) {
            let w = Window {
                from: r.from(),
                until: r.until(),
                revoked: r.revocation().map(|x| Box::new(*x)),
            };
            self.lapse_params(p, &w, lapse);
        }
    }

    /// What a lapse names: `from` (as written), `until` (as written), or
    /// the revoke's `at` and `by`.
    fn lapse_params(&self, p: &mut Params, w: &Window, lapse: Lapse) {
        match lapse {
            Lapse::NotYetValid => {
                if let Some(f) = w.from {
                    p.set("from", self.as_written(f, false));
                }
            }
            Lapse::Expired => {
                if let Some(u) = w.until {
                    p.set("until", self.as_written(u, true));
                }
            }
            Lapse::Revoked => {
                if let Some(rev) = &w.revoked {
                    p.set("at", self.instant(rev.stamp));
                    if let Some(by) = rev.by {
                        self.employee_params(p, "by", "by_name", by);
                    }
                }
            }
        }
    }

    fn initiator_params(
        &self,
        p: &mut Params,
        employee: EmployeeId,
        target: OrgId,
        why: &InitiatorMiss,
    ) {
        let m = &self.m;
        let rule = |id: EmployeeRuleId| m.employee_rules.get(id.index());
        match why {
            InitiatorMiss::NoAuthorization => {
                let own = m.employee(employee).is_some_and(|e| e.org == target);
                p.set(
                    "why",
                    if own {
                        "no_authorization"
                    } else {
                        "no_authorization_on_behalf"
                    },
                );
            }
            InitiatorMiss::OtherTemplate { rule: id } => {
                p.set("why", "other_template");
                p.set("rule", self.employee_rule_name(*id));
                if let Some(t) = rule(*id).and_then(|r| r.template) {
                    self.named_template(p, "covers", "covers_name", t);
                }
            }
            InitiatorMiss::Lapsed { rule: id, lapse } => {
                p.set("why", lapse_why(*lapse));
                p.set("rule", self.employee_rule_name(*id));
                match rule(*id) {
                    Some(r) => self.lapse_params(p, &r.window, *lapse),
                    None => {
                        let none = Window {
                            from: None,
                            until: None,
                            revoked: None,
                        };
                        self.lapse_params(p, &none, *lapse)
                    }
                }
            }
            InitiatorMiss::ConditionNotMet { rule: id, failed } => {
                p.set("why", "condition_not_met");
                p.set("rule", self.employee_rule_name(*id));
                if let Some(c) = rule(*id).and_then(|r| r.cond.as_ref()) {
                    self.failed_params(p, c, failed.as_ref());
                }
            }
            InitiatorMiss::AttributeMissing { rule: id, missing } => {
                p.set("why", "attribute_missing");
                p.set("rule", self.employee_rule_name(*id));
                if let Some(c) = rule(*id).and_then(|r| r.cond.as_ref()) {
                    self.missing_params(p, c, *missing);
                }
            }
        }
    }

    fn void_params(&self, p: &mut Params, v: &Void) {
        v.why_params(p);
        match v {
            Void::InviteMismatch { .. } | Void::AcceptedBeforeInvite { .. } => {}
            Void::AcceptedAfterWindow { invite, closed } => {
                let closes = self.m.invites.iter().find(|i| i.label == *invite);
                p.set(
                    "closed",
                    closes.map_or_else(|| closed.clone(), |i| self.instant(i.closes)),
                );
            }
            Void::NotSuperAdmin { person, at, .. } => {
                match self.employee_id(person) {
                    Some(e) => self.employee_params(p, "by", "by_name", e),
                    None => {
                        p.set("by", person.as_str());
                        p.set("by_name", person.as_str());
                    }
                }
                p.set("at", self.reshown(at));
            }
        }
    }

    /// The comparison that made a condition false, and the value the
    /// request gave; the whole condition when no one comparison did.
    fn failed_params(&self, p: &mut Params, c: &Condition, failed: Option<&Failed>) {
        let leaf = failed.and_then(|f| Some((f, c.nodes.get(f.node as usize)?)));
        match leaf {
            Some((f, n)) => {
                p.set("condition", node_text(&self.m, &c.nodes, n, f.negated));
                if let Some(a) = leaf_attr(n) {
                    p.set("attribute", self.m.attr_name(a));
                }
                p.set("value", f.given.text());
            }
            None => p.set("condition", condition_text(&self.m, c)),
        }
    }

    /// The comparison a condition cannot be evaluated for, its attribute
    /// and the types asked and given.
    fn missing_params(&self, p: &mut Params, c: &Condition, missing: Missing) {
        let Some(n) = c.nodes.get(missing.node as usize) else {
            p.set("condition", condition_text(&self.m, c));
            return;
        };
        p.set("condition", node_text(&self.m, &c.nodes, n, false));
        if let Some(a) = leaf_attr(n) {
            p.set("attribute", self.m.attr_name(a));
        }
        if let Some(t) = self.expected_type(n) {
            p.set("expected", t.as_str());
        }
        if let Some(t) = missing.given {
            p.set("given", t.as_str());
        }
    }

    /// The type a comparison needs: its attribute's declared type, else
    /// that of its literal (the first of a list).
    fn expected_type(&self, n: &CondNode) -> Option<AttrType> {
        let declared = leaf_attr(n)
            .and_then(|a| self.m.attributes.get(a.index()))
            .and_then(|a| a.ty);
        let literal = match n {
            CondNode::Cmp { value, .. } => Some(value),
            CondNode::In { values, .. } => values.first(),
            _ => None,
        };
        declared.or(literal.map(|v| match v {
            Value::Number(_) => AttrType::Number,
            Value::Str(_) => AttrType::String,
            Value::Bool(_) => AttrType::Bool,
        }))
    }

    /// An instant, RFC 3339 in the policy set's time zone (else in the
    /// offset it was written in).
    fn instant(&self, s: Stamp) -> String {
        self.instant_in(s.at, s.tz)
    }

    fn instant_in(&self, at: Instant, written: FixedOffset) -> String {
        at.display(self.time_zone.unwrap_or(written))
    }

    /// A `from` or `until` as written: a date as that date (for an
    /// `until`, the last day it covers), else the instant.
    fn as_written(&self, s: Stamp, until: bool) -> String {
        match (s.date, until) {
            (true, true) => s.display_until(),
            (true, false) => s.display(),
            (false, _) => self.instant(s),
        }
    }

    /// A time kept as text (as written): an instant again in the set's
    /// time zone, a date as it is.
    fn reshown(&self, text: &str) -> String {
        match crate::time::parse_datetime(text) {
            Ok(t) => self.instant_in(Instant::from_datetime(&t), *t.offset()),
            Err(_) => text.to_owned(),
        }
    }
}

fn leaf_attr(n: &CondNode) -> Option<AttrId> {
    match n {
        CondNode::Cmp { attr, .. } | CondNode::In { attr, .. } => Some(*attr),
        _ => None,
    }
}

/// A lapse as the `why` of a reason that has several.
fn lapse_why(l: Lapse) -> &'static str {
    match l {
        Lapse::NotYetValid => "not_yet_valid",
        Lapse::Expired => "expired",
        Lapse::Revoked => "revoked",
    }
}

/// A display name, or the id when the policy declares it empty.
fn shown(display: Option<&String>, id: &str) -> String {
    match display {
        Some(d) if !d.trim().is_empty() => d.clone(),
        _ => id.to_owned(),
    }
}

/// A literal as the policy language writes it.
fn literal(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\t' => out.push_str("\\t"),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
    }
}

/// The comparison `n` as the policy language writes it; with `negated`,
/// the comparison that says the opposite (`amount > 500000` for
/// `amount <= 500000`).
fn node_text(m: &Model, nodes: &[CondNode], n: &CondNode, negated: bool) -> String {
    match n {
        CondNode::Cmp { attr, op, value } => {
            let op = if negated { negate(*op) } else { *op };
            format!("{} {} {}", m.attr_name(*attr), op.as_str(), literal(value))
        }
        CondNode::In { attr, values } => {
            let list: Vec<String> = values.iter().map(literal).collect();
            let text = format!("{} in [{}]", m.attr_name(*attr), list.join(", "));
            if negated {
                format!("not {text}")
            } else {
                text
            }
        }
        _ => {
            let text = part_text(m, nodes, n, 0);
            if negated {
                format!("not ({text})")
            } else {
                text
            }
        }
    }
}

fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
    }
}

/// A whole condition as the policy language writes it.
fn condition_text(m: &Model, c: &Condition) -> String {
    match c.nodes.last() {
        Some(root) => part_text(m, &c.nodes, root, 0),
        None => String::new(),
    }
}

/// A part of a condition, in parentheses when it binds more loosely than
/// where it stands (`or` 1, `and` 2, `not` 3).
fn part_text(m: &Model, nodes: &[CondNode], n: &CondNode, outer: u8) -> String {
    let (own, text) = match n {
        CondNode::Or(parts) | CondNode::And(parts) => {
            let (own, sep) = match n {
                CondNode::Or(_) => (1, " or "),
                _ => (2, " and "),
            };
            let texts: Vec<String> = parts
                .iter()
                .filter_map(|&i| nodes.get(i as usize))
                .map(|x| part_text(m, nodes, x, own))
                .collect();
            (own, texts.join(sep))
        }
        CondNode::Not(i) => {
            let inner = nodes
                .get(*i as usize)
                .map_or_else(String::new, |x| part_text(m, nodes, x, 3));
            (3, format!("not {inner}"))
        }
        leaf => (4, node_text(m, nodes, leaf, false)),
    };
    if own < outer {
        format!("({text})")
    } else {
        text
    }
}

/// The disable in force for a service that is off, if it turned off a
/// service that had been on: a service starts off, so a disable before
/// its first enable changes nothing, and then what matters is the
/// enable still to come ([`first_enable`]).
fn service_disable(events: &[Toggle], event: Option<u32>) -> Option<u32> {
    event.filter(|&e| first_enable(events).is_some_and(|first| first < e))
}

/// The first event that turns a thing on.
fn first_enable(events: &[Toggle]) -> Option<u32> {
    events.iter().position(|t| t.on).map(|i| i as u32)
}

/// The span of the event in force, else of the declaration.
fn event_span(events: &[Toggle], event: Option<u32>, decl: Span) -> Span {
    event
        .and_then(|e| events.get(e as usize))
        .map_or(decl, |t| t.span)
}
