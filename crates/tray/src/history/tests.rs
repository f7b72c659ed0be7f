//! The save-on-change rule on reports the engine computed from real snapshot fixtures, and the
//! history thread on a real SQLite file: saving, skipping, listing, diffing, a damaged file moved
//! aside with the user told, and the file open only while a job runs.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use zerodock_engine::{EvalConfig, Snapshot, evaluate};

use super::*;

fn report(fixture: &str) -> Arc<Report> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../engine/tests/fixtures/{fixture}.json"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    let snapshot: Snapshot = serde_json::from_str(&text).expect("snapshot");
    Arc::new(evaluate(&snapshot, &EvalConfig::at(snapshot.collected_at)))
}

/// The report as if evaluated on the weak fixture's engine, `hours` after a start 30 hours ago
/// (recent, so the 90-day retention keeps it whenever the test runs).
fn later(report: &Arc<Report>, hours: i64) -> Arc<Report> {
    let mut r = (**report).clone();
    r.subject.endpoint.host = ENGINE.to_owned();
    r.generated_at = Utc::now() - chrono::Duration::hours(30) + chrono::Duration::hours(hours);
    Arc::new(r)
}

/// One engine for every report of a test (the fixtures were captured on two daemons).
const ENGINE: &str = "unix:///tmp/zerodock-test/default/docker.sock";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zerodock-tray-history-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

#[test]
fn a_report_is_saved_when_first_changed_or_a_day_after_the_last_save() {
    let default = later(&report("default"), 0);
    let hardened = later(&report("hardened"), 0);
    assert_eq!(should_save(None, &default), Some(SaveReason::First));
    let last = LastSaved::of(default.clone());
    assert_eq!(should_save(Some(&last), &later(&default, 1)), None, "the same findings an hour later");
    assert_eq!(should_save(Some(&last), &later(&default, 23)), None);
    assert_eq!(should_save(Some(&last), &later(&default, 24)), Some(SaveReason::Heartbeat));
    assert_eq!(should_save(Some(&last), &hardened), Some(SaveReason::Changed));
    // The engine went away: its checks are unknown now, which is a change worth keeping.
    let mut down = (*default).clone();
    down.subject.engine = None;
    assert_eq!(should_save(Some(&last), &down), Some(SaveReason::Changed));
}

/// Waits for the history thread's status after `n` publications.
fn statuses() -> (Arc<Mutex<Vec<HistoryStatus>>>, impl Fn(HistoryStatus) + Send + 'static) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    (seen, move |s| sink.lock().expect("lock").push(s))
}

