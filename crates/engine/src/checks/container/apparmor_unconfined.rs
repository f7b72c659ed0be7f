//! CTR010 apparmor-unconfined.

use crate::checks::prelude::*;

use super::{recreate_without, state_note};

/// Whether the engine confines containers with AppArmor: `GET /info` `SecurityOptions` lists
/// `name=apparmor` exactly when the daemon found AppArmor enabled, which also holds for a remote
/// engine. Only when `/info` is unreadable does this machine's own LSM state stand in, and only for
/// a local engine.
fn engine_uses_apparmor(snap: &Snapshot) -> Result<bool, String> {
    match snap.info() {
        Ok(info) => Ok(info.os_type != "windows" && info.security_option("apparmor").is_some()),
        Err(info_reason) => {
            snap.host_scope().map_err(|scope| {
                format!("engine information could not be read ({info_reason}) and {scope}")
            })?;
            match snap.host.lsm.get() {
                Ok(lsm) => Ok(lsm.apparmor == Some(true)),
                Err(lsm_reason) => Err(format!(
                    "neither the engine's security options ({info_reason}) nor this host's AppArmor state ({lsm_reason}) could be read"
                )),
            }
        }
    }
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let apparmor = engine_uses_apparmor(snap);
    each_container(snap, |c| {
        let target = container_target(c);
        let note = state_note(c);
        if c.security_opt("apparmor") == Some("unconfined") {
            let why = match &apparmor {
                Ok(false) => {
                    " (this engine has no AppArmor, but the opt-out applies wherever it runs with one)"
                }
                _ => "",
            };
            return Finding::fail(
                target,
                format!("Container `{}` disables AppArmor (`apparmor=unconfined`){why}{note}", c.name),
            )
            .evidence("HostConfig.SecurityOpt", "apparmor=unconfined", "no apparmor=unconfined")
            .fixes(recreate_without(
                c,
                "--security-opt apparmor=unconfined",
                "",
                "# remove `apparmor:unconfined` from security_opt",
            ));
        }
        match &apparmor {
            Err(reason) => Finding::unknown(target, reason.clone()),
            Ok(false) => Finding::not_applicable(
                target,
                "The engine does not confine containers with AppArmor (no `name=apparmor` in its SecurityOptions)",
            ),
            Ok(true) if c.privileged => Finding::fail(
                target,
                format!("Container `{}` runs without AppArmor: it is privileged{note}", c.name),
            )
            .evidence("HostConfig.Privileged", true, "false (privileged containers run unconfined)")
            .fixes(container_fixes(
                c,
                "--cap-drop ALL --cap-add CAP_NAME",
                "privileged: false\ncap_drop: [\"ALL\"]",
            )),
            Ok(true) if c.apparmor_profile == "unconfined" => Finding::fail(
                target,
                format!("Container `{}` runs without AppArmor (profile `unconfined`){note}", c.name),
            )
            .evidence("AppArmorProfile", "unconfined", "docker-default or a custom profile")
            .fixes(container_fixes(
                c,
                "--security-opt apparmor=docker-default",
                "security_opt:\n  - apparmor:docker-default",
            )),
            Ok(true) => {
                let profile = if c.apparmor_profile.is_empty() {
                    "(empty: docker-default applies at start)"
                } else {
                    c.apparmor_profile.as_str()
                };
                Finding::pass(target, format!("Container `{}` is confined by AppArmor", c.name)).evidence(
                    "AppArmorProfile",
                    profile,
                    "docker-default or a custom profile",
                )
            }
        }
    })
}

crate::declare_check! {
    /// A container runs without an AppArmor profile on an engine that confines containers with
    /// AppArmor (`--security-opt apparmor=unconfined`, or `--privileged`).
    ///
    /// ## Rationale
    /// On Debian, Ubuntu and SUSE hosts Docker confines every container with the `docker-default`
    /// AppArmor profile: it denies writes to `/proc/sys`, `/sys`, mounting, and access to most of
    /// `/proc` — a second wall behind capabilities and seccomp that has stopped real escapes. An
    /// unconfined container loses that wall. An explicit `apparmor=unconfined` fails even on an
    /// engine without AppArmor: the opt-out takes effect wherever the same configuration runs on an
    /// AppArmor host. Otherwise the check does not apply where the engine has no AppArmor (SELinux
    /// hosts confine containers differently).
    ///
    /// ## Evidence
    /// `AppArmorProfile`, `HostConfig.SecurityOpt` (`apparmor=…`/`apparmor:…`) and
    /// `HostConfig.Privileged` of every container in every state; whether the engine uses AppArmor
    /// from `GET /info` `SecurityOptions` (`name=apparmor`), or, when that cannot be read and the
    /// engine is local, `/sys/module/apparmor/parameters/enabled`.
    ///
    /// ## Remediation
    /// Recreate the container without `--security-opt apparmor=unconfined` (and without
    /// `--privileged`); if `docker-default` blocks something it needs, write a profile that allows
    /// just that, load it with `apparmor_parser` and use `--security-opt apparmor=<profile>`. In
    /// Compose, remove `apparmor:unconfined` from `security_opt`.
    pub(crate) static CHECK = {
        code: "CTR010",
        slug: "apparmor-unconfined",
        title: "Container runs without AppArmor",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.2"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust §Principle of least privilege"),
            Reference::Url("https://docs.docker.com/engine/security/apparmor/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR010` selects its tests")]
mod CTR010 {
    use super::CHECK;
    use crate::checks::container::container_mut;
    use crate::checks::prelude::*;
    use crate::checks::testing::{VARIANTS, variant};
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-apparmor-unconfined", "zd-caps"]);

    #[test]
    fn explicit_opt_out_fails_even_without_apparmor() {
        // The capturing machine has no AppArmor: only the explicit opt-out is a finding.
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-apparmor-unconfined"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::NotApplicable);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::NotApplicable);
    }

    #[test]
    fn on_an_apparmor_engine() {
        // The registered variant `apparmor-engine`: `/info` lists `name=apparmor` and containers
        // carry the profiles dockerd records on such a host.
        let (_, base, mutate) =
            VARIANTS.iter().find(|v| v.0 == "apparmor-engine").expect("variant registered");
        let f = findings(&CHECK, &variant(base, mutate));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&f, "zd-privileged"), Status::Fail);
        assert_eq!(status_of(&f, "zd-apparmor-unconfined"), Status::Fail);
        // Variant of it: a container whose profile is `unconfined` without asking (as recorded).
        let snap = variant(base, |s| {
            mutate(s);
            container_mut(s, "zd-defaults").apparmor_profile = "unconfined".to_owned();
        });
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-defaults"), Status::Fail);
    }
}
