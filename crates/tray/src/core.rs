//! The tray's state (`Core`) and how each watcher update changes it. This is plumbing only: what a
//! report means (posture, what is new) comes from the engine; here it is kept, combined with the
//! engine connection and the settings, and turned into "what to emit" (tray, dashboards,
//! notifications).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use zerodock_engine::collect::watch::{Trigger, WatchHandle, WatchUpdate};
use zerodock_engine::evaluate::Policy;
use zerodock_engine::{NewFailure, Progress, Report};

use crate::error::{CommandError, ErrorCode};
use crate::model::{
    AppState, EngineState, EngineStatus, HistoryStatus, Settings, TrayState, WaiverChange, WaiverInput,
};
use crate::{policy, settings};

/// State shared by the watcher task, the tray menu and the dashboards' requests.
pub struct Core {
    inner: Mutex<Inner>,
    /// The watcher, once started (absent in unit tests and when the endpoint could not be
    /// resolved); replaced when the user selects another engine.
    watch: WatchSlot,
    /// Where settings are persisted (`None`: not persisted, unit tests).
    settings_path: Option<PathBuf>,
    /// The policy file the scans apply and waiver edits change (`None`: no home directory).
    policy_path: Option<PathBuf>,
    /// Set by "Quit" so the exit is not prevented.
    quitting: AtomicBool,
}

struct Inner {
    report: Option<Arc<Report>>,
    engine: EngineStatus,
    scanning: bool,
    progress: Option<Progress>,
    paused: bool,
    settings: Settings,
    policy: policy::Loaded,
    history: HistoryStatus,
}

/// The running watcher, if any: set when one starts, replaced when the user selects another engine.
#[derive(Default)]
struct WatchSlot(Mutex<Option<WatchHandle>>);

impl WatchSlot {
    /// The watcher (a handle is a cheap channel sender).
    fn get(&self) -> Option<WatchHandle> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Puts `handle` in place; returns the previous one.
    fn set(&self, handle: Option<WatchHandle>) -> Option<WatchHandle> {
        std::mem::replace(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()), handle)
    }
}

/// What an update asks the shell to do.
#[derive(Debug, Default)]
pub struct Effects {
    /// Emit `state-changed` and refresh the tray.
    pub state_changed: bool,
    /// Emit `scan-progress` with this.
    pub progress: Option<Progress>,
    /// New high/critical failures worth one notification (already filtered by the settings).
    pub notify: Vec<NewFailure>,
    /// What changed, for the log.
    pub log: Option<String>,
}

impl Core {
    /// A core for `endpoint` with `settings`, persisted at `settings_path`.
    pub fn new(endpoint: impl Into<String>, settings: Settings, settings_path: Option<PathBuf>) -> Self {
        Core {
            inner: Mutex::new(Inner {
                report: None,
                engine: EngineStatus::connecting(endpoint),
                scanning: false,
                progress: None,
                paused: false,
                settings,
                policy: policy::Loaded::default(),
                history: HistoryStatus::default(),
            }),
            watch: WatchSlot::default(),
            settings_path,
            policy_path: None,
            quitting: AtomicBool::new(false),
        }
    }

