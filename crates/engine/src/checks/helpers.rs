//! Shared building blocks for checks: targets, per-object iteration that turns an unavailable fact
//! into "unknown", the effective daemon setting, and tailored fix snippets.

use crate::snapshot::parse_go_bool;
use serde_json::Value;

use crate::report::{Finding, Snippet, SnippetKind, Target, TargetKind};
use crate::snapshot::{Container, Image, Snapshot, short_id};

/// The target for a container.
pub(crate) fn container_target(c: &Container) -> Target {
    Target::new(TargetKind::Container, &c.name, Some(short_id(&c.id).to_owned()))
}

/// The target for an image.
pub(crate) fn image_target(i: &Image) -> Target {
    Target::new(TargetKind::Image, i.display_name(), Some(short_id(&i.id).to_owned()))
}

/// The target for the engine (its host name when known, else the endpoint).
pub(crate) fn engine_target(snap: &Snapshot) -> Target {
    let name = snap.info().map(|i| i.name.clone()).unwrap_or_else(|_| snap.endpoint.host.clone());
    let id = snap.info().ok().map(|i| i.id.clone()).filter(|id| !id.is_empty());
    Target::new(TargetKind::Engine, name, id)
}

/// The engine runs rootless (rootless dockerd, or rootless Podman): its name as findings say it,
/// `None` for a rootful engine. Under it `--privileged` grants every capability and device *of
/// the user running the engine*, inside that user's namespace — not host root — so checks whose
/// failure means "host root" warn instead, saying why.
pub(crate) fn rootless_engine(snap: &Snapshot) -> Option<&'static str> {
    if !snap.engine_rootless() {
        return None;
    }
    Some(match snap.engine_product() {
        crate::snapshot::EngineProduct::Podman => "rootless Podman",
        _ => "rootless dockerd",
    })
}

/// The evidence a rootless engine adds to a privileged-container finding: where rootless mode
/// was read from.
pub(crate) fn rootless_evidence(snap: &Snapshot, finding: Finding) -> Finding {
    match snap.info() {
        Ok(i) if i.security_option("rootless").is_some() => {
            finding.evidence("GET /info SecurityOptions", "name=rootless", "a rootful engine to be host root")
        }
        Ok(_) => finding.evidence("GET /info Rootless", "true", "a rootful engine to be host root"),
        Err(_) => finding,
    }
}

/// Checks of a dockerd setting (daemon.json keys, dockerd flags, its live-restore or
/// authorization plugins) on Podman's Docker-compatible API: not applicable, saying why. `None`
/// for any other engine.
pub(crate) fn podman_not_applicable(snap: &Snapshot, target: Target, why: &str) -> Option<Vec<Finding>> {
    (snap.engine_product() == crate::snapshot::EngineProduct::Podman).then(|| {
        vec![Finding::not_applicable(
            target,
            format!("the engine is Podman, which has no dockerd and no daemon.json: {why}"),
        )]
    })
}

/// The target for this machine.
pub(crate) fn host_target(snap: &Snapshot) -> Target {
    let name = snap.host.os.ok().map(|o| o.hostname.clone()).unwrap_or_else(|| "localhost".to_owned());
    Target::new(TargetKind::Host, name, None)
}

/// Why engine objects are unknown: short when the whole engine is down (the report's subject
/// carries the full reason once), specific when only one part failed.
pub(crate) fn engine_part_reason(snap: &Snapshot, what: &str, reason: &str) -> String {
    if snap.engine.ok().is_none() {
        "the Docker engine could not be inspected".to_owned()
    } else {
        format!("{what} could not be read: {reason}")
    }
}

/// An object the engine answered for but whose answer could not be decoded (a newer engine's
/// value bollard does not know): unknown, so it can never pass by being left out.
fn undecoded_finding(kind: TargetKind, id: &str) -> Finding {
    Finding::unknown(
        Target::new(kind, id, Some(id.to_owned())),
        format!(
            "the engine's answer for {id} could not be decoded (see the scan notes): this check could not judge it"
        ),
    )
}

