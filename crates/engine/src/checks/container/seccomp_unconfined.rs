//! CTR009 seccomp-unconfined.

use crate::checks::prelude::*;

use super::{recreate_without, state_note};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let info = snap.info();
    each_container(snap, |c| {
        let target = container_target(c);
        let note = state_note(c);
        let explicit = c.security_opt("seccomp");
        if c.privileged {
            // Docker never applies a seccomp profile to a privileged container, whatever its options.
            return Finding::fail(
                target,
                format!("Container `{}` runs without seccomp: it is privileged{note}", c.name),
            )
            .evidence("HostConfig.Privileged", true, "false (privileged disables seccomp)")
            .fixes(container_fixes(
                c,
                "--cap-drop ALL --cap-add CAP_NAME",
                "privileged: false\ncap_drop: [\"ALL\"]",
            ));
        }
        match explicit {
            Some("unconfined") => {
                Finding::fail(target, format!("Container `{}` disables seccomp (`seccomp=unconfined`){note}", c.name))
                    .evidence("HostConfig.SecurityOpt", "seccomp=unconfined", "no seccomp=unconfined")
                    .fixes(recreate_without(
                        c,
                        "--security-opt seccomp=unconfined",
                        "",
                        "# remove `seccomp:unconfined` from security_opt",
                    ))
            }
            Some(profile) => Finding::pass(target, format!("Container `{}` runs with a custom seccomp profile", c.name))
                .evidence("HostConfig.SecurityOpt", format!("seccomp={profile}"), "a seccomp profile"),
            None => match info {
                Err(reason) => Finding::unknown(
                    target,
                    format!("the daemon's default seccomp profile could not be read (engine information: {reason})"),
                ),
                Ok(info) if info.os_type == "windows" => {
                    Finding::not_applicable(target, "Windows containers have no seccomp")
                }
                Ok(info) => match info.seccomp_profile() {
                    Some("unconfined") => Finding::fail(
                        target,
                        format!("Container `{}` runs without seccomp: the daemon's default profile is `unconfined`{note}", c.name),
                    )
                    .evidence("GET /info SecurityOptions", "name=seccomp,profile=unconfined", "profile=default or builtin"),
                    Some(profile) => {
                        Finding::pass(target, format!("Container `{}` runs with the daemon's seccomp profile", c.name))
                            .evidence("HostConfig.SecurityOpt / GET /info SecurityOptions", format!("no override; daemon profile={profile}"), "a seccomp profile")
                    }
                    None => Finding::fail(
                        target,
                        format!("Container `{}` runs without seccomp: the daemon reports no seccomp support{note}", c.name),
                    )
                    .evidence("GET /info SecurityOptions", info.security_options.join(", "), "name=seccomp"),
                },
            },
        }
    })
}

crate::declare_check! {
    /// A container runs without a seccomp filter (`--security-opt seccomp=unconfined`, a privileged
    /// container, or a daemon whose default profile is `unconfined`).
    ///
    /// ## Rationale
    /// Docker's default seccomp profile blocks about 50 system calls that containers do not need and
    /// that keep turning up in kernel exploits and escapes (`keyctl`, `unshare`, `mount`, `bpf`,
    /// `userfaultfd`, `kexec_load`…). Without it every kernel bug reachable by a syscall is reachable
    /// from the container. `--privileged` disables seccomp too, so a privileged container fails here
    /// as well (CTR001 reports the privilege itself).
    ///
    /// ## Evidence
    /// `HostConfig.SecurityOpt` (`seccomp=unconfined` or the older `seccomp:unconfined`) and
    /// `HostConfig.Privileged` of every container in every state; for containers without a seccomp
    /// option, the daemon's default from `GET /info` `SecurityOptions` (`name=seccomp,profile=…`).
    ///
    /// ## Remediation
    /// Recreate the container without `--security-opt seccomp=unconfined`. If the default profile
    /// blocks a call the application needs, copy Docker's profile, allow that one call and pass it
    /// with `--security-opt seccomp=/path/profile.json`. In Compose, remove `seccomp:unconfined` from
    /// `security_opt`. A daemon-wide `"seccomp-profile": "unconfined"` belongs out of daemon.json.
    pub(crate) static CHECK = {
        code: "CTR009",
        slug: "seccomp-unconfined",
        title: "Container runs without seccomp",
        category: Containers,
        severity: High,
        target: Container,
        references: [
            Reference::Cis("5.22"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust §Principle of least privilege"),
            Reference::Url("https://docs.docker.com/engine/security/seccomp/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR009` selects its tests")]
mod CTR009 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-privileged", "zd-hardened"]);

    #[test]
    fn unconfined_and_privileged_fail() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-seccomp-unconfined"), Status::Fail);
        assert_eq!(status_of(&f, "zd-privileged"), Status::Fail);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
