//! The xtask's one way to drive the desktop app: `tauri-driver` (the WebDriver bridge to
//! WebKitWebDriver) located or installed, started with the app's private environment, and spoken to
//! through fantoccini — the client `src-tauri/tests/webdriver.rs` uses, so the benchmark and the
//! end-to-end test share one WebDriver dialect. Also here: the app's test state file (what the tray
//! showed, the app's pid) and closing a window the way a window manager does.
//!
//! Synchronous on the outside (the xtask's phases are plain closures): a [`Session`] owns a small
//! tokio runtime and blocks on each WebDriver command.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::util;

/// tauri-driver's WebDriver port (fixed: one app at a time, as in `src-tauri/tests/webdriver.rs`).
pub const PORT: u16 = 4444;
/// The port tauri-driver gives WebKitWebDriver.
const NATIVE_PORT: u16 = 4445;
/// The variable through which the app (built with its `test-hooks` feature) appends JSON lines
/// about the tray, notifications and its pid (`src-tauri/src/testhook.rs`; the xtask cannot link
/// the desktop crate to name it).
pub const STATE_FILE_ENV: &str = "ZERODOCK_TEST_STATE_FILE";

/// `tauri-driver` in `$CARGO_HOME/bin` (where `cargo install` puts it) or on `PATH`.
pub fn tauri_driver_path() -> Option<PathBuf> {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|d| d.join("bin/tauri-driver").display().to_string());
    let candidates: Vec<&str> = cargo_bin.iter().map(String::as_str).collect();
    util::find_binary("tauri-driver", &candidates)
}

/// `tauri-driver` from crates.io, once (~40 s).
pub fn ensure_tauri_driver() -> Result<()> {
    if let Some(found) = tauri_driver_path() {
        eprintln!("    present: {}", found.display());
        return Ok(());
    }
    util::run_visible(util::cargo().args([
        "install",
        "tauri-driver",
        "--version",
        "^2",
        "--locked",
        "--quiet",
    ]))
    .context("installing tauri-driver from crates.io")
}

/// A private home for the app: its config (settings with a 1 h rescan interval, so only Docker
/// events cause rescans), data and cache directories, and the test state file. Removed on drop.
pub struct AppHome {
    /// The directory.
    pub dir: PathBuf,
    /// The JSON-lines state file the app writes.
    pub state_file: PathBuf,
}

impl AppHome {
    /// A fresh home under the temp dir, tagged with `tag` and our pid.
    pub fn new(tag: &str) -> Result<AppHome> {
        let dir = std::env::temp_dir().join(format!("zerodock-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config = dir.join("config/dev.zerodock.desktop");
        std::fs::create_dir_all(&config)?;
        // The tray's socket dir: private (0700), so the app never meets a user's running tray.
        let run = dir.join("run");
        std::fs::create_dir_all(&run)?;
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
        std::fs::write(
            config.join("settings.json"),
            r#"{"rescan_interval_secs": 3600, "notifications": true, "start_at_login": false}"#,
        )?;
        Ok(AppHome { state_file: dir.join("state.jsonl"), dir })
    }

    /// Points `cmd` (tauri-driver, which passes its environment on to the app, or the tray) at
    /// this home.
    pub fn apply(&self, cmd: &mut Command) {
        // The autostart entry goes to $HOME/.config/autostart whatever XDG_CONFIG_HOME says.
        cmd.env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_DATA_HOME", self.dir.join("data"))
            .env("XDG_CACHE_HOME", self.dir.join("cache"))
            .env("XDG_RUNTIME_DIR", self.dir.join("run"))
            .env(STATE_FILE_ENV, &self.state_file);
    }

    /// Every line of the state file.
    pub fn lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.state_file)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .collect()
    }

    /// Every line of the state file that describes the tray.
    pub fn tray_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.state_file)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l.get("tray").is_some())
            .collect()
    }

    /// The pid the app last reported.
    pub fn app_pid(&self) -> Option<u32> {
        self.tray_lines().iter().rev().find_map(|l| l["pid"].as_u64()).and_then(|p| u32::try_from(p).ok())
    }
}

