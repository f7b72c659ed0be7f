//! Builds the report's inventory: every container and network of the engine, each container with
//! its own score computed by the same formula as the overall one.

use std::collections::HashMap;

use crate::evaluate::score;
use crate::report::{
    CheckResult, ContainerSummary, FailingCheck, Finding, Grade, Inventory, NetworkSummary, PublishedPort,
    Status, TargetKind,
};
use crate::snapshot::{Snapshot, parse_go_bool, short_id};

/// Builds the inventory of `snap`, scoring each container over `checks`.
pub(crate) fn build(snap: &Snapshot, checks: &[CheckResult]) -> Inventory {
    let Ok(containers) = snap.containers() else {
        return Inventory::default();
    };
    // One pass over the findings: container id → (check index, finding).
    let mut by_container: HashMap<&str, Vec<(usize, &Finding)>> = HashMap::new();
    for (i, check) in checks.iter().enumerate() {
        for finding in &check.findings {
            if finding.target.kind == TargetKind::Container
                && let Some(id) = finding.target.id.as_deref()
            {
                by_container.entry(id).or_default().push((i, finding));
            }
        }
    }

    let mut summaries: Vec<ContainerSummary> = containers
        .iter()
        .map(|c| {
            let id = short_id(&c.id);
            let findings = by_container.get(id).map(Vec::as_slice).unwrap_or_default();
            let (score, grade, failing) = container_score(checks, findings);
            let live = if c.published_ports.is_empty() { &c.port_bindings } else { &c.published_ports };
            let mut ports: Vec<PublishedPort> = live
                .iter()
                .map(|p| {
                    let (port, proto) =
                        p.container_port.split_once('/').unwrap_or((&p.container_port, "tcp"));
                    PublishedPort {
                        host_ip: p.host_ip.clone(),
                        host_port: p.host_port.clone(),
                        container_port: port.to_owned(),
                        protocol: proto.to_owned(),
                        all_interfaces: p.all_interfaces(),
                    }
                })
                .collect();
            ports.sort_by(|a, b| (&a.container_port, &a.host_ip).cmp(&(&b.container_port, &b.host_ip)));
            ports.dedup();
            let mut networks: Vec<String> = c.networks.iter().map(|n| n.name.clone()).collect();
            networks.sort();
            ContainerSummary {
                id: id.to_owned(),
                name: c.name.clone(),
                image: c.image.clone(),
                state: c.state.clone(),
                compose_project: c.labels.get("com.docker.compose.project").cloned(),
                compose_service: c.compose_service().map(str::to_owned),
                compose_files: c.compose_files().unwrap_or_default(),
                network_mode: c.network_mode.clone(),
                networks,
                ports,
                privileged: c.privileged,
                score,
                grade,
                failing,
            }
        })
        .collect();
    summaries.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));

    let networks = snap
        .networks()
        .map(|nets| {
            nets.iter()
                .map(|n| {
                    let mut members: Vec<String> = containers
                        .iter()
                        .filter(|c| {
                            c.networks.iter().any(|cn| {
                                (!cn.network_id.is_empty() && cn.network_id == n.id) || cn.name == n.name
                            })
                        })
                        .map(|c| c.name.clone())
                        .collect();
                    members.sort();
                    NetworkSummary {
                        id: short_id(&n.id).to_owned(),
                        name: n.name.clone(),
                        driver: n.driver.clone(),
                        scope: n.scope.clone(),
                        internal: n.internal,
                        default_bridge: n.is_default_bridge(),
                        icc: n.bridge_option("enable_icc").and_then(parse_go_bool),
                        containers: members,
                    }
                })
                .collect()
        })
        .unwrap_or_default();

    Inventory { containers: summaries, networks }
}

