//! Container runtime checks (CIS Docker Benchmark section 5): how each container, in any state, is
//! configured to run.

use crate::checks::Check;

pub(crate) mod privileged;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[&privileged::CHECK];
