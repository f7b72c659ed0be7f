//! HST012 docker-files-permissions.

use crate::checks::prelude::*;
use crate::snapshot::{DockerFile, FileFacts};

use super::{in_scope, runs_in_desktop_vm};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = match in_scope(snap) {
        Ok(t) => t,
        Err(na) => return vec![*na],
    };
    if let Some(na) = podman_not_applicable(
        snap,
        target.clone(),
        "docker.service, docker.socket and /etc/docker configure dockerd, not this engine",
    ) {
        return na;
    }
    if rootless_engine(snap).is_some() {
        // A rootful-only risk: rootless dockerd reads ~/.config/docker/daemon.json (HST007).
        return vec![Finding::not_applicable(
            target,
            "the engine is rootless dockerd: its configuration lives in its user's home (~/.config/docker, judged by \
             HST007); docker.service, docker.socket and /etc/docker configure a rootful dockerd",
        )];
    }
    if runs_in_desktop_vm(snap) {
        return vec![Finding::not_applicable(
            target,
            "Docker Desktop runs dockerd in its VM: the daemon's files are not on this machine",
        )];
    }
    match snap.host.docker_files.get() {
        Err(reason) => {
            vec![Finding::unknown(target, format!("Docker's files could not be examined: {reason}"))]
        }
        Ok(files) if files.is_empty() => vec![Finding::not_applicable(
            target,
            "none of Docker's daemon files (units, /etc/docker, TLS material, environment files, containerd \
             socket) exist on this machine",
        )],
        Ok(files) => files.iter().map(finding).collect(),
    }
}

/// The verdict on one file.
fn finding(file: &DockerFile) -> Finding {
    let target = Target::new(TargetKind::Host, &file.path, None);
    let facts = match file.file.get() {
        Ok(f) => f,
        Err(reason) => {
            return Finding::unknown(target, format!("the {} could not be examined: {reason}", file.role));
        }
    };
    let owner = if file.root_group { "root:root" } else { "owned by root" };
    let expected = format!("{:o} or stricter, {owner}", file.max_mode);
    let observed = format!("{} {}", facts.mode_octal(), facts.ownership());
    let field = format!("stat {}", file.path);
    let problems = problems(file, facts);
    if problems.is_empty() {
        return Finding::pass(target, format!("The {} {} is {observed}", file.role, file.path))
            .evidence(field, observed, expected);
    }
    let chown = if file.root_group { "root:root" } else { "root" };
    let mut code = format!(
        "sudo chown {chown} {path}\nsudo chmod {:04o} {path}",
        facts.mode & file.max_mode,
        path = shell_quote(&file.path)
    );
    if file.role == "containerd socket" {
        code.push_str(
            "\n# containerd recreates it at start: keep [grpc] uid = 0 and gid = 0 in \
             /etc/containerd/config.toml",
        );
    }
    Finding::fail(target, format!("The {} {} ({observed}) is {}", file.role, file.path, problems.join("; ")))
        .evidence(field, observed, expected)
        .fix(SnippetKind::Shell, format!("Restrict {}", file.path), code)
}

/// What is wrong with a file's ownership and mode, worst first.
fn problems(file: &DockerFile, facts: &FileFacts) -> Vec<String> {
    let mut out = Vec::new();
    let excess = file.excess_mode(facts);
    if excess != 0 {
        let who = if excess & 0o002 != 0 {
            "writable by every local user"
        } else if excess & 0o020 != 0 {
            "writable by its group"
        } else if excess & 0o044 != 0 && file.max_mode & 0o044 == 0 {
            "readable by other users"
        } else if excess & 0o7000 != 0 {
            "setuid, setgid or sticky"
        } else {
            "more permissive than needed"
        };
        out.push(format!("{who} (mode {:o} exceeds {:o})", facts.mode & 0o7777, file.max_mode));
    }
    if file.root_owner && facts.uid != 0 {
        out.push(format!(
            "owned by `{}`, not root",
            facts.owner.clone().unwrap_or_else(|| facts.uid.to_string())
        ));
    }
    if file.root_group && facts.gid != 0 {
        out.push(format!(
            "group `{}`, not root",
            facts.group.clone().unwrap_or_else(|| facts.gid.to_string())
        ));
    }
    out
}

