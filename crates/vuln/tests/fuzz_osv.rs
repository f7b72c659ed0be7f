//! Property-based fuzzing of the vulnerability database's input (issue 13, "Bad input, fuzzed"):
//! an OSV export (`all.zip`) is downloaded from the network or handed over as a file, and each of
//! its records is then matched against installed versions — CVSS vectors, ecosystem names,
//! version ranges and version strings all come from it.
//!
//! Seeds: the real advisories of `testdata/osv/` (as `tests/vulndb.rs` uses them). Mutations: a
//! record's JSON values replaced (anywhere, or aimed at ecosystems, versions, range events,
//! severity vectors, dates, ids) or its bytes flipped and cut; the zip's bytes damaged.
//!
//! Properties: no input panics, at import or at matching; an entry that is not a record is
//! counted as malformed under its entry name and the import goes on; a zip that cannot be read is
//! refused as a corrupt export naming the file, and the database keeps what it held; a match of a
//! mutated record names that record.
//!
//! A short run is part of `cargo test`; `ZERODOCK_FUZZ_CASES=N` sets every property's case count
//! (the damaged-zip property's to N / 10: each case imports twice): `ZERODOCK_FUZZ_CASES=100000
//! cargo test --release -p zerodock-vuln --test fuzz_osv`.

use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use serde_json::Value;
use zerodock_vuln::db::{Database, Error};

/// Cases per property: `default_cases` in `cargo test`, `ZERODOCK_FUZZ_CASES / divisor` for a
/// long run.
fn config(default_cases: u32, divisor: u32) -> ProptestConfig {
    let cases = std::env::var("ZERODOCK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .map_or(default_cases, |n| (n / divisor).max(1));
    // Failing inputs become named regression tests here by hand, not `proptest-regressions/`.
    ProptestConfig { cases, failure_persistence: None, max_shrink_iters: 512, ..ProptestConfig::default() }
}

const REAL: &[&str] = &[
    "DSA-3029-1",
    "DLA-3623-1",
    "DLA-4413-1",
    "DSA-6091-1",
    "UBUNTU-CVE-2025-38094",
    "ALPINE-CVE-2022-37434",
    "ALPINE-CVE-2026-22184",
];

fn records() -> &'static [Value] {
    static RECORDS: OnceLock<Vec<Value>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        REAL.iter()
            .map(|id| {
                let path =
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/osv").join(format!("{id}.json"));
                let text =
                    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            })
            .collect()
    })
}

/// (ecosystem, package, a version) of every affected package of the seeds: what gets matched.
fn queries() -> &'static [(String, String, String)] {
    static QUERIES: OnceLock<Vec<(String, String, String)>> = OnceLock::new();
    QUERIES.get_or_init(|| {
        let mut out = Vec::new();
        for r in records() {
            for a in r["affected"].as_array().into_iter().flatten() {
                let (eco, name) = (a["package"]["ecosystem"].as_str(), a["package"]["name"].as_str());
                if let (Some(eco), Some(name)) = (eco, name) {
                    for e in a["ranges"][0]["events"].as_array().into_iter().flatten() {
                        for v in e.as_object().into_iter().flat_map(|o| o.values()).filter_map(Value::as_str)
                        {
                            out.push((eco.to_owned(), name.to_owned(), v.to_owned()));
                        }
                    }
                }
            }
        }
        out
    })
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in entries {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).expect("entry");
        w.write_all(body).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

// ---------------------------------------------------------------------------------------------
// Mutations

