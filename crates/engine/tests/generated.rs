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
    check_or_bless("ui/src/lib/bindings/report.ts", &ts);
}
