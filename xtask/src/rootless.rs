//! Engines other than a rootful dockerd, for real: Podman's Docker-compatible API service (as root,
//! with all its state in a private directory), rootless Podman and rootless dockerd (RootlessKit),
//! both as a dedicated unprivileged user.
//!
//! Leaving the machine as found: every engine runs inside a private mount namespace (`unshare -m
//! --propagation private`) where
//! - `/dev/shm` is a fresh tmpfs (Podman's lock segment `libpod_lock` lives there) and `/var/lib`
//!   an overlay whose writes land in the engine's directory (Podman's blob-info cache goes to
//!   `/var/lib/containers/cache` whatever `--root` says);
//! - for the rootless ones, `/etc/passwd`, `/etc/group`, `/etc/subuid` and `/etc/subgid` are
//!   bind-mounted copies that add the user [`USER`] ([`UID`]) and its subordinate range: newuidmap
//!   (setuid root, run by RootlessKit and Podman) reads them there, so the host's files and users
//!   are never written. The mounts vanish with the namespace's last process.
//!
//! Networking adds no host device: rootless engines use slirp4netns inside their own network
//! namespace; the rootful Podman's containers use `--network none` or `host` (its default
//! network would create a CNI bridge and iptables rules on the host).
//!
//! Teardown: containers removed through the API, then every process of [`UID`] or of the
//! subordinate range killed (no other process can have those ids: [`start`] refuses if one does),
//! Podman's processes found by the directory in their arguments killed, the cgroups rootful
//! Podman made (`libpod_parent/libpod-<id>`) removed, the directory removed.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::dockerd::DockerCli;
use crate::scenario::Scenarios;
use crate::util;

/// The dedicated user of the rootless engines: it exists only inside their mount namespace.
pub const USER: &str = "zd-rootless";
/// The first uid (and gid) of those users, unused on the host ([`start`] checks): rootless Podman
/// gets it, rootless dockerd the next, so both can run side by side and each teardown kills only
/// its own processes.
pub const UID: u32 = 60_123;
/// The subordinate ids (`/etc/subuid` in the namespace) start here, one range per engine: far from
/// the ranges `useradd` hands out (100000 up), which userns-remap's `dockremap` may hold on the host.
pub const SUBID_START: u32 = 1_610_000_000;
/// Size of each subordinate range.
pub const SUBID_COUNT: u32 = 65_536;

/// The engines this module runs, as `capture-fixtures --daemon` names them.
pub const ENGINES: &[&str] = &["podman", "podman-rootless", "rootless"];

/// Which engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `podman system service` as root, state under the engine's directory.
    Podman,
    /// `podman system service` as [`USER`], its default socket `$XDG_RUNTIME_DIR/podman/podman.sock`.
    PodmanRootless,
    /// `dockerd-rootless.sh` (RootlessKit + slirp4netns) as [`USER`], socket `$XDG_RUNTIME_DIR/docker.sock`.
    RootlessDockerd,
}

impl Kind {
    /// The kind an engine name stands for.
    pub fn of(name: &str) -> Option<Kind> {
        match name {
            "podman" => Some(Kind::Podman),
            "podman-rootless" => Some(Kind::PodmanRootless),
            "rootless" => Some(Kind::RootlessDockerd),
            _ => None,
        }
    }

    fn rootless(self) -> bool {
        self != Kind::Podman
    }

    /// The uid and the first subordinate id of this engine's user.
    fn ids(self) -> (u32, u32) {
        match self {
            Kind::RootlessDockerd => (UID + 1, SUBID_START + SUBID_COUNT),
            _ => (UID, SUBID_START),
        }
    }
}

/// A running engine; stopped, with everything it made, by [`Engine::stop`] or on drop.
#[derive(Debug)]
pub struct Engine {
    name: String,
    kind: Kind,
    dir: PathBuf,
    pid: u32,
    child: Option<std::process::Child>,
    running: bool,
    _lock: File,
}

/// Where everything of `name` lives.
pub fn dir_of(name: &str) -> PathBuf {
    crate::dockerd::base_dir().join(name)
}

