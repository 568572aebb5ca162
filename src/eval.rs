//! The decision procedure of `docs/language.md` (section 10), step by
//! step, over the compiled policy. Each step is one function that says why it fails; the fast
//! answer ([`Policy::decide`], stop at the first failing check), the
//! explanation ([`Policy::explain`], every failing check) and the
//! reference ([`Policy::decide_reference`], no hot tables) call the same
//! steps in the same order, so they cannot disagree.

use std::cmp::Ordering;
use std::ops::ControlFlow;
use std::sync::Arc;

use compact_str::CompactString;
use smallvec::SmallVec;

use crate::ast::{CmpOp, SealKind};
use crate::compile::{kind_index, on_by, pair, Policy, RowFlags, RuleRef, RuleRow, Run, Signer};
use crate::decision::*;
use crate::model::*;
use crate::request::Request;
use crate::time::Instant;

/// How the full procedure (steps 5-8, [`Policy::rules_step`]'s `HOT`)
/// reads a rule and its seal: from the row's flags and the hot tables
/// where they settle a step (decisions and explanations: a denial then
/// reads fewer cache lines), or from the rule's extra and the model alone
/// (the reference they are tested against).
const HOT: bool = true;
const MODEL: bool = false;

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

    /// The signatory asked, when one was.
    fn asked(&self) -> Option<Signatory> {
        match self {
            Role::Any => None,
            Role::Known(r) => Some(Signatory::Known(*r)),
            Role::Unknown(s) => Some(Signatory::Unknown(s.clone())),
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
/// swapping in a new policy, prepare again (another policy refuses it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The instant to decide at: set it, then [`crate::Policy::decide_prepared`].
    pub at: Instant,
    policy: PolicyId,
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

/// A prepared request's decision over time: `first` holds until
/// `bounds[0]` (for ever when there is no bound), `later[i]` from
/// `bounds[i]` until `bounds[i + 1]`; neighbouring answers differ, and
/// there are as many later answers as bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    /// Most requests' answers change a few times at most: kept inline,
    /// so a prepared decision reads no other memory.
    bounds: SmallVec<[Instant; 4]>,
    first: Outcome,
    later: SmallVec<[Outcome; 2]>,
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
    fn at(&self, at: Instant) -> &Outcome {
        // Sorted: the count of those passed is where `at` falls (a
        // branch-free count for the few a plan mostly has).
        let passed = if self.bounds.len() <= 8 {
            self.bounds.iter().filter(|&&b| b <= at).count()
        } else {
            self.bounds.partition_point(|&b| b <= at)
        };
        let answer = match passed.checked_sub(1) {
            None => &self.first,
            // As many later answers as bounds: the last is there for
            // every count a plan can give.
            Some(i) => self
                .later
                .get(i)
                .or_else(|| self.later.last())
                .unwrap_or(&self.first),
        };
        answer
    }
}

/// How far a rule got through steps 5-7 before it failed, in increasing
/// order: when several rules for the key fail, the reason of the one
/// that got furthest comes first (`docs/language.md`: "When several
/// rules for the same key fail"). At step 5 the order is `signatory_mismatch`, then
/// `grant_not_yet_valid`, `grant_void`, `grant_expired` and
/// `grant_revoked` (an own rule's lapses rank as a grant's); then step 6
/// (`seal_disabled`); at step 7 `condition_not_met`, then
/// `attribute_missing`. Between rules at the same stage, the first in
/// the key's order wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// Step 5: the grant is for another signatory.
    WrongSignatory,
    /// Step 5: not yet valid.
    NotYetValid,
    /// Step 5: a void grant.
    Void,
    /// Step 5: expired.
    Expired,
    /// Step 5: revoked.
    Revoked,
    /// Step 6: its seal in force is disabled.
    SealDisabled,
    /// Step 7: its condition is false.
    ConditionFalse,
    /// Step 7: its condition cannot be evaluated.
    ConditionUnknown,
}

impl Stage {
    fn of_lapse(l: Lapse) -> Stage {
        match l {
            Lapse::NotYetValid => Stage::NotYetValid,
            Lapse::Expired => Stage::Expired,
            Lapse::Revoked => Stage::Revoked,
        }
    }

    /// Whether a rule that failed here was in force (past step 5), so
    /// that later checks may fail too.
    fn in_force(self) -> bool {
        self >= Stage::SealDisabled
    }
}

/// Why one rule of the key did not give a seal: how far it got, and the
/// reason.
struct RuleMiss {
    stage: Stage,
    reason: Reason,
}

/// Why a request's names did not resolve (step 1).
#[derive(Debug, Clone, Copy)]
enum Unresolved {
    /// A name is unknown: the first lookup that failed.
    Unknown(Name),
    /// The template is not the effective initiating org's.
    Mismatch {
        template: TemplateId,
        expected: OrgId,
    },
}

/// A name a request gives.
#[derive(Debug, Clone, Copy)]
enum Name {
    Initiator,
    Template,
    Signer,
    OnBehalfOf,
}

impl Name {
    /// The name is unknown: a true reason, though [`Policy::unknown_names`]
    /// names them all, in the order of `docs/language.md`, and so always
    /// this one too.
    fn reason(self, req: &Request) -> Reason {
        let name = match self {
            Name::Initiator => {
                return Reason::UnknownEmployee {
                    name: req.initiator.as_str().into(),
                }
            }
            Name::Template => {
                return Reason::UnknownTemplate {
                    name: req.template.as_str().into(),
                }
            }
            Name::Signer => req.signer.as_str(),
            Name::OnBehalfOf => req.on_behalf_of.as_deref().unwrap_or_default(),
        };
        Reason::UnknownOrg { name: name.into() }
    }
}

