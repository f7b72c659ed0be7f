//! `ssh://` engines for real: a private OpenSSH server on 127.0.0.1 (own config, host key and
//! authorized_keys in a temp dir) whose `docker system dial-stdio` reaches the test engine. A scan
//! over ssh gives the unix socket's verdicts, the watcher over ssh sees a `docker run`, and an
//! unknown host key, a refused key and a machine without the docker CLI each give their own
//! actionable error. The client side never reads ~/.ssh: `ZERODOCK_SSH_CONFIG` names a config in
//! the temp dir (ssh takes `~` from the passwd entry, not `$HOME`).

mod common;

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Scenario;

/// A private `sshd -D` in its own mount namespace (sshd insists on `/run/sshd`, which a test may
/// not create on the host: a tmpfs over `/run` inside the namespace gives it one). Killed on drop.
struct PrivateSshd {
    dir: PathBuf,
    port: u16,
    child: Child,
}

impl PrivateSshd {
    fn start(dir: &Path) -> PrivateSshd {
        let keygen = |name: &str| {
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                .arg(dir.join(name))
                .output()
                .expect("ssh-keygen runs (openssh-client: cargo xtask deps)");
            assert!(out.status.success(), "ssh-keygen: {out:?}");
            std::fs::read_to_string(dir.join(format!("{name}.pub"))).expect("public key").trim().to_owned()
        };
        let host_key = keygen("host_key");
        let engine_key = keygen("engine_key");
        let no_docker_key = keygen("no_docker_key");
        keygen("stranger_key"); // never authorised
        // The remote command's environment: the test engine, or a PATH without docker.
        common::write(
            dir,
            "authorized_keys",
            &format!(
                "environment=\"DOCKER_HOST={}\" {engine_key}\nenvironment=\"PATH=/nonexistent\" {no_docker_key}\n",
                common::docker_host()
            ),
        );
        // A free port: bound then released (sshd binds it a moment later).
        let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let d = dir.display();
        common::write(
            dir,
            "sshd_config",
            &format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\n\
                 PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 PermitUserEnvironment yes\nPidFile none\nUsePAM no\nStrictModes no\n"
            ),
        );
        // known_hosts with the server's key under the name ssh looks up for a non-22 port.
        let key_type_and_body: Vec<&str> = host_key.split_whitespace().take(2).collect();
        common::write(dir, "known_hosts", &format!("[127.0.0.1]:{port} {}\n", key_type_and_body.join(" ")));
        common::write(dir, "empty_known_hosts", "");
        for (name, known_hosts, identity) in [
            ("engine", "known_hosts", "engine_key"),
            ("no_docker", "known_hosts", "no_docker_key"),
            ("stranger", "known_hosts", "stranger_key"),
            ("unknown_host", "empty_known_hosts", "engine_key"),
        ] {
            common::write(
                dir,
                &format!("ssh_config_{name}"),
                &format!(
                    "Host *\n  UserKnownHostsFile {d}/{known_hosts}\n  GlobalKnownHostsFile /dev/null\n  \
                     IdentityFile {d}/{identity}\n  IdentitiesOnly yes\n"
                ),
            );
        }
        let child = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "sh", "-c"])
            .arg(format!(
                "mount -t tmpfs -o mode=755 zd-sshd-run /run && mkdir -m 755 /run/sshd && exec /usr/sbin/sshd -D -f {d}/sshd_config -E {d}/sshd.log"
            ))
            .stdin(Stdio::null())
            .spawn()
            .expect("unshare + sshd start (openssh-server: cargo xtask deps)");
        let mut sshd = PrivateSshd { dir: dir.to_owned(), port, child };
        // Ready when it accepts connections (a readiness wait, not a timed assertion).
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = sshd.child.try_wait() {
                panic!(
                    "sshd exited ({status}): {}",
                    std::fs::read_to_string(dir.join("sshd.log")).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "sshd never listened on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        sshd
    }

    fn url(&self) -> String {
        format!("ssh://root@127.0.0.1:{}", self.port)
    }

    /// `zerodock ARGS` with the client config `ssh_config_NAME`.
    fn zerodock(&self, config: &str) -> Command {
        let mut cmd = common::zerodock();
        cmd.env("ZERODOCK_SSH_CONFIG", self.dir.join(format!("ssh_config_{config}")));
        cmd
    }
}

