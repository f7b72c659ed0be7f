//! Host facts: OS, the user, the Docker socket, daemon configuration, disk encryption, client config,
//! Docker Desktop's settings, audit rules, monitoring agents, Docker's own files.
//!
//! These describe the machine ZeroDock runs on; they apply to the engine only when it is local
//! (see [`super::Snapshot::host_scope`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Fact;

/// Facts about the machine ZeroDock runs on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Host {
    /// Operating system and kernel.
    pub os: Fact<HostOs>,
    /// The user ZeroDock runs as, with its groups.
    pub user: Fact<HostUser>,
    /// The `docker` group and its members (root-equivalent: CIS 1.1.2).
    pub docker_group: Fact<Option<GroupFacts>>,
    /// Owner, group and mode of the Docker socket the endpoint points at.
    pub socket: Fact<FileFacts>,
    /// The daemon configuration file (`/etc/docker/daemon.json`, the `--config-file` dockerd was
    /// given, or Docker Desktop's / rootless `daemon.json`); `None` when there is none.
    pub daemon_json: Fact<Option<DaemonJson>>,
    /// The running `dockerd` serving the endpoint, with its command line; `None` when no such
    /// process is visible on this machine (Docker Desktop VM, remote engine).
    pub dockerd: Fact<Option<DockerdProcess>>,
    /// Storage and encryption of Docker's data-root.
    pub data_root_storage: Fact<StorageFacts>,
    /// Storage and encryption of `/`.
    pub root_storage: Fact<StorageFacts>,
    /// The Docker client configuration (`$DOCKER_CONFIG/config.json`); `None` when there is none.
    pub client_config: Fact<Option<ClientConfig>>,
    /// AppArmor and SELinux state.
    pub lsm: Fact<Lsm>,
    /// Docker Desktop's settings files on this machine; `None` when it is not installed. Snapshots
    /// taken before this fact existed read it as unavailable.
    #[serde(default = "not_collected")]
    pub desktop: Fact<Option<DesktopSettings>>,
    /// The audit daemon and whether its rules watch Docker's files (CIS 1.1.3–1.1.18). Snapshots
    /// taken before this fact existed read it as unavailable.
    #[serde(default = "not_collected")]
    pub audit: Fact<AuditFacts>,
    /// Endpoint monitoring and log-shipping agents seen running (product names, e.g. `Wazuh`);
    /// empty when none was found. Snapshots taken before this fact existed read it as unavailable.
    #[serde(default = "not_collected")]
    pub monitoring_agents: Fact<Vec<String>>,
    /// Docker's own files (systemd units, `/etc/docker`, registry and TLS certificates, environment
    /// files, containerd's socket) that exist here, with the ownership and mode each must have
    /// (CIS 3.1–3.14, 3.19–3.24). Snapshots taken before this fact existed read it as unavailable.
    #[serde(default = "not_collected")]
    pub docker_files: Fact<Vec<DockerFile>>,
    /// The Compose files named by the containers' `com.docker.compose.project.config_files`
    /// labels, read on this machine (read-only) for the line of each service and of each of its
    /// keys, so a fix and a SARIF result can point at the line to edit. Only positions are kept,
    /// never a value (an `environment:` value may be a secret). Left out when no container
    /// names one; snapshots taken before this fact existed read it as not collected.
    #[serde(default = "not_collected", skip_serializing_if = "no_compose_files")]
    pub compose_files: Fact<Vec<ComposeFile>>,
}

/// A Compose file a container's labels name, and where its services are written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ComposeFile {
    /// The absolute path, as resolved from the labels (`working_dir` joined for Compose v1).
    pub path: String,
    /// Each service of the file, by name; unavailable with the reason when the file could not be
    /// read or parsed here (then no line is known, and none is guessed).
    pub services: Fact<BTreeMap<String, ComposeServiceLines>>,
}

