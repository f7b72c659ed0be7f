//! The tray process: one task loop that owns the [`Core`] and reacts to the watcher, the tray
//! menu, the dashboards' requests, notification clicks, the dashboard process and signals. It
//! starts the dashboard (`zerodock-desktop`, the binary beside this one) on demand and serves it
//! the current state over the private socket (`ipc`), so the dashboard needs no scan of its own.
//!
//! Everything runs on one current-thread tokio runtime (the watcher included): a tray has nothing
//! CPU-bound to spread over cores, and every extra worker thread is stack and wakeups.

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::process::Child;
use tokio::sync::mpsc::{self, UnboundedSender};
use tracing_subscriber::EnvFilter;
use zerodock_engine::collect::watch::{self, WatchConfig, WatchUpdate};
use zerodock_engine::{CollectOptions, Report};

use crate::autostart;
use crate::core::Core;
use crate::engines::Engines;
use crate::error::{CommandError, ErrorCode};
use crate::history::{self, Recorder};
use crate::indicator::{MenuAction, View};
use crate::ipc::{self, FindingRef, Request, ToDashboard, ToTray};
use crate::model::{AppState, HistoryStatus, Settings};
use crate::notify::Notifier;
use crate::policy;
use crate::settings;
use crate::sni::{self, Sni};
#[cfg(feature = "test-hooks")]
use crate::testhook;
use crate::vulns::{self, Held};
#[cfg(feature = "xembed")]
use crate::xembed::Xembed;

/// The dashboard binary's name, looked up beside the tray's own executable.
pub const DASHBOARD_BIN: &str = "zerodock-desktop";
/// Overrides the dashboard's path.
pub const DASHBOARD_ENV: &str = "ZERODOCK_DASHBOARD";
/// Forces a tray backend: `sni` or `xembed` (the benchmark measures each; default: detect).
pub const BACKEND_ENV: &str = "ZERODOCK_TRAY_BACKEND";
/// The argument that also opens the dashboard at start (the app menu's launcher uses it; the
/// autostart entry does not).
pub const DASHBOARD_ARG: &str = "--dashboard";
/// The log filter when `RUST_LOG` is not set.
pub const DEFAULT_LOG_FILTER: &str = "zerodock_tray=info,warn";

/// Runs the tray; returns the exit code.
pub fn run() -> i32 {
    let reexec_failed = crate::tuning::reexec();
    init_logging();
    if let Some(e) = reexec_failed {
        tracing::warn!("could not re-execute with the tray's memory settings ({e}): running without them");
    }
    let open_dashboard = std::env::args().skip(1).any(|a| a == DASHBOARD_ARG);
    let socket = match ipc::socket_path() {
        Ok(path) => path,
        Err(e) => {
            tracing::error!("no private runtime directory for the tray's socket: {e}");
            return 2;
        }
    };
    let Some(dir) = socket.parent().map(Path::to_path_buf) else {
        tracing::error!("{}: the socket path has no directory", socket.display());
        return 2;
    };
    if let Err(e) = ipc::private_dir(&dir) {
        tracing::error!("{e}");
        return 2;
    }
    let lock = match ipc::InstanceLock::acquire(&dir) {
        Ok(Some(lock)) => lock,
        Ok(None) => return second_launch(&socket),
        Err(e) => {
            tracing::error!("cannot lock {}: {e}", dir.join(ipc::LOCK_NAME).display());
            return 2;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the async runtime: {e}");
            return 2;
        }
    };
    let code = runtime.block_on(serve(socket, open_dashboard));
    drop(lock);
    code
}

fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

