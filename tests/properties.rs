//! Property tests over small random policy sets.
//!
//! Policy sets are generated as text over a fixed vocabulary (three orgs in
//! a group, people, seals of every kind, templates with and without
//! signatories; every kind of event and rule, with optional validity and
//! condition; see `fuzz/src/vocab.rs`, shared with the `decide` fuzz
//! target), and requests over the same vocabulary at instants chosen from
//! the event instants, a second either side of them, and where `until
//! DATE` and invite windows end.
//!
//! Properties:
//! - fail closed: no `enables` for the signer, or no rule for the key,
//!   means `manual`;
//! - monotonic: deleting a forbid, revoke (of a permission), disable or
//!   `disables` never turns `auto_seal` into `manual`; deleting any other
//!   rule or event (other than a reseal, which can go either way) never
//!   turns `manual` into `auto_seal`; deletions that make the set fail to
//!   load are skipped, and answers where either side is `ambiguous_seal`
//!   are exempt;
//! - the fast path, `explain` and the prepared path agree;
//! - statement order and the split into files never change a decision;
//! - formatting never changes a decision (and is idempotent and keeps the
//!   syntax tree);
//! - no policy text is dropped, and `fmt` keeps comments where they were
//!   (see [`check_layout`]): over the diagnostics fixtures, `policies/`, the
//!   YAML cases' policies and generated sets, each also with comment lines,
//!   blank lines and line breaks inserted between continuation lines at
//!   random.
//!
//! Cases per property: 64, or `PROPTEST_CASES`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../fuzz/src/vocab.rs"]
mod vocab;

use std::path::{Path, PathBuf};

use autoseal::ast::Meaning;
use autoseal::fmt::format_source;
use autoseal::source::FileId;
use autoseal::syntax::{is_keyword, parse_file, Parsed};
use autoseal::{Input, Policy, ReasonCode, Request};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError};
use vocab::{Class, Set};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        // Sets that do not load are rejected, not failures.
        max_global_rejects: cases.saturating_mul(20).max(1024),
        // Never write regression files into the tree.
        failure_persistence: None,
        ..Config::default()
    }
}

fn raw_set() -> impl Strategy<Value = Vec<(u8, [u8; 8])>> {
    prop::collection::vec((any::<u8>(), any::<[u8; 8]>()), 3..24)
}

fn raw_requests() -> impl Strategy<Value = Vec<[u8; 8]>> {
    prop::collection::vec(any::<[u8; 8]>(), 16..40)
}

fn requests(raw: &[[u8; 8]], set: &Set) -> Vec<Request> {
    let instants = vocab::instants();
    raw.iter()
        .map(|p| vocab::request(p, &instants, set))
        .collect()
}

fn load(set: &Set) -> Option<Policy> {
    Policy::from_str("set.policy", &set.text()).ok()
}

/// What must not change: decision, seal, basis, rule, first reason code.
type Shown = (
    &'static str,
    Option<String>,
    Option<&'static str>,
    Option<String>,
    Option<ReasonCode>,
);

fn shown(p: &Policy, r: &Request) -> Shown {
    let s = p.render(&p.decide(r)).unwrap();
    (
        s.decision.as_str(),
        s.seal,
        s.basis.map(|b| b.as_str()),
        s.rule,
        s.reasons.first().map(|x| x.code),
    )
}

fn is_ambiguous(p: &Policy, r: &Request) -> bool {
    p.decide(r).code() == Some(ReasonCode::AmbiguousSeal)
}

/// A permutation of `0..n` and a file for each slot, from a seed.
fn deal(n: usize, files: usize, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    let file_of = (0..n).map(|_| (next() % files as u64) as usize).collect();
    (order, file_of)
}

