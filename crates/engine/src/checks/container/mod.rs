//! Container runtime checks (CIS Docker Benchmark section 5): how each container, in any state, is
//! configured to run.
//!
//! Every check looks at every container, not only running ones (docker-bench skips stopped ones): a
//! created or exited container is one `docker start` (or a daemon restart, with a restart policy)
//! away from running with exactly this configuration.

use crate::checks::Check;
use crate::checks::prelude::*;
use crate::report::{Snippet, SnippetKind};
use crate::snapshot::Container;

pub(crate) mod apparmor_unconfined;
pub(crate) mod container_cgroup_parent_set;
pub(crate) mod container_runs_as_root;
pub(crate) mod dangerous_capabilities;
pub(crate) mod docker_socket_mounted;
pub(crate) mod host_devices_exposed;
pub(crate) mod host_ipc_namespace;
pub(crate) mod host_network_namespace;
pub(crate) mod host_pid_namespace;
pub(crate) mod host_user_namespace;
pub(crate) mod host_uts_namespace;
pub(crate) mod image_behind_tag;
pub(crate) mod mount_propagation_shared;
pub(crate) mod no_cpu_limit;
pub(crate) mod no_health_check;
pub(crate) mod no_memory_limit;
pub(crate) mod no_new_privileges_unset;
pub(crate) mod no_pids_limit;
pub(crate) mod port_published_all_interfaces;
pub(crate) mod privileged_container;
pub(crate) mod privileged_exec_session;
pub(crate) mod privileged_host_port;
pub(crate) mod published_ports_review;
pub(crate) mod root_exec_session;
pub(crate) mod seccomp_unconfined;
pub(crate) mod selinux_label_missing;
pub(crate) mod sensitive_host_path_mounted;
pub(crate) mod sshd_in_container;
pub(crate) mod stopped_container_sprawl;
pub(crate) mod ulimit_override;
pub(crate) mod unbounded_restart_policy;
pub(crate) mod writable_root_filesystem;

/// This family's checks.
pub(crate) static CHECKS: &[&Check] = &[
    &privileged_container::CHECK,
    &dangerous_capabilities::CHECK,
    &docker_socket_mounted::CHECK,
    &sensitive_host_path_mounted::CHECK,
    &host_network_namespace::CHECK,
    &host_pid_namespace::CHECK,
    &host_ipc_namespace::CHECK,
    &host_uts_namespace::CHECK,
    &seccomp_unconfined::CHECK,
    &apparmor_unconfined::CHECK,
    &no_new_privileges_unset::CHECK,
    &writable_root_filesystem::CHECK,
    &container_runs_as_root::CHECK,
    &no_memory_limit::CHECK,
    &no_cpu_limit::CHECK,
    &no_pids_limit::CHECK,
    &port_published_all_interfaces::CHECK,
    &unbounded_restart_policy::CHECK,
    &no_health_check::CHECK,
    &host_user_namespace::CHECK,
    &host_devices_exposed::CHECK,
    &mount_propagation_shared::CHECK,
    &selinux_label_missing::CHECK,
    &sshd_in_container::CHECK,
    &privileged_host_port::CHECK,
    &published_ports_review::CHECK,
    &ulimit_override::CHECK,
    &privileged_exec_session::CHECK,
    &root_exec_session::CHECK,
    &container_cgroup_parent_set::CHECK,
    &image_behind_tag::CHECK,
    &stopped_container_sprawl::CHECK,
];

/// The host ports a container publishes: the live bindings of a running container (they include
/// `-P`'s ephemeral ports), plus configured bindings of ports it does not publish live (all of
/// them for a stopped container).
pub(crate) fn host_bindings(c: &Container) -> Vec<crate::snapshot::PortBinding> {
    let mut all = c.published_ports.clone();
    let live = |port: &str| c.published_ports.iter().any(|b| b.container_port == port);
    all.extend(c.port_bindings.iter().filter(|b| !live(&b.container_port)).cloned());
    all
}

