//! How a report is stored: its JSON, deflate-compressed, with each check's catalogue prose
//! (title, summary, rationale, remediation, references) replaced by the hash of a row in
//! `check_texts`. That prose is the same in every scan of a catalogue version and was half of a
//! compressed report (default fixture: 53.6 KB → 27.3 KB); kept once, a scan costs its findings.
//!
//! Working on the JSON value rather than the Rust types keeps this independent of the report's
//! fields: a field added later is stored with the rest, and the round trip stays exact.

use std::io::{Read, Write};

use flate2::Compression;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zerodock_engine::Report;

use super::Error;

/// The `report_encoding` of rows written this way.
pub(super) const ENCODING: i64 = 1;

/// The key holding a check's text hash in a stored report.
const TEXT_KEY: &str = "$text";

/// The check fields that come from the catalogue, identical across scans of one catalogue version.
const PROSE: &[&str] = &["slug", "title", "summary", "rationale", "remediation", "references", "doc_url"];

/// An encoded report: the compressed blob and the texts it refers to (hash, JSON).
pub(super) struct Encoded {
    pub blob: Vec<u8>,
    pub texts: Vec<(String, String)>,
}

/// Encodes a report for the `scans.report` column.
pub(super) fn encode(report: &Report) -> Result<Encoded, Error> {
    let mut value = serde_json::to_value(report).map_err(|e| Error::Encode(e.to_string()))?;
    let mut texts = Vec::new();
    if let Some(checks) = value.get_mut("checks").and_then(Value::as_array_mut) {
        for check in checks.iter_mut().filter_map(Value::as_object_mut) {
            let prose: Map<String, Value> =
                PROSE.iter().filter_map(|k| check.remove(*k).map(|v| ((*k).to_owned(), v))).collect();
            let json = Value::Object(prose).to_string();
            let hash = hex(&Sha256::digest(json.as_bytes())[..16]);
            check.insert(TEXT_KEY.to_owned(), Value::String(hash.clone()));
            texts.push((hash, json));
        }
    }
    texts.sort();
    texts.dedup();
    let json = serde_json::to_vec(&value).map_err(|e| Error::Encode(e.to_string()))?;
    // Level 6 (the default): level 9 saved under 1% on the fixtures for more CPU.
    let mut deflate =
        flate2::write::DeflateEncoder::new(Vec::with_capacity(json.len() / 8), Compression::default());
    deflate.write_all(&json).map_err(|e| Error::Encode(e.to_string()))?;
    let blob = deflate.finish().map_err(|e| Error::Encode(e.to_string()))?;
    Ok(Encoded { blob, texts })
}

/// The most a stored report may inflate to: far above any report ZeroDock writes (10,000
/// containers: ~175 MB of compact JSON before the prose is taken out), and a bound on a damaged or
/// hostile history file whose blob is a deflate bomb (~1000:1), which would otherwise take all memory.
const MAX_DECODED: u64 = 1 << 30;

/// Decodes a stored report; `lookup` reads a text by hash.
pub(super) fn decode(
    blob: &[u8],
    lookup: &mut dyn FnMut(&str) -> Result<Option<String>, rusqlite::Error>,
) -> Result<Report, String> {
    decode_within(blob, lookup, MAX_DECODED)
}

fn decode_within(
    blob: &[u8],
    lookup: &mut dyn FnMut(&str) -> Result<Option<String>, rusqlite::Error>,
    max: u64,
) -> Result<Report, String> {
    let mut json = Vec::with_capacity(blob.len().saturating_mul(8).min(64 << 20));
    flate2::read::DeflateDecoder::new(blob)
        .take(max + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("decompress: {e}"))?;
    if json.len() as u64 > max {
        return Err(format!("the stored report inflates past {} MiB: not read", max >> 20));
    }
    let mut value: Value = serde_json::from_slice(&json).map_err(|e| format!("JSON: {e}"))?;
    // A row written by a newer ZeroDock with another report format is refused, as
    // `Report::from_json` refuses such a file, rather than read with fields misunderstood.
    let version = value.get("schema_version").and_then(Value::as_u64);
    if version != Some(u64::from(zerodock_engine::REPORT_SCHEMA_VERSION)) {
        return Err(format!("report schema version {version:?} is not this build's"));
    }
    if let Some(checks) = value.get_mut("checks").and_then(Value::as_array_mut) {
        for check in checks.iter_mut().filter_map(Value::as_object_mut) {
            let Some(Value::String(hash)) = check.remove(TEXT_KEY) else { continue };
            let text = lookup(&hash)
                .map_err(|e| format!("catalogue text {hash}: {e}"))?
                .ok_or_else(|| format!("catalogue text {hash} is missing"))?;
            let Value::Object(prose) =
                serde_json::from_str(&text).map_err(|e| format!("text {hash}: {e}"))?
            else {
                return Err(format!("catalogue text {hash} is not an object"));
            };
            check.extend(prose);
        }
    }
    serde_json::from_value(value).map_err(|e| format!("report: {e}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blob that inflates past the bound is refused before it takes the memory (a deflate bomb
    /// in a damaged or planted history file); one within it decodes as before.
    #[test]
    fn a_blob_inflating_past_the_bound_is_refused() {
        let mut bomb = flate2::write::DeflateEncoder::new(Vec::new(), Compression::best());
        bomb.write_all(&vec![b' '; 3 << 20]).expect("compress");
        let bomb = bomb.finish().expect("compress");
        assert!(bomb.len() < 16 << 10, "{} bytes", bomb.len());
        let mut lookup = |_: &str| Ok(None);
        let error = decode_within(&bomb, &mut lookup, 1 << 20).expect_err("refused");
        assert!(error.contains("inflates past 1 MiB"), "{error}");
        // Within the bound the same blob is read (and then refused for what it is: not a report).
        let error = decode_within(&bomb, &mut lookup, 4 << 20).expect_err("not a report");
        assert!(error.starts_with("JSON"), "{error}");
    }
}
