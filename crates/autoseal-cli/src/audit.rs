//! `autoseal audit`: every authorization in force at an instant.

use autoseal::query::{parse_duration, AuditKind};

use crate::common::{print_json, super_admins, Format, LangArg, PolicyArgs, CANNOT_RUN, OK};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    policies: PolicyArgs,
    /// RFC 3339 time, or a date (the start of that day in the policy
    /// set's time zone); default: now.
    #[arg(long)]
    at: Option<String>,
    /// Mark authorizations that lapse within this time: `30d`, `12h`,
    /// `2w`, or `3mo` (calendar months); a bare `m` is refused.
    #[arg(long)]
    expiring_within: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    lang: LangArg,
}

pub fn run(a: Args) -> u8 {
    let (policy, at) = match a.policies.load_at(a.at.as_deref(), a.lang.lang) {
        Ok(loaded) => loaded,
        Err(c) => return c,
    };
    let within = match a.expiring_within.as_deref().map(parse_duration) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            eprintln!("error: --expiring-within: {e}");
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
                if e.kind == AuditKind::Invite {
                    if let Some(x) = &e.ends_at {
                        parts.push(format!("closes {x}"));
                    }
                } else if let Some(x) = &e.revoked_at {
                    parts.push(format!("revoked at {x}"));
                } else if let Some(x) = &e.until {
                    parts.push(format!("until {x}"));
                }
                let mark = if e.expiring { "EXPIRING " } else { "" };
                outln!("{mark}{}", parts.join(", "));
            }
            super_admins(list.iter().map(|e| e.super_admin.as_deref()));
            let invites = list.iter().filter(|e| e.kind == AuditKind::Invite).count();
            let open = match invites {
                0 => String::new(),
                1 => String::from(", 1 invite open"),
                n => format!(", {n} invites open"),
            };
            outln!("{} authorizations in force{open}", list.len() - invites);
        }
    }
    OK
}