impl Drop for PrivateSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every finding's verdict by (check, target), leaving out the ones a remote engine cannot decide
/// (host facts: not applicable; daemon files: unknown).
fn decided(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for check in report["checks"].as_array().expect("checks") {
        for f in check["findings"].as_array().expect("findings") {
            let status = f["status"].as_str().unwrap_or_default().to_owned();
            if status != "unknown" && status != "not_applicable" {
                out.push((
                    check["id"].as_str().unwrap_or_default().to_owned(),
                    f["target"].to_string(),
                    status,
                ));
            }
        }
    }
    out.sort();
    out
}

/// `zerodock scan --format json --host HOST` with `cmd`'s environment.
fn scan(cmd: &mut Command, host: &str) -> (serde_json::Value, std::process::Output) {
    let out = cmd.args(["scan", "--format", "json", "--host", host]).output().expect("zerodock runs");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (report, out)
}

#[test]
fn an_engine_over_ssh_is_scanned_and_watched_like_its_socket() {
    common::ensure_image();
    let dir = common::tempdir("ssh");
    let sshd = PrivateSshd::start(&dir);
    let url = sshd.url();

    // Something to judge on both sides: a container created with the engine's socket mounted.
    let sock_mount = format!("{}:/var/run/docker.sock", common::socket_path().display());
    let sock = Scenario::new("ssh-sock", false, &["-v", &sock_mount]);

    let (over_ssh, out) = scan(&mut sshd.zerodock("engine"), &url);
    assert_eq!(
        over_ssh["subject"]["endpoint"]["host"],
        url.as_str(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(over_ssh["subject"]["engine"].is_object(), "engine reached over ssh: {}", over_ssh["subject"]);
    assert_eq!(over_ssh["subject"]["endpoint"]["local"], false, "an ssh engine is another machine's");
    assert_eq!(common::finding(&over_ssh, "CTR003", &sock.name)["status"], "fail");
    let (over_socket, _) = scan(&mut common::zerodock(), common::docker_host());
    let (ssh_verdicts, socket_verdicts) = (decided(&over_ssh), decided(&over_socket));
    assert!(ssh_verdicts.len() > 40, "most engine checks decide over ssh: {}", ssh_verdicts.len());
    let differ: Vec<_> = ssh_verdicts.iter().filter(|v| !socket_verdicts.contains(v)).collect();
    assert!(differ.is_empty(), "over ssh, verdicts the socket scan does not give: {differ:?}");

    // The watcher over ssh: a `docker run` arrives as an engine event and a new failure.
    let mut watch = sshd
        .zerodock("engine")
        .args(["watch", "--host", &url, "--format", "json", "--interval", "3600"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("zerodock watch starts");
    let mut lines = BufReader::new(watch.stdout.take().expect("stdout")).lines();
    let first: serde_json::Value =
        serde_json::from_str(&lines.next().expect("a first line").expect("read")).expect("JSON line");
    assert_eq!(first["trigger"], "startup", "{first}");
    std::thread::sleep(Duration::from_millis(500)); // the event subscription is up
    let running = Scenario::new("ssh-watch", true, &["-v", &sock_mount]);
    let mut found = None;
    for _ in 0..10 {
        let line: serde_json::Value =
            serde_json::from_str(&lines.next().expect("another line").expect("read")).expect("JSON");
        let new = line["new_failures"].as_array().cloned().unwrap_or_default();
        if new.iter().any(|n| n["check"] == "CTR003" && n["target"]["name"] == running.name.as_str()) {
            found = Some(line);
            break;
        }
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let line = found.expect("an evaluation over ssh names the container started with `docker run`");
    assert!(line["trigger"].as_str().is_some_and(|t| t.contains("container")), "{line}");

    // What stops a connection is said, with what to do.
    let unreachable = |config: &str| {
        let (report, out) = scan(&mut sshd.zerodock(config), &url);
        assert!(!out.status.success(), "{config}: an unreachable engine is not a clean scan");
        report["subject"]["engine_unavailable"].as_str().unwrap_or_default().to_owned()
    };
    let why = unreachable("unknown_host");
    assert!(why.contains("host key") && why.contains("never accepts an unknown host key"), "{why}");
    assert!(why.contains(&format!("ssh -p {} root@127.0.0.1", sshd.port)), "{why}");
    let known = std::fs::read_to_string(dir.join("empty_known_hosts")).expect("read");
    assert!(known.is_empty(), "the unknown host key was not added: {known}");
    let why = unreachable("stranger");
    assert!(why.contains("refused the login") && why.contains("ssh-add"), "{why}");
    let why = unreachable("no_docker");
    assert!(why.contains("no `docker` command") && why.contains("dial-stdio"), "{why}");

    drop(sshd);
    let _ = std::fs::remove_dir_all(&dir);
}
