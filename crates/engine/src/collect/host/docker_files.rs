//! Docker's own files and the ownership and mode the benchmark requires of each (CIS 3.1–3.14,
//! 3.19–3.24): systemd units and their drop-ins, `/etc/docker`, registry certificates, the TLS
//! material dockerd is configured with, the environment files its unit reads, containerd's
//! socket. daemon.json and the Docker socket have facts of their own.
//!
//! Files that do not exist are left out, except TLS files dockerd is configured with: a missing
//! one is reported unavailable (the daemon may run in another mount namespace).

use std::path::Path;

use super::accounts::Accounts;
use super::files::file_facts;
use super::{host_path, io_reason, under};
use crate::snapshot::{DaemonJson, DockerFile, DockerdProcess, Fact};

/// Where systemd unit files are installed: local overrides, then the package's (`/lib` is a link
/// to `/usr/lib` on merged-/usr systems; duplicates are merged by their resolved path).
pub(super) const UNIT_DIRS: [&str; 3] =
    ["/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];

/// Where drop-ins that override a unit's settings (its `ExecStart` included) are read.
const DROP_IN_DIRS: [&str; 4] =
    ["/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];

/// containerd's socket when dockerd is not told otherwise.
const CONTAINERD_SOCKET: &str = "/run/containerd/containerd.sock";

/// What the benchmark requires of one kind of file.
#[derive(Debug, Clone, Copy)]
struct Rule {
    role: &'static str,
    cis: &'static str,
    max_mode: u32,
    root_owner: bool,
    root_group: bool,
}

const fn rule(role: &'static str, cis: &'static str, max_mode: u32, root_group: bool) -> Rule {
    Rule { role, cis, max_mode, root_owner: true, root_group }
}

const SERVICE_UNIT: Rule = rule("docker.service unit", "3.1, 3.2", 0o644, true);
const SOCKET_UNIT: Rule = rule("docker.socket unit", "3.3, 3.4", 0o644, true);
const SERVICE_DROP_IN: Rule = rule("docker.service drop-in", "3.1, 3.2", 0o644, true);
const SOCKET_DROP_IN: Rule = rule("docker.socket drop-in", "3.3, 3.4", 0o644, true);
const ETC_DOCKER: Rule = rule("Docker configuration directory", "3.5, 3.6", 0o755, true);
const REGISTRY_CERT: Rule = rule("registry certificate", "3.7, 3.8", 0o444, false);
/// Not named by the benchmark, which only lists `*.crt`: a readable client key lets any local
/// user impersonate this machine to the registry.
const REGISTRY_KEY: Rule = rule("registry client key", "3.7, 3.8", 0o400, false);
const TLS_CA: Rule = rule("TLS CA certificate", "3.9, 3.10", 0o444, true);
const TLS_CERT: Rule = rule("TLS server certificate", "3.11, 3.12", 0o444, true);
const TLS_KEY: Rule = rule("TLS server key", "3.13, 3.14", 0o400, true);
const DEFAULT_ENV: Rule = rule("environment file", "3.19, 3.20", 0o644, true);
const SYSCONFIG_ENV: Rule = rule("environment file", "3.21, 3.22", 0o644, true);
const CONTAINERD_SOCK: Rule = rule("containerd socket", "3.23, 3.24", 0o660, true);

/// The TLS settings: dockerd flag / daemon.json key, and the rule.
const TLS: [(&str, Rule); 3] = [("tlscacert", TLS_CA), ("tlscert", TLS_CERT), ("tlskey", TLS_KEY)];

/// The containerd socket dockerd uses: `--containerd` or daemon.json `containerd`, else the default.
pub(super) fn containerd_socket(
    dockerd: Option<&DockerdProcess>,
    daemon_json: Option<&DaemonJson>,
) -> String {
    setting(dockerd, daemon_json, "containerd").unwrap_or_else(|| CONTAINERD_SOCKET.to_owned())
}

/// An absolute path dockerd is given with `--name` or daemon.json `name`.
fn setting(dockerd: Option<&DockerdProcess>, daemon_json: Option<&DaemonJson>, name: &str) -> Option<String> {
    dockerd
        .and_then(|p| p.flag(name))
        .or_else(|| daemon_json?.settings.get(name)?.as_str().map(str::to_owned))
        .map(|p| p.strip_prefix("unix://").map_or(p.clone(), str::to_owned))
        .filter(|p| p.starts_with('/'))
}

/// Docker's files on this machine (under `root`, `/` except in tests).
pub(super) fn probe(
    root: &Path,
    dockerd: Option<&DockerdProcess>,
    daemon_json: Option<&DaemonJson>,
    accounts: &Accounts,
) -> Fact<Vec<DockerFile>> {
    if !cfg!(target_os = "linux") {
        return Fact::unavailable(
            "Docker's daemon files are inspected on Linux only (Docker Desktop runs the daemon in a VM)",
        );
    }
    let mut files = Files { root, accounts, found: Vec::new() };
    for dir in UNIT_DIRS {
        files.optional(&format!("{dir}/docker.service"), SERVICE_UNIT);
        files.optional(&format!("{dir}/docker.socket"), SOCKET_UNIT);
    }
    for dir in DROP_IN_DIRS {
        files.each_in(&format!("{dir}/docker.service.d"), 1, &|name| {
            name.ends_with(".conf").then_some(SERVICE_DROP_IN)
        });
        files.each_in(&format!("{dir}/docker.socket.d"), 1, &|name| {
            name.ends_with(".conf").then_some(SOCKET_DROP_IN)
        });
    }
    files.optional("/etc/docker", ETC_DOCKER);
    // certs.d/<registry>/{ca.crt,client.cert,client.key}
    files.each_in("/etc/docker/certs.d", 2, &|name| {
        if name.ends_with(".crt") || name.ends_with(".cert") {
            Some(REGISTRY_CERT)
        } else if name.ends_with(".key") {
            Some(REGISTRY_KEY)
        } else {
            None
        }
    });
    for (name, rule) in TLS {
        if let Some(path) = setting(dockerd, daemon_json, name) {
            files.configured(&path, rule, &format!("dockerd's `{name}` setting"));
        }
    }
    files.optional("/etc/default/docker", DEFAULT_ENV);
    files.optional("/etc/sysconfig/docker", SYSCONFIG_ENV);
    files.optional(&containerd_socket(dockerd, daemon_json), CONTAINERD_SOCK);
    Fact::available(files.found)
}

/// The files found so far.
struct Files<'a> {
    root: &'a Path,
    accounts: &'a Accounts,
    found: Vec<DockerFile>,
}

impl Files<'_> {
    /// Adds `path` when it exists (once, by its resolved path).
    fn optional(&mut self, path: &str, rule: Rule) {
        self.add(path, rule, None);
    }

    /// Adds `path`, which dockerd is configured with (`origin`): its absence is notable.
    fn configured(&mut self, path: &str, rule: Rule, origin: &str) {
        self.add(path, rule, Some(origin));
    }

    fn add(&mut self, path: &str, rule: Rule, origin: Option<&str>) {
        let (path, file) = match std::fs::canonicalize(under(self.root, path)) {
            Ok(real) => {
                let shown = host_path(self.root, &real).unwrap_or_else(|| path.to_owned());
                // A masked unit is a link to /dev/null; each file is reported once.
                if real == Path::new("/dev/null")
                    || shown == "/dev/null"
                    || self.found.iter().any(|f| f.path == shown)
                {
                    return;
                }
                let facts = file_facts(&real, self.accounts).map(|mut f| {
                    f.path.clone_from(&shown);
                    f
                });
                (shown, Fact::from(facts))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let Some(origin) = origin else { return };
                let reason = format!(
                    "{path} is named by {origin} but does not exist on this machine (the daemon runs in \
                     another mount namespace?)"
                );
                (path.to_owned(), Fact::unavailable(reason))
            }
            Err(e) => (path.to_owned(), Fact::unavailable(io_reason(Path::new(path), &e))),
        };
        self.found.push(docker_file(rule, path, file));
    }

    /// Adds the files below `dir` (at most `depth` levels down) that `rule_for` gives a rule for
    /// by name, in name order. An unreadable directory is reported as such (under the first rule
    /// it could hold, so the check says which files it could not see).
    fn each_in(&mut self, dir: &str, depth: u32, rule_for: &dyn Fn(&str) -> Option<Rule>) {
        let entries = match std::fs::read_dir(under(self.root, dir)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) => {
                if let Some(rule) = rule_for("x.crt").or_else(|| rule_for("x.conf")) {
                    let reason = format!("its files could not be listed: {}", io_reason(Path::new(dir), &e));
                    self.found.push(docker_file(rule, dir.to_owned(), Fact::unavailable(reason)));
                }
                return;
            }
        };
        let mut names: Vec<String> =
            entries.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        for name in names {
            let path = format!("{}/{name}", dir.trim_end_matches('/'));
            let inside = under(self.root, &path);
            if inside.is_dir() {
                if depth > 1 {
                    self.each_in(&path, depth - 1, rule_for);
                }
            } else if let Some(rule) = rule_for(&name) {
                self.optional(&path, rule);
            }
        }
    }
}

