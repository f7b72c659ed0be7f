//! The vulnerability database end to end: an `all.zip` built from the facts of real advisories
//! (`testdata/osv/`, sources in its README) plus a withdrawn record, an unknown ecosystem, a
//! malformed entry and one synthetic epoch record; imported, matched, and updated over real HTTP
//! from a server on 127.0.0.1 (including a corrupt download that must leave the database intact).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use zerodock_engine::snapshot::VulnSeverity;
use zerodock_vuln::db::{Database, Error, UpdateOptions, UpdateOutcome};

const REAL: &[&str] = &[
    "DSA-3029-1",
    "DLA-3623-1",
    "DLA-4413-1",
    "DSA-6091-1",
    "UBUNTU-CVE-2025-38094",
    "ALPINE-CVE-2022-37434",
    "ALPINE-CVE-2026-22184",
];

/// Synthetic, not an advisory: exercises epochs (`1:1.0-1` is above any version without one).
const EPOCH: &str = r#"{"id": "ZERODOCK-TEST-EPOCH", "modified": "2020-01-01T00:00:00Z",
  "affected": [{"package": {"ecosystem": "Debian:12", "name": "epochpkg"},
  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.0-1"}]}]}]}"#;
const WITHDRAWN: &str = r#"{"id": "ZERODOCK-TEST-WITHDRAWN", "modified": "2020-01-01T00:00:00Z",
  "withdrawn": "2020-02-01T00:00:00Z",
  "affected": [{"package": {"ecosystem": "Debian:7", "name": "nginx"},
  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}"#;
const UNKNOWN_ECOSYSTEM: &str = r#"{"id": "ZERODOCK-TEST-PYPI", "modified": "2020-01-01T00:00:00Z",
  "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}"#;
/// JSON, but not an OSV record (`modified` is no date): counted as malformed, import goes on.
const MALFORMED: &str = r#"{"id": "ZERODOCK-TEST-BROKEN", "modified": "yesterday", "affected": []}"#;
/// Not even JSON: a torn file.
const TORN: &str = r#"{"id": "ZERODOCK-TEST-TORN", "affected": "#;

fn real_record(id: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/osv").join(format!("{id}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn zip_of(entries: &[(String, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in entries {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).expect("entry");
        w.write_all(body.as_bytes()).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

fn full_export() -> Vec<u8> {
    let mut entries: Vec<(String, String)> =
        REAL.iter().map(|id| (format!("{id}.json"), real_record(id))).collect();
    entries.push(("ZERODOCK-TEST-EPOCH.json".into(), EPOCH.into()));
    entries.push(("ZERODOCK-TEST-WITHDRAWN.json".into(), WITHDRAWN.into()));
    entries.push(("ZERODOCK-TEST-PYPI.json".into(), UNKNOWN_ECOSYSTEM.into()));
    entries.push(("broken.json".into(), MALFORMED.into()));
    zip_of(&entries)
}

/// (id, fixed) of the matches.
fn ids(db: &Database, eco: &str, pkg: &str, version: &str) -> Vec<(String, Option<String>)> {
    db.matches(eco, pkg, version)
        .unwrap_or_else(|e| panic!("{eco} {pkg} {version}: {e}"))
        .into_iter()
        .map(|m| (m.id, m.fixed))
        .collect()
}

fn one(id: &str, fixed: Option<&str>) -> Vec<(String, Option<String>)> {
    vec![(id.to_string(), fixed.map(str::to_string))]
}

fn imported_db(dir: &Path) -> Database {
    let zip = dir.join("all.zip");
    std::fs::write(&zip, full_export()).expect("write zip");
    let mut db = Database::open(&dir.join("vulndb.sqlite")).expect("open");
    let s = db.import_zip(&zip, "test-all.zip").expect("import");
    assert_eq!(s.imported, 7, "{s:?}");
    assert_eq!(s.withdrawn, 1);
    assert_eq!(s.no_affected, 1, "DLA-3623-1 lists no package");
    assert_eq!(s.unknown_ecosystems.get("PyPI"), Some(&1));
    assert_eq!(s.malformed.len(), 1);
    assert_eq!(s.malformed[0].0, "broken.json");
    assert_eq!(
        s.ecosystems.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(),
        [("Alpine", 2), ("Debian", 4), ("Ubuntu", 1)]
    );
    db
}

#[test]
fn import_then_match_real_advisories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = imported_db(dir.path());

    // DSA-3029-1: vulnerable below the wheezy fix, not at it; Debian 7 records apply to Debian 7 only.
    let m = db.matches("Debian:7", "nginx", "1.2.1-2.2+wheezy2").expect("match");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].id, "DSA-3029-1");
    assert_eq!(m[0].aliases, ["CVE-2014-3616"]);
    assert_eq!(m[0].fixed.as_deref(), Some("1.2.1-2.2+wheezy3"));
    assert_eq!(m[0].summary.as_deref(), Some("nginx - security update"));
    assert_eq!(m[0].severity, VulnSeverity::Unknown, "DSA records carry no severity: never guessed");
    assert_eq!(ids(&db, "Debian:7", "nginx", "1.2.1-2.2"), one("DSA-3029-1", Some("1.2.1-2.2+wheezy3")));
    assert!(ids(&db, "Debian:7", "nginx", "1.2.1-2.2+wheezy3").is_empty());
    assert!(ids(&db, "Debian:7", "nginx", "1.6.2-1").is_empty());
    assert!(ids(&db, "Debian:8", "nginx", "1.2.1-2.2").is_empty(), "another release");
    assert!(ids(&db, "Debian:7", "nginx-light", "1.2.1-2.2").is_empty(), "binary name is not the source");

    // DLA-4413-1: `+deb11u3` above `+deb11u2` and the plain Debian revision.
    let fix = Some("1.5.3-1+deb11u3");
    assert_eq!(ids(&db, "Debian:11", "node-url-parse", "1.5.3-1+deb11u2"), one("DLA-4413-1", fix));
    assert_eq!(ids(&db, "Debian:11", "node-url-parse", "1.5.3-1"), one("DLA-4413-1", fix));
    assert!(ids(&db, "Debian:11", "node-url-parse", "1.5.3-1+deb11u3").is_empty());
    assert!(ids(&db, "Debian:11", "node-url-parse", "1.5.3-2").is_empty());
    let m = db.matches("Debian:11", "node-url-parse", "1.5.3-1").expect("match");
    assert_eq!(m[0].aliases, ["CVE-2022-0639"], "DLA CVEs come from `upstream`");

    // DSA-6091-1: `~rc1` sorts before the release.
    let fix = Some("6.8.3+dfsg1-0+deb13u1");
    assert_eq!(ids(&db, "Debian:13", "wordpress", "6.8.3~rc1+dfsg1-0+deb13u1"), one("DSA-6091-1", fix));
    assert_eq!(ids(&db, "Debian:13", "wordpress", "6.8.3+dfsg1-0"), one("DSA-6091-1", fix));
    assert!(ids(&db, "Debian:13", "wordpress", "6.8.3+dfsg1-0+deb13u1").is_empty());
    let m = db.matches("Debian:13", "wordpress", "6.8.2+dfsg1-0").expect("match");
    assert_eq!(m[0].aliases, ["CVE-2025-58674", "CVE-2025-58246"]);

    // Epochs (synthetic record): a version without an epoch is below `1:`.
    assert_eq!(ids(&db, "Debian:12", "epochpkg", "2.0-1"), one("ZERODOCK-TEST-EPOCH", Some("1:1.0-1")));
    assert_eq!(ids(&db, "Debian:12", "epochpkg", "1:0.9-1"), one("ZERODOCK-TEST-EPOCH", Some("1:1.0-1")));
    assert!(ids(&db, "Debian:12", "epochpkg", "1:1.0-1").is_empty());
    assert!(ids(&db, "Debian:12", "epochpkg", "2:0.1-1").is_empty());

    // Alpine: apk ordering of `-r` revisions; both zlib advisories at 1.2.12-r1, one after -r2.
    let m = db.matches("Alpine:v3.22", "zlib", "1.2.12-r1").expect("match");
    let got: Vec<_> = m.iter().map(|m| (m.id.as_str(), m.fixed.as_deref(), m.severity)).collect();
    assert_eq!(
        got,
        [
            ("ALPINE-CVE-2022-37434", Some("1.2.12-r2"), VulnSeverity::Critical),
            ("ALPINE-CVE-2026-22184", Some("1.3.2-r0"), VulnSeverity::Unknown),
        ]
    );
    assert_eq!(m[0].severity_source, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H (9.8)");
    assert_eq!(ids(&db, "Alpine:v3.22", "zlib", "1.2.12-r2"), one("ALPINE-CVE-2026-22184", Some("1.3.2-r0")));
    assert_eq!(
        ids(&db, "Alpine:v3.22", "zlib", "1.3.2_rc1-r0"),
        one("ALPINE-CVE-2026-22184", Some("1.3.2-r0"))
    );
    assert!(ids(&db, "Alpine:v3.22", "zlib", "1.3.2-r0").is_empty());
    assert!(ids(&db, "Alpine:v3.21", "zlib", "1.2.12-r1").is_empty(), "another release");

    // Ubuntu: no fix yet, the Ubuntu priority as severity.
    let m = db.matches("Ubuntu:Pro:14.04:LTS", "linux", "3.13.0-206.257").expect("match");
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].fixed.as_deref(), m[0].severity), (None, VulnSeverity::Medium));
    assert_eq!(m[0].severity_source, "Ubuntu priority: medium");

    // Withdrawn and unknown-ecosystem records are not there; bad input is an error, not "clean".
    assert!(ids(&db, "Debian:7", "nginx", "1.2.1-2.2+wheezy3").is_empty());
    assert!(matches!(db.matches("Debian:7", "nginx", "not a version"), Err(Error::Version { .. })));
    assert!(matches!(db.matches("PyPI", "requests", "1.0"), Err(Error::UnknownEcosystem(_))));

    let info = db.info().expect("info").expect("imported");
    let sources: Vec<_> =
        info.sources.iter().map(|s| (s.ecosystem.as_str(), s.records, s.origin.as_str())).collect();
    assert_eq!(
        sources,
        [("Alpine", 2, "test-all.zip"), ("Debian", 4, "test-all.zip"), ("Ubuntu", 1, "test-all.zip")]
    );
    assert_eq!(info.newest_record.map(|t| t.to_rfc3339()), Some("2026-08-07T00:00:00+00:00".to_string()));
    assert!(info.updated_at <= chrono::Utc::now());
}

#[test]
fn corrupt_export_keeps_the_old_database_and_imports_replace_only_their_ecosystems() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = imported_db(dir.path());
    let before = db.info().expect("info");

    // Not a zip at all, and a zip whose entry data is damaged (CRC / deflate error).
    let garbage = dir.path().join("garbage.zip");
    std::fs::write(&garbage, b"PK\x03\x04 definitely not a zip").expect("write");
    assert!(matches!(db.import_zip(&garbage, "garbage"), Err(Error::CorruptExport { .. })));
    let damaged = dir.path().join("damaged.zip");
    std::fs::write(&damaged, damage(full_export())).expect("write");
    let err = db.import_zip(&damaged, "damaged").expect_err("damaged zip");
    assert!(matches!(err, Error::CorruptExport { .. }), "{err}");
    assert_eq!(db.info().expect("info"), before);
    assert_eq!(ids(&db, "Debian:7", "nginx", "1.2.1-2.2"), one("DSA-3029-1", Some("1.2.1-2.2+wheezy3")));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    // A local import (not a download) counts a torn entry as malformed and goes on.
    let torn = dir.path().join("torn.zip");
    let with_torn =
        zip_of(&[("DSA-3029-1.json".into(), real_record("DSA-3029-1")), ("torn.json".into(), TORN.into())]);
    std::fs::write(&torn, with_torn).expect("write");
    let s = db.import_zip(&torn, "torn.zip").expect("import");
    assert_eq!((s.imported, s.malformed.len()), (1, 1), "{s:?}");
    assert_eq!(s.malformed[0].0, "torn.json");
    assert!(
        ids(&db, "Debian:11", "node-url-parse", "1.5.3-1").is_empty(),
        "Debian was replaced by torn.zip's"
    );
    assert_eq!(ids(&db, "Debian:7", "nginx", "1.2.1-2.2"), one("DSA-3029-1", Some("1.2.1-2.2+wheezy3")));

    // An Alpine-only export replaces Alpine and leaves Debian alone.
    let alpine = dir.path().join("alpine.zip");
    let only = zip_of(&[("ALPINE-CVE-2026-22184.json".into(), real_record("ALPINE-CVE-2026-22184"))]);
    std::fs::write(&alpine, only).expect("write");
    let s = db.import_zip(&alpine, "alpine.zip").expect("import");
    assert_eq!(s.imported, 1);
    assert_eq!(ids(&db, "Alpine:v3.22", "zlib", "1.2.12-r1"), one("ALPINE-CVE-2026-22184", Some("1.3.2-r0")));
    assert_eq!(ids(&db, "Debian:7", "nginx", "1.2.1-2.2"), one("DSA-3029-1", Some("1.2.1-2.2+wheezy3")));
    let info = db.info().expect("info").expect("some");
    let alpine_source = info.sources.iter().find(|s| s.ecosystem == "Alpine").expect("alpine");
    assert_eq!((alpine_source.records, alpine_source.origin.as_str()), (1, "alpine.zip"));
}

/// Flips bytes inside the first entry's compressed data, leaving the central directory intact so
/// the archive still opens.
fn damage(mut zip: Vec<u8>) -> Vec<u8> {
    // Local header: 30 bytes + name + extra; the data follows.
    let name_len = u16::from_le_bytes([zip[26], zip[27]]) as usize;
    let extra_len = u16::from_le_bytes([zip[28], zip[29]]) as usize;
    let data = 30 + name_len + extra_len;
    for b in &mut zip[data + 2..data + 12] {
        *b ^= 0x5a;
    }
    zip
}

/// Served paths: (path, body, ETag).
type Routes = Mutex<Vec<(String, Vec<u8>, Option<String>)>>;

/// A tiny HTTP/1.1 server on 127.0.0.1: `path → (status, body, etag)`; honours If-None-Match.
struct Server {
    base: String,
    routes: Arc<Routes>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let routes: Arc<Routes> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, l) = (routes.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &r, &l);
            }
        });
        Server { base, routes, log }
    }

    fn route(&self, path: &str, body: Vec<u8>, etag: Option<&str>) {
        let mut routes = self.routes.lock().expect("lock");
        routes.retain(|(p, _, _)| p != path);
        routes.push((path.to_string(), body, etag.map(str::to_string)));
    }
}

