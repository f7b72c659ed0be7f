//! Secret hygiene at collection: names that look like credentials, and fingerprints that let two
//! scans compare values without storing them. No value passes through here into a snapshot.

use sha2::{Digest, Sha256};

use crate::snapshot::EnvVar;

/// Name fragments that mark a credential (matched case-insensitively on `_`-separated words or
/// as a suffix), after Dockle CIS-DI-0010 and docker/cli's own redaction list.
const CREDENTIAL_WORDS: [&str; 14] = [
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
    "CERT",
    "SESSION",
];

/// Names that contain a credential word but are known not to carry one.
const NOT_CREDENTIALS: [&str; 6] = ["PWD", "OLDPWD", "GPG_KEY", "PASSWORD_FILE", "SECRET_FILE", "TOKEN_FILE"];

/// Whether an environment variable name looks like it carries a credential.
pub fn is_credential_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if NOT_CREDENTIALS.contains(&upper.as_str()) || upper.ends_with("_FILE") || upper.ends_with("_PATH") {
        return false;
    }
    let words: Vec<&str> =
        upper.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let joined = words.concat();
    words.iter().any(|w| CREDENTIAL_WORDS.contains(w))
        || ["APIKEY", "ACCESSKEY", "SECRETKEY", "PRIVATEKEY", "PASSWORD", "SECRET", "TOKEN"]
            .iter()
            .any(|w| joined.contains(w))
        || (words.last() == Some(&"KEY") && words.len() > 1)
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
            let credential_like = is_credential_name(name);
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
}
