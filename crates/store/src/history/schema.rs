//! The history's schema and its migrations: one SQL step per version, applied in order inside one
//! write transaction; the version lives in SQLite's `user_version` header field.

use rusqlite::{Connection, TransactionBehavior};

/// Each step takes the database from version `i` to `i + 1`. Append only: a step that shipped is
/// never edited, since databases out there are already past it.
pub(super) const MIGRATIONS: &[&str] = &[
    // v1. `scans`: one row per saved report, with the columns the list shows (so listing never
    // decodes a report) and the report itself, compressed (`codec`). `check_texts`: each check's
    // catalogue prose once, by hash; `last_used` lets `prune` drop the texts only old scans used.
    "CREATE TABLE scans (
        id INTEGER PRIMARY KEY,
        engine TEXT NOT NULL,
        engine_name TEXT,
        reached_engine INTEGER NOT NULL,
        scanned_at INTEGER NOT NULL,
        score INTEGER,
        grade TEXT NOT NULL,
        counts TEXT NOT NULL,
        report_encoding INTEGER NOT NULL,
        report BLOB NOT NULL
    ) STRICT;
    CREATE INDEX scans_by_engine ON scans (engine, scanned_at);
    CREATE INDEX scans_by_time ON scans (scanned_at);
    CREATE TABLE check_texts (
        hash TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        last_used INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX check_texts_by_use ON check_texts (last_used);",
    // v2. `scans.categories`: each category's score and grade as JSON, so the app's chart of the
    // score per category reads the list without decoding reports. NULL for scans saved before:
    // SQL cannot decode a compressed report, and the list shows them with the overall score only.
    "ALTER TABLE scans ADD COLUMN categories TEXT;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Why a migration did not happen.
pub(super) enum MigrateError {
    /// The database is newer than this build.
    TooNew(u32),
    /// SQLite failed.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the database to [`SCHEMA_VERSION`].
pub(super) fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Brings the database to `target` (tests stop at older versions to migrate from them).
pub(super) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), MigrateError> {
    // The common case reads one header field and takes no write lock.
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(MigrateError::TooNew(found));
    }
    if found >= target {
        return Ok(());
    }
    // Two processes opening a new database at once both get here: the write lock makes the second
    // wait, and it reads the version again inside the transaction, so each step runs once.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = version(&tx)?;
    for (i, step) in MIGRATIONS.iter().enumerate().take(target as usize).skip(found as usize) {
        tx.execute_batch(step)?;
        // user_version is part of the header, written by this transaction: a failed step leaves
        // both the schema and the version as they were.
        tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX))?;
    }
    tx.commit()?;
    Ok(())
}
