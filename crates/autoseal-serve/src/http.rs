//! The endpoints of service.md.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant as Clock;

use autoseal::diag::DiagnosticJson;
use autoseal::query::parse_duration;
use autoseal::request::Field;
use autoseal::{Instant, Lang, Request};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::ser::Serialize;
use serde_json::{Map, Value};
use tower_http::catch_panic::CatchPanicLayer;

use crate::engine::{self, EventOutcome, EventRequest, ReloadOutcome, Shared, Trigger};
use crate::journal::valid_event_id;
use crate::metrics::DecisionLabels;
use crate::set::Snapshot;

/// Largest body, but for a batch.
pub const BODY_LIMIT: usize = 1 << 20;
/// Largest batch body.
pub const BATCH_BODY_LIMIT: usize = 16 << 20;
/// Most requests in a batch.
pub const BATCH_LIMIT: usize = 10_000;

pub const REVISION: HeaderName = HeaderName::from_static("autoseal-revision");

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/decide", post(decide))
        .route("/v1/decide/batch", post(batch))
        .route("/v1/templates", get(templates))
        .route("/v1/who", get(who))
        .route("/v1/audit", get(audit))
        .route("/v1/policy", get(policy))
        .route("/v1/reload", post(reload))
        .route("/v1/events", post(events))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .layer(CatchPanicLayer::custom(|_| {
            // Never reached by any input we know of; a last line of defence
            // that still answers in the contract's shape.
            json(
                StatusCode::INTERNAL_SERVER_ERROR,
                &serde_json::json!({"error": "internal error"}),
            )
        }))
        // Outermost: every answer, a caught panic's too, gets the header.
        .layer(middleware::from_fn_with_state(shared.clone(), finish))
        .with_state(shared)
}

// ---------------------------------------------------------------- errors

/// An error answer: `{"error": MESSAGE}` plus `field`, `diagnostics`, ...
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Map<String, Value>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        let mut body = Map::new();
        body.insert("error".into(), Value::String(message.into()));
        ApiError {
            status,
            body,
            headers: Vec::new(),
        }
    }

    fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    fn with(mut self, key: &str, value: impl Into<Value>) -> ApiError {
        self.body.insert(key.into(), value.into());
        self
    }

    /// Names the field at fault (when there is one).
    fn field(self, field: &str) -> ApiError {
        if field.is_empty() {
            self
        } else {
            self.with("field", field)
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = json(self.status, &self.body);
        for (k, v) in self.headers {
            res.headers_mut().insert(k, v);
        }
        res
    }
}

fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => json_bytes(status, bytes),
        Err(e) => json_bytes(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{{\"error\":{:?}}}", e.to_string()).into_bytes(),
        ),
    }
}

fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut res = (status, bytes).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// Every answer gets the revision header (of the snapshot that answered,
/// else of the live one) and an error body in the contract's shape (for
/// the answers the framework makes itself, such as 405; a body too large
/// is answered by [`read_body`]).
async fn finish(
    State(shared): State<Arc<Shared>>,
    req: axum::extract::Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let method = req.method().clone();
    let mut res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let message = match status {
            StatusCode::METHOD_NOT_ALLOWED => format!("`{method}` is not allowed on `{path}`"),
            s => s
                .canonical_reason()
                .unwrap_or("error")
                .to_lowercase()
                .to_string(),
        };
        let headers = res.headers().clone();
        res = json(status, &serde_json::json!({ "error": message }));
        for (k, v) in &headers {
            if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
                res.headers_mut().insert(k.clone(), v.clone());
            }
        }
    }
    if !res.headers().contains_key(&REVISION) {
        if let Ok(v) = HeaderValue::from_str(&shared.live.load().revision) {
            res.headers_mut().insert(REVISION, v);
        }
    }
    res
}

/// The largest body the route at `path` takes.
fn body_limit(path: &str) -> usize {
    if path == "/v1/decide/batch" {
        BATCH_BODY_LIMIT
    } else {
        BODY_LIMIT
    }
}

fn too_large(path: &str) -> String {
    format!("the body is larger than {} bytes", body_limit(path))
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no such endpoint `{}`", uri.path()),
    )
}

// ---------------------------------------------------------------- input

