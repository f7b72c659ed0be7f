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
//! target = "portainer"     # container/image/network name, id prefix (12+ hex digits), or "*" (default)
//! reason = "Portainer manages Docker by design"
//! by = "ops@example.com"   # optional: who accepted the risk
//! expires = 2027-01-31     # optional: a TOML date or a "YYYY-MM-DD" string
//! ```
//!
//! A waiver that matches nothing is itself a finding (check POL001), so stale waivers do not pile up;
//! a waiver for a check that did not run (`--only`) is left alone. [`edit`] changes the file in
//! place for `zerodock waive`/`unwaive` and the app, [`file`] reads and writes it back for both;
//! [`default_path`] is where it lives by default.

pub mod edit;
pub mod file;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use crate::checks::policy::unused_waiver;
use crate::checks::{self, Check};
use crate::report::{CheckResult, Severity, Status, Target, WaiverUse};

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
    /// What the user trusts images from (`[images] trusted = [...]`), for IMG009.
    #[serde(default, skip_serializing_if = "ImagePolicy::is_empty")]
    pub images: ImagePolicy,
}

/// The `[images]` table: the registries and repositories images may come from (CIS 4.2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImagePolicy {
    /// Registry or repository prefixes (`docker.io/library`, `ghcr.io/acme/*`,
    /// `registry.example.com:5000`): an image is trusted when one of its references falls under one.
    #[serde(default)]
    pub trusted: Vec<String>,
}

impl ImagePolicy {
    fn is_empty(&self) -> bool {
        self.trusted.is_empty()
    }
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
    /// Who accepted the risk: for the people who read the file later; it changes no verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Last day the waiver applies (`YYYY-MM-DD`, as a TOML date or a string).
    #[serde(default, deserialize_with = "expiry")]
    pub expires: Option<NaiveDate>,
}

/// The policy file read when none is named (`--policy`, `ZERODOCK_POLICY`):
/// `$XDG_CONFIG_HOME/zerodock/policy.toml`, else `$HOME/.config/zerodock/policy.toml` (the XDG base
/// directory rule; a relative `XDG_CONFIG_HOME` is ignored, as the spec says). The environment is
/// passed in so the function stays pure and the app can ask with its own view of it.
pub fn default_path(xdg_config_home: Option<&OsStr>, home: Option<&Path>) -> Option<PathBuf> {
    let config = xdg_config_home
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.filter(|h| h.is_absolute()).map(|h| h.join(".config")))?;
    Some(config.join("zerodock").join("policy.toml"))
}

fn any_target() -> String {
    "*".to_owned()
}

