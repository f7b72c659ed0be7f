//! The tray process end to end: `target/debug/zerodock-tray` (built with `test-hooks` by this
//! package's tests) on a private `dbus-daemon`, against the engine of `ZERODOCK_TEST_DOCKER_HOST`,
//! with the dashboard it starts (`target/debug/zerodock-desktop`, built by the same
//! `cargo test --workspace`) on the X display of `xvfb-run`.
//!
//! - StatusNotifier path: this test is the tray host — it owns `org.kde.StatusNotifierWatcher`
//!   and `org.freedesktop.Notifications` on its own bus, reads the item's icon pixels, tooltip and
//!   menu over D-Bus and clicks menu items through `com.canonical.dbusmenu`, as a panel does. It
//!   proves: the icon is the posture's icon and turns critical on `docker run --privileged`;
//!   "Open dashboard" starts the dashboard, which paints the tray's score; closing the window ends
//!   the dashboard and leaves the tray alone; the notification names the container and clicking
//!   it opens the dashboard again (on that finding); "Quit ZeroDock" ends the tray and the
//!   dashboard.
//! - XEmbed path: no watcher on the bus, `trayer` (an XEmbed tray) on the display: the tray falls
//!   back to the GTK tray, whose icon window gets embedded in trayer; a socket `quit` ends it.
//!
//! Run as `cargo xtask test` does:
//! ```sh
//! ZERODOCK_TEST_DOCKER_HOST=unix:///tmp/zerodock-test/test/docker.sock \
//!   xvfb-run -a --server-args="-screen 0 1280x800x24" dbus-run-session -- \
//!   cargo test --workspace --test tray_e2e
//! ```

// zbus's `interface` macro generates public items without docs for the test's D-Bus services.
#![allow(missing_docs)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use zbus::zvariant::{OwnedValue, Value as ZValue};
use zerodock_tray::indicator::{icon_argb, label};
use zerodock_tray::model::TrayState;
use zerodock_tray::tuning;

mod common;
use common::{Bus, Client, scratch_image};

/// How long a socket read may wait: an image's first read exports it from the engine —
/// generous, but never a hang.
const IMAGE_READ_PATIENCE: Duration = Duration::from_secs(300);

/// Held by every test that changes the engine (containers): the tests of this file run in
/// parallel, and one's containers would move the other's score between "the tray showed" and "the
/// dashboard painted".
static ENGINE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A private home (settings with a 1 h interval: only events explain a change within seconds),
/// runtime dir and state file; removed on drop with the processes it knows of.
struct Home {
    dir: PathBuf,
    docker_host: String,
    containers: Vec<String>,
    tray: Option<Child>,
}

