//! Golden tests of the `autoseal` binary against its contract (README, "Command line"): exit
//! statuses, JSON fields, text output (insta snapshots), batches, stdin,
//! and no ANSI escapes when output is piped or `NO_COLOR` is set.
//!
//! Every command runs from the repository root (the workspace root, where
//! `policies/` is) with relative paths, so the paths in outputs and
//! snapshots do not depend on the machine. Fixtures live in the root's
//! `tests/cli_fixtures/` (not in `tests/cases/`, whose files must all pass).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

#[path = "../../autoseal-serve/tests/service/messages.rs"]
mod messages;
use messages::{chinese, messages, without_messages};

const BIN: &str = env!("CARGO_BIN_EXE_autoseal");

/// The repository root: this crate is `crates/autoseal-cli`.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// What a run of the binary produced.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", self.stdout))
    }

    /// One JSON value per line.
    /// A batch's output with some bad lines among `n` input lines: exit
    /// status 1 and one JSON line per input line.
    #[track_caller]
    fn batch_with_bad_lines(&self, n: usize) -> Vec<Value> {
        assert_code(self, 1);
        let lines = self.json_lines();
        assert_eq!(
            lines.len(),
            n,
            "one output line per input line:\n{}",
            self.stdout
        );
        lines
    }

    fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))
            })
            .collect()
    }
}

fn run_with(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(ROOT)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the autoseal binary runs");
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(text).expect("write stdin");
    }
    let out = child.wait_with_output().expect("autoseal finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn run(args: &[&str]) -> Run {
    run_with(args, None, &[])
}

fn run_stdin(args: &[&str], stdin: &str) -> Run {
    run_with(args, Some(stdin.as_bytes()), &[])
}

#[track_caller]
fn assert_code(r: &Run, code: i32) {
    assert_eq!(
        r.code, code,
        "exit status\n--- stdout ---\n{}\n--- stderr ---\n{}",
        r.stdout, r.stderr
    );
}

/// `file:line:1` of the first line of `file` that starts with `needle`.
fn line_of(file: &str, needle: &str) -> String {
    let text = std::fs::read_to_string(format!("{ROOT}/{file}"))
        .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    let n = text
        .lines()
        .position(|l| l.starts_with(needle))
        .unwrap_or_else(|| panic!("no line starting with `{needle}` in {file}"));
    format!("{file}:{}:1", n + 1)
}

fn codes(reasons: &Value) -> Vec<String> {
    reasons
        .as_array()
        .expect("reasons is a list")
        .iter()
        .map(|r| r["code"].as_str().expect("code is a string").to_owned())
        .collect()
}

const AT: &str = "2026-04-01T10:00:00+08:00";

// ---------------------------------------------------------------- check

#[test]
fn check_bundled_policies_is_clean() {
    let r = run(&["check", "policies"]);
    assert_code(&r, 0);
    assert_eq!(r.stdout, "no problems\n");
    // `policies` is the default.
    let r = run(&["check"]);
    assert_code(&r, 0);
    assert_eq!(r.stdout, "no problems\n");
    // The same files named twice are read once.
    let r = run(&["check", "./policies", "policies", "policies/acme.policy"]);
    assert_code(&r, 0);
    assert_eq!(r.stdout, "no problems\n");
}

#[test]
fn check_reports_every_problem_with_file_line_col() {
    let r = run(&["check", "tests/cli_fixtures/bad"]);
    assert_code(&r, 1);
    for loc in [
        "tests/cli_fixtures/bad/bad.policy:17:41",
        "tests/cli_fixtures/bad/bad.policy:18:50",
        "tests/cli_fixtures/bad/bad.policy:19:68",
        "tests/cli_fixtures/bad/no_timezone.policy:2:20",
        "tests/cli_fixtures/bad/bad.policy:19:1",
        "tests/cli_fixtures/bad/bad.policy:20:1",
    ] {
        assert!(r.stdout.contains(loc), "missing {loc} in:\n{}", r.stdout);
    }
    assert!(r.stdout.ends_with("4 errors, 2 warnings\n"), "{}", r.stdout);
    insta::assert_snapshot!("check_bad_text", r.stdout);
}

#[test]
fn check_format_json() {
    let r = run(&["check", "--format", "json", "tests/cli_fixtures/bad"]);
    assert_code(&r, 1);
    let v = r.json();
    assert_eq!(v["errors"], 4);
    assert_eq!(v["warnings"], 2);
    let diags = v["diagnostics"].as_array().expect("diagnostics is a list");
    assert_eq!(diags.len(), 6);
    for d in diags {
        for field in ["severity", "code", "message", "file", "line", "column"] {
            assert!(!d[field].is_null(), "diagnostic without `{field}`: {d}");
        }
    }
    insta::assert_snapshot!("check_bad_json", r.stdout);

    let r = run(&["check", "--format", "json", "policies"]);
    assert_code(&r, 0);
    let v = r.json();
    assert_eq!(v["errors"], 0);
    assert_eq!(v["warnings"], 0);
    assert_eq!(v["diagnostics"], serde_json::json!([]));
}

#[test]
fn check_deny_warnings() {
    // One warning (a grant from an org whose service is never on), no error.
    let r = run(&["check", "tests/cases/policies/steps"]);
    assert_code(&r, 0);
    assert!(r.stdout.ends_with("0 errors, 1 warning\n"), "{}", r.stdout);
    let r = run(&["check", "--deny-warnings", "tests/cases/policies/steps"]);
    assert_code(&r, 1);
}

#[test]
fn check_cannot_run() {
    let r = run(&["check", "tests/cli_fixtures/no_such_dir"]);
    assert_code(&r, 2);
    assert!(
        r.stderr.contains("tests/cli_fixtures/no_such_dir"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "");
    let r = run(&["check", "--no-such-flag"]);
    assert_code(&r, 2);
}

// ---------------------------------------------------------------- decide

#[test]
fn decide_json_request_file_format_json() {
    let r = run(&[
        "decide",
        "--request",
        "tests/cli_fixtures/requests/nda_revoked.json",
        "--format",
        "json",
    ]);
    assert_code(&r, 0);
    let v = r.json();
    // The fields of cli.md, with their names and meaning.
    assert_eq!(v["decision"], "manual");
    assert_eq!(v["seal"], Value::Null);
    assert_eq!(v["basis"], Value::Null);
    assert_eq!(v["rule"], Value::Null);
    let reasons = v["reasons"].as_array().expect("reasons is a list");
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0]["code"], "grant_revoked");
    assert_eq!(
        reasons[0]["message"],
        "grant `g_globex` was revoked at 2026-06-01T12:00:00+08:00 by globex.zhao"
    );
    let revoke = line_of("policies/partners.policy", "revoke g_globex at");
    assert_eq!(reasons[0]["source"], revoke.as_str());
}

