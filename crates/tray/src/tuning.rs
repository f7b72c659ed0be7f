//! Process settings that keep the all-day tray small but that the C libraries read only from
//! the environment at process start: the tray re-executes itself once with them set
//! ([`reexec`]), and takes them off again for the dashboard it starts ([`untune`]), which wants
//! the user's environment (WebKit draws with OpenGL).
//!
//! Why the environment: GTK 3 and glibc's allocator read these variables before any code of ours
//! could call them, and their C calls (`mallopt`) would need `unsafe`, which the workspace forbids.
//! Why a re-exec and not a wrapper script: the tray is started by the autostart entry, the app
//! menu, the dashboard and tests alike; one `exec` at the top of `main` covers them all and keeps
//! the pid (what the autostart session and the instance lock see). It costs one more exec and
//! dynamic link at start (milliseconds), once. Measured in `docs/performance.md` (Desktop tray).

use std::ffi::OsString;
use std::os::unix::process::CommandExt;

/// Set on the re-executed tray: the names of the variables it added, comma-separated (so they
/// are never added twice, and are taken off again for the dashboard).
pub const TUNED_ENV: &str = "ZERODOCK_TRAY_TUNED";

/// What the tray sets when the user has not set it.
pub const TUNING: &[(&str, &str)] = &[
    // GTK 3 probes OpenGL to pick its X visuals when it is the first GTK 3 client of a display
    // (later ones read the result from the root window's `GDK_VISUALS`): that loads the GL driver
    // — on a machine without a GPU Mesa's llvmpipe, libLLVM included — for +55 MB resident, in a
    // process that draws a 22 px icon with Cairo. On a plain XEmbed desktop (a window manager and
    // `trayer`, GTK 2) the tray is often that first client. Only the XEmbed fallback starts GTK.
    ("GDK_GL", "disable"),
    // glibc gives threads that allocate their own malloc arena (up to 8 per core), and the pages
    // a thread once used stay resident in it. The tray's threads (history, GTK, D-Bus, blocking
    // engine reads) allocate little and rarely at once: one arena costs no measurable time.
    ("MALLOC_ARENA_MAX", "1"),
    // A fixed threshold: blocks of 128 KiB and more (a serialised report for the dashboard, an
    // engine response) are mapped and returned to the system when freed. glibc otherwise raises
    // the threshold after the first such free, and later big blocks stay in the heap as holes.
    ("MALLOC_MMAP_THRESHOLD_", "131072"),
];

/// Re-executes this process with [`TUNING`] added (each variable only when the user did not set
/// it), unless that was done already. Returns only when there was nothing to do (`None`) or the
/// exec failed (the error; the tray then runs untuned). Call it first in `main`, before any
/// thread or file descriptor exists.
pub fn reexec() -> Option<std::io::Error> {
    if std::env::var_os(TUNED_ENV).is_some() {
        return None;
    }
    let added: Vec<(&str, &str)> =
        TUNING.iter().copied().filter(|(name, _)| std::env::var_os(name).is_none()).collect();
    let exe = std::env::current_exe().ok()?;
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| OsString::from(exe.as_os_str()));
    let names: Vec<&str> = added.iter().map(|(name, _)| *name).collect();
    let error = std::process::Command::new(&exe)
        .arg0(arg0)
        .args(args)
        .envs(added)
        .env(TUNED_ENV, names.join(","))
        .exec();
    Some(error)
}

/// Takes the variables the tray added to itself off `cmd` (the dashboard's environment is the
/// user's).
pub fn untune(cmd: &mut tokio::process::Command) {
    if let Some(added) = std::env::var_os(TUNED_ENV) {
        for name in added.to_string_lossy().split(',').filter(|n| !n.is_empty()) {
            cmd.env_remove(name);
        }
        cmd.env_remove(TUNED_ENV);
    }
}
