//! The watcher: a background task that owns the engine connection and keeps a current report.
//!
//! It subscribes to Docker events (container create/start/update/die/destroy, network
//! connect/disconnect, image pull/tag/delete), debounces bursts, and re-evaluates; it rescans
//! everything (host facts included) on an interval; when the engine goes away it says so and
//! reconnects by itself with backoff. Event-driven rescans read only the engine and reuse the host
//! facts of the last full scan, which is what keeps "someone started a privileged container" →
//! new verdict well under a second. Like every collection, it only ever issues GET requests.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use crate::collect::{self, CollectOptions, Progress, Stage};
use crate::evaluate::{EvalConfig, Policy, evaluate};
use crate::report::{Baseline, NewFailure, Report};
use crate::snapshot::{Fact, Snapshot};

/// How to watch.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// Endpoint and collection settings.
    pub collect: CollectOptions,
    /// Waivers and severity overrides applied to every evaluation.
    pub policy: Option<Policy>,
    /// Full rescan (host facts included) this often.
    pub interval: Duration,
    /// Quiet time after an event before re-evaluating, so a `compose up` of 20 containers is
    /// one rescan, not 60.
    pub debounce: Duration,
}

impl WatchConfig {
    /// Defaults: full rescan every 5 minutes, 250 ms debounce.
    pub fn new(collect: CollectOptions) -> Self {
        WatchConfig {
            collect,
            policy: None,
            interval: Duration::from_secs(300),
            debounce: Duration::from_millis(250),
        }
    }
}

/// Why a scan ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// The first scan.
    Startup,
    /// The periodic full rescan.
    Interval,
    /// Someone asked (Scan now).
    Manual,
    /// Engine events; `description` names the first ("container start web (+3 more)").
    Event {
        /// What happened.
        description: String,
    },
    /// The engine came back after being unreachable.
    Reconnected,
    /// The policy changed (a waiver accepted, edited or removed): the verdicts are judged again.
    PolicyChanged,
}

impl std::fmt::Display for Trigger {
    /// How every face words it: `startup`, `interval`, `manual`, `reconnected`, `event: container
    /// start web (+3 more)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Trigger::Startup => f.write_str("startup"),
            Trigger::Interval => f.write_str("interval"),
            Trigger::Manual => f.write_str("manual"),
            Trigger::Reconnected => f.write_str("reconnected"),
            Trigger::PolicyChanged => f.write_str("policy changed"),
            Trigger::Event { description } => write!(f, "event: {description}"),
        }
    }
}

/// What the watcher tells its owner.
#[derive(Debug, Clone)]
pub enum WatchUpdate {
    /// A scan began.
    ScanStarted {
        /// Why.
        trigger: Trigger,
    },
    /// A scan progressed.
    Progress(Progress),
    /// A scan finished with this report.
    Evaluated {
        /// The report.
        report: Arc<Report>,
        /// Why the scan ran.
        trigger: Trigger,
        /// High and critical failures that are new against the last report that reached the
        /// engine ([`Baseline`]): what deserves a notification.
        new_failures: Vec<NewFailure>,
    },
    /// The engine cannot be reached; the watcher retries by itself.
    EngineDown {
        /// Why, with what to check.
        reason: String,
        /// When the next attempt is.
        retry_in: Duration,
    },
    /// The engine answers again (or for the first time).
    EngineUp,
}

enum Command {
    Rescan,
    Pause(bool),
    Interval(Duration),
    Policy(Option<Policy>),
    Stop,
}

/// Controls a running watcher. Cheap to clone; every method is fire-and-forget.
#[derive(Debug, Clone)]
pub struct WatchHandle {
    tx: mpsc::UnboundedSender<Command>,
}

impl WatchHandle {
    /// Runs a full rescan now (also while paused).
    pub fn rescan(&self) {
        let _ = self.tx.send(Command::Rescan);
    }
    /// Pauses or resumes watching (events and the interval).
    pub fn set_paused(&self, paused: bool) {
        let _ = self.tx.send(Command::Pause(paused));
    }
    /// Changes the full-rescan interval.
    pub fn set_interval(&self, interval: Duration) {
        let _ = self.tx.send(Command::Interval(interval));
    }
    /// Replaces the policy (waivers, severity overrides) and evaluates again at once (also while
    /// paused), so an accepted risk shows as waived without waiting for the next event. The engine
    /// is read again (host facts reused): the owner keeps no snapshot to re-judge.
    pub fn set_policy(&self, policy: Option<Policy>) {
        let _ = self.tx.send(Command::Policy(policy));
    }
    /// Stops the watcher; its update channel then closes.
    pub fn stop(&self) {
        let _ = self.tx.send(Command::Stop);
    }
}

