//! The two load generators of the portal benchmark and what they report:
//! `wrk` against the app over HTTP, `pgbench` against PostgreSQL with the
//! same SQL; and the wait for a quiet machine before each measurement.

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{Context, bail, ensure};

use crate::measure::CpuTicks;

/// What `wrk --latency` reported for one run.
#[derive(Debug, Clone, Default)]
pub struct Http {
    pub requests: u64,
    pub per_second: f64,
    /// Milliseconds.
    pub p50: f64,
    pub p99: f64,
    /// Answers other than 2xx/3xx, and socket errors (timeouts included).
    pub errors: u64,
    /// How long the run took (more than asked when an answer was waited for).
    pub seconds: f64,
    /// The share of the machine's CPU time that was busy meanwhile (0 to 1).
    pub cpu_busy: f64,
}

/// What `pgbench` reported for one run.
#[derive(Debug, Clone, Default)]
pub struct Pgbench {
    pub transactions: u64,
    pub per_second: f64,
    /// Milliseconds: pgbench's average, and percentiles from its per-transaction log.
    pub average: f64,
    pub p50: f64,
    pub p99: f64,
    /// The share of the machine's CPU time that was busy meanwhile (0 to 1).
    pub cpu_busy: f64,
}

/// How a load generator reaches its target.
#[derive(Debug, Clone)]
pub struct Target {
    pub connections: usize,
    pub seconds: u64,
}

impl Target {
    /// Threads: two (the machine's cores), never more than the connections.
    pub fn threads(&self) -> usize {
        self.connections.clamp(1, 2)
    }
}

fn run(command: &mut Command) -> anyhow::Result<String> {
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}\n{stdout}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(format!(
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// `1.23ms`, `850.00us`, `1.02s` in milliseconds.
fn wrk_duration(text: &str) -> anyhow::Result<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        bail!("a duration without unit: {text}")
    };
    Ok(number.parse::<f64>()? * factor)
}

/// Reads wrk's `--latency` report.
pub fn parse_wrk(text: &str) -> anyhow::Result<Http> {
    let mut http = Http::default();
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", v] => http.p50 = wrk_duration(v)?,
            ["99%", v] => http.p99 = wrk_duration(v)?,
            ["Requests/sec:", v] => http.per_second = v.parse()?,
            [n, "requests", "in", took, ..] => {
                http.requests = n.parse()?;
                http.seconds = wrk_duration(took.trim_end_matches(','))? / 1000.0;
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => http.errors += n.parse::<u64>()?,
            ["Socket", "errors:", rest @ ..] => {
                http.errors += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    ensure!(
        http.requests > 0 && http.p99 > 0.0,
        "no latency distribution in wrk's report:\n{text}"
    );
    Ok(http)
}

/// Runs `wrk` against `url` with the headers given; an error answer or a
/// timeout is counted, not fatal.
pub fn wrk(target: &Target, url: &str, headers: &[(&str, &str)]) -> anyhow::Result<Http> {
    let mut command = Command::new("wrk");
    command
        .arg(format!("-t{}", target.threads()))
        .arg(format!("-c{}", target.connections))
        .arg(format!("-d{}s", target.seconds))
        .args(["--latency", "--timeout", "10s"]);
    for (name, value) in headers {
        command.arg("-H").arg(format!("{name}: {value}"));
    }
    command.arg(url);
    let cpu = CpuTicks::now();
    let text = run(&mut command)?;
    let cpu_busy = cpu.busy_since();
    Ok(Http {
        cpu_busy,
        ..parse_wrk(&text)?
    })
}

/// How pgbench connects: host, port, user, database, password.
#[derive(Debug, Clone)]
pub struct PgTarget {
    pub program: String,
    pub url: url::Url,
}

impl PgTarget {
    fn command(&self) -> anyhow::Result<Command> {
        let mut command = Command::new(&self.program);
        command
            .arg("-h")
            .arg(self.url.host_str().context("a host in the URL")?)
            .arg("-p")
            .arg(self.url.port().unwrap_or(5432).to_string())
            .arg("-U")
            .arg(self.url.username());
        if let Some(password) = self.url.password() {
            command.env("PGPASSWORD", password);
        }
        Ok(command)
    }

    fn database(&self) -> &str {
        self.url.path().trim_start_matches('/')
    }
}

/// The `x` of a pgbench line `label = x …`.
fn pgbench_value(text: &str, label: &str) -> anyhow::Result<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(label)?.split_whitespace().next())
        .with_context(|| format!("no {label:?} in pgbench's report:\n{text}"))?
        .parse::<f64>()
        .map_err(Into::into)
}

