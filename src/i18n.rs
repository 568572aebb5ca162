//! Reasons and load-time diagnostics in people's languages: one message
//! catalog, in [Project Fluent](https://projectfluent.org/) files under
//! `locales/` (`en` and `zh-CN`: `reasons.ftl` for the reasons of a
//! decision, `diagnostics.ftl` for the errors and warnings of a load),
//! embedded in the library so that it reads no file at run time.
//!
//! A reason or a diagnostic is data: its code and its [`Params`], the
//! values its message names, the same in every language. This module
//! renders a code and its params in a [`Lang`]; nothing else assembles a
//! message. What each code carries is declared once, in [`reason_params`]
//! and [`diag_params`]: the renderer hands Fluent exactly those keys (an
//! absent optional one as an empty value, so that a message can test for
//! it with `KIND`), `docs/language.md`'s tables are checked against them,
//! and so is every reason and diagnostic the tests see.
//!
//! A param is a text or a list ([`ParamValue`]). A list is handed to
//! Fluent already joined as its [`ListStyle`] says, in the language's
//! words (`` `a`, `b` and `c` ``, `` `a`、`b` 和 `c` ``).
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
use crate::diag::Code;

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
    /// Every language, the default first.
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

/// The values a reason's or a diagnostic's message names, by key: ids,
/// display names (`*_name`), instants (RFC 3339 in the policy set's time
/// zone), dates as written, numbers as their exact decimal, and lists of
/// names. In JSON, an object of strings (arrays of strings for lists), in
/// the order the keys are declared for the code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params(Vec<(&'static str, ParamValue)>);

/// One param's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    /// A single value.
    Text(String),
    /// Names (or, for `expected`, tokens and kinds of token), in order.
    List(Vec<String>),
}

impl Serialize for ParamValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ParamValue::Text(t) => s.serialize_str(t),
            ParamValue::List(l) => l.serialize(s),
        }
    }
}

impl Params {
    /// The text under `key`, if the reason carries one (`None` for a
    /// list: see [`Params::list`]).
    pub fn get(&self, key: &str) -> Option<&str> {
        match self.value(key)? {
            ParamValue::Text(t) => Some(t.as_str()),
            ParamValue::List(_) => None,
        }
    }

    /// The list under `key`, if there is one.
    pub fn list(&self, key: &str) -> Option<&[String]> {
        match self.value(key)? {
            ParamValue::List(l) => Some(l.as_slice()),
            ParamValue::Text(_) => None,
        }
    }

    /// The value under `key`, text or list.
    pub fn value(&self, key: &str) -> Option<&ParamValue> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Whether there is a value under `key`.
    pub fn contains(&self, key: &str) -> bool {
        self.value(key).is_some()
    }

    /// Every key and value.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &ParamValue)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    /// How many params.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets `key` (a later value replaces an earlier one).
    pub fn set(&mut self, key: &'static str, value: impl Into<String>) {
        self.put(key, ParamValue::Text(value.into()));
    }

    /// Sets `key` to a list.
    pub fn set_list<S: Into<String>>(
        &mut self,
        key: &'static str,
        items: impl IntoIterator<Item = S>,
    ) {
        self.put(
            key,
            ParamValue::List(items.into_iter().map(Into::into).collect()),
        );
    }

    /// Sets `key` when there is a value.
    pub fn set_opt(&mut self, key: &'static str, value: Option<impl Into<String>>) {
        if let Some(v) = value {
            self.set(key, v);
        }
    }

    fn put(&mut self, key: &'static str, value: ParamValue) {
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

impl<'de> serde::Deserialize<'de> for ParamValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ParamValue, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            List(Vec<String>),
        }
        Ok(match Either::deserialize(d)? {
            Either::Text(t) => ParamValue::Text(t),
            Either::List(l) => ParamValue::List(l),
        })
    }
}

/// Params read back from JSON keep the keys some code declares (a key no
/// code carries is dropped).
impl<'de> serde::Deserialize<'de> for Params {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Params, D::Error> {
        let map = std::collections::BTreeMap::<String, ParamValue>::deserialize(d)?;
        let mut p = Params::default();
        for (k, v) in map {
            if let Some(key) = declared_key(&k) {
                p.put(key, v);
            }
        }
        Ok(p)
    }
}

/// The key as some code declares it.
fn declared_key(k: &str) -> Option<&'static str> {
    let diag = Code::ALL.iter().flat_map(|c| diag_params(*c));
    let reason = ReasonCode::ALL.into_iter().flat_map(reason_params);
    let report = REPORT_MESSAGES.iter().flat_map(|m| m.params.iter());
    diag.chain(reason)
        .chain(report)
        .find(|s| s.key == k)
        .map(|s| s.key)
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

