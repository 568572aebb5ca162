//! Arbitrary bytes as one policy file: loading (syntax, check), rendering
//! every diagnostic and compiling a model that checked must never panic.
#![no_main]

use autoseal::load::{analyze, Input};
use autoseal::Policy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut analysis = analyze(vec![Input::new("fuzz.policy", data)]);
    let _ = analysis.diagnostics.render(&analysis.sources, false);
    let _ = analysis.diagnostics.summary();
    if let Some(model) = analysis.model.take() {
        if !analysis.diagnostics.has_errors() {
            let _ = Policy::compile(model, &analysis.sources);
        }
    }
});
