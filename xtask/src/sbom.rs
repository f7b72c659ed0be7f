//! `cargo xtask sbom`: ZeroDock's own software bill of materials, CycloneDX 1.5 JSON, written with
//! the image SBOM's writer (`zerodock_vuln::sbom::cyclonedx_application`).
//!
//! What ships: the three binaries (`zerodock`, `zerodock-desktop`, `zerodock-tray`) and what they
//! link — every crate reachable from them over normal (not build, not dev) dependency edges in
//! `cargo metadata` for this host's platform — plus the npm packages Vite bundles into the UI
//! (`ui/dist/.vite/license.json`, written by `npm run build`; the desktop binary embeds `ui/dist`)
//! and the fonts the PDF renderer embeds. Each crate: `pkg:cargo/name@version`, its licence
//! expression, Cargo.lock's SHA-256 for registry crates, its dependencies; each npm package:
//! `pkg:npm/…`, its licence; each font: its file, licence and SHA-256.
//!
//! Which crates: `cargo tree -e normal -p` the three packages (cargo's feature resolution for
//! building just them); `cargo metadata`, which resolves features for the whole workspace and so
//! also reaches optional crates only the tests turn on (13 today: jiff, tiff, schemars 0.9, …), gives
//! licences and edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use zerodock_vuln::sbom::{AppComponent, AppComponentKind, cyclonedx_application};

use crate::util;

/// The packages whose binaries we ship.
pub const SHIPPED: [&str; 3] = ["zerodock", "zerodock-desktop", "zerodock-tray"];

/// Fonts compiled into `zerodock-report` (`src/pdf/world.rs`): file, version, SPDX licence.
/// DejaVu's licence is Bitstream Vera's plus public-domain changes (`crates/report/fonts/LICENSE`).
pub const FONTS: [&str; 4] =
    ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansMono.ttf"];
const FONT_VERSION: &str = "2.37";
const FONT_LICENSE: &str = "Bitstream-Vera";

/// Options of `cargo xtask sbom`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Where to write the document.
    #[arg(long, default_value = "target/zerodock.cdx.json")]
    pub out: PathBuf,
}

/// The host's target triple (`rustc -vV`), the platform the SBOM is for.
fn host_triple() -> Result<String> {
    let out = util::run_stdout(std::process::Command::new("rustc").arg("-vV"))?;
    out.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV printed no host line")
}

/// `cargo metadata` of the workspace, resolved for `triple`.
fn metadata(root: &Path, triple: &str) -> Result<Value> {
    let text = util::run_stdout(util::cargo().current_dir(root).args([
        "metadata",
        "--format-version",
        "1",
        "--locked",
        "--filter-platform",
        triple,
    ]))?;
    serde_json::from_str(&text).context("parsing cargo metadata")
}

/// Cargo.lock's checksum (SHA-256 of the downloaded .crate) per `name@version`.
fn lock_checksums(root: &Path) -> Result<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let lock: toml::Value = toml::from_str(&text).context("parsing Cargo.lock")?;
    Ok(lock
        .get("package")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let (name, version, sum) =
                (p.get("name")?.as_str()?, p.get("version")?.as_str()?, p.get("checksum")?.as_str()?);
            Some((format!("{name}@{version}"), sum.to_owned()))
        })
        .collect())
}

/// A crate's purl.
pub fn cargo_purl(name: &str, version: &str) -> String {
    format!("pkg:cargo/{name}@{version}")
}

/// An npm package's purl: the scope's `@` is percent-encoded (`pkg:npm/%40tauri-apps/api@2.12.5`).
pub fn npm_purl(name: &str, version: &str) -> String {
    format!("pkg:npm/{}@{version}", name.replace('@', "%40"))
}

/// The npm packages bundled into the UI, from the build's licence manifest: `(name, version,
/// licence)`.
pub fn bundled_npm(root: &Path) -> Result<Vec<(String, String, String)>> {
    let path = root.join("ui/dist/.vite/license.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!("reading {} (written by the UI build: `cd ui && npm run build`)", path.display())
    })?;
    let list: Vec<Value> =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    list.iter()
        .map(|d| {
            let field = |k: &str| {
                d[k].as_str()
                    .map(str::to_owned)
                    .with_context(|| format!("{}: an entry without {k}: {d}", path.display()))
            };
            Ok((field("name")?, field("version")?, field("identifier")?))
        })
        .collect()
}

