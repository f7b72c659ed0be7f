//! DMN006 api-tcp-without-tls.

use serde_json::{Value, json};

use crate::checks::prelude::*;

use super::{daemon_json_path, dockerd_flag, first_line};

/// Whether a `/info` warning says the API listens on TCP without (verified) TLS. Matches the
/// wording of every engine from 17.x to 29.x, with or without the `[DEPRECATION NOTICE]` prefix.
fn is_tcp_warning(warning: &str) -> bool {
    warning.contains("API is accessible on http://") || warning.contains("without TLS client verification")
}

/// The address a warning names (`http://0.0.0.0:2375`), for the message.
fn warned_address(warning: &str) -> Option<&str> {
    let rest = warning.split("accessible on ").nth(1)?;
    rest.split_whitespace().next()
}

/// What dockerd's command line and daemon.json say about TCP listeners.
struct Configured {
    /// `tcp://` hosts, with where each was read.
    tcp: Vec<(String, String)>,
    /// Whether `tlsverify` is on, and where that was read.
    tlsverify: Option<String>,
}

fn configured(snap: &Snapshot) -> Option<Configured> {
    snap.host_scope().ok()?;
    let dockerd = snap.host.dockerd.ok().and_then(Option::as_ref);
    let daemon_json = snap.host.daemon_json.ok().and_then(Option::as_ref);
    if dockerd.is_none() && daemon_json.is_none() {
        return None;
    }
    let mut tcp = Vec::new();
    if let Some(d) = dockerd {
        for host in d.flag_values(&["-H", "--host"]) {
            tcp.push((host, "dockerd -H".to_owned()));
        }
    }
    // dockerd reads the flag with Go's strconv.ParseBool (`--tlsverify=0` is off).
    let mut tlsverify = dockerd_flag(snap, "tlsverify")
        .filter(|v| parse_go_bool(v) == Some(true))
        .map(|_| "dockerd --tlsverify".to_owned());
    if let Some(dj) = daemon_json {
        if let Some(Value::Array(hosts)) = dj.settings.get("hosts") {
            for host in hosts.iter().filter_map(Value::as_str) {
                tcp.push((host.to_owned(), format!("{}: hosts", dj.file.path)));
            }
        }
        if dj.settings.get("tlsverify") == Some(&Value::Bool(true)) {
            tlsverify = Some(format!("{}: tlsverify", dj.file.path));
        }
    }
    tcp.retain(|(h, _)| h.starts_with("tcp://"));
    Some(Configured { tcp, tlsverify })
}

