//! YAML test cases (`autoseal test`): requests with the decision expected.
//!
//! ```yaml
//! policies: ../policies          # optional, relative to this file
//! cases:
//!   - name: labor contract is sealed after the employee signs
//!     request: { at: 2026-04-01T10:00:00+08:00, template: acme.labor,
//!                initiator: acme.li, signer: acme }
//!     expect: { decision: auto_seal, seal: acme.contract }
//! ```
//!
//! `expect.reason` matches the first reason's code; `expect.reasons` (a
//! list) matches the set of codes that the explanation gives.

use std::collections::BTreeSet;

use yaml_rust2::Yaml;

use crate::compile::Policy;
use crate::decision::{Basis, ReasonCode, Rendered, Verdict};
use crate::request::Request;

/// A case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    /// `policies:` as written (relative to the case file).
    pub policies: Option<String>,
    /// The cases that could be read, in file order.
    pub cases: Vec<Case>,
    /// Cases that could not be read: each fails, and the others still run.
    pub invalid: Vec<InvalidCase>,
}

/// A case whose request or expectation is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCase {
    /// Its place among the file's cases, from 0.
    pub index: usize,
    /// Its name, else `case N` (N from 1, in file order).
    pub name: String,
    /// What is wrong with it.
    pub error: CaseFileError,
}

/// A case file, or a case in it, that cannot be read; names the field at
/// fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("invalid case file: {message}")]
#[diagnostic(code(autoseal::invalid_case_file))]
pub struct CaseFileError {
    /// The field at fault (`cases`, `expect.decision`, a request's field),
    /// `""` when no one field is.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// One case: a request and what its decision should be.
pub struct Case {
    /// Its name, shown in reports.
    pub name: String,
    /// The request to decide.
    pub request: Request,
    /// What the decision should be.
    pub expect: Expect,
}

/// What a case expects; every field given must match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expect {
    /// `auto_seal` or `manual`.
    pub decision: Option<Verdict>,
    /// The seal (`ORG.SEAL`) of the auto-seal.
    pub seal: Option<String>,
    /// The rule that gives the seal: its label, else `file:line`.
    pub rule: Option<String>,
    /// How the auto-seal is justified.
    pub basis: Option<Basis>,
    /// The code of the first reason of a manual decision.
    pub reason: Option<ReasonCode>,
    /// The set of codes of every reason the explanation gives.
    pub reasons: Option<BTreeSet<ReasonCode>>,
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Empty when the case passed.
    pub failures: Vec<String>,
    /// The decision, rendered.
    pub got: Rendered,
}

impl CaseResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

fn err(field: &str, msg: impl Into<String>) -> CaseFileError {
    CaseFileError {
        field: field.to_owned(),
        message: msg.into(),
    }
}

/// Reads a case file.
pub fn parse(text: &str) -> Result<CaseFile, CaseFileError> {
    let budget = crate::yaml::Budget {
        values: crate::limits::MAX_CASE_FILE_VALUES,
        bytes: crate::limits::MAX_CASE_FILE_TEXT,
    };
    let docs = crate::yaml::load(text, budget).map_err(|e| err("", format!("not YAML: {e}")))?;
    let Some(Yaml::Hash(top)) = docs.first() else {
        return Err(err("", "a case file is a mapping with `cases`"));
    };
    let mut policies = None;
    let mut cases = Vec::new();
    let mut invalid = Vec::new();
    for (k, v) in top {
        match k.as_str() {
            Some("policies") => policies = v.as_str().map(str::to_owned),
            Some("cases") => {
                let Yaml::Array(items) = v else {
                    return Err(err("cases", "`cases` is a list"));
                };
                for (i, item) in items.iter().enumerate() {
                    match case(i, item) {
                        Ok(c) => cases.push(c),
                        Err(error) => invalid.push(InvalidCase {
                            index: i,
                            name: case_name(i, item),
                            error,
                        }),
                    }
                }
            }
            Some(other) => return Err(err(other, format!("unknown field `{other}`"))),
            None => return Err(err("", "field names are strings")),
        }
    }
    Ok(CaseFile {
        policies,
        cases,
        invalid,
    })
}

/// The `i`th case's `name`, else `case N` (N from 1).
fn case_name(i: usize, item: &Yaml) -> String {
    item["name"]
        .as_str()
        .map_or_else(|| format!("case {}", i + 1), str::to_owned)
}

fn case(i: usize, item: &Yaml) -> Result<Case, CaseFileError> {
    let Yaml::Hash(map) = item else {
        return Err(err("cases", format!("case {} is not a mapping", i + 1)));
    };
    let name = case_name(i, item);
    let mut request = None;
    let mut expect = None;
    for (k, v) in map {
        match k.as_str() {
            Some("name") => {}
            Some("request") => {
                request = Some(
                    Request::from_yaml(v)
                        .map_err(|e| err(&e.field, format!("case `{name}`: {}", e.message)))?,
                )
            }
            Some("expect") => expect = Some(expectation(&name, v)?),
            Some(other) => {
                return Err(err(
                    other,
                    format!("case `{name}`: unknown field `{other}`"),
                ))
            }
            None => return Err(err("", "field names are strings")),
        }
    }
    Ok(Case {
        request: request
            .ok_or_else(|| err("request", format!("case `{name}`: missing `request`")))?,
        expect: expect.ok_or_else(|| err("expect", format!("case `{name}`: missing `expect`")))?,
        name,
    })
}

