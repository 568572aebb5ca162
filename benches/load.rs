//! Load throughput: parse, check and compile a generated set of 100k
//! partner grants end to end (`Policy::from_inputs`), in bytes of policy
//! text per second.
//!
//! ```text
//! cargo bench --bench load            # or: -- --quick
//! ```

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Duration;

use autoseal::Policy;
use autoseal_gen::{generate, GenConfig};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

const GRANTS: usize = 100_000;

fn load(c: &mut Criterion) {
    let g = generate(&GenConfig {
        grants: GRANTS,
        seed: 42,
    });
    let bytes = g.total_bytes();
    eprintln!(
        "load: {GRANTS} partner grants, {} files, {bytes} bytes of text",
        g.files.len()
    );
    let mut group = c.benchmark_group("load");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(15))
        .throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(BenchmarkId::from_parameter(GRANTS), |b| {
        // Copying the text into inputs is not timed; dropping the policy is
        // not either (criterion drops outputs after timing).
        b.iter_batched(
            || g.inputs(),
            |inputs| Policy::from_inputs(inputs).expect("the generated set loads"),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
