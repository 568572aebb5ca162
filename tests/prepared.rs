//! A prepared request carries its answers over time (see `Prepared`):
//! where it says the answer changes (every kind of instant a decision
//! reads), and that a request depending on more than `PLAN_LIMIT`
//! instants is still decided exactly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use autoseal::time::parse_datetime;
use autoseal::{Instant, Policy, Request, PLAN_LIMIT};

const DECLS: &str = r#"timezone +08:00
org acme "Acme" {
    super_admin sa "SA"
    employee e1 "E1"
    seal s1 "S1" kind contract
    template t1 "T1"
}
b0: employee acme.e1 may initiate auto-sign
r1: acme auto-signs template t1 with seal s1 until 2026-06-01
"#;

fn at(t: &str) -> Instant {
    Instant::from_datetime(&parse_datetime(t).unwrap())
}

/// A request of DECLS's initiator to its own org, for `template`.
fn request(t: &str, template: &str) -> Request {
    Request::new(at(t), template, "acme.e1", "acme")
}

fn load(text: &str) -> Policy {
    Policy::from_str("p.policy", text)
        .map_err(|e| e.render())
        .unwrap()
}

/// Every instant of `instants`, a microsecond either side too: the
/// prepared answer is the answer by names.
fn assert_prepared_agrees(p: &Policy, req: &Request, instants: &[Instant]) {
    let mut prepared = p.prepare(req);
    let mut moved = req.clone();
    for &t in instants {
        for t in [Instant(t.0 - 1), t, Instant(t.0 + 1)] {
            prepared.at = t;
            moved.at = t;
            assert_eq!(
                p.decide_prepared(&prepared).unwrap(),
                p.decide(&moved),
                "at {t:?}"
            );
        }
    }
}

#[test]
fn changes_are_where_the_answer_changes() {
    let text = format!(
        "{DECLS}acme enables auto-sign at 2026-01-05 by sa
disable seal acme.s1 at 2026-03-01
enable seal acme.s1 at 2026-04-01T09:30:00+08:00
"
    );
    let p = load(&text);
    let req = request("2026-02-01T00:00:00+08:00", "acme.t1");
    let prepared = p.prepare(&req);
    // The service opens; the seal is disabled, then enabled; the rule
    // runs through the end of its `until` day.
    let expected = [
        at("2026-01-05T00:00:00+08:00"),
        at("2026-03-01T00:00:00+08:00"),
        at("2026-04-01T09:30:00+08:00"),
        at("2026-06-02T00:00:00+08:00"),
    ];
    assert_eq!(prepared.changes(), Some(&expected[..]));
    let codes: Vec<_> = [Instant(expected[0].0 - 1)]
        .iter()
        .chain(&expected)
        .map(|&t| {
            let mut moved = prepared.clone();
            moved.at = t;
            p.decide_prepared(&moved)
                .unwrap()
                .code()
                .map(|c| c.as_str())
        })
        .collect();
    assert_eq!(
        codes,
        [
            Some("service_not_enabled"),
            None,
            Some("seal_disabled"),
            None,
            Some("template_not_auto_sign"),
        ]
    );
    assert_prepared_agrees(&p, &req, &expected);
}

