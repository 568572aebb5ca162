//! `autoseal decide`: one request, or a batch of JSON lines.

use std::io::{BufRead, Read, Write};

use autoseal::request::RequestError;
use autoseal::{Lang, Policy, Rendered, Request};

use crate::common::{
    print_json, read_request, request_text, Format, LangArg, PolicyArgs, CANNOT_RUN, OK, PROBLEMS,
};

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
    #[command(flatten)]
    lang: LangArg,
}

pub fn run(a: Args) -> u8 {
    let lang = a.lang.lang;
    let policy = match a.policies.load(lang) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Some(path) = &a.requests {
        return batch(&policy, path, a.explain, lang);
    }
    let Some(path) = &a.request else {
        return CANNOT_RUN;
    };
    let text = match read_request(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    };
    let req = match text.and_then(|t| Request::parse(&t)) {
        Ok(r) => r,
        // cli.md: with `--format json`, JSON on stdout and nothing else,
        // errors too.
        Err(e) if a.format == Format::Json => {
            print_json(&serde_json::json!({ "error": e.message, "field": e.field }));
            return PROBLEMS;
        }
        Err(e) => {
            let from = if path == "-" { "standard input" } else { path };
            eprintln!("error: {from}: {e}");
            return PROBLEMS;
        }
    };
    let rendered = decide_one(&policy, &req, a.explain, lang);
    match a.format {
        Format::Json => print_json(&answer_json(&rendered, &req)),
        Format::Text => out!("{}", text_of(&rendered)),
    }
    OK
}

/// A decision as JSON, with the request's `id` echoed when it has one.
fn answer_json(rendered: &Rendered, req: &Request) -> serde_json::Value {
    let mut v = serde_json::to_value(rendered).unwrap_or_default();
    if let (Some(id), Some(map)) = (&req.id, v.as_object_mut()) {
        map.insert(String::from("id"), serde_json::Value::from(id.as_str()));
    }
    v
}

fn decide_one(policy: &Policy, req: &Request, explain: bool, lang: Lang) -> Rendered {
    if explain {
        policy.explain_rendered(req, lang)
    } else {
        policy.decide_rendered(req, lang)
    }
}

/// One JSON decision per input line, in order; a bad line (not a request,
/// not UTF-8, too long, or blank) gives an error line and the batch goes
/// on, so output line N always answers input line N. From standard input
/// each answer is written and flushed before the next line is read, so a
/// program can use `autoseal decide --requests -` as a coprocess: write a
/// request, read its answer.
fn batch(policy: &Policy, path: &str, explain: bool, lang: Lang) -> u8 {
    let coprocess = path == "-";
    let mut reader: Box<dyn BufRead> = if path == "-" {
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
    let mut n = 0usize;
    loop {
        let line = match next_line(&mut reader) {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                let _ = out.flush();
                eprintln!("error: line {}: {e}", n + 1);
                return CANNOT_RUN;
            }
        };
        n += 1;
        // A byte order mark may start the file (so the first line; it is
        // no more text on another line).
        let req = line.and_then(|text| match text.trim_start_matches('\u{feff}').trim() {
            "" => Err(RequestError::new("", "empty line: no request")),
            t => json_line(t),
        });
        let json = match req {
            Ok(req) => {
                serde_json::to_string(&answer_json(&decide_one(policy, &req, explain, lang), &req))
            }
            Err(e) => {
                status = PROBLEMS;
                serde_json::to_string(&serde_json::json!({
                    "error": e.message, "field": e.field, "line": n
                }))
            }
        };
        let ok = match json {
            Ok(j) => writeln!(out, "{j}"),
            Err(e) => writeln!(out, "{{\"error\":\"{e}\"}}"),
        };
        if ok.is_err() || (coprocess && out.flush().is_err()) {
            return CANNOT_RUN;
        }
    }
    if out.flush().is_err() {
        return CANNOT_RUN;
    }
    status
}

/// A batch is JSON lines: a line in YAML's wider syntax is refused with
/// where it stops being JSON (a single `--request` may be either).
/// A line's request, read from JSON only (YAML's flow syntax is refused),
/// and parsed once.
fn json_line(t: &str) -> Result<Request, RequestError> {
    let value: serde_json::Value =
        serde_json::from_str(t).map_err(|e| RequestError::new("", format!("not JSON: {e}")))?;
    Request::from_fields(&autoseal_serve::fields(&value))
}

/// The next line, without its end: `Ok(None)` at the end of the input,
/// `Ok(Some(Err))` for a line that is not a request's text (the rest of an
/// over-long line is skipped, never held whole).
fn next_line<R: BufRead + ?Sized>(
    r: &mut R,
) -> std::io::Result<Option<Result<String, RequestError>>> {
    // A request at the limit, and its `\r\n`; one byte more is too long.
    let limit = autoseal::limits::MAX_REQUEST_BYTES as u64 + 2;
    let mut bytes = Vec::new();
    let read = <&mut R as Read>::take(&mut *r, limit).read_until(b'\n', &mut bytes)?;
    if read == 0 {
        return Ok(None);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    } else if read as u64 == limit {
        // Too long: skip to the end of the line, a bounded piece at a time.
        let mut rest = Vec::new();
        while <&mut R as Read>::take(&mut *r, limit).read_until(b'\n', &mut rest)? > 0
            && rest.last() != Some(&b'\n')
        {
            rest.clear();
        }
    }
    Ok(Some(request_text(bytes)))
}

/// The text form of a decision.
pub fn text_of(r: &Rendered) -> String {
    let mut s = String::new();
    if r.decision == autoseal::Verdict::AutoSeal {
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
