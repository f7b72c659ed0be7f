//! HST008 no-linux-security-module.

use serde_json::Value;

use crate::checks::daemon::setting_fix;
use crate::checks::prelude::*;

use super::in_scope;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = match in_scope(snap) {
        Ok(t) => t,
        Err(na) => return vec![*na],
    };
    if let Some(os) = snap.host.os.ok().filter(|o| !o.family.is_empty() && o.family != "linux") {
        return vec![Finding::not_applicable(
            target,
            format!(
                "this host runs {}: the engine runs in Docker Desktop's Linux VM, which applies its own profiles",
                os.family
            ),
        )];
    }
    let lsm = match snap.host.lsm.get() {
        Ok(l) => l,
        Err(reason) => {
            return vec![Finding::unknown(
                target,
                format!("the Linux security modules could not be examined: {reason}"),
            )];
        }
    };
    let daemon_uses = |name: &str| snap.info().ok().map(|i| i.security_option(name).is_some());
    let apparmor = lsm.apparmor == Some(true);
    let selinux = lsm.selinux.as_deref();
    let observed = format!(
        "AppArmor {}; SELinux {}",
        match lsm.apparmor {
            Some(true) => "enabled",
            Some(false) => "disabled",
            None => "absent",
        },
        selinux.unwrap_or("disabled")
    );
    let field = "/sys/module/apparmor/parameters/enabled, /sys/fs/selinux/enforce";
    let expected = "AppArmor enabled or SELinux enforcing, applied by dockerd";
    let finding = if apparmor {
        match daemon_uses("apparmor") {
            Some(false) => Finding::warn(target, "AppArmor is enabled on the host, but dockerd does not apply it (no `name=apparmor` in SecurityOptions)")
                .evidence("GET /info SecurityOptions", "no name=apparmor", "name=apparmor"),
            _ => Finding::pass(target, "AppArmor confines containers (docker-default profile)"),
        }
    } else if selinux == Some("enforcing") {
        match daemon_uses("selinux") {
            Some(false) => Finding::warn(target, "SELinux is enforcing, but dockerd runs without `selinux-enabled`: containers are not labelled or confined")
                .evidence("GET /info SecurityOptions", "no name=selinux", "name=selinux")
                .fixes(setting_fix(snap, "selinux-enabled", "selinux-enabled", Value::Bool(true))),
            _ => Finding::pass(target, "SELinux is enforcing and confines containers"),
        }
    } else if selinux == Some("permissive") {
        Finding::warn(target, "SELinux is permissive: it logs policy violations but blocks nothing").fix(
            SnippetKind::Shell,
            "Enforce SELinux now and at boot",
            "sudo setenforce 1\nsudo sed -i 's/^SELINUX=.*/SELINUX=enforcing/' /etc/selinux/config",
        )
    } else {
        Finding::fail(target, "No Linux security module confines containers: neither AppArmor nor SELinux is active")
            .fix(
                SnippetKind::Shell,
                "Debian/Ubuntu: enable AppArmor (then restart Docker so it loads docker-default)",
                "sudo apt-get install apparmor apparmor-utils\n\
                 # ensure the kernel command line has: apparmor=1 security=apparmor (GRUB_CMDLINE_LINUX in /etc/default/grub)\n\
                 sudo update-grub && sudo reboot",
            )
            .fix(
                SnippetKind::Shell,
                "Fedora/RHEL: enforce SELinux and let dockerd label containers",
                "sudo sed -i 's/^SELINUX=.*/SELINUX=enforcing/' /etc/selinux/config && sudo touch /.autorelabel && sudo reboot\n\
                 # then add \"selinux-enabled\": true to /etc/docker/daemon.json and restart docker",
            )
    };
    vec![finding.evidence(field, observed, expected)]
}

crate::declare_check! {
    /// Neither AppArmor nor SELinux confines containers on this host.
    ///
    /// ## Rationale
    /// A Linux security module is the mandatory-access-control layer under containers: Docker's
    /// `docker-default` AppArmor profile or SELinux's `container_t` type deny writes to `/proc` and
    /// `/sys`, mounts, and access to host files even when a container runs as root or a namespace
    /// is misconfigured. Without one, isolation rests on namespaces, capabilities and seccomp alone.
    /// Zero Trust least privilege names AppArmor/SELinux explicitly. Permissive SELinux only logs.
    /// This is a property of the host, hence CIS 1.2.1 (a hardened host); CIS 5.2 and 5.3 ask for
    /// an AppArmor profile or SELinux options per container (CTR010), which need this first.
    ///
    /// ## Evidence
    /// `/sys/module/apparmor/parameters/enabled` (`Y`) and `/sys/fs/selinux/enforce` (`1` enforcing,
    /// `0` permissive), world-readable; `GET /info` → `SecurityOptions` (`name=apparmor`,
    /// `name=selinux`) shows whether dockerd applies them.
    ///
    /// ## Remediation
    /// Debian/Ubuntu: install and enable AppArmor (`apparmor=1 security=apparmor` on the kernel
    /// command line), then restart Docker. Fedora/RHEL: `SELINUX=enforcing` in
    /// `/etc/selinux/config` and `"selinux-enabled": true` in daemon.json.
    pub(crate) static CHECK = {
        code: "HST008",
        slug: "no-linux-security-module",
        title: "No Linux security module (AppArmor/SELinux)",
        category: Host,
        severity: Medium,
        target: Host,
        references: [
            Reference::Cis("1.2.1"),
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust: Principle of least privilege"),
            Reference::Seed("Best practices §3 Secure Docker Hosts"),
            Reference::Url("https://docs.docker.com/engine/security/apparmor/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST008` selects its tests")]
mod HST008 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn capture_machine_has_no_lsm() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert_eq!(f[0].evidence[0].observed, "AppArmor absent; SELinux disabled");
    }

    #[test]
    fn apparmor_passes_only_when_dockerd_applies_it() {
        // Mutation: AppArmor enabled on the host, and dockerd reports `name=apparmor`.
        let snap = variant("hardened", |s| {
            s.host.lsm.ok_mut().expect("captured").apparmor = Some(true);
            s.engine
                .ok_mut()
                .expect("captured")
                .info
                .ok_mut()
                .expect("captured")
                .security_options
                .push("name=apparmor".into());
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Pass);
        // Mutation: AppArmor enabled on the host but not reported by dockerd.
        let snap = variant("hardened", |s| s.host.lsm.ok_mut().expect("captured").apparmor = Some(true));
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Warn);
        // Mutation: SELinux permissive.
        let snap = variant("hardened", |s| {
            s.host.lsm.ok_mut().expect("captured").selinux = Some("permissive".into())
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Warn);
    }
}
