//! The whole catalogue on engines other than a rootful dockerd, captured for real by
//! `cargo xtask capture-fixtures` (xtask/src/rootless.rs): rootful Podman's Docker-compatible
//! API (`podman`), rootless Podman (`podman-rootless`) and rootless dockerd (`rootless`).
//! One line per finding is pinned per engine, and the rules that must hold whatever the wording
//! are asserted: no rootful-only failure on a rootless engine, and Podman's inapplicable checks
//! say so with the reason.

use crate::checks::testing::{find, findings, fixture};
use crate::checks::{Check, catalogue};
use crate::report::Status;

/// The captured engines of this module.
pub(crate) const ENGINES: [&str; 3] = ["podman", "podman-rootless", "rootless"];

fn verdict_lines(name: &str) -> String {
    let snap = fixture(name);
    let mut out = String::new();
    for check in catalogue() {
        for f in findings(check, &snap) {
            out.push_str(&format!(
                "{} {} {} {}: {}\n",
                check.code,
                f.status,
                f.target.kind.as_str(),
                f.target.name,
                f.message
            ));
        }
    }
    out
}

fn check(code: &str) -> &'static Check {
    catalogue().into_iter().find(|c| c.code == code).expect("check exists")
}

#[test]
fn verdicts_on_podman() {
    insta::assert_snapshot!("podman", verdict_lines("podman"));
}

#[test]
fn verdicts_on_rootless_podman() {
    insta::assert_snapshot!("podman-rootless", verdict_lines("podman-rootless"));
}

#[test]
fn verdicts_on_rootless_dockerd() {
    insta::assert_snapshot!("rootless", verdict_lines("rootless"));
}

#[test]
fn the_engines_are_identified() {
    use crate::snapshot::EngineProduct;
    let id = |name: &str| {
        let s = fixture(name);
        (s.engine_product(), s.engine_rootless())
    };
    assert_eq!(id("podman"), (EngineProduct::Podman, false));
    assert_eq!(id("podman-rootless"), (EngineProduct::Podman, true));
    assert_eq!(id("rootless"), (EngineProduct::DockerEngine, true));
    assert_eq!(id("default"), (EngineProduct::DockerEngine, false));
}

/// Checks whose failure means "host root" or a rootful daemon's files: on a rootless engine they
/// never fail (they warn, inform or do not apply, saying why).
const ROOTFUL_ONLY: [&str; 7] = ["CTR001", "CTR002", "CTR021", "HST004", "HST005", "HST012", "DMN003"];

/// dockerd settings, daemon files and the docker group: not applicable on Podman, each naming
/// Podman in its reason.
const DOCKERD_ONLY: [&str; 12] = [
    "DMN001", "DMN002", "DMN003", "DMN009", "DMN010", "DMN012", "DMN013", "DMN015", "DMN016", "HST004",
    "HST007", "HST012",
];

#[test]
fn no_rootful_only_failure_on_a_rootless_engine() {
    for name in ENGINES.iter().filter(|n| fixture(n).engine_rootless()) {
        let snap = fixture(name);
        for code in ROOTFUL_ONLY {
            for f in findings(check(code), &snap) {
                assert_ne!(f.status, Status::Fail, "{name} {code} {}: {}", f.target.name, f.message);
            }
        }
        // The privileged container says why it is only a warning, with the evidence.
        let privileged = find(&findings(check("CTR001"), &snap), "zd-privileged").clone();
        assert_eq!(privileged.status, Status::Warn, "{name}");
        assert!(privileged.message.contains("not host root"), "{name}: {}", privileged.message);
        assert!(
            privileged
                .evidence
                .iter()
                .any(|e| e.field.contains("Rootless") || e.observed.contains("rootless"))
        );
    }
    // The same container on rootful Podman fails, as on a rootful dockerd.
    assert_eq!(find(&findings(check("CTR001"), &fixture("podman")), "zd-privileged").status, Status::Fail);
}

#[test]
fn dockerd_only_checks_do_not_apply_to_podman() {
    for name in ["podman", "podman-rootless"] {
        let snap = fixture(name);
        for code in DOCKERD_ONLY {
            for f in findings(check(code), &snap) {
                assert_eq!(f.status, Status::NotApplicable, "{name} {code}: {}", f.message);
                assert!(f.message.contains("Podman"), "{name} {code} says why: {}", f.message);
            }
        }
    }
    // On rootless dockerd they still judge: its daemon.json is the one in the user's home.
    let rootless = fixture("rootless");
    let daemon_json = &findings(check("HST007"), &rootless)[0];
    assert_eq!(daemon_json.status, Status::Pass, "{}", daemon_json.message);
    assert!(
        daemon_json.evidence.iter().any(|e| e.field.contains("/home/.config/docker/daemon.json")),
        "{daemon_json:?}"
    );
}
