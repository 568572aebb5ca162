//! autoseal's generated policy sets, encoded for [Cedar](https://www.cedarpolicy.com/)
//! (`cedar-policy` 4.x), so both engines can be asked the same questions.
//!
//! Two encodings of the same [`Generated`] facts:
//!
//! - [`per_grant_text`] / [`cedar_per_grant`]: one Cedar policy per rule,
//!   the way a compliance team would write it — one `permit` per partner
//!   grant and per own auto-sign template (its window, revocation, reseal,
//!   signer's service instant, disabled seal and template periods, and
//!   condition in `when`), a `forbid ... unless` listing the employees who
//!   may initiate plus one per employee whose authorization is limited (to
//!   a template, a window, an amount), and one `forbid` per forbid rule. The
//!   entity store only says which employee belongs to which org.
//! - [`entities_text`] / [`cedar_entities`]: a constant set of 4 policies;
//!   every fact is entity data (a `Rule` entity per (signer, template) key,
//!   `Org`, `Employee`, `Template`, `Seal` entities with their windows and
//!   disabled periods). The request names its rule key
//!   (`Rule::"SIGNER|TEMPLATE"`, built from the request's names only), so the
//!   cost of a decision does not grow with the number of grants.
//!
//! In both, a Cedar request is: principal = the signer (`Org`), action =
//! `Action::"AutoSeal"`, resource = the template (`Template`), and a context
//! `{at, initiator, signatory?, amount?, category?}` (plus `rule` for the
//! entities encoding); see [`cedar_request`]. Cedar answers allow/deny, not
//! the seal: allow ⇔ autoseal's `auto_seal`.
//!
//! What the encodings rely on, checked when they are built (an `Err` names
//! the first fact that breaks it) or documented here:
//! - requests have no `on_behalf_of`, and the set has no groups (the
//!   generator makes none); [`cedar_request`] refuses `on_behalf_of`;
//! - at most one seal rule per (signer, template) key, so autoseal can never
//!   answer `ambiguous_seal` (the generator's keys are unique);
//! - conditions are `amount <= N` with an integer `N` and `category == "C"`
//!   (the generator's only ones): request numbers are passed as the Long
//!   `ceil(amount)`, exact for `<=` against an integer;
//! - (entities encoding only) at most one authorization per employee, one
//!   disabled period per seal and per template, one forbid per signer and
//!   per template.

#![allow(clippy::too_many_lines)]

pub mod rego;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::str::FromStr;

use autoseal::ast::SealKind;
use autoseal::{Instant, Value};
use autoseal_gen::{ForbidSpec, Generated, GrantSpec};
use cedar_policy::{
    Context, Entities, EntityId, EntityTypeName, EntityUid, PolicySet, RestrictedExpression,
};
use rust_decimal::prelude::ToPrimitive;
use serde_json::{json, Value as Json};

/// A Cedar policy set with its entities, and the text they were read from.
pub struct CedarSet {
    pub policies: PolicySet,
    pub entities: Entities,
    /// Cedar policy text.
    pub policy_text: String,
    /// Cedar entities, JSON.
    pub entities_json: String,
}

impl CedarSet {
    /// Bytes of input Cedar parses: policy text plus entities JSON.
    pub fn text_bytes(&self) -> usize {
        self.policy_text.len() + self.entities_json.len()
    }
}

/// Which encoding a request is built for (the entities encoding adds
/// `context.rule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    PerGrant,
    Entities,
}

/// Parses policy text and entities JSON: what a Cedar deployment does at
/// load time (no schema).
pub fn load(policy_text: &str, entities_json: &str) -> Result<CedarSet, String> {
    let (policies, entities) = parse(policy_text, entities_json)?;
    Ok(CedarSet {
        policies,
        entities,
        policy_text: policy_text.to_owned(),
        entities_json: entities_json.to_owned(),
    })
}

/// Cedar's load step alone: `PolicySet::from_str` and
/// `Entities::from_json_str` (no schema).
pub fn parse(policy_text: &str, entities_json: &str) -> Result<(PolicySet, Entities), String> {
    let policies = PolicySet::from_str(policy_text).map_err(|e| format!("cedar policies: {e}"))?;
    let entities =
        Entities::from_json_str(entities_json, None).map_err(|e| format!("cedar entities: {e}"))?;
    Ok((policies, entities))
}