/// A second launch: the running tray opens (or focuses) the dashboard, and this process exits.
fn second_launch(socket: &Path) -> i32 {
    use std::io::{BufRead, Write};
    // The first instance may still be binding its socket: give it a few seconds.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let stream = loop {
        match std::os::unix::net::UnixStream::connect(socket) {
            Ok(stream) => break stream,
            Err(e) if std::time::Instant::now() >= deadline => {
                tracing::error!("ZeroDock's tray is running but {} does not answer: {e}", socket.display());
                return 2;
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut writer = &stream;
    if let Err(e) = writer.write_all(ipc::line(&ToTray { id: 1, request: Request::OpenDashboard }).as_bytes())
    {
        tracing::error!("cannot ask the running tray to open the dashboard: {e}");
        return 2;
    }
    // Wait for the reply, so the dashboard is on its way when this process is gone.
    for line in std::io::BufReader::new(&stream).lines() {
        match line.map(|l| serde_json::from_str::<ToDashboard>(&l)) {
            Ok(Ok(ToDashboard::Reply { id: 1, .. })) => return 0,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("no answer from the running tray: {e}");
                return 2;
            }
        }
    }
    0
}

/// The tray's backend in use.
enum Indicator {
    Sni(Sni),
    #[cfg(feature = "xembed")]
    Xembed(Xembed),
    /// Neither could start (no session bus watcher and no display): the process still watches,
    /// notifies and serves dashboards.
    None,
}

impl Indicator {
    fn name(&self) -> &'static str {
        match self {
            Indicator::Sni(_) => "sni",
            #[cfg(feature = "xembed")]
            Indicator::Xembed(_) => "xembed",
            Indicator::None => "none",
        }
    }

    /// StatusNotifierItem when a watcher is on the session bus (or forced), else the XEmbed
    /// fallback.
    async fn start(view: View, menu: UnboundedSender<MenuAction>) -> Indicator {
        let forced = std::env::var(BACKEND_ENV).ok();
        let want_sni = match forced.as_deref() {
            Some("sni") => true,
            Some("xembed") => false,
            _ => sni::watcher_present().await,
        };
        if want_sni {
            match Sni::start(view.clone(), menu.clone(), forced.as_deref() == Some("sni")).await {
                Ok(sni) => return Indicator::Sni(sni),
                Err(e) => tracing::warn!("StatusNotifierItem unavailable ({e}); trying the XEmbed tray"),
            }
        } else {
            tracing::info!("no {} on the session bus: using the XEmbed tray", sni::WATCHER);
        }
        #[cfg(feature = "xembed")]
        match Xembed::start(view, menu) {
            Ok(x) => return Indicator::Xembed(x),
            Err(e) => tracing::warn!("no XEmbed tray either ({e}): running without an icon"),
        }
        Indicator::None
    }

    async fn show(&self, view: View) {
        match self {
            Indicator::Sni(sni) => sni.show(view).await,
            #[cfg(feature = "xembed")]
            Indicator::Xembed(x) => x.show(view),
            Indicator::None => {}
        }
    }

    async fn stop(&mut self) {
        match self {
            Indicator::Sni(sni) => sni.stop().await,
            #[cfg(feature = "xembed")]
            Indicator::Xembed(x) => x.stop(),
            Indicator::None => {}
        }
    }
}

