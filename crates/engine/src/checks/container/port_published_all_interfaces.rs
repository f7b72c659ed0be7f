//! CTR017 port-published-all-interfaces.

use crate::checks::prelude::*;
use crate::snapshot::PortBinding;

use super::{is_host_mode, state_note};

/// Where a binding with an empty `HostIp` really listens, and who decided: the network's
/// `com.docker.network.bridge.host_binding_ipv4` option, else the daemon's `ip` setting, else every
/// interface (dockerd's default).
fn default_binding_ip(snap: &Snapshot, c: &Container) -> (String, String) {
    let names: Vec<&str> = c
        .networks
        .iter()
        .map(|n| n.name.as_str())
        .chain(std::iter::once(match c.network_mode.as_str() {
            "" | "default" => "bridge",
            mode => mode,
        }))
        .collect();
    if let Ok(networks) = snap.networks() {
        for name in &names {
            if let Some(ip) =
                networks.iter().find(|n| n.name == *name).and_then(|n| n.bridge_option("host_binding_ipv4"))
            {
                return (
                    ip.to_owned(),
                    format!("network `{name}` option com.docker.network.bridge.host_binding_ipv4"),
                );
            }
        }
    }
    match daemon_setting(snap, "ip", "ip") {
        Ok(setting) => match setting.value.as_ref().and_then(serde_json::Value::as_str) {
            Some(ip) => (ip.to_owned(), setting.field("ip")),
            None => ("0.0.0.0".to_owned(), setting.field("ip")),
        },
        Err(_) => {
            ("0.0.0.0".to_owned(), "dockerd default (the daemon's `ip` setting could not be read)".to_owned())
        }
    }
}

fn listens_everywhere(ip: &str) -> bool {
    matches!(ip, "" | "0.0.0.0" | "::" | "[::]")
}

fn describe(b: &PortBinding, ip: &str) -> String {
    let ip = if ip.contains(':') && !ip.starts_with('[') { format!("[{ip}]") } else { ip.to_owned() };
    let host_port = if b.host_port.is_empty() { "<ephemeral>" } else { b.host_port.as_str() };
    format!("{ip}:{host_port} → {}", b.container_port)
}

/// `-p` argument binding `b` to loopback: `127.0.0.1:8080:80` (`/udp` kept, `/tcp` implied).
fn loopback_publish(b: &PortBinding) -> String {
    let port = b.container_port.strip_suffix("/tcp").unwrap_or(&b.container_port);
    format!("127.0.0.1:{}:{port}", b.host_port)
}

