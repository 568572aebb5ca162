//! Load-time problems and how they are shown: rustc-style text with the
//! source line and a marker under the span, or JSON with the same data.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::{Deserialize, Serialize};

pub use crate::check::{AdminAct, CheckError, CheckWarning, Close, NeverWhy, QualifierHint};
use crate::i18n::{Lang, Params};
pub use crate::model::Void;
use crate::source::{SourceFile, Sources, Span};
use crate::syntax::SyntaxError;

/// Longer source lines are not shown in full in a report.
const MAX_SHOWN_LINE: usize = 1000;

/// A source line, cut to [`MAX_SHOWN_LINE`] bytes (at a character boundary).
fn shorten(line: &str) -> String {
    if line.len() <= MAX_SHOWN_LINE {
        return line.to_owned();
    }
    let mut end = MAX_SHOWN_LINE;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", line.get(..end).unwrap_or(""))
}

/// Defines [`Code`] from one table: each code's variant, its string (as
/// text and JSON show it) and its severity.
macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal, $severity:ident;)*) => {
        /// What kind of problem a diagnostic is: one code for each variant of
        /// [`SyntaxError`], [`CheckError`] and [`CheckWarning`]. Its string
        /// ([`Code::as_str`]) is what text and JSON reports show.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, syntax errors first, then check errors, then
            /// warnings.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// `syntax::missing_by`, `unknown_org`, `never_applies`, ...
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }

            /// The code of a string ([`Code::as_str`]).
            pub fn parse(s: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str() == s)
            }

            /// Whether a problem of this kind stops the load.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }
        }
    };
}

codes! {
    // SyntaxError
    /// A file is not valid UTF-8.
    NotUtf8 = "syntax::not_utf8", Error;
    /// A file contains a NUL byte.
    NulByte = "syntax::nul_byte", Error;
    /// A file is larger than the limit.
    FileTooLarge = "syntax::file_too_large", Error;
    /// A line is longer than the limit.
    LineTooLong = "syntax::line_too_long", Error;
    /// Parentheses are nested deeper than the limit.
    TooDeep = "syntax::too_deep", Error;
    /// The set has more statements than the limit.
    TooManyStatements = "syntax::too_many_statements", Error;
    /// Not what the grammar expects here.
    Unexpected = "syntax::unexpected", Error;
    /// `accepted TIME` without `by PERSON`.
    MissingBy = "syntax::missing_by", Error;
    /// An indented line with no statement above it to continue.
    NothingToContinue = "syntax::nothing_to_continue", Error;
    /// A time that cannot be read or does not exist.
    BadTime = "syntax::bad_time", Error;
    /// A time finer than a microsecond.
    TimePrecision = "syntax::time_precision", Error;
    /// A number with more digits than the limit.
    NumberTooLarge = "syntax::number_too_large", Error;
    /// A string longer than the limit.
    StringTooLong = "syntax::string_too_long", Error;
    /// An escape a string does not accept.
    BadEscape = "syntax::bad_escape", Error;
    /// A UTC offset that cannot be read.
    BadOffset = "syntax::bad_offset", Error;
    /// A count of days or months out of range.
    BadCount = "syntax::bad_count", Error;
    // CheckError
    /// An org no statement declares.
    UnknownOrg = "unknown_org", Error;
    /// A person the org does not have.
    UnknownPerson = "unknown_person", Error;
    /// A seal the org does not have.
    UnknownSeal = "unknown_seal", Error;
    /// A template the org does not have.
    UnknownTemplate = "unknown_template", Error;
    /// A role not among the template's `signatories`.
    UnknownRole = "unknown_role", Error;
    /// An invite no statement declares.
    UnknownInvite = "unknown_invite", Error;
    /// A label no statement has.
    UnknownLabel = "unknown_label", Error;
    /// A kind of seal that does not exist.
    UnknownSealKind = "unknown_seal_kind", Error;
    /// A name or label declared twice.
    DuplicateName = "duplicate_name", Error;
    /// An org with two `super_admin` lines.
    TwoSuperAdmins = "two_super_admins", Error;
    /// A plain date with no `timezone` above it in its file.
    DateWithoutTimezone = "date_without_timezone", Error;
    /// `from` after `until`.
    FromAfterUntil = "from_after_until", Error;
    /// A seal or template of another org than the statement needs.
    WrongOrg = "wrong_org", Error;
    /// A name qualified with another org where the org is known.
    WrongQualifier = "wrong_qualifier", Error;
    /// A bare name where no org is known.
    UnqualifiedName = "unqualified_name", Error;
    /// `on behalf of` an org outside the group.
    NotGroupMember = "not_group_member", Error;
    /// An act that needs the super admin, by someone else.
    NotSuperAdmin = "not_super_admin", Error;
    /// Two `changes super admin` of one org at the same instant.
    TwoAdminChanges = "two_admin_changes", Error;
    /// Two rules without conditions give one key different seals at the same instant.
    ConflictingRules = "conflicting_rules", Error;
    /// A declared attribute compared with a value of another type.
    AttributeType = "attribute_type", Error;
    /// `<`, `<=`, `>` or `>=` with something other than a number.
    OrderingNeedsNumber = "ordering_needs_number", Error;
    /// An invite without a label (nothing could accept it).
    InviteWithoutLabel = "invite_without_label", Error;
    /// A label of the wrong kind of statement.
    WrongTarget = "wrong_target", Error;
    /// An org in two groups.
    TwoGroups = "two_groups", Error;
    /// A group's main org listed among its members.
    MainIsMember = "main_is_member", Error;
    // CheckWarning
    /// A grant that is void, and why.
    VoidGrant = "void_grant", Warning;
    /// A rule that can never apply.
    NeverApplies = "never_applies", Warning;
    /// A rule whose every auto-seal is blocked by `forbid`s.
    NeverSeals = "never_seals", Warning;
    /// Two rules that say the same thing.
    DuplicateRule = "duplicate_rule", Warning;
    /// An invite no grant accepts.
    InviteNeverAccepted = "invite_never_accepted", Warning;
    /// `changes super admin` to the person who already is.
    AdminUnchanged = "admin_unchanged", Warning;
    /// `enables` without `by`.
    EnablesWithoutBy = "enables_without_by", Warning;
    /// An attribute used in a condition but not declared.
    UndeclaredAttribute = "undeclared_attribute", Warning;
    /// `x in []`, which never holds.
    EmptyList = "empty_list", Warning;
    /// A rule revoked more than once.
    RevokedTwice = "revoked_twice", Warning;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let s = String::deserialize(d)?;
        Code::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown diagnostic code `{s}`")))
    }
}

