//! The engines the app's switcher offers and how the selected one becomes the watcher's endpoint.
//!
//! - Every Docker context and `DOCKER_HOST`: the engine's `known_engines`, the list `zerodock
//!   engines` prints, and a context is resolved by `CollectOptions::with_endpoint(None, Some(name))`,
//!   the CLI's `--context` (one rule for both).
//! - Engines the user adds in the app: a unix socket, or TCP with or without TLS. For TLS the
//!   CA and client certificates (public) are kept in `engines/<id>/` of the app's config directory,
//!   the client **key** in the OS keyring (`zerodock_store::secrets`, name `engine/<id>/tls-key`),
//!   never on disk. When the engine is selected the key is read from the keyring into an anonymous
//!   in-memory file (`memfd_create`) that bollard reads as `/proc/self/fd/N` on each TLS handshake;
//!   it lives as long as that selection.
//! - SSH (`ssh://[user@]host[:port]`, a context or added): the system `ssh` runs
//!   `docker system dial-stdio` on that machine, as the docker CLI does. Nothing is stored for it:
//!   keys, agent and host keys are the user's own ssh setup; an unknown host key is refused.
//!
//! The choice persists in the settings (`Settings::engine`, an [`EngineChoice::id`]); `None` is
//! what the `docker` CLI would use (`DOCKER_HOST`, the current context, the default socket).

use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zerodock_engine::CollectOptions;
use zerodock_engine::collect::endpoint::{self, Env};
use zerodock_store::secrets::Secrets;

use crate::error::CommandError;
use crate::settings::write_atomic;

/// The added engines' file, in the app's config directory.
pub const FILE_NAME: &str = "engines.json";
/// The id of the `DOCKER_HOST` entry.
pub const DOCKER_HOST_ID: &str = "docker-host";

/// Where an engine comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EngineOrigin {
    /// The `DOCKER_HOST` environment variable the tray started with.
    DockerHost,
    /// A Docker CLI context (`default` included).
    Context,
    /// Added by the user in the app.
    Added,
}

/// An engine the switcher offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EngineChoice {
    /// Stable id: `docker-host`, `context:<name>`, `added:<n>`.
    pub id: String,
    /// What the user sees: the context's name, `DOCKER_HOST`, or the name given when added.
    pub name: String,
    /// The endpoint (`unix:///var/run/docker.sock`, `tcp://build-01:2376`, `ssh://…`).
    pub host: String,
    /// Where it comes from.
    pub origin: EngineOrigin,
    /// Whether ZeroDock talks TLS to it.
    pub tls: bool,
    /// Whether the `docker` CLI would use it now (the engine used when nothing is selected).
    pub current: bool,
    /// Why it cannot be selected (an unreadable context).
    pub problem: Option<String>,
}

/// The switcher's list and what is selected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EngineList {
    /// Every engine, `DOCKER_HOST` and contexts first, then the added ones.
    pub engines: Vec<EngineChoice>,
    /// The selected id (`null`: the `docker` CLI's choice, the engine marked `current`).
    pub selected: Option<String>,
}

/// An engine added in the app, as kept in `engines.json` (no secret in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedEngine {
    /// `added:<n>`.
    pub id: String,
    /// The user's name for it.
    pub name: String,
    /// `unix://…` or `tcp://…`.
    pub host: String,
    /// Whether TLS material is kept for it (`engines/<id>/ca.pem`, `cert.pem`, key in the keyring).
    pub tls: bool,
}

/// A PEM the user handed over; never printed (`Debug` says how long it is, not what it is).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pem(pub String);

impl std::fmt::Debug for Pem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pem(<{} bytes>)", self.0.len())
    }
}

/// TLS material for an added engine, as read from the folder the user chose (`DOCKER_CERT_PATH`
/// layout: `ca.pem`, `cert.pem`, `key.pem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsMaterial {
    /// The CA that signed the engine's certificate.
    pub ca: Pem,
    /// The client certificate.
    pub cert: Pem,
    /// The client key: goes to the keyring only.
    pub key: Pem,
}

