//! Shared plumbing: running commands with readable (and secret-free) errors, phase timing, binary
//! lookup and small process helpers built on `/proc` so the xtask needs no `unsafe`.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Values that must never reach the terminal (the planted fixture secret and its encodings).
static SECRETS: OnceLock<Vec<String>> = OnceLock::new();

/// Registers the values [`redact`] hides; the first call wins (the scenario file is loaded once).
pub fn register_secrets(values: Vec<String>) {
    let _ = SECRETS.set(values.into_iter().filter(|v| !v.is_empty()).collect());
}

/// `text` with every registered secret replaced, so error messages can quote docker's output
/// and our own argument lists (`-e DB_PASSWORD=…`) safely.
pub fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    for secret in SECRETS.get().map(Vec::as_slice).unwrap_or_default() {
        out = out.replace(secret.as_str(), "<redacted>");
    }
    out
}

/// Prints a line on stderr, ignoring a write error: after a SIGHUP the terminal is gone and
/// `eprintln!` would panic in the middle of a teardown that must still run.
pub fn note(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The workspace root (the xtask lives one level below it).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or_else(|| here.to_path_buf())
}

/// The cargo that ran us, so nested builds use the same toolchain.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    lean_ci_build(&mut cmd);
    cmd
}

/// Under CI, builds without incremental state: a fresh clone is built once, so the
/// `target/debug/incremental` cache (GBs for this workspace) is never reused there, and one CI run
/// failed with "No space left on device" in the middle of the test build. A developer's own
/// `CARGO_INCREMENTAL` wins.
pub fn lean_ci_build(cmd: &mut Command) {
    if is_ci() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
        cmd.env("CARGO_INCREMENTAL", "0");
    }
}

/// Whether we run as root (uid 0), read from `/proc/self/status` to avoid libc.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

/// Whether we run under CI, where a missing engine is a failure rather than a skip.
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The first existing path among `candidates`, else `name` found on `PATH`.
pub fn find_binary(name: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Some(p) = candidates.iter().map(PathBuf::from).find(|p| p.is_file()) {
        return Some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A command line rendered for humans, secrets removed.
pub fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    redact(&parts.join(" "))
}

fn tail(bytes: &[u8], lines: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let all: Vec<&str> = text.lines().collect();
    redact(&all[all.len().saturating_sub(lines)..].join("\n"))
}

/// Runs `cmd` capturing its output; a non-zero exit is an error quoting the (redacted) stderr.
pub fn run(cmd: &mut Command) -> Result<Output> {
    let out =
        cmd.stdin(Stdio::null()).output().with_context(|| format!("cannot start `{}`", describe(cmd)))?;
    if !out.status.success() {
        bail!(
            "`{}` failed ({}):\n{}{}",
            describe(cmd),
            out.status,
            tail(&out.stderr, 20),
            if out.stderr.is_empty() { tail(&out.stdout, 20) } else { String::new() }
        );
    }
    Ok(out)
}

/// Runs `cmd` and returns its trimmed stdout.
pub fn run_stdout(cmd: &mut Command) -> Result<String> {
    let out = run(cmd)?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs `cmd` with the terminal attached (cargo's own progress output stays visible).
pub fn run_visible(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("cannot start `{}`", describe(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(cmd));
    }
    Ok(())
}

/// Runs `cmd` quietly with a deadline: `Ok(true)` when it exited successfully in time. A hung
/// client (an unreachable TCP `DOCKER_HOST`) must not hang the pipeline.
pub fn succeeds_within(cmd: &mut Command, limit: Duration) -> bool {
    let Ok(mut child) = cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn() else {
        return false;
    };
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

/// Whether a process exists and is not a zombie.
pub fn pid_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the parenthesised command name, which may itself contain spaces.
        Ok(stat) => stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next()) != Some("Z"),
        Err(_) => false,
    }
}

/// Sends `signal` (e.g. `TERM`, `KILL`) with the `kill` utility; errors are ignored because the
/// process may have exited in between.
pub fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Waits up to `limit` for `pid` to be gone.
pub fn wait_gone(pid: u32, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while pid_alive(pid) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    true
}

/// Every process whose command line mentions a path inside `dir` (our dockerd, its containerd,
/// the shims), except ourselves.
pub fn processes_under(dir: &Path) -> Vec<(u32, String)> {
    let needle = format!("{}/", dir.display());
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        if pid == me {
            continue;
        }
        let Ok(mut file) = std::fs::File::open(entry.path().join("cmdline")) else { continue };
        let mut raw = Vec::new();
        if file.read_to_end(&mut raw).is_err() || raw.is_empty() {
            continue;
        }
        let args: Vec<String> =
            raw.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        if args.iter().any(|a| a.contains(&needle)) {
            found.push((pid, args.join(" ")));
        }
    }
    found
}

