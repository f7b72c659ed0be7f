//! DSK005 sign-in-not-enforced.

use crate::checks::prelude::*;

use super::{in_scope, protect_file_fix, registry_json_path, user_writable};

/// `registry.json` requiring sign-in, and the commands that install it on this OS.
fn registry_json_fixes(snap: &Snapshot) -> [Snippet; 2] {
    let path = registry_json_path(snap);
    let body = "{\"allowedOrgs\": [\"YOUR_ORG\"]}";
    let install = if path.starts_with("C:") {
        format!("# PowerShell as Administrator\nSet-Content {path} '{body}'")
    } else {
        let dir = path.rsplit_once('/').map_or(path, |(dir, _)| dir);
        format!("sudo mkdir -p \"{dir}\"\necho '{body}' | sudo tee \"{path}\"\nsudo chmod 0644 \"{path}\"")
    };
    [
        Snippet::new(
            SnippetKind::Json,
            format!("Create {path} (organisation names in lower case), then restart Docker Desktop"),
            "{\n  \"allowedOrgs\": [\"YOUR_ORG\"]\n}",
        ),
        Snippet::new(SnippetKind::Shell, format!("Install {path} (or deploy it with MDM)"), install),
    ]
}

fn evaluate(snap: &Snapshot) -> Vec<Finding> {
    let (target, d) = match in_scope(snap) {
        Ok(found) => found,
        Err(na) => return vec![*na],
    };
    let expected = "allowedOrgs naming your organisation, in a file only administrators can change";
    let Some(sign_in) = &d.sign_in else {
        return vec![
            Finding::fail(
                target,
                format!(
                    "Docker Desktop does not require sign-in to your organisation: no {} (nor a plist or policy \
                     key) names allowedOrgs, so users may stay signed out or use personal accounts, outside \
                     Registry/Image Access Management and Settings Management",
                    registry_json_path(snap)
                ),
            )
            .evidence("registry.json allowedOrgs", "absent", expected)
            .fixes(registry_json_fixes(snap)),
        ];
    };
    let field = format!("{}: allowedOrgs", sign_in.source);
    let orgs = match &sign_in.allowed_orgs {
        Some(orgs) if orgs.is_empty() => {
            return vec![
                Finding::fail(
                    target,
                    format!("{} exists but lists no allowedOrgs: sign-in is not enforced", sign_in.source),
                )
                .evidence(field, "[]", expected)
                .fixes(registry_json_fixes(snap)),
            ];
        }
        Some(orgs) => orgs.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", "),
        None => "(binary plist: organisations not read)".to_owned(),
    };
    match sign_in.file.as_ref().and_then(|f| user_writable(f).map(|why| (f, why))) {
        Some((file, why)) => vec![
            Finding::warn(
                target,
                format!(
                    "Sign-in to {orgs} is required by {}, but the file is {why}: the user can remove the requirement",
                    sign_in.source
                ),
            )
            .evidence(field, &orgs, expected)
            .evidence(format!("stat {}", file.path), format!("{} {}", file.mode_octal(), file.ownership()), "644 root-owned")
            .fixes([protect_file_fix(snap, file)]),
        ],
        None => vec![
            Finding::pass(target, format!("Docker Desktop requires sign-in to {orgs} ({})", sign_in.source))
                .evidence(field, &orgs, expected),
        ],
    }
}

