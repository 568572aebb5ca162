//! Errors found while reading policy text. Each variant has one [`Code`]
//! (its `code()`), which reports show, and its [`Params`] (its
//! `params()`): the values its message names, from which the catalog
//! (`locales/*/diagnostics.ftl`) renders its message, help and label in
//! each language. A variant holds data, never a sentence.

use crate::diag::Code;
use crate::i18n::Params;
use crate::source::Span;
use crate::time::TimeError;

/// Policy text that is not the language (`docs/language.md` section 9).
/// Always an error; one bad statement does not hide the problems of the
/// others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxError {
    /// The file is not valid UTF-8 (at the first bad byte).
    NotUtf8 {
        /// The first byte that is not UTF-8.
        span: Span,
    },

    /// The file contains a NUL byte.
    NulByte {
        /// The NUL byte.
        span: Span,
    },

    /// The file is larger than the limit (in bytes).
    FileTooLarge {
        /// Its size, in bytes.
        size: usize,
        /// The limit.
        limit: usize,
        /// Where.
        span: Span,
    },

    /// A line is longer than the limit (in bytes).
    LineTooLong {
        /// Its length, in bytes.
        len: usize,
        /// The limit.
        limit: usize,
        /// Where.
        span: Span,
    },

    /// Parentheses nested deeper than the limit.
    TooDeep {
        /// The limit.
        limit: usize,
        /// Where.
        span: Span,
    },

    /// More statements in the set than the limit.
    TooManyStatements {
        /// The limit.
        limit: usize,
        /// Where.
        span: Span,
    },

    /// Not what the grammar expects here.
    Unexpected {
        /// What would have been read, in order.
        expected: Vec<Expected>,
        /// What was there instead.
        found: Found,
        /// Where.
        span: Span,
        /// Which help it gets, if any.
        hint: Option<UnexpectedHint>,
    },

    /// `accepted TIME` without `by PERSON`.
    MissingAcceptedBy {
        /// The time of `accepted`, as written.
        accepted: String,
        /// Where.
        span: Span,
    },

    /// An indented line with no statement above it to continue.
    NothingToContinue {
        /// What is above it.
        after: NothingAbove,
        /// Where.
        span: Span,
    },

    /// A time that cannot be read.
    BadTime {
        /// The text as written.
        text: String,
        /// What is wrong with it.
        problem: TimeProblem,
        /// Where.
        span: Span,
    },

    /// A time finer than a microsecond.
    TimePrecision {
        /// The text as written.
        text: String,
        /// Where.
        span: Span,
    },

    /// A number with more digits than the limit.
    NumberTooLarge {
        /// The text as written.
        text: String,
        /// The limit.
        limit: usize,
        /// Where.
        span: Span,
    },

    /// A string longer than the limit (in characters).
    StringTooLong {
        /// Its length, in characters.
        len: usize,
        /// The limit.
        limit: usize,
        /// Where.
        span: Span,
    },

    /// An escape a string does not accept.
    BadEscape {
        /// The text as written.
        text: String,
        /// Where.
        span: Span,
    },

    /// An offset that cannot be read.
    BadOffset {
        /// The text as written.
        text: String,
        /// Where.
        span: Span,
    },

    /// A count (of days or months) out of range.
    BadCount {
        /// The count as written.
        count: String,
        /// Where.
        span: Span,
    },
}

/// One thing the parser would have read: a token as written, or a kind of
/// token.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Expected {
    /// A keyword or punctuation, as written (`from`, `}`).
    Token(String),
    /// A kind of token (a name, a time...).
    Kind(ExpectedKind),
}

impl Expected {
    /// The form a param holds: a token in backticks, a kind by its key.
    pub fn param(&self) -> String {
        match self {
            Expected::Token(t) => format!("`{t}`"),
            Expected::Kind(k) => k.as_str().to_owned(),
        }
    }
}

/// A kind of token the parser expected, each shown by the catalog's
/// message `expected-KEY`. In the order of their English names, as a list
/// of them is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExpectedKind {
    /// A comparison operator (`==`, `<=`, ...).
    Comparison,
    /// A condition (`when ...`).
    Condition,
    /// A list (`[...]`).
    List,
    /// A name.
    Name,
    /// A number.
    Number,
    /// A qualified name (`ORG.NAME`).
    QualifiedName,
    /// A kind of seal (`official`, `contract`, ...).
    SealKind,
    /// A statement.
    Statement,
    /// A string literal.
    String,
    /// A time (a date or an RFC 3339 date-time).
    Time,
    /// A UTC offset (`+08:00`).
    Offset,
    /// The end of the file.
    EndOfFile,
    /// The end of the statement.
    EndOfStatement,
    /// Anything else the grammar accepts.
    SomethingElse,
}

impl ExpectedKind {
    /// Every kind, in order.
    pub const ALL: &'static [ExpectedKind] = &[
        ExpectedKind::Comparison,
        ExpectedKind::Condition,
        ExpectedKind::List,
        ExpectedKind::Name,
        ExpectedKind::Number,
        ExpectedKind::QualifiedName,
        ExpectedKind::SealKind,
        ExpectedKind::Statement,
        ExpectedKind::String,
        ExpectedKind::Time,
        ExpectedKind::Offset,
        ExpectedKind::EndOfFile,
        ExpectedKind::EndOfStatement,
        ExpectedKind::SomethingElse,
    ];

    /// Its key: `name`, `end_of_file`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectedKind::Comparison => "comparison",
            ExpectedKind::Condition => "condition",
            ExpectedKind::List => "list",
            ExpectedKind::Name => "name",
            ExpectedKind::Number => "number",
            ExpectedKind::QualifiedName => "qualified_name",
            ExpectedKind::SealKind => "seal_kind",
            ExpectedKind::Statement => "statement",
            ExpectedKind::String => "string",
            ExpectedKind::Time => "time",
            ExpectedKind::Offset => "offset",
            ExpectedKind::EndOfFile => "end_of_file",
            ExpectedKind::EndOfStatement => "end_of_statement",
            ExpectedKind::SomethingElse => "something_else",
        }
    }
}