/// Starts `name` (one of [`ENGINES`]) fresh and waits until its socket answers.
pub fn start(name: &str) -> Result<Engine> {
    let kind = Kind::of(name).with_context(|| format!("`{name}` is not one of {ENGINES:?}"))?;
    if !util::is_root() {
        bail!("starting {name} needs root (a private mount namespace, and the dedicated user's id maps)");
    }
    let dir = dir_of(name);
    let lock = crate::dockerd::lock_dir(&dir)?;
    kill_leftovers(kind, &dir);
    crate::dockerd::remove_dir(&dir)?;
    if kind.rootless() {
        let (uid, subid) = kind.ids();
        if let Some(line) = util::run_stdout(Command::new("getent").args(["passwd", &uid.to_string()])).ok()
            && !line.is_empty()
        {
            bail!(
                "uid {uid} belongs to a user of this machine ({line}): the rootless engines need it unused"
            );
        }
        let strays = processes_of_ids(kind);
        if !strays.is_empty() {
            bail!("processes run with uid {uid} or in {subid}+{SUBID_COUNT} already: {strays:?}");
        }
    }
    std::fs::create_dir_all(&dir)?;
    util::chmod(&dir, 0o755)?;
    let home = dir.join("home");
    let runtime = dir.join("run");
    for d in [&home, &runtime, &dir.join("etc"), &dir.join("var-lib/upper"), &dir.join("var-lib/work")] {
        std::fs::create_dir_all(d)?;
    }
    let mut mounts = vec![
        "mount -t tmpfs -o mode=1777 zd-shm /dev/shm".to_owned(),
        // /var/lib as it is, but what Podman writes there (/var/lib/containers/cache) lands in
        // our directory.
        format!(
            "mount -t overlay zd-var-lib -o lowerdir=/var/lib,upperdir={0}/var-lib/upper,workdir={0}/var-lib/work /var/lib",
            dir.display()
        ),
    ];
    let launch = match kind {
        Kind::Podman => {
            // No CAP_SYS_RESOURCE on some machines (this CI's VM): Podman's default rlimits
            // (nofile 1048576) could not be set, so its containers get modest ones.
            std::fs::write(
                dir.join("containers.conf"),
                "[containers]\ndefault_ulimits = [\"nofile=4096:4096\", \"nproc=4096:4096\"]\n",
            )?;
            format!(
                "CONTAINERS_CONF={dir}/containers.conf exec podman --root {dir}/storage --runroot {dir}/runroot \
                 --tmpdir {dir}/tmp --network-config-dir {dir}/net --cgroup-manager cgroupfs --events-backend file \
                 system service --time=0 unix://{dir}/podman.sock",
                dir = dir.display()
            )
        }
        Kind::PodmanRootless | Kind::RootlessDockerd => {
            write_identity_files(&dir, kind)?;
            for file in ["passwd", "group", "subuid", "subgid"] {
                mounts.push(format!("mount --bind {} /etc/{file}", dir.join("etc").join(file).display()));
            }
            let config = home.join(".config");
            if kind == Kind::PodmanRootless {
                std::fs::create_dir_all(config.join("containers"))?;
                // No systemd here: cgroupfs, events in a file.
                std::fs::write(
                    config.join("containers/containers.conf"),
                    "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n",
                )?;
            } else {
                // A rootless daemon's configuration lives in the user's home, owned by the user.
                std::fs::create_dir_all(config.join("docker"))?;
                std::fs::write(config.join("docker/daemon.json"), "{\n  \"log-level\": \"info\"\n}\n")?;
            }
            chown_tree(&home, kind.ids().0)?;
            chown_tree(&runtime, kind.ids().0)?;
            util::chmod(&runtime, 0o700)?;
            let contrib = "/usr/share/docker.io/contrib";
            let program = match kind {
                Kind::PodmanRootless => "podman system service --time=0".to_owned(),
                _ => util::find_binary("dockerd-rootless.sh", &[&format!("{contrib}/dockerd-rootless.sh")])
                    .context("no dockerd-rootless.sh (Debian's docker.io ships it in /usr/share/docker.io/contrib)")?
                    .display()
                    .to_string(),
            };
            format!(
                "exec setpriv --reuid={uid} --regid={uid} --clear-groups env -i HOME={home} USER={USER} \
                 XDG_RUNTIME_DIR={runtime} XDG_CONFIG_HOME={home}/.config DBUS_SESSION_BUS_ADDRESS=disabled: \
                 PATH={contrib}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin {program}",
                uid = kind.ids().0,
                home = home.display(),
                runtime = runtime.display(),
            )
        }
    };
    let script = format!("set -e\n{}\ncd /\n{launch}\n", mounts.join("\n"));
    let log = File::create(dir.join("engine.log"))?;
    let mut cmd = Command::new("unshare");
    cmd.args(["-m", "--propagation", "private", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .process_group(0);
    let child = cmd.spawn().context("cannot run unshare (util-linux)")?;
    let mut engine = Engine {
        name: name.to_owned(),
        kind,
        dir,
        pid: child.id(),
        child: Some(child),
        running: true,
        _lock: lock,
    };
    if let Err(e) = engine.wait_ready(Duration::from_secs(60)) {
        let log = engine.log_tail(25);
        let _ = engine.stop_inner();
        return Err(e.context(format!("{name} did not come up; its log ends with:\n{log}")));
    }
    Ok(engine)
}

impl Engine {
    /// The engine's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The socket.
    pub fn socket(&self) -> PathBuf {
        socket_of(self.kind, &self.dir)
    }

    /// `unix://…`.
    pub fn host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    /// The user's `$XDG_RUNTIME_DIR` (rootless engines), for endpoint discovery.
    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.join("run")
    }

    /// A docker CLI for it (through the Docker API, as a user's tools would go).
    pub fn cli(&self) -> Result<DockerCli> {
        let config = self.dir.join("cli");
        std::fs::create_dir_all(&config)?;
        DockerCli::new(&self.host(), Some(config))
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<()> {
        let cli = self.cli()?;
        let deadline = Instant::now() + limit;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("{} exited early ({status})", self.name);
            }
            if self.socket().exists() && cli.ping(Duration::from_secs(5)) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!("no answer on {} after {}s", self.host(), limit.as_secs());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The last lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(self.dir.join("engine.log")).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        util::redact(&all[all.len().saturating_sub(lines)..].join("\n"))
    }

    /// The scratch image and the containers the fixtures and the live test judge, created
    /// through the Docker API with the docker CLI: a privileged one, one as root with nothing
    /// limited, a hardened one, and (rootful Podman) one on the host's network.
    pub fn populate(&self, sc: &Scenarios) -> Result<()> {
        let cli = self.cli()?;
        let work = self.dir.join("build");
        std::fs::create_dir_all(&work)?;
        sc.build_scratch(&cli, &work)?;
        let image = sc.scratch.tag.as_str();
        // Rootful Podman's default network is a CNI bridge on the host: none instead. The rootless
        // engines' networks live in their own namespace.
        let net: &[&str] = if self.kind == Kind::Podman { &["--network", "none"] } else { &[] };
        let run = |name: &str, args: &[&str]| -> Result<()> {
            let mut cmd = cli.cmd(["run", "-d", "--name", name]);
            cmd.args(net).args(args).arg(image);
            util::run(&mut cmd).with_context(|| format!("{}: container {name}", self.name))?;
            Ok(())
        };
        run("zd-root", &[])?;
        run(
            "zd-hardened",
            &[
                "--read-only",
                "--cap-drop",
                "ALL",
                "--security-opt",
                "no-new-privileges",
                "--user",
                "1000:1000",
                "--memory",
                "64m",
                "--pids-limit",
                "64",
                "--cpus",
                "0.5",
                "--restart",
                "on-failure:3",
            ],
        )?;
        // `--privileged`: under a rootless engine it is the user's power, not host root.
        if self.kind == Kind::Podman {
            // runc cannot start a privileged container on this machine kind (no CAP_SYS_RESOURCE
            // for its rlimits, as with dockerd): created, which the checks judge alike.
            let mut cmd = cli.cmd(["create", "--name", "zd-privileged", "--privileged"]);
            cmd.args(net).arg(image);
            util::run(&mut cmd).context("container zd-privileged")?;
            let mut cmd = cli.cmd(["run", "-d", "--name", "zd-hostnet", "--network", "host", image]);
            util::run(&mut cmd).context("container zd-hostnet")?;
        } else {
            run("zd-privileged", &["--privileged"])?;
        }
        Ok(())
    }

    /// Leaves the engine running after we exit (`scenario up`); `scenario down` ([`stop_dir`])
    /// stops it.
    pub fn keep_running(mut self) {
        self.running = false;
        self.child = None;
    }

    /// Stops the engine and removes every trace (the directory too).
    pub fn stop(mut self) -> Result<()> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<()> {
        if !self.running {
            return Ok(());
        }
        self.running = false;
        if let Ok(cli) = self.cli()
            && cli.ping(Duration::from_secs(3))
            && let Ok(ids) = cli.run(["ps", "-aq"])
            && !ids.is_empty()
        {
            let mut rm = cli.cmd(["rm", "-f"]);
            rm.args(ids.split_whitespace());
            let _ = util::run(&mut rm);
        }
        util::signal(self.pid, "TERM");
        if let Some(child) = self.child.as_mut() {
            let deadline = Instant::now() + Duration::from_secs(20);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            if child.try_wait().ok().flatten().is_none() {
                util::signal(self.pid, "KILL");
                let _ = child.wait();
            }
        }
        kill_leftovers(self.kind, &self.dir);
        let left: Vec<u32> = util::processes_under(&self.dir).into_iter().map(|p| p.0).collect();
        let ids = if self.kind.rootless() { processes_of_ids(self.kind) } else { Vec::new() };
        if !left.is_empty() || !ids.is_empty() {
            bail!("{}: processes left after teardown: {left:?} {ids:?}", self.name);
        }
        crate::dockerd::remove_dir(&self.dir)?;
        Ok(())
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if self.running
            && let Err(e) = self.stop_inner()
        {
            util::note(format_args!("warning: stopping {}: {e:#}", self.name));
        }
    }
}

/// Stops the engine `name` that a `scenario up` left running (or an aborted run left behind) and
/// removes its directory; nothing to do when none runs.
pub fn stop_dir(name: &str) -> Result<()> {
    let kind = Kind::of(name).with_context(|| format!("`{name}` is not one of {ENGINES:?}"))?;
    let dir = dir_of(name);
    let _lock = crate::dockerd::lock_dir(&dir)?;
    if let Ok(cli) =
        DockerCli::new(&format!("unix://{}", socket_of(kind, &dir).display()), Some(dir.join("cli")))
        && cli.ping(Duration::from_secs(3))
        && let Ok(ids) = cli.run(["ps", "-aq"])
        && !ids.is_empty()
    {
        let mut rm = cli.cmd(["rm", "-f"]);
        rm.args(ids.split_whitespace());
        let _ = util::run(&mut rm);
    }
    kill_leftovers(kind, &dir);
    crate::dockerd::remove_dir(&dir)
}

fn socket_of(kind: Kind, dir: &Path) -> PathBuf {
    match kind {
        Kind::Podman => dir.join("podman.sock"),
        Kind::PodmanRootless => dir.join("run/podman/podman.sock"),
        Kind::RootlessDockerd => dir.join("run/docker.sock"),
    }
}

/// Kills what a run (this one or an aborted earlier one) left: the rootless user's processes,
/// Podman's (conmon names the directory), then removes rootful Podman's cgroups.
fn kill_leftovers(kind: Kind, dir: &Path) {
    for _ in 0..3 {
        let mut pids: Vec<u32> = util::processes_under(dir).into_iter().map(|p| p.0).collect();
        if kind.rootless() {
            pids.extend(processes_of_ids(kind));
        }
        if pids.is_empty() {
            break;
        }
        for pid in &pids {
            util::signal(*pid, "KILL");
        }
        for pid in &pids {
            util::wait_gone(*pid, Duration::from_secs(5));
        }
    }
    if kind == Kind::Podman {
        remove_podman_cgroups(dir);
    }
}

/// Processes (zombies aside) whose real uid is the engine user's or in its subordinate range
/// (container processes of a rootless engine).
fn processes_of_ids(kind: Kind) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let (user, subid) = kind.ids();
    let ours = |uid: u32| uid == user || (subid..subid + SUBID_COUNT).contains(&uid);
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            // A zombie runs nothing and holds nothing; its parent (init here) reaps it.
            let zombie = status.lines().any(|l| l.starts_with("State:") && l.contains("Z"));
            !zombie
                && status
                    .lines()
                    .find_map(|l| l.strip_prefix("Uid:"))
                    .and_then(|v| v.split_whitespace().next()?.parse::<u32>().ok())
                    .is_some_and(ours)
        })
        .collect()
}

