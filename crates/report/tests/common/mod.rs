//! What the report tests share with the harness that captured their fixtures.

/// The secret `xtask/scenarios.toml` plants in the scenario containers the fixtures were captured
/// from (one place for it): no output may contain it.
pub fn planted_secret() -> &'static str {
    include_str!("../../../../xtask/scenarios.toml")
        .lines()
        .find_map(|l| l.strip_prefix("planted_secret = \"")?.strip_suffix('"'))
        .expect("xtask/scenarios.toml names planted_secret")
}
