//! Checked model to an immutable policy indexed for the decision: names to
//! ids through hash maps, rules grouped by the key a decision looks up, so
//! no decision scans the rules.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::ast::SealKind;
use crate::check::incr::Changes;
use crate::model::*;
use crate::names::Names;
use crate::source::{line_of, FileId, Locate, SourceFile, Sources, Span};
use crate::time::Instant;

/// A contiguous run of ids in one of the index vectors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Run {
    pub start: u32,
    pub len: u32,
}

impl Run {
    pub fn slice<T>(self, v: &[T]) -> &[T] {
        let s = self.start as usize;
        v.get(s..s + self.len as usize).unwrap_or(&[])
    }
}

/// What a decision needs of a seal rule, 32 bytes: a hit reads one row,
/// not the whole rule. Aligned to its size, so that no row straddles two
/// cache lines. (Its template is in `Policy::row_templates`, which a
/// decision reads first.)
#[derive(Debug, Clone, Copy)]
#[repr(align(32))]
pub(crate) struct RuleRow {
    /// In force in `[start, stop)`: the validity, cut short by a revoke.
    pub start: Instant,
    pub stop: Instant,
    /// Index in `Policy::extras`, if any: here, not in the cold entry, so
    /// that a rule's condition, revoke or reseals are one read from its
    /// row (a denial reads them; the cold entry only names the rule).
    pub extra: OptIndex,
    /// The seal it is written with (a reseal may change it:
    /// [`RowFlags::RESEALED`]).
    pub seal: SealId,
    /// A partner grant's signatory, or none for an own rule.
    pub role: RowRole,
    pub flags: RowFlags,
    /// The kind of `seal`, which a forbid may name: step 8 on the row
    /// reads no seal table (a reseal may change the kind:
    /// [`RowFlags::RESEALED`]).
    pub kind: Option<SealKind>,
}

/// A rule row's signatory in one word: a partner grant's role, or
/// [`RowRole::OWN`] (a value no role id reaches) for an own auto-sign
/// template rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowRole(u32);

impl RowRole {
    pub const OWN: RowRole = RowRole(u32::MAX);

    fn of(kind: SealRuleKind) -> RowRole {
        match kind {
            SealRuleKind::Own => RowRole::OWN,
            SealRuleKind::Partner { role, .. } => RowRole(role.0),
        }
    }

    /// A partner grant's signatory; `None` for an own rule.
    #[inline]
    pub fn partner(self) -> Option<RoleId> {
        (self != RowRole::OWN).then_some(RoleId(self.0))
    }
}

/// What a rule row says of its rule beyond its window, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RowFlags(u8);

impl RowFlags {
    /// It has a condition (step 7 reads it).
    pub const CONDITIONAL: RowFlags = RowFlags(1);
    /// It is resealed: the seal in force depends on the instant.
    pub const RESEALED: RowFlags = RowFlags(2);
    /// It is a void partner grant.
    pub const VOID: RowFlags = RowFlags(4);
    /// No forbid could match it: none is unscoped, none is scoped to its
    /// template or signer, and none to the kind of any seal it seals with.
    /// Step 8 has nothing to look at.
    pub const UNFORBIDDEN: RowFlags = RowFlags(8);
    /// Its one seal is never disabled: step 6 has nothing to look at.
    pub const SEAL_ON: RowFlags = RowFlags(16);
    /// By its start, its signer's service and its template are on for
    /// good: in its window, steps 2 and 4 certainly pass.
    pub const SETTLED: RowFlags = RowFlags(32);

    /// Whether every bit of `f` is set.
    #[inline]
    pub fn has(self, f: RowFlags) -> bool {
        self.0 & f.0 == f.0
    }

    /// With the bits of `f` set when `on`.
    fn with(self, f: RowFlags, on: bool) -> RowFlags {
        if on {
            RowFlags(self.0 | f.0)
        } else {
            self
        }
    }
}

/// An optional index in one word: [`OptIndex::NONE`] (a value no index
/// reaches) for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OptIndex(u32);

impl OptIndex {
    pub const NONE: OptIndex = OptIndex(u32::MAX);

    fn of(i: Option<u32>) -> OptIndex {
        i.map_or(OptIndex::NONE, OptIndex)
    }

    #[inline]
    pub fn get(self) -> Option<u32> {
        (self != OptIndex::NONE).then_some(self.0)
    }
}

/// What a decision needs of an org as signer, in one place: its partner
/// grants and when its service is on for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Signer {
    /// Its partner grants, a run of the seal rules sorted by template.
    pub grants: Run,
    pub service_from: Instant,
}

/// What step 3 needs of an employee authorization, one row per entry of
/// `emp_order`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmployeeRow {
    pub start: Instant,
    pub stop: Instant,
    pub template: RowTemplate,
    pub conditional: bool,
}

/// The template an employee authorization is for, in one word:
/// [`RowTemplate::ANY`] (a value no template id reaches) when it is for
/// every template of its org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowTemplate(u32);

impl RowTemplate {
    pub const ANY: RowTemplate = RowTemplate(u32::MAX);

    fn of(t: Option<TemplateId>) -> RowTemplate {
        t.map_or(RowTemplate::ANY, |t| RowTemplate(t.0))
    }

    /// Whether it covers template `t`.
    #[inline]
    pub fn covers(self, t: TemplateId) -> bool {
        self == RowTemplate::ANY || self.0 == t.0
    }
}

/// The rest of a seal rule, one per rule in the order of the rows, 36
/// bytes: the compiled policy keeps its seal rules as rows plus these, not
/// as [`SealRule`]s (see [`Policy::seal_rule`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleCold {
    pub signer: OrgId,
    pub span: Span,
    /// Start and length of its label in `Policy::labels` (length 0: none;
    /// a label is never empty).
    pub label: (u32, u32),
    /// The invite of a partner grant, if any.
    pub via: OptIndex,
    /// How `from` and `until` were written.
    pub from: PackedStamp,
    pub until: PackedStamp,
}

/// What few rules have: a revoke (with the end it cut short), reseals, a
/// condition (in the entry: a denial for it reads no other allocation
/// when it is one comparison), the reason it is void. The table is shared
/// by the policies
/// an event derives from one another (see [`Policy::clone`]); an event
/// that changes an entry copies the table, boxes and all (an `Arc` in
/// each entry instead would cost 16 bytes a box: 4.8 bytes per grant of
/// the generated sets).
#[derive(Debug, Clone)]
pub(crate) struct RuleExtra {
    pub end: Instant,
    pub revoked: Option<Box<Revocation>>,
    pub reseals: thin_vec::ThinVec<Reseal>,
    pub cond: Option<Condition>,
    pub void: Option<Box<Void>>,
}

/// How a stamp was written, in one word: its offset and whether it was a
/// date (its instant is kept elsewhere); [`PackedStamp::NONE`] (an offset
/// no time zone has) for no stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PackedStamp(i32);

impl PackedStamp {
    const NONE: PackedStamp = PackedStamp(i32::MIN);

    fn pack(s: Option<Stamp>) -> PackedStamp {
        s.map_or(PackedStamp::NONE, |s| {
            PackedStamp(s.tz.local_minus_utc().wrapping_mul(2) | i32::from(s.date))
        })
    }

    /// The stamp at `at`, as it was written.
    fn unpack(self, at: Instant) -> Option<Stamp> {
        if self == PackedStamp::NONE {
            return None;
        }
        Some(Stamp {
            at,
            tz: chrono::FixedOffset::east_opt(self.0 >> 1)?,
            date: self.0 & 1 == 1,
        })
    }
}

/// A seal rule as the compiled policy holds it: borrowed, no copies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleRef<'a> {
    pub row: &'a RuleRow,
    /// Its template (the rows keep it apart: `Policy::row_templates`).
    pub template: TemplateId,
    pub cold: &'a RuleCold,
    pub extra: Option<&'a RuleExtra>,
}

