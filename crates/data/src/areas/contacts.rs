//! Contacts: the people at customers and suppliers. One person is one contact per
//! tenant (main email unique, case-insensitively); links tie it to accounts.
//! Every write records its audit event in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use portico_domain::{AccountKind, ContactFields, FieldErrors, LinkFields, Locale};
use sea_query::{Expr, ExprTrait, Func, LikeExpr, Order, Query, SelectStatement, UnionType};
use serde_json::json;
use uuid::Uuid;

use crate::tables::{Accounts, ContactCategories, ContactLinks, ContactTitles, Contacts};
use crate::{
    AccountId, By, ContactId, DataError, TenantTx,
    areas::accounts::stored_email,
    areas::audit::diff,
    areas::links::link_account,
    error::taken,
    search::{NameCursor, like_pattern, name_after},
};

/// The written columns, in the order of [`values`]: the contact's own 32 fields,
/// then the derived display name, sort key and search text.
/// How many of [`FIELD_COLUMNS`] are the contact's own fields (read back as such).
const OWN_FIELDS: usize = 32;

pub(crate) const FIELD_COLUMNS: [Contacts; 35] = [
    Contacts::TitleId,
    Contacts::FirstName,
    Contacts::LastName,
    Contacts::Nickname,
    Contacts::Position,
    Contacts::Department,
    Contacts::CategoryId,
    Contacts::OwnerId,
    Contacts::Notes,
    Contacts::Preferences,
    Contacts::IdDocType,
    Contacts::IdDocNumber,
    Contacts::Nationality,
    Contacts::LicenceNumber,
    Contacts::LicenceCategory,
    Contacts::LicenceExpiry,
    Contacts::Email,
    Contacts::PersonalEmail,
    Contacts::Phone,
    Contacts::Mobile,
    Contacts::Fax,
    Contacts::FacebookUrl,
    Contacts::LinkedinUrl,
    Contacts::XUrl,
    Contacts::Street,
    Contacts::City,
    Contacts::State,
    Contacts::PostalCode,
    Contacts::Country,
    Contacts::EmailOptOut,
    Contacts::PreferredLanguage,
    Contacts::ImportantDates,
    Contacts::DisplayName,
    Contacts::SortName,
    Contacts::SearchText,
];

pub(crate) fn values(f: &ContactFields) -> Vec<sea_query::Value> {
    let email = |e: &Option<portico_domain::Email>| e.as_ref().map(|e| e.as_str().to_owned());
    let display = f.display_name();
    vec![
        f.title_id.into(),
        f.first_name.clone().into(),
        f.last_name.clone().into(),
        f.nickname.clone().into(),
        f.position.clone().into(),
        f.department.clone().into(),
        f.category_id.into(),
        f.owner_id.into(),
        f.notes.clone().into(),
        f.preferences.clone().into(),
        f.id_doc_type.clone().into(),
        f.id_doc_number.clone().into(),
        f.nationality.clone().into(),
        f.licence_number.clone().into(),
        f.licence_category.clone().into(),
        f.licence_expiry.into(),
        email(&f.email).into(),
        email(&f.personal_email).into(),
        f.phone.clone().into(),
        f.mobile.clone().into(),
        f.fax.clone().into(),
        f.facebook_url.clone().into(),
        f.linkedin_url.clone().into(),
        f.x_url.clone().into(),
        f.street.clone().into(),
        f.city.clone().into(),
        f.state.clone().into(),
        f.postal_code.clone().into(),
        f.country.clone().into(),
        f.email_opt_out.into(),
        f.preferred_language.map(Locale::tag).into(),
        serde_json::to_value(&f.important_dates)
            .unwrap_or_default()
            .into(),
        display.clone().into(),
        portico_domain::fold(&display).into(),
        f.search_text().into(),
    ]
}

/// A contact of the tenant.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Contact {
    pub id: ContactId,
    pub fields: ContactFields,
    pub display_name: String,
    /// The stored photo (its files are `photos/<id>.jpg` and `<id>-thumb.jpg` in
    /// the tenant's file store); set with [`ContactsArea::set_photo`].
    pub photo_id: Option<Uuid>,
    pub portal: PortalAccess,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A contact's access to the portals: switched on per portal by staff, and
