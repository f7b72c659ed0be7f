//! Collection: async I/O that produces a [`Snapshot`]. The engine and the host are read
//! concurrently; every engine call is time-bounded; nothing here judges anything.
//!
//! Read-only by construction: the only engine calls are GETs (version, info, list/inspect,
//! history). A test against the live engine proves the engine is unchanged by a scan.

mod docker;
pub mod endpoint;
pub mod host;
mod ssh;
pub mod watch;

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use docker::{ImageExport, export_image};
pub use endpoint::ResolvedEndpoint;

use crate::snapshot::{Endpoint, Fact, Host, SNAPSHOT_SCHEMA_VERSION, Snapshot};

/// How to collect.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// The Docker endpoint.
    pub endpoint: ResolvedEndpoint,
    /// Limit for each engine call.
    pub timeout: Duration,
    /// How many inspect calls run at once.
    pub concurrency: usize,
    /// The Docker client configuration directory (`$DOCKER_CONFIG`, else `~/.docker`).
    pub docker_config_dir: Option<PathBuf>,
    /// The user's home directory (Docker Desktop and rootless `daemon.json`).
    pub home: Option<PathBuf>,
    /// Whether to collect host facts at all (off for pure engine benchmarks, and for the
    /// watcher's event-driven rescans, which reuse the last host facts).
    pub host_facts: bool,
    /// Whether to read running containers' process names (`GET /containers/{id}/top`): a read,
    /// but dockerd records a `top` event for each container, so it is asked for explicitly
    /// (`--processes`), as the image export of `--vulns` is.
    pub processes: bool,
    /// Where to report progress, for a progress bar (the desktop app).
    pub progress: Option<ProgressSender>,
}

/// Receives [`Progress`] during a collection.
pub type ProgressSender = tokio::sync::mpsc::UnboundedSender<Progress>;

/// What a scan is doing, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Connecting to the engine.
    Connecting,
    /// Reading version, info, networks and volumes.
    Engine,
    /// Inspecting containers (`done` of `total`).
    Containers,
    /// Inspecting images and their history (`done` of `total`).
    Images,
    /// Reading host facts.
    Host,
    /// Evaluating the checks.
    Evaluating,
}

/// One progress step of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Progress {
    /// The stage.
    pub stage: Stage,
    /// Objects done in this stage.
    pub done: u32,
    /// Objects in this stage (0 when not counted).
    pub total: u32,
}

impl CollectOptions {
    /// Reports progress, if anyone listens. A listener that went away is not an error.
    pub(crate) fn report(&self, stage: Stage, done: usize, total: usize) {
        if let Some(tx) = &self.progress {
            let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
            let _ = tx.send(Progress { stage, done: n(done), total: n(total) });
        }
    }
}

impl CollectOptions {
    /// Options from the environment, choosing the endpoint as the `docker` CLI does.
    pub fn from_env() -> Result<Self, crate::Error> {
        Self::with_host(None)
    }

    /// Options from the environment with an explicit endpoint (`--host`) taking precedence.
    pub fn with_host(host: Option<&str>) -> Result<Self, crate::Error> {
        Self::with_endpoint(host, None)
    }

    /// Options with an explicit endpoint (`--host`) or Docker context (`--context`), in the
    /// `docker` CLI's precedence: `--host`, `--context`, `DOCKER_HOST`, `DOCKER_CONTEXT`, the
    /// config's current context, the default socket.
    pub fn with_endpoint(host: Option<&str>, context: Option<&str>) -> Result<Self, crate::Error> {
        let env = endpoint::Env::current();
        let endpoint = match (host, context) {
            (None, Some(name)) => endpoint::resolve_context(name, &env)?,
            _ => endpoint::resolve(host, &env)?,
        };
        Ok(CollectOptions {
            endpoint,
            timeout: Duration::from_secs(15),
            concurrency: 32,
            docker_config_dir: env.docker_config_dir(),
            home: env.home.clone(),
            host_facts: true,
            processes: false,
            progress: None,
        })
    }
}

