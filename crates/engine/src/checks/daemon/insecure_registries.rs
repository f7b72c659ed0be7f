//! DMN007 insecure-registries.

use serde_json::{Value, json};

use crate::checks::prelude::*;

use super::daemon_json_path;

/// CIDRs dockerd always treats as insecure (local registries on loopback): not a finding.
const DEFAULT_CIDRS: [&str; 2] = ["127.0.0.0/8", "::1/128"];

fn fixes(snap: &Snapshot, registries: &[String]) -> Vec<Snippet> {
    let from_flags = snap
        .host
        .dockerd
        .ok()
        .and_then(Option::as_ref)
        .is_some_and(|d| !d.flag_values(&["--insecure-registry"]).is_empty());
    let mut out = Vec::new();
    if from_flags {
        out.push(Snippet::new(
            SnippetKind::Shell,
            "Remove the --insecure-registry flags from dockerd's command line",
            "sudo systemctl edit docker.service   # ExecStart (or DOCKER_OPTS in /etc/default/docker): drop --insecure-registry …\nsudo systemctl restart docker",
        ));
    } else {
        let [fragment, restart] = daemon_json_fix(snap, json!({ "insecure-registries": [] }));
        out.push(Snippet { label: format!("Empty `insecure-registries`: {}", fragment.label), ..fragment });
        out.push(restart);
    }
    let trust: Vec<String> = registries
        .iter()
        .filter(|r| !r.contains('/'))
        .map(|r| {
            format!("sudo mkdir -p /etc/docker/certs.d/{r}\nsudo cp ca.crt /etc/docker/certs.d/{r}/ca.crt")
        })
        .collect();
    if !trust.is_empty() {
        out.push(Snippet::new(
            SnippetKind::Shell,
            "Serve the registry over TLS and trust its CA (no daemon restart needed)",
            trust.join("\n"),
        ));
    }
    out
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_info(snap, |info, target| {
        let cidrs: Vec<&String> =
            info.insecure_registry_cidrs.iter().filter(|c| !DEFAULT_CIDRS.contains(&c.as_str())).collect();
        let mut insecure: Vec<String> = info.insecure_registries.clone();
        insecure.extend(cidrs.iter().map(|c| (*c).clone()));
        insecure.sort();
        insecure.dedup();
        let expected = "none besides 127.0.0.0/8 and ::1/128";
        if insecure.is_empty() {
            return Finding::pass(target, "The daemon trusts no registry over plain HTTP or unverified TLS")
                .evidence(
                    "GET /info RegistryConfig.InsecureRegistryCIDRs",
                    info.insecure_registry_cidrs.join(", "),
                    expected,
                )
                .evidence("GET /info RegistryConfig.IndexConfigs[*].Secure", "all true", "true");
        }
        let mut finding = Finding::fail(
            target,
            format!(
                "The daemon pulls and pushes without verified TLS to {}: images can be read and swapped in transit",
                insecure.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
            ),
        );
        if !info.insecure_registries.is_empty() {
            finding = finding.evidence(
                "GET /info RegistryConfig.IndexConfigs[*] with Secure=false",
                info.insecure_registries.join(", "),
                "none",
            );
        }
        if !cidrs.is_empty() {
            finding = finding.evidence(
                "GET /info RegistryConfig.InsecureRegistryCIDRs",
                cidrs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
                expected,
            );
        }
        if let Some(Some(dj)) = snap.host_scope().ok().and_then(|()| snap.host.daemon_json.ok())
            && let Some(Value::Array(listed)) = dj.settings.get("insecure-registries")
        {
            let listed: Vec<&str> = listed.iter().filter_map(Value::as_str).collect();
            finding = finding.evidence(
                format!("{}: insecure-registries", daemon_json_path(snap)),
                listed.join(", "),
                "[]",
            );
        }
        finding.fixes(fixes(snap, &insecure))
    })
}

crate::declare_check! {
    /// The daemon talks to registries over plain HTTP or without verifying their TLS certificate.
    ///
    /// ## Rationale
    /// An insecure registry is contacted over HTTP, or over HTTPS without certificate verification.
    /// Anyone on the path can read the credentials sent to it and, worse, serve a different image
    /// for the same tag: the next `docker pull` runs the attacker's code. Zero Trust requires every
    /// connection to be authenticated and encrypted, inside the network as much as outside it.
    ///
    /// ## Evidence
    /// `GET /info` → `RegistryConfig.InsecureRegistryCIDRs` (without the built-in `127.0.0.0/8` and
    /// `::1/128`) and the `RegistryConfig.IndexConfigs` entries with `Secure: false`
    /// (`docker info` "Insecure Registries"); they come from `--insecure-registry` flags or the
    /// `insecure-registries` key of daemon.json.
    ///
    /// ## Remediation
    /// Serve the registry over TLS and trust its CA with
    /// `/etc/docker/certs.d/<registry:port>/ca.crt`, then remove it from `insecure-registries` in
    /// daemon.json (or drop the `--insecure-registry` flag) and restart the daemon.
    pub(crate) static CHECK = {
        code: "DMN007",
        slug: "insecure-registries",
        title: "Insecure registries configured",
        category: Daemon,
        severity: High,
        target: Engine,
        references: [
            Reference::Cis("2.5"),
            Reference::Nist("tenet 2: all communication is secured regardless of network location"),
            Reference::Seed("Zero Trust: Authentication and authorization"),
            Reference::Url("https://docs.docker.com/engine/security/certificates/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN007` selects its tests")]
mod DMN007 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn default_insecure_registry_fails() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert!(
            f[0].message.contains("`10.99.0.1:5000`") && !f[0].message.contains("127.0.0.0/8"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].remediation.iter().any(|s| s.code.contains("/etc/docker/certs.d/10.99.0.1:5000/ca.crt"))
        );
        assert!(f[0].remediation[0].code.contains("--insecure-registry"));
    }

    #[test]
    fn hardened_loopback_default_passes() {
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn cidrs_count() {
        // Mutation: an insecure CIDR from daemon.json.
        let snap = variant("hardened", |s| {
            s.engine
                .ok_mut()
                .expect("captured")
                .info
                .ok_mut()
                .expect("captured")
                .insecure_registry_cidrs
                .push("10.0.0.0/8".into());
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].remediation[0].code.contains("\"insecure-registries\": []"));
    }
}
