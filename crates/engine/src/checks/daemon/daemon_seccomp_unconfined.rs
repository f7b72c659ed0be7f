//! DMN008 daemon-seccomp-unconfined.

use crate::checks::prelude::*;

use super::{daemon_json_remove, dockerd_flag};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_info(snap, |info, target| {
        let field = "GET /info SecurityOptions (name=seccomp)";
        let expected = "profile=default or profile=builtin";
        if info.os_type == "windows" {
            return Finding::not_applicable(target, "seccomp is a Linux feature; this is a Windows engine");
        }
        match info.seccomp_profile() {
            Some("unconfined") => {
                let fix = if dockerd_flag(snap, "seccomp-profile").is_some() {
                    Snippet::new(
                        SnippetKind::Shell,
                        "dockerd is started with `--seccomp-profile`: remove the flag",
                        "sudo systemctl edit docker.service   # ExecStart: drop --seccomp-profile=unconfined\nsudo systemctl restart docker",
                    )
                } else {
                    daemon_json_remove(snap, "seccomp-profile")
                };
                Finding::fail(
                    target,
                    "Containers run without a seccomp filter by default: every system call reaches the host kernel",
                )
                .evidence(field, "profile=unconfined", expected)
                .fixes([fix])
            }
            Some(profile @ ("default" | "builtin")) => {
                Finding::pass(target, "Containers get Docker's default seccomp profile")
                    .evidence(field, format!("profile={profile}"), expected)
            }
            Some(custom) => Finding::pass(
                target,
                format!("Containers get the custom seccomp profile `{custom}` by default: review it against Docker's default"),
            )
            .evidence(field, format!("profile={custom}"), expected),
            None => Finding::warn(
                target,
                "The daemon reports no seccomp support: containers run without system-call filtering (kernel without CONFIG_SECCOMP, or dockerd built without seccomp)",
            )
            .evidence("GET /info SecurityOptions", info.security_options.join(" "), "name=seccomp,profile=default"),
        }
    })
}

crate::declare_check! {
    /// Containers run without a seccomp system-call filter by default.
    ///
    /// ## Rationale
    /// Docker's default seccomp profile blocks about 50 system calls that containers do not need
    /// and that most kernel-exploit container escapes rely on (`keyctl`, `unshare`, `mount`,
    /// `bpf`, `userfaultfd`…). A daemon-wide `seccomp-profile` of `unconfined` removes that filter
    /// from every container, so one kernel bug is enough to reach the host. Least privilege applies
    /// to the kernel interface too.
    ///
    /// ## Evidence
    /// `GET /info` → `SecurityOptions`, entry `name=seccomp,profile=…` (`docker info -f
    /// '{{.SecurityOptions}}'`): `default` (up to 20.10) or `builtin` (23.0 and later) pass, a file
    /// path (a custom profile) passes with a note, `unconfined` fails. No `name=seccomp` entry at all
    /// means the kernel or the daemon lacks seccomp support (warn).
    ///
    /// ## Remediation
    /// Remove the `seccomp-profile` key from daemon.json (or the `--seccomp-profile` flag) and
    /// restart the daemon. Containers that need extra system calls get a custom profile of their
    /// own (`--security-opt seccomp=profile.json`), never `unconfined`.
    pub(crate) static CHECK = {
        code: "DMN008",
        slug: "daemon-seccomp-unconfined",
        title: "Containers unconfined by seccomp by default",
        category: Daemon,
        severity: High,
        target: Engine,
        references: [
            Reference::Cis("2.18"),
            Reference::Cis("5.22"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust: Principle of least privilege"),
            Reference::Url("https://docs.docker.com/engine/security/seccomp/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN008` selects its tests")]
mod DMN008 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "seccomp-unconfined-daemon", []);

    fn with_options(options: &[&str]) -> crate::snapshot::Snapshot {
        variant("default", |s| {
            s.engine.ok_mut().expect("captured").info.ok_mut().expect("captured").security_options =
                options.iter().map(|o| (*o).to_owned()).collect();
        })
    }

    #[test]
    fn default_profile_passes() {
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::Pass);
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn unconfined_fails_missing_warns_custom_passes() {
        // Mutations: the daemon's SecurityOptions as dockerd reports each configuration.
        let f = findings(&CHECK, &with_options(&["name=seccomp,profile=unconfined"]));
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].remediation[0].code.contains("del(.[\"seccomp-profile\"])"));
        assert_eq!(findings(&CHECK, &with_options(&[]))[0].status, Status::Warn);
        let f = findings(&CHECK, &with_options(&["name=seccomp,profile=/etc/docker/seccomp.json"]));
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].message.contains("/etc/docker/seccomp.json"));
        assert_eq!(
            findings(&CHECK, &with_options(&["name=seccomp,profile=builtin"]))[0].status,
            Status::Pass
        );
    }
}