proptest! {
    #![proptest_config(config())]

    /// No `enables` event for the signer, or no rule for the key: manual.
    /// Also with every `enables` of one org taken out of the set.
    #[test]
    fn fail_closed(raw in raw_set(), reqs in raw_requests(), off_org in 0usize..3) {
        let set = vocab::build(&raw, true);
        let policy = load(&set);
        prop_assume!(policy.is_some());
        let policy = policy.unwrap();
        let reqs = requests(&reqs, &set);
        for r in &reqs {
            let d = policy.decide(r);
            if !vocab::has_enables_for(&set, r) {
                prop_assert!(!d.is_auto_seal(), "auto_seal without `enables` for {}: {:?}\n{}", r.signer, r, set.text());
            }
            if !vocab::has_rule_for(&set, r) {
                prop_assert!(!d.is_auto_seal(), "auto_seal without a rule for the key: {:?}\n{}", r, set.text());
            }
        }
        let org = vocab::ORGS[off_org];
        let mut off = set.clone();
        off.stmts.retain(|s| !matches!(&s.fact, vocab::Fact::Enables { org: o, .. } if *o == off_org));
        if let Some(p) = load(&off) {
            for r in reqs.iter().filter(|r| r.signer == org) {
                prop_assert!(!p.decide(r).is_auto_seal(), "auto_seal with every `enables` of {org} removed: {:?}\n{}", r, off.text());
            }
        }
    }

    /// Deleting a restriction never takes an auto-seal away; deleting a
    /// permission never grants one (ambiguous_seal aside).
    #[test]
    fn monotonic(
        raw in raw_set(),
        reqs in raw_requests(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 10),
    ) {
        let set = vocab::build(&raw, true);
        let policy = load(&set);
        prop_assume!(policy.is_some());
        let policy = policy.unwrap();
        let reqs = requests(&reqs, &set);
        let before: Vec<_> = reqs.iter().map(|r| policy.decide(r)).collect();
        // Up to ten of the deletable statements (every one when there are
        // no more), to keep the run short.
        let deletable: Vec<usize> = (0..set.stmts.len())
            .filter(|&i| !matches!(set.stmts[i].class, Class::Decl | Class::Neutral))
            .collect();
        prop_assume!(!deletable.is_empty());
        let mut chosen: Vec<usize> = if deletable.len() <= picks.len() {
            deletable.clone()
        } else {
            picks.iter().map(|ix| deletable[ix.index(deletable.len())]).collect()
        };
        chosen.sort_unstable();
        chosen.dedup();
        for i in chosen {
            let stmt = &set.stmts[i];
            let del = set.without(i);
            let Some(p) = load(&del) else { continue };
            for (r, a) in reqs.iter().zip(&before) {
                if a.code() == Some(ReasonCode::AmbiguousSeal) || is_ambiguous(&p, r) {
                    continue;
                }
                let b = p.decide(r);
                let broken = match stmt.class {
                    Class::Restrictive => a.is_auto_seal() && !b.is_auto_seal(),
                    Class::Permissive => !a.is_auto_seal() && b.is_auto_seal(),
                    _ => false,
                };
                prop_assert!(
                    !broken,
                    "deleting {:?} statement `{}` changed {:?} into {:?} for {:?}\n--- set:\n{}",
                    stmt.class, stmt.text, policy.render(a).unwrap(), p.render(&b).unwrap(), r, set.text()
                );
            }
        }
    }

    /// The fast path and `explain` agree on the decision and first reason;
    /// the prepared path agrees with the by-name one.
    #[test]
    fn paths_agree(raw in raw_set(), reqs in raw_requests(), label_all in any::<bool>()) {
        let set = vocab::build(&raw, label_all);
        let policy = load(&set);
        prop_assume!(policy.is_some());
        let policy = policy.unwrap();
        let instants = vocab::instants();
        for r in &requests(&reqs, &set) {
            let fast = policy.decide(r);
            let why = policy.explain(r);
            prop_assert_eq!(&fast, &why.decision, "decide and explain disagree on {:?}\n{}", r, set.text());
            prop_assert_eq!(&policy.decide_reference(r), &fast, "the hot tables disagree with the model on {:?}\n{}", r, set.text());
            if let Some(code) = fast.code() {
                prop_assert_eq!(why.reasons.first().map(|x| x.code()), Some(code), "first reason of explain on {:?}", r);
            }
            let prepared = policy.prepare(r);
            prop_assert_eq!(&policy.decide_prepared(&prepared).unwrap(), &fast, "prepared disagrees on {:?}\n{}", r, set.text());
            // Prepared once, decided at another instant.
            let mut moved = prepared.clone();
            let mut later = r.clone();
            later.at = autoseal::Instant(r.at.0 + 86_400_000_000);
            moved.at = later.at;
            prop_assert_eq!(policy.decide_prepared(&moved).unwrap(), policy.decide(&later), "prepared, moved in time, disagrees on {:?}", later);
            // Prepared once, decided at every instant the vocabulary's
            // policies turn on: no change of answer is missed.
            for &at in &instants {
                moved.at = at;
                later.at = at;
                prop_assert_eq!(policy.decide_prepared(&moved).unwrap(), policy.decide(&later), "prepared, moved to {:?}, disagrees on {:?}\n{}", at, later, set.text());
            }
            // And each instant it lists is a change.
            for &at in prepared.changes().unwrap_or(&[]) {
                later.at = autoseal::Instant(at.0 - 1);
                let before = policy.decide(&later);
                later.at = at;
                prop_assert_ne!(before, policy.decide(&later), "no change at {:?} for {:?}", at, later);
            }
        }
    }

    /// The statements in any order, split across files given in any order:
    /// the same answers (and the set loads or not alike).
    #[test]
    fn order_does_not_matter(
        raw in raw_set(),
        reqs in raw_requests(),
        files in 1usize..5,
        seed in any::<u64>(),
    ) {
        let set = vocab::build(&raw, true);
        let one = load(&set);
        let (order, file_of) = deal(set.stmts.len(), files, seed);
        let parts = vocab::split(&set, &order, &file_of, files);
        let (rev_order, _) = deal(parts.len(), 1, seed.rotate_left(17));
        let inputs: Vec<Input> = rev_order
            .iter()
            .map(|&k| Input::new(parts[k].0.as_str(), parts[k].1.as_str()))
            .collect();
        let many = Policy::from_inputs(inputs);
        let many_text = || parts.iter().map(|(n, t)| format!("--- {n}\n{t}")).collect::<String>();
        match (&one, &many) {
            (None, Err(_)) => {}
            (Some(_), Err(e)) => prop_assert!(false, "loads as one file, not split:\n{}\n{}", e.render(), many_text()),
            (None, Ok(_)) => prop_assert!(false, "loads split, not as one file:\n{}", set.text()),
            (Some(a), Ok(b)) => {
                for r in &requests(&reqs, &set) {
                    prop_assert_eq!(shown(a, r), shown(b, r), "order changed the answer for {:?}\n--- one file:\n{}\n{}", r, set.text(), many_text());
                }
            }
        }
    }

    /// Formatting keeps the syntax tree and every decision, and is
    /// idempotent.
    #[test]
    fn formatting_keeps_decisions(raw in raw_set(), reqs in raw_requests(), label_all in any::<bool>()) {
        let set = vocab::build(&raw, label_all);
        let text = set.text();
        let formatted = format_source(FileId(0), &text);
        prop_assert!(formatted.is_ok(), "fmt refused generated text: {:?}\n{}", formatted.err(), text);
        let formatted = formatted.unwrap();
        let before = parse_file(FileId(0), &text);
        let after = parse_file(FileId(0), &formatted);
        prop_assert!(after.errors.is_empty(), "fmt output does not parse: {:?}\n{}", after.errors, formatted);
        prop_assert!(Meaning(&before.ast) == Meaning(&after.ast), "fmt changed the syntax tree:\n{}", formatted);
        let twice = format_source(FileId(0), &formatted).ok();
        prop_assert_eq!(twice.as_deref(), Some(formatted.as_str()), "fmt is not idempotent");
        let a = Policy::from_str("set.policy", &text).ok();
        let b = Policy::from_str("set.policy", &formatted).ok();
        prop_assert_eq!(a.is_some(), b.is_some(), "fmt changed whether the set loads:\n{}", formatted);
        if let (Some(a), Some(b)) = (a, b) {
            for r in &requests(&reqs, &set) {
                // Unlabelled rules are named by file:line, which fmt may move.
                let (mut x, mut y) = (shown(&a, r), shown(&b, r));
                if !label_all {
                    x.3 = None;
                    y.3 = None;
                }
                prop_assert_eq!(x, y, "fmt changed the answer for {:?}\n--- before:\n{}\n--- after:\n{}", r, text, formatted);
            }
        }
    }
}

