//! IMG002 unpinned-image-tag.

use crate::checks::prelude::*;

/// How a container's `Config.Image` reference pins its image.
#[derive(Debug, PartialEq, Eq)]
enum Pin<'a> {
    /// `repo@sha256:…` (with or without a tag): immutable.
    Digest,
    /// Created from an image id (`sha256:…` or a hex prefix of the id): immutable.
    Id,
    /// A tag other than `latest`.
    Tag(&'a str),
    /// `:latest`, written out (`true`) or implied by a missing tag (`false`).
    Latest(bool),
}

/// The repository part of a reference: everything before the tag (a `:` in the last path
/// segment; a registry's `host:port` is in an earlier one).
fn repository(reference: &str) -> &str {
    let last_start = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[last_start..].find(':') {
        Some(i) => &reference[..last_start + i],
        None => reference,
    }
}

fn pin<'a>(reference: &'a str, image_id: &str) -> Pin<'a> {
    if reference.contains('@') {
        return Pin::Digest;
    }
    let id_hex = image_id.strip_prefix("sha256:").unwrap_or(image_id);
    let ref_hex = reference.strip_prefix("sha256:").unwrap_or(reference);
    if reference.starts_with("sha256:")
        || (ref_hex.len() >= 12
            && ref_hex.chars().all(|ch| ch.is_ascii_hexdigit())
            && id_hex.starts_with(ref_hex))
    {
        return Pin::Id;
    }
    let repo = repository(reference);
    match reference.get(repo.len() + 1..) {
        Some("latest") => Pin::Latest(true),
        Some(tag) if !tag.is_empty() => Pin::Tag(tag),
        _ => Pin::Latest(false),
    }
}

/// The best pinned reference to suggest: a registry digest of the same repository, else another
/// (non-latest) tag of the very same image, else a placeholder version tag.
fn suggestion(repo: &str, image: Option<&Image>) -> (String, bool) {
    let short = |r: &str| r.trim_start_matches("docker.io/").trim_start_matches("library/").to_owned();
    let wanted = short(repo);
    if let Some(image) = image {
        let digests = || image.repo_digests.iter().filter_map(|d| d.split_once('@'));
        if let Some((r, digest)) = digests().find(|(r, _)| short(r) == wanted).or_else(|| digests().next()) {
            return (format!("{r}@{digest}"), true);
        }
        if let Some(tag) = image
            .repo_tags
            .iter()
            .find(|t| short(repository(t)) == wanted && !t.ends_with(":latest") && *t != "<none>:<none>")
        {
            return (tag.clone(), true);
        }
    }
    (format!("{repo}:VERSION"), false)
}

fn fixes(c: &Container, repo: &str, image: Option<&Image>) -> Vec<Snippet> {
    let (pinned, concrete) = suggestion(repo, image);
    let what = if pinned.contains('@') {
        "the digest of the image it runs now"
    } else if concrete {
        "another tag of the image it runs now"
    } else {
        "a version tag"
    };
    let run = Snippet::new(
        SnippetKind::DockerRun,
        recreate_label(c, &format!("from {what}")),
        format!("docker rm -f {name}\ndocker run -d --name {name} {pinned}", name = c.name),
    );
    let mut out = pick_fixes(c, run, compose_fix(c, &format!("image: {pinned}")));
    out.push(Snippet::new(
        SnippetKind::Shell,
        "Find the digest of a pulled image",
        format!("docker inspect --format '{{{{index .RepoDigests 0}}}}' {}", c.image),
    ));
    out
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_container(snap, |c| {
        let target = container_target(c);
        match pin(&c.image, &c.image_id) {
            Pin::Digest => {
                Finding::pass(target, format!("Container `{}` runs an image pinned by digest", c.name))
                    .evidence("Config.Image", &c.image, "a version tag or @sha256 digest")
            }
            Pin::Id => Finding::pass(target, format!("Container `{}` was created from an image id", c.name))
                .evidence("Config.Image", &c.image, "a version tag or @sha256 digest"),
            Pin::Tag(tag) => Finding::pass(target, format!("Container `{}` runs image tag `{tag}`", c.name))
                .evidence("Config.Image", &c.image, "a version tag or @sha256 digest"),
            Pin::Latest(explicit) => {
                let how = if explicit { "`latest`" } else { "no tag (implicitly `latest`)" };
                let repo = repository(&c.image);
                Finding::fail(
                    target,
                    format!("Container `{}` runs `{}`: {how}, not a pinned version", c.name, c.image),
                )
                .evidence("Config.Image", &c.image, "a version tag or @sha256 digest")
                .fixes(fixes(c, repo, snap.image_by_id(&c.image_id)))
            }
        }
    })
}