/// Where one Compose service and its keys are written (1-based line numbers).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ComposeServiceLines {
    /// The line of the service's name under `services:`.
    pub line: u32,
    /// The line of each key written directly under the service (`privileged`, `pid`, `ports`…).
    pub keys: BTreeMap<String, u32>,
}

/// The value of a fact an older snapshot does not carry.
fn not_collected<T>() -> Fact<T> {
    Fact::unavailable("not collected")
}

// Keeps snapshots of engines without Compose containers byte-identical to before the fact existed.
fn no_compose_files(fact: &Fact<Vec<ComposeFile>>) -> bool {
    matches!(fact, Fact::Available { value } if value.is_empty())
}

/// Operating system and kernel.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct HostOs {
    /// `linux`, `macos`, `windows`.
    pub family: String,
    /// Distribution or product name, e.g. `Debian GNU/Linux`.
    pub name: String,
    /// OS version, e.g. `12`.
    pub version: String,
    /// Kernel version.
    pub kernel: String,
    /// CPU architecture.
    pub arch: String,
    /// Host name.
    pub hostname: String,
}

/// The user ZeroDock runs as.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct HostUser {
    /// Real user id.
    pub uid: u32,
    /// Effective user id.
    pub euid: u32,
    /// User name, when it resolves.
    pub name: Option<String>,
    /// Names of the groups this process runs with (effective supplementary groups).
    pub groups: Vec<String>,
    /// Names of the groups the account is configured with (`getgrouplist`); differs from
    /// `groups` when the user was added to a group but has not logged in again.
    pub configured_groups: Vec<String>,
}

impl HostUser {
    /// Running as root (effective uid 0).
    pub fn is_root(&self) -> bool {
        self.euid == 0
    }

    /// Groups that grant root-equivalent power over the machine (docker, lxd, disk, …), from both
    /// the effective and the configured lists.
    pub fn root_equivalent_groups(&self) -> Vec<&str> {
        const ROOT_EQUIVALENT: [&str; 6] = ["docker", "lxd", "incus-admin", "disk", "libvirt", "root"];
        let mut found: Vec<&str> = self
            .groups
            .iter()
            .chain(&self.configured_groups)
            .map(String::as_str)
            .filter(|g| ROOT_EQUIVALENT.contains(g))
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// A group and its members.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct GroupFacts {
    /// Group name.
    pub name: String,
    /// Group id.
    pub gid: u32,
    /// Member user names (from the group database; users whose primary group it is included).
    pub members: Vec<String>,
}

/// Ownership and permissions of a file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileFacts {
    /// The path examined.
    pub path: String,
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// Owner name, when it resolves.
    pub owner: Option<String>,
    /// Group name, when it resolves.
    pub group: Option<String>,
    /// Permission bits (e.g. `0o660`).
    pub mode: u32,
}

impl FileFacts {
    /// The mode as `ls -l`-style octal text, e.g. `660`.
    pub fn mode_octal(&self) -> String {
        format!("{:o}", self.mode & 0o7777)
    }

    /// `owner:group` as names when they resolve, else numbers.
    pub fn ownership(&self) -> String {
        format!(
            "{}:{}",
            self.owner.clone().unwrap_or_else(|| self.uid.to_string()),
            self.group.clone().unwrap_or_else(|| self.gid.to_string())
        )
    }
}

/// The daemon configuration file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DaemonJson {
    /// Path, ownership and mode.
    pub file: FileFacts,
    /// Its settings. Values under keys that can carry credentials (proxies) are replaced by
    /// `"<redacted>"`.
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// The `dockerd` process serving the endpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DockerdProcess {
    /// Process id.
    pub pid: u32,
    /// Command line (argv), as in `/proc/PID/cmdline`.
    pub args: Vec<String>,
    /// User id it runs as, when visible.
    pub uid: Option<u32>,
}

