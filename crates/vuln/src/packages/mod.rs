//! The base OS (`/etc/os-release`) and the installed packages (dpkg `status` and `status.d/`, apk `installed`, rpm `rpmdb.sqlite`).
//!
//! [`inventory`] turns what [`crate::image`] kept into the snapshot's [`BaseOs`] and
//! [`Package`]s, each package attributed to the layer that added it.

mod apk;
mod dpkg;
mod os_release;
mod purl;
mod rpm;

use std::collections::HashSet;

use zerodock_engine::snapshot::{BaseOs, Package, PackageKind};

use crate::image::{DPKG_STATUS_D, ImageFiles, Tree};

pub use apk::{ApkPackage, parse_apk_installed};
pub use dpkg::{DpkgPackage, parse_dpkg_status};
pub use os_release::{os_release_fields, osv_ecosystem, parse_os_release};
pub use purl::{encode as purl_encode, purl};
pub use rpm::{RpmError, RpmPackage, parse_rpm_header, parse_rpmdb_sqlite};

/// What an image contains, as its package databases say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// The base OS from `etc/os-release` (else `usr/lib/os-release`).
    pub os: Option<BaseOs>,
    /// Installed packages, sorted by name, architecture and version.
    pub packages: Vec<Package>,
    /// Package databases that were present but could not be read, each with the reason: their
    /// packages are unknown, not absent.
    pub problems: Vec<String>,
}

/// The base OS of a merged tree.
pub fn base_os(tree: &Tree) -> Option<BaseOs> {
    ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|path| tree.file(path))
        .and_then(|f| parse_os_release(&String::from_utf8_lossy(&f.data)))
}

/// The packages of a merged tree (their `layer` unset), with the databases that failed.
pub fn packages_in(tree: &Tree, os: Option<&BaseOs>) -> (Vec<Package>, Vec<String>) {
    let mut packages = Vec::new();
    let mut problems = Vec::new();
    let ecosystem = os.and_then(|o| o.ecosystem.clone());
    let os_id = os.map(|o| o.id.as_str()).unwrap_or_default();
    let distro = os.filter(|o| !o.version_id.is_empty()).map(|o| format!("{}-{}", o.id, o.version_id));
    let distro = distro.as_deref().unwrap_or_default();

    let mut dpkg = Vec::new();
    if let Some(status) = tree.file("var/lib/dpkg/status") {
        dpkg.extend(parse_dpkg_status(&String::from_utf8_lossy(&status.data), true));
    }
    for file in tree.files_in(DPKG_STATUS_D) {
        dpkg.extend(parse_dpkg_status(&String::from_utf8_lossy(&file.data), false));
    }
    // Ubuntu's packages are `pkg:deb/ubuntu/…`; Debian and its derivatives' `pkg:deb/debian/…`.
    let deb_ns = if os_id == "ubuntu" { "ubuntu" } else { "debian" };
    let deb_eco = ecosystem.clone().filter(|e| e.starts_with("Debian:") || e.starts_with("Ubuntu:"));
    for p in dpkg {
        packages.push(Package {
            purl: purl("deb", Some(deb_ns), &p.name, &p.version, &[("arch", &p.arch), ("distro", distro)]),
            name: p.name,
            version: p.version,
            source_name: p.source_name,
            source_version: p.source_version,
            ecosystem: deb_eco.clone(),
            arch: p.arch,
            layer: None,
            kind: PackageKind::Distro,
        });
    }

    if let Some(installed) = tree.file("lib/apk/db/installed") {
        let apk_eco = ecosystem.clone().filter(|e| e.starts_with("Alpine:"));
        for p in parse_apk_installed(&String::from_utf8_lossy(&installed.data)) {
            packages.push(Package {
                purl: purl(
                    "apk",
                    Some("alpine"),
                    &p.name,
                    &p.version,
                    &[("arch", &p.arch), ("distro", distro)],
                ),
                source_version: p.version.clone(),
                name: p.name,
                version: p.version,
                source_name: p.origin,
                ecosystem: apk_eco.clone(),
                arch: p.arch,
                layer: None,
                kind: PackageKind::Distro,
            });
        }
    }

    // Newer rpm (Fedora ≥ 36) keeps its database under /usr, with /var/lib/rpm a link to it.
    let rpmdb =
        ["usr/lib/sysimage/rpm/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite"].iter().find_map(|p| tree.file(p));
    if let Some(db) = rpmdb {
        match parse_rpmdb_sqlite(&db.data) {
            Ok(rpms) => {
                let ns = (!os_id.is_empty()).then_some(os_id);
                for p in rpms {
                    let (source_name, source_version) = p.source();
                    let epoch = p.epoch.map(|e| e.to_string()).unwrap_or_default();
                    let version = p.evr();
                    let purl_version = format!("{}-{}", p.version, p.release);
                    packages.push(Package {
                        // The purl spec puts an rpm epoch in the `epoch` qualifier.
                        purl: purl(
                            "rpm",
                            ns,
                            &p.name,
                            &purl_version,
                            &[("arch", &p.arch), ("distro", distro), ("epoch", &epoch)],
                        ),
                        name: p.name,
                        version,
                        source_name,
                        source_version,
                        // OSV's rpm ecosystems (Red Hat, Rocky Linux, AlmaLinux…) are not imported yet.
                        ecosystem: None,
                        arch: p.arch,
                        layer: None,
                        kind: PackageKind::Distro,
                    });
                }
            }
            Err(e) => problems.push(format!("{}: {e}", db.path)),
        }
    }
    packages.sort_by(|a, b| {
        (&a.name, &a.arch, &a.version, &a.purl).cmp(&(&b.name, &b.arch, &b.version, &b.purl))
    });
    packages.dedup();
    (packages, problems)
}

/// The identity a package keeps across layers: the same name, architecture and version.
type PackageKey = (String, String, String);

/// A package's [`PackageKey`].
fn key(p: &Package) -> PackageKey {
    (p.name.clone(), p.arch.clone(), p.version.clone())
}

/// The base OS and packages of an image. Each package's `layer` is the diff id of the layer from
/// which on it is present at its final version without interruption: the layer that installed
/// (or last upgraded) it — the one whose Dockerfile line a fix changes.
pub fn inventory(files: &ImageFiles) -> Inventory {
    let tree = files.tree();
    let os = base_os(&tree);
    let (mut packages, problems) = packages_in(&tree, os.as_ref());
    // Only layers that change a kept path can change the package lists.
    let changing: Vec<usize> = files
        .layers
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.files.is_empty() || !l.whiteouts.is_empty() || !l.opaque_dirs.is_empty())
        .map(|(i, _)| i)
        .collect();
    let states: Vec<(usize, HashSet<PackageKey>)> = changing
        .iter()
        .map(|&i| {
            let (pkgs, _) = packages_in(&files.tree_after(i), os.as_ref());
            (i, pkgs.iter().map(key).collect())
        })
        .collect();
    for package in &mut packages {
        let k = key(package);
        let mut first = None;
        for (index, set) in states.iter().rev() {
            if set.contains(&k) {
                first = Some(*index);
            } else {
                break;
            }
        }
        package.layer = first.and_then(|i| files.diff_id(i)).map(str::to_owned);
    }
    Inventory { os, packages, problems }
}

#[cfg(test)]
mod tests;
