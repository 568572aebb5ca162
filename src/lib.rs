#![doc = include_str!("../README.md")]
//!
//! # Pipeline
//!
//! text → [`syntax`] (the only module that sees pest) → spanned [`ast`] →
//! check (every error and warning, [`diag`]) → model → compile (indexed
//! [`Policy`]) → decisions ([`Policy::decide`], [`Policy::explain`],
//! [`Policy::prepare`]) and queries ([`Policy::templates_for`],
//! [`Policy::who`], [`Policy::audit`], [`Policy::diff`]).

#![warn(missing_docs)]

// pest_derive without `std` names `alloc`.
extern crate alloc;

pub mod ast;
mod check;
mod compile;
pub mod decision;
pub mod diag;
pub mod diff;
mod eval;
mod explain;
pub mod fmt;
pub mod i18n;
pub mod limits;
pub mod live;
pub mod load;
mod model;
mod names;
pub mod query;
pub mod request;
pub mod source;
pub mod syntax;
pub mod testcase;
pub mod time;
mod yaml;

use std::path::Path;

pub use compact_str::CompactString;
pub use compile::Policy;
pub use decision::{
    Basis, Decision, Explanation, ForeignDecision, Outcome, PolicyId, Reason, ReasonCode, Rendered,
    RenderedReason, Verdict,
};
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use eval::{Prepared, PLAN_LIMIT};
pub use i18n::{Lang, Params};
pub use load::{Analysis, Input, LoadError};
pub use model::Value;
pub use request::{Request, RequestError};
pub use time::Instant;

/// Why a policy set could not be loaded.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// A path could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] LoadError),
    /// The policy set has errors; `render` shows them.
    #[error("the policy set has {} error(s)", .analysis.diagnostics.error_count())]
    #[diagnostic(code(autoseal::invalid_policy))]
    Invalid {
        /// The sources and every diagnostic found (errors and warnings).
        analysis: Box<Analysis>,
    },
}

impl Error {
    /// Every problem, rendered as text (no colour).
    pub fn render(&self) -> String {
        match self {
            Error::Load(e) => e.to_string(),
            Error::Invalid { analysis } => analysis.diagnostics.render(&analysis.sources, false),
        }
    }
}

/// A policy set that loaded, with the warnings its check found (problems
/// short of an error: a void grant, a rule that never applies...).
#[derive(Debug)]
pub struct Loaded {
    /// The compiled policy, ready to decide.
    pub policy: Policy,
    /// Every warning, with the text it points into.
    pub warnings: Report,
}

/// Problems found in a policy set, with the text they point into: what
/// `autoseal check` prints.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The policy text the diagnostics point into.
    pub sources: source::Sources,
    /// The problems, in source order.
    pub diagnostics: Diagnostics,
}

impl Report {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// Every problem as text, rustc style, with a closing summary line
    /// (`colour` for a terminal).
    pub fn render(&self, colour: bool) -> String {
        self.diagnostics.render(&self.sources, colour)
    }

    /// Every problem as data (`check --format json`).
    pub fn to_json(&self) -> Vec<diag::DiagnosticJson> {
        self.diagnostics.to_json(&self.sources)
    }
}

impl Policy {
    /// Loads, checks and compiles policy text held in memory; warnings
    /// are dropped (see [`Policy::load`] to keep them).
    pub fn from_str(name: &str, text: &str) -> Result<Policy, Error> {
        Policy::from_inputs(vec![Input::new(name, text)])
    }

    /// Loads, checks and compiles policy files and directories (every
    /// `.policy` file under a directory, in sorted path order); warnings
    /// are dropped (see [`Policy::load_paths`] to keep them).
    pub fn from_paths<P: AsRef<Path>>(paths: &[P]) -> Result<Policy, Error> {
        Policy::load_paths(paths).map(|l| l.policy)
    }

    /// Loads, checks and compiles in-memory files; warnings are dropped
    /// (see [`Policy::load`] to keep them).
    pub fn from_inputs(inputs: Vec<Input>) -> Result<Policy, Error> {
        Policy::load(inputs).map(|l| l.policy)
    }

    /// [`Policy::load`] of policy files and directories.
    pub fn load_paths<P: AsRef<Path>>(paths: &[P]) -> Result<Loaded, Error> {
        Policy::load(load::read_inputs(paths)?)
    }

    /// Loads, checks and compiles in-memory files, keeping the warnings.
    ///
    /// ```
    /// let loaded = autoseal::Policy::load(vec![autoseal::Input::new(
    ///     "a.policy",
    ///     "org acme \"Acme\" {\n    super_admin zhang \"张三\"\n}\nacme enables auto-sign at 2026-01-05T00:00:00+08:00\n",
    /// )])
    /// .unwrap();
    /// // `enables` without `by` is allowed, with a warning.
    /// assert_eq!(loaded.warnings.diagnostics.warning_count(), 1);
    /// assert!(loaded.warnings.render(false).contains("enables_without_by"));
    /// ```
    pub fn load(inputs: Vec<Input>) -> Result<Loaded, Error> {
        Policy::from_analysis(load::analyze(inputs))
    }

    /// Compiles what [`load::analyze`] made of some files, when it found no
    /// error: for a caller that reads the diagnostics of every load (a
    /// service), and wants the policy exactly as [`Policy::load`] makes it
    /// (with the set's time zone, in which messages show instants).
    pub fn from_analysis(mut analysis: Analysis) -> Result<Loaded, Error> {
        match analysis.model.take() {
            Some(m) if !analysis.diagnostics.has_errors() => {
                let mut policy = Policy::compile(m, &analysis.sources);
                policy.time_zone = analysis.time_zone();
                Ok(Loaded {
                    policy,
                    warnings: Report {
                        sources: analysis.sources,
                        diagnostics: analysis.diagnostics,
                    },
                })
            }
            _ => Err(Error::Invalid {
                analysis: Box::new(analysis),
            }),
        }
    }
}
