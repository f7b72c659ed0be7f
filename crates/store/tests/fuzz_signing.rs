//! Property-based fuzzing of what `zerodock verify` reads (issue 13, "Bad input, fuzzed"; the
//! signed reports of issue 10): the DSSE envelope file, the in-toto statement inside it, the
//! auditor's PEM public keys, and the report bytes — all handed over by someone else.
//!
//! Seeds: envelopes signed here by a real key (`ReportSigner` from the mock keyring) over a
//! report evaluated from the captured fixture, and that key's PEM. Mutations: bytes of the
//! envelope file (flips, cuts, inserts, splices); its fields (payload type, the base64 payload
//! re-encoded after editing the statement, or made non-canonical, signatures cut, flipped,
//! dropped, duplicated, re-labelled, added by another key); the report's bytes; the PEM text.
//!
//! Properties: no input panics; `Envelope::from_json` errors carry serde_json's line and column;
//! an edited envelope or report **never verifies** unless the edit left what is signed intact
//! (a key id is a hint, an extra signature by another key changes nothing), and the error says
//! the right thing (tampered content for an edited report, a bad signature for an edited statement
//! signed by a trusted key — never "unknown key" naming a key that is trusted); a PEM key read back
//! is the key written.
//!
//! A short run is part of `cargo test`; `ZERODOCK_FUZZ_CASES=N` sets every property's case count:
//! `ZERODOCK_FUZZ_CASES=100000 cargo test --release -p zerodock-store --test fuzz_signing`.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, STANDARD_NO_PAD, URL_SAFE};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use zerodock_engine::{EvalConfig, Snapshot, evaluate};
use zerodock_store::secrets::Secrets;
use zerodock_store::signing::{Envelope, EnvelopeSignature, PublicKey, ReportSigner, VerifyError, verify};

/// Cases per property: `default_cases` in `cargo test`, `ZERODOCK_FUZZ_CASES` for a long run.
fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("ZERODOCK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default_cases);
    // Failing inputs become named regression tests here by hand, not `proptest-regressions/`.
    ProptestConfig { cases, failure_persistence: None, max_shrink_iters: 1024, ..ProptestConfig::default() }
}

/// The trusted signer, another key, a report and its genuine envelope.
struct Seeds {
    signer: ReportSigner,
    report: Vec<u8>,
    envelope: Envelope,
    /// The other key's genuine signature of the same statement (untrusted, so it decides nothing).
    other_signature: EnvelopeSignature,
}

fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let signer = |what: &str| {
            let secrets = Secrets::mock().unwrap_or_else(|e| panic!("mock keyring for {what}: {e}"));
            ReportSigner::load_or_create(&secrets).unwrap_or_else(|e| panic!("{what} key: {e}")).0
        };
        let (signer, other) = (signer("trusted"), signer("other"));
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/default.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let snap = Snapshot::from_json(&text).expect("fixture");
        let report =
            serde_json::to_vec_pretty(&evaluate(&snap, &EvalConfig::at(snap.collected_at))).expect("report");
        let predicate = serde_json::json!({"generator": {"name": "zerodock"}, "score": 72});
        let envelope = signer.sign("report.json", &report, predicate.clone());
        let other_signature = other.sign("report.json", &report, predicate).signatures[0].clone();
        Seeds { signer, report, envelope, other_signature }
    })
}

fn trusted() -> Vec<PublicKey> {
    vec![seeds().signer.public()]
}

/// The genuine envelope's decoded payload: what a verifying envelope must carry.
fn genuine_payload() -> Vec<u8> {
    B64.decode(&seeds().envelope.payload).expect("genuine payload")
}

// ---------------------------------------------------------------------------------------------
// Mutations of the envelope's bytes

