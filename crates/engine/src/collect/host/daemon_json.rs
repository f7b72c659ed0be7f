//! The daemon configuration file dockerd actually uses, its settings (credentials redacted) and
//! its ownership and mode (CIS 3.17/3.18).
//!
//! Which file: `--config-file` from the running dockerd's arguments, else `/etc/docker/daemon.json`
//! (rootful) or `$XDG_CONFIG_HOME/docker/daemon.json` (rootless). With no dockerd process in sight
//! (Docker Desktop runs it in a VM) the Desktop and rootless locations under the home are tried too.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::accounts::Accounts;
use super::files::file_facts;
use super::{io_reason, json_reason, redact_userinfo};
use crate::snapshot::secrets::SAFE_LOG_OPTS;
use crate::snapshot::{DaemonJson, DockerdProcess, Fact};

/// The rootful default.
const ETC_DAEMON_JSON: &str = "/etc/docker/daemon.json";

/// Keys whose values may carry proxy credentials; redacted whole.
const PROXY_KEYS: [&str; 4] = ["proxies", "http-proxy", "https-proxy", "no-proxy"];

/// Where the user's configuration lives.
#[derive(Debug, Clone, Default)]
pub(super) struct Env {
    /// The user's home.
    pub home: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME`, when set to an absolute path.
    pub xdg_config_home: Option<PathBuf>,
}

impl Env {
    /// From the process environment.
    pub fn current(home: Option<PathBuf>) -> Self {
        let xdg_config_home =
            std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).filter(|p| p.is_absolute());
        Env { home, xdg_config_home }
    }

    /// Where rootless dockerd reads its configuration (`$XDG_CONFIG_HOME`, else `~/.config`).
    fn rootless_paths(&self) -> Vec<PathBuf> {
        let xdg = self.xdg_config_home.as_ref().map(|x| x.join("docker/daemon.json"));
        let dot_config = self.home.as_ref().map(|h| h.join(".config/docker/daemon.json"));
        let mut paths: Vec<PathBuf> = xdg.into_iter().chain(dot_config).collect();
        paths.dedup();
        paths
    }
}

/// A file that may be the daemon's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Candidate {
    /// Where.
    pub path: PathBuf,
    /// Given with `--config-file` by this dockerd pid: its absence is notable.
    pub explicit_for: Option<u32>,
}

/// The configuration file a running dockerd reads.
pub(super) fn config_file_of(dockerd: &DockerdProcess, env: &Env) -> Vec<Candidate> {
    if let Some(file) = dockerd.flag("config-file").filter(|f| !f.is_empty()) {
        let mut path = PathBuf::from(file);
        if path.is_relative() {
            // Relative to dockerd's working directory, which only /proc knows.
            let cwd = std::fs::read_link(format!("/proc/{}/cwd", dockerd.pid))
                .unwrap_or_else(|_| PathBuf::from("/"));
            path = cwd.join(path);
        }
        return vec![Candidate { path, explicit_for: Some(dockerd.pid) }];
    }
    if dockerd.uid.is_some_and(|uid| uid != 0) {
        // The daemon's own home, when its environment can be read (root scanning another user's
        // rootless dockerd); else the scanning user's, who most likely runs it.
        let own = |key| super::processes::process_env(dockerd.pid, key).map(PathBuf::from);
        let daemons = Env {
            home: own("HOME").or_else(|| env.home.clone()),
            xdg_config_home: own("XDG_CONFIG_HOME")
                .filter(|p| p.is_absolute())
                .or_else(|| if own("HOME").is_some() { None } else { env.xdg_config_home.clone() }),
        };
        return daemons
            .rootless_paths()
            .into_iter()
            .map(|path| Candidate { path, explicit_for: None })
            .collect();
    }
    vec![Candidate { path: PathBuf::from(ETC_DAEMON_JSON), explicit_for: None }]
}

/// Every file to try, in order.
pub(super) fn candidates(dockerd: &Fact<Option<DockerdProcess>>, env: &Env) -> Vec<Candidate> {
    if let Some(Some(process)) = dockerd.ok() {
        return config_file_of(process, env);
    }
    let desktop = env.home.as_ref().map(|h| h.join(".docker/daemon.json"));
    let mut paths: Vec<PathBuf> =
        std::iter::once(PathBuf::from(ETC_DAEMON_JSON)).chain(desktop).chain(env.rootless_paths()).collect();
    paths.dedup();
    paths.into_iter().map(|path| Candidate { path, explicit_for: None }).collect()
}

/// The daemon configuration; `None` when there is no file.
pub(super) fn probe(
    dockerd: &Fact<Option<DockerdProcess>>,
    env: &Env,
    accounts: &Accounts,
) -> Fact<Option<DaemonJson>> {
    for candidate in candidates(dockerd, env) {
        match read(&candidate.path, accounts) {
            Ok(Some(found)) => return Fact::available(Some(found)),
            Ok(None) => {
                if let Some(pid) = candidate.explicit_for {
                    return Fact::unavailable(format!(
                        "dockerd (pid {pid}) was started with --config-file {}, which does not exist on this \
                         machine (the daemon runs in another mount namespace?)",
                        candidate.path.display()
                    ));
                }
            }
            Err(reason) => return Fact::unavailable(reason),
        }
    }
    Fact::available(None)
}

/// Reads and parses one file; `Ok(None)` when it does not exist.
fn read(path: &Path, accounts: &Accounts) -> Result<Option<DaemonJson>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(format!("{} needs root: run zerodock with sudo to read it", path.display()));
        }
        Err(e) => return Err(io_reason(path, &e)),
    };
    let settings = parse_settings(&text, path)?;
    let file = file_facts(path, accounts)?;
    Ok(Some(DaemonJson { file, settings }))
}

/// The settings of a daemon.json, credentials redacted. An empty file is an empty configuration,
/// as dockerd treats it. Public for the fuzz target (`tests/fuzz.rs`), which cannot reach it
/// through [`super::collect_base`] while any rootful dockerd runs on the machine.
pub fn parse_settings(text: &str, path: &Path) -> Result<Map<String, Value>, String> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        format!("{}: fix it — dockerd will refuse to start with it too", json_reason(path, &e))
    })?;
    let Value::Object(mut settings) = value else {
        return Err(format!(
            "{} is not a JSON object: fix it — dockerd will refuse to start with it too",
            path.display()
        ));
    };
    redact(&mut settings);
    Ok(settings)
}

/// The `hosts` a daemon.json asks dockerd to listen on (empty when unreadable), for matching a
/// dockerd started without `-H` to the endpoint.
pub(super) fn configured_hosts(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    let Ok(Value::Object(settings)) = serde_json::from_str::<Value>(&text) else { return Vec::new() };
    match settings.get("hosts") {
        Some(Value::Array(hosts)) => hosts.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

fn redact(settings: &mut Map<String, Value>) {
    for (key, value) in settings.iter_mut() {
        if PROXY_KEYS.contains(&key.as_str()) {
            redact_all(value);
            continue;
        }
        // Log drivers take credentials as options (`splunk-token`, `awslogs` keys…): only the
        // allowlisted ones keep their value, as for containers' `LogConfig`.
        if key == "log-opts"
            && let Value::Object(opts) = value
        {
            for (opt, v) in opts.iter_mut() {
                if !SAFE_LOG_OPTS.contains(&opt.as_str()) {
                    redact_all(v);
                }
            }
        }
        redact_urls(value);
    }
}

/// Every non-empty string becomes `<redacted>`; structure and empty values stay, so a check can
/// still tell a proxy is configured.
fn redact_all(value: &mut Value) {
    match value {
        Value::String(s) if !s.is_empty() => *s = "<redacted>".to_owned(),
        Value::Array(items) => items.iter_mut().for_each(redact_all),
        Value::Object(map) => map.values_mut().for_each(redact_all),
        _ => {}
    }
}

fn redact_urls(value: &mut Value) {
    match value {
        Value::String(s) if s.contains('@') => *s = redact_userinfo(s),
        Value::Array(items) => items.iter_mut().for_each(redact_urls),
        Value::Object(map) => map.values_mut().for_each(redact_urls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::collect::host::testing::TempDir;

    fn no_accounts() -> Accounts {
        Accounts { users: Ok(vec![]), groups: Ok(vec![]) }
    }

    fn dockerd(args: &[&str], uid: u32) -> DockerdProcess {
        DockerdProcess { pid: 42, args: args.iter().map(|a| (*a).to_owned()).collect(), uid: Some(uid) }
    }

    #[test]
    fn credentials_are_redacted() {
        let text = r#"{
            "icc": false,
            "proxies": {"http-proxy": "http://u:p@proxy:3128", "no-proxy": ""},
            "https-proxy": "http://proxy:3128",
            "registry-mirrors": ["https://bob:hunter2@mirror.example"],
            "log-opts": {"syslog-address": "tcp://user:pw@10.0.0.1:514", "max-size": "10m",
                         "splunk-token": "zd-planted-token", "splunk-url": "https://splunk:8088"}
        }"#;
        let settings = parse_settings(text, Path::new("/etc/docker/daemon.json")).expect("parses");
        assert_eq!(settings["icc"], json!(false));
        assert_eq!(settings["proxies"], json!({"http-proxy": "<redacted>", "no-proxy": ""}));
        assert_eq!(settings["https-proxy"], json!("<redacted>"));
        assert_eq!(settings["registry-mirrors"], json!(["https://<redacted>@mirror.example"]));
        assert_eq!(settings["log-opts"]["syslog-address"], json!("tcp://<redacted>@10.0.0.1:514"));
        assert_eq!(settings["log-opts"]["max-size"], json!("10m"));
        assert_eq!(settings["log-opts"]["splunk-token"], json!("<redacted>"));
        assert_eq!(settings["log-opts"]["splunk-url"], json!("<redacted>"));
        let shown = serde_json::to_string(&settings).expect("serialise");
        assert!(
            !shown.contains("hunter2") && !shown.contains("u:p") && !shown.contains("zd-planted"),
            "{shown}"
        );
    }

    #[test]
    fn malformed_json_names_the_file_and_position() {
        let err = parse_settings("{\n  \"icc\": false,\n    oops\n}", Path::new("/etc/docker/daemon.json"))
            .expect_err("malformed");
        assert_eq!(
            err,
            "/etc/docker/daemon.json is not valid JSON (line 3, column 5): fix it — dockerd will refuse to start \
             with it too"
        );
        let err = parse_settings("[1]", Path::new("/x.json")).expect_err("not an object");
        assert!(err.contains("not a JSON object"), "{err}");
        assert_eq!(parse_settings(" \n", Path::new("/x.json")), Ok(Map::new()));
    }

    #[test]
    fn the_file_dockerd_was_given_wins() {
        let env = Env { home: Some("/home/a".into()), xdg_config_home: None };
        let given = dockerd(&["dockerd", "--config-file", "/tmp/zd/daemon.json"], 0);
        assert_eq!(
            config_file_of(&given, &env),
            [Candidate { path: "/tmp/zd/daemon.json".into(), explicit_for: Some(42) }]
        );
        let plain = dockerd(&["/usr/bin/dockerd", "-H", "fd://"], 0);
        assert_eq!(config_file_of(&plain, &env)[0].path, PathBuf::from(ETC_DAEMON_JSON));
        let rootless = dockerd(&["dockerd"], 1000);
        let paths: Vec<PathBuf> = config_file_of(&rootless, &env).into_iter().map(|c| c.path).collect();
        assert_eq!(paths, [PathBuf::from("/home/a/.config/docker/daemon.json")]);
    }

    #[test]
    fn without_dockerd_desktop_and_rootless_files_are_tried() {
        let env = Env { home: Some("/home/a".into()), xdg_config_home: Some("/xdg".into()) };
        let paths: Vec<PathBuf> =
            candidates(&Fact::available(None), &env).into_iter().map(|c| c.path).collect();
        assert_eq!(
            paths,
            [
                PathBuf::from(ETC_DAEMON_JSON),
                "/home/a/.docker/daemon.json".into(),
                "/xdg/docker/daemon.json".into(),
                "/home/a/.config/docker/daemon.json".into()
            ]
        );
    }

    #[test]
    fn reads_the_given_file_with_its_mode() {
        let dir = TempDir::new();
        let path = dir.write("daemon.json", r#"{"live-restore": true}"#);
        let process = dockerd(&["dockerd", &format!("--config-file={}", path.display())], 0);
        let fact = probe(&Fact::available(Some(process)), &Env::default(), &no_accounts());
        let found = fact.ok().cloned().flatten().expect("read");
        assert_eq!(found.settings["live-restore"], json!(true));
        assert_eq!(found.file.path, path.display().to_string());
    }

    #[test]
    fn a_missing_given_file_is_a_reason_a_missing_default_is_none() {
        let dir = TempDir::new();
        let missing = dir.path().join("nope.json");
        let process = dockerd(&["dockerd", "--config-file", &missing.display().to_string()], 0);
        let fact = probe(&Fact::available(Some(process)), &Env::default(), &no_accounts());
        assert!(fact.get().is_err_and(|r| r.contains("--config-file") && r.contains("pid 42")), "{fact:?}");

        let env = Env { home: Some(dir.path().to_path_buf()), xdg_config_home: None };
        let home_file = dir.write(".docker/daemon.json", "{}");
        let fact = probe(&Fact::unavailable("no /proc"), &env, &no_accounts());
        // /etc/docker/daemon.json may exist on the test machine; then it wins, as it would for dockerd.
        if !Path::new(ETC_DAEMON_JSON).exists() {
            let found = fact.ok().cloned().flatten().expect("desktop file found");
            assert_eq!(found.file.path, home_file.display().to_string());
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_file_needs_root() {
        use std::os::unix::fs::PermissionsExt;
        let root = Path::new("/");
        if crate::collect::host::user::read_status(root).is_ok_and(|s| s.euid == 0) {
            return; // root reads everything
        }
        let dir = TempDir::new();
        let path = dir.write("daemon.json", "{}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        let err = read(&path, &no_accounts()).expect_err("unreadable");
        assert!(err.ends_with("needs root: run zerodock with sudo to read it"), "{err}");
    }

    #[test]
    fn configured_hosts_are_read_leniently() {
        let dir = TempDir::new();
        let path = dir.write("d.json", r#"{"hosts": ["unix:///tmp/zd.sock", 3]}"#);
        assert_eq!(configured_hosts(&path), ["unix:///tmp/zd.sock"]);
        assert!(configured_hosts(&dir.path().join("none.json")).is_empty());
    }
}
