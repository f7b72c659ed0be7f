//! Docker Desktop's settings files: the user's `settings-store.json` (or the legacy
//! `settings.json`), the administrator's `admin-settings.json` (Settings Management) and the
//! sign-in enforcement sources (`registry.json`, the macOS plists, the Windows policy key).
//!
//! Docker Desktop runs its daemon in a VM, so nothing in the host's process table shows how it is
//! configured: these files are the evidence. The user file's keys are PascalCase and undocumented
//! (`EnhancedContainerIsolation`); legacy `settings.json` used camelCase, so user keys are matched
//! case-insensitively. `admin-settings.json` keys are camelCase objects `{"locked": …, "value": …}`,
//! some grouped under one lock (`scout`, `enhancedContainerIsolation.dockerSocketMount`).
//!
//! Only the named security settings are read. Proxy settings (which may carry credentials) and
//! everything else are never kept.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::accounts::Accounts;
use super::files::file_facts;
use super::{io_reason, json_reason};
use crate::snapshot::{
    AdminSettingsFile, DesktopSetting, DesktopSettings, Fact, FileSharing, SignInEnforcement,
};

/// The operating systems Docker Desktop runs on; each keeps its files elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DesktopOs {
    Linux,
    MacOs,
    Windows,
}

impl DesktopOs {
    /// The OS this build runs on.
    fn current() -> Self {
        if cfg!(target_os = "macos") {
            DesktopOs::MacOs
        } else if cfg!(windows) {
            DesktopOs::Windows
        } else {
            DesktopOs::Linux
        }
    }
}

/// Where Docker Desktop's files are on one machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Paths {
    /// The user's settings files, newest name first (`settings-store.json`, then `settings.json`).
    pub user: Vec<PathBuf>,
    /// `admin-settings.json`.
    pub admin: PathBuf,
    /// `registry.json`.
    pub registry: PathBuf,
    /// macOS plists that may carry `allowedOrgs`, in Docker Desktop's precedence order.
    pub plists: Vec<PathBuf>,
    /// The user's home, to tell whether file sharing exposes it.
    pub home: Option<PathBuf>,
}

impl Paths {
    /// The paths for this machine, from the home and (on Windows) `%APPDATA%` / `%ProgramData%`.
    pub fn current(home: Option<PathBuf>) -> Self {
        let appdata = std::env::var_os("APPDATA").map(PathBuf::from);
        let program_data = std::env::var_os("ProgramData").map(PathBuf::from);
        Self::for_os(DesktopOs::current(), home, appdata, program_data)
    }

    /// The documented locations on `os`.
    pub fn for_os(
        os: DesktopOs,
        home: Option<PathBuf>,
        appdata: Option<PathBuf>,
        program_data: Option<PathBuf>,
    ) -> Self {
        let user_dir = match os {
            DesktopOs::Linux => home.as_ref().map(|h| h.join(".docker/desktop")),
            DesktopOs::MacOs => home.as_ref().map(|h| h.join("Library/Group Containers/group.com.docker")),
            DesktopOs::Windows => appdata
                .or_else(|| home.as_ref().map(|h| h.join("AppData").join("Roaming")))
                .map(|a| a.join("Docker")),
        };
        let user = user_dir
            .map(|d| vec![d.join("settings-store.json"), d.join("settings.json")])
            .unwrap_or_default();
        let mac_support = PathBuf::from("/Library/Application Support/com.docker.docker");
        let (admin, registry, plists) = match os {
            DesktopOs::Linux => (
                PathBuf::from("/usr/share/docker-desktop/admin-settings.json"),
                PathBuf::from("/usr/share/docker-desktop/registry/registry.json"),
                Vec::new(),
            ),
            DesktopOs::MacOs => (
                mac_support.join("admin-settings.json"),
                mac_support.join("registry.json"),
                // Configuration profiles (MDM) land in Managed Preferences and take precedence
                // over the hand-written desktop.plist.
                vec![
                    PathBuf::from("/Library/Managed Preferences/com.docker.config.plist"),
                    mac_support.join("desktop.plist"),
                ],
            ),
            DesktopOs::Windows => {
                let data =
                    program_data.unwrap_or_else(|| PathBuf::from(r"C:\ProgramData")).join("DockerDesktop");
                (data.join("admin-settings.json"), data.join("registry.json"), Vec::new())
            }
        };
        Paths { user, admin, registry, plists, home }
    }
}

