//! Choosing the Docker endpoint the way the `docker` CLI does: `--host`, else `DOCKER_HOST`, else
//! `DOCKER_CONTEXT`, else `currentContext` in `config.json`, else the platform's default socket.
//! bollard reads none of the context files, so this module does.
//!
//! When nothing chose an engine and the default socket does not exist, the places rootless
//! dockerd and Podman listen are tried in [`DISCOVERY_ORDER`] (the `docker` CLI would fail there;
//! a user of rootless Docker or Podman who never set `DOCKER_HOST` still gets a scan, and the
//! report says which socket was found).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::snapshot::EndpointSource;

/// The default socket on this platform.
pub const DEFAULT_HOST: &str =
    if cfg!(windows) { "npipe:////./pipe/docker_engine" } else { "unix:///var/run/docker.sock" };

/// The environment endpoint resolution reads; a value so tests can pass their own.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `DOCKER_HOST`.
    pub docker_host: Option<String>,
    /// `DOCKER_CONTEXT`.
    pub docker_context: Option<String>,
    /// `DOCKER_CONFIG`.
    pub docker_config: Option<PathBuf>,
    /// `DOCKER_TLS_VERIFY` set (non-empty).
    pub tls_verify: bool,
    /// `DOCKER_CERT_PATH`.
    pub cert_path: Option<PathBuf>,
    /// The home directory.
    pub home: Option<PathBuf>,
    /// `$XDG_RUNTIME_DIR` (else `/run/user/UID` for a non-root user): where rootless dockerd and
    /// rootless Podman put their sockets.
    pub xdg_runtime_dir: Option<PathBuf>,
    /// The root the well-known sockets are looked for under (`/`); `None`: no discovery, the
    /// default socket is used whether it exists or not (tests, and other platforms).
    pub discover_under: Option<PathBuf>,
}

/// Where an engine is looked for when nothing chose one, in order, after `--host`,
/// `DOCKER_HOST`, `DOCKER_CONTEXT` and the client config's `currentContext`: the path (under
/// `$XDG_RUNTIME_DIR` when it starts with `$XDG_RUNTIME_DIR/`, else absolute) and what listens
/// there. The first socket that exists wins; when none does, the default socket is used (and the
/// error names it). The rootful default comes first, as in the `docker` CLI; rootless dockerd
/// before Podman, because a machine with both most likely uses Docker's tools.
pub const DISCOVERY_ORDER: [(&str, &str); 4] = [
    ("/var/run/docker.sock", "dockerd"),
    ("$XDG_RUNTIME_DIR/docker.sock", "rootless dockerd"),
    ("$XDG_RUNTIME_DIR/podman/podman.sock", "rootless Podman"),
    ("/run/podman/podman.sock", "Podman"),
];

impl Env {
    /// The current process environment.
    pub fn current() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Env {
            docker_host: var("DOCKER_HOST"),
            docker_context: var("DOCKER_CONTEXT"),
            docker_config: var("DOCKER_CONFIG").map(PathBuf::from),
            tls_verify: var("DOCKER_TLS_VERIFY").is_some(),
            cert_path: var("DOCKER_CERT_PATH").map(PathBuf::from),
            home: var("HOME").or_else(|| var("USERPROFILE")).map(PathBuf::from),
            xdg_runtime_dir: var("XDG_RUNTIME_DIR").map(PathBuf::from).or_else(default_runtime_dir),
            discover_under: cfg!(unix).then(|| PathBuf::from("/")),
        }
    }

    /// The places [`DISCOVERY_ORDER`] names, resolved, with what listens there; a
    /// `$XDG_RUNTIME_DIR` place is skipped when that directory is unknown.
    pub fn discovery_candidates(&self) -> Vec<(PathBuf, &'static str)> {
        let Some(root) = &self.discover_under else { return Vec::new() };
        DISCOVERY_ORDER
            .iter()
            .filter_map(|(path, engine)| {
                let path = match path.strip_prefix("$XDG_RUNTIME_DIR/") {
                    Some(rest) => self.xdg_runtime_dir.as_ref()?.join(rest),
                    None => root.join(path.trim_start_matches('/')),
                };
                Some((path, *engine))
            })
            .collect()
    }

    /// `$DOCKER_CONFIG`, else `~/.docker`.
    pub fn docker_config_dir(&self) -> Option<PathBuf> {
        self.docker_config.clone().or_else(|| self.home.as_ref().map(|h| h.join(".docker")))
    }
}

