//! SARIF 2.1.0 (OASIS): the report for code-scanning dashboards (GitHub code scanning, GitLab,
//! Azure DevOps). One run; the whole catalogue as rules; one result per failing, warning or
//! unknown finding. Mapping decisions are documented in docs/sarif.md.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zerodock_engine::snapshot::Vulnerability;
use zerodock_engine::{Category, CheckResult, Finding, Report, Severity, Status, Target, TargetKind};

use crate::vulns;

/// The schema the output declares (and is validated against in tests): OASIS SARIF 2.1.0 errata01.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The `partialFingerprints` key of a result (versioned: a change of formula is a new key, so a
/// dashboard never matches fingerprints computed two ways).
pub const FINGERPRINT_KEY: &str = "zerodockFinding/v1";

/// The `partialFingerprints` key of a vulnerability's result: one alert per (image id, package,
/// advisory), whatever band the advisory is rated in today.
pub const VULN_FINGERPRINT_KEY: &str = "zerodockVulnerability/v1";

/// The report as SARIF 2.1.0 JSON, pretty-printed with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail, and every value serialises (plain JSON data).
    let _ = write(report, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Writes the report as pretty SARIF JSON with a trailing newline, streaming the results: a
/// 1000-container host has ~14,000 of them (~13 MB), never held as one JSON tree.
pub fn write(report: &Report, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let rules = Rules::of(report);
    let mut out = crate::export::buffered(out);
    serde_json::to_writer_pretty(&mut out, &log(report, &rules)).map_err(std::io::Error::other)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)
}

/// The report as a SARIF 2.1.0 log value (for tests and tools that post-process it).
pub fn to_value(report: &Report) -> Value {
    let rules = Rules::of(report);
    serde_json::to_value(log(report, &rules)).unwrap_or_default()
}

/// The log: one run whose results are produced while serialising.
#[derive(serde::Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(serde::Serialize)]
struct Run<'a> {
    tool: Value,
    invocations: [Value; 1],
    results: Results<'a>,
    properties: Value,
}

/// The results, built one at a time as they are written.
struct Results<'a> {
    report: &'a Report,
    rules: &'a Rules,
}

impl serde::Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(None)?;
        for check in &self.report.checks {
            for finding in &check.findings {
                // A band check's finding stands for the image's vulnerabilities of that severity:
                // each becomes its own result located on the package (docs/sarif.md), so a
                // dashboard tracks, dismisses and closes them one advisory at a time.
                let vulns = match finding.status {
                    Status::Fail | Status::Warn => vulns::of_finding(self.report, &check.id, finding),
                    _ => Vec::new(),
                };
                if vulns.is_empty() {
                    if let Some(result) = result(self.report, self.rules, check, finding) {
                        seq.serialize_element(&result)?;
                    }
                    continue;
                }
                for v in vulns {
                    seq.serialize_element(&vulnerability_result(self.report, self.rules, check, finding, v))?;
                }
            }
        }
        seq.end()
    }
}

fn log<'a>(report: &'a Report, rules: &'a Rules) -> Log<'a> {
    let mut notifications: Vec<Value> = Vec::new();
    if let Some(reason) = &report.subject.engine_unavailable {
        notifications.push(json!({
            "level": "error",
            "message": { "text": format!("The Docker engine could not be inspected: {reason}. Engine checks are reported as unknown.") },
        }));
    }
    for note in &report.notes {
        notifications.push(json!({ "level": "note", "message": { "text": note } }));
    }
    let mut invocation = json!({
        // The scan ran to the end unless the engine could not be read (the CLI then exits 2).
        "executionSuccessful": report.subject.engine_unavailable.is_none(),
        "startTimeUtc": report.subject.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "endTimeUtc": report.generated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }

    let mut properties = json!({
        "score": report.score,
        "grade": report.grade.as_str(),
        "catalogueVersion": report.tool.catalogue_version,
        "endpoint": report.subject.endpoint.host,
        "checksByStatus": report.counts.by_status.iter().map(|(s, n)| (s.as_str().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
    });
    if let Some(cap) = &report.grade_cap {
        properties["gradeCap"] = json!(cap);
    }

    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: json!({
                "driver": {
                    "name": "ZeroDock",
                    "fullName": "ZeroDock Docker host posture scanner",
                    "version": report.tool.version,
                    "semanticVersion": report.tool.version,
                    "rules": rules.list,
                    "properties": { "catalogueVersion": report.tool.catalogue_version },
                }
            }),
            invocations: [invocation],
            results: Results { report, rules },
            properties,
        }],
    }
}

