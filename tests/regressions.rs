//! Regressions found by the fuzz targets and property tests (see
//! `fuzz/README.md` and `tests/properties.rs`): each test holds its
//! minimized input inline. Also: the compiled policy's compact seal rules
//! rebuild exactly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use autoseal::time::parse_datetime;
use autoseal::{Input, Instant, Policy, Request};

const DECLS: &str = r#"timezone +08:00
org acme "Acme" {
    super_admin sa "SA"
    employee e1 "E1"
    seal s1 "S1" kind contract
    seal s2 "S2" kind contract
    template t1 "T1"
}
b0: employee acme.e1 may initiate auto-sign
r1: acme auto-signs template t1 with seal s1
"#;

fn at(t: &str) -> Instant {
    Instant::from_datetime(&parse_datetime(t).unwrap())
}

fn request(t: &str) -> Request {
    Request::new(at(t), "acme.t1", "acme.e1", "acme")
}

/// Decision, seal and first reason code of `req` for the policy set made of
/// `files` (name, text), loaded in the order given.
fn answer(files: &[(&str, &str)], req: &Request) -> (String, Option<String>, Option<String>) {
    let inputs = files.iter().map(|(n, t)| Input::new(*n, *t)).collect();
    let p = Policy::from_inputs(inputs).map_err(|e| e.render()).unwrap();
    let r = p.render(&p.decide(req)).unwrap();
    (
        r.decision.as_str().to_owned(),
        r.seal,
        r.reasons.first().map(|x| x.code.as_str().to_owned()),
    )
}

/// The same two events, in either order (in one file, and in two files
/// loaded either way round), must give the same answer: the spec says
/// "order never changes a decision".
fn assert_order_free(event_a: &str, event_b: &str, req: &Request) {
    let ab = format!("{DECLS}{event_a}\n{event_b}\n");
    let ba = format!("{DECLS}{event_b}\n{event_a}\n");
    let one_ab = answer(&[("a.policy", &ab)], req);
    let one_ba = answer(&[("a.policy", &ba)], req);
    let only_a = format!("timezone +08:00\n{event_a}\n");
    let only_b = format!("timezone +08:00\n{event_b}\n");
    let two_ab = answer(
        &[
            ("decls.policy", DECLS),
            ("x.policy", &only_a),
            ("y.policy", &only_b),
        ],
        req,
    );
    let two_ba = answer(
        &[
            ("decls.policy", DECLS),
            ("x.policy", &only_b),
            ("y.policy", &only_a),
        ],
        req,
    );
    assert_eq!(one_ab, one_ba, "swapping two lines changed the decision");
    assert_eq!(two_ab, two_ba, "swapping two files changed the decision");
}

// ---------------------------------------------------------------------
// Found by `order_does_not_matter` (tests/properties.rs): events for the
// same service, seal, template or rule at the same instant were applied in
// source order (src/check/mod.rs, `finish`, sorted toggles and reseals by
// `(instant, file, offset)`, and src/model.rs `state_at` /
// `SealRule::seal_at` take the last one at or before the instant), so
// swapping two lines or two files changed the decision, against the
// spec's "order never changes a decision". Since fixed in `finish` (at one
// instant an `off` event wins; reseals tie-break by seal name); these
// tests only require that order does not matter.

#[test]
fn simultaneous_service_enable_and_disable_do_not_depend_on_order() {
    assert_order_free(
        "acme enables auto-sign at 2026-01-01 by sa",
        "acme disables auto-sign at 2026-01-01",
        &request("2026-02-01T00:00:00+08:00"),
    );
}

#[test]
fn simultaneous_seal_disable_and_enable_do_not_depend_on_order() {
    assert_order_free(
        "acme enables auto-sign at 2025-01-01 by sa\ndisable seal acme.s1 at 2026-01-01",
        "enable seal acme.s1 at 2026-01-01",
        &request("2026-02-01T00:00:00+08:00"),
    );
}

#[test]
fn simultaneous_template_disable_and_enable_do_not_depend_on_order() {
    assert_order_free(
        "acme enables auto-sign at 2025-01-01 by sa\ndisable template acme.t1 at 2026-01-01",
        "enable template acme.t1 at 2026-01-01",
        &request("2026-02-01T00:00:00+08:00"),
    );
}

#[test]
fn simultaneous_reseals_do_not_depend_on_order() {
    assert_order_free(
        "acme enables auto-sign at 2025-01-01 by sa\nreseal r1 with seal acme.s2 at 2026-01-01",
        "reseal r1 with seal acme.s1 at 2026-01-01",
        &request("2026-02-01T00:00:00+08:00"),
    );
}