/// What the rules of the key (steps 5-9) give: a rule and its seal, or
/// the reason none does.
type RulesOutcome = Result<(SealRuleId, SealId), Reason>;

impl Policy {
    // ------------------------------------------------------------ public API

    /// Decides a request by names: the first failing check, or the seal.
    pub fn decide(&self, req: &Request) -> Decision {
        let outcome = match self.resolve(req) {
            Ok(ids) => self.decide_ids(&ids, req.at, req.attributes.as_slice()),
            Err(reason) => Outcome::Manual(reason),
        };
        self.decision(outcome)
    }

    /// An outcome of this policy, as a decision that remembers it.
    #[inline]
    fn decision(&self, outcome: Outcome) -> Decision {
        Decision {
            policy: self.id,
            outcome,
        }
    }

    /// Decides and lists every failing check, the deciding one first.
    pub fn explain(&self, req: &Request) -> Explanation {
        match self.resolve_all(req) {
            Ok(ids) => self.explain_ids(&ids, req.at, req.attributes.as_slice()),
            Err((first, reasons)) => Explanation {
                decision: self.decision(Outcome::Manual(first)),
                reasons,
            },
        }
    }

    /// [`Self::decide`] without the hot tables: every check reads the
    /// timelines, authorizations and rules in full. Slower, never
    /// different; tests and fuzzing compare the two.
    #[doc(hidden)]
    pub fn decide_reference(&self, req: &Request) -> Decision {
        let outcome = match self.resolve(req) {
            Ok(ids) => self.decide_ids_on_model(&ids, req.at, req.attributes.as_slice()),
            Err(reason) => Outcome::Manual(reason),
        };
        self.decision(outcome)
    }

    /// Resolves a request's names once.
    pub fn prepare(&self, req: &Request) -> Prepared {
        let attrs: Vec<_> = req
            .attributes
            .iter()
            .filter_map(|(k, v)| self.attrs.get(k).map(|a| (a, v.clone())))
            .collect();
        let answers = match self.resolve(req) {
            Ok(q) => match self.plan(&q, &attrs) {
                Some(plan) => Answers::Plan(plan),
                None => Answers::Full(q, attrs),
            },
            // An unknown name is unknown at every instant.
            Err(reason) => Answers::Plan(Plan {
                bounds: SmallVec::new(),
                first: Outcome::Manual(reason),
                later: SmallVec::new(),
            }),
        };
        Prepared {
            at: req.at,
            policy: self.id,
            answers,
        }
    }

    /// Decides a prepared request; one prepared by another policy is
    /// refused (its answers and ids are that policy's: prepare again).
    pub fn decide_prepared(&self, p: &Prepared) -> Result<Decision, ForeignDecision> {
        if p.policy != self.id {
            return Err(ForeignDecision);
        }
        let outcome = match &p.answers {
            Answers::Plan(plan) => plan.at(p.at).clone(),
            Answers::Full(ids, attrs) => self.decide_ids(ids, p.at, attrs.as_slice()),
        };
        Ok(self.decision(outcome))
    }

