//! The Service requests area: the contact's requests (newest first, narrowed
//! by the branch selector, keyset-paginated), the form to open one with
//! files, and a request's page — its description, the thread both sides
//! write in, its files, and the form to answer. Filtered in SQL by the
//! contact's scope; any other id is "not found".

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Path, Query},
};
use portico_data::{PortalBranch, RequestRow};
use portico_domain::{FieldErrors, Permission, service::RequestInput};
use portico_files::FileKey;
use portico_portal::SignedInContact;
use portico_web::{
    AppError, FormWithFiles, Ui, attachments, download, page::set_flash_named, service_json,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::requesting::{self, require};
use crate::view::{self, ListQuery, PAGE};

/// A request as lists and its page show it.
pub(crate) fn row_json(
    ui: &Ui,
    base: &str,
    account: Uuid,
    visible: &[PortalBranch],
    row: &RequestRow,
) -> Value {
    json!({
        "id": row.id,
        "href": format!("{base}/service_requests/{}?account={account}", row.id),
        "number": row.number,
        "subject": row.subject,
        "branch": view::branch_name(ui, visible, row.branch_id.map(|b| b.as_uuid())),
        "opened_on": view::date(ui, row.opened_on),
        "status": row.status.as_str(),
        "status_label": ui.lang.t(&format!("service-status-{}", row.status.as_str())),
        "priority": row.priority.as_str(),
        "priority_label": ui.lang.t(&format!("service-priority-{}", row.priority.as_str())),
        "open": row.status.is_open(),
    })
}

/// `GET {base}/service_requests`: the requests the contact sees.
#[handler]
pub(crate) async fn list(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    // The shell lets in whoever holds any grant on the area; the list itself
    // needs `view` (without it the page offers to open a request).
    let viewing = me.scope.may(Permission::ServiceRequestsView);
    let title = ui.lang.t("portal-area-service_requests");
    let view::Layout {
        mut ctx,
        visible,
        scope,
        chosen,
    } = view::layout(
        &ui,
        &me,
        "service_requests",
        &title,
        query.branch.as_deref(),
    )
    .await?;
    let mut rows = Vec::new();
    if viewing {
        let mut tx = me.session.tx().await?;
        rows = tx
            .service_requests()
            .portal_page(&scope, query.after().as_ref(), PAGE + 1)
            .await?;
        tx.commit().await?;
    }
    ctx.insert("viewing", &viewing);
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let path = format!("{base}/service_requests");
    ctx.insert(
        "items",
        &rows
            .iter()
            .map(|r| row_json(&ui, base, account, &visible, r))
            .collect::<Vec<_>>(),
    );
    ctx.insert("list_path", &path);
    ctx.insert("first_href", &format!("{path}?account={account}"));
    ctx.insert("first_page", &query.after.is_some());
    ctx.insert(
        "new_href",
        &me.scope
            .may(Permission::ServiceRequestsCreate)
            .then(|| format!("{path}/new?account={account}")),
    );
    ctx.insert(
        "next",
        &more.then(|| rows.last()).flatten().map(|last| {
            let branch = chosen.map(|b| format!("&branch={b}")).unwrap_or_default();
            format!(
                "{path}?account={account}{branch}&after={}",
                last.cursor().encode()
            )
        }),
    );
    Ok(ui
        .render("customer/service_requests.html", &ctx)?
        .into_response())
}

/// The form's values, as submitted.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct RequestForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    branch: String,
}

impl RequestForm {
    fn input(&self) -> RequestInput {
        let branch = self.branch.trim();
        RequestInput {
            subject: self.subject.clone(),
            description: self.description.clone(),
            priority: self.priority.clone(),
            branch: (!branch.is_empty()).then(|| branch.parse().unwrap_or(Uuid::nil())),
        }
    }
}