impl Drop for AppHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A running tauri-driver; SIGTERMed on drop (then it stops its WebKitWebDriver; SIGKILL would
/// orphan it).
pub struct Driver {
    child: Child,
}

impl Driver {
    /// Starts tauri-driver with the app's `DOCKER_HOST` and home; its stderr (and the app's, one
    /// line per state change) goes to `log`. Waits until it listens.
    pub fn start(docker_host: &str, home: &AppHome, log: &Path) -> Result<Driver> {
        let bin = tauri_driver_path()
            .context("tauri-driver not found: `cargo install tauri-driver --version '^2' --locked`")?;
        let mut cmd = Command::new(bin);
        cmd.args(["--port", &PORT.to_string(), "--native-port", &NATIVE_PORT.to_string()])
            .env("DOCKER_HOST", docker_host)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log)?);
        home.apply(&mut cmd);
        let driver = Driver { child: cmd.spawn().context("start tauri-driver")? };
        // tauri-driver listens before the WebKitWebDriver it starts does; a session asked for in
        // between is dropped mid-request (hyper's IncompleteMessage), so both ports are awaited.
        for (what, port) in [("tauri-driver to listen", PORT), ("WebKitWebDriver to listen", NATIVE_PORT)] {
            wait_until(what, Duration::from_secs(20), || {
                std::net::TcpStream::connect(("127.0.0.1", port)).ok()
            })?;
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        util::signal(self.child.id(), "TERM");
        if !util::wait_gone(self.child.id(), Duration::from_secs(5)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// A WebDriver session with the app (creating it launches the app).
pub struct Session {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
}

impl Session {
    /// Creates a session for `app` through the running [`Driver`], retrying for up to `within`:
    /// tauri-driver accepts connections before its WebKitWebDriver is up.
    pub fn start(app: &Path, within: Duration) -> Result<Session> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({ "application": app }));
        let url = format!("http://127.0.0.1:{PORT}");
        let deadline = Instant::now() + within;
        let client = rt.block_on(async {
            loop {
                match ClientBuilder::native().capabilities(caps.clone()).connect(&url).await {
                    Ok(client) => return Ok(client),
                    Err(e) if Instant::now() >= deadline => {
                        return Err(anyhow::Error::new(e).context("no WebDriver session with the app"));
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        })?;
        Ok(Session { rt, client: Some(client) })
    }

    fn client(&self) -> Result<&Client> {
        self.client.as_ref().context("the WebDriver session is closed")
    }

    /// The text of the first element matching `css`, if there is one.
    pub fn text(&self, css: &str) -> Result<Option<String>> {
        let client = self.client()?;
        self.rt.block_on(async {
            let Ok(el) = client.find(Locator::Css(css)).await else { return Ok(None) };
            Ok(Some(el.text().await?))
        })
    }

    /// Attribute `name` of the first element matching `css`, if both exist.
    pub fn attr(&self, css: &str, name: &str) -> Result<Option<String>> {
        let client = self.client()?;
        self.rt.block_on(async {
            let Ok(el) = client.find(Locator::Css(css)).await else { return Ok(None) };
            Ok(el.attr(name).await?)
        })
    }

    /// Clicks the first element matching `css`.
    pub fn click(&self, css: &str) -> Result<()> {
        let client = self.client()?;
        self.rt.block_on(async {
            let el = client.find(Locator::Css(css)).await.with_context(|| format!("no element {css}"))?;
            el.click().await?;
            Ok(())
        })
    }

    /// Ends the session (the app itself stays in the tray: the caller stops it).
    pub fn close(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.rt.block_on(client.close());
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close();
    }
}

/// Sends WM_DELETE_WINDOW to every X window titled `title` (what a close button does; WebDriver's
/// "close window" would end the session, and WebKitWebDriver then ends the app); returns how many
/// there were.
pub fn close_x11_window(title: &str) -> Result<usize> {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask};
    let (conn, screen) = x11rb::connect(None)?;
    let root = conn.setup().roots.get(screen).context("no X screen")?.root;
    let protocols = conn.intern_atom(false, b"WM_PROTOCOLS")?.reply()?.atom;
    let delete = conn.intern_atom(false, b"WM_DELETE_WINDOW")?.reply()?.atom;
    let (mut stack, mut sent) = (vec![root], 0);
    while let Some(window) = stack.pop() {
        // Windows may vanish during the walk (BadWindow): skip them.
        let Ok(tree) = conn.query_tree(window)?.reply() else { continue };
        stack.extend(tree.children);
        let Ok(name) = conn.get_property(false, window, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256)?.reply()
        else {
            continue;
        };
        if name.value == title.as_bytes() {
            let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
            conn.send_event(false, window, EventMask::NO_EVENT, event)?;
            sent += 1;
        }
    }
    conn.flush()?;
    Ok(sent)
}

/// Polls `probe` every 10 ms until it yields a value, for up to `within`.
pub fn wait_until<T>(what: &str, within: Duration, mut probe: impl FnMut() -> Option<T>) -> Result<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe() {
            return Ok(v);
        }
        if Instant::now() >= deadline {
            bail!("timed out after {within:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
