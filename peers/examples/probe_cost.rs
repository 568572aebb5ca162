//! Where a Cedar decision's time goes, for the entities encoding: the same
//! request stream against an empty policy set, a trivial permit, each
//! policy of the encoding alone, and the whole set.
//!
//! ```text
//! cargo run --release --example probe_cost -- [GRANTS]
//! ```
use std::str::FromStr;
use std::time::Instant;

use autoseal_gen::{generate, requests, GenConfig};
use autoseal_peers::{cedar_entities, cedar_request, Encoding};
use cedar_policy::{Authorizer, PolicySet};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1000, |a| a.parse().expect("GRANTS"));
    let g = generate(&GenConfig {
        grants: n,
        seed: 42,
    });
    let set = cedar_entities(&g).expect("encoding");
    let reqs: Vec<_> = requests(&g, 4096, 7)
        .iter()
        .map(|r| cedar_request(Encoding::Entities, r).expect("request"))
        .collect();
    let auth = Authorizer::new();
    let time = |name: &str, ps: &PolicySet| {
        let rounds = 5;
        let t = Instant::now();
        let mut allow = 0;
        for _ in 0..rounds {
            for q in &reqs {
                if auth.is_authorized(q, ps, &set.entities).decision()
                    == cedar_policy::Decision::Allow
                {
                    allow += 1;
                }
            }
        }
        let per = t.elapsed().as_nanos() as f64 / (rounds * reqs.len()) as f64;
        println!(
            "{name:>20}: {per:>9.0} ns per decision ({} allowed)",
            allow / rounds
        );
    };
    time("empty", &PolicySet::new());
    time(
        "permit all",
        &PolicySet::from_str("permit(principal, action, resource);").expect("p"),
    );
    for p in set.policies.policies() {
        let one = PolicySet::from_policies([p.clone()]).expect("one");
        time(p.annotation("id").unwrap_or("?"), &one);
    }
    time("whole set", &set.policies);
}
