//! The only module that knows bollard's types: connects to the engine, makes read-only calls
//! (GET only: version, info, list/inspect containers and images, exec inspect, container top,
//! image history, networks, volumes)
//! concurrently and time-bounded, and converts the answers into the snapshot model.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bollard::Docker;
use bollard::models::{
    ContainerInspectResponse, HealthConfig, ImageHistoryResponseItem, ImageInspect, SystemInfo, SystemVersion,
};
use bollard::query_parameters::{ListContainersOptionsBuilder, ListImagesOptionsBuilder};
use futures_util::stream::{self, StreamExt};

use super::{CollectOptions, Stage};
use crate::snapshot::secrets;
use crate::snapshot::{
    Component, Container, ContainerNetwork, Device, Engine, EngineInfo, EngineProduct, EngineVersion,
    ExecSession, Fact, Healthcheck, HistoryEntry, Image, Mount, Network, PortBinding, RestartPolicy,
    SwarmCluster, SwarmInfo as SnapshotSwarmInfo, SwarmManagerStatus, SwarmNode, SwarmService, Ulimit,
    Volume,
};

/// Why a call failed, in words that say what to do.
pub(crate) fn explain_error(err: &bollard::errors::Error, endpoint: &str) -> String {
    use bollard::errors::Error as E;
    if let E::SocketNotFoundError(path) = err {
        return format!(
            "no Docker socket at {path}: is the Docker daemon running? Start it (e.g. `sudo systemctl start docker`) \
             or point DOCKER_HOST / --host at the right socket"
        );
    }
    if let E::RequestTimeoutError = err {
        return format!(
            "the Docker engine at {endpoint} did not answer in time: it may be overloaded or hung"
        );
    }
    if let E::DockerResponseServerError { status_code, message } = err {
        return format!("the Docker engine answered {status_code}: {message}");
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::PermissionDenied => format!(
                    "permission denied on {endpoint}: run zerodock with sudo, or as a user in the socket's group \
                     (usually `docker`, which is root-equivalent — see check HST003)"
                ),
                std::io::ErrorKind::ConnectionRefused => {
                    format!(
                        "nothing answers at {endpoint}: the socket exists but the Docker daemon is not running"
                    )
                }
                std::io::ErrorKind::NotFound => {
                    format!("no Docker socket at {endpoint}: is the Docker daemon running?")
                }
                _ => format!("cannot talk to the Docker engine at {endpoint}: {io}"),
            };
        }
        source = e.source();
    }
    format!("cannot talk to the Docker engine at {endpoint}: {err}")
}

/// Connects and negotiates the API version. Old engines (API 1.41) and new ones (1.5x) both work:
/// bollard sends unversioned paths and the daemon answers in its own schema; negotiation keeps that
/// true should bollard change.
pub(crate) async fn connect(opts: &CollectOptions) -> Result<Docker, String> {
    let host = opts.endpoint.host.as_str();
    let timeout = opts.timeout.as_secs().max(1);
    let docker = if let Some(path) = host.strip_prefix("unix://") {
        Docker::connect_with_unix(path, timeout, bollard::API_DEFAULT_VERSION)
    } else if host.starts_with("tcp://") || host.starts_with("http://") || host.starts_with("https://") {
        match &opts.endpoint.tls_dir {
            Some(dir) => Docker::connect_with_ssl(
                host,
                &opts.endpoint.tls_key.clone().unwrap_or_else(|| dir.join("key.pem")),
                &dir.join("cert.pem"),
                &dir.join("ca.pem"),
                timeout,
                bollard::API_DEFAULT_VERSION,
            ),
            None => Docker::connect_with_http(host, timeout, bollard::API_DEFAULT_VERSION),
        }
    } else if host.starts_with("npipe://") {
        Docker::connect_with_host(host)
    } else if host.starts_with("ssh://") {
        let target = super::ssh::SshTarget::parse(host)?;
        target.preflight(host, opts.timeout).await?;
        super::ssh::connect(target, opts.timeout)
    } else {
        return Err(format!("endpoint {host} is not supported: use unix://, tcp:// or ssh://"));
    }
    .map_err(|e| explain_error(&e, host))?;
    // A hung engine's first unanswered call is this one: name it, as every other call's timeout does.
    let docker = bounded(opts.timeout, docker.negotiate_version()).await.map_err(|e| match e {
        CallError::Timeout | CallError::Api(bollard::errors::Error::RequestTimeoutError) => format!(
            "the Docker engine at {host} did not answer `GET /version` within {} s: it may be overloaded or hung",
            opts.timeout.as_secs()
        ),
        CallError::Api(e) => explain_error(&e, host),
    })?;
    Ok(docker)
}

/// An image's `docker save` archive as it arrives from the engine, chunk by chunk.
pub type ImageExport =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<bytes::Bytes, String>> + Send>>;

/// Streams `GET /images/{id}/get` (the `docker save` tar) for reading an image's package
/// database. A read-only call, but dockerd logs an image `save` event for it: vulnerability
/// scanning is therefore an explicit step, never part of an event-driven re-evaluation.
/// The archive is handed on as it arrives so no image is ever held in memory or on disk whole.
pub async fn export_image(opts: &CollectOptions, image_id: &str) -> Result<ImageExport, String> {
    let docker = connect(opts).await?;
    let host = opts.endpoint.host.clone();
    let stream = docker.export_image(image_id).map(move |chunk| chunk.map_err(|e| explain_error(&e, &host)));
    Ok(Box::pin(stream))
}

enum CallError {
    Timeout,
    Api(bollard::errors::Error),
}

/// Every call is bounded: a hung daemon makes that fact unavailable instead of hanging the scan.
async fn bounded<T>(
    limit: Duration,
    call: impl Future<Output = Result<T, bollard::errors::Error>>,
) -> Result<T, CallError> {
    match tokio::time::timeout(limit, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(CallError::Api(e)),
        Err(_) => Err(CallError::Timeout),
    }
}

