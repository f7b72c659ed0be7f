//! DMN019 swarm-manager-count-unsound.

use crate::checks::prelude::*;

use super::{managers_listed, unreachable_managers, with_swarm};

/// Docker advises at most seven managers: more add Raft traffic without useful fault tolerance.
const MOST_MANAGERS: i64 = 7;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_swarm(snap, |swarm, target| {
        let field = "GET /info Swarm.Managers";
        let expected = "an odd number, at most 7 (as few as the fault tolerance needed allows)";
        let managers = swarm.managers;
        if !swarm.control_available || managers <= 0 {
            return Finding::unknown(
                target,
                "This swarm node is a worker: only a manager reports the swarm's manager count (`GET /info` `Swarm.Managers`); scan a manager",
            );
        }
        let tolerated = (managers - 1) / 2;
        if managers % 2 == 0 || managers > MOST_MANAGERS {
            return Finding::fail(
                target,
                format!(
                    "The swarm has {managers} managers: they tolerate the loss of {tolerated}, as {} would, with more to attack and keep in step",
                    if managers > MOST_MANAGERS { MOST_MANAGERS } else { managers - 1 }
                ),
            )
            .evidence(field, managers, expected)
            .evidence("GET /nodes ManagerStatus", managers_listed(swarm), "every manager reachable")
            .fix(SnippetKind::Shell, "Demote a manager to a worker (on a manager)", "docker node demote NODE");
        }
        // A manager Raft cannot reach still counts in the quorum but tolerates nothing: the
        // swarm is one failure closer to losing its control plane than the count says.
        if let Some(unreachable) = unreachable_managers(swarm).filter(|u| !u.is_empty()) {
            return Finding::warn(
                target,
                format!(
                    "The swarm has {managers} managers, but {} {} not reachable: it tolerates fewer losses than {tolerated}",
                    unreachable.join(", "),
                    if unreachable.len() == 1 { "is" } else { "are" }
                ),
            )
            .evidence(field, managers, expected)
            .evidence("GET /nodes ManagerStatus", managers_listed(swarm), "every manager reachable")
            .fix(
                SnippetKind::Shell,
                "Bring the manager back, or remove it from the swarm (on a reachable manager)",
                "docker node ls
docker node demote NODE
docker node rm NODE",
            );
        }
        Finding::pass(
            target,
            format!(
                "The swarm has {managers} {} of {} {}, tolerating the loss of {tolerated}",
                if managers == 1 { "manager" } else { "managers" },
                swarm.nodes,
                if swarm.nodes == 1 { "node" } else { "nodes" }
            ),
        )
        .evidence(field, managers, expected)
        .evidence("GET /nodes ManagerStatus", managers_listed(swarm), "every manager reachable")
    })
}

crate::declare_check! {
    /// A swarm has more managers than its fault tolerance needs.
    ///
    /// ## Rationale
    /// Every manager holds the swarm's Raft store (its secrets, certificates and the encryption
    /// keys of its overlay networks) and can schedule work onto every node: each one more is one
    /// more host whose compromise gives the whole swarm. Raft needs a majority, so an even number
    /// of managers tolerates no more failures than one fewer, and Docker advises at most seven.
    /// Whether one, three or five is the fewest that meets the availability need is for the
    /// operator to say; an even count or more than seven is never it.
    ///
    /// ## Evidence
    /// `GET /info` → `Swarm.Managers` and `Swarm.Nodes` (`docker info -f '{{.Swarm.Managers}}'`),
    /// which only a manager reports (a worker is unknown). An odd count up to 7 passes; an even
    /// count or more than 7 fails. `GET /nodes` (`docker node ls`) names each manager with its
    /// Raft reachability, leadership and address; an odd count with a manager that is not
    /// `reachable` warns (it tolerates fewer losses than the count says). On an engine not in a
    /// swarm the check does not apply.
    ///
    /// ## Remediation
    /// `docker node demote NODE` on a manager until the count is odd and no larger than the
    /// failures to tolerate need (`docker node ls` lists the managers).
    pub(crate) static CHECK = {
        code: "DMN019",
        slug: "swarm-manager-count-unsound",
        title: "Swarm manager count is even or above seven",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("7.1"),
            Reference::Url("https://docs.docker.com/engine/swarm/admin_guide/#add-manager-nodes-for-fault-tolerance"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN019` selects its tests")]
mod DMN019 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "swarm-even-managers", []);

    #[test]
    fn one_manager_passes_two_fail_off_is_not_applicable() {
        assert_eq!(findings(&CHECK, &fixture("swarm"))[0].status, Status::Pass);
        assert_eq!(findings(&CHECK, &named("swarm-even-managers", |_| {}))[0].status, Status::Fail);
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::NotApplicable);
        assert_eq!(findings(&CHECK, &named("swarm-worker", |_| {}))[0].status, Status::Unknown);
    }

    /// `GET /nodes` names each manager with its reachability; an unreachable one warns even when
    /// the count is sound.
    #[test]
    fn managers_are_named_with_their_reachability() {
        let f = &findings(&CHECK, &fixture("swarm"))[0];
        let nodes =
            f.evidence.iter().find(|e| e.field == "GET /nodes ManagerStatus").expect("nodes evidence");
        assert!(nodes.observed.ends_with("(leader, reachable, 10.213.6.1:2377)"), "{}", nodes.observed);
        let f = &findings(&CHECK, &named("swarm-manager-unreachable", |_| {}))[0];
        assert_eq!(f.status, Status::Warn, "{}", f.message);
        assert!(f.message.contains("zd-manager-3 is not reachable"), "{}", f.message);
    }
}
