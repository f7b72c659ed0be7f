//! The scenario library: loads `xtask/scenarios.toml` (the one definition of the private
//! daemons, images, networks and containers) and materialises it on a private dockerd. It holds
//! the one builder of the busybox scratch image ([`Scenarios::build_scratch`]): the scenario
//! daemons, `cargo xtask test` (for whichever engine it tests against) and the benchmarks all get
//! the image from here, and the end-to-end tests only name it (read from the same file).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail, ensure};
use serde::Deserialize;

use crate::dockerd::{self, DockerCli, Dockerd};
use crate::util;

/// The scenario file, compiled in so `cargo xtask` rebuilds whenever it changes.
pub const SCENARIOS_TOML: &str = include_str!("../scenarios.toml");

/// The whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenarios {
    /// The fake secret planted everywhere a secret can hide.
    pub planted_secret: String,
    /// The busybox scratch image every daemon gets first.
    pub scratch: ScratchSpec,
    /// Private daemons.
    pub daemon: Vec<DaemonSpec>,
    /// Images, built in order (later ones may build FROM earlier ones).
    #[serde(default)]
    pub image: Vec<ImageSpec>,
    /// User-defined networks.
    #[serde(default)]
    pub network: Vec<NetworkSpec>,
    /// Containers, created in order.
    #[serde(default)]
    pub container: Vec<ContainerSpec>,
}

/// One private daemon.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaemonSpec {
    /// Name; also the directory name under the base dir.
    pub name: String,
    /// The Linux bridge the xtask creates for this daemon's default `bridge` network.
    pub bridge: Option<String>,
    /// The bridge's address (`10.213.1.1/24`).
    pub bridge_cidr: Option<String>,
    /// Extra dockerd arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Permission bits for the unix socket once it answers.
    pub socket_mode: Option<u32>,
    /// The daemon's `--config-file`.
    pub config_file: Option<FileSpec>,
    /// `config.json` of the client directory exported as `DOCKER_CONFIG`.
    pub client_config: Option<FileSpec>,
    /// Tags removed after everything is built.
    #[serde(default)]
    pub untag: Vec<String>,
    /// Tags moved after the containers exist: tag (key) now names this image (value), so a
    /// container created from the tag runs an image the tag no longer names.
    #[serde(default)]
    pub retag: BTreeMap<String, String>,
    /// Extra placeholders for this daemon.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// A directory of OSV records (relative to the workspace) that `capture-fixtures` packs into an
    /// `all.zip` and imports into `{dir}/vulndb.sqlite` before collecting.
    pub vulndb_records: Option<String>,
    /// Extra `zerodock collect` arguments when capturing this daemon's fixture (placeholders
    /// allowed).
    #[serde(default)]
    pub capture_args: Vec<String>,
    /// `docker` commands run once the daemon answers, before images and networks (placeholders
    /// allowed; each an argument list), e.g. `swarm init` for the swarm fixture.
    #[serde(default)]
    pub setup: Vec<Vec<String>>,
}

/// A file to write: contents (with placeholders) and permission bits.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Permission bits.
    pub mode: u32,
    /// Contents, placeholders allowed.
    pub content: String,
}

/// The scratch image: a root filesystem of busybox-static imported with `docker import`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScratchSpec {
    /// `name:tag`; `{scratch}` elsewhere in the file.
    pub tag: String,
    /// The image's CMD.
    pub cmd: Vec<String>,
    /// Links to `/bin/busybox` in `/bin`.
    pub applets: Vec<String>,
    /// Empty directories at the root.
    #[serde(default)]
    pub dirs: Vec<String>,
}

/// One image after the scratch image: exactly one of `tag_of`, `dockerfile`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSpec {
    /// `name:tag`.
    pub tag: String,
    /// Daemons that get it.
    pub daemons: Vec<String>,
    /// Another tag of an existing image (placeholders allowed: `{scratch}`).
    pub tag_of: Option<String>,
    /// A Dockerfile built with the legacy builder (no BuildKit on this engine kind).
    pub dockerfile: Option<String>,
    /// Files of the build context.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

/// One user-defined network.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Name.
    pub name: String,
    /// Daemons that get it.
    pub daemons: Vec<String>,
    /// `docker network create` arguments.
    #[serde(default)]
    pub args: Vec<String>,
}

/// What a container is left as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// `docker create`, never started.
    Created,
    /// `docker run -d`.
    #[default]
    Running,
    /// Started, then stopped.
    Exited,
}

