//! ZeroDock's tray: the all-day indicator as its own small process — the engine's watcher, a tray
//! icon (StatusNotifierItem via `ksni`, or the XEmbed fallback) and notifications, with no webview
//! linked. It starts the dashboard (`zerodock-desktop`) on demand and feeds it over a private unix
//! socket. The library also holds what both processes share: the state model, the settings, the
//! command error and the socket protocol (the dashboard depends on it, never the other way).
//!
//! Modules, in dependency order (each uses only those above it):
//!
//! - `error`: the error a request or command returns (stable code + message).
//! - `model`: the shared types (state, settings, tray state) and the status line; uses `error`.
//! - `settings`: settings persistence; uses `model`.
//! - `policy`: the policy file (waivers) the scans apply and the dashboard edits; uses `error`,
//!   `model`.
//! - `core`: the state and how a watcher update changes it; uses `error`, `settings`, `policy`,
//!   `model`.
//! - `history`: the scan history the tray saves into (on change) and the History view reads;
//!   uses `error`, `model`.
//! - `engines`: the engines the switcher offers (contexts, `DOCKER_HOST`, added ones with their
//!   TLS key in the keyring) and the watcher's endpoint for the selected one; uses `error`.
//! - `ipc`: the socket, its protocol and the single-instance lock; uses `error`, `model`,
//!   `engines`.
//! - `testhook` (feature `test-hooks` only): the test state file; uses `model`.
//! - `notify`: notification wording, sending and clicks over D-Bus; uses `ipc`, `testhook`.
//! - `autostart`: the XDG autostart entry.
//! - `vulns`: "Scan images" (the vulnerability part of the report); uses `error`.
//! - `indicator`: what a tray shows and offers (icons, status line, menu actions); uses `model`.
//! - `sni`, `xembed` (feature `xembed`): the two tray backends; use `indicator`, `model`.
//! - `tuning`: the environment the tray re-executes itself with (GTK without OpenGL, one malloc
//!   arena) and takes off for the dashboard.
//! - `app`: the process (event loop, dashboard process); uses all of the above.
#![deny(missing_docs)]

pub mod app;
pub mod autostart;
pub mod core;
pub mod engines;
pub mod error;
pub mod history;
pub mod indicator;
pub mod ipc;
pub mod model;
pub mod notify;
pub mod policy;
pub mod settings;
pub mod sni;
#[cfg(feature = "test-hooks")]
pub mod testhook;
pub mod tuning;
pub mod vulns;
#[cfg(feature = "xembed")]
pub mod xembed;