/// The cgroups rootful Podman (cgroupfs manager) makes for the containers of `dir`:
/// `<controller>/libpod_parent/libpod-<id>` and `libpod-conmon-<id>`, `libpod_parent/conmon`,
/// `libpod_parent` itself, each once empty. Container processes still in them are killed first.
fn remove_podman_cgroups(dir: &Path) {
    let ids: Vec<String> = std::fs::read_dir(dir.join("storage/overlay-containers"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|id| id.len() == 64)
        .collect();
    let Ok(controllers) = std::fs::read_dir("/sys/fs/cgroup") else { return };
    let mut parents: Vec<PathBuf> = controllers.flatten().map(|c| c.path().join("libpod_parent")).collect();
    parents.push(PathBuf::from("/sys/fs/cgroup/libpod_parent"));
    for parent in parents.iter().filter(|p| p.is_dir()) {
        for id in &ids {
            for name in [format!("libpod-{id}"), format!("libpod-conmon-{id}")] {
                let cgroup = parent.join(&name);
                if !cgroup.is_dir() {
                    continue;
                }
                for pid in std::fs::read_to_string(cgroup.join("cgroup.procs")).unwrap_or_default().lines() {
                    if let Ok(pid) = pid.trim().parse::<u32>() {
                        util::signal(pid, "KILL");
                        util::wait_gone(pid, Duration::from_secs(5));
                    }
                }
            }
        }
        // Empty cgroups only (rmdir refuses a busy one), deepest first: Podman removes a
        // container's own when it removes the container, but leaves `libpod_parent/conmon` and
        // `libpod_parent` itself.
        let _ = Command::new("find")
            .arg(parent)
            .args(["-depth", "-type", "d", "-exec", "rmdir", "{}", ";"])
            .stderr(Stdio::null())
            .status();
    }
}

/// The namespace's `/etc/passwd`, `/etc/group` (the host's plus [`USER`]) and `/etc/subuid`,
/// `/etc/subgid` (only [`USER`]'s range), under `<dir>/etc`.
fn write_identity_files(dir: &Path, kind: Kind) -> Result<()> {
    let (uid, subid) = kind.ids();
    let etc = dir.join("etc");
    let home = dir.join("home");
    let mut passwd = std::fs::read_to_string("/etc/passwd").context("cannot read /etc/passwd")?;
    passwd.push_str(&format!("{USER}:x:{uid}:{uid}:ZeroDock rootless tests:{}:/bin/sh\n", home.display()));
    let mut group = std::fs::read_to_string("/etc/group").context("cannot read /etc/group")?;
    group.push_str(&format!("{USER}:x:{uid}:\n"));
    let subids = format!("{USER}:{subid}:{SUBID_COUNT}\n");
    for (name, text) in [("passwd", passwd), ("group", group), ("subuid", subids.clone()), ("subgid", subids)]
    {
        util::write_with_mode(&etc.join(name), text.as_bytes(), 0o644)?;
    }
    Ok(())
}

fn chown_tree(path: &Path, uid: u32) -> Result<()> {
    util::run(Command::new("chown").arg("-R").arg(format!("{uid}:{uid}")).arg(path))?;
    Ok(())
}
