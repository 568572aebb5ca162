//! The decision procedure of the spec, step by step, over the compiled
//! policy. One code path serves the fast answer (stop at the first failing
//! check) and the explanation (collect every failing check), so the two
//! cannot disagree.

use std::cmp::Ordering;
use std::sync::Arc;

use compact_str::CompactString;
use smallvec::SmallVec;

use crate::ast::{CmpOp, SealKind};
use crate::compile::{
    kind_index, on_by, pair, Policy, RuleRef, RuleRow, Run, Signer, ANY_TEMPLATE, CONDITIONAL,
    OWN_RULE, RESEALED, SEAL_ON, SETTLED, UNFORBIDDEN, VOID,
};
use crate::decision::*;
use crate::model::*;
use crate::request::Request;
use crate::time::Instant;

/// Three-valued truth: a condition over a missing or mistyped attribute is
/// unknown. A permit needs `True`; a forbid applies unless `False`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Unknown,
}

/// Request attributes, by name or by prepared id.
pub(crate) trait Attrs {
    fn get(&self, p: &Policy, a: AttrId) -> Option<&Value>;
}

impl Attrs for [(CompactString, Value)] {
    fn get(&self, p: &Policy, a: AttrId) -> Option<&Value> {
        let name = p.m.attr_name(a);
        self.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

impl Attrs for [(AttrId, Value)] {
    fn get(&self, _: &Policy, a: AttrId) -> Option<&Value> {
        self.iter().find(|(k, _)| *k == a).map(|(_, v)| v)
    }
}

/// The signatory a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Role {
    Any,
    Known(RoleId),
    /// Named by no template or grant: matches no grant.
    Unknown(Arc<str>),
}

impl Role {
    /// Whether a partner grant for signatory `role` is for the one asked.
    fn admits(&self, role: RoleId) -> bool {
        match self {
            Role::Any => true,
            Role::Known(r) => *r == role,
            Role::Unknown(_) => false,
        }
    }
}

/// A request's names resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ids {
    template: TemplateId,
    employee: EmployeeId,
    /// The employee's own org.
    emp_org: OrgId,
    on_behalf: Option<OrgId>,
    signer: OrgId,
    /// The signer's grants and service, found with its name.
    signer_row: Signer,
    role: Role,
}

/// A request with its names resolved once, for callers that decide
/// repeatedly; change `at` to decide at another instant.
///
/// Preparing also works out the request's decision at every instant: only
/// `at` is left open, and the decision changes only where something the
/// request depends on does (a toggle, a window's start, end or revoke, a
/// reseal). A prepared decision looks `at` up among those instants; a
/// request that depends on more than [`PLAN_LIMIT`] of them is decided in
/// full each time instead.
///
/// A `Prepared` holds the answers of the policy that prepared it: after
/// swapping in a new policy, prepare again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub at: Instant,
    answers: Answers,
}

/// What a prepared request keeps: its answers over time, or (past
/// [`PLAN_LIMIT`]) what it takes to decide in full.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answers {
    Plan(Plan),
    Full(Ids, Vec<(AttrId, Value)>),
}

/// At most this many instants where a prepared request's decision may
/// change are worked out when it is prepared (each costs one decision).
pub const PLAN_LIMIT: usize = 256;

/// A prepared request's decision over time: `answers[i]` holds from
/// `bounds[i - 1]` (from the beginning of time for `i == 0`) until
/// `bounds[i]`; neighbouring answers differ.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    /// Most requests' answers change a few times at most: kept inline,
    /// so a prepared decision reads no other memory.
    bounds: SmallVec<[Instant; 4]>,
    answers: SmallVec<[Decision; 3]>,
}

impl Prepared {
    /// The instants, in order, at which the decision changes: it is the
    /// same from one to the next, and after the last (a signing service
    /// can tell how long an answer holds). `None` when the request
    /// depends on more than [`PLAN_LIMIT`] instants and is decided in full
    /// each time.
    ///
    /// `Instant::MAX` is never listed: it stands for "no end", and at it
    /// every `until revoked` has ended, so the answer there may differ
    /// from the last one listed. No request read from JSON or YAML can
    /// name it (years end at 9999).
    pub fn changes(&self) -> Option<&[Instant]> {
        match &self.answers {
            Answers::Plan(p) => Some(match p.bounds.split_last() {
                Some((&Instant::MAX, rest)) => rest,
                _ => &p.bounds[..],
            }),
            Answers::Full(..) => None,
        }
    }
}

impl Plan {
    /// The answer at `at`.
    #[inline]
    fn at(&self, at: Instant) -> Decision {
        // Sorted: the count of those passed is where `at` falls (a
        // branch-free count for the few a plan mostly has).
        let i = if self.bounds.len() <= 8 {
            self.bounds.iter().filter(|&&b| b <= at).count()
        } else {
            self.bounds.partition_point(|&b| b <= at)
        };
        // A plan has one answer more than it has bounds, so this is
        // always found; a manual answer keeps the impossible closed.
        match self.answers.get(i) {
            Some(d) => d.clone(),
            None => first(&[], ReasonCode::NoPartnerGrant),
        }
    }
}

impl Policy {
    // ------------------------------------------------------------ public API

    /// Decides a request by names: the first failing check, or the seal.
    pub fn decide(&self, req: &Request) -> Decision {
        self.decide_by_names(req, true)
    }