/// `path` quoted for a shell when it holds anything but safe characters (registry directories
/// carry a `:port`, which is safe).
fn shell_quote(path: &str) -> String {
    if path.chars().all(|c| c.is_ascii_alphanumeric() || "/._-:+@".contains(c)) {
        path.to_owned()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}

crate::declare_check! {
    /// Docker's daemon files (systemd units, `/etc/docker`, registry and TLS certificates and keys,
    /// environment files, containerd's socket) are not root-owned with restrictive modes.
    ///
    /// ## Rationale
    /// These files decide how dockerd starts and whom it trusts. Whoever can write the
    /// `docker.service` unit or a drop-in, `/etc/default/docker` or `/etc/sysconfig/docker` changes
    /// dockerd's command line (`-H tcp://0.0.0.0:2375`) and gets root at the next restart; whoever
    /// can write `/etc/docker` or a CA certificate decides which registries and clients are
    /// trusted; whoever can read the TLS key impersonates the daemon; whoever can write
    /// containerd's socket runs containers as root without going through dockerd. daemon.json and
    /// the Docker socket are HST007 and HST006.
    ///
    /// ## Evidence
    /// `stat` (symlinks followed) of each file that exists: `docker.service` and `docker.socket`
    /// under `/etc/systemd/system`, `/lib/systemd/system`, `/usr/lib/systemd/system` and their
    /// `*.d/*.conf` drop-ins (root:root, 644); `/etc/docker` (root:root, 755);
    /// `/etc/docker/certs.d/*/*.crt` and `*.cert` (owned by root, 444) and `*.key` (owned by root,
    /// 400); the TLS CA, certificate and key from dockerd's `--tlscacert`/`--tlscert`/`--tlskey`
    /// or daemon.json (root:root, 444, key 400); `/etc/default/docker`, `/etc/sysconfig/docker`
    /// (root:root, 644); containerd's socket (`--containerd`, else
    /// `/run/containerd/containerd.sock`; root:root, 660). Modes are compared bit by bit: a file
    /// passes when it has no permission bit outside the maximum (600 is within 644, 700 is not).
    /// One finding per file; a configured TLS file that does not exist is unknown.
    ///
    /// ## Remediation
    /// `sudo chown root:root FILE && sudo chmod MODE FILE`, with MODE the file's current mode
    /// narrowed to the maximum; the finding gives the exact command per file.
    pub(crate) static CHECK = {
        code: "HST012",
        slug: "docker-files-too-permissive",
        title: "Docker's daemon files writable or readable beyond root",
        category: Host,
        severity: Medium,
        target: Host,
        references: [
            Reference::Cis("3.1–3.14"),
            Reference::Cis("3.19–3.24"),
            Reference::Nist("tenet 5: integrity and security posture of assets"),
            Reference::Seed("Best practices §3 Secure Docker Hosts"),
            Reference::Url("https://docs.docker.com/engine/security/protect-access/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST012` selects its tests")]
mod HST012 {
    use super::*;
    use crate::checks::testing::{find, findings, fixture, named};
    use crate::snapshot::Fact;
    use crate::snapshot::excess_mode;

    crate::checks::testing::check_snapshots!(super::CHECK, "files-loose", []);

    #[test]
    fn modes_compare_as_octal_bits() {
        assert_eq!(excess_mode(0o644, 0o644), 0);
        assert_eq!(excess_mode(0o600, 0o644), 0, "stricter passes");
        assert_eq!(excess_mode(0o400, 0o444), 0);
        // As decimal numbers 700 < 755 would pass, and 0o511 (511 ≤ 644) too: as bits they do not.
        assert_eq!(excess_mode(0o700, 0o644), 0o100);
        assert_eq!(excess_mode(0o511, 0o644), 0o111);
        assert_eq!(excess_mode(0o4644, 0o644), 0o4000, "setuid always counts");
        assert_eq!(excess_mode(0o660, 0o660), 0);
        assert_eq!(excess_mode(0o666, 0o660), 0o006);
    }

    #[test]
    fn loose_files_fail_one_by_one_with_their_fix() {
        let f = findings(&CHECK, &named("files-loose", |_| {}));
        let unit = find(&f, "/usr/lib/systemd/system/docker.service");
        assert_eq!(unit.status, Status::Fail);
        assert!(unit.message.contains("writable by its group (mode 664 exceeds 644)"), "{}", unit.message);
        assert_eq!(
            unit.remediation[0].code,
            "sudo chown root:root /usr/lib/systemd/system/docker.service\n\
             sudo chmod 0644 /usr/lib/systemd/system/docker.service"
        );
        let socket_unit = find(&f, "/usr/lib/systemd/system/docker.socket");
        assert!(socket_unit.message.contains("owned by `alice`, not root"), "{}", socket_unit.message);
        let etc_docker = find(&f, "/etc/docker");
        assert!(etc_docker.message.contains("group `docker`, not root"), "{}", etc_docker.message);
        assert!(etc_docker.remediation[0].code.ends_with("sudo chmod 0755 /etc/docker"));
        let key = find(&f, "/etc/docker/tls/server-key.pem");
        assert!(key.message.contains("readable by other users (mode 644 exceeds 400)"), "{}", key.message);
        assert!(key.remediation[0].code.ends_with("sudo chmod 0400 /etc/docker/tls/server-key.pem"));
        let ca = find(&f, "/etc/docker/certs.d/registry.example:5000/ca.crt");
        assert_eq!(ca.status, Status::Fail, "644 exceeds 444 (owner-writable)");
        assert!(ca.remediation[0].code.starts_with("sudo chown root /etc/docker"), "owner only");
        let sock = find(&f, "/run/containerd/containerd.sock");
        assert!(sock.message.contains("writable by every local user"), "{}", sock.message);
        assert!(sock.remediation[0].code.contains("[grpc] uid = 0"));
        assert_eq!(find(&f, "/etc/default/docker").status, Status::Fail);
    }

    #[test]
    fn hardened_files_pass() {
        let f = findings(&CHECK, &named("files-hardened", |_| {}));
        assert!(f.len() >= 8);
        assert!(f.iter().all(|f| f.status == Status::Pass), "{f:#?}");
        assert_eq!(
            find(&f, "/etc/docker/tls/server-key.pem").message,
            "The TLS server key /etc/docker/tls/server-key.pem is 400 root:root"
        );
    }

    #[test]
    fn missing_or_unreadable_files() {
        // Captured: Debian's docker.io package files are root-owned 0644/0755.
        let captured = findings(&CHECK, &fixture("default"));
        assert!(!captured.is_empty() && captured.iter().all(|f| f.status == Status::Pass), "{captured:?}");
        // Mutation: no Docker package files at all (a static dockerd started by hand).
        let snap = named("files-hardened", |s| s.host.docker_files = Fact::available(Vec::new()));
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::NotApplicable);
        // Mutation: the TLS key dockerd names is not visible here.
        let snap = named("files-hardened", |s| {
            let files = s.host.docker_files.ok_mut().expect("set");
            let key = files.iter_mut().find(|f| f.role == "TLS server key").expect("key");
            key.file = Fact::unavailable("/etc/docker/tls/server-key.pem does not exist");
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(find(&f, "/etc/docker/tls/server-key.pem").status, Status::Unknown);
    }

    #[test]
    fn quotes_unusual_paths() {
        assert_eq!(shell_quote("/etc/docker/certs.d/reg:5000/ca.crt"), "/etc/docker/certs.d/reg:5000/ca.crt");
        assert_eq!(shell_quote("/etc/docker/certs.d/my reg/ca.crt"), "'/etc/docker/certs.d/my reg/ca.crt'");
    }
}
