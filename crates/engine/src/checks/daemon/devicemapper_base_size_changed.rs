//! DMN017 devicemapper-base-size-changed.

use serde_json::Value;

use crate::checks::prelude::*;

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    with_info(snap, |info, target| {
        if info.driver != "devicemapper" {
            // dm.basesize is a devicemapper option: on any other driver dockerd refuses to start
            // with it, so it is never proposed there.
            return Finding::not_applicable(
                target,
                format!(
                    "the storage driver is `{}`: the base device size is a devicemapper option",
                    if info.driver.is_empty() { "unknown" } else { info.driver.as_str() }
                ),
            );
        }
        match daemon_setting(snap, "storage-opts", "storage-opt") {
            Ok(setting) => {
                let field = setting.field("storage-opts");
                let opts: Vec<String> = match &setting.value {
                    Some(Value::Array(items)) => {
                        items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
                    }
                    Some(Value::String(s)) => vec![s.clone()],
                    _ => Vec::new(),
                };
                match opts.iter().find_map(|o| o.strip_prefix("dm.basesize=")) {
                    None => Finding::pass(target, "The devicemapper base device size is the default (10 GB)")
                        .evidence(field, setting.display("unset"), "no dm.basesize"),
                    Some(size) => Finding::manual(
                        target,
                        format!(
                            "The devicemapper base device size is changed to {size}: confirm every container may really grow that large (each one can fill its device)"
                        ),
                    )
                    .evidence(field, format!("dm.basesize={size}"), "the default, or a size chosen on purpose"),
                }
            }
            Err(why) => {
                Finding::unknown(target, format!("the daemon's storage options could not be read: {why}"))
            }
        }
    })
}

crate::declare_check! {
    /// The devicemapper base device size was changed: a person must confirm every container may
    /// grow that large.
    ///
    /// ## Rationale
    /// With devicemapper, each container's filesystem is a thin device of the base size (10 GB by
    /// default). Raising `dm.basesize` lets any container write that much before it is stopped,
    /// so one container can fill the thin pool every other one lives on — a denial of service for
    /// the whole host. A larger size can be needed, but it should be a decision. CIS marks this
    /// recommendation manual. On any other storage driver the option does not exist (dockerd
    /// refuses to start with it), so the check does not apply there and proposes nothing.
    ///
    /// ## Evidence
    /// `GET /info` → `Driver`; for `devicemapper`, the `dm.basesize` entry of the effective
    /// storage options (dockerd's `--storage-opt` flags, else `storage-opts` in daemon.json).
    ///
    /// ## Remediation
    /// Remove `dm.basesize` from `storage-opts` unless containers need the size, and plan the move
    /// off devicemapper (DMN014): the driver is deprecated and removed from current releases.
    pub(crate) static CHECK = {
        code: "DMN017",
        slug: "devicemapper-base-size-changed",
        title: "Devicemapper base device size changed",
        category: Daemon,
        severity: Low,
        target: Engine,
        references: [
            Reference::Cis("2.12"),
            Reference::Url("https://docs.docker.com/engine/storage/drivers/device-mapper-driver/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DMN017` selects its tests")]
mod DMN017 {
    use super::*;
    use crate::checks::testing::{findings, fixture, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "devicemapper-basesize-daemon", []);

    #[test]
    fn overlay2_is_not_applicable_and_proposes_nothing() {
        for base in ["default", "hardened"] {
            let f = findings(&CHECK, &fixture(base));
            assert_eq!(f[0].status, Status::NotApplicable, "{base}");
            assert!(f[0].remediation.is_empty());
        }
    }

    #[test]
    fn devicemapper_default_passes_a_changed_size_is_manual() {
        assert_eq!(findings(&CHECK, &named("devicemapper-daemon", |_| {}))[0].status, Status::Pass);
        let f = findings(&CHECK, &named("devicemapper-basesize-daemon", |_| {}));
        assert_eq!(f[0].status, Status::Manual, "{f:?}");
        assert!(f[0].message.contains("50G"));
    }
}