impl Home {
    fn new(tag: &str) -> Home {
        let docker_host = std::env::var("ZERODOCK_TEST_DOCKER_HOST").unwrap_or_else(|_| {
            panic!(
                "ZERODOCK_TEST_DOCKER_HOST is not set: `cargo xtask scenario up --daemon test` and export \
                 ZERODOCK_TEST_DOCKER_HOST=unix:///tmp/zerodock-test/test/docker.sock"
            )
        });
        assert!(std::env::var_os("DISPLAY").is_some(), "DISPLAY is not set: run under xvfb-run");
        let dir = std::env::temp_dir().join(format!("zerodock-tray-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config = dir.join("config/dev.zerodock.desktop");
        std::fs::create_dir_all(&config).expect("config dir");
        std::fs::write(config.join("settings.json"), r#"{"rescan_interval_secs": 3600}"#).expect("settings");
        let run = dir.join("run");
        std::fs::create_dir_all(&run).expect("runtime dir");
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
        Home { dir, docker_host, containers: Vec::new(), tray: None }
    }

    fn state_file(&self) -> PathBuf {
        self.dir.join("state.jsonl")
    }

    fn lines(&self) -> Vec<Value> {
        std::fs::read_to_string(self.state_file())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    fn start_tray(&mut self, bus: &Bus, extra: &[(&str, &str)]) -> u32 {
        let log = std::fs::File::create(self.dir.join("tray.log")).expect("log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zerodock-tray"));
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("DOCKER_HOST", &self.docker_host)
            .env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_DATA_HOME", self.dir.join("data"))
            .env("XDG_CACHE_HOME", self.dir.join("cache"))
            .env("XDG_RUNTIME_DIR", self.dir.join("run"))
            .env(zerodock_tray::testhook::ENV, self.state_file())
            .env("RUST_LOG", "zerodock_tray=debug,zerodock_desktop=info,warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start zerodock-tray");
        let pid = child.id();
        self.tray = Some(child);
        pid
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("tray.log")).unwrap_or_default()
    }

    fn docker(&self, args: &[&str]) -> std::process::Output {
        Command::new("docker").arg("-H").arg(&self.docker_host).args(args).output().expect("docker CLI")
    }

    fn wait<T>(&self, what: &str, within: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + within;
        loop {
            if let Some(v) = probe() {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {within:?} waiting for {what}\ntray log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        for name in &self.containers {
            let _ = self.docker(&["rm", "-f", name]);
        }
        if let Some(mut tray) = self.tray.take() {
            let _ = Command::new("kill").arg("-TERM").arg(tray.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline && matches!(tray.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = tray.kill();
            let _ = tray.wait();
        }
        // A dashboard the tray started, should the tray have died first.
        for l in self.lines() {
            if let Some(pid) = l["dashboard_pid"].as_u64().filter(|p| *p > 0) {
                let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).stderr(Stdio::null()).status();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether `pid` runs (a zombie has ended).
/// A process's environment, `NAME=value` each.
fn environ(pid: u64) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/environ"))
        .map(|b| b.split(|c| *c == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect())
        .unwrap_or_default()
}

fn alive(pid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.trim_start().to_owned()))
        .is_some_and(|rest| !rest.starts_with('Z'))
}

fn children(pid: u64) -> Vec<u64> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat")).ok().and_then(|s| {
                s.rsplit_once(')').and_then(|(_, r)| r.split_whitespace().nth(1)?.parse::<u64>().ok())
            }) == Some(pid)
        })
        .filter(|p| alive(*p))
        .collect()
}

/// Sends WM_DELETE_WINDOW to every X window titled `title`; returns how many there were.
fn close_x11_window(title: &str) -> usize {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask};
    let (conn, screen) = x11rb::connect(None).expect("X display");
    let root = conn.setup().roots[screen].root;
    let protocols = conn.intern_atom(false, b"WM_PROTOCOLS").expect("atom").reply().expect("atom").atom;
    let delete = conn.intern_atom(false, b"WM_DELETE_WINDOW").expect("atom").reply().expect("atom").atom;
    let (mut stack, mut sent) = (vec![root], 0);
    while let Some(window) = stack.pop() {
        let Ok(tree) = conn.query_tree(window).expect("query").reply() else { continue };
        stack.extend(tree.children);
        let Ok(name) =
            conn.get_property(false, window, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256).expect("prop").reply()
        else {
            continue;
        };
        if name.value == title.as_bytes() {
            let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
            conn.send_event(false, window, EventMask::NO_EVENT, event).expect("send");
            sent += 1;
        }
    }
    conn.flush().expect("flush");
    sent
}

// ---- the test's tray host: a StatusNotifierWatcher and a notification server ----

#[derive(Default, Clone)]
struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(
        &self,
        service: String,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        // ksni passes its well-known name; a bare path would mean "the sender at that path".
        let service = if service.starts_with('/') {
            header.sender().map(|s| s.to_string()).unwrap_or_default()
        } else {
            service
        };
        self.items.lock().expect("lock").push(service);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().expect("lock").clone()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// A notification the tray sent: id, summary, body, actions.
type Sent = (u32, String, String, Vec<String>);

/// A dbusmenu layout node: id, properties, children.
type MenuNode = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

#[derive(Default, Clone)]
struct Notifications {
    sent: Arc<Mutex<Vec<Sent>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut sent = self.sent.lock().expect("lock");
        let id = sent.len() as u32 + 1;
        sent.push((id, summary, body, actions));
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("zerodock-test".into(), "zerodock".into(), "1".into(), "1.2".into())
    }

    /// The user clicked a notification (`default`) or one of its actions.
    #[zbus(signal)]
    async fn action_invoked(
        emitter: &zbus::object_server::SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

/// A StatusNotifierItem as a host sees it.
struct Item {
    conn: zbus::Connection,
    service: String,
}

impl Item {
    async fn property(&self, path: &str, iface: &'static str, name: &str) -> OwnedValue {
        let props = zbus::fdo::PropertiesProxy::builder(&self.conn)
            .destination(self.service.clone())
            .expect("destination")
            .path(path.to_owned())
            .expect("path")
            .build()
            .await
            .expect("properties proxy");
        props.get(zbus::names::InterfaceName::from_static_str_unchecked(iface), name).await.expect("property")
    }

    async fn icon(&self) -> Vec<u8> {
        let value = self.property("/StatusNotifierItem", "org.kde.StatusNotifierItem", "IconPixmap").await;
        let icons = <Vec<(i32, i32, Vec<u8>)>>::try_from(value).expect("IconPixmap a(iiay)");
        icons.into_iter().next().expect("one pixmap").2
    }

    async fn tooltip(&self) -> String {
        let value = self.property("/StatusNotifierItem", "org.kde.StatusNotifierItem", "ToolTip").await;
        let (_, _, title, _) =
            <(String, Vec<(i32, i32, Vec<u8>)>, String, String)>::try_from(value).expect("ToolTip");
        title
    }

    async fn menu_path(&self) -> String {
        let value = self.property("/StatusNotifierItem", "org.kde.StatusNotifierItem", "Menu").await;
        zbus::zvariant::OwnedObjectPath::try_from(value).expect("Menu path").to_string()
    }

    /// Clicks the menu item labelled `text` (dbusmenu `Event(id, "clicked", …)`).
    async fn click(&self, text: &str) {
        let menu = zbus::Proxy::new(
            &self.conn,
            self.service.clone(),
            self.menu_path().await,
            "com.canonical.dbusmenu",
        )
        .await
        .expect("dbusmenu proxy");
        let (_, (_, _, children)): (u32, MenuNode) =
            menu.call("GetLayout", &(0_i32, -1_i32, Vec::<String>::new())).await.expect("GetLayout");
        let mut found = None;
        let mut labels = Vec::new();
        for child in children {
            let (id, props, _) = <MenuNode>::try_from(child).expect("menu item");
            let item_label =
                props.get("label").and_then(|v| String::try_from(v.clone()).ok()).unwrap_or_default();
            if item_label == text {
                found = Some(id);
            }
            labels.push(item_label);
        }
        let id = found.unwrap_or_else(|| panic!("no menu item {text:?} in {labels:?}"));
        let () = menu.call("Event", &(id, "clicked", ZValue::I32(0), 0_u32)).await.expect("Event clicked");
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn last_settled(lines: &[Value], since: u64) -> Option<Value> {
    lines
        .iter()
        .rev()
        .find(|l| {
            l["at_ms"].as_u64().is_some_and(|at| at >= since)
                && l.get("tray").is_some()
                && l["scanning"] == false
                && !l["score"].is_null()
        })
        .cloned()
}

fn tray_state(name: &str) -> TrayState {
    serde_json::from_value(Value::String(name.to_owned())).expect("a tray state name")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_notifier_tray_follows_the_engine_starts_and_ends_the_dashboard() {
    let _engine = ENGINE.lock().await;
    let bus = Bus::start();
    let mut home = Home::new("sni");
    let container = format!("zd-tray-priv-{}", std::process::id());
    home.containers.push(container.clone());
    let _ = home.docker(&["rm", "-f", &container]);

    // The host side, on the private bus.
    let watcher = Watcher::default();
    let notifications = Notifications::default();
    let host = zbus::connection::Builder::address(bus.address.as_str())
        .expect("address")
        .name("org.kde.StatusNotifierWatcher")
        .expect("name")
        .name("org.freedesktop.Notifications")
        .expect("name")
        .serve_at("/StatusNotifierWatcher", watcher.clone())
        .expect("serve watcher")
        .serve_at("/org/freedesktop/Notifications", notifications.clone())
        .expect("serve notifications")
        .build()
        .await
        .expect("the test's bus connection");

    let tray_pid = u64::from(home.start_tray(&bus, &[]));
    let service = home.wait("the item to register with the watcher", Duration::from_secs(20), || {
        watcher.items.lock().expect("lock").first().cloned()
    });
    let item = Item { conn: host.clone(), service };
    assert!(
        home.lines().iter().any(|l| l["backend"] == "sni"),
        "a watcher is on the bus: {:?}",
        home.lines()
    );

    // 1. The first posture: the icon a host reads is that state's icon.
    let before =
        home.wait("the first settled tray state", Duration::from_secs(60), || last_settled(&home.lines(), 0));
    let shown = tray_state(before["tray"].as_str().expect("tray"));
    assert_eq!(item.icon().await, icon_argb(shown).expect("icon").pixels, "the pixmap of {shown:?}");
    let score_before = before["score"].as_u64().expect("score");
    let tooltip = item.tooltip().await;
    assert!(
        tooltip.starts_with("ZeroDock — ") && tooltip.contains(&format!("{score_before}/100")),
        "{tooltip}"
    );

    // 2. "Open dashboard" (dbusmenu click): the dashboard starts and paints the tray's score.
    item.click(label::OPEN).await;
    let painted = home.wait("the dashboard to paint a score", Duration::from_secs(60), || {
        home.lines().into_iter().find(|l| l.get("dashboard_painted").is_some())
    });
    assert_eq!(painted["dashboard_painted"].as_u64(), Some(score_before), "{painted}");
    let dashboard = painted["dashboard_pid"].as_u64().expect("dashboard pid");
    assert!(children(tray_pid).contains(&dashboard), "the tray started it");
    // The tray re-executed itself with its memory settings; the dashboard has the user's
    // environment (WebKit draws with OpenGL).
    let tray_env = environ(tray_pid);
    assert!(tray_env.iter().any(|v| v == "GDK_GL=disable"), "{tray_env:?}");
    assert!(tray_env.iter().any(|v| v == "MALLOC_ARENA_MAX=1"), "{tray_env:?}");
    let dashboard_env = environ(dashboard);
    assert!(
        !dashboard_env.iter().any(|v| v.starts_with("GDK_GL=")
            || v.starts_with("MALLOC_")
            || v.starts_with(tuning::TUNED_ENV)),
        "{dashboard_env:?}"
    );

    // 3. Closing its window ends the dashboard; the tray stays, with no process under it.
    assert_eq!(close_x11_window("ZeroDock"), 1, "one dashboard window");
    home.wait("the dashboard to exit", Duration::from_secs(10), || (!alive(dashboard)).then_some(()));
    home.wait("the tray to see it exit", Duration::from_secs(5), || {
        home.lines().iter().any(|l| l["dashboard"] == "exited").then_some(())
    });
    assert!(alive(tray_pid), "the tray keeps running\n{}", home.log());
    assert_eq!(children(tray_pid), Vec::<u64>::new(), "nothing but the tray is left");

    // 4. A privileged container (`docker run`; the event carries it even where the sandbox
    // refuses to start it): the icon turns critical, a notification names it.
    let t0 = now_ms();
    let run =
        home.docker(&["run", "-d", "--privileged", "--name", &container, scratch_image(), "sleep", "3600"]);
    eprintln!("docker run --privileged: {:?} {}", run.status, String::from_utf8_lossy(&run.stderr).trim());
    assert!(home.docker(&["inspect", &container]).status.success(), "the container exists");
    let after = home.wait("a critical tray state", Duration::from_secs(20), || {
        last_settled(&home.lines(), t0).filter(|l| l["tray"] == "critical")
    });
    home.wait("the critical icon on the bus", Duration::from_secs(5), || {
        let item = &item;
        let icon = futures_block(item.icon());
        (icon == icon_argb(TrayState::Critical).expect("icon").pixels).then_some(())
    });
    let notified = home.wait("a notification naming the container", Duration::from_secs(10), || {
        notifications.sent.lock().expect("lock").iter().find(|n| n.2.contains(&container)).cloned()
    });
    assert!(notified.3.contains(&"default".to_owned()), "clickable: {notified:?}");

    // 5. Clicking the notification opens the dashboard again, painting the new score.
    let iface = host
        .object_server()
        .interface::<_, Notifications>("/org/freedesktop/Notifications")
        .await
        .expect("our notification server");
    Notifications::action_invoked(iface.signal_emitter(), notified.0, "default")
        .await
        .expect("emit ActionInvoked");
    let repainted = home.wait("the dashboard to open from the notification", Duration::from_secs(60), || {
        home.lines().into_iter().filter(|l| l.get("dashboard_painted").is_some()).nth(1)
    });
    assert_eq!(repainted["dashboard_painted"].as_u64(), after["score"].as_u64(), "{repainted} vs {after}");
    let dashboard = repainted["dashboard_pid"].as_u64().expect("pid");
    assert!(home.log().contains("notification clicked"), "{}", home.log());

    // 6. "Quit ZeroDock" ends the tray and its dashboard.
    item.click(label::QUIT).await;
    let mut tray = home.tray.take().expect("tray child");
    let status = home.wait("the tray to exit", Duration::from_secs(10), || tray.try_wait().ok().flatten());
    assert!(status.success(), "{status}\n{}", home.log());
    home.wait("the dashboard to exit with it", Duration::from_secs(5), || (!alive(dashboard)).then_some(()));
    assert!(!home.dir.join("run/zerodock/tray.sock").exists(), "the socket is removed");
}

/// Runs a future to completion from a sync probe (on a helper thread with its own runtime).
fn futures_block<F: std::future::Future + Send>(f: F) -> F::Output
where
    F::Output: Send,
{
    std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f)
        })
        .join()
        .expect("probe thread")
    })
}

#[test]
fn without_a_watcher_the_tray_embeds_in_an_xembed_tray() {
    let bus = Bus::start();
    let mut home = Home::new("xembed");
    // An XEmbed-only tray on the display (Debian package trayer), on its own bus: no watcher.
    let mut trayer = Command::new("trayer")
        .args(["--edge", "bottom", "--align", "right", "--widthtype", "pixel", "--width", "200"])
        .args(["--heighttype", "pixel", "--height", "40", "--transparent", "false"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("trayer (Debian package trayer)");
    std::thread::sleep(Duration::from_millis(500));
    // As on a desktop where the tray is the first GTK 3 client: GTK then probes OpenGL, unless
    // told not to (an earlier GTK client leaves its result on the root window).
    forget_gdk_visuals();
    let tray_pid = home.start_tray(&bus, &[]);
    home.wait("the backend line", Duration::from_secs(20), || {
        home.lines().into_iter().find(|l| l.get("backend").is_some())
    });
    let backend = home.lines().into_iter().find_map(|l| l["backend"].as_str().map(str::to_owned));
    assert_eq!(backend.as_deref(), Some("xembed"), "no watcher: the XEmbed fallback\n{}", home.log());
    let embedded = home.wait("the icon window embedded in trayer", Duration::from_secs(20), || {
        embedded_icon_windows().filter(|n| *n > 0)
    });
    eprintln!("{embedded} XEmbed client window(s) inside trayer");
    home.wait("a settled tray state", Duration::from_secs(60), || last_settled(&home.lines(), 0));
    // GTK without OpenGL: no GL driver (on this VM Mesa's llvmpipe and libLLVM, +55 MB) was
    // loaded, although GTK probes GL when it is the display's first GTK 3 client (trayer is GTK 2).
    let maps = std::fs::read_to_string(format!("/proc/{tray_pid}/maps")).expect("maps");
    let gl: Vec<&str> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|p| p.contains("/dri/") || p.contains("libLLVM") || p.contains("libGLX_mesa"))
        .collect();
    assert!(gl.is_empty(), "the XEmbed tray loaded a GL driver: {gl:?}");

    // The socket's quit (what the dashboard and a second launch speak) ends it.
    let socket = home.dir.join("run/zerodock/tray.sock");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&socket).expect("socket").permissions());
    assert_eq!(mode & 0o777, 0o600, "only the user may connect");
    // Its reply is written before the tray exits (a second launch waits for it).
    let (_, quit) =
        Client::connect(&socket, Duration::from_secs(10)).ask(serde_json::json!({"type": "quit"}));
    assert_eq!(quit, Ok(Value::Null), "the quit is answered");
    let mut tray = home.tray.take().expect("tray");
    let status = home.wait("the tray to quit", Duration::from_secs(10), || tray.try_wait().ok().flatten());
    assert!(status.success(), "{status}");
    assert!(!alive(u64::from(tray_pid)));
    let _ = trayer.kill();
    let _ = trayer.wait();
}

