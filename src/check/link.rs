//! Links between statements: labels (what each names, reserved before the
//! rules are read and bound as they are), and the invites pass, which
//! links each partner grant accepted through an invite to that invite.

use std::collections::hash_map::Entry;

use compact_str::CompactString;
use rustc_hash::FxHashMap;

use super::{place, CheckError, CheckWarning, Checker, Close};
use crate::ast;
use crate::model::{EmployeeRuleId, ForbidId, InviteId, SealRuleId, SealRuleKind, Stamp, Void};
use crate::source::Span;

/// What a label names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Labelled {
    SealRule(SealRuleId),
    EmployeeRule(EmployeeRuleId),
    Forbid(ForbidId),
    Invite(InviteId),
    Event,
    /// A rule or invite with an error of its own (an unknown name, ...):
    /// what names it reports nothing more.
    Unresolved,
}

impl Labelled {
    /// Whether it is a rule (what `revoke` names).
    pub(super) fn is_rule(self) -> bool {
        matches!(
            self,
            Labelled::SealRule(_) | Labelled::EmployeeRule(_) | Labelled::Forbid(_)
        )
    }

    /// What it is, as a message's params say: `seal_rule`,
    /// `employee_rule`, `forbid`, `invite`, `event` or `unresolved`.
    pub(super) fn what(self) -> &'static str {
        match self {
            Labelled::SealRule(_) => "seal_rule",
            Labelled::EmployeeRule(_) => "employee_rule",
            Labelled::Forbid(_) => "forbid",
            Labelled::Invite(_) => "invite",
            Labelled::Event => "event",
            Labelled::Unresolved => "unresolved",
        }
    }
}

/// Every label, to what it names and where it is written.
#[derive(Debug, Default)]
pub(crate) struct Labels {
    map: FxHashMap<CompactString, (Labelled, Span)>,
}

impl Labels {
    pub(super) fn get(&self, name: &str) -> Option<Labelled> {
        self.map.get(name).map(|(l, _)| *l)
    }

    /// Forgets a label (reserved by a statement that is taken back).
    pub(super) fn remove(&mut self, name: &str) {
        self.map.remove(name);
    }

    /// What every label names, renumbered by `f` (the rules of one kind
    /// moved in the model).
    pub(super) fn renumber(&mut self, f: impl Fn(Labelled) -> Labelled) {
        for v in self.map.values_mut() {
            v.0 = f(v.0);
        }
    }
}

/// What the rules pass leaves for the invites pass.
#[derive(Debug, Default)]
pub(super) struct Pending<'a> {
    /// Partner grants accepted through an invite, in the model, checked
    /// once every invite is known, with when they were accepted (if that
    /// could be read: it is read once, so a problem with it is reported
    /// once).
    pub(super) vias: Vec<Via<'a>>,
    /// The invites named by partner grants that could not be resolved
    /// (already an error): they count as accepted.
    pub(super) unresolved_vias: Vec<&'a str>,
}

/// A partner grant accepted through an invite.
#[derive(Debug)]
pub(super) struct Via<'a> {
    pub(super) rule: SealRuleId,
    pub(super) grant: &'a ast::PartnerGrant,
    pub(super) via: &'a ast::Via,
    pub(super) accepted: Option<Stamp>,
}

