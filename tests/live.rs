//! A live set takes statements one at a time as they are appended to its
//! journal, and must always be what loading its files afresh gives: the
//! same policy tables, decisions, reports and warnings; and it must refuse
//! exactly what a fresh load refuses, with the problems a fresh load finds
//! that the set did not have. Random sequences of events and rules (some
//! invalid) over the bundled policies, with the journal in the middle of
//! the files or last, with and without a `timezone` line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use autoseal::live::{AppendError, LiveSet};
use autoseal::load::Input;
use autoseal::{Instant, Lang, Policy, Report, Request, Value};

fn bundled() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "policy") {
            out.push((
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    out
}

/// The files with the journal among them, in load (path) order.
fn inputs(files: &[(String, String)], journal: &str, text: &str) -> Vec<Input> {
    let mut all: Vec<(String, String)> = files.to_vec();
    all.push((journal.to_owned(), text.to_owned()));
    all.sort();
    all.into_iter().map(|(n, t)| Input::new(n, t)).collect()
}

const TIMES: &[&str] = &[
    "2026-01-01T00:00:00+08:00",
    "2026-02-10T00:00:00+08:00",
    "2026-03-01T09:00:00+08:00",
    "2026-03-05T00:00:00+08:00",
    "2026-04-01T00:00:00+08:00",
    "2026-06-01T12:00:00+08:00",
    "2026-07-01T00:00:00+08:00",
    "2026-09-30T18:00:00+08:00",
    "2027-01-01T00:00:00+08:00",
    "2027-03-01T00:00:00+08:00",
];
const DATES: &[&str] = &["2026-04-01", "2026-08-15"];
const LABELS: &[&str] = &[
    "labor_auto",
    "nda_auto",
    "purchase_auto",
    "general_auto",
    "sh_lease_auto",
    "li_auto",
    "li_for_sh",
    "wang_nda",
    "wang_purchase",
    "wang_labor",
    "g_globex",
    "g_globex_lease",
    "g_initech",
    "g_initech_purchase",
    "f_statutory",
    "f_big_purchase",
    "f_official",
    "f_globex_audit",
    "inv_nda",
    "nope",
];
/// Orgs, each with its super admin and another person (if any).
const ORGS: &[(&str, &str, &str)] = &[
    ("acme", "zhang", "li"),
    ("acme_sh", "sun", "chen"),
    ("acme_bj", "zhou", "zhou"),
    ("globex", "zhao", "zhao"),
    ("initech", "qian", "qian"),
];
const SEALS: &[&str] = &[
    "acme.contract",
    "acme.official",
    "acme.finance",
    "acme_sh.contract",
    "acme_bj.personnel",
    "acme_bj.misc",
    "globex.contract",
    "globex.contract2",
    "initech.contract",
    "initech.finance",
];
const TEMPLATES: &[&str] = &[
    "acme.labor",
    "acme.nda",
    "acme.purchase",
    "acme.general",
    "acme_sh.lease",
    "acme_sh.service",
    "acme_bj.service",
];
const ROLES: &[&str] = &["甲方", "乙方", "出租方", "丙方"];

struct Gen {
    rng: fastrand::Rng,
    next: usize,
    /// Labels this sequence made.
    made: Vec<String>,
    /// Whether plain dates can be read in the journal.
    tz: bool,
}

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.usize(..xs.len())]
    }

    fn time(&mut self) -> String {
        if self.rng.u8(..20) == 0 {
            // A plain date: an error unless the journal has a time zone.
            return self.pick(DATES).to_owned();
        }
        self.pick(TIMES).to_owned()
    }

    fn label(&mut self) -> String {
        if !self.made.is_empty() && self.rng.bool() {
            return self.made[self.rng.usize(..self.made.len())].clone();
        }
        self.pick(LABELS).to_owned()
    }

    /// A new label, sometimes one already used (an error).
    fn new_label(&mut self) -> Option<String> {
        match self.rng.u8(..10) {
            0 => None,
            1 => Some(self.pick(LABELS).to_owned()),
            _ => {
                self.next += 1;
                let l = format!("n{}", self.next);
                self.made.push(l.clone());
                Some(l)
            }
        }
    }

    fn org(&mut self) -> (&'static str, &'static str, &'static str) {
        ORGS[self.rng.usize(..ORGS.len())]
    }

    fn person(&mut self, org: &str) -> String {
        let (_, admin, other) = ORGS.iter().find(|o| o.0 == org).copied().unwrap();
        match self.rng.u8(..6) {
            0 => format!("{org}.{other}"),
            1 => String::from("nobody"),
            _ => format!("{org}.{admin}"),
        }
    }

    fn seal_of(&mut self, org: &str) -> String {
        let own: Vec<&str> = SEALS
            .iter()
            .copied()
            .filter(|s| s.starts_with(&format!("{org}.")))
            .collect();
        if own.is_empty() || self.rng.u8(..8) == 0 {
            return self.pick(SEALS).to_owned();
        }
        own[self.rng.usize(..own.len())].to_owned()
    }

    fn validity(&mut self) -> String {
        let mut v = String::new();
        if self.rng.bool() {
            v.push_str(&format!(" from {}", self.time()));
        }
        match self.rng.u8(..3) {
            0 => v.push_str(&format!(" until {}", self.time())),
            1 => v.push_str(" until revoked"),
            _ => {}
        }
        v
    }

    fn condition(&mut self, forbid: bool) -> String {
        match self.rng.u8(..8) {
            0 => format!(" when amount <= {}", self.rng.u32(1..20) * 50_000),
            1 => String::from(" when currency == \"CNY\""),
            2 if forbid => String::from(" when category in [\"x\", \"y\"]"),
            3 => String::from(" when colour == \"red\""),
            4 => String::from(" when amount in []"),
            _ => String::new(),
        }
    }

    fn labelled(&mut self, body: String) -> String {
        match self.new_label() {
            Some(l) => format!("{l}: {body}"),
            None => body,
        }
    }

    fn statement(&mut self) -> String {
        match self.rng.u8(..16) {
            0..=2 => {
                let target = self.label();
                let at = self.time();
                match self.rng.u8(..3) {
                    0 => format!("revoke {target} at {at}"),
                    _ => {
                        let (org, _, _) = self.org();
                        let p = self.person(org);
                        format!("revoke {target} at {at} by {p}")
                    }
                }
            }
            3 | 4 => {
                let target = self.label();
                let (org, _, _) = self.org();
                let seal = self.seal_of(org);
                format!("reseal {target} with seal {seal} at {}", self.time())
            }
            5 => {
                let on = if self.rng.bool() { "enable" } else { "disable" };
                format!("{on} seal {} at {}", self.pick(SEALS), self.time())
            }
            6 => {
                let on = if self.rng.bool() { "enable" } else { "disable" };
                format!("{on} template {} at {}", self.pick(TEMPLATES), self.time())
            }
            7 => {
                let (org, _, _) = self.org();
                let on = if self.rng.bool() {
                    "enables"
                } else {
                    "disables"
                };
                let by = match self.rng.u8(..3) {
                    0 => String::new(),
                    _ => format!(" by {}", self.person(org).rsplit('.').next().unwrap()),
                };
                format!("{org} {on} auto-sign at {}{by}", self.time())
            }
            8 => {
                let (org, _, _) = self.org();
                let to = self.person(org);
                let to = to.rsplit('.').next().unwrap().to_owned();
                format!("{org} changes super admin to {to} at {}", self.time())
            }
            9..=11 => {
                let (partner, _, _) = self.org();
                let t = self.pick(TEMPLATES);
                let (owner, name) = t.split_once('.').unwrap();
                let role = self.pick(ROLES);
                let seal = self.seal_of(partner);
                let seal = seal.rsplit('.').next().unwrap().to_owned();
                let via = if self.rng.u8(..4) == 0 {
                    let inv = self.pick(&["inv_nda", "inv_purchase", "inv_sh_lease", "nope"]);
                    let admin = ORGS.iter().find(|o| o.0 == partner).unwrap().1;
                    format!(" via invite {inv} accepted {} by {admin}", self.time())
                } else {
                    String::new()
                };
                let v = self.validity();
                let c = self.condition(false);
                self.labelled(format!(
                    "partner {partner} authorizes {owner} template {name} as signatory \"{role}\" with seal {seal}{via}{v}{c}"
                ))
            }
            12 => {
                let t = self.pick(TEMPLATES);
                let (owner, name) = t.split_once('.').unwrap();
                let seal = self.seal_of(owner);
                let seal = seal.rsplit('.').next().unwrap().to_owned();
                let v = self.validity();
                let c = self.condition(false);
                self.labelled(format!(
                    "{owner} auto-signs template {name} with seal {seal}{v}{c}"
                ))
            }
            13 => {
                let who = self.pick(&["acme.li", "acme.wang", "acme_sh.chen", "acme.zhang"]);
                let mut body = format!("employee {who} may initiate auto-sign");
                if self.rng.bool() {
                    body.push_str(&format!(" for template {}", self.pick(TEMPLATES)));
                }
                if self.rng.u8(..4) == 0 {
                    body.push_str(&format!(
                        " on behalf of {}",
                        self.pick(&["acme_sh", "acme_bj", "globex"])
                    ));
                }
                body.push_str(&self.validity());
                body.push_str(&self.condition(false));
                self.labelled(body)
            }
            14 => {
                let mut body = String::from("forbid auto-sign");
                match self.rng.u8(..5) {
                    0 => body.push_str(&format!(" for signer {}", self.org().0)),
                    1 => body.push_str(&format!(" for template {}", self.pick(TEMPLATES))),
                    2 => body.push_str(&format!(
                        " with seal kind {}",
                        self.pick(&["official", "contract", "finance", "other", "bogus"])
                    )),
                    _ => {}
                }
                body.push_str(&self.validity());
                body.push_str(&self.condition(true));
                self.labelled(body)
            }
            _ => {
                let t = self.pick(TEMPLATES);
                let (owner, name) = t.split_once('.').unwrap();
                let role = self.pick(ROLES);
                let valid = if self.rng.bool() {
                    " valid for 10 days"
                } else {
                    ""
                };
                let body = format!(
                    "{owner} invites partners to authorize template {name} as signatory \"{role}\" at {}{valid}",
                    self.time()
                );
                self.labelled(body)
            }
        }
    }
}

