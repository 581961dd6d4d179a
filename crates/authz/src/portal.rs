//! The portal model (`policies/portal.conf`): one contact's policy — the rules of
//! the roles it holds and its links — as a casbin enforcer; the decisions, the
//! scope handed to handlers and the explanation of a decision; and the bounded
//! cache of policies keyed by tenant, contact and policy version.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi};
use portico_domain::{BranchScope, Permission, Portal, ids::BranchId};
use uuid::Uuid;

use crate::{PolicyError, PortalScope};

const MODEL: &str = include_str!("../../../policies/portal.conf");

/// A role a link holds, with the permissions it bundles.
#[derive(Debug, Clone)]
pub struct RoleGrant {
    pub id: Uuid,
    /// The names people read: Spanish, English.
    pub name_es: String,
    pub name_en: String,
    pub permissions: Vec<Permission>,
}

/// One link of the contact: the account, its roles, its individual permissions
/// and the branches it sees.
#[derive(Debug, Clone)]
pub struct LinkGrant {
    pub account: Uuid,
    pub portal: Portal,
    pub account_name: String,
    pub roles: Vec<RoleGrant>,
    pub permissions: Vec<Permission>,
    pub branches: BranchScope,
}

/// Everything one contact's policy is built from.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    pub tenant: Uuid,
    pub contact: Uuid,
    /// The contact's session epoch: sessions from another epoch are over.
    pub session_epoch: i32,
    pub customer_portal: bool,
    pub supplier_portal: bool,
    pub links: Vec<LinkGrant>,
}

/// One step of an explanation: a message id and what it is about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    /// `ok` (this step lets it through), `no` (this step stops it) or `info`.
    pub outcome: &'static str,
    pub message: &'static str,
    /// The names the message is about (a role, an account, a branch…).
    pub subject: String,
}

/// Why a contact may or may not do something.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Explanation {
    pub allowed: bool,
    pub steps: Vec<Step>,
}

/// The size of a contact's policy, in casbin lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PolicyLines {
    pub p: usize,
    pub g: usize,
    pub g2: usize,
}

impl Explanation {
    /// The answer for a contact that has no policy at all (archived).
    pub fn contact_archived() -> Self {
        Explanation {
            allowed: false,
            steps: vec![Step {
                outcome: "no",
                message: "explain-contact-archived",
                subject: String::new(),
            }],
        }
    }
}

/// A contact's policy: casbin's decisions for every permission of every account
/// the contact may act for, and the branches it sees there, taken from a
/// per-contact enforcer once at load. The enforcer itself (a script engine,
/// ~170 KiB) is not kept: a cached entry is a few sets, and a check a lookup.
pub struct ContactPolicy {
    input: PolicyInput,
    granted: HashSet<(Portal, Uuid, Permission)>,
    branches: HashMap<(Portal, Uuid), BranchScope>,
    lines: PolicyLines,
}

impl std::fmt::Debug for ContactPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContactPolicy")
            .field("contact", &self.input.contact)
            .finish()
    }
}

fn domain(portal: Portal, account: Uuid) -> String {
    format!("{portal}:{account}")
}

/// Which branches `subject` sees in domain `dom`, as the `g2` lines say.
fn branches_of(enforcer: &Enforcer, subject: &str, dom: &str) -> BranchScope {
    let lines = enforcer.get_filtered_named_grouping_policy("g2", 0, vec![subject.to_owned()]);
    let mut ids = Vec::new();
    for line in lines
        .iter()
        .filter(|l| l.get(2).map(String::as_str) == Some(dom))
    {
        match line.get(1).and_then(|b| b.strip_prefix("branch:")) {
            Some("*") => return BranchScope::All,
            Some(id) => ids.extend(id.parse::<BranchId>().ok()),
            None => {}
        }
    }
    ids.sort();
    BranchScope::Only(ids)
}

fn perm_role(permission: Permission) -> String {
    format!("perm:{permission}")
}

fn role_subject(id: Uuid) -> String {
    format!("role:{id}")
}

