//! autoseal's generated facts for OPA's language, Rego, run by
//! [regorus](https://github.com/microsoft/regorus) (Microsoft's Rust
//! implementation of Rego).
//!
//! The encoding is what an OPA user would write for these facts: one
//! constant policy ([`POLICY`], package `autoseal`) and every fact in the
//! data document, keyed for lookup the way the policy reads it:
//!
//! - `data.orgs[ORG]`: `{enabled_at}` (the signer's service instant, or
//!   `null` when it is never enabled);
//! - `data.employees["ORG.E"]`: `{org, auths: [{template, from, until,
//!   revoked, max_amount}]}` (an employee without authorization has an
//!   empty list);
//! - `data.templates["ORG.T"]`: `{owner, off: [[from, until], ...]}`;
//! - `data.seals["ORG.S"]`: `{kind, off: [[from, until], ...]}`;
//! - `data.own[ORG]["ORG.T"]` and `data.grants[SIGNER]["ORG.T"]`: the rules
//!   that give that signer a seal for that template, `{label, seal, role,
//!   from, until, revoked, reseal_at, reseal_seal, max_amount}`;
//! - `data.forbids`: `{signer: {ORG: [...]}, template: {"ORG.T": [...]},
//!   kind: {KIND: [...]}, any: [...]}`, each forbid filed under its most
//!   selective scope, as autoseal indexes them.
//!
//! Instants are integers (microseconds since the epoch, autoseal's
//! [`Instant`]); a missing bound is `null`. The input is the request:
//! `{at, template, initiator, signer, signatory?, amount?, category?}`,
//! where an attribute enters only with the type the facts declare (a
//! mistyped attribute is missing for autoseal too). `data.autoseal.decision`
//! is `{allow: true, seal, rule}` or `{allow: false, reason}`: the seal, or
//! the first failing check, in autoseal's order.
//!
//! What the encoding relies on is what the Cedar encodings rely on, and is
//! checked by the same function when the data is built (see the crate
//! root): no groups, at most one rule per (signer, template) key, and only
//! the generator's conditions (`amount <= N`, `category == "C"`). Request
//! amounts are passed as Rego numbers: exact for the generator's integers
//! and the test streams' decimals.

use std::collections::BTreeMap;

use autoseal::{Instant, Value};
use autoseal_gen::{DisabledPeriod, ForbidSpec, Generated};
use regorus::Value as Rv;
use rust_decimal::prelude::ToPrimitive;

/// The Rego policy: constant; every fact is data.
pub const POLICY: &str = r#"
package autoseal

import rego.v1

at := input.at

employee := data.employees[input.initiator]

template := data.templates[input.template]

signer := data.orgs[input.signer]

# A bound is null when there is none.
since(t) if t == null

since(t) if {
	t != null
	at >= t
}

before(t) if t == null

before(t) if {
	t != null
	at < t
}

off(periods) if {
	some p in periods
	at >= p[0]
	at < p[1]
}

# A condition `amount <= N` holds only when the request gives a number.
amount_within(n) if n == null

amount_within(n) if {
	is_number(input.amount)
	input.amount <= n
}

# 2. The signer's auto-sign service is on.
service_on if {
	signer.enabled_at != null
	at >= signer.enabled_at
}

# 3. The initiator is authorized for this template now.
covers(a) if {
	a.template in {null, input.template}
	since(a.from)
	before(a.until)
	before(a.revoked)
	amount_within(a.max_amount)
}

authorized if {
	some a in employee.auths
	covers(a)
}

# 5. The rules for this key: the org's own auto-sign rules when it signs
# its own template, else the grants of the signer to it.
own if input.signer == employee.org

rules := object.get(data.own, [input.signer, input.template], []) if own

rules := object.get(data.grants, [input.signer, input.template], []) if not own

role_ok(r) if r.role == null

role_ok(r) if not input.signatory

role_ok(r) if r.role == input.signatory

in_force(r) if {
	role_ok(r)
	since(r.from)
	before(r.until)
	before(r.revoked)
}

seal_of(r) := r.reseal_seal if {
	r.reseal_at != null
	at >= r.reseal_at
} else := r.seal

