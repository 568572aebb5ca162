//! Events: checked against the set, journaled (write, newline, fsync)
//! before the answer, swapped in; retries, conflicts, torn journals, hand
//! edits; and after every sequence, a fresh load equals the running set.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use autoseal_serve::{Fs, JournalIo};
use serde_json::Value;

use crate::common::*;

const FORBID: &str = "f_evt: forbid auto-sign for signer globex from 2026-03-15T00:00:00+08:00 until 2026-04-15T00:00:00+08:00";

/// Records each journal step, then does it (or fails the newline).
struct Recorder {
    steps: Steps,
    journal: PathBuf,
    fail_newline: AtomicBool,
}

impl Recorder {
    fn note(&self, s: String) {
        self.steps.lock().unwrap().push(s);
    }
}

impl JournalIo for Recorder {
    fn write(&self, f: &mut File, b: &[u8]) -> io::Result<()> {
        self.note(format!("write {}", String::from_utf8_lossy(b)));
        Fs.write(f, b)
    }
    fn newline(&self, f: &mut File) -> io::Result<()> {
        self.note(String::from("newline"));
        if self.fail_newline.load(Ordering::SeqCst) {
            return Err(io::Error::other("no space left on device"));
        }
        Fs.newline(f)
    }
    fn sync(&self, f: &File) -> io::Result<()> {
        self.note(String::from("sync"));
        Fs.sync(f)
    }
    fn sync_dir(&self, d: &Path) -> io::Result<()> {
        self.note(String::from("sync_dir"));
        Fs.sync_dir(d)
    }
    fn truncate(&self, f: &File, len: u64) -> io::Result<()> {
        self.note(format!("truncate {len}"));
        Fs.truncate(f, len)
    }
    fn swapped(&self, _revision: &str) {
        let on_disk = std::fs::read_to_string(&self.journal).unwrap_or_default();
        self.note(format!(
            "swapped, journal ends {:?}",
            on_disk.lines().last()
        ));
    }
    fn answered(&self, status: u16) {
        self.note(format!("answered {status}"));
    }
}

fn recorder(dir: &Path) -> Arc<Recorder> {
    Arc::new(Recorder {
        steps: Arc::new(Mutex::new(Vec::new())),
        journal: journal(dir),
        fail_newline: AtomicBool::new(false),
    })
}

fn take(r: &Recorder) -> Vec<String> {
    std::mem::take(&mut *r.steps.lock().unwrap())
}

#[test]
fn an_event_is_written_and_fsynced_before_it_is_swapped_in_and_answered() {
    let dir = policy_dir();
    let rec = recorder(dir.path());
    let io: Arc<dyn JournalIo> = rec.clone();
    let s = start_with(dir.path(), |o| o.journal_io = io);
    let before: Value = s
        .post("/v1/decide", &nda_request().to_string())
        .json()
        .unwrap();
    assert_eq!(before["decision"], "auto_seal");

    let r = s.event(FORBID, Some("ev-1"));
    assert_eq!(r.status(), 200);
    let a: Value = r.json().unwrap();
    let steps = take(&rec);
    assert_eq!(steps.len(), 6, "{steps:#?}");
    assert!(
        steps[0].starts_with("write # event ev-1 at 20"),
        "{}",
        steps[0]
    );
    assert!(steps[0].ends_with(&format!("Z\n{FORBID}")), "{}", steps[0]);
    assert_eq!(
        steps[1..],
        [
            "newline".to_owned(),
            "sync".to_owned(),
            // The journal was created: its directory entry too.
            "sync_dir".to_owned(),
            format!("swapped, journal ends Some({FORBID:?})"),
            "answered 200".to_owned(),
        ]
    );
    assert_eq!(a["appended"], "journal.policy:2");
    assert_eq!(a["warnings"], serde_json::json!([]));
    assert_eq!(a["revision"], fresh(dir.path()).revision.as_str());
    let j = read(journal(dir.path()));
    let lines: Vec<&str> = j.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("# event ev-1 at "));
    assert_eq!(lines[1], FORBID);
    assert!(j.ends_with('\n'));
    // In force.
    let after: Value = s
        .post("/v1/decide", &nda_request().to_string())
        .json()
        .unwrap();
    assert_eq!(after["decision"], "manual");
    assert_eq!(after["reasons"][0]["code"], "forbidden");
    assert_eq!(after["revision"], a["revision"]);

    // The next one: the file exists, no directory sync.
    let r = s.event(
        "revoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian",
        None,
    );
    assert_eq!(r.status(), 200);
    let steps = take(&rec);
    assert_eq!(steps[1..4], ["newline", "sync", "swapped, journal ends Some(\"revoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian\")"]);
    assert_eq!(steps[4], "answered 200");
    assert_equivalent(&s, dir.path());
}

