//! Private dockerd instances: each with all its state under one directory (data root, exec root,
//! pidfile, socket, log), its own Linux bridge, and a teardown that leaves nothing behind
//! (containers killed, stray containerd/shim processes killed, mounts unmounted, bridge deleted).
//!
//! Why an own bridge: the default `bridge` network is backed by one Linux bridge device and
//! `docker0` can belong to one daemon only. `--bridge none` (what the early recipes used) removes
//! the default network, but checks need a real one (icc, host_binding_ipv4). So the xtask creates
//! `zd-<name>` with a distinct /24 and starts dockerd with `--bridge zd-<name>`: each daemon gets
//! a real default bridge network with iptables NAT and isolation, and several coexist (verified
//! with two daemons side by side, one with userns-remap and icc=false).

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::util;

/// The default parent of private daemon directories (override with `ZERODOCK_TEST_DIR`).
pub const DEFAULT_BASE_DIR: &str = "/tmp/zerodock-test";

/// The parent of all private daemon directories.
pub fn base_dir() -> PathBuf {
    std::env::var_os("ZERODOCK_TEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_BASE_DIR))
}

/// The docker CLI: `/usr/local/bin/docker` (a newer client, when present) or the distribution's.
pub fn docker_binary() -> Result<PathBuf> {
    util::find_binary("docker", &["/usr/local/bin/docker", "/usr/bin/docker"])
        .context("no `docker` client found (run `cargo xtask deps`)")
}

/// A docker CLI bound to one endpoint, isolated from the user's own client configuration.
#[derive(Debug, Clone)]
pub struct DockerCli {
    bin: PathBuf,
    host: String,
    config_dir: Option<PathBuf>,
}

impl DockerCli {
    /// A client for `host` (`unix:///…`, `tcp://…`); `config_dir` isolates it from `~/.docker`.
    pub fn new(host: &str, config_dir: Option<PathBuf>) -> Result<Self> {
        Ok(DockerCli { bin: docker_binary()?, host: host.to_owned(), config_dir })
    }

    /// The endpoint.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// A `docker` command for this endpoint.
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new(&self.bin);
        cmd.env("DOCKER_HOST", &self.host)
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH");
        if let Some(dir) = &self.config_dir {
            cmd.env("DOCKER_CONFIG", dir);
        }
        cmd.args(args);
        cmd
    }

    /// Runs a docker command and returns its trimmed stdout.
    pub fn run<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        util::run_stdout(&mut self.cmd(args))
    }

    /// Whether `/_ping` (via `docker version`) answers within `limit`.
    pub fn ping(&self, limit: Duration) -> bool {
        util::succeeds_within(&mut self.cmd(["version", "--format", "{{.Server.APIVersion}}"]), limit)
    }
}

/// How to start one private daemon.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// A short name, used in messages.
    pub name: String,
    /// Everything of this daemon lives here; wiped at start.
    pub dir: PathBuf,
    /// Our own bridge device and its address (`10.213.1.1/24`), or none (`--bridge` left default).
    pub bridge: Option<(String, String)>,
    /// Extra dockerd arguments.
    pub args: Vec<String>,
    /// A `--config-file` to write first: contents and permission bits.
    pub config_file: Option<(String, u32)>,
    /// Permission bits to give the unix socket once it answers (`0o666` for the insecure case).
    pub socket_mode: Option<u32>,
    /// Keep running after the xtask exits (`scenario up`): no stop on drop.
    pub detach: bool,
    /// Its own process group, so a Ctrl-C in our terminal does not reach it directly: a detached
    /// daemon must survive it, the demo's is stopped by the xtask in order.
    pub own_group: bool,
    /// Keep the data-root of a previous run (a restart: same containers and images).
    pub keep_data: bool,
}

/// A running private dockerd; stopped (with full cleanup) on [`Dockerd::stop`] or on drop.
#[derive(Debug)]
pub struct Dockerd {
    name: String,
    dir: PathBuf,
    bridge: Option<String>,
    pid: u32,
    child: Option<Child>,
    running: bool,
    /// Held while we own the daemon: a concurrent `cargo xtask test` waits instead of wiping it.
    _lock: File,
}

impl Dockerd {
    /// The unix socket of a daemon directory.
    pub fn socket_of(dir: &Path) -> PathBuf {
        dir.join("docker.sock")
    }

