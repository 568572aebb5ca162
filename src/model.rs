//! The checked policy set: every name resolved to an id, every time to an
//! instant. Built by [`crate::check`], indexed by [`crate::compile`].

use chrono::FixedOffset;
use rust_decimal::Decimal;
use thin_vec::ThinVec;

use crate::ast::{AttrType, CmpOp, SealKind};
use crate::source::Span;
use crate::time::Instant;

macro_rules! ids {
    ($($(#[$m:meta])* $name:ident;)*) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);
        impl $name {
            /// Its position among the policy's things of its kind.
            pub fn index(self) -> usize { self.0 as usize }
            pub(crate) fn from_index(i: usize) -> Self { $name(u32::try_from(i).unwrap_or(u32::MAX)) }
        }
    )*};
}

ids! {
    /// An org (enterprise).
    OrgId;
    /// A person of an org: employee or super admin.
    EmployeeId;
    /// A seal of an org.
    SealId;
    /// A contract template of an org.
    TemplateId;
    /// A group of orgs.
    GroupId;
    /// A signatory role, interned (`"乙方"`).
    RoleId;
    /// A request attribute name, interned.
    AttrId;
    /// An auto-sign template rule or a partner grant.
    SealRuleId;
    /// An employee authorization (`ORG authorizes PERSON ...`).
    EmployeeRuleId;
    /// A `forbid` rule.
    ForbidId;
    /// A partner invite.
    InviteId;
}

/// A time as written, kept so messages show it the way the policy does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub at: Instant,
    /// The offset it was written in (or the file's timezone for a date).
    pub tz: FixedOffset,
    /// Written as a date: shown as one (for an `until` date, the day
    /// before `at`).
    pub date: bool,
}

impl Stamp {
    pub fn display(&self) -> String {
        if self.date {
            match self.at.to_datetime(self.tz) {
                Some(t) => t.date_naive().to_string(),
                None => self.at.display(self.tz),
            }
        } else {
            self.at.display(self.tz)
        }
    }

    /// For an `until` time: the last day it covers when written as a date.
    pub fn display_until(&self) -> String {
        if self.date {
            match Instant(self.at.0.saturating_sub(1)).to_datetime(self.tz) {
                Some(t) => t.date_naive().to_string(),
                None => self.at.display(self.tz),
            }
        } else {
            self.at.display(self.tz)
        }
    }
}

/// A state change at an instant (service on/off, seal or template
/// enabled/disabled).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Toggle {
    pub stamp: Stamp,
    pub on: bool,
    pub span: Span,
}

/// `ORG changes super admin to PERSON at TIME`: from `stamp`, `to` is the
/// org's super admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminChange {
    pub stamp: Stamp,
    pub to: EmployeeId,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Org {
    pub name: String,
    pub display: String,
    /// The super admin its block names: the one before the first change.
    pub super_admin: Option<EmployeeId>,
    /// Super-admin changes, sorted by time (most orgs have none).
    pub admin_changes: ThinVec<AdminChange>,
    pub group: Option<GroupId>,
    /// Service enable/disable events, sorted by time. (A `ThinVec` is one
    /// word when empty or short-lived in use: most timelines hold one
    /// event or none.)
    pub service: ThinVec<Toggle>,
    pub span: Span,
}

impl Org {
    /// The super admin at `t`: a change takes effect at its instant.
    pub fn super_admin_at(&self, t: Instant) -> Option<EmployeeId> {
        self.admin_change_at(t)
            .map_or(self.super_admin, |c| Some(c.to))
    }

    /// The change that made the super admin at `t` so, if any.
    pub fn admin_change_at(&self, t: Instant) -> Option<&AdminChange> {
        let n = self.admin_changes.partition_point(|c| c.stamp.at <= t);
        n.checked_sub(1).and_then(|i| self.admin_changes.get(i))
    }
}

