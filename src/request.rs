//! Requests: what a signing service asks, read from JSON or YAML.
//!
//! Numbers are read from their text, never through a binary float, so
//! `500000.0000000000001` stays more than `500000`.

use std::borrow::Cow;
use std::fmt;

use compact_str::CompactString;

use yaml_rust2::Yaml;

use crate::limits::{MAX_ATTRIBUTES, MAX_REQUEST_BYTES, MAX_REQUEST_VALUES};
use crate::model::Value;
use crate::syntax::parse_decimal;
use crate::time::{parse_datetime, Instant};

/// A request by names: may the `signer`'s party to a contract made from
/// `template`, started by `initiator`, be sealed automatically at `at`?
///
/// Build one in code ([`Request::new`] and the builder methods), or read
/// one from JSON or YAML ([`Request::parse`]), the form the CLI and the
/// service take:
///
/// ```
/// use autoseal::{Instant, Request};
///
/// let at = Instant::parse("2026-04-01T10:00:00+08:00").unwrap();
/// let built = Request::new(at, "acme.nda", "acme.li", "globex")
///     .signatory("乙方")
///     .attribute("amount", 120_000_i64);
/// let read = Request::parse(
///     r#"{"at": "2026-04-01T10:00:00+08:00", "template": "acme.nda",
///         "initiator": "acme.li", "signer": "globex", "signatory": "乙方",
///         "attributes": {"amount": 120000}}"#,
/// )
/// .unwrap();
/// assert_eq!(built, read);
/// ```
///
/// Names are [`CompactString`]s: up to 24 bytes (nearly every name) are
/// kept in the request itself, so building one allocates nothing for its
/// names, and deciding reads them without following a pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The instant to decide at.
    pub at: Instant,
    /// `OWNER.T`.
    pub template: CompactString,
    /// `ORG.E`.
    pub initiator: CompactString,
    /// In group mode: the member org the initiator acts for (`ORG`), the
    /// effective initiating org.
    pub on_behalf_of: Option<CompactString>,
    /// The org whose party is to be sealed (`ORG`).
    pub signer: CompactString,
    /// The signatory role the signer signs as (`"乙方"`), for a partner.
    pub signatory: Option<CompactString>,
    /// The contract's attributes that conditions test (`amount`, ...).
    pub attributes: Vec<(CompactString, Value)>,
    /// A correlation id the caller chose (`"id"`), echoed in the answer;
    /// deciding never reads it.
    pub id: Option<CompactString>,
}

impl Request {
    /// A request with no optional parts.
    pub fn new(at: Instant, template: &str, initiator: &str, signer: &str) -> Request {
        Request {
            at,
            template: template.into(),
            initiator: initiator.into(),
            on_behalf_of: None,
            signer: signer.into(),
            signatory: None,
            attributes: Vec::new(),
            id: None,
        }
    }

    /// The same request on behalf of member org `sub` (group mode).
    pub fn on_behalf_of(mut self, sub: &str) -> Request {
        self.on_behalf_of = Some(sub.into());
        self
    }

    /// The same request for the signer signing as `role` (`"乙方"`).
    pub fn signatory(mut self, role: &str) -> Request {
        self.signatory = Some(role.into());
        self
    }

    /// The same request with one more attribute; a value is built from a
    /// number, a string or a boolean (see [`Value`]'s `From` impls and
    /// [`Value::number`] for exact decimals given as text).
    ///
    /// ```
    /// use autoseal::{Instant, Request, Value};
    /// let at = Instant::parse("2026-04-01T10:00:00+08:00").unwrap();
    /// let r = Request::new(at, "acme.nda", "acme.li", "globex")
    ///     .signatory("乙方")
    ///     .attribute("amount", Value::number("120000.50").unwrap())
    ///     .attribute("currency", "CNY")
    ///     .attribute("urgent", false);
    /// assert_eq!(r.attributes.len(), 3);
    /// ```
    pub fn attribute(mut self, name: &str, value: impl Into<Value>) -> Request {
        self.attributes.push((name.into(), value.into()));
        self
    }

    /// Reads a request from JSON or YAML text.
    pub fn parse(text: &str) -> Result<Request, RequestError> {
        if text.len() > MAX_REQUEST_BYTES {
            return Err(RequestError::new(
                "",
                format!("request is larger than {MAX_REQUEST_BYTES} bytes"),
            ));
        }
        let budget = crate::yaml::Budget {
            values: MAX_REQUEST_VALUES,
            bytes: MAX_REQUEST_BYTES,
        };
        let docs = crate::yaml::load(text, budget)
            .map_err(|e| RequestError::new("", format!("not JSON or YAML: {e}")))?;
        match docs.as_slice() {
            [doc] => Request::from_yaml(doc),
            [] => Err(RequestError::new("", "empty request")),
            _ => Err(RequestError::new("", "more than one document")),
        }
    }

    /// Reads a request from a parsed YAML (or JSON) value.
    pub fn from_yaml(doc: &Yaml) -> Result<Request, RequestError> {
        Request::from_fields(&Field::from(doc))
    }

