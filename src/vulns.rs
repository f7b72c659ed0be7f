//! The vulnerability subcommands: `vulns`, `sbom`, `vulndb`, and the `--vulns` step of `scan` and
//! `collect`. Thin: arguments → `zerodock_vuln` → output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use zerodock_engine::CollectOptions;
use zerodock_engine::snapshot::{Fact, ImageVulns, Snapshot, VulnScan, VulnSeverity};
use zerodock_vuln::db::{Database, UpdateOptions, UpdateOutcome};
use zerodock_vuln::scan::{self, ImageCache, ImageRef};

/// Where vulnerability data comes from, shared by `scan --vulns`, `collect --vulns` and `vulns`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct VulnSources {
    /// The vulnerability database file (default: `$XDG_DATA_HOME/zerodock/vulndb.sqlite`).
    #[arg(long, env = "ZERODOCK_VULNDB", value_name = "FILE")]
    pub vulndb: Option<PathBuf>,
    /// Where image contents are cached by id (default: `$XDG_CACHE_HOME/zerodock/images`).
    #[arg(long, env = "ZERODOCK_IMAGE_CACHE", value_name = "DIR")]
    pub image_cache: Option<PathBuf>,
    /// Merge another scanner's results for an image (Trivy or Grype JSON, SARIF from Docker
    /// Scout, Trivy or Grype); repeatable. ZeroDock never runs a scanner itself.
    #[arg(long = "import", value_name = "FILE")]
    pub imports: Vec<PathBuf>,
}

impl VulnSources {
    fn cache(&self) -> ImageCache {
        match &self.image_cache {
            Some(dir) => ImageCache::at(dir),
            None => ImageCache::default_location(),
        }
    }
}

/// `zerodock vulndb …`.
#[derive(Debug, Subcommand)]
pub(crate) enum VulndbCommand {
    /// Import OSV ecosystem exports (`all.zip`, as osv.dev publishes per ecosystem), for machines
    /// without internet access. Replaces the records of the ecosystems each file holds.
    Import {
        /// One or more `all.zip` files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The database file (default: `$XDG_DATA_HOME/zerodock/vulndb.sqlite`).
        #[arg(long, env = "ZERODOCK_VULNDB", value_name = "FILE")]
        vulndb: Option<PathBuf>,
    },
    /// Download current exports and import them (atomic: a failed download keeps the old data).
    Update {
        /// An `all.zip` URL or an osv.dev ecosystem directory ending in `/` (repeatable).
        /// Default: Debian, Ubuntu and Alpine from osv.dev.
        #[arg(long = "source", value_name = "URL")]
        sources: Vec<String>,
        /// The database file (default: `$XDG_DATA_HOME/zerodock/vulndb.sqlite`).
        #[arg(long, env = "ZERODOCK_VULNDB", value_name = "FILE")]
        vulndb: Option<PathBuf>,
    },
    /// What the database holds and how old it is.
    Status {
        /// The database file (default: `$XDG_DATA_HOME/zerodock/vulndb.sqlite`).
        #[arg(long, env = "ZERODOCK_VULNDB", value_name = "FILE")]
        vulndb: Option<PathBuf>,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
}

/// The osv.dev ecosystems `vulndb update` downloads by default: the distributions whose package
/// databases ZeroDock reads and whose version ordering it implements.
const DEFAULT_SOURCES: &[&str] = &[
    "https://osv-vulnerabilities.storage.googleapis.com/Debian/",
    "https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/",
    "https://osv-vulnerabilities.storage.googleapis.com/Alpine/",
];

/// Text for people, JSON for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TextOrJson {
    /// Readable lines.
    Text,
    /// JSON.
    Json,
}

/// SBOM document formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SbomFormat {
    /// CycloneDX 1.5 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

fn db_path(path: Option<&Path>) -> Result<PathBuf> {
    match path {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(Database::default_path()?),
    }
}

