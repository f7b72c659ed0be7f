//! Wiring of the engine's watcher (`zerodock_engine::watch`: Docker events, debounce, interval
//! rescans, reconnect with backoff) to the app: one task consumes its updates, applies them to the
//! [`Core`](crate::core::Core) and publishes the result to the webview, the tray and notifications.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Runtime};
use zerodock_engine::CollectOptions;
use zerodock_engine::collect::watch::{self, WatchConfig, WatchUpdate};

use crate::actions::{self, SCAN_PROGRESS};

/// Starts the watcher on Tauri's async runtime and consumes its updates until it stops.
pub fn start<R: Runtime>(app: &AppHandle<R>, collect: CollectOptions) {
    let mut config = WatchConfig::new(collect);
    config.interval = Duration::from_secs(u64::from(actions::core(app).settings().rescan_interval_secs));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let (watcher, mut updates) = watch::spawn(config);
        actions::core(&app).attach_watcher(watcher);
        while let Some(update) = updates.recv().await {
            handle(&app, update);
        }
        eprintln!("zerodock-desktop: the watcher stopped");
    });
}

/// Applies one update and publishes what changed.
pub fn handle<R: Runtime>(app: &AppHandle<R>, update: WatchUpdate) {
    let effects = actions::core(app).apply(update);
    if let Some(progress) = &effects.progress
        && let Err(e) = app.emit(SCAN_PROGRESS, progress)
    {
        eprintln!("zerodock-desktop: cannot emit {SCAN_PROGRESS}: {e}");
    }
    if effects.state_changed {
        actions::publish(app, effects.log.as_deref().unwrap_or("state changed"));
    }
    crate::notify::show(app, &effects.notify);
}
