//! Deterministic generated policy sets, shared by the benches, the tests,
//! fuzzing and engine comparisons.
//!
//! [`generate`] builds a realistic policy set of a given number of partner
//! grants: the same [`GenConfig`] always gives byte-identical text. Next to
//! the text, [`Generated`] carries every fact in structured form (orgs,
//! seals, templates, employee authorizations, own auto-sign templates,
//! invites, partner grants with their revocations and reseals, disabled
//! periods, forbids), so another engine can be given the same facts without
//! parsing the language. [`probes`] (and [`requests`]) derive a
//! deterministic request stream with a known mix of hits and misses, each
//! labelled with the decision it is built to get.
//!
//! # Shape of a generated set
//!
//! - `max(1, grants / 10_000)` *inviting* enterprises `ent0`, `ent1`, ...,
//!   each with the auto-sign service enabled, a super admin `admin`, 20
//!   employees `e0`..`e19`, seals `contract` and `official`, and 50
//!   templates `t0`..`t49` with `signatories "甲方", "乙方"`.
//!   - employees `e0`..`e9` may initiate auto-sign for every template, with
//!     no end; `e10` only for template `t0` during 2025-2027; `e11` only
//!     `when amount <= 100000`; `e12` was authorized and revoked on
//!     2025-09-01; `e13`..`e19` are not authorized.
//!   - templates `t0`..`t9` are own auto-sign templates sealed with
//!     `contract` (`t3` only `when amount <= 200000`); `t1` is disabled
//!     from 2026-05-01 to 2026-05-21.
//! - `ceil(grants / 10)` *partner* orgs `p0`, `p1`, ..., each with a super
//!   admin `admin`, seals `contract` (kind contract) and `official` (kind
//!   official), plus `contract2` when one of its grants is resealed; each
//!   enables its service on a day in the first half of 2025, and grants 10
//!   different templates of one inviting enterprise (`p{j}` belongs to
//!   `ent{j % orgs}`), so keys (partner, template) are unique.
//! - Of the partner grants (labelled `g0`, `g1`, ...), about 15% come
//!   through an invite (`via invite inv_ENT_T accepted ... by admin`), 10%
//!   are bounded `from DATE until DATE`, 20% carry `when amount <= N`, 10%
//!   are revoked, 5% resealed to `contract2`, 3% use the `official` seal,
//!   and 10% of the non-invite grants sign as "甲方" (the rest as "乙方").
//!   No grant is void and no two unconditioned rules conflict.
//! - Partners `p{j}` with `j % 100 == 37` disable their `contract` seal
//!   from 2026-05-01 to 2026-05-16; those with `j % 100 == 59` are under a
//!   forbid `for signer` from 2026-05-10 through 2026-05-31.
//! - Forbids: `forbid auto-sign with seal kind official`, and per inviting
//!   enterprise `forbid auto-sign for template ENT.t2 when category ==
//!   "marriage"`.
//!
//! Every time lies between 2025-01-01 and 2027-12-31 in `+08:00`, and
//! every file that writes a time starts with `timezone +08:00`. The text is
//! split into files of at most [`MAX_GENERATED_FILE_BYTES`] (plus one
//! statement), and loads with no error and no warning.

use std::fmt::Write as _;

use chrono::{FixedOffset, Offset, Utc};
use compact_str::CompactString;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use autoseal::ast::SealKind;
use autoseal::load::Input;
use autoseal::request::Request;
use autoseal::time::{add_months, Instant};
use autoseal::ReasonCode;
use autoseal::Value;

/// Files are split once they reach this size (a statement is never split).
pub const MAX_GENERATED_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Partner grants per partner org.
pub const GRANTS_PER_PARTNER: usize = 10;
/// Partner grants per inviting enterprise (at least one enterprise).
pub const GRANTS_PER_ORG: usize = 10_000;
/// Templates of each inviting enterprise.
pub const TEMPLATES_PER_ORG: usize = 50;
/// Employees of each inviting enterprise (besides the super admin).
pub const EMPLOYEES_PER_ORG: usize = 20;
/// The UTC offset every generated time is written in, in seconds.
pub const UTC_OFFSET_SECS: i32 = 8 * 3600;

const SECOND: i64 = 1_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// 2025-01-01T00:00:00+08:00, in microseconds since the Unix epoch.
const EPOCH: i64 = (1_735_689_600 - UTC_OFFSET_SECS as i64) * SECOND;

/// Day numbers counted from 2025-01-01 (day 0), all in `+08:00`.
mod days {
    /// 2025-01-02: inviting enterprises enable the service.
    pub const ENT_ENABLE: i64 = 1;
    /// 2025-02-01: own auto-sign templates start.
    pub const OWN_FROM: i64 = 31;
    /// 2025-03-01: the first invite.
    pub const INVITES: i64 = 59;
    /// 2025-07-01: bounded grants start on or after this day.
    pub const BOUNDED: i64 = 181;
    /// 2025-09-01: employee `e12`'s authorization is revoked.
    pub const E12_REVOKED: i64 = 243;
    /// 2026-05-01: the maintenance month starts (disabled seals and
    /// templates, signer audits).
    pub const MAINT: i64 = 485;
    /// 2026-05-10: signer audits start.
    pub const AUDIT: i64 = 494;
    /// 2026-05-16: disabled seals are enabled again.
    pub const SEAL_BACK: i64 = 500;
    /// 2026-05-21: the disabled template is enabled again.
    pub const TPL_BACK: i64 = 505;
    /// 2026-06-01: the maintenance month is over (audits end just before).
    pub const MAINT_END: i64 = 516;
    /// 2028-01-01: nothing is generated after this.
    pub const END: i64 = 1095;
}

fn day(n: i64) -> Instant {
    Instant(EPOCH + n * DAY)
}

/// Deterministic generation parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GenConfig {
    /// How many partner grants (`partner P authorizes ...`) to generate.
    pub grants: usize,
    /// The seed of the generator: same config, same text.
    pub seed: u64,
}

impl Default for GenConfig {
    /// 1000 grants, seed 42.
    fn default() -> GenConfig {
        GenConfig {
            grants: 1000,
            seed: 42,
        }
    }
}

/// A seal as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealSpec {
    pub name: String,
    pub display: String,
    pub kind: SealKind,
}

/// A template as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSpec {
    pub name: String,
    pub display: String,
    pub signatories: Vec<String>,
}

/// An org as declared, with when its auto-sign service was enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSpec {
    pub name: String,
    pub display: String,
    /// The super admin's name (also a person of the org).
    pub super_admin: String,
    /// Employees other than the super admin.
    pub employees: Vec<String>,
    pub seals: Vec<SealSpec>,
    pub templates: Vec<TemplateSpec>,
    /// `ORG enables auto-sign at T by SUPER_ADMIN` (never disabled).
    pub service_enabled_at: Option<Instant>,
}

/// `employee ORG.E may initiate auto-sign [for template ORG.T] ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeAuth {
    pub label: String,
    /// `org.employee`.
    pub employee: String,
    /// `org.template` when narrowed to one template.
    pub template: Option<String>,
    /// Start (inclusive) and end (exclusive) of the window; `None`: open.
    pub from: Option<Instant>,
    pub until: Option<Instant>,
    pub revoked_at: Option<Instant>,
    /// `when amount <= N`.
    pub max_amount: Option<i64>,
}

/// `ORG auto-signs template T with seal S ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnAutoSign {
    pub label: String,
    pub org: String,
    /// `org.template`.
    pub template: String,
    /// `org.seal`.
    pub seal: String,
    pub seal_kind: SealKind,
    pub from: Option<Instant>,
    pub until: Option<Instant>,
    /// `when amount <= N`.
    pub max_amount: Option<i64>,
}

