//! Test helpers for checks: load snapshot fixtures captured from a real dockerd
//! (`cargo xtask capture-fixtures`), derive named variants for facts this machine cannot produce,
//! and query findings by target name.

use crate::checks::Check;
use crate::report::{Finding, Status};
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

/// The secret `xtask/scenarios.toml` plants in the scenario containers the fixtures were captured
/// from (one place for it): nothing collected or reported may contain it.
pub(crate) fn planted_secret() -> &'static str {
    include_str!("../../../../xtask/scenarios.toml")
        .lines()
        .find_map(|l| l.strip_prefix("planted_secret = \"")?.strip_suffix('"'))
        .expect("xtask/scenarios.toml names planted_secret")
}

/// A captured fixture with one documented mutation, for passing cases this machine cannot
/// produce for real (it has no encrypted disk, runs as root, runs an EOL engine).
pub(crate) fn variant(base: &str, mutate: impl FnOnce(&mut Snapshot)) -> Snapshot {
    let mut snap = fixture(base);
    mutate(&mut snap);
    snap
}

/// A named variant from [`VARIANTS`], with a further mutation for one test.
///
/// # Panics
/// When no variant has that name.
pub(crate) fn named(name: &str, mutate: impl FnOnce(&mut Snapshot)) -> Snapshot {
    let (_, base, named_mutation) = VARIANTS
        .iter()
        .find(|(n, _, _)| *n == name)
        .unwrap_or_else(|| panic!("no variant named `{name}` in testing::VARIANTS"));
    let mut snap = variant(base, named_mutation);
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

/// The captured fixture (or named variant) `base` cut down to the containers, images and networks named in `names`
/// (plus the images the kept containers run): a small input that still is real engine data.
/// Engine and host facts are kept whole; a kind none of `names` refers to is kept whole too, so an
/// image check still sees every container that uses its images.
pub(crate) fn reduced(base: &str, names: &[&str]) -> Snapshot {
    // A named variant stands for a fact this machine cannot produce (a Docker Desktop, an
    // encrypted disk): some checks only fail there.
    let mut snap =
        if VARIANTS.iter().any(|(name, ..)| *name == base) { named(base, |_| {}) } else { fixture(base) };
    let Some(engine) = snap.engine.ok_mut() else { return snap };
    let named = |name: &str| names.contains(&name);
    let mut kept_images: Vec<String> = Vec::new();
    if let Some(containers) = engine.containers.ok_mut()
        && containers.iter().any(|c| named(&c.name))
    {
        containers.retain(|c| named(&c.name));
        kept_images.extend(containers.iter().map(|c| c.image_id.clone()));
    }
    if let Some(images) = engine.images.ok_mut()
        && (images.iter().any(|i| named(&i.display_name())) || !kept_images.is_empty())
    {
        images.retain(|i| named(&i.display_name()) || kept_images.contains(&i.id));
    }
    if let Some(networks) = engine.networks.ok_mut()
        && networks.iter().any(|n| named(&n.name))
    {
        networks.retain(|n| named(&n.name));
    }
    snap
}

/// What `check` says on [`reduced`]`(base, names)`.
///
/// # Panics
/// When a name matches no finding: the case would silently snapshot less than it claims.
pub(crate) fn small_findings(check: &Check, base: &str, names: &[&str]) -> Vec<Finding> {
    let found = findings(check, &reduced(base, names));
    for name in names {
        assert!(
            found.iter().any(|f| f.target.name == *name),
            "{}: no finding names `{name}` in {base}",
            check.code
        );
    }
    found
}

/// The fixtures captured from real engines (`cargo xtask capture-fixtures`): the scenario
/// daemons `default` (classic mistakes), `hardened`, and `vulns` (images with known-vulnerable
/// package versions, scanned against a database of real advisories' facts).
pub(crate) const CAPTURED: [&str; 4] = ["default", "hardened", "vulns", "swarm"];

/// One line per finding of `check` on every captured fixture: `fixture status kind name: message`.
pub(crate) fn verdicts(check: &Check) -> String {
    let mut out = String::new();
    for base in CAPTURED {
        for f in findings(check, &fixture(base)) {
            out.push_str(&format!(
                "{base} {} {} {}: {}\n",
                f.status,
                f.target.kind.as_str(),
                f.target.name,
                f.message
            ));
        }
    }
    out
}

/// A check's two snapshot tests, declared in its own test module (so `cargo test CODE` runs them
/// and their `.snap` files sit in the family's `snapshots/` folder, named after the check):
/// `small`, everything it says (messages, evidence, fixes) about a few named objects of a captured
/// engine, and `captured`, its one-line verdict on every object of both captured engines — the
/// realism test.
macro_rules! check_snapshots {
    ($check:expr, $fixture:literal, [$($name:literal),* $(,)?]) => {
        #[test]
        fn snapshot_small_input() {
            let findings = $crate::checks::testing::small_findings(&$check, $fixture, &[$($name),*]);
            insta::assert_json_snapshot!("small", findings);
        }

        #[test]
        fn snapshot_captured_engines() {
            insta::assert_snapshot!("captured", $crate::checks::testing::verdicts(&$check));
        }
    };
}
pub(crate) use check_snapshots;

/// The captured fixtures and every named variant, for catalogue-wide invariants.
pub(crate) fn cases() -> Vec<(&'static str, Snapshot)> {
    let mut cases: Vec<(&'static str, Snapshot)> =
        CAPTURED.iter().map(|name| (*name, fixture(name))).collect();
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
    // Docker Desktop 4.47 on Linux as installed for user alice, and its engine is the one scanned:
    // settings-store.json with the defaults (ECI off, extensions unrestricted, the home shared), no
    // admin-settings.json, no registry.json.
    ("desktop-default", "default", desktop_default),
    // Docker Desktop managed by an organisation: a root-owned admin-settings.json locking ECI on, the
    // TCP API off, updates on, extensions off and Scout on, with a file-sharing allowlist;
    // registry.json requiring sign-in to `acme`; the engine's containers run on sysbox-runc.
    ("desktop-hardened", "hardened", desktop_hardened),
    // The default install after the user loosened it: the API exposed on tcp://localhost:2375,
    // update checks and Scout image analysis off, `/` shared.
    ("desktop-loosened", "default", desktop_loosened),
    // A Debian docker.io host with auditd running and loaded rules (`auditctl -l`) watching every
    // Docker path CIS 1.1.3–1.1.18 names that exists there (`-w PATH -k docker`).
    ("audited-host", "hardened", audited_host),
    // The same host whose rules watch only the dockerd binary, /etc/docker (recursively) and the
    // docker.service unit: 11 of its 15 Docker paths are unwatched.
    ("audit-gaps", "default", audit_gaps),
    // A machine running a Wazuh agent and Fluent Bit.
    ("edr-host", "hardened", edr_host),
    // A machine whose process table was read in full and runs no known monitoring agent.
    ("unmonitored-host", "default", unmonitored_host),
    // Docker's daemon files as the Debian packages install them, plus a registry CA and TLS
    // material in /etc/docker/tls, all root:root with the benchmark's modes.
    ("files-hardened", "hardened", files_hardened),
    // The same files loosened: units group-writable or owned by a user, /etc/docker 775 root:docker,
    // a world-readable TLS key, a 666 environment file and containerd socket.
    ("files-loose", "default", files_loose),
    // Severities the test advisories' records do not carry (DLA-4413-1 and ALPINE-CVE-2026-22184
    // have none): the first rated high, the second medium with its fix withdrawn, so every band
    // has a failing (fix published) and a warning (no fix yet) case.
    ("vulns-rated", "vulns", vulns_rated),
    // The same database, its newest record a day before the scan.
    ("vulns-fresh-db", "vulns", vulns_fresh_db),
    // No vulnerability database on the machine (images read, nothing matched).
    ("vulns-no-db", "vulns", vulns_no_db),
    // The Alpine advisory rated low instead of critical, and Alpine 3.22's end of support 30
    // days after the scan.
    ("vulns-low-eol-soon", "vulns", vulns_low_eol_soon),
    // daemon.json `"cgroup-parent": "/zerodock-workloads"` (not captured: a running container
    // under a cgroup parent of its own would leave that cgroup on the capturing host).
    ("cgroup-parent-daemon", "default", cgroup_parent_daemon),
    // An old engine on the devicemapper storage driver (no thin pool on the capturing machine).
    ("devicemapper-daemon", "default", devicemapper_daemon),
    // The same engine with a changed base device size (`"storage-opts": ["dm.basesize=50G"]`).
    ("devicemapper-basesize-daemon", "default", devicemapper_basesize_daemon),
    // An SELinux host (Fedora, RHEL) whose dockerd runs with `--selinux-enabled`: `/info` reports
    // `name=selinux` and containers get a `container_t` process label, except zd-privileged
    // (privileged containers run unconfined) and zd-apparmor-unconfined, given `label=disable`.
    ("selinux-engine", "default", selinux_engine),
    // zd-exec's running `docker exec` sessions started with `--privileged` (which cannot start on
    // the capturing machine kind: its bounding set lacks a capability, as for zd-privileged).
    ("privileged-exec", "default", privileged_exec),
    // An engine that is an active Swarm node (`docker swarm init`); a captured swarm fixture is
    // issue 9's section-7 part.
    ("swarm-node", "default", swarm_node),
    // The swarm fixture's manager in a swarm of 2 managers (this machine runs one engine; an
    // even count is the case CIS 7.1 warns of).
    ("swarm-even-managers", "swarm", swarm_even_managers),
    // The swarm fixture's manager with auto-lock on (`docker swarm update --autolock=true`:
    // the capture stays unlocked, but its unlock key would be printed during setup).
    ("swarm-autolock", "swarm", swarm_autolock),
    // Node certificates living a year (`docker swarm update --cert-expiry 8760h`).
    ("swarm-long-cert-expiry", "swarm", swarm_long_cert_expiry),
    // The swarm seen from a worker: `/info` has no `Swarm.Cluster`, no manager counts (a second
    // engine joining the swarm would need a second host).
    ("swarm-worker", "swarm", swarm_worker),
    // Three managers, one of them down and unreachable (one machine runs one swarm node).
    ("swarm-manager-unreachable", "swarm", swarm_manager_unreachable),
    // Images pulled from a registry (nothing can be pulled here): every image of the default
    // engine gets the registry digest a pull records.
    ("pulled-images", "default", pulled_images),
];

fn pulled_images(snap: &mut Snapshot) {
    for i in snap.engine.ok_mut().and_then(|e| e.images.ok_mut()).into_iter().flatten() {
        let repo = i.repo_tags.first().and_then(|t| t.rsplit_once(':')).map_or("zerodock/x", |(r, _)| r);
        i.repo_digests = vec![format!("{repo}@{}", i.id)];
    }
}

fn swarm_of(snap: &mut Snapshot) -> Option<&mut crate::snapshot::SwarmInfo> {
    snap.engine.ok_mut().and_then(|e| e.info.ok_mut()).and_then(|i| i.swarm.as_mut())
}

fn swarm_even_managers(snap: &mut Snapshot) {
    if let Some(swarm) = swarm_of(snap) {
        swarm.managers = 2;
        swarm.nodes = 2;
    }
}

fn swarm_autolock(snap: &mut Snapshot) {
    if let Some(cluster) = swarm_of(snap).and_then(|s| s.cluster.as_mut()) {
        cluster.autolock_managers = true;
    }
}

fn swarm_long_cert_expiry(snap: &mut Snapshot) {
    if let Some(cluster) = swarm_of(snap).and_then(|s| s.cluster.as_mut()) {
        cluster.node_cert_expiry_ns = Some(8760 * 3_600_000_000_000);
    }
}

fn swarm_worker(snap: &mut Snapshot) {
    if let Some(swarm) = swarm_of(snap) {
        swarm.control_available = false;
        swarm.managers = 0;
        swarm.nodes = 0;
        swarm.cluster = None;
        swarm.secrets = Some(crate::snapshot::Fact::unavailable(
            "this swarm node is a worker: only a manager can list the swarm's secrets",
        ));
        swarm.node_list = Some(crate::snapshot::Fact::unavailable(
            "this swarm node is a worker: only a manager can list the swarm's nodes",
        ));
        swarm.services = Some(crate::snapshot::Fact::unavailable(
            "this swarm node is a worker: only a manager can list the swarm's services",
        ));
    }
}

fn swarm_manager_unreachable(snap: &mut Snapshot) {
    use crate::snapshot::{Fact, SwarmManagerStatus, SwarmNode};
    if let Some(swarm) = swarm_of(snap) {
        swarm.managers = 3;
        swarm.nodes = 3;
        let mut nodes = swarm.node_list.as_ref().and_then(|f| f.ok()).cloned().unwrap_or_default();
        for (host, addr) in [("zd-manager-2", "10.213.6.2:2377"), ("zd-manager-3", "10.213.6.3:2377")] {
            nodes.push(SwarmNode {
                hostname: host.to_owned(),
                role: "manager".to_owned(),
                availability: "active".to_owned(),
                state: if host.ends_with('3') { "down" } else { "ready" }.to_owned(),
                manager: Some(SwarmManagerStatus {
                    leader: false,
                    reachability: if host.ends_with('3') { "unreachable" } else { "reachable" }.to_owned(),
                    addr: addr.to_owned(),
                }),
            });
        }
        swarm.node_list = Some(Fact::available(nodes));
    }
}

fn swarm_node(snap: &mut Snapshot) {
    if let Some(info) = snap.engine.ok_mut().and_then(|e| e.info.ok_mut()) {
        info.swarm_state = "active".to_owned();
    }
}

fn privileged_exec(snap: &mut Snapshot) {
    let Some(engine) = snap.engine.ok_mut() else { return };
    for c in engine.containers.ok_mut().into_iter().flatten().filter(|c| c.name == "zd-exec") {
        for e in c.exec_sessions.as_mut().and_then(|f| f.ok_mut()).into_iter().flatten() {
            e.privileged = true;
        }
    }
}

fn cgroup_parent_daemon(snap: &mut Snapshot) {
    if let Some(dj) = snap.host.daemon_json.ok_mut().and_then(Option::as_mut) {
        dj.settings.insert("cgroup-parent".to_owned(), serde_json::json!("/zerodock-workloads"));
    }
}

fn devicemapper_daemon(snap: &mut Snapshot) {
    if let Some(info) = snap.engine.ok_mut().and_then(|e| e.info.ok_mut()) {
        info.driver = "devicemapper".to_owned();
    }
}

fn devicemapper_basesize_daemon(snap: &mut Snapshot) {
    devicemapper_daemon(snap);
    if let Some(dj) = snap.host.daemon_json.ok_mut().and_then(Option::as_mut) {
        dj.settings.insert("storage-opts".to_owned(), serde_json::json!(["dm.basesize=50G"]));
    }
}

fn selinux_engine(snap: &mut Snapshot) {
    let Some(engine) = snap.engine.ok_mut() else { return };
    if let Some(info) = engine.info.ok_mut() {
        info.security_options.push("name=selinux".to_owned());
    }
    for c in engine.containers.ok_mut().into_iter().flatten() {
        if c.name == "zd-apparmor-unconfined" {
            c.security_opt.push("label=disable".to_owned());
        } else if !c.privileged {
            c.process_label = "system_u:system_r:container_t:s0:c123,c456".to_owned();
        }
    }
}

fn vuln_scan(snap: &mut Snapshot) -> &mut crate::snapshot::VulnScan {
    snap.vulnerabilities.ok_mut().expect("the vulns fixture has a vulnerability part")
}

fn each_vuln(snap: &mut Snapshot, id: &str, f: impl Fn(&mut crate::snapshot::Vulnerability)) {
    for image in &mut vuln_scan(snap).images {
        image.vulnerabilities.iter_mut().filter(|v| v.id == id).for_each(&f);
    }
}

fn vulns_rated(snap: &mut Snapshot) {
    use crate::snapshot::VulnSeverity;
    each_vuln(snap, "DLA-4413-1", |v| {
        v.severity = VulnSeverity::High;
        v.severity_source = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N (7.5)".to_owned();
    });
    each_vuln(snap, "ALPINE-CVE-2026-22184", |v| {
        v.severity = VulnSeverity::Medium;
        v.severity_source = "Alpine: medium".to_owned();
        v.fixed = None;
    });
}

fn vulns_fresh_db(snap: &mut Snapshot) {
    let at = snap.collected_at - chrono::Duration::days(1);
    if let Some(db) = vuln_scan(snap).database.as_mut() {
        db.newest_record = Some(at);
    }
}

fn vulns_no_db(snap: &mut Snapshot) {
    let scan = vuln_scan(snap);
    scan.database = None;
    for image in &mut scan.images {
        image.vulnerabilities.clear();
        image.scanners.clear();
    }
}

fn vulns_low_eol_soon(snap: &mut Snapshot) {
    use crate::snapshot::VulnSeverity;
    each_vuln(snap, "ALPINE-CVE-2022-37434", |v| v.severity = VulnSeverity::Low);
    let soon = snap.collected_at.date_naive() + chrono::Duration::days(30);
    for image in &mut vuln_scan(snap).images {
        if let Some(os) = image.os.as_mut().filter(|o| o.id == "alpine") {
            os.end_of_life = Some(soon);
        }
    }
}

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

/// The scanned engine becomes Docker Desktop's: `/info` and `/version` say so and the endpoint is
/// Desktop's per-user socket.
fn as_docker_desktop(snap: &mut Snapshot) {
    snap.endpoint.host = "unix:///home/alice/.docker/desktop/docker.sock".to_owned();
    desktop_user_as(snap, &["alice"]);
    let Some(engine) = snap.engine.ok_mut() else { return };
    if let Some(info) = engine.info.ok_mut() {
        info.operating_system = "Docker Desktop".to_owned();
        info.kernel_version = "6.10.14-linuxkit".to_owned();
    }
    if let Some(version) = engine.version.ok_mut() {
        version.platform_name = Some("Docker Desktop 4.47.0 (206054)".to_owned());
    }
}

/// A user-file value.
fn user<T>(value: T) -> crate::snapshot::DesktopSetting<T> {
    crate::snapshot::DesktopSetting { user: Some(value), admin: None, locked: false }
}

/// A user-file value overridden by a locked admin value.
fn admin_locked<T>(user_value: T, admin: T) -> crate::snapshot::DesktopSetting<T> {
    crate::snapshot::DesktopSetting { user: Some(user_value), admin: Some(admin), locked: true }
}

/// settings-store.json of a fresh Docker Desktop on Linux (the keys this catalogue reads).
fn default_desktop_settings() -> crate::snapshot::DesktopSettings {
    crate::snapshot::DesktopSettings {
        settings_file: Some("/home/alice/.docker/desktop/settings-store.json".to_owned()),
        enhanced_container_isolation: user(false),
        expose_docker_api_on_tcp_2375: user(false),
        disable_update: user(false),
        auto_download_updates: user(false),
        allow_beta_features: user(false),
        enable_default_docker_socket: user(true),
        sbom_indexing: user(true),
        use_background_indexing: user(false),
        extensions_enabled: user(true),
        only_marketplace_extensions: user(false),
        file_sharing: crate::snapshot::FileSharing {
            directories: Some(vec!["/home/alice".to_owned()]),
            broad: vec!["/home/alice".to_owned()],
            admin_allowed: None,
        },
        ..Default::default()
    }
}

fn desktop_default(snap: &mut Snapshot) {
    as_docker_desktop(snap);
    snap.host.desktop = crate::snapshot::Fact::available(Some(default_desktop_settings()));
}

fn desktop_hardened(snap: &mut Snapshot) {
    use crate::snapshot::{AdminSettingsFile, FileFacts, FileSharing, SignInEnforcement};
    as_docker_desktop(snap);
    let root_file = |path: &str| FileFacts {
        path: path.to_owned(),
        uid: 0,
        gid: 0,
        owner: Some("root".to_owned()),
        group: Some("root".to_owned()),
        mode: 0o644,
    };
    let admin = "/usr/share/docker-desktop/admin-settings.json";
    let registry = "/usr/share/docker-desktop/registry/registry.json";
    let settings = crate::snapshot::DesktopSettings {
        admin_settings: Some(AdminSettingsFile {
            path: admin.to_owned(),
            file: Some(root_file(admin)),
            configuration_file_version: Some(2),
        }),
        sign_in: Some(SignInEnforcement {
            source: registry.to_owned(),
            file: Some(root_file(registry)),
            allowed_orgs: Some(vec!["acme".to_owned()]),
        }),
        enhanced_container_isolation: admin_locked(false, true),
        eci_docker_socket_images: crate::snapshot::DesktopSetting {
            user: None,
            admin: Some(vec!["docker.io/testcontainers/ryuk:*".to_owned()]),
            locked: true,
        },
        expose_docker_api_on_tcp_2375: admin_locked(false, false),
        disable_update: admin_locked(false, false),
        block_docker_load: admin_locked(false, true),
        sbom_indexing: admin_locked(true, true),
        use_background_indexing: admin_locked(false, true),
        extensions_enabled: admin_locked(true, false),
        file_sharing: FileSharing {
            directories: Some(vec!["/home/alice/src".to_owned()]),
            broad: Vec::new(),
            admin_allowed: Some(vec!["/home/alice/src".to_owned()]),
        },
        ..default_desktop_settings()
    };
    snap.host.desktop = crate::snapshot::Fact::available(Some(settings));
    let Some(engine) = snap.engine.ok_mut() else { return };
    if let Some(info) = engine.info.ok_mut() {
        info.runtimes.push("sysbox-runc".to_owned());
    }
    for c in engine.containers.ok_mut().into_iter().flatten() {
        c.runtime = "sysbox-runc".to_owned();
    }
}

fn desktop_loosened(snap: &mut Snapshot) {
    as_docker_desktop(snap);
    let settings = crate::snapshot::DesktopSettings {
        expose_docker_api_on_tcp_2375: user(true),
        disable_update: user(true),
        sbom_indexing: user(false),
        file_sharing: crate::snapshot::FileSharing {
            directories: Some(vec!["/".to_owned()]),
            broad: vec!["/".to_owned()],
            admin_allowed: None,
        },
        ..default_desktop_settings()
    };
    snap.host.desktop = crate::snapshot::Fact::available(Some(settings));
}

fn creds_helper_installed(snap: &mut Snapshot) {
    if let Some(Some(config)) = snap.host.client_config.ok_mut() {
        config.creds_store_helper_found = Some(true);
    }
}

/// The Docker paths of CIS 1.1.3–1.1.18 on a Debian docker.io host (merged /usr; `/usr/bin/runc` is
/// a link to `/usr/sbin/runc`), each with whether `watched` says a rule covers it.
fn debian_audit(watched: impl Fn(&str) -> bool) -> Vec<crate::snapshot::AuditedPath> {
    const PATHS: [(&str, &str, bool); 16] = [
        ("1.1.3", "/usr/sbin/dockerd", true),
        ("1.1.4", "/run/containerd", true),
        ("1.1.5", "/var/lib/docker", true),
        ("1.1.6", "/etc/docker", true),
        ("1.1.7", "/usr/lib/systemd/system/docker.service", true),
        ("1.1.8", "/run/containerd/containerd.sock", true),
        ("1.1.9", "/usr/lib/systemd/system/docker.socket", true),
        ("1.1.10", "/etc/default/docker", true),
        ("1.1.11", "/etc/docker/daemon.json", true),
        ("1.1.12", "/etc/containerd/config.toml", true),
        ("1.1.13", "/etc/sysconfig/docker", false),
        ("1.1.14", "/usr/bin/containerd", true),
        ("1.1.15", "/usr/bin/containerd-shim", true),
        ("1.1.16", "/usr/bin/containerd-shim-runc-v1", true),
        ("1.1.17", "/usr/bin/containerd-shim-runc-v2", true),
        ("1.1.18", "/usr/sbin/runc", true),
    ];
    PATHS
        .iter()
        .map(|(cis, path, exists)| crate::snapshot::AuditedPath {
            cis: (*cis).to_owned(),
            path: (*path).to_owned(),
            exists: *exists,
            watched: *exists && watched(path),
        })
        .collect()
}

fn audit_facts(watches: &[(&str, bool)]) -> crate::snapshot::AuditFacts {
    let watches: Vec<crate::snapshot::AuditWatch> = watches
        .iter()
        .map(|(path, recursive)| crate::snapshot::AuditWatch {
            path: (*path).to_owned(),
            recursive: *recursive,
        })
        .collect();
    let docker_paths = debian_audit(|path| {
        watches
            .iter()
            .any(|w| w.path == path || (w.recursive && std::path::Path::new(path).starts_with(&w.path)))
    });
    crate::snapshot::AuditFacts {
        auditd_running: true,
        rules: crate::snapshot::AuditRules::Loaded,
        watches,
        docker_paths,
    }
}

fn audited_host(snap: &mut Snapshot) {
    let recursive = ["/run/containerd", "/var/lib/docker", "/etc/docker"];
    let existing: Vec<String> =
        debian_audit(|_| true).into_iter().filter(|p| p.exists).map(|p| p.path).collect();
    let watches: Vec<(&str, bool)> =
        existing.iter().map(|p| (p.as_str(), recursive.contains(&p.as_str()))).collect();
    snap.host.audit = crate::snapshot::Fact::available(audit_facts(&watches));
}

fn audit_gaps(snap: &mut Snapshot) {
    let watches = [
        ("/usr/sbin/dockerd", false),
        ("/etc/docker", true),
        ("/usr/lib/systemd/system/docker.service", false),
    ];
    snap.host.audit = crate::snapshot::Fact::available(audit_facts(&watches));
}

fn edr_host(snap: &mut Snapshot) {
    snap.host.monitoring_agents =
        crate::snapshot::Fact::available(vec!["Wazuh".to_owned(), "Fluent Bit".to_owned()]);
}

fn unmonitored_host(snap: &mut Snapshot) {
    snap.host.monitoring_agents = crate::snapshot::Fact::available(Vec::new());
}

/// One of Docker's daemon files as the variants set it: role, CIS ids, path, max mode, root group
/// required.
type FileSpec = (&'static str, &'static str, &'static str, u32, bool);

/// The files both variants have.
const DOCKER_FILES: [FileSpec; 9] = [
    ("docker.service unit", "3.1, 3.2", "/usr/lib/systemd/system/docker.service", 0o644, true),
    ("docker.socket unit", "3.3, 3.4", "/usr/lib/systemd/system/docker.socket", 0o644, true),
    ("Docker configuration directory", "3.5, 3.6", "/etc/docker", 0o755, true),
    ("registry certificate", "3.7, 3.8", "/etc/docker/certs.d/registry.example:5000/ca.crt", 0o444, false),
    ("TLS CA certificate", "3.9, 3.10", "/etc/docker/tls/ca.pem", 0o444, true),
    ("TLS server certificate", "3.11, 3.12", "/etc/docker/tls/server-cert.pem", 0o444, true),
    ("TLS server key", "3.13, 3.14", "/etc/docker/tls/server-key.pem", 0o400, true),
    ("environment file", "3.19, 3.20", "/etc/default/docker", 0o644, true),
    ("containerd socket", "3.23, 3.24", "/run/containerd/containerd.sock", 0o660, true),
];

/// A file of [`DOCKER_FILES`] with the given mode and owner (uid 1000 is alice, gid 105 docker).
fn docker_file(
    (role, cis, path, max_mode, root_group): FileSpec,
    mode: u32,
    uid: u32,
    gid: u32,
) -> crate::snapshot::DockerFile {
    let name = |id: u32| match id {
        0 => Some("root".to_owned()),
        105 => Some("docker".to_owned()),
        1000 => Some("alice".to_owned()),
        _ => None,
    };
    crate::snapshot::DockerFile {
        role: role.to_owned(),
        cis: cis.to_owned(),
        path: path.to_owned(),
        max_mode,
        root_owner: true,
        root_group,
        file: crate::snapshot::Fact::available(crate::snapshot::FileFacts {
            path: path.to_owned(),
            uid,
            gid,
            owner: name(uid),
            group: name(gid),
            mode,
        }),
    }
}

fn files_hardened(snap: &mut Snapshot) {
    let files = DOCKER_FILES.iter().map(|&spec| docker_file(spec, spec.3, 0, 0)).collect();
    snap.host.docker_files = crate::snapshot::Fact::available(files);
}

fn files_loose(snap: &mut Snapshot) {
    // (mode, uid, gid) per file of DOCKER_FILES.
    const LOOSE: [(u32, u32, u32); 9] = [
        (0o664, 0, 0),
        (0o644, 1000, 0),
        (0o775, 0, 105),
        (0o644, 0, 0),
        (0o444, 0, 0),
        (0o444, 0, 0),
        (0o644, 0, 0),
        (0o666, 0, 0),
        (0o666, 0, 0),
    ];
    let files = DOCKER_FILES
        .iter()
        .zip(LOOSE)
        .map(|(&spec, (mode, uid, gid))| docker_file(spec, mode, uid, gid))
        .collect();
    snap.host.docker_files = crate::snapshot::Fact::available(files);
}
