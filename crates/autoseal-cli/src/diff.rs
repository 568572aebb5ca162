//! `autoseal diff`: what changes between two policy sets, and when.

use std::path::PathBuf;

use autoseal::query::{ChangeKind, DiffEntry, When};
use autoseal::Policy;

use crate::common::{
    parse_at, print_json, render_error, Format, LangArg, CANNOT_RUN, OK, PROBLEMS,
};

#[derive(clap::Args)]
pub struct Args {
    /// The policy set before (directory or file).
    old: PathBuf,
    /// The policy set after.
    new: PathBuf,
    /// Compare at this one instant only (RFC 3339 time, or a date: the
    /// start of that day in the sets' time zone); default: over the whole
    /// timeline.
    #[arg(long)]
    at: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    lang: LangArg,
}

pub fn run(a: Args) -> u8 {
    let load = |p: &PathBuf| {
        Policy::from_paths(std::slice::from_ref(p)).map_err(|e| {
            eprint!("{}", render_error(&e, a.lang.lang));
            CANNOT_RUN
        })
    };
    let (old, new) = match (load(&a.old), load(&a.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(c), _) | (_, Err(c)) => return c,
    };
    // A date is read in the sets' time zone: only when they agree.
    let tz = old.time_zone().filter(|z| Some(*z) == new.time_zone());
    let at = match a.at.as_deref() {
        None => None,
        Some(s) => match parse_at(Some(s), tz) {
            Ok(t) => Some(t),
            Err(c) => return c,
        },
    };
    let diff = old.diff(&new, at);
    match a.format {
        Format::Json => print_json(&diff),
        Format::Text => {
            match (&diff.at, diff.instants.as_slice()) {
                (Some(t), _) => outln!("compared at {t}"),
                (None, []) => outln!(
                    "compared over the whole timeline: neither set changes over time"
                ),
                (None, [t]) => outln!(
                    "compared over the whole timeline: before and after {t}, the one instant at which either set changes"
                ),
                (None, [first, .., last]) => outln!(
                    "compared over the whole timeline: before, between and after the {} instants at which either set changes ({first} to {last})",
                    diff.instants.len()
                ),
            }
            for c in &diff.changes {
                outln!("{}", line(c));
            }
            if diff.changes.is_empty() {
                outln!("no difference");
            }
        }
    }
    if diff.changes.is_empty() {
        OK
    } else {
        PROBLEMS
    }
}

/// One difference as a line: what changed, of which kind, what it is
/// about, the seals and conditions, why, and where in time.
fn line(c: &DiffEntry) -> String {
    let what = [
        c.rule.as_ref().map(|x| format!("rule {x}")),
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
        (Some(o), Some(_)) => format!(": {o}"),
        (None, Some(n)) => format!(": {n}"),
        (Some(o), None) => format!(": {o}"),
        (None, None) => String::new(),
    };
    let cond = |x: &Option<String>| {
        x.as_ref()
            .map_or_else(|| String::from("no condition"), |w| format!("when {w}"))
    };
    let conds = if c.change == ChangeKind::ConditionChanged {
        format!("; {} -> {}", cond(&c.old_condition), cond(&c.new_condition))
    } else {
        match c.old_condition.as_ref().or(c.new_condition.as_ref()) {
            Some(w) => format!("; when {w}"),
            None => String::new(),
        }
    };
    let why = c.reason.map(|r| format!(" ({r})")).unwrap_or_default();
    let when = match &c.when {
        When::At { .. } => String::new(),
        When::Interval { from, until } => match (from, until) {
            (Some(f), Some(u)) => format!(" [from {f} until {u}]"),
            (Some(f), None) => format!(" [from {f}]"),
            (None, Some(u)) => format!(" [until {u}]"),
            (None, None) => String::from(" [always]"),
        },
    };
    format!(
        "{:<17} {:<13} {what}{seals}{conds}{why}{when}",
        c.change, c.kind
    )
}
