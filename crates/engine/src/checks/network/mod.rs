//! Checks of the `network` family.

use crate::checks::Check;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[];
