//! Where a directory is stored and whether that storage is encrypted at rest, without root.
//!
//! The walk (host-detection.md §1.2): the longest-prefix mount in `/proc/self/mountinfo`, its
//! `major:minor` (or, for anonymous devices, the mount source's), then `/sys/dev/block/MAJ:MIN`
//! and every `slaves/` below it, reading each device-mapper node's `dm/uuid`. `CRYPT-<type>-…`
//! means dm-crypt, except VERITY/INTEGRITY, which cryptsetup creates but which do not encrypt.
//! ecryptfs is a mount type, fscrypt a per-directory `statx` attribute, ZFS a dataset property.
//!
//! Everything is read under a root prefix (`/` in production) so tests can fake `/proc` and
//! `/sys`.

// Only the Linux probes use the parsers; other OSes still compile them for the tests.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{io_reason, under};
use crate::snapshot::{BlockDevice, Encryption, Fact, StorageFacts};

/// One line of `/proc/self/mountinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Mount {
    /// Device major (0 for anonymous devices: btrfs, overlay, zfs, tmpfs, nfs).
    pub major: u32,
    /// Device minor.
    pub minor: u32,
    /// The directory of the file system mounted here (not `/` for bind mounts).
    pub root: String,
    /// Where it is mounted.
    pub mount_point: PathBuf,
    /// File system type.
    pub fstype: String,
    /// Mount source (a device, a dataset, `tmpfs`…).
    pub source: String,
    /// Per-superblock options (`hidepid=2` on `/proc`…).
    pub super_options: String,
}

/// Parses `/proc/<pid>/mountinfo` (proc(5)); malformed lines are skipped.
pub(super) fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            // Optional fields (shared:N, master:N…) end at a lone "-".
            let dash = fields.iter().skip(6).position(|f| *f == "-")? + 6;
            let (major, minor) = fields.get(2)?.split_once(':')?;
            Some(Mount {
                major: major.parse().ok()?,
                minor: minor.parse().ok()?,
                root: unescape(fields.get(3)?),
                mount_point: PathBuf::from(unescape(fields.get(4)?)),
                fstype: (*fields.get(dash + 1)?).to_owned(),
                source: unescape(fields.get(dash + 2)?),
                super_options: fields.get(dash + 3).copied().unwrap_or("").to_owned(),
            })
        })
        .collect()
}

/// Undoes the kernel's octal escapes of space, tab, newline and backslash (`\040`…).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match octal {
            Some(d) => {
                let value = d.iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mount holding `path`: the longest mount point that is a prefix of it; the last one wins
/// among stacked mounts on the same point, as the kernel lists them in mount order.
pub(super) fn mount_of<'a>(mounts: &'a [Mount], path: &Path) -> Option<&'a Mount> {
    mounts
        .iter()
        .filter(|m| path.starts_with(&m.mount_point))
        .max_by_key(|m| m.mount_point.components().count())
}

/// Storage facts for a path on this machine.
#[cfg(target_os = "linux")]
pub(super) fn probe(path: &Path) -> Fact<StorageFacts> {
    let canonical = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Fact::unavailable(format!(
                "{} does not exist on this machine: the daemon runs in another mount namespace or VM",
                path.display()
            ));
        }
        Err(e) => return Fact::unavailable(io_reason(path, &e)),
    };
    match storage_in(Path::new("/"), &canonical, true) {
        Ok(facts) => Fact::available(facts),
        Err(reason) => Fact::unavailable(reason),
    }
}

/// Storage facts for a path on this machine.
#[cfg(not(target_os = "linux"))]
pub(super) fn probe(path: &Path) -> Fact<StorageFacts> {
    Fact::unavailable(format!(
        "not on this OS: encryption of {} is not detected yet (FileVault/BitLocker)",
        path.display()
    ))
}

