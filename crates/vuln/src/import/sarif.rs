//! SARIF 2.1.0 from vulnerability scanners: Docker Scout (`docker scout cves --format sarif`),
//! Trivy (`--format sarif`) and Grype (`-o sarif`).
//!
//! SARIF is a format for static-analysis results, so each scanner puts the package somewhere else:
//! - Docker Scout: one rule per vulnerability whose `properties` carry the package purl(s)
//!   (`purls`, `purl` before 1.0), `fixed_version` and `cvssV3_severity`; its results only repeat
//!   the rule once per file location (docker/scout-cli#47), so the rule is the finding.
//! - Trivy: the result's `message.text` lists `Package:`, `Installed Version:`, `Severity:`,
//!   `Fixed Version:` lines; `run.properties` names the image (`imageName`, `imageID`, `repoTags`).
//! - Grype: one rule per vulnerability and package whose `help.text` has the same kind of lines
//!   (`Vulnerability CVE-…`, `Package:`, `Version:`, `Fix Version:`, `Severity:`); the result's
//!   message names the image ("… was found in image NAME at: …").

use serde_json::Value;
use zerodock_engine::snapshot::{VulnSeverity, Vulnerability};

use super::json::Node;
use super::{Format, ImportError, ImportedImage, non_empty, purl_name_version, severity_word};

/// Reads every run of a SARIF log: one image each.
pub(super) fn read(value: &Value) -> Result<Vec<ImportedImage>, ImportError> {
    let root = Node::root(value, Format::Sarif);
    if let Some(version) = root.opt_str("version")?
        && version != "2.1.0"
    {
        return Err(root.error("version", format!("is `{version}`, expected `2.1.0`")));
    }
    root.array("runs")?.iter().map(run).collect()
}

fn run(run: &Node<'_>) -> Result<ImportedImage, ImportError> {
    let driver = run.object("tool")?.object("driver")?;
    let tool = driver.req_str("name")?.trim().to_lowercase();
    let scanner = match non_empty(driver.opt_str("version")?) {
        Some(version) => format!("{tool} {version}"),
        None => tool.clone(),
    };
    let rules = driver.array("rules")?;
    let results = run.array("results")?;

    let mut vulnerabilities = Vec::new();
    let mut rule_is_finding = vec![false; rules.len()];
    for (i, rule) in rules.iter().enumerate() {
        let found = from_rule(rule, &tool, &scanner)?;
        rule_is_finding[i] = !found.is_empty();
        vulnerabilities.extend(found);
    }
    for result in &results {
        let rule_id = match result.opt_str("ruleId")? {
            Some(id) => id.to_owned(),
            None => result
                .get("rule")
                .map(|r| r.req_str("id"))
                .transpose()?
                .ok_or_else(|| result.error("ruleId", "is missing (expected the vulnerability's rule id)"))?
                .to_owned(),
        };
        let index = rule_index(result, &rules, &rule_id);
        if index.is_some_and(|i| rule_is_finding.get(i).copied().unwrap_or(false)) {
            continue;
        }
        let rule = index.and_then(|i| rules.get(i));
        vulnerabilities.push(from_result(result, rule, &rule_id, &tool, &scanner)?);
    }

    let (reference, image_id, names) = image(run, &results)?;
    Ok(ImportedImage { reference, image_id, names, scanner, vulnerabilities })
}

/// The rule a result refers to: `ruleIndex` when it points at a rule with the same id, else the
/// first rule with that id.
fn rule_index(result: &Node<'_>, rules: &[Node<'_>], rule_id: &str) -> Option<usize> {
    let id_of = |i: usize| rules.get(i).and_then(|r| r.value.get("id")).and_then(Value::as_str);
    result
        .value
        .get("ruleIndex")
        .and_then(Value::as_u64)
        .and_then(|i| usize::try_from(i).ok())
        .filter(|&i| id_of(i) == Some(rule_id))
        .or_else(|| (0..rules.len()).find(|&i| id_of(i) == Some(rule_id)))
}

