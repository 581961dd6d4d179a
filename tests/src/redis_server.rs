//! A Redis server of the test's own, for tests that take Redis away: started on
//! a free port without persistence, killed at will, started again on the same port.
//!
//! The server is `PORTICO_TEST_REDIS_SERVER`, else `/usr/bin/redis-server`. Missing,
//! the tests skip, or fail with `PORTICO_TEST_REQUIRE_SERVICES=1`.

use std::{
    io::{BufRead, BufReader},
    os::unix::process::CommandExt,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use crate::{free_port, skip_or_fail};

/// A running `redis-server`; dropping it kills its process group.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
}

/// The server binary, or `None` (skip) when it is not installed.
fn server_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PORTICO_TEST_REDIS_SERVER")
        .map_or_else(|| PathBuf::from("/usr/bin/redis-server"), PathBuf::from);
    if path.is_file() {
        Some(path)
    } else {
        skip_or_fail(&format!(
            "redis-server ({}; set PORTICO_TEST_REDIS_SERVER)",
            path.display()
        ));
        None
    }
}

impl RedisServer {
    /// A server on a free port, or `None` (skip) when redis-server is missing.
    pub fn start() -> Option<Self> {
        let mut server = Self {
            child: None,
            port: free_port(),
        };
        server.run()?;
        Some(server)
    }

    /// The URL the app connects to.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server at once (SIGKILL: no goodbye to its clients), as a
    /// crash or a lost machine would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes the server (SIGSTOP): connections stay open and nothing answers,
    /// as with a stalled host or a network that drops packets.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused server run again (SIGCONT), with its data.
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let child = self.child.as_ref().expect("redis-server is running");
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill {signal} redis-server");
    }

    /// Starts it again on the same port, empty (it keeps nothing on disk).
    pub fn restart(&mut self) {
        self.kill();
        self.run().expect("redis-server was found before");
    }

    /// Spawns the server and waits for its "ready" log line.
    fn run(&mut self) -> Option<()> {
        let binary = server_binary()?;
        let dir = std::env::temp_dir();
        let mut child = Command::new(&binary)
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        // Wait for the ready line, then keep draining the log so the server
        // never blocks on a full pipe.
        let stdout = child.stdout.take().expect("stdout");
        let (ready_tx, ready_rx) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            let mut ready = Some(ready_tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.contains("Ready to accept connections")
                    && let Some(tx) = ready.take()
                {
                    let _ = tx.send(());
                }
            }
        });
        self.child = Some(child);
        if ready_rx.recv_timeout(Duration::from_secs(10)).is_err() {
            self.kill();
            panic!("redis-server did not start on port {}", self.port);
        }
        Some(())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
