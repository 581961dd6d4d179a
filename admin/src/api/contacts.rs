//! `/api/v1/contacts` and `/api/v1/links`: list with the back office's filters,
//! create, read, replace, archive, restore, history, and links.

use poem_openapi::{
    ApiRequest, ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use portico_authz::{Action, Area};
use portico_data::{Account, Contact, ContactFilter, ContactId, ContactSort, LinkId, TenantTx};
use portico_domain::{ContactInput, FieldErrors, LinkInput, Portal};
use portico_web::AppError;
use uuid::Uuid;

use super::{
    ApiTags, Created, Result,
    auth::{Auth, Caller},
    dto::{
        ContactBody, ContactOut, ContactPage, HistoryOut, Kind, LinkBody, LinkOut, NewContactBody,
        PortalAccessBody, PortalState, decode_cursor, encode_cursor,
    },
};
use crate::{
    commands::{
        Issuer,
        contacts::{self, Added, ContactSubmission, Edit, NewContact, PhotoChange},
        links::{self, AccountRef},
    },
    history::HISTORY,
    photos,
};

/// How a contact list is sorted.
#[derive(Debug, Clone, Copy, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum Sort {
    Name,
    NameDesc,
    Newest,
}

pub(super) async fn load(tx: &mut TenantTx, id: Uuid) -> Result<Contact> {
    Ok(tx
        .contacts()
        .find(ContactId::from(id))
        .await?
        .ok_or(AppError::NotFound)?)
}

async fn with_links(tx: &mut TenantTx, contact: &Contact) -> Result<ContactOut> {
    let links = tx.links().of_contacts(&[contact.id]).await?;
    Ok(ContactOut::new(contact, &links))
}

/// Contacts and their links to customers and suppliers.
pub(crate) struct ContactsApi;

