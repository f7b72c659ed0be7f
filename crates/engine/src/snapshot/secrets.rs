//! Secret hygiene at collection: names that look like credentials, and fingerprints that let two
//! scans compare values without storing them. No value passes through here into a snapshot.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::snapshot::EnvVar;

/// Whole `_`-separated words (camelCase split too) that mark a credential, after Dockle
/// CIS-DI-0010 and docker/cli's own redaction list. Whole words only: `TOKENIZERS_PARALLELISM`
/// holds no token.
const CREDENTIAL_WORDS: [&str; 13] = [
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATE",
    "AUTH",
    "ACCESSKEY",
    "SESSION",
];

/// Joined spellings (`APIKEY`, `dbPassword` uppercased as one word…) found inside a word.
const JOINED_CREDENTIALS: [&str; 7] =
    ["APIKEY", "ACCESSKEY", "SECRETKEY", "PRIVATEKEY", "PASSWORD", "PASSWD", "SECRET"];

/// Names that contain a credential word but are known not to carry one.
const NOT_CREDENTIALS: [&str; 3] = ["PWD", "OLDPWD", "GPG_KEY"];

/// Last words that make the variable a setting *about* a credential (`SESSION_TIMEOUT`,
/// `PASSWORD_MIN_LENGTH`, `SSL_CERT_DIR`, `POSTGRES_PASSWORD_FILE`), not the credential itself.
const SETTING_SUFFIXES: [&str; 11] =
    ["ENABLED", "TIMEOUT", "TTL", "LENGTH", "DIR", "TYPE", "PATH", "FILE", "MODE", "SIZE", "COUNT"];

/// `…_KEY` names that are database vocabulary, not keys.
const NOT_KEY_QUALIFIERS: [&str; 2] = ["PRIMARY", "FOREIGN"];

/// Log options whose values are safe to keep: rotation and addresses. Others (`splunk-token`,
/// awslogs credentials…) keep their key only. Shared by containers' `LogConfig`, daemon.json
/// `log-opts` and dockerd's `--log-opt`.
pub const SAFE_LOG_OPTS: [&str; 6] =
    ["max-size", "max-file", "compress", "mode", "syslog-address", "fluentd-address"];

/// What replaces a value that must not leave collection.
pub const REDACTED: &str = "<redacted>";

/// The value to keep for log option `key`: the value itself when the key is in
/// [`SAFE_LOG_OPTS`], else [`REDACTED`].
pub fn log_opt_value(key: &str, value: String) -> String {
    if SAFE_LOG_OPTS.contains(&key) { redact_userinfo(&value) } else { REDACTED.to_owned() }
}

/// Replaces the userinfo of every URL in `text` (`https://user:pass@host` →
/// `https://<redacted>@host`): proxies, mirrors and log endpoints carry credentials that way.
pub fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, after) = rest.split_at(i + 3);
        out.push_str(head);
        let end = after.find(['/', '?', '#', ',', ' ', ';']).unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("<redacted>");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Label namespaces whose values are kept: Compose's bookkeeping (service, project, config files)
/// and OCI image annotations. Other labels are free-form and may hold anything, so only their
/// keys are kept.
const KEPT_LABEL_PREFIXES: [&str; 2] = ["com.docker.compose.", "org.opencontainers."];

/// Labels with every value outside [`KEPT_LABEL_PREFIXES`] replaced by [`REDACTED`].
pub fn redact_labels(labels: impl IntoIterator<Item = (String, String)>) -> BTreeMap<String, String> {
    labels
        .into_iter()
        .map(|(k, v)| {
            let keep = KEPT_LABEL_PREFIXES.iter().any(|p| k.starts_with(p));
            (k, if keep { v } else { REDACTED.to_owned() })
        })
        .collect()
}

/// The words of a name: split on non-alphanumerics and on lower-to-upper case changes, uppercased.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether an environment variable name looks like it carries a credential.
pub fn is_credential_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if NOT_CREDENTIALS.contains(&upper.as_str()) {
        return false;
    }
    let words = words(name);
    let Some(last) = words.last() else { return false };
    if SETTING_SUFFIXES.contains(&last.as_str()) {
        return false;
    }
    let qualified_key =
        last == "KEY" && words.len() > 1 && !NOT_KEY_QUALIFIERS.contains(&words[words.len() - 2].as_str());
    words.iter().any(|w| CREDENTIAL_WORDS.contains(&w.as_str()))
        || words.iter().any(|w| JOINED_CREDENTIALS.iter().any(|j| w.contains(j)))
        || words.concat().contains("APIKEY")
        || qualified_key
}

