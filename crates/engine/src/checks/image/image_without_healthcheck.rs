//! IMG003 image-without-healthcheck.

use crate::checks::prelude::*;
use crate::snapshot::Healthcheck;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_image(snap, |image| {
        let name = image.display_name();
        let target = image_target(image);
        let finding = match image.healthcheck {
            Healthcheck::Defined => {
                return Finding::pass(target, format!("Image `{name}` declares a HEALTHCHECK")).evidence(
                    "Config.Healthcheck",
                    "defined",
                    "a HEALTHCHECK instruction",
                );
            }
            Healthcheck::Disabled => {
                Finding::fail(target, format!("Image `{name}` disables health checks (`HEALTHCHECK NONE`)"))
                    .evidence("Config.Healthcheck.Test", "[\"NONE\"]", "a HEALTHCHECK instruction")
            }
            Healthcheck::Absent => Finding::fail(target, format!("Image `{name}` declares no HEALTHCHECK"))
                .evidence("Config.Healthcheck", "absent", "a HEALTHCHECK instruction"),
        };
        finding.fix(
            SnippetKind::Dockerfile,
            format!("In the Dockerfile that builds `{name}` (or one that starts `FROM {name}`)"),
            "# HEALTH_COMMAND exits 0 when healthy, e.g. wget -qO- http://127.0.0.1:8080/health || exit 1\n\
             HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \\\n  CMD HEALTH_COMMAND",
        )
    })
}

crate::declare_check! {
    /// An image declares no `HEALTHCHECK`, so containers made from it report only "running", never
    /// "healthy" or "unhealthy".
    ///
    /// ## Rationale
    /// The image author knows best how to tell the service works; a `HEALTHCHECK` in the image gives
    /// every container made from it a health state that `docker ps`, Compose `depends_on:
    /// condition: service_healthy`, orchestrators and monitoring can act on. Without one, a hung or
    /// half-broken service looks fine. Base images (busybox, distributions) rarely define one; the
    /// images you build on them should. CTR019 judges each container, which may add its own.
    ///
    /// ## Evidence
    /// `Config.Healthcheck` of every local image (`docker image inspect -f '{{json .Config.Healthcheck}}'`);
    /// `Test == ["NONE"]` means disabled.
    ///
    /// ## Remediation
    /// Add a `HEALTHCHECK` instruction to the Dockerfile with a cheap command that exits 0 only when
    /// the service answers (an HTTP probe, `pg_isready`, a CLI ping).
    pub(crate) static CHECK = {
        code: "IMG003",
        slug: "image-without-healthcheck",
        title: "Image declares no HEALTHCHECK",
        category: Images,
        severity: Low,
        target: Image,
        references: [
            Reference::Cis("4.6"),
            Reference::Nist("tenet 7: collect information on the state of assets"),
            Reference::Seed("Best practices §9 Monitor and Audit"),
            Reference::Url("https://docs.docker.com/reference/dockerfile/#healthcheck"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test IMG003` selects its tests")]
mod IMG003 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zerodock/busybox:1", "zerodock/hardened:1"]
    );

    #[test]
    fn image_healthcheck() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zerodock/busybox:1"), Status::Fail);
        assert_eq!(status_of(&f, "zerodock/hardened:1"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zerodock/hardened:1"), Status::Pass);
    }
}