/// A container's score by the report's own formula, over the findings about it.
fn container_score(
    checks: &[CheckResult],
    findings: &[(usize, &Finding)],
) -> (Option<u8>, Grade, Vec<FailingCheck>) {
    let mut per_check: Vec<(usize, Vec<&Finding>)> = Vec::new();
    for &(i, f) in findings {
        match per_check.last_mut() {
            Some((last, list)) if *last == i => list.push(f),
            _ => per_check.push((i, vec![f])),
        }
    }
    let scored: Vec<score::Scored<'_>> = per_check
        .iter()
        .map(|(i, list)| score::Scored {
            id: &checks[*i].id,
            severity: checks[*i].severity,
            credit: score::credit_of(checks[*i].severity, list.iter().copied()),
            failing: list.iter().any(|f| f.status == Status::Fail && f.waived.is_none()),
        })
        .collect();
    let (score, grade, _) = score::score(&scored);
    let mut failing: Vec<FailingCheck> = per_check
        .iter()
        .filter_map(|(i, list)| {
            let worst = list
                .iter()
                .filter(|f| f.waived.is_none())
                .map(|f| f.status)
                .find(|s| *s == Status::Fail)
                .or_else(|| {
                    list.iter().filter(|f| f.waived.is_none()).map(|f| f.status).find(|s| *s == Status::Warn)
                })?;
            let check = &checks[*i];
            Some(FailingCheck {
                code: check.id.clone(),
                severity: check.severity,
                title: check.title.clone(),
                status: worst,
            })
        })
        .collect();
    failing.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.code.cmp(&b.code)));
    (score, grade, failing)
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::fixture;
    use crate::evaluate::{EvalConfig, evaluate};

    #[test]
    fn every_container_and_network_of_the_real_engine_is_listed() {
        let snap = fixture("default");
        let report = evaluate(&snap, &EvalConfig::at(snap.collected_at));
        let inv = &report.inventory;
        assert_eq!(inv.containers.len(), snap.containers().expect("containers").len());
        assert_eq!(inv.networks.len(), snap.networks().expect("networks").len());
        let privileged = inv.containers.iter().find(|c| c.name == "zd-privileged").expect("zd-privileged");
        assert!(privileged.privileged);
        assert!(privileged.failing.iter().any(|f| f.code == "CTR001"), "{:?}", privileged.failing);
        assert!(
            privileged.score.is_some_and(|s| s <= crate::evaluate::CRITICAL_CAP),
            "critical cap applies per container"
        );
        assert_eq!(privileged.failing[0].severity, crate::report::Severity::Critical, "most severe first");
        let bridge = inv.networks.iter().find(|n| n.default_bridge).expect("default bridge");
        assert!(!bridge.containers.is_empty(), "scenario containers sit on the default bridge");
        let segment = inv.networks.iter().find(|n| n.name == "zd-segment").expect("user network");
        assert!(!segment.default_bridge);
    }

    #[test]
    fn compose_files_come_from_the_compose_label() {
        let snap = crate::checks::testing::variant("default", |s| {
            let containers = s.engine.ok_mut().and_then(|e| e.containers.ok_mut()).expect("containers");
            containers[0].labels.insert(
                "com.docker.compose.project.config_files".into(),
                "/srv/app/compose.yaml, /srv/app/compose.override.yaml".into(),
            );
        });
        let report = evaluate(&snap, &EvalConfig::at(snap.collected_at));
        let first = snap.containers().expect("containers")[0].name.clone();
        let summary = report.inventory.containers.iter().find(|c| c.name == first).expect("listed");
        assert_eq!(summary.compose_files, ["/srv/app/compose.yaml", "/srv/app/compose.override.yaml"]);
        assert!(
            report
                .inventory
                .containers
                .iter()
                .filter(|c| c.name != first)
                .all(|c| c.compose_files.is_empty())
        );
    }

    #[test]
    fn hardened_containers_score_better_than_weak_ones() {
        let weak = fixture("default");
        let hard = fixture("hardened");
        let best = |s: &crate::snapshot::Snapshot| {
            evaluate(s, &EvalConfig::at(s.collected_at))
                .inventory
                .containers
                .iter()
                .filter_map(|c| c.score)
                .max()
                .unwrap_or(0)
        };
        let worst = |s: &crate::snapshot::Snapshot| {
            evaluate(s, &EvalConfig::at(s.collected_at))
                .inventory
                .containers
                .iter()
                .filter_map(|c| c.score)
                .min()
                .unwrap_or(100)
        };
        assert!(worst(&weak) < best(&hard), "weak {} vs hardened {}", worst(&weak), best(&hard));
    }
}
