//! The dispatcher: delivers what the outbox holds, right after a commit when
//! kicked, and on a periodic sweep that retries failures with backoff.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::Utc;
use lettre::message::Mailbox;
use portico_data::{Database, MailId, OutboxMail, Tenant, TenantId};
use tokio::{
    sync::{Notify, watch},
    task::JoinHandle,
};

use crate::{MailError, Transport, message::build_message};

/// When to try a failed mail again, and when to stop.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all (the first included); after the last failure the mail is
    /// given up and keeps its `last_error`.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub first_delay: Duration,
    /// The longest wait between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts over about 4½ hours: 30 s, 1, 2, 4 … minutes, at most 2 hours apart.
    fn default() -> Self {
        Self {
            max_attempts: 10,
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(2 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempts`-th failed attempt (1-based).
    pub fn delay_after(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.first_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }
}

/// Everything the dispatcher needs besides the database.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub transport: Transport,
    /// The `From:` of every mail (and the Message-ID's domain).
    pub from: Mailbox,
    pub retry: RetryPolicy,
    /// How often every tenant's outbox is swept for due mail.
    pub sweep_every: Duration,
    /// Mails claimed at a time, per tenant.
    pub batch: u64,
    /// How long a claimed mail waits before another attempt may take it over, in
    /// case the attempt never reports back (a crash).
    pub claim_for: Duration,
}

impl MailConfig {
    /// The defaults: a sweep every 30 s, batches of 10, the default retries.
    pub fn new(transport: Transport, from: Mailbox) -> Self {
        Self {
            transport,
            from,
            retry: RetryPolicy::default(),
            sweep_every: Duration::from_secs(30),
            batch: 10,
            claim_for: Duration::from_secs(10 * 60),
        }
    }
}

/// Reads a sender such as `Portico <no-reply@example.com>` or `no-reply@example.com`.
pub fn parse_from(from: &str) -> Result<Mailbox, MailError> {
    from.parse()
        .map_err(|e| MailError::Config(format!("the sender address (mail_from) is invalid: {e}")))
}

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Delivered mails.
    pub sent: usize,
    /// Failed attempts that will be retried.
    pub retrying: usize,
    /// Mails given up for good in this pass.
    pub given_up: usize,
}

impl Delivery {
    fn add(&mut self, other: Delivery) {
        self.sent += other.sent;
        self.retrying += other.retrying;
        self.given_up += other.given_up;
    }
}

/// The handle on the dispatcher: cheap to clone, shared by every request. The
/// background worker ([`Mailer::start`]) stops when the last handle is dropped
/// or on [`Mailer::shutdown`].
#[derive(Clone)]
pub struct Mailer {
    shared: Arc<Shared>,
    stop: Arc<watch::Sender<bool>>,
}

struct Shared {
    db: Database,
    config: MailConfig,
    /// Tenants kicked since the worker last looked.
    kicked: Mutex<HashMap<TenantId, Tenant>>,
    wake: Notify,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Mailer {
    /// A dispatcher over `db`'s outboxes. Nothing runs until [`Mailer::start`];
    /// [`Mailer::deliver_pending`] and [`Mailer::sweep`] work without it.
    pub fn new(db: Database, config: MailConfig) -> Self {
        let (stop, _) = watch::channel(false);
        Self {
            shared: Arc::new(Shared {
                db,
                config,
                kicked: Mutex::default(),
                wake: Notify::new(),
                worker: Mutex::default(),
            }),
            stop: Arc::new(stop),
        }
    }

    /// Where mail goes.
    pub fn transport(&self) -> &Transport {
        &self.shared.config.transport
    }

    /// Starts the background worker (once; later calls do nothing): it sweeps
    /// every outbox at once and then every `sweep_every`, and serves kicks in
    /// between. Needs a Tokio runtime.
    pub fn start(&self) {
        let mut worker = self.shared.worker.lock().unwrap_or_else(|e| e.into_inner());
        if worker.is_some() {
            return;
        }
        tracing::info!(transport = %self.shared.config.transport.describe(), "mail dispatcher started");
        let shared = Arc::clone(&self.shared);
        let stop = self.stop.subscribe();
        *worker = Some(tokio::spawn(run(shared, stop)));
    }

    /// Stops the worker after the pass it is in (waiting at most 30 s).
    pub async fn shutdown(&self) {
        self.stop.send_replace(true);
        let worker = self
            .shared
            .worker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(mut worker) = worker
            && tokio::time::timeout(Duration::from_secs(30), &mut worker)
                .await
                .is_err()
        {
            worker.abort();
        }
    }

    /// Asks the worker to deliver `tenant`'s due mail now. Call it after
    /// committing a transaction that enqueued mail; it never waits and never
    /// fails (without a running worker the next sweep elsewhere delivers it).
    pub fn kick(&self, tenant: &Tenant) {
        self.shared
            .kicked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tenant.id(), tenant.clone());
        self.shared.wake.notify_one();
    }

    /// Delivers `tenant`'s due mail now and says what happened.
    pub async fn deliver_pending(&self, tenant: &Tenant) -> Result<Delivery, MailError> {
        self.shared.deliver_pending(tenant).await
    }

    /// Delivers every tenant's due mail now (what the worker does periodically).
    pub async fn sweep(&self) -> Result<Delivery, MailError> {
        self.shared.sweep().await
    }
}

async fn run(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(shared.config.sweep_every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            () = shared.wake.notified() => {
                let kicked: Vec<Tenant> = shared
                    .kicked
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .drain()
                    .map(|(_, tenant)| tenant)
                    .collect();
                for tenant in kicked {
                    if let Err(error) = shared.deliver_pending(&tenant).await {
                        tracing::warn!(tenant = %tenant.id(), error = %error, "mail delivery pass failed");
                    }
                }
            }
            _ = ticks.tick() => {
                if let Err(error) = shared.sweep().await {
                    tracing::warn!(error = %error, "mail sweep failed");
                }
            }
        }
    }
    tracing::info!("mail dispatcher stopped");
}

impl Shared {
    async fn sweep(&self) -> Result<Delivery, MailError> {
        // Only the companies with mail due; each outbox is then read in a
        // transaction of its own tenant, so row-level security holds throughout.
        let tenants = {
            let mut platform = self.db.platform_tx().await?;
            let tenants = platform.tenants_with_due_mail(Utc::now()).await?;
            platform.commit().await?;
            tenants
        };
        let mut total = Delivery::default();
        for tenant in &tenants {
            match self.deliver_pending(tenant).await {
                Ok(delivery) => total.add(delivery),
                Err(error) => {
                    tracing::warn!(tenant = %tenant.id(), error = %error, "mail delivery pass failed");
                }
            }
        }
        Ok(total)
    }

    async fn deliver_pending(&self, tenant: &Tenant) -> Result<Delivery, MailError> {
        let mut delivery = Delivery::default();
        // Each mail is tried at most once per pass, even when a failure makes it
        // due again at once.
        let mut tried: HashSet<MailId> = HashSet::new();
        loop {
            let claim_until = Utc::now()
                + chrono::Duration::from_std(self.config.claim_for)
                    .unwrap_or(chrono::Duration::minutes(10));
            let mut tx = self.db.tenant_tx(tenant).await?;
            let due = tx.outbox().pending(self.config.batch).await?;
            let full = due.len() as u64 >= self.config.batch;
            let mut claimed = Vec::new();
            for mail in due {
                if tried.insert(mail.id) && tx.outbox().claim(mail.id, claim_until).await? {
                    claimed.push(mail);
                }
            }
            tx.commit().await?;
            if claimed.is_empty() {
                break;
            }
            for mut mail in claimed {
                mail.attempts += 1;
                delivery.add(self.attempt(tenant, &mail).await?);
            }
            if !full {
                break;
            }
        }
        Ok(delivery)
    }

    /// Sends one claimed mail and records the outcome.
    async fn attempt(&self, tenant: &Tenant, mail: &OutboxMail) -> Result<Delivery, MailError> {
        let attempts = u32::try_from(mail.attempts).unwrap_or(u32::MAX);
        let outcome = match build_message(&self.config.from, mail) {
            Ok(message) => self.config.transport.send(mail.id, message).await,
            Err(message) => Err(crate::transport::SendError {
                message,
                permanent: true,
            }),
        };
        let mut tx = self.db.tenant_tx(tenant).await?;
        let delivery = match outcome {
            Ok(()) => {
                tx.outbox().mark_sent(mail.id).await?;
                tracing::info!(tenant = %tenant.id(), mail = %mail.id, attempts, "mail delivered");
                metrics::counter!("mail_delivered_total").increment(1);
                Delivery {
                    sent: 1,
                    ..Delivery::default()
                }
            }
            Err(error) if error.permanent || attempts >= self.config.retry.max_attempts => {
                tx.outbox()
                    .mark_failed(mail.id, &error.message, None)
                    .await?;
                tracing::error!(
                    tenant = %tenant.id(), mail = %mail.id, attempts, error = %error.message,
                    "mail given up"
                );
                metrics::counter!("mail_failures_total", "outcome" => "given_up").increment(1);
                Delivery {
                    given_up: 1,
                    ..Delivery::default()
                }
            }
            Err(error) => {
                let wait = self.config.retry.delay_after(attempts);
                let next = Utc::now()
                    + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(2));
                tx.outbox()
                    .mark_failed(mail.id, &error.message, Some(next))
                    .await?;
                tracing::warn!(
                    tenant = %tenant.id(), mail = %mail.id, attempts, retry_in_s = wait.as_secs(),
                    error = %error.message, "mail delivery failed; will retry"
                );
                metrics::counter!("mail_failures_total", "outcome" => "retrying").increment(1);
                Delivery {
                    retrying: 1,
                    ..Delivery::default()
                }
            }
        };
        tx.commit().await?;
        Ok(delivery)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let waits: Vec<u64> = (1..=10).map(|n| policy.delay_after(n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3840, 7200, 7200]);
        assert_eq!(policy.delay_after(u32::MAX).as_secs(), 7200);
    }
}
