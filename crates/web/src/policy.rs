//! Portal policies for requests — and, for telling a customer's people about
//! a record, the same scope built outside a request. Each instance knows every tenant's current
//! policy version — from its own changes, from the other instances' broadcasts
//! (Redis pub/sub when Redis is configured) and from a periodic check that
//! catches a lost message — and loads a contact's policy through the bounded
//! cache, keyed by that version, on first use.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};

use futures_util::StreamExt;
use portico_auth::RedisHandle;
use portico_authz::{
    PortalScope,
    portal::{ContactPolicy, LinkGrant, PolicyCache, PolicyInput, RoleGrant},
};
use portico_data::{
    AccountContact, AccountId, BranchId, ContactId, ContactPolicyRows, DataError, Database, Tenant,
    TenantId,
};
use portico_domain::{BranchScope, Permission, Portal};

use crate::AppError;

/// How often the versions of the tenants this instance serves are re-read.
const BACKSTOP: Duration = Duration::from_secs(5);
/// The channel (under the Redis prefix) version changes are published on.
const CHANNEL: &str = "policy";

/// What `person` may do for `account` in `portal` now, built from its
/// link's rows as a request's scope is (for telling people about a record
/// outside their requests); `None` when it has no access there.
pub async fn scope_of(
    tenant: TenantId,
    person: &AccountContact,
    portal: Portal,
    account: AccountId,
) -> Result<Option<PortalScope>, AppError> {
    let policy = ContactPolicy::build(policy_input(tenant, person.rows.clone()))
        .await
        .map_err(AppError::internal)?;
    Ok(policy.scope(portal, account.as_uuid()))
}

/// Whether `scope` sees a record of `branch` (every scope sees the
/// account's own records, of no branch).
pub fn sees(scope: &PortalScope, branch: Option<BranchId>) -> bool {
    branch.is_none_or(|b| scope.narrowed_to(b).is_some())
}

/// The portal policies of this process.
pub struct Policies {
    db: Database,
    redis: Option<RedisHandle>,
    versions: RwLock<HashMap<TenantId, i64>>,
    cache: PolicyCache,
}

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policies")
            .field("cache", &self.cache)
            .finish()
    }
}

/// Turns the stored rows into the policy input (permissions the portal does
/// not have are dropped: the rows were checked when written).
pub fn policy_input(tenant: TenantId, rows: ContactPolicyRows) -> PolicyInput {
    let roles: HashMap<uuid::Uuid, RoleGrant> = rows
        .roles
        .iter()
        .map(|r| {
            let grant = RoleGrant {
                id: r.id,
                name_es: r.name_es.clone(),
                name_en: r.name_en.clone(),
                permissions: r
                    .permissions
                    .iter()
                    .filter_map(|p| Permission::parse(r.portal, p))
                    .collect(),
            };
            (r.id, grant)
        })
        .collect();
    PolicyInput {
        tenant: tenant.as_uuid(),
        contact: rows.contact.as_uuid(),
        session_epoch: rows.session_epoch,
        customer_portal: rows.customer_portal,
        supplier_portal: rows.supplier_portal,
        links: rows
            .links
            .into_iter()
            .map(|l| LinkGrant {
                account: l.account_id.as_uuid(),
                portal: l.portal,
                account_name: l.account_name,
                roles: l
                    .role_ids
                    .iter()
                    .filter_map(|id| roles.get(id).cloned())
                    .collect(),
                permissions: l
                    .permissions
                    .iter()
                    .filter_map(|p| Permission::parse(l.portal, p))
                    .collect(),
                branches: if l.all_branches {
                    BranchScope::All
                } else {
                    BranchScope::Only(l.branch_ids.into_iter().map(Into::into).collect())
                },
            })
            .collect(),
    }
}

impl Policies {
    /// Policies over `db`, broadcasting through `redis` when given; at most
    /// `capacity` contacts' policies are held.
    pub fn new(db: Database, redis: Option<RedisHandle>, capacity: u64) -> Arc<Self> {
        Arc::new(Self {
            db,
            redis,
            versions: RwLock::new(HashMap::new()),
            cache: PolicyCache::new(capacity),
        })
    }

