//! The local vulnerability database: OSV records imported from an ecosystem export (`all.zip`), indexed in SQLite.
//!
//! One file (`vulndb.sqlite` in the OS data directory). Every import or update writes a new file
//! beside it and renames it over the old one, so a failed or interrupted import (a corrupt zip, a
//! truncated download) leaves the database as it was. Matching reads one index
//! (`affected(ecosystem, package)`) and evaluates the ranges in Rust with the ecosystem's own
//! version ordering ([`crate::version`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use zerodock_engine::snapshot::{VulnDatabase, VulnSeverity, VulnSource};

mod import;
mod matching;
mod schema;
mod update;

pub use update::{UpdateOptions, UpdateOutcome};

/// What went wrong with the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// SQLite failed (the file is not a database, the disk is full…).
    #[error("vulnerability database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The export is not a readable zip, or one of its entries cannot be read (the old database is kept).
    #[error("{path} is not a readable OSV export: {reason}")]
    CorruptExport {
        /// The zip file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// The database was written by a newer ZeroDock (schema version above what this build knows).
    #[error("vulnerability database {path} has schema version {found}; this ZeroDock knows up to {known}")]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// The installed version does not parse under its ecosystem's ordering: matching it would be a guess.
    #[error("version {version:?} does not parse as a {ecosystem} version")]
    Version {
        /// The ecosystem.
        ecosystem: String,
        /// The version.
        version: String,
    },
    /// ZeroDock does not know the ordering of this ecosystem's versions.
    #[error("no version ordering known for ecosystem {0:?}")]
    UnknownEcosystem(String),
    /// A download failed or its integrity check failed (the old database is kept).
    #[error("download of {url} failed: {reason}")]
    Download {
        /// The URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// No home or data directory is known for this user.
    #[error("no data directory: set XDG_DATA_HOME or HOME")]
    NoDataDir,
}

/// A `Result` with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Records imported.
    pub imported: u64,
    /// Records skipped because they are withdrawn.
    pub withdrawn: u64,
    /// Records skipped because no affected package is in an ecosystem ZeroDock can order, per
    /// ecosystem (the record's first ecosystem).
    pub unknown_ecosystems: BTreeMap<String, u64>,
    /// Records that affect no package at all (skipped).
    pub no_affected: u64,
    /// Entries that are not valid OSV records: (entry name, why).
    pub malformed: Vec<(String, String)>,
    /// Ecosystems (without release) the import replaced, with their new record counts.
    pub ecosystems: BTreeMap<String, u64>,
}

/// One advisory that affects a queried package version.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The record id (`DSA-3029-1`).
    pub id: String,
    /// Other ids, CVE ids first.
    pub aliases: Vec<String>,
    /// The record's summary.
    pub summary: Option<String>,
    /// The first fixed version above the queried one; `None` = no fix yet.
    pub fixed: Option<String>,
    /// Severity for this package.
    pub severity: VulnSeverity,
    /// Where the severity comes from, or why it is unknown.
    pub severity_source: String,
    /// When the record last changed.
    pub modified: DateTime<Utc>,
}

/// The local OSV database.
pub struct Database {
    path: PathBuf,
    conn: Connection,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("path", &self.path).finish()
    }
}

