//! What the engine answers: auto-seal with one seal, or manual with reasons.

use std::sync::Arc;

use serde::Serialize;

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

/// The facts behind a reason, as ids; [`crate::Policy::message`] turns
/// them into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// An unknown name, as given.
    Name(Arc<str>),
    /// The template and the org it was expected to belong to.
    Owner {
        template: TemplateId,
        expected: OrgId,
    },
    /// The service event in force (none: never enabled by then).
    Service {
        org: OrgId,
        event: Option<u32>,
    },
    NotMember {
        org: OrgId,
        sub: OrgId,
    },
    Initiator {
        employee: EmployeeId,
        template: TemplateId,
        target: OrgId,
        /// The rule that came closest, and why it did not apply.
        rule: Option<(EmployeeRuleId, InitiatorMiss)>,
    },
    /// The disable event in force.
    Template {
        template: TemplateId,
        event: Option<u32>,
    },
    NoRule {
        signer: OrgId,
        template: TemplateId,
    },
    Role {
        rule: SealRuleId,
        asked: Option<RoleId>,
        asked_text: Option<Arc<str>>,
    },
    Window {
        rule: SealRuleId,
        lapse: Lapse,
    },
    Void {
        rule: SealRuleId,
    },
    Seal {
        rule: SealRuleId,
        seal: SealId,
        event: Option<u32>,
    },
    Condition {
        rule: SealRuleId,
        missing: Option<AttrId>,
    },
    /// The forbid, and the rule and seal (in force) it blocked.
    Forbid {
        forbid: ForbidId,
        rule: SealRuleId,
        seal: SealId,
        /// The attribute the forbid's condition needs and the request does
        /// not give (or mistypes), when that is why it applies.
        missing: Option<AttrId>,
    },
    Ambiguous {
        first: SealRuleId,
        first_seal: SealId,
        second: SealRuleId,
        second_seal: SealId,
    },
}

/// Why an employee authorization did not cover the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitiatorMiss {
    OtherTemplate,
    Window(Lapse),
    Condition { missing: Option<AttrId> },
}

/// One reason for a `manual` decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub code: ReasonCode,
    pub detail: Detail,
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
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::OwnTemplate => "own_template",
            Basis::PartnerGrant => "partner_grant",
            Basis::GroupProxy => "group_proxy",
        }
    }
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    AutoSeal {
        seal: SealId,
        rule: SealRuleId,
        basis: Basis,
    },
    /// The first failing check.
    Manual(Reason),
}

impl Decision {
    pub fn is_auto_seal(&self) -> bool {
        matches!(self, Decision::AutoSeal { .. })
    }

    /// The first reason's code, for a manual decision.
    pub fn code(&self) -> Option<ReasonCode> {
        match self {
            Decision::AutoSeal { .. } => None,
            Decision::Manual(r) => Some(r.code),
        }
    }
}

/// A decision with every failing check, first the one that decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub decision: Decision,
    pub reasons: Vec<Reason>,
}

/// A decision in words, as the CLI and JSON show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    pub decision: &'static str,
    pub seal: Option<String>,
    pub basis: Option<Basis>,
    pub rule: Option<String>,
    pub reasons: Vec<RenderedReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RenderedReason {
    pub code: ReasonCode,
    pub message: String,
    pub source: Option<String>,
}
