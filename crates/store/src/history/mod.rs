//! Scan history: every saved report in an embedded SQLite database, one per user, kept per engine,
//! with retention and what changed between two scans (docs/history.md).
//!
//! - [`History::open`] opens (or creates) the database, migrates it, and moves a damaged one aside
//!   (renamed with a timestamp, never deleted), telling the caller with a [`Recovery`].
//! - Reports are stored whole and compactly: deflate-compressed JSON with each check's catalogue
//!   prose kept once in a table of its own (`codec`), which measured 4–10× smaller than one row
//!   per finding (figures in docs/history.md).
//! - Two processes (the desktop app and the CLI) may write at once: WAL journal, a busy timeout,
//!   and write transactions that take the write lock up front.

mod codec;
mod diff;
mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zerodock_engine::{Category, Counts, Grade, Report};

pub use diff::{CategoryChange, ScanDiff, ScoreChange, WaivedFinding};
pub use schema::SCHEMA_VERSION;

/// How long scans are kept unless the user says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// How long a writer waits for another process's write to finish. Saving a scan takes
/// milliseconds, so waiting this long means something is stuck, not busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The database's file name inside the data directory.
const FILE_NAME: &str = "history.sqlite";

/// What can go wrong with the history.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// SQLite failed: I/O, a lock held past the busy timeout, a read-only file…
    #[error("history database {}: {source}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// A file operation around the database failed (its directory, moving a damaged one aside).
    #[error("history database {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The database was written by a newer ZeroDock; it is left alone, not moved aside.
    #[error(
        "history database {} has schema version {found}, this ZeroDock knows up to {known}: use a newer ZeroDock, or point --history elsewhere",
        path.display()
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The version found.
        found: u32,
        /// The newest version this build knows.
        known: u32,
    },
    /// A database was moved aside as damaged and the new one could not be used either.
    #[error("history database {}: moved aside as damaged, and the new one failed too: {reason}", path.display())]
    StillDamaged {
        /// The database file.
        path: PathBuf,
        /// Why the new one failed.
        reason: String,
    },
    /// No scan has this id.
    #[error("no scan {0} in the history: `zerodock history` lists them")]
    NoSuchScan(ScanId),
    /// A stored report could not be read back (the row is damaged, or written by a newer build).
    #[error("scan {id} cannot be read back: {detail}")]
    Decode {
        /// The scan.
        id: ScanId,
        /// What failed.
        detail: String,
    },
    /// A report could not be encoded for storage.
    #[error("the report cannot be stored: {0}")]
    Encode(String),
    /// The platform names no data directory (no home directory).
    #[error("no data directory to keep the history in (is HOME set?): point --history at a file")]
    NoDataDir,
}

/// A saved scan's id: the row id, increasing in the order scans were saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ScanId(pub i64);

impl std::fmt::Display for ScanId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for ScanId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().trim_start_matches('#').parse().map(ScanId)
    }
}

/// One line of the history: what `zerodock history` and the app's list show, read without
/// decoding the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ScanSummary {
    /// The scan's id.
    // A row id stays far below 2^53, so a JavaScript number holds it exactly.
    #[ts(type = "number")]
    pub id: ScanId,
    /// When it was evaluated (the report's `generated_at`).
    pub scanned_at: DateTime<Utc>,
    /// The engine's key, see [`engine_key`].
    pub engine: String,
    /// The engine host's name, when the engine answered (for display only: it is not the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_name: Option<String>,
    /// Whether the scan reached the engine; one that did not knows no containers.
    pub reached_engine: bool,
    /// Overall score.
    pub score: Option<u8>,
    /// Overall grade.
    pub grade: Grade,
    /// The report's counts.
    pub counts: Counts,
    /// Each category's score and grade, in checklist order; empty for scans saved by a ZeroDock
    /// older than schema version 2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<CategoryPoint>,
}

/// One category's score in a saved scan: what the app's chart draws per category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CategoryPoint {
    /// The category.
    pub category: Category,
    /// Its score (`None`: no check of it applied).
    pub score: Option<u8>,
    /// Its grade.
    pub grade: Grade,
}

impl CategoryPoint {
    /// The points of a report.
    pub fn of(report: &Report) -> Vec<CategoryPoint> {
        report
            .categories
            .iter()
            .map(|c| CategoryPoint { category: c.category, score: c.score, grade: c.grade })
            .collect()
    }
}

/// A damaged database that was moved aside when the history was opened: tell the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    /// Where the damaged file now is (its `-wal` and `-shm`, if any, beside it with those
    /// suffixes, so `sqlite3` opens the three together).
    pub moved_to: PathBuf,
    /// What was wrong with it.
    pub reason: String,
}