#[test]
fn decide_yaml_request_file() {
    let file = "tests/cli_fixtures/requests/nda_globex.yaml";
    let r = run(&["decide", "--request", file]);
    assert_code(&r, 0);
    assert_eq!(
        r.stdout,
        "auto_seal with globex.contract (partner_grant, rule g_globex)\n"
    );
    let r = run(&["decide", "--request", file, "--format", "json"]);
    assert_code(&r, 0);
    assert_eq!(
        r.json(),
        serde_json::json!({"decision": "auto_seal", "seal": "globex.contract", "basis": "partner_grant",
                           "rule": "g_globex", "reasons": []})
    );
}

#[test]
fn decide_from_stdin() {
    let yaml = std::fs::read_to_string(format!(
        "{ROOT}/tests/cli_fixtures/requests/nda_globex.yaml"
    ))
    .expect("fixture");
    let r = run_stdin(&["decide", "--request", "-", "--format", "json"], &yaml);
    assert_code(&r, 0);
    assert_eq!(r.json()["seal"], "globex.contract");

    let json = std::fs::read_to_string(format!(
        "{ROOT}/tests/cli_fixtures/requests/nda_revoked.json"
    ))
    .expect("fixture");
    let r = run_stdin(&["decide", "--request", "-"], &json);
    assert_code(&r, 0);
    insta::assert_snapshot!("decide_revoked_text", r.stdout);
}

#[test]
fn decide_explain_lists_every_failing_check() {
    let file = "tests/cli_fixtures/requests/several_failures.yaml";
    let r = run(&["decide", "--request", file, "--format", "json"]);
    assert_code(&r, 0);
    assert_eq!(codes(&r.json()["reasons"]), ["service_not_enabled"]);

    let r = run(&["decide", "--request", file, "--explain", "--format", "json"]);
    assert_code(&r, 0);
    let v = r.json();
    assert_eq!(v["decision"], "manual");
    assert_eq!(
        codes(&v["reasons"]),
        [
            "service_not_enabled",
            "initiator_not_authorized",
            "template_not_auto_sign"
        ]
    );

    let r = run(&["decide", "--request", file, "--explain"]);
    assert_code(&r, 0);
    insta::assert_snapshot!("decide_explain_text", r.stdout);
}

#[test]
fn decide_invalid_request_names_the_field() {
    let r = run(&[
        "decide",
        "--request",
        "tests/cli_fixtures/requests/unknown_field.yaml",
    ]);
    assert_code(&r, 1);
    assert!(r.stderr.contains("`colour`"), "{}", r.stderr);
    assert_eq!(r.stdout, "");

    // cli.md: with `--format json`, the error is JSON on stdout, and
    // nothing else is printed (issue 14, item 6).
    let r = run_stdin(
        &["decide", "--request", "-", "--format", "json"],
        r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme.nda","initiator":"acme.li","signer":"globex","colour":"red"}"#,
    );
    assert_code(&r, 1);
    let v = r.json();
    assert!(
        v["error"].as_str().is_some_and(|e| e.contains("`colour`")),
        "{v}"
    );
    assert_eq!(v["field"], "colour");
    assert_eq!(v.as_object().map(|o| o.len()), Some(2), "{v}");
    assert_eq!(r.stderr, "");
    let r = run(&[
        "decide",
        "--request",
        "tests/cli_fixtures/requests/unknown_field.yaml",
        "--format",
        "json",
    ]);
    assert_code(&r, 1);
    assert_eq!(r.json()["field"], "colour");
    assert_eq!(r.stderr, "");
    let r = run_stdin(
        &["decide", "--request", "-", "--format", "json"],
        "at: 2026-04-01T10:00:00+08:00\ntemplate: acme.nda\n",
    );
    assert_code(&r, 1);
    assert!(r.json()["error"].is_string(), "{}", r.stdout);

    // A missing field is an invalid request too.
    let r = run_stdin(
        &["decide", "--request", "-"],
        "at: 2026-04-01T10:00:00+08:00\ntemplate: acme.nda\n",
    );
    assert_code(&r, 1);
    assert!(r.stderr.contains("initiator"), "{}", r.stderr);
}

#[test]
fn decide_cannot_run() {
    let r = run(&[
        "decide",
        "--request",
        "tests/cli_fixtures/requests/no_such_file.json",
    ]);
    assert_code(&r, 2);
    let r = run(&[
        "decide",
        "--policies",
        "tests/cli_fixtures/bad",
        "--request",
        "tests/cli_fixtures/requests/nda_globex.yaml",
    ]);
    assert_code(&r, 2);
    // Neither --request nor --requests.
    let r = run(&["decide"]);
    assert_code(&r, 2);
}

#[test]
fn decide_batch_goes_on_after_a_bad_line() {
    let r = run(&[
        "decide",
        "--requests",
        "tests/cli_fixtures/requests/batch.jsonl",
    ]);
    let lines = r.batch_with_bad_lines(5);
    assert_eq!(lines[0]["decision"], "auto_seal");
    assert_eq!(lines[0]["rule"], "labor_auto");
    assert!(
        lines[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("`colour`")),
        "{}",
        lines[1]
    );
    assert_eq!(lines[1]["field"], "colour");
    assert!(lines[2]["error"].is_string(), "{}", lines[2]);
    assert_eq!(lines[3]["decision"], "manual");
    assert_eq!(codes(&lines[3]["reasons"]), ["grant_revoked"]);
    assert_eq!(lines[4]["decision"], "manual");
    assert_eq!(codes(&lines[4]["reasons"]), ["condition_not_met"]);
    insta::assert_snapshot!("decide_batch", r.stdout);

    // The same from stdin.
    let text = std::fs::read_to_string(format!("{ROOT}/tests/cli_fixtures/requests/batch.jsonl"))
        .expect("fixture");
    let s = run_stdin(&["decide", "--requests", "-"], &text);
    assert_code(&s, 1);
    assert_eq!(s.stdout, r.stdout);
}

/// A batch saved with a UTF-8 byte order mark: its first line is still a
/// request (the mark is not part of it).
#[test]
fn decide_batch_after_a_byte_order_mark() {
    let text = std::fs::read_to_string(format!("{ROOT}/tests/cli_fixtures/requests/batch.jsonl"))
        .expect("fixture");
    let plain = run_stdin(&["decide", "--requests", "-"], &text);
    let marked = run_stdin(&["decide", "--requests", "-"], &format!("\u{feff}{text}"));
    assert_eq!(marked.code, plain.code);
    assert_eq!(marked.stdout, plain.stdout);
}

