//! Staff sign-in, sign-out, and the extractors that yield the signed-in staff
//! user: a session counts while its user is active and the session is of the
//! user's current epoch (a new password ends every older session), and a user
//! holding a one-time password reaches only the page that replaces it.

use poem::{
    FromRequest, IntoResponse, Request, RequestBody, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Form, Query, Redirect},
};
use portico_data::{Actor, NewAuditEvent, StaffStatus, StaffUser, StaffUserId, TenantId};
use portico_domain::Email;
use portico_web::{
    AppError, AppState, CurrentTenant, Ui,
    i18n::remember_language,
    observe::request_id,
    signin::{self, Refusal, SignInKind, start_session},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

const SESSION_KEY: &str = "staff";
/// Where a user holding a one-time password chooses its own.
pub(crate) const CHOOSE_PASSWORD: &str = "/admin/password";

/// What the session remembers about a signed-in staff user.
#[derive(Serialize, Deserialize)]
struct StaffPrincipal {
    tenant_id: TenantId,
    user_id: StaffUserId,
    /// The user's session epoch when the session started (0, the first, in
    /// sessions started before epochs existed).
    #[serde(default)]
    epoch: i32,
}

/// Starts (or, after a new password, restarts) `user`'s session in this
/// browser: a new session id and CSRF token, in the user's epoch `epoch`.
pub(crate) fn begin_session(
    session: &Session,
    tenant: &CurrentTenant,
    user: StaffUserId,
    epoch: i32,
) {
    start_session(
        session,
        SESSION_KEY,
        &StaffPrincipal {
            tenant_id: tenant.0.id(),
            user_id: user,
            epoch,
        },
    );
}

/// The signed-in, active staff user of the current tenant, who has chosen its
/// own password. Extraction reloads the user, so a disabled user, or a session
/// older than the user's last password change, is signed out on the next
/// request. Without one, the browser is sent to the sign-in page; a user who
/// still holds a one-time password is sent to choose its own.
pub struct SignedInStaff {
    pub user: StaffUser,
    pub tenant: CurrentTenant,
}

impl<'a> FromRequest<'a> for SignedInStaff {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let staff = session_staff(req, body).await?;
        if staff.user.must_change_password {
            return Err(poem::Error::from_response(
                Redirect::see_other(CHOOSE_PASSWORD).into_response(),
            ));
        }
        Ok(staff)
    }
}

/// A signed-in staff user who may still hold a one-time password: only the
/// page that replaces it takes one.
pub(crate) struct PendingStaff(pub SignedInStaff);

impl<'a> FromRequest<'a> for PendingStaff {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        session_staff(req, body).await.map(PendingStaff)
    }
}

/// The session's user: active, of this tenant, in its current epoch.
async fn session_staff(req: &Request, body: &mut RequestBody) -> poem::Result<SignedInStaff> {
    let tenant = CurrentTenant::from_request(req, body).await?;
    let session = <&Session>::from_request(req, body).await?;
    let state = req
        .data::<AppState>()
        .ok_or(AppError::Internal("application state missing".into()))?;
    let to_sign_in =
        || poem::Error::from_response(Redirect::see_other("/admin/sign-in").into_response());
    let Some(principal) = session.get::<StaffPrincipal>(SESSION_KEY) else {
        return Err(to_sign_in());
    };
    if principal.tenant_id != tenant.0.id() {
        session.purge();
        return Err(to_sign_in());
    }
    let mut tx = state
        .db
        .tenant_tx(&tenant.0)
        .await
        .map_err(AppError::from)?;
    let user = tx
        .staff()
        .find(principal.user_id)
        .await
        .map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    match user {
        Some(user)
            if user.status == StaffStatus::Active && principal.epoch >= user.session_epoch =>
        {
            Ok(SignedInStaff { user, tenant })
        }
        _ => {
            session.purge();
            Err(to_sign_in())
        }
    }
}

fn render_sign_in(
    ui: &Ui,
    email: &str,
    error: Option<String>,
    status: StatusCode,
) -> poem::Result<Response> {
    render_sign_in_with_notice(ui, email, error, None, status)
}

