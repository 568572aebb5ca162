//! The messages of a JSON answer, and the rest of it: what a language
//! (`--lang`, `?lang=`) changes and what it must not. Shared by the
//! service's tests and the command line's.

use serde_json::Value;

/// Whether `text` holds a Chinese character.
pub fn chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A JSON value without its `message`, `help` and `tooltip` fields, nor
/// the fields named in `also`, at any depth.
pub fn without_messages(v: &Value, also: &[&str]) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "message" | "help" | "tooltip")
                        && !also.contains(&k.as_str())
                })
                .map(|(k, v)| (k.clone(), without_messages(v, also)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| without_messages(x, also)).collect()),
        other => other.clone(),
    }
}

/// Every `message` and `tooltip` of a JSON value, at any depth.
pub fn messages(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("message" | "tooltip", Value::String(s)) => out.push(s.clone()),
                    _ => out.extend(messages(x)),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| out.extend(messages(x))),
        _ => {}
    }
    out
}
