//! `cargo xtask deps`: the system packages the real-Docker tests, the desktop app and its GUI
//! tests need, installed idempotently
//! (no `apt-get update` when nothing is missing, so a warm machine pays a few milliseconds).
//!
//! Requirements are checked by what the tests run, not by package name: a machine with Docker
//! from docker.com (`docker-ce`, as on hosted CI runners) already satisfies "dockerd", and
//! installing `docker.io` there would conflict with `containerd.io`.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

use crate::util;

/// One requirement: the Debian package that provides it and how to tell it is satisfied.
struct Requirement {
    package: &'static str,
    satisfied: fn() -> bool,
}

/// `docker.io` brings dockerd, the CLI, containerd, runc and tini; `busybox-static` is the
/// scratch images' root filesystem (nothing can be pulled, and a dynamic busybox would not run in
/// an empty image); `iptables` is only a Recommends of docker.io but the default bridge (and
/// `icc=false`) need it; `iproute2` provides `ip`, used to give each private daemon its own bridge.
///
/// The desktop app (Tauri 2 on Linux) links GTK 3 and WebKitGTK 4.1 and dlopens the Ayatana
/// AppIndicator library for its tray; its e2e test drives the real app through `WebKitWebDriver`
/// under `xvfb-run` inside `dbus-run-session`; fantoccini (the WebDriver client) links OpenSSL;
/// PDFs are checked with poppler's `pdftotext`/`pdftoppm`; the UI and the HTML report are tested
/// in Debian's Chromium; the e2e test types a path into the native save dialog with `xdotool`;
/// the UI is built with Node.js/npm (present on this machine kind; the
/// Debian package is the fallback).
const REQUIREMENTS: &[Requirement] = &[
    Requirement { package: "docker.io", satisfied: || has("dockerd") && has("docker") },
    Requirement { package: "busybox-static", satisfied: static_busybox_present },
    Requirement { package: "iptables", satisfied: || has("iptables") },
    Requirement { package: "iproute2", satisfied: || has("ip") },
    Requirement { package: "pkg-config", satisfied: || has("pkg-config") },
    Requirement { package: "libwebkit2gtk-4.1-dev", satisfied: || pkg_config("webkit2gtk-4.1") },
    Requirement { package: "libgtk-3-dev", satisfied: || pkg_config("gtk+-3.0") },
    Requirement {
        package: "libayatana-appindicator3-dev",
        satisfied: || pkg_config("ayatana-appindicator3-0.1"),
    },
    Requirement { package: "librsvg2-dev", satisfied: || pkg_config("librsvg-2.0") },
    Requirement { package: "libssl-dev", satisfied: || pkg_config("openssl") },
    Requirement { package: "xvfb", satisfied: || has("xvfb-run") && has("Xvfb") },
    Requirement { package: "xauth", satisfied: || has("xauth") },
    Requirement { package: "webkit2gtk-driver", satisfied: || has("WebKitWebDriver") },
    Requirement { package: "dbus", satisfied: || has("dbus-run-session") },
    Requirement { package: "dbus-x11", satisfied: || has("dbus-launch") },
    Requirement { package: "xdotool", satisfied: || has("xdotool") },
    // The XEmbed-only tray host of crates/tray/tests/tray_e2e.rs (the tray's fallback path).
    Requirement { package: "trayer", satisfied: || has("trayer") },
    Requirement { package: "poppler-utils", satisfied: || has("pdftotext") && has("pdftoppm") },
    // ssh:// engines (tests/ssh_live.rs): the client ZeroDock runs, and a private sshd on 127.0.0.1
    // with its own config in a temp dir (the package's own service is not used by the test).
    Requirement { package: "openssh-client", satisfied: || has("ssh") && has("ssh-keygen") },
    Requirement { package: "openssh-server", satisfied: || Path::new("/usr/sbin/sshd").exists() },
    Requirement { package: "chromium", satisfied: || Path::new("/usr/bin/chromium").exists() },
    Requirement { package: "nodejs", satisfied: || has("node") },
    Requirement { package: "npm", satisfied: || has("npm") },
    // The RPM version-ordering oracle of crates/vuln/tests/version_oracle.rs (`rpm.vercmp`).
    Requirement { package: "rpm", satisfied: || has("rpm") },
    // The keyring tests of crates/store and tests/trust_cli.rs: libdbus for the Secret Service
    // store, a real Secret Service (gnome-keyring) and keyutils' `keyctl session -`.
    Requirement { package: "libdbus-1-dev", satisfied: || pkg_config("dbus-1") },
    Requirement { package: "gnome-keyring", satisfied: || has("gnome-keyring-daemon") },
    Requirement { package: "keyutils", satisfied: || has("keyctl") },
    Requirement { package: "libsecret-tools", satisfied: || has("secret-tool") },
    // `promtool check`/`test rules` over deploy/ and the live scrape test of tests/metrics_live.rs.
    Requirement { package: "prometheus", satisfied: || has("prometheus") && has("promtool") },
    // Podman's Docker-compatible API (tests/podman_live.rs, the podman fixtures) and rootless
    // dockerd (docker.io's dockerd-rootless.sh runs RootlessKit with slirp4netns; newuidmap from
    // uidmap maps the dedicated user's ids): xtask/src/rootless.rs.
    Requirement { package: "podman", satisfied: || has("podman") },
    Requirement { package: "rootlesskit", satisfied: || has("rootlesskit") },
    Requirement { package: "slirp4netns", satisfied: || has("slirp4netns") },
    Requirement { package: "uidmap", satisfied: || has("newuidmap") && has("newgidmap") },
    // A real Compose (Debian's 1.29, the v1 that labels `config_files` relative to `working_dir`)
    // for tests/compose_live.rs: Compose's labels and the offending key's line, tried for real.
    Requirement { package: "docker-compose", satisfied: || has("docker-compose") },
];