fn fixes(snap: &Snapshot, listeners: &[String]) -> Vec<Snippet> {
    let listed = if listeners.is_empty() {
        "tcp://…".to_owned()
    } else {
        // The daemon's warnings name the listener as http(s)://ADDR; the flag spells it tcp://ADDR.
        listeners
            .iter()
            .map(|l| format!("tcp://{}", l.split_once("://").map_or(l.as_str(), |(_, addr)| addr)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let from_flags = snap
        .host
        .dockerd
        .ok()
        .and_then(Option::as_ref)
        .is_some_and(|d| d.flag_values(&["-H", "--host"]).iter().any(|h| h.starts_with("tcp://")));
    let remove = if from_flags {
        format!(
            "# remove the TCP listener ({listed}) from dockerd's command line\n\
             sudo systemctl edit docker.service   # ExecStart: drop -H tcp://…, keep -H fd:// (or unix://)\n\
             sudo systemctl restart docker"
        )
    } else {
        let path = daemon_json_path(snap);
        format!(
            "# remove the TCP listener ({listed}) from {path}\n\
             sudo cp {path} {path}.bak\n\
             sudo jq '.hosts |= map(select(startswith(\"tcp://\") | not))' {path}.bak | sudo tee {path} >/dev/null\n\
             sudo systemctl restart docker"
        )
    };
    let mut out = vec![
        Snippet::new(SnippetKind::Shell, "Stop exposing the API over plain TCP", remove),
        Snippet::new(
            SnippetKind::Shell,
            "Reach the engine remotely over SSH instead (no open port, SSH keys authenticate)",
            "docker context create remote --docker host=ssh://USER@HOST\ndocker context use remote",
        ),
    ];
    let [tls, restart] = daemon_json_fix(
        snap,
        json!({
            "tls": true,
            "tlsverify": true,
            "tlscacert": "/etc/docker/tls/ca.pem",
            "tlscert": "/etc/docker/tls/server-cert.pem",
            "tlskey": "/etc/docker/tls/server-key.pem"
        }),
    );
    out.push(Snippet { label: format!("Or require mutual TLS on port 2376: {}", tls.label), ..tls });
    out.push(restart);
    out
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = engine_target(snap);
    let expected = "unix socket only, or tcp:// with tlsverify";
    let warned: Vec<&str> = snap
        .info()
        .map(|i| i.warnings.iter().map(String::as_str).filter(|w| is_tcp_warning(w)).collect())
        .unwrap_or_default();
    let config = configured(snap);
    let endpoint_tcp = snap.endpoint.host.starts_with("tcp://") && !snap.endpoint.tls;
    // A plain tcp:// endpoint proves an unprotected listener only when the engine answered on it:
    // `--host tcp://127.0.0.1:1` with nothing listening is a typo, not an exposed API.
    let endpoint_plain = endpoint_tcp && snap.info().is_ok();
    let config_proves = config.as_ref().is_some_and(|c| !c.tcp.is_empty() && c.tlsverify.is_none());
    if endpoint_tcp && !endpoint_plain && !config_proves {
        let reason = snap.info().err().unwrap_or("no answer");
        return vec![Finding::unknown(
            target,
            format!(
                "the engine at {} did not answer ({reason}), so whether it accepts API calls without TLS is unknown",
                snap.endpoint.host
            ),
        )];
    }

    if !warned.is_empty() || endpoint_plain {
        let mut listeners: Vec<String> =
            warned.iter().filter_map(|w| warned_address(w)).map(str::to_owned).collect();
        if endpoint_plain && listeners.is_empty() {
            listeners.push(snap.endpoint.host.clone());
        }
        let mut finding = Finding::fail(
            target,
            format!(
                "The Docker API is reachable over TCP without TLS client verification ({}): anyone who can connect is root on the host",
                listeners.join(", ")
            ),
        );
        for w in &warned {
            finding = finding.evidence("GET /info Warnings", first_line(w), expected);
        }
        if endpoint_plain {
            finding = finding.evidence("scan endpoint", format!("{} (no TLS)", snap.endpoint.host), expected);
        }
        if let Some(c) = &config {
            for (host, source) in &c.tcp {
                finding = finding.evidence(source, host, expected);
            }
        }
        return vec![finding.fixes(fixes(snap, &listeners))];
    }

    match (snap.info(), config) {
        (info, Some(c)) if !c.tcp.is_empty() && c.tlsverify.is_none() => {
            let hosts: Vec<String> = c.tcp.iter().map(|(h, _)| h.clone()).collect();
            let mut finding = if info.is_ok() {
                Finding::warn(
                    target,
                    format!(
                        "dockerd is configured to listen on {} without `tlsverify`, but the daemon reports no unprotected listener (TLS may come from DOCKER_TLS_VERIFY): verify",
                        hosts.join(", ")
                    ),
                )
                .evidence("GET /info Warnings", "no TCP warning", expected)
            } else {
                Finding::fail(
                    target,
                    format!("dockerd listens on {} without TLS client verification", hosts.join(", ")),
                )
            };
            for (host, source) in &c.tcp {
                finding = finding.evidence(source, host, expected);
            }
            vec![
                finding
                    .evidence("tlsverify (daemon.json / dockerd flag)", "unset", "true")
                    .fixes(fixes(snap, &hosts)),
            ]
        }
        (Ok(_), config) => {
            let mut finding =
                Finding::pass(target, "The daemon reports no API listener without TLS client verification")
                    .evidence("GET /info Warnings", "no TCP/TLS warning", expected);
            if let Some(c) = config {
                for (host, source) in &c.tcp {
                    finding = finding.evidence(source, host, expected);
                }
                if let Some(source) = c.tlsverify {
                    finding = finding.evidence(source, "true", "true");
                }
            }
            vec![finding]
        }
        (Err(_), Some(c)) => {
            let mut finding =
                Finding::pass(target, "dockerd is configured without TCP listeners lacking TLS verification");
            for (host, source) in &c.tcp {
                finding = finding.evidence(source, host, expected);
            }
            vec![finding.evidence(
                "dockerd -H / daemon.json hosts",
                "no tcp:// host without tlsverify",
                expected,
            )]
        }
        (Err(reason), None) => vec![Finding::unknown(
            target,
            format!(
                "engine information could not be read ({reason}) and dockerd's configuration is not visible here"
            ),
        )],
    }
}

crate::declare_check! {
    /// The Docker API listens on TCP without TLS client verification.
    ///
    /// ## Rationale
    /// The Docker API is root on the host: whoever can call it can start a privileged container
    /// that mounts `/`. Exposed on TCP without `tlsverify`, it accepts any caller that can reach the
    /// port, unauthenticated and unencrypted; such endpoints are scanned for and hijacked within
    /// hours (cryptominers, botnets). Even bound to 127.0.0.1, any local process or a browser
    /// (DNS rebinding) can use it. Zero Trust requires every connection to be authenticated and
    /// encrypted, whatever its network location.
    ///
    /// ## Evidence
    /// `GET /info` → `Warnings[]`: the daemon warns `API is accessible on http://ADDR without
    /// encryption` (or `… on https://ADDR without TLS client verification`; engines 27+ prefix it
    /// with `[DEPRECATION NOTICE]`). Also dockerd's `-H`/`--host` flags and the `hosts` and
    /// `tlsverify` keys of daemon.json, and the endpoint this scan used. Docker Desktop's "Expose
    /// daemon on tcp://localhost:2375 without TLS" setting lives outside the engine and is checked
    /// by DSK002.
    ///
    /// ## Remediation
    /// Remove the `tcp://` listener (`-H tcp://…` on dockerd's command line or the `hosts` key of
    /// daemon.json) and reach remote engines over SSH (`docker context create remote --docker
    /// host=ssh://user@host`). If TCP is required, enable mutual TLS: `"tls": true,
    /// "tlsverify": true` with `tlscacert`, `tlscert`, `tlskey`, on port 2376.
    pub(crate) static CHECK = {
        code: "DMN006",
        slug: "api-tcp-without-tls",
        title: "Docker API on TCP without TLS client verification",
        category: Daemon,
        severity: Critical,
        target: Engine,
        references: [
            Reference::Cis("2.8"),
            Reference::Nist("tenet 2: all communication is secured regardless of network location"),
            Reference::Nist("tenet 6: authentication and authorisation strictly enforced before access"),
            Reference::Seed("Zero Trust: A solid foundation: Host and network"),
            Reference::Url("https://docs.docker.com/engine/security/protect-access/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN006` selects its tests")]
mod DMN006 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn default_tcp_listener_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert!(f[0].message.contains("http://127.0.0.1:23750"), "{}", f[0].message);
        assert!(
            f[0].evidence.iter().any(|e| e.field == "dockerd -H" && e.observed == "tcp://127.0.0.1:23750")
        );
        assert!(f[0].remediation[0].code.contains("systemctl edit docker.service"));
    }

    #[test]
    fn hardened_passes() {
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn newer_wording_and_config_only() {
        assert!(is_tcp_warning(
            "[DEPRECATION NOTICE]: API is accessible on http://0.0.0.0:2375 without encryption."
        ));
        assert!(is_tcp_warning(
            "WARNING: API is accessible on https://0.0.0.0:2376 without TLS client verification."
        ));
        // Mutation: the daemon reports no warning (TLS from the environment?) while its
        // configuration lists a tcp:// host without tlsverify.
        let snap = variant("default", |s| {
            s.engine.ok_mut().expect("captured").info.ok_mut().expect("captured").warnings.clear()
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Warn);
    }

    #[test]
    fn unreachable_tcp_endpoint_is_unknown() {
        // Variant: scanning `--host tcp://127.0.0.1:1` where nothing listens: the engine gave no
        // answer and this machine's dockerd configuration is not consulted (another engine).
        let unreachable = |s: &mut Snapshot| {
            s.endpoint.host = "tcp://127.0.0.1:1".to_owned();
            s.endpoint.tls = false;
            s.engine = crate::snapshot::Fact::unavailable("engine unreachable: connection refused");
            s.host.dockerd = crate::snapshot::Fact::unavailable("not visible");
            s.host.daemon_json = crate::snapshot::Fact::unavailable("not visible");
        };
        let f = findings(&CHECK, &variant("hardened", unreachable));
        assert_eq!((f.len(), f[0].status), (1, Status::Unknown), "{f:?}");
        assert!(f[0].message.contains("did not answer"), "{}", f[0].message);
        // The same, but dockerd's own flags list a plain tcp:// host: that proves the listener.
        let f = findings(
            &CHECK,
            &variant("default", |s| {
                s.endpoint.host = "tcp://127.0.0.1:1".to_owned();
                s.endpoint.tls = false;
                s.engine = crate::snapshot::Fact::unavailable("engine unreachable: connection refused");
            }),
        );
        assert_eq!(f[0].status, Status::Fail, "{f:?}");
    }
}
