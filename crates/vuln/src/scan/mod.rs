//! The whole step for every image in use, cached by image id.
//!
//! Two halves, so each face can run them where they fit: [`read_images`] is async I/O (the
//! engine's `GET /images/{id}/get`, streamed) and `Send`; [`assess`] is synchronous (the SQLite
//! database, the EOL table) and cheap. An image's contents never change under the same id, so
//! what was read is cached on disk by id and an image is exported once, ever: later scans only
//! re-match, which picks up a newer database.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zerodock_engine::CollectOptions;
use zerodock_engine::snapshot::{BaseOs, Fact, ImageVulns, Package, SetidFile, Snapshot, VulnScan};

use crate::db::Database;

/// Bumped when what is cached (or how packages are read) changes, so old entries are re-read.
const CACHE_FORMAT: u32 = 2;

/// An image in use, as the scan names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `sha256:…`.
    pub id: String,
    /// First tag, else digest, else short id.
    pub name: String,
}

/// The images the snapshot's containers (all states) use, once each, in the snapshot's image
/// order (then those the image list lacks, by container order).
pub fn images_in_use(snap: &Snapshot) -> Vec<ImageRef> {
    let Ok(containers) = snap.containers() else { return Vec::new() };
    let images = snap.images().unwrap_or_default();
    let mut out: Vec<ImageRef> = images
        .iter()
        .filter(|i| containers.iter().any(|c| c.image_id == i.id))
        .map(|i| ImageRef { id: i.id.clone(), name: i.display_name() })
        .collect();
    for c in containers {
        if !c.image_id.is_empty() && !out.iter().any(|r| r.id == c.image_id) {
            out.push(ImageRef { id: c.image_id.clone(), name: c.image.clone() });
        }
    }
    out
}

/// An image that names `wanted` (id, short id, tag or digest) among the snapshot's images.
pub fn find_image(snap: &Snapshot, wanted: &str) -> Option<ImageRef> {
    let images = snap.images().ok()?;
    let bare = wanted.strip_prefix("sha256:").unwrap_or(wanted);
    let with_latest = if wanted.contains(':') || wanted.contains('@') {
        wanted.to_owned()
    } else {
        format!("{wanted}:latest")
    };
    images
        .iter()
        .find(|i| {
            i.id.strip_prefix("sha256:").unwrap_or(&i.id).starts_with(bare) && bare.len() >= 4
                || i.repo_tags.iter().any(|t| t == wanted || *t == with_latest)
                || i.repo_digests.iter().any(|d| d == wanted)
        })
        .map(|i| ImageRef { id: i.id.clone(), name: i.display_name() })
}

/// What was read from one image: all that matching needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contents {
    /// [`CACHE_FORMAT`] when written.
    pub format: u32,
    /// The base OS (its end of life is filled at assessment, from this build's table).
    pub os: Option<BaseOs>,
    /// Installed packages.
    pub packages: Vec<Package>,
    /// Package databases present but unreadable.
    pub problems: Vec<String>,
    /// Files with the setuid or setgid bit (format 2 on).
    #[serde(default)]
    pub setid_files: Vec<SetidFile>,
}

/// The on-disk cache of [`Contents`] by image id.
#[derive(Debug, Clone)]
pub struct ImageCache {
    dir: Option<PathBuf>,
}

impl ImageCache {
    /// The cache in the OS cache directory (`$XDG_CACHE_HOME/zerodock/images`, else
    /// `~/.cache/zerodock/images`; `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows).
    pub fn default_location() -> ImageCache {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let base = if cfg!(windows) {
            env("LOCALAPPDATA")
        } else if cfg!(target_os = "macos") {
            env("HOME").map(|h| h.join("Library/Caches"))
        } else {
            env("XDG_CACHE_HOME")
                .filter(|p| p.is_absolute())
                .or_else(|| env("HOME").map(|h| h.join(".cache")))
        };
        ImageCache { dir: base.map(|b| b.join("zerodock").join("images")) }
    }