/// `LABEL: ORG invites partners to authorize template T as signatory "R" at T`
/// (valid for one calendar month).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteSpec {
    pub label: String,
    pub org: String,
    /// `org.template`.
    pub template: String,
    pub role: String,
    pub at: Instant,
    /// The end (exclusive) of the acceptance window.
    pub closes: Instant,
}

/// How a grant came through an invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteUse {
    pub invite: String,
    pub accepted_at: Instant,
    /// The partner's super admin (`org.person`).
    pub by: String,
}

/// One partner grant: `LABEL: partner P authorizes ORG template T as
/// signatory "R" with seal S ...`, with its later revocation and reseal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantSpec {
    pub label: String,
    /// The authorizing partner org (the signer).
    pub partner: String,
    /// The inviting (initiating) enterprise.
    pub org: String,
    /// `org.template`.
    pub template: String,
    pub role: String,
    /// `partner.seal`.
    pub seal: String,
    pub seal_kind: SealKind,
    /// Effective start (inclusive): `from`, or the invite's acceptance.
    pub from: Option<Instant>,
    /// Effective end (exclusive).
    pub until: Option<Instant>,
    pub revoked_at: Option<Instant>,
    /// From this instant on, the grant seals with this seal (`partner.seal`,
    /// of kind contract).
    pub reseal: Option<(Instant, String)>,
    /// `when amount <= N`.
    pub max_amount: Option<i64>,
    pub invite: Option<InviteUse>,
    /// Index of the partner in [`Generated::partners`].
    pub partner_index: usize,
    /// Index of the enterprise in [`Generated::orgs`].
    pub org_index: usize,
    /// Index of the template in the enterprise's templates (`t{index}`).
    pub template_index: usize,
}

impl GrantSpec {
    /// The seal in force at `at` (ignoring the window).
    pub fn seal_at(&self, at: Instant) -> &str {
        match &self.reseal {
            Some((t, s)) if at >= *t => s,
            _ => &self.seal,
        }
    }

    /// `[start, end)` during which the grant applies (window and revocation).
    pub fn active(&self) -> (Instant, Instant) {
        let end = self.until.unwrap_or(Instant::MAX);
        let end = end.min(self.revoked_at.unwrap_or(Instant::MAX));
        (self.from.unwrap_or(Instant::MIN), end)
    }
}

/// `disable seal|template X at FROM` followed by `enable ... at UNTIL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisabledPeriod {
    /// `org.seal` or `org.template`.
    pub target: String,
    pub from: Instant,
    /// End (exclusive): enabled again.
    pub until: Instant,
}

/// `forbid auto-sign [for signer S] [for template T] [with seal kind K]
/// [when category == "C"] [from A until B]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForbidSpec {
    pub label: String,
    pub signer: Option<String>,
    /// `org.template`.
    pub template: Option<String>,
    pub seal_kind: Option<SealKind>,
    /// `when category == "C"` (fails closed: applies when `category` is
    /// missing).
    pub category_eq: Option<String>,
    pub from: Option<Instant>,
    /// End (exclusive).
    pub until: Option<Instant>,
}

/// A generated policy set: its text and the same facts in structured form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// `(file name, .policy text)`, in load order.
    pub files: Vec<(String, String)>,
    /// Declared attributes: `(name, type)` with type `number` or `string`.
    pub attributes: Vec<(String, String)>,
    /// The inviting enterprises (`ent{i}`).
    pub orgs: Vec<OrgSpec>,
    /// The partner orgs (`p{j}`).
    pub partners: Vec<OrgSpec>,
    pub employee_auths: Vec<EmployeeAuth>,
    pub own_auto_signs: Vec<OwnAutoSign>,
    pub invites: Vec<InviteSpec>,
    /// Exactly [`GenConfig::grants`] partner grants, grouped by partner.
    pub grants: Vec<GrantSpec>,
    pub disabled_seals: Vec<DisabledPeriod>,
    pub disabled_templates: Vec<DisabledPeriod>,
    pub forbids: Vec<ForbidSpec>,
}

impl Generated {
    /// Total bytes of policy text.
    pub fn total_bytes(&self) -> usize {
        self.files.iter().map(|(_, t)| t.len()).sum()
    }

    /// The files as loader inputs (copies the text).
    pub fn inputs(&self) -> Vec<Input> {
        self.files
            .iter()
            .map(|(n, t)| Input::new(n.as_str(), t.as_bytes()))
            .collect()
    }
}

/// A generated set with its policy loaded, as the benches and examples
/// set one up, and how long each part took.
pub struct Loaded {
    pub generated: Generated,
    pub policy: autoseal::Policy,
    pub generate_time: std::time::Duration,
    pub load_time: std::time::Duration,
}

/// Generates `grants` partner grants with `seed` and loads them.
pub fn generate_and_load(grants: usize, seed: u64) -> Result<Loaded, autoseal::Error> {
    let t = std::time::Instant::now();
    let generated = generate(&GenConfig { grants, seed });
    let generate_time = t.elapsed();
    let t = std::time::Instant::now();
    let policy = autoseal::Policy::from_inputs(generated.inputs())?;
    Ok(Loaded {
        generated,
        policy,
        generate_time,
        load_time: t.elapsed(),
    })
}

/// The sizes listed in environment variable `name` (comma-separated
/// counts, `_` allowed as in `1_000_000`), or `default` when it is unset.
pub fn sizes_from_env(name: &str, default: &[usize]) -> Result<Vec<usize>, String> {
    match std::env::var(name) {
        Ok(s) => s
            .split(',')
            .filter(|x| !x.trim().is_empty())
            .map(|x| {
                x.trim()
                    .replace('_', "")
                    .parse()
                    .map_err(|_| format!("{name}: `{x}` is not a count"))
            })
            .collect(),
        Err(_) => Ok(default.to_vec()),
    }
}

/// Generates a policy set: see the module documentation for its shape.
pub fn generate(cfg: &GenConfig) -> Generated {
    generate_split(cfg, MAX_GENERATED_FILE_BYTES)
}

const AMOUNTS: [i64; 5] = [50_000, 100_000, 200_000, 500_000, 1_000_000];
const ROLE_A: &str = "甲方";
const ROLE_B: &str = "乙方";

fn tz() -> FixedOffset {
    FixedOffset::east_opt(UTC_OFFSET_SECS).unwrap_or_else(|| Utc.fix())
}

fn pick(rng: &mut fastrand::Rng, n: usize) -> usize {
    if n == 0 {
        0
    } else {
        rng.usize(..n)
    }
}

fn between(rng: &mut fastrand::Rng, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        lo
    } else {
        rng.i64(lo..hi)
    }
}

/// Builds the structured facts, then renders them into files of at most
/// `split` bytes (plus one statement). The facts are drawn from one random
/// stream in a fixed order (enterprises take none of it; then partner by
/// partner, grant by grant), so the same config always gives the same set.
pub(crate) fn generate_split(cfg: &GenConfig, split: usize) -> Generated {
    let mut rng = fastrand::Rng::with_seed(cfg.seed);
    let n = cfg.grants;
    let n_orgs = (n / GRANTS_PER_ORG).max(1);
    let n_partners = n.div_ceil(GRANTS_PER_PARTNER);
    let mut g = Generated {
        files: Vec::new(),
        attributes: vec![
            (String::from("amount"), String::from("number")),
            (String::from("category"), String::from("string")),
        ],
        orgs: Vec::with_capacity(n_orgs),
        partners: Vec::with_capacity(n_partners),
        employee_auths: Vec::new(),
        own_auto_signs: Vec::new(),
        invites: Vec::new(),
        grants: Vec::with_capacity(n),
        disabled_seals: Vec::new(),
        disabled_templates: Vec::new(),
        forbids: Vec::new(),
    };
    for o in 0..n_orgs {
        inviting_enterprise(&mut g, o);
    }
    g.forbids.insert(
        0,
        ForbidSpec {
            label: String::from("f_official"),
            signer: None,
            template: None,
            seal_kind: Some(SealKind::Official),
            category_eq: None,
            from: None,
            until: None,
        },
    );
    let mut grants = Grants {
        rng: &mut rng,
        invites: FxHashMap::default(),
        order: (0..TEMPLATES_PER_ORG).collect(),
    };
    for j in 0..n_partners {
        let count = GRANTS_PER_PARTNER.min(n - g.grants.len());
        grants.partner(&mut g, j, n_orgs, count);
    }
    g.files = render(&g, split);
    g
}

