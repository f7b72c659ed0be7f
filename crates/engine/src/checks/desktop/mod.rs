//! Docker Desktop checks: Enhanced Container Isolation, the unauthenticated TCP API, Settings
//! Management locks, updates, sign-in enforcement, extensions, file sharing and image analysis.
//!
//! Docker Desktop runs its daemon in a VM: the engine's API says little about how Desktop itself is
//! configured, so the evidence is its settings files on this machine (collected into
//! [`crate::snapshot::DesktopSettings`]), cross-checked with the engine where it can be (containers'
//! runtime under ECI). The checks apply only when this machine's Docker Desktop is the engine being
//! scanned, or when the engine could not be reached but Desktop's files are here.

use serde_json::{Map, Value};

use crate::checks::Check;
use crate::checks::prelude::*;
use crate::report::{Finding, Snippet, SnippetKind, Target};
use crate::snapshot::{DesktopSetting, DesktopSettings, DesktopSource, FileFacts, Snapshot};

pub(crate) mod automatic_updates_disabled;
pub(crate) mod daemon_exposed_on_tcp_2375;
pub(crate) mod enhanced_container_isolation_off;
pub(crate) mod file_sharing_exposes_home;
pub(crate) mod scout_image_analysis_off;
pub(crate) mod settings_not_locked;
pub(crate) mod sign_in_not_enforced;
pub(crate) mod unrestricted_extensions;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &enhanced_container_isolation_off::CHECK,
    &daemon_exposed_on_tcp_2375::CHECK,
    &settings_not_locked::CHECK,
    &automatic_updates_disabled::CHECK,
    &sign_in_not_enforced::CHECK,
    &unrestricted_extensions::CHECK,
    &file_sharing_exposes_home::CHECK,
    &scout_image_analysis_off::CHECK,
];

/// The host target and Docker Desktop's settings, or the finding that says they do not apply
/// (remote engine, an engine that is not Docker Desktop, Desktop not installed) or are unknown.
pub(crate) fn in_scope(snap: &Snapshot) -> Result<(Target, &DesktopSettings), Box<Finding>> {
    let target = host_target(snap);
    let not_applicable = |reason: String| Err(Box::new(Finding::not_applicable(target.clone(), reason)));
    if let Err(reason) = snap.host_scope() {
        return not_applicable(reason);
    }
    let installed = matches!(snap.host.desktop.ok(), Some(Some(_)));
    let engine_is_desktop = snap.info().ok().map(|i| (i.is_docker_desktop(), i.operating_system.clone()));
    if let Some((false, os)) = &engine_is_desktop {
        let os = if os.is_empty() { "another engine" } else { os.as_str() };
        return not_applicable(if installed {
            format!(
                "Docker Desktop is not the engine scanned ({os}): its settings on this machine describe another \
                 engine; scan Docker Desktop's engine (`docker context use desktop-linux`) to assess them"
            )
        } else {
            format!("Docker Desktop is not installed / not the engine (the engine is {os})")
        });
    }
    match snap.host.desktop.get() {
        Ok(Some(settings)) => Ok((target, settings)),
        Ok(None) if matches!(engine_is_desktop, Some((true, _))) => Err(Box::new(Finding::unknown(
            target,
            "the engine is Docker Desktop but none of its settings files was found for this user: run ZeroDock as \
             the user who runs Docker Desktop",
        ))),
        Ok(None) => not_applicable(
            "Docker Desktop is not installed / not the engine (none of its settings files exists)".to_owned(),
        ),
        Err(reason) => Err(Box::new(Finding::unknown(
            target,
            format!("Docker Desktop's settings could not be read: {reason}"),
        ))),
    }
}

/// A setting's names in the user's settings file and in `admin-settings.json`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keys {
    /// PascalCase key of `settings-store.json`.
    pub user: &'static str,
    /// camelCase key (or dotted path) of `admin-settings.json`.
    pub admin: &'static str,
}

/// The value Docker Desktop applies for a setting, and the evidence field saying where it was read.
#[derive(Debug, Clone)]
pub(crate) struct Resolved<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: DesktopSource,
    /// `<file>: <key>` with the lock state, for evidence.
    pub field: String,
}

