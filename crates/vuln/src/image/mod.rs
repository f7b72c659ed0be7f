//! An image's `docker save` archive, streamed: layers applied in order honouring whiteouts, keeping only the files that matter.
//!
//! The archive is read once, front to back, as the engine sends it (`GET /images/{id}/get`): it is
//! never written to disk and no layer is held in memory whole. Each layer is decompressed as it
//! streams by (plain tar, gzip or zstd, told apart by their magic bytes) and only the package
//! databases and `os-release` files it writes are kept, with its whiteouts. Because the OCI layout
//! newer engines write may put `manifest.json` after the layer blobs, layers are kept by their path
//! in the archive and put in order only at the end, from the manifest.
//!
//! Two formats are read: the legacy one (`manifest.json` + `<id>/layer.tar`, dockerd ≤ 24) and the
//! OCI image layout (`index.json`, `blobs/sha256/…`, plus Docker's `manifest.json`, dockerd ≥ 25).

mod archive;
mod layer;
mod tree;

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::TryStreamExt;
use zerodock_engine::collect::ImageExport;

pub use archive::read_archive;
pub use tree::{Tree, TreeEntry, TreeFile};

/// The paths (relative to the image root) whose content is kept: the base OS and the package
/// databases. `var/lib/dpkg/status.d/*` (distroless) is matched by [`is_interesting`].
pub const INTERESTING_FILES: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "var/lib/dpkg/status",
    "lib/apk/db/installed",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
];

/// The distroless images' per-package dpkg status directory.
pub const DPKG_STATUS_D: &str = "var/lib/dpkg/status.d";

/// Whether a normalised path (no leading `/`) is one whose content is kept.
pub fn is_interesting(path: &str) -> bool {
    if INTERESTING_FILES.contains(&path) {
        return true;
    }
    // One level below status.d, and not the `.md5sums` lists distroless puts beside each entry.
    path.strip_prefix(DPKG_STATUS_D)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|name| !name.is_empty() && !name.contains('/') && !name.ends_with(".md5sums"))
}

/// Size limits on what is kept: a hostile or broken image must not exhaust memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest single kept file (a Fedora `rpmdb.sqlite` is ~10 MB, a Debian `status` ~1 MB).
    pub max_file: u64,
    /// Largest sum of every kept file over all layers (each layer that touches a package
    /// database keeps a whole copy of it).
    pub max_total: u64,
    /// Largest metadata JSON (manifest, index, image config) of the archive.
    pub max_metadata: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits { max_file: 64 << 20, max_total: 256 << 20, max_metadata: 16 << 20 }
    }
}

/// Which archive layout the engine wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// `manifest.json` + `<id>/layer.tar` (dockerd ≤ 24).
    Legacy,
    /// The OCI image layout: `index.json` + `blobs/sha256/…` (dockerd ≥ 25).
    Oci,
}

/// How a layer was compressed inside the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip (`1f 8b`).
    Gzip,
    /// zstd (`28 b5 2f fd`).
    Zstd,
}

/// What a kept path holds in a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// A regular file's content.
    File(Arc<[u8]>),
    /// A symbolic link's target, as written (Debian's `etc/os-release` → `../usr/lib/os-release`).
    Symlink(String),
}

/// What one layer changes among the kept paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerChanges {
    /// The layer's diff id (`sha256:…`, from the image config's `rootfs.diff_ids`, by order).
    pub diff_id: Option<String>,
    /// Kept paths the layer writes.
    pub files: BTreeMap<String, Kept>,
    /// Paths the layer deletes (`.wh.<name>`), only those that are or contain a kept path.
    pub whiteouts: Vec<String>,
    /// Directories the layer makes opaque (`.wh..wh..opq`), only those that contain a kept path.
    pub opaque_dirs: Vec<String>,
    /// How the layer was compressed.
    pub compression: Option<Compression>,
    /// Regular files the layer writes with the setuid or setgid bit, and their mode bits.
    pub setid: BTreeMap<String, u32>,
    /// Every path the layer deletes or makes opaque (`dir/` for an opaque directory), kept or
    /// not: what removes a lower layer's setuid file.
    pub removed: Vec<String>,
}

/// What was kept of an image: its layers' changes, in the manifest's order (lowest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFiles {
    /// The archive layout.
    pub format: ArchiveFormat,
    /// One entry per layer of the manifest, lowest first.
    pub layers: Vec<LayerChanges>,
    /// Bytes of the archive read (the whole export).
    pub archive_bytes: u64,
}

