//! Small policy sets and requests over a fixed vocabulary, built from plain
//! bytes.
//!
//! Shared by the grammar-aware `decide` fuzz target (bytes from
//! `arbitrary`) and by `tests/properties.rs` (bytes from proptest, which
//! includes this file with `#[path]`), so it depends on nothing but
//! `autoseal` and `std`.
//!
//! The vocabulary: three orgs `acme`, `beta`, `corp`, each with a super
//! admin `sa`, employees `e1` and `e2`, seals `s1` (contract), `s2`
//! (official), `s3` (finance) and `s4` (no kind: other), templates `t1` and
//! `t2` (signatories "甲方", "乙方") and `t3` (no signatories); a group
//! `grp` whose main org is `acme` and whose members are `beta` and `corp`;
//! attributes `amount: number` and `category: string` declared, `region`
//! and `flag` used undeclared; eight times (dates and date-times, in
//! `+08:00` and `Z`). Every statement kind of the language is generated:
//! service enables/disables, super-admin changes (rarely, to `e1` or back
//! to `sa`), seal and template disable/enable, invites,
//! own auto-sign rules, employee authorizations (narrowed, on behalf of a
//! group member), partner grants (with or without an invite, some void),
//! revokes, reseals and forbids, with optional validity and condition.
//! Where the org is known, persons and seals are written bare or qualified
//! (`sa`, `acme.sa`).

#![allow(dead_code)]

use autoseal::time::parse_datetime;
use autoseal::{CompactString, Instant, Request, Value};

pub const ORGS: [&str; 3] = ["acme", "beta", "corp"];
/// `sa` is each org's super admin.
pub const PEOPLE: [&str; 3] = ["sa", "e1", "e2"];
pub const SEALS: [(&str, Option<&str>); 4] = [
    ("s1", Some("contract")),
    ("s2", Some("official")),
    ("s3", Some("finance")),
    ("s4", None),
];
/// Templates, and whether they list signatories.
pub const TEMPLATES: [(&str, bool); 3] = [("t1", true), ("t2", true), ("t3", false)];
pub const ROLES: [&str; 2] = ["甲方", "乙方"];
pub const KINDS: [&str; 4] = ["contract", "official", "finance", "other"];

/// Policy times, in increasing order of the instant they start at.
pub const TIMES: [&str; 8] = [
    "2026-01-01",
    "2026-01-15T08:30:00+08:00",
    "2026-02-01",
    "2026-02-28T23:59:59+08:00",
    "2026-03-01T00:00:00Z",
    "2026-04-01",
    "2026-04-30T12:00+08:00",
    "2026-06-30",
];

const CONDITIONS: [&str; 6] = [
    "amount <= 500",
    "amount > 1000 or category == \"x\"",
    "category in [\"x\", \"y\"]",
    "not (amount < 100) and region == \"north\"",
    "flag == true or (amount >= 500.5 and not category != \"y\")",
    "amount != 2_000",
];

/// Whether deleting a statement may turn `auto_seal` into `manual`
/// (`Restrictive` deletions must not), `manual` into `auto_seal`
/// (`Permissive` deletions must not), or either (`Neutral`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Decl,
    /// forbid, `disables`, `disable seal|template`, revoke of a grant or
    /// permission: deleting it only widens what is allowed.
    Restrictive,
    /// `enables`, `enable seal|template`, own rule, employee rule, partner
    /// grant, invite, and the revoke of a forbid (which ends a block):
    /// deleting it only narrows what is allowed.
    Permissive,
    /// reseal: changes which seal, so it can go either way.
    Neutral,
}

/// What a rule is, for the fail-closed property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    None,
    /// `ORG enables auto-sign at TIMES[t]`.
    Enables {
        org: usize,
        t: usize,
    },
    /// A service, seal or template switched on or off at `TIMES[t]`, or a
    /// rule resealed (`on` then tells the seal apart): `what` names it.
    /// Two of these for the same `what` at the same `t` are a tie that
    /// must not depend on order (`tests/regressions.rs`).
    Toggle {
        what: String,
        on: usize,
        t: usize,
    },
    /// `ORG auto-signs template T`.
    Own {
        org: usize,
        template: usize,
    },
    /// `partner P authorizes ORG template T as signatory R`.
    Grant {
        partner: usize,
        org: usize,
        template: usize,
        role: usize,
    },
    /// `employee ORG.P may initiate auto-sign [on behalf of SUB]`.
    Employee {
        org: usize,
        person: usize,
        behalf: Option<usize>,
    },
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub text: String,
    pub class: Class,
    pub fact: Fact,
}

