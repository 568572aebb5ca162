//! Syntax tree to checked model: resolves every name, turns every time into
//! an instant, and reports every load-time error and warning of the spec in
//! one pass.

mod err;
mod suggest;

pub use err::{CheckError, CheckWarning};

use std::collections::hash_map::Entry;
use thin_vec::ThinVec;

use chrono::FixedOffset;
use rustc_hash::FxHashMap;

use crate::ast::{self, Expr, Literal, Member, StmtKind, TimeValue, Until};
use crate::model::*;
use crate::source::{FileId, Sources, Span};
use crate::time::{add_days, add_months, Instant};

/// What the checker found: the model when there were no errors, and every
/// problem.
#[derive(Debug)]
pub struct Checked {
    pub model: Option<Model>,
    pub errors: Vec<CheckError>,
    pub warnings: Vec<CheckWarning>,
}

/// Checks a whole policy set. Files are given in load order; the result does
/// not depend on that order beyond the order problems are listed in.
pub fn check(files: &[ast::FileAst], sources: &Sources) -> Checked {
    let mut c = Checker {
        sources,
        m: Model::default(),
        errors: Vec::new(),
        warnings: Vec::new(),
        orgs: FxHashMap::default(),
        persons: FxHashMap::default(),
        seals: FxHashMap::default(),
        templates: FxHashMap::default(),
        groups: FxHashMap::default(),
        roles: FxHashMap::default(),
        attrs: FxHashMap::default(),
        attr_spans: FxHashMap::default(),
        labels: FxHashMap::default(),
        attrs_declared: false,
        in_forbid: false,
        accepted_late: Default::default(),
        vias: Vec::new(),
        unresolved_vias: Vec::new(),
        incomplete: Default::default(),
        members: Vec::new(),
        budget: suggest::BUDGET,
    };
    let stmts: Vec<&ast::Stmt> = files.iter().flat_map(|f| f.stmts.iter()).collect();
    c.declarations(&stmts);
    c.rules(&stmts);
    c.events(&stmts);
    c.finish(&stmts);
    let Checker {
        m,
        mut errors,
        mut warnings,
        ..
    } = c;
    // Problems in source order, whatever pass found them.
    let key = |s: Span| (s.file, s.start);
    errors.sort_by_key(|e| key(e.span()));
    warnings.sort_by_key(|w| key(w.span()));
    Checked {
        model: errors.is_empty().then_some(m),
        errors,
        warnings,
    }
}

/// What a label names.
#[derive(Debug, Clone, Copy)]
enum Labelled {
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
    fn is_rule(self) -> bool {
        matches!(
            self,
            Labelled::SealRule(_) | Labelled::EmployeeRule(_) | Labelled::Forbid(_)
        )
    }

    fn what(self) -> &'static str {
        match self {
            Labelled::SealRule(_) => "a rule with a seal",
            Labelled::EmployeeRule(_) => "an employee authorization",
            Labelled::Forbid(_) => "a forbid",
            Labelled::Invite(_) => "an invite",
            Labelled::Event => "an event",
            Labelled::Unresolved => "a statement with an error",
        }
    }
}

