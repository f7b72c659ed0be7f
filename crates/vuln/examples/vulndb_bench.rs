//! Benchmark of the vulnerability database (not a timed test): imports a synthetic export the
//! size of osv.dev's Debian ecosystem and matches 200 packages, printing the figures.
//!
//! `cargo run --release -p zerodock-vuln --example vulndb_bench [RECORDS]`
//!
//! osv.dev cannot be reached from the machines this runs on, so the export is synthetic, shaped
//! like Debian's records: one `DEBIAN-CVE-*`/`DSA-*`/`DLA-*` record per id, an `affected` entry
//! per release (Debian 10–13) with an `introduced: 0` / `fixed` range, urgency, ~1 KB of details.

use std::io::Write;
use std::time::Instant;

use zerodock_vuln::db::Database;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let records: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(60_000);
    let packages = 5_000usize;
    let dir = tempfile::tempdir()?;
    let zip_path = dir.path().join("all.zip");

    let t = Instant::now();
    let mut w = zip::ZipWriter::new(std::io::BufWriter::new(std::fs::File::create(&zip_path)?));
    let details = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(18);
    for i in 0..records {
        let id = match i % 10 {
            0 => format!("DSA-{}-1", 1000 + i),
            1 => format!("DLA-{}-1", 1000 + i),
            _ => format!("DEBIAN-CVE-{}-{:05}", 2000 + i % 25, i),
        };
        let pkg = format!("pkg{}", i % packages);
        let affected: Vec<String> = [10, 11, 12, 13]
            .iter()
            .map(|rel| {
                format!(
                    r#"{{"package":{{"ecosystem":"Debian:{rel}","name":"{pkg}"}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"{}.{}-{}+deb{rel}u1"}}]}}],"ecosystem_specific":{{"urgency":"medium"}}}}"#,
                    1 + i % 7,
                    i % 13,
                    1 + i % 3
                )
            })
            .collect();
        let body = format!(
            r#"{{"id":"{id}","modified":"2026-0{}-1{}T00:00:00Z","published":"2020-01-01T00:00:00Z","aliases":["CVE-{}-{:05}"],"summary":"{pkg} - security update","details":"{details}","affected":[{}],"severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}]}}"#,
            1 + i % 9,
            i % 10,
            2000 + i % 25,
            i,
            affected.join(",")
        );
        w.start_file(format!("{id}.json"), zip::write::SimpleFileOptions::default())?;
        w.write_all(body.as_bytes())?;
    }
    w.finish()?;
    let zip_bytes = std::fs::metadata(&zip_path)?.len();
    println!(
        "synthetic export: {records} records, {:.1} MB zipped, written in {:.1?}",
        mb(zip_bytes),
        t.elapsed()
    );

    let db_path = dir.path().join("vulndb.sqlite");
    let mut db = Database::open(&db_path)?;
    let t = Instant::now();
    let summary = db.import_zip(&zip_path, "synthetic")?;
    let import = t.elapsed();
    println!(
        "import: {} records in {:.2?} ({:.0} records/s); database {:.1} MB",
        summary.imported,
        import,
        summary.imported as f64 / import.as_secs_f64(),
        mb(std::fs::metadata(&db_path)?.len())
    );

    // 200 installed packages of a Debian 12 image: every 25th package of the export, at a
    // version below the fix (so each matches its records) — the worst case for evaluation.
    let query: Vec<(String, String)> =
        (0..200).map(|k| (format!("pkg{}", k * 25), "1.0-1".to_string())).collect();
    let run = |db: &Database| -> Result<usize, Box<dyn std::error::Error>> {
        let mut n = 0;
        for (pkg, v) in &query {
            n += db.matches("Debian:12", pkg, v)?.len();
        }
        Ok(n)
    };
    let t = Instant::now();
    let found = run(&db)?;
    let cold = t.elapsed();
    let mut best = std::time::Duration::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        run(&db)?;
        best = best.min(t.elapsed());
    }
    println!("match 200 packages: {found} matches; first run {cold:.2?}, warm best of 20 {best:.2?}");
    // The same packages at a version above every fix: the same rows are read and evaluated,
    // nothing matches (most packages of a patched image).
    let t = Instant::now();
    for (pkg, _) in &query {
        db.matches("Debian:12", pkg, "99:1.0-1")?;
    }
    println!("match 200 packages, none affected (same rows evaluated): {:.2?}", t.elapsed());
    let t = Instant::now();
    for k in 0..200 {
        db.matches("Debian:12", &format!("absent{k}"), "1.0-1")?;
    }
    println!("match 200 packages without records: {:.2?}", t.elapsed());
    let t = Instant::now();
    for _ in 0..2400 {
        std::hint::black_box(
            zerodock_vuln::version::Scheme::Deb.parse(std::hint::black_box("1.2-1+deb12u1")),
        );
    }
    println!("2400 Debian version parses: {:.2?}", t.elapsed());
    // 50 images in use, each of 200 Debian 12 packages (contents already read: the image cache
    // is warm), matched as a scan does: a typical fleet shares a base, so images overlap; here
    // each image has 150 packages of a shared base and 50 of its own, half of them vulnerable.
    let images: Vec<Vec<zerodock_engine::snapshot::Package>> = (0..50)
        .map(|img| {
            (0..200)
                .map(|k| {
                    let n = if k < 150 { k * 25 } else { (img * 50 + k) * 7 % packages };
                    let version = if k % 2 == 0 { "1.0-1" } else { "99:1.0-1" }.to_owned();
                    zerodock_engine::snapshot::Package {
                        name: format!("pkg{n}"),
                        version: version.clone(),
                        source_name: format!("pkg{n}"),
                        source_version: version,
                        ecosystem: Some("Debian:12".to_owned()),
                        ..Default::default()
                    }
                })
                .collect()
        })
        .collect();
    let t = Instant::now();
    let mut found = 0;
    let mut matcher = zerodock_vuln::matcher::Matcher::new(&db)?;
    for packages in &images {
        found += matcher.match_packages(packages)?.vulnerabilities.len();
    }
    println!("match 50 images x 200 packages (warm image cache): {found} findings in {:.2?}", t.elapsed());
    let reopened = Database::open(&db_path)?;
    let t = Instant::now();
    run(&reopened)?;
    println!("match 200 packages after reopening the file: {:.2?}", t.elapsed());
    Ok(())
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}
