//! `autoseal decide`: one request, or a batch of JSON lines.

use std::io::{BufRead, Write};

use autoseal::{Policy, Rendered, Request};

use crate::common::{print_json, read_input, Format, PolicyArgs, CANNOT_RUN, OK, PROBLEMS};

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["request", "requests"])))]
pub struct Args {
    #[command(flatten)]
    policies: PolicyArgs,
    /// One request, JSON or YAML (`-` for standard input).
    #[arg(long)]
    request: Option<String>,
    /// A batch: one JSON request per line (`-` for standard input).
    #[arg(long)]
    requests: Option<String>,
    /// List every failing check, not only the first.
    #[arg(long)]
    explain: bool,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(a: Args) -> u8 {
    let policy = match a.policies.load() {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some(path) = &a.requests {
        return batch(&policy, path, a.explain);
    }
    let Some(path) = &a.request else {
        return CANNOT_RUN;
    };
    let text = match read_input(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    };
    let req = match Request::parse(&text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return PROBLEMS;
        }
    };
    let rendered = decide_one(&policy, &req, a.explain);
    match a.format {
        Format::Json => print_json(&rendered),
        Format::Text => out!("{}", text_of(&rendered)),
    }
    OK
}

fn decide_one(policy: &Policy, req: &Request, explain: bool) -> Rendered {
    if explain {
        policy.render_explanation(&policy.explain(req))
    } else {
        policy.render(&policy.decide(req))
    }
}

/// One JSON decision per input line, in order; a bad line gives an error
/// line and the batch goes on.
fn batch(policy: &Policy, path: &str, explain: bool) -> u8 {
    let reader: Box<dyn BufRead> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(path) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => {
                eprintln!("error: cannot read `{path}`: {e}");
                return CANNOT_RUN;
            }
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut status = OK;
    for (n, line) in reader.lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: line {}: {e}", n + 1);
                return CANNOT_RUN;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let json = match Request::parse(&line) {
            Ok(req) => serde_json::to_string(&decide_one(policy, &req, explain)),
            Err(e) => {
                status = PROBLEMS;
                serde_json::to_string(&serde_json::json!({
                    "error": e.message, "field": e.field, "line": n + 1
                }))
            }
        };
        let ok = match json {
            Ok(j) => writeln!(out, "{j}"),
            Err(e) => writeln!(out, "{{\"error\":\"{e}\"}}"),
        };
        if ok.is_err() {
            return CANNOT_RUN;
        }
    }
    if out.flush().is_err() {
        return CANNOT_RUN;
    }
    status
}

/// The text form of a decision.
pub fn text_of(r: &Rendered) -> String {
    let mut s = String::new();
    if r.decision == "auto_seal" {
        s.push_str(&format!(
            "auto_seal with {} ({}, rule {})\n",
            r.seal.as_deref().unwrap_or("?"),
            r.basis.map_or("?", |b| b.as_str()),
            r.rule.as_deref().unwrap_or("?")
        ));
    } else {
        s.push_str("manual\n");
        for reason in &r.reasons {
            s.push_str(&format!("  {}: {}\n", reason.code, reason.message));
            if let Some(src) = &reason.source {
                s.push_str(&format!("    --> {src}\n"));
            }
        }
    }
    s
}
