//! Every endpoint, every error status, the token checks, the revision
//! header, hostile input.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

fn header(r: &reqwest::blocking::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no `{name}` header"))
        .to_str()
        .unwrap()
        .to_owned()
}

/// An error answer: its status, the revision header, a JSON body with
/// `error`.
fn error(r: reqwest::blocking::Response, status: u16, revision: &str) -> Value {
    assert_eq!(r.status().as_u16(), status, "status");
    assert_eq!(header(&r, "autoseal-revision"), revision);
    assert!(header(&r, "content-type").starts_with("application/json"));
    let v: Value = r.json().unwrap();
    assert!(v["error"].is_string(), "{v}");
    v
}

#[test]
fn decide_answers_with_the_decision_id_revision_and_echoed_id() {
    let dir = policy_dir();
    let s = start(dir.path());
    let rev = s.revision();
    assert_eq!(rev, fresh(dir.path()).revision);
    let mut req = nda_request();
    req["id"] = "req-1".into();
    let r = s.post("/v1/decide", &req.to_string());
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "autoseal-revision"), rev);
    let v: Value = r.json().unwrap();
    assert_eq!(v["decision"], "auto_seal");
    assert_eq!(v["seal"], "globex.contract");
    assert_eq!(v["basis"], "partner_grant");
    assert_eq!(v["rule"], "g_globex");
    assert_eq!(v["reasons"], serde_json::json!([]));
    assert_eq!(v["id"], "req-1");
    assert_eq!(v["revision"], rev.as_str());
    let id = v["decision_id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "7", "a UUIDv7: {id}");
    // Two decisions, two ids.
    let w: Value = s.post("/v1/decide", &req.to_string()).json().unwrap();
    assert_ne!(w["decision_id"], v["decision_id"]);
    // Without `id`, none is echoed.
    let v: Value = s
        .post("/v1/decide", &nda_request().to_string())
        .json()
        .unwrap();
    assert!(v.get("id").is_none());
}

#[test]
fn explain_lists_every_failing_check() {
    let dir = policy_dir();
    let s = start(dir.path());
    let req = serde_json::json!({
        "at": "2026-07-15T10:00:00+08:00", "template": "acme.nda",
        "initiator": "acme.li", "signer": "globex", "signatory": "乙方",
    });
    let first: Value = s.post("/v1/decide", &req.to_string()).json().unwrap();
    let all: Value = s
        .post("/v1/decide?explain=true", &req.to_string())
        .json()
        .unwrap();
    assert_eq!(first["decision"], "manual");
    assert_eq!(first["reasons"].as_array().unwrap().len(), 1);
    assert_eq!(all["reasons"][0], first["reasons"][0]);
    let f = fresh(dir.path()).policy.unwrap();
    let r = autoseal::Request::parse(&req.to_string()).unwrap();
    let want = serde_json::to_value(f.render_explanation(&f.explain(&r)).unwrap()).unwrap();
    assert_eq!(decision_part(all), want);
    let r = s.post("/v1/decide?explain=maybe", &req.to_string());
    assert_eq!(error(r, 400, &s.revision())["field"], "explain");
}

