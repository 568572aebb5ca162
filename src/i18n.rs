//! Reasons in people's languages: one message catalog, in [Project
//! Fluent](https://projectfluent.org/) files under `locales/` (`en` and
//! `zh-CN`), embedded in the library so that it reads no file at run time.
//!
//! A reason is data: its code and its [`Params`], the values its message
//! names, the same in every language. This module renders a code and its
//! params in a [`Lang`]; nothing else assembles a message. What each code
//! carries is declared once, in [`reason_params`]: the renderer hands
//! Fluent exactly those keys (an absent optional one as an empty value, so
//! that a message can test for it with `KIND`), `docs/language.md`'s
//! table is checked against it, and so is every reason the tests see.
//!
//! Two functions are available to messages:
//! - `KIND($x)`: `none` when the optional `$x` is absent, `date` for a
//!   date (`2027-02-28`), `time` for an RFC 3339 instant, else `text`;
//! - `TIME($x)`: an instant as people of the language write it, in the
//!   set's time zone: at midnight, its date (`2026-08-10`); else, in
//!   English, RFC 3339 as it is, and in Chinese `2026-06-01 12:00`
//!   (seconds only when there are some). A date stays as it is.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::ser::SerializeMap;
use serde::Serialize;

use crate::decision::ReasonCode;

