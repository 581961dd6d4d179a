//! Service requests in the back office: every customer's (or one's), the
//! open ones first by default, newest first; and one request's page — its
//! description, the thread with the customer, its files, the time the
//! company took to answer first — where staff answer, send files and move
//! it between states; and the form that opens one on a customer's behalf (a
//! call to the help desk), a customer picked first. Changes go through
//! `commands::service`, as the API's do.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Html, Path, Query, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{DateCursor, RequestRow};
use portico_domain::{
    FieldErrors,
    documents::ACCEPT,
    fields::limits,
    service::{CommentInput, Priority, RequestInput, RequestStatus},
};
use portico_files::FileKey;
use portico_web::{
    AppError, FormWithFiles, Lang, Ui, attachments, download,
    page::{set_flash_error, set_flash_named},
    service_json,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    PAGE, PickQuery, customer_filter, customer_picks, parse_id,
    view::{Names, date},
};
use crate::{
    SignedInStaff,
    accounts::account_json,
    commands::{Issuer, service},
    forms::{Choice, FormBuilder},
};

/// The time to a first answer as people read it: `45 min`, `3 h 20 min`,
/// `2 d 4 h`.
pub(crate) fn duration(minutes: i64) -> String {
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 60 * 24 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} d {} h", m / (60 * 24), (m / 60) % 24),
    }
}

/// A row as the lists and the customer's tab show it.
pub(crate) fn row_json(lang: &Lang, names: &Names, row: &RequestRow) -> Value {
    json!({
        "id": row.id,
        "href": format!("/admin/service-requests/{}", row.id),
        "number": row.number,
        "subject": row.subject,
        "customer": names.customer_link(row.account_id.as_uuid()),
        "branch": names.branch_name(lang, row.branch_id.map(|b| b.as_uuid())),
        "opened_on": date(lang, row.opened_on),
        "opened_by": row.opened_by,
        "status": row.status.as_str(),
        "status_label": lang.t(&format!("service-status-{}", row.status.as_str())),
        "priority": row.priority.as_str(),
        "priority_label": lang.t(&format!("service-priority-{}", row.priority.as_str())),
        "first_answer": row.minutes_to_first_answer().map(duration),
    })
}

/// The names a page of rows shows.
pub(crate) async fn names_of(
    tx: &mut portico_data::TenantTx,
    rows: &[RequestRow],
) -> Result<Names, AppError> {
    Names::of(
        tx,
        rows.iter().map(|r| r.account_id.as_uuid()),
        rows.iter().filter_map(|r| r.branch_id.map(|b| b.as_uuid())),
    )
    .await
}

/// The list's query: the customer, whether closed ones show, where it continues.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RequestsQuery {
    customer: Option<String>,
    /// `all`: resolved and closed ones too.
    show: Option<String>,
    after: Option<String>,
}

/// `GET /admin/service-requests`: the open requests (or all), 25 a page.
#[handler]
pub(super) async fn list(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<RequestsQuery>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let after = query
        .after
        .as_deref()
        .and_then(|a| DateCursor::decode(a).ok());
    let all = query.show.as_deref() == Some("all");
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let customer = customer_filter(&mut tx, query.customer.as_deref()).await?;
    let customer_id = customer.as_ref().map(|c| c.id);
    let mut rows = tx
        .service_requests()
        .list(customer_id, !all, after.as_ref(), PAGE + 1)
        .await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let names = names_of(&mut tx, &rows).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "service-requests").await?;
    let title = match &customer {
        Some(c) => ui.lang.t_args(
            "admin-service-of",
            &[("customer", c.fields.name.clone().into())],
        ),
        None => ui.lang.t("admin-service-title"),
    };
    let filter = |show_all: bool| {
        let mut params = Vec::new();
        if let Some(c) = customer_id {
            params.push(format!("customer={c}"));
        }
        if show_all {
            params.push("show=all".to_owned());
        }
        params
    };
    let link = |params: Vec<String>| {
        if params.is_empty() {
            "/admin/service-requests".to_owned()
        } else {
            format!("/admin/service-requests?{}", params.join("&"))
        }
    };
    ctx.insert("title", &title);
    ctx.insert("customer", &customer.as_ref().map(account_json));
    ctx.insert(
        "rows",
        &rows
            .iter()
            .map(|r| row_json(&ui.lang, &names, r))
            .collect::<Vec<_>>(),
    );
    ctx.insert("show_customer", &customer.is_none());
    ctx.insert("may_write", &staff.may(Area::Sales, Action::Write).await?);
    ctx.insert("all", &all);
    ctx.insert("open_href", &link(filter(false)));
    ctx.insert("all_href", &link(filter(true)));
    ctx.insert("is_first_page", &after.is_none());
    ctx.insert("first", &link(filter(all)));
    ctx.insert(
        "next",
        &more.then(|| rows.last()).flatten().map(|last| {
            let mut params = filter(all);
            params.push(format!("after={}", last.cursor().encode()));
            link(params)
        }),
    );
    ui.render("admin/service_requests.html", &ctx)
}

