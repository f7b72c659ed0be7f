//! CTR002 dangerous-capabilities.

use crate::checks::prelude::*;

use super::state_note;

/// Docker's default capability set (moby `oci/caps/defaults.go`): adding one of these is a no-op.
const DEFAULT_CAPS: [&str; 14] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Capabilities with a known path to the host or to other containers: mount and namespace control
/// (SYS_ADMIN), kernel modules, raw I/O and eBPF, tracing other processes, reading any file by inode
/// (DAC_READ_SEARCH, the "shocker" escape), reconfiguring the network stack, and changing or
/// overriding the LSM policy that confines the container (MAC_ADMIN, MAC_OVERRIDE).
const DANGEROUS_CAPS: [&str; 10] = [
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "BPF",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        let note = state_note(c);
        if c.privileged {
            // CTR001 reports the privilege itself; here the effect on capabilities is stated.
            // Under a rootless engine it is the engine user's power, not host root (see CTR001).
            let rootless = rootless_engine(snap);
            let finding = match rootless {
                Some(engine) => Finding::warn(
                    target,
                    format!(
                        "Container `{}` has every capability of the user running {engine}: it is privileged{note}",
                        c.name
                    ),
                ),
                None => Finding::fail(
                    target,
                    format!("Container `{}` has every capability: it is privileged{note}", c.name),
                ),
            };
            return finding
            .evidence("HostConfig.Privileged", true, "false (privileged implies every capability)")
            .fixes(container_fixes(
                c,
                "--cap-drop ALL --cap-add CAP_NAME",
                "privileged: false\ncap_drop: [\"ALL\"]\ncap_add: []  # only what it needs, e.g. [CAP_NAME]",
            ));
        }
        let extra: Vec<&str> =
            c.cap_add.iter().map(String::as_str).filter(|cap| !DEFAULT_CAPS.contains(cap)).collect();
        let dangerous: Vec<&str> = extra.iter().copied().filter(|cap| DANGEROUS_CAPS.contains(cap)).collect();
        let observed = if c.cap_add.is_empty() { "[]".to_owned() } else { c.cap_add.join(", ") };
        if extra.is_empty() {
            return Finding::pass(
                target,
                format!("Container `{}` adds no capability beyond Docker's defaults", c.name),
            )
            .evidence("HostConfig.CapAdd", observed, "none beyond Docker's default set");
        }
        let keep: Vec<&str> = extra.iter().copied().filter(|cap| !DANGEROUS_CAPS.contains(cap)).collect();
        let run_flags = std::iter::once("--cap-drop ALL".to_owned())
            .chain(keep.iter().map(|cap| format!("--cap-add {cap}")))
            .chain(std::iter::once("--cap-add CAP_NAME".to_owned()))
            .collect::<Vec<_>>()
            .join(" ");
        let compose = format!(
            "cap_drop: [\"ALL\"]\ncap_add: [{}]  # was: {}; keep only what it needs",
            keep.iter().map(|cap| format!("\"{cap}\"")).collect::<Vec<_>>().join(", "),
            extra.join(", ")
        );
        let finding = if dangerous.is_empty() {
            Finding::warn(
                target,
                format!("Container `{}` adds capabilities {}{note}", c.name, extra.join(", ")),
            )
        } else {
            Finding::fail(
                target,
                format!("Container `{}` adds dangerous capabilities {}{note}", c.name, dangerous.join(", ")),
            )
        };
        finding
            .evidence("HostConfig.CapAdd", observed, "none beyond Docker's default set")
            .fixes(container_fixes(c, &run_flags, &compose))
    })
}

crate::declare_check! {
    /// A container is given Linux capabilities beyond Docker's default set.
    ///
    /// ## Rationale
    /// Capabilities split root's power into pieces; Docker grants a container 14 of them by default.
    /// Each one added widens what a compromised process can do to the host. Some are a direct way
    /// out: `SYS_ADMIN` allows mounts and most namespace operations, `SYS_MODULE` loads kernel code,
    /// `SYS_RAWIO` and `BPF` reach kernel memory and devices, `SYS_PTRACE` attaches to other
    /// processes, `DAC_READ_SEARCH` opens any host file by handle (the "shocker" escape), `NET_ADMIN`
    /// rewrites the network stack and firewall, `MAC_ADMIN`/`MAC_OVERRIDE` change or bypass the
    /// AppArmor/SELinux policy, and `ALL` is `--privileged` without the devices. Those fail; any other
    /// extra capability warns. A privileged container fails too: it holds every capability (CTR001
    /// reports the privilege itself).
    ///
    /// ## Evidence
    /// `HostConfig.CapAdd` of every container in every state (`docker inspect -f '{{.HostConfig.CapAdd}}'`),
    /// minus Docker's defaults (AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER FSETID KILL MKNOD
    /// NET_BIND_SERVICE NET_RAW SETFCAP SETGID SETPCAP SETUID SYS_CHROOT); `HostConfig.Privileged`.
    ///
    /// ## Remediation
    /// Recreate the container with `--cap-drop ALL` and add back only the capabilities it provably
    /// needs (`--cap-add NET_BIND_SERVICE` for a server on port 80, for instance). In Compose:
    /// `cap_drop: ["ALL"]` and a short `cap_add` list.
    pub(crate) static CHECK = {
        code: "CTR002",
        slug: "dangerous-capabilities",
        title: "Capabilities added beyond Docker's defaults",
        category: Containers,
        severity: High,
        target: Container,
        references: [
            Reference::Cis("5.4"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Best practices §5 Control Container Capabilities"),
            Reference::Url("https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR002` selects its tests")]
mod CTR002 {
    use super::CHECK;
    use crate::checks::container::container_mut;
    use crate::checks::prelude::*;
    use crate::checks::testing::{find, variant};
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-caps", "zd-hardened"]);

    #[test]
    fn added_dangerous_caps_and_privileged_fail() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-caps"), Status::Fail);
        assert!(find(&f, "zd-caps").message.contains("SYS_ADMIN"));
        assert_eq!(status_of(&f, "zd-privileged"), Status::Fail);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }

    #[test]
    fn other_extra_caps_warn_and_default_caps_pass() {
        // Variant: zd-defaults given `--cap-add SYS_NICE` (not in the default set, not an escape).
        let snap =
            variant("default", |s| container_mut(s, "zd-defaults").cap_add = vec!["SYS_NICE".to_owned()]);
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-defaults"), Status::Warn);
        // Variant: zd-defaults given `--cap-add CHOWN` (already a default: a no-op).
        let snap = variant("default", |s| container_mut(s, "zd-defaults").cap_add = vec!["CHOWN".to_owned()]);
        assert_eq!(status_of(&findings(&CHECK, &snap), "zd-defaults"), Status::Pass);
    }
}
