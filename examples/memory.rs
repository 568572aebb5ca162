//! Compiled memory per partner grant.
//!
//! ```text
//! cargo run --release --example memory -- [GRANTS]   # default 1000000
//! ```
//!
//! Generates `GRANTS` partner grants with `autoseal_gen`, then counts the
//! bytes allocated and not freed while loading them with
//! `Policy::from_inputs`: the inputs are copied and dropped inside the
//! measured region (the loader consumes them), so what is left is the live
//! compiled `Policy` alone. The allocator is `stats_alloc`'s instrumented
//! system allocator (no unsafe code here); it counts requested bytes, not
//! the allocator's own overhead.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use std::alloc::System;
use std::time::Instant;

use autoseal::Policy;
use autoseal_gen::{generate, GenConfig};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn mib(bytes: isize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let grants: usize = match std::env::args().nth(1) {
        Some(a) => a.replace('_', "").parse().expect("GRANTS must be a number"),
        None => 1_000_000,
    };
    let t = Instant::now();
    let g = generate(&GenConfig { grants, seed: 42 });
    let text = g.total_bytes();
    println!(
        "generated {grants} grants: {} files, {:.1} MiB of text in {:.2?}",
        g.files.len(),
        mib(text as isize),
        t.elapsed()
    );

    let region = Region::new(GLOBAL);
    let t = Instant::now();
    // The copy is allocated inside the region and freed by the loader.
    let policy = Policy::from_inputs(g.inputs()).expect("the generated set loads");
    let load = t.elapsed();
    let change = region.change();
    // Reallocations are already counted in both totals by stats_alloc.
    let live = change.bytes_allocated as isize - change.bytes_deallocated as isize;
    println!("loaded in {load:.2?}");
    println!(
        "allocations in the region: {} ({} frees, {} reallocs), {:.1} MiB allocated in total",
        change.allocations,
        change.deallocations,
        change.reallocations,
        mib(change.bytes_allocated as isize)
    );
    println!(
        "live Policy: {live} bytes ({:.1} MiB) = {:.1} bytes per grant ({:.2}x the text)",
        mib(live),
        live as f64 / grants.max(1) as f64,
        live as f64 / text.max(1) as f64
    );
    println!("approximate breakdown (bytes per grant):");
    for (part, bytes) in policy.footprint() {
        println!("  {:>7.1}  {part}", bytes as f64 / grants.max(1) as f64);
    }
    drop(g);
    drop(policy);
}
