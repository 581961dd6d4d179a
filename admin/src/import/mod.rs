//! Contact import (`/admin/contacts/import`): upload a CSV file, see its dry run
//! (what each line would do, and each line's errors), then run it: every line in
//! one transaction, or nothing. Progress shows while either run works.

mod plan;
mod run;

use chrono::Utc;
use poem::{
    IntoResponse, Response, get, handler,
    http::{StatusCode, header},
    post,
    session::Session,
    web::{Path, Query, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{ContactImport, ImportCounts, ImportRow, ImportState, RowAction};
use portico_domain::contact_csv::Column;
use portico_web::{Access, Routes};
use portico_web::{
    AppError, FormWithFiles, Ui,
    page::{set_flash, set_flash_error},
};
use serde::Deserialize;
use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::{SignedInStaff, paging::PAGE};
use run::{INTERRUPTED, Job, MAX_FILE_BYTES, STALE, file_key, parse, progress};
pub use run::{start_import_sweeper, sweep_interrupted_imports};

pub(crate) fn routes(route: Routes) -> Routes {
    let read = Access::staff(Area::Contacts, Action::Read);
    let write = Access::staff(Area::Contacts, Action::Write);
    route
        .at("/contacts/import", write, get(imports_page).post(upload))
        .at("/contacts/import/template.csv", read, get(template))
        .at("/contacts/import/:id", write, get(import_page))
        .at("/contacts/import/:id/run", write, post(start_run))
        .at("/contacts/import/:id/retry", write, post(retry))
        .at("/contacts/import/:id/delete", write, post(discard))
}

/// Recent imports listed on the upload page.
const RECENT: u64 = 20;

fn counts_json(c: &ImportCounts) -> Json {
    json!({
        "total": c.total, "create": c.creates, "update": c.updates, "link": c.links,
        "unchanged": c.unchanged, "error": c.errors, "writes": c.writes(),
    })
}

/// Whether a run is still working on the import (not merely left "running" by
/// a process that stopped).
fn running(import: &ContactImport) -> bool {
    import.state.running()
        && (progress(import.id).is_some() || Utc::now() - import.updated_at < STALE)
}

/// Whether an import's run stopped with its process (swept, or not yet).
fn interrupted(import: &ContactImport) -> bool {
    (import.state.running() && !running(import)) || import.failure.as_deref() == Some(INTERRUPTED)
}

fn import_json(ui: &Ui, import: &ContactImport) -> Json {
    let state = if interrupted(import) {
        "interrupted"
    } else {
        import.state.as_str()
    };
    json!({
        "id": import.id.to_string(),
        "file_name": import.file_name,
        "created": import.created_at.format("%Y-%m-%d %H:%M").to_string(),
        "state": state,
        "state_label": ui.lang.t(&format!("import-state-{state}")),
        "counts": counts_json(&import.counts),
        "failure": import.failure.as_ref().map(|f| ui.lang.t(f)),
    })
}

async fn render_imports(
    ui: &Ui,
    staff: &SignedInStaff,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Write).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let imports = tx.imports().list(RECENT).await?;
    tx.commit().await?;
    let rows: Vec<Json> = imports.iter().map(|i| import_json(ui, i)).collect();
    let columns: Vec<&str> = Column::all().map(Column::key).collect();
    let mut ctx = staff.page(ui, "contacts").await?;
    ctx.insert("imports", &rows);
    ctx.insert("columns", &columns);
    ctx.insert("max_mb", &(MAX_FILE_BYTES / (1024 * 1024)));
    ctx.insert("max_lines", &run::MAX_LINES);
    ctx.insert("error", &error.map(|e| ui.lang.t(e)));
    Ok(ui
        .render("admin/imports.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET /admin/contacts/import`: the upload form and the recent imports.
#[handler]
async fn imports_page(ui: Ui, staff: SignedInStaff) -> Result<Response, AppError> {
    render_imports(&ui, &staff, None, StatusCode::OK).await
}

/// The upload form carries nothing but its file (and the CSRF token).
#[derive(Deserialize)]
struct UploadForm {}

/// A file name fit to show: its last path part, bounded.
fn shown_name(raw: &str) -> String {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.is_empty() {
        "contactos.csv".into()
    } else {
        name
    }
}

/// `POST /admin/contacts/import`: keeps the file and starts its dry run.
#[handler]
async fn upload(
    ui: Ui,
    staff: SignedInStaff,
    upload: FormWithFiles<UploadForm>,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Write).await?;
    let refuse = |message: &'static str| {
        render_imports(&ui, &staff, Some(message), StatusCode::UNPROCESSABLE_ENTITY)
    };
    let Some(file) = upload.file("file") else {
        return refuse("import-file-required").await;
    };
    if file.bytes.len() > MAX_FILE_BYTES {
        return refuse("import-file-too-large").await;
    }
    // The whole file is read once here, so that an unusable one is refused at once.
    let bytes = file.bytes.clone();
    let parsed = tokio::task::spawn_blocking(move || parse(&bytes).map(drop))
        .await
        .map_err(AppError::internal)?;
    if let Err(message) = parsed {
        return refuse(message).await;
    }
    let tenant = staff.tenant.0.clone();
    let mut tx = ui.state.db.tenant_tx(&tenant).await?;
    let import = tx
        .imports()
        .create(&shown_name(&file.file_name), staff.user.id)
        .await?;
    ui.state
        .files
        .put(&file_key(&tenant, import.id), file.bytes.clone())
        .await
        .map_err(AppError::internal)?;
    tx.commit().await?;
    tokio::spawn(job(&ui, &staff, import.id).await?.check());
    Ok(Redirect::see_other(format!("/admin/contacts/import/{}", import.id)).into_response())
}

async fn job(ui: &Ui, staff: &SignedInStaff, import: Uuid) -> Result<Job, AppError> {
    Ok(Job {
        db: ui.state.db.clone(),
        files: ui.state.files.clone(),
        tenant: staff.tenant.0.clone(),
        import,
        user: staff.user.id,
        role: staff.user.role,
        rule: staff.tenant.0.contact_required(),
        policy: crate::access::policy().await?,
        request_id: ui.request_id.clone(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RowsQuery {
    /// Only the lines doing this (`create`, `update`, `link`, `unchanged`, `error`).
    action: String,
    /// The line after which the page starts.
    after: Option<i32>,
}

fn row_json(ui: &Ui, row: &ImportRow) -> Json {
    let label = |key: &str| ui.lang.t(&format!("label-{key}"));
    let strings = |key: &str| -> Vec<String> {
        row.detail
            .get(key)
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let errors: Vec<String> = row
        .detail
        .get("errors")
        .and_then(Json::as_array)
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    let field = e["field"].as_str().unwrap_or_default();
                    let message = e["message"].as_str().unwrap_or_default();
                    format!("{}: {}", label(field), ui.lang.t(message))
                })
                .collect()
        })
        .unwrap_or_default();
    let fields: Vec<String> = strings("fields").iter().map(|f| label(f)).collect();
    json!({
        "line": row.line,
        "action": row.action.as_str(),
        "action_label": ui.lang.t(&format!("import-action-{}", row.action)),
        "name": row.name,
        "email": row.email,
        "contact_id": row.contact_id.map(|c| c.to_string()),
        "fields": fields,
        "links": strings("links"),
        "errors": errors,
    })
}

/// `GET /admin/contacts/import/{id}`: the import's state, progress, counts and
/// its lines (a page at a time, optionally one action only).
#[handler]
async fn import_page(
    ui: Ui,
    staff: SignedInStaff,
    Path(id): Path<String>,
    Query(query): Query<RowsQuery>,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Write).await?;
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let action: Option<RowAction> = match query.action.as_str() {
        "" => None,
        other => Some(
            other
                .parse()
                .map_err(|_| AppError::BadRequest("error-bad-request-detail"))?,
        ),
    };
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let import = tx.imports().find(id).await?.ok_or(AppError::NotFound)?;
    let mut rows = tx.imports().rows(id, action, query.after, PAGE + 1).await?;
    tx.commit().await?;
    let next = (rows.len() as u64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        let last = rows.last().map_or(0, |r| r.line);
        format!(
            "/admin/contacts/import/{id}?action={}&after={last}",
            query.action
        )
    });
    let is_running = running(&import);
    let done = progress(id);
    let mut ctx = staff.page(&ui, "contacts").await?;
    ctx.insert("import", &import_json(&ui, &import));
    ctx.insert(
        "rows",
        &rows.iter().map(|r| row_json(&ui, r)).collect::<Vec<_>>(),
    );
    ctx.insert("action", &query.action);
    ctx.insert("next", &next);
    ctx.insert("running", &is_running);
    ctx.insert(
        "progress",
        &done.map(|(done, total)| json!({ "done": done, "total": total })),
    );
    ctx.insert(
        "can_run",
        &(import.state == ImportState::Checked
            && import.counts.errors == 0
            && import.counts.writes() > 0),
    );
    ctx.insert("actions", &RowAction::ALL.map(RowAction::as_str));
    let page = ui.render("admin/import.html", &ctx)?.into_response();
    Ok(if is_running {
        // Browsers reload the page until the run is done; no script needed.
        page.with_header(header::REFRESH, "2").into_response()
    } else {
        page
    })
}

/// What starting a run takes: the state it leaves (when the import may start
/// it), the counts it keeps, which run, and the message when it may not.
struct Start {
    from: Option<ImportState>,
    to: ImportState,
    counts: ImportCounts,
    real: bool,
    refused: &'static str,
}

/// Moves an import from `start.from` to `start.to` and spawns the run, or
/// flashes why it may not; back to the import's page either way.
async fn start(
    ui: &Ui,
    staff: &SignedInStaff,
    session: &Session,
    id: &str,
    plan: impl FnOnce(&ContactImport) -> Start,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Write).await?;
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let import = tx.imports().find(id).await?.ok_or(AppError::NotFound)?;
    let start = plan(&import);
    let started = match start.from {
        Some(from) => {
            tx.imports()
                .set_state(id, from, start.to, start.counts, None)
                .await?
        }
        None => false,
    };
    tx.commit().await?;
    match (started, start.real) {
        (true, true) => drop(tokio::spawn(job(ui, staff, id).await?.run())),
        (true, false) => drop(tokio::spawn(job(ui, staff, id).await?.check())),
        (false, _) => set_flash_error(session, start.refused),
    }
    Ok(Redirect::see_other(format!("/admin/contacts/import/{id}")).into_response())
}

