//! Problems the checker finds: errors stop the load, warnings do not.
//! Each variant has one [`Code`] (its `code()`), which reports show, and
//! its [`Params`] (its `params()`): the values its message names, from
//! which the catalog (`locales/*/diagnostics.ftl`) renders its message,
//! help and label in each language. A variant holds data, never a
//! sentence.

use crate::diag::Code;
use crate::i18n::Params;
use crate::model::Void;
use crate::source::Span;

/// A field a message names under the field's own name: text, a list, or
/// text if there is one.
trait Field {
    fn set_in(&self, p: &mut Params, key: &'static str);
}

impl Field for String {
    fn set_in(&self, p: &mut Params, key: &'static str) {
        p.set(key, self);
    }
}

impl Field for &'static str {
    fn set_in(&self, p: &mut Params, key: &'static str) {
        p.set(key, *self);
    }
}

impl Field for Option<String> {
    fn set_in(&self, p: &mut Params, key: &'static str) {
        p.set_opt(key, self.as_deref());
    }
}

impl Field for Vec<String> {
    fn set_in(&self, p: &mut Params, key: &'static str) {
        p.set_list(key, self.iter().map(String::as_str));
    }
}

/// Sets each field bound in a variant's pattern as the param of its own
/// name: `same_name!(p, org, at)` is `p.set("org", org); p.set("at", at)`.
/// A macro because only one can take a param's key from the field's
/// name; what is not named after a field is set by hand.
macro_rules! same_name {
    ($p:ident, $($field:ident),+ $(,)?) => {{
        $(Field::set_in($field, &mut $p, stringify!($field));)+
    }};
}

/// The result of looking for a declared name close to a misspelt one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Close {
    /// The closest declared name.
    Found(String),
    /// None is close.
    None,
    /// Not looked for (the budget is spent): one may exist.
    Unknown,
}

impl Close {
    /// Its params: `hint` (`did_you_mean`, `check_spelling`, or
    /// `otherwise` when none is close) and `close`.
    fn params(&self, p: &mut Params, otherwise: &'static str) {
        match self {
            Close::Found(c) => {
                p.set("hint", "did_you_mean");
                p.set("close", c);
            }
            Close::Unknown => p.set("hint", "check_spelling"),
            Close::None => p.set("hint", otherwise),
        }
    }
}

/// Why a name written with another org is refused here: what its help
/// says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QualifierHint {
    /// The `by` of a partner grant's revoke: the partner's super admin.
    PartnerRevoke,
    /// The seal of a `reseal`: the rule's org.
    Reseal,
    /// The org has a member of that name: write it bare or with the org.
    KnownHere,
    /// Use a member of the org the statement names.
    OtherOrg,
}

/// Whose act needs the super admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAct {
    /// Enabling or disabling the auto-sign service.
    Service,
    /// Revoking a partner grant (the partner's super admin).
    PartnerRevoke,
}

