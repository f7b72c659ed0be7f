//! SEC004 client-config-permissions.

use crate::checks::prelude::*;

use super::{client_config, client_target, suggested_helper};

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let config = match client_config(snap) {
        Ok(config) => config,
        Err(finding) => return vec![*finding],
    };
    let target = client_target(Some(config));
    let file = &config.file;
    let field = format!("stat {}", file.path);
    let observed = format!("{} {}", file.mode_octal(), file.ownership());
    let holds_secrets = config.auths.iter().any(|a| !a.secret_fields.is_empty());
    if holds_secrets && file.mode & 0o044 != 0 {
        let who = if file.mode & 0o004 != 0 { "every local user" } else { "its group" };
        return vec![
            Finding::fail(
                target,
                format!(
                    "{} holds registry credentials and is readable by {who} (mode {})",
                    file.path,
                    file.mode_octal()
                ),
            )
            .evidence(field, observed, "600 while it holds credentials")
            .fix(
                SnippetKind::Shell,
                format!("Make {} private to its owner", file.path),
                format!("chmod 0600 {}", file.path),
            ),
        ];
    }
    if let (Some(store), Some(false)) = (config.creds_store.as_deref(), config.creds_store_helper_found) {
        return vec![Finding::warn(
            target,
            format!("credsStore `{store}` is set but `docker-credential-{store}` is not on PATH: `docker login` fails, which invites removing the store and falling back to plain text"),
        )
        .evidence(format!("{}: credsStore", file.path), store, format!("docker-credential-{store} on PATH"))
        .fix(
            SnippetKind::Shell,
            format!("Install docker-credential-{store}"),
            format!(
                "# Debian/Ubuntu: sudo apt-get install golang-docker-credential-helpers   (secretservice, pass)\n\
                 # or download it from https://github.com/docker/docker-credential-helpers/releases into a PATH directory\n\
                 docker-credential-{store} version   # suggested store for this OS: {}",
                suggested_helper(snap)
            ),
        )];
    }
    let why = if holds_secrets {
        "holds credentials and is private to its owner"
    } else {
        "holds no plain-text credential"
    };
    vec![Finding::pass(target, format!("{} {why}", file.path)).evidence(
        field,
        observed,
        "600 while it holds credentials",
    )]
}

crate::declare_check! {
    /// The Docker client configuration exposes credentials to other users, or its credential helper
    /// is missing.
    ///
    /// ## Rationale
    /// When `~/.docker/config.json` holds registry credentials (see SEC003), a group- or
    /// world-readable mode hands them to every other account on the machine. And a `credsStore`
    /// whose `docker-credential-<name>` helper is not installed breaks `docker login`; the usual
    /// "fix" found online is to delete `credsStore`, which silently moves credentials back into the
    /// file in plain text.
    ///
    /// ## Evidence
    /// `stat` of the client configuration file (mode, owner) together with whether its `auths`
    /// hold secrets; `credsStore` and whether `docker-credential-<credsStore>` was found on `PATH`.
    ///
    /// ## Remediation
    /// `chmod 0600 ~/.docker/config.json`; install the credential helper named by `credsStore`
    /// (e.g. `apt-get install golang-docker-credential-helpers`, or a release binary from
    /// docker/docker-credential-helpers).
    pub(crate) static CHECK = {
        code: "SEC004",
        slug: "client-config-too-permissive",
        title: "Client config readable by others or credential helper missing",
        category: Secrets,
        severity: Low,
        target: Client,
        references: [
            Reference::Nist("tenet 6: authentication strictly enforced"),
            Reference::Seed("Zero Trust: Authentication and authorization"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/login/#credential-helpers"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test SEC004` selects its tests")]
mod SEC004 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn readable_credentials_fail() {
        // default: plain-text auths in a 0644 file.
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert!(f[0].message.contains("readable by every local user"), "{}", f[0].message);
    }

    #[test]
    fn missing_helper_warns_present_helper_passes() {
        // hardened: credsStore secretservice, whose helper is not installed on the capture machine.
        let f = findings(&CHECK, &fixture("hardened"));
        assert_eq!(f[0].status, Status::Warn);
        assert!(f[0].message.contains("docker-credential-secretservice"));
        // Mutation: docker-credential-secretservice is on PATH.
        let snap = variant("hardened", |s| {
            s.host
                .client_config
                .ok_mut()
                .expect("captured")
                .as_mut()
                .expect("captured")
                .creds_store_helper_found = Some(true);
        });
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::Pass);
    }
}
