//! Secrets in the OS keyring (keyring-core with the native stores).
