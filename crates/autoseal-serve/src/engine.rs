//! Reloads and events: everything that replaces the live snapshot. Both
//! run one at a time under the writer lock, on a blocking thread, and
//! swap a whole new snapshot in: a request sees the old set or the new.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::declog::DecisionLog;
use crate::journal::{self, JournalIo};
use crate::metrics::Metrics;
use crate::set::{build, line_ends, new_diagnostics, DiskSet, Refusal, Snapshot};

/// What asked for a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Start,
    Watch,
    Signal,
    Request,
    /// An event found the files on disk changed and reloaded first.
    Event,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Watch => "watch",
            Trigger::Signal => "signal",
            Trigger::Request => "request",
            Trigger::Event => "event",
        }
    }
}

/// The last reload attempt, as `/v1/policy` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub ok: bool,
    pub at: String,
    pub trigger: &'static str,
    /// The revision of the files read, when they could all be read.
    pub revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub diagnostics: Vec<Value>,
}

/// The first answer to an event, given again to a retry with its id.
#[derive(Debug, Clone, Serialize)]
pub struct EventAnswer {
    pub revision: String,
    pub appended: String,
    pub warnings: Vec<Value>,
}

/// An event as posted.
#[derive(Debug, Clone, Default)]
pub struct EventRequest {
    pub statement: String,
    pub event_id: Option<String>,
    pub if_revision: Option<String>,
}

pub enum EventOutcome {
    Applied(EventAnswer),
    /// A retry: the id is already in the journal.
    Repeated(EventAnswer),
    /// `if_revision` is not the live revision (which is given).
    Conflict(String),
    Refused(Refusal),
    /// The journal cannot be written.
    Unavailable(String),
}

pub enum ReloadOutcome {
    Unchanged(String),
    Reloaded(String),
    Refused(Refusal),
}

/// State only the writer (under its lock) touches.
#[derive(Default)]
pub struct Writer {
    /// Events answered since start-up, by id.
    answers: HashMap<String, EventAnswer>,
    /// An append failed and could not be undone: no more appends.
    stuck: bool,
}

/// What every request handler shares.
pub struct Shared {
    pub dir: PathBuf,
    /// The journal as the directory walk names it (`DIR/rel`).
    pub journal_path: PathBuf,
    /// Its path relative to `DIR`.
    pub journal_rel: String,
    pub live: ArcSwap<Snapshot>,
    pub writer: Arc<tokio::sync::Mutex<Writer>>,
    pub last_reload: Mutex<Attempt>,
    pub token: Option<String>,
    pub log: Option<Arc<DecisionLog>>,
    pub mask: Vec<String>,
    pub metrics: Metrics,
    pub io: Arc<dyn JournalIo>,
    pub read_timeout: Duration,
    /// The benchmark floor's fixed answer (`ServeOptions::floor`).
    pub floor: Option<Vec<u8>>,
}

impl Shared {
    pub fn swap(&self, snap: Snapshot) {
        let revision = snap.revision.clone();
        self.live.store(Arc::new(snap));
        self.metrics.set_revision(&revision);
    }

    fn record(&self, trigger: Trigger, revision: Option<String>, refusal: Option<&Refusal>) {
        let attempt = Attempt {
            ok: refusal.is_none(),
            at: now(),
            trigger: trigger.as_str(),
            revision,
            error: refusal.map(|r| r.message.clone()),
            diagnostics: refusal.map(|r| r.diagnostics.clone()).unwrap_or_default(),
        };
        if let Ok(mut last) = self.last_reload.lock() {
            *last = attempt;
        }
    }

    pub fn last_attempt(&self) -> Option<Attempt> {
        self.last_reload.lock().ok().map(|a| a.clone())
    }
}

pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The first attempt, the load at start-up.
pub fn started(revision: &str) -> Attempt {
    Attempt {
        ok: true,
        at: now(),
        trigger: Trigger::Start.as_str(),
        revision: Some(revision.to_owned()),
        error: None,
        diagnostics: Vec::new(),
    }
}

/// Reloads from disk, under the writer lock, off the request threads.
pub async fn reload(shared: Arc<Shared>, trigger: Trigger) -> ReloadOutcome {
    let mut guard = shared.writer.clone().lock_owned().await;
    let run = tokio::task::spawn_blocking(move || reload_locked(&shared, &mut guard, trigger));
    run.await.unwrap_or_else(|e| {
        ReloadOutcome::Refused(Refusal {
            message: format!("the reload failed: {e}"),
            diagnostics: Vec::new(),
            text: String::new(),
        })
    })
}

