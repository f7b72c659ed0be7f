//! Desktop notifications: one per evaluation that found new high/critical failures (never one per
//! scan, never one per finding), naming the check and the object. Which failures are new is the
//! engine's `Report::new_failures`; this words it and sends it to the desktop's notification
//! service over D-Bus (the zbus that ksni already brings; no GTK, no second D-Bus library). A click
//! comes back as the service's `ActionInvoked` signal; servers without the `actions` capability
//! (e.g. notify-osd) never send one, and then the notification only informs.

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::StreamExt;
use zerodock_engine::{NewFailure, Severity};

use crate::ipc::FindingRef;

/// How many failures a summarising notification lists by name.
const LISTED: usize = 3;

/// Title and body of the notification for `new` (not empty).
pub fn text(new: &[NewFailure]) -> (String, String) {
    match new {
        [one] => (
            // The engine's own severity word (`Severity`'s `Display`): the app has no wording of its own.
            format!("New {} finding: {}", one.severity, one.title),
            format!("{} ({})", plain(&one.message), one.check),
        ),
        many => {
            let critical = many.iter().filter(|n| n.severity == Severity::Critical).count();
            let title = if critical > 0 {
                format!("{} new findings, {critical} critical", many.len())
            } else {
                format!("{} new high-severity findings", many.len())
            };
            let mut lines: Vec<String> =
                many.iter().take(LISTED).map(|n| format!("{} ({})", plain(&n.message), n.check)).collect();
            if many.len() > LISTED {
                lines.push(format!("and {} more — open the dashboard", many.len() - LISTED));
            }
            (title, lines.join("\n"))
        }
    }
}

/// The notification service (`org.freedesktop.Notifications`), as a zbus proxy.
#[zbus::proxy(
    interface = "org.freedesktop.Notifications",
    default_service = "org.freedesktop.Notifications",
    default_path = "/org/freedesktop/Notifications"
)]
trait Notifications {
    /// Shows a notification; returns its id.
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: &[&str],
        hints: HashMap<&str, zbus::zvariant::Value<'_>>,
        expire_timeout: i32,
    ) -> zbus::Result<u32>;

    /// What the server can do (`actions` when it delivers clicks).
    fn get_capabilities(&self) -> zbus::Result<Vec<String>>;

    /// The user clicked the notification (`default`) or one of its actions.
    #[zbus(signal)]
    fn action_invoked(&self, id: u32, action_key: String) -> zbus::Result<()>;
}

/// The action key of a click on the notification itself (Desktop Notifications spec 1.2).
const DEFAULT_ACTION: &str = "default";

/// Sends notifications over the session bus and reports clicks on them. One connection, shared
/// with nothing else; a desktop without a notification service only gets log lines.
pub struct Notifier {
    proxy: Option<NotificationsProxy<'static>>,
    /// Which finding each shown notification is about.
    shown: Mutex<HashMap<u32, FindingRef>>,
}

impl Notifier {
    /// Connects to the session bus and, when `on_click` is given, forwards clicks (the `default`
    /// action) on our notifications as the finding they name. Never fails: without a bus or a
    /// service, [`Notifier::show`] only logs.
    pub async fn connect(on_click: impl Fn(FindingRef) + Send + Sync + 'static) -> std::sync::Arc<Notifier> {
        let proxy = match zbus::Connection::session().await {
            Ok(conn) => NotificationsProxy::new(&conn).await.ok(),
            Err(e) => {
                tracing::warn!("no session bus, notifications off: {e}");
                None
            }
        };
        let notifier = std::sync::Arc::new(Notifier { proxy, shown: Mutex::new(HashMap::new()) });
        if let Some(proxy) = notifier.proxy.clone() {
            let weak = std::sync::Arc::downgrade(&notifier);
            tokio::spawn(async move {
                let Ok(mut clicks) = proxy.receive_action_invoked().await else { return };
                while let Some(signal) = clicks.next().await {
                    let Ok(args) = signal.args() else { continue };
                    let Some(notifier) = weak.upgrade() else { return };
                    if args.action_key != DEFAULT_ACTION {
                        continue;
                    }
                    let finding = notifier.shown.lock().unwrap_or_else(|p| p.into_inner()).remove(&args.id);
                    if let Some(finding) = finding {
                        on_click(finding);
                    }
                }
            });
        }
        notifier
    }

    /// Shows one notification for `new` (nothing when empty). A click opens the dashboard on the
    /// first finding it names, where the server delivers clicks (`actions` capability).
    pub async fn show(&self, new: &[NewFailure]) {
        let Some(first) = new.first() else { return };
        let (title, body) = text(new);
        #[cfg(feature = "test-hooks")]
        crate::testhook::record_notification(&title, &body);
        let Some(proxy) = &self.proxy else {
            tracing::info!(%title, "notification (no notification service)");
            return;
        };
        let hints = HashMap::from([("urgency", zbus::zvariant::Value::U8(2))]);
        let actions = [DEFAULT_ACTION, "Open in ZeroDock"];
        match proxy.notify("ZeroDock", 0, "dialog-warning", &title, &body, &actions, hints, -1).await {
            Ok(id) => {
                let finding = FindingRef { check: first.check.clone(), target: first.target.name.clone() };
                self.shown.lock().unwrap_or_else(|p| p.into_inner()).insert(id, finding);
            }
            Err(e) => tracing::warn!(%title, "notification not shown: {e}"),
        }
    }
}

/// Messages use Markdown backticks around names; notifications are plain text.
fn plain(message: &str) -> String {
    message.replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use zerodock_engine::{Target, TargetKind};

    fn failure(check: &str, severity: Severity, name: &str) -> NewFailure {
        NewFailure {
            check: check.to_owned(),
            title: "Docker socket mounted into a container".to_owned(),
            severity,
            target: Target::new(TargetKind::Container, name, None),
            message: format!("Container `{name}` mounts the Docker socket"),
        }
    }

    #[test]
    fn one_failure_names_check_and_object() {
        let (title, body) = text(&[failure("CTR003", Severity::Critical, "web")]);
        assert_eq!(title, "New critical finding: Docker socket mounted into a container");
        assert_eq!(body, "Container web mounts the Docker socket (CTR003)");
        // The severity in the engine's own words.
        let (title, _) = text(&[failure("CTR003", Severity::High, "web")]);
        assert_eq!(title, format!("New {} finding: Docker socket mounted into a container", Severity::High));
    }

    #[test]
    fn several_failures_make_one_summary() {
        let new: Vec<NewFailure> = (0..5)
            .map(|i| {
                failure("CTR003", if i == 0 { Severity::Critical } else { Severity::High }, &format!("c{i}"))
            })
            .collect();
        let (title, body) = text(&new);
        assert_eq!(title, "5 new findings, 1 critical");
        assert_eq!(body.lines().count(), 4);
        assert!(body.contains("c0") && body.contains("c2") && !body.contains("c3"));
        assert!(body.ends_with("and 2 more — open the dashboard"));
    }
}