/// whether the contact has set its password (accepted its invitation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PortalAccess {
    pub customer: bool,
    pub supplier: bool,
    /// `none`, `invited`, `active` or `disabled`.
    pub status: PortalStatus,
    /// Until when too many failed sign-ins lock the contact out.
    pub locked_until: Option<DateTime<Utc>>,
    pub activated_at: Option<DateTime<Utc>>,
    pub signed_in_at: Option<DateTime<Utc>>,
}

/// Where a contact stands with the portals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalStatus {
    /// Never given access.
    #[default]
    None,
    /// Given access; has not set a password yet.
    Invited,
    /// Has set a password.
    Active,
    /// Access was turned off.
    Disabled,
}

impl PortalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PortalStatus::None => "none",
            PortalStatus::Invited => "invited",
            PortalStatus::Active => "active",
            PortalStatus::Disabled => "disabled",
        }
    }
}

impl std::str::FromStr for PortalStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "none" => PortalStatus::None,
            "invited" => PortalStatus::Invited,
            "active" => PortalStatus::Active,
            "disabled" => PortalStatus::Disabled,
            other => return Err(format!("unknown portal status {other:?}")),
        })
    }
}

/// The states the contact list filters portal access by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalFilter {
    /// Never given access.
    None,
    /// Given access, with an invitation still valid.
    Invited,
    /// Given access, never set a password, and no valid invitation left.
    NeverActivated,
    /// Has set a password and is not locked out.
    Active,
    /// Locked out by failed sign-ins, now.
    Locked,
    /// Access turned off.
    Disabled,
}