/// The body as JSON: `Content-Type` must say JSON (415), the body must fit
/// (413) and arrive within the read timeout (408), and be JSON (400).
async fn json_body(
    shared: &Shared,
    path: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !(mime == "application/json" || mime.starts_with("application/") && mime.ends_with("+json"))
    {
        let shown = if ct.is_empty() { "none" } else { ct };
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("the body must be JSON (`Content-Type: application/json`), not `{shown}`"),
        ));
    }
    let bytes = read_body(shared, path, body).await?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    serde_json::from_slice(bytes).map_err(|e| ApiError::bad(format!("not JSON: {e}")))
}

/// How much more than its limit of a body sent without a length is read
/// and thrown away before the 413 answer: a client still sending it then
/// reads the answer, where closing the connection on unread bytes would
/// reset it first (nginx's "lingering close"). A body declared too long is
/// refused at once, before it is sent.
const DRAIN_LIMIT: usize = 16 << 20;

/// A whole body, within the read timeout and the route's size limit.
async fn read_body(shared: &Shared, path: &str, mut body: Body) -> Result<Bytes, ApiError> {
    use http_body_util::BodyExt as _;
    let limit = body_limit(path);
    let too_large = || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, too_large(path));
    let declared = axum::body::HttpBody::size_hint(&body).exact();
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let deadline = tokio::time::Instant::now() + shared.read_timeout;
    let mut kept: Vec<u8> = Vec::new();
    let mut over = 0usize;
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) if over > 0 => return Err(too_large()),
            Err(_) => {
                return Err(ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "the body did not arrive within {} s",
                        shared.read_timeout.as_secs_f64()
                    ),
                ))
            }
            Ok(None) => break,
            Ok(Some(Err(e))) if over > 0 => {
                tracing::debug!("an over-long body stopped: {e}");
                return Err(too_large());
            }
            Ok(Some(Err(e))) => return Err(ApiError::bad(format!("cannot read the body: {e}"))),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if over == 0 && kept.len() + data.len() <= limit {
            kept.extend_from_slice(&data);
        } else {
            over += data.len();
            if over > DRAIN_LIMIT {
                break;
            }
        }
    }
    if over > 0 {
        return Err(too_large());
    }
    Ok(Bytes::from(kept))
}

/// The query's parameters: each known (`lang` is always allowed: see
/// [`lang`]), each once.
fn query(raw: Option<&str>, allowed: &[&str]) -> Result<HashMap<String, String>, ApiError> {
    let mut out = HashMap::new();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if k != "lang" && !allowed.contains(&k.as_ref()) {
            let known = if allowed.is_empty() {
                String::from("this endpoint takes none but `lang`")
            } else {
                format!(
                    "this endpoint takes {}",
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(ApiError::bad(format!("unknown query parameter `{k}`: {known}")).field(&k));
        }
        if out.insert(k.to_string(), v.to_string()).is_some() {
            return Err(ApiError::bad(format!("query parameter `{k}` is given twice")).field(&k));
        }
    }
    Ok(out)
}

/// The language of an answer's messages: `?lang=` (`en` or `zh-CN`; any
/// other is refused), else the best of `Accept-Language` by its q-values,
/// else English.
fn lang(q: &HashMap<String, String>, headers: &HeaderMap) -> Result<Lang, ApiError> {
    if let Some(l) = q.get("lang") {
        return l.parse::<Lang>().map_err(|e| {
            ApiError::bad(format!("`lang`: {e}: the languages are `en` and `zh-CN`")).field("lang")
        });
    }
    // Several headers are one list.
    let ranges: Vec<&str> = headers
        .get_all(header::ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    Ok(accept_language(&ranges.join(",")))
}

/// The language an `Accept-Language` header prefers among `en` and
/// `zh-CN`: the range of the highest q-value that one of them matches
/// (the first listed of equal ones); English when none does. `zh`,
/// `zh-CN`, `zh-SG` and `zh-Hans` match Simplified Chinese (`zh-TW`,
/// `zh-HK`, `zh-MO` and `zh-Hant`, Traditional Chinese, do not); `en` and
/// `en-*` English; `*` the default, English.
fn accept_language(header: &str) -> Lang {
    let mut best: Option<(f32, Lang)> = None;
    for range in header.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1.0f32;
        for p in parts {
            let p = p.trim();
            if let Some(v) = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")) {
                q = v.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0);
            }
        }
        if q <= 0.0 {
            continue;
        }
        let mut sub = tag.split('-');
        let primary = sub.next().unwrap_or("");
        let rest: Vec<&str> = sub.collect();
        let matched = match (primary, rest.as_slice()) {
            ("*", _) | ("en", _) => Some(Lang::En),
            ("zh", [] | ["cn" | "sg" | "my" | "hans", ..]) => Some(Lang::ZhCn),
            _ => None,
        };
        if let Some(l) = matched {
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, l));
            }
        }
    }
    best.map_or(Lang::En, |(_, l)| l)
}

