//! "Tests leave the machine as they found it": the state of every host path the harness, a
//! private dockerd or a test could touch is recorded before the test stages and compared after
//! them (once the private daemon is stopped); any difference fails `cargo xtask test`, naming
//! the path and what changed.
//!
//! Why: a test container once bound `/var/run/docker.sock` on the private daemon, which created
//! the missing bind source as an empty directory, and the machine's own dockerd then failed to
//! start. The bind is fixed (and `scenario.rs` refuses a missing bind source); this check catches
//! the next side effect of that kind, whatever causes it.
//!
//! dockerd 20.10 itself writes outside its data and exec roots whatever flags it gets:
//! `/etc/docker/key.json` (its engine identity, and `/etc/docker` for it), `/run/docker/plugins`
//! and its containerd's `/run/containerd/s` (shim sockets). When such a path was absent before the
//! run, a private daemon was started, and no other dockerd or containerd runs at the end, those are
//! provably ours and [`tidy_dockerd_byproducts`] removes them (directories only when they hold
//! nothing else); otherwise they are left alone and reported.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::scenario::Scenarios;
use crate::util;

/// Files up to this size are fingerprinted by content (daemon.json, key.json, subuid…).
const HASH_LIMIT: u64 = 1 << 20;

/// What a path is, as far as the check cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Nothing there.
    Absent,
    /// Something there.
    Present {
        /// `file`, `directory`, `symlink`, `socket`, …
        kind: &'static str,
        /// Permission bits (and setuid/setgid/sticky).
        mode: u32,
        /// Owner uid and gid.
        owner: (u32, u32),
        /// A symlink's target.
        target: Option<PathBuf>,
        /// A directory's entry names (one level).
        entries: Option<BTreeSet<String>>,
        /// A small regular file's content fingerprint.
        content: Option<u64>,
    },
    /// It could not be read (the error), which is recorded rather than guessed at.
    Unreadable(String),
}

impl State {
    /// Reads the state of `path` without following a final symlink.
    pub fn of(path: &Path) -> State {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return State::Absent,
            Err(e) => return State::Unreadable(e.to_string()),
        };
        let ft = meta.file_type();
        let kind = if ft.is_symlink() {
            "symlink"
        } else if ft.is_dir() {
            "directory"
        } else if ft.is_file() {
            "file"
        } else if ft.is_socket() {
            "socket"
        } else if ft.is_fifo() {
            "fifo"
        } else if ft.is_char_device() {
            "character device"
        } else if ft.is_block_device() {
            "block device"
        } else {
            "other"
        };
        let target = ft.is_symlink().then(|| std::fs::read_link(path).unwrap_or_default());
        let entries = ft.is_dir().then(|| {
            std::fs::read_dir(path)
                .map(|it| it.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default()
        });
        let content = (ft.is_file() && meta.len() <= HASH_LIMIT)
            .then(|| std::fs::read(path).ok())
            .flatten()
            .map(|bytes| {
                // SipHash with fixed keys: stable within the run, which is all a before/after needs.
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                h.finish()
            });
        State::Present {
            kind,
            mode: meta.mode() & 0o7777,
            owner: (meta.uid(), meta.gid()),
            target,
            entries,
            content,
        }
    }

    fn describe(&self) -> String {
        match self {
            State::Absent => "absent".to_owned(),
            State::Unreadable(e) => format!("unreadable ({e})"),
            State::Present { kind, mode, owner, .. } => {
                format!("a {kind} (mode {mode:04o}, owner {}:{})", owner.0, owner.1)
            }
        }
    }
}

/// Directories whose entries come and go with any engine's containers (containerd's shim
/// sockets, one per running container, also the machine's own engine's when the tests use it):
/// their existence, type, mode and owner are compared, not their entries.
const CHURNING_DIRS: &[&str] = &["/run/containerd/s"];

fn watched_state(path: &Path) -> State {
    match State::of(path) {
        State::Present { kind, mode, owner, target, content, .. }
            if CHURNING_DIRS.iter().any(|d| Path::new(d) == path) =>
        {
            State::Present { kind, mode, owner, target, entries: None, content }
        }
        state => state,
    }
}

