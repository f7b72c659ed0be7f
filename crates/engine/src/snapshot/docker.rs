//! Engine facts: version, info, containers, images, networks, volumes.
//!
//! Field names follow the Engine API path they come from (documented on each field), so a check's
//! evidence can name the exact field a user would find in `docker inspect`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Fact;

/// The Docker Engine's facts. Each part is a [`Fact`] of its own: one failing call (or a daemon that
/// dies half-way) leaves the others usable and the failed part marked with its reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Engine {
    /// `GET /version`.
    pub version: Fact<EngineVersion>,
    /// `GET /info`.
    pub info: Fact<EngineInfo>,
    /// `GET /containers/json?all=1` + `GET /containers/{id}/json` for each.
    pub containers: Fact<Vec<Container>>,
    /// `GET /images/json` + `GET /images/{id}/json` and `/history` for each.
    pub images: Fact<Vec<Image>>,
    /// `GET /networks`.
    pub networks: Fact<Vec<Network>>,
    /// `GET /volumes`.
    pub volumes: Fact<Vec<Volume>>,
    /// Objects that changed while the scan ran (removed between list and inspect), for the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Containers (short ids) the engine listed but whose inspect answer could not be decoded:
    /// they are missing from `containers`, so checks must report them as unknown rather than let
    /// them pass silently. The reason is in `notes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undecoded_containers: Vec<String>,
    /// Images (short ids) whose inspect or history answer could not be decoded, as
    /// `undecoded_containers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undecoded_images: Vec<String>,
}

/// `GET /version`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EngineVersion {
    /// `Version`, e.g. `20.10.24+dfsg1` or `29.7.2`.
    pub version: String,
    /// `ApiVersion`, e.g. `1.41`.
    pub api_version: String,
    /// `MinAPIVersion`.
    pub min_api_version: Option<String>,
    /// `Platform.Name`: `Docker Engine - Community`, `Docker Desktop 4.49.0 (…)`, empty for distro builds.
    pub platform_name: Option<String>,
    /// `Os`.
    pub os: String,
    /// `Arch`.
    pub arch: String,
    /// `KernelVersion`.
    pub kernel_version: Option<String>,
    /// `Experimental`.
    pub experimental: bool,
    /// `Components[]`: Engine, containerd, runc, docker-init with their versions.
    pub components: Vec<Component>,
}

impl EngineVersion {
    /// Version of a named component (`runc`, `containerd`), case-insensitive.
    pub fn component(&self, name: &str) -> Option<&str> {
        self.components.iter().find(|c| c.name.eq_ignore_ascii_case(name)).map(|c| c.version.as_str())
    }
}

/// One entry of `GET /version` `Components[]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Component {
    /// `Name`.
    pub name: String,
    /// `Version`.
    pub version: String,
}

/// `GET /info`, the parts checks use.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EngineInfo {
    /// `ID`.
    pub id: String,
    /// `Name` (the engine host's hostname).
    pub name: String,
    /// `OperatingSystem`, e.g. `Debian GNU/Linux 12 (bookworm)` or `Docker Desktop`.
    pub operating_system: String,
    /// `OSType`: `linux` or `windows`.
    pub os_type: String,
    /// `KernelVersion`.
    pub kernel_version: String,
    /// `DockerRootDir` (the daemon's data-root, a path in the daemon's mount namespace).
    pub docker_root_dir: String,
    /// `Driver` (storage driver).
    pub driver: String,
    /// `LoggingDriver` (the daemon's default log driver).
    pub logging_driver: String,
    /// `CgroupDriver`.
    pub cgroup_driver: String,
    /// `CgroupVersion`.
    pub cgroup_version: String,
    /// `SecurityOptions`, e.g. `name=seccomp,profile=default`, `name=rootless`, `name=userns`.
    pub security_options: Vec<String>,
    /// `LiveRestoreEnabled`.
    pub live_restore_enabled: bool,
    /// `ExperimentalBuild`.
    pub experimental_build: bool,
    /// `Debug`.
    pub debug: bool,
    /// `Warnings[]`, verbatim (they name exposed TCP sockets, missing cgroup features…).
    pub warnings: Vec<String>,
    /// `RegistryConfig.InsecureRegistryCIDRs`.
    pub insecure_registry_cidrs: Vec<String>,
    /// `RegistryConfig.IndexConfigs[*]` with `Secure: false`.
    pub insecure_registries: Vec<String>,
    /// `RegistryConfig.Mirrors`.
    pub registry_mirrors: Vec<String>,
    /// `Plugins.Authorization`.
    pub authorization_plugins: Vec<String>,
    /// `DefaultRuntime`.
    pub default_runtime: String,
    /// Keys of `Runtimes`.
    pub runtimes: Vec<String>,
    /// `Swarm.LocalNodeState`.
    pub swarm_state: String,
    /// `Swarm.*` beyond the node state, read on an active swarm node only (absent otherwise, and in
    /// snapshots older than it). Join tokens are never read: `GET /swarm` is not called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swarm: Option<SwarmInfo>,
    /// `Containers`.
    pub containers: i64,
    /// `ContainersRunning`.
    pub containers_running: i64,
    /// `Images`.
    pub images: i64,
    /// `NCPU`.
    pub ncpu: i64,
    /// `MemTotal` in bytes.
    pub mem_total: i64,
    /// `Rootless`: a field only Podman's `/info` has (true when its service runs as an ordinary
    /// user; rootless Podman does not say `name=rootless` in `SecurityOptions` as dockerd does).
    /// Read for Podman only; absent (false) for Docker and in older snapshots.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rootless: bool,
}

