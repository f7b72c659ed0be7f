//! Posture: the one-word state of a report a tray icon shows, and what got worse between two
//! reports (the only thing worth a desktop notification).

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::report::{Report, Severity, Status, Target};

/// How a report looks at a glance.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema, TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Posture {
    /// No unwaived high or critical failure, and a score of 80 or more.
    Good,
    /// A high-severity failure, or a score below 80.
    Attention,
    /// A critical failure: a privileged container, the Docker socket mounted, the API open…
    Critical,
}

/// A high or critical failure that was not there before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct NewFailure {
    /// Check code.
    pub check: String,
    /// Check title.
    pub title: String,
    /// Effective severity.
    pub severity: Severity,
    /// The object.
    pub target: Target,
    /// The finding's message ("Container `web` mounts the Docker socket").
    pub message: String,
}

/// Score under which a report without high or critical failures still asks for attention.
const ATTENTION_BELOW: u8 = 80;

impl Report {
    /// The report's posture (ignoring waived findings).
    pub fn posture(&self) -> Posture {
        let worst = self.failures_at_or_above(Severity::High).map(|(c, _)| c.severity).max();
        match worst {
            Some(Severity::Critical) => Posture::Critical,
            Some(_) => Posture::Attention,
            None if self.score.is_some_and(|s| s < ATTENTION_BELOW) => Posture::Attention,
            None => Posture::Good,
        }
    }

    /// Unwaived high and critical failures in `self` that `previous` did not have (same check on
    /// the same object, matched by kind and name so a recreated container is not "new"), most
    /// severe first.
    pub fn new_failures(&self, previous: &Report) -> Vec<NewFailure> {
        self.failures_since(previous, Severity::High)
    }

    /// Unwaived failures at or above `min` in `self` that `previous` did not have, by the rule of
    /// [`Report::new_failures`] (which is this at `high`: what deserves a notification). The
    /// history's diff uses it at `info` both ways: new failures, and fixed ones
    /// (`previous.failures_since(self, …)`), so "new" means one thing everywhere.
    pub fn failures_since(&self, previous: &Report, min: Severity) -> Vec<NewFailure> {
        let before: HashSet<(&str, &Target)> =
            previous.failures_at_or_above(min).map(|(c, f)| (c.id.as_str(), &f.target)).collect();
        let before_by_name: HashSet<(&str, crate::report::TargetKind, &str)> =
            before.iter().map(|(code, t)| (*code, t.kind, t.name.as_str())).collect();
        let mut new: Vec<NewFailure> = self
            .failures_at_or_above(min)
            .filter(|(c, f)| {
                f.status == Status::Fail
                    && !before_by_name.contains(&(c.id.as_str(), f.target.kind, f.target.name.as_str()))
            })
            .map(|(c, f)| NewFailure {
                check: c.id.clone(),
                title: c.title.clone(),
                severity: c.severity,
                target: f.target.clone(),
                message: f.message.clone(),
            })
            .collect();
        new.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.check.cmp(&b.check)));
        new
    }
}

/// What "new since the last scan" is measured against, the one rule every face uses (`zerodock
/// watch`, the tray's notifications): the last report that reached the engine. A report that
/// could not read the engine (it was down, or died mid-scan) knows no containers, so measuring the
/// next report against it would call every old failure new after a reconnect.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    last: Option<std::sync::Arc<Report>>,
}

impl Baseline {
    /// The new failures of `report` against the baseline, then `report` becomes the baseline if it
    /// reached the engine. The first report that reaches the engine yields none: what it finds is
    /// the state of things, not news.
    ///
    /// A failure the baseline could not judge is not news either: when a slow engine left a part
    /// unread (`GET /containers/json` timed out: every container check unknown), the failures the
    /// next complete scan finds had been there all along, unseen.
    pub fn advance(&mut self, report: &std::sync::Arc<Report>) -> Vec<NewFailure> {
        if report.subject.engine.is_none() {
            return Vec::new();
        }
        let new = match &self.last {
            Some(last) => {
                let mut new = report.new_failures(last);
                new.retain(|n| !unjudged(last, &n.check, &n.target));
                new
            }
            None => Vec::new(),
        };
        self.last = Some(report.clone());
        new
    }
}