async fn render_show(
    ui: &Ui,
    staff: &SignedInStaff,
    id: Uuid,
    form: &AnswerForm,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let detail = tx
        .service_requests()
        .detail(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = names_of(&mut tx, std::slice::from_ref(&detail.row)).await?;
    tx.commit().await?;
    let base = format!("/admin/service-requests/{id}");
    let (thread, files) =
        service_json::thread_view(ui, &detail, |file| format!("{base}/files/{file}"));
    let mut ctx = staff.page(ui, "service-requests").await?;
    ctx.insert(
        "title",
        &format!("{} · {}", detail.row.number, detail.row.subject),
    );
    ctx.insert("doc", &row_json(&ui.lang, &names, &detail.row));
    ctx.insert("description", &detail.description);
    ctx.insert("thread", &thread);
    ctx.insert("files", &files);
    ctx.insert("base", &base);
    ctx.insert("may_write", &staff.may(Area::Sales, Action::Write).await?);
    ctx.insert(
        "statuses",
        &RequestStatus::ALL
            .iter()
            .map(|s| {
                json!({ "value": s.as_str(),
                        "label": ui.lang.t(&format!("service-status-{}", s.as_str())) })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert("body", &form.body);
    ctx.insert("chosen_status", &form.status);
    ctx.insert("has_errors", &!errors.is_empty());
    ctx.insert("body_error", &errors.get("body").map(|e| ui.lang.t(e)));
    ctx.insert("status_error", &errors.get("status").map(|e| ui.lang.t(e)));
    ctx.insert(
        "files_error",
        &errors.get(attachments::FIELD).map(|e| ui.lang.t(e)),
    );
    ctx.insert("accept", portico_domain::documents::ACCEPT);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(ui
        .render("admin/service_request.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET /admin/service-requests/:id`: one request with its thread.
#[handler]
pub(super) async fn show(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    render_show(
        &ui,
        &staff,
        id,
        &AnswerForm::default(),
        &FieldErrors::default(),
    )
    .await
}

/// The answer form's values.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AnswerForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    status: String,
}

/// `POST /admin/service-requests/:id/comments`: answers, sends files, moves
/// the request to another state.
#[handler]
pub(super) async fn answer(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    upload: FormWithFiles<AnswerForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Write).await?;
    let id = parse_id(&id)?;
    let files: Vec<(&str, bytes::Bytes)> = upload
        .files
        .iter()
        .filter(|f| f.field == attachments::FIELD)
        .map(|f| (f.file_name.as_str(), f.bytes.clone()))
        .collect();
    let input = CommentInput {
        body: upload.form.body.clone(),
        status: upload.form.status.clone(),
    };
    match service::answer(&Issuer::staff(&staff, &ui), id, &input, &files).await {
        Ok(row) => set_flash_named(session, "service-commented", &row.number),
        Err(AppError::Invalid(errors)) => {
            return render_show(&ui, &staff, id, &upload.form, &errors).await;
        }
        Err(AppError::StateConflict(message)) => set_flash_error(session, message),
        Err(other) => return Err(other),
    }
    Ok(Redirect::see_other(format!("/admin/service-requests/{id}")).into_response())
}

/// `GET /admin/service-requests/:id/files/:file`: a file of the request.
#[handler]
pub(super) async fn attachment(
    ui: Ui,
    staff: SignedInStaff,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let id = parse_id(&id)?;
    let file = parse_id(&file)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let found = tx.service_requests().attachment(id, file).await?;
    tx.commit().await?;
    let found = found.ok_or(AppError::NotFound)?;
    let key = FileKey::attachment(staff.tenant.0.id().as_uuid(), found.file_id);
    let bytes = download::stored(&ui.state, &key).await?;
    Ok(download::respond(
        bytes,
        &found.content_type,
        &found.file_name,
    ))
}

/// The form that opens a request for a customer.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(super) struct OpenForm {
    #[serde(default)]
    account: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    branch: String,
}

impl OpenForm {
    /// The request; a branch that does not parse is one no customer has.
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

/// The open form of `customer` (its fields, with `errors`), or the picker.
async fn render_new(
    ui: &Ui,
    staff: &SignedInStaff,
    customer: Option<&str>,
    q: &str,
    form: &OpenForm,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let customer = customer_filter(&mut tx, customer).await?;
    let mut ctx = staff.page(ui, "service-requests").await?;
    match &customer {
        Some(account) => {
            let form = OpenForm {
                account: account.id.to_string(),
                priority: Some(form.priority.clone())
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| Priority::Normal.as_str().to_owned()),
                ..form.clone()
            };
            let priorities = Priority::ALL
                .iter()
                .map(|p| {
                    Choice::new(
                        p.as_str(),
                        ui.lang.t(&format!("service-priority-{}", p.as_str())),
                    )
                })
                .collect();
            let mut builder = FormBuilder::new(&ui.lang, &form, errors)
                .text("subject", limits::TEXT)
                .required()
                .textarea("description", limits::LONG_TEXT)
                .required()
                .select("priority", priorities);
            if account.fields.branches_enabled {
                let branches = tx.branches().list(account.id, 500).await?;
                let choices = branches
                    .iter()
                    .filter(|b| b.active)
                    .map(|b| Choice::new(b.id, b.fields.name.clone()))
                    .collect();
                builder = builder
                    .select("branch", choices)
                    .hint_text(ui.lang.t("admin-service-branch-hint"));
            }
            let groups = builder
                .file(attachments::FIELD, ACCEPT)
                .multiple()
                .hint_text(ui.lang.t("service-files-hint"))
                .build();
            ctx.insert("groups", &groups);
        }
        None => ctx.insert(
            "picker",
            &customer_picks(&mut tx, q, "/admin/service-requests/new").await?,
        ),
    }
    tx.commit().await?;
    ctx.insert("title", &ui.lang.t("admin-service-new"));
    ctx.insert("customer", &customer.as_ref().map(account_json));
    ctx.insert("has_errors", &!errors.is_empty());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(ui
        .render("admin/service_request_new.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET /admin/service-requests/new`: the form that opens a request for a
/// customer, or the picker to choose the customer first.
#[handler]
pub(super) async fn new(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<PickQuery>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Write).await?;
    render_new(
        &ui,
        &staff,
        query.customer.as_deref(),
        query.q.as_deref().unwrap_or_default(),
        &OpenForm::default(),
        &FieldErrors::default(),
    )
    .await
}

/// `POST /admin/service-requests`: opens a request for a customer with its
/// files, or shows the form again with every field's error.
#[handler]
pub(super) async fn create(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    upload: FormWithFiles<OpenForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Write).await?;
    let form = &upload.form;
    let files: Vec<(&str, bytes::Bytes)> = upload
        .files
        .iter()
        .filter(|f| f.field == attachments::FIELD)
        .map(|f| (f.file_name.as_str(), f.bytes.clone()))
        .collect();
    let account = form.account.trim().parse().ok();
    match service::open(&Issuer::staff(&staff, &ui), account, &form.input(), &files).await {
        Ok(row) => {
            set_flash_named(session, "service-opened", &row.number);
            Ok(Redirect::see_other(format!("/admin/service-requests/{}", row.id)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let customer = account.map(|a: portico_data::AccountId| a.to_string());
            render_new(&ui, &staff, customer.as_deref(), "", form, &errors).await
        }
        Err(other) => Err(other),
    }
}