/// The per-grant encoding, parsed.
pub fn cedar_per_grant(g: &Generated) -> Result<CedarSet, String> {
    let (p, e) = per_grant_text(g)?;
    load(&p, &e)
}

/// The entities encoding, parsed.
pub fn cedar_entities(g: &Generated) -> Result<CedarSet, String> {
    let (p, e) = entities_text(g)?;
    load(&p, &e)
}

// ------------------------------------------------------------------ shared

/// A Cedar string literal.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn euid(ty: &str, id: &str) -> String {
    format!("{ty}::{}", lit(id))
}

fn juid(ty: &str, id: &str) -> Json {
    json!({"type": ty, "id": id})
}

fn jref(ty: &str, id: &str) -> Json {
    json!({"__entity": {"type": ty, "id": id}})
}

/// The org part of `ORG.NAME`.
fn org_of(q: &str) -> &str {
    q.split_once('.').map_or(q, |(o, _)| o)
}

/// Every seal's kind, by `ORG.SEAL`.
fn seal_kinds(g: &Generated) -> HashMap<String, SealKind> {
    g.orgs
        .iter()
        .chain(&g.partners)
        .flat_map(|o| {
            o.seals
                .iter()
                .map(move |s| (format!("{}.{}", o.name, s.name), s.kind))
        })
        .collect()
}

/// Checks the conditions both encodings rely on.
pub(crate) fn check_supported(g: &Generated) -> Result<(), String> {
    let mut keys = std::collections::HashSet::new();
    for gr in &g.grants {
        if !keys.insert((gr.partner.as_str(), gr.template.as_str())) {
            return Err(format!(
                "two rules for key ({}, {}): autoseal may answer ambiguous_seal, which allow/deny cannot show",
                gr.partner, gr.template
            ));
        }
    }
    for r in &g.own_auto_signs {
        if !keys.insert((r.org.as_str(), r.template.as_str())) {
            return Err(format!("two rules for key ({}, {})", r.org, r.template));
        }
    }
    for (name, ty) in &g.attributes {
        if !matches!(
            (name.as_str(), ty.as_str()),
            ("amount", "number") | ("category", "string")
        ) {
            return Err(format!("attribute {name}: {ty} is not encoded"));
        }
    }
    Ok(())
}

// ------------------------------------------------------------ conjunctions

/// A conjunction of Cedar expressions, each with an optional comment
/// (shown on its own line by `render`, dropped by `inline`).
#[derive(Default)]
struct Conj {
    parts: Vec<(String, Option<String>)>,
}

impl Conj {
    fn push(&mut self, e: impl Into<String>) {
        self.parts.push((e.into(), None));
    }
    fn push_noted(&mut self, e: impl Into<String>, note: String) {
        self.parts.push((e.into(), Some(note)));
    }
    fn is_true(&self) -> bool {
        self.parts.is_empty()
    }
    fn render(&self) -> String {
        if self.parts.is_empty() {
            return String::from("true");
        }
        let mut out = String::new();
        for (i, (e, note)) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_str(" &&\n    ");
            }
            if let Some(n) = note {
                let _ = write!(out, "// {}\n    ", n.replace('\n', " "));
            }
            out.push_str(e);
        }
        out
    }
    /// `(a && b)` on one line, for use inside a larger expression.
    fn inline(&self) -> String {
        match self.parts.as_slice() {
            [] => String::from("true"),
            [(e, _)] => e.clone(),
            parts => format!(
                "({})",
                parts
                    .iter()
                    .map(|(e, _)| e.as_str())
                    .collect::<Vec<_>>()
                    .join(" && ")
            ),
        }
    }
}

fn window(c: &mut Conj, from: Option<Instant>, until: Option<Instant>, revoked: Option<Instant>) {
    if let Some(f) = from {
        c.push(format!("context.at >= {}", f.0));
    }
    if let Some(u) = until {
        c.push(format!("context.at < {}", u.0));
    }
    if let Some(r) = revoked {
        c.push(format!("context.at < {}", r.0));
    }
}

