//! Signed reports: ed25519 over a DSSE envelope whose in-toto statement names the report digest.
//!
//! The private key is created on first use and lives only in the OS keyring ([`crate::secrets`],
//! secret `report-signing-key`: the 32-byte ed25519 seed); what leaves the machine is the public
//! key (PEM, SubjectPublicKeyInfo) and its fingerprint. The envelope is written beside the report
//! as `<report file name>` + [`ENVELOPE_SUFFIX`]. Format and auditor steps: docs/signing.md.

mod envelope;

use std::fmt;

use ed25519_dalek::pkcs8::{DecodePublicKey, EncodePublicKey};
use zeroize::Zeroizing;

pub use envelope::{
    Envelope, EnvelopeSignature, PAYLOAD_TYPE, PREDICATE_TYPE, STATEMENT_TYPE, Statement, Subject, Verified,
    VerifyError, pae, sha256_hex, statement, verify,
};

use crate::secrets::{Secrets, SecretsError};

/// The keyring name (under service `zerodock`) of the report-signing key's seed.
pub const KEY_NAME: &str = "report-signing-key";

/// Appended to the report's file name to name its envelope: `report.json` → `report.json.dsse.json`.
pub const ENVELOPE_SUFFIX: &str = ".dsse.json";

/// The envelope path for a report path (same directory, [`ENVELOPE_SUFFIX`] appended).
pub fn envelope_path(report: &std::path::Path) -> std::path::PathBuf {
    let mut name = report.as_os_str().to_owned();
    name.push(ENVELOPE_SUFFIX);
    name.into()
}

/// What can go wrong with the signing key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The keyring failed.
    #[error(transparent)]
    Keyring(#[from] SecretsError),
    /// The keyring holds something under [`KEY_NAME`] that is not a 32-byte seed.
    #[error("the keyring's `{KEY_NAME}` is not an ed25519 seed (32 bytes); delete it to start a new key")]
    Corrupt,
    /// The system's random source failed.
    #[error("no randomness for a new key: {0}")]
    Random(String),
    /// A public key file is not an ed25519 PEM public key.
    #[error("not an ed25519 public key (PEM `PUBLIC KEY`): {0}")]
    BadPublicKey(String),
}

/// An ed25519 public key, as auditors receive it.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: ed25519_dalek::VerifyingKey,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

impl PublicKey {
    /// DER SubjectPublicKeyInfo (RFC 8410): the bytes the fingerprint is taken over.
    pub fn to_der(&self) -> Vec<u8> {
        // Encoding a valid 32-byte key into a fixed SPKI structure does not fail.
        self.key.to_public_key_der().map(|d| d.into_vec()).unwrap_or_default()
    }

    /// PEM `-----BEGIN PUBLIC KEY-----` (what `openssl pkey -pubin` reads).
    pub fn to_pem(&self) -> String {
        self.key.to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF).unwrap_or_default()
    }

    /// Parses a PEM public key; text around the PEM block (comments) is ignored.
    pub fn from_pem(text: &str) -> Result<PublicKey, KeyError> {
        const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
        const END: &str = "-----END PUBLIC KEY-----";
        let start = text.find(BEGIN).ok_or_else(|| KeyError::BadPublicKey("no PUBLIC KEY block".into()))?;
        let end = text[start..]
            .find(END)
            .map(|i| start + i + END.len())
            .ok_or_else(|| KeyError::BadPublicKey("unterminated PUBLIC KEY block".into()))?;
        let key = ed25519_dalek::VerifyingKey::from_public_key_pem(&text[start..end])
            .map_err(|e| KeyError::BadPublicKey(e.to_string()))?;
        Ok(PublicKey { key })
    }

    /// `sha256:` + hex SHA-256 of the DER SubjectPublicKeyInfo; the DSSE `keyid`. An auditor gets
    /// the same with `openssl pkey -pubin -in key.pem -outform DER | sha256sum`.
    pub fn fingerprint(&self) -> String {
        format!("sha256:{}", sha256_hex(&self.to_der()))
    }
}

/// The report-signing key, loaded from the keyring. Not `Debug`-printable beyond its public half.
pub struct ReportSigner {
    key: ed25519_dalek::SigningKey,
}

impl fmt::Debug for ReportSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReportSigner({})", self.public().fingerprint())
    }
}

impl ReportSigner {
    /// Loads the key from the keyring, creating (and storing) one on first use; `true` when it was
    /// created now.
    pub fn load_or_create(secrets: &Secrets) -> Result<(ReportSigner, bool), KeyError> {
        if let Some(signer) = ReportSigner::load(secrets)? {
            return Ok((signer, false));
        }
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut()).map_err(|e| KeyError::Random(e.to_string()))?;
        secrets.set(KEY_NAME, seed.as_ref())?;
        // Read back rather than trust the write: a store that silently dropped it (keyutils
        // without a session keyring) must fail now, not leave reports signed by a lost key.
        match ReportSigner::load(secrets)? {
            Some(signer) => {
                tracing::info!(key = %signer.public().fingerprint(), store = %secrets.kind(), "created the report-signing key");
                Ok((signer, true))
            }
            None => Err(KeyError::Keyring(SecretsError::Unavailable(format!(
                "the {} store did not keep the new signing key",
                secrets.kind()
            )))),
        }
    }

    /// Loads the key from the keyring; `None` when there is none yet.
    pub fn load(secrets: &Secrets) -> Result<Option<ReportSigner>, KeyError> {
        let Some(value) = secrets.get(KEY_NAME)? else { return Ok(None) };
        let seed: &[u8; 32] = value.expose().try_into().map_err(|_| KeyError::Corrupt)?;
        Ok(Some(ReportSigner::from_seed(seed)))
    }

    /// A signer from a seed (tests, and the keyring loader).
    pub(crate) fn from_seed(seed: &[u8; 32]) -> ReportSigner {
        ReportSigner { key: ed25519_dalek::SigningKey::from_bytes(seed) }
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey { key: self.key.verifying_key() }
    }
}

