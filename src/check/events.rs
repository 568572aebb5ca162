//! The events pass: super-admin changes, then the auto-sign service, seal
//! and template toggles, revokes and reseals, onto the timelines of the
//! model's orgs, seals, templates and rules; then every timeline in time
//! order.

use compact_str::CompactString;

use super::incr::Touch;
use super::link::Labelled;
use super::lower::End;
use super::resolve::MemberKind;
use super::{place, AdminAct, CheckError, CheckWarning, Checker, QualifierHint};
use crate::ast::{self, StmtKind};
use crate::model::{
    AdminChange, Model, OrgId, Reseal, Revocation, SealId, SealRuleId, SealRuleKind, Stamp, Toggle,
};
use crate::source::Span;

/// The on/off timelines events build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Timeline {
    Service,
    Seal,
    Template,
}

impl Checker<'_> {
    pub(super) fn events(&mut self, stmts: &[&ast::Stmt]) {
        self.admin_changes(stmts);
        for s in stmts {
            self.event(s);
        }
        self.sort_timelines();
    }

    /// One event but a super-admin change, onto its timeline (which is
    /// left unsorted: [`Self::sort_timelines`]).
    pub(super) fn event(&mut self, s: &ast::Stmt) {
        match &s.kind {
            StmtKind::Service(e) => self.service(s, e),
            StmtKind::SealToggle(e) => {
                let stamp = self.stamp(&e.at, End::Start);
                if let Some(sid) = self.qseal(&e.seal) {
                    self.push_toggle(Timeline::Seal, sid.0, stamp, e.enable, s.span);
                }
            }
            StmtKind::TemplateToggle(e) => {
                let stamp = self.stamp(&e.at, End::Start);
                if let Some(tid) = self.qtemplate(&e.template) {
                    self.push_toggle(Timeline::Template, tid.0, stamp, e.enable, s.span);
                }
            }
            StmtKind::Revoke(e) => self.revoke(s, e),
            StmtKind::Reseal(e) => self.reseal(s, e),
            _ => {}
        }
    }

    /// Super-admin changes, first: every act "by the super admin" is
    /// judged against the one at its instant.
    fn admin_changes(&mut self, stmts: &[&ast::Stmt]) {
        for s in stmts {
            let StmtKind::SuperAdminChange(c) = &s.kind else {
                continue;
            };
            let stamp = self.stamp(&c.at, End::Start);
            let Some(oid) = self.org(&c.org) else {
                continue;
            };
            let Some(to) = self.person_in(oid, &c.to) else {
                continue;
            };
            let (Some(stamp), Some(o)) = (stamp, self.env.model.orgs.get_mut(oid.index())) else {
                continue;
            };
            o.admin_changes.push(AdminChange {
                stamp,
                to,
                span: s.span,
            });
        }
        let mut found = Vec::new();
        for o in &mut self.env.model.orgs {
            // In time order; at one instant, in source order (two changes
            // at one instant are an error, whichever comes first).
            o.admin_changes
                .sort_by_key(|c| (c.stamp.at, c.span.file, c.span.start));
            let mut current = o.super_admin;
            let mut prev: Option<&AdminChange> = None;
            for c in &o.admin_changes {
                if let Some(p) = prev.filter(|p| p.stamp.at == c.stamp.at) {
                    found.push((o.name.clone(), *c, Some(p.span)));
                } else if current == Some(c.to) {
                    found.push((o.name.clone(), *c, None));
                }
                current = Some(c.to);
                prev = Some(c);
            }
        }
        for (org, c, first) in found {
            match first {
                Some(first) => {
                    let first = self.loc(first);
                    self.err(CheckError::TwoAdminChanges {
                        org,
                        at: c.stamp.display(),
                        first,
                        span: c.span,
                    });
                }
                None => self.warn(CheckWarning::AdminUnchanged {
                    person: self.env.model.employee_name(c.to),
                    org,
                    at: c.stamp.display(),
                    span: c.span,
                }),
            }
        }
    }

    /// Who is the super admin of `org` at `at`, for a help message.
    fn admin_then(&self, org: OrgId, at: Stamp) -> Option<String> {
        let m = &self.env.model;
        m.org(org)
            .and_then(|o| o.super_admin_at(at.at))
            .map(|p| m.employee_name(p))
    }

    /// `ORG enables|disables auto-sign at TIME [by PERSON]`: only the
    /// super admin at that instant may.
    fn service(&mut self, s: &ast::Stmt, e: &ast::Service) {
        let ast::Service {
            org,
            enable,
            at,
            by,
        } = e;
        let stamp = self.stamp(at, End::Start);
        let Some(oid) = self.org(org) else { return };
        self.push_toggle(Timeline::Service, oid.0, stamp, *enable, s.span);
        if *enable && by.is_none() {
            self.warn(CheckWarning::EnablesWithoutBy {
                org: org.name.clone(),
                at: stamp.map(|st| st.display()),
                admin: stamp.and_then(|st| self.admin_then(oid, st)),
                span: s.span,
            });
        }
        let Some(b) = by else { return };
        let Some(p) = self.person_in(oid, b) else {
            return;
        };
        // An unreadable time is an error of its own.
        let Some(stamp) = stamp else { return };
        let admin = self
            .env
            .model
            .org(oid)
            .and_then(|o| o.super_admin_at(stamp.at));
        if admin != Some(p) {
            self.err(CheckError::NotSuperAdmin {
                person: format!("{}.{}", org.name, b.name.name),
                org: org.name.clone(),
                why: AdminAct::Service,
                at: stamp.display(),
                admin: self.admin_then(oid, stamp),
                span: b.span,
            });
        }
    }

    /// Adds an on/off event to a service, seal or template timeline; one
    /// whose time could not be read marks the timeline incomplete.
    fn push_toggle(
        &mut self,
        timeline: Timeline,
        id: u32,
        stamp: Option<Stamp>,
        on: bool,
        span: Span,
    ) {
        let Some(stamp) = stamp else {
            if self.env.incomplete.insert((timeline, id)) {
                self.touch(Touch::Incomplete(timeline, id));
            }
            return;
        };
        if let Some(list) = timeline_of(&mut self.env.model, timeline, id) {
            list.push(Toggle { stamp, on, span });
            self.touch(Touch::Toggle { timeline, id, span });
        }
    }

    /// `revoke LABEL at TIME [by PERSON]`: ends a rule, the earliest
    /// revocation winning. A partner grant is revoked by its partner's
    /// super admin.
    fn revoke(&mut self, s: &ast::Stmt, r: &ast::Revoke) {
        let ast::Revoke { target, at, by } = r;
        let by = by.as_ref();
        let stamp = self.stamp(at, End::Start);
        let Some(t) = self.target(target, "rule", Labelled::is_rule) else {
            return;
        };
        let m = &self.env.model;
        // The org whose person may revoke: the one whose seal or employee
        // the rule concerns; a forbid has none.
        let org = match t {
            Labelled::SealRule(id) => m.seal_rules.get(id.index()).map(|r| r.signer),
            Labelled::EmployeeRule(id) => m
                .employee_rules
                .get(id.index())
                .and_then(|r| m.employee(r.employee))
                .map(|e| e.org),
            Labelled::Forbid(_) => None,
            // The rule has an error of its own.
            Labelled::Unresolved => return,
            other => {
                self.err(CheckError::WrongTarget {
                    name: target.name.clone(),
                    expected: "rule",
                    found: other.what(),
                    span: target.span,
                });
                return;
            }
        };
        let partner_grant = match t {
            Labelled::SealRule(id) => m
                .seal_rules
                .get(id.index())
                .is_some_and(|r| matches!(r.kind, SealRuleKind::Partner { .. })),
            _ => false,
        };
        let by_id = match (by, org) {
            (None, _) => None,
            (Some(b), Some(org)) => {
                let hint = partner_grant.then_some(QualifierHint::PartnerRevoke);
                if self.qualifier_ok(org, b, MemberKind::Person, hint) {
                    self.person(org, &b.name)
                } else {
                    None
                }
            }
            (Some(b), None) => match &b.org {
                Some(o) => {
                    let q = ast::QName {
                        org: o.clone(),
                        name: b.name.clone(),
                        span: b.span,
                    };
                    self.qperson(&q)
                }
                None => {
                    self.unqualified_person(b);
                    None
                }
            },
        };
        if let (Labelled::SealRule(id), Some(b), Some(p), Some(stamp)) = (t, by, by_id, stamp) {
            self.revoked_by_partner(id.index(), b, p, stamp);
        }
        let m = &mut self.env.model;
        let window = match t {
            Labelled::SealRule(id) => m.seal_rules.get_mut(id.index()).map(|r| &mut r.window),
            Labelled::EmployeeRule(id) => {
                m.employee_rules.get_mut(id.index()).map(|r| &mut r.window)
            }
            Labelled::Forbid(id) => m.forbids.get_mut(id.index()).map(|r| &mut r.window),
            _ => return,
        };
        let (Some(w), Some(stamp)) = (window, stamp) else {
            return;
        };
        let rev = Revocation {
            stamp,
            by: by_id,
            span: s.span,
        };
        // The earliest revocation wins; at one instant, the first written.
        let wins = w
            .revoked
            .as_ref()
            .is_none_or(|prev| (stamp.at, place(s.span)) < (prev.stamp.at, place(prev.span)));
        if wins {
            let before = w.revoked.replace(Box::new(rev));
            self.touch(Touch::Revoked { target: t, before });
        }
        // Every revoke of a label but the first written is warned of.
        let label = CompactString::from(target.name.as_str());
        let first = self.env.first_revoke.get(&label).copied();
        let twice_at = match first {
            Some(f) if place(f) < place(s.span) => Some(s.span),
            Some(f) => {
                self.env.first_revoke.insert(label.clone(), s.span);
                self.touch(Touch::FirstRevoke {
                    label,
                    before: Some(f),
                });
                Some(f)
            }
            None => {
                self.env.first_revoke.insert(label.clone(), s.span);
                self.touch(Touch::FirstRevoke {
                    label,
                    before: None,
                });
                None
            }
        };
        if let Some(span) = twice_at {
            self.warn(CheckWarning::RevokedTwice {
                rule: target.name.clone(),
                span,
            });
        }
    }

    /// A partner grant revoked `by` person `p` at `stamp`: an error unless
    /// `p` is then the partner's super admin.
    fn revoked_by_partner(
        &mut self,
        rule: usize,
        by: &ast::OrgName,
        p: crate::model::EmployeeId,
        stamp: Stamp,
    ) {
        let m = &self.env.model;
        let Some(r) = m.seal_rules.get(rule) else {
            return;
        };
        if !matches!(r.kind, SealRuleKind::Partner { .. }) {
            return;
        }
        let partner = r.signer;
        if m.org(partner).and_then(|o| o.super_admin_at(stamp.at)) == Some(p) {
            return;
        }
        let org = m.org_name(partner).to_owned();
        self.err(CheckError::NotSuperAdmin {
            person: format!("{org}.{}", by.name.name),
            org,
            why: AdminAct::PartnerRevoke,
            at: stamp.display(),
            admin: self.admin_then(partner, stamp),
            span: by.span,
        });
    }

    /// `reseal LABEL with seal S at TIME`: another seal of the same org for
    /// an auto-sign template rule or partner grant.
    fn reseal(&mut self, s: &ast::Stmt, r: &ast::Reseal) {
        let ast::Reseal { target, seal, at } = r;
        let stamp = self.stamp(at, End::Start);
        let Some(t) = self.target(target, "grant", |l| matches!(l, Labelled::SealRule(_))) else {
            return;
        };
        if matches!(t, Labelled::Unresolved) {
            return; // the rule has an error of its own
        }
        let Labelled::SealRule(id) = t else {
            self.err(CheckError::WrongTarget {
                name: target.name.clone(),
                expected: "seal_rule",
                found: t.what(),
                span: target.span,
            });
            return;
        };
        let Some(rule_org) = self.env.model.seal_rules.get(id.index()).map(|r| r.signer) else {
            return;
        };
        let hint = Some(QualifierHint::Reseal);
        let (Some(sid), Some(stamp)) = (self.seal_in(rule_org, seal, hint), stamp) else {
            return;
        };
        if let Some(r) = self.env.model.seal_rules.get_mut(id.index()) {
            r.reseals.push(Reseal {
                stamp,
                seal: sid,
                span: s.span,
            });
            self.touch(Touch::Resealed {
                rule: id,
                span: s.span,
            });
        }
    }

    /// Timelines in time order, whatever the order of files and statements.
    /// At one instant an `off` event sorts last, so it wins (fail closed),
    /// and reseals sort by seal name; then by place.
    fn sort_timelines(&mut self) {
        let m = &mut self.env.model;
        for o in &mut m.orgs {
            o.service.sort_by_key(toggle_key);
        }
        for x in &mut m.seals {
            x.toggles.sort_by_key(toggle_key);
        }
        for x in &mut m.templates {
            x.toggles.sort_by_key(toggle_key);
        }
        let names: Vec<String> = (0..m.seals.len())
            .map(|i| m.seal_name(SealId::from_index(i)))
            .collect();
        for r in &mut m.seal_rules {
            r.reseals
                .sort_by_cached_key(|x| (x.stamp.at, names.get(x.seal.index()), place(x.span)));
        }
    }
}