fn render_sign_in_with_notice(
    ui: &Ui,
    email: &str,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> poem::Result<Response> {
    let mut ctx = ui.context();
    ctx.insert("notice", &notice);
    let company = ui
        .tenant
        .as_ref()
        .map(|t| t.name().to_owned())
        .unwrap_or_default();
    ctx.insert(
        "title",
        &ui.lang
            .t_args("admin-sign-in-title", &[("company", company.into())]),
    );
    ctx.insert("email", email);
    ctx.insert("error", &error);
    Ok(ui
        .render("admin/sign_in.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct SignInQuery {
    signed_out: Option<u8>,
}

#[handler]
pub(crate) fn sign_in_page(ui: Ui, Query(query): Query<SignInQuery>) -> poem::Result<Response> {
    let notice = query.signed_out.map(|_| ui.lang.t("signed-out"));
    render_sign_in_with_notice(&ui, "", None, notice, StatusCode::OK)
}

/// Staff of the host's company, as the shared sign-in flow finds and admits them.
struct StaffSignIn<'a> {
    tenant: &'a CurrentTenant,
}

impl SignInKind for StaffSignIn<'_> {
    type Credentials = StaffUser;

    fn scope(&self) -> String {
        format!("staff:{}", self.tenant.0.id())
    }

    fn form(&self, ui: &Ui, refusal: Refusal<'_>) -> poem::Result<Response> {
        render_sign_in(ui, refusal.email, Some(refusal.error), refusal.status)
    }

    async fn find(&self, state: &AppState, email: &Email) -> Result<Option<StaffUser>, AppError> {
        let mut tx = state.db.tenant_tx(&self.tenant.0).await?;
        let user = tx.staff().find_by_email(email).await?;
        tx.commit().await?;
        Ok(user)
    }

    fn password_hash<'c>(&self, user: &'c StaffUser) -> Option<&'c str> {
        (user.status == StaffStatus::Active)
            .then_some(user.password_hash.as_deref())
            .flatten()
    }

    async fn record(
        &self,
        state: &AppState,
        user: &StaffUser,
        request_id: Option<&str>,
    ) -> Result<(), AppError> {
        let mut tx = state.db.tenant_tx(&self.tenant.0).await?;
        tx.staff().touch_sign_in(user.id).await?;
        tx.audit()
            .record(NewAuditEvent {
                actor: Actor::Staff(user.id),
                action: "staff.sign_in",
                subject_kind: "staff_user",
                subject_id: Some(user.id.as_uuid()),
                related_id: None,
                changes: json!({}),
                request_id,
            })
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn arrive(&self, ui: &Ui, session: &Session, user: StaffUser) -> poem::Result<Response> {
        begin_session(session, self.tenant, user.id, user.session_epoch);
        tracing::info!(staff_user = %user.id, "staff signed in");
        let landing = if user.must_change_password {
            CHOOSE_PASSWORD
        } else {
            "/admin"
        };
        let mut resp = Redirect::see_other(landing).into_response();
        if let Some(locale) = user.locale {
            remember_language(&mut resp, locale, ui.state.config.secure_cookies());
        }
        Ok(resp)
    }
}

#[handler]
pub(crate) async fn sign_in(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    session: &Session,
    Form(form): Form<signin::SignInForm>,
) -> poem::Result<Response> {
    let kind = StaffSignIn { tenant: &tenant };
    signin::sign_in(&kind, &ui, req, session, &form.email, &form.password).await
}

#[handler]
pub(crate) async fn sign_out(
    req: &Request,
    ui: Ui,
    tenant: CurrentTenant,
    session: &Session,
) -> poem::Result<Response> {
    let principal = session.get::<StaffPrincipal>(SESSION_KEY);
    // End the session first: a failing audit write must not keep anyone signed in.
    session.purge();
    if let Some(principal) = principal.filter(|p| p.tenant_id == tenant.0.id()) {
        let request_id = request_id(req);
        if let Err(error) = record_sign_out(&ui, &tenant, &principal, request_id).await {
            tracing::error!(%error, "could not audit a staff sign-out");
        }
    }
    Ok(Redirect::see_other("/admin/sign-in?signed_out=1").into_response())
}

async fn record_sign_out(
    ui: &Ui,
    tenant: &CurrentTenant,
    principal: &StaffPrincipal,
    request_id: Option<&str>,
) -> Result<(), portico_data::DataError> {
    let mut tx = ui.state.db.tenant_tx(&tenant.0).await?;
    tx.audit()
        .record(NewAuditEvent {
            actor: Actor::Staff(principal.user_id),
            action: "staff.sign_out",
            subject_kind: "staff_user",
            subject_id: Some(principal.user_id.as_uuid()),
            related_id: None,
            changes: json!({}),
            request_id,
        })
        .await?;
    tx.commit().await
}
