//! `/api/v1/documents`: documents shared with customers. An ERP creates or
//! updates one by its reference (idempotent), uploads each version's file as
//! the raw body (the same file as the current version adds nothing), reads
//! documents with their versions, downloads any version and deletes.

use bytes::Bytes;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use portico_authz::{Action, Area};
use portico_domain::documents::{DocumentInput, DocumentKind};
use portico_files::FileKey;
use portico_web::{
    AppError,
    documents_json::{DocumentJson, DocumentKindJson, DocumentPage, DocumentSummary, VersionJson},
    download::{self, FileOut},
    text::Text,
};
use uuid::Uuid;

use super::{
    ApiTags, Result,
    auth::Auth,
    sales::{cursor, more},
};
use crate::commands::{
    Issuer,
    documents::{self, Upload},
};

/// A document's description.
#[derive(Debug, Clone, Object)]
pub(crate) struct DocumentBody {
    /// The customer it is shared with.
    pub customer_id: Uuid,
    pub title: Text,
    pub kind: DocumentKindJson,
    /// One of the customer's branches: only contacts who see it see the
    /// document. Absent or `null`: every contact of the customer.
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
    /// The ERP's reference, unique in the company. On `POST /documents`, a
    /// reference already used updates that document instead of creating one.
    #[oai(nullable)]
    pub external_ref: Option<Text>,
}

impl DocumentBody {
    fn input(&self) -> DocumentInput {
        DocumentInput {
            title: self.title.0.clone(),
            kind: DocumentKind::from(self.kind).as_str().to_owned(),
            branch: self.branch_id,
            external_ref: self.external_ref.as_ref().map(|r| r.0.clone()),
        }
    }
}

/// A document created or updated.
#[derive(ApiResponse)]
pub(crate) enum Saved {
    /// The document existed (by its reference) and was updated.
    #[oai(status = 200)]
    Updated(Json<DocumentJson>),
    /// A new document.
    #[oai(status = 201)]
    Created(Json<DocumentJson>),
}

/// A version uploaded.
#[derive(ApiResponse)]
pub(crate) enum VersionSaved {
    /// The file is the current version's already: nothing was added.
    #[oai(status = 200)]
    Same(Json<VersionJson>),
    /// The new current version.
    #[oai(status = 201)]
    Created(Json<VersionJson>),
}

/// A document deleted.
#[derive(ApiResponse)]
pub(crate) enum Deleted {
    /// Done, with every version's file.
    #[oai(status = 204)]
    Deleted,
}

/// Documents shared with customers.
pub(crate) struct DocumentsApi;

async fn one(auth: &Auth, id: Uuid) -> Result<Json<DocumentJson>> {
    let caller = auth.caller();
    caller.require(Area::Sales, Action::Read).await?;
    let mut tx = caller.tx().await?;
    let detail = tx.documents().detail(id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(DocumentJson::from(&detail)))
}

#[OpenApi(tag = "ApiTags::Documents")]
impl DocumentsApi {
    /// Lists documents, newest first.
    #[oai(path = "/documents", method = "get")]
    async fn list_documents(
        &self,
        auth: Auth,
        /// Only this customer's.
        customer_id: Query<Option<Uuid>>,
        /// The `next` value of the previous page.
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<DocumentPage>> {
        let caller = auth.caller();
        caller.require(Area::Sales, Action::Read).await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = caller.tx().await?;
        let mut rows = tx
            .documents()
            .list(customer_id.0.map(Into::into), after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(DocumentPage {
            items: rows.iter().map(DocumentSummary::from).collect(),
            next,
        }))
    }

    /// Creates a document (without a file: upload its versions next). With an
    /// `external_ref` already used, updates that document instead (200): sending
    /// the same description again changes nothing.
    #[oai(path = "/documents", method = "post")]
    async fn create_document(&self, auth: Auth, body: Json<DocumentBody>) -> Result<Saved> {
        let issuer = Issuer::api(auth.caller());
        let input = body.0.input();
        let customer = Some(body.0.customer_id.into());
        let (row, created) = if input.external_ref.is_some() {
            documents::upsert(&issuer, customer, &input).await?
        } else {
            (
                documents::create(&issuer, customer, &input, None).await?,
                true,
            )
        };
        let Json(detail) = one(&auth, row.id).await?;
        Ok(if created {
            Saved::Created(Json(detail))
        } else {
            Saved::Updated(Json(detail))
        })
    }

    /// Reads a document with its versions.
    #[oai(path = "/documents/:id", method = "get")]
    async fn get_document(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<DocumentJson>> {
        one(&auth, id.0).await
    }

    /// Describes a document anew: its customer, title, type, branch and reference.
    #[oai(path = "/documents/:id", method = "put")]
    async fn update_document(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<DocumentBody>,
    ) -> Result<Json<DocumentJson>> {
        let issuer = Issuer::api(auth.caller());
        documents::update(
            &issuer,
            id.0,
            Some(body.0.customer_id.into()),
            &body.0.input(),
        )
        .await?;
        one(&auth, id.0).await
    }

    /// Deletes a document and every version's file, for good.
    #[oai(path = "/documents/:id", method = "delete")]
    async fn delete_document(&self, auth: Auth, id: Path<Uuid>) -> Result<Deleted> {
        documents::delete(&Issuer::api(auth.caller()), id.0).await?;
        Ok(Deleted::Deleted)
    }

    /// Uploads the next version: the file itself as the body (at most 20 MiB;
    /// PDF, PNG, JPEG, Office and OpenDocument files, ZIP, CSV or plain text,
    /// recognised by their bytes). The same file as the current version adds
    /// nothing (200). An unacceptable file answers 422 with `errors` on `file`.
    #[oai(path = "/documents/:id/versions", method = "post")]
    async fn add_version(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        /// The file's name, as people should see it (its extension is set
        /// from its type); `document` when absent.
        #[oai(validator(max_length = 200))]
        file_name: Query<Option<String>>,
        /// What changed in this version.
        #[oai(validator(max_length = 200))]
        note: Query<Option<String>>,
        body: Binary<Bytes>,
    ) -> Result<VersionSaved> {
        let (version, new) = documents::add_version(
            &Issuer::api(auth.caller()),
            id.0,
            Upload {
                file_name: file_name.0.as_deref().unwrap_or("document"),
                bytes: body.0,
                note: note.0.as_deref(),
            },
        )
        .await?;
        let json = Json(VersionJson::from(&version));
        Ok(if new {
            VersionSaved::Created(json)
        } else {
            VersionSaved::Same(json)
        })
    }

    /// Downloads a version's file.
    #[oai(path = "/documents/:id/versions/:version/file", method = "get")]
    async fn version_file(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        version: Path<i32>,
    ) -> Result<FileOut> {
        let caller = auth.caller();
        caller.require(Area::Sales, Action::Read).await?;
        let mut tx = caller.tx().await?;
        let found = tx.documents().version(id.0, version.0).await?;
        tx.commit().await?;
        let found = found.ok_or(AppError::NotFound)?;
        let key = FileKey::document(caller.tenant.id().as_uuid(), found.file_id);
        let bytes = download::stored(&caller.state, &key).await?;
        Ok(FileOut::named(bytes, &found.file_name))
    }
}
