//! DSK001 enhanced-container-isolation-off.

use serde_json::{Map, json};

use crate::checks::prelude::*;
use crate::snapshot::DesktopSettings;

use super::{Keys, admin_settings_fix, in_scope, locked, resolve, ui_steps};

const ECI: Keys = Keys { user: "EnhancedContainerIsolation", admin: "enhancedContainerIsolation" };
const SOCKET_IMAGES: Keys = Keys {
    user: "ECIDockerSocketImgList",
    admin: "enhancedContainerIsolation.dockerSocketMount.imageList.images",
};

/// The runtime ECI runs containers with.
const SYSBOX: &str = "sysbox-runc";

/// What Docker Desktop's engine shows of ECI: containers under `sysbox-runc` and the ones not.
struct RuntimeEvidence {
    /// Names of containers whose `HostConfig.Runtime` is `sysbox-runc`.
    sysbox: Vec<String>,
    /// Names of the others, with their runtime.
    other: Vec<(String, String)>,
    /// `DefaultRuntime`.
    default_runtime: String,
}

impl RuntimeEvidence {
    /// Whether the engine shows ECI at work.
    fn active(&self) -> bool {
        !self.sysbox.is_empty() || self.default_runtime == SYSBOX
    }

    fn observed(&self) -> String {
        format!(
            "DefaultRuntime {}; {} container(s) on {SYSBOX}, {} on another runtime",
            self.default_runtime,
            self.sysbox.len(),
            self.other.len()
        )
    }
}

/// The engine's runtime facts, when the engine is Docker Desktop and its containers were listed.
fn runtime_evidence(snap: &Snapshot) -> Option<RuntimeEvidence> {
    let info = snap.info().ok().filter(|i| i.is_docker_desktop())?;
    let containers = snap.containers().ok()?;
    let (sysbox, other): (Vec<_>, Vec<_>) = containers.iter().partition(|c| c.runtime == SYSBOX);
    Some(RuntimeEvidence {
        sysbox: sysbox.iter().map(|c| c.name.clone()).collect(),
        other: other.iter().map(|c| (c.name.clone(), c.runtime.clone())).collect(),
        default_runtime: info.default_runtime.clone(),
    })
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let (target, d) = match in_scope(snap) {
        Ok(found) => found,
        Err(na) => return vec![*na],
    };
    let runtime = runtime_evidence(snap);
    let expected = "true";
    let runtime_field = "GET /containers/{id}/json HostConfig.Runtime";
    let runtime_expected = "every container on sysbox-runc";
    let setting = match resolve(d, &d.enhanced_container_isolation, ECI, false) {
        Ok(setting) => setting,
        Err(reason) => {
            return vec![match runtime.filter(RuntimeEvidence::active) {
                Some(rt) => Finding::pass(
                    target,
                    format!("Enhanced Container Isolation is at work: containers run on {SYSBOX}"),
                )
                .evidence(runtime_field, rt.observed(), runtime_expected),
                None => Finding::unknown(target, reason),
            }];
        }
    };
    if !setting.value {
        if let Some(rt) = runtime.as_ref().filter(|rt| rt.active()) {
            // The runtime is ground truth: the file lags behind a policy pushed from the Admin Console.
            return vec![
                Finding::pass(
                    target,
                    format!(
                        "Enhanced Container Isolation is at work although {} says off: containers run on {SYSBOX}",
                        setting.field
                    ),
                )
                .evidence(setting.field, false, expected)
                .evidence(runtime_field, rt.observed(), runtime_expected),
            ];
        }
        let mut finding = Finding::fail(
            target,
            "Docker Desktop runs without Enhanced Container Isolation: a container started with --privileged or a \
             mounted Docker socket controls the Docker Desktop VM and the engine",
        )
        .evidence(setting.field, false, expected);
        if let Some(rt) = &runtime {
            finding = finding.evidence(runtime_field, rt.observed(), runtime_expected);
        }
        let existing: Vec<&str> =
            runtime.as_ref().map(|rt| rt.other.iter().map(|(n, _)| n.as_str()).collect()).unwrap_or_default();
        return vec![fail_fixes(snap, d, finding, &existing)];
    }

    let socket_images = resolve(d, &d.eci_docker_socket_images, SOCKET_IMAGES, Vec::new()).ok();
    let unprotected: Vec<&(String, String)> =
        runtime.as_ref().map(|rt| rt.other.iter().collect()).unwrap_or_default();
    let mut problems = Vec::new();
    if !unprotected.is_empty() {
        let names: Vec<String> = unprotected.iter().map(|(n, rt)| format!("`{n}` ({rt})")).collect();
        problems.push(format!(
            "{} container(s) do not run on {SYSBOX} and are not isolated (created before ECI was turned on): {}",
            names.len(),
            names.join(", ")
        ));
    }
    if let Some(images) = socket_images.as_ref().filter(|s| s.value.iter().any(|i| i.trim() == "*")) {
        problems.push(format!(
            "every image may mount the Docker socket (`*` in {}), which undoes ECI's engine protection",
            images.field
        ));
    }
    let mut finding = if problems.is_empty() {
        Finding::pass(target, format!("Enhanced Container Isolation is on ({})", setting.field))
    } else {
        Finding::warn(target, format!("Enhanced Container Isolation is on, but {}", problems.join("; ")))
    };
    finding = finding.evidence(&setting.field, true, expected);
    if let Some(rt) = &runtime {
        finding = finding.evidence(runtime_field, rt.observed(), runtime_expected);
    }
    if let Some(images) = &socket_images {
        finding = finding.evidence(&images.field, images.value.join(", "), "named images only, never `*`");
    }
    if !unprotected.is_empty() {
        let names: Vec<&str> = unprotected.iter().map(|(n, _)| n.as_str()).collect();
        finding = finding.fix(
            SnippetKind::Shell,
            "Recreate the containers created before ECI so they run isolated",
            format!(
                "docker rm -f {}\n# then recreate them: docker compose up -d, or their docker run command",
                names.join(" ")
            ),
        );
    }
    if socket_images.is_some_and(|s| s.value.iter().any(|i| i.trim() == "*")) {
        let mut keys = Map::new();
        keys.insert(
            "enhancedContainerIsolation".to_owned(),
            json!({
                "locked": true,
                "value": true,
                "dockerSocketMount": {"imageList": {"images": ["docker.io/testcontainers/ryuk:*"]}}
            }),
        );
        finding = finding.fixes([admin_settings_fix(snap, d, keys)]);
    }
    vec![finding]
}

