//! Problems the checker finds: errors stop the load, warnings do not.
//! Each variant has one [`Code`] (its `code()`), which reports show.

use miette::Diagnostic;
use thiserror::Error;

use crate::diag::Code;
use crate::source::Span;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum CheckError {
    #[error("unknown org `{name}`")]
    #[diagnostic(help("{help}"))]
    UnknownOrg {
        name: String,
        help: String,
        #[label("not declared")]
        span: Span,
    },

    #[error("unknown person `{name}` of org `{org}`")]
    #[diagnostic(help("{help}"))]
    UnknownPerson {
        name: String,
        org: String,
        help: String,
        #[label("not a person of `{org}`")]
        span: Span,
    },

    #[error("unknown seal `{name}` of org `{org}`")]
    #[diagnostic(help("{help}"))]
    UnknownSeal {
        name: String,
        org: String,
        help: String,
        #[label("not a seal of `{org}`")]
        span: Span,
    },

    #[error("unknown template `{name}` of org `{org}`")]
    #[diagnostic(help("{help}"))]
    UnknownTemplate {
        name: String,
        org: String,
        help: String,
        #[label("not a template of `{org}`")]
        span: Span,
    },

    #[error("unknown signatory role `{role}` for template `{template}`")]
    #[diagnostic(help("the template's signatories are {roles}"))]
    UnknownRole {
        role: String,
        template: String,
        roles: String,
        #[label("not a signatory of `{template}`")]
        span: Span,
    },

    #[error("unknown invite `{name}`")]
    #[diagnostic(help("{help}"))]
    UnknownInvite {
        name: String,
        help: String,
        #[label("no invite has this label")]
        span: Span,
    },

    #[error("unknown label `{name}`")]
    #[diagnostic(help("{help}"))]
    UnknownLabel {
        name: String,
        help: String,
        #[label("no statement has this label")]
        span: Span,
    },

    #[error("unknown seal kind `{name}`")]
    #[diagnostic(help("{help}"))]
    UnknownSealKind {
        name: String,
        help: String,
        #[label("not a seal kind")]
        span: Span,
    },

    #[error("duplicate {what} `{name}`")]
    #[diagnostic(help("first declared at {first}"))]
    Duplicate {
        what: &'static str,
        name: String,
        first: String,
        #[label("declared again here")]
        span: Span,
    },

    #[error("org `{org}` has more than one super admin")]
    #[diagnostic(help("the first is declared at {first}"))]
    TwoSuperAdmins {
        org: String,
        first: String,
        #[label("second super admin")]
        span: Span,
    },

    #[error("date `{text}` used without a `timezone`")]
    #[diagnostic(
        help("add a line such as `timezone +08:00` above it in this file, or write a full time with an offset")
    )]
    DateWithoutTimezone {
        text: String,
        #[label("which day? no timezone is set in this file")]
        span: Span,
    },

    #[error("`from {from}` is after `until {until}`")]
    FromAfterUntil {
        from: String,
        until: String,
        #[label("this rule would never apply")]
        span: Span,
    },

    #[error("{what} `{name}` belongs to org `{owner}`, not `{expected}`")]
    #[diagnostic(help("{help}"))]
    WrongOrg {
        what: &'static str,
        name: String,
        owner: String,
        expected: String,
        help: String,
        #[label("wrong org")]
        span: Span,
    },

    #[error("`{name}` names org `{qualifier}`, but {what} of org `{expected}` is expected here")]
    #[diagnostic(help("{help}"))]
    WrongQualifier {
        name: String,
        qualifier: String,
        what: &'static str,
        expected: String,
        help: String,
        #[label("not of `{expected}`")]
        span: Span,
    },

    #[error("`{name}` needs its org: {why}")]
    #[diagnostic(help("{help}"))]
    UnqualifiedName {
        name: String,
        why: &'static str,
        help: String,
        #[label("which org?")]
        span: Span,
    },

    #[error("`{org}` is not a member of a group whose main org is `{main}`")]
    #[diagnostic(help("{help}"))]
    NotGroupMember {
        org: String,
        main: String,
        help: String,
        #[label("not a member")]
        span: Span,
    },

    #[error("`{person}` is not the super admin of `{org}`")]
    #[diagnostic(help("{help}"))]
    NotSuperAdmin {
        person: String,
        org: String,
        help: String,
        #[label("not the super admin")]
        span: Span,
    },

    #[error("org `{org}` changes its super admin twice at {at}")]
    #[diagnostic(help(
        "the other change at that instant is at {first}; keep the one that happened"
    ))]
    TwoAdminChanges {
        org: String,
        at: String,
        first: String,
        #[label("second change at the same instant")]
        span: Span,
    },

    #[error("rules `{first}` and `{second}` give {key} different seals (`{first_seal}` and `{second_seal}`) from {at}")]
    #[diagnostic(help(
        "give one of them a `when` condition or a validity that does not overlap, or revoke one"
    ))]
    ConflictingRules {
        first: String,
        second: String,
        key: String,
        first_seal: String,
        second_seal: String,
        at: String,
        #[label("conflicts with `{first}`")]
        span: Span,
    },

    #[error("attribute `{attr}` is declared as {declared} but compared with a {used}")]
    AttributeType {
        attr: String,
        declared: &'static str,
        used: &'static str,
        #[label("a {used}")]
        span: Span,
    },

    #[error("`{op}` compares numbers, not a {used}")]
    #[diagnostic(help("use `==`, `!=` or `in` for strings and booleans"))]
    OrderingNeedsNumber {
        op: &'static str,
        used: &'static str,
        #[label("not a number")]
        span: Span,
    },

    #[error("an invite needs a label")]
    #[diagnostic(help(
        "write `inv_name: {org} invites partners ...`; grants name it with `via invite inv_name`"
    ))]
    InviteWithoutLabel {
        org: String,
        #[label("no label")]
        span: Span,
    },

    #[error("`{name}` is not {expected}")]
    #[diagnostic(help("{help}"))]
    WrongTarget {
        name: String,
        expected: &'static str,
        help: String,
        found: &'static str,
        #[label("names {found}")]
        span: Span,
    },

    #[error("org `{org}` is in more than one group")]
    #[diagnostic(help("it is already in group `{first}`"))]
    TwoGroups {
        org: String,
        first: String,
        #[label("second group")]
        span: Span,
    },

    #[error("org `{org}` is the main org of its group and cannot be its own member")]
    MainIsMember {
        org: String,
        #[label("main org listed as a member")]
        span: Span,
    },
}

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum CheckWarning {
    #[error("grant `{rule}` is void: {reason}")]
    #[diagnostic(
        severity(Warning),
        help("a void grant never auto-seals; decisions that would use it say `grant_void`")
    )]
    VoidGrant {
        rule: String,
        reason: String,
        #[label("void")]
        span: Span,
    },

    #[error("rule `{rule}` can never apply: {reason}")]
    #[diagnostic(severity(Warning))]
    NeverApplies {
        rule: String,
        reason: String,
        #[label("never applies")]
        span: Span,
    },

    #[error("rule `{rule}` can never seal: every auto-seal it gives is blocked by {by}, for its whole window")]
    #[diagnostic(
        severity(Warning),
        help("a `forbid` without a condition overrides every grant; narrow the forbid (scope, validity or `when`) or remove the rule")
    )]
    NeverSeals {
        rule: String,
        by: String,
        #[label("never seals")]
        span: Span,
    },

    #[error("duplicate rule: the same as `{first}`")]
    #[diagnostic(severity(Warning), help("remove one of them"))]
    DuplicateRule {
        first: String,
        #[label("duplicate")]
        span: Span,
    },

    #[error("invite `{invite}` is never accepted")]
    #[diagnostic(
        severity(Warning),
        help("no partner grant names it with `via invite {invite}`")
    )]
    InviteNeverAccepted {
        invite: String,
        #[label("no grant accepts it")]
        span: Span,
    },

    #[error("`{person}` already is the super admin of `{org}` at {at}")]
    #[diagnostic(
        severity(Warning),
        help("this change changes nothing; remove it, or name the new super admin")
    )]
    AdminUnchanged {
        person: String,
        org: String,
        at: String,
        #[label("no change")]
        span: Span,
    },

    #[error("`{org}` enables auto-sign without saying by whom")]
    #[diagnostic(severity(Warning), help("{help}"))]
    EnablesWithoutBy {
        org: String,
        help: String,
        #[label("by whom?")]
        span: Span,
    },

    #[error("attribute `{attr}` is not declared")]
    #[diagnostic(severity(Warning), help("{help}"))]
    UndeclaredAttribute {
        attr: String,
        help: String,
        #[label("not declared")]
        span: Span,
    },

    #[error("`{attr} in []` never holds: the list is empty{consequence}")]
    #[diagnostic(
        severity(Warning),
        help("list the values of `{attr}` it is meant to match")
    )]
    EmptyList {
        attr: String,
        consequence: &'static str,
        #[label("compared with an empty list")]
        span: Span,
    },

    #[error("rule `{rule}` is revoked more than once")]
    #[diagnostic(severity(Warning), help("the earliest revocation applies"))]
    RevokedTwice {
        rule: String,
        #[label("another revocation")]
        span: Span,
    },
}

