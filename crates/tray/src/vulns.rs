//! "Scan images" (issue 12, asked from the dashboard): the tray reads every image in use through
//! the engine, matches the packages against the local vulnerability database and publishes a
//! report with the `vulnerabilities` part and the VUL checks judged.
//!
//! Why here and not in the dashboard: the tray owns the report (what every dashboard shows, what
//! notifications compare against, what outlives a closed window) and the engine connection's
//! options; a dashboard closed mid-scan must not lose the result. The dashboard only asks
//! (`Request::ScanImages`) and waits for the reply.
//!
//! Explicit only: exporting an image makes dockerd log an image event, so a scan on every
//! re-evaluation would feed itself. The engine's watcher keeps no snapshot its owner can extend,
//! so while a scan is held, each report the watcher sends is evaluated once more here from a fresh
//! read of the engine with the held scan attached ([`Held::reattach`]) — matched results for the
//! images still in use, no image read again — so a container start does not drop the part.

use std::sync::Arc;

use zerodock_engine::evaluate::Policy;
use zerodock_engine::snapshot::VulnScan;
use zerodock_engine::{CollectOptions, EvalConfig, Fact, Report, Snapshot, collect, evaluate};
use zerodock_vuln::scan::{self, ImageCache};

use crate::error::{CommandError, ErrorCode};

/// The result of an explicit scan, kept to attach to later evaluations.
#[derive(Debug, Clone)]
pub struct Held {
    scan: VulnScan,
    /// The full snapshot the scan was attached to: its host facts stand in for an engine-only
    /// re-read after an event (as the watcher itself reuses them).
    host_from: Snapshot,
}

/// Collects a full snapshot, reads every image in use (cached by id: an image is exported once),
/// matches them on a blocking thread (the database's connection is not `Sync`) and evaluates.
///
/// # Errors
/// `engine_unreachable` when the engine cannot be read; `scan_failed` when the database cannot be
/// opened or queried (a damaged database must not read as "no vulnerabilities").
pub async fn scan(
    opts: &CollectOptions,
    policy: Option<Policy>,
) -> Result<(Held, Arc<Report>), CommandError> {
    let mut opts = opts.clone();
    opts.host_facts = true;
    opts.progress = None;
    let mut snapshot = collect(&opts).await;
    if let Err(reason) = snapshot.engine() {
        return Err(CommandError::new(
            ErrorCode::EngineUnreachable,
            format!("The Docker engine could not be read, so no image was scanned: {reason}"),
        ));
    }
    let images = scan::images_in_use(&snapshot);
    let read = scan::read_images(&opts, &images, &ImageCache::default_location()).await;
    let assessed = tokio::task::spawn_blocking(move || {
        let db = scan::open_database(None)?;
        scan::assess(db.as_ref(), read)
    })
    .await
    .map_err(|e| CommandError::internal(format!("the image scan stopped: {e}")))?
    .map_err(|e| {
        CommandError::new(ErrorCode::ScanFailed, format!("The vulnerability database failed: {e}"))
    })?;
    snapshot.vulnerabilities = Fact::available(assessed.clone());
    let report = Arc::new(evaluate(&snapshot, &config(policy)));
    Ok((Held { scan: assessed, host_from: snapshot }, report))
}

impl Held {
    /// The held scan's images.
    pub fn scan(&self) -> &VulnScan {
        &self.scan
    }

    /// Re-reads the engine (host facts reused when `reuse_host`, as for an event) and evaluates
    /// with the held scan attached, limited to the images still in use. `None` when the engine
    /// cannot be read now (the watcher's report then stands).
    pub async fn reattach(
        &mut self,
        opts: &CollectOptions,
        reuse_host: bool,
        policy: Option<Policy>,
    ) -> Option<Arc<Report>> {
        let mut opts = opts.clone();
        opts.host_facts = !reuse_host;
        opts.progress = None;
        let mut snapshot = collect(&opts).await;
        snapshot.engine().ok()?;
        if reuse_host {
            snapshot.host = self.host_from.host.clone();
            snapshot.endpoint.local = self.host_from.endpoint.local;
        }
        let in_use = scan::images_in_use(&snapshot);
        let mut attached = self.scan.clone();
        attached.images.retain(|i| in_use.iter().any(|r| r.id == i.image_id));
        snapshot.vulnerabilities = Fact::available(attached);
        let report = Arc::new(evaluate(&snapshot, &config(policy)));
        if !reuse_host {
            self.host_from = snapshot;
        }
        Some(report)
    }
}

/// Now, with the tray's policy (waivers, severity overrides): an image scan's report is judged as
/// the watcher's are.
fn config(policy: Option<Policy>) -> EvalConfig {
    let mut config = EvalConfig::at(chrono::Utc::now());
    if let Some(policy) = policy {
        config.policy = policy;
    }
    config
}
