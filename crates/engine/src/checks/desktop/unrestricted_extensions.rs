//! DSK006 unrestricted-extensions.

use serde_json::Map;

use crate::checks::prelude::*;

use super::{Keys, admin_settings_fix, in_scope, locked, resolve, ui_steps};

const ENABLED: Keys = Keys { user: "ExtensionsEnabled", admin: "extensionsEnabled" };
const MARKETPLACE_ONLY: Keys = Keys { user: "OnlyMarketplaceExtensions", admin: "onlyMarketplaceExtensions" };
const PRIVATE_MARKETPLACE: Keys =
    Keys { user: "(admin setting only)", admin: "extensionsPrivateMarketplace" };

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let (target, d) = match in_scope(snap) {
        Ok(found) => found,
        Err(na) => return vec![*na],
    };
    let enabled = match resolve(d, &d.extensions_enabled, ENABLED, true) {
        Ok(setting) => setting,
        Err(reason) => return vec![Finding::unknown(target, reason)],
    };
    let expected = "extensions off, or restricted to the (private) Marketplace";
    if !enabled.value {
        return vec![Finding::pass(target, "Docker Extensions are turned off").evidence(
            enabled.field,
            false,
            expected,
        )];
    }
    let private = resolve(d, &d.extensions_private_marketplace, PRIVATE_MARKETPLACE, false).ok();
    if let Some(private) = private.filter(|p| p.value) {
        return vec![
            Finding::pass(target, "Docker Extensions come only from the organisation's private marketplace")
                .evidence(enabled.field, true, expected)
                .evidence(private.field, true, expected),
        ];
    }
    let marketplace_only = match resolve(d, &d.only_marketplace_extensions, MARKETPLACE_ONLY, false) {
        Ok(setting) => setting,
        Err(reason) => return vec![Finding::unknown(target, reason)],
    };
    if marketplace_only.value {
        return vec![
            Finding::pass(target, "Docker Extensions are limited to the reviewed Docker Marketplace")
                .evidence(enabled.field, true, expected)
                .evidence(marketplace_only.field, true, expected),
        ];
    }
    let mut keys = Map::new();
    keys.insert("extensionsEnabled".to_owned(), locked(false));
    keys.insert("onlyMarketplaceExtensions".to_owned(), locked(true));
    vec![
        Finding::fail(
            target,
            "Any Docker Extension can be installed (`docker extension install IMAGE`), including unreviewed ones; \
             an extension runs with the user's rights on this machine and full access to the engine",
        )
        .evidence(enabled.field, true, expected)
        .evidence(marketplace_only.field, false, expected)
        .fixes([ui_steps(
            "Restrict them",
            "Docker Desktop → Settings → Extensions → clear \"Enable Docker Extensions\" (or select \"Allow only \
             extensions distributed through the Docker Marketplace\") → Apply & restart\nThen review what is \
             installed: docker extension ls",
        )])
        .fixes([admin_settings_fix(snap, d, keys)]),
    ]
}

crate::declare_check! {
    /// Docker Desktop lets any Docker Extension be installed, including ones outside the Marketplace.
    ///
    /// ## Rationale
    /// A Docker Extension is an image whose UI, backend container and host binaries run with the
    /// permissions of the Docker Desktop user: they can run any Docker command (start privileged
    /// containers, mount folders), execute programs on the host and read the user's files.
    /// Extensions outside the Marketplace have not been through Docker's review, and one command
    /// (`docker extension install IMAGE`) installs them. Least privilege admits only vetted code.
    ///
    /// ## Evidence
    /// `ExtensionsEnabled` and `OnlyMarketplaceExtensions` in the user's `settings-store.json`, and
    /// `extensionsEnabled`, `onlyMarketplaceExtensions` and `extensionsPrivateMarketplace` in
    /// `admin-settings.json` (a locked admin value wins; Docker Desktop's defaults are enabled and
    /// not restricted). Extensions off, Marketplace-only or a private marketplace pass.
    ///
    /// ## Remediation
    /// Settings → Extensions → clear "Enable Docker Extensions", or select "Allow only extensions
    /// distributed through the Docker Marketplace"; review `docker extension ls`. Organisations lock
    /// `"extensionsEnabled": {"locked": true, "value": false}` (or `onlyMarketplaceExtensions` /
    /// a private marketplace) in `admin-settings.json`.
    pub(crate) static CHECK = {
        code: "DSK006",
        slug: "unrestricted-extensions",
        title: "Docker Extensions not restricted to the Marketplace",
        category: Desktop,
        severity: Low,
        target: Host,
        references: [
            Reference::Nist("tenet 3: least privilege"),
            Reference::Nist("tenet 5: integrity and security posture of assets"),
            Reference::Seed("Zero Trust: Principle of least privilege"),
            Reference::Url("https://docs.docker.com/extensions/extensions-sdk/architecture/security/"),
            Reference::Url("https://docs.docker.com/extensions/settings-feedback/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DSK006` selects its tests")]
mod DSK006 {
    use super::*;
    use crate::checks::testing::{findings, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "desktop-default", []);

    #[test]
    fn default_desktop_fails() {
        let f = findings(&CHECK, &named("desktop-default", |_| {}));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert_eq!(
            f[0].evidence[1].field,
            "/home/alice/.docker/desktop/settings-store.json: OnlyMarketplaceExtensions"
        );
        let fragment: serde_json::Value = serde_json::from_str(&f[0].remediation[1].code).expect("json");
        assert_eq!(fragment["extensionsEnabled"], serde_json::json!({"locked": true, "value": false}));
    }

    #[test]
    fn off_or_marketplace_only_passes() {
        let f = findings(&CHECK, &named("desktop-hardened", |_| {}));
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].evidence[0].field.ends_with("extensionsEnabled (locked)"));
        let marketplace = named("desktop-default", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.only_marketplace_extensions.user = Some(true);
            }
        });
        let f = findings(&CHECK, &marketplace);
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].message.contains("reviewed Docker Marketplace"), "{}", f[0].message);
        let private = named("desktop-default", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.extensions_private_marketplace.admin = Some(true);
            }
        });
        assert!(findings(&CHECK, &private)[0].message.contains("private marketplace"));
    }
}
