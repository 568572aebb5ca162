//! The query API (`templates_for`, `who`, `audit`, `diff`) on the bundled
//! policy set at a few instants: JSON snapshots (`queries__*.snap`), plus
//! the facts the spec and the policy comments promise, asserted directly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use autoseal::load::Input;
use autoseal::query::{parse_duration, Duration, When};
use autoseal::{CompactString, Instant, Policy, Value};

fn bundled() -> Policy {
    Policy::from_paths(&[PathBuf::from("policies")]).unwrap_or_else(|e| panic!("{}", e.render()))
}

fn at(s: &str) -> Instant {
    Instant::from_datetime(&autoseal::time::parse_datetime(s).expect("an RFC 3339 time"))
}

fn num(s: &str) -> Value {
    Value::Number(s.parse().expect("a decimal"))
}

fn text(s: &str) -> Value {
    Value::Str(s.to_owned())
}

fn attrs(pairs: &[(&str, Value)]) -> Vec<(CompactString, Value)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), v.clone()))
        .collect()
}

/// Pretty JSON, for snapshots (serde_json, so numbers stay exact).
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("JSON")
}

// ---------------------------------------------------------------- templates_for

#[test]
fn templates_for_li() {
    let p = bundled();
    let list = p
        .templates_for("acme.li", None, at("2026-04-01T10:00:00+08:00"), &[])
        .expect("li exists");
    let names: Vec<&str> = list.iter().map(|t| t.template.as_str()).collect();
    assert_eq!(
        names,
        ["acme.general", "acme.labor", "acme.nda", "acme.purchase"]
    );
    let labor = &list[1];
    assert!(labor.usable && !labor.conditional);
    assert_eq!(labor.seal.as_deref(), Some("acme.contract"));
    assert_eq!(labor.rule.as_deref(), Some("labor_auto"));
    // general and purchase have conditions on attributes not given.
    assert!(list[0].usable && list[0].conditional);
    assert!(list[3].usable && list[3].conditional);
    insta::assert_snapshot!("templates_for_li_2026_04_01", json(&list));
}

#[test]
fn templates_for_li_with_attributes() {
    let p = bundled();
    let a = attrs(&[
        ("amount", num("100")),
        ("currency", text("CNY")),
        ("category", text("sales")),
    ]);
    let list = p
        .templates_for("acme.li", None, at("2026-04-01T10:00:00+08:00"), &a)
        .expect("li exists");
    assert!(
        list.iter().all(|t| t.usable && !t.conditional),
        "{}",
        json(&list)
    );
    // With a forbidden category, general is greyed out.
    let a = attrs(&[
        ("amount", num("100")),
        ("currency", text("CNY")),
        ("category", text("marriage")),
    ]);
    let list = p
        .templates_for("acme.li", None, at("2026-04-01T10:00:00+08:00"), &a)
        .expect("li exists");
    let general = &list[0];
    assert!(!general.usable);
    assert_eq!(
        general.reasons.first().map(|r| r.code.as_str()),
        Some("forbidden")
    );
    insta::assert_snapshot!("templates_for_li_marriage", json(&list));
}

#[test]
fn templates_for_wang_while_the_seal_is_disabled() {
    let p = bundled();
    let list = p
        .templates_for("acme.wang", None, at("2026-08-11T10:00:00+08:00"), &[])
        .expect("wang exists");
    assert!(list.iter().all(|t| !t.usable), "{}", json(&list));
    insta::assert_snapshot!("templates_for_wang_2026_08_11", json(&list));
}

/// wang's purchase authorization has a condition on `amount`: without
/// it, the purchase template is usable "when its conditions hold", as it
/// is for a rule's condition (the attribute decides, not the employee).
#[test]
fn templates_for_wang_when_his_authorization_needs_an_attribute() {
    let p = bundled();
    let list = p
        .templates_for("acme.wang", None, at("2026-04-01T10:00:00+08:00"), &[])
        .expect("wang exists");
    let purchase = list
        .iter()
        .find(|t| t.template == "acme.purchase")
        .expect("acme.purchase is listed");
    assert!(
        purchase.usable && purchase.conditional,
        "{}",
        json(purchase)
    );
    assert_eq!(
        purchase.reasons.first().map(|r| r.code.as_str()),
        Some("initiator_not_authorized")
    );
    // With the amount given, it is decided.
    let small = attrs(&[("amount", num("100")), ("currency", text("CNY"))]);
    let list = p
        .templates_for("acme.wang", None, at("2026-04-01T10:00:00+08:00"), &small)
        .expect("wang exists");
    let purchase = list
        .iter()
        .find(|t| t.template == "acme.purchase")
        .expect("acme.purchase is listed");
    assert!(!purchase.conditional, "{}", json(purchase));
}

