//! What the tray's integration tests share: a private session bus, the scenario's scratch image
//! and a socket client speaking `zerodock_tray::ipc` as the dashboard does.
// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// A private session bus (a real `dbus-daemon`), stopped on drop.
pub struct Bus {
    daemon: Child,
    /// The bus address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

impl Bus {
    /// Starts a session `dbus-daemon` and reads its address.
    pub fn start() -> Bus {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus)");
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().expect("stdout")).read_line(&mut address).expect("bus address");
        Bus { daemon, address: address.trim().to_owned() }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

#[path = "../../../../tests/common/scratch.rs"]
mod scratch;
pub use scratch::scratch_image;

/// A socket client speaking `zerodock_tray::ipc` as the dashboard does.
pub struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    next_id: u64,
}

impl Client {
    /// Connects to the tray's socket; a read that waits `patience` fails the test (a hang).
    pub fn connect(socket: &Path, patience: Duration) -> Client {
        let stream = UnixStream::connect(socket).expect("connect to the tray");
        stream.set_read_timeout(Some(patience)).expect("timeout");
        Client { writer: stream.try_clone().expect("clone"), reader: BufReader::new(stream), next_id: 0 }
    }

    fn line(&mut self) -> Value {
        let mut text = String::new();
        let n = self.reader.read_line(&mut text).expect("a line from the tray (it did not hang)");
        assert!(n > 0, "the tray closed the connection");
        serde_json::from_str(&text).expect("json line")
    }

    /// Sends `request`; returns the states seen before its reply, and the reply's result.
    pub fn ask(&mut self, request: Value) -> (Vec<Value>, Result<Value, Value>) {
        self.next_id += 1;
        let id = self.next_id;
        let line = json!({"id": id, "request": request}).to_string() + "\n";
        self.writer.write_all(line.as_bytes()).expect("send");
        let mut states = Vec::new();
        loop {
            let message = self.line();
            match message["type"].as_str() {
                Some("state") => states.push(message["state"].clone()),
                Some("reply") if message["id"] == id => {
                    let result = &message["result"];
                    return match (result.get("Ok"), result.get("Err")) {
                        (Some(ok), _) => (states, Ok(ok.clone())),
                        (_, Some(err)) => (states, Err(err.clone())),
                        _ => panic!("a reply is Ok or Err: {message}"),
                    };
                }
                _ => {}
            }
        }
    }

    /// Reads until a state satisfies `want` (the tray publishes on its own after events).
    pub fn state_until(&mut self, mut want: impl FnMut(&Value) -> bool) -> Value {
        loop {
            let message = self.line();
            if message["type"] == "state" && want(&message["state"]) {
                return message["state"].clone();
            }
        }
    }
}
