//! Points the Compose fixes of Compose-created containers at the line to edit: the offending key
//! of the service in the project's Compose file, as read at collection (`Host::compose_files`).
//! The checks write the fragment; this stage, which sees the whole snapshot, adds where it goes,
//! so no check needs to know how the file was read.

use std::collections::HashMap;

use crate::report::{FileLocation, Finding, SnippetKind, TargetKind};
use crate::snapshot::{Container, Snapshot};

/// Sets the location of every Compose snippet of `findings` (container targets only) and says it
/// in the snippet's label, which is what every output shows beside the fragment.
pub(crate) fn locate(snap: &Snapshot, findings: &mut [Finding]) {
    let Ok(containers) = snap.containers() else { return };
    // By name once: a search per finding made this stage quadratic (10 000 containers × 32
    // checks' findings: most of a giant host's evaluation time).
    let mut by_name: HashMap<&str, Vec<&Container>> = HashMap::with_capacity(containers.len());
    for c in containers {
        by_name.entry(c.name.as_str()).or_default().push(c);
    }
    for finding in findings.iter_mut().filter(|f| f.target.kind == TargetKind::Container) {
        let Some(c) = by_name.get(finding.target.name.as_str()).and_then(|same| {
            same.iter().copied().find(|c| finding.target.id.as_deref().is_none_or(|id| c.id.starts_with(id)))
        }) else {
            continue;
        };
        for snippet in finding.remediation.iter_mut().filter(|s| s.kind == SnippetKind::Compose) {
            let key = first_key(&snippet.code);
            let Some((location, label)) = locate_key(snap, c, key.as_deref()) else { continue };
            snippet.label = label;
            snippet.location = Some(location);
        }
    }
}

/// The key the fragment is about: the first it sets under its service (`privileged` of
/// `services:\n  web:\n    privileged: false`), or the one a leading removal comment names
/// (`# remove \`pid: host\``, `# remove from volumes:`, `# remove \`seccomp:unconfined\` from
/// security_opt`); `None` when it only comments otherwise.
fn first_key(code: &str) -> Option<String> {
    let word = |text: &str| {
        let key = text.trim().trim_matches('`').split([':', ' ', '`']).next().unwrap_or_default();
        (!key.is_empty()).then(|| key.to_owned())
    };
    code.lines().find_map(|line| {
        let rest = line.strip_prefix("    ")?;
        if let Some(comment) = rest.strip_prefix('#') {
            let removed = comment.trim().strip_prefix("remove")?;
            return match removed.split_once("from ") {
                Some((_, key)) => word(key),
                None => word(removed),
            };
        }
        if rest.starts_with([' ', '-']) {
            return None;
        }
        word(rest)
    })
}