fn requests() -> Vec<Request> {
    let mut out = Vec::new();
    let times = [
        "2026-03-02T10:00:00+08:00",
        "2026-05-10T10:00:00+08:00",
        "2026-07-15T10:00:00+08:00",
        "2027-02-01T10:00:00+08:00",
    ];
    // (template, initiator, signer, signatory, on behalf of)
    type Case<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
    let cases: &[Case] = &[
        ("acme.nda", "acme.li", "globex", Some("乙方"), None),
        ("acme.nda", "acme.wang", "initech", Some("乙方"), None),
        ("acme.nda", "acme.li", "acme", None, None),
        ("acme.purchase", "acme.wang", "initech", Some("乙方"), None),
        ("acme.purchase", "acme.li", "acme", None, None),
        ("acme.labor", "acme.li", "acme", None, None),
        ("acme.labor", "acme.li", "globex", Some("甲方"), None),
        ("acme.general", "acme.li", "acme", None, None),
        (
            "acme_sh.lease",
            "acme.li",
            "globex",
            Some("出租方"),
            Some("acme_sh"),
        ),
        ("acme_sh.lease", "acme.li", "acme_sh", None, Some("acme_sh")),
        (
            "acme_sh.service",
            "acme_sh.chen",
            "initech",
            Some("乙方"),
            None,
        ),
        (
            "acme_bj.service",
            "acme.li",
            "acme_bj",
            None,
            Some("acme_bj"),
        ),
    ];
    for t in times {
        for (template, initiator, signer, role, behalf) in cases {
            let at = Instant::parse(t).unwrap();
            let mut r = Request::new(at, template, initiator, signer);
            if let Some(role) = role {
                r = r.signatory(role);
            }
            if let Some(b) = behalf {
                r = r.on_behalf_of(b);
            }
            out.push(r.clone());
            out.push(
                r.attribute("amount", Value::number("120000").unwrap())
                    .attribute("currency", "CNY")
                    .attribute("category", "x")
                    .attribute("framework", true),
            );
        }
    }
    out
}

