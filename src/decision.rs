//! What the engine answers: auto-seal with one seal, or manual with reasons.

use std::sync::Arc;

use serde::Serialize;

use crate::ast::AttrType;
use crate::model::*;

/// The stable reason codes of a `manual` decision (a public contract: see
/// the spec's "The decision").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    UnknownOrg,
    UnknownEmployee,
    UnknownTemplate,
    TemplateOwnerMismatch,
    ServiceNotEnabled,
    NotGroupMember,
    InitiatorNotAuthorized,
    TemplateDisabled,
    TemplateNotAutoSign,
    NoPartnerGrant,
    SignatoryMismatch,
    GrantNotYetValid,
    GrantExpired,
    GrantRevoked,
    GrantVoid,
    SealDisabled,
    ConditionNotMet,
    AttributeMissing,
    Forbidden,
    AmbiguousSeal,
}

impl ReasonCode {
    pub const ALL: [ReasonCode; 20] = [
        ReasonCode::UnknownOrg,
        ReasonCode::UnknownEmployee,
        ReasonCode::UnknownTemplate,
        ReasonCode::TemplateOwnerMismatch,
        ReasonCode::ServiceNotEnabled,
        ReasonCode::NotGroupMember,
        ReasonCode::InitiatorNotAuthorized,
        ReasonCode::TemplateDisabled,
        ReasonCode::TemplateNotAutoSign,
        ReasonCode::NoPartnerGrant,
        ReasonCode::SignatoryMismatch,
        ReasonCode::GrantNotYetValid,
        ReasonCode::GrantExpired,
        ReasonCode::GrantRevoked,
        ReasonCode::GrantVoid,
        ReasonCode::SealDisabled,
        ReasonCode::ConditionNotMet,
        ReasonCode::AttributeMissing,
        ReasonCode::Forbidden,
        ReasonCode::AmbiguousSeal,
    ];

    /// The snake_case code, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::UnknownOrg => "unknown_org",
            ReasonCode::UnknownEmployee => "unknown_employee",
            ReasonCode::UnknownTemplate => "unknown_template",
            ReasonCode::TemplateOwnerMismatch => "template_owner_mismatch",
            ReasonCode::ServiceNotEnabled => "service_not_enabled",
            ReasonCode::NotGroupMember => "not_group_member",
            ReasonCode::InitiatorNotAuthorized => "initiator_not_authorized",
            ReasonCode::TemplateDisabled => "template_disabled",
            ReasonCode::TemplateNotAutoSign => "template_not_auto_sign",
            ReasonCode::NoPartnerGrant => "no_partner_grant",
            ReasonCode::SignatoryMismatch => "signatory_mismatch",
            ReasonCode::GrantNotYetValid => "grant_not_yet_valid",
            ReasonCode::GrantExpired => "grant_expired",
            ReasonCode::GrantRevoked => "grant_revoked",
            ReasonCode::GrantVoid => "grant_void",
            ReasonCode::SealDisabled => "seal_disabled",
            ReasonCode::ConditionNotMet => "condition_not_met",
            ReasonCode::AttributeMissing => "attribute_missing",
            ReasonCode::Forbidden => "forbidden",
            ReasonCode::AmbiguousSeal => "ambiguous_seal",
        }
    }

    pub fn parse(s: &str) -> Option<ReasonCode> {
        ReasonCode::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a rule in a window check did not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lapse {
    NotYetValid,
    Expired,
    Revoked,
}

/// A value the request gave, as a reason keeps it (a string shared, so
/// that handing out a reason copies none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    Number(rust_decimal::Decimal),
    Str(Arc<str>),
    Bool(bool),
}

impl Given {
    pub(crate) fn of(v: &Value) -> Given {
        match v {
            Value::Number(n) => Given::Number(*n),
            Value::Str(s) => Given::Str(s.as_str().into()),
            Value::Bool(b) => Given::Bool(*b),
        }
    }

    /// The value as text: a number's exact decimal, a string as it is.
    pub fn text(&self) -> String {
        match self {
            Given::Number(n) => n.to_string(),
            Given::Str(s) => s.to_string(),
            Given::Bool(b) => b.to_string(),
        }
    }
}

/// The comparison that decided a false condition: the node of the
/// condition (a comparison or an `in`) and the value the request gave
/// for its attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    /// Index of the comparison in the condition's nodes.
    pub node: u32,
    /// Under an odd number of `not`s: the condition needs the comparison
    /// to be false, and it is true.
    pub negated: bool,
    pub given: Given,
}

/// The comparison a condition cannot be evaluated for: its attribute is
/// missing from the request, or of another type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missing {
    /// Index of the comparison in the condition's nodes.
    pub node: u32,
    /// The type the request gave the attribute; `None` when it gave none.
    pub given: Option<AttrType>,
}

/// The signatory a request asked for, when no grant of the signer for
/// the template is for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signatory {
    /// A role some template or grant names.
    Known(RoleId),
    /// A role named nowhere in the policy set, as the request wrote it.
    Unknown(Arc<str>),
}