/// One parameter a code carries: its key, whether every reason or
/// diagnostic of the code carries it (else only some, as its `why` or the
/// policy say), and, for a list, how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamSpec {
    /// The param's key.
    pub key: &'static str,
    /// Whether every message of the code carries it.
    pub always: bool,
    /// `Some` for a list.
    pub list: Option<ListStyle>,
}

/// How a list param reads in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStyle {
    /// Names in backticks, the last after "and" (`` `a`, `b` and `c` ``;
    /// `` `a`、`b` 和 `c` ``); past eight, "and N more".
    And,
    /// Names in backticks, every one, after commas (`` `a`, `b` ``;
    /// `` `a`、`b` ``).
    Comma,
    /// Strings in quotes, every one, after commas (`"甲方", "乙方"`;
    /// `“甲方”、“乙方”`).
    Quoted,
    /// Names as they are, every one, after commas (`amount, category`;
    /// `amount、category`): for a line people read, not a report.
    Plain,
    /// What the parser expected, the last after "or": each a token as
    /// written in backticks (`` `from` ``), or a kind of token (`name`)
    /// shown by the catalog's message `expected-KIND`.
    Or,
}

/// A parameter every reason of the code carries.
macro_rules! p {
    ($key:literal) => {
        ParamSpec {
            key: $key,
            always: true,
            list: None,
        }
    };
    ($key:literal, $style:ident) => {
        ParamSpec {
            key: $key,
            always: true,
            list: Some(ListStyle::$style),
        }
    };
}