# 6. The seal in force is not disabled.
seal_on(s) if not off(data.seals[s].off)

# 8. A forbid applies in its scope and window; its condition fails closed.
category_applies(c) if c == null

category_applies(c) if not is_string(input.category)

category_applies(c) if input.category == c

forbid_applies(f, kind) if {
	f.signer in {null, input.signer}
	f.template in {null, input.template}
	f.kind in {null, kind}
	since(f.from)
	before(f.until)
	category_applies(f.category)
}

forbidden(s) if {
	kind := data.seals[s].kind
	lists := [
		object.get(data.forbids.signer, input.signer, []),
		object.get(data.forbids.template, input.template, []),
		object.get(data.forbids.kind, kind, []),
		data.forbids.any,
	]
	some list in lists
	some f in list
	forbid_applies(f, kind)
}

# Each step's survivors, for the reason when none seals.
in_force_rules contains r if {
	some r in rules
	in_force(r)
}

seal_on_rules contains r if {
	some r in in_force_rules
	seal_on(seal_of(r))
}

condition_rules contains r if {
	some r in seal_on_rules
	amount_within(r.max_amount)
}

sealing contains {"rule": r.label, "seal": s} if {
	some r in condition_rules
	s := seal_of(r)
	not forbidden(s)
}

deny(reason) := {"allow": false, "reason": reason}

decision := deny("unknown_org") if {
	not signer
} else := deny("unknown_employee") if {
	not employee
} else := deny("unknown_template") if {
	not template
} else := deny("template_owner_mismatch") if {
	template.owner != employee.org
} else := deny("service_not_enabled") if {
	not service_on
} else := deny("initiator_not_authorized") if {
	not authorized
} else := deny("template_disabled") if {
	off(template.off)
} else := {"allow": true, "seal": x.seal, "rule": x.rule} if {
	count(sealing) == 1
	some x in sealing
} else := deny("ambiguous_seal") if {
	count(sealing) > 1
} else := deny("no_rule") if {
	count(rules) == 0
} else := deny("not_in_force") if {
	count(in_force_rules) == 0
} else := deny("seal_disabled") if {
	count(seal_on_rules) == 0
} else := deny("condition_not_met") if {
	count(condition_rules) == 0
} else := deny("forbidden")
"#;

/// The rule `eval_rule` evaluates.
pub const DECISION: &str = "data.autoseal.decision";

fn obj<const N: usize>(pairs: [(&str, Rv); N]) -> Rv {
    let map: BTreeMap<Rv, Rv> = pairs.into_iter().map(|(k, v)| (Rv::from(k), v)).collect();
    Rv::from(map)
}

fn instant(t: Option<Instant>) -> Rv {
    t.map_or(Rv::Null, |t| Rv::from(t.0))
}

fn opt_str(s: Option<&str>) -> Rv {
    s.map_or(Rv::Null, Rv::from)
}

fn periods(list: &[DisabledPeriod], target: &str) -> Rv {
    Rv::from(
        list.iter()
            .filter(|d| d.target == target)
            .map(|d| Rv::from(vec![Rv::from(d.from.0), Rv::from(d.until.0)]))
            .collect::<Vec<_>>(),
    )
}

/// `map[a][b]`, pushed onto.
fn push2(map: &mut BTreeMap<String, BTreeMap<String, Vec<Rv>>>, a: &str, b: &str, v: Rv) {
    map.entry(a.to_owned())
        .or_default()
        .entry(b.to_owned())
        .or_default()
        .push(v);
}

fn nested(map: BTreeMap<String, BTreeMap<String, Vec<Rv>>>) -> Rv {
    let out: BTreeMap<Rv, Rv> = map
        .into_iter()
        .map(|(k, inner)| {
            let inner: BTreeMap<Rv, Rv> = inner
                .into_iter()
                .map(|(k, v)| (Rv::from(k), Rv::from(v)))
                .collect();
            (Rv::from(k), Rv::from(inner))
        })
        .collect();
    Rv::from(out)
}

fn lists(map: BTreeMap<String, Vec<Rv>>) -> Rv {
    let out: BTreeMap<Rv, Rv> = map
        .into_iter()
        .map(|(k, v)| (Rv::from(k), Rv::from(v)))
        .collect();
    Rv::from(out)
}

