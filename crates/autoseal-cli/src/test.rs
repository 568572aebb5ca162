//! `autoseal test`: run YAML case files; one line per case and a summary.

use std::path::{Path, PathBuf};

use autoseal::testcase;
use autoseal::Policy;
use serde_json::json;

use crate::common::{print_json, render_error, Format, LangArg, CANNOT_RUN, OK, PROBLEMS};

#[derive(clap::Args)]
pub struct Args {
    /// Case files (YAML).
    #[arg(required = true)]
    cases: Vec<PathBuf>,
    /// Policies for case files that do not name theirs.
    #[arg(long, default_value = "policies")]
    policies: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    lang: LangArg,
}

pub fn run(a: Args) -> u8 {
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut results = Vec::new();
    for file in &a.cases {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", file.display());
                return CANNOT_RUN;
            }
        };
        let cases = match testcase::parse(&text) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {}: {}", file.display(), e.message);
                return CANNOT_RUN;
            }
        };
        let dir = file.parent().unwrap_or(Path::new("."));
        let policies = cases
            .policies
            .as_ref()
            .map_or_else(|| a.policies.clone(), |p| dir.join(p));
        let policy = match Policy::from_paths(&[policies]) {
            Ok(p) => p,
            Err(e) => {
                eprint!("{}", render_error(&e, a.lang.lang));
                return CANNOT_RUN;
            }
        };
        // In file order: the malformed cases where they stand.
        let mut bad = cases.invalid.iter().peekable();
        let mut good = cases.cases.iter();
        for i in 0..cases.cases.len() + cases.invalid.len() {
            if let Some(b) = bad.next_if(|b| b.index == i) {
                failed += 1;
                if a.format == Format::Text {
                    outln!("FAIL {}: {}", file.display(), b.name);
                    outln!("       invalid case: {}", b.error.message);
                }
                results.push(json!({
                    "file": file.display().to_string(),
                    "name": b.name,
                    "passed": false,
                    "failures": [format!("invalid case: {}", b.error.message)],
                    "got": null,
                }));
                continue;
            }
            let Some(case) = good.next() else {
                break;
            };
            let r = testcase::run_in(&policy, case, a.lang.lang);
            if r.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
            if a.format == Format::Text {
                let mark = if r.passed() { "ok  " } else { "FAIL" };
                outln!("{mark} {}: {}", file.display(), r.name);
                for f in &r.failures {
                    outln!("       {f}");
                }
            }
            results.push(json!({
                "file": file.display().to_string(),
                "name": r.name,
                "passed": r.passed(),
                "failures": r.failures,
                "got": r.got,
            }));
        }
    }
    match a.format {
        Format::Text => outln!("{passed} passed, {failed} failed"),
        Format::Json => {
            print_json(&json!({ "passed": passed, "failed": failed, "cases": results }))
        }
    }
    if failed > 0 {
        PROBLEMS
    } else {
        OK
    }
}