/// When only the initiator's authorization waits on an attribute, the seal
/// shown is the one the template's rule gives (found for an employee
/// authorized without a condition); with no such employee, none is shown.
#[test]
fn templates_for_an_initiator_whose_authorization_alone_waits() {
    let text = "timezone +08:00
org home \"Home\" {
    super_admin h \"H\"
    employee e \"E\"
    employee f \"F\"
    seal contract \"C\" kind contract
    template t \"T\"
}
home enables auto-sign at 2026-01-01 by h
own: home auto-signs template t with seal contract
ea: employee home.e may initiate auto-sign when amount < 10
";
    let when = at("2026-04-01T10:00:00+08:00");
    for (extra, seal) in [
        ("", None),
        (
            "fb: employee home.f may initiate auto-sign\n",
            Some("home.contract"),
        ),
    ] {
        let p = Policy::from_inputs(vec![Input::new("a.policy", format!("{text}{extra}"))])
            .unwrap_or_else(|e| panic!("{}", e.render()));
        let list = p
            .templates_for("home.e", None, when, &[])
            .expect("home.e exists");
        let t = list.first().expect("home.t is listed");
        assert!(t.usable && t.conditional, "{}", json(t));
        assert_eq!(t.needs, ["amount"]);
        assert_eq!(t.seal.as_deref(), seal, "{}", json(t));
        assert_eq!(t.rule.as_deref(), seal.map(|_| "own"));
    }
}

#[test]
fn templates_for_li_on_behalf_of_acme_sh() {
    let p = bundled();
    let list = p
        .templates_for(
            "acme.li",
            Some("acme_sh"),
            at("2026-04-01T10:00:00+08:00"),
            &[],
        )
        .expect("li and acme_sh exist");
    let names: Vec<&str> = list.iter().map(|t| t.template.as_str()).collect();
    assert_eq!(names, ["acme_sh.lease", "acme_sh.service"]);
    assert!(list[0].usable);
    assert_eq!(list[0].rule.as_deref(), Some("sh_lease_auto"));
    assert!(!list[1].usable);
    insta::assert_snapshot!("templates_for_li_acme_sh", json(&list));
}

#[test]
fn templates_for_before_the_service_opened() {
    let p = bundled();
    let list = p
        .templates_for("acme.li", None, at("2026-01-04T10:00:00+08:00"), &[])
        .expect("li exists");
    assert!(list.iter().all(|t| !t.usable));
    assert!(list
        .iter()
        .all(|t| t.reasons.first().map(|r| r.code.as_str()) == Some("service_not_enabled")));
    insta::assert_snapshot!("templates_for_li_2026_01_04", json(&list));
}

#[test]
fn templates_for_unknown_names() {
    let p = bundled();
    let e = p
        .templates_for("acme.nobody", None, at("2026-04-01T10:00:00+08:00"), &[])
        .unwrap_err();
    assert_eq!((e.what, e.name.as_str()), ("employee", "acme.nobody"));
    let e = p
        .templates_for(
            "acme.li",
            Some("nowhere"),
            at("2026-04-01T10:00:00+08:00"),
            &[],
        )
        .unwrap_err();
    assert_eq!((e.what, e.name.as_str()), ("org", "nowhere"));
}

// ---------------------------------------------------------------- who

#[test]
fn who_nda() {
    let p = bundled();
    let nda = attrs(&[("amount", num("120000")), ("currency", text("CNY"))]);
    let list = p
        .who("acme.nda", at("2026-04-01T10:00:00+08:00"), None, &nda)
        .expect("acme.nda exists");
    let sealing: Vec<(&str, Option<&str>)> = list
        .iter()
        .filter(|s| s.auto_seal)
        .map(|s| (s.signer.as_str(), s.seal.as_deref()))
        .collect();
    assert_eq!(
        sealing,
        [
            ("acme", Some("acme.contract")),
            ("globex", Some("globex.contract")),
            ("initech", Some("initech.contract"))
        ]
    );
    insta::assert_snapshot!("who_nda_2026_04_01", json(&list));

    // At the revocation instant Globex drops out.
    let list = p
        .who("acme.nda", at("2026-06-01T12:00:00+08:00"), None, &nda)
        .expect("acme.nda exists");
    let globex = list
        .iter()
        .find(|s| s.signer == "globex")
        .expect("globex is listed");
    assert!(!globex.auto_seal);
    assert_eq!(
        globex.reasons.first().map(|r| r.code.as_str()),
        Some("grant_revoked")
    );
    insta::assert_snapshot!("who_nda_2026_06_01_revoked", json(&list));

    // Without attributes, Initech's conditioned grant cannot be evaluated.
    let list = p
        .who("acme.nda", at("2026-04-01T10:00:00+08:00"), None, &[])
        .expect("acme.nda exists");
    let initech = list
        .iter()
        .find(|s| s.signer == "initech")
        .expect("initech is listed");
    assert_eq!(
        initech.reasons.first().map(|r| r.code.as_str()),
        Some("attribute_missing")
    );
    // It would seal once they hold: with what, and every attribute it needs
    // (the reason names only the first one the condition misses).
    assert!(initech.conditional);
    assert_eq!(initech.seal.as_deref(), Some("initech.contract"));
    assert_eq!(initech.rule.as_deref(), Some("g_initech"));
    assert_eq!(initech.needs, ["amount", "currency"]);
    // Given one of them, only the other is needed.
    let list = p
        .who(
            "acme.nda",
            at("2026-04-01T10:00:00+08:00"),
            None,
            &attrs(&[("amount", num("100"))]),
        )
        .expect("acme.nda exists");
    let initech = list
        .iter()
        .find(|s| s.signer == "initech")
        .expect("initech is listed");
    assert_eq!(initech.needs, ["currency"]);
}

