//! The history over reports evaluated from the captured fixtures, in real SQLite files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use zerodock_engine::{EvalConfig, Policy, Report, Snapshot};

use super::*;

fn snapshot(name: &str) -> Snapshot {
    let path = format!("{}/../engine/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    Snapshot::from_json(&text).expect("fixture parses")
}

fn report_with(name: &str, policy: Policy) -> Report {
    let snap = snapshot(name);
    zerodock_engine::evaluate(&snap, &EvalConfig { now: snap.collected_at, policy, only: Vec::new() })
}

fn report(name: &str) -> Report {
    report_with(name, Policy::default())
}

/// The same report as if scanned at `at`.
fn at(mut report: Report, at: DateTime<Utc>) -> Report {
    report.generated_at = at;
    report
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn open(path: &Path) -> History {
    let (history, recovery) = History::open(path).expect("opens");
    assert_eq!(recovery, None, "a healthy database is not recovered");
    history
}

fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("sub").join("history.sqlite")
}

#[test]
fn a_new_database_is_created_with_its_directory_at_the_latest_version_in_wal_mode() {
    let dir = tempdir();
    let history = open(&db(&dir));
    let version: u32 = history.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, SCHEMA_VERSION);
    const { assert!(SCHEMA_VERSION >= 1) };
    let mode: String = history.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
    drop(history);
    // Opening again runs no step twice (a second CREATE TABLE would fail).
    open(&db(&dir));
}

/// Every version from v1 on migrates to the latest with its scans intact. v1's rows are written
/// with v1's own columns, as the first release wrote them.
#[test]
fn every_schema_version_from_v1_migrates_with_its_scans() {
    let r = report("hardened");
    for from in 1..=SCHEMA_VERSION {
        let dir = tempdir();
        let path = db(&dir);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        let mut conn = rusqlite::Connection::open(&path).expect("open");
        assert!(schema::migrate_to(&mut conn, from).is_ok());
        let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
        assert_eq!(version, from);
        let encoded = codec::encode(&r).expect("encodes");
        for (hash, text) in &encoded.texts {
            conn.execute(
                "INSERT INTO check_texts (hash, text, last_used) VALUES (?1, ?2, ?3)",
                rusqlite::params![hash, text, r.generated_at.timestamp_millis()],
            )
            .expect("v1 text row");
        }
        conn.execute(
            "INSERT INTO scans (engine, engine_name, reached_engine, scanned_at, score, grade, counts,
                                report_encoding, report)
             VALUES (?1, NULL, 1, ?2, ?3, ?4, ?5, 1, ?6)",
            rusqlite::params![
                engine_key(&r),
                r.generated_at.timestamp_millis(),
                r.score,
                r.grade.as_str(),
                serde_json::to_string(&r.counts).expect("counts"),
                encoded.blob
            ],
        )
        .expect("v1 scan row");
        drop(conn);
        let history = open(&path);
        let version: u32 = history.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
        assert_eq!(version, SCHEMA_VERSION, "from v{from}");
        let listed = history.list(None, 10).expect("lists");
        assert_eq!(listed.len(), 1);
        assert_eq!(history.get(listed[0].id).expect("reads"), r, "from v{from}");
        // A row written before v2 has no category scores: listed without them, not an error.
        assert!(listed[0].categories.is_empty(), "from v{from}");
    }
}

/// A scan saved now lists each category's score, as the report has them (the app's chart reads
/// these without decoding reports).
#[test]
fn a_saved_scan_lists_its_category_scores() {
    let dir = tempdir();
    let mut history = open(&db(&dir));
    let r = report("default");
    let id = history.save(&r).expect("saves");
    let summary = history.summary(id).expect("summary");
    assert_eq!(summary.categories, crate::history::CategoryPoint::of(&r));
    assert_eq!(summary.categories.len(), r.categories.len());
    assert!(summary.categories.iter().any(|c| c.score.is_some()));
}

