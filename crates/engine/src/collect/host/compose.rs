//! The Compose files that created containers, read (never written) for where each service and
//! each of its keys is written, so a fix and a SARIF result can point at the line to edit.
//!
//! Only positions leave this module: a Compose file's values (`environment:` entries, for one)
//! may be secrets, and the line of a key is all a fix needs.

use std::collections::BTreeMap;
use std::io::Read;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::snapshot::{ComposeFile, ComposeServiceLines, Fact};

/// Compose files are small; a larger file is not read (it is not a Compose file a person edits).
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// Reads each of `paths` (absolute, deduplicated by the caller) for its services' lines. The paths
/// come from container labels, which whoever created a container wrote: any file may be named.
pub fn read(paths: &[String]) -> Vec<ComposeFile> {
    paths.iter().map(|path| ComposeFile { path: path.clone(), services: read_one(path) }).collect()
}

fn read_one(path: &str) -> Fact<BTreeMap<String, ComposeServiceLines>> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return Fact::unavailable(format!("{path} could not be read on this machine ({e})")),
    };
    if !meta.is_file() {
        return Fact::unavailable(format!("{path} is not a regular file on this machine"));
    }
    let too_large = || Fact::unavailable(format!("{path} is larger than {MAX_BYTES} bytes: not read"));
    if meta.len() > MAX_BYTES {
        return too_large();
    }
    // The size is checked again while reading: a file in /proc says 0 bytes and can yield
    // gigabytes (a label naming /proc/self/pagemap), and a file may grow after its metadata.
    let bytes = match read_capped(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return too_large(),
        Err(e) => return Fact::unavailable(format!("{path} could not be read on this machine ({e})")),
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid =
                std::str::from_utf8(&e.as_bytes()[..e.utf8_error().valid_up_to()]).unwrap_or_default();
            let line = valid.matches('\n').count() + 1;
            let column = valid.rsplit('\n').next().map_or(0, |last| last.chars().count()) + 1;
            return Fact::unavailable(format!(
                "{path} is not UTF-8 text (line {line} column {column}): not read"
            ));
        }
    };
    match service_lines(&text) {
        Ok(services) => Fact::available(services),
        Err(e) => Fact::unavailable(format!("{path} is not YAML this reader understands ({e})")),
    }
}

/// The file's bytes, or `None` once more than [`MAX_BYTES`] came. Reads whole 64 KiB chunks:
/// some /proc files refuse reads of other sizes (pagemap wants multiples of 8).
fn read_capped(path: &str) -> std::io::Result<Option<Vec<u8>>> {
    let mut file = std::fs::File::open(path)?;
    let (mut bytes, mut chunk) = (Vec::new(), vec![0u8; 64 * 1024]);
    loop {
        match file.read(&mut chunk) {
            Ok(0) => return Ok(Some(bytes)),
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        if bytes.len() as u64 > MAX_BYTES {
            return Ok(None);
        }
    }
}

/// The line of every service under the first document's top-level `services:` and of each key
/// written directly under it. A key that comes from a merge (`<<: *defaults`) or an `extends:` is
/// not written under the service, so it has no line of its own. An error carries the YAML
/// scanner's position (`… at byte 12 line 2 column 5`), never a value of the file.
pub fn service_lines(text: &str) -> Result<BTreeMap<String, ComposeServiceLines>, String> {
    // yaml-rust2 would read a byte order mark as part of the first key (`\u{feff}services`),
    // and a file saved with one would seem to have no services.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut walker = Walker::default();
    // The parser's events are pulled one by one rather than through `Parser::load`, which
    // recurses once per nesting level: a file nested a thousand blocks deep (half a megabyte)
    // overflowed the stack and aborted the whole scan. Only the first document is read.
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token().map_err(|e| e.to_string())? {
            (Event::DocumentEnd | Event::StreamEnd, _) => return Ok(walker.services),
            (ev, mark) => walker.on_event(ev, mark),
        }
    }
}

/// One open mapping or sequence of the event stream.
enum Frame {
    /// A mapping, with the key whose value comes next (`None` while a key is expected).
    Mapping { key: Option<String>, expecting_key: bool },
    /// A sequence: its items are values, never keys.
    Sequence,
}

#[derive(Default)]
struct Walker {
    stack: Vec<Frame>,
    services: BTreeMap<String, ComposeServiceLines>,
}

impl Walker {
    /// The keys of the mappings enclosing the current event (`["services", "web"]`), or `None`
    /// inside a sequence, where no service key can be.
    fn path(&self) -> Option<Vec<&str>> {
        let mut path = Vec::new();
        for frame in &self.stack[..self.stack.len().saturating_sub(1)] {
            match frame {
                Frame::Mapping { key: Some(key), .. } => path.push(key.as_str()),
                _ => return None,
            }
        }
        Some(path)
    }

