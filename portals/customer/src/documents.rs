//! The Documents area: what the company shares with the customer — the list
//! (newest first, narrowed by the branch selector, keyset-paginated), one
//! document with its earlier versions, and each version's file. Filtered in
//! SQL by the contact's scope; any other id is "not found".

use poem::{
    IntoResponse, Response, handler,
    web::{Path, Query},
};
use portico_data::{DocumentRow, PortalBranch};
use portico_domain::Permission;
use portico_files::FileKey;
use portico_portal::SignedInContact;
use portico_web::{AppError, Ui, download};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::view::{self, ListQuery, PAGE};

/// Refuses (403) a contact whose scope does not grant viewing documents.
fn require(me: &SignedInContact) -> Result<(), AppError> {
    if me.scope.may(Permission::DocumentsView) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn row_json(
    ui: &Ui,
    base: &str,
    account: Uuid,
    visible: &[PortalBranch],
    row: &DocumentRow,
) -> Value {
    json!({
        "id": row.id,
        "href": format!("{base}/documents/{}?account={account}", row.id),
        "download": format!("{base}/documents/{}/versions/{}?account={account}", row.id, row.version),
        "title": row.title,
        "kind": ui.lang.t(&format!("document-kind-{}", row.kind.as_str())),
        "branch": view::branch_name(ui, visible, row.branch_id.map(|b| b.as_uuid())),
        "version": row.version,
        "published_on": view::date(ui, row.published_on),
    })
}

/// `GET {base}/documents`: the documents the contact sees.
#[handler]
pub(crate) async fn list(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    require(&me)?;
    let title = ui.lang.t("portal-area-documents");
    let view::Layout {
        mut ctx,
        visible,
        scope,
        chosen,
    } = view::layout(&ui, &me, "documents", &title, query.branch.as_deref()).await?;
    let mut tx = me.session.tx().await?;
    let mut rows = tx
        .documents()
        .portal_page(&scope, query.after().as_ref(), PAGE + 1)
        .await?;
    tx.commit().await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let path = format!("{base}/documents");
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
        "next",
        &more.then(|| rows.last()).flatten().map(|last| {
            let branch = chosen.map(|b| format!("&branch={b}")).unwrap_or_default();
            format!(
                "{path}?account={account}{branch}&after={}",
                last.cursor().encode()
            )
        }),
    );
    Ok(ui.render("customer/documents.html", &ctx)?.into_response())
}

/// `GET {base}/documents/:id`: one document with its versions.
#[handler]
pub(crate) async fn show(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require(&me)?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut tx = me.session.tx().await?;
    let detail = tx.documents().portal_detail(&me.scope, id).await?;
    tx.commit().await?;
    let detail = detail.ok_or(AppError::NotFound)?;
    let view::Layout {
        mut ctx, visible, ..
    } = view::layout(&ui, &me, "documents", &detail.row.title, None).await?;
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    ctx.insert("doc", &row_json(&ui, base, account, &visible, &detail.row));
    ctx.insert(
        "versions",
        &detail
            .versions
            .iter()
            .map(|v| {
                json!({
                    "version": v.version,
                    "href": format!("{base}/documents/{id}/versions/{}?account={account}", v.version),
                    "file_name": v.file_name,
                    "size": download::size_label(v.size),
                    "published_on": view::date(&ui, v.uploaded_at.date_naive()),
                    "note": v.note,
                    "current": v.version == detail.row.version,
                })
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert("back", &format!("{base}/documents?account={account}"));
    Ok(ui.render("customer/document.html", &ctx)?.into_response())
}

/// `GET {base}/documents/:id/versions/:n`: a version's file.
#[handler]
pub(crate) async fn version_file(
    ui: Ui,
    me: SignedInContact,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, AppError> {
    require(&me)?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let n: i32 = n.trim().parse().map_err(|_| AppError::NotFound)?;
    let mut tx = me.session.tx().await?;
    let version = tx.documents().portal_version(&me.scope, id, n).await?;
    tx.commit().await?;
    let version = version.ok_or(AppError::NotFound)?;
    let key = FileKey::document(me.scope.tenant().as_uuid(), version.file_id);
    let bytes = download::stored(&ui.state, &key).await?;
    Ok(download::respond(
        bytes,
        &version.content_type,
        &version.file_name,
    ))
}