/// What a policy answers, as text: every table, each request's decision
/// and explanation, and the reports.
fn answers(p: &Policy, reqs: &[Request]) -> String {
    let mut out = p.tables_digest();
    for r in reqs {
        out.push_str(&serde_json::to_string(&p.decide_rendered(r, Lang::En)).unwrap());
        out.push('\n');
        out.push_str(&serde_json::to_string(&p.explain_rendered(r, Lang::En)).unwrap());
        out.push('\n');
    }
    for t in ["2026-03-02T10:00:00+08:00", "2026-07-15T10:00:00+08:00"] {
        let at = Instant::parse(t).unwrap();
        out.push_str(&serde_json::to_string(&p.audit(at, None)).unwrap());
        for who in ["acme.li", "acme.wang"] {
            out.push_str(&format!("{:?}", p.templates_for(who, None, at, &[])));
        }
        for t in TEMPLATES {
            out.push_str(&format!("{:?}", p.who(t, at, None, &[])));
        }
    }
    out
}

fn json(r: &Report) -> Vec<String> {
    r.to_json()
        .iter()
        .map(|d| serde_json::to_string(d).unwrap())
        .collect()
}

/// What the library's loader ([`Policy::load`], as `autoseal check` and
/// the CLI's reports load a set) gives for the files: the policy's answers
/// and the warnings, or the diagnostics.
fn analyzed(
    files: &[(String, String)],
    journal: &str,
    text: &str,
    reqs: &[Request],
) -> Result<(String, Vec<String>), Vec<String>> {
    match Policy::load(inputs(files, journal, text)) {
        Ok(l) => Ok((answers(&l.policy, reqs), json(&l.warnings))),
        Err(autoseal::Error::Invalid { analysis }) => Err(analysis
            .diagnostics
            .to_json(&analysis.sources)
            .iter()
            .map(|d| serde_json::to_string(d).unwrap())
            .collect()),
        Err(e) => panic!("{e}"),
    }
}

