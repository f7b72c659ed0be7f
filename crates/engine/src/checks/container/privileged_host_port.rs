//! CTR025 privileged-host-port.

use crate::checks::prelude::*;

use super::{binding_text, host_bindings, state_note};

/// The host port a low one moves to: 80 → 8080, 443 → 8443.
fn unprivileged(port: u16) -> u16 {
    port + 8000
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        let bindings = host_bindings(c);
        let low: Vec<(&crate::snapshot::PortBinding, u16)> = bindings
            .iter()
            .filter_map(|b| b.host_port.parse::<u16>().ok().filter(|p| (1..1024).contains(p)).map(|p| (b, p)))
            .collect();
        let all: Vec<String> = bindings.iter().map(binding_text).collect();
        let observed = if all.is_empty() { "none".to_owned() } else { all.join(", ") };
        if low.is_empty() {
            return Finding::pass(target, format!("Container `{}` maps no host port below 1024", c.name))
                .evidence("HostConfig.PortBindings / NetworkSettings.Ports", observed, "host ports >= 1024");
        }
        let ports: Vec<String> = low.iter().map(|(b, _)| binding_text(b)).collect();
        let flags: Vec<String> = low
            .iter()
            .map(|(b, p)| {
                let ip = if b.host_ip.is_empty() { String::new() } else { format!("{}:", b.host_ip) };
                let container = b.container_port.trim_end_matches("/tcp");
                format!("-p {ip}{}:{container}", unprivileged(*p))
            })
            .collect();
        let compose: Vec<String> =
            flags.iter().map(|f| format!("\"{}\"", f.trim_start_matches("-p "))).collect();
        Finding::fail(
            target,
            format!(
                "Container `{}` maps privileged host port{} {}{}",
                c.name,
                if low.len() == 1 { "" } else { "s" },
                ports.join(", "),
                state_note(c)
            ),
        )
        .evidence("HostConfig.PortBindings / NetworkSettings.Ports", observed, "host ports >= 1024")
        .fixes(container_fixes(
            c,
            &flags.join(" "),
            &format!(
                "ports: [{}]   # a front proxy or the firewall forwards the well-known port",
                compose.join(", ")
            ),
        ))
    })
}

crate::declare_check! {
    /// A container maps a privileged host port (below 1024).
    ///
    /// ## Rationale
    /// Ports below 1024 are reserved to root on Linux so that a client reaching port 22, 80 or 443
    /// of a host can trust that a privileged service answers. A container mapped onto one takes
    /// over a well-known service of the host — and a rootful daemon binds it for any container,
    /// whoever started it. Publishing on a high host port and letting a reverse proxy, load
    /// balancer or firewall rule forward the well-known port keeps that decision with the host's
    /// administrator.
    ///
    /// ## Evidence
    /// The host port of each binding: `NetworkSettings.Ports` of a running container (what is
    /// bound now, `-P` included) and `HostConfig.PortBindings` (what a stopped container binds at
    /// its next start).
    ///
    /// ## Remediation
    /// Recreate the container with a host port of 1024 or above (`-p 8080:80`) and forward the
    /// well-known port with a reverse proxy or a firewall rule where it is needed.
    pub(crate) static CHECK = {
        code: "CTR025",
        slug: "privileged-host-port",
        title: "Container maps a privileged port (below 1024) of the host",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("5.8"),
            Reference::Url("https://docs.docker.com/engine/network/#published-ports"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR025` selects its tests")]
mod CTR025 {
    use super::*;
    use crate::checks::testing::{find, findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-low-port", "zd-ports-all"]);

    #[test]
    fn low_port_fails_high_ports_pass() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-low-port"), Status::Fail);
        assert!(find(&f, "zd-low-port").remediation[0].code.contains("-p 127.0.0.1:8080:80"));
        assert_eq!(status_of(&f, "zd-ports-all"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
    }
}
