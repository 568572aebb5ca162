//! Names: the tables of every declared name (orgs and their persons, seals
//! and templates, groups, signatory roles, attributes), and the lookups
//! the passes make in them, each of which reports an unknown name with its
//! "did you mean ...?" hint: the declared name closest to a misspelt one.

use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};

use compact_str::CompactString;
use hashbrown::hash_table::Entry as TableEntry;
use hashbrown::HashTable;
use rustc_hash::{FxHashMap, FxHasher};

use super::{CheckError, Checker, Close, QualifierHint};
use crate::ast;
use crate::model::{AttrId, EmployeeId, GroupId, OrgId, RoleId, SealId, TemplateId};
use crate::source::Span;

/// Every name of a policy set, to its id in the model. Filled by the
/// declarations; roles and undeclared attributes are added as rules use
/// them. The names are owned: the tables outlive the syntax tree.
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// Orgs, with where each is declared.
    pub(super) orgs: FxHashMap<CompactString, (OrgId, Span)>,
    pub(super) persons: ByOrg<EmployeeId>,
    pub(super) seals: ByOrg<SealId>,
    pub(super) templates: ByOrg<TemplateId>,
    /// Groups, with where each is declared.
    pub(super) groups: FxHashMap<CompactString, (GroupId, Span)>,
    pub(super) roles: FxHashMap<CompactString, RoleId>,
    /// Attributes, declared or used.
    pub(super) attrs: FxHashMap<CompactString, AttrId>,
    /// Where each declared attribute is declared.
    pub(super) attr_spans: FxHashMap<CompactString, Span>,
    /// Whether the set declares any attribute (then using an undeclared
    /// one is a warning).
    pub(super) attrs_declared: bool,
}

/// One kind of member of an org (persons, seals or templates), by org and
/// name, looked up without building an owned key.
#[derive(Debug)]
pub(crate) struct ByOrg<I> {
    table: HashTable<(OrgId, CompactString, I)>,
}

impl<I> Default for ByOrg<I> {
    fn default() -> Self {
        ByOrg {
            table: HashTable::new(),
        }
    }
}

fn by_org_hash(org: OrgId, name: &str) -> u64 {
    let mut h = FxHasher::default();
    org.hash(&mut h);
    name.hash(&mut h);
    h.finish()
}

impl<I: Copy> ByOrg<I> {
    pub(super) fn get(&self, org: OrgId, name: &str) -> Option<I> {
        self.table
            .find(by_org_hash(org, name), |(o, n, _)| *o == org && n == name)
            .map(|(_, _, id)| *id)
    }

    pub(super) fn contains(&self, org: OrgId, name: &str) -> bool {
        self.get(org, name).is_some()
    }

    /// Adds `org`'s `name` as `id`; if `org` has one of that name already,
    /// leaves it and returns its id.
    pub(super) fn insert(&mut self, org: OrgId, name: &str, id: I) -> Result<(), I> {
        let entry = self.table.entry(
            by_org_hash(org, name),
            |(o, n, _)| *o == org && n == name,
            |(o, n, _)| by_org_hash(*o, n),
        );
        match entry {
            TableEntry::Occupied(e) => Err(e.get().2),
            TableEntry::Vacant(v) => {
                v.insert((org, CompactString::from(name), id));
                Ok(())
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = (OrgId, &str)> {
        self.table.iter().map(|(o, n, _)| (*o, n.as_str()))
    }
}

/// A kind of org member looked up by name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MemberKind {
    Person,
    Seal,
    Template,
}

impl MemberKind {
    /// `person`, `seal` or `template`, as a message's params name what
    /// is expected.
    fn key(self) -> &'static str {
        match self {
            MemberKind::Person => "person",
            MemberKind::Seal => "seal",
            MemberKind::Template => "template",
        }
    }
}

/// How many candidate names the suggestions of one check may look at in
/// all: a set with a million labels and many misspelt ones must not turn
/// reporting quadratic. Past it, no suggestion is made, and the hints say
/// so instead of telling the user to declare the name.
const BUDGET: usize = 5_000_000;

/// What the hints of one check need: what is left of [`BUDGET`], and each
/// org's persons, seals and templates by name, sorted (indexed at the
/// first unknown one, after every declaration is read: a clean set never
/// pays for it).
#[derive(Debug)]
pub(super) struct Hints {
    pub(super) budget: usize,
    members: Option<Vec<[Vec<CompactString>; 3]>>,
}

impl Default for Hints {
    fn default() -> Self {
        Hints {
            budget: BUDGET,
            members: None,
        }
    }
}

impl Hints {
    /// The names of `org`'s persons, seals or templates, sorted.
    fn members_of(&self, org: OrgId, what: MemberKind) -> &[CompactString] {
        let Some(m) = self.members.as_ref().and_then(|m| m.get(org.index())) else {
            return &[];
        };
        let [persons, seals, templates] = m;
        match what {
            MemberKind::Person => persons,
            MemberKind::Seal => seals,
            MemberKind::Template => templates,
        }
    }