/// An optional parameter.
macro_rules! o {
    ($key:literal) => {
        ParamSpec {
            key: $key,
            always: false,
            list: None,
        }
    };
    ($key:literal, $style:ident) => {
        ParamSpec {
            key: $key,
            always: false,
            list: Some(ListStyle::$style),
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

/// The parameters of each diagnostic code (syntax errors, check errors
/// and warnings): the one list the renderer, the catalog's tests and
/// `docs/language.md` agree on.
pub fn diag_params(code: Code) -> &'static [ParamSpec] {
    use Code as C;
    match code {
        C::NotUtf8 | C::NulByte => &[],
        C::FileTooLarge => &[p!("size"), p!("limit")],
        C::LineTooLong | C::StringTooLong => &[p!("len"), p!("limit")],
        C::TooDeep | C::TooManyStatements => &[p!("limit")],
        C::Unexpected => &[p!("expected", Or), p!("found"), o!("hint")],
        C::MissingBy => &[p!("accepted")],
        C::NothingToContinue => &[p!("after")],
        C::BadTime => &[
            p!("text"),
            p!("why"),
            o!("detail"),
            o!("min_year"),
            o!("max_year"),
        ],
        C::TimePrecision | C::BadEscape | C::BadOffset | C::DateWithoutTimezone => &[p!("text")],
        C::NumberTooLarge => &[p!("text"), p!("limit")],
        C::BadCount => &[p!("count")],
        C::UnknownOrg | C::UnknownInvite => &[p!("name"), p!("hint"), o!("close")],
        C::UnknownPerson | C::UnknownSeal | C::UnknownTemplate => &[
            p!("name"),
            p!("org"),
            p!("hint"),
            o!("close"),
            o!("members", And),
            o!("elsewhere"),
        ],
        C::UnknownRole => &[p!("role"), p!("template"), p!("roles", Quoted)],
        C::UnknownLabel => &[p!("name"), p!("what"), p!("hint"), o!("close")],
        C::UnknownSealKind => &[p!("name"), p!("hint"), o!("close"), o!("kinds", And)],
        C::DuplicateName => &[p!("what"), p!("name"), p!("first")],
        C::TwoSuperAdmins | C::TwoGroups => &[p!("org"), p!("first")],
        C::FromAfterUntil => &[p!("from"), p!("until")],
        C::WrongOrg => &[p!("what"), p!("name"), p!("owner"), p!("expected")],
        C::WrongQualifier => &[
            p!("name"),
            p!("qualifier"),
            p!("what"),
            p!("expected"),
            p!("bare"),
            p!("hint"),
        ],
        C::UnqualifiedName => &[p!("name"), p!("why"), o!("org"), o!("orgs", Comma)],
        C::NotGroupMember => &[p!("org"), p!("main"), p!("hint"), o!("close")],
        C::NotSuperAdmin => &[p!("person"), p!("org"), p!("why"), p!("at"), o!("admin")],
        C::TwoAdminChanges => &[p!("org"), p!("at"), p!("first")],
        C::ConflictingRules => &[
            p!("first"),
            p!("second"),
            p!("signer"),
            p!("template"),
            o!("signatory"),
            p!("first_seal"),
            p!("second_seal"),
            o!("at"),
        ],
        C::AttributeType => &[p!("attr"), p!("declared"), p!("used")],
        C::OrderingNeedsNumber => &[p!("op"), p!("used")],
        C::InviteWithoutLabel | C::MainIsMember => &[p!("org")],
        C::WrongTarget => &[p!("name"), p!("expected"), p!("found")],
        C::VoidGrant => &[
            p!("rule"),
            p!("why"),
            o!("invite"),
            o!("mismatch"),
            o!("closed"),
            o!("by"),
            o!("org"),
            o!("at"),
        ],
        C::NeverApplies => &[
            p!("rule"),
            p!("why"),
            o!("at"),
            o!("until"),
            o!("org"),
            o!("template"),
            o!("seal"),
        ],
        C::NeverSeals => &[p!("rule"), o!("forbid"), o!("forbids", And)],
        C::DuplicateRule => &[p!("first")],
        C::InviteNeverAccepted => &[p!("invite")],
        C::AdminUnchanged => &[p!("person"), p!("org"), p!("at")],
        C::EnablesWithoutBy => &[p!("org"), o!("at"), o!("admin")],
        C::UndeclaredAttribute => &[p!("attr"), p!("hint"), o!("close")],
        C::EmptyList => &[p!("attr"), p!("of")],
        C::RevokedTwice => &[p!("rule")],
    }
}

/// The params of a diagnostic code that tell its cases apart, each with
/// every value it takes (a message or its help has a variant for each).
pub fn diag_cases(code: Code) -> Cases {
    use Code as C;
    const LOOKUP: &[&str] = &["did_you_mean", "check_spelling", "declare"];
    const MEMBER: &[&str] = &[
        "did_you_mean",
        "check_spelling",
        "none_declared",
        "only_one",
        "list",
    ];
    match code {
        C::Unexpected => &[("hint", &["time", "name", "continuation", "keyword"])],
        C::NothingToContinue => &[("after", &["start_of_file", "org_block"])],
        C::BadTime => &[("why", &["not_rfc3339", "no_such_date", "year_out_of_range"])],
        C::UnknownOrg | C::UnknownInvite | C::UndeclaredAttribute => &[("hint", LOOKUP)],
        C::UnknownPerson | C::UnknownSeal | C::UnknownTemplate => &[("hint", MEMBER)],
        C::UnknownSealKind => &[("hint", &["did_you_mean", "check_spelling", "list"])],
        C::NotGroupMember => &[("hint", &["did_you_mean", "check_spelling", "main_only"])],
        C::WrongQualifier => &[(
            "hint",
            &["partner_revoke", "reseal", "known_here", "other_org"],
        )],
        C::UnqualifiedName => &[("why", &["forbid_revoke"])],
        C::NotSuperAdmin => &[("why", &["service", "partner_revoke"])],
        C::WrongTarget => &[
            ("expected", &["rule", "invite", "seal_rule"]),
            (
                "found",
                &[
                    "seal_rule",
                    "employee_rule",
                    "forbid",
                    "invite",
                    "event",
                    "unresolved",
                ],
            ),
        ],
        C::VoidGrant => &[(
            "why",
            &[
                "invite_mismatch",
                "accepted_before_invite",
                "accepted_after_window",
                "not_super_admin",
            ],
        )],
        C::NeverApplies => &[(
            "why",
            &[
                "revoked_before_start",
                "empty_window",
                "service_off",
                "template_disabled",
                "seal_disabled",
                "accepted_late",
            ],
        )],
        C::EmptyList => &[("of", &["grant", "forbid"])],
        C::DuplicateName => &[(
            "what",
            &[
                "org",
                "person",
                "seal",
                "template",
                "group",
                "group_member",
                "signatory",
                "attribute",
                "label",
            ],
        )],
        C::UnknownLabel => &[("hint", LOOKUP), ("what", &["rule", "grant"])],
        _ => &[],
    }
}

/// The params of a code or message that tell its cases apart, each with
/// every value it takes.
pub type Cases = &'static [(&'static str, &'static [&'static str])];

/// A message of the reports' catalog.
#[derive(Debug, Clone, Copy)]
pub struct ReportMessage {
    /// The message's id in the catalog.
    pub id: &'static str,
    /// The params it takes.
    pub params: &'static [ParamSpec],
    /// The values each `why`-like param takes, for its cases.
    pub cases: Cases,
}