    /// A cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> ImageCache {
        ImageCache { dir: Some(dir.into()) }
    }

    /// No cache: every image is read again.
    pub fn disabled() -> ImageCache {
        ImageCache { dir: None }
    }

    fn path(&self, id: &str) -> Option<PathBuf> {
        let hex = id.strip_prefix("sha256:").unwrap_or(id);
        // Only a plain digest names a file: an id is engine input, never a path.
        if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        Some(self.dir.as_ref()?.join(format!("{hex}.json")))
    }

    /// The cached contents of image `id`, if any (a damaged or older-format entry is ignored).
    pub fn load(&self, id: &str) -> Option<Contents> {
        let text = std::fs::read_to_string(self.path(id)?).ok()?;
        serde_json::from_str::<Contents>(&text).ok().filter(|c| c.format == CACHE_FORMAT)
    }

    /// Stores `contents` for image `id` (best effort: a read-only cache only costs a re-read).
    pub fn store(&self, id: &str, contents: &Contents) {
        let Some(path) = self.path(id) else { return };
        let Some(dir) = path.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(text) = serde_json::to_string(contents) else { return };
        // Write then rename: a concurrent reader (app and CLI) never sees half a file.
        let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// Reads one image's contents through the engine (a streamed, read-only export), or from the
/// cache.
pub async fn read_contents(opts: &CollectOptions, id: &str, cache: &ImageCache) -> Result<Contents, String> {
    if let Some(cached) = cache.load(id) {
        return Ok(cached);
    }
    let export = zerodock_engine::collect::export_image(opts, id).await?;
    let files = crate::image::read_image(export).await.map_err(|e| e.to_string())?;
    let inventory = crate::packages::inventory(&files);
    let contents = Contents {
        format: CACHE_FORMAT,
        os: inventory.os,
        packages: inventory.packages,
        problems: inventory.problems,
        setid_files: files
            .setid_files()
            .into_iter()
            .map(|(path, mode)| SetidFile { path, mode: format!("{mode:o}") })
            .collect(),
    };
    cache.store(id, &contents);
    Ok(contents)
}

/// Reads every image in `images`, one after the other (an export is disk-bound on the engine
/// side: parallel exports only contend).
pub async fn read_images(
    opts: &CollectOptions,
    images: &[ImageRef],
    cache: &ImageCache,
) -> Vec<(ImageRef, Result<Contents, String>)> {
    let mut out = Vec::with_capacity(images.len());
    for image in images {
        let read = read_contents(opts, &image.id, cache).await;
        out.push((image.clone(), read));
    }
    out
}

/// Matches what was read against the database (if any): the snapshot's vulnerability part.
///
/// # Errors
/// When the database cannot be queried (a damaged file): a scan must not report "no
/// vulnerabilities" because its database failed.
pub fn assess(
    db: Option<&Database>,
    read: Vec<(ImageRef, Result<Contents, String>)>,
) -> crate::db::Result<VulnScan> {
    let database = match db {
        Some(db) => db.info()?,
        None => None,
    };
    let mut matcher = match (db, &database) {
        (Some(db), Some(_)) => Some(crate::matcher::Matcher::new(db)?),
        _ => None,
    };
    let mut images = Vec::with_capacity(read.len());
    for (image, contents) in read {
        let mut entry = ImageVulns { image_id: image.id, image: image.name, ..ImageVulns::default() };
        match contents {
            Err(reason) => entry.unreadable = Some(reason),
            Ok(contents) => {
                entry.os = contents.os.map(|mut os| {
                    crate::eol::annotate(&mut os);
                    os
                });
                if let Some(matcher) = matcher.as_mut() {
                    let matched = matcher.match_packages(&contents.packages)?;
                    entry.vulnerabilities = matched.vulnerabilities;
                    entry.unmatched_ecosystems = matched.unmatched_ecosystems;
                    entry.scanners.push("zerodock".to_owned());
                }
                entry.packages = contents.packages;
                entry.setid_files = Some(contents.setid_files);
                if !contents.problems.is_empty() && entry.packages.is_empty() {
                    entry.unreadable = Some(contents.problems.join("; "));
                }
            }
        }
        images.push(entry);
    }
    Ok(VulnScan { database, images })
}

/// Opens the database at `path` (default location when `None`) if it exists; a missing file is
/// "no database", not an error, so a scan reports the checks as unknown with how to get one.
pub fn open_database(path: Option<&Path>) -> crate::db::Result<Option<Database>> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => Database::default_path()?,
    };
    if !path.exists() {
        return Ok(None);
    }
    Database::open(&path).map(Some)
}

/// The whole step for a snapshot: reads every image in use, matches, and attaches the result
/// (`snapshot.vulnerabilities`).
pub async fn scan_snapshot(
    opts: &CollectOptions,
    snap: &mut Snapshot,
    db_path: Option<&Path>,
    cache: &ImageCache,
) -> crate::db::Result<()> {
    let images = images_in_use(snap);
    let read = read_images(opts, &images, cache).await;
    let db = open_database(db_path)?;
    snap.vulnerabilities = Fact::available(assess(db.as_ref(), read)?);
    Ok(())
}