/// Gives an error type (whose variants have a `code()`, a `span()` and
/// their `params()`) its message, help and label in a language from the
/// catalog, and the `Display`, `Error` and miette `Diagnostic` that show
/// them in English: the text of a diagnostic is written once, in
/// `locales/*/diagnostics.ftl`.
macro_rules! localized {
    ($ty:ty) => {
        impl $ty {
            /// Its message in `lang`.
            pub fn message_in(&self, lang: $crate::i18n::Lang) -> String {
                let part = $crate::i18n::Part::Message;
                $crate::i18n::diag_text(lang, self.code(), part, &self.params()).unwrap_or_default()
            }

            /// Its help in `lang`, if it has one.
            pub fn help_in(&self, lang: $crate::i18n::Lang) -> Option<String> {
                let part = $crate::i18n::Part::Help;
                $crate::i18n::diag_text(lang, self.code(), part, &self.params())
            }

            /// The label under its span in `lang`.
            pub fn label_in(&self, lang: $crate::i18n::Lang) -> String {
                let part = $crate::i18n::Part::Label;
                $crate::i18n::diag_text(lang, self.code(), part, &self.params()).unwrap_or_default()
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.message_in($crate::i18n::Lang::En))
            }
        }

        impl ::std::error::Error for $ty {}

        impl ::miette::Diagnostic for $ty {
            fn severity(&self) -> Option<::miette::Severity> {
                Some($crate::diag::miette_severity(self.code().severity()))
            }

            fn help<'a>(&'a self) -> Option<Box<dyn ::std::fmt::Display + 'a>> {
                self.help_in($crate::i18n::Lang::En)
                    .map(|h| Box::new(h) as Box<dyn ::std::fmt::Display>)
            }

            fn labels(&self) -> Option<Box<dyn Iterator<Item = ::miette::LabeledSpan> + '_>> {
                let label = self.label_in($crate::i18n::Lang::En);
                Some(Box::new(::std::iter::once(
                    ::miette::LabeledSpan::new_with_span(Some(label), self.span()),
                )))
            }
        }
    };
}
pub(crate) use localized;

/// How miette shows a severity.
pub(crate) fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    }
}