#[test]
fn a_batch_answers_in_order_with_errors_in_place() {
    let dir = policy_dir();
    let s = start(dir.path());
    let rev = s.revision();
    let mut a = nda_request();
    a["id"] = "a".into();
    let mut bad = nda_request();
    bad["colour"] = "red".into();
    let body = serde_json::json!({"requests": [a, bad, 5, requests()[3]]});
    let r = s.post("/v1/decide/batch", &body.to_string());
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "autoseal-revision"), rev);
    let v: Value = r.json().unwrap();
    let d = v["decisions"].as_array().unwrap();
    assert_eq!(d.len(), 4);
    assert_eq!(d[0]["id"], "a");
    assert_eq!(d[0]["seal"], "globex.contract");
    assert_eq!(d[1]["field"], "colour");
    assert!(d[1]["error"]
        .as_str()
        .unwrap()
        .contains("unknown field `colour`"));
    assert!(d[2]["error"].is_string());
    let f = fresh(dir.path()).policy.unwrap();
    assert_eq!(decision_part(d[3].clone()), expected(&f, &requests()[3]));

    // At most 10,000 requests, and 16 MiB.
    let many = format!("{{\"requests\":[{}]}}", vec!["{}"; 10_001].join(","));
    let e = error(s.post("/v1/decide/batch", &many), 413, &rev);
    assert!(e["error"].as_str().unwrap().contains("10000"));
    let exactly = format!("{{\"requests\":[{}]}}", vec!["{}"; 10_000].join(","));
    let ok: Value = s.post("/v1/decide/batch", &exactly).json().unwrap();
    assert_eq!(ok["decisions"].as_array().unwrap().len(), 10_000);
    // Refused from its length, before the body is sent.
    let addr = s.base.trim_start_matches("http://");
    let (answer, _) = slow(
        addr,
        &format!(
            "POST /v1/decide/batch HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            (16 << 20) + 1
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("larger than 16777216 bytes"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains(&format!("autoseal-revision: {rev}")),
        "{answer}"
    );
    for (body, field) in [
        ("{\"requests\": 1}", "requests"),
        ("{}", "requests"),
        ("{\"requests\": [], \"more\": 1}", "more"),
    ] {
        assert_eq!(
            error(s.post("/v1/decide/batch", body), 400, &rev)["field"],
            field
        );
    }
}

#[test]
fn reports_answer_as_the_cli_json() {
    let dir = policy_dir();
    let s = start(dir.path());
    let rev = s.revision();
    let f = fresh(dir.path()).policy.unwrap();
    let at = autoseal::time::parse_datetime("2026-04-01T10:00:00+08:00").unwrap();
    let at = autoseal::Instant::from_datetime(&at);
    let q = "at=2026-04-01T10%3A00%3A00%2B08%3A00";

    let r = s.get(&format!("/v1/templates?initiator=acme.li&{q}"));
    assert_eq!(header(&r, "autoseal-revision"), rev);
    let want = serde_json::to_value(f.templates_for("acme.li", None, at, &[]).unwrap()).unwrap();
    assert_eq!(r.json::<Value>().unwrap(), want);
    let r: Value = s
        .get(&format!(
            "/v1/templates?initiator=acme.li&on_behalf_of=acme_sh&{q}"
        ))
        .json()
        .unwrap();
    let want = serde_json::to_value(
        f.templates_for("acme.li", Some("acme_sh"), at, &[])
            .unwrap(),
    )
    .unwrap();
    assert_eq!(r, want);

    let mut all = f.who("acme.nda", at, None, &[]).unwrap();
    let r: Value = s
        .get(&format!("/v1/who?template=acme.nda&all=true&{q}"))
        .json()
        .unwrap();
    assert_eq!(r, serde_json::to_value(&all).unwrap());
    all.retain(|x| x.auto_seal || x.conditional);
    let r: Value = s
        .get(&format!("/v1/who?template=acme.nda&{q}"))
        .json()
        .unwrap();
    assert_eq!(r, serde_json::to_value(&all).unwrap());

    let r: Value = s.get(&format!("/v1/audit?{q}")).json().unwrap();
    assert_eq!(r, serde_json::to_value(f.audit(at, None)).unwrap());
    let r: Value = s
        .get(&format!("/v1/audit?{q}&expiring_within=30d"))
        .json()
        .unwrap();
    let mut want = f.audit(at, autoseal::query::parse_duration("30d").ok());
    want.sort_by_key(|e| !e.expiring);
    assert_eq!(r, serde_json::to_value(want).unwrap());

    // An unencoded `+` (a space once decoded) is taken for the offset's.
    let plain: Value = s
        .get("/v1/audit?at=2026-04-01T10:00:00+08:00")
        .json()
        .unwrap();
    assert_eq!(plain, serde_json::to_value(f.audit(at, None)).unwrap());

    // Without `at`: now.
    assert_eq!(s.get("/v1/audit").status(), 200);
    // `lang` is taken (see `lang.rs`).
    assert_eq!(s.get(&format!("/v1/audit?{q}&lang=zh-CN")).status(), 200);

    for (path, field) in [
        ("/v1/templates", "initiator"),
        ("/v1/templates?initiator=acme.nobody", "initiator"),
        (
            "/v1/templates?initiator=acme.li&on_behalf_of=nowhere",
            "on_behalf_of",
        ),
        ("/v1/templates?initiator=acme.li&at=yesterday", "at"),
        (
            "/v1/templates?initiator=acme.li&initiator=acme.wang",
            "initiator",
        ),
        ("/v1/who", "template"),
        ("/v1/who?template=acme.nothing", "template"),
        ("/v1/who?template=acme.nda&all=perhaps", "all"),
        ("/v1/audit?expiring_within=soon", "expiring_within"),
        ("/v1/audit?colour=red", "colour"),
        ("/v1/policy?x=1", "x"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status(), 400, "{path}");
        let v = error(r, 400, &rev);
        assert_eq!(v["field"], field, "{path}: {v}");
    }
}

#[test]
fn policy_health_and_metrics() {
    let dir = policy_dir();
    let s = start(dir.path());
    let rev = s.revision();
    let r = s.get("/v1/policy");
    assert_eq!(header(&r, "autoseal-revision"), rev);
    let p: Value = r.json().unwrap();
    assert_eq!(p["revision"], rev.as_str());
    assert!(p["loaded_at"].as_str().unwrap().ends_with('Z'));
    let files: Vec<&str> = p["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "acme.policy",
            "forbids.policy",
            "orgs.policy",
            "partners.policy"
        ]
    );
    assert!(p["statements"].as_u64().unwrap() > 20);
    assert_eq!(p["journal"], "journal.policy");
    assert_eq!(p["last_reload"]["ok"], true);
    assert_eq!(p["last_reload"]["trigger"], "start");

    let h = s.get("/health");
    assert_eq!(h.status(), 200);
    assert_eq!(header(&h, "autoseal-revision"), rev);
    assert_eq!(
        h.json::<Value>().unwrap(),
        serde_json::json!({"status": "ok", "revision": rev})
    );

    s.post("/v1/decide", &nda_request().to_string());
    let m = s.get("/metrics");
    assert_eq!(m.status(), 200);
    assert_eq!(header(&m, "autoseal-revision"), rev);
    let text = m.text().unwrap();
    for want in [
        "autoseal_decisions_total{decision=\"auto_seal\",code=\"\"} 1",
        "autoseal_decision_latency_seconds_bucket",
        &format!("autoseal_policy_revision{{revision=\"{rev}\"}} 1"),
        "autoseal_journal_appends_total 0",
        "# EOF",
    ] {
        assert!(text.contains(want), "`{want}` not in\n{text}");
    }
}