/// A chosen endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEndpoint {
    /// `unix:///…`, `tcp://…`, `npipe://…`, `ssh://…`.
    pub host: String,
    /// How it was chosen.
    pub source: EndpointSource,
    /// Directory with `ca.pem`, `cert.pem`, `key.pem` when TLS is used.
    pub tls_dir: Option<PathBuf>,
    /// The client key's path when it is not `tls_dir/key.pem`: the desktop app keeps an added
    /// engine's key in the OS keyring and hands it over as an in-memory file (`/proc/self/fd/N`).
    pub tls_key: Option<PathBuf>,
    /// Whether the engine runs on this machine.
    pub local: bool,
}

impl ResolvedEndpoint {
    /// An endpoint for `host` chosen by `source`.
    pub fn new(host: &str, source: EndpointSource, tls_dir: Option<PathBuf>) -> Self {
        ResolvedEndpoint { host: host.to_owned(), source, tls_dir, tls_key: None, local: is_local(host) }
    }

    /// The socket path, for unix endpoints.
    pub fn socket_path(&self) -> Option<PathBuf> {
        self.host.strip_prefix("unix://").map(PathBuf::from)
    }
}

/// Whether an endpoint is on this machine: a unix socket or named pipe, or tcp to loopback.
pub fn is_local(host: &str) -> bool {
    if host.starts_with("unix://") || host.starts_with("npipe://") {
        return true;
    }
    let Some(rest) = host
        .strip_prefix("tcp://")
        .or_else(|| host.strip_prefix("http://"))
        .or_else(|| host.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let hostname = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    hostname == "localhost" || hostname == "::1" || hostname.starts_with("127.")
}

/// Resolves the endpoint with the `docker` CLI's precedence.
pub fn resolve(flag: Option<&str>, env: &Env) -> Result<ResolvedEndpoint, crate::Error> {
    let tls_from_env =
        || env.tls_verify.then(|| env.cert_path.clone().or_else(|| env.docker_config_dir())).flatten();
    if let Some(host) = flag {
        return Ok(ResolvedEndpoint::new(&normalise(host)?, EndpointSource::Flag, tls_from_env()));
    }
    if let Some(host) = &env.docker_host {
        return Ok(ResolvedEndpoint::new(&normalise(host)?, EndpointSource::DockerHost, tls_from_env()));
    }
    let config_dir = env.docker_config_dir();
    let context = match (&env.docker_context, config_dir.as_deref()) {
        (Some(name), _) => Some(name.clone()),
        (None, Some(dir)) => current_context(dir)?,
        (None, None) => None,
    };
    match context {
        Some(name) if name != "default" => {
            let dir = config_dir.ok_or_else(|| {
                crate::Error::Endpoint("no home directory to find Docker contexts in".into())
            })?;
            context_endpoint(&dir, &name)
        }
        // An explicitly chosen `default` context means the default socket, as in the docker CLI.
        Some(_) => Ok(ResolvedEndpoint::new(DEFAULT_HOST, EndpointSource::Default, None)),
        None => Ok(discover(env)),
    }
}

/// The first socket of [`DISCOVERY_ORDER`] that exists; the default socket when none does.
fn discover(env: &Env) -> ResolvedEndpoint {
    let found = env.discovery_candidates().into_iter().find(|(path, _)| is_socket(path));
    match found {
        Some((_, "dockerd")) | None => ResolvedEndpoint::new(DEFAULT_HOST, EndpointSource::Default, None),
        Some((path, engine)) => ResolvedEndpoint::new(
            &format!("unix://{}", path.display()),
            EndpointSource::Discovered { engine: engine.to_owned() },
            None,
        ),
    }
}

#[cfg(unix)]
fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

#[cfg(not(unix))]
fn is_socket(_path: &Path) -> bool {
    false
}

/// `/run/user/UID` for a non-root user whose session set no `$XDG_RUNTIME_DIR` (systemd's place);
/// none for root, which has no rootless engine of its own.
#[cfg(unix)]
fn default_runtime_dir() -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective uid: no unsafe geteuid() needed.
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    (uid != 0).then(|| PathBuf::from(format!("/run/user/{uid}")))
}

