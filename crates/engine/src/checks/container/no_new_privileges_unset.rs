//! CTR011 no-new-privileges-unset.

use crate::checks::prelude::*;
use crate::checks::versions::lifecycle::ParsedVersion;

use super::state_note;

/// The daemon's default for new containers: (on, evidence field, observed value).
type DaemonDefault = (bool, String, String);

/// Whether the daemon sets no-new-privileges on every new container. Since Engine 24
/// (moby/moby#45320) `GET /info` lists `name=no-new-privileges` when it does, which is the live truth
/// and works for remote engines; older engines do not say, so the daemon's flags and daemon.json
/// decide.
fn daemon_default(snap: &Snapshot) -> Result<DaemonDefault, String> {
    if let Ok(info) = snap.info() {
        if info.security_option("no-new-privileges").is_some() {
            return Ok((true, "GET /info SecurityOptions".to_owned(), "name=no-new-privileges".to_owned()));
        }
        let major = snap
            .version()
            .ok()
            .and_then(|v| ParsedVersion::parse(&v.version))
            .and_then(|p| p.numbers.first().copied());
        if major.is_some_and(|m| m >= 24) {
            return Ok((
                false,
                "GET /info SecurityOptions".to_owned(),
                "no name=no-new-privileges".to_owned(),
            ));
        }
    }
    let setting = daemon_setting(snap, "no-new-privileges", "no-new-privileges")?;
    Ok((setting.as_bool(false), setting.field("no-new-privileges"), setting.display("false")))
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let default = daemon_default(snap);
    each_container(snap, |c| {
        let target = container_target(c);
        let note = state_note(c);
        let fixes = || {
            container_fixes(
                c,
                "--security-opt no-new-privileges",
                "security_opt:\n  - no-new-privileges:true",
            )
            .into_iter()
            .chain(daemon_json_fix(snap, serde_json::json!({ "no-new-privileges": true })))
        };
        // Docker reads the value with Go's strconv.ParseBool: `=0`, `=f`, `=False` all mean off.
        if let Some(value) = c.security_opt("no-new-privileges") {
            return match parse_go_bool(value) {
                Some(false) => Finding::fail(
                    target,
                    format!("Container `{}` explicitly allows gaining privileges (`no-new-privileges={value}`){note}", c.name),
                )
                .evidence("HostConfig.SecurityOpt", format!("no-new-privileges={value}"), "no-new-privileges or no-new-privileges=true")
                .fixes(fixes()),
                Some(true) => Finding::pass(target, format!("Container `{}` cannot gain new privileges", c.name))
                    .evidence(
                        "HostConfig.SecurityOpt",
                        format!("no-new-privileges={value}"),
                        "no-new-privileges",
                    ),
                None => Finding::unknown(
                    target,
                    format!("`{}` sets `no-new-privileges={value}`, which is not a boolean", c.name),
                ),
            };
        }
        match &default {
            Err(reason) => Finding::unknown(
                target,
                format!("`{}` does not set no-new-privileges and the daemon's default is unknown: {reason}", c.name),
            ),
            Ok((true, field, observed)) => {
                Finding::pass(target, format!("Container `{}` cannot gain new privileges (daemon default)", c.name))
                    .evidence("HostConfig.SecurityOpt", "no no-new-privileges option", "no-new-privileges")
                    .evidence(field.clone(), observed, "true")
            }
            Ok((false, field, observed)) => Finding::fail(
                target,
                format!("Container `{}` may gain privileges through setuid binaries: no-new-privileges is unset{note}", c.name),
            )
            .evidence("HostConfig.SecurityOpt", "no no-new-privileges option", "no-new-privileges")
            .evidence(field.clone(), observed, "true")
            .fixes(fixes()),
        }
    })
}

crate::declare_check! {
    /// A container's processes may gain privileges through setuid/setgid binaries or file
    /// capabilities: neither the container nor the daemon sets `no-new-privileges`.
    ///
    /// ## Rationale
    /// `no-new-privileges` sets the kernel's `PR_SET_NO_NEW_PRIVS` bit on the container's first
    /// process: `execve` can then never raise privileges, so a setuid-root binary (`su`, `sudo`,
    /// `passwd`, a planted one) cannot turn a compromised non-root process into root. It costs
    /// nothing for almost every workload. It can be set per container or, better, as the daemon
    /// default; a container that sets `no-new-privileges=false` overrides the default and fails.
    ///
    /// ## Evidence
    /// `HostConfig.SecurityOpt` of every container in every state (`no-new-privileges`,
    /// `no-new-privileges=true|false`, or the `:` form). The daemon default: `GET /info`
    /// `SecurityOptions` contains `name=no-new-privileges` (Engine 24 and later, where its absence
    /// means off); on older engines the `no-new-privileges` key of daemon.json or the dockerd flag.
    ///
    /// ## Remediation
    /// Set it for every container at once with `"no-new-privileges": true` in daemon.json (applies
    /// to containers created after the restart), or per container with
    /// `--security-opt no-new-privileges` / Compose `security_opt: ["no-new-privileges:true"]`.
    pub(crate) static CHECK = {
        code: "CTR011",
        slug: "no-new-privileges-unset",
        title: "Container may gain new privileges",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.26"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust §Principle of least privilege"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/run/#security-opt"),
            Reference::Cis("2.15"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR011` selects its tests")]
mod CTR011 {
    use super::CHECK;
    use crate::checks::container::container_mut;
    use crate::checks::prelude::*;
    use crate::checks::testing::variant;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-apparmor-unconfined", "zd-hardened"]
    );

    #[test]
    fn unset_fails_explicit_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Fail);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }

    #[test]
    fn daemon_default_covers_containers_without_the_option() {
        // Variant: zd-hardened on the hardened daemon without its own `--security-opt
        // no-new-privileges`: the daemon's `"no-new-privileges": true` still applies.
        let snap = variant("hardened", |s| container_mut(s, "zd-hardened").security_opt.clear());
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-hardened"), Status::Pass);
        // Variant: an explicit `no-new-privileges=false` overrides that default.
        let snap = variant("hardened", |s| {
            container_mut(s, "zd-hardened").security_opt = vec!["no-new-privileges=false".to_owned()];
        });
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-hardened"), Status::Fail);
    }

    #[test]
    fn go_boolean_spellings() {
        // Variant: zd-hardened with `--security-opt no-new-privileges=<value>`, each Go spelling.
        for (value, want) in [
            ("0", Status::Fail),
            ("F", Status::Fail),
            ("False", Status::Fail),
            ("1", Status::Pass),
            ("TRUE", Status::Pass),
        ] {
            let snap = variant("hardened", |s| {
                container_mut(s, "zd-hardened").security_opt = vec![format!("no-new-privileges={value}")];
            });
            assert_eq!(status_of(&findings(&CHECK, &snap), "zd-hardened"), want, "{value}");
        }
        let snap = variant("hardened", |s| {
            container_mut(s, "zd-hardened").security_opt = vec!["no-new-privileges=maybe".to_owned()];
        });
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-hardened"), Status::Unknown);
    }
}