/// `127.0.0.1:8080->80/tcp` (an empty host address is every interface: `0.0.0.0`).
pub(crate) fn binding_text(b: &crate::snapshot::PortBinding) -> String {
    let ip = if b.host_ip.is_empty() { "0.0.0.0" } else { b.host_ip.as_str() };
    let port = if b.host_port.is_empty() { "(ephemeral)" } else { b.host_port.as_str() };
    format!("{ip}:{port}->{}", b.container_port)
}

/// The `docker exec` sessions dockerd holds for a running container, or the finding that says
/// why they cannot be judged (a stopped container has none: not applicable).
pub(crate) fn exec_sessions<'a>(
    c: &'a Container,
    target: &crate::report::Target,
) -> Result<&'a [crate::snapshot::ExecSession], Box<crate::report::Finding>> {
    use crate::report::Finding;
    if !c.is_running() {
        return Err(Box::new(Finding::not_applicable(
            target.clone(),
            format!("`{}` is not running ({}): it has no exec session", c.name, c.state),
        )));
    }
    match &c.exec_sessions {
        None => Err(Box::new(Finding::unknown(
            target.clone(),
            "this snapshot predates exec sessions (collect it again)",
        ))),
        Some(fact) => fact.get().map(Vec::as_slice).map_err(|reason| {
            Box::new(Finding::unknown(
                target.clone(),
                format!("`{}`'s exec sessions could not be read: {reason}", c.name),
            ))
        }),
    }
}

/// A note for messages about a container that is not running: its configuration still counts,
/// since it applies at the next `docker start`. Empty for a running container.
pub(crate) fn state_note(c: &Container) -> String {
    if c.is_running() {
        String::new()
    } else if c.state == "created" {
        " (created, never started: applies at its first `docker start`)".to_owned()
    } else if c.state.is_empty() {
        " (not running: applies at its next `docker start`)".to_owned()
    } else {
        format!(" ({}: applies at its next `docker start`)", c.state)
    }
}

/// Fixes for a setting that must be *removed*: a `docker run` line without `removed` (plus
/// `flags`, which may be empty) and a compose fragment for the container's service.
pub(crate) fn recreate_without(c: &Container, removed: &str, flags: &str, compose: &str) -> Vec<Snippet> {
    let flags = if flags.is_empty() { String::new() } else { format!("{flags} ") };
    let run = Snippet::new(
        SnippetKind::DockerRun,
        recreate_label(c, &format!("without `{removed}`")),
        format!("docker rm -f {name}\ndocker run -d --name {name} {flags}{}", c.image, name = c.name),
    );
    pick_fixes(c, run, compose_fix(c, compose))
}

/// The binds to take away, as `docker run` flags (`-v SRC:DST …`) and as commented Compose
/// `volumes:` lines, for the recreate snippets of the mount checks.
pub(crate) fn removed_binds<'a>(
    mounts: impl Iterator<Item = &'a crate::snapshot::Mount> + Clone,
) -> (String, String) {
    let run =
        mounts.clone().map(|m| format!("-v {}:{}", m.source, m.destination)).collect::<Vec<_>>().join(" ");
    let compose =
        mounts.map(|m| format!("#   - {}:{}", m.source, m.destination)).collect::<Vec<_>>().join("\n");
    (run, compose)
}

/// A host namespace mode (`HostConfig.NetworkMode`, `PidMode`, `IpcMode`, `UTSMode`, `UsernsMode`)
/// that shares the host's namespace.
pub(crate) fn is_host_mode(mode: &str) -> bool {
    mode == "host"
}