impl ContactPolicy {
    /// Builds the enforcer: `p` rules for the roles this contact holds and the
    /// one-permission roles of its individual grants; `g` lines from the contact
    /// to those roles per account, `g2` lines to the branches it sees. Nothing
    /// for a portal whose access is off.
    pub async fn build(input: PolicyInput) -> Result<Self, PolicyError> {
        let err = |e: casbin::Error| PolicyError(e.to_string());
        let model = DefaultModel::from_str(MODEL).await.map_err(err)?;
        let mut enforcer = Enforcer::new(model, MemoryAdapter::default())
            .await
            .map_err(err)?;
        let subject = format!("contact:{}", input.contact);
        let mut rules: Vec<Vec<String>> = Vec::new();
        let mut roles: Vec<Vec<String>> = Vec::new();
        let mut branches: Vec<Vec<String>> = Vec::new();
        let rule =
            |sub: String, p: Permission| vec![sub, p.object().to_owned(), p.action().to_owned()];
        for link in input.links.iter().filter(|l| input.has(l.portal)) {
            let dom = domain(link.portal, link.account);
            for role in &link.roles {
                let sub = role_subject(role.id);
                for p in &role.permissions {
                    rules.push(rule(sub.clone(), *p));
                }
                roles.push(vec![subject.clone(), sub, dom.clone()]);
            }
            for p in &link.permissions {
                rules.push(rule(perm_role(*p), *p));
                roles.push(vec![subject.clone(), perm_role(*p), dom.clone()]);
            }
            match &link.branches {
                BranchScope::All => branches.push(vec![subject.clone(), "branch:*".into(), dom]),
                BranchScope::Only(ids) => branches.extend(
                    ids.iter()
                        .map(|b| vec![subject.clone(), format!("branch:{b}"), dom.clone()]),
                ),
            }
        }
        rules.sort();
        rules.dedup();
        roles.sort();
        roles.dedup();
        if !rules.is_empty() {
            enforcer.add_policies(rules).await.map_err(err)?;
        }
        if !roles.is_empty() {
            enforcer.add_grouping_policies(roles).await.map_err(err)?;
        }
        if !branches.is_empty() {
            enforcer
                .add_named_grouping_policies("g2", branches)
                .await
                .map_err(err)?;
        }
        // Ask casbin once per permission of each account it may act for.
        let mut granted = HashSet::new();
        let mut visible = HashMap::new();
        for link in input.links.iter().filter(|l| input.has(l.portal)) {
            let dom = domain(link.portal, link.account);
            for p in link.portal.permissions() {
                let allowed = enforcer
                    .enforce((subject.as_str(), dom.as_str(), p.object(), p.action()))
                    .map_err(err)?;
                if allowed {
                    granted.insert((link.portal, link.account, *p));
                }
            }
            visible.insert(
                (link.portal, link.account),
                branches_of(&enforcer, &subject, &dom),
            );
        }
        let lines = PolicyLines {
            p: enforcer.get_policy().len(),
            g: enforcer.get_grouping_policy().len(),
            g2: enforcer.get_named_grouping_policy("g2").len(),
        };
        Ok(Self {
            input,
            granted,
            branches: visible,
            lines,
        })
    }

    pub fn contact(&self) -> Uuid {
        self.input.contact
    }

    /// The epoch a portal session must carry to be valid.
    pub fn session_epoch(&self) -> i32 {
        self.input.session_epoch
    }

    /// The link to an account, when the contact may act for it (its portal on).
    fn link(&self, portal: Portal, account: Uuid) -> Option<&LinkGrant> {
        self.input
            .links
            .iter()
            .find(|l| l.portal == portal && l.account == account && self.input.has(portal))
    }

    /// Whether the contact may do `permission` for `account` (as casbin decided).
    pub fn allows(&self, portal: Portal, account: Uuid, permission: Permission) -> bool {
        self.granted.contains(&(portal, account, permission))
    }

    /// The accounts the contact may act for in a portal (empty when its access
    /// to that portal is off), by name.
    pub fn accounts(&self, portal: Portal) -> Vec<(Uuid, &str)> {
        let mut accounts: Vec<(Uuid, &str)> = self
            .input
            .links
            .iter()
            .filter(|l| l.portal == portal && self.input.has(portal))
            .map(|l| (l.account, l.account_name.as_str()))
            .collect();
        accounts.sort_by(|a, b| a.1.cmp(b.1));
        accounts
    }

    /// Which branches the contact sees in an account (none when it may not act for it).
    fn branches(&self, portal: Portal, account: Uuid) -> BranchScope {
        self.branches
            .get(&(portal, account))
            .cloned()
            .unwrap_or(BranchScope::Only(Vec::new()))
    }

    /// What the contact may see and do for an account; `None` when it may not
    /// act for it at all (no link, or its portal access is off).
    pub fn scope(&self, portal: Portal, account: Uuid) -> Option<PortalScope> {
        self.link(portal, account)?;
        Some(PortalScope::granted(
            self.input.tenant.into(),
            self.input.contact.into(),
            account.into(),
            portal,
            portal
                .permissions()
                .iter()
                .copied()
                .filter(|p| self.allows(portal, account, *p))
                .collect(),
            self.branches(portal, account),
        ))
    }

