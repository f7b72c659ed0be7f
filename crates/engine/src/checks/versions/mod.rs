//! Checks of the `versions` family.

use crate::checks::Check;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[];
