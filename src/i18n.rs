//! Reasons as data: the parameters each reason code carries, declared
//! once ([`reason_params`]); the renderer, the tests and
//! `docs/language.md` agree on them.

use serde::ser::SerializeMap;
use serde::Serialize;

use crate::decision::ReasonCode;

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
