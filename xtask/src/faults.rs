//! Faults against a real engine that only a private dockerd of the test's own can stage: the
//! daemon restarted under a running watcher. (A slow or dying engine is staged with the recording
//! proxy in the root package's end-to-end tests.)

use std::time::{Duration, Instant};

use zerodock_engine::collect::watch::{self, WatchConfig, WatchUpdate};
use zerodock_engine::{CollectOptions, Status};

use crate::dockerd::{self, Dockerd};
use crate::remediation::engine_available;
use crate::scenario::Scenarios;

/// The next update that `want` accepts, within `limit` (other updates are skipped).
async fn next_matching(
    updates: &mut tokio::sync::mpsc::Receiver<WatchUpdate>,
    limit: Duration,
    what: &str,
    mut want: impl FnMut(&WatchUpdate) -> bool,
) -> WatchUpdate {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, updates.recv()).await {
            Ok(Some(update)) if want(&update) => return update,
            Ok(Some(_)) => {}
            Ok(None) => panic!("the watcher ended while waiting for {what}"),
            Err(_) => panic!("no {what} within {}s", limit.as_secs()),
        }
    }
}

#[test]
fn the_watcher_reconnects_after_a_dockerd_restart_and_reports_nothing_new() {
    if !engine_available("the_watcher_reconnects_after_a_dockerd_restart_and_reports_nothing_new") {
        return;
    }
    let sc = Scenarios::load().expect("scenarios.toml");
    let mut cfg = dockerd::Config {
        name: "faults-restart".to_owned(),
        dir: dockerd::base_dir().join("faults-restart"),
        bridge: Some(("zd-faults".to_owned(), "10.213.7.1/24".to_owned())),
        ..Default::default()
    };
    let daemon = Dockerd::start(&cfg).expect("private dockerd");
    let cli = daemon.cli().expect("docker cli");
    sc.build_scratch(&cli, &daemon.dir().join("build")).expect("the scratch image");
    // A failure present before and after the restart: it must not be "new" after the reconnect.
    cli.run(["create", "--privileged", "--name", "zd-fault-privileged", sc.scratch.tag.as_str()])
        .expect("docker create");
    let host = daemon.host();

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let mut restarted: Option<Dockerd> = None;
    runtime.block_on(async {
        let opts = CollectOptions::with_host(Some(&host)).expect("endpoint");
        let (handle, mut updates) = watch::spawn(WatchConfig::new(opts));
        let first = next_matching(&mut updates, Duration::from_secs(120), "a first evaluation", |u| {
            matches!(u, WatchUpdate::Evaluated { .. })
        })
        .await;
        let WatchUpdate::Evaluated { report, .. } = first else { unreachable!() };
        assert_eq!(
            report.check("CTR001").map(|c| c.status),
            Some(Status::Fail),
            "the privileged container fails"
        );

        tokio::task::block_in_place(|| daemon.stop().expect("stop dockerd"));
        next_matching(&mut updates, Duration::from_secs(60), "an engine-down notice", |u| {
            matches!(u, WatchUpdate::EngineDown { .. })
        })
        .await;
        // Stay down long enough for the backoff to reach its cap.
        tokio::time::sleep(Duration::from_secs(8)).await;

        cfg.keep_data = true;
        let again = tokio::task::block_in_place(|| Dockerd::start(&cfg).expect("dockerd starts again"));
        let answering = Instant::now();
        restarted = Some(again);
        let next =
            next_matching(&mut updates, Duration::from_secs(60), "an evaluation after the restart", |u| {
                matches!(u, WatchUpdate::Evaluated { .. })
            })
            .await;
        // A figure, not an assertion (timings are measured, never asserted): the backoff cap is
        // what bounds it (collect::watch, 4 s).
        eprintln!("watcher: next evaluation {:.1?} after the engine answered again", answering.elapsed());
        let WatchUpdate::Evaluated { report, new_failures, .. } = next else { unreachable!() };
        assert_eq!(
            report.check("CTR001").map(|c| c.status),
            Some(Status::Fail),
            "the report is complete again"
        );
        assert!(report.subject.engine.is_some(), "the engine was read");
        assert!(
            new_failures.is_empty(),
            "a reconnect is not news: nothing failed that had not failed before: {new_failures:?}"
        );
        handle.stop();
    });
    if let Some(daemon) = restarted {
        daemon.stop().expect("stop dockerd");
    }
}
