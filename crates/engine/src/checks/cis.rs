//! The CIS Docker Benchmark v1.8.0 recommendations, by id: what [`Reference::Cis`] ids mean.
//!
//! Titles are short paraphrases in our own words (the benchmark's text is CIS's), with topic
//! keywords so a test can tell whether a check cites a recommendation about what it checks. Each
//! entry also gives its id in v1.6.0, the version docker-bench-security implements, because users
//! of that tool search by the old number: v1.8.0 inserted a new 2.7 (devicemapper), so v1.6.0's
//! 2.7–2.18 are v1.8.0's 2.8–2.19. Sections 1 and 3–7 kept their numbers (1.1.9's subject moved
//! from the `docker.socket` unit to the `docker.sock` socket).
//!
//! [`Reference::Cis`]: super::Reference::Cis

/// The benchmark version every [`Reference::Cis`](super::Reference::Cis) id is numbered in.
pub(crate) const VERSION: &str = "v1.8.0";
/// The version docker-bench-security implements, named beside an id whose number differs there.
pub(crate) const PREVIOUS_VERSION: &str = "v1.6.0";

/// How a v1.8.0 recommendation was numbered in v1.6.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InPrevious {
    /// The same id.
    Same,
    /// Another id.
    Was(&'static str),
    /// Not in v1.6.0.
    New,
}

/// One recommendation of the benchmark.
#[derive(Debug)]
pub(crate) struct Recommendation {
    /// The v1.8.0 id, e.g. `2.8`.
    pub(crate) id: &'static str,
    /// Its number in v1.6.0.
    pub(crate) previous: InPrevious,
    /// What it asks for, paraphrased.
    pub(crate) title: &'static str,
    /// Lower-case words of its subject; a check that cites it names at least one of them in its
    /// area, slug, title or summary.
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the citation test only"))]
    pub(crate) topics: &'static [&'static str],
}

/// A section of the benchmark and the words any check citing one of its recommendations must use
/// (besides the recommendation's own topic): a section-3 recommendation is about a file's owner
/// or mode, a section-5 one about a container. Empty where a section mixes subjects.
#[derive(Debug)]
pub(crate) struct Section {
    /// The id prefix (`1.1`, `2`).
    pub(crate) prefix: &'static str,
    /// What the section is about, paraphrased.
    pub(crate) title: &'static str,
    /// Words a citing check must use, one of them at least.
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the citation test only"))]
    pub(crate) kinds: &'static [&'static str],
}

/// The benchmark's sections, sub-sections of section 1 included.
pub(crate) static SECTIONS: [Section; 8] = [
    Section { prefix: "1.1", title: "Linux host configuration", kinds: &[] },
    Section { prefix: "1.2", title: "General host configuration", kinds: &[] },
    Section { prefix: "2", title: "Docker daemon configuration", kinds: &["daemon", "dockerd", "engine"] },
    Section {
        prefix: "3",
        title: "Docker daemon configuration files",
        kinds: &["owner", "owned", "ownership", "permission", "permissions", "mode", "writable", "readable"],
    },
    Section {
        prefix: "4",
        title: "Container images and build files",
        kinds: &["image", "dockerfile", "build"],
    },
    Section { prefix: "5", title: "Container runtime", kinds: &["container"] },
    Section { prefix: "6", title: "Docker security operations", kinds: &["image", "container", "sprawl"] },
    Section { prefix: "7", title: "Docker Swarm configuration", kinds: &["swarm"] },
];

const fn rec(id: &'static str, title: &'static str, topics: &'static [&'static str]) -> Recommendation {
    Recommendation { id, previous: InPrevious::Same, title, topics }
}

const fn was(
    id: &'static str,
    previous: &'static str,
    title: &'static str,
    topics: &'static [&'static str],
) -> Recommendation {
    Recommendation { id, previous: InPrevious::Was(previous), title, topics }
}

const AUDIT: &[&str] = &["audit", "auditd"];