/// Runs `script` (with `vars`) with pgbench, prepared, logging each
/// transaction's latency into `dir` for the percentiles.
pub fn pgbench(
    pg: &PgTarget,
    target: &Target,
    script: &Path,
    vars: &[(String, String)],
    dir: &Path,
) -> anyhow::Result<Pgbench> {
    let logs = dir.join(format!("pgbench-{}", target.connections));
    std::fs::create_dir_all(&logs)?;
    for old in std::fs::read_dir(&logs)? {
        std::fs::remove_file(old?.path())?;
    }
    let mut command = pg.command()?;
    command
        .args(["-n", "-M", "prepared"])
        .arg(format!("-c{}", target.connections))
        .arg(format!("-j{}", target.threads()))
        .arg(format!("-T{}", target.seconds))
        .arg("-f")
        .arg(script)
        .arg("-l")
        .arg(format!("--log-prefix={}", logs.join("tx").display()));
    for (name, value) in vars {
        command.arg("-D").arg(format!("{name}={value}"));
    }
    command.arg(pg.database());
    let cpu = CpuTicks::now();
    let text = run(&mut command)?;
    let cpu_busy = cpu.busy_since();
    let failed = pgbench_value(&text, "number of failed transactions: ").unwrap_or(0.0);
    ensure!(failed == 0.0, "pgbench had failed transactions:\n{text}");
    let mut latencies: Vec<u64> = Vec::new();
    for file in std::fs::read_dir(&logs)? {
        let body = std::fs::read_to_string(file?.path())?;
        latencies.extend(
            body.lines()
                .filter_map(|l| l.split_whitespace().nth(2)?.parse::<u64>().ok()),
        );
    }
    ensure!(!latencies.is_empty(), "pgbench logged no transaction");
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize] as f64 / 1e3;
    Ok(Pgbench {
        transactions: latencies.len() as u64,
        per_second: pgbench_value(&text, "tps = ")?,
        average: pgbench_value(&text, "latency average = ")?,
        p50: at(0.50),
        p99: at(0.99),
        cpu_busy,
    })
}

/// Runs `script` once, to prove it runs (every statement succeeds).
pub fn pgbench_once(pg: &PgTarget, script: &Path, vars: &[(String, String)]) -> anyhow::Result<()> {
    let mut command = pg.command()?;
    command
        .args(["-n", "-M", "prepared", "-t", "1", "-f"])
        .arg(script);
    for (name, value) in vars {
        command.arg("-D").arg(format!("{name}={value}"));
    }
    command.arg(pg.database());
    let text = run(&mut command)?;
    let failed = pgbench_value(&text, "number of failed transactions: ").unwrap_or(0.0);
    ensure!(
        failed == 0.0 && !text.contains("aborted"),
        "the script fails:\n{text}"
    );
    Ok(())
}

/// The version line a tool prints.
pub fn version(program: &str, arg: &str) -> String {
    Command::new(program)
        .arg(arg)
        .output()
        .ok()
        .map(|o| {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            text.lines().next().unwrap_or_default().trim().to_owned()
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The 1-minute load average as a number.
pub fn load() -> f64 {
    crate::measure::load_average().parse().unwrap_or(f64::NAN)
}

/// How the wait for a quiet machine went.
#[derive(Debug, Clone, Copy)]
pub struct Quiet {
    /// The load average when measuring started.
    pub load: f64,
    pub waited: Duration,
    /// The machine never went quiet within the wait: measured anyway.
    pub gave_up: bool,
}

/// Waits until the 1-minute load average is below `below`, polling every
/// 15 s, for at most `at_most`.
pub fn wait_for_quiet(below: f64, at_most: Duration) -> Quiet {
    let started = Instant::now();
    loop {
        let now = load();
        if now < below {
            return Quiet {
                load: now,
                waited: started.elapsed(),
                gave_up: false,
            };
        }
        if started.elapsed() >= at_most {
            return Quiet {
                load: now,
                waited: started.elapsed(),
                gave_up: true,
            };
        }
        eprintln!("    load average {now:.2}: waiting for it to fall below {below}");
        std::thread::sleep(Duration::from_secs(15));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_report_gives_throughput_percentiles_and_errors() {
        let text = "\
Running 20s test @ http://127.0.0.1:18080/portal/api/v1/invoices
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms    1.05ms  30.00ms   90.00%
    Req/Sec     1.90k   100.00     2.10k    70.00%
  Latency Distribution
     50%  850.00us
     75%    2.50ms
     90%    3.00ms
     99%    1.20s
  76000 requests in 20.00s, 1.20GB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   3800.00
Transfer/sec:     61.00MB
";
        let http = parse_wrk(text).unwrap();
        assert_eq!(http.requests, 76_000);
        assert!((http.p50 - 0.85).abs() < 1e-9);
        assert!((http.p99 - 1200.0).abs() < 1e-9);
        assert!((http.per_second - 3800.0).abs() < 1e-9);
        assert_eq!(http.errors, 7);
        assert!((http.seconds - 20.0).abs() < 1e-9);
    }
}
