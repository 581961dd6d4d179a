//! Web plumbing shared by every Portico app: configuration, tenant resolution from
//! the host, sessions, CSRF, security headers, errors (pages and RFC 9457 problem
//! JSON), templates, i18n, observability and the route registry.

pub mod access;
pub mod attachments;
pub mod body_limit;
pub mod client;
pub mod csrf;
pub mod date;
pub mod documents_json;
pub mod download;
pub mod error;
pub mod headers;
pub mod host;
pub mod i18n;
pub mod logo;
pub mod mail_link;
pub mod methods;
pub mod notice;
pub mod observe;
pub mod orders_json;
pub mod page;
pub mod password;
pub mod pdf;
pub mod policy;
pub mod problem;
pub mod purchasing_json;
pub mod routes;
pub mod sales_json;
pub mod service_json;
pub mod session;
pub mod signin;
pub mod site;
pub mod state;
pub mod templates;
pub mod tenant;
pub mod text;
pub mod upload;

pub use access::{Access, ByMethod};
pub use error::AppError;
pub use i18n::Lang;
pub use page::Ui;
pub use routes::{Api, Routes};
pub use state::{AppState, WebConfig};
pub use tenant::CurrentTenant;
pub use upload::{FormWithFiles, Upload};
