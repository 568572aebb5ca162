//! Moving a syntax tree: every span put in another file, or at another
//! offset (statements parsed from the text appended to a file, or a file's
//! statements kept while files before it came or went). Each node is taken
//! apart field by field, so a new field with a span is a compile error
//! here until it is moved too.

use crate::ast::*;
use crate::source::{FileId, Span};

/// Where spans go: into `file`, `by` bytes further.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Move {
    pub file: FileId,
    pub by: i64,
}

impl Move {
    fn span(self, s: &mut Span) {
        let at = |x: u32| u32::try_from(i64::from(x) + self.by).unwrap_or(0);
        s.file = self.file;
        s.start = at(s.start);
        s.end = at(s.end);
    }

    pub(crate) fn stmt(self, s: &mut Stmt) {
        let Stmt { label, kind, span } = s;
        self.span(span);
        if let Some(l) = label {
            self.ident(l);
        }
        self.kind(kind);
    }

    fn ident(self, i: &mut Ident) {
        let Ident { name: _, span } = i;
        self.span(span);
    }

    fn qname(self, q: &mut QName) {
        let QName { org, name, span } = q;
        self.ident(org);
        self.ident(name);
        self.span(span);
    }

    fn org_name(self, n: &mut OrgName) {
        let OrgName { org, name, span } = n;
        if let Some(o) = org {
            self.ident(o);
        }
        self.ident(name);
        self.span(span);
    }

    fn string(self, s: &mut Str) {
        let Str {
            value: _,
            raw: _,
            span,
        } = s;
        self.span(span);
    }

    fn time(self, t: &mut Time) {
        let Time {
            value: _,
            tz: _,
            raw: _,
            span,
        } = t;
        self.span(span);
    }

    fn validity(self, v: &mut Validity) {
        let Validity { from, until } = v;
        if let Some(t) = from {
            self.time(t);
        }
        match until {
            Some(Until::Revoked(s)) => self.span(s),
            Some(Until::Time(t)) => self.time(t),
            None => {}
        }
    }

    fn literal(self, l: &mut Literal) {
        match l {
            Literal::Number(_, _, s) | Literal::Bool(_, s) => self.span(s),
            Literal::Str(s) => self.string(s),
        }
    }

    fn expr(self, e: &mut Expr) {
        match e {
            Expr::Or(parts) | Expr::And(parts) => parts.iter_mut().for_each(|p| self.expr(p)),
            Expr::Not(inner) | Expr::Paren(inner) => self.expr(inner),
            Expr::Cmp { attr, op: _, value } => {
                self.ident(attr);
                self.literal(value);
            }
            Expr::In { attr, values } => {
                self.ident(attr);
                values.iter_mut().for_each(|v| self.literal(v));
            }
        }
    }

    fn condition(self, c: &mut Option<Condition>) {
        if let Some(Condition { expr, span }) = c {
            self.expr(expr);
            self.span(span);
        }
    }

    fn kind(self, k: &mut StmtKind) {
        match k {
            StmtKind::Timezone(Timezone { offset: _, raw: _ }) => {}
            StmtKind::Org(Org { id, name, members }) => {
                self.ident(id);
                self.string(name);
                for MemberLine { member, span } in members {
                    self.span(span);
                    match member {
                        Member::SuperAdmin { id, name } | Member::Employee { id, name } => {
                            self.ident(id);
                            self.string(name);
                        }
                        Member::Seal { id, name, kind } => {
                            self.ident(id);
                            self.string(name);
                            if let Some(k) = kind {
                                self.ident(k);
                            }
                        }
                        Member::Template {
                            id,
                            name,
                            signatories,
                        } => {
                            self.ident(id);
                            self.string(name);
                            signatories.iter_mut().for_each(|s| self.string(s));
                        }
                    }
                }
            }
            StmtKind::Group(Group {
                id,
                name,
                main,
                members,
            }) => {
                self.ident(id);
                self.string(name);
                self.ident(main);
                members.iter_mut().for_each(|m| self.ident(m));
            }
            StmtKind::Attribute(Attribute { id, ty: _, doc }) => {
                self.ident(id);
                if let Some(d) = doc {
                    self.string(d);
                }
            }
            StmtKind::Service(Service {
                org,
                enable: _,
                at,
                by,
            }) => {
                self.ident(org);
                self.time(at);
                if let Some(b) = by {
                    self.org_name(b);
                }
            }
            StmtKind::SuperAdminChange(SuperAdminChange { org, to, at }) => {
                self.ident(org);
                self.org_name(to);
                self.time(at);
            }
            StmtKind::SealToggle(SealToggle {
                enable: _,
                seal,
                at,
            }) => {
                self.qname(seal);
                self.time(at);
            }
            StmtKind::TemplateToggle(TemplateToggle {
                enable: _,
                template,
                at,
            }) => {
                self.qname(template);
                self.time(at);
            }
            StmtKind::Invite(Invite {
                org,
                template,
                role,
                at,
                valid_for,
            }) => {
                self.ident(org);
                self.ident(template);
                self.string(role);
                self.time(at);
                if let Some(ValidFor {
                    count: _,
                    period: _,
                    span,
                }) = valid_for
                {
                    self.span(span);
                }
            }
            StmtKind::Revoke(Revoke { target, at, by }) => {
                self.ident(target);
                self.time(at);
                if let Some(b) = by {
                    self.org_name(b);
                }
            }
            StmtKind::Reseal(Reseal { target, seal, at }) => {
                self.ident(target);
                self.org_name(seal);
                self.time(at);
            }
            StmtKind::OwnRule(OwnRule {
                org,
                template,
                seal,
                validity,
                when,
            }) => {
                self.ident(org);
                self.ident(template);
                self.org_name(seal);
                self.validity(validity);
                self.condition(when);
            }
            StmtKind::EmployeeRule(EmployeeRule {
                employee,
                template,
                on_behalf,
                validity,
                when,
            }) => {
                self.qname(employee);
                if let Some(t) = template {
                    self.qname(t);
                }
                if let Some(o) = on_behalf {
                    self.ident(o);
                }
                self.validity(validity);
                self.condition(when);
            }
            StmtKind::PartnerGrant(PartnerGrant {
                partner,
                org,
                template,
                role,
                seal,
                via,
                validity,
                when,
            }) => {
                self.ident(partner);
                self.ident(org);
                self.ident(template);
                self.string(role);
                self.org_name(seal);
                if let Some(v) = via {
                    let Via {
                        invite,
                        accepted,
                        by,
                        span,
                    } = &mut **v;
                    self.ident(invite);
                    self.time(accepted);
                    self.org_name(by);
                    self.span(span);
                }
                self.validity(validity);
                self.condition(when);
            }
            StmtKind::Forbid(Forbid {
                signer,
                template,
                kind,
                validity,
                when,
            }) => {
                if let Some(s) = signer {
                    self.ident(s);
                }
                if let Some(t) = template {
                    self.qname(t);
                }
                if let Some(k) = kind {
                    self.ident(k);
                }
                self.validity(validity);
                self.condition(when);
            }
        }
    }
}