/// The recorded state of every watched path.
#[derive(Debug, Clone)]
pub struct Snapshot {
    paths: Vec<(PathBuf, State)>,
}

impl Snapshot {
    /// Records `paths` now.
    pub fn take(paths: &[PathBuf]) -> Snapshot {
        Snapshot { paths: paths.iter().map(|p| (p.clone(), watched_state(p))).collect() }
    }

    /// The same paths, read again.
    pub fn again(&self) -> Snapshot {
        Snapshot { paths: self.paths.iter().map(|(p, _)| (p.clone(), watched_state(p))).collect() }
    }

    /// The recorded state of `path`, if watched.
    pub fn state(&self, path: &Path) -> Option<&State> {
        self.paths.iter().find(|(p, _)| p == path).map(|(_, s)| s)
    }

    /// One line per watched path whose state differs in `after`: the path and what changed.
    pub fn changes(&self, after: &Snapshot) -> Vec<String> {
        let mut out = Vec::new();
        for (path, before) in &self.paths {
            let Some(now) = after.state(path) else { continue };
            if before != now {
                out.push(format!("{}: {}", path.display(), difference(before, now)));
            }
        }
        out
    }
}

/// What changed between two states of one path, in words.
fn difference(before: &State, now: &State) -> String {
    let (
        State::Present { kind: k0, mode: m0, owner: o0, target: t0, entries: e0, content: c0 },
        State::Present { kind: k1, mode: m1, owner: o1, target: t1, entries: e1, content: c1 },
    ) = (before, now)
    else {
        return format!("was {}, now {}", before.describe(), now.describe());
    };
    if k0 != k1 {
        return format!("was {}, now {}", before.describe(), now.describe());
    }
    let mut what = Vec::new();
    if m0 != m1 {
        what.push(format!("mode {m0:04o} → {m1:04o}"));
    }
    if o0 != o1 {
        what.push(format!("owner {}:{} → {}:{}", o0.0, o0.1, o1.0, o1.1));
    }
    if t0 != t1 {
        let show = |t: &Option<PathBuf>| t.as_deref().map(|t| t.display().to_string()).unwrap_or_default();
        what.push(format!("symlink target {} → {}", show(t0), show(t1)));
    }
    if let (Some(e0), Some(e1)) = (e0, e1) {
        let added: Vec<&str> = e1.difference(e0).map(String::as_str).collect();
        let removed: Vec<&str> = e0.difference(e1).map(String::as_str).collect();
        if !added.is_empty() {
            what.push(format!("new entries: {}", added.join(", ")));
        }
        if !removed.is_empty() {
            what.push(format!("entries gone: {}", removed.join(", ")));
        }
    }
    if c0 != c1 {
        what.push("content changed".to_owned());
    }
    format!("{} ({})", k1, what.join("; "))
}

/// Every host path `cargo xtask test` watches: Docker's own places (sockets, state, config, the
/// client config of the user running the tests), the desktop app's per-user places (a test that
/// forgot its private `HOME` would write there), the files `userns-remap` edits, and the host
/// bind sources of `xtask/scenarios.toml` (for `/` and `/etc` a new entry is what a bind of a
/// missing path would leave).
pub fn watched_paths(sc: &Scenarios) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = [
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/var/run/docker",
        "/run/docker",
        "/run/docker/plugins",
        "/run/containerd",
        "/run/containerd/s",
        "/etc/docker",
        "/etc/docker/daemon.json",
        "/etc/docker/key.json",
        "/var/lib/docker",
        "/var/lib/containerd",
        "/etc/subuid",
        "/etc/subgid",
        "/dev/zero",
        // The Podman and rootless engines (xtask/src/rootless.rs) run in a private mount namespace
        // with their own users, lock segment (/dev/shm: a tmpfs of their own) and /var/lib:
        // none of these may change.
        "/etc/passwd",
        "/etc/group",
        "/var/lib/containers",
        "/run/containers",
        "/run/libpod",
        "/run/podman",
        "/run/user",
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect();
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        for sub in [
            ".docker",
            ".config/autostart",
            ".config/dev.zerodock.desktop",
            ".local/share/dev.zerodock.desktop",
        ] {
            paths.push(home.join(sub));
        }
    }
    paths.extend(sc.host_bind_sources());
    let mut seen = BTreeSet::new();
    paths.retain(|p| seen.insert(p.clone()));
    paths
}

