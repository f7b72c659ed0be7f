//! The signed form: a DSSE envelope (<https://github.com/secure-systems-lab/dsse>) whose payload is
//! an in-toto Statement v1 (<https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md>)
//! naming the report file and its SHA-256; the signature is ed25519 over DSSE's pre-authentication
//! encoding (PAE), so the payload type cannot be swapped. Verification reports exactly what failed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{PublicKey, ReportSigner};

/// DSSE `payloadType` of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// in-toto `_type` of a v1 statement.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate type of a ZeroDock report attestation.
pub const PREDICATE_TYPE: &str = "https://zerodock.dev/attestation/report/v1";

/// A DSSE envelope, as JSON: `{"payloadType", "payload" (base64), "signatures": [{"keyid", "sig"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// What the payload is ([`PAYLOAD_TYPE`]).
    pub payload_type: String,
    /// The statement's JSON bytes, standard base64.
    pub payload: String,
    /// One signature per key.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One DSSE signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// The signing key's fingerprint ([`PublicKey::fingerprint`]); a hint, the signature decides.
    #[serde(default)]
    pub keyid: String,
    /// The ed25519 signature over PAE(payloadType, payload), standard base64.
    pub sig: String,
}

/// An in-toto Statement v1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub type_: String,
    /// The signed files: here the report JSON, by name and digest.
    pub subject: Vec<Subject>,
    /// [`PREDICATE_TYPE`].
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// What ZeroDock says about the report (generator, score, when).
    pub predicate: serde_json::Value,
}

/// One in-toto subject (a ResourceDescriptor with a name and digests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    /// The file name the report was written under (no directory).
    pub name: String,
    /// Digests by algorithm; `sha256` is the one checked.
    pub digest: std::collections::BTreeMap<String, String>,
}

/// A successful verification.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The fingerprint of the key whose signature matched.
    pub key_fingerprint: String,
    /// The report's SHA-256 (hex), equal to the statement's.
    pub report_sha256: String,
    /// The subject's name as signed (the report may since have been renamed).
    pub subject_name: String,
    /// The statement's predicate.
    pub predicate: serde_json::Value,
}

/// Why an envelope does not vouch for a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The envelope is not a DSSE envelope with a ZeroDock in-toto statement (an error, not a
    /// verdict: exit 2).
    #[error("malformed envelope: {0}")]
    Malformed(String),
    /// No signature is by a trusted key.
    #[error("unknown key: signed by {signed_by}, trusted: {trusted}")]
    UnknownKey {
        /// The envelope's key ids.
        signed_by: String,
        /// The trusted fingerprints.
        trusted: String,
    },
    /// A trusted key's signature does not match: the envelope (statement) was altered.
    #[error("bad signature by {key}: the envelope was altered after signing")]
    BadSignature {
        /// The trusted key's fingerprint.
        key: String,
    },
    /// The signature holds but the report is not the one signed: its content changed.
    #[error("tampered content: the report's sha256 is {actual}, the signed statement says {expected}")]
    DigestMismatch {
        /// The signed digest.
        expected: String,
        /// The file's digest now.
        actual: String,
    },
}

impl VerifyError {
    /// Whether this is a verdict on a well-formed envelope (exit 1) rather than an unreadable one
    /// (exit 2).
    pub fn is_invalid(&self) -> bool {
        !matches!(self, VerifyError::Malformed(_))
    }
}

/// DSSE v1 pre-authentication encoding: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`,
/// lengths as ASCII decimal byte counts.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The statement naming `file_name` with the digest of `report`.
pub fn statement(file_name: &str, report: &[u8], predicate: serde_json::Value) -> Statement {
    Statement {
        type_: STATEMENT_TYPE.to_owned(),
        subject: vec![Subject {
            name: file_name.to_owned(),
            digest: [("sha256".to_owned(), sha256_hex(report))].into_iter().collect(),
        }],
        predicate_type: PREDICATE_TYPE.to_owned(),
        predicate,
    }
}

