//! The canonical layout of policy text, comments kept (`autoseal fmt`).
//!
//! The layout:
//!
//! - tokens are separated by single spaces; a label is written `label: `;
//! - an org block is `org ID "NAME" {`, then one member per line indented
//!   four spaces, then `}`; every other declaration and every event is one
//!   line;
//! - a rule (own auto-sign, employee, partner grant, forbid) is one line when
//!   it fits in 100 columns and no comment has to stay inside it;
//!   otherwise its head is on the first line and each clause (`via invite`,
//!   the validity, `when`) on a line of its own, indented four spaces, in
//!   that order (in the order written when a comment is inside the rule);
//! - strings, numbers and times are written as they were (escapes, `_`
//!   separators, offsets kept), and so are `until revoked`, parentheses,
//!   and a person or seal written bare (`zhao`) or qualified
//!   (`globex.zhao`) where both are accepted;
//! - a run of blank lines becomes one blank line; there is none at the start
//!   of the file, and the file ends with exactly one newline.
//!
//! Comments are never lost, and stay where they were. A comment between
//! statements (or between the members of an org block) stays before what it
//! preceded, in column 0 (indented four spaces inside a block). A comment
//! inside a statement (between its continuation lines, or at the end of one
//! of them) stays after the same token: the name, string, literal or time it
//! followed in the source, and the keywords that followed that. The line is
//! broken there: the comment stays at the end of the line when it was at the
//! end of a line, a comment on a line of its own stays on a line of its own
//! (indented as the line after it), and the statement goes on on a line
//! indented eight spaces (or on its next clause's line). So a comment
//! between two clauses stays between those two clauses. A comment at the
//! end of a statement's last line stays at the end of its last line.
//!
//! Formatting keeps meaning (the syntax tree of the output says what that of
//! the input says, see [`crate::ast::Meaning`]) and is idempotent.

use crate::ast::{
    self, Condition, Expr, FileAst, Ident, Literal, Member, MemberLine, OrgName, Period, QName,
    Stmt, StmtKind, Str, Time, Until, Validity, Via,
};
use crate::limits::MAX_LINE_BYTES;
use crate::source::{FileId, Span};
use crate::syntax::{parse_file, Comment, SyntaxError};

/// The widest a joined rule may be, in columns (wide CJK characters count
/// as two).
pub(crate) const WIDTH: usize = 100;

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

// ------------------------------------------------------------------ atoms

/// A token of the output.
#[derive(Debug, Clone)]
enum Atom {
    Word {
        text: String,
        /// Where it was written, for the tokens the syntax tree places (names,
        /// strings, literals, times): comments are placed after these, and
        /// after the keywords that followed them in the source.
        src: Option<(usize, usize)>,
        /// No space before (`,`, `)`, `]`, `:`) or after (`(`, `[`).
        tight_before: bool,
        tight_after: bool,
    },
    /// A line break the layout always makes (a list written one element per
    /// line), and the indentation of the next line.
    Break(usize),
}

fn kw(text: impl Into<String>) -> Atom {
    Atom::Word {
        text: text.into(),
        src: None,
        tight_before: false,
        tight_after: false,
    }
}

fn leaf(text: impl Into<String>, span: Span) -> Atom {
    Atom::Word {
        text: text.into(),
        src: Some((span.start as usize, span.end as usize)),
        tight_before: false,
        tight_after: false,
    }
}

fn punct(text: &'static str) -> Atom {
    Atom::Word {
        text: text.to_owned(),
        src: None,
        tight_before: matches!(text, "," | ")" | "]" | ":"),
        tight_after: matches!(text, "(" | "["),
    }
}

fn ident(i: &Ident) -> Atom {
    leaf(i.name.clone(), i.span)
}

fn qname(q: &QName) -> Atom {
    leaf(q.to_string(), q.span)
}

/// A person or seal written bare or qualified, as it was written.
fn org_name(n: &OrgName) -> Atom {
    leaf(n.to_string(), n.span)
}

fn string(s: &Str) -> Atom {
    leaf(format!("\"{}\"", s.raw), s.span)
}

fn time(t: &Time) -> Atom {
    leaf(t.raw.clone(), t.span)
}