/// One problem found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    /// A syntax error: the text is not the language.
    Syntax(SyntaxError),
    /// An error of meaning (an unknown name, a duplicate, a time out of range...): the set does not load.
    Error(CheckError),
    /// A warning: the set loads, but something is likely not what was meant.
    Warning(CheckWarning),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
/// Whether a diagnostic stops the load.
pub enum Severity {
    /// The policy set does not load.
    Error,
    /// The policy set loads anyway.
    Warning,
}

impl Diagnostic {
    /// Whether it stops the load.
    pub fn severity(&self) -> Severity {
        match self {
            Diagnostic::Warning(_) => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// Where it points: the file and byte range.
    pub fn span(&self) -> Span {
        match self {
            Diagnostic::Syntax(e) => e.span(),
            Diagnostic::Error(e) => e.span(),
            Diagnostic::Warning(w) => w.span(),
        }
    }

    /// The stable kind, e.g. `unknown_org` or `syntax::unexpected`.
    pub fn code(&self) -> Code {
        match self {
            Diagnostic::Syntax(e) => e.code(),
            Diagnostic::Error(e) => e.code(),
            Diagnostic::Warning(w) => w.code(),
        }
    }

    /// The values its message names, by key (see
    /// [`crate::i18n::diag_params`]): the same in every language.
    pub fn params(&self) -> Params {
        match self {
            Diagnostic::Syntax(e) => e.params(),
            Diagnostic::Error(e) => e.params(),
            Diagnostic::Warning(w) => w.params(),
        }
    }

    /// Its message in English.
    pub fn message(&self) -> String {
        self.message_in(Lang::En)
    }

    /// Its help in English, if it has one.
    pub fn help(&self) -> Option<String> {
        self.help_in(Lang::En)
    }

    /// Its message in `lang`.
    pub fn message_in(&self, lang: Lang) -> String {
        match self {
            Diagnostic::Syntax(e) => e.message_in(lang),
            Diagnostic::Error(e) => e.message_in(lang),
            Diagnostic::Warning(w) => w.message_in(lang),
        }
    }

    /// Its help in `lang`, if it has one.
    pub fn help_in(&self, lang: Lang) -> Option<String> {
        match self {
            Diagnostic::Syntax(e) => e.help_in(lang),
            Diagnostic::Error(e) => e.help_in(lang),
            Diagnostic::Warning(w) => w.help_in(lang),
        }
    }

    /// The label under its span in `lang`.
    pub fn label_in(&self, lang: Lang) -> String {
        match self {
            Diagnostic::Syntax(e) => e.label_in(lang),
            Diagnostic::Error(e) => e.label_in(lang),
            Diagnostic::Warning(w) => w.label_in(lang),
        }
    }
}

/// Every problem of a load, in the order found (each phase in source order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// The problems, in the order found.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// How many are errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    /// How many are warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Whether any is an error (the set does not load).
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Human-readable report of every problem, with a closing summary
    /// line, in English.
    pub fn render(&self, sources: &Sources, color: bool) -> String {
        self.render_in(sources, color, Lang::En)
    }

    /// Human-readable report of every problem, with a closing summary
    /// line, its messages in `lang`.
    pub fn render_in(&self, sources: &Sources, color: bool, lang: Lang) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        // Wrapped for a person at a terminal; one line per message when
        // piped, so that a grep finds a whole message (and its times).
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_width(if color { 100 } else { 100_000 })
            .with_break_words(false);
        let mut out = String::new();
        for d in &self.items {
            let span = d.span();
            let Some(file) = sources.get(span.file) else {
                continue;
            };
            let (line, _) = file.line_col(span.start);
            if file.line_text(line).len() > MAX_SHOWN_LINE {
                // A huge line (the limit's own error) is not echoed back.
                let sev = if d.severity() == Severity::Error {
                    "error"
                } else {
                    "warning"
                };
                out.push_str(&format!(
                    "{sev}[{}]: {}\n  --> {}\n",
                    d.code(),
                    d.message_in(lang),
                    sources.location(span)
                ));
                if let Some(h) = d.help_in(lang) {
                    out.push_str(&format!("  help: {h}\n"));
                }
                out.push('\n');
                continue;
            }
            let wrapped = WithSource {
                message: d.message_in(lang),
                help: d.help_in(lang),
                label: d.label_in(lang),
                severity: d.severity(),
                span,
                code: d.code(),
                source: FileView { file },
            };
            if handler.render_report(&mut out, &wrapped).is_err() {
                out.push_str(&format!(
                    "{}: {}\n",
                    sources.location(span),
                    wrapped.message
                ));
            }
            out.push('\n');
        }
        out.push_str(&self.summary_in(lang));
        out.push('\n');
        out
    }