impl EngineInfo {
    /// Whether `SecurityOptions` has an entry `name=<name>` (`rootless`, `userns`, `seccomp`…).
    pub fn security_option(&self, name: &str) -> Option<&str> {
        self.security_options
            .iter()
            .map(String::as_str)
            .find(|o| o.split(',').any(|kv| kv.strip_prefix("name=") == Some(name)))
    }

    /// The daemon's seccomp profile from `SecurityOptions` (`default`, `builtin`, `unconfined`, a path).
    pub fn seccomp_profile(&self) -> Option<&str> {
        let opt = self.security_option("seccomp")?;
        Some(opt.split(',').find_map(|kv| kv.strip_prefix("profile=")).unwrap_or("default"))
    }

    /// Whether this is Docker Desktop (the daemon runs in a VM, not on this host).
    pub fn is_docker_desktop(&self) -> bool {
        self.operating_system.starts_with("Docker Desktop")
    }

    /// Whether the engine runs as an ordinary user (rootless dockerd: `name=rootless` in
    /// `SecurityOptions`; rootless Podman: its `Rootless` field): container root is then that
    /// user on the host, not host root.
    pub fn is_rootless(&self) -> bool {
        self.rootless || self.security_option("rootless").is_some()
    }
}

/// Which engine answered the Docker API, from `GET /version` (`Components[].Name`, `Platform.Name`)
/// and `GET /info` (`OperatingSystem`). Checks whose meaning depends on dockerd (its daemon.json,
/// its flags, the `docker` group, live-restore) ask this before judging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineProduct {
    /// dockerd (Docker Engine - Community, a distribution's `docker.io`, Mirantis).
    DockerEngine,
    /// Docker Desktop: dockerd in a VM.
    DockerDesktop,
    /// Podman's Docker-compatible API (`podman system service`): no daemon.json, no dockerd.
    Podman,
}

impl EngineProduct {
    /// Identifies the engine. Podman names itself in `Components` (`Podman Engine`); Docker
    /// Desktop in `Platform.Name` or `OperatingSystem`; anything else speaking the API is taken
    /// for dockerd, the API's reference implementation.
    pub fn identify(version: Option<&EngineVersion>, info: Option<&EngineInfo>) -> Self {
        let podman = |name: &str| name.to_ascii_lowercase().contains("podman");
        if let Some(v) = version {
            if v.components.iter().any(|c| podman(&c.name)) || v.platform_name.as_deref().is_some_and(podman)
            {
                return EngineProduct::Podman;
            }
            if v.platform_name.as_deref().is_some_and(|p| p.starts_with("Docker Desktop")) {
                return EngineProduct::DockerDesktop;
            }
        }
        if info.is_some_and(EngineInfo::is_docker_desktop) {
            return EngineProduct::DockerDesktop;
        }
        EngineProduct::DockerEngine
    }

    /// The product's name as reports print it.
    pub fn name(self) -> &'static str {
        match self {
            EngineProduct::DockerEngine => "Docker Engine",
            EngineProduct::DockerDesktop => "Docker Desktop",
            EngineProduct::Podman => "Podman",
        }
    }
}