    fn index_members(&mut self, names: &Names, orgs: usize) {
        if self.members.is_some() {
            return;
        }
        let mut members: Vec<[Vec<CompactString>; 3]> = vec![Default::default(); orgs];
        let mut add = |i: usize, (o, n): (OrgId, &str)| {
            if let Some(m) = members.get_mut(o.index()).and_then(|m| m.get_mut(i)) {
                m.push(CompactString::from(n));
            }
        };
        names.persons.iter().for_each(|x| add(0, x));
        names.seals.iter().for_each(|x| add(1, x));
        names.templates.iter().for_each(|x| add(2, x));
        for m in &mut members {
            for list in m {
                list.sort_unstable();
            }
        }
        self.members = Some(members);
    }
}

/// The closest of `candidates` to `name`, if one is close: an edit
/// distance (with transpositions) of at most a third of the name's length
/// (at least 1, and less than its length), or one is the start of the other (`sun`, `sunli`), or
/// they differ only in case. Ties go to the smaller name, so the answer
/// does not depend on the order of `candidates`. `budget` counts the
/// candidates looked at.
pub(super) fn closest<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    budget: &mut usize,
) -> Close {
    let n = name.chars().count();
    let limit = (n / 3).max(1);
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if *budget == 0 {
            return Close::Unknown;
        }
        *budget -= 1;
        if c == name {
            continue;
        }
        let m = c.chars().count();
        let prefix = n.min(m) >= 2 && (c.starts_with(name) || name.starts_with(c));
        let d = if c.to_lowercase() == lower {
            0
        } else if prefix {
            strsim::osa_distance(name, c)
        } else if n.abs_diff(m) > limit {
            continue;
        } else {
            let d = strsim::osa_distance(name, c);
            // Not every character replaced (`x` is not close to `y`).
            if d > limit || d >= n {
                continue;
            }
            d
        };
        let better = match best {
            None => true,
            Some((bd, bc)) => (d, c) < (bd, bc),
        };
        if better {
            best = Some((d, c));
        }
    }
    best.map_or(Close::None, |(_, c)| Close::Found(c.to_owned()))
}

