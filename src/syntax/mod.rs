//! Policy text to syntax tree. The only module that sees pest's `Pair` and
//! `Rule`.
//!
//! A file is first scanned byte by byte (limits, comments, where each
//! statement starts); each statement is then parsed on its own, so one
//! syntax error does not hide the problems after it.

mod err;

pub use err::SyntaxError;

use chrono::FixedOffset;
use pest::iterators::Pair;
use pest::Parser;
use rust_decimal::Decimal;

use crate::ast::*;
use crate::limits::{MAX_LINE_BYTES, MAX_NESTING, MAX_NUMBER_DIGITS, MAX_STRING_CHARS};
use crate::source::{FileId, Span};
use crate::time::{parse_date, parse_datetime};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/policy.pest"]
struct PolicyParser;

/// Reserved words: never names. Sorted, for binary search.
pub const KEYWORDS: &[&str] = &[
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

/// Whether `word` is reserved.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.binary_search(&word).is_ok()
}

/// A comment: `#` to the end of its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
}

/// The result of reading one file: its statements, its comments, and every
/// problem found. Statements that could not be read are left out.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub ast: FileAst,
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
}

/// What the byte scan finds.
struct Scan {
    comments: Vec<Comment>,
    /// Byte offsets where statements start (outside brackets, at column 0).
    starts: Vec<usize>,
    errors: Vec<SyntaxError>,
    /// Statement chunks (by index into `starts`) too deep to parse.
    too_deep: Vec<usize>,
}

fn scan(file: FileId, text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut s = Scan {
        comments: Vec::new(),
        starts: Vec::new(),
        errors: Vec::new(),
        too_deep: Vec::new(),
    };
    let mut in_string = false;
    let mut escaped = false;
    let mut brackets = 0usize; // `[` and `{`
    let mut parens = 0usize;
    let mut line_start = 0usize;
    let mut i = 0usize;
    let mut at_line_start = true;
    while let Some(&b) = bytes.get(i) {
        if at_line_start {
            at_line_start = false;
            line_start = i;
            let line_len = bytes
                .get(i..)
                .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
                .unwrap_or(bytes.len() - i);
            if line_len > MAX_LINE_BYTES {
                s.errors.push(SyntaxError::LineTooLong {
                    len: line_len,
                    limit: MAX_LINE_BYTES,
                    span: Span::new(file, i, i),
                });
            }
            if brackets == 0 && !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'#' | b'}') {
                s.starts.push(i);
                parens = 0;
            }
        }
        match b {
            0 => s.errors.push(SyntaxError::NulByte {
                span: Span::new(file, i, i + 1),
            }),
            b'\n' => {
                in_string = false;
                at_line_start = true;
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
            b']' | b'}' => brackets = brackets.saturating_sub(1),
            b'(' => {
                parens += 1;
                if parens == MAX_NESTING + 1 {
                    s.errors.push(SyntaxError::TooDeep {
                        limit: MAX_NESTING,
                        span: Span::new(file, i, i + 1),
                    });
                    s.too_deep.push(s.starts.len().saturating_sub(1));
                }
            }
            b')' => parens = parens.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    let _ = line_start;
    s
}

/// `text` with every comment that does not start a line turned into
/// spaces (same length, so spans do not move): see the grammar.
fn blank_comments<'t>(text: &'t str, comments: &[Comment]) -> std::borrow::Cow<'t, str> {
    let bytes = text.as_bytes();
    let inline = |c: &Comment| {
        let s = c.span.start as usize;
        s > 0 && bytes.get(s - 1).is_some_and(|b| *b != b'\n')
    };
    if !comments.iter().any(inline) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = bytes.to_vec();
    for c in comments.iter().filter(|c| inline(c)) {
        if let Some(run) = out.get_mut(c.span.start as usize..c.span.end as usize) {
            run.fill(b' ');
        }
    }
    // Whole UTF-8 sequences were replaced by ASCII spaces.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_owned()))
}

