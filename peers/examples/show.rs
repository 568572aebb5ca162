//! Prints both Cedar encodings of a small generated set (for reading).
//!
//! ```text
//! cargo run --release --example show -- [GRANTS] [per_grant|entities]
//! ```
use autoseal_gen::{generate, GenConfig};
use autoseal_peers::{entities_text, per_grant_text};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(10, |a| a.parse().expect("GRANTS"));
    let which = std::env::args()
        .nth(2)
        .unwrap_or_else(|| String::from("per_grant"));
    let g = generate(&GenConfig {
        grants: n,
        seed: 42,
    });
    let (p, e) = if which == "entities" {
        entities_text(&g)
    } else {
        per_grant_text(&g)
    }
    .expect("encoding");
    println!("{p}");
    println!("{e}");
}
