//! Checks of the `daemon` family.

use crate::checks::Check;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[];
