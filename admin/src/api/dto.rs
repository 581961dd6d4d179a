//! The admin API's request and response bodies, and their conversions to and from
//! the domain's inputs and the stored records.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use portico_data::{Account, AuditEvent, Branch, Contact, ContactLink, NameCursor};
use portico_domain::{AccountInput, BranchInput, ContactInput, LinkInput};
use portico_web::{date::Date, text::Text};
use uuid::Uuid;

fn text(value: &Option<Text>) -> String {
    value.as_ref().map(|t| t.0.clone()).unwrap_or_default()
}

fn id(value: Option<Uuid>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn flag(value: Option<bool>) -> Option<String> {
    value.and_then(|v| v.then(|| "on".to_owned()))
}

/// A contact's portal access state.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum PortalState {
    /// Never given access.
    None,
    /// Given access, with an invitation still valid.
    Invited,
    /// Given access; never set a password and no valid invitation left.
    NeverActivated,
    /// Has set a password and is not locked out.
    Active,
    /// Locked out by failed sign-ins.
    Locked,
    /// Access turned off.
    Disabled,
}

impl From<PortalState> for portico_data::PortalFilter {
    fn from(state: PortalState) -> Self {
        use portico_data::PortalFilter as F;
        match state {
            PortalState::None => F::None,
            PortalState::Invited => F::Invited,
            PortalState::NeverActivated => F::NeverActivated,
            PortalState::Active => F::Active,
            PortalState::Locked => F::Locked,
            PortalState::Disabled => F::Disabled,
        }
    }
}

/// Customer or supplier.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum Kind {
    Customer,
    Supplier,
}

impl From<portico_domain::AccountKind> for Kind {
    fn from(kind: portico_domain::AccountKind) -> Self {
        match kind {
            portico_domain::AccountKind::Customer => Kind::Customer,
            portico_domain::AccountKind::Supplier => Kind::Supplier,
        }
    }
}

impl From<Kind> for portico_domain::AccountKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Customer => portico_domain::AccountKind::Customer,
            Kind::Supplier => portico_domain::AccountKind::Supplier,
        }
    }
}

/// A customer or supplier to create or replace. Blank or missing optional fields
/// are cleared.
#[derive(Debug, Clone, Object)]
pub(crate) struct AccountBody {
    /// Unique per kind within the company, case-insensitively.
    pub code: Text,
    pub name: Text,
    #[oai(nullable)]
    pub legal_name: Option<Text>,
    /// RNC, RFC or NIT, depending on the country.
    #[oai(nullable)]
    pub tax_id: Option<Text>,
    #[oai(nullable)]
    pub email: Option<Text>,
    #[oai(nullable)]
    pub phone: Option<Text>,
    #[oai(nullable)]
    pub street: Option<Text>,
    #[oai(nullable)]
    pub city: Option<Text>,
    #[oai(nullable)]
    pub state: Option<Text>,
    #[oai(nullable)]
    pub postal_code: Option<Text>,
    /// ISO 3166-1 alpha-2.
    #[oai(nullable)]
    pub country: Option<Text>,
    /// A staff user of the company.
    #[oai(nullable)]
    pub owner_id: Option<Uuid>,
    /// Customers only.
    #[oai(nullable)]
    pub branches_enabled: Option<bool>,
}

impl From<&AccountBody> for AccountInput {
    fn from(b: &AccountBody) -> Self {
        AccountInput {
            code: b.code.0.clone(),
            name: b.name.0.clone(),
            legal_name: text(&b.legal_name),
            tax_id: text(&b.tax_id),
            email: text(&b.email),
            phone: text(&b.phone),
            street: text(&b.street),
            city: text(&b.city),
            state: text(&b.state),
            postal_code: text(&b.postal_code),
            country: text(&b.country),
            owner_id: id(b.owner_id),
            branches_enabled: flag(b.branches_enabled),
        }
    }
}

