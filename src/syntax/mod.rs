//! Policy text to syntax tree. The only module that sees pest's `Pair` and
//! `Rule`.
//!
//! A file is first scanned byte by byte (limits, comments, where each
//! statement starts); each statement is then parsed on its own, so one
//! syntax error does not hide the problems after it.

mod err;

pub use err::{
    Expected, ExpectedKind, Found, NothingAbove, SyntaxError, TimeProblem, UnexpectedHint,
};

use chrono::FixedOffset;
use pest::iterators::Pair;
use pest::Parser;
use rust_decimal::Decimal;

use crate::ast::{self, *};
use crate::limits::{MAX_LINE_BYTES, MAX_NESTING, MAX_NUMBER_DIGITS, MAX_STRING_CHARS};
use crate::source::{FileId, Span};
use crate::time::{parse_date, parse_datetime};

// In a module of its own so that pest's generated `Rule` stays private.
mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/policy.pest"]
    pub(super) struct PolicyParser;
}
use grammar::{PolicyParser, Rule};

/// Reserved words: never names. Sorted, for binary search.
pub(crate) const KEYWORDS: &[&str] = &[
    "accepted",
    "and",
    "as",
    "at",
    "attribute",
    "authorize",
    "authorizes",
    "auto-sign",
    "auto-signs",
    "behalf",
    "bool",
    "by",
    "changes",
    "day",
    "days",
    "disable",
    "disables",
    "employee",
    "enable",
    "enables",
    "false",
    "for",
    "forbid",
    "from",
    "group",
    "in",
    "initiate",
    "invite",
    "invites",
    "kind",
    "main",
    "may",
    "members",
    "month",
    "months",
    "not",
    "number",
    "of",
    "on",
    "or",
    "org",
    "partner",
    "partners",
    "reseal",
    "revoke",
    "revoked",
    "seal",
    "signatories",
    "signatory",
    "signer",
    "string",
    "super_admin",
    "template",
    "timezone",
    "to",
    "true",
    "until",
    "valid",
    "via",
    "when",
    "with",
];

/// Whether `word` is reserved. Every name of a policy set is looked up
/// here: most names are refused by their first letter and length alone
/// (a table of the keywords' lengths by first letter); the others are
/// compared with the few keywords that start with their first letter.
#[doc(hidden)]
pub fn is_keyword(word: &str) -> bool {
    let Some(&first) = word.as_bytes().first() else {
        return false;
    };
    let lengths = match first {
        b'a'..=b'z' => KEYWORD_LENGTHS
            .get(usize::from(first - b'a'))
            .copied()
            .unwrap_or(0),
        _ => 0,
    };
    if word.len() >= 32 || lengths & (1 << word.len()) == 0 {
        return false;
    }
    let from = KEYWORDS.partition_point(|k| k.as_bytes().first() < Some(&first));
    KEYWORDS
        .iter()
        .skip(from)
        .take_while(|k| k.as_bytes().first() == Some(&first))
        .any(|k| *k == word)
}

/// For each letter `a` to `z`, the lengths of the keywords that start with
/// it, as bits (bit `n`: a keyword of `n` bytes).
const KEYWORD_LENGTHS: [u32; 26] = keyword_lengths();

// In a constant, an index out of bounds is a compile error, not a panic.
#[allow(clippy::indexing_slicing)]
const fn keyword_lengths() -> [u32; 26] {
    let mut out = [0u32; 26];
    let mut k = 0;
    while k < KEYWORDS.len() {
        let word = KEYWORDS[k].as_bytes();
        // Every keyword is lowercase ASCII, shorter than 32 bytes.
        out[(word[0] - b'a') as usize] |= 1 << word.len();
        k += 1;
    }
    out
}

/// A comment: `#` to the end of its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment {
    /// Where: from `#` to the end of the line.
    pub span: Span,
}

/// The result of reading one file: its statements, its comments, and every
/// problem found. Statements that could not be read are left out.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The statements that could be read, in order.
    pub ast: FileAst,
    /// Every comment, in order.
    pub comments: Vec<Comment>,
    /// Every problem found, in order.
    pub errors: Vec<SyntaxError>,
}

/// What the byte scan finds.
struct Scan {
    comments: Vec<Comment>,
    /// Byte offsets where statements start (outside brackets, at column 0).
    starts: Vec<usize>,
    /// Indented lines with no statement above to continue: where each run
    /// of them starts (the first line's indentation), to the next
    /// statement. Reported, never parsed.
    orphans: Vec<usize>,
    errors: Vec<SyntaxError>,
    /// Statement chunks (by index into `starts`) too deep to parse.
    too_deep: Vec<usize>,
}

/// What an indented line at the top level continues.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Above {
    /// Nothing: the start of the file.
    FileStart,
    /// A statement, which the line continues.
    Statement,
    /// Nothing: an org block that ended with its `}`.
    OrgBlock,
    /// A run of orphan lines already reported.
    Orphan,
}

/// Whether the byte scan must look at `b` (everything else is skipped in
/// a tight loop).
fn scan_stops_at(b: u8) -> bool {
    matches!(
        b,
        0 | b'\n' | b'\r' | b'"' | b'\\' | b'#' | b'[' | b']' | b'{' | b'}' | b'(' | b')'
    )
}

fn scan(file: FileId, text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut s = Scan {
        comments: Vec::new(),
        starts: Vec::new(),
        orphans: Vec::new(),
        errors: Vec::new(),
        too_deep: Vec::new(),
    };
    let mut in_string = false;
    let mut escaped = false;
    let mut brackets = 0usize; // `[` and `{`
    let mut parens = 0usize;
    let mut above = Above::FileStart;
    // Lines whose length is still to be checked, up to their `\n`: where
    // each starts, and where its error goes among the errors (an error for
    // a line comes before the errors found in it).
    let mut pending: Vec<(usize, usize)> = Vec::new();
    let mut i = 0usize;
    if !bytes.is_empty() {
        scan_line_start(file, text, 0, &mut s, brackets, &mut parens, &mut above);
        pending.push((0, s.errors.len()));
    }
    loop {
        while bytes.get(i).is_some_and(|&b| !scan_stops_at(b)) {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else { break };
        let mut new_line = false;
        match b {
            0 => s.errors.push(SyntaxError::NulByte {
                span: Span::new(file, i, i + 1),
            }),
            // A line ends at `\n`, `\r\n` or a lone `\r` (pest's `NEWLINE`).
            b'\n' => {
                in_string = false;
                new_line = true;
                // Lines are measured to their `\n`.
                line_too_long(file, &mut s.errors, &mut pending, i);
            }
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => {
                in_string = false;
                new_line = true;
            }
            _ if in_string => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
            }
            b'"' => in_string = true,
            b'#' => {
                let end = bytes
                    .get(i..)
                    .and_then(|rest| rest.iter().position(|&c| c == b'\n' || c == b'\r'))
                    .map_or(bytes.len(), |p| i + p);
                s.comments.push(Comment {
                    span: Span::new(file, i, end),
                });
                i = end;
                continue;
            }
            b'[' | b'{' => brackets += 1,
            b']' => brackets = brackets.saturating_sub(1),
            b'}' => {
                brackets = brackets.saturating_sub(1);
                if brackets == 0 && above == Above::Statement {
                    above = Above::OrgBlock;
                }
            }
            b'(' => {
                parens += 1;
                if parens == MAX_NESTING + 1 {
                    s.errors.push(SyntaxError::TooDeep {
                        limit: MAX_NESTING,
                        span: Span::new(file, i, i + 1),
                    });
                    // (Orphan lines are not parsed, and the text before
                    // the first statement fails before any parenthesis.)
                    if matches!(above, Above::Statement | Above::OrgBlock) {
                        s.too_deep.push(s.starts.len().saturating_sub(1));
                    }
                }
            }
            b')' => parens = parens.saturating_sub(1),
            _ => {}
        }
        i += 1;
        if new_line && i < bytes.len() {
            pending.push((i, s.errors.len()));
            scan_line_start(file, text, i, &mut s, brackets, &mut parens, &mut above);
        }
    }
    line_too_long(file, &mut s.errors, &mut pending, bytes.len());
    s
}

