//! DSK002 daemon-exposed-on-tcp-2375.

use serde_json::Map;

use crate::checks::prelude::*;

use super::{Keys, admin_settings_fix, in_scope, locked, resolve, ui_steps};

const EXPOSE: Keys = Keys { user: "ExposeDockerAPIOnTCP2375", admin: "exposeDockerAPIOnTCP2375" };

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let (target, d) = match in_scope(snap) {
        Ok(found) => found,
        Err(na) => return vec![*na],
    };
    let setting = match resolve(d, &d.expose_docker_api_on_tcp_2375, EXPOSE, false) {
        Ok(setting) => setting,
        Err(reason) => return vec![Finding::unknown(target, reason)],
    };
    let expected = "false";
    if !setting.value {
        return vec![
            Finding::pass(target, "Docker Desktop does not expose the Docker API on tcp://localhost:2375")
                .evidence(setting.field, false, expected),
        ];
    }
    let via_tcp = snap.endpoint.host.contains(":2375");
    let mut message = "Docker Desktop exposes the Docker API on tcp://localhost:2375 without TLS or \
                       authentication: any local process, user or web page (DNS rebinding) can take over the engine"
        .to_owned();
    if via_tcp {
        message.push_str(&format!(" (this scan itself reached it at {})", snap.endpoint.host));
    }
    let mut keys = Map::new();
    keys.insert("exposeDockerAPIOnTCP2375".to_owned(), locked(false));
    vec![
        Finding::fail(target, message)
            .evidence(setting.field, true, expected)
            .evidence("endpoint used by this scan", &snap.endpoint.host, "a local socket or named pipe, not tcp://…:2375")
            .fixes([ui_steps(
                "Turn it off",
                "Docker Desktop → Settings → General → clear \"Expose daemon on tcp://localhost:2375 without TLS\" → \
                 Apply & restart\nTools that used it: point them at the default named pipe / socket (docker context \
                 use desktop-linux, or DOCKER_HOST=npipe:////./pipe/docker_engine on Windows)",
            )])
            .fixes([admin_settings_fix(snap, d, keys)]),
    ]
}

crate::declare_check! {
    /// Docker Desktop exposes the Docker API on `tcp://localhost:2375` without TLS.
    ///
    /// ## Rationale
    /// The Docker API is root on the Docker Desktop VM and, through bind mounts of shared folders,
    /// the user's files on the host. The "Expose daemon on tcp://localhost:2375 without TLS"
    /// setting (Windows) opens it to every process on the machine with no authentication and no
    /// encryption: other local users, any malware running as any user, and web pages through DNS
    /// rebinding can start containers that read the user's home or push images as them. Zero Trust
    /// requires every request to be authenticated, whatever its network location.
    ///
    /// ## Evidence
    /// `ExposeDockerAPIOnTCP2375` in the user's `settings-store.json` (`settings.json` before 4.35)
    /// and `exposeDockerAPIOnTCP2375` `{"value", "locked"}` in `admin-settings.json`, a locked admin
    /// value winning; absent means off. The endpoint this scan used is shown too. dockerd itself
    /// runs in the VM, so its own `/info` warnings do not reveal this listener (DMN006 cannot see it).
    ///
    /// ## Remediation
    /// Settings → General → clear "Expose daemon on tcp://localhost:2375 without TLS" → Apply &
    /// restart, and point tools at the named pipe or socket (`docker context use`). Organisations
    /// lock it off in `admin-settings.json`: `"exposeDockerAPIOnTCP2375": {"locked": true, "value": false}`.
    pub(crate) static CHECK = {
        code: "DSK002",
        slug: "daemon-exposed-on-tcp-2375",
        title: "Docker Desktop exposes the API on tcp://localhost:2375",
        category: Desktop,
        severity: Critical,
        target: Host,
        references: [
            Reference::Cis("2.8"),
            Reference::Nist("tenet 2: all communication is secured regardless of network location"),
            Reference::Nist("tenet 6: authentication strictly enforced"),
            Reference::Seed("Zero Trust: A solid foundation: Host and network"),
            Reference::Url(
                "https://docs.docker.com/enterprise/security/hardened-desktop/settings-management/settings-reference/#expose-docker-api-on-tcp-2375"
            ),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DSK002` selects its tests")]
mod DSK002 {
    use super::*;
    use crate::checks::testing::{findings, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "desktop-loosened", []);

    #[test]
    fn exposed_api_fails() {
        let f = findings(&CHECK, &named("desktop-loosened", |_| {}));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert_eq!(
            f[0].evidence[0].field,
            "/home/alice/.docker/desktop/settings-store.json: ExposeDockerAPIOnTCP2375"
        );
        assert!(f[0].remediation[0].code.contains("Expose daemon on tcp://localhost:2375"));
        assert!(f[0].remediation[1].code.contains("\"exposeDockerAPIOnTCP2375\""));

        let via_tcp = named("desktop-loosened", |s| s.endpoint.host = "tcp://localhost:2375".to_owned());
        assert!(findings(&CHECK, &via_tcp)[0].message.contains("this scan itself reached it"));
    }

    #[test]
    fn default_and_locked_off_pass() {
        assert_eq!(findings(&CHECK, &named("desktop-default", |_| {}))[0].status, Status::Pass);
        let f = findings(&CHECK, &named("desktop-hardened", |_| {}));
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].evidence[0].field.ends_with("exposeDockerAPIOnTCP2375 (locked)"));
        // A locked admin value wins over the user's file.
        let overridden = named("desktop-hardened", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.expose_docker_api_on_tcp_2375.user = Some(true);
            }
        });
        assert_eq!(findings(&CHECK, &overridden)[0].status, Status::Pass);
    }

    #[test]
    fn without_the_user_file_an_unset_key_is_unknown() {
        let snap = named("desktop-default", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.settings_file = None;
                d.expose_docker_api_on_tcp_2375 = crate::snapshot::DesktopSetting::default();
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Unknown);
        assert!(f[0].message.contains("settings-store.json) was not found"), "{}", f[0].message);
    }
}
