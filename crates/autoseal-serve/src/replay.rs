//! `autoseal replay LOG --policies DIR`: re-decides every logged request
//! against the set in `DIR` and reports each logged decision that differs.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use autoseal::{Lang, Request};
use serde_json::Value;

use crate::http::{fields, MASK};
use crate::set::{build, DiskSet};
use crate::{CANNOT_RUN, OK, PROBLEMS};

/// The fields a replay compares.
const COMPARED: [&str; 4] = ["decision", "seal", "basis", "rule"];

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub replayed: usize,
    pub differing: usize,
    pub refused: usize,
    pub skipped: usize,
    pub unreadable: usize,
}

/// Replays `log` (`-`: standard input) against the set in `policies`,
/// printing each differing line and the counts on standard output: 0 when
/// every line replayed agreed, 1 when a line differed, was refused (another
/// revision) or could not be read, 2 when the replay cannot run.
pub fn replay(log: &Path, policies: &Path) -> u8 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run(log, policies, &mut out) {
        Ok(c) if c.differing + c.refused + c.unreadable == 0 => OK,
        Ok(_) => PROBLEMS,
        Err(e) => {
            let _ = out.flush();
            eprint!("{e}");
            CANNOT_RUN
        }
    }
}

/// The replay, writing its report to `out`; `Err` (a message) when it
/// cannot run.
pub fn run(log: &Path, policies: &Path, out: &mut dyn Write) -> Result<Counts, String> {
    if !policies.is_dir() {
        return Err(format!(
            "error: `{}` is not a policy directory\n",
            policies.display()
        ));
    }
    let disk = DiskSet::read(policies).map_err(|e| format!("error: {e}\n"))?;
    let snap = build(&disk, "journal.policy")
        .map_err(|r| format!("error: the policy set does not load\n{}", r.text))?;
    let reader: Box<dyn BufRead> = if log.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(log)
            .map_err(|e| format!("error: cannot read `{}`: {e}\n", log.display()))?;
        Box::new(BufReader::new(f))
    };
    let w = |out: &mut dyn Write, s: String| {
        out.write_all(s.as_bytes())
            .map_err(|e| format!("error: cannot write the report: {e}\n"))
    };
    let mut c = Counts::default();
    let mut other_revisions: Vec<String> = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| format!("error: cannot read `{}`: {e}\n", log.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let entry: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                c.unreadable += 1;
                w(out, format!("line {n}: not a decision log line: {e}\n"))?;
                continue;
            }
        };
        let revision = entry.get("revision").and_then(Value::as_str);
        let logged = entry.get("request");
        let request = logged.and_then(Value::as_object);
        let (Some(revision), Some(logged), Some(request)) = (revision, logged, request) else {
            c.unreadable += 1;
            w(
                out,
                format!("line {n}: not a decision log line: it lacks `revision` or `request`\n"),
            )?;
            continue;
        };
        if revision != snap.revision {
            c.refused += 1;
            if other_revisions.len() < 3 && !other_revisions.iter().any(|r| r == revision) {
                other_revisions.push(revision.to_owned());
            }
            continue;
        }
        let is_masked = request
            .get("attributes")
            .and_then(Value::as_object)
            .is_some_and(|a| a.values().any(|v| v.as_str() == Some(MASK)));
        if is_masked {
            c.skipped += 1;
            continue;
        }
        let req = Request::from_fields(&fields(logged)).map_err(|e| e.to_string());
        let req = match req {
            Ok(r) => r,
            Err(e) => {
                c.unreadable += 1;
                w(
                    out,
                    format!("line {n}: the logged request is refused: {e}\n"),
                )?;
                continue;
            }
        };
        let explain = entry.get("explain").and_then(Value::as_bool) == Some(true);
        let policy = &snap.policy;
        let rendered = if explain {
            policy.explain_rendered(&req, Lang::En)
        } else {
            policy.decide_rendered(&req, Lang::En)
        };
        let now = serde_json::to_value(&rendered).map_err(|e| e.to_string())?;
        c.replayed += 1;
        let now = compared(&now, true);
        let logged = compared(&entry, false);
        if now != logged {
            c.differing += 1;
            let id = entry
                .get("decision_id")
                .and_then(Value::as_str)
                .unwrap_or("?");
            w(
                out,
                format!("line {n}: decision {id} differs: logged {logged}, replayed {now}\n"),
            )?;
        }
    }
    if c.refused > 0 {
        w(
            out,
            format!(
                "refused {} line(s) recorded under another revision ({}); the set in `{}` is {}\n",
                c.refused,
                other_revisions.join(", "),
                policies.display(),
                snap.revision
            ),
        )?;
    }
    let mut summary = format!(
        "replayed {}, differing {}, refused {}, skipped {}",
        c.replayed, c.differing, c.refused, c.skipped
    );
    if c.unreadable > 0 {
        summary.push_str(&format!(", unreadable {}", c.unreadable));
    }
    w(out, format!("{summary}\n"))?;
    Ok(c)
}

/// The compared fields of a decision: `reasons` as codes (the log has the
/// codes, a rendered decision has objects with a `code`).
fn compared(v: &Value, rendered: bool) -> Value {
    let mut m = serde_json::Map::new();
    for k in COMPARED {
        m.insert(k.into(), v.get(k).cloned().unwrap_or(Value::Null));
    }
    let reasons: Vec<Value> = v
        .get("reasons")
        .and_then(Value::as_array)
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    if rendered {
                        r.get("code").cloned().unwrap_or(Value::Null)
                    } else {
                        r.clone()
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    m.insert("reasons".into(), Value::Array(reasons));
    Value::Object(m)
}