impl std::fmt::Display for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the history database was damaged ({}): it was moved to {} and a new one started",
            self.reason,
            self.moved_to.display()
        )
    }
}

/// The key scans are kept under: the Docker endpoint the scan went through
/// (`subject.endpoint.host`, e.g. `unix:///var/run/docker.sock`).
///
/// Why the endpoint: it is known even when the engine is down (so a failed scan still lands under
/// its engine), it is what the user chooses (`--host`, `DOCKER_HOST`, a context) and so what the
/// CLI can name before scanning (`diff`'s default), and it does not change when the engine host
/// is renamed or the daemon is reinstalled. The engine's host name is kept beside it for display.
pub fn engine_key(report: &Report) -> &str {
    &report.subject.endpoint.host
}

/// The history database.
#[derive(Debug)]
pub struct History {
    conn: Connection,
    path: PathBuf,
}

/// Why opening failed: damage is recovered from, anything else is reported.
enum OpenError {
    Damaged(String),
    Other(Error),
}

impl History {
    /// The per-user database: `history.sqlite` in ZeroDock's data directory —
    /// `$XDG_DATA_HOME/zerodock` (else `~/.local/share/zerodock`) on Linux,
    /// `~/Library/Application Support/zerodock` on macOS, `%APPDATA%\zerodock` on Windows.
    pub fn default_path() -> Result<PathBuf, Error> {
        dirs::data_dir().map(|d| d.join("zerodock").join(FILE_NAME)).ok_or(Error::NoDataDir)
    }

