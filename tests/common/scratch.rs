//! The scratch image's tag, `[scratch] tag` of `xtask/scenarios.toml`: the one place it is named,
//! and the image `cargo xtask test` loads onto the engine the tests use. A plain line reader, so
//! the test crates without a TOML parser (the tray's, the dashboard's) share it through `#[path]`.

/// The scratch image every scenario container runs.
pub fn scratch_image() -> &'static str {
    let toml = include_str!("../../xtask/scenarios.toml");
    let section = toml.split("\n[scratch]").nth(1).expect("xtask/scenarios.toml has [scratch]");
    section
        .lines()
        .take_while(|l| !l.starts_with('['))
        .find_map(|l| l.strip_prefix("tag = \"")?.strip_suffix('"'))
        .expect("[scratch] names its tag")
}