#[test]
fn who_purchase() {
    let p = bundled();
    let a = attrs(&[
        ("amount", num("100")),
        ("currency", text("CNY")),
        ("framework", Value::Bool(true)),
        ("category", text("office")),
    ]);
    let list = p
        .who("acme.purchase", at("2026-04-01T10:00:00+08:00"), None, &a)
        .expect("acme.purchase exists");
    assert!(list.iter().all(|s| s.auto_seal), "{}", json(&list));
    insta::assert_snapshot!("who_purchase_2026_04_01", json(&list));
    // While the template is disabled nobody seals it.
    let list = p
        .who("acme.purchase", at("2026-05-05T10:00:00+08:00"), None, &a)
        .expect("acme.purchase exists");
    assert!(list.iter().all(|s| !s.auto_seal));
    assert!(list
        .iter()
        .all(|s| s.reasons.first().map(|r| r.code.as_str()) == Some("template_disabled")));
}

/// cli.md: `who` lists "every signer that would auto-seal this template
/// now". acme_sh's lease is sealed by acme_sh (sh_lease_auto, group mode)
/// and by Globex (g_globex_lease) whenever acme.li starts it on behalf of
/// acme_sh (li_for_sh), the only way anyone can start it.
#[test]
fn who_lease_of_a_group_member() {
    let p = bundled();
    let list = p
        .who("acme_sh.lease", at("2026-04-01T10:00:00+08:00"), None, &[])
        .expect("acme_sh.lease exists");
    insta::assert_snapshot!("who_lease_2026_04_01", json(&list));
    let sealing: Vec<(&str, Option<&str>)> = list
        .iter()
        .filter(|s| s.auto_seal)
        .map(|s| (s.signer.as_str(), s.seal.as_deref()))
        .collect();
    assert_eq!(
        sealing,
        [
            ("acme_sh", Some("acme_sh.contract")),
            ("globex", Some("globex.contract"))
        ],
        "who hides the signers of a member org's template:\n{}",
        json(&list)
    );
}

/// `who` picks its default initiator among the authorizations in force at
/// the instant asked: once li's blanket authorization is revoked, wang's
/// NDA authorization still lets every signer be shown (and `diff` sees no
/// NDA signer lost; only the free-text template, which nobody else may
/// initiate, is).
#[test]
fn who_skips_a_revoked_initiator() {
    let p = bundled();
    let revoked = bundled_edited(|name, t| {
        if name.ends_with("acme.policy") {
            t + "\nrevoke li_auto at 2026-03-01\n"
        } else {
            t
        }
    });
    let when = at("2026-04-01T10:00:00+08:00");
    let sealing = |p: &Policy| -> Vec<String> {
        p.who("acme.nda", when, None, &[])
            .expect("acme.nda exists")
            .into_iter()
            .filter(|s| s.auto_seal)
            .map(|s| s.signer)
            .collect()
    };
    assert_eq!(sealing(&revoked), ["acme", "globex"]);
    assert_eq!(sealing(&revoked), sealing(&p));
    let lost: Vec<_> = p
        .diff(&revoked, Some(when))
        .changes
        .into_iter()
        .filter(|d| d.kind.as_str() != "employee")
        .map(|d| (d.change.as_str(), d.template, d.reason.map(|r| r.as_str())))
        .collect();
    assert_eq!(
        lost,
        [(
            "lost",
            Some(String::from("acme.general")),
            Some("initiator_not_authorized")
        )]
    );
}

#[test]
fn who_unknown_template() {
    let p = bundled();
    let e = p
        .who("acme.nosuch", at("2026-04-01T10:00:00+08:00"), None, &[])
        .unwrap_err();
    assert_eq!((e.what, e.name.as_str()), ("template", "acme.nosuch"));
    // An unknown initiator is an error too, as for `templates_for` (not
    // a list of signers that all fail on it).
    let e = p
        .who(
            "acme.nda",
            at("2026-04-01T10:00:00+08:00"),
            Some("acme.nobody"),
            &[],
        )
        .unwrap_err();
    assert_eq!((e.what, e.name.as_str()), ("employee", "acme.nobody"));
}

// ---------------------------------------------------------------- audit

fn rules(list: &[autoseal::query::AuditEntry]) -> Vec<&str> {
    list.iter().map(|e| e.rule.as_str()).collect()
}

