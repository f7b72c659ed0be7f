//! SARIF from reports evaluated on the captured fixtures: valid against the official OASIS SARIF
//! 2.1.0 schema (tests/data/sarif-schema-2.1.0.json, see tests/data/README.md), one result per
//! problem finding, stable fingerprints, suppressions for waived findings.

mod common;

use serde_json::Value;
use zerodock_engine::{EvalConfig, Policy, Report, Snapshot, Status, evaluate};
use zerodock_report::sarif;

fn snapshot(name: &str) -> Snapshot {
    let path = format!("{}/../engine/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    Snapshot::from_json(&std::fs::read_to_string(path).expect("fixture")).expect("snapshot")
}

fn report(name: &str) -> Report {
    let snap = snapshot(name);
    let at = snap.collected_at;
    evaluate(&snap, &EvalConfig::at(at))
}

fn validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("json");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the official schema compiles")
}

fn assert_valid(log: &Value) {
    let validator = validator();
    let errors: Vec<String> =
        validator.iter_errors(log).take(20).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not validate against the 2.1.0 schema:\n{}", errors.join("\n"));
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

#[test]
fn both_fixtures_validate_against_the_official_schema() {
    for name in ["default", "hardened"] {
        let text = sarif::render(&report(name));
        let log: Value = serde_json::from_str(&text).expect("SARIF is JSON");
        assert_valid(&log);
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["runs"].as_array().map(Vec::len), Some(1), "one run");
    }
}

#[test]
fn the_validator_really_rejects_broken_sarif() {
    // Guards the test above: a validator that accepts anything would prove nothing.
    let mut log = sarif::to_value(&report("default"));
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator().is_valid(&log), "an invalid level must fail validation");
    let mut log = sarif::to_value(&report("default"));
    log["runs"][0]["tool"]["driver"].as_object_mut().expect("driver").remove("name");
    assert!(!validator().is_valid(&log), "a driver without a name must fail validation");
    let mut log = sarif::to_value(&report("default"));
    log["runs"][0]["tool"]["driver"]["informationUri"] = Value::from("not a uri");
    assert!(!validator().is_valid(&log), "formats (uri) are validated too");
}

#[test]
fn every_problem_finding_is_a_result_and_nothing_else_is() {
    let report = report("default");
    let log = sarif::to_value(&report);
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), zerodock_engine::catalogue().len(), "rules are the whole catalogue");
    let expected: usize = report
        .checks
        .iter()
        .flat_map(|c| &c.findings)
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn | Status::Unknown | Status::Manual))
        .count();
    let results = results(&log);
    assert_eq!(results.len(), expected);
    for r in results {
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "ruleIndex points at the rule");
        let location = &r["locations"][0];
        assert!(
            location["physicalLocation"]["artifactLocation"]["uri"].as_str().is_some_and(|u| !u.is_empty())
        );
        assert!(location["logicalLocations"][0]["fullyQualifiedName"].as_str().is_some());
    }

    // A critical failure is an error with its evidence in the message, located on its container.
    let privileged = results
        .iter()
        .find(|r| {
            r["ruleId"] == "CTR001" && r["locations"][0]["logicalLocations"][0]["name"] == "zd-privileged"
        })
        .expect("CTR001 on zd-privileged");
    assert_eq!(privileged["level"], "error");
    let message = privileged["message"]["text"].as_str().expect("message");
    assert!(message.contains("HostConfig.Privileged = true"), "{message}");
    assert_eq!(
        privileged["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "docker://container/zd-privileged"
    );
    assert_eq!(privileged["locations"][0]["logicalLocations"][0]["kind"], "container");

    // A warning is a warning; a low failure is a warning too.
    let warn = results.iter().find(|r| r["ruleId"] == "DMN005").expect("DMN005 warns");
    assert_eq!(warn["level"], "warning");
    let low = results.iter().find(|r| r["ruleId"] == "CTR012").expect("CTR012 fails");
    assert_eq!(low["level"], "warning");

    // A daemon check points at the daemon.json it changes.
    let daemon = results.iter().find(|r| r["ruleId"] == "DMN001").expect("DMN001");
    let plan = report.daemon_json_plan.as_ref().expect("the fixture has daemon.json changes");
    assert_eq!(
        daemon["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        format!("file://{}", plan.path)
    );
}

#[test]
fn rules_carry_help_severity_and_tags() {
    let log = sarif::to_value(&report("default"));
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    let rule = rules.iter().find(|r| r["id"] == "CTR001").expect("CTR001 rule");
    assert_eq!(rule["name"], "privileged-container");
    assert_eq!(rule["properties"]["security-severity"], "9.5");
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
    assert!(rule["help"]["markdown"].as_str().is_some_and(|m| m.contains("**Why it matters**")));
    assert!(rule["help"]["text"].as_str().is_some_and(|t| t.contains("How to fix")));
    assert!(rule["helpUri"].as_str().is_some_and(|u| u.starts_with("https://")));
    let tags: Vec<&str> =
        rule["properties"]["tags"].as_array().expect("tags").iter().filter_map(Value::as_str).collect();
    assert!(
        tags.contains(&"security") && tags.contains(&"containers") && tags.contains(&"CIS-v1.8.0-5.5"),
        "{tags:?}"
    );
    for (code, score) in [("CTR002", "8.0"), ("CTR007", "5.5"), ("CTR008", "3.0")] {
        let rule = rules.iter().find(|r| r["id"] == code).expect("rule");
        assert_eq!(rule["properties"]["security-severity"], score, "{code}");
    }
}

fn tags_of<'a>(rules: &'a [Value], code: &str) -> Vec<&'a str> {
    let rule = rules.iter().find(|r| r["id"] == code).unwrap_or_else(|| panic!("{code} rule"));
    rule["properties"]["tags"].as_array().expect("tags").iter().filter_map(Value::as_str).collect()
}

