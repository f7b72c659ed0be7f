//! Machine-readable descriptions of the report model, generated from the Rust types so they can
//! never be hand-copied out of step: the JSON Schema (`docs/report.schema.json`) and the TypeScript
//! types the desktop UI compiles against (`ui/src/lib/bindings/report.ts`). A test compares both
//! with the committed files.

use ts_rs::TS;

use crate::collect::{Progress, Stage};
use crate::report::{
    AppliedWaiver, Category, CategoryScore, CheckResult, ContainerSummary, Counts, DaemonJsonChange,
    DaemonJsonPlaceholder, DaemonJsonPlan, EngineIdentity, Evidence, FailingCheck, FileLocation, Finding,
    Grade, HostIdentity, IdentityAspect, IdentityFact, Inventory, NetworkSummary, NewFailure, Posture,
    PublishedPort, Report, Risk, ScoreCap, Severity, Snippet, SnippetKind, Status, Subject, Target,
    TargetKind, ToolInfo, WaiverUse,
};
use crate::snapshot::{
    BaseOs, Endpoint, EndpointSource, ImageVulns, Package, PackageKind, SetidFile, VulnDatabase, VulnScan,
    VulnSeverity, VulnSource, Vulnerability,
};

/// The JSON Schema (draft 2020-12) of the report format.
pub fn report_json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}

/// The ts-rs configuration every ZeroDock binding uses: counts and sizes are plain JSON numbers,
/// not `bigint` (serde_json writes them as numbers).
pub fn ts_config() -> ts_rs::Config {
    ts_rs::Config::new().with_large_int("number")
}

/// Every type of the report model (and the scan progress) as one TypeScript module.
pub fn report_typescript() -> String {
    let cfg = ts_config();
    let decls = [
        Report::decl(&cfg),
        ToolInfo::decl(&cfg),
        Subject::decl(&cfg),
        Endpoint::decl(&cfg),
        EndpointSource::decl(&cfg),
        EngineIdentity::decl(&cfg),
        HostIdentity::decl(&cfg),
        Grade::decl(&cfg),
        CategoryScore::decl(&cfg),
        Category::decl(&cfg),
        Counts::decl(&cfg),
        Severity::decl(&cfg),
        Status::decl(&cfg),
        CheckResult::decl(&cfg),
        Finding::decl(&cfg),
        Target::decl(&cfg),
        TargetKind::decl(&cfg),
        Evidence::decl(&cfg),
        Snippet::decl(&cfg),
        FileLocation::decl(&cfg),
        SnippetKind::decl(&cfg),
        AppliedWaiver::decl(&cfg),
        WaiverUse::decl(&cfg),
        Inventory::decl(&cfg),
        ContainerSummary::decl(&cfg),
        FailingCheck::decl(&cfg),
        PublishedPort::decl(&cfg),
        NetworkSummary::decl(&cfg),
        DaemonJsonPlan::decl(&cfg),
        DaemonJsonChange::decl(&cfg),
        DaemonJsonPlaceholder::decl(&cfg),
        Posture::decl(&cfg),
        NewFailure::decl(&cfg),
        Risk::decl(&cfg),
        ScoreCap::decl(&cfg),
        IdentityFact::decl(&cfg),
        IdentityAspect::decl(&cfg),
        VulnScan::decl(&cfg),
        VulnDatabase::decl(&cfg),
        VulnSource::decl(&cfg),
        ImageVulns::decl(&cfg),
        BaseOs::decl(&cfg),
        SetidFile::decl(&cfg),
        Package::decl(&cfg),
        PackageKind::decl(&cfg),
        Vulnerability::decl(&cfg),
        VulnSeverity::decl(&cfg),
        Progress::decl(&cfg),
        Stage::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types of crates/engine by `zerodock_engine::generated::report_typescript`.\n\
         // Do not edit: `ZERODOCK_BLESS=1 cargo test -p zerodock-engine --test generated` rewrites it.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(decl.trim());
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
