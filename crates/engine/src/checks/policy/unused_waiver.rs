//! POL001 unused-waiver: a waiver in the user's policy that matched nothing, or expired. Its findings
//! come from applying the policy (`evaluate::waiver`), not from the snapshot: the predicate has
//! nothing to look at, and [`finding`] words what the application found.

use crate::checks::prelude::*;
use crate::report::WaiverUse;

/// The finding POL001 reports for one waiver, as its application found it.
pub(crate) fn finding(used: &WaiverUse) -> Finding {
    let target = Target::new(TargetKind::Waiver, format!("{} / {}", used.check, used.target), None);
    if used.expired {
        Finding::warn(
            target,
            format!(
                "Waiver for {} / {} expired on {}",
                used.check,
                used.target,
                used.expires.as_deref().unwrap_or("?")
            ),
        )
        .evidence(
            "waiver.expires",
            used.expires.as_deref().unwrap_or("?"),
            "a date in the future, or remove the waiver",
        )
    } else if used.matched == 0 {
        Finding::fail(
            target,
            format!("Waiver for {} / {} matched no failing finding", used.check, used.target),
        )
        .evidence("waiver.target", &used.target, "a target that currently fails the check")
    } else {
        Finding::pass(
            target,
            format!("Waiver for {} / {} accepted {} finding(s)", used.check, used.target, used.matched),
        )
    }
}

/// Filled by [`Policy::apply`]; the predicate itself has nothing to look at in a snapshot.
fn no_findings(_: &Snapshot) -> Vec<Finding> {
    Vec::new()
}

crate::declare_check! {
    /// A waiver in the policy file matched no failing finding, or has expired.
    ///
    /// ## Rationale
    /// Waivers are accepted risk. One that no longer matches anything (the container was fixed or
    /// removed) silently widens the next exception if a container with the same name appears; one
    /// that expired needs a decision: fix, or renew with a reason.
    ///
    /// ## Evidence
    /// The policy file's `[[waiver]]` entries, matched against this scan's failing findings.
    ///
    /// ## Remediation
    /// Remove the waiver from the policy file, or renew its `expires` date with a fresh `reason`.
    pub(crate) static CHECK = {
        code: "POL001",
        slug: "unused-waiver",
        title: "Waiver matches nothing or has expired",
        category: Policy,
        severity: Low,
        target: Waiver,
        references: [Reference::Url("https://embarkstudios.github.io/cargo-deny/checks/advisories/cfg.html"),
            Reference::Tool("cargo-deny advisory-not-detected"),
            Reference::Tool("ruff RUF100 unused-noqa"),
        ],
        evaluate: no_findings,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test POL001` selects its tests")]
mod POL001 {
    use crate::checks::testing::fixture;
    use crate::evaluate::{EvalConfig, Policy, evaluate};
    use crate::report::Status;

    /// POL001's findings come from applying a policy, so its case is a policy: one waiver that
    /// accepts a real failure, one that matches nothing, one that expired.
    #[test]
    fn snapshot_small_input() {
        let snap = fixture("default");
        let mut config = EvalConfig::at(snap.collected_at);
        config.policy = Policy::from_toml(
            r#"
            [[waiver]]
            check = "CTR001"
            target = "zd-privileged"
            reason = "lab machine"

            [[waiver]]
            check = "privileged-container"
            target = "long-gone"
            reason = "removed long ago"

            [[waiver]]
            check = "CTR003"
            target = "zd-docker-sock"
            reason = "old exception"
            expires = 2020-01-31
            "#,
        )
        .expect("policy");
        let report = evaluate(&snap, &config);
        let findings = &report.check("POL001").expect("POL001 ran").findings;
        let statuses: Vec<Status> = findings.iter().map(|f| f.status).collect();
        assert_eq!(statuses.len(), 3, "{findings:?}");
        assert!(
            statuses.contains(&Status::Pass)
                && statuses.contains(&Status::Fail)
                && statuses.contains(&Status::Warn)
        );
        insta::assert_json_snapshot!("small", findings);
    }
}
