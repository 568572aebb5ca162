//! The spanned syntax tree of a policy set, as written.
//!
//! Built by [`crate::syntax`], read by the checker and the formatter.
//!
//! Derived `==` and `Hash` on these nodes take their spans into account (two
//! nodes are equal when they say the same thing at the same place). To
//! compare what they say, wherever they were written, say so: [`Meaning`]
//! (a wrapper for `==` and hash map keys) and [`SameMeaning`]. The checker
//! uses it to find duplicate rules, and the formatter's tests to show that
//! formatting keeps meaning.

use std::hash::{Hash, Hasher};
use std::mem::discriminant;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use crate::source::{FileId, Span};

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// `ORG.NAME`: an employee, seal or template of an org.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QName {
    /// The org.
    pub org: Ident,
    /// The person, seal or template of that org.
    pub name: Ident,
    /// Where it was written.
    pub span: Span,
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.org.name, self.name.name)
    }
}

/// A person or seal of an org that the statement already names, written
/// bare (`zhao`) or qualified (`globex.zhao`): both are accepted there, and
/// the formatter writes it as it was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgName {
    /// The org of `ORG.NAME`; `None` for a bare name.
    pub org: Option<Ident>,
    /// The person or seal.
    pub name: Ident,
    /// Where it was written.
    pub span: Span,
}

impl std::fmt::Display for OrgName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.org {
            Some(o) => write!(f, "{}.{}", o.name, self.name.name),
            None => f.write_str(&self.name.name),
        }
    }
}

/// A string literal: its decoded value, and its text as written (escapes
/// kept) for the formatter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Str {
    /// The value, escapes decoded.
    pub value: String,
    /// The text between the quotes, as written.
    pub raw: String,
    /// Where it was written.
    pub span: Span,
}

/// A time as written: an RFC 3339 date-time, or a date read in the file's
/// `timezone` (which the parser records; `None` when the file has none yet).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Time {
    /// The date-time or date written.
    pub value: TimeValue,
    /// The file's `timezone` in force where it was written, if any.
    pub tz: Option<FixedOffset>,
    /// The text as written.
    pub raw: String,
    /// Where it was written.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// What a [`Time`] says: a date-time or a date.
pub enum TimeValue {
    /// An RFC 3339 date-time, with its offset.
    Instant(DateTime<FixedOffset>),
    /// A date, read in the file's `timezone`.
    Date(NaiveDate),
}

/// `from ... until ...`; both ends optional.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Validity {
    /// `from TIME`: when it starts.
    pub from: Option<Time>,
    /// `until TIME` or `until revoked`: when it ends.
    pub until: Option<Until>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
/// Where a validity ends.
pub enum Until {
    /// `until revoked`: no end of its own.
    Revoked(Span),
    /// `until TIME`.
    Time(Time),
}

/// A literal in a condition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Literal {
    /// The exact value and the text as written (with `_` separators).
    Number(Decimal, String, Span),
    /// A string.
    Str(Str),
    /// `true` or `false`.
    Bool(bool, Span),
}

