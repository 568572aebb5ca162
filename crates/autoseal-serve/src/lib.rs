//! `autoseal serve`, the decision service, and `autoseal replay`.
//!
//! The contract is the project's `service.md`: decisions, batches and the
//! reports over HTTP; the policy directory reloaded when it changes (a set
//! that does not load never replaces the good one); runtime events checked
//! against the set, appended to a journal `.policy` file and fsync'ed
//! before the answer; a decision log that `replay` re-decides.
//!
//! [`serve`] and [`replay`] return the process exit status; [`Server`]
//! runs a service inside a process (the tests use it) and says the
//! address it is bound to. Built on `tokio`, `hyper`/`axum`, `tower-http`,
//! `notify`, `prometheus-client`, `sha2`, `uuid` and `arc-swap`: the
//! library crate compiles none of them.

mod declog;
mod engine;
mod http;
mod journal;
mod metrics;
mod replay;
mod revision;
mod set;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use arc_swap::ArcSwap;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::sync::{mpsc, oneshot};

pub use declog::LogTarget;
pub use engine::Trigger;
pub use http::fields;
pub use journal::{Fs, JournalIo};
pub use replay::replay;
pub use revision::revision;

use engine::{Shared, Writer};
use set::{build_kept, relative, DiskSet};

/// Exit statuses (cli.md).
pub const OK: u8 = 0;
pub const PROBLEMS: u8 = 1;
pub const CANNOT_RUN: u8 = 2;

/// Request read timeout: headers, then the body, each within this.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// File-watch debounce.
pub const DEBOUNCE: Duration = Duration::from_millis(200);
/// How long a `SIGTERM` waits for requests in flight.
pub const GRACE: Duration = Duration::from_secs(10);

/// What `autoseal serve` is told. The flags of service.md, and the fixed
/// settings (not flags) that a test may shorten.
#[derive(Clone)]
pub struct ServeOptions {
    pub policies: PathBuf,
    /// `HOST:PORT`; port 0 picks a free one (see [`Server::addr`]).
    pub listen: String,
    /// Default `DIR/journal.policy`; must lie inside `DIR`.
    pub journal: Option<PathBuf>,
    pub decision_log: Option<LogTarget>,
    /// Attributes whose values the decision log replaces by `"***"`.
    pub mask: Vec<String>,
    pub admin_token_file: Option<PathBuf>,
    pub read_timeout: Duration,
    pub debounce: Duration,
    pub grace: Duration,
    /// Watch the directory for changes (on by default).
    pub watch: bool,
    /// Handle `SIGTERM`, `SIGINT` (stop) and `SIGHUP` (reload): what a
    /// process does, not a test server inside one.
    pub signals: bool,
    /// The journal's file operations.
    pub journal_io: Arc<dyn JournalIo>,
    /// For the HTTP benchmark only: `/v1/decide` reads the body and
    /// answers these bytes, through the same stack (runtime, router,
    /// layers, revision header), without parsing or deciding: the floor
    /// a decision is compared with (`BENCHMARKS.md`).
    #[doc(hidden)]
    pub floor: Option<Vec<u8>>,
}

impl ServeOptions {
    pub fn new(policies: impl Into<PathBuf>) -> ServeOptions {
        ServeOptions {
            policies: policies.into(),
            listen: String::from("127.0.0.1:8181"),
            journal: None,
            decision_log: None,
            mask: Vec::new(),
            admin_token_file: None,
            read_timeout: READ_TIMEOUT,
            debounce: DEBOUNCE,
            grace: GRACE,
            watch: true,
            signals: false,
            journal_io: Arc::new(Fs),
            floor: None,
        }
    }
}

/// `autoseal serve`'s flags, for a command line to flatten.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// The policy directory.
    #[arg(long, default_value = "policies", value_name = "DIR")]
    pub policies: PathBuf,
    /// Address to listen on (loopback by default: exposing it is a
    /// deliberate act); port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8181", value_name = "ADDR")]
    pub listen: String,
    /// The journal of runtime events (default `DIR/journal.policy`; must
    /// lie inside DIR).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Log every decision as a JSON line to FILE (`-`: standard output).
    #[arg(long, value_name = "FILE|-")]
    pub decision_log: Option<String>,
    /// Attributes whose values the decision log replaces by `"***"`.
    #[arg(long, value_name = "ATTR,...", value_delimiter = ',')]
    pub mask: Vec<String>,
    /// File holding the bearer token for `/v1/events` and `/v1/reload`.
    #[arg(long, value_name = "FILE")]
    pub admin_token_file: Option<PathBuf>,
}