    /// Uses the policy file at `path` (read now; see [`policy::load`]).
    #[must_use]
    pub fn with_policy_file(mut self, path: Option<PathBuf>) -> Self {
        self.lock().policy = policy::load(path.as_deref());
        self.policy_path = path;
        self
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The state as the UI sees it.
    pub fn snapshot(&self) -> AppState {
        let inner = self.lock();
        AppState {
            report: inner.report.clone(),
            engine: inner.engine.clone(),
            scanning: inner.scanning,
            progress: inner.progress,
            paused: inner.paused,
            settings: inner.settings.clone(),
            tray: TrayState::of(inner.engine.state, inner.report.as_deref()),
            policy: inner.policy.state.clone(),
            history: inner.history.clone(),
        }
    }

    /// The policy rules the scans apply (`None`: no file, or one that cannot be applied).
    pub fn policy(&self) -> Option<Policy> {
        self.lock().policy.rules.clone()
    }

    fn policy_file(&self) -> Result<&PathBuf, CommandError> {
        self.policy_path.as_ref().ok_or_else(|| {
            CommandError::internal(
                "There is no policy file to write to: HOME is not set (set ZERODOCK_POLICY to a file).",
            )
        })
    }

    /// Accepts a risk: adds (or updates) a waiver in the policy file, reads the file back and
    /// asks the watcher to judge again with it; the report with the finding waived follows as a
    /// state. The caller publishes the state (the policy part changed at once).
    pub fn waive(&self, input: &WaiverInput) -> Result<WaiverChange, CommandError> {
        let path = self.policy_file()?;
        let message = policy::waive(path, input, chrono::Utc::now().date_naive())?;
        Ok(self.reload_policy(message))
    }

    /// Takes an accepted risk back: removes the waiver for `check` and `target` (`None`: the one
    /// for every object); as [`Core::waive`] otherwise.
    pub fn unwaive(&self, check: &str, target: Option<&str>) -> Result<WaiverChange, CommandError> {
        let path = self.policy_file()?;
        let message = policy::unwaive(path, check, target)?;
        Ok(self.reload_policy(message))
    }

    /// Reads the policy file again when it changed since it was read (`zerodock waive` or an
    /// editor while the tray runs) and has the watcher judge again with it; says so for the log.
    /// One `stat` per call: the tray calls it after each evaluation.
    pub fn reload_policy_if_changed(&self) -> Option<String> {
        let path = self.policy_path.as_deref()?;
        if policy::stamp(path) == self.lock().policy.stamp {
            return None;
        }
        let change = self.reload_policy(format!("the policy file {} changed: judging again", path.display()));
        Some(change.message)
    }

    fn reload_policy(&self, message: String) -> WaiverChange {
        let loaded = policy::load(self.policy_path.as_deref());
        let (rules, state) = (loaded.rules.clone(), loaded.state.clone());
        self.lock().policy = loaded;
        if let Some(watch) = self.watch.get() {
            watch.set_policy(rules);
        }
        WaiverChange { message, policy: state }
    }

    /// The latest report, if any.
    pub fn report(&self) -> Option<Arc<Report>> {
        self.lock().report.clone()
    }

    /// The current settings.
    pub fn settings(&self) -> Settings {
        self.lock().settings.clone()
    }

    /// Attaches the watcher; a previous one (another engine) is stopped.
    pub fn attach_watcher(&self, handle: WatchHandle) {
        let paused = self.lock().paused;
        handle.set_paused(paused);
        if let Some(old) = self.watch.set(Some(handle)) {
            old.stop();
        }
    }

    /// Follows another engine: stops the watcher, forgets the report of the old engine (its
    /// findings are not this engine's) and shows `endpoint` as connecting until the new watcher
    /// reports. The caller attaches the new watcher.
    pub fn switch_engine(&self, endpoint: impl Into<String>) {
        if let Some(old) = self.watch.set(None) {
            old.stop();
        }
        let mut inner = self.lock();
        inner.report = None;
        inner.scanning = false;
        inner.progress = None;
        inner.engine = EngineStatus::connecting(endpoint);
    }

    /// Takes the history's status (opened, recovered, a save), for the next state.
    pub fn set_history(&self, status: HistoryStatus) {
        self.lock().history = status;
    }

    fn watcher(&self) -> Result<WatchHandle, CommandError> {
        self.watch.get().ok_or_else(|| {
            CommandError::new(
                ErrorCode::EngineUnreachable,
                "Monitoring is not running: the Docker endpoint could not be resolved (see the engine status).",
            )
        })
    }

    /// Asks the watcher for a full rescan.
    pub fn scan_now(&self) -> Result<(), CommandError> {
        self.watcher()?.rescan();
        Ok(())
    }

    /// Pauses or resumes monitoring; returns whether it changed.
    pub fn set_paused(&self, paused: bool) -> bool {
        let changed = {
            let mut inner = self.lock();
            std::mem::replace(&mut inner.paused, paused) != paused
        };
        if let Some(watch) = self.watch.get() {
            watch.set_paused(paused);
        }
        changed
    }

    /// Validates, persists and applies new settings (the autostart entry is the caller's job).
    pub fn set_settings(&self, settings: Settings) -> Result<Settings, CommandError> {
        settings.validate()?;
        if let Some(path) = &self.settings_path {
            settings::save(path, &settings).map_err(|e| {
                CommandError::internal(format!("Could not save the settings to {}: {e}", path.display()))
            })?;
        }
        self.lock().settings = settings.clone();
        if let Some(watch) = self.watch.get() {
            watch.set_interval(Duration::from_secs(u64::from(settings.rescan_interval_secs)));
        }
        Ok(settings)
    }

    /// Marks the engine endpoint as unusable before any watcher runs (bad `DOCKER_HOST`/context).
    pub fn set_endpoint_error(&self, reason: String) {
        let mut inner = self.lock();
        let endpoint = inner.engine.endpoint.clone();
        inner.engine = EngineStatus::unreachable(endpoint, reason, None);
    }

    /// Marks that the user chose Quit.
    pub fn set_quitting(&self) {
        self.quitting.store(true, Ordering::SeqCst);
    }

    /// Whether the user chose Quit.
    pub fn is_quitting(&self) -> bool {
        self.quitting.load(Ordering::SeqCst)
    }

    /// Applies one watcher update and says what to emit.
    ///
    /// Notifications: only failures that are new against the last report that reached the engine.
    /// The first such report after launch (or after a start with the engine down) notifies nothing:
    /// its findings are not news, the tray icon already shows them.
    pub fn apply(&self, update: WatchUpdate) -> Effects {
        let mut inner = self.lock();
        match update {
            WatchUpdate::ScanStarted { trigger } => {
                inner.scanning = true;
                inner.progress = None;
                Effects {
                    state_changed: true,
                    log: Some(format!("scan started ({})", trigger)),
                    ..Effects::default()
                }
            }
            WatchUpdate::Progress(progress) => {
                inner.progress = Some(progress);
                Effects { progress: Some(progress), ..Effects::default() }
            }
            WatchUpdate::Evaluated { report, trigger, new_failures } => {
                inner.scanning = false;
                inner.progress = None;
                let reached_engine = report.subject.engine.is_some();
                // A waiver the user just removed brings its failure back: they did it and are
                // looking, so it is not news.
                let notify = if inner.settings.notifications && trigger != Trigger::PolicyChanged {
                    let min = inner.settings.notify_min_severity;
                    new_failures.into_iter().filter(|f| min.admits(f.severity)).collect()
                } else {
                    Vec::new()
                };
                if reached_engine {
                    if inner.engine.state != EngineState::Connected {
                        let endpoint = inner.engine.endpoint.clone();
                        inner.engine = EngineStatus {
                            state: EngineState::Connected,
                            ..EngineStatus::connecting(endpoint)
                        };
                    }
                } else if let Some(reason) = &report.subject.engine_unavailable
                    && inner.engine.state != EngineState::Unreachable
                {
                    let endpoint = inner.engine.endpoint.clone();
                    inner.engine = EngineStatus::unreachable(endpoint, reason.clone(), None);
                }
                let log = format!(
                    "evaluated ({}): score {} grade {}, {} new high/critical",
                    trigger,
                    report.score.map_or_else(|| "none".to_owned(), |s| s.to_string()),
                    report.grade,
                    notify.len()
                );
                inner.report = Some(report);
                Effects { state_changed: true, notify, log: Some(log), ..Effects::default() }
            }
            WatchUpdate::EngineDown { reason, retry_in } => {
                let endpoint = inner.engine.endpoint.clone();
                let retry = u32::try_from(retry_in.as_secs()).unwrap_or(u32::MAX);
                inner.engine = EngineStatus::unreachable(endpoint, reason.clone(), Some(retry));
                inner.scanning = false;
                inner.progress = None;
                Effects {
                    state_changed: true,
                    log: Some(format!("engine unreachable, retry in {retry} s: {reason}")),
                    ..Effects::default()
                }
            }
            WatchUpdate::EngineUp => {
                let endpoint = inner.engine.endpoint.clone();
                inner.engine =
                    EngineStatus { state: EngineState::Connected, ..EngineStatus::connecting(endpoint) };
                Effects {
                    state_changed: true,
                    log: Some("engine reachable".to_owned()),
                    ..Effects::default()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The watcher-update → state mapping, on reports the engine computed from real snapshot
    //! fixtures (moved here from the dashboard's tests with the watcher).

    use std::path::PathBuf;

    use zerodock_engine::collect::watch::Trigger;
    use zerodock_engine::report::Baseline;
    use zerodock_engine::{EvalConfig, Snapshot, evaluate};

    use super::*;
    use crate::model::{NotifySeverity, status_line};

    fn report(fixture: &str) -> Arc<Report> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../engine/tests/fixtures/{fixture}.json"));
        let text = std::fs::read_to_string(&path).expect("fixture");
        let snapshot: Snapshot = serde_json::from_str(&text).expect("snapshot");
        Arc::new(evaluate(&snapshot, &EvalConfig::at(snapshot.collected_at)))
    }

    /// What the engine's watcher sends after a scan: the report and its new failures against the
    /// watcher's baseline.
    fn evaluated(baseline: &mut Baseline, report: &Arc<Report>, trigger: Trigger) -> WatchUpdate {
        let new_failures = baseline.advance(report);
        WatchUpdate::Evaluated { report: report.clone(), trigger, new_failures }
    }

    #[test]
    fn watcher_updates_drive_state_tray_and_notifications() {
        let core = Core::new("unix:///tmp/zerodock-test/default/docker.sock", Settings::default(), None);
        let mut baseline = Baseline::default();
        assert_eq!(core.snapshot().tray, TrayState::Scanning);

        let fx = core.apply(WatchUpdate::ScanStarted { trigger: Trigger::Startup });
        assert!(fx.state_changed);
        assert!(core.snapshot().scanning);

        let hardened = report("hardened");
        let default = report("default");
        let fx = core.apply(evaluated(&mut baseline, &hardened, Trigger::Startup));
        assert!(fx.notify.is_empty(), "the first report's findings are not news");
        let state = core.snapshot();
        assert!(!state.scanning);
        assert_eq!(state.engine.state, EngineState::Connected);
        assert_eq!(state.tray, TrayState::of(EngineState::Connected, Some(&hardened)));

        // The weak engine after the hardened one: its critical failures are new, once.
        let fx = core.apply(evaluated(
            &mut baseline,
            &default,
            Trigger::Event { description: "container start".into() },
        ));
        assert!(fx.notify.iter().any(|n| n.check == "CTR003"), "{:?}", fx.notify);
        assert!(fx.notify.iter().any(|n| n.severity == zerodock_engine::Severity::High), "{:?}", fx.notify);
        assert_eq!(core.snapshot().tray, TrayState::Critical);
        let fx = core.apply(evaluated(&mut baseline, &default, Trigger::Interval));
        assert!(fx.notify.is_empty(), "the same failures again are not news");

        // Critical only: the new high failures stay quiet.
        core.apply(evaluated(&mut baseline, &hardened, Trigger::Manual));
        let critical_only = Settings { notify_min_severity: NotifySeverity::Critical, ..Settings::default() };
        core.set_settings(critical_only).expect("settings");
        let fx = core.apply(evaluated(&mut baseline, &default, Trigger::Manual));
        assert!(!fx.notify.is_empty());
        assert!(
            fx.notify.iter().all(|n| n.severity == zerodock_engine::Severity::Critical),
            "{:?}",
            fx.notify
        );

        // Notifications off: nothing, even when new.
        core.apply(evaluated(&mut baseline, &hardened, Trigger::Manual));
        core.set_settings(Settings { notifications: false, ..Settings::default() }).expect("settings");
        let fx = core.apply(evaluated(&mut baseline, &default, Trigger::Manual));
        assert!(fx.notify.is_empty());

        let fx = core.apply(WatchUpdate::EngineDown {
            reason: "connection refused".into(),
            retry_in: Duration::from_secs(8),
        });
        assert!(fx.state_changed);
        let state = core.snapshot();
        assert_eq!(state.tray, TrayState::Unknown);
        assert_eq!(state.engine.state, EngineState::Unreachable);
        assert_eq!(state.engine.next_retry_secs, Some(8));
        assert_eq!(state.engine.message.as_deref(), Some("connection refused"));
        assert!(state.engine.hint.is_some());
        let line = status_line(&state);
        assert!(line.starts_with("ZeroDock — engine unreachable · host only "), "{line}");

        core.apply(WatchUpdate::EngineUp);
        assert_eq!(core.snapshot().tray, TrayState::Critical);
    }

    #[test]
    fn settings_are_validated_and_persisted_and_a_scan_needs_a_watcher() {
        let dir = std::env::temp_dir().join(format!("zerodock-tray-core-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let path = crate::settings::path_in(&dir);
        let core = Core::new("unix:///var/run/docker.sock", Settings::default(), Some(path.clone()));
        let err = core
            .set_settings(Settings { rescan_interval_secs: 5, ..Settings::default() })
            .expect_err("range");
        assert_eq!(err.code, ErrorCode::InvalidArgument);
        assert!(!path.exists(), "rejected settings are not saved");
        let wanted =
            Settings { rescan_interval_secs: 600, theme: crate::model::Theme::Dark, ..Settings::default() };
        core.set_settings(wanted.clone()).expect("saved");
        assert_eq!(crate::settings::load(&path), wanted);
        assert_eq!(core.snapshot().settings, wanted);
        // No watcher attached (no endpoint): a scan is refused with a reason.
        assert_eq!(core.scan_now().expect_err("no watcher").code, ErrorCode::EngineUnreachable);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_waiver_from_the_dashboard_is_written_read_back_and_its_rejudging_notifies_nothing() {
        let dir = std::env::temp_dir().join(format!("zerodock-tray-core-waive-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("policy.toml");
        std::fs::write(&path, "# Ours: keep this line.\n").expect("write");
        let core = Core::new("unix:///var/run/docker.sock", Settings::default(), None)
            .with_policy_file(Some(path.clone()));
        let state = core.snapshot().policy;
        assert!(state.exists && state.waivers.is_empty() && state.error.is_none(), "{state:?}");
        assert_eq!(state.path.as_deref(), Some(path.to_str().expect("utf8")));

        let input = crate::model::WaiverInput {
            check: "docker-socket-mounted".into(),
            target: Some("web".into()),
            reason: "A CI runner".into(),
            by: Some("ops".into()),
            expires: None,
        };
        let change = core.waive(&input).expect("waived");
        assert!(change.message.contains("CTR003 / web"), "{}", change.message);
        assert_eq!(core.snapshot().policy, change.policy, "the state shows the file as written");
        assert_eq!(change.policy.waivers[0].check, "CTR003");
        assert_eq!(core.policy().expect("applied").waivers.len(), 1, "the next evaluation applies it");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.starts_with("# Ours: keep this line.\n"), "{text}");

        // The watcher judges again after the edit: a failure that comes back is not news.
        let mut baseline = Baseline::default();
        core.apply(evaluated(&mut baseline, &report("hardened"), Trigger::Startup));
        let fx = core.apply(evaluated(&mut baseline, &report("default"), Trigger::PolicyChanged));
        assert!(fx.state_changed && fx.notify.is_empty(), "{:?}", fx.notify);

        // Nothing changed on disk since: nothing to reload.
        assert_eq!(core.reload_policy_if_changed(), None);
        // `zerodock waive` (or an editor) changes the file while the tray runs: read again.
        let outside = format!("{text}\n[[waiver]]\ncheck = \"CTR019\"\nreason = \"from the CLI\"\n");
        std::fs::write(&path, outside).expect("edit elsewhere");
        assert!(core.reload_policy_if_changed().is_some_and(|m| m.contains("changed")));
        assert_eq!(core.snapshot().policy.waivers.len(), 2, "the CLI's waiver shows in the app");
        assert_eq!(core.policy().expect("applied").waivers.len(), 2);
        assert_eq!(core.reload_policy_if_changed(), None, "once");

        let change = core.unwaive("CTR003", Some("web")).expect("removed");
        assert_eq!(change.policy.waivers.len(), 1);
        let change = core.unwaive("CTR019", None).expect("removed");
        assert!(change.policy.waivers.is_empty());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "# Ours: keep this line.\n");
        // No file to edit at all (no home): a clear refusal.
        let homeless = Core::new("unix:///var/run/docker.sock", Settings::default(), None);
        assert!(homeless.waive(&input).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_status_line_carries_score_grade_counts_and_engine() {
        let core = Core::new("unix:///var/run/docker.sock", Settings::default(), None);
        let mut baseline = Baseline::default();
        assert_eq!(status_line(&core.snapshot()), "ZeroDock — first scan… · connecting to the engine");
        let default = report("default");
        core.apply(evaluated(&mut baseline, &default, Trigger::Startup));
        core.set_paused(true);
        let line = status_line(&core.snapshot());
        let critical = default
            .counts
            .failing_by_severity
            .get(&zerodock_engine::Severity::Critical)
            .copied()
            .unwrap_or(0);
        let score = default.score.expect("scored");
        assert!(
            line.starts_with(&format!("ZeroDock — {score}/100 {} · {critical} critical · ", default.grade)),
            "{line}"
        );
        assert!(line.ends_with("engine connected · monitoring paused"), "{line}");
    }
}
