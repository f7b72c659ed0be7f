//! What a check produces: one [`Finding`] per target, with status, evidence and tailored fixes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How bad a failure of a check is. The catalogue's, not the user's: overrides and `--fail-on`
/// are applied in one place ([`crate::evaluate::EvalConfig`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational: never scored.
    Info,
    /// Defence in depth.
    Low,
    /// A real weakness that needs another flaw to be exploited.
    Medium,
    /// A direct path to compromise of a container or its data.
    High,
    /// A direct path to root on the host.
    Critical,
}

impl Severity {
    /// All severities, least severe first.
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    /// The weight in the score (see docs/scoring.md).
    pub fn weight(self) -> f64 {
        match self {
            Severity::Info => 0.0,
            Severity::Low => 1.0,
            Severity::Medium => 3.0,
            Severity::High => 6.0,
            Severity::Critical => 10.0,
        }
    }

    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL.into_iter().find(|sev| sev.as_str().eq_ignore_ascii_case(s)).ok_or_else(|| {
            format!("unknown severity `{s}` (expected one of info, low, medium, high, critical)")
        })
    }
}

/// The area of the posture a check belongs to; the checklist is grouped by it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// The machine Docker runs on: encryption, privileges, socket, LSM.
    Host,
    /// Docker Desktop's own settings: Enhanced Container Isolation, Settings Management, sign-in.
    Desktop,
    /// Docker Engine and component version currency.
    Versions,
    /// The daemon's configuration.
    Daemon,
    /// How containers are run.
    Containers,
    /// What images contain and declare.
    Images,
    /// Network segmentation and exposure.
    Network,
    /// Credentials in containers, images and the client.
    Secrets,
    /// Known vulnerabilities of the packages in the images in use, and their base OS's support.
    Vulnerabilities,
    /// The scan's own configuration (waivers).
    Policy,
}

impl Category {
    /// All categories, in checklist order.
    pub const ALL: [Category; 10] = [
        Category::Host,
        Category::Desktop,
        Category::Versions,
        Category::Daemon,
        Category::Containers,
        Category::Images,
        Category::Network,
        Category::Secrets,
        Category::Vulnerabilities,
        Category::Policy,
    ];

    /// Heading shown to users.
    pub fn title(self) -> &'static str {
        match self {
            Category::Host => "Host",
            Category::Desktop => "Docker Desktop",
            Category::Versions => "Versions",
            Category::Daemon => "Daemon configuration",
            Category::Containers => "Container runtime",
            Category::Images => "Images",
            Category::Network => "Network segmentation",
            Category::Secrets => "Secrets",
            Category::Vulnerabilities => "Vulnerabilities",
            Category::Policy => "Scan policy",
        }
    }

    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Host => "host",
            Category::Desktop => "desktop",
            Category::Versions => "versions",
            Category::Daemon => "daemon",
            Category::Containers => "containers",
            Category::Images => "images",
            Category::Network => "network",
            Category::Secrets => "secrets",
            Category::Vulnerabilities => "vulnerabilities",
            Category::Policy => "policy",
        }
    }
}

/// The verdict on one target (or, aggregated, on a check).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The target meets the check.
    Pass,
    /// The target fails the check.
    Fail,
    /// A weaker failure: acceptable in some setups, worth a look (half credit in the score).
    Warn,
    /// An observation, not scored.
    Info,
    /// The check does not apply to this target or host.
    NotApplicable,
    /// The evidence could not be read; the finding carries the reason. Never counted as a pass.
    Unknown,
    /// A person must confirm: the check gathered what it could (the evidence) but whether it is
    /// right depends on what the workload needs (CIS marks such recommendations "Manual"). Not
    /// scored, never counted as a pass.
    Manual,
}

impl Status {
    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Info => "info",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
            Status::Manual => "manual",
        }
    }

    /// Precedence when a check's findings are summed up into one status: the worst wins.
    fn rank(self) -> u8 {
        match self {
            Status::NotApplicable => 0,
            Status::Info => 1,
            Status::Pass => 2,
            Status::Manual => 3,
            Status::Unknown => 4,
            Status::Warn => 5,
            Status::Fail => 6,
        }
    }

    /// The status of a check from its findings' statuses.
    pub fn aggregate(statuses: impl IntoIterator<Item = Status>) -> Status {
        statuses.into_iter().max_by_key(|s| s.rank()).unwrap_or(Status::NotApplicable)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of object a finding is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, TS,
)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// The machine.
    Host,
    /// The Docker Engine (daemon).
    Engine,
    /// A container.
    Container,
    /// An image.
    Image,
    /// A network.
    Network,
    /// A file or setting of the Docker client.
    Client,
    /// A waiver in the user's waiver file.
    Waiver,
}

impl TargetKind {
    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Host => "host",
            TargetKind::Engine => "engine",
            TargetKind::Container => "container",
            TargetKind::Image => "image",
            TargetKind::Network => "network",
            TargetKind::Client => "client",
            TargetKind::Waiver => "waiver",
        }
    }
}

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, TS)]
pub struct Target {
    /// What kind of object.
    pub kind: TargetKind,
    /// Its name (container name, image tag, host name, file path).
    pub name: String,
    /// Its id, when it has one (container or image id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Target {
    /// A target of `kind` named `name`.
    pub fn new(kind: TargetKind, name: impl Into<String>, id: Option<String>) -> Self {
        Target { kind, name: name.into(), id }
    }
}