    /// Opens the database at `path`, creating it (and its directory) when absent and migrating it
    /// to [`SCHEMA_VERSION`]. A file that is not a database or is damaged is moved aside (renamed
    /// with a timestamp, never deleted) and a new one created; the [`Recovery`] says so, for the
    /// caller to tell the user. A database from a newer ZeroDock is an error, left untouched.
    pub fn open(path: impl AsRef<Path>) -> Result<(History, Option<Recovery>), Error> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_owned(), source })?;
        }
        let reason = match Self::try_open_patiently(path) {
            Ok(history) => return Ok((history, None)),
            Err(OpenError::Other(e)) => return Err(e),
            Err(OpenError::Damaged(reason)) => reason,
        };
        // Another process may have found the same damage and replaced the file already: look
        // again before moving anything, so a fresh database is never moved aside.
        let reason = match Self::try_open(path) {
            Ok(history) => return Ok((history, None)),
            Err(OpenError::Other(e)) => return Err(e),
            Err(OpenError::Damaged(_)) => reason,
        };
        tracing::warn!(path = %path.display(), %reason, "history database damaged: moving it aside");
        let moved_to = move_aside(path)?;
        match Self::try_open(path) {
            Ok(history) => Ok((history, Some(Recovery { moved_to, reason }))),
            Err(OpenError::Other(e)) => Err(e),
            Err(OpenError::Damaged(reason)) => Err(Error::StillDamaged { path: path.to_owned(), reason }),
        }
    }

    /// [`Self::try_open`], again while another process holds a lock the busy timeout does not
    /// cover: SQLite answers `SQLITE_BUSY` at once, without calling the busy handler, when the
    /// file is switched to WAL or its WAL index rebuilt while another connection opens it (seen
    /// in about one run in five of two processes opening a new history together).
    fn try_open_patiently(path: &Path) -> Result<History, OpenError> {
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let mut pause = Duration::from_millis(2);
        loop {
            match Self::try_open(path) {
                Err(OpenError::Other(Error::Sqlite { source, .. }))
                    if matches!(
                        source.sqlite_error_code(),
                        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }

    fn try_open(path: &Path) -> Result<History, OpenError> {
        let classify = |source: rusqlite::Error| match source.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                OpenError::Damaged(source.to_string())
            }
            _ => OpenError::Other(Error::Sqlite { path: path.to_owned(), source }),
        };
        let conn = Connection::open(path).map_err(classify)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(classify)?;
        // WAL: readers never block the writer and the writer never blocks readers, so the app's
        // list stays responsive while the CLI saves. It is a property of the file, kept once set.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(classify)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::debug!(%mode, "history database is not in WAL mode (a file system without shared memory?)");
        }
        // quick_check reads every page once (milliseconds for a 90-day history) and catches damage
        // that would otherwise surface in the middle of a save.
        let check: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)).map_err(classify)?;
        if check != "ok" {
            return Err(OpenError::Damaged(check));
        }
        let mut history = History { conn, path: path.to_owned() };
        match schema::migrate(&mut history.conn) {
            Ok(()) => Ok(history),
            Err(schema::MigrateError::TooNew(found)) => {
                Err(OpenError::Other(Error::TooNew { path: path.to_owned(), found, known: SCHEMA_VERSION }))
            }
            Err(schema::MigrateError::Sqlite(e)) => Err(classify(e)),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sqlite(&self, source: rusqlite::Error) -> Error {
        Error::Sqlite { path: self.path.clone(), source }
    }

    /// Saves a report; returns its id.
    pub fn save(&mut self, report: &Report) -> Result<ScanId, Error> {
        let encoded = codec::encode(report)?;
        let counts = serde_json::to_string(&report.counts).map_err(|e| Error::Encode(e.to_string()))?;
        let categories =
            serde_json::to_string(&CategoryPoint::of(report)).map_err(|e| Error::Encode(e.to_string()))?;
        let at = report.generated_at.timestamp_millis();
        let path = self.path.clone();
        let sqlite = |source| Error::Sqlite { path: path.clone(), source };
        // IMMEDIATE takes the write lock now, under the busy timeout; a deferred transaction that
        // reads first and then writes would fail at once with SQLITE_BUSY when another process
        // wrote in between, which is how a scan gets lost.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite)?;
        {
            let mut text = tx
                .prepare_cached(
                    "INSERT INTO check_texts (hash, text, last_used) VALUES (?1, ?2, ?3)
                     ON CONFLICT (hash) DO UPDATE SET last_used = max(last_used, excluded.last_used)",
                )
                .map_err(sqlite)?;
            for (hash, json) in &encoded.texts {
                text.execute(params![hash, json, at]).map_err(sqlite)?;
            }
        }
        tx.execute(
            "INSERT INTO scans (engine, engine_name, reached_engine, scanned_at, score, grade, counts,
                                report_encoding, report, categories)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                engine_key(report),
                report.subject.engine.as_ref().map(|e| e.name.as_str()),
                report.subject.engine.is_some(),
                at,
                report.score,
                report.grade.as_str(),
                counts,
                codec::ENCODING,
                encoded.blob,
                categories,
            ],
        )
        .map_err(sqlite)?;
        let id = ScanId(tx.last_insert_rowid());
        tx.commit().map_err(sqlite)?;
        Ok(id)
    }

    /// The newest scans first, of one engine or of all, at most `limit` of them.
    pub fn list(&self, engine: Option<&str>, limit: usize) -> Result<Vec<ScanSummary>, Error> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, scanned_at, engine, engine_name, reached_engine, score, grade, counts, categories FROM scans
                 WHERE ?1 IS NULL OR engine = ?1 ORDER BY scanned_at DESC, id DESC LIMIT ?2",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt.query_map(params![engine, limit], summary_row).map_err(|e| self.sqlite(e))?;
        rows.map(|r| r.map_err(|e| self.sqlite(e)).and_then(std::convert::identity)).collect()
    }

    /// The engines with scans, most recently scanned first.
    pub fn engines(&self) -> Result<Vec<String>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT engine FROM scans GROUP BY engine ORDER BY max(scanned_at) DESC")
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.sqlite(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.sqlite(e))
    }

    /// One scan's summary.
    pub fn summary(&self, id: ScanId) -> Result<ScanSummary, Error> {
        self.conn
            .query_row(
                "SELECT id, scanned_at, engine, engine_name, reached_engine, score, grade, counts, categories FROM scans
                 WHERE id = ?1",
                [id.0],
                summary_row,
            )
            .optional()
            .map_err(|e| self.sqlite(e))?
            .ok_or(Error::NoSuchScan(id))?
    }

    /// A saved report, exactly as it was saved.
    pub fn get(&self, id: ScanId) -> Result<Report, Error> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row("SELECT report_encoding, report FROM scans WHERE id = ?1", [id.0], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(|e| self.sqlite(e))?;
        let (encoding, blob) = row.ok_or(Error::NoSuchScan(id))?;
        if encoding != codec::ENCODING {
            return Err(Error::Decode { id, detail: format!("unknown report encoding {encoding}") });
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT text FROM check_texts WHERE hash = ?1")
            .map_err(|e| self.sqlite(e))?;
        let mut lookup = |hash: &str| -> Result<Option<String>, rusqlite::Error> {
            stmt.query_row([hash], |r| r.get(0)).optional()
        };
        codec::decode(&blob, &mut lookup).map_err(|detail| Error::Decode { id, detail })
    }

    /// The last two scans of `engine` that reached it, older first — what `zerodock diff` compares
    /// by default. A scan that could not read the engine knows no containers, so comparing with
    /// it would call every failure fixed (or new): the rule of the engine's `Baseline`.
    pub fn latest_two(&self, engine: &str) -> Result<Option<(ScanSummary, ScanSummary)>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, scanned_at, engine, engine_name, reached_engine, score, grade, counts, categories FROM scans
                 WHERE engine = ?1 AND reached_engine ORDER BY scanned_at DESC, id DESC LIMIT 2",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt.query_map([engine], summary_row).map_err(|e| self.sqlite(e))?;
        let mut two = rows
            .map(|r| r.map_err(|e| self.sqlite(e)).and_then(std::convert::identity))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(match (two.pop(), two.pop()) {
            (Some(older), Some(newer)) => Some((older, newer)),
            _ => None,
        })
    }

    /// Deletes the scans evaluated before `now - older_than` and the catalogue texts only they
    /// used; returns how many scans went. The freed pages are reused by later scans.
    pub fn prune(&mut self, older_than: Duration, now: DateTime<Utc>) -> Result<usize, Error> {
        let older_than = chrono::Duration::from_std(older_than).unwrap_or(chrono::Duration::MAX);
        let cutoff = now.checked_sub_signed(older_than).map_or(i64::MIN, |t| t.timestamp_millis());
        let path = self.path.clone();
        let sqlite = |source| Error::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite)?;
        let deleted = tx.execute("DELETE FROM scans WHERE scanned_at < ?1", [cutoff]).map_err(sqlite)?;
        // A text's last_used is the newest scan that referenced it, so when that is older than
        // the cutoff every scan that used it has just been deleted.
        tx.execute("DELETE FROM check_texts WHERE last_used < ?1", [cutoff]).map_err(sqlite)?;
        tx.commit().map_err(sqlite)?;
        Ok(deleted)
    }

    /// How many scans are kept, of one engine or of all.
    pub fn count(&self, engine: Option<&str>) -> Result<usize, Error> {
        self.conn
            .query_row("SELECT count(*) FROM scans WHERE ?1 IS NULL OR engine = ?1", [engine], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(|e| self.sqlite(e))
    }
}

