//! HST006 docker-socket-permissions.

use crate::checks::prelude::*;
use crate::snapshot::FileFacts;

use super::in_scope;

/// Whether a non-root owner is expected: rootless Docker and Docker Desktop sockets belong to the
/// user, and so does any socket outside the system runtime directories.
fn user_owned_expected(snap: &Snapshot, socket: &FileFacts) -> bool {
    let system_dir = ["/run/", "/var/run/"].iter().any(|d| socket.path.starts_with(d))
        && !socket.path.starts_with("/run/user/");
    !system_dir || snap.info().is_ok_and(|i| i.is_rootless() || i.is_docker_desktop())
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = match in_scope(snap) {
        Ok(t) => t,
        Err(na) => return vec![*na],
    };
    let socket = match snap.host.socket.get() {
        Ok(s) => s,
        Err(reason) => {
            return vec![Finding::unknown(
                target,
                format!("the Docker socket could not be examined: {reason}"),
            )];
        }
    };
    let mode = socket.mode & 0o777;
    let group = socket.group.clone().unwrap_or_else(|| socket.gid.to_string());
    let user_owned = user_owned_expected(snap, socket);
    let field = format!("stat {}", socket.path);
    let observed = format!("{} {}", socket.mode_octal(), socket.ownership());
    let expected = if user_owned {
        "660 or stricter, owned by the daemon's user"
    } else {
        "660 root:docker (or stricter)"
    };

    let mut problems = Vec::new();
    let mut fail = false;
    if mode & 0o002 != 0 {
        fail = true;
        problems.push("writable by every local user, so any process on the machine is root".to_owned());
    } else if mode & 0o004 != 0 {
        problems.push("readable by every local user".to_owned());
    }
    if !user_owned && socket.uid != 0 {
        problems.push(format!(
            "owned by `{}`, not root",
            socket.owner.clone().unwrap_or_else(|| socket.uid.to_string())
        ));
    }
    if !user_owned && mode & 0o060 != 0 && !matches!(group.as_str(), "docker" | "root" | "0") {
        problems.push(format!("usable by group `{group}`, which is neither docker nor root"));
    }
    if problems.is_empty() {
        return vec![
            Finding::pass(target, format!("The Docker socket {} is {observed}", socket.path))
                .evidence(field, observed, expected),
        ];
    }
    let message = format!("The Docker socket {} ({observed}) is {}", socket.path, problems.join("; "));
    let finding = if fail { Finding::fail(target, message) } else { Finding::warn(target, message) };
    let owner = if user_owned { socket.ownership() } else { "root:docker".to_owned() };
    vec![finding
        .evidence(field, observed, expected)
        .fix(
            SnippetKind::Shell,
            format!("Restrict {} now", socket.path),
            format!("sudo chown {owner} {path}\nsudo chmod 0660 {path}", path = socket.path),
        )
        .fix(
            SnippetKind::Shell,
            "Keep it so across restarts (systemd socket activation), and find what loosened it",
            "sudo systemctl edit docker.socket   # [Socket] SocketMode=0660  SocketUser=root  SocketGroup=docker\n\
             sudo systemctl restart docker.socket docker\n\
             grep -rn 'docker.sock' /etc/systemd /etc/rc.local /etc/cron* 2>/dev/null   # a chmod 666 somewhere?",
        )]
}

crate::declare_check! {
    /// The Docker socket is usable by more than root and the `docker` group.
    ///
    /// ## Rationale
    /// The Docker API socket is root on the host: whoever can write to it can start a privileged
    /// container that mounts `/`. A world-writable socket (`chmod 666`, a common "fix" for
    /// "permission denied") makes every local user and every sandboxed service root. An unexpected
    /// owner or group widens the same power silently. Zero Trust grants access explicitly, to
    /// named principals only.
    ///
    /// ## Evidence
    /// `stat` of the socket the scan's endpoint points at (`/var/run/docker.sock` by default):
    /// owner, group and mode. World-writable fails; world-readable, a non-root owner or a group
    /// other than `docker`/`root` warn. Rootless and Docker Desktop sockets are expected to belong
    /// to the user.
    ///
    /// ## Remediation
    /// `sudo chown root:docker /var/run/docker.sock && sudo chmod 0660 /var/run/docker.sock`, and make
    /// it permanent with `SocketMode=0660`, `SocketGroup=docker` in `docker.socket` (`systemctl edit
    /// docker.socket`) or the `group` key of daemon.json. Find and remove whatever ran `chmod 666`.
    pub(crate) static CHECK = {
        code: "HST006",
        slug: "docker-socket-too-permissive",
        title: "Docker socket permissions too wide",
        category: Host,
        severity: High,
        target: Host,
        references: [
            Reference::Cis("3.15"),
            Reference::Cis("3.16"),
            Reference::Nist("tenet 6: authorisation strictly enforced before access"),
            Reference::Seed("Best practices §8 Implement Access Controls"),
            Reference::Url("https://docs.docker.com/engine/security/#docker-daemon-attack-surface"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST006` selects its tests")]
mod HST006 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn world_writable_fails_660_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert_eq!(f[0].evidence[0].observed, "666 root:docker");
        assert!(f[0].remediation[0].code.contains("chmod 0660 /tmp/zerodock-test/default/docker.sock"));
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn system_socket_with_foreign_group_warns() {
        // Mutation: the system socket /var/run/docker.sock, 0660 root:staff.
        let snap = variant("hardened", |s| {
            let socket = s.host.socket.ok_mut().expect("captured");
            socket.path = "/var/run/docker.sock".into();
            socket.group = Some("staff".into());
            socket.gid = 50;
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Warn);
        assert!(f[0].message.contains("group `staff`"), "{}", f[0].message);
    }
}