/// Paths dockerd 20.10 creates outside its roots, children first (the order to remove them in):
/// what [`tidy_dockerd_byproducts`] may remove when they are provably ours.
const DOCKERD_BYPRODUCTS: &[&str] = &[
    "/etc/docker/key.json",
    "/etc/docker",
    "/run/docker/plugins",
    "/run/docker",
    "/run/containerd/s",
    "/run/containerd",
];

/// Whether a process named `dockerd` or `containerd` runs (other than our own, all stopped by now).
fn docker_processes_running() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            matches!(comm.trim(), "dockerd" | "containerd") && util::pid_alive(*pid)
        })
        .collect()
}

/// Removes what a private dockerd of this run provably created outside its roots (see the module
/// doc): only paths absent in `before`, only when `private_daemon` ran and no dockerd or
/// containerd is left running, a file only if it is a regular file, a directory only if empty.
/// Returns one line per path removed; what it leaves is reported by the comparison.
pub fn tidy_dockerd_byproducts(before: &Snapshot, private_daemon: bool) -> Vec<String> {
    if !private_daemon {
        return Vec::new();
    }
    tidy_in(before, Path::new("/"), &docker_processes_running())
}

/// [`tidy_dockerd_byproducts`] below `root`, given the dockerd/containerd pids still `running`.
fn tidy_in(before: &Snapshot, root: &Path, running: &[u32]) -> Vec<String> {
    let mut done = Vec::new();
    if !running.is_empty() {
        done.push(format!(
            "not removing dockerd's by-products: dockerd/containerd still running (pids {running:?}), \
             so they may not be ours"
        ));
        return done;
    }
    for path in DOCKERD_BYPRODUCTS {
        let path = root.join(path.trim_start_matches('/'));
        if before.state(&path) != Some(&State::Absent) {
            continue;
        }
        let removed = match State::of(&path) {
            State::Present { kind: "file", .. } => std::fs::remove_file(&path).is_ok(),
            State::Present { kind: "directory", .. } => std::fs::remove_dir(&path).is_ok(),
            _ => false,
        };
        if removed {
            done.push(format!(
                "removed {} (absent before the run, created by the private dockerd)",
                path.display()
            ));
        }
    }
    done
}