/// The seals every org has; a partner that reseals has a third.
fn seals(resealed: bool) -> Vec<SealSpec> {
    let mut seals = vec![
        SealSpec {
            name: String::from("contract"),
            display: String::from("合同专用章"),
            kind: SealKind::Contract,
        },
        SealSpec {
            name: String::from("official"),
            display: String::from("公章"),
            kind: SealKind::Official,
        },
    ];
    if resealed {
        seals.push(SealSpec {
            name: String::from("contract2"),
            display: String::from("合同专用章（2026版）"),
            kind: SealKind::Contract,
        });
    }
    seals
}

/// Inviting enterprise `o` (`ent{o}`), with its employee authorizations,
/// own auto-sign templates, disabled template and category forbid.
fn inviting_enterprise(g: &mut Generated, o: usize) {
    let name = format!("ent{o}");
    g.orgs.push(OrgSpec {
        name: name.clone(),
        display: format!("企业 {o} 科技有限公司"),
        super_admin: String::from("admin"),
        employees: (0..EMPLOYEES_PER_ORG).map(|e| format!("e{e}")).collect(),
        seals: seals(false),
        templates: (0..TEMPLATES_PER_ORG)
            .map(|t| TemplateSpec {
                name: format!("t{t}"),
                display: format!("合同模板 {t}"),
                signatories: vec![ROLE_A.to_owned(), ROLE_B.to_owned()],
            })
            .collect(),
        service_enabled_at: Some(Instant(day(days::ENT_ENABLE).0 + 9 * HOUR)),
    });
    for e in 0..=12 {
        let mut a = EmployeeAuth {
            label: format!("ea_{name}_e{e}"),
            employee: format!("{name}.e{e}"),
            template: None,
            from: None,
            until: None,
            revoked_at: None,
            max_amount: None,
        };
        match e {
            10 => {
                a.template = Some(format!("{name}.t0"));
                a.from = Some(day(0));
                a.until = Some(day(days::END));
            }
            11 => a.max_amount = Some(100_000),
            12 => a.revoked_at = Some(Instant(day(days::E12_REVOKED).0 + 18 * HOUR)),
            _ => {}
        }
        g.employee_auths.push(a);
    }
    for t in 0..10 {
        g.own_auto_signs.push(OwnAutoSign {
            label: format!("own_{name}_t{t}"),
            org: name.clone(),
            template: format!("{name}.t{t}"),
            seal: format!("{name}.contract"),
            seal_kind: SealKind::Contract,
            from: Some(day(days::OWN_FROM)),
            until: None,
            max_amount: (t == 3).then_some(200_000),
        });
    }
    g.disabled_templates.push(DisabledPeriod {
        target: format!("{name}.t1"),
        from: day(days::MAINT),
        until: day(days::TPL_BACK),
    });
    g.forbids.push(ForbidSpec {
        label: format!("f_category_{name}"),
        signer: None,
        template: Some(format!("{name}.t2")),
        seal_kind: None,
        category_eq: Some(String::from("marriage")),
        from: None,
        until: None,
    });
}

/// Draws the partners and their grants from the random stream.
struct Grants<'r> {
    rng: &'r mut fastrand::Rng,
    /// The invite of each (enterprise, template), by index into
    /// [`Generated::invites`]: grants through it share it.
    invites: FxHashMap<(usize, usize), usize>,
    /// Template indexes, partially shuffled for each partner.
    order: Vec<usize>,
}

impl Grants<'_> {
    /// Partner `j` (`p{j}`) and its `count` grants, for enterprise
    /// `j % n_orgs`, on distinct templates; every hundredth partner has a
    /// seal disabled in the maintenance month, or is audited (a forbid).
    fn partner(&mut self, g: &mut Generated, j: usize, n_orgs: usize, count: usize) {
        let pname = format!("p{j}");
        let o = j % n_orgs;
        let oname = format!("ent{o}");
        let enabled = Instant(day(0).0 + 9 * HOUR + between(self.rng, 0, 180) * DAY);
        // A partial shuffle: the first `count` templates are distinct.
        for i in 0..count {
            let k = i + pick(self.rng, TEMPLATES_PER_ORG - i);
            self.order.swap(i, k);
        }
        let templates: Vec<usize> = self.order.iter().take(count).copied().collect();
        let mut resealed = false;
        for k in templates {
            let grant = self.grant(
                g,
                GrantSpec {
                    label: format!("g{}", g.grants.len()),
                    partner: pname.clone(),
                    org: oname.clone(),
                    template: format!("{oname}.t{k}"),
                    role: String::new(),
                    seal: String::new(),
                    seal_kind: SealKind::Contract,
                    from: None,
                    until: None,
                    revoked_at: None,
                    reseal: None,
                    max_amount: None,
                    invite: None,
                    partner_index: j,
                    org_index: o,
                    template_index: k,
                },
            );
            resealed |= grant.reseal.is_some();
            g.grants.push(grant);
        }
        if j % 100 == 37 {
            g.disabled_seals.push(DisabledPeriod {
                target: format!("{pname}.contract"),
                from: day(days::MAINT),
                until: day(days::SEAL_BACK),
            });
        }
        if j % 100 == 59 {
            g.forbids.push(ForbidSpec {
                label: format!("f_audit_{pname}"),
                signer: Some(pname.clone()),
                template: None,
                seal_kind: None,
                category_eq: None,
                from: Some(day(days::AUDIT)),
                until: Some(day(days::MAINT_END)),
            });
        }
        g.partners.push(OrgSpec {
            name: pname,
            display: format!("合作方 {j} 贸易有限公司"),
            super_admin: String::from("admin"),
            employees: Vec::new(),
            seals: seals(resealed),
            templates: Vec::new(),
            service_enabled_at: Some(enabled),
        });
    }

    /// Draws what a grant says beyond its partner, enterprise and
    /// template (given in `grant`): 15% through an invite, 11.8% of the
    /// rest bounded in time; 3% with the official seal; 20% with an amount
    /// condition; 10% of those not through an invite as "甲方"; then 10%
    /// revoked, and 5% of those with the contract seal resealed.
    fn grant(&mut self, g: &mut Generated, mut grant: GrantSpec) -> GrantSpec {
        let rng = &mut *self.rng;
        let via_invite = rng.u32(..1000) < 150;
        let bounded = !via_invite && rng.u32(..1000) < 118;
        let official = rng.u32(..100) < 3;
        grant.max_amount = (rng.u32(..100) < 20).then(|| {
            AMOUNTS
                .get(pick(rng, AMOUNTS.len()))
                .copied()
                .unwrap_or(100_000)
        });
        let role = if !via_invite && rng.u32(..10) == 0 {
            ROLE_A
        } else {
            ROLE_B
        };
        grant.role = role.to_owned();
        let (seal, seal_kind) = if official {
            ("official", SealKind::Official)
        } else {
            ("contract", SealKind::Contract)
        };
        grant.seal = format!("{}.{seal}", grant.partner);
        grant.seal_kind = seal_kind;
        if via_invite {
            self.through_invite(g, &mut grant);
        } else if bounded {
            let rng = &mut *self.rng;
            let from = day(days::BOUNDED + between(rng, 0, 365));
            grant.from = Some(from);
            grant.until = Some(Instant(from.0 + between(rng, 90, 400) * DAY));
        }
        let rng = &mut *self.rng;
        let base = grant.from.unwrap_or(Instant::MIN).max(day(days::BOUNDED)).0;
        if rng.u32(..100) < 10 {
            grant.revoked_at = Some(Instant(
                base + between(rng, 1, 500) * DAY + between(rng, 0, 24) * HOUR,
            ));
        }
        if !official && rng.u32(..100) < 5 {
            let at = Instant(base + between(rng, 1, 300) * DAY + 10 * HOUR);
            grant.reseal = Some((at, format!("{}.contract2", grant.partner)));
        }
        grant
    }

    /// A grant given by accepting its enterprise's invite for its
    /// template (the first such grant draws the invite: opened in the two
    /// months after the first, open for a month), within the invite's
    /// first 27 days.
    fn through_invite(&mut self, g: &mut Generated, grant: &mut GrantSpec) {
        let (o, k) = (grant.org_index, grant.template_index);
        let next = g.invites.len();
        let idx = *self.invites.entry((o, k)).or_insert(next);
        if idx == next {
            let at = Instant(day(days::INVITES + between(self.rng, 0, 60)).0 + 10 * HOUR);
            let closes = at
                .to_datetime(tz())
                .and_then(|t| add_months(t, 1))
                .map_or(Instant(at.0 + 28 * DAY), |t| Instant::from_datetime(&t));
            g.invites.push(InviteSpec {
                label: format!("inv_{}_t{k}", grant.org),
                org: grant.org.clone(),
                template: grant.template.clone(),
                role: ROLE_B.to_owned(),
                at,
                closes,
            });
        }
        if let Some(inv) = g.invites.get(idx) {
            let accepted = Instant(inv.at.0 + between(self.rng, 1, 27 * 24) * HOUR + 30 * MINUTE);
            grant.from = Some(accepted);
            grant.invite = Some(InviteUse {
                invite: inv.label.clone(),
                accepted_at: accepted,
                by: format!("{}.admin", grant.partner),
            });
        }
    }
}