    /// Reads a request from a value a JSON (or YAML) parser has built
    /// already, with the checks and messages of [`Request::parse`]: a
    /// service that has parsed a body reads it without writing it out
    /// again.
    ///
    /// ```
    /// use autoseal::request::{Field, Request};
    /// let t = |s: &'static str| Field::Text(s.into());
    /// let doc = Field::Map(vec![
    ///     (t("at"), t("2026-04-01T10:00:00+08:00")),
    ///     (t("template"), t("acme.purchase")),
    ///     (t("initiator"), t("acme.li")),
    ///     (t("signer"), t("globex")),
    ///     (t("attributes"), Field::Map(vec![(t("amount"), Field::Number("120000".into()))])),
    /// ]);
    /// let r = Request::from_fields(&doc).unwrap();
    /// assert_eq!(r.signer, "globex");
    /// assert_eq!(r.attributes.len(), 1);
    /// ```
    pub fn from_fields(doc: &Field<'_>) -> Result<Request, RequestError> {
        let Field::Map(map) = doc else {
            return Err(RequestError::new("", "a request is a mapping"));
        };
        let mut at = None;
        let mut template = None;
        let mut initiator = None;
        let mut on_behalf_of = None;
        let mut signer = None;
        let mut signatory = None;
        let mut attributes = Vec::new();
        let mut id = None;
        for (k, v) in map {
            let Field::Text(key) = k else {
                return Err(RequestError::new("", "field names are strings"));
            };
            let key: &str = key;
            match key {
                "at" => {
                    let s = text(key, v)?;
                    let t =
                        parse_datetime(&s).map_err(|e| RequestError::new(key, e.to_string()))?;
                    at = Some(Instant::from_datetime(&t));
                }
                "template" => template = Some(name(key, v, true)?),
                "initiator" => initiator = Some(name(key, v, true)?),
                "on_behalf_of" => on_behalf_of = opt(key, v, false)?,
                "signer" => signer = Some(name(key, v, false)?),
                "signatory" => signatory = opt_text(key, v)?,
                "attributes" => attributes = attrs(v)?,
                "id" => match v {
                    Field::Null => id = None,
                    Field::Text(s) => id = Some(CompactString::from(&**s)),
                    _ => return Err(RequestError::new(key, "`id` must be a string")),
                },
                other => return Err(RequestError::new(other, format!("unknown field `{other}`"))),
            }
        }
        let need = |f: &str, v: Option<CompactString>| {
            v.ok_or_else(|| RequestError::new(f, format!("missing field `{f}`")))
        };
        Ok(Request {
            at: at.ok_or_else(|| RequestError::new("at", "missing field `at`"))?,
            template: need("template", template)?,
            initiator: need("initiator", initiator)?,
            on_behalf_of,
            signer: need("signer", signer)?,
            signatory,
            attributes,
            id,
        })
    }
}

