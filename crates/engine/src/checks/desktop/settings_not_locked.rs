//! DSK003 settings-not-locked.

use serde_json::{Map, Value};

use crate::checks::prelude::*;
use crate::snapshot::{DesktopSetting, DesktopSettings};

use super::{admin_settings_fix, admin_settings_path, in_scope, locked, protect_file_fix, user_writable};

/// A security setting Settings Management must lock: its admin key, the setting, and the value
/// the fix locks it to.
struct Required<'a> {
    key: &'static str,
    setting: &'a DesktopSetting<bool>,
    safe: bool,
}

/// The settings that decide Docker Desktop's isolation and currency. The TCP listener exists on
/// Windows only, so it is required there (or wherever a file mentions it).
fn required<'a>(snap: &Snapshot, d: &'a DesktopSettings) -> Vec<Required<'a>> {
    let mut keys = vec![
        Required { key: "enhancedContainerIsolation", setting: &d.enhanced_container_isolation, safe: true },
        Required { key: "disableUpdate", setting: &d.disable_update, safe: false },
    ];
    let expose = &d.expose_docker_api_on_tcp_2375;
    let windows = snap.host.os.ok().is_some_and(|o| o.family == "windows");
    if windows || expose.admin.is_some() || expose.user == Some(true) {
        keys.push(Required { key: "exposeDockerAPIOnTCP2375", setting: expose, safe: false });
    }
    keys
}

fn lock_fix(snap: &Snapshot, d: &DesktopSettings, keys: &[&Required]) -> crate::report::Snippet {
    let mut fragment = Map::new();
    for r in keys {
        // disableUpdate is locked to false (updates on); an organisation that ships vetted versions
        // itself locks it to true instead, which DSK004 accepts.
        fragment.insert(r.key.to_owned(), locked(Value::Bool(r.safe)));
    }
    admin_settings_fix(snap, d, fragment)
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let (target, d) = match in_scope(snap) {
        Ok(found) => found,
        Err(na) => return vec![*na],
    };
    let required = required(snap, d);
    let names: Vec<&str> = required.iter().map(|r| r.key).collect();
    let Some(admin) = &d.admin_settings else {
        let path = admin_settings_path(snap, d);
        return vec![
            Finding::fail(
                target,
                format!(
                    "Docker Desktop's settings are not centrally managed: there is no {path}, so the user can turn \
                     off isolation, expose the API or stop updates (a Settings Management policy pushed from the \
                     Docker Admin Console is not visible to this scan: waive this check if you use one)"
                ),
            )
            .evidence("admin-settings.json", "absent", format!("{path}, locking {}", names.join(", ")))
            .fixes([lock_fix(snap, d, &required.iter().collect::<Vec<_>>())]),
        ];
    };

    let mut finding_evidence = Vec::new();
    let mut unlocked = Vec::new();
    for r in &required {
        let observed = match (r.setting.admin, r.setting.is_locked()) {
            (Some(v), true) => format!("locked: {v}"),
            (Some(v), false) => format!("not locked: {v}"),
            (None, _) => "absent".to_owned(),
        };
        if !r.setting.is_locked() {
            unlocked.push(r);
        }
        finding_evidence.push((format!("{}: {}", admin.path, r.key), observed, "locked"));
    }
    let version = admin.configuration_file_version.map_or_else(|| "absent".to_owned(), |v| v.to_string());
    finding_evidence.push((format!("{}: configurationFileVersion", admin.path), version, "2"));
    let writable = admin.file.as_ref().and_then(|f| user_writable(f).map(|why| (f, why)));
    if let Some((file, _)) = writable {
        finding_evidence.push((
            format!("stat {}", admin.path),
            format!("{} {}", file.mode_octal(), file.ownership()),
            "644 root-owned",
        ));
    }

    let mut problems = Vec::new();
    if !unlocked.is_empty() {
        let keys: Vec<String> = unlocked.iter().map(|r| format!("`{}`", r.key)).collect();
        problems.push(format!("it does not lock {}", keys.join(", ")));
    }
    if let Some((_, why)) = &writable {
        problems.push(format!("the file is {why}, so the user can lift its locks"));
    }
    let mut finding = if problems.is_empty() {
        Finding::pass(target, format!("{} locks {}", admin.path, names.join(", ")))
    } else {
        Finding::warn(target, format!("{} exists but {}", admin.path, problems.join("; ")))
    };
    for (field, observed, expected) in finding_evidence {
        finding = finding.evidence(field, observed, expected);
    }
    if !unlocked.is_empty() {
        finding = finding.fixes([lock_fix(snap, d, &unlocked)]);
    }
    if let Some((file, _)) = writable {
        finding = finding.fixes([protect_file_fix(snap, file)]);
    }
    vec![finding]
}