impl<'a> RuleRef<'a> {
    pub fn kind(&self) -> SealRuleKind {
        match self.row.role.partner() {
            None => SealRuleKind::Own,
            Some(role) => SealRuleKind::Partner {
                role,
                via: self.cold.via.get().map(InviteId),
            },
        }
    }
    /// Its `from`, as written.
    pub fn from(&self) -> Option<Stamp> {
        self.cold.from.unpack(self.start())
    }
    /// Its `until`, as written.
    pub fn until(&self) -> Option<Stamp> {
        self.cold.until.unpack(self.end())
    }
    pub fn revocation(&self) -> Option<&'a Revocation> {
        self.extra.and_then(|e| e.revoked.as_deref())
    }
    pub fn start(&self) -> Instant {
        self.row.start
    }
    /// Its `until`, before any revoke.
    pub fn end(&self) -> Instant {
        self.extra.map_or(self.row.stop, |e| e.end)
    }
    pub fn revoked_at(&self) -> Instant {
        self.extra
            .and_then(|e| e.revoked.as_ref())
            .map_or(Instant::MAX, |r| r.stamp.at)
    }
    pub fn void(&self) -> Option<&'a Void> {
        self.extra.and_then(|e| e.void.as_deref())
    }
    pub fn cond(&self) -> Option<&'a Condition> {
        self.extra.and_then(|e| e.cond.as_ref())
    }

    /// The seal in force at `t`.
    pub fn seal_at(&self, t: Instant) -> SealId {
        let reseals = self.extra.map_or(&[][..], |e| e.reseals.as_slice());
        seal_in_force(self.row.seal, reseals, t)
    }
}

/// Whether a thing on for good from `from` ([`on_for_good`]) is on at
/// `at`. `Instant::MAX` means never, even at `Instant::MAX`.
pub(crate) fn on_by(from: Instant, at: Instant) -> bool {
    from != Instant::MAX && at >= from
}

/// The instant from which a toggle timeline is on for good: the last
/// event's, when it turns the thing on; `Instant::MIN` when there is no
/// event and the thing starts on. Before it (or always, when the last
/// event turns it off: `Instant::MAX`) the decision reads the timeline.
fn on_for_good(toggles: &[Toggle], initial: bool) -> Instant {
    match toggles.last() {
        Some(t) if t.on => t.stamp.at,
        Some(_) => Instant::MAX,
        None if initial => Instant::MIN,
        None => Instant::MAX,
    }
}

/// Where the model's spans are, without keeping the policy text: each
/// file's name and line starts (shared with the sources they were taken
/// from), and the column of the few spans that a line start alone does not
/// give.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lines {
    files: Vec<LineTable>,
}

/// One file of a [`Lines`].
#[derive(Debug, Clone)]
struct LineTable {
    name: Arc<str>,
    /// The byte offset of the start of every line.
    starts: Arc<[u32]>,
    /// `(byte offset, column in characters)`, sorted, of each span of the
    /// model that has text other than ASCII before it on its line (a
    /// declaration in an org's block after its display name, on one line);
    /// any other span's column is its byte offset from the line start.
    wide: Vec<(u32, u32)>,
}

impl Lines {
    /// The line starts of every file, and the column of each span of `m`
    /// (see [`for_each_located_span`]) that needs the text to count.
    pub(crate) fn new(sources: &Sources, m: &Model) -> Lines {
        let mut files: Vec<LineTable> = sources
            .files()
            .map(|(_, f)| LineTable {
                name: f.name.as_str().into(),
                starts: f.shared_line_starts(),
                wide: Vec::new(),
            })
            .collect();
        for_each_located_span(m, |span| {
            let (Some(f), Some(table)) =
                (sources.get(span.file), files.get_mut(span.file.0 as usize))
            else {
                return;
            };
            if let Some(col) = wide_column(&f.text, span.start) {
                table.wide.push((span.start, col));
            }
        });
        for t in &mut files {
            t.wide.sort_unstable();
            t.wide.dedup();
            t.wide.shrink_to_fit();
        }
        Lines { files }
    }

    /// These lines with file `file` grown to `source` by text appended
    /// after its first `from` bytes (which end a line), in which the model
    /// now has located spans (see [`for_each_located_span`]) starting at
    /// `located`, and nowhere else that it did not have before: the file's
    /// line starts again and the columns of those spans, the rest shared
    /// (the same lines as [`Lines::new`] gives, at the cost of the
    /// appended text). `None` when that is not so.
    pub(crate) fn appended(
        &self,
        file: FileId,
        source: &SourceFile,
        from: usize,
        located: &[u32],
    ) -> Option<Lines> {
        let mut lines = self.clone();
        let table = lines.files.get_mut(file.0 as usize)?;
        if *table.name != *source.name {
            return None;
        }
        table.starts = source.shared_line_starts();
        for &start in located {
            if (start as usize) < from {
                return None;
            }
            if let Some(col) = wide_column(&source.text, start) {
                table.wide.push((start, col));
            }
        }
        table.wide.sort_unstable();
        table.wide.dedup();
        Some(lines)
    }

    /// Sorts spans by file, as the loader orders files (by path, component
    /// by component: as strings, `a-b.policy` would sort before `a/x`),
    /// then by place in the file.
    pub fn order_key(&self, span: Span) -> (Option<std::path::PathBuf>, u32) {
        let file = self.files.get(span.file.0 as usize);
        (file.map(|f| std::path::PathBuf::from(&*f.name)), span.start)
    }

    /// The bytes its names and tables hold on the heap (for
    /// [`Policy::footprint`]).
    fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.files
            .iter()
            .map(|f| {
                f.name.len()
                    + f.starts.len() * size_of::<u32>()
                    + f.wide.capacity() * size_of::<(u32, u32)>()
            })
            .sum()
    }
}

impl Locate for Lines {
    /// Exact for the spans of the model the table was built with (see
    /// [`for_each_located_span`]).
    fn position(&self, span: Span) -> Option<(&str, usize, usize)> {
        let FileId(f) = span.file;
        let table = self.files.get(f as usize)?;
        let line = line_of(&table.starts, span.start);
        let col = match table.wide.binary_search_by_key(&span.start, |w| w.0) {
            Ok(i) => table.wide.get(i).map_or(1, |w| w.1),
            Err(_) => span.start - table.starts.get(line).copied().unwrap_or(0) + 1,
        };
        Some((&table.name, line + 1, col as usize))
    }
}

/// The column of a span starting at byte `start` of `text`, when its line
/// has text other than ASCII before it (else the column is the byte offset
/// from the line start, and is not kept).
fn wide_column(text: &str, start: u32) -> Option<u32> {
    let before = text.get(..start as usize)?;
    // Statements start a line, so this is nearly always empty.
    let line = before
        .as_bytes()
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(before, |i| before.get(i + 1..).unwrap_or(""));
    (!line.is_ascii()).then(|| u32::try_from(line.chars().count() + 1).unwrap_or(u32::MAX))
}

/// Calls `f` with every span of the model a compiled policy may locate
/// (in an explanation's `source`, an audit entry's, a rule's name): every
/// declaration, rule and event, and every revoke and reseal. Not a
/// condition's: no answer points into one.
fn for_each_located_span(m: &Model, mut f: impl FnMut(Span)) {
    let toggles = |ts: &[Toggle], f: &mut dyn FnMut(Span)| ts.iter().for_each(|t| f(t.span));
    let window = |w: &Window, f: &mut dyn FnMut(Span)| {
        if let Some(r) = &w.revoked {
            f(r.span);
        }
    };
    for o in &m.orgs {
        f(o.span);
        toggles(&o.service, &mut f);
        o.admin_changes.iter().for_each(|c| f(c.span));
    }
    m.employees.iter().for_each(|e| f(e.span));
    for s in &m.seals {
        f(s.span);
        toggles(&s.toggles, &mut f);
    }
    for t in &m.templates {
        f(t.span);
        toggles(&t.toggles, &mut f);
    }
    m.groups.iter().for_each(|g| f(g.span));
    for r in &m.seal_rules {
        f(r.span);
        window(&r.window, &mut f);
        r.reseals.iter().for_each(|x| f(x.span));
    }
    for r in &m.employee_rules {
        f(r.span);
        window(&r.window, &mut f);
    }
    for r in &m.forbids {
        f(r.span);
        window(&r.window, &mut f);
    }
    m.invites.iter().for_each(|i| f(i.span));
}