fn is_not_found(e: &CallError) -> bool {
    matches!(e, CallError::Api(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }))
}

/// Collects every engine fact. Parts fail independently; a daemon that dies mid-scan leaves the
/// parts read before it died and marks the rest unavailable with the reason.
pub(crate) async fn collect(docker: &Docker, opts: &CollectOptions) -> Engine {
    let host = opts.endpoint.host.as_str();
    let t = opts.timeout;
    // A timeout names the call and the limit: "did not answer in time" alone does not tell a
    // user which part of a hung daemon to look at, nor that `--timeout` exists.
    let explain_call = |call: &'static str| {
        move |e: CallError| match e {
            // bollard's own client timeout (the same limit) may fire first.
            CallError::Timeout | CallError::Api(bollard::errors::Error::RequestTimeoutError) => format!(
                "the Docker engine at {host} did not answer `{call}` within {} s: it may be overloaded or hung (a longer --timeout waits more)",
                t.as_secs()
            ),
            // A newer engine's answer (an enum value or shape bollard does not know): say which
            // call, and that the engine did answer — "cannot talk to" would send users to the socket.
            CallError::Api(e) if is_decode_error(&e) => format!(
                "the Docker engine at {host} answered `{call}` in a form this ZeroDock cannot decode (an engine newer than it knows?): {e}"
            ),
            CallError::Api(e) => explain_error(&e, host),
        }
    };
    let (version, info, containers, images, networks, volumes) = tokio::join!(
        bounded(t, docker.version()),
        bounded(t, docker.info()),
        collect_containers(docker, opts),
        collect_images(docker, opts),
        bounded(t, docker.list_networks(None)),
        bounded(t, docker.list_volumes(None::<bollard::query_parameters::ListVolumesOptions>)),
    );
    let mut info: Fact<EngineInfo> = info.map(convert_info).map_err(explain_call("GET /info")).into();
    let version: Fact<EngineVersion> =
        version.map(convert_version).map_err(explain_call("GET /version")).into();
    if let Some(i) = info.ok_mut()
        && EngineProduct::identify(version.ok(), Some(i)) == EngineProduct::Podman
    {
        // Unreadable: rootful is assumed, as before this was read; the other checks still run.
        i.rootless = podman_rootless(opts).await.unwrap_or(false);
    }
    // CIS 7.4: a manager's secret names (a worker's API refuses the call). `GET /swarm`, whose
    // answer holds the join tokens, is never called.
    if let Some(swarm) = info.ok_mut().and_then(|i| i.swarm.as_mut()) {
        swarm.secrets = Some(if swarm.control_available {
            bounded(t, docker.list_secrets(None))
                .await
                .map(|list| {
                    let mut names: Vec<String> =
                        list.into_iter().filter_map(|s| s.spec.and_then(|spec| spec.name)).collect();
                    names.sort();
                    names
                })
                .map_err(explain_call("GET /secrets"))
                .into()
        } else {
            Fact::unavailable("this swarm node is a worker: only a manager can list the swarm's secrets")
        });
        // CIS 7.1/7.2/7.4: each manager's reachability and address, and which service uses which
        // secret. Both are manager-only GETs; of a service only its name and secret names are kept.
        let worker = |what: &str| format!("this swarm node is a worker: only a manager can list {what}");
        if swarm.control_available {
            swarm.node_list = Some(
                bounded(t, docker.list_nodes(None))
                    .await
                    .map(|list| {
                        let mut nodes: Vec<SwarmNode> = list.into_iter().map(convert_node).collect();
                        nodes.sort_by(|a, b| a.hostname.cmp(&b.hostname));
                        nodes
                    })
                    .map_err(explain_call("GET /nodes"))
                    .into(),
            );
            swarm.services = Some(
                bounded(t, docker.list_services(None))
                    .await
                    .map(|list| {
                        let mut services: Vec<SwarmService> = list.into_iter().map(convert_service).collect();
                        services.sort_by(|a, b| a.name.cmp(&b.name));
                        services
                    })
                    .map_err(explain_call("GET /services"))
                    .into(),
            );
        } else {
            swarm.node_list = Some(Fact::unavailable(worker("the swarm's nodes")));
            swarm.services = Some(Fact::unavailable(worker("the swarm's services")));
        }
    }
    let mut notes = Vec::new();
    let mut undecoded_containers = Vec::new();
    let mut undecoded_images = Vec::new();
    let containers = match containers {
        Ok(part) => {
            notes.extend(
                part.gone.into_iter().map(|id| format!("container {id} was removed during the scan")),
            );
            for (id, reason) in part.undecoded {
                notes.push(format!("container {id}: the engine's answer could not be decoded: {reason}"));
                undecoded_containers.push(id);
            }
            Fact::available(part.items)
        }
        Err(e) => Fact::unavailable(explain_call("GET /containers/json")(e)),
    };
    let images = match images {
        Ok(part) => {
            notes.extend(part.gone.into_iter().map(|id| format!("image {id} was removed during the scan")));
            for (id, reason) in part.undecoded {
                notes.push(format!("image {id}: the engine's answer could not be decoded: {reason}"));
                undecoded_images.push(id);
            }
            Fact::available(part.items)
        }
        Err(e) => Fact::unavailable(explain_call("GET /images/json")(e)),
    };
    let networks: Fact<Vec<Network>> = networks
        .map(|list| {
            let mut list: Vec<Network> = list.into_iter().map(convert_network).collect();
            list.sort_by(|a, b| a.name.cmp(&b.name));
            list
        })
        .map_err(explain_call("GET /networks"))
        .into();
    let volumes: Fact<Vec<Volume>> = volumes
        .map(|resp| {
            let mut list: Vec<Volume> =
                resp.volumes.unwrap_or_default().into_iter().map(convert_volume).collect();
            list.sort_by(|a, b| a.name.cmp(&b.name));
            list
        })
        .map_err(explain_call("GET /volumes"))
        .into();
    // A call that failed (a slow engine's timeout names the call and the limit) is said once where
    // every output lists what happened during the scan — `zerodock watch` prints these — not only
    // in the unknown verdicts it causes.
    let failed = [version.get().err(), info.get().err(), containers.get().err(), images.get().err()];
    let failed = failed.into_iter().chain([networks.get().err(), volumes.get().err()]);
    let failed: Vec<String> = failed.flatten().map(str::to_owned).collect();
    notes.splice(0..0, failed);
    Engine {
        version,
        info,
        containers,
        images,
        networks,
        volumes,
        notes,
        undecoded_containers,
        undecoded_images,
    }
}