/// Lines that are not requests at all: not UTF-8, blank, YAML rather than
/// JSON (here, aliases that would expand to a billion values), past the
/// size limit. Each gets its error line, in place, and the batch goes on.
#[test]
fn decide_batch_answers_every_line_in_place() {
    let good = r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme.labor","initiator":"acme.li","signer":"acme"}"#;
    let mut bomb = String::from("{a0: &a0 [x, x, x, x, x, x, x, x, x, x]");
    for i in 1..9 {
        bomb += &format!(
            ", a{i}: &a{i} [{}]",
            vec![format!("*a{}", i - 1); 10].join(", ")
        );
    }
    bomb += "}";
    let long = format!(r#"{{"at": "{}"}}"#, "x".repeat(2 << 20));
    // Exactly at the limit (padded with spaces) and one byte over, each
    // ended by `\r\n` like the rest.
    let pad = |n: usize| format!("{good}{}", " ".repeat(n - good.len()));
    let (at_limit, over) = (pad(1 << 20), pad((1 << 20) + 1));
    let mut input: Vec<u8> = Vec::new();
    for line in [
        good.as_bytes(),
        b"\xff\xfe{}",
        b"",
        bomb.as_bytes(),
        long.as_bytes(),
        at_limit.as_bytes(),
        over.as_bytes(),
    ] {
        input.extend_from_slice(line);
        input.extend_from_slice(b"\r\n");
    }
    let r = run_with(&["decide", "--requests", "-"], Some(&input), &[]);
    let lines = r.batch_with_bad_lines(7);
    for (i, want) in [
        (1, "not UTF-8"),
        (2, "empty line"),
        (3, "not JSON: key must be a string at line 1 column 2"),
        (4, "larger than 1048576 bytes"),
        (6, "larger than 1048576 bytes"),
    ] {
        let e = lines[i]["error"].as_str().unwrap_or_default();
        assert!(e.contains(want), "line {}: {}", i + 1, lines[i]);
        assert_eq!(lines[i]["line"], i + 1);
    }
    assert_eq!(lines[0]["rule"], "labor_auto");
    assert_eq!(lines[5]["rule"], "labor_auto");
}

/// YAML aliases in a single request count as what they expand to: a
/// few hundred bytes that would expand to a billion values are refused.
#[test]
fn decide_request_alias_bomb_is_refused() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        bomb += &format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        );
    }
    let r = run_stdin(&["decide", "--request", "-"], &bomb);
    assert_code(&r, 1);
    assert!(
        r.stderr
            .contains("more than 100000 values or 1048576 bytes of text once aliases are expanded"),
        "{}",
        r.stderr
    );
}

/// A request file that is not UTF-8 is an invalid request (1), not a
/// failure to run (2).
#[test]
fn decide_request_not_utf8_is_invalid() {
    let r = run_with(&["decide", "--request", "-"], Some(b"at: \xff"), &[]);
    assert_code(&r, 1);
    assert!(r.stderr.contains("not UTF-8"), "{}", r.stderr);
}

#[test]
fn decide_batch_all_valid() {
    let input = [
        r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme.labor","initiator":"acme.li","signer":"acme"}"#,
        r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme.nda","initiator":"acme.li","signer":"acme_bj"}"#,
        r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme_sh.lease","initiator":"acme.li","on_behalf_of":"acme_sh","signer":"acme_sh"}"#,
    ]
    .join("\n");
    let r = run_stdin(&["decide", "--requests", "-", "--explain"], &input);
    assert_code(&r, 0);
    let lines = r.json_lines();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["basis"], "own_template");
    assert_eq!(
        codes(&lines[1]["reasons"]),
        ["service_not_enabled", "no_partner_grant"]
    );
    assert_eq!(lines[2]["basis"], "group_proxy");
}

// ---------------------------------------------------------------- test