/// The compiled policy keeps seal rules in a compact form; rebuilt, each
/// is the rule the checker made (labels, stamps with their offsets and
/// date flags, revokes, reseals, conditions, voids, spans), on the bundled
/// policies, every case policy and a generated set.
#[test]
fn compact_seal_rules_rebuild_exactly() {
    use autoseal::load::{analyze, read_inputs};
    use autoseal_gen::{generate, GenConfig};
    let mut sets: Vec<Vec<autoseal::Input>> = Vec::new();
    sets.push(read_inputs(&[std::path::PathBuf::from("policies")]).unwrap());
    for entry in std::fs::read_dir("tests/cases/policies").unwrap() {
        sets.push(read_inputs(&[entry.unwrap().path()]).unwrap());
    }
    sets.push(
        generate(&GenConfig {
            grants: 2000,
            seed: 3,
        })
        .inputs(),
    );
    let mut rules = 0;
    for inputs in sets {
        let analysis = analyze(inputs);
        let Some(model) = analysis.model.clone() else {
            continue;
        };
        if analysis.diagnostics.has_errors() {
            continue;
        }
        let mut before: Vec<String> = model.seal_rules.iter().map(|r| format!("{r:?}")).collect();
        let policy = Policy::compile(model, &analysis.sources);
        let mut after: Vec<String> = policy.seal_rules().map(|(_, r)| format!("{r:?}")).collect();
        before.sort();
        after.sort();
        assert_eq!(before, after);
        rules += after.len();
    }
    assert!(rules > 2000, "only {rules} rules compared");
}

/// The hot tables say "never on" with the largest instant; a request at
/// that very instant (or the smallest) must still get the model's answer
/// (found in review: `at >= MAX` read as "on").
#[test]
fn edge_instants_get_the_models_answer() {
    let sets = [
        DECLS.to_owned(),
        format!("{DECLS}acme enables auto-sign at 2026-01-05 by sa\n"),
        format!(
            "{DECLS}acme enables auto-sign at 2026-01-05 by sa\n\
             acme disables auto-sign at 2026-06-01\n"
        ),
    ];
    for text in &sets {
        let p = Policy::from_str("a.policy", text)
            .map_err(|e| e.render())
            .unwrap();
        for t in [Instant::MIN, Instant::MAX, at("2026-03-01T00:00:00+08:00")] {
            let req = Request::new(t, "acme.t1", "acme.e1", "acme");
            let fast = p.decide(&req);
            assert_eq!(p.decide_reference(&req), fast, "at {t:?} in\n{text}");
            assert_eq!(
                p.explain(&req).decision,
                fast,
                "explain at {t:?} in\n{text}"
            );
        }
    }
}

/// The hot path trusts a rule's row alone only when, by the rule's start,
/// the signer's service and the template are on for good. Here they are
/// not: the service opens after the grant starts, closes and reopens; the
/// template and the seal are switched off for a while. Every day of the
/// year must get the model's answer, by every path.
#[test]
fn rows_not_settled_get_the_models_answer() {
    let text = r#"timezone +08:00
org acme "Acme" {
    super_admin sa "SA"
    employee e1 "E1"
    seal s1 "S1" kind contract
    template t1 "T1" signatories "乙方"
}
org bolt "Bolt" {
    super_admin sb "SB"
    seal c1 "C1" kind contract
}
b0: employee acme.e1 may initiate auto-sign
g1: partner bolt authorizes acme template t1 as signatory "乙方" with seal c1 from 2026-01-01
bolt enables auto-sign at 2026-02-01 by sb
bolt disables auto-sign at 2026-05-01
bolt enables auto-sign at 2026-06-01 by sb
disable template acme.t1 at 2026-07-01
enable template acme.t1 at 2026-07-10
disable seal bolt.c1 at 2026-08-01
enable seal bolt.c1 at 2026-08-05
"#;
    let p = Policy::from_str("a.policy", text)
        .map_err(|e| e.render())
        .unwrap();
    let day = |m: u32, d: u32| at(&format!("2026-{m:02}-{d:02}T12:00:00+08:00"));
    let code = |t: Instant| {
        let r = p
            .render(&p.decide(&Request::new(t, "acme.t1", "acme.e1", "bolt")))
            .unwrap();
        r.reasons
            .first()
            .map_or(r.decision.as_str().to_owned(), |x| {
                x.code.as_str().to_owned()
            })
    };
    assert_eq!(code(day(1, 15)), "service_not_enabled");
    assert_eq!(code(day(3, 1)), "auto_seal");
    assert_eq!(code(day(5, 15)), "service_not_enabled");
    assert_eq!(code(day(6, 15)), "auto_seal");
    assert_eq!(code(day(7, 5)), "template_disabled");
    assert_eq!(code(day(8, 3)), "seal_disabled");
    assert_eq!(code(day(9, 1)), "auto_seal");
    let start = day(1, 1);
    for d in 0..366 {
        let t = Instant(start.0 + d * 86_400_000_000);
        let req = Request::new(t, "acme.t1", "acme.e1", "bolt");
        let fast = p.decide(&req);
        assert_eq!(p.decide_reference(&req), fast, "day {d}");
        assert_eq!(
            p.decide_prepared(&p.prepare(&req)).unwrap(),
            fast,
            "day {d}"
        );
        assert_eq!(p.explain(&req).decision, fast, "day {d}");
    }
}