/// A list of inspected objects, with those that vanished or could not be decoded set aside.
struct Part<T> {
    items: Vec<T>,
    /// Short ids removed between list and inspect.
    gone: Vec<String>,
    /// Short ids and the decoder's complaint.
    undecoded: Vec<(String, String)>,
}

impl<T> Part<T> {
    /// Sorts one inspect result into the part: a 404 or a decode error sets the object aside, any
    /// other error (transport, timeout, server error) fails the whole list.
    fn absorb<R>(
        &mut self,
        id: &str,
        result: Result<R, CallError>,
        convert: impl FnOnce(R) -> T,
    ) -> Result<(), CallError> {
        let short = crate::snapshot::short_id(id).to_owned();
        match result {
            Ok(raw) => self.items.push(convert(raw)),
            Err(e) if is_not_found(&e) => self.gone.push(short),
            Err(CallError::Api(e)) if is_decode_error(&e) => self.undecoded.push((short, e.to_string())),
            Err(e) => return Err(e),
        }
        Ok(())
    }
}

/// The engine answered, but not in a shape bollard's models accept (a newer or patched engine):
/// one odd object must not blind the scan to all the others.
fn is_decode_error(e: &bollard::errors::Error) -> bool {
    use bollard::errors::Error as E;
    matches!(e, E::JsonDataError { .. } | E::JsonSerdeError { .. } | E::StrParseError { .. })
}

