//! Packages × database → vulnerabilities.