/// Docker Scout's findings: one per package purl the rule's properties name (none when it names
/// none, and the results then carry the findings).
fn from_rule(rule: &Node<'_>, tool: &str, scanner: &str) -> Result<Vec<Vulnerability>, ImportError> {
    let Some(properties) = rule.get("properties") else { return Ok(Vec::new()) };
    let purls = rule_purls(&properties)?;
    // Grype's rules also list purls, but its help text names the package and the vulnerability
    // (the rule id is not the vulnerability id there): its results carry the findings.
    if purls.is_empty() || help_names_package(rule)? {
        return Ok(Vec::new());
    }
    let id = rule.req_str("id")?.trim().to_owned();
    let fixed = non_empty(properties.opt_str("fixed_version")?)
        .filter(|f| !f.eq_ignore_ascii_case("not fixed"))
        .and_then(|f| first_version(&f));
    let (severity, severity_source) = match non_empty(properties.opt_str("cvssV3_severity")?) {
        Some(word) => (severity_word(&word), format!("{tool}: {word}")),
        None => severity_from_properties(&properties, tool)?,
    };
    let summary = short_description(rule)?;
    let mut found = Vec::new();
    for purl in purls {
        let (package, installed) = purl_name_version(purl).ok_or_else(|| {
            properties
                .error("purls", format!("holds `{purl}`, expected a package URL `pkg:type/name@version`"))
        })?;
        found.push(Vulnerability {
            id: id.clone(),
            aliases: Vec::new(),
            source_package: package.clone(),
            package,
            installed,
            fixed: fixed.clone(),
            severity,
            severity_source: severity_source.clone(),
            summary: summary.clone(),
            purl: purl.trim().to_owned(),
            scanner: scanner.to_owned(),
        });
    }
    Ok(found)
}

/// Trivy's and Grype's findings: the package from `Key: value` lines of the result's message and the
/// rule's help text.
fn from_result(
    result: &Node<'_>,
    rule: Option<&Node<'_>>,
    rule_id: &str,
    tool: &str,
    scanner: &str,
) -> Result<Vulnerability, ImportError> {
    let message = match result.get("message") {
        Some(m) => m.opt_str("text")?.unwrap_or_default(),
        None => "",
    };
    let help = match rule.and_then(|r| r.get("help")) {
        Some(h) => h.opt_str("text")?.unwrap_or_default(),
        None => "",
    };
    let lines = || message.lines().chain(help.lines());
    let field = |keys: &[&str]| {
        lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            keys.iter().any(|k| key.trim().eq_ignore_ascii_case(k)).then(|| value.trim().to_owned())
        })
    };
    // Grype's rule ids append the package (`CVE-1999-0001-package-1`); its help text names the
    // vulnerability alone.
    let id = lines()
        .find_map(|l| l.trim().strip_prefix("Vulnerability ").map(str::trim).filter(|s| !s.contains(' ')))
        .map(str::to_owned)
        .unwrap_or_else(|| rule_id.to_owned());
    let package = field(&["Package"]).filter(|p| !p.is_empty()).ok_or_else(|| {
        result.error(
            "message.text",
            "names no package (expected a `Package:` line, or package purls in the rule's properties)",
        )
    })?;
    let installed = field(&["Installed Version", "Version"]).filter(|v| !v.is_empty()).ok_or_else(|| {
        result.error(
            "message.text",
            "names no installed version (expected an `Installed Version:` or `Version:` line)",
        )
    })?;
    let fixed = field(&["Fixed Version", "Fix Version"]).and_then(|f| first_version(&f));
    let (severity, severity_source) = match field(&["Severity"]).filter(|s| !s.is_empty()) {
        Some(word) => (severity_word(&word), format!("{tool}: {word}")),
        None => match rule.and_then(|r| r.get("properties")) {
            Some(properties) => severity_from_properties(&properties, tool)?,
            None => (VulnSeverity::Unknown, format!("{tool}: no severity given")),
        },
    };
    let mut purls = match result.get("properties") {
        Some(p) => p.str_array("purls")?,
        None => Vec::new(),
    };
    if let Some(properties) = rule.and_then(|r| r.get("properties")) {
        purls.extend(rule_purls(&properties)?);
    }
    // Only a purl of this very package: a rule may be shared by several packages' results.
    let purl = purls
        .into_iter()
        .find(|p| purl_name_version(p).is_some_and(|(name, version)| name == package && version == installed))
        .unwrap_or_default()
        .trim()
        .to_owned();
    Ok(Vulnerability {
        id,
        aliases: Vec::new(),
        source_package: package.clone(),
        package,
        installed,
        fixed,
        severity,
        severity_source,
        summary: match rule {
            Some(rule) => short_description(rule)?,
            None => None,
        },
        purl,
        scanner: scanner.to_owned(),
    })
}