impl std::fmt::Display for EngineProduct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `GET /info` → `Swarm`, on an active swarm node (CIS v1.8.0 section 7).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SwarmInfo {
    /// `Swarm.NodeAddr`: the address this node advertises to the swarm (management traffic).
    pub node_addr: String,
    /// `Swarm.ControlAvailable`: this node is a manager.
    pub control_available: bool,
    /// `Swarm.Managers`.
    pub managers: i64,
    /// `Swarm.Nodes`.
    pub nodes: i64,
    /// `Swarm.RemoteManagers[].Addr`, sorted: the managers' listen addresses (port 2377 by default).
    pub manager_addrs: Vec<String>,
    /// `Swarm.Cluster`: only a manager reports it; `None` on a worker.
    pub cluster: Option<SwarmCluster>,
    /// `GET /secrets` → `Spec.Name` of each secret, sorted (never a value: the API returns none).
    /// Unavailable on a worker, which cannot list them; `None` in snapshots older than it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Fact<Vec<String>>>,
    /// `GET /nodes`, sorted by hostname: each node's role, state and, for a manager, its Raft
    /// reachability and listen address (CIS 7.1, 7.2). Unavailable on a worker, which cannot list
    /// them; `None` in snapshots older than it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_list: Option<Fact<Vec<SwarmNode>>>,
    /// `GET /services`, sorted by name: each service and the names of the secrets it is granted
    /// (CIS 7.4). Nothing else of a service's spec is kept (its environment may hold credentials).
    /// Unavailable on a worker; `None` in snapshots older than it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Fact<Vec<SwarmService>>>,
}

/// `GET /nodes`: one swarm node, as a manager lists it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SwarmNode {
    /// `Description.Hostname`.
    pub hostname: String,
    /// `Spec.Role`: `manager` or `worker`.
    pub role: String,
    /// `Spec.Availability`: `active`, `pause` or `drain`.
    pub availability: String,
    /// `Status.State`: `ready`, `down`, `disconnected` or `unknown`.
    pub state: String,
    /// `ManagerStatus`, for a manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<SwarmManagerStatus>,
}

/// `GET /nodes` → `ManagerStatus` of a manager node.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SwarmManagerStatus {
    /// `Leader`: the Raft leader.
    pub leader: bool,
    /// `Reachability`: `reachable`, `unreachable` or `unknown`.
    pub reachability: String,
    /// `Addr`: the address and port it listens on for the swarm (2377 by default).
    pub addr: String,
}

/// `GET /services`: a service's name and the secrets it is granted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SwarmService {
    /// `Spec.Name`.
    pub name: String,
    /// `Spec.TaskTemplate.ContainerSpec.Secrets[].SecretName`, sorted.
    pub secrets: Vec<String>,
}

/// `GET /info` → `Swarm.Cluster`, as a manager reports it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SwarmCluster {
    /// `Spec.EncryptionConfig.AutoLockManagers`.
    pub autolock_managers: bool,
    /// `Spec.CAConfig.NodeCertExpiry` in nanoseconds (Go's `time.Duration`; Docker's default is 90 days).
    pub node_cert_expiry_ns: Option<i64>,
    /// `Spec.CAConfig.ExternalCAs` is not empty: certificates are signed by an external CA.
    pub external_ca: bool,
    /// `RootRotationInProgress`: a `docker swarm ca --rotate` is under way.
    pub root_rotation_in_progress: bool,
    /// `DataPathPort` (VXLAN data traffic, 4789 by default).
    pub data_path_port: Option<u32>,
}