/// An error in the meaning of a policy set that parses (`docs/language.md`
/// section 9): an unknown or duplicate name, a time out of order, a rule
/// that conflicts with another... The set does not load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// An org no statement declares.
    UnknownOrg {
        /// The name as written.
        name: String,
        /// A declared name close to it, if one is.
        close: Close,
        /// Where.
        span: Span,
    },

    /// A person, seal or template the org does not have: `close`, else
    /// the `members` it has of the kind (and `elsewhere`, another org with
    /// one of that name).
    UnknownPerson {
        /// The name as written.
        name: String,
        /// The org it was looked up in.
        org: String,
        /// A declared name close to it, if one is.
        close: Close,
        /// What the org has of that kind, by name.
        members: Vec<String>,
        /// Another org that has one of that name.
        elsewhere: Option<String>,
        /// Where.
        span: Span,
    },

    /// A seal the org does not have (see `UnknownPerson`).
    UnknownSeal {
        /// The name as written.
        name: String,
        /// The org it was looked up in.
        org: String,
        /// A declared name close to it, if one is.
        close: Close,
        /// What the org has of that kind, by name.
        members: Vec<String>,
        /// Another org that has one of that name.
        elsewhere: Option<String>,
        /// Where.
        span: Span,
    },

    /// A template the org does not have (see `UnknownPerson`).
    UnknownTemplate {
        /// The name as written.
        name: String,
        /// The org it was looked up in.
        org: String,
        /// A declared name close to it, if one is.
        close: Close,
        /// What the org has of that kind, by name.
        members: Vec<String>,
        /// Another org that has one of that name.
        elsewhere: Option<String>,
        /// Where.
        span: Span,
    },

    /// A role not among the template's `roles`.
    UnknownRole {
        /// The role as written.
        role: String,
        /// The template.
        template: String,
        /// The template's roles.
        roles: Vec<String>,
        /// Where.
        span: Span,
    },

    /// An invite no statement declares.
    UnknownInvite {
        /// The name as written.
        name: String,
        /// A declared name close to it, if one is.
        close: Close,
        /// Where.
        span: Span,
    },

    /// A label no statement has; `what` it should name: `rule` or
    /// `grant`.
    UnknownLabel {
        /// The name as written.
        name: String,
        /// What it should name: `rule` or `grant`.
        what: &'static str,
        /// A declared name close to it, if one is.
        close: Close,
        /// Where.
        span: Span,
    },

    /// A kind of seal that does not exist.
    UnknownSealKind {
        /// The name as written.
        name: String,
        /// A declared name close to it, if one is.
        close: Close,
        /// Where.
        span: Span,
    },

    /// `what`: `org`, `person`, `seal`, `template`, `group`,
    /// `group_member`, `signatory`, `attribute` or `label`; `first`
    /// where it was first declared.
    Duplicate {
        /// What kind of name it is.
        what: &'static str,
        /// The name as written.
        name: String,
        /// Where it was first declared (`file:line`).
        first: String,
        /// Where.
        span: Span,
    },

    /// An org with two `super_admin` lines.
    TwoSuperAdmins {
        /// The org.
        org: String,
        /// The first super admin.
        first: String,
        /// Where.
        span: Span,
    },

    /// A plain date with no `timezone` above it in its file.
    DateWithoutTimezone {
        /// The date as written.
        text: String,
        /// Where.
        span: Span,
    },

    /// `from` after `until`.
    FromAfterUntil {
        /// `from`, as written.
        from: String,
        /// `until`, as written.
        until: String,
        /// Where.
        span: Span,
    },

    /// A `what` (`template`) of org `owner` where one of `expected` is
    /// needed.
    WrongOrg {
        /// What it is: `seal` or `template`.
        what: &'static str,
        /// The name as written.
        name: String,
        /// The org it belongs to.
        owner: String,
        /// The org (or orgs) it should belong to.
        expected: String,
        /// Where.
        span: Span,
    },

    /// `name` (`bare` with org `qualifier`) where `what` (`person`,
    /// `seal` or `template`) of org `expected` is expected.
    WrongQualifier {
        /// The name as written (`ORG.NAME`).
        name: String,
        /// The name without its org.
        bare: String,
        /// The org it was qualified with.
        qualifier: String,
        /// What it is: `person`, `seal` or `template`.
        what: &'static str,
        /// The org it must be of.
        expected: String,
        /// What its help says.
        hint: QualifierHint,
        /// Where.
        span: Span,
    },

    /// A bare person name where no org is known (`why`: `forbid_revoke`,
    /// the `by` of a forbid's revoke); `orgs` have a person of the name.
    UnqualifiedName {
        /// The name as written.
        name: String,
        /// Where it is: `forbid_revoke` (the `by` of a forbid's revoke).
        why: &'static str,
        /// The orgs that have a person of that name.
        orgs: Vec<String>,
        /// Where.
        span: Span,
    },

    /// `on behalf of` an org that is not a member of the group.
    NotGroupMember {
        /// The org named by `on behalf of`.
        org: String,
        /// The group's main org.
        main: String,
        /// A declared name close to it, if one is.
        close: Close,
        /// Where.
        span: Span,
    },

    /// `person` did `why` at `at`, when `admin` (if any) was the super
    /// admin of `org`.
    NotSuperAdmin {
        /// The person who acted.
        person: String,
        /// The org whose super admin must act.
        org: String,
        /// The act.
        why: AdminAct,
        /// The instant, as written.
        at: String,
        /// The super admin at that instant, if any.
        admin: Option<String>,
        /// Where.
        span: Span,
    },

    /// Two `changes super admin` of one org at the same instant.
    TwoAdminChanges {
        /// The org.
        org: String,
        /// The instant, as written.
        at: String,
        /// Where the first one is (`file:line`).
        first: String,
        /// Where.
        span: Span,
    },

    /// Two rules give `signer` on `template` (as `signatory`) different
    /// seals from `at` (`None`: from the start).
    ConflictingRules {
        /// The first rule.
        first: String,
        /// The second rule.
        second: String,
        /// The signer.
        signer: String,
        /// The template.
        template: String,
        /// The signatory role, for partner grants.
        signatory: Option<String>,
        /// The seal of the first rule.
        first_seal: String,
        /// The seal of the second rule.
        second_seal: String,
        /// The instant from which they conflict (`None`: from the start).
        at: Option<String>,
        /// Where.
        span: Span,
    },

    /// Types: `number`, `string` or `bool`.
    AttributeType {
        /// The attribute.
        attr: String,
        /// Its declared type.
        declared: &'static str,
        /// The type of the value it is compared with.
        used: &'static str,
        /// Where.
        span: Span,
    },

    /// `<`, `<=`, `>` or `>=` with something other than a number.
    OrderingNeedsNumber {
        /// The operator.
        op: &'static str,
        /// The type of the value: `string` or `bool`.
        used: &'static str,
        /// Where.
        span: Span,
    },

    /// An invite without a label: no grant could name it.
    InviteWithoutLabel {
        /// The inviting org.
        org: String,
        /// Where.
        span: Span,
    },

    /// A label of the wrong kind of statement: `expected` is `rule` (a
    /// revoke's), `invite` (`via invite`) or `seal_rule` (a reseal's);
    /// `found` is `seal_rule`, `employee_rule`, `forbid`, `invite`,
    /// `event` or `unresolved`.
    WrongTarget {
        /// The label.
        name: String,
        /// What it should name.
        expected: &'static str,
        /// What it names.
        found: &'static str,
        /// Where.
        span: Span,
    },

    /// An org in more than one group.
    TwoGroups {
        /// The org.
        org: String,
        /// The first group.
        first: String,
        /// Where.
        span: Span,
    },

    /// A group's main org listed among its members.
    MainIsMember {
        /// The org.
        org: String,
        /// Where.
        span: Span,
    },
}

