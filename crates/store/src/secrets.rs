//! Secrets in the OS keyring (keyring-core with the native stores), under the service `zerodock`.
//!
//! Which store: Linux asks the Secret Service (GNOME Keyring, KWallet, KeePassXC over the session
//! D-Bus) and falls back to the kernel's keyutils when none answers; macOS uses the login
//! Keychain, Windows the Credential Manager. `ZERODOCK_KEYRING` forces one (see docs/secrets.md).
//! Values never reach a log, an error message or a `Debug` output: [`SecretValue`] redacts itself
//! and the keyring's own errors are reduced to their kind (`BadEncoding` would carry the bytes).

use std::fmt;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroizing;

/// The keyring service every ZeroDock secret is filed under.
pub const SERVICE: &str = "zerodock";

/// The environment variable that forces a store: `secret-service`, `keyutils` or `auto`
/// (the default). Documented in docs/secrets.md; the CLI tests use it to point at a private
/// Secret Service.
pub const STORE_ENV: &str = "ZERODOCK_KEYRING";

/// The store that holds the secrets, as the Host view and `zerodock key` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StoreKind {
    /// The freedesktop Secret Service over the session D-Bus (Linux): persistent, encrypted by
    /// the keyring daemon.
    SecretService,
    /// The Linux kernel's key retention service (session keyring linked to the user's persistent
    /// keyring): in memory only, lost on reboot.
    Keyutils,
    /// The macOS login Keychain.
    Keychain,
    /// The Windows Credential Manager.
    CredentialManager,
    /// keyring-core's in-memory mock (tests only).
    Mock,
}

impl StoreKind {
    /// A stable short name (`secret-service`, `keyutils`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::SecretService => "secret-service",
            StoreKind::Keyutils => "keyutils",
            StoreKind::Keychain => "keychain",
            StoreKind::CredentialManager => "credential-manager",
            StoreKind::Mock => "mock",
        }
    }

    /// Whether a secret kept here survives a reboot (keyutils and the mock do not), so the UI can
    /// warn that a signing key there is temporary.
    pub fn persistent(self) -> bool {
        !matches!(self, StoreKind::Keyutils | StoreKind::Mock)
    }
}

impl fmt::Display for StoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which store to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreChoice {
    /// The platform's native store; on Linux the Secret Service, else keyutils.
    Auto,
    /// Only the Secret Service (Linux).
    SecretService,
    /// Only keyutils (Linux).
    Keyutils,
}

impl StoreChoice {
    /// The choice `ZERODOCK_KEYRING` makes (unset or empty: [`StoreChoice::Auto`]).
    pub fn from_env() -> Result<StoreChoice, SecretsError> {
        match std::env::var(STORE_ENV) {
            Ok(v) => v.parse(),
            Err(_) => Ok(StoreChoice::Auto),
        }
    }
}

impl std::str::FromStr for StoreChoice {
    type Err = SecretsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" | "auto" => Ok(StoreChoice::Auto),
            "secret-service" => Ok(StoreChoice::SecretService),
            "keyutils" => Ok(StoreChoice::Keyutils),
            other => Err(SecretsError::BadChoice(other.to_owned())),
        }
    }
}

/// What went wrong with the keyring. Never carries a secret value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// No store could be opened (no Secret Service and no keyutils, or the forced one failed).
    #[error("no OS keyring is available: {0}")]
    Unavailable(String),
    /// `ZERODOCK_KEYRING` names no known store.
    #[error("{STORE_ENV}={0:?} is not a keyring store: use auto, secret-service or keyutils")]
    BadChoice(String),
    /// The store refused or failed an operation on one secret.
    #[error("keyring ({store}): cannot {action} `{name}`: {reason}")]
    Access {
        /// The store in use.
        store: StoreKind,
        /// `read`, `write` or `delete`.
        action: &'static str,
        /// The secret's name.
        name: String,
        /// The store's reason, without any value.
        reason: String,
    },
}

/// A secret read from the keyring: zeroed when dropped, never printed.
pub struct SecretValue(Zeroizing<Vec<u8>>);

impl SecretValue {
    /// The bytes, for the one place that uses them (e.g. to build a signing key).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

/// The OS keyring, opened once: get, set and delete secrets by name under [`SERVICE`].
#[derive(Clone)]
pub struct Secrets {
    store: Arc<CredentialStore>,
    kind: StoreKind,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets").field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl Secrets {
    /// Opens the store `ZERODOCK_KEYRING` asks for (default: the native one, with the Linux
    /// fallback) and says which it is.
    pub fn open() -> Result<(Secrets, StoreKind), SecretsError> {
        Secrets::open_with(StoreChoice::from_env()?)
    }

    /// Opens the store `choice` names. Blocking: the Secret Service is asked over D-Bus.
    pub fn open_with(choice: StoreChoice) -> Result<(Secrets, StoreKind), SecretsError> {
        let (store, kind, _) = platform::open(choice)?;
        tracing::debug!(store = kind.as_str(), "keyring opened");
        Ok((Secrets { store, kind }, kind))
    }