/// A language messages are rendered in. Deciding never takes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English (`en`), the default.
    #[default]
    En,
    /// Simplified Chinese (`zh-CN`).
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The language tag: `en` or `zh-CN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A language tag that names no language of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("unknown language `{0}`")]
#[diagnostic(
    code(autoseal::unknown_language),
    help("the languages are `en` and `zh-CN`")
)]
pub struct LangError(pub String);

impl std::str::FromStr for Lang {
    type Err = LangError;

    /// `en` or `zh-CN` (tags compare without regard to case, `_` may
    /// stand for `-`; `zh` and `zh-Hans` are Simplified Chinese too).
    fn from_str(s: &str) -> Result<Lang, LangError> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "en" => Ok(Lang::En),
            "zh-cn" | "zh" | "zh-hans" | "zh-hans-cn" => Ok(Lang::ZhCn),
            _ => Err(LangError(s.to_owned())),
        }
    }
}

/// The values a reason's message names, by key: ids, display names
/// (`*_name`), instants (RFC 3339 in the policy set's time zone), dates
/// as written, numbers as their exact decimal. In JSON, an object of
/// strings, in the order the keys are declared for the code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params(Vec<(&'static str, String)>);

impl Params {
    /// The value under `key`, if the reason carries one.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every key and value.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(k, v)| (*k, v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `key` (a later value replaces an earlier one).
    pub(crate) fn set(&mut self, key: &'static str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// In the order `spec` declares the keys (unknown keys last).
    pub(crate) fn ordered(mut self, spec: &[ParamSpec]) -> Params {
        let rank = |k: &str| spec.iter().position(|s| s.key == k).unwrap_or(spec.len());
        self.0.sort_by_key(|(k, _)| rank(k));
        self
    }
}

impl Serialize for Params {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One parameter a reason code carries: its key, and whether every
/// reason of the code carries it (else only some, as its `why` or the
/// policy say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    pub key: &'static str,
    pub always: bool,
}

/// A parameter every reason of the code carries.
macro_rules! p {
    ($key:literal) => {
        ParamSpec {
            key: $key,
            always: true,
        }
    };
}

/// An optional parameter.
macro_rules! o {
    ($key:literal) => {
        ParamSpec {
            key: $key,
            always: false,
        }
    };
}

/// The parameters of each reason code: the one list the renderer, the
/// catalog's tests and `docs/language.md` agree on.
pub fn reason_params(code: ReasonCode) -> &'static [ParamSpec] {
    use ReasonCode as C;
    match code {
        C::UnknownOrg => &[p!("org")],
        C::UnknownEmployee => &[p!("employee")],
        C::UnknownTemplate => &[p!("template")],
        C::TemplateOwnerMismatch => &[
            p!("template"),
            p!("template_name"),
            p!("owner"),
            p!("owner_name"),
            p!("org"),
            p!("org_name"),
        ],
        C::ServiceNotEnabled => &[p!("org"), p!("org_name"), p!("why"), o!("at")],
        C::NotGroupMember => &[
            p!("org"),
            p!("org_name"),
            p!("on_behalf_of"),
            p!("on_behalf_of_name"),
        ],
        C::InitiatorNotAuthorized => &[
            p!("employee"),
            p!("employee_name"),
            p!("template"),
            p!("template_name"),
            p!("org"),
            p!("org_name"),
            p!("why"),
            o!("rule"),
            o!("covers"),
            o!("covers_name"),
            o!("from"),
            o!("until"),
            o!("at"),
            o!("by"),
            o!("by_name"),
            o!("condition"),
            o!("attribute"),
            o!("value"),
            o!("expected"),
            o!("given"),
        ],
        C::TemplateDisabled => &[p!("template"), p!("template_name"), p!("since")],
        C::TemplateNotAutoSign => &[
            p!("template"),
            p!("template_name"),
            p!("org"),
            p!("org_name"),
            p!("why"),
            o!("rule"),
            o!("from"),
            o!("until"),
            o!("at"),
            o!("by"),
            o!("by_name"),
        ],
        C::NoPartnerGrant => &[
            p!("org"),
            p!("org_name"),
            p!("template"),
            p!("template_name"),
        ],
        C::SignatoryMismatch => &[
            p!("rule"),
            p!("org"),
            p!("org_name"),
            p!("signatory"),
            p!("grant_signatory"),
        ],
        C::GrantNotYetValid => &[p!("rule"), p!("org"), p!("org_name"), p!("from")],
        C::GrantExpired => &[p!("rule"), p!("org"), p!("org_name"), p!("until")],
        C::GrantRevoked => &[
            p!("rule"),
            p!("org"),
            p!("org_name"),
            p!("at"),
            o!("by"),
            o!("by_name"),
        ],
        C::GrantVoid => &[
            p!("rule"),
            p!("org"),
            p!("org_name"),
            p!("why"),
            p!("invite"),
            o!("mismatch"),
            o!("closed"),
            o!("by"),
            o!("by_name"),
            o!("at"),
        ],
        C::SealDisabled => &[p!("rule"), p!("seal"), p!("seal_name"), p!("since")],
        C::ConditionNotMet => &[p!("rule"), p!("condition"), o!("attribute"), o!("value")],
        C::AttributeMissing => &[
            p!("rule"),
            p!("condition"),
            p!("attribute"),
            o!("expected"),
            o!("given"),
        ],
        C::Forbidden => &[
            p!("forbid"),
            p!("rule"),
            p!("seal"),
            p!("seal_name"),
            o!("condition"),
            o!("attribute"),
            o!("expected"),
            o!("given"),
        ],
        C::AmbiguousSeal => &[
            p!("rule"),
            p!("seal"),
            p!("seal_name"),
            p!("other_rule"),
            p!("other_seal"),
            p!("other_seal_name"),
        ],
    }
}

/// The values of a code's `why` param, which tells its cases apart (none
/// for a code without one).
pub fn reason_whys(code: ReasonCode) -> &'static [&'static str] {
    use ReasonCode as C;
    match code {
        C::ServiceNotEnabled => &["disabled", "not_yet_enabled", "never_enabled"],
        C::InitiatorNotAuthorized => &[
            "no_authorization",
            "no_authorization_on_behalf",
            "other_template",
            "not_yet_valid",
            "expired",
            "revoked",
            "condition_not_met",
            "attribute_missing",
        ],
        C::TemplateNotAutoSign => &["no_rule", "not_yet_valid", "expired", "revoked"],
        C::GrantVoid => &[
            "invite_mismatch",
            "accepted_before_invite",
            "accepted_after_window",
            "not_super_admin",
        ],
        _ => &[],
    }
}

/// The catalog's files, as the library embeds them.
pub const CATALOG: [(Lang, &str); 2] = [
    (Lang::En, include_str!("../locales/en/reasons.ftl")),
    (Lang::ZhCn, include_str!("../locales/zh-CN/reasons.ftl")),
];

struct Bundles {
    en: FluentBundle<FluentResource>,
    zh_cn: FluentBundle<FluentResource>,
}

impl Bundles {
    fn get(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh_cn,
        }
    }
}

/// Built on first use: parsing the catalog is not a decision's business.
fn bundles() -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| Bundles {
        en: bundle(Lang::En),
        zh_cn: bundle(Lang::ZhCn),
    })
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let text = CATALOG
        .iter()
        .find(|(l, _)| *l == lang)
        .map_or("", |(_, t)| t);
    let tag = lang.as_str().parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![tag]);
    // No Unicode isolation marks around placeables: messages go to
    // terminals, logs and JSON.
    b.set_use_isolating(false);
    // A file that does not parse keeps the messages that do (the tests
    // hold the catalog to parse cleanly).
    let resource = FluentResource::try_new(text.to_owned()).unwrap_or_else(|(r, _)| r);
    let _ = b.add_resource(resource);
    let _ = b.add_function("KIND", |args, _| {
        FluentValue::from(match args.first() {
            None | Some(FluentValue::None) => "none",
            Some(FluentValue::String(s)) => kind(s),
            Some(_) => "text",
        })
    });
    let _ = b.add_function("TIME", move |args, _| match args.first() {
        Some(FluentValue::String(s)) => FluentValue::from(local_time(lang, s)),
        Some(v) => v.clone(),
        None => FluentValue::None,
    });
    b
}

/// `date`, `time` or `text`, as `KIND` says.
fn kind(s: &str) -> &'static str {
    if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() {
        "date"
    } else if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
        "time"
    } else {
        "text"
    }
}

/// An RFC 3339 instant as people of `lang` write one, in its own offset
/// (the set's time zone): at midnight its date; else in English as it
/// is, in Chinese `2026-06-01 12:00` (seconds and fractions only when
/// there are some). Anything else as it is.
fn local_time(lang: Lang, s: &str) -> String {
    use chrono::Timelike;
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) else {
        return s.to_owned();
    };
    let format = match (lang, t.hour(), t.minute(), t.second(), t.nanosecond()) {
        (_, 0, 0, 0, 0) => "%Y-%m-%d",
        (Lang::En, ..) => return s.to_owned(),
        (Lang::ZhCn, .., 0, 0) => "%Y-%m-%d %H:%M",
        (Lang::ZhCn, .., 0) => "%Y-%m-%d %H:%M:%S",
        (Lang::ZhCn, ..) => "%Y-%m-%d %H:%M:%S%.6f",
    };
    t.format(format).to_string()
}

/// A reason's message in `lang`, from its code and params.
pub(crate) fn message(lang: Lang, code: ReasonCode, params: &Params) -> String {
    format(lang, code, params).0
}

/// [`message`], with what Fluent reported while formatting it (a
/// parameter the message uses and the code does not carry, a message
/// missing from the catalog). A missing message falls back to English,
/// then to the code. The catalog's tests hold every code, with its
/// params, to format without a report.
#[doc(hidden)]
pub fn format(lang: Lang, code: ReasonCode, params: &Params) -> (String, Vec<String>) {
    let spec = reason_params(code);
    let mut args = FluentArgs::with_capacity(spec.len());
    for s in spec {
        let v = params
            .get(s.key)
            .map_or(FluentValue::None, |v| FluentValue::from(v.to_owned()));
        args.set(s.key, v);
    }
    let mut errors = Vec::new();
    for l in [lang, Lang::En] {
        let b = bundles().get(l);
        if let Some(pattern) = b.get_message(code.as_str()).and_then(|m| m.value()) {
            let mut found = Vec::new();
            let text = b.format_pattern(pattern, Some(&args), &mut found);
            errors.extend(found.iter().map(|e| e.to_string()));
            return (text.into_owned(), errors);
        }
        errors.push(format!("no message `{code}` in `{l}`"));
    }
    (code.as_str().to_owned(), errors)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use fluent_syntax::ast;

    /// Every variable, function and reference a pattern uses, and the keys
    /// of its selects on `$why`.
    #[derive(Default, Debug)]
    struct Uses {
        variables: Vec<String>,
        functions: Vec<String>,
        references: Vec<String>,
        why_keys: Vec<String>,
    }

    fn pattern(p: &ast::Pattern<&str>, u: &mut Uses) {
        for e in &p.elements {
            if let ast::PatternElement::Placeable { expression } = e {
                expr(expression, u);
            }
        }
    }

    fn expr(e: &ast::Expression<&str>, u: &mut Uses) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline(selector, u);
                let on_why = matches!(selector,
                    ast::InlineExpression::VariableReference { id } if id.name == "why");
                for v in variants {
                    if on_why {
                        if let ast::VariantKey::Identifier { name } = &v.key {
                            u.why_keys.push(name.to_string());
                        }
                    }
                    pattern(&v.value, u);
                }
            }
            ast::Expression::Inline(i) => inline(i, u),
        }
    }

    fn inline(i: &ast::InlineExpression<&str>, u: &mut Uses) {
        match i {
            ast::InlineExpression::VariableReference { id } => u.variables.push(id.name.to_owned()),
            ast::InlineExpression::FunctionReference { id, arguments } => {
                u.functions.push(id.name.to_owned());
                for a in &arguments.positional {
                    inline(a, u);
                }
                for a in &arguments.named {
                    inline(&a.value, u);
                }
            }
            ast::InlineExpression::MessageReference { id, .. }
            | ast::InlineExpression::TermReference { id, .. } => {
                u.references.push(id.name.to_owned())
            }
            ast::InlineExpression::Placeable { expression } => expr(expression, u),
            ast::InlineExpression::StringLiteral { .. }
            | ast::InlineExpression::NumberLiteral { .. } => {}
        }
    }

    /// Each language's messages, by id, with what they use.
    fn catalog(lang: Lang) -> Vec<(String, Uses)> {
        let text = CATALOG.iter().find(|(l, _)| *l == lang).unwrap().1;
        let resource = fluent_syntax::parser::parse(text)
            .unwrap_or_else(|(_, errors)| panic!("{lang}: the catalog does not parse: {errors:?}"));
        let mut out = Vec::new();
        for entry in &resource.body {
            match entry {
                ast::Entry::Message(m) => {
                    let mut u = Uses::default();
                    let value = m
                        .value
                        .as_ref()
                        .unwrap_or_else(|| panic!("{lang}: `{}` has no value", m.id.name));
                    pattern(value, &mut u);
                    for a in &m.attributes {
                        pattern(&a.value, &mut u);
                    }
                    out.push((m.id.name.to_owned(), u));
                }
                ast::Entry::Term(t) => panic!("{lang}: term `{}`: terms are not used", t.id.name),
                ast::Entry::Junk { content } => panic!("{lang}: junk in the catalog: {content}"),
                _ => {}
            }
        }
        out
    }

    /// Each language has a message for every reason code and no other; a
    /// message uses only the params its code carries, the catalog's two
    /// functions and no other message; a code with cases has a variant
    /// for each.
    #[test]
    fn every_code_has_a_message_using_only_its_params() {
        let mut problems = Vec::new();
        for lang in Lang::ALL {
            let messages = catalog(lang);
            for code in ReasonCode::ALL {
                let Some((_, u)) = messages.iter().find(|(id, _)| id == code.as_str()) else {
                    problems.push(format!("{lang}: no message for `{code}`"));
                    continue;
                };
                let spec = reason_params(code);
                for v in &u.variables {
                    if !spec.iter().any(|s| s.key == v) {
                        problems.push(format!(
                            "{lang}: `{code}` uses `${v}`, which it does not carry"
                        ));
                    }
                }
                for f in &u.functions {
                    if f != "KIND" && f != "TIME" {
                        problems.push(format!("{lang}: `{code}` calls `{f}`"));
                    }
                }
                for r in &u.references {
                    problems.push(format!("{lang}: `{code}` refers to `{r}`"));
                }
                for why in reason_whys(code) {
                    if !u.why_keys.iter().any(|k| k == why) {
                        problems.push(format!("{lang}: `{code}` has no variant for why `{why}`"));
                    }
                }
                for k in &u.why_keys {
                    if !reason_whys(code).contains(&k.as_str()) {
                        problems.push(format!(
                            "{lang}: `{code}` has a variant for unknown why `{k}`"
                        ));
                    }
                }
            }
            for (id, _) in &messages {
                if ReasonCode::parse(id).is_none() {
                    problems.push(format!("{lang}: `{id}` is no reason code"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Every code, in every case it has, formats without a report in both
    /// languages: with every param it may carry, and with only those it
    /// always carries.
    #[test]
    fn every_code_formats_in_every_case() {
        let sample = |key: &str| match key {
            "at" | "since" | "closed" => "2026-06-01T12:00:00+08:00",
            "from" | "until" => "2026-03-01",
            "expected" | "given" => "number",
            "mismatch" => "template",
            _ => "x",
        };
        let mut problems = Vec::new();
        for code in ReasonCode::ALL {
            let spec = reason_params(code);
            let whys: Vec<Option<&str>> = match reason_whys(code) {
                [] => vec![None],
                w => w.iter().copied().map(Some).collect(),
            };
            for why in whys {
                for all in [true, false] {
                    let mut params = Params::default();
                    for s in spec.iter().filter(|s| all || s.always) {
                        params.set(
                            s.key,
                            why.filter(|_| s.key == "why").unwrap_or(sample(s.key)),
                        );
                    }
                    for lang in Lang::ALL {
                        let (text, errors) = format(lang, code, &params);
                        if !errors.is_empty() || text.contains('{') || text.trim().is_empty() {
                            problems.push(format!(
                                "{lang} `{code}` {why:?} (all: {all}): `{text}` {errors:?}"
                            ));
                        }
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn times_read_as_people_write_them() {
        let cases = [
            (
                Lang::En,
                "2026-06-01T12:00:00+08:00",
                "2026-06-01T12:00:00+08:00",
            ),
            (Lang::En, "2026-06-01T00:00:00+08:00", "2026-06-01"),
            (Lang::ZhCn, "2026-06-01T12:00:00+08:00", "2026-06-01 12:00"),
            (Lang::ZhCn, "2026-06-01T00:00:00+08:00", "2026-06-01"),
            (
                Lang::ZhCn,
                "2026-06-01T12:00:30+08:00",
                "2026-06-01 12:00:30",
            ),
            (
                Lang::ZhCn,
                "2026-04-01T08:59:59.999999+08:00",
                "2026-04-01 08:59:59.999999",
            ),
            (Lang::ZhCn, "2026-02-28", "2026-02-28"),
        ];
        for (lang, given, want) in cases {
            assert_eq!(local_time(lang, given), want, "{lang} {given}");
        }
    }

    #[test]
    fn languages_parse_from_their_tags() {
        for (tag, want) in [
            ("en", Lang::En),
            ("zh-CN", Lang::ZhCn),
            ("zh_cn", Lang::ZhCn),
            ("ZH", Lang::ZhCn),
        ] {
            assert_eq!(tag.parse::<Lang>(), Ok(want), "{tag}");
        }
        for l in Lang::ALL {
            assert_eq!(l.as_str().parse::<Lang>(), Ok(l));
        }
        assert!("fr".parse::<Lang>().is_err());
    }
}
