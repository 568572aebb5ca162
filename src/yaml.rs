//! YAML (and JSON) documents read with a bound on aliases: a few hundred
//! bytes of nested anchors (`&a [*b, *b, ...]`) would otherwise expand to
//! billions of values and exhaust memory before any field is looked at.
//! The parser already bounds nesting.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::{Yaml, YamlLoader};

/// The documents of `text`, refused when they hold more than `max_values`
/// values (scalars, lists and mappings) with every alias expanded.
pub(crate) fn load(text: &str, max_values: usize) -> Result<Vec<Yaml>, String> {
    within(text, max_values)?;
    YamlLoader::load_from_str(text).map_err(|e| e.to_string())
}

/// Counts values as the loader would build them, from the parser's events
/// alone (nothing is built): an alias counts as many as its anchor holds.
fn within(text: &str, max_values: usize) -> Result<(), String> {
    let mut parser = Parser::new_from_str(text);
    // By anchor id (the parser numbers anchors from 1).
    let mut sizes: Vec<usize> = vec![0];
    // Open lists and mappings: their anchor, and the count before them.
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut values: usize = 0;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| e.to_string())?;
        match event {
            Event::StreamEnd => return Ok(()),
            Event::Scalar(_, _, anchor, _) => {
                values += 1;
                set_size(&mut sizes, anchor, 1);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                open.push((anchor, values));
                values += 1;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, before)) = open.pop() {
                    set_size(&mut sizes, anchor, values - before);
                }
            }
            Event::Alias(id) => {
                let n = sizes.get(id).copied().unwrap_or(0);
                values = values.saturating_add(n);
            }
            _ => {}
        }
        if values > max_values {
            return Err(format!(
                "more than {max_values} values once aliases are expanded, at line {} column {}",
                mark.line(),
                mark.col() + 1
            ));
        }
    }
}

/// Records that anchor `id` (0: none) holds `n` values.
fn set_size(sizes: &mut Vec<usize>, id: usize, n: usize) {
    if id == 0 {
        return;
    }
    if sizes.len() <= id {
        sizes.resize(id + 1, 0);
    }
    if let Some(s) = sizes.get_mut(id) {
        *s = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `a0` is ten scalars, each `aN` ten of `a(N-1)`.
    fn laughs(levels: usize) -> String {
        let mut t = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..levels {
            let prev = format!("*a{}", i - 1);
            t += &format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", "));
        }
        t
    }

    #[test]
    fn aliases_count_as_what_they_expand_to() {
        // 1 + 10 + 10 + 11 * 10 ... : a0 holds 11 values, a1 111, a2 1111.
        assert!(load(&laughs(3), 2_000).is_ok());
        let err = load(&laughs(3), 1_000).unwrap_err();
        assert!(err.contains("more than 1000 values"), "{err}");
        assert!(load(&laughs(9), 100_000).is_err());
    }

    #[test]
    fn documents_without_aliases_load_as_before() {
        let text = "at: 2026-01-01\nattributes: { amount: 1, tags: [a, b] }\n";
        assert_eq!(
            load(text, 100).unwrap(),
            YamlLoader::load_from_str(text).unwrap()
        );
        assert!(load(text, 3).is_err());
    }
}