impl ServeArgs {
    pub fn options(&self) -> ServeOptions {
        let mut o = ServeOptions::new(&self.policies);
        o.listen.clone_from(&self.listen);
        o.journal.clone_from(&self.journal);
        o.decision_log = self.decision_log.as_deref().map(LogTarget::parse);
        o.mask.clone_from(&self.mask);
        o.admin_token_file.clone_from(&self.admin_token_file);
        o.signals = true;
        o
    }
}

/// `autoseal replay`'s arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct ReplayArgs {
    /// The decision log (`-`: standard input).
    #[arg(value_name = "LOG")]
    pub log: PathBuf,
    /// The policy directory.
    #[arg(long, default_value = "policies", value_name = "DIR")]
    pub policies: PathBuf,
}

impl ReplayArgs {
    pub fn run(&self) -> u8 {
        replay(&self.log, &self.policies)
    }
}

/// Why the service did not start (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Options(String),
    #[error("the policy set does not load\n{0}")]
    Invalid(String),
    #[error("cannot listen on `{addr}`: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot open the decision log `{path}`: {source}")]
    Log {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot start: {0}")]
    Runtime(std::io::Error),
}

/// Runs the service until `SIGTERM` (or `SIGINT`): the exit status, 0
/// after a clean shutdown, 2 when it cannot start. Logs go to standard
/// error (`RUST_LOG` filters them; default `info`).
pub fn serve(options: ServeOptions) -> u8 {
    init_tracing();
    match Server::start(options) {
        Ok(server) => server.wait(),
        Err(e) => {
            eprintln!("error: {e}");
            CANNOT_RUN
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// A running service.
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<u8>>,
    triggers: mpsc::UnboundedSender<Trigger>,
    warnings: Vec<String>,
}

impl Server {
    /// Checks the options, loads the set (cutting a torn journal line),
    /// binds the address and starts serving on threads of its own.
    pub fn start(o: ServeOptions) -> Result<Server, StartError> {
        let (dir, journal_rel, journal_path) = locate(&o.policies, o.journal.as_deref())?;
        let token = match &o.admin_token_file {
            None => None,
            Some(p) => Some(read_token(p)?),
        };
        let mut warnings = Vec::new();
        match journal::cut_torn(o.journal_io.as_ref(), &journal_path) {
            Ok(None) => {}
            Ok(Some(cut)) => {
                let w = cut.warning(&journal_rel);
                tracing::warn!("{w}");
                warnings.push(w);
            }
            Err(e) => {
                return Err(StartError::Options(format!(
                    "cannot read or repair the journal `{}`: {e}",
                    journal_path.display()
                )))
            }
        }
        let disk = DiskSet::read(&dir).map_err(|e| StartError::Invalid(format!("error: {e}")))?;
        let (snap, kept) =
            build_kept(&disk, &journal_rel, None).map_err(|r| StartError::Invalid(r.text))?;
        for w in snap.warnings.iter() {
            if let Some(m) = w.get("message").and_then(|m| m.as_str()) {
                let file = w.get("file").and_then(|f| f.as_str()).unwrap_or("");
                let line = w.get("line").and_then(|f| f.as_u64()).unwrap_or(0);
                tracing::warn!("{file}:{line}: {m}");
            }
        }
        let log = match &o.decision_log {
            None => None,
            Some(t) => Some(Arc::new(declog::DecisionLog::open(t).map_err(|e| {
                StartError::Log {
                    path: match t {
                        LogTarget::Stdout => String::from("-"),
                        LogTarget::File(p) => p.display().to_string(),
                    },
                    source: e,
                }
            })?)),
        };
        let listener = std::net::TcpListener::bind(&o.listen)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| StartError::Listen {
                addr: o.listen.clone(),
                source: e,
            })?;
        let addr = listener.local_addr().map_err(|e| StartError::Listen {
            addr: o.listen.clone(),
            source: e,
        })?;
        let revision = snap.revision.clone();
        let metrics = metrics::Metrics::new();
        metrics.set_revision(&revision);
        tracing::info!(
            revision = %revision,
            files = snap.files.len(),
            statements = snap.statements,
            "loaded the policy set"
        );
        let shared = Arc::new(Shared {
            dir: dir.clone(),
            journal_path,
            journal_rel,
            live: ArcSwap::from_pointee(snap),
            writer: Arc::new(tokio::sync::Mutex::new(Writer::new(kept))),
            last_reload: Mutex::new(engine::started(&revision)),
            token,
            log,
            mask: o.mask.clone(),
            metrics,
            io: o.journal_io.clone(),
            read_timeout: o.read_timeout,
            floor: o.floor.clone(),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("autoseal-serve")
            .build()
            .map_err(StartError::Runtime)?;
        let (trig_tx, trig_rx) = mpsc::unbounded_channel();
        let watcher = if o.watch {
            watch(&dir, o.debounce, trig_tx.clone())
        } else {
            None
        };
        let (stop_tx, stop_rx) = oneshot::channel();
        let flusher = shared.log.as_ref().map(|l| l.start());
        let thread = std::thread::Builder::new()
            .name(String::from("autoseal-serve"))
            .spawn(move || {
                let signals = o.signals;
                runtime.block_on(run(
                    shared,
                    listener,
                    stop_rx,
                    trig_rx,
                    signals,
                    o.grace,
                    o.read_timeout,
                ));
                drop(watcher);
                runtime.shutdown_timeout(o.grace);
                match flusher.map(declog::Flusher::finish) {
                    Some(Err(e)) => {
                        tracing::error!("lines of the decision log could not be written: {e}");
                        PROBLEMS
                    }
                    _ => OK,
                }
            })
            .map_err(StartError::Runtime)?;
        tracing::info!("listening on http://{addr}");
        Ok(Server {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
            triggers: trig_tx,
            warnings,
        })
    }

    /// The address the service listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What start-up warned of (a cut journal line).
    pub fn startup_warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Asks for a reload, as `SIGHUP` does.
    pub fn reload(&self) {
        let _ = self.triggers.send(Trigger::Signal);
    }

    /// Stops as `SIGTERM` does: no new connections, requests in flight
    /// answered (within the grace period), the decision log flushed. The
    /// exit status.
    pub fn shutdown(mut self) -> u8 {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.join()
    }

    /// Runs until a signal stops the service; the exit status.
    pub fn wait(mut self) -> u8 {
        self.join()
    }

    fn join(&mut self) -> u8 {
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(code)) => code,
            Some(Err(_)) => PROBLEMS,
            None => OK,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.join();
    }
}

/// The directory, the journal's relative path and its path as the walk
/// names it; the journal must lie inside the directory and be a `.policy`.
fn locate(dir: &Path, journal: Option<&Path>) -> Result<(PathBuf, String, PathBuf), StartError> {
    let bad = |m: String| StartError::Options(m);
    let meta =
        std::fs::metadata(dir).map_err(|e| bad(format!("cannot read `{}`: {e}", dir.display())))?;
    if !meta.is_dir() {
        return Err(bad(format!(
            "`{}` is not a directory: the service serves a policy directory",
            dir.display()
        )));
    }
    let Some(journal) = journal else {
        let rel = String::from("journal.policy");
        return Ok((dir.to_path_buf(), rel.clone(), dir.join(rel)));
    };
    let canon_dir = std::fs::canonicalize(dir)
        .map_err(|e| bad(format!("cannot read `{}`: {e}", dir.display())))?;
    let Some(name) = journal.file_name() else {
        return Err(bad(format!(
            "the journal `{}` is not a file name",
            journal.display()
        )));
    };
    if Path::new(name).extension().is_none_or(|e| e != "policy") {
        return Err(bad(format!(
            "the journal `{}` must be a `.policy` file, or the set would not include it",
            journal.display()
        )));
    }
    let parent = match journal.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let canon_parent = std::fs::canonicalize(parent).map_err(|e| {
        bad(format!(
            "the journal's directory `{}` cannot be read: {e}",
            parent.display()
        ))
    })?;
    if !canon_parent.starts_with(&canon_dir) {
        return Err(bad(format!(
            "the journal `{}` must lie inside the policy directory `{}`",
            journal.display(),
            dir.display()
        )));
    }
    if journal.is_dir() {
        return Err(bad(format!(
            "the journal `{}` is a directory",
            journal.display()
        )));
    }
    let rel = relative(&canon_dir, &canon_parent.join(name));
    let path = rel.split('/').fold(dir.to_path_buf(), |p, c| p.join(c));
    Ok((dir.to_path_buf(), rel, path))
}

fn read_token(p: &Path) -> Result<String, StartError> {
    let text = std::fs::read_to_string(p).map_err(|e| {
        StartError::Options(format!(
            "cannot read the admin token file `{}`: {e}",
            p.display()
        ))
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(StartError::Options(format!(
            "the admin token file `{}` is empty",
            p.display()
        )));
    }
    Ok(token.to_owned())
}

/// Watches the directory; each debounced change of a `.policy` file (or
/// of a directory) asks for a reload.
fn watch(
    dir: &Path,
    debounce: Duration,
    tx: mpsc::UnboundedSender<Trigger>,
) -> Option<notify_debouncer_mini::Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>> {
    use notify_debouncer_mini::notify::RecursiveMode;
    let handler = move |res: notify_debouncer_mini::DebounceEventResult| match res {
        Ok(events) => {
            let relevant = events.iter().any(|e| {
                e.path.extension().is_some_and(|x| x == "policy") || e.path.extension().is_none()
            });
            if relevant {
                let _ = tx.send(Trigger::Watch);
            }
        }
        Err(e) => tracing::warn!("file watch: {e}"),
    };
    match notify_debouncer_mini::new_debouncer(debounce, handler) {
        Ok(mut d) => match d.watcher().watch(dir, RecursiveMode::Recursive) {
            Ok(()) => Some(d),
            Err(e) => {
                tracing::warn!(
                    "cannot watch `{}` ({e}): reload with SIGHUP or POST /v1/reload",
                    dir.display()
                );
                None
            }
        },
        Err(e) => {
            tracing::warn!("cannot watch files ({e}): reload with SIGHUP or POST /v1/reload");
            None
        }
    }
}

/// The service's tasks: connections, reloads, signals; returns once
/// stopped and every connection is closed (or the grace period is over).
async fn run(
    shared: Arc<Shared>,
    listener: std::net::TcpListener,
    stop: oneshot::Receiver<()>,
    mut triggers: mpsc::UnboundedReceiver<Trigger>,
    signals: bool,
    grace: Duration,
    read_timeout: Duration,
) {
    let reloader = {
        let shared = shared.clone();
        tokio::spawn(async move {
            while let Some(mut t) = triggers.recv().await {
                // Triggers that queued up meanwhile make one reload.
                while let Ok(more) = triggers.try_recv() {
                    if more != Trigger::Watch {
                        t = more;
                    }
                }
                engine::reload(shared.clone(), t).await;
            }
        })
    };
    let stopped = async move {
        #[cfg(unix)]
        if signals {
            use tokio::signal::unix::{signal, SignalKind};
            if let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) {
                tokio::select! {
                    _ = stop => {}
                    _ = term.recv() => tracing::info!("SIGTERM: stopping"),
                    _ = int.recv() => tracing::info!("SIGINT: stopping"),
                }
                return;
            }
        }
        let _ = signals;
        let _ = stop.await;
    };
    #[cfg(unix)]
    let hup = if signals {
        let shared = shared.clone();
        Some(tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            if let Ok(mut hup) = signal(SignalKind::hangup()) {
                while hup.recv().await.is_some() {
                    tracing::info!("SIGHUP: reloading");
                    engine::reload(shared.clone(), Trigger::Signal).await;
                }
            }
        }))
    } else {
        None
    };
    let app = http::router(shared.clone());
    match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => serve_connections(l, app, stopped, grace, read_timeout).await,
        Err(e) => tracing::error!("cannot listen: {e}"),
    }
    reloader.abort();
    #[cfg(unix)]
    if let Some(h) = hup {
        h.abort();
    }
}

async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    stopped: impl std::future::Future<Output = ()>,
    grace: Duration,
    read_timeout: Duration,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(read_timeout);
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            conn = listener.accept() => {
                let (stream, _) = match conn {
                    Ok(c) => c,
                    Err(e) => {
                        // Out of file descriptors, say: wait, then go on.
                        tracing::warn!("accept: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(app.clone());
                let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                let conn = graceful.watch(conn.into_owned());
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            () = &mut stopped => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!("the grace period is over: closing the connections still open");
        }
    }
}