#[derive(Debug, Clone)]
pub struct Set {
    /// Declarations first, then the generated statements.
    pub stmts: Vec<Statement>,
}

impl Set {
    /// One file: `timezone` first, then every statement in order.
    pub fn text(&self) -> String {
        file_text(self.stmts.iter())
    }

    pub fn without(&self, i: usize) -> Set {
        let mut s = self.clone();
        if i < s.stmts.len() {
            s.stmts.remove(i);
        }
        s
    }
}

/// A file holding `stmts`, each file with its own `timezone`.
pub fn file_text<'a>(stmts: impl Iterator<Item = &'a Statement>) -> String {
    let mut out = String::from("timezone +08:00\n\n");
    for s in stmts {
        out.push_str(&s.text);
        out.push('\n');
    }
    out
}

fn pick<T: Copy>(xs: &[T], b: u8) -> T {
    xs[b as usize % xs.len()]
}

/// A statement before references are resolved.
#[derive(Debug, Clone)]
enum Proto {
    Enables {
        org: usize,
        t: usize,
        by: usize,
        qualified: bool,
    },
    Disables {
        org: usize,
        t: usize,
    },
    AdminChange {
        org: usize,
        to: usize,
        t: usize,
    },
    SealToggle {
        enable: bool,
        org: usize,
        seal: usize,
        t: usize,
    },
    TemplateToggle {
        enable: bool,
        org: usize,
        template: usize,
        t: usize,
    },
    Invite {
        org: usize,
        template: usize,
        role: usize,
        t: usize,
        valid: u8,
    },
    Own {
        org: usize,
        template: usize,
        seal: usize,
        qualified: bool,
        tail: [u8; 3],
    },
    Employee {
        org: usize,
        person: usize,
        template: Option<usize>,
        behalf: Option<usize>,
        tail: [u8; 3],
    },
    Grant {
        partner: usize,
        org: usize,
        template: usize,
        role: usize,
        seal: usize,
        via: Option<[u8; 3]>,
        tail: [u8; 3],
    },
    Revoke {
        target: u8,
        t: usize,
        by: bool,
        qualified: bool,
    },
    Reseal {
        target: u8,
        seal: usize,
        t: usize,
        qualified: bool,
    },
    Forbid {
        signer: Option<usize>,
        template: Option<(usize, usize)>,
        kind: Option<usize>,
        tail: [u8; 3],
    },
}