#[derive(Debug, Clone)]
pub struct Employee {
    pub org: OrgId,
    pub name: String,
    pub display: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Seal {
    pub org: OrgId,
    pub name: String,
    pub display: String,
    pub kind: SealKind,
    /// Disable (`on == false`) and enable events, sorted by time.
    pub toggles: ThinVec<Toggle>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub org: OrgId,
    pub name: String,
    pub display: String,
    /// Empty when the template does not list its signatories.
    pub signatories: Vec<RoleId>,
    pub toggles: ThinVec<Toggle>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub display: String,
    pub main: OrgId,
    pub members: Vec<OrgId>,
    pub span: Span,
}

/// A compiled condition: a flat tree of nodes, the root last.
#[derive(Debug, Clone, PartialEq)]
pub enum CondNode {
    And(Vec<u32>),
    Or(Vec<u32>),
    Not(u32),
    Cmp {
        attr: AttrId,
        op: CmpOp,
        value: Value,
    },
    In {
        attr: AttrId,
        values: Vec<Value>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Children first, the root last. Most conditions are one
    /// comparison, held inline: evaluating one reads no other allocation.
    pub nodes: smallvec::SmallVec<[CondNode; 1]>,
    pub span: Span,
}

/// A request attribute value, or a literal in a condition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// A number, exactly (a decimal of up to 28 digits, never a float).
    Number(Decimal),
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
}

impl Value {
    /// An exact decimal from its text (`"120000"`, `"-99.95"`,
    /// `"1_000_000"`), as a policy or a request writes one; `None` when it
    /// is not a number or has more than 28 digits.
    pub fn number(text: &str) -> Option<Value> {
        let t = text.trim();
        let digits = t.trim_start_matches(['+', '-']);
        let well_formed = !digits.is_empty()
            && digits
                .chars()
                .all(|c| c.is_ascii_digit() || c == '_' || c == '.')
            && digits.starts_with(|c: char| c.is_ascii_digit());
        if !well_formed {
            return None;
        }
        crate::syntax::parse_decimal(t).map(Value::Number)
    }

    /// `number`, `string` or `bool`, as messages name the type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Number(_) => "number",
            Value::Str(_) => "string",
            Value::Bool(_) => "bool",
        }
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(Decimal::from(n))
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Number(Decimal::from(n))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: Option<AttrType>,
    pub doc: Option<String>,
}

/// A revoke event applied to a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    pub stamp: Stamp,
    pub by: Option<EmployeeId>,
    pub span: Span,
}

/// A reseal event: from `stamp`, the rule seals with `seal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reseal {
    pub stamp: Stamp,
    pub seal: SealId,
    pub span: Span,
}

/// When a rule applies: `[from, until)`, then cut short by a revocation
/// (boxed: most rules are never revoked, and a million grants should not
/// each carry room for one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub from: Option<Stamp>,
    pub until: Option<Stamp>,
    pub revoked: Option<Box<Revocation>>,
}

impl Window {
    pub fn start(&self) -> Instant {
        self.from.map_or(Instant::MIN, |s| s.at)
    }
    pub fn end(&self) -> Instant {
        self.until.map_or(Instant::MAX, |s| s.at)
    }
    pub fn revoked_at(&self) -> Instant {
        self.revoked.as_ref().map_or(Instant::MAX, |r| r.stamp.at)
    }
    /// Where it stops being in force: its end, or its revocation if
    /// earlier.
    pub fn stop(&self) -> Instant {
        self.end().min(self.revoked_at())
    }
    /// In force at `t`: started, not ended, not revoked.
    pub fn covers(&self, t: Instant) -> bool {
        self.start() <= t && t < self.end() && t < self.revoked_at()
    }
}

/// Why a partner grant is void.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Void {
    /// The grant does not match its invite.
    InviteMismatch {
        /// What differs: `inviting org`, `template` or `signatory role`.
        what: &'static str,
        /// The invite.
        invite: String,
    },
    /// Accepted before the invite was sent.
    AcceptedBeforeInvite {
        /// The invite.
        invite: String,
    },
    /// Accepted after the invite's window closed.
    AcceptedAfterWindow {
        /// The invite.
        invite: String,
        /// When the window closed.
        closed: String,
    },
    /// Accepted by someone who was not the partner's super admin at that instant.
    NotSuperAdmin {
        /// Who accepted it.
        person: String,
        /// The partner org.
        org: String,
        /// When it was accepted, as written.
        at: String,
    },
}