#[test]
fn a_failed_append_is_undone_and_nothing_is_applied() {
    let dir = policy_dir();
    let rec = recorder(dir.path());
    let io: Arc<dyn JournalIo> = rec.clone();
    let s = start_with(dir.path(), |o| o.journal_io = io);
    // The first event fails: the journal it created is removed.
    let first = s.revision();
    rec.fail_newline.store(true, Ordering::SeqCst);
    assert_eq!(s.event(FORBID, Some("a")).status(), 503);
    assert!(!journal(dir.path()).exists());
    assert_eq!(s.revision(), first);
    assert_equivalent(&s, dir.path());
    rec.fail_newline.store(false, Ordering::SeqCst);
    assert_eq!(s.event(FORBID, Some("a")).status(), 200);
    let rev = s.revision();
    let j = read(journal(dir.path()));
    take(&rec);
    rec.fail_newline.store(true, Ordering::SeqCst);
    let r = s.event(
        "revoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian",
        Some("b"),
    );
    assert_eq!(r.status(), 503);
    let v: Value = r.json().unwrap();
    assert!(
        v["error"].as_str().unwrap().contains("no space left"),
        "{v}"
    );
    let steps = take(&rec);
    assert_eq!(
        steps[1..],
        [
            "newline".to_owned(),
            format!("truncate {}", j.len()),
            "answered 503".into()
        ]
    );
    assert_eq!(read(journal(dir.path())), j);
    assert_eq!(s.revision(), rev);
    rec.fail_newline.store(false, Ordering::SeqCst);
    // The retry is applied (the failed try left nothing behind).
    let r = s.event(
        "revoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian",
        Some("b"),
    );
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap()["appended"], "journal.policy:4");
    assert_equivalent(&s, dir.path());
}

#[test]
fn after_every_sequence_of_events_a_fresh_load_equals_the_running_set() {
    let dir = policy_dir();
    let s = start(dir.path());
    assert_equivalent(&s, dir.path());
    let mut appended = Vec::new();
    for (statement, lines) in [
        (FORBID, 1),
        ("disable seal globex.contract at 2026-03-20T00:00:00+08:00", 1),
        ("inv_x: acme invites partners to authorize template purchase as signatory \"乙方\" at 2026-03-01T00:00:00+08:00", 1),
        ("g_x: partner globex authorizes acme template purchase as signatory \"乙方\" with seal contract\n    via invite inv_x accepted 2026-03-02T00:00:00+08:00 by zhao\n    until revoked # accepted in the console", 1),
        ("f_multi: forbid auto-sign for template acme.general\n    when category in [\n\"x\", # note\n  \"y\"]", 1),
        ("revoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian", 1),
        ("acme_bj enables auto-sign at 2026-03-01T00:00:00+08:00 by zhou", 1),
        ("acme changes super admin to li at 2026-09-01T00:00:00+08:00", 1),
        ("employee acme.wang may initiate auto-sign for template acme.general from 2026-05-01T00:00:00+08:00 until 2026-06-01T00:00:00+08:00", 1),
    ] {
        let r = s.event(statement, None);
        assert_eq!(r.status(), 200, "{statement}: {}", r.text().unwrap());
        let a: Value = s.get("/v1/policy").json().unwrap();
        appended.push(a["revision"].clone());
        let _ = lines;
        assert_equivalent(&s, dir.path());
    }
    // Each statement on one line, after its comment line.
    let j = read(journal(dir.path()));
    assert_eq!(j.lines().count(), 18);
    assert!(j.contains("\ng_x: partner globex authorizes acme template purchase as signatory \"乙方\" with seal contract via invite inv_x accepted 2026-03-02T00:00:00+08:00 by zhao until revoked\n"));
    assert!(j.contains(
        "\nf_multi: forbid auto-sign for template acme.general when category in [ \"x\", \"y\"]\n"
    ));

    // Refused: nothing appended, the set unchanged.
    let rev = s.revision();
    for (statement, needle, diagnostic) in [
        ("timezone +09:00", "declaration", None),
        ("org evil \"Evil\" {\n}", "declaration", None),
        ("attribute colour: string", "declaration", None),
        ("revoke g_initech at", "does not parse", Some("syntax")),
        ("", "no statement", None),
        (
            "revoke a at 2026-01-01T00:00:00Z\nrevoke b at 2026-01-01T00:00:00Z",
            "not 2",
            None,
        ),
        (FORBID, "refused", Some("duplicate_name")),
        (
            "f_other: forbid auto-sign for signer nobody",
            "refused",
            Some("unknown_org"),
        ),
        (
            "revoke nothing_here at 2026-12-01T00:00:00+08:00",
            "refused",
            Some("unknown_label"),
        ),
        (
            "disable seal globex.contract at 2026-04-01",
            "refused",
            None,
        ),
    ] {
        let r = s.event(statement, None);
        assert_eq!(r.status(), 422, "{statement}");
        assert_eq!(r.headers()["autoseal-revision"], rev.as_str());
        let v: Value = r.json().unwrap();
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{statement}: {v}"
        );
        if let Some(code) = diagnostic {
            let d = v["diagnostics"].as_array().unwrap();
            assert!(
                d.iter()
                    .any(|d| d["code"].as_str().unwrap().starts_with(code)),
                "{statement}: {v}"
            );
            // Placed in the journal, where the statement would have gone.
            if code != "syntax" {
                assert!(d.iter().any(|d| d["file"] == "journal.policy"), "{v}");
            }
        }
    }
    assert_eq!(read(journal(dir.path())), j);
    assert_eq!(s.revision(), rev);
    assert_equivalent(&s, dir.path());

    // Bad bodies.
    for (body, field) in [
        ("{}", "statement"),
        ("{\"statement\": 5}", "statement"),
        ("{\"statement\": \"x\", \"extra\": 1}", "extra"),
        (
            "{\"statement\": \"x\", \"event_id\": \"two words\"}",
            "event_id",
        ),
        ("{\"statement\": \"x\", \"if_revision\": 1}", "if_revision"),
    ] {
        let r = s.admin("/v1/events", body);
        assert_eq!(r.status(), 400, "{body}");
        assert_eq!(r.json::<Value>().unwrap()["field"], field);
    }
}

