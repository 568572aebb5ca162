//! Bytes as policy text: when it parses, formatting succeeds, keeps the
//! syntax tree (spans aside), keeps every comment, and is idempotent.
#![no_main]

use autoseal::ast::Meaning;
use autoseal::fmt::format_source;
use autoseal::source::FileId;
use autoseal::syntax::parse_file;
use libfuzzer_sys::fuzz_target;

fn comments(text: &str, parsed: &autoseal::syntax::Parsed) -> Vec<String> {
    let mut out: Vec<String> = parsed
        .comments
        .iter()
        .map(|c| {
            text.get(c.span.start as usize..c.span.end as usize)
                .unwrap_or("")
                .trim_end()
                .to_owned()
        })
        .collect();
    out.sort();
    out
}

fuzz_target!(|data: &[u8]| {
    // The loader refuses non-UTF-8 text and NUL bytes before parsing.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.contains('\0') {
        return;
    }
    let file = FileId(0);
    let before = parse_file(file, text);
    if !before.errors.is_empty() {
        return;
    }
    let once = match format_source(file, text) {
        Ok(s) => s,
        Err(e) => panic!("parsed, but fmt refused it: {e:?}"),
    };
    let after = parse_file(file, &once);
    assert!(
        after.errors.is_empty(),
        "the formatted text does not parse: {:?}\n--- formatted:\n{once}",
        after.errors
    );
    // By meaning: formatting moves things.
    assert!(
        Meaning(&before.ast) == Meaning(&after.ast),
        "fmt changed the syntax tree\n--- formatted:\n{once}"
    );
    assert_eq!(
        comments(text, &before),
        comments(&once, &after),
        "fmt lost or changed a comment\n--- formatted:\n{once}"
    );
    let twice = match format_source(file, &once) {
        Ok(s) => s,
        Err(e) => panic!("fmt output refused by fmt: {e:?}"),
    };
    assert_eq!(once, twice, "fmt is not idempotent");
});