// ------------------------------------------------------------------ layout

/// Every policy file of the crate's tests and examples: the diagnostics
/// fixtures, `policies/` and the YAML cases' policies (byte order marks
/// removed, as the loader does).
fn corpus() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "policy") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in ["tests/fixtures/diag", "policies", "tests/cases/policies"] {
        walk(&root.join(dir), &mut paths);
    }
    paths.sort();
    let files: Vec<(String, String)> = paths
        .iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned();
            Some((p.display().to_string(), text))
        })
        .collect();
    assert!(files.len() > 50, "only {} policy files found", files.len());
    files
}

/// `text` with, at random places between the tokens of a line, a line
/// break onto an indented continuation line, with comment lines (at any
/// indentation, column 0 included) and blank lines before it; comment and
/// blank lines after line ends; and comments at the end of lines. None of
/// this may change what the text says.
fn sprinkle(text: &str, seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut below = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let mut k = 0;
    fn lines(k: &mut usize, below: &mut dyn FnMut(u64) -> u64, out: &mut String) {
        for _ in 0..below(3) {
            *k += 1;
            let indent = ["", "  ", "    ", "\t", "        "][below(5) as usize];
            match below(3) {
                0 => out.push('\n'),
                1 => out.push_str("   \n"),
                _ => out.push_str(&format!("{indent}# c{k} 注释\n")),
            }
        }
    }
    let mut out = String::with_capacity(text.len() * 2);
    let (mut in_string, mut escaped, mut in_comment) = (false, false, false);
    let mut at_line_start = true;
    for c in text.chars() {
        if in_comment {
            in_comment = c != '\n';
        } else if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' || c == '\n' {
                in_string = false;
            }
        } else {
            match c {
                ' ' if !at_line_start && below(4) == 0 => {
                    out.push('\n');
                    lines(&mut k, &mut below, &mut out);
                    out.push_str(["    ", "  ", "\t", "      "][below(4) as usize]);
                    continue;
                }
                '\n' => {
                    if below(6) == 0 {
                        k += 1;
                        out.push_str(&format!("  # t{k}"));
                    }
                    out.push('\n');
                    if below(3) == 0 {
                        lines(&mut k, &mut below, &mut out);
                    }
                    at_line_start = true;
                    continue;
                }
                '"' => in_string = true,
                '#' => in_comment = true,
                _ => {}
            }
        }
        out.push(c);
        at_line_start = at_line_start && (c == ' ' || c == '\t');
    }
    out
}