fn proto(kind: u8, p: &[u8; 8]) -> Proto {
    let t = |b: u8| b as usize % TIMES.len();
    let org = p[0] as usize % 3;
    let tail = [p[5], p[6], p[7]];
    match kind % 16 {
        0..=2 => Proto::Enables {
            org,
            // Mostly early, so that the rules after it get a chance.
            t: if p[3] % 4 == 0 {
                t(p[1])
            } else {
                p[1] as usize % 3
            },
            // Mostly the super admin; sometimes not (a load error).
            by: if p[2] % 16 == 0 { 1 } else { 0 },
            qualified: p[4] % 2 == 0,
        },
        // Rarely, and mostly late: to `e1`, or back to `sa` (a warning
        // when it already is).
        3 if p[4] % 4 == 0 => Proto::AdminChange {
            org,
            to: if p[2] % 2 == 0 { 1 } else { 0 },
            t: if p[3] % 4 == 0 {
                t(p[1])
            } else {
                4 + p[1] as usize % 4
            },
        },
        // Mostly late.
        3 => Proto::Disables {
            org,
            t: if p[3] % 4 == 0 {
                t(p[1])
            } else {
                4 + p[1] as usize % 4
            },
        },
        4 => Proto::SealToggle {
            enable: p[3] % 2 == 0,
            org,
            seal: p[2] as usize % SEALS.len(),
            t: t(p[1]),
        },
        5 => Proto::TemplateToggle {
            enable: p[3] % 2 == 0,
            org,
            template: p[2] as usize % TEMPLATES.len(),
            t: t(p[1]),
        },
        6 => Proto::Invite {
            org,
            template: p[2] as usize % TEMPLATES.len(),
            role: p[3] as usize % ROLES.len(),
            t: t(p[1]),
            valid: p[4],
        },
        7 => Proto::Own {
            org,
            template: p[2] as usize % TEMPLATES.len(),
            seal: p[3] as usize % SEALS.len(),
            qualified: p[4] % 2 == 0,
            tail,
        },
        8 | 9 => {
            let behalf = (org == 0 && p[3] % 3 == 0).then_some(1 + p[4] as usize % 2);
            let target = behalf.unwrap_or(org);
            let template = (p[2] % 3 == 0).then_some(p[2] as usize / 3 % TEMPLATES.len());
            let _ = target;
            Proto::Employee {
                org,
                person: p[1] as usize % PEOPLE.len(),
                template,
                behalf,
                tail,
            }
        }
        10..=12 => Proto::Grant {
            partner: org,
            org: (org + 1 + p[1] as usize % 2) % 3,
            template: p[2] as usize % TEMPLATES.len(),
            role: p[3] as usize % ROLES.len(),
            seal: p[4] as usize % SEALS.len(),
            via: (p[5] % 3 == 0).then_some([p[6], p[7], p[1]]),
            tail,
        },
        13 => Proto::Revoke {
            target: p[0],
            t: t(p[1]),
            by: p[2] % 2 == 0,
            qualified: p[3] % 2 == 0,
        },
        14 => Proto::Reseal {
            target: p[0],
            seal: p[2] as usize % SEALS.len(),
            t: t(p[1]),
            qualified: p[3] % 2 == 0,
        },
        _ => Proto::Forbid {
            signer: (p[1] % 3 == 0).then_some(p[1] as usize / 3 % 3),
            template: (p[2] % 3 == 0)
                .then_some((p[2] as usize / 3 % 3, p[3] as usize % TEMPLATES.len())),
            kind: (p[4] % 2 == 0).then_some(p[4] as usize / 2 % KINDS.len()),
            tail,
        },
    }
}

/// A person or seal of `ORGS[org]`, where the statement names the org:
/// `ORG.NAME` or bare.
fn named(qualified: bool, org: usize, name: &str) -> String {
    if qualified {
        format!("{}.{name}", ORGS[org])
    } else {
        name.to_owned()
    }
}

/// `[from ...] [until ...] [when ...]` from three bytes.
fn tail(b: [u8; 3]) -> String {
    let mut out = String::new();
    let i = b[0] as usize % TIMES.len();
    let j = b[1] as usize % TIMES.len();
    let (lo, hi) = (i.min(j), i.max(j).max(i.min(j) + 1).min(TIMES.len() - 1));
    match b[0] / 8 % 6 {
        0 => {}
        1 => out.push_str(&format!(" from {}", TIMES[i])),
        2 => out.push_str(&format!(" until {}", TIMES[j])),
        3 if lo < hi => out.push_str(&format!(" from {} until {}", TIMES[lo], TIMES[hi])),
        3 => out.push_str(&format!(" from {}", TIMES[lo])),
        4 => out.push_str(" until revoked"),
        _ => out.push_str(&format!(" from {} until revoked", TIMES[i])),
    }
    if b[2] % 3 == 1 {
        out.push_str(" when ");
        out.push_str(pick(&CONDITIONS, b[2] / 3));
    }
    out
}

fn seal_decl((name, kind): (&str, Option<&str>)) -> String {
    match kind {
        Some(k) => format!("    seal {name} \"印章 {name}\" kind {k}\n"),
        None => format!("    seal {name} \"印章 {name}\"\n"),
    }
}

