//! `ssh://[user@]host[:port]` engines, reached the way the docker CLI reaches them: the system
//! `ssh` client runs `docker system dial-stdio` on the remote machine and the Engine API is spoken
//! over its stdin/stdout. Authentication is the user's own ssh setup (agent, keys, `~/.ssh/config`):
//! ZeroDock stores no SSH secret.
//!
//! Why not bollard's `ssh` feature: in bollard 0.21.1 it passes `user@host:port` to the openssh
//! crate without the `ssh://` prefix that crate parses ports from, so any port but 22 fails, and
//! it starts the master with `StrictHostKeyChecking=accept-new`, which trusts an unknown host key on
//! first use. Here the host key must already be known (`StrictHostKeyChecking=yes`), never added.

use std::io;
use std::pin::Pin;
use std::process::Stdio;
use std::task::{Context, Poll};
use std::time::Duration;

use bollard::{BollardRequest, Docker};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// Where an `ssh://` endpoint points: what `ssh` needs to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SshTarget {
    user: Option<String>,
    host: String,
    port: Option<u16>,
}

impl SshTarget {
    /// Parses `ssh://[user@]host[:port]` (an IPv6 host in brackets). A path is refused: the docker
    /// CLI's `ssh://host/path` socket form is not supported by `dial-stdio` either.
    pub(crate) fn parse(url: &str) -> Result<Self, String> {
        let bad = |why: &str| {
            format!("endpoint {url} is not a valid ssh address ({why}): use ssh://[user@]host[:port]")
        };
        let rest = url.strip_prefix("ssh://").ok_or_else(|| bad("no ssh:// prefix"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') {
            return Err(bad("a path is not supported"));
        }
        let (user, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) if !u.is_empty() => (Some(u.to_owned()), h),
            Some(_) => return Err(bad("empty user name")),
            None => (None, rest),
        };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(|| bad("unclosed ["))?;
            (h, after.strip_prefix(':'))
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            }
        };
        let port = port.map(|p| p.parse::<u16>().map_err(|_| bad("the port is not a number"))).transpose()?;
        // A host starting with '-' would be read by ssh as an option.
        if host.is_empty() || host.starts_with('-') {
            return Err(bad("no host name"));
        }
        Ok(SshTarget { user, host: host.to_owned(), port })
    }

    /// `ssh` with the options every call shares, ending before the remote command.
    fn command(&self, timeout: Duration) -> Command {
        let mut cmd = Command::new("ssh");
        if let Some(config) = std::env::var_os("ZERODOCK_SSH_CONFIG").filter(|c| !c.is_empty()) {
            // A dedicated ssh_config (known hosts, identity) instead of ~/.ssh/config.
            cmd.arg("-F").arg(config);
        }
        // BatchMode: never prompt (the tray has no terminal; a key with a passphrase needs the
        // agent). StrictHostKeyChecking=yes: an unknown host key is refused, never accepted.
        cmd.args(["-T", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"])
            .arg("-o")
            .arg(format!("ConnectTimeout={}", timeout.as_secs().max(1)));
        if let Some(port) = self.port {
            cmd.arg("-p").arg(port.to_string());
        }
        if let Some(user) = &self.user {
            cmd.arg("-l").arg(user);
        }
        cmd.arg("--").arg(&self.host);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true);
        cmd
    }

    /// Runs `docker --version` on the remote machine once before any API call, so that what stops
    /// the connection (no ssh, an unknown host key, refused keys, no docker CLI there) is told in
    /// words instead of as an HTTP connection closed early.
    pub(crate) async fn preflight(&self, url: &str, timeout: Duration) -> Result<(), String> {
        let mut cmd = self.command(timeout);
        cmd.args(["docker", "--version"]).stdout(Stdio::piped()).stderr(Stdio::piped());
        let out = match cmd.spawn() {
            Ok(child) => tokio::time::timeout(timeout + Duration::from_secs(2), child.wait_with_output())
                .await
                .map_err(|_| {
                    format!("ssh to {url} did not finish connecting within {} s", timeout.as_secs())
                })?
                .map_err(|e| format!("cannot run ssh for {url}: {e}"))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(format!(
                    "cannot reach {url}: the `ssh` client is not installed (install OpenSSH's client, e.g. `apt install openssh-client`)"
                ));
            }
            Err(e) => return Err(format!("cannot run ssh for {url}: {e}")),
        };
        if out.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(explain_ssh_failure(url, self, out.status.code(), stderr.trim()))
    }
}