    /// `2 errors, 1 warning` (or `no problems`).
    pub fn summary(&self) -> String {
        self.summary_in(Lang::En)
    }

    /// [`Diagnostics::summary`] in `lang`.
    pub fn summary_in(&self, lang: Lang) -> String {
        let (e, w) = (self.error_count(), self.warning_count());
        if e == 0 && w == 0 {
            return crate::i18n::report_text(lang, "report-no-problems", &[]);
        }
        crate::i18n::report_text(lang, "report-summary", &[("errors", e), ("warnings", w)])
    }

    /// Every problem as data, for `--format json`, with messages in
    /// English.
    pub fn to_json(&self, sources: &Sources) -> Vec<DiagnosticJson> {
        self.to_json_in(sources, Lang::En)
    }

    /// Every problem as data, with messages in `lang` (codes and params
    /// are the same in every language).
    pub fn to_json_in(&self, sources: &Sources, lang: Lang) -> Vec<DiagnosticJson> {
        self.items
            .iter()
            .map(|d| {
                let span = d.span();
                let file = sources.get(span.file);
                let (line, column) = file.map_or((0, 0), |f| f.line_col(span.start));
                let (end_line, end_column) = file.map_or((0, 0), |f| f.line_col(span.end));
                DiagnosticJson {
                    severity: d.severity(),
                    code: d.code(),
                    message: d.message_in(lang),
                    help: d.help_in(lang),
                    params: d.params(),
                    file: file.map(|f| f.name.clone()).unwrap_or_default(),
                    line,
                    column,
                    end_line,
                    end_column,
                    source_line: file.map(|f| shorten(f.line_text(line))).unwrap_or_default(),
                }
            })
            .collect()
    }
}

/// One problem as JSON. Read back (it is `Deserialize`), it can be shown
/// in another language: [`DiagnosticJson::localize`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DiagnosticJson {
    /// `error` or `warning`.
    pub severity: Severity,
    /// The stable code, e.g. `unknown_org`.
    pub code: Code,
    /// The message, in the language asked.
    pub message: String,
    /// The help, if it has one, in the language asked.
    pub help: Option<String>,
    /// The values the message names, by key: the same in every language.
    pub params: Params,
    /// The file's name, as loaded.
    pub file: String,
    /// The line it starts at, from 1.
    pub line: usize,
    /// The column it starts at, from 1, in characters.
    pub column: usize,
    /// The line it ends at, from 1.
    pub end_line: usize,
    /// The column it ends at, from 1, in characters (exclusive).
    pub end_column: usize,
    /// The text of its first line.
    pub source_line: String,
}

impl DiagnosticJson {
    /// Its message and help rendered again, in `lang`, from its code and
    /// params (which are the same in every language).
    pub fn localize(&mut self, lang: Lang) {
        use crate::i18n::{diag_text, Part};
        if let Some(m) = diag_text(lang, self.code, Part::Message, &self.params) {
            self.message = m;
        }
        self.help = diag_text(lang, self.code, Part::Help, &self.params);
    }
}

/// A diagnostic's words in a language, with its code and the text of its
/// file attached, for miette.
struct WithSource<'a> {
    message: String,
    help: Option<String>,
    label: String,
    severity: Severity,
    span: Span,
    code: Code,
    source: FileView<'a>,
}

/// How miette shows a code: `autoseal::unknown_org`.
struct Qualified(Code);

impl fmt::Display for Qualified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "autoseal::{}", self.0)
    }
}

/// A file's text for miette, read through the file's line starts.
///
/// miette finds the lines around a span by scanning the text from its
/// start, so reporting many problems in one file was quadratic: 10,000
/// warnings took 20 s, 50,000 seven minutes. Here miette is given only the
/// lines around the span (found by binary search in the line starts),
/// and its answer is moved back to where those lines are in the file:
/// the same answer, in time that does not grow with the file.
///
/// Columns are counted in characters: miette counts bytes, so the
/// `file:line:col` it prints after Chinese text would not match `--format
/// json` (nor an editor).
struct FileView<'a> {
    file: &'a SourceFile,
}