fn byte_mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let edit = prop_oneof![
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| (0u8, at, vec![bit])),
        any::<Index>().prop_map(|at| (1u8, at, vec![])),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, b)| (2u8, at, b)),
        (any::<Index>(), 1usize..40).prop_map(|(at, n)| (3u8, at, vec![n as u8])),
        (
            any::<Index>(),
            prop::sample::select(
                &["\"", "\\", "{", "}", "[", "]", ",", ":", "null", "\"\\u0000\"", "1e999"][..]
            )
        )
            .prop_map(|(at, s)| (2u8, at, s.as_bytes().to_vec())),
    ];
    prop::collection::vec(edit, 1..6).prop_map(move |edits| {
        let mut data = seed.clone();
        for (kind, at, arg) in edits {
            match kind {
                0 if !data.is_empty() => {
                    let i = at.index(data.len());
                    data[i] ^= 1 << arg[0];
                }
                1 => data.truncate(at.index(data.len() + 1)),
                2 => {
                    let i = at.index(data.len() + 1);
                    data.splice(i..i, arg);
                }
                3 => {
                    let i = at.index(data.len() + 1);
                    let end = (i + arg[0] as usize).min(data.len());
                    data.drain(i..end);
                }
                _ => {}
            }
        }
        data
    })
}

// ---------------------------------------------------------------------------------------------
// Mutations of the envelope's fields and of the report

/// One edit, and what it does to the verdict.
#[derive(Debug, Clone)]
enum Edit {
    /// `payloadType` changed.
    PayloadType(String),
    /// A JSON value of the statement replaced (`n`th in a depth-first walk), re-encoded.
    Statement { n: usize, with: serde_json::Value },
    /// A bit of the decoded payload flipped, re-encoded.
    PayloadBit { at: Index, bit: u8 },
    /// The payload re-encoded without padding / with the URL-safe alphabet / with a newline.
    PayloadEncoding(u8),
    /// The payload string cut or replaced by noise.
    PayloadText(String),
    /// A bit of the trusted signature flipped.
    SigBit { at: Index, bit: u8 },
    /// The trusted signature's base64 cut.
    SigCut(Index),
    /// The signature list emptied.
    NoSignatures,
    /// The trusted signature's key id changed (only a hint).
    KeyId(String),
    /// A signature by the other key added in front (changes nothing).
    OtherSigFirst,
    /// The trusted signature replaced by the other key's signature of the same payload.
    OtherSigOnly,
    /// The signature duplicated.
    DuplicateSig,
    /// A bit of the report flipped.
    ReportBit { at: Index, bit: u8 },
    /// The report cut or extended by a byte.
    ReportLength(bool),
}

fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-zA-Z0-9 :/._-]{0,16}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("https://in-toto.io/Statement/v1")),
        Just(serde_json::Value::from("https://zerodock.dev/attestation/report/v1")),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z_]{1,6}", inner, 0..3)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        prop::sample::select(
            &["", "application/vnd.in-toto+JSON", "application/vnd.in-toto+json ", "text/plain"][..]
        )
        .prop_map(|s| Edit::PayloadType(s.to_owned())),
        (0usize..40, any_json()).prop_map(|(n, with)| Edit::Statement { n, with }),
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Edit::PayloadBit { at, bit }),
        (0u8..3).prop_map(Edit::PayloadEncoding),
        "[A-Za-z0-9+/=\\n -]{0,24}".prop_map(Edit::PayloadText),
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Edit::SigBit { at, bit }),
        any::<Index>().prop_map(Edit::SigCut),
        Just(Edit::NoSignatures),
        "[a-z0-9:]{0,20}".prop_map(Edit::KeyId),
        Just(Edit::OtherSigFirst),
        Just(Edit::OtherSigOnly),
        Just(Edit::DuplicateSig),
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Edit::ReportBit { at, bit }),
        any::<bool>().prop_map(Edit::ReportLength),
    ]
}

/// Replaces the `n`th value of a document (depth-first) with `with`.
fn replace_nth(value: &mut serde_json::Value, n: &mut usize, with: &serde_json::Value) -> bool {
    if *n == 0 {
        *value = with.clone();
        return true;
    }
    *n -= 1;
    match value {
        serde_json::Value::Array(items) => items.iter_mut().any(|v| replace_nth(v, n, with)),
        serde_json::Value::Object(map) => map.values_mut().any(|v| replace_nth(v, n, with)),
        _ => false,
    }
}