fn not_between(a: Instant, b: Instant) -> String {
    format!("!(context.at >= {} && context.at < {})", a.0, b.0)
}

fn amount_le(n: i64) -> String {
    format!("(context has amount && context.amount <= {n})")
}

/// A forbid's `when category == "C"`, failing closed: it holds when
/// `category` is missing (or not a string, which the request leaves out).
fn category_applies(c: &str) -> String {
    format!(
        "(!(context has category) || context.category == {})",
        lit(c)
    )
}

/// What makes a forbid apply, besides its scope: its window and condition.
fn forbid_when(f: &ForbidSpec) -> Conj {
    let mut c = Conj::default();
    window(&mut c, f.from, f.until, None);
    if let Some(cat) = &f.category_eq {
        c.push(category_applies(cat));
    }
    c
}

// ------------------------------------------------------------- per grant

/// The checks on the seal in force: not disabled, and no forbid scoped to
/// its kind applies (a kind-scoped forbid needs the seal the rule gives, so
/// it is written into each rule sealing with that kind).
fn seal_checks(
    g: &Generated,
    kinds: &HashMap<String, SealKind>,
    seal: &str,
    signer: &str,
    template: &str,
) -> Conj {
    let mut c = Conj::default();
    for d in g.disabled_seals.iter().filter(|d| d.target == seal) {
        c.push(not_between(d.from, d.until));
    }
    let kind = kinds.get(seal).copied();
    for f in &g.forbids {
        let Some(k) = f.seal_kind else { continue };
        if Some(k) != kind
            || f.signer.as_deref().is_some_and(|s| s != signer)
            || f.template.as_deref().is_some_and(|t| t != template)
        {
            continue;
        }
        let w = forbid_when(f);
        let note = format!("forbid {}: seal kind {} ({seal})", f.label, k.as_str());
        if w.is_true() {
            c.push_noted("false", note);
        } else {
            c.push_noted(format!("!{}", w.inline()), note);
        }
    }
    c
}

/// `seal` until `reseal.0`, then `reseal.1`.
fn seal_part(
    g: &Generated,
    kinds: &HashMap<String, SealKind>,
    c: &mut Conj,
    seal: &str,
    reseal: Option<&(Instant, String)>,
    signer: &str,
    template: &str,
) {
    let first = seal_checks(g, kinds, seal, signer, template);
    match reseal {
        None => c.parts.extend(first.parts),
        Some((t, s2)) => {
            let second = seal_checks(g, kinds, s2, signer, template);
            if first.is_true() && second.is_true() {
                return;
            }
            c.push(format!(
                "((context.at < {t} && {a}) || (context.at >= {t} && {b}))",
                t = t.0,
                a = first.inline(),
                b = second.inline()
            ));
        }
    }
}

fn service(c: &mut Conj, enabled: Option<Instant>) {
    match enabled {
        Some(t) => c.push(format!("context.at >= {}", t.0)),
        None => c.push_noted("false", String::from("the signer never enabled auto-sign")),
    }
}

fn template_enabled(g: &Generated, c: &mut Conj, template: &str) {
    for d in g.disabled_templates.iter().filter(|d| d.target == template) {
        c.push(not_between(d.from, d.until));
    }
}

