//! What one runtime event costs, applied to a kept set, next to a full
//! reload of the same set (issue 17: "events must be cheap at scale").
//!
//! ```text
//! cargo run --release --example event_cost -- [GRANTS] [EVENTS]   # default 100000 40
//! ```
//!
//! Generates `GRANTS` partner grants with `autoseal_gen` and an empty
//! journal `journal.policy` (`timezone +08:00`), then times, in one run:
//!
//! - a full reload: every file parsed, checked and compiled
//!   (`autoseal::load::analyze` then `Policy::compile`, what the service
//!   did for each event), the median of three;
//! - `LiveSet::load` of the same files (the service's start-up and a
//!   reload of changed files);
//! - `EVENTS` events appended to the journal one after the other with
//!   `LiveSet::append` and `commit`: revokes, reseals, seal disables, new
//!   partner grants, new employee authorizations and new forbids, in turn.
//!   Each is one line as the service writes it. Printed: the median and
//!   the slowest of each kind, and how many were taken whole (checked as a
//!   whole set again) or refused.
//!
//! Times are wall-clock on this machine, in milliseconds.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use autoseal::live::{AppendError, LiveSet};
use autoseal::load::{analyze, Input};
use autoseal::Policy;
use autoseal_gen::{generate, GenConfig, Generated};

const JOURNAL: &str = "journal.policy";
const HEAD: &str = "timezone +08:00\n";

fn inputs(g: &Generated, journal: &str) -> Vec<Input> {
    let mut files: Vec<(String, String)> = g.files.clone();
    files.push((JOURNAL.to_owned(), journal.to_owned()));
    files.sort();
    files.into_iter().map(|(n, t)| Input::new(n, t)).collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let grants: usize = args
        .next()
        .map_or(100_000, |a| a.replace('_', "").parse().unwrap());
    let events: usize = args.next().map_or(40, |a| a.parse().unwrap());
    let g = generate(&GenConfig { grants, seed: 42 });
    println!("{grants} grants, {} bytes of policy text", g.total_bytes());

    let mut full = Vec::new();
    for _ in 0..3 {
        let ins = inputs(&g, HEAD);
        let t = Instant::now();
        let mut a = analyze(ins);
        assert!(
            !a.diagnostics.has_errors(),
            "the generated set does not load"
        );
        let p = Policy::compile(a.model.take().unwrap(), &a.sources);
        full.push(t.elapsed());
        drop(p);
    }
    full.sort();
    let full = full[1];
    println!(
        "full reload (parse, check, compile): {:.1} ms (median of 3)",
        ms(full)
    );

    let t = Instant::now();
    let mut live = LiveSet::load(inputs(&g, HEAD)).unwrap();
    println!("LiveSet::load: {:.1} ms", ms(t.elapsed()));

    let mut by_kind: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let (mut whole, mut refused) = (0, 0);
    for i in 0..events {
        let (kind, stmt) = autoseal_gen::event_statement(&g, i).expect("a set with grants");
        let line = format!("# event e{i} at 2026-06-01T00:00:00Z\n{stmt}\n");
        let t = Instant::now();
        match live.append(JOURNAL, line.as_bytes()) {
            Ok(p) => {
                whole += usize::from(p.whole);
                live.commit(p);
                by_kind.entry(kind).or_default().push(t.elapsed());
            }
            Err(AppendError::Refused(r)) => {
                refused += 1;
                eprintln!("refused: {stmt}\n{}", r.render(false));
            }
            Err(e) => panic!("{e}"),
        }
    }
    let mut all: Vec<Duration> = by_kind.values().flatten().copied().collect();
    all.sort();
    for (kind, mut v) in by_kind {
        v.sort();
        println!(
            "  {kind:<18} n={:<3} median {:>8.3} ms  max {:>8.3} ms",
            v.len(),
            ms(v[v.len() / 2]),
            ms(v[v.len() - 1])
        );
    }
    if let (Some(mid), Some(max)) = (all.get(all.len() / 2), all.last()) {
        println!(
            "event (append + commit): median {:.3} ms, max {:.3} ms; full reload / median = {:.0}x, / max = {:.0}x",
            ms(*mid),
            ms(*max),
            full.as_secs_f64() / mid.as_secs_f64(),
            full.as_secs_f64() / max.as_secs_f64()
        );
    }
    println!("{whole} taken whole, {refused} refused, of {events}");
}
