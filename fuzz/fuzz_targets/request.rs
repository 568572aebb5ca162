//! Arbitrary bytes as a request (JSON or YAML), against the bundled
//! policies: reading never panics nor runs away with memory (YAML aliases
//! are bounded); a request that reads is decided, and `decide` equals
//! `explain`'s decision and first reason; rendering never panics.
#![no_main]

use std::sync::OnceLock;

use autoseal::{Policy, Request};
use libfuzzer_sys::fuzz_target;

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../policies");
        Policy::from_paths(&[dir]).expect("the bundled policies load")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(req) = Request::parse(text) else {
        return;
    };
    let p = policy();
    let d = p.decide(&req);
    let e = p.explain(&req);
    assert_eq!(d.is_auto_seal(), e.decision.is_auto_seal(), "{req:?}");
    let (rd, re) = (p.render(&d).unwrap(), p.render_explanation(&e).unwrap());
    assert_eq!(rd.seal, re.seal, "{req:?}");
    assert_eq!(
        rd.reasons.first().map(|r| r.code),
        re.reasons.first().map(|r| r.code),
        "{req:?}"
    );
});
