//! autoseal and Cedar, side by side, on the same generated facts and the
//! same request stream.
//!
//! ```text
//! cd peers && cargo bench --bench peers
//! PEERS_SIZES=10,1000 PEERS_CEDAR_MAX=1000 cargo bench --bench peers -- --quick
//! ```
//!
//! Ids: `peers/autoseal/{N}`, `peers/cedar_per_grant/{N}`,
//! `peers/cedar_entities/{N}`, `peers/regorus/{N}` (one decision of a
//! cycled stream of 4096 requests from `autoseal_gen::requests(g, 4096,
//! 7)`, about half `auto_seal`), `floor/hashmap/{N}` (one `HashMap` lookup
//! of (signer, template, role) per request of the same stream, in a map
//! built from the same N-grant set), and `load/{engine}/{N}` (bytes of
//! input per second, at `PEERS_LOAD_SIZE`, default 10000).
//!
//! `PEERS_SIZES` (default `10,1000,10000,100000,1000000`) lists the sizes;
//! Cedar runs only for sizes up to `PEERS_CEDAR_MAX` (default 10000), and
//! regorus up to `PEERS_REGORUS_MAX` (default 100000).
//! Requests are built ahead of time (autoseal's by names, Cedar's
//! `Request`s, Rego's input documents); only the decision is timed:
//! `policy.decide(&req)` against `Authorizer::is_authorized(&request,
//! &policies, &entities)` and regorus' `set_input` + `eval_rule`.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use autoseal::Policy;
use autoseal_gen::{generate, generate_and_load, requests, sizes_from_env, GenConfig, Loaded};
use autoseal_peers::{
    cedar_entities, cedar_per_grant, cedar_request, entities_text, floor_key, floor_map, parse,
    per_grant_text, rego, CedarSet, Encoding,
};
use cedar_policy::{Authorizer, Decision};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};

const REQUESTS: usize = 4096;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|s| s.trim().replace('_', "").parse().expect("a number"))
        .unwrap_or(default)
}

fn cedar_stream(
    set: &CedarSet,
    enc: Encoding,
    reqs: &[autoseal::Request],
) -> Vec<cedar_policy::Request> {
    let out: Vec<_> = reqs
        .iter()
        .map(|r| cedar_request(enc, r).expect("a Cedar request"))
        .collect();
    let auth = Authorizer::new();
    let allowed = out
        .iter()
        .filter(|q| {
            auth.is_authorized(q, &set.policies, &set.entities)
                .decision()
                == Decision::Allow
        })
        .count();
    eprintln!(
        "peers: {enc:?}: {allowed} of {} requests allowed",
        out.len()
    );
    out
}

