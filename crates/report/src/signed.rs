//! Signed exports (feature `sign`): the one order the CLI's `--sign` and the app's **Sign** share.
//! The JSON report is written first; the PDF or HTML written after it carries the seal (key
//! fingerprint, the JSON file's SHA-256, the envelope's name) read from the JSON's bytes on disk;
//! then each JSON file is signed into `<file>.dsse.json` beside it. The keys and the envelope are
//! zerodock-store's (`signing`); docs/signing.md is the user's side.

use std::path::{Path, PathBuf};

use zerodock_engine::Report;
use zerodock_store::signing::{self, ReportSigner};

use crate::export::{self, ExportError};

/// What can go wrong around a signature (the writes themselves are [`ExportError`]s).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// A JSON report written a moment ago cannot be read back to be sealed or signed.
    #[error("cannot read {} to sign it: {error}", path.display())]
    Read {
        /// The JSON report.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// Writing a report or an envelope failed.
    #[error(transparent)]
    Export(#[from] ExportError),
}

/// One JSON report signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The JSON report.
    pub json: PathBuf,
    /// Its DSSE envelope (`<json>.dsse.json`).
    pub envelope: PathBuf,
    /// The signing key's fingerprint (`zerodock key export` shows the same).
    pub key_fingerprint: String,
    /// Hex SHA-256 of the JSON report's bytes on disk (as `sha256sum` prints it).
    pub report_sha256: String,
}

/// A signing request: which JSON files get an envelope, and the key (already loaded, so an
/// unusable keyring fails before anything is written).
pub struct Signing {
    files: Vec<PathBuf>,
    signer: ReportSigner,
}

impl Signing {
    /// Signs `files` (the JSON reports of one export) with `signer`.
    pub fn new(files: Vec<PathBuf>, signer: ReportSigner) -> Signing {
        Signing { files, signer }
    }

    /// The JSON files that will be signed.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The signing key's fingerprint.
    pub fn key_fingerprint(&self) -> String {
        self.signer.public().fingerprint()
    }

    /// Writes one export signed, in the one order: `write_json` (the JSON files), then
    /// `write_rest` with the seal lines for the PDF/HTML (`ExportOptions::seal`), then an
    /// envelope beside each JSON file. `write_rest` is `None` when only JSON is written.
    ///
    /// # Errors
    /// Whatever the writers return, or a [`SignError`] (converted into the writers' error type).
    pub fn emit<E: From<SignError>>(
        &self,
        report: &Report,
        write_json: impl FnOnce() -> Result<(), E>,
        write_rest: Option<impl FnOnce(Vec<(String, String)>) -> Result<(), E>>,
    ) -> Result<Vec<Signed>, E> {
        write_json()?;
        if let Some(write_rest) = write_rest {
            write_rest(self.seal()?)?;
        }
        Ok(self.sign(report)?)
    }

    /// The signature's label/value lines for the PDF and HTML written beside the JSON (key
    /// fingerprint, the JSON file's SHA-256, the envelope's name), from the JSON's bytes on disk:
    /// call it once the JSON files are written and before the other outputs are rendered.
    ///
    /// # Errors
    /// The JSON file cannot be read back.
    pub fn seal(&self) -> Result<Vec<(String, String)>, SignError> {
        let Some(path) = self.files.first() else { return Ok(Vec::new()) };
        let bytes = read(path)?;
        let seal = signing::Seal::new(&file_name(path), &bytes, &self.signer.public());
        Ok(seal.lines().into_iter().map(|(label, value)| (label.to_owned(), value)).collect())
    }

    /// Signs every JSON file written for `report`: each gets `<file>.dsse.json` beside it.
    ///
    /// # Errors
    /// A JSON file cannot be read back or an envelope cannot be written.
    pub fn sign(&self, report: &Report) -> Result<Vec<Signed>, SignError> {
        let predicate = serde_json::json!({
            "generator": { "name": "zerodock", "version": env!("CARGO_PKG_VERSION") },
            "report": {
                "schema_version": report.schema_version,
                "generated_at": report.generated_at,
                "score": report.score,
                "grade": report.grade,
            },
        });
        let key_fingerprint = self.key_fingerprint();
        let mut signed = Vec::with_capacity(self.files.len());
        for path in &self.files {
            // The bytes on disk are what an auditor hashes: read them back rather than re-render.
            let bytes = read(path)?;
            let envelope = self.signer.sign(&file_name(path), &bytes, predicate.clone());
            let target = signing::envelope_path(path);
            export::write_atomic(&target, envelope.to_json().as_bytes())?;
            signed.push(Signed {
                json: path.clone(),
                envelope: target,
                key_fingerprint: key_fingerprint.clone(),
                report_sha256: signing::sha256_hex(&bytes),
            });
        }
        Ok(signed)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, SignError> {
    std::fs::read(path).map_err(|error| SignError::Read { path: path.to_owned(), error })
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