#[test]
fn test_passing_case_files() {
    let r = run(&[
        "test",
        "tests/cases/labels.yaml",
        "tests/cases/conditions.yaml",
    ]);
    assert_code(&r, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let summary = lines.last().expect("a summary line");
    let n = lines.len() - 1;
    assert_eq!(*summary, format!("{n} passed, 0 failed"));
    assert!(
        lines[..n].iter().all(|l| l.starts_with("ok ")),
        "{}",
        r.stdout
    );
}

#[test]
fn test_failing_case_file() {
    let r = run(&["test", "tests/cli_fixtures/failing.yaml"]);
    assert_code(&r, 1);
    assert!(r.stdout.ends_with("1 passed, 1 failed\n"), "{}", r.stdout);
    insta::assert_snapshot!("test_failing_text", r.stdout);

    let r = run(&[
        "test",
        "--format",
        "json",
        "tests/cli_fixtures/failing.yaml",
    ]);
    assert_code(&r, 1);
    let v = r.json();
    assert_eq!(v["passed"], 1);
    assert_eq!(v["failed"], 1);
    let cases = v["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0]["passed"], true);
    assert_eq!(cases[1]["passed"], false);
    assert_eq!(cases[1]["name"], "deliberately wrong expectation");
    assert_eq!(cases[1]["got"]["decision"], "manual");
}

/// A malformed case fails with its error; the file's other cases run.
#[test]
fn test_invalid_case_fails_and_the_others_run() {
    let r = run(&["test", "tests/cli_fixtures/invalid_case.yaml"]);
    assert_code(&r, 1);
    assert!(r.stdout.ends_with("2 passed, 2 failed\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("FAIL tests/cli_fixtures/invalid_case.yaml: a request with a misspelt field\n       invalid case: "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("unknown field `singer`"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("FAIL tests/cli_fixtures/invalid_case.yaml: case 3\n"),
        "{}",
        r.stdout
    );
    let r = run(&[
        "test",
        "--format",
        "json",
        "tests/cli_fixtures/invalid_case.yaml",
    ]);
    assert_code(&r, 1);
    let v = r.json();
    assert_eq!(
        (v["passed"].as_u64(), v["failed"].as_u64()),
        (Some(2), Some(2))
    );
    // In file order.
    let passed: Vec<bool> = v["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["passed"] == true)
        .collect();
    assert_eq!(passed, [true, false, false, true]);
}

#[test]
fn test_cannot_run() {
    let r = run(&["test", "tests/cli_fixtures/no_such_cases.yaml"]);
    assert_code(&r, 2);
    let r = run(&["test"]);
    assert_code(&r, 2);
}

// ---------------------------------------------------------------- queries

#[test]
fn templates_of_an_initiator() {
    let r = run(&["templates", "--initiator", "acme.li", "--at", AT]);
    assert_code(&r, 0);
    insta::assert_snapshot!("templates_li", r.stdout);

    let r = run(&[
        "templates",
        "--initiator",
        "acme.li",
        "--on-behalf-of",
        "acme_sh",
        "--at",
        AT,
    ]);
    assert_code(&r, 0);
    insta::assert_snapshot!("templates_li_for_sh", r.stdout);

    // After the seal was taken out of use and with wang, who may use less.
    let r = run(&[
        "templates",
        "--initiator",
        "acme.wang",
        "--at",
        "2026-08-11T10:00:00+08:00",
        "--format",
        "json",
    ]);
    assert_code(&r, 0);
    let v = r.json();
    let list = v.as_array().expect("a list");
    for t in list {
        for field in [
            "template",
            "name",
            "usable",
            "conditional",
            "seal",
            "rule",
            "reasons",
        ] {
            assert!(
                t.get(field).is_some(),
                "template status without `{field}`: {t}"
            );
        }
    }
    insta::assert_snapshot!("templates_wang_json", r.stdout);

    let r = run(&["templates", "--initiator", "acme.nobody", "--at", AT]);
    assert_code(&r, 2);
}

#[test]
fn who_seals_a_template() {
    let r = run(&["who", "--template", "acme.nda", "--at", AT]);
    assert_code(&r, 0);
    insta::assert_snapshot!("who_nda", r.stdout);

    let r = run(&[
        "who",
        "--template",
        "acme.nda",
        "--at",
        "2026-06-01T12:00:00+08:00",
        "--all",
    ]);
    assert_code(&r, 0);
    insta::assert_snapshot!("who_nda_all_after_revocation", r.stdout);

    let r = run(&[
        "who",
        "--template",
        "acme.nda",
        "--at",
        AT,
        "--format",
        "json",
    ]);
    assert_code(&r, 0);
    let v = r.json();
    let signers: Vec<&str> = v
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["signer"].as_str().unwrap_or(""))
        .collect();
    // Initech's grant has a condition: listed, as sealing when it holds.
    assert_eq!(signers, ["acme", "globex", "initech"]);
    let conditional: Vec<bool> = v
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s["conditional"] == true)
        .collect();
    assert_eq!(conditional, [false, false, true]);

    let r = run(&["who", "--template", "acme.nosuch", "--at", AT]);
    assert_code(&r, 2);
}

#[test]
fn audit_expiring_within() {
    let r = run(&[
        "audit",
        "--at",
        "2026-06-15T10:00:00+08:00",
        "--expiring-within",
        "30d",
    ]);
    assert_code(&r, 0);
    insta::assert_snapshot!("audit_expiring_30d", r.stdout);
    let first = r.stdout.lines().next().unwrap_or("");
    assert!(
        first.starts_with("EXPIRING ") && first.contains("wang_labor"),
        "{}",
        r.stdout
    );

    let r = run(&[
        "audit",
        "--at",
        "2026-06-15T10:00:00+08:00",
        "--expiring-within",
        "30d",
        "--format",
        "json",
    ]);
    assert_code(&r, 0);
    let v = r.json();
    let expiring: Vec<&str> = v
        .as_array()
        .expect("a list")
        .iter()
        .filter(|e| e["expiring"] == true)
        .map(|e| e["rule"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(expiring, ["wang_labor"]);

    let r = run(&["audit", "--expiring-within", "soon"]);
    assert_code(&r, 2);
}

#[test]
fn diff_two_policy_sets() {
    let r = run(&["diff", "policies", "policies", "--at", AT]);
    assert_code(&r, 0);
    assert_eq!(r.stdout, format!("compared at {AT}\nno difference\n"));
    let r = run(&["diff", "policies", "policies"]);
    assert_code(&r, 0);
    assert!(
        r.stdout.starts_with(
            "compared over the whole timeline: before, between and after the 21 instants at which either set changes (2026-01-05T00:00:00+08:00 to 2027-03-01T00:00:00+08:00)\n"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("\nno difference\n"), "{}", r.stdout);

    let args = [
        "diff",
        "tests/cli_fixtures/diff_old",
        "tests/cli_fixtures/diff_new",
        "--at",
        "2026-06-01T10:00:00+08:00",
    ];
    let r = run(&args);
    assert_code(&r, 1);
    insta::assert_snapshot!("diff_text", r.stdout);

    let r = run(&[&args[..], &["--format", "json"]].concat());
    assert_code(&r, 1);
    let v = r.json();
    assert_eq!(v["at"], "2026-06-01T10:00:00+08:00");
    assert_eq!(
        v["instants"],
        serde_json::json!(["2026-06-01T10:00:00+08:00"])
    );
    let changes: Vec<(&str, &str)> = v["changes"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap_or(""),
                c["kind"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("added", "own_template"),
            ("lost", "employee"),
            ("gained", "own_template"),
            ("seal_changed", "partner_grant"),
        ]
    );
    for c in v["changes"].as_array().expect("a list") {
        assert_eq!(c["at"], "2026-06-01T10:00:00+08:00", "{c}");
        assert!(c.get("from").is_none(), "{c}");
    }

    // Before the revoke and the reseal, only the new template differs.
    let r = run(&[
        "diff",
        "tests/cli_fixtures/diff_old",
        "tests/cli_fixtures/diff_new",
        "--at",
        AT,
    ]);
    assert_code(&r, 1);
    assert_eq!(r.stdout.lines().count(), 3, "{}", r.stdout);

    // Over the whole timeline: each with where it holds.
    let r = run(&[
        "diff",
        "tests/cli_fixtures/diff_old",
        "tests/cli_fixtures/diff_new",
    ]);
    assert_code(&r, 1);
    insta::assert_snapshot!("diff_timeline_text", r.stdout);
    let r = run(&[
        "diff",
        "tests/cli_fixtures/diff_old",
        "tests/cli_fixtures/diff_new",
        "--format",
        "json",
    ]);
    assert_code(&r, 1);
    let v = r.json();
    assert_eq!(v["at"], Value::Null);
    assert_eq!(
        v["instants"],
        serde_json::json!(["2026-01-01T00:00:00+08:00", "2026-05-01T00:00:00+08:00"])
    );
    for c in v["changes"].as_array().expect("a list") {
        assert!(c.get("from").is_some() && c.get("until").is_some(), "{c}");
        assert!(c.get("at").is_none(), "{c}");
    }

    let r = run(&[
        "diff",
        "policies",
        "tests/cli_fixtures/no_such_dir",
        "--at",
        AT,
    ]);
    assert_code(&r, 2);
}

/// A copy of `policies/` in a scratch directory, with `from` replaced by
/// `to` in `file` (appended when `from` is empty).
fn policies_edited(name: &str, file: &str, from: &str, to: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    for entry in std::fs::read_dir(format!("{ROOT}/policies")).expect("policies/") {
        let path = entry.expect("an entry").path();
        let mut text = std::fs::read_to_string(&path).expect("readable");
        let base = path.file_name().expect("a name");
        if base == file {
            if from.is_empty() {
                text.push_str(to);
            } else {
                assert!(text.contains(from), "no `{from}` in {file}");
                text = text.replacen(from, to, 1);
            }
        }
        std::fs::write(dir.join(base), text).expect("write");
    }
    dir.display().to_string()
}

/// Issue 14, item 2: `diff` sees every change that can matter. Removing
/// an amount limit from an employee authorization or a partner grant, or
/// raising a forbid's limit, said "no difference" (exit 0); each is
/// `condition_changed` with both conditions, over the whole timeline and
/// at an instant (`--at`, here a date).
#[test]
fn diff_sees_every_change_that_can_matter() {
    let cases = [
        (
            policies_edited(
                "diff_wang_purchase",
                "acme.policy",
                "    when amount <= 100000\n",
                "",
            ),
            "condition_changed employee      rule wang_purchase, employee acme.wang, template acme.purchase; when amount <= 100000 -> no condition",
        ),
        (
            policies_edited(
                "diff_g_initech",
                "partners.policy",
                "    when amount <= 500000 and currency == \"CNY\"\n",
                "",
            ),
            "condition_changed partner_grant rule g_initech, signer initech, template acme.nda, as \"乙方\": initech.contract; when amount <= 500000 and currency == \"CNY\" -> no condition",
        ),
        (
            policies_edited(
                "diff_f_big_purchase",
                "forbids.policy",
                "amount > 1_000_000",
                "amount > 9_000_000",
            ),
            "condition_changed forbid        rule f_big_purchase, template acme.purchase; when amount > 1000000 or not currency in [\"CNY\", \"HKD\"] -> when amount > 9000000 or not currency in [\"CNY\", \"HKD\"]",
        ),
    ];
    for (dir, line) in &cases {
        let r = run(&["diff", "policies", dir]);
        assert_code(&r, 1);
        let lines: Vec<&str> = r.stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{}", r.stdout);
        assert!(
            lines[0].starts_with("compared over the whole timeline: "),
            "{}",
            r.stdout
        );
        assert!(lines[1].starts_with(line), "{}", r.stdout);
        let r = run(&["diff", "policies", dir, "--at", "2026-04-10"]);
        assert_code(&r, 1);
        assert_eq!(
            r.stdout,
            format!("compared at 2026-04-10T00:00:00+08:00\n{line}\n")
        );
        let r = run(&["diff", "policies", dir, "--format", "json"]);
        assert_code(&r, 1);
        let c = &r.json()["changes"][0];
        assert_eq!(c["change"], "condition_changed", "{c}");
        assert!(c["old_condition"].is_string(), "{c}");
    }
}

/// Issue 14, item 2: a revoke dated later than the instant compared gave
/// "no difference"; over the whole timeline it shows from its date, and
/// `--at` still compares the one instant.
#[test]
fn diff_sees_a_revoke_in_the_future() {
    let dir = policies_edited(
        "diff_future_revoke",
        "partners.policy",
        "",
        "\nrevoke g_globex_lease at 2026-10-01 by globex.zhao\n",
    );
    let r = run(&["diff", "policies", &dir]);
    assert_code(&r, 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[1..],
        ["lost              partner_grant signer globex, template acme_sh.lease, as \"出租方\": globex.contract2 (grant_revoked) [from 2026-10-01T00:00:00+08:00]"],
        "{}",
        r.stdout
    );
    assert!(lines[0].contains(" 22 instants "), "{}", r.stdout);
    let r = run(&[
        "diff",
        "policies",
        &dir,
        "--at",
        "2026-09-01T10:00:00+08:00",
    ]);
    assert_code(&r, 0);
    assert_eq!(
        r.stdout,
        "compared at 2026-09-01T10:00:00+08:00\nno difference\n"
    );
    let r = run(&["diff", "policies", &dir, "--at", "2026-10-01"]);
    assert_code(&r, 1);
    assert!(r.stdout.contains("(grant_revoked)"), "{}", r.stdout);
}

// ---------------------------------------------------------------- JSON only

/// `--format json` prints machine-readable output and nothing else.
#[test]
fn format_json_is_json_only() {
    let commands: [&[&str]; 7] = [
        &["check", "--format", "json", "tests/cli_fixtures/bad"],
        &[
            "decide",
            "--request",
            "tests/cli_fixtures/requests/nda_globex.yaml",
            "--format",
            "json",
        ],
        &["test", "--format", "json", "tests/cases/labels.yaml"],
        &[
            "templates",
            "--initiator",
            "acme.li",
            "--at",
            AT,
            "--format",
            "json",
        ],
        &[
            "who",
            "--template",
            "acme.nda",
            "--at",
            AT,
            "--format",
            "json",
            "--all",
        ],
        &["audit", "--at", AT, "--format", "json"],
        &[
            "diff",
            "tests/cli_fixtures/diff_old",
            "tests/cli_fixtures/diff_new",
            "--at",
            AT,
            "--format",
            "json",
        ],
    ];
    for args in commands {
        let r = run(args);
        assert!(
            r.code == 0 || r.code == 1,
            "{args:?}: exit {}: {}",
            r.code,
            r.stderr
        );
        let _ = r.json();
    }
}

// ---------------------------------------------------------------- colour

fn assert_no_ansi(what: &str, text: &str) {
    assert!(
        !text.contains('\u{1b}'),
        "{what}: ANSI escape in output:\n{text:?}"
    );
}

#[test]
fn piped_output_has_no_ansi_escapes() {
    for args in [
        &["check", "tests/cli_fixtures/bad"][..],
        &[
            "decide",
            "--request",
            "tests/cli_fixtures/requests/several_failures.yaml",
            "--explain",
        ],
        &["test", "tests/cli_fixtures/failing.yaml"],
        &["templates", "--initiator", "acme.li", "--at", AT],
        &["who", "--template", "acme.nda", "--at", AT, "--all"],
        &["audit", "--at", AT],
        &[
            "decide",
            "--policies",
            "tests/cli_fixtures/bad",
            "--request",
            "tests/cli_fixtures/requests/nda_globex.yaml",
        ],
    ] {
        let r = run(args);
        assert_no_ansi(&format!("{args:?} stdout"), &r.stdout);
        assert_no_ansi(&format!("{args:?} stderr"), &r.stderr);
        let r = run_with(args, None, &[("NO_COLOR", "1")]);
        assert_no_ansi(&format!("{args:?} stdout, NO_COLOR"), &r.stdout);
        assert_no_ansi(&format!("{args:?} stderr, NO_COLOR"), &r.stderr);
    }
}

/// On a terminal `check` may colour its output, but never with `NO_COLOR`.
/// The terminal is util-linux `script`; without it the test has nothing to
/// check.
#[test]
fn no_color_on_a_terminal() {
    let has_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("`script` is not available: no terminal to test NO_COLOR on");
        return;
    }
    let cmd = format!("{BIN} check tests/cli_fixtures/bad");
    let tty = |no_color: bool| {
        let mut c = Command::new("script");
        c.args(["-qec", &cmd, "/dev/null"])
            .current_dir(ROOT)
            .stdin(Stdio::null())
            .env_remove("NO_COLOR");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        let out = c.output().expect("script runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let plain = tty(true);
    assert!(
        plain.contains("tests/cli_fixtures/bad/bad.policy:17:41"),
        "{plain}"
    );
    assert_no_ansi("check on a terminal with NO_COLOR", &plain);
    // Sanity: the terminal really is one (colour without NO_COLOR).
    assert!(
        tty(false).contains('\u{1b}'),
        "expected colour on a terminal without NO_COLOR"
    );
}

/// Issue 14, item 7: reporting is linear. 20,000 duplicate-rule warnings
/// in one file took minutes as text (each report scanned the file from its
/// start); now a few seconds, even in a debug build.
#[test]
fn check_reports_many_warnings_in_linear_time() {
    let n = 20_000;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("many_warnings");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let mut text = String::from(
        "timezone +08:00\n\norg acme \"Acme\" {\n    super_admin zhang \"张三\"\n    employee li \"李四\"\n    template nda \"保密协议\"\n}\n",
    );
    for _ in 0..=n {
        text.push_str("employee acme.li may initiate auto-sign for template acme.nda\n");
    }
    let file = dir.join("dup.policy");
    std::fs::write(&file, text).expect("write");
    let f = file.display().to_string();
    let r = run_bounded(&["check", &f], 60);
    assert_code(&r, 0);
    assert!(
        r.stdout.ends_with(&format!("0 errors, {n} warnings\n")),
        "{}",
        &r.stdout[r.stdout.len().saturating_sub(200)..]
    );
    // The last one points at the last line, with the line before it.
    let last = n + 8;
    assert!(
        r.stdout
            .contains(&format!("╭─[{f}:{last}:1]\n {} │ employee", last - 1)),
        "{}",
        &r.stdout[r.stdout.len().saturating_sub(600)..]
    );
}

// ---------------------------------------------------------------- files read

/// Runs the binary, killing it after `secs` seconds and failing: a test of
/// something that used to hang must not hang CI.
fn run_bounded(args: &[&str], secs: u64) -> Run {
    use std::io::Read;
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(ROOT)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the autoseal binary runs");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout is piped")));
    let err = drain(Box::new(child.stderr.take().expect("stderr is piped")));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for autoseal") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`autoseal {}` did not finish in {secs} s", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().expect("stdout read"),
        stderr: err.join().expect("stderr read"),
    }
}

/// A fresh scratch directory holding one clean policy file, `a.policy`.
fn scratch_with_a_policy(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    std::fs::write(
        dir.join("a.policy"),
        "timezone +08:00\n\norg acme \"Acme\" {\n    super_admin zhang \"张三\"\n}\n",
    )
    .expect("write");
    dir
}

/// Issue 14, item 8: only regular files are read. A FIFO named `.policy`
/// (reading it blocks) and a link to `/dev/zero` (it says it is empty and
/// never ends) are errors naming the path, exit 2, promptly; names
/// starting with `.` (an editor's dangling `.#a.policy` lock link, a
/// hidden directory) are not policy files at all.
#[cfg(unix)]
#[test]
fn only_regular_policy_files_are_read() {
    use std::os::unix::fs::symlink;

    // Skipped: a dangling editor lock link, and a hidden directory.
    let dir = scratch_with_a_policy("only_policy_files_dot");
    symlink("zhang@host.4242:1700000000", dir.join(".#a.policy")).expect("a dangling link");
    std::fs::create_dir_all(dir.join(".git")).expect("a hidden directory");
    std::fs::write(dir.join(".git/b.policy"), "not a policy\n").expect("write");
    let d = dir.display().to_string();
    let r = run_bounded(&["check", &d], 20);
    assert_code(&r, 0);
    assert_eq!(r.stdout, "no problems\n");
    assert_code(&run_bounded(&["fmt", "--check", &d], 20), 0);

    // A FIFO: made with `mkfifo`, and never written to.
    let dir = scratch_with_a_policy("only_policy_files_fifo");
    let fifo = dir.join("b.policy");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(
        made.is_ok_and(|s| s.success()),
        "mkfifo {} failed",
        fifo.display()
    );
    let d = dir.display().to_string();
    for args in [
        &["check", &d][..],
        &["check", "--format", "json", &d],
        &["fmt", "--check", &d],
        &["audit", "--policies", &d],
    ] {
        let r = run_bounded(args, 20);
        assert_code(&r, 2);
        assert!(
            r.stderr.contains(&format!(
                "cannot read `{}`: it is a FIFO, not a regular file",
                fifo.display()
            )),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(r.stdout, "", "{args:?}");
    }

    // A link to a character device, and the device named directly.
    let dir = scratch_with_a_policy("only_policy_files_zero");
    let zero = dir.join("z.policy");
    symlink("/dev/zero", &zero).expect("a link to /dev/zero");
    let d = dir.display().to_string();
    for (args, path) in [
        (&["check", &d][..], zero.display().to_string()),
        (&["check", "/dev/zero"], String::from("/dev/zero")),
    ] {
        let r = run_bounded(args, 20);
        assert_code(&r, 2);
        assert!(
            r.stderr.contains(&format!(
                "cannot read `{path}`: it is a character device, not a regular file"
            )),
            "{args:?}: {}",
            r.stderr
        );
    }
}

// ---------------------------------------------------------------- fmt

/// cli.md: `fmt` rewrites files in the canonical layout; `--check` lists
/// the files that would change (exit 1) and writes nothing; a file that
/// does not parse gives 1, an unreadable path 2. A byte order mark is
/// dropped.
#[test]
fn fmt_rewrites_and_checks() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fmt_rewrites_and_checks");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let canonical = "timezone +08:00\n\norg acme \"Acme\" {\n    super_admin zhang \"张三\"\n}\n";
    let loose = canonical
        .replace("org acme", "org   acme")
        .replace("    super", "  super");
    let files = [
        ("a.policy", canonical.to_owned()),
        ("b.policy", loose),
        ("c.policy", format!("\u{feff}{canonical}")),
    ];
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    let d = dir.display().to_string();
    let check = run(&["fmt", "--check", &d]);
    assert_code(&check, 1);
    let listed: Vec<&str> = check.stdout.lines().collect();
    assert_eq!(
        listed,
        [
            dir.join("b.policy").display().to_string(),
            dir.join("c.policy").display().to_string()
        ]
    );
    for (name, text) in &files {
        assert_eq!(
            &std::fs::read_to_string(dir.join(name)).expect("read"),
            text
        );
    }
    assert_code(&run(&["fmt", &d]), 0);
    for (name, _) in &files {
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).expect("read"),
            canonical
        );
    }
    assert_code(&run(&["fmt", "--check", &d]), 0);

    std::fs::write(dir.join("d.policy"), "org {\n").expect("write");
    let bad = run(&["fmt", "--check", &d]);
    assert_code(&bad, 1);
    assert!(bad.stderr.contains("d.policy:1:5"), "{}", bad.stderr);
    assert_code(
        &run(&["fmt", &dir.join("nowhere").display().to_string()]),
        2,
    );
}

