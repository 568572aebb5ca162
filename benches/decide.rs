//! Decision latency against generated sets of 1k, 100k and 1M partner
//! grants: by names (`decide`), prepared (`decide_prepared`), preparing
//! (`prepare`, which works out a request's answers over time) and with
//! every reason (`explain`). Each iteration decides one request of a
//! cycled stream of 4096 from `autoseal_gen::requests` (about half
//! `auto_seal`, the rest spread over every `manual` reason).
//!
//! ```text
//! cargo bench --bench decide                    # all sizes
//! AUTOSEAL_BENCH_SIZES=1000,100000 cargo bench --bench decide -- --quick
//! ```
//!
//! Each size is generated and loaded once (1M takes a while and a few GB).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Duration;

use autoseal_gen::{generate_and_load, requests, sizes_from_env, Loaded};
use criterion::{criterion_group, criterion_main, Bencher, BenchmarkId, Criterion, Throughput};

const REQUESTS: usize = 4096;

fn decide(c: &mut Criterion) {
    let mut group = c.benchmark_group("decide");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    let sizes = sizes_from_env("AUTOSEAL_BENCH_SIZES", &[1_000, 100_000, 1_000_000])
        .expect("AUTOSEAL_BENCH_SIZES");
    for n in sizes {
        let Loaded {
            generated: g,
            policy,
            generate_time,
            load_time,
        } = generate_and_load(n, 42).expect("the generated set loads");
        eprintln!(
            "decide: {n} grants, {} bytes: generated in {generate_time:.2?}, loaded in {load_time:.2?}",
            g.total_bytes(),
        );
        let reqs = requests(&g, REQUESTS, 7);
        drop(g);
        let hits = reqs
            .iter()
            .filter(|r| policy.decide(r).is_auto_seal())
            .count();
        eprintln!("decide: {hits} of {REQUESTS} requests auto_seal");
        let prepared: Vec<_> = reqs.iter().map(|r| policy.prepare(r)).collect();

        group.bench_with_input(BenchmarkId::new("by_name", n), &n, |b, _| {
            cycled(b, &reqs, |r| policy.decide(r))
        });
        group.bench_with_input(BenchmarkId::new("prepared", n), &n, |b, _| {
            cycled(b, &prepared, |p| {
                policy.decide_prepared(p).expect("this policy decided")
            })
        });
        // What a prepared decision saves is paid here, once per request.
        group.bench_with_input(BenchmarkId::new("prepare", n), &n, |b, _| {
            cycled(b, &reqs, |r| policy.prepare(r))
        });
        group.bench_with_input(BenchmarkId::new("explain", n), &n, |b, _| {
            cycled(b, &reqs, |r| policy.explain(r))
        });
    }
    group.finish();
}

/// Each iteration runs `f` on the next of the `REQUESTS` items, cycled
/// (by a constant power of two, so the index costs a mask, not a division).
fn cycled<T, R>(b: &mut Bencher, items: &[T], f: impl Fn(&T) -> R) {
    assert_eq!(items.len(), REQUESTS);
    let mut i = 0usize;
    b.iter(|| {
        let x = &items[i % REQUESTS];
        i = i.wrapping_add(1);
        black_box(f(black_box(x)))
    })
}

criterion_group!(benches, decide);
criterion_main!(benches);