/// Every recommendation of CIS Docker Benchmark v1.8.0, in order.
pub(crate) static RECOMMENDATIONS: [Recommendation; 118] = [
    // 1.1 Linux host configuration
    rec(
        "1.1.1",
        "Docker's data lives on a partition of its own",
        &["partition", "data-root", "file system", "filesystem"],
    ),
    rec(
        "1.1.2",
        "Only trusted users can control the Docker daemon",
        &["docker group", "root-equivalent", "trusted users"],
    ),
    rec("1.1.3", "The Docker daemon binary is audited", AUDIT),
    rec("1.1.4", "/run/containerd is audited", AUDIT),
    rec("1.1.5", "/var/lib/docker is audited", AUDIT),
    rec("1.1.6", "/etc/docker is audited", AUDIT),
    rec("1.1.7", "The docker.service unit is audited", AUDIT),
    rec("1.1.8", "containerd's socket is audited", AUDIT),
    rec("1.1.9", "Docker's socket (docker.sock) is audited; v1.6.0 named the docker.socket unit", AUDIT),
    rec("1.1.10", "/etc/default/docker is audited", AUDIT),
    rec("1.1.11", "daemon.json is audited", AUDIT),
    rec("1.1.12", "containerd's config.toml is audited", AUDIT),
    rec("1.1.13", "/etc/sysconfig/docker is audited", AUDIT),
    rec("1.1.14", "The containerd binary is audited", AUDIT),
    rec("1.1.15", "The containerd-shim binary is audited", AUDIT),
    rec("1.1.16", "The containerd-shim-runc-v1 binary is audited", AUDIT),
    rec("1.1.17", "The containerd-shim-runc-v2 binary is audited", AUDIT),
    rec("1.1.18", "The runc binary is audited", AUDIT),
    // 1.2 General host configuration
    rec("1.2.1", "The host running containers is hardened", &["host", "harden", "hardened", "hardening"]),
    rec(
        "1.2.2",
        "Docker is kept at a current version",
        &["version", "up to date", "patch", "end of life", "release", "vulnerable", "vulnerability"],
    ),
    // 2 Docker daemon configuration
    rec(
        "2.1",
        "The daemon runs without root where it can (rootless)",
        &["rootless", "rootful", "non-root daemon"],
    ),
    rec(
        "2.2",
        "Containers on the default bridge cannot reach each other freely",
        &["icc", "inter-container", "default bridge", "between containers"],
    ),
    rec("2.3", "The daemon logs at level info", &["log level", "log-level"]),
    rec("2.4", "Docker may manage iptables rules", &["iptables"]),
    rec(
        "2.5",
        "No registry is contacted insecurely",
        &["insecure registry", "insecure registries", "registries"],
    ),
    rec("2.6", "The aufs storage driver is not in use", &["aufs", "storage driver"]),
    Recommendation {
        id: "2.7",
        previous: InPrevious::New,
        title: "The devicemapper storage driver is not in use",
        topics: &["devicemapper", "storage driver"],
    },
    was(
        "2.8",
        "2.7",
        "TLS authentication for the daemon's TCP socket",
        &["tls", "tcp", "tlsverify", "2375", "2376"],
    ),
    was("2.9", "2.8", "A default ulimit suited to the workloads", &["ulimit", "default-ulimits"]),
    was(
        "2.10",
        "2.9",
        "User-namespace remapping is enabled",
        &["userns", "user namespace", "user namespaces", "userns-remap"],
    ),
    was("2.11", "2.10", "The default cgroup parent is a deliberate choice", &["cgroup", "cgroup-parent"]),
    was("2.12", "2.11", "The devicemapper base device size is left alone", &["base device", "dm.basesize"]),
    was("2.13", "2.12", "An authorization plugin guards client commands", &["authorization", "authz"]),
    was(
        "2.14",
        "2.13",
        "Logs go to a central, remote store",
        &["log", "logging", "log driver", "remote logging"],
    ),
    was(
        "2.15",
        "2.14",
        "Containers cannot gain new privileges by default",
        &["no-new-privileges", "new privileges"],
    ),
    was(
        "2.16",
        "2.15",
        "Live restore keeps containers up across daemon restarts",
        &["live-restore", "live restore"],
    ),
    was(
        "2.17",
        "2.16",
        "The userland proxy is turned off",
        &["userland proxy", "userland-proxy", "docker-proxy"],
    ),
    was("2.18", "2.17", "A daemon-wide seccomp profile, custom if needed", &["seccomp"]),
    was("2.19", "2.18", "No experimental features in production", &["experimental"]),
    // 3 Docker daemon configuration files
    rec("3.1", "docker.service is owned by root:root", &["docker.service", "systemd unit"]),
    rec("3.2", "docker.service has a restrictive mode", &["docker.service", "systemd unit"]),
    rec("3.3", "docker.socket is owned by root:root", &["docker.socket", "systemd unit"]),
    rec("3.4", "docker.socket has mode 644 or tighter", &["docker.socket", "systemd unit"]),
    rec("3.5", "/etc/docker is owned by root:root", &["/etc/docker"]),
    rec("3.6", "/etc/docker has mode 755 or tighter", &["/etc/docker"]),
    rec("3.7", "Registry certificates are owned by root:root", &["registry", "certificate"]),
    rec("3.8", "Registry certificates have mode 444 or tighter", &["registry", "certificate"]),
    rec("3.9", "The TLS CA certificate is owned by root:root", &["tls", "ca certificate", "certificate"]),
    rec("3.10", "The TLS CA certificate has mode 444 or tighter", &["tls", "ca certificate", "certificate"]),
    rec(
        "3.11",
        "The daemon's TLS certificate is owned by root:root",
        &["tls", "server certificate", "certificate"],
    ),
    rec(
        "3.12",
        "The daemon's TLS certificate has mode 444 or tighter",
        &["tls", "server certificate", "certificate"],
    ),
    rec("3.13", "The daemon's TLS key is owned by root:root", &["tls", "key", "server key"]),
    rec("3.14", "The daemon's TLS key has mode 400", &["tls", "key", "server key"]),
    rec("3.15", "The Docker socket is owned by root:docker", &["docker socket", "docker.sock", "socket"]),
    rec("3.16", "The Docker socket has mode 660 or tighter", &["docker socket", "docker.sock", "socket"]),
    rec(
        "3.17",
        "daemon.json is owned by root:root",
        &["daemon.json", "configuration file", "daemon configuration"],
    ),
    rec(
        "3.18",
        "daemon.json has mode 644 or tighter",
        &["daemon.json", "configuration file", "daemon configuration"],
    ),
    rec("3.19", "/etc/default/docker is owned by root:root", &["/etc/default/docker", "environment file"]),
    rec("3.20", "/etc/default/docker has mode 644 or tighter", &["/etc/default/docker", "environment file"]),
    rec(
        "3.21",
        "/etc/sysconfig/docker has mode 644 or tighter",
        &["/etc/sysconfig/docker", "environment file"],
    ),
    rec(
        "3.22",
        "/etc/sysconfig/docker is owned by root:root",
        &["/etc/sysconfig/docker", "environment file"],
    ),
    rec("3.23", "containerd's socket is owned by root:root", &["containerd"]),
    rec("3.24", "containerd's socket has mode 660 or tighter", &["containerd"]),
    // 4 Container images and build files
    rec("4.1", "Images define an unprivileged user", &["user", "root", "uid", "non-root"]),
    rec("4.2", "Only trusted base images are used", &["base image", "trusted"]),
    rec("4.3", "Images carry no needless packages", &["package", "minimal"]),
    rec(
        "4.4",
        "Images are scanned and rebuilt for security fixes",
        &["scanned", "rebuild", "rebuilt", "cve", "vulnerability", "vulnerabilities"],
    ),
    rec("4.5", "Docker Content Trust is on", &["content trust", "dct", "signed", "signature"]),
    rec("4.6", "Images declare a HEALTHCHECK", &["healthcheck", "health check"]),
    rec("4.7", "Package-index updates are not cached alone in a layer", &["update", "apt-get update"]),
    rec("4.8", "Images hold no needless setuid/setgid files", &["setuid", "setgid"]),
    rec("4.9", "Dockerfiles use COPY, not ADD", &["add", "copy"]),
    rec(
        "4.10",
        "Dockerfiles and images hold no secrets",
        &["secret", "credential", "credentials", "password", "token"],
    ),
    rec("4.11", "Only verified packages are installed", &["package", "verified"]),
    rec(
        "4.12",
        "Signed artefacts are verified",
        &["signed", "signature", "artifact", "artefact", "attestation"],
    ),
    // 5 Container runtime
    rec("5.1", "Swarm mode stays off unless needed", &["swarm"]),
    rec("5.2", "Containers run under an AppArmor profile", &["apparmor"]),
    rec("5.3", "Containers run with SELinux options", &["selinux"]),
    rec("5.4", "Containers get no capabilities beyond need", &["capability", "capabilities", "cap-add"]),
    rec("5.5", "No privileged containers", &["privileged"]),
    rec(
        "5.6",
        "No sensitive host directories mounted into containers",
        &["host system directory", "host path", "bind mount", "bind-mounts"],
    ),
    rec("5.7", "No sshd inside containers", &["sshd", "ssh"]),
    rec("5.8", "No privileged (below 1024) host ports mapped", &["privileged port", "low port"]),
    rec("5.9", "Only the ports a container needs are open", &["port", "published", "expose"]),
    rec("5.10", "The host's network namespace is not shared", &["network namespace", "host network"]),
    rec("5.11", "Container memory is limited", &["memory"]),
    rec("5.12", "Container CPU priority or limit is set", &["cpu"]),
    rec(
        "5.13",
        "Container root filesystems are read-only",
        &["read-only", "root filesystem", "root file system"],
    ),
    rec("5.14", "Published ports bind to a chosen host interface", &["interface", "0.0.0.0", "bind address"]),
    rec("5.15", "on-failure restarts are capped at 5", &["restart", "on-failure"]),
    rec("5.16", "The host's PID namespace is not shared", &["pid namespace", "process namespace"]),
    rec("5.17", "The host's IPC namespace is not shared", &["ipc"]),
    rec("5.18", "Host devices are not handed to containers", &["device", "devices"]),
    rec("5.19", "Default ulimits are overridden per container only when needed", &["ulimit"]),
    rec("5.20", "Mounts do not use shared propagation", &["propagation", "rshared"]),
    rec("5.21", "The host's UTS namespace is not shared", &["uts"]),
    rec("5.22", "Docker's default seccomp profile is not turned off", &["seccomp"]),
    rec("5.23", "docker exec is not run with --privileged", &["docker exec"]),
    rec("5.24", "docker exec is not run as root", &["docker exec"]),
    rec("5.25", "Container cgroup placement is a deliberate choice", &["cgroup", "cgroup-parent"]),
    rec("5.26", "Containers cannot gain additional privileges", &["no-new-privileges", "new privileges"]),
    rec("5.27", "Container health is checked while running", &["health check", "healthcheck", "health"]),
    rec("5.28", "Commands use the current version of their image", &["latest", "pull"]),
    rec("5.29", "A PIDs cgroup limit is set", &["pids", "pids limit", "pids-limit", "processes"]),
    rec("5.30", "The default docker0 bridge is not used", &["default bridge", "docker0"]),
    rec("5.31", "The host's user namespace is not shared", &["user namespace", "userns"]),
    rec(
        "5.32",
        "The Docker socket is not mounted into containers",
        &["docker socket", "docker.sock", "socket"],
    ),
    // 6 Docker security operations
    rec("6.1", "Unused images do not pile up", &["image sprawl", "unused image", "sprawl"]),
    rec("6.2", "Unused containers do not pile up", &["container sprawl", "stopped container", "sprawl"]),
    // 7 Docker Swarm configuration
    rec("7.1", "A swarm has the smallest sensible number of managers", &["manager"]),
    rec("7.2", "Swarm services listen on a chosen host interface", &["interface", "listen"]),
    rec("7.3", "Swarm overlay networks are encrypted", &["overlay", "encrypted"]),
    rec("7.4", "Swarm secrets hold a swarm's secrets", &["secret", "secrets"]),
    rec("7.5", "Swarm managers run with auto-lock", &["auto-lock", "autolock"]),
    rec("7.6", "The swarm auto-lock key is rotated", &["auto-lock", "rotate", "rotated"]),
    rec("7.7", "Swarm node certificates are rotated", &["node certificate", "certificate", "rotate"]),
    rec("7.8", "Swarm CA certificates are rotated", &["ca certificate", "rotate"]),
    rec(
        "7.9",
        "Management and data plane traffic are separated",
        &["management plane", "data plane", "data-path"],
    ),
];

