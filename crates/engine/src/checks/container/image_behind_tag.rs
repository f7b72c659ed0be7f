//! CTR031 image-behind-tag.

use crate::checks::prelude::*;
use crate::snapshot::short_id;

/// `nginx` → `nginx:latest`; `None` for an id or a digest reference (pinned on purpose).
fn tag_ref(image: &str) -> Option<String> {
    let hex = image.strip_prefix("sha256:").unwrap_or(image);
    if image.contains('@')
        || image.starts_with("sha256:")
        || (hex.len() >= 12 && hex.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    Some(if last.contains(':') { image.to_owned() } else { format!("{image}:latest") })
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let images = snap.images();
    each_container(snap, |c| {
        let target = container_target(c);
        let Some(tag) = tag_ref(&c.image) else {
            return Finding::not_applicable(
                target,
                format!(
                    "`{}` was created from an image id or digest, not a tag: it is pinned on purpose",
                    c.name
                ),
            );
        };
        let images = match images {
            Ok(images) => images,
            Err(reason) => return Finding::unknown(target, format!("images could not be read: {reason}")),
        };
        let bare = tag.strip_prefix("docker.io/").and_then(|t| t.strip_prefix("library/").or(Some(t)));
        let now =
            images.iter().find(|i| i.repo_tags.iter().any(|t| *t == tag || bare.is_some_and(|b| t == b)));
        let running = short_id(&c.image_id);
        match now {
            Some(image) if image.id == c.image_id => {
                Finding::pass(target, format!("Container `{}` runs the image its tag `{tag}` names", c.name))
                    .evidence("Image / RepoTags", format!("{running} = {tag}"), "the image the tag names")
            }
            Some(image) => Finding::fail(
                target,
                format!(
                    "Container `{}` runs image {running}, but `{tag}` now names {}: it misses what the newer image changed",
                    c.name,
                    short_id(&image.id)
                ),
            )
            .evidence("Image", running, short_id(&image.id))
            .evidence(format!("GET /images/json RepoTags `{tag}`"), short_id(&image.id), "the container's image")
            .fixes(container_fixes(c, "", "# unchanged: `docker compose up -d` recreates it from the current tag")),
            None => Finding::manual(
                target,
                format!(
                    "The tag `{tag}` of container `{}` is no longer on this engine: confirm with `docker pull {tag}` whether it runs the current image",
                    c.name
                ),
            )
            .evidence("GET /images/json RepoTags", "(no image has the tag)", tag.clone()),
        }
    })
}

crate::declare_check! {
    /// A container runs an older image than the one its tag names now: it was not recreated
    /// after a pull or build.
    ///
    /// ## Rationale
    /// `docker pull` or `docker build` moves a tag to a new image, but containers keep running the
    /// image they were created from. A patched base image or application fix therefore reaches
    /// nothing until each container is recreated, while `docker ps` keeps showing the tag as if
    /// it were current. CIS asks that containers run the current version of their image; locally
    /// that means the image id the tag names now.
    ///
    /// ## Evidence
    /// Each container's `Config.Image` (the reference it was created from) and `Image` (the id it
    /// runs), against the local images' `RepoTags`: the same id passes, another id fails. A
    /// container created from an id or digest is pinned on purpose (not applicable); a tag no
    /// local image carries any more is a manual finding (`docker pull` tells). Whether the
    /// registry has a newer image than the local tag is for `docker pull`: the scan never pulls.
    ///
    /// ## Remediation
    /// Recreate the container from the tag (`docker rm -f NAME` then the same `docker run`, or
    /// `docker compose up -d SERVICE`), after `docker pull` if the registry may be ahead.
    pub(crate) static CHECK = {
        code: "CTR031",
        slug: "image-behind-tag",
        title: "Container runs an image older than its tag (recreate after pull)",
        category: Containers,
        severity: Medium,
        target: Container,
        references: [
            Reference::Cis("5.28"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/image/pull/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test CTR031` selects its tests")]
mod CTR031 {
    use super::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(super::CHECK, "default", ["zd-behind-tag", "zd-latest"]);

    #[test]
    fn a_moved_tag_fails_a_current_one_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zd-behind-tag"), Status::Fail);
        assert_eq!(status_of(&f, "zd-latest"), Status::Pass);
        assert_eq!(status_of(&f, "zd-hardened"), Status::Pass);
    }

    #[test]
    fn references() {
        assert_eq!(tag_ref("nginx").as_deref(), Some("nginx:latest"));
        assert_eq!(tag_ref("localhost:5000/app").as_deref(), Some("localhost:5000/app:latest"));
        assert_eq!(tag_ref("app:1"), Some("app:1".to_owned()));
        assert_eq!(tag_ref("app@sha256:abcd"), None);
        assert_eq!(tag_ref("0123456789ab"), None);
    }
}