/// Where `key` of `c`'s service is written, with the label that says so; `None` when Compose did
/// not create `c` or its labels name no file.
fn locate_key(snap: &Snapshot, c: &Container, key: Option<&str>) -> Option<(FileLocation, String)> {
    let service = c.compose_service()?;
    let files = c.compose_files()?;
    let first = files.first()?.clone();
    let unknown = |path: String, why: String| {
        let label = format!("In {path}, service `{service}` (line unknown: {why})");
        Some((FileLocation { path, line: None, note: format!("line unknown: {why}") }, label))
    };
    let read = match snap.host.compose_files.get() {
        Ok(read) => read,
        Err(reason) => return unknown(first, format!("the Compose files were not read ({reason})")),
    };
    // Later files override earlier ones (`-f a.yml -f b.yml`), so the key is looked up from the
    // last file back; the service is added to where it is first defined.
    let mut service_at: Option<(String, u32)> = None;
    for path in files.iter().rev() {
        let Some(file) = read.iter().find(|f| &f.path == path) else {
            return unknown(path.clone(), "this file was not read at collection".to_owned());
        };
        let services = match file.services.get() {
            Ok(services) => services,
            Err(reason) => return unknown(path.clone(), reason.to_owned()),
        };
        let Some(lines) = services.get(service) else { continue };
        if let Some(key) = key
            && let Some(&line) = lines.keys.get(key)
        {
            let note = format!("`{key}` of service `{service}`");
            let label = format!("In {path}, line {line}: {note}");
            return Some((FileLocation { path: path.clone(), line: Some(line), note }, label));
        }
        service_at = Some((path.clone(), lines.line));
    }
    let Some((path, line)) = service_at else {
        return unknown(first, format!("no file of the project defines service `{service}` now"));
    };
    let note = match key {
        Some(key) => format!("service `{service}`, which does not set `{key}` yet"),
        None => format!("service `{service}`"),
    };
    let label = format!("In {path}, line {line}: {note}");
    Some((FileLocation { path, line: Some(line), note }, label))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::checks::testing::variant;
    use crate::evaluate::{EvalConfig, evaluate};
    use crate::snapshot::{ComposeFile, ComposeServiceLines, Fact};

    #[test]
    fn the_first_key_of_a_fragment() {
        assert_eq!(first_key("services:\n  web:\n    privileged: false").as_deref(), Some("privileged"));
        assert_eq!(first_key("services:\n  web:\n    ports:\n      - \"80:80\"").as_deref(), Some("ports"));
        assert_eq!(first_key("services:\n  web:\n    # unchanged"), None);
        for (comment, key) in [
            ("# remove `pid: host`", "pid"),
            ("# remove from volumes:\n  - /:/host", "volumes"),
            ("# remove `seccomp:unconfined` from security_opt", "security_opt"),
            ("# remove cgroup_parent:", "cgroup_parent"),
            ("# remove `network_mode: host`\nnetworks: [\"app-net\"]", "network_mode"),
        ] {
            let code = format!("services:\n  web:\n    {}", comment.replace('\n', "\n    "));
            assert_eq!(first_key(&code).as_deref(), Some(key), "{comment}");
        }
    }

    /// zd-privileged as if Compose 1.29 had created it from /srv/v1app/docker-compose.yml.
    fn compose_variant(services: Fact<BTreeMap<String, ComposeServiceLines>>) -> Snapshot {
        variant("default", |s| {
            let engine = s.engine.ok_mut().expect("engine");
            let c = engine.containers.ok_mut().expect("containers");
            let c = c.iter_mut().find(|c| c.name == "zd-privileged").expect("zd-privileged");
            c.labels.insert("com.docker.compose.service".into(), "web".into());
            c.labels.insert("com.docker.compose.project.config_files".into(), "docker-compose.yml".into());
            c.labels.insert("com.docker.compose.project.working_dir".into(), "/srv/v1app".into());
            s.host.compose_files =
                Fact::available(vec![ComposeFile { path: "/srv/v1app/docker-compose.yml".into(), services }]);
        })
    }

    fn compose_snippet(snap: &Snapshot, check: &str) -> crate::report::Snippet {
        let report = evaluate(snap, &EvalConfig::at(snap.collected_at));
        let finding =
            report.check(check).expect("check").findings.iter().find(|f| f.target.name == "zd-privileged");
        let finding = finding.expect("finding").clone();
        finding.remediation.into_iter().find(|s| s.kind == SnippetKind::Compose).expect("compose fix")
    }

    #[test]
    fn a_compose_fix_names_the_line_of_the_offending_key_or_of_its_service() {
        let lines = ComposeServiceLines { line: 4, keys: BTreeMap::from([("privileged".to_owned(), 7)]) };
        let snap = compose_variant(Fact::available(BTreeMap::from([("web".to_owned(), lines)])));
        let fix = compose_snippet(&snap, "CTR001");
        assert_eq!(fix.label, "In /srv/v1app/docker-compose.yml, line 7: `privileged` of service `web`");
        let location = fix.location.expect("location");
        assert_eq!((location.path.as_str(), location.line), ("/srv/v1app/docker-compose.yml", Some(7)));
        // CTR012 asks for `read_only`, which the service does not write: the service's line.
        let fix = compose_snippet(&snap, "CTR012");
        assert_eq!(fix.location.expect("location").line, Some(4));
        assert!(
            fix.label.contains("line 4: service `web`, which does not set `read_only` yet"),
            "{}",
            fix.label
        );
    }

    #[test]
    fn an_unreadable_compose_file_leaves_the_line_unknown() {
        let why = "/srv/v1app/docker-compose.yml could not be read on this machine (Permission denied)";
        let snap = compose_variant(Fact::unavailable(why));
        let fix = compose_snippet(&snap, "CTR001");
        let location = fix.location.expect("location");
        assert_eq!(location.line, None);
        assert!(fix.label.contains(&format!("line unknown: {why}")), "{}", fix.label);
    }
}
