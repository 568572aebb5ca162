//! The language of messages (service.md): `?lang=` wins over
//! `Accept-Language` (the best of `en` and `zh-CN` by q-values; English by
//! default) on every endpoint that renders messages: decide, batch,
//! templates, who, and the diagnostics of reload and events. Codes and
//! params never change with it.

use reqwest::blocking::Response;
use serde_json::Value;

use crate::common::*;
use crate::messages::{chinese, messages, without_messages};

/// A JSON value without its messages, nor the ids each answer has of its
/// own.
fn data(v: &Value) -> Value {
    without_messages(v, &["decision_id"])
}

/// The same answer in English and in Chinese: the same data, as many
/// messages (at least one), each Chinese in `zh` and other than in `en`.
#[track_caller]
fn same_in_both(en: &Value, zh: &Value) {
    assert_eq!(data(en), data(zh));
    let (e, z) = (messages(en), messages(zh));
    assert!(!z.is_empty(), "no message: {zh}");
    assert_eq!(e.len(), z.len());
    for (e, z) in e.iter().zip(&z) {
        assert!(chinese(z), "not Chinese: {z}");
        assert_ne!(e, z);
    }
}

fn get(s: &Running, path: &str, accept: Option<&str>) -> Response {
    let mut r = s.client.get(s.url(path));
    if let Some(a) = accept {
        r = r.header("accept-language", a);
    }
    r.send().unwrap()
}

fn post(s: &Running, path: &str, body: &str, accept: Option<&str>) -> Response {
    let mut r = s
        .client
        .post(s.url(path))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(a) = accept {
        r = r.header("accept-language", a);
    }
    r.send().unwrap()
}

const REVOKED: &str = r#"{"at":"2026-06-01T04:00:00Z","template":"acme.nda","initiator":"acme.li","signer":"globex","signatory":"乙方","attributes":{"amount":120000,"currency":"CNY"}}"#;

#[test]
fn decide_and_batch_answer_in_the_language_asked() {
    let dir = policy_dir();
    let s = start(dir.path());
    let en: Value = post(&s, "/v1/decide?explain=true", REVOKED, None)
        .json()
        .unwrap();
    let zh: Value = post(&s, "/v1/decide?explain=true&lang=zh-CN", REVOKED, None)
        .json()
        .unwrap();
    same_in_both(&en, &zh);
    // `?lang=`, `Accept-Language`, and `?lang=` over `Accept-Language`.
    for (path, accept, zh_wanted) in [
        ("/v1/decide?explain=true&lang=zh-CN", None, true),
        (
            "/v1/decide?explain=true",
            Some("zh-CN,zh;q=0.9,en;q=0.8"),
            true,
        ),
        ("/v1/decide?explain=true", Some("en-US,zh-CN;q=0.5"), false),
        ("/v1/decide?explain=true", Some("fr, zh;q=0.3"), true),
        ("/v1/decide?explain=true", Some("zh-TW"), false),
        ("/v1/decide?explain=true&lang=en", Some("zh-CN"), false),
        ("/v1/decide?explain=true&lang=zh-CN", Some("en"), true),
    ] {
        let r = post(&s, path, REVOKED, accept);
        assert_eq!(r.status(), 200, "{path} {accept:?}");
        let v: Value = r.json().unwrap();
        let want = if zh_wanted { &zh } else { &en };
        assert_eq!(messages(&v), messages(want), "{path} {accept:?}");
        assert_eq!(data(&v), data(&en), "{path} {accept:?}");
    }
    let one: Value = post(&s, "/v1/decide?lang=zh-CN", REVOKED, None)
        .json()
        .unwrap();
    assert_eq!(
        one["reasons"][0]["message"],
        "合作方 Globex 贸易有限公司（globex）已于 2026-06-01 12:00 撤销授权 g_globex，操作人：赵六（globex.zhao）"
    );

    let batch = format!(r#"{{"requests":[{REVOKED},{{"x":1}},{REVOKED}]}}"#);
    let en: Value = post(&s, "/v1/decide/batch", &batch, None).json().unwrap();
    let zh: Value = post(&s, "/v1/decide/batch", &batch, Some("zh"))
        .json()
        .unwrap();
    same_in_both(&en, &zh);

    // A language the catalog does not have, asked by name, is refused.
    let r = post(&s, "/v1/decide?lang=fr", REVOKED, None);
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().unwrap()["field"], "lang");
}

#[test]
fn reports_answer_in_the_language_asked() {
    let dir = policy_dir();
    let s = start(dir.path());
    let at = "at=2026-08-11T10%3A00%3A00%2B08%3A00";
    for path in [
        format!("/v1/templates?initiator=acme.wang&{at}"),
        format!("/v1/who?template=acme.nda&all=true&{at}"),
    ] {
        let en: Value = get(&s, &path, None).json().unwrap();
        let zh: Value = get(&s, &format!("{path}&lang=zh-CN"), None).json().unwrap();
        let accepted: Value = get(&s, &path, Some("zh-CN;q=0.9, en;q=0.1"))
            .json()
            .unwrap();
        same_in_both(&en, &zh);
        assert_eq!(zh, accepted, "{path}");
    }
    // The tooltip: the line a console shows on the greyed "use" button.
    let zh: Value = get(
        &s,
        &format!("/v1/templates?initiator=acme.wang&{at}&lang=zh-CN"),
        None,
    )
    .json()
    .unwrap();
    let labor = zh
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["template"] == "acme.labor")
        .unwrap();
    assert!(
        labor["tooltip"]
            .as_str()
            .unwrap()
            .starts_with("劳动合同：无法使用，"),
        "{labor}"
    );
    // Audit carries codes only: the same in every language.
    let en: Value = get(&s, &format!("/v1/audit?{at}"), None).json().unwrap();
    let zh: Value = get(&s, &format!("/v1/audit?{at}&lang=zh-CN"), None)
        .json()
        .unwrap();
    assert_eq!(en, zh);
    assert_eq!(get(&s, "/v1/audit?lang=xx", None).status(), 400);
}

