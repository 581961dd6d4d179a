//! Resolving the tenant named by the host, with a short-lived cache.

use std::time::Duration;

use moka::future::Cache;
use poem::{FromRequest, Request, RequestBody};
use portico_data::{DataError, Database, Tenant};
use portico_domain::Slug;

use crate::AppError;

/// Looks tenants up by slug. Entries live a few seconds so a suspension made by
/// another instance takes effect quickly; this instance's own changes call
/// [`TenantResolver::forget`].
#[derive(Clone)]
pub struct TenantResolver {
    db: Database,
    cache: Cache<Slug, Option<Tenant>>,
}

impl TenantResolver {
    pub fn new(db: Database) -> Self {
        let cache = Cache::builder()
            .max_capacity(10_000)
            .time_to_live(Duration::from_secs(5))
            .build();
        Self { db, cache }
    }

    /// The tenant with this slug, whatever its status, or `None`.
    pub async fn resolve(&self, slug: &Slug) -> Result<Option<Tenant>, DataError> {
        if let Some(hit) = self.cache.get(slug).await {
            return Ok(hit);
        }
        let mut tx = self.db.platform_tx().await?;
        let tenant = tx.find_tenant_by_slug(slug).await?;
        tx.commit().await?;
        self.cache.insert(slug.clone(), tenant.clone()).await;
        Ok(tenant)
    }

    /// Drops a cached entry after a change to that tenant.
    pub async fn forget(&self, slug: &Slug) {
        self.cache.invalidate(slug).await;
    }
}

/// The active tenant the request's host resolved to (inserted by the site router).
#[derive(Debug, Clone)]
pub struct CurrentTenant(pub Tenant);

impl<'a> FromRequest<'a> for CurrentTenant {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        req.extensions()
            .get::<CurrentTenant>()
            .cloned()
            .ok_or_else(|| AppError::NotFound.into())
    }
}