/// dockerd's boolean flags: a bare `--icc` means true and the next argument is not its value.
const BOOL_FLAGS: [&str; 17] = [
    "icc",
    "live-restore",
    "userland-proxy",
    "no-new-privileges",
    "experimental",
    "tls",
    "tlsverify",
    "iptables",
    "ip6tables",
    "ip-masq",
    "ip-forward",
    "ipv6",
    "selinux-enabled",
    "debug",
    "init",
    "raw-logs",
    "rootless",
];

impl DockerdProcess {
    /// The last value given for a long flag (`--icc=false`, `--icc false`, bare `--icc`),
    /// as dockerd itself takes the last occurrence.
    pub fn flag(&self, name: &str) -> Option<String> {
        let long = format!("--{name}");
        let mut found = None;
        let mut args = self.args.iter().skip(1).peekable();
        while let Some(arg) = args.next() {
            if let Some(value) = arg.strip_prefix(&long).and_then(|r| r.strip_prefix('=')) {
                found = Some(value.to_owned());
            } else if *arg == long {
                // Go's flag package never takes the next argument as a boolean flag's value.
                found = match args.peek() {
                    Some(next) if !next.starts_with('-') && !BOOL_FLAGS.contains(&name) => {
                        args.next().cloned()
                    }
                    _ => Some("true".to_owned()),
                };
            }
        }
        found
    }

    /// Every value given for a repeatable flag (`-H`/`--host`, `--insecure-registry`).
    pub fn flag_values(&self, names: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        let mut args = self.args.iter().skip(1);
        while let Some(arg) = args.next() {
            for name in names {
                if let Some(value) = arg.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                    out.push(value.to_owned());
                } else if arg == name
                    && let Some(next) = args.next()
                {
                    out.push(next.clone());
                }
            }
        }
        out
    }
}

/// Where a directory is stored and whether that storage is encrypted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct StorageFacts {
    /// The path examined.
    pub path: String,
    /// The mount point holding it (longest prefix in `/proc/self/mountinfo`).
    pub mount_point: String,
    /// File system type.
    pub fstype: String,
    /// Mount source (device or dataset).
    pub source: String,
    /// Block devices from the file system down to the disk, with their device-mapper uuid.
    pub chain: Vec<BlockDevice>,
    /// The verdict.
    pub encryption: Encryption,
    /// Whether the path is on a different file system than `/` (CIS 1.1.1). A bind mount of the
    /// root disk is *not* separate.
    pub separate_from_root: bool,
}

/// One block device in a storage chain.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BlockDevice {
    /// Kernel name, e.g. `dm-0`, `nvme0n1p3`.
    pub name: String,
    /// `dm/uuid`, e.g. `CRYPT-LUKS2-…` or `LVM-…`.
    pub dm_uuid: Option<String>,
}

/// Encryption at rest of a storage chain.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Encryption {
    /// dm-crypt: LUKS1, LUKS2, PLAIN, BITLK, TCRYPT.
    DmCrypt {
        /// The type from the dm uuid (`LUKS2`…).
        kind: String,
    },
    /// eCryptfs (file level).
    Ecryptfs,
    /// fscrypt on the directory (ext4/f2fs native encryption).
    Fscrypt,
    /// ZFS native encryption.
    Zfs,
    /// Full-disk encryption reported by the OS (FileVault, BitLocker).
    Os {
        /// The product name.
        product: String,
    },
    /// No encryption found in the guest.
    #[default]
    None,
}

impl Encryption {
    /// Whether data at rest is encrypted.
    pub fn is_encrypted(&self) -> bool {
        !matches!(self, Encryption::None)
    }
}

/// The Docker client configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClientConfig {
    /// Path, ownership and mode.
    pub file: FileFacts,
    /// `credsStore`.
    pub creds_store: Option<String>,
    /// Whether `docker-credential-<credsStore>` is on `PATH`.
    pub creds_store_helper_found: Option<bool>,
    /// `credHelpers`: registry → helper.
    pub cred_helpers: BTreeMap<String, String>,
    /// `auths` entries (registry names only).
    pub auths: Vec<RegistryAuth>,
    /// `currentContext`.
    pub current_context: Option<String>,
}