impl State {
    fn docker_status(self) -> &'static str {
        match self {
            State::Created => "created",
            State::Running => "running",
            State::Exited => "exited",
        }
    }
}

/// One container.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerSpec {
    /// Name (fixed: tests refer to it).
    pub name: String,
    /// Daemons that get it.
    pub daemons: Vec<String>,
    /// What it is left as.
    #[serde(default)]
    pub state: State,
    /// Image (placeholders allowed); the scratch image when absent.
    pub image: Option<String>,
    /// `docker create/run` arguments before the image.
    #[serde(default)]
    pub args: Vec<String>,
    /// Command after the image.
    #[serde(default)]
    pub cmd: Vec<String>,
    /// A directory under the daemon dir made a shared mount first.
    pub shared_dir: Option<String>,
    /// `docker exec -d` sessions left running in it once it runs.
    #[serde(default)]
    pub exec: Vec<ExecSpec>,
}

/// A detached `docker exec` session.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecSpec {
    /// `docker exec` options before the container (`-d` is added).
    #[serde(default)]
    pub args: Vec<String>,
    /// The command.
    pub cmd: Vec<String>,
}

/// A daemon brought up with its scenarios; the env lines tell clients how to reach it.
pub struct Running {
    /// The daemon.
    pub daemon: Dockerd,
    /// `DOCKER_HOST` value.
    pub host: String,
    /// `DOCKER_CONFIG` directory, when the daemon defines a client configuration.
    pub docker_config: Option<PathBuf>,
}

impl Running {
    /// `DOCKER_HOST=… DOCKER_CONFIG=…`, ready for `env $(…)`.
    pub fn env_line(&self) -> String {
        match &self.docker_config {
            Some(dir) => format!("DOCKER_HOST={} DOCKER_CONFIG={}", self.host, dir.display()),
            None => format!("DOCKER_HOST={}", self.host),
        }
    }
}

impl Scenarios {
    /// Parses and validates the compiled-in scenario file, and registers its secrets for
    /// redaction.
    pub fn load() -> Result<Scenarios> {
        let sc: Scenarios = toml::from_str(SCENARIOS_TOML).context("xtask/scenarios.toml is invalid")?;
        sc.validate()?;
        util::register_secrets(sc.secrets());
        Ok(sc)
    }

    /// Every form of the planted secret that must appear nowhere in an output.
    pub fn secrets(&self) -> Vec<String> {
        vec![self.planted_secret.clone(), self.registry_auth()]
    }

    fn registry_auth(&self) -> String {
        util::base64(format!("ci:{}", self.planted_secret).as_bytes())
    }

    fn validate(&self) -> Result<()> {
        ensure!(self.planted_secret.len() >= 16, "planted_secret is too short to grep for reliably");
        let daemons: BTreeSet<&str> = self.daemon.iter().map(|d| d.name.as_str()).collect();
        ensure!(daemons.len() == self.daemon.len(), "duplicate daemon names");
        for d in &self.daemon {
            ensure!(
                d.bridge.is_some() == d.bridge_cidr.is_some(),
                "daemon {}: bridge needs bridge_cidr",
                d.name
            );
            if let Some(b) = &d.bridge {
                ensure!(b.len() <= 15, "daemon {}: bridge name `{b}` longer than IFNAMSIZ", d.name);
            }
        }
        let mut seen = BTreeSet::new();
        let all_daemons = self
            .image
            .iter()
            .map(|i| (format!("image {}", i.tag), &i.daemons))
            .chain(self.network.iter().map(|n| (format!("network {}", n.name), &n.daemons)))
            .chain(self.container.iter().map(|c| (format!("container {}", c.name), &c.daemons)));
        for (what, on) in all_daemons {
            ensure!(seen.insert(what.clone()), "{what} is defined twice");
            for d in on {
                ensure!(daemons.contains(d.as_str()), "{what}: unknown daemon `{d}`");
            }
        }
        for i in &self.image {
            ensure!(
                i.tag_of.is_some() != i.dockerfile.is_some(),
                "image {}: exactly one of tag_of, dockerfile",
                i.tag
            );
            ensure!(i.tag != self.scratch.tag, "image {}: the scratch image is defined by [scratch]", i.tag);
        }
        ensure!(
            self.scratch.applets.iter().any(|a| a == "sleep"),
            "[scratch]: the containers' CMD needs `sleep`"
        );
        for name in self.scratch.applets.iter().chain(&self.scratch.dirs) {
            ensure!(
                !name.is_empty() && !name.contains('/') && !name.starts_with('.'),
                "[scratch]: `{name}` must be a plain name"
            );
        }
        Ok(())
    }

