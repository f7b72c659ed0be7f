//! Each ecosystem's own version ordering: Debian/Ubuntu (dpkg), Alpine (apk), RPM.
