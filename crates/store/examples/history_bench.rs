//! Measures the two ways of storing a scan that issue 10 names, on the captured fixtures' reports:
//! (a) one row per scan plus one row per finding (the rest of the report as compressed JSON, so the
//! round trip stays exact), and (b) what `History` does: compressed report JSON with the catalogue
//! prose kept once. Prints bytes per scan and insert/read milliseconds as Markdown.
//! `cargo run --release -p zerodock-store --example history_bench > /work/logs/history-figures.md`

use std::time::Instant;

use rusqlite::{Connection, params};
use zerodock_engine::{EvalConfig, Report, Snapshot};
use zerodock_store::history::History;

/// Scans saved per fixture and layout.
const SCANS: usize = 50;

fn report(name: &str) -> Report {
    let path = format!("{}/../engine/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let snap = Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture")).expect("parses");
    zerodock_engine::evaluate(&snap, &EvalConfig::at(snap.collected_at))
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("deflate");
    e.finish().expect("deflate")
}

fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Layout (a): scans + findings rows; the report minus its findings as deflated JSON.
fn rows(report: &Report, dir: &std::path::Path) -> (f64, f64, f64) {
    let path = dir.join("rows.sqlite");
    let mut conn = Connection::open(&path).expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE scans (id INTEGER PRIMARY KEY, engine TEXT, scanned_at INTEGER, score INTEGER,
                             grade TEXT, counts TEXT, rest BLOB);
         CREATE TABLE findings (scan INTEGER, check_id TEXT, kind TEXT, name TEXT, target_id TEXT,
                                status TEXT, message TEXT, reason TEXT, evidence TEXT,
                                remediation TEXT, waived TEXT);
         CREATE INDEX findings_by_scan ON findings (scan);",
    )
    .expect("schema");
    let t = Instant::now();
    for _ in 0..SCANS {
        let mut value = serde_json::to_value(report).expect("JSON");
        let mut findings = Vec::new();
        for check in value["checks"].as_array_mut().expect("checks") {
            let id = check["id"].as_str().unwrap_or_default().to_owned();
            if let Some(list) = check.get_mut("findings").and_then(|f| f.as_array_mut()) {
                findings.extend(list.drain(..).map(|f| (id.clone(), f)));
            }
        }
        let rest = deflate(&serde_json::to_vec(&value).expect("JSON"));
        let tx = conn.transaction().expect("tx");
        tx.execute(
            "INSERT INTO scans (engine, scanned_at, score, grade, counts, rest) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                report.subject.endpoint.host,
                report.generated_at.timestamp_millis(),
                report.score,
                report.grade.as_str(),
                serde_json::to_string(&report.counts).expect("counts"),
                rest
            ],
        )
        .expect("scan");
        let scan = tx.last_insert_rowid();
        {
            let mut stmt = tx
                .prepare_cached("INSERT INTO findings VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
                .expect("prepare");
            for (check, f) in &findings {
                let s = |k: &str| f.get(k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
                stmt.execute(params![
                    scan,
                    check,
                    f["target"]["kind"].as_str(),
                    f["target"]["name"].as_str(),
                    f["target"]["id"].as_str(),
                    s("status"),
                    s("message"),
                    s("reason"),
                    s("evidence"),
                    s("remediation"),
                    s("waived"),
                ])
                .expect("finding");
            }
        }
        tx.commit().expect("commit");
    }
    let insert = t.elapsed().as_secs_f64() * 1000.0 / SCANS as f64;
    // Read back: the rest plus its findings, re-assembled into a Report.
    let t = Instant::now();
    for scan in 1..=SCANS as i64 {
        let rest: Vec<u8> =
            conn.query_row("SELECT rest FROM scans WHERE id = ?1", [scan], |r| r.get(0)).expect("rest");
        let mut json = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::DeflateDecoder::new(&rest[..]), &mut json)
            .expect("inflate");
        let mut value: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
        let mut stmt = conn
            .prepare_cached("SELECT check_id, kind, name, target_id, status, message, reason, evidence, remediation, waived FROM findings WHERE scan = ?1")
            .expect("prepare");
        let mut rows = stmt.query([scan]).expect("query");
        while let Some(r) = rows.next().expect("row") {
            let check: String = r.get(0).expect("check");
            let mut f = serde_json::json!({
                "target": {"kind": r.get::<_, String>(1).expect("kind"), "name": r.get::<_, String>(2).expect("name")},
                "status": r.get::<_, String>(4).expect("status"),
                "message": r.get::<_, String>(5).expect("message"),
            });
            if let Some(id) = r.get::<_, Option<String>>(3).expect("id") {
                f["target"]["id"] = id.into();
            }
            if let Some(reason) = r.get::<_, Option<String>>(6).expect("reason") {
                f["reason"] = reason.into();
            }
            for (i, k) in [(7, "evidence"), (8, "remediation"), (9, "waived")] {
                if let Some(v) = r.get::<_, Option<String>>(i).expect(k) {
                    f[k] = serde_json::from_str(&v).expect(k);
                }
            }
            if let Some(c) = value["checks"]
                .as_array_mut()
                .and_then(|cs| cs.iter_mut().find(|c| c["id"] == check.as_str()))
            {
                c["findings"].as_array_mut().expect("findings").push(f);
            }
        }
        let back: Report = serde_json::from_value(value).expect("report");
        assert_eq!(back.checks.len(), report.checks.len());
    }
    let read = t.elapsed().as_secs_f64() * 1000.0 / SCANS as f64;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
    conn.execute_batch("VACUUM").expect("vacuum");
    drop(conn);
    (file_size(&path) as f64 / SCANS as f64, insert, read)
}