    /// The names of all daemons.
    pub fn daemon_names(&self) -> Vec<&str> {
        self.daemon.iter().map(|d| d.name.as_str()).collect()
    }

    /// One daemon's definition.
    pub fn daemon(&self, name: &str) -> Result<&DaemonSpec> {
        self.daemon.iter().find(|d| d.name == name).with_context(|| {
            format!("no daemon `{name}` in xtask/scenarios.toml (known: {})", self.daemon_names().join(", "))
        })
    }

    /// The tags of the images daemon `name` gets: the scratch image first, then the file's.
    pub fn images_on(&self, name: &str) -> Vec<String> {
        std::iter::once(self.scratch.tag.clone())
            .chain(self.image.iter().filter(|i| i.daemons.iter().any(|d| d == name)).map(|i| i.tag.clone()))
            .collect()
    }

    /// One container's definition.
    pub fn container(&self, name: &str) -> Result<&ContainerSpec> {
        self.container
            .iter()
            .find(|c| c.name == name)
            .with_context(|| format!("no container `{name}` in xtask/scenarios.toml"))
    }

    /// What follows `docker run -d --name N` for container `name` (its arguments, image and
    /// command) on an engine that is none of the file's daemons: `{socket}` is `socket` there, and
    /// a placeholder only a scenario daemon can fill is an error.
    pub fn run_args_elsewhere(&self, name: &str, socket: &Path) -> Result<Vec<String>> {
        let c = self.container(name)?;
        let fill = |text: &str| -> Result<String> {
            let out = text
                .replace("{socket}", &socket.display().to_string())
                .replace("{secret}", &self.planted_secret)
                .replace("{scratch}", &self.scratch.tag);
            ensure!(!out.contains('{'), "container {name}: `{text}` needs a scenario daemon");
            Ok(out)
        };
        let mut args = c.args.iter().map(|a| fill(a)).collect::<Result<Vec<_>>>()?;
        refuse_missing_bind_sources(name, &args)?;
        args.push(c.image.as_deref().map_or_else(|| Ok(self.scratch.tag.clone()), fill)?);
        for a in &c.cmd {
            args.push(fill(a)?);
        }
        Ok(args)
    }

    fn image_of(&self, spec: &DaemonSpec, c: &ContainerSpec) -> String {
        c.image.as_deref().map_or_else(|| self.scratch.tag.clone(), |i| self.subst(spec, i))
    }

    /// The directory of a daemon.
    pub fn dir_of(name: &str) -> PathBuf {
        dockerd::base_dir().join(name)
    }

    /// `text` with the placeholders of daemon `spec` replaced.
    pub fn subst(&self, spec: &DaemonSpec, text: &str) -> String {
        let dir = Self::dir_of(&spec.name);
        let mut out = text
            .replace("{dir}", &dir.display().to_string())
            .replace("{socket}", &Dockerd::socket_of(&dir).display().to_string())
            .replace("{secret}", &self.planted_secret)
            .replace("{registry_auth}", &self.registry_auth())
            .replace("{scratch}", &self.scratch.tag);
        for (key, value) in &spec.vars {
            out = out.replace(&format!("{{{key}}}"), value);
        }
        out
    }

    /// The host paths the file's containers bind-mount, outside the daemons' own directories
    /// (`/`, `/etc`): what the end-of-test host check watches besides Docker's own places.
    pub fn host_bind_sources(&self) -> Vec<PathBuf> {
        let base = dockerd::base_dir();
        let mut out = BTreeSet::new();
        for c in &self.container {
            for spec in self.daemon.iter().filter(|d| c.daemons.contains(&d.name)) {
                let args: Vec<String> = c.args.iter().map(|a| self.subst(spec, a)).collect();
                out.extend(
                    bind_sources(&args).into_iter().map(PathBuf::from).filter(|p| !p.starts_with(&base)),
                );
            }
        }
        out.into_iter().collect()
    }

    /// Starts a daemon as defined (a fresh one: a previous one in the same directory is stopped
    /// and wiped) and writes its client configuration.
    pub fn start(&self, name: &str, detach: bool) -> Result<Running> {
        self.start_in_group(name, detach, detach)
    }