/// The messages of the reports, each with its params and cases.
pub const REPORT_MESSAGES: &[ReportMessage] = &[
    ReportMessage {
        id: "template-tooltip",
        params: &[
            p!("template"),
            p!("template_name"),
            p!("why"),
            o!("seal"),
            o!("seal_name"),
            o!("rule"),
            o!("needs", Plain),
            o!("reason"),
        ],
        cases: &[("why", &["usable", "conditional", "manual"])],
    },
    ReportMessage {
        id: "templates-none",
        params: &[p!("org")],
        cases: &[],
    },
];

/// Message `id` of the reports' catalog ([`REPORT_MESSAGES`]) in `lang`,
/// from its params: a line of a report, for a front end that shows one.
pub fn report(lang: Lang, id: &str, params: &Params) -> String {
    format_report(lang, id, params).0
}

/// [`report`], with what Fluent reported while formatting it.
pub(crate) fn format_report(lang: Lang, id: &str, params: &Params) -> (String, Vec<String>) {
    let spec = REPORT_MESSAGES
        .iter()
        .find(|m| m.id == id)
        .map_or(&[][..], |m| m.params);
    let (text, errors) = render(Catalog::Reports, lang, id, None, spec, params);
    (text.unwrap_or_else(|| id.to_owned()), errors)
}

/// What of a diagnostic is rendered: its message, its help (none when it
/// renders empty) or the label under its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The message.
    Message,
    /// The help (none when it renders empty).
    Help,
    /// The label under the span.
    Label,
}

impl Part {
    /// The Fluent attribute of the part (`None`: the message's value).
    fn attribute(self) -> Option<&'static str> {
        match self {
            Part::Message => None,
            Part::Help => Some("help"),
            Part::Label => Some("label"),
        }
    }
}

/// The catalog's files, as the library embeds them: the reasons of a
/// decision.
pub(crate) const CATALOG: [(Lang, &str); 2] = [
    (Lang::En, include_str!("../locales/en/reasons.ftl")),
    (Lang::ZhCn, include_str!("../locales/zh-CN/reasons.ftl")),
];

/// The errors and warnings of a load, and the words of their report.
pub(crate) const DIAGNOSTICS_CATALOG: [(Lang, &str); 2] = [
    (Lang::En, include_str!("../locales/en/diagnostics.ftl")),
    (Lang::ZhCn, include_str!("../locales/zh-CN/diagnostics.ftl")),
];

/// The lines of the reports (`templates`' tooltip).
pub(crate) const REPORTS_CATALOG: [(Lang, &str); 2] = [
    (Lang::En, include_str!("../locales/en/reports.ftl")),
    (Lang::ZhCn, include_str!("../locales/zh-CN/reports.ftl")),
];

/// Which of the catalog's files a message is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Catalog {
    Reasons,
    Diagnostics,
    Reports,
}

struct Bundles {
    reasons: [FluentBundle<FluentResource>; 2],
    diagnostics: [FluentBundle<FluentResource>; 2],
    reports: [FluentBundle<FluentResource>; 2],
}

impl Bundles {
    fn get(&self, catalog: Catalog, lang: Lang) -> &FluentBundle<FluentResource> {
        let set = match catalog {
            Catalog::Reasons => &self.reasons,
            Catalog::Diagnostics => &self.diagnostics,
            Catalog::Reports => &self.reports,
        };
        let [en, zh_cn] = set;
        match lang {
            Lang::En => en,
            Lang::ZhCn => zh_cn,
        }
    }
}

/// Built on first use: parsing the catalog is not a decision's business.
fn bundles() -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| Bundles {
        reasons: [bundle(&CATALOG, Lang::En), bundle(&CATALOG, Lang::ZhCn)],
        diagnostics: [
            bundle(&DIAGNOSTICS_CATALOG, Lang::En),
            bundle(&DIAGNOSTICS_CATALOG, Lang::ZhCn),
        ],
        reports: [
            bundle(&REPORTS_CATALOG, Lang::En),
            bundle(&REPORTS_CATALOG, Lang::ZhCn),
        ],
    })
}

