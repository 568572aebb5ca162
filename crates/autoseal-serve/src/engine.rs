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
use autoseal::live::AppendError;

use crate::set::{
    build_kept, json, line_ends, new_diagnostics, refusal, snapshot, DiskSet, Kept, Refusal,
    Snapshot,
};

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
    /// What the live snapshot was built from, to apply events to; `None`
    /// until a set is built with it.
    kept: Option<Kept>,
}

impl Writer {
    /// The writer of a service that started with `kept`.
    pub fn new(kept: Kept) -> Writer {
        Writer {
            kept: Some(kept),
            ..Writer::default()
        }
    }
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
pub fn reload_locked(shared: &Shared, w: &mut Writer, trigger: Trigger) -> ReloadOutcome {
    let kept = w.kept.as_ref();
    let disk = match DiskSet::read_again(&shared.dir, kept.map(|k| &k.disk)) {
        Ok(d) => d,
        Err(e) => return refused(shared, trigger, None, Refusal::from_load_error(&e)),
    };
    let revision = match kept {
        Some(k) => k.revision_of(&disk),
        None => disk.revision(),
    };
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
    if let Some(outcome) = follow_journal(shared, w, &disk, trigger) {
        return outcome;
    }
    let prev = w.kept.as_ref().map(|k| &k.set);
    match build_kept(&disk, &shared.journal_rel, prev) {
        Ok((snap, kept)) => {
            w.kept = Some(kept);
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

/// When the only change on disk is lines appended to the journal (a
/// replica following the writer's journal), applies them to the kept set,
/// as events; `None` when they cannot be (the set is then built whole).
fn follow_journal(
    shared: &Shared,
    w: &mut Writer,
    disk: &DiskSet,
    trigger: Trigger,
) -> Option<ReloadOutcome> {
    let kept = w.kept.as_mut()?;
    let rel = shared.journal_rel.as_str();
    let old = kept.disk.bytes(rel)?;
    let new = disk.bytes(rel)?;
    let tail = new.strip_prefix(old)?;
    if tail.is_empty() || !kept.set.file_names().iter().any(|n| n == rel) {
        return None;
    }
    let others = disk.with_file(rel, &shared.journal_path, old.to_vec());
    if !others.same(&kept.disk) {
        return None;
    }
    let revision = disk.revision_after(rel, &mut kept.prefix)?;
    match kept.set.append(rel, tail) {
        Ok(pending) => {
            kept.set.commit(pending);
            kept.on_disk(disk.clone(), revision.clone());
            let snap = snapshot(kept, rel, revision.clone());
            shared.swap(snap);
            shared.record(trigger, Some(revision.clone()), None);
            Metrics::count(&shared.metrics.reloads, "ok");
            tracing::info!(revision = %revision, trigger = trigger.as_str(), "applied the lines appended to the journal");
            Some(ReloadOutcome::Reloaded(revision))
        }
        // Refused: the whole set is built, to say why as a full load does.
        Err(_) => None,
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

/// One event, start to end.
///
/// The event is checked with the set the writer keeps (what the live
/// snapshot was built from: each file's syntax tree, the checker's state,
/// the compiled policy), at the cost of its one statement
/// ([`autoseal::live::LiveSet::append`]); what that cannot take, it checks
/// by loading the would-be set whole, with only the journal parsed again.
/// Either way the new set is what a fresh load of the directory with the
/// event gives (the same revision, diagnostics and decisions). When the
/// writer keeps no set, or the files on disk are not the kept ones, the
/// would-be set is built whole from the files on disk. The steps, in
/// order: a retried id gets its first answer; the statement must be one
/// statement, not a declaration; if the files on disk are not those of the
/// live set, they are reloaded first; `if_revision` must be the live
/// revision; the would-be set must load; the journal is appended to and
/// fsync'ed (else the change is taken back); the new set is swapped in.
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
    let mut disk = match DiskSet::read_again(&shared.dir, w.kept.as_ref().map(|k| &k.disk)) {
        Ok(d) => d,
        Err(e) => return EventOutcome::Refused(Refusal::from_load_error(&e)),
    };
    // The kept set is the live one (every swap is made under the writer
    // lock, with what it was built from): the same bytes, the same set.
    let mut kept_is_disk = w.kept.as_ref().is_some_and(|k| k.disk.same(&disk));
    if !kept_is_disk && disk.revision().as_deref() != Some(shared.live.load().revision.as_str()) {
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
        disk = match DiskSet::read_again(&shared.dir, w.kept.as_ref().map(|k| &k.disk)) {
            Ok(d) => d,
            Err(e) => return EventOutcome::Refused(Refusal::from_load_error(&e)),
        };
        kept_is_disk = w.kept.as_ref().is_some_and(|k| k.disk.same(&disk));
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
    let mut appended = record.clone();
    appended.push(b'\n');
    let mut after = before.clone();
    after.extend_from_slice(&appended);
    let next = disk.into_with_file(&shared.journal_rel, &shared.journal_path, after);
    let refused = |r: Refusal| {
        let mut r = r.only_new(&live.warnings);
        r.message = format!("the event is refused: {}", r.message);
        EventOutcome::Refused(r)
    };
    // The event is checked with the kept set, at the cost of its one
    // statement; the set is loaded whole when it cannot be (the journal is
    // not yet a file of the set, or the files on disk are not the kept
    // ones). Either way the set is what a fresh load of `next` gives.
    // Everything runs on this one thread, hashing the revision included
    // (most of an event's time at 1,000,000 grants), so that an event
    // never takes more than one core from decisions (hashing on a second
    // thread made events faster and decisions' tail longer: BENCHMARKS.md).
    let kept_set = w.kept.as_mut().filter(|_| kept_is_disk).map(|k| &mut k.set);
    let prepared = kept_set.map(|set| set.append(&shared.journal_rel, &appended));
    let prepared = match prepared {
        Some(Ok(p)) => Some(p),
        Some(Err(AppendError::Refused(report))) => return refused(refusal(&report)),
        Some(Err(AppendError::UnknownFile(_) | AppendError::Pending)) | None => None,
    };
    let (mut snap, pending) = match prepared {
        Some(p) => {
            let prefix = w.kept.as_mut().map(|k| &mut k.prefix);
            let revision = match prefix {
                Some(prefix) => next.revision_after(&shared.journal_rel, prefix),
                None => next.revision(),
            };
            let Some(revision) = revision else {
                if let Some(k) = w.kept.as_mut() {
                    k.set.abort(p);
                }
                return EventOutcome::Unavailable(String::from(
                    "the revision of the files could not be computed",
                ));
            };
            let snap = Snapshot {
                policy: p.policy.clone(),
                revision,
                loaded_at: chrono::Utc::now(),
                files: next.sizes(),
                statements: live.statements + p.statements,
                warnings: Arc::new(Vec::new()),
                events: HashMap::new(),
            };
            (snap, Some(p))
        }
        None => {
            let prev = w.kept.take();
            match build_kept(&next, &shared.journal_rel, prev.as_ref().map(|k| &k.set)) {
                Ok((snap, kept)) => {
                    // Dropped below if the journal cannot be written.
                    w.kept = Some(kept);
                    (snap, None)
                }
                Err(r) => {
                    w.kept = prev;
                    return refused(r);
                }
            }
        }
    };
    if let Err((e, stuck)) = journal::append(
        shared.io.as_ref(),
        &shared.journal_path,
        before.len() as u64,
        &record,
    ) {
        w.stuck |= stuck;
        // The set stays what is on disk: the change is taken back.
        match (pending, w.kept.as_mut()) {
            (Some(p), Some(k)) => k.set.abort(p),
            _ => w.kept = None,
        }
        tracing::error!("cannot append to the journal `{}`: {e}", shared.journal_rel);
        return EventOutcome::Unavailable(format!("the journal cannot be written: {e}"));
    }
    let warnings = match (pending, w.kept.as_mut()) {
        (Some(p), Some(k)) => {
            // The warnings the event brought, as a fresh load would list
            // those the set did not have.
            let brought = json(&p.new_warnings);
            k.set.commit(p);
            let revision = std::mem::take(&mut snap.revision);
            k.on_disk(next, revision.clone());
            snap = snapshot(k, &shared.journal_rel, revision);
            brought
        }
        _ => new_diagnostics(&snap.warnings, &live.warnings),
    };
    let answer = EventAnswer {
        revision: snap.revision.clone(),
        appended: format!("{}:{statement_line}", shared.journal_rel),
        warnings,
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
