//! The one "mail me a link" flow of every app (a staff password reset; a
//! portal's sign-in link and password reset): the typed email is checked, the
//! request is throttled per email and per client address (counted whether a
//! mail goes out or not, so the page cannot flood an inbox), the token, the mail
//! and its audit are written in one transaction, the mailer is woken after the
//! commit, and the answer is the same whether or not the address has an
//! account, so the page tells nobody who the users are — nor does its timing:
//! every answer after the throttle takes at least [`ANSWER_TIME`], whatever
//! work it did. What differs per kind of link (who may get one, the mail, the
//! pages) is a [`LinkKind`].

use std::{future::Future, time::Duration};

use poem::{Request, Response, http::StatusCode};
use portico_data::{Actor, By, Tenant, TenantTx};
use portico_domain::Email;

use crate::{
    AppError, Ui,
    observe::request_id,
    signin::{Refusal, SignInAttempt, minutes_left, with_retry_after},
};

/// The least time an answer takes once the request passed the throttle, so
/// that mailing a link (a token, a mail, an audit event) and mailing nobody
/// look alike from outside.
pub const ANSWER_TIME: Duration = Duration::from_millis(250);

/// The form that asks for a link: one email.
#[derive(Debug, Default, serde::Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    pub email: String,
}

/// One kind of mailed link.
pub trait LinkKind: Sync {
    /// The throttle's scope (e.g. `staff-mail:<tenant>`): every page that
    /// mails the same people shares one.
    fn scope(&self, tenant: &Tenant) -> String;

    /// The message id of the refusal while throttled (argument `minutes`).
    fn throttled_id(&self) -> &'static str;

    /// The asking form again, refusing a request.
    fn form(&self, ui: &Ui, refusal: Refusal<'_>) -> poem::Result<Response>;

    /// In `tx`: when `email` belongs to someone who may get this link, creates
    /// the token, puts the mail in the outbox and audits the sending. Who was
    /// mailed (for the log), or `None`.
    fn send(
        &self,
        ui: &Ui,
        tx: &mut TenantTx,
        email: &Email,
        by: By<'_>,
    ) -> impl Future<Output = Result<Option<String>, AppError>> + Send;

    /// The answer after a request, the same whether a mail went out or not.
    fn answer(&self, ui: &Ui, email: &Email) -> poem::Result<Response>;
}

/// Asks for a link of `kind` for the typed `email` in `tenant`: the form again
/// (422 for an invalid email; 429 with `Retry-After` while throttled) or
/// [`LinkKind::answer`].
pub async fn mail_link<K: LinkKind>(
    kind: &K,
    ui: &Ui,
    req: &Request,
    tenant: &Tenant,
    email: &str,
) -> poem::Result<Response> {
    let state = &ui.state;
    let Ok(parsed) = Email::parse(email) else {
        let refusal = Refusal {
            email,
            error: ui.lang.t("sign-in-email-invalid"),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        };
        return kind.form(ui, refusal);
    };
    let attempt = SignInAttempt::new(&kind.scope(tenant), parsed.as_str(), req);
    if let Err(locked) = attempt.check(state).await? {
        let refusal = Refusal {
            email: parsed.as_str(),
            error: ui.lang.t_args(
                kind.throttled_id(),
                &[("minutes", minutes_left(locked).into())],
            ),
            status: StatusCode::TOO_MANY_REQUESTS,
        };
        let resp = kind.form(ui, refusal)?;
        return Ok(with_retry_after(resp, locked.retry_after));
    }
    // Every request counts, whether it mails anyone or not.
    attempt.failed(state).await?;
    let answer_at = tokio::time::Instant::now() + ANSWER_TIME;
    let by = By {
        actor: Actor::System,
        request_id: request_id(req),
    };
    let mut tx = state.db.tenant_tx(tenant).await.map_err(AppError::from)?;
    let sent = kind.send(ui, &mut tx, &parsed, by).await?;
    tx.commit().await.map_err(AppError::from)?;
    match sent {
        Some(to) => {
            state.mail.kick(tenant);
            tracing::info!(%to, scope = %kind.scope(tenant), "link mailed");
        }
        None => tracing::info!(scope = %kind.scope(tenant), "link asked for; none mailed"),
    }
    tokio::time::sleep_until(answer_at).await;
    kind.answer(ui, &parsed)
}