/// The compiled, immutable policy set: every org with its people, seals
/// and templates, every event on its timeline, and every rule (auto-sign
/// templates, employee authorizations, partner grants, forbids), indexed
/// for deciding. `Send + Sync`: share one behind an `Arc` (or swap versions
/// with `arc-swap`) across threads.
///
/// Build one with [`Policy::load`] (or [`Policy::from_str`],
/// [`Policy::from_paths`]); then [`Policy::decide`] a [`Request`](crate::Request)
/// and [`Policy::render`] the [`Decision`](crate::Decision) in words. The
/// reports a compliance team reads are [`Policy::templates_for`],
/// [`Policy::who`], [`Policy::audit`] and [`Policy::diff`].
///
/// ```
/// use autoseal::{Instant, Policy, Request, Verdict};
///
/// let policy = Policy::from_str(
///     "acme.policy",
///     "org acme \"Acme\" {
///     super_admin zhang \"张三\"
///     employee li \"李四\"
///     seal contract \"合同专用章\" kind contract
///     template nda \"保密协议\"
/// }
/// acme enables auto-sign at 2026-01-05T00:00:00+08:00 by zhang
/// li_auto: employee acme.li may initiate auto-sign
/// acme auto-signs template nda with seal contract
/// ",
/// )
/// .map_err(|e| e.render())
/// .unwrap();
///
/// let at = Instant::parse("2026-04-01T10:00:00+08:00").unwrap();
/// let decision = policy.decide(&Request::new(at, "acme.nda", "acme.li", "acme"));
/// let shown = policy.render(&decision).unwrap();
/// assert_eq!(shown.decision, Verdict::AutoSeal);
/// assert_eq!(shown.seal.as_deref(), Some("acme.contract"));
/// ```
///
/// Its model and rule tables are shared (`Arc`): a clone copies the name
/// tables and the small indexes, and a policy derived from another by an
/// event copies only the tables the event changes (a revoke or a new grant
/// shares the model; it is a large part of a big set, and copying and
/// freeing it was a fifth of an event's cost at 1,000,000 grants).
#[derive(Debug, Clone)]
pub struct Policy {
    /// Which policy this is: decisions carry it, and rendering checks it.
    pub(crate) id: crate::decision::PolicyId,
    pub(crate) m: Arc<Model>,
    pub(crate) lines: Lines,
    /// Org name to id, with what a decision needs of the org as signer.
    pub(crate) orgs: Names<(OrgId, Signer)>,
    /// `org.person` to id, with the person's org (so resolving a request
    /// reads no employee record).
    pub(crate) employees: Names<(EmployeeId, OrgId)>,
    /// `org.template` to id, with the owner org.
    pub(crate) templates: Names<(TemplateId, OrgId)>,
    pub(crate) roles: Names<RoleId>,
    pub(crate) attrs: Names<AttrId>,
    /// Own-template rules, by template id, as runs of the seal rules.
    pub(crate) own: Vec<Run>,
    /// The seal rules: one row and one cold entry each, sorted by key
    /// (partner grants by signer and template, then own rules by
    /// template), then in the order answers name them.
    pub(crate) rows: Arc<[RuleRow]>,
    /// Each row's template again, densely: finding a signer's grants for
    /// one template reads one cache line, not every row.
    pub(crate) row_templates: Arc<[TemplateId]>,
    pub(crate) cold: Arc<[RuleCold]>,
    pub(crate) extras: Arc<[RuleExtra]>,
    /// Every seal rule label, end to end.
    pub(crate) labels: Arc<str>,
    /// By template and seal id: when it is enabled for good (see
    /// [`on_for_good`]).
    pub(crate) template_from: Vec<Instant>,
    /// By seal id: when it is enabled for good, and its kind.
    pub(crate) seal_from: Vec<(Instant, SealKind)>,
    pub(crate) emp_order: Vec<EmployeeRuleId>,
    pub(crate) emp_rows: Vec<EmployeeRow>,
    /// An employee's authorizations for its own org, by employee id.
    pub(crate) emp_own: Vec<Run>,
    /// `on behalf of` authorizations by (employee, member org).
    pub(crate) emp_behalf: FxHashMap<u64, Run>,
    pub(crate) forbid_order: Vec<ForbidId>,
    /// Forbids scoped to a template (by template id) or else to a signer
    /// (by org id); each is found under its most selective scope.
    pub(crate) forbid_by_template: Vec<Run>,
    pub(crate) forbid_by_signer: Vec<Run>,
    pub(crate) forbid_by_kind: [Vec<ForbidId>; 6],
    pub(crate) forbid_any: Vec<ForbidId>,
    /// The policy set's time zone (see [`Policy::time_zone`]): set by
    /// [`Policy::from_inputs`], which has the files' `timezone` lines.
    pub(crate) time_zone: Option<chrono::FixedOffset>,
}

pub(crate) fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

pub(crate) fn kind_index(k: SealKind) -> usize {
    match k {
        SealKind::Official => 0,
        SealKind::Contract => 1,
        SealKind::Finance => 2,
        SealKind::Personnel => 3,
        SealKind::LegalRep => 4,
        SealKind::Other => 5,
    }
}

// ------------------------------------------------------------ compiling

/// The parts of a compiled policy that index its employee authorizations.
#[derive(Debug, Clone, Default)]
pub(crate) struct EmployeeIndex {
    pub order: Vec<EmployeeRuleId>,
    pub rows: Vec<EmployeeRow>,
    pub own: Vec<Run>,
    pub behalf: FxHashMap<u64, Run>,
}

impl EmployeeIndex {
    /// Own-org authorizations by employee (most), then `on behalf of` ones
    /// by (employee, member org); within a key, in the model's order.
    pub(crate) fn new(m: &Model) -> EmployeeIndex {
        let mut order: Vec<EmployeeRuleId> = (0..m.employee_rules.len())
            .map(EmployeeRuleId::from_index)
            .collect();
        let key = |id: &EmployeeRuleId| {
            m.employee_rules.get(id.index()).map_or((false, 0), |r| {
                (r.on_behalf, pair(r.employee.0, r.target.0))
            })
        };
        order.sort_by_key(|id| (key(id), id.0));
        let mut own = vec![Run::default(); m.employees.len()];
        let mut behalf = FxHashMap::default();
        for_runs(&order, key, |(on_behalf, k), run| {
            if on_behalf {
                behalf.insert(k, run);
            } else if let Some(slot) = own.get_mut((k >> 32) as usize) {
                *slot = run;
            }
        });
        let rows = order
            .iter()
            .filter_map(|id| m.employee_rules.get(id.index()))
            .map(|r| EmployeeRow {
                start: r.window.start(),
                stop: r.window.stop(),
                template: RowTemplate::of(r.template),
                conditional: r.cond.is_some(),
            })
            .collect();
        EmployeeIndex {
            order,
            rows,
            own,
            behalf,
        }
    }
}

/// The parts of a compiled policy that index its forbids: each under its
/// most selective scope (the others are checked when it is found).
#[derive(Debug, Clone, Default)]
pub(crate) struct ForbidIndex {
    pub order: Vec<ForbidId>,
    pub by_template: Vec<Run>,
    pub by_signer: Vec<Run>,
    pub by_kind: [Vec<ForbidId>; 6],
    pub any: Vec<ForbidId>,
}

