//! The export dispatcher: format by extension, every format rendered from one entry point, and
//! atomic writes that never leave a partial or temporary file behind.

use std::path::{Path, PathBuf};

use zerodock_engine::{EvalConfig, Report, Snapshot, evaluate};
use zerodock_report::export::{self, ExportError, ExportFormat, ExportOptions};

fn report() -> Report {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/fixtures/default.json");
    let snap = Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture")).expect("snapshot");
    evaluate(&snap, &EvalConfig::at(snap.collected_at))
}

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zd-export-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn formats_come_from_extensions() {
    let cases = [
        ("r.json", Some(ExportFormat::Json)),
        ("r.sarif", Some(ExportFormat::Sarif)),
        ("r.sarif.json", Some(ExportFormat::Sarif)),
        ("R.SARIF.JSON", Some(ExportFormat::Sarif)),
        ("r.html", Some(ExportFormat::Html)),
        ("r.htm", Some(ExportFormat::Html)),
        ("dir.d/r.md", Some(ExportFormat::Markdown)),
        ("r.markdown", Some(ExportFormat::Markdown)),
        ("r.pdf", Some(ExportFormat::Pdf)),
        ("r.txt", None),
        ("report", None),
        (".json", None),
    ];
    for (name, expected) in cases {
        assert_eq!(ExportFormat::from_extension(Path::new(name)), expected, "{name}");
    }
    for format in ExportFormat::ALL {
        let name = format!("x.{}", format.extension());
        assert_eq!(ExportFormat::from_extension(Path::new(&name)), Some(format), "{name}");
        assert_eq!(format.as_str().parse::<ExportFormat>(), Ok(format));
        assert_eq!(serde_json::to_value(format).expect("json"), format.as_str());
    }
    assert_eq!("md".parse::<ExportFormat>(), Ok(ExportFormat::Markdown));
}

#[test]
fn every_text_format_renders_from_the_one_dispatcher() {
    let report = report();
    let options = ExportOptions::default();
    let text = |f| String::from_utf8(export::render(f, &report, &options).expect("renders")).expect("utf-8");
    let json = text(ExportFormat::Json);
    assert_eq!(Report::from_json(&json).expect("the JSON reads back"), report);
    assert!(text(ExportFormat::Sarif).contains("\"version\": \"2.1.0\""));
    assert!(text(ExportFormat::Html).starts_with("<!DOCTYPE html>"));
    assert!(text(ExportFormat::Markdown).starts_with("## ZeroDock: score"));
}

#[test]
fn the_pdf_goes_through_the_same_dispatcher() {
    let bytes = export::render(ExportFormat::Pdf, &report(), &ExportOptions::default()).expect("a PDF");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF file");
}

#[test]
fn export_to_streams_json_and_replaces_the_old_file_whole() {
    let dir = tempdir("replace");
    let path = dir.join("r.json");
    std::fs::write(&path, "old").expect("old file");
    export::export_to(&path, ExportFormat::Json, &report(), &ExportOptions::default()).expect("written");
    let written = std::fs::read_to_string(&path).expect("read");
    assert_eq!(written, zerodock_report::json::render(&report()));
    assert_eq!(entries(&dir), ["r.json"], "no temporary file left");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_failure_midway_keeps_the_old_file_and_leaves_nothing_else() {
    let dir = tempdir("midway");
    let path = dir.join("r.html");
    std::fs::write(&path, "previous report").expect("old file");
    // What a full disk looks like to the writer: some bytes go out, then the write fails.
    let result = export::write_atomic_with(&path, |out| {
        out.write_all(&vec![b'x'; 256 * 1024])?;
        Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "No space left on device"))
    });
    let err = result.expect_err("the write fails");
    assert!(matches!(err, ExportError::Write { .. }), "{err:?}");
    assert!(err.to_string().contains("disk is full"), "the message says what to do: {err}");
    assert_eq!(std::fs::read_to_string(&path).expect("old file"), "previous report");
    assert_eq!(entries(&dir), ["r.html"], "the temporary file was removed");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unwritable_places_fail_with_a_path_and_leave_nothing() {
    let dir = tempdir("unwritable");
    // A directory where the file should go: the rename fails after the data was written.
    std::fs::create_dir_all(dir.join("taken.html/inside")).expect("blocking dir");
    let err =
        export::write_atomic(&dir.join("taken.html"), b"<html>").expect_err("a directory is in the way");
    assert!(err.to_string().contains("taken.html"), "{err}");
    assert_eq!(entries(&dir), ["taken.html"], "no temporary file left");
    // A file where a directory should be.
    std::fs::write(dir.join("file"), "x").expect("file");
    let err = export::write_atomic(&dir.join("file/r.md"), b"# r").expect_err("not a directory");
    assert!(err.to_string().contains("file/r.md"), "{err}");
    // A directory that does not exist.
    let err = export::write_atomic(&dir.join("missing/r.md"), b"# r").expect_err("no such directory");
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert_eq!(entries(&dir), ["file", "taken.html"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn new_files_get_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir("mode");
    let path = dir.join("r.md");
    export::write_atomic(&path, b"# r").expect("written");
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    // As `File::create` makes it (0666 & !umask), not tempfile's private 0600.
    let status = std::fs::read_to_string("/proc/self/status").expect("proc status");
    let umask = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .map(|v| u32::from_str_radix(v.trim(), 8).expect("octal"))
        .expect("Umask line");
    assert_eq!(mode, 0o644 & !umask, "mode {mode:o} with umask {umask:o}");
    let _ = std::fs::remove_dir_all(dir);
}