/// Docker Desktop's settings; `None` when none of its files exists (the normal case on a server).
pub(super) fn probe(paths: &Paths, accounts: &Accounts) -> Fact<Option<DesktopSettings>> {
    read_all(paths, accounts, policy_key_sign_in()).into()
}

/// Reads and interprets every file; `policy_key` is the Windows policy registry key's sign-in
/// enforcement, which takes precedence over every file.
fn read_all(
    paths: &Paths,
    accounts: &Accounts,
    policy_key: Option<SignInEnforcement>,
) -> Result<Option<DesktopSettings>, String> {
    let mut user = None;
    for path in &paths.user {
        if let Some(text) = read_optional(path)? {
            user = Some((path.clone(), parse_object(&text, path)?));
            break;
        }
    }
    let admin = match read_optional(&paths.admin)? {
        Some(text) => Some(parse_object(&text, &paths.admin)?),
        None => None,
    };
    let sign_in = match policy_key {
        Some(key) => Some(key),
        None => sign_in_from_files(paths, accounts)?,
    };
    if user.is_none() && admin.is_none() && sign_in.is_none() {
        return Ok(None);
    }

    let user_map = user.as_ref().map(|(_, m)| m);
    let admin_map = admin.as_ref();
    let bools = |user_key: Option<&str>, admin_path: &[&str]| {
        setting(user_map, user_key, admin_map, admin_path, as_bool)
    };
    let admin_settings = admin.as_ref().map(|m| AdminSettingsFile {
        path: paths.admin.display().to_string(),
        file: file_facts(&paths.admin, accounts).ok(),
        configuration_file_version: m.get("configurationFileVersion").and_then(Value::as_u64),
    });
    Ok(Some(DesktopSettings {
        settings_file: user.as_ref().map(|(p, _)| p.display().to_string()),
        admin_settings,
        sign_in,
        enhanced_container_isolation: bools(
            Some("EnhancedContainerIsolation"),
            &["enhancedContainerIsolation"],
        ),
        eci_docker_socket_images: setting(
            user_map,
            Some("ECIDockerSocketImgList"),
            admin_map,
            &["enhancedContainerIsolation", "dockerSocketMount", "imageList", "images"],
            as_strings,
        ),
        expose_docker_api_on_tcp_2375: bools(Some("ExposeDockerAPIOnTCP2375"), &["exposeDockerAPIOnTCP2375"]),
        disable_update: bools(Some("DisableUpdate"), &["disableUpdate"]),
        auto_download_updates: bools(Some("AutoDownloadUpdates"), &[]),
        allow_beta_features: bools(Some("AllowBetaFeatures"), &["allowBetaFeatures"]),
        allow_experimental_features: bools(Some("AllowExperimentalFeatures"), &["allowExperimentalFeatures"]),
        enable_default_docker_socket: bools(Some("EnableDefaultDockerSocket"), &[]),
        block_docker_load: bools(Some("BlockDockerLoad"), &["blockDockerLoad"]),
        sbom_indexing: bools(Some("SbomIndexing"), &["scout", "sbomIndexing"]),
        use_background_indexing: bools(Some("UseBackgroundIndexing"), &["scout", "useBackgroundIndexing"]),
        extensions_enabled: bools(Some("ExtensionsEnabled"), &["extensionsEnabled"]),
        only_marketplace_extensions: bools(Some("OnlyMarketplaceExtensions"), &["onlyMarketplaceExtensions"]),
        extensions_private_marketplace: bools(None, &["extensionsPrivateMarketplace"]),
        wsl_engine_enabled: bools(Some("WslEngineEnabled"), &["linuxVM", "wslEngineEnabled"]),
        file_sharing: file_sharing(user_map, admin_map, paths.home.as_deref()),
    }))
}

/// The text of a file; `None` when it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_reason(path, &e)),
    }
}

/// A JSON object; an empty file is an empty object. A byte-order mark is tolerated.
fn parse_object(text: &str, path: &Path) -> Result<Map<String, Value>, String> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("{} is not a JSON object: Docker Desktop cannot use it either", path.display())),
        Err(e) => Err(format!("{}: Docker Desktop cannot use it either", json_reason(path, &e))),
    }
}

