//! Host probes: OS, user and groups, Docker socket, daemon.json, dockerd's command line, disk
//! encryption, client config, LSMs. Each probe returns a [`Fact`]: what it read, or why it could
//! not (no permission, not this OS).

use std::path::{Path, PathBuf};

use crate::snapshot::{ClientConfig, DaemonJson, DockerdProcess, Fact, FileFacts, GroupFacts, HostOs, HostUser, Lsm, StorageFacts};

/// What host collection needs to know of the endpoint and environment.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The Docker socket, for unix endpoints.
    pub socket_path: Option<PathBuf>,
    /// `$DOCKER_CONFIG` or `~/.docker`.
    pub docker_config_dir: Option<PathBuf>,
    /// The user's home.
    pub home: Option<PathBuf>,
    /// Whether the engine is on this machine.
    pub local: bool,
}

/// Host facts that do not depend on the engine's answers.
#[derive(Debug, Clone)]
pub struct Base {
    /// See [`crate::snapshot::Host::os`].
    pub os: Fact<HostOs>,
    /// See [`crate::snapshot::Host::user`].
    pub user: Fact<HostUser>,
    /// See [`crate::snapshot::Host::docker_group`].
    pub docker_group: Fact<Option<GroupFacts>>,
    /// See [`crate::snapshot::Host::socket`].
    pub socket: Fact<FileFacts>,
    /// See [`crate::snapshot::Host::daemon_json`].
    pub daemon_json: Fact<Option<DaemonJson>>,
    /// See [`crate::snapshot::Host::dockerd`].
    pub dockerd: Fact<Option<DockerdProcess>>,
    /// See [`crate::snapshot::Host::root_storage`].
    pub root_storage: Fact<StorageFacts>,
    /// See [`crate::snapshot::Host::client_config`].
    pub client_config: Fact<Option<ClientConfig>>,
    /// See [`crate::snapshot::Host::lsm`].
    pub lsm: Fact<Lsm>,
}

impl Base {
    /// Every fact unavailable with the same reason.
    pub fn failed(reason: &str) -> Self {
        Base {
            os: Fact::unavailable(reason),
            user: Fact::unavailable(reason),
            docker_group: Fact::unavailable(reason),
            socket: Fact::unavailable(reason),
            daemon_json: Fact::unavailable(reason),
            dockerd: Fact::unavailable(reason),
            root_storage: Fact::unavailable(reason),
            client_config: Fact::unavailable(reason),
            lsm: Fact::unavailable(reason),
        }
    }

    /// Host collection switched off.
    pub fn skipped() -> Self {
        Self::failed("host facts were not collected")
    }
}

/// Collects every engine-independent host fact.
pub fn collect_base(inputs: &Inputs) -> Base {
    let _ = inputs;
    Base::failed("not implemented yet")
}

/// Storage and encryption facts for a directory.
pub fn storage(path: &Path) -> Fact<StorageFacts> {
    let _ = path;
    Fact::unavailable("not implemented yet")
}