#[test]
fn warnings_come_back_without_refusing_the_event() {
    let dir = policy_dir();
    let s = start(dir.path());
    let r = s.event(
        "initech enables auto-sign at 2027-04-01T00:00:00+08:00",
        None,
    );
    assert_eq!(r.status(), 200);
    let a: Value = r.json().unwrap();
    let w = a["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{a}");
    assert_eq!(w[0]["code"], "enables_without_by");
    assert_eq!(w[0]["file"], "journal.policy");
    assert_eq!(w[0]["line"], 2);
    assert_equivalent(&s, dir.path());
}

#[test]
fn if_revision_must_be_the_current_revision() {
    let dir = policy_dir();
    let s = start(dir.path());
    let rev = s.revision();
    let body = |r: &str| serde_json::json!({"statement": FORBID, "if_revision": r}).to_string();
    let r = s.admin("/v1/events", &body("sha256:00"));
    assert_eq!(r.status(), 409);
    let v: Value = r.json().unwrap();
    assert_eq!(v["revision"], rev.as_str());
    assert_eq!(v["field"], "if_revision");
    assert!(!journal(dir.path()).exists());
    let r = s.admin("/v1/events", &body(&rev));
    assert_eq!(r.status(), 200);
    // The old revision is stale now.
    let second = serde_json::json!({
        "statement": "revoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian",
        "if_revision": rev,
    });
    assert_eq!(s.admin("/v1/events", &second.to_string()).status(), 409);
}

#[test]
fn a_retried_event_id_gets_its_first_answer_and_appends_nothing() {
    let dir = policy_dir();
    let mut s = start(dir.path());
    let first: Value = s.event(FORBID, Some("console-42")).json().unwrap();
    let j = read(journal(dir.path()));
    // Retried, even with its first revision as `if_revision` (stale now).
    let retry = serde_json::json!({
        "statement": FORBID, "event_id": "console-42", "if_revision": "sha256:stale",
    });
    let r = s.admin("/v1/events", &retry.to_string());
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap(), first);
    assert_eq!(read(journal(dir.path())), j);
    // After a restart, the id is found in the journal.
    assert_eq!(s.stop(), 0);
    let s = start(dir.path());
    let r = s.admin("/v1/events", &retry.to_string());
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap(), first);
    assert_eq!(read(journal(dir.path())), j);
    // Another id appends.
    assert_eq!(
        s.event(
            "revoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian",
            Some("console-43")
        )
        .status(),
        200
    );
    assert_ne!(read(journal(dir.path())), j);
    assert_equivalent(&s, dir.path());
}