/// Why an employee authorization did not let the initiator start
/// auto-sign: none of the initiator's for that org, or how the closest
/// one missed (in increasing closeness: another template, out of its
/// window, its condition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitiatorMiss {
    /// No authorization of the initiator for the org at all.
    NoAuthorization,
    /// The closest authorization is for another template.
    OtherTemplate { rule: EmployeeRuleId },
    /// The closest authorization is not in force at the instant.
    Lapsed { rule: EmployeeRuleId, lapse: Lapse },
    /// The closest authorization's condition is false; `None` when no one
    /// comparison decided it.
    ConditionNotMet {
        rule: EmployeeRuleId,
        failed: Option<Failed>,
    },
    /// The closest authorization's condition needs an attribute the
    /// request does not give (or gives with another type).
    AttributeMissing {
        rule: EmployeeRuleId,
        missing: Missing,
    },
}

/// One reason for a `manual` decision: its code (see [`Reason::code`]) and
/// the facts behind it, as ids. (The variants that own a string come
/// first, so that dropping a reason is mostly a range check.) [`crate::Policy::render_reason`] turns it
/// into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// An org the request names does not exist (the name as given).
    UnknownOrg {
        name: Arc<str>,
    },
    /// The initiator is not a person of its org (the name as given).
    UnknownEmployee {
        name: Arc<str>,
    },
    /// The template does not exist (the name as given).
    UnknownTemplate {
        name: Arc<str>,
    },
    /// The grant is for another signatory than the one asked.
    SignatoryMismatch {
        rule: SealRuleId,
        asked: Signatory,
    },
    /// The rule's condition is false; `failed` names the comparison that
    /// decided it (`None` when no one comparison did).
    ConditionNotMet {
        rule: SealRuleId,
        failed: Option<Failed>,
    },
    /// The initiator may not start auto-sign for the template on behalf
    /// of the effective initiating org `target`.
    InitiatorNotAuthorized {
        employee: EmployeeId,
        template: TemplateId,
        target: OrgId,
        why: InitiatorMiss,
    },
    /// The template belongs to another org than the effective initiating
    /// org, `expected`.
    TemplateOwnerMismatch {
        template: TemplateId,
        expected: OrgId,
    },
    /// The signer's auto-sign service is off: `event` is the index in
    /// its service timeline of the event in force, `None` before the
    /// first.
    ServiceNotEnabled {
        org: OrgId,
        event: Option<u32>,
    },
    /// `sub`, named by `on_behalf_of`, is not a member of the group whose
    /// main org is the initiator's org `org`.
    NotGroupMember {
        org: OrgId,
        sub: OrgId,
    },
    /// The template is disabled since the event `event` of its timeline.
    TemplateDisabled {
        template: TemplateId,
        event: u32,
    },
    /// The signer is the initiating org and no own auto-sign template rule
    /// is in force: there is none (`rule` is `None`), or the one that came
    /// closest has lapsed.
    TemplateNotAutoSign {
        signer: OrgId,
        template: TemplateId,
        rule: Option<(SealRuleId, Lapse)>,
    },
    /// The signer has given the effective initiating org no grant for
    /// the template.
    NoPartnerGrant {
        signer: OrgId,
        template: TemplateId,
    },
    GrantNotYetValid {
        rule: SealRuleId,
    },
    GrantExpired {
        rule: SealRuleId,
    },
    GrantRevoked {
        rule: SealRuleId,
    },
    GrantVoid {
        rule: SealRuleId,
    },
    /// The seal in force for the rule is disabled since the event `event`
    /// of its timeline.
    SealDisabled {
        rule: SealRuleId,
        seal: SealId,
        event: u32,
    },
    /// The rule's condition needs an attribute the request does not give,
    /// or gives with another type.
    AttributeMissing {
        rule: SealRuleId,
        missing: Missing,
    },
    /// `forbid` stops the auto-seal of `rule` with `seal` (the seal in
    /// force); `missing` when it applies only because its condition cannot
    /// be evaluated.
    Forbidden {
        forbid: ForbidId,
        rule: SealRuleId,
        seal: SealId,
        missing: Option<Missing>,
    },
    /// Two rules pass with different seals.
    AmbiguousSeal {
        first: SealRuleId,
        first_seal: SealId,
        second: SealRuleId,
        second_seal: SealId,
    },
}