/// The lines in `pending` that end at `end` (their `\n`, or the end of
/// the text): each longer than the limit is reported, at its start.
fn line_too_long(
    file: FileId,
    errors: &mut Vec<SyntaxError>,
    pending: &mut Vec<(usize, usize)>,
    end: usize,
) {
    // From the last, so that each error goes where it would have been
    // pushed when its line started.
    while let Some((start, at)) = pending.pop() {
        let len = end - start;
        if len > MAX_LINE_BYTES {
            errors.insert(
                at.min(errors.len()),
                SyntaxError::LineTooLong {
                    len,
                    limit: MAX_LINE_BYTES,
                    span: Span::new(file, start, start),
                },
            );
        }
    }
}

/// What the first byte of a line (at `i`) tells: a statement starts, or
/// an indented line has nothing to continue.
fn scan_line_start(
    file: FileId,
    text: &str,
    i: usize,
    s: &mut Scan,
    brackets: usize,
    parens: &mut usize,
    above: &mut Above,
) {
    let bytes = text.as_bytes();
    let Some(&b) = bytes.get(i) else { return };
    if brackets != 0 {
        return;
    }
    if !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'#' | b'}') {
        s.starts.push(i);
        *parens = 0;
        *above = Above::Statement;
    } else if matches!(b, b' ' | b'\t') {
        // An indented line: blank, a comment, or a continuation.
        let indent = bytes.get(i..).map_or(0, |rest| {
            rest.iter()
                .take_while(|c| matches!(c, b' ' | b'\t'))
                .count()
        });
        let first = bytes.get(i + indent).copied();
        let holds_something = !matches!(first, None | Some(b'\n' | b'\r' | b'#'));
        if holds_something && matches!(*above, Above::FileStart | Above::OrgBlock) {
            s.errors
                .push(nothing_to_continue(file, text, i + indent, *above));
            s.orphans.push(i);
            *above = Above::Orphan;
        }
    }
}

/// The error for an indented line at `start` (its first character) with
/// nothing above it to continue.
fn nothing_to_continue(file: FileId, text: &str, start: usize, above: Above) -> SyntaxError {
    let line = text.get(start..).unwrap_or("");
    let line = line.split(['\n', '\r']).next().unwrap_or("");
    // The line's text, without a comment at its end.
    let mut in_string = false;
    let mut escaped = false;
    let mut len = line.len();
    for (k, c) in line.char_indices() {
        match c {
            _ if in_string && escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => {
                len = k;
                break;
            }
            _ => {}
        }
    }
    let len = line.get(..len).map_or(len, |l| l.trim_end().len());
    SyntaxError::NothingToContinue {
        after: match above {
            Above::OrgBlock => NothingAbove::OrgBlock,
            _ => NothingAbove::StartOfFile,
        },
        span: Span::new(file, start, start + len),
    }
}

/// `text` with every comment turned into spaces (same length, so spans do
/// not move): see the grammar.
fn blank_comments<'t>(text: &'t str, comments: &[Comment]) -> std::borrow::Cow<'t, str> {
    if comments.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.as_bytes().to_vec();
    for c in comments {
        if let Some(run) = out.get_mut(c.span.start as usize..c.span.end as usize) {
            run.fill(b' ');
        }
    }
    // Whole UTF-8 sequences were replaced by ASCII spaces.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_owned()))
}

/// Parses one file. `text` must already be valid UTF-8 without NUL bytes
/// (see [`crate::load`]).
///
/// Every byte of a file that parses without errors is in a statement's
/// span, in a comment, or white space: no text is ever dropped silently.
pub fn parse_file(file: FileId, text: &str) -> Parsed {
    parse_text(file, text, true)
}

/// Parses one file, with the whole-file parse first when `fast`, else
/// statement by statement only (the two must agree).
fn parse_text(file: FileId, text: &str, fast: bool) -> Parsed {
    let sc = scan(file, text);
    let clean = blank_comments(text, &sc.comments);
    let text: &str = &clean;
    let mut b = Builder {
        file,
        tz: None,
        errors: sc.errors,
    };
    let mut stmts = Vec::new();
    if b.errors.iter().any(|e| {
        matches!(
            e,
            SyntaxError::NulByte { .. } | SyntaxError::LineTooLong { .. }
        )
    }) {
        return Parsed {
            ast: FileAst { file, stmts },
            comments: sc.comments,
            errors: b.errors,
        };
    }
    // Fast path: the whole file in one parse. Only when it fails is it
    // parsed statement by statement, to report every syntax error. (The
    // grammar refuses what the scan found too deep or orphaned as well.)
    if fast && sc.too_deep.is_empty() && sc.orphans.is_empty() {
        let errors = b.errors.len();
        if b.parse_pieces(text, &sc.starts, &mut stmts) {
            return Parsed {
                ast: FileAst { file, stmts },
                comments: sc.comments,
                errors: b.errors,
            };
        }
        stmts.clear();
        b.errors.truncate(errors);
        b.tz = None;
    }
    // Chunks: the text before the first statement (blank lines and
    // comments), then each statement to where the next one, or a run of
    // orphan lines, starts. Orphan lines are reported by the scan, not
    // parsed.
    let mut cuts: Vec<usize> = sc.starts.iter().chain(&sc.orphans).copied().collect();
    cuts.sort_unstable();
    let head_end = cuts.first().copied().unwrap_or(text.len());
    if let Some(head) = text.get(..head_end) {
        b.parse_chunk(head, 0, &mut stmts);
    }
    for (k, &start) in sc.starts.iter().enumerate() {
        if sc.too_deep.contains(&k) {
            continue;
        }
        let end = cuts
            .get(cuts.partition_point(|&c| c <= start)..)
            .and_then(|rest| rest.first())
            .copied()
            .unwrap_or(text.len());
        if let Some(chunk) = text.get(start..end) {
            b.parse_chunk(chunk, start, &mut stmts);
        }
    }
    Parsed {
        ast: FileAst { file, stmts },
        comments: sc.comments,
        errors: b.errors,
    }
}