/// A setting from both files: the user file's `user_key` (case-insensitive) and the
/// admin file's value at `admin_path`, locked when any object on the way says `"locked": true`.
fn setting<T>(
    user: Option<&Map<String, Value>>,
    user_key: Option<&str>,
    admin: Option<&Map<String, Value>>,
    admin_path: &[&str],
    convert: fn(&Value) -> Option<T>,
) -> DesktopSetting<T> {
    let user_value = user.zip(user_key).and_then(|(map, key)| user_entry(map, key)).and_then(convert);
    let (admin_value, locked) = admin.map_or((None, false), |map| admin_entry(map, admin_path));
    DesktopSetting { user: user_value, admin: admin_value.and_then(convert), locked }
}

/// A user setting, matched case-insensitively; a `{"value": …}` object is unwrapped.
fn user_entry<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    let value = map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)?;
    unwrap_value(value)
}

/// The value at `path` in admin-settings.json and whether it is locked.
fn admin_entry<'a>(map: &'a Map<String, Value>, path: &[&str]) -> (Option<&'a Value>, bool) {
    let mut locked = false;
    let mut current = map;
    for (i, key) in path.iter().enumerate() {
        let Some(value) = current.get(*key) else { return (None, false) };
        if let Value::Object(object) = value {
            locked |= object.get("locked").and_then(Value::as_bool).unwrap_or(false);
        }
        if i + 1 == path.len() {
            return (unwrap_value(value), locked);
        }
        let Value::Object(next) = value else { return (None, false) };
        current = next;
    }
    (None, false)
}

/// `{"value": v, …}` → `v`; any other value as is.
fn unwrap_value(value: &Value) -> Option<&Value> {
    match value {
        Value::Object(object) if object.contains_key("value") => object.get("value"),
        Value::Null => None,
        other => Some(other),
    }
}

fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn as_strings(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|item| match item {
                    Value::String(s) => Some(s.clone()),
                    // filesharingAllowedDirectories entries are {"path": …, "sharedByDefault": …}.
                    Value::Object(o) => o.get("path").and_then(Value::as_str).map(str::to_owned),
                    _ => None,
                })
                .collect(),
        ),
        Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

/// File sharing: the user's directories, the broad ones among them, and the admin allowlist.
fn file_sharing(
    user: Option<&Map<String, Value>>,
    admin: Option<&Map<String, Value>>,
    home: Option<&Path>,
) -> FileSharing {
    let directories = user.and_then(|m| user_entry(m, "FilesharingDirectories")).and_then(as_strings);
    let broad = directories.iter().flatten().filter(|d| is_broad(d, home)).cloned().collect();
    let admin_allowed =
        admin.and_then(|m| admin_entry(m, &["filesharingAllowedDirectories"]).0).and_then(as_strings);
    FileSharing { directories, broad, admin_allowed }
}

/// Whether sharing `dir` exposes a whole disk or the user's home.
fn is_broad(dir: &str, home: Option<&Path>) -> bool {
    let dir = normalise(dir);
    if dir.is_empty() || (dir.len() == 2 && dir.ends_with(':')) || dir == "$home" {
        return true;
    }
    home.map(|h| normalise(&h.display().to_string()))
        .is_some_and(|home| home == dir || home.starts_with(&format!("{dir}/")))
}

/// Lower-case, forward slashes, no trailing slash: `C:\Users\` → `c:/users`, `/` → ``.
fn normalise(path: &str) -> String {
    path.replace('\\', "/").trim_end_matches('/').to_lowercase()
}

/// Sign-in enforcement from the macOS plists, then `registry.json`.
fn sign_in_from_files(paths: &Paths, accounts: &Accounts) -> Result<Option<SignInEnforcement>, String> {
    for plist in &paths.plists {
        let bytes = match std::fs::read(plist) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_reason(plist, &e)),
        };
        if let Some(orgs) = plist_allowed_orgs(&bytes) {
            return Ok(Some(SignInEnforcement {
                source: plist.display().to_string(),
                file: file_facts(plist, accounts).ok(),
                allowed_orgs: orgs,
            }));
        }
    }
    let Some(text) = read_optional(&paths.registry)? else { return Ok(None) };
    let map = parse_object(&text, &paths.registry)?;
    let orgs = map.get("allowedOrgs").and_then(as_strings).unwrap_or_default();
    Ok(Some(SignInEnforcement {
        source: paths.registry.display().to_string(),
        file: file_facts(&paths.registry, accounts).ok(),
        allowed_orgs: Some(orgs.into_iter().filter(|o| !o.trim().is_empty()).collect()),
    }))
}