enum Event {
    /// A watcher's update, with the generation of the watcher that sent it (an engine switch
    /// starts a new one; what the old one still had queued is dropped).
    Watch(u64, WatchUpdate),
    /// The scan history opened, recovered or saved.
    History(HistoryStatus),
    Menu(MenuAction),
    /// A client connected: its id, its line channel and the task writing that channel out.
    Connected(u64, UnboundedSender<Arc<str>>, tokio::task::JoinHandle<()>),
    Request(u64, ToTray),
    Disconnected(u64),
    Clicked(FindingRef),
    Signal(&'static str),
    /// An explicit image scan ended.
    ImagesScanned(Box<Result<(Held, Arc<Report>), CommandError>>),
}

struct Client {
    tx: UnboundedSender<Arc<str>>,
    /// The task writing `tx`'s lines to the socket; awaited at quit so the last reply (the
    /// `quit`'s own) reaches the client before the process ends.
    writer: tokio::task::JoinHandle<()>,
    /// Subscribed to states (a dashboard), not a one-off request (a second launch).
    dashboard: bool,
}

struct Tray {
    core: Core,
    indicator: Indicator,
    shown: Option<View>,
    clients: HashMap<u64, Client>,
    /// The dashboard process this tray started, while it runs.
    child: Option<Child>,
    /// A finding to show once the dashboard being started subscribes.
    pending_focus: Option<FindingRef>,
    notifier: Arc<Notifier>,
    socket: PathBuf,
    /// The engine's collection options (the watcher has its own copy), for image scans.
    collect: Option<CollectOptions>,
    /// The last explicit image scan, attached to every later evaluation.
    held: Option<Held>,
    /// Requests (client, id) waiting for the running image scan; empty when none runs.
    image_waiters: Vec<(u64, u64)>,
    /// For tasks that report back to the loop (image scans).
    events: UnboundedSender<Event>,
    /// The scan history (saves on change, answers the History view).
    history: Recorder,
    /// The engines the switcher offers, and the added ones' store.
    engines: Engines,
    /// The running watcher's generation (see [`Event::Watch`]).
    generation: u64,
    /// The selected engine's TLS key as an in-memory file, while its watcher runs.
    key_file: Option<OwnedFd>,
}

async fn serve(socket: PathBuf, open_dashboard: bool) -> i32 {
    let settings_path = settings::config_dir().map(|d| settings::path_in(&d));
    let loaded = settings_path.as_deref().map(settings::load).unwrap_or_default();
    let engines = Engines::new(settings::config_dir());
    let selected = engines.resolve(loaded.engine.as_deref(), open_secrets);
    let (collect, key_file) = match selected {
        Ok(s) => (Ok(s.collect), s.key_file),
        Err(e) => (Err(e), None),
    };
    let endpoint = collect.as_ref().map(|c| c.endpoint.host.clone()).unwrap_or_default();
    let core = Core::new(endpoint, loaded, settings_path).with_policy_file(policy::path_from_env());
    if let Err(e) = &collect {
        core.set_endpoint_error(e.clone());
    }

    let (events_tx, mut events) = mpsc::unbounded_channel::<Event>();
    // The socket first: a dashboard or second launch may connect while the tray is starting.
    let _ = std::fs::remove_file(&socket); // stale: we hold the instance lock
    let listener = match UnixListener::bind(&socket).and_then(|l| ipc::restrict(&socket).map(|()| l)) {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!("cannot listen on {}: {e}", socket.display());
            return 2;
        }
    };
    tokio::spawn(accept(listener, events_tx.clone()));

    let (menu_tx, mut menu_rx) = mpsc::unbounded_channel::<MenuAction>();
    let forward = events_tx.clone();
    tokio::spawn(async move {
        while let Some(action) = menu_rx.recv().await {
            let _ = forward.send(Event::Menu(action));
        }
    });
    let state = core.snapshot();
    let indicator = Indicator::start(View::of(&state), menu_tx).await;
    tracing::info!(backend = indicator.name(), socket = %socket.display(), "tray started");
    #[cfg(feature = "test-hooks")]
    testhook::record_backend(indicator.name());

    let clicks = events_tx.clone();
    let notifier = Notifier::connect(move |finding| {
        let _ = clicks.send(Event::Clicked(finding));
    })
    .await;
    for (kind, name) in [
        (tokio::signal::unix::SignalKind::terminate(), "SIGTERM"),
        (tokio::signal::unix::SignalKind::interrupt(), "SIGINT"),
        (tokio::signal::unix::SignalKind::hangup(), "SIGHUP"),
    ] {
        if let Ok(mut signal) = tokio::signal::unix::signal(kind) {
            let tx = events_tx.clone();
            tokio::spawn(async move {
                if signal.recv().await.is_some() {
                    let _ = tx.send(Event::Signal(name));
                }
            });
        }
    }

