//! The desktop's scan history: the tray saves its reports into the database the CLI uses
//! (`zerodock_store::history`, one per user, per engine) and answers the dashboard's History view.
//!
//! **What is saved.** A report is saved when it differs from the last one saved for its engine by
//! what the store's diff reports (a new, fixed or newly waived failure, a category's or the overall
//! score: one rule with `zerodock diff`, so what the History view lists as a change is what `diff`
//! would say), when it reached the engine and the last did not or the other way round, or as a
//! *heartbeat* when the last save of that engine is a day old. Why not every scan: a watcher
//! rescanning every 5 minutes would store ~26,000 scans (~0.9 GB at the measured 35.5 KB each) in
//! 90 days, nearly all identical. Why a daily heartbeat: the chart then has a point a day on a
//! quiet host (a flat line, not a gap), and "since yesterday" has a scan to compare with; it costs
//! 90 × 35.5 KB ≈ 3 MB per engine.
//!
//! **Where the work runs.** SQLite calls block (a save is ~15 ms, and waits up to 30 s while the
//! CLI writes), so one thread does the database work and takes jobs in order; the tray's event loop
//! only sends. Opening moves a damaged database aside (the store's recovery) and the tray tells the
//! user in the app ([`HistoryStatus::recovered`]); a database that cannot be used at all turns the
//! history off with the reason, never the tray.
//!
//! **Open only while used.** The database is opened at start (to say whether the history works),
//! then for each save, list or diff, and closed after: a save happens on a change or once a day, a
//! list when the History view or the Overview's trend asks. An open connection kept all day would
//! hold SQLite's page cache (up to 2 MB once the open's `quick_check` read the file), its
//! statements and the WAL index mapping in a process meant to stay small. Reopening costs a few
//! milliseconds (the `quick_check` of a 90-day history) per save; an unchanged scan — most scans —
//! is compared with the last saved one kept in memory and opens nothing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::oneshot;
use zerodock_engine::Report;
use zerodock_store::history::{self, History, engine_key};
/// The history's types the History view shows (the store's, re-exported so the dashboard needs
/// no dependency of its own on the store).
pub use zerodock_store::history::{
    CategoryChange, CategoryPoint, ScanDiff, ScanId, ScanSummary, ScoreChange, WaivedFinding, diff,
};

use crate::error::CommandError;
use crate::model::{HistoryList, HistoryStatus};

/// Overrides the database file (the CLI's `ZERODOCK_HISTORY`: the tests use a private one).
pub const PATH_ENV: &str = "ZERODOCK_HISTORY";
/// Overrides the retention in days (the CLI's `ZERODOCK_HISTORY_DAYS`; `0` keeps everything).
pub const DAYS_ENV: &str = "ZERODOCK_HISTORY_DAYS";
/// An unchanged scan is still saved when the engine's last save is this old.
pub const HEARTBEAT: Duration = Duration::from_secs(24 * 60 * 60);
/// The most scans one list request returns (90 days of changes and heartbeats fit easily).
pub const MAX_LIST: usize = 2000;

/// Why a report was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveReason {
    /// The first scan of this engine in the history.
    First,
    /// It differs from the last saved scan (the store's diff is not empty, or the engine was
    /// reached by one and not the other).
    Changed,
    /// Nothing changed, but the last save is [`HEARTBEAT`] old.
    Heartbeat,
}

/// The last saved scan of one engine, what the next report is compared with.
#[derive(Debug, Clone)]
pub struct LastSaved {
    /// The report as saved, or a later one that differs from it by nothing [`should_save`] looks
    /// at: the tray keeps the newest (the one its state shares) rather than a second copy.
    pub report: Arc<Report>,
    /// When the saved report was made (the heartbeat counts from it).
    pub saved_at: chrono::DateTime<Utc>,
}

impl LastSaved {
    /// `report`, just saved.
    pub fn of(report: Arc<Report>) -> LastSaved {
        LastSaved { saved_at: report.generated_at, report }
    }
}

/// Whether `report` is worth saving after `last` (see the module docs); `None`: skip it.
pub fn should_save(last: Option<&LastSaved>, report: &Report) -> Option<SaveReason> {
    let Some(last) = last else { return Some(SaveReason::First) };
    let reached = |r: &Report| r.subject.engine.is_some();
    if reached(&last.report) != reached(report) || !history::diff(&last.report, report).is_empty() {
        return Some(SaveReason::Changed);
    }
    let age = report.generated_at.signed_duration_since(last.saved_at);
    (age.to_std().unwrap_or_default() >= HEARTBEAT).then_some(SaveReason::Heartbeat)
}