crate::declare_check! {
    /// Docker Desktop does not require users to sign in to the organisation.
    ///
    /// ## Rationale
    /// The organisation's Docker controls — Registry Access Management, Image Access Management,
    /// Settings Management policies, Enhanced Container Isolation — apply only to users signed in
    /// to a Docker Business organisation. Without enforced sign-in a user can stay signed out or use
    /// a personal account, and every one of those controls silently stops applying. Zero Trust
    /// authenticates every user before granting access to resources.
    ///
    /// ## Evidence
    /// `allowedOrgs` from, in Docker Desktop's precedence order: the Windows policy key
    /// `HKLM\SOFTWARE\Policies\Docker\Docker Desktop`, the macOS configuration profile
    /// (`/Library/Managed Preferences/com.docker.config.plist`) and `desktop.plist`, and
    /// `registry.json` (Linux `/usr/share/docker-desktop/registry/registry.json`, macOS
    /// `/Library/Application Support/com.docker.docker/registry.json`, Windows
    /// `C:\ProgramData\DockerDesktop\registry.json`). Absent or empty fails; a file the user can
    /// write (not root-owned, or group/world-writable) warns. Registry and Image Access Management
    /// themselves are configured in the Docker Admin Console and cannot be seen locally.
    ///
    /// ## Remediation
    /// Install `registry.json` as an administrator: `{"allowedOrgs": ["your-org"]}` (lower-case
    /// organisation names), root-owned, mode 0644 — or deploy the registry key / configuration
    /// profile with MDM; Docker Desktop's installer does it with `--allowed-org=your-org`. Restart
    /// Docker Desktop and check that it shows "Sign in required!".
    pub(crate) static CHECK = {
        code: "DSK005",
        slug: "sign-in-not-enforced",
        title: "Docker Desktop sign-in to the organisation not enforced",
        category: Desktop,
        severity: Medium,
        target: Host,
        references: [
            Reference::Nist("tenet 6: authentication strictly enforced"),
            Reference::Seed("Zero Trust: Authentication and authorization"),
            Reference::Url("https://docs.docker.com/enterprise/security/enforce-sign-in/methods/"),
        ],
        evaluate: evaluate,
    }
}

#[cfg(test)]
#[allow(non_snake_case, reason = "named after the check's code, so `cargo test DSK005` selects its tests")]
mod DSK005 {
    use super::*;
    use crate::checks::testing::{findings, named};

    crate::checks::testing::check_snapshots!(super::CHECK, "desktop-default", []);

    #[test]
    fn no_registry_json_fails() {
        let f = findings(&CHECK, &named("desktop-default", |_| {}));
        assert_eq!((f.len(), f[0].status), (1, Status::Fail));
        assert!(
            f[0].message.contains("/usr/share/docker-desktop/registry/registry.json"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].remediation[0].kind, SnippetKind::Json);
        assert!(f[0].remediation[1].code.contains("sudo mkdir -p \"/usr/share/docker-desktop/registry\""));
    }

    #[test]
    fn empty_allowed_orgs_fails() {
        let snap = named("desktop-hardened", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut() {
                d.sign_in.as_mut().expect("registry.json").allowed_orgs = Some(Vec::new());
            }
        });
        let f = findings(&CHECK, &snap);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("lists no allowedOrgs"), "{}", f[0].message);
    }

    #[test]
    fn enforced_passes_unless_the_user_can_edit_it() {
        let f = findings(&CHECK, &named("desktop-hardened", |_| {}));
        assert_eq!(f[0].status, Status::Pass);
        assert!(f[0].message.contains("`acme`"), "{}", f[0].message);
        let writable = named("desktop-hardened", |s| {
            if let Some(Some(d)) = s.host.desktop.ok_mut()
                && let Some(file) = d.sign_in.as_mut().and_then(|i| i.file.as_mut())
            {
                file.mode = 0o666;
            }
        });
        let f = findings(&CHECK, &writable);
        assert_eq!(f[0].status, Status::Warn);
        assert!(f[0].remediation[0].code.contains("chmod 0644"));
    }

    #[test]
    fn windows_and_macos_paths() {
        let on = |family: &str| {
            named("desktop-default", |s| {
                if let Some(os) = s.host.os.ok_mut() {
                    os.family = family.to_owned();
                }
            })
        };
        let f = findings(&CHECK, &on("windows"));
        assert!(
            f[0].remediation[1]
                .code
                .starts_with("# PowerShell as Administrator\nSet-Content C:\\ProgramData")
        );
        let f = findings(&CHECK, &on("macos"));
        assert!(
            f[0].remediation[1].code.contains("/Library/Application Support/com.docker.docker/registry.json")
        );
    }
}