crate::declare_check! {
    /// Docker Desktop's security settings are not locked by Settings Management.
    ///
    /// ## Rationale
    /// Every Docker Desktop protection this catalogue checks — Enhanced Container Isolation, the
    /// closed TCP API, update checks — is a checkbox the user (or malware running as the user) can
    /// clear. Settings Management (`admin-settings.json`, Docker Business) sets them for every user
    /// of the machine and, with `"locked": true`, greys them out so they cannot be changed in the
    /// UI, the CLI or the settings file. Zero Trust policy is enforced by the organisation, not left
    /// to each session. A lock in a file the user can edit is no lock.
    ///
    /// ## Evidence
    /// `admin-settings.json` (Linux `/usr/share/docker-desktop/`, macOS `/Library/Application
    /// Support/com.docker.docker/`, Windows `C:\ProgramData\DockerDesktop\`): whether it exists, its
    /// `configurationFileVersion`, whether `enhancedContainerIsolation` and `disableUpdate` (and on
    /// Windows `exposeDockerAPIOnTCP2375`) carry `"locked": true`, and its owner and mode (unix).
    /// A policy set in the Docker Admin Console instead leaves nothing this scan can read.
    ///
    /// ## Remediation
    /// Create `admin-settings.json` as an administrator (or deploy it with MDM), root-owned, mode
    /// 0644, with `"configurationFileVersion": 2` and `{"locked": true, "value": …}` for each key;
    /// or define a Settings Management policy in the Admin Console. Users must fully quit and
    /// relaunch Docker Desktop and sign in to the organisation for it to apply.
    pub(crate) static CHECK = {
        code: "DSK003",
        slug: "settings-not-locked",
        title: "Docker Desktop security settings not locked by Settings Management",
        category: Desktop,
        severity: Medium,
        target: Host,
        references: [
            Reference::Nist("tenet 4: access determined by dynamic policy"),
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Zero Trust: Authentication and authorization"),
            Reference::Seed("Zero Trust: Principle of least privilege"),
            Reference::Url(
                "https://docs.docker.com/enterprise/security/hardened-desktop/settings-management/configure-json-file/"
            ),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DSK003` selects its tests")]
mod DSK003 {
    use super::*;
    use crate::checks::testing::{findings, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "desktop-default", []);

    #[test]
    fn no_admin_settings_fails() {
        let f = findings(&CHECK, &named("desktop-default", |_| {}));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert!(
            f[0].message.contains("no /usr/share/docker-desktop/admin-settings.json"),
            "{}",
            f[0].message
        );
        let fragment: Value = serde_json::from_str(&f[0].remediation[0].code).expect("json");
        assert_eq!(
            fragment["enhancedContainerIsolation"],
            serde_json::json!({"locked": true, "value": true})
        );
        assert_eq!(fragment["disableUpdate"], serde_json::json!({"locked": true, "value": false}));
        assert!(fragment.get("exposeDockerAPIOnTCP2375").is_none(), "Windows only");
    }

    #[test]
    fn locked_root_owned_file_passes() {
        let f = findings(&CHECK, &named("desktop-hardened", |_| {}));
        assert_eq!(f[0].status, Status::Pass, "{}", f[0].message);
        assert!(
            f[0].evidence.iter().any(|e| e.field.ends_with("configurationFileVersion") && e.observed == "2")
        );
    }

    #[test]
    fn unlocked_keys_and_a_writable_file_warn() {
        // Mutation: ECI set but not locked, and the file owned by the user.
        let snap = named("desktop-hardened", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.enhanced_container_isolation.locked = false;
                if let Some(file) = d.admin_settings.as_mut().and_then(|a| a.file.as_mut()) {
                    file.uid = 1000;
                    file.owner = Some("alice".to_owned());
                }
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Warn);
        assert!(f[0].message.contains("does not lock `enhancedContainerIsolation`"), "{}", f[0].message);
        assert!(f[0].message.contains("owned by `alice`"), "{}", f[0].message);
        assert_eq!(f[0].remediation.len(), 2);
        assert!(f[0].remediation[0].label.starts_with("Merge into"), "{}", f[0].remediation[0].label);
        assert!(f[0].remediation[1].code.contains("sudo chown root:root"));
    }

    #[test]
    fn windows_requires_the_tcp_lock_too() {
        let snap = named("desktop-hardened", |s| {
            if let Some(os) = s.host.os.ok_mut() {
                os.family = "windows".to_owned();
            }
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.expose_docker_api_on_tcp_2375 = crate::snapshot::DesktopSetting::default();
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Warn);
        assert!(f[0].message.contains("`exposeDockerAPIOnTCP2375`"), "{}", f[0].message);
    }
}