#[tokio::test]
async fn the_tray_saves_on_change_lists_and_diffs_through_the_history_thread() {
    let dir = temp_dir("save");
    let path = dir.join("history.sqlite");
    let (seen, sink) = statuses();
    let recorder = Recorder::start(Ok(path.clone()), 90, sink);
    let default = later(&report("default"), 0);
    let hardened = later(&report("hardened"), 2);
    recorder.record(default.clone());
    recorder.record(later(&default, 1)); // unchanged: skipped
    recorder.record(later(&hardened, 2)); // changed: saved
    recorder.record(later(&hardened, 3)); // unchanged: skipped
    recorder.record(later(&hardened, 27)); // a day after the last save: heartbeat
    recorder.flush().await;

    let engine = ENGINE.to_owned();
    let list = recorder.list(Some(engine.clone()), 100).await.expect("lists");
    assert_eq!(list.scans.len(), 3, "{:?}", list.scans.iter().map(|s| s.scanned_at).collect::<Vec<_>>());
    assert_eq!(list.engines, vec![engine.clone()]);
    assert_eq!(list.retention_days, 90);
    assert!(list.scans.iter().all(|s| !s.categories.is_empty()), "category scores for the chart");
    let oldest = list.scans.last().expect("oldest").id;
    assert_eq!(list.scans[2].score, default.score);
    assert_eq!(list.scans[0].score, hardened.score);

    // Since the first scan: what `zerodock diff` says (the store's diff, one rule).
    let diff = recorder.diff(oldest, None).await.expect("diff");
    let expected = zerodock_store::history::diff(&default, &hardened);
    assert_eq!(diff.fixed, expected.fixed);
    assert_eq!(diff.score, expected.score);
    assert!(!diff.fixed.is_empty(), "the hardened engine fixed the weak one's failures");
    assert!(recorder.diff(ScanId(9999), None).await.is_err());

    let last = seen.lock().expect("lock").last().cloned().expect("a status");
    assert!(last.available && last.recovered.is_none() && last.error.is_none(), "{last:?}");
    assert_eq!(last.revision, 3, "three saves");
    assert_eq!(last.path.as_deref(), Some(path.display().to_string().as_str()));

    // A new tray on the same file compares with what was saved, not with nothing.
    drop(recorder);
    let (seen, sink) = statuses();
    let again = Recorder::start(Ok(path.clone()), 90, sink);
    again.record(later(&hardened, 28));
    again.flush().await;
    assert_eq!(again.list(Some(engine), 100).await.expect("lists").scans.len(), 3, "unchanged: not saved");
    assert_eq!(seen.lock().expect("lock").last().expect("status").revision, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether SQLite's WAL or its index exists beside `path`: both are removed when the last
/// connection closes, so their absence between jobs says the tray holds the database closed.
fn wal_files(path: &std::path::Path) -> Vec<PathBuf> {
    ["-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
        .filter(|p| p.exists())
        .collect()
}

#[tokio::test]
async fn the_database_is_open_only_while_a_save_or_list_runs() {
    let dir = temp_dir("closed");
    let path = dir.join("history.sqlite");
    let (seen, sink) = statuses();
    let recorder = Recorder::start(Ok(path.clone()), 90, sink);
    recorder.flush().await;
    assert!(path.exists(), "opened (and created) at start, to say whether the history works");
    assert_eq!(wal_files(&path), Vec::<PathBuf>::new(), "closed again after the start");
    let default = later(&report("default"), 0);
    recorder.record(default.clone());
    recorder.record(later(&default, 1)); // unchanged: compared in memory, skipped
    recorder.flush().await;
    assert_eq!(wal_files(&path), Vec::<PathBuf>::new(), "closed after the save");
    let list = recorder.list(Some(ENGINE.to_owned()), 10).await.expect("lists");
    assert_eq!(list.scans.len(), 1, "saved once");
    assert_eq!(list.scans[0].score, default.score);
    assert_eq!(wal_files(&path), Vec::<PathBuf>::new(), "closed after the list");
    assert_eq!(seen.lock().expect("lock").last().expect("status").revision, 1);

    // Damaged while the tray runs (it holds no connection): the next save moves the file aside,
    // saves into a new one and tells the user, as a damaged file found at start.
    std::fs::write(&path, b"overwritten while ZeroDock ran, no longer a database".repeat(200))
        .expect("damage");
    let hardened = later(&report("hardened"), 2);
    recorder.record(hardened.clone());
    recorder.flush().await;
    let status = seen.lock().expect("lock").last().cloned().expect("status");
    assert!(status.available, "{status:?}");
    assert!(status.recovered.as_deref().is_some_and(|r| r.contains(".corrupt-")), "{status:?}");
    assert_eq!(status.revision, 2, "{status:?}");
    let list = recorder.list(Some(ENGINE.to_owned()), 10).await.expect("lists");
    assert_eq!(list.scans.iter().map(|s| s.score).collect::<Vec<_>>(), vec![hardened.score]);

    // An unchanged scan replaces the kept report (no second copy), but the daily heartbeat still
    // counts from the save: 18 h after it nothing is saved, 24 h after it one is.
    recorder.record(later(&hardened, 20));
    recorder.record(later(&hardened, 26));
    recorder.flush().await;
    let list = recorder.list(Some(ENGINE.to_owned()), 10).await.expect("lists");
    assert_eq!(list.scans.len(), 2, "the save and its heartbeat a day later");
    assert_eq!(seen.lock().expect("lock").last().expect("status").revision, 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_damaged_database_is_moved_aside_and_the_user_told_never_a_failed_start() {
    let dir = temp_dir("damaged");
    let path = dir.join("history.sqlite");
    std::fs::write(&path, b"this is not a SQLite database, it is a damaged file".repeat(200)).expect("write");
    let (seen, sink) = statuses();
    let recorder = Recorder::start(Ok(path.clone()), 90, sink);
    recorder.record(report("default"));
    recorder.flush().await;
    let status = seen.lock().expect("lock").last().cloned().expect("status");
    assert!(status.available, "{status:?}");
    let told = status.recovered.expect("the user is told");
    assert!(told.contains("moved to") && told.contains(".corrupt-"), "{told}");
    let kept: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept, never deleted");
    assert!(std::fs::read(kept[0].path()).expect("read").starts_with(b"this is not a SQLite"));
    assert_eq!(recorder.list(None, 10).await.expect("lists").scans.len(), 1, "the new history works");

    // A file that cannot be opened at all (a directory in its place): the history is off, with
    // the reason; the tray goes on.
    let blocked = dir.join("blocked.sqlite");
    std::fs::create_dir_all(&blocked).expect("dir");
    let (seen, sink) = statuses();
    let off = Recorder::start(Ok(blocked), 90, sink);
    off.record(report("default"));
    off.flush().await;
    let status = seen.lock().expect("lock").last().cloned().expect("status");
    assert!(!status.available && status.error.is_some(), "{status:?}");
    let err = off.list(None, 10).await.expect_err("off");
    assert!(err.message.contains("history is off"), "{}", err.message);
    let _ = std::fs::remove_dir_all(&dir);
}
