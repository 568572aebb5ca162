//! Reload: from the file watch and `POST /v1/reload`; a set that does not
//! load never replaces the good one; under load, no request fails and no
//! answer comes from a bad set or a mix.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::common::*;

/// Replaces a file whole, as editors and sync tools do (write, rename).
fn replace(dir: &Path, name: &str, text: &str) {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

const GOOD_B_EXTRA: &str = "\nf_reload: forbid auto-sign for signer globex from 2026-03-15T00:00:00+08:00 until 2026-04-15T00:00:00+08:00\n";

#[test]
fn a_changed_file_is_reloaded_and_a_bad_one_never_replaces_the_good_set() {
    let dir = policy_dir();
    let s = start(dir.path());
    let a = s.revision();
    let forbids = read(dir.path().join("forbids.policy"));

    replace(
        dir.path(),
        "forbids.policy",
        &format!("{forbids}{GOOD_B_EXTRA}"),
    );
    let b = fresh(dir.path()).revision;
    wait_until(10, "the watch to reload", || s.revision() == b);
    let p: Value = s.get("/v1/policy").json().unwrap();
    assert_eq!(p["last_reload"]["ok"], true);
    assert_eq!(p["last_reload"]["trigger"], "watch");
    assert_eq!(p["last_reload"]["revision"], b.as_str());
    assert_equivalent(&s, dir.path());

    // A bad edit: the good set keeps serving, /v1/policy says why.
    replace(
        dir.path(),
        "forbids.policy",
        &format!("{forbids}\nforbid auto-sign for signer nobody\n"),
    );
    wait_until(10, "the refused reload to be recorded", || {
        let p: Value = s.get("/v1/policy").json().unwrap();
        p["last_reload"]["ok"] == false
    });
    let p: Value = s.get("/v1/policy").json().unwrap();
    assert_eq!(p["revision"], b.as_str());
    assert_eq!(p["last_reload"]["trigger"], "watch");
    let d = p["last_reload"]["diagnostics"].as_array().unwrap();
    assert!(
        d.iter()
            .any(|d| d["code"] == "unknown_org" && d["file"] == "forbids.policy"),
        "{p}"
    );
    assert!(p["last_reload"]["error"]
        .as_str()
        .unwrap()
        .contains("does not load"));
    // The files put back as they are in use: nothing to reload, and the
    // last attempt is no longer the refused one.
    replace(
        dir.path(),
        "forbids.policy",
        &format!("{forbids}{GOOD_B_EXTRA}"),
    );
    wait_until(10, "the good files to be seen again", || {
        let p: Value = s.get("/v1/policy").json().unwrap();
        p["last_reload"]["ok"] == true
    });
    let p: Value = s.get("/v1/policy").json().unwrap();
    assert_eq!(p["last_reload"]["revision"], b.as_str());
    assert_eq!(p["last_reload"]["diagnostics"], serde_json::json!([]));
    replace(
        dir.path(),
        "forbids.policy",
        &format!("{forbids}\nforbid auto-sign for signer nobody\n"),
    );
    wait_until(10, "the refused reload to be recorded again", || {
        let p: Value = s.get("/v1/policy").json().unwrap();
        p["last_reload"]["ok"] == false
    });
    // POST /v1/reload says the same, 422, and keeps the good set.
    let r = s.admin("/v1/reload", "");
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["autoseal-revision"], b.as_str());
    let v: Value = r.json().unwrap();
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "unknown_org"));
    assert_eq!(s.revision(), b);

    // Back to the first set, reloaded at once by the request.
    replace(dir.path(), "forbids.policy", &forbids);
    let r = s.admin("/v1/reload", "");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().unwrap();
    assert_eq!(v["revision"], a.as_str());
    assert_eq!(s.revision(), a);
    // A file removed, a file added.
    std::fs::remove_file(dir.path().join("forbids.policy")).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/forbids.policy"), &forbids).unwrap();
    let c = fresh(dir.path()).revision;
    wait_until(10, "the move to be reloaded", || s.revision() == c);
    assert_equivalent(&s, dir.path());
    let p: Value = s.get("/v1/policy").json().unwrap();
    assert!(p["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "sub/forbids.policy"));
}

#[test]
fn reload_under_load_fails_no_request_and_serves_no_bad_set() {
    let dir = policy_dir();
    let s = start_with(dir.path(), |o| o.debounce = Duration::from_millis(50));
    let forbids = read(dir.path().join("forbids.policy"));
    let good_a = forbids.clone();
    let good_b = format!("{forbids}{GOOD_B_EXTRA}");
    let bad = format!("{forbids}\nforbid auto-sign for signer nobody\n");

    // The answers of each good set, by revision.
    let mut expected_by_rev: HashMap<String, Vec<Value>> = HashMap::new();
    for text in [&good_b, &good_a] {
        replace(dir.path(), "forbids.policy", text);
        let f = fresh(dir.path());
        let p = f.policy.unwrap();
        expected_by_rev.insert(
            f.revision,
            requests().iter().map(|r| expected(&p, r)).collect(),
        );
    }
    replace(dir.path(), "forbids.policy", &bad);
    let bad_rev = fresh(dir.path()).revision;
    replace(dir.path(), "forbids.policy", &good_a);
    let expected_by_rev = Arc::new(expected_by_rev);
    // The set A answers to differ from B's (else the test shows nothing).
    let revs: Vec<&Vec<Value>> = expected_by_rev.values().collect();
    assert_ne!(revs[0], revs[1]);

    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..4)
        .map(|t| {
            let (base, stop, answered, want) = (
                s.base.clone(),
                stop.clone(),
                answered.clone(),
                expected_by_rev.clone(),
            );
            std::thread::spawn(move || {
                let c = client();
                let reqs = requests();
                let mut seen = HashMap::<String, usize>::new();
                let mut i = t;
                while !stop.load(Ordering::SeqCst) {
                    let k = i % reqs.len();
                    i += 1;
                    let r = c
                        .post(format!("{base}/v1/decide"))
                        .header("content-type", "application/json")
                        .body(reqs[k].to_string())
                        .send()
                        .expect("no request fails");
                    assert_eq!(r.status(), 200);
                    let header = r.headers()["autoseal-revision"]
                        .to_str()
                        .unwrap()
                        .to_owned();
                    let v: Value = r.json().unwrap();
                    let rev = v["revision"].as_str().unwrap().to_owned();
                    assert_eq!(header, rev);
                    let Some(answers) = want.get(&rev) else {
                        panic!("an answer from a set that is neither good one: {rev}");
                    };
                    assert_eq!(decision_part(v), answers[k], "request {k} under {rev}");
                    *seen.entry(rev).or_default() += 1;
                    answered.fetch_add(1, Ordering::SeqCst);
                }
                seen
            })
        })
        .collect();
    let mut reloads = 0;
    for round in 0..12 {
        for text in [&good_b, &bad, &good_a] {
            replace(dir.path(), "forbids.policy", text);
            std::thread::sleep(Duration::from_millis(40 + (round % 3) * 40));
            if round % 2 == 0 {
                let r = s.admin("/v1/reload", "");
                assert!(r.status() == 200 || r.status() == 422);
                reloads += 1;
            }
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    let mut seen = HashMap::<String, usize>::new();
    for c in clients {
        for (rev, n) in c.join().unwrap() {
            *seen.entry(rev).or_default() += n;
        }
    }
    assert!(!seen.contains_key(&bad_rev));
    assert_eq!(seen.len(), 2, "both good sets served: {seen:?}");
    assert!(answered.load(Ordering::SeqCst) > 100);
    assert!(reloads > 0);
    let m = s.get("/metrics").text().unwrap();
    assert!(
        m.contains("autoseal_reloads_total{result=\"refused\"}"),
        "{m}"
    );
    assert!(m.contains("autoseal_reloads_total{result=\"ok\"}"), "{m}");
    assert_equivalent(&s, dir.path());
}

/// A replica follows the writer's journal: lines appended to it are
/// applied as events (to the kept set), and the set is still what a fresh
/// load of the directory gives; appended lines that do not load are
/// refused like any bad edit, and the good set keeps serving.
#[test]
fn lines_appended_to_the_journal_are_applied_and_equal_a_fresh_load() {
    use std::io::Write as _;
    let dir = policy_dir();
    let s = start_with(dir.path(), |o| o.watch = false);
    let r = s.event(
        "disable seal globex.contract at 2026-03-20T00:00:00+08:00",
        None,
    );
    assert_eq!(r.status(), 200);
    let j = journal(dir.path());
    let append = |text: &str| {
        let mut f = std::fs::OpenOptions::new().append(true).open(&j).unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f.sync_all().unwrap();
    };
    for (lines, loads) in [
        ("# event r1 at 2026-03-01T00:00:00Z\nrevoke g_initech at 2026-12-01T00:00:00+08:00 by initech.qian\n", true),
        ("# event r2 at 2026-03-01T00:00:00Z\nf_follow: forbid auto-sign for signer globex from 2026-03-15T00:00:00+08:00 until 2026-04-15T00:00:00+08:00\n", true),
        ("revoke nothing_here at 2026-12-01T00:00:00+08:00\n", false),
        ("# two at once\nenable seal globex.contract at 2026-03-25T00:00:00+08:00\nf_two: forbid auto-sign for template acme.general\n", true),
        ("acme changes super admin to li at 2026-09-01T00:00:00+08:00\n", true),
    ] {
        let before = s.revision();
        let kept = read(&j);
        append(lines);
        let r = s.admin("/v1/reload", "");
        if loads {
            assert_eq!(r.status(), 200, "{lines}");
            assert_ne!(s.revision(), before);
            assert_equivalent(&s, dir.path());
        } else {
            assert_eq!(r.status(), 422, "{lines}");
            assert_eq!(s.revision(), before);
            let v: Value = r.json().unwrap();
            assert!(
                v["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["code"] == "unknown_label"),
                "{v}"
            );
            // Put back: the set in use is the files' again.
            std::fs::write(&j, kept).unwrap();
            assert_eq!(s.admin("/v1/reload", "").status(), 200);
            assert_equivalent(&s, dir.path());
        }
    }
    // An event after them is appended after them.
    let r = s.event(
        "revoke g_globex at 2026-12-01T00:00:00+08:00 by globex.zhao",
        None,
    );
    assert_eq!(r.status(), 200, "{}", r.text().unwrap());
    assert_equivalent(&s, dir.path());
}
