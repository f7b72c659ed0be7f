//! DMN005 logging-not-centralised.

use serde_json::{Value, json};

use crate::checks::prelude::*;

use super::{dockerd_flag, setting_fix};

/// Log drivers that send every line off the host (or to a platform collector).
const REMOTE_DRIVERS: [&str; 7] = ["syslog", "fluentd", "gelf", "awslogs", "splunk", "gcplogs", "etwlogs"];

/// The rotation options (`max-size=…`, `max-file=…`) dockerd's flags and daemon.json give the
/// default json-file driver; `None` when neither source can be read here.
fn rotation(snap: &Snapshot) -> Option<Vec<String>> {
    snap.host_scope().ok()?;
    let mut found: Vec<String> = Vec::new();
    if let Some(Some(dockerd)) = snap.host.dockerd.ok() {
        found.extend(
            dockerd
                .flag_values(&["--log-opt"])
                .into_iter()
                .filter(|o| o.starts_with("max-size=") || o.starts_with("max-file=")),
        );
    }
    match snap.host.daemon_json.get() {
        Ok(Some(dj)) => {
            if let Some(Value::Object(opts)) = dj.settings.get("log-opts") {
                for key in ["max-size", "max-file"] {
                    if let Some(v) = opts.get(key) {
                        found.push(format!(
                            "{key}={}",
                            v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                        ));
                    }
                }
            }
        }
        Ok(None) => {}
        Err(_) if found.is_empty() => return None,
        Err(_) => {}
    }
    Some(found)
}

fn remote_fix(snap: &Snapshot) -> Vec<Snippet> {
    if dockerd_flag(snap, "log-driver").is_some() {
        return setting_fix(snap, "log-driver", "log-driver", Value::String("syslog".to_owned()));
    }
    daemon_json_fix(
        snap,
        json!({
            "log-driver": "syslog",
            "log-opts": { "syslog-address": "tcp+tls://logs.example.internal:6514", "tag": "{{.Name}}" }
        }),
    )
    .into()
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_info(snap, |info, target| {
        let driver = info.logging_driver.as_str();
        let field = "GET /info LoggingDriver";
        let expected =
            "a remote driver (syslog, fluentd, gelf, awslogs, splunk, gcplogs) or journald with a shipper";
        match driver {
            "" if snap.engine_product() == crate::snapshot::EngineProduct::Podman => Finding::unknown(
                target,
                "Podman reports no default log driver in `GET /info`: it is `log_driver` in containers.conf, \
                 which ZeroDock does not read",
            ),
            "" => Finding::unknown(target, "the engine reported no default log driver (`LoggingDriver` is empty)"),
            "none" => Finding::fail(target, "The daemon discards container logs by default (log driver `none`)")
                .evidence(field, driver, expected)
                .fixes(remote_fix(snap)),
            "json-file" | "local" => {
                let mut message = format!("Container logs stay on this host only (default log driver `{driver}`)");
                let mut finding = Finding::warn(target, String::new()).evidence(field, driver, expected);
                if driver == "json-file" {
                    match rotation(snap) {
                        Some(opts) if opts.is_empty() => {
                            message.push_str(", unrotated: they grow until the disk is full");
                            finding = finding.evidence("daemon.json log-opts / dockerd --log-opt", "no max-size, no max-file", "max-size and max-file");
                        }
                        Some(opts) => {
                            finding = finding.evidence("daemon.json log-opts / dockerd --log-opt", opts.join(", "), "max-size and max-file");
                        }
                        None => message.push_str(" (rotation could not be checked: daemon.json is not readable here)"),
                    }
                }
                finding.message = message;
                let mut fixes = remote_fix(snap);
                if driver == "json-file" {
                    // If logs must stay local, rotation is the minimum: the first snippet of the pair.
                    let [rotate, _] = daemon_json_fix(snap, json!({ "log-opts": { "max-size": "10m", "max-file": "3" } }));
                    fixes.insert(1, Snippet { label: format!("Or, if logs must stay local: {}", rotate.label), ..rotate });
                }
                finding.fixes(fixes)
            }
            "journald" => Finding::pass(
                target,
                "Container logs go to journald: local, but collected with the system journal by a log shipper",
            )
            .evidence(field, driver, expected),
            d if REMOTE_DRIVERS.contains(&d) => {
                Finding::pass(target, format!("Container logs are shipped off the host (default log driver `{d}`)"))
                    .evidence(field, driver, expected)
            }
            d => Finding::info(
                target,
                format!("The default log driver is `{d}` (a plugin or unknown driver): verify it ships logs off the host"),
            )
            .evidence(field, driver, expected),
        }
    })
}

crate::declare_check! {
    /// Container logs are not sent to a central, remote log store.
    ///
    /// ## Rationale
    /// Logs kept only on the Docker host are lost with the host and can be erased by whoever
    /// compromises it, exactly when they are needed. Zero Trust assumes breach and relies on
    /// continuous monitoring: container logs should reach a remote aggregator (syslog over TLS,
    /// fluentd, GELF, a cloud log service) where they are kept out of an attacker's reach and
    /// correlated. `none` discards them outright. Local `json-file` logs also need rotation
    /// (`max-size`, `max-file`), or a noisy container fills the disk.
    ///
    /// ## Evidence
    /// `GET /info` → `LoggingDriver`, the daemon's default (`docker info -f '{{.LoggingDriver}}'`):
    /// `none` fails; `json-file` and `local` warn; journald and the remote drivers pass. For
    /// `json-file`, rotation is read from the `log-opts` key of daemon.json and dockerd's
    /// `--log-opt` flags. Containers may override the default (`HostConfig.LogConfig.Type`).
    ///
    /// ## Remediation
    /// Set a remote default in daemon.json, e.g. `"log-driver": "syslog"` with
    /// `"log-opts": {"syslog-address": "tcp+tls://logs.example.internal:6514"}` (or fluentd, gelf,
    /// journald plus a shipper), and restart the daemon. The new default applies to containers
    /// created afterwards: recreate existing ones. If logs must stay local, set
    /// `"log-opts": {"max-size": "10m", "max-file": "3"}`.
    pub(crate) static CHECK = {
        code: "DMN005",
        slug: "logging-not-centralised",
        title: "Container logs not centralised",
        category: Daemon,
        severity: Medium,
        target: Engine,
        references: [
            Reference::Cis("2.14"),
            Reference::Nist("tenet 7: collect information about the state of assets"),
            Reference::Seed("Zero Trust: Monitoring and auditing"),
            Reference::Seed("Best practices §9 Monitor and Audit"),
            Reference::Url("https://docs.docker.com/engine/logging/configure/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN005` selects its tests")]
mod DMN005 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn default_json_file_without_rotation_warns() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Warn));
        assert!(f[0].message.contains("json-file") && f[0].message.contains("unrotated"), "{}", f[0].message);
        assert!(f[0].remediation.iter().any(|s| s.code.contains("max-size")));
    }

    #[test]
    fn hardened_syslog_passes() {
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn none_fails_and_rotation_is_read() {
        // Mutation: the daemon's default driver is `none`.
        let snap = variant("default", |s| {
            s.engine.ok_mut().expect("captured").info.ok_mut().expect("captured").logging_driver =
                "none".into()
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Fail);
        // Mutation: dockerd rotates json-file logs with --log-opt max-size=10m.
        let snap = variant("default", |s| {
            if let Some(Some(d)) = s.host.dockerd.ok_mut() {
                d.args.extend(["--log-opt".into(), "max-size=10m".into()]);
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Warn);
        assert_eq!(f[0].evidence[1].observed, "max-size=10m");
    }
}
