//! DMN012 daemon-log-level-not-info.

use serde_json::Value;

use crate::checks::prelude::*;

use super::setting_fix;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    if let Some(na) = podman_not_applicable(
        snap,
        engine_target(snap),
        "its log level is `podman system service --log-level` (default warn), which the API does not report",
    ) {
        return na;
    }
    with_info(snap, |info, target| {
        if info.debug {
            // `debug: true` / `-D` logs every API call with its body at debug level.
            let finding = Finding::fail(
                target,
                "The daemon runs in debug mode: it logs every API request, at a volume that buries what matters",
            )
            .evidence("GET /info Debug", true, "false");
            return match daemon_setting(snap, "debug", "debug") {
                Ok(setting) if setting.value.is_some() => finding
                    .evidence(setting.field("debug"), setting.display("false"), "false")
                    .fixes(setting_fix(snap, "debug", "debug", Value::Bool(false))),
                _ => finding.fixes(setting_fix(snap, "log-level", "log-level", Value::from("info"))),
            };
        }
        match daemon_setting(snap, "log-level", "log-level") {
            Ok(setting) => {
                let level = match &setting.value {
                    Some(Value::String(s)) => s.to_ascii_lowercase(),
                    Some(other) => other.to_string(),
                    None => "info".to_owned(),
                };
                let field = setting.field("log-level");
                let shown = setting.display("info");
                if level == "info" {
                    Finding::pass(target, "The daemon logs at level `info`").evidence(field, shown, "info")
                } else {
                    let why = if level == "debug" || level == "trace" {
                        "too verbose to review, and request details end up in the logs"
                    } else {
                        "events an investigation needs (container starts, API errors) are not logged"
                    };
                    Finding::fail(target, format!("The daemon logs at level `{level}`: {why}"))
                        .evidence(field, shown, "info")
                        .fixes(setting_fix(snap, "log-level", "log-level", Value::from("info")))
                }
            }
            Err(why) => Finding::unknown(target, format!("the daemon's log level could not be read: {why}")),
        }
    })
}

crate::declare_check! {
    /// The daemon does not log at level `info`.
    ///
    /// ## Rationale
    /// The daemon's log is where an investigation starts: which container started when, which API
    /// call failed. At `warn`, `error` or `fatal` most of that is never written; at `debug` (or with
    /// `debug: true`) every request is logged, the volume hides what matters and rotates the
    /// useful lines away, and request details land in a file more people can read than the socket.
    /// `info` is the level CIS asks for.
    ///
    /// ## Evidence
    /// `GET /info` → `Debug`; the effective `log-level` setting: dockerd's `--log-level` flag, else
    /// the `log-level` key of daemon.json, else the default (`info`). Unknown when neither can be
    /// read (a remote engine, no root).
    ///
    /// ## Remediation
    /// Set `"log-level": "info"` in daemon.json (or `--log-level=info` on dockerd's command line),
    /// remove `"debug": true`, and restart the daemon. Debug logging is for a bounded
    /// troubleshooting session, not a standing setting.
    pub(crate) static CHECK = {
        code: "DMN012",
        slug: "daemon-log-level-not-info",
        title: "Daemon log level is not info",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("2.3"),
            Reference::Nist("tenet 7: collect information to improve the security posture"),
            Reference::Url("https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN012` selects its tests")]
mod DMN012 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn debug_level_fails_info_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail), "{f:?}");
        assert!(f[0].remediation[0].code.contains("\"log-level\": \"info\""));
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn debug_mode_fails() {
        // Mutation: the hardened daemon reports Debug (dockerd -D).
        let snap = variant("hardened", |s| {
            s.engine.ok_mut().expect("captured").info.ok_mut().expect("captured").debug = true;
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Fail);
    }
}
