//! The canonical layout of policy text, comments kept (`autoseal fmt`).
//!
//! The layout:
//!
//! - tokens are separated by single spaces; a label is written `label: `;
//! - an org block is `org ID "NAME" {`, then one member per line indented
//!   four spaces, then `}`; every other declaration and every event is one
//!   line;
//! - a rule (own auto-sign, employee, partner grant, forbid) is one line when
//!   it fits in [`WIDTH`] columns and no comment has to stay inside it;
//!   otherwise its head is on the first line and each clause (`via invite`,
//!   the validity, `when`) on a line of its own, indented four spaces, in
//!   that order;
//! - strings, numbers and times are written as they were (escapes, `_`
//!   separators, offsets kept), and so are `until revoked`, parentheses,
//!   and a person or seal written bare (`zhao`) or qualified
//!   (`globex.zhao`) where both are accepted;
//! - a run of blank lines becomes one blank line; there is none at the start
//!   of the file, and the file ends with exactly one newline.
//!
//! Comments are never lost. A comment on a line of its own stays before what
//! it preceded (at the indentation of that place); a comment at the end of a
//! line stays at the end of the printed line holding the token it followed.
//! When two comments end up on the same printed line, all but the last are
//! moved onto lines of their own just above the statement (or org member).
//!
//! Formatting keeps meaning (the syntax tree of the output equals that of the
//! input) and is idempotent.

use crate::ast::{
    Condition, Expr, FileAst, Literal, Member, MemberLine, Period, QName, Stmt, StmtKind, Str,
    Time, Until, Validity, Via,
};
use crate::limits::MAX_LINE_BYTES;
use crate::source::{FileId, Span};
use crate::syntax::{parse_file, Comment, SyntaxError};

/// The widest a joined rule may be, in columns (wide CJK characters count
/// as two).
pub const WIDTH: usize = 100;

const INDENT: usize = 4;

/// Formats one file: the canonical layout, or every syntax error when the
/// text does not parse.
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<SyntaxError>> {
    let parsed = parse_file(file, text);
    if !parsed.errors.is_empty() {
        return Err(parsed.errors);
    }
    Ok(print_file(text, &parsed.ast, &parsed.comments))
}

/// A comment of the source.
#[derive(Debug, Clone, Copy)]
struct Note<'t> {
    start: usize,
    end: usize,
    /// `#` to the end of the line, trailing white space removed.
    text: &'t str,
    /// Only white space before it on its line.
    own_line: bool,
}

fn notes<'t>(text: &'t str, comments: &[Comment]) -> Vec<Note<'t>> {
    let mut out: Vec<Note<'t>> = comments
        .iter()
        .map(|c| {
            let start = c.span.start as usize;
            let end = c.span.end as usize;
            let line_start = text
                .get(..start)
                .and_then(|before| before.rfind('\n'))
                .map_or(0, |i| i + 1);
            Note {
                start,
                end,
                text: text.get(start..end).unwrap_or("#").trim_end(),
                own_line: text
                    .get(line_start..start)
                    .is_some_and(|s| s.trim().is_empty()),
            }
        })
        .collect();
    out.sort_by_key(|n| n.start);
    out
}

/// Whether the source between two offsets holds a blank line.
fn blank_between(text: &str, from: usize, to: usize) -> bool {
    text.get(from..to)
        .is_some_and(|gap| gap.matches('\n').nth(1).is_some())
}

