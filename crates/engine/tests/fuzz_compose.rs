//! Property-based fuzzing of the Compose YAML reader (issue 13, "Bad input, fuzzed"; the reader
//! is issue 9's `collect::host::compose`). A container's labels name its Compose files, so
//! whoever created a container chooses what `zerodock scan` reads: any YAML, any bytes, any file.
//!
//! Seeds: Compose files as people write them (below; the first is `tests/compose_live.rs`'s
//! project) and every Compose fix in the reports evaluated from the captured fixtures. Mutations:
//! byte-level (bit flips, truncation, inserted and deleted bytes, spliced seeds, invalid UTF-8,
//! BOMs) and structure-aware (lines inserted from YAML's sharper corners — anchors, aliases,
//! merge keys, flow style, tags, directives, complex keys, block scalars, document markers —
//! lines deleted, duplicated, re-indented or indented with tabs, deep nesting, huge scalars,
//! alias bombs).
//!
//! Properties: no input panics; a billion-laughs alias bomb is read without expanding it (the
//! test finishing is the bound; no timing is asserted); every line kept is a line of the text; an
//! error names the file and carries the scanner's line and column (for bytes that are not UTF-8,
//! ours); on generated Compose files every service and key is found on the line it was written
//! on and no value — nor any key nested below a service's own keys — is kept; files over the
//! 4 MiB cap are refused however their size is reported; accepted lines flow through `evaluate`
//! into fixes that cite only lines the reader gave.
//!
//! A short run is part of `cargo test`; `ZERODOCK_FUZZ_CASES=N` sets every property's case count
//! (the big-input property's to N / 1000) for a long run: `ZERODOCK_FUZZ_CASES=100000 cargo test
//! --release -p zerodock-engine --test fuzz_compose`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use zerodock_engine::collect::host::compose::{MAX_BYTES, read, service_lines};
use zerodock_engine::report::SnippetKind;
use zerodock_engine::snapshot::ComposeServiceLines;
use zerodock_engine::{EvalConfig, Fact, Snapshot, evaluate};

// ---------------------------------------------------------------------------------------------
// Configuration

/// Cases per property: `default_cases` in `cargo test`, `ZERODOCK_FUZZ_CASES` for a long run.
fn config(default_cases: u32) -> ProptestConfig {
    config_divided(default_cases, 1)
}

