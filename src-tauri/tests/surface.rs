//! The webview's attack surface, pinned (issue 13): what `capabilities/*.json` and
//! `tauri.conf.json` grant the web UI must be exactly what `ui/src` uses, and the CSP must keep
//! remote code out. The test reads the real files and fails when
//!
//! - a capability grants a permission no code in `ui/src` needs (an app command never `call`ed, a
//!   plugin function never imported, a plugin's `default` set), or the UI uses one not granted;
//! - a capability opens the IPC to a remote origin (`remote.urls`) or another window, or the
//!   opener's URL scope allows more than `https://`;
//! - the CSP allows `'unsafe-eval'`, `'unsafe-inline'`, a wildcard, `data:`/`blob:` outside images,
//!   or any remote origin (only Tauri's own `ipc:` / `http://ipc.localhost` may be connected to),
//!   or the config loads a remote URL into a window, exposes `window.__TAURI__` or turns off Tauri's
//!   CSP injection.
//!
//! Each rule is shown failing on a mutated copy of the real files (the `mutated_*` tests), so a
//! check that silently stopped matching would be noticed. Needs no Tauri runtime: plain JSON and text.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// What the surface is judged from: the capability files, the app config and the UI's sources.
#[derive(Clone)]
struct Surface {
    /// `(file name, parsed JSON)` of each `capabilities/*.json`.
    capabilities: Vec<(String, Value)>,
    /// `tauri.conf.json`.
    conf: Value,
    /// `(path relative to ui/src, text)` of each `.ts`/`.svelte` file the app ships (tests excluded).
    ui: Vec<(String, String)>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ui_sources(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if path.is_dir() {
            ui_sources(&path, base, out);
        } else if (name.ends_with(".ts") || name.ends_with(".svelte")) && !name.contains(".test.") {
            let rel = path.strip_prefix(base).unwrap_or(&path).display().to_string();
            out.push((rel, std::fs::read_to_string(&path).expect("read ui source")));
        }
    }
}

impl Surface {
    fn real() -> Surface {
        let dir = root().join("capabilities");
        let mut capabilities: Vec<(String, Value)> = std::fs::read_dir(&dir)
            .expect("capabilities/")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| (p.file_name().expect("name").to_string_lossy().into_owned(), read_json(&p)))
            .collect();
        capabilities.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(!capabilities.is_empty(), "no capability file in {}", dir.display());
        let ui_src = root().join("../ui/src");
        let mut ui = Vec::new();
        ui_sources(&ui_src, &ui_src, &mut ui);
        assert!(ui.iter().any(|(p, _)| p.ends_with("ipc.ts")), "ui/src/lib/ipc.ts not found");
        Surface { capabilities, conf: read_json(&root().join("tauri.conf.json")), ui }
    }
}

/// `writeText` → `write-text`: how Tauri names a plugin command's permission.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}

/// The names imported by `import { a, type B, c as d } from '<module>'` lines of `text`
/// (type-only names left out), with the module.
fn imports(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("import ") {
        rest = &rest[at + "import ".len()..];
        let Some(end) = rest.find(';') else { break };
        let stmt = &rest[..end];
        if stmt.starts_with("type ") {
            continue;
        }
        let (Some(open), Some(close), Some(from)) = (stmt.find('{'), stmt.find('}'), stmt.rfind("from"))
        else {
            continue;
        };
        let module = stmt[from + 4..].trim().trim_matches(|c| c == '\'' || c == '"').to_owned();
        for name in stmt[open + 1..close].split(',') {
            let name = name.trim();
            if name.is_empty() || name.starts_with("type ") {
                continue;
            }
            let name = name.split(" as ").next().unwrap_or(name).trim();
            out.push((module.clone(), name.to_owned()));
        }
    }
    out
}

