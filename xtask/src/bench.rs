//! `cargo xtask bench`: the speed and memory benchmark of a whole `zerodock scan --format json`
//! against 50, 200 and 1000 containers (`--sizes`, up to 10 000 and more) on a private dockerd,
//! beside the time the bare Engine API fetch of the same data takes
//! (`crates/engine/examples/fetch_baseline.rs`). `--odd` makes it a giant, odd host: odd Unicode
//! names and labels, 1 MB labels, 500 networks (`bench_mix.rs`). After every size the report's
//! verdicts are checked against what each generated container must get.
//!
//! It is a benchmark, not a timed test: it prints figures and a verdict per aim (scan ≤ 2× the
//! fetch; at 1000 containers ≤ 2 s and ≤ 64 MB peak RSS) and fails only when something could not be
//! measured. Each size is also split into `zerodock collect` and `zerodock scan --from SNAPSHOT`, so
//! a missed aim already says whether collection or evaluation/rendering is to blame.
//!
//! The daemon (`bench`) and its images (the scratch image, a `:latest` tag of it, a non-root one)
//! are those of `xtask/scenarios.toml`; only the container mix is generated (`bench_mix.rs`,
//! created through the Engine API, several requests at a time).
//!
//! Peak RSS comes from GNU `/usr/bin/time` (`%M`, the child's `ru_maxrss`): std's `Child` exposes no
//! rusage and the xtask has no `unsafe` for `wait4`. Wall time is measured here around the child.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};

use crate::bench_mix;
use crate::dockerd::{DockerCli, Dockerd};
use crate::scenario::Scenarios;
use crate::util::{self, Phases};

/// The private daemon of `xtask/scenarios.toml` the benchmark runs on.
const DAEMON: &str = "bench";
/// The aims of the issue.
const AIM_RATIO: f64 = 2.0;
const AIM_SECONDS: f64 = 2.0;
const AIM_RSS_MB: f64 = 64.0;
const AIM_SIZE: usize = 1000;

/// Options of `cargo xtask bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Container counts to measure, ascending (containers are added between sizes).
    #[arg(long, value_delimiter = ',', default_values_t = [50, 200, 1000])]
    pub sizes: Vec<usize>,
    /// Measured runs per size and command (after one unmeasured warm-up).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// A giant, odd host: odd Unicode env names and labels, Compose projects in other scripts,
    /// a 1 MB label every 1000 containers, 500 user-defined networks.
    #[arg(long)]
    pub odd: bool,
    /// Concurrent Engine API clients creating the containers.
    #[arg(long, default_value_t = 4)]
    pub parallel: usize,
    /// Leave the daemon and its containers running afterwards (for profiling); prints DOCKER_HOST.
    #[arg(long)]
    pub keep: bool,
    /// Only stop and remove a daemon an earlier `--keep` left running.
    #[arg(long, conflicts_with = "keep")]
    pub down: bool,
}

/// One measured child process.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: f64,
    rss_mb: f64,
    /// User + system seconds of the child.
    cpu: f64,
    /// CPU seconds dockerd spent meanwhile: what the Engine API itself costs.
    daemon_cpu: f64,
}

/// All runs of one command at one size.
#[derive(Debug, Default)]
struct Series(Vec<Sample>);

impl Series {
    fn median_by(&self, f: impl Fn(&Sample) -> f64) -> f64 {
        let mut v: Vec<f64> = self.0.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        match v.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }
    fn wall(&self) -> f64 {
        self.median_by(|s| s.wall)
    }
    fn min_wall(&self) -> f64 {
        self.0.iter().map(|s| s.wall).fold(f64::INFINITY, f64::min)
    }
    fn max_wall(&self) -> f64 {
        self.0.iter().map(|s| s.wall).fold(0.0, f64::max)
    }
    fn max_rss(&self) -> f64 {
        self.0.iter().map(|s| s.rss_mb).fold(0.0, f64::max)
    }
    fn cpu(&self) -> f64 {
        self.median_by(|s| s.cpu)
    }
    fn daemon_cpu(&self) -> f64 {
        self.median_by(|s| s.daemon_cpu)
    }
}

