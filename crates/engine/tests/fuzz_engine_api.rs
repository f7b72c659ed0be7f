//! Property-based fuzzing of the Engine API JSON that bollard's models decode for us (issue 13,
//! "Bad input, fuzzed": what a hostile or newer engine may answer). A fake engine on a unix
//! socket serves real answers captured from the test dockerd (`engine-api/captured.json`, see
//! `engine-api/capture.py`: `/version`, `/info`, the container and image lists, two container
//! inspects — one privileged and created, one running with an exec session — their `top`, the exec
//! inspect, image inspect and history, networks, volumes), one of them mutated per case: a value
//! replaced by an unknown enum string, another JSON type, a huge or negative number, deep
//! nesting; a key deleted or an unknown one added; the body truncated or not JSON at all; an HTTP
//! error instead of the answer. Then `collect` (engine part only) and `evaluate` run on it.
//!
//! Properties: nothing panics; the snapshot round-trips through its own JSON reader; every
//! container the (mutated) list names is accounted for — inspected, set aside as undecodable
//! (its checks then say unknown), noted as gone (a 404), or the whole part is unavailable with a
//! reason — never silently absent; the same for images; and whatever part could not be read says
//! why (a non-empty reason).
//!
//! A short run is part of `cargo test`; `ZERODOCK_FUZZ_CASES=N` raises the case count (as in
//! `tests/fuzz.rs`), e.g. `ZERODOCK_FUZZ_CASES=10000 cargo test --release -p zerodock-engine --test
//! fuzz_engine_api`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use zerodock_engine::collect::{CollectOptions, collect};
use zerodock_engine::{EvalConfig, Snapshot, evaluate};

fn cases(default: u32) -> ProptestConfig {
    let cases =
        std::env::var("ZERODOCK_FUZZ_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default);
    ProptestConfig { cases, failure_persistence: None, max_shrink_iters: 256, ..ProptestConfig::default() }
}

/// The captured answers, by path.
fn seed() -> &'static BTreeMap<String, Value> {
    static SEED: OnceLock<BTreeMap<String, Value>> = OnceLock::new();
    SEED.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/engine-api/captured.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    })
}

/// What the fake engine answers for one path.
#[derive(Debug, Clone)]
enum Answer {
    /// 200 with this body (JSON or not).
    Body(String),
    /// This status with Docker's `{"message": …}` body.
    Status(u16),
}

/// A fake Docker engine on a unix socket: answers each GET from `answers` by path (query and API
/// version prefix stripped), 404 for anything else, one request per connection.
struct FakeEngine {
    socket: PathBuf,
    stopped: std::sync::Arc<AtomicBool>,
}

impl FakeEngine {
    fn start(answers: BTreeMap<String, Answer>) -> FakeEngine {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "zd-fuzz-api-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let socket = dir.join("docker.sock");
        let listener = UnixListener::bind(&socket).expect("bind");
        let stopped = std::sync::Arc::new(AtomicBool::new(false));
        let answers = std::sync::Arc::new(answers);
        {
            let stopped = std::sync::Arc::clone(&stopped);
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stopped.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let answers = std::sync::Arc::clone(&answers);
                    std::thread::spawn(move || serve(conn, &answers));
                }
            });
        }
        FakeEngine { socket, stopped }
    }

    fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }
}

impl Drop for FakeEngine {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        let _ = std::os::unix::net::UnixStream::connect(&self.socket);
        if let Some(dir) = self.socket.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn serve(conn: std::os::unix::net::UnixStream, answers: &BTreeMap<String, Answer>) {
    let Ok(mut out) = conn.try_clone() else { return };
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/");
    let path = match path.strip_prefix("/v").and_then(|r| r.find('/').map(|i| &r[i..])) {
        Some(rest) if path[2..].starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => path,
    };
    let (status, body) = match answers.get(path) {
        Some(Answer::Body(b)) => (200, b.clone()),
        Some(Answer::Status(s)) => (*s, json!({"message": format!("fuzzed status {s}")}).to_string()),
        None => (404, json!({"message": format!("no such object: {path}")}).to_string()),
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(head.as_bytes()).and_then(|()| out.write_all(body.as_bytes()));
}

/// `[[[…1…]]]`, `depth` levels: beyond serde_json's recursion limit at 200.
fn deep(depth: usize) -> Value {
    (0..depth).fold(json!(1), |v, _| Value::Array(vec![v]))
}

/// A value a newer or hostile engine might send in place of another.
fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("zz-unknown-variant")),
        Just(json!("")),
        Just(json!(null)),
        Just(json!(true)),
        Just(json!([])),
        Just(json!({})),
        Just(json!(-1)),
        Just(json!(u64::MAX)),
        Just(json!(1e308)),
        Just(json!(0.5)),
        Just(json!("\u{202e}\u{0}ünïcödé")),
        Just(deep(200)),
        "[a-z]{1,12}".prop_map(Value::String),
        any::<i64>().prop_map(Value::from),
    ]
}

/// A position in a collection of any size, as a fraction of `usize::MAX` (proptest's `Index`,
/// but constructible, so a failing case can be written down as a regression test).
#[derive(Debug, Clone, Copy)]
struct Pick(usize);