/// Test helper: the container named `name` in a fixture, to derive a documented variant.
///
/// # Panics
/// When the fixture has no such container.
#[cfg(test)]
pub(crate) fn container_mut<'a>(snap: &'a mut crate::snapshot::Snapshot, name: &str) -> &'a mut Container {
    snap.engine
        .ok_mut()
        .and_then(|e| e.containers.ok_mut())
        .and_then(|cs| cs.iter_mut().find(|c| c.name == name))
        .unwrap_or_else(|| panic!("fixture has no container `{name}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_note_is_empty_only_for_live_containers() {
        let mut c = Container { state: "running".to_owned(), ..Container::default() };
        assert_eq!(state_note(&c), "");
        c.state = "created".to_owned();
        assert!(state_note(&c).contains("created"));
    }

    #[test]
    fn recreate_without_names_what_goes() {
        let c = Container { name: "web".to_owned(), image: "nginx:1".to_owned(), ..Container::default() };
        let fixes = recreate_without(&c, "--pid host", "", "pid: \"\"");
        let [run, compose] = fixes.as_slice() else { panic!("{fixes:?}") };
        assert_eq!(run.code, "docker rm -f web\ndocker run -d --name web nginx:1");
        assert!(run.label.contains("--pid host") && run.label.contains("removes the current container"));
        assert!(!run.label.contains("--privileged"));
        assert!(compose.code.contains("web:") && compose.label.starts_with("If you move it to Compose"));
    }

    #[test]
    fn privileged_containers_are_recreated_without_privileged() {
        let c = Container {
            name: "x".to_owned(),
            image: "i".to_owned(),
            privileged: true,
            ..Container::default()
        };
        let fixes = recreate_without(&c, "--device /dev/sda", "", "");
        assert!(fixes[0].label.contains("without `--privileged`"), "{}", fixes[0].label);
        let fixes = recreate_without(&c, "--privileged", "", "");
        assert_eq!(fixes[0].label.matches("--privileged").count(), 1, "{}", fixes[0].label);
    }

    #[test]
    fn compose_containers_get_compose_fixes_only() {
        let mut c =
            Container { name: "app-web-1".to_owned(), image: "nginx:1".to_owned(), ..Container::default() };
        c.labels.insert("com.docker.compose.service".to_owned(), "web".to_owned());
        c.labels.insert(
            "com.docker.compose.project.config_files".to_owned(),
            "/srv/app/compose.yaml,/srv/app/compose.override.yaml".to_owned(),
        );
        let fixes = recreate_without(&c, "--pid host", "", "pid: \"\"");
        assert_eq!(fixes.len(), 2);
        assert_eq!(fixes[0].kind, SnippetKind::Compose);
        assert!(fixes[0].label.contains("/srv/app/compose.yaml") && fixes[0].code.contains("  web:"));
        assert_eq!(fixes[1].kind, SnippetKind::Shell);
        assert_eq!(
            fixes[1].code,
            "docker compose -f /srv/app/compose.yaml -f /srv/app/compose.override.yaml up -d web"
        );
        assert!(fixes.iter().all(|f| !f.code.contains("docker run")));
    }

    /// Compose v1 (Debian's docker-compose 1.29) labels `config_files` relative to the project's
    /// `working_dir`: the fix must name the file absolutely, or it fails anywhere but there.
    #[test]
    fn compose_v1_relative_files_are_resolved_against_the_working_dir() {
        let mut c =
            Container { name: "app_web_1".to_owned(), image: "nginx:1".to_owned(), ..Container::default() };
        c.labels.insert("com.docker.compose.service".to_owned(), "web".to_owned());
        c.labels
            .insert("com.docker.compose.project.config_files".to_owned(), "docker-compose.yml".to_owned());
        c.labels.insert("com.docker.compose.project.working_dir".to_owned(), "/srv/app".to_owned());
        let fixes = recreate_without(&c, "--pid host", "", "pid: \"\"");
        assert!(
            fixes[0].label.contains("In /srv/app/docker-compose.yml, service `web`"),
            "{}",
            fixes[0].label
        );
        assert_eq!(fixes[1].code, "docker compose -f /srv/app/docker-compose.yml up -d web");
        // Absolute paths (Compose v2) and a `./` prefix are kept as they are meant.
        c.labels.insert(
            "com.docker.compose.project.config_files".to_owned(),
            "/etc/app/compose.yaml,./override.yml".to_owned(),
        );
        assert_eq!(
            c.compose_files(),
            Some(vec!["/etc/app/compose.yaml".to_owned(), "/srv/app/override.yml".to_owned()])
        );
    }
}