#[test]
fn every_kind_of_change_is_listed() {
    // A partner grant, started by its acceptance, resealed, forbidden for
    // a few days, its template disabled for one, then revoked; the
    // initiator authorized from a date; the signer's service opened.
    let p = load(
        r#"timezone +08:00
org acme "Acme" {
    super_admin zhang "Z"
    employee li "L"
    template nda "NDA" signatories "甲方", "乙方"
}
org globex "Globex" {
    super_admin zhao "Z"
    seal contract "C" kind contract
    seal contract2 "C2" kind contract
}
acme enables auto-sign at 2026-01-05 by zhang
globex enables auto-sign at 2026-01-06 by zhao
li_auto: employee acme.li may initiate auto-sign from 2026-02-01 until revoked
inv: acme invites partners to authorize template nda as signatory "乙方" at 2026-03-01T09:00:00+08:00
g: partner globex authorizes acme template nda as signatory "乙方" with seal contract
    via invite inv accepted 2026-03-10T10:00:00+08:00 by zhao
    until revoked
reseal g with seal globex.contract2 at 2026-04-15
forbid auto-sign for signer globex from 2026-05-01 until 2026-05-03
disable template acme.nda at 2026-05-20
enable template acme.nda at 2026-05-21
revoke g at 2026-06-01T12:00:00+08:00 by globex.zhao
"#,
    );
    let mut req = Request::new(
        at("2026-04-01T00:00:00+08:00"),
        "acme.nda",
        "acme.li",
        "globex",
    );
    req.signatory = Some("乙方".into());
    let expected: Vec<Instant> = [
        (
            "2026-01-06T00:00:00+08:00",
            Some("initiator_not_authorized"),
        ),
        ("2026-02-01T00:00:00+08:00", Some("grant_not_yet_valid")),
        ("2026-03-10T10:00:00+08:00", None),
        ("2026-04-15T00:00:00+08:00", None),
        ("2026-05-01T00:00:00+08:00", Some("forbidden")),
        ("2026-05-04T00:00:00+08:00", None),
        ("2026-05-20T00:00:00+08:00", Some("template_disabled")),
        ("2026-05-21T00:00:00+08:00", None),
        ("2026-06-01T12:00:00+08:00", Some("grant_revoked")),
    ]
    .iter()
    .map(|&(t, code)| {
        let mut moved = req.clone();
        moved.at = at(t);
        assert_eq!(p.decide(&moved).code().map(|c| c.as_str()), code, "at {t}");
        moved.at
    })
    .collect();
    assert_eq!(p.prepare(&req).changes(), Some(&expected[..]));
    assert_prepared_agrees(&p, &req, &expected);
}

#[test]
fn an_unknown_name_never_changes() {
    let p = load(DECLS);
    let req = request("2026-02-01T00:00:00+08:00", "acme.t9");
    let prepared = p.prepare(&req);
    assert_eq!(prepared.changes(), Some(&[][..]));
    assert_prepared_agrees(&p, &req, &[Instant(0), req.at]);
}

#[test]
fn past_the_limit_a_prepared_request_is_decided_in_full() {
    // The service toggled every day: more instants than a plan holds.
    let days = PLAN_LIMIT as i64 + 10;
    let start = at("2026-01-01T00:00:00+08:00");
    let mut text = String::from(DECLS);
    let mut instants = Vec::new();
    for d in 0..days {
        let t = Instant(start.0 + d * 86_400_000_000);
        let stamp = t
            .to_datetime(chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .unwrap()
            .to_rfc3339();
        text.push_str(&if d % 2 == 0 {
            format!("acme enables auto-sign at {stamp} by sa\n")
        } else {
            format!("acme disables auto-sign at {stamp}\n")
        });
        instants.push(t);
    }
    let p = load(&text);
    let req = request("2026-01-01T00:00:00+08:00", "acme.t1");
    assert_eq!(p.prepare(&req).changes(), None);
    assert_prepared_agrees(&p, &req, &instants);
    // Below the limit, the same request has its answers over time.
    let few: String = text
        .lines()
        .take(DECLS.lines().count() + 20)
        .collect::<Vec<_>>()
        .join("\n");
    let p = load(&few);
    assert_eq!(p.prepare(&req).changes().map(<[_]>::len), Some(20));
}

#[test]
fn the_limit_counts_distinct_instants() {
    // More forbids than the limit, all with one window: two instants.
    let mut text = String::from(DECLS);
    text.push_str("acme enables auto-sign at 2026-01-05 by sa\n");
    for _ in 0..PLAN_LIMIT + 10 {
        text.push_str(
            "forbid auto-sign with seal kind contract from 2026-05-01 until 2026-05-03\n",
        );
    }
    let p = load(&text);
    let req = request("2026-02-01T00:00:00+08:00", "acme.t1");
    let changes = p.prepare(&req).changes().map(<[_]>::to_vec);
    assert_eq!(
        changes,
        Some(vec![
            at("2026-01-05T00:00:00+08:00"),
            at("2026-05-01T00:00:00+08:00"),
            at("2026-05-04T00:00:00+08:00"),
            at("2026-06-02T00:00:00+08:00"),
        ])
    );
}