/// Applies `edit` to the envelope and report.
fn apply(env: &mut Envelope, report: &mut Vec<u8>, edit: &Edit) {
    let payload = || B64.decode(&env.payload).unwrap_or_default();
    match edit {
        Edit::PayloadType(t) => env.payload_type.clone_from(t),
        Edit::Statement { n, with } => {
            if let Ok(mut doc) = serde_json::from_slice::<serde_json::Value>(&payload()) {
                replace_nth(&mut doc, &mut n.clone(), with);
                env.payload = B64.encode(serde_json::to_vec(&doc).unwrap_or_default());
            }
        }
        Edit::PayloadBit { at, bit } => {
            let mut bytes = payload();
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] ^= 1 << bit;
            }
            env.payload = B64.encode(bytes);
        }
        Edit::PayloadEncoding(how) => {
            let bytes = payload();
            env.payload = match how {
                0 => STANDARD_NO_PAD.encode(&bytes),
                1 => URL_SAFE.encode(&bytes),
                _ => {
                    let text = B64.encode(&bytes);
                    let mid = text.len() / 2;
                    format!("{}\n{}", &text[..mid], &text[mid..])
                }
            };
        }
        Edit::PayloadText(t) => env.payload.clone_from(t),
        Edit::SigBit { at, bit } => {
            if let Some(s) = env.signatures.first_mut() {
                let mut bytes = B64.decode(&s.sig).unwrap_or_default();
                if !bytes.is_empty() {
                    let i = at.index(bytes.len());
                    bytes[i] ^= 1 << bit;
                }
                s.sig = B64.encode(bytes);
            }
        }
        Edit::SigCut(at) => {
            if let Some(s) = env.signatures.first_mut() {
                s.sig.truncate(at.index(s.sig.len() + 1));
            }
        }
        Edit::NoSignatures => env.signatures.clear(),
        Edit::KeyId(id) => {
            if let Some(s) = env.signatures.first_mut() {
                s.keyid.clone_from(id);
            }
        }
        Edit::OtherSigFirst | Edit::OtherSigOnly => {
            if matches!(edit, Edit::OtherSigOnly) {
                env.signatures.clear();
            }
            env.signatures.insert(0, seeds().other_signature.clone());
        }
        Edit::DuplicateSig => {
            if let Some(s) = env.signatures.first().cloned() {
                env.signatures.push(s);
            }
        }
        Edit::ReportBit { at, bit } => {
            let i = at.index(report.len());
            report[i] ^= 1 << bit;
        }
        Edit::ReportLength(longer) => {
            if *longer {
                report.push(b'\n');
            } else {
                report.pop();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config(256))]

    /// Mutated envelope files: no panic; errors carry serde_json's line and column; an envelope
    /// that still verifies carries the genuine payload and signs the genuine report.
    #[test]
    fn envelope_files_never_panic_and_only_the_genuine_payload_verifies(bytes in byte_mutated(seeds().envelope.to_json().into_bytes())) {
        match Envelope::from_json(&bytes) {
            Ok(env) => {
                let _ = env.statement_unverified();
                if verify(&env, &seeds().report, &trusted()).is_ok() {
                    prop_assert_eq!(B64.decode(&env.payload).ok(), Some(genuine_payload()));
                }
            }
            Err(e) => {
                let text = e.to_string();
                prop_assert!(matches!(e, VerifyError::Malformed(_)), "{text}");
                prop_assert!(text.contains(" line ") && text.contains(" column "), "{text}");
            }
        }
    }

}

