//! The formatter: idempotent, keeps every comment, keeps meaning; and what
//! its canonical layout looks like.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use autoseal::ast::Meaning;
use autoseal::fmt::format_source;
use autoseal::source::FileId;
use autoseal::syntax::parse_file;

/// Every `.policy` file under `dir`, recursively (none if it does not exist).
fn policy_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let path = e.unwrap().path();
        if path.is_dir() {
            policy_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "policy") {
            out.push(path);
        }
    }
}

/// Comment texts (trailing white space removed) with how often each occurs.
fn comment_counts(text: &str) -> BTreeMap<String, usize> {
    let parsed = parse_file(FileId(0), text);
    let mut m = BTreeMap::new();
    for c in parsed.comments {
        let t = text[c.span.start as usize..c.span.end as usize].trim_end();
        *m.entry(t.to_owned()).or_insert(0) += 1;
    }
    m
}

/// Formats `text` (which must parse) and checks the formatter's promises:
/// the output parses to the same syntax tree, keeps every comment, and is
/// its own format.
fn format_checked(name: &str, text: &str) -> String {
    let input = parse_file(FileId(0), text);
    assert!(input.errors.is_empty(), "{name}: {:?}", input.errors);
    let out = format_source(FileId(0), text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let output = parse_file(FileId(0), &out);
    assert!(
        output.errors.is_empty(),
        "{name}: output does not parse: {:?}\n{out}",
        output.errors
    );
    assert!(
        Meaning(&input.ast) == Meaning(&output.ast),
        "{name}: meaning changed\n{out}"
    );
    let before = comment_counts(text);
    assert_eq!(
        before,
        comment_counts(&out),
        "{name}: comments changed\n{out}"
    );
    for c in before.keys() {
        assert_eq!(
            text.matches(c.as_str()).count(),
            out.matches(c.as_str()).count(),
            "{name}: comment `{c}`\n{out}"
        );
    }
    let again = format_source(FileId(0), &out).unwrap();
    assert_eq!(out, again, "{name}: not idempotent");
    assert!(out.is_empty() || (out.ends_with('\n') && !out.ends_with("\n\n")));
    assert!(!out.starts_with('\n'));
    assert!(!out.contains("\n\n\n"), "{name}: two blank lines\n{out}");
    out
}

#[test]
fn every_policy_and_fixture_file_formats_losslessly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut policies = Vec::new();
    policy_files(&root.join("policies"), &mut policies);
    assert!(!policies.is_empty());
    for p in &policies {
        let text = std::fs::read_to_string(p).unwrap();
        format_checked(&p.display().to_string(), &text);
    }
    let mut fixtures = Vec::new();
    policy_files(&root.join("tests/fixtures"), &mut fixtures);
    for p in &fixtures {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        if !parse_file(FileId(0), &text).errors.is_empty() {
            continue;
        }
        format_checked(&p.display().to_string(), &text);
    }
}

#[test]
fn bundled_policies() {
    insta::glob!("../policies", "*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(format_checked(&path.display().to_string(), &text));
    });
}

const ODD_SPACING: &str = "\n\n\ntimezone   +08:00\t\n\n\n\norg   acme    \"Acme\"   {\n  super_admin   zhang \"张三\"\n\temployee li \"李四\"\n      seal contract \"合同专用章\"   kind   contract\ntemplate nda \"保密协议\" signatories \"甲方\" ,\"乙方\"\n\n\n\n    template labor \"劳动合同\"\n}\norg empty \"Empty\" {}\norg one \"One\" { employee x \"X\" }\ngroup   g \"G\"   main acme   members  one ,empty\nattribute amount :number \"金额\"\nattribute   flag:bool\nacme   enables auto-sign   at 2026-01-05   by zhang\ndisable seal acme.contract at 2026-08-10\nenable template acme.nda at 2026-08-12T18:00:00+08:00\ninv : acme invites partners to authorize template nda as signatory \"乙方\" at 2026-03-05 valid for 1 day\ninv2: acme invites partners to authorize template nda as signatory \"乙方\" at 2026-03-05 valid for 2 month\nrevoke   inv at 2026-06-01 by   acme.zhang\nreseal g1 with seal one.x at 2026-07-01\n\n\n";

/// Where both are accepted, a name is written as it was: bare or qualified
/// (and `changes super admin` keeps its one-line form).
#[test]
fn bare_and_qualified_names_are_kept_as_written() {
    let text = "\
acme enables auto-sign at 2026-01-05T00:00:00+08:00 by zhang
globex enables auto-sign at 2026-01-05T00:00:00+08:00 by globex.zhao
own_a: acme auto-signs template nda with seal contract
own_b: acme auto-signs template labor with seal acme.contract
g: partner globex authorizes acme template nda as signatory \"乙方\" with seal globex.contract
    via invite inv accepted 2026-03-10T10:00:00+08:00 by zhao
h: partner globex authorizes acme template nda as signatory \"甲方\" with seal contract
    via invite inv accepted 2026-03-10T10:00:00+08:00 by globex.zhao
reseal g with seal contract2 at 2026-05-01T00:00:00+08:00
reseal h with seal globex.contract2 at 2026-05-01T00:00:00+08:00
revoke g at 2026-07-01T00:00:00+08:00 by zhao
revoke h at 2026-07-01T00:00:00+08:00 by globex.zhao
acme changes super admin to wang at 2026-08-01T00:00:00+08:00
globex changes super admin to globex.li at 2026-08-01T00:00:00+08:00
";
    assert_eq!(format_checked("names", text), text);
}