/// Backoff between reconnection attempts: 1 s doubling to 30 s.
const BACKOFF_MIN: Duration = Duration::from_secs(1);
// Low enough that a restarted engine is seen within 5 s of answering again (a reconnect attempt
// on a unix socket costs one failed connect); doubling from 1 s spares a remote engine's logs.
const BACKOFF_MAX: Duration = Duration::from_secs(4);

/// Starts a watcher on the current tokio runtime. The first full scan starts at once.
pub fn spawn(config: WatchConfig) -> (WatchHandle, mpsc::Receiver<WatchUpdate>) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (up_tx, up_rx) = mpsc::channel(64);
    tokio::spawn(Watcher::new(config, up_tx).run(cmd_rx));
    (WatchHandle { tx: cmd_tx }, up_rx)
}

/// Messages from the event-subscription task to the main loop.
enum Feed {
    Event(String),
    Down(String, Duration),
    Up,
    /// The event stream is open (every time, the first included): no update is sent for it.
    Subscribed,
}

struct Watcher {
    config: WatchConfig,
    updates: mpsc::Sender<WatchUpdate>,
    paused: bool,
    /// The last full snapshot's host facts, reused by event-driven rescans.
    last_full: Option<Snapshot>,
    /// What new failures are measured against.
    baseline: Baseline,
    /// Whether the event stream is open. While it is, the subscription's own reconnect loop sees
    /// nothing wrong, so a scan that could not reach the engine (a `GET /version` that timed out
    /// while `/events` stayed open) is retried here; while it is not, that loop retries.
    stream_up: bool,
    /// When a scan that could not reach the engine is tried again, and the wait after that.
    retry: Option<(Instant, Duration)>,
}

