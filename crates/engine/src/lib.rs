//! ZeroDock's engine: collect a [`Snapshot`] of a Docker host, [`evaluate`] the check catalogue over
//! it, and get a scored [`Report`]. No GUI, no rendering: every face of ZeroDock (CLI, desktop app,
//! reports) renders what this crate produces.
//!
//! ```no_run
//! # async fn demo() -> Result<(), zerodock_engine::Error> {
//! use zerodock_engine::{collect, evaluate, CollectOptions, EvalConfig};
//! let snapshot = collect(&CollectOptions::from_env()?).await;
//! let report = evaluate(&snapshot, &EvalConfig::at(chrono::Utc::now()));
//! println!("{:?} {}", report.score, report.grade);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod checks;
pub mod collect;
mod error;
mod evaluate;
pub mod generated;
mod inventory;
pub mod lifecycle;
mod outcome;
mod plan;
mod posture;
mod report;
mod score;
pub mod secrets;
pub mod snapshot;
mod waiver;
pub mod watch;

pub use checks::{CATALOGUE_VERSION, Check, Reference, catalogue};
pub use collect::{CollectOptions, Progress, ProgressSender, Stage, collect};
pub use error::Error;
pub(crate) use error::check_schema_version;
pub use evaluate::{EvalConfig, evaluate};
pub use inventory::{ContainerSummary, FailingCheck, Inventory, NetworkSummary, PublishedPort};
pub use outcome::{
    AppliedWaiver, Category, Evidence, Finding, Severity, Snippet, SnippetKind, Status, Target, TargetKind,
};
pub use plan::{DaemonJsonChange, DaemonJsonPlan};
pub use posture::{NewFailure, Posture};
pub use report::{
    CategoryScore, CheckResult, Counts, EngineIdentity, Grade, HostIdentity, REPORT_SCHEMA_VERSION, Report,
    Subject, ToolInfo, WaiverUse,
};
pub use score::{CRITICAL_CAP, HIGH_CAP};
pub use snapshot::{Fact, SNAPSHOT_SCHEMA_VERSION, Snapshot};
pub use waiver::{Policy, Waiver};

/// This build's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