#[test]
fn diagnostics_of_events_and_reloads_in_the_language_asked() {
    let dir = policy_dir();
    let s = start(dir.path());
    // A refused event: its diagnostics in Chinese, the same codes.
    let refused =
        serde_json::json!({"statement": "f_other: forbid auto-sign for signer nobody"}).to_string();
    let send = |path: &str, body: &str, accept: Option<&str>| {
        let mut r = s
            .client
            .post(s.url(path))
            .header("content-type", "application/json")
            .bearer_auth(TOKEN)
            .body(body.to_owned());
        if let Some(a) = accept {
            r = r.header("accept-language", a);
        }
        r.send().unwrap()
    };
    let en = send("/v1/events", &refused, None);
    assert_eq!(en.status(), 422);
    let en: Value = en.json().unwrap();
    let zh = send("/v1/events?lang=zh-CN", &refused, None);
    assert_eq!(zh.status(), 422);
    let zh: Value = zh.json().unwrap();
    same_in_both(&en["diagnostics"], &zh["diagnostics"]);
    assert_eq!(zh["diagnostics"][0]["message"], "企业 `nobody` 不存在");

    // An applied event's warnings.
    let warned = serde_json::json!({
        "statement": "initech enables auto-sign at 2027-04-01T00:00:00+08:00"
    })
    .to_string();
    let r = send("/v1/events", &warned, Some("zh-CN"));
    assert_eq!(r.status(), 200);
    let a: Value = r.json().unwrap();
    assert_eq!(a["warnings"][0]["code"], "enables_without_by");
    assert!(
        chinese(a["warnings"][0]["message"].as_str().unwrap()),
        "{a}"
    );
    // `/v1/policy` shows the set's warnings in the language asked.
    let zh: Value = get(&s, "/v1/policy?lang=zh-CN", None).json().unwrap();
    let en: Value = get(&s, "/v1/policy", None).json().unwrap();
    same_in_both(&en["warnings"], &zh["warnings"]);
    assert_eq!(a["warnings"][0]["message"], zh["warnings"][0]["message"]);

    // A refused reload: 422 with the diagnostics in the language asked,
    // and the last attempt in `/v1/policy` too.
    let forbids = dir.path().join("forbids.policy");
    let text = std::fs::read_to_string(&forbids).unwrap();
    std::fs::write(
        &forbids,
        format!("{text}\nforbid auto-sign for signer nobody\n"),
    )
    .unwrap();
    let r = send("/v1/reload", "", Some("zh-CN;q=1, en;q=0.5"));
    assert_eq!(r.status(), 422);
    let v: Value = r.json().unwrap();
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "unknown_org" && d["params"]["name"] == "nobody"));
    let zh: Value = get(&s, "/v1/policy", Some("zh")).json().unwrap();
    let en: Value = get(&s, "/v1/policy", None).json().unwrap();
    assert_eq!(zh["last_reload"]["ok"], false);
    same_in_both(
        &en["last_reload"]["diagnostics"],
        &zh["last_reload"]["diagnostics"],
    );
    assert_eq!(zh["last_reload"]["diagnostics"], v["diagnostics"]);
}

/// Messages show instants in the set's `timezone` (+08:00 here), as the
/// CLI's do; params keep the instant as written.
#[test]
fn messages_show_instants_in_the_time_zone_of_the_set() {
    let dir = policy_dir();
    let s = start(dir.path());
    let mut req = nda_request();
    req["at"] = "2026-06-02T10:00:00+08:00".into();
    for (lang, revoked_at) in [
        ("zh-CN", "2026-06-01 12:00"),
        ("en", "2026-06-01T12:00:00+08:00"),
    ] {
        let got: Value = post(
            &s,
            &format!("/v1/decide?lang={lang}"),
            &req.to_string(),
            None,
        )
        .json()
        .unwrap();
        assert_eq!(got["reasons"][0]["code"], "grant_revoked", "{got}");
        let message = got["reasons"][0]["message"].as_str().unwrap();
        assert!(message.contains(revoked_at), "{lang}: {message}");
        assert_eq!(
            got["reasons"][0]["params"]["at"], "2026-06-01T12:00:00+08:00",
            "{got}"
        );
    }
}

/// `at` takes a date, as `--at` does: the start of that day in the set's
/// time zone (the service's set has the zone `Policy::load` gives it).
#[test]
fn a_report_at_a_date_is_at_the_start_of_that_day_in_the_time_zone_of_the_set() {
    let dir = policy_dir();
    let s = start(dir.path());
    for (path, field) in [
        ("/v1/templates?initiator=acme.li&at=", "templates"),
        ("/v1/who?template=acme.nda&at=", "who"),
        ("/v1/audit?at=", "audit"),
    ] {
        let by_date: Value = get(&s, &format!("{path}2026-06-01"), None).json().unwrap();
        let by_time: Value = get(&s, &format!("{path}2026-06-01T00:00:00%2B08:00"), None)
            .json()
            .unwrap();
        assert!(by_date.get("error").is_none(), "{field}: {by_date}");
        assert_eq!(by_date, by_time, "{field}");
    }
}