/// One `auths` entry of the client config.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegistryAuth {
    /// The registry (key of `auths`).
    pub registry: String,
    /// Names of the secret fields present and non-empty (`auth`, `password`, `identitytoken`,
    /// `registrytoken`): a credential stored in plain text (base64 is not encryption).
    pub secret_fields: Vec<String>,
}

/// Linux security modules.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Lsm {
    /// AppArmor enabled (`/sys/module/apparmor/parameters/enabled`); `None` when not built in.
    pub apparmor: Option<bool>,
    /// SELinux mode: `enforcing`, `permissive`; `None` when disabled or absent.
    pub selinux: Option<String>,
}

/// Docker Desktop's configuration on this machine: which files exist and the security-relevant
/// settings in them. Only the settings named here are read: proxy settings and everything else that
/// may carry a credential are never kept.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DesktopSettings {
    /// The user's settings file: `settings-store.json` (Docker Desktop 4.35 and later) or the
    /// legacy `settings.json`; `None` when neither exists.
    pub settings_file: Option<String>,
    /// `admin-settings.json` (Settings Management); `None` when there is none.
    pub admin_settings: Option<AdminSettingsFile>,
    /// Sign-in enforcement (`registry.json`, or the macOS plist / Windows registry key); `None` when
    /// no such source exists.
    pub sign_in: Option<SignInEnforcement>,
    /// Enhanced Container Isolation: `EnhancedContainerIsolation` /
    /// `enhancedContainerIsolation.value`.
    pub enhanced_container_isolation: DesktopSetting<bool>,
    /// Images allowed to bind-mount the Docker socket under ECI: `ECIDockerSocketImgList` /
    /// `enhancedContainerIsolation.dockerSocketMount.imageList.images` (locked with ECI).
    pub eci_docker_socket_images: DesktopSetting<Vec<String>>,
    /// "Expose daemon on tcp://localhost:2375 without TLS": `ExposeDockerAPIOnTCP2375` /
    /// `exposeDockerAPIOnTCP2375` (Windows only).
    pub expose_docker_api_on_tcp_2375: DesktopSetting<bool>,
    /// Update checks and notifications off: `DisableUpdate` / `disableUpdate`.
    pub disable_update: DesktopSetting<bool>,
    /// "Always download updates": `AutoDownloadUpdates` (user setting only).
    pub auto_download_updates: DesktopSetting<bool>,
    /// `AllowBetaFeatures` / `allowBetaFeatures`.
    pub allow_beta_features: DesktopSetting<bool>,
    /// `AllowExperimentalFeatures` / `allowExperimentalFeatures` (Docker Desktop 4.41 and earlier).
    pub allow_experimental_features: DesktopSetting<bool>,
    /// "Allow the default Docker socket to be used": `EnableDefaultDockerSocket`.
    pub enable_default_docker_socket: DesktopSetting<bool>,
    /// `docker load` blocked: `BlockDockerLoad` / `blockDockerLoad`.
    pub block_docker_load: DesktopSetting<bool>,
    /// Docker Scout image analysis: `SbomIndexing` / `scout.sbomIndexing`.
    pub sbom_indexing: DesktopSetting<bool>,
    /// Docker Scout background indexing: `UseBackgroundIndexing` / `scout.useBackgroundIndexing`.
    pub use_background_indexing: DesktopSetting<bool>,
    /// Docker Extensions: `ExtensionsEnabled` / `extensionsEnabled`.
    pub extensions_enabled: DesktopSetting<bool>,
    /// Only Marketplace extensions: `OnlyMarketplaceExtensions` / `onlyMarketplaceExtensions`.
    pub only_marketplace_extensions: DesktopSetting<bool>,
    /// A private extensions marketplace: `extensionsPrivateMarketplace` (admin setting only).
    pub extensions_private_marketplace: DesktopSetting<bool>,
    /// The WSL 2 engine (Windows): `WslEngineEnabled` / `linuxVM.wslEngineEnabled`.
    pub wsl_engine_enabled: DesktopSetting<bool>,
    /// The host directories containers may bind-mount.
    pub file_sharing: FileSharing,
}

