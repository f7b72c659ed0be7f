//! Checks of the `host` family.

use crate::checks::Check;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[];