/// The per-grant encoding: `(policy text, entities JSON)`.
pub fn per_grant_text(g: &Generated) -> Result<(String, String), String> {
    check_supported(g)?;
    let kinds = seal_kinds(g);
    let enabled: HashMap<&str, Option<Instant>> = g
        .orgs
        .iter()
        .chain(&g.partners)
        .map(|o| (o.name.as_str(), o.service_enabled_at))
        .collect();
    let mut s = String::with_capacity(g.grants.len() * 700 + 4096);
    s.push_str("// Generated from autoseal_gen facts: one policy per rule.\n\n");

    // Own auto-sign templates.
    for r in &g.own_auto_signs {
        let mut c = Conj::default();
        c.push(format!("context.initiator in {}", euid("Org", &r.org)));
        service(&mut c, enabled.get(r.org.as_str()).copied().flatten());
        template_enabled(g, &mut c, &r.template);
        window(&mut c, r.from, r.until, None);
        seal_part(g, &kinds, &mut c, &r.seal, None, &r.org, &r.template);
        if let Some(n) = r.max_amount {
            c.push(amount_le(n));
        }
        let _ = write!(
            s,
            "@id({})\n@seal({})\npermit (\n  principal == {},\n  action == Action::\"AutoSeal\",\n  resource == {}\n) when {{\n    {}\n}};\n\n",
            lit(&r.label),
            lit(&r.seal),
            euid("Org", &r.org),
            euid("Template", &r.template),
            c.render()
        );
    }

    // Partner grants.
    for gr in &g.grants {
        write_grant(&mut s, g, &kinds, &enabled, gr);
    }

    // Employee authorizations: only employees with an authorization may
    // initiate, and each only within one of its authorizations.
    let mut auths: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for a in &g.employee_auths {
        auths.entry(a.employee.as_str()).or_default().push(a);
    }
    let listed: Vec<String> = auths.keys().map(|e| euid("Employee", e)).collect();
    let _ = write!(
        s,
        "@id(\"initiators\")\nforbid (principal, action == Action::\"AutoSeal\", resource)\nunless {{\n    context.initiator in [{}]\n}};\n\n",
        listed.join(", ")
    );
    for (who, list) in &auths {
        let alts: Vec<String> = list
            .iter()
            .map(|a| {
                let mut c = Conj::default();
                if let Some(t) = &a.template {
                    c.push(format!("resource == {}", euid("Template", t)));
                }
                window(&mut c, a.from, a.until, a.revoked_at);
                if let Some(n) = a.max_amount {
                    c.push(amount_le(n));
                }
                c.inline()
            })
            .collect();
        if alts.iter().any(|a| a == "true") {
            // Authorized for every template, at every instant: the list
            // above says it all.
            continue;
        }
        let labels: Vec<&str> = list.iter().map(|a| a.label.as_str()).collect();
        let _ = write!(
            s,
            "@id({})\nforbid (principal, action == Action::\"AutoSeal\", resource)\nwhen {{ context.initiator == {} }}\nunless {{\n    {}\n}};\n\n",
            lit(&labels.join(",")),
            euid("Employee", who),
            alts.join(" ||\n    ")
        );
    }

    // Forbids not scoped to a seal kind (those are in the rules above).
    for f in g.forbids.iter().filter(|f| f.seal_kind.is_none()) {
        let principal = f.signer.as_deref().map_or(String::from("principal"), |o| {
            format!("principal == {}", euid("Org", o))
        });
        let resource = f.template.as_deref().map_or(String::from("resource"), |t| {
            format!("resource == {}", euid("Template", t))
        });
        let _ = write!(
            s,
            "@id({})\nforbid (\n  {principal},\n  action == Action::\"AutoSeal\",\n  {resource}\n) when {{\n    {}\n}};\n\n",
            lit(&f.label),
            forbid_when(f).render()
        );
    }

    // Entities: employees belong to their orgs.
    let mut ents = Vec::new();
    for o in g.orgs.iter().chain(&g.partners) {
        ents.push(json!({"uid": juid("Org", &o.name), "attrs": {}, "parents": []}));
        for e in std::iter::once(&o.super_admin).chain(&o.employees) {
            ents.push(json!({
                "uid": juid("Employee", &format!("{}.{e}", o.name)),
                "attrs": {},
                "parents": [juid("Org", &o.name)],
            }));
        }
    }
    let entities = serde_json::to_string(&Json::Array(ents)).map_err(|e| e.to_string())?;
    Ok((s, entities))
}