fn serve(mut stream: TcpStream, routes: &Routes, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut if_none_match = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(v.trim().to_string());
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
    log.lock()
        .expect("lock")
        .push(format!("{} {path}", request_line.split_whitespace().next().unwrap_or("")));
    let route = routes.lock().expect("lock").iter().find(|(p, _, _)| *p == path).cloned();
    let (status, body, etag) = match route {
        Some((_, _, Some(etag))) if if_none_match.as_deref() == Some(etag.as_str()) => {
            ("304 Not Modified", Vec::new(), Some(etag))
        }
        Some((_, body, etag)) => ("200 OK", body, etag),
        None => ("404 Not Found", b"not found".to_vec(), None),
    };
    let etag = etag.map(|e| format!("ETag: {e}\r\n")).unwrap_or_default();
    let head =
        format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n{etag}Connection: close\r\n\r\n", body.len());
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

#[test]
fn update_over_http_with_etag_checksum_and_corrupt_download() {
    let server = Server::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = Database::open(&dir.path().join("vulndb.sqlite")).expect("open");
    let opts = UpdateOptions::default();
    let export = full_export();
    server.route("/Debian/all.zip", export.clone(), Some("\"v1\""));

    // A directory URL means its all.zip; no .sha256 published → imported, not verified.
    let url = format!("{}/Debian/", server.base);
    match db.update(&url, &opts).expect("update") {
        UpdateOutcome::Imported { summary, checksum_verified, url: got, .. } => {
            assert_eq!(summary.imported, 7);
            assert!(!checksum_verified);
            assert_eq!(got, format!("{}/Debian/all.zip", server.base));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ids(&db, "Debian:7", "nginx", "1.2.1-2.2"), one("DSA-3029-1", Some("1.2.1-2.2+wheezy3")));
    let first = db.info().expect("info");

    // Unchanged (ETag): one conditional request, no import.
    assert!(matches!(db.update(&url, &opts).expect("update"), UpdateOutcome::Unchanged { .. }));
    assert_eq!(db.info().expect("info"), first);

    // A published checksum is verified; a mismatch refuses the download.
    let sha = sha256_hex(&export);
    server.route("/Debian/all.zip", export.clone(), Some("\"v2\""));
    server.route("/Debian/all.zip.sha256", format!("{sha}  all.zip\n").into_bytes(), None);
    match db.update(&url, &opts).expect("update") {
        UpdateOutcome::Imported { checksum_verified, sha256, .. } => {
            assert!(checksum_verified);
            assert_eq!(sha256, sha);
        }
        other => panic!("{other:?}"),
    }
    let verified = db.info().expect("info");
    server.route("/Debian/all.zip", export.clone(), Some("\"v3\""));
    server.route("/Debian/all.zip.sha256", format!("{}  all.zip\n", "0".repeat(64)).into_bytes(), None);
    assert!(matches!(db.update(&url, &opts), Err(Error::Download { .. })));
    assert_eq!(db.info().expect("info"), verified);

    // Corrupt downloads: truncated, and damaged inside an entry. The old database stays.
    server.routes.lock().expect("lock").retain(|(p, _, _)| !p.ends_with(".sha256"));
    server.route("/Debian/all.zip", export[..export.len() / 2].to_vec(), Some("\"v4\""));
    assert!(matches!(db.update(&url, &opts), Err(Error::CorruptExport { .. })));
    server.route("/Debian/all.zip", damage(export.clone()), Some("\"v5\""));
    assert!(matches!(db.update(&url, &opts), Err(Error::CorruptExport { .. })));
    assert_eq!(db.info().expect("info"), verified);
    assert_eq!(ids(&db, "Debian:7", "nginx", "1.2.1-2.2"), one("DSA-3029-1", Some("1.2.1-2.2+wheezy3")));

    // Strict mode for downloads: an entry that is not JSON at all means a damaged export.
    let not_json =
        zip_of(&[("DSA-3029-1.json".into(), real_record("DSA-3029-1")), ("torn.json".into(), TORN.into())]);
    server.route("/Debian/all.zip", not_json, Some("\"v6\""));
    assert!(matches!(db.update(&url, &opts), Err(Error::CorruptExport { .. })));

    // A 404 is an error naming the URL.
    let missing = format!("{}/Nope/all.zip", server.base);
    assert!(matches!(db.update(&missing, &opts), Err(Error::Download { .. })));
    assert!(server.log.lock().expect("lock").iter().all(|l| l.starts_with("GET ")), "only GETs");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
