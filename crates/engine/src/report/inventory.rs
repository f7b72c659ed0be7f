//! The inventory types: every container and network of the engine as the report saw them, each
//! container with its own score. They let a UI or a report show "which containers share which
//! networks, who publishes what on which address" without reading the snapshot. Built by
//! `evaluate::inventory`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::report::Grade;
use crate::report::finding::{Severity, Status};

/// The engine's containers and networks.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct Inventory {
    /// Every container, in every state, sorted by name.
    pub containers: Vec<ContainerSummary>,
    /// Every network, sorted by name.
    pub networks: Vec<NetworkSummary>,
}

/// One container and how it fares.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct ContainerSummary {
    /// Short id (12 hex), as findings name it.
    pub id: String,
    /// Name without the leading `/`.
    pub name: String,
    /// The image reference it was created from.
    pub image: String,
    /// `created`, `running`, `paused`, `restarting`, `exited`, `dead`.
    pub state: String,
    /// Compose project, when Compose created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compose_project: Option<String>,
    /// Compose service, when Compose created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compose_service: Option<String>,
    /// The Compose files that define it (label `com.docker.compose.project.config_files`), when
    /// Compose created it: where its fixes belong.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compose_files: Vec<String>,
    /// `HostConfig.NetworkMode` (`bridge`, `host`, `none`, `container:…`, a network name).
    pub network_mode: String,
    /// Networks it is attached to, by name.
    pub networks: Vec<String>,
    /// Ports published on the host (live bindings when running, configured ones otherwise).
    pub ports: Vec<PublishedPort>,
    /// Whether it runs (or would run) privileged.
    pub privileged: bool,
    /// Its own score over the checks that judged it; `None` when none did.
    pub score: Option<u8>,
    /// Its own grade.
    pub grade: Grade,
    /// Checks failing on it (not waived), most severe first.
    pub failing: Vec<FailingCheck>,
}

/// A check failing on one object.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct FailingCheck {
    /// Check code.
    pub code: String,
    /// Effective severity.
    pub severity: Severity,
    /// Check title.
    pub title: String,
    /// `fail` or `warn`.
    pub status: Status,
}

/// A port published on the host.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct PublishedPort {
    /// Host address (`0.0.0.0`, `127.0.0.1`, `::`; empty means every interface).
    pub host_ip: String,
    /// Host port (empty means an ephemeral port chosen at start).
    pub host_port: String,
    /// Container port, e.g. `80`.
    pub container_port: String,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// Reachable on every interface of the host.
    pub all_interfaces: bool,
}

/// One network and who is on it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct NetworkSummary {
    /// Short id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Driver (`bridge`, `overlay`, `host`, `null`, …).
    pub driver: String,
    /// `local` or `swarm`.
    pub scope: String,
    /// No route outside (`--internal`).
    pub internal: bool,
    /// Docker's default bridge, where every container reaches every other one.
    pub default_bridge: bool,
    /// Inter-container communication on this bridge, when the driver says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icc: Option<bool>,
    /// Names of the containers attached to it, sorted.
    pub containers: Vec<String>,
}
