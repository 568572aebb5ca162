//! What the service's examples share.

use autoseal::{Request, Value};

/// A request as a client posts it to `/v1/decide`.
pub fn request_json(r: &Request) -> String {
    let at = chrono::DateTime::from_timestamp_micros(r.at.0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let mut m = serde_json::Map::new();
    m.insert("at".into(), at.into());
    m.insert("template".into(), r.template.as_str().into());
    m.insert("initiator".into(), r.initiator.as_str().into());
    if let Some(o) = &r.on_behalf_of {
        m.insert("on_behalf_of".into(), o.as_str().into());
    }
    m.insert("signer".into(), r.signer.as_str().into());
    if let Some(s) = &r.signatory {
        m.insert("signatory".into(), s.as_str().into());
    }
    let mut attrs = serde_json::Map::new();
    for (k, v) in &r.attributes {
        let v: serde_json::Value = match v {
            Value::Number(d) => serde_json::from_str(&d.to_string()).unwrap(),
            Value::Str(s) => s.as_str().into(),
            Value::Bool(b) => (*b).into(),
        };
        attrs.insert(k.to_string(), v);
    }
    m.insert("attributes".into(), attrs.into());
    serde_json::Value::Object(m).to_string()
}
