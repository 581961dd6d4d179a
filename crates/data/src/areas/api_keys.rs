//! Per-tenant API keys for the admin API. Only the SHA-256 of a key is stored;
//! the key itself is shown once, when it is created.

use chrono::{DateTime, Duration, Utc};
use portico_domain::StaffRole;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde_json::json;
use uuid::Uuid;

use crate::tables::ApiKeys;
use crate::{ApiKeyId, By, DataError, TenantTx};

/// An API key as listed (never its secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    /// The back-office role the key acts with (never `owner`).
    pub role: StaffRole,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: Uuid,
    name: String,
    role: String,
    prefix: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<ApiKeyRow> for ApiKey {
    type Error = DataError;

    fn try_from(r: ApiKeyRow) -> Result<Self, DataError> {
        Ok(ApiKey {
            id: r.id.into(),
            name: r.name,
            role: r
                .role
                .parse()
                .map_err(|e| DataError::Corrupt(format!("{e}")))?,
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
    }
}

const COLUMNS: [ApiKeys; 7] = [
    ApiKeys::Id,
    ApiKeys::Name,
    ApiKeys::Role,
    ApiKeys::Prefix,
    ApiKeys::CreatedAt,
    ApiKeys::LastUsedAt,
    ApiKeys::RevokedAt,
];

/// How often the "last used" time of a key is written at most.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// The tenant's API keys for the admin API.
pub struct ApiKeysArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl ApiKeysArea<'_> {
    /// Stores a new key by its hash; `key` is the secret the caller shows once.
    pub async fn create(
        &mut self,
        name: &str,
        role: StaffRole,
        key: &str,
        key_hash: &str,
        by: By<'_>,
    ) -> Result<ApiKey, DataError> {
        if role == StaffRole::Owner {
            return Err(DataError::Corrupt("API keys cannot act as owner".into()));
        }
        let id = ApiKeyId::generate();
        let prefix: String = key.chars().take(10).collect();
        let created_by = match by.actor {
            crate::Actor::Staff(user) => Some(user.as_uuid()),
            _ => None,
        };
        let insert = Query::insert()
            .into_table(ApiKeys::Table)
            .columns([
                ApiKeys::TenantId,
                ApiKeys::Id,
                ApiKeys::Name,
                ApiKeys::Role,
                ApiKeys::KeyHash,
                ApiKeys::Prefix,
                ApiKeys::CreatedBy,
                ApiKeys::CreatedAt,
            ])
            .values_panic([
                self.tx.tenant_id().as_uuid().into(),
                id.as_uuid().into(),
                name.into(),
                role.as_str().into(),
                key_hash.into(),
                prefix.clone().into(),
                created_by.into(),
                Utc::now().into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        self.tx
            .audit()
            .log(
                by,
                "api_key.create",
                ("api_key", id.as_uuid()),
                None,
                json!({ "after": { "name": name, "role": role, "prefix": prefix } }),
            )
            .await?;
        let select = Query::select()
            .columns(COLUMNS)
            .from(ApiKeys::Table)
            .and_where(Expr::col(ApiKeys::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ApiKeys::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<ApiKeyRow>(&select)
            .await?
            .ok_or_else(|| DataError::Corrupt("API key vanished after insert".into()))?
            .try_into()
    }

    /// This tenant's keys, newest first, at most `limit`.
    pub async fn list(&mut self, limit: u64) -> Result<Vec<ApiKey>, DataError> {
        let select = Query::select()
            .columns(COLUMNS)
            .from(ApiKeys::Table)
            .and_where(Expr::col(ApiKeys::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .order_by(ApiKeys::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        self.tx
            .conn
            .fetch_all::<ApiKeyRow>(&select)
            .await?
            .into_iter()
            .map(ApiKey::try_from)
            .collect()
    }

    /// The unrevoked key of this tenant with this hash; records its use (at most
    /// once a minute).
    pub async fn use_key(&mut self, key_hash: &str) -> Result<Option<ApiKey>, DataError> {
        let select = Query::select()
            .columns(COLUMNS)
            .from(ApiKeys::Table)
            .and_where(Expr::col(ApiKeys::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ApiKeys::KeyHash).eq(key_hash))
            .and_where(Expr::col(ApiKeys::RevokedAt).is_null())
            .to_owned();
        let Some(key) = self
            .tx
            .conn
            .fetch_optional::<ApiKeyRow>(&select)
            .await?
            .map(ApiKey::try_from)
            .transpose()?
        else {
            return Ok(None);
        };
        let now = Utc::now();
        if key.last_used_at.is_none_or(|t| now - t > TOUCH_EVERY) {
            let update = Query::update()
                .table(ApiKeys::Table)
                .value(ApiKeys::LastUsedAt, now)
                .and_where(Expr::col(ApiKeys::TenantId).eq(self.tx.tenant_id().as_uuid()))
                .and_where(Expr::col(ApiKeys::Id).eq(key.id.as_uuid()))
                .to_owned();
            self.tx.conn.execute(&update).await?;
        }
        Ok(Some(key))
    }

    /// Revokes a key at once; `false` when it is not this tenant's or already revoked.
    pub async fn revoke(&mut self, id: ApiKeyId, by: By<'_>) -> Result<bool, DataError> {
        let update = Query::update()
            .table(ApiKeys::Table)
            .value(ApiKeys::RevokedAt, Utc::now())
            .and_where(Expr::col(ApiKeys::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ApiKeys::Id).eq(id.as_uuid()))
            .and_where(Expr::col(ApiKeys::RevokedAt).is_null())
            .to_owned();
        if self.tx.conn.execute(&update).await? == 0 {
            return Ok(false);
        }
        self.tx
            .audit()
            .log(
                by,
                "api_key.revoke",
                ("api_key", id.as_uuid()),
                None,
                json!({}),
            )
            .await?;
        Ok(true)
    }
}
