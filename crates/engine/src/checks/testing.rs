//! Test helpers for checks: load snapshot fixtures captured from a real dockerd
//! (`cargo xtask capture-fixtures`), derive named variants for facts this machine cannot produce,
//! and query findings by target name.

use crate::checks::Check;
use crate::outcome::{Finding, Status};
use crate::snapshot::Snapshot;

/// Loads `crates/engine/tests/fixtures/<name>.json`.
///
/// # Panics
/// When the fixture is missing or malformed: run `cargo xtask capture-fixtures`.
pub(crate) fn fixture(name: &str) -> Snapshot {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {path} missing ({e}): run `cargo xtask capture-fixtures`"));
    Snapshot::from_json(&text).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A captured fixture with one documented mutation, for passing cases this machine cannot
/// produce for real (it has no encrypted disk, runs as root, runs an EOL engine).
pub(crate) fn variant(base: &str, mutate: impl FnOnce(&mut Snapshot)) -> Snapshot {
    let mut snap = fixture(base);
    mutate(&mut snap);
    snap
}

/// Runs one check.
pub(crate) fn findings(check: &Check, snap: &Snapshot) -> Vec<Finding> {
    (check.evaluate)(snap)
}

/// The status of the finding about the target named `name`.
///
/// # Panics
/// When no finding names that target.
pub(crate) fn status_of(findings: &[Finding], name: &str) -> Status {
    find(findings, name).status
}

/// The finding about the target named `name`.
///
/// # Panics
/// When no finding names that target.
pub(crate) fn find<'a>(findings: &'a [Finding], name: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.target.name == name)
        .unwrap_or_else(|| panic!("no finding for `{name}` in {:?}", findings.iter().map(|f| &f.target.name).collect::<Vec<_>>()))
}

/// The captured fixtures and every named variant, for catalogue-wide invariants.
pub(crate) fn cases() -> Vec<(&'static str, Snapshot)> {
    let mut cases = vec![("default", fixture("default")), ("hardened", fixture("hardened"))];
    cases.extend(VARIANTS.iter().map(|(name, base, mutate)| (*name, variant(base, mutate))));
    cases
}

/// Named variants: a captured fixture plus one mutation standing for a fact this machine cannot
/// produce for real. Each says what it stands for.
pub(crate) static VARIANTS: &[(&str, &str, fn(&mut Snapshot))] = &[
    // The engine runs on an AppArmor host (Debian, Ubuntu, SUSE); the capturing machine has none.
    ("apparmor-engine", "default", apparmor_engine),
];

/// `/info` lists `name=apparmor`, and each container carries the `AppArmorProfile` dockerd
/// records there: `unconfined` for privileged ones or an explicit opt-out, else `docker-default`.
fn apparmor_engine(snap: &mut Snapshot) {
    let Some(engine) = snap.engine.ok_mut() else { return };
    if let Some(info) = engine.info.ok_mut() {
        info.security_options.push("name=apparmor".to_owned());
    }
    for c in engine.containers.ok_mut().into_iter().flatten() {
        c.apparmor_profile = match c.security_opt("apparmor") {
            Some(profile) => profile.to_owned(),
            None if c.privileged => "unconfined".to_owned(),
            None => "docker-default".to_owned(),
        };
    }
}