/// The app commands `text` calls through the IPC wrapper: the string literal that opens each
/// `call<…>('name'` (ipc.ts's one door to `invoke`).
fn called_commands(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for piece in text.split("call<").skip(1) {
        let Some(paren) = piece.find("('") else { continue };
        // Only the type argument may sit between `call<` and `('` (not `call<T>(cmd: …`).
        let type_arg = &piece[..paren];
        if type_arg.contains('\n') || !type_arg.ends_with('>') {
            continue;
        }
        let name: String = piece[paren + 2..].chars().take_while(|c| *c != '\'').collect();
        out.insert(name);
    }
    out
}

/// The permissions the UI needs, computed from its sources, and any use of the IPC outside
/// `lib/ipc.ts` (a problem in itself: the contract lives in one file).
fn used_permissions(ui: &[(String, String)]) -> (BTreeSet<String>, Vec<String>) {
    let mut used = BTreeSet::new();
    let mut problems = Vec::new();
    for (path, text) in ui {
        let tauri_imports: Vec<_> =
            imports(text).into_iter().filter(|(m, _)| m.starts_with("@tauri-apps/")).collect();
        if !tauri_imports.is_empty() && !path.ends_with("lib/ipc.ts") {
            problems.push(format!("ui/src/{path} imports from @tauri-apps directly; only lib/ipc.ts may"));
        }
        for (module, name) in tauri_imports {
            match (module.as_str(), name.as_str()) {
                ("@tauri-apps/api/core", "invoke") => {
                    used.extend(called_commands(text).iter().map(|c| format!("allow-{}", kebab(c))));
                }
                ("@tauri-apps/api/event", "listen" | "once") => {
                    // The returned UnlistenFn calls `unlisten`.
                    used.insert("core:event:allow-listen".to_owned());
                    used.insert("core:event:allow-unlisten".to_owned());
                }
                ("@tauri-apps/api/event", "emit" | "emitTo") => {
                    used.insert(format!("core:event:allow-{}", kebab(&name)));
                }
                (m, f) if m.starts_with("@tauri-apps/plugin-") => {
                    used.insert(format!("{}:allow-{}", &m["@tauri-apps/plugin-".len()..], kebab(f)));
                }
                (m, f) => problems.push(format!(
                    "ui/src/{path} uses {f} from {m}, which this test cannot map to a permission: teach it"
                )),
            }
        }
    }
    (used, problems)
}

/// The permission identifier of a capability entry (a string, or an object with `identifier`).
fn identifier(entry: &Value) -> Option<&str> {
    entry.as_str().or_else(|| entry.get("identifier").and_then(Value::as_str))
}

/// Every problem with the surface; empty when it is exactly what the UI needs.
fn problems(s: &Surface) -> Vec<String> {
    let (used, mut out) = used_permissions(&s.ui);
    let mut granted = BTreeSet::new();
    let inline: Vec<(String, Value)> = s.conf["app"]["security"]["capabilities"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c.is_object())
        .map(|c| ("tauri.conf.json".to_owned(), c.clone()))
        .collect();
    for (file, cap) in s.capabilities.iter().chain(&inline) {
        if let Some(remote) = cap.get("remote") {
            out.push(format!("{file}: opens the IPC to remote origins {remote}"));
        }
        let windows = cap.get("windows").cloned().unwrap_or(json!([]));
        if windows != json!(["main"]) || cap.get("webviews").is_some() {
            out.push(format!("{file}: applies to windows {windows} (only \"main\" is expected)"));
        }
        for entry in cap["permissions"].as_array().into_iter().flatten() {
            let Some(id) = identifier(entry) else {
                out.push(format!("{file}: a permission without identifier: {entry}"));
                continue;
            };
            granted.insert(id.to_owned());
            for url in entry.get("allow").and_then(Value::as_array).into_iter().flatten() {
                let url = url.get("url").and_then(Value::as_str).unwrap_or_default();
                if !url.starts_with("https://") {
                    out.push(format!("{file}: {id} allows `{url}`; only https:// URLs may be opened"));
                }
            }
        }
    }
    for id in granted.difference(&used) {
        out.push(format!("the webview is granted `{id}` but ui/src never uses it"));
    }
    for id in used.difference(&granted) {
        out.push(format!("ui/src uses `{id}` but no capability grants it"));
    }
    out.extend(csp_problems(&s.conf));
    out
}