/// CIS tags name the benchmark version (v1.8.0, and v1.6.0 where docker-bench numbers differ), are
/// single tokens, and stay within GitHub's 20 tags per rule.
#[test]
fn cis_tags_are_versioned_tokens() {
    let mut report = report("default");
    let log = sarif::to_value(&report);
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    let dmn006 = tags_of(rules, "DMN006");
    assert!(dmn006.contains(&"CIS-v1.8.0-2.8") && dmn006.contains(&"CIS-v1.6.0-2.7"), "{dmn006:?}");
    assert!(!dmn006.contains(&"CIS-v1.6.0-2.8"), "{dmn006:?}");
    let hst012 = tags_of(rules, "HST012");
    assert!(
        hst012.contains(&"CIS-v1.8.0-3.1..3.14") && hst012.contains(&"CIS-v1.8.0-3.19..3.24"),
        "{hst012:?}"
    );
    for rule in rules {
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        assert!(tags.len() <= 20, "{}: {} tags", rule["id"], tags.len());
        assert!(tags.iter().filter_map(Value::as_str).all(|t| !t.contains(' ')), "{}: {tags:?}", rule["id"]);
    }

    // A report saved before references carried a version used v1.6.0 numbers: tagged as such.
    let check = report.checks.iter_mut().find(|c| c.id == "DMN006").expect("DMN006");
    check.references = vec!["CIS Docker Benchmark 2.7".to_owned()];
    let log = sarif::to_value(&report);
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    let old = tags_of(rules, "DMN006");
    assert!(old.contains(&"CIS-v1.6.0-2.7") && !old.iter().any(|t| t.starts_with("CIS-v1.8.0")), "{old:?}");
}

#[test]
fn fingerprints_are_stable_across_scans_and_container_recreation() {
    let snap = snapshot("default");
    let first = evaluate(&snap, &EvalConfig::at(snap.collected_at));
    let mut second = evaluate(&snap, &EvalConfig::at(snap.collected_at + chrono::Duration::hours(6)));
    // A recreated container keeps its name and gets a new id: the alert must stay the same one.
    for finding in second.checks.iter_mut().flat_map(|c| c.findings.iter_mut()) {
        if let Some(id) = &mut finding.target.id {
            *id = id.chars().rev().collect();
        }
    }
    let prints = |report: &Report| -> Vec<String> {
        results(&sarif::to_value(report))
            .iter()
            .map(|r| {
                r["partialFingerprints"][sarif::FINGERPRINT_KEY].as_str().expect("fingerprint").to_owned()
            })
            .collect()
    };
    let (a, b) = (prints(&first), prints(&second));
    assert_eq!(a, b);
    let mut unique = a.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), a.len(), "one fingerprint per (check, target)");
    assert!(a.iter().all(|p| p.len() == 64 && p.chars().all(|c| c.is_ascii_hexdigit())), "sha256 hex");
}

