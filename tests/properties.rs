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
//!   syntax tree).
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

use autoseal::fmt::format_source;
use autoseal::source::FileId;
use autoseal::syntax::parse_file;
use autoseal::{Input, Policy, ReasonCode, Request};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::Config;
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
    let s = p.render(&p.decide(r));
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
                    stmt.class, stmt.text, policy.render(a), p.render(&b), r, set.text()
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
            prop_assert_eq!(&policy.decide_prepared(&prepared), &fast, "prepared disagrees on {:?}\n{}", r, set.text());
            // Prepared once, decided at another instant.
            let mut moved = prepared.clone();
            let mut later = r.clone();
            later.at = autoseal::Instant(r.at.0 + 86_400_000_000);
            moved.at = later.at;
            prop_assert_eq!(policy.decide_prepared(&moved), policy.decide(&later), "prepared, moved in time, disagrees on {:?}", later);
            // Prepared once, decided at every instant the vocabulary's
            // policies turn on: no change of answer is missed.
            for &at in &instants {
                moved.at = at;
                later.at = at;
                prop_assert_eq!(policy.decide_prepared(&moved), policy.decide(&later), "prepared, moved to {:?}, disagrees on {:?}\n{}", at, later, set.text());
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
        prop_assert_eq!(&before.ast, &after.ast, "fmt changed the syntax tree:\n{}", formatted);
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
    use autoseal::gen::{generate, requests, GenConfig};
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