impl Literal {
    /// Where it was written.
    pub fn span(&self) -> Span {
        match self {
            Literal::Number(_, _, s) | Literal::Bool(_, s) => *s,
            Literal::Str(s) => s.span,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// A comparison operator.
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written: `==`, `<=`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A condition over request attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    /// `A or B or ...`
    Or(Vec<Expr>),
    /// `A and B and ...`
    And(Vec<Expr>),
    /// `not A`
    Not(Box<Expr>),
    /// Parentheses as written, kept so the formatter can reproduce them.
    Paren(Box<Expr>),
    /// `ATTR OP VALUE`.
    Cmp {
        /// The attribute.
        attr: Ident,
        /// The operator.
        op: CmpOp,
        /// The value compared with.
        value: Literal,
    },
    /// `ATTR in [VALUE, ...]`.
    In {
        /// The attribute.
        attr: Ident,
        /// The values, in order.
        values: Vec<Literal>,
    },
}

/// `when COND`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Condition {
    /// The condition.
    pub expr: Expr,
    /// Where it was written.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// The kind of a seal (`seal ID "NAME" kind KIND`); without `kind`, `other`.
pub enum SealKind {
    /// `official`: the official seal (公章).
    Official,
    /// `contract`: the contract seal (合同专用章).
    Contract,
    /// `finance`: the finance seal (财务专用章).
    Finance,
    /// `personnel`: the personnel seal (人事专用章).
    Personnel,
    /// `legal_rep`: the legal representative's seal (法定代表人章).
    LegalRep,
    /// `other`: any other seal.
    Other,
}

impl SealKind {
    /// Every kind, in order.
    pub const ALL: [SealKind; 6] = [
        SealKind::Official,
        SealKind::Contract,
        SealKind::Finance,
        SealKind::Personnel,
        SealKind::LegalRep,
        SealKind::Other,
    ];

    /// The kind as written: `official`, `legal_rep`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            SealKind::Official => "official",
            SealKind::Contract => "contract",
            SealKind::Finance => "finance",
            SealKind::Personnel => "personnel",
            SealKind::LegalRep => "legal_rep",
            SealKind::Other => "other",
        }
    }

    /// The kind written `s`, if it is one.
    pub fn parse(s: &str) -> Option<SealKind> {
        SealKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// The type of a declared attribute.
pub enum AttrType {
    /// `number`: an exact decimal.
    Number,
    /// `string`.
    String,
    /// `bool`.
    Bool,
}

impl AttrType {
    /// The type as written: `number`, `string` or `bool`.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::Number => "number",
            AttrType::String => "string",
            AttrType::Bool => "bool",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
/// One line of an org block.
pub enum Member {
    /// `super_admin ID "NAME"`: the org's super admin.
    SuperAdmin {
        /// Its id (the name statements use).
        id: Ident,
        /// The display name.
        name: Str,
    },
    /// `employee ID "NAME"`.
    Employee {
        /// Its id (the name statements use).
        id: Ident,
        /// The display name.
        name: Str,
    },
    /// `seal ID "NAME" [kind KIND]`.
    Seal {
        /// Its id (the name statements use).
        id: Ident,
        /// The display name.
        name: Str,
        /// Its kind, as written.
        kind: Option<Ident>,
    },
    /// `template ID "NAME" [signatories "ROLE", ...]`.
    Template {
        /// Its id (the name statements use).
        id: Ident,
        /// The display name.
        name: Str,
        /// The signatory roles of its contracts.
        signatories: Vec<Str>,
    },
}

impl Member {
    /// The member's id.
    pub fn id(&self) -> &Ident {
        match self {
            Member::SuperAdmin { id, .. }
            | Member::Employee { id, .. }
            | Member::Seal { id, .. }
            | Member::Template { id, .. } => id,
        }
    }
}

/// A member of an org block, with its span (one line).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MemberLine {
    /// The member.
    pub member: Member,
    /// Where it was written.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// The unit of `valid for N days|months`.
pub enum Period {
    /// `days`
    Days,
    /// `months`
    Months,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
/// `valid for N days|months`: how long an invite stays open.
pub struct ValidFor {
    /// How many days or months.
    pub count: u32,
    /// Days or months.
    pub period: Period,
    /// Where it was written.
    pub span: Span,
}

/// `via invite I accepted TIME by PERSON`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Via {
    /// The invite's label.
    pub invite: Ident,
    /// When it was accepted.
    pub accepted: Time,
    /// Who accepted it (a person of the partner).
    pub by: OrgName,
    /// Where it was written.
    pub span: Span,
}

/// `timezone +08:00`: how the dates of the file are read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timezone {
    /// The offset.
    pub offset: FixedOffset,
    /// The offset as written.
    pub raw: String,
}

/// `org ID "NAME" { MEMBERS }`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Org {
    /// Its id (the name statements use).
    pub id: Ident,
    /// The display name.
    pub name: Str,
    /// Its people, seals and templates, in order.
    pub members: Vec<MemberLine>,
}

/// `group ID "NAME" main ORG members ORG, ...`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    /// Its id (the name statements use).
    pub id: Ident,
    /// The display name.
    pub name: Str,
    /// The main org.
    pub main: Ident,
    /// The member orgs.
    pub members: Vec<Ident>,
}