/// The end-of-run check: tidies the private daemon's provable by-products, then fails naming
/// every watched path whose state is not what it was in `before`.
pub fn verify(before: &Snapshot, private_daemon: bool) -> Result<()> {
    for line in tidy_dockerd_byproducts(before, private_daemon) {
        util::note(format_args!("    {line}"));
    }
    let changes = before.changes(&before.again());
    if !changes.is_empty() {
        bail!(
            "the run changed host paths outside its temp roots (tests must leave the machine as they found it):\n  {}",
            changes.join("\n  ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zd-hostcheck-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn a_planted_change_is_named_with_what_changed() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp("plant");
        let sock = dir.join("docker.sock");
        let conf = dir.join("daemon.json");
        let link = dir.join("link");
        let etc = dir.join("etc");
        std::fs::write(&conf, "{}").expect("write");
        std::os::unix::fs::symlink("a", &link).expect("symlink");
        std::fs::create_dir(&etc).expect("mkdir");
        let paths = vec![sock.clone(), conf.clone(), link.clone(), etc.clone(), dir.join("same")];
        let before = Snapshot::take(&paths);
        assert!(before.changes(&before.again()).is_empty(), "nothing changed yet");

        // What the bug did: a bind source dockerd created as a directory.
        std::fs::create_dir(&sock).expect("plant dir");
        std::fs::write(&conf, "{\"debug\": true}").expect("rewrite");
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        std::fs::remove_file(&link).expect("rm");
        std::os::unix::fs::symlink("b", &link).expect("symlink");
        std::fs::create_dir(etc.join("new")).expect("mkdir");

        let changes = before.changes(&before.again());
        assert_eq!(changes.len(), 4, "{changes:#?}");
        assert!(changes[0].starts_with(&format!("{}: was absent, now a directory (mode ", sock.display())));
        assert!(changes[1].contains("mode 0644 → 0666") || changes[1].contains("→ 0666"), "{}", changes[1]);
        assert!(changes[1].contains("content changed"), "{}", changes[1]);
        assert!(changes[2].ends_with("symlink (symlink target a → b)"), "{}", changes[2]);
        assert!(changes[3].ends_with("directory (new entries: new)"), "{}", changes[3]);

        let err = format!("{:#}", verify(&before, false).expect_err("changes fail the run"));
        assert!(err.contains(&sock.display().to_string()) && err.contains("as they found it"), "{err}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn only_provable_byproducts_are_tidied() {
        let root = temp("tidy");
        let docker = root.join("etc/docker");
        let run_docker = root.join("run/docker");
        std::fs::create_dir_all(&run_docker).expect("mkdir");
        let paths: Vec<PathBuf> =
            DOCKERD_BYPRODUCTS.iter().map(|p| root.join(p.trim_start_matches('/'))).collect();
        let before = Snapshot::take(&paths);
        // During the "run": key.json and /etc/docker appear; /run/docker existed and gets plugins.
        std::fs::create_dir_all(&docker).expect("mkdir");
        std::fs::write(docker.join("key.json"), "{}").expect("key");
        std::fs::create_dir(run_docker.join("plugins")).expect("plugins");

        assert!(tidy_dockerd_byproducts(&before, false).is_empty(), "no private daemon: nothing is ours");
        let refused = tidy_in(&before, &root, &[4242]);
        assert!(refused.len() == 1 && refused[0].contains("4242"), "another dockerd runs: {refused:?}");
        assert!(docker.join("key.json").exists(), "kept while another daemon runs");
        let done = tidy_in(&before, &root, &[]);
        assert_eq!(done.len(), 3, "{done:#?}");
        assert!(!docker.exists());
        assert!(!run_docker.join("plugins").exists());
        assert!(run_docker.exists(), "existed before: kept");
        std::fs::remove_dir_all(&root).expect("cleanup");
    }

    #[test]
    fn a_directory_with_foreign_content_is_kept() {
        let root = temp("foreign");
        let before = Snapshot::take(&[root.join("etc/docker"), root.join("etc/docker/key.json")]);
        std::fs::create_dir_all(root.join("etc/docker")).expect("mkdir");
        std::fs::write(root.join("etc/docker/daemon.json"), "{}").expect("write");
        assert!(tidy_in(&before, &root, &[]).is_empty());
        assert!(root.join("etc/docker/daemon.json").exists());
        assert_eq!(before.changes(&before.again()).len(), 1);
        std::fs::remove_dir_all(&root).expect("cleanup");
    }

    #[test]
    fn the_watch_list_covers_the_known_places() {
        let sc = Scenarios::load().expect("valid");
        let paths = watched_paths(&sc);
        for p in ["/var/run/docker.sock", "/etc/docker/key.json", "/var/lib/docker", "/", "/etc"] {
            assert!(paths.contains(&PathBuf::from(p)), "{p} not watched");
        }
        assert!(
            !paths.iter().any(|p| p.starts_with(crate::dockerd::base_dir())),
            "temp roots are not watched"
        );
        // The real host paths, read twice: what the run pays, and stable when nothing happens.
        let start = std::time::Instant::now();
        let before = Snapshot::take(&paths);
        let changes = before.changes(&before.again());
        println!("{} host paths recorded and compared in {:?}", paths.len(), start.elapsed());
        assert!(changes.is_empty(), "{changes:#?}");
    }
}