/// Removes `GDK_VISUALS` from the root window: the GL visuals the first GTK 3 client of a
/// display found, which later clients read instead of probing GL themselves.
fn forget_gdk_visuals() {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::ConnectionExt;
    let (conn, screen) = x11rb::connect(None).expect("the display");
    let root = conn.setup().roots[screen].root;
    let atom = conn.intern_atom(false, b"GDK_VISUALS").expect("intern").reply().expect("atom").atom;
    conn.delete_property(root, atom).expect("delete GDK_VISUALS");
    conn.flush().expect("flush");
}

/// How many embedded windows (not top-level, carrying `_XEMBED_INFO`) the display has: the
/// icons an XEmbed tray (here only trayer) took in.
fn embedded_icon_windows() -> Option<usize> {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{AtomEnum, ConnectionExt};
    let (conn, screen) = x11rb::connect(None).ok()?;
    let root = conn.setup().roots[screen].root;
    let xembed = conn.intern_atom(false, b"_XEMBED_INFO").ok()?.reply().ok()?.atom;
    let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
    let mut count = 0;
    while let Some((w, depth)) = stack.pop() {
        let info = conn.get_property(false, w, xembed, AtomEnum::ANY, 0, 2).ok().and_then(|c| c.reply().ok());
        if depth >= 2 && info.is_some_and(|r| r.length > 0) {
            count += 1;
        }
        if let Some(tree) = conn.query_tree(w).ok().and_then(|c| c.reply().ok()) {
            stack.extend(tree.children.into_iter().map(|c| (c, depth + 1)));
        }
    }
    Some(count)
}