/// One Docker Desktop setting, as the user's settings file and `admin-settings.json` give it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DesktopSetting<T> {
    /// The value in the user's settings file; `None` when the key is absent.
    pub user: Option<T>,
    /// The value in `admin-settings.json`; `None` when the key is absent.
    pub admin: Option<T>,
    /// Whether `admin-settings.json` locks it (`"locked": true`), so the user cannot change it.
    pub locked: bool,
}

/// Where the value Docker Desktop applies comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesktopSource {
    /// `admin-settings.json`, locked.
    AdminLocked,
    /// The user's settings file.
    User,
    /// `admin-settings.json`, unlocked: a default for users who never changed the setting.
    AdminDefault,
    /// Docker Desktop's built-in default: the key is in neither file.
    Default,
}

impl<T: Clone> DesktopSetting<T> {
    /// Whether `admin-settings.json` locks a value.
    pub fn is_locked(&self) -> bool {
        self.locked && self.admin.is_some()
    }

    /// The value Docker Desktop applies and its source: a locked admin value wins, then the
    /// user's, then an unlocked admin value, then `default` — which the caller passes only when the
    /// user's settings file was read (else an absent key says nothing and the result is `None`).
    pub fn effective(&self, default: Option<T>) -> Option<(T, DesktopSource)> {
        match (&self.admin, &self.user) {
            (Some(admin), _) if self.locked => Some((admin.clone(), DesktopSource::AdminLocked)),
            (_, Some(user)) => Some((user.clone(), DesktopSource::User)),
            (Some(admin), None) => Some((admin.clone(), DesktopSource::AdminDefault)),
            (None, None) => default.map(|d| (d, DesktopSource::Default)),
        }
    }
}

/// Docker Desktop's `admin-settings.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AdminSettingsFile {
    /// Where it is.
    pub path: String,
    /// Owner and mode (unix only): a file the user can write is a lock the user can remove.
    pub file: Option<FileFacts>,
    /// `configurationFileVersion`.
    pub configuration_file_version: Option<u64>,
}

/// Where Docker Desktop is told to require sign-in to named organisations.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SignInEnforcement {
    /// The file (`registry.json`, `desktop.plist`, a managed-preferences plist) or registry key.
    pub source: String,
    /// Owner and mode of the file (unix only).
    pub file: Option<FileFacts>,
    /// `allowedOrgs`; `None` when the source names `allowedOrgs` but could not be parsed (a binary
    /// plist), empty when it lists none.
    pub allowed_orgs: Option<Vec<String>>,
}

/// Docker Desktop file sharing: which host directories containers may bind-mount.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileSharing {
    /// `FilesharingDirectories` from the user's settings file; `None` when absent.
    pub directories: Option<Vec<String>>,
    /// Of those, the ones that expose a whole disk (`/`, `C:\`) or the user's home (the home or an
    /// ancestor of it, such as macOS's default `/Users`).
    pub broad: Vec<String>,
    /// `filesharingAllowedDirectories[].path` from `admin-settings.json` (`$HOME`, `$TMP` as
    /// written); `None` when absent.
    pub admin_allowed: Option<Vec<String>>,
}

/// The audit daemon and its rules, as far as they concern Docker.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditFacts {
    /// An `auditd` process is running.
    pub auditd_running: bool,
    /// Where the rules were read.
    pub rules: AuditRules,
    /// Paths the rules watch for changes (`-w PATH`, `-F path=PATH`, `-F dir=PATH`), with symlinks
    /// in their directories resolved; `recursive` when the watch covers a whole directory tree.
    pub watches: Vec<AuditWatch>,
    /// The Docker paths the benchmark asks to audit, as found on this machine.
    pub docker_paths: Vec<AuditedPath>,
}