/// Whether `report` could not judge check `code` on `target`: its finding there is unknown, or the
/// whole check is unknown without a finding on it (the objects could not be listed).
fn unjudged(report: &Report, code: &str, target: &Target) -> bool {
    let Some(check) = report.check(code) else { return false };
    let same = |t: &Target| t.kind == target.kind && t.name == target.name;
    match check.findings.iter().find(|f| same(&f.target)) {
        Some(finding) => finding.status == Status::Unknown,
        None => check.status == Status::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{fixture, variant};
    use crate::evaluate::{EvalConfig, evaluate};

    fn report(snap: &crate::snapshot::Snapshot) -> Report {
        evaluate(snap, &EvalConfig::at(snap.collected_at))
    }

    #[test]
    fn the_weak_engine_is_critical() {
        assert_eq!(report(&fixture("default")).posture(), Posture::Critical);
    }

    #[test]
    fn a_new_socket_mount_is_a_new_failure_and_nothing_else_is() {
        let before = fixture("hardened");
        let after = variant("hardened", |s| {
            let containers = s.engine.ok_mut().and_then(|e| e.containers.ok_mut()).expect("containers");
            let mut c = containers[0].clone();
            c.name = "intruder".into();
            c.id = "f".repeat(64);
            c.mounts.push(crate::snapshot::Mount {
                kind: "bind".into(),
                source: "/var/run/docker.sock".into(),
                destination: "/var/run/docker.sock".into(),
                rw: true,
                ..Default::default()
            });
            containers.push(c);
        });
        let (before, after) = (report(&before), report(&after));
        assert!(before.new_failures(&before).is_empty(), "a report has nothing new against itself");
        let new = after.new_failures(&before);
        assert!(!new.is_empty());
        assert!(new.iter().all(|n| n.target.name == "intruder"), "{new:?}");
        assert_eq!(new[0].severity, Severity::Critical);
        assert_eq!(after.posture(), Posture::Critical);
        assert!(after.new_failures(&after).is_empty());
    }

    /// The rule `zerodock watch` and the tray share: the first report is not news, a report that
    /// could not reach the engine neither reports nor resets anything, so the reconnect after it
    /// does not call every old failure new.
    #[test]
    fn the_baseline_skips_reports_that_did_not_reach_the_engine() {
        use std::sync::Arc;
        let weak = Arc::new(report(&fixture("default")));
        let down = Arc::new(report(&variant("default", |s| {
            s.engine = crate::snapshot::Fact::unavailable("engine unreachable: connection refused");
        })));
        assert!(down.subject.engine.is_none());
        let mut baseline = Baseline::default();
        assert!(baseline.advance(&weak).is_empty(), "the first report is the state of things");
        assert!(baseline.advance(&down).is_empty());
        assert!(baseline.advance(&weak).is_empty(), "a reconnect is not news");
        let hardened = Arc::new(report(&fixture("hardened")));
        let mut from_hardened = Baseline::default();
        from_hardened.advance(&hardened);
        from_hardened.advance(&down);
        assert!(!from_hardened.advance(&weak).is_empty(), "what really got worse is still reported");
    }

    /// A slow engine: `GET /containers/json` timed out, so the scan reached the engine but every
    /// container check is unknown. The complete scan after it finds the same failures as before
    /// the slow spell: none is new.
    #[test]
    fn failures_a_partial_scan_could_not_judge_are_not_news() {
        use std::sync::Arc;
        let weak = Arc::new(report(&fixture("default")));
        let slow = Arc::new(report(&variant("default", |s| {
            let engine = s.engine.ok_mut().expect("engine");
            engine.containers = crate::snapshot::Fact::unavailable(
                "the Docker engine did not answer `GET /containers/json` within 2 s",
            );
        })));
        assert!(slow.subject.engine.is_some(), "the engine answered the other calls");
        let ctr003 = slow.check("CTR003").expect("CTR003");
        assert_eq!(ctr003.status, Status::Unknown);
        let mut baseline = Baseline::default();
        baseline.advance(&weak);
        assert!(baseline.advance(&slow).is_empty());
        let after = baseline.advance(&weak);
        assert!(after.is_empty(), "unread is not the same as absent: {after:?}");
        // A first scan that was already slow: the same.
        let mut from_slow = Baseline::default();
        from_slow.advance(&slow);
        assert!(from_slow.advance(&weak).is_empty());
        // Judged as passing before (the hardened engine), failing now: news.
        let hardened = Arc::new(report(&fixture("hardened")));
        let mut from_hardened = Baseline::default();
        from_hardened.advance(&hardened);
        assert!(from_hardened.advance(&weak).iter().any(|n| n.check == "CTR003"));
    }
}