    /// Starts a fresh daemon: kills what a previous aborted run left under the same directory,
    /// wipes it, creates the bridge, starts dockerd and waits until it answers.
    pub fn start(cfg: &Config) -> Result<Dockerd> {
        check_dir(&cfg.dir)?;
        let lock = lock_dir(&cfg.dir)?;
        cleanup(&cfg.dir, cfg.bridge.as_ref().map(|b| b.0.as_str()));
        if !cfg.keep_data {
            remove_dir(&cfg.dir)?;
        }
        std::fs::create_dir_all(&cfg.dir).with_context(|| format!("cannot create {}", cfg.dir.display()))?;
        util::chmod(&cfg.dir, 0o755)?;
        std::fs::create_dir_all(cfg.dir.join("cli"))?;

        let dockerd = util::find_binary("dockerd", &["/usr/sbin/dockerd", "/usr/bin/dockerd"])
            .context("no dockerd found (run `cargo xtask deps`)")?;
        let socket = Self::socket_of(&cfg.dir);
        let mut cmd = Command::new(dockerd);
        cmd.arg("--data-root")
            .arg(cfg.dir.join("data"))
            .arg("--exec-root")
            .arg(cfg.dir.join("exec"))
            .arg("--pidfile")
            .arg(cfg.dir.join("dockerd.pid"))
            .arg("-H")
            .arg(format!("unix://{}", socket.display()));
        if let Some((name, cidr)) = &cfg.bridge {
            create_bridge(name, cidr)?;
            cmd.arg("--bridge").arg(name);
        }
        if let Some((contents, mode)) = &cfg.config_file {
            let path = cfg.dir.join("daemon.json");
            util::write_with_mode(&path, contents.as_bytes(), *mode)?;
            cmd.arg("--config-file").arg(path);
        }
        cmd.args(&cfg.args);
        let log = File::create(cfg.dir.join("dockerd.log"))?;
        cmd.stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log);
        if cfg.own_group || cfg.detach {
            // Out of our process group: a Ctrl-C in the terminal that ran `scenario up` later
            // must not take the daemon down with it.
            cmd.process_group(0);
        }
        let described = util::describe(&cmd);
        let child = cmd.spawn().with_context(|| format!("cannot start `{described}`"))?;
        let mut daemon = Dockerd {
            name: cfg.name.clone(),
            dir: cfg.dir.clone(),
            bridge: cfg.bridge.as_ref().map(|b| b.0.clone()),
            pid: child.id(),
            child: Some(child),
            running: true,
            _lock: lock,
        };
        if let Err(e) = daemon.wait_ready(Duration::from_secs(60)) {
            let log = daemon.log_tail(25);
            let _ = daemon.stop_inner();
            return Err(
                e.context(format!("dockerd `{}` did not come up; its log ends with:\n{log}", cfg.name))
            );
        }
        if let Some(mode) = cfg.socket_mode {
            util::chmod(&socket, mode)?;
        }
        if cfg.detach {
            // Nothing to reap later: the daemon outlives us and init adopts it.
            daemon.child = None;
        }
        Ok(daemon)
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<()> {
        let cli = self.cli()?;
        let deadline = Instant::now() + limit;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("dockerd exited early ({status})");
            }
            if Self::socket_of(&self.dir).exists() && cli.ping(Duration::from_secs(5)) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!("no answer on {} after {}s", cli.host(), limit.as_secs());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The daemon's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The daemon's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `unix://…/docker.sock`.
    pub fn host(&self) -> String {
        format!("unix://{}", Self::socket_of(&self.dir).display())
    }

    /// A CLI for this daemon, with a private empty client configuration.
    pub fn cli(&self) -> Result<DockerCli> {
        DockerCli::new(&self.host(), Some(self.dir.join("cli")))
    }

    /// The last lines of the daemon's log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        util::redact(&all[all.len().saturating_sub(lines)..].join("\n"))
    }

    /// Leaves the daemon running after we exit (for `scenario up`).
    pub fn keep_running(mut self) {
        self.running = false;
    }

    /// Stops the daemon and removes every trace except its directory (kept for the log).
    pub fn stop(mut self) -> Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<()> {
        if !self.running {
            return Ok(());
        }
        self.running = false;
        stop_daemon(&self.dir, Some(self.pid), self.child.as_mut(), self.bridge.as_deref())
    }
}

impl Drop for Dockerd {
    fn drop(&mut self) {
        if self.running
            && let Err(e) = self.stop_inner()
        {
            util::note(format_args!("warning: stopping dockerd `{}`: {e:#}", self.name));
        }
    }
}

/// Stops whatever daemon runs under `dir` (ours, or one a previous `scenario up` left), then
/// cleans up. Safe to call when nothing runs.
pub fn stop_dir(dir: &Path, bridge: Option<&str>) -> Result<()> {
    check_dir(dir)?;
    let _lock = lock_dir(dir)?;
    let pid =
        std::fs::read_to_string(dir.join("dockerd.pid")).ok().and_then(|p| p.trim().parse::<u32>().ok());
    stop_daemon(dir, pid, None, bridge)
}