impl Void {
    /// The params every report of a void grant carries: `why`, the
    /// `invite` when there is one, and what does not match it.
    pub(crate) fn why_params(&self, p: &mut crate::i18n::Params) {
        match self {
            Void::InviteMismatch { what, invite } => {
                p.set("why", "invite_mismatch");
                p.set("invite", invite.as_str());
                p.set(
                    "mismatch",
                    match *what {
                        "inviting org" => "inviting_org",
                        "signatory role" => "signatory",
                        other => other,
                    },
                );
            }
            Void::AcceptedBeforeInvite { invite } => {
                p.set("why", "accepted_before_invite");
                p.set("invite", invite.as_str());
            }
            Void::AcceptedAfterWindow { invite, .. } => {
                p.set("why", "accepted_after_window");
                p.set("invite", invite.as_str());
            }
            Void::NotSuperAdmin { .. } => p.set("why", "not_super_admin"),
        }
    }
}

impl std::fmt::Display for Void {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Void::InviteMismatch { what, invite } => {
                write!(f, "its {what} does not match invite `{invite}`")
            }
            Void::AcceptedBeforeInvite { invite } => {
                write!(f, "it was accepted before invite `{invite}` was sent")
            }
            Void::AcceptedAfterWindow { invite, closed } => {
                write!(
                    f,
                    "it was accepted after invite `{invite}` closed at {closed}"
                )
            }
            Void::NotSuperAdmin { person, org, at } => {
                write!(
                    f,
                    "it was accepted by `{person}`, who was not the super admin of `{org}` at {at}"
                )
            }
        }
    }
}

/// Where a rule's seal comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealRuleKind {
    /// `ORG auto-signs template T with seal S`: signer is the template's org.
    Own,
    /// `partner P authorizes ORG template T as signatory R with seal S`.
    Partner { role: RoleId, via: Option<InviteId> },
}

/// An auto-sign template rule or a partner grant: gives `signer` a seal for
/// `template`.
#[derive(Debug, Clone)]
pub struct SealRule {
    pub label: Option<Box<str>>,
    pub kind: SealRuleKind,
    pub signer: OrgId,
    pub template: TemplateId,
    pub seal: SealId,
    /// Sorted by time; one word when empty, as it nearly always is.
    pub reseals: ThinVec<Reseal>,
    pub window: Window,
    // Boxed, like the revocation: rare, and big when present.
    pub cond: Option<Box<Condition>>,
    pub void: Option<Box<Void>>,
    pub span: Span,
}

impl SealRule {
    /// The seal in force at `t`.
    pub fn seal_at(&self, t: Instant) -> SealId {
        seal_in_force(self.seal, &self.reseals, t)
    }
}

/// The seal in force at `t` of a rule written with `first` and resealed
/// by `reseals` (sorted by time).
pub(crate) fn seal_in_force(first: SealId, reseals: &[Reseal], t: Instant) -> SealId {
    let n = reseals.partition_point(|r| r.stamp.at <= t);
    match n.checked_sub(1).and_then(|i| reseals.get(i)) {
        Some(r) => r.seal,
        None => first,
    }
}

/// `employee ORG.E may initiate auto-sign [for template] [on behalf of]`.
#[derive(Debug, Clone)]
pub struct EmployeeRule {
    pub label: Option<String>,
    pub employee: EmployeeId,
    /// The org it may initiate for: its own, or the `on behalf of` member.
    pub target: OrgId,
    pub on_behalf: bool,
    pub template: Option<TemplateId>,
    pub window: Window,
    pub cond: Option<Condition>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Forbid {
    pub label: Option<String>,
    pub signer: Option<OrgId>,
    pub template: Option<TemplateId>,
    pub kind: Option<SealKind>,
    pub window: Window,
    pub cond: Option<Condition>,
    pub span: Span,
}

impl Forbid {
    /// Whether its scope takes in an auto-seal by `signer` of `template`
    /// (a scope it leaves out is any), whatever the seal.
    pub fn scope_covers(&self, signer: OrgId, template: TemplateId) -> bool {
        self.signer.is_none_or(|o| o == signer) && self.template.is_none_or(|t| t == template)
    }