crate::declare_check! {
    /// A container was created from an unpinned image reference: no tag, or `:latest`, and no
    /// `@sha256:` digest.
    ///
    /// ## Rationale
    /// `latest` is just the tag pushed last. A container recreated from it — by `docker compose
    /// up`, a restart script, a new host — silently gets whatever the registry serves that day: a
    /// new major version, an unreviewed build, or a compromised push. Nobody can tell which code
    /// runs, roll back to the previous version, or match it to a vulnerability scan. A version tag
    /// makes the choice explicit; a digest makes it immutable.
    ///
    /// ## Evidence
    /// `Config.Image` of every container in every state: the reference it was created from. A
    /// reference with `@sha256:` or an image id passes; without a tag, or with `:latest`, fails.
    /// Suggestions come from the image's `RepoDigests` and `RepoTags` (`GET /images/{id}/json`).
    ///
    /// ## Remediation
    /// Recreate the container from a version tag (`nginx:1.27.2`) or, better, a digest
    /// (`nginx@sha256:…`, from `docker inspect --format '{{index .RepoDigests 0}}' IMAGE`), and
    /// pin the same in Compose files and Dockerfile `FROM` lines. Update deliberately (Renovate,
    /// Dependabot) rather than implicitly.
    pub(crate) static CHECK = {
        code: "IMG002",
        slug: "unpinned-image-tag",
        title: "Container runs an unpinned image tag",
        category: Images,
        severity: Medium,
        target: Container,
        references: [
            Reference::Nist("tenet 5: integrity and security posture of assets"),
            Reference::Seed("Container security roadmap §Security Patterns and Practices: Version Control"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier"),
            Reference::Url("https://github.com/goodwithtech/dockle#dkl-di-0006"),
            Reference::Tool("Dockle DKL-DI-0006"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn references() {
        let id = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(pin("nginx", id), Pin::Latest(false));
        assert_eq!(pin("nginx:latest", id), Pin::Latest(true));
        assert_eq!(pin("nginx:1.27", id), Pin::Tag("1.27"));
        assert_eq!(pin("10.99.0.1:5000/app", id), Pin::Latest(false));
        assert_eq!(pin("10.99.0.1:5000/app:2", id), Pin::Tag("2"));
        assert_eq!(pin("nginx@sha256:abc", id), Pin::Digest);
        assert_eq!(pin("nginx:1@sha256:abc", id), Pin::Digest);
        assert_eq!(pin("0123456789ab", id), Pin::Id);
        assert_eq!(pin(id, id), Pin::Id);
        assert_eq!(repository("10.99.0.1:5000/team/app:3"), "10.99.0.1:5000/team/app");
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test IMG002` selects its tests")]
mod IMG002 {
    use super::CHECK;
    use crate::checks::prelude::*;
    use crate::checks::testing::find;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-latest", "zd-hardened"]);

    #[test]
    fn latest_fails_versions_pass() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-latest"), Status::Fail);
        // The same image is also tagged `zerodock/busybox:1`: that is the suggestion.
        assert!(find(&f, "zd-latest").remediation.iter().any(|s| s.code.contains("zerodock/busybox:1")));
        assert_eq!(status_of(&f, "zd-defaults"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
        assert_eq!(status_of(&findings(&CHECK, &fixture("hardened")), "zd-hardened"), Status::Pass);
    }
}
