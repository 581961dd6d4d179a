//! Customers and suppliers (accounts) and customer branches: what is submitted,
//! the rules, and the clean values.

use std::{fmt, str::FromStr};

use uuid::Uuid;

use crate::{
    Email,
    fields::{Checker, FieldErrors, limits},
};

/// Whether an account is a customer or a supplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Customer,
    Supplier,
}

impl AccountKind {
    pub const ALL: [AccountKind; 2] = [AccountKind::Customer, AccountKind::Supplier];

    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Customer => "customer",
            AccountKind::Supplier => "supplier",
        }
    }

    /// The plural used in paths: `customers`, `suppliers`.
    pub fn plural(self) -> &'static str {
        match self {
            AccountKind::Customer => "customers",
            AccountKind::Supplier => "suppliers",
        }
    }
}

impl fmt::Display for AccountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "customer" => Ok(AccountKind::Customer),
            "supplier" => Ok(AccountKind::Supplier),
            other => Err(format!("unknown account kind {other:?}")),
        }
    }
}

/// The address fields shared by accounts and branches.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// An account as submitted.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct AccountInput {
    pub code: String,
    pub name: String,
    pub legal_name: String,
    pub tax_id: String,
    pub email: String,
    pub phone: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
    pub owner_id: String,
    /// A checkbox (customers only).
    pub branches_enabled: Option<String>,
}

/// An account's values after validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AccountFields {
    pub code: String,
    pub name: String,
    pub legal_name: Option<String>,
    pub tax_id: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<String>,
    #[serde(flatten)]
    pub address: Address,
    pub owner_id: Option<Uuid>,
    pub branches_enabled: bool,
}

fn checkbox(value: Option<&str>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "false")
}

fn address(
    c: &mut Checker,
    street: &str,
    city: &str,
    state: &str,
    postal: &str,
    country: &str,
) -> Address {
    Address {
        street: c.text("street", street, limits::TEXT * 2),
        city: c.text("city", city, limits::NAME),
        state: c.text("state", state, limits::NAME),
        postal_code: c.text("postal_code", postal, limits::SHORT / 2),
        country: c.country("country", country),
    }
}

impl AccountInput {
    /// Checks every field; code and name are required. Suppliers never have branches.
    pub fn validate(&self, kind: AccountKind) -> Result<AccountFields, FieldErrors> {
        let mut c = Checker::default();
        let fields = AccountFields {
            code: c.required("code", &self.code, limits::SHORT),
            name: c.required("name", &self.name, limits::TEXT),
            legal_name: c.text("legal_name", &self.legal_name, limits::TEXT),
            tax_id: c.text("tax_id", &self.tax_id, limits::SHORT),
            email: c.email("email", &self.email),
            phone: c.phone("phone", &self.phone),
            address: address(
                &mut c,
                &self.street,
                &self.city,
                &self.state,
                &self.postal_code,
                &self.country,
            ),
            owner_id: c.reference("owner_id", &self.owner_id),
            branches_enabled: kind == AccountKind::Customer
                && checkbox(self.branches_enabled.as_deref()),
        };
        c.errors.finish(fields)
    }
}

impl AccountFields {
    /// What the list's search matches: code, names, tax id and email, lower-cased.
    pub fn search_text(&self) -> String {
        [
            Some(&self.code),
            Some(&self.name),
            self.legal_name.as_ref(),
            self.tax_id.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(|s| crate::fold(s))
        .chain(self.email.iter().map(|e| e.as_str().to_owned()))
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// A branch as submitted.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct BranchInput {
    pub code: String,
    pub name: String,
    pub street: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

/// A branch's values after validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BranchFields {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub address: Address,
}

impl BranchInput {
    pub fn validate(&self) -> Result<BranchFields, FieldErrors> {
        let mut c = Checker::default();
        let fields = BranchFields {
            code: c.required("code", &self.code, limits::SHORT),
            name: c.required("name", &self.name, limits::TEXT),
            address: address(
                &mut c,
                &self.street,
                &self.city,
                &self.state,
                &self.postal_code,
                &self.country,
            ),
        };
        c.errors.finish(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_name_are_required_and_suppliers_have_no_branches() {
        let errors = AccountInput::default()
            .validate(AccountKind::Customer)
            .unwrap_err();
        assert_eq!(errors.get("code"), Some("field-required"));
        assert_eq!(errors.get("name"), Some("field-required"));
        let input = AccountInput {
            code: "C-001".into(),
            name: "Farmacia Carol".into(),
            branches_enabled: Some("on".into()),
            ..AccountInput::default()
        };
        assert!(
            input
                .validate(AccountKind::Customer)
                .unwrap()
                .branches_enabled
        );
        assert!(
            !input
                .validate(AccountKind::Supplier)
                .unwrap()
                .branches_enabled
        );
    }
}