/// The least size of a piece of text parsed at once on the fast path (see
/// `Builder::parse_pieces`).
const PIECE: usize = 16 * 1024;

/// Builds syntax tree nodes from pest pairs, collecting problems.
struct Builder {
    file: FileId,
    /// The `timezone` in force: dates are read in it.
    tz: Option<FixedOffset>,
    errors: Vec<SyntaxError>,
}

type P<'i> = Pair<'i, Rule>;

impl Builder {
    /// The statements of a parsed `file`.
    fn stmts(&mut self, file: P<'_>, base: usize, out: &mut Vec<Stmt>) {
        for p in file.into_inner() {
            if let Some(stmt) = self.stmt(p, base) {
                out.push(stmt);
            }
        }
    }

    /// The whole text, in pieces of whole statements of at least
    /// [`PIECE`] bytes (but the last), one pest parse each: pest keeps a
    /// token queue of the whole input it parses, some twenty times the
    /// text, which for a large file streams through memory where a piece's
    /// stays in cache. `false` when a piece does not parse.
    fn parse_pieces(&mut self, text: &str, starts: &[usize], out: &mut Vec<Stmt>) -> bool {
        let mut from = 0;
        while from < text.len() {
            let to = starts
                .get(starts.partition_point(|&s| s < from + PIECE)..)
                .and_then(|rest| rest.first())
                .copied()
                .unwrap_or(text.len());
            let Some(piece) = text.get(from..to) else {
                return false;
            };
            match PolicyParser::parse(Rule::file, piece) {
                Ok(mut pairs) => {
                    if let Some(file) = pairs.next() {
                        self.stmts(file, from, out);
                    }
                }
                Err(_) => return false,
            }
            from = to;
        }
        true
    }

    fn parse_chunk(&mut self, chunk: &str, base: usize, out: &mut Vec<Stmt>) {
        match PolicyParser::parse(Rule::file, chunk) {
            Ok(mut pairs) => {
                let Some(file) = pairs.next() else { return };
                self.stmts(file, base, out);
            }
            Err(e) => {
                let err = self.pest_error(&e, chunk, base);
                self.errors.push(err);
            }
        }
    }

    fn pest_error(&self, e: &pest::error::Error<Rule>, chunk: &str, base: usize) -> SyntaxError {
        // Parse again tracking which tokens were expected where: it costs
        // time, so only on the error path.
        let detailed = parse_detailed(chunk).err();
        let (mut pos, mut expected, mut hint) = expectation(detailed.as_ref().unwrap_or(e));
        if let Some(at) = run_into(detailed.as_ref().unwrap_or(e), chunk, pos) {
            // A keyword was read as the start of a longer word (`forbid`
            // is not `for`, `partnerp5` is not `partner p5`): what was
            // expected is what was expected where that word starts, as
            // for a misspelt one. The text up to there, and then nothing
            // that can be read, tells.
            let probe = format!("{}\u{1}", chunk.get(..at).unwrap_or(""));
            if let Some(e) = parse_detailed(&probe).err() {
                let (p, x, h) = expectation(&e);
                if p == at {
                    (pos, expected, hint) = (p, x, h);
                }
            }
        }
        if starts_continuation_line(chunk, pos) {
            // The statement above could not take this line.
            if expected == [Expected::Kind(ExpectedKind::EndOfFile)] {
                expected = vec![Expected::Kind(ExpectedKind::EndOfStatement)];
            }
            hint = hint.or(Some(UnexpectedHint::Continuation));
        }
        let rest = chunk.get(pos..).unwrap_or("");
        let (found, len) = describe_found(rest);
        SyntaxError::Unexpected {
            expected,
            found,
            span: Span::new(self.file, base + pos, base + pos + len),
            hint,
        }
    }

    fn span(&self, p: &P<'_>, base: usize) -> Span {
        let s = p.as_span();
        Span::new(self.file, base + s.start(), base + s.end())
    }

    fn ident(&mut self, p: P<'_>, base: usize) -> Ident {
        let start = base + p.as_span().start();
        self.name(p.as_str(), start)
    }

    /// The name `name` written at byte `start`; a keyword is reported.
    fn name(&mut self, name: &str, start: usize) -> Ident {
        let span = Span::new(self.file, start, start + name.len());
        if is_keyword(name) {
            self.errors.push(SyntaxError::Unexpected {
                expected: vec![Expected::Kind(ExpectedKind::Name)],
                found: Found::Text(name.to_owned()),
                span,
                hint: Some(UnexpectedHint::Keyword),
            });
        }
        Ident {
            span,
            name: name.to_owned(),
        }
    }

    /// `ORG.NAME` (`qname`, one token).
    fn qname(&mut self, p: P<'_>, base: usize) -> QName {
        let n = self.org_name(p, base);
        QName {
            org: n.org.unwrap_or_else(|| Ident {
                name: String::new(),
                span: n.span,
            }),
            name: n.name,
            span: n.span,
        }
    }

    /// A name where the statement already names the org: bare or
    /// qualified (`org_name`, one token).
    fn org_name(&mut self, p: P<'_>, base: usize) -> OrgName {
        let span = self.span(&p, base);
        let start = base + p.as_span().start();
        let text = p.as_str();
        match text.split_once('.') {
            Some((org, name)) => OrgName {
                org: Some(self.name(org, start)),
                name: self.name(name, start + org.len() + 1),
                span,
            },
            None => OrgName {
                org: None,
                name: self.name(text, start),
                span,
            },
        }
    }

    fn string(&mut self, p: P<'_>, base: usize) -> Str {
        let span = self.span(&p, base);
        // Between the quotes.
        let text = p.as_str();
        let raw = text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or("");
        let value = match unescape(raw) {
            Ok(v) => v,
            Err(bad) => {
                self.errors.push(SyntaxError::BadEscape { text: bad, span });
                String::new()
            }
        };
        let len = value.chars().count();
        if len > MAX_STRING_CHARS {
            self.errors.push(SyntaxError::StringTooLong {
                len,
                limit: MAX_STRING_CHARS,
                span,
            });
        }
        Str {
            value,
            raw: raw.to_owned(),
            span,
        }
    }

    fn number(&mut self, p: P<'_>, base: usize) -> Literal {
        let span = self.span(&p, base);
        let text = p.as_str();
        let value = match parse_decimal(text) {
            Some(d) => d,
            None => {
                self.errors.push(SyntaxError::NumberTooLarge {
                    text: text.to_owned(),
                    limit: MAX_NUMBER_DIGITS,
                    span,
                });
                Decimal::ZERO
            }
        };
        Literal::Number(value, text.to_owned(), span)
    }