/// JSON diagnostics (as the set's loader gives them, in English) with
/// their message and help in `lang`, rendered again from their code and
/// params; one that is no diagnostic of a policy file (an unreadable
/// directory) is kept as it is.
fn localized(mut diagnostics: Vec<Value>, lang: Lang) -> Vec<Value> {
    if lang != Lang::En {
        for d in &mut diagnostics {
            localize(d, lang);
        }
    }
    diagnostics
}

fn localize(v: &mut Value, lang: Lang) {
    let Ok(mut d) = serde_json::from_value::<DiagnosticJson>(v.clone()) else {
        return;
    };
    d.localize(lang);
    if let Value::Object(m) = v {
        m.insert("message".into(), Value::String(d.message));
        m.insert("help".into(), d.help.map_or(Value::Null, Value::String));
    }
}

fn flag(q: &HashMap<String, String>, name: &str) -> Result<bool, ApiError> {
    match q.get(name).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") | Some("") => Ok(true),
        Some(other) => Err(ApiError::bad(format!(
            "`{name}` must be `true` or `false`, not `{other}`"
        ))
        .field(name)),
    }
}

/// `at` as `--at` reads it: a time, or a date (the start of that day in
/// the set's time zone).
fn at(q: &HashMap<String, String>, snap: &Snapshot) -> Result<Instant, ApiError> {
    match q.get("at") {
        None => Ok(Instant::from_datetime(&chrono::Utc::now())),
        // An offset's `+` left unencoded in a query string decodes as a
        // space; an RFC 3339 time has no space, so it is read back as `+`.
        Some(s) => autoseal::query::parse_at(&s.replace(' ', "+"), snap.policy.time_zone())
            .map_err(|e| ApiError::bad(format!("`at`: {e}")).field("at")),
    }
}

fn required<'a>(q: &'a HashMap<String, String>, name: &str) -> Result<&'a str, ApiError> {
    q.get(name)
        .map(String::as_str)
        .ok_or_else(|| ApiError::bad(format!("missing query parameter `{name}`")).field(name))
}

/// A query naming something the set does not know.
fn unknown(e: &autoseal::query::QueryError, field: &str) -> ApiError {
    ApiError::bad(e.to_string()).field(field)
}

// ---------------------------------------------------------------- decide

/// A parsed body as the library's request reader takes it: read once,
/// never written out and parsed again. Numbers keep their text
/// (`arbitrary_precision`), so they are read exactly.
pub fn fields(v: &Value) -> Field<'_> {
    match v {
        Value::Null => Field::Null,
        Value::Bool(b) => Field::Bool(*b),
        Value::Number(n) => Field::Number(Cow::Borrowed(n.as_str())),
        Value::String(s) => Field::Text(Cow::Borrowed(s)),
        Value::Object(m) => Field::Map(
            m.iter()
                .map(|(k, v)| (Field::Text(Cow::Borrowed(k)), fields(v)))
                .collect(),
        ),
        Value::Array(_) => Field::Other,
    }
}

/// A decision as answered: the library's rendering, then `id`,
/// `decision_id` and `revision`.
#[derive(serde::Serialize)]
struct Answer<'a, R: Serialize> {
    #[serde(flatten)]
    rendered: &'a R,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    decision_id: &'a str,
    revision: &'a str,
}

/// A decision as logged (service.md, "Decision log").
#[derive(serde::Serialize)]
struct LogLine<'a, D, S, B, R, C> {
    decision_id: &'a str,
    time: String,
    request: &'a Value,
    decision: &'a D,
    seal: &'a S,
    basis: &'a B,
    rule: &'a R,
    reasons: Vec<&'a C>,
    revision: &'a str,
    latency_us: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    explain: bool,
}