#[cfg(not(unix))]
fn default_runtime_dir() -> Option<PathBuf> {
    None
}

fn normalise(host: &str) -> Result<String, crate::Error> {
    let host = host.trim();
    if host.contains("://") {
        Ok(host.to_owned())
    } else if host.starts_with('/') {
        Ok(format!("unix://{host}"))
    } else {
        Err(crate::Error::Endpoint(format!(
            "`{host}` is not a Docker host: use unix:///path/to/docker.sock or tcp://host:port"
        )))
    }
}

/// The `currentContext` of the client config. A missing or unreadable file names none (the docker
/// CLI's default); a file that is not JSON is an error: it may name the context the user means, and
/// falling back to the default socket without a word could scan another engine.
fn current_context(config_dir: &Path) -> Result<Option<String>, crate::Error> {
    let path = config_dir.join("config.json");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        crate::Error::Endpoint(format!(
            "{} is not valid JSON ({e}), so the current Docker context is unknown: fix the file, or choose \
             the engine with --host, DOCKER_HOST or DOCKER_CONTEXT",
            path.display()
        ))
    })?;
    Ok(value.get("currentContext").and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_owned))
}

/// Resolves the endpoint of an explicitly chosen Docker context (`--context NAME`), which, as in
/// the `docker` CLI, takes precedence over `DOCKER_HOST` and `DOCKER_CONTEXT`.
pub fn resolve_context(name: &str, env: &Env) -> Result<ResolvedEndpoint, crate::Error> {
    let env = Env { docker_host: None, docker_context: Some(name.to_owned()), ..env.clone() };
    resolve(None, &env)
}

/// An engine the user can choose: every Docker context (including `default`), and `DOCKER_HOST`
/// when set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KnownEngine {
    /// The context's name (`default`, `remote`), or `DOCKER_HOST`.
    pub name: String,
    /// Its endpoint (`unix:///var/run/docker.sock`, `tcp://10.1.2.3:2376`, `ssh://…`).
    pub host: String,
    /// Whether the `docker` CLI would use it now (the precedence [`resolve`] applies).
    pub current: bool,
    /// Why it cannot be used, if it cannot (an unreadable context).
    pub problem: Option<String>,
}

/// Every engine the `docker` CLI knows on this machine: the contexts in the client config's
/// context store plus `DOCKER_HOST`. A context whose meta file cannot be read is listed with the
/// reason rather than dropped.
pub fn known_engines(env: &Env) -> Vec<KnownEngine> {
    let current = resolve(None, env).ok().map(|r| (r.host, r.source));
    let is_current =
        |host: &str, source: &EndpointSource| current.as_ref().is_some_and(|(h, s)| h == host && s == source);
    let mut out = Vec::new();
    if let Some(host) = &env.docker_host
        && let Ok(host) = normalise(host)
    {
        let current = is_current(&host, &EndpointSource::DockerHost);
        out.push(KnownEngine { name: "DOCKER_HOST".into(), host, current, problem: None });
    }
    out.push(KnownEngine {
        name: "default".into(),
        host: DEFAULT_HOST.into(),
        current: is_current(DEFAULT_HOST, &EndpointSource::Default),
        problem: None,
    });
    let Some(dir) = env.docker_config_dir() else { return out };
    let Ok(entries) = std::fs::read_dir(dir.join("contexts").join("meta")) else { return out };
    let mut contexts: Vec<KnownEngine> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path().join("meta.json")).ok()?;
            let meta: serde_json::Value = serde_json::from_str(&text).ok()?;
            let name = meta["Name"].as_str()?.to_owned();
            Some(match context_endpoint(&dir, &name) {
                Ok(r) => {
                    let source = EndpointSource::Context { name: name.clone() };
                    KnownEngine { current: is_current(&r.host, &source), name, host: r.host, problem: None }
                }
                Err(e) => {
                    KnownEngine { name, host: String::new(), current: false, problem: Some(e.to_string()) }
                }
            })
        })
        .collect();
    contexts.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(contexts);
    out
}