/// The severity from a rule's properties when no word is given elsewhere: a severity word among
/// the `tags`, else the numeric `security-severity` (a CVSS score GitHub also reads).
fn severity_from_properties(
    properties: &Node<'_>,
    tool: &str,
) -> Result<(VulnSeverity, String), ImportError> {
    if let Some(word) =
        properties.str_array("tags")?.into_iter().find(|t| severity_word(t) != VulnSeverity::Unknown)
    {
        return Ok((severity_word(word), format!("{tool}: {word}")));
    }
    let score = match properties.get("security-severity") {
        Some(node) => match node.value {
            Value::String(s) => s.trim().parse::<f64>().ok(),
            Value::Number(n) => n.as_f64(),
            _ => None,
        },
        None => None,
    };
    Ok(match score {
        Some(score) if score.is_finite() => {
            (VulnSeverity::from_cvss_score(score), format!("{tool}: security-severity {score}"))
        }
        _ => (VulnSeverity::Unknown, format!("{tool}: no severity given")),
    })
}

/// The package URLs a rule's properties list (`purls`; `purl` in Docker Scout before 1.0).
fn rule_purls<'a>(properties: &Node<'a>) -> Result<Vec<&'a str>, ImportError> {
    let mut purls = properties.str_array("purls")?;
    purls.extend(properties.opt_str("purl")?);
    Ok(purls)
}

/// Whether a rule's help text has a `Package:` line (Trivy, Grype; not Docker Scout).
fn help_names_package(rule: &Node<'_>) -> Result<bool, ImportError> {
    let text = match rule.get("help") {
        Some(help) => help.opt_str("text")?.unwrap_or_default(),
        None => "",
    };
    Ok(text.lines().any(|l| l.split_once(':').is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("package"))))
}

fn short_description(rule: &Node<'_>) -> Result<Option<String>, ImportError> {
    Ok(match rule.get("shortDescription") {
        Some(d) => non_empty(d.opt_str("text")?),
        None => None,
    })
}

/// The first of a comma-separated list of fix versions (one per release branch).
fn first_version(list: &str) -> Option<String> {
    list.split(',').find_map(|v| non_empty(Some(v)))
}

/// What the run scanned: Trivy's `run.properties`, else the image Grype's messages name.
fn image(run: &Node<'_>, results: &[Node<'_>]) -> Result<(String, Option<String>, Vec<String>), ImportError> {
    if let Some(properties) = run.get("properties") {
        let mut names: Vec<String> =
            properties.str_array("repoTags")?.into_iter().map(str::to_owned).collect();
        names.extend(properties.str_array("repoDigests")?.into_iter().map(str::to_owned));
        let reference = properties.opt_str("imageName")?.unwrap_or_default().to_owned();
        let image_id = non_empty(properties.opt_str("imageID")?);
        if !reference.is_empty() || image_id.is_some() || !names.is_empty() {
            return Ok((reference, image_id, names));
        }
    }
    let named = results.iter().find_map(|r| {
        let text = r.value.get("message")?.get("text")?.as_str()?;
        let (_, rest) = text.split_once(" was found in image ")?;
        let (name, _) = rest.split_once(" at: ").unwrap_or((rest, ""));
        non_empty(Some(name))
    });
    Ok((named.unwrap_or_default(), None, Vec::new()))
}
