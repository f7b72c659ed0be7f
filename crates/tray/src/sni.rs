//! The StatusNotifierItem backend (KDE, GNOME with the AppIndicator extension, most bars, and
//! XEmbed panels through a proxy such as snixembed): `ksni`, pure Rust over the session bus with
//! zbus — no GTK, no X11, which is what keeps the tray process small. The icon is sent as ARGB
//! pixmaps (no icon theme needed), the status line as the tooltip and the first menu item.

use ksni::TrayMethods;
use ksni::menu::{CheckmarkItem, StandardItem};
use tokio::sync::mpsc::UnboundedSender;

use crate::indicator::{MenuAction, View, icon_argb, label};

/// The well-known name of the StatusNotifierWatcher (the host side of the protocol).
pub const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// Whether a StatusNotifierWatcher owns its name on the session bus now.
pub async fn watcher_present() -> bool {
    let Ok(conn) = zbus::Connection::session().await else { return false };
    let Ok(dbus) = zbus::fdo::DBusProxy::new(&conn).await else { return false };
    let Ok(name) = zbus::names::BusName::try_from(WATCHER) else { return false };
    dbus.name_has_owner(name).await.unwrap_or(false)
}

struct Item {
    view: View,
    actions: UnboundedSender<MenuAction>,
}

impl Item {
    fn send(&self, action: MenuAction) {
        // The receiver lives as long as the app; after Quit nothing listens any more.
        let _ = self.actions.send(action);
    }
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        "zerodock".into()
    }

    fn title(&self) -> String {
        "ZeroDock".into()
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::SystemServices
    }

    fn status(&self) -> ksni::Status {
        // Hosts may hide Passive items and highlight NeedsAttention ones.
        match self.view.tray {
            crate::model::TrayState::Critical => ksni::Status::NeedsAttention,
            _ => ksni::Status::Active,
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        match icon_argb(self.view.tray) {
            Ok(icon) => vec![ksni::Icon {
                width: i32::try_from(icon.width).unwrap_or(0),
                height: i32::try_from(icon.height).unwrap_or(0),
                data: icon.pixels,
            }],
            Err(e) => {
                tracing::warn!("tray icon: {e}");
                Vec::new()
            }
        }
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip { title: self.view.status.clone(), ..Default::default() }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.send(MenuAction::OpenDashboard);
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        let item = |text: &str, action: MenuAction| -> ksni::MenuItem<Self> {
            StandardItem {
                label: text.into(),
                activate: Box::new(move |this: &mut Self| this.send(action)),
                ..Default::default()
            }
            .into()
        };
        vec![
            StandardItem { label: self.view.status.clone(), enabled: false, ..Default::default() }.into(),
            ksni::MenuItem::Separator,
            item(label::OPEN, MenuAction::OpenDashboard),
            item(label::SCAN, MenuAction::ScanNow),
            CheckmarkItem {
                label: label::PAUSE.into(),
                checked: self.view.paused,
                activate: Box::new(|this: &mut Self| this.send(MenuAction::SetPaused(!this.view.paused))),
                ..Default::default()
            }
            .into(),
            ksni::MenuItem::Separator,
            CheckmarkItem {
                label: label::AUTOSTART.into(),
                checked: self.view.start_at_login,
                activate: Box::new(|this: &mut Self| {
                    this.send(MenuAction::SetStartAtLogin(!this.view.start_at_login))
                }),
                ..Default::default()
            }
            .into(),
            item(label::QUIT, MenuAction::Quit),
        ]
    }

    fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
        // Keep the service: a panel restarting brings the watcher back, and ksni re-registers.
        tracing::warn!("the StatusNotifierWatcher went away: {reason:?}");
        true
    }
}

/// A running StatusNotifierItem.
pub struct Sni {
    handle: ksni::Handle<Item>,
}

impl Sni {
    /// Registers the item with the watcher; fails when there is none (or no host behind it),
    /// unless `wait_for_watcher` (the backend was forced): then it serves the item and registers
    /// when a watcher appears.
    pub async fn start(
        view: View,
        actions: UnboundedSender<MenuAction>,
        wait_for_watcher: bool,
    ) -> Result<Sni, ksni::Error> {
        let handle = Item { view, actions }.assume_sni_available(wait_for_watcher).spawn().await?;
        Ok(Sni { handle })
    }

    /// Shows `view` (ksni emits the changed properties' signals itself).
    pub async fn show(&self, view: View) {
        self.handle.update(move |item: &mut Item| item.view = view).await;
    }

    /// Removes the item from the bus.
    pub async fn stop(&self) {
        self.handle.shutdown().await;
    }
}