impl Reason {
    /// The reason's stable code.
    pub fn code(&self) -> ReasonCode {
        match self {
            Reason::UnknownOrg { .. } => ReasonCode::UnknownOrg,
            Reason::UnknownEmployee { .. } => ReasonCode::UnknownEmployee,
            Reason::UnknownTemplate { .. } => ReasonCode::UnknownTemplate,
            Reason::TemplateOwnerMismatch { .. } => ReasonCode::TemplateOwnerMismatch,
            Reason::ServiceNotEnabled { .. } => ReasonCode::ServiceNotEnabled,
            Reason::NotGroupMember { .. } => ReasonCode::NotGroupMember,
            Reason::InitiatorNotAuthorized { .. } => ReasonCode::InitiatorNotAuthorized,
            Reason::TemplateDisabled { .. } => ReasonCode::TemplateDisabled,
            Reason::TemplateNotAutoSign { .. } => ReasonCode::TemplateNotAutoSign,
            Reason::NoPartnerGrant { .. } => ReasonCode::NoPartnerGrant,
            Reason::SignatoryMismatch { .. } => ReasonCode::SignatoryMismatch,
            Reason::GrantNotYetValid { .. } => ReasonCode::GrantNotYetValid,
            Reason::GrantExpired { .. } => ReasonCode::GrantExpired,
            Reason::GrantRevoked { .. } => ReasonCode::GrantRevoked,
            Reason::GrantVoid { .. } => ReasonCode::GrantVoid,
            Reason::SealDisabled { .. } => ReasonCode::SealDisabled,
            Reason::ConditionNotMet { .. } => ReasonCode::ConditionNotMet,
            Reason::AttributeMissing { .. } => ReasonCode::AttributeMissing,
            Reason::Forbidden { .. } => ReasonCode::Forbidden,
            Reason::AmbiguousSeal { .. } => ReasonCode::AmbiguousSeal,
        }
    }
}

/// How an auto-seal is justified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    OwnTemplate,
    PartnerGrant,
    GroupProxy,
}

impl Basis {
    /// Every basis.
    pub const ALL: [Basis; 3] = [Basis::OwnTemplate, Basis::PartnerGrant, Basis::GroupProxy];

    /// The `snake_case` name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::OwnTemplate => "own_template",
            Basis::PartnerGrant => "partner_grant",
            Basis::GroupProxy => "group_proxy",
        }
    }

    /// The basis of a `snake_case` name.
    pub fn parse(s: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a decision says: auto-seal with one seal, or manual with the first
/// failing check. Its ids are indexes into the [`crate::Policy`] that
/// decided, so a [`Decision`] keeps which one that was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    AutoSeal {
        seal: SealId,
        rule: SealRuleId,
        basis: Basis,
    },
    /// The first failing check.
    Manual(Reason),
}

impl Outcome {
    pub fn is_auto_seal(&self) -> bool {
        matches!(self, Outcome::AutoSeal { .. })
    }

    /// The first reason's code, for a manual decision.
    pub fn code(&self) -> Option<ReasonCode> {
        match self {
            Outcome::AutoSeal { .. } => None,
            Outcome::Manual(r) => Some(r.code()),
        }
    }
}

/// Which compiled policy made a decision: each [`crate::Policy`] gets its
/// own when it is built (unique in the process), so a decision cannot be
/// rendered with another policy, whose ids name other seals and rules
/// (after a reload, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PolicyId(pub(crate) u64);

impl PolicyId {
    /// A new id, never given before in this process.
    pub(crate) fn next() -> PolicyId {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        PolicyId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// The answer to a request, made by one policy: render it with that one
/// ([`crate::Policy::render`]); another policy refuses it
/// ([`ForeignDecision`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub(crate) policy: PolicyId,
    pub(crate) outcome: Outcome,
}

impl Decision {
    /// What it says.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// The policy that made it.
    pub fn policy(&self) -> PolicyId {
        self.policy
    }

    pub fn is_auto_seal(&self) -> bool {
        self.outcome.is_auto_seal()
    }

    /// The first reason's code, for a manual decision.
    pub fn code(&self) -> Option<ReasonCode> {
        self.outcome.code()
    }
}

/// A decision (or a prepared request) was given to a policy other than the
/// one that made it: its ids would name other seals and rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("the decision was made by another policy (a policy set loaded before or after this one): decide again with this one")]
#[diagnostic(code(autoseal::foreign_decision))]
pub struct ForeignDecision;

/// A decision with every failing check, first the one that decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub decision: Decision,
    pub reasons: Vec<Reason>,
}

/// Whether a decision is an auto-seal, as JSON names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    AutoSeal,
    Manual,
}

impl Verdict {
    /// `auto_seal` or `manual`, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::AutoSeal => "auto_seal",
            Verdict::Manual => "manual",
        }
    }

    /// The verdict of `auto_seal` or `manual`.
    pub fn parse(s: &str) -> Option<Verdict> {
        [Verdict::AutoSeal, Verdict::Manual]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decision in words, as the CLI and JSON show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    pub decision: Verdict,
    pub seal: Option<String>,
    pub basis: Option<Basis>,
    pub rule: Option<String>,
    pub reasons: Vec<RenderedReason>,
}

/// One reason in words: its code, its message, its parameters (the
/// values the message names, the same in every language) and the source
/// location of the rule or event involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedReason {
    pub code: ReasonCode,
    pub message: String,
    pub params: crate::i18n::Params,
    pub source: Option<String>,
}
