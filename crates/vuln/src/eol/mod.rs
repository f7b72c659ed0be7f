//! Base operating systems: their OSV ecosystem and end of security support.