/// Parses one file. `text` must already be valid UTF-8 without NUL bytes
/// (see [`crate::load`]).
pub fn parse_file(file: FileId, text: &str) -> Parsed {
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
    // parsed statement by statement, to report every syntax error.
    if sc.too_deep.is_empty() {
        if let Ok(mut pairs) = PolicyParser::parse(Rule::file, text) {
            if let Some(file) = pairs.next() {
                for p in file.into_inner() {
                    if p.as_rule() == Rule::EOI {
                        continue;
                    }
                    if let Some(stmt) = b.stmt(p, 0) {
                        stmts.push(stmt);
                    }
                }
            }
            return Parsed {
                ast: FileAst { file, stmts },
                comments: sc.comments,
                errors: b.errors,
            };
        }
    }
    // Text before the first statement is blank lines and comments.
    let first = sc.starts.first().copied().unwrap_or(text.len());
    if let Some(head) = text.get(..first) {
        b.parse_chunk(head, 0, &mut stmts);
    }
    for (k, &start) in sc.starts.iter().enumerate() {
        let end = sc.starts.get(k + 1).copied().unwrap_or(text.len());
        if sc.too_deep.contains(&k) {
            continue;
        }
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

/// Builds syntax tree nodes from pest pairs, collecting problems.
struct Builder {
    file: FileId,
    /// The `timezone` in force: dates are read in it.
    tz: Option<FixedOffset>,
    errors: Vec<SyntaxError>,
}

type P<'i> = Pair<'i, Rule>;

impl Builder {
    fn parse_chunk(&mut self, chunk: &str, base: usize, out: &mut Vec<Stmt>) {
        match PolicyParser::parse(Rule::file, chunk) {
            Ok(mut pairs) => {
                let Some(file) = pairs.next() else { return };
                for p in file.into_inner() {
                    if p.as_rule() == Rule::EOI {
                        continue;
                    }
                    if let Some(stmt) = self.stmt(p, base) {
                        out.push(stmt);
                    }
                }
            }
            Err(e) => {
                // Parse again tracking which tokens were expected where: it
                // costs time, so only on the error path.
                pest::set_error_detail(true);
                let detailed = PolicyParser::parse(Rule::file, chunk).err();
                pest::set_error_detail(false);
                let err = self.pest_error(detailed.as_ref().unwrap_or(&e), chunk, base);
                self.errors.push(err);
            }
        }
    }

    fn pest_error(&self, e: &pest::error::Error<Rule>, chunk: &str, base: usize) -> SyntaxError {
        let mut pos = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        let (mut expected, mut help) = match &e.variant {
            pest::error::ErrorVariant::ParsingError { positives, .. } => expected_list(positives),
            pest::error::ErrorVariant::CustomError { message } => (message.clone(), None),
        };
        // The literal keywords tried furthest into the statement say best
        // what was expected (`auto-sign`, `seal`, ...).
        if let Some(attempts) = e.parse_attempts() {
            let words: Vec<String> = attempts
                .expected_tokens()
                .iter()
                .map(|t| t.to_string())
                // Keep literal tokens; drop character ranges and built-ins.
                .filter(|t| {
                    !t.is_empty()
                        && t != "BUILTIN_RULE"
                        && t != "#"
                        && !(t.chars().count() == 4 && t.contains(".."))
                })
                .filter(|t| t.trim() == t.as_str())
                .map(|t| format!("`{t}`"))
                .collect();
            if !words.is_empty() && attempts.max_position >= pos {
                if attempts.max_position > pos {
                    help = None;
                }
                pos = attempts.max_position;
                expected = match words.as_slice() {
                    [one] => one.clone(),
                    [init @ .., last] => format!("{} or {}", init.join(", "), last),
                    [] => expected,
                };
            }
        }
        let rest = chunk.get(pos..).unwrap_or("");
        let (found, len) = describe_found(rest);
        SyntaxError::Unexpected {
            expected,
            found,
            span: Span::new(self.file, base + pos, base + pos + len),
            help,
        }
    }

    fn span(&self, p: &P<'_>, base: usize) -> Span {
        let s = p.as_span();
        Span::new(self.file, base + s.start(), base + s.end())
    }

    fn ident(&mut self, p: P<'_>, base: usize) -> Ident {
        let span = self.span(&p, base);
        let name = p.as_str();
        if is_keyword(name) {
            self.errors.push(SyntaxError::Unexpected {
                expected: String::from("a name"),
                found: format!("keyword `{name}`"),
                span,
                help: Some(String::from(
                    "keywords such as `from` or `seal` are reserved and cannot be names",
                )),
            });
        }
        Ident {
            span,
            name: name.to_owned(),
        }
    }

    fn qname(&mut self, p: P<'_>, base: usize) -> QName {
        let span = self.span(&p, base);
        let mut it = p.into_inner();
        let org = it.next().map(|p| self.ident(p, base));
        let name = it.next().map(|p| self.ident(p, base));
        QName {
            org: org.unwrap_or_else(|| Ident {
                name: String::new(),
                span,
            }),
            name: name.unwrap_or_else(|| Ident {
                name: String::new(),
                span,
            }),
            span,
        }
    }

    /// A name where the statement already names the org: bare or
    /// qualified.
    fn org_name(&mut self, p: P<'_>, base: usize) -> OrgName {
        if p.as_rule() == Rule::qname {
            let q = self.qname(p, base);
            OrgName {
                org: Some(q.org),
                name: q.name,
                span: q.span,
            }
        } else {
            let name = self.ident(p, base);
            OrgName {
                org: None,
                span: name.span,
                name,
            }
        }
    }

    fn string(&mut self, p: P<'_>, base: usize) -> Str {
        let span = self.span(&p, base);
        let raw = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
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
        let inner = p.into_inner().next();
        let value = match inner.as_ref().map(|i| i.as_rule()) {
            Some(Rule::datetime) => match parse_datetime(&raw) {
                Ok(t) => {
                    if t.timestamp_subsec_nanos() % 1000 != 0 {
                        self.errors.push(SyntaxError::TimePrecision {
                            text: raw.clone(),
                            span,
                        });
                    }
                    TimeValue::Instant(t)
                }
                Err(message) => {
                    self.errors.push(SyntaxError::BadTime { message, span });
                    TimeValue::Instant(chrono::DateTime::UNIX_EPOCH.fixed_offset())
                }
            },
            _ => match parse_date(&raw) {
                Ok(d) => TimeValue::Date(d),
                Err(message) => {
                    self.errors.push(SyntaxError::BadTime { message, span });
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
                    kind: StmtKind::Timezone { offset, raw },
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
                    kind: StmtKind::Org { id, name, members },
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
                    kind: StmtKind::Group {
                        id,
                        name,
                        main,
                        members,
                    },
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
                    kind: StmtKind::Attribute { id, ty, doc },
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
                StmtKind::Service {
                    org,
                    enable,
                    at,
                    by,
                }
            }
            Rule::admin_change => {
                let org = self.ident(it.next()?, base);
                let to = self.org_name(it.next()?, base);
                let at = self.time(it.next()?, base);
                StmtKind::SuperAdminChange { org, to, at }
            }
            Rule::seal_event | Rule::template_event => {
                let enable = it.next()?.as_str() == "enable";
                let name = self.qname(it.next()?, base);
                let at = self.time(it.next()?, base);
                if rule == Rule::seal_event {
                    StmtKind::SealToggle {
                        enable,
                        seal: name,
                        at,
                    }
                } else {
                    StmtKind::TemplateToggle {
                        enable,
                        template: name,
                        at,
                    }
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
                StmtKind::Invite {
                    org,
                    template,
                    role,
                    at,
                    valid_for,
                }
            }
            Rule::revoke => {
                let target = self.ident(it.next()?, base);
                let at = self.time(it.next()?, base);
                let by = it.next().map(|b| self.org_name(b, base));
                StmtKind::Revoke { target, at, by }
            }
            Rule::reseal => {
                let target = self.ident(it.next()?, base);
                let seal = self.org_name(it.next()?, base);
                let at = self.time(it.next()?, base);
                StmtKind::Reseal { target, seal, at }
            }
            Rule::own_rule => {
                let org = self.ident(it.next()?, base);
                let template = self.ident(it.next()?, base);
                let seal = self.org_name(it.next()?, base);
                let (validity, when) = self.tail(it, base);
                StmtKind::OwnRule {
                    org,
                    template,
                    seal,
                    validity,
                    when,
                }
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
                StmtKind::EmployeeRule {
                    employee,
                    template,
                    on_behalf,
                    validity,
                    when,
                }
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
                StmtKind::PartnerGrant {
                    partner,
                    org,
                    template,
                    role,
                    seal,
                    via,
                    validity,
                    when,
                }
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
                StmtKind::Forbid {
                    signer,
                    template,
                    kind,
                    validity,
                    when,
                }
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
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
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
pub fn unescape(raw: &str) -> Result<String, String> {
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

/// Escapes a string value for policy text.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn describe_found(rest: &str) -> (String, usize) {
    match rest.chars().next() {
        None => (String::from("end of file"), 0),
        Some('\n') | Some('\r') => (String::from("end of line"), 0),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
                .take(40)
                .collect();
            let len = word.len();
            (format!("`{word}`"), len)
        }
        Some(c) => (format!("`{c}`"), c.len_utf8()),
    }
}

fn expected_list(rules: &[Rule]) -> (String, Option<String>) {
    let mut names: Vec<&str> = rules.iter().map(|r| rule_name(*r)).collect();
    names.sort_unstable();
    names.dedup();
    let help = if rules
        .iter()
        .any(|r| matches!(r, Rule::date | Rule::datetime | Rule::time))
    {
        Some(String::from(
            "write times as `2026-03-01T09:00:00+08:00` or dates as `2026-03-01`",
        ))
    } else if rules.contains(&Rule::ident) || rules.contains(&Rule::label) {
        Some(String::from(
            "names start with a letter or `_`; keywords such as `from` or `seal` cannot be names",
        ))
    } else {
        None
    };
    let text = match names.as_slice() {
        [] => String::from("something else"),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    };
    (text, help)
}

fn rule_name(r: Rule) -> &'static str {
    match r {
        Rule::ident | Rule::label => "a name",
        Rule::qname => "a qualified name like `acme.li`",
        Rule::string | Rule::str_inner => "a string",
        Rule::number | Rule::count => "a number",
        Rule::time | Rule::date | Rule::datetime => "a time",
        Rule::offset => "an offset like `+08:00`",
        Rule::seal_kind => "a seal kind",
        Rule::attr_type => "`number`, `string` or `bool`",
        Rule::cmp_op => "a comparison",
        Rule::boolean => "`true` or `false`",
        Rule::list => "a list",
        Rule::period => "`days` or `months`",
        Rule::validity | Rule::from | Rule::until => "`from` or `until`",
        Rule::when => "`when`",
        Rule::via => "`via invite`",
        Rule::by_person => "`by`",
        Rule::for_template => "`for template`",
        Rule::for_signer => "`for signer`",
        Rule::on_behalf => "`on behalf of`",
        Rule::with_kind => "`with seal kind`",
        Rule::valid_for => "`valid for`",
        Rule::revoked => "`revoked`",
        Rule::service_verb => "`enables` or `disables`",
        Rule::toggle => "`enable` or `disable`",
        Rule::not | Rule::neg | Rule::cond | Rule::conj | Rule::comparison => "a condition",
        Rule::super_admin | Rule::employee | Rule::seal | Rule::template => {
            "`super_admin`, `employee`, `seal`, `template` or `}`"
        }
        Rule::EOI => "end of file",
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
        | Rule::forbid => "a statement",
        _ => "something else",
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
        let StmtKind::Org { name, .. } = &p.ast.stmts[0].kind else {
            panic!()
        };
        assert_eq!(name.value, "A \"B\" 中");
    }

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    /// `changes` is a keyword; `super` and `admin` stay usable as names.
    #[test]
    fn super_admin_changes() {
        let p = parse(
            "org super \"S\" {\n    employee admin \"A\"\n}\nsuper changes super admin to super.admin at 2026-05-01T00:00:00Z\n",
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let StmtKind::SuperAdminChange { org, to, .. } = &p.ast.stmts[1].kind else {
            panic!("{:?}", p.ast.stmts[1])
        };
        assert_eq!(
            (org.name.as_str(), to.to_string()),
            ("super", "super.admin".to_owned())
        );
        let p = parse("org changes \"C\" {\n}\n");
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
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

    #[test]
    fn exact_decimals() {
        assert_eq!(
            parse_decimal("1_000_000.50").unwrap().to_string(),
            "1000000.50"
        );
        assert!(parse_decimal("12345678901234567890123456789").is_none());
    }
}