/// The retention: `ZERODOCK_HISTORY_DAYS`, else the store's default (90 days); `0` keeps all.
pub fn retention_from_env() -> u32 {
    std::env::var(DAYS_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(history::DEFAULT_RETENTION_DAYS)
}

/// The database file: `ZERODOCK_HISTORY`, else the store's per-user default.
pub fn path_from_env() -> Result<PathBuf, String> {
    match std::env::var_os(PATH_ENV).filter(|v| !v.is_empty()) {
        Some(path) => Ok(PathBuf::from(path)),
        None => History::default_path().map_err(|e| e.to_string()),
    }
}

type Job = Box<dyn FnOnce(&mut Worker) + Send>;

/// The tray's handle on the history thread. Cheap to clone; every call is queued in order.
#[derive(Clone)]
pub struct Recorder {
    jobs: std_mpsc::Sender<Job>,
}

struct Worker {
    /// The database file, while the history is usable (`None`: off, `status.error` says why).
    path: Option<PathBuf>,
    status: HistoryStatus,
    retention_days: u32,
    last: HashMap<String, LastSaved>,
    on_status: Box<dyn Fn(HistoryStatus) + Send>,
}

impl Recorder {
    /// Starts the history thread on `path` (opened there, so a slow or damaged file never holds
    /// the tray's start). `on_status` is called with the status once the file is open, and after
    /// every save (its `revision` tells the History view to read the list again).
    pub fn start(
        path: Result<PathBuf, String>,
        retention_days: u32,
        on_status: impl Fn(HistoryStatus) + Send + 'static,
    ) -> Recorder {
        let (jobs, rx) = std_mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new().name("history".into()).spawn(move || {
            let mut worker = Worker {
                path: None,
                status: HistoryStatus::default(),
                retention_days,
                last: HashMap::new(),
                on_status: Box::new(on_status),
            };
            worker.open(path);
            while let Ok(job) = rx.recv() {
                job(&mut worker);
            }
        });
        if let Err(e) = spawned {
            tracing::warn!("no history thread ({e}): scans are not saved");
        }
        Recorder { jobs }
    }

    fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Worker) -> T + Send + 'static,
    ) -> oneshot::Receiver<T> {
        let (tx, rx) = oneshot::channel();
        let _ = self.jobs.send(Box::new(move |w: &mut Worker| {
            let _ = tx.send(job(w));
        }));
        rx
    }

    /// Saves `report` when it is worth it ([`should_save`]), then applies the retention. Does not
    /// wait.
    pub fn record(&self, report: Arc<Report>) {
        let _ = self.jobs.send(Box::new(move |w: &mut Worker| w.record(report)));
    }

    /// The saved scans of `engine` (all engines: `None`), newest first, at most `limit`.
    pub async fn list(&self, engine: Option<String>, limit: usize) -> Result<HistoryList, CommandError> {
        self.run(move |w| w.list(engine, limit)).await.unwrap_or_else(|_| Err(gone()))
    }

    /// What changed from scan `from` to scan `to` (`None`: the newest saved scan of `from`'s
    /// engine): the store's diff, the rule `zerodock diff` applies.
    pub async fn diff(&self, from: ScanId, to: Option<ScanId>) -> Result<ScanDiff, CommandError> {
        self.run(move |w| w.diff(from, to)).await.unwrap_or_else(|_| Err(gone()))
    }

    /// Waits until every job queued before this call is done (tests, and a clean quit).
    pub async fn flush(&self) {
        let _ = self.run(|_| ()).await;
    }
}

fn gone() -> CommandError {
    CommandError::internal("The history thread stopped: restart ZeroDock.")
}

fn unavailable(status: &HistoryStatus) -> CommandError {
    CommandError::internal(match &status.error {
        Some(e) => format!("The scan history is off: {e}"),
        None => "The scan history is still opening.".to_owned(),
    })
}

impl Worker {
    /// The first open, at start: says whether the history works (and whether a damaged file was
    /// moved aside), then closes the database again.
    fn open(&mut self, path: Result<PathBuf, String>) {
        let path = match path {
            Ok(path) => path,
            Err(e) => {
                self.status.error = Some(e);
                self.publish();
                return;
            }
        };
        self.status.path = Some(path.display().to_string());
        self.path = Some(path);
        if self.connect().is_ok() {
            self.status.available = true;
            self.publish();
        }
    }