/// What the container publishes: its live bindings (`NetworkSettings.Ports`, set while it runs,
/// including `-P` ports) plus configured `PortBindings` for ports not live; with `-P` and nothing
/// live (a stopped container), every port its image exposes, on an ephemeral port of the default
/// address.
fn bindings(snap: &Snapshot, c: &Container) -> Vec<PortBinding> {
    let mut all: Vec<PortBinding> = c.published_ports.clone();
    let live = |port: &str| c.published_ports.iter().any(|b| b.container_port == port);
    all.extend(c.port_bindings.iter().filter(|b| !live(&b.container_port)).cloned());
    if c.publish_all_ports {
        let exposed = snap.image_by_id(&c.image_id).map(|i| i.exposed_ports.as_slice()).unwrap_or_default();
        for port in exposed {
            if !all.iter().any(|b| &b.container_port == port) {
                all.push(PortBinding { container_port: port.clone(), ..PortBinding::default() });
            }
        }
    }
    all
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        if is_host_mode(&c.network_mode) {
            return Finding::not_applicable(
                target,
                format!(
                    "`{}` uses the host network: it publishes nothing, its sockets are the host's (see CTR005)",
                    c.name
                ),
            );
        }
        let bindings = bindings(snap, c);
        let field = if c.published_ports.is_empty() {
            "HostConfig.PortBindings"
        } else {
            "NetworkSettings.Ports + HostConfig.PortBindings"
        };
        if bindings.is_empty() && !c.publish_all_ports {
            return Finding::pass(target, format!("Container `{}` publishes no ports", c.name)).evidence(
                "HostConfig.PortBindings",
                "none",
                "ports bound to a specific host address",
            );
        }
        let default = (c.publish_all_ports || bindings.iter().any(|b| b.host_ip.is_empty()))
            .then(|| default_binding_ip(snap, c));
        let effective = |b: &PortBinding| -> String {
            match (&default, b.host_ip.is_empty()) {
                (Some((ip, _)), true) => ip.clone(),
                _ => b.host_ip.clone(),
            }
        };
        // `-P` publishes on the default address: every interface unless the network or the daemon
        // says otherwise, even when no exposed port is known yet (a later image may add one).
        let publish_all_everywhere =
            c.publish_all_ports && default.as_ref().is_some_and(|(ip, _)| listens_everywhere(ip));
        let exposed: Vec<&PortBinding> =
            bindings.iter().filter(|b| listens_everywhere(&effective(b))).collect();
        let all = bindings.iter().map(|b| describe(b, &effective(b))).collect::<Vec<_>>().join(", ");
        if exposed.is_empty() && !publish_all_everywhere {
            let mut finding = Finding::pass(
                target,
                format!("Container `{}` publishes ports on specific addresses only", c.name),
            )
            .evidence(
                field,
                if all.is_empty() { "none".to_owned() } else { all },
                "ports bound to a specific host address",
            );
            if c.publish_all_ports {
                finding = finding.evidence("HostConfig.PublishAllPorts", "true", "false");
            }
            return finding;
        }
        let mut ports: Vec<&str> = exposed.iter().map(|b| b.container_port.as_str()).collect();
        ports.sort_unstable();
        ports.dedup();
        let list = match (ports.is_empty(), c.publish_all_ports) {
            (true, _) => "every port it exposes (-P)".to_owned(),
            (false, true) => format!("{} (-P)", ports.join(", ")),
            (false, false) => ports.join(", "),
        };
        let mut finding = Finding::fail(
            target,
            format!("Container `{}` publishes {list} on every host interface{}", c.name, state_note(c)),
        );
        if !exposed.is_empty() {
            finding = finding.evidence(
                field,
                exposed.iter().map(|b| describe(b, &effective(b))).collect::<Vec<_>>().join(", "),
                "a specific host address, e.g. 127.0.0.1",
            );
        }
        if c.publish_all_ports {
            finding = finding.evidence(
                "HostConfig.PublishAllPorts",
                "true",
                "false: publish chosen ports with -p 127.0.0.1:HOST:PORT",
            );
        }
        if let Some((ip, source)) = &default {
            finding = finding.evidence(
                format!("{source} (for an empty HostIp)"),
                ip,
                "127.0.0.1 or a specific address",
            );
        }
        let mut seen: Vec<String> = Vec::new();
        for b in &exposed {
            let publish = loopback_publish(b);
            if !seen.contains(&publish) {
                seen.push(publish);
            }
        }
        let flags = seen.iter().map(|p| format!("-p {p}")).collect::<Vec<_>>().join(" ");
        let compose = seen.iter().map(|p| format!("  - \"{p}\"")).collect::<Vec<_>>().join("\n");
        let mut run = run_fix(c, &flags);
        let without_p = if c.publish_all_ports { " and without -P" } else { "" };
        run.label = format!(
            "{} — Docker's port rules bypass ufw/firewalld; put a reverse proxy in front for outside access",
            recreate_label(c, &format!("publishing on loopback only{without_p}"))
        );
        let compose_key = if c.publish_all_ports && seen.is_empty() {
            "ports: []   # list only the ports to publish, as \"127.0.0.1:HOST:PORT\"".to_owned()
        } else {
            format!("ports:\n{compose}")
        };
        finding.fixes(pick_fixes(c, run, compose_fix(c, &compose_key)))
    })
}