impl PortalFilter {
    pub const ALL: [PortalFilter; 6] = [
        PortalFilter::None,
        PortalFilter::Invited,
        PortalFilter::NeverActivated,
        PortalFilter::Active,
        PortalFilter::Locked,
        PortalFilter::Disabled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PortalFilter::None => "none",
            PortalFilter::Invited => "invited",
            PortalFilter::NeverActivated => "never_activated",
            PortalFilter::Active => "active",
            PortalFilter::Locked => "locked",
            PortalFilter::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<PortalFilter> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The SQL condition on `contacts` (the status column, the lockout time and
    /// whether a usable invitation exists).
    fn condition(self, tenant: Uuid) -> sea_query::SimpleExpr {
        let col = |c: Contacts| Expr::col((Contacts::Table, c));
        let now = Utc::now();
        let status = |s: PortalStatus| col(Contacts::PortalStatus).eq(s.as_str());
        let invitation = || {
            Expr::exists(crate::areas::portal_tokens::valid_tokens(
                tenant,
                crate::PortalTokenPurpose::Invitation,
                Expr::col((Contacts::Table, Contacts::Id)),
            ))
        };
        let unlocked = || {
            col(Contacts::PortalLockedUntil)
                .is_null()
                .or(col(Contacts::PortalLockedUntil).lte(now))
        };
        match self {
            PortalFilter::None => status(PortalStatus::None),
            PortalFilter::Invited => status(PortalStatus::Invited).and(invitation()),
            PortalFilter::NeverActivated => status(PortalStatus::Invited).and(invitation().not()),
            PortalFilter::Active => status(PortalStatus::Active).and(unlocked()),
            PortalFilter::Locked => {
                status(PortalStatus::Active).and(col(Contacts::PortalLockedUntil).gt(now))
            }
            PortalFilter::Disabled => status(PortalStatus::Disabled),
        }
    }
}

impl PortalAccess {
    /// Whether access to this portal is on.
    pub fn to(&self, portal: portico_domain::Portal) -> bool {
        match portal {
            portico_domain::Portal::Customer => self.customer,
            portico_domain::Portal::Supplier => self.supplier,
        }
    }

    pub fn any(&self) -> bool {
        self.customer || self.supplier
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    id: Uuid,
    title_id: Option<Uuid>,
    first_name: Option<String>,
    last_name: Option<String>,
    nickname: Option<String>,
    position: Option<String>,
    department: Option<String>,
    category_id: Option<Uuid>,
    owner_id: Option<Uuid>,
    notes: Option<String>,
    preferences: Option<String>,
    id_doc_type: Option<String>,
    id_doc_number: Option<String>,
    nationality: Option<String>,
    licence_number: Option<String>,
    licence_category: Option<String>,
    licence_expiry: Option<NaiveDate>,
    email: Option<String>,
    personal_email: Option<String>,
    phone: Option<String>,
    mobile: Option<String>,
    fax: Option<String>,
    facebook_url: Option<String>,
    linkedin_url: Option<String>,
    x_url: Option<String>,
    street: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    email_opt_out: bool,
    preferred_language: Option<String>,
    #[sqlx(json)]
    important_dates: Vec<portico_domain::ImportantDate>,
    display_name: String,
    photo_id: Option<Uuid>,
    customer_portal: bool,
    supplier_portal: bool,
    portal_activated_at: Option<DateTime<Utc>>,
    portal_signed_in_at: Option<DateTime<Utc>>,
    portal_status: String,
    portal_locked_until: Option<DateTime<Utc>>,
    archived_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<ContactRow> for Contact {
    type Error = DataError;

    fn try_from(r: ContactRow) -> Result<Self, DataError> {
        Ok(Contact {
            id: r.id.into(),
            fields: ContactFields {
                title_id: r.title_id,
                first_name: r.first_name,
                last_name: r.last_name,
                nickname: r.nickname,
                position: r.position,
                department: r.department,
                category_id: r.category_id,
                owner_id: r.owner_id,
                notes: r.notes,
                preferences: r.preferences,
                id_doc_type: r.id_doc_type,
                id_doc_number: r.id_doc_number,
                nationality: r.nationality,
                licence_number: r.licence_number,
                licence_category: r.licence_category,
                licence_expiry: r.licence_expiry,
                email: stored_email(r.email)?,
                personal_email: stored_email(r.personal_email)?,
                phone: r.phone,
                mobile: r.mobile,
                fax: r.fax,
                facebook_url: r.facebook_url,
                linkedin_url: r.linkedin_url,
                x_url: r.x_url,
                street: r.street,
                city: r.city,
                state: r.state,
                postal_code: r.postal_code,
                country: r.country,
                email_opt_out: r.email_opt_out,
                preferred_language: r.preferred_language.as_deref().and_then(Locale::from_tag),
                important_dates: r.important_dates,
            },
            display_name: r.display_name,
            photo_id: r.photo_id,
            portal: PortalAccess {
                customer: r.customer_portal,
                supplier: r.supplier_portal,
                status: r.portal_status.parse().map_err(DataError::Corrupt)?,
                locked_until: r.portal_locked_until,
                activated_at: r.portal_activated_at,
                signed_in_at: r.portal_signed_in_at,
            },
            archived_at: r.archived_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// What adding a contact did.
#[derive(Debug, Clone)]
pub enum AddedContact {
    Created(Contact),
    /// Another contact already has the main email: nothing was written, so the
    /// caller can offer to link that person instead.
    Existing(Contact),
}

/// How a contact list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactSort {
    /// By name, A to Z.
    #[default]
    Name,
    /// By name, Z to A.
    NameDesc,
    /// Most recently created first (ids are time-ordered).
    Newest,
}

/// Which contacts a list shows.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Matches names, emails, phone numbers, and the names and codes of the
    /// accounts the contact is linked to.
    pub search: Option<String>,
    pub category: Option<Uuid>,
    pub owner: Option<Uuid>,
    pub account: Option<AccountId>,
    /// Only contacts linked to an account of this kind.
    pub kind: Option<AccountKind>,
    pub opted_out: Option<bool>,
    /// Only contacts in this state of portal access.
    pub portal: Option<PortalFilter>,
    /// Archived contacts instead of current ones.
    pub archived: bool,
    pub sort: ContactSort,
}

pub(crate) fn contact_select(tenant: Uuid) -> SelectStatement {
    let mut select = Query::select();
    select.column((Contacts::Table, Contacts::Id));
    select.columns(
        FIELD_COLUMNS[..OWN_FIELDS]
            .iter()
            .map(|c| (Contacts::Table, *c)),
    );
    select
        .columns([
            (Contacts::Table, Contacts::DisplayName),
            (Contacts::Table, Contacts::PhotoId),
            (Contacts::Table, Contacts::CustomerPortal),
            (Contacts::Table, Contacts::SupplierPortal),
            (Contacts::Table, Contacts::PortalActivatedAt),
            (Contacts::Table, Contacts::PortalSignedInAt),
            (Contacts::Table, Contacts::PortalStatus),
            (Contacts::Table, Contacts::PortalLockedUntil),
            (Contacts::Table, Contacts::ArchivedAt),
            (Contacts::Table, Contacts::CreatedAt),
            (Contacts::Table, Contacts::UpdatedAt),
        ])
        .from(Contacts::Table)
        .and_where(Expr::col((Contacts::Table, Contacts::TenantId)).eq(tenant))
        .to_owned()
}

/// The ids of the contacts matching a search: by their own names, emails and
/// phones, or by the name or code of an account they are linked to. Two indexable
/// halves joined by UNION (an OR across them would force a scan of the tenant).
fn search_matches(tenant: Uuid, pattern: &str) -> SelectStatement {
    let like = || LikeExpr::new(pattern).escape('\\');
    let mut own = Query::select()
        .column(Contacts::Id)
        .from(Contacts::Table)
        .and_where(Expr::col(Contacts::TenantId).eq(tenant))
        .and_where(Expr::col(Contacts::SearchText).like(like()))
        .to_owned();
    let by_account = Query::select()
        .column((ContactLinks::Table, ContactLinks::ContactId))
        .from(ContactLinks::Table)
        .inner_join(Accounts::Table, link_account())
        .and_where(Expr::col((ContactLinks::Table, ContactLinks::TenantId)).eq(tenant))
        .and_where(Expr::col((Accounts::Table, Accounts::SearchText)).like(like()))
        .to_owned();
    own.union(UnionType::Distinct, by_account);
    own
}

/// Contacts of the transaction's tenant.
pub struct ContactsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl ContactsArea<'_> {
    /// Fails with field errors when a chosen title, category or owner is not
    /// one of this tenant's.
    async fn check_references(&mut self, fields: &ContactFields) -> Result<(), DataError> {
        let mut errors = FieldErrors::default();
        if let Some(id) = fields.title_id
            && !self
                .tx
                .lists()
                .entry_exists(ContactTitles::Table, id)
                .await?
        {
            errors.add("title_id", "field-choice-invalid");
        }
        if let Some(id) = fields.category_id
            && !self
                .tx
                .lists()
                .entry_exists(ContactCategories::Table, id)
                .await?
        {
            errors.add("category_id", "field-choice-invalid");
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        self.tx.accounts().check_owner(fields.owner_id).await
    }

    /// Fails when the company already keeps as many contacts as its plan allows
    /// (`tenants.max_contacts`; archived contacts count too).
    async fn check_contact_limit(&mut self) -> Result<(), DataError> {
        let Some(max) = self.tx.settings().max_contacts().await? else {
            return Ok(());
        };
        let count: Option<(i64,)> = self
            .tx
            .conn
            .fetch_optional(
                &Query::select()
                    .expr(Func::count(Expr::col(Contacts::Id)))
                    .from(Contacts::Table)
                    .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
                    .to_owned(),
            )
            .await?;
        if count.map_or(0, |(c,)| c) >= i64::from(max) {
            let mut errors = FieldErrors::default();
            errors.add("first_name", "contact-limit-reached");
            return Err(DataError::Invalid(errors));
        }
        Ok(())
    }

    /// A contact of this tenant, archived or not.
    pub async fn find(&mut self, id: ContactId) -> Result<Option<Contact>, DataError> {
        let select = contact_select(self.tx.tenant_id().as_uuid())
            .and_where(Expr::col((Contacts::Table, Contacts::Id)).eq(id.as_uuid()))
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<ContactRow>(&select)
            .await?
            .map(Contact::try_from)
            .transpose()
    }

    /// The contact whose main email is `email` (case-insensitively), if any.
    pub async fn find_by_email(
        &mut self,
        email: &portico_domain::Email,
    ) -> Result<Option<Contact>, DataError> {
        let select = contact_select(self.tx.tenant_id().as_uuid())
            .and_where(
                Expr::expr(Func::lower(Expr::col((Contacts::Table, Contacts::Email))))
                    .eq(email.as_str()),
            )
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<ContactRow>(&select)
            .await?
            .map(Contact::try_from)
            .transpose()
    }

    /// Adds a contact. A main email that another contact has is a field error
    /// (callers offer to link that person instead, see `ContactsArea::find_by_email`).
    pub async fn create(
        &mut self,
        fields: &ContactFields,
        by: By<'_>,
    ) -> Result<Contact, DataError> {
        self.check_references(fields).await?;
        self.check_contact_limit().await?;
        let id = ContactId::generate();
        self.insert(&[(id, fields)]).await?;
        self.tx
            .audit()
            .log(
                by,
                "contact.create",
                ("contact", id.as_uuid()),
                None,
                json!({ "after": fields }),
            )
            .await?;
        self.find(id)
            .await?
            .ok_or_else(|| DataError::Corrupt("contact vanished after insert".into()))
    }

    /// Inserts contacts in one statement, without audit events or reference
    /// checks (callers do both). A taken main email is a field error.
    pub(crate) async fn insert(
        &mut self,
        rows: &[(ContactId, &ContactFields)],
    ) -> Result<(), DataError> {
        let now = Utc::now();
        let mut columns = vec![Contacts::TenantId, Contacts::Id];
        columns.extend(FIELD_COLUMNS);
        columns.extend([Contacts::CreatedAt, Contacts::UpdatedAt]);
        let mut insert = Query::insert()
            .into_table(Contacts::Table)
            .columns(columns)
            .to_owned();
        for (id, fields) in rows {
            let mut row = vec![self.tx.tenant_id().as_uuid().into(), id.as_uuid().into()];
            row.extend(values(fields));
            row.extend([now.into(), now.into()]);
            insert.values_panic(row.into_iter().map(Into::into));
        }
        self.tx
            .conn
            .execute(&insert)
            .await
            .map(drop)
            .map_err(|e| taken(e, &["contacts_email_key"], "email", "field-email-taken"))
    }

    /// Adds a contact and, when given, links it to an account: the command behind
    /// every "Add contact". A main email that is taken yields the existing contact.
    pub async fn add(
        &mut self,
        fields: &ContactFields,
        link: Option<(AccountId, &LinkFields)>,
        by: By<'_>,
    ) -> Result<AddedContact, DataError> {
        if let Some(email) = &fields.email
            && let Some(existing) = self.find_by_email(email).await?
        {
            return Ok(AddedContact::Existing(existing));
        }
        let contact = self.create(fields, by).await?;
        if let Some((account, link)) = link {
            self.tx
                .links()
                .create(contact.id, account, link, by)
                .await?
                .ok_or_else(|| DataError::Corrupt("the account vanished while linking".into()))?;
        }
        Ok(AddedContact::Created(contact))
    }

    /// Changes a contact's fields; `None` when it is not in this tenant.
    pub async fn update(
        &mut self,
        id: ContactId,
        fields: &ContactFields,
        by: By<'_>,
    ) -> Result<Option<Contact>, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(None);
        };
        self.check_references(fields).await?;
        let mut assignments: Vec<(Contacts, sea_query::SimpleExpr)> = FIELD_COLUMNS
            .into_iter()
            .zip(values(fields))
            .map(|(c, v)| (c, Expr::val(v)))
            .collect();
        assignments.push((Contacts::UpdatedAt, Expr::val(Utc::now())));
        let update = Query::update()
            .table(Contacts::Table)
            .values(assignments)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx
            .conn
            .execute(&update)
            .await
            .map_err(|e| taken(e, &["contacts_email_key"], "email", "field-email-taken"))?;
        if before.fields.email != fields.email {
            // Links and sessions were for the old mailbox: none survives it.
            self.tx.portal_credentials().void(id).await?;
        }
        let changes = diff(&json!(before.fields), &json!(fields));
        if changes.as_object().is_some_and(|c| !c.is_empty()) {
            self.tx
                .audit()
                .log(
                    by,
                    "contact.update",
                    ("contact", id.as_uuid()),
                    None,
                    changes,
                )
                .await?;
        }
        self.find(id).await
    }

    /// Sets (`Some`) or removes (`None`) a contact's photo and returns the previous
    /// one, so the caller can remove its files once this commits. The change is
    /// recorded in the contact's history. Callers load the contact first; an id
    /// that is not this tenant's is an error and writes nothing.
    pub async fn set_photo(
        &mut self,
        id: ContactId,
        photo: Option<Uuid>,
        by: By<'_>,
    ) -> Result<Option<Uuid>, DataError> {
        // Lock the row first (a no-op write waits for a concurrent change to
        // commit), so the previous photo read next is the one being replaced.
        let lock = Query::update()
            .table(Contacts::Table)
            .value(Contacts::PhotoId, Expr::col(Contacts::PhotoId))
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(id.as_uuid()))
            .to_owned();
        if self.tx.conn.execute(&lock).await? == 0 {
            return Err(DataError::Corrupt("no such contact for its photo".into()));
        }
        let previous = self
            .find(id)
            .await?
            .ok_or_else(|| DataError::Corrupt("no such contact for its photo".into()))?
            .photo_id;
        if previous == photo {
            return Ok(previous);
        }
        let update = Query::update()
            .table(Contacts::Table)
            .values([
                (Contacts::PhotoId, photo.into()),
                (Contacts::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        let action = if photo.is_some() {
            "contact.photo_change"
        } else {
            "contact.photo_remove"
        };
        // Not a before/after pair: the ids mean nothing to people, so the history
        // shows the action alone, and the API's history keeps the ids.
        self.tx
            .audit()
            .log(
                by,
                action,
                ("contact", id.as_uuid()),
                None,
                json!({ "photo": { "previous": previous, "current": photo } }),
            )
            .await?;
        Ok(previous)
    }

    /// Archives or restores a contact; `None` when it is not in this tenant.
    pub async fn set_archived(
        &mut self,
        id: ContactId,
        archived: bool,
        by: By<'_>,
    ) -> Result<Option<Contact>, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(None);
        };
        if before.archived_at.is_some() != archived {
            let now = Utc::now();
            let update = Query::update()
                .table(Contacts::Table)
                .values([
                    (Contacts::ArchivedAt, archived.then_some(now).into()),
                    (Contacts::UpdatedAt, now.into()),
                ])
                .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
                .and_where(Expr::col(Contacts::Id).eq(id.as_uuid()))
                .to_owned();
            self.tx.conn.execute(&update).await?;
            // An archived contact has no portal access: its sessions end (for
            // good: restoring it does not revive them).
            if archived {
                self.tx.portal_credentials().next_session_epoch(id).await?;
            } else {
                self.tx.policy().bump_version().await?;
            }
            let verb = if archived { "archive" } else { "restore" };
            self.tx
                .audit()
                .log(
                    by,
                    &format!("contact.{verb}"),
                    ("contact", id.as_uuid()),
                    None,
                    json!({ "archived": { "before": !archived, "after": archived } }),
                )
                .await?;
        }
        self.find(id).await
    }

    /// Deletes a contact and its links for good, recording what it was (fields and
    /// links) in the audit log; `false` when it is not in this tenant.
    pub async fn delete(&mut self, id: ContactId, by: By<'_>) -> Result<bool, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(false);
        };
        let links = self.tx.links().of_contacts(&[id]).await?;
        let delete_links = Query::delete()
            .from_table(ContactLinks::Table)
            .and_where(Expr::col(ContactLinks::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ContactLinks::ContactId).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&delete_links).await?;
        let delete = Query::delete()
            .from_table(Contacts::Table)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&delete).await?;
        self.tx.policy().bump_version().await?;
        let accounts: Vec<_> = links
            .iter()
            .map(|l| json!({ "id": l.account_id, "name": l.account_name, "link": l.fields }))
            .collect();
        self.tx
            .audit()
            .log(
                by,
                "contact.delete",
                ("contact", id.as_uuid()),
                None,
                json!({ "before": before.fields, "links": accounts }),
            )
            .await?;
        Ok(true)
    }

    /// Up to `limit` contacts matching `filter`, in its order, after `after`.
    /// Everything is filtered and ordered in SQL.
    pub async fn list(
        &mut self,
        filter: &ContactFilter,
        after: Option<&NameCursor>,
        limit: u64,
    ) -> Result<Vec<Contact>, DataError> {
        let tenant = self.tx.tenant_id().as_uuid();
        let col = |c: Contacts| Expr::col((Contacts::Table, c));
        let mut select = contact_select(tenant);
        select.and_where(if filter.archived {
            col(Contacts::ArchivedAt).is_not_null()
        } else {
            col(Contacts::ArchivedAt).is_null()
        });
        if let Some(category) = filter.category {
            select.and_where(col(Contacts::CategoryId).eq(category));
        }
        if let Some(owner) = filter.owner {
            select.and_where(col(Contacts::OwnerId).eq(owner));
        }
        if let Some(opted_out) = filter.opted_out {
            select.and_where(col(Contacts::EmailOptOut).eq(opted_out));
        }
        if let Some(portal) = filter.portal {
            select.and_where(portal.condition(tenant));
        }
        if filter.account.is_some() || filter.kind.is_some() {
            let mut linked = Query::select()
                .expr(Expr::val(1))
                .from(ContactLinks::Table)
                .and_where(Expr::col((ContactLinks::Table, ContactLinks::TenantId)).eq(tenant))
                .and_where(
                    Expr::col((ContactLinks::Table, ContactLinks::ContactId))
                        .equals((Contacts::Table, Contacts::Id)),
                )
                .to_owned();
            if let Some(account) = filter.account {
                linked.and_where(
                    Expr::col((ContactLinks::Table, ContactLinks::AccountId)).eq(account.as_uuid()),
                );
            }
            if let Some(kind) = filter.kind {
                linked.and_where(
                    Expr::col((ContactLinks::Table, ContactLinks::AccountKind)).eq(kind.as_str()),
                );
            }
            select.and_where(Expr::exists(linked));
        }
        if let Some(pattern) = filter.search.as_deref().and_then(like_pattern) {
            select.and_where(col(Contacts::Id).in_subquery(search_matches(tenant, &pattern)));
        }
        match filter.sort {
            ContactSort::Name => {
                if let Some(after) = after {
                    select.and_where(name_after(
                        (Contacts::Table, Contacts::SortName),
                        (Contacts::Table, Contacts::Id),
                        after,
                    ));
                }
                select
                    .order_by((Contacts::Table, Contacts::SortName), Order::Asc)
                    .order_by((Contacts::Table, Contacts::Id), Order::Asc);
            }
            ContactSort::NameDesc => {
                if let Some(after) = after {
                    select.and_where(
                        Expr::tuple([col(Contacts::SortName), col(Contacts::Id)]).lt(Expr::tuple(
                            [Expr::val(after.name.clone()), Expr::val(after.id)],
                        )),
                    );
                }
                select
                    .order_by((Contacts::Table, Contacts::SortName), Order::Desc)
                    .order_by((Contacts::Table, Contacts::Id), Order::Desc);
            }
            ContactSort::Newest => {
                if let Some(after) = after {
                    select.and_where(col(Contacts::Id).lt(after.id));
                }
                select.order_by((Contacts::Table, Contacts::Id), Order::Desc);
            }
        }
        select.limit(limit);
        self.tx
            .conn
            .fetch_all::<ContactRow>(&select)
            .await?
            .into_iter()
            .map(Contact::try_from)
            .collect()
    }
}

impl Contact {
    /// The cursor that continues a list after this contact.
    pub fn cursor(&self) -> NameCursor {
        NameCursor {
            name: portico_domain::fold(&self.display_name),
            id: self.id.as_uuid(),
        }
    }
}