/// `partialFingerprints["zerodockFinding/v1"]` of a finding: sha256 of the check code, the target
/// kind and the target name. Not the container id: Compose and `docker run --rm` recreate
/// containers under the same name with a new id, and the same misconfiguration on the recreated
/// container is the same alert, not a new one (while fixing it closes the alert).
pub fn fingerprint(code: &str, target: &Target) -> String {
    let kind = target.kind.as_str();
    let mut hasher = Sha256::new();
    // NUL separators: no code, kind or name contains one, so the triple is unambiguous.
    for part in [code, kind, target.name.as_str()] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The rule list and each code's index in it.
struct Rules {
    list: Vec<Value>,
    index: BTreeMap<String, usize>,
}

impl Rules {
    /// Every check of this build's catalogue, plus any check of the report that the catalogue no
    /// longer has (an older saved report). The report's own text wins: it carries the effective
    /// severity (policy overrides) and the catalogue version it was evaluated with.
    fn of(report: &Report) -> Rules {
        let mut by_code: BTreeMap<String, Value> = BTreeMap::new();
        for check in zerodock_engine::catalogue() {
            let references: Vec<String> = check.references.iter().map(ToString::to_string).collect();
            let doc_url = check.references.iter().find_map(|r| match r {
                zerodock_engine::Reference::Url(url) if url.starts_with("https://") => {
                    Some((*url).to_owned())
                }
                _ => None,
            });
            let rule = RuleText {
                code: check.code,
                slug: check.slug,
                title: check.title,
                category: check.category,
                severity: check.severity,
                summary: check.summary(),
                rationale: check.section("Rationale").unwrap_or_default(),
                remediation: check.section("Remediation").unwrap_or_default(),
                references: &references,
                doc_url: doc_url.as_deref(),
            };
            by_code.insert(check.code.to_owned(), rule.to_value());
        }
        for check in &report.checks {
            by_code.insert(check.id.clone(), RuleText::of_result(check).to_value());
        }
        let index = by_code.keys().enumerate().map(|(i, code)| (code.clone(), i)).collect();
        Rules { list: by_code.into_values().collect(), index }
    }
}

/// What a rule is made of, from the catalogue or from a report's check result.
struct RuleText<'a> {
    code: &'a str,
    slug: &'a str,
    title: &'a str,
    category: Category,
    severity: Severity,
    summary: String,
    rationale: String,
    remediation: String,
    references: &'a [String],
    doc_url: Option<&'a str>,
}

impl<'a> RuleText<'a> {
    fn of_result(check: &'a CheckResult) -> Self {
        RuleText {
            code: &check.id,
            slug: &check.slug,
            title: &check.title,
            category: check.category,
            severity: check.severity,
            summary: check.summary.clone(),
            rationale: check.rationale.clone(),
            remediation: check.remediation.clone(),
            references: &check.references,
            doc_url: check.doc_url.as_deref(),
        }
    }

    fn to_value(&self) -> Value {
        let mut tags = vec!["security".to_owned(), self.category.as_str().to_owned()];
        tags.extend(self.references.iter().flat_map(|r| cis_tags(r)));
        let mut text = self.summary.clone();
        let mut markdown = self.summary.clone();
        if !self.rationale.is_empty() {
            text.push_str(&format!("\n\nWhy it matters: {}", self.rationale));
            markdown.push_str(&format!("\n\n**Why it matters**\n\n{}", self.rationale));
        }
        if !self.remediation.is_empty() {
            text.push_str(&format!("\n\nHow to fix: {}", self.remediation));
            markdown.push_str(&format!("\n\n**How to fix**\n\n{}", self.remediation));
        }
        if !self.references.is_empty() {
            text.push_str(&format!("\n\nReferences: {}", self.references.join("; ")));
            markdown.push_str("\n\n**References**\n");
            for r in self.references {
                markdown.push_str(&format!("\n- {r}"));
            }
        }
        let mut rule = json!({
            "id": self.code,
            "name": self.slug,
            "shortDescription": { "text": self.title },
            "fullDescription": { "text": self.summary },
            "help": { "text": text, "markdown": markdown },
            "defaultConfiguration": { "level": rule_level(self.severity) },
            "properties": {
                "tags": tags,
                "security-severity": security_severity(self.severity),
                "problem.severity": problem_severity(self.severity),
                "zerodockSeverity": self.severity.as_str(),
            },
        });
        if let Some(url) = self.doc_url {
            rule["helpUri"] = json!(url);
        }
        rule
    }
}