/// As [`config`], a long run giving this property a `divisor`th of the cases (inputs of 2–4 MiB
/// take a thousand times longer than a Compose file).
fn config_divided(default_cases: u32, divisor: u32) -> ProptestConfig {
    let cases = std::env::var("ZERODOCK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .map_or(default_cases, |n| (n / divisor).max(1));
    // Failing inputs become named regression tests here by hand; proptest's own persistence
    // would write `proptest-regressions/` into the source tree.
    ProptestConfig { cases, failure_persistence: None, max_shrink_iters: 1024, ..ProptestConfig::default() }
}

/// A Compose file written for one case, in a directory of its own that goes when it is dropped
/// (a test leaves nothing behind in `/tmp`).
struct TempFile(PathBuf);

impl TempFile {
    fn new(bytes: &[u8]) -> TempFile {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("zd-fuzz-compose-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("compose.yml");
        std::fs::write(&path, bytes).expect("write temp file");
        TempFile(path)
    }

    fn name(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Reads one file through the public reader, removing it after.
fn read_file(bytes: &[u8]) -> (String, Fact<BTreeMap<String, ComposeServiceLines>>) {
    let file = TempFile::new(bytes);
    let name = file.name();
    let mut files = read(std::slice::from_ref(&name));
    drop(file);
    assert_eq!(files.len(), 1, "one file asked, one answered");
    let file = files.remove(0);
    assert_eq!(file.path, name, "the file keeps the path it was asked under");
    (name, file.services)
}

// ---------------------------------------------------------------------------------------------
// Seeds

/// Compose files as they are written: the live test's project, the reader's unit-test file, and
/// longer ones with the features real projects use (anchors and merge keys, `extends`, profiles,
/// secrets, healthchecks, deploy blocks, flow style, several documents).
const SEEDS: &[&str] = &[
    // tests/compose_live.rs
    "version: \"2.4\"\nservices:\n  web:\n    image: IMAGE\n    command: [\"sleep\", \"86400\"]\n    privileged: true\n  db:\n    image: IMAGE\n    command: [\"sleep\", \"86400\"]\n    pid: host\n",
    "version: \"3.8\"\nx-defaults: &defaults\n  restart: always\nservices:\n  web:\n    image: nginx:1\n    <<: *defaults\n    environment:\n      TOKEN: not-a-key-of-the-service\n    ports: [\"8080:80\"]\n    privileged: true\n  # a comment\n  db:\n    image: postgres:16\n    volumes:\n      - data:/var/lib/postgresql/data\n    pid: host\nvolumes:\n  data: {}\n",
    r#"name: shop
x-logging: &logging
  driver: json-file
  options: {max-size: "10m", max-file: "3"}
x-common: &common
  restart: unless-stopped
  logging: *logging
  security_opt: [no-new-privileges:true]
services:
  proxy:
    <<: *common
    image: traefik:v3.0
    command:
      - --providers.docker=true
      - --entrypoints.web.address=:80
    ports:
      - "80:80"
      - target: 443
        published: 443
        protocol: tcp
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
    labels:
      traefik.enable: "true"
  api:
    <<: [*common]
    build:
      context: ./api
      dockerfile: Dockerfile
      args: {GIT_SHA: "${GIT_SHA:-dev}"}
    environment:
      - DATABASE_URL=postgres://shop:${DB_PASSWORD}@db/shop
      - LOG_LEVEL=info
    depends_on:
      db: {condition: service_healthy}
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]
      interval: 30s
      timeout: 5s
      retries: 3
    deploy:
      resources:
        limits: {cpus: '0.50', memory: 512M}
    secrets: [db_password]
    profiles: ["backend"]
  db:
    image: postgres:16-alpine
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    volumes: [dbdata:/var/lib/postgresql/data]
    cap_add: [SYS_PTRACE]
    shm_size: 256m
  worker:
    extends: {file: common.yml, service: api}
    command: >-
      celery -A shop worker
      --loglevel=info
    user: "1000:1000"
    read_only: true
    tmpfs: [/tmp]
secrets:
  db_password: {file: ./secrets/db_password.txt}
volumes:
  dbdata: {}
networks:
  default: {name: shop-net}
"#,
    "services: {web: {image: 'nginx:1', privileged: true, ports: ['80:80']}, cache: {image: redis, network_mode: host}}\n",
    "services:\r\n  web:\r\n    image: x\r\n    pid: \"host\"\r\n",
    "---\nservices:\n  a:\n    image: x\n...\n---\nservices:\n  b:\n    image: y\n",
    "%YAML 1.2\n---\n!!map\nservices: !!map\n  web: !!map\n    image: !!str x\n    ? privileged\n    : true\n",
];

/// Every Compose fix of the reports evaluated from the captured fixtures (`services:` snippets).
fn report_snippets() -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if map.get("kind").and_then(|k| k.as_str()) == Some("compose")
                    && let Some(code) = map.get("code").and_then(|c| c.as_str())
                {
                    out.push(code.to_owned());
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for name in ["default.json", "hardened.json"] {
        let snap = Snapshot::from_json(&fixture(name)).expect("fixture snapshot parses");
        let report = evaluate(&snap, &EvalConfig::at(snap.collected_at));
        walk(&serde_json::to_value(&report).expect("report serialises"), &mut out);
    }
    out.sort();
    out.dedup();
    out
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The seeds and the reports' Compose fixes.
fn seeds() -> &'static [String] {
    static SEEDS_ALL: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS_ALL.get_or_init(|| {
        let mut all: Vec<String> = SEEDS.iter().map(|s| (*s).to_owned()).collect();
        all.extend(report_snippets());
        all
    })
}

// ---------------------------------------------------------------------------------------------
// Mutations

/// Lines from YAML's sharper corners, inserted at any line (with an indentation of 0–8 spaces or
/// a tab): anchors, aliases (defined and not), merge keys, complex keys, tags, directives,
/// document markers, block scalars, escapes, unterminated flow, line separators, NUL, BOM.
const FRAGMENTS: &[&str] = &[
    "x-a: &a {restart: always, image: v}",
    "x-b: &b\n  pid: host",
    "<<: *a",
    "<<: [*a, *b]",
    "<<: {privileged: true}",
    "&k key: value",
    "*a : value",
    "*undefined",
    "key: *a",
    "? [complex, key]\n: value",
    "? |\n  block key\n: v",
    "key: !!binary aGVsbG8=",
    "key: !custom {a: b}",
    "!!map {a: b}",
    "%YAML 1.2\n---",
    "%YAML 1.1\n%YAML 1.2",
    "%TAG !e! tag:example.com,2000:\n---",
    "key: !e!thing x",
    "---",
    "...",
    "--- !!str",
    "key: |\n  literal\n   block\n",
    "key: >-\n  folded\n\n  text",
    "key: |+2\n    indented",
    "key: \"esc \\u0041 \\x41 \\U0001F600 \\\n  cont\"",
    "key: \"bad \\q escape\"",
    "key: 'single ''quoted'''",
    "\tkey: tab",
    "key:\tvalue",
    "- item",
    "- &s [a, *s]",
    "- ? a\n  : b",
    "services:",
    "  web:",
    "    privileged: true",
    "services: [",
    "{a: [b, {c: d}], e: f}",
    "[a, b, {c: d}]",
    "key: [a, b",
    "key: {a: b",
    "}]}]",
    "# comment: with: colons",
    "key: value # trailing",
    "\r",
    "\u{2028}\u{2029}\u{85}",
    "\0",
    "\u{feff}",
    "@reserved",
    "`reserved",
    "key: %percent",
    "\"unterminated",
    "'unterminated",
    "key: value: another",
    "-",
    "? ",
    ":",
    "key:",
    "&",
    "*",
    "!",
    "!<tag:yaml.org,2002:str> x",
    "<<: *a\n<<: *a",
];

/// A byte string that may be anything, often not UTF-8.
fn raw_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        Just(vec![0xff, 0xfe]),
        Just(vec![0xef, 0xbb, 0xbf]),
        Just(vec![0xc3]),
        Just(vec![0xed, 0xa0, 0x80]),
        Just(vec![0xf4, 0x90, 0x80, 0x80]),
    ]
}

/// Generated YAML shapes that stress the reader's size and depth handling.
fn generated_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        // Flow nesting around yaml-rust2's 255-level limit.
        (0usize..400, 0usize..400).prop_map(|(open, close)| format!(
            "k: {}{}",
            "[".repeat(open),
            "]".repeat(close)
        )),
        (0usize..300).prop_map(|n| format!("k: {}a{}", "{a: ".repeat(n), "}".repeat(n))),
        // Block nesting: each level indented one more.
        (0usize..300).prop_map(|n| {
            let mut s = String::new();
            for i in 0..n {
                let _ = writeln!(s, "{}k{i}:", " ".repeat(i));
            }
            s
        }),
        (0usize..300)
            .prop_map(|n| (0..n).map(|i| format!("{}- ", "  ".repeat(i))).collect::<Vec<_>>().join("\n")),
        // Long scalars and lines.
        (0usize..64 * 1024).prop_map(|n| format!("key: {}", "x".repeat(n))),
        (0usize..16 * 1024).prop_map(|n| format!("key: \"{}\"", "\\u00e9".repeat(n))),
        (0usize..16 * 1024).prop_map(|n| format!("key: |\n{}", "  line\n".repeat(n))),
        (0usize..4096).prop_map(|n| format!(
            "{{{}}}",
            (0..n).map(|i| format!("k{i}: v")).collect::<Vec<_>>().join(", ")
        )),
        // Many anchors, and an alias bomb.
        (0usize..2000)
            .prop_map(|n| (0..n).map(|i| format!("a{i}: &a{i} v\nb{i}: *a{i}\n")).collect::<String>()),
        (1usize..12, 2usize..12).prop_map(|(levels, width)| alias_bomb(levels, width)),
    ]
}

