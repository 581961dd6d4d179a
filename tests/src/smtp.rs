//! A real SMTP server for the tests: Python's aiosmtpd running
//! `tests/smtp_sink.py`, which keeps every message whole as a file.
//!
//! The Python comes from `PORTICO_TEST_SMTP_PYTHON`, else `<repo>/.venv/bin/python`
//! (`python3 -m venv .venv && .venv/bin/pip install aiosmtpd==1.4.6`; `.ci/run`
//! does it). Missing, or without aiosmtpd, the SMTP tests skip, or fail with
//! `PORTICO_TEST_REQUIRE_SERVICES=1`.

use std::{
    io::{BufRead, BufReader, Read},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, ChildStdin, Command, Stdio},
    sync::{Arc, Mutex, OnceLock, mpsc},
    time::Duration,
};

use crate::skip_or_fail;

/// A running sink; dropping it kills its process group.
pub struct SmtpSink {
    child: Child,
    /// Held open: the sink stops when its standard input closes.
    _stdin: Option<ChildStdin>,
    port: u16,
    dir: tempfile::TempDir,
}

/// A message as the sink received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The bytes of the DATA command, as sent.
    pub raw: Vec<u8>,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// The sink's Python, or `None` (skip) when it is missing or lacks aiosmtpd.
pub fn sink_python() -> Option<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let python = match std::env::var_os("PORTICO_TEST_SMTP_PYTHON") {
            Some(path) => PathBuf::from(path),
            None => repo_root().join(".venv/bin/python"),
        };
        let what = format!(
            "the SMTP sink's Python with aiosmtpd ({}; set PORTICO_TEST_SMTP_PYTHON)",
            python.display()
        );
        let imports = Command::new(&python)
            .args(["-c", "import aiosmtpd.controller"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match imports {
            Ok(status) if status.success() => Ok(python),
            _ => Err(what),
        }
    });
    match found {
        Ok(python) => Some(python.clone()),
        Err(what) => {
            skip_or_fail(what);
            None
        }
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the repository")
        .to_path_buf()
}

impl SmtpSink {
    /// A sink on a free port, or `None` (skip) when Python or aiosmtpd is missing.
    pub fn start() -> Option<Self> {
        Self::start_on(free_port())
    }

    /// A sink on `port` (e.g. again on the port of one that was stopped).
    pub fn start_on(port: u16) -> Option<Self> {
        let python = sink_python()?;
        let dir = tempfile::tempdir().expect("sink directory");
        let mut child = Command::new(&python)
            .arg(repo_root().join("tests/smtp_sink.py"))
            .arg(port.to_string())
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", python.display()));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");

        // The first line says READY; later lines are drained so the sink never
        // blocks (or dies) on a full pipe.
        let (ready_tx, ready_rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = ready_tx.send(first);
            }
            for _ in lines {}
        });
        let errors = Arc::new(Mutex::new(String::new()));
        let errors_in = Arc::clone(&errors);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut all = errors_in.lock().expect("stderr buffer");
                all.push_str(&String::from_utf8_lossy(&buf[..n]));
                if all.len() > 64 * 1024 {
                    let cut = all.floor_char_boundary(all.len() - 32 * 1024);
                    all.drain(..cut);
                }
            }
        });
        let mut sink = SmtpSink {
            child,
            _stdin: stdin,
            port,
            dir,
        };
        match ready_rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) if line == format!("READY {port}") => Some(sink),
            outcome => {
                // Give the process a moment to finish writing why it stopped.
                let _ = sink.child.try_wait();
                std::thread::sleep(Duration::from_millis(200));
                let stderr = errors.lock().expect("stderr buffer").clone();
                if stderr.contains("ModuleNotFoundError") {
                    skip_or_fail(&format!(
                        "aiosmtpd for {} (pip install aiosmtpd==1.4.6): {stderr}",
                        python.display()
                    ));
                    return None;
                }
                panic!("the SMTP sink did not start on port {port} ({outcome:?}): {stderr}");
            }
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL the app sends to (plain SMTP on loopback).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages received so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        let mut numbered: Vec<(u32, PathBuf)> = std::fs::read_dir(self.dir.path())
            .expect("read the sink directory")
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                let n = path
                    .file_name()?
                    .to_str()?
                    .strip_suffix(".eml")?
                    .parse()
                    .ok()?;
                Some((n, path))
            })
            .collect();
        numbered.sort();
        numbered
            .into_iter()
            .map(|(_, eml)| {
                let envelope: serde_json::Value = serde_json::from_slice(
                    &std::fs::read(eml.with_extension("envelope.json")).expect("envelope"),
                )
                .expect("envelope JSON");
                Received {
                    raw: std::fs::read(&eml).expect("message"),
                    mail_from: envelope["mail_from"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    rcpt_tos: envelope["rcpt_tos"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|r| r.as_str().map(str::to_owned))
                        .collect(),
                }
            })
            .collect()
    }

    /// Waits up to `timeout` until `count` messages arrived and returns them all.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the SMTP sink received {} of {count} messages in {timeout:?}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // The sink runs in its own process group: end all of it.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
