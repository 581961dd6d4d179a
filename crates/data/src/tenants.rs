//! The tenant registry: companies, their slug, language, currency, limits and status.

use chrono::{DateTime, Utc};
use portico_domain::company::CompanyProfile;
use portico_domain::{Currency, Locale, RequiredFields, Slug};
use sea_query::{Alias, Expr, ExprTrait, Func, Order, Query, SelectStatement};
use uuid::Uuid;

use crate::exec::Conn;
use crate::tables::{ContactImports, MailOutbox, Tenants};
use crate::{DataError, OperatorTx, PlatformTx, TenantId};

const COLUMNS: [Tenants; 14] = [
    Tenants::Id,
    Tenants::Slug,
    Tenants::Name,
    Tenants::Locale,
    Tenants::Currency,
    Tenants::Status,
    Tenants::MaxContacts,
    Tenants::ContactRequired,
    Tenants::LegalName,
    Tenants::TaxId,
    Tenants::Address,
    Tenants::LogoId,
    Tenants::CreatedAt,
    Tenants::UpdatedAt,
];

/// Whether a tenant is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantStatus {
    Active,
    Suspended,
}

impl TenantStatus {
    fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
        }
    }
}

/// A company using Portico. Only the registry constructs one, so holding a
/// `Tenant` means it was resolved from the database, never from user input.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Tenant {
    id: TenantId,
    slug: Slug,
    name: String,
    locale: Locale,
    currency: String,
    status: TenantStatus,
    max_contacts: Option<i32>,
    contact_required: RequiredFields,
    profile: CompanyProfile,
    logo_id: Option<Uuid>,
    created_at: DateTime<Utc>,
}

impl Tenant {
    pub fn id(&self) -> TenantId {
        self.id
    }
    pub fn slug(&self) -> &Slug {
        &self.slug
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn locale(&self) -> Locale {
        self.locale
    }
    pub fn currency(&self) -> &str {
        &self.currency
    }
    pub fn status(&self) -> TenantStatus {
        self.status
    }
    pub fn is_active(&self) -> bool {
        self.status == TenantStatus::Active
    }
    pub fn max_contacts(&self) -> Option<i32> {
        self.max_contacts
    }
    /// Which names every contact of this company must have.
    pub fn contact_required(&self) -> RequiredFields {
        self.contact_required
    }
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// The legal name, tax id and address its documents carry.
    pub fn profile(&self) -> &CompanyProfile {
        &self.profile
    }
    /// The company's logo (a PNG in the file store), when it has one.
    pub fn logo_id(&self) -> Option<Uuid> {
        self.logo_id
    }
}

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: Uuid,
    slug: String,
    name: String,
    locale: String,
    currency: String,
    status: String,
    max_contacts: Option<i32>,
    contact_required: String,
    legal_name: Option<String>,
    tax_id: Option<String>,
    address: Option<String>,
    logo_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    #[allow(dead_code)]
    updated_at: DateTime<Utc>,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = DataError;

    fn try_from(row: TenantRow) -> Result<Self, DataError> {
        Ok(Tenant {
            id: row.id.into(),
            slug: Slug::parse(&row.slug)
                .map_err(|e| DataError::Corrupt(format!("tenant slug: {e}")))?,
            name: row.name,
            locale: Locale::from_tag(&row.locale).unwrap_or_default(),
            currency: row.currency,
            status: match row.status.as_str() {
                "active" => TenantStatus::Active,
                "suspended" => TenantStatus::Suspended,
                other => return Err(DataError::Corrupt(format!("tenant status {other:?}"))),
            },
            max_contacts: row.max_contacts,
            contact_required: row.contact_required.parse().map_err(DataError::Corrupt)?,
            profile: CompanyProfile {
                legal_name: row.legal_name,
                tax_id: row.tax_id,
                address: row.address,
            },
            logo_id: row.logo_id,
            created_at: row.created_at,
        })
    }
}

/// What an operator provides to create a company.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub slug: Slug,
    pub name: String,
    pub locale: Locale,
    pub currency: Currency,
    pub max_contacts: Option<i32>,
}

impl PlatformTx {
    /// Finds a company by slug, whatever its status.
    pub async fn find_tenant_by_slug(&mut self, slug: &Slug) -> Result<Option<Tenant>, DataError> {
        let select = Query::select()
            .columns(COLUMNS)
            .from(Tenants::Table)
            .and_where(Expr::col(Tenants::Slug).eq(slug.as_str()))
            .to_owned();
        self.conn
            .fetch_optional::<TenantRow>(&select)
            .await?
            .map(Tenant::try_from)
            .transpose()
    }

    /// Every company, by slug.
    pub async fn list_tenants(&mut self) -> Result<Vec<Tenant>, DataError> {
        self.tenants_where(None).await
    }

