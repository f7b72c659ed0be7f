//! CTR023 selinux-label-missing.

use crate::checks::prelude::*;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let selinux = snap.info().ok().map(|i| i.security_option("selinux").is_some());
    if selinux == Some(false) {
        return vec![Finding::not_applicable(
            engine_target(snap),
            "the daemon runs without SELinux support (no `name=selinux` in SecurityOptions): SELinux labels do not apply here; AppArmor (CTR010) confines containers on such hosts",
        )];
    }
    each_container(snap, |c| {
        let target = container_target(c);
        let label_opts: Vec<&str> =
            c.security_opt.iter().map(String::as_str).filter(|o| o.starts_with("label")).collect();
        let opts = if label_opts.is_empty() { "none".to_owned() } else { label_opts.join(", ") };
        let disabled = c.security_opt("label").is_some_and(|v| v == "disable");
        if selinux.is_none() {
            return Finding::unknown(
                target,
                "whether the daemon enforces SELinux could not be read (GET /info failed)",
            );
        }
        if disabled || c.privileged {
            let how = if disabled { "`--security-opt label=disable`" } else { "`--privileged`" };
            return Finding::fail(
                target,
                format!("Container `{}` runs without SELinux confinement ({how})", c.name),
            )
            .evidence("HostConfig.SecurityOpt", opts, "no label=disable; a container_t label")
            .evidence("HostConfig.Privileged", c.privileged, "false")
            .fixes(super::recreate_without(
                c,
                if disabled { "--security-opt label=disable" } else { "--privileged" },
                "",
                "security_opt: []   # no label=disable: the container_t type applies",
            ));
        }
        if c.process_label.is_empty() {
            return Finding::fail(target, format!("Container `{}` has no SELinux process label", c.name))
                .evidence("ProcessLabel", "(empty)", "a container_t label")
                .evidence("HostConfig.SecurityOpt", opts, "label options or the default labelling")
                .fixes(container_fixes(
                    c,
                    "--security-opt label=type:container_t",
                    "security_opt: [\"label=type:container_t\"]",
                ));
        }
        Finding::pass(
            target,
            format!("Container `{}` runs confined by SELinux as `{}`", c.name, c.process_label),
        )
        .evidence("ProcessLabel", &c.process_label, "a container_t label")
        .evidence("HostConfig.SecurityOpt", opts, "no label=disable")
    })
}

crate::declare_check! {
    /// A container on an SELinux host runs without SELinux confinement.
    ///
    /// ## Rationale
    /// On SELinux hosts (Fedora, RHEL and their kin) with `--selinux-enabled`, every container's
    /// processes get a `container_t` type and a unique MCS category pair: even a process that
    /// escapes its namespaces cannot read the host's files or another container's. `--security-opt
    /// label=disable` and `--privileged` drop that confinement, leaving only the namespaces
    /// between a compromised container and the host. On hosts without SELinux (AppArmor distributions)
    /// the check does not apply; CTR010 covers AppArmor there.
    ///
    /// ## Evidence
    /// `GET /info` → `SecurityOptions` (`name=selinux` when the daemon enforces SELinux); per
    /// container `ProcessLabel` (`docker inspect -f '{{.ProcessLabel}}'`),
    /// `HostConfig.SecurityOpt` (`label=…` entries) and `HostConfig.Privileged`.
    ///
    /// ## Remediation
    /// Recreate the container without `--security-opt label=disable` / `--privileged`; set a
    /// specific type or level with `--security-opt label=type:…` / `label=level:…` where a
    /// workload needs one, and relabel bind mounts with `:z`/`:Z` instead of disabling labels.
    pub(crate) static CHECK = {
        code: "CTR023",
        slug: "selinux-label-missing",
        title: "Container without SELinux confinement",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.3"),
            Reference::Url("https://docs.docker.com/engine/security/#other-kernel-security-features"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR023` selects its tests")]
mod CTR023 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "selinux-engine",
        ["zd-apparmor-unconfined", "zd-hardened"]
    );

    #[test]
    fn no_selinux_daemon_is_not_applicable() {
        for base in ["default", "hardened"] {
            let f = findings(&CHECK, &fixture(base));
            assert_eq!((f.len(), f[0].status), (1, Status::NotApplicable), "{base}");
        }
    }

    #[test]
    fn labels_pass_disabled_and_privileged_fail() {
        let f = findings(&CHECK, &named("selinux-engine", |_| {}));
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&f, "zd-apparmor-unconfined"), Status::Fail);
        assert_eq!(status_of(&f, "zd-privileged"), Status::Fail);
    }
}