    /// Why the contact may or may not do `permission` for `account` (and, for a
    /// branch-bound record, in `branch`): the chain contact → portal access →
    /// link → role or individual grant → branch. Agrees with [`Self::allows`].
    pub fn explain(
        &self,
        portal: Portal,
        account: Uuid,
        permission: Permission,
        branch: Option<(Uuid, String)>,
    ) -> Explanation {
        let mut steps = Vec::new();
        let step = |outcome, message, subject: String| Step {
            outcome,
            message,
            subject,
        };
        if !self.input.has(portal) {
            steps.push(step("no", "explain-portal-off", portal.as_str().to_owned()));
            return Explanation {
                allowed: false,
                steps,
            };
        }
        steps.push(step("ok", "explain-portal-on", portal.as_str().to_owned()));
        let Some(link) = self
            .input
            .links
            .iter()
            .find(|l| l.portal == portal && l.account == account)
        else {
            steps.push(step("no", "explain-no-link", String::new()));
            return Explanation {
                allowed: false,
                steps,
            };
        };
        steps.push(step("ok", "explain-link", link.account_name.clone()));
        let via_roles: Vec<&RoleGrant> = link
            .roles
            .iter()
            .filter(|r| r.permissions.contains(&permission))
            .collect();
        for role in &via_roles {
            steps.push(step("ok", "explain-role", role.name_es.clone()));
        }
        if link.permissions.contains(&permission) {
            steps.push(step("ok", "explain-grant", permission.name().to_owned()));
        }
        let granted = self.allows(portal, account, permission);
        if !granted {
            steps.push(step(
                "no",
                "explain-not-granted",
                permission.name().to_owned(),
            ));
            return Explanation {
                allowed: false,
                steps,
            };
        }
        if let Some((id, name)) = branch {
            match self.branches(portal, account) {
                BranchScope::All => steps.push(step("ok", "explain-all-branches", name)),
                BranchScope::Only(ids) if ids.contains(&BranchId::from(id)) => {
                    steps.push(step("ok", "explain-branch", name));
                }
                BranchScope::Only(_) => {
                    steps.push(step("no", "explain-branch-hidden", name));
                    return Explanation {
                        allowed: false,
                        steps,
                    };
                }
            }
        }
        Explanation {
            allowed: true,
            steps,
        }
    }

    /// The contact's links, for the policy explainer and the `me` endpoint.
    pub fn links(&self) -> &[LinkGrant] {
        &self.input.links
    }

    /// How many `p` rules, `g` lines (contact → role per account) and `g2` lines
    /// (contact → branch per account) the enforcer holds: what a check scans.
    pub fn line_counts(&self) -> PolicyLines {
        self.lines
    }

    /// Whether access to a portal is on.
    pub fn has_portal(&self, portal: Portal) -> bool {
        self.input.has(portal)
    }
}

impl PolicyInput {
    fn has(&self, portal: Portal) -> bool {
        match portal {
            Portal::Customer => self.customer_portal,
            Portal::Supplier => self.supplier_portal,
        }
    }
}

/// The key of a cached policy: the tenant's policy version is part of it, so a
/// bumped version makes every older entry unreachable (and soon evicted).
pub type PolicyKey = (Uuid, Uuid, i64);

/// Loaded contact policies, bounded in number and idle time.
#[derive(Clone)]
pub struct PolicyCache {
    cache: moka::future::Cache<PolicyKey, Arc<ContactPolicy>>,
}

impl std::fmt::Debug for PolicyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PolicyCache({} entries)", self.cache.entry_count())
    }
}

impl PolicyCache {
    /// A cache of at most `capacity` contacts' policies.
    pub fn new(capacity: u64) -> Self {
        Self {
            cache: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_idle(Duration::from_secs(30 * 60))
                .build(),
        }
    }

    /// The policy under `key`, loading it with `load` on a miss (concurrent
    /// misses for one key load once). `load` gives `None` for an unknown contact.
    pub async fn get_or_load<F, E>(
        &self,
        key: PolicyKey,
        load: F,
    ) -> Result<Option<Arc<ContactPolicy>>, E>
    where
        F: std::future::Future<Output = Result<Option<PolicyInput>, E>>,
        E: From<PolicyError> + Send + Sync + 'static,
    {
        if let Some(hit) = self.cache.get(&key).await {
            return Ok(Some(hit));
        }
        let Some(input) = load.await? else {
            return Ok(None);
        };
        let policy = Arc::new(ContactPolicy::build(input).await?);
        self.cache.insert(key, policy.clone()).await;
        Ok(Some(policy))
    }

    /// Entries held now (after pending evictions run).
    pub async fn len(&self) -> u64 {
        self.cache.run_pending_tasks().await;
        self.cache.entry_count()
    }

    pub async fn is_empty(&self) -> bool {
        self.len().await == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str) -> Permission {
        Permission::parse(Portal::Customer, name)
            .or_else(|| Permission::parse(Portal::Supplier, name))
            .unwrap()
    }