fn write_grant(
    s: &mut String,
    g: &Generated,
    kinds: &HashMap<String, SealKind>,
    enabled: &HashMap<&str, Option<Instant>>,
    gr: &GrantSpec,
) {
    let mut c = Conj::default();
    c.push(format!("context.initiator in {}", euid("Org", &gr.org)));
    service(&mut c, enabled.get(gr.partner.as_str()).copied().flatten());
    template_enabled(g, &mut c, &gr.template);
    c.push(format!(
        "(!(context has signatory) || context.signatory == {})",
        lit(&gr.role)
    ));
    window(&mut c, gr.from, gr.until, gr.revoked_at);
    seal_part(
        g,
        kinds,
        &mut c,
        &gr.seal,
        gr.reseal.as_ref(),
        &gr.partner,
        &gr.template,
    );
    if let Some(n) = gr.max_amount {
        c.push(amount_le(n));
    }
    let _ = write!(
        s,
        "@id({})\n@seal({})\npermit (\n  principal == {},\n  action == Action::\"AutoSeal\",\n  resource == {}\n) when {{\n    {}\n}};\n\n",
        lit(&gr.label),
        lit(&gr.seal),
        euid("Org", &gr.partner),
        euid("Template", &gr.template),
        c.render()
    );
}

// -------------------------------------------------------------- entities

const NEVER: i64 = i64::MAX;

/// The constant policies of the entities encoding, given the kind-scoped
/// forbids (one policy each; the generator makes one).
fn entities_policies(kind_forbids: &[&ForbidSpec]) -> String {
    let mut s = String::from(
        r#"// Generated from autoseal_gen facts: every fact is entity data.
// context.rule is Rule::"SIGNER|TEMPLATE", named from the request.
@id("seal_rule")
permit (principal, action == Action::"AutoSeal", resource)
when {
    // 5. a rule gives this signer a seal for this template (the key
    // SIGNER|TEMPLATE names exactly one (signer, template) pair)
    context.rule has seal &&
    // 1. the initiator exists and the template is its org's
    context.initiator in resource.owner &&
    // 2. the signer's service is on
    context.at >= principal.enabled_at &&
    // 3. the initiator may initiate auto-sign
    context.initiator has auth_from &&
    (!(context.initiator has auth_template) || context.initiator.auth_template == resource) &&
    context.at >= context.initiator.auth_from &&
    context.at < context.initiator.auth_until &&
    context.at < context.initiator.auth_revoked &&
    (!(context.initiator has auth_max_amount) ||
        (context has amount && context.amount <= context.initiator.auth_max_amount)) &&
    // 4. the template is not disabled
    !(context.at >= resource.off_from && context.at < resource.off_until) &&
    // 5. the role, the window
    (!(context.rule has role) || !(context has signatory) || context.signatory == context.rule.role) &&
    context.at >= context.rule.from &&
    context.at < context.rule.until &&
    context.at < context.rule.revoked &&
    // 6. the seal in force is not disabled
    ((context.at < context.rule.reseal_at &&
        !(context.at >= context.rule.seal.off_from && context.at < context.rule.seal.off_until)) ||
     (context.at >= context.rule.reseal_at &&
        !(context.at >= context.rule.reseal_seal.off_from && context.at < context.rule.reseal_seal.off_until))) &&
    // 7. the condition holds
    (!(context.rule has max_amount) ||
        (context has amount && context.amount <= context.rule.max_amount))
};

// 8. forbids scoped to a signer (held on the Org) ...
@id("forbid_signer")
forbid (principal, action == Action::"AutoSeal", resource)
when {
    principal has fb_from &&
    context.at >= principal.fb_from && context.at < principal.fb_until &&
    (!(principal has fb_category) || !(context has category) || context.category == principal.fb_category)
};

// ... or to a template (held on the Template).
@id("forbid_template")
forbid (principal, action == Action::"AutoSeal", resource)
when {
    resource has fb_from &&
    context.at >= resource.fb_from && context.at < resource.fb_until &&
    (!(resource has fb_category) || !(context has category) || context.category == resource.fb_category)
};
"#,
    );
    for f in kind_forbids {
        let Some(k) = f.seal_kind else { continue };
        let mut c = Conj::default();
        c.push("context.rule has seal");
        c.push(format!(
            "((context.at < context.rule.reseal_at && context.rule.seal.kind == {k}) || (context.at >= context.rule.reseal_at && context.rule.reseal_seal.kind == {k}))",
            k = lit(k.as_str())
        ));
        window(&mut c, f.from, f.until, None);
        if let Some(cat) = &f.category_eq {
            c.push(category_applies(cat));
        }
        let principal = f.signer.as_deref().map_or(String::from("principal"), |o| {
            format!("principal == {}", euid("Org", o))
        });
        let resource = f.template.as_deref().map_or(String::from("resource"), |t| {
            format!("resource == {}", euid("Template", t))
        });
        let _ = write!(
            s,
            "\n// ... or to a seal kind.\n@id({})\nforbid ({principal}, action == Action::\"AutoSeal\", {resource})\nwhen {{\n    {}\n}};\n",
            lit(&f.label),
            c.render()
        );
    }
    s
}

