//! Checked model to an immutable policy indexed for the decision: names to
//! ids through hash maps, rules grouped by the key a decision looks up, so
//! no decision scans the rules.

use rustc_hash::FxHashMap;

use crate::ast::SealKind;
use crate::model::*;
use crate::source::{FileId, Sources, Span};

/// A contiguous run of ids in one of the index vectors.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Run {
    pub start: u32,
    pub len: u32,
}

impl Run {
    pub fn slice<T>(self, v: &[T]) -> &[T] {
        let s = self.start as usize;
        v.get(s..s + self.len as usize).unwrap_or(&[])
    }
}

/// Where statements are, without keeping the policy text: file names and
/// line starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lines {
    files: Vec<(String, Vec<u32>)>,
}

impl Lines {
    fn new(sources: &Sources) -> Lines {
        Lines {
            files: sources
                .files()
                .map(|(_, f)| (f.name.clone(), f.line_starts().to_vec()))
                .collect(),
        }
    }

    /// `file:line:col` (statements start a line, so the column counts
    /// bytes of indentation only).
    pub fn location(&self, span: Span) -> String {
        let FileId(f) = span.file;
        match self.files.get(f as usize) {
            Some((name, starts)) => {
                let line = starts.partition_point(|&s| s <= span.start).max(1);
                let col = span.start - starts.get(line - 1).copied().unwrap_or(0) + 1;
                format!("{name}:{line}:{col}")
            }
            None => String::from("<unknown>"),
        }
    }

    /// `file:line`.
    pub fn file_line(&self, span: Span) -> String {
        let loc = self.location(span);
        match loc.rsplit_once(':') {
            Some((fl, _)) => fl.to_owned(),
            None => loc,
        }
    }
}

/// The compiled, immutable policy set. `Send + Sync`: share one behind an
/// `Arc` (or swap versions with `arc-swap`) across threads.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(crate) m: Model,
    pub(crate) lines: Lines,
    pub(crate) orgs: FxHashMap<Box<str>, OrgId>,
    /// `org.person` to id.
    pub(crate) employees: FxHashMap<Box<str>, EmployeeId>,
    /// `org.template` to id.
    pub(crate) templates: FxHashMap<Box<str>, TemplateId>,
    pub(crate) roles: FxHashMap<Box<str>, RoleId>,
    pub(crate) attrs: FxHashMap<Box<str>, AttrId>,
    /// Seal rules sorted by key, then label order.
    pub(crate) seal_order: Vec<SealRuleId>,
    /// Own-template rules, indexed by template id (dense: no hashing).
    pub(crate) own: Vec<Run>,
    /// Partner grants by (signer, template).
    pub(crate) partner: FxHashMap<u64, Run>,
    pub(crate) emp_order: Vec<EmployeeRuleId>,
    /// An employee's authorizations for its own org, by employee id.
    pub(crate) emp_own: Vec<Run>,
    /// `on behalf of` authorizations by (employee, member org).
    pub(crate) emp_behalf: FxHashMap<u64, Run>,
    pub(crate) forbid_order: Vec<ForbidId>,
    /// Forbids scoped to a template (by template id) or else to a signer
    /// (by org id); each is found under its most selective scope.
    pub(crate) forbid_by_template: Vec<Run>,
    pub(crate) forbid_by_signer: Vec<Run>,
    pub(crate) forbid_by_kind: [Vec<ForbidId>; 6],
    pub(crate) forbid_any: Vec<ForbidId>,
}

pub(crate) fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

fn kind_index(k: SealKind) -> usize {
    match k {
        SealKind::Official => 0,
        SealKind::Contract => 1,
        SealKind::Finance => 2,
        SealKind::Personnel => 3,
        SealKind::LegalRep => 4,
        SealKind::Other => 5,
    }
}

