//! Host probes: OS, user and groups, Docker socket, daemon.json, dockerd's command line, disk
//! encryption, client config, LSMs, Docker Desktop's settings, audit rules, monitoring agents,
//! Docker's own files. Each probe returns a [`Fact`]: what it read, or why it could not (no
//! permission, not this OS).
//!
//! Every probe is synchronous and cheap (file reads, one process-table scan, a time-bounded
//! `auditctl -l` as root); [`collect_base`] runs them one after another on a blocking thread.
//! Probes that read `/proc`, `/sys` or `/etc` take a root prefix internally so unit tests can point
//! them at a fake tree in a temp dir.

mod accounts;
mod audit;
mod client_config;
pub mod compose;
mod daemon_json;
mod desktop;
mod docker_files;
mod dockerd;
mod files;
mod lsm;
mod monitoring;
mod os;
mod processes;
mod storage;
mod user;

use std::io;
use std::path::{Path, PathBuf};

use crate::snapshot::{
    AuditFacts, ClientConfig, DaemonJson, DesktopSettings, DockerFile, DockerdProcess, Fact, FileFacts,
    GroupFacts, HostOs, HostUser, Lsm, StorageFacts,
};

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
    /// See [`crate::snapshot::Host::desktop`].
    pub desktop: Fact<Option<DesktopSettings>>,
    /// See [`crate::snapshot::Host::audit`].
    pub audit: Fact<AuditFacts>,
    /// See [`crate::snapshot::Host::monitoring_agents`].
    pub monitoring_agents: Fact<Vec<String>>,
    /// See [`crate::snapshot::Host::docker_files`].
    pub docker_files: Fact<Vec<DockerFile>>,
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
            desktop: Fact::unavailable(reason),
            audit: Fact::unavailable(reason),
            monitoring_agents: Fact::unavailable(reason),
            docker_files: Fact::unavailable(reason),
        }
    }

    /// Host collection switched off.
    pub fn skipped() -> Self {
        Self::failed("host facts were not collected")
    }
}

/// Collects every engine-independent host fact.
pub fn collect_base(inputs: &Inputs) -> Base {
    let root = Path::new("/");
    let accounts = accounts::Accounts::load(root);
    // One walk of /proc serves dockerd, auditd and the monitoring agents.
    let processes = processes::scan();
    let dockerd = dockerd::probe(inputs, &processes);
    let env = daemon_json::Env::current(inputs.home.clone());
    let daemon_json = daemon_json::probe(&dockerd, &env, &accounts);
    let user = user::probe(root, &accounts);
    let is_root = user.ok().is_some_and(HostUser::is_root);
    let process = dockerd.ok().and_then(Option::as_ref);
    let config = daemon_json.ok().and_then(Option::as_ref);
    let audit = audit::probe(root, is_root, &processes, &audit::cis_paths(process, config));
    let docker_files = docker_files::probe(root, process, config, &accounts);
    Base {
        os: os::probe(),
        user,
        docker_group: user::docker_group(&accounts),
        socket: files::socket(inputs, &accounts),
        root_storage: storage(Path::new("/")),
        client_config: client_config::probe(
            inputs.docker_config_dir.as_deref(),
            std::env::var_os("PATH").as_deref(),
            &accounts,
        ),
        lsm: lsm::probe(root),
        desktop: desktop::probe(&desktop::Paths::current(inputs.home.clone()), &accounts),
        audit,
        monitoring_agents: monitoring::probe(&processes),
        docker_files,
        daemon_json,
        dockerd,
    }
}

/// Storage and encryption facts for a directory.
pub fn storage(path: &Path) -> Fact<StorageFacts> {
    storage::probe(path)
}

/// `abs` (an absolute host path) inside the tree rooted at `root`; `root` is `/` except in tests.
fn under(root: &Path, abs: impl AsRef<Path>) -> PathBuf {
    let abs = abs.as_ref();
    root.join(abs.strip_prefix("/").unwrap_or(abs))
}

/// A path inside the tree rooted at `root`, as an absolute host path (the inverse of [`under`]);
/// `None` when it is outside the tree.
fn host_path(root: &Path, real: &Path) -> Option<String> {
    let root = std::fs::canonicalize(root).ok()?;
    let rel = real.strip_prefix(&root).ok()?;
    Some(Path::new("/").join(rel).display().to_string())
}

/// Why reading `path` failed, in words a user can act on.
fn io_reason(path: &Path, err: &io::Error) -> String {
    let shown = path.display();
    match err.kind() {
        io::ErrorKind::NotFound => format!("{shown} does not exist"),
        io::ErrorKind::PermissionDenied => {
            format!("permission denied reading {shown}: run zerodock with sudo to read it")
        }
        _ => format!("cannot read {shown}: {err}"),
    }
}

/// A JSON parse error located in its file, phrased for someone who will open the file.
fn json_reason(path: &Path, err: &serde_json::Error) -> String {
    format!("{} is not valid JSON (line {}, column {})", path.display(), err.line(), err.column())
}