    fn sample() -> (PolicyInput, Uuid, Uuid, Uuid, Uuid) {
        let (carol, andinos, norte, sur) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let buyer = RoleGrant {
            id: Uuid::now_v7(),
            name_es: "Comprador".into(),
            name_en: "Buyer".into(),
            permissions: vec![p("quotes.view"), p("quotes.create")],
        };
        let input = PolicyInput {
            tenant: Uuid::now_v7(),
            contact: Uuid::now_v7(),
            session_epoch: 0,
            customer_portal: true,
            supplier_portal: false,
            links: vec![
                LinkGrant {
                    account: carol,
                    portal: Portal::Customer,
                    account_name: "Farmacia Carol".into(),
                    roles: vec![buyer],
                    permissions: vec![p("orders.authorize")],
                    branches: BranchScope::Only(vec![norte.into()]),
                },
                LinkGrant {
                    account: andinos,
                    portal: Portal::Supplier,
                    account_name: "Laboratorios Andinos".into(),
                    roles: vec![],
                    permissions: vec![p("purchase_orders.view")],
                    branches: BranchScope::All,
                },
            ],
        };
        (input, carol, andinos, norte, sur)
    }

    #[tokio::test]
    async fn a_link_allows_its_roles_and_grants_and_nothing_else() {
        let (input, carol, andinos, norte, _) = sample();
        let (tenant, contact) = (input.tenant, input.contact);
        let policy = ContactPolicy::build(input).await.unwrap();
        let c = Portal::Customer;
        assert!(policy.allows(c, carol, p("quotes.create")));
        assert!(policy.allows(c, carol, p("orders.authorize")));
        assert!(!policy.allows(c, carol, p("quotes.authorize")));
        assert!(
            !policy.allows(c, Uuid::now_v7(), p("quotes.view")),
            "another account"
        );
        assert!(
            !policy.allows(Portal::Supplier, andinos, p("purchase_orders.view")),
            "supplier access is off"
        );
        let scope = policy.scope(c, carol).unwrap();
        assert_eq!(scope.permissions().len(), 3);
        assert!(scope.may(Permission::QuotesCreate) && scope.may(Permission::OrdersAuthorize));
        assert!(!scope.may(Permission::QuotesAuthorize));
        assert_eq!(scope.objects(), ["quotes", "orders"]);
        assert_eq!(scope.branches(), &BranchScope::Only(vec![norte.into()]));
        assert_eq!(
            (scope.tenant().as_uuid(), scope.contact().as_uuid()),
            (tenant, contact)
        );
        assert_eq!((scope.account().as_uuid(), scope.portal()), (carol, c));
        assert!(policy.scope(Portal::Supplier, andinos).is_none());
        assert_eq!(policy.accounts(c).len(), 1);
        assert!(policy.accounts(Portal::Supplier).is_empty());
    }

    #[tokio::test]
    async fn the_explainer_names_the_chain_and_agrees_with_the_decision() {
        let (input, carol, andinos, norte, sur) = sample();
        let policy = ContactPolicy::build(input).await.unwrap();
        let c = Portal::Customer;
        let yes = policy.explain(c, carol, p("quotes.create"), Some((norte, "Norte".into())));
        assert!(yes.allowed);
        assert!(
            yes.steps
                .iter()
                .any(|s| s.message == "explain-role" && s.subject == "Comprador")
        );
        assert!(yes.steps.iter().any(|s| s.message == "explain-branch"));
        let hidden = policy.explain(c, carol, p("quotes.view"), Some((sur, "Sur".into())));
        assert!(!hidden.allowed);
        assert_eq!(
            hidden.steps.last().unwrap().message,
            "explain-branch-hidden"
        );
        let ungranted = policy.explain(c, carol, p("sales.view"), None);
        assert!(!ungranted.allowed);
        assert_eq!(
            ungranted.steps.last().unwrap().message,
            "explain-not-granted"
        );
        let off = policy.explain(Portal::Supplier, andinos, p("purchase_orders.view"), None);
        assert_eq!(off.steps.last().unwrap().message, "explain-portal-off");
        for perm in Portal::Customer.permissions() {
            assert_eq!(
                policy.explain(c, carol, *perm, None).allowed,
                policy.allows(c, carol, *perm)
            );
        }
    }

    #[tokio::test]
    async fn the_cache_loads_once_per_version() {
        let cache = PolicyCache::new(100);
        let (input, ..) = sample();
        let (tenant, contact) = (input.tenant, input.contact);
        let loads = std::sync::atomic::AtomicUsize::new(0);
        for version in [1, 1, 2] {
            let load = async {
                loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok::<_, PolicyError>(Some(input.clone()))
            };
            cache
                .get_or_load((tenant, contact, version), load)
                .await
                .unwrap()
                .unwrap();
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