fn expectation(name: &str, v: &Yaml) -> Result<Expect, CaseFileError> {
    let Yaml::Hash(map) = v else {
        return Err(err(
            "expect",
            format!("case `{name}`: `expect` is a mapping"),
        ));
    };
    let code = |s: Option<&str>| -> Result<ReasonCode, CaseFileError> {
        let s = s.unwrap_or("");
        ReasonCode::parse(s).ok_or_else(|| {
            err(
                "expect",
                format!("case `{name}`: unknown reason code `{s}`"),
            )
        })
    };
    let mut e = Expect::default();
    for (k, v) in map {
        let text = v.as_str().map(str::to_owned);
        match k.as_str() {
            Some("decision") => {
                let Some(d) = v.as_str().and_then(Verdict::parse) else {
                    return Err(err(
                        "expect.decision",
                        format!("case `{name}`: decision is `auto_seal` or `manual`"),
                    ));
                };
                e.decision = Some(d);
            }
            Some("seal") => e.seal = text,
            Some("rule") => e.rule = text,
            Some("basis") => {
                let Some(b) = v.as_str().and_then(Basis::parse) else {
                    return Err(err(
                        "expect.basis",
                        format!(
                            "case `{name}`: basis is `own_template`, `partner_grant` or `group_proxy`"
                        ),
                    ));
                };
                e.basis = Some(b);
            }
            Some("reason") => e.reason = Some(code(v.as_str())?),
            Some("reasons") => {
                let Yaml::Array(items) = v else {
                    return Err(err(
                        "expect.reasons",
                        format!("case `{name}`: `reasons` is a list"),
                    ));
                };
                e.reasons = Some(
                    items
                        .iter()
                        .map(|i| code(i.as_str()))
                        .collect::<Result<_, _>>()?,
                );
            }
            Some(other) => {
                return Err(err(
                    other,
                    format!("case `{name}`: unknown expectation `{other}`"),
                ))
            }
            None => return Err(err("", "field names are strings")),
        }
    }
    Ok(e)
}

/// Runs one case: the fast decision must match `decision`, `seal`, `rule`,
/// `basis` and `reason`; the explanation's codes must equal `reasons`.
/// What it got is rendered in English (see [`run_in`]).
pub fn run(policy: &Policy, case: &Case) -> CaseResult {
    run_in(policy, case, crate::i18n::Lang::En)
}

/// [`run`], with what the case got rendered in `lang`.
pub fn run_in(policy: &Policy, case: &Case, lang: crate::i18n::Lang) -> CaseResult {
    let decision = policy.decide(&case.request);
    let got = policy.render_outcome_in(decision.outcome(), lang);
    let mut failures = Vec::new();
    let x = &case.expect;
    let mut check = |what: &str, want: &Option<String>, have: Option<String>| {
        if let Some(w) = want {
            if have.as_deref() != Some(w.as_str()) {
                failures.push(format!(
                    "expected {what} `{w}`, got `{}`",
                    have.unwrap_or_else(|| String::from("none"))
                ));
            }
        }
    };
    check(
        "decision",
        &x.decision.map(|d| d.as_str().to_owned()),
        Some(got.decision.as_str().to_owned()),
    );
    check("seal", &x.seal, got.seal.clone());
    check("rule", &x.rule, got.rule.clone());
    check(
        "basis",
        &x.basis.map(|b| b.as_str().to_owned()),
        got.basis.map(|b| b.as_str().to_owned()),
    );
    check(
        "reason",
        &x.reason.map(|c| c.as_str().to_owned()),
        decision.code().map(|c| c.as_str().to_owned()),
    );
    if let Some(want) = &x.reasons {
        let have: BTreeSet<ReasonCode> = policy
            .explain(&case.request)
            .reasons
            .iter()
            .map(|r| r.code())
            .collect();
        if &have != want {
            let list = |s: &BTreeSet<ReasonCode>| {
                s.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")
            };
            failures.push(format!(
                "expected reasons [{}], got [{}]",
                list(want),
                list(&have)
            ));
        }
    }
    CaseResult {
        name: case.name.clone(),
        failures,
        got,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let text = "policies: p\ncases:\n  - name: one\n    request: { at: \"2026-04-01T10:00:00+08:00\", template: a.t, initiator: a.e, signer: a }\n    expect: { decision: manual }\n";
        let plain = parse(text).unwrap();
        let marked = parse(&format!("\u{feff}{text}")).unwrap();
        assert_eq!(marked.policies.as_deref(), Some("p"));
        assert_eq!(marked.cases.len(), plain.cases.len());
        assert!(marked.invalid.is_empty());
    }

    /// A basis that no decision has (`own`) makes the case invalid when
    /// the file is read, as a decision other than `auto_seal` or `manual`
    /// does, instead of failing later as an unmet expectation.
    #[test]
    fn an_unknown_basis_or_decision_is_an_invalid_case() {
        let case = |expect: &str| {
            format!("cases:\n  - name: one\n    request: {{ at: \"2026-04-01T10:00:00+08:00\", template: a.t, initiator: a.e, signer: a }}\n    expect: {expect}\n")
        };
        let file = parse(&case("{ decision: auto_seal, basis: own }")).unwrap();
        assert!(file.cases.is_empty());
        let [bad] = file.invalid.as_slice() else {
            panic!("one invalid case: {:?}", file.invalid);
        };
        assert_eq!(bad.error.field, "expect.basis");
        assert_eq!(
            bad.error.to_string(),
            "invalid case file: case `one`: basis is `own_template`, `partner_grant` or `group_proxy`"
        );
        let file = parse(&case("{ decision: sealed }")).unwrap();
        assert_eq!(file.invalid.len(), 1);
        assert_eq!(file.invalid[0].error.field, "expect.decision");
        let file = parse(&case("{ decision: auto_seal, basis: group_proxy }")).unwrap();
        assert_eq!(file.cases[0].expect.decision, Some(Verdict::AutoSeal));
        assert_eq!(file.cases[0].expect.basis, Some(Basis::GroupProxy));
    }
}
