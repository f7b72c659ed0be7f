//! Importing an `all.zip` export: streamed entry by entry into a copy of the database, then
//! renamed over it.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::{Connection, params};

use super::{Database, Error, ImportSummary, Result, schema, severity_to_i64};
use crate::osv::{Record, severity_of};
use crate::version::Scheme;

/// Records larger than this are not OSV records (the largest real ones are a few hundred KB);
/// reading stops there instead of filling memory from a hostile zip.
const MAX_ENTRY_BYTES: u64 = 64 << 20;

/// A file deleted when dropped unless kept: the temporary database or download.
pub(super) struct TempFile(pub(super) Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A temporary file beside `path` (same directory, so the final rename is atomic).
pub(super) fn sibling(path: &Path, what: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "vulndb".into());
    path.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

pub(super) fn import_zip(db: &mut Database, zip: &Path, origin: &str) -> Result<ImportSummary> {
    import_file(db, zip, origin, None, false)
}

/// The import. `strict` (downloads): an entry that is not even JSON means a damaged file, and
/// the whole import is refused; otherwise such entries are counted as malformed like any other.
pub(super) fn import_file(
    db: &mut Database,
    zip: &Path,
    origin: &str,
    etag: Option<&str>,
    strict: bool,
) -> Result<ImportSummary> {
    let corrupt = |reason: String| Error::CorruptExport { path: zip.to_path_buf(), reason };
    let file = std::fs::File::open(zip).map_err(|source| Error::Io { path: zip.to_path_buf(), source })?;
    let mut archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| corrupt(e.to_string()))?;

    let tmp_path = sibling(&db.path, "import");
    let _ = std::fs::remove_file(&tmp_path);
    let mut tmp = TempFile(Some(tmp_path.clone()));
    let sqlite = |source| Error::Sqlite { path: tmp_path.clone(), source };
    // Start from a consistent copy of the current database so other ecosystems are kept.
    db.conn.execute("VACUUM INTO ?1", params![tmp_path.to_string_lossy()]).map_err(|e| db.sqlite(e))?;
    let mut conn = Connection::open(&tmp_path).map_err(sqlite)?;
    schema::migrate(&conn, &tmp_path)?;
    // The temporary file is thrown away on any failure, so it needs no journal; this makes the
    // bulk insert several times faster.
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;").map_err(sqlite)?;

    let mut summary = ImportSummary::default();
    let tx = conn.transaction().map_err(sqlite)?;
    {
        let mut replaced: BTreeSet<String> = BTreeSet::new();
        let mut delete_affected = tx
            .prepare("DELETE FROM affected WHERE rid IN (SELECT rid FROM records WHERE base = ?1)")
            .map_err(sqlite)?;
        let mut delete_records = tx.prepare("DELETE FROM records WHERE base = ?1").map_err(sqlite)?;
        let mut insert_record = tx
            .prepare("INSERT INTO records (base, id, modified, summary, aliases) VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(sqlite)?;
        let mut insert_affected = tx
            .prepare(
                "INSERT INTO affected (rid, ecosystem, package, ranges, versions, severity, severity_source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(sqlite)?;
        let mut buf = Vec::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(|e| corrupt(format!("entry {i}: {e}")))?;
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("entry {i}"));
            buf.clear();
            // Reading to the end checks the entry's CRC: a damaged archive fails here.
            (&mut entry)
                .take(MAX_ENTRY_BYTES + 1)
                .read_to_end(&mut buf)
                .map_err(|e| corrupt(format!("entry {name}: {e}")))?;
            if buf.len() as u64 > MAX_ENTRY_BYTES {
                summary.malformed.push((name, format!("larger than {MAX_ENTRY_BYTES} bytes")));
                continue;
            }
            let record: Record = match serde_json::from_slice(&buf) {
                Ok(r) => r,
                Err(e) if strict && (e.is_syntax() || e.is_eof()) => {
                    return Err(corrupt(format!("entry {name} is not JSON: {e}")));
                }
                Err(e) => {
                    summary.malformed.push((name, e.to_string()));
                    continue;
                }
            };
            if record.withdrawn.is_some() {
                summary.withdrawn += 1;
                continue;
            }
            let packaged: Vec<_> =
                record.affected.iter().filter_map(|a| a.package.as_ref().map(|p| (a, p))).collect();
            let known: Vec<_> =
                packaged.iter().filter(|(_, p)| Scheme::of_ecosystem(&p.ecosystem).is_some()).collect();
            if known.is_empty() {
                match packaged.first() {
                    Some((_, p)) => *summary.unknown_ecosystems.entry(p.ecosystem.clone()).or_default() += 1,
                    None => summary.no_affected += 1,
                }
                continue;
            }
            let aliases = serde_json::to_string(&record.all_aliases()).unwrap_or_else(|_| "[]".into());
            let bases: BTreeSet<&str> = known.iter().map(|(_, p)| base_of(&p.ecosystem)).collect();
            for base in bases {
                if replaced.insert(base.to_string()) {
                    delete_affected.execute(params![base]).map_err(sqlite)?;
                    delete_records.execute(params![base]).map_err(sqlite)?;
                }
                if let Err(e) = insert_record.execute(params![
                    base,
                    record.id,
                    record.modified.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    record.summary,
                    aliases
                ]) {
                    // A second entry with the same id in one export: keep the first, say so.
                    summary.malformed.push((name.clone(), format!("record {} in {base}: {e}", record.id)));
                    continue;
                }
                let rid = tx.last_insert_rowid();
                for (affected, package) in known.iter().filter(|(_, p)| base_of(&p.ecosystem) == base) {
                    let ranges: Vec<_> =
                        affected.ranges.iter().filter(|r| r.kind == "ECOSYSTEM").map(|r| &r.events).collect();
                    let (severity, source) = severity_of(&record, Some(affected));
                    insert_affected
                        .execute(params![
                            rid,
                            package.ecosystem,
                            package.name,
                            serde_json::to_string(&ranges).unwrap_or_else(|_| "[]".into()),
                            serde_json::to_string(&affected.versions).unwrap_or_else(|_| "[]".into()),
                            severity_to_i64(severity),
                            source
                        ])
                        .map_err(sqlite)?;
                }
                *summary.ecosystems.entry(base.to_string()).or_default() += 1;
            }
            summary.imported += 1;
        }
        let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        for (base, count) in &summary.ecosystems {
            tx.execute(
                "INSERT OR REPLACE INTO sources (ecosystem, records, origin, imported_at, etag) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![base, *count as i64, origin, now, etag],
            )
            .map_err(sqlite)?;
        }
        tx.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('updated_at', ?1)", params![now])
            .map_err(sqlite)?;
    }
    tx.commit().map_err(sqlite)?;
    drop(conn);
    swap_in(db, &mut tmp)?;
    Ok(summary)
}

/// Renames the finished temporary database over the live one and reopens it.
pub(super) fn swap_in(db: &mut Database, tmp: &mut TempFile) -> Result<()> {
    let Some(tmp_path) = tmp.0.clone() else { return Ok(()) };
    let io = |source| Error::Io { path: tmp_path.clone(), source };
    // Written with synchronous=OFF: flush it before it replaces the database.
    std::fs::OpenOptions::new().write(true).open(&tmp_path).and_then(|f| f.sync_all()).map_err(io)?;
    // Close the live connection first (Windows cannot rename over an open file).
    let placeholder = Connection::open_in_memory().map_err(|e| db.sqlite(e))?;
    drop(std::mem::replace(&mut db.conn, placeholder));
    let renamed = std::fs::rename(&tmp_path, &db.path).map_err(io);
    if renamed.is_ok() {
        tmp.0 = None;
    }
    db.conn = Connection::open(&db.path).map_err(|e| db.sqlite(e))?;
    schema::migrate(&db.conn, &db.path)?;
    super::tune(&db.conn, &db.path)?;
    renamed
}

/// The ecosystem without its release: `Debian:12` → `Debian`.
pub(super) fn base_of(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem)
}