fn literal(l: &Literal) -> Atom {
    let text = match l {
        Literal::Number(_, raw, _) => raw.clone(),
        Literal::Str(s) => format!("\"{}\"", s.raw),
        Literal::Bool(b, _) => b.to_string(),
    };
    leaf(text, l.span())
}

/// Atoms on one line (what a joined piece looks like).
fn inline(atoms: &[Atom]) -> String {
    let mut line = String::new();
    let mut tight = true;
    for a in atoms {
        if let Atom::Word {
            text,
            tight_before,
            tight_after,
            ..
        } = a
        {
            if !tight && !tight_before {
                line.push(' ');
            }
            line.push_str(text);
            tight = *tight_after;
        }
    }
    line
}

/// What part of a statement a piece is. A rule prints its head, then its
/// clauses in this order (`via`, validity, `when`), except that a rule
/// with a comment inside keeps the order it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Head,
    Via,
    Validity,
    When,
}

/// A piece of a statement: in the broken layout, each starts a line of its
/// own (the head, each clause; an org block's header and each member).
struct Piece {
    part: Part,
    /// Where it starts in the source.
    start: usize,
    atoms: Vec<Atom>,
}

/// After which atom of which piece a comment is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct At {
    piece: usize,
    atom: usize,
}

/// The tokens of the source between two offsets, comments left out: runs
/// of characters other than white space, and `,` `(` `)` `[` `]` `{` `}`
/// `:` alone (but for the `:` of an offset).
fn source_tokens(text: &str, notes: &[Note<'_>], from: usize, to: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut i = from;
    let close = |start: &mut Option<usize>, i: usize, out: &mut Vec<(usize, usize)>| {
        if let Some(s) = start.take() {
            out.push((s, i));
        }
    };
    while i < to {
        if let Some(n) = notes
            .binary_search_by_key(&i, |n| n.start)
            .ok()
            .and_then(|k| notes.get(k))
        {
            close(&mut start, i, &mut out);
            i = n.end.max(i + 1);
            continue;
        }
        let Some(c) = text.get(i..).and_then(|r| r.chars().next()) else {
            break;
        };
        let len = c.len_utf8();
        // (`:` is a token of its own after a label or an attribute's name,
        // but part of an offset such as `+08:00`.)
        let in_number = c == ':'
            && start.is_some()
            && i > 0
            && text.as_bytes().get(i - 1).is_some_and(u8::is_ascii_digit);
        if c.is_whitespace() {
            close(&mut start, i, &mut out);
        } else if matches!(c, ',' | '(' | ')' | '[' | ']' | '{' | '}' | ':') && !in_number {
            close(&mut start, i, &mut out);
            out.push((i, i + len));
        } else if start.is_none() {
            start = Some(i);
        }
        i += len;
    }
    close(&mut start, to.min(i), &mut out);
    out
}

/// The atoms of pieces placed in the source, by where they start.
fn placed(pieces: &[Piece]) -> Vec<(usize, usize, At)> {
    let mut out: Vec<(usize, usize, At)> = pieces
        .iter()
        .enumerate()
        .flat_map(|(p, piece)| {
            piece
                .atoms
                .iter()
                .enumerate()
                .filter_map(move |(a, atom)| match atom {
                    Atom::Word {
                        src: Some((s, e)), ..
                    } => Some((*s, *e, At { piece: p, atom: a })),
                    _ => None,
                })
        })
        .collect();
    out.sort_by_key(|x| x.0);
    out
}

/// Where a comment of a statement goes: after the token of the syntax tree
/// it followed in the source (a name, string, literal or time), and after
/// the keywords that followed that token before the comment. So a comment
/// stays between the same tokens, and between the same lines, wherever the
/// layout breaks them. `placed` is [`placed`] of `pieces`.
fn attach(
    text: &str,
    notes: &[Note<'_>],
    pieces: &[Piece],
    placed: &[(usize, usize, At)],
    start: usize,
    n: &Note<'_>,
) -> At {
    let k = placed.partition_point(|x| x.0 < n.start);
    // The last placed token before the comment, and the piece holding the
    // first one after it.
    let before = k.checked_sub(1).and_then(|i| placed.get(i));
    let after = placed.get(k).map(|x| x.2.piece);
    let (from, mut at, mut piece, mut next) = match before {
        Some(&(_, e, at)) => (e, Some(at), at.piece, at.atom + 1),
        None => (start, None, 0, 0),
    };
    let mut switched = false;
    for (s, e) in source_tokens(text, notes, from, n.start) {
        let tok = text.get(s..e).unwrap_or("");
        loop {
            let atoms = pieces.get(piece).map_or(&[][..], |p| p.atoms.as_slice());
            match atoms.get(next) {
                Some(Atom::Break(_)) => next += 1,
                Some(Atom::Word {
                    text: t, src: None, ..
                }) if t == tok => {
                    at = Some(At { piece, atom: next });
                    next += 1;
                    break;
                }
                // The keywords of the next clause.
                None if !switched && after.is_some_and(|q| q != piece) => {
                    switched = true;
                    piece = after.unwrap_or(piece);
                    next = 0;
                }
                // Tokens the layout leaves out: a list's trailing comma, a
                // pair of `not`s.
                _ if tok == "," || tok == "not" => break,
                _ => return at.unwrap_or(At { piece: 0, atom: 0 }),
            }
        }
    }
    at.unwrap_or(At { piece: 0, atom: 0 })
}

/// Prints pieces, each on a line of its own at its indentation, breaking a
/// piece after each atom a comment follows: the first comment stays at the
/// end of that line when it was at the end of a line in the source, the
/// others go on lines of their own below it, and the piece goes on at
/// [`CONTINUE`].
fn print_pieces(out: &mut String, pieces: &[(usize, &Piece, Vec<Vec<Note<'_>>>)]) {
    for (k, (indent, piece, notes)) in pieces.iter().enumerate() {
        let mut line = String::new();
        let mut line_indent = *indent;
        let mut tight = true;
        for (a, atom) in piece.atoms.iter().enumerate() {
            match atom {
                Atom::Break(i) => {
                    if !line.is_empty() {
                        push_line(out, line_indent, &line);
                        line.clear();
                    }
                    line_indent = *i;
                    tight = true;
                }
                Atom::Word {
                    text,
                    tight_before,
                    tight_after,
                    ..
                } => {
                    if !tight && !tight_before {
                        line.push(' ');
                    }
                    line.push_str(text);
                    tight = *tight_after;
                }
            }
            let Some(ns) = notes.get(a).filter(|ns| !ns.is_empty()) else {
                continue;
            };
            let last = a + 1 == piece.atoms.len() && k + 1 == pieces.len();
            // The indentation of what comes next.
            let next_indent = match piece.atoms.get(a + 1) {
                Some(Atom::Break(i)) => *i,
                Some(_) => CONTINUE,
                None => pieces.get(k + 1).map_or(CONTINUE, |(i, _, _)| *i),
            };
            let mut rest = ns.as_slice();
            if let [first, others @ ..] = ns.as_slice() {
                if !first.own_line
                    && line_indent + line.len() + 1 + first.text.len() <= MAX_LINE_BYTES
                {
                    line.push(' ');
                    line.push_str(first.text);
                    rest = others;
                }
            }
            push_line(out, line_indent, &line);
            line.clear();
            tight = true;
            for n in rest {
                // After the last token, a comment on a line of its own is
                // not the statement's: it goes in column 0.
                push_line(out, if last { 0 } else { next_indent }, n.text);
            }
            line_indent = next_indent;
        }
        if !line.is_empty() {
            push_line(out, line_indent, &line);
        }
    }
}

/// Where a clause or member goes on after a comment inside it.
const CONTINUE: usize = 2 * INDENT;

fn stmt(out: &mut String, text: &str, s: &Stmt, end: usize, notes: &[Note<'_>]) {
    if let StmtKind::Org(ast::Org { id, name, members }) = &s.kind {
        let header = vec![kw("org"), ident(id), string(name), punct("{")];
        org(
            out,
            text,
            s.span.start as usize,
            header,
            end,
            members,
            notes,
        );
        return;
    }
    let (mut head, clauses) = pieces(text, notes, &s.kind);
    if let Some(l) = &s.label {
        head.splice(0..0, [ident(l), punct(":")]);
    }
    let start = s.span.start as usize;
    let mut all = vec![Piece {
        part: Part::Head,
        start,
        atoms: head,
    }];
    all.extend(clauses);
    let placed = placed(&all);
    let at: Vec<At> = notes
        .iter()
        .map(|n| attach(text, notes, &all, &placed, start, n))
        .collect();
    // The order written, and the canonical one.
    let mut written: Vec<usize> = (0..all.len()).collect();
    written.sort_by_key(|&i| (i > 0, all.get(i).map_or(0, |p| p.start)));
    let last_of = |order: &[usize]| {
        order.last().map(|&p| At {
            piece: p,
            atom: all.get(p).map_or(0, |x| x.atoms.len().saturating_sub(1)),
        })
    };
    // A comment inside the statement (not after its last token) keeps the
    // clauses in the order written, so that it stays between the same ones.
    let inside = at.iter().any(|a| Some(*a) != last_of(&written));
    let canonical: Vec<usize> = (0..all.len()).collect();
    let order = if inside { written } else { canonical };
    let joined = all
        .iter()
        .all(|p| p.atoms.iter().all(|a| matches!(a, Atom::Word { .. })))
        && at.iter().all(|a| Some(*a) == last_of(&order));
    if joined {
        let atoms: Vec<Atom> = order
            .iter()
            .filter_map(|&p| all.get(p))
            .flat_map(|p| p.atoms.iter().cloned())
            .collect();
        let line = inline(&atoms);
        if all.len() == 1 || width(&line) <= WIDTH {
            let piece = Piece {
                part: Part::Head,
                start,
                atoms,
            };
            let mut per_atom = vec![Vec::new(); piece.atoms.len()];
            if let Some(v) = per_atom.last_mut() {
                v.extend(notes.iter().copied());
            }
            print_pieces(out, &[(0, &piece, per_atom)]);
            return;
        }
    }
    let lines: Vec<(usize, &Piece, Vec<Vec<Note<'_>>>)> = order
        .iter()
        .filter_map(|&p| {
            let piece = all.get(p)?;
            let mut per_atom = vec![Vec::new(); piece.atoms.len()];
            for (n, a) in notes.iter().zip(&at) {
                if a.piece == p {
                    if let Some(v) = per_atom.get_mut(a.atom) {
                        v.push(*n);
                    }
                }
            }
            let indent = if piece.part == Part::Head { 0 } else { INDENT };
            Some((indent, piece, per_atom))
        })
        .collect();
    print_pieces(out, &lines);
}

/// An org block: header, members (and the comments between them), `}`.
fn org(
    out: &mut String,
    text: &str,
    start: usize,
    header: Vec<Atom>,
    end: usize,
    members: &[MemberLine],
    notes: &[Note<'_>],
) {
    let header = Piece {
        part: Part::Head,
        start,
        atoms: header,
    };
    let brace = header
        .atoms
        .iter()
        .rev()
        .find_map(|a| match a {
            Atom::Word {
                src: Some((_, e)), ..
            } => Some(*e),
            _ => None,
        })
        .map_or(start, |name_end| brace_after(text, name_end));
    let pieces: Vec<Piece> = members
        .iter()
        .map(|m| Piece {
            part: Part::Head,
            start: m.span.start as usize,
            atoms: member(&m.member),
        })
        .collect();
    let ends: Vec<usize> = members
        .iter()
        .map(|m| token_end(text, notes, m.span))
        .collect();
    let mut head_notes = vec![Vec::new(); header.atoms.len()];
    let mut close_notes = Vec::new();
    let mut member_notes: Vec<Vec<Vec<Note<'_>>>> = pieces
        .iter()
        .map(|p| vec![Vec::new(); p.atoms.len()])
        .collect();
    let mut loose = Vec::new();
    for n in notes {
        if n.start >= end {
            close_notes.push(*n);
            continue;
        }
        if n.start < brace {
            let one = std::slice::from_ref(&header);
            let at = attach(text, notes, one, &placed(one), start, n);
            if let Some(v) = head_notes.get_mut(at.atom) {
                v.push(*n);
            }
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
        match (target, pieces.get(target.unwrap_or(usize::MAX))) {
            (Some(i), Some(piece)) => {
                let one = std::slice::from_ref(piece);
                let at = attach(text, notes, one, &placed(one), piece.start, n);
                if let Some(v) = member_notes.get_mut(i).and_then(|m| m.get_mut(at.atom)) {
                    v.push(*n);
                }
            }
            _ if n.own_line => loose.push(*n),
            // At the end of the header's line.
            _ => {
                if let Some(v) = head_notes.last_mut() {
                    v.push(*n);
                }
            }
        }
    }
    print_pieces(out, &[(0, &header, head_notes)]);

    enum Body<'a, 't> {
        Member(&'a Piece, usize, Vec<Vec<Note<'t>>>),
        Note(Note<'t>),
    }
    let body: Vec<(usize, Body<'_, '_>)> = pieces
        .iter()
        .zip(ends)
        .zip(member_notes)
        .map(|((p, e), ns)| (p.start, Body::Member(p, e, ns)))
        .chain(loose.into_iter().map(|n| (n.start, Body::Note(n))))
        .collect();
    in_order(out, text, body, |out, item| match item {
        Body::Note(n) => {
            push_line(out, INDENT, n.text);
            n.end
        }
        Body::Member(piece, end, ns) => {
            let e = ns.iter().flatten().map(|n| n.end).fold(end, usize::max);
            print_member(out, piece, ns);
            e
        }
    });
    let close = Piece {
        part: Part::Head,
        start: end,
        atoms: vec![punct("}")],
    };
    print_pieces(out, &[(0, &close, vec![close_notes])]);
}

/// An org member at [`INDENT`], its comments placed as in a statement
/// (a comment on a line of its own after its last token is not its own, so
/// never ends up here last).
fn print_member(out: &mut String, piece: &Piece, notes: Vec<Vec<Note<'_>>>) {
    // `print_pieces` puts comments after the last atom of the last piece in
    // column 0; a member is followed by more of the block, so give it a
    // follower with nothing to print.
    let empty = Piece {
        part: Part::Head,
        start: piece.start,
        atoms: Vec::new(),
    };
    print_pieces(
        out,
        &[(INDENT, piece, notes), (CONTINUE, &empty, Vec::new())],
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

fn member(m: &Member) -> Vec<Atom> {
    match m {
        Member::SuperAdmin { id, name } => vec![kw("super_admin"), ident(id), string(name)],
        Member::Employee { id, name } => vec![kw("employee"), ident(id), string(name)],
        Member::Seal { id, name, kind } => {
            let mut v = vec![kw("seal"), ident(id), string(name)];
            if let Some(k) = kind {
                v.extend([kw("kind"), ident(k)]);
            }
            v
        }
        Member::Template {
            id,
            name,
            signatories,
        } => {
            let mut v = vec![kw("template"), ident(id), string(name)];
            if !signatories.is_empty() {
                v.push(kw("signatories"));
                list_into(&mut v, signatories.iter().map(string));
            }
            v
        }
    }
}

/// `a, b, c`.
fn list_into(out: &mut Vec<Atom>, items: impl Iterator<Item = Atom>) {
    for (i, a) in items.enumerate() {
        if i > 0 {
            out.push(punct(","));
        }
        out.push(a);
    }
}

/// The head of a statement (other than an org) and its clauses.
fn pieces(text: &str, notes: &[Note<'_>], kind: &StmtKind) -> (Vec<Atom>, Vec<Piece>) {
    match kind {
        StmtKind::Timezone(ast::Timezone { raw, offset: _ }) => {
            (vec![kw("timezone"), kw(raw.clone())], Vec::new())
        }
        StmtKind::Org(ast::Org {
            id,
            name,
            members: _,
        }) => (vec![kw("org"), ident(id), string(name)], Vec::new()),
        StmtKind::Group(ast::Group {
            id,
            name,
            main,
            members,
        }) => {
            let mut v = vec![
                kw("group"),
                ident(id),
                string(name),
                kw("main"),
                ident(main),
                kw("members"),
            ];
            list_into(&mut v, members.iter().map(ident));
            (v, Vec::new())
        }
        StmtKind::Attribute(ast::Attribute { id, ty, doc }) => {
            let mut v = vec![kw("attribute"), ident(id), punct(":"), kw(ty.as_str())];
            v.extend(doc.iter().map(string));
            (v, Vec::new())
        }
        StmtKind::Service(ast::Service {
            org,
            enable,
            at,
            by,
        }) => {
            let verb = if *enable { "enables" } else { "disables" };
            let mut v = vec![ident(org), kw(verb), kw("auto-sign"), kw("at"), time(at)];
            if let Some(b) = by {
                v.extend([kw("by"), org_name(b)]);
            }
            (v, Vec::new())
        }
        StmtKind::SuperAdminChange(ast::SuperAdminChange { org, to, at }) => (
            vec![
                ident(org),
                kw("changes"),
                kw("super"),
                kw("admin"),
                kw("to"),
                org_name(to),
                kw("at"),
                time(at),
            ],
            Vec::new(),
        ),
        StmtKind::SealToggle(ast::SealToggle { enable, seal, at }) => {
            (toggle(*enable, "seal", seal, at), Vec::new())
        }
        StmtKind::TemplateToggle(ast::TemplateToggle {
            enable,
            template,
            at,
        }) => (toggle(*enable, "template", template, at), Vec::new()),
        StmtKind::Invite(ast::Invite {
            org,
            template,
            role,
            at,
            valid_for,
        }) => {
            let mut v = vec![
                ident(org),
                kw("invites"),
                kw("partners"),
                kw("to"),
                kw("authorize"),
                kw("template"),
                ident(template),
                kw("as"),
                kw("signatory"),
                string(role),
                kw("at"),
                time(at),
            ];
            if let Some(vf) = valid_for {
                let period = match vf.period {
                    Period::Days => "days",
                    Period::Months => "months",
                };
                // Its words, placed where they were written (the count and
                // the period as written may differ from what is printed).
                let words = [
                    String::from("valid"),
                    String::from("for"),
                    vf.count.to_string(),
                    String::from(period),
                ];
                let written =
                    source_tokens(text, notes, vf.span.start as usize, vf.span.end as usize);
                for (k, w) in words.into_iter().enumerate() {
                    v.push(match written.get(k) {
                        Some(&(s, e)) => Atom::Word {
                            text: w,
                            src: Some((s, e)),
                            tight_before: false,
                            tight_after: false,
                        },
                        None => kw(w),
                    });
                }
            }
            (v, Vec::new())
        }
        StmtKind::Revoke(ast::Revoke { target, at, by }) => {
            let mut v = vec![kw("revoke"), ident(target), kw("at"), time(at)];
            if let Some(b) = by {
                v.extend([kw("by"), org_name(b)]);
            }
            (v, Vec::new())
        }
        StmtKind::Reseal(ast::Reseal { target, seal, at }) => (
            vec![
                kw("reseal"),
                ident(target),
                kw("with"),
                kw("seal"),
                org_name(seal),
                kw("at"),
                time(at),
            ],
            Vec::new(),
        ),
        StmtKind::OwnRule(ast::OwnRule {
            org,
            template,
            seal,
            validity,
            when,
        }) => (
            vec![
                ident(org),
                kw("auto-signs"),
                kw("template"),
                ident(template),
                kw("with"),
                kw("seal"),
                org_name(seal),
            ],
            clauses(None, validity, when.as_ref()),
        ),
        StmtKind::EmployeeRule(ast::EmployeeRule {
            employee,
            template,
            on_behalf,
            validity,
            when,
        }) => {
            let mut v = vec![
                kw("employee"),
                qname(employee),
                kw("may"),
                kw("initiate"),
                kw("auto-sign"),
            ];
            if let Some(t) = template {
                v.extend([kw("for"), kw("template"), qname(t)]);
            }
            if let Some(o) = on_behalf {
                v.extend([kw("on"), kw("behalf"), kw("of"), ident(o)]);
            }
            (v, clauses(None, validity, when.as_ref()))
        }
        StmtKind::PartnerGrant(ast::PartnerGrant {
            partner,
            org,
            template,
            role,
            seal,
            via,
            validity,
            when,
        }) => (
            vec![
                kw("partner"),
                ident(partner),
                kw("authorizes"),
                ident(org),
                kw("template"),
                ident(template),
                kw("as"),
                kw("signatory"),
                string(role),
                kw("with"),
                kw("seal"),
                org_name(seal),
            ],
            clauses(via.as_deref(), validity, when.as_ref()),
        ),
        StmtKind::Forbid(ast::Forbid {
            signer,
            template,
            kind,
            validity,
            when,
        }) => {
            let mut v = vec![kw("forbid"), kw("auto-sign")];
            if let Some(x) = signer {
                v.extend([kw("for"), kw("signer"), ident(x)]);
            }
            if let Some(t) = template {
                v.extend([kw("for"), kw("template"), qname(t)]);
            }
            if let Some(k) = kind {
                v.extend([kw("with"), kw("seal"), kw("kind"), ident(k)]);
            }
            (v, clauses(None, validity, when.as_ref()))
        }
    }
}

fn toggle(enable: bool, what: &str, name: &QName, at: &Time) -> Vec<Atom> {
    let verb = if enable { "enable" } else { "disable" };
    vec![kw(verb), kw(what), qname(name), kw("at"), time(at)]
}

/// The clauses of a rule in printing order: via, validity, when.
fn clauses(via: Option<&Via>, validity: &Validity, when: Option<&Condition>) -> Vec<Piece> {
    let mut out = Vec::new();
    if let Some(v) = via {
        out.push(Piece {
            part: Part::Via,
            start: v.span.start as usize,
            atoms: vec![
                kw("via"),
                kw("invite"),
                ident(&v.invite),
                kw("accepted"),
                time(&v.accepted),
                kw("by"),
                org_name(&v.by),
            ],
        });
    }
    let mut atoms = Vec::new();
    let mut start = None;
    if let Some(f) = &validity.from {
        start = Some(f.span.start);
        atoms.extend([kw("from"), time(f)]);
    }
    if let Some(u) = &validity.until {
        let (span, atom) = match u {
            Until::Revoked(span) => (*span, leaf("revoked", *span)),
            Until::Time(t) => (t.span, time(t)),
        };
        start = Some(start.map_or(span.start, |s: u32| s.min(span.start)));
        atoms.extend([kw("until"), atom]);
    }
    if let Some(s) = start {
        out.push(Piece {
            part: Part::Validity,
            start: s as usize,
            atoms,
        });
    }
    if let Some(c) = when {
        let mut atoms = vec![kw("when")];
        expr(&c.expr, false, &mut atoms);
        // A list so long that the line could not be read back is written
        // one element per line.
        if INDENT + inline(&atoms).len() > MAX_LINE_BYTES / 2 {
            atoms = vec![kw("when")];
            expr(&c.expr, true, &mut atoms);
        }
        out.push(Piece {
            part: Part::When,
            start: c.span.start as usize,
            atoms,
        });
    }
    out
}

fn expr(e: &Expr, expand_lists: bool, out: &mut Vec<Atom>) {
    match e {
        Expr::Or(parts) | Expr::And(parts) => {
            let sep = if matches!(e, Expr::Or(_)) {
                "or"
            } else {
                "and"
            };
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    out.push(kw(sep));
                }
                expr(p, expand_lists, out);
            }
        }
        Expr::Not(x) => {
            out.push(kw("not"));
            expr(x, expand_lists, out);
        }
        Expr::Paren(x) => {
            out.push(punct("("));
            expr(x, expand_lists, out);
            out.push(punct(")"));
        }
        Expr::Cmp { attr, op, value } => {
            out.extend([ident(attr), kw(op.as_str()), literal(value)]);
        }
        Expr::In { attr, values } => {
            out.extend([ident(attr), kw("in"), punct("[")]);
            if expand_lists && !values.is_empty() {
                for v in values {
                    out.extend([Atom::Break(2 * INDENT), literal(v), punct(",")]);
                }
                out.push(Atom::Break(INDENT));
            } else {
                list_into(out, values.iter().map(literal));
            }
            out.push(punct("]"));
        }
    }
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
