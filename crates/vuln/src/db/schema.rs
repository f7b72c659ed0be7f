//! The schema and its migrations, versioned by SQLite's `user_version`.

use std::path::Path;

use rusqlite::Connection;

use super::{Error, Result};

/// Migrations in order: entry `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: records per (base ecosystem, id), so importing Alpine never touches Debian's rows;
    // affected rows carry the evaluated severity and the ECOSYSTEM ranges as JSON, looked up by
    // (ecosystem, package) — the only query matching makes.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE sources (
         ecosystem TEXT PRIMARY KEY, records INTEGER NOT NULL, origin TEXT NOT NULL,
         imported_at TEXT NOT NULL, etag TEXT);
     CREATE TABLE records (
         rid INTEGER PRIMARY KEY, base TEXT NOT NULL, id TEXT NOT NULL, modified TEXT NOT NULL,
         summary TEXT, aliases TEXT NOT NULL, UNIQUE (base, id));
     CREATE TABLE affected (
         rid INTEGER NOT NULL REFERENCES records (rid) ON DELETE CASCADE,
         ecosystem TEXT NOT NULL, package TEXT NOT NULL, ranges TEXT NOT NULL, versions TEXT NOT NULL,
         severity INTEGER NOT NULL, severity_source TEXT NOT NULL);
     CREATE INDEX affected_lookup ON affected (ecosystem, package);",
];

/// The schema version this build writes.
pub(super) const VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema of `conn` to [`VERSION`]; refuses a newer one.
pub(super) fn migrate(conn: &Connection, path: &Path) -> Result<()> {
    let sqlite = |source| Error::Sqlite { path: path.to_path_buf(), source };
    conn.pragma_update(None, "foreign_keys", true).map_err(sqlite)?;
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(sqlite)?;
    if found > VERSION {
        return Err(Error::NewerSchema { path: path.to_path_buf(), found, known: VERSION });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        conn.execute_batch(&format!("BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;", i + 1))
            .map_err(sqlite)?;
    }
    Ok(())
}