// ------------------------------------------------------------------ text

/// Appends statements to numbered files of about `limit` bytes each.
struct Splitter {
    prefix: &'static str,
    header: &'static str,
    limit: usize,
    files: Vec<(String, String)>,
    cur: String,
}

impl Splitter {
    fn new(prefix: &'static str, header: &'static str, limit: usize) -> Splitter {
        Splitter {
            prefix,
            header,
            limit,
            files: Vec::new(),
            cur: String::from(header),
        }
    }

    /// Starts a new file first when this one is full.
    fn room(&mut self) {
        if self.cur.len() >= self.limit && self.cur.len() > self.header.len() {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let text = std::mem::replace(&mut self.cur, String::from(self.header));
        let name = format!("{}-{:04}.policy", self.prefix, self.files.len());
        self.files.push((name, text));
    }

    fn finish(mut self) -> Vec<(String, String)> {
        if self.cur.len() > self.header.len() {
            self.flush();
        }
        self.files
    }
}

const TZ_HEADER: &str =
    "# Generated by autoseal::gen: deterministic synthetic data.\ntimezone +08:00\n\n";
const PLAIN_HEADER: &str = "# Generated by autoseal::gen: deterministic synthetic data.\n\n";

struct Fmt {
    tz: FixedOffset,
}

impl Fmt {
    fn dt(&self, t: Instant) -> String {
        t.display(self.tz)
    }

    /// A date, for an instant at the start of a day.
    fn date(&self, t: Instant) -> String {
        t.to_datetime(self.tz)
            .map_or_else(|| self.dt(t), |d| d.date_naive().to_string())
    }

    /// `until DATE` runs through the end of that day: the day before the
    /// exclusive end when it is midnight, else the date-time itself.
    fn until(&self, end: Instant) -> String {
        if (end.0 - EPOCH).rem_euclid(DAY) == 0 {
            self.date(Instant(end.0 - DAY))
        } else {
            self.dt(end)
        }
    }