impl ForbidIndex {
    pub(crate) fn new(m: &Model) -> ForbidIndex {
        let mut by_kind: [Vec<ForbidId>; 6] = Default::default();
        let mut any = Vec::new();
        let mut scoped: Vec<((u8, u32), ForbidId)> = Vec::new();
        for (i, f) in m.forbids.iter().enumerate() {
            let id = ForbidId::from_index(i);
            if let Some(t) = f.template {
                scoped.push(((0, t.0), id));
            } else if let Some(s) = f.signer {
                scoped.push(((1, s.0), id));
            } else if let Some(k) = f.kind {
                if let Some(v) = by_kind.get_mut(kind_index(k)) {
                    v.push(id);
                }
            } else {
                any.push(id);
            }
        }
        scoped.sort();
        let mut by_template = vec![Run::default(); m.templates.len()];
        let mut by_signer = vec![Run::default(); m.orgs.len()];
        for_runs(
            &scoped,
            |(k, _)| *k,
            |(table, key), run| {
                let slot = if table == 0 {
                    by_template.get_mut(key as usize)
                } else {
                    by_signer.get_mut(key as usize)
                };
                if let Some(slot) = slot {
                    *slot = run;
                }
            },
        );
        ForbidIndex {
            order: scoped.iter().map(|(_, id)| *id).collect(),
            by_template,
            by_signer,
            by_kind,
            any,
        }
    }
}

/// The names a request gives, to ids (the orgs' table, which carries
/// more, is [`org_table`]).
type NameTables = (
    Names<(EmployeeId, OrgId)>,
    Names<(TemplateId, OrgId)>,
    Names<RoleId>,
    Names<AttrId>,
);

fn name_tables(m: &Model) -> NameTables {
    let employees = name_table(&m.employees, EmployeeId::from_index, |id, e| {
        (m.employee_name(id), (id, e.org))
    });
    let templates = name_table(&m.templates, TemplateId::from_index, |id, t| {
        (m.template_name(id), (id, t.org))
    });
    let roles = name_table(&m.roles, RoleId::from_index, |id, r| (r.as_str(), id));
    let attrs = name_table(&m.attributes, AttrId::from_index, |id, a| {
        (a.name.as_str(), id)
    });
    (employees, templates, roles, attrs)
}

/// A name table of `items`: each under the name `entry` gives it, with
/// the value it gives, from its id (its index, as `id` makes one) and
/// itself.
fn name_table<'a, T, Id, S: AsRef<str>, V: Copy>(
    items: &'a [T],
    id: fn(usize) -> Id,
    entry: impl Fn(Id, &'a T) -> (S, V),
) -> Names<V> {
    items
        .iter()
        .enumerate()
        .map(|(i, t)| entry(id(i), t))
        .collect()
}

/// Where a seal rule goes in a compiled policy: partner grants by
/// (signer, template), then own rules by template; within a key, the rule
/// an answer names first (smallest label, else earliest location).
pub(crate) type RuleOrderKey<'a> = (
    bool,
    u32,
    u32,
    bool,
    &'a str,
    (Option<std::path::PathBuf>, u32),
);

pub(crate) fn rule_order_key<'a>(
    own: bool,
    signer: OrgId,
    template: TemplateId,
    label: Option<&'a str>,
    span: Span,
    lines: &Lines,
) -> RuleOrderKey<'a> {
    (
        own,
        if own { template.0 } else { signer.0 },
        template.0,
        label.is_none(),
        label.unwrap_or_default(),
        lines.order_key(span),
    )
}

/// The seal rules' indexes in the order of a compiled policy's rows.
/// Nothing refers to a compiled rule by id before this order is fixed, so
/// ids are positions in it.
fn seal_rule_order(rules: &[SealRule], lines: &Lines) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rules.len() as u32).collect();
    order.sort_by_cached_key(|&i| {
        rules.get(i as usize).map(|r| {
            let (own, signer, template, unlabelled, label, at) = rule_order_key(
                r.kind == SealRuleKind::Own,
                r.signer,
                r.template,
                r.label.as_deref(),
                r.span,
                lines,
            );
            (own, signer, template, unlabelled, label.to_owned(), at)
        })
    });
    order
}

/// Each template's own rules and each signer's partner grants, as runs of
/// the rows (in `order`).
fn rule_runs(
    rules: &[SealRule],
    order: &[u32],
    templates: usize,
    orgs: usize,
) -> (Vec<Run>, Vec<Run>) {
    let rule = |i: &u32| rules.get(*i as usize);
    let partners = order.partition_point(|i| rule(i).is_some_and(|r| r.kind != SealRuleKind::Own));
    let (partner_rules, own_rules) = order.split_at(partners);
    let mut own = vec![Run::default(); templates];
    for_runs(
        own_rules,
        |i| rule(i).map_or(u32::MAX, |r| r.template.0),
        |t, run| {
            if let Some(slot) = own.get_mut(t as usize) {
                *slot = Run {
                    start: run.start + partners as u32,
                    len: run.len,
                };
            }
        },
    );
    let mut partner = vec![Run::default(); orgs];
    for_runs(
        partner_rules,
        |i| rule(i).map_or(u32::MAX, |r| r.signer.0),
        |s, run| {
            if let Some(slot) = partner.get_mut(s as usize) {
                *slot = run;
            }
        },
    );
    (own, partner)
}

/// Each org's name, to its id and what a decision needs of it as signer
/// (its partner grants, `partner`, by org id): a decision by names reads
/// no table by org id before the grants themselves.
fn org_table(m: &Model, partner: &[Run]) -> Names<(OrgId, Signer)> {
    name_table(&m.orgs, OrgId::from_index, |id, o| {
        let signer = Signer {
            grants: partner.get(id.index()).copied().unwrap_or_default(),
            service_from: on_for_good(&o.service, false),
        };
        (o.name.as_str(), (id, signer))
    })
}

/// By template, then by seal: when each is enabled for good.
fn enabled_for_good(m: &Model) -> (Vec<Instant>, Vec<(Instant, SealKind)>) {
    let templates = m
        .templates
        .iter()
        .map(|t| on_for_good(&t.toggles, true))
        .collect();
    let seals = m
        .seals
        .iter()
        .map(|s| (on_for_good(&s.toggles, true), s.kind))
        .collect();
    (templates, seals)
}

/// A seal rule's row (its flags not yet set: [`Policy::row_flags`]), its
/// cold entry (its label appended to `labels`), and its extra, if it needs
/// one (the row does not point to it yet).
pub(crate) fn rule_entry(
    r: &SealRule,
    labels: &mut String,
) -> (RuleRow, RuleCold, Option<RuleExtra>) {
    let row = RuleRow {
        start: r.window.start(),
        stop: r.window.stop(),
        extra: OptIndex::NONE,
        seal: r.seal,
        role: RowRole::of(r.kind),
        flags: RowFlags::default(),
        kind: None,
    };
    let label = match &r.label {
        Some(l) => {
            let at = labels.len() as u32;
            labels.push_str(l);
            (at, l.len() as u32)
        }
        None => (0, 0),
    };
    let needs_extra =
        r.window.revoked.is_some() || !r.reseals.is_empty() || r.cond.is_some() || r.void.is_some();
    let extra = needs_extra.then(|| rule_extra(r));
    let cold = RuleCold {
        signer: r.signer,
        span: r.span,
        label,
        via: OptIndex::of(match r.kind {
            SealRuleKind::Partner { via, .. } => via.map(|v| v.0),
            SealRuleKind::Own => None,
        }),
        from: PackedStamp::pack(r.window.from),
        until: PackedStamp::pack(r.window.until),
    };
    (row, cold, extra)
}

/// What a seal rule has beyond its row and cold entry.
pub(crate) fn rule_extra(r: &SealRule) -> RuleExtra {
    let mut reseals = r.reseals.clone();
    reseals.shrink_to_fit();
    RuleExtra {
        end: r.window.end(),
        revoked: r.window.revoked.as_deref().map(|x| Box::new(*x)),
        reseals,
        cond: r.cond.as_deref().map(|c| {
            let mut c = c.clone();
            shrink_condition(&mut c);
            c
        }),
        void: r.void.as_deref().map(|v| Box::new(v.clone())),
    }
}