#[test]
fn odd_spacing() {
    insta::assert_snapshot!(format_checked("odd_spacing", ODD_SPACING));
}

#[test]
fn comments_everywhere() {
    let text = r#"# header comment
#   keeps its spacing   

# second block, after a blank line
timezone +08:00 # the zone

org acme "Acme" { # on the header
    # before zhang
    super_admin zhang "张三"   # trailing zhang


    # before li, after two blank lines
    employee li "李四"
        # indented oddly
    seal contract "章" kind contract # seal
    seal official "公章"
    # after a member that could have gone on (`kind`)
    # before the closing brace
}  # after the closing brace

    # an indented comment between statements
acme enables auto-sign at 2026-01-05 by zhang # by the super admin
g: partner globex authorizes acme template nda as signatory "乙方" with seal contract # on the head
    # on its own line inside the rule
    via invite inv accepted 2026-03-10T10:00:00+08:00 by zhao # on via
    until revoked # trailing
short: forbid auto-sign # on the head of a short rule
    when amount > 5
joined: forbid auto-sign
    when amount > 5 # only after the last clause: joined
twice: forbid auto-sign when amount > 5 # first
    from 2026-01-01 # second: the clauses keep the order written
open: forbid auto-sign when a == 1 and b == 2
    # an indented comment after a rule that could have gone on
# at the end


# the very end
"#;
    insta::assert_snapshot!(format_checked("comments_everywhere", text));
}

const MULTI_LINE_RULES: &str = r#"timezone +08:00
a: acme auto-signs template labor with seal contract
    from 2026-01-10
    until revoked
b: acme auto-signs template nda with seal contract
        when amount <= 1_000 from 2026-01-10 until 2026-12-31
c: employee acme.li may initiate auto-sign for template acme.nda on behalf of acme_sh from 2026-02-01T09:00:00+08:00 until 2026-12-31
d: partner initech authorizes acme template nda as signatory "乙方" with seal contract
    when amount <= 500000 and currency == "CNY"
    from 2026-03-01 until 2027-02-28
e: partner globex authorizes acme template nda as signatory "乙方" with seal contract via invite inv_nda accepted 2026-03-10T10:00:00+08:00 by zhao
forbid auto-sign for signer globex for template acme.nda with seal kind official from 2026-07-01 until 2026-07-31 when not not (a == 1 or ((b != -2.50))) and not c < +3 or d >= 0 and e == true and f != "x \"y\" \u{4e2d}"
forbid auto-sign
    until 2026-01-01T00:00Z
"#;

#[test]
fn multi_line_rules() {
    insta::assert_snapshot!(format_checked("multi_line_rules", MULTI_LINE_RULES));
}

#[test]
fn lists_across_lines() {
    let text = r#"f1: forbid auto-sign when category in [
    "marriage",
"adoption"  ,   "inheritance",
        ]
f2: forbid auto-sign when category in [ ] or amount in [1, 2_000, -3.5, true,]
f3: forbid auto-sign for template acme.general
    when category in [ # kinds of documents
        "marriage", # personal
        "real_estate_transfer", # property
        "utility_cutoff"
    ] and amount > 0
"#;
    insta::assert_snapshot!(format_checked("lists_across_lines", text));
}

#[test]
fn org_blocks() {
    let text = r#"org acme "Acme" {

    super_admin zhang "张三"
    template general "通用合同（自由文本）" signatories "甲方", "乙方"
    # Free-text template: anything can be pasted into it.
    # A second line.

}
org globex "Globex" {
    seal contract2 "合同专用章（2026版）" kind contract
    # The replacement seal.
}
org bare "Bare" {
    # nothing but a comment
}
org # between org and its name
    multi "Multi" { # after the brace
    seal a "A"
        kind other # a member across lines
}
"#;
    insta::assert_snapshot!(format_checked("org_blocks", text));
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(format_checked("empty", ""), "");
    assert_eq!(format_checked("blank", "\n\n   \n"), "");
    assert_eq!(
        format_checked("comments", "\n\n# a   \n\n\n\n# b\n# c"),
        "# a\n\n# b\n# c\n"
    );
}