impl CheckError {
    /// What kind of problem this is.
    pub fn code(&self) -> Code {
        match self {
            CheckError::UnknownOrg { .. } => Code::UnknownOrg,
            CheckError::UnknownPerson { .. } => Code::UnknownPerson,
            CheckError::UnknownSeal { .. } => Code::UnknownSeal,
            CheckError::UnknownTemplate { .. } => Code::UnknownTemplate,
            CheckError::UnknownRole { .. } => Code::UnknownRole,
            CheckError::UnknownInvite { .. } => Code::UnknownInvite,
            CheckError::UnknownLabel { .. } => Code::UnknownLabel,
            CheckError::UnknownSealKind { .. } => Code::UnknownSealKind,
            CheckError::Duplicate { .. } => Code::DuplicateName,
            CheckError::TwoSuperAdmins { .. } => Code::TwoSuperAdmins,
            CheckError::DateWithoutTimezone { .. } => Code::DateWithoutTimezone,
            CheckError::FromAfterUntil { .. } => Code::FromAfterUntil,
            CheckError::WrongOrg { .. } => Code::WrongOrg,
            CheckError::WrongQualifier { .. } => Code::WrongQualifier,
            CheckError::UnqualifiedName { .. } => Code::UnqualifiedName,
            CheckError::NotGroupMember { .. } => Code::NotGroupMember,
            CheckError::NotSuperAdmin { .. } => Code::NotSuperAdmin,
            CheckError::TwoAdminChanges { .. } => Code::TwoAdminChanges,
            CheckError::ConflictingRules { .. } => Code::ConflictingRules,
            CheckError::AttributeType { .. } => Code::AttributeType,
            CheckError::OrderingNeedsNumber { .. } => Code::OrderingNeedsNumber,
            CheckError::InviteWithoutLabel { .. } => Code::InviteWithoutLabel,
            CheckError::WrongTarget { .. } => Code::WrongTarget,
            CheckError::TwoGroups { .. } => Code::TwoGroups,
            CheckError::MainIsMember { .. } => Code::MainIsMember,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            CheckError::UnknownOrg { span, .. }
            | CheckError::UnknownPerson { span, .. }
            | CheckError::UnknownSeal { span, .. }
            | CheckError::UnknownTemplate { span, .. }
            | CheckError::UnknownRole { span, .. }
            | CheckError::UnknownInvite { span, .. }
            | CheckError::UnknownLabel { span, .. }
            | CheckError::UnknownSealKind { span, .. }
            | CheckError::Duplicate { span, .. }
            | CheckError::TwoSuperAdmins { span, .. }
            | CheckError::DateWithoutTimezone { span, .. }
            | CheckError::FromAfterUntil { span, .. }
            | CheckError::WrongOrg { span, .. }
            | CheckError::WrongQualifier { span, .. }
            | CheckError::UnqualifiedName { span, .. }
            | CheckError::NotGroupMember { span, .. }
            | CheckError::NotSuperAdmin { span, .. }
            | CheckError::TwoAdminChanges { span, .. }
            | CheckError::ConflictingRules { span, .. }
            | CheckError::AttributeType { span, .. }
            | CheckError::OrderingNeedsNumber { span, .. }
            | CheckError::InviteWithoutLabel { span, .. }
            | CheckError::WrongTarget { span, .. }
            | CheckError::TwoGroups { span, .. }
            | CheckError::MainIsMember { span, .. } => *span,
        }
    }
}