fn forbid(f: &ForbidSpec) -> Rv {
    obj([
        ("label", Rv::from(f.label.as_str())),
        ("signer", opt_str(f.signer.as_deref())),
        ("template", opt_str(f.template.as_deref())),
        ("kind", opt_str(f.seal_kind.map(|k| k.as_str()))),
        ("from", instant(f.from)),
        ("until", instant(f.until)),
        ("category", opt_str(f.category_eq.as_deref())),
    ])
}

/// The data document for a generated set.
pub fn data(g: &Generated) -> Result<Rv, String> {
    crate::check_supported(g)?;
    let mut orgs = BTreeMap::new();
    let mut employees: BTreeMap<String, (String, Vec<Rv>)> = BTreeMap::new();
    let mut templates = BTreeMap::new();
    let mut seals = BTreeMap::new();
    for o in g.orgs.iter().chain(&g.partners) {
        orgs.insert(
            Rv::from(o.name.as_str()),
            obj([("enabled_at", instant(o.service_enabled_at))]),
        );
        for e in std::iter::once(&o.super_admin).chain(&o.employees) {
            employees.insert(format!("{}.{e}", o.name), (o.name.clone(), Vec::new()));
        }
        for t in &o.templates {
            let name = format!("{}.{}", o.name, t.name);
            let off = periods(&g.disabled_templates, &name);
            templates.insert(
                Rv::from(name),
                obj([("owner", Rv::from(o.name.as_str())), ("off", off)]),
            );
        }
        for s in &o.seals {
            let name = format!("{}.{}", o.name, s.name);
            let off = periods(&g.disabled_seals, &name);
            seals.insert(
                Rv::from(name),
                obj([("kind", Rv::from(s.kind.as_str())), ("off", off)]),
            );
        }
    }
    for a in &g.employee_auths {
        let (_, auths) = employees
            .get_mut(&a.employee)
            .ok_or_else(|| format!("employee {} is not declared", a.employee))?;
        auths.push(obj([
            ("template", opt_str(a.template.as_deref())),
            ("from", instant(a.from)),
            ("until", instant(a.until)),
            ("revoked", instant(a.revoked_at)),
            ("max_amount", a.max_amount.map_or(Rv::Null, Rv::from)),
        ]));
    }
    let employees: BTreeMap<Rv, Rv> = employees
        .into_iter()
        .map(|(name, (org, auths))| {
            (
                Rv::from(name),
                obj([("org", Rv::from(org)), ("auths", Rv::from(auths))]),
            )
        })
        .collect();

    let rule = |label: &str,
                seal: &str,
                role: Option<&str>,
                from: Option<Instant>,
                until: Option<Instant>,
                revoked: Option<Instant>,
                reseal: Option<&(Instant, String)>,
                max: Option<i64>| {
        obj([
            ("label", Rv::from(label)),
            ("seal", Rv::from(seal)),
            ("role", opt_str(role)),
            ("from", instant(from)),
            ("until", instant(until)),
            ("revoked", instant(revoked)),
            ("reseal_at", instant(reseal.map(|r| r.0))),
            ("reseal_seal", opt_str(reseal.map(|r| r.1.as_str()))),
            ("max_amount", max.map_or(Rv::Null, Rv::from)),
        ])
    };
    let mut own = BTreeMap::new();
    for r in &g.own_auto_signs {
        let v = rule(
            &r.label,
            &r.seal,
            None,
            r.from,
            r.until,
            None,
            None,
            r.max_amount,
        );
        push2(&mut own, &r.org, &r.template, v);
    }
    let mut grants = BTreeMap::new();
    for gr in &g.grants {
        let v = rule(
            &gr.label,
            &gr.seal,
            Some(&gr.role),
            gr.from,
            gr.until,
            gr.revoked_at,
            gr.reseal.as_ref(),
            gr.max_amount,
        );
        push2(&mut grants, &gr.partner, &gr.template, v);
    }

    let (mut by_signer, mut by_template, mut by_kind) =
        (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut any = Vec::new();
    for f in &g.forbids {
        let v = forbid(f);
        match (&f.template, &f.signer, f.seal_kind) {
            (Some(t), _, _) => by_template
                .entry(t.clone())
                .or_insert_with(Vec::new)
                .push(v),
            (None, Some(s), _) => by_signer.entry(s.clone()).or_insert_with(Vec::new).push(v),
            (None, None, Some(k)) => by_kind
                .entry(k.as_str().to_owned())
                .or_insert_with(Vec::new)
                .push(v),
            (None, None, None) => any.push(v),
        }
    }
    let forbids = obj([
        ("signer", lists(by_signer)),
        ("template", lists(by_template)),
        ("kind", lists(by_kind)),
        ("any", Rv::from(any)),
    ]);
    Ok(obj([
        ("orgs", Rv::from(orgs)),
        ("employees", Rv::from(employees)),
        ("templates", Rv::from(templates)),
        ("seals", Rv::from(seals)),
        ("own", nested(own)),
        ("grants", nested(grants)),
        ("forbids", forbids),
    ]))
}

/// A regorus engine holding [`POLICY`] and a generated set's data.
pub fn engine(g: &Generated) -> Result<regorus::Engine, String> {
    let mut e = regorus::Engine::new();
    e.add_policy(String::from("autoseal.rego"), String::from(POLICY))
        .map_err(|e| format!("rego policy: {e}"))?;
    e.add_data(data(g)?)
        .map_err(|e| format!("rego data: {e}"))?;
    Ok(e)
}

/// A request as Rego input, by names only.
pub fn input(req: &autoseal::Request) -> Result<Rv, String> {
    if req.on_behalf_of.is_some() {
        return Err(String::from("on_behalf_of is not encoded"));
    }
    let mut m: BTreeMap<Rv, Rv> = BTreeMap::new();
    m.insert(Rv::from("at"), Rv::from(req.at.0));
    m.insert(Rv::from("template"), Rv::from(req.template.as_str()));
    m.insert(Rv::from("initiator"), Rv::from(req.initiator.as_str()));
    m.insert(Rv::from("signer"), Rv::from(req.signer.as_str()));
    if let Some(r) = &req.signatory {
        m.insert(Rv::from("signatory"), Rv::from(r.as_str()));
    }
    // The first occurrence of a name wins, as in autoseal's lookup.
    let mut seen = std::collections::HashSet::new();
    for (k, v) in &req.attributes {
        if !seen.insert(k.as_str()) {
            continue;
        }
        match (k.as_str(), v) {
            ("amount", Value::Number(d)) => {
                let n = match d.to_i64() {
                    Some(i) if d.fract().is_zero() => Rv::from(i),
                    _ => Rv::from_numeric_string(&d.normalize().to_string())
                        .map_err(|e| format!("amount {d}: {e}"))?,
                };
                m.insert(Rv::from("amount"), n);
            }
            ("category", Value::Str(s)) => {
                m.insert(Rv::from("category"), Rv::from(s.as_str()));
            }
            _ => {}
        }
    }
    Ok(Rv::from(m))
}

/// What Rego answered: the seal when it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub allow: bool,
    pub seal: Option<String>,
    pub rule: Option<String>,
    pub reason: Option<String>,
}

/// Decides one request: sets the input and evaluates [`DECISION`].
pub fn decide(e: &mut regorus::Engine, input: Rv) -> Result<Answer, String> {
    e.set_input(input);
    let v = e
        .eval_rule(String::from(DECISION))
        .map_err(|x| x.to_string())?;
    answer(&v)
}

/// Reads `data.autoseal.decision`.
pub fn answer(v: &Rv) -> Result<Answer, String> {
    let field = |k: &str| match &v[k] {
        Rv::String(s) => Some(s.to_string()),
        _ => None,
    };
    let allow = match &v["allow"] {
        Rv::Bool(b) => *b,
        other => return Err(format!("decision without allow: {other:?}")),
    };
    Ok(Answer {
        allow,
        seal: field("seal"),
        rule: field("rule"),
        reason: field("reason"),
    })
}

/// Bytes of Rego input an OPA deployment would parse: the policy and the
/// data document as JSON.
pub fn data_json(g: &Generated) -> Result<String, String> {
    data(g)?.to_json_str().map_err(|e| e.to_string())
}
