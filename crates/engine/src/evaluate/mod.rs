//! `evaluate(&Snapshot, &EvalConfig) -> Report`: sync, pure, deterministic. The clock is an input
//! (`EvalConfig::now`), ids are sorted, and the same snapshot always gives the same report. This
//! stage runs the checks, scores them, applies the user's waivers and builds the report's inventory
//! and daemon.json plan.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::checks::{self, CATALOGUE_VERSION, Check, Reference};
use crate::report::{
    Category, CategoryScore, CheckResult, Counts, EngineIdentity, HostIdentity, IdentityFact,
    REPORT_SCHEMA_VERSION, Report, Status, Subject, ToolInfo,
};
use crate::snapshot::{Fact, Snapshot};

mod inventory;
mod plan;
pub(crate) mod score;
mod waiver;

pub use score::{CRITICAL_CAP, HIGH_CAP};
pub use waiver::{Policy, Waiver};

/// Everything besides the snapshot that decides a report.
#[derive(Debug, Clone)]
pub struct EvalConfig {
    /// "Now", for waiver expiry and the report's timestamp.
    pub now: DateTime<Utc>,
    /// Waivers and severity overrides.
    pub policy: Policy,
    /// Only these checks (codes or slugs); empty means all.
    pub only: Vec<String>,
}

impl EvalConfig {
    /// A config with no policy, evaluated at `now`.
    pub fn at(now: DateTime<Utc>) -> Self {
        EvalConfig { now, policy: Policy::default(), only: Vec::new() }
    }
}

/// Evaluates every check of the catalogue over a snapshot.
pub fn evaluate(snap: &Snapshot, config: &EvalConfig) -> Report {
    let selected: Vec<&'static Check> = checks::catalogue()
        .into_iter()
        .filter(|c| {
            config.only.is_empty()
                || config
                    .only
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(c.code) || o.eq_ignore_ascii_case(c.slug))
        })
        .collect();
    let mut results: Vec<CheckResult> = selected.iter().map(|check| run_check(check, snap, config)).collect();
    let waivers = config.policy.apply(&mut results, config.now.date_naive());
    for result in &mut results {
        result.status = aggregate(result);
    }

    let scored: Vec<score::Scored<'_>> = results.iter().map(score::Scored::of).collect();
    let (score, grade, grade_cap) = score::score(&scored);
    let if_fixed: Vec<Option<u8>> = (0..scored.len())
        .map(|i| {
            if !matches!(results[i].status, Status::Fail | Status::Warn) {
                return None;
            }
            let mut what_if = scored.clone();
            what_if[i] = scored[i].fixed();
            score::score(&what_if).0
        })
        .collect();
    drop(scored);
    for (result, fixed) in results.iter_mut().zip(if_fixed) {
        result.score_if_fixed = fixed;
    }

    let categories = Category::ALL
        .into_iter()
        .filter_map(|category| {
            let in_category: Vec<&CheckResult> = results.iter().filter(|c| c.category == category).collect();
            if in_category.is_empty() {
                return None;
            }
            let scored: Vec<score::Scored<'_>> = in_category.iter().map(|c| score::Scored::of(c)).collect();
            let (score, grade, _) = score::score(&scored);
            Some(CategoryScore {
                category,
                title: category.title().to_owned(),
                score,
                grade,
                counts: counts(in_category.iter().copied()),
            })
        })
        .collect();

    let inventory = inventory::build(snap, &results);
    let daemon_json_plan = plan::daemon_json(snap, &results);
    let identity = identity(&results);
    let mut report = Report {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: ToolInfo {
            name: "zerodock".to_owned(),
            version: crate::VERSION.to_owned(),
            catalogue_version: CATALOGUE_VERSION.to_owned(),
        },
        generated_at: config.now,
        subject: subject(snap),
        score,
        grade,
        grade_cap,
        categories,
        counts: counts(results.iter()),
        checks: results,
        waivers,
        inventory,
        daemon_json_plan,
        risks: Vec::new(),
        identity,
        notes: snap.engine.ok().map(|e| e.notes.clone()).unwrap_or_default(),
    };
    report.risks = report.rank_risks();
    report
}