fn only_new(after: &Report, before: &Report) -> Vec<String> {
    let seen: std::collections::HashSet<String> = json(before).into_iter().collect();
    json(after)
        .into_iter()
        .filter(|d| !seen.contains(d))
        .collect()
}

fn run(seed: u64, journal: &str, head: &str, steps: usize) -> (usize, usize) {
    let files = bundled();
    let reqs = requests();
    let mut text = String::from(head);
    let mut live = LiveSet::load(inputs(&files, journal, &text)).unwrap();
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed),
        next: 0,
        made: Vec::new(),
        tz: head.contains("timezone"),
    };
    let _ = g.tz;
    let (mut applied, mut incremental) = (0, 0);
    // Some accepted changes are taken back (the journal could not be
    // written): the set must be as it was.
    let mut aborts = fastrand::Rng::with_seed(seed ^ 0x5eed);
    let mut log = Vec::new();
    for _ in 0..steps {
        let line = format!("{}\n", g.statement());
        log.push(line.clone());
        let fresh = LiveSet::load(inputs(&files, journal, &format!("{text}{line}")));
        let ctx = || format!("seed {seed}, journal {journal}, events:\n{}", log.concat());
        match live.append(journal, line.as_bytes()) {
            Ok(p) => {
                let fresh = fresh.unwrap_or_else(|r| {
                    panic!(
                        "accepted what a fresh load refuses: {}\n{}",
                        r.render(false),
                        ctx()
                    )
                });
                let brought = json(&p.new_warnings);
                let expected = only_new(fresh.warnings(), live.warnings());
                assert_eq!(brought, expected, "the warnings an event brings\n{}", ctx());
                if !p.whole {
                    incremental += 1;
                }
                if aborts.u8(..8) == 0 {
                    live.abort(p);
                    let c = format!("{} (aborted)", ctx());
                    unchanged(
                        &live,
                        &files,
                        journal,
                        &text,
                        &reqs,
                        "an aborted change",
                        &c,
                    );
                    log.pop();
                    continue;
                }
                live.commit(p);
                text.push_str(&line);
                applied += 1;
                assert_eq!(
                    json(live.warnings()),
                    json(fresh.warnings()),
                    "warnings\n{}",
                    ctx()
                );
                let (loaded, warnings) = analyzed(&files, journal, &text, &reqs)
                    .unwrap_or_else(|d| panic!("the loader refuses: {d:#?}\n{}", ctx()));
                assert_eq!(
                    json(fresh.warnings()),
                    warnings,
                    "the loader's warnings\n{}",
                    ctx()
                );
                assert_eq!(live.statements(), fresh.statements(), "{}", ctx());
                let (a, b) = (
                    answers(live.policy(), &reqs),
                    answers(fresh.policy(), &reqs),
                );
                if b != loaded {
                    let diff: Vec<_> = b
                        .lines()
                        .zip(loaded.lines())
                        .filter(|(x, y)| x != y)
                        .take(4)
                        .collect();
                    panic!("a fresh live set is not the loader's: {diff:#?}\n{}", ctx());
                }
                if a != b {
                    let diff: Vec<_> = a
                        .lines()
                        .zip(b.lines())
                        .filter(|(x, y)| x != y)
                        .take(4)
                        .collect();
                    panic!(
                        "the live policy is not a fresh load's: {diff:#?}\n{}",
                        ctx()
                    );
                }
            }
            Err(AppendError::Refused(report)) => {
                let Err(fresh) = fresh else {
                    panic!(
                        "refused what a fresh load accepts: {}\n{}",
                        report.render(false),
                        ctx()
                    );
                };
                assert!(report.diagnostics.has_errors(), "{}", ctx());
                let loader = analyzed(&files, journal, &format!("{text}{line}"), &reqs)
                    .err()
                    .unwrap_or_else(|| panic!("the loader accepts\n{}", ctx()));
                assert_eq!(json(&fresh), loader, "the loader's diagnostics\n{}", ctx());
                let expected = only_new(&fresh, live.warnings());
                assert_eq!(
                    json(&report),
                    expected,
                    "the problems of a refusal\n{}",
                    ctx()
                );
                unchanged(&live, &files, journal, &text, &reqs, "a refusal", &ctx());
            }
            Err(e) => panic!("{e}"),
        }
    }
    (applied, incremental)
}