    fn time(&mut self, p: P<'_>, base: usize) -> Time {
        let span = self.span(&p, base);
        let raw = p.as_str().to_owned();
        // A date is ten characters; a date-time more.
        let value = match raw.len() > 10 {
            true => match parse_datetime(&raw) {
                Ok(t) => {
                    if t.timestamp_subsec_nanos() % 1000 != 0 {
                        self.errors.push(SyntaxError::TimePrecision {
                            text: raw.clone(),
                            span,
                        });
                    }
                    TimeValue::Instant(t)
                }
                Err(e) => {
                    self.errors.push(SyntaxError::bad_time(&e, span));
                    TimeValue::Instant(chrono::DateTime::UNIX_EPOCH.fixed_offset())
                }
            },
            false => match parse_date(&raw) {
                Ok(d) => TimeValue::Date(d),
                Err(e) => {
                    self.errors.push(SyntaxError::bad_time(&e, span));
                    TimeValue::Date(chrono::NaiveDate::default())
                }
            },
        };
        Time {
            value,
            tz: self.tz,
            raw,
            span,
        }
    }

    fn validity(&mut self, p: P<'_>, base: usize) -> Validity {
        let mut v = Validity::default();
        for part in p.into_inner() {
            match part.as_rule() {
                Rule::from => {
                    if let Some(t) = part.into_inner().next() {
                        v.from = Some(self.time(t, base));
                    }
                }
                Rule::until => {
                    if let Some(t) = part.into_inner().next() {
                        v.until = Some(if t.as_rule() == Rule::revoked {
                            Until::Revoked(self.span(&t, base))
                        } else {
                            Until::Time(self.time(t, base))
                        });
                    }
                }
                _ => {}
            }
        }
        v
    }

    fn condition(&mut self, p: P<'_>, base: usize) -> Option<Condition> {
        let span = self.span(&p, base);
        let cond = p.into_inner().next()?;
        Some(Condition {
            expr: self.expr(cond, base)?,
            span,
        })
    }

