//! The YAML case files under `tests/cases/`, one `#[test]` per file.
//!
//! Each test runs every case of its file with [`testcase::run`] and fails
//! listing every failing case (with what the engine answered). It also
//! checks that the three ways of deciding agree (`decide`, the first
//! reason of `explain`, and `decide_prepared`), that every reason carries
//! the params its code declares, and snapshots the rendered explanation of
//! every case (`cases__<file>.snap`), with its reasons in Chinese
//! (`cases__<file>__zh-CN.snap`: the same codes, params and sources), so
//! the messages of both languages, the params and the source locations
//! are reviewed.
//!
//! A case file's `policies:` is relative to the case file; paths are kept
//! relative to the crate root (where cargo runs tests), so the `file:line`
//! in messages and snapshots does not depend on the machine.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use autoseal::{testcase, Lang, Policy};

const CASES_DIR: &str = "tests/cases";

/// One `#[test]` per case file (`tests/cases/<name>.yaml`).
macro_rules! case_files {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_file(stringify!($name));
            }
        )*

        /// The case files listed above.
        const LISTED: &[&str] = &[$(stringify!($name)),*];
    };
}

case_files!(
    bundled,
    conditions,
    forbid,
    labels,
    layout,
    names,
    precedence,
    steps,
    super_admin,
    time
);

/// A new case file must be listed in `case_files!` to be run.
#[test]
fn every_case_file_is_listed() {
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(CASES_DIR).expect("tests/cases is readable") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            if !LISTED.contains(&stem.as_str()) {
                missing.push(stem);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "case files not listed in `case_files!` in tests/cases.rs: {missing:?}"
    );
}

/// Every reason code of the spec is the first reason of some case, and
/// every basis is expected by some case.
#[test]
fn every_reason_code_and_basis_is_covered() {
    let mut reasons = std::collections::BTreeSet::new();
    let mut bases = Vec::new();
    for stem in LISTED {
        let path = PathBuf::from(CASES_DIR).join(format!("{stem}.yaml"));
        let text = std::fs::read_to_string(&path).expect("readable case file");
        let file = testcase::parse(&text).expect("a case file");
        for case in file.cases {
            reasons.extend(case.expect.reason);
            bases.extend(case.expect.basis);
        }
    }
    let missing: Vec<&str> = autoseal::ReasonCode::ALL
        .iter()
        .filter(|c| !reasons.contains(*c))
        .map(|c| c.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "reason codes no case expects: {missing:?}"
    );
    for basis in autoseal::Basis::ALL {
        assert!(bases.contains(&basis), "no case expects basis `{basis}`");
    }
}

fn load_policy(case_file: &Path, policies: Option<&str>) -> Policy {
    // As `autoseal test` does: relative to the case file, else `policies`.
    let dir = case_file.parent().unwrap_or(Path::new("."));
    let path = match policies {
        Some(p) => normalize(&dir.join(p)),
        None => PathBuf::from("policies"),
    };
    Policy::from_paths(std::slice::from_ref(&path)).unwrap_or_else(|e| {
        panic!(
            "{}: policies `{}` do not load:\n{}",
            case_file.display(),
            path.display(),
            e.render()
        )
    })
}

/// `tests/cases/../../policies` → `policies`, so snapshots show short,
/// stable paths.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