/// The walk for an absolute, canonical `path`, reading `/proc` and `/sys` under `root`.
/// `run_commands` allows `zfs get` (off in tests).
pub(super) fn storage_in(root: &Path, path: &Path, run_commands: bool) -> Result<StorageFacts, String> {
    let text = std::fs::read_to_string(under(root, "/proc/self/mountinfo"))
        .map_err(|e| io_reason(Path::new("/proc/self/mountinfo"), &e))?;
    let mounts = parse_mountinfo(&text);
    let mount = mount_of(&mounts, path)
        .ok_or_else(|| format!("no mount in /proc/self/mountinfo holds {}", path.display()))?;
    // mountinfo's major:minor is the superblock's device, so a bind mount of the root disk (or a
    // btrfs subvolume of the root fs) compares equal: it is not a separate partition.
    let separate_from_root =
        mount_of(&mounts, Path::new("/")).is_none_or(|r| (r.major, r.minor) != (mount.major, mount.minor));
    let device =
        if mount.major != 0 { Some((mount.major, mount.minor)) } else { source_device(root, &mount.source) };
    let chain = device.map(|(major, minor)| block_chain(root, major, minor)).unwrap_or_default();
    let encryption = verdict(root, path, mount, device, &chain, run_commands)?;
    Ok(StorageFacts {
        path: path.display().to_string(),
        mount_point: mount.mount_point.display().to_string(),
        fstype: mount.fstype.clone(),
        source: mount.source.clone(),
        chain,
        encryption,
        separate_from_root,
    })
}

fn verdict(
    root: &Path,
    path: &Path,
    mount: &Mount,
    device: Option<(u32, u32)>,
    chain: &[BlockDevice],
    run_commands: bool,
) -> Result<Encryption, String> {
    if let Some(kind) = chain.iter().find_map(|d| d.dm_uuid.as_deref().and_then(crypt_kind)) {
        return Ok(Encryption::DmCrypt { kind });
    }
    if mount.fstype == "ecryptfs" {
        return Ok(Encryption::Ecryptfs);
    }
    if fscrypt(&under(root, path)) == Some(true) {
        return Ok(Encryption::Fscrypt);
    }
    if mount.fstype == "zfs" {
        return zfs_encryption(&mount.source, run_commands);
    }
    if chain.is_empty() {
        let shown = path.display();
        return Err(match device {
            Some((major, minor)) => format!(
                "{shown} is on block device {major}:{minor}, which /sys does not show (sysfs hidden, e.g. inside \
                 a container): its encryption cannot be checked"
            ),
            None => format!(
                "{shown} is on a {} file system (source `{}`) whose backing disk is not visible from here: its \
                 encryption cannot be checked",
                mount.fstype, mount.source
            ),
        });
    }
    Ok(Encryption::None)
}

/// The dm-crypt type in a device-mapper uuid (`CRYPT-LUKS2-…` → `LUKS2`); `None` for other
/// targets and for the integrity-only ones cryptsetup also creates.
pub(super) fn crypt_kind(dm_uuid: &str) -> Option<String> {
    let kind = dm_uuid.strip_prefix("CRYPT-")?.split('-').next().unwrap_or("");
    match kind {
        "" | "VERITY" | "INTEGRITY" | "SUBDEV" => None,
        kind => Some(kind.to_owned()),
    }
}

/// The device number of a mount source like `/dev/sda2` or `/dev/mapper/root`, for file systems
/// whose superblock has an anonymous device (btrfs).
fn source_device(root: &Path, source: &str) -> Option<(u32, u32)> {
    if !source.starts_with("/dev/") {
        return None;
    }
    let node = under(root, source);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        if let Ok(meta) = std::fs::metadata(&node)
            && meta.file_type().is_block_device()
        {
            return Some(split_dev(meta.rdev()));
        }
    }
    // No device node (e.g. a private /dev): sysfs knows the number by kernel name.
    let real = std::fs::canonicalize(&node).unwrap_or(node);
    let name = real.file_name()?.to_string_lossy().into_owned();
    let text = std::fs::read_to_string(under(root, format!("/sys/class/block/{name}/dev"))).ok()?;
    let (major, minor) = text.trim().split_once(':')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// glibc's `major()`/`minor()` for Linux's 64-bit `dev_t`.
#[cfg(unix)]
fn split_dev(dev: u64) -> (u32, u32) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & 0xffff_f000);
    let minor = (dev & 0xff) | ((dev >> 12) & 0xffff_ff00);
    (u32::try_from(major).unwrap_or(u32::MAX), u32::try_from(minor).unwrap_or(u32::MAX))
}