/// The tokens of policy text between two offsets, comments skipped: a
/// string, one of `,()[]{}:` (but the `:` of an offset), or a run of other
/// characters that are not white space.
fn tokens(text: &str, comments: &[(usize, usize)], from: usize, to: usize) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        if let Some(&(_, e)) = comments.iter().find(|c| c.0 == i) {
            i = e;
            continue;
        }
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'"' {
            let mut j = i + 1;
            while j < to && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.push((i, (j + 1).min(to)));
            i = j + 1;
        } else if b",()[]{}:".contains(&c) {
            out.push((i, i + 1));
            i += 1;
        } else {
            let s = i;
            while i < to
                && !b[i].is_ascii_whitespace()
                && (!b",()[]{}:\"#".contains(&b[i]) || (b[i] == b':' && b[i - 1].is_ascii_digit()))
            {
                i += 1;
            }
            out.push((s, i));
        }
    }
    out
}

/// Where each comment is, as `fmt` must keep it: for a comment inside a
/// statement (before its last token, or after it on its last line), the
/// statement, the last name, string, literal or time before the comment in
/// it, and whether the comment is on a line of its own; for one between
/// statements, the statement before it. With the comment's text; sorted.
type Place = (Option<usize>, bool, String, bool, String);

fn places(text: &str, parsed: &Parsed) -> Vec<Place> {
    let comments: Vec<(usize, usize)> = parsed
        .comments
        .iter()
        .map(|c| (c.span.start as usize, c.span.end as usize))
        .collect();
    let stmts = &parsed.ast.stmts;
    let mut out: Vec<Place> = comments
        .iter()
        .map(|&(s, e)| {
            let body = text[s..e].trim_end().to_owned();
            let line_start = text[..s].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let own_line = text[line_start..s].trim().is_empty();
            let k = stmts
                .partition_point(|x| (x.span.start as usize) < s)
                .checked_sub(1);
            let Some(k) = k else {
                return (None, false, String::new(), own_line, body);
            };
            let st = &stmts[k];
            let toks = tokens(
                text,
                &comments,
                st.span.start as usize,
                st.span.end as usize,
            );
            let last_end = toks.last().map_or(st.span.start as usize, |t| t.1);
            let inside = s < last_end || !text[last_end..s].contains(['\n', '\r']);
            if !inside {
                return (Some(k), false, String::new(), own_line, body);
            }
            let leaf = toks
                .iter()
                .filter(|t| t.1 <= s)
                .map(|t| &text[t.0..t.1])
                .rfind(|w| !is_keyword(w) && !w.chars().all(|c| ",()[]{}:=!<>".contains(c)))
                .unwrap_or("");
            // A count is written without leading zeros.
            let leaf = if leaf.bytes().all(|b| b.is_ascii_digit()) && leaf.len() > 1 {
                leaf.trim_start_matches('0').to_owned()
            } else {
                leaf.to_owned()
            };
            (Some(k), true, leaf, own_line, body)
        })
        .collect();
    out.sort();
    out
}

