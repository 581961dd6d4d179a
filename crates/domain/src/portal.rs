//! The portals' permissions (DESIGN.md §3): which objects each portal has and
//! what a contact may do with them, as typed [`Permission`]s named `object.action`.

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
            if !objects.contains(&p.object()) {
                objects.push(p.object());
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

/// Declares [`Permission`] with its `object.action` pairs and each portal's
/// list, in display order.
macro_rules! permissions {
    ($($variant:ident => $object:literal . $action:literal),* $(,)?) => {
        /// May do an action on an object of a portal (e.g. `quotes.authorize`).
        /// Typed, so that a misspelt permission does not compile; casbin and the
        /// database see its [`name`](Permission::name).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Permission {
            $(
                #[doc = concat!("`", $object, ".", $action, "`")]
                $variant,
            )*
        }

        impl Permission {
            /// The object (area) it is about, e.g. `quotes`.
            pub fn object(self) -> &'static str {
                match self {
                    $(Permission::$variant => $object,)*
                }
            }

            /// What it allows on the object, e.g. `authorize`.
            pub fn action(self) -> &'static str {
                match self {
                    $(Permission::$variant => $action,)*
                }
            }

            /// `object.action`, e.g. `quotes.authorize`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Permission::$variant => concat!($object, ".", $action),)*
                }
            }
        }
    };
}

permissions! {
    SalesView => "sales"."view",
    ReceivablesView => "receivables"."view",
    QuotesView => "quotes"."view",
    QuotesCreate => "quotes"."create",
    QuotesAuthorize => "quotes"."authorize",
    OrdersView => "orders"."view",
    OrdersCreate => "orders"."create",
    OrdersAuthorize => "orders"."authorize",
    ServiceRequestsView => "service_requests"."view",
    ServiceRequestsCreate => "service_requests"."create",
    DocumentsView => "documents"."view",
    PurchaseOrdersView => "purchase_orders"."view",
    PurchaseOrdersAcknowledge => "purchase_orders"."acknowledge",
    SupplierInvoicesView => "supplier_invoices"."view",
    SupplierInvoicesCreate => "supplier_invoices"."create",
    PayablesView => "payables"."view",
}

const CUSTOMER: [Permission; 11] = [
    Permission::SalesView,
    Permission::ReceivablesView,
    Permission::QuotesView,
    Permission::QuotesCreate,
    Permission::QuotesAuthorize,
    Permission::OrdersView,
    Permission::OrdersCreate,
    Permission::OrdersAuthorize,
    Permission::ServiceRequestsView,
    Permission::ServiceRequestsCreate,
    Permission::DocumentsView,
];

const SUPPLIER: [Permission; 6] = [
    Permission::PurchaseOrdersView,
    Permission::PurchaseOrdersAcknowledge,
    Permission::SupplierInvoicesView,
    Permission::SupplierInvoicesCreate,
    Permission::PayablesView,
    Permission::DocumentsView,
];

impl Permission {
    /// The permission a name stands for in a portal.
    pub fn parse(portal: Portal, name: &str) -> Option<Permission> {
        portal
            .permissions()
            .iter()
            .copied()
            .find(|p| p.name() == name)
    }
}

/// Ordered by object, then action (as the names sort), like the stored lists.
impl Ord for Permission {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.object(), self.action()).cmp(&(other.object(), other.action()))
    }
}

impl PartialOrd for Permission {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_portal_has_its_own_permissions() {
        assert_eq!(
            Permission::parse(Portal::Customer, "quotes.authorize"),
            Some(Permission::QuotesAuthorize)
        );
        assert_eq!(Permission::parse(Portal::Supplier, "quotes.view"), None);
        assert_eq!(
            Permission::parse(Portal::Supplier, "purchase_orders.acknowledge")
                .map(Permission::name),
            Some("purchase_orders.acknowledge")
        );
        assert!(Portal::Customer.objects().contains(&"service_requests"));
        for portal in Portal::ALL {
            for p in portal.permissions() {
                assert_eq!(Permission::parse(portal, p.name()), Some(*p));
                assert_eq!(p.name(), format!("{}.{}", p.object(), p.action()));
            }
        }
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
    Only(Vec<crate::ids::BranchId>),
}