/// Collects a snapshot. Never fails: whatever cannot be read is recorded as unavailable with the
/// reason, and the rest is still collected (host checks run with the engine down).
pub async fn collect(opts: &CollectOptions) -> Snapshot {
    let collected_at = Utc::now();
    let host_inputs = host::Inputs {
        socket_path: opts.endpoint.socket_path(),
        docker_config_dir: opts.docker_config_dir.clone(),
        home: opts.home.clone(),
        local: opts.endpoint.local,
    };
    let host_facts = opts.host_facts;
    let base_task = tokio::task::spawn_blocking(move || {
        if host_facts { host::collect_base(&host_inputs) } else { host::Base::skipped() }
    });

    opts.report(Stage::Connecting, 0, 0);
    let engine: Fact<crate::snapshot::Engine> = match docker::connect(opts).await {
        Ok(client) => {
            opts.report(Stage::Engine, 0, 0);
            Fact::available(docker::collect(&client, opts).await)
        }
        Err(reason) => Fact::unavailable(reason),
    };
    if host_facts {
        opts.report(Stage::Host, 0, 0);
    }

    let base =
        base_task.await.unwrap_or_else(|e| host::Base::failed(&format!("host collection panicked: {e}")));
    let info = engine.ok().and_then(|e| e.info.ok());
    let local = opts.endpoint.local && !forwarded_from_elsewhere(opts, info, &base);
    let data_root = info.map(|i| (i.docker_root_dir.clone(), i.is_docker_desktop()));
    let data_root_storage = match data_root {
        _ if !host_facts => Fact::unavailable("host facts were not collected"),
        _ if !local => Fact::unavailable("the engine is remote: its data-root is on another machine"),
        Some((_, true)) => Fact::unavailable(
            "Docker Desktop keeps its data-root inside a VM: check the encryption of the disk holding the VM image \
             (FileVault/BitLocker/LUKS)",
        ),
        Some((dir, false)) if !dir.is_empty() => {
            tokio::task::spawn_blocking(move || host::storage(std::path::Path::new(&dir)))
                .await
                .unwrap_or_else(|e| Fact::unavailable(format!("storage probe panicked: {e}")))
        }
        _ => Fact::unavailable("the engine did not report its data-root (DockerRootDir)"),
    };

    let compose_files = compose_files(&engine, host_facts, local).await;
    let mut host = base.into_host(data_root_storage);
    host.compose_files = compose_files;

    Snapshot {
        schema_version: SNAPSHOT_SCHEMA_VERSION,
        collected_at,
        tool_version: crate::VERSION.to_owned(),
        endpoint: Endpoint {
            host: opts.endpoint.host.clone(),
            source: opts.endpoint.source.clone(),
            local,
            tls: opts.endpoint.tls_dir.is_some(),
        },
        engine,
        host,
        vulnerabilities: Fact::unavailable(crate::snapshot::VULNS_NOT_SCANNED),
    }
}

/// The Compose files the containers' labels name, read on this machine for their lines. A remote
/// engine's files are on its own machine: a file of the same path here would be another file,
/// so nothing is read and every line stays unknown.
async fn compose_files(
    engine: &Fact<crate::snapshot::Engine>,
    host_facts: bool,
    local: bool,
) -> Fact<Vec<crate::snapshot::ComposeFile>> {
    let mut paths: Vec<String> = engine
        .ok()
        .and_then(|e| e.containers.ok())
        .into_iter()
        .flatten()
        .filter(|c| c.compose_service().is_some())
        .filter_map(|c| c.compose_files())
        .flatten()
        .collect();
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        return Fact::available(Vec::new());
    }
    if !host_facts {
        return Fact::unavailable("host facts were not collected");
    }
    if !local {
        return Fact::unavailable("the engine is remote: its Compose files are on another machine");
    }
    tokio::task::spawn_blocking(move || host::compose::read(&paths)).await.map_or_else(
        |e| Fact::unavailable(format!("reading the Compose files panicked: {e}")),
        Fact::available,
    )
}