#[test]
fn a_database_from_a_newer_zerodock_is_refused_and_left_where_it_is() {
    let dir = tempdir();
    let path = db(&dir);
    drop(open(&path));
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).expect("bump");
    drop(conn);
    let err = History::open(&path).expect_err("refused");
    assert!(matches!(err, Error::TooNew { found, .. } if found == SCHEMA_VERSION + 1), "{err}");
    let others: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
        .collect();
    assert!(others.is_empty(), "nothing was moved aside");
}

#[test]
fn every_fixture_report_comes_back_identical_and_catalogue_texts_are_kept_once() {
    let dir = tempdir();
    let mut history = open(&db(&dir));
    let reports: Vec<Report> = ["default", "hardened", "vulns"].into_iter().map(report).collect();
    let ids: Vec<ScanId> = reports.iter().map(|r| history.save(r).expect("saves")).collect();
    // The same report twice is two scans, not one.
    let again = history.save(&reports[0]).expect("saves again");
    assert_ne!(again, ids[0]);
    for (id, r) in ids.iter().zip(&reports) {
        assert_eq!(&history.get(*id).expect("reads"), r);
    }
    assert_eq!(history.get(again).expect("reads"), reports[0]);
    let texts: i64 = history.conn.query_row("SELECT count(*) FROM check_texts", [], |r| r.get(0)).expect("n");
    let texts = usize::try_from(texts).expect("count");
    let checks = reports[0].checks.len();
    assert!(texts <= checks + checks / 4, "{texts} texts for {checks} checks over 4 scans");
    assert!(matches!(history.get(ScanId(999)), Err(Error::NoSuchScan(ScanId(999)))));
}

#[test]
fn list_shows_the_newest_first_per_engine_with_score_grade_and_counts() {
    let dir = tempdir();
    let mut history = open(&db(&dir));
    let t0: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().expect("time");
    let default = at(report("default"), t0);
    let hardened = at(report("hardened"), t0 + chrono::Duration::hours(1));
    let a = history.save(&default).expect("saves");
    let b = history.save(&hardened).expect("saves");
    let all = history.list(None, 10).expect("lists");
    assert_eq!(all.iter().map(|s| s.id).collect::<Vec<_>>(), vec![b, a]);
    assert_eq!(all[1].scanned_at, t0);
    assert_eq!(all[1].score, default.score);
    assert_eq!(all[1].grade, default.grade);
    assert_eq!(all[1].counts, default.counts);
    assert_eq!(all[1].engine, default.subject.endpoint.host);
    assert_eq!(all[1].engine_name, default.subject.engine.as_ref().map(|e| e.name.clone()));
    assert!(all[1].reached_engine);
    assert_ne!(all[0].engine, all[1].engine, "the fixtures come from two engines");
    let one = history.list(Some(&default.subject.endpoint.host), 10).expect("lists");
    assert_eq!(one.iter().map(|s| s.id).collect::<Vec<_>>(), vec![a]);
    assert_eq!(history.list(None, 1).expect("lists").len(), 1);
    assert_eq!(history.engines().expect("engines"), vec![all[0].engine.clone(), all[1].engine.clone()]);
    assert_eq!(history.summary(a).expect("summary"), all[1]);
}

/// `latest_two` follows the engine's baseline rule: a scan that did not reach the engine is
/// skipped, or the next diff would call every failure fixed.
#[test]
fn latest_two_skips_scans_that_did_not_reach_the_engine() {
    let dir = tempdir();
    let mut history = open(&db(&dir));
    let t0: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().expect("time");
    let weak = report("default");
    let engine = engine_key(&weak).to_owned();
    let mut down = weak.clone();
    down.subject.engine = None;
    assert_eq!(history.latest_two(&engine).expect("query"), None);
    let first = history.save(&at(weak.clone(), t0)).expect("saves");
    assert_eq!(history.latest_two(&engine).expect("query"), None, "one scan is no pair");
    let second = history.save(&at(weak.clone(), t0 + chrono::Duration::hours(1))).expect("saves");
    let _down = history.save(&at(down, t0 + chrono::Duration::hours(2))).expect("saves");
    let (older, newer) = history.latest_two(&engine).expect("query").expect("two");
    assert_eq!((older.id, newer.id), (first, second));
    assert_eq!(history.latest_two("unix:///elsewhere.sock").expect("query"), None);
}

