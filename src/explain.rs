//! Reasons in words: the messages a greyed-out "use" button shows.

use crate::compile::Policy;
use crate::decision::*;
use crate::model::*;
use crate::source::Span;
use crate::time::Instant;

impl Policy {
    /// A decision in words (the first reason only for `manual`).
    pub fn render(&self, d: &Decision) -> Rendered {
        match d {
            Decision::AutoSeal { seal, rule, basis } => Rendered {
                decision: Verdict::AutoSeal,
                seal: Some(self.m.seal_name(*seal)),
                basis: Some(*basis),
                rule: Some(self.seal_rule_name(*rule)),
                reasons: Vec::new(),
            },
            Decision::Manual(r) => Rendered {
                decision: Verdict::Manual,
                seal: None,
                basis: None,
                rule: None,
                reasons: vec![self.render_reason(r)],
            },
        }
    }

    /// An explanation in words: every failing check.
    pub fn render_explanation(&self, e: &Explanation) -> Rendered {
        let mut r = self.render(&e.decision);
        if !e.decision.is_auto_seal() {
            r.reasons = e.reasons.iter().map(|x| self.render_reason(x)).collect();
        }
        r
    }

    pub fn render_reason(&self, r: &Reason) -> RenderedReason {
        RenderedReason {
            code: r.code(),
            message: self.message(r),
            source: self.source(r),
        }
    }

