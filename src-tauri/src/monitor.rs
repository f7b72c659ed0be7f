//! Wiring of the engine's watcher (`zerodock_engine::watch`: Docker events, debounce, interval
//! rescans, reconnect with backoff) to the app: one task consumes its updates and hands each to
//! [`actions::on_watch_update`], which applies it to the [`Core`] and publishes the result.

use std::time::Duration;

use tauri::{AppHandle, Runtime};
use zerodock_engine::CollectOptions;
use zerodock_engine::collect::watch::{self, WatchConfig};

use crate::actions;
use crate::core::Core;

/// Starts the watcher on Tauri's async runtime and consumes its updates until it stops.
pub fn start<R: Runtime>(app: &AppHandle<R>, collect: CollectOptions) {
    let mut config = WatchConfig::new(collect);
    config.interval = Duration::from_secs(u64::from(Core::of(app).settings().rescan_interval_secs));
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let (watcher, mut updates) = watch::spawn(config);
        Core::of(&app).attach_watcher(watcher);
        while let Some(update) = updates.recv().await {
            actions::on_watch_update(&app, update);
        }
        tracing::warn!("the watcher stopped");
    });
}
