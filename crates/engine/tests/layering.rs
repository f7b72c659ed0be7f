//! The engine's layering, enforced: its top-level modules are the pipeline's stages, and a stage
//! uses only the stages below it (`snapshot` ← `report` ← `checks` ← `evaluate` ← `collect`;
//! `generated` describes them all; `error` is a leaf every stage may use). On top of that, no
//! module of the engine may form an import cycle with another, and no check imports another
//! check. The test reads the source, so a new `use` that breaks the order fails here with the file
//! and the path that did it.
//!
//! Test code (`#[cfg(test)] mod …` and files declared under `#[cfg(test)]`) is exempt: a test may
//! build a whole report to look at one stage.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages in pipeline order: a stage may use the ones at or before its own rank.
const STAGES: [&str; 6] = ["snapshot", "report", "checks", "evaluate", "collect", "generated"];

/// Root items every stage may name: the crate's error type and version, and the check macro.
const ROOT_ITEMS: [&str; 5] = ["Error", "VERSION", "check_schema_version", "declare_check", "error"];

/// One source file as a module: its path from the crate root and its non-test code.
struct Module {
    path: Vec<String>,
    file: PathBuf,
    code: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, except files declared as test-only modules.
fn modules() -> Vec<Module> {
    let mut files = Vec::new();
    collect_files(&src_dir(), &mut files);
    let mut test_only: BTreeSet<PathBuf> = BTreeSet::new();
    let mut modules = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read source");
        let path = module_path(file);
        // `#[cfg(test)] mod x;` declares a file that is test code as a whole.
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for pair in lines.windows(2) {
            if pair[0] == "#[cfg(test)]"
                && let Some(name) = declared_module(pair[1])
            {
                let dir = if file.ends_with("mod.rs") || file.ends_with("lib.rs") {
                    file.parent().expect("parent").to_path_buf()
                } else {
                    file.with_extension("")
                };
                test_only.insert(dir.join(format!("{name}.rs")));
                test_only.insert(dir.join(name).join("mod.rs"));
            }
        }
        modules.push(Module { path, file: file.clone(), code: strip_tests_and_comments(&text) });
    }
    modules.retain(|m| !test_only.contains(&m.file));
    modules
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn declared_module(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("pub(crate) ").or_else(|| line.strip_prefix("pub ")).unwrap_or(line);
    rest.strip_prefix("mod ")?.strip_suffix(';')
}

/// `src/checks/container/privileged_container.rs` → `checks::container::privileged_container`.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src_dir()).expect("under src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("file name");
    if last != "mod.rs" && last != "lib.rs" {
        parts.push(last.trim_end_matches(".rs").to_owned());
    }
    parts
}

/// The code without whole-line comments and without the trailing `#[cfg(test)] mod tests` (by this
/// workspace's convention the last item of a file).
fn strip_tests_and_comments(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed == "#[cfg(test)]"
            && lines.peek().is_some_and(|next| {
                let next = next.trim();
                next.starts_with("mod ") || next.starts_with("pub(crate) mod ") || next.starts_with("#[allow")
            })
            && lines.peek().is_some_and(|next| !next.trim().ends_with(';'))
        {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every path the code names from the crate root or relative to itself (`crate::…`, `super::…`,
/// `self::…`, with `use` groups expanded), resolved to absolute segment lists.
fn referenced_paths(module: &Module) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let code = &module.code;
    // `use` statements (a line that starts one), with brace groups expanded.
    let lines: Vec<&str> = code.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        let stmt = line
            .strip_prefix("use ")
            .or_else(|| line.strip_prefix("pub use "))
            .or_else(|| line.strip_prefix("pub(crate) use "));
        let Some(first) = stmt else {
            i += 1;
            continue;
        };
        let mut text = first.to_owned();
        while !text.trim_end().ends_with(';') && i + 1 < lines.len() {
            i += 1;
            text.push(' ');
            text.push_str(lines[i].trim());
        }
        i += 1;
        // `a as b` → `a`, then whitespace is noise.
        let words: Vec<&str> = text.trim_end().trim_end_matches(';').split_whitespace().collect();
        let mut tree = String::new();
        let mut w = 0;
        while w < words.len() {
            if words[w] == "as" {
                w += 2;
                continue;
            }
            tree.push_str(words[w]);
            w += 1;
        }
        paths.extend(expand(&tree));
    }
    // Inline paths in code.
    for anchor in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(anchor) {
            let at = from + i;
            let prev = code[..at].chars().next_back();
            from = at + anchor.len();
            if prev.is_some_and(|c| {
                c.is_alphanumeric() || c == '_' || c == '$' || c == ':' || c == '{' || c == ','
            }) {
                // `$crate::` in macros, a `use` group (handled above), or part of a longer path.
                continue;
            }
            let path: String =
                code[at..].chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            paths.push(path.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect());
        }
    }
    let base: Vec<String> = module.path.clone();
    paths
        .into_iter()
        .filter_map(|p| {
            let mut segments = p.into_iter();
            let mut resolved = match segments.next()?.as_str() {
                "crate" => Vec::new(),
                "super" => {
                    let mut b = base.clone();
                    b.pop();
                    b
                }
                "self" => base.clone(),
                _ => return None,
            };
            for s in segments {
                match s.as_str() {
                    "super" => {
                        resolved.pop();
                    }
                    "self" => {}
                    "*" => break,
                    _ => resolved.push(s),
                }
            }
            Some(resolved)
        })
        .collect()
}

