//! What the service tests share: a policy directory of their own, a
//! server on an ephemeral port, a real HTTP client, a fresh load to
//! compare with.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use autoseal::load::{analyze, policy_files, Input};
use autoseal::{Policy, Request};
use autoseal_serve::{ServeOptions, Server};
use reqwest::blocking::{Client, Response};
use serde_json::Value;

/// The bundled policies, in a directory of the test's own.
pub fn policy_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "policy") {
            std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

pub struct Running {
    pub server: Option<Server>,
    pub base: String,
    pub client: Client,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().unwrap()
    }

    pub fn post(&self, path: &str, body: &str) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .unwrap()
    }

    pub fn admin(&self, path: &str, body: &str) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/json")
            .bearer_auth(TOKEN)
            .body(body.to_owned())
            .send()
            .unwrap()
    }

    pub fn event(&self, statement: &str, id: Option<&str>) -> Response {
        let mut body = serde_json::json!({ "statement": statement });
        if let Some(id) = id {
            body["event_id"] = id.into();
        }
        self.admin("/v1/events", &body.to_string())
    }

    pub fn revision(&self) -> String {
        let v: Value = self.get("/health").json().unwrap();
        v["revision"].as_str().unwrap().to_owned()
    }

    pub fn stop(&mut self) -> u8 {
        self.server.take().unwrap().shutdown()
    }
}

pub const TOKEN: &str = "s3cret-token";

pub fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A server on `127.0.0.1:0` for `dir`, with an admin token; `f` may
/// change the options.
pub fn start_with(dir: &Path, f: impl FnOnce(&mut ServeOptions)) -> Running {
    let token = dir.parent().unwrap().join(format!(
        "token-{}",
        dir.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let mut o = ServeOptions::new(dir);
    o.listen = String::from("127.0.0.1:0");
    o.admin_token_file = Some(token);
    f(&mut o);
    let server = Server::start(o).unwrap();
    let base = format!("http://{}", server.addr());
    Running {
        server: Some(server),
        base,
        client: client(),
    }
}

pub fn start(dir: &Path) -> Running {
    start_with(dir, |_| {})
}

/// Waits for `f` to hold, at most `secs` seconds.
pub fn wait_until(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out after {secs} s waiting for {what}");
}

/// The directory loaded afresh with the library alone: its revision,
/// diagnostics and policy (files named relative to the directory).
pub struct Fresh {
    pub revision: String,
    pub diagnostics: Vec<Value>,
    pub policy: Option<Policy>,
}

pub fn fresh(dir: &Path) -> Fresh {
    let files = policy_files(&[dir.to_path_buf()]).unwrap();
    let mut inputs = Vec::new();
    let mut parts = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(dir)
            .unwrap()
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let bytes = std::fs::read(&f).unwrap();
        parts.push((rel.clone(), bytes.clone()));
        inputs.push(Input::new(rel, bytes));
    }
    let revision = autoseal_serve::revision(parts.iter().map(|(r, b)| (r.as_str(), b.as_slice())));
    let analysis = analyze(inputs);
    let diagnostics = analysis
        .diagnostics
        .to_json(&analysis.sources)
        .into_iter()
        .map(|d| serde_json::to_value(d).unwrap())
        .collect();
    let policy = Policy::from_analysis(analysis).ok().map(|l| l.policy);
    Fresh {
        revision,
        diagnostics,
        policy,
    }
}

/// Requests whose answers the bundled set makes interesting.
pub fn requests() -> Vec<Value> {
    let mut out = Vec::new();
    for at in [
        "2026-03-12T10:00:00+08:00",
        "2026-04-01T10:00:00+08:00",
        "2026-06-02T10:00:00+08:00",
        "2026-07-15T10:00:00+08:00",
        "2030-01-01T12:00:00Z",
    ] {
        for (template, initiator, signer, signatory) in [
            ("acme.nda", "acme.li", "globex", Some("乙方")),
            ("acme.nda", "acme.wang", "initech", Some("乙方")),
            ("acme.purchase", "acme.wang", "initech", Some("乙方")),
            ("acme.labor", "acme.li", "acme", None),
            ("acme_sh.lease", "acme.li", "globex", Some("出租方")),
        ] {
            let mut r = serde_json::json!({
                "at": at, "template": template, "initiator": initiator, "signer": signer,
                "attributes": {"amount": 120000, "currency": "CNY", "framework": true}
            });
            if let Some(s) = signatory {
                r["signatory"] = s.into();
            }
            out.push(r);
        }
    }
    out
}

/// A decision as the library renders it, for comparison.
pub fn expected(policy: &Policy, request: &Value) -> Value {
    let req = Request::parse(&request.to_string()).unwrap();
    serde_json::to_value(policy.render(&policy.decide(&req)).unwrap()).unwrap()
}

/// A served decision without what only the service adds.
pub fn decision_part(mut v: Value) -> Value {
    let m = v.as_object_mut().unwrap();
    for k in ["id", "decision_id", "revision"] {
        m.remove(k);
    }
    v
}

/// After any sequence of events, the running set equals a fresh load of
/// the directory: revision, diagnostics and decisions.
pub fn assert_equivalent(s: &Running, dir: &Path) {
    let f = fresh(dir);
    let p: Value = s.get("/v1/policy").json().unwrap();
    assert_eq!(p["revision"], f.revision.as_str(), "revision");
    assert_eq!(
        p["warnings"],
        Value::Array(f.diagnostics.clone()),
        "diagnostics"
    );
    let policy = f.policy.expect("the directory loads afresh");
    for r in requests() {
        let got: Value = s.post("/v1/decide", &r.to_string()).json().unwrap();
        assert_eq!(got["revision"], f.revision.as_str());
        assert_eq!(decision_part(got), expected(&policy, &r), "request {r}");
    }
}

/// The request the README's example makes, at an instant g_globex holds.
pub fn nda_request() -> Value {
    serde_json::json!({
        "at": "2026-04-01T10:00:00+08:00", "template": "acme.nda",
        "initiator": "acme.li", "signer": "globex", "signatory": "乙方",
        "attributes": {"amount": 120000, "currency": "CNY"}
    })
}

pub fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap()
}

pub fn journal(dir: &Path) -> PathBuf {
    dir.join("journal.policy")
}

/// Shared recorder of what happened, in order.
pub type Steps = Arc<std::sync::Mutex<Vec<String>>>;