    /// The source location of the rule or event behind a reason.
    pub fn source(&self, r: &Reason) -> Option<String> {
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

    /// A one-line message naming the rule, the dates and the seal.
    pub fn message(&self, r: &Reason) -> String {
        let m = &self.m;
        match r {
            Reason::UnknownOrg { name } => format!("unknown org `{name}`"),
            Reason::UnknownEmployee { name } => format!("unknown employee `{name}`"),
            Reason::UnknownTemplate { name } => format!("unknown template `{name}`"),
            Reason::TemplateOwnerMismatch { template, expected } => format!(
                "template `{}` belongs to `{}`, not to the initiating org `{}`",
                m.template_name(*template),
                m.template(*template).map_or("?", |t| m.org_name(t.org)),
                m.org_name(*expected)
            ),
            Reason::ServiceNotEnabled { org, event } => {
                let name = m.org_name(*org);
                let o = m.org(*org);
                match (
                    o.and_then(|o| o.service.get(service_disable(&o.service, *event)? as usize)),
                    o.and_then(|o| o.service.get(first_enable(&o.service)? as usize)),
                ) {
                    (Some(t), _) => format!(
                        "the auto-sign service of `{name}` was disabled at {}",
                        t.stamp.display()
                    ),
                    (None, Some(first)) => format!(
                        "the auto-sign service of `{name}` is not enabled until {}",
                        first.stamp.display()
                    ),
                    (None, None) => {
                        format!("the auto-sign service of `{name}` has never been enabled")
                    }
                }
            }
            Reason::NotGroupMember { org, sub } => format!(
                "`{}` is not a member of a group whose main org is `{}`",
                m.org_name(*sub),
                m.org_name(*org)
            ),
            Reason::InitiatorNotAuthorized {
                employee,
                template,
                target,
                why,
            } => {
                let who = m.employee_name(*employee);
                let tpl = m.template_name(*template);
                let head = format!("employee `{who}` may not initiate auto-sign for `{tpl}`");
                let id = match why {
                    InitiatorMiss::NoAuthorization => {
                        let org = m.org_name(*target);
                        return if m.employee(*employee).is_some_and(|e| e.org == *target) {
                            format!("{head}: no auto-sign authorization")
                        } else {
                            format!("{head}: no authorization on behalf of `{org}`")
                        };
                    }
                    InitiatorMiss::OtherTemplate { rule }
                    | InitiatorMiss::Lapsed { rule, .. }
                    | InitiatorMiss::ConditionNotMet { rule, .. }
                    | InitiatorMiss::AttributeMissing { rule, .. } => *rule,
                };
                let name = self.employee_rule_name(id);
                let Some(er) = m.employee_rules.get(id.index()) else {
                    return head;
                };
                match why {
                    InitiatorMiss::OtherTemplate { .. } => format!(
                        "{head}: authorization `{name}` covers only `{}`",
                        er.template.map_or_else(String::new, |t| m.template_name(t))
                    ),
                    InitiatorMiss::Lapsed { lapse, .. } => format!(
                        "{head}: authorization `{name}` {}",
                        self.lapse_text(&er.window, *lapse)
                    ),
                    InitiatorMiss::AttributeMissing { missing, .. } => {
                        let a = er
                            .cond
                            .as_ref()
                            .and_then(|c| leaf_attr(c.nodes.get(missing.node as usize)?));
                        match a {
                            Some(a) => format!(
                                "{head}: authorization `{name}` needs attribute `{}`, which the request does not give as a {}",
                                m.attr_name(a),
                                self.attr_type(a)
                            ),
                            None => format!("{head}: the condition of authorization `{name}` does not hold"),
                        }
                    }
                    _ => format!("{head}: the condition of authorization `{name}` does not hold"),
                }
            }
            Reason::TemplateDisabled { template, event } => {
                let since = m
                    .template(*template)
                    .and_then(|t| t.toggles.get(*event as usize))
                    .map(|x| format!(" since {}", x.stamp.display()))
                    .unwrap_or_default();
                format!(
                    "template `{}` is disabled{since}",
                    m.template_name(*template)
                )
            }
            Reason::TemplateNotAutoSign {
                signer,
                template,
                rule: None,
            } => format!(
                "template `{}` is not an auto-sign template of `{}`",
                m.template_name(*template),
                m.org_name(*signer)
            ),
            Reason::TemplateNotAutoSign {
                rule: Some((rule, lapse)),
                ..
            } => self.window_text(*rule, *lapse),
            Reason::NoPartnerGrant { signer, template } => {
                if m.template(*template).is_some_and(|t| t.org == *signer) {
                    format!(
                        "template `{}` is not an auto-sign template of `{}`",
                        m.template_name(*template),
                        m.org_name(*signer)
                    )
                } else {
                    format!(
                        "`{}` has not authorized auto-sign of template `{}`",
                        m.org_name(*signer),
                        m.template_name(*template)
                    )
                }
            }
            Reason::SignatoryMismatch { rule, asked } => {
                let role = match self.seal_rule(*rule).map(|r| r.kind) {
                    Some(SealRuleKind::Partner { role, .. }) => m.role_name(role).to_owned(),
                    _ => String::new(),
                };
                let asked = match asked {
                    Signatory::Known(a) => m.role_name(*a).to_owned(),
                    Signatory::Unknown(s) => s.to_string(),
                };
                format!(
                    "grant `{}` is for signatory \"{role}\", not \"{asked}\"",
                    self.seal_rule_name(*rule)
                )
            }
            Reason::GrantNotYetValid { rule } => self.window_text(*rule, Lapse::NotYetValid),
            Reason::GrantExpired { rule } => self.window_text(*rule, Lapse::Expired),
            Reason::GrantRevoked { rule } => self.window_text(*rule, Lapse::Revoked),
            Reason::GrantVoid { rule } => {
                let why = self
                    .seal_rule(*rule)
                    .and_then(|x| x.void)
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                format!("grant `{}` is void: {why}", self.seal_rule_name(*rule))
            }
            Reason::SealDisabled { rule, seal, event } => {
                let since = m
                    .seal(*seal)
                    .and_then(|s| s.toggles.get(*event as usize))
                    .map(|x| format!(" since {}", x.stamp.display()))
                    .unwrap_or_default();
                format!(
                    "seal `{}` of rule `{}` is disabled{since}",
                    m.seal_name(*seal),
                    self.seal_rule_name(*rule)
                )
            }
            Reason::AttributeMissing { rule, missing } => {
                let a = self
                    .rule_ref(*rule)
                    .and_then(|r| r.cond())
                    .and_then(|c| leaf_attr(c.nodes.get(missing.node as usize)?));
                match a {
                    Some(a) => format!(
                        "rule `{}` needs attribute `{}`, which the request does not give as a {}",
                        self.seal_rule_name(*rule),
                        m.attr_name(a),
                        self.attr_type(a)
                    ),
                    None => format!(
                        "the condition of rule `{}` does not hold",
                        self.seal_rule_name(*rule)
                    ),
                }
            }
            Reason::ConditionNotMet { rule, .. } => format!(
                "the condition of rule `{}` does not hold",
                self.seal_rule_name(*rule)
            ),
            Reason::Forbidden {
                forbid,
                rule,
                seal,
                missing,
            } => {
                let seal = m.seal_name(*seal);
                let attr = missing.and_then(|x| {
                    let c = m.forbids.get(forbid.index())?.cond.as_ref()?;
                    leaf_attr(c.nodes.get(x.node as usize)?)
                });
                // A forbid that cannot be evaluated applies: say so, or
                // the reader looks for a value that is not there.
                let why = attr
                    .map(|a| {
                        format!(
                            ", which applies because the request does not give attribute `{}` as a {}",
                            m.attr_name(a),
                            self.attr_type(a)
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "auto-seal by rule `{}` with `{seal}` is forbidden by `{}`{why}",
                    self.seal_rule_name(*rule),
                    self.forbid_name(*forbid)
                )
            }
            Reason::AmbiguousSeal {
                first,
                first_seal,
                second,
                second_seal,
            } => format!(
                "rules `{}` and `{}` both apply with different seals (`{}` and `{}`)",
                self.seal_rule_name(*first),
                self.seal_rule_name(*second),
                m.seal_name(*first_seal),
                m.seal_name(*second_seal)
            ),
        }
    }

    fn window_text(&self, rule: SealRuleId, lapse: Lapse) -> String {
        let Some(x) = self.seal_rule(rule) else {
            return String::new();
        };
        let what = if x.kind == SealRuleKind::Own {
            "auto-sign template rule"
        } else {
            "grant"
        };
        format!(
            "{what} `{}` {}",
            self.seal_rule_name(rule),
            self.lapse_text(&x.window, lapse)
        )
    }

    fn attr_type(&self, a: AttrId) -> &'static str {
        self.m
            .attributes
            .get(a.index())
            .and_then(|x| x.ty)
            .map_or("value of the right type", |t| t.as_str())
    }

    fn lapse_text(&self, w: &Window, l: Lapse) -> String {
        match l {
            Lapse::Revoked => match &w.revoked {
                Some(rev) => {
                    let by = rev
                        .by
                        .map(|b| format!(" by {}", self.m.employee_name(b)))
                        .unwrap_or_default();
                    format!("was revoked at {}{by}", rev.stamp.display())
                }
                None => String::from("was revoked"),
            },
            Lapse::Expired => match w.until {
                Some(u) if u.date => format!("expired after {}", u.display_until()),
                Some(u) => format!("expired at {}", u.display()),
                None => String::from("expired"),
            },
            Lapse::NotYetValid => match w.from {
                Some(f) if f.at != Instant::MIN => format!("is not valid until {}", f.display()),
                _ => String::from("is not yet valid"),
            },
        }
    }
}

fn leaf_attr(n: &CondNode) -> Option<AttrId> {
    match n {
        CondNode::Cmp { attr, .. } | CondNode::In { attr, .. } => Some(*attr),
        _ => None,
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
