//! Operator sign-in and sign-out, and the extractor for the signed-in operator.

use poem::{
    FromRequest, IntoResponse, Request, RequestBody, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Form, Redirect},
};
use portico_auth::verify_password;
use portico_data::OperatorId;
use portico_domain::Email;
use portico_web::{
    AppError, AppState, Ui,
    signin::{SignInAttempt, minutes_left, start_session},
};
use serde::{Deserialize, Serialize};

const SESSION_KEY: &str = "operator";

/// The signed-in operator, re-checked against the registry on every request.
#[derive(Serialize, Deserialize)]
pub struct SignedInOperator {
    pub id: OperatorId,
    pub email: String,
    pub name: String,
}

impl<'a> FromRequest<'a> for SignedInOperator {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let session = <&Session>::from_request(req, body).await?;
        let state = req
            .data::<AppState>()
            .ok_or(AppError::Internal("application state missing".into()))?;
        let to_sign_in =
            || poem::Error::from_response(Redirect::see_other("/sign-in").into_response());
        let Some(principal) = session.get::<SignedInOperator>(SESSION_KEY) else {
            return Err(to_sign_in());
        };
        let email = Email::parse(&principal.email).map_err(|_| to_sign_in())?;
        let mut tx = state.db.platform_tx().await.map_err(AppError::from)?;
        let operator = tx
            .find_operator_by_email(&email)
            .await
            .map_err(AppError::from)?;
        tx.commit().await.map_err(AppError::from)?;
        match operator {
            Some(operator) if operator.id == principal.id => Ok(principal),
            _ => {
                session.purge();
                Err(to_sign_in())
            }
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

fn render(
    ui: &Ui,
    email: &str,
    error: Option<String>,
    status: StatusCode,
) -> poem::Result<Response> {
    let mut ctx = ui.context();
    ctx.insert("email", email);
    ctx.insert("error", &error);
    Ok(ui
        .render("operator/sign_in.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[handler]
pub(crate) fn sign_in_page(ui: Ui) -> poem::Result<Response> {
    render(&ui, "", None, StatusCode::OK)
}

#[handler]
pub(crate) async fn sign_in(
    ui: Ui,
    req: &Request,
    session: &Session,
    Form(form): Form<SignInForm>,
) -> poem::Result<Response> {
    let state = &ui.state;
    let Ok(email) = Email::parse(&form.email) else {
        return render(
            &ui,
            &form.email,
            Some(ui.lang.t("sign-in-email-invalid")),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let attempt = SignInAttempt::new("operator", email.as_str(), req);
    if let Err(locked) = attempt.check(state).await? {
        let message = ui.lang.t_args(
            "sign-in-locked",
            &[("minutes", minutes_left(locked).into())],
        );
        return render(
            &ui,
            &form.email,
            Some(message),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let mut tx = state.db.platform_tx().await.map_err(AppError::from)?;
    let operator = tx
        .find_operator_by_email(&email)
        .await
        .map_err(AppError::from)?;
    // Verify with no transaction open (argon2 is slow).
    tx.commit().await.map_err(AppError::from)?;
    let valid = verify_password(
        &form.password,
        operator.as_ref().map(|o| o.password_hash.as_str()),
    )
    .await;
    let Some(operator) = operator.filter(|_| valid) else {
        attempt.failed(state).await?;
        tracing::info!("operator sign-in refused");
        return render(
            &ui,
            &form.email,
            Some(ui.lang.t("sign-in-failed")),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let mut tx = state.db.platform_tx().await.map_err(AppError::from)?;
    tx.touch_operator_sign_in(operator.id)
        .await
        .map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    attempt.succeeded(state).await?;
    start_session(
        session,
        SESSION_KEY,
        &SignedInOperator {
            id: operator.id,
            email: operator.email,
            name: operator.name,
        },
    );
    tracing::info!(operator = %operator.id, "operator signed in");
    Ok(Redirect::see_other("/").into_response())
}

#[handler]
pub(crate) fn sign_out(session: &Session) -> Response {
    session.purge();
    Redirect::see_other("/sign-in").into_response()
}