impl Policy {
    /// Indexes a checked model: `analysis.model` of a load without
    /// errors (internal: a program loads with [`Policy::load`], which
    /// checks first and keeps the warnings).
    #[doc(hidden)]
    pub fn compile(m: Model, sources: &Sources) -> Policy {
        let lines = Lines::new(sources, &m);
        let mut m = m;
        let rules = std::mem::take(&mut m.seal_rules);
        Policy::assemble(m, &rules, lines)
    }

    /// Indexes a checked model that is kept (a live set's, to which
    /// events are applied): the model is copied but for its seal rules,
    /// which are read into the compact form.
    pub(crate) fn compile_kept(m: &Model, sources: &Sources) -> Policy {
        Policy::assemble(without_seal_rules(m), &m.seal_rules, Lines::new(sources, m))
    }

    /// A policy from a model without its seal rules, and those rules.
    fn assemble(mut m: Model, rules: &[SealRule], lines: Lines) -> Policy {
        shrink(&mut m);
        let (employees, templates, roles, attrs) = name_tables(&m);
        let order = seal_rule_order(rules, &lines);
        let (own, partner) = rule_runs(rules, &order, m.templates.len(), m.orgs.len());
        let orgs = org_table(&m, &partner);
        let (template_from, seal_from) = enabled_for_good(&m);
        let emp = EmployeeIndex::new(&m);
        let forbids = ForbidIndex::new(&m);

        // The rules become rows, cold entries, extras and one label string.
        let mut labels = String::new();
        let mut rows = Vec::with_capacity(order.len());
        let mut cold = Vec::with_capacity(order.len());
        let mut extras = Vec::new();
        let mut row_templates = Vec::with_capacity(order.len());
        for r in order.iter().filter_map(|&i| rules.get(i as usize)) {
            let (mut row, c, extra) = rule_entry(r, &mut labels);
            if let Some(e) = extra {
                row.extra = OptIndex::of(Some(extras.len() as u32));
                extras.push(e);
            }
            rows.push(row);
            row_templates.push(r.template);
            cold.push(c);
        }
        labels.shrink_to_fit();

        let mut policy = Policy {
            id: crate::decision::PolicyId::next(),
            m: Arc::new(m),
            lines,
            orgs,
            employees,
            templates,
            roles,
            attrs,
            own,
            row_templates: row_templates.into(),
            rows: Arc::from(Vec::new()),
            cold: cold.into(),
            extras: extras.into(),
            labels: labels.into(),
            template_from,
            seal_from,
            emp_order: emp.order,
            emp_rows: emp.rows,
            emp_own: emp.own,
            emp_behalf: emp.behalf,
            forbid_order: forbids.order,
            forbid_by_template: forbids.by_template,
            forbid_by_signer: forbids.by_signer,
            forbid_by_kind: forbids.by_kind,
            forbid_any: forbids.any,
            time_zone: None,
        };
        policy.set_row_flags(&mut rows);
        policy.rows = rows.into();
        policy
    }

    /// Sets the flags and seal kind of `rows` (this policy's rows, or new
    /// ones in their place) from the rest of the policy.
    pub(crate) fn set_row_flags(&self, rows: &mut [RuleRow]) {
        for (j, row) in rows.iter_mut().enumerate() {
            self.settle_row(j, row);
        }
    }

    /// Sets the flags and seal kind of row `j` (this policy's, or a new
    /// one in its place).
    fn settle_row(&self, j: usize, row: &mut RuleRow) {
        if let (Some(cold), Some(&t)) = (self.cold.get(j), self.row_templates.get(j)) {
            row.flags = self.row_flags(row, t, cold);
            row.kind = self.m.seal(row.seal).map(|s| s.kind);
        }
    }

    /// What a rule row says of its rule beyond its window: read from the
    /// row, its cold entry and extra, and the rest of the policy.
    fn row_flags(&self, row: &RuleRow, template: TemplateId, cold: &RuleCold) -> RowFlags {
        let m = &self.m;
        let extra = row.extra.get().and_then(|i| self.extras.get(i as usize));
        let reseals = extra.map_or(&[][..], |e| e.reseals.as_slice());
        let kinds_free = std::iter::once(row.seal)
            .chain(reseals.iter().map(|x| x.seal))
            .filter_map(|s| m.seal(s))
            .all(|s| {
                self.forbid_by_kind
                    .get(kind_index(s.kind))
                    .is_none_or(Vec::is_empty)
            });
        let free = kinds_free
            && self.forbid_any.is_empty()
            && self
                .forbid_by_template
                .get(template.index())
                .is_none_or(|x| x.len == 0)
            && self
                .forbid_by_signer
                .get(cold.signer.index())
                .is_none_or(|x| x.len == 0);
        let seal_on = m.seal(row.seal).is_some_and(|s| s.toggles.is_empty());
        let by_start = |from: Option<Instant>| from.is_some_and(|f| on_by(f, row.start));
        let service_from = m.org(cold.signer).map(|o| on_for_good(&o.service, false));
        let settled =
            by_start(service_from) && by_start(self.template_from.get(template.index()).copied());
        RowFlags::default()
            .with(
                RowFlags::CONDITIONAL,
                extra.is_some_and(|e| e.cond.is_some()),
            )
            .with(RowFlags::RESEALED, !reseals.is_empty())
            .with(RowFlags::VOID, extra.is_some_and(|e| e.void.is_some()))
            .with(RowFlags::UNFORBIDDEN, free)
            .with(RowFlags::SEAL_ON, reseals.is_empty() && seal_on)
            .with(RowFlags::SETTLED, settled)
    }

    /// The rules that may give a signer a seal for `template`, as a run of
    /// seal rule ids (rows, cold entries): the template's own rules when
    /// the signer owns it, else those of the signer's `grants` that are of
    /// it.
    pub(crate) fn rules_for(&self, grants: Run, template: TemplateId, own: bool) -> Run {
        if own {
            return self.own.get(template.index()).copied().unwrap_or_default();
        }
        let templates = grants.slice(&self.row_templates);
        let (lo, len) = template_run(templates, template, self.rows.len() <= CACHED_RULES);
        Run {
            start: grants.start + lo as u32,
            len: len as u32,
        }
    }

    pub(crate) fn forbids_for_kind(&self, k: SealKind) -> &[ForbidId] {
        self.forbid_by_kind
            .get(kind_index(k))
            .map_or(&[], Vec::as_slice)
    }