/// Mount points at or below `dir`, deepest first (the order to unmount them in).
pub fn mounts_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else { return Vec::new() };
    let mut found: Vec<PathBuf> = info
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(|p| PathBuf::from(unescape_mountinfo(p)))
        .filter(|p| p.starts_with(dir))
        .collect();
    found.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    found.dedup();
    found
}

/// Decodes the octal escapes (`\040` for a space) the kernel uses in `/proc/*/mountinfo`.
pub fn unescape_mountinfo(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 4 <= bytes.len()
            && bytes[i + 1..i + 4].iter().all(|b| (b'0'..=b'7').contains(b))
        {
            let code = (bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0');
            out.push(code);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 (with padding), enough for a Docker `auths` entry without another dependency.
pub fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Writes `contents` to `path` and sets its permission bits (umask would otherwise decide).
pub fn write_with_mode(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot chmod {}", path.display()))
}

/// Sets a path's permission bits.
pub fn chmod(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot chmod {}", path.display()))
}

/// Whether `haystack` contains `needle` as bytes.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Bytes free to this user on the filesystem holding `path`, from `df -Pk` (no libc, no `unsafe`);
/// `None` when `df` cannot tell.
pub fn free_bytes(path: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    if !out.status.success() {
        return None;
    }
    // POSIX format: a header line, then "fs 1024-blocks used available capacity mount".
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: u64 = text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kib * 1024)
}

/// Phase timing: each phase announces itself, and [`Phases::summary`] prints the table at the end.
#[derive(Default)]
pub struct Phases {
    done: Vec<(String, Duration, bool)>,
}

impl Phases {
    /// Runs one named phase, printing its duration whether it succeeds or fails.
    pub fn run<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        note(format_args!("==> {name}"));
        let start = Instant::now();
        let result = f();
        let took = start.elapsed();
        let ok = result.is_ok();
        note(format_args!("    {name}: {} in {:.1}s", if ok { "ok" } else { "FAILED" }, took.as_secs_f64()));
        self.done.push((name.to_owned(), took, ok));
        result
    }

    /// Prints every phase's duration and the total.
    pub fn summary(&self) {
        let total: Duration = self.done.iter().map(|(_, d, _)| *d).sum();
        note(format_args!("--- timings ---"));
        for (name, took, ok) in &self.done {
            note(format_args!("{:>8.1}s  {name}{}", took.as_secs_f64(), if *ok { "" } else { "  (failed)" }));
        }
        note(format_args!("{:>8.1}s  total", total.as_secs_f64()));
    }
}

/// `OsStr` helper for building argument lists from paths.
pub fn os(path: &Path) -> &OsStr {
    path.as_os_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"ci:secret"), "Y2k6c2VjcmV0");
    }

    #[test]
    fn mountinfo_escapes_decode() {
        assert_eq!(unescape_mountinfo(r"/tmp/a\040b"), "/tmp/a b");
        assert_eq!(unescape_mountinfo("/plain"), "/plain");
        assert_eq!(unescape_mountinfo(r"/x\0"), r"/x\0");
    }
}
