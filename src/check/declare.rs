//! The declarations pass: orgs, then their members (persons, seals and
//! templates, with their signatory roles), groups and attributes, into the
//! model and the name tables. A name declared twice is an error at the
//! second, which is left out.

use std::collections::hash_map::Entry;

use compact_str::CompactString;
use thin_vec::ThinVec;

use super::{CheckError, Checker};
use crate::ast::{self, Member, StmtKind};
use crate::model::{
    AttrId, Attribute, Employee, EmployeeId, GroupId, Org, OrgId, Seal, SealId, Template,
    TemplateId,
};
use crate::source::Span;

impl Checker<'_> {
    pub(super) fn declarations(&mut self, stmts: &[&ast::Stmt]) {
        // Orgs first, so members and groups can name any org.
        for s in stmts {
            if let StmtKind::Org(o) = &s.kind {
                self.org_decl(o);
            }
        }
        for s in stmts {
            match &s.kind {
                StmtKind::Org(o) => self.org_members(o),
                StmtKind::Group(g) => self.group(g),
                StmtKind::Attribute(a) => self.attribute(a),
                _ => {}
            }
        }
    }

    fn org_decl(&mut self, o: &ast::Org) {
        let ast::Org { id, name, .. } = o;
        match self
            .env
            .names
            .orgs
            .entry(CompactString::from(id.name.as_str()))
        {
            Entry::Occupied(e) => {
                let first = self.sources.location(e.get().1);
                self.err(CheckError::Duplicate {
                    what: "org",
                    name: id.name.clone(),
                    first,
                    span: id.span,
                });
            }
            Entry::Vacant(v) => {
                let m = &mut self.env.model;
                let oid = OrgId::from_index(m.orgs.len());
                v.insert((oid, id.span));
                m.orgs.push(Org {
                    name: id.name.clone(),
                    display: name.value.clone(),
                    super_admin: None,
                    group: None,
                    admin_changes: ThinVec::new(),
                    service: ThinVec::new(),
                    span: id.span,
                });
            }
        }
    }

    /// The members of an org (not of a second org of the same name: that
    /// is already an error).
    fn org_members(&mut self, o: &ast::Org) {
        let Some(&(oid, first_span)) = self.env.names.orgs.get(o.id.name.as_str()) else {
            return;
        };
        if first_span.start != o.id.span.start || first_span.file != o.id.span.file {
            return; // a duplicate org: already reported
        }
        for m in &o.members {
            match &m.member {
                Member::SuperAdmin { id, name } => {
                    if let Some(eid) = self.person_decl(oid, id, name) {
                        self.super_admin(oid, eid, id);
                    }
                }
                Member::Employee { id, name } => {
                    self.person_decl(oid, id, name);
                }
                Member::Seal { id, name, kind } => self.seal_decl(oid, id, name, kind.as_ref()),
                Member::Template {
                    id,
                    name,
                    signatories,
                } => self.template_decl(oid, id, name, signatories),
            }
        }
    }

    /// `NAME` declared again, first at `first`.
    fn duplicate(&mut self, what: &'static str, id: &ast::Ident, first: Span) {
        let first = self.loc(first);
        self.err(CheckError::Duplicate {
            what,
            name: id.name.clone(),
            first,
            span: id.span,
        });
    }

    fn person_decl(&mut self, oid: OrgId, id: &ast::Ident, name: &ast::Str) -> Option<EmployeeId> {
        let m = &mut self.env.model;
        let eid = EmployeeId::from_index(m.employees.len());
        if let Err(e) = self.env.names.persons.insert(oid, &id.name, eid) {
            let first = m.employees.get(e.index()).map_or(id.span, |e| e.span);
            self.duplicate("person", id, first);
            return None;
        }
        m.employees.push(Employee {
            org: oid,
            name: id.name.clone(),
            display: name.value.clone(),
            span: id.span,
        });
        Some(eid)
    }

    /// `eid`, just declared `super_admin`, is its org's super admin: an
    /// error if the org has one already.
    fn super_admin(&mut self, oid: OrgId, eid: EmployeeId, id: &ast::Ident) {
        let m = &mut self.env.model;
        let Some(org) = m.orgs.get_mut(oid.index()) else {
            return;
        };
        match org.super_admin {
            Some(first) => {
                let org_name = org.name.clone();
                let first = m.employees.get(first.index()).map_or(id.span, |e| e.span);
                let first = self.loc(first);
                self.err(CheckError::TwoSuperAdmins {
                    org: org_name,
                    first,
                    span: id.span,
                });
            }
            None => org.super_admin = Some(eid),
        }
    }

    fn seal_decl(
        &mut self,
        oid: OrgId,
        id: &ast::Ident,
        name: &ast::Str,
        kind: Option<&ast::Ident>,
    ) {
        let sid = SealId::from_index(self.env.model.seals.len());
        if let Some(first) = self.env.names.seals.get(oid, &id.name) {
            let first = self
                .env
                .model
                .seals
                .get(first.index())
                .map_or(id.span, |s| s.span);
            self.duplicate("seal", id, first);
            return;
        }
        let kind = match kind {
            None => ast::SealKind::Other,
            Some(k) => self.seal_kind(k).unwrap_or(ast::SealKind::Other),
        };
        // Not a duplicate: checked above.
        let _ = self.env.names.seals.insert(oid, &id.name, sid);
        self.env.model.seals.push(Seal {
            org: oid,
            name: id.name.clone(),
            display: name.value.clone(),
            kind,
            toggles: ThinVec::new(),
            span: id.span,
        });
    }

    fn template_decl(
        &mut self,
        oid: OrgId,
        id: &ast::Ident,
        name: &ast::Str,
        signatories: &[ast::Str],
    ) {
        let tid = TemplateId::from_index(self.env.model.templates.len());
        if let Some(first) = self.env.names.templates.get(oid, &id.name) {
            let first = self
                .env
                .model
                .templates
                .get(first.index())
                .map_or(id.span, |t| t.span);
            self.duplicate("template", id, first);
            return;
        }
        let mut roles = Vec::new();
        for (i, r) in signatories.iter().enumerate() {
            let rid = self.role(r.value.as_str());
            let earlier = signatories
                .get(..i)
                .and_then(|prev| prev.iter().find(|p| p.value == r.value));
            if let Some(first) = earlier {
                let first = self.loc(first.span);
                self.err(CheckError::Duplicate {
                    what: "signatory",
                    name: r.value.clone(),
                    first,
                    span: r.span,
                });
            }
            roles.push(rid);
        }
        // Not a duplicate: checked above.
        let _ = self.env.names.templates.insert(oid, &id.name, tid);
        self.env.model.templates.push(Template {
            org: oid,
            name: id.name.clone(),
            display: name.value.clone(),
            signatories: roles,
            toggles: ThinVec::new(),
            span: id.span,
        });
    }

    fn group(&mut self, g: &ast::Group) {
        let ast::Group {
            id,
            name,
            main,
            members,
        } = g;
        let gid = GroupId::from_index(self.env.model.groups.len());
        match self
            .env
            .names
            .groups
            .entry(CompactString::from(id.name.as_str()))
        {
            Entry::Occupied(e) => {
                let first = e.get().1;
                self.duplicate("group", id, first);
                return;
            }
            Entry::Vacant(v) => {
                v.insert((gid, id.span));
            }
        }
        let Some(main_id) = self.org(main) else {
            return;
        };
        let mut ids = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let Some(oid) = self.org(m) else { continue };
            if oid == main_id {
                self.err(CheckError::MainIsMember {
                    org: m.name.clone(),
                    span: m.span,
                });
                continue;
            }
            if let Some(first) = members
                .get(..i)
                .and_then(|prev| prev.iter().find(|p| p.name == m.name))
            {
                self.duplicate("group_member", m, first.span);
                continue;
            }
            ids.push(oid);
        }
        for &oid in ids.iter().chain(std::iter::once(&main_id)) {
            let m = &mut self.env.model;
            let Some(org) = m.orgs.get_mut(oid.index()) else {
                continue;
            };
            match org.group {
                Some(first) => {
                    let org_name = org.name.clone();
                    let first = m
                        .groups
                        .get(first.index())
                        .map_or_else(String::new, |g| g.name.clone());
                    let span = members
                        .iter()
                        .chain(std::iter::once(main))
                        .find(|m| m.name == org_name)
                        .map_or(id.span, |m| m.span);
                    self.err(CheckError::TwoGroups {
                        org: org_name,
                        first,
                        span,
                    });
                }
                None => org.group = Some(gid),
            }
        }
        self.env.model.groups.push(crate::model::Group {
            name: id.name.clone(),
            display: name.value.clone(),
            main: main_id,
            members: ids,
            span: id.span,
        });
    }

    fn attribute(&mut self, a: &ast::Attribute) {
        let ast::Attribute { id, ty, doc } = a;
        let names = &mut self.env.names;
        names.attrs_declared = true;
        if names.attrs.contains_key(id.name.as_str()) {
            let first = names.attr_spans.get(id.name.as_str()).copied();
            let first = first.map_or_else(String::new, |s| self.loc(s));
            self.err(CheckError::Duplicate {
                what: "attribute",
                name: id.name.clone(),
                first,
                span: id.span,
            });
            return;
        }
        let m = &mut self.env.model;
        let key = CompactString::from(id.name.as_str());
        names
            .attrs
            .insert(key.clone(), AttrId::from_index(m.attributes.len()));
        names.attr_spans.insert(key, id.span);
        m.attributes.push(Attribute {
            name: id.name.clone(),
            ty: Some(*ty),
            doc: doc.as_ref().map(|d| d.value.clone()),
        });
    }
}