pub enum DecideError {
    Invalid {
        message: String,
        field: String,
    },
    /// The decision log cannot take the line.
    Log,
}

impl DecideError {
    fn invalid(message: impl Into<String>, field: &str) -> DecideError {
        DecideError::Invalid {
            message: message.into(),
            field: field.to_owned(),
        }
    }
}

fn log_unwritable() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "the decision log cannot be written: no decision is given unlogged",
    )
}

/// Decides one request (a JSON value as received) against a snapshot:
/// the answer's JSON bytes (messages in `lang`), its line in the decision
/// log written.
pub fn decide_value(
    shared: &Shared,
    snap: &Snapshot,
    value: &Value,
    explain: bool,
    lang: Lang,
) -> Result<Vec<u8>, DecideError> {
    let start = Clock::now();
    if !value.is_object() {
        return Err(DecideError::invalid("a request is a JSON object", ""));
    }
    let req = Request::from_fields(&fields(value))
        .map_err(|e| DecideError::invalid(e.to_string(), &e.field))?;
    let id = req.id.as_deref();
    let policy = &snap.policy;
    // Decided and rendered by the one snapshot this request sees.
    let rendered = if explain {
        policy.explain_rendered(&req, lang)
    } else {
        policy.decide_rendered(&req, lang)
    };
    let elapsed = start.elapsed();
    shared.metrics.latency.observe(elapsed.as_secs_f64());
    shared
        .metrics
        .decisions
        .get_or_create(&DecisionLabels {
            decision: rendered.decision.as_str(),
            code: rendered.reasons.first().map_or("", |r| r.code.as_str()),
        })
        .inc();
    let decision_id = uuid::Uuid::now_v7().to_string();
    if let Some(log) = &shared.log {
        let request = masked(value, &shared.mask);
        let line = LogLine {
            decision_id: &decision_id,
            time: engine::now(),
            request: &request,
            decision: &rendered.decision,
            seal: &rendered.seal,
            basis: &rendered.basis,
            rule: &rendered.rule,
            reasons: rendered.reasons.iter().map(|r| &r.code).collect(),
            revision: &snap.revision,
            latency_us: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            explain,
        };
        let bytes = serde_json::to_vec(&line).map_err(|_| DecideError::Log)?;
        log.push(&bytes).map_err(|_| DecideError::Log)?;
    }
    let answer = Answer {
        rendered: &rendered,
        id,
        decision_id: &decision_id,
        revision: &snap.revision,
    };
    serde_json::to_vec(&answer).map_err(|e| DecideError::invalid(e.to_string(), ""))
}

/// The request with each masked attribute's value replaced by `"***"`.
pub fn masked<'a>(value: &'a Value, mask: &[String]) -> Cow<'a, Value> {
    let hit = |attrs: &Map<String, Value>| mask.iter().any(|m| attrs.contains_key(m));
    match value.get("attributes") {
        Some(Value::Object(attrs)) if hit(attrs) => {
            let mut v = value.clone();
            if let Some(Value::Object(attrs)) = v.get_mut("attributes") {
                for m in mask {
                    if let Some(slot) = attrs.get_mut(m) {
                        *slot = Value::String(String::from(MASK));
                    }
                }
            }
            Cow::Owned(v)
        }
        _ => Cow::Borrowed(value),
    }
}

/// What a masked attribute's value is logged as.
pub const MASK: &str = "***";

fn revision_header(snap: &Snapshot) -> Option<HeaderValue> {
    HeaderValue::from_str(&snap.revision).ok()
}

fn with_revision(mut res: Response, snap: &Snapshot) -> Response {
    if let Some(v) = revision_header(snap) {
        res.headers_mut().insert(REVISION, v);
    }
    res
}