/// Whether `value` is a URL whose userinfo carries a password (`postgres://app:pw@db/app`,
/// `redis://:pw@cache`): `DATABASE_URL` and `*_DSN` carry credentials under innocent names.
fn url_with_password(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once("://") else { return false };
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
        return false;
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    authority.rfind('@').is_some_and(|at| authority[..at].contains(':'))
}

/// A short, non-reversible fingerprint of a secret value: 8 hex digits of SHA-256 over a fixed
/// context string and the value. Enough to notice a rotation, too short to confirm a guess offline
/// against a large dictionary with certainty.
pub fn fingerprint(value: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"zerodock-fingerprint-v1\0");
    hasher.update(value.as_bytes());
    let digest = hasher.finalize();
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// Turns `NAME=value` entries into [`EnvVar`]s, dropping every value.
pub fn env_vars(entries: &[String]) -> Vec<EnvVar> {
    entries
        .iter()
        .map(|entry| {
            let (name, value) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
            let credential_like = is_credential_name(name) || url_with_password(value);
            EnvVar {
                name: name.to_owned(),
                credential_like,
                fingerprint: (credential_like && !value.is_empty()).then(|| fingerprint(value)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for name in [
            "DB_PASSWORD",
            "POSTGRES_PASSWORD",
            "API_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "apiKey",
            "MYSQL_ROOT_PASSWORD",
            "SECRET",
            "dbPassword",
            "DB_PASS",
            "SECRETKEY",
            "AWS_SECRETKEY",
            "MY_APIKEY",
            "PRIVATE_KEY",
            "SESSION_SECRET",
            "AUTH_TOKEN",
            "ENCRYPTION_KEY",
        ] {
            assert!(is_credential_name(name), "{name}");
        }
        for name in [
            "PATH",
            "HOME",
            "PWD",
            "GPG_KEY",
            "POSTGRES_PASSWORD_FILE",
            "LANG",
            "NGINX_VERSION",
            "KEYCLOAK_VERSION",
            "TOKENIZERS_PARALLELISM",
            "AUTH_ENABLED",
            "SESSION_TIMEOUT",
            "PASSWORD_MIN_LENGTH",
            "PRIMARY_KEY",
            "FOREIGN_KEY",
            "SSL_CERT_DIR",
            "TOKEN_TTL",
            "SECRETS_PATH",
            "DATABASE_URL",
            "OLDPWD",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
    }

    #[test]
    fn values_never_survive() {
        let vars = env_vars(&["DB_PASSWORD=hunter2".to_owned(), "PATH=/bin".to_owned()]);
        let json = serde_json::to_string(&vars).unwrap();
        assert!(!json.contains("hunter2") && !json.contains("/bin"), "{json}");
        assert_eq!(vars[0].fingerprint.as_deref(), Some(fingerprint("hunter2").as_str()));
        assert_eq!(vars[1].fingerprint, None);
    }

    #[test]
    fn urls_with_a_password_are_credentials() {
        let vars = env_vars(&[
            "DATABASE_URL=postgres://app:zd-planted-pw@db:5432/app".to_owned(),
            "REDIS_URL=redis://:pw@cache:6379/0".to_owned(),
            "SENTRY_DSN=https://key:sec@o1.ingest.sentry.io/1".to_owned(),
            "UPSTREAM_URL=https://user@example.com/x".to_owned(),
            "HOME_URL=https://example.com/a:b@c".to_owned(),
            "PLAIN=not a url: x@y".to_owned(),
        ]);
        let flags: Vec<bool> = vars.iter().map(|v| v.credential_like).collect();
        assert_eq!(flags, [true, true, true, false, false, false]);
        let json = serde_json::to_string(&vars).unwrap();
        assert!(!json.contains("zd-planted-pw") && !json.contains("postgres://"), "{json}");
    }

    #[test]
    fn log_opts_and_labels_keep_safe_values_only() {
        assert_eq!(log_opt_value("max-size", "10m".to_owned()), "10m");
        assert_eq!(log_opt_value("splunk-token", "abc".to_owned()), REDACTED);
        let labels = redact_labels([
            ("com.docker.compose.service".to_owned(), "web".to_owned()),
            ("org.opencontainers.image.version".to_owned(), "1.2".to_owned()),
            ("traefik.http.middlewares.auth.basicauth.users".to_owned(), "admin:$apr1$x".to_owned()),
        ]);
        assert_eq!(labels["com.docker.compose.service"], "web");
        assert_eq!(labels["org.opencontainers.image.version"], "1.2");
        assert_eq!(labels["traefik.http.middlewares.auth.basicauth.users"], REDACTED);
    }
}
