//! Start at login: one XDG autostart entry, `~/.config/autostart/ZeroDock.desktop`, that starts the
//! tray (never the dashboard). The name is the one the all-in-one app's autostart plugin used, so
//! turning the setting on again replaces an old entry instead of adding a second. It lives under
//! `$HOME/.config` whatever `XDG_CONFIG_HOME` says, as that plugin did and as desktops look there.

use std::path::{Path, PathBuf};

/// The entry's file name.
pub const FILE_NAME: &str = "ZeroDock.desktop";

/// Where the entry lives.
pub fn entry_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".config/autostart").join(FILE_NAME))
}

/// The entry's text for the tray binary at `exe`.
pub fn entry(exe: &Path) -> String {
    // Desktop Entry spec: quote the path (it may hold spaces); `%`, `"`, `` ` ``, `$` and `\` are
    // escaped inside quotes.
    let mut quoted = String::from("\"");
    for c in exe.display().to_string().chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        if c == '%' {
            quoted.push('%');
        }
        quoted.push(c);
    }
    quoted.push('"');
    format!(
        "[Desktop Entry]\nType=Application\nVersion=1.0\nName=ZeroDock\n\
         Comment=Docker security posture in the tray\nExec={quoted}\nTerminal=false\n\
         StartupNotify=false\nX-GNOME-Autostart-enabled=true\n"
    )
}

/// Writes (`enabled`) or removes the entry for the running tray binary.
pub fn set(enabled: bool) -> std::io::Result<()> {
    let path = entry_path().ok_or_else(|| std::io::Error::other("HOME is not set"))?;
    if enabled {
        let exe = std::env::current_exe()?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, entry(&exe))
    } else {
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_starts_the_tray_with_a_quoted_path() {
        let text = entry(Path::new("/opt/Zero Dock/zerodock-tray"));
        assert!(text.contains("Exec=\"/opt/Zero Dock/zerodock-tray\"\n"), "{text}");
        assert!(text.starts_with("[Desktop Entry]\n"));
        assert!(entry(Path::new("/a$b/100%")).contains("Exec=\"/a\\$b/100%%\""));
    }
}