#[test]
fn every_error_status_with_its_body_and_the_revision_header() {
    let dir = policy_dir();
    let s = start(dir.path());
    let rev = s.revision();
    let c = &s.client;

    let v = error(s.get("/v2/nothing"), 404, &rev);
    assert!(v["error"].as_str().unwrap().contains("/v2/nothing"));
    error(s.get("/v1/decide"), 405, &rev);
    let r = c.delete(s.url("/v1/policy")).send().unwrap();
    assert!(header(&r, "allow").contains("GET"));
    error(r, 405, &rev);

    // 415: a body that is not said to be JSON.
    let body = nda_request().to_string();
    let r = c
        .post(s.url("/v1/decide"))
        .body(body.clone())
        .send()
        .unwrap();
    error(r, 415, &rev);
    let r = c
        .post(s.url("/v1/decide"))
        .header("content-type", "text/plain")
        .body(body.clone())
        .send()
        .unwrap();
    error(r, 415, &rev);
    let r = c
        .post(s.url("/v1/decide"))
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);

    // 413: over 1 MiB, said up front (refused before the body is sent: a
    // client sending it anyway may see the connection reset) or not.
    let big = format!("{{\"x\":\"{}\"}}", "y".repeat(1 << 20));
    let (answer, _) = slow(
        s.base.trim_start_matches("http://"),
        &format!(
            "POST /v1/decide HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            big.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("larger than 1048576 bytes"), "{answer}");
    assert!(
        answer.contains(&format!("autoseal-revision: {rev}")),
        "{answer}"
    );
    let r = c
        .post(s.url("/v1/decide"))
        .header("content-type", "application/json")
        // A reader: sent chunked, without a length up front.
        .body(reqwest::blocking::Body::new(std::io::Cursor::new(
            big.into_bytes(),
        )))
        .send()
        .unwrap();
    error(r, 413, &rev);

    // 400: malformed JSON, wrong types, unknown and missing fields.
    let mut unknown = nda_request();
    unknown["colour"] = "red".into();
    let mut wrong_type = nda_request();
    wrong_type["attributes"] = serde_json::json!([1, 2]);
    let mut bad_id = nda_request();
    bad_id["id"] = 7.into();
    let mut missing = nda_request();
    missing.as_object_mut().unwrap().remove("signer");
    let mut bad_time = nda_request();
    bad_time["at"] = "tomorrow".into();
    let mut bad_number = nda_request();
    bad_number["attributes"]["amount"] = serde_json::json!({"n": 1});
    for (body, field) in [
        (String::from("{\"at\": "), None),
        (String::from("[1, 2]"), None),
        (String::from("\"text\""), None),
        (String::from(""), None),
        (String::from("\u{0}\u{1}"), None),
        (unknown.to_string(), Some("colour")),
        (wrong_type.to_string(), Some("attributes")),
        (bad_id.to_string(), Some("id")),
        (missing.to_string(), Some("signer")),
        (bad_time.to_string(), Some("at")),
        (bad_number.to_string(), Some("attributes.amount")),
    ] {
        let v = error(s.post("/v1/decide", &body), 400, &rev);
        if let Some(f) = field {
            assert_eq!(v["field"], f, "{body}: {v}");
        }
    }
    let r = c
        .post(s.url("/v1/decide"))
        .header("content-type", "application/json")
        .body(vec![b'{', 0xff, b'}'])
        .send()
        .unwrap();
    error(r, 400, &rev);
    // And it goes on answering.
    assert_eq!(
        s.post("/v1/decide", &nda_request().to_string()).status(),
        200
    );
}

#[test]
fn admin_endpoints_need_the_token() {
    let dir = policy_dir();
    let s = start(dir.path());
    let rev = s.revision();
    let c = &s.client;
    let ev = serde_json::json!({"statement": "revoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian"}).to_string();
    for path in ["/v1/events", "/v1/reload"] {
        let r = s.post(path, &ev);
        assert!(header(&r, "www-authenticate").starts_with("Bearer"));
        error(r, 401, &rev);
        let r = c
            .post(s.url(path))
            .header("content-type", "application/json")
            .bearer_auth("wrong")
            .body(ev.clone())
            .send()
            .unwrap();
        assert!(header(&r, "www-authenticate").contains("invalid_token"));
        error(r, 401, &rev);
        let r = c
            .post(s.url(path))
            .header("content-type", "application/json")
            .header("authorization", format!("Basic {TOKEN}"))
            .body(ev.clone())
            .send()
            .unwrap();
        error(r, 401, &rev);
    }
    let r = s.admin("/v1/reload", "");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().unwrap();
    assert_eq!(v, serde_json::json!({"revision": rev, "reloaded": false}));
    assert_eq!(s.admin("/v1/events", &ev).status(), 200);

    // Without a token file, the admin endpoints are off.
    let dir = policy_dir();
    let s = start_with(dir.path(), |o| o.admin_token_file = None);
    let rev = s.revision();
    for path in ["/v1/events", "/v1/reload"] {
        error(s.admin(path, &ev), 403, &rev);
        error(s.post(path, &ev), 403, &rev);
    }
}

/// Sends `head` and then holds the connection; the answer when there is one.
fn slow(addr: &str, head: &str) -> (String, Duration) {
    let t = Instant::now();
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(head.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = c.read_to_string(&mut out);
    (out, t.elapsed())
}

#[test]
fn slow_clients_time_out_while_others_are_answered() {
    let dir = policy_dir();
    let s = start_with(dir.path(), |o| o.read_timeout = Duration::from_millis(800));
    let addr = s.base.trim_start_matches("http://").to_owned();
    let body_then_stall = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            slow(
                &addr,
                "POST /v1/decide HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"at\":",
            )
        })
    };
    let headers_stall = {
        let addr = addr.clone();
        std::thread::spawn(move || slow(&addr, "POST /v1/decide HTTP/1.1\r\nhost: x\r\n"))
    };
    // Others are answered meanwhile.
    for _ in 0..20 {
        assert_eq!(
            s.post("/v1/decide", &nda_request().to_string()).status(),
            200
        );
    }
    let (answer, took) = body_then_stall.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\""), "{answer}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    let (_, took) = headers_stall.join().unwrap();
    assert!(took < Duration::from_secs(5), "closed after {took:?}");
    assert_eq!(
        s.post("/v1/decide", &nda_request().to_string()).status(),
        200
    );
}

