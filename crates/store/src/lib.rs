//! ZeroDock's memory and trust: what outlives one scan.
//!
//! - [`history`]: every saved report in an embedded SQLite database, per engine, with retention,
//!   and what changed between two scans.
//! - [`secrets`]: secrets the product holds (the signing key, an engine's TLS key or token) in the
//!   OS keyring, never in clear on disk.
//! - [`signing`]: reports signed with ed25519 in a DSSE envelope, and their verification.
#![deny(missing_docs)]

pub mod history;
pub mod secrets;
pub mod signing;