    /// A fresh in-memory mock store (keyring-core's), for tests of code that uses secrets.
    pub fn mock() -> Result<Secrets, SecretsError> {
        let store = keyring_core::mock::Store::new().map_err(|e| SecretsError::Unavailable(describe(&e)))?;
        Ok(Secrets { store, kind: StoreKind::Mock })
    }

    /// Wraps a store built elsewhere (e.g. a mock whose credentials inject errors).
    pub fn with_store(store: Arc<CredentialStore>, kind: StoreKind) -> Secrets {
        Secrets { store, kind }
    }

    /// The store in use.
    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    fn entry(&self, name: &str, action: &'static str) -> Result<Entry, SecretsError> {
        Entry::new_in_store(&self.store, SERVICE, name).map_err(|e| self.access(name, action, &e))
    }

    /// Reads secret `name`; `None` when there is none.
    pub fn get(&self, name: &str) -> Result<Option<SecretValue>, SecretsError> {
        match self.entry(name, "read")?.get_secret() {
            Ok(bytes) => Ok(Some(SecretValue(Zeroizing::new(bytes)))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.access(name, "read", &e)),
        }
    }

    /// Writes (or replaces) secret `name`.
    pub fn set(&self, name: &str, value: &[u8]) -> Result<(), SecretsError> {
        self.entry(name, "write")?.set_secret(value).map_err(|e| self.access(name, "write", &e))
    }

    /// Deletes secret `name`; `false` when there was none.
    pub fn delete(&self, name: &str) -> Result<bool, SecretsError> {
        match self.entry(name, "delete")?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(self.access(name, "delete", &e)),
        }
    }

    fn access(&self, name: &str, action: &'static str, e: &keyring_core::Error) -> SecretsError {
        let mut reason = describe(e);
        if self.kind == StoreKind::Keyutils && matches!(e, keyring_core::Error::NoStorageAccess(_)) {
            // The usual cause (docs/secrets.md): no session keyring, e.g. a daemon or `docker exec`.
            reason.push_str(" (keyutils needs a session keyring: log in, or run under `keyctl session -`)");
        }
        SecretsError::Access { store: self.kind, action, name: name.to_owned(), reason }
    }
}

/// The keyring error without its payload: `BadEncoding`/`BadDataFormat` hold the stored bytes.
fn describe(e: &keyring_core::Error) -> String {
    use keyring_core::Error as E;
    match e {
        E::BadEncoding(_) => "the stored value is not in the expected encoding".to_owned(),
        E::BadDataFormat(_, _) => "the stored value is not in the expected format".to_owned(),
        E::Ambiguous(entries) => format!("{} entries match", entries.len()),
        E::PlatformFailure(p) => format!("platform failure: {p}"),
        E::NoStorageAccess(p) => format!("no access to the store: {p}"),
        other => other.to_string(),
    }
}

/// Which store holds the secrets and why, as the Host view shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoreStatus {
    /// The store in use; `None` when none can be opened (signing then fails with `reason`).
    pub store: Option<StoreKind>,
    /// Whether a secret kept there survives a reboot.
    pub persistent: bool,
    /// Why this store (forced by [`STORE_ENV`], the Secret Service answered, the fallback and
    /// what the Secret Service said), or why there is none.
    pub reason: String,
}

/// Opens the store `ZERODOCK_KEYRING` asks for, as [`Secrets::open`] does, and says which it is
/// and why. Blocking (the Secret Service is asked over D-Bus); reads no secret.
pub fn status() -> StoreStatus {
    match StoreChoice::from_env() {
        Ok(choice) => status_of(choice),
        Err(e) => StoreStatus { store: None, persistent: false, reason: e.to_string() },
    }
}

/// [`status`] for `choice`.
pub fn status_of(choice: StoreChoice) -> StoreStatus {
    match platform::open(choice) {
        Ok((_, kind, why)) => {
            let reason = if choice == StoreChoice::Auto { why } else { format!("forced by {STORE_ENV}") };
            StoreStatus { store: Some(kind), persistent: kind.persistent(), reason }
        }
        Err(e) => StoreStatus { store: None, persistent: false, reason: e.to_string() },
    }
}

/// What [`platform::open`] gives: the store, its kind and why it was chosen.
type Opened = (Arc<CredentialStore>, StoreKind, String);

#[cfg(target_os = "linux")]
mod platform {
    //! Linux: Secret Service (libdbus) first, keyutils when no Secret Service answers.
    use super::{CredentialStore, Opened, SecretsError, StoreChoice, StoreKind, describe};
    use std::sync::Arc;