/// Two unlabelled rules that agree on the seal: the answer names the one
/// at the earliest source location, with files in the loader's order,
/// path component by path component (`p/a/x.policy` before
/// `p/a-b.policy`, although `-` sorts before `/` as a byte).
#[test]
fn earliest_location_compares_paths_as_the_loader_sorts_them() {
    let decls = "timezone +08:00\norg acme \"Acme\" {\n    super_admin sa \"SA\"\n    employee e1 \"E1\"\n    seal s1 \"S1\" kind contract\n    template t1 \"T1\"\n}\nb0: employee acme.e1 may initiate auto-sign\nacme enables auto-sign at 2026-01-01 by sa\n";
    let rule = |from: &str| {
        format!("timezone +08:00\nacme auto-signs template t1 with seal s1 from {from}\n")
    };
    let (nested, dashed) = (rule("2026-01-01"), rule("2026-01-02"));
    let files = [
        ("p/decls.policy", decls),
        ("p/a/x.policy", nested.as_str()),
        ("p/a-b.policy", dashed.as_str()),
    ];
    let req = request("2026-03-01T10:00:00+08:00");
    for order in [[0, 1, 2], [0, 2, 1], [2, 1, 0]] {
        let inputs = order.map(|i| Input::new(files[i].0, files[i].1)).into();
        let p = Policy::from_inputs(inputs).map_err(|e| e.render()).unwrap();
        let r = p.render(&p.decide(&req)).unwrap();
        assert_eq!(r.decision, autoseal::Verdict::AutoSeal);
        assert_eq!(r.rule.as_deref(), Some("p/a/x.policy:2"), "order {order:?}");
    }
}

/// Two forbids on one template, one that tests an attribute and one that
/// does not: the answer names the one no attribute would lift, so the
/// "use" button is not shown as usable when conditions hold. And with two
/// rules stopped by forbids, `explain` lists both.
#[test]
fn a_certain_forbid_is_named_before_one_for_want_of_an_attribute() {
    let text = format!(
        "{DECLS}acme enables auto-sign at 2026-01-01 by sa\n\
         r2: acme auto-signs template t1 with seal s1 when amount > 5\n\
         f1: forbid auto-sign for template acme.t1 when category == \"x\"\n\
         f2: forbid auto-sign for template acme.t1\n"
    );
    let p = Policy::from_inputs(vec![Input::new("a.policy", text)])
        .map_err(|e| e.render())
        .unwrap();
    let mut req = request("2026-03-01T10:00:00+08:00");
    req.attributes = vec![("amount".into(), autoseal::Value::Number(10.into()))];
    let r = p.render_explanation(&p.explain(&req)).unwrap();
    let said: Vec<(&str, &str)> = r
        .reasons
        .iter()
        .map(|x| (x.code.as_str(), x.message.as_str()))
        .collect();
    assert_eq!(said.len(), 2, "{said:?}");
    for (code, message) in &said {
        assert_eq!(*code, "forbidden");
        assert!(message.ends_with("forbidden by `f2`"), "{message}");
    }
    assert_ne!(said[0].1, said[1].1, "one reason per rule: {said:?}");
    let d = p.render(&p.decide(&req)).unwrap();
    assert_eq!(d.reasons[0].message, said[0].1);

    let t = p
        .templates_for("acme.e1", None, req.at, &[])
        .unwrap()
        .into_iter()
        .find(|t| t.template == "acme.t1")
        .unwrap();
    assert!(!t.usable && !t.conditional, "{t:?}");
}

