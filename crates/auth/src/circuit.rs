//! A circuit breaker for one remote service: after a run of consecutive
//! failures it opens, refusing every call at once for a cool-down, then lets a
//! single probe through; the probe's success closes it, its failure re-opens it.
//!
//! It turns an outage from "every request waits for a timeout" into "every
//! request is refused in microseconds", and it recovers by itself.

use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

/// What the breaker allows right now.
#[derive(Debug)]
enum State {
    /// Calls go through; `failures` counts the consecutive ones that failed.
    Closed { failures: u32 },
    /// Calls are refused until `until`; then the next one becomes the probe.
    Open { until: Instant },
    /// One probe is out; the others are refused until it answers.
    Probing,
}

/// A circuit breaker; clones share one state.
#[derive(Debug, Clone)]
pub struct Circuit {
    state: Arc<Mutex<State>>,
    threshold: u32,
    cool_down: Duration,
}

/// The circuit is open: the call was not made. Try again after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Open {
    pub retry_after: Duration,
}

/// Leave to make one call; report how it went with [`Pass::succeeded`] or
/// [`Pass::failed`]. A pass dropped unreported (its caller was cancelled)
/// counts as a failure, so an abandoned probe cannot keep the circuit shut.
#[must_use]
pub struct Pass {
    circuit: Circuit,
    probe: bool,
    reported: bool,
}

impl Circuit {
    /// Opens after `threshold` consecutive failures (at least one), for `cool_down`.
    pub fn new(threshold: u32, cool_down: Duration) -> Self {
        Self {
            state: Arc::new(Mutex::new(State::Closed { failures: 0 })),
            threshold: threshold.max(1),
            cool_down,
        }
    }

    /// Whether calls are being refused (open, or a probe is out).
    pub fn is_open(&self) -> bool {
        !matches!(*self.lock(), State::Closed { .. })
    }

    /// A pass for one call, or [`Open`] when the call must not be made.
    pub fn admit(&self) -> Result<Pass, Open> {
        let mut state = self.lock();
        let probe = match *state {
            State::Closed { .. } => false,
            State::Open { until } => {
                let now = Instant::now();
                if now < until {
                    return Err(Open {
                        retry_after: until - now,
                    });
                }
                *state = State::Probing;
                true
            }
            State::Probing => {
                return Err(Open {
                    retry_after: self.cool_down,
                });
            }
        };
        Ok(Pass {
            circuit: self.clone(),
            probe,
            reported: false,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, probe: bool, ok: bool) {
        let mut state = self.lock();
        if ok {
            if probe {
                tracing::info!("Redis answers again: circuit closed");
                *state = State::Closed { failures: 0 };
            } else if matches!(*state, State::Closed { .. }) {
                *state = State::Closed { failures: 0 };
            }
            return;
        }
        let open = match *state {
            _ if probe => true,
            State::Closed { failures } => {
                let failures = failures + 1;
                *state = State::Closed { failures };
                failures >= self.threshold
            }
            // A call admitted before the circuit opened: it is already open.
            State::Open { .. } | State::Probing => false,
        };
        if open {
            if !probe {
                tracing::warn!(
                    cool_down = ?self.cool_down,
                    "Redis failed {} times in a row: circuit open",
                    self.threshold
                );
            }
            *state = State::Open {
                until: Instant::now() + self.cool_down,
            };
        }
    }
}

impl Pass {
    /// The call was answered (the service works, whatever it answered).
    pub fn succeeded(mut self) {
        self.reported = true;
        self.circuit.record(self.probe, true);
    }

    /// The call failed for want of the service (refused, dropped, timed out).
    pub fn failed(mut self) {
        self.reported = true;
        self.circuit.record(self.probe, false);
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        if !self.reported {
            self.circuit.record(self.probe, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_circuit_opens_after_the_threshold_and_refuses_at_once() {
        let circuit = Circuit::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            circuit.admit().expect("closed").failed();
        }
        assert!(!circuit.is_open(), "two failures are not an outage");
        circuit.admit().expect("closed").failed();
        let open = circuit.admit().err().expect("open after three failures");
        assert!(open.retry_after > Duration::from_secs(50));
    }

    #[test]
    fn a_success_resets_the_count_of_failures() {
        let circuit = Circuit::new(2, Duration::from_secs(60));
        circuit.admit().expect("closed").failed();
        circuit.admit().expect("closed").succeeded();
        circuit.admit().expect("closed").failed();
        assert!(circuit.admit().is_ok(), "failures must be consecutive");
    }

    #[test]
    fn after_the_cool_down_one_probe_goes_through_and_its_success_closes_the_circuit() {
        let circuit = Circuit::new(1, Duration::from_millis(20));
        circuit.admit().expect("closed").failed();
        assert!(circuit.admit().is_err());
        std::thread::sleep(Duration::from_millis(30));
        let probe = circuit.admit().expect("the probe");
        assert!(
            circuit.admit().is_err(),
            "only one probe at a time goes through"
        );
        probe.succeeded();
        assert!(!circuit.is_open());
        assert!(circuit.admit().is_ok());
    }

    #[test]
    fn a_failed_or_abandoned_probe_reopens_the_circuit() {
        let circuit = Circuit::new(1, Duration::from_millis(20));
        circuit.admit().expect("closed").failed();
        std::thread::sleep(Duration::from_millis(30));
        circuit.admit().expect("the probe").failed();
        assert!(circuit.admit().is_err(), "a failed probe re-opens");
        std::thread::sleep(Duration::from_millis(30));
        drop(circuit.admit().expect("the next probe"));
        assert!(circuit.admit().is_err(), "an abandoned probe re-opens");
    }
}
