//! Outgoing mail through an outbox.
//!
//! A command that sends mail writes it with [`portico_data::TenantTx::enqueue_mail`]
//! in its own transaction, so the mail exists exactly when the change does. After
//! the commit it calls [`Mailer::kick`]; the dispatcher's worker then claims the
//! tenant's due mail, delivers it through the configured [`Transport`] (`.eml`
//! files in a local folder by default, or SMTP) and records the outcome. A
//! periodic sweep over every tenant delivers what a kick missed and retries
//! failures with exponential backoff ([`RetryPolicy`]) until they succeed or are
//! given up, keeping the last error. Logs name tenants and mail ids, never
//! recipients' addresses or credentials.

mod dispatcher;
mod message;
mod transport;

pub use dispatcher::{Delivery, MailConfig, Mailer, RetryPolicy, parse_from};
pub use lettre::message::Mailbox;
pub use message::build_message;
pub use transport::{SmtpRelay, SmtpSecurity, Transport};

/// What can go wrong setting up or running the dispatcher (a failed delivery is
/// not an error: it is recorded on the mail).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The mail settings are unusable; the message never repeats a credential.
    #[error("{0}")]
    Config(String),
    /// The outbox could not be read or updated.
    #[error("the mail outbox: {0}")]
    Data(#[from] portico_data::DataError),
}