struct Checker<'a> {
    sources: &'a Sources,
    m: Model,
    errors: Vec<CheckError>,
    warnings: Vec<CheckWarning>,
    orgs: FxHashMap<&'a str, (OrgId, Span)>,
    persons: FxHashMap<(OrgId, &'a str), EmployeeId>,
    seals: FxHashMap<(OrgId, &'a str), SealId>,
    templates: FxHashMap<(OrgId, &'a str), TemplateId>,
    groups: FxHashMap<&'a str, (GroupId, Span)>,
    roles: FxHashMap<&'a str, RoleId>,
    attrs: FxHashMap<&'a str, AttrId>,
    /// Where each declared attribute was declared.
    attr_spans: FxHashMap<&'a str, Span>,
    labels: FxHashMap<&'a str, (Labelled, Span)>,
    attrs_declared: bool,
    /// Lowering a forbid's condition (which fails closed).
    in_forbid: bool,
    /// Rules already warned of as never applying (one such warning a rule,
    /// and none that they never seal), by where they start: spans compare
    /// equal whatever they cover, so they cannot be the key.
    accepted_late: rustc_hash::FxHashSet<(FileId, u32)>,
    /// Partner grants accepted through an invite, checked once every
    /// invite is known.
    vias: Vec<(SealRuleId, &'a ast::Stmt)>,
    /// The invites named by partner grants that could not be resolved
    /// (already an error): they count as accepted.
    unresolved_vias: Vec<&'a str>,
    /// Orgs, seals and templates with an event whose time could not be
    /// read (already an error): their timelines are incomplete, so no
    /// "never applies" warning is drawn from them.
    incomplete: rustc_hash::FxHashSet<(Timeline, u32)>,
    /// Each org's persons, seals and templates, by name (for hints).
    members: Vec<(Vec<&'a str>, Vec<&'a str>, Vec<&'a str>)>,
    /// What is left of [`suggest::BUDGET`].
    budget: usize,
}

/// The on/off timelines events build.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Timeline {
    Service,
    Seal,
    Template,
}

/// A member kind looked up in an org.
#[derive(Clone, Copy)]
enum Missing {
    Person,
    Seal,
    Template,
}

/// Names for a hint: "`a`, `b` and `c`", the first eight of a long list.
fn listing(names: &[&str]) -> String {
    const SHOWN: usize = 8;
    let quoted: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    match (quoted.as_slice(), names.len().saturating_sub(SHOWN)) {
        ([], _) => String::new(),
        ([one], 0) => one.clone(),
        ([init @ .., last], 0) => format!("{} and {last}", init.join(", ")),
        (all, more) => format!("{} and {more} more", all.join(", ")),
    }
}

/// Which end of an interval a time is: `until DATE` means the next day.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Start,
    Until,
}

impl<'a> Checker<'a> {
    fn err(&mut self, e: CheckError) {
        self.errors.push(e);
    }

    fn warn(&mut self, w: CheckWarning) {
        self.warnings.push(w);
    }

    fn loc(&self, span: Span) -> String {
        self.sources.location(span)
    }

    /// A rule's name in messages: its label, else `file:line`.
    fn rule_name(&self, label: Option<&str>, span: Span) -> String {
        match label {
            Some(l) => l.to_owned(),
            None => {
                let loc = self.loc(span);
                match loc.rsplit_once(':') {
                    Some((fl, _)) => fl.to_owned(),
                    None => loc,
                }
            }
        }
    }

    // ------------------------------------------------------------ names

    fn org(&mut self, id: &ast::Ident) -> Option<OrgId> {
        match self.orgs.get(id.name.as_str()) {
            Some((o, _)) => Some(*o),
            None => {
                let close = suggest::closest(&id.name, self.orgs.keys().copied(), &mut self.budget);
                let help = close.or_else(&id.name, || {
                    format!("declare it with `org {} \"...\" {{ ... }}`", id.name)
                });
                self.err(CheckError::UnknownOrg {
                    name: id.name.clone(),
                    help,
                    span: id.span,
                });
                None
            }
        }
    }

    /// The names of `org`'s persons, seals or templates, sorted.
    fn members_of(&self, org: OrgId, what: Missing) -> &[&'a str] {
        let m = self.members.get(org.index());
        match what {
            Missing::Person => m.map_or(&[][..], |m| &m.0),
            Missing::Seal => m.map_or(&[][..], |m| &m.1),
            Missing::Template => m.map_or(&[][..], |m| &m.2),
        }
    }

    /// Indexes every org's persons, seals and templates by org, for the
    /// hints of unknown names: at the first one (a clean set never pays
    /// for it), which comes after every declaration is read.
    fn index_members(&mut self) {
        if self.members.len() == self.m.orgs.len() {
            return;
        }
        let mut members: Vec<(Vec<&'a str>, Vec<&'a str>, Vec<&'a str>)> =
            vec![Default::default(); self.m.orgs.len()];
        for (o, n) in self.persons.keys() {
            if let Some(m) = members.get_mut(o.index()) {
                m.0.push(n);
            }
        }
        for (o, n) in self.seals.keys() {
            if let Some(m) = members.get_mut(o.index()) {
                m.1.push(n);
            }
        }
        for (o, n) in self.templates.keys() {
            if let Some(m) = members.get_mut(o.index()) {
                m.2.push(n);
            }
        }
        for m in &mut members {
            m.0.sort_unstable();
            m.1.sort_unstable();
            m.2.sort_unstable();
        }
        self.members = members;
    }

    fn person(&mut self, org: OrgId, id: &ast::Ident) -> Option<EmployeeId> {
        if let Some(p) = self.persons.get(&(org, id.name.as_str())) {
            return Some(*p);
        }
        self.missing_member(Missing::Person, org, id, None);
        None
    }

    fn qperson(&mut self, q: &ast::QName) -> Option<EmployeeId> {
        let org = self.org(&q.org)?;
        self.person(org, &q.name)
    }

    fn seal(&mut self, org: OrgId, id: &ast::Ident) -> Option<SealId> {
        if let Some(s) = self.seals.get(&(org, id.name.as_str())) {
            return Some(*s);
        }
        let owner = self
            .m
            .seals
            .iter()
            .find(|x| x.name == id.name)
            .map(|x| x.org);
        self.missing_member(Missing::Seal, org, id, owner);
        None
    }

    fn template(&mut self, org: OrgId, id: &ast::Ident) -> Option<TemplateId> {
        if let Some(t) = self.templates.get(&(org, id.name.as_str())) {
            return Some(*t);
        }
        let owner = self
            .m
            .templates
            .iter()
            .find(|x| x.name == id.name)
            .map(|x| x.org);
        self.missing_member(Missing::Template, org, id, owner);
        None
    }

    /// A person, seal or template that `org` does not have: the closest
    /// one it has, else the ones it has (and the org that has one of that
    /// name, `owner`).
    fn missing_member(&mut self, what: Missing, org: OrgId, id: &ast::Ident, owner: Option<OrgId>) {
        let org_name = self.m.org_name(org).to_owned();
        let (noun, plural, decl) = match what {
            Missing::Person => ("person", "people", "employee {} \"...\""),
            Missing::Seal => ("seal", "seals", "seal {} \"...\" kind ..."),
            Missing::Template => ("template", "templates", "template {} \"...\""),
        };
        self.index_members();
        let mut budget = self.budget;
        let close = suggest::closest(
            &id.name,
            self.members_of(org, what).iter().copied(),
            &mut budget,
        );
        self.budget = budget;
        let elsewhere = owner
            .filter(|o| *o != org)
            .map(|o| format!(" (`{}` is a {noun} of `{}`)", id.name, self.m.org_name(o)));
        let help = close.or_else(&id.name, || {
            let decl = decl.replace("{}", &id.name);
            let has = self.members_of(org, what);
            let elsewhere = elsewhere.as_deref().unwrap_or("");
            match has {
                [] => format!(
                    "`{org_name}` declares no {noun}{elsewhere}: declare it inside `org {org_name}` as `{decl}`"
                ),
                [one] => format!(
                    "the only {noun} of `{org_name}` is `{one}`{elsewhere}; or declare it inside `org {org_name}` as `{decl}`"
                ),
                _ => format!(
                    "the {plural} of `{org_name}` are {}{elsewhere}; or declare it inside `org {org_name}` as `{decl}`",
                    listing(has)
                ),
            }
        });
        let e = match what {
            Missing::Person => CheckError::UnknownPerson {
                name: id.name.clone(),
                org: org_name,
                help,
                span: id.span,
            },
            Missing::Seal => CheckError::UnknownSeal {
                name: id.name.clone(),
                org: org_name,
                help,
                span: id.span,
            },
            Missing::Template => CheckError::UnknownTemplate {
                name: id.name.clone(),
                org: org_name,
                help,
                span: id.span,
            },
        };
        self.err(e);
    }

    fn qseal(&mut self, q: &ast::QName) -> Option<SealId> {
        let org = self.org(&q.org)?;
        self.seal(org, &q.name)
    }

    fn qtemplate(&mut self, q: &ast::QName) -> Option<TemplateId> {
        let org = self.org(&q.org)?;
        self.template(org, &q.name)
    }

    /// Whether a bare-or-qualified name is qualified, if at all, with
    /// `org`, the org the statement already names; an error if not.
    fn qualifier_ok(
        &mut self,
        org: OrgId,
        n: &ast::OrgName,
        what: &'static str,
        help: Option<String>,
    ) -> bool {
        let Some(q) = &n.org else { return true };
        let expected = self.m.org_name(org);
        if q.name == expected {
            return true;
        }
        let expected = expected.to_owned();
        let key = (org, n.name.name.as_str());
        let has = match what {
            "a seal" => self.seals.contains_key(&key),
            _ => self.persons.contains_key(&key),
        };
        let help = match help {
            Some(h) => h,
            None if has => format!(
                "the org is known here: write `{}` or `{expected}.{}`",
                n.name.name, n.name.name
            ),
            None => format!("use {what} of `{expected}`"),
        };
        self.err(CheckError::WrongQualifier {
            name: n.to_string(),
            qualifier: q.name.clone(),
            what,
            expected,
            help,
            span: n.span,
        });
        false
    }

    /// A person of `org`, written bare or qualified.
    fn person_in(&mut self, org: OrgId, n: &ast::OrgName) -> Option<EmployeeId> {
        if !self.qualifier_ok(org, n, "a person", None) {
            return None;
        }
        self.person(org, &n.name)
    }

    /// A seal of `org`, written bare or qualified.
    fn seal_in(&mut self, org: OrgId, n: &ast::OrgName, help: Option<String>) -> Option<SealId> {
        if !self.qualifier_ok(org, n, "a seal", help) {
            return None;
        }
        self.seal(org, &n.name)
    }

    fn role(&mut self, name: &'a str) -> RoleId {
        let next = RoleId::from_index(self.m.roles.len());
        match self.roles.entry(name) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(v) => {
                v.insert(next);
                self.m.roles.push(name.to_owned());
                next
            }
        }
    }

    fn label(&mut self, l: &'a Option<ast::Ident>, what: Labelled) {
        let Some(l) = l else { return };
        match self.labels.entry(l.name.as_str()) {
            Entry::Occupied(e) => {
                let first = e.get().1;
                let first = self.loc(first);
                self.err(CheckError::Duplicate {
                    what: "label",
                    name: l.name.clone(),
                    first,
                    span: l.span,
                });
            }
            Entry::Vacant(v) => {
                v.insert((what, l.span));
            }
        }
    }

    /// Binds a label reserved by [`Self::label`] to the statement it
    /// labels, once that statement is in the model. A statement that
    /// could not be resolved keeps [`Labelled::Unresolved`], so its label
    /// never names another statement (and naming it reports nothing more).
    fn bind(&mut self, l: &Option<ast::Ident>, what: Labelled) {
        let Some(l) = l else { return };
        if let Some(e) = self.labels.get_mut(l.name.as_str()) {
            // Not a duplicate's: spans compare equal whatever they cover.
            if (e.1.file, e.1.start) == (l.span.file, l.span.start) {
                e.0 = what;
            }
        }
    }

    // ------------------------------------------------------------ times

    fn stamp(&mut self, t: &ast::Time, end: End) -> Option<Stamp> {
        match t.value {
            TimeValue::Instant(dt) => Some(Stamp {
                at: Instant::from_datetime(&dt),
                tz: *dt.offset(),
                date: false,
            }),
            TimeValue::Date(d) => {
                let Some(tz) = t.tz else {
                    self.err(CheckError::DateWithoutTimezone {
                        text: t.raw.clone(),
                        span: t.span,
                    });
                    return None;
                };
                let at = match end {
                    End::Start => Instant::start_of_day(d, tz),
                    End::Until => Instant::end_of_day(d, tz),
                }?;
                Some(Stamp { at, tz, date: true })
            }
        }
    }

    fn window(&mut self, v: &ast::Validity, span: Span) -> Window {
        let from = v.from.as_ref().and_then(|t| self.stamp(t, End::Start));
        let until = match &v.until {
            Some(Until::Time(t)) => self.stamp(t, End::Until),
            _ => None,
        };
        if let (Some(f), Some(u)) = (from, until) {
            if f.at > u.at {
                self.err(CheckError::FromAfterUntil {
                    from: v.from.as_ref().map(|t| t.raw.clone()).unwrap_or_default(),
                    until: match &v.until {
                        Some(Until::Time(t)) => t.raw.clone(),
                        _ => String::new(),
                    },
                    span,
                });
            }
        }
        Window {
            from,
            until,
            revoked: None,
        }
    }

    // ------------------------------------------------------------ declarations

    fn declarations(&mut self, stmts: &[&'a ast::Stmt]) {
        // Orgs first, so members and groups can name any org.
        for s in stmts {
            let StmtKind::Org(ast::Org { id, name, .. }) = &s.kind else {
                continue;
            };
            match self.orgs.entry(id.name.as_str()) {
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
                    let oid = OrgId::from_index(self.m.orgs.len());
                    v.insert((oid, id.span));
                    self.m.orgs.push(Org {
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
        for s in stmts {
            match &s.kind {
                StmtKind::Org(ast::Org { id, members, .. }) => {
                    let Some(&(oid, first_span)) = self.orgs.get(id.name.as_str()) else {
                        continue;
                    };
                    if first_span.start != id.span.start || first_span.file != id.span.file {
                        continue; // a duplicate org: already reported
                    }
                    for m in members {
                        self.member(oid, &m.member);
                    }
                }
                StmtKind::Group(ast::Group {
                    id,
                    name,
                    main,
                    members,
                }) => self.group(id, name, main, members),
                StmtKind::Attribute(ast::Attribute { id, ty, doc }) => {
                    self.attrs_declared = true;
                    match self.attrs.entry(id.name.as_str()) {
                        Entry::Occupied(_) => {
                            let first = self
                                .attr_spans
                                .get(id.name.as_str())
                                .map_or_else(String::new, |s| self.loc(*s));
                            self.err(CheckError::Duplicate {
                                what: "attribute",
                                name: id.name.clone(),
                                first,
                                span: id.span,
                            })
                        }
                        Entry::Vacant(v) => {
                            v.insert(AttrId::from_index(self.m.attributes.len()));
                            self.attr_spans.insert(id.name.as_str(), id.span);
                            self.m.attributes.push(Attribute {
                                name: id.name.clone(),
                                ty: Some(*ty),
                                doc: doc.as_ref().map(|d| d.value.clone()),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn member(&mut self, oid: OrgId, m: &'a Member) {
        let id = m.id();
        let dup = |c: &mut Self, what: &'static str, first: Span| {
            let first = c.loc(first);
            c.err(CheckError::Duplicate {
                what,
                name: id.name.clone(),
                first,
                span: id.span,
            });
        };
        match m {
            Member::SuperAdmin { name, .. } | Member::Employee { name, .. } => {
                let key = (oid, id.name.as_str());
                if let Some(e) = self.persons.get(&key) {
                    let first = self.m.employees.get(e.index()).map_or(id.span, |e| e.span);
                    dup(self, "person", first);
                    return;
                }
                let eid = EmployeeId::from_index(self.m.employees.len());
                self.persons.insert(key, eid);
                self.m.employees.push(Employee {
                    org: oid,
                    name: id.name.clone(),
                    display: name.value.clone(),
                    span: id.span,
                });
                if matches!(m, Member::SuperAdmin { .. }) {
                    let Some(org) = self.m.orgs.get_mut(oid.index()) else {
                        return;
                    };
                    match org.super_admin {
                        Some(first) => {
                            let org_name = org.name.clone();
                            let first = self
                                .m
                                .employees
                                .get(first.index())
                                .map_or(id.span, |e| e.span);
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
            }
            Member::Seal { name, kind, .. } => {
                let key = (oid, id.name.as_str());
                if let Some(s) = self.seals.get(&key) {
                    let first = self.m.seals.get(s.index()).map_or(id.span, |s| s.span);
                    dup(self, "seal", first);
                    return;
                }
                let kind = match kind {
                    None => ast::SealKind::Other,
                    Some(k) => match ast::SealKind::parse(&k.name) {
                        Some(k) => k,
                        None => {
                            self.unknown_kind(k);
                            ast::SealKind::Other
                        }
                    },
                };
                self.seals
                    .insert(key, SealId::from_index(self.m.seals.len()));
                self.m.seals.push(Seal {
                    org: oid,
                    name: id.name.clone(),
                    display: name.value.clone(),
                    kind,
                    toggles: ThinVec::new(),
                    span: id.span,
                });
            }
            Member::Template {
                name, signatories, ..
            } => {
                let key = (oid, id.name.as_str());
                if let Some(t) = self.templates.get(&key) {
                    let first = self.m.templates.get(t.index()).map_or(id.span, |t| t.span);
                    dup(self, "template", first);
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
                self.templates
                    .insert(key, TemplateId::from_index(self.m.templates.len()));
                self.m.templates.push(Template {
                    org: oid,
                    name: id.name.clone(),
                    display: name.value.clone(),
                    signatories: roles,
                    toggles: ThinVec::new(),
                    span: id.span,
                });
            }
        }
    }

    fn unknown_kind(&mut self, k: &ast::Ident) {
        let close = suggest::closest(
            &k.name,
            ast::SealKind::ALL.iter().map(|k| k.as_str()),
            &mut self.budget,
        );
        let help = close.or_else(&k.name, || {
            String::from("seal kinds are `official`, `contract`, `finance`, `personnel`, `legal_rep` and `other`")
        });
        self.err(CheckError::UnknownSealKind {
            name: k.name.clone(),
            help,
            span: k.span,
        });
    }

    fn group(
        &mut self,
        id: &'a ast::Ident,
        name: &ast::Str,
        main: &ast::Ident,
        members: &[ast::Ident],
    ) {
        let gid = GroupId::from_index(self.m.groups.len());
        match self.groups.entry(id.name.as_str()) {
            Entry::Occupied(e) => {
                let first = self.sources.location(e.get().1);
                self.err(CheckError::Duplicate {
                    what: "group",
                    name: id.name.clone(),
                    first,
                    span: id.span,
                });
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
                let first = self.loc(first.span);
                self.err(CheckError::Duplicate {
                    what: "group member",
                    name: m.name.clone(),
                    first,
                    span: m.span,
                });
                continue;
            }
            ids.push(oid);
        }
        for &oid in ids.iter().chain(std::iter::once(&main_id)) {
            let Some(org) = self.m.orgs.get_mut(oid.index()) else {
                continue;
            };
            match org.group {
                Some(first) => {
                    let org_name = org.name.clone();
                    let first = self
                        .m
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
        self.m.groups.push(Group {
            name: id.name.clone(),
            display: name.value.clone(),
            main: main_id,
            members: ids,
            span: id.span,
        });
    }

    // ------------------------------------------------------------ rules

    fn rules(&mut self, stmts: &[&'a ast::Stmt]) {
        for s in stmts {
            match &s.kind {
                StmtKind::OwnRule(ast::OwnRule {
                    org,
                    template,
                    seal,
                    validity,
                    when,
                }) => {
                    let id = SealRuleId::from_index(self.m.seal_rules.len());
                    self.label(&s.label, Labelled::Unresolved);
                    let window = self.window(validity, s.span);
                    let cond = when.as_ref().map(|w| self.condition(w));
                    let Some(oid) = self.org(org) else { continue };
                    let t = self.template(oid, template);
                    let sl = self.seal_in(oid, seal, None);
                    let (Some(t), Some(sl)) = (t, sl) else {
                        continue;
                    };
                    self.m.seal_rules.push(SealRule {
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
                    self.bind(&s.label, Labelled::SealRule(id));
                }
                StmtKind::PartnerGrant(ast::PartnerGrant {
                    partner,
                    org,
                    template,
                    role,
                    seal,
                    via,
                    validity,
                    when,
                }) => {
                    let id = SealRuleId::from_index(self.m.seal_rules.len());
                    self.label(&s.label, Labelled::Unresolved);
                    let mut window = self.window(validity, s.span);
                    let cond = when.as_ref().map(|w| self.condition(w));
                    let p = self.org(partner);
                    let o = self.org(org);
                    let t = o.and_then(|o| self.template(o, template));
                    let sl = p.and_then(|p| self.seal_in(p, seal, None));
                    let rid = self.role(role.value.as_str());
                    if let Some(tid) = t {
                        self.check_role(tid, rid, role);
                    }
                    // The acceptance is checked against the invite once all
                    // invites are known (in `finish`); here only its time.
                    let accepted = via
                        .as_ref()
                        .and_then(|v| self.stamp(&v.accepted, End::Start));
                    if let Some(a) = accepted {
                        if window.from.is_none_or(|f| f.at < a.at) {
                            window.from = Some(a);
                        }
                        // `from` after `until` is an error; an acceptance
                        // after `until` leaves a grant that never applies.
                        if let Some(u) = window.until.filter(|u| u.at <= a.at) {
                            self.accepted_late.insert((s.span.file, s.span.start));
                            let label = s.label.as_ref().map(|l| l.name.as_str());
                            self.warn(CheckWarning::NeverApplies {
                                rule: self.rule_name(label, s.span),
                                reason: format!(
                                    "it is accepted at {}, no earlier than its `until {}`",
                                    a.display(),
                                    u.display_until()
                                ),
                                span: s.span,
                            });
                        }
                    }
                    if let (Some(p), Some(v)) = (p, via) {
                        self.person_in(p, &v.by);
                    }
                    let (Some(p), Some(t), Some(sl)) = (p, t, sl) else {
                        // Its invite is still accepted: one mistake, one
                        // diagnostic.
                        if let Some(v) = via {
                            self.unresolved_vias.push(v.invite.name.as_str());
                        }
                        continue;
                    };
                    if via.is_some() {
                        self.vias.push((id, *s));
                    }
                    self.m.seal_rules.push(SealRule {
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
                    self.bind(&s.label, Labelled::SealRule(id));
                }
                StmtKind::EmployeeRule(ast::EmployeeRule {
                    employee,
                    template,
                    on_behalf,
                    validity,
                    when,
                }) => {
                    let id = EmployeeRuleId::from_index(self.m.employee_rules.len());
                    self.label(&s.label, Labelled::Unresolved);
                    let window = self.window(validity, s.span);
                    let cond = when.as_ref().map(|w| self.condition(w));
                    let Some(eid) = self.qperson(employee) else {
                        continue;
                    };
                    let own = self.m.employee(eid).map(|e| e.org);
                    let Some(own) = own else { continue };
                    let target = match on_behalf {
                        None => own,
                        Some(sub) => {
                            let Some(sid) = self.org(sub) else { continue };
                            let main = self
                                .m
                                .org(sid)
                                .and_then(|o| o.group)
                                .and_then(|g| self.m.groups.get(g.index()))
                                .map(|g| g.main);
                            if main != Some(own) {
                                let members: Vec<&str> = self
                                    .m
                                    .orgs
                                    .get(own.index())
                                    .and_then(|o| o.group)
                                    .and_then(|g| self.m.groups.get(g.index()))
                                    .filter(|g| g.main == own)
                                    .map(|g| {
                                        g.members.iter().map(|m| self.m.org_name(*m)).collect()
                                    })
                                    .unwrap_or_default();
                                let close = suggest::closest(
                                    &sub.name,
                                    members.iter().copied(),
                                    &mut self.budget,
                                );
                                let help = close.or_else(&sub.name, || {
                                    String::from("only the main org of a group may initiate on behalf of its members")
                                });
                                self.err(CheckError::NotGroupMember {
                                    org: sub.name.clone(),
                                    main: self.m.org_name(own).to_owned(),
                                    help,
                                    span: sub.span,
                                });
                                continue;
                            }
                            sid
                        }
                    };
                    let tid = match template {
                        None => None,
                        Some(q) => {
                            let Some(tid) = self.qtemplate(q) else {
                                continue;
                            };
                            let owner = self.m.template(tid).map(|t| t.org);
                            if owner != Some(target) {
                                let target_name = self.m.org_name(target).to_owned();
                                self.err(CheckError::WrongOrg {
                                    what: "template",
                                    name: q.to_string(),
                                    owner: q.org.name.clone(),
                                    expected: target_name.clone(),
                                    help: format!(
                                        "this authorization covers templates of `{target_name}`"
                                    ),
                                    span: q.span,
                                });
                                continue;
                            }
                            Some(tid)
                        }
                    };
                    self.m.employee_rules.push(EmployeeRule {
                        label: s.label.as_ref().map(|l| l.name.clone()),
                        employee: eid,
                        target,
                        on_behalf: on_behalf.is_some(),
                        template: tid,
                        window,
                        cond,
                        span: s.span,
                    });
                    self.bind(&s.label, Labelled::EmployeeRule(id));
                }
                StmtKind::Forbid(ast::Forbid {
                    signer,
                    template,
                    kind,
                    validity,
                    when,
                }) => {
                    let id = ForbidId::from_index(self.m.forbids.len());
                    self.label(&s.label, Labelled::Unresolved);
                    let window = self.window(validity, s.span);
                    self.in_forbid = true;
                    let cond = when.as_ref().map(|w| self.condition(w));
                    self.in_forbid = false;
                    let sg = signer.as_ref().map(|o| self.org(o));
                    let tp = template.as_ref().map(|t| self.qtemplate(t));
                    let kd = kind.as_ref().map(|k| {
                        let parsed = ast::SealKind::parse(&k.name);
                        if parsed.is_none() {
                            self.unknown_kind(k);
                        }
                        parsed
                    });
                    if matches!(sg, Some(None))
                        || matches!(tp, Some(None))
                        || matches!(kd, Some(None))
                    {
                        continue;
                    }
                    self.m.forbids.push(Forbid {
                        label: s.label.as_ref().map(|l| l.name.clone()),
                        signer: sg.flatten(),
                        template: tp.flatten(),
                        kind: kd.flatten(),
                        window,
                        cond,
                        span: s.span,
                    });
                    self.bind(&s.label, Labelled::Forbid(id));
                }
                StmtKind::Invite(ast::Invite {
                    org,
                    template,
                    role,
                    at,
                    valid_for,
                }) => {
                    let id = InviteId::from_index(self.m.invites.len());
                    if s.label.is_none() {
                        self.err(CheckError::InviteWithoutLabel {
                            org: org.name.clone(),
                            span: s.span,
                        });
                    }
                    self.label(&s.label, Labelled::Unresolved);
                    let opens = self.stamp(at, End::Start);
                    let Some(oid) = self.org(org) else { continue };
                    let Some(tid) = self.template(oid, template) else {
                        continue;
                    };
                    let rid = self.role(role.value.as_str());
                    self.check_role(tid, rid, role);
                    let Some(opens) = opens else { continue };
                    let dt = opens.at.to_datetime(opens.tz);
                    let closes = dt.and_then(|dt| match valid_for {
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
                    self.m.invites.push(Invite {
                        label: s.label.as_ref().map(|l| l.name.clone()).unwrap_or_default(),
                        org: oid,
                        template: tid,
                        role: rid,
                        opens,
                        closes,
                        span: s.span,
                    });
                    self.bind(&s.label, Labelled::Invite(id));
                }
                StmtKind::Service(ast::Service { .. })
                | StmtKind::SuperAdminChange(ast::SuperAdminChange { .. })
                | StmtKind::SealToggle(ast::SealToggle { .. })
                | StmtKind::TemplateToggle(ast::TemplateToggle { .. })
                | StmtKind::Revoke(ast::Revoke { .. })
                | StmtKind::Reseal(ast::Reseal { .. }) => self.label(&s.label, Labelled::Event),
                _ => {}
            }
        }
    }

    fn check_role(&mut self, tid: TemplateId, rid: RoleId, role: &ast::Str) {
        let Some(t) = self.m.template(tid) else {
            return;
        };
        if t.signatories.is_empty() || t.signatories.contains(&rid) {
            return;
        }
        let roles = t
            .signatories
            .iter()
            .map(|r| format!("\"{}\"", self.m.role_name(*r)))
            .collect::<Vec<_>>()
            .join(", ");
        let template = self.m.template_name(tid);
        self.err(CheckError::UnknownRole {
            role: role.value.clone(),
            template,
            roles,
            span: role.span,
        });
    }

    fn condition(&mut self, c: &'a ast::Condition) -> Condition {
        let mut nodes = Vec::new();
        self.expr(&c.expr, &mut nodes);
        Condition {
            nodes,
            span: c.span,
        }
    }

    fn expr(&mut self, e: &'a Expr, out: &mut Vec<CondNode>) -> u32 {
        let node = match e {
            Expr::Paren(inner) => return self.expr(inner, out),
            Expr::Or(parts) | Expr::And(parts) => {
                let ids = parts.iter().map(|p| self.expr(p, out)).collect();
                if matches!(e, Expr::Or(_)) {
                    CondNode::Or(ids)
                } else {
                    CondNode::And(ids)
                }
            }
            Expr::Not(inner) => CondNode::Not(self.expr(inner, out)),
            Expr::Cmp { attr, op, value } => {
                let a = self.attr(attr);
                let v = self.literal(a, value);
                if !matches!(op, ast::CmpOp::Eq | ast::CmpOp::Ne) && !matches!(v, Value::Number(_))
                {
                    self.err(CheckError::OrderingNeedsNumber {
                        op: op.as_str(),
                        used: v.type_name(),
                        span: value.span(),
                    });
                }
                CondNode::Cmp {
                    attr: a,
                    op: *op,
                    value: v,
                }
            }
            Expr::In { attr, values } => {
                let a = self.attr(attr);
                if values.is_empty() {
                    // A forbid fails closed: it still blocks whenever the
                    // attribute is not given.
                    let consequence = if self.in_forbid {
                        "; the forbid still blocks a request that does not give it"
                    } else {
                        ""
                    };
                    self.warn(CheckWarning::EmptyList {
                        attr: attr.name.clone(),
                        consequence,
                        span: attr.span,
                    });
                }
                let values = values.iter().map(|v| self.literal(a, v)).collect();
                CondNode::In { attr: a, values }
            }
        };
        out.push(node);
        u32::try_from(out.len() - 1).unwrap_or(u32::MAX)
    }

    fn attr(&mut self, id: &'a ast::Ident) -> AttrId {
        if let Some(a) = self.attrs.get(id.name.as_str()) {
            return *a;
        }
        if self.attrs_declared {
            let close =
                suggest::closest(&id.name, self.attr_spans.keys().copied(), &mut self.budget);
            let help = close.or_else(&id.name, || {
                format!(
                    "declare it, for example `attribute {}: number`, so its type is checked",
                    id.name
                )
            });
            self.warn(CheckWarning::UndeclaredAttribute {
                attr: id.name.clone(),
                help,
                span: id.span,
            });
        }
        let a = AttrId::from_index(self.m.attributes.len());
        self.attrs.insert(id.name.as_str(), a);
        self.m.attributes.push(Attribute {
            name: id.name.clone(),
            ty: None,
            doc: None,
        });
        a
    }

    fn literal(&mut self, attr: AttrId, l: &Literal) -> Value {
        let v = match l {
            Literal::Number(d, _, _) => Value::Number(*d),
            Literal::Str(s) => Value::Str(s.value.clone()),
            Literal::Bool(b, _) => Value::Bool(*b),
        };
        if let Some(ty) = self.m.attributes.get(attr.index()).and_then(|a| a.ty) {
            if ty.as_str() != v.type_name() {
                self.err(CheckError::AttributeType {
                    attr: self.m.attr_name(attr).to_owned(),
                    declared: ty.as_str(),
                    used: v.type_name(),
                    span: l.span(),
                });
            }
        }
        v
    }

    // ------------------------------------------------------------ events

    /// Super-admin changes, first: every act "by the super admin" is
    /// judged against the one at its instant.
    fn admin_changes(&mut self, stmts: &[&'a ast::Stmt]) {
        for s in stmts {
            let StmtKind::SuperAdminChange(ast::SuperAdminChange { org, to, at }) = &s.kind else {
                continue;
            };
            let stamp = self.stamp(at, End::Start);
            let Some(oid) = self.org(org) else { continue };
            let Some(to) = self.person_in(oid, to) else {
                continue;
            };
            let (Some(stamp), Some(o)) = (stamp, self.m.orgs.get_mut(oid.index())) else {
                continue;
            };
            o.admin_changes.push(AdminChange {
                stamp,
                to,
                span: s.span,
            });
        }
        let mut found = Vec::new();
        for o in &mut self.m.orgs {
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
                    person: self.m.employee_name(c.to),
                    org,
                    at: c.stamp.display(),
                    span: c.span,
                }),
            }
        }
    }

    /// Who is the super admin of `org` at `at`, for a help message.
    fn admin_then(&self, org: OrgId, at: Stamp) -> String {
        let name = self.m.org_name(org);
        match self.m.org(org).and_then(|o| o.super_admin_at(at.at)) {
            Some(p) => format!(
                "at {} the super admin of `{name}` is `{}`",
                at.display(),
                self.m.employee_name(p)
            ),
            None => format!("`{name}` has no super admin at {}", at.display()),
        }
    }

    fn events(&mut self, stmts: &[&'a ast::Stmt]) {
        self.admin_changes(stmts);
        for s in stmts {
            match &s.kind {
                StmtKind::Service(ast::Service {
                    org,
                    enable,
                    at,
                    by,
                }) => {
                    let stamp = self.stamp(at, End::Start);
                    let Some(oid) = self.org(org) else { continue };
                    self.push_toggle(Timeline::Service, oid.0, stamp, *enable, s.span);
                    if *enable && by.is_none() {
                        let help = match stamp {
                            Some(st) => format!(
                                "add `by PERSON`, the super admin who signed the service agreement; {}",
                                self.admin_then(oid, st)
                            ),
                            None => String::from(
                                "add `by PERSON`, the super admin who signed the service agreement",
                            ),
                        };
                        self.warn(CheckWarning::EnablesWithoutBy {
                            org: org.name.clone(),
                            help,
                            span: s.span,
                        });
                    }
                    if let Some(b) = by {
                        let Some(p) = self.person_in(oid, b) else {
                            continue;
                        };
                        // An unreadable time is an error of its own.
                        let Some(stamp) = stamp else { continue };
                        let admin = self.m.org(oid).and_then(|o| o.super_admin_at(stamp.at));
                        if admin != Some(p) {
                            let help = format!(
                                "only the org's super admin opens or closes the auto-sign service; {}",
                                self.admin_then(oid, stamp)
                            );
                            self.err(CheckError::NotSuperAdmin {
                                person: format!("{}.{}", org.name, b.name.name),
                                org: org.name.clone(),
                                help,
                                span: b.span,
                            });
                        }
                    }
                }
                StmtKind::SealToggle(ast::SealToggle { enable, seal, at }) => {
                    let stamp = self.stamp(at, End::Start);
                    if let Some(sid) = self.qseal(seal) {
                        self.push_toggle(Timeline::Seal, sid.0, stamp, *enable, s.span);
                    }
                }
                StmtKind::TemplateToggle(ast::TemplateToggle {
                    enable,
                    template,
                    at,
                }) => {
                    let stamp = self.stamp(at, End::Start);
                    if let Some(tid) = self.qtemplate(template) {
                        self.push_toggle(Timeline::Template, tid.0, stamp, *enable, s.span);
                    }
                }
                StmtKind::Revoke(ast::Revoke { target, at, by }) => {
                    self.revoke(s, target, at, by.as_ref())
                }
                StmtKind::Reseal(ast::Reseal { target, seal, at }) => {
                    self.reseal(s, target, seal, at)
                }
                _ => {}
            }
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
            self.incomplete.insert((timeline, id));
            return;
        };
        let i = id as usize;
        let list = match timeline {
            Timeline::Service => self.m.orgs.get_mut(i).map(|o| &mut o.service),
            Timeline::Seal => self.m.seals.get_mut(i).map(|x| &mut x.toggles),
            Timeline::Template => self.m.templates.get_mut(i).map(|x| &mut x.toggles),
        };
        if let Some(list) = list {
            list.push(Toggle { stamp, on, span });
        }
    }

    /// The statement a label names; `fits` says which labels a hint may
    /// suggest.
    fn target(
        &mut self,
        target: &ast::Ident,
        expected: &'static str,
        fits: fn(Labelled) -> bool,
    ) -> Option<Labelled> {
        match self.labels.get(target.name.as_str()) {
            Some((l, _)) => Some(*l),
            None => {
                let close = self.close_label(&target.name, fits);
                let help = close.or_else(&target.name, || {
                    format!("`{}` names a labelled {expected}", target.name)
                });
                self.err(CheckError::UnknownLabel {
                    name: target.name.clone(),
                    help,
                    span: target.span,
                });
                None
            }
        }
    }

    /// The label closest to `name` among those `fits` accepts.
    fn close_label(&mut self, name: &str, fits: fn(Labelled) -> bool) -> suggest::Close {
        suggest::closest(
            name,
            self.labels
                .iter()
                .filter(|(_, (l, _))| fits(*l))
                .map(|(k, _)| *k),
            &mut self.budget,
        )
    }

    fn revoke(
        &mut self,
        s: &ast::Stmt,
        target: &ast::Ident,
        at: &ast::Time,
        by: Option<&ast::OrgName>,
    ) {
        let stamp = self.stamp(at, End::Start);
        let Some(t) = self.target(target, "rule", Labelled::is_rule) else {
            return;
        };
        // The org whose person may revoke: the one whose seal or employee
        // the rule concerns; a forbid has none.
        let org = match t {
            Labelled::SealRule(id) => self.m.seal_rules.get(id.index()).map(|r| r.signer),
            Labelled::EmployeeRule(id) => self
                .m
                .employee_rules
                .get(id.index())
                .and_then(|r| self.m.employee(r.employee))
                .map(|e| e.org),
            Labelled::Forbid(_) => None,
            // The rule has an error of its own.
            Labelled::Unresolved => return,
            other => {
                self.err(CheckError::WrongTarget {
                    name: target.name.clone(),
                    expected: "a rule",
                    found: other.what(),
                    help: String::from("`revoke` names a labelled rule or grant"),
                    span: target.span,
                });
                return;
            }
        };
        let partner_grant = match t {
            Labelled::SealRule(id) => self
                .m
                .seal_rules
                .get(id.index())
                .is_some_and(|r| matches!(r.kind, SealRuleKind::Partner { .. })),
            _ => false,
        };
        let by_id = match (by, org) {
            (None, _) => None,
            (Some(b), Some(org)) => {
                let help = partner_grant.then(|| {
                    let org = self.m.org_name(org);
                    format!("a partner grant is revoked by the super admin of `{org}`, the partner")
                });
                if self.qualifier_ok(org, b, "a person", help) {
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
        let window = match t {
            Labelled::SealRule(id) => {
                let Some(r) = self.m.seal_rules.get(id.index()) else {
                    return;
                };
                if let (SealRuleKind::Partner { .. }, Some(b), Some(p), Some(stamp)) =
                    (r.kind, by, by_id, stamp)
                {
                    let partner = r.signer;
                    if self.m.org(partner).and_then(|o| o.super_admin_at(stamp.at)) != Some(p) {
                        let org = self.m.org_name(partner).to_owned();
                        let help = format!(
                            "a partner grant is revoked by the super admin of `{org}`; {}",
                            self.admin_then(partner, stamp)
                        );
                        self.err(CheckError::NotSuperAdmin {
                            person: format!("{org}.{}", b.name.name),
                            org: org.clone(),
                            help,
                            span: b.span,
                        });
                    }
                }
                self.m.seal_rules.get_mut(id.index()).map(|r| &mut r.window)
            }
            Labelled::EmployeeRule(id) => self
                .m
                .employee_rules
                .get_mut(id.index())
                .map(|r| &mut r.window),
            Labelled::Forbid(id) => self.m.forbids.get_mut(id.index()).map(|r| &mut r.window),
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
        let twice = match &w.revoked {
            Some(prev) => {
                if stamp.at < prev.stamp.at {
                    w.revoked = Some(Box::new(rev));
                }
                true
            }
            None => {
                w.revoked = Some(Box::new(rev));
                false
            }
        };
        if twice {
            self.warn(CheckWarning::RevokedTwice {
                rule: target.name.clone(),
                span: s.span,
            });
        }
    }

    /// A bare person name where no org is known (the `by` of a forbid's
    /// revoke): an error that asks for `ORG.PERSON`, naming the orgs that
    /// have such a person.
    fn unqualified_person(&mut self, b: &ast::OrgName) {
        let mut orgs: Vec<&str> = self
            .m
            .employees
            .iter()
            .filter(|e| e.name == b.name.name)
            .map(|e| self.m.org_name(e.org))
            .collect();
        orgs.sort_unstable();
        let name = &b.name.name;
        let help = match orgs.as_slice() {
            [] => format!("write it as `ORG.{name}`"),
            [one] => format!("write `{one}.{name}`"),
            many => format!(
                "write `ORG.{name}`: {} have a person `{name}`",
                many.iter()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.err(CheckError::UnqualifiedName {
            name: name.clone(),
            why: "a forbid belongs to no org",
            help,
            span: b.span,
        });
    }

    fn reseal(&mut self, s: &ast::Stmt, target: &ast::Ident, seal: &ast::OrgName, at: &ast::Time) {
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
                expected: "a partner grant or auto-sign template rule",
                found: t.what(),
                help: String::from("`reseal` names a partner grant or an auto-sign template rule"),
                span: target.span,
            });
            return;
        };
        let Some(rule_org) = self.m.seal_rules.get(id.index()).map(|r| r.signer) else {
            return;
        };
        let expected = self.m.org_name(rule_org).to_owned();
        let help = format!("a reseal keeps the org: use a seal of `{expected}`");
        let (Some(sid), Some(stamp)) = (self.seal_in(rule_org, seal, Some(help)), stamp) else {
            return;
        };
        if let Some(r) = self.m.seal_rules.get_mut(id.index()) {
            r.reseals.push(Reseal {
                stamp,
                seal: sid,
                span: s.span,
            });
        }
    }

    // ------------------------------------------------------------ whole-set checks

    fn finish(&mut self, stmts: &[&'a ast::Stmt]) {
        // Timelines in time order, whatever the order of files and
        // statements. At one instant an `off` event sorts last, so it wins
        // (fail closed), and reseals sort by seal name.
        let toggle_key = |t: &Toggle| (t.stamp.at, !t.on);
        for o in &mut self.m.orgs {
            o.service.sort_by_key(toggle_key);
        }
        for x in &mut self.m.seals {
            x.toggles.sort_by_key(toggle_key);
        }
        for x in &mut self.m.templates {
            x.toggles.sort_by_key(toggle_key);
        }
        let names: Vec<String> = (0..self.m.seals.len())
            .map(|i| self.m.seal_name(SealId::from_index(i)))
            .collect();
        for r in &mut self.m.seal_rules {
            r.reseals.sort_by(|a, b| {
                (a.stamp.at, names.get(a.seal.index()))
                    .cmp(&(b.stamp.at, names.get(b.seal.index())))
            });
        }
        self.invites();
        self.duplicates(stmts);
        self.never_applies();
        self.never_seals();
        self.conflicts();
    }

    /// Links grants to their invites; a grant that breaks its invite is void.
    fn invites(&mut self) {
        let mut accepted = vec![false; self.m.invites.len()];
        for (rid, s) in std::mem::take(&mut self.vias) {
            let StmtKind::PartnerGrant(ast::PartnerGrant {
                org,
                template,
                role,
                via: Some(via),
                ..
            }) = &s.kind
            else {
                continue;
            };
            let rid = rid.index();
            let inv = match self.labels.get(via.invite.name.as_str()) {
                Some((Labelled::Invite(i), _)) => *i,
                // The invite has an error of its own.
                Some((Labelled::Unresolved, _)) => continue,
                Some((other, _)) => {
                    let found = other.what();
                    self.err(CheckError::WrongTarget {
                        name: via.invite.name.clone(),
                        expected: "an invite",
                        found,
                        help: String::from("`via invite` names a labelled invite"),
                        span: via.invite.span,
                    });
                    continue;
                }
                None => {
                    let close =
                        self.close_label(&via.invite.name, |l| matches!(l, Labelled::Invite(_)));
                    // The invite it surely meant is not "never accepted".
                    if let suggest::Close::Found(meant) = &close {
                        if let Some((Labelled::Invite(i), _)) = self.labels.get(meant.as_str()) {
                            if let Some(a) = accepted.get_mut(i.index()) {
                                *a = true;
                            }
                        }
                    }
                    let help = close.or_else(&via.invite.name, || {
                        String::from("an invite is a labelled `ORG invites partners to authorize template ...` event")
                    });
                    self.err(CheckError::UnknownInvite {
                        name: via.invite.name.clone(),
                        help,
                        span: via.invite.span,
                    });
                    continue;
                }
            };
            let Some(invite) = self.m.invites.get(inv.index()).cloned() else {
                continue;
            };
            if let Some(a) = accepted.get_mut(inv.index()) {
                *a = true;
            }
            let Some(rule) = self.m.seal_rules.get(rid) else {
                continue;
            };
            let partner = rule.signer;
            let accepted_at = self.stamp(&via.accepted, End::Start);
            let mismatch = if self.m.org_name(invite.org) != org.name {
                Some("inviting org")
            } else if self.m.template(invite.template).map(|t| t.name.as_str())
                != Some(template.name.as_str())
            {
                Some("template")
            } else if self.m.role_name(invite.role) != role.value {
                Some("signatory role")
            } else {
                None
            };
            let by = self
                .persons
                .get(&(partner, via.by.name.name.as_str()))
                .copied();
            // Who accepted, when that was not the super admin at the
            // instant (an unknown person, or an unreadable time, is an
            // error of its own).
            let not_admin = match (by, accepted_at) {
                (Some(p), Some(a)) => (self.m.org(partner).and_then(|o| o.super_admin_at(a.at))
                    != Some(p))
                .then_some(a),
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
            } else if let Some(a) = not_admin {
                Some(Void::NotSuperAdmin {
                    person: format!("{}.{}", self.m.org_name(partner), via.by.name.name),
                    org: self.m.org_name(partner).to_owned(),
                    at: a.display(),
                })
            } else {
                None
            };
            let name = self.rule_name(s.label.as_ref().map(|l| l.name.as_str()), s.span);
            if let Some(v) = &void {
                self.warn(CheckWarning::VoidGrant {
                    rule: name,
                    reason: v.to_string(),
                    span: via.span,
                });
            }
            if let Some(r) = self.m.seal_rules.get_mut(rid) {
                r.void = void.map(Box::new);
                if let SealRuleKind::Partner { role, .. } = r.kind {
                    r.kind = SealRuleKind::Partner {
                        role,
                        via: Some(inv),
                    };
                }
            }
        }
        for name in std::mem::take(&mut self.unresolved_vias) {
            if let Some((Labelled::Invite(i), _)) = self.labels.get(name) {
                if let Some(a) = accepted.get_mut(i.index()) {
                    *a = true;
                }
            }
        }
        for (i, inv) in self.m.invites.iter().enumerate() {
            // An unlabelled invite is already an error.
            if !accepted.get(i).copied().unwrap_or(true) && !inv.label.is_empty() {
                self.warnings.push(CheckWarning::InviteNeverAccepted {
                    invite: inv.label.clone(),
                    span: inv.span,
                });
            }
        }
    }

    fn duplicates(&mut self, stmts: &[&'a ast::Stmt]) {
        // By meaning: the same rule written twice, at two places.
        let mut seen: FxHashMap<ast::Meaning<'a, StmtKind>, Span> = FxHashMap::default();
        for s in stmts {
            if !s.kind.is_rule() {
                continue;
            }
            match seen.entry(ast::Meaning(&s.kind)) {
                Entry::Occupied(e) => {
                    let first = *e.get();
                    let first_name = stmts
                        .iter()
                        .find(|x| x.span.file == first.file && x.span.start == first.start)
                        .and_then(|x| x.label.as_ref())
                        .map(|l| l.name.clone());
                    let first = self.rule_name(first_name.as_deref(), first);
                    self.warn(CheckWarning::DuplicateRule {
                        first,
                        span: s.span,
                    });
                }
                Entry::Vacant(v) => {
                    v.insert(s.span);
                }
            }
        }
    }

    fn never_applies(&mut self) {
        let mut found = Vec::new();
        let windows = self
            .m
            .seal_rules
            .iter()
            .map(|r| (r.label.as_deref(), r.span, &r.window))
            .chain(
                self.m
                    .employee_rules
                    .iter()
                    .map(|r| (r.label.as_deref(), r.span, &r.window)),
            )
            .chain(
                self.m
                    .forbids
                    .iter()
                    .map(|r| (r.label.as_deref(), r.span, &r.window)),
            );
        for (label, span, w) in windows {
            if self.accepted_late.contains(&(span.file, span.start)) {
                continue;
            }
            if let Some(rev) = &w.revoked {
                if rev.stamp.at <= w.start() {
                    found.push((
                        label,
                        span,
                        format!("it is revoked at {} before it starts", rev.stamp.display()),
                    ));
                    continue;
                }
            }
            // `from` after `until` is an error of its own.
            if w.start() == w.end() && w.from.is_some() && w.until.is_some() {
                found.push((label, span, String::from("its window is empty")));
            }
        }
        for r in &self.m.seal_rules {
            let (s, e) = (r.window.start(), r.window.stop());
            if s >= e || r.void.is_some() {
                continue;
            }
            let signer = self.m.org(r.signer);
            let tpl = self.m.template(r.template);
            let seal = self.m.seal(r.seal);
            let known = |timeline: Timeline, id: u32| !self.incomplete.contains(&(timeline, id));
            let reason = if known(Timeline::Service, r.signer.0)
                && signer.is_some_and(|o| off_throughout(&o.service, false, s, e))
            {
                Some(format!(
                    "the auto-sign service of `{}` is off throughout",
                    self.m.org_name(r.signer)
                ))
            } else if known(Timeline::Template, r.template.0)
                && tpl.is_some_and(|t| off_throughout(&t.toggles, true, s, e))
            {
                Some(format!(
                    "template `{}` is disabled throughout",
                    self.m.template_name(r.template)
                ))
            } else if known(Timeline::Seal, r.seal.0)
                && r.reseals.is_empty()
                && seal.is_some_and(|x| off_throughout(&x.toggles, true, s, e))
            {
                Some(format!(
                    "seal `{}` is disabled throughout",
                    self.m.seal_name(r.seal)
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                found.push((r.label.as_deref(), r.span, reason));
            }
        }
        let found: Vec<(String, Span, String)> = found
            .into_iter()
            .map(|(l, s, reason)| (self.rule_name(l, s), s, reason))
            .collect();
        for (rule, span, reason) in found {
            self.accepted_late.insert((span.file, span.start));
            self.warn(CheckWarning::NeverApplies { rule, reason, span });
        }
    }

    /// Seal rules every auto-seal of which is blocked by forbids without a
    /// condition, for the rule's whole window (each seal it has over time,
    /// its signer, template and the seal's kind), that do apply otherwise.
    fn never_seals(&mut self) {
        // Unconditioned forbids by what they are scoped to: a rule looks
        // only at those that can match it.
        let mut global = Vec::new();
        let mut by_signer: FxHashMap<OrgId, Vec<usize>> = FxHashMap::default();
        let mut by_template: FxHashMap<TemplateId, Vec<usize>> = FxHashMap::default();
        for (i, f) in self.m.forbids.iter().enumerate() {
            if f.cond.is_some() || f.window.start() >= f.window.stop() {
                continue;
            }
            match (f.template, f.signer) {
                (Some(t), _) => by_template.entry(t).or_default().push(i),
                (None, Some(o)) => by_signer.entry(o).or_default().push(i),
                (None, None) => global.push(i),
            }
        }
        if global.is_empty() && by_signer.is_empty() && by_template.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for r in &self.m.seal_rules {
            let (s, e) = (r.window.start(), r.window.stop());
            if s >= e
                || r.void.is_some()
                || self.accepted_late.contains(&(r.span.file, r.span.start))
            {
                continue;
            }
            let candidates = || {
                global
                    .iter()
                    .chain(by_signer.get(&r.signer).into_iter().flatten())
                    .chain(by_template.get(&r.template).into_iter().flatten())
                    .filter_map(|&i| self.m.forbids.get(i))
                    .filter(|f| f.signer.is_none_or(|o| o == r.signer))
                    .filter(|f| f.template.is_none_or(|t| t == r.template))
            };
            // Most rules: nothing blocks their first instant.
            let first_kind = self.m.seal(r.seal_at(s)).map(|x| x.kind);
            if !candidates().any(|f| {
                f.kind.is_none_or(|k| Some(k) == first_kind)
                    && f.window.start() <= s
                    && s < f.window.stop()
            }) {
                continue;
            }
            let candidates: Vec<&Forbid> = candidates().collect();
            let mut blocking: Vec<&Forbid> = Vec::new();
            let blocked = seal_pieces(r).into_iter().all(|(a, b, seal)| {
                let kind = self.m.seal(seal).map(|x| x.kind);
                let mut matching: Vec<&Forbid> = candidates
                    .iter()
                    .copied()
                    .filter(|f| f.kind.is_none_or(|k| Some(k) == kind))
                    .filter(|f| f.window.start() < b && a < f.window.stop())
                    .collect();
                matching.sort_by_key(|f| f.window.start());
                let mut covered = a;
                for f in &matching {
                    if f.window.start() > covered {
                        break;
                    }
                    covered = covered.max(f.window.stop());
                    if !blocking.iter().any(|x| std::ptr::eq(*x, *f)) {
                        blocking.push(f);
                    }
                    if covered >= b {
                        break;
                    }
                }
                covered >= b
            });
            if blocked {
                blocking.sort_by_key(|f| (f.span.file, f.span.start));
                let forbids: Vec<(Option<String>, Span)> =
                    blocking.iter().map(|f| (f.label.clone(), f.span)).collect();
                found.push((r.label.as_deref().map(str::to_owned), r.span, forbids));
            }
        }
        for (label, span, forbids) in found {
            let rule = self.rule_name(label.as_deref(), span);
            let names: Vec<String> = forbids
                .iter()
                .map(|(l, s)| self.rule_name(l.as_deref(), *s))
                .collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let by = match names.as_slice() {
                [one] => format!("forbid `{one}`"),
                _ => format!("forbids {}", listing(&names)),
            };
            self.warn(CheckWarning::NeverSeals { rule, by, span });
        }
    }

    /// Two unconditioned rules for the same key with different seals in
    /// force at the same instant.
    fn conflicts(&mut self) {
        let mut by_key: FxHashMap<(OrgId, TemplateId, Option<RoleId>), Vec<usize>> =
            FxHashMap::default();
        for (i, r) in self.m.seal_rules.iter().enumerate() {
            if r.cond.is_some() || r.void.is_some() {
                continue;
            }
            let role = match r.kind {
                SealRuleKind::Own => None,
                SealRuleKind::Partner { role, .. } => Some(role),
            };
            by_key
                .entry((r.signer, r.template, role))
                .or_default()
                .push(i);
        }
        let mut keys: Vec<_> = by_key.into_values().filter(|v| v.len() > 1).collect();
        keys.sort();
        for ids in keys {
            for (n, &b) in ids.iter().enumerate() {
                for &a in ids.iter().take(n) {
                    let (Some(ra), Some(rb)) = (self.m.seal_rules.get(a), self.m.seal_rules.get(b))
                    else {
                        continue;
                    };
                    if let Some((at, sa, sb)) = first_conflict(ra, rb) {
                        let tz = ra
                            .window
                            .from
                            .map_or(FixedOffset::east_opt(0), |f| Some(f.tz));
                        let at = tz.map_or_else(
                            || at.0.to_string(),
                            |tz| {
                                if at == Instant::MIN {
                                    String::from("the start")
                                } else {
                                    at.display(tz)
                                }
                            },
                        );
                        let key = match ra.kind {
                            SealRuleKind::Own => format!(
                                "`{}` on template `{}`",
                                self.m.org_name(ra.signer),
                                self.m.template_name(ra.template)
                            ),
                            SealRuleKind::Partner { role, .. } => format!(
                                "`{}` on template `{}` as \"{}\"",
                                self.m.org_name(ra.signer),
                                self.m.template_name(ra.template),
                                self.m.role_name(role)
                            ),
                        };
                        let e = CheckError::ConflictingRules {
                            first: self.rule_name(ra.label.as_deref(), ra.span),
                            second: self.rule_name(rb.label.as_deref(), rb.span),
                            key,
                            first_seal: self.m.seal_name(sa),
                            second_seal: self.m.seal_name(sb),
                            at,
                            span: rb.span,
                        };
                        self.err(e);
                    }
                }
            }
        }
    }
}

/// Whether a timeline starting at `initial` is off for all of `[s, e)`.
fn off_throughout(toggles: &[Toggle], initial: bool, s: Instant, e: Instant) -> bool {
    let (on, _) = state_at(toggles, initial, s);
    !on && !toggles
        .iter()
        .any(|t| t.on && t.stamp.at > s && t.stamp.at < e)
}

/// A rule's seal over time: `(start, end, seal)` pieces of its window.
fn seal_pieces(r: &SealRule) -> Vec<(Instant, Instant, SealId)> {
    let (s, e) = (r.window.start(), r.window.stop());
    let mut out = Vec::new();
    let mut cur_start = s;
    let mut cur_seal = r.seal_at(s);
    for rs in &r.reseals {
        if rs.stamp.at <= s {
            continue;
        }
        if rs.stamp.at >= e {
            break;
        }
        out.push((cur_start, rs.stamp.at, cur_seal));
        cur_start = rs.stamp.at;
        cur_seal = rs.seal;
    }
    out.push((cur_start, e, cur_seal));
    out.retain(|(a, b, _)| a < b);
    out
}

fn first_conflict(a: &SealRule, b: &SealRule) -> Option<(Instant, SealId, SealId)> {
    let pa = seal_pieces(a);
    let pb = seal_pieces(b);
    let mut best: Option<(Instant, SealId, SealId)> = None;
    for &(s1, e1, x) in &pa {
        for &(s2, e2, y) in &pb {
            let (s, e) = (s1.max(s2), e1.min(e2));
            if s < e && x != y && best.is_none_or(|(t, _, _)| s < t) {
                best = Some((s, x, y));
            }
        }
    }
    best
}