    /// The companies with mail due by `by`: the mail dispatcher's worklist.
    pub async fn tenants_with_due_mail(
        &mut self,
        by: DateTime<Utc>,
    ) -> Result<Vec<Tenant>, DataError> {
        let ids = match self.conn {
            // Across companies only an owner function may look (row-level
            // security); it answers ids, nothing of the rows (migration 0013).
            Conn::Postgres(_) => Query::select()
                .expr(Expr::cust("m"))
                .from_function(
                    Func::cust(Alias::new("portico_tenants_with_due_mail")).arg(by),
                    Alias::new("m"),
                )
                .to_owned(),
            Conn::Sqlite(_) => Query::select()
                .distinct()
                .column(MailOutbox::TenantId)
                .from(MailOutbox::Table)
                .and_where(Expr::col(MailOutbox::SentAt).is_null())
                .and_where(Expr::col(MailOutbox::NextAttemptAt).is_not_null())
                .and_where(Expr::col(MailOutbox::NextAttemptAt).lte(by))
                .to_owned(),
        };
        self.tenants_among(ids).await
    }

    /// The companies with an import being checked or imported: the import
    /// sweep's worklist.
    pub async fn tenants_with_running_imports(&mut self) -> Result<Vec<Tenant>, DataError> {
        let ids = match self.conn {
            Conn::Postgres(_) => Query::select()
                .expr(Expr::cust("m"))
                .from_function(
                    Func::cust(Alias::new("portico_tenants_with_running_imports")),
                    Alias::new("m"),
                )
                .to_owned(),
            Conn::Sqlite(_) => Query::select()
                .distinct()
                .column(ContactImports::TenantId)
                .from(ContactImports::Table)
                .and_where(Expr::col(ContactImports::State).is_in(["checking", "importing"]))
                .to_owned(),
        };
        self.tenants_among(ids).await
    }

    /// The companies whose ids `ids` selects, by slug.
    async fn tenants_among(&mut self, ids: SelectStatement) -> Result<Vec<Tenant>, DataError> {
        self.tenants_where(Some(ids)).await
    }

    /// Every company, or those whose ids `ids` selects; by slug.
    async fn tenants_where(
        &mut self,
        ids: Option<SelectStatement>,
    ) -> Result<Vec<Tenant>, DataError> {
        let mut select = Query::select()
            .columns(COLUMNS)
            .from(Tenants::Table)
            .order_by(Tenants::Slug, Order::Asc)
            .to_owned();
        if let Some(ids) = ids {
            select.and_where(Expr::col(Tenants::Id).in_subquery(ids));
        }
        self.conn
            .fetch_all::<TenantRow>(&select)
            .await?
            .into_iter()
            .map(Tenant::try_from)
            .collect()
    }

    /// The policy versions of these companies (a backstop for lost broadcasts).
    pub async fn policy_versions(
        &mut self,
        ids: &[TenantId],
    ) -> Result<Vec<(TenantId, i64)>, DataError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = Query::select()
            .columns([Tenants::Id, Tenants::PolicyVersion])
            .from(Tenants::Table)
            .and_where(Expr::col(Tenants::Id).is_in(ids.iter().map(|t| t.as_uuid())))
            .to_owned();
        let rows: Vec<(uuid::Uuid, i64)> = self.conn.fetch_all(&select).await?;
        Ok(rows.into_iter().map(|(id, v)| (id.into(), v)).collect())
    }
}

impl OperatorTx {
    /// Registers a new company; a taken slug is a [`DataError::Conflict`].
    pub async fn create_tenant(&mut self, new: &NewTenant) -> Result<Tenant, DataError> {
        let now = Utc::now();
        let id = TenantId::generate();
        let insert = Query::insert()
            .into_table(Tenants::Table)
            .columns([
                Tenants::Id,
                Tenants::Slug,
                Tenants::Name,
                Tenants::Locale,
                Tenants::Currency,
                Tenants::Status,
                Tenants::MaxContacts,
                Tenants::ContactRequired,
                Tenants::CreatedAt,
                Tenants::UpdatedAt,
            ])
            .values_panic([
                id.as_uuid().into(),
                new.slug.as_str().into(),
                new.name.clone().into(),
                new.locale.tag().into(),
                new.currency.as_str().into(),
                TenantStatus::Active.as_str().into(),
                new.max_contacts.into(),
                RequiredFields::default().as_str().into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        self.conn.execute(&insert).await?;
        self.find_tenant_by_slug(&new.slug)
            .await?
            .ok_or_else(|| DataError::Corrupt("tenant vanished after insert".into()))
    }

    /// Suspends or reactivates a company; returns it as it now is, or `None`
    /// when no company has that slug.
    pub async fn set_tenant_status(
        &mut self,
        slug: &Slug,
        status: TenantStatus,
    ) -> Result<Option<Tenant>, DataError> {
        let update = Query::update()
            .table(Tenants::Table)
            .values([
                (Tenants::Status, status.as_str().into()),
                (Tenants::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(Tenants::Slug).eq(slug.as_str()))
            .to_owned();
        if self.conn.execute(&update).await? == 0 {
            return Ok(None);
        }
        self.find_tenant_by_slug(slug).await
    }
}
