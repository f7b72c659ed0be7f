//! IMG005 unused-image-sprawl.

use crate::checks::prelude::*;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let containers = snap.containers();
    each_image(snap, |i| {
        let target = image_target(i);
        let users: Vec<&str> = match containers {
            Ok(cs) => cs.iter().filter(|c| c.image_id == i.id).map(|c| c.name.as_str()).collect(),
            Err(reason) => {
                return Finding::unknown(target, format!("containers could not be read: {reason}"));
            }
        };
        let name = i.display_name();
        if !users.is_empty() {
            let named = users.iter().take(3).copied().collect::<Vec<_>>().join(", ");
            let more = if users.len() > 3 { format!(" and {} more", users.len() - 3) } else { String::new() };
            return Finding::pass(target, format!("Image `{name}` is used by {named}{more}")).evidence(
                "containers with this Image",
                users.len(),
                "at least one",
            );
        }
        Finding::manual(
            target,
            format!("Image `{name}` is used by no container: confirm it is still needed, or remove it"),
        )
        .evidence("containers with this Image", "none", "at least one")
        .fix(
            SnippetKind::Shell,
            format!("If `{name}` is no longer needed"),
            format!("docker image rm {name}"),
        )
    })
}

crate::declare_check! {
    /// An image is used by no container (image sprawl): a person must confirm it is still needed.
    ///
    /// ## Rationale
    /// Images nobody runs still count: they hold old packages with known vulnerabilities that a
    /// `docker run` brings back in one command, they may carry credentials baked into a layer,
    /// and they make the inventory harder to review — the image an incident responder must find
    /// hides among dozens of stale ones. Whether an unused image is a deliberate cache or a
    /// leftover is the owner's call, so CIS marks image sprawl manual: ZeroDock lists every image
    /// no container uses.
    ///
    /// ## Evidence
    /// `GET /images/json` against each container's `Image` (the id it was created from, in any
    /// state): an image with no container is a manual finding, one with a container passes.
    ///
    /// ## Remediation
    /// Remove images no longer needed (`docker image rm NAME`; `docker image prune -a` removes
    /// every image no container uses), and keep a pull-through cache or registry for the rest.
    pub(crate) static CHECK = {
        code: "IMG005",
        slug: "unused-image-sprawl",
        title: "Unused images to confirm (image sprawl)",
        category: Images,
        severity: Low,
        target: Image,
        references: [
            Reference::Cis("6.1"),
            Reference::Url("https://docs.docker.com/reference/cli/docker/image/prune/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test IMG005` selects its tests")]
mod IMG005 {
    use super::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zerodock/leaky:1", "zerodock/unused:1"]
    );

    #[test]
    fn unused_is_manual_used_passes() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zerodock/leaky:1"), Status::Pass);
        assert_eq!(status_of(&f, "zerodock/unused:1"), Status::Manual, "{f:?}");
    }
}