fn docker_file(rule: Rule, path: String, file: Fact<crate::snapshot::FileFacts>) -> DockerFile {
    DockerFile {
        role: rule.role.to_owned(),
        cis: rule.cis.to_owned(),
        path,
        max_mode: rule.max_mode,
        root_owner: rule.root_owner,
        root_group: rule.root_group,
        file,
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::collect::host::testing::TempDir;

    fn no_accounts() -> Accounts {
        Accounts { users: Ok(vec![]), groups: Ok(vec![]) }
    }

    fn chmod(dir: &TempDir, rel: &str, mode: u32) {
        std::fs::set_permissions(dir.path().join(rel), std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    #[test]
    fn finds_the_files_that_exist_with_their_rules() {
        let dir = TempDir::new();
        dir.write("usr/lib/systemd/system/docker.service", "");
        dir.write("usr/lib/systemd/system/docker.socket", "");
        dir.write("etc/systemd/system/docker.service.d/override.conf", "");
        dir.write("etc/systemd/system/docker.service.d/notes.txt", "");
        dir.write("etc/docker/certs.d/registry.example:5000/ca.crt", "");
        dir.write("etc/docker/certs.d/registry.example:5000/client.key", "");
        dir.write("etc/default/docker", "");
        dir.write("srv/tls/key.pem", "");
        std::os::unix::fs::symlink("usr/lib", dir.path().join("lib")).expect("symlink");
        // A masked unit: not a file to judge.
        std::os::unix::fs::symlink("/dev/null", dir.path().join("etc/systemd/system/docker.socket"))
            .expect("symlink");
        chmod(&dir, "etc/docker/certs.d/registry.example:5000/client.key", 0o644);
        chmod(&dir, "etc/docker", 0o755);
        let dockerd = DockerdProcess {
            pid: 1,
            args: ["dockerd", "--tlskey", "/srv/tls/key.pem", "--tlscert=/srv/tls/missing.pem"]
                .map(str::to_owned)
                .to_vec(),
            uid: Some(0),
        };
        let fact = probe(dir.path(), Some(&dockerd), None, &no_accounts());
        let files = fact.get().expect("available");
        let listed: Vec<(&str, &str)> = files.iter().map(|f| (f.role.as_str(), f.path.as_str())).collect();
        assert_eq!(
            listed,
            [
                ("docker.service unit", "/usr/lib/systemd/system/docker.service"),
                ("docker.socket unit", "/usr/lib/systemd/system/docker.socket"),
                ("docker.service drop-in", "/etc/systemd/system/docker.service.d/override.conf"),
                ("Docker configuration directory", "/etc/docker"),
                ("registry certificate", "/etc/docker/certs.d/registry.example:5000/ca.crt"),
                ("registry client key", "/etc/docker/certs.d/registry.example:5000/client.key"),
                ("TLS server certificate", "/srv/tls/missing.pem"),
                ("TLS server key", "/srv/tls/key.pem"),
                ("environment file", "/etc/default/docker"),
            ]
        );
        let key = &files[5];
        assert_eq!((key.max_mode, key.root_owner, key.root_group), (0o400, true, false));
        let facts = key.file.get().expect("stat");
        assert_eq!(
            (facts.mode, facts.path.as_str()),
            (0o644, "/etc/docker/certs.d/registry.example:5000/client.key")
        );
        assert_eq!(key.excess_mode(facts), 0o244);
        assert!(files[6].file.get().is_err_and(|r| r.contains("tlscert") && r.contains("does not exist")));
        assert_eq!(files[3].excess_mode(files[3].file.get().expect("stat")), 0);
    }

    #[test]
    fn the_containerd_socket_follows_dockerd() {
        let dockerd = |args: &[&str]| DockerdProcess {
            pid: 1,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            uid: Some(0),
        };
        assert_eq!(containerd_socket(Some(&dockerd(&["dockerd"])), None), CONTAINERD_SOCKET);
        assert_eq!(
            containerd_socket(
                Some(&dockerd(&["dockerd", "--containerd=/run/docker/containerd/containerd.sock"])),
                None
            ),
            "/run/docker/containerd/containerd.sock"
        );
        let json = DaemonJson {
            file: Default::default(),
            settings: serde_json::json!({"containerd": "unix:///run/k.sock"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        };
        assert_eq!(containerd_socket(None, Some(&json)), "/run/k.sock");
    }

    #[test]
    fn nothing_installed_is_an_empty_list() {
        let dir = TempDir::new();
        assert_eq!(probe(dir.path(), None, None, &no_accounts()).get(), Ok(&Vec::new()));
    }
}
