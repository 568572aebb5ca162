//! The HTTP benchmark (issue 17): `POST /v1/decide` on a generated set,
//! loaded by `wrk` at several concurrencies, side by side in one run with
//! the floor: the same server stack answering a fixed JSON body of the
//! same size without parsing or deciding.
//!
//! ```text
//! cargo run --release -p autoseal-serve --example http_load -- [GRANTS] [SECONDS]
//! ```
//!
//! Needs `wrk` on the `PATH` (Debian's package). Prints one Markdown
//! table: throughput, p50 and p99 per configuration and concurrency, the
//! ratios to the floor, and the failed requests (non-2xx and socket
//! errors) of a run with a reload every 100 ms. Not part of CI.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::type_complexity
)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use autoseal_serve::{LogTarget, ServeOptions, Server};

mod common;
use common::{generated_dir, request_json};

/// One wrk run's figures.
struct Run {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    failed: u64,
    requests: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let grants: usize = args.first().map_or(10_000, |a| a.parse().unwrap());
    let seconds: u64 = args.get(1).map_or(10, |a| a.parse().unwrap());
    let (tmp, dir, g) = generated_dir(grants);
    let bodies: Vec<String> = autoseal_gen::requests(&g, 256, 7)
        .iter()
        .map(request_json)
        .collect();
    let script = tmp.path().join("decide.lua");
    std::fs::write(&script, lua(&bodies)).unwrap();

    // The floor answers the median-sized real answer.
    let floor_body = {
        let server = start(&dir, None, None);
        let client = reqwest::blocking::Client::new();
        let mut answers: Vec<Vec<u8>> = bodies
            .iter()
            .map(|b| {
                client
                    .post(format!("http://{}/v1/decide", server.addr()))
                    .header("content-type", "application/json")
                    .body(b.clone())
                    .send()
                    .unwrap()
                    .bytes()
                    .unwrap()
                    .to_vec()
            })
            .collect();
        server.shutdown();
        answers.sort_by_key(Vec::len);
        answers.swap_remove(answers.len() / 2)
    };
    println!(
        "{grants} grants, {} request bodies ({}..{} bytes), answers of the floor {} bytes, {seconds} s per run",
        bodies.len(),
        bodies.iter().map(String::len).min().unwrap_or(0),
        bodies.iter().map(String::len).max().unwrap_or(0),
        floor_body.len()
    );

    let log = tmp.path().join("decisions.jsonl");
    let configs: [(&str, Option<LogTarget>, Option<Vec<u8>>); 3] = [
        ("floor (fixed answer)", None, Some(floor_body)),
        ("decide, log off", None, None),
        ("decide, log on", Some(LogTarget::File(log.clone())), None),
    ];
    let mut table = String::from(
        "| server | c | req/s | p50 | p99 | req/s ÷ floor | p99 ÷ floor | failed |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut floors: Vec<(u32, f64, f64)> = Vec::new();
    for (name, log, floor) in configs {
        for c in [1u32, 16, 64] {
            let server = start(&dir, log.clone(), floor.clone());
            let run = wrk(&server, &script, c, seconds);
            server.shutdown();
            if floor.is_some() {
                floors.push((c, run.rps, run.p99_ms));
            }
            let (frps, fp99) = floors
                .iter()
                .find(|f| f.0 == c)
                .map_or((f64::NAN, f64::NAN), |f| (f.1, f.2));
            row(&mut table, name, c, &run, frps, fp99);
        }
    }
    // A reload every 100 ms, alternating two good sets (a comment added and
    // taken away), while clients decide: every request must succeed.
    for c in [16u32, 64] {
        let server = Arc::new(start(&dir, None, None));
        let stop = Arc::new(AtomicBool::new(false));
        let reloader = {
            let (server, stop, dir) = (server.clone(), stop.clone(), dir.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let text = if n % 2 == 0 { "# reload\n" } else { "" };
                    std::fs::write(dir.join("zz_reload.policy"), text).unwrap();
                    server.reload();
                    n += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                n
            })
        };
        let run = wrk(&server, &script, c, seconds);
        stop.store(true, Ordering::Relaxed);
        let reloads = reloader.join().unwrap();
        let (frps, fp99) = floors
            .iter()
            .find(|f| f.0 == c)
            .map_or((f64::NAN, f64::NAN), |f| (f.1, f.2));
        let name = format!("decide, log off, {reloads} reloads (every 100 ms)");
        row(&mut table, &name, c, &run, frps, fp99);
        Arc::try_unwrap(server).ok().unwrap().shutdown();
    }
    print!("{table}");
}

fn start(dir: &Path, log: Option<LogTarget>, floor: Option<Vec<u8>>) -> Server {
    let mut o = ServeOptions::new(dir);
    o.listen = String::from("127.0.0.1:0");
    o.watch = false;
    o.decision_log = log;
    o.floor = floor;
    Server::start(o).unwrap()
}

fn row(table: &mut String, name: &str, c: u32, r: &Run, floor_rps: f64, floor_p99: f64) {
    writeln!(
        table,
        "| {name} | {c} | {:.0} | {:.3} ms | {:.3} ms | {:.2} | {:.2} | {} of {} |",
        r.rps,
        r.p50_ms,
        r.p99_ms,
        r.rps / floor_rps,
        r.p99_ms / floor_p99,
        r.failed,
        r.requests
    )
    .unwrap();
}

fn wrk(server: &Server, script: &Path, c: u32, seconds: u64) -> Run {
    let out = Command::new("wrk")
        .args([
            "-t",
            &c.min(2).to_string(),
            "-c",
            &c.to_string(),
            "-d",
            &format!("{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(format!("http://{}/v1/decide", server.addr()))
        .output()
        .expect("wrk on the PATH (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    parse(&text).unwrap_or_else(|| panic!("cannot read wrk's output:\n{text}"))
}

/// Reads `Requests/sec`, the 50% and 99% latencies, the request count and
/// the failures from wrk's report.
fn parse(text: &str) -> Option<Run> {
    let mut rps = None;
    let (mut p50, mut p99, mut requests, mut failed) = (None, None, None, 0u64);
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => rps = v.parse().ok(),
            ["50%", v] => p50 = millis(v),
            ["99%", v] => p99 = millis(v),
            [n, "requests", "in", ..] => requests = n.parse().ok(),
            ["Non-2xx", "or", "3xx", "responses:", n] => failed += n.parse::<u64>().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                failed += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    Some(Run {
        rps: rps?,
        p50_ms: p50?,
        p99_ms: p99?,
        failed,
        requests: requests?,
    })
}

fn millis(v: &str) -> Option<f64> {
    let (num, scale) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    num.parse::<f64>().ok().map(|x| x * scale)
}

fn lua(bodies: &[String]) -> String {
    let mut s = String::from(
        "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nlocal bodies = {\n",
    );
    for b in bodies {
        writeln!(s, "  [==[{b}]==],").unwrap();
    }
    s.push_str(
        "}\nlocal i = 0\nrequest = function()\n  i = i % #bodies + 1\n  return wrk.format(nil, nil, nil, bodies[i])\nend\n",
    );
    s
}