/// The recommendation with this v1.8.0 id.
pub(crate) fn find(id: &str) -> Option<&'static Recommendation> {
    RECOMMENDATIONS.iter().find(|r| r.id == id)
}

/// The section (or sub-section of section 1) an id belongs to.
pub(crate) fn section(id: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| id.strip_prefix(s.prefix).is_some_and(|rest| rest.starts_with('.')))
}

/// The ids a reference names: itself, or every id of a range `A–B` (an en dash, as in the
/// benchmark's prose). `None` when the reference names no id of the table, or a range runs
/// backwards or across sections.
pub(crate) fn expand(reference: &str) -> Option<Vec<&'static str>> {
    let Some((first, last)) = reference.split_once('–') else {
        return find(reference).map(|r| vec![r.id]);
    };
    let start = RECOMMENDATIONS.iter().position(|r| r.id == first)?;
    let end = RECOMMENDATIONS.iter().position(|r| r.id == last)?;
    let same_section = section(first).map(|s| s.prefix) == section(last).map(|s| s.prefix);
    (start < end && same_section).then(|| RECOMMENDATIONS[start..=end].iter().map(|r| r.id).collect())
}

/// The v1.6.0 number of a reference (an id or a range) when it differs from the v1.8.0 one:
/// `2.8` → `2.7`, `2.6–2.9` → `2.6–2.8`. `None` when v1.6.0 numbers it the same, or for an id the
/// table does not have (the catalogue test rejects those).
pub(crate) fn previous(reference: &str) -> Option<String> {
    let ids = expand(reference)?;
    let mut old: Vec<&str> = Vec::new();
    let mut differs = false;
    for id in ids {
        match find(id)?.previous {
            InPrevious::Same => old.push(id),
            InPrevious::Was(previous) => {
                old.push(previous);
                differs = true;
            }
            InPrevious::New => differs = true,
        }
    }
    if !differs {
        return None;
    }
    match old.as_slice() {
        [] => None,
        [one] => Some((*one).to_owned()),
        [first, .., last] => Some(format!("{first}–{last}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{Check, Reference, catalogue};

    /// Text reduced to lower-case words separated by single spaces; the characters that appear inside
    /// ids, paths and flags (`.` `/` `-` `_` `:` `=`) are kept, everything else (backticks, brackets,
    /// punctuation) separates words.
    fn words(text: &str) -> String {
        let kept: String = text
            .chars()
            .map(|c| if c.is_alphanumeric() || "./-_:=".contains(c) { c.to_ascii_lowercase() } else { ' ' })
            .collect();
        kept.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Whether `keyword` occurs in `words` (from [`words`]) as whole words: not inside a longer word,
    /// though a plural `s` may follow (`namespace` matches `namespaces`).
    fn mentions(words: &str, keyword: &str) -> bool {
        words.match_indices(keyword).any(|(at, _)| {
            let before = words[..at].chars().next_back();
            let mut after = words[at + keyword.len()..].chars();
            let next = match after.next() {
                Some('s') => after.next(),
                other => other,
            };
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
            boundary(before) && boundary(next)
        })
    }

    /// Why a cited reference does not fit a check whose subject (area, slug, title, summary) is `subject`,
    /// or `None` when it fits: every id it names exists, shares a topic keyword with the subject, and
    /// the subject is of the kind its section is about.
    fn misfit(reference: &str, subject: &str) -> Option<String> {
        let subject = words(subject);
        let Some(ids) = expand(reference) else {
            return Some(format!("{reference} is not a CIS Docker Benchmark {VERSION} id or range"));
        };
        for id in ids {
            let Some(recommendation) = find(id) else {
                return Some(format!("{id} is not a CIS Docker Benchmark {VERSION} id"));
            };
            if !recommendation.topics.iter().any(|t| mentions(&subject, t)) {
                return Some(format!(
                    "{id} ({}) is about {:?}, none of which the check names",
                    recommendation.title, recommendation.topics
                ));
            }
            let Some(section) = section(id) else {
                return Some(format!("{id} belongs to no section"));
            };
            if !section.kinds.is_empty() && !section.kinds.iter().any(|k| mentions(&subject, k)) {
                return Some(format!(
                    "{id} is in section {} ({}), about {:?}, none of which the check names",
                    section.prefix, section.title, section.kinds
                ));
            }
        }
        None
    }

    /// The words a check's citations are judged against: its area and what it is about, not every
    /// aside of its rationale (a privileged-container check mentions AppArmor, but is not about it).
    fn subject(check: &Check) -> String {
        let slug = check.slug;
        format!(
            "{} {slug} {} {} {}",
            check.category.as_str(),
            slug.replace('-', " "),
            check.title,
            check.summary()
        )
    }

    fn cited(check: &Check) -> impl Iterator<Item = &'static str> + '_ {
        check.references.iter().filter_map(|r| match r {
            Reference::Cis(id) => Some(*id),
            _ => None,
        })
    }

    /// 118 unique ids, numbered without gaps within each (sub-)section, as v1.8.0 has them.
    #[test]
    fn the_table_is_the_whole_benchmark() {
        let ids: std::collections::BTreeSet<&str> = RECOMMENDATIONS.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), 118, "unique ids");
        let expected =
            [("1.1", 18), ("1.2", 2), ("2", 19), ("3", 24), ("4", 12), ("5", 32), ("6", 2), ("7", 9)];
        let mut at = 0;
        for (prefix, count) in expected {
            for n in 1..=count {
                let id = format!("{prefix}.{n}");
                assert_eq!(RECOMMENDATIONS[at].id, id, "the table's order");
                assert_eq!(section(&id).map(|s| s.prefix), Some(prefix), "{id}'s section");
                at += 1;
            }
        }
        assert_eq!(at, RECOMMENDATIONS.len());
        for r in &RECOMMENDATIONS {
            assert!(!r.title.is_empty() && !r.topics.is_empty(), "{}: title and topics", r.id);
            for t in r.topics {
                assert_eq!(words(t), *t, "{}: topic {t:?} must be lower-case words", r.id);
            }
        }
    }

    /// v1.8.0 inserted 2.7 and shifted v1.6.0's 2.7–2.18 by one; nothing else moved.
    #[test]
    fn the_v1_6_0_numbers_are_the_shifted_section_2() {
        for r in &RECOMMENDATIONS {
            match (r.id.strip_prefix("2.").and_then(|n| n.parse::<u32>().ok()), r.previous) {
                (Some(7), InPrevious::New) => {}
                (Some(n @ 8..=19), InPrevious::Was(old)) => {
                    assert_eq!(old, format!("2.{}", n - 1), "{}", r.id)
                }
                (Some(1..=6) | None, InPrevious::Same) => {}
                (_, other) => panic!("{}: v1.6.0 number {other:?}", r.id),
            }
        }
        assert_eq!(previous("2.8").as_deref(), Some("2.7"));
        assert_eq!(previous("2.19").as_deref(), Some("2.18"));
        assert_eq!(previous("2.5"), None);
        assert_eq!(previous("2.7"), None, "new in v1.8.0: no v1.6.0 number");
        assert_eq!(previous("2.6–2.9").as_deref(), Some("2.6–2.8"));
        assert_eq!(previous("3.1–3.14"), None);
    }

    #[test]
    fn ranges_expand_within_a_section() {
        assert_eq!(expand("3.1–3.14").map(|ids| ids.len()), Some(14));
        assert_eq!(expand("1.1.3–1.1.18").map(|ids| ids.len()), Some(16));
        assert_eq!(expand("5.2"), Some(vec!["5.2"]));
        assert_eq!(expand("3.14–3.1"), None, "backwards");
        assert_eq!(expand("2.19–3.1"), None, "across sections");
        assert_eq!(expand("2.20"), None, "no such id");
        assert_eq!(expand("3.1-3.14"), None, "a hyphen is not a range");
    }

    #[test]
    fn keywords_match_whole_words() {
        let text = words("A container shares the host's UTS namespace (`--uts host`); outputs.");
        assert!(mentions(&text, "uts"));
        assert!(mentions(&text, "namespace"));
        assert!(mentions(&words("host namespaces"), "namespace"), "plural");
        assert!(!mentions(&words("outputs"), "uts"), "inside a word");
        assert!(!mentions(&words("docker.socket"), "docker.sock"));
        assert!(mentions(&words("the `docker` group"), "docker group"));
    }

    /// Every id a check cites exists in v1.8.0 and is about what the check is about. Planting a
    /// wrong id in a check's `references` fails here with the reason.
    #[test]
    fn every_cited_id_exists_and_fits_its_check() {
        let mut misfits = Vec::new();
        for check in catalogue() {
            for id in cited(check) {
                if let Some(why) = misfit(id, &subject(check)) {
                    misfits.push(format!("{} {}: cites CIS {id}: {why}", check.code, check.slug));
                }
            }
        }
        assert!(misfits.is_empty(), "CIS references that do not fit:\n{}", misfits.join("\n"));
    }

    /// Ids in a check's prose (`CIS 4.10`) exist too: the prose and the references use one
    /// numbering.
    #[test]
    fn ids_in_the_prose_exist() {
        for check in catalogue() {
            let doc = words(check.doc);
            let mut tokens = doc.split(' ').peekable();
            while let Some(token) = tokens.next() {
                if token != "cis" {
                    continue;
                }
                let Some(id) = tokens.peek().map(|t| t.trim_end_matches(['.', ':'])) else { continue };
                if id.starts_with(|c: char| c.is_ascii_digit()) {
                    assert!(
                        expand(id).is_some(),
                        "{}: its prose names CIS {id}, not a {VERSION} id",
                        check.code
                    );
                }
            }
        }
    }

    /// The matching can fail: the citations this catalogue once had wrong are rejected, each for
    /// a reason a reader can act on.
    #[test]
    fn known_wrong_citations_are_rejected() {
        let check = |code| catalogue().into_iter().find(|c| c.code == code).expect(code);
        let wrong = [
            ("DMN006", "2.7", "devicemapper"), // v1.6.0's TLS number: in v1.8.0, devicemapper
            ("DMN008", "5.21", "uts"),         // the UTS namespace, not seccomp
            ("DMN008", "2.17", "userland"),    // v1.6.0's seccomp number: the userland proxy now
            ("HST006", "5.32", "section 5"),   // a socket mounted in a container, not its mode
            ("SEC004", "3.17", "daemon.json"), // the daemon's file, not the client's
            ("CTR003", "3.16", "section 3"),   // the socket's mode, not a mount of it
            ("HST010", "2.20", "not a CIS"),   // no such id
        ];
        for (code, id, reason) in wrong {
            let why =
                misfit(id, &subject(check(code))).unwrap_or_else(|| panic!("{code} citing {id} passed"));
            assert!(why.contains(reason), "{code} citing {id}: {why}");
        }
    }

    /// docs/coverage.md's table of ids per section — automated, manual, not cited — is what the
    /// catalogue cites. A check is manual when no fixture or variant makes it fail or warn (a
    /// person confirms what it gathered); IMG009 decides with the policy's allowlist, so it is
    /// automated.
    #[test]
    fn the_coverage_table_matches_the_catalogue() {
        use crate::checks::testing;
        let cases = testing::cases();
        let manual_check = |check: &Check| {
            check.code != crate::checks::trusted_images::CHECK.code
                && !cases
                    .iter()
                    .flat_map(|(_, snap)| testing::findings(check, snap))
                    .any(|f| matches!(f.status, crate::report::Status::Fail | crate::report::Status::Warn))
        };
        let checks = catalogue();
        let kinds: Vec<(&Check, bool)> = checks.iter().map(|c| (*c, manual_check(c))).collect();
        let mut expected: Vec<(String, [usize; 4])> = Vec::new();
        for section in &SECTIONS {
            let ids: Vec<&str> = RECOMMENDATIONS
                .iter()
                .map(|r| r.id)
                .filter(|id| self::section(id).map(|s| s.prefix) == Some(section.prefix))
                .collect();
            let mut counts = [ids.len(), 0, 0, 0];
            for id in ids {
                let citing: Vec<bool> = kinds
                    .iter()
                    .filter(|(c, _)| cited(c).any(|r| expand(r).is_some_and(|ids| ids.contains(&id))))
                    .map(|(_, manual)| *manual)
                    .collect();
                match (citing.is_empty(), citing.iter().all(|m| *m)) {
                    (true, _) => counts[3] += 1,
                    (false, true) => counts[2] += 1,
                    (false, false) => counts[1] += 1,
                }
            }
            expected.push((section.prefix.to_owned(), counts));
        }
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/coverage.md"))
            .expect("docs/coverage.md");
        let leading = |cell: &str| {
            cell.trim()
                .trim_matches('*')
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse::<usize>().ok())
        };
        for (prefix, counts) in &expected {
            let row = doc
                .lines()
                .find(|l| l.starts_with(&format!("| {prefix} ")))
                .unwrap_or_else(|| panic!("docs/coverage.md has no row for section {prefix}"));
            let cells: Vec<&str> = row.split('|').collect();
            let written = [leading(cells[2]), leading(cells[3]), leading(cells[4])];
            let not_cited = if cells[5].trim() == "—" { 0 } else { counts[3] };
            assert_eq!(
                (written, not_cited),
                ([Some(counts[0]), Some(counts[1]), Some(counts[2])], counts[3]),
                "docs/coverage.md, section {prefix}: ids, automated, manual (and whether any is not cited)"
            );
        }
        let total: [usize; 4] = expected.iter().fold([0; 4], |mut t, (_, c)| {
            for i in 0..4 {
                t[i] += c[i];
            }
            t
        });
        let row = doc.lines().find(|l| l.starts_with("| **total**")).expect("a total row");
        let cells: Vec<&str> = row.split('|').collect();
        let written: Vec<Option<usize>> = cells[2..6].iter().map(|c| leading(c)).collect();
        assert_eq!(written, total.map(Some).to_vec(), "docs/coverage.md total row");
    }

    /// The topics are selective: no check's subject fits more than a quarter of the benchmark, so
    /// fitting its own citations means something.
    #[test]
    fn topics_are_selective() {
        for check in catalogue() {
            let subject = subject(check);
            let fits = RECOMMENDATIONS.iter().filter(|r| misfit(r.id, &subject).is_none()).count();
            assert!(
                fits * 4 <= RECOMMENDATIONS.len(),
                "{}: fits {fits} of {} ids",
                check.code,
                RECOMMENDATIONS.len()
            );
        }
    }
}
