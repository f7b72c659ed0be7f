//! The committed `ui/src/lib/bindings/app.ts` must be what the Rust types generate: a change to an
//! IPC type without regenerating fails here. `ZERODOCK_BLESS=1` rewrites the file.

use std::path::PathBuf;

#[test]
fn app_bindings_match_the_rust_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(zerodock_desktop::bindings::PATH);
    let generated = zerodock_desktop::bindings::render();
    assert!(generated.contains("export type AppState = "), "{generated}");
    // The engine's types (the report, scan progress) are imported from its bindings, never copied.
    let imports = generated.lines().find(|l| l.starts_with("import type {")).unwrap_or_default();
    for engine_type in ["Progress", "Report"] {
        assert!(
            imports.contains(&format!(" {engine_type},")) || imports.contains(&format!(" {engine_type} ")),
            "{imports}"
        );
        assert!(
            !generated.contains(&format!("export type {engine_type} ")),
            "{engine_type} is copied: {generated}"
        );
    }
    if std::env::var_os("ZERODOCK_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create bindings dir");
        std::fs::write(&path, &generated).expect("write app.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date: run `ZERODOCK_BLESS=1 cargo test -p zerodock-desktop --test bindings`",
        path.display()
    );
}