    /// Approximate heap bytes by part, largest first: what the `memory`
    /// example breaks its total into. Counts buffers at their capacity and
    /// the strings and boxes they own.
    #[doc(hidden)]
    pub fn footprint(&self) -> Vec<(&'static str, usize)> {
        use std::mem::size_of;
        fn buf<T>(v: &Vec<T>) -> usize {
            v.capacity() * size_of::<T>()
        }
        fn shared<T>(v: &[T]) -> usize {
            std::mem::size_of_val(v)
        }
        // A `ThinVec` keeps its length and capacity in its allocation.
        fn thin<T>(v: &thin_vec::ThinVec<T>) -> usize {
            match v.capacity() {
                0 => 0,
                c => 2 * size_of::<usize>() + c * size_of::<T>(),
            }
        }
        let m = &self.m;
        let cond = |c: &Condition| {
            let spilled = if c.nodes.spilled() {
                c.nodes.capacity() * size_of::<CondNode>()
            } else {
                0
            };
            spilled
                + c.nodes
                    .iter()
                    .map(|n| match n {
                        CondNode::And(v) | CondNode::Or(v) => buf(v),
                        CondNode::In { values, .. } => buf(values),
                        _ => 0,
                    })
                    .sum::<usize>()
        };
        let mut parts = vec![
            ("seal rule cold entries", shared(&self.cold)),
            ("seal rule labels", self.labels.len()),
            (
                "seal rule extras (revokes, reseals, conditions, voids)",
                shared(&self.extras)
                    + self
                        .extras
                        .iter()
                        .map(|e| {
                            e.cond.as_ref().map_or(0, cond)
                                + e.revoked.as_ref().map_or(0, |_| size_of::<Revocation>())
                                + thin(&e.reseals)
                                + e.void.as_ref().map_or(0, |_| size_of::<Void>())
                        })
                        .sum::<usize>(),
            ),
            (
                "rule rows",
                shared(&self.rows) + shared(&self.row_templates),
            ),
            (
                "orgs",
                buf(&m.orgs)
                    + m.orgs
                        .iter()
                        .map(|o| o.name.capacity() + o.display.capacity() + thin(&o.service))
                        .sum::<usize>(),
            ),
            (
                "seals",
                buf(&m.seals)
                    + m.seals
                        .iter()
                        .map(|s| s.name.capacity() + s.display.capacity() + thin(&s.toggles))
                        .sum::<usize>(),
            ),
            (
                "employees",
                buf(&m.employees)
                    + m.employees
                        .iter()
                        .map(|e| e.name.capacity() + e.display.capacity())
                        .sum::<usize>(),
            ),
            (
                "templates, groups, employee rules, forbids, invites",
                buf(&m.templates)
                    + buf(&m.groups)
                    + buf(&m.employee_rules)
                    + buf(&m.forbids)
                    + buf(&m.invites),
            ),
            (
                "name tables",
                self.orgs.heap_bytes()
                    + self.employees.heap_bytes()
                    + self.templates.heap_bytes()
                    + self.roles.heap_bytes()
                    + self.attrs.heap_bytes(),
            ),
            ("line starts", self.lines.heap_bytes()),
            (
                "indexes and on-for-good instants",
                buf(&self.own)
                    + buf(&self.emp_order)
                    + buf(&self.emp_rows)
                    + buf(&self.emp_own)
                    + buf(&self.forbid_order)
                    + buf(&self.forbid_by_template)
                    + buf(&self.forbid_by_signer)
                    + buf(&self.template_from)
                    + buf(&self.seal_from),
            ),
        ];
        parts.sort_by_key(|p| std::cmp::Reverse(p.1));
        parts
    }

    /// Every table of the policy as text, in a form that does not depend
    /// on how it was built (compiled at once or changed by events): the
    /// tests compare the two.
    #[doc(hidden)]
    pub fn tables_digest(&self) -> String {
        use std::fmt::Write as _;
        let m = &self.m;
        let mut out = String::new();
        let _ = writeln!(out, "model {m:?}");
        let _ = writeln!(out, "time zone {:?}", self.time_zone);
        for f in &self.lines.files {
            let _ = writeln!(out, "lines {} {:?} {:?}", f.name, f.starts, f.wide);
        }
        for o in &m.orgs {
            let _ = writeln!(out, "org {} {:?}", o.name, self.orgs.get(&o.name));
        }
        for (i, e) in m.employees.iter().enumerate() {
            let name = m.employee_name(EmployeeId::from_index(i));
            let _ = writeln!(out, "employee {name} {e:?} {:?}", self.employees.get(&name));
        }
        for i in 0..m.templates.len() {
            let name = m.template_name(TemplateId::from_index(i));
            let _ = writeln!(out, "template {name} {:?}", self.templates.get(&name));
        }
        for r in &m.roles {
            let _ = writeln!(out, "role {r} {:?}", self.roles.get(r));
        }
        for a in &m.attributes {
            let _ = writeln!(out, "attribute {} {:?}", a.name, self.attrs.get(&a.name));
        }
        let _ = writeln!(out, "own {:?}", self.own);
        for (j, row) in self.rows.iter().enumerate() {
            let cold = self.cold.get(j);
            let extra = row.extra.get().and_then(|k| self.extras.get(k as usize));
            let _ = writeln!(
                out,
                // The extra's index depends on the order rules came in:
                // its content is what must agree.
                "row {j} [{:?}, {:?}) {:?} {:?} {:?} {:?} {:?} {:?} label {:?} via {:?} from {:?} until {:?} extra {extra:?}",
                row.start,
                row.stop,
                row.seal,
                row.role,
                row.flags,
                row.kind,
                self.row_templates.get(j),
                cold.map(|c| (c.signer, c.span)),
                cold.and_then(|c| self.label(c)),
                cold.map(|c| c.via),
                cold.map(|c| c.from),
                cold.map(|c| c.until),
            );
        }
        let _ = writeln!(out, "template from {:?}", self.template_from);
        let _ = writeln!(out, "seal from {:?}", self.seal_from);
        let _ = writeln!(out, "employee order {:?}", self.emp_order);
        let _ = writeln!(out, "employee rows {:?}", self.emp_rows);
        let _ = writeln!(out, "employee own {:?}", self.emp_own);
        let mut behalf: Vec<_> = self.emp_behalf.iter().collect();
        behalf.sort_by_key(|(k, _)| **k);
        let _ = writeln!(out, "employee behalf {behalf:?}");
        let _ = writeln!(out, "forbid order {:?}", self.forbid_order);
        let _ = writeln!(out, "forbid by template {:?}", self.forbid_by_template);
        let _ = writeln!(out, "forbid by signer {:?}", self.forbid_by_signer);
        let _ = writeln!(out, "forbid by kind {:?}", self.forbid_by_kind);
        let _ = writeln!(out, "forbid any {:?}", self.forbid_any);
        out
    }

    /// A seal's name, `ORG.SEAL`, as answers name it: the seal of an
    /// [`crate::Outcome::AutoSeal`] of this policy's (ids are positions
    /// in the policy that made them); `?` past its seals.
    pub fn seal_name(&self, id: SealId) -> String {
        self.m.seal_name(id)
    }

    /// `file:line:col` of a span of the policy (a declaration, rule or
    /// event), the column in characters.
    pub fn location(&self, span: Span) -> String {
        self.lines.location(span)
    }

    /// A seal rule's name: its label, else `file:line`.
    pub fn seal_rule_name(&self, id: SealRuleId) -> String {
        match self.cold.get(id.index()) {
            Some(c) => self.lines.rule_name(self.label(c), c.span),
            None => String::from("?"),
        }
    }

    fn label(&self, c: &RuleCold) -> Option<&str> {
        let (at, len) = (c.label.0 as usize, c.label.1 as usize);
        (len > 0).then(|| self.labels.get(at..at + len)).flatten()
    }

    /// How many seal rules (auto-sign template rules and partner grants)
    /// the policy holds; their ids are `0..seal_rule_count()`.
    pub fn seal_rule_count(&self) -> usize {
        self.rows.len()
    }

    /// A seal rule, rebuilt from the compact form the policy keeps it in
    /// (compiling moves the checked model's seal rules into rows).
    pub(crate) fn seal_rule(&self, id: SealRuleId) -> Option<SealRule> {
        let r = self.rule_ref(id)?;
        Some(SealRule {
            label: self.label(r.cold).map(Into::into),
            kind: r.kind(),
            signer: r.cold.signer,
            template: r.template,
            seal: r.row.seal,
            reseals: r.extra.map(|e| e.reseals.clone()).unwrap_or_default(),
            window: Window {
                from: r.from(),
                until: r.until(),
                revoked: r.revocation().map(|x| Box::new(*x)),
            },
            cond: r.cond().map(|c| Box::new(c.clone())),
            void: r.void().map(|v| Box::new(v.clone())),
            span: r.cold.span,
        })
    }