impl Policy {
    /// Indexes a checked model.
    pub fn compile(m: Model, sources: &Sources) -> Policy {
        let lines = Lines::new(sources);
        let orgs = m
            .orgs
            .iter()
            .enumerate()
            .map(|(i, o)| (o.name.as_str().into(), OrgId::from_index(i)))
            .collect();
        let employees = m
            .employees
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let id = EmployeeId::from_index(i);
                (m.employee_name(id).into_boxed_str(), id)
            })
            .collect();
        let templates = m
            .templates
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let id = TemplateId::from_index(i);
                (m.template_name(id).into_boxed_str(), id)
            })
            .collect();
        let roles = m
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.as_str().into(), RoleId::from_index(i)))
            .collect();
        let attrs = m
            .attributes
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.as_str().into(), AttrId::from_index(i)))
            .collect();

        // Seal rules: grouped by key; within a key, the rule an answer names
        // first (smallest label, else earliest location).
        let order_key = |r: &SealRule| {
            (
                r.label.is_none(),
                r.label.clone().unwrap_or_default(),
                lines.files.get(r.span.file.0 as usize).map(|f| f.0.clone()),
                r.span.start,
            )
        };
        let mut seal_order: Vec<SealRuleId> = (0..m.seal_rules.len())
            .map(SealRuleId::from_index)
            .collect();
        let seal_key = |id: &SealRuleId| {
            let r = m.seal_rules.get(id.index());
            let own = r.is_some_and(|r| r.kind == SealRuleKind::Own);
            let k = r.map_or(0, |r| {
                if own {
                    u64::from(r.template.0)
                } else {
                    pair(r.signer.0, r.template.0)
                }
            });
            (own, k)
        };
        seal_order
            .sort_by_cached_key(|id| (seal_key(id), m.seal_rules.get(id.index()).map(order_key)));
        let mut own = vec![Run::default(); m.templates.len()];
        let mut partner = FxHashMap::default();
        for_runs(&seal_order, seal_key, |(is_own, k), run| {
            if is_own {
                if let Some(slot) = own.get_mut(k as usize) {
                    *slot = run;
                }
            } else {
                partner.insert(k, run);
            }
        });

        // Employee authorizations: own-org ones by employee (most), then
        // `on behalf of` ones by (employee, member org).
        let mut emp_order: Vec<EmployeeRuleId> = (0..m.employee_rules.len())
            .map(EmployeeRuleId::from_index)
            .collect();
        let emp_key = |id: &EmployeeRuleId| {
            m.employee_rules.get(id.index()).map_or((false, 0), |r| {
                (r.on_behalf, pair(r.employee.0, r.target.0))
            })
        };
        emp_order.sort_by_key(|id| (emp_key(id), id.0));
        let mut emp_own = vec![Run::default(); m.employees.len()];
        let mut emp_behalf = FxHashMap::default();
        for_runs(&emp_order, emp_key, |(on_behalf, k), run| {
            if on_behalf {
                emp_behalf.insert(k, run);
            } else if let Some(slot) = emp_own.get_mut((k >> 32) as usize) {
                *slot = run;
            }
        });

        // Forbids, each under its most selective scope; the others are
        // checked when it is found.
        let mut forbid_order: Vec<ForbidId> = Vec::new();
        let mut forbid_by_kind: [Vec<ForbidId>; 6] = Default::default();
        let mut forbid_any = Vec::new();
        let mut scoped: Vec<((u8, u32), ForbidId)> = Vec::new();
        for (i, f) in m.forbids.iter().enumerate() {
            let id = ForbidId::from_index(i);
            if let Some(t) = f.template {
                scoped.push(((0, t.0), id));
            } else if let Some(s) = f.signer {
                scoped.push(((1, s.0), id));
            } else if let Some(k) = f.kind {
                if let Some(v) = forbid_by_kind.get_mut(kind_index(k)) {
                    v.push(id);
                }
            } else {
                forbid_any.push(id);
            }
        }
        scoped.sort();
        let mut forbid_by_template = vec![Run::default(); m.templates.len()];
        let mut forbid_by_signer = vec![Run::default(); m.orgs.len()];
        forbid_order.extend(scoped.iter().map(|(_, id)| *id));
        for_runs(
            &scoped,
            |(k, _)| *k,
            |(table, key), run| {
                let slot = if table == 0 {
                    forbid_by_template.get_mut(key as usize)
                } else {
                    forbid_by_signer.get_mut(key as usize)
                };
                if let Some(slot) = slot {
                    *slot = run;
                }
            },
        );

        Policy {
            m,
            lines,
            orgs,
            employees,
            templates,
            roles,
            attrs,
            seal_order,
            own,
            partner,
            emp_order,
            emp_own,
            emp_behalf,
            forbid_order,
            forbid_by_template,
            forbid_by_signer,
            forbid_by_kind,
            forbid_any,
        }
    }

    pub(crate) fn forbids_for_kind(&self, k: SealKind) -> &[ForbidId] {
        self.forbid_by_kind
            .get(kind_index(k))
            .map_or(&[], Vec::as_slice)
    }

    /// The checked model the policy was built from.
    pub fn model(&self) -> &Model {
        &self.m
    }

    /// `file:line:col` of a span.
    pub fn location(&self, span: Span) -> String {
        self.lines.location(span)
    }

    /// A seal rule's name: its label, else `file:line`.
    pub fn seal_rule_name(&self, id: SealRuleId) -> String {
        match self.m.seal_rules.get(id.index()) {
            Some(r) => r
                .label
                .as_deref()
                .map_or_else(|| self.lines.file_line(r.span), str::to_owned),
            None => String::from("?"),
        }
    }

    pub fn employee_rule_name(&self, id: EmployeeRuleId) -> String {
        match self.m.employee_rules.get(id.index()) {
            Some(r) => r
                .label
                .clone()
                .unwrap_or_else(|| self.lines.file_line(r.span)),
            None => String::from("?"),
        }
    }

    pub fn forbid_name(&self, id: ForbidId) -> String {
        match self.m.forbids.get(id.index()) {
            Some(r) => r
                .label
                .clone()
                .unwrap_or_else(|| self.lines.file_line(r.span)),
            None => String::from("?"),
        }
    }

    pub fn org_id(&self, name: &str) -> Option<OrgId> {
        self.orgs.get(name).copied()
    }

    pub fn employee_id(&self, name: &str) -> Option<EmployeeId> {
        self.employees.get(name).copied()
    }

    pub fn template_id(&self, name: &str) -> Option<TemplateId> {
        self.templates.get(name).copied()
    }
}

/// Calls `f` once per run of equal keys in a sorted id list.
fn for_runs<I: Copy, K: PartialEq + Copy>(
    ids: &[I],
    key: impl Fn(&I) -> K,
    mut f: impl FnMut(K, Run),
) {
    let mut start = 0usize;
    while let Some(first) = ids.get(start) {
        let k = key(first);
        let len = ids
            .get(start..)
            .map_or(0, |rest| rest.iter().take_while(|i| key(i) == k).count());
        f(
            k,
            Run {
                start: start as u32,
                len: len as u32,
            },
        );
        start += len.max(1);
    }
}
