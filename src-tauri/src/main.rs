//! The `zerodock-desktop` binary: everything is in the library (`src/lib.rs`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
fn main() {
    std::process::exit(zerodock_desktop::run())
}
