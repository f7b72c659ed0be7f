//! The kept files after applying layers in order: whiteouts and opaque directories remove what
//! lower layers wrote, later layers replace files.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Kept, LayerChanges, resolve_link};

/// A kept path in the merged view and the layer that last wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// Its content or link target.
    pub kept: Kept,
    /// Index (in manifest order) of the layer that last wrote it.
    pub layer: usize,
}

/// A file's content as read through the tree, symlinks followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    /// The path the content was found at (after following symlinks).
    pub path: String,
    /// The content.
    pub data: Arc<[u8]>,
    /// The layer that last wrote it.
    pub layer: usize,
}

/// The kept paths of an image after some layers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    /// Every kept path, by normalised path.
    pub entries: BTreeMap<String, TreeEntry>,
}

impl Tree {
    /// Applies layers in order, lowest first.
    pub fn apply<'a>(layers: impl Iterator<Item = &'a LayerChanges>) -> Tree {
        let mut entries: BTreeMap<String, TreeEntry> = BTreeMap::new();
        for (index, layer) in layers.enumerate() {
            // An opaque directory hides what lower layers put in it (its own files follow).
            for dir in &layer.opaque_dirs {
                let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
                entries.retain(|path, _| !path.starts_with(&prefix));
            }
            for gone in &layer.whiteouts {
                let prefix = format!("{gone}/");
                entries.retain(|path, _| path != gone && !path.starts_with(&prefix));
            }
            for (path, kept) in &layer.files {
                entries.insert(path.clone(), TreeEntry { kept: kept.clone(), layer: index });
            }
        }
        Tree { entries }
    }

    /// The content at `path`, following up to 8 symlinks among kept paths (a link to a path
    /// that was not kept, or a loop, is `None`).
    pub fn file(&self, path: &str) -> Option<TreeFile> {
        let mut path = path.to_owned();
        for _ in 0..8 {
            match &self.entries.get(&path)?.kept {
                Kept::File(data) => {
                    let layer = self.entries.get(&path)?.layer;
                    return Some(TreeFile { path, data: data.clone(), layer });
                }
                Kept::Symlink(target) => path = resolve_link(&path, target),
            }
        }
        None
    }

    /// The files directly inside `dir`, by name, symlinks followed.
    pub fn files_in(&self, dir: &str) -> Vec<TreeFile> {
        let prefix = format!("{dir}/");
        self.entries
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| !p[prefix.len()..].contains('/'))
            .filter_map(|(p, _)| self.file(p).map(|f| TreeFile { path: p.clone(), ..f }))
            .collect()
    }
}