/// A vulnerability database imported from the test advisories (as `tests/vulns_live.rs` builds
/// it), at the tray's default location under `data`.
fn test_database(data: &std::path::Path) {
    use std::io::Write;
    let records = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../vuln/testdata/osv");
    let zip_path = data.join("all.zip");
    std::fs::create_dir_all(data).expect("data dir");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("create zip"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&records)
        .expect("testdata/osv")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_owned();
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("zip entry");
        zip.write_all(&std::fs::read(&path).expect("read record")).expect("zip write");
    }
    zip.finish().expect("zip finish");
    let mut db = zerodock_vuln::db::Database::open(&data.join("zerodock/vulndb.sqlite")).expect("database");
    let summary = db.import_zip(&zip_path, "test advisories").expect("import");
    assert!(summary.imported > 0, "{summary:?}");
}

#[test]
fn the_dashboard_s_requests_scan_images_and_save_settings_in_the_tray() {
    let _engine = ENGINE.blocking_lock();
    let bus = Bus::start();
    let mut home = Home::new("requests");
    test_database(&home.dir.join("data"));
    // Two vulnerable images in use (created, never started: in use all the same).
    for image in ["zerodock/vuln-debian:1", "zerodock/vuln-alpine:1"] {
        let name = format!("zd-tray-{}-{}", image.replace(['/', ':'], "-"), std::process::id());
        let _ = home.docker(&["rm", "-f", &name]);
        let out = home.docker(&["create", "--name", &name, image, "/bin/true"]);
        assert!(out.status.success(), "docker create {image}: {}", String::from_utf8_lossy(&out.stderr));
        home.containers.push(name);
    }
    home.start_tray(&bus, &[]);
    let socket = home.dir.join("run/zerodock/tray.sock");
    home.wait("the tray's first report", Duration::from_secs(60), || {
        last_settled(&home.lines(), 0).filter(|_| socket.exists())
    });
    let mut client = Client::connect(&socket, IMAGE_READ_PATIENCE);
    let (states, subscribed) = client.ask(serde_json::json!({"type": "subscribe"}));
    assert_eq!(subscribed, Ok(Value::Null));
    let first = states.first().expect("the state comes first");
    assert!(first["report"]["vulnerabilities"].is_null(), "no image is read without being asked");
    let vul = |state: &Value, code: &str| -> String {
        let checks = state["report"]["checks"].as_array().expect("checks");
        let check = checks.iter().find(|c| c["id"] == code).unwrap_or_else(|| panic!("{code} in the report"));
        check["status"].as_str().expect("status").to_owned()
    };
    assert_eq!(vul(first, "VUL001"), "unknown", "unscanned: unknown, never a silent pass");

    // Settings: validated, persisted by the tray, published to the dashboards.
    let mut settings = first["settings"].clone();
    settings["rescan_interval_secs"] = 5.into();
    let (_, refused) = client.ask(serde_json::json!({"type": "update_settings", "settings": settings}));
    assert_eq!(refused.expect_err("out of range")["code"], "invalid_argument");
    settings["rescan_interval_secs"] = 1800.into();
    settings["theme"] = "dark".into();
    settings["notify_min_severity"] = "critical".into();
    let (states, saved) = client.ask(serde_json::json!({"type": "update_settings", "settings": settings}));
    assert_eq!(saved, Ok(settings.clone()));
    assert_eq!(states.last().expect("published before the reply")["settings"], settings);
    let file = home.dir.join("config/dev.zerodock.desktop/settings.json");
    let on_disk: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("settings.json")).expect("json");
    assert_eq!(on_disk, settings, "persisted where the next tray reads them");

    // Scan images: the report the tray publishes has the vulnerability part and VUL verdicts.
    let (states, scanned) = client.ask(serde_json::json!({"type": "scan_images"}));
    assert_eq!(scanned, Ok(Value::Null), "tray log:\n{}", home.log());
    let state = states.last().expect("the report is published before the reply");
    let scan = &state["report"]["vulnerabilities"];
    assert!(!scan["database"].is_null(), "matched against the imported database: {scan}");
    let images: Vec<&str> =
        scan["images"].as_array().expect("images").iter().filter_map(|i| i["image"].as_str()).collect();
    for image in ["zerodock/vuln-debian:1", "zerodock/vuln-alpine:1"] {
        assert!(images.contains(&image), "{image} scanned: {images:?}");
    }
    let debian =
        scan["images"].as_array().expect("images").iter().find(|i| i["image"] == "zerodock/vuln-debian:1");
    let advisories = debian.and_then(|i| i["vulnerabilities"].as_array()).map_or(0, Vec::len);
    assert!(advisories > 0, "the Debian image's advisories: {debian:?}");
    assert_eq!(vul(state, "VUL001"), "fail", "a known vulnerability in an image in use");

    // A container event re-evaluates without reading images again, and keeps the part.
    let name = format!("zd-tray-event-{}", std::process::id());
    home.containers.push(name.clone());
    let _ = home.docker(&["rm", "-f", &name]);
    let out = home.docker(&["create", "--name", &name, scratch_image(), "/bin/true"]);
    assert!(out.status.success(), "docker create: {}", String::from_utf8_lossy(&out.stderr));
    let after = client.state_until(|s| {
        s["report"]["inventory"]["containers"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|c| c["name"].as_str() == Some(name.as_str())))
    });
    assert!(!after["report"]["vulnerabilities"].is_null(), "an event's re-evaluation keeps the scan");
    assert_eq!(vul(&after, "VUL001"), "fail");
    drop(client);
    drop(home);
    drop(bus);
}

