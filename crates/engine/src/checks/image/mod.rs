//! Image checks (CIS Docker Benchmark section 4): what each local image declares (default user,
//! health check, build instructions) and how containers refer to their image.

use crate::checks::Check;

pub(crate) mod image_packages_to_review;
pub(crate) mod image_runs_as_root;
pub(crate) mod image_signature_unverified;
pub(crate) mod image_uses_add;
pub(crate) mod image_without_healthcheck;
pub(crate) mod setuid_files_in_image;
pub(crate) mod unpinned_image_tag;
pub(crate) mod untrusted_image_source;
pub(crate) mod unused_image_sprawl;
pub(crate) mod update_instruction_alone;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &image_runs_as_root::CHECK,
    &unpinned_image_tag::CHECK,
    &image_without_healthcheck::CHECK,
    &image_uses_add::CHECK,
    &unused_image_sprawl::CHECK,
    &update_instruction_alone::CHECK,
    &image_packages_to_review::CHECK,
    &image_signature_unverified::CHECK,
    &untrusted_image_source::CHECK,
    &setuid_files_in_image::CHECK,
];

/// Whether a `Config.User` value (`user`, `uid`, `user:group`, `uid:gid`, or empty) makes the
/// process run as root. Empty means root: Docker's default when neither the image nor `--user`
/// names a user. A user *name* other than `root` is taken as non-root (its uid lives in the image's
/// /etc/passwd, which the Engine API does not show).
pub(crate) fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default().trim();
    matches!(name, "" | "0" | "root")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_users() {
        for user in ["", "0", "root", "0:0", "root:root", "0:10001"] {
            assert!(is_root_user(user), "{user}");
        }
        for user in ["10001", "10001:10001", "nobody", "app:app", "1000:0"] {
            assert!(!is_root_user(user), "{user}");
        }
    }
}