crate::declare_check! {
    /// A container publishes ports on every host interface (`-p 8080:80`, `-P`, `0.0.0.0`, `::`).
    ///
    /// ## Rationale
    /// `-p 8080:80` listens on every address of the host, including public and VPN interfaces.
    /// Docker opens published ports with its own iptables/nftables rules, which run before ufw's and
    /// firewalld's: a host firewall that "denies everything" does not cover them, so a development
    /// database or admin console becomes reachable from the network. Publishing on one address
    /// (`127.0.0.1`, or a private interface) and fronting public services with a reverse proxy keeps
    /// exposure explicit.
    ///
    /// ## Evidence
    /// `HostConfig.PortBindings` of every container in every state, with the live bindings of
    /// running ones (`NetworkSettings.Ports`) and `HostConfig.PublishAllPorts` (`docker run -P`,
    /// which publishes every exposed port without a `PortBindings` entry): `HostIp` `0.0.0.0`, `::` or
    /// empty. An empty `HostIp` resolves to the network's `com.docker.network.bridge.host_binding_ipv4`
    /// option (`GET /networks`), else the daemon's `ip` setting, else every interface. Containers
    /// that publish nothing pass; host-network containers are CTR005's.
    ///
    /// ## Remediation
    /// Publish with an explicit address: `-p 127.0.0.1:8080:80` (Compose `ports: ["127.0.0.1:8080:80"]`)
    /// and put a reverse proxy in front of what must be public; or set `"ip": "127.0.0.1"` in
    /// daemon.json to change the default for every container.
    pub(crate) static CHECK = {
        code: "CTR017",
        slug: "port-published-all-interfaces",
        title: "Port published on every host interface",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.14"),
            Reference::Nist("§3.1.2 micro-segmentation"),
            Reference::Seed("Best practices §6 Implement Network Segmentation"),
            Reference::Url("https://docs.docker.com/engine/network/packet-filtering-firewalls/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR017` selects its tests")]
mod CTR017 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::find;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-ports-all", "zd-hardened", "zd-host-net"]
    );

    #[test]
    fn all_interfaces_fail_loopback_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-ports-all"), Status::Fail);
        // The captured host port is kept (28080 in the current scenario; empty when ephemeral).
        let fixes = &find(&f, "zd-ports-all").remediation;
        assert!(
            fixes.iter().any(|s| s.code.contains("-p 127.0.0.1:") && s.code.contains(":80 ")),
            "{fixes:?}"
        );
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-host-net"), Status::NotApplicable);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }

    #[test]
    fn publish_all_fails_running_or_not() {
        use crate::checks::container::container_mut;
        use crate::checks::testing::variant;
        use crate::snapshot::PortBinding;
        // `docker run -d -P zerodock/busybox:1`, stopped: no binding is live, the flag alone fails.
        let stopped = variant("default", |s| container_mut(s, "zd-defaults").publish_all_ports = true);
        let f = findings(&CHECK, &stopped);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Fail);
        assert!(find(&f, "zd-defaults").evidence.iter().any(|e| e.field == "HostConfig.PublishAllPorts"));
        // Running with -P: the live ephemeral binding shows where it listens.
        let running = variant("default", |s| {
            let c = container_mut(s, "zd-defaults");
            c.publish_all_ports = true;
            c.published_ports = vec![PortBinding {
                container_port: "80/tcp".into(),
                host_ip: "0.0.0.0".into(),
                host_port: "32768".into(),
            }];
        });
        let f = findings(&CHECK, &running);
        let finding = find(&f, "zd-defaults");
        assert_eq!(finding.status, Status::Fail);
        assert!(finding.message.contains("80/tcp (-P)"), "{}", finding.message);
        assert!(finding.remediation.iter().any(|s| s.code.contains("-p 127.0.0.1:32768:80")));
        // A live binding on loopback passes even though the configured one was empty.
        let loopback = variant("default", |s| {
            let c = container_mut(s, "zd-ports-all");
            c.published_ports = c
                .port_bindings
                .iter()
                .map(|b| PortBinding { host_ip: "127.0.0.1".into(), ..b.clone() })
                .collect();
        });
        assert_eq!(status_of(&findings(&CHECK, &loopback), "zd-ports-all"), Status::Pass);
    }
}
