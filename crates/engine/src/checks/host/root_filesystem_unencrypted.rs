//! HST002 root-filesystem-unencrypted.

use crate::checks::prelude::*;

use super::encryption_finding;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    vec![encryption_finding(snap, snap.host.root_storage.get(), "the root file system", "/ storage")]
}

crate::declare_check! {
    /// The host's root file system is not encrypted at rest.
    ///
    /// ## Rationale
    /// `/` holds `/etc/docker` (TLS keys, daemon.json), users' `~/.docker/config.json` with registry
    /// credentials, compose files with secrets, and often Docker's data-root too. Unencrypted, all of
    /// it can be read from a lost or stolen machine or a discarded disk. Zero Trust requires the host
    /// to use encrypted storage.
    ///
    /// ## Evidence
    /// The mount of `/` in `/proc/self/mountinfo` and its block-device chain in `/sys/class/block`
    /// (dm-crypt `CRYPT-…` uuids), plus fscrypt, eCryptfs, ZFS native encryption, FileVault or
    /// BitLocker. No root needed.
    ///
    /// ## Remediation
    /// Enable full-disk encryption: at install time choose "encrypted LVM" (Debian/Ubuntu) or
    /// "Encrypt my data" (Fedora/RHEL); for an installed system, migrate to a LUKS2 volume from a
    /// live system after a backup. On macOS enable FileVault, on Windows BitLocker.
    pub(crate) static CHECK = {
        code: "HST002",
        slug: "root-filesystem-unencrypted",
        title: "Root file system not encrypted at rest",
        category: Host,
        severity: Medium,
        target: Host,
        references: [
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Zero Trust: A solid foundation: Host and network"),
            Reference::Seed("Zero Trust: Encryption"),
            Reference::Url("https://gitlab.com/cryptsetup/cryptsetup/-/wikis/FrequentlyAskedQuestions"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST002` selects its tests")]
mod HST002 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};
    use crate::snapshot::Encryption;
    use crate::snapshot::Fact;

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn capture_machine_root_is_unencrypted() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert_eq!(f[0].evidence[0].observed, "/ on / (ext4, /dev/vda): vda");
    }

    #[test]
    fn encrypted_passes_unreadable_is_unknown() {
        // Mutation: / on a ZFS dataset with native encryption.
        let snap = variant("hardened", |s| {
            s.host.root_storage.ok_mut().expect("captured").encryption = Encryption::Zfs
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Pass);
        // Mutation: /proc/self/mountinfo could not be read.
        let snap = variant("hardened", |s| s.host.root_storage = Fact::unavailable("mountinfo unreadable"));
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Unknown);
    }
}