#[test]
fn a_torn_journal_is_cut_at_start_up_and_loses_nothing_acknowledged() {
    let dir = policy_dir();
    let mut s = start(dir.path());
    assert_eq!(s.event(FORBID, Some("acked")).status(), 200);
    assert_eq!(s.stop(), 0);
    let whole = read(journal(dir.path()));
    // A crash between the write and the newline, cut mid-statement.
    let torn = "# event lost at 2026-01-01T00:00:00Z\nrevoke g_initech at 2026-12-01T0";
    std::fs::write(journal(dir.path()), format!("{whole}{torn}")).unwrap();
    let s = start(dir.path());
    let w = s.server.as_ref().unwrap().startup_warnings().to_vec();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("journal.policy"), "{}", w[0]);
    assert!(w[0].contains("cut 32 byte(s)"), "{}", w[0]);
    assert!(
        w[0].contains("revoke g_initech at 2026-12-01T0"),
        "{}",
        w[0]
    );
    // The comment line before the torn statement had its newline: kept.
    assert_eq!(
        read(journal(dir.path())),
        format!("{whole}# event lost at 2026-01-01T00:00:00Z\n")
    );
    let d: Value = s
        .post("/v1/decide", &nda_request().to_string())
        .json()
        .unwrap();
    assert_eq!(d["reasons"][0]["code"], "forbidden");
    assert_equivalent(&s, dir.path());
    // And the next event goes after it.
    let a: Value = s
        .event(
            "revoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian",
            None,
        )
        .json()
        .unwrap();
    assert_eq!(a["appended"], "journal.policy:5");
    assert_equivalent(&s, dir.path());
}

#[test]
fn a_hand_edit_of_the_journal_is_loaded_before_the_next_event_is_appended() {
    let dir = policy_dir();
    // No file watch: the event itself must notice the edit.
    let s = start_with(dir.path(), |o| o.watch = false);
    assert_eq!(s.event(FORBID, None).status(), 200);
    let hand = "# by hand\nrevoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian\n";
    let mut j = read(journal(dir.path()));
    j.push_str(hand);
    std::fs::write(journal(dir.path()), &j).unwrap();
    let a: Value = s
        .event(
            "disable seal globex.contract at 2026-03-20T00:00:00+08:00",
            None,
        )
        .json()
        .unwrap();
    assert_eq!(a["appended"], "journal.policy:6");
    let now = read(journal(dir.path()));
    assert!(now.starts_with(&j), "{now}");
    assert!(now.ends_with("disable seal globex.contract at 2026-03-20T00:00:00+08:00\n"));
    let p: Value = s.get("/v1/policy").json().unwrap();
    assert_eq!(p["last_reload"]["trigger"], "event");
    assert_eq!(p["last_reload"]["ok"], true);
    assert_equivalent(&s, dir.path());

    // A hand edit that does not load: the event is refused, nothing is
    // appended, the set in use stays.
    let rev = s.revision();
    let broken = format!("{now}revoke what\n");
    std::fs::write(journal(dir.path()), &broken).unwrap();
    let r = s.event(
        "revoke g_globex_lease at 2026-12-01T00:00:00+08:00 by globex.zhao",
        None,
    );
    assert_eq!(r.status(), 422);
    assert!(r.json::<Value>().unwrap()["error"]
        .as_str()
        .unwrap()
        .contains("changed on disk"));
    assert_eq!(read(journal(dir.path())), broken);
    assert_eq!(s.revision(), rev);

    // With the watch, a hand edit is reloaded by itself.
    let dir = policy_dir();
    let s = start(dir.path());
    std::fs::write(journal(dir.path()), hand).unwrap();
    let want = fresh(dir.path()).revision;
    wait_until(10, "the hand edit to be reloaded", || s.revision() == want);
    assert_equivalent(&s, dir.path());
    let a: Value = s.event(FORBID, None).json().unwrap();
    assert_eq!(a["appended"], "journal.policy:4");
    assert_equivalent(&s, dir.path());
}

#[test]
fn concurrent_events_are_applied_one_at_a_time() {
    let dir = policy_dir();
    let s = start(dir.path());
    let base = s.base.clone();
    let threads: Vec<_> = (0..6)
        .map(|t| {
            let base = base.clone();
            std::thread::spawn(move || {
                let c = client();
                let mut revs = Vec::new();
                for i in 0..3 {
                    let st = format!("c_{t}_{i}: forbid auto-sign for signer initech from 2030-01-01T00:00:00Z until 2030-01-02T00:00:00Z when amount > {}", t * 10 + i);
                    let r = c
                        .post(format!("{base}/v1/events"))
                        .header("content-type", "application/json")
                        .bearer_auth(TOKEN)
                        .body(serde_json::json!({"statement": st}).to_string())
                        .send()
                        .unwrap();
                    assert_eq!(r.status(), 200);
                    revs.push(r.json::<Value>().unwrap()["revision"].clone());
                }
                revs
            })
        })
        .collect();
    let mut all: Vec<Value> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    all.sort_by_key(|v| v.to_string());
    all.dedup();
    assert_eq!(all.len(), 18, "each event made a revision of its own");
    assert_eq!(read(journal(dir.path())).lines().count(), 36);
    assert_equivalent(&s, dir.path());
}
