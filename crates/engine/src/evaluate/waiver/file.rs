//! The policy file on disk, for its two editors (`zerodock waive`/`unwaive` and the desktop tray's
//! *Accept risk…*): how its text is read and written back, so both follow a symlink (dotfile
//! managers) and replace the file atomically in the same way. What changes in the text is
//! [`super::edit`]'s; where the file is by default is [`super::default_path`].

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A policy file as read before an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFile {
    /// The file to write back: the symlink's target when the path named is a link, so the
    /// rename replaces the file and not the link.
    pub real: PathBuf,
    /// Its text; empty when it does not exist yet (the first waiver creates it).
    pub text: String,
    /// Whether it existed.
    pub exists: bool,
}

/// Reads the policy file at `path` (a missing file reads as empty).
///
/// # Errors
/// The file exists but cannot be read (permissions, not UTF-8); the message names the path.
pub fn read(path: &Path) -> io::Result<PolicyFile> {
    match std::fs::canonicalize(path) {
        Ok(real) => {
            let text = std::fs::read_to_string(&real).map_err(|e| named(path, "read", e))?;
            Ok(PolicyFile { real, text, exists: true })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Ok(PolicyFile { real: path.to_owned(), text: String::new(), exists: false })
        }
        Err(e) => Err(named(path, "read", e)),
    }
}

/// Writes `text` to `path` atomically (a temporary file beside it, synced, then renamed over it),
/// creating its directory when needed and keeping an existing file's permissions: a reader (the
/// tray re-reading, a scan) sees the old file or the new one, never half of one.
///
/// # Errors
/// The directory or file cannot be created or written; the message names the path.
pub fn write(path: &Path, text: &str) -> io::Result<()> {
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| named(dir, "create", e))?;
            dir.to_owned()
        }
        None => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a file name", path.display()))
    })?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let temp = dir.join(format!(".{}.{}-{nanos}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        if let Ok(meta) = std::fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(|e| named(path, "write", e))
}

fn named(path: &Path, action: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("cannot {action} policy file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_reads_empty_and_a_symlink_is_written_where_it_points() {
        let dir = std::env::temp_dir().join(format!("zerodock-policy-file-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("sub/policy.toml");
        let read_back = read(&path).expect("missing is fine");
        assert!(!read_back.exists && read_back.text.is_empty());
        write(&path, "# mine\n").expect("created with its directory");
        assert_eq!(std::fs::read_to_string(&path).expect("written"), "# mine\n");

        let link = dir.join("link.toml");
        std::os::unix::fs::symlink(&path, &link).expect("symlink");
        let through = read(&link).expect("read through the link");
        assert_eq!(through.real, std::fs::canonicalize(&path).expect("real"));
        write(&through.real, "# changed\n").expect("write the target");
        assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink(), "the link stays");
        assert_eq!(std::fs::read_to_string(&link).expect("through the link"), "# changed\n");
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("sub"))
            .expect("dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary file left: {leftovers:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
