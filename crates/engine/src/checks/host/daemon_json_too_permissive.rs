//! HST007 daemon-json-permissions.

use crate::checks::prelude::*;

use super::in_scope;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let target = match in_scope(snap) {
        Ok(t) => t,
        Err(na) => return vec![*na],
    };
    if let Some(na) = podman_not_applicable(
        snap,
        target.clone(),
        "Podman's configuration is containers.conf, not a daemon.json",
    ) {
        return na;
    }
    let dj = match snap.host.daemon_json.get() {
        Err(reason) => {
            return vec![Finding::unknown(
                target,
                format!("the daemon configuration file could not be examined: {reason}"),
            )];
        }
        Ok(None) => {
            return vec![Finding::not_applicable(
                target,
                "there is no daemon.json: dockerd runs on flags and defaults",
            )];
        }
        Ok(Some(dj)) => dj,
    };
    let file = &dj.file;
    // Rootless and Docker Desktop read a daemon.json in the user's home, owned by the user.
    let user_file = file.path.contains("/.config/docker/") || file.path.contains("/.docker/");
    let field = format!("stat {}", file.path);
    let observed = format!("{} {}", file.mode_octal(), file.ownership());
    let expected =
        if user_file { "644 or stricter, owned by the user" } else { "644 or stricter, root:root" };
    let mut problems = Vec::new();
    if file.mode & 0o022 != 0 {
        let who = if file.mode & 0o002 != 0 { "every local user" } else { "its group" };
        problems.push(format!(
            "writable by {who}, who can reconfigure the daemon (and get root at its next restart)"
        ));
    } else if file.mode & 0o7777 & !0o644 != 0 {
        problems.push(format!("mode {} is wider than 644", file.mode_octal()));
    }
    if !user_file && file.uid != 0 {
        problems.push(format!(
            "owned by `{}`, not root",
            file.owner.clone().unwrap_or_else(|| file.uid.to_string())
        ));
    }
    if problems.is_empty() {
        return vec![
            Finding::pass(target, format!("{} is {observed}", file.path)).evidence(field, observed, expected),
        ];
    }
    let owner = if user_file { file.ownership() } else { "root:root".to_owned() };
    vec![
        Finding::fail(target, format!("{} ({observed}) is {}", file.path, problems.join("; ")))
            .evidence(field, observed, expected)
            .fix(
                SnippetKind::Shell,
                format!("Restrict {}", file.path),
                format!("sudo chown {owner} {path}\nsudo chmod 0644 {path}", path = file.path),
            ),
    ]
}

crate::declare_check! {
    /// The daemon configuration file can be changed by users other than root.
    ///
    /// ## Rationale
    /// daemon.json decides how dockerd runs: its listeners (`hosts`), TLS, runtimes, authorization
    /// plugins, default seccomp profile. Whoever can write it can expose the API without TLS or add
    /// a runtime that is any binary, and gets root at the next daemon restart. The benchmark rates
    /// it Low; ZeroDock rates it Medium because a writable file is a privilege-escalation path, not
    /// only a hygiene issue.
    ///
    /// ## Evidence
    /// `stat` of the daemon.json dockerd reads (`/etc/docker/daemon.json`, the file given with
    /// `--config-file`, or the rootless / Docker Desktop one in the user's home): owner, group, mode.
    /// No file: not applicable.
    ///
    /// ## Remediation
    /// `sudo chown root:root /etc/docker/daemon.json && sudo chmod 0644 /etc/docker/daemon.json`.
    pub(crate) static CHECK = {
        code: "HST007",
        slug: "daemon-json-too-permissive",
        title: "daemon.json writable by non-root users",
        category: Host,
        severity: Medium,
        target: Host,
        references: [
            Reference::Cis("3.17"),
            Reference::Cis("3.18"),
            Reference::Nist("tenet 5: monitor and maintain the integrity of assets"),
            Reference::Seed("Best practices §3 Secure Docker Hosts"),
            Reference::Url("https://docs.docker.com/engine/daemon/#configuration-file"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test HST007` selects its tests")]
mod HST007 {
    use super::*;
    use crate::checks::testing::{findings, fixture, variant};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", []);

    #[test]
    fn world_writable_fails_644_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert!(f[0].message.contains("writable by every local user"), "{}", f[0].message);
        assert_eq!(
            f[0].remediation[0].code,
            "sudo chown root:root /tmp/zerodock-test/default/daemon.json\nsudo chmod 0644 /tmp/zerodock-test/default/daemon.json"
        );
        assert_eq!(findings(&CHECK, &fixture("hardened"))[0].status, Status::Pass);
    }

    #[test]
    fn no_file_is_not_applicable() {
        // Mutation: dockerd runs without any daemon.json.
        let snap = variant("default", |s| *s.host.daemon_json.ok_mut().expect("captured") = None);
        assert_eq!(findings(&CHECK, &snap)[0].status, Status::NotApplicable);
    }
}