/// The identity card: each aspect's check, with its verdict on the engine or host (those checks
/// have one finding; the first is taken).
fn identity(results: &[CheckResult]) -> Vec<IdentityFact> {
    checks::IDENTITY
        .iter()
        .filter_map(|(aspect, check)| {
            let result = results.iter().find(|r| r.id == check.code)?;
            let finding = result.findings.first()?;
            let summary = match (finding.status, &finding.reason) {
                (Status::Unknown | Status::NotApplicable, Some(reason)) => reason.clone(),
                _ => finding.message.clone(),
            };
            Some(IdentityFact { aspect: *aspect, check: result.id.clone(), status: finding.status, summary })
        })
        .collect()
}

fn run_check(check: &Check, snap: &Snapshot, config: &EvalConfig) -> CheckResult {
    let mut findings = (check.evaluate)(snap);
    findings.sort_by(|a, b| a.target.cmp(&b.target));
    CheckResult {
        id: check.code.to_owned(),
        slug: check.slug.to_owned(),
        title: check.title.to_owned(),
        category: check.category,
        severity: config.policy.severity_for(check),
        status: Status::NotApplicable,
        summary: check.summary(),
        rationale: check.section("Rationale").unwrap_or_default(),
        remediation: check.section("Remediation").unwrap_or_default(),
        references: check.references.iter().map(ToString::to_string).collect(),
        doc_url: check.references.iter().find_map(|r| match r {
            Reference::Url(url) if url.starts_with("https://") => Some((*url).to_owned()),
            _ => None,
        }),
        findings,
        score_if_fixed: None,
    }
}

/// A check's status: the worst of its findings, where a waived failure counts as a pass.
fn aggregate(result: &CheckResult) -> Status {
    Status::aggregate(
        result.findings.iter().map(|f| if f.waived.is_some() { Status::Pass } else { f.status }),
    )
}

fn counts<'a>(checks: impl Iterator<Item = &'a CheckResult>) -> Counts {
    let mut by_status = BTreeMap::new();
    let mut failing_by_severity = BTreeMap::new();
    let mut waived = 0;
    for check in checks {
        *by_status.entry(check.status).or_insert(0) += 1;
        if check.status == Status::Fail {
            *failing_by_severity.entry(check.severity).or_insert(0) += 1;
        }
        waived += check.findings.iter().filter(|f| f.waived.is_some()).count();
    }
    Counts { by_status, failing_by_severity, waived }
}

/// What was scanned, as the report names it.
fn subject(snap: &Snapshot) -> Subject {
    let engine = snap.version().ok().map(|v| EngineIdentity {
        version: v.version.clone(),
        api_version: v.api_version.clone(),
        platform: v.platform_name.clone().filter(|p| !p.is_empty()),
        operating_system: snap.info().map(|i| i.operating_system.clone()).unwrap_or_default(),
        name: snap.info().map(|i| i.name.clone()).unwrap_or_default(),
    });
    let engine_unavailable = match (&snap.engine, snap.version()) {
        (Fact::Unavailable { reason }, _) => Some(reason.clone()),
        (_, Err(reason)) => Some(reason.to_owned()),
        _ => None,
    };
    let host = snap.host.os.ok().map(|os| HostIdentity {
        hostname: os.hostname.clone(),
        os: format!("{} {}", os.name, os.version).trim().to_owned(),
        kernel: os.kernel.clone(),
    });
    Subject {
        collected_at: snap.collected_at,
        endpoint: snap.endpoint.clone(),
        engine,
        engine_unavailable,
        host,
        containers: snap.containers().map_or(0, <[_]>::len),
        images: snap.images().map_or(0, <[_]>::len),
        networks: snap.networks().map_or(0, <[_]>::len),
    }
}