/// Sets `fb_*` attributes for a forbid held on an entity.
fn hold_forbid(
    attrs: &mut serde_json::Map<String, Json>,
    f: &ForbidSpec,
    on: &str,
) -> Result<(), String> {
    if attrs.contains_key("fb_from") {
        return Err(format!("two forbids on {on}"));
    }
    attrs.insert("fb_from".into(), json!(f.from.map_or(i64::MIN, |t| t.0)));
    attrs.insert("fb_until".into(), json!(f.until.map_or(NEVER, |t| t.0)));
    if let Some(c) = &f.category_eq {
        attrs.insert("fb_category".into(), json!(c));
    }
    Ok(())
}

/// The entities encoding: `(policy text, entities JSON)`.
pub fn entities_text(g: &Generated) -> Result<(String, String), String> {
    check_supported(g)?;
    let kinds = seal_kinds(g);
    let mut org_attrs: BTreeMap<&str, serde_json::Map<String, Json>> = BTreeMap::new();
    let mut tpl_attrs: BTreeMap<String, serde_json::Map<String, Json>> = BTreeMap::new();
    let mut seal_attrs: BTreeMap<String, serde_json::Map<String, Json>> = BTreeMap::new();
    let mut emp_attrs: BTreeMap<String, (String, serde_json::Map<String, Json>)> = BTreeMap::new();
    let off = |m: &mut serde_json::Map<String, Json>| {
        m.insert("off_from".into(), json!(NEVER));
        m.insert("off_until".into(), json!(NEVER));
    };
    for o in g.orgs.iter().chain(&g.partners) {
        let mut m = serde_json::Map::new();
        m.insert(
            "enabled_at".into(),
            json!(o.service_enabled_at.map_or(NEVER, |t| t.0)),
        );
        org_attrs.insert(&o.name, m);
        for e in std::iter::once(&o.super_admin).chain(&o.employees) {
            emp_attrs.insert(
                format!("{}.{e}", o.name),
                (o.name.clone(), serde_json::Map::new()),
            );
        }
        for t in &o.templates {
            let mut m = serde_json::Map::new();
            m.insert("owner".into(), jref("Org", &o.name));
            off(&mut m);
            tpl_attrs.insert(format!("{}.{}", o.name, t.name), m);
        }
        for seal in &o.seals {
            let mut m = serde_json::Map::new();
            m.insert("kind".into(), json!(seal.kind.as_str()));
            off(&mut m);
            seal_attrs.insert(format!("{}.{}", o.name, seal.name), m);
        }
    }
    let period = |m: Option<&mut serde_json::Map<String, Json>>,
                  what: &str,
                  d: &autoseal_gen::DisabledPeriod| {
        let m = m.ok_or_else(|| format!("disabled {what} {} is not declared", d.target))?;
        if m.get("off_from") != Some(&json!(NEVER)) {
            return Err(format!("{what} {} has two disabled periods", d.target));
        }
        m.insert("off_from".into(), json!(d.from.0));
        m.insert("off_until".into(), json!(d.until.0));
        Ok::<(), String>(())
    };
    for d in &g.disabled_seals {
        period(seal_attrs.get_mut(&d.target), "seal", d)?;
    }
    for d in &g.disabled_templates {
        period(tpl_attrs.get_mut(&d.target), "template", d)?;
    }
    for a in &g.employee_auths {
        let (_, m) = emp_attrs
            .get_mut(&a.employee)
            .ok_or_else(|| format!("employee {} is not declared", a.employee))?;
        if m.contains_key("auth_from") {
            return Err(format!("employee {} has two authorizations", a.employee));
        }
        m.insert("auth_from".into(), json!(a.from.map_or(i64::MIN, |t| t.0)));
        m.insert("auth_until".into(), json!(a.until.map_or(NEVER, |t| t.0)));
        m.insert(
            "auth_revoked".into(),
            json!(a.revoked_at.map_or(NEVER, |t| t.0)),
        );
        if let Some(t) = &a.template {
            m.insert("auth_template".into(), jref("Template", t));
        }
        if let Some(n) = a.max_amount {
            m.insert("auth_max_amount".into(), json!(n));
        }
    }
    let mut kind_forbids = Vec::new();
    for f in &g.forbids {
        match (&f.signer, &f.template, f.seal_kind) {
            (Some(o), None, None) => hold_forbid(
                org_attrs
                    .get_mut(o.as_str())
                    .ok_or_else(|| format!("forbid {}: unknown signer {o}", f.label))?,
                f,
                o,
            )?,
            (None, Some(t), None) => hold_forbid(
                tpl_attrs
                    .get_mut(t)
                    .ok_or_else(|| format!("forbid {}: unknown template {t}", f.label))?,
                f,
                t,
            )?,
            (_, _, Some(_)) => kind_forbids.push(f),
            _ => {
                return Err(format!(
                    "forbid {}: shape not encoded as entity data",
                    f.label
                ))
            }
        }
    }

    let mut ents = Vec::new();
    for (name, m) in org_attrs {
        ents.push(json!({"uid": juid("Org", name), "attrs": m, "parents": []}));
    }
    for (name, (org, m)) in emp_attrs {
        ents.push(
            json!({"uid": juid("Employee", &name), "attrs": m, "parents": [juid("Org", &org)]}),
        );
    }
    for (name, m) in tpl_attrs {
        ents.push(json!({"uid": juid("Template", &name), "attrs": m, "parents": []}));
    }
    for (name, m) in seal_attrs {
        ents.push(json!({"uid": juid("Seal", &name), "attrs": m, "parents": []}));
    }
    let rule = |signer: &str,
                template: &str,
                role: Option<&str>,
                seal: &str,
                reseal: Option<&(Instant, String)>,
                from: Option<Instant>,
                until: Option<Instant>,
                revoked: Option<Instant>,
                max: Option<i64>| {
        let mut m = serde_json::Map::new();
        m.insert("signer".into(), jref("Org", signer));
        m.insert("template".into(), jref("Template", template));
        if let Some(r) = role {
            m.insert("role".into(), json!(r));
        }
        m.insert("seal".into(), jref("Seal", seal));
        m.insert("reseal_at".into(), json!(reseal.map_or(NEVER, |r| r.0 .0)));
        m.insert(
            "reseal_seal".into(),
            jref("Seal", reseal.map_or(seal, |r| r.1.as_str())),
        );
        m.insert("from".into(), json!(from.map_or(i64::MIN, |t| t.0)));
        m.insert("until".into(), json!(until.map_or(NEVER, |t| t.0)));
        m.insert("revoked".into(), json!(revoked.map_or(NEVER, |t| t.0)));
        if let Some(n) = max {
            m.insert("max_amount".into(), json!(n));
        }
        json!({"uid": juid("Rule", &rule_key(signer, template)), "attrs": m, "parents": []})
    };
    for r in &g.own_auto_signs {
        if !kinds.contains_key(&r.seal) {
            return Err(format!("seal {} is not declared", r.seal));
        }
        ents.push(rule(
            &r.org,
            &r.template,
            None,
            &r.seal,
            None,
            r.from,
            r.until,
            None,
            r.max_amount,
        ));
    }
    for gr in &g.grants {
        for s in std::iter::once(&gr.seal).chain(gr.reseal.as_ref().map(|r| &r.1)) {
            if !kinds.contains_key(s) {
                return Err(format!("seal {s} is not declared"));
            }
        }
        ents.push(rule(
            &gr.partner,
            &gr.template,
            Some(&gr.role),
            &gr.seal,
            gr.reseal.as_ref(),
            gr.from,
            gr.until,
            gr.revoked_at,
            gr.max_amount,
        ));
    }
    let entities = serde_json::to_string(&Json::Array(ents)).map_err(|e| e.to_string())?;
    Ok((entities_policies(&kind_forbids), entities))
}

