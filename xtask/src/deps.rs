//! `cargo xtask deps`: the system packages the real-Docker tests need, installed idempotently
//! (no `apt-get update` when nothing is missing, so a warm machine pays ~10 ms).

use std::process::Command;

use anyhow::{Result, bail};

use crate::util;

/// Debian packages and the binary that proves each is installed on hosts without dpkg.
///
/// `docker.io` brings dockerd, the CLI, containerd, runc and tini; `iptables` is only a
/// Recommends of it but the default bridge (and `icc=false`) need it; `iproute2` provides `ip`,
/// used to give each private daemon its own bridge; `busybox-static` is the scratch images' root
/// filesystem (nothing can be pulled).
pub const PACKAGES: &[(&str, &str)] =
    &[("docker.io", "dockerd"), ("busybox-static", "busybox"), ("iptables", "iptables"), ("iproute2", "ip")];

fn dpkg_installed(package: &str) -> Option<bool> {
    let out = Command::new("dpkg-query").args(["-W", "-f=${Status}", package]).output().ok()?;
    Some(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
}

/// Packages not installed yet (on a host without dpkg: the packages whose binary is missing).
pub fn missing() -> Vec<&'static str> {
    PACKAGES
        .iter()
        .filter(|(package, binary)| match dpkg_installed(package) {
            Some(installed) => !installed,
            None => util::find_binary(binary, &[]).is_none(),
        })
        .map(|(package, _)| *package)
        .collect()
}

/// Installs whatever is missing; a no-op when everything is there.
pub fn ensure() -> Result<()> {
    let missing = missing();
    if missing.is_empty() {
        eprintln!(
            "    system packages present: {}",
            PACKAGES.iter().map(|p| p.0).collect::<Vec<_>>().join(" ")
        );
        return Ok(());
    }
    let list = missing.join(" ");
    if !util::is_root() {
        bail!("missing system packages: {list}\n    install them as root: sudo apt-get install -y {list}");
    }
    if util::find_binary("apt-get", &[]).is_none() {
        bail!("missing system packages ({list}) and no apt-get on this host: install them by hand");
    }
    eprintln!("    installing: {list}");
    let apt = |args: &[&str]| {
        let mut cmd = Command::new("apt-get");
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        cmd
    };
    util::run(&mut apt(&["-qq", "update"]))?;
    let mut install = apt(&["-qq", "install", "-y", "--no-install-suggests"]);
    install.args(&missing);
    util::run(&mut install)?;
    let still = self::missing();
    if !still.is_empty() {
        bail!("apt-get finished but these are still missing: {}", still.join(" "));
    }
    Ok(())
}
