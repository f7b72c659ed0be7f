//! Property-based fuzzing of the history database as read back (issue 13, "Bad input, fuzzed";
//! the history of issue 10): a database file damaged on disk, torn by a crash, or edited by hand
//! or by another program must not take down `zerodock history`/`diff` or the app.
//!
//! Seed: a real history (`History::save`) of three scans of the captured fixtures, as bytes.
//! Mutations, through SQL: the compressed report blobs (bits flipped, cut, garbage, a valid
//! deflate stream of damaged or other JSON), the list columns (`counts`, `categories`, `grade`,
//! `score`, `scanned_at` at the ends of its range, `report_encoding`), the catalogue texts (edited
//! or deleted), the schema version; and raw bytes of the file (page damage).
//!
//! Properties: no panic in open, list, engines, count, summary, get, latest_two and diff; a
//! damaged file is moved aside or refused, never silently half-read; an error names the database
//! or the scan.
//!
//! A short run is part of `cargo test`; `ZERODOCK_FUZZ_CASES=N` sets every property's case count:
//! `ZERODOCK_FUZZ_CASES=10000 cargo test --release -p zerodock-store --test fuzz_history`.

use std::io::Write as _;
use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use rusqlite::Connection;
use zerodock_engine::{EvalConfig, Snapshot, evaluate};
use zerodock_store::history::{Error, History, diff};

/// Cases per property: `default_cases` in `cargo test`, `ZERODOCK_FUZZ_CASES` for a long run.
fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("ZERODOCK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default_cases);
    // Failing inputs become named regression tests here by hand, not `proptest-regressions/`.
    ProptestConfig { cases, failure_persistence: None, max_shrink_iters: 256, ..ProptestConfig::default() }
}

/// The pristine history's bytes (WAL checkpointed into the file).
fn seed_db() -> &'static [u8] {
    static SEED: OnceLock<Vec<u8>> = OnceLock::new();
    SEED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("history.sqlite");
        {
            let (mut history, _) = History::open(&path).expect("open");
            for (i, name) in ["hardened", "default", "hardened"].iter().enumerate() {
                let file = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(format!("../engine/tests/fixtures/{name}.json"));
                let text = std::fs::read_to_string(&file).expect("fixture");
                let snap = Snapshot::from_json(&text).expect("fixture parses");
                let mut report = evaluate(&snap, &EvalConfig::at(snap.collected_at));
                report.generated_at += chrono::Duration::minutes(i as i64);
                history.save(&report).expect("save");
            }
        }
        let conn = Connection::open(&path).expect("reopen");
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
            .expect("checkpoint");
        drop(conn);
        std::fs::read(&path).expect("read db")
    })
}

/// A value for a column: any SQLite type, and the shapes the readers expect, damaged.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
    /// The current value with a bit flipped (text stays text, blob stays blob).
    Flip {
        at: Index,
        bit: u8,
    },
    /// The current value cut.
    Cut(Index),
    /// A deflate stream of this text (a report blob that decompresses, to something else).
    Deflated(String),
    /// The current blob inflated, a bit of its JSON flipped, deflated again.
    InnerFlip {
        at: Index,
        bit: u8,
    },
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Null),
        prop_oneof![
            any::<i64>(),
            Just(i64::MIN),
            Just(i64::MAX),
            Just(-1i64),
            Just(0i64),
            Just(101i64),
            Just(256i64)
        ]
        .prop_map(Cell::Int),
        prop_oneof![
            "[ -~]{0,24}",
            Just("{}".to_owned()),
            Just("[]".to_owned()),
            Just("{\"fail\":-1}".to_owned()),
            Just("[{\"category\":\"nope\"}]".to_owned()),
            Just("Z".to_owned()),
            Just("{\"schema_version\":1,\"checks\":[{\"catalogue_text\":\"missing\"}]}".to_owned())
        ]
        .prop_map(Cell::Text),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(Cell::Blob),
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Cell::Flip { at, bit }),
        any::<Index>().prop_map(Cell::Cut),
        prop_oneof![
            Just("null".to_owned()),
            Just("{\"schema_version\":1}".to_owned()),
            Just("{\"schema_version\":99}".to_owned()),
            "[ -~]{0,40}"
        ]
        .prop_map(Cell::Deflated),
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Cell::InnerFlip { at, bit }),
    ]
}

