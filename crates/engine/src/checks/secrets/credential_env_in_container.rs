//! SEC001 credential-env-in-container.

use crate::checks::prelude::*;
use crate::snapshot::EnvVar;

use super::describe;

fn secret_file_name(var: &str) -> String {
    var.to_ascii_lowercase()
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        let creds: Vec<&EnvVar> = c.env.iter().filter(|v| v.credential_like).collect();
        let field = "Config.Env (names only)";
        let expected = "no credentials in the environment (use *_FILE and mounted secrets)";
        if creds.is_empty() {
            return Finding::pass(
                target,
                format!("Container `{}` has no credential-like environment variables", c.name),
            )
            .evidence(
                field,
                format!("{} variable(s), none credential-like", c.env.len()),
                expected,
            );
        }
        let image = snap.image_by_id(&c.image_id);
        let from_image: Vec<&str> = creds
            .iter()
            .filter(|v| image.is_some_and(|i| i.env.iter().any(|e| e.name == v.name)))
            .map(|v| v.name.as_str())
            .collect();
        let names = creds.iter().map(|v| format!("`{}`", v.name)).collect::<Vec<_>>().join(", ");
        let mut message = format!(
            "Container `{}` holds credentials in its environment ({names}): readable with `docker inspect` and by every process in it",
            c.name
        );
        if !from_image.is_empty() {
            let listed = from_image.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            message.push_str(&format!(" ({listed} set by its image: see SEC002)"));
        }
        let run_flags = creds
            .iter()
            .map(|v| {
                format!(
                    "-e {n}_FILE=/run/secrets/{f} -v ./{f}.txt:/run/secrets/{f}:ro",
                    n = v.name,
                    f = secret_file_name(&v.name)
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
        let compose_env = creds
            .iter()
            .map(|v| format!("  {n}_FILE: /run/secrets/{f}", n = v.name, f = secret_file_name(&v.name)))
            .collect::<Vec<_>>()
            .join("\n");
        let secrets_list = creds.iter().map(|v| secret_file_name(&v.name)).collect::<Vec<_>>().join(", ");
        let top_level = creds
            .iter()
            .map(|v| format!("#   {f}: {{ file: ./{f}.txt }}", f = secret_file_name(&v.name)))
            .collect::<Vec<_>>()
            .join("\n");
        Finding::fail(target, message)
            .evidence(field, creds.iter().map(|v| describe(v)).collect::<Vec<_>>().join(", "), expected)
            .fixes(pick_fixes(
                c,
                run_fix(c, &run_flags),
                compose_fix(
                    c,
                    &format!("environment:   # drop the plain variables; images that support *_FILE read the file\n{compose_env}\nsecrets: [{secrets_list}]\n# and at top level:\n# secrets:\n{top_level}"),
                ),
            ))
            .fix(
                SnippetKind::Shell,
                "Rotate the exposed credentials: anyone who could run `docker inspect` may have read them",
                format!("# rotate {names} at their issuer, then recreate `{}` with the new values mounted as files", c.name),
            )
    })
}

crate::declare_check! {
    /// A container holds credentials in its environment variables.
    ///
    /// ## Rationale
    /// Environment variables are not secret: `docker inspect` shows them to anyone with API access,
    /// they are inherited by every child process, end up in crash dumps, debug pages and logs, and
    /// are visible in `/proc/<pid>/environ` to processes of the same user. A password or token
    /// there is one mistake away from leaking. Zero Trust asks for a purpose-built secret store:
    /// mount secrets as files readable only by the process that needs them. The CIS Docker
    /// Benchmark has no recommendation on a container's environment at run time: CIS 4.10 is about
    /// secrets written into Dockerfiles and images (SEC002), and CIS 7.4 about Swarm's secret
    /// store, so this check cites neither.
    ///
    /// ## Evidence
    /// `Config.Env` of every container, by name only: a name is credential-like when it contains
    /// `PASSWORD`, `SECRET`, `TOKEN`, `API_KEY`, `ACCESS_KEY`, `PRIVATE`… (after Dockle CIS-DI-0010);
    /// `*_FILE` and `*_TIMEOUT`-style setting names are not; a URL value with a password
    /// (`DATABASE_URL=postgres://app:pw@db/app`) is. Values never leave collection; the snapshot
    /// keeps an 8-hex-digit fingerprint to tell a rotation, findings show names only.
    ///
    /// ## Remediation
    /// Use Compose `secrets:` (mounted at `/run/secrets/<name>`) or Docker Swarm secrets, and the
    /// `*_FILE` variables most official images support (`POSTGRES_PASSWORD_FILE`). With `docker run`,
    /// bind-mount a root-owned `0400` file read-only. Rotate every credential that was in the
    /// environment.
    pub(crate) static CHECK = {
        code: "SEC001",
        slug: "credential-env-in-container",
        title: "Credentials in a container's environment",
        category: Secrets,
        severity: High,
        target: Container,
        references: [
            Reference::Nist("tenet 6: authentication strictly enforced"),
            Reference::Seed("Zero Trust: Authentication and authorization"),
            Reference::Url("https://docs.docker.com/compose/how-tos/use-secrets/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test SEC001` selects its tests")]
mod SEC001 {
    use super::*;
    use crate::checks::testing::{find, findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-env-secret", "zd-hardened"]);

    #[test]
    fn credentials_in_env_fail_by_name_only() {
        let snap = fixture("default");
        let f = findings(&CHECK, &snap);
        let secret = find(&f, "zd-env-secret");
        assert_eq!(secret.status, Status::Fail);
        assert!(
            secret.message.contains("`DB_PASSWORD`") && secret.message.contains("`API_TOKEN`"),
            "{}",
            secret.message
        );
        assert!(secret.evidence[0].observed.contains("DB_PASSWORD"));
        // Fingerprints stay in the snapshot: a shared report must not allow offline guessing.
        assert!(!serde_json::to_string(&f).expect("serialise").contains("fingerprint"));
        let leaky = find(&f, "zd-leaky-image");
        assert_eq!(leaky.status, Status::Fail);
        assert!(leaky.message.contains("(`API_TOKEN` set by its image: see SEC002)"), "{}", leaky.message);
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
        // The planted value never reaches a finding.
        let json = serde_json::to_string(&f).expect("captured");
        assert!(!json.contains(crate::checks::testing::planted_secret()));
    }

    #[test]
    fn fixes_use_files() {
        let f = findings(&CHECK, &fixture("default"));
        let secret = find(&f, "zd-env-secret");
        // Not created by Compose: the `docker run` recreation first, then the Compose fragment.
        assert!(secret.remediation[0].code.contains("-v ./api_token.txt:/run/secrets/api_token:ro"));
        assert!(
            secret.remediation[1].code.contains("DB_PASSWORD_FILE: /run/secrets/db_password"),
            "{}",
            secret.remediation[1].code
        );
    }
}