/// `attribute ID: TYPE ["DOC"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attribute {
    /// Its id (the name statements use).
    pub id: Ident,
    /// Its type.
    pub ty: AttrType,
    /// What it means, if written.
    pub doc: Option<Str>,
}

/// `ORG enables|disables auto-sign at TIME [by PERSON]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Service {
    /// The org.
    pub org: Ident,
    /// `enables` (else `disables`).
    pub enable: bool,
    /// When it takes effect.
    pub at: Time,
    /// Who did it (its super admin), if written.
    pub by: Option<OrgName>,
}

/// `ORG changes super admin to PERSON at TIME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SuperAdminChange {
    /// The org.
    pub org: Ident,
    /// The new super admin.
    pub to: OrgName,
    /// When it takes effect.
    pub at: Time,
}

/// `enable|disable seal ORG.SEAL at TIME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SealToggle {
    /// `enable` (else `disable`).
    pub enable: bool,
    /// The seal.
    pub seal: QName,
    /// When it takes effect.
    pub at: Time,
}

/// `enable|disable template ORG.TEMPLATE at TIME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TemplateToggle {
    /// `enable` (else `disable`).
    pub enable: bool,
    /// The template.
    pub template: QName,
    /// When it takes effect.
    pub at: Time,
}

/// `ORG invites partners to authorize template T as signatory "ROLE" at
/// TIME [valid for N days|months]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Invite {
    /// The inviting org.
    pub org: Ident,
    /// Its template.
    pub template: Ident,
    /// The signatory role a partner is invited to sign as.
    pub role: Str,
    /// When it is sent (opens).
    pub at: Time,
    /// How long it stays open, if written.
    pub valid_for: Option<ValidFor>,
}

/// `revoke LABEL at TIME [by PERSON]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Revoke {
    /// The label of the rule revoked.
    pub target: Ident,
    /// When it takes effect.
    pub at: Time,
    /// Who revoked it, if written.
    pub by: Option<OrgName>,
}

/// `reseal LABEL with seal SEAL at TIME`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reseal {
    /// The label of the rule whose seal changes.
    pub target: Ident,
    /// The new seal.
    pub seal: OrgName,
    /// When it takes effect.
    pub at: Time,
}

/// `ORG auto-signs template T with seal S [VALIDITY] [when COND]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnRule {
    /// The org (the signer).
    pub org: Ident,
    /// Its template.
    pub template: Ident,
    /// The seal.
    pub seal: OrgName,
    /// `from` and `until`.
    pub validity: Validity,
    /// The condition, if any.
    pub when: Option<Condition>,
}

/// `employee ORG.PERSON may initiate auto-sign [for template ORG.T] [on
/// behalf of ORG] [VALIDITY] [when COND]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmployeeRule {
    /// The person allowed to initiate auto-sign.
    pub employee: QName,
    /// The one template it is for, if written (else every template).
    pub template: Option<QName>,
    /// The member org it acts for, in group mode.
    pub on_behalf: Option<Ident>,
    /// `from` and `until`.
    pub validity: Validity,
    /// The condition, if any.
    pub when: Option<Condition>,
}