/// One finding per container; a single "unknown" on the engine when containers could not be read.
pub(crate) fn each_container(snap: &Snapshot, f: impl Fn(&Container) -> Finding) -> Vec<Finding> {
    match snap.containers() {
        Ok(containers) => {
            let undecoded = snap.engine().map(|e| e.undecoded_containers.as_slice()).unwrap_or_default();
            containers
                .iter()
                .map(f)
                .chain(undecoded.iter().map(|id| undecoded_finding(TargetKind::Container, id)))
                .collect()
        }
        Err(reason) => {
            vec![Finding::unknown(engine_target(snap), engine_part_reason(snap, "containers", reason))]
        }
    }
}

/// One finding per image; a single "unknown" on the engine when images could not be read.
pub(crate) fn each_image(snap: &Snapshot, f: impl Fn(&Image) -> Finding) -> Vec<Finding> {
    match snap.images() {
        Ok(images) => {
            let undecoded = snap.engine().map(|e| e.undecoded_images.as_slice()).unwrap_or_default();
            images
                .iter()
                .map(f)
                .chain(undecoded.iter().map(|id| undecoded_finding(TargetKind::Image, id)))
                .collect()
        }
        Err(reason) => {
            vec![Finding::unknown(engine_target(snap), engine_part_reason(snap, "images", reason))]
        }
    }
}

/// One finding about the engine from `/info`, or "unknown" when it could not be read.
pub(crate) fn with_info(
    snap: &Snapshot,
    f: impl FnOnce(&crate::snapshot::EngineInfo, Target) -> Finding,
) -> Vec<Finding> {
    let target = engine_target(snap);
    match snap.info() {
        Ok(info) => vec![f(info, target)],
        Err(reason) => vec![Finding::unknown(target, engine_part_reason(snap, "engine information", reason))],
    }
}

/// A dockerd flag's text as the JSON value daemon.json would hold: integers become numbers
/// (`--default-pids-limit=100`), Go booleans become booleans, the rest stays text. `0` and `1` are
/// read as numbers; [`DaemonSetting::as_bool`] reads them back as booleans, as Go would.
fn flag_value(text: String) -> Value {
    if let Ok(n) = text.parse::<i64>() {
        return Value::from(n);
    }
    match parse_go_bool(&text) {
        Some(b) => Value::Bool(b),
        None => Value::String(text),
    }
}

/// Where an effective daemon setting came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SettingSource {
    /// A dockerd command-line flag.
    Flag(String),
    /// A key of daemon.json.
    File(String),
    /// Neither: dockerd's built-in default applies.
    Default,
}

/// An effective daemon setting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DaemonSetting {
    /// The value (JSON, as daemon.json would hold it); `None` when the default applies.
    pub value: Option<Value>,
    /// Where it came from.
    pub source: SettingSource,
}

impl DaemonSetting {
    /// The evidence field naming where the value was read.
    pub fn field(&self, key: &str) -> String {
        match &self.source {
            SettingSource::Flag(flag) => format!("dockerd --{flag}"),
            SettingSource::File(path) => format!("{path}: {key}"),
            SettingSource::Default => format!("daemon.json `{key}` / dockerd flag (unset: default)"),
        }
    }

    /// The value as a boolean, with `default` when unset.
    pub fn as_bool(&self, default: bool) -> bool {
        match &self.value {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => parse_go_bool(s).unwrap_or(default),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(1) => true,
                Some(0) => false,
                _ => default,
            },
            Some(_) => default,
        }
    }

    /// The value as text, for evidence.
    pub fn display(&self, default: &str) -> String {
        match &self.value {
            None => format!("{default} (default)"),
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        }
    }
}