async fn new_page(
    ui: &Ui,
    me: &SignedInContact,
    form: &RequestForm,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    let title = ui.lang.t("service-new");
    let view::Layout {
        mut ctx, visible, ..
    } = view::layout(ui, me, "service_requests", &title, None).await?;
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let error = |field: &str| errors.get(field).map(|e| ui.lang.t(e));
    ctx.insert("form", form);
    ctx.insert(
        "field_errors",
        &json!({
            "subject": error("subject"), "description": error("description"),
            "priority": error("priority"), "branch": error("branch"),
            "files": error(attachments::FIELD),
        }),
    );
    ctx.insert("has_errors", &!errors.is_empty());
    ctx.insert(
        "branches",
        &visible
            .iter()
            .map(|b| json!({ "id": b.id, "name": b.name }))
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "priorities",
        &portico_domain::service::Priority::ALL
            .iter()
            .map(|p| {
                json!({ "value": p.as_str(),
                             "label": ui.lang.t(&format!("service-priority-{}", p.as_str())) })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert("accept", portico_domain::documents::ACCEPT);
    ctx.insert(
        "action",
        &format!("{base}/service_requests?account={account}"),
    );
    ctx.insert(
        "back",
        &format!("{base}/service_requests?account={account}"),
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(ui
        .render("customer/service_request_new.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET {base}/service_requests/new`: the form to open a request.
#[handler]
pub(crate) async fn new(ui: Ui, me: SignedInContact) -> Result<Response, AppError> {
    require(&me, Permission::ServiceRequestsCreate)?;
    let form = RequestForm {
        priority: "normal".into(),
        ..RequestForm::default()
    };
    new_page(&ui, &me, &form, &FieldErrors::default()).await
}

/// The files a form uploaded in `files`, as (name, bytes).
fn uploaded<T>(upload: &FormWithFiles<T>) -> Vec<(&str, bytes::Bytes)> {
    upload
        .files
        .iter()
        .filter(|f| f.field == attachments::FIELD)
        .map(|f| (f.file_name.as_str(), f.bytes.clone()))
        .collect()
}

/// `POST {base}/service_requests`: opens a request, or shows the form again
/// with every field's error.
#[handler]
pub(crate) async fn create(
    ui: Ui,
    me: SignedInContact,
    session: &Session,
    upload: FormWithFiles<RequestForm>,
) -> Result<Response, AppError> {
    require(&me, Permission::ServiceRequestsCreate)?;
    let files = uploaded(&upload);
    match requesting::open(&me, &upload.form.input(), &files).await {
        Ok(row) => {
            set_flash_named(session, "service-opened", &row.number);
            let base = me.session.site.base();
            let account = me.scope.account().as_uuid();
            // Its page needs `view`; without it, back to the area.
            let to = if me.scope.may(Permission::ServiceRequestsView) {
                format!("{base}/service_requests/{}?account={account}", row.id)
            } else {
                format!("{base}/service_requests?account={account}")
            };
            Ok(poem::web::Redirect::see_other(to).into_response())
        }
        Err(AppError::Invalid(errors)) => new_page(&ui, &me, &upload.form, &errors).await,
        Err(other) => Err(other),
    }
}

async fn show_page(
    ui: &Ui,
    me: &SignedInContact,
    id: Uuid,
    body: &str,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    require(me, Permission::ServiceRequestsView)?;
    let mut tx = me.session.tx().await?;
    let detail = tx.service_requests().portal_detail(&me.scope, id).await?;
    tx.commit().await?;
    let detail = detail.ok_or(AppError::NotFound)?;
    let title = format!("{} · {}", detail.row.number, detail.row.subject);
    let view::Layout {
        mut ctx, visible, ..
    } = view::layout(ui, me, "service_requests", &title, None).await?;
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let (thread, files) = service_json::thread_view(ui, &detail, |file| {
        format!("{base}/service_requests/{id}/files/{file}?account={account}")
    });
    ctx.insert("doc", &row_json(ui, base, account, &visible, &detail.row));
    ctx.insert("description", &detail.description);
    ctx.insert("opened_by", &detail.row.opened_by);
    ctx.insert("thread", &thread);
    ctx.insert("files", &files);
    ctx.insert(
        "may_write",
        &(me.scope.may(Permission::ServiceRequestsCreate)
            && detail.row.status != portico_domain::service::RequestStatus::Closed),
    );
    ctx.insert("body", body);
    ctx.insert("body_error", &errors.get("body").map(|e| ui.lang.t(e)));
    ctx.insert(
        "files_error",
        &errors.get(attachments::FIELD).map(|e| ui.lang.t(e)),
    );
    ctx.insert("accept", portico_domain::documents::ACCEPT);
    ctx.insert(
        "action",
        &format!("{base}/service_requests/{id}/comments?account={account}"),
    );
    ctx.insert(
        "back",
        &format!("{base}/service_requests?account={account}"),
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(ui
        .render("customer/service_request.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET {base}/service_requests/:id`: one request with its thread.
#[handler]
pub(crate) async fn show(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    show_page(&ui, &me, id, "", &FieldErrors::default()).await
}

/// The answer form's values.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CommentForm {
    #[serde(default)]
    body: String,
}

/// `POST {base}/service_requests/:id/comments`: writes in the thread.
#[handler]
pub(crate) async fn comment(
    ui: Ui,
    me: SignedInContact,
    session: &Session,
    Path(id): Path<String>,
    upload: FormWithFiles<CommentForm>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let files = uploaded(&upload);
    match requesting::comment(&me, id, &upload.form.body, &files).await {
        Ok(row) => {
            set_flash_named(session, "service-commented", &row.number);
            let base = me.session.site.base();
            let account = me.scope.account().as_uuid();
            Ok(poem::web::Redirect::see_other(format!(
                "{base}/service_requests/{id}?account={account}"
            ))
            .into_response())
        }
        Err(AppError::Invalid(errors)) => show_page(&ui, &me, id, &upload.form.body, &errors).await,
        Err(other) => Err(other),
    }
}

/// `GET {base}/service_requests/:id/files/:file`: a file of the request.
#[handler]
pub(crate) async fn attachment(
    ui: Ui,
    me: SignedInContact,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    require(&me, Permission::ServiceRequestsView)?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let file = Uuid::parse_str(&file).map_err(|_| AppError::NotFound)?;
    let mut tx = me.session.tx().await?;
    let found = tx
        .service_requests()
        .portal_attachment(&me.scope, id, file)
        .await?;
    tx.commit().await?;
    let found = found.ok_or(AppError::NotFound)?;
    let key = FileKey::attachment(me.scope.tenant().as_uuid(), found.file_id);
    let bytes = download::stored(&ui.state, &key).await?;
    Ok(download::respond(
        bytes,
        &found.content_type,
        &found.file_name,
    ))
}
