//! SEC002 credential-env-in-image.

use crate::checks::prelude::*;
use crate::snapshot::secrets::is_credential_name;

use super::describe;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_image(snap, |image| {
        let target = image_target(image);
        let name = image.display_name();
        let env: Vec<String> = image.env.iter().filter(|v| v.credential_like).map(describe).collect();
        let mut history: Vec<String> = Vec::new();
        for entry in image.history.iter().filter(|h| matches!(h.instruction.as_str(), "ENV" | "ARG")) {
            for var in entry.names.iter().filter(|n| is_credential_name(n)) {
                let item = format!("{} {var}", entry.instruction);
                if !history.contains(&item) {
                    history.push(item);
                }
            }
        }
        let expected = "no credential-like ENV or ARG";
        if env.is_empty() && history.is_empty() {
            return Finding::pass(target, format!("Image `{name}` declares no credential-like ENV or ARG"))
                .evidence("Config.Env, history ENV/ARG (names only)", "none credential-like", expected);
        }
        let mut names: Vec<&str> =
            image.env.iter().filter(|v| v.credential_like).map(|v| v.name.as_str()).collect();
        for h in &history {
            let var = h.split_once(' ').map_or(h.as_str(), |(_, v)| v);
            if !names.contains(&var) {
                names.push(var);
            }
        }
        let listed = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        let mut finding = Finding::fail(
            target,
            format!(
                "Image `{name}` bakes credentials into its configuration or history ({listed}): anyone who can pull it can read them"
            ),
        );
        if !env.is_empty() {
            finding = finding.evidence("Config.Env (names only)", env.join(", "), expected);
        }
        if !history.is_empty() {
            finding = finding.evidence(
                "GET /images/{id}/history (ENV/ARG instructions, names only)",
                history.join(", "),
                expected,
            );
        }
        let first = names.first().copied().unwrap_or("API_TOKEN");
        let id = first.to_ascii_lowercase();
        finding
            .fix(
                SnippetKind::Dockerfile,
                format!("Use a build secret instead of ENV/ARG for {listed}: it is never written to a layer or the history"),
                format!("# syntax=docker/dockerfile:1\n# remove: ENV {first}=…  /  ARG {first}\nRUN --mount=type=secret,id={id},env={first} ./step-that-needs-it.sh"),
            )
            .fix(
                SnippetKind::Shell,
                "Build with the secret, then rotate the exposed credential and delete the old image (and any pushed copies)",
                format!(
                    "docker build --secret id={id},env={first} -t {name} .\n# rotate {listed} at their issuer, then remove the old image:\ndocker image rm {}",
                    crate::snapshot::short_id(&image.id)
                ),
            )
    })
}

crate::declare_check! {
    /// An image declares credentials in `ENV` or `ARG`.
    ///
    /// ## Rationale
    /// `ENV` values are stored in the image configuration, and `ARG` values used by a `RUN` are
    /// recorded in the image history: both travel with every copy of the image, to every registry
    /// and every machine that pulls it, and are readable with `docker image inspect` or `docker
    /// history`. Deleting the variable in a later layer does not remove it. The only fix is to never
    /// put the secret in, and to rotate it once it was.
    ///
    /// ## Evidence
    /// `GET /images/{id}/json` → `Config.Env` and `GET /images/{id}/history` `ENV`/`ARG`
    /// instructions, by variable name only (values are dropped at collection; the snapshot keeps a
    /// fingerprint of `Config.Env` values, findings do not). Credential-like names as in SEC001.
    ///
    /// ## Remediation
    /// Pass build-time secrets with BuildKit secret mounts: `RUN --mount=type=secret,id=token,env=TOKEN`
    /// and `docker build --secret id=token,env=TOKEN .`; pass runtime secrets as mounted files
    /// (Compose `secrets:`). Rotate the exposed credential, and delete the image and its pushed tags.
    pub(crate) static CHECK = {
        code: "SEC002",
        slug: "credential-env-in-image",
        title: "Credentials in an image's ENV or ARG",
        category: Secrets,
        severity: Medium,
        target: Image,
        references: [
            Reference::Cis("4.10"),
            Reference::Nist("tenet 6: authentication strictly enforced"),
            Reference::Seed("Zero Trust: Authentication and authorization"),
            Reference::Url("https://docs.docker.com/build/building/secrets/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test SEC002` selects its tests")]
mod SEC002 {
    use super::*;
    use crate::checks::testing::{find, findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zerodock/leaky:1", "zerodock/busybox:1"]
    );

    #[test]
    fn leaky_image_fails_others_pass() {
        let f = findings(&CHECK, &fixture("default"));
        let leaky = find(&f, "zerodock/leaky:1");
        assert_eq!(leaky.status, Status::Fail);
        assert!(leaky.evidence.iter().any(|e| e.observed == "ENV API_TOKEN"), "{:?}", leaky.evidence);
        assert!(leaky.remediation[0].code.contains("--mount=type=secret,id=api_token,env=API_TOKEN"));
        assert!(!serde_json::to_string(&f).expect("serialise").contains("fingerprint"));
        assert_eq!(status_of(&f, "zerodock/busybox:1"), Status::Pass);
        assert_eq!(status_of(&f, "zerodock/hardened:1"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zerodock/hardened:1"), Status::Pass);
    }
}
