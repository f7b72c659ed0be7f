//! Generated files stay in step with the Rust types: the report's JSON Schema in `docs/` and the
//! TypeScript bindings the desktop UI compiles against. `ZERODOCK_BLESS=1` rewrites them.

use std::path::PathBuf;

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

fn check_or_bless(rel: &str, generated: &str) {
    let path = repo_file(rel);
    if std::env::var_os("ZERODOCK_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, generated).expect("write");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{rel} is out of date with the Rust types: run `ZERODOCK_BLESS=1 cargo test -p zerodock-engine --test generated`"
    );
}

#[test]
fn report_json_schema_is_current() {
    let schema = zerodock_engine::generated::report_json_schema();
    assert_eq!(schema["title"], "Report");
    let text = serde_json::to_string_pretty(&schema).expect("json") + "\n";
    check_or_bless("docs/report.schema.json", &text);
}

#[test]
fn typescript_bindings_are_current() {
    let ts = zerodock_engine::generated::report_typescript();
    for name in ["Report", "CheckResult", "Inventory", "DaemonJsonPlan", "Posture", "Progress"] {
        assert!(ts.contains(&format!("export type {name} ")), "{name} missing");
    }
    assert!(!ts.contains("bigint"), "JSON numbers are numbers");
    let undeclared = undeclared_types(&ts);
    assert!(
        undeclared.is_empty(),
        "the bindings use types they do not declare (add them to generated.rs's list): {undeclared:?}"
    );
    check_or_bless("ui/src/lib/bindings/report.ts", &ts);
}

/// Type names the bindings refer to without an `export type` of their own (a type added to the
/// Rust side but not to the generator's list: svelte-check caught `SetidFile` only at the UI stage).
fn undeclared_types(ts: &str) -> Vec<String> {
    // Doc comments hold capitalised prose; only the code between them names types.
    let mut code = String::new();
    let mut rest = ts;
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map_or("", |end| &rest[start + end + 2..]);
    }
    code.push_str(rest);
    let code: String =
        code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
            .map(str::to_owned)
            .collect()
    };
    let declared: std::collections::BTreeSet<String> = code
        .split("export type ")
        .skip(1)
        .filter_map(|d| d.split_whitespace().next().map(str::to_owned))
        .collect();
    let builtin = ["Array", "Record", "Partial", "Readonly"];
    // Inside string literal types (`"Fail"`) capitalised words are values, not types.
    let outside_strings: String = code.split('"').step_by(2).collect::<Vec<_>>().join(" ");
    let mut missing: Vec<String> = words(&outside_strings)
        .into_iter()
        .filter(|w| !declared.contains(w) && !builtin.contains(&w.as_str()))
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

#[test]
fn the_undeclared_type_check_sees_a_missing_type() {
    let ts = "export type A = { b: Array<B>, c: \"Fail\" | C, };\n/** Prose With Capitals. */\nexport type C = number;\n";
    assert_eq!(undeclared_types(ts), ["B"]);
}