impl Checker<'_> {
    /// The closest of `candidates` to `name`, within this check's budget.
    pub(super) fn closest<'c>(
        &mut self,
        name: &str,
        candidates: impl IntoIterator<Item = &'c str>,
    ) -> Close {
        closest(name, candidates, &mut self.hints.budget)
    }

    pub(super) fn org(&mut self, id: &ast::Ident) -> Option<OrgId> {
        if let Some((o, _)) = self.env.names.orgs.get(id.name.as_str()) {
            return Some(*o);
        }
        let close = closest(
            &id.name,
            self.env.names.orgs.keys().map(CompactString::as_str),
            &mut self.hints.budget,
        );
        self.err(CheckError::UnknownOrg {
            name: id.name.clone(),
            close,
            span: id.span,
        });
        None
    }

    pub(super) fn person(&mut self, org: OrgId, id: &ast::Ident) -> Option<EmployeeId> {
        if let Some(p) = self.env.names.persons.get(org, &id.name) {
            return Some(p);
        }
        self.missing_member(MemberKind::Person, org, id, None);
        None
    }

    pub(super) fn seal(&mut self, org: OrgId, id: &ast::Ident) -> Option<SealId> {
        if let Some(s) = self.env.names.seals.get(org, &id.name) {
            return Some(s);
        }
        let owner = self
            .env
            .model
            .seals
            .iter()
            .find(|x| x.name == id.name)
            .map(|x| x.org);
        self.missing_member(MemberKind::Seal, org, id, owner);
        None
    }

    pub(super) fn template(&mut self, org: OrgId, id: &ast::Ident) -> Option<TemplateId> {
        if let Some(t) = self.env.names.templates.get(org, &id.name) {
            return Some(t);
        }
        let owner = self
            .env
            .model
            .templates
            .iter()
            .find(|x| x.name == id.name)
            .map(|x| x.org);
        self.missing_member(MemberKind::Template, org, id, owner);
        None
    }

    /// `ORG.PERSON`.
    pub(super) fn qperson(&mut self, q: &ast::QName) -> Option<EmployeeId> {
        let org = self.org(&q.org)?;
        self.person(org, &q.name)
    }

    /// `ORG.SEAL`.
    pub(super) fn qseal(&mut self, q: &ast::QName) -> Option<SealId> {
        let org = self.org(&q.org)?;
        self.seal(org, &q.name)
    }

    /// `ORG.TEMPLATE`.
    pub(super) fn qtemplate(&mut self, q: &ast::QName) -> Option<TemplateId> {
        let org = self.org(&q.org)?;
        self.template(org, &q.name)
    }

    /// A person of `org`, written bare or qualified.
    pub(super) fn person_in(&mut self, org: OrgId, n: &ast::OrgName) -> Option<EmployeeId> {
        if !self.qualifier_ok(org, n, MemberKind::Person, None) {
            return None;
        }
        self.person(org, &n.name)
    }

    /// A seal of `org`, written bare or qualified.
    pub(super) fn seal_in(
        &mut self,
        org: OrgId,
        n: &ast::OrgName,
        hint: Option<QualifierHint>,
    ) -> Option<SealId> {
        if !self.qualifier_ok(org, n, MemberKind::Seal, hint) {
            return None;
        }
        self.seal(org, &n.name)
    }

    /// Whether a bare-or-qualified name is qualified, if at all, with
    /// `org`, the org the statement already names; an error if not.
    pub(super) fn qualifier_ok(
        &mut self,
        org: OrgId,
        n: &ast::OrgName,
        what: MemberKind,
        hint: Option<QualifierHint>,
    ) -> bool {
        let Some(q) = &n.org else { return true };
        let expected = self.env.model.org_name(org);
        if q.name == expected {
            return true;
        }
        let expected = expected.to_owned();
        let names = &self.env.names;
        let has = match what {
            MemberKind::Seal => names.seals.contains(org, &n.name.name),
            _ => names.persons.contains(org, &n.name.name),
        };
        let hint = match hint {
            Some(h) => h,
            None if has => QualifierHint::KnownHere,
            None => QualifierHint::OtherOrg,
        };
        self.err(CheckError::WrongQualifier {
            name: n.to_string(),
            bare: n.name.name.clone(),
            qualifier: q.name.clone(),
            what: what.key(),
            expected,
            hint,
            span: n.span,
        });
        false
    }

    /// A person, seal or template that `org` does not have: the closest
    /// one it has, else the ones it has (and the org that has one of that
    /// name, `owner`).
    fn missing_member(
        &mut self,
        what: MemberKind,
        org: OrgId,
        id: &ast::Ident,
        owner: Option<OrgId>,
    ) {
        let org_name = self.env.model.org_name(org).to_owned();
        self.hints
            .index_members(&self.env.names, self.env.model.orgs.len());
        let has = self.hints.members_of(org, what);
        let mut budget = self.hints.budget;
        let close = closest(&id.name, has.iter().map(CompactString::as_str), &mut budget);
        let elsewhere = owner
            .filter(|o| *o != org)
            .map(|o| self.env.model.org_name(o).to_owned());
        let members = match close {
            Close::None => has.iter().map(|m| m.to_string()).collect(),
            _ => Vec::new(),
        };
        self.hints.budget = budget;
        let (name, span) = (id.name.clone(), id.span);
        self.err(match what {
            MemberKind::Person => CheckError::UnknownPerson {
                name,
                org: org_name,
                close,
                members,
                elsewhere,
                span,
            },
            MemberKind::Seal => CheckError::UnknownSeal {
                name,
                org: org_name,
                close,
                members,
                elsewhere,
                span,
            },
            MemberKind::Template => CheckError::UnknownTemplate {
                name,
                org: org_name,
                close,
                members,
                elsewhere,
                span,
            },
        });
    }

    /// A bare person name where no org is known (the `by` of a forbid's
    /// revoke): an error that asks for `ORG.PERSON`, naming the orgs that
    /// have such a person.
    pub(super) fn unqualified_person(&mut self, b: &ast::OrgName) {
        let m = &self.env.model;
        let mut orgs: Vec<&str> = m
            .employees
            .iter()
            .filter(|e| e.name == b.name.name)
            .map(|e| m.org_name(e.org))
            .collect();
        orgs.sort_unstable();
        let orgs = orgs.into_iter().map(str::to_owned).collect();
        self.err(CheckError::UnqualifiedName {
            name: b.name.name.clone(),
            why: "forbid_revoke",
            orgs,
            span: b.span,
        });
    }

    /// A seal kind (`official`, ...); an error if it is none.
    pub(super) fn seal_kind(&mut self, k: &ast::Ident) -> Option<ast::SealKind> {
        if let Some(kind) = ast::SealKind::parse(&k.name) {
            return Some(kind);
        }
        let close = self.closest(&k.name, ast::SealKind::ALL.iter().map(|k| k.as_str()));
        self.err(CheckError::UnknownSealKind {
            name: k.name.clone(),
            close,
            span: k.span,
        });
        None
    }

    /// The id of a signatory role, added at its first use.
    pub(super) fn role(&mut self, name: &str) -> RoleId {
        if let Some(r) = self.env.names.roles.get(name) {
            return *r;
        }
        let m = &mut self.env.model;
        match self.env.names.roles.entry(CompactString::from(name)) {
            Entry::Occupied(e) => *e.get(),
            Entry::Vacant(v) => {
                let next = RoleId::from_index(m.roles.len());
                v.insert(next);
                m.roles.push(name.to_owned());
                next
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn close(name: &str, candidates: &[&str]) -> Close {
        closest(name, candidates.iter().copied(), &mut BUDGET.clone())
    }

    #[test]
    fn close_names_are_found() {
        let found = |s: &str| Close::Found(s.to_owned());
        assert_eq!(close("zahng", &["li", "zhang"]), found("zhang"));
        assert_eq!(
            close("contarct", &["official", "contract"]),
            found("contract")
        );
        assert_eq!(close("sun", &["sunli", "zhao"]), found("sunli"));
        assert_eq!(close("acme-sh", &["acme", "acme_sh"]), found("acme_sh"));
        assert_eq!(close("Acme", &["acme"]), found("acme"));
        assert_eq!(
            close("合同专章", &["合同专用章", "公章"]),
            found("合同专用章")
        );
    }

    #[test]
    fn far_names_are_not() {
        assert_eq!(close("lee", &["li", "zhang"]), Close::None);
        assert_eq!(close("x", &["y"]), Close::None);
        assert_eq!(close("finance", &["contract", "official"]), Close::None);
        assert_eq!(close("nda", &[]), Close::None);
    }

    #[test]
    fn ties_do_not_depend_on_order() {
        assert_eq!(close("ab", &["ac", "aa"]), close("ab", &["aa", "ac"]));
    }

    /// A hint never asks to declare a name when a close one may exist.
    #[test]
    fn hints() {
        let help = |close| {
            let e = CheckError::UnknownOrg {
                name: String::from("x"),
                close,
                span: Span::new(crate::source::FileId(0), 0, 1),
            };
            e.help_in(crate::Lang::En).unwrap()
        };
        assert_eq!(
            help(Close::Found(String::from("zhang"))),
            "did you mean `zhang`?"
        );
        assert_eq!(help(Close::None), "declare it with `org x \"...\" { ... }`");
        assert_eq!(help(Close::Unknown), "check the spelling of `x`");
    }

    #[test]
    fn the_budget_is_kept() {
        let mut budget = 2;
        assert_eq!(
            closest("abc", ["x", "y", "abd"], &mut budget),
            Close::Unknown
        );
        assert_eq!(budget, 0);
    }

    /// Members are found by org and name, and a second of one name is
    /// refused with the first's id.
    #[test]
    fn members_by_org() {
        let mut t: ByOrg<u32> = ByOrg::default();
        assert_eq!(t.insert(OrgId(0), "zhang", 1), Ok(()));
        assert_eq!(t.insert(OrgId(1), "zhang", 2), Ok(()));
        assert_eq!(t.insert(OrgId(0), "zhang", 3), Err(1));
        assert_eq!(t.get(OrgId(0), "zhang"), Some(1));
        assert_eq!(t.get(OrgId(1), "zhang"), Some(2));
        assert_eq!(t.get(OrgId(2), "zhang"), None);
        let long = "a name longer than twenty-four bytes";
        assert_eq!(t.insert(OrgId(0), long, 4), Ok(()));
        assert_eq!(t.get(OrgId(0), long), Some(4));
        assert!(!t.contains(OrgId(0), "li"));
    }
}
