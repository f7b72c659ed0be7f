//! The user's policy file: waivers (accepted risks with a reason and an optional expiry) and
//! severity overrides. Severity is the catalogue's, level is the user's: both are applied here and
//! nowhere else.
//!
//! ```toml
//! [severity]
//! CTR019 = "info"          # code or slug
//!
//! [[waiver]]
//! check = "CTR003"         # code or slug
//! target = "portainer"     # container/image/network name, id prefix, or "*" (default)
//! reason = "Portainer manages Docker by design"
//! expires = "2027-01-31"   # optional
//! ```
//!
//! A waiver that matches nothing is itself a finding (check POL001), so stale waivers do not pile up.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::checks::{self, Check};
use crate::outcome::{Finding, Severity, Status, Target, TargetKind};
use crate::report::{CheckResult, WaiverUse};
use crate::snapshot::Snapshot;

/// Waivers and severity overrides, read from the user's policy file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Severity overrides: check code or slug → severity.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Accepted risks.
    #[serde(default, rename = "waiver")]
    pub waivers: Vec<Waiver>,
}

/// An accepted risk.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// Check code or slug.
    pub check: String,
    /// Target name, id prefix, or `*`.
    #[serde(default = "any_target")]
    pub target: String,
    /// Why the risk is accepted. Required: a waiver without a reason is refused.
    pub reason: String,
    /// Last day the waiver applies (`YYYY-MM-DD`).
    #[serde(default)]
    pub expires: Option<NaiveDate>,
}

fn any_target() -> String {
    "*".to_owned()
}

impl Policy {
    /// Parses a policy file, checking that every check named exists and every waiver has a reason.
    pub fn from_toml(text: &str) -> Result<Self, crate::Error> {
        let policy: Policy = toml::from_str(text)
            .map_err(|e| crate::Error::MalformedInput { what: "policy file", detail: e.to_string() })?;
        for name in policy.severity.keys().chain(policy.waivers.iter().map(|w| &w.check)) {
            if checks::find(name).is_none() {
                return Err(crate::Error::MalformedInput {
                    what: "policy file",
                    detail: format!("no check is called `{name}` (see `zerodock checks`)"),
                });
            }
        }
        if let Some(w) = policy.waivers.iter().find(|w| w.reason.trim().is_empty()) {
            return Err(crate::Error::MalformedInput {
                what: "policy file",
                detail: format!(
                    "the waiver for {} / {} has no reason: say why the risk is accepted",
                    w.check, w.target
                ),
            });
        }
        Ok(policy)
    }

    /// The effective severity of a check.
    pub fn severity_for(&self, check: &Check) -> Severity {
        self.severity
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(check.code) || name.eq_ignore_ascii_case(check.slug))
            .map_or(check.severity, |(_, sev)| *sev)
    }

    /// Marks the failing and warning findings each live waiver matches, and fills POL001 with the
    /// waivers that matched nothing or have expired.
    pub(crate) fn apply(&self, results: &mut [CheckResult], today: NaiveDate) -> Vec<WaiverUse> {
        let mut uses = Vec::with_capacity(self.waivers.len());
        for waiver in &self.waivers {
            let expired = waiver.expires.is_some_and(|e| e < today);
            let mut matched = 0;
            let code = checks::find(&waiver.check).map(|c| c.code);
            if !expired {
                for result in results.iter_mut().filter(|r| Some(r.id.as_str()) == code) {
                    for finding in &mut result.findings {
                        if matches!(finding.status, Status::Fail | Status::Warn)
                            && waiver.matches(&finding.target)
                        {
                            finding.waived = Some(crate::outcome::AppliedWaiver {
                                reason: waiver.reason.clone(),
                                expires: waiver.expires.map(|d| d.to_string()),
                            });
                            matched += 1;
                        }
                    }
                }
            }
            uses.push(WaiverUse {
                check: code.unwrap_or(&waiver.check).to_owned(),
                target: waiver.target.clone(),
                reason: waiver.reason.clone(),
                expires: waiver.expires.map(|d| d.to_string()),
                matched,
                expired,
            });
        }
        if let Some(pol) = results.iter_mut().find(|r| r.id == UNUSED_WAIVER.code) {
            pol.findings = uses.iter().map(waiver_finding).collect();
        }
        uses
    }
}

impl Waiver {
    fn matches(&self, target: &Target) -> bool {
        let pattern = self.target.as_str();
        pattern == "*"
            || target.name == pattern
            || (pattern.len() >= 4
                && target.id.as_deref().is_some_and(|id| id.starts_with(pattern) || pattern.starts_with(id)))
    }
}

fn waiver_finding(used: &WaiverUse) -> Finding {
    let target = Target::new(TargetKind::Waiver, format!("{} / {}", used.check, used.target), None);
    if used.expired {
        Finding::warn(
            target,
            format!(
                "Waiver for {} / {} expired on {}",
                used.check,
                used.target,
                used.expires.as_deref().unwrap_or("?")
            ),
        )
        .evidence(
            "waiver.expires",
            used.expires.as_deref().unwrap_or("?"),
            "a date in the future, or remove the waiver",
        )
    } else if used.matched == 0 {
        Finding::fail(
            target,
            format!("Waiver for {} / {} matched no failing finding", used.check, used.target),
        )
        .evidence("waiver.target", &used.target, "a target that currently fails the check")
    } else {
        Finding::pass(
            target,
            format!("Waiver for {} / {} accepted {} finding(s)", used.check, used.target, used.matched),
        )
    }
}

/// Filled by [`Policy::apply`]; the predicate itself has nothing to look at in a snapshot.
fn no_findings(_: &Snapshot) -> Vec<Finding> {
    Vec::new()
}

crate::declare_check! {
    /// A waiver in the policy file matched no failing finding, or has expired.
    ///
    /// ## Rationale
    /// Waivers are accepted risk. One that no longer matches anything (the container was fixed or
    /// removed) silently widens the next exception if a container with the same name appears; one
    /// that expired needs a decision: fix, or renew with a reason.
    ///
    /// ## Evidence
    /// The policy file's `[[waiver]]` entries, matched against this scan's failing findings.
    ///
    /// ## Remediation
    /// Remove the waiver from the policy file, or renew its `expires` date with a fresh `reason`.
    ///
    /// ## References
    /// cargo-deny `advisory-not-detected`; ruff `RUF100 unused-noqa`.
    pub static UNUSED_WAIVER = {
        code: "POL001",
        slug: "unused-waiver",
        title: "Waiver matches nothing or has expired",
        category: Policy,
        severity: Low,
        target: Waiver,
        references: [crate::checks::Reference::Url("https://embarkstudios.github.io/cargo-deny/checks/advisories/cfg.html")],
        evaluate: no_findings,
    }
}