#[test]
fn audit_at_a_few_instants() {
    let p = bundled();
    let d30 = parse_duration("30d").ok();
    assert_eq!(d30, Some(Duration::Micros(30 * 86_400 * 1_000_000)));

    let list = p.audit(at("2026-04-01T10:00:00+08:00"), None);
    let r = rules(&list);
    for rule in [
        "g_globex",
        "g_initech",
        "labor_auto",
        "li_auto",
        "wang_labor",
        "f_official",
    ] {
        assert!(r.contains(&rule), "{rule} is in force on 2026-04-01: {r:?}");
    }
    assert!(list.iter().all(|e| !e.expiring));
    insta::assert_snapshot!("audit_2026_04_01", json(&list));

    // 2026-06-15: g_globex revoked; wang_labor revoked on 2026-06-30.
    let list = p.audit(at("2026-06-15T10:00:00+08:00"), d30);
    assert!(!rules(&list).contains(&"g_globex"));
    let expiring: Vec<&str> = list
        .iter()
        .filter(|e| e.expiring)
        .map(|e| e.rule.as_str())
        .collect();
    assert_eq!(expiring, ["wang_labor"]);
    insta::assert_snapshot!("audit_2026_06_15_30d", json(&list));

    // 2026-07-15: Globex's audit forbid is in force, the lease is resealed.
    let list = p.audit(at("2026-07-15T10:00:00+08:00"), d30);
    assert!(rules(&list).contains(&"f_globex_audit"));
    let lease = list
        .iter()
        .find(|e| e.rule == "g_globex_lease")
        .expect("the lease grant is in force");
    assert_eq!(lease.seal.as_deref(), Some("globex.contract2"));
    insta::assert_snapshot!("audit_2026_07_15_30d", json(&list));

    // 2027-02-15: purchase_auto has ended; g_initech lapses on 2027-02-28.
    let list = p.audit(at("2027-02-15T10:00:00+08:00"), d30);
    assert!(!rules(&list).contains(&"purchase_auto"));
    let expiring: Vec<&str> = list
        .iter()
        .filter(|e| e.expiring)
        .map(|e| e.rule.as_str())
        .collect();
    assert_eq!(expiring, ["g_initech"]);
    insta::assert_snapshot!("audit_2027_02_15_30d", json(&list));
}

/// Issue 14, item 6: durations and `--at` dates, through the library.
#[test]
fn durations_and_dates() {
    let day = 86_400 * 1_000_000;
    assert_eq!(parse_duration("2d"), Ok(Duration::Micros(2 * day)));
    assert_eq!(parse_duration("1w"), Ok(Duration::Micros(7 * day)));
    assert_eq!(parse_duration("12h"), Ok(Duration::Micros(day / 2)));
    assert_eq!(parse_duration("3mo"), Ok(Duration::Months(3)));
    for bad in ["1m", "90s", "", "mo", "-1d", "1 d", "1D", "99999999999w"] {
        assert!(parse_duration(bad).is_err(), "{bad}");
    }
    assert!(parse_duration("1m").unwrap_err().contains("ambiguous"));
    // Calendar months at the same clock time in the set's time zone,
    // clamped to the month's end.
    let p = bundled();
    let tz = p.time_zone();
    assert_eq!(tz.map(|z| z.local_minus_utc()), Some(8 * 3600));
    let jan31 = at("2026-01-31T10:00:00+08:00");
    assert_eq!(
        Duration::Months(1).after(jan31, tz),
        at("2026-02-28T10:00:00+08:00")
    );
    // 2026-01-31T20:00Z is already February 1st in +08:00.
    let late = at("2026-01-31T20:00:00Z");
    assert_eq!(
        Duration::Months(1).after(late, tz),
        at("2026-03-01T04:00:00+08:00")
    );
    assert_eq!(
        Duration::Months(1).after(late, None),
        at("2026-02-28T20:00:00Z")
    );
    assert_eq!(
        p.parse_at("2026-04-10"),
        Ok(at("2026-04-10T00:00:00+08:00"))
    );
    assert_eq!(
        p.parse_at("2026-04-10T09:30+08:00"),
        Ok(at("2026-04-10T09:30:00+08:00"))
    );
    assert!(p.parse_at("2026-02-30").is_err());
    // Files that disagree, or none: no time zone, and a date is refused.
    let set = |zones: &[&str]| {
        let inputs = zones
            .iter()
            .enumerate()
            .map(|(i, z)| Input::new(format!("{i}.policy"), format!("{z}\n")))
            .collect();
        Policy::from_inputs(inputs).unwrap_or_else(|e| panic!("{}", e.render()))
    };
    assert_eq!(
        set(&["timezone +08:00", "", "timezone +08:00"]).time_zone(),
        tz
    );
    let disagree = set(&["timezone +08:00", "timezone +09:00"]);
    assert_eq!(disagree.time_zone(), None);
    assert!(disagree
        .parse_at("2026-04-10")
        .unwrap_err()
        .contains("give a full time"));
    assert_eq!(set(&[""]).time_zone(), None);
}

/// Issue 14, item 6: `audit` lists the invites open at the instant, with
/// the instant each window closes.
#[test]
fn audit_lists_open_invites() {
    let p = bundled();
    let open = |t: &str| -> Vec<(String, Option<String>, bool)> {
        p.audit(at(t), parse_duration("7d").ok())
            .into_iter()
            .filter(|e| e.kind.as_str() == "invite")
            .map(|e| (e.rule, e.ends_at, e.expiring))
            .collect()
    };
    let closes = |s: &str| Some(String::from(s));
    assert_eq!(
        open("2026-02-01T10:00:00+08:00"),
        [(
            String::from("inv_sh_lease"),
            closes("2026-02-28T10:00:00+08:00"),
            false
        )]
    );
    assert_eq!(
        open("2026-03-06T10:00:00+08:00"),
        [
            (
                String::from("inv_nda"),
                closes("2026-04-01T09:00:00+08:00"),
                false
            ),
            (
                String::from("inv_purchase"),
                closes("2026-03-12T00:00:00+08:00"),
                true
            ),
        ]
    );
    // A window ends just before its closing instant.
    assert!(open("2026-04-01T09:00:00+08:00").is_empty());
}

