//! `/metrics`: Prometheus text (the OpenMetrics exposition, which
//! Prometheus scrapes), from `prometheus-client`. One registry per server:
//! no global state, so several servers in one process (the tests) each
//! count their own.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DecisionLabels {
    pub decision: &'static str,
    /// The first reason's code; empty for an auto-seal.
    pub code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabels {
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RevisionLabels {
    pub revision: String,
}

pub struct Metrics {
    registry: Registry,
    pub decisions: Family<DecisionLabels, Counter>,
    pub latency: Histogram,
    pub reloads: Family<ResultLabels, Counter>,
    pub events: Family<ResultLabels, Counter>,
    pub journal_appends: Counter,
    pub revision: Family<RevisionLabels, Gauge>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("autoseal");
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "decisions",
            "Decisions made, by decision and first reason code",
            decisions.clone(),
        );
        // 1 µs to about 4 s.
        let latency = Histogram::new(exponential_buckets(1e-6, 2.0, 23));
        registry.register(
            "decision_latency_seconds",
            "Time to read, decide and render one request",
            latency.clone(),
        );
        let reloads = Family::<ResultLabels, Counter>::default();
        registry.register(
            "reloads",
            "Reload attempts, by result (ok, refused, unchanged)",
            reloads.clone(),
        );
        let events = Family::<ResultLabels, Counter>::default();
        registry.register(
            "events",
            "Events posted, by result (applied, repeated, conflict, refused, unavailable)",
            events.clone(),
        );
        let journal_appends = Counter::default();
        registry.register(
            "journal_appends",
            "Events appended to the journal",
            journal_appends.clone(),
        );
        let revision = Family::<RevisionLabels, Gauge>::default();
        registry.register(
            "policy_revision",
            "The revision of the policy set in use (value 1)",
            revision.clone(),
        );
        Metrics {
            registry,
            decisions,
            latency,
            reloads,
            events,
            journal_appends,
            revision,
        }
    }

    pub fn set_revision(&self, revision: &str) {
        self.revision.clear();
        self.revision
            .get_or_create(&RevisionLabels {
                revision: revision.to_owned(),
            })
            .set(1);
    }

    pub fn count(family: &Family<ResultLabels, Counter>, result: &'static str) {
        family.get_or_create(&ResultLabels { result }).inc();
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
