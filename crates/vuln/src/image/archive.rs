//! The `docker save` archive walked once: metadata JSON kept, each layer scanned as it streams
//! by, the manifest read at the end to put the layers in order.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use serde::Deserialize;

use super::layer::{Budget, scan_layer, sniff};
use super::{ArchiveFormat, ImageError, ImageFiles, LayerChanges, ReadLimits, normalise_entry, resolve_link};

/// Docker's `manifest.json` entry (both layouts carry it).
#[derive(Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

/// An OCI index or manifest, the fields followed when there is no `manifest.json`.
#[derive(Deserialize)]
struct OciDoc {
    #[serde(default)]
    manifests: Vec<OciDescriptor>,
    config: Option<OciDescriptor>,
    #[serde(default)]
    layers: Vec<OciDescriptor>,
}

#[derive(Deserialize)]
struct OciDescriptor {
    digest: String,
}

#[derive(Deserialize)]
struct ImageConfig {
    rootfs: Option<RootFs>,
}

#[derive(Deserialize)]
struct RootFs {
    #[serde(default)]
    diff_ids: Vec<String>,
}

/// Counts the bytes the outer tar reads (the export's size, for throughput figures).
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Reads up to `buf.len()` bytes (fewer only at the end of `reader`).
fn read_head(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Walks a `docker save` archive from `reader` (read once, in order) and returns what was kept
/// of each layer, in the manifest's order.
pub fn read_archive(reader: impl Read, limits: &ReadLimits) -> Result<ImageFiles, ImageError> {
    let mut counting = Counting { inner: reader, count: 0 };
    let read_err = |what: &str| {
        let what = what.to_owned();
        move |source: std::io::Error| ImageError::Read { what, source }
    };
    let mut budget = Budget { used: 0, limits: *limits };
    let mut metadata: HashMap<String, Vec<u8>> = HashMap::new();
    let mut layers: HashMap<String, LayerChanges> = HashMap::new();
    let mut links: HashMap<String, String> = HashMap::new();
    {
        let mut archive = tar::Archive::new(&mut counting);
        for entry in archive.entries().map_err(read_err("the image archive"))? {
            let mut entry = entry.map_err(read_err("the image archive"))?;
            let raw = entry.path_bytes().into_owned();
            let Some(path) = normalise_entry(&raw) else {
                return Err(ImageError::PathTraversal {
                    what: "the image archive".into(),
                    path: String::from_utf8_lossy(&raw).into_owned(),
                });
            };
            let kind = entry.header().entry_type();
            if kind.is_symlink() || kind.is_hard_link() {
                // Newer engines link `<id>/layer.tar` to the blob; hard links name archive paths.
                if let Some(target) = entry.link_name_bytes() {
                    let target = String::from_utf8_lossy(&target).into_owned();
                    let resolved = if kind.is_symlink() {
                        resolve_link(&path, &target)
                    } else {
                        resolve_link("", &target)
                    };
                    links.insert(path, resolved);
                }
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let is_layer_tar = path.ends_with("/layer.tar") || path == "layer.tar";
            let is_blob = path.starts_with("blobs/");
            let is_json = path.ends_with(".json") || path == "repositories" || path.ends_with("/json");
            if !(is_layer_tar || is_blob || is_json) {
                continue;
            }
            let mut head = [0u8; 512];
            let n = read_head(&mut entry, &mut head).map_err(read_err(&path))?;
            let head = &head[..n];
            let looks_json =
                head.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| *b == b'{' || *b == b'[');
            if is_layer_tar || (is_blob && !looks_json) {
                let compression = sniff(head);
                let reader = Cursor::new(head.to_vec()).chain(&mut entry);
                let changes = scan_layer(&path, reader, compression, &mut budget)?;
                layers.insert(path, changes);
            } else if looks_json {
                let size = entry.size();
                if size > limits.max_metadata {
                    return Err(ImageError::FileTooLarge {
                        what: "the image archive".into(),
                        path,
                        size,
                        limit: limits.max_metadata,
                    });
                }
                let mut data = head.to_vec();
                (&mut entry).take(limits.max_metadata).read_to_end(&mut data).map_err(read_err(&path))?;
                metadata.insert(path, data);
            }
        }
    }
    // tar stops at the first end-of-archive block; the rest is padding, read so the export is
    // consumed whole (and counted) rather than cut off mid-response.
    std::io::copy(&mut counting, &mut std::io::sink()).map_err(read_err("the image archive"))?;
    let order = layer_order(&metadata, &links)?;
    let format =
        if metadata.contains_key("index.json") || order.layers.iter().any(|l| l.starts_with("blobs/")) {
            ArchiveFormat::Oci
        } else {
            ArchiveFormat::Legacy
        };
    let mut result = Vec::with_capacity(order.layers.len());
    for (index, name) in order.layers.iter().enumerate() {
        let resolved = follow(&links, name);
        let mut changes =
            layers.get(&resolved).cloned().ok_or_else(|| ImageError::MissingLayer(name.clone()))?;
        changes.diff_id = order.diff_ids.get(index).cloned();
        result.push(changes);
    }
    Ok(ImageFiles { format, layers: result, archive_bytes: counting.count })
}

/// Follows archive links (at most a few hops: a loop ends where it is).
fn follow(links: &HashMap<String, String>, path: &str) -> String {
    let mut path = path.to_owned();
    for _ in 0..8 {
        match links.get(&path) {
            Some(next) => path = next.clone(),
            None => break,
        }
    }
    path
}

struct Order {
    layers: Vec<String>,
    diff_ids: Vec<String>,
}

fn bad(what: &str, reason: impl ToString) -> ImageError {
    ImageError::BadMetadata { what: what.to_owned(), reason: reason.to_string() }
}

/// The layers' archive paths in order and their diff ids, from `manifest.json`, else by
/// following `index.json` to an image manifest.
fn layer_order(
    metadata: &HashMap<String, Vec<u8>>,
    links: &HashMap<String, String>,
) -> Result<Order, ImageError> {
    let json = |path: &str| metadata.get(&follow(links, path));
    let (config_path, layers) = if let Some(bytes) = json("manifest.json") {
        let entries: Vec<ManifestEntry> =
            serde_json::from_slice(bytes).map_err(|e| bad("manifest.json", e))?;
        // The export of one image id holds one entry.
        let first = entries.into_iter().next().ok_or_else(|| bad("manifest.json", "no image in it"))?;
        (normalise_entry(first.config.as_bytes()), first.layers)
    } else if let Some(bytes) = json("index.json") {
        let mut doc: OciDoc = serde_json::from_slice(bytes).map_err(|e| bad("index.json", e))?;
        let mut what = "index.json".to_owned();
        // An index may point at another index (multi-platform): follow the first manifest down.
        for _ in 0..4 {
            if doc.config.is_some() {
                break;
            }
            let next = doc.manifests.first().ok_or_else(|| bad(&what, "no manifest in it"))?;
            what = blob_path(&next.digest);
            let bytes = json(&what).ok_or_else(|| ImageError::MissingLayer(what.clone()))?;
            doc = serde_json::from_slice(bytes).map_err(|e| bad(&what, e))?;
        }
        let config = doc.config.as_ref().ok_or_else(|| bad(&what, "no image config"))?;
        (Some(blob_path(&config.digest)), doc.layers.iter().map(|l| blob_path(&l.digest)).collect())
    } else {
        return Err(ImageError::NoManifest);
    };
    let mut layer_paths = Vec::with_capacity(layers.len());
    for layer in layers {
        let path = normalise_entry(layer.as_bytes())
            .ok_or_else(|| ImageError::PathTraversal { what: "manifest.json".into(), path: layer.clone() })?;
        layer_paths.push(path);
    }
    let diff_ids = match config_path.as_deref().and_then(|p| json(p).map(|b| (p, b))) {
        Some((path, bytes)) => {
            let config: ImageConfig = serde_json::from_slice(bytes).map_err(|e| bad(path, e))?;
            config.rootfs.map(|r| r.diff_ids).unwrap_or_default()
        }
        None => Vec::new(),
    };
    Ok(Order { layers: layer_paths, diff_ids })
}

/// `sha256:abc…` → `blobs/sha256/abc…`.
fn blob_path(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algo, hex)) => format!("blobs/{algo}/{hex}"),
        None => format!("blobs/{digest}"),
    }
}
