//! JSON: the report model itself, pretty-printed (docs/report-format.md).

use std::io::Write;

use zerodock_engine::Report;

/// Writes the report as pretty JSON with a trailing newline, streaming: a 1000-container report
/// is ~18 MB of text, and building it as one string first would double the scan's peak memory.
pub fn write(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    let mut out = crate::export::buffered(out);
    serde_json::to_writer_pretty(&mut out, report).map_err(std::io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The report as pretty JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail, and the report serialises (it came from serde types).
    let _ = write(report, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}