    /// Decides and lists every failing check, the deciding one first.
    pub fn explain(&self, req: &Request) -> Explanation {
        match self.resolve(req, true) {
            Ok(ids) => {
                let mut reasons = Vec::new();
                let decision =
                    self.run(&ids, req.at, req.attributes.as_slice(), true, &mut reasons);
                Explanation { decision, reasons }
            }
            Err(reasons) => Explanation {
                decision: first(&reasons, ReasonCode::UnknownOrg),
                reasons,
            },
        }
    }

    /// [`Self::decide`] without the hot tables: every check reads the
    /// timelines, authorizations and rules in full. Slower, never
    /// different; tests and fuzzing compare the two.
    #[doc(hidden)]
    pub fn decide_reference(&self, req: &Request) -> Decision {
        self.decide_by_names(req, false)
    }

    /// The first failing check of a request by names, with or without
    /// the hot tables.
    fn decide_by_names(&self, req: &Request, hot: bool) -> Decision {
        match self.resolve(req, false) {
            Ok(ids) => self.run_with(
                &ids,
                req.at,
                req.attributes.as_slice(),
                false,
                hot,
                &mut Vec::new(),
            ),
            Err(reasons) => first_of(reasons, ReasonCode::UnknownOrg),
        }
    }

    /// Resolves a request's names once.
    pub fn prepare(&self, req: &Request) -> Prepared {
        let attrs: Vec<_> = req
            .attributes
            .iter()
            .filter_map(|(k, v)| self.attrs.get(k).map(|a| (a, v.clone())))
            .collect();
        let answers = match self.resolve(req, true) {
            Ok(q) => match self.plan(&q, &attrs) {
                Some(plan) => Answers::Plan(plan),
                None => Answers::Full(q, attrs),
            },
            // An unknown name is unknown at every instant.
            Err(reasons) => Answers::Plan(Plan {
                bounds: SmallVec::new(),
                answers: smallvec::smallvec![first_of(reasons, ReasonCode::UnknownOrg)],
            }),
        };
        Prepared {
            at: req.at,
            answers,
        }
    }

    /// Decides a prepared request.
    pub fn decide_prepared(&self, p: &Prepared) -> Decision {
        match &p.answers {
            Answers::Plan(plan) => plan.at(p.at),
            Answers::Full(ids, attrs) => {
                self.run(ids, p.at, attrs.as_slice(), false, &mut Vec::new())
            }
        }
    }

    /// A request's decision at every instant (see [`Prepared`]), or
    /// `None` past [`PLAN_LIMIT`] instants.
    fn plan(&self, q: &Ids, attrs: &[(AttrId, Value)]) -> Option<Plan> {
        // At `Instant::MAX` every "no end" has ended: decided too, so that
        // even that instant gets the answer `decide` gives.
        let at = self.changes(q)?.into_iter().chain([Instant::MAX]);
        let decide = |t| self.run(q, t, attrs, false, &mut Vec::new());
        let mut bounds = SmallVec::new();
        let mut answers: SmallVec<[Decision; 3]> = smallvec::smallvec![decide(Instant::MIN)];
        for t in at {
            let d = decide(t);
            if answers.last() != Some(&d) {
                bounds.push(t);
                answers.push(d);
            }
        }
        Some(Plan { bounds, answers })
    }

    /// Every instant at which steps 2-9 of a request may change their
    /// answer, sorted, without `Instant::MIN` and `Instant::MAX` (which
    /// stand for "no start" and "no end"): each is a time that the
    /// decision compares `at` with (as `t <= at` or `at < t`), so between
    /// two of them the answer is the same. `None` past [`PLAN_LIMIT`].
    fn changes(&self, q: &Ids) -> Option<Vec<Instant>> {
        let mut out = Instants(Vec::new());
        // 2 and 4: the service and the template.
        if let Some(o) = self.m.org(q.signer) {
            out.toggles(&o.service);
        }
        if let Some(t) = self.m.template(q.template) {
            out.toggles(&t.toggles);
        }
        // 3: the initiator's authorizations, for its own org and on behalf.
        let own_auth = self.emp_own.get(q.employee.index()).copied();
        let behalf = q
            .on_behalf
            .and_then(|sub| self.emp_behalf.get(&pair(q.employee.0, sub.0)).copied());
        for run in [own_auth, behalf].into_iter().flatten() {
            for id in run.slice(&self.emp_order) {
                if let Some(r) = self.m.employee_rules.get(id.index()) {
                    out.window(&r.window);
                }
            }
            out.within_limit()?;
        }
        // 5-7: each rule's window and reseals, and each of its seals'
        // toggles; 8: the forbids for those seals' kinds.
        let eff = q.on_behalf.unwrap_or(q.emp_org);
        let run = self.rules_for(q.signer_row.grants, q.template, q.signer == eff);
        let mut kinds = [false; 6];
        for rid in (run.start..run.start.saturating_add(run.len)).map(SealRuleId) {
            let Some(rule) = self.rule_ref(rid) else {
                continue;
            };
            out.extend([rule.start(), rule.end(), rule.revoked_at()]);
            let reseals = rule.extra.map_or(&[][..], |e| e.reseals.as_slice());
            out.extend(reseals.iter().map(|r| r.stamp.at));
            let seals = std::iter::once(rule.row.seal).chain(reseals.iter().map(|r| r.seal));
            for seal in seals.filter_map(|s| self.m.seal(s)) {
                out.toggles(&seal.toggles);
                if let Some(k) = kinds.get_mut(kind_index(seal.kind)) {
                    *k = true;
                }
            }
            out.within_limit()?;
        }
        // Step 8's lists, with the one by kind for each kind a seal has.
        let by_kind = SealKind::ALL
            .into_iter()
            .filter(|&k| kinds.get(kind_index(k)) == Some(&true))
            .map(|k| self.forbids_for_kind(k));
        let lists = self.forbid_lists(q, None).into_iter().chain(by_kind);
        for id in lists.flatten() {
            if let Some(f) = self.m.forbids.get(id.index()) {
                out.window(&f.window);
            }
            out.within_limit()?;
        }
        out.0.sort_unstable();
        out.0.dedup();
        (out.0.len() <= PLAN_LIMIT).then_some(out.0)
    }