proptest! {
    // ed25519 verification is slow in a debug build: fewer cases in `cargo test`.
    #![proptest_config(config(64))]

    /// Edited envelopes and reports verify exactly when what is signed is intact, and fail with
    /// the reason that fits the edit.
    #[test]
    fn edits_verify_only_when_what_is_signed_is_intact(edits in prop::collection::vec(edit(), 1..4)) {
        let mut env = seeds().envelope.clone();
        let mut report = seeds().report.clone();
        for e in &edits {
            apply(&mut env, &mut report, e);
        }
        let payload_intact = env.payload_type == seeds().envelope.payload_type
            && B64.decode(&env.payload).ok() == Some(genuine_payload());
        let genuine_sig = &seeds().envelope.signatures[0].sig;
        let sig_intact = env.signatures.iter().any(|s| B64.decode(&s.sig).ok() == B64.decode(genuine_sig).ok());
        let report_intact = report == seeds().report;
        let result = verify(&env, &report, &trusted());
        // Round trip through the file form too: what is written is what is read.
        let reread = Envelope::from_json(env.to_json().as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&reread, &env);
        match &result {
            Ok(ok) => {
                prop_assert!(payload_intact && sig_intact && report_intact, "verified after {edits:?}");
                prop_assert_eq!(&ok.key_fingerprint, &seeds().signer.public().fingerprint());
            }
            Err(e) => {
                prop_assert!(!(payload_intact && sig_intact && report_intact), "{e} after only {edits:?}");
                if payload_intact && sig_intact {
                    prop_assert!(matches!(e, VerifyError::DigestMismatch { .. }), "{e} for an edited report");
                }
                if let VerifyError::UnknownKey { signed_by, trusted } = e {
                    // "Unknown key" may not be said of a signature the trusted key's id labels.
                    let fp = seeds().signer.public().fingerprint();
                    prop_assert!(
                        !(signed_by.split(", ").any(|id| id == fp) && trusted.contains(&fp)),
                        "{e} after {edits:?}"
                    );
                }
                prop_assert_eq!(e.is_invalid(), !matches!(e, VerifyError::Malformed(_)));
            }
        }
    }

}

proptest! {
    #![proptest_config(config(256))]

    /// PEM public keys as an auditor keeps them (comments around, CRLF), mutated: no panic; a key
    /// read is a key that writes back to the same PEM.
    #[test]
    fn pem_keys_never_panic_and_read_back_as_written(
        bytes in byte_mutated(format!("# auditor's copy\r\n{}\r\ntrailing note\n", seeds().signer.public().to_pem()).into_bytes()),
    ) {
        let text = String::from_utf8_lossy(&bytes);
        match PublicKey::from_pem(&text) {
            Ok(key) => {
                let again = PublicKey::from_pem(&key.to_pem()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&again, &key);
                prop_assert_eq!(again.fingerprint(), key.fingerprint());
            }
            Err(e) => prop_assert!(e.to_string().starts_with("not an ed25519 public key"), "{e}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Named cases

#[test]
fn the_seed_envelope_verifies() {
    let ok = verify(&seeds().envelope, &seeds().report, &trusted()).expect("genuine envelope");
    assert_ne!(seeds().other_signature.keyid, seeds().envelope.signatures[0].keyid, "two keys");
    assert_eq!(ok.subject_name, "report.json");
    let env = Envelope::from_json(seeds().envelope.to_json().as_bytes()).expect("reads back");
    assert!(verify(&env, &seeds().report, &trusted()).is_ok());
    assert!(PublicKey::from_pem(&seeds().signer.public().to_pem()).is_ok());
}

/// Found by `edits_verify_only_when_what_is_signed_is_intact`: a signature cut to nothing (or not
/// base64, or not 64 bytes) under the trusted key's id was reported as "unknown key: signed by K,
/// trusted: K". It is K's signature, altered.
#[test]
fn an_unreadable_signature_under_a_trusted_key_id_is_a_bad_signature() {
    for sig in ["", "not base64!", "AAAA"] {
        let mut env = seeds().envelope.clone();
        env.signatures[0].sig = sig.to_owned();
        let err = verify(&env, &seeds().report, &trusted()).expect_err("altered signature");
        assert_eq!(err, VerifyError::BadSignature { key: seeds().signer.public().fingerprint() }, "{sig:?}");
    }
}