impl FileView<'_> {
    /// The index of the line holding byte `offset` (past the end: the last).
    fn line_of(&self, offset: usize) -> usize {
        let starts = self.file.line_starts();
        starts
            .partition_point(|&s| s as usize <= offset)
            .saturating_sub(1)
    }
}

impl miette::SourceCode for FileView<'_> {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &str = &self.file.text;
        let starts = self.file.line_starts();
        let (offset, len) = (span.offset(), span.len());
        if offset > text.len() {
            return Err(miette::MietteError::OutOfBounds);
        }
        // The lines miette looks at, and one more on each side: it decides
        // where the context starts and ends by the line breaks around it.
        let first = self
            .line_of(offset)
            .saturating_sub(before.saturating_add(1));
        let last = self
            .line_of(offset.saturating_add(len).min(text.len()))
            .saturating_add(after)
            .saturating_add(2);
        let start = starts.get(first).map_or(0, |&s| s as usize);
        let end = starts
            .get(last.saturating_add(1))
            .map_or(text.len(), |&s| s as usize);
        let window = text.get(start..end).unwrap_or("");
        // Before the window: `first` lines, each ended by one line break.
        let local = miette::SourceSpan::new(offset.saturating_sub(start).into(), len);
        let c = window.read_span(&local, before, after)?;
        let data_start = start + c.span().offset();
        let mut column = c.column();
        if column != 0 {
            // Bytes into the line, in characters.
            let line_start = offset.saturating_sub(column);
            if let Some(chars) = text.get(line_start..offset).map(|s| s.chars().count()) {
                column = chars;
            }
        }
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.file.name.clone(),
            c.data(),
            miette::SourceSpan::new(data_start.into(), c.span().len()),
            c.line() + first,
            column,
            c.line_count() + first,
        )))
    }
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithSource")
            .field("code", &self.code)
            .field("message", &self.message)
            .finish()
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WithSource<'_> {}

impl miette::Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(Qualified(self.code)))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.severity))
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'b>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some(self.label.clone()), self.span),
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use miette::{NamedSource, SourceCode, SourceSpan, SpanContents};

    use super::*;

    /// What a span reads as, to compare.
    fn parts(c: &dyn SpanContents<'_>) -> (Vec<u8>, usize, usize, usize, usize, usize) {
        (
            c.data().to_vec(),
            c.span().offset(),
            c.span().len(),
            c.line(),
            c.column(),
            c.line_count(),
        )
    }

    /// The file view answers exactly as miette does reading the whole text
    /// (with columns in characters), for every span of texts with every
    /// kind of line break, blank lines, wide characters and no final break.
    #[test]
    fn file_view_reads_as_miette_does() {
        let texts = [
            "a\nbb\n\nccc\ndd\ne",
            "甲方\r\n乙方 x\r\n\r\n丙\r\nlast\r\n",
            "one\rtwo\r\rthree\n四\n",
            "",
            "\n\n\n",
            "no break at all",
        ];
        for text in texts {
            let file = SourceFile::new("f.policy", text);
            let view = FileView { file: &file };
            let whole = NamedSource::new("f.policy", text.to_owned());
            // Spans inside the text (miette panics on others; a
            // diagnostic's span always is).
            for offset in 0..=text.len() {
                for len in 0..=text.len() - offset {
                    for (before, after) in [(0, 0), (1, 1), (2, 2), (0, 1), (3, 0)] {
                        let span = SourceSpan::new(offset.into(), len);
                        let got = view.read_span(&span, before, after);
                        let want = whole.read_span(&span, before, after);
                        let (got, want) = match (got, want) {
                            (Ok(g), Ok(w)) => (g, w),
                            (Err(_), Err(_)) => continue,
                            (g, w) => panic!(
                                "{text:?} {offset}+{len} ({before}, {after}): {:?} vs {:?}",
                                g.map(|c| parts(&*c)),
                                w.map(|c| parts(&*c))
                            ),
                        };
                        let mut want_parts = parts(&*want);
                        if want_parts.4 != 0 {
                            let line_start = offset - want_parts.4;
                            if let Some(s) = text.get(line_start..offset) {
                                want_parts.4 = s.chars().count();
                            }
                        }
                        assert_eq!(
                            parts(&*got),
                            want_parts,
                            "{text:?} {offset}+{len} ({before}, {after})"
                        );
                        assert_eq!(got.name(), Some("f.policy"));
                    }
                }
            }
        }
    }
}
