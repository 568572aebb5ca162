//! The decision log, and `replay` of it.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use autoseal_serve::LogTarget;
use serde_json::Value;

use crate::common::*;

fn replay(log: &Path, dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_autoseal"))
        .arg("replay")
        .arg(log)
        .arg("--policies")
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    (out.status.code().unwrap(), text)
}

fn lines(p: &Path) -> Vec<Value> {
    read(p)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_decision_is_logged_masked_and_replays_without_difference() {
    let dir = policy_dir();
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("decisions.jsonl");
    let mut s = start_with(dir.path(), |o| {
        o.decision_log = Some(LogTarget::File(log.clone()));
        o.mask = vec![String::from("category")];
    });
    let rev = s.revision();
    let mut answers = Vec::new();
    for (i, r) in requests().into_iter().enumerate() {
        let mut r = r;
        r["id"] = format!("r{i}").into();
        let path = if i % 5 == 0 {
            "/v1/decide?explain=true"
        } else {
            "/v1/decide"
        };
        answers.push(s.post(path, &r.to_string()).json::<Value>().unwrap());
    }
    let batch = serde_json::json!({"requests": [nda_request(), {"bad": 1}]});
    let b: Value = s
        .post("/v1/decide/batch", &batch.to_string())
        .json()
        .unwrap();
    answers.push(b["decisions"][0].clone());
    // Masked: the category is not in the log.
    let mut masked = nda_request();
    masked["template"] = "acme.general".into();
    masked["attributes"]["category"] = "marriage".into();
    answers.push(s.post("/v1/decide", &masked.to_string()).json().unwrap());
    // Written within 100 ms, without a shutdown.
    wait_until(5, "the log to be written", || {
        log.exists() && read(&log).lines().count() == answers.len()
    });
    assert_eq!(s.stop(), 0);

    let logged = lines(&log);
    assert_eq!(logged.len(), answers.len());
    for (l, a) in logged.iter().zip(&answers) {
        assert_eq!(l["decision_id"], a["decision_id"]);
        assert_eq!(l["revision"], rev.as_str());
        for k in ["decision", "seal", "basis", "rule"] {
            assert_eq!(l[k], a[k], "{k}");
        }
        let codes: Vec<&Value> = a["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["code"])
            .collect();
        assert_eq!(
            l["reasons"].as_array().unwrap().iter().collect::<Vec<_>>(),
            codes
        );
        let t = l["time"].as_str().unwrap();
        assert!(
            t.ends_with('Z') && t.len() == "2026-01-01T00:00:00.000000Z".len(),
            "{t}"
        );
        assert!(l["latency_us"].is_u64());
    }
    assert_eq!(logged[1]["request"]["id"], "r1", "the request as received");
    assert_eq!(logged[0]["explain"], true);
    let last = logged.last().unwrap();
    assert_eq!(last["request"]["attributes"]["category"], "***");
    assert_eq!(last["request"]["attributes"]["amount"], 120000);

    let (code, out) = replay(&log, dir.path());
    assert_eq!(code, 0, "{out}");
    let n = answers.len();
    assert!(
        out.ends_with(&format!(
            "replayed {}, differing 0, refused 0, skipped 1\n",
            n - 1
        )),
        "{out}"
    );

    // An altered decision is reported.
    let mut altered = read(&log);
    let first = lines(&log)[1].clone();
    let mut changed = first.clone();
    changed["seal"] = "globex.forged".into();
    changed["decision"] = "auto_seal".into();
    altered = altered.replacen(&first.to_string(), &changed.to_string(), 1);
    let altered_log = logs.path().join("altered.jsonl");
    std::fs::write(&altered_log, &altered).unwrap();
    let (code, out) = replay(&altered_log, dir.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("line 2: decision "), "{out}");
    assert!(out.contains("globex.forged"), "{out}");
    assert!(out.contains("differing 1, refused 0"), "{out}");

    // A log of another revision is refused.
    let other = policy_dir();
    std::fs::write(other.path().join("extra.policy"), "# another revision\n").unwrap();
    let (code, out) = replay(&log, other.path());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "replayed 0, differing 0, refused {}, skipped 0",
            n
        )),
        "{out}"
    );
    assert!(out.contains(&rev), "{out}");

    // It cannot run: exit 2.
    let (code, _) = replay(&logs.path().join("missing.jsonl"), dir.path());
    assert_eq!(code, 2);
    let (code, _) = replay(&log, &logs.path().join("nowhere"));
    assert_eq!(code, 2);
}

#[test]
fn the_log_is_appended_to_and_flushed_at_shutdown() {
    let dir = policy_dir();
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("d.jsonl");
    std::fs::write(&log, "{\"earlier\":true}\n").unwrap();
    let mut s = start_with(dir.path(), |o| {
        o.decision_log = Some(LogTarget::File(log.clone()))
    });
    for _ in 0..50 {
        assert_eq!(
            s.post("/v1/decide", &nda_request().to_string()).status(),
            200
        );
    }
    assert_eq!(s.stop(), 0);
    let text = read(&log);
    assert!(text.starts_with("{\"earlier\":true}\n"));
    assert_eq!(text.lines().count(), 51);
}

#[test]
fn decisions_answer_503_while_the_log_cannot_be_written() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = policy_dir();
    let s = start_with(dir.path(), |o| {
        o.decision_log = Some(LogTarget::File("/dev/full".into()));
    });
    // The first lines are buffered; the write every 100 ms fails, and from
    // then on decisions are refused rather than go unlogged.
    let mut got_503 = false;
    for _ in 0..200 {
        let r = s.post("/v1/decide", &nda_request().to_string());
        if r.status() == 503 {
            let v: Value = r.json().unwrap();
            assert!(v["error"].as_str().unwrap().contains("decision log"));
            got_503 = true;
            break;
        }
        assert_eq!(r.status(), 200);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(got_503);
    let batch = serde_json::json!({"requests": [nda_request()]}).to_string();
    assert_eq!(s.post("/v1/decide/batch", &batch).status(), 503);
    assert_eq!(s.get("/health").status(), 503);
    // Reports need no log.
    assert_eq!(s.get("/v1/audit").status(), 200);
}
