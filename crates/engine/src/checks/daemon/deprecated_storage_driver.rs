//! DMN014 deprecated-storage-driver.

use crate::checks::prelude::*;

/// Storage drivers CIS asks not to use: `aufs` (removed in Docker 24) and `devicemapper`
/// (deprecated, removed in Docker 25).
const DEPRECATED: [&str; 2] = ["aufs", "devicemapper"];

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_info(snap, |info, target| {
        let driver = info.driver.as_str();
        if driver.is_empty() {
            return Finding::unknown(target, "the engine did not report its storage driver");
        }
        if !DEPRECATED.contains(&driver) {
            return Finding::pass(target, format!("The daemon uses the `{driver}` storage driver")).evidence(
                "GET /info Driver",
                driver,
                "neither aufs nor devicemapper",
            );
        }
        let path = super::daemon_json_path(snap);
        Finding::fail(
            target,
            format!("The daemon uses the deprecated `{driver}` storage driver, which no current Docker release supports"),
        )
        .evidence("GET /info Driver", driver, "neither aufs nor devicemapper (overlay2)")
        .fix(
            SnippetKind::Shell,
            format!("Move to overlay2: images and containers of `{driver}` are not carried over, so save what you need first"),
            format!(
                "docker save -o images.tar IMAGE_NAME   # every image you need\n\
                 # in {path}: \"storage-driver\": \"overlay2\" (or remove the key and any --storage-driver flag)\n\
                 sudo systemctl restart docker\n\
                 docker load -i images.tar   # then recreate the containers"
            ),
        )
    })
}

crate::declare_check! {
    /// The daemon uses the aufs or devicemapper storage driver.
    ///
    /// ## Rationale
    /// aufs was never in the mainline kernel and was removed from Docker 24; devicemapper was
    /// deprecated for years and removed from Docker 25. A daemon still on either cannot be
    /// upgraded as is, so it stays on an engine that no longer gets security fixes, and both
    /// drivers had data-corruption and denial-of-service problems of their own (devicemapper's
    /// loop-lvm mode above all). overlay2 is the supported default on every current distribution.
    ///
    /// ## Evidence
    /// `GET /info` → `Driver` (`docker info -f '{{.Driver}}'`).
    ///
    /// ## Remediation
    /// Save the images you need (`docker save`), set `"storage-driver": "overlay2"` in daemon.json
    /// (or remove the key and any `--storage-driver` flag), restart the daemon, load the images
    /// back and recreate the containers: a new storage driver starts with an empty image store.
    pub(crate) static CHECK = {
        code: "DMN014",
        slug: "deprecated-storage-driver",
        title: "Deprecated storage driver (aufs, devicemapper)",
        category: Daemon,
        severity: Medium,
        target: Engine,
        references: [
            Reference::Cis("2.6"),
            Reference::Cis("2.7"),
            Reference::Url("https://docs.docker.com/engine/storage/drivers/select-storage-driver/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN014` selects its tests")]
mod DMN014 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn overlay2_passes() {
        for base in ["default", "hardened"] {
            assert_eq!(findings(&CHECK, &fixture(base))[0].status, Status::Pass, "{base}");
        }
    }

    #[test]
    fn aufs_and_devicemapper_fail() {
        for driver in DEPRECATED {
            // Mutation: an old engine on that driver (this machine's kernel has no aufs, and
            // devicemapper needs a thin pool).
            let snap = variant("default", |s| {
                s.engine.ok_mut().expect("captured").info.ok_mut().expect("captured").driver = driver.into();
            });
            let f = findings(&CHECK, &snap);
            assert_eq!(f[0].status, Status::Fail, "{driver}");
            assert!(f[0].remediation.iter().all(|s| s.kind != SnippetKind::DaemonJson), "no automatic plan");
        }
    }
}
