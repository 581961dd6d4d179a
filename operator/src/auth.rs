//! Operator sign-in (the shared flow of [`portico_web::signin`]) and sign-out, and the extractor for the signed-in operator.

use poem::{
    FromRequest, IntoResponse, Request, RequestBody, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Form, Redirect},
};
use portico_data::{Operator, OperatorId};
use portico_domain::Email;
use portico_web::{
    AppError, AppState, Ui,
    signin::{self, Refusal, SignInKind, start_session},
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
        let mut tx = state.db.operator_tx().await.map_err(AppError::from)?;
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

/// Platform operators, as the shared sign-in flow finds and admits them.
struct OperatorSignIn;

impl SignInKind for OperatorSignIn {
    type Credentials = Operator;

    fn scope(&self) -> String {
        "operator".to_owned()
    }

    fn form(&self, ui: &Ui, refusal: Refusal<'_>) -> poem::Result<Response> {
        render(ui, refusal.email, Some(refusal.error), refusal.status)
    }

    async fn find(&self, state: &AppState, email: &Email) -> Result<Option<Operator>, AppError> {
        let mut tx = state.db.operator_tx().await?;
        let operator = tx.find_operator_by_email(email).await?;
        tx.commit().await?;
        Ok(operator)
    }

    fn password_hash<'c>(&self, operator: &'c Operator) -> Option<&'c str> {
        Some(&operator.password_hash)
    }

    /// Operators have no company audit log: the sign-in time is kept with the
    /// operator.
    async fn record(
        &self,
        state: &AppState,
        operator: &Operator,
        _request_id: Option<&str>,
    ) -> Result<(), AppError> {
        let mut tx = state.db.operator_tx().await?;
        tx.touch_operator_sign_in(operator.id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn arrive(
        &self,
        _ui: &Ui,
        session: &Session,
        operator: Operator,
    ) -> poem::Result<Response> {
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
}

#[handler]
pub(crate) async fn sign_in(
    ui: Ui,
    req: &Request,
    session: &Session,
    Form(form): Form<signin::SignInForm>,
) -> poem::Result<Response> {
    signin::sign_in(
        &OperatorSignIn,
        &ui,
        req,
        session,
        &form.email,
        &form.password,
    )
    .await
}

#[handler]
pub(crate) fn sign_out(session: &Session) -> Response {
    session.purge();
    Redirect::see_other("/sign-in").into_response()
}