/// `allowedOrgs` of a plist: `None` when the plist does not mention it; `Some(None)` when it does
/// but is binary (`defaults write` output), which this reader does not decode.
fn plist_allowed_orgs(bytes: &[u8]) -> Option<Option<Vec<String>>> {
    const KEY: &str = "allowedOrgs";
    if bytes.starts_with(b"bplist") {
        return bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()).then_some(None);
    }
    let text = String::from_utf8_lossy(bytes);
    let after = text.split_once(&format!("<key>{KEY}</key>"))?.1.trim_start();
    let strings = |s: &str| -> Vec<String> {
        s.split("<string>")
            .skip(1)
            .filter_map(|part| part.split_once("</string>").map(|(value, _)| value.trim().to_owned()))
            .collect()
    };
    let orgs: Vec<String> = if let Some(array) = after.strip_prefix("<array>") {
        strings(array.split_once("</array>").map_or(array, |(inside, _)| inside))
    } else if after.starts_with("<string>") {
        // Configuration profiles give one string, organisations separated by semicolons.
        strings(after)
            .into_iter()
            .take(1)
            .flat_map(|s| s.split(';').map(str::to_owned).collect::<Vec<_>>())
            .collect()
    } else {
        Vec::new()
    };
    Some(Some(orgs.into_iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect()))
}