/// Problems with the CSP and the window/security settings of `tauri.conf.json`.
fn csp_problems(conf: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let security = &conf["app"]["security"];
    let csp: Vec<(String, Vec<String>)> = match &security["csp"] {
        Value::String(text) => text
            .split(';')
            .filter_map(|d| {
                let mut words = d.split_whitespace().map(str::to_owned);
                Some((words.next()?, words.collect()))
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let sources = match v {
                    Value::String(s) => s.split_whitespace().map(str::to_owned).collect(),
                    other => other
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                };
                (k.clone(), sources)
            })
            .collect(),
        _ => {
            out.push("tauri.conf.json has no app.security.csp: the webview would load anything".to_owned());
            Vec::new()
        }
    };
    let directive = |name: &str| csp.iter().find(|(d, _)| d == name).map(|(_, s)| s.clone());
    if directive("default-src") != Some(vec!["'self'".to_owned()]) {
        out.push(format!("CSP default-src is {:?}, not 'self'", directive("default-src")));
    }
    if directive("object-src") != Some(vec!["'none'".to_owned()]) {
        out.push("CSP lacks object-src 'none'".to_owned());
    }
    for (name, sources) in &csp {
        for src in sources {
            let ok = match src.as_str() {
                "'self'" | "'none'" => true,
                "data:" => name == "img-src",
                "ipc:" | "http://ipc.localhost" => name == "connect-src",
                _ => false,
            };
            if !ok {
                let why = match src.as_str() {
                    "'unsafe-eval'" | "'wasm-unsafe-eval'" => "lets scripts eval strings",
                    "'unsafe-inline'" => "lets injected inline code run",
                    s if s.contains('*') => "is a wildcard",
                    s if s.contains("://") || s.ends_with(':') => "is a remote origin or scheme",
                    _ => "is not on the allowed list",
                };
                out.push(format!("CSP {name} allows {src}, which {why}"));
            }
        }
    }
    if security["dangerousDisableAssetCspModification"].as_bool().unwrap_or(false)
        || security["dangerousDisableAssetCspModification"].is_array()
    {
        out.push("dangerousDisableAssetCspModification turns off Tauri's CSP hashes/nonces".to_owned());
    }
    if let Some(dev) = security.get("devCsp") {
        out.push(format!("a devCsp {dev} differs from the shipped CSP: test with the real one"));
    }
    if conf["app"]["withGlobalTauri"].as_bool().unwrap_or(false) {
        out.push("withGlobalTauri exposes window.__TAURI__ to every script".to_owned());
    }
    for w in conf["app"]["windows"].as_array().into_iter().flatten() {
        if let Some(url) = w["url"].as_str().filter(|u| u.contains("://")) {
            out.push(format!("window {} loads the remote URL {url}", w["label"]));
        }
    }
    out
}

#[test]
fn the_webview_gets_exactly_what_the_ui_uses_and_no_remote_code() {
    let surface = Surface::real();
    let (used, _) = used_permissions(&surface.ui);
    // The derivation itself is sane: every app command and both plugins the UI uses are seen.
    for id in [
        "allow-get-state",
        "allow-export-report",
        "core:event:allow-listen",
        "clipboard-manager:allow-write-text",
        "opener:allow-open-url",
    ] {
        assert!(used.contains(id), "{id} not derived from ui/src: {used:?}");
    }
    let found = problems(&surface);
    assert!(found.is_empty(), "the webview's surface:\n  {}", found.join("\n  "));
}

/// The real surface with one change, which must produce a problem containing `expect`.
fn fails_with(change: impl FnOnce(&mut Surface), expect: &str) {
    let mut s = Surface::real();
    change(&mut s);
    let found = problems(&s);
    assert!(
        found.iter().any(|p| p.contains(expect)),
        "the mutation was not caught (wanted a problem containing {expect:?}); got {found:#?}"
    );
}