/// Crates linked into the shipped binaries: package ids reachable from [`SHIPPED`] over normal
/// dependency edges.
fn shipped_ids(meta: &Value) -> Result<BTreeSet<String>> {
    let packages = meta["packages"].as_array().context("metadata without packages")?;
    let id_of = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name && p["source"].is_null())
            .and_then(|p| p["id"].as_str())
            .map(str::to_owned)
    };
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .context("metadata without resolve")?
        .iter()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = Vec::new();
    for name in SHIPPED {
        todo.push(id_of(name).with_context(|| format!("workspace package {name} not found"))?);
    }
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(node) = nodes.get(id.as_str()) else { continue };
        for dep in node["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"].as_array().into_iter().flatten().any(|k| k["kind"].is_null());
            if normal && let Some(pkg) = dep["pkg"].as_str() {
                todo.push(pkg.to_owned());
            }
        }
    }
    Ok(seen)
}

/// `name@version` of every crate `cargo tree -e normal` says the shipped binaries link on this
/// host: cargo's feature resolution for building just those packages, as a release build does.
pub fn cargo_tree(root: &Path) -> Result<BTreeSet<String>> {
    let mut cmd = util::cargo();
    cmd.current_dir(root).args(["tree", "--locked", "-e", "normal", "--prefix", "none", "-f", "{p}"]);
    for p in SHIPPED {
        cmd.args(["-p", p]);
    }
    let out = util::run_stdout(&mut cmd)?;
    Ok(out
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let (name, version) = (words.next()?, words.next()?.strip_prefix('v')?);
            Some(format!("{name}@{version}"))
        })
        .collect())
}

