//! What a contact is: its record, its portal access and how a row is read and
//! written (the columns and values shared with imports and the bench seed).

use chrono::{DateTime, NaiveDate, Utc};
use portico_domain::{ContactFields, Locale};
use sea_query::{Expr, ExprTrait, Query, SelectStatement};
use uuid::Uuid;

use crate::tables::Contacts;
use crate::{ContactId, DataError, areas::accounts::stored_email};

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
