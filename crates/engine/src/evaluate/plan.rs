//! Builds the daemon.json plan: every `daemon.json` change the failing checks recommend, merged into
//! the file the engine actually reads (and restarting dockerd once, not once per fix).

use serde_json::{Map, Value};

use crate::report::{
    CheckResult, DaemonJsonChange, DaemonJsonPlaceholder, DaemonJsonPlan, SnippetKind, Status, is_placeholder,
};
use crate::snapshot::secrets::REDACTED;
use crate::snapshot::{Fact, Snapshot};

/// The plan for `snap` given its evaluated checks; `None` when no failing check asks for a
/// `daemon.json` change.
pub(crate) fn daemon_json(snap: &Snapshot, checks: &[CheckResult]) -> Option<DaemonJsonPlan> {
    let mut fragments: Vec<(&str, Map<String, Value>)> = Vec::new();
    for check in checks {
        let mut seen: Vec<&str> = Vec::new();
        for finding in check
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Fail | Status::Warn) && f.waived.is_none())
        {
            for snippet in finding
                .remediation
                .iter()
                .filter(|s| s.kind == SnippetKind::DaemonJson && !is_alternative(&s.label))
            {
                if seen.contains(&snippet.code.as_str()) {
                    continue;
                }
                seen.push(&snippet.code);
                if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(&snippet.code) {
                    fragments.push((&check.id, map));
                }
            }
        }
    }
    if fragments.is_empty() {
        return None;
    }

    let mut warnings = Vec::new();
    let (path, exists, current) = match &snap.host.daemon_json {
        Fact::Available { value: Some(file) } => (file.file.path.clone(), true, Some(file.settings.clone())),
        Fact::Available { value: None } => (default_path(snap), false, Some(Map::new())),
        Fact::Unavailable { reason } => {
            warnings.push(format!(
                "the current daemon.json could not be read ({reason}): merge these keys into it by hand"
            ));
            (default_path(snap), false, None)
        }
    };
    let mut proposed = current.clone().unwrap_or_default();
    let mut changes = Vec::new();
    for (check, mut fragment) in fragments {
        replace_options_of_a_new_driver(&mut proposed, &mut fragment, check, &mut changes);
        merge(&mut proposed, fragment, "", check, &mut changes);
    }
    if let Some(current) = &current {
        let redacted = redacted_keys(current, "");
        if !redacted.is_empty() {
            warnings.push(format!(
                "values of {} were hidden when the file was read: keep the values from your current file",
                redacted.join(", ")
            ));
        }
    }
    let pretty = |m: &Map<String, Value>| {
        serde_json::to_string_pretty(&Value::Object(m.clone())).unwrap_or_else(|_| "{}".to_owned())
    };
    let mut placeholders = Vec::new();
    for (key, value) in &proposed {
        find_placeholders(value, key, &mut placeholders);
    }
    Some(DaemonJsonPlan {
        path,
        exists,
        current: current.as_ref().map(pretty),
        proposed: pretty(&proposed),
        changes,
        warnings,
        placeholders,
    })
}

/// Every string of `value` (at dotted `key`) that is a placeholder the user must replace.
fn find_placeholders(value: &Value, key: &str, out: &mut Vec<DaemonJsonPlaceholder>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                find_placeholders(v, &format!("{key}.{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                find_placeholders(v, &format!("{key}[{i}]"), out);
            }
        }
        Value::String(s) if is_placeholder(s) => {
            out.push(DaemonJsonPlaceholder { key: key.to_owned(), value: s.clone() });
        }
        _ => {}
    }
}

/// Alternatives ("Or require mutual TLS…", "Or, if logs must stay local: …") are choices offered
/// beside the recommendation, not part of it: merging DMN005's local-rotation alternative put
/// json-file's `max-size` under `"log-driver": "syslog"`, and dockerd refused to start on the file
/// (caught by `xtask/src/remediation.rs` applying the plan to a real dockerd).
fn is_alternative(label: &str) -> bool {
    label.strip_prefix("Or").is_some_and(|rest| rest.starts_with([' ', ',']))
}

fn default_path(snap: &Snapshot) -> String {
    let windows = snap.host.os.ok().is_some_and(|os| os.family.eq_ignore_ascii_case("windows"));
    if windows { r"C:\ProgramData\docker\config\daemon.json" } else { "/etc/docker/daemon.json" }.to_owned()
}

