//! A fixed amount of loading work, for instruction counts under valgrind
//! (repeatable whatever else the machine does, unlike wall time).
//!
//! ```text
//! cargo build --release --example load_cost
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/load_cost 100000 none      # generation only
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/load_cost 100000 parse     # + parsing
//! ```
//!
//! Each phase includes the ones before it: `none` (generate the set and
//! copy it into inputs), `parse` (every file through
//! `autoseal::syntax::parse_file`), `check` (`autoseal::load::analyze`:
//! parse and check), `load` (`Policy::from_inputs`: parse, check and
//! compile). The difference of two totals, divided by the bytes of text
//! printed, is the phase's cost in instructions per byte.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::Instant;

use autoseal::source::FileId;
use autoseal_gen::{generate, GenConfig};

fn main() {
    let mut args = std::env::args().skip(1);
    let grants: usize = args
        .next()
        .map_or(100_000, |a| a.replace('_', "").parse().expect("GRANTS"));
    let mode = args.next().unwrap_or_else(|| String::from("load"));
    let g = generate(&GenConfig { grants, seed: 42 });
    let bytes = g.total_bytes();
    let inputs = g.inputs();
    let t = Instant::now();
    match mode.as_str() {
        "none" => drop(black_box(inputs)),
        // The text itself, to look at.
        "dump" => {
            for (_, text) in &g.files {
                print!("{text}");
            }
        }
        "parse" => {
            for (k, (_, text)) in g.files.iter().enumerate() {
                let p = autoseal::syntax::parse_file(FileId(k as u32), text);
                assert!(p.errors.is_empty(), "{:?}", p.errors.first());
                drop(black_box(p));
            }
        }
        "check" => {
            let a = autoseal::load::analyze(inputs);
            assert!(a.model.is_some() && !a.diagnostics.has_errors());
            drop(black_box(a));
        }
        "load" => drop(black_box(
            autoseal::Policy::from_inputs(inputs).expect("the generated set loads"),
        )),
        other => panic!("unknown mode `{other}`"),
    }
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "load_cost: {grants} grants, {bytes} bytes, {mode}: {:.2} s wall, {:.1} MB/s",
        secs,
        bytes as f64 / secs / 1e6
    );
}