/// The service reads a parsed body without writing it out again; what it
/// accepts, refuses (with the same field and message) and decides is what
/// the library's reader makes of the same text.
#[test]
fn a_body_is_read_as_the_library_reads_its_text() {
    let dir = policy_dir();
    let s = start(dir.path());
    let policy = fresh(dir.path()).policy.unwrap();
    let head = r#""at":"2026-04-01T10:00:00+08:00","template":"acme.purchase","initiator":"acme.wang","signer":"initech","signatory":"乙方""#;
    let mut bodies: Vec<String> = [
        "100000",
        "100000.0000000000001",
        "99999.99999999999999",
        "1e5",
        "1E+5",
        "1.5e-3",
        "-0",
        "12345678901234567890123456789",
        "1234567890123456789012345678",
        "\"120000\"",
        "true",
        "null",
        "[1]",
        "{}",
    ]
    .iter()
    .map(|amount| format!(r#"{{{head},"attributes":{{"amount":{amount},"currency":"CNY"}}}}"#))
    .collect();
    for tail in [
        r#","attributes":[]"#,
        r#","attributes":null"#,
        r#","id":5"#,
        r#","id":null"#,
        r#","id":"x-1""#,
        r#","on_behalf_of":null"#,
        r#","on_behalf_of":"acme.sh""#,
        r#","extra":1"#,
    ] {
        bodies.push(format!("{{{head}{tail}}}"));
    }
    bodies.push(
        r#"{"at":20260401,"template":"acme.nda","initiator":"acme.li","signer":"globex"}"#.into(),
    );
    bodies.push(r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme","initiator":"acme.li","signer":"globex"}"#.into());
    bodies.push(r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme.nda","initiator":"acme.li","signer":7}"#.into());
    bodies.push(r#"{"at":"2026-04-01T10:00:00+08:00","template":"acme.nda","initiator":"acme.li","signer":"globex","signatory":"乙方","attributes":{"amount":120000,"currency":"CNY"}}"#.into());
    let (mut decided, mut refused) = (0, 0);
    for body in &bodies {
        let r = s.post("/v1/decide", body);
        let status = r.status().as_u16();
        let got: Value = r.json().unwrap();
        match autoseal::Request::parse(body) {
            Ok(req) => {
                assert_eq!(status, 200, "{body}: {got}");
                let want =
                    serde_json::to_value(policy.render(&policy.decide(&req)).unwrap()).unwrap();
                assert_eq!(decision_part(got), want, "{body}");
                decided += 1;
            }
            Err(e) => {
                assert_eq!(status, 400, "{body}: {got}");
                assert_eq!(got["error"], e.to_string().as_str(), "{body}");
                assert_eq!(got["field"], e.field.as_str(), "{body}");
                refused += 1;
            }
        }
    }
    assert!(
        decided >= 10 && refused >= 5,
        "{decided} decided, {refused} refused"
    );
}