/// What changed from `before` to `after`; see [`ScanDiff`].
pub fn diff(before: &Report, after: &Report) -> ScanDiff {
    diff::diff(before, after)
}

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<ScanSummary, Error>> {
    let id = ScanId(r.get(0)?);
    let millis: i64 = r.get(1)?;
    let grade: String = r.get(6)?;
    let counts: String = r.get(7)?;
    let categories: Option<String> = r.get(8)?;
    let decoded = (|| {
        let scanned_at = Utc.timestamp_millis_opt(millis).single().ok_or("time out of range".to_owned())?;
        let grade: Grade =
            serde_json::from_value(serde_json::Value::String(grade)).map_err(|e| format!("grade: {e}"))?;
        let counts: Counts = serde_json::from_str(&counts).map_err(|e| format!("counts: {e}"))?;
        let categories: Vec<CategoryPoint> = match categories {
            Some(text) => serde_json::from_str(&text).map_err(|e| format!("categories: {e}"))?,
            None => Vec::new(),
        };
        Ok::<_, String>((scanned_at, grade, counts, categories))
    })();
    let engine: String = r.get(2)?;
    let engine_name: Option<String> = r.get(3)?;
    let reached_engine: bool = r.get(4)?;
    let score: Option<u8> = r.get(5)?;
    Ok(decoded.map_err(|detail| Error::Decode { id, detail }).map(
        |(scanned_at, grade, counts, categories)| ScanSummary {
            id,
            scanned_at,
            engine,
            engine_name,
            reached_engine,
            score,
            grade,
            counts,
            categories,
        },
    ))
}

/// Renames a damaged database and its `-wal`/`-shm` companions to `<name>.corrupt-<UTC time>`
/// (plus `-wal`/`-shm`): kept for recovery with `sqlite3 .recover`, out of the way of the new
/// one. A stale WAL left beside the new database would be offered to it, so it moves too.
fn move_aside(path: &Path) -> Result<PathBuf, Error> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| FILE_NAME.into());
    let mut target = path.with_file_name(format!("{name}.corrupt-{stamp}"));
    let mut n = 1;
    while target.exists() {
        n += 1;
        target = path.with_file_name(format!("{name}.corrupt-{stamp}-{n}"));
    }
    match std::fs::rename(path, &target) {
        Ok(()) => {}
        // Another process moved it first: nothing of ours to keep.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(target),
        Err(source) => return Err(Error::Io { path: path.to_owned(), source }),
    }
    for suffix in ["-wal", "-shm"] {
        let from = with_suffix(path, suffix);
        if from.exists() {
            std::fs::rename(&from, with_suffix(&target, suffix))
                .map_err(|source| Error::Io { path: from, source })?;
        }
    }
    Ok(target)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

#[cfg(test)]
mod tests;