impl Checker<'_> {
    /// Reserves every label: what a rule or invite names is bound once it
    /// is in the model ([`Self::bind`]); an event's names an event. A label
    /// written twice is an error at the second.
    pub(super) fn labels(&mut self, stmts: &[&ast::Stmt]) {
        for s in stmts {
            let Some(l) = &s.label else { continue };
            let what = if s.kind.is_event() {
                Labelled::Event
            } else {
                Labelled::Unresolved
            };
            match self
                .env
                .labels
                .map
                .entry(CompactString::from(l.name.as_str()))
            {
                Entry::Occupied(e) => {
                    // At the one written second (the one reserved already,
                    // when a statement written before it is added).
                    let other = e.get().1;
                    let (first, second) = if place(other) < place(l.span) {
                        (other, l.span)
                    } else {
                        (l.span, other)
                    };
                    let first = self.sources.location(first);
                    self.err(CheckError::Duplicate {
                        what: "label",
                        name: l.name.clone(),
                        first,
                        span: second,
                    });
                }
                Entry::Vacant(v) => {
                    v.insert((what, l.span));
                    self.touch(super::incr::Touch::Label(CompactString::from(
                        l.name.as_str(),
                    )));
                }
            }
        }
    }

    /// Binds a label reserved by [`Self::labels`] to the statement it
    /// labels, once that statement is in the model. A statement that
    /// could not be resolved keeps [`Labelled::Unresolved`], so its label
    /// never names another statement (and naming it reports nothing more).
    pub(super) fn bind(&mut self, l: Option<&ast::Ident>, what: Labelled) {
        let Some(l) = l else { return };
        if let Some(e) = self.env.labels.map.get_mut(l.name.as_str()) {
            // Not a duplicate's: spans compare equal whatever they cover.
            if (e.1.file, e.1.start) == (l.span.file, l.span.start) {
                e.0 = what;
            }
        }
    }

    /// The statement a label names; `fits` says which labels a hint may
    /// suggest.
    pub(super) fn target(
        &mut self,
        target: &ast::Ident,
        expected: &'static str,
        fits: fn(Labelled) -> bool,
    ) -> Option<Labelled> {
        if let Some(l) = self.env.labels.get(&target.name) {
            return Some(l);
        }
        let close = self.close_label(&target.name, fits);
        self.err(CheckError::UnknownLabel {
            name: target.name.clone(),
            what: expected,
            close,
            span: target.span,
        });
        None
    }

    /// The label closest to `name` among those `fits` accepts.
    fn close_label(&mut self, name: &str, fits: fn(Labelled) -> bool) -> Close {
        super::resolve::closest(
            name,
            self.env
                .labels
                .map
                .iter()
                .filter(|(_, (l, _))| fits(*l))
                .map(|(k, _)| k.as_str()),
            &mut self.hints.budget,
        )
    }

    /// The invites pass: links grants to their invites (a grant that breaks
    /// its invite is void), then warns of invites no grant accepts.
    pub(super) fn invites(&mut self) {
        self.env.accepted = vec![false; self.env.model.invites.len()];
        self.link_pending();
        for i in 0..self.env.model.invites.len() {
            if let Some(w) = self.never_accepted(InviteId::from_index(i)) {
                self.warn(w);
            }
        }
    }

    /// Links the grants the rules pass left to their invites, and marks
    /// the invites they accept.
    pub(super) fn link_pending(&mut self) {
        for v in std::mem::take(&mut self.pending.vias) {
            if let Some(inv) = self.invite_of(v.via) {
                self.accept(inv);
                self.link_grant(&v, inv);
            }
        }
        for name in std::mem::take(&mut self.pending.unresolved_vias) {
            if let Some(Labelled::Invite(i)) = self.env.labels.get(name) {
                self.accept(i);
            }
        }
    }

    /// Marks an invite accepted.
    fn accept(&mut self, inv: InviteId) {
        if let Some(a) = self.env.accepted.get_mut(inv.index()) {
            if !*a {
                *a = true;
                self.touch(super::incr::Touch::Accepted(inv));
            }
        }
    }

    /// The warning that no grant accepts invite `i`, if none does.
    pub(super) fn never_accepted(&self, i: InviteId) -> Option<CheckWarning> {
        let inv = self.env.model.invites.get(i.index())?;
        // An unlabelled invite is already an error.
        let accepted = self.env.accepted.get(i.index()).copied().unwrap_or(true);
        (!accepted && !inv.label.is_empty()).then(|| CheckWarning::InviteNeverAccepted {
            invite: inv.label.clone(),
            span: inv.span,
        })
    }

    /// The invite `via invite I` names; an error if it names none. The
    /// invite a misspelt name surely meant is not "never accepted".
    fn invite_of(&mut self, via: &ast::Via) -> Option<InviteId> {
        let name = &via.invite;
        match self.env.labels.get(&name.name) {
            Some(Labelled::Invite(i)) => Some(i),
            // The invite has an error of its own.
            Some(Labelled::Unresolved) => None,
            Some(other) => {
                self.err(CheckError::WrongTarget {
                    name: name.name.clone(),
                    expected: "invite",
                    found: other.what(),
                    span: name.span,
                });
                None
            }
            None => {
                let close = self.close_label(&name.name, |l| matches!(l, Labelled::Invite(_)));
                if let Close::Found(meant) = &close {
                    if let Some(Labelled::Invite(i)) = self.env.labels.get(meant) {
                        self.accept(i);
                    }
                }
                self.err(CheckError::UnknownInvite {
                    name: name.name.clone(),
                    close,
                    span: name.span,
                });
                None
            }
        }
    }

    /// Links partner grant `rid` to invite `inv`: void (with a warning) if
    /// it breaks it.
    fn link_grant(&mut self, v: &Via<'_>, inv: InviteId) {
        let Via {
            rule: rid,
            grant: g,
            via,
            accepted: accepted_at,
        } = *v;
        let m = &self.env.model;
        let (Some(invite), Some(rule)) =
            (m.invites.get(inv.index()), m.seal_rules.get(rid.index()))
        else {
            return;
        };
        let partner = rule.signer;
        let mismatch = if m.org_name(invite.org) != g.org.name {
            Some("inviting org")
        } else if m.template(invite.template).map(|t| t.name.as_str())
            != Some(g.template.name.as_str())
        {
            Some("template")
        } else if m.role_name(invite.role) != g.role.value {
            Some("signatory role")
        } else {
            None
        };
        let by = self.env.names.persons.get(partner, &via.by.name.name);
        // Who accepted, when that was not the super admin at the instant
        // (an unknown person, or an unreadable time, is an error of its
        // own).
        let not_admin = match (by, accepted_at) {
            (Some(p), Some(a)) => {
                (m.org(partner).and_then(|o| o.super_admin_at(a.at)) != Some(p)).then_some(a)
            }
            _ => None,
        };
        let void = if let Some(what) = mismatch {
            Some(Void::InviteMismatch {
                what,
                invite: invite.label.clone(),
            })
        } else if accepted_at.is_some_and(|a| a.at < invite.opens.at) {
            Some(Void::AcceptedBeforeInvite {
                invite: invite.label.clone(),
            })
        } else if accepted_at.is_some_and(|a| a.at >= invite.closes.at) {
            Some(Void::AcceptedAfterWindow {
                invite: invite.label.clone(),
                closed: invite.closes.display(),
            })
        } else {
            not_admin.map(|a| Void::NotSuperAdmin {
                person: format!("{}.{}", m.org_name(partner), via.by.name.name),
                org: m.org_name(partner).to_owned(),
                at: a.display(),
            })
        };
        let name = self.rule_name(rule.label.as_deref(), rule.span);
        if let Some(v) = &void {
            self.warn(CheckWarning::VoidGrant {
                rule: name,
                void: v.clone(),
                span: via.span,
            });
        }
        if let Some(r) = self.env.model.seal_rules.get_mut(rid.index()) {
            r.void = void.map(Box::new);
            if let SealRuleKind::Partner { role, .. } = r.kind {
                r.kind = SealRuleKind::Partner {
                    role,
                    via: Some(inv),
                };
            }
        }
    }
}
