//! `autoseal`: a thin front end to the library. One file per subcommand;
//! each returns the process exit status.

#[macro_use]
mod common;
mod audit;
mod check;
mod decide;
mod diff;
mod fmt;
mod templates;
mod test;
mod who;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Decide whether a party to an e-contract may be sealed automatically.
#[derive(Parser)]
#[command(name = "autoseal", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check policy files; print every error and warning.
    Check(check::Args),
    /// Rewrite policy files in the canonical layout, comments kept.
    Fmt(fmt::Args),
    /// Decide one request, or a batch of JSON lines.
    Decide(decide::Args),
    /// Run YAML test cases.
    Test(test::Args),
    /// Every template of the initiator's org, and whether it can be used for auto-sign.
    Templates(templates::Args),
    /// Every signer that would auto-seal a template.
    Who(who::Args),
    /// Every authorization in force at an instant.
    Audit(audit::Args),
    /// Decision-level difference of two policy sets.
    Diff(diff::Args),
    /// Serve decisions over HTTP, with hot reload, journaled events and a
    /// decision log.
    Serve(autoseal_serve::ServeArgs),
    /// Re-decide every request of a decision log against the policy set.
    Replay(ReplayCmd),
}

/// `replay`'s arguments, and `--lang` for the diagnostics of a set that
/// does not load (its report of the log is codes and counts).
#[derive(clap::Args)]
struct ReplayCmd {
    #[command(flatten)]
    args: autoseal_serve::ReplayArgs,
    #[command(flatten)]
    lang: common::LangArg,
}

impl ReplayCmd {
    fn run(&self) -> u8 {
        let lang = self.lang.lang;
        if lang != autoseal::Lang::En && self.args.policies.is_dir() {
            // The set is checked here first, so that its problems are
            // shown in the language asked.
            if let Ok(inputs) =
                autoseal::load::read_inputs(std::slice::from_ref(&self.args.policies))
            {
                let a = autoseal::load::analyze(inputs);
                if a.diagnostics.has_errors() {
                    eprint!(
                        "error: the policy set does not load\n{}",
                        a.diagnostics
                            .render_in(&a.sources, common::color_stderr(), lang)
                    );
                    return common::CANNOT_RUN;
                }
            }
        }
        self.args.run()
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let status = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Decide(a) => decide::run(a),
        Command::Test(a) => test::run(a),
        Command::Templates(a) => templates::run(a),
        Command::Who(a) => who::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Serve(a) => autoseal_serve::serve(a.options()),
        Command::Replay(a) => a.run(),
    };
    ExitCode::from(status)
}
