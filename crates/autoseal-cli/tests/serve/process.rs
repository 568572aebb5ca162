//! The service as a process: crash safety under SIGKILL, SIGTERM and
//! SIGHUP, and refusing to start (exit 2).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

struct Proc {
    child: Child,
    base: String,
    stderr: Arc<Mutex<String>>,
}

fn spawn(dir: &Path, extra: &[&str]) -> Proc {
    let token = dir.parent().unwrap().join(format!(
        "ptoken-{}",
        dir.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&token, TOKEN).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_autoseal"))
        .arg("serve")
        .arg("--policies")
        .arg(dir)
        .args(["--listen", "127.0.0.1:0", "--admin-token-file"])
        .arg(&token)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = mpsc::channel();
    let err = child.stderr.take().unwrap();
    let all = stderr.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            if let Some(at) = line.find("listening on http://") {
                let _ = tx.send(line[at + "listening on ".len()..].trim().to_owned());
            }
            let mut a = all.lock().unwrap();
            a.push_str(&line);
            a.push('\n');
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("the service did not start: {}", stderr.lock().unwrap()));
    Proc {
        child,
        base,
        stderr,
    }
}

fn wait_exit(child: &mut Child, secs: u64) -> i32 {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st.code().unwrap_or(-1);
        }
        assert!(Instant::now() < end, "the process did not exit in {secs} s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, sig: &str) {
    let st = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

fn label(round: usize, i: usize) -> String {
    format!("k{round}_{i}")
}

fn statement(round: usize, i: usize) -> String {
    format!(
        "{}: forbid auto-sign for signer initech from 2030-01-01T00:00:00Z until 2030-01-02T00:00:00Z when amount > {}",
        label(round, i),
        round * 100_000 + i
    )
}

#[test]
fn no_acknowledged_event_is_lost_to_a_sigkill() {
    let dir = policy_dir();
    let mut acked: Vec<(usize, usize)> = Vec::new();
    let mut rng = fastrand::Rng::with_seed(17);
    for round in 0..5 {
        let p = spawn(dir.path(), &[]);
        if round > 0 {
            // Everything acknowledged before is in force, and in the journal.
            check(&p.base, dir.path(), &acked);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let poster = {
            let (base, stop) = (p.base.clone(), stop.clone());
            std::thread::spawn(move || {
                let c = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .unwrap();
                let mut ok = Vec::new();
                for i in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let body = serde_json::json!({
                        "statement": statement(round, i),
                        "event_id": format!("ev-{round}-{i}"),
                    });
                    let r = c
                        .post(format!("{base}/v1/events"))
                        .header("content-type", "application/json")
                        .bearer_auth(TOKEN)
                        .body(body.to_string())
                        .send();
                    match r {
                        Ok(r) if r.status() == 200 => ok.push((round, i)),
                        Ok(r) => panic!("event refused: {}", r.text().unwrap()),
                        // Killed mid-request: not acknowledged.
                        Err(_) => break,
                    }
                }
                ok
            })
        };
        let mut p = p;
        std::thread::sleep(Duration::from_millis(rng.u64(150..700)));
        p.child.kill().unwrap();
        let _ = p.child.wait();
        stop.store(true, Ordering::SeqCst);
        let got = poster.join().unwrap();
        assert!(
            !got.is_empty() || round > 0,
            "no event acknowledged in round {round}"
        );
        acked.extend(got);
    }
    // A torn line, as a kill between the write and the newline leaves.
    let j = journal(dir.path());
    let mut text = read(&j);
    text.push_str("# event torn at 2026-01-01T00:00:00Z\nk9_9: forbid auto-sign for signer ini");
    std::fs::write(&j, text).unwrap();
    let mut p = spawn(dir.path(), &[]);
    check(&p.base, dir.path(), &acked);
    let err = p.stderr.lock().unwrap().clone();
    assert!(err.contains("cut 37 byte(s)"), "{err}");
    signal(&p.child, "-TERM");
    assert_eq!(wait_exit(&mut p.child, 15), 0);
    assert!(acked.len() >= 5, "only {} events acknowledged", acked.len());
}

/// Every acknowledged event is in the journal and in force.
fn check(base: &str, dir: &Path, acked: &[(usize, usize)]) {
    let j = read(journal(dir));
    let c = client();
    let audit: Value = c
        .get(format!("{base}/v1/audit?at=2030-01-01T12:00:00Z"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let in_force: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    for &(round, i) in acked {
        assert!(
            j.contains(&format!("\n{}\n", statement(round, i))),
            "{round}/{i} not in the journal"
        );
        assert!(
            in_force.contains(&label(round, i).as_str()),
            "{round}/{i} not in force"
        );
    }
}

#[test]
fn sigterm_answers_what_it_has_flushes_the_log_and_exits_0() {
    let dir = policy_dir();
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("d.jsonl");
    let mut p = spawn(
        dir.path(),
        &[
            "--decision-log",
            log.to_str().unwrap(),
            "--mask",
            "amount,currency",
        ],
    );
    let c = client();
    for _ in 0..30 {
        let r = c
            .post(format!("{}/v1/decide", p.base))
            .header("content-type", "application/json")
            .body(nda_request().to_string())
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    signal(&p.child, "-TERM");
    assert_eq!(wait_exit(&mut p.child, 15), 0);
    let text = read(&log);
    assert_eq!(text.lines().count(), 30);
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["request"]["attributes"]["amount"], "***");
    assert_eq!(first["request"]["attributes"]["currency"], "***");
    assert!(
        c.get(format!("{}/health", p.base)).send().is_err(),
        "it stopped listening"
    );
}

#[test]
fn sighup_reloads() {
    let dir = policy_dir();
    let mut p = spawn(dir.path(), &[]);
    let c = client();
    let rev = |c: &reqwest::blocking::Client| -> String {
        let v: Value = c
            .get(format!("{}/health", p.base))
            .send()
            .unwrap()
            .json()
            .unwrap();
        v["revision"].as_str().unwrap().to_owned()
    };
    let before = rev(&c);
    std::fs::write(dir.path().join("extra.policy"), "# new\n").unwrap();
    // The watch may see it first; either way SIGHUP must not fail.
    signal(&p.child, "-HUP");
    let want = fresh(dir.path()).revision;
    assert_ne!(before, want);
    wait_until(10, "the reload", || rev(&c) == want);
    signal(&p.child, "-TERM");
    assert_eq!(wait_exit(&mut p.child, 15), 0);
}

#[test]
fn it_does_not_start_without_a_good_set_or_with_a_journal_outside() {
    // Bounded: a service that starts after all is killed, and fails the test.
    let run = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_autoseal"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let end = Instant::now() + Duration::from_secs(20);
        let code = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st.code().unwrap();
            }
            if Instant::now() > end {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the service started with {args:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        (code, err)
    };
    let dir = policy_dir();
    let d = dir.path().to_str().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let o = outside.path().join("j.policy");
    let (code, err) = run(&["--policies", d, "--journal", o.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("must lie inside"), "{err}");
    let (code, err) = run(&["--policies", d, "--journal", &format!("{d}/journal.txt")]);
    assert_eq!(code, 2);
    assert!(err.contains(".policy"), "{err}");
    let (code, err) = run(&["--policies", d, "--admin-token-file", "/nonexistent/token"]);
    assert_eq!(code, 2);
    assert!(err.contains("token"), "{err}");
    std::fs::write(
        dir.path().join("bad.policy"),
        "forbid auto-sign for signer nobody\n",
    )
    .unwrap();
    let (code, err) = run(&["--policies", d]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown_org") || err.contains("unknown org"),
        "{err}"
    );
    let (code, _) = run(&["--policies", "/nonexistent/policies"]);
    assert_eq!(code, 2);
    // A journal in a subdirectory is fine, and used.
    std::fs::remove_file(dir.path().join("bad.policy")).unwrap();
    std::fs::create_dir(dir.path().join("events")).unwrap();
    let mut p = spawn(dir.path(), &["--journal", &format!("{d}/events/j.policy")]);
    let c = client();
    let r = c
        .post(format!("{}/v1/events", p.base))
        .header("content-type", "application/json")
        .bearer_auth(TOKEN)
        .body(serde_json::json!({"statement": statement(0, 0)}).to_string())
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap()["appended"], "events/j.policy:2");
    signal(&p.child, "-TERM");
    assert_eq!(wait_exit(&mut p.child, 15), 0);
    assert!(read(dir.path().join("events/j.policy")).contains(&statement(0, 0)));
}