fn declarations() -> Vec<Statement> {
    let decl = |text: String| Statement {
        text,
        class: Class::Decl,
        fact: Fact::None,
    };
    let mut out = vec![
        decl(String::from("attribute amount: number \"合同金额\"")),
        decl(String::from("attribute category: string")),
    ];
    for o in ORGS {
        let mut t = format!("org {o} \"{o} 有限公司\" {{\n    super_admin sa \"管理员\"\n");
        t.push_str("    employee e1 \"员工一\"\n    employee e2 \"员工二\"\n");
        for s in SEALS {
            t.push_str(&seal_decl(s));
        }
        for (name, sig) in TEMPLATES {
            if sig {
                t.push_str(&format!(
                    "    template {name} \"模板 {name}\" signatories \"甲方\", \"乙方\"\n"
                ));
            } else {
                t.push_str(&format!("    template {name} \"模板 {name}\"\n"));
            }
        }
        t.push('}');
        out.push(decl(t));
    }
    out.push(decl(String::from(
        "group grp \"集团\" main acme members beta, corp",
    )));
    out
}

/// What most sets have, so that requests get past the early checks: each
/// org's service enabled early (three times in four), one employee of each
/// org authorized (two times in three), and acme's `e1` on behalf of the
/// members. Labels `b0`...
fn backbone(b: &[u8; 8]) -> Vec<Statement> {
    let mut out = Vec::new();
    for (i, org) in ORGS.iter().enumerate() {
        if b[i] % 4 != 0 {
            out.push(Statement {
                text: format!(
                    "{org} enables auto-sign at {} by sa",
                    TIMES[b[i] as usize / 4 % 3]
                ),
                class: Class::Permissive,
                fact: Fact::Enables {
                    org: i,
                    t: b[i] as usize / 4 % 3,
                },
            });
        }
        if b[3 + i] % 3 != 0 {
            out.push(Statement {
                text: format!("b{i}: employee {org}.e1 may initiate auto-sign"),
                class: Class::Permissive,
                fact: Fact::Employee {
                    org: i,
                    person: 1,
                    behalf: None,
                },
            });
        }
    }
    for (k, sub) in [1usize, 2].into_iter().enumerate() {
        if b[6] >> k & 1 == 0 {
            out.push(Statement {
                text: format!(
                    "b{}: employee acme.e1 may initiate auto-sign on behalf of {}",
                    3 + k,
                    ORGS[sub]
                ),
                class: Class::Permissive,
                fact: Fact::Employee {
                    org: 0,
                    person: 1,
                    behalf: Some(sub),
                },
            });
        }
    }
    out
}