/// The tags of a CIS reference as the report writes it: `CIS Docker Benchmark v1.8.0 2.8 (v1.6.0:
/// 2.7)` → `CIS-v1.8.0-2.8`, `CIS-v1.6.0-2.7`. Versioned, because CIS renumbers between versions;
/// without spaces, so a dashboard filter is one token; a range `3.1–3.14` stays one tag,
/// `CIS-v1.8.0-3.1..3.14` (GitHub rejects a rule with more than 20 tags). A report saved before
/// references carried a version (`CIS Docker Benchmark 2.7`) used v1.6.0 numbers, and is tagged so.
fn cis_tags(reference: &str) -> Vec<String> {
    let Some(rest) = reference.strip_prefix("CIS Docker Benchmark ") else { return Vec::new() };
    let tag = |version: &str, id: &str| format!("CIS-{version}-{}", id.trim().replace('–', ".."));
    let Some(rest) = rest.strip_prefix('v') else { return vec![tag("v1.6.0", rest)] };
    let Some((version, ids)) = rest.split_once(' ') else { return Vec::new() };
    let version = format!("v{version}");
    let Some((id, previous)) = ids.split_once(" (") else { return vec![tag(&version, ids)] };
    let mut tags = vec![tag(&version, id)];
    if let Some((old_version, old_id)) = previous.trim_end_matches(')').split_once(": ") {
        tags.push(tag(old_version, old_id));
    }
    tags
}

/// GitHub's `security-severity` score (0.0–10.0; ≥ 9.0 shows as critical, ≥ 7.0 high, ≥ 4.0
/// medium, else low). A string holding a number, as CodeQL writes it.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// The `problem.severity` tag code-scanning tools read when `security-severity` is absent.
fn problem_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "recommendation",
    }
}

/// The SARIF level a failure of this severity gets.
fn rule_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