/// Applies an event, under the writer lock, off the request threads.
pub async fn event(shared: Arc<Shared>, ev: EventRequest) -> EventOutcome {
    let mut guard = shared.writer.clone().lock_owned().await;
    let run = tokio::task::spawn_blocking(move || apply_event(&shared, &mut guard, ev));
    run.await
        .unwrap_or_else(|e| EventOutcome::Unavailable(format!("the event failed: {e}")))
}

/// Reads the directory and swaps its set in when its revision differs
/// from the live one and it loads. A refused set never replaces the live
/// one; the attempt is recorded either way (a file-watch trigger that
/// finds nothing changed, such as the service's own append, is not,
/// unless the last attempt was refused).
pub fn reload_locked(shared: &Shared, _w: &mut Writer, trigger: Trigger) -> ReloadOutcome {
    let disk = match DiskSet::read(&shared.dir) {
        Ok(d) => d,
        Err(e) => return refused(shared, trigger, None, Refusal::from_load_error(&e)),
    };
    let revision = disk.revision();
    let live = shared.live.load();
    if revision.as_deref() == Some(live.revision.as_str()) {
        // A watch that finds the live set (the service's own append) is
        // no attempt, unless it ends a refused one: the files were put
        // back as they are in use.
        let refused_before = shared.last_attempt().is_some_and(|a| !a.ok);
        if trigger != Trigger::Watch || refused_before {
            shared.record(trigger, revision, None);
        }
        Metrics::count(&shared.metrics.reloads, "unchanged");
        return ReloadOutcome::Unchanged(live.revision.clone());
    }
    drop(live);
    match build(&disk, &shared.journal_rel) {
        Ok(snap) => {
            let rev = snap.revision.clone();
            shared.swap(snap);
            shared.record(trigger, Some(rev.clone()), None);
            Metrics::count(&shared.metrics.reloads, "ok");
            tracing::info!(revision = %rev, trigger = trigger.as_str(), "reloaded the policy set");
            ReloadOutcome::Reloaded(rev)
        }
        Err(r) => refused(shared, trigger, revision, r),
    }
}

fn refused(
    shared: &Shared,
    trigger: Trigger,
    revision: Option<String>,
    r: Refusal,
) -> ReloadOutcome {
    shared.record(trigger, revision, Some(&r));
    Metrics::count(&shared.metrics.reloads, "refused");
    tracing::warn!(
        trigger = trigger.as_str(),
        "the policy files do not load; the set in use keeps serving: {}\n{}",
        r.message,
        r.text
    );
    ReloadOutcome::Refused(r)
}

/// One event, start to end: the one place an incremental path would go.
///
/// Phase 1 checks the event by loading the whole would-be set: the files
/// on disk with the journal plus the event (so a fresh load of the
/// directory afterwards gives the same revision, diagnostics and
/// decisions). The steps, in order: a retried id gets its first answer;
/// the statement must be one statement, not a declaration; if the files
/// on disk are not those of the live set, they are reloaded first;
/// `if_revision` must be the live revision; the would-be set must load;
/// the journal is appended to and fsync'ed; the new set is swapped in.
pub fn apply_event(shared: &Shared, w: &mut Writer, ev: EventRequest) -> EventOutcome {
    let outcome = apply(shared, w, ev);
    let result = match &outcome {
        EventOutcome::Applied(_) => "applied",
        EventOutcome::Repeated(_) => "repeated",
        EventOutcome::Conflict(_) => "conflict",
        EventOutcome::Refused(_) => "refused",
        EventOutcome::Unavailable(_) => "unavailable",
    };
    Metrics::count(&shared.metrics.events, result);
    outcome
}