/// Builds a policy set from `(kind, parameters)` pairs. `label_all`: every
/// rule gets a label (else only some do; invites always do).
pub fn build(raw: &[(u8, [u8; 8])], label_all: bool) -> Set {
    let protos: Vec<(usize, Proto)> = raw
        .iter()
        .enumerate()
        .map(|(i, (k, p))| (i, proto(*k, p)))
        .collect();
    let labelled = |i: usize, p: &[u8; 8]| label_all || p[7] % 4 != 0 || i % 5 == 0;
    // Labels first: what revoke, reseal and via can name.
    let mut rules: Vec<(String, &Proto)> = Vec::new();
    let mut invites: Vec<(String, &Proto)> = Vec::new();
    for (i, pr) in &protos {
        let p = &raw[*i].1;
        match pr {
            Proto::Own { .. }
            | Proto::Employee { .. }
            | Proto::Grant { .. }
            | Proto::Forbid { .. }
                if labelled(*i, p) =>
            {
                rules.push((format!("r{i}"), pr));
            }
            Proto::Invite { .. } => invites.push((format!("r{i}"), pr)),
            _ => {}
        }
    }
    let mut stmts = declarations();
    if let Some((_, b)) = raw.first() {
        stmts.extend(backbone(b));
    }
    for (i, pr) in &protos {
        let p = &raw[*i].1;
        let label = if labelled(*i, p) {
            format!("r{i}: ")
        } else {
            String::new()
        };
        let (text, class, fact) = match pr {
            Proto::Enables {
                org,
                t,
                by,
                qualified,
            } => (
                format!(
                    "{} enables auto-sign at {} by {}",
                    ORGS[*org],
                    TIMES[*t],
                    named(*qualified, *org, PEOPLE[*by])
                ),
                Class::Permissive,
                Fact::Enables { org: *org, t: *t },
            ),
            // It can void grants or make acts by `sa` errors: either way.
            Proto::AdminChange { org, to, t } => (
                format!(
                    "{} changes super admin to {} at {}",
                    ORGS[*org], PEOPLE[*to], TIMES[*t]
                ),
                Class::Neutral,
                Fact::None,
            ),
            Proto::Disables { org, t } => (
                format!("{} disables auto-sign at {}", ORGS[*org], TIMES[*t]),
                Class::Restrictive,
                Fact::Toggle {
                    what: format!("service {}", ORGS[*org]),
                    on: 0,
                    t: *t,
                },
            ),
            Proto::SealToggle {
                enable,
                org,
                seal,
                t,
            } => toggle("seal", *enable, *org, SEALS[*seal].0, *t),
            Proto::TemplateToggle {
                enable,
                org,
                template,
                t,
            } => toggle("template", *enable, *org, TEMPLATES[*template].0, *t),
            Proto::Invite {
                org,
                template,
                role,
                t,
                valid,
            } => {
                let v = match valid % 6 {
                    0 => " valid for 7 days",
                    1 => " valid for 1 day",
                    2 => " valid for 2 months",
                    _ => "",
                };
                (
                    format!(
                        "r{i}: {} invites partners to authorize template {} as signatory \"{}\" at {}{v}",
                        ORGS[*org], TEMPLATES[*template].0, ROLES[*role], TIMES[*t]
                    ),
                    Class::Permissive,
                    Fact::None,
                )
            }
            Proto::Own {
                org,
                template,
                seal,
                qualified,
                tail: tl,
            } => (
                format!(
                    "{label}{} auto-signs template {} with seal {}{}",
                    ORGS[*org],
                    TEMPLATES[*template].0,
                    named(*qualified, *org, SEALS[*seal].0),
                    tail(*tl)
                ),
                Class::Permissive,
                Fact::Own {
                    org: *org,
                    template: *template,
                },
            ),
            Proto::Employee {
                org,
                person,
                template,
                behalf,
                tail: tl,
            } => {
                let target = behalf.unwrap_or(*org);
                let mut t = format!(
                    "{label}employee {}.{} may initiate auto-sign",
                    ORGS[*org], PEOPLE[*person]
                );
                if let Some(tp) = template {
                    t.push_str(&format!(
                        " for template {}.{}",
                        ORGS[target], TEMPLATES[*tp].0
                    ));
                }
                if let Some(b) = behalf {
                    t.push_str(&format!(" on behalf of {}", ORGS[*b]));
                }
                t.push_str(&tail(*tl));
                (
                    t,
                    Class::Permissive,
                    Fact::Employee {
                        org: *org,
                        person: *person,
                        behalf: *behalf,
                    },
                )
            }
            Proto::Grant {
                partner,
                org,
                template,
                role,
                seal,
                via,
                tail: tl,
            } => {
                let mut t =
                    format!(
                    "{label}partner {} authorizes {} template {} as signatory \"{}\" with seal {}",
                    ORGS[*partner], ORGS[*org], TEMPLATES[*template].0, ROLES[*role], SEALS[*seal].0
                );
                if let (Some(v), false) = (via, invites.is_empty()) {
                    // Prefer an invite that matches, so that most grants
                    // through one are not void.
                    let matching: Vec<&(String, &Proto)> = invites
                        .iter()
                        .filter(|(_, ip)| {
                            matches!(ip, Proto::Invite { org: o, template: tp, role: r, .. }
                                if o == org && tp == template && r == role)
                        })
                        .collect();
                    let (name, _) = if !matching.is_empty() && v[0] % 4 != 0 {
                        matching[v[0] as usize % matching.len()]
                    } else {
                        &invites[v[0] as usize % invites.len()]
                    };
                    let by = if v[2] % 8 == 0 { "e1" } else { "sa" };
                    t.push_str(&format!(
                        "\n    via invite {name} accepted {} by {}",
                        TIMES[v[1] as usize % TIMES.len()],
                        named(v[2] / 8 % 2 == 0, *partner, by)
                    ));
                }
                t.push_str(&tail(*tl));
                (
                    t,
                    Class::Permissive,
                    Fact::Grant {
                        partner: *partner,
                        org: *org,
                        template: *template,
                        role: *role,
                    },
                )
            }
            Proto::Revoke {
                target,
                t,
                by,
                qualified,
            } => {
                if rules.is_empty() {
                    continue;
                }
                let (name, rp) = &rules[*target as usize % rules.len()];
                let mut text = format!("revoke {name} at {}", TIMES[*t]);
                if let (Proto::Grant { partner, .. }, true) = (rp, by) {
                    text.push_str(&format!(" by {}", named(*qualified, *partner, "sa")));
                }
                let class = if matches!(rp, Proto::Forbid { .. }) {
                    Class::Permissive
                } else {
                    Class::Restrictive
                };
                (text, class, Fact::None)
            }
            Proto::Reseal {
                target,
                seal,
                t,
                qualified,
            } => {
                let sealed: Vec<&(String, &Proto)> = rules
                    .iter()
                    .filter(|(_, rp)| matches!(rp, Proto::Own { .. } | Proto::Grant { .. }))
                    .collect();
                if sealed.is_empty() {
                    continue;
                }
                let (name, rp) = sealed[*target as usize % sealed.len()];
                let owner = match rp {
                    Proto::Own { org, .. } => *org,
                    Proto::Grant { partner, .. } => *partner,
                    _ => 0,
                };
                (
                    format!(
                        "reseal {name} with seal {} at {}",
                        named(*qualified, owner, SEALS[*seal].0),
                        TIMES[*t]
                    ),
                    Class::Neutral,
                    Fact::Toggle {
                        what: format!("reseal {name}"),
                        on: *seal,
                        t: *t,
                    },
                )
            }
            Proto::Forbid {
                signer,
                template,
                kind,
                tail: tl,
            } => {
                let mut t = format!("{label}forbid auto-sign");
                if let Some(s) = signer {
                    t.push_str(&format!(" for signer {}", ORGS[*s]));
                }
                if let Some((o, tp)) = template {
                    t.push_str(&format!(" for template {}.{}", ORGS[*o], TEMPLATES[*tp].0));
                }
                if let Some(k) = kind {
                    t.push_str(&format!(" with seal kind {}", KINDS[*k]));
                }
                t.push_str(&tail(*tl));
                (t, Class::Restrictive, Fact::None)
            }
        };
        stmts.push(Statement { text, class, fact });
    }
    Set { stmts }
}