/// What *Add engine* asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEngine {
    /// The user's name for it.
    pub name: String,
    /// `unix:///path`, `/path`, `tcp://host:port`.
    pub host: String,
    /// TLS material (TCP only).
    pub tls: Option<TlsMaterial>,
}

/// The keyring name of an added engine's TLS client key.
pub fn key_name(id: &str) -> String {
    format!("engine/{id}/tls-key")
}

/// The engines' store: `engines.json` and `engines/<id>/` in the app's config directory, keys in
/// the keyring.
#[derive(Debug, Clone)]
pub struct Engines {
    dir: Option<PathBuf>,
}

/// A resolved selection: the collection options, and the in-memory key file they read (kept open
/// while the watcher uses them).
#[derive(Debug)]
pub struct Selected {
    /// The options the watcher runs with.
    pub collect: CollectOptions,
    /// The TLS key's in-memory file, when the engine uses one from the keyring.
    pub key_file: Option<OwnedFd>,
}

impl Engines {
    /// The store in `config_dir` (`None`: nothing can be added, the list still works).
    pub fn new(config_dir: Option<PathBuf>) -> Self {
        Engines { dir: config_dir }
    }

    fn file(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(FILE_NAME))
    }

    fn tls_dir(&self, id: &str) -> Option<PathBuf> {
        let safe: String = id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        self.dir.as_ref().map(|d| d.join("engines").join(safe))
    }

    /// The added engines; a missing or unreadable file gives none (and logs why).
    pub fn added(&self) -> Vec<AddedEngine> {
        let Some(path) = self.file() else { return Vec::new() };
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(file = %path.display(), "ignoring unreadable added engines: {e}");
                Vec::new()
            }),
            Err(_) => Vec::new(),
        }
    }

    fn save(&self, added: &[AddedEngine]) -> Result<(), CommandError> {
        let path = self.file().ok_or_else(no_config_dir)?;
        let mut json = serde_json::to_vec_pretty(added).map_err(|e| CommandError::internal(e.to_string()))?;
        json.push(b'\n');
        write_atomic(&path, &json)
            .map_err(|e| CommandError::internal(format!("Could not save {}: {e}", path.display())))
    }

    /// Every engine: `DOCKER_HOST` and the Docker contexts (the CLI's list), then the added ones.
    pub fn list(&self, env: &Env, selected: Option<&str>) -> EngineList {
        let mut engines: Vec<EngineChoice> = endpoint::known_engines(env)
            .into_iter()
            .map(|k| {
                let (id, origin) = if k.name == "DOCKER_HOST" {
                    (DOCKER_HOST_ID.to_owned(), EngineOrigin::DockerHost)
                } else {
                    (format!("context:{}", k.name), EngineOrigin::Context)
                };
                let problem = k.problem;
                EngineChoice {
                    id,
                    name: k.name,
                    host: k.host,
                    origin,
                    tls: false,
                    current: k.current,
                    problem,
                }
            })
            .collect();
        engines.extend(self.added().into_iter().map(|a| EngineChoice {
            id: a.id,
            name: a.name,
            host: a.host,
            origin: EngineOrigin::Added,
            tls: a.tls,
            current: false,
            problem: None,
        }));
        let selected = selected.filter(|id| engines.iter().any(|e| e.id == *id)).map(str::to_owned);
        EngineList { engines, selected }
    }

    /// Adds an engine: its TLS key to the keyring (first, so a keyring failure leaves nothing
    /// behind), its certificates beside `engines.json`, its entry in the file.
    pub fn add(
        &self,
        new: NewEngine,
        secrets: impl FnOnce() -> Result<Secrets, CommandError>,
    ) -> Result<EngineChoice, CommandError> {
        let name = new.name.trim().to_owned();
        if name.is_empty() {
            return Err(CommandError::invalid_argument("Give the engine a name."));
        }
        let host = normalise(&new.host)?;
        if new.tls.is_some() && !host.starts_with("tcp://") {
            return Err(CommandError::invalid_argument("TLS applies to tcp:// engines only."));
        }
        let mut added = self.added();
        let n =
            added.iter().filter_map(|a| a.id.strip_prefix("added:")?.parse::<u32>().ok()).max().unwrap_or(0)
                + 1;
        let id = format!("added:{n}");
        if let Some(tls) = &new.tls {
            for (what, pem) in
                [("CA certificate", &tls.ca), ("client certificate", &tls.cert), ("client key", &tls.key)]
            {
                if !pem.0.contains("-----BEGIN ") {
                    return Err(CommandError::invalid_argument(format!("The {what} is not a PEM file.")));
                }
            }
            let secrets = secrets()?;
            secrets.set(&key_name(&id), tls.key.0.as_bytes()).map_err(|e| {
                CommandError::internal(format!("Could not keep the TLS key in the OS keyring: {e}"))
            })?;
            let dir = self.tls_dir(&id).ok_or_else(no_config_dir)?;
            std::fs::create_dir_all(&dir)
                .and_then(|()| write_atomic(&dir.join("ca.pem"), tls.ca.0.as_bytes()))
                .and_then(|()| write_atomic(&dir.join("cert.pem"), tls.cert.0.as_bytes()))
                .map_err(|e| {
                    CommandError::internal(format!(
                        "Could not save the certificates in {}: {e}",
                        dir.display()
                    ))
                })?;
        }
        let entry =
            AddedEngine { id: id.clone(), name: name.clone(), host: host.clone(), tls: new.tls.is_some() };
        added.push(entry);
        self.save(&added)?;
        Ok(EngineChoice {
            id,
            name,
            host,
            origin: EngineOrigin::Added,
            tls: new.tls.is_some(),
            current: false,
            problem: None,
        })
    }

    /// Removes an added engine, its certificates and its key.
    pub fn remove(
        &self,
        id: &str,
        secrets: impl FnOnce() -> Result<Secrets, CommandError>,
    ) -> Result<(), CommandError> {
        let mut added = self.added();
        let Some(pos) = added.iter().position(|a| a.id == id) else {
            return Err(CommandError::invalid_argument(format!(
                "No added engine {id}: only added engines can be removed."
            )));
        };
        let gone = added.remove(pos);
        self.save(&added)?;
        if gone.tls {
            if let Some(dir) = self.tls_dir(id) {
                let _ = std::fs::remove_dir_all(dir);
            }
            if let Err(e) = secrets()
                .and_then(|s| s.delete(&key_name(id)).map_err(|e| CommandError::internal(e.to_string())))
            {
                tracing::warn!("the TLS key of {id} stays in the keyring: {e}");
            }
        }
        Ok(())
    }

    /// The collection options for `selected` (`None`: the `docker` CLI's choice).
    pub fn resolve(
        &self,
        selected: Option<&str>,
        secrets: impl FnOnce() -> Result<Secrets, CommandError>,
    ) -> Result<Selected, String> {
        let plain = |collect: Result<CollectOptions, zerodock_engine::Error>| {
            collect.map(|collect| Selected { collect, key_file: None }).map_err(|e| e.to_string())
        };
        let Some(id) = selected else { return plain(CollectOptions::from_env()) };
        if id == DOCKER_HOST_ID {
            let host = Env::current().docker_host.ok_or("DOCKER_HOST is not set any more")?;
            return plain(CollectOptions::with_host(Some(&host)));
        }
        if let Some(name) = id.strip_prefix("context:") {
            return plain(CollectOptions::with_endpoint(None, Some(name)));
        }
        let added = self.added().into_iter().find(|a| a.id == id).ok_or_else(|| format!("no engine {id}"))?;
        let mut collect = CollectOptions::with_host(Some(&added.host)).map_err(|e| e.to_string())?;
        if !added.tls {
            collect.endpoint.tls_dir = None;
            return Ok(Selected { collect, key_file: None });
        }
        let dir = self.tls_dir(id).ok_or("no config directory")?;
        let key = secrets()
            .map_err(|e| e.message)?
            .get(&key_name(id))
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                format!(
                    "the TLS key of {} is not in the OS keyring any more: remove the engine and add it again",
                    added.name
                )
            })?;
        let fd =
            memfd_with(key.expose()).map_err(|e| format!("cannot hand the TLS key to the client: {e}"))?;
        collect.endpoint.tls_dir = Some(dir);
        collect.endpoint.tls_key = Some(PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd())));
        Ok(Selected { collect, key_file: Some(fd) })
    }
}