/// The effective value of `setting` (see [`DesktopSetting::effective`]); `default` is Docker
/// Desktop's own, used when the user's settings file was read and neither file sets the key.
pub(crate) fn resolve<T: Clone>(
    d: &DesktopSettings,
    setting: &DesktopSetting<T>,
    keys: Keys,
    default: T,
) -> Result<Resolved<T>, String> {
    let default = d.settings_file.as_ref().map(|_| default);
    let (value, source) = setting.effective(default).ok_or_else(|| {
        format!(
            "`{}` could not be determined: Docker Desktop's user settings file (settings-store.json) was not \
             found and admin-settings.json does not set `{}`",
            keys.user, keys.admin
        )
    })?;
    let admin = d.admin_settings.as_ref().map_or("admin-settings.json", |a| a.path.as_str());
    let user = d.settings_file.as_deref().unwrap_or("settings-store.json");
    let field = match source {
        DesktopSource::AdminLocked => format!("{admin}: {} (locked)", keys.admin),
        DesktopSource::AdminDefault => format!("{admin}: {} (not locked)", keys.admin),
        DesktopSource::User => format!("{user}: {}", keys.user),
        DesktopSource::Default => format!("{user}: {} (absent: Docker Desktop's default)", keys.user),
    };
    Ok(Resolved { value, source, field })
}

/// The host OS family (`linux`, `macos`, `windows`), `linux` when unknown.
fn os_family(snap: &Snapshot) -> &str {
    snap.host.os.ok().map_or("linux", |o| o.family.as_str())
}

/// Where `admin-settings.json` is, or goes, on this machine.
pub(crate) fn admin_settings_path(snap: &Snapshot, d: &DesktopSettings) -> String {
    if let Some(admin) = &d.admin_settings {
        return admin.path.clone();
    }
    match os_family(snap) {
        "macos" => "/Library/Application Support/com.docker.docker/admin-settings.json",
        "windows" => r"C:\ProgramData\DockerDesktop\admin-settings.json",
        _ => "/usr/share/docker-desktop/admin-settings.json",
    }
    .to_owned()
}

/// Where `registry.json` goes on this machine.
pub(crate) fn registry_json_path(snap: &Snapshot) -> &'static str {
    match os_family(snap) {
        "macos" => "/Library/Application Support/com.docker.docker/registry.json",
        "windows" => r"C:\ProgramData\DockerDesktop\registry.json",
        _ => "/usr/share/docker-desktop/registry/registry.json",
    }
}

/// An `admin-settings.json` fragment (with `configurationFileVersion` when the file is new) that
/// sets and locks `keys` for every user of this machine.
pub(crate) fn admin_settings_fix(snap: &Snapshot, d: &DesktopSettings, keys: Map<String, Value>) -> Snippet {
    let path = admin_settings_path(snap, d);
    let mut fragment = Map::new();
    if d.admin_settings.is_none() {
        fragment.insert("configurationFileVersion".to_owned(), Value::from(2));
    }
    fragment.extend(keys);
    let (verb, rights) =
        if d.admin_settings.is_some() { ("Merge into", "") } else { ("Create", " (administrator rights)") };
    Snippet::new(
        SnippetKind::Json,
        format!(
            "{verb} {path}{rights} to set and lock this for every user (Settings Management, Docker Business); then \
             quit and relaunch Docker Desktop"
        ),
        serde_json::to_string_pretty(&Value::Object(fragment)).unwrap_or_default(),
    )
}

/// `{"locked": true, "value": value}`.
pub(crate) fn locked(value: impl Into<Value>) -> Value {
    serde_json::json!({ "locked": true, "value": value.into() })
}

/// Why a file meant to be managed by an administrator can be changed by the user, if it can: a
/// lock the user can edit is no lock.
pub(crate) fn user_writable(file: &FileFacts) -> Option<String> {
    let group = file.group.clone().unwrap_or_else(|| file.gid.to_string());
    if file.uid != 0 {
        Some(format!("owned by `{}`, not root", file.owner.clone().unwrap_or_else(|| file.uid.to_string())))
    } else if file.mode & 0o002 != 0 {
        Some("writable by every local user".to_owned())
    } else if file.mode & 0o020 != 0 && !matches!(group.as_str(), "root" | "wheel" | "admin" | "0") {
        Some(format!("writable by group `{group}`"))
    } else {
        None
    }
}