/// The directory name of a context: the hex SHA-256 of its name (docker/cli's context store).
pub fn context_digest(name: &str) -> String {
    Sha256::digest(name.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn context_endpoint(config_dir: &Path, name: &str) -> Result<ResolvedEndpoint, crate::Error> {
    let digest = context_digest(name);
    let meta_path = config_dir.join("contexts").join("meta").join(&digest).join("meta.json");
    let text = std::fs::read_to_string(&meta_path).map_err(|e| {
        crate::Error::Endpoint(format!(
            "Docker context `{name}` is selected but {} cannot be read ({e}): run `docker context ls`, or set DOCKER_HOST",
            meta_path.display()
        ))
    })?;
    let meta: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        crate::Error::Endpoint(format!(
            "Docker context `{name}`: {} is not valid JSON ({e})",
            meta_path.display()
        ))
    })?;
    let docker = &meta["Endpoints"]["docker"];
    let host = docker["Host"].as_str().ok_or_else(|| {
        crate::Error::Endpoint(format!(
            "Docker context `{name}` has no docker endpoint in {}",
            meta_path.display()
        ))
    })?;
    let tls_dir = config_dir.join("contexts").join("tls").join(&digest).join("docker");
    let tls = (tls_dir.join("ca.pem").exists() || tls_dir.join("cert.pem").exists()).then_some(tls_dir);
    Ok(ResolvedEndpoint::new(&normalise(host)?, EndpointSource::Context { name: name.to_owned() }, tls))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_flag_host_context_default() {
        let dir = std::env::temp_dir().join(format!("zd-endpoint-{}", std::process::id()));
        let meta = dir.join("contexts/meta").join(context_digest("remote"));
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            r#"{"Name":"remote","Endpoints":{"docker":{"Host":"tcp://10.1.2.3:2376"}}}"#,
        )
        .unwrap();
        std::fs::write(dir.join("config.json"), r#"{"currentContext":"remote"}"#).unwrap();
        let mut env = Env { docker_config: Some(dir.clone()), ..Env::default() };

        let ctx = resolve(None, &env).unwrap();
        assert_eq!((ctx.host.as_str(), ctx.local), ("tcp://10.1.2.3:2376", false));
        assert_eq!(ctx.source, EndpointSource::Context { name: "remote".into() });

        env.docker_context = Some("default".into());
        assert_eq!(resolve(None, &env).unwrap().host, DEFAULT_HOST);

        env.docker_host = Some("unix:///tmp/x.sock".into());
        assert_eq!(resolve(None, &env).unwrap().source, EndpointSource::DockerHost);
        assert_eq!(resolve(Some("/run/d.sock"), &env).unwrap().host, "unix:///run/d.sock");

        // `--context` wins over DOCKER_HOST, as in the docker CLI.
        assert_eq!(resolve_context("remote", &env).unwrap().host, "tcp://10.1.2.3:2376");
        let known = known_engines(&env);
        let names: Vec<(&str, bool)> = known.iter().map(|k| (k.name.as_str(), k.current)).collect();
        assert_eq!(names, [("DOCKER_HOST", true), ("default", false), ("remote", false)]);

        env.docker_host = None;
        env.docker_context = Some("missing".into());
        let err = resolve(None, &env).unwrap_err().to_string();
        assert!(err.contains("`missing`") && err.contains("docker context ls"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A client config that is not JSON may name the context the user means: say so, with the file
    /// and serde_json's position, rather than scan the default socket. DOCKER_CONTEXT, DOCKER_HOST
    /// and --host still decide without reading it; a missing file names no context.
    #[test]
    fn a_broken_client_config_is_an_error_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("zd-endpoint-broken-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut env = Env { docker_config: Some(dir.clone()), ..Env::default() };
        assert_eq!(resolve(None, &env).unwrap().source, EndpointSource::Default, "no config.json");
        std::fs::write(dir.join("config.json"), "{\"currentContext\": \"remote\",\n").unwrap();
        let err = resolve(None, &env).unwrap_err().to_string();
        assert!(err.contains(&dir.join("config.json").display().to_string()), "{err}");
        assert!(err.contains("line 2 column 0"), "{err}");
        assert!(err.contains("DOCKER_HOST"), "{err}");
        env.docker_context = Some("default".into());
        assert_eq!(resolve(None, &env).unwrap().host, DEFAULT_HOST);
        env.docker_context = None;
        env.docker_host = Some("unix:///tmp/x.sock".into());
        assert_eq!(resolve(None, &env).unwrap().source, EndpointSource::DockerHost);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Nothing chose an engine: the default socket when it exists, else rootless dockerd's, rootless
    /// Podman's and rootful Podman's, in [`DISCOVERY_ORDER`]; a file that is not a socket does not
    /// count; an explicit `default` context is never redirected; nothing found: the default socket.
    #[cfg(unix)]
    #[test]
    fn discovery_finds_rootless_dockerd_then_podman() {
        use std::os::unix::net::UnixListener;
        let root = std::env::temp_dir().join(format!("zd-endpoint-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let runtime = root.join("run/user/1000");
        for dir in [root.join("var/run"), runtime.join("podman"), root.join("run/podman")] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let mut env = Env {
            xdg_runtime_dir: Some(runtime.clone()),
            discover_under: Some(root.clone()),
            docker_config: Some(root.join("no-config")),
            ..Env::default()
        };
        let resolved = |env: &Env| {
            let r = resolve(None, env).unwrap();
            (r.host, r.source)
        };
        let found = |path: &Path, engine: &str| {
            (format!("unix://{}", path.display()), EndpointSource::Discovered { engine: engine.into() })
        };
        // Nothing listens anywhere: the default socket, whose absence the connection reports.
        assert_eq!(resolved(&env), (DEFAULT_HOST.to_owned(), EndpointSource::Default));
        let _rootful_podman = UnixListener::bind(root.join("run/podman/podman.sock")).unwrap();
        assert_eq!(resolved(&env), found(&root.join("run/podman/podman.sock"), "Podman"));
        let _rootless_podman = UnixListener::bind(runtime.join("podman/podman.sock")).unwrap();
        assert_eq!(resolved(&env), found(&runtime.join("podman/podman.sock"), "rootless Podman"));
        // A regular file where the socket would be is not an engine.
        std::fs::write(runtime.join("docker.sock"), "").unwrap();
        assert_eq!(resolved(&env), found(&runtime.join("podman/podman.sock"), "rootless Podman"));
        std::fs::remove_file(runtime.join("docker.sock")).unwrap();
        let _rootless_docker = UnixListener::bind(runtime.join("docker.sock")).unwrap();
        assert_eq!(resolved(&env), found(&runtime.join("docker.sock"), "rootless dockerd"));
        let _rootful = UnixListener::bind(root.join("var/run/docker.sock")).unwrap();
        assert_eq!(resolved(&env), (DEFAULT_HOST.to_owned(), EndpointSource::Default));
        std::fs::remove_file(root.join("var/run/docker.sock")).unwrap();
        // An explicit choice is never redirected: the `default` context, DOCKER_HOST.
        env.docker_context = Some("default".into());
        assert_eq!(resolved(&env), (DEFAULT_HOST.to_owned(), EndpointSource::Default));
        env.docker_context = None;
        env.docker_host = Some("unix:///tmp/x.sock".into());
        assert_eq!(resolved(&env).1, EndpointSource::DockerHost);
        env.docker_host = None;
        // Without $XDG_RUNTIME_DIR only the system-wide places are tried.
        env.xdg_runtime_dir = None;
        assert_eq!(resolved(&env), found(&root.join("run/podman/podman.sock"), "Podman"));
        assert_eq!(
            EndpointSource::Discovered { engine: "rootless Podman".into() }.describe(),
            "found: rootless Podman's socket"
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn locality() {
        assert!(is_local("unix:///var/run/docker.sock"));
        assert!(is_local("tcp://127.0.0.1:2375"));
        assert!(is_local("tcp://localhost:2376"));
        assert!(is_local("tcp://[::1]:2376"));
        assert!(!is_local("tcp://10.0.0.5:2376"));
        assert!(!is_local("ssh://user@host"));
    }
}
