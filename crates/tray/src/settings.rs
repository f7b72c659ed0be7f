//! Settings persistence: `settings.json` in the app's config directory
//! (`$XDG_CONFIG_HOME/dev.zerodock.desktop`, the directory the dashboard used before the split), written atomically (a
//! temporary file in the same directory, then a rename) so a crash never leaves half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::Settings;

/// The file name inside the app config directory.
pub const FILE_NAME: &str = "settings.json";

/// The app's identifier: its config directory's name (as Tauri's `app_config_dir`).
pub const APP_ID: &str = "dev.zerodock.desktop";

/// Where the settings live: `<app config dir>/settings.json`.
pub fn path_in(config_dir: &Path) -> PathBuf {
    config_dir.join(FILE_NAME)
}

/// The app's config directory: `$XDG_CONFIG_HOME/dev.zerodock.desktop` (else `~/.config/…`).
pub fn config_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join(APP_ID))
}

/// Reads the settings; a missing file gives the defaults. A file that cannot be read or parsed
/// also gives the defaults (and logs why) rather than keeping the app from starting.
pub fn load(path: &Path) -> Settings {
    match std::fs::read_to_string(path) {
        Ok(text) => match serde_json::from_str::<Settings>(&text) {
            Ok(settings) if settings.validate().is_ok() => settings,
            Ok(_) | Err(_) => {
                tracing::warn!(file = %path.display(), "ignoring invalid settings");
                Settings::default()
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Settings::default(),
        Err(e) => {
            tracing::warn!(file = %path.display(), "cannot read the settings, using defaults: {e}");
            Settings::default()
        }
    }
}

/// Writes the settings atomically, creating the directory when needed.
pub fn save(path: &Path, settings: &Settings) -> std::io::Result<()> {
    let mut json = serde_json::to_vec_pretty(settings).map_err(std::io::Error::other)?;
    json.push(b'\n');
    write_atomic(path, &json)
}

/// Writes a file of the tray's config through a temporary file and a rename, creating the
/// directory when needed: a crash mid-write leaves the old file, never half a new one.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("the path has no directory"))?;
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zerodock-settings-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn missing_file_gives_defaults_and_save_round_trips() {
        let dir = temp_dir("roundtrip");
        let path = path_in(&dir.join("nested"));
        assert_eq!(load(&path), Settings::default());
        let settings = Settings {
            rescan_interval_secs: 3600,
            notifications: false,
            start_at_login: true,
            ..Settings::default()
        };
        save(&path, &settings).unwrap();
        assert_eq!(load(&path), settings);
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(leftovers, vec![FILE_NAME.to_owned()], "no temporary file is left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn invalid_or_partial_files_fall_back_field_by_field() {
        let dir = temp_dir("invalid");
        std::fs::create_dir_all(&dir).unwrap();
        let path = path_in(&dir);
        std::fs::write(&path, "{ not json").unwrap();
        assert_eq!(load(&path), Settings::default());
        std::fs::write(&path, r#"{"rescan_interval_secs": 5}"#).unwrap();
        assert_eq!(load(&path), Settings::default(), "out of range is rejected");
        std::fs::write(&path, r#"{"notifications": false}"#).unwrap();
        assert_eq!(load(&path), Settings { notifications: false, ..Settings::default() });
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
