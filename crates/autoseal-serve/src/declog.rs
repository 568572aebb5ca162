//! The decision log: one JSON line per decision, buffered in memory and
//! written at least every 100 ms (and at shutdown) by a thread of its own.
//! A line is never dropped: while the log cannot be written, lines that
//! were not written stay buffered (and are retried), and decisions are
//! refused (503) rather than go unlogged.

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often buffered lines are written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// Past this many buffered bytes the writer is woken at once; past
/// [`MAX_BUFFERED`] decisions wait (503) until it catches up.
const WAKE_AT: usize = 1 << 20;
const MAX_BUFFERED: usize = 64 << 20;

/// Where the log goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    Stdout,
    File(std::path::PathBuf),
}

impl LogTarget {
    /// `-` is standard output.
    pub fn parse(s: &str) -> LogTarget {
        if s == "-" {
            LogTarget::Stdout
        } else {
            LogTarget::File(s.into())
        }
    }
}

/// Why a line was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unwritable;

pub struct DecisionLog {
    buf: Mutex<Vec<u8>>,
    out: Mutex<Box<dyn Write + Send>>,
    broken: AtomicBool,
    wake: Mutex<Option<mpsc::Sender<()>>>,
}

impl DecisionLog {
    /// Opens the log for appending (never truncated).
    pub fn open(target: &LogTarget) -> io::Result<DecisionLog> {
        let out: Box<dyn Write + Send> = match target {
            LogTarget::Stdout => Box::new(io::stdout()),
            LogTarget::File(p) => Box::new(open_append(p)?),
        };
        Ok(DecisionLog {
            buf: Mutex::new(Vec::with_capacity(64 * 1024)),
            out: Mutex::new(out),
            broken: AtomicBool::new(false),
            wake: Mutex::new(None),
        })
    }

    /// Whether decisions must be refused now.
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Acquire)
    }

    /// Takes one line (without its newline).
    pub fn push(&self, line: &[u8]) -> Result<(), Unwritable> {
        if self.is_broken() {
            return Err(Unwritable);
        }
        let len = {
            let Ok(mut buf) = self.buf.lock() else {
                return Err(Unwritable);
            };
            if buf.len() > MAX_BUFFERED {
                return Err(Unwritable);
            }
            buf.extend_from_slice(line);
            buf.push(b'\n');
            buf.len()
        };
        if len > WAKE_AT {
            if let Ok(w) = self.wake.lock() {
                if let Some(w) = w.as_ref() {
                    let _ = w.send(());
                }
            }
        }
        Ok(())
    }

    /// Writes every buffered line. On a failure what was not written is
    /// kept, in order, for the next try, and the log is marked broken
    /// until a write succeeds.
    pub fn flush(&self) -> io::Result<()> {
        let Ok(mut out) = self.out.lock() else {
            return Err(io::Error::other("the decision log's lock is poisoned"));
        };
        let pending = match self.buf.lock() {
            Ok(mut b) => std::mem::take(&mut *b),
            Err(_) => return Err(io::Error::other("the decision log's lock is poisoned")),
        };
        let mut written = 0;
        let result = loop {
            let Some(rest) = pending.get(written..) else {
                break Ok(());
            };
            if rest.is_empty() {
                break out.flush();
            }
            match out.write(rest) {
                Ok(0) => break Err(io::Error::new(io::ErrorKind::WriteZero, "wrote nothing")),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        if result.is_err() {
            let rest = pending.get(written..).unwrap_or_default();
            if let Ok(mut b) = self.buf.lock() {
                let newer = std::mem::take(&mut *b);
                let mut all = Vec::with_capacity(rest.len() + newer.len());
                all.extend_from_slice(rest);
                all.extend_from_slice(&newer);
                *b = all;
            }
            if !self.broken.swap(true, Ordering::AcqRel) {
                if let Err(e) = &result {
                    tracing::error!("the decision log cannot be written ({e}): decisions answer 503 until it can");
                }
            }
        } else if self.broken.swap(false, Ordering::AcqRel) {
            tracing::info!("the decision log can be written again");
        }
        result
    }

    /// Starts the thread that writes the log every [`FLUSH_EVERY`]; the
    /// returned handle stops it (after a last flush).
    pub fn start(self: &Arc<Self>) -> Flusher {
        let (tx, rx) = mpsc::channel::<()>();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        if let Ok(mut w) = self.wake.lock() {
            *w = Some(tx);
        }
        let log = Arc::clone(self);
        let thread = std::thread::Builder::new()
            .name(String::from("decision-log"))
            .spawn(move || loop {
                let stop = match stop_rx.try_recv() {
                    Ok(()) | Err(mpsc::TryRecvError::Disconnected) => true,
                    Err(mpsc::TryRecvError::Empty) => false,
                };
                let _ = log.flush();
                if stop {
                    break;
                }
                match rx.recv_timeout(FLUSH_EVERY) {
                    Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => {
                        std::thread::sleep(FLUSH_EVERY);
                    }
                }
            })
            .ok();
        Flusher {
            log: Arc::clone(self),
            stop: stop_tx,
            thread,
        }
    }
}

/// The thread writing the log.
pub struct Flusher {
    log: Arc<DecisionLog>,
    stop: mpsc::Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Flusher {
    /// Stops the thread and writes what is left: `Err` when lines remain
    /// unwritten.
    pub fn finish(mut self) -> io::Result<()> {
        let _ = self.stop.send(());
        if let Ok(mut w) = self.log.wake.lock() {
            // Wakes the thread from its wait.
            if let Some(w) = w.take() {
                let _ = w.send(());
            }
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.log.flush()
    }
}

fn open_append(p: &Path) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(p)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A writer that fails while `fail` is set, taking at most 5 bytes a
    /// call otherwise.
    struct Flaky {
        fail: Arc<AtomicBool>,
        got: Arc<Mutex<Vec<u8>>>,
    }

    impl Write for Flaky {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            if self.fail.load(Ordering::SeqCst) {
                return Err(io::Error::other("disk full"));
            }
            let n = b.len().min(5);
            self.got.lock().unwrap().extend_from_slice(&b[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn no_line_is_lost_while_the_log_cannot_be_written() {
        let fail = Arc::new(AtomicBool::new(true));
        let got = Arc::new(Mutex::new(Vec::new()));
        let log = DecisionLog {
            buf: Mutex::new(Vec::new()),
            out: Mutex::new(Box::new(Flaky {
                fail: fail.clone(),
                got: got.clone(),
            })),
            broken: AtomicBool::new(false),
            wake: Mutex::new(None),
        };
        log.push(b"{\"a\":1}").unwrap();
        assert!(log.flush().is_err());
        assert!(log.is_broken());
        assert_eq!(log.push(b"{\"b\":2}"), Err(Unwritable));
        fail.store(false, Ordering::SeqCst);
        log.flush().unwrap();
        assert!(!log.is_broken());
        log.push(b"{\"c\":3}").unwrap();
        log.flush().unwrap();
        assert_eq!(&*got.lock().unwrap(), b"{\"a\":1}\n{\"c\":3}\n");
    }
}
