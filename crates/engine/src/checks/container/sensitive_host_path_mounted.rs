//! CTR004 sensitive-host-path-mounted.

use crate::checks::prelude::*;
use crate::snapshot::Mount;

use super::{recreate_without, removed_binds, state_note};

/// Host system directories (CIS 5.6's list, plus the other binary directories, root's home and
/// Docker's data root). A bind of one of them, of anything under it, or of a directory above it is
/// sensitive.
const SENSITIVE_DIRS: [&str; 13] = [
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/bin",
    "/sbin",
    "/proc",
    "/sys",
    "/usr",
    "/root",
    "/var/lib/docker",
    "/var/lib/containerd",
];

/// Read-only binds that only share the host's time zone: harmless and very common.
const HARMLESS_READ_ONLY: [&str; 3] = ["/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo"];

fn normalise(path: &str) -> &str {
    let t = path.trim_end_matches('/');
    if t.is_empty() { "/" } else { t }
}

fn is_under(path: &str, dir: &str) -> bool {
    path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// How a bind source reaches a sensitive directory, if it does: it is `/`, it is (or is under) one,
/// or it is a directory above one (`/var` holds `/var/lib/docker`). `data_root` is the daemon's
/// `DockerRootDir` when it differs from the default.
fn sensitive(source: &str, data_root: Option<&str>) -> Option<String> {
    let source = normalise(source);
    if source == "/" {
        return Some("/".to_owned());
    }
    let dirs = || SENSITIVE_DIRS.iter().copied().chain(data_root);
    if let Some(dir) = dirs().find(|dir| is_under(source, dir)) {
        return Some(format!("under {dir}"));
    }
    let held: Vec<&str> = dirs().filter(|dir| is_under(dir, source)).collect();
    (!held.is_empty()).then(|| format!("holds {}", held.join(", ")))
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let data_root = snap.info().ok().map(|i| normalise(&i.docker_root_dir)).filter(|d| *d != "/");
    each_container(snap, |c| {
        let target = container_target(c);
        let hits: Vec<(&Mount, String)> = c
            .mounts
            .iter()
            .filter(|m| m.kind == "bind")
            .filter(|m| m.rw || !HARMLESS_READ_ONLY.iter().any(|h| is_under(normalise(&m.source), h)))
            .filter_map(|m| sensitive(&m.source, data_root).map(|dir| (m, dir)))
            .collect();
        if hits.is_empty() {
            let binds = c.mounts.iter().filter(|m| m.kind == "bind").count();
            return Finding::pass(target, format!("Container `{}` mounts no host system directory", c.name))
                .evidence(
                    "Mounts (type bind)",
                    format!("{binds} bind mount(s), none of a host system directory"),
                    "no bind of / /boot /dev /etc /lib /proc /sys /usr /root or the Docker data root",
                );
        }
        let writable: Vec<&(&Mount, String)> = hits.iter().filter(|(m, _)| m.rw).collect();
        let shown = writable.first().copied().unwrap_or(&hits[0]);
        let list = |pick: &[&(&Mount, String)]| {
            pick.iter().map(|(m, _)| format!("`{}`", m.source)).collect::<Vec<_>>().join(", ")
        };
        let all: Vec<&(&Mount, String)> = hits.iter().collect();
        let note = state_note(c);
        let mut finding = if writable.is_empty() {
            Finding::warn(
                target,
                format!("Container `{}` mounts host {} read-only{note}", c.name, list(&all)),
            )
        } else {
            Finding::fail(
                target,
                format!("Container `{}` mounts host {} read-write{note}", c.name, list(&writable)),
            )
        };
        for (m, dir) in &hits {
            finding = finding.evidence(
                format!("Mounts[{}]", m.destination),
                format!("bind {} → {} ({}; {dir})", m.source, m.destination, if m.rw { "rw" } else { "ro" }),
                "no bind of a host system directory",
            );
        }
        let (removed, compose_removed) = removed_binds(hits.iter().map(|(m, _)| *m));
        let (m, _) = shown;
        finding.fixes(recreate_without(
            c,
            &removed,
            &format!("-v VOLUME_OR_HOST_FILE:{}:ro", m.destination),
            &format!(
                "# remove from volumes:\n{compose_removed}\n# mount only the file or directory it needs, read-only:\nvolumes:\n  - VOLUME_OR_HOST_FILE:{}:ro",
                m.destination
            ),
        ))
    })
}

crate::declare_check! {
    /// A container bind-mounts a host system directory (`/`, `/etc`, `/proc`, `/sys`, `/dev`, `/usr`,
    /// `/boot`, `/root`, the Docker data root…).
    ///
    /// ## Rationale
    /// A bind mount is the host's own files, not a copy. Read-write, `/etc` lets a container add a
    /// user or a cron job to the host, `/boot` replaces the kernel, `/proc` and `/sys` reconfigure the
    /// running kernel, `/var/lib/docker` rewrites other containers' filesystems, and `/` is all of it:
    /// each is a direct path to root on the host (fail). Read-only, they still leak secrets (shadow
    /// file, SSH keys, other containers' data) and host layout (warn). Read-only binds of the time
    /// zone (`/etc/localtime`, `/etc/timezone`, `/usr/share/zoneinfo`) are ignored.
    ///
    /// ## Evidence
    /// `Mounts[]` entries with `Type == "bind"` of every container in every state: `Source` equal to
    /// `/`, or equal to, under or above (`/var`, `/var/lib`) `/boot /dev /etc /lib /lib64 /bin /sbin
    /// /proc /sys /usr /root /var/lib/docker /var/lib/containerd` or the daemon's `DockerRootDir`
    /// (`GET /info`); `RW` decides fail (read-write) or warn (read-only).
    ///
    /// ## Remediation
    /// Mount only the file or directory the container needs, read-only (`-v /etc/app/app.conf:/app.conf:ro`),
    /// or use a named volume. Monitoring agents that truly need `/proc` or `/sys` should get them
    /// read-only and be waived with a reason.
    pub(crate) static CHECK = {
        code: "CTR004",
        slug: "sensitive-host-path-mounted",
        title: "Host system directory mounted in a container",
        category: Containers,
        severity: High,
        target: Container,
        references: [
            Reference::Cis("5.6"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust §Principle of least privilege"),
            Reference::Url("https://docs.docker.com/engine/storage/bind-mounts/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR004` selects its tests")]
mod CTR004 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-etc-ro", "zd-hardened"]);

    #[test]
    fn host_system_dirs() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-host-root"), Status::Fail);
        assert_eq!(status_of(&f, "zd-etc-ro"), Status::Warn);
        assert_eq!(status_of(&f, "zd-shared-propagation"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }

    #[test]
    fn matching() {
        use super::sensitive;
        assert_eq!(sensitive("/", None).as_deref(), Some("/"));
        assert_eq!(sensitive("/etc/", None).as_deref(), Some("under /etc"));
        assert_eq!(sensitive("/etc/nginx", None).as_deref(), Some("under /etc"));
        assert_eq!(sensitive("/etcetera", None), None);
        assert_eq!(sensitive("/srv/data", None), None);
        assert_eq!(sensitive("/srv/docker/x", Some("/srv/docker")).as_deref(), Some("under /srv/docker"));
        // Ancestors of a sensitive directory expose it.
        assert_eq!(sensitive("/var", None).as_deref(), Some("holds /var/lib/docker, /var/lib/containerd"));
        assert_eq!(
            sensitive("/var/lib/", None).as_deref(),
            Some("holds /var/lib/docker, /var/lib/containerd")
        );
        assert_eq!(sensitive("/srv", Some("/srv/docker")).as_deref(), Some("holds /srv/docker"));
        assert_eq!(sensitive("/var/www", None), None);
        assert_eq!(sensitive("/home/app", None), None);
    }
}