impl ReportSigner {
    /// Signs the report bytes `report`, written as `file_name`, into a DSSE envelope.
    pub fn sign(&self, file_name: &str, report: &[u8], predicate: serde_json::Value) -> Envelope {
        let statement = statement(file_name, report, predicate);
        // Serialising plain strings, maps and a JSON value cannot fail.
        let payload = serde_json::to_vec(&statement).unwrap_or_default();
        let sig = self.key.sign(&pae(PAYLOAD_TYPE, &payload));
        Envelope {
            payload_type: PAYLOAD_TYPE.to_owned(),
            payload: B64.encode(&payload),
            signatures: vec![EnvelopeSignature {
                keyid: self.public().fingerprint(),
                sig: B64.encode(sig.to_bytes()),
            }],
        }
    }
}

impl Envelope {
    /// Parses an envelope's JSON; anything else is [`VerifyError::Malformed`].
    pub fn from_json(bytes: &[u8]) -> Result<Envelope, VerifyError> {
        serde_json::from_slice(bytes).map_err(|e| VerifyError::Malformed(format!("not a DSSE envelope: {e}")))
    }

    /// The envelope as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// The statement inside, checked for shape but NOT for its signature (to show what it
    /// claims; [`verify`] is the check).
    pub fn statement_unverified(&self) -> Result<Statement, VerifyError> {
        self.decoded().map(|(_, s)| s)
    }

    fn decoded(&self) -> Result<(Vec<u8>, Statement), VerifyError> {
        if self.payload_type != PAYLOAD_TYPE {
            return Err(VerifyError::Malformed(format!(
                "payloadType is {:?}, expected {PAYLOAD_TYPE:?}",
                self.payload_type
            )));
        }
        let payload = B64
            .decode(&self.payload)
            .map_err(|e| VerifyError::Malformed(format!("payload is not base64: {e}")))?;
        let statement: Statement = serde_json::from_slice(&payload)
            .map_err(|e| VerifyError::Malformed(format!("payload is not an in-toto statement: {e}")))?;
        if statement.type_ != STATEMENT_TYPE {
            return Err(VerifyError::Malformed(format!("statement _type is {:?}", statement.type_)));
        }
        if statement.predicate_type != PREDICATE_TYPE {
            return Err(VerifyError::Malformed(format!(
                "predicateType is {:?}, not a ZeroDock report",
                statement.predicate_type
            )));
        }
        if statement.subject.len() != 1 || !statement.subject[0].digest.contains_key("sha256") {
            return Err(VerifyError::Malformed(
                "the statement must name one subject with a sha256 digest".into(),
            ));
        }
        Ok((payload, statement))
    }
}