/// The tray saves its scans into the history (on change only), answers the History view, moves a
/// damaged history aside and says so in its state, and follows the engine the switcher selects: an
/// added engine whose socket does not exist (the watcher restarts on it, its host-only scan lands
/// under its own endpoint), then back to the test engine.
#[test]
fn the_tray_saves_scans_on_change_and_follows_the_selected_engine() {
    let _engine = ENGINE.blocking_lock();
    let bus = Bus::start();
    let mut home = Home::new("history");
    // A damaged history where the tray keeps it: moved aside, never a failed start.
    let db = home.dir.join("data/zerodock/history.sqlite");
    std::fs::create_dir_all(db.parent().expect("dir")).expect("data dir");
    std::fs::write(&db, b"not a database, a damaged file ".repeat(300)).expect("damaged file");
    home.start_tray(&bus, &[]);
    let socket = home.dir.join("run/zerodock/tray.sock");
    home.wait("the tray's first report", Duration::from_secs(60), || {
        last_settled(&home.lines(), 0).filter(|_| socket.exists())
    });
    let mut client = Client::connect(&socket, IMAGE_READ_PATIENCE);
    let (states, _) = client.ask(serde_json::json!({"type": "subscribe"}));
    let first = states.first().expect("state").clone();
    let endpoint = first["engine"]["endpoint"].as_str().expect("endpoint").to_owned();
    assert_eq!(endpoint, home.docker_host);
    let saved = if first["history"]["revision"].as_u64() >= Some(1) {
        first
    } else {
        client.state_until(|s| s["history"]["revision"].as_u64() >= Some(1))
    };
    let told = saved["history"]["recovered"].as_str().expect("the recovery is told").to_owned();
    assert!(told.contains("moved to") && told.contains("history.sqlite.corrupt-"), "{told}");
    let kept = std::fs::read_dir(db.parent().expect("dir"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("history.sqlite.corrupt-"))
        .expect("the damaged file is kept");
    assert!(std::fs::read(kept.path()).expect("read").starts_with(b"not a database"));

    let list = |client: &mut Client, engine: &str| -> Vec<Value> {
        let (_, reply) = client.ask(serde_json::json!({"type": "history", "engine": engine, "limit": null}));
        reply.expect("history")["scans"].as_array().expect("scans").clone()
    };
    let scans = list(&mut client, &endpoint);
    assert_eq!(scans.len(), 1, "{scans:?}");
    assert_eq!(scans[0]["reached_engine"], true);
    assert!(scans[0]["categories"].as_array().is_some_and(|c| !c.is_empty()));

    // A rescan that changes nothing is not saved.
    let before = saved["report"]["generated_at"].clone();
    let (_, ok) = client.ask(serde_json::json!({"type": "scan_now"}));
    assert_eq!(ok, Ok(Value::Null));
    client.state_until(|s| {
        s["scanning"] == false && s["report"]["generated_at"] != before && !s["report"].is_null()
    });
    assert_eq!(list(&mut client, &endpoint).len(), 1, "unchanged: not saved");

    // A privileged container is a new failure: saved, and the diff since the first scan names it.
    let name = format!("zd-tray-history-{}", std::process::id());
    home.containers.push(name.clone());
    let _ = home.docker(&["rm", "-f", &name]);
    let out = home.docker(&["create", "--privileged", "--name", &name, scratch_image(), "/bin/true"]);
    assert!(out.status.success(), "docker create: {}", String::from_utf8_lossy(&out.stderr));
    client.state_until(|s| s["history"]["revision"].as_u64() >= Some(2));
    let scans = list(&mut client, &endpoint);
    assert_eq!(scans.len(), 2, "{scans:?}");
    let first_id = scans[1]["id"].clone();
    let (_, diff) = client.ask(serde_json::json!({"type": "history_diff", "from": first_id, "to": null}));
    let diff = diff.expect("diff");
    let new: Vec<&str> = diff["new_failures"]
        .as_array()
        .expect("new failures")
        .iter()
        .filter_map(|f| f["target"]["name"].as_str())
        .collect();
    assert!(new.contains(&name.as_str()), "{new:?}");

    // The switcher: DOCKER_HOST is listed as what the docker CLI uses now.
    let (_, engines) = client.ask(serde_json::json!({"type": "engines"}));
    let engines = engines.expect("engines");
    let docker_host = engines["engines"]
        .as_array()
        .expect("list")
        .iter()
        .find(|e| e["id"] == "docker-host")
        .expect("DOCKER_HOST listed")
        .clone();
    assert_eq!(
        (docker_host["host"].as_str(), &docker_host["current"]),
        (Some(endpoint.as_str()), &Value::Bool(true))
    );

    // An added engine that is not there: selected, the watcher follows it and finds it down.
    let nowhere = format!("unix://{}/nowhere/docker.sock", home.dir.display());
    let (_, added) = client.ask(serde_json::json!({"type": "add_engine",
        "engine": {"name": "nowhere", "host": nowhere, "tls": null}}));
    let id = added.expect("added")["id"].as_str().expect("id").to_owned();
    let (_, state) = client.ask(serde_json::json!({"type": "select_engine", "id": id}));
    let state = state.expect("selected");
    assert_eq!(state["engine"]["endpoint"], nowhere.as_str());
    assert!(state["report"].is_null(), "the old engine's report is not shown for the new one");
    let down = client.state_until(|s| s["engine"]["state"] == "unreachable" && !s["report"].is_null());
    assert_eq!(down["report"]["subject"]["endpoint"]["host"], nowhere.as_str());
    let file = home.dir.join("config/dev.zerodock.desktop/settings.json");
    let settings: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("settings")).expect("json");
    assert_eq!(settings["engine"], id.as_str(), "the choice is kept");
    let elsewhere = list(&mut client, &nowhere);
    assert_eq!(elsewhere.len(), 1, "its own history: {elsewhere:?}");
    assert_eq!(elsewhere[0]["reached_engine"], false);
    let (_, refused) = client.ask(serde_json::json!({"type": "remove_engine", "id": id}));
    assert_eq!(refused.expect_err("watched")["code"], "invalid_argument");

    // Back to the docker CLI's choice: the test engine again, its history untouched.
    let (_, state) = client.ask(serde_json::json!({"type": "select_engine", "id": null}));
    assert_eq!(state.expect("selected")["engine"]["endpoint"], endpoint.as_str());
    let back = client.state_until(|s| s["engine"]["state"] == "connected" && !s["report"].is_null());
    assert_eq!(back["report"]["subject"]["endpoint"]["host"], endpoint.as_str());
    assert!(list(&mut client, &endpoint).len() >= 2);
    let (_, removed) = client.ask(serde_json::json!({"type": "remove_engine", "id": id}));
    assert!(
        removed.expect("removed")["engines"].as_array().expect("list").iter().all(|e| e["id"] != id.as_str())
    );
    drop(client);
    drop(home);
    drop(bus);
}

