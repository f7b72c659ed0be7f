//! IMG009 untrusted-image-source.

use crate::checks::prelude::*;

/// `nginx:1` → `docker.io/library/nginx`; `ghcr.io/acme/app@sha256:…` → `ghcr.io/acme/app`: the
/// repository a reference names, with Docker Hub's implied registry and `library/` written out.
pub(crate) fn repository(reference: &str) -> String {
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let (head, last) = without_digest.rsplit_once('/').map_or(("", without_digest), |(h, l)| (h, l));
    let last = last.split(':').next().unwrap_or(last);
    let name = if head.is_empty() { last.to_owned() } else { format!("{head}/{last}") };
    let first = name.split('/').next().unwrap_or_default();
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    match (has_registry, name.contains('/')) {
        (true, _) => name,
        (false, true) => format!("docker.io/{name}"),
        (false, false) => format!("docker.io/library/{name}"),
    }
}

/// Whether `repo` falls under allowlist entry `entry` (a registry, a repository, or a prefix
/// ending in `/*`).
fn under(repo: &str, entry: &str) -> bool {
    let prefix = entry.trim().trim_end_matches("/*").trim_end_matches('/');
    // A bare registry (`ghcr.io`) stays as written; a repository path is normalised like a reference.
    let prefix = if prefix.contains('/') { repository(prefix) } else { prefix.to_owned() };
    repo == prefix || repo.starts_with(&format!("{prefix}/"))
}

/// The repositories an image is known by (tags and digests).
fn repositories(i: &Image) -> Vec<String> {
    let mut repos: Vec<String> = i
        .repo_tags
        .iter()
        .chain(&i.repo_digests)
        .filter(|r| !r.starts_with("<none>"))
        .map(|r| repository(r))
        .collect();
    repos.sort();
    repos.dedup();
    repos
}

/// The predicate without an allowlist: every image's source, for a person to confirm.
fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_image(snap, |i| {
        let target = image_target(i);
        let repos = repositories(i);
        let shown = if repos.is_empty() { "(untagged)".to_owned() } else { repos.join(", ") };
        Finding::manual(
            target,
            format!(
                "`{}` comes from {shown}: no trusted-image list is configured, so confirm this source is trusted (or list it under [images] trusted in the policy file)",
                i.display_name()
            ),
        )
        .evidence("RepoTags / RepoDigests", shown, "a registry or repository the policy trusts")
        .fixes([policy_snippet(&repos)])
    })
}

fn policy_snippet(repos: &[String]) -> Snippet {
    let listed = repos.iter().map(|r| format!("\"{r}\"")).collect::<Vec<_>>().join(", ");
    Snippet::new(
        SnippetKind::Shell,
        "Trust sources in the policy file (~/.config/zerodock/policy.toml or --policy): the images from anywhere else then fail",
        format!("# policy.toml\n[images]\ntrusted = [{listed}]"),
    )
}

/// The verdict against the user's allowlist `trusted` (the policy's `[images] trusted`).
pub(crate) fn judge(snap: &Snapshot, trusted: &[String]) -> Vec<Finding> {
    let expected = format!("under one of: {}", trusted.join(", "));
    each_image(snap, |i| {
        let target = image_target(i);
        let repos = repositories(i);
        let name = i.display_name();
        if repos.is_empty() {
            return Finding::manual(
                target,
                format!("`{name}` has no tag or digest: confirm where it came from"),
            )
            .evidence("RepoTags / RepoDigests", "(untagged)", expected.clone());
        }
        let field = "RepoTags / RepoDigests → repository";
        match repos.iter().find(|r| trusted.iter().any(|t| under(r, t))) {
            Some(repo) => Finding::pass(target, format!("`{name}` comes from a trusted source ({repo})"))
                .evidence(field, repos.join(", "), expected.clone()),
            None => Finding::fail(
                target,
                format!("`{name}` comes from {}, which the policy does not trust", repos.join(", ")),
            )
            .evidence(field, repos.join(", "), expected.clone())
            .fixes([policy_snippet(&repos)])
            .fix(
                SnippetKind::Dockerfile,
                "Or rebuild it FROM a trusted base (and push it to a trusted repository)",
                format!("FROM {}/IMAGE_NAME:TAG", trusted[0].trim_end_matches("/*").trim_end_matches('/')),
            ),
        }
    })
}