    /// [`Forbid::scope_covers`], with a seal of `kind`.
    pub fn scope_covers_seal(
        &self,
        signer: OrgId,
        template: TemplateId,
        kind: Option<SealKind>,
    ) -> bool {
        self.scope_covers(signer, template) && self.kind.is_none_or(|k| Some(k) == kind)
    }
}

#[derive(Debug, Clone)]
pub struct Invite {
    pub label: String,
    pub org: OrgId,
    pub template: TemplateId,
    pub role: RoleId,
    pub opens: Stamp,
    pub closes: Stamp,
    pub span: Span,
}

/// The whole checked policy set.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub orgs: Vec<Org>,
    pub employees: Vec<Employee>,
    pub seals: Vec<Seal>,
    pub templates: Vec<Template>,
    pub groups: Vec<Group>,
    pub roles: Vec<String>,
    pub attributes: Vec<Attribute>,
    /// Empty in a compiled [`crate::Policy`]'s model: compiling moves the
    /// rules into a compact form; read them with
    /// [`crate::Policy::seal_rule`] and [`crate::Policy::seal_rules`].
    pub seal_rules: Vec<SealRule>,
    pub employee_rules: Vec<EmployeeRule>,
    pub forbids: Vec<Forbid>,
    pub invites: Vec<Invite>,
}

impl Model {
    pub fn org(&self, id: OrgId) -> Option<&Org> {
        self.orgs.get(id.index())
    }
    pub fn employee(&self, id: EmployeeId) -> Option<&Employee> {
        self.employees.get(id.index())
    }
    pub fn seal(&self, id: SealId) -> Option<&Seal> {
        self.seals.get(id.index())
    }
    pub fn template(&self, id: TemplateId) -> Option<&Template> {
        self.templates.get(id.index())
    }
    pub fn org_name(&self, id: OrgId) -> &str {
        self.org(id).map_or("?", |o| o.name.as_str())
    }
    /// `org.person`.
    pub fn employee_name(&self, id: EmployeeId) -> String {
        match self.employee(id) {
            Some(e) => format!("{}.{}", self.org_name(e.org), e.name),
            None => String::from("?"),
        }
    }
    /// `org.seal`.
    pub fn seal_name(&self, id: SealId) -> String {
        match self.seal(id) {
            Some(s) => format!("{}.{}", self.org_name(s.org), s.name),
            None => String::from("?"),
        }
    }
    /// `org.template`.
    pub fn template_name(&self, id: TemplateId) -> String {
        match self.template(id) {
            Some(t) => format!("{}.{}", self.org_name(t.org), t.name),
            None => String::from("?"),
        }
    }
    pub fn role_name(&self, id: RoleId) -> &str {
        self.roles.get(id.index()).map_or("?", String::as_str)
    }
    pub fn attr_name(&self, id: AttrId) -> &str {
        self.attributes
            .get(id.index())
            .map_or("?", |a| a.name.as_str())
    }
}

/// Whether a toggle timeline is on at `t`, starting from `initial`, and the
/// index of the event in force (none before the first).
pub fn state_at(toggles: &[Toggle], initial: bool, t: Instant) -> (bool, Option<u32>) {
    let n = toggles.partition_point(|x| x.stamp.at <= t);
    match n
        .checked_sub(1)
        .and_then(|i| toggles.get(i).map(|x| (i, x)))
    {
        Some((i, x)) => (x.on, u32::try_from(i).ok()),
        None => (initial, None),
    }
}