/// Values an OSV field may be given by a broken or hostile export.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[a-zA-Z0-9 :.+~_-]{0,16}".prop_map(Value::from),
        prop::sample::select(
            &[
                "0",
                "",
                "1:",
                ":",
                "~",
                "1.0-",
                "-1",
                "1.2.12-r2",
                "1:1.0-1",
                "1.0~rc1",
                "99999999999999999999",
                "Debian:12",
                "Debian:",
                "Alpine:v3.22",
                "Alpine:edge",
                "Ubuntu:22.04:LTS",
                "Ubuntu:Pro:18.04:LTS",
                "Red Hat",
                "PyPI",
                "npm",
                "ECOSYSTEM",
                "SEMVER",
                "GIT",
                "CVSS_V3",
                "CVSS_V4",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "CVSS:3.1/AV:N",
                "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
                "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U",
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                "CVSS:3.1//////",
                "2020-01-01T00:00:00Z",
                "yesterday",
                "9999-12-31T23:59:59Z",
                "HIGH",
                "critical",
            ][..],
        )
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 10, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(
                    &[
                        "introduced",
                        "fixed",
                        "last_affected",
                        "limit",
                        "type",
                        "score",
                        "ecosystem",
                        "name",
                        "x"
                    ][..]
                ),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// Replaces the `n`th value of a document (depth-first) with `with`.
fn replace_nth(value: &mut Value, n: &mut usize, with: &Value) -> bool {
    if *n == 0 {
        *value = with.clone();
        return true;
    }
    *n -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|v| replace_nth(v, n, with)),
        Value::Object(map) => map.values_mut().any(|v| replace_nth(v, n, with)),
        _ => false,
    }
}