/// The device `major:minor` and everything beneath it (`slaves/`, depth first), with dm uuids.
fn block_chain(root: &Path, major: u32, minor: u32) -> Vec<BlockDevice> {
    // Real stacks are a handful of devices deep; the cap only guards against a corrupt tree.
    const MAX_DEVICES: usize = 64;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut todo = vec![under(root, format!("/sys/dev/block/{major}:{minor}"))];
    while let Some(entry) = todo.pop() {
        if out.len() >= MAX_DEVICES {
            break;
        }
        let Ok(real) = std::fs::canonicalize(&entry) else { continue };
        if !seen.insert(real.clone()) {
            continue;
        }
        let Some(name) = real.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
        let dm_uuid = std::fs::read_to_string(real.join("dm/uuid"))
            .ok()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty());
        if let Ok(dir) = std::fs::read_dir(real.join("slaves")) {
            let mut slaves: Vec<PathBuf> = dir.flatten().map(|e| e.path()).collect();
            slaves.sort();
            todo.extend(slaves.into_iter().rev());
        }
        out.push(BlockDevice { name, dm_uuid });
    }
    out
}

/// fscrypt on the directory: `Some(true)` when `statx` reports `STATX_ATTR_ENCRYPTED`, `None`
/// when the file system does not report the attribute at all.
#[cfg(target_os = "linux")]
fn fscrypt(path: &Path) -> Option<bool> {
    use rustix::fs::{AtFlags, CWD, StatxAttributes, StatxFlags, statx};
    let st = statx(CWD, path, AtFlags::empty(), StatxFlags::BASIC_STATS).ok()?;
    st.stx_attributes_mask
        .contains(StatxAttributes::ENCRYPTED)
        .then(|| st.stx_attributes.contains(StatxAttributes::ENCRYPTED))
}

#[cfg(not(target_os = "linux"))]
fn fscrypt(_path: &Path) -> Option<bool> {
    None
}

/// ZFS native encryption of a dataset, from `zfs get` (works unprivileged when `/dev/zfs` is
/// accessible).
fn zfs_encryption(dataset: &str, run_commands: bool) -> Result<Encryption, String> {
    let unknown = |why: &str| {
        format!(
            "on ZFS dataset `{dataset}`, whose encryption could not be read ({why}): run `zfs get encryption {dataset}`"
        )
    };
    if !run_commands {
        return Err(unknown("commands disabled"));
    }
    let output = run_with_timeout(
        std::process::Command::new("zfs").args(["get", "-H", "-o", "value", "encryption", dataset]),
        Duration::from_secs(2),
    )
    .map_err(|e| unknown(&e))?;
    match output.trim() {
        "" | "-" => Err(unknown("no answer")),
        "off" => Ok(Encryption::None),
        _ => Ok(Encryption::Zfs),
    }
}