/// The effective value of a daemon setting, as dockerd resolves it: a command-line flag, else the
/// daemon.json key, else the default. Fails with a reason when neither source can be read (no root,
/// remote engine, Docker Desktop VM) so the check reports "unknown" instead of guessing.
pub(crate) fn daemon_setting(snap: &Snapshot, key: &str, flag: &str) -> Result<DaemonSetting, String> {
    snap.host_scope()?;
    let dockerd = snap.host.dockerd.get().map_err(str::to_owned);
    let file = snap.host.daemon_json.get().map_err(str::to_owned);
    if let Ok(Some(process)) = &dockerd
        && let Some(value) = process.flag(flag)
    {
        return Ok(DaemonSetting {
            value: Some(flag_value(value)),
            source: SettingSource::Flag(flag.to_owned()),
        });
    }
    match (&dockerd, &file) {
        (_, Ok(Some(dj))) => {
            if let Some(value) = dj.settings.get(key) {
                return Ok(DaemonSetting {
                    value: Some(value.clone()),
                    source: SettingSource::File(dj.file.path.clone()),
                });
            }
            Ok(DaemonSetting { value: None, source: SettingSource::Default })
        }
        (Ok(Some(_)), Ok(None)) => Ok(DaemonSetting { value: None, source: SettingSource::Default }),
        (Ok(None), Ok(None)) if snap.engine_product() == crate::snapshot::EngineProduct::Podman => Err(
            "the engine is Podman, whose defaults are in containers.conf, not in a dockerd command line or \
             daemon.json, and ZeroDock does not read containers.conf"
                .to_owned(),
        ),
        (Ok(None), Ok(None)) => {
            Err("no dockerd process and no daemon.json are visible on this machine".to_owned())
        }
        (Err(reason), Ok(None)) => Err(format!("dockerd's command line could not be read ({reason})")),
        (_, Err(reason)) => Err(format!("daemon.json could not be read ({reason})")),
    }
}

/// The label of a snippet that recreates `c` (`change`: "with `--read-only`", "without `--pid
/// host`"). A privileged container must also lose `--privileged`: "keep its other options" would
/// keep it, and with it every capability and device the fix is about.
pub(crate) fn recreate_label(c: &Container, change: &str) -> String {
    let privileged =
        if c.privileged && !change.contains("--privileged") { " and without `--privileged`" } else { "" };
    format!(
        "Recreate `{}` {change}{privileged} (this removes the current container; keep its other options)",
        c.name
    )
}

/// A snippet that recreates `c` with `flags` added: `docker run --name X` alone would collide
/// with the existing container, so it is removed first.
pub(crate) fn run_fix(c: &Container, flags: &str) -> Snippet {
    let flags = flags.trim();
    let change = if flags.is_empty() { "with the change".to_owned() } else { format!("with `{flags}`") };
    let flags = if flags.is_empty() { String::new() } else { format!("{flags} ") };
    Snippet::new(
        SnippetKind::DockerRun,
        recreate_label(c, &change),
        format!("docker rm -f {name}\ndocker run -d --name {name} {flags}{}", c.image, name = c.name),
    )
}

/// A `compose.yaml` fragment for `c`'s service with `body` (YAML lines, indented under the service).
/// For a container Compose did not create, the fragment is what to write when moving it to Compose.
pub(crate) fn compose_fix(c: &Container, body: &str) -> Snippet {
    let service = c.compose_service().unwrap_or(&c.name);
    let mut code = format!("services:\n  {service}:\n");
    for line in body.lines() {
        code.push_str("    ");
        code.push_str(line);
        code.push('\n');
    }
    let label = match (c.compose_service(), c.compose_files()) {
        (Some(_), Some(files)) => format!("In {}, service `{service}`", files.join(", ")),
        (Some(_), None) => format!("In the project's compose file, service `{service}`"),
        (None, _) => format!("If you move it to Compose: compose.yaml, service `{service}`"),
    };
    Snippet::new(SnippetKind::Compose, label, code.trim_end().to_owned())
}

/// The fixes for a container given its `docker run` and compose snippets: a container Compose
/// created gets the compose fragment and `docker compose up -d SERVICE` (a `docker run` would
/// fork it from its project); any other gets the `docker run` line first, then the fragment for
/// moving it to Compose.
pub(crate) fn pick_fixes(c: &Container, run: Snippet, compose: Snippet) -> Vec<Snippet> {
    let Some(service) = c.compose_service() else { return vec![run, compose] };
    let files: String =
        c.compose_files().map(|files| files.iter().map(|f| format!("-f {f} ")).collect()).unwrap_or_default();
    vec![
        compose,
        Snippet::new(
            SnippetKind::Shell,
            format!("Apply: Compose recreates `{}` from the edited file", c.name),
            format!("docker compose {files}up -d {service}"),
        ),
    ]
}