/// A policy file saved with a UTF-8 byte order mark (as editors on Windows
/// do) loads as without it, and its columns do not count the mark.
#[test]
fn a_byte_order_mark_is_skipped() {
    let with_mark = format!("\u{feff}{DECLS}");
    let req = request("2026-04-01T10:00:00+08:00");
    assert_eq!(
        answer(&[("a.policy", &with_mark)], &req),
        answer(&[("a.policy", DECLS)], &req)
    );
    // An error on the first line is at the same column with the mark.
    let bad = format!("r2: acme auto-signs template t1 with seal nope\n{DECLS}");
    let places = |text: String| {
        let a = autoseal::load::analyze(vec![Input::new("b.policy", text)]);
        let j = a.diagnostics.to_json(&a.sources);
        j.iter().map(|j| (j.line, j.column)).collect::<Vec<_>>()
    };
    assert_eq!(places(format!("\u{feff}{bad}")), places(bad.clone()));
    assert_eq!(places(bad).first(), Some(&(1, 43)));
}

/// An attribute the answer does not depend on is not the one named: in
/// `(a > 1 and b > 1) or c > 1` with `b = 0`, the `and` is false whatever
/// `a` is, so `c` is what the rule (and the forbid) need.
#[test]
fn the_attribute_named_is_one_the_answer_waits_on() {
    let policy = format!(
        "{DECLS}acme enables auto-sign at 2026-01-01 by sa\n\
         t2: acme auto-signs template t2 with seal s1 when (a > 1 and b > 1) or c > 1\n\
         f: forbid auto-sign for template acme.t1 when (a > 1 and b > 1) or c > 1\n"
    )
    .replace(
        "    template t1 \"T1\"\n",
        "    template t1 \"T1\"\n    template t2 \"T2\"\n",
    );
    let p = Policy::from_inputs(vec![Input::new("a.policy", policy)])
        .map_err(|e| e.render())
        .unwrap();
    for template in ["acme.t1", "acme.t2"] {
        let mut req = Request::new(at("2026-04-01T10:00:00+08:00"), template, "acme.e1", "acme");
        req.attributes = vec![("b".into(), autoseal::Value::Number(0.into()))];
        let r = p.render(&p.decide(&req)).unwrap();
        let message = &r.reasons.first().expect("a reason").message;
        assert!(message.contains("attribute `c`"), "{template}: {message}");
    }
}

/// A decision is ids into the policy that made it: another policy (a
/// reload, another set) refuses to render it, and refuses a prepared
/// request of the first, rather than name its own seal and rule at the
/// same ids (issue 17: found while swapping policies).
#[test]
fn a_decision_is_rendered_only_by_the_policy_that_made_it() {
    let first = Policy::from_paths(&["policies"]).unwrap();
    // Another set whose seal and rule ids overlap the first's.
    let mut inputs = autoseal::load::read_inputs(&["policies"]).unwrap();
    inputs.retain(|i| !i.name.ends_with("forbids.policy"));
    let second = Policy::from_inputs(inputs).unwrap();
    let req = autoseal::Request::parse(
        r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme.nda","initiator":"acme.li","signer":"globex","signatory":"乙方"}"#,
    )
    .unwrap();
    let d = first.decide(&req);
    assert!(d.is_auto_seal());
    assert_eq!(
        first.render(&d).unwrap().seal.as_deref(),
        Some("globex.contract")
    );
    assert_eq!(second.render(&d), Err(autoseal::ForeignDecision));
    assert_eq!(
        second.render_explanation(&first.explain(&req)),
        Err(autoseal::ForeignDecision)
    );
    let prepared = first.prepare(&req);
    assert_eq!(
        second.decide_prepared(&prepared),
        Err(autoseal::ForeignDecision)
    );
    // A clone is the same policy: its decisions are the original's.
    let copy = first.clone();
    assert!(copy.render(&d).is_ok());
    assert!(copy.decide_prepared(&prepared).is_ok());
}

/// An answer's `source` counts columns in characters, as the diagnostics
/// do: a template declared in its org's block on the org's line, after a
/// display name in Chinese, is at column 50, not 66 (its byte offset from
/// the line start, plus one), which the compiled policy said before.
#[test]
fn an_answers_source_column_counts_characters() {
    let text =
        "org acme \"阿克米集团\" { super_admin sa \"管理员\" template labor \"劳动合同\" }\n\
                org globex \"环球\" { super_admin sa \"管理员\" }\n";
    let p = Policy::from_str("wide.policy", text).unwrap_or_else(|e| panic!("{}", e.render()));
    let mut req = request("2026-04-01T10:00:00+08:00");
    req.template = "acme.labor".into();
    req.initiator = "globex.sa".into();
    req.signer = "globex".into();
    let r = p.explain_rendered(&req, autoseal::Lang::En);
    let reason = r
        .reasons
        .iter()
        .find(|r| r.code == autoseal::ReasonCode::TemplateOwnerMismatch)
        .unwrap_or_else(|| panic!("template_owner_mismatch among {:?}", r.reasons));
    // The template's name, `labor`.
    let at = text.find("labor \"").unwrap_or_default();
    let col = text[..at].chars().count() + 1;
    assert_eq!((col, at + 1), (50, 66));
    assert_eq!(reason.source.as_deref(), Some("wide.policy:1:50"));
}

