//! Checks of the `secrets` family.

use crate::checks::Check;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[];