/// Options that belong to a driver, with the driver dockerd uses when none is set. Options are
/// validated per driver at start: json-file's `max-size` left under `"log-driver": "syslog"`
/// makes dockerd refuse to start ("unknown log opt 'max-size' for syslog log driver").
const DRIVER_OPTIONS: [(&str, &str, &str); 2] =
    [("log-driver", "log-opts", "json-file"), ("storage-driver", "storage-opts", "")];

/// When `fragment` switches a driver, its options replace the old driver's as a whole instead of
/// being merged into them (and are taken out of `fragment`).
fn replace_options_of_a_new_driver(
    into: &mut Map<String, Value>,
    fragment: &mut Map<String, Value>,
    check: &str,
    changes: &mut Vec<DaemonJsonChange>,
) {
    for (driver_key, options_key, default) in DRIVER_OPTIONS {
        let Some(new_driver) = fragment.get(driver_key).and_then(Value::as_str) else { continue };
        let old_driver = into.get(driver_key).and_then(Value::as_str).unwrap_or(default);
        if new_driver == old_driver {
            continue;
        }
        let new_options = fragment.remove(options_key);
        let old_options = into.remove(options_key);
        if old_options.is_none() && new_options.is_none() {
            continue;
        }
        changes.retain(|c| c.key != options_key && !c.key.starts_with(&format!("{options_key}.")));
        changes.push(DaemonJsonChange {
            check: check.to_owned(),
            key: options_key.to_owned(),
            current: old_options.as_ref().map(Value::to_string),
            proposed: new_options.as_ref().map_or_else(|| "{}".to_owned(), Value::to_string),
        });
        if let Some(options) = new_options {
            into.insert(options_key.to_owned(), options);
        }
    }
}

/// Merges `fragment` into `into`: objects key by key, anything else replaced. Records each leaf
/// that changes.
fn merge(
    into: &mut Map<String, Value>,
    fragment: Map<String, Value>,
    prefix: &str,
    check: &str,
    changes: &mut Vec<DaemonJsonChange>,
) {
    for (key, value) in fragment {
        let dotted = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match (into.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(inner)) => {
                merge(existing, inner, &dotted, check, changes);
            }
            (existing, value) => {
                let before = existing.map(|v| v.to_string());
                if before.as_deref() != Some(value.to_string().as_str()) {
                    changes.retain(|c: &DaemonJsonChange| c.key != dotted);
                    changes.push(DaemonJsonChange {
                        check: check.to_owned(),
                        key: dotted,
                        current: before,
                        proposed: value.to_string(),
                    });
                }
                into.insert(key, value);
            }
        }
    }
}

