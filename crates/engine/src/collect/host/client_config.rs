//! The Docker client configuration, `$DOCKER_CONFIG/config.json`: credential store and helpers,
//! which `auths` entries hold a secret in plain text, the current context, and the file's mode.
//!
//! Secret values are never kept: only registry names and the *names* of non-empty secret fields.

use std::ffi::OsStr;
use std::path::Path;

use serde_json::{Map, Value};

use super::accounts::Accounts;
use super::files::file_facts;
use super::{io_reason, json_reason, redact_userinfo};
use crate::snapshot::{ClientConfig, Fact, FileFacts, RegistryAuth};

/// Fields of an `auths` entry that hold a credential (base64 is not encryption).
const SECRET_FIELDS: [&str; 4] = ["auth", "password", "identitytoken", "registrytoken"];

/// Reads `<dir>/config.json`; `None` when there is none. `path_var` is `$PATH`, to find
/// `docker-credential-*` helpers.
pub(super) fn probe(
    dir: Option<&Path>,
    path_var: Option<&OsStr>,
    accounts: &Accounts,
) -> Fact<Option<ClientConfig>> {
    let Some(dir) = dir else {
        return Fact::unavailable(
            "no Docker client config directory: neither $DOCKER_CONFIG nor $HOME is set",
        );
    };
    let path = dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Fact::available(None),
        Err(e) => return Fact::unavailable(io_reason(&path, &e)),
    };
    let file = match file_facts(&path, accounts) {
        Ok(file) => file,
        Err(reason) => return Fact::unavailable(reason),
    };
    match parse(&text, &path, file, |name| helper_on_path(name, path_var)) {
        Ok(config) => Fact::available(Some(config)),
        Err(reason) => Fact::unavailable(reason),
    }
}

/// The facts of one config file. An empty file is an empty configuration, as the CLI reads it.
fn parse(
    text: &str,
    path: &Path,
    file: FileFacts,
    helper_found: impl Fn(&str) -> bool,
) -> Result<ClientConfig, String> {
    let settings = if text.trim().is_empty() {
        Map::new()
    } else {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(settings)) => settings,
            Ok(_) => {
                return Err(format!(
                    "{} is not a JSON object: the docker CLI cannot read it either",
                    path.display()
                ));
            }
            Err(e) => return Err(format!("{}: the docker CLI cannot read it either", json_reason(path, &e))),
        }
    };
    let text_of =
        |key: &str| settings.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    let creds_store = text_of("credsStore");
    let creds_store_helper_found = creds_store.as_deref().map(&helper_found);
    let cred_helpers = settings
        .get("credHelpers")
        .and_then(Value::as_object)
        .map(|helpers| {
            helpers
                .iter()
                .filter_map(|(registry, helper)| {
                    Some((redact_userinfo(registry), helper.as_str()?.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut auths: Vec<RegistryAuth> = settings
        .get("auths")
        .and_then(Value::as_object)
        .map(|auths| {
            auths
                .iter()
                .map(|(registry, entry)| RegistryAuth {
                    registry: redact_userinfo(registry),
                    secret_fields: SECRET_FIELDS
                        .iter()
                        .filter(|f| entry.get(**f).and_then(Value::as_str).is_some_and(|v| !v.is_empty()))
                        .map(|f| (*f).to_owned())
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    auths.sort_by(|a, b| a.registry.cmp(&b.registry));
    Ok(ClientConfig {
        file,
        creds_store,
        creds_store_helper_found,
        cred_helpers,
        auths,
        current_context: text_of("currentContext"),
    })
}

/// Whether `docker-credential-<name>` is an executable file in a `$PATH` directory.
fn helper_on_path(name: &str, path_var: Option<&OsStr>) -> bool {
    if name.contains(['/', '\\']) {
        return false;
    }
    let binary = format!("docker-credential-{name}{}", std::env::consts::EXE_SUFFIX);
    path_var.is_some_and(|var| std::env::split_paths(var).any(|dir| is_executable(&dir.join(&binary))))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::host::testing::TempDir;

    fn no_accounts() -> Accounts {
        Accounts { users: Ok(vec![]), groups: Ok(vec![]) }
    }

    fn parsed(text: &str) -> Result<ClientConfig, String> {
        parse(text, Path::new("/home/a/.docker/config.json"), FileFacts::default(), |name| name == "pass")
    }

    #[test]
    fn secrets_are_named_never_kept() {
        let config = parsed(
            r#"{"auths": {
                "https://index.docker.io/v1/": {"auth": "Ym9iOmh1bnRlcjI="},
                "ghcr.io": {"username": "bob", "password": "hunter2", "identitytoken": ""},
                "quay.io": {}
            },
            "credsStore": "pass",
            "credHelpers": {"123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"},
            "currentContext": "rootless"}"#,
        )
        .expect("parses");
        let secrets: Vec<(&str, Vec<&str>)> = config
            .auths
            .iter()
            .map(|a| (a.registry.as_str(), a.secret_fields.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            secrets,
            [
                ("ghcr.io", vec!["password"]),
                ("https://index.docker.io/v1/", vec!["auth"]),
                ("quay.io", vec![])
            ]
        );
        assert_eq!(config.creds_store.as_deref(), Some("pass"));
        assert_eq!(config.creds_store_helper_found, Some(true));
        assert_eq!(config.cred_helpers["123.dkr.ecr.us-east-1.amazonaws.com"], "ecr-login");
        assert_eq!(config.current_context.as_deref(), Some("rootless"));
        let shown = serde_json::to_string(&config).expect("serialise");
        assert!(!shown.contains("hunter2") && !shown.contains("Ym9i"), "{shown}");
    }

    #[test]
    fn a_missing_helper_and_empty_values() {
        let config = parsed(r#"{"credsStore": "desktop", "currentContext": ""}"#).expect("parses");
        assert_eq!(config.creds_store_helper_found, Some(false));
        assert_eq!(config.current_context, None);
        let empty = parsed("").expect("an empty file is fine");
        assert_eq!((empty.creds_store, empty.creds_store_helper_found), (None, None));
        assert!(empty.auths.is_empty());
    }

    #[test]
    fn malformed_json_names_the_file_and_position() {
        let err = parsed("{\"auths\": {,}}").expect_err("malformed");
        assert!(
            err.starts_with("/home/a/.docker/config.json is not valid JSON (line 1, column 12)"),
            "{err}"
        );
    }

    #[test]
    fn reads_the_file_and_finds_helpers_on_path() {
        let dir = TempDir::new();
        dir.write("docker/config.json", r#"{"credsStore": "zd-test"}"#);
        let helper = dir.write("bin/docker-credential-zd-test", "#!/bin/sh\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        let path_var = std::env::join_paths(["/nonexistent".into(), dir.path().join("bin")]).expect("PATH");
        let fact = probe(Some(&dir.path().join("docker")), Some(&path_var), &no_accounts());
        let config = fact.ok().cloned().flatten().expect("read");
        assert_eq!(config.creds_store_helper_found, Some(true));
        assert!(config.file.path.ends_with("docker/config.json"));

        assert_eq!(probe(Some(&dir.path().join("none")), None, &no_accounts()), Fact::available(None));
        assert!(probe(None, None, &no_accounts()).get().is_err());
    }
}
