//! YAML (and JSON) documents read with a bound on aliases: each alias is
//! a copy of its anchor's value, so a few hundred bytes of nested anchors
//! (`&a [*b, *b, ...]`), or one long anchored string repeated, would
//! otherwise expand to billions of values or gigabytes of text before any
//! field is looked at. Nesting is bounded too
//! ([`crate::limits::MAX_DOCUMENT_NESTING`]): the
//! parser bounds flow nesting (`[[[`) to 255 levels but not block nesting
//! (`- - - x`, two bytes a level), and a value nested tens of thousands of
//! levels deep overflowed the stack when it was built or dropped (found by
//! the `request` fuzz target).

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::{Yaml, YamlLoader};

use crate::limits::MAX_DOCUMENT_NESTING;

/// How much a document may hold once every alias is expanded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    /// Values: scalars, lists and mappings.
    pub values: usize,
    /// Bytes of scalar text (keys included).
    pub bytes: usize,
}

/// What some YAML holds, with its aliases expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    values: usize,
    bytes: usize,
}

impl Size {
    fn add(&mut self, other: Size) {
        self.values = self.values.saturating_add(other.values);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }

    fn since(self, before: Size) -> Size {
        Size {
            values: self.values - before.values,
            bytes: self.bytes - before.bytes,
        }
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum YamlError {
    /// Not YAML (nor JSON): the parser's message, with its place.
    #[error("{0}")]
    Syntax(String),
    /// Lists and mappings nested too deep.
    #[error("lists and mappings nested more than {limit} deep, at line {line} column {column}")]
    TooDeep {
        limit: usize,
        line: usize,
        column: usize,
    },
    /// Past the budget once aliases are expanded.
    #[error("more than {values} values or {bytes} bytes of text once aliases are expanded, at line {line} column {column}")]
    TooLarge {
        values: usize,
        bytes: usize,
        line: usize,
        column: usize,
    },
}

/// The documents of `text`, refused past `budget` with aliases expanded.
pub(crate) fn load(text: &str, budget: Budget) -> Result<Vec<Yaml>, YamlError> {
    // Editors on Windows may start a UTF-8 file with a byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    within(text, budget)?;
    YamlLoader::load_from_str(text).map_err(|e| YamlError::Syntax(e.to_string()))
}

/// Sizes the documents as the loader would build them, from the parser's
/// events alone (nothing is built): an alias counts as much as its anchor
/// holds.
fn within(text: &str, budget: Budget) -> Result<(), YamlError> {
    let mut parser = Parser::new_from_str(text);
    // By anchor id (the parser numbers anchors from 1).
    let mut sizes: Vec<Size> = vec![Size::default()];
    // Open lists and mappings: their anchor, and the total before them.
    let mut open: Vec<(usize, Size)> = Vec::new();
    let mut total = Size::default();
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| YamlError::Syntax(e.to_string()))?;
        match event {
            Event::StreamEnd => return Ok(()),
            Event::Scalar(s, _, anchor, _) => {
                let one = Size {
                    values: 1,
                    bytes: s.len(),
                };
                total.add(one);
                set_size(&mut sizes, anchor, one);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MAX_DOCUMENT_NESTING {
                    return Err(YamlError::TooDeep {
                        limit: MAX_DOCUMENT_NESTING,
                        line: mark.line(),
                        column: mark.col() + 1,
                    });
                }
                open.push((anchor, total));
                total.add(Size {
                    values: 1,
                    bytes: 0,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, before)) = open.pop() {
                    set_size(&mut sizes, anchor, total.since(before));
                }
            }
            Event::Alias(id) => total.add(sizes.get(id).copied().unwrap_or_default()),
            _ => {}
        }
        if total.values > budget.values || total.bytes > budget.bytes {
            return Err(YamlError::TooLarge {
                values: budget.values,
                bytes: budget.bytes,
                line: mark.line(),
                column: mark.col() + 1,
            });
        }
    }
}

/// Records what anchor `id` (0: none) holds.
fn set_size(sizes: &mut Vec<Size>, id: usize, size: Size) {
    if id == 0 {
        return;
    }
    if sizes.len() <= id {
        sizes.resize(id + 1, Size::default());
    }
    if let Some(s) = sizes.get_mut(id) {
        *s = size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOMY: Budget = Budget {
        values: 1_000_000,
        bytes: 1 << 20,
    };

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
    fn aliases_count_as_the_values_they_expand_to() {
        // a0 holds 11 values, a1 111, a2 1111; with keys and the top
        // mapping, 1,237 in all.
        let values = |n| Budget { values: n, ..ROOMY };
        assert!(load(&laughs(3), values(1_237)).is_ok());
        let err = load(&laughs(3), values(1_236)).unwrap_err().to_string();
        assert!(err.contains("more than 1236 values"), "{err}");
        assert!(load(&laughs(9), ROOMY).is_err());
    }

    #[test]
    fn aliases_count_as_the_text_they_expand_to() {
        let long = "A".repeat(1000);
        let text = format!("x: &a \"{long}\"\ny: [{}]\n", vec!["*a"; 100].join(", "));
        // 101 copies of 1,000 bytes, and the keys `x` and `y`.
        let bytes = |n| Budget { bytes: n, ..ROOMY };
        assert!(load(&text, bytes(101_002)).is_ok());
        assert!(load(&text, bytes(101_001)).is_err());
    }

    #[test]
    fn nesting_is_bounded_in_block_and_flow_style() {
        let block = |n: usize| format!("{}x\n", "- ".repeat(n));
        assert!(load(&block(MAX_DOCUMENT_NESTING), ROOMY).is_ok());
        let err = load(&block(MAX_DOCUMENT_NESTING + 1), ROOMY)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("nested more than {MAX_DOCUMENT_NESTING} deep")),
            "{err}"
        );
        // Deep enough to overflow the stack when built: refused first.
        assert!(load(
            &block(100_000),
            Budget {
                values: usize::MAX,
                bytes: usize::MAX
            }
        )
        .is_err());
        let flow = |n: usize| format!("{}{}\n", "[".repeat(n), "]".repeat(n));
        assert!(load(&flow(MAX_DOCUMENT_NESTING), ROOMY).is_ok());
        assert!(load(&flow(MAX_DOCUMENT_NESTING + 1), ROOMY).is_err());
        let maps = "a:\n  b:\n    c: 1\n";
        assert!(load(maps, ROOMY).is_ok());
    }

    #[test]
    fn documents_without_aliases_load_as_before() {
        let text = "at: 2026-01-01\nattributes: { amount: 1, tags: [a, b] }\n";
        assert_eq!(
            load(text, ROOMY).unwrap(),
            YamlLoader::load_from_str(text).unwrap()
        );
        assert!(load(text, Budget { values: 3, ..ROOMY }).is_err());
    }
}