    /// Every seal rule, rebuilt, with its id (the checked model's form:
    /// internal, for the reports and the tests).
    #[doc(hidden)]
    pub fn seal_rules(&self) -> impl Iterator<Item = (SealRuleId, SealRule)> + '_ {
        (0..self.rows.len())
            .map(SealRuleId::from_index)
            .filter_map(|id| Some((id, self.seal_rule(id)?)))
    }

    /// A seal rule, borrowed.
    pub(crate) fn rule_ref(&self, id: SealRuleId) -> Option<RuleRef<'_>> {
        let row = self.rows.get(id.index())?;
        Some(RuleRef {
            row,
            template: *self.row_templates.get(id.index())?,
            cold: self.cold.get(id.index())?,
            extra: row.extra.get().and_then(|i| self.extras.get(i as usize)),
        })
    }

    /// An employee authorization's name: its label, else `file:line`.
    pub fn employee_rule_name(&self, id: EmployeeRuleId) -> String {
        match self.m.employee_rules.get(id.index()) {
            Some(r) => self.lines.rule_name(r.label.as_deref(), r.span),
            None => String::from("?"),
        }
    }

    /// A forbid's name: its label, else `file:line`.
    pub fn forbid_name(&self, id: ForbidId) -> String {
        match self.m.forbids.get(id.index()) {
            Some(r) => self.lines.rule_name(r.label.as_deref(), r.span),
            None => String::from("?"),
        }
    }

    /// The id of an org by its name (`acme`).
    pub fn org_id(&self, name: &str) -> Option<OrgId> {
        self.orgs.get(name).map(|(id, _)| id)
    }

    /// The id of a person by `ORG.PERSON` (`acme.li`).
    pub fn employee_id(&self, name: &str) -> Option<EmployeeId> {
        self.employees.get(name).map(|(id, _)| id)
    }

    /// The id of a template by `ORG.TEMPLATE` (`acme.nda`).
    pub fn template_id(&self, name: &str) -> Option<TemplateId> {
        self.templates.get(name).map(|(id, _)| id)
    }
}

// ------------------------------------------------------------ patching

impl Policy {
    /// This policy, changed as one more statement changed the kept model
    /// `m` it was compiled from ([`Policy::compile_kept`]): the tables the
    /// change does not touch are shared, the others copied and changed, so
    /// that the result is what compiling `m` again would give. `lines`
    /// are the files' line starts now.
    pub(crate) fn patched(&self, m: &Model, ch: &Changes, lines: Lines) -> Policy {
        let mut p = Policy {
            id: crate::decision::PolicyId::next(),
            m: if ch.model {
                let mut copy = without_seal_rules(m);
                shrink(&mut copy);
                Arc::new(copy)
            } else {
                self.m.clone()
            },
            lines,
            ..self.shared_parts()
        };
        if ch.names {
            let (employees, templates, roles, attrs) = name_tables(&p.m);
            p.employees = employees;
            p.templates = templates;
            p.roles = roles;
            p.attrs = attrs;
        }
        if ch.employee_rules {
            let emp = EmployeeIndex::new(&p.m);
            p.emp_order = emp.order;
            p.emp_rows = emp.rows;
            p.emp_own = emp.own;
            p.emp_behalf = emp.behalf;
        }
        if ch.forbids {
            let f = ForbidIndex::new(&p.m);
            p.forbid_order = f.order;
            p.forbid_by_template = f.by_template;
            p.forbid_by_signer = f.by_signer;
            p.forbid_by_kind = f.by_kind;
            p.forbid_any = f.any;
        }
        if ch.timelines {
            let (template_from, seal_from) = enabled_for_good(&p.m);
            p.template_from = template_from;
            p.seal_from = seal_from;
            let orgs = &p.m.orgs;
            for (id, signer) in p.orgs.values_mut() {
                if let Some(o) = orgs.get(id.index()) {
                    signer.service_from = on_for_good(&o.service, false);
                }
            }
        }
        if !ch.invite_at.is_empty() {
            // A new invite at `k`: those after it moved up one.
            let mut cold = p.cold.to_vec();
            for &k in &ch.invite_at {
                for c in &mut cold {
                    if let Some(v) = c.via.get().filter(|&v| v >= k) {
                        c.via = OptIndex::of(Some(v + 1));
                    }
                }
            }
            p.cold = cold.into();
        }
        // Rules changed in place: their rows and extras again, in their
        // places (a change in place keeps the cold entry: name and span).
        let mut changed_rows = Vec::new();
        if !ch.rules.is_empty() {
            let mut rows = p.rows.to_vec();
            let mut extras = p.extras.to_vec();
            for r in ch
                .rules
                .iter()
                .filter_map(|id| m.seal_rules.get(id.index()))
            {
                let Some(j) = p.row_of(r) else { continue };
                let (mut row, _, extra) = rule_entry(r, &mut String::new());
                let Some(slot) = rows.get_mut(j) else {
                    continue;
                };
                row.extra = match (extra, slot.extra.get()) {
                    (Some(e), Some(k)) => {
                        if let Some(x) = extras.get_mut(k as usize) {
                            *x = e;
                        }
                        slot.extra
                    }
                    (Some(e), None) => {
                        extras.push(e);
                        OptIndex::of(Some(extras.len() as u32 - 1))
                    }
                    (None, _) => OptIndex::NONE,
                };
                *slot = row;
                changed_rows.push(j);
            }
            p.rows = rows.into();
            p.extras = extras.into();
        }
        for r in ch
            .new_rules
            .iter()
            .filter_map(|id| m.seal_rules.get(id.index()))
        {
            let j = p.insert_rule(r);
            // The rows after it moved up one.
            for x in &mut changed_rows {
                if *x >= j {
                    *x += 1;
                }
            }
            changed_rows.push(j);
        }
        // Flags: of every row when what they are read from changed, else
        // of the rows changed.
        if ch.timelines || ch.forbids {
            let mut rows = p.rows.to_vec();
            p.set_row_flags(&mut rows);
            p.rows = rows.into();
        } else if !changed_rows.is_empty() {
            let mut rows = p.rows.to_vec();
            for &j in &changed_rows {
                if let Some(row) = rows.get_mut(j) {
                    p.settle_row(j, row);
                }
            }
            p.rows = rows.into();
        }
        p
    }

    /// Every part of this policy but its id, model and lines, shared or
    /// copied.
    fn shared_parts(&self) -> Policy {
        Policy {
            id: self.id,
            m: Arc::default(),
            lines: Lines::default(),
            orgs: self.orgs.clone(),
            employees: self.employees.clone(),
            templates: self.templates.clone(),
            roles: self.roles.clone(),
            attrs: self.attrs.clone(),
            own: self.own.clone(),
            rows: self.rows.clone(),
            row_templates: self.row_templates.clone(),
            cold: self.cold.clone(),
            extras: self.extras.clone(),
            labels: self.labels.clone(),
            template_from: self.template_from.clone(),
            seal_from: self.seal_from.clone(),
            emp_order: self.emp_order.clone(),
            emp_rows: self.emp_rows.clone(),
            emp_own: self.emp_own.clone(),
            emp_behalf: self.emp_behalf.clone(),
            forbid_order: self.forbid_order.clone(),
            forbid_by_template: self.forbid_by_template.clone(),
            forbid_by_signer: self.forbid_by_signer.clone(),
            forbid_by_kind: self.forbid_by_kind.clone(),
            forbid_any: self.forbid_any.clone(),
            time_zone: self.time_zone,
        }
    }