/// The figures of one size.
#[derive(Debug, Default)]
struct Row {
    size: usize,
    load: String,
    fetch: Series,
    scan: Series,
    collect: Series,
    from: Series,
    report_bytes: u64,
    snapshot_bytes: u64,
    /// Containers created for this size and the seconds that took.
    created: (usize, f64),
    /// What [`bench_mix::verify`] found.
    verified: String,
}

/// The binaries under test and how to reach the daemon.
struct Bench {
    time: PathBuf,
    zerodock: PathBuf,
    fetch: PathBuf,
    host: String,
    client_config: PathBuf,
    out: PathBuf,
    /// dockerd's pid and the kernel's clock ticks per second, to read its CPU time.
    daemon: Option<(u32, f64)>,
}

/// Runs the benchmark.
pub fn run(phases: &mut Phases, opts: &Options) -> Result<()> {
    let sc = Scenarios::load()?;
    if opts.down {
        return phases.run("stop the bench daemon", || sc.down(DAEMON));
    }
    let mut sizes = opts.sizes.clone();
    sizes.sort_unstable();
    sizes.dedup();
    ensure!(!sizes.is_empty() && sizes[0] > 0, "--sizes needs at least one positive count");
    ensure!(opts.runs > 0, "--runs must be at least 1");
    ensure!(opts.parallel > 0, "--parallel must be at least 1");
    phases.run("deps", crate::deps::ensure)?;
    if !util::is_root() {
        bail!("the benchmark starts a private dockerd: run it as root");
    }
    let time = phases.run("GNU time", ensure_gnu_time)?;
    let (zerodock, fetch) = phases.run("cargo build --release (zerodock, fetch_baseline)", build)?;

    let running = phases.run("start dockerd `bench`", || sc.start(DAEMON, opts.keep))?;
    // Whatever happens below, the daemon is stopped (by `stop` here or by its Drop on a panic).
    let result = phases.run("images (xtask/scenarios.toml)", || sc.populate(&running)).and_then(|()| {
        measure_all(phases, &running.daemon, &sc.images_on(DAEMON), &sizes, opts, time, zerodock, fetch)
    });
    let daemon = running.daemon;
    if opts.keep {
        eprintln!(
            "# bench daemon left running: DOCKER_HOST={} (stop it with `cargo xtask bench --down`)",
            daemon.host()
        );
        daemon.keep_running();
        return result;
    }
    let stopped = phases.run("stop dockerd `bench` and remove its directory", || {
        daemon.stop()?;
        sc.down(DAEMON)
    });
    result.and(stopped)
}

