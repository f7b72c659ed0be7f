//! Network segmentation checks: which containers share Docker's default bridge network, and how
//! that bridge publishes ports.

use crate::checks::Check;
use crate::report::{Target, TargetKind};
use crate::snapshot::{Network, short_id};

pub(crate) mod default_bridge_binds_all_interfaces;
pub(crate) mod default_bridge_in_use;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] =
    &[&default_bridge_in_use::CHECK, &default_bridge_binds_all_interfaces::CHECK];

/// The target for a network.
pub(crate) fn network_target(n: &Network) -> Target {
    Target::new(TargetKind::Network, &n.name, Some(short_id(&n.id).to_owned()))
}
