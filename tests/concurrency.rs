//! One compiled `Policy`, shared behind an `Arc` by eight threads deciding
//! a large request stream at the same time, answers exactly as one thread
//! does: by name, prepared, and explained.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use std::thread;

use autoseal::{Policy, Prepared, Rendered, Request};
use autoseal_gen::{self as gen, GenConfig};

/// `Policy` (and a prepared request) can be shared across threads: this
/// does not compile otherwise.
const _: fn() = || {
    fn shareable<T: Send + Sync>() {}
    shareable::<Policy>();
    shareable::<Arc<Policy>>();
    shareable::<Prepared>();
};

const THREADS: usize = 8;

/// Everything a caller sees of one request: the fast answer, the prepared
/// answer and the full explanation, rendered.
fn answer(p: &Policy, r: &Request) -> (Rendered, Rendered, Rendered) {
    let fast = p.render(&p.decide(r)).unwrap();
    let prepared = p
        .render(&p.decide_prepared(&p.prepare(r)).unwrap())
        .unwrap();
    let explained = p.render_explanation(&p.explain(r)).unwrap();
    (fast, prepared, explained)
}

/// Decides `requests` on one thread, then on `THREADS` threads at once
/// (each over the whole stream, starting at a different place), and
/// compares.
fn same_answers_from_many_threads(policy: Policy, requests: Vec<Request>) {
    let policy = Arc::new(policy);
    let requests = Arc::new(requests);
    let expected: Vec<_> = requests.iter().map(|r| answer(&policy, r)).collect();
    assert!(expected
        .iter()
        .any(|(f, _, _)| f.decision == autoseal::Verdict::AutoSeal));
    assert!(expected
        .iter()
        .any(|(f, _, _)| f.decision == autoseal::Verdict::Manual));
    let expected = Arc::new(expected);
    let start = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|k| {
            let (policy, requests, expected, start) = (
                Arc::clone(&policy),
                Arc::clone(&requests),
                Arc::clone(&expected),
                Arc::clone(&start),
            );
            thread::spawn(move || {
                let n = requests.len();
                let offset = k * n / THREADS;
                start.wait();
                let mut mismatches = Vec::new();
                for j in 0..n {
                    let i = (offset + j) % n;
                    let got = answer(&policy, &requests[i]);
                    if got != expected[i] && mismatches.len() < 3 {
                        mismatches.push(format!(
                            "request {i}: {:?}\n  one thread: {:?}\n  thread {k}: {:?}",
                            requests[i], expected[i], got
                        ));
                    }
                }
                mismatches
            })
        })
        .collect();
    let mismatches: Vec<String> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert!(
        mismatches.is_empty(),
        "threads disagree with one thread:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn generated_set_twenty_thousand_requests() {
    let g = gen::generate(&GenConfig {
        grants: 1000,
        seed: 42,
    });
    let policy = Policy::from_inputs(g.inputs())
        .map_err(|e| e.render())
        .unwrap();
    let requests = gen::requests(&g, 20_000, 7);
    same_answers_from_many_threads(policy, requests);
}

#[test]
fn bundled_policies() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies");
    let policy = Policy::from_paths(&[dir]).map_err(|e| e.render()).unwrap();
    let mut requests = Vec::new();
    let stamps = [
        "2026-01-04T23:59:59+08:00",
        "2026-02-27T16:00:00+08:00",
        "2026-03-10T10:00:00+08:00",
        "2026-04-01T10:00:00+08:00",
        "2026-05-10T00:00:00+08:00",
        "2026-06-01T12:00:00+08:00",
        "2026-07-15T09:00:00+08:00",
        "2026-08-11T00:00:00+08:00",
        "2027-03-01T00:00:00+08:00",
    ];
    // (template, initiator, on behalf of, signer, signatory)
    type Shape<'a> = (&'a str, &'a str, Option<&'a str>, &'a str, Option<&'a str>);
    let shapes: [Shape; 8] = [
        ("acme.nda", "acme.li", None, "globex", Some("乙方")),
        ("acme.nda", "acme.wang", None, "initech", Some("乙方")),
        ("acme.nda", "acme.li", None, "acme", None),
        ("acme.labor", "acme.wang", None, "acme", None),
        ("acme.purchase", "acme.wang", None, "initech", Some("乙方")),
        ("acme.general", "acme.li", None, "acme", None),
        ("acme_sh.lease", "acme.li", Some("acme_sh"), "acme_sh", None),
        (
            "acme_sh.lease",
            "acme.li",
            Some("acme_sh"),
            "globex",
            Some("出租方"),
        ),
    ];
    let attrs = [
        "{}",
        r#"{"amount": 120000, "currency": "CNY"}"#,
        r#"{"amount": 900000, "currency": "USD", "category": "marriage"}"#,
        r#"{"amount": 40000, "category": "sales", "framework": true}"#,
    ];
    for at in stamps {
        for (template, initiator, behalf, signer, role) in shapes {
            for a in attrs {
                let mut text = format!(
                    r#"{{"at": "{at}", "template": "{template}", "initiator": "{initiator}", "signer": "{signer}", "attributes": {a}"#
                );
                if let Some(b) = behalf {
                    text.push_str(&format!(r#", "on_behalf_of": "{b}""#));
                }
                if let Some(r) = role {
                    text.push_str(&format!(r#", "signatory": "{r}""#));
                }
                text.push('}');
                requests.push(Request::parse(&text).unwrap());
            }
        }
    }
    // 288 distinct requests, repeated to a long stream.
    let stream: Vec<Request> = requests.iter().cycle().take(20_000).cloned().collect();
    same_answers_from_many_threads(policy, stream);
}