fn pkg_config(module: &str) -> bool {
    Command::new("pkg-config").args(["--exists", module]).status().is_ok_and(|s| s.success())
}

fn has(binary: &str) -> bool {
    util::find_binary(binary, &[]).is_some()
}

fn static_busybox_present() -> bool {
    util::find_binary("busybox", &["/bin/busybox", "/usr/bin/busybox"]).is_some_and(|p| is_static_elf(&p))
}

/// Whether an ELF64 little-endian executable has no program interpreter (`PT_INTERP`).
fn is_static_elf(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else { return false };
    let u16_at = |o: usize| bytes.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    let u32_at = |o: usize| bytes.get(o..o + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let u64_at =
        |o: usize| bytes.get(o..o + 8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(u64::from_le_bytes);
    // Magic, 64-bit class, little endian: anything else is not what busybox-static ships here.
    if bytes.get(0..6) != Some(&[0x7f, b'E', b'L', b'F', 2, 1][..]) {
        return false;
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38)) else {
        return false;
    };
    let Ok(phoff) = usize::try_from(phoff) else { return false };
    const PT_INTERP: u32 = 3;
    (0..phnum).all(|i| u32_at(phoff + i * phentsize).is_some_and(|t| t != PT_INTERP))
}

/// Packages whose requirement is not satisfied yet.
pub fn missing() -> Vec<&'static str> {
    REQUIREMENTS.iter().filter(|r| !(r.satisfied)()).map(|r| r.package).collect()
}

/// Installs whatever is missing; a no-op when everything is there.
pub fn ensure() -> Result<()> {
    let missing = missing();
    if missing.is_empty() {
        eprintln!(
            "    present: every system package (docker, GTK/WebKit, Xvfb, WebKitWebDriver, chromium, poppler, node)"
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
        bail!("apt-get finished but these requirements are still unmet: {}", still.join(" "));
    }
    if missing.contains(&"openssh-server") {
        keep_sshd_off();
    }
    Ok(())
}

/// The tests only need the `sshd` binary (tests/ssh_live.rs runs a private one on 127.0.0.1), but on
/// a systemd machine the package also starts and enables the system's sshd on port 22: a test
/// command must not open a machine to the network, so the service we caused is stopped and disabled.
fn keep_sshd_off() {
    if !Path::new("/run/systemd/system").exists() || util::find_binary("systemctl", &[]).is_none() {
        return; // no systemd (containers, CI): the package started nothing
    }
    let status = Command::new("systemctl").args(["disable", "--now", "ssh.service", "ssh.socket"]).status();
    match status {
        Ok(s) if s.success() => eprintln!(
            "    openssh-server: installed for the tests only; its system service is stopped and disabled"
        ),
        _ => eprintln!(
            "    warning: openssh-server was installed for the tests; stop its system service yourself if you do not want it: systemctl disable --now ssh"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dynamic_executable_is_not_static() {
        // The test binary itself is dynamically linked against glibc.
        let me = std::env::current_exe().expect("current exe");
        assert!(!is_static_elf(&me));
        assert!(!is_static_elf(Path::new("/nonexistent")));
    }
}