/// `POST /admin/contacts/import/{id}/run`: the real run of a clean dry run.
#[handler]
async fn start_run(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    start(&ui, &staff, session, &id, |import| Start {
        from: (import.counts.errors == 0 && import.counts.writes() > 0)
            .then_some(ImportState::Checked),
        to: ImportState::Importing,
        counts: import.counts,
        real: true,
        refused: "import-not-ready",
    })
    .await
}

/// `POST /admin/contacts/import/{id}/retry`: checks the file of an interrupted
/// import again (its dry run; the real run is started from its results).
#[handler]
async fn retry(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    start(&ui, &staff, session, &id, |import| Start {
        from: interrupted(import).then_some(import.state),
        to: ImportState::Checking,
        counts: ImportCounts::default(),
        real: false,
        refused: "import-not-interrupted",
    })
    .await
}

/// `POST /admin/contacts/import/{id}/delete`: forgets an import that is not running.
#[handler]
async fn discard(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Write).await?;
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let tenant = staff.tenant.0.clone();
    let mut tx = ui.state.db.tenant_tx(&tenant).await?;
    let import = tx.imports().find(id).await?.ok_or(AppError::NotFound)?;
    if running(&import) {
        tx.commit().await?;
        set_flash_error(session, "import-still-running");
        return Ok(Redirect::see_other(format!("/admin/contacts/import/{id}")).into_response());
    }
    tx.imports().delete(id).await?;
    tx.commit().await?;
    ui.state.files.remove(&file_key(&tenant, id)).await;
    set_flash(session, "import-discarded");
    Ok(Redirect::see_other("/admin/contacts/import").into_response())
}

/// `GET /admin/contacts/import/template.csv`: the columns, with one example line.
#[handler]
async fn template(staff: SignedInStaff) -> Result<Response, AppError> {
    staff.require(Area::Contacts, Action::Read).await?;
    let example = |c: Column| match c {
        Column::Title => "Lic.",
        Column::FirstName => "Ana",
        Column::LastName => "Peña Reyes",
        Column::Email => "ana.pena@ejemplo.com.do",
        Column::Mobile => "+1 809 555 0142",
        Column::Position => "Gerente de compras",
        Column::City => "Santo Domingo",
        Column::Country => "DO",
        Column::PreferredLanguage => "es",
        Column::EmailOptOut => "no",
        Column::ImportantDates => "Cumpleaños: 1985-04-12",
        _ => "",
    };
    let heading: Vec<&str> = Column::all().map(Column::key).collect();
    let line: Vec<&str> = Column::all().map(example).collect();
    let body = format!("{}\r\n{}\r\n", heading.join(","), line.join(","));
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"plantilla-contactos.csv\"",
        )
        .body(body))
}
