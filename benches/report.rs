//! Reporting load-time problems as text: 100,000 duplicate-rule warnings
//! in one file, rendered rustc style (the source line and a marker under
//! each span) by `Diagnostics::render`. Rendering is linear in the number
//! of problems (language.md: "a set with 100,000 warnings is reported in
//! seconds, not minutes"); miette alone scanned the file from its start
//! for each one.
//!
//! ```text
//! cargo bench --bench report
//! ```

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::Duration;

use autoseal::load::{analyze, Input};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const WARNINGS: usize = 100_000;

/// An org, and the same employee authorization `WARNINGS + 1` times: each
/// after the first is a duplicate.
fn text() -> String {
    let mut t = String::from(
        "timezone +08:00\n\norg acme \"Acme\" {\n    super_admin zhang \"张三\"\n    employee li \"李四\"\n    template nda \"保密协议\"\n}\n\n",
    );
    for _ in 0..=WARNINGS {
        t.push_str("employee acme.li may initiate auto-sign for template acme.nda\n");
    }
    t
}

fn report(c: &mut Criterion) {
    let analysis = analyze(vec![Input::new("dup.policy", text())]);
    let d = &analysis.diagnostics;
    assert_eq!((d.error_count(), d.warning_count()), (0, WARNINGS));
    let mut group = c.benchmark_group("report");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(WARNINGS as u64));
    group.bench_function(BenchmarkId::new("text", WARNINGS), |b| {
        b.iter(|| d.render(&analysis.sources, false))
    });
    group.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