/// The layout properties of one text that parses: its statements' spans,
/// its comments and white space cover every byte (nothing is skipped
/// silently); `fmt` keeps its meaning (every condition), every comment,
/// and each comment where it was ([`places`]); and `fmt` is idempotent.
fn check_layout(name: &str, text: &str) -> Result<(), TestCaseError> {
    let parsed = parse_file(FileId(0), text);
    prop_assert!(parsed.errors.is_empty());
    let mut covered = vec![false; text.len()];
    let spans = parsed
        .ast
        .stmts
        .iter()
        .map(|s| s.span)
        .chain(parsed.comments.iter().map(|c| c.span));
    for s in spans {
        covered[s.start as usize..s.end as usize].fill(true);
    }
    for (i, b) in text.bytes().enumerate() {
        prop_assert!(
            covered[i] || matches!(b, b' ' | b'\t' | b'\r' | b'\n'),
            "{name}: byte {i} ({:?}) is in no statement and no comment:\n{}",
            char::from(b),
            text
        );
    }
    let out = format_source(FileId(0), text);
    prop_assert!(out.is_ok(), "{name}: fmt refused it: {:?}", out.err());
    let out = out.unwrap();
    let again = parse_file(FileId(0), &out);
    prop_assert!(
        again.errors.is_empty(),
        "{name}: fmt output does not parse: {:?}\n{out}",
        again.errors
    );
    prop_assert!(
        Meaning(&parsed.ast) == Meaning(&again.ast),
        "{name}: fmt changed what the text says\n--- before:\n{text}\n--- after:\n{out}"
    );
    let (before, after) = (places(text, &parsed), places(&out, &again));
    if before != after {
        let gone: Vec<&Place> = before.iter().filter(|p| !after.contains(p)).collect();
        let new: Vec<&Place> = after.iter().filter(|p| !before.contains(p)).collect();
        prop_assert!(
            false,
            "{name}: fmt moved a comment: {gone:?} became {new:?}\n--- before:\n{text}\n--- after:\n{out}"
        );
    }
    let twice = format_source(FileId(0), &out).ok();
    prop_assert_eq!(
        twice.as_deref(),
        Some(out.as_str()),
        "{}: fmt is not idempotent",
        name
    );
    Ok(())
}