/// The issue's example: a comment line in column 0 between a rule's head
/// and its `when`. The condition was dropped, then the comment moved.
#[test]
fn a_comment_between_continuation_lines_stays_there() {
    let wang =
        "wang_purchase: employee huaxin.wang may initiate auto-sign for template huaxin.purchase
# 王磊只能发起 10 万以内的采购合同
    when amount <= 100000
";
    assert_eq!(
        format_checked("wang", wang),
        "wang_purchase: employee huaxin.wang may initiate auto-sign for template huaxin.purchase
    # 王磊只能发起 10 万以内的采购合同
    when amount <= 100000
"
    );
    // Between clauses, after blank lines; a short rule stays broken.
    let text =
        "g: partner globex authorizes acme template nda as signatory \"乙方\" with seal contract
    via invite inv accepted 2026-03-10T10:00:00+08:00 by zhao

        # why it ends

    until revoked
f: forbid auto-sign
  # only large ones
    when amount > 5 # trailing
";
    assert_eq!(
        format_checked("clauses", text),
        "g: partner globex authorizes acme template nda as signatory \"乙方\" with seal contract
    via invite inv accepted 2026-03-10T10:00:00+08:00 by zhao
    # why it ends
    until revoked
f: forbid auto-sign
    # only large ones
    when amount > 5 # trailing
"
    );
}

/// A comment inside a clause (or a head, or an org member) stays after the
/// same token: the line is broken there and goes on indented eight spaces.
#[test]
fn a_comment_inside_a_clause_stays_after_the_same_token() {
    let text = "f: forbid auto-sign when # which amounts
    amount > 5 and
    # and which currencies
    currency == \"CNY\"
employee acme.li # who
    may initiate auto-sign
org acme \"A\" {
    seal s \"S\"
        # its kind
        kind official
}
";
    assert_eq!(
        format_checked("inside", text),
        "f: forbid auto-sign
    when # which amounts
        amount > 5 and
        # and which currencies
        currency == \"CNY\"
employee acme.li # who
        may initiate auto-sign
org acme \"A\" {
    seal s \"S\"
        # its kind
        kind official
}
"
    );
}

#[test]
fn syntax_errors_are_returned() {
    let errors = format_source(FileId(0), "forbid auto-sign wth\n").unwrap_err();
    assert_eq!(errors.len(), 1);
}

#[test]
fn crlf_line_endings_become_lf() {
    let out = format_checked(
        "crlf",
        "timezone +08:00 # tz\r\n\r\n\r\nforbid auto-sign\r\n    when a == 1\r\n",
    );
    assert_eq!(
        out,
        "timezone +08:00 # tz\n\nforbid auto-sign when a == 1\n"
    );
}

#[test]
fn a_very_long_list_is_written_one_element_per_line() {
    let values: Vec<String> = (0..8000).map(|i| format!("\"customer-{i:05}\"")).collect();
    let text = format!(
        "forbid auto-sign when customer in [\n{}\n]\n",
        values.join(",\n")
    );
    let out = format_checked("long list", &text);
    assert!(out.lines().all(|l| l.len() < 100));
    assert!(
        out.starts_with("forbid auto-sign\n    when customer in [\n        \"customer-00000\",\n")
    );
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Rewrites the spacing of policy text without changing its meaning: the
/// spaces between tokens become runs of spaces or tabs, or line breaks onto
/// indented continuation lines; a blank line becomes several. With
/// `comments`, comments are added between tokens and at line ends.
fn mutate(text: &str, seed: u64, comments: bool) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = String::new();
    let (mut in_string, mut escaped, mut in_comment) = (false, false, false);
    let mut at_line_start = true;
    let mut k = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_comment {
            in_comment = c != '\n';
            at_line_start = c == '\n';
            out.push(c);
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            out.push(c);
            continue;
        }
        match c {
            ' ' if at_line_start => out.push(c),
            ' ' => match rng.below(6) {
                0 => out.push_str("   "),
                1 => out.push_str(" \t"),
                2 => out.push_str("\n      "),
                3 if comments => {
                    k += 1;
                    out.push_str(&format!(" # c{k}\n  "));
                }
                _ => out.push(' '),
            },
            '\n' => {
                if comments && rng.below(4) == 0 {
                    k += 1;
                    out.push_str(&format!("  # t{k}  "));
                }
                out.push('\n');
                if chars.peek() == Some(&'\n') && rng.below(2) == 0 {
                    out.push_str("  \n\t\n");
                }
            }
            _ => {
                in_string = c == '"';
                in_comment = c == '#';
                out.push(c);
            }
        }
        at_line_start = c == '\n' || (at_line_start && c == ' ');
    }
    out
}

#[test]
fn respacing_does_not_change_the_output_and_added_comments_are_kept() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    policy_files(&root.join("policies"), &mut files);
    let mut texts: Vec<(String, String)> = files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    texts.push(("odd_spacing".into(), ODD_SPACING.into()));
    texts.push(("multi_line_rules".into(), MULTI_LINE_RULES.into()));
    for (name, text) in &texts {
        let canonical = format_source(FileId(0), text).unwrap();
        for seed in 0..16 {
            let spaced = mutate(text, seed, false);
            let out = format_checked(&format!("{name} respaced #{seed}"), &spaced);
            assert_eq!(out, canonical, "{name} respaced #{seed}:\n{spaced}");
            let commented = mutate(text, seed, true);
            let out = format_checked(&format!("{name} commented #{seed}"), &commented);
            assert!(
                Meaning(&parse_file(FileId(0), &out).ast)
                    == Meaning(&parse_file(FileId(0), text).ast),
                "{name} commented #{seed}: meaning changed\n{out}"
            );
        }
    }
}