/// Runs `vulndb …`.
pub(crate) fn vulndb(command: &VulndbCommand) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match command {
        VulndbCommand::Import { files, vulndb } => {
            let path = db_path(vulndb.as_deref())?;
            let mut db = Database::open(&path)?;
            for file in files {
                let origin = file.display().to_string();
                let summary =
                    db.import_zip(file, &origin).with_context(|| format!("importing {}", file.display()))?;
                writeln!(out, "{}: {}", file.display(), describe_import(&summary))?;
            }
            writeln!(out, "database: {}", path.display())?;
        }
        VulndbCommand::Update { sources, vulndb } => {
            let path = db_path(vulndb.as_deref())?;
            let mut db = Database::open(&path)?;
            let sources: Vec<String> = if sources.is_empty() {
                DEFAULT_SOURCES.iter().map(|s| (*s).to_owned()).collect()
            } else {
                sources.clone()
            };
            for source in &sources {
                match db
                    .update(source, &UpdateOptions::default())
                    .with_context(|| format!("updating from {source}"))?
                {
                    UpdateOutcome::Unchanged { url } => {
                        writeln!(out, "{url}: unchanged since the last update")?
                    }
                    UpdateOutcome::Imported { url, summary, sha256, checksum_verified } => writeln!(
                        out,
                        "{url}: {} (sha256 {sha256}, {})",
                        describe_import(&summary),
                        if checksum_verified {
                            "checksum verified"
                        } else {
                            "the source publishes no checksum"
                        }
                    )?,
                }
            }
            writeln!(out, "database: {}", path.display())?;
        }
        VulndbCommand::Status { vulndb, format } => {
            let path = db_path(vulndb.as_deref())?;
            let info = match scan::open_database(Some(&path))? {
                Some(db) => db.info()?,
                None => None,
            };
            match format {
                TextOrJson::Json => {
                    serde_json::to_writer_pretty(
                        &mut out,
                        &serde_json::json!({ "path": path, "database": info }),
                    )?;
                    writeln!(out)?;
                }
                TextOrJson::Text => match info {
                    None => writeln!(
                        out,
                        "no vulnerability database at {}: `zerodock vulndb import all.zip` or `zerodock vulndb update`",
                        path.display()
                    )?,
                    Some(info) => {
                        writeln!(out, "database: {}", path.display())?;
                        writeln!(out, "updated:  {}", info.updated_at.format("%Y-%m-%d %H:%M UTC"))?;
                        if let Some(newest) = info.newest_record {
                            let days = chrono::Utc::now().signed_duration_since(newest).num_days();
                            writeln!(
                                out,
                                "as of:    {} (newest record, {days} days old)",
                                newest.format("%Y-%m-%d")
                            )?;
                        }
                        for s in &info.sources {
                            writeln!(
                                out,
                                "  {:<8} {:>7} records  from {}",
                                s.ecosystem, s.records, s.origin
                            )?;
                        }
                    }
                },
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe_import(s: &zerodock_vuln::db::ImportSummary) -> String {
    let ecosystems: Vec<String> = s.ecosystems.iter().map(|(e, n)| format!("{e} {n}")).collect();
    let unknown: u64 = s.unknown_ecosystems.values().sum();
    let mut text = format!("{} records imported ({})", s.imported, ecosystems.join(", "));
    if s.withdrawn > 0 {
        text.push_str(&format!(", {} withdrawn skipped", s.withdrawn));
    }
    if unknown > 0 {
        let names: Vec<&str> = s.unknown_ecosystems.keys().map(String::as_str).collect();
        text.push_str(&format!(", {unknown} of other ecosystems skipped ({})", names.join(", ")));
    }
    if !s.malformed.is_empty() {
        let first = &s.malformed[0];
        text.push_str(&format!(
            ", {} malformed skipped (first: {}: {})",
            s.malformed.len(),
            first.0,
            first.1
        ));
    }
    text
}

/// Reads the images, matches them, merges imported scanner output: the vulnerability part.
pub(crate) async fn assess(
    opts: &CollectOptions,
    images: &[ImageRef],
    sources: &VulnSources,
) -> Result<VulnScan> {
    let read = scan::read_images(opts, images, &sources.cache()).await;
    let db = scan::open_database(sources.vulndb.as_deref())?;
    let mut result = scan::assess(db.as_ref(), read)?;
    for file in &sources.imports {
        let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let imported = zerodock_vuln::import::read_scanner_output(&bytes)
            .with_context(|| format!("in {}", file.display()))?;
        for image in imported {
            let reference = image.reference.clone();
            match zerodock_vuln::import::find_image(&mut result.images, &image) {
                Some(target) => zerodock_vuln::import::merge(target, image),
                None => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "zerodock: {}: `{reference}` is not an image in use here: its results are not merged",
                        file.display()
                    );
                }
            }
        }
    }
    for image in &mut result.images {
        zerodock_vuln::matcher::sort(&mut image.vulnerabilities);
    }
    Ok(result)
}

/// The `--vulns` step of `scan` and `collect`: attaches the vulnerability part to the snapshot.
pub(crate) async fn attach(
    opts: &CollectOptions,
    snapshot: &mut Snapshot,
    sources: &VulnSources,
) -> Result<()> {
    if snapshot.engine.ok().is_none() {
        return Ok(()); // the snapshot already says the engine is down; nothing to read
    }
    let images = scan::images_in_use(snapshot);
    snapshot.vulnerabilities = Fact::available(assess(opts, &images, sources).await?);
    Ok(())
}

/// Runs `vulns [IMAGE]`.
pub(crate) async fn vulns(
    opts: &CollectOptions,
    image: Option<&str>,
    sources: &VulnSources,
    format: TextOrJson,
) -> Result<ExitCode> {
    let snapshot = zerodock_engine::collect(opts).await;
    if let Err(reason) = snapshot.engine() {
        bail!("the Docker engine could not be inspected: {reason}");
    }
    let images = match image {
        Some(wanted) => vec![scan::find_image(&snapshot, wanted).with_context(|| {
            format!(
                "no local image is called `{wanted}` (`docker image ls` lists them; ZeroDock never pulls)"
            )
        })?],
        None => scan::images_in_use(&snapshot),
    };
    let result = assess(opts, &images, sources).await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        TextOrJson::Json => {
            serde_json::to_writer_pretty(&mut out, &result)?;
            writeln!(out)?;
        }
        TextOrJson::Text => {
            out.write_all(render_text(&result, chrono::Utc::now().date_naive()).as_bytes())?
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The text listing of `zerodock vulns`.
pub(crate) fn render_text(result: &VulnScan, today: chrono::NaiveDate) -> String {
    let mut s = String::new();
    match &result.database {
        Some(db) => {
            let as_of = db.newest_record.unwrap_or(db.updated_at);
            let sources: Vec<String> = db.sources.iter().map(|x| format!("{} {}", x.ecosystem, x.records)).collect();
            s.push_str(&format!(
                "Vulnerability database as of {} ({} days old): {} records\n",
                as_of.date_naive(),
                (today - as_of.date_naive()).num_days(),
                sources.join(", ")
            ));
        }
        None => s.push_str(
            "No vulnerability database: `zerodock vulndb import all.zip` or `zerodock vulndb update` (results are imported ones only)\n",
        ),
    }
    if result.images.is_empty() {
        s.push_str("No image is in use by a container.\n");
    }
    for image in &result.images {
        s.push('\n');
        s.push_str(&image_heading(image, today));
        if let Some(reason) = &image.unreadable {
            s.push_str(&format!("  contents could not be read: {reason}\n"));
            continue;
        }
        let count = |sev| image.with_severity(sev).count();
        let fixable = image.vulnerabilities.iter().filter(|v| v.fixed.is_some()).count();
        s.push_str(&format!(
            "  {} packages · {} vulnerabilities: {} critical, {} high, {} medium, {} low, {} unrated · {fixable} with a fix\n",
            image.packages.len(),
            image.vulnerabilities.len(),
            count(VulnSeverity::Critical),
            count(VulnSeverity::High),
            count(VulnSeverity::Medium),
            count(VulnSeverity::Low),
            count(VulnSeverity::Unknown),
        ));
        if !image.unmatched_ecosystems.is_empty() {
            s.push_str(&format!(
                "  unknown: the database has no records for {}\n",
                image.unmatched_ecosystems.join(", ")
            ));
        }
        for v in &image.vulnerabilities {
            let cves: Vec<&str> =
                v.aliases.iter().filter(|a| a.starts_with("CVE-")).map(String::as_str).collect();
            let fixed = v.fixed.as_deref().map_or_else(|| "no fix yet".to_owned(), |f| format!("→ {f}"));
            s.push_str(&format!(
                "  {:<8} {:<18} {:<28} {} {} {fixed}{}\n",
                v.severity.as_str().to_uppercase(),
                v.id,
                cves.join(","),
                v.package,
                v.installed,
                if v.scanner == "zerodock" { String::new() } else { format!("  [{}]", v.scanner) }
            ));
        }
    }
    s
}

fn image_heading(image: &ImageVulns, today: chrono::NaiveDate) -> String {
    let short = image.image_id.strip_prefix("sha256:").unwrap_or(&image.image_id);
    let short = &short[..short.len().min(12)];
    let os = match &image.os {
        None => "no base OS".to_owned(),
        Some(os) => {
            let name = if os.pretty_name.is_empty() {
                format!("{} {}", os.id, os.version_id)
            } else {
                os.pretty_name.clone()
            };
            match os.end_of_life {
                Some(eol) if eol < today => format!("{name} · support ended {eol}"),
                Some(eol) => format!("{name} · supported until {eol}"),
                None => format!("{name} · end of support unknown"),
            }
        }
    };
    format!("{} ({short}) · {os}\n", image.image)
}

/// Runs `sbom IMAGE`.
pub(crate) async fn sbom(
    opts: &CollectOptions,
    image: &str,
    format: SbomFormat,
    output: Option<&Path>,
    sources: &VulnSources,
) -> Result<ExitCode> {
    let snapshot = zerodock_engine::collect(opts).await;
    if let Err(reason) = snapshot.engine() {
        bail!("the Docker engine could not be inspected: {reason}");
    }
    let found = scan::find_image(&snapshot, image).with_context(|| {
        format!("no local image is called `{image}` (`docker image ls` lists them; ZeroDock never pulls)")
    })?;
    let result = assess(opts, std::slice::from_ref(&found), sources).await?;
    let Some(entry) = result.images.first() else { bail!("`{image}` was not read") };
    if let Some(reason) = &entry.unreadable {
        bail!("the contents of `{image}` could not be read: {reason}");
    }
    let document = match format {
        SbomFormat::Cyclonedx => zerodock_vuln::sbom::cyclonedx(entry),
        SbomFormat::Spdx => zerodock_vuln::sbom::spdx(entry, chrono::Utc::now()),
    };
    let mut bytes = serde_json::to_vec_pretty(&document)?;
    bytes.push(b'\n');
    match output {
        Some(path) if path.as_os_str() != "-" => zerodock_report::export::write_atomic(path, &bytes)?,
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
