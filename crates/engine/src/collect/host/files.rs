//! Ownership and mode of files ([`FileFacts`]), and the Docker socket's.
//!
//! The socket's group and mode decide who can drive the daemon (CIS 3.15/3.16): whoever can
//! write to it is root-equivalent, whatever their group is called.

use std::path::Path;

use super::accounts::Accounts;
use super::{Inputs, io_reason};
use crate::snapshot::{Fact, FileFacts};

/// `stat` of a file (following symlinks) with owner and group names resolved.
#[cfg(unix)]
pub(super) fn file_facts(path: &Path, accounts: &Accounts) -> Result<FileFacts, String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).map_err(|e| io_reason(path, &e))?;
    Ok(FileFacts {
        path: path.display().to_string(),
        uid: meta.uid(),
        gid: meta.gid(),
        owner: accounts.user_name(meta.uid()),
        group: accounts.group_name(meta.gid()),
        mode: meta.mode() & 0o7777,
    })
}

/// `stat` of a file: unix ownership and modes do not exist on this OS.
#[cfg(not(unix))]
pub(super) fn file_facts(path: &Path, _accounts: &Accounts) -> Result<FileFacts, String> {
    Err(format!("not on this OS: {} has no unix owner and mode (ACLs are not inspected yet)", path.display()))
}

/// The endpoint's socket.
pub(super) fn socket(inputs: &Inputs, accounts: &Accounts) -> Fact<FileFacts> {
    if !inputs.local {
        return Fact::unavailable("the engine is remote: its socket is on another machine");
    }
    let Some(path) = &inputs.socket_path else {
        return Fact::unavailable("the endpoint is not a unix socket: there is no socket file to inspect");
    };
    match file_facts(path, accounts) {
        Ok(facts) => Fact::available(facts),
        Err(reason) if !path.exists() && !reason.contains("permission denied") => Fact::unavailable(format!(
            "{reason}: the daemon's socket is not visible on this machine (another mount namespace or VM?)"
        )),
        Err(reason) => Fact::unavailable(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::host::accounts::tests::fake_accounts;
    use crate::collect::host::testing::TempDir;

    fn inputs(socket: Option<&Path>, local: bool) -> Inputs {
        Inputs { socket_path: socket.map(Path::to_path_buf), docker_config_dir: None, home: None, local }
    }

    #[cfg(unix)]
    #[test]
    fn reports_owner_group_and_mode() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = TempDir::new();
        fake_accounts(&dir);
        let file = dir.write("docker.sock", "");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o660)).expect("chmod");
        let facts = socket(&inputs(Some(&file), true), &Accounts::load(dir.path()));
        let facts = facts.get().expect("stat works");
        let meta = std::fs::metadata(&file).expect("stat");
        assert_eq!((facts.uid, facts.gid, facts.mode), (meta.uid(), meta.gid(), 0o660));
        assert_eq!(facts.mode_octal(), "660");
        assert_eq!(facts.path, file.display().to_string());
    }

    #[test]
    fn unavailable_without_a_local_socket() {
        let accounts = Accounts { users: Ok(vec![]), groups: Ok(vec![]) };
        let remote = socket(&inputs(Some(Path::new("/run/docker.sock")), false), &accounts);
        assert!(remote.get().is_err_and(|r| r.contains("remote")));
        let tcp = socket(&inputs(None, true), &accounts);
        assert!(tcp.get().is_err_and(|r| r.contains("not a unix socket")));
        let missing = socket(&inputs(Some(Path::new("/nonexistent/zd/docker.sock")), true), &accounts);
        assert!(missing.get().is_err_and(|r| r.contains("does not exist") && r.contains("mount namespace")));
    }
}
