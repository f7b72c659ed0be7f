//! DSK004 automatic-updates-disabled.

use serde_json::Map;

use crate::checks::prelude::*;
use crate::snapshot::DesktopSource;

use super::{Keys, admin_settings_fix, in_scope, locked, resolve, ui_steps};

const DISABLE_UPDATE: Keys = Keys { user: "DisableUpdate", admin: "disableUpdate" };
const AUTO_DOWNLOAD: Keys = Keys { user: "AutoDownloadUpdates", admin: "(user setting only)" };

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let (target, d) = match in_scope(snap) {
        Ok(found) => found,
        Err(na) => return vec![*na],
    };
    let disabled = match resolve(d, &d.disable_update, DISABLE_UPDATE, false) {
        Ok(setting) => setting,
        Err(reason) => return vec![Finding::unknown(target, reason)],
    };
    let version = snap
        .version()
        .ok()
        .and_then(|v| v.platform_name.clone())
        .filter(|name| name.starts_with("Docker Desktop"));
    let expected = "false, or true locked by an organisation that ships vetted versions";
    let with_version = |finding: Finding| match &version {
        Some(name) => {
            finding.evidence("GET /version Platform.Name", name, "the current Docker Desktop release")
        }
        None => finding,
    };

    if !disabled.value {
        let download = resolve(d, &d.auto_download_updates, AUTO_DOWNLOAD, false).ok();
        let how = if download.as_ref().is_some_and(|s| s.value) {
            "checked for and downloaded automatically"
        } else {
            "checked for and offered (downloads need a click)"
        };
        let mut finding = Finding::pass(target, format!("Docker Desktop updates are {how}")).evidence(
            disabled.field,
            false,
            expected,
        );
        if let Some(download) = download {
            finding = finding.evidence(download.field, download.value, "true (recommended)");
        }
        return vec![with_version(finding)];
    }
    if disabled.source == DesktopSource::AdminLocked {
        return vec![with_version(
            Finding::pass(
                target,
                "Update checks are turned off and locked by admin-settings.json: the organisation distributes \
                 Docker Desktop versions itself (keep that rollout current)",
            )
            .evidence(disabled.field, true, expected),
        )];
    }

    let mut finding = with_version(
        Finding::fail(
            target,
            "Docker Desktop no longer checks for updates: security fixes for Desktop, its engine, runc and the \
             bundled CLI tools are never offered",
        )
        .evidence(&disabled.field, true, expected),
    );
    if disabled.source == DesktopSource::User {
        let file = d.settings_file.as_deref().unwrap_or("settings-store.json");
        finding = finding.fix(
            SnippetKind::Shell,
            format!("Turn update checks back on in {file} (quit Docker Desktop first)"),
            format!(
                "jq '.DisableUpdate = false | .AutoDownloadUpdates = true' \"{file}\" > \"{file}.new\" && mv \"{file}.new\" \"{file}\""
            ),
        );
    }
    let mut keys = Map::new();
    keys.insert("disableUpdate".to_owned(), locked(false));
    vec![
        finding
            .fixes([ui_steps(
                "Then update",
                "Docker Desktop → Settings → Software updates → select \"Always download updates\"\nDocker Desktop \
                 menu → Check for updates",
            )])
            .fixes([admin_settings_fix(snap, d, keys)]),
    ]
}

crate::declare_check! {
    /// Docker Desktop's update checks are turned off by the user.
    ///
    /// ## Rationale
    /// Docker Desktop bundles the engine, containerd, runc, BuildKit, Compose and the CLI, and its
    /// releases fix their CVEs (runc container escapes, Desktop's own engine-API exposure flaws).
    /// With `DisableUpdate` set, Desktop stops checking for and announcing releases, so a machine
    /// silently keeps vulnerable versions. Docker's hardened-desktop guidance does lock update
    /// checks off — when the organisation pushes vetted versions itself: that case passes, a user
    /// opting out does not.
    ///
    /// ## Evidence
    /// `DisableUpdate` in the user's `settings-store.json` and `disableUpdate` `{"value",
    /// "locked"}` in `admin-settings.json` (true and locked passes: centrally managed updates);
    /// `AutoDownloadUpdates` for the message; the engine's `/version` `Platform.Name` (`Docker
    /// Desktop 4.x.y`) for context.
    ///
    /// ## Remediation
    /// Quit Docker Desktop, set `"DisableUpdate": false` (and `"AutoDownloadUpdates": true`) in
    /// `settings-store.json`, relaunch and update; or lock `"disableUpdate": {"locked": true,
    /// "value": false}` in `admin-settings.json`. Organisations that ship Desktop themselves lock it
    /// to `true` and keep their rollout current.
    pub(crate) static CHECK = {
        code: "DSK004",
        slug: "automatic-updates-disabled",
        title: "Docker Desktop update checks turned off",
        category: Desktop,
        severity: Medium,
        target: Host,
        references: [
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Zero Trust: Tool chain updates"),
            Reference::Seed("Best practices §2 Keep Docker Up to Date"),
            Reference::Url("https://docs.docker.com/security/security-announcements/"),
            Reference::Url(
                "https://docs.docker.com/enterprise/security/hardened-desktop/settings-management/settings-reference/#automatically-check-for-updates"
            ),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DSK004` selects its tests")]
mod DSK004 {
    use super::*;
    use crate::checks::testing::{findings, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "desktop-loosened", []);

    #[test]
    fn user_opt_out_fails_with_a_file_fix() {
        let f = findings(&CHECK, &named("desktop-loosened", |_| {}));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert!(
            f[0].evidence
                .iter()
                .any(|e| e.field == "GET /version Platform.Name"
                    && e.observed.starts_with("Docker Desktop 4."))
        );
        assert!(
            f[0].remediation[0].code.starts_with(
                "jq '.DisableUpdate = false | .AutoDownloadUpdates = true' \"/home/alice/.docker/desktop/settings-store.json\""
            ),
            "{}",
            f[0].remediation[0].code
        );
        assert!(f[0].remediation[2].code.contains("\"disableUpdate\""));
    }

    #[test]
    fn updates_on_or_centrally_managed_pass() {
        let f = findings(&CHECK, &named("desktop-default", |_| {}));
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].message.contains("downloads need a click"), "{}", f[0].message);
        assert_eq!(findings(&CHECK, &named("desktop-hardened", |_| {}))[0].status, Status::Pass);
        let managed = named("desktop-hardened", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.disable_update.admin = Some(true);
            }
        });
        let f = findings(&CHECK, &managed);
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].message.contains("distributes Docker Desktop versions itself"), "{}", f[0].message);
    }

    #[test]
    fn an_unlocked_admin_default_still_fails() {
        let snap = named("desktop-hardened", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.disable_update =
                    crate::snapshot::DesktopSetting { user: None, admin: Some(true), locked: false };
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].evidence[0].field.ends_with("disableUpdate (not locked)"), "{}", f[0].evidence[0].field);
    }
}