/// `partner P authorizes ORG template T as signatory "ROLE" with seal S
/// [via invite I accepted TIME by PERSON] [VALIDITY] [when COND]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartnerGrant {
    /// The partner (the signer).
    pub partner: Ident,
    /// The org whose template it is (the initiating org).
    pub org: Ident,
    /// The template of `org`.
    pub template: Ident,
    /// The signatory role the partner signs as.
    pub role: Str,
    /// The partner's seal.
    pub seal: OrgName,
    /// The invite it accepts, if any.
    pub via: Option<Box<Via>>,
    /// `from` and `until`.
    pub validity: Validity,
    /// The condition, if any.
    pub when: Option<Condition>,
}

/// `forbid auto-sign [for signer ORG] [for template ORG.T] [with seal kind
/// K] [VALIDITY] [when COND]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Forbid {
    /// The signer it is for, if written (else every signer).
    pub signer: Option<Ident>,
    /// The template it is for, if written (else every template).
    pub template: Option<QName>,
    /// The kind of seal it blocks, if written (else every seal).
    pub kind: Option<Ident>,
    /// `from` and `until`.
    pub validity: Validity,
    /// The condition, if any.
    pub when: Option<Condition>,
}

/// What a statement says: one struct for each kind of statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StmtKind {
    /// `timezone OFFSET`.
    Timezone(Timezone),
    /// `org ...`.
    Org(Org),
    /// `group ...`.
    Group(Group),
    /// `attribute ...`.
    Attribute(Attribute),
    /// `ORG enables|disables auto-sign ...`.
    Service(Service),
    /// `ORG changes super admin ...`.
    SuperAdminChange(SuperAdminChange),
    /// `enable|disable seal ...`.
    SealToggle(SealToggle),
    /// `enable|disable template ...`.
    TemplateToggle(TemplateToggle),
    /// `ORG invites partners ...`.
    Invite(Invite),
    /// `revoke ...`.
    Revoke(Revoke),
    /// `reseal ...`.
    Reseal(Reseal),
    /// `ORG auto-signs template ...`.
    OwnRule(OwnRule),
    /// `employee ... may initiate auto-sign ...`.
    EmployeeRule(EmployeeRule),
    /// `partner ... authorizes ...`.
    PartnerGrant(PartnerGrant),
    /// `forbid auto-sign ...`.
    Forbid(Forbid),
}

impl StmtKind {
    /// Whether this statement is a rule (something `revoke` can name).
    pub fn is_rule(&self) -> bool {
        matches!(
            self,
            StmtKind::OwnRule(_)
                | StmtKind::EmployeeRule(_)
                | StmtKind::PartnerGrant(_)
                | StmtKind::Forbid(_)
        )
    }

    /// Whether this statement is an event (a labelled statement that is
    /// neither a rule nor an invite).
    pub fn is_event(&self) -> bool {
        matches!(
            self,
            StmtKind::Service(_)
                | StmtKind::SuperAdminChange(_)
                | StmtKind::SealToggle(_)
                | StmtKind::TemplateToggle(_)
                | StmtKind::Revoke(_)
                | StmtKind::Reseal(_)
        )
    }
}

/// One statement with its optional label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Stmt {
    /// Its label (`LABEL:`), if any.
    pub label: Option<Ident>,
    /// What it says.
    pub kind: StmtKind,
    /// Where it was written.
    pub span: Span,
}

/// Every statement of one file, in source order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileAst {
    /// The file.
    pub file: FileId,
    /// Its statements.
    pub stmts: Vec<Stmt>,
}

// ------------------------------------------------------------ by meaning

/// What a syntax tree node says, wherever it was written: every field but
/// the spans, compared and hashed exactly as written otherwise (so `1_000`
/// and `1000`, or a date and the date-time it stands for, differ).
pub trait SameMeaning {
    /// Whether `self` and `other` say the same thing.
    fn same_meaning(&self, other: &Self) -> bool;
    /// Hashes what `same_meaning` compares.
    fn hash_meaning<H: Hasher>(&self, state: &mut H);
}