/// "Billion laughs": level `i` is a sequence of `width` aliases of level `i - 1`, so the last
/// level stands for `width^levels` scalars if aliases were expanded. The last level is a service.
fn alias_bomb(levels: usize, width: usize) -> String {
    let mut s = String::from("x-l0: &l0 [lol]\n");
    for i in 1..=levels {
        let items = vec![format!("*l{}", i - 1); width].join(", ");
        let _ = writeln!(s, "x-l{i}: &l{i} [{items}]");
    }
    let _ = writeln!(s, "services:\n  bomb:\n    <<: *l{levels}\n    image: *l{levels}\n  web: *l{levels}");
    s
}

/// One edit of a text.
#[derive(Debug, Clone)]
enum Edit {
    /// A fragment inserted before a line, indented.
    Insert { at: Index, indent: usize, tab: bool, fragment: String },
    /// A line deleted.
    Delete(Index),
    /// A line repeated.
    Duplicate(Index),
    /// Two lines swapped.
    Swap(Index, Index),
    /// A line's indentation changed by -4..=4 spaces, or its leading spaces made tabs.
    Reindent { at: Index, by: i8, tabs: bool },
    /// One bit flipped.
    Flip { at: Index, bit: u8 },
    /// The text cut.
    Truncate(Index),
    /// Bytes inserted (often not UTF-8).
    Bytes { at: Index, bytes: Vec<u8> },
    /// A range of bytes deleted.
    Cut { at: Index, len: usize },
    /// A piece of another seed spliced in.
    Splice { at: Index, seed: Index, from: Index, len: usize },
    /// Line breaks changed to `\r\n` or lone `\r`.
    Breaks { crlf: bool },
}

fn edit() -> impl Strategy<Value = Edit> {
    let fragment = prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => generated_fragment(),
    ];
    prop_oneof![
        6 => (any::<Index>(), 0usize..9, any::<bool>(), fragment)
            .prop_map(|(at, indent, tab, fragment)| Edit::Insert { at, indent, tab, fragment }),
        2 => any::<Index>().prop_map(Edit::Delete),
        1 => any::<Index>().prop_map(Edit::Duplicate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        2 => (any::<Index>(), -4i8..=4, any::<bool>()).prop_map(|(at, by, tabs)| Edit::Reindent { at, by, tabs }),
        2 => (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Edit::Flip { at, bit }),
        1 => any::<Index>().prop_map(Edit::Truncate),
        2 => (any::<Index>(), raw_bytes()).prop_map(|(at, bytes)| Edit::Bytes { at, bytes }),
        1 => (any::<Index>(), 1usize..64).prop_map(|(at, len)| Edit::Cut { at, len }),
        1 => (any::<Index>(), any::<Index>(), any::<Index>(), 1usize..400)
            .prop_map(|(at, seed, from, len)| Edit::Splice { at, seed, from, len }),
        1 => any::<bool>().prop_map(|crlf| Edit::Breaks { crlf }),
    ]
}

