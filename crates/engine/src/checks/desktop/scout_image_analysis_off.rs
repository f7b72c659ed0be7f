//! DSK008 scout-image-analysis-off.

use serde_json::{Map, json};

use crate::checks::prelude::*;

use super::{Keys, admin_settings_fix, in_scope, resolve, ui_steps};

const SBOM: Keys = Keys { user: "SbomIndexing", admin: "scout.sbomIndexing" };
const BACKGROUND: Keys = Keys { user: "UseBackgroundIndexing", admin: "scout.useBackgroundIndexing" };

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let (target, d) = match in_scope(snap) {
        Ok(found) => found,
        Err(na) => return vec![*na],
    };
    let sbom = match resolve(d, &d.sbom_indexing, SBOM, true) {
        Ok(setting) => setting,
        Err(reason) => return vec![Finding::unknown(target, reason)],
    };
    let background = resolve(d, &d.use_background_indexing, BACKGROUND, false).ok();
    let expected = "true";
    let with_background = |finding: Finding| match &background {
        Some(b) => finding.evidence(&b.field, b.value, "true (continuous analysis)"),
        None => finding,
    };
    if sbom.value {
        let how = if background.as_ref().is_some_and(|b| b.value) {
            "every image loaded is indexed in the background"
        } else {
            "images are analysed when opened in Docker Desktop or with `docker scout`; background indexing would \
             analyse every image as it arrives"
        };
        return vec![with_background(
            Finding::pass(target, format!("Docker Scout image analysis is on: {how}"))
                .evidence(sbom.field, true, expected),
        )];
    }
    let mut keys = Map::new();
    keys.insert(
        "scout".to_owned(),
        json!({"locked": true, "sbomIndexing": true, "useBackgroundIndexing": true}),
    );
    vec![with_background(
        Finding::fail(
            target,
            "Docker Scout image analysis is turned off: local images get no SBOM, so known CVEs and policy \
             violations in them go unnoticed",
        )
        .evidence(sbom.field, false, expected)
        .fixes([ui_steps(
            "Turn it on",
            "Docker Desktop → Settings → General → select \"Enable Scout image analysis\" and \"Enable \
             background Scout SBOM indexing\" → Apply & restart\nThen: docker scout quickview IMAGE",
        )])
        .fixes([admin_settings_fix(snap, d, keys)]),
    )]
}

crate::declare_check! {
    /// Docker Scout image analysis (SBOM indexing) is turned off in Docker Desktop.
    ///
    /// ## Rationale
    /// Docker Scout builds a software bill of materials for each image and matches it against known
    /// CVEs and the organisation's policies (approved base images, non-root users, licences). With
    /// SBOM indexing off, Docker Desktop cannot show what is vulnerable in the images developers
    /// run, and nothing flags a base image that needs rebuilding. Continuous monitoring of assets is
    /// a Zero Trust tenet; background indexing makes it continuous.
    ///
    /// ## Evidence
    /// `SbomIndexing` and `UseBackgroundIndexing` in the user's `settings-store.json`, and
    /// `scout.sbomIndexing` / `scout.useBackgroundIndexing` (locked as a group) in
    /// `admin-settings.json`. SBOM indexing off fails; on passes, the message saying whether
    /// background indexing (off by default) is on too.
    ///
    /// ## Remediation
    /// Settings → General → select "Enable Scout image analysis" and "Enable background Scout SBOM
    /// indexing"; organisations
    /// lock `"scout": {"locked": true, "sbomIndexing": true, "useBackgroundIndexing": true}` in
    /// `admin-settings.json`. Review results with `docker scout quickview` / `docker scout cves`.
    pub(crate) static CHECK = {
        code: "DSK008",
        slug: "scout-image-analysis-off",
        title: "Docker Scout image analysis turned off in Docker Desktop",
        category: Desktop,
        severity: Low,
        target: Host,
        references: [
            Reference::Nist("tenet 5: monitor and maintain the security posture of assets"),
            Reference::Nist("tenet 7: collect information on the state of assets"),
            Reference::Seed("Zero Trust: Docker Scout"),
            Reference::Seed("Container security roadmap §Container Vulnerability Management"),
            Reference::Url(
                "https://docs.docker.com/enterprise/security/hardened-desktop/settings-management/settings-reference/#enable-scout-image-analysis"
            ),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DSK008` selects its tests")]
mod DSK008 {
    use super::*;
    use crate::checks::testing::{findings, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "desktop-loosened", []);

    #[test]
    fn analysis_off_fails() {
        let f = findings(&CHECK, &named("desktop-loosened", |_| {}));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        let fragment: serde_json::Value = serde_json::from_str(&f[0].remediation[1].code).expect("json");
        assert_eq!(fragment["scout"]["sbomIndexing"], json!(true));
    }

    #[test]
    fn analysis_on_passes() {
        let f = findings(&CHECK, &named("desktop-default", |_| {}));
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].message.contains("background indexing would"), "{}", f[0].message);
        let f = findings(&CHECK, &named("desktop-hardened", |_| {}));
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].evidence[0].field.ends_with("scout.sbomIndexing (locked)"));
        assert!(f[0].message.contains("in the background"), "{}", f[0].message);
    }
}
