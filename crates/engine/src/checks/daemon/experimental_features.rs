//! DMN010 experimental-features.

use serde_json::Value;

use crate::checks::prelude::*;

use super::setting_fix;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    if let Some(na) = podman_not_applicable(
        snap,
        engine_target(snap),
        "its compatibility API reports `ExperimentalBuild: true` whatever its configuration; it has no experimental daemon mode",
    ) {
        return na;
    }
    with_info(snap, |info, target| {
        let version_experimental = snap.version().ok().map(|v| v.experimental);
        let on = info.experimental_build || version_experimental == Some(true);
        let version_observed = version_experimental.map_or_else(|| "unknown".to_owned(), |e| e.to_string());
        if on {
            Finding::fail(target, "The daemon runs with experimental features enabled")
                .evidence("GET /info ExperimentalBuild", info.experimental_build, "false")
                .evidence("GET /version Experimental", version_observed, "false")
                .fixes(setting_fix(snap, "experimental", "experimental", Value::Bool(false)))
        } else {
            Finding::pass(target, "Experimental features are disabled")
                .evidence("GET /info ExperimentalBuild", false, "false")
                .evidence("GET /version Experimental", version_observed, "false")
        }
    })
}

crate::declare_check! {
    /// The daemon runs with experimental features enabled.
    ///
    /// ## Rationale
    /// Experimental features are unfinished: they change without notice, get less review and
    /// testing, and are excluded from the stability and security guarantees of the release. On a
    /// production or shared engine they add attack surface nobody is tracking.
    ///
    /// ## Evidence
    /// `GET /info` → `ExperimentalBuild` and `GET /version` → `Experimental`
    /// (`docker version -f '{{.Server.Experimental}}'`), set by dockerd's `--experimental` flag or the
    /// `experimental` key of daemon.json.
    ///
    /// ## Remediation
    /// Set `"experimental": false` in daemon.json (or drop `--experimental` from dockerd's command
    /// line) and restart the daemon.
    pub(crate) static CHECK = {
        code: "DMN010",
        slug: "experimental-features",
        title: "Experimental features enabled",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("2.19"),
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Best practices §2 Keep Docker Up to Date"),
            Reference::Url("https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN010` selects its tests")]
mod DMN010 {
    use super::*;
    use crate::checks::testing::{findings, fixture};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn default_experimental_fails_hardened_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        // Set by a flag on the fixture's command line, so the fix edits the flag.
        assert!(f[0].remediation[0].code.contains("--experimental=false"), "{:?}", f[0].remediation);
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }
}