/// A node compared and hashed by meaning ([`SameMeaning`]): spans ignored.
///
/// ```
/// use autoseal::ast::Meaning;
/// use autoseal::source::FileId;
/// use autoseal::syntax::parse_file;
///
/// let p = parse_file(FileId(0), "forbid auto-sign when a == 1\nforbid auto-sign when a == 1\n");
/// let (a, b) = (&p.ast.stmts[0], &p.ast.stmts[1]);
/// assert_ne!(a, b); // written at different places
/// assert_eq!(Meaning(a), Meaning(b)); // saying the same thing
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Meaning<'a, T: ?Sized>(pub &'a T);

impl<T: SameMeaning + ?Sized> PartialEq for Meaning<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_meaning(other.0)
    }
}

impl<T: SameMeaning + ?Sized> Eq for Meaning<'_, T> {}

impl<T: SameMeaning + ?Sized> Hash for Meaning<'_, T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash_meaning(state);
    }
}

/// Values without spans: their own `==` and `Hash`.
macro_rules! plain_meaning {
    ($($t:ty),* $(,)?) => {$(
        impl SameMeaning for $t {
            fn same_meaning(&self, other: &Self) -> bool {
                self == other
            }
            fn hash_meaning<H: Hasher>(&self, state: &mut H) {
                self.hash(state);
            }
        }
    )*};
}

plain_meaning!(
    String,
    bool,
    u32,
    Decimal,
    FixedOffset,
    FileId,
    TimeValue,
    CmpOp,
    AttrType,
    Period,
);

impl<T: SameMeaning> SameMeaning for Option<T> {
    fn same_meaning(&self, other: &Self) -> bool {
        match (self, other) {
            (Some(a), Some(b)) => a.same_meaning(b),
            (None, None) => true,
            _ => false,
        }
    }
    fn hash_meaning<H: Hasher>(&self, state: &mut H) {
        self.is_some().hash(state);
        if let Some(x) = self {
            x.hash_meaning(state);
        }
    }
}

impl<T: SameMeaning> SameMeaning for [T] {
    fn same_meaning(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.same_meaning(b))
    }
    fn hash_meaning<H: Hasher>(&self, state: &mut H) {
        self.len().hash(state);
        for x in self {
            x.hash_meaning(state);
        }
    }
}

impl<T: SameMeaning> SameMeaning for Vec<T> {
    fn same_meaning(&self, other: &Self) -> bool {
        self.as_slice().same_meaning(other.as_slice())
    }
    fn hash_meaning<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash_meaning(state);
    }
}

impl<T: SameMeaning + ?Sized> SameMeaning for Box<T> {
    fn same_meaning(&self, other: &Self) -> bool {
        (**self).same_meaning(other)
    }
    fn hash_meaning<H: Hasher>(&self, state: &mut H) {
        (**self).hash_meaning(state);
    }
}

/// A struct by the listed fields, and not by those after `ignoring` (its
/// span, ...). Every field is named, one way or the other: a new field is
/// a compile error until it is listed, so it cannot be forgotten.
macro_rules! struct_meaning {
    ($t:ty { $($f:ident),* $(,)? } $(ignoring $($skip:ident),+)?) => {
        impl SameMeaning for $t {
            fn same_meaning(&self, other: &Self) -> bool {
                let Self { $($f: _,)* $($($skip: _,)+)? } = self;
                true $(&& self.$f.same_meaning(&other.$f))*
            }
            fn hash_meaning<H: Hasher>(&self, state: &mut H) {
                $(self.$f.hash_meaning(state);)*
            }
        }
    };
}