/// The document (and the number of crate, npm and file components).
pub fn generate(root: &Path) -> Result<(Value, [usize; 3])> {
    let meta = metadata(root, &host_triple()?)?;
    let checksums = lock_checksums(root)?;
    let packages: BTreeMap<&str, &Value> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let key = |id: &str| {
        packages.get(id).map(|p| {
            format!(
                "{}@{}",
                p["name"].as_str().unwrap_or_default(),
                p["version"].as_str().unwrap_or_default()
            )
        })
    };
    // `cargo metadata` resolves features for the whole workspace (dev-dependencies included), so
    // its graph also holds optional crates only tests turn on; `cargo tree` of the shipped
    // packages says which of them a release build compiles.
    let tree = cargo_tree(root)?;
    let walked = shipped_ids(&meta)?;
    let ids: BTreeSet<String> =
        walked.iter().filter(|id| key(id).is_some_and(|k| tree.contains(&k))).cloned().collect();
    if ids.len() != tree.len() {
        let known: BTreeSet<String> = ids.iter().filter_map(|id| key(id)).collect();
        bail!(
            "cargo tree lists crates the metadata walk did not reach: {:?}",
            tree.difference(&known).collect::<Vec<_>>()
        );
    }
    let purl_of_id = |id: &str| {
        packages.get(id).map(|p| {
            cargo_purl(p["name"].as_str().unwrap_or_default(), p["version"].as_str().unwrap_or_default())
        })
    };
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let npm = bundled_npm(root)?;
    let npm_refs: Vec<String> = npm.iter().map(|(n, v, _)| npm_purl(n, v)).collect();

    let mut crates = Vec::new();
    for id in &ids {
        let p = packages.get(id.as_str()).with_context(|| format!("{id} not among the packages"))?;
        let (name, version) =
            (p["name"].as_str().unwrap_or_default(), p["version"].as_str().unwrap_or_default());
        let mut depends_on: Vec<String> = nodes
            .get(id.as_str())
            .map(|n| {
                n["deps"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|d| d["dep_kinds"].as_array().into_iter().flatten().any(|k| k["kind"].is_null()))
                    .filter_map(|d| d["pkg"].as_str())
                    .filter(|pkg| ids.contains(*pkg))
                    .filter_map(purl_of_id)
                    .collect()
            })
            .unwrap_or_default();
        if name == "zerodock-desktop" {
            // The desktop binary embeds ui/dist, hence the npm packages bundled there.
            depends_on.extend(npm_refs.iter().cloned());
        }
        if name == "zerodock-report" {
            depends_on.extend(FONTS.iter().map(|f| format!("file:{f}@{FONT_VERSION}")));
        }
        depends_on.sort();
        depends_on.dedup();
        let source = if p["source"].is_null() { "workspace" } else { "crates.io" };
        let shipped_in: Vec<&str> = SHIPPED.iter().copied().filter(|s| *s == name).collect();
        let mut properties = vec![("zerodock:source".to_owned(), source.to_owned())];
        if !shipped_in.is_empty() {
            properties.push(("zerodock:binary".to_owned(), name.to_owned()));
        }
        crates.push(AppComponent {
            kind: if shipped_in.is_empty() {
                AppComponentKind::Library
            } else {
                AppComponentKind::Application
            },
            name: name.to_owned(),
            version: version.to_owned(),
            purl: Some(cargo_purl(name, version)),
            license: p["license"].as_str().map(str::to_owned),
            sha256: checksums.get(&format!("{name}@{version}")).cloned(),
            depends_on,
            properties,
        });
    }
    crates.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    let npm_components = npm.iter().map(|(name, version, license)| AppComponent {
        kind: AppComponentKind::Library,
        name: name.clone(),
        version: version.clone(),
        purl: Some(npm_purl(name, version)),
        license: Some(license.clone()),
        sha256: None,
        depends_on: Vec::new(),
        properties: vec![("zerodock:bundled_in".to_owned(), "ui/dist".to_owned())],
    });
    let mut fonts = Vec::new();
    for file in FONTS {
        let path = root.join("crates/report/fonts").join(file);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        fonts.push(AppComponent {
            kind: AppComponentKind::File,
            name: file.to_owned(),
            version: FONT_VERSION.to_owned(),
            purl: None,
            license: Some(FONT_LICENSE.to_owned()),
            sha256: Some(sha256_hex(&bytes)?),
            depends_on: Vec::new(),
            properties: vec![("zerodock:embedded_in".to_owned(), "zerodock-report".to_owned())],
        });
    }
    let counts = [crates.len(), npm.len(), fonts.len()];
    let version = env!("CARGO_PKG_VERSION");
    let subject = AppComponent {
        kind: AppComponentKind::Application,
        name: "ZeroDock".to_owned(),
        version: version.to_owned(),
        purl: None,
        license: Some("Apache-2.0".to_owned()),
        sha256: None,
        depends_on: SHIPPED.iter().map(|s| cargo_purl(s, version)).collect(),
        properties: Vec::new(),
    };
    let mut components = crates;
    components.extend(npm_components);
    components.extend(fonts);
    Ok((cyclonedx_application(&subject, &components), counts))
}

/// SHA-256 in hex, through `sha256sum` (no hashing crate in the xtask for one use).
fn sha256_hex(bytes: &[u8]) -> Result<String> {
    use std::io::Write;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("running sha256sum")?;
    child.stdin.take().context("sha256sum stdin")?.write_all(bytes)?;
    let out = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    match text.split_whitespace().next() {
        Some(hex) if out.status.success() && hex.len() == 64 => Ok(hex.to_owned()),
        _ => bail!("sha256sum failed: {text}"),
    }
}

