//! A private, real Secret Service for tests: its own `dbus-daemon --session` and an unlocked
//! `gnome-keyring-daemon` whose HOME and XDG dirs live in a temporary directory, so a test never
//! touches the user's keyring and leaves nothing behind (both processes are killed on drop).
//! Shared by crates/store/tests and the CLI tests (tests/trust_cli.rs includes it by path).

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The two daemons and their directory.
pub struct PrivateSecretService {
    dir: PathBuf,
    bus: Child,
    keyring: Child,
    /// The bus address for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

impl PrivateSecretService {
    /// Starts the bus and the keyring daemon and waits until `org.freedesktop.secrets` answers.
    pub fn start() -> PrivateSecretService {
        let dir = std::env::temp_dir().join(format!(
            "zerodock-secret-service-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
        ));
        for sub in ["home", "run", "data", "config", "cache"] {
            std::fs::create_dir_all(dir.join(sub)).expect("temp dir");
        }
        // gnome-keyring refuses a runtime dir others can read.
        std::process::Command::new("chmod").arg("700").arg(dir.join("run")).status().expect("chmod");
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .envs(Self::dirs(&dir))
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (apt install dbus) starts");
        let mut line = String::new();
        BufReader::new(bus.stdout.take().expect("stdout")).read_line(&mut line).expect("bus address");
        let address = line.trim().to_owned();
        assert!(address.starts_with("unix:"), "dbus-daemon printed {address:?}");
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .envs(Self::dirs(&dir))
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (apt install gnome-keyring) starts");
        // The login keyring's password on stdin, then EOF: it is created and unlocked.
        keyring.stdin.take().expect("stdin").write_all(b"zerodock-test-password").expect("password");
        let fixture = PrivateSecretService { dir, bus, keyring, address };
        fixture.wait_for_name();
        fixture
    }

    fn dirs(dir: &std::path::Path) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("HOME", dir.join("home")),
            ("XDG_RUNTIME_DIR", dir.join("run")),
            ("XDG_DATA_HOME", dir.join("data")),
            ("XDG_CONFIG_HOME", dir.join("config")),
            ("XDG_CACHE_HOME", dir.join("cache")),
        ]
    }

    fn wait_for_name(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = Command::new("dbus-send")
                .args([
                    &format!("--bus={}", self.address),
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .output()
                .expect("dbus-send");
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                return;
            }
            assert!(Instant::now() < deadline, "gnome-keyring-daemon did not take org.freedesktop.secrets");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The environment a client process needs: this bus, and HOME/XDG dirs in the temp dir (so
    /// nothing the client does lands in the real home).
    pub fn env(&self) -> Vec<(&'static str, OsString)> {
        let mut env: Vec<(&'static str, OsString)> =
            Self::dirs(&self.dir).into_iter().map(|(k, v)| (k, v.into_os_string())).collect();
        env.push(("DBUS_SESSION_BUS_ADDRESS", self.address.clone().into()));
        env
    }
}

impl Drop for PrivateSecretService {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
