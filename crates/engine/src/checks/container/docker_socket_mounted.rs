//! CTR003 docker-socket-mounted.

use crate::checks::prelude::*;
use crate::snapshot::Mount;

use super::{recreate_without, removed_binds, state_note};

/// File names of container-runtime API sockets: whoever can connect to one controls the runtime.
const RUNTIME_SOCKETS: [&str; 5] =
    ["docker.sock", "containerd.sock", "podman.sock", "crio.sock", "cri-dockerd.sock"];

/// Where the runtimes put their API sockets by default (`/var/run` is usually a symlink to `/run`,
/// but a bind may name either). A bind of one of them, or of any directory above one (`/`, `/run`,
/// `/var`), exposes the socket inside the container.
const DEFAULT_SOCKETS: [&str; 8] = [
    "/run/docker.sock",
    "/var/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/run/podman/podman.sock",
    "/var/run/podman/podman.sock",
    "/run/crio/crio.sock",
    "/var/run/crio/crio.sock",
];

fn is_socket_path(path: &str) -> bool {
    let file = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    RUNTIME_SOCKETS.iter().any(|s| file.ends_with(s))
}

fn trimmed(path: &str) -> &str {
    let t = path.trim_end_matches('/');
    if t.is_empty() { "/" } else { t }
}