#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn measure_all(
    phases: &mut Phases,
    daemon: &Dockerd,
    images: &[String],
    sizes: &[usize],
    opts: &Options,
    time: PathBuf,
    zerodock: PathBuf,
    fetch: PathBuf,
) -> Result<()> {
    let cli = daemon.cli()?;
    let out = daemon.dir().join("out");
    std::fs::create_dir_all(&out)?;
    let bench = Bench {
        time,
        zerodock,
        fetch,
        host: daemon.host(),
        client_config: daemon.dir().join("cli"),
        out,
        daemon: daemon_pid(daemon.dir()).map(|pid| (pid, clock_ticks())),
    };
    let machine = machine_info(&cli);
    let socket = Dockerd::socket_of(daemon.dir());
    if opts.odd {
        let started = Instant::now();
        let devices = phases.run(&format!("create {} networks", bench_mix::ODD_NETWORKS), || {
            bench_mix::create_networks(&socket)
        })?;
        // Recorded now, so teardown removes the bridges even if dockerd dies before it.
        crate::dockerd::add_recorded_bridges(daemon.dir(), &devices)?;
        eprintln!("    {} networks in {:.1} s", devices.len(), started.elapsed().as_secs_f64());
    }
    let mut rows = Vec::new();
    let mut have = 0;
    for &size in sizes {
        let started = Instant::now();
        phases.run(&format!("create containers {}..{size}", have + 1), || {
            bench_mix::create_containers(&socket, images, opts.odd, have, size, opts.parallel)?;
            let count = cli.run(["ps", "-aq"])?.lines().count();
            ensure!(count == size, "the daemon has {count} containers, expected {size}");
            Ok(())
        })?;
        let took = started.elapsed().as_secs_f64();
        eprintln!(
            "    {} containers created in {took:.1} s ({:.1}/s, {} API clients)",
            size - have,
            (size - have) as f64 / took,
            opts.parallel
        );
        let created = (size - have, took);
        have = size;
        let runs = opts.runs;
        let mut row =
            phases.run(&format!("measure {size} containers x{runs}"), || bench.measure(size, runs))?;
        row.created = created;
        row.verified = phases.run(&format!("verdicts of {size} containers"), || {
            let text = std::fs::read_to_string(bench.out.join(format!("report-{size}.json")))?;
            let report: serde_json::Value = serde_json::from_str(&text)?;
            bench_mix::verify(&report, images, opts.odd, size)
        })?;
        eprintln!("    {}", row.verified);
        rows.push(row);
    }
    println!("{}", render(&machine, &rows, opts));
    Ok(())
}

/// `/usr/bin/time` (GNU), installing Debian's `time` package when it is missing.
fn ensure_gnu_time() -> Result<PathBuf> {
    let path = PathBuf::from("/usr/bin/time");
    if !path.is_file() {
        ensure!(
            util::find_binary("apt-get", &[]).is_some(),
            "no /usr/bin/time and no apt-get: install GNU time"
        );
        eprintln!("    installing: time");
        let apt = |args: &[&str]| {
            let mut cmd = Command::new("apt-get");
            cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
            cmd
        };
        util::run(&mut apt(&["-qq", "update"]))?;
        util::run(&mut apt(&["-qq", "install", "-y", "--no-install-recommends", "time"]))?;
    }
    // busybox's `time` applet has no `-f`; insist on the GNU one.
    let version = Command::new(&path).arg("--version").output().context("cannot run /usr/bin/time")?;
    let text = String::from_utf8_lossy(&[version.stdout, version.stderr].concat()).into_owned();
    ensure!(text.contains("GNU"), "/usr/bin/time is not GNU time: {}", text.trim());
    Ok(path)
}

/// Builds the release binaries and returns (zerodock, fetch_baseline).
fn build() -> Result<(PathBuf, PathBuf)> {
    let root = util::workspace_root();
    util::run_visible(util::cargo().current_dir(&root).args(["build", "--release", "-q", "-p", "zerodock"]))?;
    util::run_visible(util::cargo().current_dir(&root).args([
        "build",
        "--release",
        "-q",
        "-p",
        "zerodock-engine",
        "--example",
        "fetch_baseline",
    ]))?;
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target = if target.is_absolute() { target } else { root.join(target) };
    let zerodock = target.join("release/zerodock");
    let fetch = target.join("release/examples/fetch_baseline");
    for bin in [&zerodock, &fetch] {
        ensure!(bin.is_file(), "the build produced no {}", bin.display());
    }
    Ok((zerodock, fetch))
}