/// Connects to the engine and subscribes to the events that can change a verdict (read-only:
/// `GET /events`). Each item describes one event ("container start web"); the stream ends or
/// errs when the engine goes away.
pub(crate) async fn events(
    opts: &CollectOptions,
) -> Result<impl futures_util::Stream<Item = Result<String, String>> + use<>, String> {
    let client = docker::connect(opts).await?;
    Ok(docker::watch_events(&client))
}

/// A unix socket forwarded from another machine (`ssh -L /tmp/d.sock:/var/run/docker.sock`, or a
/// scanner running in a container with the host's socket mounted) looks local but is not: no
/// dockerd here serves it, and the engine names another host. Host facts then describe the wrong
/// machine, so the endpoint is treated as remote. Docker Desktop (daemon in a VM, never visible
/// as a process) is local by design.
fn forwarded_from_elsewhere(
    opts: &CollectOptions,
    info: Option<&crate::snapshot::EngineInfo>,
    base: &host::Base,
) -> bool {
    let Some(info) = info else { return false };
    let no_local_dockerd = matches!(base.dockerd, Fact::Available { value: None });
    let hostname = base.os.ok().map(|o| o.hostname.as_str()).unwrap_or_default();
    opts.endpoint.host.starts_with("unix://")
        && no_local_dockerd
        && !info.is_docker_desktop()
        && !info.name.is_empty()
        && !hostname.is_empty()
        && !info.name.eq_ignore_ascii_case(hostname)
}

impl host::Base {
    fn into_host(self, data_root_storage: Fact<crate::snapshot::StorageFacts>) -> Host {
        Host {
            os: self.os,
            user: self.user,
            docker_group: self.docker_group,
            socket: self.socket,
            daemon_json: self.daemon_json,
            dockerd: self.dockerd,
            data_root_storage,
            root_storage: self.root_storage,
            client_config: self.client_config,
            lsm: self.lsm,
            desktop: self.desktop,
            audit: self.audit,
            monitoring_agents: self.monitoring_agents,
            docker_files: self.docker_files,
            compose_files: Fact::available(Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{DockerdProcess, EngineInfo, HostOs};

    #[test]
    fn a_forwarded_socket_is_not_local() {
        let opts = CollectOptions {
            endpoint: ResolvedEndpoint::new(
                "unix:///tmp/fwd.sock",
                crate::snapshot::EndpointSource::Flag,
                None,
            ),
            timeout: Duration::from_secs(1),
            concurrency: 1,
            docker_config_dir: None,
            home: None,
            host_facts: true,
            processes: false,
            progress: None,
        };
        let mut base = host::Base::failed("test");
        base.os = Fact::available(HostOs { hostname: "laptop".into(), ..HostOs::default() });
        base.dockerd = Fact::available(None);
        let remote = EngineInfo { name: "build-server".into(), ..EngineInfo::default() };
        assert!(forwarded_from_elsewhere(&opts, Some(&remote), &base));
        let same = EngineInfo { name: "laptop".into(), ..EngineInfo::default() };
        assert!(
            !forwarded_from_elsewhere(&opts, Some(&same), &base),
            "a proxy socket on this machine stays local"
        );
        let desktop = EngineInfo {
            name: "docker-desktop".into(),
            operating_system: "Docker Desktop".into(),
            ..remote.clone()
        };
        assert!(!forwarded_from_elsewhere(&opts, Some(&desktop), &base));
        base.dockerd = Fact::available(Some(DockerdProcess::default()));
        assert!(!forwarded_from_elsewhere(&opts, Some(&remote), &base), "a dockerd here serves it");
    }
}
