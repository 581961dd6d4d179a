//! Timing samples and their summary (mean and percentiles), the memory the
//! process's allocator holds (when the binary counts allocations), and how
//! busy the machine is (load average, CPU time).

use std::time::{Duration, Instant};

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

/// Durations of one operation, one sample per run.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    ns: Vec<u64>,
}

impl Samples {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            ns: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, d: Duration) {
        self.ns.push(d.as_nanos() as u64);
    }

    /// Times `f` once and records it.
    pub fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.push(start.elapsed());
        out
    }

    /// Adds another set's samples to this one.
    pub fn extend(&mut self, other: &Samples) {
        self.ns.extend_from_slice(&other.ns);
    }

    pub fn len(&self) -> usize {
        self.ns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ns.is_empty()
    }

    /// Mean and percentiles, in nanoseconds.
    pub fn summary(&self) -> Summary {
        let mut sorted = self.ns.clone();
        sorted.sort_unstable();
        let at = |q: f64| -> f64 {
            if sorted.is_empty() {
                return 0.0;
            }
            let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
            sorted[i] as f64
        };
        let mean = if sorted.is_empty() {
            0.0
        } else {
            sorted.iter().map(|n| *n as f64).sum::<f64>() / sorted.len() as f64
        };
        Summary {
            n: sorted.len(),
            mean,
            p50: at(0.50),
            p90: at(0.90),
            p95: at(0.95),
            p99: at(0.99),
            max: sorted.last().copied().unwrap_or(0) as f64,
        }
    }
}

/// A summary of [`Samples`], in nanoseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// Nanoseconds for people: `850 ns`, `12.3 µs`, `1.52 ms`.
pub fn human(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1_000_000.0)
    } else {
        format!("{:.2} s", ns / 1_000_000_000.0)
    }
}

/// Bytes for people: `812 B`, `41.3 KiB`, `2.10 MiB`.
pub fn bytes(b: f64) -> String {
    if b.abs() < 1024.0 {
        format!("{b:.0} B")
    } else if b.abs() < 1024.0 * 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else if b.abs() < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2} MiB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.2} GiB", b / (1024.0 * 1024.0 * 1024.0))
    }
}

/// The cost of reading the clock twice (what a sample includes beyond the work).
pub fn timer_overhead() -> Summary {
    let mut samples = Samples::with_capacity(100_000);
    for _ in 0..100_000 {
        samples.time(|| ());
    }
    samples.summary()
}

/// The counting allocator a benchmark binary installs with
/// `#[global_allocator] static A: &StatsAlloc<System> = &portico_bench::measure::ALLOCATOR;`.
pub static ALLOCATOR: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// What the allocator handed out and took back since a [`Heap::mark`].
#[derive(Debug, Clone, Copy, Default)]
pub struct HeapChange {
    /// Bytes still held (allocated − freed, reallocations included).
    pub retained: i64,
    /// Allocations made (whether freed since or not).
    pub allocations: usize,
}

/// A point to measure heap changes from.
pub struct Heap(Region<'static, std::alloc::System>);

impl std::fmt::Debug for Heap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Heap")
    }
}

impl Heap {
    /// Starts counting now; `None` when this binary does not count allocations.
    pub fn mark() -> Option<Self> {
        let region = Region::new(ALLOCATOR);
        let probe = std::hint::black_box(vec![0u8; 64]);
        drop(probe);
        (region.change().allocations > 0).then(|| {
            let mut region = region;
            region.reset();
            Heap(region)
        })
    }

    pub fn change(&self) -> HeapChange {
        let s = self.0.change();
        HeapChange {
            retained: s.bytes_allocated as i64 - s.bytes_deallocated as i64
                + s.bytes_reallocated as i64,
            allocations: s.allocations,
        }
    }
}

/// The CPUs' busy and total time so far (`/proc/stat`, in ticks).
#[derive(Debug, Clone, Copy)]
pub struct CpuTicks {
    busy: u64,
    total: u64,
}

impl CpuTicks {
    pub fn now() -> Self {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        let total: u64 = fields.iter().take(8).sum();
        // idle and iowait
        let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
        Self {
            busy: total - idle,
            total,
        }
    }

    /// The share of all the CPUs' time that was busy since `self` (0 to 1).
    pub fn busy_since(&self) -> f64 {
        let end = Self::now();
        let total = end.total.saturating_sub(self.total);
        if total == 0 {
            0.0
        } else {
            end.busy.saturating_sub(self.busy) as f64 / total as f64
        }
    }
}

/// The load average over the last minute (how busy the machine was).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// The process's resident set size, in bytes (Linux), for a cross-check.
pub fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