    /// [`Scenarios::start`], choosing apart whether dockerd gets its own process group: the demo
    /// daemon does (a Ctrl-C in the terminal reaches the xtask, which then stops it in order,
    /// containers and bridge included) without being detached (it is still stopped on drop).
    pub fn start_in_group(&self, name: &str, detach: bool, own_group: bool) -> Result<Running> {
        let spec = self.daemon(name)?;
        let dir = Self::dir_of(name);
        let cfg = dockerd::Config {
            name: name.to_owned(),
            dir: dir.clone(),
            bridge: spec.bridge.clone().zip(spec.bridge_cidr.clone()),
            args: spec.args.iter().map(|a| self.subst(spec, a)).collect(),
            config_file: spec.config_file.as_ref().map(|f| (self.subst(spec, &f.content), f.mode)),
            socket_mode: spec.socket_mode,
            detach,
            own_group,
            keep_data: false,
        };
        let daemon = Dockerd::start(&cfg)?;
        let docker_config = match &spec.client_config {
            Some(file) => {
                let client = dir.join("client");
                std::fs::create_dir_all(&client)?;
                util::chmod(&client, 0o700)?;
                util::write_with_mode(
                    &client.join("config.json"),
                    self.subst(spec, &file.content).as_bytes(),
                    file.mode,
                )?;
                Some(client)
            }
            None => None,
        };
        Ok(Running { host: daemon.host(), daemon, docker_config })
    }

