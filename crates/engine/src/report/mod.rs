//! The report model: the result of evaluating a snapshot. It *is* the JSON format
//! (docs/report-format.md); every other output renders it. Types only, plus read-only helpers
//! over a finished report (posture, new failures since a baseline): nothing here judges a snapshot.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::snapshot::Endpoint;

mod finding;
mod inventory;
mod plan;
mod posture;
mod risks;

pub use finding::{
    AppliedWaiver, Category, Evidence, FileLocation, Finding, Severity, Snippet, SnippetKind, Status, Target,
    TargetKind,
};
pub use inventory::{ContainerSummary, FailingCheck, Inventory, NetworkSummary, PublishedPort};
pub use plan::{
    DaemonJsonChange, DaemonJsonPlaceholder, DaemonJsonPlan, is_placeholder, is_upper_placeholder,
};
pub use posture::{Baseline, NewFailure, Posture};
pub use risks::{IdentityAspect, IdentityFact, Risk, ScoreCap};

/// Version of the report JSON format; bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The result of one scan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct Report {
    /// Format version, see [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool and catalogue that produced it.
    pub tool: ToolInfo,
    /// When it was evaluated.
    pub generated_at: DateTime<Utc>,
    /// What was scanned.
    pub subject: Subject,
    /// Overall score 0–100 over applicable checks; `None` when nothing could be scored.
    pub score: Option<u8>,
    /// Overall letter grade.
    pub grade: Grade,
    /// Why the grade was capped below what the score alone would give, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade_cap: Option<String>,
    /// Score and grade per category, in checklist order.
    pub categories: Vec<CategoryScore>,
    /// Counts over all checks.
    pub counts: Counts,
    /// Every check's result, sorted by code.
    pub checks: Vec<CheckResult>,
    /// The waivers that were given and what became of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverUse>,
    /// Every container and network, each container with its own score.
    #[serde(default)]
    pub inventory: Inventory,
    /// Every recommended `daemon.json` change merged into the current file, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daemon_json_plan: Option<DaemonJsonPlan>,
    /// Checks to act on, in the order every output lists them ([`Report::problem_checks`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<Risk>,
    /// The overall score if every failing or warning check of one severity were fixed (the
    /// others as they are), for each severity that has such a check: when other criticals hold
    /// the cap, fixing one critical gains nothing and fixing them all is what counts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub score_if_fixed_by_severity: BTreeMap<Severity, u8>,
    /// The checks' verdicts that describe the engine and host (version currency, encryption,
    /// privileges), for an identity card.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identity: Vec<IdentityFact>,
    /// Things that happened during collection (objects removed mid-scan…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What the images in use contain and their known vulnerabilities, when the scan read them
    /// (`--vulns`); the `vulnerabilities` checks judge it, the Vulnerabilities view and the
    /// reports' per-image tables show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<crate::snapshot::VulnScan>,
}

impl Report {
    /// Reads a report from JSON, refusing formats this build does not understand.
    pub fn from_json(text: &str) -> Result<Self, crate::Error> {
        crate::check_schema_version(text, "report", REPORT_SCHEMA_VERSION)?;
        serde_json::from_str(text)
            .map_err(|e| crate::Error::MalformedInput { what: "report", detail: e.to_string() })
    }

    /// A check's result by code.
    pub fn check(&self, code: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == code)
    }

    /// Failing (not waived) findings at or above `severity`, as (check, finding) pairs.
    pub fn failures_at_or_above(&self, severity: Severity) -> impl Iterator<Item = (&CheckResult, &Finding)> {
        self.checks
            .iter()
            .filter(move |c| c.severity >= severity)
            .flat_map(|c| c.findings.iter().map(move |f| (c, f)))
            .filter(|(_, f)| f.status == Status::Fail && f.waived.is_none())
    }
}

/// The tool and catalogue that produced a report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct ToolInfo {
    /// `zerodock`.
    pub name: String,
    /// The tool's version.
    pub version: String,
    /// [`crate::checks::CATALOGUE_VERSION`].
    pub catalogue_version: String,
}

/// What was scanned: endpoint, engine and host identity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct Subject {
    /// When the snapshot was collected.
    pub collected_at: DateTime<Utc>,
    /// The Docker endpoint.
    pub endpoint: Endpoint,
    /// Engine identity, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<EngineIdentity>,
    /// Why the engine could not be inspected, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_unavailable: Option<String>,
    /// Host identity, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<HostIdentity>,
    /// Number of containers (all states), images and networks inspected.
    pub containers: usize,
    /// Number of images inspected.
    pub images: usize,
    /// Number of networks inspected.
    pub networks: usize,
}

