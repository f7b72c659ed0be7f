//! The snapshot: every fact a check may look at, gathered once, serialisable to versioned JSON.
//!
//! A snapshot is the boundary between I/O (collection) and judgement (checks). It is deliberately
//! ZeroDock's own model rather than bollard's: bollard's models are pre-1.0, change with every
//! Engine API release and would make saved snapshots unreadable after an upgrade. The conversion
//! from bollard lives in one file (`collect::docker`), so an upgrade touches one place.
//!
//! Secret values never enter a snapshot: environment values, registry `auth` fields and similar are
//! reduced to names and a short fingerprint at collection time (see [`secrets`]).

mod docker;
mod go;
mod host;
pub mod secrets;
mod vulns;

pub use docker::*;
pub(crate) use go::parse_go_bool;
pub use host::*;
pub use vulns::*;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Version of the snapshot JSON format; bumped on any incompatible change.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// Everything collected about one Docker endpoint and the machine ZeroDock ran on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Snapshot {
    /// Format version, see [`SNAPSHOT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// When collection started (UTC). Checks that need "today" (version currency) use this.
    pub collected_at: DateTime<Utc>,
    /// Version of the ZeroDock build that collected it.
    pub tool_version: String,
    /// Which Docker endpoint was inspected and how it was chosen.
    pub endpoint: Endpoint,
    /// The Docker Engine's facts, or why it could not be reached.
    pub engine: Fact<Engine>,
    /// Facts about the machine ZeroDock ran on.
    pub host: Host,
    /// What the images in use contain and their known vulnerabilities: an explicit, slower step
    /// (`--vulns`), so absent from most snapshots, which then say so.
    #[serde(default = "not_scanned", skip_serializing_if = "is_not_scanned")]
    pub vulnerabilities: Fact<VulnScan>,
}

/// Why a snapshot has no vulnerability part: the step was not asked for.
pub const VULNS_NOT_SCANNED: &str =
    "images were not scanned for vulnerabilities: run `zerodock scan --vulns`, or Scan images in the app";

fn not_scanned() -> Fact<VulnScan> {
    Fact::unavailable(VULNS_NOT_SCANNED)
}

// Keeps snapshots that never asked for a vulnerability scan byte-identical to before it existed.
fn is_not_scanned(fact: &Fact<VulnScan>) -> bool {
    matches!(fact, Fact::Unavailable { reason } if reason == VULNS_NOT_SCANNED)
}

impl Snapshot {
    /// Reads a snapshot from JSON, refusing formats this build does not understand.
    pub fn from_json(text: &str) -> Result<Self, crate::Error> {
        crate::check_schema_version(text, "snapshot", SNAPSHOT_SCHEMA_VERSION)?;
        serde_json::from_str(text)
            .map_err(|e| crate::Error::MalformedInput { what: "snapshot", detail: e.to_string() })
    }

    /// The engine, or the reason it is unavailable.
    pub fn engine(&self) -> Result<&Engine, &str> {
        self.engine.get()
    }

    /// Every container (all states), or the reason they could not be listed.
    pub fn containers(&self) -> Result<&[Container], &str> {
        self.engine()?.containers.get().map(Vec::as_slice)
    }

    /// Every local image, or the reason they could not be listed.
    pub fn images(&self) -> Result<&[Image], &str> {
        self.engine()?.images.get().map(Vec::as_slice)
    }

    /// Every network, or the reason they could not be listed.
    pub fn networks(&self) -> Result<&[Network], &str> {
        self.engine()?.networks.get().map(Vec::as_slice)
    }

    /// `GET /info`, or the reason it could not be read.
    pub fn info(&self) -> Result<&EngineInfo, &str> {
        self.engine()?.info.get()
    }

    /// `GET /version`, or the reason it could not be read.
    pub fn version(&self) -> Result<&EngineVersion, &str> {
        self.engine()?.version.get()
    }

    /// Which engine answered (Docker Engine, Docker Desktop, Podman); Docker Engine when neither
    /// `/version` nor `/info` could be read.
    pub fn engine_product(&self) -> EngineProduct {
        EngineProduct::identify(self.version().ok(), self.info().ok())
    }