/// The field and value that decided a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Evidence {
    /// Where the value was read: an Engine API field (`HostConfig.Privileged`), a file key
    /// (`/etc/docker/daemon.json: icc`), a sysfs path…
    pub field: String,
    /// The value observed.
    pub observed: String,
    /// What the check expects.
    pub expected: String,
}

/// What a remediation snippet is, so a UI can label and highlight it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum SnippetKind {
    /// Flags for `docker run` / `docker create`.
    DockerRun,
    /// A `compose.yaml` fragment.
    Compose,
    /// A `daemon.json` fragment (a JSON object to merge into the file).
    DaemonJson,
    /// Shell commands.
    Shell,
    /// A `Dockerfile` fragment.
    Dockerfile,
    /// A fragment of another JSON file, named by the label (Docker Desktop's `admin-settings.json`,
    /// `registry.json`): merge its keys into that file.
    Json,
}

/// A remediation tailored to the target: the exact flag, key or command for *this* object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Snippet {
    /// What it is.
    pub kind: SnippetKind,
    /// One line saying what it does.
    pub label: String,
    /// The text to copy.
    pub code: String,
    /// The file and line it changes, when the snippet edits a file ZeroDock located (a Compose
    /// service's key in the project's Compose file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<FileLocation>,
}

impl Snippet {
    /// A snippet of `kind`.
    pub fn new(kind: SnippetKind, label: impl Into<String>, code: impl Into<String>) -> Self {
        Snippet { kind, label: label.into(), code: code.into(), location: None }
    }
}

/// Where in a file a fix applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct FileLocation {
    /// The file, as an absolute path on the scanned machine.
    pub path: String,
    /// The 1-based line of the key to change (or of the service, when that key is not written
    /// yet); `None` when the file could not be read here — a line is never guessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What that line holds ("`privileged` of service `web`"), or why the line is unknown.
    pub note: String,
}

/// A waiver applied to a finding: the risk was accepted by the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct AppliedWaiver {
    /// Why the risk is accepted.
    pub reason: String,
    /// Until when (`YYYY-MM-DD`), if it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// The verdict of one check on one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Finding {
    /// The object.
    pub target: Target,
    /// The verdict.
    pub status: Status,
    /// A short observation ("Container `db` runs privileged").
    pub message: String,
    /// Why the evidence is missing (unknown) or why the check does not apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The fields and values that decided it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Fixes for this target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remediation: Vec<Snippet>,
    /// Set when a waiver accepted this failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived: Option<AppliedWaiver>,
}

impl Finding {
    fn new(target: Target, status: Status, message: impl Into<String>) -> Self {
        Finding {
            target,
            status,
            message: message.into(),
            reason: None,
            evidence: Vec::new(),
            remediation: Vec::new(),
            waived: None,
        }
    }

    /// The target meets the check.
    pub fn pass(target: Target, message: impl Into<String>) -> Self {
        Finding::new(target, Status::Pass, message)
    }

    /// The target fails the check.
    pub fn fail(target: Target, message: impl Into<String>) -> Self {
        Finding::new(target, Status::Fail, message)
    }

    /// The target partly fails the check.
    pub fn warn(target: Target, message: impl Into<String>) -> Self {
        Finding::new(target, Status::Warn, message)
    }

    /// An observation.
    pub fn info(target: Target, message: impl Into<String>) -> Self {
        Finding::new(target, Status::Info, message)
    }

    /// The check does not apply, and why.
    pub fn not_applicable(target: Target, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Finding { reason: Some(reason.clone()), ..Finding::new(target, Status::NotApplicable, reason) }
    }

    /// A person must confirm what the evidence shows (a CIS "Manual" recommendation).
    pub fn manual(target: Target, message: impl Into<String>) -> Self {
        Finding::new(target, Status::Manual, message)
    }

    /// The evidence could not be read, and why.
    pub fn unknown(target: Target, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Finding {
            reason: Some(reason.clone()),
            ..Finding::new(target, Status::Unknown, format!("Unknown: {reason}"))
        }
    }

    /// Adds the field and value that decided the finding.
    #[must_use]
    pub fn evidence(
        mut self,
        field: impl Into<String>,
        observed: impl ToString,
        expected: impl Into<String>,
    ) -> Self {
        self.evidence.push(Evidence {
            field: field.into(),
            observed: observed.to_string(),
            expected: expected.into(),
        });
        self
    }

    /// Adds a tailored fix.
    #[must_use]
    pub fn fix(mut self, kind: SnippetKind, label: impl Into<String>, code: impl Into<String>) -> Self {
        self.remediation.push(Snippet::new(kind, label, code));
        self
    }

    /// Adds several tailored fixes.
    #[must_use]
    pub fn fixes(mut self, snippets: impl IntoIterator<Item = Snippet>) -> Self {
        self.remediation.extend(snippets);
        self
    }
}