    let mut tray = Tray {
        core,
        indicator,
        shown: Some(View::of(&state)),
        clients: HashMap::new(),
        child: None,
        pending_focus: None,
        notifier,
        socket,
        collect: collect.as_ref().ok().cloned(),
        held: None,
        image_waiters: Vec::new(),
        events: events_tx.clone(),
        history: {
            let tx = events_tx.clone();
            Recorder::start(history::path_from_env(), history::retention_from_env(), move |status| {
                let _ = tx.send(Event::History(status));
            })
        },
        engines,
        generation: 0,
        key_file,
    };
    #[cfg(feature = "test-hooks")]
    testhook::record_tray(&state);
    match collect {
        Ok(collect) => tray.start_watcher(collect),
        Err(e) => {
            tray.publish(&format!("no engine endpoint: {e}")).await;
        }
    }
    if open_dashboard {
        tray.open_dashboard(None);
    }
    drop(events_tx);

    loop {
        let event = tokio::select! {
            event = events.recv() => match event {
                Some(event) => event,
                None => break,
            },
            status = wait_child(&mut tray.child) => {
                tray.child = None;
                tracing::info!("the dashboard exited ({status})");
                #[cfg(feature = "test-hooks")]
                testhook::record_dashboard("exited", 0);
                continue;
            }
        };
        if !tray.handle(event).await {
            break;
        }
    }
    tray.quit().await;
    0
}

/// Waits for the dashboard process, or forever when there is none.
async fn wait_child(child: &mut Option<Child>) -> String {
    match child {
        Some(child) => match child.wait().await {
            Ok(status) => status.to_string(),
            Err(e) => e.to_string(),
        },
        None => std::future::pending().await,
    }
}

/// Accepts connections; each gets a writer task (lines from the tray) and a reader loop.
async fn accept(listener: UnixListener, events: UnboundedSender<Event>) {
    let mut next_id = 0_u64;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!("accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        next_id += 1;
        tokio::spawn(client(next_id, stream, events.clone()));
    }
}

async fn client(id: u64, stream: UnixStream, events: UnboundedSender<Event>) {
    let (read, mut write) = stream.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Arc<str>>();
    let writer = tokio::spawn(async move {
        while let Some(line) = rx.recv().await {
            if write.write_all(line.as_bytes()).await.is_err() {
                break;
            }
        }
    });
    if events.send(Event::Connected(id, tx, writer)).is_err() {
        return;
    }
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        match serde_json::from_str::<ToTray>(&line) {
            Ok(message) => {
                if events.send(Event::Request(id, message)).is_err() {
                    break;
                }
            }
            Err(e) => tracing::warn!(client = id, "unreadable request: {e}"),
        }
    }
    let _ = events.send(Event::Disconnected(id));
}

impl Tray {
    /// Handles one event; `false` ends the loop (quit).
    async fn handle(&mut self, event: Event) -> bool {
        match event {
            Event::Watch(generation, _) if generation != self.generation => {}
            Event::Watch(_, update) => {
                let update = self.with_held_scan(update).await;
                if let WatchUpdate::Evaluated { report, .. } = &update {
                    self.history.record(report.clone());
                }
                // A policy file edited elsewhere (`zerodock waive`) since it was read: the watcher
                // judges again with it, and the dashboards list its waivers.
                let evaluated = matches!(update, WatchUpdate::Evaluated { .. });
                if evaluated && let Some(why) = self.core.reload_policy_if_changed() {
                    self.publish(&why).await;
                }
                let effects = self.core.apply(update);
                if let Some(progress) = effects.progress {
                    self.send_dashboards(&ToDashboard::Progress { progress });
                }
                if effects.state_changed {
                    self.publish(effects.log.as_deref().unwrap_or("state changed")).await;
                }
                if !effects.notify.is_empty() {
                    let notifier = self.notifier.clone();
                    tokio::spawn(async move { notifier.show(&effects.notify).await });
                }
            }
            Event::History(status) => {
                self.core.set_history(status);
                self.publish("history").await;
            }
            Event::Menu(action) => return self.on_menu(action).await,
            Event::Connected(id, tx, writer) => {
                self.clients.insert(id, Client { tx, writer, dashboard: false });
            }
            Event::Disconnected(id) => {
                self.clients.remove(&id);
            }
            Event::Request(client, ToTray { id, request: Request::ScanImages }) => {
                self.scan_images(client, id);
            }
            Event::ImagesScanned(result) => self.images_scanned(*result).await,
            Event::Request(
                client,
                ToTray { id, request: request @ (Request::History { .. } | Request::HistoryDiff { .. }) },
            ) => {
                self.history_request(client, id, request);
            }
            Event::Request(client, ToTray { id, request }) => {
                let quit = matches!(request, Request::Quit);
                let result = self.on_request(client, request).await;
                self.send_to(client, &ToDashboard::Reply { id, result });
                if quit {
                    return false;
                }
            }
            Event::Clicked(finding) => {
                tracing::info!(check = %finding.check, target = %finding.target, "notification clicked");
                self.open_dashboard(Some(finding));
            }
            Event::Signal(name) => {
                tracing::info!("{name}: quitting");
                return false;
            }
        }
        true
    }

