//! `evaluate(&Snapshot, &EvalConfig) -> Report`: sync, pure, deterministic. The clock is an input
//! (`EvalConfig::now`), ids are sorted, and the same snapshot always gives the same report. This
//! stage runs the checks, scores them, applies the user's waivers and builds the report's inventory
//! and daemon.json plan.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::checks::{self, CATALOGUE_VERSION, Check, Reference};
use crate::report::{
    Category, CategoryScore, CheckResult, Counts, EngineIdentity, HostIdentity, IdentityFact,
    REPORT_SCHEMA_VERSION, Report, ScoreCap, Severity, Status, Subject, ToolInfo,
};
use crate::snapshot::{Fact, Snapshot};

mod compose;
mod inventory;
mod plan;
pub(crate) mod score;
pub mod waiver;

pub use score::{CRITICAL_CAP, HIGH_CAP};
pub use waiver::{ImagePolicy, Policy, Waiver};

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
    let containers = snap.containers().map_or(0, <[_]>::len);
    let workers = if containers < PARALLEL_FROM_CONTAINERS {
        1
    } else {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    };
    let mut results = run_all(&selected, snap, config, workers);
    let waivers = config.policy.apply(&mut results, config.now.date_naive());
    for result in &mut results {
        result.status = aggregate(result);
    }

    let scored: Vec<score::Scored<'_>> = results.iter().map(score::Scored::of).collect();
    let (score, grade, grade_cap) = score::score(&scored);
    let fixable = |r: &CheckResult| matches!(r.status, Status::Fail | Status::Warn);
    // Per check: the score if it alone were fixed, and the cap that would still hold it.
    let if_fixed: Vec<(Option<u8>, Option<ScoreCap>)> = (0..scored.len())
        .map(|i| {
            if !fixable(&results[i]) {
                return (None, None);
            }
            let mut what_if = scored.clone();
            what_if[i] = scored[i].fixed();
            (score::score(&what_if).0, score::holding_cap(&what_if))
        })
        .collect();
    // Per severity: the score if every fixable check of it were fixed. Same scoring function, so
    // a lower severity's cap (high at 89) still applies after the criticals are gone.
    let score_if_fixed_by_severity: BTreeMap<Severity, u8> = Severity::ALL
        .into_iter()
        // Info checks weigh nothing: fixing them never moves the score.
        .filter(|severity| severity.weight() > 0.0)
        .filter_map(|severity| {
            let mut any = false;
            let what_if: Vec<score::Scored<'_>> = scored
                .iter()
                .zip(&results)
                .map(|(s, r)| {
                    if r.severity == severity && fixable(r) {
                        any = true;
                        s.fixed()
                    } else {
                        s.clone()
                    }
                })
                .collect();
            Some((severity, score::score(&what_if).0.filter(|_| any)?))
        })
        .collect();
    drop(scored);
    let mut capped_if_fixed = BTreeMap::new();
    for (result, (fixed, cap)) in results.iter_mut().zip(if_fixed) {
        result.score_if_fixed = fixed;
        if let Some(cap) = cap {
            capped_if_fixed.insert(result.id.clone(), cap);
        }
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
        score_if_fixed_by_severity,
        identity,
        notes: snap.engine.ok().map(|e| e.notes.clone()).unwrap_or_default(),
        vulnerabilities: snap.vulnerabilities.ok().cloned(),
    };
    report.risks = report.rank_risks();
    for risk in &mut report.risks {
        risk.capped = capped_if_fixed.get(&risk.check).copied();
    }
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

/// Below this many containers the checks run on the calling thread: the evaluation then costs
/// less than the threads' malloc arenas are worth (at 1000 containers, 0.13 s of CPU, and the
/// threads raised the scan's peak RSS by ~2 MB, past the 64 MB aim; docs/performance.md), and a
/// long-lived process (the tray) would keep those arenas.
const PARALLEL_FROM_CONTAINERS: usize = 2000;