/// A value of a request as a JSON or YAML parser holds it: what
/// [`Request::from_fields`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field<'a> {
    /// `null` (or YAML's `~`, or nothing).
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, by its text as written (`120000`, `99.95`, `1e5`), so
    /// that it is read exactly, never through a binary float.
    Number(Cow<'a, str>),
    /// A string.
    Text(Cow<'a, str>),
    /// A mapping (a JSON object), its entries in order.
    Map(Vec<(Field<'a>, Field<'a>)>),
    /// Anything else (a list, an unreadable YAML value): no request field
    /// takes one.
    Other,
}

impl<'a> From<&'a Yaml> for Field<'a> {
    fn from(v: &'a Yaml) -> Field<'a> {
        match v {
            Yaml::Null => Field::Null,
            Yaml::Boolean(b) => Field::Bool(*b),
            Yaml::Integer(i) => Field::Number(Cow::Owned(i.to_string())),
            Yaml::Real(s) => Field::Number(Cow::Borrowed(s)),
            Yaml::String(s) => Field::Text(Cow::Borrowed(s)),
            Yaml::Hash(m) => Field::Map(m.iter().map(|(k, v)| (k.into(), v.into())).collect()),
            _ => Field::Other,
        }
    }
}

fn text(key: &str, v: &Field<'_>) -> Result<CompactString, RequestError> {
    match v {
        Field::Text(s) | Field::Number(s) => Ok(CompactString::from(&**s)),
        _ => Err(RequestError::new(key, format!("`{key}` must be a string"))),
    }
}

fn opt_text(key: &str, v: &Field<'_>) -> Result<Option<CompactString>, RequestError> {
    match v {
        Field::Null => Ok(None),
        _ => text(key, v).map(Some),
    }
}

/// `ORG.NAME` when `qualified`, else a plain name.
fn name(key: &str, v: &Field<'_>, qualified: bool) -> Result<CompactString, RequestError> {
    let s = text(key, v)?;
    let ok = if qualified {
        s.split_once('.')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
    } else {
        !s.is_empty() && !s.contains('.')
    };
    if ok {
        Ok(s)
    } else if qualified {
        Err(RequestError::new(
            key,
            format!("`{key}` must be `ORG.NAME`, not `{s}`"),
        ))
    } else {
        Err(RequestError::new(
            key,
            format!("`{key}` must be an org name, not `{s}`"),
        ))
    }
}

fn opt(key: &str, v: &Field<'_>, qualified: bool) -> Result<Option<CompactString>, RequestError> {
    match v {
        Field::Null => Ok(None),
        _ => name(key, v, qualified).map(Some),
    }
}

fn attrs(v: &Field<'_>) -> Result<Vec<(CompactString, Value)>, RequestError> {
    let map = match v {
        Field::Null => return Ok(Vec::new()),
        Field::Map(m) => m,
        _ => {
            return Err(RequestError::new(
                "attributes",
                "`attributes` must be a mapping",
            ))
        }
    };
    if map.len() > MAX_ATTRIBUTES {
        return Err(RequestError::new(
            "attributes",
            format!("more than {MAX_ATTRIBUTES} attributes"),
        ));
    }
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        let Field::Text(k) = k else {
            return Err(RequestError::new(
                "attributes",
                "attribute names are strings",
            ));
        };
        let field = format!("attributes.{k}");
        let value = match v {
            Field::Text(s) => Value::Str(s.to_string()),
            Field::Bool(b) => Value::Bool(*b),
            // Exponents (`1e5`) are exact too, through their text.
            Field::Number(s) => match parse_decimal(s).or_else(|| {
                rust_decimal::Decimal::from_scientific(s).ok().filter(|d| {
                    d.mantissa().unsigned_abs().to_string().len()
                        <= crate::limits::MAX_NUMBER_DIGITS
                })
            }) {
                Some(d) => Value::Number(d),
                None => {
                    return Err(RequestError::new(
                        &field,
                        format!("`{field}` is not an exact decimal of at most 28 digits (leading zeros before the point aside): `{s}`"),
                    ))
                }
            },
            _ => {
                return Err(RequestError::new(
                    &field,
                    format!("`{field}` must be a number, a string or a boolean"),
                ))
            }
        };
        out.push((CompactString::from(&**k), value));
    }
    Ok(out)
}

/// A request that cannot be read; names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[diagnostic(code(autoseal::invalid_request))]
pub struct RequestError {
    /// The field at fault (`at`, `attributes.amount`, ...), `""` when no
    /// one field is.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl RequestError {
    /// An error about `field`.
    pub fn new(field: &str, message: impl Into<String>) -> RequestError {
        RequestError {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid request: {}", self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_from_text_are_exact_numbers_or_nothing() {
        let n = |t: &str| Value::number(t);
        assert_eq!(n("1_000_000"), Some(Value::from(1_000_000i64)));
        assert_eq!(
            n("500000.0000000000001").map(|v| v.type_name()),
            Some("number")
        );
        assert!(n("500000.0000000000001") != n("500000"));
        for bad in [
            "",
            "-",
            "abc",
            "1e5",
            "0x10",
            ".5",
            "12345678901234567890123456789",
        ] {
            assert_eq!(n(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_are_exact() {
        let r = Request::parse(
            r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme.nda","initiator":"acme.li","signer":"globex","attributes":{"amount":500000.0000000000001}}"#,
        )
        .unwrap();
        let Value::Number(d) = &r.attributes[0].1 else {
            panic!()
        };
        assert!(*d > rust_decimal::Decimal::from(500000));
    }

    #[test]
    fn exponents_are_exact() {
        let r = Request::parse(
            r#"{"at":"2026-04-01T10:00:00+08:00","template":"a.b","initiator":"a.c","signer":"a","attributes":{"amount":5e5}}"#,
        )
        .unwrap();
        assert_eq!(
            r.attributes[0].1,
            Value::Number(rust_decimal::Decimal::from(500000))
        );
    }

    #[test]
    fn unknown_field_is_named() {
        let e = Request::parse("at: 2026-04-01T10:00:00+08:00\ntemplate: a.b\ninitiator: a.c\nsigner: a\ncolour: red\n").unwrap_err();
        assert_eq!(e.field, "colour");
        assert!(e.to_string().contains("`colour`"));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        for text in [
            "\u{feff}at: 2026-04-01T10:00:00+08:00\ntemplate: a.b\ninitiator: a.c\nsigner: a\n",
            "\u{feff}{\"at\":\"2026-04-01T10:00:00+08:00\",\"template\":\"a.b\",\"initiator\":\"a.c\",\"signer\":\"a\"}",
        ] {
            assert_eq!(Request::parse(text).unwrap().template, "a.b");
        }
    }

    #[test]
    fn yaml_time_is_read_as_text() {
        let r = Request::parse(
            "at: 2026-04-01T10:00:00+08:00\ntemplate: a.b\ninitiator: a.c\nsigner: a\n",
        )
        .unwrap();
        assert_eq!(r.signer, "a");
    }
}
