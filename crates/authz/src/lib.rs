//! Authorization: the casbin models in `policies/`. The back office's is loaded
//! once per process and asked "may this staff role do this in this area"; the
//! portal's is built per contact (see [`portal`]) and cached by policy version.

pub mod portal;
mod scope;

pub use scope::PortalScope;

use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi};
use portico_domain::{AccountKind, StaffRole};
use tokio::sync::OnceCell;

const MODEL: &str = include_str!("../../../policies/backoffice.conf");
const POLICY: &str = include_str!("../../../policies/backoffice.csv");

/// A part of the back office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Customers,
    Suppliers,
    /// Contacts as such: creating one without an account, editing an unlinked one.
    Contacts,
    /// Contacts linked to customers.
    CustomerContacts,
    /// Contacts linked to suppliers.
    SupplierContacts,
    /// Customers' money records: invoices, credit notes, payments.
    Sales,
    /// The supplier side's records: purchase orders (and, to come, receipts,
    /// supplier invoices, payments to suppliers).
    Purchases,
    /// The tenant-editable lists (titles, categories).
    Lists,
    Staff,
    Settings,
    Audit,
}

impl Area {
    fn as_str(self) -> &'static str {
        match self {
            Area::Customers => "customers",
            Area::Suppliers => "suppliers",
            Area::Contacts => "contacts",
            Area::CustomerContacts => "customer_contacts",
            Area::SupplierContacts => "supplier_contacts",
            Area::Sales => "sales",
            Area::Purchases => "purchases",
            Area::Lists => "lists",
            Area::Staff => "staff",
            Area::Settings => "settings",
            Area::Audit => "audit",
        }
    }

    /// The area of an account kind's records.
    pub fn accounts(kind: AccountKind) -> Area {
        match kind {
            AccountKind::Customer => Area::Customers,
            AccountKind::Supplier => Area::Suppliers,
        }
    }

    /// The area of the contacts linked to an account kind.
    pub fn contacts_of(kind: AccountKind) -> Area {
        match kind {
            AccountKind::Customer => Area::CustomerContacts,
            AccountKind::Supplier => Area::SupplierContacts,
        }
    }
}

/// What is done in an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    /// Create, edit, link, archive, restore.
    Write,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
        }
    }
}

/// A policy could not be built (a broken file in `policies/`).
#[derive(Debug, thiserror::Error)]
#[error("a policy is invalid: {0}")]
pub struct PolicyError(String);

/// The back-office enforcer: a handful of role rules, shared by every tenant.
pub struct BackOffice {
    enforcer: Enforcer,
}

impl std::fmt::Debug for BackOffice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BackOffice")
    }
}

fn rules(kind: &str) -> Vec<Vec<String>> {
    POLICY
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split(',').map(|p| p.trim().to_owned());
            (parts.next().as_deref() == Some(kind)).then(|| parts.collect())
        })
        .collect()
}

static SHARED: OnceCell<BackOffice> = OnceCell::const_new();

impl BackOffice {
    /// Builds the enforcer from the embedded model and policy.
    pub async fn load() -> Result<Self, PolicyError> {
        let err = |e: casbin::Error| PolicyError(e.to_string());
        let model = DefaultModel::from_str(MODEL).await.map_err(err)?;
        let mut enforcer = Enforcer::new(model, MemoryAdapter::default())
            .await
            .map_err(err)?;
        enforcer.add_policies(rules("p")).await.map_err(err)?;
        enforcer
            .add_grouping_policies(rules("g"))
            .await
            .map_err(err)?;
        Ok(Self { enforcer })
    }

    /// The process-wide enforcer, loaded on first use.
    pub async fn shared() -> Result<&'static BackOffice, PolicyError> {
        SHARED.get_or_try_init(Self::load).await
    }

    /// Whether `role` may do `action` in `area`.
    pub fn allows(&self, role: StaffRole, area: Area, action: Action) -> bool {
        self.enforcer
            .enforce((role.as_str(), area.as_str(), action.as_str()))
            .unwrap_or(false)
    }

    /// Whether `role` may change a contact linked to accounts of `kinds`: write on
    /// the contacts of every one of those kinds (sales may not edit a person who
    /// is also a supplier's contact), or on contacts as such when unlinked.
    pub fn may_edit_contact(&self, role: StaffRole, kinds: &[AccountKind]) -> bool {
        if kinds.is_empty() {
            self.allows(role, Area::Contacts, Action::Write)
        } else {
            kinds
                .iter()
                .all(|k| self.allows(role, Area::contacts_of(*k), Action::Write))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn roles_allow_what_the_policy_says() {
        let bo = BackOffice::load().await.unwrap();
        use AccountKind::*;
        use StaffRole::*;
        for role in [Owner, Admin, Sales, Purchasing, ReadOnly] {
            assert!(bo.allows(role, Area::Customers, Action::Read), "{role:?}");
            assert!(bo.allows(role, Area::Contacts, Action::Read), "{role:?}");
        }
        assert!(!bo.allows(ReadOnly, Area::Customers, Action::Write));
        assert!(!bo.allows(ReadOnly, Area::Contacts, Action::Write));
        assert!(!bo.may_edit_contact(ReadOnly, &[]));
        assert!(bo.allows(Sales, Area::Customers, Action::Write));
        assert!(!bo.allows(Sales, Area::Suppliers, Action::Write));
        assert!(!bo.may_edit_contact(Sales, &[Customer, Supplier]));
        assert!(bo.may_edit_contact(Sales, &[Customer, Customer]));
        assert!(!bo.may_edit_contact(Sales, &[Supplier]));
        assert!(bo.may_edit_contact(Purchasing, &[Supplier]));
        assert!(!bo.allows(Purchasing, Area::CustomerContacts, Action::Write));
        assert!(!bo.allows(Sales, Area::Staff, Action::Write));
        for role in [Owner, Admin] {
            assert!(bo.allows(role, Area::Staff, Action::Write));
            assert!(bo.allows(role, Area::Suppliers, Action::Write));
            assert!(bo.may_edit_contact(role, &[Customer]));
            assert!(bo.allows(role, Area::Settings, Action::Write));
        }
    }
}
