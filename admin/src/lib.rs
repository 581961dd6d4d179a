//! The back office (`/admin`): staff sign-in and sign-out, the home page, the
//! staff list, customers, suppliers, their branches and contacts, customers'
//! invoices and payments, and the company's contact settings. Every change is
//! checked against the back-office policy (`portico-authz`).

mod access;
mod accounts;
pub mod api;
pub mod api_keys;
mod auth;
mod choices;
mod commands;
mod company;
mod contact_table;
mod contacts;
mod export;
mod forms;
mod history;
mod import;
mod invitations;
mod list_query;
mod pages;
mod paging;
mod password_reset;
mod photos;
mod portal_access;
mod portal_roles;
mod profile;
mod purchases;
mod sales;
mod settings;
mod staff;
mod supplier_invoices;

use poem::{EndpointExt, get};
use portico_domain::AccountKind;
use portico_web::{Access, Routes, error::WithErrorLayout};

pub use auth::SignedInStaff;
pub use import::{start_import_sweeper, sweep_interrupted_imports};

/// The back office's templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "admin/layout.html",
        include_str!("../templates/admin/layout.html"),
    ),
    (
        "admin/sign_in.html",
        include_str!("../templates/admin/sign_in.html"),
    ),
    (
        "admin/home.html",
        include_str!("../templates/admin/home.html"),
    ),
    (
        "admin/staff.html",
        include_str!("../templates/admin/staff.html"),
    ),
    (
        "admin/fields.html",
        include_str!("../templates/admin/fields.html"),
    ),
    (
        "admin/error_summary.html",
        include_str!("../templates/admin/error_summary.html"),
    ),
    (
        "admin/history.html",
        include_str!("../templates/admin/history.html"),
    ),
    (
        "admin/accounts.html",
        include_str!("../templates/admin/accounts.html"),
    ),
    (
        "admin/account_form.html",
        include_str!("../templates/admin/account_form.html"),
    ),
    (
        "admin/account.html",
        include_str!("../templates/admin/account.html"),
    ),
    (
        "admin/invoices.html",
        include_str!("../templates/admin/invoices.html"),
    ),
    (
        "admin/invoice.html",
        include_str!("../templates/admin/invoice.html"),
    ),
    (
        "admin/supplier_invoices.html",
        include_str!("../templates/admin/supplier_invoices.html"),
    ),
    (
        "admin/supplier_invoice.html",
        include_str!("../templates/admin/supplier_invoice.html"),
    ),
    (
        "admin/purchase_orders.html",
        include_str!("../templates/admin/purchase_orders.html"),
    ),
    (
        "admin/purchase_order.html",
        include_str!("../templates/admin/purchase_order.html"),
    ),
    (
        "admin/orders.html",
        include_str!("../templates/admin/orders.html"),
    ),
    (
        "admin/order.html",
        include_str!("../templates/admin/order.html"),
    ),
    (
        "admin/items.html",
        include_str!("../templates/admin/items.html"),
    ),
    (
        "admin/payments.html",
        include_str!("../templates/admin/payments.html"),
    ),
    (
        "admin/payment.html",
        include_str!("../templates/admin/payment.html"),
    ),
    (
        "admin/invoice_table.html",
        include_str!("../templates/admin/invoice_table.html"),
    ),
    (
        "admin/order_table.html",
        include_str!("../templates/admin/order_table.html"),
    ),
    (
        "admin/service_requests.html",
        include_str!("../templates/admin/service_requests.html"),
    ),
    (
        "admin/service_request.html",
        include_str!("../templates/admin/service_request.html"),
    ),
    (
        "admin/service_table.html",
        include_str!("../templates/admin/service_table.html"),
    ),
    (
        "admin/documents.html",
        include_str!("../templates/admin/documents.html"),
    ),
    (
        "admin/document.html",
        include_str!("../templates/admin/document.html"),
    ),
    (
        "admin/customer_picker.html",
        include_str!("../templates/admin/customer_picker.html"),
    ),
    (
        "admin/quote_draft.html",
        include_str!("../templates/admin/quote_draft.html"),
    ),
    (
        "admin/service_request_new.html",
        include_str!("../templates/admin/service_request_new.html"),
    ),
    (
        "admin/document_new.html",
        include_str!("../templates/admin/document_new.html"),
    ),
    (
        "admin/document_table.html",
        include_str!("../templates/admin/document_table.html"),
    ),
    (
        "admin/payment_table.html",
        include_str!("../templates/admin/payment_table.html"),
    ),
    (
        "admin/contacts.html",
        include_str!("../templates/admin/contacts.html"),
    ),
    (
        "admin/contact_form.html",
        include_str!("../templates/admin/contact_form.html"),
    ),
    (
        "admin/contact.html",
        include_str!("../templates/admin/contact.html"),
    ),
    (
        "admin/account_picker.html",
        include_str!("../templates/admin/account_picker.html"),
    ),
    (
        "admin/branch_form.html",
        include_str!("../templates/admin/branch_form.html"),
    ),
    (
        "admin/contact_delete.html",
        include_str!("../templates/admin/contact_delete.html"),
    ),
    (
        "admin/settings.html",
        include_str!("../templates/admin/settings.html"),
    ),
    (
        "admin/company.html",
        include_str!("../templates/admin/company.html"),
    ),
    (
        "admin/api_keys.html",
        include_str!("../templates/admin/api_keys.html"),
    ),
    (
        "admin/imports.html",
        include_str!("../templates/admin/imports.html"),
    ),
    (
        "admin/import.html",
        include_str!("../templates/admin/import.html"),
    ),
    (
        "admin/portal_access.html",
        include_str!("../templates/admin/portal_access.html"),
    ),
    (
        "admin/portal_preview.html",
        include_str!("../templates/admin/portal_preview.html"),
    ),
    (
        "admin/portal_roles.html",
        include_str!("../templates/admin/portal_roles.html"),
    ),
    (
        "admin/error.html",
        include_str!("../templates/admin/error.html"),
    ),
    (
        "admin/profile.html",
        include_str!("../templates/admin/profile.html"),
    ),
    (
        "admin/choose_password.html",
        include_str!("../templates/admin/choose_password.html"),
    ),
    (
        "admin/forgot_password.html",
        include_str!("../templates/admin/forgot_password.html"),
    ),
];