pub(crate) use crate::snapshot::secrets::redact_userinfo;
pub use daemon_json::parse_settings as parse_daemon_json;

#[cfg(test)]
mod testing {
    //! A throwaway directory for fake `/proc`, `/sys` and `/etc` trees.

    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A temp dir removed on drop.
    pub struct TempDir(PathBuf);

    impl TempDir {
        /// A fresh, empty directory.
        pub fn new() -> Self {
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!("zd-host-test-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("create temp dir");
            TempDir(dir)
        }

        /// The directory.
        pub fn path(&self) -> &Path {
            &self.0
        }

        /// Writes `text` at `rel` (relative, parents created) and returns the full path.
        pub fn write(&self, rel: &str, text: &str) -> PathBuf {
            let path = self.0.join(rel.trim_start_matches('/'));
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create parent");
            }
            std::fs::write(&path, text).expect("write file");
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_joins_absolute_paths_inside_the_root() {
        assert_eq!(under(Path::new("/tmp/x"), "/proc/self/status"), PathBuf::from("/tmp/x/proc/self/status"));
        assert_eq!(under(Path::new("/"), "/etc/group"), PathBuf::from("/etc/group"));
    }

    #[test]
    fn io_reasons_name_the_path_and_the_remedy() {
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(io_reason(Path::new("/etc/docker/daemon.json"), &denied).contains("sudo"));
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(io_reason(Path::new("/nope"), &missing), "/nope does not exist");
    }

    #[test]
    fn userinfo_is_redacted_wherever_a_url_appears() {
        assert_eq!(redact_userinfo("http://bob:s3cret@proxy:3128/"), "http://<redacted>@proxy:3128/");
        assert_eq!(
            redact_userinfo("https://a.example, http://u:p@b.example:80"),
            "https://a.example, http://<redacted>@b.example:80"
        );
        assert_eq!(redact_userinfo("tcp://10.0.0.1:514"), "tcp://10.0.0.1:514");
        assert_eq!(redact_userinfo("plain text @ nothing"), "plain text @ nothing");
        assert_eq!(redact_userinfo("https://x@y/p@q"), "https://<redacted>@y/p@q");
    }

    /// Prints what this machine looks like; run with `--nocapture` to eyeball it. Set
    /// `ZERODOCK_SAMPLE_SOCKET` to probe another daemon than the default socket, and
    /// `ZERODOCK_SAMPLE_DATA_ROOT` to walk a data-root too.
    #[test]
    fn collect_base_on_this_machine() {
        let socket = std::env::var_os("ZERODOCK_SAMPLE_SOCKET")
            .map_or_else(|| PathBuf::from("/var/run/docker.sock"), PathBuf::from);
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let inputs = Inputs {
            socket_path: Some(socket),
            docker_config_dir: home.as_ref().map(|h| h.join(".docker")),
            home,
            local: true,
        };
        let started = std::time::Instant::now();
        let base = collect_base(&inputs);
        let elapsed = started.elapsed();
        println!("collect_base took {elapsed:?}");
        for (name, json) in [
            ("os", serde_json::to_string_pretty(&base.os)),
            ("user", serde_json::to_string_pretty(&base.user)),
            ("docker_group", serde_json::to_string_pretty(&base.docker_group)),
            ("socket", serde_json::to_string_pretty(&base.socket)),
            ("daemon_json", serde_json::to_string_pretty(&base.daemon_json)),
            ("dockerd", serde_json::to_string_pretty(&base.dockerd)),
            ("root_storage", serde_json::to_string_pretty(&base.root_storage)),
            ("client_config", serde_json::to_string_pretty(&base.client_config)),
            ("lsm", serde_json::to_string_pretty(&base.lsm)),
            ("desktop", serde_json::to_string_pretty(&base.desktop)),
            ("audit", serde_json::to_string_pretty(&base.audit)),
            ("monitoring_agents", serde_json::to_string_pretty(&base.monitoring_agents)),
            ("docker_files", serde_json::to_string_pretty(&base.docker_files)),
        ] {
            println!("{name}: {}", json.expect("serialise"));
        }
        if let Some(dir) = std::env::var_os("ZERODOCK_SAMPLE_DATA_ROOT") {
            let facts = storage(Path::new(&dir));
            println!("data_root_storage: {}", serde_json::to_string_pretty(&facts).expect("serialise"));
        }
        if cfg!(target_os = "linux") {
            assert!(base.os.ok().is_some(), "{:?}", base.os);
            assert!(base.user.ok().is_some(), "{:?}", base.user);
            assert!(base.lsm.ok().is_some(), "{:?}", base.lsm);
            assert!(base.monitoring_agents.ok().is_some(), "{:?}", base.monitoring_agents);
            assert!(base.docker_files.ok().is_some(), "{:?}", base.docker_files);
        }
    }
}
