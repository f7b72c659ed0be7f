//! HST010 docker-files-not-audited.

use crate::checks::prelude::*;
use crate::snapshot::{AuditRules, AuditedPath};

use super::{in_scope, runs_in_desktop_vm};

/// Where the fix puts the rules; `augenrules` merges `rules.d` into the loaded set.
const RULES_FILE: &str = "/etc/audit/rules.d/docker.rules";

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = match in_scope(snap) {
        Ok(t) => t,
        Err(na) => return vec![*na],
    };
    if runs_in_desktop_vm(snap) {
        return vec![Finding::not_applicable(
            target,
            "Docker Desktop runs dockerd in its VM: the daemon's files and binaries are not on this machine",
        )];
    }
    let audit = match snap.host.audit.get() {
        Ok(a) => a,
        Err(reason) => {
            return vec![Finding::unknown(target, format!("the audit rules could not be read: {reason}"))];
        }
    };
    let existing: Vec<&AuditedPath> = audit.docker_paths.iter().filter(|p| p.exists).collect();
    if existing.is_empty() {
        return vec![Finding::not_applicable(
            target,
            "none of the Docker files and binaries CIS 1.1.3–1.1.18 names exist on this machine",
        )];
    }
    let missing: Vec<&AuditedPath> = existing.iter().copied().filter(|p| !p.watched).collect();
    let source = match &audit.rules {
        AuditRules::Loaded => "the loaded rules (auditctl -l)".to_owned(),
        AuditRules::Files { files, not_loaded } if files.is_empty() => {
            format!("no rule file in /etc/audit ({not_loaded})")
        }
        AuditRules::Files { files, not_loaded } => {
            format!("the rule files {} (the loaded rules were not listed: {not_loaded})", files.join(", "))
        }
        AuditRules::NotInstalled => "none: there is no /etc/audit".to_owned(),
    };
    let installed = audit.rules != AuditRules::NotInstalled;
    let running = if audit.auditd_running { "running" } else { "not running" };
    let mut finding = if !installed {
        Finding::fail(
            target,
            "auditd is not installed: changes to Docker's binaries, configuration and data leave no audit \
             trail",
        )
    } else if !audit.auditd_running {
        Finding::fail(
            target,
            format!(
                "auditd is not running: changes to Docker's files are not recorded{}",
                if missing.is_empty() {
                    String::new()
                } else {
                    format!(", and {} are not watched", count(&missing))
                }
            ),
        )
    } else if !missing.is_empty() {
        Finding::fail(
            target,
            format!(
                "{} of the {} Docker files and binaries on this machine are not watched by the audit \
                 rules: {}",
                missing.len(),
                existing.len(),
                missing.iter().map(|p| p.path.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )
    } else {
        Finding::pass(
            target,
            format!(
                "auditd is running and {} watch all {} Docker files and binaries on this machine",
                if audit.rules == AuditRules::Loaded { "its loaded rules" } else { "its rule files" },
                existing.len()
            ),
        )
    };
    finding = finding.evidence("auditd process", running, "running").evidence(
        "audit rules read from",
        source,
        "the loaded rules, watching Docker's paths",
    );
    for p in &missing {
        finding = finding.evidence(
            format!("CIS {}: {}", p.cis, p.path),
            "not watched",
            format!("-w {} -k docker", p.path),
        );
    }
    if !installed {
        finding = finding.fix(
            SnippetKind::Shell,
            "Install and start the audit daemon",
            "sudo apt-get install auditd   # Fedora/RHEL: sudo dnf install audit\n\
             sudo systemctl enable --now auditd",
        );
    } else if !audit.auditd_running {
        finding =
            finding.fix(SnippetKind::Shell, "Start the audit daemon", "sudo systemctl enable --now auditd");
    }
    if !missing.is_empty() {
        finding = finding.fix(
            SnippetKind::Shell,
            format!("Watch them ({RULES_FILE}), and load the rules now"),
            rules_fix(&missing),
        );
    }
    vec![finding]
}

fn count(paths: &[&AuditedPath]) -> String {
    match paths.len() {
        1 => format!("{} is", paths[0].path),
        n => format!("{n} of its paths"),
    }
}

/// The rules file with exactly the missing watches, then the load.
fn rules_fix(missing: &[&AuditedPath]) -> String {
    let rules: Vec<String> = missing.iter().map(|p| format!("-w {} -k docker", p.path)).collect();
    format!(
        "sudo tee -a {RULES_FILE} >/dev/null <<'EOF'\n{}\nEOF\n\
         sudo augenrules --load   # with `-e 2` (immutable rules) they load at the next boot\n\
         sudo auditctl -l | grep -- '-k docker'",
        rules.join("\n")
    )
}

crate::declare_check! {
    /// Changes to Docker's binaries, configuration and data are not recorded by the Linux audit
    /// system.
    ///
    /// ## Rationale
    /// dockerd runs as root and trusts its binaries, units, daemon.json, TLS material and data
    /// directory. Audit watches on them record who changed a file and when (a replaced `runc`, a
    /// unit given `-H tcp://0.0.0.0:2375`, an edited daemon.json), which detection and forensics need
    /// after the fact; without auditd, or with these paths unwatched, such a change leaves no trace
    /// outside the file itself. Detection, not prevention: Low.
    ///
    /// ## Evidence
    /// The loaded audit rules (`auditctl -l`, root only), else `/etc/audit/audit.rules` and
    /// `/etc/audit/rules.d/*.rules`; `-w PATH`, `-F path=PATH` and `-F dir=PATH` rules that record
    /// writes or attribute changes are matched against the benchmark's paths as they exist here
    /// (the running dockerd's binary, data-root, config file and containerd socket; units under
    /// `/etc/systemd/system`, `/lib/systemd/system`, `/usr/lib/systemd/system`; containerd, its
    /// shims and runc in the usual binary directories), symlinks resolved and a watched directory
    /// covering what is below it. Whether an `auditd` process runs comes from the process table.
    /// Unreadable rules (no root): unknown.
    ///
    /// ## Remediation
    /// Install and start auditd, then add `-w PATH -k docker` for each unwatched path to
    /// `/etc/audit/rules.d/docker.rules` and run `sudo augenrules --load`. The finding lists
    /// exactly the missing lines.
    pub(crate) static CHECK = {
        code: "HST010",
        slug: "docker-files-not-audited",
        title: "Docker's files and binaries are not audited",
        category: Host,
        severity: Low,
        target: Host,
        references: [
            Reference::Cis("1.1.3–1.1.18"),
            Reference::Nist("tenet 7: collect information about the state of assets"),
            Reference::Seed("Zero Trust: A solid foundation: Host and network"),
            Reference::Seed("Best practices §9 Monitor and Audit"),
            Reference::Url("https://man7.org/linux/man-pages/man8/auditctl.8.html"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST010` selects its tests")]
mod HST010 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named};
    use crate::snapshot::Fact;

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn unwatched_paths_fail_with_exactly_the_missing_rules() {
        let f = findings(&CHECK, &named("audit-gaps", |_| {}));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert!(f[0].message.starts_with("11 of the 15 Docker files"), "{}", f[0].message);
        assert!(f[0].message.contains("/usr/sbin/runc") && !f[0].message.contains("/etc/docker/daemon.json"));
        let fix = &f[0].remediation[0].code;
        assert!(fix.starts_with("sudo tee -a /etc/audit/rules.d/docker.rules"), "{fix}");
        assert!(
            fix.contains("\n-w /run/containerd -k docker\n") && !fix.contains("-w /usr/sbin/dockerd"),
            "{fix}"
        );
        assert!(fix.contains("sudo augenrules --load"), "{fix}");
        assert_eq!(f[0].evidence.len(), 2 + 11);
    }

    #[test]
    fn every_path_watched_passes() {
        let f = findings(&CHECK, &named("audited-host", |_| {}));
        assert_eq!(f[0].status, Status::Pass, "{}", f[0].message);
        assert!(f[0].remediation.is_empty());
    }

    #[test]
    fn no_auditd_fails_with_the_install() {
        // Mutation: auditd is not installed at all (as on the capturing machine).
        let snap = named("audited-host", |s| {
            let audit = s.host.audit.ok_mut().expect("set by the variant");
            audit.auditd_running = false;
            audit.rules = AuditRules::NotInstalled;
            audit.watches.clear();
            audit.docker_paths.iter_mut().for_each(|p| p.watched = false);
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.starts_with("auditd is not installed"), "{}", f[0].message);
        assert!(f[0].remediation[0].code.contains("apt-get install auditd"));
        assert!(f[0].remediation[1].code.contains("-w /usr/sbin/dockerd -k docker"));
    }

    #[test]
    fn a_stopped_auditd_fails_even_with_rules() {
        // Mutation: the rules watch everything but auditd is stopped.
        let snap = named("audited-host", |s| s.host.audit.ok_mut().expect("set").auditd_running = false);
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].message, "auditd is not running: changes to Docker's files are not recorded");
        assert_eq!(f[0].remediation[0].code, "sudo systemctl enable --now auditd");
    }

    #[test]
    fn unreadable_rules_are_unknown() {
        // Captured on a machine without auditd: the real verdict is a failure with the fix.
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.starts_with("auditd is not installed"), "{}", f[0].message);
        // Mutation: an unprivileged scan on a host whose /etc/audit is 0750 root.
        let snap = named("audit-gaps", |s| {
            s.host.audit = Fact::unavailable("needs root: /etc/audit is readable by root only");
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Unknown);
        assert!(f[0].message.contains("needs root"), "{}", f[0].message);
    }
}
