//! What every check imports, so every check file starts the same way: `use crate::checks::prelude::*;`.

pub(crate) use crate::checks::Reference;
pub(crate) use crate::checks::helpers::*;
#[allow(
    unused_imports,
    reason = "predicates build findings through `Finding::fail`/`pass`; their tests name statuses"
)]
pub(crate) use crate::report::Status;
pub(crate) use crate::report::{Finding, Snippet, SnippetKind, Target, TargetKind};
pub(crate) use crate::snapshot::{Container, Image, Network, Snapshot, parse_go_bool};