#[test]
fn the_diff_names_new_fixed_and_newly_waived_failures_and_the_score_change() {
    let (weak, hardened) = (report("default"), report("hardened"));
    let nothing = diff(&weak, &weak);
    assert!(nothing.is_empty(), "{nothing:?}");

    let better = diff(&weak, &hardened);
    assert!(better.new_failures.len() < better.fixed.len());
    assert!(better.fixed.iter().any(|f| f.check == "CTR001" && f.target.name == "zd-privileged"));
    assert_eq!(better.score.before, weak.score);
    assert_eq!(better.score.after, hardened.score);
    assert_eq!(
        better.score.delta,
        Some(i16::from(hardened.score.expect("score")) - i16::from(weak.score.expect("score")))
    );
    assert!(better.notes.iter().any(|n| n.contains("two engines")), "{:?}", better.notes);
    // Every severity counts, not only what notifies.
    assert!(better.fixed.iter().any(|f| f.severity < zerodock_engine::Severity::High));

    let worse = diff(&hardened, &weak);
    assert_eq!(worse.new_failures, better.fixed, "new one way is fixed the other");
    assert_eq!(worse.fixed, better.new_failures);
    assert!(worse.new_failures.windows(2).all(|w| w[0].severity >= w[1].severity), "most severe first");

    // A waiver for the privileged container: newly waived, not fixed, and the rest unchanged.
    let policy = Policy::from_toml(
        "[[waiver]]\ncheck = \"CTR001\"\ntarget = \"zd-privileged\"\nreason = \"lab machine\"\n",
    )
    .expect("policy");
    let waived = report_with("default", policy);
    let d = diff(&weak, &waived);
    assert_eq!(d.newly_waived.len(), 1, "{:?}", d.newly_waived);
    assert_eq!(d.newly_waived[0].finding.check, "CTR001");
    assert_eq!(d.newly_waived[0].finding.target.name, "zd-privileged");
    assert_eq!(d.newly_waived[0].reason, "lab machine");
    assert!(!d.fixed.iter().any(|f| f.check == "CTR001"), "{:?}", d.fixed);
    assert!(d.new_failures.is_empty(), "{:?}", d.new_failures);
    assert!(d.notes.is_empty(), "{:?}", d.notes);
    // Waived both times: nothing new.
    assert!(diff(&waived, &waived).newly_waived.is_empty());
    // The waiver gone again: the failure is new once more.
    let back = diff(&waived, &weak);
    assert!(back.new_failures.iter().any(|f| f.check == "CTR001" && f.target.name == "zd-privileged"));
}

#[test]
fn a_scan_that_did_not_reach_its_engine_is_noted_in_the_diff() {
    let weak = report("default");
    let mut down = weak.clone();
    down.subject.engine = None;
    let d = diff(&weak, &down);
    assert!(d.notes.iter().any(|n| n.contains("second scan did not reach")), "{:?}", d.notes);
}

#[test]
fn prune_deletes_old_scans_and_the_texts_only_they_used() {
    let dir = tempdir();
    let mut history = open(&db(&dir));
    let now: DateTime<Utc> = "2026-12-07T00:00:00Z".parse().expect("time");
    let mut old = at(report("hardened"), now - chrono::Duration::days(100));
    // An older catalogue's wording, used by the old scan alone.
    old.checks[0].rationale = "wording of an older catalogue".into();
    let recent = at(report("hardened"), now - chrono::Duration::days(10));
    let old_id = history.save(&old).expect("saves");
    let recent_id = history.save(&recent).expect("saves");
    let texts = |h: &History| -> i64 {
        h.conn.query_row("SELECT count(*) FROM check_texts", [], |r| r.get(0)).expect("count")
    };
    let before = texts(&history);
    let days = |n: u64| Duration::from_secs(n * 86_400);
    assert_eq!(history.prune(days(u64::from(DEFAULT_RETENTION_DAYS)), now).expect("prunes"), 1);
    assert_eq!(texts(&history), before - 1, "the old wording went with the old scan");
    assert!(matches!(history.get(old_id), Err(Error::NoSuchScan(_))));
    assert_eq!(history.get(recent_id).expect("still there"), recent);
    assert_eq!(history.prune(days(11), now).expect("prunes"), 0);
    assert_eq!(history.prune(days(9), now).expect("prunes"), 1);
    assert_eq!(history.count(None).expect("count"), 0);
}

