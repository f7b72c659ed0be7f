//! Policy checks: findings about the user's own policy file (waivers), not about the engine.

use crate::checks::Check;

pub(crate) mod unused_waiver;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&unused_waiver::CHECK];
