//! The fallback backend for desktops without a StatusNotifierWatcher (a plain XEmbed tray such as
//! `trayer`, older panels): `tray-icon` over GTK 3 and libayatana-appindicator, which shows a
//! GtkStatusIcon (XEmbed) when no watcher exists. GTK is only initialised on this path — on a
//! StatusNotifier desktop its libraries are mapped but never started — and it runs on a thread of
//! its own (GTK objects stay on the thread that called `gtk::init`); updates go there through the
//! GLib main context.

use std::cell::RefCell;

use gtk::glib;
use tokio::sync::mpsc::UnboundedSender;
use tray_icon::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

use crate::indicator::{MenuAction, View, icon_rgba, label};
use crate::model::TrayState;

struct Ui {
    icon: TrayIcon,
    status: MenuItem,
    pause: CheckMenuItem,
    autostart: CheckMenuItem,
    shown: TrayState,
}

thread_local! {
    /// The tray's widgets, on the GTK thread only.
    static UI: RefCell<Option<Ui>> = const { RefCell::new(None) };
}

mod id {
    pub const OPEN: &str = "open";
    pub const SCAN: &str = "scan";
    pub const PAUSE: &str = "pause";
    pub const AUTOSTART: &str = "autostart";
    pub const QUIT: &str = "quit";
}

fn icon(state: TrayState) -> Result<Icon, String> {
    let rgba = icon_rgba(state).map_err(|e| e.to_string())?;
    Icon::from_rgba(rgba.pixels, rgba.width, rgba.height).map_err(|e| e.to_string())
}

fn build(view: &View) -> Result<Ui, String> {
    let status = MenuItem::new(&view.status, false, None);
    let open = MenuItem::with_id(id::OPEN, label::OPEN, true, None);
    let scan = MenuItem::with_id(id::SCAN, label::SCAN, true, None);
    let pause = CheckMenuItem::with_id(id::PAUSE, label::PAUSE, true, view.paused, None);
    let autostart = CheckMenuItem::with_id(id::AUTOSTART, label::AUTOSTART, true, view.start_at_login, None);
    let quit = MenuItem::with_id(id::QUIT, label::QUIT, true, None);
    let menu = Menu::with_items(&[
        &status,
        &PredefinedMenuItem::separator(),
        &open,
        &scan,
        &pause,
        &PredefinedMenuItem::separator(),
        &autostart,
        &quit,
    ])
    .map_err(|e| e.to_string())?;
    let icon = TrayIconBuilder::new()
        .with_id("zerodock")
        .with_icon(icon(view.tray)?)
        .with_tooltip(&view.status)
        .with_menu(Box::new(menu))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Ui { icon, status, pause, autostart, shown: view.tray })
}

fn show_on_gtk_thread(view: &View) {
    UI.with(|ui| {
        let mut ui = ui.borrow_mut();
        let Some(ui) = ui.as_mut() else { return };
        if ui.shown != view.tray {
            match icon(view.tray).and_then(|i| ui.icon.set_icon(Some(i)).map_err(|e| e.to_string())) {
                Ok(()) => ui.shown = view.tray,
                Err(e) => tracing::warn!("tray icon: {e}"),
            }
        }
        ui.status.set_text(&view.status);
        let _ = ui.icon.set_tooltip(Some(&view.status));
        ui.pause.set_checked(view.paused);
        ui.autostart.set_checked(view.start_at_login);
    });
}

/// The running GTK tray (its thread runs `gtk::main` until [`Xembed::stop`]).
pub struct Xembed {
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Xembed {
    /// Starts GTK on its own thread and builds the tray; fails when GTK cannot start (no display).
    pub fn start(view: View, actions: UnboundedSender<MenuAction>) -> Result<Xembed, String> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let thread = std::thread::Builder::new()
            .name("gtk-tray".into())
            .spawn(move || {
                if let Err(e) = gtk::init() {
                    let _ = ready_tx.send(Err(format!("GTK: {e}")));
                    return;
                }
                MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
                    // GTK toggles a check item itself: its state now is the user's choice.
                    let checked = |item: fn(&Ui) -> &CheckMenuItem| {
                        UI.with(|ui| ui.borrow().as_ref().is_some_and(|ui| item(ui).is_checked()))
                    };
                    let action = match event.id().as_ref() {
                        id::OPEN => MenuAction::OpenDashboard,
                        id::SCAN => MenuAction::ScanNow,
                        id::PAUSE => MenuAction::SetPaused(checked(|ui| &ui.pause)),
                        id::AUTOSTART => MenuAction::SetStartAtLogin(checked(|ui| &ui.autostart)),
                        id::QUIT => MenuAction::Quit,
                        _ => return,
                    };
                    let _ = actions.send(action);
                }));
                match build(&view) {
                    Ok(ui) => {
                        UI.with(|slot| *slot.borrow_mut() = Some(ui));
                        let _ = ready_tx.send(Ok(()));
                        gtk::main();
                        UI.with(|slot| slot.borrow_mut().take());
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Xembed { thread: Some(thread) }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err("the GTK thread ended before the tray was built".to_owned()),
        }
    }

    /// Shows `view` (on the GTK thread).
    pub fn show(&self, view: View) {
        glib::MainContext::default().invoke(move || show_on_gtk_thread(&view));
    }

    /// Removes the icon and ends the GTK thread.
    pub fn stop(&mut self) {
        glib::MainContext::default().invoke(|| {
            UI.with(|slot| slot.borrow_mut().take());
            gtk::main_quit();
        });
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