/// Verifies that `envelope` was signed by one of `trusted` and vouches for `report`'s bytes.
/// Order: shape (malformed), then signer (unknown key / bad signature), then content (digest) —
/// so "tampered content" is only said of a report whose signed statement is genuine.
pub fn verify(envelope: &Envelope, report: &[u8], trusted: &[PublicKey]) -> Result<Verified, VerifyError> {
    let (payload, statement) = envelope.decoded()?;
    if envelope.signatures.is_empty() {
        return Err(VerifyError::Malformed("the envelope has no signature".into()));
    }
    let message = pae(&envelope.payload_type, &payload);
    let mut bad_by = None;
    let mut signer = None;
    'outer: for s in &envelope.signatures {
        // A signature that is not 64 bytes of base64 matches no key, but when its key id names a
        // trusted key it is that key's signature altered, not an unknown key's (fuzz_signing.rs).
        let sig = B64.decode(&s.sig).ok().and_then(|bytes| ed25519_dalek::Signature::from_slice(&bytes).ok());
        for key in trusted {
            // The keyid is only a hint (DSSE): every trusted key is tried against every signature.
            if let Some(sig) = &sig
                && key.key.verify_strict(&message, sig).is_ok()
            {
                signer = Some(key);
                break 'outer;
            }
            if s.keyid == key.fingerprint() {
                bad_by = Some(key.fingerprint());
            }
        }
    }
    let Some(signer) = signer else {
        if let Some(key) = bad_by {
            return Err(VerifyError::BadSignature { key });
        }
        let ids: Vec<&str> = envelope.signatures.iter().map(|s| s.keyid.as_str()).collect();
        let trusted: Vec<String> = trusted.iter().map(PublicKey::fingerprint).collect();
        return Err(VerifyError::UnknownKey {
            signed_by: if ids.iter().all(|i| i.is_empty()) { "(no key id)".into() } else { ids.join(", ") },
            trusted: if trusted.is_empty() { "none".into() } else { trusted.join(", ") },
        });
    };
    let subject = &statement.subject[0];
    let expected = subject.digest.get("sha256").cloned().unwrap_or_default();
    let actual = sha256_hex(report);
    if !expected.eq_ignore_ascii_case(&actual) {
        return Err(VerifyError::DigestMismatch { expected, actual });
    }
    Ok(Verified {
        key_fingerprint: signer.fingerprint(),
        report_sha256: actual,
        subject_name: subject.name.clone(),
        predicate: statement.predicate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(seed: u8) -> ReportSigner {
        ReportSigner::from_seed(&[seed; 32])
    }

    const REPORT: &[u8] = br#"{"schema_version":1,"score":72}"#;

    fn signed() -> (ReportSigner, Envelope) {
        let s = signer(7);
        let env = s.sign("report.json", REPORT, serde_json::json!({"generator": {"name": "zerodock"}}));
        (s, env)
    }

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // The DSSE protocol document's test vector.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn round_trip_through_json() {
        let (s, env) = signed();
        let parsed = Envelope::from_json(env.to_json().as_bytes()).expect("parses");
        let ok = verify(&parsed, REPORT, &[s.public()]).expect("valid");
        assert_eq!(ok.key_fingerprint, s.public().fingerprint());
        assert_eq!(ok.report_sha256, sha256_hex(REPORT));
        assert_eq!(ok.subject_name, "report.json");
        let st = parsed.statement_unverified().expect("statement");
        assert_eq!(st.predicate_type, PREDICATE_TYPE);
        assert_eq!(parsed.payload_type, PAYLOAD_TYPE);
    }

    #[test]
    fn tampered_report_is_a_digest_mismatch() {
        let (s, env) = signed();
        let mut report = REPORT.to_vec();
        report[25] = b'9';
        let err = verify(&env, &report, &[s.public()]).expect_err("tampered");
        assert!(matches!(err, VerifyError::DigestMismatch { .. }), "{err}");
        assert!(err.is_invalid());
    }

    #[test]
    fn tampered_payload_is_a_bad_signature() {
        let (s, mut env) = signed();
        // A forger re-points the statement at the tampered report: the signature no longer holds.
        let mut st = env.statement_unverified().expect("statement");
        st.subject[0].digest.insert("sha256".into(), sha256_hex(b"other"));
        env.payload = B64.encode(serde_json::to_vec(&st).expect("json"));
        let err = verify(&env, b"other", &[s.public()]).expect_err("tampered");
        assert_eq!(err, VerifyError::BadSignature { key: s.public().fingerprint() });
    }

    #[test]
    fn wrong_key_is_unknown() {
        let (s, env) = signed();
        let other = signer(8).public();
        let err = verify(&env, REPORT, std::slice::from_ref(&other)).expect_err("wrong key");
        match err {
            VerifyError::UnknownKey { signed_by, trusted } => {
                assert_eq!(signed_by, s.public().fingerprint());
                assert_eq!(trusted, other.fingerprint());
            }
            other => panic!("expected UnknownKey, got {other}"),
        }
        assert!(matches!(verify(&env, REPORT, &[]), Err(VerifyError::UnknownKey { .. })));
    }

    #[test]
    fn malformed_envelopes_are_errors_not_verdicts() {
        let (s, env) = signed();
        let k = [s.public()];
        let cases: Vec<(&str, Result<Envelope, VerifyError>)> = vec![
            ("garbage", Envelope::from_json(b"not json at all")),
            ("wrong shape", Envelope::from_json(br#"{"payload": 3}"#)),
            ("payload type", Ok(Envelope { payload_type: "text/plain".into(), ..env.clone() })),
            ("base64", Ok(Envelope { payload: "%%%".into(), ..env.clone() })),
            ("statement", Ok(Envelope { payload: B64.encode(b"{}"), ..env.clone() })),
            ("no signature", Ok(Envelope { signatures: vec![], ..env.clone() })),
        ];
        for (name, parsed) in cases {
            let err = parsed.and_then(|e| verify(&e, REPORT, &k)).expect_err(name);
            assert!(matches!(err, VerifyError::Malformed(_)), "{name}: {err}");
            assert!(!err.is_invalid(), "{name}");
        }
    }
}
