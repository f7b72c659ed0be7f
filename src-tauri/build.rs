//! Build script: Tauri's code generation plus the app's own command permissions. Every app command
//! is listed here so `tauri-build` generates `allow-<command>` permissions for it; the webview may
//! call only those granted in `capabilities/main.json`.

/// The commands of `src/commands.rs`, in the order of `docs/desktop-ipc.md`.
const COMMANDS: &[&str] = &[
    "get_state",
    "scan_now",
    "scan_images",
    "set_monitoring",
    "update_settings",
    "export_report",
    "reveal_path",
    "waive",
    "unwaive",
    "keyring_status",
    "list_history",
    "history_diff",
    "list_engines",
    "select_engine",
    "add_engine",
    "remove_engine",
];

fn main() {
    let attributes =
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; the message names the bad capability/config.
        panic!("tauri-build failed: {e:#}");
    }
}