fn redacted_keys(map: &Map<String, Value>, prefix: &str) -> Vec<String> {
    map.iter()
        .flat_map(|(k, v)| {
            let dotted = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            match v {
                Value::Object(inner) => redacted_keys(inner, &dotted),
                Value::String(s) if s == REDACTED => vec![dotted],
                _ => Vec::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::checks::testing::{fixture, variant};
    use crate::evaluate::{EvalConfig, evaluate};

    #[test]
    fn the_weak_daemon_gets_one_merged_file_keeping_its_settings() {
        let snap = fixture("default");
        let report = evaluate(&snap, &EvalConfig::at(snap.collected_at));
        let plan = report.daemon_json_plan.clone().expect("the weak daemon needs daemon.json changes");
        let proposed: Value = serde_json::from_str(&plan.proposed).expect("valid JSON");
        let current: Value = serde_json::from_str(plan.current.as_deref().expect("readable")).expect("json");
        // Every key of the current file survives unless a change names it.
        for (key, value) in current.as_object().expect("object") {
            if !plan.changes.iter().any(|c| c.key == *key || c.key.starts_with(&format!("{key}."))) {
                assert_eq!(proposed.get(key), Some(value), "{key} kept");
            }
        }
        assert!(plan.changes.iter().any(|c| c.key == "icc" && c.proposed == "false"), "{:?}", plan.changes);
        // DMN005's "Or, if logs must stay local" rotation is a choice: json-file's options under
        // syslog stop dockerd from starting.
        assert_eq!(proposed["log-driver"], "syslog");
        assert!(proposed["log-opts"].get("max-size").is_none(), "{}", plan.proposed);
        assert!(
            !is_alternative("Merge into /etc/docker/daemon.json")
                && is_alternative("Or, if logs must stay local: x")
        );
        assert!(plan.changes.iter().all(|c| report.check(&c.check).is_some()));
        let mut keys: Vec<&str> = plan.changes.iter().map(|c| c.key.as_str()).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len(), "one change per key");
        // The syslog server's address is an example the user must replace: the plan names it,
        // and nothing else of the file (`{{.Name}}` is a log tag template, a value to keep).
        assert_eq!(
            plan.placeholders,
            [DaemonJsonPlaceholder {
                key: "log-opts.syslog-address".to_owned(),
                value: "tcp+tls://logs.example.internal:6514".to_owned()
            }]
        );
    }

    #[test]
    fn placeholders_are_told_from_values() {
        for p in ["tcp+tls://logs.example.internal:6514", "https://example.com/x", "<address>", "CHANGE_ME"] {
            assert!(is_placeholder(p), "{p}");
        }
        for v in [
            "{{.Name}}",
            "udp://127.0.0.1:514",
            "default",
            "10m",
            "127.0.0.1",
            "/tmp",
            "info",
            "syslog",
            "ALL",
        ] {
            assert!(!is_placeholder(v), "{v}");
        }
        let mut found = Vec::new();
        find_placeholders(&json!({ "a": ["x", "HOST_NAME"], "b": "c" }), "opts", &mut found);
        assert_eq!(
            found,
            [DaemonJsonPlaceholder { key: "opts.a[1]".to_owned(), value: "HOST_NAME".to_owned() }]
        );
    }

    #[test]
    fn nested_objects_merge_and_redacted_values_are_flagged() {
        let mut into =
            json!({ "log-opts": { "max-size": "1m", "tag": "x" }, "proxies": { "http-proxy": REDACTED } });
        let Value::Object(ref mut map) = into else { unreachable!() };
        let mut changes = Vec::new();
        let Value::Object(fragment) = json!({ "log-opts": { "max-size": "10m", "max-file": "3" } }) else {
            unreachable!()
        };
        merge(map, fragment, "", "DMN009", &mut changes);
        assert_eq!(map["log-opts"], json!({ "max-size": "10m", "max-file": "3", "tag": "x" }));
        assert_eq!(changes.len(), 2);
        let size = changes.iter().find(|c| c.key == "log-opts.max-size").expect("max-size change");
        assert_eq!(size.current.as_deref(), Some("\"1m\""));
        assert_eq!(redacted_keys(map, ""), vec!["proxies.http-proxy".to_owned()]);
    }

    #[test]
    fn a_clean_daemon_has_no_plan_and_an_unreadable_file_is_said() {
        let hardened = fixture("hardened");
        let report = evaluate(&hardened, &EvalConfig::at(hardened.collected_at));
        if let Some(plan) = &report.daemon_json_plan {
            assert!(plan.changes.len() < 4, "the hardened daemon needs little: {:?}", plan.changes);
        }
        let unreadable = variant("default", |s| {
            s.host.daemon_json = Fact::unavailable("permission denied reading /etc/docker/daemon.json");
        });
        let report = evaluate(&unreadable, &EvalConfig::at(unreadable.collected_at));
        let plan = report.daemon_json_plan.expect("plan");
        assert!(plan.current.is_none());
        assert!(plan.warnings[0].contains("by hand"), "{:?}", plan.warnings);
    }

    /// A fix that switches the log driver takes the old driver's options away: dockerd refuses to
    /// start with json-file's rotation options under syslog.
    #[test]
    fn a_new_log_driver_brings_its_own_options() {
        let mut into = json!({ "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" }, "icc": false });
        let Value::Object(ref mut map) = into else { unreachable!() };
        let Value::Object(mut fragment) = json!({ "log-driver": "syslog", "log-opts": { "syslog-address": "tcp+tls://logs.example.internal:6514" } })
        else {
            unreachable!()
        };
        let mut changes = Vec::new();
        replace_options_of_a_new_driver(map, &mut fragment, "DMN005", &mut changes);
        merge(map, fragment, "", "DMN005", &mut changes);
        assert_eq!(map["log-opts"], json!({ "syslog-address": "tcp+tls://logs.example.internal:6514" }));
        assert_eq!(map["log-driver"], "syslog");
        assert_eq!(map["icc"], false);
        let opts = changes.iter().find(|c| c.key == "log-opts").expect("the options change is listed");
        assert!(opts.current.as_deref().is_some_and(|c| c.contains("max-size")), "{opts:?}");

        // The same driver again: options merge as before.
        let Value::Object(mut same) = json!({ "log-driver": "syslog", "log-opts": { "tag": "{{.Name}}" } })
        else {
            unreachable!()
        };
        replace_options_of_a_new_driver(map, &mut same, "DMN005", &mut changes);
        merge(map, same, "", "DMN005", &mut changes);
        assert_eq!(map["log-opts"]["syslog-address"], "tcp+tls://logs.example.internal:6514");
        assert_eq!(map["log-opts"]["tag"], "{{.Name}}");
    }
}