crate::declare_check! {
    /// An image comes from a registry or repository the user has not declared trusted (base
    /// images from trusted sources only).
    ///
    /// ## Rationale
    /// An image runs whatever its publisher put in it. CIS 4.2 asks that containers use only
    /// trusted base images: official or verified publishers, or the organisation's own
    /// registry. Which sources are trusted is the organisation's decision, so the policy file
    /// declares them (`[images] trusted = ["docker.io/library", "ghcr.io/acme/*"]`); every image
    /// from elsewhere then fails. Without that list the check lists each image's source as a
    /// manual finding for a person to confirm — never a pass.
    ///
    /// ## Evidence
    /// `RepoTags` and `RepoDigests` of every local image, reduced to their repository
    /// (`nginx:1` → `docker.io/library/nginx`), against the policy's `[images] trusted` prefixes
    /// (a registry, a repository, or a prefix ending in `/*`). A locally built image is judged by
    /// the repository of its tag.
    ///
    /// ## Remediation
    /// Declare the trusted sources in the policy file; rebuild images from elsewhere `FROM` a
    /// trusted base and push them to a trusted repository, or remove them.
    pub(crate) static CHECK = {
        code: "IMG009",
        slug: "untrusted-image-source",
        title: "Image from a source not declared trusted (base image)",
        category: Images,
        severity: Medium,
        target: Image,
        references: [
            Reference::Cis("4.2"),
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Url("https://docs.docker.com/docker-hub/image-library/trusted-content/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test IMG009` selects its tests")]
mod IMG009 {
    use super::*;
    use crate::checks::testing::{find, findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zerodock/leaky:1"]);

    #[test]
    fn without_an_allowlist_every_source_is_manual() {
        let f = findings(&CHECK, &fixture("default"));
        assert!(f.iter().all(|f| f.status == Status::Manual), "{f:?}");
        assert!(find(&f, "zerodock/leaky:1").message.contains("docker.io/zerodock/leaky"));
    }

    #[test]
    fn the_allowlist_decides() {
        let trusted = vec!["docker.io/zerodock/busybox".to_owned(), "docker.io/zerodock/hardened".to_owned()];
        let f = judge(&fixture("default"), &trusted);
        assert_eq!(status_of(&f, "zerodock/busybox:1"), Status::Pass);
        assert_eq!(status_of(&f, "zerodock/hardened:1"), Status::Pass);
        assert_eq!(status_of(&f, "zerodock/leaky:1"), Status::Fail);
        let all = judge(&fixture("default"), &["docker.io/zerodock/*".to_owned()]);
        assert!(all.iter().all(|f| f.status == Status::Pass), "{all:?}");
    }

    #[test]
    fn references_reduce_to_repositories() {
        assert_eq!(repository("nginx:1"), "docker.io/library/nginx");
        assert_eq!(repository("zerodock/busybox:1"), "docker.io/zerodock/busybox");
        assert_eq!(repository("localhost:5000/app:2"), "localhost:5000/app");
        assert_eq!(repository("ghcr.io/acme/app@sha256:abc"), "ghcr.io/acme/app");
        assert!(under("ghcr.io/acme/app", "ghcr.io/acme/*"));
        assert!(under("ghcr.io/acme/app", "ghcr.io"));
        assert!(under("docker.io/library/nginx", "docker.io/library"));
        assert!(!under("docker.io/library2/nginx", "docker.io/library"));
        assert!(!under("ghcr.io/acmeevil/app", "ghcr.io/acme"));
    }
}
