//! Domain value types: parsed once at the edge, trusted everywhere after.

mod currency;
mod email;
mod locale;
mod slug;
mod staff_role;

pub use currency::{Currency, CurrencyError};
pub use email::{Email, EmailError};
pub use locale::Locale;
pub use slug::{Slug, SlugError};
pub use staff_role::{StaffRole, UnknownStaffRole};