fn run_file(stem: &str) {
    let path = PathBuf::from(CASES_DIR).join(format!("{stem}.yaml"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file = testcase::parse(&text).unwrap_or_else(|e| {
        panic!(
            "{}: not a case file: {} (field `{}`)",
            path.display(),
            e.message,
            e.field
        )
    });
    assert!(!file.cases.is_empty(), "{}: no cases", path.display());
    assert!(
        file.invalid.is_empty(),
        "{}: {:?}",
        path.display(),
        file.invalid
    );
    let policy = load_policy(&path, file.policies.as_deref());

    let mut failures = Vec::new();
    let mut explained = Vec::new();
    let mut zh_explained = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for case in &file.cases {
        if !names.insert(case.name.clone()) {
            failures.push(format!("- `{}`: duplicate case name", case.name));
        }
        let result = testcase::run(&policy, case);
        let explanation = policy.explain(&case.request);
        let rendered = policy.render_explanation(&explanation).unwrap();

        let mut problems = result.failures.clone();
        // The fast answer, the explanation and the prepared path agree.
        let decision = policy.decide(&case.request);
        if decision != explanation.decision {
            problems.push(format!(
                "decide and explain disagree: {:?} vs {:?}",
                decision, explanation.decision
            ));
        }
        if let (Some(code), Some(first)) = (decision.code(), explanation.reasons.first()) {
            if code != first.code() {
                problems.push(format!(
                    "the first reason of explain is `{}`, decide says `{code}`",
                    first.code()
                ));
            }
        }
        problems.extend(params_problems(&rendered));
        let prepared = policy
            .decide_prepared(&policy.prepare(&case.request))
            .unwrap();
        if prepared != decision {
            problems.push(format!(
                "decide_prepared disagrees: {prepared:?} vs {decision:?}"
            ));
        }
        if !problems.is_empty() {
            let got = serde_json::to_string(&rendered).unwrap_or_default();
            failures.push(format!(
                "- `{}`:\n    {}\n    got: {got}",
                case.name,
                problems.join("\n    ")
            ));
        }
        explained.push(serde_json::json!({
            "name": case.name,
            "explanation": serde_json::to_value(&rendered).expect("a rendered explanation is JSON"),
        }));
        // In Chinese: the same codes, params and sources, other messages;
        // and no message of either language uses a param its reason
        // does not carry (Fluent reports it while formatting).
        let zh = policy
            .render_explanation_in(&explanation, Lang::ZhCn)
            .unwrap();
        let mut zh_problems = catalog_problems(&rendered, Lang::En);
        zh_problems.extend(catalog_problems(&zh, Lang::ZhCn));
        let same = |r: &autoseal::Rendered| {
            let reasons: Vec<_> = r
                .reasons
                .iter()
                .map(|x| (x.code, x.params.clone(), x.source.clone()))
                .collect();
            (r.decision, r.seal.clone(), r.basis, r.rule.clone(), reasons)
        };
        if same(&zh) != same(&rendered) {
            zh_problems.push(String::from("zh-CN renders other data than en"));
        }
        if !zh_problems.is_empty() {
            failures.push(format!(
                "- `{}`:\n    {}",
                case.name,
                zh_problems.join("\n    ")
            ));
        }
        zh_explained.push(serde_json::json!({
            "name": case.name,
            "reasons": zh.reasons.iter().map(|r| format!("{}: {}", r.code, r.message)).collect::<Vec<_>>(),
        }));
    }

    // Snapshot first, so the messages of a failing file are still recorded.
    let json = serde_json::to_string_pretty(&explained).expect("JSON");
    insta::with_settings!({
        description => format!("rendered explanations of every case in {}", path.display()),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(stem, json);
    });
    let json = serde_json::to_string_pretty(&zh_explained).expect("JSON");
    insta::with_settings!({
        description => format!("the reasons of every case in {}, in Chinese (zh-CN)", path.display()),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("{stem}__zh-CN"), json);
    });

    assert!(
        failures.is_empty(),
        "{}: {} of {} cases failed:\n{}",
        path.display(),
        failures.len(),
        file.cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------- messages
//
// The spec: a `manual` reason carries "a one-line message that a person can
// read (naming the rule, the dates, the seal) and the source location of
// the rule or event involved". The event involved in a `seal_disabled`,
// `template_disabled` or `service_not_enabled` at an instant is the
// `disable` in force at that instant, and the seal of a `forbidden`
// auto-seal is the seal in force at that instant (after any `reseal`).

/// `file:line:1` of the first line of `file` that starts with `needle`.
fn line_of(file: &str, needle: &str) -> String {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    let n = text
        .lines()
        .position(|l| l.starts_with(needle))
        .unwrap_or_else(|| panic!("no line starting with `{needle}` in {file}"));
    format!("{file}:{}:1", n + 1)
}

/// The first reason of the explanation of a request given as YAML.
fn first_reason(policy: &Policy, request: &str) -> autoseal::RenderedReason {
    let req = autoseal::Request::parse(request).unwrap_or_else(|e| panic!("bad request: {e}"));
    let rendered = policy.render_explanation(&policy.explain(&req)).unwrap();
    rendered
        .reasons
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("expected a manual decision for {request}"))
}

fn time_policy() -> Policy {
    Policy::from_paths(&[PathBuf::from("tests/cases/policies/time")])
        .unwrap_or_else(|e| panic!("{}", e.render()))
}

const TIME: &str = "tests/cases/policies/time/time.policy";

#[test]
fn seal_disabled_names_the_disable_in_force() {
    let p = time_policy();
    let mut problems = Vec::new();
    // Disabled 2026-05-01, enabled again 2026-05-10T12:00 (a later event).
    let r = first_reason(&p, "{at: '2026-05-05T10:00:00+08:00', template: home.seal_toggle, initiator: home.e, signer: p}");
    let want = line_of(TIME, "disable seal p.s2 at 2026-05-01");
    if r.source.as_deref() != Some(want.as_str()) {
        problems.push(format!(
            "source: want {want}, got {:?} ({})",
            r.source, r.message
        ));
    }
    // Disabled 2026-03-01, enabled 2026-03-10, disabled again 2026-09-01.
    let r = first_reason(&p, "{at: '2026-03-05T10:00:00+08:00', template: home.seal_twice, initiator: home.e, signer: p}");
    let want = line_of(TIME, "disable seal p.s4 at 2026-03-01");
    if r.source.as_deref() != Some(want.as_str()) {
        problems.push(format!("source: want {want}, got {:?}", r.source));
    }
    if !r.message.contains("2026-03-01") || r.message.contains("2026-09-01") {
        problems.push(format!(
            "message should name the disable in force (2026-03-01): {}",
            r.message
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn template_disabled_names_the_disable_in_force() {
    let p = time_policy();
    let mut problems = Vec::new();
    let r = first_reason(&p, "{at: '2026-05-05T10:00:00+08:00', template: home.tpl_toggle, initiator: home.e, signer: home}");
    let want = line_of(TIME, "disable template home.tpl_toggle at 2026-05-01");
    if r.source.as_deref() != Some(want.as_str()) {
        problems.push(format!(
            "source: want {want}, got {:?} ({})",
            r.source, r.message
        ));
    }
    let r = first_reason(&p, "{at: '2026-03-05T10:00:00+08:00', template: home.tpl_twice, initiator: home.e, signer: home}");
    let want = line_of(TIME, "disable template home.tpl_twice at 2026-03-01");
    if r.source.as_deref() != Some(want.as_str()) {
        problems.push(format!("source: want {want}, got {:?}", r.source));
    }
    if !r.message.contains("2026-03-01") || r.message.contains("2026-09-01") {
        problems.push(format!(
            "message should name the disable in force (2026-03-01): {}",
            r.message
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn service_not_enabled_names_the_disable_in_force() {
    let p = time_policy();
    // q disables its service at 2026-10-01 and enables it again 2026-11-01T12:00.
    let r = first_reason(
        &p,
        "{at: '2026-10-15T10:00:00+08:00', template: home.svc, initiator: home.e, signer: q}",
    );
    assert_eq!(r.code, autoseal::ReasonCode::ServiceNotEnabled);
    let want = line_of(TIME, "q disables auto-sign at 2026-10-01");
    assert_eq!(
        r.source.as_deref(),
        Some(want.as_str()),
        "message: {}",
        r.message
    );
}

#[test]
fn forbidden_names_the_seal_in_force() {
    let mut problems = Vec::new();
    // Bundled: g_globex_lease is resealed to globex.contract2 at 2026-07-01,
    // and f_globex_audit forbids every auto-seal for globex in July.
    let bundled = Policy::from_paths(&[PathBuf::from("policies")])
        .unwrap_or_else(|e| panic!("{}", e.render()));
    let r = first_reason(
        &bundled,
        "{at: '2026-07-15T10:00:00+08:00', template: acme_sh.lease, initiator: acme.li, on_behalf_of: acme_sh, signer: globex, signatory: 出租方}",
    );
    if !r.message.contains("`globex.contract2`") {
        problems.push(format!("should name globex.contract2: {}", r.message));
    }
    // Forbid set: g_p_resealed is resealed to p.official (forbidden by kind).
    let forbid = Policy::from_paths(&[PathBuf::from("tests/cases/policies/forbid")])
        .unwrap_or_else(|e| panic!("{}", e.render()));
    let r = first_reason(
        &forbid,
        "{at: '2026-07-01T00:00:00+08:00', template: home.resealed, initiator: home.e, signer: p}",
    );
    if !r.message.contains("`p.official`") {
        problems.push(format!("should name p.official: {}", r.message));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------- params

/// Every reason's params are those its code declares
/// (`autoseal::i18n::reason_params`): no undeclared key, every key the code
/// always carries.
fn params_problems(rendered: &autoseal::Rendered) -> Vec<String> {
    let mut problems = Vec::new();
    for r in &rendered.reasons {
        let spec = autoseal::i18n::reason_params(r.code);
        for (k, _) in r.params.iter() {
            if !spec.iter().any(|s| s.key == k) {
                problems.push(format!("`{}` carries undeclared param `{k}`", r.code));
            }
        }
        for s in spec.iter().filter(|s| s.always) {
            if r.params.get(s.key).is_none() {
                problems.push(format!("`{}` lacks param `{}`", r.code, s.key));
            }
        }
        if let Some(why) = r.params.get("why") {
            if !autoseal::i18n::reason_whys(r.code).contains(&why) {
                problems.push(format!("`{}` has undeclared why `{why}`", r.code));
            }
        }
    }
    problems
}

/// What Fluent reports while formatting each reason's message from its
/// real params (a param the message uses and the reason does not carry, a
/// message missing), and a message that is empty or still holds a
/// placeable.
fn catalog_problems(rendered: &autoseal::Rendered, lang: Lang) -> Vec<String> {
    let mut problems = Vec::new();
    for r in &rendered.reasons {
        let (text, errors) = autoseal::i18n::format(lang, r.code, &r.params);
        for e in errors {
            problems.push(format!("`{}` in {lang}: {e}", r.code));
        }
        if text.trim().is_empty() || text.contains('{') || text.contains('}') {
            problems.push(format!("`{}` in {lang}: `{text}`", r.code));
        }
    }
    problems
}

fn conditions_policy() -> Policy {
    Policy::from_paths(&[PathBuf::from("tests/cases/policies/conditions")])
        .unwrap_or_else(|e| panic!("{}", e.render()))
}

/// `condition_not_met` names the comparison that decided (for `and`, the
/// part that is false; for `or`, the first part, all being false; under
/// `not`, the comparison as it must hold) and the value the request gave;
/// `attribute_missing` the comparison it cannot evaluate, the attribute,
/// and the type asked and given.
#[test]
fn condition_reasons_name_the_deciding_comparison() {
    let p = conditions_policy();
    let request = |template: &str, attributes: &str| {
        format!("{{at: '2026-04-01T10:00:00+08:00', template: home.{template}, initiator: home.e, signer: p, signatory: 乙方, attributes: {attributes}}}")
    };
    /// Template, attributes, code, and params (`None`: not carried).
    type Case<'a> = (&'a str, &'a str, &'a str, &'a [(&'a str, Option<&'a str>)]);
    let cases: &[Case] = &[
        // `and`: the part that is false, not the first.
        (
            "both",
            "{amount: 50, currency: USD}",
            "condition_not_met",
            &[
                ("condition", Some("currency == \"CNY\"")),
                ("attribute", Some("currency")),
                ("value", Some("USD")),
            ],
        ),
        (
            "both",
            "{amount: 200, currency: CNY}",
            "condition_not_met",
            &[
                ("condition", Some("amount <= 100")),
                ("attribute", Some("amount")),
                ("value", Some("200")),
            ],
        ),
        // `false and unknown` is false: the false part decides.
        (
            "both",
            "{amount: 200.50}",
            "condition_not_met",
            &[
                ("condition", Some("amount <= 100")),
                ("value", Some("200.50")),
            ],
        ),
        // `true and unknown` is unknown: the part it cannot evaluate.
        (
            "both",
            "{amount: 50}",
            "attribute_missing",
            &[
                ("condition", Some("currency == \"CNY\"")),
                ("attribute", Some("currency")),
                ("expected", Some("string")),
                ("given", None),
            ],
        ),
        (
            "both",
            "{amount: '50', currency: CNY}",
            "attribute_missing",
            &[
                ("condition", Some("amount <= 100")),
                ("attribute", Some("amount")),
                ("expected", Some("number")),
                ("given", Some("string")),
            ],
        ),
        // `or`, every part false: the first part.
        (
            "either",
            "{amount: 200, currency: USD}",
            "condition_not_met",
            &[("condition", Some("amount <= 100")), ("value", Some("200"))],
        ),
        // `false or unknown` is unknown: the part it cannot evaluate.
        (
            "either",
            "{amount: 200}",
            "attribute_missing",
            &[
                ("condition", Some("currency == \"CNY\"")),
                ("attribute", Some("currency")),
            ],
        ),
        (
            "either",
            "{currency: USD}",
            "attribute_missing",
            &[
                ("condition", Some("amount <= 100")),
                ("attribute", Some("amount")),
            ],
        ),
        // Under `not`: the comparison as it must hold.
        (
            "negated",
            "{currency: USD}",
            "condition_not_met",
            &[
                ("condition", Some("not currency in [\"USD\", \"EUR\"]")),
                ("value", Some("USD")),
            ],
        ),
    ];
    let mut problems = Vec::new();
    for (template, attributes, code, want) in cases {
        let req = request(template, attributes);
        let r = first_reason(&p, &req);
        if r.code.as_str() != *code {
            problems.push(format!("{req}: code `{}`, want `{code}`", r.code));
            continue;
        }
        for (key, value) in *want {
            if r.params.get(key) != *value {
                problems.push(format!(
                    "{req}: param `{key}` is {:?}, want {value:?}",
                    r.params.get(key)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The backticked words of a table cell.
fn ticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// `docs/language.md`'s "Reason parameters" table lists, for every code,
/// exactly the params the code carries (always, or in some cases) and the
/// values of its `why`, as `autoseal::i18n` declares them: the params in
/// JSON are checked against the same declaration (`params_problems`). Its
/// table of keys explains every key.
#[test]
fn docs_list_the_params_of_every_code() {
    use autoseal::i18n::{reason_params, reason_whys};
    use autoseal::ReasonCode;
    let doc = std::fs::read_to_string("docs/language.md").expect("docs/language.md");
    let section = doc
        .split("### Reason parameters")
        .nth(1)
        .expect("a section `### Reason parameters`");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut documented = std::collections::BTreeMap::new();
    let mut keys_explained = std::collections::BTreeSet::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        match cells.as_slice() {
            ["", code, always, some, why, ""] => {
                documented.insert(
                    ticked(code).concat(),
                    (ticked(always), ticked(some), ticked(why)),
                );
            }
            ["", keys, _, ""] => keys_explained.extend(ticked(keys)),
            _ => panic!("docs/language.md: a row of no table of the section: {line}"),
        }
    }
    let mut want = String::from("| code | always | in some cases | `why` |\n|---|---|---|---|\n");
    let list = |v: Vec<&str>| {
        v.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut problems = Vec::new();
    for code in ReasonCode::ALL {
        let spec = reason_params(code);
        let always: Vec<&str> = spec.iter().filter(|s| s.always).map(|s| s.key).collect();
        let some: Vec<&str> = spec.iter().filter(|s| !s.always).map(|s| s.key).collect();
        let whys: Vec<&str> = reason_whys(code).to_vec();
        want.push_str(&format!(
            "| `{code}` | {} | {} | {} |\n",
            list(always.clone()),
            list(some.clone()),
            list(whys.clone())
        ));
        let got = documented.remove(code.as_str());
        let expected = (
            always.iter().map(|s| s.to_string()).collect(),
            some.iter().map(|s| s.to_string()).collect(),
            whys.iter().map(|s| s.to_string()).collect(),
        );
        if got.as_ref() != Some(&expected) {
            problems.push(format!(
                "`{code}`: documented {got:?}, carries {expected:?}"
            ));
        }
        for s in spec {
            if !keys_explained.contains(s.key) {
                problems.push(format!("key `{}` of `{code}` is not explained", s.key));
            }
        }
    }
    for code in documented.keys() {
        problems.push(format!("`{code}` is documented and is no code"));
    }
    assert!(
        problems.is_empty(),
        "{}\n\nthe table the code gives:\n{want}",
        problems.join("\n")
    );
}