async fn decide(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if let Some(fixed) = &shared.floor {
        return floor(&shared, fixed, body).await;
    }
    let q = query(raw.as_deref(), &["explain"])?;
    let explain = flag(&q, "explain")?;
    let lang = lang(&q, &headers)?;
    let value = json_body(&shared, "/v1/decide", &headers, body).await?;
    if shared.log.as_ref().is_some_and(|l| l.is_broken()) {
        return Err(log_unwritable());
    }
    let snap = shared.live.load_full();
    match decide_value(&shared, &snap, &value, explain, lang) {
        Ok(bytes) => Ok(with_revision(json_bytes(StatusCode::OK, bytes), &snap)),
        Err(DecideError::Invalid { message, field }) => Err(ApiError::bad(message).field(&field)),
        Err(DecideError::Log) => Err(log_unwritable()),
    }
}

/// The benchmark floor: what answering costs without parsing or deciding
/// (the body is still read whole, as a decision reads it).
async fn floor(shared: &Shared, fixed: &[u8], body: Body) -> Result<Response, ApiError> {
    read_body(shared, "/v1/decide", body).await?;
    let snap = shared.live.load_full();
    Ok(with_revision(
        json_bytes(StatusCode::OK, fixed.to_vec()),
        &snap,
    ))
}

async fn batch(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let q = query(raw.as_deref(), &["explain"])?;
    let explain = flag(&q, "explain")?;
    let lang = lang(&q, &headers)?;
    let value = json_body(&shared, "/v1/decide/batch", &headers, body).await?;
    let Value::Object(mut map) = value else {
        return Err(ApiError::bad(
            "a batch is a JSON object: `{\"requests\": [...]}`",
        ));
    };
    if let Some(k) = map.keys().find(|k| *k != "requests") {
        return Err(ApiError::bad(format!("unknown field `{k}`")).field(k));
    }
    let requests = match map.remove("requests") {
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(ApiError::bad("`requests` must be an array").field("requests"));
        }
        None => return Err(ApiError::bad("missing field `requests`").field("requests")),
    };
    if requests.len() > BATCH_LIMIT {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "a batch holds at most {BATCH_LIMIT} requests, not {}",
                requests.len()
            ),
        )
        .field("requests"));
    }
    if shared.log.as_ref().is_some_and(|l| l.is_broken()) {
        return Err(log_unwritable());
    }
    let snap = shared.live.load_full();
    let work = {
        let (shared, snap) = (shared.clone(), snap.clone());
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::with_capacity(requests.len() * 256 + 16);
            out.extend_from_slice(b"{\"decisions\":[");
            for (i, r) in requests.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                match decide_value(&shared, &snap, r, explain, lang) {
                    Ok(bytes) => out.extend_from_slice(&bytes),
                    Err(DecideError::Invalid { message, field }) => {
                        let mut e = Map::new();
                        e.insert("error".into(), Value::String(message));
                        if !field.is_empty() {
                            e.insert("field".into(), Value::String(field));
                        }
                        if serde_json::to_writer(&mut out, &e).is_err() {
                            return None;
                        }
                    }
                    Err(DecideError::Log) => return None,
                }
            }
            out.extend_from_slice(b"]}");
            Some(out)
        })
    };
    match work.await {
        Ok(Some(bytes)) => Ok(with_revision(json_bytes(StatusCode::OK, bytes), &snap)),
        Ok(None) => Err(log_unwritable()),
        Err(e) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the batch failed: {e}"),
        )),
    }
}

// ---------------------------------------------------------------- reports

async fn templates(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let q = query(raw.as_deref(), &["initiator", "on_behalf_of", "at"])?;
    let lang = lang(&q, &headers)?;
    let initiator = required(&q, "initiator")?;
    let snap = shared.live.load_full();
    let at = at(&q, &snap)?;
    let obo = q.get("on_behalf_of").map(String::as_str);
    let list = snap
        .policy
        .templates_for_in(initiator, obo, at, &[], lang)
        .map_err(|e| {
            unknown(
                &e,
                if e.what == "employee" {
                    "initiator"
                } else {
                    "on_behalf_of"
                },
            )
        })?;
    Ok(with_revision(json(StatusCode::OK, &list), &snap))
}

async fn who(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let q = query(raw.as_deref(), &["template", "at", "initiator", "all"])?;
    let lang = lang(&q, &headers)?;
    let template = required(&q, "template")?;
    let snap = shared.live.load_full();
    let at = at(&q, &snap)?;
    let all = flag(&q, "all")?;
    let initiator = q.get("initiator").map(String::as_str);
    let found = snap.policy.who_in(template, at, initiator, &[], lang);
    let mut list = found.map_err(|e| {
        unknown(
            &e,
            if e.what == "template" {
                "template"
            } else {
                "initiator"
            },
        )
    })?;
    if !all {
        list.retain(|s| s.auto_seal || s.conditional);
    }
    Ok(with_revision(json(StatusCode::OK, &list), &snap))
}

