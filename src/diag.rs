//! Load-time problems and how they are shown: rustc-style text with the
//! source line and a marker under the span, or JSON with the same data.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, NamedSource};
use serde::Serialize;

use crate::check::{CheckError, CheckWarning};
use crate::source::{Sources, Span};
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

/// One problem found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Diagnostic {
    Syntax(SyntaxError),
    Error(CheckError),
    Warning(CheckWarning),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

    fn inner(&self) -> &dyn miette::Diagnostic {
        match self {
            Diagnostic::Syntax(e) => e,
            Diagnostic::Error(e) => e,
            Diagnostic::Warning(w) => w,
        }
    }

    /// The stable kind, e.g. `unknown_org` or `syntax::unexpected`.
    pub fn code(&self) -> String {
        self.inner()
            .code()
            .map(|c| c.to_string())
            .unwrap_or_default()
            .trim_start_matches("autoseal::")
            .to_owned()
    }

    pub fn message(&self) -> String {
        self.inner().to_string()
    }

    pub fn help(&self) -> Option<String> {
        self.inner().help().map(|h| h.to_string())
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

    /// Human-readable report of every problem, with a closing summary line.
    pub fn render(&self, sources: &Sources, color: bool) -> String {
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
                    d.message(),
                    sources.location(span)
                ));
                if let Some(h) = d.help() {
                    out.push_str(&format!("  help: {h}\n"));
                }
                out.push('\n');
                continue;
            }
            let wrapped = WithSource {
                inner: d.inner(),
                source: CharColumns(NamedSource::new(file.name.clone(), file.text.clone())),
            };
            if handler.render_report(&mut out, &wrapped).is_err() {
                out.push_str(&format!("{}: {}\n", sources.location(span), d.message()));
            }
            out.push('\n');
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// `2 errors, 1 warning` (or `no problems`).
    pub fn summary(&self) -> String {
        let (e, w) = (self.error_count(), self.warning_count());
        if e == 0 && w == 0 {
            return String::from("no problems");
        }
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!("{}, {}", plural(e, "error"), plural(w, "warning"))
    }

    /// Every problem as data, for `--format json`.
    pub fn to_json(&self, sources: &Sources) -> Vec<DiagnosticJson> {
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
                    message: d.message(),
                    help: d.help(),
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

/// One problem as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticJson {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub help: Option<String>,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub source_line: String,
}

/// A diagnostic with the text of its file attached, for miette.
struct WithSource<'a> {
    inner: &'a dyn miette::Diagnostic,
    source: CharColumns,
}

/// A file's text for miette, with columns counted in characters: miette
/// counts bytes, so the `file:line:col` it prints after Chinese text would
/// not match `--format json` (nor an editor).
struct CharColumns(NamedSource<std::sync::Arc<str>>);

impl miette::SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let contents = self.0.read_span(span, before, after)?;
        if contents.column() == 0 {
            return Ok(contents);
        }
        let text = self.0.inner();
        let line_start = span.offset().saturating_sub(contents.column());
        let Some(column) = text
            .get(line_start..span.offset())
            .map(|s| s.chars().count())
        else {
            return Ok(contents);
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.0.name().to_owned(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        )))
    }
}

impl fmt::Debug for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl miette::Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.inner.labels()
    }
}