/// `live` is what loading the files with `text` as the journal gives.
fn unchanged(
    live: &LiveSet,
    files: &[(String, String)],
    journal: &str,
    text: &str,
    reqs: &[Request],
    what: &str,
    ctx: &str,
) {
    let again = LiveSet::load(inputs(files, journal, text)).unwrap();
    assert_eq!(
        json(live.warnings()),
        json(again.warnings()),
        "{what} changed the warnings\n{ctx}"
    );
    assert_eq!(
        live.statements(),
        again.statements(),
        "{what} changed the count\n{ctx}"
    );
    assert_eq!(
        answers(live.policy(), reqs),
        answers(again.policy(), reqs),
        "{what} changed the set\n{ctx}"
    );
}

fn check(journal: &str, head: &str) {
    let seeds: u64 = std::env::var("LIVE_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let (mut applied, mut incremental) = (0, 0);
    for seed in 0..seeds {
        let (a, i) = run(seed, journal, head, 60);
        applied += a;
        incremental += i;
    }
    eprintln!("{journal}: {applied} applied, {incremental} incrementally");
    // The sequences must exercise both paths.
    assert!(applied > 20, "{applied} applied");
    assert!(incremental > 10, "{incremental} incremental of {applied}");
}

#[test]
fn events_in_a_journal_among_the_files() {
    check("journal.policy", "# the journal\n");
}

#[test]
fn events_in_a_journal_after_every_file() {
    check("zz-journal.policy", "# the journal\n");
}

#[test]
fn events_in_a_journal_with_a_time_zone() {
    check("journal.policy", "timezone +08:00\n");
}