    /// Opens the database for one job (the caller drops it when done). A file damaged since is
    /// moved aside as at start and the user told; a file that cannot be opened any more turns the
    /// history off with the reason.
    fn connect(&mut self) -> Result<History, CommandError> {
        let Some(path) = self.path.as_ref() else { return Err(unavailable(&self.status)) };
        match History::open(path) {
            Ok((history, recovery)) => {
                if let Some(recovery) = recovery {
                    tracing::warn!("{recovery}");
                    self.status.recovered = Some(recovery.to_string());
                    if self.status.available {
                        self.publish();
                    }
                }
                Ok(history)
            }
            Err(e) => {
                tracing::warn!("scan history off: {e}");
                self.path = None;
                self.status.available = false;
                self.status.error = Some(e.to_string());
                self.publish();
                Err(unavailable(&self.status))
            }
        }
    }

    fn publish(&self) {
        (self.on_status)(self.status.clone());
    }

    fn last_saved(&mut self, history: &History, engine: &str) -> Option<&LastSaved> {
        if !self.last.contains_key(engine) {
            let newest = history.list(Some(engine), 1).ok()?.into_iter().next()?;
            match history.get(newest.id) {
                Ok(report) => {
                    self.last.insert(engine.to_owned(), LastSaved::of(Arc::new(report)));
                }
                Err(e) => {
                    tracing::warn!("scan {} cannot be read back ({e}): saving the next scan", newest.id)
                }
            }
        }
        self.last.get(engine)
    }

    fn record(&mut self, report: Arc<Report>) {
        if self.path.is_none() {
            return;
        }
        let engine = engine_key(&report).to_owned();
        // Most scans change nothing: compared with the last save in memory, they open nothing, and
        // the newer report replaces the one kept (the tray's state holds it anyway; the one read
        // back from the file at start would be a second copy all day).
        if let Some(last) = self.last.get_mut(&engine)
            && should_save(Some(last), &report).is_none()
        {
            last.report = report;
            return;
        }
        let Ok(mut history) = self.connect() else { return };
        let Some(reason) = should_save(self.last_saved(&history, &engine), &report) else {
            if let Some(last) = self.last.get_mut(&engine) {
                last.report = report;
            }
            return;
        };
        match history.save(&report) {
            Ok(id) => {
                tracing::info!(scan = %id, engine = %engine, ?reason, score = report.score, "scan saved");
                self.last.insert(engine, LastSaved::of(report));
                self.status.revision = self.status.revision.wrapping_add(1);
                self.status.last_saved = Some(Utc::now());
            }
            Err(e) => {
                tracing::warn!("the scan was not saved: {e}");
                return;
            }
        }
        if self.retention_days > 0 {
            let keep = Duration::from_secs(u64::from(self.retention_days) * 24 * 60 * 60);
            match history.prune(keep, Utc::now()) {
                Ok(0) => {}
                Ok(n) => tracing::info!(scans = n, days = self.retention_days, "old scans deleted"),
                Err(e) => tracing::warn!("old scans not deleted: {e}"),
            }
        }
        self.publish();
    }

    fn list(&mut self, engine: Option<String>, limit: usize) -> Result<HistoryList, CommandError> {
        let history = self.connect()?;
        let scans: Vec<ScanSummary> = history
            .list(engine.as_deref(), limit.clamp(1, MAX_LIST))
            .map_err(|e| CommandError::internal(e.to_string()))?;
        let engines = history.engines().map_err(|e| CommandError::internal(e.to_string()))?;
        Ok(HistoryList { engine, scans, engines, retention_days: self.retention_days })
    }

    fn diff(&mut self, from: ScanId, to: Option<ScanId>) -> Result<ScanDiff, CommandError> {
        let history = self.connect()?;
        let read = |id: ScanId| history.get(id).map_err(|e| CommandError::invalid_argument(e.to_string()));
        let before = read(from)?;
        let to = match to {
            Some(id) => id,
            None => {
                let engine = engine_key(&before);
                let newest = history
                    .list(Some(engine), 1)
                    .map_err(|e| CommandError::internal(e.to_string()))?
                    .into_iter()
                    .next()
                    .ok_or_else(|| CommandError::invalid_argument(format!("no scan of {engine} is saved")))?;
                newest.id
            }
        };
        let after = read(to)?;
        Ok(history::diff(&before, &after))
    }
}

#[cfg(test)]
mod tests;
