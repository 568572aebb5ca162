//! How much cache a decision really has on this machine: the latency of a
//! dependent load, against how much memory a cycle of loads touches.
//!
//! ```text
//! cargo run --release --example cache_probe
//! ```
//!
//! The bench decides a cycle of 4,096 requests; at a million grants each
//! touches a few cache lines of its own, so whether those lines are still
//! cached when the request comes round again decides the figure. On a
//! shared virtual machine the last-level cache a process gets can be far
//! smaller than `lscpu` says (see `BENCHMARKS.md`, stop 11). This walks a
//! random cycle of `k` cache lines, each in its own 4 KiB page (`spread`,
//! as a decision's rows and slots are) or packed side by side (`packed`),
//! and prints the time per load.

#![allow(clippy::indexing_slicing)]

use std::hint::black_box;
use std::time::Instant;

const LINE: usize = 64;
const PAGE: usize = 4096;
/// The buffer the lines are spread over: far more than any cache.
const BUFFER: usize = 1 << 30;
const LOADS: usize = 4_000_000;

fn main() {
    // One `u32` per cache line holds the index of the next line to load.
    let words_per_line = LINE / 4;
    let mut next = vec![0u32; BUFFER / 4];
    let mut rng = fastrand::Rng::with_seed(1);
    for spread in [true, false] {
        for k in (9..=17).map(|p| 1usize << p) {
            // Distinct lines: one per page (spread), or the first `k`.
            let lines: Vec<usize> = if spread {
                let pages = BUFFER / PAGE;
                let mut chosen: Vec<usize> = rand_distinct(&mut rng, k, pages);
                for p in &mut chosen {
                    *p = *p * (PAGE / LINE) + rng.usize(..PAGE / LINE);
                }
                chosen
            } else {
                (0..k).collect()
            };
            let mut order = lines.clone();
            rng.shuffle(&mut order);
            for (i, &line) in order.iter().enumerate() {
                let to = order[(i + 1) % order.len()];
                next[line * words_per_line] = (to * words_per_line) as u32;
            }
            let mut at = order[0] * words_per_line;
            for _ in 0..LOADS / 4 {
                at = next[at] as usize;
            }
            let started = Instant::now();
            for _ in 0..LOADS {
                at = next[at] as usize;
            }
            let ns = started.elapsed().as_secs_f64() * 1e9 / LOADS as f64;
            black_box(at);
            println!(
                "{:6} {:7} lines ({:7.2} MiB of lines): {:6.1} ns per load",
                if spread { "spread" } else { "packed" },
                k,
                (k * LINE) as f64 / (1024.0 * 1024.0),
                ns
            );
        }
    }
}

/// `k` distinct numbers below `n`.
fn rand_distinct(rng: &mut fastrand::Rng, k: usize, n: usize) -> Vec<usize> {
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < k {
        seen.insert(rng.usize(..n));
    }
    seen.into_iter().collect()
}