impl Pick {
    fn index(self, size: usize) -> usize {
        ((size as u128 * self.0 as u128) >> usize::BITS) as usize
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(Pick, Value),
    Delete(Pick),
    AddField(Pick, String, Value),
    Truncate(Pick),
    NotJson,
    Status(u16),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (any::<usize>().prop_map(Pick), odd_value()).prop_map(|(i, v)| Edit::Replace(i, v)),
        2 => any::<usize>().prop_map(Pick).prop_map(Edit::Delete),
        2 => (any::<usize>().prop_map(Pick), "[A-Z][A-Za-z]{0,10}", odd_value()).prop_map(|(i, k, v)| Edit::AddField(i, k, v)),
        1 => any::<usize>().prop_map(Pick).prop_map(Edit::Truncate),
        1 => Just(Edit::NotJson),
        1 => prop_oneof![Just(400u16), Just(404), Just(500), Just(503)].prop_map(Edit::Status),
    ]
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}

/// The `n`th node of `v` in pre-order (0 = `v`).
fn nth_mut<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if *n == 0 {
        return Some(v);
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().find_map(|c| nth_mut(c, n)),
        Value::Object(o) => o.values_mut().find_map(|c| nth_mut(c, n)),
        _ => None,
    }
}

/// Applies `f` to the node of `v` that `i` picks.
fn at(v: &mut Value, i: &Pick, f: impl FnOnce(&mut Value)) {
    let mut n = i.index(count(v));
    if let Some(node) = nth_mut(v, &mut n) {
        f(node);
    }
}

/// The seed with `edit` applied to the answer at `which`.
fn mutated(which: &Pick, edit: &Edit) -> (String, BTreeMap<String, Answer>) {
    let seed = seed();
    let key = seed.keys().nth(which.index(seed.len())).expect("key").clone();
    let mut answers: BTreeMap<String, Answer> =
        seed.iter().map(|(k, v)| (k.clone(), Answer::Body(v.to_string()))).collect();
    let mut v = seed[&key].clone();
    let answer = match edit {
        Edit::Replace(i, new) => {
            at(&mut v, i, |node| *node = new.clone());
            Answer::Body(v.to_string())
        }
        Edit::Delete(i) => {
            // Delete a member of the object/array holding the chosen node.
            at(&mut v, i, |node| match node {
                Value::Object(o) => {
                    if let Some(k) = o.keys().next().cloned() {
                        o.remove(&k);
                    }
                }
                Value::Array(a) => {
                    a.pop();
                }
                other => *other = Value::Null,
            });
            Answer::Body(v.to_string())
        }
        Edit::AddField(i, k, new) => {
            at(&mut v, i, |node| {
                if let Value::Object(o) = node {
                    o.insert(k.clone(), new.clone());
                }
            });
            Answer::Body(v.to_string())
        }
        Edit::Truncate(i) => {
            let text = v.to_string();
            let cut = i.index(text.len().max(1));
            let cut = (0..=cut).rev().find(|c| text.is_char_boundary(*c)).unwrap_or(0);
            Answer::Body(text[..cut].to_owned())
        }
        Edit::NotJson => Answer::Body("<html>502 Bad Gateway</html>".to_owned()),
        Edit::Status(s) => Answer::Status(*s),
    };
    answers.insert(key.clone(), answer);
    (key, answers)
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
    })
}

/// Collects the engine part from a fake engine serving `answers`.
fn scan(answers: BTreeMap<String, Answer>) -> Snapshot {
    let engine = FakeEngine::start(answers);
    let mut opts = CollectOptions::with_host(Some(&engine.host())).expect("options");
    opts.host_facts = false;
    opts.timeout = Duration::from_secs(5);
    opts.concurrency = 4;
    runtime().block_on(collect(&opts))
}

/// Ids the (served) list at `path` names, if it is still a list of objects with string ids.
fn listed_ids(answers: &BTreeMap<String, Answer>, path: &str) -> Vec<String> {
    let Some(Answer::Body(text)) = answers.get(path) else { return Vec::new() };
    let Ok(Value::Array(list)) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    list.iter().filter_map(|o| o["Id"].as_str().map(str::to_owned)).collect()
}

fn short(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    &id[..id.len().min(12)]
}