/// One container, in any state, from its inspect data.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Container {
    /// `Id`.
    pub id: String,
    /// `Name` without the leading `/`.
    pub name: String,
    /// `Config.Image`: the reference the container was created from (`nginx:latest`, an id…).
    pub image: String,
    /// `Image`: the image id (`sha256:…`).
    pub image_id: String,
    /// `State.Status`: `created`, `running`, `paused`, `restarting`, `exited`, `dead`.
    pub state: String,
    /// `Created`.
    pub created: Option<String>,
    /// `Config.User` (empty means the image's user, often root).
    pub user: String,
    /// `Config.Env`, names only (values never leave collection).
    pub env: Vec<EnvVar>,
    /// `Config.Labels`.
    pub labels: BTreeMap<String, String>,
    /// `Config.Healthcheck`, with the image's inherited one resolved by the engine.
    pub healthcheck: Healthcheck,
    /// `State.Health.Status`, when a health check runs.
    pub health_status: Option<String>,
    /// `HostConfig.Privileged`.
    pub privileged: bool,
    /// `HostConfig.CapAdd`, upper-case without the `CAP_` prefix.
    pub cap_add: Vec<String>,
    /// `HostConfig.CapDrop`, upper-case without the `CAP_` prefix.
    pub cap_drop: Vec<String>,
    /// `HostConfig.SecurityOpt`, e.g. `seccomp=unconfined`, `no-new-privileges`.
    pub security_opt: Vec<String>,
    /// `AppArmorProfile`.
    pub apparmor_profile: String,
    /// `ProcessLabel`: the SELinux label its processes run with (empty without SELinux).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub process_label: String,
    /// `HostConfig.NetworkMode`.
    pub network_mode: String,
    /// `HostConfig.PidMode`.
    pub pid_mode: String,
    /// `HostConfig.IpcMode`.
    pub ipc_mode: String,
    /// `HostConfig.UTSMode`.
    pub uts_mode: String,
    /// `HostConfig.UsernsMode`.
    pub userns_mode: String,
    /// `HostConfig.ReadonlyRootfs`.
    pub readonly_rootfs: bool,
    /// `HostConfig.Memory` in bytes (0 = unlimited).
    pub memory: i64,
    /// `HostConfig.NanoCpus` (0 = unlimited).
    pub nano_cpus: i64,
    /// `HostConfig.CpuQuota` (0 = unlimited).
    pub cpu_quota: i64,
    /// `HostConfig.CpuShares` (0 = default weight).
    pub cpu_shares: i64,
    /// `HostConfig.PidsLimit` (None, 0 or -1 = unlimited).
    pub pids_limit: Option<i64>,
    /// `HostConfig.RestartPolicy`.
    pub restart_policy: RestartPolicy,
    /// `HostConfig.PortBindings`, flattened.
    pub port_bindings: Vec<PortBinding>,
    /// `HostConfig.PublishAllPorts` (`docker run -P`): every exposed port is published on an
    /// ephemeral host port, with no `PortBindings` entry for it.
    #[serde(default)]
    pub publish_all_ports: bool,
    /// `NetworkSettings.Ports` with a host binding, flattened: what a running container actually
    /// publishes, including `-P` ports (empty for stopped containers).
    #[serde(default)]
    pub published_ports: Vec<PortBinding>,
    /// `Mounts`.
    pub mounts: Vec<Mount>,
    /// `HostConfig.Devices`.
    pub devices: Vec<Device>,
    /// `HostConfig.LogConfig.Type`.
    pub log_driver: String,
    /// `HostConfig.LogConfig.Config` keys (values only for rotation keys; others may hold tokens).
    pub log_opts: BTreeMap<String, String>,
    /// `NetworkSettings.Networks`.
    pub networks: Vec<ContainerNetwork>,
    /// `HostConfig.Runtime`.
    pub runtime: String,
    /// `HostConfig.Ulimits`: per-container overrides of the daemon's default ulimits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ulimits: Vec<Ulimit>,
    /// `HostConfig.CgroupParent` (empty: the daemon's default parent).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cgroup_parent: String,
    /// `ExecIDs`, each read with `GET /exec/{id}/json`: the `docker exec` sessions dockerd still
    /// holds for this container (it forgets them when the container stops). `None` in snapshots
    /// taken before ZeroDock read them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_sessions: Option<super::Fact<Vec<ExecSession>>>,
    /// `GET /containers/{id}/top?ps_args=-eo pid,comm`: the executable name of every process, for
    /// a running container only (`None` otherwise, and in older snapshots). Names only: a
    /// command line may hold credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<super::Fact<Vec<String>>>,
}

/// Why a running container's processes are unavailable when the scan was not asked to read them.
pub const PROCESSES_NOT_READ: &str =
    "process names were not read: scan with `--processes` (the engine records a `top` event per container)";

/// One entry of `HostConfig.Ulimits`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Ulimit {
    /// `Name` (`nofile`, `nproc`, `core`…).
    pub name: String,
    /// `Soft`.
    pub soft: i64,
    /// `Hard`.
    pub hard: i64,
}