/// One edit of the database.
#[derive(Debug, Clone)]
enum Edit {
    /// A column of a row of `scans` set.
    Scan { row: Index, column: &'static str, cell: Cell },
    /// A catalogue text set or deleted.
    Text { row: Index, cell: Option<Cell> },
    /// `PRAGMA user_version` set.
    Version(i64),
    /// Raw file bytes flipped (after the SQL edits).
    Page { at: Index, byte: u8 },
}

fn edit() -> impl Strategy<Value = Edit> {
    let column = prop::sample::select(
        &[
            "report",
            "report",
            "report",
            "counts",
            "categories",
            "grade",
            "score",
            "scanned_at",
            "report_encoding",
            "engine",
            "reached_engine",
        ][..],
    );
    prop_oneof![
        6 => (any::<Index>(), column, cell()).prop_map(|(row, column, cell)| Edit::Scan { row, column, cell }),
        2 => (any::<Index>(), prop::option::weighted(0.7, cell())).prop_map(|(row, cell)| Edit::Text { row, cell }),
        1 => prop_oneof![Just(0i64), Just(1), Just(3), Just(-1), any::<i64>()].prop_map(Edit::Version),
        1 => (any::<Index>(), 1u8..=255).prop_map(|(at, byte)| Edit::Page { at, byte }),
    ]
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("deflate");
    enc.finish().expect("deflate")
}

fn inflate(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = std::io::Read::read_to_end(&mut flate2::read::DeflateDecoder::new(bytes), &mut out);
    out
}

/// The new value of a cell, from its current one.
fn new_value(cell: &Cell, current: rusqlite::types::Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    let flip = |mut bytes: Vec<u8>, at: &Index, bit: u8| {
        if !bytes.is_empty() {
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
        }
        bytes
    };
    match (cell, current) {
        (Cell::Null, _) => V::Null,
        (Cell::Int(n), _) => V::Integer(*n),
        (Cell::Text(t), _) => V::Text(t.clone()),
        (Cell::Blob(b), _) => V::Blob(b.clone()),
        (Cell::Deflated(t), _) => V::Blob(deflate(t.as_bytes())),
        (Cell::Flip { at, bit }, V::Blob(b)) => V::Blob(flip(b, at, *bit)),
        (Cell::Flip { at, bit }, V::Text(t)) => {
            V::Text(String::from_utf8_lossy(&flip(t.into_bytes(), at, *bit)).into_owned())
        }
        (Cell::Flip { bit, .. }, V::Integer(n)) => V::Integer(n ^ (1 << (bit * 7))),
        (Cell::Cut(at), V::Blob(mut b)) => {
            b.truncate(at.index(b.len() + 1));
            V::Blob(b)
        }
        (Cell::Cut(at), V::Text(t)) => V::Text(t.chars().take(at.index(t.chars().count() + 1)).collect()),
        (Cell::InnerFlip { at, bit }, V::Blob(b)) => V::Blob(deflate(&flip(inflate(&b), at, *bit))),
        (_, other) => other,
    }
}

/// Applies the SQL edits to the file at `path`, then the raw ones. An edit SQLite refuses (a
/// STRICT column's type) is skipped: the file stays as SQLite keeps it.
fn apply(path: &Path, edits: &[Edit]) {
    {
        let conn = Connection::open(path).expect("open for edits");
        for e in edits {
            match e {
                Edit::Scan { row, column, cell } => {
                    let ids: Vec<i64> = conn
                        .prepare("SELECT id FROM scans ORDER BY id")
                        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                        .unwrap_or_default();
                    let Some(&id) = ids.get(row.index(ids.len().max(1))) else { continue };
                    let current: rusqlite::types::Value = conn
                        .query_row(&format!("SELECT {column} FROM scans WHERE id = ?1"), [id], |r| r.get(0))
                        .unwrap_or(rusqlite::types::Value::Null);
                    let value = new_value(cell, current);
                    let _ = conn.execute(
                        &format!("UPDATE scans SET {column} = ?1 WHERE id = ?2"),
                        rusqlite::params![value, id],
                    );
                }
                Edit::Text { row, cell } => {
                    let hashes: Vec<String> = conn
                        .prepare("SELECT hash FROM check_texts ORDER BY hash")
                        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                        .unwrap_or_default();
                    let Some(hash) = hashes.get(row.index(hashes.len().max(1))) else { continue };
                    match cell {
                        None => {
                            let _ = conn.execute("DELETE FROM check_texts WHERE hash = ?1", [hash]);
                        }
                        Some(cell) => {
                            let current: rusqlite::types::Value = conn
                                .query_row("SELECT text FROM check_texts WHERE hash = ?1", [hash], |r| {
                                    r.get(0)
                                })
                                .unwrap_or(rusqlite::types::Value::Null);
                            let value = new_value(cell, current);
                            let _ = conn.execute(
                                "UPDATE check_texts SET text = ?1 WHERE hash = ?2",
                                rusqlite::params![value, hash],
                            );
                        }
                    }
                }
                Edit::Version(v) => {
                    let _ = conn.execute_batch(&format!("PRAGMA user_version = {v}"));
                }
                Edit::Page { .. } => {}
            }
        }
    }
    let pages: Vec<_> = edits
        .iter()
        .filter_map(|e| if let Edit::Page { at, byte } = e { Some((at, byte)) } else { None })
        .collect();
    if !pages.is_empty() {
        let mut bytes = std::fs::read(path).expect("read db");
        for (at, byte) in pages {
            let i = at.index(bytes.len());
            bytes[i] ^= byte;
        }
        std::fs::write(path, bytes).expect("write db");
    }
}

/// Every reader of the history, on whatever the file now holds.
fn read_everything(path: &Path) -> Result<(), TestCaseError> {
    let name = path.display().to_string();
    let (history, _recovery) = match History::open(path) {
        Ok(opened) => opened,
        Err(e) => {
            prop_assert!(e.to_string().contains(&name), "{e}");
            return Ok(());
        }
    };
    let named =
        |e: &Error| e.to_string().contains(&name) || matches!(e, Error::Decode { .. } | Error::NoSuchScan(_));
    let _ = history.count(None);
    if let Err(e) = history.engines() {
        prop_assert!(named(&e), "{e}");
    }
    let list = match history.list(None, 100) {
        Ok(list) => list,
        Err(e) => {
            prop_assert!(named(&e), "{e}");
            return Ok(());
        }
    };
    let mut reports = Vec::new();
    for s in &list {
        if let Err(e) = history.summary(s.id) {
            prop_assert!(named(&e), "{e}");
        }
        match history.get(s.id) {
            Ok(report) => reports.push(report),
            Err(e) => {
                prop_assert!(named(&e), "{e}");
                if let Error::Decode { id, detail } = &e {
                    prop_assert_eq!(*id, s.id);
                    prop_assert!(!detail.is_empty());
                }
            }
        }
        if let Err(e) = history.latest_two(&s.engine) {
            prop_assert!(named(&e), "{e}");
        }
    }
    for pair in reports.windows(2) {
        let _ = diff(&pair[0], &pair[1]);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(24))]

    /// A history edited or damaged anywhere reads back without a panic, errors naming it.
    #[test]
    fn damaged_histories_read_back_without_panic(edits in prop::collection::vec(edit(), 1..5)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("history.sqlite");
        std::fs::write(&path, seed_db()).expect("write seed");
        apply(&path, &edits);
        read_everything(&path)?;
    }
}

#[test]
fn the_seed_history_reads_back_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("history.sqlite");
    std::fs::write(&path, seed_db()).expect("write seed");
    let (history, recovery) = History::open(&path).expect("open");
    assert_eq!(recovery, None);
    let list = history.list(None, 100).expect("list");
    assert_eq!(list.len(), 3);
    for s in &list {
        history.get(s.id).expect("report decodes");
    }
}
