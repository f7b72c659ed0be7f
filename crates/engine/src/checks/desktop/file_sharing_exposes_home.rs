//! DSK007 file-sharing-exposes-home.

use serde_json::{Map, json};

use crate::checks::prelude::*;

use super::{admin_settings_fix, in_scope, ui_steps};

/// A whole disk: `/`, `C:`, `C:\`.
fn is_disk(dir: &str) -> bool {
    let dir = dir.trim_end_matches(['/', '\\']);
    dir.is_empty() || (dir.len() == 2 && dir.ends_with(':'))
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let (target, d) = match in_scope(snap) {
        Ok(found) => found,
        Err(na) => return vec![*na],
    };
    let sharing = &d.file_sharing;
    let settings = d.settings_file.as_deref().unwrap_or("settings-store.json");
    let field = format!("{settings}: FilesharingDirectories");
    let expected = "project directories only, not / or the home";
    let Some(directories) = &sharing.directories else {
        let wsl = d.wsl_engine_enabled.effective(None).is_some_and(|(on, _)| on);
        if wsl {
            return vec![
                Finding::info(
                    target,
                    "Docker Desktop uses the WSL 2 engine: host files are reached through WSL integration, not a \
                     file-sharing list (restrict which distributions are integrated in Settings → Resources → WSL \
                     integration)",
                )
                .evidence("WslEngineEnabled", true, expected),
            ];
        }
        return vec![Finding::unknown(
            target,
            format!(
                "`FilesharingDirectories` is not in {settings}: which host directories are shared is unknown"
            ),
        )];
    };
    let shown = format!("[{}]", directories.join(", "));
    let admin_evidence = |finding: Finding| match &sharing.admin_allowed {
        Some(allowed) => finding.evidence(
            format!(
                "{}: filesharingAllowedDirectories",
                d.admin_settings.as_ref().map_or("admin-settings.json", |a| a.path.as_str())
            ),
            format!("[{}]", allowed.join(", ")),
            expected,
        ),
        None => finding,
    };
    if sharing.broad.is_empty() {
        return vec![admin_evidence(
            Finding::pass(
                target,
                format!(
                    "Docker Desktop shares {} host director{}, none of them a whole disk or the home",
                    directories.len(),
                    if directories.len() == 1 { "y" } else { "ies" }
                ),
            )
            .evidence(field, shown, expected),
        )];
    }
    let broad: Vec<String> = sharing.broad.iter().map(|b| format!("`{b}`")).collect();
    let disk = sharing.broad.iter().any(|b| is_disk(b));
    let message = format!(
        "Docker Desktop lets containers bind-mount {} ({}): any container or compose file run here can read and \
         change SSH keys, cloud credentials and the Docker config in it",
        if disk { "the whole disk" } else { "the user's home" },
        broad.join(", ")
    );
    let finding = if disk { Finding::fail(target, message) } else { Finding::warn(target, message) };
    let mut keys = Map::new();
    keys.insert(
        "filesharingAllowedDirectories".to_owned(),
        json!([{"path": "PROJECT_DIRECTORY", "sharedByDefault": true}]),
    );
    vec![admin_evidence(
        finding
            .evidence(field, shown, expected)
            .fixes([ui_steps(
                "Share project directories only",
                &format!(
                    "Docker Desktop → Settings → Resources → File sharing: remove {} and add only the directories \
                     your projects live in (e.g. ~/src) → Apply & restart",
                    broad.join(", ")
                ),
            )])
            .fixes([admin_settings_fix(snap, d, keys)]),
    )]
}

crate::declare_check! {
    /// Docker Desktop shares the whole disk or the user's home with containers.
    ///
    /// ## Rationale
    /// Docker Desktop's VM can bind-mount only the host directories listed under file sharing; the
    /// container then reads and writes them with the user's rights. When the list holds `/`, a
    /// drive root or the home (macOS's default `/Users` includes it), any image or compose file run
    /// on this machine is one `-v ~:/x` away from SSH keys, cloud credentials, browser profiles and
    /// `~/.docker/config.json`. Sharing only project directories keeps the blast radius of a
    /// malicious image small: least privilege for the file system.
    ///
    /// ## Evidence
    /// `FilesharingDirectories` in the user's `settings-store.json` (`filesharingDirectories` in
    /// legacy `settings.json`), and the `filesharingAllowedDirectories` allowlist of
    /// `admin-settings.json`. A whole disk fails; the home or an ancestor of it warns. With the WSL 2
    /// engine (Windows) there is no such list: reported as information.
    ///
    /// ## Remediation
    /// Settings → Resources → File sharing: remove `/`, the home and its parents; add the project
    /// directories. Organisations restrict what users may add with `filesharingAllowedDirectories`
    /// in `admin-settings.json`.
    pub(crate) static CHECK = {
        code: "DSK007",
        slug: "file-sharing-exposes-home",
        title: "Docker Desktop shares the home or the whole disk with containers",
        category: Desktop,
        severity: Low,
        target: Host,
        references: [
            Reference::Nist("tenet 3: least privilege"),
            Reference::Nist("tenet 1: data sources are resources"),
            Reference::Seed("Zero Trust: Principle of least privilege"),
            Reference::Url("https://docs.docker.com/desktop/settings-and-maintenance/settings/#file-sharing"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DSK007` selects its tests")]
mod DSK007 {
    use super::*;
    use crate::checks::testing::{findings, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "desktop-default", []);

    #[test]
    fn shared_home_warns_shared_disk_fails() {
        let f = findings(&CHECK, &named("desktop-default", |_| {}));
        assert_eq!((f.len(), f[0].status), (1, Status::Warn));
        assert!(f[0].message.contains("the user's home (`/home/alice`)"), "{}", f[0].message);
        assert!(f[0].remediation[0].code.contains("remove `/home/alice`"));
        let f = findings(&CHECK, &named("desktop-loosened", |_| {}));
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("the whole disk"), "{}", f[0].message);
    }

    #[test]
    fn project_directories_pass() {
        let f = findings(&CHECK, &named("desktop-hardened", |_| {}));
        assert_eq!(f[0].status, Status::Pass, "{}", f[0].message);
        assert_eq!(f[0].evidence.len(), 2, "the admin allowlist is shown");
    }

    #[test]
    fn wsl_engine_is_information_unknown_otherwise() {
        let wsl = named("desktop-default", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.file_sharing.directories = None;
                d.wsl_engine_enabled.user = Some(true);
            }
        });
        assert_eq!(findings(&CHECK, &wsl)[0].status, Status::Info);
        let unset = named("desktop-default", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.file_sharing.directories = None;
            }
        });
        assert_eq!(findings(&CHECK, &unset)[0].status, Status::Unknown);
        assert!(is_disk("C:\\") && is_disk("/") && !is_disk("/srv"));
    }
}