/// Runs `selected` in order. On a big host the checks are spread over the cores: they are pure
/// functions of the snapshot, and at 10,000 containers their evaluation is a measured part of the
/// scan's time against the raw Engine API fetch (docs/performance.md).
fn run_all(
    selected: &[&'static Check],
    snap: &Snapshot,
    config: &EvalConfig,
    workers: usize,
) -> Vec<CheckResult> {
    let workers = workers.min(selected.len());
    if workers < 2 {
        return selected.iter().map(|check| run_check(check, snap, config)).collect();
    }
    // Work is handed out one check at a time: the container checks cost far more than the host
    // ones, so fixed shares would leave a thread idle.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut slots: Vec<Option<CheckResult>> = selected.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(check) = selected.get(i) else { break };
                        done.push((i, run_check(check, snap, config)));
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            // A check that panics panics the evaluation, as it would on one thread.
            let done = handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (i, result) in done {
                slots[i] = Some(result);
            }
        }
    });
    slots.into_iter().flatten().collect()
}

fn run_check(check: &Check, snap: &Snapshot, config: &EvalConfig) -> CheckResult {
    // IMG009 judges against the user's allowlist when the policy has one; its registered
    // predicate (no allowlist) lists what is in use for a person to confirm.
    let trusted = &config.policy.images.trusted;
    let mut findings = if check.code == checks::trusted_images::CHECK.code && !trusted.is_empty() {
        checks::trusted_images::judge(snap, trusted)
    } else {
        (check.evaluate)(snap)
    };
    findings.sort_by(|a, b| a.target.cmp(&b.target));
    compose::locate(snap, &mut findings);
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
        product: snap.engine_product().name().to_owned(),
        rootless: snap.engine_rootless(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::fixture;
    use crate::report::Risk;

    fn default_report() -> Report {
        let snap = fixture("default");
        evaluate(&snap, &EvalConfig::at(snap.collected_at))
    }

    /// A swarm manager's join tokens (`SWMTKN-1-…`, in `GET /swarm` `JoinTokens`) let anyone
    /// join the swarm as a worker or a manager: ZeroDock never calls `GET /swarm`, so neither the
    /// captured manager's snapshot nor its report may hold one (CIS v1.8.0 section 7).
    #[test]
    fn a_swarm_managers_snapshot_and_report_hold_no_join_token() {
        let path = format!("{}/tests/fixtures/swarm.json", env!("CARGO_MANIFEST_DIR"));
        let raw = std::fs::read_to_string(&path).expect("the swarm fixture");
        let snap = fixture("swarm");
        let swarm = snap.info().ok().and_then(|i| i.swarm.as_ref()).expect("the fixture is a swarm node");
        assert!(swarm.control_available, "the fixture is a manager");
        let report = serde_json::to_string(&evaluate(&snap, &EvalConfig::at(snap.collected_at))).unwrap();
        for (what, text) in [("snapshot", raw.as_str()), ("report", report.as_str())] {
            assert!(!text.contains("SWMTKN"), "the {what} holds a swarm join token");
            assert!(!text.contains("JoinTokens"), "the {what} holds the JoinTokens field");
        }
    }

    /// The checks spread over threads on a big host give what one thread gives, in catalogue
    /// order, with the Compose locations and sorted findings `run_check` adds.
    #[test]
    fn checks_run_on_several_threads_give_what_one_thread_gives() {
        let snap = crate::checks::testing::variant("default", |s| {
            let containers = s.engine.ok_mut().and_then(|e| e.containers.ok_mut()).expect("containers");
            let originals = containers.clone();
            // Enough containers that every thread gets several container checks to run.
            for n in 0..10 {
                containers.extend(originals.iter().cloned().map(|mut c| {
                    c.id = format!("{n:06x}{}", &c.id[6..]);
                    c.name = format!("{}-{n}", c.name);
                    c
                }));
            }
        });
        let config = EvalConfig::at(snap.collected_at);
        let selected = checks::catalogue();
        let one = run_all(&selected, &snap, &config, 1);
        for workers in [2, 3, 8] {
            assert_eq!(run_all(&selected, &snap, &config, workers), one, "{workers} threads");
        }
        assert!(
            one.iter().map(|r| r.findings.len()).sum::<usize>()
                > 10 * snap.containers().map_or(0, <[_]>::len)
        );
    }

    #[test]
    fn fixing_all_of_a_severity_is_scored_like_fixing_each() {
        let report = default_report();
        let failing = |sev: Severity| {
            report
                .checks
                .iter()
                .filter(move |c| c.severity == sev && matches!(c.status, Status::Fail | Status::Warn))
        };
        for severity in Severity::ALL {
            let expected = if failing(severity).next().is_none() || severity == Severity::Info {
                None
            } else {
                // Independently: the same what-if through the public scoring of a patched report.
                let scored: Vec<score::Scored<'_>> = report
                    .checks
                    .iter()
                    .map(|c| {
                        let s = score::Scored::of(c);
                        if c.severity == severity && matches!(c.status, Status::Fail | Status::Warn) {
                            s.fixed()
                        } else {
                            s
                        }
                    })
                    .collect();
                score::score(&scored).0
            };
            assert_eq!(report.score_if_fixed_by_severity.get(&severity).copied(), expected, "{severity:?}");
        }
        // Fixing every critical is at least as good as fixing any one of them.
        let all = report.score_if_fixed_by_severity[&Severity::Critical];
        for check in failing(Severity::Critical) {
            assert!(check.score_if_fixed.is_some_and(|one| one <= all), "{}", check.id);
        }
    }

    #[test]
    fn on_the_captured_engine_one_critical_gains_little_without_a_cap() {
        // The captured weak engine scores 51, under the critical cap: a critical that fails on 1
        // of 23 containers gains +0 because it weighs little, not because of the cap.
        let report = default_report();
        assert!(report.score.is_some_and(|s| s < CRITICAL_CAP), "{:?}", report.score);
        assert!(report.risks.iter().all(|r| r.capped.is_none()), "{:?}", report.risks);
        let ctr001 = report.risks.iter().find(|r| r.check == "CTR001").expect("CTR001 fails");
        assert_eq!(ctr001.gain, Some(0));
        let all = report.score_if_fixed_by_severity[&Severity::Critical];
        assert!(all > report.score.unwrap_or(0), "fixing every critical moves it: {all}");
    }

    #[test]
    fn a_critical_held_by_the_cap_says_so_and_fixing_all_criticals_lifts_it() {
        // The same engine with every non-critical problem set to info (weighs nothing): what is
        // left earns more than 69, so the three failing criticals hold the score at the cap.
        let snap = fixture("default");
        let mut config = EvalConfig::at(snap.collected_at);
        for check in &default_report().checks {
            if check.severity != Severity::Critical && matches!(check.status, Status::Fail | Status::Warn) {
                config.policy.severity.insert(check.id.clone(), Severity::Info);
            }
        }
        let report = evaluate(&snap, &config);
        assert_eq!(report.score, Some(CRITICAL_CAP), "{:?}", report.grade_cap);
        let criticals: Vec<&Risk> = report
            .risks
            .iter()
            .filter(|r| r.severity == Severity::Critical && r.status == Status::Fail)
            .collect();
        assert!(criticals.len() > 1, "several criticals fail: {criticals:?}");
        let cap = ScoreCap { severity: Severity::Critical, score: CRITICAL_CAP };
        for risk in &criticals {
            assert_eq!((risk.gain, risk.capped), (Some(0), Some(cap)), "{}", risk.check);
        }
        let all = report.score_if_fixed_by_severity[&Severity::Critical];
        assert!(all > CRITICAL_CAP, "fixing every critical lifts the cap: {all}");
        // Nothing else fails, so no other severity has a what-if.
        assert_eq!(report.score_if_fixed_by_severity.keys().collect::<Vec<_>>(), [&Severity::Critical]);
    }

    #[test]
    fn reports_without_the_new_fields_still_load() {
        let mut value = serde_json::to_value(default_report()).expect("serialise");
        let object = value.as_object_mut().expect("a report is an object");
        object.remove("score_if_fixed_by_severity");
        for risk in object["risks"].as_array_mut().expect("risks") {
            risk.as_object_mut().expect("a risk is an object").remove("capped");
        }
        let old = Report::from_json(&value.to_string()).expect("an older report loads");
        assert!(old.score_if_fixed_by_severity.is_empty());
        assert!(old.risks.iter().all(|r| r.capped.is_none()));
    }
}