    // ------------------------------------------------------------ step 1

    /// Step 1: every name exists and the template belongs to the effective
    /// initiating org. All failures when `all`, else the first.
    fn resolve(&self, req: &Request, all: bool) -> Result<Ids, Vec<Reason>> {
        let employee = self.employees.get(&req.initiator);
        let template = self.templates.get(&req.template);
        let signer = self.orgs.get(&req.signer);
        let on_behalf = match &req.on_behalf_of {
            None => Some(None),
            Some(o) => self.orgs.get(o).map(|(id, _)| Some(id)),
        };
        let (
            Some((employee, emp_org)),
            Some((template, owner)),
            Some((signer, signer_row)),
            Some(on_behalf),
        ) = (employee, template, signer, on_behalf)
        else {
            return Err(self.unknown_names(req, all));
        };
        let eff = on_behalf.unwrap_or(emp_org);
        if owner != eff {
            return Err(vec![Reason {
                code: ReasonCode::TemplateOwnerMismatch,
                detail: Detail::Owner {
                    template,
                    expected: eff,
                },
            }]);
        }
        let role = match &req.signatory {
            None => Role::Any,
            Some(r) => match self.roles.get(r) {
                Some(id) => Role::Known(id),
                None => Role::Unknown(r.as_str().into()),
            },
        };
        Ok(Ids {
            template,
            employee,
            emp_org,
            on_behalf,
            signer,
            signer_row,
            role,
        })
    }

    /// Step 1's reasons when a name is unknown: orgs first (each once,
    /// apart from an `on_behalf_of` that repeats the initiator's org),
    /// then the employee, then the template. All of them when `all`, else
    /// the first, and then nothing after it is looked up.
    #[cold]
    fn unknown_names(&self, req: &Request, all: bool) -> Vec<Reason> {
        fn org_part(q: &str) -> &str {
            q.split_once('.').map_or(q, |(o, _)| o)
        }
        let ini_org = org_part(&req.initiator);
        let tpl_org = org_part(&req.template);
        let mut found: SmallVec<[(ReasonCode, &str); 6]> = SmallVec::new();
        let done = |found: &SmallVec<[(ReasonCode, &str); 6]>| !all && !found.is_empty();
        let listed = |found: &SmallVec<[(ReasonCode, &str); 6]>, name: &str| {
            found.iter().any(|&(_, n)| n == name)
        };
        let ini_org_known = self.orgs.contains(ini_org);
        if !ini_org_known {
            found.push((ReasonCode::UnknownOrg, ini_org));
        }
        if let Some(o) = req.on_behalf_of.as_deref() {
            if !done(&found) && !self.orgs.contains(o) {
                found.push((ReasonCode::UnknownOrg, o));
            }
        }
        let signer = req.signer.as_str();
        if !done(&found) && !listed(&found, signer) && !self.orgs.contains(signer) {
            found.push((ReasonCode::UnknownOrg, signer));
        }
        let tpl_org_known = done(&found) || self.orgs.contains(tpl_org);
        if !tpl_org_known && !listed(&found, tpl_org) {
            found.push((ReasonCode::UnknownOrg, tpl_org));
        }
        if !done(&found) && ini_org_known && !self.employees.contains(&req.initiator) {
            found.push((ReasonCode::UnknownEmployee, &req.initiator));
        }
        if !done(&found) && tpl_org_known && !self.templates.contains(&req.template) {
            found.push((ReasonCode::UnknownTemplate, &req.template));
        }
        found
            .into_iter()
            .map(|(code, name)| Reason {
                code,
                detail: Detail::Name(name.into()),
            })
            .collect()
    }

    // ------------------------------------------------------------ steps 2-9

    fn run<A: Attrs + ?Sized>(
        &self,
        q: &Ids,
        at: Instant,
        attrs: &A,
        all: bool,
        out: &mut Vec<Reason>,
    ) -> Decision {
        self.run_with(q, at, attrs, all, true, out)
    }