#[test]
fn waived_findings_are_suppressed_with_their_justification() {
    let snap = snapshot("default");
    let policy = Policy::from_toml(
        "[[waiver]]\ncheck = \"CTR001\"\ntarget = \"zd-privileged\"\nreason = \"lab box, isolated\"\nexpires = \"2099-01-01\"\n",
    )
    .expect("policy");
    let report = evaluate(&snap, &EvalConfig { policy, ..EvalConfig::at(snap.collected_at) });
    let log = sarif::to_value(&report);
    assert_valid(&log);
    let waived = results(&log)
        .iter()
        .find(|r| {
            r["ruleId"] == "CTR001" && r["locations"][0]["logicalLocations"][0]["name"] == "zd-privileged"
        })
        .expect("the waived failure is still a result");
    let suppression = &waived["suppressions"][0];
    assert_eq!(suppression["kind"], "external");
    assert_eq!(suppression["status"], "accepted");
    assert_eq!(suppression["justification"], "lab box, isolated (waived until 2099-01-01)");
    let others = results(&log).iter().filter(|r| r.get("suppressions").is_some()).count();
    assert_eq!(others, 1, "only the waived finding is suppressed");
}

#[test]
fn unknowns_are_notes_with_their_reason_and_engine_outage_is_a_failed_invocation() {
    let mut report = report("default");
    let check = report.checks.iter_mut().find(|c| c.id == "DMN002").expect("DMN002");
    let finding = &mut check.findings[0];
    finding.status = Status::Unknown;
    finding.reason = Some("needs root to read /etc/docker".to_owned());
    finding.message = "Unknown: needs root to read /etc/docker".to_owned();
    report.subject.engine_unavailable = Some("permission denied on the socket".to_owned());
    report.notes.push("container zd-x was removed during the scan".to_owned());
    let log = sarif::to_value(&report);
    assert_valid(&log);
    let note = results(&log).iter().find(|r| r["ruleId"] == "DMN002").expect("DMN002");
    assert_eq!(note["level"], "note");
    assert!(note["message"]["text"].as_str().is_some_and(|m| m.contains("needs root")));
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().expect("notifications");
    assert!(
        notes.iter().any(|n| n["message"]["text"].as_str().is_some_and(|t| t.contains("permission denied")))
    );
    assert!(notes.iter().any(|n| n["message"]["text"].as_str().is_some_and(|t| t.contains("zd-x"))));
}

#[test]
fn no_secret_value_reaches_the_sarif() {
    let text = sarif::render(&report("default"));
    assert!(!text.contains(common::planted_secret()));
}

#[test]
fn compose_containers_point_at_their_compose_file() {
    let mut snap = snapshot("default");
    let engine = match &mut snap.engine {
        zerodock_engine::Fact::Available { value } => value,
        zerodock_engine::Fact::Unavailable { .. } => panic!("fixture has an engine"),
    };
    let containers = match &mut engine.containers {
        zerodock_engine::Fact::Available { value } => value,
        zerodock_engine::Fact::Unavailable { .. } => panic!("fixture has containers"),
    };
    let target = containers.iter_mut().find(|c| c.name == "zd-privileged").expect("zd-privileged");
    target.labels.insert("com.docker.compose.project.config_files".into(), "/srv/app/compose.yaml".into());
    let at = snap.collected_at;
    let log = sarif::to_value(&evaluate(&snap, &EvalConfig::at(at)));
    assert_valid(&log);
    let uris: Vec<&str> = results(&log)
        .iter()
        .filter(|r| r["locations"][0]["logicalLocations"][0]["name"] == "zd-privileged")
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("uri"))
        .collect();
    assert!(!uris.is_empty());
    assert!(uris.iter().all(|u| *u == "file:///srv/app/compose.yaml"), "{uris:?}");

    // Compose v1 labels the file relative to the project's working_dir.
    let engine = match &mut snap.engine {
        zerodock_engine::Fact::Available { value } => value,
        zerodock_engine::Fact::Unavailable { .. } => panic!("fixture has an engine"),
    };
    let containers = match &mut engine.containers {
        zerodock_engine::Fact::Available { value } => value,
        zerodock_engine::Fact::Unavailable { .. } => panic!("fixture has containers"),
    };
    let target = containers.iter_mut().find(|c| c.name == "zd-privileged").expect("zd-privileged");
    target.labels.insert("com.docker.compose.project.config_files".into(), "docker-compose.yml".into());
    target.labels.insert("com.docker.compose.project.working_dir".into(), "/srv/v1app".into());
    target.labels.insert("com.docker.compose.service".into(), "web".into());
    let log = sarif::to_value(&evaluate(&snap, &EvalConfig::at(at)));
    assert_valid(&log);
    let uris: Vec<&str> = results(&log)
        .iter()
        .filter(|r| r["locations"][0]["logicalLocations"][0]["name"] == "zd-privileged")
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("uri"))
        .collect();
    assert!(!uris.is_empty());
    assert!(uris.iter().all(|u| *u == "file:///srv/v1app/docker-compose.yml"), "{uris:?}");

    // The fixture's host never read that file: the line is unknown, so no region is guessed (a
    // readable file's line is tested against a real docker-compose in tests/compose_live.rs).
    let privileged = results(&log)
        .iter()
        .find(|r| {
            r["ruleId"] == "CTR001" && r["locations"][0]["logicalLocations"][0]["name"] == "zd-privileged"
        })
        .expect("CTR001 on zd-privileged");
    assert!(privileged["locations"][0]["physicalLocation"].get("region").is_none(), "{privileged}");
    assert!(
        privileged["message"]["text"].as_str().is_some_and(|t| t.contains("line unknown")),
        "{privileged}"
    );
}

