//! HST009 data-root-shares-root-partition.

use crate::checks::prelude::*;

use super::{configured_data_root, in_scope};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = match in_scope(snap) {
        Ok(t) => t,
        Err(na) => return vec![*na],
    };
    let s = match snap.host.data_root_storage.get() {
        Ok(s) => s,
        Err(reason) => {
            return vec![Finding::unknown(
                target,
                format!("the storage of Docker's data-root could not be examined: {reason}"),
            )];
        }
    };
    let field = format!("/proc/self/mountinfo: mount of {}", s.path);
    let observed = format!("{} ({} from {})", s.mount_point, s.fstype, s.source);
    let expected = "a file system of its own, not /";
    let finding = if s.separate_from_root {
        Finding::pass(
            target,
            format!("Docker's data-root {} is on its own file system ({})", s.path, s.mount_point),
        )
    } else {
        Finding::warn(
            target,
            format!("Docker's data-root {} shares the root file system: images, logs or a runaway container can fill `/`", s.path),
        )
        .fix(
            SnippetKind::Shell,
            format!("Move {} to a dedicated partition or logical volume (/dev/NEWPART is a placeholder)", configured_data_root(snap, &s.path)),
            format!(
                "sudo systemctl stop docker docker.socket\n\
                 sudo mkfs.ext4 /dev/NEWPART\n\
                 sudo mount /dev/NEWPART /mnt && sudo cp -a {root}/. /mnt/ && sudo umount /mnt\n\
                 echo '/dev/NEWPART {root} ext4 defaults,nodev,nosuid 0 2' | sudo tee -a /etc/fstab\n\
                 sudo mount {root} && sudo systemctl start docker",
                root = configured_data_root(snap, &s.path)
            ),
        )
    };
    vec![finding.evidence(field, observed, expected)]
}

crate::declare_check! {
    /// Docker's data-root is on the same file system as `/`.
    ///
    /// ## Rationale
    /// Images, build cache, container logs and volumes grow without bound. On the root file system
    /// a single noisy container or a large pull can fill `/`, and a full root file system stops
    /// logging, package updates and sometimes logins: a denial of service of the whole host. A
    /// separate partition contains the damage and can be mounted `nodev,nosuid`.
    ///
    /// ## Evidence
    /// `GET /info` → `DockerRootDir`, located in `/proc/self/mountinfo`: the mount holding it and
    /// whether it is the root mount (a bind mount of the root disk is not separate).
    ///
    /// ## Remediation
    /// Create a partition or LVM logical volume, copy the data-root onto it with the daemon stopped,
    /// and mount it at the data-root through `/etc/fstab` (or point `"data-root"` in daemon.json at
    /// its mount point).
    pub(crate) static CHECK = {
        code: "HST009",
        slug: "data-root-shares-root-partition",
        title: "Data-root on the root file system",
        category: Host,
        severity: Low,
        target: Host,
        references: [
            Reference::Cis("1.1.1"),
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Seed("Best practices §3 Secure Docker Hosts"),
            Reference::Url("https://docs.docker.com/engine/daemon/#daemon-data-directory"),
            Reference::Seed("Roadmap: Container Isolation"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST009` selects its tests")]
mod HST009 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn shared_root_warns_separate_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Warn));
        assert!(f[0].remediation[0].code.contains("/dev/NEWPART /tmp/zerodock-test/default/data ext4"));
        // Mutation: the data-root is a mount of its own (CIS 1.1.1).
        let snap = variant("hardened", |s| {
            s.host.data_root_storage.ok_mut().expect("captured").separate_from_root = true
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Pass);
    }
}