/// A keyword is a whole word (issue 18): on main before the grammar was
/// restructured, `forbid` on a continuation line was read as `for` + `bid`
/// ("expected `signer` or `template`, found `bid`"), and a keyword run into
/// the next word was read as the two (`forbid auto-signfor signer p`
/// parsed). Each text below must be refused, with the error at the word
/// that starts with a keyword.
#[test]
fn a_keyword_is_a_whole_word() {
    use autoseal::source::FileId;
    use autoseal::syntax::{parse_file, Expected, Found, SyntaxError};

    let text = "forbid auto-sign\n    forbid auto-sign with seal kind official\n";
    let p = parse_file(FileId(0), text);
    let [SyntaxError::Unexpected {
        expected, found, ..
    }] = p.errors.as_slice()
    else {
        panic!("{:?}", p.errors)
    };
    assert_eq!(found, &Found::Text(String::from("forbid")), "{expected:?}");
    assert!(
        expected.contains(&Expected::Token(String::from("for"))),
        "{expected:?}"
    );
    for (text, word) in [
        ("forbid auto-signfor signer p\n", "auto-signfor"),
        ("forbid auto-sign for signerp\n", "signerp"),
        ("acme enablesauto-sign at 2026-01-01\n", "enablesauto-sign"),
        ("revoke g at 2026-01-01byp\n", "byp"),
        (
            "r: acme auto-signs template nda with seal contract until revokedwhen a == 1\n",
            "revokedwhen",
        ),
        (
            "r: acme auto-signs template nda withseal contract\n",
            "withseal",
        ),
        ("forbid auto-sign when a == 1 orb == 2\n", "orb"),
    ] {
        let p = parse_file(FileId(0), text);
        let [SyntaxError::Unexpected { found, .. }] = p.errors.as_slice() else {
            panic!("{text:?}: {:?}", p.errors)
        };
        assert_eq!(found, &Found::Text(word.to_owned()), "{text:?}");
    }
    // Where nothing can continue the word, white space may be left out.
    for text in [
        "forbid auto-sign for signer p\n",
        "g:partner p authorizes acme template nda as signatory\"乙方\"with seal c\n",
        "forbid auto-sign when a==1 or(b<=2)\n",
    ] {
        let p = parse_file(FileId(0), text);
        assert!(p.errors.is_empty(), "{text:?}: {:?}", p.errors);
    }
}

/// Found by the `request` fuzz target (a SIGSEGV after 12.8 million runs):
/// block sequences nest two bytes a level (`- - - x`), which the YAML
/// parser does not bound as it bounds `[[[`; 30,000 levels overflowed the
/// stack of `autoseal decide --request`. Refused with a message, as a case
/// file is.
#[test]
fn a_request_nested_past_the_limit_is_refused_not_a_stack_overflow() {
    let deep = format!("{}x\n", "- ".repeat(30_000));
    let err = Request::parse(&deep).unwrap_err().to_string();
    assert!(err.contains("nested more than 64 deep"), "{err}");
    let inside = format!(
        "at: 2026-01-01T00:00:00+08:00\nattributes:\n  a: {}x\n",
        "- ".repeat(30_000)
    );
    assert!(Request::parse(&inside).is_err());
}

/// The `load` and `fmt_roundtrip` fuzz targets run without comparison
/// tracing and learn the language's words from `fuzz/policy.dict`
/// (fuzz/README.md): every keyword the grammar spells must be in it.
#[test]
fn the_fuzz_dictionary_has_every_keyword_of_the_grammar() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let grammar = std::fs::read_to_string(root.join("grammar/policy.pest")).unwrap();
    let dict = std::fs::read_to_string(root.join("fuzz/policy.dict")).unwrap();
    let entries: std::collections::HashSet<&str> = dict
        .lines()
        .filter(|l| l.starts_with('"'))
        .map(|l| l.trim_matches('"'))
        .collect();
    let keywords: std::collections::BTreeSet<&str> = grammar
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|w| autoseal::syntax::is_keyword(w))
        .collect();
    assert!(keywords.len() > 50, "{keywords:?}");
    let missing: Vec<_> = keywords.iter().filter(|k| !entries.contains(*k)).collect();
    assert!(missing.is_empty(), "not in fuzz/policy.dict: {missing:?}");
}