/// Engine identity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct EngineIdentity {
    /// Which engine answered: `Docker Engine`, `Docker Desktop` or `Podman` (from `/version`
    /// `Components`/`Platform`); empty in reports older than it, which were all Docker.
    #[serde(default)]
    pub product: String,
    /// Whether it runs rootless (`/info` `SecurityOptions` `name=rootless`, or Podman's
    /// `Rootless`): container root is an ordinary user on the host.
    #[serde(default)]
    pub rootless: bool,
    /// Engine version.
    pub version: String,
    /// Engine API version.
    pub api_version: String,
    /// `Platform.Name`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `OperatingSystem` from `/info`.
    pub operating_system: String,
    /// The engine host's name.
    pub name: String,
}

impl EngineIdentity {
    /// `Docker Engine 20.10.24 (API 1.41)`, `Podman 4.3.1 (API 1.41), rootless`: the product
    /// (Docker Engine for reports older than it), version, API and rootless mode, as every report
    /// format names the engine.
    pub fn headline(&self) -> String {
        let product = if self.product.is_empty() { "Docker Engine" } else { self.product.as_str() };
        let mut line = format!("{product} {} (API {})", self.version, self.api_version);
        if self.rootless {
            line.push_str(", rootless");
        }
        line
    }
}

/// Host identity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct HostIdentity {
    /// Host name.
    pub hostname: String,
    /// OS name and version.
    pub os: String,
    /// Kernel version.
    pub kernel: String,
}

/// A letter grade.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, TS,
)]
pub enum Grade {
    /// 90–100.
    A,
    /// 80–89.
    B,
    /// 70–79.
    C,
    /// 60–69.
    D,
    /// Below 60.
    F,
    /// Nothing could be scored.
    #[serde(rename = "N/A")]
    NotApplicable,
}

impl Grade {
    /// The grade for a score.
    pub fn from_score(score: Option<u8>) -> Grade {
        match score {
            None => Grade::NotApplicable,
            Some(90..) => Grade::A,
            Some(80..=89) => Grade::B,
            Some(70..=79) => Grade::C,
            Some(60..=69) => Grade::D,
            Some(_) => Grade::F,
        }
    }

    /// As shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::F => "F",
            Grade::NotApplicable => "N/A",
        }
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Score of one category.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct CategoryScore {
    /// The category.
    pub category: Category,
    /// Its heading.
    pub title: String,
    /// 0–100 over its applicable checks; `None` when none applied.
    pub score: Option<u8>,
    /// Letter grade.
    pub grade: Grade,
    /// Counts over its checks.
    pub counts: Counts,
}

/// Numbers of checks by status, and of failing checks by severity.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct Counts {
    /// Checks by aggregated status.
    pub by_status: BTreeMap<Status, usize>,
    /// Failing checks (not wholly waived) by severity.
    pub failing_by_severity: BTreeMap<Severity, usize>,
    /// Findings accepted by a waiver.
    pub waived: usize,
}

/// One check's result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct CheckResult {
    /// Stable code, e.g. `CTR001`.
    pub id: String,
    /// Name stating the risk, e.g. `privileged-container`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Area.
    pub category: Category,
    /// Effective severity (the catalogue's unless the policy overrides it).
    pub severity: Severity,
    /// Aggregated status: the worst of its findings (waived findings count as passes here).
    pub status: Status,
    /// One-paragraph summary from the catalogue.
    pub summary: String,
    /// Why it matters: the catalogue's `## Rationale` (Markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rationale: String,
    /// How to fix it in general: the catalogue's `## Remediation` (Markdown). The tailored commands
    /// are on each finding.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remediation: String,
    /// References (CIS, NIST, seed sections, docs).
    pub references: Vec<String>,
    /// The first documentation link among the references, for a "docs" button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    /// One finding per target, sorted by target.
    pub findings: Vec<Finding>,
    /// The overall score if every failing or warning finding of this check were fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_if_fixed: Option<u8>,
}

/// What became of one waiver.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct WaiverUse {
    /// The check it names.
    pub check: String,
    /// The target pattern it names (`*` for all).
    pub target: String,
    /// The reason given.
    pub reason: String,
    /// Its expiry date, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// How many findings it accepted.
    pub matched: usize,
    /// Whether it has expired (and so no longer applies).
    pub expired: bool,
    /// Whether its check ran in this scan (`--only` may leave it out): a waiver for a check that
    /// did not run is neither used nor stale. Reports written before this field read as `true`.
    #[serde(default = "evaluated_default", skip_serializing_if = "is_true")]
    pub evaluated: bool,
}

fn evaluated_default() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}