/// Whether `path` is `dir` or lies below it.
fn is_under(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// Why `m` exposes a runtime socket, if it does. `engine_socket` is the socket this scan connected
/// through (a unix endpoint), which may have any name.
fn exposes_socket(m: &Mount, engine_socket: Option<&str>) -> Option<String> {
    // A tmpfs or an anonymous mount has no host source; an empty one must not read as `/`.
    if m.source.is_empty() {
        return is_socket_path(&m.destination).then(|| "a container-runtime API socket".to_owned());
    }
    let source = trimmed(&m.source);
    if let Some(sock) = engine_socket.map(trimmed).filter(|s| s.starts_with('/')) {
        if source == sock {
            return Some("the engine's own API socket".to_owned());
        }
        if m.kind == "bind" && is_under(sock, source) {
            return Some(format!("a directory above the engine's socket {sock}"));
        }
    }
    if is_socket_path(source) || is_socket_path(&m.destination) {
        return Some("a container-runtime API socket".to_owned());
    }
    if m.kind == "bind"
        && let Some(sock) = DEFAULT_SOCKETS.iter().find(|sock| is_under(sock, source))
    {
        return Some(format!("a directory above the runtime socket {sock}"));
    }
    None
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let engine_socket = snap.endpoint.host.strip_prefix("unix://");
    each_container(snap, |c| {
        let target = container_target(c);
        let hits: Vec<(&Mount, String)> =
            c.mounts.iter().filter_map(|m| exposes_socket(m, engine_socket).map(|why| (m, why))).collect();
        if hits.is_empty() {
            return Finding::pass(
                target,
                format!("Container `{}` does not mount a container-runtime socket", c.name),
            )
            .evidence(
                "Mounts",
                format!("{} mount(s), none a runtime socket", c.mounts.len()),
                "no docker.sock mount",
            );
        }
        let first = hits[0].0;
        let mut finding = Finding::fail(
            target,
            format!(
                "Container `{}` {} the Docker socket (`{}` at `{}`){}",
                c.name,
                if is_socket_path(&first.source) || is_socket_path(&first.destination) {
                    "mounts"
                } else {
                    "exposes"
                },
                first.source,
                first.destination,
                state_note(c)
            ),
        );
        for (m, why) in &hits {
            let mode = if m.rw { "rw" } else { "ro, which does not restrict API calls" };
            finding = finding.evidence(
                format!("Mounts[{}]", m.destination),
                format!("{} → {} ({mode}): {why}", m.source, m.destination),
                "no runtime socket mounted",
            );
        }
        let (removed, compose_removed) = removed_binds(hits.iter().map(|(m, _)| *m));
        let proxy = format!(
            "docker network create docker-api\n\
             docker run -d --name docker-socket-proxy --network docker-api -e CONTAINERS=1 \\\n  \
             -v {}:/var/run/docker.sock:ro tecnativa/docker-socket-proxy\n\
             docker rm -f {name}\n\
             docker run -d --name {name} --network docker-api -e DOCKER_HOST=tcp://docker-socket-proxy:2375 {}",
            engine_socket.unwrap_or("/var/run/docker.sock"),
            c.image,
            name = c.name,
        );
        finding
            .fixes(recreate_without(
                c,
                &removed,
                "",
                &format!(
                    "# remove from volumes:\n{compose_removed}\n# if it needs the API, use a filtering proxy instead:\n\
                     environment:\n  DOCKER_HOST: tcp://docker-socket-proxy:2375"
                ),
            ))
            .fix(
                SnippetKind::Shell,
                "Only if it needs the API: a proxy that allows read-only container endpoints (waive CTR003 for the proxy alone)",
                proxy,
            )
    })
}

crate::declare_check! {
    /// A container mounts the Docker (or containerd, Podman, CRI-O) API socket.
    ///
    /// ## Rationale
    /// The Docker socket is the Docker API with no authentication: a process that can connect to it
    /// can start a privileged container that mounts `/` and so owns the host. Mounting it read-only
    /// (`:ro`) does not help — `ro` stops writes to the socket *file*, not API calls through it.
    /// Mounting any directory above it (`/run`, `/var`, `/` itself) exposes the socket as well. Monitoring tools, CI runners and
    /// reverse proxies often ask for it; give them a filtering proxy that allows only the read-only
    /// endpoints they need instead.
    ///
    /// ## Evidence
    /// `Mounts[].Source` and `Mounts[].Destination` of every container in every state: a path whose
    /// file name ends in `docker.sock`, `containerd.sock`, `podman.sock`, `crio.sock` or
    /// `cri-dockerd.sock`; the socket this scan connected through (any name); or a bind of any
    /// directory above that socket or above a default runtime socket (`/run/docker.sock`,
    /// `/var/run/docker.sock`, `/run/containerd/containerd.sock`, the Podman and CRI-O sockets) —
    /// `/`, `/run`, `/var` all expose it, read-only or not.
    ///
    /// ## Remediation
    /// Recreate the container without the socket mount. If it really needs the API, point it at a
    /// socket proxy (e.g. `tecnativa/docker-socket-proxy` with only `CONTAINERS=1`) on a private
    /// network via `DOCKER_HOST=tcp://docker-socket-proxy:2375`, or run it against a rootless daemon.
    pub(crate) static CHECK = {
        code: "CTR003",
        slug: "docker-socket-mounted",
        title: "Docker socket mounted in a container",
        category: Containers,
        severity: Critical,
        target: Container,
        references: [
            Reference::Cis("5.32"),
            Reference::Nist("tenet 6: authentication and authorisation enforced before access"),
            Reference::Seed("Best practices §8 Implement Access Controls"),
            Reference::Url("https://docs.docker.com/engine/security/#docker-daemon-attack-surface"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR003` selects its tests")]
mod CTR003 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-docker-sock", "zd-hardened"]);

    #[test]
    fn socket_mount_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-docker-sock"), Status::Fail);
        assert_eq!(status_of(&f, "zd-shared-propagation"), Status::Pass);
        // `-v /:/host` reaches the socket at /host/run/docker.sock.
        assert_eq!(status_of(&f, "zd-host-root"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }

    #[test]
    fn ancestors_of_a_socket_expose_it() {
        use super::exposes_socket;
        use crate::snapshot::Mount;
        let bind = |source: &str, rw: bool| Mount {
            kind: "bind".to_owned(),
            source: source.to_owned(),
            destination: "/x".to_owned(),
            rw,
            ..Mount::default()
        };
        let engine = Some("/srv/dockerd/api.sock");
        assert!(exposes_socket(&bind("/", false), None).is_some());
        assert!(exposes_socket(&bind("/var", true), None).is_some());
        assert!(exposes_socket(&bind("/run/", true), None).is_some());
        assert!(exposes_socket(&bind("/run/containerd", true), None).is_some());
        assert!(exposes_socket(&bind("/srv", false), engine).is_some());
        assert!(exposes_socket(&bind("/srv/dockerd/api.sock", false), engine).is_some());
        assert!(exposes_socket(&bind("/srv/data", true), engine).is_none());
        assert!(exposes_socket(&bind("/etc", true), engine).is_none());
        assert!(exposes_socket(&bind("/running", true), None).is_none());
        let tmpfs = Mount { kind: "tmpfs".to_owned(), destination: "/tmp".to_owned(), ..Mount::default() };
        assert!(exposes_socket(&tmpfs, engine).is_none());
    }

    #[test]
    fn socket_paths() {
        use super::is_socket_path;
        assert!(is_socket_path("/var/run/docker.sock"));
        assert!(is_socket_path("/run/user/1000/docker.sock"));
        assert!(is_socket_path("/run/containerd/containerd.sock"));
        assert!(!is_socket_path("/var/run/docker"));
        assert!(!is_socket_path("/data/sock"));
    }
}