/// A grant in force that cannot seal says why: Initech closes its service
/// on 2027-03-01; Acme's contract seal is disabled in August 2026.
#[test]
fn audit_marks_what_cannot_seal() {
    let p = bundled();
    let suspended = |t: &str| -> Vec<(String, &'static str)> {
        p.audit(at(t), None)
            .into_iter()
            .filter_map(|e| Some((e.rule, e.suspended?.as_str())))
            .collect()
    };
    assert!(suspended("2026-04-01T10:00:00+08:00").is_empty());
    assert_eq!(
        suspended("2027-03-15T10:00:00+08:00"),
        [(String::from("g_initech_purchase"), "service_not_enabled")]
    );
    let august = suspended("2026-08-11T10:00:00+08:00");
    assert!(
        august.contains(&(String::from("labor_auto"), "seal_disabled")),
        "{august:?}"
    );
    // The decision agrees.
    let req = autoseal::Request::new(
        at("2026-08-11T10:00:00+08:00"),
        "acme.labor",
        "acme.li",
        "acme",
    );
    assert_eq!(
        p.decide(&req).code().map(|c| c.as_str()),
        Some("seal_disabled")
    );
}

// ---------------------------------------------------------------- diff

/// The bundled files, with `edit` applied to their text.
fn bundled_edited(edit: impl Fn(&str, String) -> String) -> Policy {
    let mut inputs = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir("policies")
        .expect("policies/ is readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "policy"))
        .collect();
    files.sort();
    for f in files {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(&f).expect("readable");
        inputs.push(Input::new(name.clone(), edit(&name, text)));
    }
    Policy::from_inputs(inputs).unwrap_or_else(|e| panic!("{}", e.render()))
}

#[test]
fn diff_identical_sets_is_empty() {
    let p = bundled();
    let same = bundled_edited(|_, t| t);
    for t in [
        "2026-04-01T10:00:00+08:00",
        "2026-07-15T10:00:00+08:00",
        "2027-02-15T10:00:00+08:00",
    ] {
        let d = p.diff(&same, Some(at(t)));
        assert!(d.changes.is_empty(), "at {t}");
        assert_eq!(d.at.as_deref(), Some(t));
        assert_eq!(d.instants, [t]);
    }
    let d = p.diff(&same, None);
    assert!(d.changes.is_empty(), "{}", json(&d));
    assert_eq!(d.at, None);
    // Every instant at which the bundled set changes, in order.
    assert_eq!(d.instants.len(), 21, "{:?}", d.instants);
    assert_eq!(
        d.instants.first().map(String::as_str),
        Some("2026-01-05T00:00:00+08:00")
    );
    let mut sorted = d.instants.clone();
    sorted.sort();
    assert_eq!(sorted, d.instants);
}

/// The bundled set, with the edits of [`diff_against_an_edited_set`].
fn edited() -> Policy {
    // Globex never revoked its NDA grant nor resealed its lease grant, and
    // wang's purchase authorization is dropped.
    bundled_edited(|_, t| {
        t.lines()
            .filter(|l| {
                !l.starts_with("revoke g_globex ")
                    && !l.starts_with("reseal g_globex_lease")
                    && !l.starts_with("wang_purchase:")
                    && !(l.starts_with("    ")
                        && (l.contains("from 2026-02-01 until revoked")
                            || l.contains("when amount <= 100000")))
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn summary(changes: &[autoseal::query::DiffEntry]) -> Vec<(&str, &str, Option<&str>)> {
    changes
        .iter()
        .map(|c| {
            (
                c.change.as_str(),
                c.kind.as_str(),
                c.rule
                    .as_deref()
                    .or(c.signer.as_deref())
                    .or(c.employee.as_deref()),
            )
        })
        .collect()
}

#[test]
fn diff_against_an_edited_set() {
    let old = bundled();
    let new = edited();
    let changes = old
        .diff(&new, Some(at("2026-08-01T10:00:00+08:00")))
        .changes;
    assert_eq!(
        summary(&changes),
        [
            ("removed", "employee", Some("wang_purchase")),
            ("lost", "employee", Some("acme.wang")),
            ("gained", "partner_grant", Some("globex")),
            ("seal_changed", "partner_grant", Some("globex")),
        ],
        "{}",
        json(&changes)
    );
    insta::assert_snapshot!("diff_edited_2026_08_01", json(&changes));

    // Before the revocation and the reseal only wang's authorization differs.
    let changes = old
        .diff(&new, Some(at("2026-04-01T10:00:00+08:00")))
        .changes;
    assert_eq!(
        summary(&changes),
        [
            ("removed", "employee", Some("wang_purchase")),
            ("lost", "employee", Some("acme.wang"))
        ],
        "{}",
        json(&changes)
    );

    // Over the whole timeline: each with where it holds.
    let d = old.diff(&new, None);
    insta::assert_snapshot!("diff_edited_timeline", json(&d.changes));
    let when = |c: &autoseal::query::DiffEntry| match &c.when {
        When::Interval { from, until } => (from.clone(), until.clone()),
        When::At { .. } => panic!("an instant, not an interval"),
    };
    let t = |s: &str| Some(String::from(s));
    let globex_nda: Vec<_> = d
        .changes
        .iter()
        .filter(|c| c.template.as_deref() == Some("acme.nda"))
        .map(|c| (c.change.as_str(), when(c)))
        .collect();
    // Gained from the revoke it no longer has, but for Globex's audit
    // month, when a forbid stops it in both sets.
    assert_eq!(
        globex_nda,
        [
            (
                "gained",
                (
                    t("2026-06-01T12:00:00+08:00"),
                    t("2026-07-01T00:00:00+08:00")
                )
            ),
            ("gained", (t("2026-08-01T00:00:00+08:00"), None)),
        ]
    );
    // wang_labor has lost its `from`: wang may initiate labour contracts
    // from the beginning of time.
    let labor = d
        .changes
        .iter()
        .find(|c| c.template.as_deref() == Some("acme.labor"))
        .expect("wang's labour authorization");
    assert_eq!(
        (labor.change.as_str(), when(labor)),
        ("gained", (None, t("2026-02-01T00:00:00+08:00")))
    );
    assert_eq!(d.changes.len(), 6, "{}", json(&d.changes));
}

/// What rules alone do not show: a forbid, a seal or a service switched
/// off takes the seal from keys whose rules are unchanged.
#[test]
fn diff_finds_forbids_and_switches() {
    let old = bundled();
    let t = at("2026-06-15T10:00:00+08:00");
    let lost = |edit: &'static str, file: &'static str| {
        let new = bundled_edited(move |name, text| {
            if name.ends_with(file) {
                format!("{text}\n{edit}\n")
            } else {
                text
            }
        });
        let changes = old.diff(&new, Some(t)).changes;
        // A forbid added is a forbid added; the keys it stops, lost. And
        // back again: each the other way.
        let back = new.diff(&old, Some(t)).changes;
        assert_eq!(changes.len(), back.len(), "{}", json(&changes));
        let flipped = |c: &autoseal::query::DiffEntry| {
            c.change.as_str()
                == if c.kind.as_str() == "forbid" {
                    "removed"
                } else {
                    "gained"
                }
        };
        assert!(back.iter().all(flipped), "{}", json(&back));
        let forbids = changes
            .iter()
            .filter(|c| c.kind.as_str() == "forbid")
            .count();
        assert_eq!(
            forbids,
            usize::from(edit.contains("forbid")),
            "{}",
            json(&changes)
        );
        changes
            .iter()
            .filter(|c| c.kind.as_str() != "forbid")
            .map(|c| {
                assert_eq!(c.change.as_str(), "lost", "{}", json(&changes));
                (
                    c.signer.clone().unwrap_or_default(),
                    c.template.clone().unwrap_or_default(),
                    c.reason.map(|r| r.as_str().to_owned()).unwrap_or_default(),
                )
            })
            .collect::<Vec<_>>()
    };
    let own = |t: &str, why: &str| (String::from("acme"), t.to_owned(), why.to_owned());
    // A forbid that tests an attribute stops no key without it: only the
    // forbid shows.
    assert_eq!(
        lost(
            "f_new: forbid auto-sign for template acme.nda when category in [\"marriage\"]",
            "forbids.policy"
        ),
        []
    );
    assert_eq!(
        lost(
            "f_new: forbid auto-sign for template acme.labor",
            "forbids.policy"
        ),
        [own("acme.labor", "forbidden")]
    );
    // Keys that seal only when their conditions hold (general, purchase)
    // are lost too: no request seals them any more.
    assert_eq!(
        lost("disable seal acme.contract at 2026-06-01", "acme.policy"),
        [
            own("acme.general", "seal_disabled"),
            own("acme.labor", "seal_disabled"),
            own("acme.nda", "seal_disabled"),
            own("acme.purchase", "seal_disabled")
        ]
    );
    assert_eq!(
        lost("acme disables auto-sign at 2026-06-01", "acme.policy"),
        [
            own("acme.general", "service_not_enabled"),
            own("acme.labor", "service_not_enabled"),
            own("acme.nda", "service_not_enabled"),
            own("acme.purchase", "service_not_enabled")
        ]
    );
}

// ---------------------------------------------------------------- super admins

/// `audit` and `who` show the super admin at the instant asked: globex's is
/// zhao until 2026-05-01 10:00 +08:00, then wang (tests/cases/policies/super_admin).
#[test]
fn audit_and_who_show_the_super_admin_at_the_instant() {
    let p = Policy::from_paths(&[PathBuf::from("tests/cases/policies/super_admin")])
        .unwrap_or_else(|e| panic!("{}", e.render()));
    let admin_of = |list: &[autoseal::query::AuditEntry], rule: &str| {
        list.iter()
            .find(|e| e.rule == rule)
            .unwrap_or_else(|| panic!("{rule} is in force"))
            .super_admin
            .clone()
    };
    for (t, globex) in [
        ("2026-04-01T10:00:00+08:00", "globex.zhao"),
        ("2026-05-01T09:59:59+08:00", "globex.zhao"),
        ("2026-05-01T10:00:00+08:00", "globex.wang"),
        ("2026-06-01T10:00:00+08:00", "globex.wang"),
    ] {
        let list = p.audit(at(t), None);
        assert_eq!(admin_of(&list, "g_early").as_deref(), Some(globex), "{t}");
        assert_eq!(admin_of(&list, "li_all").as_deref(), Some("acme.zhang"));
        let who = p.who("acme.early", at(t), None, &[]).unwrap();
        let signer = who.iter().find(|s| s.signer == "globex").unwrap();
        assert_eq!(signer.super_admin.as_deref(), Some(globex), "{t}");
    }
    // Initech names none in its block: none before its first change.
    let who = p
        .who("acme.fresh", at("2026-01-15T10:00:00+08:00"), None, &[])
        .unwrap();
    assert_eq!(who[0].super_admin, None);
    let who = p
        .who("acme.fresh", at("2026-02-01T00:00:00+08:00"), None, &[])
        .unwrap();
    assert_eq!(who[0].super_admin.as_deref(), Some("initech.sun"));
}

/// A rule that can never seal (a forbid without a condition blocks it) is
/// listed by `audit` as suspended with the code a decision gives.
#[test]
fn audit_marks_a_rule_a_forbid_blocks() {
    let text = std::fs::read_to_string("tests/fixtures/diag/never_seals.policy").unwrap();
    let p = Policy::from_inputs(vec![Input::new("never_seals.policy", text)])
        .unwrap_or_else(|e| panic!("{}", e.render()));
    let t = at("2026-03-01T10:00:00+08:00");
    let list = p.audit(t, None);
    let loan = list.iter().find(|e| e.rule == "loan_auto").unwrap();
    assert_eq!(loan.suspended.map(|c| c.as_str()), Some("forbidden"));
    // What every failing check lists says the same.
    let who = p.who("huaxin.loan", t, Some("huaxin.zhang"), &[]).unwrap();
    assert!(who[0]
        .reasons
        .iter()
        .any(|r| r.code.as_str() == "forbidden"));
}

/// The bundled set with `from` replaced by `to` in `file` (which must
/// contain it).
fn bundled_replaced(file: &'static str, from: &'static str, to: &'static str) -> Policy {
    bundled_edited(move |name, text| {
        if name.ends_with(file) {
            assert!(text.contains(from), "no `{from}` in {name}");
            text.replacen(from, to, 1)
        } else {
            text
        }
    })
}

/// Issue 14, item 2: every change that can matter shows. Removing an
/// amount limit from an employee authorization or a partner grant, or
/// raising a forbid's limit, gave "no difference": each is now
/// `condition_changed`, with both conditions written canonically, over
/// the whole timeline and at an instant where both rules are in force.
#[test]
fn diff_sees_every_change_that_can_matter() {
    let old = bundled();
    let april = Some(at("2026-04-01T10:00:00+08:00"));
    let cases = [
        (
            bundled_replaced("acme.policy", "    when amount <= 100000\n", ""),
            ("employee", "wang_purchase"),
            (Some("amount <= 100000"), None),
        ),
        (
            bundled_replaced(
                "partners.policy",
                "    when amount <= 500000 and currency == \"CNY\"\n",
                "",
            ),
            ("partner_grant", "g_initech"),
            (Some("amount <= 500000 and currency == \"CNY\""), None),
        ),
        (
            bundled_replaced("forbids.policy", "amount > 1_000_000", "amount > 9_000_000"),
            ("forbid", "f_big_purchase"),
            (
                Some("amount > 1000000 or not currency in [\"CNY\", \"HKD\"]"),
                Some("amount > 9000000 or not currency in [\"CNY\", \"HKD\"]"),
            ),
        ),
    ];
    for (new, (kind, rule), (was, is)) in cases {
        for at in [None, april] {
            let d = old.diff(&new, at);
            assert_eq!(
                summary(&d.changes),
                [("condition_changed", kind, Some(rule))],
                "{}",
                json(&d)
            );
            let c = &d.changes[0];
            assert_eq!(
                (c.old_condition.as_deref(), c.new_condition.as_deref()),
                (was, is)
            );
            // Back again: the other way round.
            let back = new.diff(&old, at);
            assert_eq!(
                (
                    back.changes[0].old_condition.as_deref(),
                    back.changes[0].new_condition.as_deref()
                ),
                (is, was)
            );
        }
    }
}

/// Issue 14, item 2: a revoke dated after the instant compared changed
/// nothing at that instant ("no difference"); over the whole timeline it
/// shows where it holds. `--at` keeps comparing the one instant.
#[test]
fn diff_sees_a_revoke_in_the_future() {
    let old = bundled();
    let new = bundled_edited(|name, text| {
        if name.ends_with("partners.policy") {
            text + "\nrevoke g_globex_lease at 2026-10-01 by globex.zhao\n"
        } else {
            text
        }
    });
    let d = old.diff(&new, None);
    assert_eq!(d.at, None);
    assert!(
        d.instants
            .contains(&String::from("2026-10-01T00:00:00+08:00")),
        "{:?}",
        d.instants
    );
    assert_eq!(d.changes.len(), 1, "{}", json(&d));
    let c = &d.changes[0];
    assert_eq!(
        (
            c.change.as_str(),
            c.kind.as_str(),
            c.signer.as_deref(),
            c.template.as_deref()
        ),
        (
            "lost",
            "partner_grant",
            Some("globex"),
            Some("acme_sh.lease")
        )
    );
    assert_eq!(c.reason.map(|r| r.as_str()), Some("grant_revoked"));
    assert_eq!(
        c.when,
        When::Interval {
            from: Some(String::from("2026-10-01T00:00:00+08:00")),
            until: None
        }
    );
    // At an instant before it: no difference; after it: lost, at it.
    assert!(old
        .diff(&new, Some(at("2026-09-01T10:00:00+08:00")))
        .changes
        .is_empty());
    let later = old.diff(&new, Some(at("2026-10-02T10:00:00+08:00")));
    assert_eq!(
        summary(&later.changes),
        [("lost", "partner_grant", Some("globex"))]
    );
    assert_eq!(
        later.changes[0].when,
        When::At {
            at: String::from("2026-10-02T10:00:00+08:00")
        }
    );
}

/// Rules are matched by label, else by what they say (by value, not by
/// where they are): numbers written with `_` or not, unlabelled rules
/// moved, a label renamed. A rule that says something else is removed
/// and added.
#[test]
fn diff_matches_rules_by_meaning() {
    let old = bundled();
    let same = [
        bundled_replaced("acme.policy", "amount <= 200_000", "amount <= 200000.00"),
        bundled_replaced("forbids.policy", "1_000_000", "1000000"),
        bundled_replaced("acme.policy", "general_auto: ", "general_rule: "),
        bundled_replaced(
            "acme.policy",
            "(currency == \"CNY\" or currency == \"HKD\")",
            "((currency == \"CNY\") or currency == \"HKD\")",
        ),
    ];
    for new in same {
        let d = old.diff(&new, None);
        assert!(d.changes.is_empty(), "{}", json(&d));
    }
    // An unlabelled rule is matched by its text: moved to another file,
    // it is the same rule.
    let text = "timezone +08:00\norg a \"A\" {\n    super_admin s \"S\"\n    employee e \"E\"\n    seal c \"C\" kind contract\n    template t \"T\"\n}\na enables auto-sign at 2026-01-01 by s\n";
    let rule = "employee a.e may initiate auto-sign when amount <= 1_000\n";
    let one = Policy::from_inputs(vec![Input::new("x.policy", format!("{text}{rule}"))])
        .unwrap_or_else(|e| panic!("{}", e.render()));
    let two = Policy::from_inputs(vec![
        Input::new("x.policy", text),
        Input::new(
            "y.policy",
            "\n\nemployee a.e may initiate auto-sign when amount <= 1000\n",
        ),
    ])
    .unwrap_or_else(|e| panic!("{}", e.render()));
    assert!(one.diff(&two, None).changes.is_empty());
    // Another condition on an unlabelled rule: another rule.
    let three = Policy::from_inputs(vec![Input::new(
        "x.policy",
        format!("{text}employee a.e may initiate auto-sign when amount <= 2000\n"),
    )])
    .unwrap_or_else(|e| panic!("{}", e.render()));
    let d = one.diff(&three, None);
    let c: Vec<_> = d
        .changes
        .iter()
        .map(|c| {
            (
                c.change.as_str(),
                c.old_condition.as_deref(),
                c.new_condition.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        c,
        [
            ("removed", Some("amount <= 1000"), None),
            ("added", None, Some("amount <= 2000"))
        ],
        "{}",
        json(&d)
    );
}

/// Issue 14, item 2: `diff` stays usable on big sets. A generated set of
/// 10,000 grants compared with itself plus one edit (a grant's condition
/// removed) finds that one difference, comparing each key only at the
/// instants it depends on: seconds, not minutes (well under one in a
/// release build).
#[test]
fn diff_of_a_big_set_with_one_edit() {
    use autoseal_gen::{generate, GenConfig};
    let g = generate(&GenConfig {
        grants: 10_000,
        seed: 42,
    });
    let old = Policy::from_inputs(g.inputs()).unwrap_or_else(|e| panic!("{}", e.render()));
    let grant = g
        .grants
        .iter()
        .find(|gr| gr.max_amount.is_some() && gr.revoked_at.is_none())
        .expect("a grant with a condition");
    let mut inputs = g.inputs();
    let head = format!("\n{}: partner ", grant.label);
    let edited = inputs.iter_mut().any(|i| {
        let autoseal::load::Content::Bytes(b) = &mut i.content else {
            return false;
        };
        let text = String::from_utf8(b.clone()).expect("UTF-8");
        let Some(at) = text.find(&head) else {
            return false;
        };
        let when = at
            + text[at..]
                .find("\n    when amount <= ")
                .expect("its condition");
        let end = when + 1 + text[when + 1..].find('\n').expect("a line end");
        *b = format!("{}{}", &text[..when], &text[end..]).into_bytes();
        true
    });
    assert!(edited);
    let new = Policy::from_inputs(inputs).unwrap_or_else(|e| panic!("{}", e.render()));
    let started = std::time::Instant::now();
    let d = old.diff(&new, None);
    let took = started.elapsed();
    eprintln!("diff of 10,000 grants: {took:?}");
    let summary: Vec<(&str, &str, Option<&str>)> = d
        .changes
        .iter()
        .map(|c| (c.change.as_str(), c.kind.as_str(), c.rule.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [(
            "condition_changed",
            "partner_grant",
            Some(grant.label.as_str())
        )],
        "{}",
        json(&d.changes)
    );
    assert_eq!(
        d.changes[0].old_condition.as_deref(),
        Some(format!("amount <= {}", grant.max_amount.expect("a condition")).as_str())
    );
    assert_eq!(d.changes[0].new_condition, None);
    assert!(took.as_secs() < 60, "diff took {took:?}");
    // The same set: no difference.
    assert!(old.diff(&old, None).changes.is_empty());
}
