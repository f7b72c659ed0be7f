//! CTR026 published-ports-review.

use crate::checks::prelude::*;

use super::{binding_text, host_bindings};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        let bindings = host_bindings(c);
        let field = "NetworkSettings.Ports / HostConfig.PortBindings";
        if bindings.is_empty() && !c.publish_all_ports {
            return Finding::pass(target, format!("Container `{}` publishes no port on the host", c.name))
                .evidence(field, "none", "only the ports it needs");
        }
        let mut listed: Vec<String> = bindings.iter().map(binding_text).collect();
        if c.publish_all_ports && !c.is_running() {
            listed.push("every exposed port (-P)".to_owned());
        }
        Finding::manual(
            target,
            format!("Container `{}` publishes {}: confirm each one is needed", c.name, listed.join(", ")),
        )
        .evidence(field, listed.join(", "), "only the ports it needs")
        .evidence("HostConfig.PublishAllPorts", c.publish_all_ports, "false")
    })
}

crate::declare_check! {
    /// A container publishes ports on the host: a person must confirm each one is needed.
    ///
    /// ## Rationale
    /// Every published port is a way into the container from wherever the host is reachable.
    /// Images often `EXPOSE` more than a deployment needs (an admin or metrics port beside the
    /// service), and `-P` publishes all of them. Which ports a container really needs only its
    /// owner knows, so CIS marks this recommendation manual: ZeroDock lists what each container
    /// publishes, and a person confirms the list. Containers that publish nothing pass.
    ///
    /// ## Evidence
    /// `NetworkSettings.Ports` of a running container (what is bound now) and
    /// `HostConfig.PortBindings` and `HostConfig.PublishAllPorts` (what a stopped container
    /// publishes at its next start).
    ///
    /// ## Remediation
    /// Recreate the container publishing only the ports clients need (`-p 127.0.0.1:8080:80`
    /// rather than `-P`); containers that only talk to each other need no published port at all,
    /// a shared user-defined network is enough.
    pub(crate) static CHECK = {
        code: "CTR026",
        slug: "published-ports-review",
        title: "Published container ports to confirm",
        category: Containers,
        severity: Low,
        target: Container,
        references: [
            Reference::Cis("5.9"),
            Reference::Url("https://docs.docker.com/engine/network/#published-ports"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR026` selects its tests")]
mod CTR026 {
    use super::*;
    use crate::checks::testing::{find, findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-ports-all", "zd-defaults"]);

    #[test]
    fn published_ports_are_listed_for_review() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-ports-all"), Status::Manual);
        assert!(find(&f, "zd-ports-all").message.contains("28080->80/tcp"));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
    }
}
