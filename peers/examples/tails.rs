//! The latency distribution of single decisions, every engine side by side
//! in one run: each decision is timed on its own and recorded in an HDR
//! histogram, so the tails (p99, p99.9) show, not only a central estimate.
//!
//! ```text
//! cd peers && cargo run --release --example tails
//! TAILS_SIZES=1000 TAILS_DECISIONS=200000 cargo run --release --example tails
//! ```
//!
//! Engines: `autoseal` (by names), `floor` (one `HashMap` lookup of
//! (signer, template, role) built from the same set), `cedar_entities`,
//! `cedar_per_grant` and `regorus`, each on the same cycled stream of
//! `TAILS_STREAM` (default 4096) requests from `autoseal_gen::requests`.
//! Each engine and size records `TAILS_DECISIONS` (default 1,000,000)
//! decisions; the peers run only up to the sizes where that many take
//! minutes, not hours (`TAILS_CEDAR_MAX`, default 10000, and
//! `TAILS_CEDAR_PER_GRANT_MAX`, default 10: a per-grant decision at 1,000
//! grants takes about a millisecond; `TAILS_REGORUS_MAX`, default 10000).
//!
//! The clock is read around each decision (`quanta`, the CPU's time stamp
//! counter): the `timer` row is that cost alone (two reads around
//! nothing), included in every other row.

use std::collections::HashMap;
use std::hint::black_box;

use autoseal_gen::{generate_and_load, requests, sizes_from_env, Loaded};
use autoseal_peers::{
    cedar_entities, cedar_per_grant, cedar_request, floor_key, floor_map, rego, Encoding,
};
use cedar_policy::Authorizer;
use hdrhistogram::Histogram;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|s| s.trim().replace('_', "").parse().expect("a number"))
        .unwrap_or(default)
}

/// Times `decisions` calls of `f(i)`, one by one, in nanoseconds.
fn record(clock: &quanta::Clock, decisions: usize, mut f: impl FnMut(usize)) -> Histogram<u64> {
    let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3).expect("bounds");
    // Warm up: caches, branch predictors, lazy initialization.
    for i in 0..decisions.min(10_000) {
        f(i);
    }
    for i in 0..decisions {
        let t0 = clock.raw();
        f(i);
        let t1 = clock.raw();
        let ns = clock.delta_as_nanos(t0, t1).max(1);
        h.saturating_record(ns);
    }
    h
}

struct Row {
    engine: &'static str,
    n: usize,
    h: Histogram<u64>,
}

fn show(ns: u64) -> String {
    if ns >= 1_000_000 {
        format!("{:.2} ms", ns as f64 / 1e6)
    } else if ns >= 10_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else {
        format!("{ns} ns")
    }
}

fn main() {
    let sizes = sizes_from_env("TAILS_SIZES", &[10, 1_000, 10_000, 100_000, 1_000_000])
        .expect("TAILS_SIZES");
    let decisions = env_usize("TAILS_DECISIONS", 1_000_000);
    let stream = env_usize("TAILS_STREAM", 4096).max(1);
    let cedar_max = env_usize("TAILS_CEDAR_MAX", 10_000);
    let per_grant_max = env_usize("TAILS_CEDAR_PER_GRANT_MAX", 10);
    let regorus_max = env_usize("TAILS_REGORUS_MAX", 10_000);
    let clock = quanta::Clock::new();
    let mut rows = Vec::new();

    rows.push(Row {
        engine: "timer",
        n: 0,
        h: record(&clock, decisions, |i| {
            black_box(i);
        }),
    });
    for &n in &sizes {
        let Loaded {
            generated: g,
            policy,
            ..
        } = generate_and_load(n, 42).expect("the generated set loads");
        let reqs = requests(&g, stream, 7);
        eprintln!("tails: {n} grants, {decisions} decisions per engine");

        rows.push(Row {
            engine: "autoseal",
            n,
            h: record(&clock, decisions, |i| {
                black_box(policy.decide(black_box(&reqs[i % stream])));
            }),
        });

        let map: HashMap<_, _> = floor_map(&g);
        let keys: Vec<_> = reqs.iter().map(floor_key).collect();
        rows.push(Row {
            engine: "floor",
            n,
            h: record(&clock, decisions, |i| {
                black_box(map.get(black_box(&keys[i % stream])));
            }),
        });

        let auth = Authorizer::new();
        for (engine, enc, max) in [
            ("cedar_entities", Encoding::Entities, cedar_max),
            ("cedar_per_grant", Encoding::PerGrant, per_grant_max),
        ] {
            if n > max {
                continue;
            }
            let set = match enc {
                Encoding::Entities => cedar_entities(&g),
                Encoding::PerGrant => cedar_per_grant(&g),
            }
            .expect("the Cedar encoding builds");
            let qs: Vec<_> = reqs
                .iter()
                .map(|r| cedar_request(enc, r).expect("a Cedar request"))
                .collect();
            eprintln!("tails: {engine} {n}");
            rows.push(Row {
                engine,
                n,
                h: record(&clock, decisions, |i| {
                    black_box(auth.is_authorized(
                        black_box(&qs[i % stream]),
                        &set.policies,
                        &set.entities,
                    ));
                }),
            });
        }

        if n <= regorus_max {
            let mut engine = rego::engine(&g).expect("the Rego encoding builds");
            let inputs: Vec<_> = reqs
                .iter()
                .map(|r| rego::input(r).expect("a Rego input"))
                .collect();
            eprintln!("tails: regorus {n}");
            rows.push(Row {
                engine: "regorus",
                n,
                h: record(&clock, decisions, |i| {
                    black_box(rego::decide(
                        &mut engine,
                        black_box(&inputs[i % stream]).clone(),
                    ))
                    .ok();
                }),
            });
        }
    }

    println!("| engine | grants | decisions | p50 | p90 | p99 | p99.9 | max | mean |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let q = |p: f64| show(r.h.value_at_quantile(p));
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.engine,
            r.n,
            r.h.len(),
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999),
            show(r.h.max()),
            show(r.h.mean() as u64),
        );
    }
    println!();
    println!("| grants | autoseal p99 / its p50 | autoseal p50 / floor p50 | autoseal p99 / floor p99 | autoseal p99 against each peer's p50 |");
    println!("|---:|---:|---:|---:|---|");
    for &n in &sizes {
        let get = |e: &str| rows.iter().find(|r| r.engine == e && r.n == n);
        let (Some(a), Some(f)) = (get("autoseal"), get("floor")) else {
            continue;
        };
        let (a50, a99) = (a.h.value_at_quantile(0.5), a.h.value_at_quantile(0.99));
        let (f50, f99) = (f.h.value_at_quantile(0.5), f.h.value_at_quantile(0.99));
        let peers: Vec<String> = ["cedar_entities", "cedar_per_grant", "regorus"]
            .iter()
            .filter_map(|e| {
                let p50 = get(e)?.h.value_at_quantile(0.5);
                Some(format!(
                    "{e} {}: {}",
                    show(p50),
                    if a99 < p50 { "below" } else { "NOT below" }
                ))
            })
            .collect();
        println!(
            "| {n} | {:.2}× | {:.2}× | {:.2}× | {} |",
            a99 as f64 / a50 as f64,
            a50 as f64 / f50 as f64,
            a99 as f64 / f99 as f64,
            if peers.is_empty() {
                String::from("—")
            } else {
                peers.join("; ")
            }
        );
    }
}