    /// Builds the daemon's images, networks and containers, then checks every container is in
    /// the state the file asks for.
    pub fn populate(&self, running: &Running) -> Result<()> {
        let name = running.daemon.name().to_owned();
        let spec = self.daemon(&name)?;
        let cli = running.daemon.cli()?;
        let dir = running.daemon.dir().to_path_buf();
        let on = |daemons: &[String]| daemons.contains(&name);

        for args in &spec.setup {
            let args: Vec<String> = args.iter().map(|a| self.subst(spec, a)).collect();
            let mut cmd = cli.cmd(&args);
            // Only the command is named on failure: `swarm init` prints join tokens.
            util::run(&mut cmd).with_context(|| format!("setup `docker {}`", args.join(" ")))?;
        }
        self.build_scratch(&cli, &dir.join("build")).context("the scratch image")?;
        for image in self.image.iter().filter(|i| on(&i.daemons)) {
            self.build_image(&cli, spec, &dir, image).with_context(|| format!("image {}", image.tag))?;
        }
        for net in self.network.iter().filter(|n| on(&n.daemons)) {
            let mut cmd = cli.cmd(["network", "create"]);
            cmd.args(net.args.iter().map(|a| self.subst(spec, a))).arg(&net.name);
            util::run(&mut cmd).with_context(|| format!("network {}", net.name))?;
        }
        dockerd::record_network_bridges(&dir, &cli)?;
        let wanted: Vec<&ContainerSpec> = self.container.iter().filter(|c| on(&c.daemons)).collect();
        // A few at a time: each `docker run` is mostly waiting on dockerd (~0.4 s), and 23 in a row
        // dominated `scenario up`.
        let workers = 4;
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    let (cli, dir, wanted) = (&cli, &dir, &wanted);
                    scope.spawn(move || -> Result<()> {
                        for c in wanted.iter().skip(w).step_by(workers) {
                            self.create_container(cli, spec, dir, c)
                                .with_context(|| format!("container {}", c.name))?;
                        }
                        Ok(())
                    })
                })
                .collect();
            handles
                .into_iter()
                .try_for_each(|h| h.join().unwrap_or_else(|_| bail!("a container worker panicked")))
        })?;
        for tag in &spec.untag {
            let tag = self.subst(spec, tag);
            cli.run(["rmi", tag.as_str()]).with_context(|| format!("untag {tag}"))?;
        }
        for (tag, image) in &spec.retag {
            let (tag, image) = (self.subst(spec, tag), self.subst(spec, image));
            cli.run(["tag", image.as_str(), tag.as_str()]).with_context(|| format!("retag {tag}"))?;
        }
        for c in &wanted {
            let status = cli.run(["inspect", "--format", "{{.State.Status}}", c.name.as_str()])?;
            if status != c.state.docker_status() {
                let logs = cli.cmd(["logs", "--tail", "10", c.name.as_str()]).output().ok();
                let logs =
                    logs.map(|o| util::redact(&String::from_utf8_lossy(&o.stderr))).unwrap_or_default();
                bail!("container {} is `{status}`, expected `{}`\n{logs}", c.name, c.state.docker_status());
            }
        }
        Ok(())
    }

    /// THE builder of the scratch image: a root filesystem of busybox-static (the one binary and
    /// its applet links) staged under `work` and imported as `scratch.tag` with its CMD.
    pub fn build_scratch(&self, cli: &DockerCli, work: &Path) -> Result<()> {
        let busybox = util::find_binary("busybox", &["/bin/busybox", "/usr/bin/busybox"])
            .context("busybox not found (run `cargo xtask deps`)")?;
        let rootfs = work.join("scratch-rootfs");
        // A leftover of an earlier run would make the symlinks below fail.
        let _ = std::fs::remove_dir_all(&rootfs);
        let bin = rootfs.join("bin");
        std::fs::create_dir_all(&bin)?;
        for d in &self.scratch.dirs {
            std::fs::create_dir_all(rootfs.join(d))?;
        }
        std::fs::copy(&busybox, bin.join("busybox")).context("cannot copy busybox")?;
        for applet in &self.scratch.applets {
            std::os::unix::fs::symlink("busybox", bin.join(applet))?;
        }
        let tar = Command::new("tar")
            .arg("-C")
            .arg(&rootfs)
            .args(["-c", "."])
            .stdout(Stdio::piped())
            .spawn()
            .context("cannot run tar")?;
        let stdout = tar.stdout.context("no tar output")?;
        let change = format!("CMD {}", serde_json::to_string(&self.scratch.cmd)?);
        let mut import = cli.cmd(["import", "-c", change.as_str(), "-", self.scratch.tag.as_str()]);
        import.stdin(stdout);
        let out = import.output().context("cannot run docker import")?;
        ensure!(
            out.status.success(),
            "docker import failed: {}",
            util::redact(&String::from_utf8_lossy(&out.stderr))
        );
        let _ = std::fs::remove_dir_all(&rootfs);
        Ok(())
    }

    /// Makes sure the engine behind `cli` has the scratch image, building it only when it is
    /// missing: this is how `cargo xtask test` prepares an engine it did not start (the tests'
    /// containers run it), touching nothing else there.
    pub fn ensure_scratch(&self, cli: &DockerCli) -> Result<()> {
        if cli.run(["image", "inspect", "--format", "{{.Id}}", self.scratch.tag.as_str()]).is_ok() {
            return Ok(());
        }
        let work = dockerd::base_dir().join(format!("scratch-build-{}", std::process::id()));
        std::fs::create_dir_all(&work)?;
        let built = self.build_scratch(cli, &work);
        let _ = std::fs::remove_dir_all(&work);
        built
    }

    fn build_image(&self, cli: &DockerCli, spec: &DaemonSpec, dir: &Path, image: &ImageSpec) -> Result<()> {
        if let Some(source) = &image.tag_of {
            let source = self.subst(spec, source);
            cli.run(["tag", source.as_str(), image.tag.as_str()])?;
            return Ok(());
        }
        let ctx = dir.join("build").join(image.tag.replace(['/', ':'], "_"));
        std::fs::create_dir_all(&ctx)?;
        let dockerfile = image.dockerfile.as_deref().unwrap_or_default();
        std::fs::write(ctx.join("Dockerfile"), self.subst(spec, dockerfile))?;
        for (file, contents) in &image.files {
            ensure!(
                !file.contains('/') && !file.starts_with('.'),
                "context file `{file}` must be a plain name"
            );
            std::fs::write(ctx.join(file), self.subst(spec, contents))?;
        }
        let mut build = cli.cmd(["build", "-q", "-t", image.tag.as_str()]);
        build.arg(&ctx).env("DOCKER_BUILDKIT", "0");
        util::run(&mut build)?;
        Ok(())
    }

    fn create_container(
        &self,
        cli: &DockerCli,
        spec: &DaemonSpec,
        dir: &Path,
        c: &ContainerSpec,
    ) -> Result<()> {
        if let Some(shared) = &c.shared_dir {
            ensure!(!shared.contains(".."), "shared_dir must stay inside the daemon dir");
            make_shared_mount(&dir.join(shared))?;
        }
        let mut cmd = cli.cmd(match c.state {
            State::Created => vec!["create"],
            State::Running | State::Exited => vec!["run", "-d"],
        });
        cmd.arg("--name").arg(&c.name);
        let args: Vec<String> = c.args.iter().map(|a| self.subst(spec, a)).collect();
        refuse_missing_bind_sources(&c.name, &args)?;
        cmd.args(&args);
        cmd.arg(self.image_of(spec, c));
        cmd.args(c.cmd.iter().map(|a| self.subst(spec, a)));
        util::run(&mut cmd)?;
        if c.state == State::Exited {
            cli.run(["stop", "--time", "0", c.name.as_str()])?;
        }
        for exec in &c.exec {
            ensure!(c.state == State::Running, "container {}: exec needs a running container", c.name);
            let mut cmd = cli.cmd(["exec", "-d"]);
            cmd.args(&exec.args).arg(&c.name).args(&exec.cmd);
            util::run(&mut cmd).with_context(|| format!("docker exec {:?}", exec.args))?;
        }
        Ok(())
    }

    /// Stops the daemon `name` if one runs (also one a previous `scenario up` detached) and
    /// removes its directory and bridge.
    pub fn down(&self, name: &str) -> Result<()> {
        let spec = self.daemon(name)?;
        let dir = Self::dir_of(name);
        dockerd::stop_dir(&dir, spec.bridge.as_deref())?;
        dockerd::remove_dir(&dir)
    }
}