/// The instant a policy time starts at (dates in `+08:00`).
pub fn time_instant(t: &str) -> Instant {
    let full = if t.len() == 10 {
        format!("{t}T00:00:00+08:00")
    } else {
        t.to_owned()
    };
    match parse_datetime(&full) {
        Ok(d) => Instant::from_datetime(&d),
        Err(_) => Instant(0),
    }
}

const SECOND: i64 = 1_000_000;
const DAY: i64 = 86_400 * SECOND;

/// Interesting request instants: each policy time exactly, a second either
/// side, the end of each date (where `until DATE` ends) and a second
/// before it, and one long before and one long after everything.
pub fn instants() -> Vec<Instant> {
    let mut out = vec![time_instant("2025-06-01"), time_instant("2027-06-01")];
    for t in TIMES {
        let i = time_instant(t);
        out.extend([i, Instant(i.0 - SECOND), Instant(i.0 + SECOND)]);
        if t.len() == 10 {
            out.extend([Instant(i.0 + DAY), Instant(i.0 + DAY - SECOND)]);
        }
        // Where invite windows end: a day, seven days, one and two
        // calendar months later (no entry of TIMES is on a 29th-31st that
        // a later month lacks, so adding to the month field is exact).
        out.extend([Instant(i.0 + DAY), Instant(i.0 + 7 * DAY)]);
        for n in [1, 2] {
            let later = add_months(t, n);
            let j = time_instant(&later);
            out.extend([j, Instant(j.0 - SECOND)]);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `t` with its month field moved `n` months on (same day and clock).
fn add_months(t: &str, n: u32) -> String {
    let year: u32 = t.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    let month: u32 = t.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let m0 = month - 1 + n;
    format!(
        "{:04}-{:02}{}",
        year + m0 / 12,
        m0 % 12 + 1,
        t.get(7..).unwrap_or("")
    )
}

fn num(s: &str) -> Value {
    match autoseal::syntax::parse_decimal(s) {
        Some(d) => Value::Number(d),
        None => Value::Str(s.to_owned()),
    }
}

/// A request from eight bytes over the vocabulary. Three in four are
/// aimed at a seal rule of the set (its template and signer, an initiator
/// that some employee rule names), so that they get past the early checks.
pub fn request(p: &[u8; 8], instants: &[Instant], set: &Set) -> Request {
    let at = instants[p[0] as usize % instants.len()];
    let aims: Vec<&Fact> = set
        .stmts
        .iter()
        .map(|s| &s.fact)
        .filter(|f| matches!(f, Fact::Own { .. } | Fact::Grant { .. }))
        .collect();
    let mut r = if p[2] % 4 != 0 && !aims.is_empty() {
        aimed(p, aims[p[3] as usize % aims.len()], set)
    } else {
        random(p)
    };
    r.at = at;
    r.attributes = attributes(p[7]);
    r
}

fn aimed(p: &[u8; 8], aim: &Fact, set: &Set) -> Request {
    let (eff, template, signer, role) = match aim {
        Fact::Own { org, template } => (*org, *template, *org, None),
        Fact::Grant {
            partner,
            org,
            template,
            role,
        } => (*org, *template, *partner, Some(*role)),
        _ => (0, 0, 0, None),
    };
    // Initiators that an employee rule names for the effective org.
    let initiators: Vec<(usize, usize, Option<usize>)> = set
        .stmts
        .iter()
        .filter_map(|s| match s.fact {
            Fact::Employee {
                org,
                person,
                behalf,
            } if behalf.unwrap_or(org) == eff => Some((org, person, behalf)),
            _ => None,
        })
        .collect();
    let (ini_org, person, behalf) = if initiators.is_empty() || p[1] % 8 == 0 {
        (eff, p[1] as usize % PEOPLE.len(), None)
    } else {
        initiators[p[1] as usize % initiators.len()]
    };
    let signatory = match (role, p[6] % 5) {
        (Some(r), 0..=2) => Some(ROLES[r]),
        (_, 3) => None,
        (Some(r), _) => Some(ROLES[1 - r]),
        (None, n) => [None, Some("甲方"), Some("乙方"), None, Some("丙方")][n as usize],
    };
    Request {
        at: Instant(0),
        template: format!("{}.{}", ORGS[eff], TEMPLATES[template].0).into(),
        initiator: format!("{}.{}", ORGS[ini_org], PEOPLE[person]).into(),
        on_behalf_of: behalf.map(|b| ORGS[b].into()),
        signer: ORGS[signer].into(),
        signatory: signatory.map(CompactString::from),
        attributes: Vec::new(),
        id: None,
    }
}

fn random(p: &[u8; 8]) -> Request {
    let ini_org = p[1] as usize % 3;
    let person = p[1] as usize / 3 % PEOPLE.len();
    let behalf = match p[2] % 6 {
        0 | 1 if ini_org == 0 => Some(1 + p[2] as usize / 6 % 2),
        // acme is not its own member; beta and corp are no main org.
        2 => Some(p[3] as usize % 3),
        _ => None,
    };
    let eff = behalf.unwrap_or(ini_org);
    // Mostly a template of the effective org; sometimes another org's, or
    // an unknown name.
    let tpl_org = if p[3] % 8 == 0 { (eff + 1) % 3 } else { eff };
    let tpl = p[3] as usize / 8 % TEMPLATES.len();
    let template = match p[4] % 32 {
        0 => format!("{}.t9", ORGS[tpl_org]),
        1 => String::from("zed.t1"),
        _ => format!("{}.{}", ORGS[tpl_org], TEMPLATES[tpl].0),
    };
    let initiator = match p[4] % 32 {
        2 => format!("{}.nobody", ORGS[ini_org]),
        3 => String::from("zed.e1"),
        _ => format!("{}.{}", ORGS[ini_org], PEOPLE[person]),
    };
    // The signer: as often the effective org (own template) as a partner.
    let signer = match p[5] % 16 {
        0 => String::from("zed"),
        n if n % 2 == 0 => ORGS[eff].to_owned(),
        n => ORGS[(eff + 1 + (n as usize / 2) % 2) % 3].to_owned(),
    };
    let signatory = match p[6] % 5 {
        0 | 1 => None,
        2 => Some("甲方"),
        3 => Some("乙方"),
        _ => Some("丙方"),
    };
    Request {
        at: Instant(0),
        template: template.into(),
        initiator: initiator.into(),
        on_behalf_of: behalf.map(|b| ORGS[b].into()),
        signer: signer.into(),
        signatory: signatory.map(CompactString::from),
        attributes: Vec::new(),
        id: None,
    }
}

fn attributes(a: u8) -> Vec<(CompactString, Value)> {
    let mut attributes = Vec::new();
    match a % 6 {
        0 => {}
        1 => attributes.push(("amount".into(), num("50"))),
        2 => attributes.push(("amount".into(), num("500"))),
        3 => attributes.push(("amount".into(), num("500.5"))),
        4 => attributes.push(("amount".into(), num("2000"))),
        _ => attributes.push(("amount".into(), Value::Str("500".to_owned()))),
    }
    match a / 6 % 5 {
        0 => {}
        1 => attributes.push(("category".into(), Value::Str("x".to_owned()))),
        2 => attributes.push(("category".into(), Value::Str("y".to_owned()))),
        3 => attributes.push(("category".into(), Value::Str("z".to_owned()))),
        _ => attributes.push(("category".into(), num("5"))),
    }
    match a / 30 % 4 {
        0 => {}
        1 => attributes.push(("region".into(), Value::Str("north".to_owned()))),
        2 => attributes.push(("flag".into(), Value::Bool(true))),
        _ => {
            attributes.push(("region".into(), Value::Str("south".to_owned())));
            attributes.push(("flag".into(), Value::Bool(false)));
        }
    }
    attributes
}

/// The effective initiating org of a request over the vocabulary.
pub fn effective_org(r: &Request) -> &str {
    match &r.on_behalf_of {
        Some(o) => o,
        None => r.initiator.split_once('.').map_or("", |(o, _)| o),
    }
}

/// Whether the set has a rule for the request's key: an own auto-sign rule
/// when the signer is the effective org, else a grant from the signer for
/// the template.
pub fn has_rule_for(set: &Set, r: &Request) -> bool {
    let eff = effective_org(r);
    let Some((towner, tname)) = r.template.split_once('.') else {
        return false;
    };
    set.stmts.iter().any(|s| match &s.fact {
        Fact::Own { org, template } => {
            r.signer == eff
                && ORGS[*org] == r.signer
                && ORGS[*org] == towner
                && TEMPLATES[*template].0 == tname
        }
        Fact::Grant {
            partner,
            org,
            template,
            ..
        } => {
            r.signer != eff
                && ORGS[*partner] == r.signer
                && ORGS[*org] == towner
                && TEMPLATES[*template].0 == tname
        }
        _ => false,
    })
}

/// Whether the set has an `enables` event for the request's signer.
pub fn has_enables_for(set: &Set, r: &Request) -> bool {
    set.stmts
        .iter()
        .any(|s| matches!(&s.fact, Fact::Enables { org, .. } if ORGS[*org] == r.signer))
}

/// The set's statements in another order, split across `files` files
/// (each with its own `timezone`), the files themselves in a shuffled
/// order: `perm` is a permutation of the statements, `cut` the file each
/// lands in.
pub fn split(set: &Set, order: &[usize], file_of: &[usize], files: usize) -> Vec<(String, String)> {
    let files = files.max(1);
    let mut buckets: Vec<Vec<&Statement>> = vec![Vec::new(); files];
    for (k, &i) in order.iter().enumerate() {
        if let Some(s) = set.stmts.get(i) {
            let f = file_of.get(k).copied().unwrap_or(0) % files;
            buckets[f].push(s);
        }
    }
    buckets
        .into_iter()
        .enumerate()
        .map(|(f, b)| (format!("part{f}.policy"), file_text(b.into_iter())))
        .collect()
}

/// An `enable` or `disable` event for `kind` (`seal` or `template`)
/// `name` of org `org` at time `t`, with its class and fact.
fn toggle(kind: &str, enable: bool, org: usize, name: &str, t: usize) -> (String, Class, Fact) {
    let what = format!("{kind} {}.{name}", ORGS[org]);
    let verb = if enable { "enable" } else { "disable" };
    (
        format!("{verb} {what} at {}", TIMES[t]),
        if enable {
            Class::Permissive
        } else {
            Class::Restrictive
        },
        Fact::Toggle {
            what,
            on: usize::from(enable),
            t,
        },
    )
}