/// Layout (b): `History` itself.
fn compressed(report: &Report, dir: &std::path::Path) -> (f64, f64, f64) {
    let path = dir.join("history.sqlite");
    let (mut history, _) = History::open(&path).expect("open");
    let t = Instant::now();
    let ids: Vec<_> = (0..SCANS).map(|_| history.save(report).expect("save")).collect();
    let insert = t.elapsed().as_secs_f64() * 1000.0 / SCANS as f64;
    let t = Instant::now();
    for id in &ids {
        let back = history.get(*id).expect("get");
        assert_eq!(&back, report);
    }
    let read = t.elapsed().as_secs_f64() * 1000.0 / SCANS as f64;
    drop(history);
    let conn = Connection::open(&path).expect("open");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
    conn.execute_batch("VACUUM").expect("vacuum");
    drop(conn);
    (file_size(&path) as f64 / SCANS as f64, insert, read)
}

fn main() {
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("# History storage: figures ({profile} build, {SCANS} scans per fixture and layout)\n");
    println!("`cargo run --release -p zerodock-store --example history_bench`. Bytes per scan: the");
    println!("database file after checkpoint and VACUUM, divided by the scans in it.\n");
    println!(
        "| fixture | findings | report JSON | (a) rows: bytes/scan | insert ms | read ms | (b) compressed JSON: bytes/scan | insert ms | read ms (incl. equality check) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for name in ["default", "hardened", "vulns"] {
        let report = report(name);
        let findings: usize = report.checks.iter().map(|c| c.findings.len()).sum();
        let json = serde_json::to_vec(&report).expect("JSON").len();
        let dir = tempfile::tempdir().expect("temp dir");
        let (a_bytes, a_ins, a_read) = rows(&report, dir.path());
        let (b_bytes, b_ins, b_read) = compressed(&report, dir.path());
        println!(
            "| {name} | {findings} | {json} | {a_bytes:.0} | {a_ins:.2} | {a_read:.2} | {b_bytes:.0} | {b_ins:.2} | {b_read:.2} |"
        );
    }
}