/// The back office's routes, to be nested under `/admin` on a tenant's site.
pub fn routes() -> Routes {
    let route = Routes::new()
        .at("/", Access::StaffSignedIn, get(pages::home))
        .at(
            "/sign-in",
            Access::Anonymous,
            get(auth::sign_in_page).post(auth::sign_in),
        )
        .at(
            "/sign-out",
            Access::StaffSignedIn,
            poem::post(auth::sign_out),
        )
        .at("/profile", Access::StaffSignedIn, get(profile::page))
        .at(
            "/profile/password",
            Access::StaffSignedIn,
            poem::post(profile::change_password),
        )
        .at(
            "/profile/language",
            Access::StaffSignedIn,
            poem::post(profile::change_language),
        )
        .at(
            "/password",
            Access::StaffSignedIn,
            get(profile::choose_page).post(profile::choose),
        )
        .at(
            "/password/forgot",
            Access::Anonymous,
            get(password_reset::ask_page).post(password_reset::ask),
        )
        .at(
            "/password/reset/:token",
            Access::Anonymous,
            get(password_reset::reset_page).post(password_reset::reset),
        )
        .nest("/staff", staff::routes())
        .nest("/customers", accounts::routes(AccountKind::Customer))
        .nest("/suppliers", accounts::routes(AccountKind::Supplier))
        .nest("/invoices", sales::invoice_routes())
        .nest("/payments", sales::payment_routes())
        .nest("/items", sales::item_routes())
        .nest("/quotes", sales::quote_routes())
        .nest("/orders", sales::order_routes())
        .nest("/purchase-orders", purchases::routes())
        .nest("/supplier-invoices", supplier_invoices::routes())
        .nest("/documents", sales::document_routes())
        .nest("/service-requests", sales::service_routes())
        .nest("/settings", settings::routes())
        .nest("/api-keys", api_keys::routes())
        .nest("/portal-roles", portal_roles::routes());
    portal_access::routes(import::routes(contacts::routes(route)))
        .wrap(|route| route.with(WithErrorLayout(access::error_layout)))
}
