//! Lowering: times as written to instants, validities to windows, and
//! conditions to the model's flat condition nodes (their attributes
//! resolved, their literals typed).

use compact_str::CompactString;

use super::{CheckError, CheckWarning, Checker};
use crate::ast::{self, Expr, Literal, TimeValue, Until};
use crate::model::{AttrId, Attribute, CondNode, Condition, Stamp, Value, Window};
use crate::source::Span;
use crate::time::Instant;

/// Which end of an interval a time is: `until DATE` means the next day.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    Start,
    Until,
}

/// Whose condition is lowered: a forbid's fails closed (it blocks a
/// request that does not give its attributes), which some warnings say.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CondOf {
    Grant,
    Forbid,
}

impl Checker<'_> {
    /// A time as an instant; a date is read in the file's `timezone` (an
    /// error without one), as the start of its day or, for `until`, the
    /// end.
    pub(super) fn stamp(&mut self, t: &ast::Time, end: End) -> Option<Stamp> {
        match t.value {
            TimeValue::Instant(dt) => Some(Stamp {
                at: Instant::from_datetime(&dt),
                tz: *dt.offset(),
                date: false,
            }),
            TimeValue::Date(d) => {
                let Some(tz) = t.tz else {
                    self.err(CheckError::DateWithoutTimezone {
                        text: t.raw.clone(),
                        span: t.span,
                    });
                    return None;
                };
                let at = match end {
                    End::Start => Instant::start_of_day(d, tz),
                    End::Until => Instant::end_of_day(d, tz),
                }?;
                Some(Stamp { at, tz, date: true })
            }
        }
    }

    /// `from ... until ...` of the rule at `span`, not yet revoked.
    pub(super) fn window(&mut self, v: &ast::Validity, span: Span) -> Window {
        let from = v.from.as_ref().and_then(|t| self.stamp(t, End::Start));
        let until = match &v.until {
            Some(Until::Time(t)) => self.stamp(t, End::Until),
            _ => None,
        };
        if let (Some(f), Some(u)) = (from, until) {
            if f.at > u.at {
                self.err(CheckError::FromAfterUntil {
                    from: v.from.as_ref().map(|t| t.raw.clone()).unwrap_or_default(),
                    until: match &v.until {
                        Some(Until::Time(t)) => t.raw.clone(),
                        _ => String::new(),
                    },
                    span,
                });
            }
        }
        Window {
            from,
            until,
            revoked: None,
        }
    }

    pub(super) fn condition(&mut self, c: &ast::Condition, of: CondOf) -> Condition {
        let mut nodes = Vec::new();
        self.expr(&c.expr, of, &mut nodes);
        Condition {
            nodes: nodes.into_iter().collect(),
            span: c.span,
        }
    }

    /// Lowers `e` into `out`, its children first; returns its index.
    fn expr(&mut self, e: &Expr, of: CondOf, out: &mut Vec<CondNode>) -> u32 {
        let node = match e {
            Expr::Paren(inner) => return self.expr(inner, of, out),
            Expr::Or(parts) | Expr::And(parts) => {
                let ids = parts.iter().map(|p| self.expr(p, of, out)).collect();
                if matches!(e, Expr::Or(_)) {
                    CondNode::Or(ids)
                } else {
                    CondNode::And(ids)
                }
            }
            Expr::Not(inner) => CondNode::Not(self.expr(inner, of, out)),
            Expr::Cmp { attr, op, value } => {
                let a = self.attr(attr);
                let v = self.literal(a, value);
                if !matches!(op, ast::CmpOp::Eq | ast::CmpOp::Ne) && !matches!(v, Value::Number(_))
                {
                    self.err(CheckError::OrderingNeedsNumber {
                        op: op.as_str(),
                        used: v.type_name(),
                        span: value.span(),
                    });
                }
                CondNode::Cmp {
                    attr: a,
                    op: *op,
                    value: v,
                }
            }
            Expr::In { attr, values } => {
                let a = self.attr(attr);
                if values.is_empty() {
                    // A forbid fails closed: it still blocks whenever the
                    // attribute is not given.
                    self.warn(CheckWarning::EmptyList {
                        attr: attr.name.clone(),
                        in_forbid: matches!(of, CondOf::Forbid),
                        span: attr.span,
                    });
                }
                let values = values.iter().map(|v| self.literal(a, v)).collect();
                CondNode::In { attr: a, values }
            }
        };
        out.push(node);
        u32::try_from(out.len() - 1).unwrap_or(u32::MAX)
    }

    /// An attribute a condition uses; one not declared (a warning, when
    /// the set declares attributes) is added untyped.
    fn attr(&mut self, id: &ast::Ident) -> AttrId {
        let names = &mut self.env.names;
        if let Some(a) = names.attrs.get(id.name.as_str()) {
            return *a;
        }
        if names.attrs_declared {
            let close = super::resolve::closest(
                &id.name,
                names.attr_spans.keys().map(CompactString::as_str),
                &mut self.hints.budget,
            );
            self.warn(CheckWarning::UndeclaredAttribute {
                attr: id.name.clone(),
                close,
                span: id.span,
            });
        }
        let m = &mut self.env.model;
        let a = AttrId::from_index(m.attributes.len());
        self.env
            .names
            .attrs
            .insert(CompactString::from(id.name.as_str()), a);
        m.attributes.push(Attribute {
            name: id.name.clone(),
            ty: None,
            doc: None,
        });
        a
    }

    /// A literal compared with `attr`: an error if the attribute is
    /// declared with another type.
    fn literal(&mut self, attr: AttrId, l: &Literal) -> Value {
        let v = match l {
            Literal::Number(d, _, _) => Value::Number(*d),
            Literal::Str(s) => Value::Str(s.value.clone()),
            Literal::Bool(b, _) => Value::Bool(*b),
        };
        let m = &self.env.model;
        if let Some(ty) = m.attributes.get(attr.index()).and_then(|a| a.ty) {
            if ty.as_str() != v.type_name() {
                self.err(CheckError::AttributeType {
                    attr: m.attr_name(attr).to_owned(),
                    declared: ty.as_str(),
                    used: v.type_name(),
                    span: l.span(),
                });
            }
        }
        v
    }
}