fn stop_daemon(dir: &Path, pid: Option<u32>, child: Option<&mut Child>, bridge: Option<&str>) -> Result<()> {
    let pid = pid.filter(|p| util::pid_alive(*p));
    if pid.is_some() {
        // Kill the containers first: with live-restore they would outlive dockerd, and a
        // `sleep` as PID 1 ignores SIGTERM, which would cost the 10 s stop timeout each.
        if let Ok(cli) =
            DockerCli::new(&format!("unix://{}", Dockerd::socket_of(dir).display()), Some(dir.join("cli")))
            && cli.ping(Duration::from_secs(3))
        {
            // Networks the tests created since `populate` must be cleaned up too.
            let _ = record_network_bridges(dir, &cli);
            if let Ok(ids) = cli.run(["ps", "-q"])
                && !ids.is_empty()
            {
                let mut kill = cli.cmd(["kill"]);
                kill.args(ids.split_whitespace());
                let _ = util::run(&mut kill);
            }
        }
    }
    if let Some(pid) = pid {
        util::signal(pid, "TERM");
        let gone = match child {
            Some(child) => wait_child(child, Duration::from_secs(30)),
            None => util::wait_gone(pid, Duration::from_secs(30)),
        };
        if !gone {
            util::note(format_args!("warning: dockerd {pid} ignored SIGTERM for 30s; killing it"));
            util::signal(pid, "KILL");
            util::wait_gone(pid, Duration::from_secs(5));
        }
    }
    cleanup(dir, bridge);
    let left = util::processes_under(dir);
    let mounts = util::mounts_under(dir);
    if !left.is_empty() || !mounts.is_empty() {
        bail!(
            "cleanup of {} incomplete: processes {:?}, mounts {:?}",
            dir.display(),
            left.iter().map(|p| p.0).collect::<Vec<_>>(),
            mounts
        );
    }
    Ok(())
}

fn wait_child(child: &mut Child, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Ok(None) => return false,
        }
    }
}

/// Takes the exclusive lock of a daemon directory (`<dir>.lock`, beside it because the directory
/// itself is wiped), waiting while another xtask holds it. The kernel drops an flock when its
/// holder exits, so a crashed run never leaves a stale lock; a detached `scenario up` daemon is
/// not protected (it is meant to be replaced by the next run).
pub fn lock_dir(dir: &Path) -> Result<File> {
    let path = dir.with_extension("lock");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            util::note(format_args!(
                "    {} is in use by another xtask run; waiting for it to finish",
                dir.display()
            ));
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(file)
}

/// Refuses directories where a wipe or a kill-by-path could hit something that isn't ours.
fn check_dir(dir: &Path) -> Result<()> {
    if !dir.is_absolute() || dir.components().count() < 3 {
        bail!(
            "refusing to manage a daemon in {} (need an absolute path at least two levels deep)",
            dir.display()
        );
    }
    Ok(())
}

/// Kills every process still referring to `dir` (dockerd, containerd, shims), the container
/// processes of its containers, unmounts what is mounted below it and deletes its bridge.
/// Best effort: problems are reported by the caller's final check.
pub fn cleanup(dir: &Path, bridge: Option<&str>) {
    for (pid, cmdline) in util::processes_under(dir) {
        util::note(format_args!(
            "    killing leftover {pid}: {}",
            util::redact(&cmdline.chars().take(120).collect::<String>())
        ));
        util::signal(pid, "KILL");
    }
    let cgroups = container_cgroups(dir);
    for cgroup in &cgroups {
        for pid in std::fs::read_to_string(cgroup.join("cgroup.procs")).unwrap_or_default().lines() {
            if let Ok(pid) = pid.trim().parse::<u32>() {
                util::signal(pid, "KILL");
            }
        }
    }
    for (pid, _) in util::processes_under(dir) {
        util::wait_gone(pid, Duration::from_secs(5));
    }
    for mount in util::mounts_under(dir) {
        let ok = Command::new("umount").arg(&mount).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&mount).stderr(Stdio::null()).status();
        }
    }
    for cgroup in cgroups {
        // Empty once its processes are gone; dockerd normally removes it itself.
        let _ = std::fs::remove_dir(cgroup);
    }
    // dockerd leaves its bridges and their iptables rules behind when it stops; a user-defined
    // network gets a new `br-<id>` and a new 172.x subnet every run, so without this the
    // address pools would run dry after a dozen runs.
    let mut bridges = recorded_bridges(dir);
    bridges.extend(bridge.map(str::to_owned));
    delete_iptables_rules(&bridges);
    for bridge in &bridges {
        delete_bridge(bridge);
    }
}

/// Where the bridge devices of a daemon's user-defined networks are recorded (one per line).
const BRIDGES_FILE: &str = "bridges";