    /// A request's decision at every instant (see [`Prepared`]), or
    /// `None` past [`PLAN_LIMIT`] instants.
    fn plan(&self, q: &Ids, attrs: &[(AttrId, Value)]) -> Option<Plan> {
        // At `Instant::MAX` every "no end" has ended: decided too, so that
        // even that instant gets the answer `decide` gives.
        let at = self.changes(q)?.into_iter().chain([Instant::MAX]);
        let decide = |t| self.decide_ids(q, t, attrs);
        let mut plan = Plan {
            bounds: SmallVec::new(),
            first: decide(Instant::MIN),
            later: SmallVec::new(),
        };
        for t in at {
            let d = decide(t);
            if *plan.later.last().unwrap_or(&plan.first) != d {
                plan.bounds.push(t);
                plan.later.push(d);
            }
        }
        Some(plan)
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
        for (_, rule) in self.rule_refs(run) {
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
    /// initiating org; else the first reason it fails. Always inlined: a
    /// call's result came back to `decide` through memory (41 more
    /// instructions per decision, about 5% more time at 1,000 grants;
    /// BENCHMARKS.md, run 9).
    #[inline(always)]
    fn resolve(&self, req: &Request) -> Result<Ids, Reason> {
        self.lookup(req)
            .map_err(|miss| self.first_unresolved(req, miss))
    }

    /// [`Self::resolve`], with every reason step 1 fails for: the first,
    /// and all of them (the first too).
    fn resolve_all(&self, req: &Request) -> Result<Ids, (Reason, Vec<Reason>)> {
        self.lookup(req).map_err(|miss| match miss {
            Unresolved::Unknown(name) => {
                let mut all = Vec::new();
                let _ = self.unknown_names(req, |r| {
                    all.push(r);
                    ControlFlow::Continue(())
                });
                let first = match all.first() {
                    Some(r) => r.clone(),
                    None => {
                        let r = name.reason(req);
                        all.push(r.clone());
                        r
                    }
                };
                (first, all)
            }
            Unresolved::Mismatch { .. } => {
                let r = self.first_unresolved(req, miss);
                (r.clone(), vec![r])
            }
        })
    }

    /// The first reason step 1 fails for.
    #[cold]
    fn first_unresolved(&self, req: &Request, miss: Unresolved) -> Reason {
        match miss {
            Unresolved::Unknown(name) => {
                let mut first = None;
                let _ = self.unknown_names(req, |r| {
                    first = Some(r);
                    ControlFlow::Break(())
                });
                first.unwrap_or_else(|| name.reason(req))
            }
            Unresolved::Mismatch { template, expected } => {
                Reason::TemplateOwnerMismatch { template, expected }
            }
        }
    }

    /// Looks a request's names up, for step 1.
    #[inline(always)]
    fn lookup(&self, req: &Request) -> Result<Ids, Unresolved> {
        let employee = self.employees.get(&req.initiator);
        let template = self.templates.get(&req.template);
        let signer = self.orgs.get(&req.signer);
        let on_behalf = match &req.on_behalf_of {
            None => Some(None),
            Some(o) => self.orgs.get(o).map(|(id, _)| Some(id)),
        };
        let ((employee, emp_org), (template, owner), (signer, signer_row), on_behalf) =
            match (employee, template, signer, on_behalf) {
                (Some(e), Some(t), Some(s), Some(b)) => (e, t, s, b),
                (None, ..) => return Err(Unresolved::Unknown(Name::Initiator)),
                (_, None, ..) => return Err(Unresolved::Unknown(Name::Template)),
                (_, _, None, _) => return Err(Unresolved::Unknown(Name::Signer)),
                (.., None) => return Err(Unresolved::Unknown(Name::OnBehalfOf)),
            };
        let eff = on_behalf.unwrap_or(emp_org);
        if owner != eff {
            return Err(Unresolved::Mismatch {
                template,
                expected: eff,
            });
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

    /// Step 1's reasons when a name is unknown, each handed to `emit` in
    /// order until it breaks: orgs first (each once, apart from an
    /// `on_behalf_of` that repeats the initiator's org), then the
    /// employee, then the template. Nothing after a break is looked up.
    #[cold]
    fn unknown_names(
        &self,
        req: &Request,
        mut emit: impl FnMut(Reason) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        fn org_part(q: &str) -> &str {
            q.split_once('.').map_or(q, |(o, _)| o)
        }
        let unknown_org = |name: &str| Reason::UnknownOrg { name: name.into() };
        let mut listed: SmallVec<[&str; 4]> = SmallVec::new();
        let ini_org = org_part(&req.initiator);
        let ini_org_known = self.orgs.contains(ini_org);
        if !ini_org_known {
            listed.push(ini_org);
            emit(unknown_org(ini_org))?;
        }
        if let Some(o) = req.on_behalf_of.as_deref() {
            if !self.orgs.contains(o) {
                listed.push(o);
                emit(unknown_org(o))?;
            }
        }
        let signer = req.signer.as_str();
        if !listed.contains(&signer) && !self.orgs.contains(signer) {
            listed.push(signer);
            emit(unknown_org(signer))?;
        }
        let tpl_org = org_part(&req.template);
        let tpl_org_known = self.orgs.contains(tpl_org);
        if !tpl_org_known && !listed.contains(&tpl_org) {
            emit(unknown_org(tpl_org))?;
        }
        if ini_org_known && !self.employees.contains(&req.initiator) {
            emit(Reason::UnknownEmployee {
                name: req.initiator.as_str().into(),
            })?;
        }
        if tpl_org_known && !self.templates.contains(&req.template) {
            emit(Reason::UnknownTemplate {
                name: req.template.as_str().into(),
            })?;
        }
        ControlFlow::Continue(())
    }

    // ------------------------------------------------------------ steps 2-9

    /// Steps 2-9 for `decide`: the first failing check, or the seal. The
    /// hot rows answer most hits; only a step that may fail reads the
    /// model, and only a failing one builds a reason.
    #[inline]
    fn decide_ids<A: Attrs + ?Sized>(&self, q: &Ids, at: Instant, attrs: &A) -> Outcome {
        let (own, basis) = self.basis(q);
        let run = self.rules_for(q.signer_row.grants, q.template, own);
        let initiator_ok = self.initiator_may(q, at, attrs);
        if initiator_ok {
            if let Some((rule, seal)) = self.quick_hit(q, run, at, attrs) {
                return Outcome::AutoSeal { seal, rule, basis };
            }
        }
        if !self.service_on_for_good(q, at) {
            if let Some(r) = self.service_failure(q.signer, at) {
                return Outcome::Manual(r);
            }
        }
        if !initiator_ok {
            if let Some(r) = self.initiator_failure(q, at, attrs) {
                return Outcome::Manual(r);
            }
        }
        if !self.template_on_for_good(q, at) {
            if let Some(r) = self.template_failure(q.template, at) {
                return Outcome::Manual(r);
            }
        }
        match self.rules_step::<HOT, A>(q, own, run, at, attrs, None) {
            Ok((rule, seal)) => Outcome::AutoSeal { seal, rule, basis },
            Err(r) => Outcome::Manual(r),
        }
    }

    /// Steps 2-9 as [`Self::decide_ids`], on the model alone: no hot
    /// row or on-for-good instant is read (the reference the tests hold
    /// the hot tables to).
    fn decide_ids_on_model<A: Attrs + ?Sized>(&self, q: &Ids, at: Instant, attrs: &A) -> Outcome {
        let (own, basis) = self.basis(q);
        let run = self.rules_for(q.signer_row.grants, q.template, own);
        let failed = self
            .service_failure(q.signer, at)
            .or_else(|| self.initiator_failure(q, at, attrs))
            .or_else(|| self.template_failure(q.template, at));
        if let Some(r) = failed {
            return Outcome::Manual(r);
        }
        match self.rules_step::<MODEL, A>(q, own, run, at, attrs, None) {
            Ok((rule, seal)) => Outcome::AutoSeal { seal, rule, basis },
            Err(r) => Outcome::Manual(r),
        }
    }

    /// Steps 2-9 for `explain`: every failing check, the first one first.
    fn explain_ids<A: Attrs + ?Sized>(&self, q: &Ids, at: Instant, attrs: &A) -> Explanation {
        let (own, basis) = self.basis(q);
        let run = self.rules_for(q.signer_row.grants, q.template, own);
        // A hit has no reasons to list: the hot rows may answer it.
        let initiator_ok = self.initiator_may(q, at, attrs);
        if initiator_ok {
            if let Some((rule, seal)) = self.quick_hit(q, run, at, attrs) {
                return Explanation {
                    decision: self.decision(Outcome::AutoSeal { seal, rule, basis }),
                    reasons: Vec::new(),
                };
            }
        }
        let mut reasons = Vec::new();
        let service = (!self.service_on_for_good(q, at))
            .then(|| self.service_failure(q.signer, at))
            .flatten();
        reasons.extend(service);
        if !initiator_ok {
            reasons.extend(self.initiator_failure(q, at, attrs));
        }
        let template = (!self.template_on_for_good(q, at))
            .then(|| self.template_failure(q.template, at))
            .flatten();
        reasons.extend(template);
        let mut others = Vec::new();
        let decision = match self.rules_step::<HOT, A>(q, own, run, at, attrs, Some(&mut others)) {
            Ok((rule, seal)) => match reasons.first() {
                None => Outcome::AutoSeal { seal, rule, basis },
                Some(first) => Outcome::Manual(first.clone()),
            },
            Err(r) => {
                let first = reasons.first().cloned().unwrap_or_else(|| r.clone());
                reasons.push(r);
                // The other rules' failures, after the deciding reason.
                for o in others {
                    if !reasons.contains(&o) {
                        reasons.push(o);
                    }
                }
                Outcome::Manual(first)
            }
        };
        Explanation {
            decision: self.decision(decision),
            reasons,
        }
    }

    /// Whether the signer is the effective initiating org, and the basis
    /// of an auto-seal.
    fn basis(&self, q: &Ids) -> (bool, Basis) {
        let own = q.signer == q.on_behalf.unwrap_or(q.emp_org);
        let basis = if !own {
            Basis::PartnerGrant
        } else if q.on_behalf.is_some() {
            Basis::GroupProxy
        } else {
            Basis::OwnTemplate
        };
        (own, basis)
    }

    /// Step 2 on the timeline: why the signer's service is off at `at`.
    fn service_failure(&self, org: OrgId, at: Instant) -> Option<Reason> {
        let (on, event) = self.service_state(org, at);
        (!on).then_some(Reason::ServiceNotEnabled { org, event })
    }

    /// Step 4 on the timeline: the disable in force, if the template is
    /// disabled at `at`.
    fn template_failure(&self, template: TemplateId, at: Instant) -> Option<Reason> {
        let toggles = self.m.template(template).map_or(&[][..], |t| &t.toggles);
        let event = disabled_by(toggles, at)?;
        Some(Reason::TemplateDisabled { template, event })
    }

    /// Steps 5-9 over the rules of the key (`run`): the rule and seal, or
    /// the reason none gives one. With `others`, every other rule's
    /// failures are listed there too (for `explain`): a rule not in force
    /// gives its step-5 reason, a rule in force every later check it
    /// fails.
    fn rules_step<const HOT: bool, A: Attrs + ?Sized>(
        &self,
        q: &Ids,
        own: bool,
        run: Run,
        at: Instant,
        attrs: &A,
        mut others: Option<&mut Vec<Reason>>,
    ) -> RulesOutcome {
        // The hot rows have had their say (`quick_hit`): from here each
        // rule is checked in full, for its reason.
        let mut best: Option<RuleMiss> = None;
        let mut chosen: Option<(SealRuleId, SealId)> = None;
        let mut ambiguous: Option<(SealRuleId, SealId)> = None;
        let mut forbidden: Option<(ForbidId, SealRuleId, SealId)> = None;
        for (rid, rule) in self.rule_refs(run) {
            // The seal, and the forbid that stops it (8), if any.
            let checked = self
                .rule_check::<HOT, A>(rid, rule, q, at, attrs)
                .map(|seal| {
                    (
                        seal,
                        self.forbid_for_seal::<HOT, A>(q, rule, seal, at, attrs),
                    )
                });
            match checked {
                Err(miss) => {
                    if let Some(o) = others.as_deref_mut() {
                        o.push(miss.reason.clone());
                        // A rule in force may fail later steps too: every
                        // failing check is listed.
                        if miss.stage.in_force() {
                            self.later_failures::<HOT, A>(rid, rule, miss.stage, q, at, attrs, o);
                        }
                    }
                    if best.as_ref().is_none_or(|b| miss.stage > b.stage) {
                        best = Some(miss);
                    }
                }
                Ok((seal, Some(f))) => {
                    if forbidden.is_none() {
                        forbidden = Some((f, rid, seal));
                    } else if let Some(o) = others.as_deref_mut() {
                        // Every rule a forbid stops is listed.
                        o.push(self.forbidden_reason(f, rid, seal, attrs));
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
            (Some((first, first_seal)), Some((second, second_seal))) => {
                if let Some(o) = others {
                    // A rule gives a seal: the other rules' failures do not
                    // stand in the way.
                    o.clear();
                }
                Err(Reason::AmbiguousSeal {
                    first,
                    first_seal,
                    second,
                    second_seal,
                })
            }
            (Some(hit), None) => Ok(hit),
            (None, _) => Err(if let Some((forbid, rule, seal)) = forbidden {
                self.forbidden_reason(forbid, rule, seal, attrs)
            } else if let Some(miss) = best {
                miss.reason
            } else if own {
                Reason::TemplateNotAutoSign {
                    signer: q.signer,
                    template: q.template,
                    rule: None,
                }
            } else {
                Reason::NoPartnerGrant {
                    signer: q.signer,
                    template: q.template,
                }
            }),
        }
    }

    /// The rules of a run, with their ids.
    fn rule_refs(&self, run: Run) -> impl Iterator<Item = (SealRuleId, RuleRef<'_>)> + '_ {
        (run.start..run.start.saturating_add(run.len))
            .map(SealRuleId)
            .filter_map(|id| Some((id, self.rule_ref(id)?)))
    }

    /// Steps 2 and 4-9 on the hot rows of the key's rules `run`, once step
    /// 3 is known to pass: the rule and its seal when every step certainly
    /// passes and every rule that gives a seal gives the same one. `None`
    /// leaves the answer (a miss, an ambiguity, a timeline to read) to the
    /// full procedure.
    #[inline(always)]
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
            let settled = row.flags.has(RowFlags::SETTLED)
                || (self.service_on_for_good(q, at) && self.template_on_for_good(q, at));
            if !settled {
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
    /// authorized ([`Self::initiator_failure`] says why not).
    #[inline(always)]
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
            r.template.covers(q.template)
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
            .is_some_and(|c| self.condition(c, attrs) == Tri::True)
    }

    /// Step 3. `None` when the initiator is authorized.
    fn initiator_failure<A: Attrs + ?Sized>(
        &self,
        q: &Ids,
        at: Instant,
        attrs: &A,
    ) -> Option<Reason> {
        let own_org = q.emp_org;
        let eff = q.on_behalf.unwrap_or(own_org);
        if let Some(sub) = q.on_behalf {
            let main = self
                .m
                .org(sub)
                .and_then(|o| o.group)
                .and_then(|g| self.m.groups.get(g.index()))
                .map(|g| g.main);
            if main != Some(own_org) || sub == own_org {
                return Some(Reason::NotGroupMember { org: own_org, sub });
            }
        }
        let run = match q.on_behalf {
            Some(sub) => self.emp_behalf.get(&pair(q.employee.0, sub.0)),
            None => self.emp_own.get(q.employee.index()),
        };
        let rules = run.map_or(&[][..], |r| r.slice(&self.emp_order));
        // The authorization that came closest: another template (0), out
        // of its window (1), its condition (2).
        let mut closest: Option<(u8, EmployeeRuleId, &EmployeeRule, Option<Lapse>)> = None;
        for &id in rules {
            let Some(r) = self.m.employee_rules.get(id.index()) else {
                continue;
            };
            if r.on_behalf != q.on_behalf.is_some() {
                continue;
            }
            let (rank, lapsed) = if r.template.is_some_and(|t| t != q.template) {
                (0, None)
            } else if let Some(l) = lapse(&r.window, at) {
                (1, Some(l))
            } else {
                match r.cond.as_ref().map(|c| self.condition(c, attrs)) {
                    None | Some(Tri::True) => return None,
                    Some(_) => (2, None),
                }
            };
            if closest.as_ref().is_none_or(|c| rank > c.0) {
                closest = Some((rank, id, r, lapsed));
            }
        }
        let why = match closest {
            None => InitiatorMiss::NoAuthorization,
            Some((0, rule, ..)) => InitiatorMiss::OtherTemplate { rule },
            Some((_, rule, _, Some(lapse))) => InitiatorMiss::Lapsed { rule, lapse },
            Some((_, rule, r, None)) => match r.cond.as_ref().map(|c| self.why(c, attrs)) {
                Some(Why::Unknown(missing)) => InitiatorMiss::AttributeMissing { rule, missing },
                Some(Why::Decided(_, failed)) => InitiatorMiss::ConditionNotMet { rule, failed },
                // Ranked at its condition, so it has one.
                None => InitiatorMiss::ConditionNotMet { rule, failed: None },
            },
        };
        Some(Reason::InitiatorNotAuthorized {
            employee: q.employee,
            template: q.template,
            target: eff,
            why,
        })
    }

    /// Steps 6-8 for a rule [`in_force`]: its seal when that seal is on,
    /// the condition holds and no forbid stops it.
    #[inline(always)]
    fn rule_gives<A: Attrs + ?Sized>(
        &self,
        row: &RuleRow,
        rid: SealRuleId,
        q: &Ids,
        at: Instant,
        attrs: &A,
    ) -> Option<SealId> {
        // The whole rule: its extra holds its reseals and condition.
        let rule = || self.rule_ref(rid);
        let seal = if row.flags.has(RowFlags::RESEALED) {
            rule()?.seal_at(at)
        } else {
            row.seal
        };
        let hot_seal = || self.seal_from.get(seal.index()).copied();
        if !row.flags.has(RowFlags::SEAL_ON) && !on_by(hot_seal()?.0, at) {
            // Not on for good by `at`: its timeline says.
            if !self.seal_state(seal, at).0 {
                return None;
            }
        }
        if row.flags.has(RowFlags::CONDITIONAL) {
            let c = rule()?.cond()?;
            if self.condition(c, attrs) != Tri::True {
                return None;
            }
        }
        if !row.flags.has(RowFlags::UNFORBIDDEN) {
            let kind = self.seal_kind::<HOT>(row, seal)?;
            if self.forbid_for(q, Some(kind), at, attrs).is_some() {
                return None;
            }
        }
        Some(seal)
    }

    /// Steps 5-7 for one rule: its seal, or how far it got and why not.
    fn rule_check<const HOT: bool, A: Attrs + ?Sized>(
        &self,
        rid: SealRuleId,
        rule: RuleRef<'_>,
        q: &Ids,
        at: Instant,
        attrs: &A,
    ) -> Result<SealId, RuleMiss> {
        let partner = rule.row.role.partner();
        let lapsed_reason = |l: Lapse| match partner {
            None => Reason::TemplateNotAutoSign {
                signer: q.signer,
                template: q.template,
                rule: Some((rid, l)),
            },
            Some(_) => match l {
                Lapse::NotYetValid => Reason::GrantNotYetValid { rule: rid },
                Lapse::Expired => Reason::GrantExpired { rule: rid },
                Lapse::Revoked => Reason::GrantRevoked { rule: rid },
            },
        };
        let miss = |stage, reason| Err(RuleMiss { stage, reason });
        // 5. The rule gives the signer a seal now.
        if let Some(role) = partner {
            if let (false, Some(asked)) = (q.role.admits(role), q.role.asked()) {
                let reason = Reason::SignatoryMismatch { rule: rid, asked };
                return miss(Stage::WrongSignatory, reason);
            }
        }
        // With `HOT`, what the row says spares reading the rule's extra:
        // a rule in its window has not lapsed, and one without the flag has
        // no void, reseal or condition.
        let may = |f: RowFlags| !HOT || rule.row.flags.has(f);
        let lapsed = if HOT && rule.start() <= at && at < rule.row.stop {
            None
        } else {
            lapse_of(rule.start(), rule.end(), rule.revoked_at(), at)
        };
        if let Some(l @ (Lapse::Revoked | Lapse::Expired)) = lapsed {
            return miss(Stage::of_lapse(l), lapsed_reason(l));
        }
        if may(RowFlags::VOID) && rule.void().is_some() {
            return miss(Stage::Void, Reason::GrantVoid { rule: rid });
        }
        if let Some(l) = lapsed {
            return miss(Stage::of_lapse(l), lapsed_reason(l));
        }
        // 6. The seal in force is not disabled.
        let seal = if may(RowFlags::RESEALED) {
            rule.seal_at(at)
        } else {
            rule.row.seal
        };
        if let Some(event) = self.seal_disabled::<HOT>(rule, seal, at) {
            let reason = Reason::SealDisabled {
                rule: rid,
                seal,
                event,
            };
            return miss(Stage::SealDisabled, reason);
        }
        // 7. The condition holds.
        if may(RowFlags::CONDITIONAL) {
            if let Some(m) = self.condition_failure(rid, rule, attrs) {
                return Err(m);
            }
        }
        Ok(seal)
    }

    /// Step 7 for one rule: `None` when its condition holds (or it has
    /// none), else how it fails.
    fn condition_failure<A: Attrs + ?Sized>(
        &self,
        rid: SealRuleId,
        rule: RuleRef<'_>,
        attrs: &A,
    ) -> Option<RuleMiss> {
        match self.why(rule.cond()?, attrs) {
            Why::Decided(true, _) => None,
            Why::Decided(false, failed) => Some(RuleMiss {
                stage: Stage::ConditionFalse,
                reason: Reason::ConditionNotMet { rule: rid, failed },
            }),
            Why::Unknown(missing) => Some(RuleMiss {
                stage: Stage::ConditionUnknown,
                reason: Reason::AttributeMissing { rule: rid, missing },
            }),
        }
    }

    /// For `explain`: the checks after `stage` that a rule in force also
    /// fails, its condition (7) and the forbids (8), as reasons.
    #[allow(clippy::too_many_arguments)]
    fn later_failures<const HOT: bool, A: Attrs + ?Sized>(
        &self,
        rid: SealRuleId,
        rule: RuleRef<'_>,
        stage: Stage,
        q: &Ids,
        at: Instant,
        attrs: &A,
        out: &mut Vec<Reason>,
    ) {
        if stage < Stage::ConditionFalse {
            out.extend(self.condition_failure(rid, rule, attrs).map(|m| m.reason));
        }
        let seal = rule.seal_at(at);
        if let Some(forbid) = self.forbid_for_seal::<HOT, A>(q, rule, seal, at, attrs) {
            out.push(self.forbidden_reason(forbid, rid, seal, attrs));
        }
    }

    /// Step 8 for `rule`'s auto-seal with `seal`: [`Self::forbid_for`] its kind.
    fn forbid_for_seal<const HOT: bool, A: Attrs + ?Sized>(
        &self,
        q: &Ids,
        rule: RuleRef<'_>,
        seal: SealId,
        at: Instant,
        attrs: &A,
    ) -> Option<ForbidId> {
        let kind = self.seal_kind::<HOT>(rule.row, seal);
        self.forbid_for(q, kind, at, attrs)
    }

    /// The kind of `seal`, the seal in force of the rule whose row is
    /// `row`, which step 8 matches forbids by. With `HOT`, from the row
    /// unless it is resealed, else from the hot table; else the model's.
    fn seal_kind<const HOT: bool>(&self, row: &RuleRow, seal: SealId) -> Option<SealKind> {
        if !HOT {
            self.m.seal(seal).map(|s| s.kind)
        } else if row.flags.has(RowFlags::RESEALED) {
            self.seal_from.get(seal.index()).map(|s| s.1)
        } else {
            row.kind
        }
    }

    /// Step 6 for `rule`, whose seal in force at `at` is `seal`: the event
    /// that disables the seal then, if any. With `HOT`, a row whose one
    /// seal is never disabled says so, and no seal of the model is read
    /// (on a denial, that read was a cache miss of its own).
    fn seal_disabled<const HOT: bool>(
        &self,
        rule: RuleRef<'_>,
        seal: SealId,
        at: Instant,
    ) -> Option<u32> {
        if HOT && rule.row.flags.has(RowFlags::SEAL_ON) {
            return None;
        }
        disabled_by(self.m.seal(seal).map_or(&[][..], |s| &s.toggles), at)
    }

    /// Step 8's reason: `forbid` stops `rule`'s auto-seal with `seal`;
    /// with the comparison it cannot evaluate when it applies for want of
    /// an attribute.
    fn forbidden_reason<A: Attrs + ?Sized>(
        &self,
        forbid: ForbidId,
        rule: SealRuleId,
        seal: SealId,
        attrs: &A,
    ) -> Reason {
        let cond = self
            .m
            .forbids
            .get(forbid.index())
            .and_then(|f| f.cond.as_ref());
        let missing = match cond.map(|c| self.why(c, attrs)) {
            Some(Why::Unknown(missing)) => Some(missing),
            _ => None,
        };
        Reason::Forbidden {
            forbid,
            rule,
            seal,
            missing,
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
            let scoped = f.scope_covers_seal(q.signer, q.template, kind) && f.window.covers(at);
            if !scoped {
                return None;
            }
            match f.cond.as_ref().map(|c| self.condition(c, attrs)) {
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

    /// Evaluates a condition.
    fn condition<A: Attrs + ?Sized>(&self, c: &Condition, attrs: &A) -> Tri {
        match c.nodes.len().checked_sub(1) {
            Some(root) => self.node(&c.nodes, root, attrs),
            None => Tri::True,
        }
    }

    fn node<A: Attrs + ?Sized>(&self, nodes: &[CondNode], i: usize, attrs: &A) -> Tri {
        let Some(n) = nodes.get(i) else {
            return Tri::Unknown;
        };
        match n {
            CondNode::And(parts) => {
                let mut acc = Tri::True;
                for &p in parts {
                    match self.node(nodes, p as usize, attrs) {
                        Tri::False => return Tri::False,
                        Tri::Unknown => acc = Tri::Unknown,
                        Tri::True => {}
                    }
                }
                acc
            }
            CondNode::Or(parts) => {
                let mut acc = Tri::False;
                for &p in parts {
                    match self.node(nodes, p as usize, attrs) {
                        Tri::True => return Tri::True,
                        Tri::Unknown => acc = Tri::Unknown,
                        Tri::False => {}
                    }
                }
                acc
            }
            CondNode::Not(p) => self.node(nodes, *p as usize, attrs).not(),
            leaf => self.leaf(leaf, attrs).0,
        }
    }

    /// A condition evaluated for its reason: the comparison that decided
    /// it, or the first it cannot evaluate. Gives what [`Self::condition`]
    /// gives; the hot rows never call it, the full check of a rule does.
    fn why<A: Attrs + ?Sized>(&self, c: &Condition, attrs: &A) -> Why {
        match c.nodes.len().checked_sub(1) {
            Some(root) => self.node_why(&c.nodes, root, attrs).done(),
            None => Why::Decided(true, None),
        }
    }

    /// One node of [`Self::why`]. A part that decides an `and` (false) or
    /// an `or` (true) names the comparison; else the first part that is
    /// unknown; else the first part.
    fn node_why<'v, A: Attrs + ?Sized>(
        &self,
        nodes: &[CondNode],
        i: usize,
        attrs: &'v A,
    ) -> Blame<'v> {
        let Some(n) = nodes.get(i) else {
            return Blame::Unknown(None);
        };
        let combine = |parts: &[u32], stop: Tri| {
            let mut unknown = None;
            let mut first = None;
            for &p in parts {
                match self.node_why(nodes, p as usize, attrs) {
                    b @ Blame::Decided(t, _) if t == stop => return b,
                    b @ Blame::Unknown(_) => {
                        unknown.get_or_insert(b);
                    }
                    b => {
                        first.get_or_insert(b);
                    }
                }
            }
            let all = Blame::Decided(stop.not(), None);
            unknown.or(first).unwrap_or(all)
        };
        match n {
            CondNode::And(parts) => combine(parts, Tri::False),
            CondNode::Or(parts) => combine(parts, Tri::True),
            CondNode::Not(p) => self.node_why(nodes, *p as usize, attrs).not(),
            leaf => {
                let (t, given) = self.leaf(leaf, attrs);
                let at = Leaf {
                    node: i as u32,
                    negated: false,
                    given,
                };
                match t {
                    Tri::Unknown => Blame::Unknown(Some(at)),
                    t => Blame::Decided(t, Some(at)),
                }
            }
        }
    }

    /// A comparison or an `in`, and the value the request gives its
    /// attribute.
    #[inline(always)]
    fn leaf<'v, A: Attrs + ?Sized>(&self, n: &CondNode, attrs: &'v A) -> (Tri, Option<&'v Value>) {
        match n {
            CondNode::Cmp { attr, op, value } => {
                let Some(v) = attrs.get(self, *attr) else {
                    return (Tri::Unknown, None);
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
                    _ => return (Tri::Unknown, Some(v)),
                };
                let holds = match op {
                    CmpOp::Eq => ord == Ordering::Equal,
                    CmpOp::Ne => ord != Ordering::Equal,
                    CmpOp::Lt => ord == Ordering::Less,
                    CmpOp::Le => ord != Ordering::Greater,
                    CmpOp::Gt => ord == Ordering::Greater,
                    CmpOp::Ge => ord != Ordering::Less,
                };
                (Tri::of(holds), Some(v))
            }
            CondNode::In { attr, values } => {
                let Some(v) = attrs.get(self, *attr) else {
                    return (Tri::Unknown, None);
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
                    (Tri::True, Some(v))
                } else if typed {
                    (Tri::False, Some(v))
                } else {
                    (Tri::Unknown, Some(v))
                }
            }
            CondNode::And(_) | CondNode::Or(_) | CondNode::Not(_) => (Tri::Unknown, None),
        }
    }
}

impl Tri {
    fn of(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }

    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// A comparison of a condition, as [`Policy::why`] names it.
#[derive(Debug, Clone, Copy)]
struct Leaf<'v> {
    node: u32,
    /// Under an odd number of `not`s.
    negated: bool,
    given: Option<&'v Value>,
}

/// A part of a condition, evaluated with the comparison its value comes
/// from: decided (true or false) by that comparison (none when no one
/// comparison decided it: an `and` or `or` of nothing), or unknown for
/// want of the attribute of that one.
#[derive(Debug, Clone, Copy)]
enum Blame<'v> {
    Decided(Tri, Option<Leaf<'v>>),
    Unknown(Option<Leaf<'v>>),
}

impl<'v> Blame<'v> {
    fn not(self) -> Blame<'v> {
        let flip = |l: Option<Leaf<'v>>| {
            l.map(|l| Leaf {
                negated: !l.negated,
                ..l
            })
        };
        match self {
            Blame::Decided(t, l) => Blame::Decided(t.not(), flip(l)),
            Blame::Unknown(l) => Blame::Unknown(l),
        }
    }

    /// The whole condition's reason.
    #[inline]
    fn done(self) -> Why {
        match self {
            Blame::Unknown(Some(l)) => Why::Unknown(Missing {
                node: l.node,
                given: l.given.map(value_type),
            }),
            // Unknown comes only from a comparison, which names itself; a
            // node that is not there names none.
            Blame::Unknown(None) => Why::Decided(false, None),
            Blame::Decided(t, l) => Why::Decided(
                t == Tri::True,
                l.and_then(|l| {
                    Some(Failed {
                        node: l.node,
                        negated: l.negated,
                        given: Given::of(l.given?),
                    })
                }),
            ),
        }
    }
}

/// A condition's outcome for a reason: true or false, with the
/// comparison that decided it; or unknown, with the one that cannot be
/// evaluated.
enum Why {
    Decided(bool, Option<Failed>),
    Unknown(Missing),
}

fn value_type(v: &Value) -> crate::ast::AttrType {
    match v {
        Value::Number(_) => crate::ast::AttrType::Number,
        Value::Str(_) => crate::ast::AttrType::String,
        Value::Bool(_) => crate::ast::AttrType::Bool,
    }
}

/// The disable in force on an on-at-first timeline (a seal's, a
/// template's) at `at`, when it is off.
fn disabled_by(toggles: &[Toggle], at: Instant) -> Option<u32> {
    match state_at(toggles, true, at) {
        (false, event) => event,
        (true, _) => None,
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

/// Step 5 on a hot row: the rule is for the signatory asked, in its window
/// (cut short by a revoke) and not void.
#[inline]
fn in_force(row: &RuleRow, role: &Role, at: Instant) -> bool {
    let role_ok = row.role.partner().is_none_or(|r| role.admits(r));
    role_ok && row.start <= at && at < row.stop && !row.flags.has(RowFlags::VOID)
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

    /// The hot evaluation and the one that names the deciding comparison
    /// agree on every condition, for values of every type and none.
    #[test]
    fn why_agrees_with_the_condition() {
        let text = r#"timezone +08:00
org a "A" {
    super_admin s "S"
    seal c "C" kind contract
    template t1 "T1"
    template t2 "T2"
    template t3 "T3"
    template t4 "T4"
}
r1: a auto-signs template t1 with seal c when amount <= 500000 and currency == "CNY"
r2: a auto-signs template t2 with seal c when amount > 100 or not currency in ["USD", "EUR"]
r3: a auto-signs template t3 with seal c when not (amount < 5 and flag == true) or currency != "X"
r4: a auto-signs template t4 with seal c when not (not flag == false or amount in [1, 2]) and (currency == "X" or amount >= 3)
"#;
        let p = Policy::from_str("t.policy", text).unwrap();
        let d = |s: &str| Value::Number(s.parse::<Decimal>().unwrap());
        let values = [
            None,
            Some(d("1")),
            Some(d("4")),
            Some(d("600000")),
            Some(Value::Str("CNY".into())),
            Some(Value::Str("X".into())),
            Some(Value::Bool(true)),
            Some(Value::Bool(false)),
        ];
        let mut checked = 0;
        for (id, _) in p.seal_rules() {
            let cond = p.rule_ref(id).unwrap().cond().unwrap();
            for amount in &values {
                for currency in &values {
                    for flag in &values {
                        let attrs: Vec<(CompactString, Value)> =
                            [("amount", amount), ("currency", currency), ("flag", flag)]
                                .into_iter()
                                .filter_map(|(k, v)| Some((k.into(), v.clone()?)))
                                .collect();
                        let attrs = attrs.as_slice();
                        let hot = p.condition(cond, attrs);
                        let why = match p.why(cond, attrs) {
                            Why::Decided(true, _) => Tri::True,
                            Why::Decided(false, f) => {
                                // A false condition names a comparison and
                                // the value given for it.
                                assert!(f.is_some(), "{id:?} {attrs:?}");
                                Tri::False
                            }
                            Why::Unknown(m) => {
                                let n = cond.nodes.get(m.node as usize).unwrap();
                                assert!(
                                    matches!(n, CondNode::Cmp { .. } | CondNode::In { .. }),
                                    "{id:?} {attrs:?}"
                                );
                                Tri::Unknown
                            }
                        };
                        assert_eq!(hot, why, "{id:?} {attrs:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 4 * 8 * 8 * 8);
    }

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