/// `crate::a::{b, c::{d, e}}` → `crate::a::b`, `crate::a::c::d`, `crate::a::c::e`.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let Some(open) = tree.find('{') else {
        return vec![tree.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect()];
    };
    let prefix: Vec<String> = tree[..open].split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            expand(p).into_iter().map(|tail| {
                let mut full = prefix.clone();
                full.extend(tail.into_iter().filter(|s| s != "self"));
                full
            })
        })
        .collect()
}

/// The module (by path) a referenced path lands in: its longest prefix that is a module.
fn owner<'a>(known: &'a BTreeSet<Vec<String>>, path: &[String]) -> Option<&'a Vec<String>> {
    (0..=path.len()).rev().find_map(|n| known.get(&path[..n].to_vec()))
}

struct Graph {
    /// module → modules it uses (test code and parent → own child edges excluded).
    edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    /// (from module, referenced path) for the stage rule's messages.
    references: Vec<(Vec<String>, PathBuf, Vec<String>)>,
    /// Modules that declare a check.
    checks: BTreeSet<Vec<String>>,
}

fn graph() -> Graph {
    let modules = modules();
    let known: BTreeSet<Vec<String>> = modules.iter().map(|m| m.path.clone()).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let mut references = Vec::new();
    let mut checks = BTreeSet::new();
    for m in &modules {
        if m.code.contains("declare_check!") && !m.file.ends_with("checks/mod.rs") {
            checks.insert(m.path.clone());
        }
        let is_dir = m.file.ends_with("mod.rs") || m.file.ends_with("lib.rs");
        for path in referenced_paths(m) {
            references.push((m.path.clone(), m.file.clone(), path.clone()));
            let Some(target) = owner(&known, &path) else { continue };
            // A parent composing its own children (`mod x; pub use x::Y;`) is not a dependency.
            if target == &m.path || (is_dir && target.starts_with(&m.path)) {
                continue;
            }
            edges.entry(m.path.clone()).or_default().insert(target.clone());
        }
    }
    Graph { edges, references, checks }
}

fn stage_rank(stage: &str) -> Option<usize> {
    STAGES.iter().position(|s| *s == stage)
}

#[test]
fn stages_only_use_the_stages_below_them() {
    let g = graph();
    let mut wrong = Vec::new();
    for (from, file, path) in &g.references {
        let Some(from_stage) = from.first() else { continue };
        let Some(from_rank) = stage_rank(from_stage) else { continue };
        let Some(first) = path.first() else { continue };
        if ROOT_ITEMS.contains(&first.as_str()) {
            continue;
        }
        match stage_rank(first) {
            Some(rank) if rank <= from_rank => {}
            Some(_) => wrong.push(format!(
                "{}: `{}` is a later stage than `{from_stage}`",
                file.display(),
                path.join("::")
            )),
            None => wrong.push(format!(
                "{}: `crate::{}` names a root re-export; name the stage (`crate::report::…`) so layering stays visible",
                file.display(),
                path.join("::")
            )),
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn no_module_cycles() {
    let g = graph();
    // Tarjan's strongly connected components: any component of more than one module is a cycle.
    struct State<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on_stack: BTreeSet<&'a Vec<String>>,
        next: usize,
        cycles: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Vec<String>) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(targets) = s.edges.get(v) {
            for w in targets {
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.join("::"));
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.cycles.push(component);
            }
        }
    }
    let mut state = State {
        edges: &g.edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        cycles: Vec::new(),
    };
    for v in g.edges.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    let cycles: Vec<String> = state.cycles.iter().map(|c| c.join(" ↔ ")).collect();
    assert!(cycles.is_empty(), "import cycles between engine modules:\n{}", cycles.join("\n"));
}

#[test]
fn no_check_imports_another_check() {
    let g = graph();
    let mut wrong = Vec::new();
    for check in &g.checks {
        for target in g.edges.get(check).into_iter().flatten() {
            if g.checks.contains(target) {
                wrong.push(format!("{} uses {}", check.join("::"), target.join("::")));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "a check imports another check (move the shared helper to the family's mod.rs or checks::helpers):\n{}",
        wrong.join("\n")
    );
}

/// The analysis itself: a path through a `use` group resolves, and a planted cycle is found.
#[test]
fn the_analysis_sees_use_groups() {
    let paths = expand("crate::a::{b,c::{d,e},self}");
    assert!(paths.contains(&vec!["crate".into(), "a".into(), "b".into()]));
    assert!(paths.contains(&vec!["crate".into(), "a".into(), "c".into(), "e".into()]));
    let g = graph();
    let evaluate = vec!["evaluate".to_owned()];
    assert!(
        g.edges.get(&evaluate).is_some_and(|t| t.contains(&vec!["checks".to_owned()])),
        "evaluate uses checks: the graph must show it ({:?})",
        g.edges.get(&evaluate)
    );
    assert!(g.checks.contains(&vec!["checks".into(), "container".into(), "privileged_container".into()]));
}
