//! CTR021 host-devices-exposed.

use crate::checks::prelude::*;
use crate::snapshot::Device;

use super::state_note;

/// Host devices that give raw access to disks, physical or kernel memory, or kernel log/console:
/// writing to one is root on the host (or its data).
const RAW_DEVICE_PREFIXES: [&str; 16] = [
    "/dev/sd",
    "/dev/hd",
    "/dev/vd",
    "/dev/xvd",
    "/dev/nvme",
    "/dev/mmcblk",
    "/dev/dm-",
    "/dev/mapper/",
    "/dev/md",
    "/dev/loop",
    "/dev/disk/",
    "/dev/mem",
    "/dev/kmem",
    "/dev/port",
    "/dev/kmsg",
    "/dev/console",
];

fn is_raw(d: &Device) -> bool {
    let path = d.path_on_host.as_str();
    // Whole-directory passes (`--device /dev`) include every raw device.
    path.trim_end_matches('/') == "/dev" || RAW_DEVICE_PREFIXES.iter().any(|p| path.starts_with(p))
}

fn writable(d: &Device) -> bool {
    // Empty permissions mean Docker's default, `rwm`.
    d.permissions.is_empty() || d.permissions.contains('w')
}

fn describe(d: &Device) -> String {
    let perms = if d.permissions.is_empty() { "rwm" } else { d.permissions.as_str() };
    format!("{} → {} ({perms})", d.path_on_host, d.path_in_container)
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        let note = state_note(c);
        if c.privileged {
            // Under a rootless engine it is the engine user's power, not host root (see CTR001).
            let rootless = rootless_engine(snap);
            let finding = match rootless {
                Some(engine) => Finding::warn(
                    target,
                    format!(
                        "Container `{}` sees every host device of the user running {engine}: it is privileged{note}",
                        c.name
                    ),
                ),
                None => Finding::fail(
                    target,
                    format!("Container `{}` sees every host device: it is privileged{note}", c.name),
                ),
            };
            return finding
                .evidence("HostConfig.Privileged", true, "false (privileged exposes every device)")
                .fixes(container_fixes(
                    c,
                    "--device DEVICE_PATH",
                    "privileged: false\ndevices: []  # only what it needs",
                ));
        }
        if c.devices.is_empty() {
            return Finding::pass(target, format!("Container `{}` is given no host device", c.name))
                .evidence("HostConfig.Devices", "none", "no host devices");
        }
        let raw: Vec<&Device> = c.devices.iter().filter(|d| is_raw(d) && writable(d)).collect();
        let observed = c.devices.iter().map(describe).collect::<Vec<_>>().join(", ");
        let names = c.devices.iter().map(|d| format!("`{}`", d.path_on_host)).collect::<Vec<_>>().join(", ");
        let finding = if raw.is_empty() {
            Finding::warn(target, format!("Container `{}` is given host device {names}{note}", c.name))
        } else {
            let raw_names =
                raw.iter().map(|d| format!("`{}`", d.path_on_host)).collect::<Vec<_>>().join(", ");
            Finding::fail(
                target,
                format!("Container `{}` can write raw host device {raw_names}{note}", c.name),
            )
        };
        let read_only = c
            .devices
            .iter()
            .map(|d| format!("--device {}:{}:r", d.path_on_host, d.path_in_container))
            .collect::<Vec<_>>()
            .join(" ");
        let compose = c
            .devices
            .iter()
            .map(|d| format!("  - \"{}:{}:r\"", d.path_on_host, d.path_in_container))
            .collect::<Vec<_>>()
            .join("\n");
        let mut run = run_fix(c, &read_only);
        run.label = recreate_label(c, "with only the devices it needs, read-only (drop the others)");
        finding.evidence("HostConfig.Devices", observed, "no host devices, or read-only ones it needs").fixes(
            pick_fixes(
                c,
                run,
                compose_fix(c, &format!("devices:  # only what it needs, read-only\n{compose}")),
            ),
        )
    })
}

crate::declare_check! {
    /// A container is given host devices (`--device`); writable raw disks, memory or kernel devices
    /// fail, any other device warns.
    ///
    /// ## Rationale
    /// A device node passed with `--device` bypasses the filesystem isolation entirely: a writable
    /// `/dev/sda` is the host's disk (mount it, edit `/etc/shadow`), `/dev/mem` and `/dev/kmem` are
    /// its memory, `/dev/kmsg` its kernel log. Other devices (GPUs, serial ports, `/dev/fuse`) are
    /// legitimate but widen the kernel surface the container can reach, so they are worth a look.
    /// A privileged container sees every device and fails (CTR001 reports the privilege itself).
    ///
    /// ## Evidence
    /// `HostConfig.Devices[]` (`PathOnHost`, `PathInContainer`, `CgroupPermissions`) and
    /// `HostConfig.Privileged` of every container in every state. Raw devices: `/dev/sd*`, `hd*`,
    /// `vd*`, `xvd*`, `nvme*`, `mmcblk*`, `dm-*`, `mapper/*`, `md*`, `loop*`, `disk/*`, `mem`,
    /// `kmem`, `port`, `kmsg`, `console`, or all of `/dev`; writable when the permissions contain `w`.
    ///
    /// ## Remediation
    /// Recreate the container without the devices it does not need; pass the others read-only
    /// (`--device /dev/xyz:/dev/xyz:r`). Never pass a host disk: share data through a volume. In
    /// Compose, trim `devices:`.
    pub(crate) static CHECK = {
        code: "CTR021",
        slug: "host-devices-exposed",
        title: "Host devices exposed to a container",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.18"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Best practices §4 Limit Privileged Containers"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/container/run/#device"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR021` selects its tests")]
mod CTR021 {
    use super::CHECK;
    use crate::checks::container::container_mut;
    use crate::checks::prelude::*;
    use crate::checks::testing::variant;
    use crate::checks::testing::{findings, fixture, status_of};
    use crate::snapshot::Device;

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-device", "zd-hardened"]);

    #[test]
    fn devices() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-device"), Status::Warn);
        assert_eq!(status_of(&f, "zd-privileged"), Status::Fail);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }

    #[test]
    fn writable_raw_disk_fails() {
        // Variant: zd-device given the host's first disk (`--device /dev/sda`, default `rwm`).
        let snap = variant("default", |s| {
            container_mut(s, "zd-device").devices = vec![Device {
                path_on_host: "/dev/sda".to_owned(),
                path_in_container: "/dev/sda".to_owned(),
                permissions: "rwm".to_owned(),
            }];
        });
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-device"), Status::Fail);
    }
}