    async fn on_menu(&mut self, action: MenuAction) -> bool {
        let _span = tracing::info_span!("tray", ?action).entered();
        match action {
            MenuAction::OpenDashboard => self.open_dashboard(None),
            MenuAction::ScanNow => {
                if let Err(e) = self.core.scan_now() {
                    tracing::warn!("scan now: {e}");
                }
            }
            MenuAction::SetPaused(paused) => {
                self.core.set_paused(paused);
                self.publish(if paused { "monitoring paused" } else { "monitoring resumed" }).await;
            }
            MenuAction::SetStartAtLogin(wanted) => {
                let settings = Settings { start_at_login: wanted, ..self.core.settings() };
                if let Err(e) = self.update_settings(settings).await {
                    tracing::warn!("start at login: {e}");
                    // Put the check mark back to what is true.
                    self.shown = None;
                    self.publish("start at login unchanged").await;
                }
            }
            MenuAction::Quit => return false,
        }
        true
    }

    async fn on_request(&mut self, client: u64, request: Request) -> Result<serde_json::Value, CommandError> {
        match request {
            Request::Subscribe => {
                if let Some(c) = self.clients.get_mut(&client) {
                    c.dashboard = true;
                }
                let state = self.core.snapshot();
                self.send_to(client, &ToDashboard::State { state: Box::new(state) });
                if let Some(finding) = self.pending_focus.take() {
                    self.send_to(client, &ToDashboard::Focus { finding: Some(finding) });
                }
                Ok(serde_json::Value::Null)
            }
            Request::ScanNow => self.core.scan_now().map(|()| serde_json::Value::Null),
            Request::SetPaused { paused } => {
                self.core.set_paused(paused);
                let state =
                    self.publish(if paused { "monitoring paused" } else { "monitoring resumed" }).await;
                Ok(json(&state))
            }
            Request::UpdateSettings { settings } => {
                let saved = self.update_settings(settings).await?;
                Ok(json(&saved))
            }
            Request::OpenDashboard => {
                self.open_dashboard(None);
                Ok(serde_json::Value::Null)
            }
            Request::Engines => Ok(json(&self.engine_list())),
            Request::SelectEngine { id } => {
                self.select_engine(id).await?;
                Ok(json(&self.core.snapshot()))
            }
            Request::AddEngine { engine } => {
                let added = self.engines.add(engine, open_secrets)?;
                tracing::info!(id = %added.id, host = %added.host, tls = added.tls, "engine added");
                Ok(json(&added))
            }
            Request::RemoveEngine { id } => {
                if self.core.settings().engine.as_deref() == Some(id.as_str()) {
                    return Err(CommandError::invalid_argument(
                        "This engine is being watched: select another one before removing it.",
                    ));
                }
                self.engines.remove(&id, open_secrets)?;
                Ok(json(&self.engine_list()))
            }
            // Answered by the history thread (`history_request`), not here.
            Request::History { .. } | Request::HistoryDiff { .. } => {
                Err(CommandError::internal("history requests are answered asynchronously"))
            }
            Request::Waive { waiver } => {
                let change = self.core.waive(&waiver)?;
                self.publish(&change.message).await;
                Ok(json(&change))
            }
            Request::Unwaive { check, target } => {
                let change = self.core.unwaive(&check, target.as_deref())?;
                self.publish(&change.message).await;
                Ok(json(&change))
            }
            // Answered when the scan ends (`images_scanned`), not here.
            Request::ScanImages => Err(CommandError::internal("scan_images is answered asynchronously")),
            Request::Quit => Ok(serde_json::Value::Null),
        }
    }