impl Database {
    /// Opens (creating if needed, with its parent directory) the database at `path`, migrating
    /// its schema to the current version.
    pub fn open(path: &Path) -> Result<Database> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
        }
        let conn =
            Connection::open(path).map_err(|source| Error::Sqlite { path: path.to_path_buf(), source })?;
        schema::migrate(&conn, path)?;
        tune(&conn, path)?;
        Ok(Database { path: path.to_path_buf(), conn })
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The default location: `$XDG_DATA_HOME/zerodock/vulndb.sqlite` (else
    /// `~/.local/share/zerodock/…`) on Linux, `~/Library/Application Support/zerodock/…` on
    /// macOS, `%LOCALAPPDATA%\zerodock\…` on Windows.
    pub fn default_path() -> Result<PathBuf> {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dir = if cfg!(windows) {
            env("LOCALAPPDATA").ok_or(Error::NoDataDir)?
        } else if cfg!(target_os = "macos") {
            env("HOME").ok_or(Error::NoDataDir)?.join("Library/Application Support")
        } else {
            // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
            match env("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
                Some(d) => d,
                None => env("HOME").ok_or(Error::NoDataDir)?.join(".local/share"),
            }
        };
        Ok(dir.join("zerodock").join("vulndb.sqlite"))
    }

    fn sqlite(&self, source: rusqlite::Error) -> Error {
        Error::Sqlite { path: self.path.clone(), source }
    }

    /// What the database holds: when it was last updated, its newest record, and per ecosystem
    /// the record count and origin; `None` when nothing was ever imported.
    pub fn info(&self) -> Result<Option<VulnDatabase>> {
        let updated: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'updated_at'", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.sqlite(e))?;
        let Some(updated_at) = updated.and_then(|s| parse_time(&s)) else { return Ok(None) };
        let newest: Option<String> = self
            .conn
            .query_row("SELECT max(modified) FROM records", [], |r| r.get(0))
            .map_err(|e| self.sqlite(e))?;
        let mut stmt = self
            .conn
            .prepare("SELECT ecosystem, records, origin, imported_at FROM sources ORDER BY ecosystem")
            .map_err(|e| self.sqlite(e))?;
        let sources = stmt
            .query_map([], |r| {
                Ok(VulnSource {
                    ecosystem: r.get(0)?,
                    records: r.get::<_, i64>(1)?.max(0) as u64,
                    origin: r.get(2)?,
                    imported_at: parse_time(&r.get::<_, String>(3)?).unwrap_or_default(),
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.sqlite(e))?;
        Ok(Some(VulnDatabase { updated_at, newest_record: newest.as_deref().and_then(parse_time), sources }))
    }

    /// The advisories affecting `package` at `version` in `ecosystem` (exactly as OSV names it,
    /// release included: `Debian:12` records apply to Debian 12 only). For Debian and Ubuntu pass
    /// the SOURCE package name and version: their records name source packages.
    pub fn matches(&self, ecosystem: &str, package: &str, version: &str) -> Result<Vec<Match>> {
        matching::matches(self, ecosystem, package, version)
    }

    /// Imports an osv.dev ecosystem export (`all.zip`, one record per entry), replacing the
    /// records of the ecosystems it contains; `origin` (a file name or URL) is recorded as their
    /// source. Atomic: on any error the database is unchanged.
    pub fn import_zip(&mut self, zip: &Path, origin: &str) -> Result<ImportSummary> {
        import::import_zip(self, zip, origin)
    }

    /// Downloads `source_url` (an `all.zip`, or an osv.dev ecosystem directory URL ending in `/`)
    /// and imports it atomically; see [`update::update`] for the integrity checks and what is
    /// incremental.
    pub fn update(&mut self, source_url: &str, options: &UpdateOptions) -> Result<UpdateOutcome> {
        update::update(self, source_url, options)
    }
}

/// Read tuning: matching is many small index lookups; memory-mapped reads and a larger page
/// cache avoid a read syscall per page (measured: see `examples/vulndb_bench.rs`).
fn tune(conn: &Connection, path: &Path) -> Result<()> {
    conn.execute_batch("PRAGMA mmap_size = 268435456; PRAGMA cache_size = -32768;")
        .map_err(|source| Error::Sqlite { path: path.to_path_buf(), source })
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// Severity as stored (an integer keeps the column small and sortable).
fn severity_to_i64(s: VulnSeverity) -> i64 {
    match s {
        VulnSeverity::Unknown => 0,
        VulnSeverity::Low => 1,
        VulnSeverity::Medium => 2,
        VulnSeverity::High => 3,
        VulnSeverity::Critical => 4,
    }
}

fn severity_from_i64(n: i64) -> VulnSeverity {
    match n {
        1 => VulnSeverity::Low,
        2 => VulnSeverity::Medium,
        3 => VulnSeverity::High,
        4 => VulnSeverity::Critical,
        _ => VulnSeverity::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_follows_xdg() {
        if cfg!(windows) || cfg!(target_os = "macos") {
            return;
        }
        // Only reads the environment: the test asserts on whatever it is.
        let p = Database::default_path().expect("HOME is set under cargo test");
        assert!(p.ends_with("zerodock/vulndb.sqlite"), "{}", p.display());
        match std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).filter(|p| p.is_absolute()) {
            Some(x) => assert!(p.starts_with(x)),
            None => assert!(p.to_string_lossy().contains(".local/share")),
        }
    }

    #[test]
    fn reopening_keeps_the_schema_and_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/vulndb.sqlite");
        let db = Database::open(&path).expect("create");
        assert_eq!(db.info().expect("info"), None);
        drop(db);
        Database::open(&path).expect("reopen");
        let conn = Connection::open(&path).expect("raw");
        conn.pragma_update(None, "user_version", 99).expect("bump");
        drop(conn);
        assert!(matches!(Database::open(&path), Err(Error::NewerSchema { found: 99, .. })));
    }
}
