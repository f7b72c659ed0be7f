//! DMN009 no-authorization-plugin.

use crate::checks::prelude::*;

use super::daemon_json_path;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    if let Some(na) = podman_not_applicable(
        snap,
        engine_target(snap),
        "Podman has no authorization plugins: whoever can open its socket controls it (HST006 judges who can)",
    ) {
        return na;
    }
    with_info(snap, |info, target| {
        let field = "GET /info Plugins.Authorization";
        if info.authorization_plugins.is_empty() {
            let path = daemon_json_path(snap);
            Finding::warn(
                target,
                "Every client that can reach the Docker API may run any command: no authorization plugin is configured",
            )
            .evidence(field, "none", "at least one authorization plugin")
            .fix(
                SnippetKind::Shell,
                format!("Install an authorization plugin (e.g. OPA's opa-docker-authz) and list it in {path}"),
                format!(
                    "# 1. write the policy (the plugin sees /etc/docker as /opa)\n\
                     sudoedit /etc/docker/policies/authz.rego\n\
                     # 2. install the plugin; pick the current tag at https://hub.docker.com/r/openpolicyagent/opa-docker-authz-v2/tags\n\
                     docker plugin install --alias opa-docker-authz openpolicyagent/opa-docker-authz-v2:TAG opa-args=\"-policy-file /opa/policies/authz.rego\"\n\
                     # 3. add to {path}:  \"authorization-plugins\": [\"opa-docker-authz\"]\n\
                     sudo systemctl reload docker"
                ),
            )
        } else {
            Finding::pass(
                target,
                format!("API requests are authorised by {}", info.authorization_plugins.join(", ")),
            )
            .evidence(
                field,
                info.authorization_plugins.join(", "),
                "at least one authorization plugin",
            )
        }
    })
}

crate::declare_check! {
    /// The Docker API has no authorization plugin: access to it is all or nothing.
    ///
    /// ## Rationale
    /// Docker's own access control stops at the socket: whoever can connect may do anything,
    /// including starting a privileged container that owns the host. An authorization plugin
    /// (such as Open Policy Agent's `opa-docker-authz`) evaluates every API request against a
    /// policy: it can forbid `--privileged`, host mounts or `exec` for some users, and log every
    /// decision. This is the per-request, policy-driven access decision Zero Trust asks for.
    /// It is a warning, not a failure: on a single-user workstation, rootless Docker or a
    /// tightly held `docker` group may be the proportionate control.
    ///
    /// ## Evidence
    /// `GET /info` → `Plugins.Authorization` (`docker info -f '{{.Plugins.Authorization}}'`), from
    /// the `authorization-plugins` key of daemon.json or `--authorization-plugin` flags.
    ///
    /// ## Remediation
    /// Install an authorization plugin, write its policy, and list it in daemon.json:
    /// `"authorization-plugins": ["opa-docker-authz"]` (reloadable with `systemctl reload docker`).
    pub(crate) static CHECK = {
        code: "DMN009",
        slug: "no-authorization-plugin",
        title: "No authorization plugin on the Docker API",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("2.13"),
            Reference::Nist("tenet 4: access determined by dynamic policy"),
            Reference::Seed("Best practices §8 Implement Access Controls"),
            Reference::Url("https://docs.docker.com/engine/extend/plugins_authorization/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN009` selects its tests")]
mod DMN009 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn no_plugin_warns() {
        assert_eq!(findings(&CHECK, &fixture("default"))[0].status, Status::Warn);
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Warn);
    }

    #[test]
    fn a_plugin_passes() {
        // Mutation: daemon.json lists `"authorization-plugins": ["opa-docker-authz"]`.
        let snap = variant("hardened", |s| {
            s.engine.ok_mut().expect("captured").info.ok_mut().expect("captured").authorization_plugins =
                vec!["opa-docker-authz".into()];
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Pass);
    }
}