impl ImageFiles {
    /// The kept files as they are after applying layers `0..=last` (whiteouts honoured).
    pub fn tree_after(&self, last: usize) -> Tree {
        Tree::apply(self.layers.iter().take(last.saturating_add(1)))
    }

    /// The kept files of the whole image.
    pub fn tree(&self) -> Tree {
        Tree::apply(self.layers.iter())
    }

    /// Files with the setuid or setgid bit in the whole image, with their mode bits: each layer's,
    /// less what a later layer deletes. (A later layer that rewrites such a file without the bit
    /// is not seen: it stays listed, for a person to confirm.)
    pub fn setid_files(&self) -> Vec<(String, u32)> {
        let mut files: BTreeMap<String, u32> = BTreeMap::new();
        for layer in &self.layers {
            for gone in &layer.removed {
                match gone.strip_suffix('/') {
                    Some(dir) => {
                        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
                        files.retain(|path, _| !path.starts_with(&prefix));
                    }
                    None => {
                        let prefix = format!("{gone}/");
                        files.retain(|path, _| path != gone && !path.starts_with(&prefix));
                    }
                }
            }
            files.extend(layer.setid.iter().map(|(p, m)| (p.clone(), *m)));
        }
        files.into_iter().collect()
    }

    /// The diff id of layer `index`, when the config gave one.
    pub fn diff_id(&self, index: usize) -> Option<&str> {
        self.layers.get(index).and_then(|l| l.diff_id.as_deref())
    }
}

/// Why an image's contents could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The engine's export stream failed.
    #[error("reading the image export: {0}")]
    Export(String),
    /// The archive or a layer is not a readable tar (or its compression is broken).
    #[error("reading {what}: {source}")]
    Read {
        /// The archive entry being read (`manifest.json`, `blobs/sha256/…`).
        what: String,
        /// The I/O or format error.
        source: std::io::Error,
    },
    /// An entry's path is absolute or climbs out with `..`.
    #[error("{what}: entry {path:?} escapes the image root (absolute path or `..`)")]
    PathTraversal {
        /// The archive or layer holding the entry.
        what: String,
        /// The entry's path as written.
        path: String,
    },
    /// A kept file is larger than [`ReadLimits::max_file`].
    #[error("{what}: {path} is {size} bytes, over the {limit}-byte limit for one file")]
    FileTooLarge {
        /// The archive entry or layer.
        what: String,
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Kept files add up to more than [`ReadLimits::max_total`].
    #[error("the files kept from this image add up to more than the {limit}-byte limit")]
    TotalTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The archive has no `manifest.json` nor a usable `index.json`.
    #[error("the archive has no manifest.json nor index.json: not a docker save archive")]
    NoManifest,
    /// The manifest, index or image config is not what the format says.
    #[error("{what}: {reason}")]
    BadMetadata {
        /// The file.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The manifest names a layer the archive does not hold.
    #[error("the manifest names layer {0}, which is not in the archive")]
    MissingLayer(String),
    /// The blocking reader task panicked or was cancelled.
    #[error("the image reader task failed: {0}")]
    Task(String),
}

/// Reads an image's export stream with the default [`ReadLimits`].
pub async fn read_image(export: ImageExport) -> Result<ImageFiles, ImageError> {
    read_image_with(export, ReadLimits::default()).await
}

/// Reads an image's export stream: the tar is parsed on a blocking thread fed by the stream
/// (tar and the decompressors are synchronous readers), so nothing is buffered beyond a chunk.
pub async fn read_image_with(export: ImageExport, limits: ReadLimits) -> Result<ImageFiles, ImageError> {
    let reader = tokio_util::io::StreamReader::new(export.map_err(std::io::Error::other));
    let bridge = tokio_util::io::SyncIoBridge::new(reader);
    tokio::task::spawn_blocking(move || read_archive(bridge, &limits))
        .await
        .map_err(|e| ImageError::Task(e.to_string()))?
}

/// Normalises an entry path: strips `./` and empty components; `None` when it is absolute or
/// contains `..` (what a path-traversal archive uses to write outside its root).
pub(crate) fn normalise_entry(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    if text.starts_with('/') {
        return None;
    }
    let mut parts = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Resolves a symlink `target` written at `link` (both inside the image), clamped at the root as
/// a chroot would: `..` above the root stays at the root.
pub(crate) fn resolve_link(link: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut p: Vec<&str> = link.split('/').collect();
        p.pop();
        p
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
pub(crate) mod tests;