    fn expr(&mut self, p: P<'_>, base: usize) -> Option<Expr> {
        match p.as_rule() {
            Rule::cond | Rule::conj => {
                let is_or = p.as_rule() == Rule::cond;
                let mut parts = Vec::new();
                for c in p.into_inner() {
                    parts.push(self.expr(c, base)?);
                }
                if parts.len() == 1 {
                    parts.pop()
                } else if is_or {
                    Some(Expr::Or(parts))
                } else {
                    Some(Expr::And(parts))
                }
            }
            Rule::neg => {
                let mut nots = 0usize;
                let mut atom = None;
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::not => nots += 1,
                        Rule::cond => atom = Some(Expr::Paren(Box::new(self.expr(c, base)?))),
                        _ => atom = Some(self.expr(c, base)?),
                    }
                }
                // `not not x` is `x` (also for an unknown value), so only the
                // parity is kept: a long chain of `not`s cannot nest deeply.
                let e = atom?;
                Some(if nots % 2 == 1 {
                    Expr::Not(Box::new(e))
                } else {
                    e
                })
            }
            Rule::comparison => {
                let mut it = p.into_inner();
                let attr = self.ident(it.next()?, base);
                let next = it.next()?;
                if next.as_rule() == Rule::list {
                    let mut values = Vec::new();
                    for v in next.into_inner() {
                        values.push(self.literal(v, base)?);
                    }
                    Some(Expr::In { attr, values })
                } else {
                    let op = match next.as_str() {
                        "==" => CmpOp::Eq,
                        "!=" => CmpOp::Ne,
                        "<" => CmpOp::Lt,
                        "<=" => CmpOp::Le,
                        ">" => CmpOp::Gt,
                        _ => CmpOp::Ge,
                    };
                    let value = self.literal(it.next()?, base)?;
                    Some(Expr::Cmp { attr, op, value })
                }
            }
            _ => None,
        }
    }

    fn literal(&mut self, p: P<'_>, base: usize) -> Option<Literal> {
        match p.as_rule() {
            Rule::number => Some(self.number(p, base)),
            Rule::string => Some(Literal::Str(self.string(p, base))),
            Rule::boolean => Some(Literal::Bool(p.as_str() == "true", self.span(&p, base))),
            _ => None,
        }
    }

    fn member(&mut self, p: P<'_>, base: usize) -> Option<MemberLine> {
        let span = self.span(&p, base);
        let rule = p.as_rule();
        let mut it = p.into_inner();
        let id = self.ident(it.next()?, base);
        let name = self.string(it.next()?, base);
        let member = match rule {
            Rule::super_admin => Member::SuperAdmin { id, name },
            Rule::employee => Member::Employee { id, name },
            Rule::seal => Member::Seal {
                id,
                name,
                kind: it.next().map(|k| self.ident(k, base)),
            },
            Rule::template => Member::Template {
                id,
                name,
                signatories: it.map(|s| self.string(s, base)).collect(),
            },
            _ => return None,
        };
        Some(MemberLine { member, span })
    }

    fn stmt(&mut self, p: P<'_>, base: usize) -> Option<Stmt> {
        let span = self.span(&p, base);
        match p.as_rule() {
            Rule::timezone_decl => {
                let o = p.into_inner().next()?;
                let raw = o.as_str().to_owned();
                let Some(offset) = parse_offset(&raw) else {
                    self.errors.push(SyntaxError::BadOffset {
                        text: raw,
                        span: self.span(&o, base),
                    });
                    return None;
                };
                self.tz = Some(offset);
                Some(Stmt {
                    label: None,
                    kind: StmtKind::Timezone(ast::Timezone { offset, raw }),
                    span,
                })
            }
            Rule::org_decl => {
                let mut it = p.into_inner();
                let id = self.ident(it.next()?, base);
                let name = self.string(it.next()?, base);
                let members = it.filter_map(|m| self.member(m, base)).collect();
                Some(Stmt {
                    label: None,
                    kind: StmtKind::Org(ast::Org { id, name, members }),
                    span,
                })
            }
            Rule::group_decl => {
                let mut it = p.into_inner();
                let id = self.ident(it.next()?, base);
                let name = self.string(it.next()?, base);
                let main = self.ident(it.next()?, base);
                let members = it.map(|m| self.ident(m, base)).collect();
                Some(Stmt {
                    label: None,
                    kind: StmtKind::Group(ast::Group {
                        id,
                        name,
                        main,
                        members,
                    }),
                    span,
                })
            }
            Rule::attribute_decl => {
                let mut it = p.into_inner();
                let id = self.ident(it.next()?, base);
                let ty = match it.next()?.as_str() {
                    "number" => AttrType::Number,
                    "string" => AttrType::String,
                    _ => AttrType::Bool,
                };
                let doc = it.next().map(|d| self.string(d, base));
                Some(Stmt {
                    label: None,
                    kind: StmtKind::Attribute(ast::Attribute { id, ty, doc }),
                    span,
                })
            }
            Rule::labelled => {
                let mut it = p.into_inner().peekable();
                let label = match it.peek().map(|l| l.as_rule()) {
                    Some(Rule::label) => it.next().map(|l| self.ident(l, base)),
                    _ => None,
                };
                let body = it.next()?;
                let kind = self.body(body, base)?;
                Some(Stmt { label, kind, span })
            }
            _ => None,
        }
    }

    fn body(&mut self, p: P<'_>, base: usize) -> Option<StmtKind> {
        let rule = p.as_rule();
        let mut it = p.into_inner().peekable();
        let kind = match rule {
            Rule::service_event => {
                let org = self.ident(it.next()?, base);
                let enable = it.next()?.as_str() == "enables";
                let at = self.time(it.next()?, base);
                let by = it.next().map(|b| self.org_name(b, base));
                StmtKind::Service(ast::Service {
                    org,
                    enable,
                    at,
                    by,
                })
            }
            Rule::admin_change => {
                let org = self.ident(it.next()?, base);
                let to = self.org_name(it.next()?, base);
                let at = self.time(it.next()?, base);
                StmtKind::SuperAdminChange(ast::SuperAdminChange { org, to, at })
            }
            Rule::seal_event | Rule::template_event => {
                let enable = it.next()?.as_str() == "enable";
                let name = self.qname(it.next()?, base);
                let at = self.time(it.next()?, base);
                if rule == Rule::seal_event {
                    StmtKind::SealToggle(ast::SealToggle {
                        enable,
                        seal: name,
                        at,
                    })
                } else {
                    StmtKind::TemplateToggle(ast::TemplateToggle {
                        enable,
                        template: name,
                        at,
                    })
                }
            }
            Rule::invite => {
                let org = self.ident(it.next()?, base);
                let template = self.ident(it.next()?, base);
                let role = self.string(it.next()?, base);
                let at = self.time(it.next()?, base);
                let valid_for = match it.next() {
                    Some(v) => {
                        let vspan = self.span(&v, base);
                        let mut vi = v.into_inner();
                        let c = vi.next()?;
                        let count = match c.as_str().parse::<u32>() {
                            Ok(n) if (1..=1200).contains(&n) => n,
                            _ => {
                                self.errors.push(SyntaxError::BadCount {
                                    count: c.as_str().to_owned(),
                                    span: self.span(&c, base),
                                });
                                1
                            }
                        };
                        let period = if vi.next()?.as_str().starts_with("day") {
                            Period::Days
                        } else {
                            Period::Months
                        };
                        Some(ValidFor {
                            count,
                            period,
                            span: vspan,
                        })
                    }
                    None => None,
                };
                StmtKind::Invite(ast::Invite {
                    org,
                    template,
                    role,
                    at,
                    valid_for,
                })
            }
            Rule::revoke => {
                let target = self.ident(it.next()?, base);
                let at = self.time(it.next()?, base);
                let by = it.next().map(|b| self.org_name(b, base));
                StmtKind::Revoke(ast::Revoke { target, at, by })
            }
            Rule::reseal => {
                let target = self.ident(it.next()?, base);
                let seal = self.org_name(it.next()?, base);
                let at = self.time(it.next()?, base);
                StmtKind::Reseal(ast::Reseal { target, seal, at })
            }
            Rule::own_rule => {
                let org = self.ident(it.next()?, base);
                let template = self.ident(it.next()?, base);
                let seal = self.org_name(it.next()?, base);
                let (validity, when) = self.tail(it, base);
                StmtKind::OwnRule(ast::OwnRule {
                    org,
                    template,
                    seal,
                    validity,
                    when,
                })
            }
            Rule::employee_rule => {
                let employee = self.qname(it.next()?, base);
                let mut template = None;
                let mut on_behalf = None;
                while let Some(r) = it.peek().map(|n| n.as_rule()) {
                    match r {
                        Rule::for_template => {
                            template = it.next()?.into_inner().next().map(|q| self.qname(q, base));
                        }
                        Rule::on_behalf => {
                            on_behalf = it.next()?.into_inner().next().map(|q| self.ident(q, base));
                        }
                        _ => break,
                    }
                }
                let (validity, when) = self.tail(it, base);
                StmtKind::EmployeeRule(ast::EmployeeRule {
                    employee,
                    template,
                    on_behalf,
                    validity,
                    when,
                })
            }
            Rule::partner_grant => {
                let partner = self.ident(it.next()?, base);
                let org = self.ident(it.next()?, base);
                let template = self.ident(it.next()?, base);
                let role = self.string(it.next()?, base);
                let seal = self.org_name(it.next()?, base);
                let via = match it.peek().map(|n| n.as_rule()) {
                    Some(Rule::via) => {
                        let v = it.next()?;
                        let vspan = self.span(&v, base);
                        let mut vi = v.into_inner();
                        let invite = self.ident(vi.next()?, base);
                        let accepted = self.time(vi.next()?, base);
                        let Some(by) = vi.next().and_then(|b| b.into_inner().next()) else {
                            // Reported; the statement is left out.
                            self.errors.push(SyntaxError::MissingAcceptedBy {
                                accepted: accepted.raw.clone(),
                                span: accepted.span,
                            });
                            return None;
                        };
                        let by = self.org_name(by, base);
                        Some(Box::new(Via {
                            invite,
                            accepted,
                            by,
                            span: vspan,
                        }))
                    }
                    _ => None,
                };
                let (validity, when) = self.tail(it, base);
                StmtKind::PartnerGrant(ast::PartnerGrant {
                    partner,
                    org,
                    template,
                    role,
                    seal,
                    via,
                    validity,
                    when,
                })
            }
            Rule::forbid => {
                let mut signer = None;
                let mut template = None;
                let mut kind = None;
                while let Some(r) = it.peek().map(|n| n.as_rule()) {
                    match r {
                        Rule::for_signer => {
                            signer = it.next()?.into_inner().next().map(|q| self.ident(q, base));
                        }
                        Rule::for_template => {
                            template = it.next()?.into_inner().next().map(|q| self.qname(q, base));
                        }
                        Rule::with_kind => {
                            kind = it.next()?.into_inner().next().map(|q| self.ident(q, base));
                        }
                        _ => break,
                    }
                }
                let (validity, when) = self.tail(it, base);
                StmtKind::Forbid(ast::Forbid {
                    signer,
                    template,
                    kind,
                    validity,
                    when,
                })
            }
            _ => return None,
        };
        Some(kind)
    }

    fn tail<'i>(
        &mut self,
        it: impl Iterator<Item = P<'i>>,
        base: usize,
    ) -> (Validity, Option<Condition>) {
        let mut validity = Validity::default();
        let mut when = None;
        for p in it {
            match p.as_rule() {
                Rule::validity => validity = self.validity(p, base),
                Rule::when => when = self.condition(p, base),
                _ => {}
            }
        }
        (validity, when)
    }
}