/// The results that stand for one vulnerability each (they carry the vulnerability fingerprint).
fn vulnerability_results(log: &Value) -> Vec<&Value> {
    results(log)
        .iter()
        .filter(|r| r["partialFingerprints"][sarif::VULN_FINGERPRINT_KEY].is_string())
        .collect()
}

#[test]
fn each_vulnerability_is_a_result_located_on_its_package() {
    let report = report("vulns");
    let scan = report.vulnerabilities.as_ref().expect("the vulns fixture has a vulnerability part");
    let log = sarif::to_value(&report);
    assert_valid(&log);
    let vulns = vulnerability_results(&log);
    // Every vulnerability the scan found, once: the fixture's band checks cover all of them.
    let expected: usize = scan.images.iter().map(|i| i.vulnerabilities.len()).sum();
    assert_eq!(vulns.len(), expected, "one result per vulnerability");
    assert!(expected >= 3, "a weak fixture");

    let zlib = vulns
        .iter()
        .find(|r| r["properties"]["advisoryId"] == "ALPINE-CVE-2022-37434")
        .expect("the critical zlib advisory");
    assert_eq!(zlib["ruleId"], "VUL001");
    assert_eq!(zlib["level"], "error", "critical and fixable: the check's level");
    let location = &zlib["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "pkg:apk/alpine/zlib@1.2.12-r1?arch=x86_64&distro=alpine-3.22.1",
        "the package URL is the location"
    );
    assert_eq!(location["logicalLocations"][0]["kind"], "package");
    assert_eq!(location["logicalLocations"][0]["fullyQualifiedName"], "image/zerodock/vuln-alpine:1/zlib");
    let message = zlib["message"]["text"].as_str().expect("message");
    assert!(
        message.contains("ALPINE-CVE-2022-37434")
            && message.contains("ALPINE-CVE-2022-37434 (CVE-2022-37434) in image")
            && message.contains("zlib 1.2.12-r1 → 1.2.12-r2")
            && message.contains("zerodock/vuln-alpine:1"),
        "{message}"
    );
    let p = &zlib["properties"];
    assert_eq!(p["aliases"], serde_json::json!(["CVE-2022-37434"]));
    assert_eq!(p["fixedVersion"], "1.2.12-r2");
    assert!(p["severitySource"].as_str().is_some_and(|s| s.starts_with("CVSS:3.1/")), "{p}");
    assert_eq!(p["databaseAsOf"], "2026-08-07");

    // Unrated and fixable (VUL005 warns): a warning naming why it has no severity.
    let unrated = vulns
        .iter()
        .find(|r| r["properties"]["advisoryId"] == "DLA-4413-1")
        .expect("the Debian advisory without a severity");
    assert_eq!(unrated["ruleId"], "VUL005");
    assert_eq!(unrated["level"], "warning");
    let message = unrated["message"]["text"].as_str().expect("message");
    assert!(message.contains("Severity unrated") && message.contains("node-url-parse"), "{message}");

    // The per-image result of a band check is replaced by its vulnerabilities, never doubled.
    let per_image = results(&log)
        .iter()
        .filter(|r| r["ruleId"] == "VUL001" && r["partialFingerprints"][sarif::FINGERPRINT_KEY].is_string())
        .count();
    assert_eq!(per_image, 0, "VUL001's finding is its vulnerabilities");
    // Other checks keep their per-finding result: VUL007 (end of support) on the Debian 11 image.
    let eol = results(&log).iter().find(|r| r["ruleId"] == "VUL007").expect("VUL007 fails on Debian 11");
    assert_eq!(
        eol["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "docker://image/zerodock/vuln-debian%3A1"
    );
    assert!(!serde_json::to_string(&log).expect("json").contains(common::planted_secret()));
}

#[test]
fn vulnerability_results_of_the_vulns_fixture() {
    let log = sarif::to_value(&report("vulns"));
    // The rule index moves whenever the catalogue gains a check: not part of this snapshot.
    let vulns: Vec<Value> = vulnerability_results(&log)
        .into_iter()
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().expect("result").remove("ruleIndex");
            r
        })
        .collect();
    insta::assert_json_snapshot!("sarif_vulnerabilities", vulns);
}