    /// ` from A until B`, as much as is given (days when at midnight).
    fn window(&self, s: &mut String, from: Option<Instant>, until: Option<Instant>, indent: bool) {
        if from.is_none() && until.is_none() {
            s.push_str(" until revoked");
            return;
        }
        if indent {
            s.push_str("\n   ");
        }
        if let Some(f) = from {
            let txt = if (f.0 - EPOCH).rem_euclid(DAY) == 0 {
                self.date(f)
            } else {
                self.dt(f)
            };
            let _ = write!(s, " from {txt}");
        }
        match until {
            Some(u) => {
                let _ = write!(s, " until {}", self.until(u));
            }
            None => s.push_str(" until revoked"),
        }
    }
}

fn org_decl(s: &mut String, o: &OrgSpec) {
    let _ = writeln!(s, "org {} \"{}\" {{", o.name, o.display);
    let _ = writeln!(s, "    super_admin {} \"管理员\"", o.super_admin);
    for e in &o.employees {
        let _ = writeln!(s, "    employee {e} \"员工 {e}\"");
    }
    for seal in &o.seals {
        let _ = writeln!(
            s,
            "    seal {} \"{}\" kind {}",
            seal.name,
            seal.display,
            seal.kind.as_str()
        );
    }
    for t in &o.templates {
        let _ = write!(s, "    template {} \"{}\"", t.name, t.display);
        for (i, r) in t.signatories.iter().enumerate() {
            let _ = write!(s, "{} \"{r}\"", if i == 0 { " signatories" } else { "," });
        }
        s.push('\n');
    }
    s.push_str("}\n\n");
}

fn render(g: &Generated, split: usize) -> Vec<(String, String)> {
    let f = Fmt { tz: tz() };
    let mut files = Vec::new();

    // Attributes.
    let mut s = String::from(PLAIN_HEADER);
    let _ = writeln!(s, "attribute amount: number \"合同金额\"");
    let _ = writeln!(s, "attribute category: string \"合同类别\"");
    files.push((String::from("attributes.policy"), s));

    // What the inviting enterprises decided.
    let mut s = String::from(TZ_HEADER);
    let sub = |q: &str| {
        q.split_once('.')
            .map_or(q.to_owned(), |(_, b)| b.to_owned())
    };
    for o in &g.orgs {
        if let Some(t) = o.service_enabled_at {
            let _ = writeln!(
                s,
                "{} enables auto-sign at {} by {}",
                o.name,
                f.dt(t),
                o.super_admin
            );
        }
    }
    s.push('\n');
    for d in &g.disabled_templates {
        let _ = writeln!(s, "disable template {} at {}", d.target, f.date(d.from));
        let _ = writeln!(s, "enable template {} at {}", d.target, f.date(d.until));
    }
    s.push('\n');
    for r in &g.own_auto_signs {
        let seal = sub(&r.seal);
        let _ = write!(
            s,
            "{}: {} auto-signs template {} with seal {seal}",
            r.label,
            r.org,
            sub(&r.template)
        );
        f.window(&mut s, r.from, r.until, false);
        if let Some(m) = r.max_amount {
            let _ = write!(s, "\n    when amount <= {m}");
        }
        s.push('\n');
    }
    s.push('\n');
    for a in &g.employee_auths {
        let _ = write!(
            s,
            "{}: employee {} may initiate auto-sign",
            a.label, a.employee
        );
        if let Some(t) = &a.template {
            let _ = write!(s, " for template {t}");
        }
        f.window(&mut s, a.from, a.until, false);
        if let Some(m) = a.max_amount {
            let _ = write!(s, "\n    when amount <= {m}");
        }
        s.push('\n');
        if let Some(r) = a.revoked_at {
            let _ = writeln!(s, "revoke {} at {}", a.label, f.dt(r));
        }
    }
    s.push('\n');
    for i in &g.invites {
        let _ = writeln!(
            s,
            "{}: {} invites partners to authorize template {} as signatory \"{}\" at {}",
            i.label,
            i.org,
            sub(&i.template),
            i.role,
            f.dt(i.at)
        );
    }
    files.push((String::from("enterprises.policy"), s));

    // Forbids.
    let mut s = String::from(TZ_HEADER);
    for x in &g.forbids {
        let _ = write!(s, "{}: forbid auto-sign", x.label);
        if let Some(o) = &x.signer {
            let _ = write!(s, " for signer {o}");
        }
        if let Some(t) = &x.template {
            let _ = write!(s, " for template {t}");
        }
        if let Some(k) = x.seal_kind {
            let _ = write!(s, " with seal kind {}", k.as_str());
        }
        if let Some(c) = &x.category_eq {
            let _ = write!(s, " when category == \"{c}\"");
        }
        if x.from.is_some() || x.until.is_some() {
            f.window(&mut s, x.from, x.until, false);
        }
        s.push('\n');
    }
    files.push((String::from("forbids.policy"), s));

    // Org declarations.
    let mut orgs = Splitter::new("orgs", PLAIN_HEADER, split);
    for o in g.orgs.iter().chain(&g.partners) {
        orgs.room();
        org_decl(&mut orgs.cur, o);
    }
    files.extend(orgs.finish());

    // Partners: service, seal changes, grants, revocations, reseals.
    let mut out = Splitter::new("partners", TZ_HEADER, split);
    let mut next = 0usize;
    for (j, p) in g.partners.iter().enumerate() {
        out.room();
        let s = &mut out.cur;
        let _ = writeln!(s, "# {}", p.display);
        if let Some(t) = p.service_enabled_at {
            let _ = writeln!(
                s,
                "{} enables auto-sign at {} by {}",
                p.name,
                f.dt(t),
                p.super_admin
            );
        }
        for d in g
            .disabled_seals
            .iter()
            .filter(|d| d.target.split_once('.').is_some_and(|(o, _)| o == p.name))
        {
            let _ = writeln!(s, "disable seal {} at {}", d.target, f.dt(d.from));
            let _ = writeln!(s, "enable seal {} at {}", d.target, f.dt(d.until));
        }
        while let Some(gr) = g.grants.get(next).filter(|gr| gr.partner_index == j) {
            next += 1;
            let _ = write!(
                s,
                "{}: partner {} authorizes {} template {} as signatory \"{}\" with seal {}",
                gr.label,
                gr.partner,
                gr.org,
                sub(&gr.template),
                gr.role,
                sub(&gr.seal)
            );
            match &gr.invite {
                Some(v) => {
                    let _ = write!(
                        s,
                        "\n    via invite {} accepted {} by {}\n    until revoked",
                        v.invite,
                        f.dt(v.accepted_at),
                        sub(&v.by)
                    );
                }
                None => f.window(s, gr.from, gr.until, true),
            }
            if let Some(m) = gr.max_amount {
                let _ = write!(s, "\n    when amount <= {m}");
            }
            s.push('\n');
            if let Some(r) = gr.revoked_at {
                let _ = writeln!(
                    s,
                    "revoke {} at {} by {}.{}",
                    gr.label,
                    f.dt(r),
                    p.name,
                    p.super_admin
                );
            }
            if let Some((t, seal)) = &gr.reseal {
                let _ = writeln!(s, "reseal {} with seal {seal} at {}", gr.label, f.dt(*t));
            }
        }
        s.push('\n');
    }
    files.extend(out.finish());
    files
}

// ---------------------------------------------------------------- events

/// The `i`-th of a stream of runtime events over `g` (what a console
/// sends the service): a revoke, a reseal, a seal disabled, a new partner
/// grant, a new employee rule and a new forbid in turn, each about a grant
/// spread over the set, and its kind. `None` for a set without grants.
pub fn event_statement(g: &Generated, i: usize) -> Option<(&'static str, String)> {
    let n = g.grants.len();
    // Spread over the set, never the same grant twice.
    let gr = g.grants.get((i * 7919 + 13) % n.max(1))?;
    let p = g.partners.get(gr.partner_index)?;
    let at = format!("2026-{:02}-{:02}T09:00:00+08:00", 6 + i % 6, 1 + i % 28);
    Some(match i % 6 {
        0 => (
            "revoke",
            format!("revoke {} at {at} by {}.{}", gr.label, p.name, p.super_admin),
        ),
        1 => (
            "reseal",
            format!("reseal {} with seal {}.official at {at}", gr.label, p.name),
        ),
        2 => ("disable seal", format!("disable seal {}.contract at {at}", p.name)),
        3 => (
            "new grant",
            format!(
                "ev{i}: partner {} authorizes {} template t{} as signatory \"乙方\" with seal contract from {at} when amount <= {}",
                p.name,
                gr.org,
                (gr.template_index + 17) % 50,
                1000 + i
            ),
        ),
        4 => (
            "new employee rule",
            format!(
                "ev{i}: employee {}.e15 may initiate auto-sign for template {}.t{} from {at}",
                gr.org,
                gr.org,
                i % 50
            ),
        ),
        _ => (
            "new forbid",
            format!("ev{i}: forbid auto-sign for signer {} from {at} until 2026-12-31T00:00:00+08:00", p.name),
        ),
    })
}

// -------------------------------------------------------------- requests

/// A request with the decision it was built to get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `None` for `auto_seal`, else the first reason's code.
    pub expected: Option<ReasonCode>,
    /// For `auto_seal`: the seal (`ORG.SEAL`) expected.
    pub seal: Option<String>,
    pub request: Request,
}

/// The mix of [`probes`], in parts per hundred: `(expected code, weight)`,
/// `None` standing for `auto_seal` (45 through partner grants, 5 through
/// own templates). A kind that the set has no material for (a tiny set)
/// falls back to an `auto_seal` probe.
pub const MIX: [(Option<ReasonCode>, u32); 17] = [
    (None, 50),
    (Some(ReasonCode::UnknownOrg), 2),
    (Some(ReasonCode::UnknownEmployee), 2),
    (Some(ReasonCode::UnknownTemplate), 2),
    (Some(ReasonCode::ServiceNotEnabled), 3),
    (Some(ReasonCode::InitiatorNotAuthorized), 4),
    (Some(ReasonCode::TemplateDisabled), 3),
    (Some(ReasonCode::TemplateNotAutoSign), 2),
    (Some(ReasonCode::NoPartnerGrant), 5),
    (Some(ReasonCode::SignatoryMismatch), 3),
    (Some(ReasonCode::GrantNotYetValid), 3),
    (Some(ReasonCode::GrantExpired), 3),
    (Some(ReasonCode::GrantRevoked), 5),
    (Some(ReasonCode::SealDisabled), 2),
    (Some(ReasonCode::ConditionNotMet), 4),
    (Some(ReasonCode::AttributeMissing), 2),
    (Some(ReasonCode::Forbidden), 5),
];

/// `n` requests in the mix of [`MIX`], deterministic in `(g, n, seed)`.
pub fn requests(g: &Generated, n: usize, seed: u64) -> Vec<Request> {
    probes(g, n, seed).into_iter().map(|p| p.request).collect()
}

/// `n` requests labelled with the decision each is built to get.
pub fn probes(g: &Generated, n: usize, seed: u64) -> Vec<Probe> {
    let mut b = Builder::new(g, seed);
    let total: u32 = MIX.iter().map(|(_, w)| w).sum();
    (0..n)
        .map(|_| {
            let mut roll = b.rng.u32(..total.max(1));
            let mut want = None;
            for (code, w) in MIX {
                if roll < w {
                    want = code;
                    break;
                }
                roll -= w;
            }
            b.probe(want)
        })
        .collect()
}

/// One of a [`Builder`]'s lists of candidate grants.
type Candidates<'a> = for<'b> fn(&'b Builder<'a>) -> &'b Vec<usize>;