/// cli.md: "`--policies DIR` (or a file) overrides" — `check` and `fmt`
/// take it too, as the same as a path.
#[test]
fn check_and_fmt_take_policies() {
    let by_path = run(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/diag/unknown_seal.policy",
    ]);
    let by_flag = run(&[
        "check",
        "--format",
        "json",
        "--policies",
        "tests/fixtures/diag/unknown_seal.policy",
    ]);
    assert_code(&by_path, 1);
    assert_code(&by_flag, 1);
    assert_eq!(by_flag.stdout, by_path.stdout);
    assert_code(&run(&["fmt", "--check", "--policies", "policies"]), 0);
}

// ---------------------------------------------------------------- coprocess

/// `decide --requests -` as a coprocess: each answer is written and flushed
/// before the next request line is read, so a client that writes one line
/// and waits for its answer is answered (with its `id` echoed) while its
/// standard input is still open.
#[test]
fn decide_requests_answers_each_line_before_reading_the_next() {
    use std::io::{BufRead, BufReader};
    use std::sync::mpsc;
    let mut child = Command::new(BIN)
        .args(["decide", "--policies", "policies", "--requests", "-"])
        .current_dir(ROOT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let ask = |stdin: &mut std::process::ChildStdin, line: &str| -> Value {
        writeln!(stdin, "{line}").expect("write a request");
        stdin.flush().expect("flush");
        let answer = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("an answer while standard input is still open");
        serde_json::from_str(&answer).expect("a JSON answer")
    };
    let a = ask(
        &mut stdin,
        r#"{"id":"c-1","at":"2026-04-01T10:00:00+08:00","template":"acme.nda","initiator":"acme.li","signer":"globex","signatory":"乙方"}"#,
    );
    assert_eq!(a["id"], "c-1");
    assert_eq!(a["decision"], "auto_seal");
    assert_eq!(a["seal"], "globex.contract");
    let b = ask(
        &mut stdin,
        r#"{"id":"c-2","at":"2026-06-02T10:00:00+08:00","template":"acme.nda","initiator":"acme.li","signer":"globex","signatory":"乙方"}"#,
    );
    assert_eq!(b["id"], "c-2");
    assert_eq!(b["reasons"][0]["code"], "grant_revoked");
    // No id, no `id` in the answer; a bad line answers in its place.
    let c = ask(
        &mut stdin,
        r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme.labor","initiator":"acme.li","signer":"acme"}"#,
    );
    assert!(c.get("id").is_none(), "{c}");
    let d = ask(&mut stdin, r#"{"id": 7, "at":"2026-04-01T10:00:00+08:00"}"#);
    assert_eq!(d["field"], "id");
    drop(stdin);
    let status = child.wait().expect("the batch ends");
    assert_eq!(status.code(), Some(1), "a bad line makes the status 1");
}

/// A single request may carry an `id` too, echoed in its JSON answer.
#[test]
fn decide_echoes_the_request_id() {
    let r = run_stdin(
        &["decide", "--request", "-", "--format", "json"],
        "{id: order-17, at: 2026-04-01T10:00:00+08:00, template: acme.labor, initiator: acme.li, signer: acme}\n",
    );
    assert_code(&r, 0);
    assert_eq!(r.json()["id"], "order-17");
    assert_eq!(r.json()["decision"], "auto_seal");
}

// ---------------------------------------------------------------- --lang

/// `args` with `--format json`, in English and in Chinese: the same data
/// (codes, params, every field but the messages), every message Chinese in
/// `zh-CN`, and at least one message.
#[track_caller]
fn same_json_in_both_languages(args: &[&str], code: i32) -> (Value, Value) {
    let en = run(&[args, &["--format", "json"]].concat());
    let zh = run(&[args, &["--format", "json", "--lang", "zh-CN"]].concat());
    assert_code(&en, code);
    assert_code(&zh, code);
    let (en, zh) = (en.json(), zh.json());
    assert_eq!(
        without_messages(&en, &[]),
        without_messages(&zh, &[]),
        "{args:?}"
    );
    let shown = messages(&zh);
    assert!(!shown.is_empty(), "{args:?}: no message");
    for m in &shown {
        assert!(chinese(m), "{args:?}: not in Chinese: {m}");
    }
    (en, zh)
}

/// issue 16, "Done when": the explanation of the example request in
/// Chinese names the partner by its display name and the revoke instant
/// in the policy's time zone (the request gives it in UTC).
#[test]
fn decide_explain_in_chinese() {
    let r = run(&[
        "decide",
        "--policies",
        "policies",
        "--request",
        "examples/request.yaml",
        "--explain",
        "--lang",
        "zh-CN",
    ]);
    assert_code(&r, 0);
    assert!(
        r.stdout.contains("Globex 贸易有限公司（globex）"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("2026-06-01 12:00"), "{}", r.stdout);
    insta::assert_snapshot!("decide_explain_zh-CN", r.stdout);
}

/// `--lang` on `decide`: one request, a batch, `--explain`; the JSON
/// codes and params are the same in both languages.
#[test]
fn decide_in_chinese() {
    let req = "tests/cli_fixtures/requests/several_failures.yaml";
    same_json_in_both_languages(&["decide", "--request", req], 0);
    same_json_in_both_languages(&["decide", "--request", req, "--explain"], 0);
    let batch = "tests/cli_fixtures/requests/batch.jsonl";
    let en = run(&["decide", "--requests", batch]);
    let zh = run(&["decide", "--requests", batch, "--lang", "zh-CN"]);
    assert_eq!(en.code, zh.code);
    let (en, zh) = (en.json_lines(), zh.json_lines());
    assert_eq!(en.len(), zh.len());
    for (e, z) in en.iter().zip(&zh) {
        assert_eq!(without_messages(e, &[]), without_messages(z, &[]));
        for m in messages(&z["reasons"]) {
            assert!(chinese(&m), "not in Chinese: {m}");
        }
    }
    assert!(zh.iter().any(|z| !messages(&z["reasons"]).is_empty()));
    // Not a language of the catalog.
    assert_code(&run(&["decide", "--request", req, "--lang", "fr"]), 2);
}

/// `--lang` on `check`: the same rustc-style report, in Chinese; JSON with
/// the same codes and params.
#[test]
fn check_in_chinese() {
    let r = run(&["check", "tests/cli_fixtures/bad", "--lang", "zh-CN"]);
    assert_code(&r, 1);
    assert!(
        r.stdout.contains("tests/cli_fixtures/bad/bad.policy:17:41"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("4 个错误，2 个警告\n"), "{}", r.stdout);
    insta::assert_snapshot!("check_bad_text_zh-CN", r.stdout);
    let (_, zh) = same_json_in_both_languages(&["check", "tests/cli_fixtures/bad"], 1);
    assert!(zh["diagnostics"][0]["params"].is_object());
    let r = run(&["check", "policies", "--lang", "zh-CN"]);
    assert_code(&r, 0);
    assert_eq!(r.stdout, "没有问题\n");
}

/// issue 16 item 5: in Chinese, `templates` prints one line per template,
/// what a console shows on its "use" button, naming the template by its
/// display name; JSON carries it as `tooltip`.
#[test]
fn templates_in_chinese() {
    let args = [
        "templates",
        "--initiator",
        "acme.wang",
        "--at",
        "2026-08-11T10:00:00+08:00",
    ];
    let r = run(&[&args[..], &["--lang", "zh-CN"]].concat());
    assert_code(&r, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    assert!(
        lines.iter().any(|l| l.starts_with("劳动合同：无法使用，")),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("templates_wang_zh-CN", r.stdout);
    let (en, zh) = same_json_in_both_languages(&args, 0);
    assert_eq!(en.as_array().map(Vec::len), zh.as_array().map(Vec::len));
    let r = run(&["templates", "--initiator", "globex.zhao", "--lang", "zh-CN"]);
    assert_eq!(r.stdout, "企业 `globex` 没有模板\n");
}

/// `--lang` on `who`: the reasons in Chinese.
#[test]
fn who_in_chinese() {
    let args = [
        "who",
        "--template",
        "acme.nda",
        "--at",
        "2026-06-02",
        "--all",
    ];
    let r = run(&[&args[..], &["--lang", "zh-CN"]].concat());
    assert_code(&r, 0);
    insta::assert_snapshot!("who_nda_zh-CN", r.stdout);
    same_json_in_both_languages(&args, 0);
}

/// `--lang` on `test`: what a case got, in Chinese.
#[test]
fn test_in_chinese() {
    let args = ["test", "tests/cli_fixtures/failing.yaml"];
    let en = run(&[&args[..], &["--format", "json"]].concat());
    let zh = run(&[&args[..], &["--format", "json", "--lang", "zh-CN"]].concat());
    assert_code(&en, 1);
    assert_code(&zh, 1);
    let (en, zh) = (en.json(), zh.json());
    assert_eq!(without_messages(&en, &[]), without_messages(&zh, &[]));
    let shown = messages(&zh);
    assert!(
        !shown.is_empty() && shown.iter().all(|m| chinese(m)),
        "{zh}"
    );
}

/// `--lang` on the commands whose reports hold no message (`audit`,
/// `diff`): the same output; a set that does not load is reported in the
/// language asked, by every command, `fmt` and `replay` too.
#[test]
fn every_command_takes_lang() {
    for args in [
        &["audit", "--at", AT][..],
        &[
            "diff",
            "tests/cli_fixtures/diff_old",
            "tests/cli_fixtures/diff_new",
        ][..],
    ] {
        let en = run(args);
        let zh = run(&[args, &["--lang", "zh-CN"]].concat());
        assert_eq!(en.code, zh.code, "{args:?}");
        assert_eq!(en.stdout, zh.stdout, "{args:?}");
    }
    let bad = "tests/cli_fixtures/bad";
    // A case file that names no policies: `--policies` gives them.
    let cases = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("lang_cases.yaml");
    std::fs::write(
        &cases,
        "cases:\n  - name: one\n    request: { at: \"2026-04-01T10:00:00+08:00\", template: acme.nda, initiator: acme.li, signer: acme }\n    expect: { decision: manual }\n",
    )
    .expect("write a case file");
    let cases = cases.display().to_string();
    for args in [
        &[
            "decide",
            "--policies",
            bad,
            "--request",
            "examples/request.yaml",
        ][..],
        &["templates", "--policies", bad, "--initiator", "acme.li"][..],
        &["who", "--policies", bad, "--template", "acme.nda"][..],
        &["audit", "--policies", bad][..],
        &["diff", bad, "policies"][..],
        &["test", "--policies", bad, &cases][..],
        &["replay", "-", "--policies", bad][..],
    ] {
        let en = run(args);
        let zh = run(&[args, &["--lang", "zh-CN"]].concat());
        assert_code(&en, 2);
        assert_code(&zh, 2);
        assert!(
            en.stderr.contains("is not the super admin of `acme`"),
            "{args:?}: {}",
            en.stderr
        );
        assert!(
            zh.stderr.contains("不是企业 `acme` 的超管")
                && zh.stderr.contains("4 个错误，2 个警告"),
            "{args:?}: {}",
            zh.stderr
        );
    }
    // `fmt` shows a file's syntax errors in the language asked.
    let r = run(&[
        "fmt",
        "--check",
        "tests/fixtures/diag/syntax.bad_escape.policy",
        "--lang",
        "zh-CN",
    ]);
    assert_code(&r, 1);
    assert!(r.stderr.contains("字符串中有未知的转义"), "{}", r.stderr);
}