/// `text`, and `text` sprinkled with comment and blank lines: the second
/// means what the first does, and both keep the layout properties.
fn check_sprinkled(name: &str, text: &str, seed: u64) -> Result<(), TestCaseError> {
    let base = parse_file(FileId(0), text);
    if !base.errors.is_empty() {
        return Ok(());
    }
    check_layout(name, text)?;
    let more = sprinkle(text, seed);
    let parsed = parse_file(FileId(0), &more);
    prop_assert!(
        parsed.errors.is_empty(),
        "{name}: comment and blank lines between continuation lines made it fail: {:?}\n{more}",
        parsed.errors
    );
    prop_assert!(
        Meaning(&base.ast) == Meaning(&parsed.ast),
        "{name}: comment and blank lines between continuation lines changed what it says:\n{more}"
    );
    check_layout(&format!("{name} (sprinkled, seed {seed})"), &more)
}

proptest! {
    #![proptest_config(config())]

    /// Layout, over the corpus files and generated sets, sprinkled.
    #[test]
    fn no_text_is_dropped_and_fmt_keeps_comments_in_place(
        pick in any::<prop::sample::Index>(),
        generated in any::<bool>(),
        raw in raw_set(),
        seed in any::<u64>(),
    ) {
        if generated {
            let text = vocab::build(&raw, true).text();
            check_sprinkled("generated", &text, seed)?;
        } else {
            let files = corpus();
            let (name, text) = &files[pick.index(files.len())];
            check_sprinkled(name, text, seed)?;
        }
    }
}

/// Layout, over every corpus file, as is and sprinkled twice.
#[test]
fn layout_of_every_policy_file() {
    for (name, text) in corpus() {
        for seed in [1, 2] {
            if let Err(e) = check_sprinkled(&name, &text, seed) {
                panic!("{e}");
            }
        }
    }
}

/// The generator is worth something: a good share of its sets load, and
/// its requests reach auto_seal and most reason codes.
#[test]
fn generator_covers_the_decisions() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strat = (raw_set(), raw_requests());
    let (mut loaded, mut total) = (0, 0);
    let mut codes = std::collections::BTreeMap::new();
    let mut autos = 0;
    for _ in 0..120 {
        let (raw, reqs) = strat.new_tree(&mut runner).unwrap().current();
        let set = vocab::build(&raw, true);
        total += 1;
        let Some(p) = load(&set) else { continue };
        loaded += 1;
        for r in &requests(&reqs, &set) {
            match p.decide(r).code() {
                None => autos += 1,
                Some(c) => {
                    *codes.entry(c).or_insert(0) += 1;
                }
            }
        }
    }
    eprintln!("{loaded}/{total} sets load; {autos} auto_seal; codes: {codes:?}");
    assert!(
        loaded * 3 >= total,
        "only {loaded} of {total} generated sets load"
    );
    assert!(autos > 0, "no request reached auto_seal");
    assert!(
        codes.len() >= 14,
        "only {} reason codes reached: {codes:?}",
        codes.len()
    );
}

/// The hot tables answer as the model does on a generated set and its
/// request stream, which reach auto_seal and every manual reason the
/// generator builds (revoked, expired, resealed, conditional, disabled,
/// forbidden, group...).
#[test]
fn hot_tables_agree_on_a_generated_set() {
    use autoseal_gen::{generate, requests, GenConfig};
    let g = generate(&GenConfig {
        grants: 3000,
        seed: 11,
    });
    let policy = Policy::from_inputs(g.inputs()).unwrap();
    let reqs = requests(&g, 4096, 5);
    let mut autos = 0;
    for r in &reqs {
        let fast = policy.decide(r);
        assert_eq!(policy.decide_reference(r), fast, "on {r:?}");
        assert_eq!(policy.explain(r).decision, fast, "explain on {r:?}");
        autos += usize::from(fast.is_auto_seal());
    }
    assert!(autos > 1000 && autos < 3500, "{autos} auto_seal of 4096");
}
