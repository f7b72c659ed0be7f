//! `vulndb update`: download an export over HTTP(S) and import it atomically.
//!
//! What osv.dev offers (its `docs/data.md`): per ecosystem `<ECOSYSTEM>/all.zip` in the
//! `osv-vulnerabilities` bucket (`https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip`),
//! each record as `<ECOSYSTEM>/<ID>.json`, and `<ECOSYSTEM>/modified_id.csv` (modified time, id;
//! newest first). It publishes no checksum file next to `all.zip`; the bucket's HTTP responses
//! carry an `ETag` (and `x-goog-hash` MD5/CRC32C).
//!
//! What is implemented:
//! - integrity: the zip must open, every entry must read back (CRC) and be JSON; a
//!   `<url>.sha256` published next to the zip is fetched and verified when the server has one
//!   (a 404 means "none published", and the outcome says it was not verified).
//! - incremental: a conditional GET with the `ETag` stored from the last download
//!   (`If-None-Match`); an unchanged export costs one request and no import. Fetching only the
//!   records listed in `modified_id.csv` since the last update is not implemented (it needs one
//!   request per changed record).
//! - atomic: downloaded to a temporary file beside the database, imported into a copy, renamed.

use std::io::{Read, Write};
use std::time::Duration;

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::import::{TempFile, import_file, sibling};
use super::{Database, Error, ImportSummary, Result};

/// Limits of a download.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Overall time limit per request.
    pub timeout: Duration,
    /// Refuse a download larger than this (bytes).
    pub max_bytes: u64,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        // The Debian export is a few hundred MB at most; 4 GiB is a cap against a runaway server.
        UpdateOptions { timeout: Duration::from_secs(600), max_bytes: 4 << 30 }
    }
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// The server said the export has not changed since the last download (`304`).
    Unchanged {
        /// The URL asked.
        url: String,
    },
    /// A new export was downloaded and imported.
    Imported {
        /// The URL downloaded.
        url: String,
        /// The import's counts.
        summary: ImportSummary,
        /// SHA-256 of the downloaded file (hex).
        sha256: String,
        /// Whether a published `.sha256` confirmed it (`false`: the source publishes none).
        checksum_verified: bool,
    },
}

fn download_error(url: &str, reason: impl std::fmt::Display) -> Error {
    Error::Download { url: url.to_string(), reason: reason.to_string() }
}

/// See the module documentation.
pub(super) fn update(db: &mut Database, source_url: &str, options: &UpdateOptions) -> Result<UpdateOutcome> {
    let url = if source_url.ends_with('/') { format!("{source_url}all.zip") } else { source_url.to_string() };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let etag: Option<String> = db
        .conn
        .query_row(
            "SELECT etag FROM sources WHERE origin = ?1 AND etag IS NOT NULL LIMIT 1",
            params![url],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| db.sqlite(e))?;
    let mut request = agent.get(&url);
    if let Some(etag) = &etag {
        request = request.header("If-None-Match", etag);
    }
    let mut response = request.call().map_err(|e| download_error(&url, e))?;
    match response.status().as_u16() {
        304 if etag.is_some() => return Ok(UpdateOutcome::Unchanged { url }),
        200 => {}
        other => return Err(download_error(&url, format!("HTTP status {other}"))),
    }
    let new_etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_string);

    // Stream to disk, hashing on the way: the export is never held in memory whole.
    let tmp_path = sibling(db.path(), "download");
    let tmp = TempFile(Some(tmp_path.clone()));
    let io = |source| Error::Io { path: tmp_path.clone(), source };
    let mut file = std::fs::File::create(&tmp_path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut reader = response.body_mut().with_config().limit(options.max_bytes).reader();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut buf).map_err(|e| download_error(&url, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n]).map_err(io)?;
    }
    file.sync_all().map_err(io)?;
    drop(file);
    let sha256: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();

    let checksum_verified = match published_sha256(&agent, &url)? {
        Some(want) if want == sha256 => true,
        Some(want) => {
            return Err(download_error(&url, format!("SHA-256 {sha256} differs from the published {want}")));
        }
        None => false,
    };
    let summary = import_file(db, &tmp_path, &url, new_etag.as_deref(), true)?;
    drop(tmp);
    Ok(UpdateOutcome::Imported { url, summary, sha256, checksum_verified })
}

/// The checksum published at `<url>.sha256` (`sha256sum` format: hex digest first), if any.
fn published_sha256(agent: &ureq::Agent, url: &str) -> Result<Option<String>> {
    let sum_url = format!("{url}.sha256");
    let mut response = agent.get(&sum_url).call().map_err(|e| download_error(&sum_url, e))?;
    if response.status().as_u16() != 200 {
        return Ok(None);
    }
    let text = response
        .body_mut()
        .with_config()
        .limit(4096)
        .read_to_string()
        .map_err(|e| download_error(&sum_url, e))?;
    let digest = text.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
    if digest.len() != 64 || !digest.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(download_error(&sum_url, "not a SHA-256 checksum file"));
    }
    Ok(Some(digest))
}
