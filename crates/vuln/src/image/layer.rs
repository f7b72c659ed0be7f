//! One layer, streamed: decompressed by its magic bytes, its tar walked once, only the kept paths
//! and the whiteouts that touch them retained.

use std::io::Read;
use std::sync::Arc;

use super::{
    Compression, DPKG_STATUS_D, INTERESTING_FILES, ImageError, Kept, LayerChanges, ReadLimits,
    is_interesting, normalise_entry,
};

/// The compression a layer's first bytes announce; anything else is read as a plain tar.
pub(crate) fn sniff(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Whether deleting `path` (a whiteout) or making it opaque can remove a kept path: it is one,
/// an ancestor of one, or inside `status.d`.
fn touches_kept(path: &str) -> bool {
    let covers = |kept: &str| kept == path || path.is_empty() || kept.starts_with(&format!("{path}/"));
    INTERESTING_FILES.iter().any(|k| covers(k)) || covers(DPKG_STATUS_D) || is_interesting(path)
}

/// Running total of kept bytes over the whole image, checked against the limit.
pub(crate) struct Budget {
    pub(crate) used: u64,
    pub(crate) limits: ReadLimits,
}

impl Budget {
    fn take(&mut self, n: u64) -> Result<(), ImageError> {
        self.used = self.used.saturating_add(n);
        if self.used > self.limits.max_total {
            return Err(ImageError::TotalTooLarge { limit: self.limits.max_total });
        }
        Ok(())
    }
}

/// Reads one layer (`what` names it in errors) from `reader`, whose first bytes are `head`.
pub(crate) fn scan_layer(
    what: &str,
    reader: impl Read,
    compression: Compression,
    budget: &mut Budget,
) -> Result<LayerChanges, ImageError> {
    let read_err = |source: std::io::Error| ImageError::Read { what: what.to_owned(), source };
    let decoded: Box<dyn Read> = match compression {
        Compression::None => Box::new(reader),
        // Multi-member: some tools write a layer as several concatenated gzip members.
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(reader)
                .map_err(|e| read_err(std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())))?,
        ),
    };
    let mut changes = LayerChanges { compression: Some(compression), ..LayerChanges::default() };
    let mut archive = tar::Archive::new(decoded);
    for entry in archive.entries().map_err(read_err)? {
        let mut entry = entry.map_err(read_err)?;
        let raw = entry.path_bytes().into_owned();
        let Some(path) = normalise_entry(&raw) else {
            return Err(ImageError::PathTraversal {
                what: what.to_owned(),
                path: String::from_utf8_lossy(&raw).into_owned(),
            });
        };
        let (dir, base) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
        if base == ".wh..wh..opq" {
            changes.removed.push(format!("{dir}/"));
            if touches_kept(dir) {
                changes.opaque_dirs.push(dir.to_owned());
            }
            continue;
        }
        if let Some(name) = base.strip_prefix(".wh.") {
            let deleted = if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") };
            changes.removed.push(deleted.clone());
            if touches_kept(&deleted) {
                changes.whiteouts.push(deleted);
            }
            continue;
        }
        if entry.header().entry_type().is_file() {
            let mode = entry.header().mode().unwrap_or(0) & 0o7777;
            if mode & 0o6000 != 0 {
                changes.setid.insert(path.clone(), mode);
            }
        }
        if !is_interesting(&path) {
            continue;
        }
        let kind = entry.header().entry_type();
        if kind.is_file() {
            let limit = budget.limits.max_file;
            let size = entry.size();
            if size > limit {
                return Err(ImageError::FileTooLarge { what: what.to_owned(), path, size, limit });
            }
            let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            // The header's size is what tar reads anyway; `take` guards a lying header.
            (&mut entry).take(limit + 1).read_to_end(&mut data).map_err(read_err)?;
            budget.take(data.len() as u64)?;
            changes.files.insert(path, Kept::File(Arc::from(data)));
        } else if kind.is_symlink() {
            let target =
                entry.link_name_bytes().map(|t| String::from_utf8_lossy(&t).into_owned()).unwrap_or_default();
            changes.files.insert(path, Kept::Symlink(target));
        } else if kind.is_hard_link() {
            // A hard link names another entry of the same layer: keep its content if it was kept.
            let target = entry.link_name_bytes().and_then(|t| normalise_entry(&t));
            if let Some(kept) = target.and_then(|t| changes.files.get(&t).cloned()) {
                changes.files.insert(path, kept);
            }
        } else {
            // A directory or device where a kept file is expected: the file is gone from here on.
            changes.whiteouts.push(path);
        }
    }
    Ok(changes)
}