/// `cargo xtask sbom`: builds the UI if its licence manifest is missing, writes the document.
pub fn run(opts: &Options) -> Result<()> {
    let root = util::workspace_root();
    if !root.join("ui/dist/.vite/license.json").exists() {
        crate::ui::build()?;
    }
    let (doc, [crates, npm, files]) = generate(&root)?;
    let out = if opts.out.is_absolute() { opts.out.clone() } else { root.join(&opts.out) };
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = serde_json::to_string_pretty(&doc)?;
    std::fs::write(&out, &text).with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "    {}: CycloneDX 1.5, {crates} crates, {npm} npm packages, {files} fonts ({} KB)",
        out.display(),
        text.len() / 1024
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The SBOM against `cargo tree -e normal` of the shipped binaries and Cargo.lock.

    use super::*;

    /// The official CycloneDX 1.5 schema with the SPDX and JSF schemas it references, vendored for
    /// the image SBOM tests (`crates/vuln/testdata/schemas`).
    fn cyclonedx_errors(doc: &Value) -> Vec<String> {
        let dir = util::workspace_root().join("crates/vuln/testdata/schemas");
        let schema = |name: &str| -> Value {
            serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("schema"))
                .expect("schema json")
        };
        let registry = jsonschema::Registry::new()
            .add("http://cyclonedx.org/schema/spdx.schema.json", schema("spdx.schema.json"))
            .and_then(|r| {
                r.add("http://cyclonedx.org/schema/jsf-0.82.schema.json", schema("jsf-0.82.schema.json"))
            })
            .and_then(|r| r.prepare())
            .expect("registry");
        let validator = jsonschema::options()
            .with_registry(&registry)
            .should_validate_formats(true)
            .build(&schema("bom-1.5.schema.json"))
            .expect("schema compiles");
        validator.iter_errors(doc).map(|e| format!("{e} at {}", e.instance_path())).collect()
    }

    #[test]
    fn the_sbom_lists_every_shipped_crate_with_purl_and_licence_and_the_bundled_npm_packages() {
        let root = util::workspace_root();
        let (doc, [crates, npm, fonts]) = generate(&root).expect("sbom");
        assert_eq!(doc["bomFormat"], "CycloneDX");
        assert_eq!(doc["specVersion"], "1.5");
        let invalid = cyclonedx_errors(&doc);
        assert!(invalid.is_empty(), "not valid CycloneDX 1.5: {:#?}", &invalid[..invalid.len().min(10)]);
        let components = doc["components"].as_array().expect("components");
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).expect("Cargo.lock");
        let mut listed = BTreeSet::new();
        for c in components.iter().filter(|c| c["purl"].as_str().is_some_and(|p| p.starts_with("pkg:cargo/")))
        {
            let (name, version) =
                (c["name"].as_str().expect("name"), c["version"].as_str().expect("version"));
            assert_eq!(c["purl"], cargo_purl(name, version), "{c}");
            assert!(
                c["licenses"][0]["expression"].as_str().is_some_and(|l| !l.is_empty()),
                "{name}@{version} has no licence in the SBOM: {c}"
            );
            assert!(
                lock.contains(&format!("name = \"{name}\"\nversion = \"{version}\"")),
                "{name}@{version} is not in Cargo.lock"
            );
            listed.insert(format!("{name}@{version}"));
        }
        let tree = cargo_tree(&root).expect("cargo tree");
        let missing: Vec<_> = tree.difference(&listed).collect();
        let extra: Vec<_> = listed.difference(&tree).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "cargo tree vs SBOM: missing {missing:?}, extra {extra:?}"
        );
        assert_eq!(crates, listed.len());
        assert!(crates > 300, "only {crates} crates: the walk stopped early");
        for s in SHIPPED {
            assert!(listed.iter().any(|l| l.starts_with(&format!("{s}@"))), "{s} missing");
        }
        // Registry crates carry Cargo.lock's checksum.
        let serde = components.iter().find(|c| c["name"] == "serde").expect("serde");
        assert_eq!(serde["hashes"][0]["alg"], "SHA-256", "{serde}");

        // The npm packages Vite bundled, each with purl and licence; the Tauri API is one of them.
        let bundled = bundled_npm(&root).expect("license.json");
        assert_eq!(npm, bundled.len());
        for (name, version, license) in &bundled {
            let c = components
                .iter()
                .find(|c| c["purl"] == npm_purl(name, version))
                .unwrap_or_else(|| panic!("{name}@{version} missing"));
            assert_eq!(
                c["licenses"][0]["expression"].as_str().map(|l| l.replace('/', " OR ")),
                Some(license.replace('/', " OR "))
            );
        }
        assert!(bundled.iter().any(|(n, _, _)| n == "@tauri-apps/api"), "{bundled:?}");
        assert!(
            components
                .iter()
                .any(|c| c["purl"].as_str().is_some_and(|p| p.starts_with("pkg:npm/%40tauri-apps/api@")))
        );
        assert_eq!(fonts, FONTS.len());
    }
}