    pub(super) fn open(choice: StoreChoice) -> Result<Opened, SecretsError> {
        let secret_service = || {
            dbus_secret_service_keyring_store::Store::new()
                .map(|s| s as Arc<CredentialStore>)
                .map_err(|e| format!("Secret Service: {}", describe(&e)))
        };
        let keyutils = || {
            linux_keyutils_keyring_store::Store::new()
                .map(|s| s as Arc<CredentialStore>)
                .map_err(|e| format!("keyutils: {}", describe(&e)))
        };
        match choice {
            StoreChoice::SecretService => secret_service()
                .map(|s| (s, StoreKind::SecretService, "forced".to_owned()))
                .map_err(SecretsError::Unavailable),
            StoreChoice::Keyutils => keyutils()
                .map(|s| (s, StoreKind::Keyutils, "forced".to_owned()))
                .map_err(SecretsError::Unavailable),
            StoreChoice::Auto => match secret_service() {
                Ok(s) => Ok((
                    s,
                    StoreKind::SecretService,
                    "the Secret Service answers on the session bus".to_owned(),
                )),
                Err(why) => {
                    // Headless hosts and CI have no session bus or no keyring daemon: keyutils
                    // still keeps the secret out of the file system (in memory, until reboot).
                    tracing::info!(reason = %why, "no Secret Service; secrets go to the kernel keyring (keyutils)");
                    keyutils()
                        .map(|s| (s, StoreKind::Keyutils, format!(
                                "no Secret Service ({}); the kernel keyring keeps secrets in memory until reboot",
                                why.trim_start_matches("Secret Service: ")
                            )))
                        .map_err(|k| SecretsError::Unavailable(format!("{why}; {k}")))
                }
            },
        }
    }
}

#[cfg(target_os = "macos")]
mod platform {
    //! macOS: the login Keychain (`apple-native-keyring-store`, feature `keychain`). Not built or
    //! tested here (the CI is Linux); kept to the one constructor call.
    use super::{Opened, SecretsError, StoreChoice, StoreKind, describe};
    use std::sync::Arc;

    pub(super) fn open(choice: StoreChoice) -> Result<Opened, SecretsError> {
        if choice != StoreChoice::Auto {
            return Err(SecretsError::Unavailable(format!("{choice:?} exists on Linux only")));
        }
        apple_native_keyring_store::keychain::Store::new()
            .map(|s| (s as Arc<super::CredentialStore>, StoreKind::Keychain, "the login Keychain".to_owned()))
            .map_err(|e| SecretsError::Unavailable(describe(&e)))
    }
}

#[cfg(target_os = "windows")]
mod platform {
    //! Windows: the Credential Manager (generic credentials, `windows-native-keyring-store`). Not
    //! built or tested here (the CI is Linux); kept to the one constructor call.
    use super::{Opened, SecretsError, StoreChoice, StoreKind, describe};
    use std::sync::Arc;

    pub(super) fn open(choice: StoreChoice) -> Result<Opened, SecretsError> {
        if choice != StoreChoice::Auto {
            return Err(SecretsError::Unavailable(format!("{choice:?} exists on Linux only")));
        }
        windows_native_keyring_store::Store::new()
            .map(|s| {
                (
                    s as Arc<super::CredentialStore>,
                    StoreKind::CredentialManager,
                    "the Credential Manager".to_owned(),
                )
            })
            .map_err(|e| SecretsError::Unavailable(describe(&e)))
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod platform {
    //! Other systems: no native store is wired; secrets are refused rather than kept in clear.
    use super::{Opened, SecretsError, StoreChoice};

    pub(super) fn open(_: StoreChoice) -> Result<Opened, SecretsError> {
        Err(SecretsError::Unavailable("no OS keyring store is supported on this system".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mock_round_trip_and_delete() {
        let s = Secrets::mock().expect("mock");
        assert!(s.get("a").expect("read").is_none());
        s.set("a", b"\x00\xffbinary").expect("write");
        assert_eq!(s.get("a").expect("read").expect("present").expose(), b"\x00\xffbinary");
        assert!(s.delete("a").expect("delete"));
        assert!(!s.delete("a").expect("second delete"));
        assert!(s.get("a").expect("read").is_none());
    }

    #[test]
    fn values_never_appear_in_debug_or_errors() {
        let v = SecretValue(Zeroizing::new(b"hunter2".to_vec()));
        assert!(!format!("{v:?}").contains("hunter2"));
        let e = keyring_core::Error::BadEncoding(b"hunter2".to_vec());
        assert!(!describe(&e).contains("hunter2"));
        assert!(!describe(&e).contains("104")); // not as a byte list either
    }

    #[test]
    fn store_errors_are_reported_with_the_name_and_no_value() {
        let store = keyring_core::mock::Store::new().expect("mock");
        let s = Secrets::with_store(store.clone(), StoreKind::Mock);
        s.set("k", b"hunter2").expect("write");
        let entry = Entry::new_in_store(&(store as Arc<CredentialStore>), SERVICE, "k").expect("entry");
        let mock: &keyring_core::mock::Cred = entry.as_any().downcast_ref().expect("a mock credential");
        mock.set_error(keyring_core::Error::BadEncoding(b"hunter2".to_vec()));
        let err = s.get("k").expect_err("the injected error");
        let text = err.to_string();
        assert!(text.contains("read `k`"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn store_choice_parses() {
        assert_eq!("".parse::<StoreChoice>().expect("empty"), StoreChoice::Auto);
        assert_eq!("keyutils".parse::<StoreChoice>().expect("k"), StoreChoice::Keyutils);
        assert_eq!("secret-service".parse::<StoreChoice>().expect("s"), StoreChoice::SecretService);
        assert!("file".parse::<StoreChoice>().is_err());
    }
}
