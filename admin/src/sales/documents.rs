//! Documents shared with customers in the back office: the list (of every
//! customer or one), the upload form (a customer picked first), and one
//! document's page — its versions to download, a new version to upload, its
//! description to change, and deleting it. Each change goes through
//! `commands::documents`, as the API's do.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Form, Html, Path, Query, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{Account, AccountId, DocumentDetail, DocumentRow, TenantTx};
use portico_domain::{
    FieldErrors,
    documents::{ACCEPT, DocumentInput, DocumentKind},
    fields::limits,
};
use portico_files::FileKey;
use portico_web::{
    AppError, FormWithFiles, Lang, Ui, download,
    page::{set_flash, set_flash_error},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    ListQuery, PAGE, PickQuery, customer_filter, customer_picks, first_link, next_link, parse_id,
    view::{Names, date},
};
use crate::{
    SignedInStaff,
    accounts::account_json,
    commands::{
        Issuer,
        documents::{self, Upload},
    },
    forms::{Choice, FormBuilder, Group},
};

/// The type choices of the form, in the reader's language.
fn kind_choices(lang: &Lang) -> Vec<Choice> {
    DocumentKind::ALL
        .into_iter()
        .map(|k| Choice::new(k.as_str(), lang.t(&format!("document-kind-{}", k.as_str()))))
        .collect()
}

/// A row as the lists and the customer's Documents tab show it.
pub(crate) fn row_json(lang: &Lang, names: &Names, row: &DocumentRow) -> Value {
    json!({
        "id": row.id,
        "href": format!("/admin/documents/{}", row.id),
        "title": row.title,
        "account_id": row.account_id,
        "kind": lang.t(&format!("document-kind-{}", row.kind.as_str())),
        "customer": names.customer_link(row.account_id.as_uuid()),
        "branch": names.branch_name(lang, row.branch_id.map(|b| b.as_uuid())),
        "version": row.version,
        "published_on": date(lang, row.published_on),
        "external_ref": row.external_ref,
    })
}

/// The names a page of rows shows.
pub(crate) async fn names_of(tx: &mut TenantTx, rows: &[DocumentRow]) -> Result<Names, AppError> {
    Names::of(
        tx,
        rows.iter().map(|r| r.account_id.as_uuid()),
        rows.iter().filter_map(|r| r.branch_id.map(|b| b.as_uuid())),
    )
    .await
}

/// `GET /admin/documents`: documents, 25 a page, optionally of one customer.
#[handler]
pub(super) async fn list(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let after = query.after();
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let customer = customer_filter(&mut tx, query.customer.as_deref()).await?;
    let customer_id = customer.as_ref().map(|c| c.id);
    let mut rows = tx
        .documents()
        .list(customer_id, after.as_ref(), PAGE + 1)
        .await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let names = names_of(&mut tx, &rows).await?;
    tx.commit().await?;
    let mut ctx = staff.page(&ui, "documents").await?;
    let title = match &customer {
        Some(c) => ui.lang.t_args(
            "admin-documents-of",
            &[("customer", c.fields.name.clone().into())],
        ),
        None => ui.lang.t("admin-documents-title"),
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
    ctx.insert(
        "upload_href",
        &match customer_id {
            Some(c) => format!("/admin/documents/new?customer={c}"),
            None => "/admin/documents/new".to_owned(),
        },
    );
    ctx.insert("is_first_page", &after.is_none());
    ctx.insert("first", &first_link("/admin/documents", customer_id));
    ctx.insert(
        "next",
        &next_link(
            "/admin/documents",
            customer_id,
            more.then(|| rows.last().map(DocumentRow::cursor)).flatten(),
        ),
    );
    ui.render("admin/documents.html", &ctx)
}

/// The description form's values, as submitted.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(super) struct DocumentForm {
    #[serde(default)]
    account: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    note: String,
}

impl DocumentForm {
    fn of(row: &DocumentRow) -> Self {
        Self {
            account: row.account_id.to_string(),
            title: row.title.clone(),
            kind: row.kind.as_str().to_owned(),
            branch: row.branch_id.map(|b| b.to_string()).unwrap_or_default(),
            note: String::new(),
        }
    }

    fn account(&self) -> Option<AccountId> {
        self.account.trim().parse().ok()
    }

    /// The description; a branch that does not parse is one no customer has.
    fn input(&self, external_ref: Option<String>) -> DocumentInput {
        let branch = self.branch.trim();
        DocumentInput {
            title: self.title.clone(),
            kind: self.kind.clone(),
            branch: (!branch.is_empty()).then(|| branch.parse().unwrap_or(Uuid::nil())),
            external_ref,
        }
    }
}