#[OpenApi(tag = "ApiTags::Contacts")]
impl ContactsApi {
    /// Lists contacts with search, filters, sort and keyset pagination.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/contacts", method = "get")]
    async fn list_contacts(
        &self,
        auth: Auth,
        /// Matches names, emails, phone numbers and linked accounts' names and codes.
        q: Query<Option<String>>,
        category: Query<Option<Uuid>>,
        owner: Query<Option<Uuid>>,
        /// Only contacts linked to this customer or supplier.
        account: Query<Option<Uuid>>,
        /// Only contacts linked to a customer, or to a supplier.
        kind: Query<Option<Kind>>,
        opted_out: Query<Option<bool>>,
        /// Only contacts in this state of portal access.
        portal: Query<Option<PortalState>>,
        archived: Query<Option<bool>>,
        sort: Query<Option<Sort>>,
        /// The `next` value of the previous page.
        #[oai(validator(
            pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}:"
        ))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<ContactPage>> {
        let caller = auth.caller();
        caller.require(Area::Contacts, Action::Read).await?;
        let after = decode_cursor(after.0.as_deref())?;
        let limit = limit.0;
        let filter = ContactFilter {
            search: q.0,
            category: category.0,
            owner: owner.0,
            account: account.0.map(Into::into),
            kind: kind.0.map(Into::into),
            opted_out: opted_out.0,
            portal: portal.0.map(Into::into),
            archived: archived.0.unwrap_or(false),
            sort: match sort.0 {
                Some(Sort::NameDesc) => ContactSort::NameDesc,
                Some(Sort::Newest) => ContactSort::Newest,
                _ => ContactSort::Name,
            },
        };
        let mut tx = caller.tx().await?;
        let mut rows = tx
            .contacts()
            .list(&filter, after.as_ref(), limit + 1)
            .await?;
        let next = (rows.len() as u64 > limit).then(|| {
            rows.truncate(limit as usize);
            rows.last().map(|c| encode_cursor(&c.cursor()))
        });
        let ids: Vec<ContactId> = rows.iter().map(|c| c.id).collect();
        let links = tx.links().of_contacts(&ids).await?;
        tx.commit().await?;
        Ok(Json(ContactPage {
            items: rows.iter().map(|c| ContactOut::new(c, &links)).collect(),
            next: next.flatten(),
        }))
    }

    /// Creates a contact, linked to `account_id` when given, with the portal
    /// access asked for in `portal_access` (the company's default role on the
    /// link, and an invitation mailed once it is saved). A taken email answers
    /// 409 with `existing_contact_id`, and nothing is written.
    #[oai(path = "/contacts", method = "post")]
    async fn create_contact(
        &self,
        auth: Auth,
        body: Json<NewContactBody>,
    ) -> Result<Created<ContactOut>> {
        let caller = auth.caller();
        let account = match body.0.account_id {
            Some(id) => {
                let mut tx = caller.tx().await?;
                let account = tx.accounts().find(id.into()).await?;
                tx.commit().await?;
                Some(account.ok_or(AppError::NotFound)?)
            }
            None => None,
        };
        let link = LinkInput {
            link_position: body
                .0
                .link_position
                .clone()
                .map(|t| t.0)
                .unwrap_or_default(),
            is_primary: body.0.is_primary.and_then(|p| p.then(|| "on".to_owned())),
        };
        let portals = PortalAccessBody::portals(body.0.portal_access.as_ref());
        let out = add_contact(caller, account.as_ref(), &body.0.contact, &link, &portals).await?;
        Ok(Created::Created(Json(out)))
    }

    /// Reads a contact with its links.
    #[oai(path = "/contacts/:id", method = "get")]
    async fn get_contact(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<ContactOut>> {
        let caller = auth.caller();
        caller.require(Area::Contacts, Action::Read).await?;
        let mut tx = caller.tx().await?;
        let contact = load(&mut tx, id.0).await?;
        let out = with_links(&mut tx, &contact).await?;
        tx.commit().await?;
        Ok(Json(out))
    }

    /// Replaces a contact's fields (its links are unchanged).
    #[oai(path = "/contacts/:id", method = "put")]
    async fn replace_contact(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ContactBody>,
    ) -> Result<Json<ContactOut>> {
        let caller = auth.caller();
        let fields = ContactInput::from(&body.0)
            .validate(caller.tenant.contact_required())
            .map_err(AppError::Invalid)?;
        let edit = Edit {
            fields: &fields,
            photo: PhotoChange::Keep,
            portals: &[],
        };
        let edited = contacts::update(&Issuer::api(caller), id.0.into(), edit).await?;
        Ok(Json(ContactOut::new(&edited.contact, &edited.links)))
    }

    /// Archives a contact.
    #[oai(path = "/contacts/:id/archive", method = "post")]
    async fn archive_contact(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<ContactOut>> {
        set_archived(auth.caller(), id.0, true).await
    }

    /// Restores an archived contact.
    #[oai(path = "/contacts/:id/restore", method = "post")]
    async fn restore_contact(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<ContactOut>> {
        set_archived(auth.caller(), id.0, false).await
    }

    /// Deletes a contact and its links for good; the history keeps what it was.
    #[oai(path = "/contacts/:id", method = "delete")]
    async fn delete_contact(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<ContactOut>> {
        let issuer = Issuer::api(auth.caller());
        let (contact, links) = contacts::delete(&issuer, id.0.into()).await?;
        Ok(Json(ContactOut::new(&contact, &links)))
    }

    /// A contact's history, newest first: edits, links, archiving.
    #[oai(path = "/contacts/:id/history", method = "get")]
    async fn contact_history(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<Vec<HistoryOut>>> {
        let caller = auth.caller();
        caller.require(Area::Audit, Action::Read).await?;
        let mut tx = caller.tx().await?;
        load(&mut tx, id.0).await?;
        let events = tx.audit().history(id.0, HISTORY).await?;
        tx.commit().await?;
        Ok(Json(events.iter().map(HistoryOut::from).collect()))
    }

    /// Links a contact to a customer or supplier (`account_id` required).
    #[oai(path = "/contacts/:id/links", method = "post")]
    async fn link_contact(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<LinkBody>,
    ) -> Result<Created<LinkOut>> {
        let input = LinkInput::from(&body.0);
        input.validate().map_err(AppError::Invalid)?;
        let account_id = body.0.account_id.ok_or_else(|| {
            let mut errors = FieldErrors::default();
            errors.add("account_id", "field-required");
            AppError::Invalid(errors)
        })?;
        let issuer = Issuer::api(auth.caller());
        let account = AccountRef::Id(account_id.into());
        let (_, link) = links::link(&issuer, id.0.into(), account, &input).await?;
        Ok(Created::Created(Json(LinkOut::from(&link))))
    }

    /// Changes a link's position and primary flag.
    #[oai(path = "/links/:id", method = "put")]
    async fn update_link(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<LinkBody>,
    ) -> Result<Json<LinkOut>> {
        let fields = LinkInput::from(&body.0)
            .validate()
            .map_err(AppError::Invalid)?;
        let issuer = Issuer::api(auth.caller());
        let (_, link) = links::update(&issuer, LinkId::from(id.0), &fields).await?;
        Ok(Json(LinkOut::from(&link)))
    }

    /// Removes a link (the contact and the account stay).
    #[oai(path = "/links/:id", method = "delete")]
    async fn delete_link(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<LinkOut>> {
        let issuer = Issuer::api(auth.caller());
        let link = links::unlink(&issuer, LinkId::from(id.0)).await?;
        Ok(Json(LinkOut::from(&link)))
    }

    /// Sets a contact's photo from the raw image (JPEG, PNG or WebP, at most
    /// 5 MiB). It is stored re-encoded as JPEG, without metadata, with a 160×160
    /// thumbnail; an unacceptable image answers 422 with `errors` on `photo`.
    #[oai(path = "/contacts/:id/photo", method = "put")]
    async fn put_contact_photo(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: PhotoBody,
    ) -> Result<PhotoSaved> {
        let caller = auth.caller();
        let issuer = Issuer::api(caller);
        let mut tx = issuer.tx().await?;
        contacts::editable(&mut tx, &issuer, id.0.into()).await?;
        tx.commit().await?;
        let bytes = body.read().await?;
        let photo = photos::process(&caller.state, bytes)
            .await?
            .map_err(AppError::Invalid)?;
        let (files, tenant) = (&caller.state.files, caller.tenant.id());
        let new = photos::store(files, tenant, photo).await?;
        let saved = contacts::set_photo(&issuer, id.0.into(), Some(new)).await;
        let previous = saved.as_ref().ok().copied().flatten();
        photos::settle(files, tenant, saved.is_ok(), Some(new), previous).await;
        Ok(saved.map(|_| PhotoSaved::Saved)?)
    }

    /// A contact's photo, as stored (JPEG); 404 when it has none.
    #[oai(path = "/contacts/:id/photo", method = "get")]
    async fn get_contact_photo(&self, auth: Auth, id: Path<Uuid>) -> Result<PhotoOut> {
        let caller = auth.caller();
        caller.require(Area::Contacts, Action::Read).await?;
        let mut tx = caller.tx().await?;
        let contact = load(&mut tx, id.0).await?;
        tx.commit().await?;
        let photo = contact.photo_id.ok_or(AppError::NotFound)?;
        let bytes = photos::read(&caller.state.files, caller.tenant.id(), photo, false).await?;
        Ok(PhotoOut::Jpeg(Binary(bytes)))
    }

    /// Removes a contact's photo (also when it has none).
    #[oai(path = "/contacts/:id/photo", method = "delete")]
    async fn delete_contact_photo(&self, auth: Auth, id: Path<Uuid>) -> Result<PhotoSaved> {
        let caller = auth.caller();
        let previous = contacts::set_photo(&Issuer::api(caller), id.0.into(), None).await?;
        photos::settle(
            &caller.state.files,
            caller.tenant.id(),
            true,
            None,
            previous,
        )
        .await;
        Ok(PhotoSaved::Saved)
    }
}

/// A photo upload: the image itself as the body.
#[derive(ApiRequest)]
pub(crate) enum PhotoBody {
    #[oai(content_type = "image/jpeg")]
    Jpeg(Binary<poem::Body>),
    #[oai(content_type = "image/png")]
    Png(Binary<poem::Body>),
    #[oai(content_type = "image/webp")]
    Webp(Binary<poem::Body>),
}

impl PhotoBody {
    /// The body, read up to one byte past the limit: never more is buffered, and
    /// an oversized image is still seen as such.
    async fn read(self) -> Result<bytes::Bytes> {
        use futures_util::TryStreamExt;
        let (PhotoBody::Jpeg(Binary(body))
        | PhotoBody::Png(Binary(body))
        | PhotoBody::Webp(Binary(body))) = self;
        let limit = portico_files::MAX_PHOTO_BYTES + 1;
        let mut stream = std::pin::pin!(body.into_bytes_stream());
        let mut read = Vec::new();
        while read.len() < limit {
            let Some(chunk) = stream
                .try_next()
                .await
                .map_err(|_| AppError::BadRequest("error-bad-request-detail"))?
            else {
                break;
            };
            let room = limit - read.len();
            read.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        Ok(bytes::Bytes::from(read))
    }
}

/// A photo was stored or removed.
#[derive(ApiResponse)]
pub(crate) enum PhotoSaved {
    /// Done.
    #[oai(status = 204)]
    Saved,
}

/// A stored photo.
#[derive(ApiResponse)]
pub(crate) enum PhotoOut {
    /// The photo, re-encoded as JPEG.
    #[oai(status = 200, content_type = "image/jpeg")]
    Jpeg(Binary<bytes::Bytes>),
}

/// The API's caller of the one "add contact" command (`commands::contacts::add`),
/// for `POST /contacts` and `POST /{customers|suppliers}/{id}/contacts`: every
/// field error at once (422), a taken email 409, else the new contact.
pub(super) async fn add_contact(
    caller: &Caller,
    account: Option<&Account>,
    body: &ContactBody,
    link: &LinkInput,
    portals: &[Portal],
) -> Result<ContactOut> {
    let issuer = Issuer::api(caller);
    let area = account.map_or(Area::Contacts, |a| Area::contacts_of(a.kind));
    issuer.require(area, Action::Write).await?;
    let input = ContactInput::from(body);
    let linked: Vec<Portal> = account.iter().map(|a| Portal::of(a.kind)).collect();
    let submission = ContactSubmission {
        contact: &input,
        link: account.map(|_| link),
        linked: &linked,
        portals,
    };
    let (fields, link) = submission
        .validate(caller.tenant.contact_required())
        .map_err(AppError::Invalid)?;
    let new = NewContact {
        fields: &fields,
        link: account.map(|a| (a, &link)),
        portals,
        photo: None,
    };
    match contacts::add(&issuer, new).await? {
        Added::Created(contact, links) => Ok(ContactOut::new(&contact, &links)),
        Added::Existing(existing, _) => Err(AppError::Duplicate {
            existing: existing.id.as_uuid(),
        }
        .into()),
    }
}

async fn set_archived(caller: &Caller, id: Uuid, archived: bool) -> Result<Json<ContactOut>> {
    let issuer = Issuer::api(caller);
    let (contact, links) = contacts::set_archived(&issuer, id.into(), archived).await?;
    Ok(Json(ContactOut::new(&contact, &links)))
}