async fn audit(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let q = query(raw.as_deref(), &["at", "expiring_within"])?;
    // Its entries carry codes, no message; the language is checked all
    // the same.
    lang(&q, &headers)?;
    let snap = shared.live.load_full();
    let at = at(&q, &snap)?;
    let within = match q.get("expiring_within") {
        None => None,
        Some(s) => Some(parse_duration(s).map_err(|e| {
            ApiError::bad(format!("`expiring_within`: {e}")).field("expiring_within")
        })?),
    };
    let mut list = snap.policy.audit(at, within);
    if within.is_some() {
        // Those about to lapse first, as the CLI lists them.
        list.sort_by_key(|e| !e.expiring);
    }
    Ok(with_revision(json(StatusCode::OK, &list), &snap))
}

async fn policy(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let q = query(raw.as_deref(), &[])?;
    let lang = lang(&q, &headers)?;
    let snap = shared.live.load_full();
    let files: Vec<Value> = snap
        .files
        .iter()
        .map(|(path, bytes)| serde_json::json!({"path": path, "bytes": bytes}))
        .collect();
    let body = serde_json::json!({
        "revision": snap.revision,
        "loaded_at": snap.loaded_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "files": files,
        "statements": snap.statements,
        "warnings": localized((*snap.warnings).clone(), lang),
        "journal": shared.journal_rel,
        "last_reload": shared.last_attempt().map(|mut a| {
            a.diagnostics = localized(std::mem::take(&mut a.diagnostics), lang);
            a
        }),
    });
    Ok(with_revision(json(StatusCode::OK, &body), &snap))
}

async fn health(State(shared): State<Arc<Shared>>) -> Response {
    let snap = shared.live.load_full();
    if shared.log.as_ref().is_some_and(|l| l.is_broken()) {
        let body = serde_json::json!({
            "error": "the decision log cannot be written",
            "status": "unavailable",
            "revision": snap.revision,
        });
        return with_revision(json(StatusCode::SERVICE_UNAVAILABLE, &body), &snap);
    }
    let body = serde_json::json!({"status": "ok", "revision": snap.revision});
    with_revision(json(StatusCode::OK, &body), &snap)
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let mut res = shared.metrics.render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    res
}

// ---------------------------------------------------------------- admin

/// `Authorization: Bearer TOKEN`: 403 while no token file is configured,
/// 401 (with `WWW-Authenticate: Bearer`) for a missing or wrong token.
fn admin(shared: &Shared, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &shared.token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "admin endpoints are off: the service was started without `--admin-token-file`",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    let (message, challenge) = match given {
        None => (
            "this endpoint needs `Authorization: Bearer TOKEN`",
            "Bearer realm=\"autoseal\"",
        ),
        Some(t) if same(t.as_bytes(), token.as_bytes()) => return Ok(()),
        Some(_) => (
            "the admin token is wrong",
            "Bearer realm=\"autoseal\", error=\"invalid_token\"",
        ),
    };
    let mut e = ApiError::new(StatusCode::UNAUTHORIZED, message);
    e.headers.push((
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    ));
    Err(e)
}

/// Compares in time that depends on the lengths only.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn reload(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    admin(&shared, &headers)?;
    let q = query(raw.as_deref(), &[])?;
    let lang = lang(&q, &headers)?;
    match engine::reload(shared.clone(), Trigger::Request).await {
        ReloadOutcome::Unchanged(rev) => Ok(json(
            StatusCode::OK,
            &serde_json::json!({"revision": rev, "reloaded": false}),
        )),
        ReloadOutcome::Reloaded(rev) => Ok(json(
            StatusCode::OK,
            &serde_json::json!({"revision": rev, "reloaded": true}),
        )),
        ReloadOutcome::Refused(r) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the set on disk was not loaded: {}", r.message),
        )
        .with("diagnostics", localized(r.diagnostics, lang))
        .with("revision", shared.live.load().revision.clone())),
    }
}