/// A result for a failing, warning, unknown or manual (to confirm) finding; passes, not-applicable and info findings
/// are not results (docs/sarif.md: code scanning closes an alert when its result disappears).
fn result(report: &Report, rules: &Rules, check: &CheckResult, finding: &Finding) -> Option<Value> {
    let level = match finding.status {
        Status::Fail => rule_level(check.severity),
        Status::Warn => "warning",
        Status::Unknown | Status::Manual => "note",
        Status::Pass | Status::NotApplicable | Status::Info => return None,
    };
    let mut text = finding.message.trim_end_matches('.').to_owned();
    text.push('.');
    if let Some(reason) = &finding.reason
        && !finding.message.contains(reason.as_str())
    {
        text.push_str(&format!(" Reason: {reason}."));
    }
    if !finding.evidence.is_empty() {
        let evidence: Vec<String> = finding
            .evidence
            .iter()
            .map(|e| format!("{} = {} (expected: {})", e.field, e.observed, e.expected))
            .collect();
        text.push_str(&format!(" Evidence: {}.", evidence.join("; ")));
    }
    if let Some(first) = finding.remediation.first() {
        text.push_str(&format!(" Fix: {}.", first.label.trim_end_matches('.')));
    }

    let target = &finding.target;
    let kind = target.kind.as_str();
    let mut logical = json!({
        "name": target.name,
        "fullyQualifiedName": format!("{kind}/{}", target.name),
        "kind": kind,
    });
    if let Some(id) = &target.id {
        logical["properties"] = json!({ "id": id });
    }
    // A fix located in a file (a Compose service's key) points the result at that line, so code
    // scanning annotates it; an unknown line leaves the region out (the whole file) rather than
    // guessing one. Everything else is a setting without a line: line 1 of its file.
    let physical = match finding.remediation.iter().find_map(|s| s.location.as_ref()) {
        Some(location) if target.kind == TargetKind::Container => {
            let mut physical = json!({ "artifactLocation": { "uri": file_uri(&location.path) } });
            if let Some(line) = location.line {
                physical["region"] = json!({ "startLine": line });
            }
            physical
        }
        _ => json!({
            "artifactLocation": { "uri": artifact_uri(report, check, target) },
            "region": { "startLine": 1 },
        }),
    };
    let mut result = json!({
        "ruleId": check.id,
        "level": level,
        "message": { "text": text },
        "locations": [{
            "physicalLocation": physical,
            "logicalLocations": [logical],
        }],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint(&check.id, target) },
        "properties": {
            "status": finding.status.as_str(),
            "severity": check.severity.as_str(),
            "category": check.category.as_str(),
        },
    });
    if let Some(index) = rules.index.get(&check.id) {
        result["ruleIndex"] = json!(index);
    }
    if let Some(waiver) = &finding.waived {
        let justification = match &waiver.expires {
            Some(date) => format!("{} (waived until {date})", waiver.reason),
            None => waiver.reason.clone(),
        };
        result["suppressions"] =
            json!([{ "kind": "external", "status": "accepted", "justification": justification }]);
    }
    Some(result)
}

/// `partialFingerprints["zerodockVulnerability/v1"]` of one vulnerability: sha256 of the image id,
/// the binary package and the advisory id. Not the check code: a record re-rated from unrated to
/// high moves from VUL005 to VUL002 and is still the same alert. The image id, not its tag: a
/// rebuilt image is a new artifact, and its alert opens again if the rebuild still carries the
/// advisory (issue 12: per image id, package, advisory).
pub fn vulnerability_fingerprint(image_id: &str, package: &str, advisory: &str) -> String {
    let mut hasher = Sha256::new();
    // NUL separators, as in [`fingerprint`]: no id or package name contains one.
    for part in [image_id, package, advisory] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// One vulnerability of a band check's failing or warning finding as a result: located on the
/// package URL (a `physicalLocation` URI, which GitHub and GitLab require, and a logical location
/// naming the package inside its image), with the advisory's facts in the message and properties.
fn vulnerability_result(
    report: &Report,
    rules: &Rules,
    check: &CheckResult,
    finding: &Finding,
    v: &Vulnerability,
) -> Value {
    // Fixable: the check's level (it fails because a fix exists); no fix yet: a warning, as the
    // check itself warns then.
    let level = match (finding.status, &v.fixed) {
        (Status::Fail, Some(_)) => rule_level(check.severity),
        _ => "warning",
    };
    let image = vulns::image_of(report, finding);
    let image_name = image.map_or(finding.target.name.as_str(), |i| i.image.as_str());
    let image_id =
        image.map_or_else(|| finding.target.id.clone().unwrap_or_default(), |i| i.image_id.clone());
    let cves = vulns::cves(v);
    let mut text = v.id.clone();
    if !cves.is_empty() {
        text.push_str(&format!(" ({})", cves.join(", ")));
    }
    text.push_str(&format!(" in image `{image_name}`"));
    let package = if v.source_package.is_empty() || v.source_package == v.package {
        v.package.clone()
    } else {
        format!("{} (source {})", v.package, v.source_package)
    };
    match &v.fixed {
        Some(fixed) => text.push_str(&format!(": {package} {} → {fixed}.", v.installed)),
        None => text.push_str(&format!(": {package} {}, no fix yet.", v.installed)),
    }
    text.push_str(&format!(" Severity {} ({}).", vulns::severity_word(v.severity), v.severity_source));
    if let Some(summary) = v.summary.as_deref().filter(|s| !s.is_empty()) {
        text.push_str(&format!(" {}", summary.trim_end_matches('.')));
        text.push('.');
    }
    let mut properties = json!({
        "status": finding.status.as_str(),
        "severity": check.severity.as_str(),
        "category": check.category.as_str(),
        "advisoryId": v.id,
        "aliases": v.aliases,
        "package": v.package,
        "sourcePackage": v.source_package,
        "installedVersion": v.installed,
        "fixedVersion": v.fixed,
        "vulnerabilitySeverity": v.severity.as_str(),
        "severitySource": v.severity_source,
        "purl": v.purl,
        "image": image_name,
        "imageId": image_id,
        "scanner": v.scanner,
    });
    if let Some(scan) = &report.vulnerabilities
        && let Some(date) = vulns::as_of(scan)
    {
        properties["databaseAsOf"] = json!(date);
    }
    let mut result = json!({
        "ruleId": check.id,
        "level": level,
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": v.purl },
                "region": { "startLine": 1 },
            },
            "logicalLocations": [{
                "name": v.package,
                "fullyQualifiedName": format!("image/{image_name}/{}", v.package),
                "kind": "package",
                "properties": { "image": image_name, "imageId": image_id },
            }],
        }],
        "partialFingerprints": { VULN_FINGERPRINT_KEY: vulnerability_fingerprint(&image_id, &v.package, &v.id) },
        "properties": properties,
    });
    if let Some(index) = rules.index.get(&check.id) {
        result["ruleIndex"] = json!(index);
    }
    if let Some(waiver) = &finding.waived {
        let justification = match &waiver.expires {
            Some(date) => format!("{} (waived until {date})", waiver.reason),
            None => waiver.reason.clone(),
        };
        result["suppressions"] =
            json!([{ "kind": "external", "status": "accepted", "justification": justification }]);
    }
    result
}