/// Why a rule can never apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NeverWhy {
    /// Its revoke, at `at`, comes before it starts.
    RevokedBeforeStart {
        /// When the revoke takes effect.
        at: String,
    },
    /// Its window is empty.
    EmptyWindow,
    /// The service of its signer `org` is off throughout.
    ServiceOff {
        /// The signer.
        org: String,
    },
    /// Its template is disabled throughout.
    TemplateDisabled {
        /// The template.
        template: String,
    },
    /// Its seal is disabled throughout.
    SealDisabled {
        /// The seal.
        seal: String,
    },
    /// A grant accepted at `at`, no earlier than its `until`.
    AcceptedLate {
        /// When it was accepted.
        at: String,
        /// Its `until`.
        until: String,
    },
}

/// Something in a policy set that loads but is likely not what was meant
/// (`docs/language.md` section 9): a void grant, a rule that never applies
/// or never seals...
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckWarning {
    /// A partner grant that is void.
    VoidGrant {
        /// The rule: its label, else `file:line`.
        rule: String,
        /// Why it is void.
        void: Void,
        /// Where.
        span: Span,
    },

    /// A rule that can never apply.
    NeverApplies {
        /// The rule: its label, else `file:line`.
        rule: String,
        /// Why.
        why: NeverWhy,
        /// Where.
        span: Span,
    },

    /// Every auto-seal the rule gives is blocked by `forbids`.
    NeverSeals {
        /// The rule: its label, else `file:line`.
        rule: String,
        /// The `forbid`s that block it.
        forbids: Vec<String>,
        /// Where.
        span: Span,
    },

    /// A rule that says the same as an earlier one.
    DuplicateRule {
        /// The earlier rule (`file:line`).
        first: String,
        /// Where.
        span: Span,
    },

    /// An invite no partner grant accepts.
    InviteNeverAccepted {
        /// The invite.
        invite: String,
        /// Where.
        span: Span,
    },

    /// `changes super admin` to the person who already is.
    AdminUnchanged {
        /// The person.
        person: String,
        /// The org.
        org: String,
        /// The instant, as written.
        at: String,
        /// Where.
        span: Span,
    },

    /// `enables` without `by`, at `at` (when it could be read), when
    /// `admin` was the super admin.
    EnablesWithoutBy {
        /// The org.
        org: String,
        /// When, if it could be read.
        at: Option<String>,
        /// The super admin at that instant, if any.
        admin: Option<String>,
        /// Where.
        span: Span,
    },

    /// An attribute used in a condition but not declared (when the set declares some).
    UndeclaredAttribute {
        /// The attribute.
        attr: String,
        /// A declared name close to it, if one is.
        close: Close,
        /// Where.
        span: Span,
    },

    /// `attr in []`, in a forbid's condition or a grant's.
    EmptyList {
        /// The attribute.
        attr: String,
        /// Whether it is in a forbid's condition (else a grant's).
        in_forbid: bool,
        /// Where.
        span: Span,
    },

    /// A rule revoked more than once (the earliest revoke applies).
    RevokedTwice {
        /// The rule: its label, else `file:line`.
        rule: String,
        /// Where.
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

    /// Where it is.
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

    /// The values its message names (see [`crate::i18n::diag_params`]).
    pub fn params(&self) -> Params {
        let mut p = Params::default();
        match self {
            CheckError::UnknownOrg { name, close, .. }
            | CheckError::UnknownInvite { name, close, .. } => {
                same_name!(p, name);
                close.params(&mut p, "declare");
            }
            CheckError::UnknownPerson {
                name,
                org,
                close,
                members,
                elsewhere,
                ..
            }
            | CheckError::UnknownSeal {
                name,
                org,
                close,
                members,
                elsewhere,
                ..
            }
            | CheckError::UnknownTemplate {
                name,
                org,
                close,
                members,
                elsewhere,
                ..
            } => {
                same_name!(p, name, org);
                let otherwise = match members.as_slice() {
                    [] => "none_declared",
                    [_] => "only_one",
                    _ => "list",
                };
                close.params(&mut p, otherwise);
                if *close == Close::None {
                    if !members.is_empty() {
                        same_name!(p, members);
                    }
                    same_name!(p, elsewhere);
                }
            }
            CheckError::UnknownRole {
                role,
                template,
                roles,
                ..
            } => same_name!(p, role, template, roles),
            CheckError::UnknownLabel {
                name, what, close, ..
            } => {
                same_name!(p, name, what);
                close.params(&mut p, "declare");
            }
            CheckError::UnknownSealKind { name, close, .. } => {
                same_name!(p, name);
                close.params(&mut p, "list");
                if *close == Close::None {
                    p.set_list(
                        "kinds",
                        crate::ast::SealKind::ALL.iter().map(|k| k.as_str()),
                    );
                }
            }
            CheckError::Duplicate {
                what, name, first, ..
            } => same_name!(p, what, name, first),
            CheckError::TwoSuperAdmins { org, first, .. }
            | CheckError::TwoGroups { org, first, .. } => same_name!(p, org, first),
            CheckError::DateWithoutTimezone { text, .. } => same_name!(p, text),
            CheckError::FromAfterUntil { from, until, .. } => same_name!(p, from, until),
            CheckError::WrongOrg {
                what,
                name,
                owner,
                expected,
                ..
            } => same_name!(p, what, name, owner, expected),
            CheckError::WrongQualifier {
                name,
                bare,
                qualifier,
                what,
                expected,
                hint,
                ..
            } => {
                same_name!(p, name, qualifier, what, expected, bare);
                p.set(
                    "hint",
                    match hint {
                        QualifierHint::PartnerRevoke => "partner_revoke",
                        QualifierHint::Reseal => "reseal",
                        QualifierHint::KnownHere => "known_here",
                        QualifierHint::OtherOrg => "other_org",
                    },
                );
            }
            CheckError::UnqualifiedName {
                name, why, orgs, ..
            } => {
                same_name!(p, name, why);
                match orgs.as_slice() {
                    [] => {}
                    [one] => p.set("org", one),
                    _ => same_name!(p, orgs),
                }
            }
            CheckError::NotGroupMember {
                org, main, close, ..
            } => {
                same_name!(p, org, main);
                close.params(&mut p, "main_only");
            }
            CheckError::NotSuperAdmin {
                person,
                org,
                why,
                at,
                admin,
                ..
            } => {
                same_name!(p, person, org, at, admin);
                p.set(
                    "why",
                    match why {
                        AdminAct::Service => "service",
                        AdminAct::PartnerRevoke => "partner_revoke",
                    },
                );
            }
            CheckError::TwoAdminChanges { org, at, first, .. } => same_name!(p, org, at, first),
            CheckError::ConflictingRules {
                first,
                second,
                signer,
                template,
                signatory,
                first_seal,
                second_seal,
                at,
                ..
            } => {
                same_name!(p, first, second, signer, template, signatory);
                same_name!(p, first_seal, second_seal, at);
            }
            CheckError::AttributeType {
                attr,
                declared,
                used,
                ..
            } => same_name!(p, attr, declared, used),
            CheckError::OrderingNeedsNumber { op, used, .. } => same_name!(p, op, used),
            CheckError::InviteWithoutLabel { org, .. } | CheckError::MainIsMember { org, .. } => {
                same_name!(p, org)
            }
            CheckError::WrongTarget {
                name,
                expected,
                found,
                ..
            } => same_name!(p, name, expected, found),
        }
        p.ordered(crate::i18n::diag_params(self.code()))
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

    /// Where it is.
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

    /// The values its message names (see [`crate::i18n::diag_params`]).
    pub fn params(&self) -> Params {
        let mut p = Params::default();
        match self {
            CheckWarning::VoidGrant { rule, void, .. } => {
                same_name!(p, rule);
                void.why_params(&mut p);
                match void {
                    Void::AcceptedAfterWindow { closed, .. } => same_name!(p, closed),
                    Void::NotSuperAdmin { person, org, at } => {
                        p.set("by", person);
                        same_name!(p, org, at);
                    }
                    Void::InviteMismatch { .. } | Void::AcceptedBeforeInvite { .. } => {}
                }
            }
            CheckWarning::NeverApplies { rule, why, .. } => {
                same_name!(p, rule);
                match why {
                    NeverWhy::RevokedBeforeStart { at } => {
                        p.set("why", "revoked_before_start");
                        same_name!(p, at);
                    }
                    NeverWhy::EmptyWindow => p.set("why", "empty_window"),
                    NeverWhy::ServiceOff { org } => {
                        p.set("why", "service_off");
                        same_name!(p, org);
                    }
                    NeverWhy::TemplateDisabled { template } => {
                        p.set("why", "template_disabled");
                        same_name!(p, template);
                    }
                    NeverWhy::SealDisabled { seal } => {
                        p.set("why", "seal_disabled");
                        same_name!(p, seal);
                    }
                    NeverWhy::AcceptedLate { at, until } => {
                        p.set("why", "accepted_late");
                        same_name!(p, at, until);
                    }
                }
            }
            CheckWarning::NeverSeals { rule, forbids, .. } => {
                same_name!(p, rule);
                match forbids.as_slice() {
                    [one] => p.set("forbid", one),
                    _ => same_name!(p, forbids),
                }
            }
            CheckWarning::DuplicateRule { first, .. } => same_name!(p, first),
            CheckWarning::InviteNeverAccepted { invite, .. } => same_name!(p, invite),
            CheckWarning::AdminUnchanged {
                person, org, at, ..
            } => same_name!(p, person, org, at),
            CheckWarning::EnablesWithoutBy { org, at, admin, .. } => {
                same_name!(p, org, at, admin)
            }
            CheckWarning::UndeclaredAttribute { attr, close, .. } => {
                same_name!(p, attr);
                close.params(&mut p, "declare");
            }
            CheckWarning::EmptyList {
                attr, in_forbid, ..
            } => {
                same_name!(p, attr);
                p.set("of", if *in_forbid { "forbid" } else { "grant" });
            }
            CheckWarning::RevokedTwice { rule, .. } => same_name!(p, rule),
        }
        p.ordered(crate::i18n::diag_params(self.code()))
    }
}

crate::diag::localized!(CheckError);
crate::diag::localized!(CheckWarning);