/// Records the bridge devices of the daemon's user-defined bridge networks, so cleanup can
/// remove them even after the daemon died.
pub fn record_network_bridges(dir: &Path, cli: &DockerCli) -> Result<()> {
    let ids = cli.run([
        "network",
        "ls",
        "--no-trunc",
        "--filter",
        "driver=bridge",
        "--format",
        "{{.ID}} {{.Name}}",
    ])?;
    let mut bridges = recorded_bridges(dir);
    for (id, name) in ids.lines().filter_map(|l| l.split_once(' ')) {
        if name == "bridge" {
            continue; // the default network: our own zd-* device, deleted by name
        }
        let custom = cli.run([
            "network",
            "inspect",
            "--format",
            r#"{{index .Options "com.docker.network.bridge.name"}}"#,
            id,
        ]);
        let device = match custom {
            Ok(custom) if !custom.is_empty() && custom != "<no value>" => custom,
            _ => format!("br-{}", &id[..id.len().min(12)]),
        };
        if !bridges.contains(&device) {
            bridges.push(device);
        }
    }
    std::fs::write(dir.join(BRIDGES_FILE), bridges.join("\n"))?;
    Ok(())
}

/// Adds bridge devices a caller created networks with (their names set by the
/// `com.docker.network.bridge.name` option) to the record teardown deletes.
pub fn add_recorded_bridges(dir: &Path, devices: &[String]) -> Result<()> {
    let mut bridges = recorded_bridges(dir);
    for device in devices {
        if !bridges.contains(device) {
            bridges.push(device.clone());
        }
    }
    std::fs::write(dir.join(BRIDGES_FILE), bridges.join("\n"))?;
    Ok(())
}

fn recorded_bridges(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(BRIDGES_FILE))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && l.len() <= 15 && !l.contains(char::is_whitespace))
        .map(str::to_owned)
        .collect()
}

/// Deletes the filter and nat rules that name one of `devices` as input or output interface.
fn delete_iptables_rules(devices: &[String]) {
    if devices.is_empty() {
        return;
    }
    for table in ["filter", "nat"] {
        let Ok(out) = Command::new("iptables").args(["-t", table, "-S"]).stderr(Stdio::null()).output()
        else {
            return;
        };
        for rule in String::from_utf8_lossy(&out.stdout).lines() {
            let words: Vec<&str> = rule.split_whitespace().collect();
            let ours =
                words.windows(2).any(|w| (w[0] == "-i" || w[0] == "-o") && devices.iter().any(|d| d == w[1]));
            // Quoted arguments (comments) would need a shell-like split; docker's rules have none.
            if words.first() == Some(&"-A") && ours && !rule.contains('"') {
                let _ = Command::new("iptables")
                    .args(["-t", table, "-D"])
                    .args(&words[1..])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
        }
    }
}

/// The cgroup directories of the containers recorded under `dir` (cgroup v1 controllers and the
/// v2 unified tree, cgroupfs driver: `…/docker/<id>`).
fn container_cgroups(dir: &Path) -> Vec<PathBuf> {
    let data = dir.join("data");
    let mut container_dirs = vec![data.join("containers")];
    // With userns-remap the state moves to data/<uid>.<gid>/.
    if let Ok(entries) = std::fs::read_dir(&data) {
        container_dirs.extend(entries.flatten().map(|e| e.path().join("containers")));
    }
    let ids: Vec<String> = container_dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flat_map(|entries| entries.flatten().filter_map(|e| e.file_name().to_str().map(str::to_owned)))
        .filter(|id| id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect();
    if ids.is_empty() {
        return Vec::new();
    }
    let root = Path::new("/sys/fs/cgroup");
    let mut roots = vec![root.join("docker")];
    if let Ok(entries) = std::fs::read_dir(root) {
        roots.extend(entries.flatten().map(|e| e.path().join("docker")));
    }
    roots
        .iter()
        .flat_map(|r| ids.iter().map(move |id| r.join(id)))
        .filter(|p| p.join("cgroup.procs").exists())
        .collect()
}

fn create_bridge(name: &str, cidr: &str) -> Result<()> {
    delete_bridge(name);
    util::run(Command::new("ip").args(["link", "add", name, "type", "bridge"]))?;
    util::run(Command::new("ip").args(["addr", "add", cidr, "dev", name]))?;
    util::run(Command::new("ip").args(["link", "set", name, "up"]))?;
    Ok(())
}

fn delete_bridge(name: &str) {
    if Path::new("/sys/class/net").join(name).exists() {
        let _ = Command::new("ip").args(["link", "del", name]).stderr(Stdio::null()).status();
    }
}

/// Removes a daemon directory without crossing into other filesystems (a mount we failed to
/// undo, such as `/:/host` through an overlay, must never be descended into).
pub fn remove_dir(dir: &Path) -> Result<()> {
    check_dir(dir)?;
    if !dir.exists() {
        return Ok(());
    }
    util::run(Command::new("rm").arg("-rf").arg("--one-file-system").arg(util::os(dir)))?;
    Ok(())
}