fn bundle(files: &[(Lang, &str)], lang: Lang) -> FluentBundle<FluentResource> {
    let text = files
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

/// How many names a [`ListStyle::And`] list shows before "and N more".
const LIST_SHOWN: usize = 8;

/// A list param as a message shows it, in `lang` (see [`ListStyle`]).
/// `errors` gets what Fluent reports about an `expected-KIND` message.
fn list_text(lang: Lang, style: ListStyle, items: &[String], errors: &mut Vec<String>) -> String {
    let zh = lang == Lang::ZhCn;
    let sep = if zh { "、" } else { ", " };
    let ticked = |x: &String| format!("`{x}`");
    match style {
        ListStyle::Comma => items.iter().map(ticked).collect::<Vec<_>>().join(sep),
        ListStyle::Plain => items.join(sep),
        ListStyle::Quoted => items
            .iter()
            .map(|x| {
                if zh {
                    format!("“{x}”")
                } else {
                    format!("\"{x}\"")
                }
            })
            .collect::<Vec<_>>()
            .join(sep),
        ListStyle::And => {
            let shown: Vec<String> = items.iter().take(LIST_SHOWN).map(ticked).collect();
            let more = items.len().saturating_sub(LIST_SHOWN);
            match (shown.as_slice(), more, zh) {
                ([], ..) => String::new(),
                ([one], 0, _) => one.clone(),
                ([init @ .., last], 0, false) => format!("{} and {last}", init.join(sep)),
                ([init @ .., last], 0, true) => format!("{} 和 {last}", init.join(sep)),
                (all, more, false) => format!("{} and {more} more", all.join(sep)),
                (all, more, true) => format!("{} 等，另有 {more} 个", all.join(sep)),
            }
        }
        ListStyle::Or => {
            let shown: Vec<String> = items
                .iter()
                .map(|x| {
                    if x.starts_with('`') {
                        x.clone()
                    } else {
                        let id = format!("expected-{x}");
                        match pattern(Catalog::Diagnostics, lang, &id, None, None) {
                            Some((text, found)) => {
                                errors.extend(found);
                                text
                            }
                            None => {
                                errors.push(format!("no message `{id}` in `{lang}`"));
                                x.clone()
                            }
                        }
                    }
                })
                .collect();
            match (shown.as_slice(), zh) {
                ([], _) => String::new(),
                ([one], _) => one.clone(),
                ([init @ .., last], false) => format!("{} or {last}", init.join(sep)),
                ([init @ .., last], true) => format!("{} 或 {last}", init.join(sep)),
            }
        }
    }
}

/// Message `id` of `catalog` (or its `attribute`), formatted in `lang`
/// with `args`, with what Fluent reported; `None` when the language has
/// no such message or attribute.
fn pattern(
    catalog: Catalog,
    lang: Lang,
    id: &str,
    attribute: Option<&str>,
    args: Option<&FluentArgs<'_>>,
) -> Option<(String, Vec<String>)> {
    let b = bundles().get(catalog, lang);
    let m = b.get_message(id)?;
    let p = match attribute {
        None => m.value()?,
        Some(a) => m.get_attribute(a)?.value(),
    };
    let mut found = Vec::new();
    let text = b.format_pattern(p, args, &mut found);
    Some((
        text.into_owned(),
        found.iter().map(|e| e.to_string()).collect(),
    ))
}

/// The Fluent arguments of a code's params: exactly the keys `spec`
/// declares (an absent one as no value), lists joined as their style
/// says in `lang`.
fn args<'a>(
    lang: Lang,
    spec: &[ParamSpec],
    params: &'a Params,
    errors: &mut Vec<String>,
) -> FluentArgs<'a> {
    let mut args = FluentArgs::with_capacity(spec.len());
    for s in spec {
        let v = match (params.value(s.key), s.list) {
            (None, _) => FluentValue::None,
            (Some(ParamValue::Text(t)), _) => FluentValue::from(t.as_str()),
            (Some(ParamValue::List(l)), Some(style)) => {
                FluentValue::from(list_text(lang, style, l, errors))
            }
            (Some(ParamValue::List(l)), None) => FluentValue::from(l.join(", ")),
        };
        args.set(s.key, v);
    }
    args
}

/// Message `id` (or its `attribute`) in `lang` from `params` declared by
/// `spec`: falls back to English, then to `id`, with what Fluent reported
/// (a parameter the message uses and the code does not carry, a message
/// missing from the catalog).
fn render(
    catalog: Catalog,
    lang: Lang,
    id: &str,
    attribute: Option<&str>,
    spec: &[ParamSpec],
    params: &Params,
) -> (Option<String>, Vec<String>) {
    let mut errors = Vec::new();
    for l in [lang, Lang::En] {
        let args = args(l, spec, params, &mut errors);
        if let Some((text, found)) = pattern(catalog, l, id, attribute, Some(&args)) {
            errors.extend(found);
            return (Some(text), errors);
        }
        let what = attribute.map_or_else(|| id.to_owned(), |a| format!("{id}.{a}"));
        errors.push(format!("no message `{what}` in `{l}`"));
    }
    (None, errors)
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
    let (text, errors) = render(Catalog::Reasons, lang, code.as_str(), None, spec, params);
    (text.unwrap_or_else(|| code.as_str().to_owned()), errors)
}

/// The catalog's message id of a diagnostic code: the code with `-` for
/// `::` (`syntax-bad_time`).
pub(crate) fn diag_message_id(code: Code) -> String {
    code.as_str().replace("::", "-")
}

