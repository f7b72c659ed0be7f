//! ZeroDock's engine: collect a [`Snapshot`] of a Docker host, [`evaluate`] the check catalogue over
//! it, and get a scored [`Report`]. No GUI, no rendering: every face of ZeroDock (CLI, desktop app,
//! reports) renders what this crate produces.
//!
//! The modules are the pipeline's stages, in order (docs/architecture.md):
//!
//! - [`collect`]: async I/O (bollard, host probes) → [`Snapshot`]; the [`collect::watch`]er
//!   re-collects on Docker events.
//! - [`snapshot`]: the versioned evidence model, and how Go-formatted values in it are read.
//! - [`checks`]: the catalogue, one file per check, pure functions over a snapshot.
//! - [`evaluate`]: runs the checks, scores, applies waivers, builds the inventory and the
//!   daemon.json plan → [`Report`].
//! - [`report`]: the report types, and read-only helpers over a finished report.
//!
//! A stage may use the stages below it in this order — `snapshot` ← `report` ← `checks` ←
//! `evaluate` ← `collect` — and never one above (`tests/layering.rs` enforces it).
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
pub mod evaluate;
pub mod generated;
pub mod report;
pub mod snapshot;

pub use checks::{CATALOGUE_VERSION, Check, Reference, catalogue};
pub use collect::{CollectOptions, Progress, ProgressSender, Stage, collect};
pub use error::Error;
pub(crate) use error::check_schema_version;
pub use evaluate::{CRITICAL_CAP, EvalConfig, HIGH_CAP, ImagePolicy, Policy, Waiver, evaluate};
pub use report::{
    AppliedWaiver, Category, CategoryScore, CheckResult, ContainerSummary, Counts, DaemonJsonChange,
    DaemonJsonPlan, EngineIdentity, Evidence, FailingCheck, FileLocation, Finding, Grade, HostIdentity,
    IdentityAspect, IdentityFact, Inventory, NetworkSummary, NewFailure, Posture, PublishedPort,
    REPORT_SCHEMA_VERSION, Report, Risk, Severity, Snippet, SnippetKind, Status, Subject, Target, TargetKind,
    ToolInfo, WaiverUse,
};
pub use snapshot::{Fact, SNAPSHOT_SCHEMA_VERSION, Snapshot};

/// This build's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