/// Restores root ownership and mode 0644 on a managed file.
pub(crate) fn protect_file_fix(snap: &Snapshot, file: &FileFacts) -> Snippet {
    let group = if os_family(snap) == "macos" { "wheel" } else { "root" };
    Snippet::new(
        SnippetKind::Shell,
        format!("Make {} editable by administrators only", file.path),
        format!("sudo chown root:{group} \"{path}\"\nsudo chmod 0644 \"{path}\"", path = file.path),
    )
}

/// A shell snippet that only says where a setting is in Docker Desktop's UI (as comment lines,
/// so pasting it is harmless).
pub(crate) fn ui_steps(label: &str, steps: &str) -> Snippet {
    let code = steps.lines().map(|l| format!("# {l}")).collect::<Vec<_>>().join("\n");
    Snippet::new(SnippetKind::Shell, label, code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{findings, fixture, named};
    use crate::report::Status;

    #[test]
    fn not_applicable_unless_desktop_is_the_engine() {
        for code in CHECKS.iter().map(|c| c.code) {
            let check = crate::checks::find(code).expect("registered");
            for base in ["default", "hardened"] {
                let f = findings(check, &fixture(base));
                assert_eq!((f.len(), f[0].status), (1, Status::NotApplicable), "{code} on {base}");
                assert!(f[0].message.contains("not installed / not the engine"), "{code}: {}", f[0].message);
            }
            // Desktop's files on a machine whose scanned engine is another one.
            let both = named("desktop-default", |s| {
                if let Some(info) = s.engine.ok_mut().and_then(|e| e.info.ok_mut()) {
                    info.operating_system = "Ubuntu 24.04 LTS".to_owned();
                }
            });
            let f = findings(check, &both);
            assert_eq!(f[0].status, Status::NotApplicable, "{code}");
            assert!(f[0].message.contains("desktop-linux"), "{code}: {}", f[0].message);
        }
    }

    #[test]
    fn unknown_when_desktop_is_the_engine_but_its_files_are_not_seen() {
        let unseen = named("desktop-default", |s| s.host.desktop = crate::snapshot::Fact::available(None));
        let unreadable = named("desktop-default", |s| {
            s.host.desktop = crate::snapshot::Fact::unavailable("not collected")
        });
        for check in CHECKS {
            let f = findings(check, &unseen);
            assert_eq!(f[0].status, Status::Unknown, "{}", check.code);
            assert!(f[0].message.contains("run ZeroDock as the user"), "{}", f[0].message);
            let f = findings(check, &unreadable);
            assert_eq!(f[0].status, Status::Unknown, "{}", check.code);
            assert!(f[0].message.contains("not collected"), "{}", f[0].message);
        }
    }

    #[test]
    fn engine_down_still_judges_the_files() {
        let snap = named("desktop-default", |s| {
            s.engine = crate::snapshot::Fact::unavailable("connection refused");
        });
        let f = findings(&enhanced_container_isolation_off::CHECK, &snap);
        assert_eq!(f[0].status, Status::Fail);
        let remote = named("desktop-default", |s| s.endpoint.local = false);
        assert_eq!(
            findings(&enhanced_container_isolation_off::CHECK, &remote)[0].status,
            Status::NotApplicable
        );
    }

    #[test]
    fn managed_files_must_be_root_owned() {
        let file = |uid, group: &str, mode| FileFacts {
            path: "/usr/share/docker-desktop/admin-settings.json".to_owned(),
            uid,
            gid: 0,
            owner: None,
            group: Some(group.to_owned()),
            mode,
        };
        assert_eq!(user_writable(&file(0, "root", 0o644)), None);
        assert_eq!(user_writable(&file(0, "admin", 0o664)), None);
        assert!(user_writable(&file(1000, "alice", 0o644)).is_some_and(|r| r.contains("not root")));
        assert!(user_writable(&file(0, "root", 0o666)).is_some_and(|r| r.contains("every local user")));
        assert!(user_writable(&file(0, "staff", 0o664)).is_some_and(|r| r.contains("`staff`")));
    }
}
