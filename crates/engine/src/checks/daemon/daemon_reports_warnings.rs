//! DMN011 daemon-warnings.

use crate::checks::prelude::*;

use super::first_line;

/// The check that already scores a warning, so it is shown here without being counted twice.
fn covered_by(warning: &str) -> Option<&'static str> {
    if warning.contains("API is accessible on") || warning.contains("without TLS client verification") {
        Some("DMN006 api-tcp-without-tls")
    } else if warning.contains("seccomp profile") {
        Some("DMN008 daemon-seccomp-unconfined")
    } else {
        None
    }
}

/// A fix for the warnings whose cause is a known host setting.
fn fix_for(finding: Finding, warning: &str) -> Finding {
    let lower = warning.to_ascii_lowercase();
    if lower.contains("bridge-nf-call") {
        finding.fix(
            SnippetKind::Shell,
            "Load br_netfilter and let iptables see bridged traffic (needed for icc=false and published-port rules)",
            "sudo modprobe br_netfilter\necho br_netfilter | sudo tee /etc/modules-load.d/br_netfilter.conf\n\
             printf 'net.bridge.bridge-nf-call-iptables = 1\\nnet.bridge.bridge-nf-call-ip6tables = 1\\n' | sudo tee /etc/sysctl.d/99-docker-bridge.conf\n\
             sudo sysctl --system",
        )
    } else if lower.contains("ipv4 forwarding is disabled") {
        finding.fix(
            SnippetKind::Shell,
            "Enable IPv4 forwarding persistently",
            "echo 'net.ipv4.ip_forward = 1' | sudo tee /etc/sysctl.d/99-docker-forward.conf\nsudo sysctl --system",
        )
    } else if lower.contains("limit support") || lower.contains("cgroup v1") {
        finding.fix(
            SnippetKind::Shell,
            "Boot with the unified cgroup v2 hierarchy so memory, swap and pids limits are enforced",
            "# add to GRUB_CMDLINE_LINUX in /etc/default/grub: systemd.unified_cgroup_hierarchy=1\nsudo update-grub && sudo reboot",
        )
    } else {
        finding
    }
}

fn one(target: Target, index: usize, warning: &str) -> Finding {
    let line = first_line(warning);
    let observed = warning.split_whitespace().collect::<Vec<_>>().join(" ");
    let field = format!("GET /info Warnings[{index}]");
    match covered_by(warning) {
        Some(check) => Finding::info(target, format!("The daemon warns: {line} (scored by {check})"))
            .evidence(field, observed, "no warning"),
        None => fix_for(
            Finding::warn(target, format!("The daemon warns: {line}")).evidence(
                field,
                observed,
                "no warning",
            ),
            warning,
        ),
    }
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    match snap.info() {
        Ok(info) if !info.warnings.is_empty() => {
            let target = engine_target(snap);
            info.warnings.iter().enumerate().map(|(i, w)| one(target.clone(), i, w)).collect()
        }
        _ => with_info(snap, |_, target| {
            Finding::pass(target, "The daemon reports no warnings").evidence(
                "GET /info Warnings",
                "[]",
                "no warning",
            )
        }),
    }
}

crate::declare_check! {
    /// The daemon reports warnings about its own configuration or the host (`docker info`).
    ///
    /// ## Rationale
    /// dockerd lists what it could not set up or considers unsafe in `docker info`: an API exposed
    /// without TLS, missing cgroup controllers (so `--memory`, `--pids-limit` or swap limits are
    /// silently not enforced), `bridge-nf-call-iptables` disabled (so `icc=false` and port rules are
    /// bypassed), a deprecated cgroup v1 host, a non-default seccomp profile. These lines are easy
    /// to miss and each weakens an isolation the other checks assume. Every warning is surfaced,
    /// as Lynis does (CONT-8104), so nothing the daemon says is hidden; warnings already scored by
    /// another check are shown as information.
    ///
    /// ## Evidence
    /// `GET /info` → `Warnings[]`, verbatim (`docker info` prints them at the end, as `WARNING:`
    /// lines). One finding per warning.
    ///
    /// ## Remediation
    /// Depends on the warning: load `br_netfilter` and set `net.bridge.bridge-nf-call-iptables=1`;
    /// boot with cgroup v2 (`systemd.unified_cgroup_hierarchy=1`) for missing limit support; remove
    /// unprotected TCP listeners (see DMN006). Restart the daemon and re-run `docker info`.
    pub(crate) static CHECK = {
        code: "DMN011",
        slug: "daemon-reports-warnings",
        title: "Warnings reported by the daemon",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("1.2.1"),
            Reference::Nist("tenet 7: collect information about the state of assets"),
            Reference::Seed("Best practices §9 Monitor and Audit"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/system/info/"),
            Reference::Tool("Lynis CONT-8104"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN011` selects its tests")]
mod DMN011 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn default_tcp_warning_is_shown_as_info() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Info));
        assert!(
            f[0].message.contains("API is accessible on http://127.0.0.1:23750")
                && f[0].message.contains("DMN006")
        );
    }

    #[test]
    fn hardened_has_none() {
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn one_finding_per_warning() {
        // Mutation: the daemon also reports two host problems.
        let snap = variant("default", |s| {
            let warnings =
                &mut s.engine.ok_mut().expect("captured").info.ok_mut().expect("captured").warnings;
            warnings.push("WARNING: No swap limit support".into());
            warnings.push("WARNING: bridge-nf-call-iptables is disabled".into());
        });
        let f = findings(&CHECK, &snap);
        let statuses: Vec<Status> = f.iter().map(|f| f.status).collect();
        assert_eq!(statuses, [Status::Info, Status::Warn, Status::Warn]);
        assert_eq!(f[1].message, "The daemon warns: No swap limit support");
        assert!(f[2].remediation[0].code.contains("br_netfilter"));
    }
}