/// An expiry as users write it: a TOML date (`expires = 2027-03-31`, which the toml crate hands
/// over as a datetime) or a `"2027-03-31"` string. A time of day or an offset is refused: a waiver
/// lasts whole days.
fn expiry<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Date(toml::value::Datetime),
        Text(String),
    }
    let bad = |shown: &str| {
        serde::de::Error::custom(format!("invalid expiry `{shown}`: expected YYYY-MM-DD (e.g. 2027-03-31)"))
    };
    let (text, shown) = match Written::deserialize(deserializer)
        .map_err(|_| serde::de::Error::custom("invalid expiry: expected YYYY-MM-DD (e.g. 2027-03-31)"))?
    {
        Written::Date(dt) if dt.date.is_some() && dt.time.is_none() && dt.offset.is_none() => {
            (dt.to_string(), dt.to_string())
        }
        Written::Date(dt) => return Err(bad(&dt.to_string())),
        Written::Text(t) => (t.trim().to_owned(), t),
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map(Some).map_err(|_| bad(&shown))
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
        if let Some(bad) = policy.images.trusted.iter().find(|t| {
            let t = t.trim().trim_end_matches("/*").trim_end_matches('/');
            t.is_empty() || t.contains(char::is_whitespace) || t.contains(['*', '@'])
        }) {
            return Err(crate::Error::MalformedInput {
                what: "policy file",
                detail: format!(
                    "[images] trusted: `{bad}` is not a registry or repository prefix (write e.g. `docker.io/library` or `ghcr.io/acme/*`)"
                ),
            });
        }
        let mut named: BTreeMap<&str, &str> = BTreeMap::new();
        for name in policy.severity.keys() {
            let code = checks::find(name).map_or(name.as_str(), |c| c.code);
            if let Some(first) = named.insert(code, name) {
                return Err(crate::Error::MalformedInput {
                    what: "policy file",
                    detail: format!(
                        "[severity] names {code} twice (`{first}` and `{name}`): keep one, since which wins would be arbitrary"
                    ),
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
    /// waivers that matched nothing or have expired. `results` holds the checks that ran: a waiver
    /// for a check left out (`--only`) is recorded as not evaluated and raises no POL001 finding.
    pub(crate) fn apply(&self, results: &mut [CheckResult], today: NaiveDate) -> Vec<WaiverUse> {
        let mut uses = Vec::with_capacity(self.waivers.len());
        for waiver in &self.waivers {
            let expired = waiver.expires.is_some_and(|e| e < today);
            let mut matched = 0;
            let code = checks::find(&waiver.check).map(|c| c.code);
            let evaluated = results.iter().any(|r| Some(r.id.as_str()) == code);
            if !expired {
                for result in results.iter_mut().filter(|r| Some(r.id.as_str()) == code) {
                    for finding in &mut result.findings {
                        if matches!(finding.status, Status::Fail | Status::Warn)
                            && waiver.matches(&finding.target)
                        {
                            finding.waived = Some(crate::report::AppliedWaiver {
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
                evaluated,
            });
        }
        if let Some(pol) = results.iter_mut().find(|r| r.id == unused_waiver::CHECK.code) {
            pol.findings = uses.iter().filter(|u| u.evaluated).map(unused_waiver::finding).collect();
        }
        uses
    }
}

/// The shortest id prefix a waiver target is read as: shorter hex words (`f00d`, `beef`, `cafe`)
/// are ordinary names, and Docker shows 12-digit short ids.
const MIN_ID_PREFIX: usize = 12;

impl Waiver {
    fn matches(&self, target: &Target) -> bool {
        let pattern = self.target.as_str();
        if pattern == "*" || target.name == pattern {
            return true;
        }
        let pattern = pattern.strip_prefix("sha256:").unwrap_or(pattern);
        let is_id = pattern.len() >= MIN_ID_PREFIX
            && pattern.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        is_id
            && target.id.as_deref().map(|id| id.strip_prefix("sha256:").unwrap_or(id)).is_some_and(|id| {
                id.len() >= MIN_ID_PREFIX && (id.starts_with(pattern) || pattern.starts_with(id))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::fixture;
    use crate::evaluate::{EvalConfig, evaluate};
    use crate::report::TargetKind;

    #[test]
    fn the_trusted_image_list_judges_img009() {
        let policy = Policy::from_toml(
            "[images]\ntrusted = [\"docker.io/zerodock/busybox\", \"docker.io/zerodock/hardened/*\"]\n",
        )
        .expect("valid policy");
        let snap = fixture("default");
        let mut config = EvalConfig::at(snap.collected_at);
        let without = evaluate(&snap, &config);
        assert_eq!(without.check("IMG009").expect("IMG009").status, Status::Manual);
        config.policy = policy;
        let report = evaluate(&snap, &config);
        let img009 = report.check("IMG009").expect("IMG009");
        let status = |name: &str| img009.findings.iter().find(|f| f.target.name == name).map(|f| f.status);
        assert_eq!(status("zerodock/busybox:1"), Some(Status::Pass));
        assert_eq!(status("zerodock/hardened:1"), Some(Status::Pass));
        assert_eq!(status("zerodock/leaky:1"), Some(Status::Fail));
        for bad in
            ["[images]\ntrusted = [\"\"]", "[images]\ntrusted = [\"ghcr.io/*/x\"]", "[images]\nallowed = []"]
        {
            assert!(Policy::from_toml(bad).is_err(), "{bad}");
        }
    }

    fn policy(text: &str) -> Result<Policy, String> {
        Policy::from_toml(text).map_err(|e| e.to_string())
    }

    #[test]
    fn expiry_as_toml_date_or_string() {
        let date = NaiveDate::from_ymd_opt(2027, 3, 31);
        for written in ["2027-03-31", "\"2027-03-31\""] {
            let p = policy(&format!("[[waiver]]\ncheck = \"CTR003\"\nreason = \"r\"\nexpires = {written}\n"))
                .unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(p.waivers[0].expires, date, "{written}");
        }
        for bad in ["\"31/03/2027\"", "2027-03-31T10:00:00Z", "\"soon\""] {
            let err = policy(&format!("[[waiver]]\ncheck = \"CTR003\"\nreason = \"r\"\nexpires = {bad}\n"))
                .expect_err(bad);
            assert!(err.contains("expected YYYY-MM-DD"), "{bad}: {err}");
        }
    }

    #[test]
    fn severity_named_twice_is_refused() {
        let err =
            policy("[severity]\nCTR003 = \"low\"\ndocker-socket-mounted = \"high\"\n").expect_err("dup");
        assert!(err.contains("CTR003 twice"), "{err}");
        assert!(policy("[severity]\nCTR003 = \"low\"\nCTR004 = \"high\"\n").is_ok());
    }

    #[test]
    fn ids_need_twelve_hex_digits() {
        let waiver = |target: &str| Waiver {
            check: "CTR003".to_owned(),
            target: target.to_owned(),
            reason: "r".to_owned(),
            by: None,
            expires: None,
        };
        let container = Target::new(TargetKind::Container, "web", Some("f00d17abcdef".to_owned()));
        assert!(!waiver("f00d").matches(&container), "a short hex word is a name");
        assert!(waiver("f00d17abcdef").matches(&container));
        assert!(waiver("f00d17abcdef0123456789").matches(&container), "a full id matches its short id");
        assert!(!waiver("F00D17ABCDEF").matches(&container), "ids are lower-case");
        assert!(!waiver("f00d17abcdee").matches(&container));
        assert!(waiver("web").matches(&container));
        let no_id = Target::new(TargetKind::Container, "db", Some(String::new()));
        assert!(!waiver("f00d17abcdef").matches(&no_id));
        assert!(!waiver("f00d17abcdef").matches(&Target::new(TargetKind::Container, "db", None)));
    }

    #[test]
    fn waivers_for_checks_that_did_not_run_are_left_alone() {
        let mut config = EvalConfig::at(chrono::DateTime::UNIX_EPOCH);
        config.policy = policy(
            "[[waiver]]\ncheck = \"CTR003\"\ntarget = \"zd-docker-sock\"\nreason = \"r\"\n\
             [[waiver]]\ncheck = \"CTR001\"\ntarget = \"nothing-here\"\nreason = \"r\"\n",
        )
        .expect("valid");
        config.only = vec!["POL001".to_owned(), "CTR001".to_owned()];
        let report = evaluate(&fixture("default"), &config);
        let ctr003 = report.waivers.iter().find(|w| w.check == "CTR003").expect("recorded");
        assert!(!ctr003.evaluated);
        let pol = report.checks.iter().find(|c| c.id == "POL001").expect("selected");
        assert_eq!(pol.findings.len(), 1, "{:?}", pol.findings);
        assert!(pol.findings[0].target.name.starts_with("CTR001"));
        // Old reports without the field still load, as evaluated.
        let old: WaiverUse = serde_json::from_str(
            r#"{"check":"CTR003","target":"*","reason":"r","matched":0,"expired":false}"#,
        )
        .expect("loads");
        assert!(old.evaluated);
        assert!(!serde_json::to_string(&old).expect("json").contains("evaluated"));
    }
}