/// `+08:00`, `-05:30` or `Z`.
pub(crate) fn parse_offset(s: &str) -> Option<FixedOffset> {
    if s == "Z" {
        return FixedOffset::east_opt(0);
    }
    let sign = match s.get(..1)? {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let h: i32 = s.get(1..3)?.parse().ok()?;
    let m: i32 = s.get(4..6)?.parse().ok()?;
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// An exact decimal from policy or request text (`1_000_000`, `-99.95`);
/// `None` when it has more digits than [`MAX_NUMBER_DIGITS`].
#[doc(hidden)]
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let digits = clean
        .trim_start_matches(['+', '-'])
        .trim_start_matches(['0'])
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    if digits > MAX_NUMBER_DIGITS {
        return None;
    }
    let clean = clean.strip_prefix('+').unwrap_or(&clean);
    Decimal::from_str_exact(clean).ok()
}

/// Decodes string escapes; the offending escape on error.
pub(crate) fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let rest = chars.as_str();
                let code = rest
                    .strip_prefix('{')
                    .and_then(|r| r.find('}').map(|e| (r.get(..e).unwrap_or(""), e)));
                match code.and_then(|(hex, e)| {
                    u32::from_str_radix(hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .map(|ch| (ch, e))
                }) {
                    Some((ch, e)) => {
                        out.push(ch);
                        chars = rest.get(e + 2..).unwrap_or("").chars();
                    }
                    None => return Err(String::from("\\u")),
                }
            }
            Some(other) => return Err(format!("\\{other}")),
            None => return Err(String::from("\\")),
        }
    }
    Ok(out)
}

/// Parses `text` tracking the tokens tried where the parse got furthest
/// (for error messages).
///
/// pest's switch for this is one for the whole process: a count of the
/// detailed parses under way keeps it on until the last one ends, so that
/// a thread that finishes first cannot turn it off under another's parse
/// (which then reported fewer expected tokens: seen as an error message
/// that changed with the timing of parallel tests).
fn parse_detailed(text: &str) -> Result<(), pest::error::Error<Rule>> {
    static DETAILED: std::sync::Mutex<usize> = std::sync::Mutex::new(0);
    let set = |change: fn(usize) -> usize| {
        let mut n = DETAILED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *n = change(*n);
        pest::set_error_detail(*n > 0);
    };
    set(|n| n + 1);
    let result = PolicyParser::parse(Rule::file, text).map(drop);
    set(|n| n.saturating_sub(1));
    result
}

/// Where a parse error is, what was expected there, and a hint: the
/// literal keywords tried furthest into the statement say best what was
/// expected (`auto-sign`, `seal`, ...); else the rules tried.
fn expectation(e: &pest::error::Error<Rule>) -> (usize, Vec<Expected>, Option<UnexpectedHint>) {
    let mut pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let (mut expected, mut hint) = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => expected_list(positives),
        pest::error::ErrorVariant::CustomError { .. } => {
            (vec![Expected::Kind(ExpectedKind::SomethingElse)], None)
        }
    };
    if let Some((max, words)) = expected_words(e) {
        if !words.is_empty() && max >= pos {
            if max > pos {
                hint = None;
            }
            pos = max;
            expected = words;
        }
    }
    (pos, expected, hint)
}

/// Where the parse got furthest, and the literal tokens tried there:
/// keywords and punctuation, not character ranges, built-in
/// classes or white space (nor a shortcut's literal with its spaces, see
/// the grammar).
fn expected_words(e: &pest::error::Error<Rule>) -> Option<(usize, Vec<Expected>)> {
    let attempts = e.parse_attempts()?;
    let words = attempts
        .expected_tokens()
        .iter()
        .map(|t| t.to_string())
        .filter(|t| {
            !t.is_empty()
                && t != "BUILTIN_RULE"
                && t != "#"
                && t != "\\"
                && !(t.chars().count() == 4 && t.contains(".."))
        })
        .filter(|t| t.trim() == t.as_str())
        .map(Expected::Token)
        .collect();
    Some((attempts.max_position, words))
}

/// When the parse got furthest inside a word, after reading its start as a
/// keyword, and nothing but white space was expected there (the keyword
/// must end): where that word starts, if not before `pos`.
fn run_into(e: &pest::error::Error<Rule>, chunk: &str, pos: usize) -> Option<usize> {
    let (max, words) = expected_words(e)?;
    if max <= pos || !words.is_empty() {
        return None;
    }
    let (before, after) = (chunk.get(..max)?, chunk.get(max..)?);
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    if !after.starts_with(word) || !before.ends_with(word) {
        return None;
    }
    let start = before.trim_end_matches(word).len();
    (start >= pos).then_some(start)
}

/// Whether `pos` is the first thing on an indented line that continues a
/// statement (not its first line, outside `{ }` and `[ ]`). Comments are
/// already blanked in `chunk`.
fn starts_continuation_line(chunk: &str, pos: usize) -> bool {
    let Some(before) = chunk.get(..pos) else {
        return false;
    };
    let Some(nl) = before.rfind(['\n', '\r']) else {
        return false;
    };
    let indent = before.get(nl + 1..).unwrap_or("");
    if indent.is_empty() || !indent.bytes().all(|b| b == b' ' || b == b'\t') {
        return false;
    }
    let (mut depth, mut in_string, mut escaped) = (0i64, false, false);
    for b in before.bytes() {
        match b {
            b'\n' | b'\r' => in_string = false,
            _ if in_string => {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                }
            }
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth -= 1,
            _ => {}
        }
    }
    depth <= 0
}

fn describe_found(rest: &str) -> (Found, usize) {
    match rest.chars().next() {
        None => (Found::EndOfFile, 0),
        Some('\n') | Some('\r') => (Found::EndOfLine, 0),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
                .take(40)
                .collect();
            let len = word.len();
            (Found::Text(word), len)
        }
        Some(c) => (Found::Text(c.to_string()), c.len_utf8()),
    }
}

/// What the rules pest tried would have read (tokens first, then kinds,
/// each once), and the hint that helps.
fn expected_list(rules: &[Rule]) -> (Vec<Expected>, Option<UnexpectedHint>) {
    let mut items: Vec<Expected> = rules.iter().flat_map(|r| rule_expects(*r)).collect();
    items.sort_unstable();
    items.dedup();
    let hint = if rules.iter().any(|r| matches!(r, Rule::time)) {
        Some(UnexpectedHint::Time)
    } else if rules
        .iter()
        .any(|r| matches!(r, Rule::ident | Rule::label | Rule::org_name | Rule::qname))
    {
        Some(UnexpectedHint::Name)
    } else {
        None
    };
    if items.is_empty() {
        items.push(Expected::Kind(ExpectedKind::SomethingElse));
    }
    (items, hint)
}

