//! What the engine answers: auto-seal with one seal, or manual with reasons.
//!
//! A [`Decision`] holds ids, not words: the seal and rule of an auto-seal,
//! or the [`Reason`] of a manual one with the ids of what it is about
//! (the seal, the rule, the event in force). Ids are valid only in the
//! [`crate::Policy`] that decided; [`crate::Policy::render`] turns a
//! decision into words ([`Rendered`]), and names an id with
//! [`crate::Policy::seal_name`] and the like.

use std::sync::Arc;

use serde::Serialize;

use crate::ast::AttrType;
use crate::model::*;

pub use crate::model::{
    AttrId, EmployeeId, EmployeeRuleId, ForbidId, OrgId, RoleId, SealId, SealRuleId, TemplateId,
};

/// The stable reason codes of a `manual` decision (a public contract: see
/// `docs/language.md`, "How a decision is made").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// An org the request names (the initiator's org, `on_behalf_of`, the
    /// signer, the template's owner) does not exist.
    UnknownOrg,
    /// The initiator is not an employee of its org.
    UnknownEmployee,
    /// The template does not exist.
    UnknownTemplate,
    /// The template belongs to another org than the effective initiating org.
    TemplateOwnerMismatch,
    /// The signer's auto-sign service is off at the instant.
    ServiceNotEnabled,
    /// `on_behalf_of` names an org that is not a member of the group whose
    /// main org is the initiator's org.
    NotGroupMember,
    /// No employee authorization in force lets the initiator start
    /// auto-sign for the template (or for `on_behalf_of`).
    InitiatorNotAuthorized,
    /// The template is disabled at the instant.
    TemplateDisabled,
    /// The signer is the initiating org, and no own auto-sign template rule
    /// for the template is in force.
    TemplateNotAutoSign,
    /// The signer has given the initiating org no partner grant for the template.
    NoPartnerGrant,
    /// The signer's grants for the template are for another signatory.
    SignatoryMismatch,
    /// The grant's `from` is after the instant.
    GrantNotYetValid,
    /// The grant's `until` is before the instant.
    GrantExpired,
    /// The grant was revoked at or before the instant.
    GrantRevoked,
    /// The grant is void (invite mismatch, acceptance outside the window,
    /// or not accepted by the partner's super admin).
    GrantVoid,
    /// The seal the rule uses at the instant is disabled.
    SealDisabled,
    /// The rule's condition is false for the request's attributes.
    ConditionNotMet,
    /// The rule's condition needs an attribute the request lacks (or has with another type).
    AttributeMissing,
    /// A `forbid` in force matches (or its condition cannot be evaluated).
    Forbidden,
    /// Several rules pass and give different seals.
    AmbiguousSeal,
}

impl ReasonCode {
    /// Every code, in the order the specification lists them.
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

    /// The code of a snake_case string, as in JSON.
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
    /// Its `from` is still to come.
    NotYetValid,
    /// Its `until` has passed.
    Expired,
    /// It was revoked.
    Revoked,
}

/// A value the request gave, as a reason keeps it (a string shared, so
/// that handing out a reason copies none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    /// A number, exactly.
    Number(rust_decimal::Decimal),
    /// A string.
    Str(Arc<str>),
    /// A boolean.
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
    /// The value the request gave the comparison's attribute.
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
    OtherTemplate {
        /// That authorization.
        rule: EmployeeRuleId,
    },
    /// The closest authorization is not in force at the instant.
    Lapsed {
        /// That authorization.
        rule: EmployeeRuleId,
        /// How it lapsed.
        lapse: Lapse,
    },
    /// The closest authorization's condition is false.
    ConditionNotMet {
        /// That authorization.
        rule: EmployeeRuleId,
        /// The comparison that decided it (`None` when no one comparison did).
        failed: Option<Failed>,
    },
    /// The closest authorization's condition needs an attribute the
    /// request does not give (or gives with another type).
    AttributeMissing {
        /// That authorization.
        rule: EmployeeRuleId,
        /// The comparison that cannot be evaluated.
        missing: Missing,
    },
}

