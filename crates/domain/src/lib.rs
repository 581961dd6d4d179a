//! Domain value types: parsed once at the edge, trusted everywhere after.

mod account;
pub mod company;
mod contact;
pub mod contact_csv;
pub mod contact_profile;
mod currency;
pub mod documents;
mod email;
pub mod fields;
pub mod ids;
pub mod iso;
mod locale;
pub mod money;
pub mod orders;
mod portal;
pub mod purchasing;
pub mod sales;
pub mod service;
mod slug;
mod staff_role;
pub mod supplier_invoices;

pub use account::{AccountFields, AccountInput, AccountKind, Address, BranchFields, BranchInput};
pub use contact::{
    ContactFields, ContactInput, ImportantDate, LinkFields, LinkInput, MAX_IMPORTANT_DATES,
    RequiredFields, important_dates_text,
};
pub use currency::{Currency, CurrencyError};
pub use email::{Email, EmailError};
pub use fields::{FieldError, FieldErrors, fold};
pub use locale::Locale;
pub use portal::{BranchScope, Permission, Portal};
pub use slug::{Slug, SlugError};
pub use staff_role::{StaffRole, UnknownStaffRole};