/// What a failed `ssh … docker --version` means, and what to do about it.
fn explain_ssh_failure(url: &str, target: &SshTarget, code: Option<i32>, stderr: &str) -> String {
    let host = target.host.as_str();
    // The command a user would type to see (and check) the host key themselves.
    let by_hand = format!(
        "ssh {}{}{host}",
        target.port.map(|p| format!("-p {p} ")).unwrap_or_default(),
        target.user.as_deref().map(|u| format!("{u}@")).unwrap_or_default()
    );
    let said = stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").to_owned();
    if stderr.contains("Host key verification failed")
        || stderr.contains("No ED25519 host key is known")
        || stderr.contains("host key is known")
        || stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
    {
        if stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") {
            return format!(
                "cannot reach {url}: the host key of {host} differs from the one in known_hosts (a reinstalled host, or someone in between): check it, then fix known_hosts (`ssh-keygen -R {host}`)"
            );
        }
        return format!(
            "cannot reach {url}: the host key of {host} is not known, and ZeroDock never accepts an unknown host key: connect once with `{by_hand}` and check the fingerprint it shows, or add it with `ssh-keyscan` after verifying it"
        );
    }
    if stderr.contains("Permission denied") {
        return format!(
            "cannot reach {url}: {host} refused the login ({said}): load the key into your ssh agent (`ssh-add`), or name it for this host in ~/.ssh/config (IdentityFile); a key with a passphrase needs the agent, ZeroDock never asks for it"
        );
    }
    if code == Some(127)
        || stderr.contains("docker: command not found")
        || stderr.contains("docker: not found")
    {
        return format!(
            "cannot reach {url}: {host} has no `docker` command for the ssh user: ZeroDock runs `docker system dial-stdio` there, so install the docker CLI on {host} (or put it on that user's PATH)"
        );
    }
    if code == Some(255) {
        return format!("cannot reach {url}: ssh failed: {said}");
    }
    format!(
        "cannot reach {url}: `docker --version` over ssh failed ({}): {said}",
        code.map_or("killed".into(), |c| c.to_string())
    )
}

/// A Docker client whose every HTTP connection is one `ssh … docker system dial-stdio` process.
/// Connections are pooled by hyper like a unix socket's; a dropped connection kills its process.
pub(crate) fn connect(target: SshTarget, timeout: Duration) -> Result<Docker, bollard::errors::Error> {
    let client = Client::builder(TokioExecutor::new()).build(Dialer { target, timeout });
    Docker::connect_with_custom_transport(
        move |req: BollardRequest| {
            let client = client.clone();
            async move { client.request(req).await.map_err(bollard::errors::Error::from) }
        },
        // The address is only the HTTP Host header: the connector ignores it (as the docker CLI's
        // dial-stdio connections do).
        Some("http://docker"),
        timeout.as_secs().max(1),
        bollard::API_DEFAULT_VERSION,
    )
}

/// hyper's connector: starts `docker system dial-stdio` over ssh for each new connection.
#[derive(Clone)]
struct Dialer {
    target: SshTarget,
    timeout: Duration,
}

impl tower_service::Service<hyper::Uri> for Dialer {
    type Response = DialStdio;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: hyper::Uri) -> Self::Future {
        let mut cmd = self.target.command(self.timeout);
        cmd.args(["docker", "system", "dial-stdio"]).stdin(Stdio::piped()).stdout(Stdio::piped());
        Box::pin(async move {
            let mut child = cmd.spawn()?;
            let stdin = child.stdin.take().ok_or_else(|| io::Error::other("ssh has no stdin"))?;
            let stdout = child.stdout.take().ok_or_else(|| io::Error::other("ssh has no stdout"))?;
            Ok(DialStdio { _child: child, stdin: TokioIo::new(stdin), stdout: TokioIo::new(stdout) })
        })
    }
}

/// One `dial-stdio` process as a byte stream: writes go to its stdin, reads come from its stdout.
struct DialStdio {
    /// Held so the process lives as long as the connection (killed on drop).
    _child: Child,
    stdin: TokioIo<ChildStdin>,
    stdout: TokioIo<ChildStdout>,
}

impl Connection for DialStdio {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl hyper::rt::Read for DialStdio {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stdout).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for DialStdio {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stdin).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stdin).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stdin).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_addresses_parse_like_the_docker_cli() {
        let t = SshTarget::parse("ssh://root@127.0.0.1:2222").unwrap();
        assert_eq!(t, SshTarget { user: Some("root".into()), host: "127.0.0.1".into(), port: Some(2222) });
        let t = SshTarget::parse("ssh://build-01").unwrap();
        assert_eq!(t, SshTarget { user: None, host: "build-01".into(), port: None });
        let t = SshTarget::parse("ssh://me@[::1]:22/").unwrap();
        assert_eq!(t, SshTarget { user: Some("me".into()), host: "::1".into(), port: Some(22) });
        assert!(SshTarget::parse("ssh://host/var/run/docker.sock").is_err());
        assert!(SshTarget::parse("ssh://-oProxyCommand=x").is_err());
        assert!(SshTarget::parse("ssh://host:abc").is_err());
    }

    #[test]
    fn ssh_failures_say_what_to_do() {
        let t = SshTarget::parse("ssh://me@h:2222").unwrap();
        let m = explain_ssh_failure("ssh://me@h:2222", &t, Some(255), "Host key verification failed.");
        assert!(m.contains("never accepts an unknown host key") && m.contains("`ssh -p 2222 me@h`"), "{m}");
        let m = explain_ssh_failure("ssh://me@h:2222", &t, Some(255), "me@h: Permission denied (publickey).");
        assert!(m.contains("ssh-add"), "{m}");
        let m =
            explain_ssh_failure("ssh://me@h:2222", &t, Some(127), "bash: line 1: docker: command not found");
        assert!(m.contains("install the docker CLI"), "{m}");
    }
}