/// The description fields: title, type and (for a customer with branches)
/// the branch; with `file`, the file and its note too.
async fn groups(
    tx: &mut TenantTx,
    lang: &Lang,
    account: &Account,
    form: &DocumentForm,
    errors: &FieldErrors,
    file: bool,
) -> Result<Vec<Group>, AppError> {
    let mut builder = FormBuilder::new(lang, form, errors)
        .text("title", limits::TEXT)
        .required()
        .select("kind", kind_choices(lang))
        .required();
    if account.fields.branches_enabled {
        let branches = tx.branches().list(account.id, 500).await?;
        let choices = branches
            .iter()
            .filter(|b| b.active || form.branch == b.id.to_string())
            .map(|b| Choice::new(b.id, b.fields.name.clone()))
            .collect();
        builder = builder
            .select("branch", choices)
            .hint_text(lang.t("document-branch-hint"));
    }
    if file {
        builder = builder
            .file("file", ACCEPT)
            .hint_text(lang.t("document-file-hint"))
            .text("note", limits::TEXT);
    }
    Ok(builder.build())
}

async fn render_new(
    ui: &Ui,
    staff: &SignedInStaff,
    customer: Option<&str>,
    q: &str,
    form: &DocumentForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let customer = customer_filter(&mut tx, customer).await?;
    let mut ctx = staff.page(ui, "documents").await?;
    match &customer {
        Some(account) => {
            let form = DocumentForm {
                account: account.id.to_string(),
                ..form.clone()
            };
            ctx.insert(
                "groups",
                &groups(&mut tx, &ui.lang, account, &form, errors, true).await?,
            );
        }
        None => ctx.insert(
            "picker",
            &customer_picks(&mut tx, q, "/admin/documents/new").await?,
        ),
    }
    tx.commit().await?;
    ctx.insert("title", &ui.lang.t("admin-documents-new"));
    ctx.insert("customer", &customer.as_ref().map(account_json));
    ctx.insert("has_errors", &!errors.is_empty());
    ctx.insert("accept", ACCEPT);
    Ok(ui
        .render("admin/document_new.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET /admin/documents/new`: the upload form of a customer, or the picker.
#[handler]
pub(super) async fn new(
    ui: Ui,
    staff: SignedInStaff,
    Query(query): Query<PickQuery>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Write).await?;
    let form = DocumentForm {
        kind: DocumentKind::Other.as_str().to_owned(),
        ..DocumentForm::default()
    };
    render_new(
        &ui,
        &staff,
        query.customer.as_deref(),
        query.q.as_deref().unwrap_or_default(),
        &form,
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/documents`: creates a document with its first file, or shows
/// the form again with every field's error.
#[handler]
pub(super) async fn create(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    upload: FormWithFiles<DocumentForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Write).await?;
    let form = &upload.form;
    let file = upload.file("file");
    let mut missing = FieldErrors::default();
    if file.is_none() {
        missing.add("file", "field-required");
    }
    let result = match file {
        Some(file) => {
            documents::create(
                &Issuer::staff(&staff, &ui),
                form.account(),
                &form.input(None),
                Some(Upload {
                    file_name: &file.file_name,
                    bytes: file.bytes.clone(),
                    note: Some(&form.note),
                }),
            )
            .await
        }
        None => {
            // Still check the description, to show every error at once.
            match form.input(None).validate() {
                Ok(_) => Err(AppError::Invalid(missing.clone())),
                Err(mut e) => {
                    e.append(missing.clone());
                    Err(AppError::Invalid(e))
                }
            }
        }
    };
    match result {
        Ok(row) => {
            set_flash(session, "document-created");
            Ok(Redirect::see_other(format!("/admin/documents/{}", row.id)).into_response())
        }
        Err(AppError::Invalid(errors)) if errors.get("account").is_none() => {
            render_new(
                &ui,
                &staff,
                Some(&form.account),
                "",
                form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Invalid(_)) => Err(AppError::NotFound),
        Err(other) => Err(other),
    }
}

fn versions_json(lang: &Lang, detail: &DocumentDetail, base: &str) -> Vec<Value> {
    detail
        .versions
        .iter()
        .map(|v| {
            json!({
                "version": v.version,
                "href": format!("{base}/versions/{}", v.version),
                "file_name": v.file_name,
                "size": download::size_label(v.size),
                "uploaded_at": v.uploaded_at.format("%Y-%m-%d %H:%M").to_string(),
                "uploaded_on": date(lang, v.uploaded_at.date_naive()),
                "uploaded_by": v.uploaded_by,
                "note": v.note,
                "current": v.version == detail.row.version,
            })
        })
        .collect()
}

/// Renders a document's page, with the description form's values and errors.
async fn render_show(
    ui: &Ui,
    staff: &SignedInStaff,
    id: Uuid,
    form: Option<&DocumentForm>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let detail = tx.documents().detail(id).await?.ok_or(AppError::NotFound)?;
    let account = tx
        .accounts()
        .find(detail.row.account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let names = names_of(&mut tx, std::slice::from_ref(&detail.row)).await?;
    let may_write = staff.may(Area::Sales, Action::Write).await?;
    let own = DocumentForm::of(&detail.row);
    let form = form.unwrap_or(&own);
    let description = if may_write {
        groups(&mut tx, &ui.lang, &account, form, errors, false).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let base = format!("/admin/documents/{id}");
    let mut ctx = staff.page(ui, "documents").await?;
    ctx.insert("title", &detail.row.title);
    ctx.insert("doc", &row_json(&ui.lang, &names, &detail.row));
    ctx.insert("versions", &versions_json(&ui.lang, &detail, &base));
    ctx.insert("base", &base);
    ctx.insert("may_write", &may_write);
    ctx.insert("groups", &description);
    ctx.insert("has_errors", &!errors.is_empty());
    ctx.insert("version_error", &errors.get("file").map(|e| ui.lang.t(e)));
    ctx.insert("note_error", &errors.get("note").map(|e| ui.lang.t(e)));
    ctx.insert("accept", ACCEPT);
    ctx.insert(
        "portal_visible",
        &(detail.row.version > 0 && account.active),
    );
    Ok(ui
        .render("admin/document.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET /admin/documents/:id`: one document with its versions.
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
        None,
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/documents/:id`: describes the document anew.
#[handler]
pub(super) async fn update(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    Form(form): Form<DocumentForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Write).await?;
    let id = parse_id(&id)?;
    let issuer = Issuer::staff(&staff, &ui);
    let existing = {
        let mut tx = issuer.tx().await?;
        let row = tx.documents().find(id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        row
    };
    // The form changes the description; the customer and reference stay.
    let input = form.input(existing.external_ref.clone());
    match documents::update(&issuer, id, Some(existing.account_id), &input).await {
        Ok(_) => {
            set_flash(session, "document-saved");
            Ok(Redirect::see_other(format!("/admin/documents/{id}")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            render_show(
                &ui,
                &staff,
                id,
                Some(&form),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// The new version form's values.
#[derive(Debug, Default, Deserialize)]
pub(super) struct VersionForm {
    #[serde(default)]
    note: String,
}

/// `POST /admin/documents/:id/versions`: uploads the next version.
#[handler]
pub(super) async fn add_version(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
    upload: FormWithFiles<VersionForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Write).await?;
    let id = parse_id(&id)?;
    let Some(file) = upload.file("file") else {
        let mut errors = FieldErrors::default();
        errors.add("file", "field-required");
        return render_show(
            &ui,
            &staff,
            id,
            None,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let added = documents::add_version(
        &Issuer::staff(&staff, &ui),
        id,
        Upload {
            file_name: &file.file_name,
            bytes: file.bytes.clone(),
            note: Some(&upload.form.note),
        },
    )
    .await;
    match added {
        Ok((_, true)) => set_flash(session, "document-version-added"),
        Ok((_, false)) => set_flash(session, "document-version-same"),
        Err(AppError::Invalid(errors)) => {
            return render_show(
                &ui,
                &staff,
                id,
                None,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(AppError::StateConflict(message)) => set_flash_error(session, message),
        Err(other) => return Err(other),
    }
    Ok(Redirect::see_other(format!("/admin/documents/{id}")).into_response())
}

/// `POST /admin/documents/:id/delete`: deletes the document and its files.
#[handler]
pub(super) async fn delete(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Write).await?;
    let id = parse_id(&id)?;
    let issuer = Issuer::staff(&staff, &ui);
    let account = {
        let mut tx = issuer.tx().await?;
        let row = tx.documents().find(id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        row.account_id
    };
    documents::delete(&issuer, id).await?;
    set_flash(session, "document-deleted");
    Ok(Redirect::see_other(format!("/admin/documents?customer={account}")).into_response())
}

/// `GET /admin/documents/:id/versions/:n`: a version's file.
#[handler]
pub(super) async fn version_file(
    ui: Ui,
    staff: SignedInStaff,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, AppError> {
    staff.require(Area::Sales, Action::Read).await?;
    let id = parse_id(&id)?;
    let n: i32 = n.trim().parse().map_err(|_| AppError::NotFound)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let version = tx.documents().version(id, n).await?;
    tx.commit().await?;
    let version = version.ok_or(AppError::NotFound)?;
    let key = FileKey::document(staff.tenant.0.id().as_uuid(), version.file_id);
    let bytes = download::stored(&ui.state, &key).await?;
    Ok(download::respond(
        bytes,
        &version.content_type,
        &version.file_name,
    ))
}
