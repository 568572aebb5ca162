//! What several subcommands share: loading the policy set, `--at`, output.

/// `println!` that ends the process quietly when stdout is closed (piped
/// into `head`), instead of panicking.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($t)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// `print!` with the same closed-pipe behaviour as [`outln!`].
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if write!(std::io::stdout(), $($t)*).is_err() {
            std::process::exit(0);
        }
    }};
}

use std::io::IsTerminal;
use std::path::PathBuf;

use autoseal::request::RequestError;
use autoseal::{Instant, Lang, Policy};

/// Exit statuses of the CLI contract.
pub const OK: u8 = 0;
pub const PROBLEMS: u8 = 1;
pub const CANNOT_RUN: u8 = 2;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// The line `audit` and `who` end with: the super admins at the instant
/// asked of the orgs they listed, each once, by name.
pub fn super_admins<'a>(names: impl Iterator<Item = Option<&'a str>>) {
    let mut names: Vec<&str> = names.flatten().collect();
    names.sort_unstable();
    names.dedup();
    if !names.is_empty() {
        outln!("super admins: {}", names.join(", "));
    }
}

/// `--lang en|zh-CN`: the language of messages (reasons, diagnostics, the
/// templates' tooltips). Codes and params in JSON never change with it.
#[derive(clap::Args, Clone, Copy)]
pub struct LangArg {
    /// The language of messages: `en` or `zh-CN` (JSON codes and params
    /// are the same in every language).
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_lang)]
    pub lang: Lang,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse::<Lang>()
        .map_err(|e| format!("{e}: the languages are `en` and `zh-CN`"))
}

/// `--policies DIR|FILE`, default `./policies`.
#[derive(clap::Args, Clone)]
pub struct PolicyArgs {
    /// Policy directory or file.
    #[arg(long, default_value = "policies")]
    pub policies: PathBuf,
}

/// How `templates` and `who` show an answer that waits on attributes:
/// `[WITH]SEAL by rule RULE, when its conditions hold (needs `a`, `b`):`.
pub fn when_conditions_hold(
    with: &str,
    seal: Option<&str>,
    rule: Option<&str>,
    needs: &[String],
) -> String {
    let with = match (seal, rule) {
        (Some(s), Some(r)) => format!("{with}{s} by rule {r}, "),
        _ => String::new(),
    };
    let needs = if needs.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = needs.iter().map(|n| format!("`{n}`")).collect();
        format!(" (needs {})", list.join(", "))
    };
    format!("{with}when its conditions hold{needs}:")
}

/// The policy files and directories `check` and `fmt` read: given as
/// paths, or with `--policies` as the other commands take them.
#[derive(clap::Args)]
pub struct PolicyPaths {
    /// Policy files or directories (default: `policies`).
    paths: Vec<PathBuf>,
    /// A policy directory or file, as for the other commands (may repeat).
    #[arg(long = "policies", value_name = "PATH")]
    policies: Vec<PathBuf>,
}

impl PolicyPaths {
    pub fn paths(self) -> Vec<PathBuf> {
        let mut all = self.paths;
        all.extend(self.policies);
        if all.is_empty() {
            all.push(PathBuf::from("policies"));
        }
        all
    }
}

impl PolicyArgs {
    /// The compiled policy set, or the status to exit with (problems
    /// shown in `lang`).
    pub fn load(&self, lang: Lang) -> Result<Policy, u8> {
        Policy::from_paths(std::slice::from_ref(&self.policies)).map_err(|e| {
            eprint!("{}", render_error(&e, lang));
            CANNOT_RUN
        })
    }

    /// The policy set, and `--at` read in its time zone (now by default):
    /// what the reports (`templates`, `who`, `audit`) start from.
    pub fn load_at(&self, at: Option<&str>, lang: Lang) -> Result<(Policy, Instant), u8> {
        let policy = self.load(lang)?;
        let at = parse_at(at, policy.time_zone())?;
        Ok((policy, at))
    }
}

/// Why a policy set does not load, its diagnostics in `lang`.
pub fn render_error(e: &autoseal::Error, lang: Lang) -> String {
    match e {
        autoseal::Error::Load(l) => format!("error: {l}\n"),
        autoseal::Error::Invalid { analysis } => {
            format!(
                "error: the policy set does not load\n{}",
                analysis
                    .diagnostics
                    .render_in(&analysis.sources, color_stderr(), lang)
            )
        }
    }
}

/// Colour only on a terminal, and never with `NO_COLOR`.
pub fn color_stdout() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

pub fn color_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// `--at`, default now: an RFC 3339 time, or a date (the start of that
/// day in the policy set's time zone `tz`).
pub fn parse_at(at: Option<&str>, tz: Option<chrono::FixedOffset>) -> Result<Instant, u8> {
    match at {
        None => Ok(Instant::now()),
        Some(s) => autoseal::query::parse_at(s, tz).map_err(|e| {
            eprintln!("error: --at: {e}");
            CANNOT_RUN
        }),
    }
}

pub fn print_json<T: serde::Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => outln!("{s}"),
        Err(e) => eprintln!("error: {e}"),
    }
}

/// Reads a request from a file, or stdin for `-`: `Err` when it cannot
/// be read (exit 2), `Ok(Err)` when what was read is not a request's text
/// (exit 1). At most one byte past the request limit is read, so a huge
/// input is refused without being held in memory.
pub fn read_request(path: &str) -> Result<Result<String, RequestError>, String> {
    use std::io::Read;
    let limit = autoseal::limits::MAX_REQUEST_BYTES;
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin()
            .lock()
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(limit as u64 + 1).read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read `{path}`: {e}"))
    };
    read?;
    Ok(request_text(bytes))
}

/// A request's bytes as text, or why they are not one.
pub fn request_text(bytes: Vec<u8>) -> Result<String, RequestError> {
    let limit = autoseal::limits::MAX_REQUEST_BYTES;
    if bytes.len() > limit {
        return Err(RequestError::new(
            "",
            format!("request is larger than {limit} bytes"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        RequestError::new("", format!("not UTF-8 (at byte {at})"))
    })
}
