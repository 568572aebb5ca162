//! "Did you mean ...?": the declared name closest to a misspelt one.

/// How many candidate names the suggestions of one check may look at in
/// all: a set with a million labels and many misspelt ones must not turn
/// reporting quadratic. Past it, no suggestion is made, and the hints say
/// so instead of telling the user to declare the name.
pub(crate) const BUDGET: usize = 5_000_000;

/// The result of looking for a close name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Close {
    /// The closest declared name.
    Found(String),
    /// None is close.
    None,
    /// Not looked for (the budget is spent): one may exist.
    Unknown,
}

impl Close {
    /// `did you mean `x`?`, or `otherwise` (built only when needed), or a
    /// hint that asks to check the spelling when no one looked.
    pub(crate) fn or_else(self, name: &str, otherwise: impl FnOnce() -> String) -> String {
        match self {
            Close::Found(c) => format!("did you mean `{c}`?"),
            Close::None => otherwise(),
            Close::Unknown => format!("check the spelling of `{name}`"),
        }
    }
}

/// The closest of `candidates` to `name`, if one is close: an edit
/// distance (with transpositions) of at most a third of the name's length
/// (at least 1, and less than its length), or one is the start of the other (`sun`, `sunli`), or
/// they differ only in case. Ties go to the smaller name, so the answer
/// does not depend on the order of `candidates`. `budget` counts the
/// candidates looked at.
pub(crate) fn closest<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    budget: &mut usize,
) -> Close {
    let n = name.chars().count();
    let limit = (n / 3).max(1);
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if *budget == 0 {
            return Close::Unknown;
        }
        *budget -= 1;
        if c == name {
            continue;
        }
        let m = c.chars().count();
        let prefix = n.min(m) >= 2 && (c.starts_with(name) || name.starts_with(c));
        let d = if c.to_lowercase() == lower {
            0
        } else if prefix {
            strsim::osa_distance(name, c)
        } else if n.abs_diff(m) > limit {
            continue;
        } else {
            let d = strsim::osa_distance(name, c);
            // Not every character replaced (`x` is not close to `y`).
            if d > limit || d >= n {
                continue;
            }
            d
        };
        let better = match best {
            None => true,
            Some((bd, bc)) => (d, c) < (bd, bc),
        };
        if better {
            best = Some((d, c));
        }
    }
    best.map_or(Close::None, |(_, c)| Close::Found(c.to_owned()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn close(name: &str, candidates: &[&str]) -> Close {
        closest(name, candidates.iter().copied(), &mut BUDGET.clone())
    }

    #[test]
    fn close_names_are_found() {
        let found = |s: &str| Close::Found(s.to_owned());
        assert_eq!(close("zahng", &["li", "zhang"]), found("zhang"));
        assert_eq!(
            close("contarct", &["official", "contract"]),
            found("contract")
        );
        assert_eq!(close("sun", &["sunli", "zhao"]), found("sunli"));
        assert_eq!(close("acme-sh", &["acme", "acme_sh"]), found("acme_sh"));
        assert_eq!(close("Acme", &["acme"]), found("acme"));
        assert_eq!(
            close("合同专章", &["合同专用章", "公章"]),
            found("合同专用章")
        );
    }

    #[test]
    fn far_names_are_not() {
        assert_eq!(close("lee", &["li", "zhang"]), Close::None);
        assert_eq!(close("x", &["y"]), Close::None);
        assert_eq!(close("finance", &["contract", "official"]), Close::None);
        assert_eq!(close("nda", &[]), Close::None);
    }

    #[test]
    fn ties_do_not_depend_on_order() {
        assert_eq!(close("ab", &["ac", "aa"]), close("ab", &["aa", "ac"]));
    }

    /// A hint never asks to declare a name when a close one may exist.
    #[test]
    fn hints() {
        let declare = || String::from("declare it");
        assert_eq!(
            Close::Found(String::from("zhang")).or_else("zahng", declare),
            "did you mean `zhang`?"
        );
        assert_eq!(Close::None.or_else("x", declare), "declare it");
        assert_eq!(
            Close::Unknown.or_else("x", declare),
            "check the spelling of `x`"
        );
    }

    #[test]
    fn the_budget_is_kept() {
        let mut budget = 2;
        assert_eq!(
            closest("abc", ["x", "y", "abd"], &mut budget),
            Close::Unknown
        );
        assert_eq!(budget, 0);
    }
}