/// A record's entry: a seed with 1–4 value edits, then maybe byte edits.
fn record_entry() -> impl Strategy<Value = (String, Vec<u8>)> {
    (
        any::<Index>(),
        prop::collection::vec((0usize..120, any_json()), 1..4),
        // Byte damage and cuts are rarer: most entries should stay records, so the import and the
        // matching behind the JSON parser are what is fuzzed.
        prop::collection::vec((any::<Index>(), any::<u8>()), 0..2),
        prop::option::weighted(0.1, any::<Index>()),
    )
        .prop_map(|(seed, edits, flips, cut)| {
            let mut doc = records()[seed.index(records().len())].clone();
            for (n, with) in edits {
                replace_nth(&mut doc, &mut n.clone(), &with);
            }
            let name = format!("{}.json", doc["id"].as_str().unwrap_or("entry"));
            let mut bytes = serde_json::to_vec(&doc).unwrap_or_default();
            for (at, x) in flips {
                let i = at.index(bytes.len().max(1));
                if let Some(b) = bytes.get_mut(i) {
                    *b ^= x;
                }
            }
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            (name, bytes)
        })
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config(48, 1))]

    /// Exports of mutated records (with one intact record beside them): imported without a panic,
    /// every entry accounted for, every seed package matchable afterwards without a panic; a
    /// matched record is one of the export's.
    #[test]
    fn mutated_records_import_and_match_without_panic(
        entries in prop::collection::vec(record_entry(), 1..4),
        intact in any::<Index>(),
        version in prop_oneof![Just(None), "[0-9a-z.:~+-]{0,12}".prop_map(Some)],
    ) {
        let intact_doc = &records()[intact.index(records().len())];
        let ids: Vec<String> = entries.iter().map(|(name, _)| name.trim_end_matches(".json").to_owned())
            .chain([intact_doc["id"].as_str().unwrap_or_default().to_owned()]).collect();
        // Entry names are unique in a zip (a record's id may repeat).
        let mut all: Vec<(String, Vec<u8>)> = entries.into_iter().enumerate().map(|(i, (name, b))| (format!("{i}-{name}"), b)).collect();
        all.push(("intact.json".into(), serde_json::to_vec(intact_doc).unwrap_or_default()));
        // A fresh database per case: a reused one keeps the ecosystems earlier exports held.
        let dir = tempfile::tempdir().expect("tempdir");
        let zip = dir.path().join("all.zip");
        let mut db = Database::open(&dir.path().join("vulndb.sqlite")).expect("open");
        {
            std::fs::write(&zip, zip_of(&all)).expect("write zip");
            let summary = db.import_zip(&zip, "fuzz").map_err(|e| TestCaseError::fail(e.to_string()))?;
            let counted = summary.imported + summary.withdrawn + summary.no_affected
                + summary.unknown_ecosystems.values().sum::<u64>() + summary.malformed.len() as u64;
            // An entry can be counted twice (imported in one ecosystem, a duplicate id in another).
            prop_assert!(counted >= all.len() as u64, "{} entries, {summary:?}", all.len());
            for (name, why) in &summary.malformed {
                prop_assert!(all.iter().any(|(n, _)| n == name), "malformed under a name not in the zip: {name}");
                prop_assert!(!why.is_empty());
            }
            for (eco, package, seed_version) in queries() {
                let v = version.as_deref().unwrap_or(seed_version);
                match db.matches(eco, package, v) {
                    Ok(found) => for m in found {
                        prop_assert!(ids.contains(&m.id) || all.iter().any(|(_, b)| String::from_utf8_lossy(b).contains(&m.id)),
                            "{} matched but not in this export", m.id);
                    },
                    Err(Error::Version { version, .. }) => prop_assert_eq!(version.as_str(), v),
                    Err(e) => prop_assert!(false, "{eco} {package} {v}: {e}"),
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(config(16, 10))]

    /// Damaged zips: imported, or refused as a corrupt export naming the file — and then the
    /// database answers as it did before.
    #[test]
    fn damaged_exports_are_refused_and_keep_the_database(
        flips in prop::collection::vec((any::<Index>(), 1u8..=255), 1..6),
        cut in any::<Option<Index>>(),
    ) {
        let good: Vec<(String, Vec<u8>)> = records().iter()
            .map(|r| (format!("{}.json", r["id"].as_str().unwrap_or("x")), serde_json::to_vec(r).unwrap_or_default()))
            .collect();
        let mut bytes = zip_of(&good);
        for (at, x) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= x;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        // A fresh database per case, in a temp dir removed with it (a static one would outlive
        // the test process's cleanup and stay in /tmp).
        let dir = tempfile::tempdir().expect("tempdir");
        let zip = dir.path().join("all.zip");
        let mut db = Database::open(&dir.path().join("vulndb.sqlite")).expect("open");
        {
            std::fs::write(&zip, zip_of(&good)).expect("write zip");
            db.import_zip(&zip, "good").map_err(|e| TestCaseError::fail(e.to_string()))?;
            let answers = |db: &Database| -> Vec<String> {
                queries().iter().map(|(e, p, v)| format!("{:?}", db.matches(e, p, v).map(|m| m.into_iter().map(|m| (m.id, m.fixed)).collect::<Vec<_>>()))).collect()
            };
            let before = (answers(&db), db.info().map_err(|e| TestCaseError::fail(e.to_string()))?);
            std::fs::write(&zip, &bytes).expect("write zip");
            match db.import_zip(&zip, "damaged") {
                Ok(_) => {}
                Err(e @ Error::CorruptExport { .. }) => {
                    prop_assert!(e.to_string().starts_with(&zip.display().to_string()), "{e}");
                    let after = (answers(&db), db.info().map_err(|e| TestCaseError::fail(e.to_string()))?);
                    prop_assert_eq!(after, before, "a refused import changed the database");
                }
                Err(e) => prop_assert!(false, "not a corrupt export: {e}"),
            }
        }
    }
}

#[test]
fn the_seeds_import_and_match() {
    let entries: Vec<(String, Vec<u8>)> = records()
        .iter()
        .map(|r| {
            (format!("{}.json", r["id"].as_str().unwrap_or("x")), serde_json::to_vec(r).unwrap_or_default())
        })
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let zip = dir.path().join("all.zip");
    std::fs::write(&zip, zip_of(&entries)).expect("write");
    let mut db = Database::open(&dir.path().join("v.sqlite")).expect("open");
    let s = db.import_zip(&zip, "seeds").expect("import");
    assert_eq!((s.imported, s.malformed.len()), (6, 0), "{s:?}");
    assert!(queries().len() >= 10, "{:?}", queries());
    assert!(
        queries().iter().any(|(e, p, v)| !db.matches(e, p, v).expect("match").is_empty()),
        "a seed version matches"
    );
}