/// The fixes for ECI off: lock it for everyone, or turn it on, and recreate the containers.
fn fail_fixes(snap: &Snapshot, d: &DesktopSettings, finding: Finding, existing: &[&str]) -> Finding {
    let mut keys = Map::new();
    keys.insert("enhancedContainerIsolation".to_owned(), locked(true));
    let recreate = if existing.is_empty() {
        String::new()
    } else {
        format!(
            "\nECI does not protect containers created before it: afterwards run\n  docker rm -f {}\nand recreate them",
            existing.join(" ")
        )
    };
    finding.fixes([admin_settings_fix(snap, d, keys)]).fixes([ui_steps(
        "Or turn it on for this user (Docker Business sign-in required)",
        &format!(
            "Docker Desktop → Settings → General → select \"Use Enhanced Container Isolation\" → Apply & restart{recreate}"
        ),
    )])
}

crate::declare_check! {
    /// Docker Desktop runs containers without Enhanced Container Isolation (ECI).
    ///
    /// ## Rationale
    /// Without ECI, root in a container is root in the Docker Desktop VM: a container started with
    /// `--privileged`, with host namespaces or with the Docker socket mounted can reconfigure the VM,
    /// read other containers' data and drive the engine (build and push images, start more
    /// containers). ECI runs every container unprivileged in its own user namespace (via the
    /// `sysbox-runc` runtime), blocks sensitive syscalls and mounts, and refuses Docker-socket
    /// mounts except for listed images, whatever flags the container was started with. It is the
    /// Docker Desktop answer to least privilege. ECI does not protect containers created before it
    /// was turned on.
    ///
    /// ## Evidence
    /// `EnhancedContainerIsolation` in the user's `settings-store.json` (`settings.json` before
    /// Docker Desktop 4.35) and `enhancedContainerIsolation` `{"value", "locked"}` in
    /// `admin-settings.json`, a locked admin value winning. Cross-checked with the engine when it is
    /// Docker Desktop's: each container's `HostConfig.Runtime` is `sysbox-runc` under ECI and `runc`
    /// without it; the runtime wins over the file. Containers not on `sysbox-runc` while ECI is on
    /// warn, and so does `*` in the Docker-socket image allowlist
    /// (`enhancedContainerIsolation.dockerSocketMount.imageList.images`).
    ///
    /// ## Remediation
    /// Organisation-wide, lock it in `admin-settings.json`:
    /// `"enhancedContainerIsolation": {"locked": true, "value": true}` (or "Always enabled" in the
    /// Admin Console's Settings Management). For one user: Settings → General → "Use Enhanced
    /// Container Isolation" → Apply & restart (Docker Business). Then remove and recreate existing
    /// containers. Allow Docker-socket mounts only for named images (`docker.io/testcontainers/ryuk:*`).
    pub(crate) static CHECK = {
        code: "DSK001",
        slug: "enhanced-container-isolation-off",
        title: "Docker Desktop without Enhanced Container Isolation",
        category: Desktop,
        severity: High,
        target: Host,
        references: [
            Reference::Nist("tenet 3: least privilege"),
            Reference::Seed("Zero Trust: Principle of least privilege"),
            Reference::Url("https://docs.docker.com/enterprise/security/hardened-desktop/enhanced-container-isolation/"),
            Reference::Url(
                "https://docs.docker.com/enterprise/security/hardened-desktop/enhanced-container-isolation/enable-eci/"
            ),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DSK001` selects its tests")]
mod DSK001 {
    use super::*;
    use crate::checks::testing::{findings, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "desktop-default", []);

    #[test]
    fn default_desktop_fails_with_tailored_fixes() {
        let f = findings(&CHECK, &named("desktop-default", |_| {}));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert_eq!(
            f[0].evidence[0].field,
            "/home/alice/.docker/desktop/settings-store.json: EnhancedContainerIsolation"
        );
        assert_eq!(
            f[0].evidence[1].observed,
            "DefaultRuntime runc; 0 container(s) on sysbox-runc, 29 on another runtime"
        );
        let admin = &f[0].remediation[0];
        assert_eq!(admin.kind, SnippetKind::Json);
        assert!(
            admin.label.starts_with("Create /usr/share/docker-desktop/admin-settings.json"),
            "{}",
            admin.label
        );
        let fragment: serde_json::Value = serde_json::from_str(&admin.code).expect("json");
        assert_eq!(fragment["enhancedContainerIsolation"], json!({"locked": true, "value": true}));
        assert_eq!(fragment["configurationFileVersion"], json!(2));
        assert!(
            f[0].remediation[1].code.contains("docker rm -f zd-apparmor-unconfined"),
            "{}",
            f[0].remediation[1].code
        );
    }

    #[test]
    fn hardened_desktop_passes_on_sysbox() {
        let f = findings(&CHECK, &named("desktop-hardened", |_| {}));
        assert_eq!(f[0].status, Status::Pass, "{}", f[0].message);
        assert_eq!(
            f[0].evidence[0].field,
            "/usr/share/docker-desktop/admin-settings.json: enhancedContainerIsolation (locked)"
        );
        assert!(f[0].evidence[1].observed.contains("1 container(s) on sysbox-runc, 0 on another"));
    }

    #[test]
    fn containers_from_before_eci_warn() {
        let snap = named("desktop-hardened", |s| {
            let containers = s.engine.ok_mut().and_then(|e| e.containers.ok_mut()).expect("captured");
            let mut old = containers[0].clone();
            old.name = "legacy-db".to_owned();
            old.runtime = "runc".to_owned();
            containers.push(old);
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Warn);
        assert!(f[0].message.contains("`legacy-db` (runc)"), "{}", f[0].message);
        assert!(f[0].remediation[0].code.starts_with("docker rm -f legacy-db"));
    }

    #[test]
    fn wildcard_socket_allowlist_warns() {
        let snap = named("desktop-hardened", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.eci_docker_socket_images.admin = Some(vec!["*".to_owned()]);
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Warn);
        assert!(f[0].message.contains("every image may mount the Docker socket"), "{}", f[0].message);
    }

    #[test]
    fn the_runtime_outweighs_a_stale_file() {
        // Mutation: the file says off, but containers run on sysbox-runc (policy from the Admin Console).
        let snap = named("desktop-default", |s| {
            for c in s.engine.ok_mut().and_then(|e| e.containers.ok_mut()).into_iter().flatten() {
                c.runtime = SYSBOX.to_owned();
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].message.contains("although"), "{}", f[0].message);
    }
}