fn peers(c: &mut Criterion) {
    let sizes = sizes_from_env("PEERS_SIZES", &[10, 1_000, 10_000, 100_000, 1_000_000])
        .expect("PEERS_SIZES");
    let cedar_max = env_usize("PEERS_CEDAR_MAX", 10_000);
    let regorus_max = env_usize("PEERS_REGORUS_MAX", 100_000);

    for &n in &sizes {
        let Loaded {
            generated: g,
            policy,
            generate_time,
            load_time,
        } = generate_and_load(n, 42).expect("the generated set loads");
        eprintln!(
            "peers: {n} grants, {} bytes of policy text: generated in {generate_time:.2?}, autoseal loaded in {load_time:.2?}",
            g.total_bytes(),
        );
        let reqs = requests(&g, REQUESTS, 7);
        let hits = reqs
            .iter()
            .filter(|r| policy.decide(r).is_auto_seal())
            .count();
        eprintln!("peers: autoseal: {hits} of {REQUESTS} requests auto_seal");

        // One group per size (criterion cannot interleave groups), so the
        // floor of each size is measured right after its engines.
        let mut group = c.benchmark_group("peers");
        group
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
            .throughput(Throughput::Elements(1));

        group.bench_with_input(BenchmarkId::new("autoseal", n), &n, |b, _| {
            let mut i = 0usize;
            b.iter(|| {
                let r = &reqs[i % REQUESTS];
                i = i.wrapping_add(1);
                black_box(policy.decide(black_box(r)))
            })
        });

        if n <= cedar_max {
            let auth = Authorizer::new();
            for (name, enc) in [
                ("cedar_entities", Encoding::Entities),
                ("cedar_per_grant", Encoding::PerGrant),
            ] {
                let t = Instant::now();
                let set = match enc {
                    Encoding::PerGrant => cedar_per_grant(&g),
                    Encoding::Entities => cedar_entities(&g),
                }
                .expect("the Cedar encoding builds");
                eprintln!(
                    "peers: {name} {n}: {} policies, {} bytes of policy text, {} bytes of entities JSON, built and parsed in {:.2?}",
                    set.policies.num_of_policies(),
                    set.policy_text.len(),
                    set.entities_json.len(),
                    t.elapsed()
                );
                let stream = cedar_stream(&set, enc, &reqs);
                if enc == Encoding::PerGrant && n >= 10_000 {
                    // About a millisecond per request here: fewer samples.
                    group
                        .sample_size(10)
                        .measurement_time(Duration::from_secs(5));
                }
                group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                    let mut i = 0usize;
                    b.iter(|| {
                        let q = &stream[i % REQUESTS];
                        i = i.wrapping_add(1);
                        black_box(auth.is_authorized(black_box(q), &set.policies, &set.entities))
                    })
                });
                group
                    .sample_size(20)
                    .measurement_time(Duration::from_secs(3));
            }
        }
        if n <= regorus_max {
            let t = Instant::now();
            let mut engine = rego::engine(&g).expect("the Rego encoding builds");
            let inputs: Vec<_> = reqs
                .iter()
                .map(|r| rego::input(r).expect("a Rego input"))
                .collect();
            let allowed = inputs
                .iter()
                .filter(|q| {
                    rego::decide(&mut engine, (*q).clone())
                        .expect("Rego decides")
                        .allow
                })
                .count();
            eprintln!(
                "peers: regorus {n}: built and loaded in {:.2?}; {allowed} of {REQUESTS} requests allowed",
                t.elapsed()
            );
            group.bench_with_input(BenchmarkId::new("regorus", n), &n, |b, _| {
                let mut i = 0usize;
                b.iter(|| {
                    let q = &inputs[i % REQUESTS];
                    i = i.wrapping_add(1);
                    black_box(rego::decide(&mut engine, black_box(q).clone()))
                })
            });
        }
        group.finish();

        // The floor at this size: one lookup in a map built from the same
        // set, on the same stream.
        let map: HashMap<_, _> = floor_map(&g);
        let keys: Vec<_> = reqs.iter().map(floor_key).collect();
        let mut floor = c.benchmark_group("floor");
        floor
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3))
            .throughput(Throughput::Elements(1));
        floor.bench_with_input(BenchmarkId::new("hashmap", n), &n, |b, _| {
            let mut i = 0usize;
            b.iter(|| {
                let k = &keys[i % REQUESTS];
                i = i.wrapping_add(1);
                black_box(map.get(black_box(k)))
            })
        });
        floor.finish();
    }
}

/// Load throughput at one size: autoseal's `Policy::from_inputs` on its
/// policy text against Cedar's `PolicySet::from_str` + `Entities::from_json_str`
/// on each encoding's text.
fn load_throughput(c: &mut Criterion) {
    let n = env_usize("PEERS_LOAD_SIZE", 10_000);
    if n == 0 {
        return;
    }
    let g = generate(&GenConfig {
        grants: n,
        seed: 42,
    });
    let mut group = c.benchmark_group("load");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    let bytes = g.total_bytes();
    eprintln!("load: autoseal {n}: {bytes} bytes of policy text");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(BenchmarkId::new("autoseal", n), |b| {
        b.iter_batched(
            || g.inputs(),
            |inputs| Policy::from_inputs(inputs).expect("the generated set loads"),
            BatchSize::PerIteration,
        )
    });

    for (name, text) in [
        (
            "cedar_per_grant",
            per_grant_text(&g).expect("per-grant text"),
        ),
        ("cedar_entities", entities_text(&g).expect("entities text")),
    ] {
        let (policies, entities) = text;
        let bytes = policies.len() + entities.len();
        eprintln!(
            "load: {name} {n}: {} bytes of policy text + {} bytes of entities JSON",
            policies.len(),
            entities.len()
        );
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(BenchmarkId::new(name, n), |b| {
            // As for autoseal, dropping the result is not timed.
            b.iter_batched(
                || (),
                |()| parse(black_box(&policies), black_box(&entities)).expect("Cedar parses"),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, peers, load_throughput);
criterion_main!(benches);
