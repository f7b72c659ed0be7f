//! dpkg's ordering, through the `debversion` crate (tested against `dpkg --compare-versions`).

use std::cmp::Ordering;

use debversion::Version;

/// Parses a Debian version; `None` when `debversion` (which follows Debian policy's grammar)
/// rejects it.
pub(super) fn parse(v: &str) -> Option<Version> {
    // dpkg requires the upstream part to start with a digit; debversion is laxer, and a version
    // dpkg calls bad syntax has no order we could vouch for.
    let upstream = v.split_once(':').map_or(v, |(_, rest)| rest);
    if !upstream.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

/// Compares two Debian versions.
pub(super) fn compare(a: &str, b: &str) -> Option<Ordering> {
    Some(parse(a)?.cmp(&parse(b)?))
}