/// A part of a diagnostic in `lang`, from its code and params: the
/// message, the help (`None` when it has none, or it renders empty) or
/// the label.
pub(crate) fn diag_text(lang: Lang, code: Code, part: Part, params: &Params) -> Option<String> {
    format_diag(lang, code, part, params).0
}

/// [`diag_text`], with what Fluent reported while formatting it. A
/// missing message falls back to English, then to the code.
#[doc(hidden)]
pub fn format_diag(
    lang: Lang,
    code: Code,
    part: Part,
    params: &Params,
) -> (Option<String>, Vec<String>) {
    let id = diag_message_id(code);
    // A code has a help when its English message has one (the tests hold
    // the other language to the same).
    let en = bundles().get(Catalog::Diagnostics, Lang::En);
    let has_help = en
        .get_message(&id)
        .is_some_and(|m| m.get_attribute("help").is_some());
    if part == Part::Help && !has_help {
        return (None, Vec::new());
    }
    let (text, errors) = render(
        Catalog::Diagnostics,
        lang,
        &id,
        part.attribute(),
        diag_params(code),
        params,
    );
    let text = match (text, part) {
        (None, Part::Message) => Some(code.as_str().to_owned()),
        (None, Part::Help) => None,
        (None, Part::Label) => Some(String::new()),
        (Some(t), Part::Help) if t.trim().is_empty() => None,
        (Some(t), _) => Some(t),
    };
    (text, errors)
}