/// What the parser found instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The end of the file.
    EndOfFile,
    /// The end of the line.
    EndOfLine,
    /// A word or a character, as written.
    Text(String),
}

impl Found {
    /// The form a param holds: `end_of_file`, `end_of_line`, or the text
    /// in backticks.
    pub fn param(&self) -> String {
        match self {
            Found::EndOfFile => String::from("end_of_file"),
            Found::EndOfLine => String::from("end_of_line"),
            Found::Text(t) => format!("`{t}`"),
        }
    }
}

/// Which help an unexpected token gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnexpectedHint {
    /// A time was expected: how times are written.
    Time,
    /// A name was expected: what a name is.
    Name,
    /// The line is indented, so it continues the statement above.
    Continuation,
    /// A keyword where a name must be.
    Keyword,
}

impl UnexpectedHint {
    /// Its key: `time`, `name`, `continuation` or `keyword`.
    pub fn as_str(self) -> &'static str {
        match self {
            UnexpectedHint::Time => "time",
            UnexpectedHint::Name => "name",
            UnexpectedHint::Continuation => "continuation",
            UnexpectedHint::Keyword => "keyword",
        }
    }
}

/// Where an indented line that continues nothing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NothingAbove {
    /// The start of the file.
    StartOfFile,
    /// Right after an org block's `}`.
    OrgBlock,
}

/// Why a time cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeProblem {
    /// Not an RFC 3339 time; `detail` says what is wrong (see
    /// [`TimeError::NotRfc3339`]).
    NotRfc3339 {
        /// What is wrong, as a key (`out_of_range`, `bad_format`, ...).
        detail: &'static str,
    },
    /// A date that does not exist (`2026-02-30`).
    NoSuchDate,
    /// A year outside those supported.
    YearOutOfRange,
}

impl SyntaxError {
    /// A time that could not be read, as [`TimeError`] says.
    pub fn bad_time(e: &TimeError, span: Span) -> SyntaxError {
        let (text, problem) = match e {
            TimeError::NotRfc3339 { text, kind, .. } => {
                (text, TimeProblem::NotRfc3339 { detail: kind })
            }
            TimeError::NoSuchDate { text } => (text, TimeProblem::NoSuchDate),
            TimeError::YearOutOfRange { text } => (text, TimeProblem::YearOutOfRange),
        };
        SyntaxError::BadTime {
            text: text.clone(),
            problem,
            span,
        }
    }

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

    /// Where it is.
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

    /// The values its message names (see [`crate::i18n::diag_params`]).
    pub fn params(&self) -> Params {
        let mut p = Params::default();
        match self {
            SyntaxError::NotUtf8 { .. } | SyntaxError::NulByte { .. } => {}
            SyntaxError::FileTooLarge { size, limit, .. } => {
                p.set("size", size.to_string());
                p.set("limit", limit.to_string());
            }
            SyntaxError::LineTooLong { len, limit, .. }
            | SyntaxError::StringTooLong { len, limit, .. } => {
                p.set("len", len.to_string());
                p.set("limit", limit.to_string());
            }
            SyntaxError::TooDeep { limit, .. } | SyntaxError::TooManyStatements { limit, .. } => {
                p.set("limit", limit.to_string())
            }
            SyntaxError::Unexpected {
                expected,
                found,
                hint,
                ..
            } => {
                p.set_list("expected", expected.iter().map(Expected::param));
                p.set("found", found.param());
                p.set_opt("hint", hint.map(UnexpectedHint::as_str));
            }
            SyntaxError::MissingAcceptedBy { accepted, .. } => p.set("accepted", accepted),
            SyntaxError::NothingToContinue { after, .. } => p.set(
                "after",
                match after {
                    NothingAbove::StartOfFile => "start_of_file",
                    NothingAbove::OrgBlock => "org_block",
                },
            ),
            SyntaxError::BadTime { text, problem, .. } => {
                p.set("text", text);
                match problem {
                    TimeProblem::NotRfc3339 { detail } => {
                        p.set("why", "not_rfc3339");
                        p.set("detail", *detail);
                    }
                    TimeProblem::NoSuchDate => p.set("why", "no_such_date"),
                    TimeProblem::YearOutOfRange => {
                        p.set("why", "year_out_of_range");
                        p.set("min_year", crate::limits::MIN_YEAR.to_string());
                        p.set("max_year", crate::limits::MAX_YEAR.to_string());
                    }
                }
            }
            SyntaxError::TimePrecision { text, .. }
            | SyntaxError::BadEscape { text, .. }
            | SyntaxError::BadOffset { text, .. } => p.set("text", text),
            SyntaxError::NumberTooLarge { text, limit, .. } => {
                p.set("text", text);
                p.set("limit", limit.to_string());
            }
            SyntaxError::BadCount { count, .. } => p.set("count", count),
        }
        p.ordered(crate::i18n::diag_params(self.code()))
    }
}

crate::diag::localized!(SyntaxError);
