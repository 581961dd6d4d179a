//! The back-office roles a tenant's staff user can hold.

use std::{fmt, str::FromStr};

/// A back-office role; what each may do is decided by the back-office policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Owner,
    Admin,
    Sales,
    Purchasing,
    ReadOnly,
}

/// A stored or typed role name that Portico does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown staff role {0:?}")]
pub struct UnknownStaffRole(pub String);

impl StaffRole {
    /// The stable name stored in the database and used in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Owner => "owner",
            StaffRole::Admin => "admin",
            StaffRole::Sales => "sales",
            StaffRole::Purchasing => "purchasing",
            StaffRole::ReadOnly => "read_only",
        }
    }
}

impl FromStr for StaffRole {
    type Err = UnknownStaffRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "owner" => Ok(StaffRole::Owner),
            "admin" => Ok(StaffRole::Admin),
            "sales" => Ok(StaffRole::Sales),
            "purchasing" => Ok(StaffRole::Purchasing),
            "read_only" => Ok(StaffRole::ReadOnly),
            other => Err(UnknownStaffRole(other.to_owned())),
        }
    }
}

impl fmt::Display for StaffRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