/// *Accept risk…* through the real tray: the waiver the dashboard asks for is written to the
/// project's policy file (`ZERODOCK_POLICY`), its comment kept, the state carries the file's waivers
/// at once, and the live engine's report comes back judged with it (the finding waived, with the
/// reason); taking it back restores the file and the failure.
#[test]
fn the_tray_accepts_a_risk_into_the_policy_file_and_judges_again() {
    let _engine = ENGINE.blocking_lock();
    let bus = Bus::start();
    let mut home = Home::new("waive");
    let name = format!("zd-tray-waive-{}", std::process::id());
    let _ = home.docker(&["rm", "-f", &name]);
    // Created, never started: judged all the same (a privileged start is refused in some sandboxes).
    let out = home.docker(&["create", "--name", &name, "--privileged", scratch_image(), "/bin/true"]);
    assert!(out.status.success(), "docker create: {}", String::from_utf8_lossy(&out.stderr));
    home.containers.push(name.clone());
    let policy = home.dir.join("project/zerodock.toml");
    std::fs::create_dir_all(policy.parent().expect("dir")).expect("project dir");
    let header = "# Project policy: keep this comment.\n";
    std::fs::write(&policy, header).expect("policy");
    home.start_tray(&bus, &[("ZERODOCK_POLICY", policy.to_str().expect("utf8"))]);
    let socket = home.dir.join("run/zerodock/tray.sock");
    home.wait("the tray's first report", Duration::from_secs(60), || {
        last_settled(&home.lines(), 0).filter(|_| socket.exists())
    });
    let mut client = Client::connect(&socket, IMAGE_READ_PATIENCE);
    let (states, subscribed) = client.ask(serde_json::json!({"type": "subscribe"}));
    assert_eq!(subscribed, Ok(Value::Null));
    let finding = |state: &Value| -> Value {
        state["report"]["checks"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == "CTR001"))
            .and_then(|c| c["findings"].as_array())
            .and_then(|fs| fs.iter().find(|f| f["target"]["name"].as_str() == Some(name.as_str())))
            .cloned()
            .unwrap_or(Value::Null)
    };
    // The state published before the reply to `subscribe` may already be the one we want; the
    // tray publishes again only on events, so waiting for a later one could wait forever.
    let first = match states.iter().rev().find(|s| !finding(s).is_null()) {
        Some(state) => state.clone(),
        None => client.state_until(|s| !finding(s).is_null()),
    };
    assert_eq!(first["policy"]["path"], policy.display().to_string());
    assert_eq!(finding(&first)["status"], "fail");
    assert!(finding(&first)["waived"].is_null());

    let waiver = serde_json::json!({"check": "CTR001", "target": name, "reason": "e2e: accepted", "by": "tester", "expires": null});
    let (_, reply) = client.ask(serde_json::json!({"type": "waive", "waiver": waiver}));
    let reply = reply.unwrap_or_else(|e| panic!("waive refused: {e}\ntray log:\n{}", home.log()));
    assert!(reply["message"].as_str().is_some_and(|m| m.contains("CTR001")), "{reply}");
    assert_eq!(reply["policy"]["waivers"][0]["target"], name.as_str());
    let judged = client.state_until(|s| finding(s)["waived"]["reason"] == "e2e: accepted");
    assert_eq!(finding(&judged)["status"], "fail", "still reported with its real status");
    let text = std::fs::read_to_string(&policy).expect("policy");
    assert!(text.starts_with(header) && text.contains(&format!("target = \"{name}\"")), "{text}");

    let (_, reply) =
        client.ask(serde_json::json!({"type": "unwaive", "check": "privileged-container", "target": name}));
    assert!(reply.is_ok(), "{reply:?}");
    client.state_until(|s| {
        finding(s)["waived"].is_null() && s["policy"]["waivers"].as_array().is_some_and(Vec::is_empty)
    });
    assert_eq!(std::fs::read_to_string(&policy).expect("policy"), header, "back as written");
    drop(client);
    drop(home);
    drop(bus);
}
