//! Host checks: the machine Docker runs on (disk encryption, who controls the daemon, the socket,
//! daemon.json and other daemon file permissions, Linux security modules, user namespaces, audit
//! rules and monitoring agents). Facts about this machine describe the engine only when it is
//! local: with a remote engine the file-based checks do not apply.

use crate::checks::Check;
use crate::checks::prelude::*;
use crate::report::{Finding, SnippetKind, Target};
use crate::snapshot::{Snapshot, StorageFacts};

pub(crate) mod daemon_json_too_permissive;
pub(crate) mod data_root_shares_root_partition;
pub(crate) mod data_root_unencrypted;
pub(crate) mod docker_files_not_audited;
pub(crate) mod docker_files_too_permissive;
pub(crate) mod docker_group_has_members;
pub(crate) mod docker_socket_too_permissive;
pub(crate) mod no_endpoint_monitoring;
pub(crate) mod no_linux_security_module;
pub(crate) mod root_equivalent_user;
pub(crate) mod root_filesystem_unencrypted;
pub(crate) mod rootful_daemon_without_userns;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &data_root_unencrypted::CHECK,
    &root_filesystem_unencrypted::CHECK,
    &root_equivalent_user::CHECK,
    &docker_group_has_members::CHECK,
    &rootful_daemon_without_userns::CHECK,
    &docker_socket_too_permissive::CHECK,
    &daemon_json_too_permissive::CHECK,
    &no_linux_security_module::CHECK,
    &data_root_shares_root_partition::CHECK,
    &docker_files_not_audited::CHECK,
    &no_endpoint_monitoring::CHECK,
    &docker_files_too_permissive::CHECK,
];

/// The host target, or the finding that says host facts do not describe this engine.
pub(crate) fn in_scope(snap: &Snapshot) -> Result<Target, Box<Finding>> {
    let target = host_target(snap);
    match snap.host_scope() {
        Ok(()) => Ok(target),
        Err(reason) => Err(Box::new(Finding::not_applicable(target, reason))),
    }
}

/// Whether the scanned engine is Docker Desktop's, whose dockerd and its files live in a VM.
pub(crate) fn runs_in_desktop_vm(snap: &Snapshot) -> bool {
    snap.info().is_ok_and(|i| i.is_docker_desktop())
}

/// The block-device chain of a storage fact, for evidence (`dm-0 [CRYPT-LUKS2-…] → nvme0n1p3`).
pub(crate) fn chain(s: &StorageFacts) -> String {
    let devices: Vec<String> = s
        .chain
        .iter()
        .map(|d| match &d.dm_uuid {
            Some(uuid) => format!("{} [{}]", d.name, uuid),
            None => d.name.clone(),
        })
        .collect();
    let devices = if devices.is_empty() { "no block device".to_owned() } else { devices.join(" → ") };
    format!("{} on {} ({}, {}): {devices}", s.path, s.mount_point, s.fstype, s.source)
}

/// The verdict on one storage location's encryption at rest.
pub(crate) fn encryption_finding(
    snap: &Snapshot,
    fact: Result<&StorageFacts, &str>,
    what: &str,
    field: &str,
) -> Finding {
    let target = match in_scope(snap) {
        Ok(t) => t,
        Err(na) => return *na,
    };
    let s = match fact {
        Ok(s) => s,
        Err(reason) => {
            return Finding::unknown(
                target,
                format!("the storage of {what} could not be examined: {reason}"),
            );
        }
    };
    let expected = "dm-crypt/LUKS, fscrypt, ZFS native encryption, FileVault or BitLocker";
    if s.encryption.is_encrypted() {
        return Finding::pass(
            target,
            format!("{} ({}) is encrypted at rest ({})", capitalise(what), s.path, method(s)),
        )
        .evidence(format!("{field} chain"), chain(s), expected)
        .evidence(format!("{field} encryption"), method(s), expected);
    }
    Finding::fail(
        target,
        format!(
            "{} ({}) is not encrypted at rest: a stolen disk or discarded volume exposes it",
            capitalise(what),
            s.path
        ),
    )
    .evidence(format!("{field} chain"), chain(s), expected)
    .evidence(format!("{field} encryption"), "none", expected)
    .fix(SnippetKind::Shell, fix_label(snap, s), luks_steps(snap, s))
}

/// The directory dockerd was configured with: with userns-remap, `DockerRootDir` is a
/// `<uid>.<gid>` subdirectory of it.
pub(crate) fn configured_data_root(snap: &Snapshot, path: &str) -> String {
    let remapped = snap.info().is_ok_and(|i| i.security_option("userns").is_some());
    match path.rsplit_once('/') {
        Some((parent, last))
            if remapped
                && last.split('.').count() == 2
                && last.split('.').all(|p| p.parse::<u32>().is_ok()) =>
        {
            parent.to_owned()
        }
        _ => path.to_owned(),
    }
}

fn is_data_root(snap: &Snapshot, s: &StorageFacts) -> bool {
    snap.info().is_ok_and(|i| !i.docker_root_dir.is_empty() && s.path.starts_with(&i.docker_root_dir))
        && s.path != "/"
}

fn fix_label(snap: &Snapshot, s: &StorageFacts) -> String {
    if is_data_root(snap, s) {
        format!(
            "Move {} to a new LUKS2 volume (/dev/NEWDISK is a placeholder: every byte on it is erased)",
            configured_data_root(snap, &s.path)
        )
    } else {
        format!("Encrypt {} (full-disk encryption)", s.path)
    }
}

fn luks_steps(snap: &Snapshot, s: &StorageFacts) -> String {
    if !is_data_root(snap, s) {
        return "# the root file system is encrypted at install time: the installer's \"encrypted LVM\" (Debian/Ubuntu)\n\
                # or \"Encrypt my data\" (Fedora/RHEL) option; an installed system is migrated offline from a live\n\
                # system after a full backup (cryptsetup reencrypt --encrypt --reduce-device-size 32M /dev/ROOTPART)"
            .to_owned();
    }
    let root = configured_data_root(snap, &s.path);
    format!(
        "sudo cryptsetup luksFormat --type luks2 /dev/NEWDISK\n\
         sudo cryptsetup open /dev/NEWDISK docker-crypt\n\
         sudo mkfs.ext4 /dev/mapper/docker-crypt\n\
         sudo mkdir -p /srv/docker && sudo mount /dev/mapper/docker-crypt /srv/docker\n\
         sudo systemctl stop docker docker.socket\n\
         sudo cp -a {root}/. /srv/docker/\n\
         # daemon.json: \"data-root\": \"/srv/docker\"; add docker-crypt to /etc/crypttab and /srv/docker to /etc/fstab\n\
         sudo systemctl start docker"
    )
}

fn method(s: &StorageFacts) -> String {
    use crate::snapshot::Encryption;
    match &s.encryption {
        Encryption::DmCrypt { kind } => format!("dm-crypt {kind}"),
        Encryption::Ecryptfs => "eCryptfs".to_owned(),
        Encryption::Fscrypt => "fscrypt".to_owned(),
        Encryption::Zfs => "ZFS native encryption".to_owned(),
        Encryption::Os { product } => product.clone(),
        Encryption::None => "none".to_owned(),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