/// One top-level thing, in source order.
enum Item<'a, 't> {
    /// A statement, where its last token ends, and its comments.
    Stmt(&'a Stmt, usize, &'a [Note<'t>]),
    Note(Note<'t>),
}

fn print_file(text: &str, ast: &FileAst, comments: &[Comment]) -> String {
    let stmts = &ast.stmts;
    let notes = notes(text, comments);
    let ends: Vec<usize> = stmts
        .iter()
        .map(|s| token_end(text, &notes, s.span))
        .collect();
    // The comments of each statement: inside it, or after it on its last line.
    let mut owned: Vec<Vec<Note<'_>>> = vec![Vec::new(); stmts.len()];
    let mut items: Vec<(usize, Item<'_, '_>)> = Vec::new();
    for n in notes.iter().copied() {
        let k = stmts.partition_point(|s| (s.span.start as usize) < n.start);
        let home = k.checked_sub(1).filter(|&i| {
            ends.get(i).is_some_and(|&end| {
                n.start < end
                    || text
                        .get(end..n.start)
                        .is_some_and(|gap| !gap.contains('\n'))
            })
        });
        match home.and_then(|i| owned.get_mut(i)) {
            Some(v) => v.push(n),
            None => items.push((n.start, Item::Note(n))),
        }
    }
    for ((s, ns), &end) in stmts.iter().zip(&owned).zip(&ends) {
        items.push((s.span.start as usize, Item::Stmt(s, end, ns)));
    }
    let mut out = String::new();
    in_order(&mut out, text, items, |out, item| match item {
        Item::Note(n) => {
            push_line(out, 0, n.text);
            n.end
        }
        Item::Stmt(s, end, ns) => {
            stmt(out, text, s, end, ns);
            extent(end, ns)
        }
    });
    out
}

/// Prints things in source order, with one blank line where the source had
/// at least one between them. `print` prints one thing and says where it
/// ends in the source.
fn in_order<T>(
    out: &mut String,
    text: &str,
    mut items: Vec<(usize, T)>,
    mut print: impl FnMut(&mut String, T) -> usize,
) {
    items.sort_by_key(|(start, _)| *start);
    let mut prev_end = None;
    for (start, item) in items {
        if prev_end.is_some_and(|end| blank_between(text, end, start)) {
            out.push('\n');
        }
        prev_end = Some(print(out, item));
    }
}

/// Where the last token of a node ends. The span of a rule that ends in an
/// optional part also covers the white space and comments skipped while
/// looking for that part; those are not the node's.
fn token_end(text: &str, notes: &[Note<'_>], span: Span) -> usize {
    let start = span.start as usize;
    let mut end = span.end as usize;
    loop {
        let trimmed = text.get(start..end).map_or(start, |s| {
            start + s.trim_end_matches([' ', '\t', '\r', '\n']).len()
        });
        let k = notes.partition_point(|n| n.start < trimmed);
        match k.checked_sub(1).and_then(|i| notes.get(i)) {
            Some(n) if trimmed <= n.end => end = n.start,
            _ => return trimmed,
        }
    }
}

/// Where something ends in the source, counting its comments.
fn extent(end: usize, notes: &[Note<'_>]) -> usize {
    notes.iter().map(|n| n.end).fold(end, usize::max)
}

fn push_line(out: &mut String, indent: usize, text: &str) {
    out.push_str(&" ".repeat(indent));
    out.push_str(text);
    out.push('\n');
}

/// A printed line and the comments that end up on it.
struct Line<'t> {
    indent: usize,
    text: String,
    notes: Vec<Note<'t>>,
}

/// Prints lines that belong together (a statement, an org member): every
/// comment but the last of a line goes on a line of its own above the first
/// line, as does one that would make its line too long to read back.
fn emit(out: &mut String, lines: Vec<Line<'_>>) {
    let above_indent = lines.first().map_or(0, |l| l.indent);
    let mut kept = Vec::with_capacity(lines.len());
    for mut l in lines {
        let last = match l.notes.pop() {
            Some(n) if fits(&l, n) => Some(n),
            Some(n) => {
                l.notes.push(n);
                None
            }
            None => None,
        };
        for n in &l.notes {
            push_line(out, above_indent, n.text);
        }
        kept.push((l.indent, l.text, last));
    }
    for (indent, text, last) in kept {
        match last {
            Some(n) => push_line(out, indent, &format!("{text} {}", n.text)),
            None => push_line(out, indent, &text),
        }
    }
}

/// Whether a comment at the end of a line keeps it short enough to read back.
fn fits(l: &Line<'_>, n: Note<'_>) -> bool {
    let tail = l.text.rsplit('\n').next().unwrap_or("");
    l.indent + tail.len() + 1 + n.text.len() <= MAX_LINE_BYTES
}

fn stmt(out: &mut String, text: &str, s: &Stmt, end: usize, notes: &[Note<'_>]) {
    let prefix = s
        .label
        .as_ref()
        .map_or_else(String::new, |l| format!("{}: ", l.name));
    let start = s.span.start as usize;
    match &s.kind {
        StmtKind::Org { id, name, members } => {
            let head = format!("{prefix}org {} {} {{", id.name, string(name));
            org(out, text, head, end, name.span.end as usize, members, notes);
        }
        kind => {
            let (head, clauses) = pieces(kind);
            emit(out, flow(&prefix, head, (start, end), clauses, notes));
        }
    }
}

/// A clause of a rule, with where it starts in the source.
struct Piece {
    start: usize,
    text: String,
}

/// Lays out a statement: joined on one line, or its head and then one clause
/// per line. Each comment goes with the piece holding the token it followed.
fn flow<'t>(
    prefix: &str,
    head: String,
    (start, end): (usize, usize),
    clauses: Vec<Piece>,
    notes: &[Note<'t>],
) -> Vec<Line<'t>> {
    let count = clauses.len() + 1;
    let mut attached: Vec<Vec<Note<'t>>> = vec![Vec::new(); count];
    for n in notes {
        let at = if n.start >= end {
            count - 1
        } else {
            // The piece that started last before the comment, in source order.
            let mut best = (start, 0);
            for (i, c) in clauses.iter().enumerate() {
                if c.start <= n.start && c.start >= best.0 {
                    best = (c.start, i + 1);
                }
            }
            best.1
        };
        if let Some(v) = attached.get_mut(at) {
            v.push(*n);
        }
    }
    let only_last = attached.iter().rev().skip(1).all(Vec::is_empty);
    let mut joined = format!("{prefix}{head}");
    for c in &clauses {
        joined.push(' ');
        joined.push_str(&c.text);
    }
    if clauses.is_empty() || (only_last && !joined.contains('\n') && width(&joined) <= WIDTH) {
        return vec![Line {
            indent: 0,
            text: joined,
            notes: attached.into_iter().flatten().collect(),
        }];
    }
    let mut attached = attached.into_iter();
    let mut lines = vec![Line {
        indent: 0,
        text: format!("{prefix}{head}"),
        notes: attached.next().unwrap_or_default(),
    }];
    for (c, ns) in clauses.into_iter().zip(attached) {
        lines.push(Line {
            indent: INDENT,
            text: c.text,
            notes: ns,
        });
    }
    lines
}

/// An org block: header, members (and the comments between them), `}`.
fn org(
    out: &mut String,
    text: &str,
    header: String,
    end: usize,
    name_end: usize,
    members: &[MemberLine],
    notes: &[Note<'_>],
) {
    let brace = brace_after(text, name_end);
    let mut head_notes = Vec::new();
    let mut close_notes = Vec::new();
    let mut member_notes: Vec<Vec<Note<'_>>> = vec![Vec::new(); members.len()];
    let mut loose = Vec::new();
    let ends: Vec<usize> = members
        .iter()
        .map(|m| token_end(text, notes, m.span))
        .collect();
    for n in notes {
        if n.start >= end {
            close_notes.push(*n);
            continue;
        }
        if n.start < brace {
            head_notes.push(*n);
            continue;
        }
        // The member that started last before the comment.
        let prev = members
            .partition_point(|m| (m.span.start as usize) < n.start)
            .checked_sub(1);
        let inside = prev.filter(|&i| ends.get(i).is_some_and(|&e| n.start < e));
        let target = match inside {
            Some(i) => Some(i),
            None if n.own_line => None,
            None => prev,
        };
        match target {
            Some(i) => {
                if let Some(v) = member_notes.get_mut(i) {
                    v.push(*n);
                }
            }
            None if n.own_line => loose.push(*n),
            None => head_notes.push(*n),
        }
    }
    emit(
        out,
        vec![Line {
            indent: 0,
            text: header,
            notes: head_notes,
        }],
    );

    enum Body<'a, 't> {
        Member(&'a MemberLine, usize, Vec<Note<'t>>),
        Note(Note<'t>),
    }
    let body: Vec<(usize, Body<'_, '_>)> = members
        .iter()
        .zip(ends)
        .zip(member_notes)
        .map(|((m, e), ns)| (m.span.start as usize, Body::Member(m, e, ns)))
        .chain(loose.into_iter().map(|n| (n.start, Body::Note(n))))
        .collect();
    in_order(out, text, body, |out, item| match item {
        Body::Note(n) => {
            push_line(out, INDENT, n.text);
            n.end
        }
        Body::Member(m, end, ns) => {
            let e = extent(end, &ns);
            let text = member(&m.member);
            emit(
                out,
                vec![Line {
                    indent: INDENT,
                    text,
                    notes: ns,
                }],
            );
            e
        }
    });
    emit(
        out,
        vec![Line {
            indent: 0,
            text: String::from("}"),
            notes: close_notes,
        }],
    );
}

/// The offset of the `{` of an org block: the first one after its name
/// outside comments.
fn brace_after(text: &str, from: usize) -> usize {
    let Some(rest) = text.get(from..) else {
        return from;
    };
    let mut in_comment = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\n' => in_comment = false,
            '#' => in_comment = true,
            '{' if !in_comment => return from + i,
            _ => {}
        }
    }
    from
}

fn member(m: &Member) -> String {
    match m {
        Member::SuperAdmin { id, name } => format!("super_admin {} {}", id.name, string(name)),
        Member::Employee { id, name } => format!("employee {} {}", id.name, string(name)),
        Member::Seal { id, name, kind } => {
            let mut s = format!("seal {} {}", id.name, string(name));
            if let Some(k) = kind {
                s.push_str(" kind ");
                s.push_str(&k.name);
            }
            s
        }
        Member::Template {
            id,
            name,
            signatories,
        } => {
            let mut s = format!("template {} {}", id.name, string(name));
            if !signatories.is_empty() {
                s.push_str(" signatories ");
                s.push_str(&join(signatories.iter().map(string), ", "));
            }
            s
        }
    }
}

/// The head of a statement (other than an org) and its clauses.
fn pieces(kind: &StmtKind) -> (String, Vec<Piece>) {
    match kind {
        StmtKind::Timezone { raw, .. } => (format!("timezone {raw}"), Vec::new()),
        StmtKind::Org { id, name, .. } => (format!("org {} {}", id.name, string(name)), Vec::new()),
        StmtKind::Group {
            id,
            name,
            main,
            members,
        } => (
            format!(
                "group {} {} main {} members {}",
                id.name,
                string(name),
                main.name,
                join(members.iter().map(|m| m.name.clone()), ", ")
            ),
            Vec::new(),
        ),
        StmtKind::Attribute { id, ty, doc } => {
            let mut s = format!("attribute {}: {}", id.name, ty.as_str());
            if let Some(d) = doc {
                s.push(' ');
                s.push_str(&string(d));
            }
            (s, Vec::new())
        }
        StmtKind::Service {
            org,
            enable,
            at,
            by,
        } => {
            let verb = if *enable { "enables" } else { "disables" };
            let mut s = format!("{} {verb} auto-sign at {}", org.name, at.raw);
            if let Some(b) = by {
                s.push_str(" by ");
                s.push_str(&b.to_string());
            }
            (s, Vec::new())
        }
        StmtKind::SuperAdminChange { org, to, at } => (
            format!("{} changes super admin to {to} at {}", org.name, at.raw),
            Vec::new(),
        ),
        StmtKind::SealToggle { enable, seal, at } => {
            (toggle(*enable, "seal", seal, at), Vec::new())
        }
        StmtKind::TemplateToggle {
            enable,
            template,
            at,
        } => (toggle(*enable, "template", template, at), Vec::new()),
        StmtKind::Invite {
            org,
            template,
            role,
            at,
            valid_for,
        } => {
            let mut s = format!(
                "{} invites partners to authorize template {} as signatory {} at {}",
                org.name,
                template.name,
                string(role),
                at.raw
            );
            if let Some(v) = valid_for {
                let period = match v.period {
                    Period::Days => "days",
                    Period::Months => "months",
                };
                s.push_str(&format!(" valid for {} {period}", v.count));
            }
            (s, Vec::new())
        }
        StmtKind::Revoke { target, at, by } => {
            let mut s = format!("revoke {} at {}", target.name, at.raw);
            if let Some(b) = by {
                s.push_str(&format!(" by {b}"));
            }
            (s, Vec::new())
        }
        StmtKind::Reseal { target, seal, at } => (
            format!("reseal {} with seal {seal} at {}", target.name, at.raw),
            Vec::new(),
        ),
        StmtKind::OwnRule {
            org,
            template,
            seal,
            validity,
            when,
        } => (
            format!(
                "{} auto-signs template {} with seal {}",
                org.name, template.name, seal
            ),
            clauses(None, validity, when.as_ref()),
        ),
        StmtKind::EmployeeRule {
            employee,
            template,
            on_behalf,
            validity,
            when,
        } => {
            let mut s = format!("employee {employee} may initiate auto-sign");
            if let Some(t) = template {
                s.push_str(&format!(" for template {t}"));
            }
            if let Some(o) = on_behalf {
                s.push_str(&format!(" on behalf of {}", o.name));
            }
            (s, clauses(None, validity, when.as_ref()))
        }
        StmtKind::PartnerGrant {
            partner,
            org,
            template,
            role,
            seal,
            via,
            validity,
            when,
        } => (
            format!(
                "partner {} authorizes {} template {} as signatory {} with seal {}",
                partner.name,
                org.name,
                template.name,
                string(role),
                seal
            ),
            clauses(via.as_deref(), validity, when.as_ref()),
        ),
        StmtKind::Forbid {
            signer,
            template,
            kind,
            validity,
            when,
        } => {
            let mut s = String::from("forbid auto-sign");
            if let Some(x) = signer {
                s.push_str(&format!(" for signer {}", x.name));
            }
            if let Some(t) = template {
                s.push_str(&format!(" for template {t}"));
            }
            if let Some(k) = kind {
                s.push_str(&format!(" with seal kind {}", k.name));
            }
            (s, clauses(None, validity, when.as_ref()))
        }
    }
}

fn toggle(enable: bool, what: &str, name: &QName, at: &Time) -> String {
    let verb = if enable { "enable" } else { "disable" };
    format!("{verb} {what} {name} at {}", at.raw)
}

/// The clauses of a rule in printing order: via, validity, when.
fn clauses(via: Option<&Via>, validity: &Validity, when: Option<&Condition>) -> Vec<Piece> {
    let mut out = Vec::new();
    if let Some(v) = via {
        out.push(Piece {
            start: v.span.start as usize,
            text: format!(
                "via invite {} accepted {} by {}",
                v.invite.name, v.accepted.raw, v.by
            ),
        });
    }
    let mut parts = Vec::new();
    let mut start = None;
    if let Some(f) = &validity.from {
        start = Some(f.span.start);
        parts.push(format!("from {}", f.raw));
    }
    if let Some(u) = &validity.until {
        let (span, text) = match u {
            Until::Revoked(span) => (*span, String::from("until revoked")),
            Until::Time(t) => (t.span, format!("until {}", t.raw)),
        };
        start = Some(start.map_or(span.start, |s: u32| s.min(span.start)));
        parts.push(text);
    }
    if let Some(s) = start {
        out.push(Piece {
            start: s as usize,
            text: parts.join(" "),
        });
    }
    if let Some(c) = when {
        let inline = expr_text(&c.expr, false);
        // A list so long that the line could not be read back is written
        // one element per line.
        let text = if INDENT + "when ".len() + inline.len() > MAX_LINE_BYTES / 2 {
            expr_text(&c.expr, true)
        } else {
            inline
        };
        out.push(Piece {
            start: c.span.start as usize,
            text: format!("when {text}"),
        });
    }
    out
}

fn expr_text(e: &Expr, expand_lists: bool) -> String {
    let mut s = String::new();
    expr(e, expand_lists, &mut s);
    s
}

fn expr(e: &Expr, expand_lists: bool, out: &mut String) {
    match e {
        Expr::Or(parts) | Expr::And(parts) => {
            let sep = if matches!(e, Expr::Or(_)) {
                " or "
            } else {
                " and "
            };
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                expr(p, expand_lists, out);
            }
        }
        Expr::Not(x) => {
            out.push_str("not ");
            expr(x, expand_lists, out);
        }
        Expr::Paren(x) => {
            out.push('(');
            expr(x, expand_lists, out);
            out.push(')');
        }
        Expr::Cmp { attr, op, value } => {
            out.push_str(&format!("{} {} {}", attr.name, op.as_str(), literal(value)));
        }
        Expr::In { attr, values } => {
            out.push_str(&attr.name);
            out.push_str(" in [");
            if expand_lists && !values.is_empty() {
                let pad = " ".repeat(2 * INDENT);
                for v in values {
                    out.push('\n');
                    out.push_str(&pad);
                    out.push_str(&literal(v));
                    out.push(',');
                }
                out.push('\n');
                out.push_str(&" ".repeat(INDENT));
            } else {
                out.push_str(&join(values.iter().map(literal), ", "));
            }
            out.push(']');
        }
    }
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::Number(_, raw, _) => raw.clone(),
        Literal::Str(s) => string(s),
        Literal::Bool(b, _) => b.to_string(),
    }
}

fn string(s: &Str) -> String {
    format!("\"{}\"", s.raw)
}

fn join(items: impl Iterator<Item = String>, sep: &str) -> String {
    items.collect::<Vec<_>>().join(sep)
}

/// Columns taken by text in a terminal: East Asian wide characters take two.
fn width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(
        u32::from(c),
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x2FFFD
            | 0x30000..=0x3FFFD
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fmt(text: &str) -> String {
        format_source(FileId(0), text).unwrap()
    }

    #[test]
    fn a_long_rule_is_broken_into_clause_lines() {
        let long = "g_initech: partner initech authorizes acme template nda as signatory \"乙方\" with seal contract from 2026-03-01T00:00:00+08:00 until 2027-02-28T00:00:00+08:00 when amount <= 500000\n";
        assert_eq!(
            fmt(long),
            "g_initech: partner initech authorizes acme template nda as signatory \"乙方\" with seal contract\n    from 2026-03-01T00:00:00+08:00 until 2027-02-28T00:00:00+08:00\n    when amount <= 500000\n"
        );
    }

    #[test]
    fn a_short_rule_is_joined_onto_one_line() {
        let short = "f: forbid auto-sign\n    when amount > 5\n    from 2026-01-01T00:00:00Z\n";
        assert_eq!(
            fmt(short),
            "f: forbid auto-sign from 2026-01-01T00:00:00Z when amount > 5\n"
        );
    }

    #[test]
    fn the_limit_is_one_hundred_columns_with_wide_characters_counted_twice() {
        // 100 columns exactly: joined. One more: broken.
        let head = "forbid auto-sign when s == ";
        let fits = format!("{head}\"{}\"\n", "x".repeat(WIDTH - head.len() - 2));
        assert_eq!(fmt(&fits), fits);
        let over = format!("{head}\"{}\"\n", "x".repeat(WIDTH - head.len() - 1));
        assert_eq!(fmt(&over).lines().count(), 2);
        let wide = format!("{head}\"{}\"\n", "字".repeat((WIDTH - head.len()) / 2));
        assert_eq!(fmt(&wide).lines().count(), 2);
    }

    #[test]
    fn a_comment_inside_a_rule_keeps_it_broken() {
        let text = "f: forbid auto-sign # why\n    when amount > 5\n";
        assert_eq!(fmt(text), text);
    }
}
