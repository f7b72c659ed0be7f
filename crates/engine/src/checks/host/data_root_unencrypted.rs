//! HST001 data-root-unencrypted.

use crate::checks::prelude::*;

use super::encryption_finding;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    vec![encryption_finding(
        snap,
        snap.host.data_root_storage.get(),
        "Docker's data-root",
        "data-root storage",
    )]
}

crate::declare_check! {
    /// Docker's data-root (images, containers, volumes) is not encrypted at rest.
    ///
    /// ## Rationale
    /// Docker's data-root holds every image layer, every container's writable layer and every
    /// named volume: databases, uploaded files, secrets written to disk. Without encryption at rest,
    /// a stolen laptop, a decommissioned disk or a snapshot of the volume exposes all of it. Zero
    /// Trust asks for encrypted storage on the host; Docker's own guidance is to rely on the host's
    /// disk encryption for images and volumes.
    ///
    /// ## Evidence
    /// `GET /info` → `DockerRootDir`, mapped to its mount in `/proc/self/mountinfo` and down the
    /// block-device chain in `/sys/class/block/*/slaves` and `/sys/block/*/dm/uuid` (a `CRYPT-LUKS2-…`
    /// uuid is dm-crypt); fscrypt, eCryptfs and ZFS native encryption are recognised too, and
    /// FileVault or BitLocker for Docker Desktop. No root needed.
    ///
    /// ## Remediation
    /// Create a LUKS2 volume (`cryptsetup luksFormat --type luks2 /dev/NEWDISK`), open and format
    /// it, copy the data-root onto it with the daemon stopped, point `"data-root"` in daemon.json at
    /// it, and register it in `/etc/crypttab` and `/etc/fstab`. On laptops, enable full-disk
    /// encryption at install time.
    pub(crate) static CHECK = {
        code: "HST001",
        slug: "data-root-unencrypted",
        title: "Docker data-root not encrypted at rest",
        category: Host,
        severity: High,
        target: Host,
        references: [
            Reference::Nist("tenet 1: data sources are resources"),
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Zero Trust: Encryption"),
            Reference::Seed("Roadmap: Secure Access Controls (encrypt data at rest)"),
            Reference::Url("https://gitlab.com/cryptsetup/cryptsetup/-/wikis/FrequentlyAskedQuestions"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST001` selects its tests")]
mod HST001 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};
    use crate::snapshot::{BlockDevice, Encryption};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn capture_machine_has_no_encryption() {
        for daemon in ["default", "hardened"] {
            let f = findings(&CHECK, &fixture(daemon));
            assert_eq!((f.len(), f[0].status), (1, Status::Fail), "{daemon}");
            assert!(f[0].evidence[0].observed.contains("vda"), "{:?}", f[0].evidence);
            assert!(f[0].remediation[0].code.contains("cryptsetup luksFormat"));
        }
    }

    #[test]
    fn luks_passes_remote_is_not_applicable() {
        // Mutation: the data-root sits on a LUKS2 mapping, as on an encrypted laptop.
        let snap = variant("default", |s| {
            let storage = s.host.data_root_storage.ok_mut().expect("captured");
            storage.chain.insert(
                0,
                BlockDevice { name: "dm-0".into(), dm_uuid: Some("CRYPT-LUKS2-0123-luks".into()) },
            );
            storage.encryption = Encryption::DmCrypt { kind: "LUKS2".into() };
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Pass);
        // Mutation: the engine is remote.
        let snap = variant("default", |s| s.endpoint.local = false);
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::NotApplicable);
    }
}