/// An enum whose variants each hold one node: by variant, then by that
/// node. A new variant is a compile error until it is listed.
macro_rules! variants_meaning {
    ($t:ident { $($v:ident),* $(,)? }) => {
        impl SameMeaning for $t {
            fn same_meaning(&self, other: &Self) -> bool {
                match (self, other) {
                    $(($t::$v(a), $t::$v(b)) => a.same_meaning(b),)*
                    _ => false,
                }
            }
            fn hash_meaning<H: Hasher>(&self, state: &mut H) {
                discriminant(self).hash(state);
                match self {
                    $($t::$v(x) => x.hash_meaning(state),)*
                }
            }
        }
    };
}

struct_meaning!(Ident { name } ignoring span);
struct_meaning!(QName { org, name } ignoring span);
// A name written bare or qualified by the org the statement already names
// means the same either way (the qualifier must name that org).
struct_meaning!(OrgName { name } ignoring org, span);
struct_meaning!(Str { value, raw } ignoring span);
struct_meaning!(Time { value, tz, raw } ignoring span);
struct_meaning!(Validity { from, until });
struct_meaning!(Condition { expr } ignoring span);
struct_meaning!(MemberLine { member } ignoring span);
struct_meaning!(ValidFor { count, period } ignoring span);
struct_meaning!(Via { invite, accepted, by } ignoring span);
struct_meaning!(Stmt { label, kind } ignoring span);
struct_meaning!(FileAst { file, stmts });
struct_meaning!(Timezone { offset, raw });
struct_meaning!(Org { id, name, members });
struct_meaning!(Group {
    id,
    name,
    main,
    members
});
struct_meaning!(Attribute { id, ty, doc });
struct_meaning!(Service {
    org,
    enable,
    at,
    by
});
struct_meaning!(SuperAdminChange { org, to, at });
struct_meaning!(SealToggle { enable, seal, at });
struct_meaning!(TemplateToggle {
    enable,
    template,
    at
});
struct_meaning!(Invite {
    org,
    template,
    role,
    at,
    valid_for
});
struct_meaning!(Revoke { target, at, by });
struct_meaning!(Reseal { target, seal, at });
struct_meaning!(OwnRule {
    org,
    template,
    seal,
    validity,
    when
});
struct_meaning!(EmployeeRule {
    employee,
    template,
    on_behalf,
    validity,
    when
});
struct_meaning!(PartnerGrant {
    partner,
    org,
    template,
    role,
    seal,
    via,
    validity,
    when
});
struct_meaning!(Forbid {
    signer,
    template,
    kind,
    validity,
    when
});

impl SameMeaning for Until {
    fn same_meaning(&self, other: &Self) -> bool {
        match (self, other) {
            (Until::Revoked(_), Until::Revoked(_)) => true,
            (Until::Time(a), Until::Time(b)) => a.same_meaning(b),
            _ => false,
        }
    }
    fn hash_meaning<H: Hasher>(&self, state: &mut H) {
        discriminant(self).hash(state);
        if let Until::Time(t) = self {
            t.hash_meaning(state);
        }
    }
}

impl SameMeaning for Literal {
    fn same_meaning(&self, other: &Self) -> bool {
        match (self, other) {
            (Literal::Number(a, ra, _), Literal::Number(b, rb, _)) => a == b && ra == rb,
            (Literal::Str(a), Literal::Str(b)) => a.same_meaning(b),
            (Literal::Bool(a, _), Literal::Bool(b, _)) => a == b,
            _ => false,
        }
    }
    fn hash_meaning<H: Hasher>(&self, state: &mut H) {
        discriminant(self).hash(state);
        match self {
            Literal::Number(d, raw, _) => {
                d.hash(state);
                raw.hash(state);
            }
            Literal::Str(s) => s.hash_meaning(state),
            Literal::Bool(b, _) => b.hash(state),
        }
    }
}