    /// The key row `j` sorts by ([`rule_order_key`]).
    fn row_key(&self, j: usize) -> Option<RuleOrderKey<'_>> {
        let (row, cold) = (self.rows.get(j)?, self.cold.get(j)?);
        Some(rule_order_key(
            row.role == RowRole::OWN,
            cold.signer,
            *self.row_templates.get(j)?,
            self.label(cold),
            cold.span,
            &self.lines,
        ))
    }

    /// Seal rule `r`'s key in the rows' order.
    fn key_of<'a>(&self, r: &'a SealRule) -> RuleOrderKey<'a> {
        rule_order_key(
            r.kind == SealRuleKind::Own,
            r.signer,
            r.template,
            r.label.as_deref(),
            r.span,
            &self.lines,
        )
    }

    /// Where seal rule `r` is among the rows, by its key.
    fn row_of(&self, r: &SealRule) -> Option<usize> {
        let key = self.key_of(r);
        let j = self.row_position(&key);
        (self.row_key(j).as_ref() == Some(&key)).then_some(j)
    }

    /// The first row whose key is not less than `key`.
    fn row_position(&self, key: &RuleOrderKey<'_>) -> usize {
        let (mut lo, mut hi) = (0, self.rows.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.row_key(mid).as_ref().is_some_and(|k| k < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Puts new seal rule `r` among the rows, in its place by key; the
    /// runs after it move up one. Its index (its flags are not set).
    fn insert_rule(&mut self, r: &SealRule) -> usize {
        let own_rule = r.kind == SealRuleKind::Own;
        let j = self.row_position(&self.key_of(r));
        let mut labels =
            String::with_capacity(self.labels.len() + r.label.as_ref().map_or(0, |l| l.len()));
        labels.push_str(&self.labels);
        let (mut row, cold, extra) = rule_entry(r, &mut labels);
        if let Some(e) = extra {
            row.extra = OptIndex::of(Some(self.extras.len() as u32));
            self.extras = self
                .extras
                .iter()
                .cloned()
                .chain(std::iter::once(e))
                .collect();
        }
        if r.label.is_some() {
            self.labels = labels.into();
        }
        self.rows = insert_at(&self.rows, j, row);
        self.row_templates = insert_at(&self.row_templates, j, r.template);
        self.cold = insert_at(&self.cold, j, cold);
        // The runs: the rule's own grows by one (or starts), those after
        // it move up one.
        let j32 = j as u32;
        let grow = |run: &mut Run, mine: bool| {
            if mine {
                *run = if run.len == 0 {
                    Run { start: j32, len: 1 }
                } else {
                    Run {
                        start: run.start,
                        len: run.len + 1,
                    }
                };
            } else if run.start >= j32 && run.len > 0 {
                run.start += 1;
            }
        };
        for (t, run) in self.own.iter_mut().enumerate() {
            grow(run, own_rule && t == r.template.index());
        }
        for (id, signer) in self.orgs.values_mut() {
            grow(&mut signer.grants, !own_rule && *id == r.signer);
        }
        j
    }
}

/// `v` with `x` inserted at `at`, in a new shared slice.
fn insert_at<T: Clone>(v: &Arc<[T]>, at: usize, x: T) -> Arc<[T]> {
    let at = at.min(v.len());
    let (a, b) = v.split_at(at);
    a.iter()
        .cloned()
        .chain(std::iter::once(x))
        .chain(b.iter().cloned())
        .collect()
}

/// Gives back the room the checker's pushes left in every buffer (a vector
/// grown by one push holds four): the model lives as long as the policy.
fn shrink(m: &mut Model) {
    for o in &mut m.orgs {
        o.service.shrink_to_fit();
    }
    for s in &mut m.seals {
        s.toggles.shrink_to_fit();
    }
    for t in &mut m.templates {
        t.toggles.shrink_to_fit();
        t.signatories.shrink_to_fit();
    }
    for g in &mut m.groups {
        g.members.shrink_to_fit();
    }
    for r in &mut m.seal_rules {
        r.reseals.shrink_to_fit();
        if let Some(c) = r.cond.as_deref_mut() {
            shrink_condition(c);
        }
    }
    for r in &mut m.employee_rules {
        if let Some(c) = r.cond.as_mut() {
            shrink_condition(c);
        }
    }
    for f in &mut m.forbids {
        if let Some(c) = f.cond.as_mut() {
            shrink_condition(c);
        }
    }
    m.orgs.shrink_to_fit();
    m.employees.shrink_to_fit();
    m.seals.shrink_to_fit();
    m.templates.shrink_to_fit();
    m.groups.shrink_to_fit();
    m.roles.shrink_to_fit();
    m.attributes.shrink_to_fit();
    m.seal_rules.shrink_to_fit();
    m.employee_rules.shrink_to_fit();
    m.forbids.shrink_to_fit();
    m.invites.shrink_to_fit();
}

fn shrink_condition(c: &mut Condition) {
    c.nodes.shrink_to_fit();
    for n in &mut c.nodes {
        match n {
            CondNode::And(v) | CondNode::Or(v) => v.shrink_to_fit(),
            CondNode::In { values, .. } => values.shrink_to_fit(),
            CondNode::Not(_) | CondNode::Cmp { .. } => {}
        }
    }
}

/// A copy of a model but for its seal rules.
pub(crate) fn without_seal_rules(m: &Model) -> Model {
    let Model {
        orgs,
        employees,
        seals,
        templates,
        groups,
        roles,
        attributes,
        seal_rules: _,
        employee_rules,
        forbids,
        invites,
    } = m;
    Model {
        orgs: orgs.clone(),
        employees: employees.clone(),
        seals: seals.clone(),
        templates: templates.clone(),
        groups: groups.clone(),
        roles: roles.clone(),
        attributes: attributes.clone(),
        seal_rules: Vec::new(),
        employee_rules: employee_rules.clone(),
        forbids: forbids.clone(),
        invites: invites.clone(),
    }
}

/// Calls `f` once per run of equal keys in a sorted id list.
fn for_runs<I, K: PartialEq + Copy>(ids: &[I], key: impl Fn(&I) -> K, mut f: impl FnMut(K, Run)) {
    let mut start = 0usize;
    while let Some(first) = ids.get(start) {
        let k = key(first);
        let len = ids
            .get(start..)
            .map_or(0, |rest| rest.iter().take_while(|i| key(i) == k).count());
        f(
            k,
            Run {
                start: start as u32,
                len: len as u32,
            },
        );
        start += len.max(1);
    }
}

/// Rules up to which a policy's rule rows and their templates (36 bytes a
/// rule) take at most about 1 MiB, half the L2 cache of the machine the
/// benches run on: [`Policy::rules_for`] counts a signer's templates
/// rather than walking them.
const CACHED_RULES: usize = 1 << 15;

/// Where `template`'s run is in a signer's sorted `templates`: its start
/// and length. A signer grants few templates: count them (`count`), or
/// walk them; many: search. Counting has no exit to mispredict, but what
/// reads the run's rows then waits for every template loaded; the walk's
/// early exit lets it go on from a predicted branch. With the rule tables
/// in cache, counting was 6% quicker at 1,000 grants; with them in memory,
/// it made p90 and p99 5-10% worse at 1,000,000 (BENCHMARKS.md, run 9).
#[inline]
fn template_run(templates: &[TemplateId], template: TemplateId, count: bool) -> (usize, usize) {
    if templates.len() > 16 {
        let lo = templates.partition_point(|&t| t < template);
        (lo, run_length(templates, lo, template))
    } else if count {
        templates.iter().fold((0, 0), |(lo, len), &t| {
            (
                lo + usize::from(t < template),
                len + usize::from(t == template),
            )
        })
    } else {
        let lo = templates
            .iter()
            .position(|&t| t >= template)
            .unwrap_or(templates.len());
        (lo, run_length(templates, lo, template))
    }
}

/// How many of `templates` from `lo` on are `template` (they are sorted).
fn run_length(templates: &[TemplateId], lo: usize, template: TemplateId) -> usize {
    templates.get(lo..).map_or(0, |rest| {
        rest.iter().take_while(|&&t| t == template).count()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way of finding a template's run (count, walk, search) gives
    /// its start and length, over sorted runs of every length up to 40
    /// with repeats, for templates before, among and after them.
    #[test]
    fn a_template_run_is_found_every_way() {
        for n in 0..40u32 {
            // Sorted, with repeats and gaps: 0, 0, 2, 4, 4, 6, 8, 8, ...
            let templates: Vec<TemplateId> = (0..n).map(|i| TemplateId(i * 2 / 3 * 2)).collect();
            for t in 0..(n * 2 + 2) {
                let t = TemplateId(t);
                let want = (
                    templates.iter().filter(|&&x| x < t).count(),
                    templates.iter().filter(|&&x| x == t).count(),
                );
                assert_eq!(
                    template_run(&templates, t, true),
                    want,
                    "count, {n} templates, {t:?}"
                );
                assert_eq!(
                    template_run(&templates, t, false),
                    want,
                    "walk, {n} templates, {t:?}"
                );
            }
        }
    }
}