/// A customer or supplier.
#[derive(Debug, Clone, Object)]
pub(crate) struct AccountOut {
    pub id: Uuid,
    pub kind: Kind,
    pub code: String,
    pub name: String,
    #[oai(nullable)]
    pub legal_name: Option<String>,
    #[oai(nullable)]
    pub tax_id: Option<String>,
    #[oai(nullable)]
    pub email: Option<String>,
    #[oai(nullable)]
    pub phone: Option<String>,
    #[oai(nullable)]
    pub street: Option<String>,
    #[oai(nullable)]
    pub city: Option<String>,
    #[oai(nullable)]
    pub state: Option<String>,
    #[oai(nullable)]
    pub postal_code: Option<String>,
    #[oai(nullable)]
    pub country: Option<String>,
    #[oai(nullable)]
    pub owner_id: Option<Uuid>,
    pub branches_enabled: bool,
    /// `false` once archived.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Account> for AccountOut {
    fn from(a: &Account) -> Self {
        let f = &a.fields;
        AccountOut {
            id: a.id.as_uuid(),
            kind: a.kind.into(),
            code: f.code.clone(),
            name: f.name.clone(),
            legal_name: f.legal_name.clone(),
            tax_id: f.tax_id.clone(),
            email: f.email.as_ref().map(|e| e.as_str().to_owned()),
            phone: f.phone.clone(),
            street: f.address.street.clone(),
            city: f.address.city.clone(),
            state: f.address.state.clone(),
            postal_code: f.address.postal_code.clone(),
            country: f.address.country.clone(),
            owner_id: f.owner_id,
            branches_enabled: f.branches_enabled,
            active: a.active,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// One page of customers or suppliers.
#[derive(Debug, Clone, Object)]
pub(crate) struct AccountPage {
    pub items: Vec<AccountOut>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[oai(nullable)]
    pub next: Option<String>,
}

/// A branch to create.
#[derive(Debug, Clone, Object)]
pub(crate) struct BranchBody {
    pub code: Text,
    pub name: Text,
    #[oai(nullable)]
    pub street: Option<Text>,
    #[oai(nullable)]
    pub city: Option<Text>,
    #[oai(nullable)]
    pub state: Option<Text>,
    #[oai(nullable)]
    pub postal_code: Option<Text>,
    #[oai(nullable)]
    pub country: Option<Text>,
    /// When replacing: `false` archives the branch (default `true`).
    #[oai(nullable)]
    pub active: Option<bool>,
}

impl From<&BranchBody> for BranchInput {
    fn from(b: &BranchBody) -> Self {
        BranchInput {
            code: b.code.0.clone(),
            name: b.name.0.clone(),
            street: text(&b.street),
            city: text(&b.city),
            state: text(&b.state),
            postal_code: text(&b.postal_code),
            country: text(&b.country),
        }
    }
}

/// A customer branch.
#[derive(Debug, Clone, Object)]
pub(crate) struct BranchOut {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub code: String,
    pub name: String,
    #[oai(nullable)]
    pub city: Option<String>,
    #[oai(nullable)]
    pub country: Option<String>,
    pub active: bool,
}

impl From<&Branch> for BranchOut {
    fn from(b: &Branch) -> Self {
        BranchOut {
            id: b.id.as_uuid(),
            customer_id: b.account_id.as_uuid(),
            code: b.fields.code.clone(),
            name: b.fields.name.clone(),
            city: b.fields.address.city.clone(),
            country: b.fields.address.country.clone(),
            active: b.active,
        }
    }
}

/// A contact to create or replace (DESIGN.md §2). Which names are required is the
/// company's setting; blank or missing optional fields are cleared.
#[derive(Debug, Clone, Default, Object)]
#[oai(nullable_all)]
pub(crate) struct ContactBody {
    /// One of the company's titles (Sr., Sra., Lic., …).
    pub title_id: Option<Uuid>,
    pub first_name: Option<Text>,
    pub last_name: Option<Text>,
    pub nickname: Option<Text>,
    /// Job title.
    pub position: Option<Text>,
    pub department: Option<Text>,
    pub category_id: Option<Uuid>,
    /// The responsible staff user.
    pub owner_id: Option<Uuid>,
    pub notes: Option<Text>,
    pub preferences: Option<Text>,
    pub id_doc_type: Option<Text>,
    pub id_doc_number: Option<Text>,
    /// ISO 3166-1 alpha-2.
    pub nationality: Option<Text>,
    pub licence_number: Option<Text>,
    pub licence_category: Option<Text>,
    pub licence_expiry: Option<Date>,
    /// Unique within the company, case-insensitively: one person, one contact.
    pub email: Option<Text>,
    pub personal_email: Option<Text>,
    pub phone: Option<Text>,
    pub mobile: Option<Text>,
    pub fax: Option<Text>,
    pub facebook_url: Option<Text>,
    pub linkedin_url: Option<Text>,
    pub x_url: Option<Text>,
    pub street: Option<Text>,
    pub city: Option<Text>,
    pub state: Option<Text>,
    pub postal_code: Option<Text>,
    pub country: Option<Text>,
    /// The contact does not want email communications.
    pub email_opt_out: Option<bool>,
    /// `es` or `en`.
    pub preferred_language: Option<Text>,
    /// Birthdays, anniversaries… (at most 20).
    pub important_dates: Option<Vec<DateBody>>,
}

/// A labelled date.
#[derive(Debug, Clone, Object)]
pub(crate) struct DateBody {
    pub label: Text,
    pub date: Date,
}

impl From<&ContactBody> for ContactInput {
    fn from(b: &ContactBody) -> Self {
        ContactInput {
            title_id: id(b.title_id),
            first_name: text(&b.first_name),
            last_name: text(&b.last_name),
            nickname: text(&b.nickname),
            position: text(&b.position),
            department: text(&b.department),
            category_id: id(b.category_id),
            owner_id: id(b.owner_id),
            notes: text(&b.notes),
            preferences: text(&b.preferences),
            id_doc_type: text(&b.id_doc_type),
            id_doc_number: text(&b.id_doc_number),
            nationality: text(&b.nationality),
            licence_number: text(&b.licence_number),
            licence_category: text(&b.licence_category),
            licence_expiry: b
                .licence_expiry
                .map(|d| d.0.to_string())
                .unwrap_or_default(),
            email: text(&b.email),
            personal_email: text(&b.personal_email),
            phone: text(&b.phone),
            mobile: text(&b.mobile),
            fax: text(&b.fax),
            facebook_url: text(&b.facebook_url),
            linkedin_url: text(&b.linkedin_url),
            x_url: text(&b.x_url),
            street: text(&b.street),
            city: text(&b.city),
            state: text(&b.state),
            postal_code: text(&b.postal_code),
            country: text(&b.country),
            email_opt_out: flag(b.email_opt_out),
            preferred_language: text(&b.preferred_language),
            important_dates: b
                .important_dates
                .iter()
                .flatten()
                .map(|d| format!("{}: {}", d.label.0.replace(['\n', '\r'], " "), d.date.0))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

/// A contact to add to a customer or supplier: the contact and its link.
#[derive(Debug, Clone, Object)]
pub(crate) struct AccountContactBody {
    #[oai(flatten)]
    pub contact: ContactBody,
    /// The contact's position at this customer or supplier.
    #[oai(nullable)]
    pub link_position: Option<Text>,
    /// Make it the account's primary contact (replacing the current one).
    #[oai(nullable)]
    pub is_primary: Option<bool>,
    /// Portal access to turn on as the contact is created (as the form's boxes).
    #[oai(nullable)]
    pub portal_access: Option<PortalAccessBody>,
}

/// A new contact, optionally linked to a customer or supplier at once.
#[derive(Debug, Clone, Object)]
pub(crate) struct NewContactBody {
    #[oai(flatten)]
    pub contact: ContactBody,
    /// A customer or supplier to link the contact to.
    #[oai(nullable)]
    pub account_id: Option<Uuid>,
    /// The contact's position at that account.
    #[oai(nullable)]
    pub link_position: Option<Text>,
    /// Make it that account's primary contact (replacing the current one).
    #[oai(nullable)]
    pub is_primary: Option<bool>,
    /// Portal access to turn on as the contact is created (as the form's boxes):
    /// it needs a main email and a link to an account of that portal's kind.
    #[oai(nullable)]
    pub portal_access: Option<PortalAccessBody>,
}

/// The portals a new contact gets access to: each one turned on with the
/// company's default role on the link, and an invitation mailed once the
/// contact is saved.
#[derive(Debug, Clone, Default, Object)]
#[oai(nullable_all)]
pub(crate) struct PortalAccessBody {
    /// The customer portal (the account must be a customer).
    pub customer: Option<bool>,
    /// The supplier portal (the account must be a supplier).
    pub supplier: Option<bool>,
}

impl PortalAccessBody {
    /// The portals asked for.
    pub fn portals(body: Option<&Self>) -> Vec<portico_domain::Portal> {
        let Some(body) = body else {
            return Vec::new();
        };
        [
            (portico_domain::Portal::Customer, body.customer),
            (portico_domain::Portal::Supplier, body.supplier),
        ]
        .into_iter()
        .filter(|(_, on)| *on == Some(true))
        .map(|(p, _)| p)
        .collect()
    }
}

/// A link to create or change.
#[derive(Debug, Clone, Object)]
pub(crate) struct LinkBody {
    /// The customer or supplier (ignored when changing a link).
    #[oai(nullable)]
    pub account_id: Option<Uuid>,
    #[oai(nullable)]
    pub position: Option<Text>,
    #[oai(nullable)]
    pub is_primary: Option<bool>,
}

impl From<&LinkBody> for LinkInput {
    fn from(b: &LinkBody) -> Self {
        LinkInput {
            link_position: text(&b.position),
            is_primary: flag(b.is_primary),
        }
    }
}

/// A contact's link to a customer or supplier.
#[derive(Debug, Clone, Object)]
pub(crate) struct LinkOut {
    pub id: Uuid,
    pub account_id: Uuid,
    pub account_kind: Kind,
    pub account_code: String,
    pub account_name: String,
    #[oai(nullable)]
    pub position: Option<String>,
    pub is_primary: bool,
}

impl From<&ContactLink> for LinkOut {
    fn from(l: &ContactLink) -> Self {
        LinkOut {
            id: l.id.as_uuid(),
            account_id: l.account_id.as_uuid(),
            account_kind: l.account_kind.into(),
            account_code: l.account_code.clone(),
            account_name: l.account_name.clone(),
            position: l.fields.position.clone(),
            is_primary: l.fields.is_primary,
        }
    }
}

/// A contact with its links.
#[derive(Debug, Clone, Object)]
pub(crate) struct ContactOut {
    pub id: Uuid,
    pub display_name: String,
    #[oai(flatten)]
    pub fields: ContactBody,
    pub archived: bool,
    /// Whether it has a photo (`GET /contacts/{id}/photo`).
    pub has_photo: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub links: Vec<LinkOut>,
}

fn some(value: bool) -> Option<bool> {
    Some(value)
}

impl ContactOut {
    pub fn new(c: &Contact, links: &[ContactLink]) -> Self {
        let f = &c.fields;
        let email = |e: &Option<portico_domain::Email>| e.as_ref().map(|e| e.as_str().to_owned());
        ContactOut {
            id: c.id.as_uuid(),
            display_name: c.display_name.clone(),
            fields: ContactBody {
                title_id: f.title_id,
                first_name: f.first_name.clone().map(Text),
                last_name: f.last_name.clone().map(Text),
                nickname: f.nickname.clone().map(Text),
                position: f.position.clone().map(Text),
                department: f.department.clone().map(Text),
                category_id: f.category_id,
                owner_id: f.owner_id,
                notes: f.notes.clone().map(Text),
                preferences: f.preferences.clone().map(Text),
                id_doc_type: f.id_doc_type.clone().map(Text),
                id_doc_number: f.id_doc_number.clone().map(Text),
                nationality: f.nationality.clone().map(Text),
                licence_number: f.licence_number.clone().map(Text),
                licence_category: f.licence_category.clone().map(Text),
                licence_expiry: f.licence_expiry.map(Date),
                email: email(&f.email).map(Text),
                personal_email: email(&f.personal_email).map(Text),
                phone: f.phone.clone().map(Text),
                mobile: f.mobile.clone().map(Text),
                fax: f.fax.clone().map(Text),
                facebook_url: f.facebook_url.clone().map(Text),
                linkedin_url: f.linkedin_url.clone().map(Text),
                x_url: f.x_url.clone().map(Text),
                street: f.street.clone().map(Text),
                city: f.city.clone().map(Text),
                state: f.state.clone().map(Text),
                postal_code: f.postal_code.clone().map(Text),
                country: f.country.clone().map(Text),
                email_opt_out: some(f.email_opt_out),
                preferred_language: f.preferred_language.map(|l| l.tag().to_owned()).map(Text),
                important_dates: Some(
                    f.important_dates
                        .iter()
                        .map(|d| DateBody {
                            label: Text(d.label.clone()),
                            date: Date(d.date),
                        })
                        .collect(),
                ),
            },
            archived: c.archived_at.is_some(),
            has_photo: c.photo_id.is_some(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            links: links
                .iter()
                .filter(|l| l.contact_id == c.id)
                .map(LinkOut::from)
                .collect(),
        }
    }
}

/// One page of contacts.
#[derive(Debug, Clone, Object)]
pub(crate) struct ContactPage {
    pub items: Vec<ContactOut>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[oai(nullable)]
    pub next: Option<String>,
}

/// One entry of a record's history.
#[derive(Debug, Clone, Object)]
pub(crate) struct HistoryOut {
    pub at: DateTime<Utc>,
    /// `staff`, `api_key`, `operator` or `system`.
    pub actor_kind: String,
    #[oai(nullable)]
    pub actor_id: Option<Uuid>,
    #[oai(nullable)]
    pub actor_name: Option<String>,
    /// A dotted verb such as `contact.update`.
    pub action: String,
    /// Fields before and after.
    pub changes: serde_json::Value,
}

impl From<&AuditEvent> for HistoryOut {
    fn from(e: &AuditEvent) -> Self {
        HistoryOut {
            at: e.occurred_at,
            actor_kind: e.actor_kind.clone(),
            actor_id: e.actor_id,
            actor_name: e.actor_name.clone(),
            action: e.action.clone(),
            changes: e.changes.clone(),
        }
    }
}

/// The opaque `after` value of a list: the last row's sort key and id.
pub(crate) fn encode_cursor(cursor: &NameCursor) -> String {
    format!("{}:{}", cursor.id, cursor.name)
}

/// Reads an `after` value; a malformed one is a 400.
pub(crate) fn decode_cursor(
    raw: Option<&str>,
) -> Result<Option<NameCursor>, portico_web::AppError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let (id, name) = raw
        .split_once(':')
        .ok_or(portico_web::AppError::BadRequest(
            "error-bad-request-detail",
        ))?;
    Ok(Some(NameCursor {
        name: name.to_owned(),
        id: id
            .parse()
            .map_err(|_| portico_web::AppError::BadRequest("error-bad-request-detail"))?,
    }))
}