/// A `docker exec` session, from `GET /exec/{id}/json` (the command and its arguments are not
/// kept: they may hold credentials).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExecSession {
    /// `ID`, short.
    pub id: String,
    /// `ProcessConfig.privileged` (`docker exec --privileged`).
    pub privileged: bool,
    /// `ProcessConfig.user` (`docker exec -u`; empty: the container's user).
    pub user: String,
    /// `Running`.
    pub running: bool,
}

impl Container {
    /// `State.Status == "running"` (or restarting/paused: it has a live process).
    pub fn is_running(&self) -> bool {
        matches!(self.state.as_str(), "running" | "restarting" | "paused")
    }

    /// The Compose service this container belongs to, if Compose created it.
    pub fn compose_service(&self) -> Option<&str> {
        self.labels.get("com.docker.compose.service").map(String::as_str)
    }

    /// The Compose project's config files, if Compose created it, as absolute paths: Compose v2
    /// labels them absolute, Compose v1 (1.29) relative to the project's `working_dir` label —
    /// a relative path in a fix or a SARIF location would only work from that directory.
    pub fn compose_files(&self) -> Option<Vec<String>> {
        let files = self.labels.get("com.docker.compose.project.config_files")?;
        let dir = self.labels.get("com.docker.compose.project.working_dir").map(|d| d.trim_end_matches('/'));
        let files: Vec<String> = files
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(|f| match dir {
                Some(dir) if !f.starts_with('/') && !dir.is_empty() => {
                    format!("{dir}/{}", f.trim_start_matches("./"))
                }
                _ => f.to_owned(),
            })
            .collect();
        (!files.is_empty()).then_some(files)
    }

    /// Whether a `HostConfig.SecurityOpt` entry sets `key` (`no-new-privileges`, `seccomp`, `apparmor`),
    /// returning its value (`true` for a bare flag). Both `key=value` and the old `key:value` forms count.
    pub fn security_opt(&self, key: &str) -> Option<&str> {
        self.security_opt.iter().find_map(|o| {
            let rest = o.strip_prefix(key)?;
            if rest.is_empty() {
                Some("true")
            } else {
                rest.strip_prefix('=').or_else(|| rest.strip_prefix(':'))
            }
        })
    }
}

/// An environment variable with its value removed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable's name.
    pub name: String,
    /// Whether the name looks like it carries a credential (`*PASSWORD*`, `*TOKEN*`, `*_KEY`…).
    pub credential_like: bool,
    /// For credential-like names with a non-empty value: a short fingerprint of the value, so two
    /// scans can tell "same secret" from "rotated" without storing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// Whether and how a health check is configured.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Healthcheck {
    /// No `HEALTHCHECK` / `--health-cmd` at all.
    #[default]
    Absent,
    /// Explicitly disabled (`HEALTHCHECK NONE`, `--no-healthcheck`).
    Disabled,
    /// A test command is configured (the command itself is not kept: it may hold credentials).
    Defined,
}

/// `HostConfig.RestartPolicy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RestartPolicy {
    /// `Name`: `""`, `no`, `always`, `unless-stopped`, `on-failure`.
    pub name: String,
    /// `MaximumRetryCount`.
    pub maximum_retry_count: i64,
}

/// One published port.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PortBinding {
    /// Container port and protocol, e.g. `80/tcp`.
    pub container_port: String,
    /// `HostIp` (empty means every interface).
    pub host_ip: String,
    /// `HostPort` (empty means an ephemeral port).
    pub host_port: String,
}

impl PortBinding {
    /// Bound to every interface (`0.0.0.0`, `::` or unspecified).
    pub fn all_interfaces(&self) -> bool {
        matches!(self.host_ip.as_str(), "" | "0.0.0.0" | "::" | "[::]")
    }
}

/// One entry of `Mounts`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Mount {
    /// `Type`: `bind`, `volume`, `tmpfs`, `npipe`.
    pub kind: String,
    /// `Source` (host path for binds, volume mountpoint for volumes).
    pub source: String,
    /// `Destination` inside the container.
    pub destination: String,
    /// `RW`.
    pub rw: bool,
    /// `Propagation`.
    pub propagation: String,
    /// `Name` (volumes only).
    pub name: Option<String>,
}

