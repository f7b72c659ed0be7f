//! The base OS (`/etc/os-release`) and the installed packages (dpkg `status` and `status.d/`, apk `installed`, rpm `rpmdb.sqlite`).
