//! Reasons in words: the messages a greyed-out "use" button shows.

use crate::compile::Policy;
use crate::decision::*;
use crate::model::*;
use crate::time::Instant;

impl Policy {
    /// A decision in words (the first reason only for `manual`).
    pub fn render(&self, d: &Decision) -> Rendered {
        match d {
            Decision::AutoSeal { seal, rule, basis } => Rendered {
                decision: "auto_seal",
                seal: Some(self.m.seal_name(*seal)),
                basis: Some(*basis),
                rule: Some(self.seal_rule_name(*rule)),
                reasons: Vec::new(),
            },
            Decision::Manual(r) => Rendered {
                decision: "manual",
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
            code: r.code,
            message: self.message(r),
            source: self.source(r),
        }
    }

    /// The source location of the rule or event behind a reason.
    pub fn source(&self, r: &Reason) -> Option<String> {
        let m = &self.m;
        let span = match &r.detail {
            Detail::Name(_) | Detail::NoRule { .. } => None,
            // The group the initiator's org leads (its members lack `sub`),
            // else the one `sub` belongs to.
            Detail::NotMember { org, sub } => m
                .groups
                .iter()
                .find(|g| g.main == *org)
                .or_else(|| m.groups.iter().find(|g| g.members.contains(sub)))
                .map(|g| g.span),
            Detail::Owner { template, .. } => m.template(*template).map(|t| t.span),
            // Off since a disable, or else before its first enable (if any).
            Detail::Service { org, event } => m.org(*org).map(|o| {
                let event = service_disable(&o.service, *event).or(first_enable(&o.service));
                event_span(&o.service, event, o.span)
            }),
            Detail::Initiator { rule, .. } => rule.and_then(|(id, miss)| {
                let r = m.employee_rules.get(id.index())?;
                match (miss, &r.window.revoked) {
                    (InitiatorMiss::Window(Lapse::Revoked), Some(rev)) => Some(rev.span),
                    _ => Some(r.span),
                }
            }),
            Detail::Template { template, event } => m
                .template(*template)
                .map(|t| event_span(&t.toggles, *event, t.span)),
            Detail::Window { rule, lapse } => {
                self.seal_rule(*rule)
                    .map(|x| match (lapse, &x.window.revoked) {
                        (Lapse::Revoked, Some(rev)) => rev.span,
                        _ => x.span,
                    })
            }
            Detail::Role { rule, .. } | Detail::Void { rule } | Detail::Condition { rule, .. } => {
                self.seal_rule(*rule).map(|x| x.span)
            }
            Detail::Seal { seal, event, .. } => m
                .seal(*seal)
                .map(|s| event_span(&s.toggles, *event, s.span)),
            Detail::Forbid { forbid, .. } => m.forbids.get(forbid.index()).map(|f| f.span),
            Detail::Ambiguous { second, .. } => self.seal_rule(*second).map(|x| x.span),
        };
        span.map(|s| self.location(s))
    }

    /// A one-line message naming the rule, the dates and the seal.
    pub fn message(&self, r: &Reason) -> String {
        let m = &self.m;
        match &r.detail {
            Detail::Name(n) => match r.code {
                ReasonCode::UnknownEmployee => format!("unknown employee `{n}`"),
                ReasonCode::UnknownTemplate => format!("unknown template `{n}`"),
                _ => format!("unknown org `{n}`"),
            },
            Detail::Owner { template, expected } => format!(
                "template `{}` belongs to `{}`, not to the initiating org `{}`",
                m.template_name(*template),
                m.template(*template).map_or("?", |t| m.org_name(t.org)),
                m.org_name(*expected)
            ),
            Detail::Service { org, event } => {
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
            Detail::NotMember { org, sub } => format!(
                "`{}` is not a member of a group whose main org is `{}`",
                m.org_name(*sub),
                m.org_name(*org)
            ),
            Detail::Initiator {
                employee,
                template,
                target,
                rule,
            } => {
                let who = m.employee_name(*employee);
                let tpl = m.template_name(*template);
                let head = format!("employee `{who}` may not initiate auto-sign for `{tpl}`");
                let Some((id, miss)) = rule else {
                    let org = m.org_name(*target);
                    return if m.employee(*employee).is_some_and(|e| e.org == *target) {
                        format!("{head}: no auto-sign authorization")
                    } else {
                        format!("{head}: no authorization on behalf of `{org}`")
                    };
                };
                let name = self.employee_rule_name(*id);
                let Some(er) = m.employee_rules.get(id.index()) else {
                    return head;
                };
                match miss {
                    InitiatorMiss::OtherTemplate => format!(
                        "{head}: authorization `{name}` covers only `{}`",
                        er.template.map_or_else(String::new, |t| m.template_name(t))
                    ),
                    InitiatorMiss::Window(l) => format!("{head}: authorization `{name}` {}", self.lapse_text(&er.window, *l)),
                    InitiatorMiss::Condition { missing: Some(a) } => format!(
                        "{head}: authorization `{name}` needs attribute `{}`, which the request does not give as a {}",
                        m.attr_name(*a),
                        self.attr_type(*a)
                    ),
                    InitiatorMiss::Condition { missing: None } => {
                        format!("{head}: the condition of authorization `{name}` does not hold")
                    }
                }
            }
            Detail::Template { template, event } => {
                let since = m
                    .template(*template)
                    .and_then(|t| event.and_then(|e| t.toggles.get(e as usize)))
                    .map(|x| format!(" since {}", x.stamp.display()))
                    .unwrap_or_default();
                format!(
                    "template `{}` is disabled{since}",
                    m.template_name(*template)
                )
            }
            Detail::NoRule { signer, template } => {
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
            Detail::Role {
                rule,
                asked,
                asked_text,
            } => {
                let role = match self.seal_rule(*rule).map(|r| r.kind) {
                    Some(SealRuleKind::Partner { role, .. }) => m.role_name(role).to_owned(),
                    _ => String::new(),
                };
                let asked = asked
                    .map(|a| m.role_name(a).to_owned())
                    .or_else(|| asked_text.as_deref().map(str::to_owned))
                    .unwrap_or_default();
                format!(
                    "grant `{}` is for signatory \"{role}\", not \"{asked}\"",
                    self.seal_rule_name(*rule)
                )
            }
            Detail::Window { rule, lapse } => {
                let Some(x) = self.seal_rule(*rule) else {
                    return String::new();
                };
                let what = if x.kind == SealRuleKind::Own {
                    "auto-sign template rule"
                } else {
                    "grant"
                };
                format!(
                    "{what} `{}` {}",
                    self.seal_rule_name(*rule),
                    self.lapse_text(&x.window, *lapse)
                )
            }
            Detail::Void { rule } => {
                let why = self
                    .seal_rule(*rule)
                    .and_then(|x| x.void)
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                format!("grant `{}` is void: {why}", self.seal_rule_name(*rule))
            }
            Detail::Seal { rule, seal, event } => {
                let since = m
                    .seal(*seal)
                    .and_then(|s| event.and_then(|e| s.toggles.get(e as usize)))
                    .map(|x| format!(" since {}", x.stamp.display()))
                    .unwrap_or_default();
                format!(
                    "seal `{}` of rule `{}` is disabled{since}",
                    m.seal_name(*seal),
                    self.seal_rule_name(*rule)
                )
            }
            Detail::Condition { rule, missing } => match missing {
                Some(a) => format!(
                    "rule `{}` needs attribute `{}`, which the request does not give as a {}",
                    self.seal_rule_name(*rule),
                    m.attr_name(*a),
                    self.attr_type(*a)
                ),
                None => format!(
                    "the condition of rule `{}` does not hold",
                    self.seal_rule_name(*rule)
                ),
            },
            Detail::Forbid {
                forbid,
                rule,
                seal,
                missing,
            } => {
                let seal = m.seal_name(*seal);
                // A forbid that cannot be evaluated applies: say so, or
                // the reader looks for a value that is not there.
                let why = missing
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
            Detail::Ambiguous {
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
fn event_span(
    events: &[Toggle],
    event: Option<u32>,
    decl: crate::source::Span,
) -> crate::source::Span {
    event
        .and_then(|e| events.get(e as usize))
        .map_or(decl, |t| t.span)
}
