//! IMG006 update-instruction-alone.

use crate::checks::prelude::*;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    each_image(snap, |i| {
        let target = image_target(i);
        let name = i.display_name();
        let layers: Vec<usize> =
            i.history.iter().enumerate().filter(|(_, h)| h.update_only).map(|(n, _)| n + 1).collect();
        let field = "GET /images/{id}/history CreatedBy (RUN)";
        if layers.is_empty() {
            return Finding::pass(target, format!("No layer of `{name}` only refreshes a package index"))
                .evidence(field, "no RUN with only an index update", "update and install in one RUN");
        }
        let which = layers.iter().map(|n| format!("layer {n}")).collect::<Vec<_>>().join(", ");
        Finding::fail(
            target,
            format!(
                "`{name}` refreshes its package index in a RUN of its own ({which}): a cached copy of that layer leaves later installs on a stale index"
            ),
        )
        .evidence(field, format!("index update alone in {which}"), "update and install in one RUN")
        .fix(
            SnippetKind::Dockerfile,
            "Update and install in the same RUN, then drop the index",
            "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends PACKAGE_NAME \\\n    && rm -rf /var/lib/apt/lists/*",
        )
    })
}

crate::declare_check! {
    /// An image has a layer that only runs a package-index update (`RUN apt-get update` alone).
    ///
    /// ## Rationale
    /// The build cache keys a layer on its instruction text. A `RUN apt-get update` of its own is
    /// cached the first time and reused for months, so the `RUN apt-get install` after it
    /// installs whatever the stale index names: security fixes published since never reach a
    /// rebuilt image, though the rebuild looks fresh. Updating and installing in one `RUN` ties the
    /// index to the install.
    ///
    /// ## Evidence
    /// `GET /images/{id}/history` → `CreatedBy` of each layer, read at collection: a `RUN` whose
    /// every command is an index refresh (`apt-get update`, `apt update`, `apk update`, `yum`/`dnf
    /// makecache`, `zypper refresh`). Only that verdict is kept, never the command text (build
    /// commands can hold secrets).
    ///
    /// ## Remediation
    /// In the Dockerfile, merge the update into the `RUN` that installs
    /// (`RUN apt-get update && apt-get install -y … && rm -rf /var/lib/apt/lists/*`), or use
    /// `apk add --no-cache`, then rebuild the image (`--no-cache` once, to drop the stale layer).
    pub(crate) static CHECK = {
        code: "IMG006",
        slug: "update-instruction-alone",
        title: "Package-index update alone in an image layer",
        category: Images,
        severity: Low,
        target: Image,
        references: [
            Reference::Cis("4.7"),
            Reference::Url("https://docs.docker.com/build/building/best-practices/#apt-get"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test IMG006` selects its tests")]
mod IMG006 {
    use super::*;
    use crate::checks::testing::{findings, fixture, status_of};

    crate::checks::testing::check_snapshots!(
        super::CHECK,
        "default",
        ["zerodock/update-alone:1", "zerodock/leaky:1"]
    );

    #[test]
    fn update_alone_fails_others_pass() {
        let f = findings(&CHECK, &fixture("default"));
        assert_eq!(status_of(&f, "zerodock/update-alone:1"), Status::Fail);
        assert_eq!(status_of(&f, "zerodock/leaky:1"), Status::Pass);
    }
}