/// Where audit rules were read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum AuditRules {
    /// The rules loaded in the kernel, listed by `auditctl -l` (authoritative).
    Loaded,
    /// Rule files (`/etc/audit/audit.rules`, `/etc/audit/rules.d/*.rules`): what loads at the next
    /// boot or `augenrules --load`, not necessarily what is loaded now.
    Files {
        /// The files read.
        files: Vec<String>,
        /// Why the loaded rules were not listed instead.
        not_loaded: String,
    },
    /// No audit configuration exists: the audit daemon is not installed.
    #[default]
    NotInstalled,
}

/// One path an audit rule watches.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditWatch {
    /// The path, as the rule names it with the symlinks of its parent directories resolved.
    pub path: String,
    /// The watch covers everything below the path (`-w` on a directory, `-F dir=`).
    pub recursive: bool,
}

/// A Docker path the benchmark asks to audit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditedPath {
    /// The CIS Docker Benchmark recommendation, e.g. `1.1.3`.
    pub cis: String,
    /// The path: symlinks resolved when it exists, else the benchmark's.
    pub path: String,
    /// It exists on this machine.
    pub exists: bool,
    /// A rule watches it (or a directory above it, recursively) for writes or attribute changes.
    pub watched: bool,
}

/// One of Docker's files and the ownership and mode the benchmark requires of it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DockerFile {
    /// What it is, e.g. `docker.service unit`, `TLS server key`.
    pub role: String,
    /// The CIS Docker Benchmark recommendations, e.g. `3.1, 3.2`.
    pub cis: String,
    /// The path examined (symlinks resolved).
    pub path: String,
    /// The widest acceptable permission bits: the file is fine when `mode & !max_mode == 0`.
    pub max_mode: u32,
    /// The owner must be root.
    pub root_owner: bool,
    /// The group must be root.
    pub root_group: bool,
    /// Ownership and mode; unavailable when the file exists but could not be examined.
    pub file: Fact<FileFacts>,
}

impl DockerFile {
    /// Permission bits set beyond [`DockerFile::max_mode`] (`0` when the mode is acceptable).
    pub fn excess_mode(&self, facts: &FileFacts) -> u32 {
        excess_mode(facts.mode, self.max_mode)
    }
}

/// Permission bits of `mode` outside `max_mode`, compared as octal bits (not as decimal numbers,
/// so 0o600 is within 0o644 but 0o700 is not). Special bits (setuid, setgid, sticky) always count.
pub fn excess_mode(mode: u32, max_mode: u32) -> u32 {
    mode & 0o7777 & !max_mode
}

#[cfg(test)]
mod tests {
    use super::DockerdProcess;

    fn dockerd(args: &[&str]) -> DockerdProcess {
        DockerdProcess { pid: 1, args: args.iter().map(|a| (*a).to_owned()).collect(), uid: Some(0) }
    }

    #[test]
    fn flags_follow_go_flag_parsing() {
        let d = dockerd(&[
            "dockerd",
            "--icc",
            "unix:///x",
            "--log-level",
            "debug",
            "--icc=false",
            "--tlsverify",
            "-H",
            "tcp://0.0.0.0:2376",
        ]);
        assert_eq!(d.flag("icc").as_deref(), Some("false"), "the last occurrence wins");
        assert_eq!(d.flag("log-level").as_deref(), Some("debug"));
        assert_eq!(
            dockerd(&["dockerd", "--tlsverify", "something"]).flag("tlsverify").as_deref(),
            Some("true")
        );
        assert_eq!(d.flag_values(&["-H", "--host"]), vec!["tcp://0.0.0.0:2376".to_owned()]);
        assert_eq!(d.flag("experimental"), None);
    }
}