/// The host paths that `docker run` arguments bind-mount: the source of `-v`/`--volume` when it
/// is a path (a name is a named volume) and of `--mount type=bind` (`source=` or `src=`).
pub fn bind_sources(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value =
            |flag: &str| -> Option<String> { arg.strip_prefix(&format!("{flag}=")).map(str::to_owned) };
        if arg == "-v" || arg == "--volume" {
            let Some(spec) = it.next() else { break };
            out.extend(volume_source(spec));
        } else if let Some(spec) = value("-v").or_else(|| value("--volume")) {
            out.extend(volume_source(&spec));
        } else if arg == "--mount" {
            let Some(spec) = it.next() else { break };
            out.extend(mount_source(spec));
        } else if let Some(spec) = value("--mount") {
            out.extend(mount_source(&spec));
        }
    }
    out
}

fn volume_source(spec: &str) -> Option<String> {
    let source = spec.split(':').next().unwrap_or_default();
    source.starts_with('/').then(|| source.to_owned())
}

fn mount_source(spec: &str) -> Option<String> {
    let fields: Vec<(&str, &str)> = spec.split(',').filter_map(|f| f.split_once('=')).collect();
    let bind = fields.iter().any(|(k, v)| *k == "type" && *v == "bind");
    let source = fields.iter().find(|(k, _)| matches!(*k, "source" | "src")).map(|(_, v)| (*v).to_owned());
    source.filter(|_| bind)
}

/// Refuses a container whose bind source does not exist on this host: dockerd would create the
/// missing path as an empty root-owned directory (that is how `/var/run/docker.sock` once became a
/// directory and the machine's own dockerd could no longer start).
pub fn refuse_missing_bind_sources(container: &str, args: &[String]) -> Result<()> {
    for source in bind_sources(args) {
        // `exists` follows symlinks: dockerd resolves a dangling one and creates its target.
        ensure!(
            Path::new(&source).exists(),
            "container {container}: bind source {source} does not exist on this host; refusing to run it, \
             since dockerd would create it as an empty directory there"
        );
    }
    Ok(())
}