/// The Windows policy key `HKLM\SOFTWARE\Policies\Docker\Docker Desktop` `allowedOrgs`, which
/// takes precedence over every file.
#[cfg(windows)]
fn policy_key_sign_in() -> Option<SignInEnforcement> {
    let output = std::process::Command::new("reg")
        .args(["query", POLICY_KEY, "/v", "allowedOrgs"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    parse_reg_query(&String::from_utf8_lossy(&output.stdout))
}

/// No policy registry outside Windows.
#[cfg(not(windows))]
fn policy_key_sign_in() -> Option<SignInEnforcement> {
    None
}

#[cfg(any(windows, test))]
const POLICY_KEY: &str = r"HKLM\SOFTWARE\Policies\Docker\Docker Desktop";

/// `reg query … /v allowedOrgs` output: `    allowedOrgs    REG_MULTI_SZ    org1\0org2`.
#[cfg(any(windows, test))]
fn parse_reg_query(text: &str) -> Option<SignInEnforcement> {
    let line = text.lines().find(|l| l.trim_start().starts_with("allowedOrgs"))?;
    let (_, data) = line.split_once("REG_")?;
    let data = data.split_once(char::is_whitespace).map_or("", |(_, d)| d).trim();
    let orgs = data.split("\\0").map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned).collect();
    Some(SignInEnforcement {
        source: format!(r"{POLICY_KEY}\allowedOrgs"),
        file: None,
        allowed_orgs: Some(orgs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::host::testing::TempDir;
    use crate::snapshot::DesktopSource;

    fn no_accounts() -> Accounts {
        Accounts { users: Ok(vec![]), groups: Ok(vec![]) }
    }

    /// Linux-style paths rooted in a temp dir, home `<dir>/home/alice`.
    fn paths_in(dir: &TempDir) -> Paths {
        let home = dir.path().join("home/alice");
        Paths {
            user: vec![
                home.join(".docker/desktop/settings-store.json"),
                home.join(".docker/desktop/settings.json"),
            ],
            admin: dir.path().join("usr/share/docker-desktop/admin-settings.json"),
            registry: dir.path().join("usr/share/docker-desktop/registry/registry.json"),
            plists: vec![dir.path().join("Library/Application Support/com.docker.docker/desktop.plist")],
            home: Some(home),
        }
    }

    fn read(dir: &TempDir) -> Result<Option<DesktopSettings>, String> {
        read_all(&paths_in(dir), &no_accounts(), None)
    }

    #[test]
    fn documented_locations_per_os() {
        let home = Some(PathBuf::from("/home/alice"));
        let linux = Paths::for_os(DesktopOs::Linux, home, None, None);
        assert_eq!(linux.user[0], PathBuf::from("/home/alice/.docker/desktop/settings-store.json"));
        assert_eq!(linux.user[1], PathBuf::from("/home/alice/.docker/desktop/settings.json"));
        assert_eq!(linux.admin, PathBuf::from("/usr/share/docker-desktop/admin-settings.json"));
        assert_eq!(linux.registry, PathBuf::from("/usr/share/docker-desktop/registry/registry.json"));

        let mac = Paths::for_os(DesktopOs::MacOs, Some("/Users/alice".into()), None, None);
        assert_eq!(
            mac.user[0],
            PathBuf::from("/Users/alice/Library/Group Containers/group.com.docker/settings-store.json")
        );
        assert_eq!(
            mac.admin,
            PathBuf::from("/Library/Application Support/com.docker.docker/admin-settings.json")
        );
        assert_eq!(
            mac.registry,
            PathBuf::from("/Library/Application Support/com.docker.docker/registry.json")
        );
        assert_eq!(mac.plists.len(), 2);

        let windows = Paths::for_os(
            DesktopOs::Windows,
            None,
            Some(PathBuf::from("C:/Users/alice/AppData/Roaming")),
            Some(PathBuf::from("C:/ProgramData")),
        );
        assert_eq!(
            windows.user[0],
            PathBuf::from("C:/Users/alice/AppData/Roaming/Docker/settings-store.json")
        );
        assert_eq!(windows.admin, PathBuf::from("C:/ProgramData/DockerDesktop/admin-settings.json"));
        assert_eq!(windows.registry, PathBuf::from("C:/ProgramData/DockerDesktop/registry.json"));
    }

    #[test]
    fn no_file_means_not_installed() {
        let dir = TempDir::new();
        assert_eq!(read(&dir), Ok(None));
        let fact = probe(&paths_in(&dir), &no_accounts());
        assert_eq!(fact, Fact::available(None));
    }

    #[test]
    fn user_settings_are_read_with_pascal_case_keys() {
        let dir = TempDir::new();
        let home = dir.path().join("home/alice").display().to_string();
        let text = r#"{
                "EnhancedContainerIsolation": false,
                "ExposeDockerAPIOnTCP2375": true,
                "DisableUpdate": false,
                "AutoDownloadUpdates": true,
                "AllowBetaFeatures": true,
                "EnableDefaultDockerSocket": true,
                "SbomIndexing": true,
                "UseBackgroundIndexing": false,
                "ExtensionsEnabled": true,
                "OnlyMarketplaceExtensions": false,
                "FilesharingDirectories": ["HOME", "/srv/project"],
                "ProxyHTTPMode": "manual",
                "OverrideProxyHTTP": "http://bob:hunter2@proxy:3128",
                "SettingsVersion": 40
            }"#
        .replace("HOME", &home);
        dir.write("home/alice/.docker/desktop/settings-store.json", &text);
        let s = read(&dir).expect("parses").expect("installed");
        assert!(s.settings_file.as_deref().is_some_and(|p| p.ends_with("settings-store.json")));
        assert_eq!(
            s.enhanced_container_isolation,
            DesktopSetting { user: Some(false), admin: None, locked: false }
        );
        assert_eq!(s.expose_docker_api_on_tcp_2375.user, Some(true));
        assert_eq!(s.auto_download_updates.user, Some(true));
        assert_eq!(s.allow_beta_features.user, Some(true));
        assert_eq!(s.allow_experimental_features.user, None);
        assert_eq!(s.use_background_indexing.user, Some(false));
        assert_eq!(s.only_marketplace_extensions.user, Some(false));
        assert_eq!(s.file_sharing.directories, Some(vec![home.clone(), "/srv/project".to_owned()]));
        assert_eq!(s.file_sharing.broad, [home]);
        assert!(s.admin_settings.is_none() && s.sign_in.is_none());
        let shown = serde_json::to_string(&s).expect("serialise");
        assert!(!shown.contains("hunter2") && !shown.contains("proxy"), "{shown}");
    }

    #[test]
    fn legacy_settings_json_with_camel_case_keys() {
        let dir = TempDir::new();
        dir.write(
            "home/alice/.docker/desktop/settings.json",
            r#"{"enhancedContainerIsolation": true, "filesharingDirectories": ["/"]}"#,
        );
        let s = read(&dir).expect("parses").expect("installed");
        assert!(s.settings_file.as_deref().is_some_and(|p| p.ends_with("/settings.json")));
        assert_eq!(s.enhanced_container_isolation.user, Some(true));
        assert_eq!(s.file_sharing.broad, ["/"]);
    }

    #[test]
    fn admin_settings_values_and_locks() {
        let dir = TempDir::new();
        dir.write(
            "usr/share/docker-desktop/admin-settings.json",
            r#"{
                "configurationFileVersion": 2,
                "exposeDockerAPIOnTCP2375": {"locked": true, "value": false},
                "proxy": {"locked": true, "mode": "manual", "http": "http://u:secret@proxy:8080"},
                "enhancedContainerIsolation": {
                    "locked": true, "value": true,
                    "dockerSocketMount": {"imageList": {"images": ["docker.io/testcontainers/ryuk:*"]}}
                },
                "linuxVM": {"wslEngineEnabled": {"locked": false, "value": true}},
                "disableUpdate": {"locked": false, "value": false},
                "extensionsEnabled": {"locked": true, "value": false},
                "scout": {"locked": true, "sbomIndexing": true, "useBackgroundIndexing": true},
                "allowBetaFeatures": {"locked": false, "value": false},
                "blockDockerLoad": {"locked": false, "value": true},
                "filesharingAllowedDirectories": [
                    {"path": "$HOME", "sharedByDefault": true},
                    {"path": "$TMP", "sharedByDefault": false}
                ]
            }"#,
        );
        dir.write(
            "home/alice/.docker/desktop/settings-store.json",
            r#"{"EnhancedContainerIsolation": false}"#,
        );
        let s = read(&dir).expect("parses").expect("installed");
        let admin = s.admin_settings.as_ref().expect("admin file");
        assert_eq!(admin.configuration_file_version, Some(2));
        assert!(admin.file.is_some() || cfg!(not(unix)));
        let eci = &s.enhanced_container_isolation;
        assert_eq!((eci.user, eci.admin, eci.locked), (Some(false), Some(true), true));
        assert_eq!(eci.effective(Some(false)), Some((true, DesktopSource::AdminLocked)));
        assert_eq!(
            s.eci_docker_socket_images,
            DesktopSetting {
                user: None,
                admin: Some(vec!["docker.io/testcontainers/ryuk:*".to_owned()]),
                locked: true
            }
        );
        assert_eq!(
            s.expose_docker_api_on_tcp_2375.effective(None),
            Some((false, DesktopSource::AdminLocked))
        );
        assert_eq!(s.disable_update.effective(Some(false)), Some((false, DesktopSource::AdminDefault)));
        assert!(!s.disable_update.is_locked());
        assert_eq!((s.sbom_indexing.admin, s.sbom_indexing.locked), (Some(true), true));
        assert_eq!((s.wsl_engine_enabled.admin, s.wsl_engine_enabled.locked), (Some(true), false));
        assert_eq!(s.extensions_enabled.effective(None), Some((false, DesktopSource::AdminLocked)));
        assert_eq!(s.file_sharing.admin_allowed, Some(vec!["$HOME".to_owned(), "$TMP".to_owned()]));
        let shown = serde_json::to_string(&s).expect("serialise");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn registry_json_names_the_allowed_orgs() {
        let dir = TempDir::new();
        dir.write(
            "usr/share/docker-desktop/registry/registry.json",
            "\u{feff}{\"allowedOrgs\": [\"acme\", \"\"]}",
        );
        let s = read(&dir).expect("parses").expect("sign-in enforcement alone means Desktop is managed");
        let sign_in = s.sign_in.expect("registry.json");
        assert!(sign_in.source.ends_with("registry/registry.json"));
        assert_eq!(sign_in.allowed_orgs, Some(vec!["acme".to_owned()]));
        assert!(s.settings_file.is_none());

        dir.write("usr/share/docker-desktop/registry/registry.json", "{}");
        let s = read(&dir).expect("parses").expect("installed");
        assert_eq!(s.sign_in.and_then(|i| i.allowed_orgs), Some(Vec::new()));
    }

    #[test]
    fn plists_carry_allowed_orgs() {
        let xml_array = b"<plist><dict><key>allowedOrgs</key>\n  <array><string>org1</string><string>org2</string></array></dict></plist>";
        assert_eq!(plist_allowed_orgs(xml_array), Some(Some(vec!["org1".to_owned(), "org2".to_owned()])));
        let profile = b"<dict><key>PayloadType</key><string>com.docker.config</string><key>allowedOrgs</key><string>first_org;second_org</string></dict>";
        assert_eq!(
            plist_allowed_orgs(profile),
            Some(Some(vec!["first_org".to_owned(), "second_org".to_owned()]))
        );
        assert_eq!(plist_allowed_orgs(b"bplist00\x01allowedOrgs\x02"), Some(None));
        assert_eq!(plist_allowed_orgs(b"bplist00 nothing"), None);
        assert_eq!(plist_allowed_orgs(b"<plist><dict></dict></plist>"), None);

        let dir = TempDir::new();
        dir.write(
            "Library/Application Support/com.docker.docker/desktop.plist",
            std::str::from_utf8(xml_array).expect("utf8"),
        );
        dir.write("usr/share/docker-desktop/registry/registry.json", r#"{"allowedOrgs": ["other"]}"#);
        let s = read(&dir).expect("parses").expect("installed");
        let sign_in = s.sign_in.expect("plist");
        assert!(sign_in.source.ends_with("desktop.plist"), "the plist takes precedence: {}", sign_in.source);
        assert_eq!(sign_in.allowed_orgs, Some(vec!["org1".to_owned(), "org2".to_owned()]));
    }

    #[test]
    fn the_policy_key_wins() {
        let out = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Docker\\Docker Desktop\r\n    allowedOrgs    REG_MULTI_SZ    acme\\0acme-dev\r\n\r\n";
        let key = parse_reg_query(out).expect("parsed");
        assert_eq!(key.allowed_orgs, Some(vec!["acme".to_owned(), "acme-dev".to_owned()]));
        assert!(key.source.ends_with(r"Docker Desktop\allowedOrgs"));
        assert!(parse_reg_query("ERROR: The system was unable to find the specified registry key").is_none());

        let dir = TempDir::new();
        dir.write("usr/share/docker-desktop/registry/registry.json", r#"{"allowedOrgs": ["other"]}"#);
        let s = read_all(&paths_in(&dir), &no_accounts(), Some(key)).expect("parses").expect("installed");
        assert_eq!(
            s.sign_in.and_then(|i| i.allowed_orgs),
            Some(vec!["acme".to_owned(), "acme-dev".to_owned()])
        );
    }

    #[test]
    fn malformed_json_names_the_file_and_position() {
        let dir = TempDir::new();
        let path = dir.write(
            "usr/share/docker-desktop/admin-settings.json",
            "{\n  \"disableUpdate\": {\"value\": true,\n}\n",
        );
        let fact = probe(&paths_in(&dir), &no_accounts());
        let reason = fact.get().expect_err("malformed");
        assert_eq!(
            reason,
            format!(
                "{} is not valid JSON (line 3, column 1): Docker Desktop cannot use it either",
                path.display()
            )
        );
        dir.write("usr/share/docker-desktop/admin-settings.json", "[true]");
        let reason = read(&dir).expect_err("not an object");
        assert!(reason.contains("is not a JSON object"), "{reason}");
    }

    #[test]
    fn broad_shares_are_the_disk_or_the_home() {
        let home = Path::new("/Users/alice");
        for dir in ["/", "/Users", "/users/", "/Users/alice", "$HOME"] {
            assert!(is_broad(dir, Some(home)), "{dir}");
        }
        for dir in ["/Volumes", "/private", "/tmp", "/Users/alice/src", "/Users/al"] {
            assert!(!is_broad(dir, Some(home)), "{dir}");
        }
        assert!(is_broad(r"C:\", None) && is_broad("c:", None));
        assert!(is_broad(r"C:\Users", Some(Path::new(r"C:\Users\alice"))));
        assert!(!is_broad(r"C:\src", Some(Path::new(r"C:\Users\alice"))));
    }

    #[test]
    fn effective_value_precedence() {
        let unlocked = DesktopSetting { user: Some(true), admin: Some(false), locked: false };
        assert_eq!(unlocked.effective(Some(false)), Some((true, DesktopSource::User)));
        let locked = DesktopSetting { locked: true, ..unlocked.clone() };
        assert_eq!(locked.effective(Some(false)), Some((false, DesktopSource::AdminLocked)));
        let absent: DesktopSetting<bool> = DesktopSetting::default();
        assert_eq!(absent.effective(Some(false)), Some((false, DesktopSource::Default)));
        assert_eq!(absent.effective(None), None);
        let lock_without_value = DesktopSetting { user: Some(true), admin: None, locked: true };
        assert!(!lock_without_value.is_locked());
        assert_eq!(lock_without_value.effective(None), Some((true, DesktopSource::User)));
    }
}
