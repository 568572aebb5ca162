//! The spanned syntax tree of a policy set, as written.
//!
//! Built by [`crate::syntax`], read by the checker and the formatter. Spans
//! never take part in equality: two nodes are equal when they say the same
//! thing, wherever they were written. The checker uses this to find duplicate
//! rules, and the formatter's tests to show that formatting keeps meaning.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use crate::source::{FileId, Span};

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `ORG.NAME`: an employee, seal or template of an org.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QName {
    pub org: Ident,
    pub name: Ident,
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
    pub name: Ident,
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
    pub value: String,
    pub raw: String,
    pub span: Span,
}

/// A time as written: an RFC 3339 date-time, or a date read in the file's
/// `timezone` (which the parser records; `None` when the file has none yet).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Time {
    pub value: TimeValue,
    pub tz: Option<FixedOffset>,
    pub raw: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeValue {
    Instant(DateTime<FixedOffset>),
    Date(NaiveDate),
}

/// `from ... until ...`; both ends optional.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Validity {
    pub from: Option<Time>,
    pub until: Option<Until>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Until {
    /// `until revoked`: no end of its own.
    Revoked(Span),
    Time(Time),
}

/// A literal in a condition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Literal {
    /// The exact value and the text as written (with `_` separators).
    Number(Decimal, String, Span),
    Str(Str),
    Bool(bool, Span),
}

impl Literal {
    pub fn span(&self) -> Span {
        match self {
            Literal::Number(_, _, s) | Literal::Bool(_, s) => *s,
            Literal::Str(s) => s.span,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
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
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    /// Parentheses as written, kept so the formatter can reproduce them.
    Paren(Box<Expr>),
    Cmp {
        attr: Ident,
        op: CmpOp,
        value: Literal,
    },
    In {
        attr: Ident,
        values: Vec<Literal>,
    },
}

/// `when COND`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Condition {
    pub expr: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SealKind {
    Official,
    Contract,
    Finance,
    Personnel,
    LegalRep,
    Other,
}

impl SealKind {
    pub const ALL: [SealKind; 6] = [
        SealKind::Official,
        SealKind::Contract,
        SealKind::Finance,
        SealKind::Personnel,
        SealKind::LegalRep,
        SealKind::Other,
    ];

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

    pub fn parse(s: &str) -> Option<SealKind> {
        SealKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttrType {
    Number,
    String,
    Bool,
}

impl AttrType {
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::Number => "number",
            AttrType::String => "string",
            AttrType::Bool => "bool",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Member {
    SuperAdmin {
        id: Ident,
        name: Str,
    },
    Employee {
        id: Ident,
        name: Str,
    },
    Seal {
        id: Ident,
        name: Str,
        kind: Option<Ident>,
    },
    Template {
        id: Ident,
        name: Str,
        signatories: Vec<Str>,
    },
}

impl Member {
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
    pub member: Member,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Days,
    Months,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ValidFor {
    pub count: u32,
    pub period: Period,
    pub span: Span,
}

/// `via invite I accepted TIME by PERSON`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Via {
    pub invite: Ident,
    pub accepted: Time,
    pub by: OrgName,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StmtKind {
    Timezone {
        offset: FixedOffset,
        raw: String,
    },
    Org {
        id: Ident,
        name: Str,
        members: Vec<MemberLine>,
    },
    Group {
        id: Ident,
        name: Str,
        main: Ident,
        members: Vec<Ident>,
    },
    Attribute {
        id: Ident,
        ty: AttrType,
        doc: Option<Str>,
    },
    Service {
        org: Ident,
        enable: bool,
        at: Time,
        by: Option<OrgName>,
    },
    /// `ORG changes super admin to PERSON at TIME`.
    SuperAdminChange {
        org: Ident,
        to: OrgName,
        at: Time,
    },
    SealToggle {
        enable: bool,
        seal: QName,
        at: Time,
    },
    TemplateToggle {
        enable: bool,
        template: QName,
        at: Time,
    },
    Invite {
        org: Ident,
        template: Ident,
        role: Str,
        at: Time,
        valid_for: Option<ValidFor>,
    },
    Revoke {
        target: Ident,
        at: Time,
        by: Option<OrgName>,
    },
    Reseal {
        target: Ident,
        seal: OrgName,
        at: Time,
    },
    OwnRule {
        org: Ident,
        template: Ident,
        seal: OrgName,
        validity: Validity,
        when: Option<Condition>,
    },
    EmployeeRule {
        employee: QName,
        template: Option<QName>,
        on_behalf: Option<Ident>,
        validity: Validity,
        when: Option<Condition>,
    },
    PartnerGrant {
        partner: Ident,
        org: Ident,
        template: Ident,
        role: Str,
        seal: OrgName,
        via: Option<Box<Via>>,
        validity: Validity,
        when: Option<Condition>,
    },
    Forbid {
        signer: Option<Ident>,
        template: Option<QName>,
        kind: Option<Ident>,
        validity: Validity,
        when: Option<Condition>,
    },
}

impl StmtKind {
    /// Whether this statement is a rule (something `revoke` can name).
    pub fn is_rule(&self) -> bool {
        matches!(
            self,
            StmtKind::OwnRule { .. }
                | StmtKind::EmployeeRule { .. }
                | StmtKind::PartnerGrant { .. }
                | StmtKind::Forbid { .. }
        )
    }
}

/// One statement with its optional label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Stmt {
    pub label: Option<Ident>,
    pub kind: StmtKind,
    pub span: Span,
}

/// Every statement of one file, in source order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileAst {
    pub file: FileId,
    pub stmts: Vec<Stmt>,
}
