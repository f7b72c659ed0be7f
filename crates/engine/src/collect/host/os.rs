//! The operating system, kernel, CPU architecture and host name, from sysinfo.

use sysinfo::System;

use crate::snapshot::{Fact, HostOs};

/// Reads the OS facts; unavailable only when sysinfo knows neither the OS nor the kernel.
pub(super) fn probe() -> Fact<HostOs> {
    let (name, kernel) = match (System::name(), System::kernel_version()) {
        (Err(e), Err(_)) => {
            return Fact::unavailable(format!("the operating system could not be identified: {e}"));
        }
        (name, kernel) => (name.unwrap_or_default(), kernel.unwrap_or_default()),
    };
    Fact::available(HostOs {
        family: std::env::consts::OS.to_owned(),
        name,
        version: System::os_version().unwrap_or_default(),
        kernel,
        arch: System::cpu_arch(),
        hostname: System::host_name().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_machine_has_an_os() {
        let os = probe();
        let os = os.get().expect("sysinfo supports the test platform");
        assert_eq!(os.family, std::env::consts::OS);
        assert!(!os.kernel.is_empty());
        assert!(!os.arch.is_empty());
    }
}
