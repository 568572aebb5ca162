//! Grammar-aware: a small policy set over a fixed vocabulary (every kind
//! of statement; see `src/vocab.rs`) and requests over the same
//! vocabulary. When the set loads: the fast path, `explain` and the
//! prepared path agree (the prepared one moved to every instant of the
//! vocabulary too), rendering never panics, and the same statements in
//! another order, split across files, give the same answers.
#![no_main]

use arbitrary::Arbitrary;
use autoseal::{Input, Policy};
use autoseal_fuzz::vocab;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Case {
    stmts: Vec<(u8, [u8; 8])>,
    requests: Vec<[u8; 8]>,
    label_all: bool,
    /// Rotation and file count for the reordered copy.
    rotate: u8,
    files: u8,
}

fuzz_target!(|case: Case| {
    if case.stmts.len() > 48 || case.requests.len() > 48 {
        return;
    }
    let set = vocab::build(&case.stmts, case.label_all);
    let Ok(policy) = Policy::from_str("fuzz.policy", &set.text()) else {
        return;
    };
    let instants = vocab::instants();
    let requests: Vec<_> = case
        .requests
        .iter()
        .map(|p| vocab::request(p, &instants, &set))
        .collect();

    // The same statements, rotated and dealt round-robin into files.
    let n = set.stmts.len();
    let order: Vec<usize> = (0..n)
        .map(|k| (k + case.rotate as usize) % n.max(1))
        .rev()
        .collect();
    let files = 1 + case.files as usize % 3;
    let file_of: Vec<usize> = (0..n).map(|k| k % files).collect();
    let parts = vocab::split(&set, &order, &file_of, files);
    let inputs = parts
        .iter()
        .rev()
        .map(|(name, text)| Input::new(name.as_str(), text.as_str()))
        .collect();
    let other = match Policy::from_inputs(inputs) {
        Ok(p) => Some(p),
        Err(e) => panic!("loads as one file but not reordered:\n{}", e.render()),
    };

    for r in &requests {
        let fast = policy.decide(r);
        let why = policy.explain(r);
        assert_eq!(fast, why.decision, "decide and explain disagree on {r:?}");
        assert_eq!(
            policy.decide_reference(r),
            fast,
            "the hot tables disagree with the model on {r:?}"
        );
        if let Some(code) = fast.code() {
            assert_eq!(
                why.reasons.first().map(|x| x.code()),
                Some(code),
                "first reason differs for {r:?}"
            );
        }
        let mut prepared = policy.prepare(r);
        assert_eq!(
            policy.decide_prepared(&prepared).unwrap(),
            fast,
            "prepared and by-name disagree on {r:?}"
        );
        // Prepared once, moved to every instant the policies turn on.
        let mut moved = r.clone();
        for &at in &instants {
            prepared.at = at;
            moved.at = at;
            assert_eq!(
                policy.decide_prepared(&prepared).unwrap(),
                policy.decide(&moved),
                "prepared, moved in time, disagrees on {moved:?}"
            );
        }
        let shown = policy.render(&fast).unwrap();
        let _ = policy.render_explanation(&why).unwrap();
        if let Some(other) = &other {
            let o = other.render(&other.decide(r)).unwrap();
            // An unlabelled rule is named by file:line, which moves.
            let rule = |x: &Option<String>| if case.label_all { x.clone() } else { None };
            assert_eq!(
                (
                    shown.decision,
                    &shown.seal,
                    rule(&shown.rule),
                    shown.reasons.first().map(|x| x.code)
                ),
                (
                    o.decision,
                    &o.seal,
                    rule(&o.rule),
                    o.reasons.first().map(|x| x.code)
                ),
                "statement order changed the decision for {r:?}\n--- set:\n{}",
                set.text()
            );
        }
    }
});
