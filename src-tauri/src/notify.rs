//! Desktop notifications: one per evaluation that found new high/critical failures (never one per
//! scan, never one per finding), naming the check and the object. Which failures are new is the
//! engine's `Report::new_failures`; this only words it.

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;
use zerodock_engine::{NewFailure, Severity};

#[cfg(feature = "test-hooks")]
use crate::testhook;

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

/// Shows the notification; a desktop without a notification service only gets a log line.
pub fn show<R: Runtime>(app: &AppHandle<R>, new: &[NewFailure]) {
    if new.is_empty() {
        return;
    }
    let (title, body) = text(new);
    #[cfg(feature = "test-hooks")]
    testhook::record_notification(&title, &body);
    if let Err(e) = app.notification().builder().title(&title).body(&body).show() {
        tracing::warn!(%title, "notification not shown: {e}");
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