impl SameMeaning for Expr {
    fn same_meaning(&self, other: &Self) -> bool {
        match (self, other) {
            (Expr::Or(a), Expr::Or(b)) | (Expr::And(a), Expr::And(b)) => a.same_meaning(b),
            (Expr::Not(a), Expr::Not(b)) | (Expr::Paren(a), Expr::Paren(b)) => a.same_meaning(b),
            (
                Expr::Cmp { attr, op, value },
                Expr::Cmp {
                    attr: attr2,
                    op: op2,
                    value: value2,
                },
            ) => attr.same_meaning(attr2) && op == op2 && value.same_meaning(value2),
            (
                Expr::In { attr, values },
                Expr::In {
                    attr: attr2,
                    values: values2,
                },
            ) => attr.same_meaning(attr2) && values.same_meaning(values2),
            _ => false,
        }
    }
    fn hash_meaning<H: Hasher>(&self, state: &mut H) {
        discriminant(self).hash(state);
        match self {
            Expr::Or(parts) | Expr::And(parts) => parts.hash_meaning(state),
            Expr::Not(x) | Expr::Paren(x) => x.hash_meaning(state),
            Expr::Cmp { attr, op, value } => {
                attr.hash_meaning(state);
                op.hash(state);
                value.hash_meaning(state);
            }
            Expr::In { attr, values } => {
                attr.hash_meaning(state);
                values.hash_meaning(state);
            }
        }
    }
}

impl SameMeaning for Member {
    fn same_meaning(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Member::SuperAdmin { id, name },
                Member::SuperAdmin {
                    id: id2,
                    name: name2,
                },
            )
            | (
                Member::Employee { id, name },
                Member::Employee {
                    id: id2,
                    name: name2,
                },
            ) => id.same_meaning(id2) && name.same_meaning(name2),
            (
                Member::Seal { id, name, kind },
                Member::Seal {
                    id: id2,
                    name: name2,
                    kind: kind2,
                },
            ) => id.same_meaning(id2) && name.same_meaning(name2) && kind.same_meaning(kind2),
            (
                Member::Template {
                    id,
                    name,
                    signatories,
                },
                Member::Template {
                    id: id2,
                    name: name2,
                    signatories: signatories2,
                },
            ) => {
                id.same_meaning(id2)
                    && name.same_meaning(name2)
                    && signatories.same_meaning(signatories2)
            }
            _ => false,
        }
    }
    fn hash_meaning<H: Hasher>(&self, state: &mut H) {
        discriminant(self).hash(state);
        match self {
            Member::SuperAdmin { id, name } | Member::Employee { id, name } => {
                id.hash_meaning(state);
                name.hash_meaning(state);
            }
            Member::Seal { id, name, kind } => {
                id.hash_meaning(state);
                name.hash_meaning(state);
                kind.hash_meaning(state);
            }
            Member::Template {
                id,
                name,
                signatories,
            } => {
                id.hash_meaning(state);
                name.hash_meaning(state);
                signatories.hash_meaning(state);
            }
        }
    }
}

variants_meaning!(StmtKind {
    Timezone,
    Org,
    Group,
    Attribute,
    Service,
    SuperAdminChange,
    SealToggle,
    TemplateToggle,
    Invite,
    Revoke,
    Reseal,
    OwnRule,
    EmployeeRule,
    PartnerGrant,
    Forbid,
});

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::syntax::parse_file;
    use std::collections::hash_map::DefaultHasher;

    fn hash_of(x: &impl Hash) -> u64 {
        let mut h = DefaultHasher::new();
        x.hash(&mut h);
        h.finish()
    }

    /// Every kind of statement, twice: the second copy at other places
    /// (another line, other spacing, an indented continuation, a comment).
    const TWICE: &str = "timezone +08:00
