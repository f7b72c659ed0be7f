//! The tray: the icon IS the status (one icon per [`TrayState`], `icons/tray-*.png`), and the menu's
//! first, disabled line says the rest — on Linux tray hosts show no tooltips and deliver no clicks,
//! so icon and menu must carry everything. The tooltip is set too, for the hosts that show it.
//!
//! A view: it builds the menu, shows an [`AppState`] and turns clicks into [`MenuAction`]s for the
//! handler it is given ([`build`]); what an action does is `actions`' business, so this module
//! imports nothing of the app but its state types.

use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

use crate::state::{AppState, TrayState, status_line};

/// The tray icon's id.
pub const TRAY_ID: &str = "zerodock";

/// Menu item ids.
mod id {
    pub const STATUS: &str = "status";
    pub const OPEN: &str = "open";
    pub const SCAN: &str = "scan";
    pub const PAUSE: &str = "pause";
    pub const EXPORT_PDF: &str = "export_pdf";
    pub const AUTOSTART: &str = "autostart";
    pub const QUIT: &str = "quit";
}

/// The PNG of each state, rendered from `icons/src/*.svg` by `icons/render.sh`.
fn icon_png(state: TrayState) -> &'static [u8] {
    match state {
        TrayState::Good => include_bytes!("../../icons/tray-good.png"),
        TrayState::Attention => include_bytes!("../../icons/tray-attention.png"),
        TrayState::Critical => include_bytes!("../../icons/tray-critical.png"),
        TrayState::Unknown => include_bytes!("../../icons/tray-unknown.png"),
        TrayState::Scanning => include_bytes!("../../icons/tray-scanning.png"),
    }
}

/// The decoded icon of a state.
pub fn icon(state: TrayState) -> tauri::Result<Image<'static>> {
    Image::from_bytes(icon_png(state))
}

/// What the user chose in the tray menu. Checkbox items carry the state the user toggled them to
/// (GTK toggles the check mark itself, so the item's state is the user's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuAction {
    /// "Open dashboard".
    OpenDashboard,
    /// "Scan now".
    ScanNow,
    /// "Pause monitoring", now checked (`true`) or not.
    SetPaused(bool),
    /// "Export PDF report…".
    ExportPdf,
    /// "Start at login", now checked (`true`) or not.
    SetStartAtLogin(bool),
    /// "Quit ZeroDock".
    Quit,
}

/// Handles to what changes after the tray is built (managed state).
pub struct Tray<R: Runtime> {
    icon: TrayIcon<R>,
    status: MenuItem<R>,
    pause: CheckMenuItem<R>,
    autostart: CheckMenuItem<R>,
    /// The state last shown, so an unchanged icon is not set again.
    shown: std::sync::Mutex<Option<TrayState>>,
}

/// Builds the tray for `state` and manages its handles; `on_action` is called with each menu choice.
pub fn build<R, F>(app: &AppHandle<R>, state: &AppState, on_action: F) -> tauri::Result<()>
where
    R: Runtime,
    F: Fn(&AppHandle<R>, MenuAction) + Send + Sync + 'static,
{
    let status = MenuItem::with_id(app, id::STATUS, status_line(state), false, None::<&str>)?;
    let open = MenuItem::with_id(app, id::OPEN, "Open dashboard", true, None::<&str>)?;
    let scan = MenuItem::with_id(app, id::SCAN, "Scan now", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(app, id::PAUSE, "Pause monitoring", true, state.paused, None::<&str>)?;
    let export = MenuItem::with_id(app, id::EXPORT_PDF, "Export PDF report…", true, None::<&str>)?;
    let autostart = CheckMenuItem::with_id(
        app,
        id::AUTOSTART,
        "Start at login",
        true,
        state.settings.start_at_login,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, id::QUIT, "Quit ZeroDock", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &scan,
            &pause,
            &export,
            &PredefinedMenuItem::separator(app)?,
            &autostart,
            &quit,
        ],
    )?;
    let line = status_line(state);
    let icon = TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(state.tray)?)
        .tooltip(&line)
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(move |app, event| {
            if let Some(action) = menu_action(app, &event) {
                on_action(app, action);
            }
        })
        .build(app)?;
    app.manage(Tray { icon, status, pause, autostart, shown: std::sync::Mutex::new(Some(state.tray)) });
    Ok(())
}

/// Shows `state`: icon (when it changed), status line, tooltip, checkboxes.
pub fn show<R: Runtime>(app: &AppHandle<R>, state: &AppState) {
    let Some(tray) = app.try_state::<Tray<R>>() else { return };
    let line = status_line(state);
    let changed = {
        let mut shown = tray.shown.lock().unwrap_or_else(|p| p.into_inner());
        shown.replace(state.tray) != Some(state.tray)
    };
    let result = (|| -> tauri::Result<()> {
        if changed {
            tray.icon.set_icon(Some(icon(state.tray)?))?;
        }
        tray.status.set_text(&line)?;
        tray.icon.set_tooltip(Some(&line))?;
        tray.pause.set_checked(state.paused)?;
        tray.autostart.set_checked(state.settings.start_at_login)?;
        Ok(())
    })();
    if let Err(e) = result {
        tracing::warn!("tray update failed: {e}");
    }
}

/// The action behind a menu event, `None` for items that do nothing (the status line).
fn menu_action<R: Runtime>(app: &AppHandle<R>, event: &MenuEvent) -> Option<MenuAction> {
    let checked = |item: fn(&Tray<R>) -> &CheckMenuItem<R>| {
        app.try_state::<Tray<R>>().and_then(|t| item(&t).is_checked().ok()).unwrap_or(false)
    };
    Some(match event.id().as_ref() {
        id::OPEN => MenuAction::OpenDashboard,
        id::SCAN => MenuAction::ScanNow,
        id::PAUSE => MenuAction::SetPaused(checked(|t| &t.pause)),
        id::EXPORT_PDF => MenuAction::ExportPdf,
        id::AUTOSTART => MenuAction::SetStartAtLogin(checked(|t| &t.autostart)),
        id::QUIT => MenuAction::Quit,
        _ => return None,
    })
}