/// One reason for a `manual` decision: its code (see [`Reason::code`]) and
/// the facts behind it, as ids. (The variants that own a string come
/// first, so that dropping a reason is mostly a range check.) [`crate::Policy::render`]
/// turns it into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// An org the request names does not exist (the name as given).
    UnknownOrg {
        /// The org's name, as the request gave it.
        name: Arc<str>,
    },
    /// The initiator is not a person of its org (the name as given).
    UnknownEmployee {
        /// The initiator's name, as the request gave it.
        name: Arc<str>,
    },
    /// The template does not exist (the name as given).
    UnknownTemplate {
        /// The template's name, as the request gave it.
        name: Arc<str>,
    },
    /// The grant is for another signatory than the one asked.
    SignatoryMismatch {
        /// The closest grant.
        rule: SealRuleId,
        /// The signatory the request asked for.
        asked: Signatory,
    },
    /// The rule's condition is false; `failed` names the comparison that
    /// decided it (`None` when no one comparison did).
    ConditionNotMet {
        /// The rule whose condition is false.
        rule: SealRuleId,
        /// The comparison that decided it.
        failed: Option<Failed>,
    },
    /// The initiator may not start auto-sign for the template on behalf
    /// of the effective initiating org `target`.
    InitiatorNotAuthorized {
        /// The initiator.
        employee: EmployeeId,
        /// The template.
        template: TemplateId,
        /// The effective initiating org.
        target: OrgId,
        /// How the closest authorization missed.
        why: InitiatorMiss,
    },
    /// The template belongs to another org than the effective initiating
    /// org, `expected`.
    TemplateOwnerMismatch {
        /// The template.
        template: TemplateId,
        /// The effective initiating org.
        expected: OrgId,
    },
    /// The signer's auto-sign service is off: `event` is the index in
    /// its service timeline of the event in force, `None` before the
    /// first.
    ServiceNotEnabled {
        /// The signer.
        org: OrgId,
        /// The event in force in the service timeline.
        event: Option<u32>,
    },
    /// `sub`, named by `on_behalf_of`, is not a member of the group whose
    /// main org is the initiator's org `org`.
    NotGroupMember {
        /// The initiator's org.
        org: OrgId,
        /// The org named by `on_behalf_of`.
        sub: OrgId,
    },
    /// The template is disabled since the event `event` of its timeline.
    TemplateDisabled {
        /// The template.
        template: TemplateId,
        /// The event in force in the template's timeline.
        event: u32,
    },
    /// The signer is the initiating org and no own auto-sign template rule
    /// is in force: there is none (`rule` is `None`), or the one that came
    /// closest has lapsed.
    TemplateNotAutoSign {
        /// The signer.
        signer: OrgId,
        /// The template.
        template: TemplateId,
        /// The closest rule and how it lapsed.
        rule: Option<(SealRuleId, Lapse)>,
    },
    /// The signer has given the effective initiating org no grant for
    /// the template.
    NoPartnerGrant {
        /// The signer.
        signer: OrgId,
        /// The template.
        template: TemplateId,
    },
    /// The grant's `from` is after the instant.
    GrantNotYetValid {
        /// The grant.
        rule: SealRuleId,
    },
    /// The grant's `until` is before the instant.
    GrantExpired {
        /// The grant.
        rule: SealRuleId,
    },
    /// The grant was revoked at or before the instant.
    GrantRevoked {
        /// The grant.
        rule: SealRuleId,
    },
    /// The grant is void (accepted through an invite in a way that voids it).
    GrantVoid {
        /// The grant.
        rule: SealRuleId,
    },
    /// The seal in force for the rule is disabled since the event `event`
    /// of its timeline.
    SealDisabled {
        /// The rule.
        rule: SealRuleId,
        /// The seal in force for the rule.
        seal: SealId,
        /// The event in force in the seal's timeline.
        event: u32,
    },
    /// The rule's condition needs an attribute the request does not give,
    /// or gives with another type.
    AttributeMissing {
        /// The rule.
        rule: SealRuleId,
        /// The comparison that cannot be evaluated.
        missing: Missing,
    },
    /// `forbid` stops the auto-seal of `rule` with `seal` (the seal in
    /// force); `missing` when it applies only because its condition cannot
    /// be evaluated.
    Forbidden {
        /// The `forbid`.
        forbid: ForbidId,
        /// The rule it stops.
        rule: SealRuleId,
        /// The seal it stops.
        seal: SealId,
        /// Why its condition could not be evaluated, when that is why it applies.
        missing: Option<Missing>,
    },
    /// Two rules pass with different seals.
    AmbiguousSeal {
        /// The first rule, in policy order.
        first: SealRuleId,
        /// The seal it gives.
        first_seal: SealId,
        /// The second rule.
        second: SealRuleId,
        /// The seal it gives.
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
    /// The signer is the initiating org, sealing through its own auto-sign
    /// template rule.
    OwnTemplate,
    /// The signer is a partner, sealing through its grant.
    PartnerGrant,
    /// The signer is the `on_behalf_of` org (group mode), sealing through
    /// its own auto-sign template rule.
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
    /// Seal automatically.
    AutoSeal {
        /// The seal to use.
        seal: SealId,
        /// The rule that gives it.
        rule: SealRuleId,
        /// How the auto-seal is justified.
        basis: Basis,
    },
    /// The first failing check.
    Manual(Reason),
}