/// Applies `edit` to `bytes` (lines are split on `\n`).
fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let lines = || -> Vec<Vec<u8>> { bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect() };
    let join = |lines: Vec<Vec<u8>>| lines.join(&b'\n');
    match edit {
        Edit::Insert { at, indent, tab, fragment } => {
            let mut ls = lines();
            let pad = if *tab { "\t".to_owned() } else { " ".repeat(*indent) };
            let new: Vec<Vec<u8>> = fragment.split('\n').map(|l| format!("{pad}{l}").into_bytes()).collect();
            let i = at.index(ls.len() + 1);
            ls.splice(i..i, new);
            *bytes = join(ls);
        }
        Edit::Delete(at) => {
            let mut ls = lines();
            ls.remove(at.index(ls.len()));
            *bytes = join(ls);
        }
        Edit::Duplicate(at) => {
            let mut ls = lines();
            let i = at.index(ls.len());
            ls.insert(i, ls[i].clone());
            *bytes = join(ls);
        }
        Edit::Swap(a, b) => {
            let mut ls = lines();
            let (i, j) = (a.index(ls.len()), b.index(ls.len()));
            ls.swap(i, j);
            *bytes = join(ls);
        }
        Edit::Reindent { at, by, tabs } => {
            let mut ls = lines();
            let i = at.index(ls.len());
            let line = &ls[i];
            let lead = line.iter().take_while(|&&b| b == b' ').count();
            let rest = line[lead..].to_vec();
            let new_lead = (lead as i64 + i64::from(*by)).max(0) as usize;
            let pad = if *tabs { vec![b'\t'; new_lead.div_ceil(2)] } else { vec![b' '; new_lead] };
            ls[i] = [pad, rest].concat();
            *bytes = join(ls);
        }
        Edit::Flip { at, bit } => {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] ^= 1 << bit;
            }
        }
        Edit::Truncate(at) => bytes.truncate(at.index(bytes.len() + 1)),
        Edit::Bytes { at, bytes: new } => {
            let i = at.index(bytes.len() + 1);
            bytes.splice(i..i, new.iter().copied());
        }
        Edit::Cut { at, len } => {
            let i = at.index(bytes.len() + 1);
            let end = (i + len).min(bytes.len());
            bytes.drain(i..end);
        }
        Edit::Splice { at, seed, from, len } => {
            let other = seeds()[seed.index(seeds().len())].as_bytes();
            let start = from.index(other.len() + 1);
            let piece = &other[start..(start + len).min(other.len())];
            let i = at.index(bytes.len() + 1);
            bytes.splice(i..i, piece.iter().copied());
        }
        Edit::Breaks { crlf } => {
            let with: &[u8] = if *crlf { b"\r\n" } else { b"\r" };
            *bytes = bytes.split(|&b| b == b'\n').collect::<Vec<_>>().join(with);
        }
    }
}

/// A seed with 1–8 edits applied, as bytes (maybe not UTF-8).
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (any::<Index>(), prop::collection::vec(edit(), 1..8)).prop_map(|(seed, edits)| {
        let mut bytes = seeds()[seed.index(seeds().len())].clone().into_bytes();
        for e in &edits {
            apply(&mut bytes, e);
        }
        bytes
    })
}

// ---------------------------------------------------------------------------------------------
// Checks

