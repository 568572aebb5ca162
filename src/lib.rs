#![doc = include_str!("../README.md")]
//!
//! # Pipeline
//!
//! text → [`syntax`] (the only module that sees pest) → spanned [`ast`] →
//! [`check`] (every error and warning) → [`model`] → [`compile`] (indexed
//! [`Policy`]) → decisions ([`Policy::decide`], [`Policy::explain`],
//! [`Policy::prepare`]) and queries ([`Policy::templates_for`],
//! [`Policy::who`], [`Policy::audit`]).

// pest_derive without `std` names `alloc`.
extern crate alloc;

pub mod ast;
pub mod check;
pub mod compile;
pub mod decision;
pub mod diag;
mod eval;
mod explain;
pub mod fmt;
pub mod gen;
pub mod i18n;
pub mod limits;
pub mod load;
pub mod model;
mod names;
pub mod query;
pub mod request;
pub mod source;
pub mod syntax;
pub mod testcase;
pub mod time;
mod yaml;

use std::path::PathBuf;

pub use compact_str::CompactString;
pub use compile::Policy;
pub use decision::{
    Basis, Decision, Explanation, Reason, ReasonCode, Rendered, RenderedReason, Verdict,
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
    Invalid { analysis: Box<Analysis> },
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

impl Policy {
    /// Loads, checks and compiles policy text held in memory.
    pub fn from_str(name: &str, text: &str) -> Result<Policy, Error> {
        Policy::from_inputs(vec![Input::new(name, text)])
    }

    /// Loads, checks and compiles policy files and directories (every
    /// `.policy` file under a directory, in sorted path order).
    pub fn from_paths(paths: &[PathBuf]) -> Result<Policy, Error> {
        Policy::from_inputs(load::read_inputs(paths)?)
    }

    /// Loads, checks and compiles in-memory files.
    pub fn from_inputs(inputs: Vec<Input>) -> Result<Policy, Error> {
        let mut analysis = load::analyze(inputs);
        match analysis.model.take() {
            Some(m) if !analysis.diagnostics.has_errors() => {
                let mut policy = Policy::compile(m, &analysis.sources);
                policy.time_zone = analysis.time_zone();
                Ok(policy)
            }
            _ => Err(Error::Invalid {
                analysis: Box::new(analysis),
            }),
        }
    }
}