    /// Starts following this process's committed changes (announcing them to
    /// the other instances), the other instances' changes, and the periodic check.
    pub fn start(self: &Arc<Self>) {
        let mut committed = self.db.policy_changes();
        let me = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let change = committed.recv().await;
                let Some(me) = me.upgrade() else { break };
                match change {
                    Ok((tenant, version)) => me.announce(tenant, version).await,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        let _ = me.refresh().await;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        if self.redis.is_some() {
            let me = Arc::clone(self);
            tokio::spawn(async move { me.listen().await });
        }
        let me = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(BACKSTOP);
            loop {
                ticker.tick().await;
                let Some(me) = me.upgrade() else { break };
                if let Err(e) = me.refresh().await {
                    tracing::warn!(error = %e, "policy version check failed");
                }
            }
        });
    }

    /// The newest version this instance knows of: heard of, or committed here
    /// (the latter is set before the commit returns, so a request that follows
    /// a change of this process always sees it).
    fn known(&self, tenant: TenantId) -> Option<i64> {
        let heard = self.versions.read().ok()?.get(&tenant).copied();
        heard.max(self.db.committed_policy_version(tenant))
    }

    /// Records a version; versions only move forward.
    fn learn(&self, tenant: TenantId, version: i64) {
        if let Ok(mut map) = self.versions.write() {
            let entry = map.entry(tenant).or_insert(version);
            *entry = (*entry).max(version);
        }
    }

    /// The tenant's current policy version.
    pub async fn version(&self, tenant: &Tenant) -> Result<i64, DataError> {
        if let Some(v) = self.known(tenant.id()) {
            return Ok(v);
        }
        let mut tx = self.db.tenant_tx(tenant).await?;
        let v = tx.policy().version().await?;
        tx.commit().await?;
        self.learn(tenant.id(), v);
        Ok(v)
    }

    /// A version this process committed: used here at once, and published for
    /// the other instances.
    async fn announce(&self, tenant: TenantId, version: i64) {
        self.learn(tenant, version);
        if let Some(redis) = &self.redis {
            let channel = redis.key(CHANNEL, "changes");
            let message = format!("{} {version}", tenant.as_uuid());
            if let Err(e) = redis.publish(&channel, &message).await {
                tracing::warn!(error = %e, "could not broadcast a policy change");
            }
        }
    }

    /// A contact's policy at the tenant's current version; `None` when the
    /// contact is not there (or archived).
    pub async fn policy(
        &self,
        tenant: &Tenant,
        contact: ContactId,
    ) -> Result<Option<Arc<ContactPolicy>>, AppError> {
        let version = self.version(tenant).await?;
        let key = (tenant.id().as_uuid(), contact.as_uuid(), version);
        let load = async {
            let mut tx = self.db.tenant_tx(tenant).await?;
            let rows = tx.policy().contact_rows(contact).await?;
            tx.commit().await?;
            Ok::<_, AppError>(rows.map(|r| policy_input(tenant.id(), r)))
        };
        self.cache.get_or_load(key, load).await
    }

    /// Policies held now.
    pub async fn cached(&self) -> u64 {
        self.cache.len().await
    }

    /// Re-reads the versions of the tenants this instance has served.
    async fn refresh(&self) -> Result<(), DataError> {
        let tenants: Vec<TenantId> = match self.versions.read() {
            Ok(map) => map.keys().copied().collect(),
            Err(_) => return Ok(()),
        };
        if tenants.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.platform_tx().await?;
        let versions = tx.policy_versions(&tenants).await?;
        tx.commit().await?;
        for (tenant, version) in versions {
            self.learn(tenant, version);
        }
        Ok(())
    }

    /// Follows the other instances' changes; reconnects after a lost connection
    /// (and re-reads every version, since messages may have been missed).
    async fn listen(self: Arc<Self>) {
        let Some(redis) = self.redis.clone() else {
            return;
        };
        let channel = redis.key(CHANNEL, "changes");
        loop {
            match redis.pubsub().await {
                Ok(mut pubsub) => {
                    if let Err(e) = pubsub.subscribe(&channel).await {
                        tracing::warn!(error = %e, "could not subscribe to policy changes");
                    } else {
                        let _ = self.refresh().await;
                        let mut messages = pubsub.on_message();
                        while let Some(message) = messages.next().await {
                            let Ok(text) = message.get_payload::<String>() else {
                                continue;
                            };
                            if let Some((tenant, version)) = text.split_once(' ')
                                && let (Ok(tenant), Ok(version)) =
                                    (tenant.parse::<uuid::Uuid>(), version.parse::<i64>())
                            {
                                self.learn(tenant.into(), version);
                            }
                        }
                    }
                }
                // While the circuit is open, the outage has been reported already.
                Err(portico_auth::RedisFailure::CircuitOpen { .. }) => {}
                Err(e) => tracing::warn!(error = %e, "policy change listener lost Redis"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}
