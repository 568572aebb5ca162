//! Load-time problems and how they are shown: rustc-style text with the
//! source line and a marker under the span, or JSON with the same data.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::{Deserialize, Serialize};

use crate::check::{CheckError, CheckWarning};
use crate::i18n::{Lang, Params};
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
    NotUtf8 = "syntax::not_utf8", Error;
    NulByte = "syntax::nul_byte", Error;
    FileTooLarge = "syntax::file_too_large", Error;
    LineTooLong = "syntax::line_too_long", Error;
    TooDeep = "syntax::too_deep", Error;
    TooManyStatements = "syntax::too_many_statements", Error;
    Unexpected = "syntax::unexpected", Error;
    MissingBy = "syntax::missing_by", Error;
    NothingToContinue = "syntax::nothing_to_continue", Error;
    BadTime = "syntax::bad_time", Error;
    TimePrecision = "syntax::time_precision", Error;
    NumberTooLarge = "syntax::number_too_large", Error;
    StringTooLong = "syntax::string_too_long", Error;
    BadEscape = "syntax::bad_escape", Error;
    BadOffset = "syntax::bad_offset", Error;
    BadCount = "syntax::bad_count", Error;
    // CheckError
    UnknownOrg = "unknown_org", Error;
    UnknownPerson = "unknown_person", Error;
    UnknownSeal = "unknown_seal", Error;
    UnknownTemplate = "unknown_template", Error;
    UnknownRole = "unknown_role", Error;
    UnknownInvite = "unknown_invite", Error;
    UnknownLabel = "unknown_label", Error;
    UnknownSealKind = "unknown_seal_kind", Error;
    DuplicateName = "duplicate_name", Error;
    TwoSuperAdmins = "two_super_admins", Error;
    DateWithoutTimezone = "date_without_timezone", Error;
    FromAfterUntil = "from_after_until", Error;
    WrongOrg = "wrong_org", Error;
    WrongQualifier = "wrong_qualifier", Error;
    UnqualifiedName = "unqualified_name", Error;
    NotGroupMember = "not_group_member", Error;
    NotSuperAdmin = "not_super_admin", Error;
    TwoAdminChanges = "two_admin_changes", Error;
    ConflictingRules = "conflicting_rules", Error;
    AttributeType = "attribute_type", Error;
    OrderingNeedsNumber = "ordering_needs_number", Error;
    InviteWithoutLabel = "invite_without_label", Error;
    WrongTarget = "wrong_target", Error;
    TwoGroups = "two_groups", Error;
    MainIsMember = "main_is_member", Error;
    // CheckWarning
    VoidGrant = "void_grant", Warning;
    NeverApplies = "never_applies", Warning;
    NeverSeals = "never_seals", Warning;
    DuplicateRule = "duplicate_rule", Warning;
    InviteNeverAccepted = "invite_never_accepted", Warning;
    AdminUnchanged = "admin_unchanged", Warning;
    EnablesWithoutBy = "enables_without_by", Warning;
    UndeclaredAttribute = "undeclared_attribute", Warning;
    EmptyList = "empty_list", Warning;
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
    Syntax(SyntaxError),
    Error(CheckError),
    Warning(CheckWarning),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Diagnostic {
    pub fn severity(&self) -> Severity {
        match self {
            Diagnostic::Warning(_) => Severity::Warning,
            _ => Severity::Error,
        }
    }

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
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

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
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub help: Option<String>,
    /// The values the message names, by key: the same in every language.
    pub params: Params,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
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
