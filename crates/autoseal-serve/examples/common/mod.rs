//! What the service's examples share.

use std::path::PathBuf;

use autoseal::{Request, Value};
use autoseal_gen::{generate, GenConfig, Generated};

/// `grants` generated partner grants (seed 42) written as the files of
/// `policies/` in a new temporary directory: the directory (removed when
/// dropped), the policy directory, and what was generated.
pub fn generated_dir(grants: usize) -> (tempfile::TempDir, PathBuf, Generated) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("policies");
    std::fs::create_dir(&dir).unwrap();
    let g = generate(&GenConfig { grants, seed: 42 });
    for (name, text) in &g.files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    (tmp, dir, g)
}

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
