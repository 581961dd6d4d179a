//! The portal scope: what a signed-in contact may see and do for the account it
//! acts for, as the portal policy decided it. Only this crate builds one, after
//! the check; everything else reads it.

use portico_domain::{
    BranchScope, Permission, Portal,
    ids::{AccountId, BranchId, ContactId, TenantId},
};

/// What a signed-in contact may see and do for one account, proven by the
/// portal policy ([`ContactPolicy::scope`](crate::portal::ContactPolicy::scope)
/// is the only way to get one). Portal queries take it and filter in SQL by its
/// tenant, account and branches, so a handler can neither build nor widen one.
///
/// Outside `portico-authz` a struct literal does not compile:
///
/// ```compile_fail,E0451
/// use portico_authz::PortalScope;
/// use portico_domain::{BranchScope, Portal, ids::*};
///
/// let scope = PortalScope {
///     tenant: TenantId::generate(),
///     contact: ContactId::generate(),
///     account: AccountId::generate(),
///     portal: Portal::Customer,
///     permissions: Portal::Customer.permissions().to_vec(),
///     branches: BranchScope::All,
/// };
/// ```
///
/// nor does its constructor:
///
/// ```compile_fail,E0624
/// use portico_authz::PortalScope;
/// use portico_domain::{BranchScope, Portal, ids::*};
///
/// let scope = PortalScope::granted(
///     TenantId::generate(),
///     ContactId::generate(),
///     AccountId::generate(),
///     Portal::Customer,
///     Portal::Customer.permissions().to_vec(),
///     BranchScope::All,
/// );
/// ```
///
/// and a scope one holds cannot be widened:
///
/// ```compile_fail,E0616
/// use portico_authz::PortalScope;
/// use portico_domain::BranchScope;
///
/// fn widen(scope: &mut PortalScope) {
///     scope.branches = BranchScope::All;
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalScope {
    tenant: TenantId,
    contact: ContactId,
    account: AccountId,
    portal: Portal,
    /// Granted, in the portal's display order.
    permissions: Vec<Permission>,
    branches: BranchScope,
}

impl PortalScope {
    /// The scope the policy decided; only the authorization layer calls this.
    pub(crate) fn granted(
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
        portal: Portal,
        permissions: Vec<Permission>,
        branches: BranchScope,
    ) -> Self {
        Self {
            tenant,
            contact,
            account,
            portal,
            permissions,
            branches,
        }
    }

    /// The company the contact belongs to.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// The signed-in contact.
    pub fn contact(&self) -> ContactId {
        self.contact
    }

    /// The account (customer or supplier) the contact acts for.
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// The portal the contact acts in.
    pub fn portal(&self) -> Portal {
        self.portal
    }

    /// Whether the contact may do `permission` for this account.
    pub fn may(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// The granted permissions, in the portal's display order.
    pub fn permissions(&self) -> &[Permission] {
        &self.permissions
    }

    /// The objects (areas) the contact may open: those with any grant.
    pub fn objects(&self) -> Vec<&'static str> {
        self.portal
            .objects()
            .into_iter()
            .filter(|o| self.permissions.iter().any(|p| p.object() == *o))
            .collect()
    }

    /// Which of the account's branches the contact sees.
    pub fn branches(&self) -> &BranchScope {
        &self.branches
    }

    /// This scope seeing only `branch` (and account-level records): the
    /// branch selector of the portal's lists. `None` when the scope does not
    /// see that branch; a scope can only be narrowed, never widened.
    pub fn narrowed_to(&self, branch: BranchId) -> Option<PortalScope> {
        let sees = match &self.branches {
            BranchScope::All => true,
            BranchScope::Only(ids) => ids.contains(&branch),
        };
        sees.then(|| PortalScope {
            branches: BranchScope::Only(vec![branch]),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_narrows_to_a_branch_it_sees_and_never_widens() {
        let (a, b) = (BranchId::generate(), BranchId::generate());
        let scope = |branches| {
            PortalScope::granted(
                TenantId::generate(),
                ContactId::generate(),
                AccountId::generate(),
                Portal::Customer,
                Vec::new(),
                branches,
            )
        };
        let all = scope(BranchScope::All);
        assert_eq!(
            all.narrowed_to(a).unwrap().branches(),
            &BranchScope::Only(vec![a])
        );
        let only_a = scope(BranchScope::Only(vec![a]));
        assert_eq!(
            only_a.narrowed_to(a).unwrap().branches(),
            &BranchScope::Only(vec![a])
        );
        assert_eq!(only_a.narrowed_to(b), None);
        assert_eq!(scope(BranchScope::Only(Vec::new())).narrowed_to(a), None);
    }
}