/// Bind-mounts `path` onto itself and marks it shared: `bind-propagation=rshared` needs a source
/// on a shared mount, and `/` is private here (we must not change the host's own propagation).
fn make_shared_mount(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path)?;
    util::run(Command::new("mount").arg("--bind").arg(path).arg(path))?;
    util::run(Command::new("mount").arg("--make-shared").arg(path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_file_is_valid() {
        let sc = Scenarios::load().expect("scenarios.toml parses and validates");
        assert!(sc.daemon_names().contains(&"default"));
        assert!(sc.daemon_names().contains(&"hardened"));
        assert!(sc.container.iter().any(|c| c.name == "zd-hardened" && c.daemons.len() == 2));
    }

    #[test]
    fn placeholders_are_all_resolved() {
        let sc = Scenarios::load().expect("valid");
        for spec in &sc.daemon {
            let texts = sc
                .container
                .iter()
                .filter(|c| c.daemons.contains(&spec.name))
                .flat_map(|c| c.args.iter().cloned())
                .chain(spec.args.iter().cloned())
                .chain(spec.config_file.iter().map(|f| f.content.clone()))
                .chain(spec.client_config.iter().map(|f| f.content.clone()))
                .chain(spec.untag.iter().cloned())
                .chain(sc.image.iter().filter_map(|i| i.tag_of.clone().or_else(|| i.dockerfile.clone())))
                .chain(sc.container.iter().filter_map(|c| c.image.clone()));
            for text in texts {
                let out = sc.subst(spec, &text);
                assert!(
                    !out.contains("{dir}")
                        && !out.contains("{secret}")
                        && !out.contains("{scratch}")
                        && !out.contains("_port}"),
                    "{out}"
                );
            }
        }
    }

    #[test]
    fn every_image_derives_from_the_scratch_image() {
        let sc = Scenarios::load().expect("valid");
        for image in &sc.image {
            let source = image.tag_of.as_deref().or(image.dockerfile.as_deref()).unwrap_or_default();
            assert!(source.contains("{scratch}"), "image {} is not built from {{scratch}}", image.tag);
        }
        assert_eq!(sc.images_on("bench")[0], sc.scratch.tag, "the scratch image comes first");
        assert!(sc.images_on("bench").len() >= 3, "the benchmark varies its images");
    }

    #[test]
    fn the_socket_container_runs_elsewhere() {
        let sc = Scenarios::load().expect("valid");
        // Any existing path stands in for the engine's socket (a missing one is refused).
        let args =
            sc.run_args_elsewhere("zd-docker-sock", Path::new("/dev/null")).expect("no daemon placeholder");
        assert_eq!(args, ["-v", "/dev/null:/var/run/docker.sock", sc.scratch.tag.as_str()]);
        assert!(
            sc.run_args_elsewhere("zd-shared-propagation", Path::new("/x")).is_err(),
            "{{dir}} needs a daemon"
        );
    }

    #[test]
    fn bind_sources_are_parsed() {
        let args: Vec<String> = [
            "-v",
            "/a:/x:ro",
            "--volume=/b:/y",
            "-v",
            "named:/data",
            "--mount",
            "type=bind,source=/c,target=/z",
            "--mount=type=bind,src=/d,dst=/w",
            "--mount",
            "type=volume,source=vol,target=/v",
            "--device",
            "/dev/zero:/dev/zd",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(bind_sources(&args), ["/a", "/b", "/c", "/d"]);
    }

    #[test]
    fn a_missing_bind_source_is_refused_before_docker_run() {
        let missing = std::env::temp_dir().join(format!("zd-no-such-source-{}", std::process::id()));
        let args = vec!["-v".to_owned(), format!("{}:/var/run/docker.sock", missing.display())];
        let err = refuse_missing_bind_sources("zd-x", &args).expect_err("refused");
        assert!(err.to_string().contains(&missing.display().to_string()), "{err}");
        assert!(err.to_string().contains("would create it as an empty directory"), "{err}");
        assert!(!missing.exists(), "nothing created");
        let mount = vec!["--mount".to_owned(), format!("type=bind,src={},dst=/x", missing.display())];
        assert!(refuse_missing_bind_sources("zd-x", &mount).is_err());
        let present = vec!["-v".to_owned(), format!("{}:/x", std::env::temp_dir().display())];
        refuse_missing_bind_sources("zd-x", &present).expect("an existing source passes");
        let sc = Scenarios::load().expect("valid");
        let err = sc.run_args_elsewhere("zd-docker-sock", &missing).expect_err("refused elsewhere too");
        assert!(err.to_string().contains("does not exist"), "{err}");
    }

    #[test]
    fn the_scenario_host_binds_exist() {
        let sc = Scenarios::load().expect("valid");
        let sources = sc.host_bind_sources();
        assert!(
            sources.contains(&PathBuf::from("/")) && sources.contains(&PathBuf::from("/etc")),
            "{sources:?}"
        );
        for s in &sources {
            assert!(s.exists(), "{} is bound by a scenario but missing here", s.display());
        }
    }

    #[test]
    fn client_auth_decodes_to_planted_secret() {
        let sc = Scenarios::load().expect("valid");
        assert_eq!(sc.registry_auth(), util::base64(format!("ci:{}", sc.planted_secret).as_bytes()));
        assert!(!sc.registry_auth().contains(&sc.planted_secret));
    }
}