    /// Starts a watcher on `collect` (a new generation: updates an older watcher still had queued
    /// are dropped) and attaches it, stopping the previous one.
    fn start_watcher(&mut self, collect: CollectOptions) {
        self.generation += 1;
        let generation = self.generation;
        let mut config = WatchConfig::new(collect);
        config.policy = self.core.policy();
        config.interval = Duration::from_secs(u64::from(self.core.settings().rescan_interval_secs));
        let (watcher, mut updates) = watch::spawn(config);
        self.core.attach_watcher(watcher);
        let tx = self.events.clone();
        tokio::spawn(async move {
            while let Some(update) = updates.recv().await {
                let _ = tx.send(Event::Watch(generation, update));
            }
            tracing::info!(generation, "a watcher stopped");
        });
    }

    /// The switcher's list, with the selection from the settings.
    fn engine_list(&self) -> crate::engines::EngineList {
        let env = zerodock_engine::collect::endpoint::Env::current();
        self.engines.list(&env, self.core.settings().engine.as_deref())
    }

    /// Follows another engine: resolves it (refused, and nothing changes, when it cannot be
    /// used), persists the choice, and restarts the watcher on it. The old engine's report and
    /// image scan are dropped: they describe another engine.
    async fn select_engine(&mut self, id: Option<String>) -> Result<(), CommandError> {
        let selected = self.engines.resolve(id.as_deref(), open_secrets).map_err(|e| {
            CommandError::new(ErrorCode::EngineUnreachable, format!("That engine cannot be used: {e}"))
        })?;
        self.core.set_settings(Settings { engine: id.clone(), ..self.core.settings() })?;
        let endpoint = selected.collect.endpoint.host.clone();
        tracing::info!(engine = ?id, %endpoint, "engine selected");
        self.core.switch_engine(endpoint);
        self.held = None;
        self.collect = Some(selected.collect.clone());
        self.start_watcher(selected.collect);
        // After the new watcher holds its options: the old key file may be read by nobody now.
        self.key_file = selected.key_file;
        self.publish("engine selected").await;
        Ok(())
    }

    /// Answers a History view request from the history thread, without holding the loop.
    fn history_request(&self, client: u64, id: u64, request: Request) {
        let Some(tx) = self.clients.get(&client).map(|c| c.tx.clone()) else { return };
        let history = self.history.clone();
        tokio::spawn(async move {
            let result = match request {
                Request::History { engine, limit } => {
                    let limit = limit.map_or(history::MAX_LIST, |l| l as usize);
                    history.list(engine, limit).await.map(|l| json(&l))
                }
                Request::HistoryDiff { from, to } => history.diff(from, to).await.map(|d| json(&d)),
                _ => Err(CommandError::internal("not a history request")),
            };
            let _ = tx.send(Arc::from(ipc::line(&ToDashboard::Reply { id, result })));
        });
    }

    /// Starts an image scan (or joins the running one); the reply waits for its end.
    fn scan_images(&mut self, client: u64, id: u64) {
        let Some(opts) = self.collect.clone() else {
            let error = CommandError::new(
                ErrorCode::EngineUnreachable,
                "No Docker endpoint could be resolved, so no image can be read (see the engine status).",
            );
            self.send_to(client, &ToDashboard::Reply { id, result: Err(error) });
            return;
        };
        self.image_waiters.push((client, id));
        if self.image_waiters.len() > 1 {
            return;
        }
        tracing::info!("image scan started");
        let policy = self.core.policy();
        let events = self.events.clone();
        tokio::spawn(async move {
            let result = vulns::scan(&opts, policy).await;
            let _ = events.send(Event::ImagesScanned(Box::new(result)));
        });
    }

