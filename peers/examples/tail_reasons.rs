//! Which requests make autoseal's tail: the `tails` stream at one size,
//! each decision timed alone as `tails` times it, grouped by its answer
//! (`auto_seal`, or the first reason's code).
//!
//! ```text
//! cd peers && cargo run --release --example tail_reasons -- [GRANTS] [DECISIONS]
//! ```
//!
//! For each answer: its share of the stream, the median and p99 of its
//! decisions, its share of the decisions slower than the overall p99 (what
//! a change must make faster to lower the p99), and its median when its
//! requests alone are cycled (few cache lines, branches that repeat): the
//! gap between the two medians is what the rest of the stream evicts.
//!
//! `TAIL_STREAM=N` sets the stream's length (default 4096, as `tails`): a
//! longer one leaves one answer's requests too many to stay cached when
//! cycled alone, so that its "alone" median is data misses with code and
//! branches warm. `TAIL_ONLY=CODE` cycles that answer's requests for ever,
//! for a profiler (`perf record`).

use std::collections::BTreeMap;
use std::hint::black_box;

use autoseal_gen::{generate_and_load, requests, Loaded};
use hdrhistogram::Histogram;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut arg = |default: usize| {
        args.next()
            .map_or(default, |a| a.replace('_', "").parse().expect("a number"))
    };
    let n = arg(1_000_000);
    let decisions = arg(1_000_000);
    let stream = std::env::var("TAIL_STREAM").map_or(4096, |s| s.parse().expect("TAIL_STREAM"));
    let Loaded {
        generated: g,
        policy,
        ..
    } = generate_and_load(n, 42).expect("the generated set loads");
    let reqs = requests(&g, stream, 7);
    let answers: Vec<&'static str> = reqs
        .iter()
        .map(|r| policy.decide(r).code().map_or("auto_seal", |c| c.as_str()))
        .collect();
    // For a profiler: cycle one answer's requests only, for ever.
    if let Ok(only) = std::env::var("TAIL_ONLY") {
        let own: Vec<_> = reqs
            .iter()
            .zip(&answers)
            .filter(|(_, a)| **a == only)
            .map(|(r, _)| r)
            .collect();
        eprintln!("cycling {} requests answered {only}", own.len());
        for r in own.iter().cycle() {
            black_box(policy.decide(black_box(r)));
        }
    }
    let clock = quanta::Clock::new();
    let new = || Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3).expect("bounds");
    let mut all = new();
    let mut times = Vec::with_capacity(decisions);
    for i in 0..decisions.min(10_000) {
        black_box(policy.decide(black_box(&reqs[i % stream])));
    }
    for i in 0..decisions {
        let t0 = clock.raw();
        black_box(policy.decide(black_box(&reqs[i % stream])));
        let t1 = clock.raw();
        let ns = clock.delta_as_nanos(t0, t1).max(1);
        all.saturating_record(ns);
        times.push(ns);
    }
    let p50 = all.value_at_quantile(0.5);
    let p99 = all.value_at_quantile(0.99);
    let mut by: BTreeMap<&str, (usize, Histogram<u64>, usize)> = BTreeMap::new();
    for (i, &ns) in times.iter().enumerate() {
        let e = by
            .entry(answers[i % stream])
            .or_insert_with(|| (0, new(), 0));
        e.0 += 1;
        e.1.saturating_record(ns);
        if ns > p99 {
            e.2 += 1;
        }
    }
    let slow: usize = by.values().map(|e| e.2).sum();
    println!(
        "{n} grants, {decisions} decisions: p50 {p50} ns, p99 {p99} ns, p99/p50 {:.2}×",
        p99 as f64 / p50 as f64
    );
    println!("| answer | share of stream | p50 | p99 | share of decisions over p99 | p50 alone |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut rows: Vec<_> = by.into_iter().collect();
    rows.sort_by_key(|(_, e)| std::cmp::Reverse(e.0));
    for (answer, (count, h, over)) in rows {
        let own: Vec<_> = (0..stream).filter(|&i| answers[i] == answer).collect();
        let mut alone = new();
        for k in 0..100_000 {
            let r = &reqs[own[k % own.len()]];
            let t0 = clock.raw();
            black_box(policy.decide(black_box(r)));
            let t1 = clock.raw();
            alone.saturating_record(clock.delta_as_nanos(t0, t1).max(1));
        }
        println!(
            "| {answer} | {:.2}% | {} ns | {} ns | {:.1}% | {} ns |",
            100.0 * count as f64 / decisions as f64,
            h.value_at_quantile(0.5),
            h.value_at_quantile(0.99),
            100.0 * over as f64 / slow.max(1) as f64,
            alone.value_at_quantile(0.5),
        );
    }
}