fn main_capability(s: &mut Surface) -> &mut Value {
    &mut s.capabilities.iter_mut().find(|(f, _)| f == "main.json").expect("main.json").1
}

fn set_csp(s: &mut Surface, csp: &str) {
    s.conf["app"]["security"]["csp"] = json!(csp);
}

#[test]
fn mutated_an_unused_permission_fails() {
    fails_with(
        |s| main_capability(s)["permissions"].as_array_mut().expect("array").push(json!("fs:default")),
        "granted `fs:default` but ui/src never uses it",
    );
    fails_with(
        |s| main_capability(s)["permissions"].as_array_mut().expect("array").push(json!("core:default")),
        "`core:default`",
    );
    // The UI stops copying to the clipboard: its permission becomes surplus.
    fails_with(
        |s| {
            let ipc = s.ui.iter_mut().find(|(p, _)| p.ends_with("lib/ipc.ts")).expect("ipc.ts");
            ipc.1 = ipc.1.replace("import { writeText } from '@tauri-apps/plugin-clipboard-manager';", "");
        },
        "granted `clipboard-manager:allow-write-text` but ui/src never uses it",
    );
}

#[test]
fn mutated_a_command_the_ui_calls_without_a_grant_fails() {
    fails_with(
        |s| {
            let ipc = s.ui.iter_mut().find(|(p, _)| p.ends_with("lib/ipc.ts")).expect("ipc.ts");
            ipc.1.push_str("\nexport const wipe = (): Promise<null> => call<null>('delete_everything');\n");
        },
        "ui/src uses `allow-delete-everything` but no capability grants it",
    );
    fails_with(
        |s| s.ui.push(("lib/rogue.ts".into(), "import { invoke } from '@tauri-apps/api/core';\n".into())),
        "ui/src/lib/rogue.ts imports from @tauri-apps directly",
    );
}

#[test]
fn mutated_a_remote_origin_in_a_capability_fails() {
    fails_with(
        |s| main_capability(s)["remote"] = json!({"urls": ["https://*.example.com"]}),
        "remote origins",
    );
    fails_with(
        |s| {
            let perms = main_capability(s)["permissions"].as_array_mut().expect("array");
            let opener =
                perms.iter_mut().find(|p| identifier(p) == Some("opener:allow-open-url")).expect("opener");
            opener["allow"] = json!([{ "url": "https://*" }, { "url": "file://*" }]);
        },
        "allows `file://*`",
    );
    fails_with(|s| main_capability(s)["windows"] = json!(["*"]), "applies to windows");
}

#[test]
fn mutated_csp_with_unsafe_eval_or_a_remote_origin_fails() {
    let real = Surface::real().conf["app"]["security"]["csp"].as_str().expect("csp string").to_owned();
    let eval = real.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'");
    assert_ne!(eval, real, "the CSP no longer has `script-src 'self'`: update this test");
    fails_with(|s| set_csp(s, &eval), "script-src allows 'unsafe-eval'");
    fails_with(
        |s| set_csp(s, &real.replace("script-src 'self'", "script-src 'self' https://cdn.example.com")),
        "script-src allows https://cdn.example.com, which is a remote origin",
    );
    fails_with(
        |s| set_csp(s, &format!("{real}; connect-src ipc: http://ipc.localhost https://api.example.com")),
        "connect-src allows https://api.example.com",
    );
    fails_with(
        |s| set_csp(s, &real.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")),
        "'unsafe-inline'",
    );
    fails_with(|s| set_csp(s, &real.replace("img-src 'self' data:", "img-src *")), "img-src allows *");
    fails_with(|s| s.conf["app"]["security"]["csp"] = Value::Null, "no app.security.csp");
    fails_with(|s| s.conf["app"]["withGlobalTauri"] = json!(true), "withGlobalTauri");
    fails_with(
        |s| s.conf["app"]["windows"][0]["url"] = json!("https://zerodock.example.com"),
        "loads the remote URL",
    );
}
