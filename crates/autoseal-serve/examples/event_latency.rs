//! What a runtime event costs the service (issue 17: "events must be cheap
//! at scale"), side by side in one run with a full load of the same set,
//! and what a stream of events does to the decisions' latency.
//!
//! ```text
//! cargo run --release -p autoseal-serve --example event_latency -- [GRANTS] [EVENTS] [SECONDS] [JOURNAL]
//! ```
//!
//! (defaults 100000, 60, 3, `journal.policy`). Generates `GRANTS` partner
//! grants with `autoseal_gen` into a temporary directory, with a journal
//! `JOURNAL` holding one comment line (`journal.policy` sorts before the
//! generated `orgs-*` and `partners-*` files, so each event hashes those
//! again for the revision; `zz-journal.policy` sorts last), then:
//!
//! - times `Server::start` twice (the files read, parsed, checked and
//!   compiled, the revision hashed: a full load) and keeps the faster;
//! - posts `EVENTS` events one after the other (`POST /v1/events`, each
//!   acknowledged only once written and fsync'ed and in force): revokes,
//!   reseals, seal disables, new partner grants, new employee rules and
//!   new forbids in turn; prints the median and slowest wall-clock time
//!   (as the client sees it) of each kind, and of all;
//! - decides for `SECONDS` seconds on one connection (`POST /v1/decide`)
//!   without events, then for as long again while another client posts
//!   events back to back, and prints p50 and p99 of each.
//!
//! The server runs as in production, with the file watch on: each event's
//! own append wakes it, and it finds the files unchanged.
//!
//! Times are wall-clock on this machine. Not part of CI.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use autoseal_serve::{ServeOptions, Server};

mod common;
use common::{generated_dir, request_json};

const TOKEN: &str = "bench-token";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let grants: usize = args
        .first()
        .map_or(100_000, |a| a.replace('_', "").parse().unwrap());
    let events: usize = args.get(1).map_or(60, |a| a.parse().unwrap());
    let seconds: u64 = args.get(2).map_or(3, |a| a.parse().unwrap());
    let journal = args.get(3).map_or("journal.policy", String::as_str);
    let (tmp, dir, g) = generated_dir(grants);
    std::fs::write(dir.join(journal), "# the journal\n").unwrap();
    let token = tmp.path().join("token");
    std::fs::write(&token, TOKEN).unwrap();
    println!(
        "{grants} grants, {} bytes of policy text in {} files",
        g.total_bytes(),
        g.files.len() + 1
    );

    let mut starts = Vec::new();
    for _ in 0..2 {
        let t = Instant::now();
        let s = start(&dir, &token, journal);
        starts.push(t.elapsed());
        s.shutdown();
    }
    let full = *starts.iter().min().unwrap();
    println!(
        "full load (Server::start: read, parse, check, compile, hash): {:.1} ms (faster of 2)",
        ms(full)
    );

    let server = start(&dir, &token, journal);
    let base = format!("http://{}", server.addr());
    let client = reqwest::blocking::Client::new();
    let mut by_kind: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for i in 0..events {
        let (kind, stmt) = autoseal_gen::event_statement(&g, i).expect("a set with grants");
        let t = Instant::now();
        post_event(&client, &base, &stmt);
        by_kind.entry(kind).or_default().push(t.elapsed());
    }
    let mut all: Vec<Duration> = by_kind.values().flatten().copied().collect();
    all.sort();
    for (kind, mut v) in by_kind {
        v.sort();
        println!(
            "  {kind:<18} n={:<3} median {:>8.2} ms  max {:>8.2} ms",
            v.len(),
            ms(v[v.len() / 2]),
            ms(v[v.len() - 1])
        );
    }
    let (mid, max) = (all[all.len() / 2], all[all.len() - 1]);
    println!(
        "event (POST /v1/events, fsync'ed and in force): median {:.2} ms, max {:.2} ms; full load / median = {:.0}x, / max = {:.0}x",
        ms(mid),
        ms(max),
        full.as_secs_f64() / mid.as_secs_f64(),
        full.as_secs_f64() / max.as_secs_f64()
    );

    // Decisions without, then with, a stream of events.
    let bodies: Vec<String> = autoseal_gen::requests(&g, 256, 7)
        .iter()
        .map(request_json)
        .collect();
    let quiet = decide_for(&client, &base, &bodies, Duration::from_secs(seconds));
    let stop = Arc::new(AtomicBool::new(false));
    let posted = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, posted, base, g) = (stop.clone(), posted.clone(), base.clone(), g.clone());
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            let mut i = events;
            while !stop.load(Ordering::Relaxed) {
                post_event(
                    &client,
                    &base,
                    &autoseal_gen::event_statement(&g, i)
                        .expect("a set with grants")
                        .1,
                );
                posted.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        })
    };
    let busy = decide_for(&client, &base, &bodies, Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    for (name, mut v) in [
        ("decisions, no events", quiet),
        ("decisions, events streaming", busy),
    ] {
        v.sort();
        println!(
            "{name:<28} n={:<6} p50 {:.3} ms  p99 {:.3} ms",
            v.len(),
            ms(v[v.len() / 2]),
            ms(v[v.len() * 99 / 100])
        );
    }
    println!(
        "{} events applied during the second run",
        posted.load(Ordering::Relaxed)
    );
    server.shutdown();
}

fn start(dir: &Path, token: &Path, journal: &str) -> Server {
    let mut o = ServeOptions::new(dir);
    o.journal = Some(dir.join(journal));
    o.listen = String::from("127.0.0.1:0");
    o.admin_token_file = Some(token.to_path_buf());
    Server::start(o).unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn post_event(client: &reqwest::blocking::Client, base: &str, stmt: &str) {
    let body = serde_json::json!({ "statement": stmt }).to_string();
    let r = client
        .post(format!("{base}/v1/events"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .unwrap();
    let status = r.status();
    if status != 200 {
        panic!("{stmt}: {status} {}", r.text().unwrap());
    }
}

fn decide_for(
    client: &reqwest::blocking::Client,
    base: &str,
    bodies: &[String],
    how_long: Duration,
) -> Vec<Duration> {
    let mut out = Vec::new();
    let end = Instant::now() + how_long;
    let mut i = 0;
    while Instant::now() < end {
        let t = Instant::now();
        let r = client
            .post(format!("{base}/v1/decide"))
            .header("content-type", "application/json")
            .body(bodies[i % bodies.len()].clone())
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        let _ = r.bytes().unwrap();
        out.push(t.elapsed());
        i += 1;
    }
    out
}
