//! Secrets checks: credentials in container and image environments, and registry credentials
//! stored in plain text by the Docker client. Findings name variables and registries, never
//! values (the snapshot holds none: only names and short fingerprints).

use crate::checks::Check;
use crate::report::{Finding, Target, TargetKind};
use crate::snapshot::{ClientConfig, EnvVar, Snapshot};

pub(crate) mod client_config_too_permissive;
pub(crate) mod credential_env_in_container;
pub(crate) mod credential_env_in_image;
pub(crate) mod plaintext_registry_credentials;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &credential_env_in_container::CHECK,
    &credential_env_in_image::CHECK,
    &plaintext_registry_credentials::CHECK,
    &client_config_too_permissive::CHECK,
];

/// `NAME` (or `NAME (empty)`) for evidence. The value's fingerprint stays in the snapshot: a
/// report travels further (auditors, tickets), and even 8 hex digits let a reader test weak
/// passwords offline.
pub(crate) fn describe(v: &EnvVar) -> String {
    match &v.fingerprint {
        Some(_) => v.name.clone(),
        None => format!("{} (empty)", v.name),
    }
}

/// The target for the client configuration file.
pub(crate) fn client_target(config: Option<&ClientConfig>) -> Target {
    let name = config.map_or_else(|| "~/.docker/config.json".to_owned(), |c| c.file.path.clone());
    Target::new(TargetKind::Client, name, None)
}

/// The client configuration, or the one finding that says why it cannot be judged: unknown when
/// it could not be read, not applicable when there is none.
pub(crate) fn client_config(snap: &Snapshot) -> Result<&ClientConfig, Box<Finding>> {
    match snap.host.client_config.get() {
        Err(reason) => Err(Box::new(Finding::unknown(
            client_target(None),
            format!("the Docker client configuration could not be read: {reason}"),
        ))),
        Ok(None) => Err(Box::new(Finding::not_applicable(
            client_target(None),
            "there is no Docker client configuration file",
        ))),
        Ok(Some(config)) => Ok(config),
    }
}

/// The credential helper to suggest for this machine's OS.
pub(crate) fn suggested_helper(snap: &Snapshot) -> &'static str {
    match snap.host.os.ok().map(|o| o.family.as_str()) {
        Some("macos") => "osxkeychain",
        Some("windows") => "wincred",
        _ => "secretservice",
    }
}