/// YAML's line breaks (`\n`, `\r\n`, lone `\r`) plus one: the highest line a position can name.
fn line_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    let lone_cr =
        bytes.iter().enumerate().filter(|&(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n')).count();
    bytes.iter().filter(|&&b| b == b'\n').count() + lone_cr + 1
}

/// The `line L column C` of a message, if it has one.
fn line_column(message: &str) -> Option<(usize, usize)> {
    let at = message.rfind(" line ").or_else(|| message.rfind("(line "))?;
    let rest = &message[at + " line ".len()..];
    let mut words = rest.split([' ', ')', ':']);
    let line = words.next()?.parse().ok()?;
    (words.next()? == "column").then_some(())?;
    let column = words.next()?.parse().ok()?;
    Some((line, column))
}

/// What every successful read must satisfy: lines inside the text, at most an entry per line
/// that holds a service or a key, no more entries than the text has bytes.
fn check_lines(text: &str, services: &BTreeMap<String, ComposeServiceLines>) -> Result<(), TestCaseError> {
    let max = line_count(text);
    let mut entries = 0usize;
    for (name, s) in services {
        prop_assert!((1..=max).contains(&(s.line as usize)), "service {name:?} on line {} of {max}", s.line);
        for (key, &line) in &s.keys {
            prop_assert!((1..=max).contains(&(line as usize)), "{name}.{key} on line {line} of {max}");
            prop_assert!(line >= s.line, "{name}.{key} on line {line} before its service on {}", s.line);
        }
        entries += 1 + s.keys.len();
    }
    prop_assert!(entries <= text.len(), "{entries} entries from {} bytes", text.len());
    Ok(())
}

/// An error from `service_lines`: the scanner's position, inside the text.
fn check_error(text: &str, error: &str) -> Result<(), TestCaseError> {
    prop_assert!(error.contains(" at byte "), "no position: {error}");
    let (line, column) =
        line_column(error).ok_or_else(|| TestCaseError::fail(format!("no line/column: {error}")))?;
    // At the end of the stream the scanner counts a line break the text may not have: one past
    // the last line is where an unterminated construct is reported.
    prop_assert!(line >= 1 && line <= line_count(text) + 1, "line {line} of {}: {error}", line_count(text));
    prop_assert!(column >= 1, "{error}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generated Compose files with the lines they must yield

/// How a value is written; each holds `VAL_` markers that must never be kept.
#[derive(Debug, Clone)]
enum Value {
    Plain,
    DoubleQuoted,
    SingleQuoted,
    Literal,
    Folded,
    FlowSequence,
    BlockSequence,
    /// A nested mapping (`environment:`): its `DEEP_` keys are not the service's keys.
    BlockMapping,
    FlowMapping,
    Anchored,
    Alias,
    Tagged,
    Empty,
}

impl Value {
    /// Whether the value fits in flow style (`{key: value}`).
    fn flow(&self) -> bool {
        !matches!(
            self,
            Value::Literal | Value::Folded | Value::BlockSequence | Value::BlockMapping | Value::Empty
        )
    }
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Plain),
        Just(Value::DoubleQuoted),
        Just(Value::SingleQuoted),
        Just(Value::Literal),
        Just(Value::Folded),
        Just(Value::FlowSequence),
        Just(Value::BlockSequence),
        Just(Value::BlockMapping),
        Just(Value::FlowMapping),
        Just(Value::Anchored),
        Just(Value::Alias),
        Just(Value::Tagged),
        Just(Value::Empty),
    ]
}

/// Keys a service writes: Compose's own, the merge key, and names that need quoting.
const KEYS: &[&str] = &[
    "image",
    "privileged",
    "pid",
    "ports",
    "environment",
    "volumes",
    "command",
    "restart",
    "network_mode",
    "cap_add",
    "security_opt",
    "user",
    "read_only",
    "healthcheck",
    "labels",
    "deploy",
    "x-custom",
    "<<",
    "\"odd key\"",
    "'quoted: key'",
    "ключ",
    "\"\\u0041\"",
];

/// The text a key stands for, once the YAML quoting is undone.
fn key_text(key: &str) -> String {
    match key {
        "\"odd key\"" => "odd key".into(),
        "'quoted: key'" => "quoted: key".into(),
        "\"\\u0041\"" => "A".into(),
        k => k.into(),
    }
}

#[derive(Debug, Clone)]
struct Service {
    name: &'static str,
    flow: bool,
    keys: Vec<(&'static str, Value)>,
}

fn service() -> impl Strategy<Value = Service> {
    (
        prop::sample::select(&["web", "db", "cache", "api", "worker", "proxy", "служба", "a-b_c.d"][..]),
        any::<bool>(),
        prop::collection::vec((prop::sample::select(KEYS), value()), 0..8),
    )
        .prop_map(|(name, flow, keys)| Service { name, flow, keys })
}

/// A Compose document, and the service lines the reader must return for it.
#[derive(Debug, Clone)]
struct Generated {
    text: String,
    expected: BTreeMap<String, ComposeServiceLines>,
}

/// Renders `services` (with decoys before and after: top-level keys holding their own
/// `services:`, an anchored defaults block, comments) and computes the expected lines: first
/// occurrence wins for a duplicated service or key, as in the reader.
fn render(services: &[Service], decoy_first: bool, comments: bool) -> Generated {
    let mut lines: Vec<String> =
        vec!["version: \"3.8\"".into(), "x-defaults: &defaults".into(), "  restart: VAL_d".into()];
    let decoy = ["x-other:", "  services:", "    fake:", "      image: VAL_fake", "      DEEP_fake: VAL_f"];
    if decoy_first {
        lines.extend(decoy.iter().map(|s| (*s).to_owned()));
    }
    lines.push("services:".into());
    let mut expected: BTreeMap<String, ComposeServiceLines> = BTreeMap::new();
    let mut n = 0usize;
    let mut marker = || {
        n += 1;
        format!("VAL_{n}")
    };
    for s in services {
        if comments {
            lines.push("  # a comment: with a colon".into());
        }
        let line = lines.len() as u32 + 1;
        let entry = expected
            .entry(s.name.to_owned())
            .or_insert_with(|| ComposeServiceLines { line, keys: BTreeMap::new() });
        if s.flow && s.keys.iter().all(|(_, v)| v.flow()) {
            let mut parts = Vec::new();
            for (key, v) in &s.keys {
                entry.keys.entry(key_text(key)).or_insert(line);
                parts.push(format!("{key}: {}", flow_value(v, &mut marker)));
            }
            lines.push(format!("  {}: {{{}}}", s.name, parts.join(", ")));
            continue;
        }
        lines.push(format!("  {}:", s.name));
        if s.keys.is_empty() {
            // A service with no keys is `name: {}` (a bare `name:` is null, still a service).
            let last = lines.len() - 1;
            lines[last].push_str(" {}");
        }
        for (key, v) in &s.keys {
            let line = lines.len() as u32 + 1;
            entry.keys.entry(key_text(key)).or_insert(line);
            let head = format!("    {key}:");
            match v {
                Value::Literal => lines.extend([
                    format!("{head} |"),
                    format!("      {}", marker()),
                    format!("      {} more", marker()),
                ]),
                Value::Folded => lines.extend([
                    format!("{head} >-"),
                    format!("      {}", marker()),
                    String::new(),
                    format!("      {}", marker()),
                ]),
                Value::BlockSequence => lines.extend([
                    head,
                    format!("      - {}", marker()),
                    format!("      - {{DEEP_{}: {}}}", marker(), marker()),
                ]),
                Value::BlockMapping => lines.extend([
                    head,
                    format!("      DEEP_{}: {}", marker(), marker()),
                    format!("      DEEP_{}:", marker()),
                ]),
                Value::Empty => lines.push(head),
                v => lines.push(format!("{head} {}", flow_value(v, &mut marker))),
            }
        }
    }
    if !decoy_first {
        lines.extend(decoy.iter().map(|s| (*s).to_owned()));
    }
    lines.push("volumes: {VAL_vol: {}}".into());
    Generated { text: lines.join("\n") + "\n", expected }
}

/// A value in flow-compatible form.
fn flow_value(v: &Value, marker: &mut impl FnMut() -> String) -> String {
    match v {
        Value::Plain => marker(),
        Value::DoubleQuoted => format!("\"{} with: colon, \\t tab\"", marker()),
        Value::SingleQuoted => format!("'{} it''s'", marker()),
        Value::FlowSequence => format!("[{}, \"{}\", [{}]]", marker(), marker(), marker()),
        Value::FlowMapping => format!("{{DEEP_{}: {}}}", marker(), marker()),
        Value::Anchored => format!("&anc_{} {}", marker(), marker()),
        Value::Alias => "*defaults".into(),
        Value::Tagged => format!("!!str {}", marker()),
        // Not flow values; rendered as plain ones where a flow form is needed.
        Value::Literal | Value::Folded | Value::BlockSequence | Value::BlockMapping | Value::Empty => {
            marker()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config(256))]

    /// Mutated Compose text: no panic; lines inside the text; errors carry line and column.
    #[test]
    fn mutated_compose_text_never_panics_and_positions_stay_in_the_text(bytes in mutated()) {
        let text = String::from_utf8_lossy(&bytes);
        match service_lines(&text) {
            Ok(services) => check_lines(&text, &services)?,
            Err(e) => check_error(&text, &e)?,
        }
    }

    /// Generated Compose files: every service and key on the line it was written on, exactly;
    /// no value, nested key, anchor name or decoy kept.
    #[test]
    fn generated_compose_lines_are_exact_and_no_value_is_kept(
        services in prop::collection::vec(service(), 0..8),
        decoy_first in any::<bool>(),
        comments in any::<bool>(),
    ) {
        let generated = render(&services, decoy_first, comments);
        let got = service_lines(&generated.text).map_err(|e| TestCaseError::fail(format!("{e}\n{}", generated.text)))?;
        prop_assert_eq!(&got, &generated.expected, "{}", generated.text);
        let kept = serde_json::to_string(&got).expect("serialises");
        for marker in ["VAL_", "DEEP_", "anc_", "fake", "defaults"] {
            prop_assert!(!kept.contains(marker), "{marker} kept: {kept}\n{}", generated.text);
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// The same through a file: the reader's answer names the file in every reason; text that is
    /// UTF-8 gives what `service_lines` gives; bytes that are not give the line and column.
    #[test]
    fn mutated_compose_files_never_panic_and_reasons_name_the_file(bytes in mutated()) {
        let (path, services) = read_file(&bytes);
        match (std::str::from_utf8(&bytes), services.get()) {
            (Ok(text), Ok(services)) => {
                check_lines(text, services)?;
                let direct = service_lines(text).map_err(TestCaseError::fail)?;
                prop_assert_eq!(services, &direct);
            }
            (Ok(text), Err(reason)) => {
                prop_assert!(reason.starts_with(&path), "{reason}");
                let direct = service_lines(text).expect_err("the file read failed, so must the text");
                prop_assert!(reason.contains(&direct), "{reason} / {direct}");
                check_error(text, reason)?;
            }
            (Err(utf8), Err(reason)) => {
                prop_assert!(reason.starts_with(&path) && reason.contains("not UTF-8"), "{reason}");
                let valid = std::str::from_utf8(&bytes[..utf8.valid_up_to()]).expect("valid prefix");
                let line = valid.matches('\n').count() + 1;
                prop_assert_eq!(line_column(reason).map(|(l, _)| l), Some(line), "{}", reason);
            }
            (Err(_), Ok(_)) => prop_assert!(false, "bytes that are not UTF-8 were read"),
        }
    }

    /// Alias bombs of up to 11^11 expansions, in every place a service or key could be: read in
    /// the time of their text (aliases are events, never expanded), `bomb` found, nothing under it
    /// invented from the aliased sequence.
    #[test]
    fn alias_bombs_are_never_expanded(levels in 1usize..12, width in 2usize..12) {
        let text = alias_bomb(levels, width);
        let services = service_lines(&text).map_err(TestCaseError::fail)?;
        prop_assert_eq!(services.keys().collect::<Vec<_>>(), ["bomb", "web"]);
        prop_assert_eq!(services["bomb"].keys.keys().collect::<Vec<_>>(), ["<<", "image"]);
        prop_assert!(services["web"].keys.is_empty());
        check_lines(&text, &services)?;
    }
}

proptest! {
    #![proptest_config(config(16))]

    /// Lines the reader gives flow through `evaluate` into Compose fixes: no panic, and a fix
    /// cites a line only if the reader gave it for that file, else says why it is unknown.
    #[test]
    fn lines_read_flow_into_fixes_that_cite_only_them(bytes in mutated(), service in "[a-z]{1,6}") {
        let file = TempFile::new(&bytes);
        let name = file.name();
        let read_files = read(std::slice::from_ref(&name));
        drop(file);
        let mut snap = Snapshot::from_json(&fixture("default.json")).expect("fixture");
        // Every container of the fixture is a service of the fuzzed file: one named as the
        // file says when it names one, else a random name the file may not hold.
        let named = read_files[0].services.get().ok().and_then(|s| s.keys().next().cloned()).unwrap_or(service);
        if let Some(engine) = snap.engine.ok_mut()
            && let Some(containers) = engine.containers.ok_mut()
        {
            for c in containers.iter_mut() {
                c.labels.insert("com.docker.compose.service".into(), named.clone());
                c.labels.insert("com.docker.compose.project.config_files".into(), name.clone());
            }
        }
        let allowed: Vec<u32> = match read_files[0].services.get() {
            Ok(services) => services.values().flat_map(|s| std::iter::once(s.line).chain(s.keys.values().copied())).collect(),
            Err(_) => Vec::new(),
        };
        snap.host.compose_files = Fact::available(read_files);
        let report = evaluate(&snap, &EvalConfig::at(snap.collected_at));
        let mut fixes = 0;
        for check in &report.checks {
            for finding in &check.findings {
                for fix in finding.remediation.iter().filter(|s| s.kind == SnippetKind::Compose) {
                    let Some(location) = &fix.location else { continue };
                    fixes += 1;
                    prop_assert_eq!(&location.path, &name);
                    match location.line {
                        Some(line) => prop_assert!(allowed.contains(&line), "line {line} not read: {}", fix.label),
                        None => prop_assert!(location.note.starts_with("line unknown: "), "{}", location.note),
                    }
                }
            }
        }
        prop_assert!(fixes > 0, "the default fixture has failing container checks with Compose fixes");
    }
}

proptest! {
    #![proptest_config(config_divided(1, 1000))]

    /// Big inputs up to the cap: a long scalar, a long flow mapping, many services, block nesting
    /// as deep as the size allows, a million nested sequences or complex keys on one line —
    /// read, or refused with a position, never a panic (the run finishing bounds the time).
    #[test]
    fn big_inputs_are_read_or_refused(size in (MAX_BYTES as usize / 2)..(MAX_BYTES as usize), shape in 0u8..6) {
        let text = match shape {
            0 => format!("services:\n  web:\n    image: {}\n", "x".repeat(size - 30)),
            1 => format!("services: {{{}}}\n", (0..size / 16).map(|i| format!("s{i}: {{a: b}}")).collect::<Vec<_>>().join(", ")),
            2 => format!("services:\n{}", (0..size / 24).map(|i| format!("  s{i}:\n    image: x\n")).collect::<String>()),
            3 => {
                let depth = (2.0 * size as f64).sqrt() as usize;
                (0..depth).map(|i| format!("{}k{}:\n", " ".repeat(i), i % 10)).collect()
            }
            4 => format!("services: {}a\n", "- ".repeat(size / 2 - 8)),
            _ => format!("services:\n  web:\n    {}a\n", "? ".repeat(size / 2 - 12)),
        };
        match service_lines(&text) {
            Ok(services) => check_lines(&text, &services)?,
            Err(e) => check_error(&text, &e)?,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Named cases

#[test]
fn the_seeds_are_compose_files_with_services() {
    assert!(seeds().len() > SEEDS.len(), "the reports' Compose fixes are seeds too");
    for seed in seeds() {
        let services = service_lines(seed).unwrap_or_else(|e| panic!("{e}\n{seed}"));
        assert!(!services.is_empty(), "no service in\n{seed}");
    }
    let shop = service_lines(SEEDS[2]).expect("shop");
    assert_eq!(shop.keys().collect::<Vec<_>>(), ["api", "db", "proxy", "worker"]);
    assert_eq!(shop["proxy"].keys["<<"], 11);
    assert_eq!(shop["worker"].keys["read_only"], 59);
    assert!(
        !shop["api"].keys.contains_key("DATABASE_URL")
            && !shop["db"].keys.contains_key("POSTGRES_PASSWORD_FILE")
    );
}

#[test]
fn a_billion_laughs_is_read_without_expanding_it() {
    // 10^9 scalars if expanded; a few hundred bytes as events.
    let services = service_lines(&alias_bomb(9, 10)).expect("yaml");
    assert_eq!(services["bomb"].keys.len(), 2);
    let (_, read) = read_file(alias_bomb(9, 10).as_bytes());
    assert!(read.get().is_ok());
}

#[test]
fn the_4_mib_cap_holds_for_files_and_for_files_that_misreport_their_size() {
    let at_cap = format!("services:\n  web:\n    image: {}\n", "x".repeat(MAX_BYTES as usize - 29));
    let at_cap = at_cap.into_bytes();
    assert_eq!(at_cap.len() as u64, MAX_BYTES);
    let (_, answer) = read_file(&at_cap);
    assert!(answer.get().expect("a file of exactly the cap is read").contains_key("web"));

    let mut over = at_cap.clone();
    over.push(b'\n');
    let (path, answer) = read_file(&over);
    let reason = answer.get().expect_err("over the cap");
    assert_eq!(reason, format!("{path} is larger than {MAX_BYTES} bytes: not read"));

    // A /proc file reports 0 bytes and yields far more: the cap holds while reading.
    let pagemap = "/proc/self/pagemap".to_owned();
    let meta = std::fs::metadata(&pagemap).expect("Linux has /proc/self/pagemap");
    assert!(
        meta.is_file() && meta.len() < MAX_BYTES,
        "the premise: a regular file reporting {} bytes",
        meta.len()
    );
    let files = read(std::slice::from_ref(&pagemap));
    let reason = files[0].services.get().expect_err("pagemap is not read");
    assert_eq!(reason, format!("{pagemap} is larger than {MAX_BYTES} bytes: not read"));
}

#[test]
fn bytes_that_are_not_utf8_are_refused_at_their_line_and_column() {
    let (path, read) = read_file(b"services:\n  web:\n    image: caf\xe9\n");
    assert_eq!(
        read.get().expect_err("latin-1"),
        format!("{path} is not UTF-8 text (line 3 column 15): not read")
    );
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_key() {
    // Editors on Windows save UTF-8 with a BOM; Compose reads such files.
    let text = "\u{feff}services:\n  web:\n    privileged: true\n";
    let services = service_lines(text).expect("yaml");
    assert_eq!(services["web"].keys["privileged"], 3);
    let (_, read) = read_file(text.as_bytes());
    assert_eq!(read.get().expect("read")["web"].line, 2);
}

#[test]
fn errors_name_the_file_line_and_column() {
    let (path, read) = read_file(b"services:\n  web:\n    image: [a, b\n    pid: host\n");
    let reason = read.get().expect_err("unterminated flow sequence");
    assert!(reason.starts_with(&format!("{path} is not YAML this reader understands (")), "{reason}");
    assert!(line_column(reason).is_some(), "{reason}");
    assert!(!reason.contains("image") && !reason.contains("host"), "no text of the file: {reason}");
}
/// Found by `big_inputs_are_read_or_refused`: `Parser::load` recursed once per nesting level,
/// so a Compose file of a thousand nested blocks (half a megabyte) or of a thousand `? ` complex
/// keys on one line overflowed the stack and aborted `zerodock scan`. The reader pulls events in
/// a loop now.
#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let blocks: String = (0..1500).map(|i| format!("{}k{}:\n", " ".repeat(i), i % 10)).collect();
    assert!(service_lines(&blocks).expect("nested blocks").is_empty());
    let keys = format!("services:\n  web:\n    {}a\n", "? ".repeat(100_000));
    assert_eq!(service_lines(&keys).expect("nested complex keys").keys().collect::<Vec<_>>(), ["web"]);
    let sequences = format!(
        "services:\n  web:\n    image:\n{}",
        (0..1500).map(|i| format!("{}- \n", " ".repeat(i + 6))).collect::<String>()
    );
    assert_eq!(service_lines(&sequences).expect("nested sequences")["web"].keys["image"], 3);
}
/// Found by the long run: a key with nothing after `? ` is a null, which the reader kept as a
/// service named "" on a line past the end of the file.
#[test]
fn a_null_key_is_no_service_and_no_line() {
    let services =
        service_lines("services:\r\n  web:\r\n    image: x\r\n    pid: \"host\"\r\n  ? ").expect("yaml");
    assert_eq!(services.keys().collect::<Vec<_>>(), ["web"]);
    let services = service_lines("services:\n  web:\n    ? \n    image: x\n").expect("yaml");
    assert_eq!(services["web"].keys.keys().collect::<Vec<_>>(), ["image"]);
    assert!(
        service_lines("services:\n  '':\n    image: x\n").expect("yaml").contains_key(""),
        "a quoted empty name is a name"
    );
}