/// Lists every container (all states) and inspects each, `opts.concurrency` at a time. Containers
/// removed between list and inspect (404) or whose answer cannot be decoded are set aside and
/// reported; any other failure fails the whole part, because a partial list would read as "all
/// clear" for the missing ones.
async fn collect_containers(docker: &Docker, opts: &CollectOptions) -> Result<Part<Container>, CallError> {
    let list = bounded(
        opts.timeout,
        docker.list_containers(Some(ListContainersOptionsBuilder::default().all(true).build())),
    )
    .await?;
    let ids: Vec<String> = list.into_iter().filter_map(|c| c.id).collect();
    let total = ids.len();
    opts.report(Stage::Containers, 0, total);
    let done = AtomicUsize::new(0);
    let done = &done;
    let results: Vec<(String, Result<InspectedContainer, CallError>)> = stream::iter(ids)
        .map(|id| async move {
            let r = match bounded(opts.timeout, docker.inspect_container(&id, None)).await {
                Ok(inspect) => {
                    let extras = container_extras(docker, opts, &id, &inspect).await;
                    Ok((inspect, extras))
                }
                Err(e) => Err(e),
            };
            opts.report(Stage::Containers, done.fetch_add(1, Ordering::Relaxed) + 1, total);
            (id, r)
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    let mut part = Part { items: Vec::with_capacity(results.len()), gone: Vec::new(), undecoded: Vec::new() };
    for (id, result) in results {
        part.absorb(&id, result, |(inspect, extras)| {
            let mut c = convert_container(inspect);
            // The id we asked about: an answer without `Id`, or with another one (a broken or
            // hostile engine), must not lose or change the object's identity, which findings,
            // waivers and fingerprints key on. Found by tests/fuzz_engine_api.rs.
            c.id.clone_from(&id);
            c.exec_sessions = Some(extras.exec_sessions);
            c.processes = extras.processes;
            c
        })?;
    }
    part.items.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    part.undecoded.sort();
    Ok(part)
}

/// A container's inspect answer and what further GETs read about it.
type InspectedContainer = (ContainerInspectResponse, Extras);

/// What a container's inspect does not carry, read with further GETs.
struct Extras {
    /// `GET /exec/{id}/json` for each of `ExecIDs`.
    exec_sessions: Fact<Vec<ExecSession>>,
    /// `GET /containers/{id}/top`, running containers only.
    processes: Option<Fact<Vec<String>>>,
}

/// `ps` arguments for `GET /containers/{id}/top`: the PID column dockerd needs to match
/// processes to the container, and the executable name only (`comm`), never the command line,
/// which may hold credentials.
const TOP_PS_ARGS: &str = "-eo pid,comm";

/// Reads a container's `docker exec` sessions and (when it runs) its process names. An exec
/// that vanished between the inspect and its own inspect (404) is left out; any other failure
/// makes that part unavailable, with the reason.
async fn container_extras(
    docker: &Docker,
    opts: &CollectOptions,
    id: &str,
    inspect: &ContainerInspectResponse,
) -> Extras {
    let host = opts.endpoint.host.as_str();
    let exec_ids = inspect.exec_ids.clone().unwrap_or_default();
    let execs = async {
        let mut sessions = Vec::new();
        for exec in &exec_ids {
            match bounded(opts.timeout, docker.inspect_exec(exec)).await {
                Ok(e) => sessions.push(convert_exec(exec, e)),
                Err(e) if is_not_found(&e) => {}
                Err(CallError::Timeout) => {
                    return Fact::unavailable(format!("`GET /exec/{exec}/json` did not answer in time"));
                }
                Err(CallError::Api(e)) => return Fact::unavailable(explain_error(&e, host)),
            }
        }
        sessions.sort_by(|a, b| a.id.cmp(&b.id));
        Fact::available(sessions)
    };
    let running = inspect.state.as_ref().and_then(|s| s.running).unwrap_or(false);
    let top = async {
        if !running {
            return None;
        }
        if !opts.processes {
            return Some(Fact::unavailable(crate::snapshot::PROCESSES_NOT_READ));
        }
        let options = bollard::query_parameters::TopOptions { ps_args: TOP_PS_ARGS.to_owned() };
        Some(match bounded(opts.timeout, docker.top_processes(id, Some(options))).await {
            Ok(top) => Fact::available(process_names(top)),
            Err(CallError::Timeout) => Fact::unavailable("`GET /containers/{id}/top` did not answer in time"),
            Err(CallError::Api(e)) => Fact::unavailable(explain_error(&e, host)),
        })
    };
    let (exec_sessions, processes) = tokio::join!(execs, top);
    Extras { exec_sessions, processes }
}

fn convert_exec(id: &str, e: bollard::models::ExecInspectResponse) -> ExecSession {
    let process = e.process_config.unwrap_or_default();
    ExecSession {
        id: crate::snapshot::short_id(id).to_owned(),
        privileged: process.privileged.unwrap_or(false),
        user: process.user.unwrap_or_default(),
        running: e.running.unwrap_or(false),
    }
}

/// The executable name of each process of a `top` answer: the `COMMAND`/`CMD` column, reduced
/// to its first word's file name (an engine that ignored `ps_args` answers with whole command
/// lines; their arguments are dropped here), sorted and de-duplicated.
fn process_names(top: bollard::models::ContainerTopResponse) -> Vec<String> {
    let titles = top.titles.unwrap_or_default();
    let Some(column) = titles.iter().position(|t| matches!(t.as_str(), "COMMAND" | "CMD" | "Name")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = top
        .processes
        .unwrap_or_default()
        .into_iter()
        .filter_map(|row| row.into_iter().nth(column))
        .filter_map(|cmd| {
            let first = cmd.split_whitespace().next()?.to_owned();
            Some(first.rsplit('/').next().unwrap_or(&first).to_owned())
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// An image's inspect data and history, as the engine returned them.
type ImageData = (ImageInspect, Vec<ImageHistoryResponseItem>);

/// Lists every image and inspects each with its history, concurrently.
async fn collect_images(docker: &Docker, opts: &CollectOptions) -> Result<Part<Image>, CallError> {
    let list = bounded(
        opts.timeout,
        docker.list_images(Some(ListImagesOptionsBuilder::default().all(false).build())),
    )
    .await?;
    let ids: Vec<String> = list.into_iter().map(|i| i.id).collect();
    let total = ids.len();
    opts.report(Stage::Images, 0, total);
    let done = AtomicUsize::new(0);
    let done = &done;
    let results: Vec<(String, Result<ImageData, CallError>)> = stream::iter(ids)
        .map(|id| async move {
            let r = async {
                let (inspect, history) = tokio::join!(
                    bounded(opts.timeout, docker.inspect_image(&id)),
                    bounded(opts.timeout, docker.image_history(&id))
                );
                Ok((inspect?, history?))
            }
            .await;
            opts.report(Stage::Images, done.fetch_add(1, Ordering::Relaxed) + 1, total);
            (id, r)
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    let mut part = Part { items: Vec::with_capacity(results.len()), gone: Vec::new(), undecoded: Vec::new() };
    for (id, result) in results {
        part.absorb(&id, result, |(inspect, history)| {
            let mut image = convert_image(inspect, history);
            image.id.clone_from(&id); // as for containers
            image
        })?;
    }
    part.items.sort_by(|a, b| a.display_name().cmp(&b.display_name()).then_with(|| a.id.cmp(&b.id)));
    part.undecoded.sort();
    Ok(part)
}

fn convert_version(v: SystemVersion) -> EngineVersion {
    let mut components: Vec<Component> = v
        .components
        .unwrap_or_default()
        .into_iter()
        .map(|c| Component { name: c.name, version: c.version })
        .collect();
    components.sort_by(|a, b| a.name.cmp(&b.name));
    EngineVersion {
        version: v.version.unwrap_or_default(),
        api_version: v.api_version.unwrap_or_default(),
        min_api_version: v.min_api_version,
        platform_name: v.platform.map(|p| p.name).filter(|n| !n.is_empty()),
        os: v.os.unwrap_or_default(),
        arch: v.arch.unwrap_or_default(),
        kernel_version: v.kernel_version,
        experimental: v.experimental.unwrap_or(false),
        components,
    }
}

fn convert_info(i: SystemInfo) -> EngineInfo {
    let registry = i.registry_config.unwrap_or_default();
    let mut insecure_registries: Vec<String> = registry
        .index_configs
        .unwrap_or_default()
        .into_values()
        .filter(|idx| idx.secure == Some(false))
        .filter_map(|idx| idx.name)
        .collect();
    insecure_registries.sort();
    let mut runtimes: Vec<String> = i.runtimes.unwrap_or_default().into_keys().collect();
    runtimes.sort();
    EngineInfo {
        id: i.id.unwrap_or_default(),
        name: i.name.unwrap_or_default(),
        operating_system: i.operating_system.unwrap_or_default(),
        os_type: i.os_type.unwrap_or_default(),
        kernel_version: i.kernel_version.unwrap_or_default(),
        docker_root_dir: i.docker_root_dir.unwrap_or_default(),
        driver: i.driver.unwrap_or_default(),
        logging_driver: i.logging_driver.unwrap_or_default(),
        cgroup_driver: i.cgroup_driver.map(|d| d.to_string()).unwrap_or_default(),
        cgroup_version: i.cgroup_version.map(|d| d.to_string()).unwrap_or_default(),
        security_options: i.security_options.unwrap_or_default(),
        live_restore_enabled: i.live_restore_enabled.unwrap_or(false),
        experimental_build: i.experimental_build.unwrap_or(false),
        debug: i.debug.unwrap_or(false),
        warnings: i.warnings.unwrap_or_default(),
        insecure_registry_cidrs: registry.insecure_registry_cidrs.unwrap_or_default(),
        insecure_registries,
        registry_mirrors: registry.mirrors.unwrap_or_default(),
        authorization_plugins: i.plugins.and_then(|p| p.authorization).unwrap_or_default(),
        default_runtime: i.default_runtime.unwrap_or_default(),
        runtimes,
        swarm_state: i
            .swarm
            .as_ref()
            .and_then(|s| s.local_node_state)
            .map(|s| s.to_string())
            .unwrap_or_default(),
        swarm: i.swarm.and_then(convert_swarm),
        containers: i.containers.unwrap_or(0),
        containers_running: i.containers_running.unwrap_or(0),
        images: i.images.unwrap_or(0),
        ncpu: i.ncpu.unwrap_or(0),
        mem_total: i.mem_total.unwrap_or(0),
        rootless: false,
    }
}

/// Podman's `Rootless` field of `GET /info`, which bollard's model drops. Read with a plain
/// HTTP/1.0 GET on the same unix socket (one more read-only call, made for Podman only): rootless
/// Podman, unlike rootless dockerd, does not say `name=rootless` in `SecurityOptions`.
async fn podman_rootless(opts: &CollectOptions) -> Result<bool, String> {
    let Some(socket) = opts.endpoint.socket_path() else {
        return Err("Podman's `Rootless` is read over a unix socket only".into());
    };
    let limit = opts.timeout;
    let body = tokio::task::spawn_blocking(move || raw_get(&socket, "/info", limit))
        .await
        .map_err(|e| format!("reading GET /info: {e}"))??;
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| format!("GET /info is not JSON: {e}"))?;
    Ok(value.get("Rootless").and_then(serde_json::Value::as_bool).unwrap_or(false))
}

/// One `GET path` over a unix socket (HTTP/1.0: the server closes the connection after the
/// answer, so the body is whatever follows the headers).
#[cfg(unix)]
fn raw_get(socket: &std::path::Path, path: &str, limit: Duration) -> Result<Vec<u8>, String> {
    use std::io::{Read, Write};
    let fail = |e: std::io::Error| format!("GET {path} on {}: {e}", socket.display());
    let mut stream = std::os::unix::net::UnixStream::connect(socket).map_err(fail)?;
    stream.set_read_timeout(Some(limit)).map_err(fail)?;
    stream.set_write_timeout(Some(limit)).map_err(fail)?;
    stream.write_all(format!("GET {path} HTTP/1.0\r\nHost: engine\r\n\r\n").as_bytes()).map_err(fail)?;
    let mut answer = Vec::new();
    stream.take(16 << 20).read_to_end(&mut answer).map_err(fail)?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("GET {path}: no HTTP answer"))?;
    let status = answer.split(|b| *b == b'\n').next().unwrap_or_default();
    if !status.windows(5).any(|w| w == b" 200 ") {
        return Err(format!("GET {path}: {}", String::from_utf8_lossy(status).trim()));
    }
    Ok(answer[split + 4..].to_vec())
}

#[cfg(not(unix))]
fn raw_get(_socket: &std::path::Path, path: &str, _limit: Duration) -> Result<Vec<u8>, String> {
    Err(format!("GET {path}: unix sockets only"))
}

/// The swarm facts of an active node; `None` when swarm mode is off. Only `/info` is read: the
/// join tokens of `GET /swarm` never reach the snapshot because that call is never made.
fn convert_swarm(s: bollard::models::SwarmInfo) -> Option<SnapshotSwarmInfo> {
    if s.local_node_state.map(|st| st.to_string()).as_deref() != Some("active") {
        return None;
    }
    let mut manager_addrs: Vec<String> =
        s.remote_managers.unwrap_or_default().into_iter().filter_map(|m| m.addr).collect();
    manager_addrs.sort();
    let cluster = s.cluster.map(|c| {
        let spec = c.spec.unwrap_or_default();
        let ca = spec.ca_config.unwrap_or_default();
        SwarmCluster {
            autolock_managers: spec.encryption_config.and_then(|e| e.auto_lock_managers).unwrap_or(false),
            node_cert_expiry_ns: ca.node_cert_expiry,
            external_ca: ca.external_cas.is_some_and(|e| !e.is_empty()),
            root_rotation_in_progress: c.root_rotation_in_progress.unwrap_or(false),
            data_path_port: c.data_path_port,
        }
    });
    Some(SnapshotSwarmInfo {
        node_addr: s.node_addr.unwrap_or_default(),
        control_available: s.control_available.unwrap_or(false),
        managers: s.managers.unwrap_or(0),
        nodes: s.nodes.unwrap_or(0),
        manager_addrs,
        cluster,
        secrets: None,
        node_list: None,
        services: None,
    })
}

/// `GET /nodes` item → what 7.1/7.2 need: role, state, and a manager's reachability and address.
fn convert_node(n: bollard::models::Node) -> SwarmNode {
    let spec = n.spec.unwrap_or_default();
    SwarmNode {
        hostname: n.description.and_then(|d| d.hostname).unwrap_or_default(),
        role: spec.role.map(|r| r.to_string()).unwrap_or_default(),
        availability: spec.availability.map(|a| a.to_string()).unwrap_or_default(),
        state: n.status.and_then(|s| s.state).map(|s| s.to_string()).unwrap_or_default(),
        manager: n.manager_status.map(|m| SwarmManagerStatus {
            leader: m.leader.unwrap_or(false),
            reachability: m.reachability.map(|r| r.to_string()).unwrap_or_default(),
            addr: m.addr.unwrap_or_default(),
        }),
    }
}

/// `GET /services` item → its name and the names of the secrets it is granted; the rest of the
/// spec (environment, mounts) is dropped here, so no credential it holds reaches the snapshot.
fn convert_service(s: bollard::models::Service) -> SwarmService {
    let spec = s.spec.unwrap_or_default();
    let mut secrets: Vec<String> = spec
        .task_template
        .and_then(|t| t.container_spec)
        .and_then(|c| c.secrets)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| s.secret_name)
        .collect();
    secrets.sort();
    SwarmService { name: spec.name.unwrap_or_default(), secrets }
}

fn healthcheck(h: Option<&HealthConfig>) -> Healthcheck {
    match h.and_then(|h| h.test.as_deref()) {
        None | Some([]) => Healthcheck::Absent,
        Some([first, ..]) if first == "NONE" => Healthcheck::Disabled,
        Some(_) => Healthcheck::Defined,
    }
}

fn caps(list: Option<Vec<String>>) -> Vec<String> {
    list.unwrap_or_default()
        .into_iter()
        .map(|c| {
            let upper = c.to_ascii_uppercase();
            upper.strip_prefix("CAP_").map(str::to_owned).unwrap_or(upper)
        })
        .collect()
}

fn sorted_map(map: Option<std::collections::HashMap<String, String>>) -> BTreeMap<String, String> {
    map.unwrap_or_default().into_iter().collect()
}

/// A port map (`HostConfig.PortBindings` or `NetworkSettings.Ports`) as sorted bindings; ports
/// exposed without a host binding (`null`) are left out.
fn flatten_ports(map: Option<bollard::models::PortMap>) -> Vec<PortBinding> {
    let mut bindings: Vec<PortBinding> = map
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(port, bindings)| {
            bindings.unwrap_or_default().into_iter().map(move |b| PortBinding {
                container_port: port.clone(),
                host_ip: b.host_ip.unwrap_or_default(),
                host_port: b.host_port.unwrap_or_default(),
            })
        })
        .collect();
    bindings.sort_by(|a, b| {
        (&a.container_port, &a.host_ip, &a.host_port).cmp(&(&b.container_port, &b.host_ip, &b.host_port))
    });
    bindings.dedup();
    bindings
}

fn convert_container(c: ContainerInspectResponse) -> Container {
    let config = c.config.unwrap_or_default();
    let hc = c.host_config.unwrap_or_default();
    let state = c.state.unwrap_or_default();
    let log = hc.log_config.unwrap_or_default();
    let port_bindings = flatten_ports(hc.port_bindings);
    let network_settings = c.network_settings.unwrap_or_default();
    let published_ports = flatten_ports(network_settings.ports);
    let mut networks: Vec<ContainerNetwork> = network_settings
        .networks
        .unwrap_or_default()
        .into_iter()
        .map(|(name, ep)| ContainerNetwork {
            name,
            network_id: ep.network_id.unwrap_or_default(),
            ip_address: ep.ip_address.unwrap_or_default(),
        })
        .collect();
    networks.sort_by(|a, b| a.name.cmp(&b.name));
    let mut mounts: Vec<Mount> = c
        .mounts
        .unwrap_or_default()
        .into_iter()
        .map(|m| Mount {
            kind: m.typ.unwrap_or_default(),
            source: m.source.unwrap_or_default(),
            destination: m.destination.unwrap_or_default(),
            rw: m.rw.unwrap_or(false),
            propagation: m.propagation.unwrap_or_default(),
            name: m.name,
        })
        .collect();
    mounts.sort_by(|a, b| a.destination.cmp(&b.destination));
    Container {
        id: c.id.unwrap_or_default(),
        name: c.name.unwrap_or_default().trim_start_matches('/').to_owned(),
        image: config.image.clone().unwrap_or_default(),
        image_id: c.image.unwrap_or_default(),
        state: state.status.map(|s| s.to_string()).unwrap_or_default(),
        created: c.created,
        user: config.user.unwrap_or_default(),
        env: secrets::env_vars(&config.env.unwrap_or_default()),
        labels: secrets::redact_labels(config.labels.unwrap_or_default()),
        healthcheck: healthcheck(config.healthcheck.as_ref()),
        health_status: state.health.and_then(|h| h.status).map(|s| s.to_string()).filter(|s| !s.is_empty()),
        privileged: hc.privileged.unwrap_or(false),
        cap_add: caps(hc.cap_add),
        cap_drop: caps(hc.cap_drop),
        security_opt: hc.security_opt.unwrap_or_default(),
        apparmor_profile: c.app_armor_profile.unwrap_or_default(),
        process_label: c.process_label.unwrap_or_default(),
        network_mode: hc.network_mode.unwrap_or_default(),
        pid_mode: hc.pid_mode.unwrap_or_default(),
        ipc_mode: hc.ipc_mode.unwrap_or_default(),
        uts_mode: hc.uts_mode.unwrap_or_default(),
        userns_mode: hc.userns_mode.unwrap_or_default(),
        readonly_rootfs: hc.readonly_rootfs.unwrap_or(false),
        memory: hc.memory.unwrap_or(0),
        nano_cpus: hc.nano_cpus.unwrap_or(0),
        cpu_quota: hc.cpu_quota.unwrap_or(0),
        cpu_shares: hc.cpu_shares.unwrap_or(0),
        pids_limit: hc.pids_limit,
        restart_policy: hc
            .restart_policy
            .map(|r| RestartPolicy {
                name: r.name.map(|n| n.to_string()).unwrap_or_default(),
                maximum_retry_count: r.maximum_retry_count.unwrap_or(0),
            })
            .unwrap_or_default(),
        port_bindings,
        publish_all_ports: hc.publish_all_ports.unwrap_or(false),
        published_ports,
        mounts,
        devices: hc
            .devices
            .unwrap_or_default()
            .into_iter()
            .map(|d| Device {
                path_on_host: d.path_on_host.unwrap_or_default(),
                path_in_container: d.path_in_container.unwrap_or_default(),
                permissions: d.cgroup_permissions.unwrap_or_default(),
            })
            .collect(),
        log_driver: log.typ.unwrap_or_default(),
        log_opts: log
            .config
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let v = secrets::log_opt_value(&k, v);
                (k, v)
            })
            .collect(),
        networks,
        runtime: hc.runtime.unwrap_or_default(),
        ulimits: hc
            .ulimits
            .unwrap_or_default()
            .into_iter()
            .map(|u| Ulimit {
                name: u.name.unwrap_or_default(),
                soft: u.soft.unwrap_or(0),
                hard: u.hard.unwrap_or(0),
            })
            .collect(),
        cgroup_parent: hc.cgroup_parent.unwrap_or_default(),
        exec_sessions: None,
        processes: None,
    }
}

/// Reduces a history line to its instruction, dropping the command text (it may hold secrets).
fn history_entry(item: &ImageHistoryResponseItem) -> HistoryEntry {
    let created_by = item.created_by.trim();
    let body = created_by
        .strip_prefix("/bin/sh -c #(nop)")
        .map(str::trim)
        .or_else(|| created_by.strip_prefix("|").map(|_| "RUN"))
        .or_else(|| created_by.strip_prefix("/bin/sh -c").map(|_| "RUN"))
        .unwrap_or(created_by);
    let (instruction, rest) = match body.split_once(char::is_whitespace) {
        Some((first, rest)) => (first, rest.trim()),
        None => (body, ""),
    };
    let instruction = if created_by.is_empty() && item.comment.contains("Imported") {
        "IMPORT".to_owned()
    } else if instruction.chars().all(|c| c.is_ascii_uppercase()) && !instruction.is_empty() {
        instruction.to_owned()
    } else if instruction.is_empty() {
        "UNKNOWN".to_owned()
    } else {
        "RUN".to_owned()
    };
    let names = match instruction.as_str() {
        // History shows values unquoted (`ENV DB_PASSWORD=correct horse battery staple`): only
        // `key=` tokens name a variable; a lone `ARG NAME` declares one without a value.
        "ENV" | "ARG" => rest
            .split_whitespace()
            .enumerate()
            .filter_map(|(i, token)| match token.split_once('=') {
                Some((key, _)) => Some(key),
                None => (instruction == "ARG" && i == 0 && !rest.contains('=')).then_some(token),
            })
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let remote_source = instruction == "ADD"
        && (rest.contains("http://") || rest.contains("https://") || rest.contains("git@"));
    let update_only = instruction == "RUN" && is_update_only(created_by);
    HistoryEntry { instruction, names, remote_source, update_only, size: item.size }
}

/// Whether a `RUN` line only refreshes a package index: every command of it (split at `&&`, `;`,
/// `||`) is an index update. Read here, where the command text is; only the verdict is kept.
fn is_update_only(created_by: &str) -> bool {
    let text = created_by.split(" # buildkit").next().unwrap_or(created_by);
    let command = text.rsplit_once("/bin/sh -c").map_or(text, |(_, c)| c).trim();
    let commands: Vec<Vec<&str>> = command
        .split([';', '&', '|'])
        .map(|part| part.split_whitespace().filter(|w| !w.starts_with('-')).collect::<Vec<_>>())
        .filter(|words| !words.is_empty())
        .collect();
    let is_update = |words: &Vec<&str>| {
        let words: Vec<&str> = words.iter().copied().skip_while(|w| *w == "sudo").collect();
        matches!(
            words.as_slice(),
            ["apt-get" | "apt" | "apk" | "aptitude", "update"]
                | ["yum" | "dnf" | "microdnf", "makecache" | "check-update"]
                | ["zypper", "refresh" | "ref"]
        )
    };
    !commands.is_empty() && commands.iter().all(is_update)
}

fn convert_image(i: ImageInspect, history: Vec<ImageHistoryResponseItem>) -> Image {
    let config = i.config.unwrap_or_default();
    let mut repo_tags = i.repo_tags.unwrap_or_default();
    repo_tags.sort();
    let mut history: Vec<HistoryEntry> = history.iter().map(history_entry).collect();
    history.reverse(); // the API lists the newest layer first
    Image {
        id: i.id.unwrap_or_default(),
        repo_tags,
        repo_digests: i.repo_digests.unwrap_or_default(),
        created: i.created,
        size: i.size.unwrap_or(0),
        user: config.user.unwrap_or_default(),
        env: secrets::env_vars(&config.env.unwrap_or_default()),
        healthcheck: healthcheck(config.healthcheck.as_ref()),
        exposed_ports: config.exposed_ports.unwrap_or_default(),
        labels: secrets::redact_labels(config.labels.unwrap_or_default()),
        os: i.os.unwrap_or_default(),
        architecture: i.architecture.unwrap_or_default(),
        history,
    }
}

fn convert_network(n: bollard::models::Network) -> Network {
    Network {
        id: n.id.unwrap_or_default(),
        name: n.name.unwrap_or_default(),
        driver: n.driver.unwrap_or_default(),
        scope: n.scope.unwrap_or_default(),
        internal: n.internal.unwrap_or(false),
        enable_ipv6: n.enable_ipv6.unwrap_or(false),
        options: sorted_map(n.options),
        labels: secrets::redact_labels(n.labels.unwrap_or_default()),
    }
}

fn convert_volume(v: bollard::models::Volume) -> Volume {
    Volume {
        name: v.name,
        driver: v.driver,
        mountpoint: v.mountpoint,
        scope: v.scope.map(|s| s.to_string()).unwrap_or_default(),
        labels: secrets::redact_labels(v.labels),
    }
}

/// The engine events that can change a verdict, as short descriptions ("container start web").
/// The stream ends (or yields an error) when the engine goes away.
pub(crate) fn watch_events(
    docker: &Docker,
) -> impl futures_util::Stream<Item = Result<String, String>> + use<> {
    use std::collections::HashMap;
    let filters: HashMap<String, Vec<String>> = HashMap::from([
        ("type".to_owned(), vec!["container".into(), "network".into(), "image".into()]),
        (
            "event".to_owned(),
            [
                "create",
                "start",
                "update",
                "die",
                "destroy",
                "rename",
                "connect",
                "disconnect",
                "pull",
                "tag",
                "untag",
                "delete",
                "load",
                "import",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        ),
    ]);
    let options =
        bollard::query_parameters::EventsOptions { since: None, until: None, filters: Some(filters) };
    docker.events(Some(options)).map(|message| {
        message
            .map(|m| {
                let kind = m.typ.map(|t| t.to_string()).unwrap_or_else(|| "object".to_owned());
                let action = m.action.unwrap_or_default();
                let actor = m.actor.unwrap_or_default();
                let attributes = actor.attributes.unwrap_or_default();
                let name = attributes
                    .get("name")
                    .cloned()
                    .or(actor.id.map(|id| crate::snapshot::short_id(&id).to_owned()))
                    .unwrap_or_default();
                format!("{kind} {action} {name}").trim().to_owned()
            })
            .map_err(|e| match e {
                // bollard's own words are "Timeout error": say what did not come.
                bollard::errors::Error::RequestTimeoutError => {
                    "no answer within the call timeout: the engine may be overloaded or hung".to_owned()
                }
                e => e.to_string(),
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(created_by: &str, comment: &str) -> ImageHistoryResponseItem {
        ImageHistoryResponseItem {
            created_by: created_by.into(),
            comment: comment.into(),
            ..Default::default()
        }
    }

    #[test]
    fn history_keeps_instructions_and_drops_values() {
        let e = history_entry(&item("/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2 PATH=/x", ""));
        assert_eq!(
            (e.instruction.as_str(), e.names.clone()),
            ("ENV", vec!["DB_PASSWORD".to_owned(), "PATH".to_owned()])
        );
        assert!(!format!("{e:?}").contains("hunter2"));
        assert_eq!(history_entry(&item("/bin/sh -c apt-get update", "")).instruction, "RUN");
        assert_eq!(
            history_entry(&item("RUN /bin/sh -c echo hi # buildkit", "buildkit.dockerfile.v0")).instruction,
            "RUN"
        );
        assert!(history_entry(&item("ADD https://x/y.tgz /opt # buildkit", "")).remote_source);
        assert_eq!(history_entry(&item("", "Imported from -")).instruction, "IMPORT");
        assert_eq!(history_entry(&item("|1 TOKEN=abc /bin/sh -c make", "")).instruction, "RUN");
    }

    #[test]
    fn update_alone_is_told_from_update_and_install() {
        for alone in [
            "/bin/sh -c apt-get update",
            "RUN /bin/sh -c apt-get update -q # buildkit",
            "/bin/sh -c apk update",
            "/bin/sh -c yum makecache && dnf check-update",
        ] {
            assert!(history_entry(&item(alone, "")).update_only, "{alone}");
        }
        for not in [
            "/bin/sh -c apt-get update && apt-get install -y curl",
            "/bin/sh -c apk add --no-cache curl",
            "/bin/sh -c #(nop)  ENV A=apt-get update",
            "/bin/sh -c make update",
        ] {
            assert!(!history_entry(&item(not, "")).update_only, "{not}");
        }
    }

    #[test]
    fn history_names_only_keys_of_unquoted_values() {
        let e = history_entry(&item("ENV DB_PASSWORD=correct horse battery staple # buildkit", ""));
        assert_eq!(e.names, ["DB_PASSWORD"]);
        let e = history_entry(&item("/bin/sh -c #(nop)  ENV A=one two B=three", ""));
        assert_eq!(e.names, ["A", "B"]);
        let e = history_entry(&item("ARG API_TOKEN=zd-planted secret words", ""));
        assert_eq!(e.names, ["API_TOKEN"]);
        assert_eq!(history_entry(&item("ARG VERSION", "")).names, ["VERSION"]);
    }

    #[test]
    fn ports_flatten_live_bindings_and_publish_all() {
        use bollard::models::{HostConfig, NetworkSettings, PortBinding as Binding};
        let binding =
            |ip: &str, port: &str| Binding { host_ip: Some(ip.into()), host_port: Some(port.into()) };
        let live = [
            ("80/tcp".to_owned(), Some(vec![binding("0.0.0.0", "32768"), binding("::", "32768")])),
            ("443/tcp".to_owned(), None),
        ];
        let c = convert_container(ContainerInspectResponse {
            host_config: Some(HostConfig { publish_all_ports: Some(true), ..Default::default() }),
            network_settings: Some(NetworkSettings {
                ports: Some(live.into_iter().collect()),
                ..Default::default()
            }),
            config: Some(bollard::models::ContainerConfig {
                labels: Some(
                    [
                        ("com.docker.compose.service".to_owned(), "web".to_owned()),
                        ("traefik.basicauth.users".to_owned(), "admin:zd-planted".to_owned()),
                    ]
                    .into_iter()
                    .collect(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        });
        assert!(c.publish_all_ports);
        assert!(c.port_bindings.is_empty());
        let live: Vec<(&str, &str)> =
            c.published_ports.iter().map(|b| (b.container_port.as_str(), b.host_ip.as_str())).collect();
        assert_eq!(live, [("80/tcp", "0.0.0.0"), ("80/tcp", "::")]);
        assert_eq!(c.labels["com.docker.compose.service"], "web");
        assert_eq!(c.labels["traefik.basicauth.users"], "<redacted>");
    }

    #[test]
    fn a_decode_error_sets_one_object_aside() {
        let mut part: Part<u32> = Part { items: Vec::new(), gone: Vec::new(), undecoded: Vec::new() };
        let bad = serde_json::from_str::<u32>("\"x\"").unwrap_err();
        assert!(part.absorb("aaaaaaaaaaaaaaaa", Ok(1u32), |x| x).is_ok());
        let decode = Err(CallError::Api(bollard::errors::Error::JsonSerdeError { err: bad }));
        assert!(part.absorb("bbbbbbbbbbbbbbbbbbbb", decode, |x: u32| x).is_ok());
        let gone = Err(CallError::Api(bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            message: "gone".into(),
        }));
        assert!(part.absorb("cccccccccccccccc", gone, |x: u32| x).is_ok());
        assert!(part.absorb("dddd", Err(CallError::Timeout), |x: u32| x).is_err());
        assert_eq!(part.items, [1]);
        assert_eq!(part.gone, ["cccccccccccc"]);
        assert_eq!(part.undecoded.len(), 1);
        assert_eq!(part.undecoded[0].0, "bbbbbbbbbbbb");
    }
}