    /// Publishes an image scan's report (no notification: the user asked and is looking) and
    /// answers everyone who waited for it.
    async fn images_scanned(&mut self, result: Result<(Held, Arc<Report>), CommandError>) {
        let reply = match result {
            Ok((held, report)) => {
                tracing::info!(images = held.scan().images.len(), "image scan finished");
                self.held = Some(held);
                self.history.record(report.clone());
                let effects = self.core.apply(WatchUpdate::Evaluated {
                    report,
                    trigger: watch::Trigger::Manual,
                    new_failures: Vec::new(),
                });
                self.publish(effects.log.as_deref().unwrap_or("images scanned")).await;
                Ok(serde_json::Value::Null)
            }
            Err(e) => {
                tracing::warn!("image scan failed: {e}");
                Err(e)
            }
        };
        for (client, id) in std::mem::take(&mut self.image_waiters) {
            self.send_to(client, &ToDashboard::Reply { id, result: reply.clone() });
        }
    }

    /// A watcher report, evaluated again with the held image scan attached when there is one
    /// (`vulns` says why the watcher cannot carry it); the watcher's new failures stand.
    async fn with_held_scan(&mut self, update: WatchUpdate) -> WatchUpdate {
        let (Some(held), Some(opts)) = (self.held.as_mut(), self.collect.as_ref()) else { return update };
        match update {
            WatchUpdate::Evaluated { report, trigger, new_failures }
                if report.subject.engine.is_some() && report.vulnerabilities.is_none() =>
            {
                let reuse_host = matches!(trigger, watch::Trigger::Event { .. });
                let report = held.reattach(opts, reuse_host, self.core.policy()).await.unwrap_or(report);
                WatchUpdate::Evaluated { report, trigger, new_failures }
            }
            other => other,
        }
    }

    /// Validates, applies the autostart entry (it can fail), persists and publishes settings.
    async fn update_settings(&mut self, settings: Settings) -> Result<Settings, CommandError> {
        settings.validate()?;
        let before = self.core.settings();
        if settings.start_at_login != before.start_at_login {
            autostart::set(settings.start_at_login)
                .map_err(|e| CommandError::internal(format!("Could not change start at login: {e}")))?;
        }
        let saved = self.core.set_settings(settings)?;
        self.publish("settings changed").await;
        Ok(saved)
    }

    /// Tells the tray, the dashboards (and the test hook) about the current state.
    async fn publish(&mut self, why: &str) -> AppState {
        let state = self.core.snapshot();
        tracing::info!(
            tray = state.tray.as_str(),
            score = state.report.as_ref().and_then(|r| r.score),
            engine = ?state.engine.state,
            scanning = state.scanning,
            paused = state.paused,
            "{why}"
        );
        let view = View::of(&state);
        if self.shown.as_ref() != Some(&view) {
            self.indicator.show(view.clone()).await;
            self.shown = Some(view);
        }
        #[cfg(feature = "test-hooks")]
        testhook::record_tray(&state);
        if self.clients.values().any(|c| c.dashboard) {
            // Serialised once for every dashboard, and only when one listens: a report is large.
            self.send_dashboards(&ToDashboard::State { state: Box::new(state.clone()) });
        }
        state
    }

    fn send_to(&self, client: u64, message: &ToDashboard) {
        if let Some(c) = self.clients.get(&client) {
            let _ = c.tx.send(Arc::from(ipc::line(message)));
        }
    }

    fn send_dashboards(&self, message: &ToDashboard) {
        let line: Arc<str> = Arc::from(ipc::line(message));
        for c in self.clients.values().filter(|c| c.dashboard) {
            let _ = c.tx.send(line.clone());
        }
    }