    /// Whether the engine runs rootless (see [`EngineInfo::is_rootless`]); false when `/info`
    /// could not be read.
    pub fn engine_rootless(&self) -> bool {
        self.info().is_ok_and(EngineInfo::is_rootless)
    }

    /// Looks an image up by its id (`sha256:…`).
    pub fn image_by_id(&self, id: &str) -> Option<&Image> {
        self.images().ok()?.iter().find(|i| i.id == id)
    }

    /// Host facts apply only when the engine runs on this machine: for a remote engine
    /// (tcp/ssh to another host) or Docker Desktop's VM, local files say nothing about it.
    pub fn host_scope(&self) -> Result<(), String> {
        if !self.endpoint.local {
            return Err(format!(
                "the engine at {} is remote: this machine's host facts do not describe it",
                self.endpoint.host
            ));
        }
        Ok(())
    }
}

/// A fact that was read, or the reason it could not be.
///
/// Unknown is a state of its own: a check over an unavailable fact reports "unknown" with the
/// reason, never a silent pass.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Fact<T> {
    /// The fact was read.
    Available {
        /// What was read.
        value: T,
    },
    /// The fact could not be read.
    Unavailable {
        /// Why, in words a user can act on ("needs root", "engine unreachable", "not on this OS").
        reason: String,
    },
}

impl<T> Fact<T> {
    /// A fact that was read.
    pub fn available(value: T) -> Self {
        Fact::Available { value }
    }

    /// A fact that could not be read, with the reason.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Fact::Unavailable { reason: reason.into() }
    }

    /// The value, or the reason it is missing.
    pub fn get(&self) -> Result<&T, &str> {
        match self {
            Fact::Available { value } => Ok(value),
            Fact::Unavailable { reason } => Err(reason),
        }
    }

    /// The value, if it was read.
    pub fn ok(&self) -> Option<&T> {
        self.get().ok()
    }

    /// Mutable access to the value, if it was read (used by fixture variants in tests).
    pub fn ok_mut(&mut self) -> Option<&mut T> {
        match self {
            Fact::Available { value } => Some(value),
            Fact::Unavailable { .. } => None,
        }
    }
}

impl<T, E: std::fmt::Display> From<Result<T, E>> for Fact<T> {
    fn from(result: Result<T, E>) -> Self {
        match result {
            Ok(value) => Fact::available(value),
            Err(e) => Fact::unavailable(e.to_string()),
        }
    }
}

/// The Docker endpoint a snapshot describes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct Endpoint {
    /// `unix:///var/run/docker.sock`, `tcp://host:2376`, …
    pub host: String,
    /// How the endpoint was chosen (the `docker` CLI's precedence).
    pub source: EndpointSource,
    /// Whether the engine runs on this machine (unix socket or loopback), so host facts apply to it.
    pub local: bool,
    /// Whether TLS is used to talk to it (tcp endpoints only).
    pub tls: bool,
}

/// Where the endpoint came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EndpointSource {
    /// Given explicitly (`--host`).
    Flag,
    /// The `DOCKER_HOST` environment variable.
    DockerHost,
    /// A Docker CLI context (`DOCKER_CONTEXT` or `currentContext` in `config.json`).
    Context {
        /// The context's name.
        name: String,
    },
    /// The platform's default socket.
    Default,
    /// Nothing chose an engine and the default socket is absent: a socket found in one of the
    /// places rootless dockerd and Podman listen (`collect::endpoint::DISCOVERY_ORDER`).
    Discovered {
        /// What listens there, as found: `rootless dockerd`, `rootless Podman`, `Podman`.
        engine: String,
    },
}

impl EndpointSource {
    /// How a report says the endpoint was chosen: `--host`, `DOCKER_HOST`, `Docker context NAME`,
    /// `default socket`, `found: rootless dockerd's socket`.
    pub fn describe(&self) -> String {
        match self {
            EndpointSource::Flag => "--host".to_owned(),
            EndpointSource::DockerHost => "DOCKER_HOST".to_owned(),
            EndpointSource::Context { name } => format!("Docker context {name}"),
            EndpointSource::Default => "default socket".to_owned(),
            EndpointSource::Discovered { engine } => format!("found: {engine}'s socket"),
        }
    }
}
