//! The dashboard window's lifecycle: built from the `main` entry of `tauri.conf.json` when the
//! process starts; closing it ends the process (the tray stays, without any webview). A second
//! "Open dashboard" or launch only brings it to the front.

use tauri::{AppHandle, Manager, Runtime, WebviewWindowBuilder};

/// The window's label, as in `tauri.conf.json` and `capabilities/main.json`.
pub const MAIN: &str = "main";

/// Shows the dashboard, creating it if it is not there yet.
pub fn open<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = try_open(app) {
        tracing::warn!("cannot open the dashboard: {e}");
    }
}

fn try_open<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(MAIN) {
        window.unminimize()?;
        window.show()?;
        return window.set_focus();
    }
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    let builder = WebviewWindowBuilder::from_config(app, &config)?;
    #[cfg(feature = "test-hooks")]
    let builder = painted::hook(builder);
    let window = builder.build()?;
    window.set_focus()
}

/// TEST-ONLY (`test-hooks`): when the overview first shows a score, the page sets its document
/// title to `zerodock-painted:<score>` and the app appends `{"dashboard_painted":<score>,…}` to the
/// test state file (`zerodock_tray::testhook`), so the tray's end-to-end test and the benchmark see
/// when the dashboard painted which score — without WebDriver, as the tray starts this process.
#[cfg(feature = "test-hooks")]
mod painted {
    use tauri::{Runtime, WebviewWindowBuilder};

    const PREFIX: &str = "zerodock-painted:";

    /// Polls the DOM every 10 ms from the page's start until a score is shown.
    const SCRIPT: &str = r#"(() => {
      const tick = () => {
        const el = document.querySelector('[data-testid=score]');
        const score = el && parseInt((el.textContent || '').trim(), 10);
        if (Number.isInteger(score)) { document.title = 'zerodock-painted:' + score; return; }
        setTimeout(tick, 10);
      };
      if (window.top === window) tick();
    })();"#;

    pub fn hook<'a, R: Runtime, M: tauri::Manager<R>>(
        builder: WebviewWindowBuilder<'a, R, M>,
    ) -> WebviewWindowBuilder<'a, R, M> {
        builder.initialization_script(SCRIPT).on_document_title_changed(|_, title| {
            if let Some(score) = title.strip_prefix(PREFIX).and_then(|s| s.parse::<u32>().ok()) {
                zerodock_tray::testhook::append(serde_json::json!({
                    "dashboard_painted": score,
                    "dashboard_pid": std::process::id(),
                }));
            }
        })
    }
}