/// What a rendered report (PDF, HTML) shows of its signature: the key fingerprint and the digest
/// of the JSON report it vouches for. `serde` so the UI can show it too.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Seal {
    /// [`PublicKey::fingerprint`] of the signing key.
    pub key_fingerprint: String,
    /// Hex SHA-256 of the signed JSON report file.
    pub report_sha256: String,
    /// The file name the statement names (the JSON report).
    pub report_file: String,
    /// The envelope's file name (beside the report).
    pub envelope_file: String,
}

impl Seal {
    /// The seal of `report_json` (the exact bytes of the JSON report file named `report_file`)
    /// signed by `key`. Renderers call it with the JSON they would write, before signing happens:
    /// the digest is of the bytes, so it is the same as the envelope's.
    pub fn new(report_file: &str, report_json: &[u8], key: &PublicKey) -> Seal {
        Seal {
            key_fingerprint: key.fingerprint(),
            report_sha256: sha256_hex(report_json),
            report_file: report_file.to_owned(),
            envelope_file: format!("{report_file}{ENVELOPE_SUFFIX}"),
        }
    }

    /// The seal an existing envelope claims (its first signature's key id and its subject), NOT
    /// verified: for `zerodock report --from R.json` to show what R.json.dsse.json says.
    pub fn of_envelope(envelope: &Envelope) -> Result<Seal, VerifyError> {
        let statement = envelope.statement_unverified()?;
        let subject = &statement.subject[0];
        Ok(Seal {
            key_fingerprint: envelope.signatures.first().map(|s| s.keyid.clone()).unwrap_or_default(),
            report_sha256: subject.digest.get("sha256").cloned().unwrap_or_default(),
            report_file: subject.name.clone(),
            envelope_file: format!("{}{ENVELOPE_SUFFIX}", subject.name),
        })
    }

    /// The lines a renderer prints, in order (label, value).
    pub fn lines(&self) -> [(&'static str, String); 3] {
        [
            ("Signed with key", self.key_fingerprint.clone()),
            ("Report SHA-256", self.report_sha256.clone()),
            ("Signature", format!("{} (verify: zerodock verify {})", self.envelope_file, self.report_file)),
        ]
    }
}

/// The local signing key's public half, if one exists (never creates one).
pub fn local_public_key(secrets: &Secrets) -> Result<Option<PublicKey>, KeyError> {
    Ok(ReportSigner::load(secrets)?.map(|s| s.public()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_created_once_and_kept_in_the_keyring() {
        let secrets = Secrets::mock().expect("mock");
        assert!(local_public_key(&secrets).expect("read").is_none());
        let (a, created) = ReportSigner::load_or_create(&secrets).expect("create");
        assert!(created);
        let (b, created) = ReportSigner::load_or_create(&secrets).expect("load");
        assert!(!created);
        assert_eq!(a.public(), b.public());
        assert_eq!(local_public_key(&secrets).expect("read"), Some(a.public()));
        assert_eq!(secrets.get(KEY_NAME).expect("read").expect("present").expose().len(), 32);
    }

    #[test]
    fn corrupt_key_is_refused_not_replaced() {
        let secrets = Secrets::mock().expect("mock");
        secrets.set(KEY_NAME, b"short").expect("write");
        assert!(matches!(ReportSigner::load_or_create(&secrets), Err(KeyError::Corrupt)));
        assert_eq!(secrets.get(KEY_NAME).expect("read").expect("kept").expose(), b"short");
    }

    #[test]
    fn pem_round_trip_and_fingerprint() {
        let key = ReportSigner::from_seed(&[1; 32]).public();
        let pem = key.to_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
        let commented = format!("# fingerprint {}\n{pem}trailing\n", key.fingerprint());
        assert_eq!(PublicKey::from_pem(&commented).expect("parses"), key);
        assert_eq!(key.to_der().len(), 44); // RFC 8410: 12-byte header + 32-byte key
        assert!(key.fingerprint().starts_with("sha256:") && key.fingerprint().len() == 7 + 64);
        assert_ne!(key.fingerprint(), ReportSigner::from_seed(&[2; 32]).public().fingerprint());
        assert!(PublicKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----").is_err());
    }

    #[test]
    fn seal_agrees_with_the_envelope() {
        let signer = ReportSigner::from_seed(&[3; 32]);
        let report = b"{\"score\":1}\n";
        let env = signer.sign("r.json", report, serde_json::json!({}));
        let seal = Seal::new("r.json", report, &signer.public());
        assert_eq!(Seal::of_envelope(&env).expect("seal"), seal);
        assert_eq!(seal.envelope_file, "r.json.dsse.json");
        assert_eq!(
            envelope_path(std::path::Path::new("/x/r.json")),
            std::path::Path::new("/x/r.json.dsse.json")
        );
    }
}