/// What a rule reads: tokens as written, or a kind of token.
fn rule_expects(r: Rule) -> Vec<Expected> {
    use ExpectedKind as K;
    let kind = |k: ExpectedKind| vec![Expected::Kind(k)];
    let tokens = |t: &[&str]| t.iter().map(|t| Expected::Token((*t).to_owned())).collect();
    match r {
        Rule::ident | Rule::label | Rule::org_name => kind(K::Name),
        Rule::qname => kind(K::QualifiedName),
        Rule::string => kind(K::String),
        Rule::number | Rule::count => kind(K::Number),
        Rule::time => kind(K::Time),
        Rule::offset => kind(K::Offset),
        Rule::seal_kind => kind(K::SealKind),
        Rule::attr_type => tokens(&["number", "string", "bool"]),
        Rule::cmp_op => kind(K::Comparison),
        Rule::boolean => tokens(&["true", "false"]),
        Rule::list => kind(K::List),
        Rule::period => tokens(&["days", "months"]),
        Rule::validity | Rule::from | Rule::until => tokens(&["from", "until"]),
        Rule::when => tokens(&["when"]),
        Rule::via => tokens(&["via invite"]),
        Rule::by_person => tokens(&["by"]),
        Rule::for_template => tokens(&["for template"]),
        Rule::for_signer => tokens(&["for signer"]),
        Rule::on_behalf => tokens(&["on behalf of"]),
        Rule::with_kind => tokens(&["with seal kind"]),
        Rule::valid_for => tokens(&["valid for"]),
        Rule::revoked => tokens(&["revoked"]),
        Rule::service_verb => tokens(&["enables", "disables"]),
        Rule::toggle => tokens(&["enable", "disable"]),
        Rule::not | Rule::neg | Rule::cond | Rule::conj | Rule::comparison => kind(K::Condition),
        Rule::super_admin | Rule::employee | Rule::seal | Rule::template => {
            tokens(&["super_admin", "employee", "seal", "template", "}"])
        }
        Rule::EOI => kind(K::EndOfFile),
        Rule::file
        | Rule::labelled
        | Rule::timezone_decl
        | Rule::org_decl
        | Rule::group_decl
        | Rule::attribute_decl
        | Rule::service_event
        | Rule::admin_change
        | Rule::seal_event
        | Rule::template_event
        | Rule::invite
        | Rule::revoke
        | Rule::reseal
        | Rule::own_rule
        | Rule::employee_rule
        | Rule::partner_grant
        | Rule::forbid => kind(K::Statement),
        _ => kind(K::SomethingElse),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        parse_file(FileId(0), text)
    }

    #[test]
    fn continuation_lines_join_a_statement() {
        let p = parse(
            "timezone +08:00\ng: partner globex authorizes acme template nda as signatory \"乙方\" with seal contract\n    from 2026-03-01\n    when amount <= 500000\nforbid auto-sign with seal kind official\n",
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.ast.stmts.len(), 3);
    }

    #[test]
    fn errors_in_several_statements_are_all_reported() {
        let p = parse("org acme \"A\" {\n}\nacme enables auto-sgn at 2026-01-01T00:00:00Z\nforbid auto-sign wth\nforbid auto-sign\n");
        assert_eq!(p.errors.len(), 2, "{:?}", p.errors);
        assert_eq!(p.ast.stmts.len(), 2);
    }

    #[test]
    fn unicode_identifiers_and_escapes() {
        let p = parse("org 甲方公司 \"A \\\"B\\\" \\u{4e2d}\" {\n    seal 合同专用章 \"章\"\n}\n");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let StmtKind::Org(Org { name, .. }) = &p.ast.stmts[0].kind else {
            panic!()
        };
        assert_eq!(name.value, "A \"B\" 中");
    }

    #[test]
    fn keywords_are_sorted_and_found_by_first_letter() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(KEYWORDS.iter().all(|k| is_keyword(k)));
        for word in ["", "x", "orders", "fo", "seal2", "withs", "a", "zz", "合同"] {
            assert!(!is_keyword(word), "{word}");
        }
    }

    /// `changes` is a keyword; `super` and `admin` stay usable as names.
    #[test]
    fn super_admin_changes() {
        let p = parse(
            "org super \"S\" {\n    employee admin \"A\"\n}\nsuper changes super admin to super.admin at 2026-05-01T00:00:00Z\n",
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let StmtKind::SuperAdminChange(SuperAdminChange { org, to, .. }) = &p.ast.stmts[1].kind
        else {
            panic!("{:?}", p.ast.stmts[1])
        };
        assert_eq!(
            (org.name.as_str(), to.to_string()),
            ("super", "super.admin".to_owned())
        );
        let p = parse("org changes \"C\" {\n}\n");
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    }

    /// A keyword is a whole word: `forbid` on a line that continues a
    /// statement is not `for` followed by `bid` (which said "expected
    /// `signer` or `template`, found `bid`"), and `partnerp5` is a name,
    /// not `partner p5`.
    #[test]
    fn keywords_end_at_a_word_boundary() {
        let p = parse("forbid auto-sign\n    forbid auto-sign with seal kind official\n");
        let [SyntaxError::Unexpected {
            expected,
            found,
            span,
            hint,
        }] = p.errors.as_slice()
        else {
            panic!("{:?}", p.errors)
        };
        let tokens = |t: &[&str]| -> Vec<Expected> {
            t.iter().map(|t| Expected::Token((*t).to_owned())).collect()
        };
        assert_eq!(
            (expected, found, span.start, span.end),
            (
                &tokens(&["for", "from", "until", "when", "with"]),
                &Found::Text(String::from("forbid")),
                21,
                27
            )
        );
        assert_eq!(hint, &Some(UnexpectedHint::Continuation));
        for text in [
            "g: partnerp5 authorizes acme template nda as signatory \"乙方\" with seal contract\n",
            "forbid auto-signfor signer p\n",
            "forbid auto-sign for signerp\n",
            "acme enablesauto-sign at 2026-01-01\n",
            "revoke g at 2026-01-01byp\n",
            "own: acme auto-signs template nda with seal contract until revokedwhen a == 1\n",
            "forbid auto-sign when a == 1 orb == 2\n",
        ] {
            let p = parse(text);
            assert_eq!(p.errors.len(), 1, "{text:?}: {:?}", p.errors);
        }
        let p = parse("forbid auto-sign for signer p\n");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        // Where nothing can continue the word, no white space is needed.
        let p = parse("g:partner p authorizes acme template nda as signatory\"乙方\"with seal c\n");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    /// The byte scan reports a line too long at its start, before what it
    /// finds in the line, and measures a line that follows a lone `\r` to
    /// its `\n` as well.
    #[test]
    fn a_line_too_long_is_reported_before_what_is_in_it() {
        let long = "x".repeat(MAX_LINE_BYTES + 1);
        let text = format!("a\0{long}\0\nb {long}\r{long}\0\n");
        let p = parse(&text);
        let kinds: Vec<(&str, u32)> = p
            .errors
            .iter()
            .map(|e| match e {
                SyntaxError::NulByte { span } => ("nul", span.start),
                SyntaxError::LineTooLong { span, .. } => ("long", span.start),
                _ => ("other", 0),
            })
            .filter(|(k, _)| *k != "other")
            .collect();
        let second = (MAX_LINE_BYTES + 5) as u32;
        let third = second + MAX_LINE_BYTES as u32 + 4;
        assert_eq!(
            kinds,
            [
                ("long", 0),
                ("nul", 1),
                ("nul", second - 2),
                ("long", second),
                ("long", third),
                ("nul", third + MAX_LINE_BYTES as u32 + 1),
            ]
        );
    }

    #[test]
    fn keywords_are_not_names() {
        let p = parse("org from \"A\" {\n}\n");
        assert_eq!(p.errors.len(), 1);
    }

    #[test]
    fn deep_parentheses_are_refused_not_overflowed() {
        let cond = format!("{}a == 1{}", "(".repeat(10_000), ")".repeat(10_000));
        let p = parse(&format!("forbid auto-sign when {cond}\n"));
        assert!(matches!(p.errors[0], SyntaxError::TooDeep { .. }));
    }

    /// The issue's example: the `when` after a comment in column 0 belongs
    /// to the rule (it was swallowed with the comment).
    const WANG: &str = "wang_purchase: employee huaxin.wang may initiate auto-sign for template huaxin.purchase\n# 王磊只能发起 10 万以内的采购合同\n    when amount <= 100000\n";

    fn condition_of(p: &Parsed) -> Option<&Condition> {
        condition(p.ast.stmts.first()?)
    }

    fn condition(s: &Stmt) -> Option<&Condition> {
        match &s.kind {
            StmtKind::EmployeeRule(EmployeeRule { when, .. })
            | StmtKind::Forbid(Forbid { when, .. })
            | StmtKind::OwnRule(OwnRule { when, .. })
            | StmtKind::PartnerGrant(PartnerGrant { when, .. }) => when.as_ref(),
            _ => None,
        }
    }

    #[test]
    fn comment_and_blank_lines_neither_end_nor_continue_a_statement() {
        let p = parse(WANG);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.ast.stmts.len(), 1);
        let when = condition_of(&p).expect("the `when` is kept");
        assert_eq!(
            &WANG[when.span.start as usize..when.span.end as usize],
            "when amount <= 100000"
        );
        // Comments at any indentation, blank lines and lines of white space
        // between continuation lines, and comments after the statement.
        for text in [
            "forbid auto-sign\n\n    when a == 1\n",
            "forbid auto-sign\n  # x\n\t\n   \n    when a == 1 # y\n# z\n",
            "forbid auto-sign # x\n#\n#y\n\twhen a == 1\n\n",
            "forbid auto-sign\r\n# x\r\n\r\n    when a == 1\r\n",
            "forbid auto-sign\r# x\r    when a == 1\r",
        ] {
            let p = parse(text);
            assert!(p.errors.is_empty(), "{text:?}: {:?}", p.errors);
            assert_eq!(p.ast.stmts.len(), 1, "{text:?}");
            assert!(condition_of(&p).is_some(), "{text:?}");
        }
    }

    #[test]
    fn comment_lines_inside_org_blocks_and_lists() {
        let text = "org acme \"A\" {\n# c0\n    super_admin z \"Z\"\n  # c1\n\n    seal s \"S\"\n        # c2\n        kind official\n}\nforbid auto-sign when c in [\n# c3\n    \"a\", # c4\n\n  # c5\n\"b\",\n]\n";
        let p = parse(text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.comments.len(), 6);
        let StmtKind::Org(Org { members, .. }) = &p.ast.stmts[0].kind else {
            panic!()
        };
        assert_eq!(members.len(), 2);
        assert!(
            matches!(&members[1].member, Member::Seal { kind: Some(k), .. } if k.name == "official")
        );
        let Some(Condition {
            expr: Expr::In { values, .. },
            ..
        }) = condition(&p.ast.stmts[1])
        else {
            panic!()
        };
        assert_eq!(values.len(), 2);
    }

    #[test]
    fn an_indented_line_with_nothing_to_continue_is_an_error() {
        for (text, line) in [
            ("    forbid auto-sign\n", 1),
            ("# head\n\n  \n\tforbid auto-sign\n", 4),
            ("org a \"A\" {\n}\n    forbid auto-sign\n", 3),
            (
                "org a \"A\" {\n} # end\n# c\n\n    # c\n    seal s \"S\"\n",
                6,
            ),
            (
                "org a \"A\" { employee e \"E\" }\n    employee f \"F\"\n",
                2,
            ),
        ] {
            let p = parse(text);
            assert!(
                matches!(p.errors.as_slice(), [SyntaxError::NothingToContinue { .. }]),
                "{text:?}: {:?}",
                p.errors
            );
            let start = p.errors[0].span().start as usize;
            assert_eq!(text[..start].matches('\n').count() + 1, line, "{text:?}");
        }
        // The statements around it are still read, and other errors still
        // reported; the orphan run (with its own continuation lines) is
        // not parsed.
        let p = parse(
            "  forbid auto-sign\n      when a == 1\nforbid auto-sign\nforbid auto-sign wth\n",
        );
        assert_eq!(p.errors.len(), 2, "{:?}", p.errors);
        assert!(matches!(p.errors[0], SyntaxError::NothingToContinue { .. }));
        assert!(matches!(p.errors[1], SyntaxError::Unexpected { .. }));
        assert_eq!(p.ast.stmts.len(), 1);
    }

    #[test]
    fn an_indented_line_the_statement_above_cannot_take_is_an_error() {
        for text in [
            "timezone +08:00\n    forbid auto-sign\n",
            "timezone +08:00\n# c\n\n    forbid auto-sign\n",
            "forbid auto-sign when a == 1\n    # c\n    forbid auto-sign\n",
        ] {
            let p = parse(text);
            assert!(
                matches!(
                    &p.errors[..],
                    [SyntaxError::Unexpected {
                        hint: Some(UnexpectedHint::Continuation),
                        ..
                    }]
                ),
                "{text:?}: {:?}",
                p.errors
            );
        }
    }

    /// The whole-file parse and the statement-by-statement one (used to
    /// report every error) read the same statements, spans included.
    #[test]
    fn both_parses_agree() {
        let texts = [
            WANG,
            "timezone +08:00\n\norg acme \"A\" {\n# c\n    super_admin z \"Z\"\n\n    employee e \"E\" # t\n}\n# c\nacme enables auto-sign at 2026-01-01 by z\nforbid auto-sign\n# a\n\n  # b\n    when c in [\n# x\n\"a\",\n    ]\n\n    from 2026-01-01\n# end\n",
            "forbid auto-sign\r\n# x\r\n    when a == 1\r\nforbid auto-sign\r    until revoked\r",
            "\n\n# only comments\n   # and blank lines\n\t\n",
        ];
        for text in texts {
            let fast = parse_text(FileId(0), text, true);
            let slow = parse_text(FileId(0), text, false);
            assert!(fast.errors.is_empty(), "{text:?}: {:?}", fast.errors);
            assert_eq!(fast.errors, slow.errors, "{text:?}");
            assert_eq!(fast.ast, slow.ast, "{text:?}");
        }
    }

    #[test]
    fn exact_decimals() {
        assert_eq!(
            parse_decimal("1_000_000.50").unwrap().to_string(),
            "1000000.50"
        );
        assert!(parse_decimal("12345678901234567890123456789").is_none());
    }
}
