//! `autoseal check`: every error and warning.

use crate::common::{
    color_stdout, print_json, Format, LangArg, PolicyPaths, CANNOT_RUN, OK, PROBLEMS,
};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    paths: PolicyPaths,
    /// Fail on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    #[command(flatten)]
    lang: LangArg,
}

pub fn run(a: Args) -> u8 {
    let paths = a.paths.paths();
    let inputs = match autoseal::load::read_inputs(&paths) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return CANNOT_RUN;
        }
    };
    let analysis = autoseal::load::analyze(inputs);
    let d = &analysis.diagnostics;
    let lang = a.lang.lang;
    match a.format {
        Format::Json => print_json(&serde_json::json!({
            "errors": d.error_count(),
            "warnings": d.warning_count(),
            "diagnostics": d.to_json_in(&analysis.sources, lang),
        })),
        Format::Text => out!("{}", d.render_in(&analysis.sources, color_stdout(), lang)),
    }
    if d.has_errors() || (a.deny_warnings && d.warning_count() > 0) {
        PROBLEMS
    } else {
        OK
    }
}