    /// Focuses a connected dashboard, or starts one (it subscribes and gets the state at once).
    fn open_dashboard(&mut self, finding: Option<FindingRef>) {
        if self.clients.values().any(|c| c.dashboard) {
            self.send_dashboards(&ToDashboard::Focus { finding });
            return;
        }
        if finding.is_some() {
            self.pending_focus = finding;
        }
        if self.child.is_some() {
            // Started, not subscribed yet: it gets the pending focus when it does.
            return;
        }
        let exe = dashboard_path();
        let mut cmd = tokio::process::Command::new(&exe);
        cmd.env(ipc::SOCKET_ENV, &self.socket).stdin(std::process::Stdio::null());
        crate::tuning::untune(&mut cmd);
        if software_gl_only() {
            cmd.env(WEBKIT_NO_COMPOSITING, "1");
        }
        match cmd.spawn() {
            Ok(child) => {
                let pid = child.id().unwrap_or_default();
                tracing::info!(pid, "dashboard started");
                #[cfg(feature = "test-hooks")]
                testhook::record_dashboard("started", pid);
                self.child = Some(child);
            }
            Err(e) => tracing::warn!("cannot start the dashboard {}: {e}", exe.display()),
        }
    }

    /// Ends the dashboards (asked first, then the child killed after 3 s), the icon and the
    /// socket.
    async fn quit(&mut self) {
        self.send_dashboards(&ToDashboard::Quit);
        if let Some(mut child) = self.child.take() {
            if tokio::time::timeout(Duration::from_secs(3), child.wait()).await.is_err() {
                tracing::warn!("the dashboard did not quit in 3 s: killing it");
                let _ = child.kill().await;
            }
            #[cfg(feature = "test-hooks")]
            testhook::record_dashboard("exited", 0);
        }
        self.indicator.stop().await;
        let _ = std::fs::remove_file(&self.socket);
        // Closing each client's channel lets its writer drain what is queued (the `quit` reply,
        // the dashboards' Quit) and end; a client that stopped reading is not waited for long.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        for (_, client) in self.clients.drain() {
            drop(client.tx);
            let _ = tokio::time::timeout_at(deadline, client.writer).await;
        }
        tracing::info!("quit");
    }
}

/// WebKitGTK's switch for its non-composited (CPU) drawing path.
const WEBKIT_NO_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Whether the dashboard's WebKit would composite on Mesa's software rasteriser: no GPU render
/// node (`/dev/dri/renderD*`: VMs, remote sessions, Xvfb) and the user did not choose either
/// way. WebKit then emulates a GPU on the CPU (llvmpipe), which its own CPU path beats: the
/// dashboard's first frame was presented 0.2–3.9 s after it was drawn (shaders compiled on the
/// CPU), against 30–110 ms without compositing (`docs/performance.md`). A machine with a GPU
/// keeps WebKit's default.
fn software_gl_only() -> bool {
    std::env::var_os(WEBKIT_NO_COMPOSITING).is_none()
        && !std::fs::read_dir("/dev/dri")
            .is_ok_and(|dir| dir.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
}

/// `zerodock-desktop` beside this executable, unless [`DASHBOARD_ENV`] names another.
pub fn dashboard_path() -> PathBuf {
    if let Some(path) = std::env::var_os(DASHBOARD_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(path);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join(DASHBOARD_BIN)))
        .unwrap_or_else(|| PathBuf::from(DASHBOARD_BIN))
}

/// The OS keyring (the store `ZERODOCK_KEYRING` names, else the platform's), for added engines'
/// TLS keys.
fn open_secrets() -> Result<zerodock_store::secrets::Secrets, CommandError> {
    zerodock_store::secrets::Secrets::open()
        .map(|(secrets, _)| secrets)
        .map_err(|e| CommandError::internal(format!("The OS keyring cannot be used: {e}")))
}

/// A reply value; our types always serialise.
fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