#[test]
fn vulnerability_fingerprints_are_per_image_package_and_advisory() {
    let snap = snapshot("vulns");
    let first = evaluate(&snap, &EvalConfig::at(snap.collected_at));
    let later = evaluate(&snap, &EvalConfig::at(snap.collected_at + chrono::Duration::days(3)));
    let prints = |report: &Report| -> Vec<String> {
        vulnerability_results(&sarif::to_value(report))
            .iter()
            .map(|r| {
                r["partialFingerprints"][sarif::VULN_FINGERPRINT_KEY].as_str().expect("print").to_owned()
            })
            .collect()
    };
    let a = prints(&first);
    assert_eq!(a, prints(&later), "stable across scans");
    let mut unique = a.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), a.len(), "distinct per vulnerability");

    // Re-rating an advisory moves it to another band check; it stays the same alert.
    let mut rerated = first.clone();
    let scan = rerated.vulnerabilities.as_mut().expect("scan");
    for v in scan.images.iter_mut().flat_map(|i| i.vulnerabilities.iter_mut()) {
        if v.id == "DLA-4413-1" {
            v.severity = zerodock_engine::snapshot::VulnSeverity::High;
        }
    }
    let image = scan.images.iter().find(|i| i.image == "zerodock/vuln-debian:1").expect("image");
    let expected = sarif::vulnerability_fingerprint(&image.image_id, "node-url-parse", "DLA-4413-1");
    // The band checks judged the original; re-evaluating is the engine's job, so move the
    // finding by hand: VUL005's finding on the image now reads as VUL002's.
    let finding = first
        .checks
        .iter()
        .find(|c| c.id == "VUL005")
        .and_then(|c| c.findings.iter().find(|f| f.target.name == "zerodock/vuln-debian:1"))
        .expect("VUL005 on the Debian image")
        .clone();
    let vul002 = rerated.checks.iter_mut().find(|c| c.id == "VUL002").expect("VUL002");
    vul002.findings.retain(|f| f.target.name != "zerodock/vuln-debian:1");
    vul002.findings.push(finding);
    let log = sarif::to_value(&rerated);
    let moved = vulnerability_results(&log)
        .into_iter()
        .find(|r| r["ruleId"] == "VUL002" && r["properties"]["advisoryId"] == "DLA-4413-1")
        .expect("now under VUL002");
    assert_eq!(moved["partialFingerprints"][sarif::VULN_FINGERPRINT_KEY], expected);
    assert!(a.contains(&expected), "the same fingerprint as before the re-rating");
}

#[test]
fn a_waived_band_finding_suppresses_each_of_its_vulnerabilities() {
    let snap = snapshot("vulns");
    let policy = Policy::from_toml(
        "[[waiver]]\ncheck = \"VUL001\"\ntarget = \"zerodock/vuln-alpine:1\"\nreason = \"rebuilt Friday\"\n",
    )
    .expect("policy");
    let report = evaluate(&snap, &EvalConfig { policy, ..EvalConfig::at(snap.collected_at) });
    let log = sarif::to_value(&report);
    assert_valid(&log);
    let zlib = vulnerability_results(&log)
        .into_iter()
        .find(|r| r["properties"]["advisoryId"] == "ALPINE-CVE-2022-37434")
        .expect("still a result");
    assert_eq!(zlib["suppressions"][0]["justification"], "rebuilt Friday");
}
