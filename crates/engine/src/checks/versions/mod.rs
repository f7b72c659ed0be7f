//! Version currency checks: the engine's release cycle against the embedded lifecycle table, its
//! patch level, and runc against the last container-escape fix. "Today" is the snapshot's
//! collection date, never the clock, so a saved snapshot keeps its verdict.

use chrono::NaiveDate;

use crate::checks::Check;
use crate::report::{Finding, Snippet, SnippetKind};
use crate::snapshot::{EngineVersion, Snapshot};

pub(crate) mod engine_end_of_life;
pub(crate) mod engine_patch_behind;
pub(crate) mod lifecycle;
pub(crate) mod runc_vulnerable;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] =
    &[&engine_end_of_life::CHECK, &engine_patch_behind::CHECK, &runc_vulnerable::CHECK];

/// Beyond this age the embedded table may miss releases and EOL dates.
pub(crate) const STALE_AFTER_DAYS: i64 = 180;

/// The scan date.
pub(crate) fn today(snap: &Snapshot) -> NaiveDate {
    snap.collected_at.date_naive()
}

/// Why the Docker lifecycle table does not apply to this engine (Podman and other engines that
/// speak the Docker API), if it does not.
pub(crate) fn not_docker(v: &EngineVersion) -> Option<String> {
    let platform = v.platform_name.as_deref().unwrap_or_default();
    let foreign = v
        .components
        .iter()
        .map(|c| c.name.as_str())
        .chain([platform])
        .find(|n| n.to_ascii_lowercase().contains("podman"));
    foreign.map(|name| {
        format!("the engine is `{name}`, not Docker Engine: the Docker lifecycle table does not apply")
    })
}

/// The Docker Desktop release named by `Platform.Name` (`Docker Desktop 4.49.0 (208003)`).
pub(crate) fn desktop(v: &EngineVersion) -> Option<&str> {
    v.platform_name.as_deref().filter(|p| p.starts_with("Docker Desktop"))
}

/// Adds the lifecycle table's generation date and age as evidence.
pub(crate) fn table_evidence(finding: Finding, today: NaiveDate) -> Finding {
    let age = lifecycle::table_age_days(today);
    let stale = if age > STALE_AFTER_DAYS { ": the table may be stale" } else { "" };
    finding.evidence(
        "embedded lifecycle table (generated)",
        format!("{} ({age} days before the scan{stale})", lifecycle::table().generated),
        format!("at most {STALE_AFTER_DAYS} days old"),
    )
}

/// How to upgrade this engine, for the way it was installed.
pub(crate) fn upgrade_fixes(snap: &Snapshot, v: &EngineVersion) -> Vec<Snippet> {
    if let Some(d) = desktop(v) {
        return vec![Snippet::new(
            SnippetKind::Shell,
            format!("Update Docker Desktop ({d})"),
            "# Docker Desktop → Settings → Software updates → Check for updates\n# or download the latest release: https://docs.docker.com/desktop/release-notes/",
        )];
    }
    let vendor = lifecycle::ParsedVersion::parse(&v.version).and_then(|p| p.vendor());
    let os = snap
        .host_scope()
        .ok()
        .and(snap.host.os.ok())
        .map(|o| o.name.to_ascii_lowercase())
        .unwrap_or_default();
    let rpm = ["fedora", "red hat", "rhel", "centos", "rocky", "alma"].iter().any(|d| os.contains(d));
    let code = match (vendor, rpm) {
        (Some("Debian" | "Ubuntu"), _) => {
            "# distribution package (docker.io): take its security updates…\nsudo apt-get update && sudo apt-get install --only-upgrade docker.io\n\
             # …or move to a supported upstream release (docker-ce): https://docs.docker.com/engine/install/"
                .to_owned()
        }
        (_, true) => "sudo dnf upgrade --refresh docker-ce docker-ce-cli containerd.io".to_owned(),
        _ if v.platform_name.as_deref().is_some_and(|p| p.contains("Community")) => {
            "sudo apt-get update && sudo apt-get install --only-upgrade docker-ce docker-ce-cli containerd.io".to_owned()
        }
        _ => "# upgrade with the package manager that installed Docker, or follow https://docs.docker.com/engine/install/".to_owned(),
    };
    let label = if snap.info().is_ok_and(|i| i.live_restore_enabled) {
        "Upgrade Docker Engine (containers keep running: live-restore is on)"
    } else {
        "Upgrade Docker Engine (containers stop while the daemon restarts unless live-restore is on)"
    };
    vec![Snippet::new(SnippetKind::Shell, label, code)]
}
