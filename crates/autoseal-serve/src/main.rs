//! `autoseal-serve`: the service as a program of its own, with the flags
//! of `autoseal serve` and `autoseal replay` (which the `autoseal` binary
//! will expose; the crate's process tests run this one).

use std::process::ExitCode;

use autoseal_serve::{ReplayArgs, ServeArgs};
use clap::{Parser, Subcommand};

/// The autoseal decision service.
#[derive(Parser)]
#[command(name = "autoseal-serve", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve decisions over HTTP (see service.md).
    Serve(ServeArgs),
    /// Re-decide a decision log against a policy set.
    Replay(ReplayArgs),
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
        Command::Serve(a) => autoseal_serve::serve(a.options()),
        Command::Replay(a) => a.run(),
    };
    ExitCode::from(status)
}
