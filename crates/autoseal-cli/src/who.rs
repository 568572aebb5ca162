//! `autoseal who`: every signer that would auto-seal a template.

use crate::common::{
    print_json, super_admins, when_conditions_hold, Format, LangArg, PolicyArgs, CANNOT_RUN, OK,
};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    policies: PolicyArgs,
    /// The template, `ORG.T`.
    #[arg(long)]
    template: String,
    /// RFC 3339 time, or a date (the start of that day in the policy
    /// set's time zone); default: now.
    #[arg(long)]
    at: Option<String>,
    /// The initiating employee (default: one authorized for the template).
    #[arg(long)]
    initiator: Option<String>,
    /// Also list the signers that would not, with why (those that would
    /// when their conditions hold are always listed).
    #[arg(long)]
    all: bool,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    lang: LangArg,
}

pub fn run(a: Args) -> u8 {
    let lang = a.lang.lang;
    let (policy, at) = match a.policies.load_at(a.at.as_deref(), lang) {
        Ok(loaded) => loaded,
        Err(c) => return c,
    };
    let found = policy
        .who_initiator(&a.template, at, a.initiator.as_deref())
        .and_then(|i| {
            let list = policy.who_in(&a.template, at, a.initiator.as_deref(), &[], lang)?;
            Ok((i, list))
        });
    let ((initiator, on_behalf_of), mut list) = match found {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    };
    if !a.all {
        list.retain(|s| s.auto_seal || s.conditional);
    }
    match a.format {
        Format::Json => print_json(&list),
        Format::Text => {
            let behalf = on_behalf_of
                .map(|o| format!(" on behalf of {o}"))
                .unwrap_or_default();
            let assumed = if a.initiator.is_some() {
                ""
            } else {
                " (assumed: the first employee by name authorized for the template at the instant; `--initiator` chooses another)"
            };
            outln!("initiator {initiator}{behalf}{assumed}");
            if list.is_empty() {
                let hint = if a.all {
                    ""
                } else {
                    " (`--all` lists every signer, with why)"
                };
                outln!("no signer would auto-seal `{}`{hint}", a.template);
            }
            for s in &list {
                let role = s
                    .signatory
                    .as_ref()
                    .map(|r| format!(" as \"{r}\""))
                    .unwrap_or_default();
                if s.auto_seal {
                    outln!(
                        "{}{role}: {} by rule {} ({})",
                        s.signer,
                        s.seal.as_deref().unwrap_or("?"),
                        s.rule.as_deref().unwrap_or("?"),
                        s.basis.map_or("?", |b| b.as_str())
                    );
                } else if s.conditional {
                    outln!(
                        "{}{role}: {}",
                        s.signer,
                        when_conditions_hold("", s.seal.as_deref(), s.rule.as_deref(), &s.needs)
                    );
                    for r in &s.reasons {
                        outln!("    {}", r.message);
                    }
                } else {
                    outln!("{}{role}: manual", s.signer);
                    for r in &s.reasons {
                        outln!("    {}: {}", r.code, r.message);
                    }
                }
            }
            super_admins(list.iter().map(|s| s.super_admin.as_deref()));
        }
    }
    OK
}
