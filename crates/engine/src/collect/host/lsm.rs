//! AppArmor and SELinux state from sysfs, both world-readable (host-detection.md §7).

use std::path::Path;

use super::{io_reason, under};
use crate::snapshot::{Fact, Lsm};

const APPARMOR_ENABLED: &str = "/sys/module/apparmor/parameters/enabled";
const SELINUX_ENFORCE: &str = "/sys/fs/selinux/enforce";

/// Reads both modules' state under `root`.
#[cfg(target_os = "linux")]
pub(super) fn probe(root: &Path) -> Fact<Lsm> {
    let read = |abs: &str| match std::fs::read_to_string(under(root, abs)) {
        Ok(text) => Ok(Some(text.trim().to_owned())),
        // Absent: not built in (AppArmor) or disabled (SELinux).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_reason(Path::new(abs), &e)),
    };
    let apparmor = match read(APPARMOR_ENABLED) {
        Ok(value) => value.map(|v| v.eq_ignore_ascii_case("y")),
        Err(reason) => return Fact::unavailable(reason),
    };
    let selinux = match read(SELINUX_ENFORCE) {
        Ok(value) => value.and_then(|v| match v.as_str() {
            "1" => Some("enforcing".to_owned()),
            "0" => Some("permissive".to_owned()),
            _ => None,
        }),
        Err(reason) => return Fact::unavailable(reason),
    };
    Fact::available(Lsm { apparmor, selinux })
}

/// Linux security modules exist only on Linux.
#[cfg(not(target_os = "linux"))]
pub(super) fn probe(_root: &Path) -> Fact<Lsm> {
    Fact::unavailable("not on this OS: AppArmor and SELinux are Linux security modules")
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::collect::host::testing::TempDir;

    #[test]
    fn absent_modules_are_none() {
        let dir = TempDir::new();
        assert_eq!(probe(dir.path()), Fact::available(Lsm { apparmor: None, selinux: None }));
    }

    #[test]
    fn reads_apparmor_and_selinux() {
        let dir = TempDir::new();
        dir.write(APPARMOR_ENABLED, "Y\n");
        dir.write(SELINUX_ENFORCE, "1");
        assert_eq!(
            probe(dir.path()),
            Fact::available(Lsm { apparmor: Some(true), selinux: Some("enforcing".into()) })
        );
        dir.write(APPARMOR_ENABLED, "N\n");
        dir.write(SELINUX_ENFORCE, "0\n");
        assert_eq!(
            probe(dir.path()),
            Fact::available(Lsm { apparmor: Some(false), selinux: Some("permissive".into()) })
        );
    }
}