/// Runs a command and returns its stdout, killing it after `limit`.
fn run_with_timeout(cmd: &mut std::process::Command, limit: Duration) -> Result<String, String> {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(status)) => return Err(format!("it exited with {status}")),
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {limit:?}"));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout.read_to_string(&mut out).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::collect::host::testing::TempDir;

    #[test]
    fn parses_mountinfo_with_optional_fields_and_escapes() {
        let mounts = parse_mountinfo(
            "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n\
             42 27 254:0 /var/lib/docker /var/lib/docker rw,relatime shared:1 master:2 - ext4 /dev/vda rw\n\
             50 27 0:45 / /mnt/my\\040disk rw - fuse.sshfs user@host:/a\\134b rw\n\
             garbage\n",
        );
        assert_eq!(mounts.len(), 3);
        assert_eq!(mounts[1].root, "/var/lib/docker");
        assert_eq!((mounts[1].major, mounts[1].minor), (254, 0));
        assert_eq!(mounts[1].fstype, "ext4");
        assert_eq!(mounts[2].mount_point, PathBuf::from("/mnt/my disk"));
        assert_eq!(mounts[2].source, "user@host:/a\\b");
        assert_eq!(mounts[0].super_options, "rw,discard");
    }

    #[test]
    fn longest_prefix_by_component_and_last_stacked_mount_wins() {
        let mounts = parse_mountinfo(
            "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n\
             2 1 8:2 / /var rw - ext4 /dev/sda2 rw\n\
             3 1 8:3 / /var/lib rw - ext4 /dev/sda3 rw\n\
             4 1 8:4 / /var/lib rw - ext4 /dev/sda4 rw\n",
        );
        let of = |p: &str| mount_of(&mounts, Path::new(p)).map(|m| m.source.as_str());
        assert_eq!(of("/var/lib/docker"), Some("/dev/sda4"));
        assert_eq!(of("/variable"), Some("/dev/sda1"));
        assert_eq!(of("/var/log"), Some("/dev/sda2"));
    }

    #[test]
    fn crypt_kinds() {
        assert_eq!(crypt_kind("CRYPT-LUKS2-0123abcd-root").as_deref(), Some("LUKS2"));
        assert_eq!(crypt_kind("CRYPT-PLAIN-swap").as_deref(), Some("PLAIN"));
        assert_eq!(crypt_kind("CRYPT-VERITY-0123-usr"), None);
        assert_eq!(crypt_kind("CRYPT-INTEGRITY-0123-x"), None);
        assert_eq!(crypt_kind("LVM-abcdef"), None);
    }

    /// A fake host: `/` on LVM-on-LUKS (dm-1 → dm-0 → vda2), `/usr` on a VERITY device over vdb,
    /// `/srv` on a plain disk vdc, `/var/lib/docker` bound from `/`'s file system, `/home` on
    /// ecryptfs, `/data` on btrfs (anonymous device) over vdd, `/run` a tmpfs.
    fn fake_host() -> TempDir {
        use std::os::unix::fs::symlink;
        let dir = TempDir::new();
        dir.write(
            "/proc/self/mountinfo",
            "20 1 253:1 / / rw,relatime - ext4 /dev/mapper/vg-root rw\n\
             21 20 253:2 / /usr ro,relatime - ext4 /dev/mapper/usr rw\n\
             22 20 252:32 / /srv rw,relatime - xfs /dev/vdc rw\n\
             23 20 253:1 /var/lib/docker /var/lib/docker rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw\n\
             24 20 0:50 / /home rw - ecryptfs /home/.ecryptfs/alice/.Private rw\n\
             25 20 0:51 / /data rw - btrfs /dev/vdd rw\n\
             26 20 0:52 / /run rw - tmpfs tmpfs rw\n",
        );
        let devices = dir.path().join("sys/devices");
        let dev_block = dir.path().join("sys/dev/block");
        std::fs::create_dir_all(&dev_block).expect("mkdir");
        let device = |name: &str, number: &str, uuid: Option<&str>, slaves: &[&str]| {
            let path = devices.join(name);
            std::fs::create_dir_all(path.join("slaves")).expect("mkdir");
            if let Some(uuid) = uuid {
                dir.write(&format!("sys/devices/{name}/dm/uuid"), &format!("{uuid}\n"));
            }
            for slave in slaves {
                symlink(devices.join(slave), path.join("slaves").join(slave)).expect("symlink");
            }
            symlink(&path, dev_block.join(number)).expect("symlink");
            dir.write(&format!("sys/class/block/{name}/dev"), &format!("{number}\n"));
        };
        device("vda2", "252:2", None, &[]);
        device("dm-0", "253:0", Some("CRYPT-LUKS2-5f3e-luks-root"), &["vda2"]);
        device("dm-1", "253:1", Some("LVM-Xk3q"), &["dm-0"]);
        device("vdb", "252:16", None, &[]);
        device("dm-2", "253:2", Some("CRYPT-VERITY-9a1b-usr"), &["vdb"]);
        device("vdc", "252:32", None, &[]);
        device("vdd", "252:48", None, &[]);
        dir
    }

    fn walk(dir: &TempDir, path: &str) -> Result<StorageFacts, String> {
        storage_in(dir.path(), Path::new(path), false)
    }

    fn chain_names(facts: &StorageFacts) -> Vec<&str> {
        facts.chain.iter().map(|d| d.name.as_str()).collect()
    }

    #[test]
    fn lvm_on_luks_is_encrypted() {
        let dir = fake_host();
        let root = walk(&dir, "/").expect("walks");
        assert_eq!(chain_names(&root), ["dm-1", "dm-0", "vda2"]);
        assert_eq!(root.chain[0].dm_uuid.as_deref(), Some("LVM-Xk3q"));
        assert_eq!(root.encryption, Encryption::DmCrypt { kind: "LUKS2".into() });
        assert!(!root.separate_from_root);
        assert_eq!((root.mount_point.as_str(), root.fstype.as_str()), ("/", "ext4"));
    }

    #[test]
    fn a_bind_mount_of_the_root_disk_is_not_separate() {
        let dir = fake_host();
        let docker = walk(&dir, "/var/lib/docker/overlay2").expect("walks");
        assert_eq!(docker.mount_point, "/var/lib/docker");
        assert!(!docker.separate_from_root);
        assert!(docker.encryption.is_encrypted());
    }

    #[test]
    fn verity_is_not_encryption() {
        let dir = fake_host();
        let usr = walk(&dir, "/usr/lib").expect("walks");
        assert_eq!(chain_names(&usr), ["dm-2", "vdb"]);
        assert_eq!(usr.encryption, Encryption::None);
        assert!(usr.separate_from_root);
    }

    #[test]
    fn a_plain_disk_is_separate_and_unencrypted() {
        let dir = fake_host();
        let srv = walk(&dir, "/srv/docker").expect("walks");
        assert_eq!(chain_names(&srv), ["vdc"]);
        assert_eq!(srv.encryption, Encryption::None);
        assert!(srv.separate_from_root);
    }

    #[test]
    fn anonymous_devices_resolve_through_the_mount_source() {
        let dir = fake_host();
        let data = walk(&dir, "/data").expect("walks");
        assert_eq!(chain_names(&data), ["vdd"]);
        assert_eq!(data.encryption, Encryption::None);
    }

    #[test]
    fn ecryptfs_is_file_level_encryption() {
        let dir = fake_host();
        assert_eq!(walk(&dir, "/home/alice").expect("walks").encryption, Encryption::Ecryptfs);
    }

    #[test]
    fn no_backing_disk_is_a_reason_not_a_verdict() {
        let dir = fake_host();
        let err = walk(&dir, "/run/docker").expect_err("tmpfs has no disk");
        assert!(err.contains("tmpfs") && err.contains("cannot be checked"), "{err}");
        std::fs::remove_dir_all(dir.path().join("sys")).expect("rm");
        let err = walk(&dir, "/srv").expect_err("no sysfs");
        assert!(err.contains("252:32") && err.contains("sysfs"), "{err}");
    }

    #[test]
    fn zfs_without_commands_is_unknown() {
        let dir = TempDir::new();
        dir.write("/proc/self/mountinfo", "1 0 0:40 / / rw - zfs rpool/ROOT/debian rw,xattr\n");
        let err = walk(&dir, "/var/lib/docker").expect_err("not checked");
        assert!(err.contains("rpool/ROOT/debian") && err.contains("zfs get"), "{err}");
    }

    #[test]
    fn a_path_that_does_not_exist_here_belongs_to_another_namespace() {
        let fact = probe(Path::new("/nonexistent/zerodock/data-root"));
        assert!(fact.get().is_err_and(|r| r.contains("another mount namespace or VM")), "{fact:?}");
    }

    #[test]
    fn this_machine_root_walks() {
        // Whatever the machine, the probe must answer (facts or a reason) and name the path.
        if let Some(root) = probe(Path::new("/")).ok() {
            assert_eq!(root.path, "/");
            assert_eq!(root.mount_point, "/");
            assert!(!root.separate_from_root);
        }
    }

    #[test]
    fn splits_device_numbers_like_glibc() {
        assert_eq!(split_dev(0xfe00), (254, 0));
        assert_eq!(split_dev((259 << 8) | 3), (259, 3));
        assert_eq!(split_dev((4096 << 32) | (256 << 12)), (4096, 256));
    }
}