attribute amount: number \"金额\"
org acme \"A\" {
    super_admin z \"Z\"
    seal s \"S\" kind official
    template t \"T\" signatories \"甲方\", \"乙方\"
}
group g \"G\" main acme members b, c
acme enables auto-sign at 2026-01-01 by z
disable seal acme.s at 2026-02-01T00:00:00Z
enable template acme.t at 2026-03-01
i: acme invites partners to authorize template t as signatory \"乙方\" at 2026-03-01 valid for 7 days
revoke r at 2026-04-01 by p.x
reseal r with seal p.y at 2026-05-01
acme auto-signs template t with seal s from 2026-01-01 until revoked when amount <= 1_000
employee acme.z may initiate auto-sign for template acme.t on behalf of b until 2027-01-01
partner p authorizes acme template t as signatory \"乙方\" with seal y via invite i accepted 2026-03-02 by x when not (a in [1, \"x\", true] or b != 2)
forbid auto-sign for signer p for template acme.t with seal kind official from 2026-01-01 when a > 1 and b < 2
";

    #[test]
    fn nodes_at_other_places_differ_but_mean_the_same() {
        let one = parse_file(FileId(0), TWICE);
        assert!(one.errors.is_empty(), "{:?}", one.errors);
        // The same statements again, moved, respaced and commented.
        let moved: String = TWICE
            .replace(" when ", "  # why\n\n      when ")
            .replace("  ", "   ");
        let two = parse_file(FileId(0), &format!("\n\n# moved\n{moved}"));
        assert!(two.errors.is_empty(), "{:?}", two.errors);
        assert_eq!(one.ast.stmts.len(), two.ast.stmts.len());
        for (a, b) in one.ast.stmts.iter().zip(&two.ast.stmts) {
            assert_ne!(a, b, "spans take part in `==`");
            if !matches!(a.kind, StmtKind::Timezone(_)) {
                assert_ne!(a.kind, b.kind);
            }
            assert_eq!(Meaning(a), Meaning(b));
            assert_eq!(Meaning(&a.kind), Meaning(&b.kind));
            assert_eq!(hash_of(&Meaning(&a.kind)), hash_of(&Meaning(&b.kind)));
        }
        assert_eq!(Meaning(&one.ast), Meaning(&two.ast));
        // Each statement means something different from every other.
        for (i, a) in one.ast.stmts.iter().enumerate() {
            for (j, b) in two.ast.stmts.iter().enumerate() {
                assert_eq!(Meaning(a) == Meaning(b), i == j, "{a:?}\n{b:?}");
            }
        }
    }

    #[test]
    fn meaning_sees_every_field_but_spans() {
        let base =
            "forbid auto-sign for template acme.t from 2026-01-01 when a <= 1_000 and s == \"x\"\n";
        let p = parse_file(FileId(0), base);
        for other in [
            "forbid auto-sign for template acme.u from 2026-01-01 when a <= 1_000 and s == \"x\"\n",
            "forbid auto-sign for template acme.t from 2026-01-02 when a <= 1_000 and s == \"x\"\n",
            "forbid auto-sign for template acme.t from 2026-01-01T00:00:00+08:00 when a <= 1_000 and s == \"x\"\n",
            "forbid auto-sign for template acme.t from 2026-01-01 when a <= 1000 and s == \"x\"\n",
            "forbid auto-sign for template acme.t from 2026-01-01 when a < 1_000 and s == \"x\"\n",
            "forbid auto-sign for template acme.t from 2026-01-01 when a <= 1_000 or s == \"x\"\n",
            "forbid auto-sign for template acme.t from 2026-01-01 when (a <= 1_000) and s == \"x\"\n",
            "forbid auto-sign for template acme.t from 2026-01-01 when a <= 1_000 and s == \"\\u{78}\"\n",
            "forbid auto-sign for template acme.t until 2026-01-01 when a <= 1_000 and s == \"x\"\n",
            "l: forbid auto-sign for template acme.t from 2026-01-01 when a <= 1_000 and s == \"x\"\n",
        ] {
            let q = parse_file(FileId(0), other);
            assert!(q.errors.is_empty(), "{other}: {:?}", q.errors);
            assert_ne!(Meaning(&p.ast.stmts[0]), Meaning(&q.ast.stmts[0]), "{other}");
        }
    }
}
