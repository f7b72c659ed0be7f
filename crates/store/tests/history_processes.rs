//! Two processes writing to one history at once, as the desktop app and the CLI do: this test
//! binary runs itself twice more as writers (the `writer` test, armed by an environment variable),
//! both start on the same signal and save their scans while the other does, each opening the new
//! database at the same moment (so the first migration races too). No scan may be lost.

use std::path::{Path, PathBuf};
use std::process::Command;

use zerodock_engine::{EvalConfig, Report, Snapshot};
use zerodock_store::history::History;

/// Scans each writer saves.
const SCANS: usize = 25;
/// Set in a writer's environment: `<database>|<engine tag>|<go file>`.
const WRITER_ENV: &str = "ZERODOCK_STORE_TEST_WRITER";

fn report() -> Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/fixtures/hardened.json");
    let snap = Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture")).expect("parses");
    zerodock_engine::evaluate(&snap, &EvalConfig::at(snap.collected_at))
}

fn engine(tag: &str) -> String {
    format!("unix:///run/{tag}.sock")
}

/// The writer's side: does nothing unless a parent armed it.
#[test]
fn writer() {
    let Ok(spec) = std::env::var(WRITER_ENV) else { return };
    let mut parts = spec.split('|');
    let (Some(db), Some(tag), Some(go)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("bad {WRITER_ENV}: {spec}")
    };
    let mut r = report();
    r.subject.endpoint.host = engine(tag);
    // Start together: wait for the parent's signal (a file), so the writes overlap.
    while !Path::new(go).exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let (mut history, _) = History::open(db).expect("opens");
    for _ in 0..SCANS {
        history.save(&r).expect("saves");
    }
}

#[test]
fn two_processes_writing_at_once_lose_no_scan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db: PathBuf = dir.path().join("history.sqlite");
    let go = dir.path().join("go");
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = ["app", "cli"]
        .into_iter()
        .map(|tag| {
            let child = Command::new(&exe)
                .args(["--exact", "writer", "--test-threads=1", "--nocapture"])
                .env(WRITER_ENV, format!("{}|{tag}|{}", db.display(), go.display()))
                // Its own "test result" lines would read as this run's.
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("spawn writer");
            (tag, child)
        })
        .collect();
    std::fs::write(&go, b"go").expect("signal");
    for (tag, mut child) in children {
        let status = child.wait().expect("writer ends");
        assert!(status.success(), "writer {tag}: {status}");
    }
    let (history, recovery) = History::open(&db).expect("opens");
    assert_eq!(recovery, None);
    assert_eq!(history.count(None).expect("count"), 2 * SCANS);
    for tag in ["app", "cli"] {
        let scans = history.list(Some(&engine(tag)), usize::MAX).expect("lists");
        assert_eq!(scans.len(), SCANS, "{tag}");
        // Every one of them reads back whole.
        for s in scans.iter().step_by(8) {
            assert_eq!(history.get(s.id).expect("reads").subject.endpoint.host, engine(tag));
        }
    }
}
