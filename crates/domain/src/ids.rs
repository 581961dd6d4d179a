//! Typed identifiers: UUIDv7 values that cannot be mixed up with one another.

use std::{fmt, str::FromStr};

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered identifier.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A tenant (company) id.
    TenantId
);
id_type!(
    /// A tenant staff user's id.
    StaffUserId
);
id_type!(
    /// A platform operator's id.
    OperatorId
);
id_type!(
    /// An audit event's id.
    AuditEventId
);
id_type!(
    /// A customer's or supplier's id.
    AccountId
);
id_type!(
    /// A customer branch's id.
    BranchId
);
id_type!(
    /// A contact's id.
    ContactId
);
id_type!(
    /// The id of a contact's link to an account.
    LinkId
);
id_type!(
    /// An admin API key's id.
    ApiKeyId
);
id_type!(
    /// A mail's id in the outbox (also its `.eml` file name and Message-ID).
    MailId
);
