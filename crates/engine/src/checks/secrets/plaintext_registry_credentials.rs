//! SEC003 plaintext-registry-credentials.

use crate::checks::prelude::*;
use crate::snapshot::RegistryAuth;

use super::{client_config, client_target, suggested_helper};

/// `docker logout` for an `auths` key (Docker Hub's key is a URL the CLI fills in by itself).
fn logout(a: &RegistryAuth) -> String {
    if a.registry.contains("index.docker.io") {
        "docker logout".to_owned()
    } else {
        format!("docker logout {}", a.registry)
    }
}

fn login(a: &RegistryAuth) -> String {
    if a.registry.contains("index.docker.io") {
        "docker login".to_owned()
    } else {
        format!("docker login {}", a.registry)
    }
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    // The client configuration is this machine's, whichever engine is scanned: no host-scope test.
    let config = match client_config(snap) {
        Ok(config) => config,
        Err(finding) => return vec![*finding],
    };
    let target = client_target(Some(config));
    let plain: Vec<&RegistryAuth> = config.auths.iter().filter(|a| !a.secret_fields.is_empty()).collect();
    let field = format!("{}: auths", config.file.path);
    let expected = "empty entries ({}): credentials kept by a credsStore / credHelpers helper";
    if plain.is_empty() {
        let store = config
            .creds_store
            .as_deref()
            .map_or_else(|| "no credsStore".to_owned(), |s| format!("credsStore `{s}`"));
        return vec![
            Finding::pass(target, format!("No registry credential is stored in plain text ({store})"))
                .evidence(
                    field,
                    format!("{} entr(ies), none with auth/password/identitytoken", config.auths.len()),
                    expected,
                ),
        ];
    }
    let registries = plain.iter().map(|a| format!("`{}`", a.registry)).collect::<Vec<_>>().join(", ");
    let observed = plain
        .iter()
        .map(|a| format!("{} ({})", a.registry, a.secret_fields.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    let helper = config.creds_store.clone().unwrap_or_else(|| suggested_helper(snap).to_owned());
    let path = &config.file.path;
    let mut steps = vec!["# 1. remove the plain-text entries".to_owned()];
    steps.extend(plain.iter().map(|a| logout(a)));
    if config.creds_store.is_none() {
        steps.push(format!(
            "# 2. store credentials in the OS keychain (install docker-credential-{helper}: https://github.com/docker/docker-credential-helpers/releases)"
        ));
        steps.push(format!(
            "tmp=$(mktemp) && jq '.credsStore = \"{helper}\"' {path} > \"$tmp\" && mv \"$tmp\" {path}"
        ));
    } else {
        steps.push(format!("# 2. credsStore `{helper}` is already set: the next login goes to it"));
    }
    steps.push("# 3. log in again".to_owned());
    steps.extend(plain.iter().map(|a| login(a)));
    vec![Finding::fail(
        target,
        format!("Registry credentials for {registries} are stored in plain text (base64) in {path}: any process of this user can read and reuse them"),
    )
    .evidence(field, observed, expected)
    .fix(SnippetKind::Shell, format!("Move the credentials to the `{helper}` credential helper"), steps.join("\n"))]
}

crate::declare_check! {
    /// The Docker client stores registry passwords or tokens in plain text.
    ///
    /// ## Rationale
    /// Without a credential helper, `docker login` writes `base64(user:password)` (or an identity
    /// token) into `~/.docker/config.json`. Base64 is not encryption: any process running as the user,
    /// a backup, a dotfiles repository or a support bundle exposes a credential that can push images
    /// to the registry, i.e. poison the supply chain. A credential helper keeps them in the OS
    /// keychain (Secret Service, pass, macOS Keychain, Windows Credential Manager). Zero Trust asks
    /// for a purpose-designed secrets store.
    ///
    /// ## Evidence
    /// The client configuration (`$DOCKER_CONFIG/config.json`, default `~/.docker/config.json`):
    /// `auths` entries with a non-empty `auth`, `password`, `identitytoken` or `registrytoken`
    /// (names of the fields only; no value is read into the snapshot). Absent `credsStore` alone
    /// is not a finding: what counts is whether secrets sit in the file.
    ///
    /// ## Remediation
    /// `docker logout REGISTRY`, set `"credsStore"` (`secretservice` or `pass` on Linux,
    /// `osxkeychain`, `wincred`, `desktop` with Docker Desktop) with its `docker-credential-<name>`
    /// helper installed, then `docker login REGISTRY` again.
    pub(crate) static CHECK = {
        code: "SEC003",
        slug: "plaintext-registry-credentials",
        title: "Registry credentials stored in plain text",
        category: Secrets,
        severity: High,
        target: Client,
        references: [
            Reference::Nist("tenet 6: authentication strictly enforced"),
            Reference::Seed("Zero Trust: Authentication and authorization"),
            Reference::Seed("Best practices §8 Implement Access Controls"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/login/#credential-stores"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test SEC003` selects its tests")]
mod SEC003 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn plaintext_auth_fails_creds_store_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert_eq!(f[0].target.name, "/tmp/zerodock-test/default/client/config.json");
        assert_eq!(f[0].evidence[0].observed, "registry.example.com (auth)");
        let steps = &f[0].remediation[0].code;
        assert!(
            steps.contains("docker logout registry.example.com")
                && steps.contains("credsStore = \"secretservice\""),
            "{steps}"
        );
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn no_file_is_not_applicable() {
        // Mutation: the user has no ~/.docker/config.json.
        let snap = variant("default", |s| *s.host.client_config.ok_mut().expect("captured") = None);
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::NotApplicable);
    }
}
