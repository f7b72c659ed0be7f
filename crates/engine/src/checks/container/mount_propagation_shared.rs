//! CTR022 mount-propagation-shared.

use crate::checks::prelude::*;
use crate::snapshot::Mount;

use super::state_note;

fn is_shared(m: &Mount) -> bool {
    matches!(m.propagation.as_str(), "shared" | "rshared")
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        let shared: Vec<&Mount> = c.mounts.iter().filter(|m| is_shared(m)).collect();
        if shared.is_empty() {
            return Finding::pass(target, format!("Container `{}` has no shared mount propagation", c.name))
                .evidence(
                    "Mounts[].Propagation",
                    format!("{} mount(s), none shared", c.mounts.len()),
                    "private, rprivate, slave or rslave",
                );
        }
        let mut finding = Finding::fail(
            target,
            format!(
                "Container `{}` shares mount events with the host on {}{}",
                c.name,
                shared.iter().map(|m| format!("`{}`", m.destination)).collect::<Vec<_>>().join(", "),
                state_note(c)
            ),
        );
        for m in &shared {
            finding = finding.evidence(
                format!("Mounts[{}].Propagation", m.destination),
                format!("{} ({} → {})", m.propagation, m.source, m.destination),
                "rprivate (default) or rslave",
            );
        }
        let flags = shared
            .iter()
            .map(|m| {
                let ro = if m.rw { "" } else { ",readonly" };
                format!(
                    "--mount type=bind,src={},dst={}{ro},bind-propagation=rprivate",
                    m.source, m.destination
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
        let compose = shared
            .iter()
            .map(|m| {
                let ro = if m.rw { "" } else { "\n    read_only: true" };
                format!(
                    "  - type: bind\n    source: {}\n    target: {}{ro}\n    bind:\n      propagation: rprivate",
                    m.source, m.destination
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut run = run_fix(c, &flags);
        run.label = recreate_label(c, "with private propagation on these mounts");
        finding.fixes(pick_fixes(c, run, compose_fix(c, &format!("volumes:\n{compose}"))))
    })
}

crate::declare_check! {
    /// A container has a mount with `shared` or `rshared` propagation.
    ///
    /// ## Rationale
    /// With shared propagation, mounts made inside the container appear on the host and mounts made
    /// on the host appear in the container. A container that can mount (with `SYS_ADMIN`, or a
    /// privileged one) can then mount over host paths, and mount events cross the isolation
    /// boundary both ways. The default (`rprivate`) or `rslave` (host to container only) is enough
    /// for every common use.
    ///
    /// ## Evidence
    /// `Mounts[].Propagation` of every container in every state (`docker inspect -f '{{json .Mounts}}'`).
    ///
    /// ## Remediation
    /// Recreate the container without `bind-propagation=shared`/`rshared` (or `:shared`/`:rshared`
    /// in `-v`); use the default `rprivate`, or `rslave` if it must see the host's later mounts. In
    /// Compose, set `bind.propagation: rprivate` in the long volume syntax.
    pub(crate) static CHECK = {
        code: "CTR022",
        slug: "mount-propagation-shared",
        title: "Shared mount propagation",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.20"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Container security roadmap §Container Isolation: Namespaces"),
            Reference::Url("https://docs.docker.com/engine/storage/bind-mounts/#configure-bind-propagation"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR022` selects its tests")]
mod CTR022 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zd-shared-propagation", "zd-hardened"]
    );

    #[test]
    fn rshared_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-shared-propagation"), Status::Fail);
        assert_eq!(status_of(&f, "zd-etc-ro"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
