//! Errors found while reading policy text. Each variant has one [`Code`]
//! (its `code()`), which reports show.

use miette::Diagnostic;
use thiserror::Error;

use crate::diag::Code;
use crate::source::Span;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum SyntaxError {
    #[error("file is not valid UTF-8")]
    #[diagnostic(help("policy files are UTF-8; re-save the file as UTF-8"))]
    NotUtf8 {
        #[label("first byte that is not UTF-8")]
        span: Span,
    },

    #[error("file contains a NUL byte")]
    #[diagnostic(help("policy files are text; this looks like a binary file"))]
    NulByte {
        #[label("NUL byte")]
        span: Span,
    },

    #[error("file is {size} bytes, more than the limit of {limit}")]
    #[diagnostic(help("split the policy set into several `.policy` files"))]
    FileTooLarge {
        size: usize,
        limit: usize,
        #[label("file starts here")]
        span: Span,
    },

    #[error("line is {len} bytes, more than the limit of {limit}")]
    #[diagnostic(help("break long rules onto indented continuation lines"))]
    LineTooLong {
        len: usize,
        limit: usize,
        #[label("line starts here")]
        span: Span,
    },

    #[error("parentheses nested more than {limit} deep")]
    #[diagnostic(help("simplify the condition"))]
    TooDeep {
        limit: usize,
        #[label("too deep")]
        span: Span,
    },

    #[error("the policy set has more than {limit} statements")]
    TooManyStatements {
        limit: usize,
        #[label("statement over the limit")]
        span: Span,
    },

    #[error("expected {expected}, found {found}")]
    Unexpected {
        expected: String,
        found: String,
        #[label("here")]
        span: Span,
        #[help]
        help: Option<String>,
    },

    #[error("`by PERSON` is missing after `accepted {accepted}`")]
    #[diagnostic(help(
        "say who accepted the invite, the partner's super admin: `accepted {accepted} by PERSON`"
    ))]
    MissingAcceptedBy {
        accepted: String,
        #[label("accepted by whom?")]
        span: Span,
    },

    #[error("indented line {after} has no statement to continue")]
    NothingToContinue {
        /// Where the line is: `at the start of the file`, `after the org
        /// block's `}``.
        after: String,
        #[label("continues nothing")]
        span: Span,
        #[help]
        help: String,
    },

    #[error("{message}")]
    #[diagnostic(help("write times as `2026-03-01T09:00:00+08:00` or dates as `2026-03-01`"))]
    BadTime {
        message: String,
        #[label("invalid time")]
        span: Span,
    },

    #[error("time `{text}` is more precise than a microsecond")]
    TimePrecision {
        text: String,
        #[label("at most 6 fractional digits")]
        span: Span,
    },

    #[error("number `{text}` has more than {limit} digits (leading zeros before the point aside)")]
    #[diagnostic(help(
        "numbers are exact decimals of at most {limit} digits, so at most {limit} decimal places"
    ))]
    NumberTooLarge {
        text: String,
        limit: usize,
        #[label("too many digits")]
        span: Span,
    },

    #[error("string is {len} characters, more than the limit of {limit}")]
    StringTooLong {
        len: usize,
        limit: usize,
        #[label("string starts here")]
        span: Span,
    },

    #[error("unknown escape `{text}` in string")]
    #[diagnostic(help("strings accept `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{{...}}`"))]
    BadEscape {
        text: String,
        #[label("unknown escape")]
        span: Span,
    },

    #[error("invalid offset `{text}`")]
    #[diagnostic(help("write an offset as `+08:00`, `-05:00` or `Z`"))]
    BadOffset {
        text: String,
        #[label("invalid offset")]
        span: Span,
    },

    #[error("`{count}` is not a valid count")]
    BadCount {
        count: String,
        #[label("expected a number from 1 to 1200")]
        span: Span,
    },
}

impl SyntaxError {
    /// What kind of problem this is.
    pub fn code(&self) -> Code {
        match self {
            SyntaxError::NotUtf8 { .. } => Code::NotUtf8,
            SyntaxError::NulByte { .. } => Code::NulByte,
            SyntaxError::FileTooLarge { .. } => Code::FileTooLarge,
            SyntaxError::LineTooLong { .. } => Code::LineTooLong,
            SyntaxError::TooDeep { .. } => Code::TooDeep,
            SyntaxError::TooManyStatements { .. } => Code::TooManyStatements,
            SyntaxError::Unexpected { .. } => Code::Unexpected,
            SyntaxError::MissingAcceptedBy { .. } => Code::MissingBy,
            SyntaxError::NothingToContinue { .. } => Code::NothingToContinue,
            SyntaxError::BadTime { .. } => Code::BadTime,
            SyntaxError::TimePrecision { .. } => Code::TimePrecision,
            SyntaxError::NumberTooLarge { .. } => Code::NumberTooLarge,
            SyntaxError::StringTooLong { .. } => Code::StringTooLong,
            SyntaxError::BadEscape { .. } => Code::BadEscape,
            SyntaxError::BadOffset { .. } => Code::BadOffset,
            SyntaxError::BadCount { .. } => Code::BadCount,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            SyntaxError::NotUtf8 { span }
            | SyntaxError::NulByte { span }
            | SyntaxError::FileTooLarge { span, .. }
            | SyntaxError::LineTooLong { span, .. }
            | SyntaxError::TooDeep { span, .. }
            | SyntaxError::TooManyStatements { span, .. }
            | SyntaxError::Unexpected { span, .. }
            | SyntaxError::MissingAcceptedBy { span, .. }
            | SyntaxError::NothingToContinue { span, .. }
            | SyntaxError::BadTime { span, .. }
            | SyntaxError::TimePrecision { span, .. }
            | SyntaxError::NumberTooLarge { span, .. }
            | SyntaxError::StringTooLong { span, .. }
            | SyntaxError::BadEscape { span, .. }
            | SyntaxError::BadOffset { span, .. }
            | SyntaxError::BadCount { span, .. } => *span,
        }
    }
}