    /// A scalar or alias in the innermost frame: a key when the mapping expects one, else a value.
    fn scalar(&mut self, text: Option<String>, line: u32) {
        let is_key = matches!(self.stack.last(), Some(Frame::Mapping { expecting_key: true, .. }));
        if is_key {
            if let Some(key) = &text {
                match self.path().as_deref() {
                    Some(["services"]) => {
                        self.services
                            .entry(key.clone())
                            .or_insert(ComposeServiceLines { line, ..Default::default() });
                    }
                    Some(["services", service]) => {
                        let service = (*service).to_owned();
                        if let Some(s) = self.services.get_mut(&service) {
                            s.keys.entry(key.clone()).or_insert(line);
                        }
                    }
                    _ => {}
                }
            }
            if let Some(Frame::Mapping { key, expecting_key }) = self.stack.last_mut() {
                *key = text;
                *expecting_key = false;
            }
        } else {
            self.value_done();
        }
    }

    /// A value ended in the innermost frame: a mapping expects its next key.
    fn value_done(&mut self) {
        if let Some(Frame::Mapping { expecting_key, .. }) = self.stack.last_mut() {
            *expecting_key = true;
        }
    }

    /// A mapping or sequence opens; as a mapping's key (complex keys), it names nothing we track.
    fn open(&mut self, frame: Frame) {
        if let Some(Frame::Mapping { key, expecting_key: expecting @ true }) = self.stack.last_mut() {
            *key = None;
            *expecting = false;
        }
        self.stack.push(frame);
    }

    fn close(&mut self) {
        self.stack.pop();
        self.value_done();
    }
}

impl Walker {
    /// Takes the parser's next event (positions and structure; scalars only as keys).
    fn on_event(&mut self, ev: Event, mark: Marker) {
        // The scanner counts lines from 1; a file of more than 4 billion lines is not read anyway.
        let line = u32::try_from(mark.line()).unwrap_or(u32::MAX);
        match ev {
            // An empty plain scalar is a null (`? ` with nothing after it): no name, and its
            // position may be past the end of the file (fuzz_compose.rs).
            Event::Scalar(text, TScalarStyle::Plain, ..) if text.is_empty() => self.scalar(None, line),
            Event::Scalar(text, ..) => self.scalar(Some(text), line),
            Event::Alias(_) => self.scalar(None, line),
            Event::MappingStart(..) => self.open(Frame::Mapping { key: None, expecting_key: true }),
            Event::SequenceStart(..) => self.open(Frame::Sequence),
            Event::MappingEnd | Event::SequenceEnd => self.close(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_and_their_keys_are_found_on_their_lines() {
        let text = "\
version: \"3.8\"
x-defaults: &defaults
  restart: always
services:
  web:
    image: nginx:1
    <<: *defaults
    environment:
      TOKEN: not-a-key-of-the-service
    ports: [\"8080:80\"]
    privileged: true
  # a comment
  db:
    image: postgres:16
    volumes:
      - data:/var/lib/postgresql/data
    pid: host
volumes:
  data: {}
";
        let services = service_lines(text).expect("yaml");
        assert_eq!(services.keys().collect::<Vec<_>>(), ["db", "web"]);
        let web = &services["web"];
        assert_eq!(web.line, 5);
        assert_eq!(web.keys["image"], 6);
        assert_eq!(web.keys["environment"], 8);
        assert_eq!(web.keys["ports"], 10);
        assert_eq!(web.keys["privileged"], 11);
        assert!(!web.keys.contains_key("TOKEN") && !web.keys.contains_key("restart"));
        let db = &services["db"];
        assert_eq!((db.line, db.keys["volumes"], db.keys["pid"]), (13, 15, 17));
        assert!(!services.contains_key("data"));
    }

    #[test]
    fn flow_style_and_no_services_are_read_too() {
        let services = service_lines("services: {web: {image: x, privileged: true}}\n").expect("yaml");
        assert_eq!(services["web"].keys["privileged"], 1);
        assert!(service_lines("just: text\n").expect("yaml").is_empty());
        assert!(service_lines("services: [\n").is_err());
    }

    #[test]
    fn an_unreadable_file_says_why_and_guesses_no_line() {
        let dir = std::env::temp_dir().join(format!("zd-compose-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let missing = dir.join("nope.yml").display().to_string();
        let read = read(std::slice::from_ref(&missing));
        let reason = read[0].services.get().expect_err("missing");
        assert!(reason.contains(&missing) && reason.contains("could not be read"), "{reason}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
