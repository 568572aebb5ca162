//! `autoseal audit`: every authorization in force at an instant.

use autoseal::query::parse_duration;

use crate::common::{parse_at, print_json, super_admins, Format, PolicyArgs, CANNOT_RUN, OK};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    policies: PolicyArgs,
    /// RFC 3339 instant (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Mark authorizations that lapse within this time (`30d`, `12h`, `2w`).
    #[arg(long)]
    expiring_within: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(a: Args) -> u8 {
    let policy = match a.policies.load() {
        Ok(p) => p,
        Err(c) => return c,
    };
    let at = match parse_at(a.at.as_deref()) {
        Ok(t) => t,
        Err(c) => return c,
    };
    let within = match a.expiring_within.as_deref().map(|s| (s, parse_duration(s))) {
        None => None,
        Some((_, Some(d))) => Some(d),
        Some((s, None)) => {
            eprintln!(
                "error: --expiring-within: `{s}` is not a duration such as `30d`, `12h` or `2w`"
            );
            return CANNOT_RUN;
        }
    };
    let mut list = policy.audit(at, within);
    if within.is_some() {
        // Those about to lapse first.
        list.sort_by_key(|e| !e.expiring);
    }
    match a.format {
        Format::Json => print_json(&list),
        Format::Text => {
            for e in &list {
                let mut parts = vec![format!("{:<13} {}", e.kind, e.rule)];
                if let Some(x) = &e.employee {
                    parts.push(format!("employee {x}"));
                }
                if let Some(x) = &e.signer {
                    parts.push(format!("signer {x}"));
                }
                if let Some(x) = &e.template {
                    parts.push(format!("template {x}"));
                }
                if let Some(x) = &e.signatory {
                    parts.push(format!("as \"{x}\""));
                }
                if let Some(x) = &e.seal {
                    parts.push(format!("seal {x}"));
                }
                if e.conditional {
                    parts.push(String::from("(conditional)"));
                }
                if let Some(code) = e.suspended {
                    parts.push(format!("(suspended: {code})"));
                }
                if let Some(x) = &e.ends {
                    parts.push(format!("until {x}"));
                }
                let mark = if e.expiring { "EXPIRING " } else { "" };
                outln!("{mark}{}", parts.join(", "));
            }
            super_admins(list.iter().map(|e| e.super_admin.as_deref()));
            outln!("{} authorizations in force", list.len());
        }
    }
    OK
}