impl CheckWarning {
    /// What kind of problem this is.
    pub fn code(&self) -> Code {
        match self {
            CheckWarning::VoidGrant { .. } => Code::VoidGrant,
            CheckWarning::NeverApplies { .. } => Code::NeverApplies,
            CheckWarning::NeverSeals { .. } => Code::NeverSeals,
            CheckWarning::DuplicateRule { .. } => Code::DuplicateRule,
            CheckWarning::InviteNeverAccepted { .. } => Code::InviteNeverAccepted,
            CheckWarning::AdminUnchanged { .. } => Code::AdminUnchanged,
            CheckWarning::EnablesWithoutBy { .. } => Code::EnablesWithoutBy,
            CheckWarning::UndeclaredAttribute { .. } => Code::UndeclaredAttribute,
            CheckWarning::EmptyList { .. } => Code::EmptyList,
            CheckWarning::RevokedTwice { .. } => Code::RevokedTwice,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            CheckWarning::VoidGrant { span, .. }
            | CheckWarning::NeverApplies { span, .. }
            | CheckWarning::NeverSeals { span, .. }
            | CheckWarning::DuplicateRule { span, .. }
            | CheckWarning::InviteNeverAccepted { span, .. }
            | CheckWarning::AdminUnchanged { span, .. }
            | CheckWarning::EnablesWithoutBy { span, .. }
            | CheckWarning::UndeclaredAttribute { span, .. }
            | CheckWarning::EmptyList { span, .. }
            | CheckWarning::RevokedTwice { span, .. } => *span,
        }
    }
}