/// A line of a load's report in `lang` (`report-summary`, ...) from
/// numbers (counts).
pub(crate) fn report_text(lang: Lang, id: &str, numbers: &[(&'static str, usize)]) -> String {
    let mut args = FluentArgs::with_capacity(numbers.len());
    for (k, n) in numbers {
        args.set(*k, FluentValue::from(*n));
    }
    [lang, Lang::En]
        .into_iter()
        .find_map(|l| pattern(Catalog::Diagnostics, l, id, None, Some(&args)))
        .map_or_else(|| id.to_owned(), |(t, _)| t)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use fluent_syntax::ast;

    /// Every variable, function and reference a pattern uses, and the keys
    /// of its selects on each variable.
    #[derive(Default, Debug)]
    struct Uses {
        variables: Vec<String>,
        functions: Vec<String>,
        references: Vec<String>,
        selects: std::collections::BTreeMap<String, Vec<String>>,
        attributes: Vec<String>,
    }

    impl Uses {
        fn keys(&self, var: &str) -> &[String] {
            self.selects.get(var).map_or(&[], |k| k.as_slice())
        }
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
                let var = match selector {
                    ast::InlineExpression::VariableReference { id } => Some(id.name.to_owned()),
                    _ => None,
                };
                for v in variants {
                    if let (Some(var), ast::VariantKey::Identifier { name }) = (&var, &v.key) {
                        u.selects
                            .entry(var.clone())
                            .or_default()
                            .push(name.to_string());
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

    /// Each language's messages of a catalog, by id, with what they use.
    fn catalog(files: &[(Lang, &str)], lang: Lang) -> Vec<(String, Uses)> {
        let text = files.iter().find(|(l, _)| *l == lang).unwrap().1;
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
                        u.attributes.push(a.id.name.to_owned());
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

    /// What is wrong with a message's uses, given the params its code
    /// carries and the values of its cases (`why`, `hint`, ...).
    fn use_problems(
        what: &str,
        u: &Uses,
        spec: &[ParamSpec],
        cases: &[(&str, &[&str])],
    ) -> Vec<String> {
        let mut problems = Vec::new();
        for v in &u.variables {
            if !spec.iter().any(|s| s.key == v) {
                problems.push(format!("{what} uses `${v}`, which it does not carry"));
            }
        }
        for f in &u.functions {
            if f != "KIND" && f != "TIME" {
                problems.push(format!("{what} calls `{f}`"));
            }
        }
        for r in &u.references {
            problems.push(format!("{what} refers to `{r}`"));
        }
        for (key, values) in cases {
            for v in *values {
                if !u.keys(key).iter().any(|k| k == v) {
                    problems.push(format!("{what} has no variant for {key} `{v}`"));
                }
            }
            // An optional case's absence takes the default `other`.
            let optional = spec.iter().any(|s| s.key == *key && !s.always);
            for k in u.keys(key) {
                if !(values.contains(&k.as_str()) || optional && k == "other") {
                    problems.push(format!("{what} has a variant for unknown {key} `{k}`"));
                }
            }
        }
        problems
    }

    /// Each language has a message for every reason code and no other; a
    /// message uses only the params its code carries, the catalog's two
    /// functions and no other message; a code with cases has a variant
    /// for each.
    #[test]
    fn every_code_has_a_message_using_only_its_params() {
        let mut problems = Vec::new();
        for lang in Lang::ALL {
            let messages = catalog(&CATALOG, lang);
            for code in ReasonCode::ALL {
                let Some((_, u)) = messages.iter().find(|(id, _)| id == code.as_str()) else {
                    problems.push(format!("{lang}: no message for `{code}`"));
                    continue;
                };
                let what = format!("{lang}: `{code}`");
                let cases = [("why", reason_whys(code))];
                problems.extend(use_problems(&what, u, reason_params(code), &cases));
                if !u.attributes.is_empty() {
                    problems.push(format!("{what} has attributes"));
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

    /// A value for each case key.
    type Combo<'c> = Vec<(&'c str, &'c str)>;

    /// The params to format a message with: in every combination of the
    /// values of its `cases` (a key with no values is left out), once with
    /// every param of `spec` and once with only those it always carries.
    /// A param takes its value from the combination, else two items if it
    /// is a list (`` `a` `` or a name, for an `Or` list), else `sample` of
    /// its key. Each comes with its combination and whether it has every
    /// param.
    fn every_case<'c>(
        spec: &[ParamSpec],
        cases: &[(&'c str, &'c [&'c str])],
        sample: impl Fn(&str) -> &'static str,
    ) -> Vec<(Combo<'c>, bool, Params)> {
        let mut combos: Vec<Combo<'c>> = vec![Vec::new()];
        for (key, values) in cases.iter().filter(|(_, v)| !v.is_empty()) {
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push((*key, *v));
                        c
                    })
                })
                .collect();
        }
        let mut out = Vec::new();
        for combo in combos {
            for all in [true, false] {
                let mut params = Params::default();
                for s in spec.iter().filter(|s| all || s.always) {
                    match (combo.iter().find(|(k, _)| *k == s.key), s.list) {
                        (Some((_, v)), _) => params.set(s.key, *v),
                        (None, Some(ListStyle::Or)) => params.set_list(s.key, ["`a`", "name"]),
                        (None, Some(_)) => params.set_list(s.key, ["a", "b"]),
                        (None, None) => params.set(s.key, sample(s.key)),
                    }
                }
                out.push((combo.clone(), all, params));
            }
        }
        out
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
            let cases = [("why", reason_whys(code))];
            for (combo, all, params) in every_case(reason_params(code), &cases, sample) {
                for lang in Lang::ALL {
                    let (text, errors) = format(lang, code, &params);
                    if !errors.is_empty() || text.contains('{') || text.trim().is_empty() {
                        problems.push(format!(
                            "{lang} `{code}` {combo:?} (all: {all}): `{text}` {errors:?}"
                        ));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Each language has a message for every diagnostic code, with a
    /// label, using only the params its code carries and a variant for
    /// each value of its cases; a message for every kind of token a syntax
    /// error may expect, and the report's words; and no other message.
    #[test]
    fn every_diagnostic_code_has_a_message_using_only_its_params() {
        use crate::syntax::ExpectedKind;
        let mut problems = Vec::new();
        for lang in Lang::ALL {
            let messages = catalog(&DIAGNOSTICS_CATALOG, lang);
            let mut known: Vec<String> = Vec::new();
            for code in Code::ALL {
                let id = diag_message_id(*code);
                let what = format!("{lang}: `{code}`");
                known.push(id.clone());
                let Some((_, u)) = messages.iter().find(|(m, _)| *m == id) else {
                    problems.push(format!("{what} has no message `{id}`"));
                    continue;
                };
                problems.extend(use_problems(
                    &what,
                    u,
                    diag_params(*code),
                    diag_cases(*code),
                ));
                if !u.attributes.iter().any(|a| a == "label") {
                    problems.push(format!("{what} has no `.label`"));
                }
                for a in &u.attributes {
                    if a != "label" && a != "help" {
                        problems.push(format!("{what} has attribute `.{a}`"));
                    }
                }
                let en = catalog(&DIAGNOSTICS_CATALOG, Lang::En);
                let en_help = en
                    .iter()
                    .any(|(m, e)| *m == id && e.attributes.iter().any(|a| a == "help"));
                if en_help != u.attributes.iter().any(|a| a == "help") {
                    problems.push(format!(
                        "{what} has a `.help` where `en` has none, or none where it has one"
                    ));
                }
            }
            for k in ExpectedKind::ALL {
                let id = format!("expected-{}", k.as_str());
                match messages.iter().find(|(m, _)| *m == id) {
                    None => problems.push(format!("{lang}: no message `{id}`")),
                    Some((_, u)) => problems.extend(use_problems(&id, u, &[], &[])),
                }
                known.push(id);
            }
            for id in ["report-summary", "report-no-problems"] {
                if !messages.iter().any(|(m, _)| m == id) {
                    problems.push(format!("{lang}: no message `{id}`"));
                }
                known.push(id.to_owned());
            }
            for (id, _) in &messages {
                if !known.contains(id) {
                    problems.push(format!("{lang}: `{id}` is no diagnostic code"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Every diagnostic code, in every combination of its cases, formats
    /// its message, help and label without a report in both languages:
    /// with every param it may carry, and with only those it always
    /// carries; the message and label are never empty.
    #[test]
    fn every_diagnostic_code_formats_in_every_case() {
        let sample = |key: &str| match key {
            "at" | "closed" => "2026-06-01T12:00:00+08:00",
            "from" | "until" => "2026-03-01",
            "declared" | "used" => "number",
            _ => "x",
        };
        let mut problems = Vec::new();
        for code in Code::ALL {
            for (combo, all, params) in every_case(diag_params(*code), diag_cases(*code), sample) {
                for lang in Lang::ALL {
                    for part in [Part::Message, Part::Help, Part::Label] {
                        let (text, errors) = format_diag(lang, *code, part, &params);
                        let t = text.clone().unwrap_or_default();
                        let empty = part != Part::Help && t.trim().is_empty();
                        if !errors.is_empty() || t.contains("{$") || empty {
                            problems.push(format!(
                                "{lang} `{code}` {part:?} {combo:?} (all: {all}): {text:?} {errors:?}"
                            ));
                        }
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// The reports' catalog has each report message in each language and
    /// no other, using only its params, with a variant for each case; and
    /// each formats in every case without a report.
    #[test]
    fn every_report_message_is_in_both_languages() {
        let mut problems = Vec::new();
        for lang in Lang::ALL {
            let messages = catalog(&REPORTS_CATALOG, lang);
            for ReportMessage {
                id,
                params: spec,
                cases,
            } in REPORT_MESSAGES
            {
                let what = format!("{lang}: `{id}`");
                match messages.iter().find(|(m, _)| m == id) {
                    None => problems.push(format!("{what} is missing")),
                    Some((_, u)) => problems.extend(use_problems(&what, u, spec, cases)),
                }
                for (combo, all, params) in every_case(spec, cases, |_| "x") {
                    let (text, errors) = format_report(lang, id, &params);
                    if !errors.is_empty() || text.contains("{$") {
                        problems.push(format!(
                            "{what} {combo:?} (all: {all}): {text:?} {errors:?}"
                        ));
                    }
                }
            }
            for (m, _) in &messages {
                if !REPORT_MESSAGES.iter().any(|r| r.id == m) {
                    problems.push(format!("{lang}: `{m}` is no report message"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Lists read as each language writes them.
    #[test]
    fn lists_read_as_people_write_them() {
        let items = |n: usize| (1..=n).map(|i| format!("n{i}")).collect::<Vec<_>>();
        let mut e = Vec::new();
        let cases = [
            (Lang::En, ListStyle::And, 1, "`n1`"),
            (Lang::En, ListStyle::And, 3, "`n1`, `n2` and `n3`"),
            (
                Lang::En,
                ListStyle::And,
                10,
                "`n1`, `n2`, `n3`, `n4`, `n5`, `n6`, `n7`, `n8` and 2 more",
            ),
            (Lang::ZhCn, ListStyle::And, 3, "`n1`、`n2` 和 `n3`"),
            (
                Lang::ZhCn,
                ListStyle::And,
                9,
                "`n1`、`n2`、`n3`、`n4`、`n5`、`n6`、`n7`、`n8` 等，另有 1 个",
            ),
            (Lang::En, ListStyle::Comma, 2, "`n1`, `n2`"),
            (Lang::ZhCn, ListStyle::Comma, 2, "`n1`、`n2`"),
            (Lang::En, ListStyle::Quoted, 2, "\"n1\", \"n2\""),
            (Lang::ZhCn, ListStyle::Quoted, 2, "“n1”、“n2”"),
        ];
        for (lang, style, n, want) in cases {
            assert_eq!(list_text(lang, style, &items(n), &mut e), want);
        }
        let expected = [String::from("`from`"), String::from("name")];
        assert_eq!(
            list_text(Lang::En, ListStyle::Or, &expected, &mut e),
            "`from` or a name"
        );
        assert_eq!(
            list_text(Lang::ZhCn, ListStyle::Or, &expected, &mut e),
            "`from` 或 名称"
        );
        assert!(e.is_empty(), "{e:?}");
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