/// A `docker run` and a compose fix, as [`pick_fixes`] chooses them for `c`.
pub(crate) fn container_fixes(c: &Container, flags: &str, compose: &str) -> Vec<Snippet> {
    pick_fixes(c, run_fix(c, flags), compose_fix(c, compose))
}

/// A daemon.json fragment and the restart that applies it.
pub(crate) fn daemon_json_fix(snap: &Snapshot, fragment: Value) -> [Snippet; 2] {
    let rootless = rootless_engine(snap).is_some();
    let path =
        snap.host.daemon_json.ok().and_then(|d| d.as_ref().map(|d| d.file.path.clone())).unwrap_or_else(
            || {
                // A rootless daemon reads the file in its user's home.
                if rootless { "~/.config/docker/daemon.json" } else { "/etc/docker/daemon.json" }.to_owned()
            },
        );
    let code = serde_json::to_string_pretty(&fragment).unwrap_or_default();
    [
        Snippet::new(SnippetKind::DaemonJson, format!("Merge into {path}"), code),
        Snippet::new(SnippetKind::Shell, "Restart the daemon to apply", restart_command(snap)),
    ]
}

/// How to restart the scanned daemon: a user unit for rootless dockerd (no sudo: it is the
/// user's own daemon), the system unit otherwise.
pub(crate) fn restart_command(snap: &Snapshot) -> &'static str {
    if rootless_engine(snap).is_some() {
        "systemctl --user restart docker"
    } else {
        "sudo systemctl restart docker"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::variant;

    /// Variant: the default daemon's dockerd with `extra` appended to its command line.
    fn with_flags(extra: &[&str]) -> Snapshot {
        variant("default", |s| {
            let d = s.host.dockerd.ok_mut().and_then(Option::as_mut).expect("captured dockerd");
            d.args.extend(extra.iter().map(|a| (*a).to_owned()));
        })
    }

    #[test]
    fn flags_become_typed_values() {
        let snap =
            with_flags(&["--userland-proxy=0", "--icc=F", "--default-pids-limit=100", "--ip=10.0.0.1"]);
        let proxy = daemon_setting(&snap, "userland-proxy", "userland-proxy").expect("readable");
        assert_eq!(proxy.value, Some(Value::from(0)));
        assert!(!proxy.as_bool(true));
        let icc = daemon_setting(&snap, "icc", "icc").expect("readable");
        assert_eq!(icc.value, Some(Value::Bool(false)));
        let pids = daemon_setting(&snap, "default-pids-limit", "default-pids-limit").expect("readable");
        assert_eq!(pids.value, Some(Value::from(100)));
        let ip = daemon_setting(&snap, "ip", "ip").expect("readable");
        assert_eq!(ip.value, Some(Value::String("10.0.0.1".to_owned())));
        let nnp = with_flags(&["--no-new-privileges=1"]);
        assert!(
            daemon_setting(&nnp, "no-new-privileges", "no-new-privileges").expect("readable").as_bool(false)
        );
    }

    #[test]
    fn as_bool_reads_go_spellings() {
        let s = |v: Value| DaemonSetting { value: Some(v), source: SettingSource::Default };
        assert!(!s(Value::String("0".to_owned())).as_bool(true));
        assert!(s(Value::String("T".to_owned())).as_bool(false));
        assert!(s(Value::String("junk".to_owned())).as_bool(true));
        assert!(!s(Value::from(0)).as_bool(true));
        assert!(s(Value::from(1)).as_bool(false));
        assert!(s(Value::from(7)).as_bool(true));
    }
}

#[cfg(test)]
mod undecoded_tests {
    use crate::checks::container::privileged_container::CHECK;
    use crate::checks::testing::{findings, status_of, variant};
    use crate::report::Status;

    #[test]
    fn an_undecodable_container_is_unknown_never_missing() {
        // Mutation: a newer engine answered one inspect with a value bollard cannot decode.
        let snap = variant("default", |s| {
            if let Some(engine) = s.engine.ok_mut() {
                engine.undecoded_containers.push("0123456789ab".to_owned());
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(status_of(&f, "0123456789ab"), Status::Unknown);
        assert_eq!(status_of(&f, "zd-privileged"), Status::Fail);
    }
}
