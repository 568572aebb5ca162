//! The syntax errors of many broken statements, snapshotted: a change to
//! the grammar (written for speed) must not make them worse.
//!
//! Every statement shape is broken in four ways at each of its words: cut
//! off after it, the word dropped, the word misspelt (its last character
//! dropped), and the word run into the next one (the space between them
//! dropped). Each line of the snapshot is one broken text and what
//! `autoseal::syntax::parse_file` says about it: where (line:column), its
//! message and help in English.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;

use autoseal::source::FileId;
use autoseal::syntax::parse_file;
use autoseal::Lang;

/// One statement of each shape (and each optional part), on one line with
/// single spaces, so that a word is what lies between two spaces. Strings
/// hold no spaces.
const STATEMENTS: &[&str] = &[
    "timezone +08:00",
    "attribute amount : number \"金额\"",
    "group g \"G\" main a members b , c",
    "org acme \"A\" { super_admin z \"Z\" employee e \"E\" seal s \"S\" kind official template t \"T\" signatories \"甲\" , \"乙\" }",
    "acme enables auto-sign at 2026-01-05 by zhang",
    "acme changes super admin to acme.li at 2026-05-01T00:00:00+08:00",
    "disable seal acme.contract at 2026-08-10",
    "enable template acme.purchase at 2026-05-15",
    "inv: acme invites partners to authorize template nda as signatory \"乙方\" at 2026-03-01 valid for 3 months",
    "own: acme auto-signs template nda with seal contract from 2026-01-10 until revoked",
    "ea: employee acme.wang may initiate auto-sign for template acme.nda on behalf of sub from 2026-01-01 until 2027-01-01 when amount <= 100",
    "g: partner globex authorizes acme template nda as signatory \"乙方\" with seal contract via invite inv accepted 2026-03-02T10:00:00+08:00 by admin until revoked when amount <= 500000",
    "revoke g at 2026-06-01 by globex.admin",
    "reseal g with seal globex.contract2 at 2026-07-01",
    "f: forbid auto-sign for signer globex for template acme.nda with seal kind official when not ( a == 1 or b != \"x\" ) and c in [ 1 , 2.5 , true ]",
];

fn describe(text: &str) -> String {
    let p = parse_file(FileId(0), text);
    let Some(e) = p.errors.first() else {
        return String::from("ok");
    };
    let start = e.span().start as usize;
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    // The message and help in English, from the catalog, as a user reads
    // them.
    let mut what = e.message_in(Lang::En);
    if let Some(h) = e.help_in(Lang::En) {
        write!(what, " | help: {h}").unwrap();
    }
    let more = if p.errors.len() > 1 {
        format!(" (+{} more)", p.errors.len() - 1)
    } else {
        String::new()
    };
    format!("{line}:{col} {what}{more}")
}

fn broken(stmt: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = stmt.split(' ').collect();
    let join = |ws: &[&str]| ws.join(" ");
    let mut out = Vec::new();
    for k in 0..words.len() {
        let w = words[k];
        if k + 1 < words.len() {
            out.push((format!("cut after `{w}`"), join(&words[..=k])));
        }
        let mut dropped = words.clone();
        dropped.remove(k);
        out.push((format!("without `{w}`"), join(&dropped)));
        if w.chars().count() > 1 {
            let mut short = words.clone();
            let cut: String = {
                let mut cs = w.chars();
                cs.next_back();
                cs.as_str().to_owned()
            };
            short[k] = &cut;
            out.push((format!("`{w}` misspelt"), join(&short)));
        }
        if k + 1 < words.len() {
            let run = format!("{w}{}", words[k + 1]);
            let mut joined: Vec<&str> = words[..k].to_vec();
            joined.push(&run);
            joined.extend(&words[k + 2..]);
            out.push((format!("`{w}` run into `{}`", words[k + 1]), join(&joined)));
        }
    }
    out
}

#[test]
fn broken_statements() {
    let mut report = String::new();
    for stmt in STATEMENTS {
        assert_eq!(describe(&format!("{stmt}\n")), "ok", "{stmt}");
        writeln!(report, "## {stmt}").unwrap();
        for (what, text) in broken(stmt) {
            writeln!(report, "{what}: {}", describe(&format!("{text}\n"))).unwrap();
        }
    }
    insta::assert_snapshot!(report);
}

/// Continuation lines: the same statements with every space a newline and
/// an indentation, broken at each word in the same four ways.
#[test]
fn broken_statements_over_lines() {
    let mut report = String::new();
    for stmt in STATEMENTS {
        let lines = stmt.replace(' ', "\n    ");
        assert_eq!(describe(&format!("{lines}\n")), "ok", "{stmt}");
        writeln!(report, "## {stmt}").unwrap();
        for (what, text) in broken(stmt) {
            let text = text.replace(' ', "\n    ");
            writeln!(report, "{what}: {}", describe(&format!("{text}\n"))).unwrap();
        }
    }
    insta::assert_snapshot!(report);
}

/// A syntax error's message does not depend on what other threads parse
/// meanwhile (pest's switch for detailed errors is one for the process: a
/// thread that turned it off under another's parse made that one report
/// fewer expected tokens).
#[test]
fn messages_do_not_depend_on_parses_in_other_threads() {
    let broken: Vec<String> = STATEMENTS
        .iter()
        .flat_map(|stmt| {
            broken(stmt)
                .into_iter()
                .map(|(_, text)| format!("{text}\n"))
        })
        .collect();
    let alone: Vec<String> = broken.iter().map(|t| describe(t)).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    (0..3)
                        .map(|_| broken.iter().map(|t| describe(t)).collect::<Vec<_>>())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for w in workers {
            for together in w.join().unwrap() {
                for ((text, a), t) in broken.iter().zip(&alone).zip(&together) {
                    assert_eq!(a, t, "{text}");
                }
            }
        }
    });
}