/// The order of a toggle timeline (see [`Checker::sort_timelines`]).
fn toggle_key(t: &Toggle) -> (crate::time::Instant, bool, (crate::source::FileId, u32)) {
    (t.stamp.at, !t.on, place(t.span))
}

/// A service, seal or template timeline of the model.
pub(super) fn timeline_of(
    m: &mut Model,
    timeline: Timeline,
    id: u32,
) -> Option<&mut thin_vec::ThinVec<Toggle>> {
    let i = id as usize;
    match timeline {
        Timeline::Service => m.orgs.get_mut(i).map(|o| &mut o.service),
        Timeline::Seal => m.seals.get_mut(i).map(|x| &mut x.toggles),
        Timeline::Template => m.templates.get_mut(i).map(|x| &mut x.toggles),
    }
}

/// Sorts one timeline, as [`Checker::sort_timelines`] sorts them all.
pub(super) fn sort_timeline(m: &mut Model, timeline: Timeline, id: u32) {
    if let Some(list) = timeline_of(m, timeline, id) {
        list.sort_by_key(toggle_key);
    }
}

/// Sorts one rule's reseals, as [`Checker::sort_timelines`] does.
pub(super) fn sort_reseals(m: &mut Model, rule: SealRuleId) {
    let names: Vec<(SealId, String)> = m
        .seal_rules
        .get(rule.index())
        .map(|r| {
            r.reseals
                .iter()
                .map(|x| (x.seal, m.seal_name(x.seal)))
                .collect()
        })
        .unwrap_or_default();
    let name = |s: SealId| {
        names
            .iter()
            .find(|(id, _)| *id == s)
            .map(|(_, n)| n.clone())
    };
    if let Some(r) = m.seal_rules.get_mut(rule.index()) {
        r.reseals
            .sort_by_cached_key(|x| (x.stamp.at, name(x.seal), place(x.span)));
    }
}