impl Bench {
    /// One child under GNU time with the daemon's environment; returns its figures and stdout.
    fn timed(&self, bin: &Path, args: &[OsString]) -> Result<(Sample, String)> {
        let time_out = self.out.join("time.txt");
        let mut cmd = Command::new(&self.time);
        cmd.arg("-f")
            .arg("%M %U %S")
            .arg("-o")
            .arg(&time_out)
            .arg(bin)
            .args(args)
            .env("DOCKER_HOST", &self.host)
            .env("DOCKER_CONFIG", &self.client_config)
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH")
            .env_remove("RUST_LOG")
            .env_remove("ZERODOCK_POLICY");
        let daemon_before = self.daemon_cpu();
        let start = Instant::now();
        let out = util::run(&mut cmd)?;
        let wall = start.elapsed().as_secs_f64();
        let daemon_cpu = self.daemon_cpu() - daemon_before;
        let text = std::fs::read_to_string(&time_out).context("GNU time wrote no figures")?;
        // The figures are the last line: a killed child makes GNU time print a note before them.
        let fields: Vec<f64> = text
            .lines()
            .last()
            .unwrap_or_default()
            .split_whitespace()
            .map(|f| f.parse::<f64>())
            .collect::<Result<_, _>>()
            .with_context(|| format!("cannot parse GNU time output `{}`", text.trim()))?;
        ensure!(fields.len() == 3, "unexpected GNU time output `{}`", text.trim());
        let sample = Sample { wall, rss_mb: fields[0] / 1024.0, cpu: fields[1] + fields[2], daemon_cpu };
        Ok((sample, String::from_utf8_lossy(&out.stdout).into_owned()))
    }

    /// dockerd's user + system CPU seconds so far (0 when unreadable).
    fn daemon_cpu(&self) -> f64 {
        let Some((pid, ticks)) = self.daemon else { return 0.0 };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // utime and stime are fields 14 and 15; the command name before them may contain spaces.
        let rest: Vec<&str> =
            stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
        let field = |i: usize| rest.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        (field(11) + field(12)) / ticks
    }

    fn fetch_once(&self, size: usize) -> Result<Sample> {
        let (sample, stdout) = self.timed(&self.fetch, &[])?;
        // "fetched N containers, M images in T s (F failed calls)"
        let words: Vec<&str> = stdout.split_whitespace().collect();
        let n = words.get(1).and_then(|w| w.parse::<usize>().ok());
        ensure!(n == Some(size), "fetch_baseline saw {n:?} containers, expected {size}: {}", stdout.trim());
        ensure!(stdout.contains("(0 failed calls)"), "fetch_baseline had failures: {}", stdout.trim());
        Ok(sample)
    }

    fn scan_once(&self, size: usize, report: &Path) -> Result<Sample> {
        let args: Vec<OsString> =
            vec!["scan".into(), "--format".into(), "json".into(), "--output".into(), report.into()];
        let (sample, _) = self.timed(&self.zerodock, &args)?;
        check_report(report, size)?;
        Ok(sample)
    }

    fn collect_once(&self, snapshot: &Path) -> Result<Sample> {
        let args: Vec<OsString> = vec!["collect".into(), "--output".into(), snapshot.into()];
        Ok(self.timed(&self.zerodock, &args)?.0)
    }

    fn scan_from_once(&self, size: usize, snapshot: &Path, report: &Path) -> Result<Sample> {
        let args: Vec<OsString> = vec![
            "scan".into(),
            "--from".into(),
            snapshot.into(),
            "--format".into(),
            "json".into(),
            "--output".into(),
            report.into(),
        ];
        let (sample, _) = self.timed(&self.zerodock, &args)?;
        check_report(report, size)?;
        Ok(sample)
    }

    /// One warm-up of each command, then `runs` rounds, interleaved so a load spike from
    /// elsewhere on the machine hits all of them alike.
    fn measure(&self, size: usize, runs: usize) -> Result<Row> {
        let report = self.out.join(format!("report-{size}.json"));
        let snapshot = self.out.join(format!("snapshot-{size}.json"));
        let from_report = self.out.join(format!("report-from-{size}.json"));
        self.fetch_once(size)?;
        self.scan_once(size, &report)?;
        self.collect_once(&snapshot)?;
        self.scan_from_once(size, &snapshot, &from_report)?;
        let mut row = Row { size, load: load_average(), ..Row::default() };
        for _ in 0..runs {
            row.fetch.0.push(self.fetch_once(size)?);
            row.scan.0.push(self.scan_once(size, &report)?);
            row.collect.0.push(self.collect_once(&snapshot)?);
            row.from.0.push(self.scan_from_once(size, &snapshot, &from_report)?);
        }
        row.report_bytes = std::fs::metadata(&report)?.len();
        row.snapshot_bytes = std::fs::metadata(&snapshot)?.len();
        eprintln!(
            "    fetch {:.3}s  scan {:.3}s ({:.1} MB)  collect {:.3}s  scan --from {:.3}s",
            row.fetch.wall(),
            row.scan.wall(),
            row.scan.max_rss(),
            row.collect.wall(),
            row.from.wall()
        );
        Ok(row)
    }
}