/// The id of the `Rule` entity for a (signer, template) key.
pub fn rule_key(signer: &str, template: &str) -> String {
    format!("{signer}|{template}")
}

// -------------------------------------------------------------- requests

fn uid(ty: &str, id: &str) -> Result<EntityUid, String> {
    let t = EntityTypeName::from_str(ty).map_err(|e| e.to_string())?;
    Ok(EntityUid::from_type_name_and_id(t, EntityId::new(id)))
}

/// `ceil(x)` as a Long, saturating: `ceil(x) <= n` ⇔ `x <= n` for an
/// integer `n`.
fn ceil_long(d: &rust_decimal::Decimal) -> i64 {
    let c = d.ceil();
    c.to_i64().unwrap_or(if c.is_sign_negative() {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// The Cedar request for an autoseal request, by names only (nothing is
/// looked up in the facts). An attribute enters the context only with its
/// declared type (`amount` a number, `category` a string): autoseal treats
/// a mistyped attribute as missing, and so does the context.
pub fn cedar_request(
    enc: Encoding,
    req: &autoseal::Request,
) -> Result<cedar_policy::Request, String> {
    if req.on_behalf_of.is_some() {
        return Err(String::from("on_behalf_of is not encoded"));
    }
    let mut ctx: Vec<(String, RestrictedExpression)> = Vec::with_capacity(6);
    ctx.push(("at".into(), RestrictedExpression::new_long(req.at.0)));
    ctx.push((
        "initiator".into(),
        RestrictedExpression::new_entity_uid(uid("Employee", &req.initiator)?),
    ));
    if let Some(r) = &req.signatory {
        ctx.push((
            "signatory".into(),
            RestrictedExpression::new_string(r.to_string()),
        ));
    }
    // The first occurrence of a name wins, as in autoseal's lookup.
    let mut seen = std::collections::HashSet::new();
    for (k, v) in &req.attributes {
        if !seen.insert(k.as_str()) {
            continue;
        }
        match (k.as_str(), v) {
            ("amount", Value::Number(d)) => ctx.push((
                "amount".into(),
                RestrictedExpression::new_long(ceil_long(d)),
            )),
            ("category", Value::Str(s)) => ctx.push((
                "category".into(),
                RestrictedExpression::new_string(s.clone()),
            )),
            _ => {}
        }
    }
    if enc == Encoding::Entities {
        ctx.push((
            "rule".into(),
            RestrictedExpression::new_entity_uid(uid(
                "Rule",
                &rule_key(&req.signer, &req.template),
            )?),
        ));
    }
    let context = Context::from_pairs(ctx).map_err(|e| e.to_string())?;
    cedar_policy::Request::new(
        uid("Org", &req.signer)?,
        uid("Action", "AutoSeal")?,
        uid("Template", &req.template)?,
        context,
        None,
    )
    .map_err(|e| e.to_string())
}

// ----------------------------------------------------------------- floor

/// The floor: one hash-map lookup of (signer, template, role) → seal.
pub type FloorKey = (String, String, String);

/// Every rule's key with its first seal (own rules under the role `""`).
pub fn floor_map(g: &Generated) -> HashMap<FloorKey, String> {
    let mut m = HashMap::with_capacity(g.grants.len() + g.own_auto_signs.len());
    for r in &g.own_auto_signs {
        m.insert(
            (r.org.clone(), r.template.clone(), String::new()),
            r.seal.clone(),
        );
    }
    for gr in &g.grants {
        m.insert(
            (gr.partner.clone(), gr.template.clone(), gr.role.clone()),
            gr.seal.clone(),
        );
    }
    m
}

/// A request's floor key.
pub fn floor_key(req: &autoseal::Request) -> FloorKey {
    let role = if req.signer == org_of(&req.template) {
        String::new()
    } else {
        req.signatory
            .as_deref()
            .map_or_else(|| String::from("乙方"), str::to_owned)
    };
    (req.signer.to_string(), req.template.to_string(), role)
}