fn apply(shared: &Shared, w: &mut Writer, ev: EventRequest) -> EventOutcome {
    if let Some(a) = ev.event_id.as_ref().and_then(|id| w.answers.get(id)) {
        return EventOutcome::Repeated(a.clone());
    }
    if w.stuck {
        return EventOutcome::Unavailable(String::from(
            "the journal could not be restored after a failed append: restart the service",
        ));
    }
    let line = match journal::one_line(&ev.statement) {
        Ok(l) => l,
        Err(r) => return EventOutcome::Refused(r),
    };
    let mut disk = match DiskSet::read(&shared.dir) {
        Ok(d) => d,
        Err(e) => return EventOutcome::Refused(Refusal::from_load_error(&e)),
    };
    if disk.revision().as_deref() != Some(shared.live.load().revision.as_str()) {
        // A hand edit (or a synced file) not yet reloaded: the event is
        // checked against, and appended after, what is on disk.
        match reload_locked(shared, w, Trigger::Event) {
            ReloadOutcome::Refused(mut r) => {
                r.message = format!(
                    "the policy files changed on disk and do not load, so the event cannot be checked: {}",
                    r.message
                );
                return EventOutcome::Refused(r);
            }
            ReloadOutcome::Reloaded(_) | ReloadOutcome::Unchanged(_) => {}
        }
        disk = match DiskSet::read(&shared.dir) {
            Ok(d) => d,
            Err(e) => return EventOutcome::Refused(Refusal::from_load_error(&e)),
        };
    }
    let live = shared.live.load_full();
    if let Some(id) = &ev.event_id {
        if let Some(&at) = live.events.get(id) {
            return EventOutcome::Repeated(answer_from_journal(shared, &disk, &live, at));
        }
    }
    if let Some(want) = &ev.if_revision {
        if *want != live.revision {
            return EventOutcome::Conflict(live.revision.clone());
        }
    }
    let before: Vec<u8> = disk
        .bytes(&shared.journal_rel)
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    let id = ev
        .event_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let mut record = Vec::with_capacity(line.len() + id.len() + 64);
    if before.last().is_some_and(|&b| b != b'\n' && b != b'\r') {
        record.push(b'\n');
    }
    record.extend_from_slice(format!("# event {id} at {}\n", now()).as_bytes());
    let statement_line = line_ends(&before) + line_ends(&record) + 1;
    record.extend_from_slice(line.as_bytes());
    let mut after = before.clone();
    after.extend_from_slice(&record);
    after.push(b'\n');
    let next = disk.with_file(&shared.journal_rel, &shared.journal_path, after);
    let snap = match build(&next, &shared.journal_rel) {
        Ok(s) => s,
        Err(r) => {
            let mut r = r.only_new(&live.warnings);
            r.message = format!("the event is refused: {}", r.message);
            return EventOutcome::Refused(r);
        }
    };
    if let Err((e, stuck)) = journal::append(
        shared.io.as_ref(),
        &shared.journal_path,
        before.len() as u64,
        &record,
    ) {
        w.stuck |= stuck;
        tracing::error!("cannot append to the journal `{}`: {e}", shared.journal_rel);
        return EventOutcome::Unavailable(format!("the journal cannot be written: {e}"));
    }
    let answer = EventAnswer {
        revision: snap.revision.clone(),
        appended: format!("{}:{statement_line}", shared.journal_rel),
        warnings: new_diagnostics(&snap.warnings, &live.warnings),
    };
    shared.swap(snap);
    shared.io.swapped(&answer.revision);
    shared.metrics.journal_appends.inc();
    tracing::info!(event_id = %id, appended = %answer.appended, revision = %answer.revision, "applied an event");
    w.answers.insert(id, answer.clone());
    EventOutcome::Applied(answer)
}

/// The answer to an event found in the journal but not answered since
/// start-up: where it is, the revision the set had with the journal up to
/// it, and the warnings now on its line.
fn answer_from_journal(
    shared: &Shared,
    disk: &DiskSet,
    live: &Snapshot,
    line: usize,
) -> EventAnswer {
    let journal = disk.bytes(&shared.journal_rel).unwrap_or_default();
    let mut ends = 0;
    let mut cut = journal.len();
    for (i, &b) in journal.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && journal.get(i + 1) != Some(&b'\n')) {
            ends += 1;
            if ends == line {
                cut = i + 1;
                break;
            }
        }
    }
    let prefix = journal.get(..cut).unwrap_or_default().to_vec();
    let revision = disk
        .with_file(&shared.journal_rel, &shared.journal_path, prefix)
        .revision()
        .unwrap_or_else(|| live.revision.clone());
    let warnings = live
        .warnings
        .iter()
        .filter(|d| {
            d.get("file").and_then(Value::as_str) == Some(shared.journal_rel.as_str())
                && d.get("line").and_then(Value::as_u64) == Some(line as u64)
        })
        .cloned()
        .collect();
    EventAnswer {
        revision,
        appended: format!("{}:{line}", shared.journal_rel),
        warnings,
    }
}
