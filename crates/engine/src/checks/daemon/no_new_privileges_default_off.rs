//! DMN004 no-new-privileges-default-off.

use serde_json::Value;

use crate::checks::prelude::*;
use crate::checks::versions::lifecycle::ParsedVersion;

use super::setting_fix;

const FIELD: &str = "GET /info SecurityOptions";
const EXPECTED: &str = "name=no-new-privileges";

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = engine_target(snap);
    // Engines from 24.0 list `name=no-new-privileges` in SecurityOptions when the default is on;
    // older ones never do, so only their configuration can tell.
    let reports_it = snap
        .version()
        .ok()
        .and_then(|v| ParsedVersion::parse(&v.version))
        .is_some_and(|p| p.numbers.first().is_some_and(|major| *major >= 24));
    let setting = daemon_setting(snap, "no-new-privileges", "no-new-privileges");
    let fixes = || setting_fix(snap, "no-new-privileges", "no-new-privileges", Value::Bool(true));
    let pass = "Containers cannot gain privileges through setuid binaries by default (no-new-privileges)";
    let fail = "Containers may gain privileges through setuid binaries: no-new-privileges is not the default";

    if let Ok(info) = snap.info() {
        let options = info.security_options.join(" ");
        if info.security_option("no-new-privileges").is_some() {
            return vec![Finding::pass(target, pass).evidence(FIELD, options, EXPECTED)];
        }
        if reports_it {
            let mut finding = Finding::fail(target, fail).evidence(FIELD, options, EXPECTED);
            if let Ok(s) = &setting {
                if s.as_bool(false) {
                    finding.message = format!(
                        "{fail}: it is configured ({}) but the running daemon does not apply it (restart dockerd)",
                        s.field("no-new-privileges")
                    );
                }
                finding = finding.evidence(s.field("no-new-privileges"), s.display("false"), "true");
            }
            return vec![finding.fixes(fixes())];
        }
    }
    let finding = match setting {
        Ok(s) if s.as_bool(false) => {
            Finding::pass(target, pass).evidence(s.field("no-new-privileges"), s.display("false"), "true")
        }
        Ok(s) => Finding::fail(target, fail)
            .evidence(s.field("no-new-privileges"), s.display("false"), "true")
            .fixes(fixes()),
        Err(_) if snap.engine_product() == crate::snapshot::EngineProduct::Podman => Finding::unknown(
            target,
            "Podman does not report no-new-privileges in `GET /info`: its default is `no_new_privileges` in \
             containers.conf, which ZeroDock does not read",
        ),
        Err(why) => Finding::unknown(
            target,
            format!("engines before 24.0 do not report no-new-privileges in `docker info`, and {why}"),
        ),
    };
    vec![finding]
}

crate::declare_check! {
    /// Containers are not started with `no-new-privileges` by default.
    ///
    /// ## Rationale
    /// Without `no-new-privileges`, a process in a container can gain privileges through setuid or
    /// setgid binaries and file capabilities (`sudo`, `su`, a planted setuid shell). Setting it
    /// daemon-wide applies the Linux `PR_SET_NO_NEW_PRIVS` flag to every container, so a
    /// compromised non-root process stays non-root: least privilege by default rather than by the
    /// diligence of each `docker run`.
    ///
    /// ## Evidence
    /// `GET /info` → `SecurityOptions` contains `name=no-new-privileges` (engines 24.0 and later).
    /// For older engines: dockerd's `--no-new-privileges` flag, else the `no-new-privileges` key of
    /// daemon.json, else the default (`false`).
    ///
    /// ## Remediation
    /// Add `"no-new-privileges": true` to daemon.json (or `--no-new-privileges` to dockerd's command
    /// line) and restart the daemon. Per container: `docker run --security-opt no-new-privileges`,
    /// or `security_opt: ["no-new-privileges:true"]` in Compose.
    pub(crate) static CHECK = {
        code: "DMN004",
        slug: "no-new-privileges-default-off",
        title: "no-new-privileges not enabled by default",
        category: Daemon,
        severity: Medium,
        target: Engine,
        references: [
            Reference::Cis("2.15"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust: Principle of least privilege"),
            Reference::Url("https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN004` selects its tests")]
mod DMN004 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn default_fails_hardened_passes_from_daemon_json() {
        // The fixtures' engine is 20.10, which does not report the option: daemon.json decides.
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        let f = findings(&CHECK, &fixture("hardened"));
        assert_eq!(f[0].status, Status::Pass);
        assert_eq!(f[0].evidence[0].field, "/tmp/zerodock-test/hardened/daemon.json: no-new-privileges");
    }

    #[test]
    fn engines_from_24_are_judged_on_security_options() {
        // Mutation: a 29.x engine; its SecurityOptions lack no-new-privileges although daemon.json
        // sets it (the daemon was not restarted).
        let snap = variant("hardened", |s| {
            s.engine.ok_mut().expect("captured").version.ok_mut().expect("captured").version =
                "29.7.2".into();
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("restart dockerd"), "{}", f[0].message);
        // Mutation: the same engine reports the option.
        let snap = variant("default", |s| {
            let engine = s.engine.ok_mut().expect("captured");
            engine.version.ok_mut().expect("captured").version = "29.7.2".into();
            engine.info.ok_mut().expect("captured").security_options.push("name=no-new-privileges".into());
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Pass);
    }

    #[test]
    fn go_boolean_flag_values() {
        // Mutation (20.10 engine: the configuration decides): dockerd got `--no-new-privileges=0`.
        let snap = variant("hardened", |s| {
            if let Some(Some(d)) = s.host.dockerd.ok_mut() {
                d.args.push("--no-new-privileges=0".into());
            }
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Fail);
    }
}