fn check(key: &str, answers: &BTreeMap<String, Answer>, snap: &Snapshot) -> Result<(), TestCaseError> {
    // Round trip through the snapshot reader, and evaluation.
    let text = serde_json::to_string(snap).map_err(|e| TestCaseError::fail(format!("serialise: {e}")))?;
    let back = Snapshot::from_json(&text).map_err(|e| TestCaseError::fail(format!("{key}: re-read: {e}")))?;
    let report = evaluate(&back, &EvalConfig::at(back.collected_at));
    prop_assert!(!report.checks.is_empty());
    let Ok(engine) = snap.engine() else {
        // Version negotiation itself failed (a mutated /version): the engine part says why.
        let reason = snap.engine().err().unwrap_or_default();
        prop_assert!(!reason.is_empty(), "{key}: an unavailable engine without a reason");
        return Ok(());
    };
    let notes = engine.notes.join("\n");
    // Every listed container: inspected, undecodable (unknown), gone (noted), or the part is unavailable.
    match engine.containers.get() {
        Ok(containers) => {
            for id in listed_ids(answers, "/containers/json") {
                let s = short(&id);
                let accounted = containers.iter().any(|c| c.id.starts_with(s) || short(&c.id) == s)
                    || engine.undecoded_containers.iter().any(|u| u == s)
                    || notes.contains(s);
                prop_assert!(accounted, "{key}: container {s} silently absent\n{notes}");
            }
        }
        Err(reason) => prop_assert!(!reason.is_empty(), "{key}: containers unavailable without a reason"),
    }
    match engine.images.get() {
        Ok(images) => {
            for id in listed_ids(answers, "/images/json") {
                let s = short(&id);
                let accounted = images.iter().any(|i| short(&i.id) == s)
                    || engine.undecoded_images.iter().any(|u| u == s)
                    || notes.contains(s);
                prop_assert!(accounted, "{key}: image {s} silently absent\n{notes}");
            }
        }
        Err(reason) => prop_assert!(!reason.is_empty(), "{key}: images unavailable without a reason"),
    }
    for (what, reason) in [
        ("version", engine.version.get().err()),
        ("info", engine.info.get().err()),
        ("networks", engine.networks.get().err()),
        ("volumes", engine.volumes.get().err()),
    ] {
        if let Some(reason) = reason {
            prop_assert!(!reason.is_empty(), "{key}: {what} unavailable without a reason");
        }
    }
    Ok(())
}

#[test]
fn the_seed_collects_whole() {
    let answers: BTreeMap<String, Answer> =
        seed().iter().map(|(k, v)| (k.clone(), Answer::Body(v.to_string()))).collect();
    let snap = scan(answers.clone());
    let engine = snap.engine().expect("engine");
    assert_eq!(engine.containers.get().expect("containers").len(), 2, "{:?}", engine.notes);
    assert_eq!(engine.images.get().expect("images").len(), 1, "{:?}", engine.notes);
    assert!(engine.info.get().is_ok() && engine.version.get().is_ok() && engine.networks.get().is_ok());
    assert!(engine.undecoded_containers.is_empty() && engine.notes.is_empty(), "{:?}", engine.notes);
    check("seed", &answers, &snap).expect("properties hold on the seed");
}

#[test]
fn an_unknown_enum_value_in_an_inspect_sets_that_container_aside_as_unknown() {
    let seed = seed();
    let key = seed
        .keys()
        .find(|k| k.starts_with("/containers/") && k.ends_with("/json") && *k != "/containers/json");
    let key = key.expect("an inspect").clone();
    let mut answers: BTreeMap<String, Answer> =
        seed.iter().map(|(k, v)| (k.clone(), Answer::Body(v.to_string()))).collect();
    let mut v = seed[&key].clone();
    v["State"]["Status"] = json!("hibernating");
    answers.insert(key.clone(), Answer::Body(v.to_string()));
    let snap = scan(answers);
    let engine = snap.engine().expect("engine");
    let id = key.trim_start_matches("/containers/").trim_end_matches("/json");
    assert_eq!(engine.undecoded_containers, vec![short(id).to_owned()], "{:?}", engine.notes);
    assert_eq!(engine.containers.get().expect("containers").len(), 1, "the other one is still read");
    assert!(engine.notes.iter().any(|n| n.contains("hibernating")), "{:?}", engine.notes);
}

proptest! {
    #![proptest_config(cases(64))]

    #[test]
    fn collect_survives_mutated_engine_answers(which in any::<usize>().prop_map(Pick), e in edit()) {
        let (key, answers) = mutated(&which, &e);
        let snap = scan(answers.clone());
        check(&key, &answers, &snap)?;
    }
}

/// Found by the property: an inspect answer whose `Id` is missing (`null`) or another string kept
/// the container under an empty or foreign id — findings, waivers and fingerprints lost it. The
/// collector now keeps the id it asked about.
#[test]
fn regression_an_inspect_without_its_id_keeps_the_listed_one() {
    let run = "/containers/7c9b5c42a1ed328877ca68bf2657f72afcfb282f5f7608ddb8b0373dadd0b19f/json";
    for edit in
        [Edit::Delete(Pick(12770822820260458812)), Edit::Replace(Pick(12770822820260458812), json!("zz"))]
    {
        let (key, answers) = mutated(&Pick(1537228672809129302), &edit);
        assert_eq!(key, run, "the seed changed: find the case again");
        let Answer::Body(body) = &answers[&key] else { panic!("a body") };
        assert_ne!(serde_json::from_str::<Value>(body).expect("json")["Id"], seed()[&key]["Id"], "{edit:?}");
        let snap = scan(answers.clone());
        check(&key, &answers, &snap).expect("accounted for");
        let containers = snap.containers().expect("containers");
        assert!(
            containers
                .iter()
                .any(|c| c.id == "7c9b5c42a1ed328877ca68bf2657f72afcfb282f5f7608ddb8b0373dadd0b19f")
        );
    }
}
