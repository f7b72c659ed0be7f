//! What every tray backend shows and offers: one icon per [`TrayState`] (`icons/tray-*.png`; the
//! icon IS the status), the status line (first, disabled menu item and tooltip: Linux hosts often
//! show no tooltips), and the menu's [`MenuAction`]s. The backends (`sni`, `xembed`) only draw it.

use crate::model::{AppState, TrayState, status_line};

/// What the user chose in the tray menu. Checkbox items carry the state the user toggled them to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuAction {
    /// "Open dashboard" (also a left click on the icon where the host delivers it).
    OpenDashboard,
    /// "Scan now".
    ScanNow,
    /// "Pause monitoring", now checked (`true`) or not.
    SetPaused(bool),
    /// "Start at login", now checked (`true`) or not.
    SetStartAtLogin(bool),
    /// "Quit ZeroDock": the tray and its dashboard.
    Quit,
}

/// Menu labels, in menu order (the end-to-end test clicks them by label over D-Bus).
pub mod label {
    /// Opens the dashboard.
    pub const OPEN: &str = "Open dashboard";
    /// Full rescan.
    pub const SCAN: &str = "Scan now";
    /// Pause checkbox.
    pub const PAUSE: &str = "Pause monitoring";
    /// Start-at-login checkbox.
    pub const AUTOSTART: &str = "Start at login";
    /// Quit.
    pub const QUIT: &str = "Quit ZeroDock";
}

/// What a backend draws: the fields of [`AppState`] the tray shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The icon.
    pub tray: TrayState,
    /// "ZeroDock — 72/100 C · 1 critical · …".
    pub status: String,
    /// Monitoring paused.
    pub paused: bool,
    /// Start at login on.
    pub start_at_login: bool,
}

impl View {
    /// The view of `state`.
    pub fn of(state: &AppState) -> View {
        View {
            tray: state.tray,
            status: status_line(state),
            paused: state.paused,
            start_at_login: state.settings.start_at_login,
        }
    }
}

/// The PNG of each state, rendered from `icons/src/*.svg` by `icons/render.sh` (64 px: hosts scale
/// down; the 32 px one blurs on HiDPI panels).
pub fn icon_png(state: TrayState) -> &'static [u8] {
    match state {
        TrayState::Good => include_bytes!("../../../icons/tray-good@2x.png"),
        TrayState::Attention => include_bytes!("../../../icons/tray-attention@2x.png"),
        TrayState::Critical => include_bytes!("../../../icons/tray-critical@2x.png"),
        TrayState::Unknown => include_bytes!("../../../icons/tray-unknown@2x.png"),
        TrayState::Scanning => include_bytes!("../../../icons/tray-scanning@2x.png"),
    }
}

/// A decoded icon: width, height and RGBA8 pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgba {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Row-major RGBA, 8 bits per channel.
    pub pixels: Vec<u8>,
}

/// Decodes a state's icon to RGBA8.
pub fn icon_rgba(state: TrayState) -> Result<Rgba, png::DecodingError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(icon_png(state)));
    // Palette and low bit depths expanded, so every icon decodes to 8-bit channels.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buf)?;
    buf.truncate(info.buffer_size());
    let pixels = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf.chunks(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        png::ColorType::GrayscaleAlpha => buf.chunks(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|g| [*g, *g, *g, 255]).collect(),
        png::ColorType::Indexed => {
            return Err(png::DecodingError::LimitsExceeded);
        }
    };
    Ok(Rgba { width: info.width, height: info.height, pixels })
}

/// The icon as StatusNotifierItem wants it: ARGB32 in network byte order.
pub fn icon_argb(state: TrayState) -> Result<Rgba, png::DecodingError> {
    let mut icon = icon_rgba(state)?;
    for px in icon.pixels.chunks_mut(4) {
        px.rotate_right(1);
    }
    Ok(icon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_a_distinct_decodable_icon() {
        let icons: Vec<Rgba> = TrayState::ALL.iter().map(|s| icon_argb(*s).unwrap()).collect();
        for (state, icon) in TrayState::ALL.iter().zip(&icons) {
            assert_eq!((icon.width, icon.height), (64, 64), "{state:?}");
            assert_eq!(icon.pixels.len(), 64 * 64 * 4);
        }
        for (i, a) in icons.iter().enumerate() {
            for b in &icons[i + 1..] {
                assert_ne!(a.pixels, b.pixels, "two states share an icon");
            }
        }
    }
}