/// Candidate grants for each kind of probe.
struct Builder<'a> {
    g: &'a Generated,
    rng: fastrand::Rng,
    plain: Vec<usize>,
    official: Vec<usize>,
    started: Vec<usize>,
    bounded: Vec<usize>,
    revoked: Vec<usize>,
    conditioned: Vec<usize>,
    seal_off: Vec<usize>,
    audited: Vec<usize>,
    category: Vec<usize>,
    /// Grants of each partner: `start..end` into `g.grants`.
    by_partner: Vec<(usize, usize)>,
}

impl<'a> Builder<'a> {
    fn new(g: &'a Generated, seed: u64) -> Builder<'a> {
        let mut b = Builder {
            g,
            rng: fastrand::Rng::with_seed(seed),
            plain: Vec::new(),
            official: Vec::new(),
            started: Vec::new(),
            bounded: Vec::new(),
            revoked: Vec::new(),
            conditioned: Vec::new(),
            seal_off: Vec::new(),
            audited: Vec::new(),
            category: Vec::new(),
            by_partner: vec![(0, 0); g.partners.len()],
        };
        let seal_off: Vec<&str> = g.disabled_seals.iter().map(|d| d.target.as_str()).collect();
        let audited: Vec<&str> = g
            .forbids
            .iter()
            .filter_map(|f| f.signer.as_deref())
            .collect();
        for (i, gr) in g.grants.iter().enumerate() {
            if let Some(r) = b.by_partner.get_mut(gr.partner_index) {
                if r.1 == 0 {
                    r.0 = i;
                }
                r.1 = i + 1;
            }
            let official = gr.seal_kind == SealKind::Official;
            if official {
                b.official.push(i);
            } else {
                b.plain.push(i);
            }
            if gr.from.is_some() {
                b.started.push(i);
            }
            if gr.until.is_some() {
                b.bounded.push(i);
            }
            if gr.revoked_at.is_some() {
                b.revoked.push(i);
            }
            if gr.max_amount.is_some() {
                b.conditioned.push(i);
            }
            if !official && gr.template_index != 1 {
                if seal_off.contains(&gr.seal.as_str()) {
                    b.seal_off.push(i);
                }
                if audited.contains(&gr.partner.as_str()) {
                    b.audited.push(i);
                }
            }
            if !official && gr.template_index == 2 {
                b.category.push(i);
            }
        }
        b
    }

    fn choose(&mut self, list: Candidates<'a>) -> Option<&'a GrantSpec> {
        let len = list(self).len();
        let k = pick(&mut self.rng, len);
        let i = list(self).get(k).copied()?;
        self.g.grants.get(i)
    }

    fn enabled(&self, gr: &GrantSpec) -> Instant {
        self.g
            .partners
            .get(gr.partner_index)
            .and_then(|p| p.service_enabled_at)
            .unwrap_or(Instant::MAX)
    }

    /// A time in `[lo, hi)`, within the generated years, outside the
    /// maintenance month unless `maint`; whole seconds.
    fn time(&mut self, lo: Instant, hi: Instant, maint: bool) -> Option<Instant> {
        let lo = lo.max(day(0)).0;
        let hi = hi.min(day(days::END)).0;
        for _ in 0..8 {
            if lo >= hi {
                return None;
            }
            let t = between(&mut self.rng, lo, hi);
            let t = (t - t.rem_euclid(SECOND)).max(lo);
            let in_maint = (day(days::MAINT).0..day(days::MAINT_END).0).contains(&t);
            if maint || !in_maint {
                return Some(Instant(t));
            }
        }
        None
    }

    /// An amount that passes `max` (and `cap`, when given).
    fn amount(&mut self, max: Option<i64>, cap: Option<i64>) -> i64 {
        let m = max.unwrap_or(2_000_000).min(cap.unwrap_or(i64::MAX));
        between(&mut self.rng, 1, m + 1)
    }

    fn request(
        &mut self,
        at: Instant,
        template: &str,
        initiator: &str,
        signer: &str,
        amount: Option<i64>,
        category: Option<&str>,
    ) -> Request {
        let mut r = Request::new(at, template, initiator, signer);
        if let Some(a) = amount {
            r.attributes
                .push(("amount".into(), Value::Number(Decimal::from(a))));
        }
        if let Some(c) = category {
            r.attributes
                .push(("category".into(), Value::Str(c.to_owned())));
        }
        r
    }

    /// An authorized initiator without conditions (`e0`..`e9`).
    fn initiator(&mut self, org: &str) -> String {
        format!("{org}.e{}", pick(&mut self.rng, 10))
    }

    fn probe(&mut self, want: Option<ReasonCode>) -> Probe {
        let made = match want {
            None => {
                if self.rng.u32(..10) == 0 {
                    self.own_hit()
                } else {
                    self.hit()
                }
            }
            Some(code) => self.miss(code),
        };
        made.or_else(|| self.hit())
            .or_else(|| self.own_hit())
            .unwrap_or_else(|| Probe {
                expected: Some(ReasonCode::UnknownOrg),
                seal: None,
                request: Request::new(day(400), "nobody.t0", "nobody.e0", "nobody"),
            })
    }

    fn hit(&mut self) -> Option<Probe> {
        for _ in 0..16 {
            let gr = self.choose(|b| &b.plain)?;
            let (s, e) = gr.active();
            let Some(at) = self.time(s.max(self.enabled(gr)), e, false) else {
                continue;
            };
            // Now and then through e11, authorized up to 100000 only.
            let small = self.rng.u32(..8) == 0;
            let initiator = if small {
                format!("{}.e11", gr.org)
            } else {
                self.initiator(&gr.org)
            };
            let amount = self.amount(gr.max_amount, small.then_some(100_000));
            let mut r = self.request(
                at,
                &gr.template,
                &initiator,
                &gr.partner,
                Some(amount),
                Some("sales"),
            );
            if self.rng.bool() {
                r.signatory = Some(gr.role.as_str().into());
            }
            return Some(Probe {
                expected: None,
                seal: Some(gr.seal_at(at).to_owned()),
                request: r,
            });
        }
        None
    }

    fn own_hit(&mut self) -> Option<Probe> {
        let rules = &self.g.own_auto_signs;
        let r = rules.get(pick(&mut self.rng, rules.len()))?;
        let at = self.time(
            r.from.unwrap_or(Instant::MIN),
            r.until.unwrap_or(Instant::MAX),
            false,
        )?;
        let initiator = self.initiator(&r.org);
        let amount = self.amount(r.max_amount, None);
        let req = self.request(
            at,
            &r.template,
            &initiator,
            &r.org,
            Some(amount),
            Some("sales"),
        );
        Some(Probe {
            expected: None,
            seal: Some(r.seal.clone()),
            request: req,
        })
    }

    /// A probe built to get `code`; `None` when the set has no material.
    fn miss(&mut self, code: ReasonCode) -> Option<Probe> {
        use ReasonCode as C;
        let request = match code {
            C::UnknownOrg | C::UnknownEmployee | C::UnknownTemplate => self.unknown_name(code)?,
            C::ServiceNotEnabled => {
                let gr = self.choose(|b| &b.plain)?;
                let at = self.time(day(0), self.enabled(gr), false)?;
                self.plain_request(at, &gr.template, gr)
            }
            C::InitiatorNotAuthorized => self.initiator_not_authorized()?,
            C::TemplateDisabled => {
                let gr = self.choose(|b| &b.plain)?;
                let at = self.time(day(days::MAINT), day(days::TPL_BACK), true)?;
                self.plain_request(at, &format!("{}.t1", gr.org), gr)
            }
            C::TemplateNotAutoSign => self.template_not_auto_sign()?,
            C::NoPartnerGrant => self.no_partner_grant()?,
            C::SignatoryMismatch => {
                let gr = self.choose(|b| &b.plain)?;
                let at = self.time(self.enabled(gr), day(days::END), false)?;
                let mut r = self.plain_request(at, &gr.template, gr);
                let other = if gr.role == ROLE_A { ROLE_B } else { ROLE_A };
                r.signatory = Some(CompactString::from(other));
                r
            }
            C::GrantNotYetValid => {
                let (gr, at) = self.grant_in(
                    |b| &b.started,
                    |b, gr| (b.enabled(gr), gr.from.unwrap_or(Instant::MIN), false),
                )?;
                self.plain_request(at, &gr.template, gr)
            }
            C::GrantExpired => {
                let (gr, at) = self.grant_in(
                    |b| &b.bounded,
                    |_, gr| {
                        let until = gr.until.unwrap_or(Instant::MAX);
                        (until, gr.revoked_at.unwrap_or(Instant::MAX), false)
                    },
                )?;
                self.plain_request(at, &gr.template, gr)
            }
            C::GrantRevoked => {
                let (gr, at) = self.grant_in(
                    |b| &b.revoked,
                    |_, gr| {
                        let revoked = gr.revoked_at.unwrap_or(Instant::MAX);
                        (revoked, day(days::END), false)
                    },
                )?;
                self.plain_request(at, &gr.template, gr)
            }
            C::SealDisabled => {
                // While its seal is off, before any reseal.
                let (gr, at) = self.grant_in(
                    |b| &b.seal_off,
                    |_, gr| {
                        let (s, e) = gr.active();
                        let e = e.min(gr.reseal.as_ref().map_or(Instant::MAX, |r| r.0));
                        (s.max(day(days::MAINT)), e.min(day(days::SEAL_BACK)), true)
                    },
                )?;
                self.plain_request(at, &gr.template, gr)
            }
            C::ConditionNotMet | C::AttributeMissing => self.condition(code)?,
            C::Forbidden => self.forbidden()?,
            _ => return None,
        };
        Some(Probe {
            expected: Some(code),
            seal: None,
            request,
        })
    }

    /// The request of an authorized initiator of `gr`'s enterprise (see
    /// [`Builder::initiator`]) for `template` with `gr`'s partner as the
    /// signer, for an amount of 1 in category `sales`: what a miss asks
    /// when only its time, template or signer is to blame.
    fn plain_request(&mut self, at: Instant, template: &str, gr: &GrantSpec) -> Request {
        let ini = self.initiator(&gr.org);
        self.request(at, template, &ini, &gr.partner, Some(1), Some("sales"))
    }

    /// A grant of `list` with a time in the period `period` gives for it
    /// (`[lo, hi)`, and whether the maintenance month may hold it); up to
    /// 16 grants are tried.
    fn grant_in(
        &mut self,
        list: Candidates<'a>,
        period: impl Fn(&Self, &GrantSpec) -> (Instant, Instant, bool),
    ) -> Option<(&'a GrantSpec, Instant)> {
        for _ in 0..16 {
            let gr = self.choose(list)?;
            let (lo, hi, maint) = period(self, gr);
            if let Some(at) = self.time(lo, hi, maint) {
                return Some((gr, at));
            }
        }
        None
    }

    /// `unknown_org`, `unknown_employee` or `unknown_template`: a grant's
    /// request with that one name made up.
    fn unknown_name(&mut self, code: ReasonCode) -> Option<Request> {
        let gr = self.choose(|b| &b.plain)?;
        let any_time = day(400);
        let (template, initiator, signer) = match code {
            ReasonCode::UnknownOrg => {
                let n = self.rng.u32(..1000);
                (
                    gr.template.clone(),
                    format!("{}.e0", gr.org),
                    format!("nosuch{n}"),
                )
            }
            ReasonCode::UnknownEmployee => (
                gr.template.clone(),
                format!("{}.ghost", gr.org),
                gr.partner.clone(),
            ),
            _ => (
                format!("{}.nosuch", gr.org),
                format!("{}.e0", gr.org),
                gr.partner.clone(),
            ),
        };
        Some(self.request(any_time, &template, &initiator, &signer, None, None))
    }

    /// `initiator_not_authorized`, one of four ways: `e12` (revoked),
    /// `e10` for another template than `t0`, `e11` over its amount, or an
    /// employee without an authorization (`e13` and up).
    fn initiator_not_authorized(&mut self) -> Option<Request> {
        let gr = self.choose(|b| &b.plain)?;
        let lo = self.enabled(gr).max(day(days::E12_REVOKED + 1));
        let at = self.time(lo, day(days::END), false)?;
        let mut amount = 1;
        let mut template = gr.template.clone();
        let initiator = match self.rng.u32(..4) {
            0 => format!("{}.e12", gr.org),
            1 => {
                // e10 covers template t0 only.
                let k = 1 + pick(&mut self.rng, TEMPLATES_PER_ORG - 1);
                template = format!("{}.t{k}", gr.org);
                format!("{}.e10", gr.org)
            }
            2 => {
                amount = 100_001 + between(&mut self.rng, 0, 1_000_000);
                format!("{}.e11", gr.org)
            }
            _ => format!(
                "{}.e{}",
                gr.org,
                13 + pick(&mut self.rng, EMPLOYEES_PER_ORG - 13)
            ),
        };
        Some(self.request(
            at,
            &template,
            &initiator,
            &gr.partner,
            Some(amount),
            Some("sales"),
        ))
    }

    /// `template_not_auto_sign`: an enterprise signing its own template
    /// that no own auto-sign rule covers (`t10` and up).
    fn template_not_auto_sign(&mut self) -> Option<Request> {
        let orgs = &self.g.orgs;
        let o = orgs.get(pick(&mut self.rng, orgs.len()))?;
        let k = 10 + pick(&mut self.rng, TEMPLATES_PER_ORG - 10);
        let at = self.time(day(days::OWN_FROM), day(days::END), false)?;
        let ini = self.initiator(&o.name);
        Some(self.request(
            at,
            &format!("{}.t{k}", o.name),
            &ini,
            &o.name,
            Some(1),
            Some("sales"),
        ))
    }

    /// `no_partner_grant`: a partner asked to sign a template of its
    /// enterprise it has no grant for (not `t1`, which is disabled for a
    /// while).
    fn no_partner_grant(&mut self) -> Option<Request> {
        let gr = self.choose(|b| &b.plain)?;
        let (a, z) = self
            .by_partner
            .get(gr.partner_index)
            .copied()
            .unwrap_or((0, 0));
        let granted: Vec<usize> = self
            .g
            .grants
            .get(a..z)
            .unwrap_or(&[])
            .iter()
            .map(|x| x.template_index)
            .collect();
        let free: Vec<usize> = (0..TEMPLATES_PER_ORG)
            .filter(|k| *k != 1 && !granted.contains(k))
            .collect();
        let k = free.get(pick(&mut self.rng, free.len())).copied()?;
        let at = self.time(self.enabled(gr), day(days::END), false)?;
        Some(self.plain_request(at, &format!("{}.t{k}", gr.org), gr))
    }

    /// `condition_not_met` (an amount over the grant's limit) or
    /// `attribute_missing` (no amount) for a grant with a condition.
    fn condition(&mut self, code: ReasonCode) -> Option<Request> {
        let (gr, at) = self.grant_in(
            |b| &b.conditioned,
            |b, gr| {
                let (s, e) = gr.active();
                (s.max(b.enabled(gr)), e, false)
            },
        )?;
        let ini = self.initiator(&gr.org);
        let amount = (code == ReasonCode::ConditionNotMet)
            .then(|| gr.max_amount.unwrap_or(0) + 1 + between(&mut self.rng, 0, 100_000));
        Some(self.request(at, &gr.template, &ini, &gr.partner, amount, Some("sales")))
    }

    /// `forbidden`, by one of the generated forbids: the official seal,
    /// a partner's audit (in the maintenance month), the category
    /// `marriage` on `t2`, or `t2` without a category (which fails
    /// closed).
    fn forbidden(&mut self) -> Option<Request> {
        for _ in 0..16 {
            let (gr, lo, hi, maint, category) = match self.rng.u32(..4) {
                0 => {
                    let gr = self.choose(|b| &b.official)?;
                    (gr, day(0), day(days::END), false, Some("sales"))
                }
                1 => {
                    let gr = self.choose(|b| &b.audited)?;
                    (
                        gr,
                        day(days::TPL_BACK + 1),
                        day(days::MAINT_END),
                        true,
                        Some("sales"),
                    )
                }
                2 => {
                    let gr = self.choose(|b| &b.category)?;
                    (gr, day(0), day(days::END), false, Some("marriage"))
                }
                _ => {
                    let gr = self.choose(|b| &b.category)?;
                    (gr, day(0), day(days::END), false, None)
                }
            };
            let (s, e) = gr.active();
            let lo = lo.max(s).max(self.enabled(gr));
            let Some(at) = self.time(lo, hi.min(e), maint) else {
                continue;
            };
            let ini = self.initiator(&gr.org);
            let amount = self.amount(gr.max_amount, None);
            return Some(self.request(at, &gr.template, &ini, &gr.partner, Some(amount), category));
        }
        None
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use autoseal::load::analyze;
    use autoseal::Policy;

    #[test]
    fn gen_day_constants() {
        let tz = tz();
        let show = |d: i64| day(d).display(tz);
        assert_eq!(show(0), "2025-01-01T00:00:00+08:00");
        assert_eq!(show(days::OWN_FROM), "2025-02-01T00:00:00+08:00");
        assert_eq!(show(days::INVITES), "2025-03-01T00:00:00+08:00");
        assert_eq!(show(days::BOUNDED), "2025-07-01T00:00:00+08:00");
        assert_eq!(show(days::E12_REVOKED), "2025-09-01T00:00:00+08:00");
        assert_eq!(show(days::MAINT), "2026-05-01T00:00:00+08:00");
        assert_eq!(show(days::AUDIT), "2026-05-10T00:00:00+08:00");
        assert_eq!(show(days::SEAL_BACK), "2026-05-16T00:00:00+08:00");
        assert_eq!(show(days::TPL_BACK), "2026-05-21T00:00:00+08:00");
        assert_eq!(show(days::MAINT_END), "2026-06-01T00:00:00+08:00");
        assert_eq!(show(days::END), "2028-01-01T00:00:00+08:00");
    }

    /// Loads without a problem, but for the grants that seal with an
    /// official seal, which the forbid of that kind blocks on purpose
    /// (they can never seal: `never_seals`).
    fn check_loads(g: &Generated) -> Policy {
        let a = analyze(g.inputs());
        assert!(
            a.diagnostics
                .items
                .iter()
                .all(|d| d.code() == autoseal::diag::Code::NeverSeals
                    && d.message().contains("`f_official`")),
            "{} error(s), {} warning(s):\n{}",
            a.diagnostics.error_count(),
            a.diagnostics.warning_count(),
            a.diagnostics.render(&a.sources, false)
        );
        Policy::from_inputs(g.inputs()).unwrap()
    }

    fn check_probes(g: &Generated, p: &Policy, n: usize) -> BTreeMap<String, usize> {
        let probes = probes(g, n, 7);
        let mut seen = BTreeMap::new();
        let mut wrong = Vec::new();
        for pr in &probes {
            let d = p.decide(&pr.request);
            let got = d.code();
            *seen
                .entry(got.map_or("auto_seal", |c| c.as_str()).to_owned())
                .or_insert(0) += 1;
            let seal = match d.outcome() {
                autoseal::Outcome::AutoSeal { seal, .. } => Some(p.seal_name(*seal)),
                _ => None,
            };
            if got != pr.expected || seal != pr.seal {
                wrong.push(format!(
                    "{pr:?}\n  got {d:?} {seal:?}\n  {:?}",
                    p.explain(&pr.request).reasons
                ));
            }
            let mut prepared = p.prepare(&pr.request);
            assert_eq!(
                p.decide_prepared(&prepared).expect("this policy decided"),
                d
            );
            // Prepared once, moved to each instant where it says the
            // answer changes and a microsecond either side, and a year
            // before and after the request.
            let mut moved = pr.request.clone();
            let year = 365 * 86_400_000_000;
            let near: Vec<i64> = prepared
                .changes()
                .unwrap_or(&[])
                .iter()
                .flat_map(|at| [at.0 - 1, at.0, at.0 + 1])
                .chain([pr.request.at.0 - year, pr.request.at.0 + year])
                .collect();
            for t in near.into_iter().map(autoseal::Instant) {
                prepared.at = t;
                moved.at = t;
                assert_eq!(
                    p.decide_prepared(&prepared).expect("this policy decided"),
                    p.decide(&moved)
                );
            }
            assert_eq!(p.explain(&pr.request).decision, d);
        }
        assert!(
            wrong.is_empty(),
            "{} of {n} probes decided otherwise:\n{}",
            wrong.len(),
            wrong.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
        );
        seen
    }

    #[test]
    fn gen_1000_loads_and_mixes() {
        let g = generate(&GenConfig {
            grants: 1000,
            seed: 1,
        });
        assert_eq!(g.grants.len(), 1000);
        assert_eq!(g.partners.len(), 100);
        assert!(g
            .files
            .iter()
            .all(|(_, t)| t.len() < MAX_GENERATED_FILE_BYTES && t.lines().all(|l| l.len() < 1024)));
        let p = check_loads(&g);
        let seen = check_probes(&g, &p, 4096);
        assert!(
            seen.get("auto_seal").copied().unwrap_or(0) > 1000,
            "{seen:?}"
        );
        let manual = seen.keys().filter(|k| *k != "auto_seal").count();
        assert_eq!(manual, MIX.len() - 1, "{seen:?}");
        // Roughly the advertised proportions.
        let count = |f: fn(&GrantSpec) -> bool| g.grants.iter().filter(|x| f(x)).count();
        assert!((100..200).contains(&count(|x| x.invite.is_some())));
        assert!((60..150).contains(&count(|x| x.until.is_some())));
        assert!((60..150).contains(&count(|x| x.revoked_at.is_some())));
        assert!((20..90).contains(&count(|x| x.reseal.is_some())));
        assert!((140..260).contains(&count(|x| x.max_amount.is_some())));
    }

    #[test]
    fn gen_is_deterministic() {
        let cfg = GenConfig {
            grants: 300,
            seed: 9,
        };
        assert_eq!(generate(&cfg), generate(&cfg));
        assert_eq!(
            probes(&generate(&cfg), 100, 3),
            probes(&generate(&cfg), 100, 3)
        );
        assert_ne!(
            generate(&cfg).files,
            generate(&GenConfig {
                grants: 300,
                seed: 10
            })
            .files
        );
    }

    #[test]
    fn gen_small_sets_load() {
        for n in [0, 1, 7, 95] {
            let g = generate(&GenConfig { grants: n, seed: 5 });
            assert_eq!(g.grants.len(), n);
            let p = check_loads(&g);
            check_probes(&g, &p, 200);
        }
    }

    #[test]
    fn gen_split_across_files_and_orgs() {
        // 20k grants: two inviting enterprises; tiny files force a split.
        let g = generate_split(
            &GenConfig {
                grants: 20_000,
                seed: 3,
            },
            256 * 1024,
        );
        assert_eq!(g.orgs.len(), 2);
        assert!(g.files.len() > 10, "{}", g.files.len());
        assert!(g.files.iter().all(|(_, t)| t.len() < 256 * 1024 + 4096));
        let p = check_loads(&g);
        check_probes(&g, &p, 1000);
    }
}