/// An anonymous in-memory file holding `bytes` (never on a file system; closed on exec).
fn memfd_with(bytes: &[u8]) -> std::io::Result<OwnedFd> {
    let fd = rustix::fs::memfd_create("zerodock-tls-key", rustix::fs::MemfdFlags::CLOEXEC)?;
    let mut file = std::fs::File::from(fd);
    file.write_all(bytes)?;
    Ok(OwnedFd::from(file))
}

fn normalise(host: &str) -> Result<String, CommandError> {
    let host = host.trim();
    let host = if host.starts_with('/') { format!("unix://{host}") } else { host.to_owned() };
    let ok = ["unix:///", "tcp://", "ssh://"].iter().any(|p| host.starts_with(p) && host.len() > p.len());
    if !ok {
        return Err(CommandError::invalid_argument(format!(
            "`{host}` is not a Docker endpoint: use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host"
        )));
    }
    Ok(host)
}

fn no_config_dir() -> CommandError {
    CommandError::internal("There is no config directory to keep added engines in (is HOME set?).")
}

#[cfg(test)]
mod tests {
    //! The switcher's list from a real Docker client config (contexts on disk, as `docker context
    //! create` writes them), and an added TLS engine whose key stays in the keyring (the mock
    //! store) and reaches the client only through the in-memory file.

