//! Time to PDF: `cargo bench -p zerodock-report --bench pdf` renders reports evaluated over the
//! real default fixture — trimmed to ~100 failing findings, as captured (23 containers), and cloned
//! to 1000 containers — and prints the figures (min and median of several runs; every render is
//! cold, as `render` empties typst's cache; the first render of a process, which also parses the
//! embedded fonts and builds typst's library, is shown apart).

use std::time::{Duration, Instant};

use serde_json::Value;
use zerodock_engine::{EvalConfig, Report, Snapshot, Status, evaluate};
use zerodock_report::pdf::{PdfOptions, render};

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/fixtures/default.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

/// The default fixture with exactly `n` containers: the first `n`, or clones with new names and ids.
fn report_with(n: usize) -> Report {
    let mut snap = fixture();
    let containers = snap["engine"]["value"]["containers"]["value"].as_array_mut().expect("containers");
    let originals = containers.clone();
    containers.truncate(n);
    let mut i = 0usize;
    while containers.len() < n {
        let mut c = originals[i % originals.len()].clone();
        c["name"] = Value::String(format!("{}-c{i:04}", c["name"].as_str().expect("name")));
        // Unique in the first 12 hex digits: findings and the inventory key containers by short id
        // (a shared prefix made every clone the same container, and the evaluation quadratic).
        c["id"] = Value::String(format!("{:012x}{:052x}", 0xc0ff_ee00_0000_u64 + i as u64, 0));
        containers.push(c);
        i += 1;
    }
    let snap = Snapshot::from_json(&serde_json::to_string(&snap).expect("json")).expect("snapshot");
    evaluate(&snap, &EvalConfig::at(snap.collected_at))
}

fn problems(report: &Report) -> usize {
    report
        .checks
        .iter()
        .flat_map(|c| &c.findings)
        .filter(|f| f.waived.is_none() && matches!(f.status, Status::Fail | Status::Warn | Status::Unknown))
        .count()
}

/// Renders `runs` times. Every render is cold: `render` empties typst's memoisation cache.
fn measure(label: &str, report: &Report, runs: usize) {
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut bytes = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let pdf = render(report, &PdfOptions::default()).expect("pdf");
        times.push(started.elapsed());
        bytes = pdf.len();
    }
    times.sort();
    println!(
        "{label:<34} {:>5} problem findings  min {:>8.1} ms  median {:>8.1} ms  {:>9} bytes",
        problems(report),
        times[0].as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        bytes
    );
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let small = report_with(10);
    let first = Instant::now();
    render(&small, &PdfOptions::default()).expect("pdf");
    println!("first render in this process (fonts, library): {:.1} ms", first.elapsed().as_secs_f64() * 1e3);
    let runs = if quick { 1 } else { 7 };
    let default = report_with(23);
    let large = report_with(1000);
    measure("10 containers (~100 findings)", &small, runs);
    measure("23 containers (default fixture)", &default, runs);
    measure("1000 containers", &large, if quick { 1 } else { 3 });
}