    /// [`Self::run`]; `hot == false` ignores the hot tables and decides on
    /// the model alone (the reference the tests hold the hot tables to).
    fn run_with<A: Attrs + ?Sized>(
        &self,
        q: &Ids,
        at: Instant,
        attrs: &A,
        all: bool,
        hot: bool,
        out: &mut Vec<Reason>,
    ) -> Decision {
        macro_rules! fail {
            ($r:expr) => {{
                let r = $r;
                if !all {
                    return Decision::Manual(r);
                }
                out.push(r);
            }};
        }
        // Ids come only from resolving names, so the employee exists; the
        // length check keeps that true without reading its record.
        if q.employee.index() >= self.m.employees.len() {
            fail!(Reason {
                code: ReasonCode::UnknownEmployee,
                detail: Detail::Name("".into()),
            });
            return first(out, ReasonCode::NoPartnerGrant);
        }
        let emp_org = q.emp_org;
        let eff = q.on_behalf.unwrap_or(emp_org);
        let own = q.signer == eff;
        let basis = if !own {
            Basis::PartnerGrant
        } else if q.on_behalf.is_some() {
            Basis::GroupProxy
        } else {
            Basis::OwnTemplate
        };
        // Most requests that get a seal pass every step on the hot rows
        // alone; a hit has no reasons to list, so `explain` may stop here
        // too.
        let run = self.rules_for(q.signer_row.grants, q.template, own);
        let initiator_ok = hot && self.initiator_may(q, at, attrs);
        if initiator_ok {
            if let Some((rule, seal)) = self.quick_hit(q, run, at, attrs) {
                return Decision::AutoSeal { seal, rule, basis };
            }
        }

        // Each step first asks the hot tables whether it certainly passes;
        // only a step that may fail reads the model, and only a failing
        // one builds a reason.

        // 2. The signer's auto-sign service is on.
        let (service_on, event) = if hot && self.service_on_for_good(q, at) {
            (true, None)
        } else {
            self.service_state(q.signer, at)
        };
        if !service_on {
            fail!(Reason {
                code: ReasonCode::ServiceNotEnabled,
                detail: Detail::Service {
                    org: q.signer,
                    event
                },
            });
        }

        // 3. The initiator may initiate auto-sign for this template.
        if !initiator_ok {
            if let Some(r) = self.initiator_check(q, emp_org, eff, at, attrs) {
                fail!(r);
            }
        }

        // 4. The template is not disabled.
        let (tpl_on, event) = if hot && self.template_on_for_good(q, at) {
            (true, None)
        } else {
            self.template_state(q.template, at)
        };
        if !tpl_on {
            fail!(Reason {
                code: ReasonCode::TemplateDisabled,
                detail: Detail::Template {
                    template: q.template,
                    event
                },
            });
        }

        // 5-9. A rule gives the signer a seal. The hot rows have had their
        // say (`quick_hit`): from here each rule is checked in full, for
        // its reason.
        let mut best: Option<(u8, u8, Reason)> = None;
        let mut others: Vec<Reason> = Vec::new();
        let mut chosen: Option<(SealRuleId, SealId)> = None;
        let mut ambiguous: Option<(SealRuleId, SealId)> = None;
        let mut forbidden: Option<(ForbidId, SealRuleId, SealId)> = None;
        for rid in (run.start..run.start.saturating_add(run.len)).map(SealRuleId) {
            // The seal, and the forbid that stops it (8), if any.
            let checked = self
                .rule_check(rid, q, at, attrs)
                .map(|seal| (seal, self.forbid_for_seal(q, seal, at, attrs)));
            match checked {
                Err((step, prec, reason)) => {
                    if all {
                        others.push(reason.clone());
                        // A rule in force (past step 5) may fail later
                        // steps too: every failing check is listed.
                        if step >= 6 {
                            self.later_failures(rid, q, step, at, attrs, &mut others);
                        }
                    }
                    if best
                        .as_ref()
                        .is_none_or(|(s, p, _)| (step, prec) > (*s, *p))
                    {
                        best = Some((step, prec, reason));
                    }
                }
                Ok((seal, Some(f))) => {
                    if forbidden.is_none() {
                        forbidden = Some((f, rid, seal));
                    } else if all {
                        // Every rule a forbid stops is listed.
                        others.push(self.forbidden_reason(f, rid, seal, attrs));
                    }
                }
                Ok((seal, None)) => match chosen {
                    None => chosen = Some((rid, seal)),
                    Some((_, s)) if s != seal && ambiguous.is_none() => {
                        ambiguous = Some((rid, seal))
                    }
                    Some(_) => {}
                },
            }
        }
        match (chosen, ambiguous) {
            (Some((first, first_seal)), Some((second, second_seal))) => fail!(Reason {
                code: ReasonCode::AmbiguousSeal,
                detail: Detail::Ambiguous {
                    first,
                    first_seal,
                    second,
                    second_seal,
                },
            }),
            (Some((rule, seal)), None) => {
                if out.is_empty() {
                    return Decision::AutoSeal { seal, rule, basis };
                }
            }
            (None, _) => {
                if let Some((forbid, rule, seal)) = forbidden {
                    fail!(self.forbidden_reason(forbid, rule, seal, attrs));
                } else if let Some((_, _, r)) = best.take() {
                    fail!(r);
                } else {
                    fail!(Reason {
                        code: if own {
                            ReasonCode::TemplateNotAutoSign
                        } else {
                            ReasonCode::NoPartnerGrant
                        },
                        detail: Detail::NoRule {
                            signer: q.signer,
                            template: q.template,
                        },
                    });
                }
            }
        }
        if all && chosen.is_none() {
            // The other rules' failures, after the deciding reason.
            for r in others {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        first(out, ReasonCode::NoPartnerGrant)
    }

    /// Steps 2 and 4-9 on the hot rows of the key's rules `run`, once step
    /// 3 is known to pass: the rule and its seal when every step certainly
    /// passes and every rule that gives a seal gives the same one. `None`
    /// leaves the answer (a miss, an ambiguity, a timeline to read) to the
    /// full procedure.
    #[inline]
    fn quick_hit<A: Attrs + ?Sized>(
        &self,
        q: &Ids,
        run: Run,
        at: Instant,
        attrs: &A,
    ) -> Option<(SealRuleId, SealId)> {
        let mut chosen: Option<(SealRuleId, SealId)> = None;
        for (rid, row) in (run.start..).map(SealRuleId).zip(run.slice(&self.rows)) {
            if !in_force(row, &q.role, at) {
                continue;
            }
            // Steps 2 and 4, unless the row says they pass.
            if row.flags & SETTLED == 0
                && !(self.service_on_for_good(q, at) && self.template_on_for_good(q, at))
            {
                return None;
            }
            if let Some(seal) = self.rule_gives(row, rid, q, at, attrs) {
                match chosen {
                    None => chosen = Some((rid, seal)),
                    Some((_, s)) if s != seal => return None,
                    Some(_) => {}
                }
            }
        }
        chosen
    }

    /// Step 2 on the hot tables: the signer's service is on for good by
    /// `at`.
    fn service_on_for_good(&self, q: &Ids, at: Instant) -> bool {
        on_by(q.signer_row.service_from, at)
    }

    /// Step 4 on the hot tables: the template is on for good by `at`.
    fn template_on_for_good(&self, q: &Ids, at: Instant) -> bool {
        self.template_from
            .get(q.template.index())
            .is_some_and(|&f| on_by(f, at))
    }

    /// Step 2 on the org's timeline: whether its service is on at `at`,
    /// and the event in force (off until first enabled).
    pub(crate) fn service_state(&self, org: OrgId, at: Instant) -> (bool, Option<u32>) {
        self.m
            .org(org)
            .map_or((false, None), |o| state_at(&o.service, false, at))
    }

    /// Step 4 on the template's timeline: whether it is on at `at`, and
    /// the event in force (a template not in the model counts as on).
    pub(crate) fn template_state(&self, t: TemplateId, at: Instant) -> (bool, Option<u32>) {
        self.m
            .template(t)
            .map_or((true, None), |t| state_at(&t.toggles, true, at))
    }

    /// Step 6 on the seal's timeline: whether it is on at `at`, and the
    /// event in force (a seal not in the model counts as on).
    pub(crate) fn seal_state(&self, seal: SealId, at: Instant) -> (bool, Option<u32>) {
        self.m
            .seal(seal)
            .map_or((true, None), |s| state_at(&s.toggles, true, at))
    }

    /// Step 3 on the hot rows: `true` when the initiator is certainly
    /// authorized ([`Self::initiator_check`] says why not).
    fn initiator_may<A: Attrs + ?Sized>(&self, q: &Ids, at: Instant, attrs: &A) -> bool {
        let run = match q.on_behalf {
            // The group check needs the model: the full check decides.
            Some(_) => return false,
            None => self
                .emp_own
                .get(q.employee.index())
                .copied()
                .unwrap_or_default(),
        };
        (run.start..).zip(run.slice(&self.emp_rows)).any(|(i, r)| {
            (r.template == ANY_TEMPLATE || r.template == q.template.0)
                && r.start <= at
                && at < r.stop
                && (!r.conditional || self.employee_condition(i, attrs))
        })
    }

    /// Whether the condition of the `i`th authorization in `emp_order`
    /// holds.
    fn employee_condition<A: Attrs + ?Sized>(&self, i: u32, attrs: &A) -> bool {
        self.emp_order
            .get(i as usize)
            .and_then(|id| self.m.employee_rules.get(id.index()))
            .and_then(|r| r.cond.as_ref())
            .is_some_and(|c| self.condition(c, attrs).0 == Tri::True)
    }

    /// Step 3. `None` when the initiator is authorized.
    fn initiator_check<A: Attrs + ?Sized>(
        &self,
        q: &Ids,
        own_org: OrgId,
        eff: OrgId,
        at: Instant,
        attrs: &A,
    ) -> Option<Reason> {
        if let Some(sub) = q.on_behalf {
            let main = self
                .m
                .org(sub)
                .and_then(|o| o.group)
                .and_then(|g| self.m.groups.get(g.index()))
                .map(|g| g.main);
            if main != Some(own_org) || sub == own_org {
                return Some(Reason {
                    code: ReasonCode::NotGroupMember,
                    detail: Detail::NotMember { org: own_org, sub },
                });
            }
        }
        let run = match q.on_behalf {
            Some(sub) => self.emp_behalf.get(&pair(q.employee.0, sub.0)),
            None => self.emp_own.get(q.employee.index()),
        };
        let rules = run.map_or(&[][..], |r| r.slice(&self.emp_order));
        let mut closest: Option<(u8, EmployeeRuleId, InitiatorMiss)> = None;
        for &id in rules {
            let Some(r) = self.m.employee_rules.get(id.index()) else {
                continue;
            };
            if r.on_behalf != q.on_behalf.is_some() {
                continue;
            }
            let miss = if r.template.is_some_and(|t| t != q.template) {
                (0, InitiatorMiss::OtherTemplate)
            } else if let Some(l) = lapse(&r.window, at) {
                (1, InitiatorMiss::Window(l))
            } else {
                match r.cond.as_ref().map(|c| self.condition(c, attrs)) {
                    None | Some((Tri::True, _)) => return None,
                    Some((_, missing)) => (2, InitiatorMiss::Condition { missing }),
                }
            };
            if closest.as_ref().is_none_or(|(rank, _, _)| miss.0 > *rank) {
                closest = Some((miss.0, id, miss.1));
            }
        }
        Some(Reason {
            code: ReasonCode::InitiatorNotAuthorized,
            detail: Detail::Initiator {
                employee: q.employee,
                template: q.template,
                target: eff,
                rule: closest.map(|(_, id, m)| (id, m)),
            },
        })
    }

    /// Steps 6-8 for a rule [`in_force`]: its seal when that seal is on,
    /// the condition holds and no forbid stops it.
    #[inline]
    fn rule_gives<A: Attrs + ?Sized>(
        &self,
        row: &RuleRow,
        rid: SealRuleId,
        q: &Ids,
        at: Instant,
        attrs: &A,
    ) -> Option<SealId> {
        let cold = || self.rule_ref(rid);
        let seal = if row.flags & RESEALED != 0 {
            cold()?.seal_at(at)
        } else {
            row.seal
        };
        let hot_seal = || self.seal_from.get(seal.index()).copied();
        if row.flags & SEAL_ON == 0 && !on_by(hot_seal()?.0, at) {
            // Not on for good by `at`: its timeline says.
            if !self.seal_state(seal, at).0 {
                return None;
            }
        }
        if row.flags & CONDITIONAL != 0 {
            let c = cold()?.cond()?;
            if self.condition(c, attrs).0 != Tri::True {
                return None;
            }
        }
        if row.flags & UNFORBIDDEN == 0
            && self.forbid_for(q, Some(hot_seal()?.1), at, attrs).is_some()
        {
            return None;
        }
        Some(seal)
    }

    /// Steps 5-7 for one rule: its seal, or how far it got (step,
    /// precedence within the step) and why not.
    fn rule_check<A: Attrs + ?Sized>(
        &self,
        rid: SealRuleId,
        q: &Ids,
        at: Instant,
        attrs: &A,
    ) -> Result<SealId, (u8, u8, Reason)> {
        let Some(rule) = self.rule_ref(rid) else {
            return Err((
                0,
                0,
                Reason {
                    code: ReasonCode::NoPartnerGrant,
                    detail: Detail::Name("".into()),
                },
            ));
        };
        let partner = matches!(rule.kind(), SealRuleKind::Partner { .. });
        let window_code = |l: Lapse| {
            if !partner {
                return ReasonCode::TemplateNotAutoSign;
            }
            match l {
                Lapse::NotYetValid => ReasonCode::GrantNotYetValid,
                Lapse::Expired => ReasonCode::GrantExpired,
                Lapse::Revoked => ReasonCode::GrantRevoked,
            }
        };
        // 5. The rule gives the signer a seal now.
        if let SealRuleKind::Partner { role, .. } = rule.kind() {
            if !q.role.admits(role) {
                let (asked, asked_text) = match &q.role {
                    Role::Known(r) => (Some(*r), None),
                    Role::Unknown(s) => (None, Some(s.clone())),
                    Role::Any => (None, None),
                };
                return Err((
                    5,
                    1,
                    Reason {
                        code: ReasonCode::SignatoryMismatch,
                        detail: Detail::Role {
                            rule: rid,
                            asked,
                            asked_text,
                        },
                    },
                ));
            }
        }
        let lapsed = lapse_of(rule.start(), rule.end(), rule.revoked_at(), at);
        if let Some(l @ (Lapse::Revoked | Lapse::Expired)) = lapsed {
            let prec = if l == Lapse::Revoked { 5 } else { 4 };
            return Err((
                5,
                prec,
                Reason {
                    code: window_code(l),
                    detail: Detail::Window {
                        rule: rid,
                        lapse: l,
                    },
                },
            ));
        }
        if rule.void().is_some() {
            return Err((
                5,
                3,
                Reason {
                    code: ReasonCode::GrantVoid,
                    detail: Detail::Void { rule: rid },
                },
            ));
        }
        if let Some(l) = lapsed {
            return Err((
                5,
                2,
                Reason {
                    code: window_code(l),
                    detail: Detail::Window {
                        rule: rid,
                        lapse: l,
                    },
                },
            ));
        }
        // 6. The seal in force is not disabled.
        let seal = rule.seal_at(at);
        let (seal_on, event) = self.seal_state(seal, at);
        if !seal_on {
            return Err((
                6,
                0,
                Reason {
                    code: ReasonCode::SealDisabled,
                    detail: Detail::Seal {
                        rule: rid,
                        seal,
                        event,
                    },
                },
            ));
        }
        // 7. The condition holds.
        if let Some((prec, reason)) = self.condition_failure(rid, rule, attrs) {
            return Err((7, prec, reason));
        }
        Ok(seal)
    }

    /// Step 7 for one rule: `None` when its condition holds (or it has
    /// none), else the precedence within the step and the reason.
    fn condition_failure<A: Attrs + ?Sized>(
        &self,
        rid: SealRuleId,
        rule: RuleRef<'_>,
        attrs: &A,
    ) -> Option<(u8, Reason)> {
        let (prec, code, missing) = match self.condition(rule.cond()?, attrs) {
            (Tri::True, _) => return None,
            (Tri::Unknown, missing) => (2, ReasonCode::AttributeMissing, missing),
            (Tri::False, _) => (1, ReasonCode::ConditionNotMet, None),
        };
        let detail = Detail::Condition { rule: rid, missing };
        Some((prec, Reason { code, detail }))
    }

    /// For `explain`: the checks after `step` (6 or 7) that a rule in force
    /// also fails, its condition (7) and the forbids (8), as reasons.
    fn later_failures<A: Attrs + ?Sized>(
        &self,
        rid: SealRuleId,
        q: &Ids,
        step: u8,
        at: Instant,
        attrs: &A,
        out: &mut Vec<Reason>,
    ) {
        let Some(rule) = self.rule_ref(rid) else {
            return;
        };
        if step < 7 {
            out.extend(self.condition_failure(rid, rule, attrs).map(|(_, r)| r));
        }
        let seal = rule.seal_at(at);
        if let Some(forbid) = self.forbid_for_seal(q, seal, at, attrs) {
            out.push(self.forbidden_reason(forbid, rid, seal, attrs));
        }
    }

    /// Step 8 for an auto-seal with `seal`: [`Self::forbid_for`] its kind.
    fn forbid_for_seal<A: Attrs + ?Sized>(
        &self,
        q: &Ids,
        seal: SealId,
        at: Instant,
        attrs: &A,
    ) -> Option<ForbidId> {
        let kind = self.m.seal(seal).map(|s| s.kind);
        self.forbid_for(q, kind, at, attrs)
    }

    /// Step 8's reason: `forbid` stops `rule`'s auto-seal with `seal`;
    /// with the attribute it needs when it applies for want of it.
    fn forbidden_reason<A: Attrs + ?Sized>(
        &self,
        forbid: ForbidId,
        rule: SealRuleId,
        seal: SealId,
        attrs: &A,
    ) -> Reason {
        let missing = match self
            .m
            .forbids
            .get(forbid.index())
            .and_then(|f| f.cond.as_ref())
        {
            Some(c) => match self.condition(c, attrs) {
                (Tri::Unknown, missing) => missing,
                _ => None,
            },
            None => None,
        };
        Reason {
            code: ReasonCode::Forbidden,
            detail: Detail::Forbid {
                forbid,
                rule,
                seal,
                missing,
            },
        }
    }

    /// Step 8: the first forbid in force that matches an auto-seal with a
    /// seal of `kind`. A forbid whose condition is unknown applies.
    fn forbid_for<A: Attrs + ?Sized>(
        &self,
        q: &Ids,
        kind: Option<SealKind>,
        at: Instant,
        attrs: &A,
    ) -> Option<ForbidId> {
        // Whether a forbid applies: `Some(true)` for certain, `Some(false)`
        // only for want of an attribute its condition tests.
        let applies = |id: &ForbidId| {
            let Some(f) = self.m.forbids.get(id.index()) else {
                return Some(true);
            };
            let scoped = f.signer.is_none_or(|s| s == q.signer)
                && f.template.is_none_or(|t| t == q.template)
                && f.kind.is_none_or(|k| Some(k) == kind)
                && f.window.covers(at);
            if !scoped {
                return None;
            }
            match f.cond.as_ref().map(|c| self.condition(c, attrs).0) {
                None | Some(Tri::True) => Some(true),
                Some(Tri::Unknown) => Some(false),
                Some(Tri::False) => None,
            }
        };
        // The first that applies for certain, else the first that applies
        // for want of an attribute: the answer names a forbid that more
        // attributes would not lift when there is one.
        let mut unknown = None;
        for id in self.forbid_lists(q, kind).into_iter().flatten() {
            match applies(id) {
                Some(true) => return Some(*id),
                Some(false) => {
                    unknown.get_or_insert(*id);
                }
                None => {}
            }
        }
        unknown
    }

    /// The forbids step 8 reads for a request and a seal of `kind`: those
    /// scoped to its template, to its signer, to the kind, and the
    /// unscoped ones.
    fn forbid_lists(&self, q: &Ids, kind: Option<SealKind>) -> [&[ForbidId]; 4] {
        let scoped =
            |runs: &[Run], i: usize| runs.get(i).map_or(&[][..], |r| r.slice(&self.forbid_order));
        [
            scoped(&self.forbid_by_template, q.template.index()),
            scoped(&self.forbid_by_signer, q.signer.index()),
            kind.map_or(&[][..], |k| self.forbids_for_kind(k)),
            self.forbid_any.as_slice(),
        ]
    }

    // ------------------------------------------------------------ conditions

    /// Evaluates a condition; also returns the first missing or mistyped
    /// attribute met.
    fn condition<A: Attrs + ?Sized>(&self, c: &Condition, attrs: &A) -> (Tri, Option<AttrId>) {
        let mut missing = None;
        let root = c.nodes.len().checked_sub(1);
        let t = root.map_or(Tri::True, |r| self.node(&c.nodes, r, attrs, &mut missing));
        (t, missing)
    }

    fn node<A: Attrs + ?Sized>(
        &self,
        nodes: &[CondNode],
        i: usize,
        attrs: &A,
        missing: &mut Option<AttrId>,
    ) -> Tri {
        let Some(n) = nodes.get(i) else {
            return Tri::Unknown;
        };
        match n {
            // A part that comes out unknown names its attribute; when the
            // whole is decided anyway (false `and`, true `or`), what it
            // named is taken back, so that the attribute named is one that
            // makes the answer unknown.
            CondNode::And(parts) => {
                let before = *missing;
                let mut acc = Tri::True;
                for &p in parts {
                    match self.node(nodes, p as usize, attrs, missing) {
                        Tri::False => {
                            *missing = before;
                            return Tri::False;
                        }
                        Tri::Unknown => acc = Tri::Unknown,
                        Tri::True => {}
                    }
                }
                acc
            }
            CondNode::Or(parts) => {
                let before = *missing;
                let mut acc = Tri::False;
                for &p in parts {
                    match self.node(nodes, p as usize, attrs, missing) {
                        Tri::True => {
                            *missing = before;
                            return Tri::True;
                        }
                        Tri::Unknown => acc = Tri::Unknown,
                        Tri::False => {}
                    }
                }
                acc
            }
            CondNode::Not(p) => match self.node(nodes, *p as usize, attrs, missing) {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown => Tri::Unknown,
            },
            CondNode::Cmp { attr, op, value } => {
                let Some(v) = attrs.get(self, *attr) else {
                    missing.get_or_insert(*attr);
                    return Tri::Unknown;
                };
                let ord = match (v, value) {
                    (Value::Number(a), Value::Number(b)) => cmp_numbers(a, b),
                    (Value::Str(a), Value::Str(b)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                        if a == b {
                            Ordering::Equal
                        } else {
                            Ordering::Less
                        }
                    }
                    (Value::Bool(a), Value::Bool(b)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                        if a == b {
                            Ordering::Equal
                        } else {
                            Ordering::Less
                        }
                    }
                    _ => {
                        missing.get_or_insert(*attr);
                        return Tri::Unknown;
                    }
                };
                let holds = match op {
                    CmpOp::Eq => ord == Ordering::Equal,
                    CmpOp::Ne => ord != Ordering::Equal,
                    CmpOp::Lt => ord == Ordering::Less,
                    CmpOp::Le => ord != Ordering::Greater,
                    CmpOp::Gt => ord == Ordering::Greater,
                    CmpOp::Ge => ord != Ordering::Less,
                };
                if holds {
                    Tri::True
                } else {
                    Tri::False
                }
            }
            CondNode::In { attr, values } => {
                let Some(v) = attrs.get(self, *attr) else {
                    missing.get_or_insert(*attr);
                    return Tri::Unknown;
                };
                // The value's type is wrong when it is not the declared one,
                // or (undeclared) not that of any literal: an empty list
                // gives no type to miss, so a given value is just not in it.
                let declared = self.m.attributes.get(attr.index()).and_then(|a| a.ty);
                let typed = match declared {
                    Some(ty) => ty.as_str() == v.type_name(),
                    None => {
                        values.is_empty() || values.iter().any(|x| x.type_name() == v.type_name())
                    }
                };
                if values.iter().any(|x| x == v) {
                    Tri::True
                } else if typed {
                    Tri::False
                } else {
                    missing.get_or_insert(*attr);
                    Tri::Unknown
                }
            }
        }
    }
}

/// Why a window does not cover `at`, if it does not. Revocation first.
fn lapse(w: &Window, at: Instant) -> Option<Lapse> {
    lapse_of(w.start(), w.end(), w.revoked_at(), at)
}

fn lapse_of(start: Instant, end: Instant, revoked_at: Instant, at: Instant) -> Option<Lapse> {
    if at >= revoked_at {
        Some(Lapse::Revoked)
    } else if at >= end {
        Some(Lapse::Expired)
    } else if at < start {
        Some(Lapse::NotYetValid)
    } else {
        None
    }
}

/// [`first`], moving the reason out of a list the caller is done with.
fn first_of(out: Vec<Reason>, fallback: ReasonCode) -> Decision {
    match out.into_iter().next() {
        Some(r) => Decision::Manual(r),
        None => first(&[], fallback),
    }
}

/// Exact comparison of two decimals. Most share their scale (`500000`
/// against `120000`), and then their mantissas compare as they are, with
/// no rescaling call.
#[inline]
fn cmp_numbers(a: &rust_decimal::Decimal, b: &rust_decimal::Decimal) -> Ordering {
    if a.scale() == b.scale() {
        a.mantissa().cmp(&b.mantissa())
    } else {
        a.cmp(b)
    }
}

/// The manual decision of the first reason. Every caller has pushed one;
/// `fallback` only keeps an empty list from panicking.
fn first(out: &[Reason], fallback: ReasonCode) -> Decision {
    match out.first() {
        Some(r) => Decision::Manual(r.clone()),
        None => Decision::Manual(Reason {
            code: fallback,
            detail: Detail::Name("".into()),
        }),
    }
}

/// Step 5 on a hot row: the rule is for the signatory asked, in its window
/// (cut short by a revoke) and not void.
#[inline]
fn in_force(row: &RuleRow, role: &Role, at: Instant) -> bool {
    let role_ok = row.role == OWN_RULE || role.admits(RoleId(row.role));
    role_ok && row.start <= at && at < row.stop && row.flags & VOID == 0
}

/// The instants [`Policy::changes`] gathers: real ones only, and never
/// many more than [`PLAN_LIMIT`] before giving up.
struct Instants(Vec<Instant>);

impl Instants {
    fn extend(&mut self, ts: impl IntoIterator<Item = Instant>) {
        self.0.extend(
            ts.into_iter()
                .filter(|&t| t != Instant::MIN && t != Instant::MAX),
        );
    }
    fn window(&mut self, w: &Window) {
        self.extend([w.start(), w.end(), w.revoked_at()]);
    }
    fn toggles(&mut self, ts: &[Toggle]) {
        self.extend(ts.iter().map(|t| t.stamp.at));
    }
    /// `None` once more than [`PLAN_LIMIT`] distinct instants are in
    /// (duplicates are folded when the list grows long).
    fn within_limit(&mut self) -> Option<()> {
        if self.0.len() > 2 * PLAN_LIMIT {
            self.0.sort_unstable();
            self.0.dedup();
            if self.0.len() > PLAN_LIMIT {
                return None;
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn numbers_compare_exactly_at_any_scale() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let cases = [
            ("500000", "500000", Ordering::Equal),
            ("500000.0000000000001", "500000", Ordering::Greater),
            ("499999.99", "500000.00", Ordering::Less),
            ("-1", "1", Ordering::Less),
            ("-2.50", "-2.49", Ordering::Less),
            ("-0", "0", Ordering::Equal),
            ("0.10", "0.1", Ordering::Equal),
            (
                "79228162514264337593543950335",
                "-79228162514264337593543950335",
                Ordering::Greater,
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(cmp_numbers(&d(a), &d(b)), want, "{a} against {b}");
            assert_eq!(cmp_numbers(&d(b), &d(a)), want.reverse(), "{b} against {a}");
        }
    }
}
