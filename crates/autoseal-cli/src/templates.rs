//! `autoseal templates`: the greyed-out "use" buttons of an initiator.

use autoseal::{Lang, Params};

use crate::common::{
    print_json, when_conditions_hold, Format, LangArg, PolicyArgs, CANNOT_RUN, OK,
};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    policies: PolicyArgs,
    /// The initiating employee, `ORG.E`.
    #[arg(long)]
    initiator: String,
    /// A member org of the initiator's group.
    #[arg(long)]
    on_behalf_of: Option<String>,
    /// RFC 3339 time, or a date (the start of that day in the policy
    /// set's time zone); default: now.
    #[arg(long)]
    at: Option<String>,
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
    let obo = a.on_behalf_of.as_deref();
    let list = match policy.templates_for_in(&a.initiator, obo, at, &[], lang) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    };
    match a.format {
        Format::Json => print_json(&list),
        // In Chinese, the console's line for each template: what its "use"
        // button says.
        Format::Text => {
            if list.is_empty() {
                let org = a.on_behalf_of.as_deref().unwrap_or_else(|| {
                    a.initiator.split_once('.').map_or(&a.initiator, |(o, _)| o)
                });
                let mut p = Params::default();
                p.set("org", org);
                outln!("{}", autoseal::i18n::report(lang, "templates-none", &p));
            }
            if lang != Lang::En {
                // In Chinese, the console's line for each template: what
                // its "use" button says.
                for t in &list {
                    outln!("{}", t.tooltip);
                }
                return OK;
            }
            for t in &list {
                if t.conditional {
                    outln!(
                        "use      {} ({}) {}",
                        t.template,
                        t.name,
                        when_conditions_hold(
                            "with ",
                            t.seal.as_deref(),
                            t.rule.as_deref(),
                            &t.needs
                        )
                    );
                    for r in &t.reasons {
                        outln!("           {}", r.message);
                    }
                } else if t.usable {
                    outln!(
                        "use      {} ({}) with {} by rule {}",
                        t.template,
                        t.name,
                        t.seal.as_deref().unwrap_or("?"),
                        t.rule.as_deref().unwrap_or("?")
                    );
                } else {
                    // The code a decision gives, not a word that reads as
                    // `template_disabled`.
                    let code = t.reasons.first().map_or("manual", |r| r.code.as_str());
                    outln!("manual   {} ({}): {code}", t.template, t.name);
                    for r in &t.reasons {
                        outln!("           {}: {}", r.code, r.message);
                    }
                }
            }
        }
    }
    OK
}
