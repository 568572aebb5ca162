//! A fixed amount of decision work, for instruction counts under valgrind
//! (repeatable whatever else the machine does, unlike wall time).
//!
//! ```text
//! cargo build --release --example cost
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/cost 1000 by_name 0      # setup only
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/cost 1000 by_name 40960  # setup + 40960
//! ```
//!
//! The difference of the two totals, divided by the count, is the cost of
//! one decision over the bench's stream of 4,096 generated requests. Modes:
//! `by_name`, `prepared`, `explain`, and `prepare` (preparing a request,
//! which works out its decision at every instant; see `Prepared`).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use autoseal_gen::{generate_and_load, requests, Loaded};

fn main() {
    let mut args = std::env::args().skip(1);
    let grants: usize = args.next().map_or(1000, |a| a.parse().expect("GRANTS"));
    let mode = args.next().unwrap_or_else(|| String::from("by_name"));
    let count: usize = args.next().map_or(40960, |a| a.parse().expect("COUNT"));
    let Loaded {
        generated: g,
        policy,
        ..
    } = generate_and_load(grants, 42).expect("the generated set loads");
    let mut reqs = requests(&g, 4096, 7);
    // Optional fourth argument: `hits` or `misses` keeps only the requests
    // that get `auto_seal`, or only the others.
    match args.next().as_deref() {
        Some("hits") => reqs.retain(|r| policy.decide(r).is_auto_seal()),
        Some("misses") => reqs.retain(|r| !policy.decide(r).is_auto_seal()),
        _ => {}
    }
    let prepared: Vec<_> = reqs.iter().map(|r| policy.prepare(r)).collect();
    let changes: Vec<usize> = prepared
        .iter()
        .filter_map(|p| p.changes().map(<[_]>::len))
        .collect();
    eprintln!(
        "cost: {} of {} prepared requests have their answers over time, {} changes on average, {} at most",
        changes.len(),
        prepared.len(),
        changes.iter().sum::<usize>() as f64 / changes.len().max(1) as f64,
        changes.iter().max().unwrap_or(&0),
    );
    let started = std::time::Instant::now();
    for i in 0..count {
        let k = i % reqs.len();
        match mode.as_str() {
            "by_name" => drop(black_box(policy.decide(black_box(&reqs[k])))),
            "prepared" => drop(black_box(policy.decide_prepared(black_box(&prepared[k])))),
            "prepare" => drop(black_box(policy.prepare(black_box(&reqs[k])))),
            "explain" => drop(black_box(policy.explain(black_box(&reqs[k])))),
            other => panic!("unknown mode `{other}`"),
        }
    }
    // Wall time of the loop alone: a rough figure on a shared host (the
    // benches are the measure), handy to compare sizes in one process.
    if count > 0 {
        let ns = started.elapsed().as_secs_f64() * 1e9 / count as f64;
        eprintln!("cost: {grants} grants, {mode}: {ns:.1} ns per decision (wall)");
    }
}
