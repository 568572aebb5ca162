//! `autoseal diff`: decision-level difference of two policy sets.

use std::path::PathBuf;

use autoseal::Policy;

use crate::common::{parse_at, print_json, render_error, Format, CANNOT_RUN, OK, PROBLEMS};

#[derive(clap::Args)]
pub struct Args {
    /// The policy set before (directory or file).
    old: PathBuf,
    /// The policy set after.
    new: PathBuf,
    /// RFC 3339 instant (default: now).
    #[arg(long)]
    at: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(a: Args) -> u8 {
    let load = |p: &PathBuf| {
        Policy::from_paths(std::slice::from_ref(p)).map_err(|e| {
            eprint!("{}", render_error(&e));
            CANNOT_RUN
        })
    };
    let (old, new) = match (load(&a.old), load(&a.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(c), _) | (_, Err(c)) => return c,
    };
    let at = match parse_at(a.at.as_deref(), old.time_zone()) {
        Ok(t) => t,
        Err(c) => return c,
    };
    let changes = old.diff(&new, at);
    match a.format {
        Format::Json => print_json(&changes),
        Format::Text => {
            for c in &changes {
                let what = [
                    c.employee.as_ref().map(|x| format!("employee {x}")),
                    c.signer.as_ref().map(|x| format!("signer {x}")),
                    c.template.as_ref().map(|x| format!("template {x}")),
                    c.signatory.as_ref().map(|x| format!("as \"{x}\"")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                let seals = match (&c.old_seal, &c.new_seal) {
                    (Some(o), Some(n)) if o != n => format!(": {o} -> {n}"),
                    (None, Some(n)) => format!(": {n}"),
                    (Some(o), None) => format!(": {o}"),
                    _ => String::new(),
                };
                let why = c.reason.map(|r| format!(" ({r})")).unwrap_or_default();
                outln!("{:<12} {:<13} {what}{seals}{why}", c.change, c.kind);
            }
            if changes.is_empty() {
                outln!("no difference");
            }
        }
    }
    if changes.is_empty() {
        OK
    } else {
        PROBLEMS
    }
}