/// The artifact a result points at: the file to edit when there is one (a Compose file, the
/// daemon.json a daemon check changes, the client config), else a stable pseudo-path
/// `docker://KIND/NAME` so dashboards group results per object.
fn artifact_uri(report: &Report, check: &CheckResult, target: &Target) -> String {
    match target.kind {
        TargetKind::Container => {
            if let Some(file) = compose_file(report, target) {
                return file_uri(&file);
            }
        }
        TargetKind::Engine if check.category == Category::Daemon => {
            if let Some(plan) = &report.daemon_json_plan {
                return file_uri(&plan.path);
            }
        }
        TargetKind::Client if target.name.starts_with('/') => return file_uri(&target.name),
        _ => {}
    }
    format!("docker://{}/{}", target.kind.as_str(), percent_encode(&target.name))
}

/// The first Compose file of the project that created the container, when the report knows it.
/// The report's inventory names the Compose project and service but not yet the project's files
/// (label `com.docker.compose.project.config_files`); until it does, Compose containers get the
/// pseudo-path like any other.
fn compose_file(report: &Report, target: &Target) -> Option<String> {
    let summary = report.inventory.containers.iter().find(|c| c.name == target.name)?;
    summary.compose_files.first().cloned()
}

/// A `file://` URI for an absolute path.
fn file_uri(path: &str) -> String {
    let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    format!("file://{}", percent_encode(&path))
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/` (names of images hold
/// `:` and `@`, which are fine in a path but not worth special-casing).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cis_tags;

    #[test]
    fn cis_tags_name_both_versions_without_spaces() {
        assert_eq!(cis_tags("CIS Docker Benchmark v1.8.0 5.5"), ["CIS-v1.8.0-5.5"]);
        assert_eq!(
            cis_tags("CIS Docker Benchmark v1.8.0 2.8 (v1.6.0: 2.7)"),
            ["CIS-v1.8.0-2.8", "CIS-v1.6.0-2.7"]
        );
        assert_eq!(cis_tags("CIS Docker Benchmark v1.8.0 3.1–3.14"), ["CIS-v1.8.0-3.1..3.14"]);
        // A report saved by catalogue 2026.11.3 or older: v1.6.0 numbers without a version.
        assert_eq!(cis_tags("CIS Docker Benchmark 2.7"), ["CIS-v1.6.0-2.7"]);
        assert!(cis_tags("NIST SP 800-207 tenet 3: least privilege").is_empty());
    }
}
