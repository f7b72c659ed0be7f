//! The `zerodock-tray` binary: everything is in the library (`src/app.rs`).
fn main() {
    std::process::exit(zerodock_tray::app::run())
}