async fn events(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let res = event_answer(&shared, raw.as_deref(), &headers, body).await;
    let res = match res {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    shared.io.answered(res.status().as_u16());
    res
}

async fn event_answer(
    shared: &Arc<Shared>,
    raw: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    admin(shared, headers)?;
    let q = query(raw, &[])?;
    let lang = lang(&q, headers)?;
    let value = json_body(shared, "/v1/events", headers, body).await?;
    let ev = event_request(value)?;
    match engine::event(shared.clone(), ev).await {
        EventOutcome::Applied(mut a) | EventOutcome::Repeated(mut a) => {
            a.warnings = localized(std::mem::take(&mut a.warnings), lang);
            let mut res = json(StatusCode::OK, &a);
            if let Ok(v) = HeaderValue::from_str(&a.revision) {
                res.headers_mut().insert(REVISION, v);
            }
            Ok(res)
        }
        EventOutcome::Conflict(rev) => Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("`if_revision` is not the current revision `{rev}`"),
        )
        .field("if_revision")
        .with("revision", rev)),
        EventOutcome::Refused(r) => Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, r.message)
            .with("diagnostics", localized(r.diagnostics, lang))),
        EventOutcome::Unavailable(m) => Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, m)),
    }
}

/// `{"statement": "...", "event_id": "...", "if_revision": "..."}`.
fn event_request(value: Value) -> Result<EventRequest, ApiError> {
    let Value::Object(map) = value else {
        return Err(ApiError::bad(
            "an event is a JSON object: `{\"statement\": \"...\"}`",
        ));
    };
    let mut ev = EventRequest::default();
    let mut statement = None;
    for (k, v) in map {
        let text = |v: Value| match v {
            Value::String(s) => Ok(s),
            _ => Err(ApiError::bad(format!("`{k}` must be a string")).field(&k)),
        };
        match k.as_str() {
            "statement" => statement = Some(text(v)?),
            "event_id" if v.is_null() => {}
            "event_id" => {
                let id = text(v)?;
                if !valid_event_id(&id) {
                    return Err(ApiError::bad(
                        "`event_id` must be 1 to 128 characters, without white space or control characters",
                    )
                    .field("event_id"));
                }
                ev.event_id = Some(id);
            }
            "if_revision" if v.is_null() => {}
            "if_revision" => ev.if_revision = Some(text(v)?),
            _ => return Err(ApiError::bad(format!("unknown field `{k}`")).field(&k)),
        }
    }
    ev.statement =
        statement.ok_or_else(|| ApiError::bad("missing field `statement`").field("statement"))?;
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Accept-Language` picks the best of `en` and `zh-CN` by q-values
    /// (the first listed of equal ones), English when none matches.
    #[test]
    fn accept_language_picks_by_q_values() {
        let cases = [
            ("", Lang::En),
            ("zh-CN", Lang::ZhCn),
            ("zh", Lang::ZhCn),
            ("ZH-cn", Lang::ZhCn),
            ("zh-Hans-CN", Lang::ZhCn),
            ("zh-SG", Lang::ZhCn),
            ("zh-TW", Lang::En),
            ("zh-Hant", Lang::En),
            ("fr, de;q=0.9", Lang::En),
            ("fr, zh;q=0.5", Lang::ZhCn),
            ("zh-CN,zh;q=0.9,en;q=0.8", Lang::ZhCn),
            ("en-US,en;q=0.9,zh-CN;q=0.8", Lang::En),
            ("en;q=0.5, zh-CN;q=0.8", Lang::ZhCn),
            ("zh-CN;q=0.5, en;q=0.5", Lang::ZhCn),
            ("en;q=0.5, zh-CN;q=0.5", Lang::En),
            ("zh-CN;q=0, en;q=0.1", Lang::En),
            ("zh-CN;q=0", Lang::En),
            ("*;q=0.9, zh;q=0.8", Lang::En),
            ("zh;q=0.95, *;q=0.9", Lang::ZhCn),
            ("zh-CN;q=oops", Lang::En),
            (" zh-CN ; q=0.7 , en ; q=0.6", Lang::ZhCn),
        ];
        for (header, want) in cases {
            assert_eq!(accept_language(header), want, "{header:?}");
        }
    }
}
