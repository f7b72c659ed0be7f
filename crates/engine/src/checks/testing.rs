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
    findings.iter().find(|f| f.target.name == name).unwrap_or_else(|| {
        panic!("no finding for `{name}` in {:?}", findings.iter().map(|f| &f.target.name).collect::<Vec<_>>())
    })
}

/// The captured fixtures and every named variant, for catalogue-wide invariants.
pub(crate) fn cases() -> Vec<(&'static str, Snapshot)> {
    let mut cases = vec![("default", fixture("default")), ("hardened", fixture("hardened"))];
    cases.extend(VARIANTS.iter().map(|(name, base, mutate)| (*name, variant(base, mutate))));
    cases
}

/// A named variant: its name, the fixture it starts from, and the mutation.
pub(crate) type Variant = (&'static str, &'static str, fn(&mut Snapshot));

/// Named variants: a captured fixture plus one mutation standing for a fact this machine cannot
/// produce for real. Each says what it stands for.
pub(crate) static VARIANTS: &[Variant] = &[
    // The engine runs on an AppArmor host (Debian, Ubuntu, SUSE); the capturing machine has none.
    ("apparmor-engine", "default", apparmor_engine),
    // A current upstream engine (docker-ce 29.7.2, runc 1.3.3); the capturing machine runs Debian's 20.10.
    ("current-engine", "hardened", current_engine),
    // A maintained cycle, behind its latest patch (29.1.0).
    ("patch-behind-engine", "hardened", patch_behind_engine),
    // Full-disk encryption, with Docker's data-root on a LUKS2 volume of its own (CIS 1.1.1).
    ("encrypted-host", "hardened", encrypted_host),
    // ZeroDock run by desktop user `alice` (uid 1000), a member of the docker group.
    ("desktop-user-in-docker", "default", desktop_user_in_docker),
    // The same desktop user, with no root-equivalent group.
    ("desktop-user", "hardened", desktop_user),
    // daemon.json `"seccomp-profile": "unconfined"`, as `/info` then reports it.
    ("seccomp-unconfined-daemon", "default", seccomp_unconfined_daemon),
    // An authorization plugin (`"authorization-plugins": ["opa-docker-authz"]`) and `"ip": "127.0.0.1"`.
    ("authz-loopback-daemon", "hardened", authz_loopback_daemon),
    // A cgroup v1 host without swap accounting (stock Debian/Ubuntu kernels before cgroup v2).
    ("no-swap-accounting", "default", no_swap_accounting),
    // `docker-credential-secretservice` installed, as the hardened client config expects.
    ("creds-helper-installed", "hardened", creds_helper_installed),
];

/// `/info` lists `name=apparmor`, and each container carries the `AppArmorProfile` dockerd
/// records there: `unconfined` for privileged ones or an explicit opt-out, else `docker-default`.
fn apparmor_engine(snap: &mut Snapshot) {
    let Some(engine) = snap.engine.ok_mut() else { return };
    if let Some(info) = engine.info.ok_mut() {
        info.security_options.push("name=apparmor".to_owned());
    }
    if let Some(lsm) = snap.host.lsm.ok_mut() {
        lsm.apparmor = Some(true);
    }
    for c in engine.containers.ok_mut().into_iter().flatten() {
        c.apparmor_profile = match c.security_opt("apparmor") {
            Some(profile) => profile.to_owned(),
            None if c.privileged => "unconfined".to_owned(),
            None => "docker-default".to_owned(),
        };
    }
}

fn set_versions(snap: &mut Snapshot, engine: &str, runc: &str) {
    let Some(v) = snap.engine.ok_mut().and_then(|e| e.version.ok_mut()) else { return };
    v.version = engine.to_owned();
    v.platform_name = Some("Docker Engine - Community".to_owned());
    for c in &mut v.components {
        match c.name.as_str() {
            "Engine" => c.version = engine.to_owned(),
            "runc" => c.version = runc.to_owned(),
            _ => {}
        }
    }
}

fn current_engine(snap: &mut Snapshot) {
    set_versions(snap, "29.7.2", "1.3.3");
}

fn patch_behind_engine(snap: &mut Snapshot) {
    set_versions(snap, "29.1.0", "1.3.3");
}

fn encrypted_host(snap: &mut Snapshot) {
    use crate::snapshot::{BlockDevice, Encryption};
    for (storage, name) in [(&mut snap.host.root_storage, "dm-0"), (&mut snap.host.data_root_storage, "dm-1")]
    {
        if let Some(s) = storage.ok_mut() {
            s.chain.insert(
                0,
                BlockDevice { name: name.to_owned(), dm_uuid: Some(format!("CRYPT-LUKS2-{name}-luks")) },
            );
            s.encryption = Encryption::DmCrypt { kind: "LUKS2".to_owned() };
        }
    }
    if let Some(s) = snap.host.data_root_storage.ok_mut() {
        s.separate_from_root = true;
        s.source = "/dev/mapper/docker-crypt".to_owned();
    }
}

fn desktop_user_as(snap: &mut Snapshot, groups: &[&str]) {
    let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
    if let Some(user) = snap.host.user.ok_mut() {
        *user = crate::snapshot::HostUser {
            uid: 1000,
            euid: 1000,
            name: Some("alice".to_owned()),
            groups: groups.clone(),
            configured_groups: groups.clone(),
        };
    }
    if let Some(Some(docker)) = snap.host.docker_group.ok_mut() {
        docker.members =
            if groups.iter().any(|g| g == "docker") { vec!["alice".to_owned()] } else { Vec::new() };
    }
}

fn desktop_user_in_docker(snap: &mut Snapshot) {
    desktop_user_as(snap, &["alice", "docker"]);
}

fn desktop_user(snap: &mut Snapshot) {
    desktop_user_as(snap, &["alice", "sudo"]);
}

fn seccomp_unconfined_daemon(snap: &mut Snapshot) {
    if let Some(info) = snap.engine.ok_mut().and_then(|e| e.info.ok_mut()) {
        info.security_options = vec!["name=seccomp,profile=unconfined".to_owned()];
    }
}

fn authz_loopback_daemon(snap: &mut Snapshot) {
    let Some(engine) = snap.engine.ok_mut() else { return };
    if let Some(info) = engine.info.ok_mut() {
        info.authorization_plugins = vec!["opa-docker-authz".to_owned()];
    }
    for n in engine.networks.ok_mut().into_iter().flatten().filter(|n| n.is_default_bridge()) {
        n.options.insert("com.docker.network.bridge.host_binding_ipv4".to_owned(), "127.0.0.1".to_owned());
    }
}

fn no_swap_accounting(snap: &mut Snapshot) {
    if let Some(info) = snap.engine.ok_mut().and_then(|e| e.info.ok_mut()) {
        info.warnings.push("WARNING: No swap limit support".to_owned());
    }
}

fn creds_helper_installed(snap: &mut Snapshot) {
    if let Some(Some(config)) = snap.host.client_config.ok_mut() {
        config.creds_store_helper_found = Some(true);
    }
}
