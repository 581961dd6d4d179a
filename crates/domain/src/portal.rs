//! The portals' permissions (DESIGN.md §3): which objects each portal has and
//! what a contact may do with them, as `object.action` names.

use std::{fmt, str::FromStr};

use crate::AccountKind;

/// One of the two portals. A customer link acts in the customer portal, a
/// supplier link in the supplier portal.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Portal {
    Customer,
    Supplier,
}

impl Portal {
    pub const ALL: [Portal; 2] = [Portal::Customer, Portal::Supplier];

    pub fn as_str(self) -> &'static str {
        match self {
            Portal::Customer => "customer",
            Portal::Supplier => "supplier",
        }
    }

    /// The portal where links to accounts of this kind act.
    pub fn of(kind: AccountKind) -> Portal {
        match kind {
            AccountKind::Customer => Portal::Customer,
            AccountKind::Supplier => Portal::Supplier,
        }
    }

    /// The kind of account this portal's links point at.
    pub fn kind(self) -> AccountKind {
        match self {
            Portal::Customer => AccountKind::Customer,
            Portal::Supplier => AccountKind::Supplier,
        }
    }

    /// Every permission of this portal, in display order.
    pub fn permissions(self) -> &'static [Permission] {
        match self {
            Portal::Customer => &CUSTOMER,
            Portal::Supplier => &SUPPLIER,
        }
    }

    /// The objects (areas) of this portal, in display order.
    pub fn objects(self) -> Vec<&'static str> {
        let mut objects: Vec<&'static str> = Vec::new();
        for p in self.permissions() {
            if !objects.contains(&p.object) {
                objects.push(p.object);
            }
        }
        objects
    }
}

impl fmt::Display for Portal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Portal {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "customer" => Ok(Portal::Customer),
            "supplier" => Ok(Portal::Supplier),
            other => Err(format!("unknown portal {other:?}")),
        }
    }
}

/// May do `action` on `object` (e.g. `quotes.authorize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission {
    pub object: &'static str,
    pub action: &'static str,
}

const fn perm(object: &'static str, action: &'static str) -> Permission {
    Permission { object, action }
}

const CUSTOMER: [Permission; 11] = [
    perm("sales", "view"),
    perm("receivables", "view"),
    perm("quotes", "view"),
    perm("quotes", "create"),
    perm("quotes", "authorize"),
    perm("orders", "view"),
    perm("orders", "create"),
    perm("orders", "authorize"),
    perm("service_requests", "view"),
    perm("service_requests", "create"),
    perm("documents", "view"),
];

const SUPPLIER: [Permission; 6] = [
    perm("purchase_orders", "view"),
    perm("purchase_orders", "acknowledge"),
    perm("supplier_invoices", "view"),
    perm("supplier_invoices", "create"),
    perm("payables", "view"),
    perm("documents", "view"),
];

impl Permission {
    /// `object.action`.
    pub fn name(self) -> String {
        format!("{}.{}", self.object, self.action)
    }

    /// The permission a name stands for in a portal.
    pub fn parse(portal: Portal, name: &str) -> Option<Permission> {
        portal
            .permissions()
            .iter()
            .copied()
            .find(|p| p.object.len() + 1 + p.action.len() == name.len() && name == p.name())
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.object, self.action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_portal_has_its_own_permissions() {
        assert_eq!(
            Permission::parse(Portal::Customer, "quotes.authorize"),
            Some(perm("quotes", "authorize"))
        );
        assert_eq!(Permission::parse(Portal::Supplier, "quotes.view"), None);
        assert_eq!(
            Permission::parse(Portal::Supplier, "purchase_orders.acknowledge")
                .map(Permission::name),
            Some("purchase_orders.acknowledge".to_owned())
        );
        assert!(Portal::Customer.objects().contains(&"service_requests"));
        assert_eq!(Portal::of(AccountKind::Supplier), Portal::Supplier);
    }
}

/// Which of its account's branches a link sees.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "ids")]
pub enum BranchScope {
    /// Every branch (and a customer without branches has nothing to restrict).
    All,
    /// Only these branches; account-level records (no branch) stay visible.
    Only(Vec<uuid::Uuid>),
}

/// What a signed-in contact may see and do for the account it acts for, as the
/// authorization layer decided it. Repository queries take it and filter in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalScope {
    pub tenant: uuid::Uuid,
    pub contact: uuid::Uuid,
    pub account: uuid::Uuid,
    pub portal: Portal,
    /// Granted, in the portal's display order.
    pub permissions: Vec<Permission>,
    pub branches: BranchScope,
}

impl PortalScope {
    /// Whether the contact may do `action` on `object` for this account.
    pub fn may(&self, object: &str, action: &str) -> bool {
        self.permissions
            .iter()
            .any(|p| p.object == object && p.action == action)
    }

    /// The objects (areas) the contact may open: those with any grant.
    pub fn objects(&self) -> Vec<&'static str> {
        self.portal
            .objects()
            .into_iter()
            .filter(|o| self.permissions.iter().any(|p| p.object == *o))
            .collect()
    }

    /// Whether a record of `branch` (`None`: an account-level record) is visible.
    pub fn sees_branch(&self, branch: Option<uuid::Uuid>) -> bool {
        match (&self.branches, branch) {
            (BranchScope::All, _) | (_, None) => true,
            (BranchScope::Only(ids), Some(b)) => ids.contains(&b),
        }
    }
}