/// The report is valid JSON and covers every container.
fn check_report(path: &Path, size: usize) -> Result<()> {
    /// Only the count is read: a 10 000-container report is ~300 MB, a `Value` of it ~2 GB.
    #[derive(serde::Deserialize)]
    struct Head {
        subject: Subject,
    }
    #[derive(serde::Deserialize)]
    struct Subject {
        containers: u64,
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("no report at {}", path.display()))?;
    let head: Head = serde_json::from_str(&text).context("the report is not a JSON report")?;
    let seen = head.subject.containers;
    ensure!(seen == size as u64, "the report covers {seen} containers, expected {size}");
    Ok(())
}

fn daemon_pid(dir: &Path) -> Option<u32> {
    std::fs::read_to_string(dir.join("dockerd.pid")).ok()?.trim().parse().ok()
}

/// `getconf CLK_TCK` (the unit of /proc/<pid>/stat times); 100 on every common Linux.
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<f64>().ok())
        .filter(|t| *t > 0.0)
        .unwrap_or(100.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}

fn machine_info(cli: &DockerCli) -> Vec<(String, String)> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "?".to_owned());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or_else(|| "?".to_owned(), |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0));
    let nproc = std::thread::available_parallelism().map_or_else(|_| "?".to_owned(), |n| n.to_string());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "?".to_owned(), |k| k.trim().to_owned());
    let docker = cli
        .run(["version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"])
        .unwrap_or_else(|_| "?".to_owned());
    let driver = cli
        .run(["info", "--format", "{{.Driver}}, cgroup v{{.CgroupVersion}}"])
        .unwrap_or_else(|_| "?".to_owned());
    vec![
        ("cpus (nproc)".to_owned(), nproc),
        ("cpu".to_owned(), cpu),
        ("memory".to_owned(), mem),
        ("kernel".to_owned(), kernel),
        ("dockerd".to_owned(), docker),
        ("storage".to_owned(), driver),
    ]
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn render(machine: &[(String, String)], rows: &[Row], opts: &Options) -> String {
    let runs = opts.runs;
    let mut s = String::new();
    s.push_str("\nZeroDock benchmark: `zerodock scan --format json` vs. the bare Engine API fetch\n");
    if opts.odd {
        s.push_str(&format!(
            "  host          --odd: odd Unicode env names and labels, a 1 MB label every {} containers, {} networks\n",
            bench_mix::HUGE_LABEL_EVERY,
            bench_mix::ODD_NETWORKS
        ));
    }
    for (k, v) in machine {
        s.push_str(&format!("  {k:<13} {v}\n"));
    }
    s.push_str(&format!(
        "  runs          {runs} per size after one warm-up; medians (min-max), wall seconds\n\n"
    ));
    s.push_str(&format!(
        "{:>5} | {:>21} | {:>21} | {:>5} | {:>13} | {:>9}\n",
        "size", "fetch s", "scan s", "ratio", "scan peak RSS", "report MB"
    ));
    s.push_str(&format!("{}\n", "-".repeat(90)));
    for r in rows {
        s.push_str(&format!(
            "{:>5} | {:>7.3} ({:.3}-{:.3}) | {:>7.3} ({:.3}-{:.3}) | {:>5.2} | {:>10.1} MB | {:>9.2}\n",
            r.size,
            r.fetch.wall(),
            r.fetch.min_wall(),
            r.fetch.max_wall(),
            r.scan.wall(),
            r.scan.min_wall(),
            r.scan.max_wall(),
            r.scan.wall() / r.fetch.wall(),
            r.scan.max_rss(),
            mb(r.report_bytes),
        ));
    }
    s.push_str(
        "\nBreakdown: `collect` = `zerodock collect` (Engine API + host probes + snapshot JSON), `--from` = \
         `scan --from SNAPSHOT`\n(evaluation + rendering only); cpu = the child's user+sys seconds, dockerd = CPU \
         seconds dockerd spent serving it;\nRSS = peak over the runs\n\n",
    );
    s.push_str(&format!(
        "{:>5} | {:>9} | {:>9} | {:>9} | {:>8} | {:>8} | {:>9} | {:>9} | {:>8} | {:>8} | {:>11} | {}\n",
        "size",
        "fetch cpu",
        "fetch dkd",
        "fetch RSS",
        "scan cpu",
        "scan dkd",
        "collect s",
        "coll. RSS",
        "--from s",
        "from RSS",
        "snapshot MB",
        "loadavg 1/5/15 min"
    ));
    s.push_str(&format!("{}\n", "-".repeat(140)));
    for r in rows {
        s.push_str(&format!(
            "{:>5} | {:>9.3} | {:>9.3} | {:>6.1} MB | {:>8.3} | {:>8.3} | {:>9.3} | {:>6.1} MB | {:>8.3} | {:>5.1} MB | {:>11.2} | {}\n",
            r.size,
            r.fetch.cpu(),
            r.fetch.daemon_cpu(),
            r.fetch.max_rss(),
            r.scan.cpu(),
            r.scan.daemon_cpu(),
            r.collect.wall(),
            r.collect.max_rss(),
            r.from.wall(),
            r.from.max_rss(),
            mb(r.snapshot_bytes),
            r.load
        ));
    }
    s.push_str("\nCreation (Engine API) and verdicts:\n");
    for r in rows {
        s.push_str(&format!(
            "  {:>5}: +{} containers in {:.1} s ({:.1}/s); {}\n",
            r.size,
            r.created.0,
            r.created.1,
            r.created.0 as f64 / r.created.1,
            r.verified
        ));
    }
    s.push_str("\nAims:\n");
    for r in rows {
        let ratio = r.scan.wall() / r.fetch.wall();
        s.push_str(&format!(
            "  {} scan ≤ {AIM_RATIO}× fetch at {:>4} containers: {ratio:.2}×\n",
            verdict(ratio <= AIM_RATIO),
            r.size
        ));
    }
    match rows.iter().find(|r| r.size == AIM_SIZE) {
        Some(r) => {
            s.push_str(&format!(
                "  {} {AIM_SIZE} containers ≤ {AIM_SECONDS} s: median {:.3} s (max {:.3} s)\n",
                verdict(r.scan.wall() <= AIM_SECONDS),
                r.scan.wall(),
                r.scan.max_wall()
            ));
            s.push_str(&format!(
                "  {} {AIM_SIZE} containers ≤ {AIM_RSS_MB} MB peak RSS: {:.1} MB\n",
                verdict(r.scan.max_rss() <= AIM_RSS_MB),
                r.scan.max_rss()
            ));
        }
        None => s.push_str(&format!(
            "  n/a  the ≤ {AIM_SECONDS} s and ≤ {AIM_RSS_MB} MB aims are set at {AIM_SIZE} containers (not in --sizes)\n"
        )),
    }
    s
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "MISS" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_even_and_odd_counts() {
        let s = |w: &[f64]| {
            Series(w.iter().map(|&wall| Sample { wall, rss_mb: 0.0, cpu: 0.0, daemon_cpu: 0.0 }).collect())
        };
        assert_eq!(s(&[3.0, 1.0, 2.0]).wall(), 2.0);
        assert_eq!(s(&[4.0, 1.0, 2.0, 3.0]).wall(), 2.5);
        assert_eq!(s(&[4.0, 1.0, 2.0, 3.0]).max_wall(), 4.0);
    }
}