impl Outcome {
    /// Whether it is an auto-seal.
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
///
/// A decision is ids, cheap to make and to keep; words are made only when
/// it is rendered, in the language asked.
///
/// ```
/// use autoseal::{Instant, Lang, Outcome, Policy, Reason, ReasonCode, Request};
///
/// let policy = Policy::from_str(
///     "acme.policy",
///     "org acme \"Acme\" {
///     super_admin zhang \"张三\"
///     employee li \"李四\"
///     template nda \"保密协议\"
/// }
/// ",
/// )
/// .unwrap();
/// let at = Instant::parse("2026-04-01T10:00:00+08:00").unwrap();
/// let decision = policy.decide(&Request::new(at, "acme.nda", "acme.li", "acme"));
///
/// // Acme never enabled the auto-sign service: manual, with the reason.
/// assert!(!decision.is_auto_seal());
/// assert_eq!(decision.code(), Some(ReasonCode::ServiceNotEnabled));
/// assert!(matches!(
///     decision.outcome(),
///     Outcome::Manual(Reason::ServiceNotEnabled { event: None, .. })
/// ));
/// let zh = policy.render_in(&decision, Lang::ZhCn).unwrap();
/// assert_eq!(zh.reasons[0].code, ReasonCode::ServiceNotEnabled);
///
/// // Another policy, even from the same text, refuses it.
/// let other = Policy::from_str("acme.policy", "").unwrap();
/// assert!(other.render(&decision).is_err());
/// ```
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

    /// Whether it is an auto-seal.
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
    /// The decision (its outcome carries the first reason).
    pub decision: Decision,
    /// Every failing check, the deciding one first.
    pub reasons: Vec<Reason>,
}

/// Whether a decision is an auto-seal, as JSON names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Seal automatically.
    AutoSeal,
    /// Seal by hand: a person must act.
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
    /// `auto_seal` or `manual`.
    pub decision: Verdict,
    /// The seal (`ORG.SEAL`), for an auto-seal.
    pub seal: Option<String>,
    /// How the auto-seal is justified.
    pub basis: Option<Basis>,
    /// The rule that gave the seal: its label, else `file:line`.
    pub rule: Option<String>,
    /// Why not, for a manual decision (the first decided; an explanation lists every one).
    pub reasons: Vec<RenderedReason>,
}

/// One reason in words: its code, its message, its parameters (the
/// values the message names, the same in every language) and the source
/// location of the rule or event involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedReason {
    /// The stable code.
    pub code: ReasonCode,
    /// The message in the language asked.
    pub message: String,
    /// The values the message names, under stable keys (the same in every language).
    pub params: crate::i18n::Params,
    /// `file:line:col` of the rule or event involved, if any.
    pub source: Option<String>,
}