impl Watcher {
    fn new(config: WatchConfig, updates: mpsc::Sender<WatchUpdate>) -> Self {
        Watcher {
            config,
            updates,
            paused: false,
            last_full: None,
            baseline: Baseline::default(),
            stream_up: false,
            retry: None,
        }
    }

    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let (feed_tx, mut feed) = mpsc::unbounded_channel();
        let subscriber = tokio::spawn(subscribe(self.config.collect.clone(), feed_tx));
        if !self.scan(Trigger::Startup, true).await {
            subscriber.abort();
            return;
        }
        let mut next_full = Instant::now() + self.config.interval;
        // Pending events: when to rescan, and what they were.
        let mut pending: Option<(Instant, String, usize)> = None;
        loop {
            let debounce_at = pending.as_ref().map(|(at, ..)| *at);
            let retry_at = self.retry.filter(|_| !self.paused).map(|(at, _)| at);
            let far = Instant::now() + Duration::from_secs(3600 * 24);
            tokio::select! {
                command = commands.recv() => match command {
                    None | Some(Command::Stop) => break,
                    Some(Command::Rescan) => {
                        pending = None;
                        if !self.scan(Trigger::Manual, true).await { break }
                        next_full = Instant::now() + self.config.interval;
                    }
                    Some(Command::Pause(paused)) => {
                        self.paused = paused;
                        pending = None;
                        next_full = Instant::now() + self.config.interval;
                    }
                    Some(Command::Policy(policy)) => {
                        self.config.policy = policy;
                        pending = None;
                        if !self.scan(Trigger::PolicyChanged, false).await { break }
                    }
                    Some(Command::Interval(interval)) => {
                        self.config.interval = interval.max(Duration::from_secs(10));
                        next_full = Instant::now() + self.config.interval;
                    }
                },
                message = feed.recv() => match message {
                    None => break,
                    Some(Feed::Event(description)) if !self.paused => {
                        pending = Some(match pending.take() {
                            Some((_, first, n)) => (Instant::now() + self.config.debounce, first, n + 1),
                            None => (Instant::now() + self.config.debounce, description, 1),
                        });
                    }
                    Some(Feed::Event(_)) => {}
                    Some(Feed::Subscribed) => self.stream_up = true,
                    Some(Feed::Down(reason, retry_in)) => {
                        // The subscription retries now, and rescans once it is back (`Up`).
                        self.stream_up = false;
                        self.retry = None;
                        if self.updates.send(WatchUpdate::EngineDown { reason, retry_in }).await.is_err() { break }
                    }
                    Some(Feed::Up) => {
                        if self.updates.send(WatchUpdate::EngineUp).await.is_err() { break }
                        // Whatever happened while it was away was not seen as events.
                        if !self.scan(Trigger::Reconnected, false).await { break }
                    }
                },
                () = sleep_until(debounce_at.unwrap_or(far)), if debounce_at.is_some() => {
                    if let Some((_, first, n)) = pending.take() {
                        let description = if n > 1 { format!("{first} (+{} more)", n - 1) } else { first };
                        if !self.scan(Trigger::Event { description }, false).await { break }
                    }
                }
                () = sleep_until(retry_at.unwrap_or(far)), if retry_at.is_some() => {
                    if !self.scan(Trigger::Reconnected, false).await { break }
                }
                () = sleep_until(next_full) => {
                    next_full = Instant::now() + self.config.interval;
                    if !self.paused && !self.scan(Trigger::Interval, true).await { break }
                }
            }
        }
        subscriber.abort();
    }

    /// Collects and evaluates; `false` when the owner went away.
    async fn scan(&mut self, trigger: Trigger, full: bool) -> bool {
        if self.updates.send(WatchUpdate::ScanStarted { trigger: trigger.clone() }).await.is_err() {
            return false;
        }
        let (progress_tx, mut progress_rx) = mpsc::unbounded_channel();
        let mut opts = self.config.collect.clone();
        let reuse_host = !full && self.last_full.is_some();
        opts.host_facts = !reuse_host;
        opts.progress = Some(progress_tx);
        let updates = self.updates.clone();
        let forward = tokio::spawn(async move {
            while let Some(p) = progress_rx.recv().await {
                // A full channel means the owner is behind: progress is droppable, verdicts are not.
                let _ = updates.try_send(WatchUpdate::Progress(p));
            }
        });
        let mut snapshot = collect::collect(&opts).await;
        drop(opts);
        let _ = forward.await;
        if let Some(last) = self.last_full.as_ref().filter(|_| reuse_host) {
            snapshot.host = last.host.clone();
            snapshot.endpoint.local = last.endpoint.local;
        }
        let _ = self.updates.try_send(WatchUpdate::Progress(Progress {
            stage: Stage::Evaluating,
            done: 0,
            total: 0,
        }));
        let mut config = EvalConfig::at(chrono::Utc::now());
        if let Some(policy) = &self.config.policy {
            config.policy = policy.clone();
        }
        let report = Arc::new(evaluate(&snapshot, &config));
        if !reuse_host && matches!(snapshot.engine, Fact::Available { .. }) {
            self.last_full = Some(snapshot);
        }
        let new_failures = self.baseline.advance(&report);
        let reached = report.subject.engine.is_some();
        let unreachable = report.subject.engine_unavailable.clone();
        if self.updates.send(WatchUpdate::Evaluated { report, trigger, new_failures }).await.is_err() {
            return false;
        }
        self.after_scan(reached, unreachable).await
    }

    /// Schedules the retry of a scan that could not reach the engine while the event stream stayed
    /// open (else the engine was shown unreachable until the next interval scan, minutes later,
    /// though it answered again seconds after), and says when it is back; `false` when the owner
    /// went away.
    async fn after_scan(&mut self, reached: bool, unreachable: Option<String>) -> bool {
        if reached {
            let was_retrying = self.retry.take().is_some();
            return !was_retrying || self.updates.send(WatchUpdate::EngineUp).await.is_ok();
        }
        if !self.stream_up {
            return true;
        }
        let wait = self.retry.map_or(BACKOFF_MIN, |(_, last)| (last * 2).min(BACKOFF_MAX));
        self.retry = Some((Instant::now() + wait, wait));
        let reason = unreachable.unwrap_or_else(|| "the engine did not answer".to_owned());
        self.updates.send(WatchUpdate::EngineDown { reason, retry_in: wait }).await.is_ok()
    }
}

/// Keeps an event subscription open, reconnecting with backoff, and feeds the main loop.
async fn subscribe(opts: CollectOptions, feed: mpsc::UnboundedSender<Feed>) {
    let mut backoff = BACKOFF_MIN;
    let mut was_down = false;
    loop {
        match collect::events(&opts).await {
            Ok(mut stream) => {
                if feed.send(Feed::Subscribed).is_err() || (was_down && feed.send(Feed::Up).is_err()) {
                    return;
                }
                backoff = BACKOFF_MIN;
                let reason = loop {
                    match stream.next().await {
                        Some(Ok(description)) => {
                            if feed.send(Feed::Event(description)).is_err() {
                                return;
                            }
                        }
                        Some(Err(e)) => {
                            break format!("the engine's event stream (`GET /events`) failed: {e}");
                        }
                        None => {
                            break "the engine closed its event stream (`GET /events`): dockerd stopped?"
                                .to_owned();
                        }
                    }
                };
                was_down = true;
                if feed.send(Feed::Down(reason, backoff)).is_err() {
                    return;
                }
            }
            Err(reason) => {
                if feed.send(Feed::Down(reason, backoff)).is_err() {
                    return;
                }
                was_down = true;
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}
