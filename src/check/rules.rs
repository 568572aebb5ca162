//! The rules pass: auto-sign template rules, partner grants, employee
//! authorizations, forbids and invites, one function each, into the model.
//! Each lowers its validity and condition, resolves its names, and binds
//! its label to what it adds; one with an unknown name is left out (its
//! other problems still reported).

use thin_vec::ThinVec;

use super::link::{Labelled, Via};
use super::lower::{CondOf, End};
use super::{CheckError, CheckWarning, Checker, NeverWhy};
use crate::ast::{self, StmtKind};
use crate::model::{
    EmployeeRule, EmployeeRuleId, Forbid, ForbidId, Invite, InviteId, OrgId, RoleId, SealRule,
    SealRuleId, SealRuleKind, Stamp, TemplateId,
};
use crate::time::{add_days, add_months, Instant};

impl<'a> Checker<'a> {
    pub(super) fn rules(&mut self, stmts: &[&'a ast::Stmt]) {
        for &s in stmts {
            match &s.kind {
                StmtKind::OwnRule(r) => self.own_rule(s, r),
                StmtKind::PartnerGrant(g) => self.partner_grant(s, g),
                StmtKind::EmployeeRule(r) => self.employee_rule(s, r),
                StmtKind::Forbid(f) => self.forbid(s, f),
                StmtKind::Invite(i) => self.invite(s, i),
                _ => {}
            }
        }
    }

    /// `ORG auto-signs template T with seal S`.
    fn own_rule(&mut self, s: &ast::Stmt, r: &ast::OwnRule) {
        let id = SealRuleId::from_index(self.env.model.seal_rules.len());
        let window = self.window(&r.validity, s.span);
        let cond = r.when.as_ref().map(|w| self.condition(w, CondOf::Grant));
        let Some(oid) = self.org(&r.org) else { return };
        let t = self.template(oid, &r.template);
        let sl = self.seal_in(oid, &r.seal, None);
        let (Some(t), Some(sl)) = (t, sl) else {
            return;
        };
        self.env.model.seal_rules.push(SealRule {
            label: s.label.as_ref().map(|l| l.name.as_str().into()),
            kind: SealRuleKind::Own,
            signer: oid,
            template: t,
            seal: sl,
            reseals: ThinVec::new(),
            window,
            cond: cond.map(Box::new),
            void: None,
            span: s.span,
        });
        self.bind(s.label.as_ref(), Labelled::SealRule(id));
    }

    /// `partner P authorizes ORG template T as signatory R with seal S`,
    /// perhaps `via invite I accepted TIME by PERSON`: in force from its
    /// acceptance. Its invite is checked once every invite is known.
    fn partner_grant(&mut self, s: &'a ast::Stmt, g: &'a ast::PartnerGrant) {
        let id = SealRuleId::from_index(self.env.model.seal_rules.len());
        let mut window = self.window(&g.validity, s.span);
        let cond = g.when.as_ref().map(|w| self.condition(w, CondOf::Grant));
        let p = self.org(&g.partner);
        let o = self.org(&g.org);
        let t = o.and_then(|o| self.template(o, &g.template));
        let sl = p.and_then(|p| self.seal_in(p, &g.seal, None));
        let rid = self.role(g.role.value.as_str());
        if let Some(tid) = t {
            self.check_role(tid, rid, &g.role);
        }
        // The acceptance is checked against the invite once all invites are
        // known (in `invites`); here only its time.
        let accepted = g
            .via
            .as_ref()
            .and_then(|v| self.stamp(&v.accepted, End::Start));
        if let Some(a) = accepted {
            if window.from.is_none_or(|f| f.at < a.at) {
                window.from = Some(a);
            }
            // `from` after `until` is an error; an acceptance after `until`
            // leaves a grant that never applies.
            if let Some(u) = window.until.filter(|u| u.at <= a.at) {
                self.accepted_late(s, a, u);
            }
        }
        if let (Some(p), Some(v)) = (p, &g.via) {
            self.person_in(p, &v.by);
        }
        let (Some(p), Some(t), Some(sl)) = (p, t, sl) else {
            // Its invite is still accepted: one mistake, one diagnostic.
            if let Some(v) = &g.via {
                self.pending.unresolved_vias.push(v.invite.name.as_str());
            }
            return;
        };
        if let Some(v) = &g.via {
            self.pending.vias.push(Via {
                rule: id,
                grant: g,
                via: v,
                accepted,
            });
        }
        self.env.model.seal_rules.push(SealRule {
            label: s.label.as_ref().map(|l| l.name.as_str().into()),
            kind: SealRuleKind::Partner {
                role: rid,
                via: None,
            },
            signer: p,
            template: t,
            seal: sl,
            reseals: ThinVec::new(),
            window,
            cond: cond.map(Box::new),
            void: None,
            span: s.span,
        });
        self.bind(s.label.as_ref(), Labelled::SealRule(id));
    }

    /// A grant accepted at `a`, no earlier than its `until` `u`: it never
    /// applies (one warning, here, and no other of the kind).
    fn accepted_late(&mut self, s: &ast::Stmt, a: Stamp, u: Stamp) {
        let key = (s.span.file, s.span.start);
        self.env.never_apply.insert(key);
        self.env.accepted_late.insert(key);
        self.touch(super::incr::Touch::AcceptedLate(key));
        let label = s.label.as_ref().map(|l| l.name.as_str());
        self.warn(CheckWarning::NeverApplies {
            rule: self.rule_name(label, s.span),
            why: NeverWhy::AcceptedLate {
                at: a.display(),
                until: u.display_until(),
            },
            span: s.span,
        });
    }

    /// `employee ORG.P may initiate auto-sign [for template ORG.T] [on
    /// behalf of SUB]`.
    fn employee_rule(&mut self, s: &ast::Stmt, r: &ast::EmployeeRule) {
        let id = EmployeeRuleId::from_index(self.env.model.employee_rules.len());
        let window = self.window(&r.validity, s.span);
        let cond = r.when.as_ref().map(|w| self.condition(w, CondOf::Grant));
        let Some(eid) = self.qperson(&r.employee) else {
            return;
        };
        let Some(own) = self.env.model.employee(eid).map(|e| e.org) else {
            return;
        };
        let target = match &r.on_behalf {
            None => own,
            Some(sub) => match self.behalf_of(own, sub) {
                Some(sid) => sid,
                None => return,
            },
        };
        let tid = match &r.template {
            None => None,
            Some(q) => match self.template_of(target, q) {
                Some(tid) => Some(tid),
                None => return,
            },
        };
        self.env.model.employee_rules.push(EmployeeRule {
            label: s.label.as_ref().map(|l| l.name.clone()),
            employee: eid,
            target,
            on_behalf: r.on_behalf.is_some(),
            template: tid,
            window,
            cond,
            span: s.span,
        });
        self.bind(s.label.as_ref(), Labelled::EmployeeRule(id));
    }

    /// `on behalf of SUB` of an employee of `own`: SUB must be a member of
    /// the group whose main org is `own`.
    fn behalf_of(&mut self, own: OrgId, sub: &ast::Ident) -> Option<OrgId> {
        let sid = self.org(sub)?;
        let m = &self.env.model;
        let main = m
            .org(sid)
            .and_then(|o| o.group)
            .and_then(|g| m.groups.get(g.index()))
            .map(|g| g.main);
        if main == Some(own) {
            return Some(sid);
        }
        let members: Vec<&str> = m
            .orgs
            .get(own.index())
            .and_then(|o| o.group)
            .and_then(|g| m.groups.get(g.index()))
            .filter(|g| g.main == own)
            .map(|g| g.members.iter().map(|x| m.org_name(*x)).collect())
            .unwrap_or_default();
        let close =
            super::resolve::closest(&sub.name, members.iter().copied(), &mut self.hints.budget);
        self.err(CheckError::NotGroupMember {
            org: sub.name.clone(),
            main: self.env.model.org_name(own).to_owned(),
            close,
            span: sub.span,
        });
        None
    }

    /// `for template ORG.T` of an authorization for `target`: a template of
    /// `target`.
    fn template_of(&mut self, target: OrgId, q: &ast::QName) -> Option<TemplateId> {
        let tid = self.qtemplate(q)?;
        let owner = self.env.model.template(tid).map(|t| t.org);
        if owner == Some(target) {
            return Some(tid);
        }
        let target_name = self.env.model.org_name(target).to_owned();
        self.err(CheckError::WrongOrg {
            what: "template",
            name: q.to_string(),
            owner: q.org.name.clone(),
            expected: target_name,
            span: q.span,
        });
        None
    }

    /// `forbid auto-sign [for signer ORG] [for template ORG.T] [with seal
    /// kind K]`.
    fn forbid(&mut self, s: &ast::Stmt, f: &ast::Forbid) {
        let id = ForbidId::from_index(self.env.model.forbids.len());
        let window = self.window(&f.validity, s.span);
        let cond = f.when.as_ref().map(|w| self.condition(w, CondOf::Forbid));
        let sg = f.signer.as_ref().map(|o| self.org(o));
        let tp = f.template.as_ref().map(|t| self.qtemplate(t));
        let kd = f.kind.as_ref().map(|k| self.seal_kind(k));
        if matches!(sg, Some(None)) || matches!(tp, Some(None)) || matches!(kd, Some(None)) {
            return;
        }
        self.env.model.forbids.push(Forbid {
            label: s.label.as_ref().map(|l| l.name.clone()),
            signer: sg.flatten(),
            template: tp.flatten(),
            kind: kd.flatten(),
            window,
            cond,
            span: s.span,
        });
        self.bind(s.label.as_ref(), Labelled::Forbid(id));
    }

    /// `I: ORG invites partners to authorize template T as signatory R at
    /// TIME [valid for N days|months]` (a month by default).
    fn invite(&mut self, s: &ast::Stmt, i: &ast::Invite) {
        let id = InviteId::from_index(self.env.model.invites.len());
        if s.label.is_none() {
            self.err(CheckError::InviteWithoutLabel {
                org: i.org.name.clone(),
                span: s.span,
            });
        }
        let opens = self.stamp(&i.at, End::Start);
        let Some(oid) = self.org(&i.org) else { return };
        let Some(tid) = self.template(oid, &i.template) else {
            return;
        };
        let rid = self.role(i.role.value.as_str());
        self.check_role(tid, rid, &i.role);
        let Some(opens) = opens else { return };
        let dt = opens.at.to_datetime(opens.tz);
        let closes = dt.and_then(|dt| match &i.valid_for {
            None => add_months(dt, 1),
            Some(v) => match v.period {
                ast::Period::Days => add_days(dt, v.count),
                ast::Period::Months => add_months(dt, v.count),
            },
        });
        let closes = Stamp {
            at: closes.map_or(Instant::MAX, |c| Instant::from_datetime(&c)),
            tz: opens.tz,
            date: false,
        };
        self.env.model.invites.push(Invite {
            label: s.label.as_ref().map(|l| l.name.clone()).unwrap_or_default(),
            org: oid,
            template: tid,
            role: rid,
            opens,
            closes,
            span: s.span,
        });
        self.bind(s.label.as_ref(), Labelled::Invite(id));
    }

    /// A signatory role of a template that lists its signatories.
    fn check_role(&mut self, tid: TemplateId, rid: RoleId, role: &ast::Str) {
        let m = &self.env.model;
        let Some(t) = m.template(tid) else {
            return;
        };
        if t.signatories.is_empty() || t.signatories.contains(&rid) {
            return;
        }
        let roles = t
            .signatories
            .iter()
            .map(|r| m.role_name(*r).to_owned())
            .collect();
        let template = m.template_name(tid);
        self.err(CheckError::UnknownRole {
            role: role.value.clone(),
            template,
            roles,
            span: role.span,
        });
    }
}
