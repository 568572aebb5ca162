//! Prints the Markdown tables of BENCHMARKS.md from criterion's results
//! (the median point estimate of each `new/estimates.json`).
//!
//! ```text
//! cd peers && cargo bench --bench peers && cargo run --release --example report
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;

fn read(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Median in nanoseconds, and the throughput in bytes when recorded.
fn median(root: &Path, id: &str) -> Option<(f64, Option<f64>)> {
    let dir = root.join(id).join("new");
    let est = read(&dir.join("estimates.json"))?;
    let ns = est["median"]["point_estimate"].as_f64()?;
    let bytes = read(&dir.join("benchmark.json")).and_then(|b| b["throughput"]["Bytes"].as_f64());
    Some((ns, bytes))
}

fn show(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if a > 0.0 => format!("{:.0}×", b / a),
        _ => String::from("—"),
    }
}

fn main() {
    let root: PathBuf = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join("criterion");
    println!("| grants | autoseal | floor | regorus | cedar_entities | cedar_per_grant | autoseal / floor | regorus / autoseal | cedar_entities / autoseal | cedar_per_grant / autoseal |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in [10, 1_000, 10_000, 100_000, 1_000_000] {
        let get = |engine: &str| median(&root, &format!("{engine}/{n}")).map(|m| m.0);
        let a = get("peers/autoseal");
        let f = get("floor/hashmap");
        let r = get("peers/regorus");
        let e = get("peers/cedar_entities");
        let p = get("peers/cedar_per_grant");
        if [a, f, r, e, p].iter().all(Option::is_none) {
            continue;
        }
        let cell = |x: Option<f64>| x.map_or(String::from("—"), show);
        let vs_floor = match (a, f) {
            (Some(a), Some(f)) if f > 0.0 => format!("{:.2}×", a / f),
            _ => String::from("—"),
        };
        println!(
            "| {n} | {} | {} | {} | {} | {} | {vs_floor} | {} | {} | {} |",
            cell(a),
            cell(f),
            cell(r),
            cell(e),
            cell(p),
            ratio(a, r),
            ratio(a, e),
            ratio(a, p)
        );
    }
    println!("\n| load | median | input bytes | MB/s |");
    println!("|---|---:|---:|---:|");
    for engine in ["autoseal", "cedar_per_grant", "cedar_entities"] {
        for n in [10_000, 1_000, 100_000] {
            if let Some((ns, bytes)) = median(&root, &format!("load/{engine}/{n}")) {
                let b = bytes.unwrap_or(0.0);
                println!(
                    "| {engine} {n} | {} | {b:.0} | {:.1} |",
                    show(ns),
                    b / (ns / 1e9) / 1e6
                );
            }
        }
    }
}