fn moved_aside(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    found.sort();
    found
}

#[test]
fn a_file_that_is_not_a_database_is_moved_aside_kept_and_replaced() {
    let dir = tempdir();
    let path = db(&dir);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
    let garbage: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&path, &garbage).expect("garbage");
    let (mut history, recovery) = History::open(&path).expect("opens anyway");
    let recovery = recovery.expect("told");
    assert!(recovery.reason.contains("not a database"), "{}", recovery.reason);
    assert_eq!(std::fs::read(&recovery.moved_to).expect("kept"), garbage, "kept byte for byte");
    assert!(recovery.to_string().contains("moved to"));
    assert_eq!(moved_aside(path.parent().expect("parent")), vec![recovery.moved_to.clone()]);
    let id = history.save(&report("hardened")).expect("the new one works");
    assert_eq!(history.get(id).expect("reads"), report("hardened"));
    drop(history);
    open(&path);
}

/// A real database with scans, then damaged in the middle (pages overwritten, as a bad sector or
/// a torn copy would): moved aside at the next open.
#[test]
fn a_damaged_database_is_moved_aside_and_a_new_one_started() {
    let dir = tempdir();
    let path = db(&dir);
    let mut history = open(&path);
    for name in ["default", "hardened", "vulns"] {
        history.save(&report(name)).expect("saves");
    }
    // Fold the WAL into the main file so the damage hits the data.
    history.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
    drop(history);
    let mut bytes = std::fs::read(&path).expect("read");
    assert!(bytes.len() > 16_384, "{} bytes", bytes.len());
    for b in &mut bytes[4096..12_288] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).expect("damage");
    let (history, recovery) = History::open(&path).expect("opens anyway");
    let recovery = recovery.expect("told");
    assert_eq!(std::fs::read(&recovery.moved_to).expect("kept"), bytes);
    assert_eq!(history.count(None).expect("count"), 0, "a new, empty history");
}

/// Threads with their own connections, each saving scans while the others do: none is lost.
#[test]
fn concurrent_writers_on_separate_connections_lose_no_scan() {
    const THREADS: usize = 4;
    const SCANS: usize = 15;
    let dir = tempdir();
    let path = db(&dir);
    let base = report("hardened");
    let barrier = std::sync::Barrier::new(THREADS);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (path, base, barrier) = (&path, &base, &barrier);
            s.spawn(move || {
                barrier.wait();
                // Opening concurrently also races the first migration.
                let (mut history, _) = History::open(path).expect("opens");
                let mut r = base.clone();
                r.subject.endpoint.host = format!("unix:///thread-{t}.sock");
                for _ in 0..SCANS {
                    history.save(&r).expect("saves");
                }
            });
        }
    });
    let history = open(&path);
    assert_eq!(history.count(None).expect("count"), THREADS * SCANS);
    for t in 0..THREADS {
        assert_eq!(history.count(Some(&format!("unix:///thread-{t}.sock"))).expect("count"), SCANS);
    }
}

#[test]
fn the_default_path_is_in_the_data_directory() {
    let path = History::default_path().expect("a data dir");
    assert!(path.ends_with("zerodock/history.sqlite"), "{}", path.display());
}

#[test]
fn scan_ids_read_as_printed() {
    assert_eq!("12".parse::<ScanId>(), Ok(ScanId(12)));
    assert_eq!("#7".parse::<ScanId>(), Ok(ScanId(7)));
    assert!("x".parse::<ScanId>().is_err());
    assert_eq!(ScanId(3).to_string(), "3");
}
