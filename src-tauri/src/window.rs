//! The dashboard window's lifecycle: built from the `main` entry of `tauri.conf.json` when the
//! process starts; closing it ends the process (the tray stays, without any webview). A second
//! "Open dashboard" or launch only brings it to the front.

use tauri::{AppHandle, Manager, Runtime, WebviewWindowBuilder};

use crate::state::AppState;

/// The window's label, as in `tauri.conf.json` and `capabilities/main.json`.
pub const MAIN: &str = "main";

/// The global the page takes its first state from (`initialState` in `ui/src/lib/ipc.ts`).
pub const FIRST_STATE_GLOBAL: &str = "__ZERODOCK_FIRST_STATE__";

/// Shows the dashboard, creating it if it is not there yet.
pub fn open<R: Runtime>(app: &AppHandle<R>) {
    open_with(app, None);
}

/// Shows the dashboard, creating it if it is not there yet; a new page starts from `first_state`
/// (the tray's, taken before the window was built), so the score is drawn in the first render,
/// without waiting for the page's `get_state` round trip.
pub fn open_with<R: Runtime>(app: &AppHandle<R>, first_state: Option<&AppState>) {
    if let Err(e) = try_open(app, first_state) {
        tracing::warn!("cannot open the dashboard: {e}");
    }
}

/// The initialization script that hands the page `state`: a JSON string parsed by the page
/// (`JSON.parse` of a string is cheaper than evaluating the same object literal). WebKit runs it
/// in the top frame before the page's own scripts; it is not subject to the page's CSP.
pub fn first_state_script(state: &AppState) -> Option<String> {
    let json = serde_json::to_string(state).ok()?;
    let literal = serde_json::to_string(&json).ok()?;
    Some(format!("window.{FIRST_STATE_GLOBAL} = JSON.parse({literal});"))
}

fn try_open<R: Runtime>(app: &AppHandle<R>, first_state: Option<&AppState>) -> tauri::Result<()> {
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
    let mut builder = WebviewWindowBuilder::from_config(app, &config)?;
    if let Some(script) = first_state.and_then(first_state_script) {
        // Main frame only (Tauri's default): no other frame needs the report.
        builder = builder.initialization_script(&script);
    }
    #[cfg(feature = "test-hooks")]
    let builder = painted::hook(builder);
    let window = builder.build()?;
    window.set_focus()
}

/// TEST-ONLY (`test-hooks`): when the overview first shows a score, the page sets its document
/// title to `zerodock-painted:<score>:<marks>` and the app appends `{"dashboard_painted":<score>,
/// "marks":{…},…}` to the test state file (`zerodock_tray::testhook`), so the tray's end-to-end test
/// and the benchmark see when the dashboard painted which score — without WebDriver, as the tray
/// starts this process. `marks` itemise the page's part, as Unix milliseconds: `navigation` (the
/// page was asked for), `response` (our protocol handler answered), `main` (the bundle ran),
/// `state` (the first state reached the page), `mounted` (the first render is in the DOM),
/// `score` (the score was seen in the DOM), `dom` (DOMContentLoaded), `frame` (the next animation
/// frame: style, layout and paint done) and `painted` (the frame after it: the first one was
/// presented). `painted` is the time reported as "score painted".
#[cfg(feature = "test-hooks")]
mod painted {
    use tauri::{Runtime, WebviewWindowBuilder};

    const PREFIX: &str = "zerodock-painted:";

    /// Watches the DOM from the page's start until a score is shown, then waits for the frame
    /// that draws it (two animation frames: the second runs after the first was presented).
    const SCRIPT: &str = r#"(() => {
      if (window.top !== window) return;
      const abs = (t) => Math.round(performance.timeOrigin + t);
      const report = () => {
        const el = document.querySelector('[data-testid=score]');
        const score = el && parseInt((el.textContent || '').trim(), 10);
        if (!Number.isInteger(score)) return false;
        const seen = abs(performance.now());
        requestAnimationFrame(() => { const frame = abs(performance.now()); requestAnimationFrame(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const marks = { navigation: abs(0), score: seen, frame, painted: abs(performance.now()) };
          if (nav) { marks.response = abs(nav.responseEnd); marks.dom = abs(nav.domContentLoadedEventStart); }
          for (const m of performance.getEntriesByType('mark')) {
            if (m.name.startsWith('zd-')) marks[m.name.slice(3)] = abs(m.startTime);
          }
          document.title = 'zerodock-painted:' + score + ':' + JSON.stringify(marks);
        }); });
        return true;
      };
      const watch = () => {
        if (report()) return;
        const seen = new MutationObserver(() => { if (report()) seen.disconnect(); });
        seen.observe(document, { childList: true, subtree: true, characterData: true });
      };
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
      else watch();
    })();"#;

    pub fn hook<'a, R: Runtime, M: tauri::Manager<R>>(
        builder: WebviewWindowBuilder<'a, R, M>,
    ) -> WebviewWindowBuilder<'a, R, M> {
        builder.initialization_script(SCRIPT).on_document_title_changed(|_, title| {
            let Some(rest) = title.strip_prefix(PREFIX) else { return };
            let (score, marks) = rest.split_once(':').unwrap_or((rest, "null"));
            if let Ok(score) = score.parse::<u32>() {
                zerodock_tray::testhook::append(serde_json::json!({
                    "dashboard_painted": score,
                    "dashboard_pid": std::process::id(),
                    "marks": serde_json::from_str::<serde_json::Value>(marks).unwrap_or_default(),
                }));
            }
        })
    }

    /// Records a step of the dashboard's start (`main`, `window`, `connected`) with its time.
    pub fn phase(name: &str) {
        zerodock_tray::testhook::append(serde_json::json!({
            "dashboard_phase": name,
            "dashboard_pid": std::process::id(),
        }));
    }
}

/// TEST-ONLY (`test-hooks`): records a step of the dashboard's start in the test state file (the
/// benchmark itemises "Open dashboard" with it); without the feature this does nothing.
pub fn phase(name: &str) {
    #[cfg(feature = "test-hooks")]
    painted::phase(name);
    #[cfg(not(feature = "test-hooks"))]
    let _ = name;
}