/// One entry of `HostConfig.Devices`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Device {
    /// `PathOnHost`.
    pub path_on_host: String,
    /// `PathInContainer`.
    pub path_in_container: String,
    /// `CgroupPermissions`.
    pub permissions: String,
}

/// One entry of `NetworkSettings.Networks`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ContainerNetwork {
    /// The network's name.
    pub name: String,
    /// `NetworkID` (empty for a created container not yet attached).
    pub network_id: String,
    /// `IPAddress`.
    pub ip_address: String,
}

/// A local image, from its inspect data and history.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Image {
    /// `Id` (`sha256:…`).
    pub id: String,
    /// `RepoTags`.
    pub repo_tags: Vec<String>,
    /// `RepoDigests`.
    pub repo_digests: Vec<String>,
    /// `Created`.
    pub created: Option<String>,
    /// `Size` in bytes.
    pub size: i64,
    /// `Config.User`.
    pub user: String,
    /// `Config.Env`, names only.
    pub env: Vec<EnvVar>,
    /// `Config.Healthcheck`.
    pub healthcheck: Healthcheck,
    /// `Config.ExposedPorts` keys.
    pub exposed_ports: Vec<String>,
    /// `Config.Labels`.
    pub labels: BTreeMap<String, String>,
    /// `Os`.
    pub os: String,
    /// `Architecture`.
    pub architecture: String,
    /// `GET /images/{id}/history`, oldest layer first, reduced to the Dockerfile instruction
    /// (command text is dropped: `RUN` lines and build args may hold secrets).
    pub history: Vec<HistoryEntry>,
}

impl Image {
    /// A readable name: the first tag, else the first digest, else the short id.
    pub fn display_name(&self) -> String {
        self.repo_tags
            .iter()
            .find(|t| t.as_str() != "<none>:<none>")
            .or_else(|| self.repo_digests.first())
            .cloned()
            .unwrap_or_else(|| short_id(&self.id).to_owned())
    }
}

/// One layer of an image's history.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The Dockerfile instruction (`RUN`, `ADD`, `COPY`, `ENV`, `USER`…), or `IMPORT` for a
    /// layer made by `docker import`, or `UNKNOWN`.
    pub instruction: String,
    /// For `ENV`/`ARG`: the variable names it sets (values dropped).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// For `ADD`: whether the source is a remote URL.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remote_source: bool,
    /// For `RUN`: whether the layer only refreshes a package index (`apt-get update`, `apk
    /// update`, `yum makecache`…) with no install after it in the same `RUN`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub update_only: bool,
    /// Layer size in bytes.
    pub size: i64,
}

/// A network, from `GET /networks`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Network {
    /// `Id`.
    pub id: String,
    /// `Name`.
    pub name: String,
    /// `Driver`.
    pub driver: String,
    /// `Scope`.
    pub scope: String,
    /// `Internal`.
    pub internal: bool,
    /// `EnableIPv6`.
    pub enable_ipv6: bool,
    /// `Options` (`com.docker.network.bridge.enable_icc`, `…host_binding_ipv4`, …).
    pub options: BTreeMap<String, String>,
    /// `Labels`.
    pub labels: BTreeMap<String, String>,
}

impl Network {
    /// Docker's default bridge (`docker0`), where every container can reach every other one.
    pub fn is_default_bridge(&self) -> bool {
        self.options.get("com.docker.network.bridge.default_bridge").map(String::as_str) == Some("true")
            || (self.name == "bridge" && self.driver == "bridge")
    }

    /// A bridge option, e.g. `enable_icc` for `com.docker.network.bridge.enable_icc`.
    pub fn bridge_option(&self, key: &str) -> Option<&str> {
        self.options.get(&format!("com.docker.network.bridge.{key}")).map(String::as_str)
    }
}

/// A volume, from `GET /volumes`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Volume {
    /// `Name`.
    pub name: String,
    /// `Driver`.
    pub driver: String,
    /// `Mountpoint`.
    pub mountpoint: String,
    /// `Scope`.
    pub scope: String,
    /// `Labels`.
    pub labels: BTreeMap<String, String>,
}

/// The first 12 hex digits of an id, as the `docker` CLI shows it.
pub fn short_id(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    hex.get(..12).unwrap_or(hex)
}