    use std::io::Read;

    use std::path::Path;

    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zerodock-tray-engines-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        dir
    }

    fn context(config: &Path, name: &str, host: &str) {
        let meta = config.join("contexts/meta").join(endpoint::context_digest(name));
        std::fs::create_dir_all(&meta).expect("dir");
        let json = serde_json::json!({"Name": name, "Endpoints": {"docker": {"Host": host}}});
        std::fs::write(meta.join("meta.json"), json.to_string()).expect("meta");
    }

    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeKeyForTheTestOnlyNotARealKey0000000\n-----END PRIVATE KEY-----\n";
    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBfakecert\n-----END CERTIFICATE-----\n";

    #[test]
    fn contexts_docker_host_and_added_engines_are_listed_ssh_ones_selectable() {
        let dir = temp_dir("list");
        let config = dir.join("docker");
        context(&config, "remote", "tcp://10.1.2.3:2376");
        context(&config, "over-ssh", "ssh://admin@build-01");
        std::fs::write(config.join("config.json"), r#"{"currentContext":"remote"}"#).expect("config");
        let env = Env { docker_config: Some(config), ..Env::default() };
        let engines = Engines::new(Some(dir.join("app")));
        let added = engines
            .add(NewEngine { name: "lab".into(), host: "/run/lab/docker.sock".into(), tls: None }, || {
                unreachable!("no keyring without TLS")
            })
            .expect("added");
        assert_eq!((added.id.as_str(), added.host.as_str()), ("added:1", "unix:///run/lab/docker.sock"));

        let list = engines.list(&env, Some("context:remote"));
        let rows: Vec<(&str, &str, bool, bool)> = list
            .engines
            .iter()
            .map(|e| (e.id.as_str(), e.host.as_str(), e.current, e.problem.is_some()))
            .collect();
        assert_eq!(
            rows,
            [
                ("context:default", endpoint::DEFAULT_HOST, false, false),
                ("context:over-ssh", "ssh://admin@build-01", false, false),
                ("context:remote", "tcp://10.1.2.3:2376", true, false),
                ("added:1", "unix:///run/lab/docker.sock", false, false),
            ]
        );
        assert_eq!(list.selected.as_deref(), Some("context:remote"));
        assert_eq!(engines.list(&env, Some("context:gone")).selected, None, "an unknown id selects nothing");

        // An SSH engine is added like a socket (no secret: the user's ssh setup authenticates).
        let ssh = engines
            .add(
                NewEngine { name: "build".into(), host: " ssh://me@build-01:2222 ".into(), tls: None },
                || unreachable!("no keyring for ssh"),
            )
            .expect("ssh added");
        assert_eq!(ssh.host, "ssh://me@build-01:2222");
        engines.remove(&ssh.id, || unreachable!("no key to delete")).expect("removed");
        // Nonsense is refused when added, with the reason.
        for (host, says) in [("ssh://", "not a Docker endpoint"), ("build-01:2376", "not a Docker endpoint")]
        {
            let err = engines
                .add(NewEngine { name: "x".into(), host: host.into(), tls: None }, || unreachable!())
                .expect_err(host);
            assert!(err.message.contains(says), "{}", err.message);
        }
        engines.remove("added:1", || unreachable!("no key to delete")).expect("removed");
        assert!(engines.added().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `openssl` with `args` in `dir`; panics with its stderr when it fails.
    fn openssl(dir: &Path, args: &[&str]) {
        let out =
            std::process::Command::new("openssl").args(args).current_dir(dir).output().expect("openssl");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// A real TLS handshake with the key from the keyring: a CA, a server and a client certificate
    /// made by openssl; `openssl s_server` requires and verifies a client certificate. The client
    /// proves it holds the key (TLS CertificateVerify), so the server accepting `zd-test-client`
    /// shows bollard read the key through the in-memory file. (s_server answers HTTP with a status
    /// page, not the Engine API, so the engine itself stays unavailable: that is not what is tested.)
    #[tokio::test]
    async fn the_key_from_the_keyring_completes_a_real_tls_client_handshake() {
        let dir = temp_dir("handshake");
        let pki = dir.join("pki");
        std::fs::create_dir_all(&pki).expect("dir");
        openssl(
            &pki,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=zd-test-ca",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign",
            ],
        );
        std::fs::write(pki.join("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
            .expect("ext");
        std::fs::write(pki.join("client.ext"), "extendedKeyUsage=clientAuth\n").expect("ext");
        for who in ["server", "client"] {
            openssl(
                &pki,
                &[
                    "req",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                    "-keyout",
                    &format!("{who}.key"),
                    "-out",
                    &format!("{who}.csr"),
                    "-subj",
                    &format!("/CN=zd-test-{who}"),
                ],
            );
            openssl(
                &pki,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &format!("{who}.csr"),
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-out",
                    &format!("{who}.pem"),
                    "-days",
                    "2",
                    "-extfile",
                    &format!("{who}.ext"),
                ],
            );
        }
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let log = std::fs::File::create(pki.join("s_server.log")).expect("log");
        let mut server = std::process::Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-cert",
                "server.pem",
                "-key",
                "server.key",
                "-CAfile",
                "ca.pem",
                "-Verify",
                "1",
                "-verify_return_error",
                "-www",
            ])
            .current_dir(&pki)
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("openssl s_server");
        let read = |name: &str| Pem(std::fs::read_to_string(pki.join(name)).expect("pem"));
        let tls = TlsMaterial { ca: read("ca.pem"), cert: read("client.pem"), key: read("client.key") };
        // Only the engine's copy of the key is used from here on.
        std::fs::remove_file(pki.join("client.key")).expect("rm key");
        let secrets = Secrets::mock().expect("mock keyring");
        let engines = Engines::new(Some(dir.join("app")));
        let host = format!("tcp://127.0.0.1:{port}");
        let added = engines
            .add(NewEngine { name: "tls".into(), host, tls: Some(tls) }, || Ok(secrets.clone()))
            .expect("added");
        let mut selected = engines.resolve(Some(&added.id), || Ok(secrets.clone())).expect("resolves");
        selected.collect.host_facts = false;
        selected.collect.timeout = std::time::Duration::from_secs(5);
        let log = || std::fs::read_to_string(pki.join("s_server.log")).unwrap_or_default();
        let mut accepted = false;
        // s_server may still be starting: a few attempts, each a real connection.
        for _ in 0..20 {
            let snapshot = zerodock_engine::collect(&selected.collect).await;
            if log().contains("CN = zd-test-client") {
                accepted = true;
                break;
            }
            tracing::debug!(engine = ?snapshot.engine, "no client handshake yet");
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        let _ = server.kill();
        let _ = server.wait();
        assert!(accepted, "the server verified no client certificate:\n{}", log());
        assert!(log().contains("verify return:1"), "{}", log());
        drop(selected);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_added_tls_engine_keeps_its_key_in_the_keyring_and_hands_it_over_in_memory() {
        let dir = temp_dir("tls");
        let app = dir.join("app");
        let engines = Engines::new(Some(app.clone()));
        let secrets = Secrets::mock().expect("mock keyring");
        let tls = TlsMaterial { ca: Pem(CERT.into()), cert: Pem(CERT.into()), key: Pem(KEY.into()) };
        assert!(!format!("{tls:?}").contains("FakeKey"), "Debug never shows a PEM");
        let added = engines
            .add(
                NewEngine { name: "build-01".into(), host: "tcp://127.0.0.1:2376".into(), tls: Some(tls) },
                || Ok(secrets.clone()),
            )
            .expect("added");
        assert!(added.tls);

        // The key is in the keyring and in no file of the config directory.
        let kept = secrets.get(&key_name(&added.id)).expect("get").expect("kept");
        assert_eq!(kept.expose(), KEY.as_bytes());
        let mut files = vec![app.clone()];
        let mut seen = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).expect("dir").map(|e| e.expect("entry").path()));
            } else {
                seen += 1;
                let text = std::fs::read_to_string(&path).expect("read");
                assert!(!text.contains("FakeKey"), "the key is in {}", path.display());
            }
        }
        assert_eq!(seen, 3, "engines.json, ca.pem, cert.pem");

        // Selected: the client reads the key from an in-memory file, certificates from the folder.
        let selected = engines.resolve(Some(&added.id), || Ok(secrets.clone())).expect("resolves");
        let ep = &selected.collect.endpoint;
        assert_eq!(ep.host, "tcp://127.0.0.1:2376");
        let tls_dir = ep.tls_dir.clone().expect("tls dir");
        assert!(tls_dir.join("ca.pem").exists() && tls_dir.join("cert.pem").exists());
        let key_path = ep.tls_key.clone().expect("key path");
        assert!(key_path.starts_with("/proc/self/fd/"), "{}", key_path.display());
        let mut read = String::new();
        std::fs::File::open(&key_path).expect("open").read_to_string(&mut read).expect("read");
        assert_eq!(read, KEY, "bollard reads the key through the path, from the start each time");
        let link = std::fs::read_link(&key_path).expect("link");
        assert!(link.to_string_lossy().starts_with("/memfd:"), "not a file on disk: {}", link.display());

        // Without its key (deleted from the keyring) it cannot be selected, and says why.
        secrets.delete(&key_name(&added.id)).expect("delete");
        let err = engines.resolve(Some(&added.id), || Ok(secrets.clone())).expect_err("no key");
        assert!(err.contains("not in the OS keyring"), "{err}");
        engines.remove(&added.id, || Ok(secrets.clone())).expect("removed");
        assert!(!tls_dir.exists(), "its certificates go with it");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
