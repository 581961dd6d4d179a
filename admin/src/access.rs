//! What the signed-in staff user may do, as the back-office policy decides, and
//! the context every back-office page (an error page too) starts from.

use poem::{FromRequest, Request};
use portico_authz::{Action, Area, BackOffice};
use portico_data::{Actor, By};
use portico_web::{AppError, Ui, error::ErrorLayout};
use serde_json::json;

use crate::SignedInStaff;

/// The back-office policy of this process.
pub(crate) async fn policy() -> Result<&'static BackOffice, AppError> {
    BackOffice::shared().await.map_err(AppError::internal)
}

impl SignedInStaff {
    /// Whether this user may do `action` in `area`.
    pub(crate) async fn may(&self, area: Area, action: Action) -> Result<bool, AppError> {
        Ok(policy().await?.allows(self.user.role, area, action))
    }

    /// Refuses (403) unless this user may do `action` in `area`.
    pub(crate) async fn require(&self, area: Area, action: Action) -> Result<(), AppError> {
        if self.may(area, action).await? {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Who the audit log names for this user's changes.
    pub(crate) fn by<'a>(&self, ui: &'a Ui) -> By<'a> {
        By {
            actor: Actor::Staff(self.user.id),
            request_id: Some(&ui.request_id),
        }
    }

    /// A page context with the layout's navigation, the user, and what the user
    /// may change (templates show only the actions that will be allowed).
    pub(crate) async fn page(&self, ui: &Ui, current: &str) -> Result<tera::Context, AppError> {
        let bo = policy().await?;
        let role = self.user.role;
        let mut ctx = ui.context();
        ctx.insert("current", current);
        ctx.insert(
            "me",
            &json!({ "name": self.user.name, "role": ui.lang.t(&format!("role-{role}")) }),
        );
        ctx.insert(
            "can",
            &json!({
                "customers": bo.allows(role, Area::Customers, Action::Write),
                "suppliers": bo.allows(role, Area::Suppliers, Action::Write),
                "customer_contacts": bo.allows(role, Area::CustomerContacts, Action::Write),
                "supplier_contacts": bo.allows(role, Area::SupplierContacts, Action::Write),
                "contacts": bo.allows(role, Area::Contacts, Action::Write),
                "lists": bo.allows(role, Area::Lists, Action::Write),
                "settings": bo.allows(role, Area::Settings, Action::Write),
                "staff": bo.allows(role, Area::Staff, Action::Read),
                "sales_read": bo.allows(role, Area::Sales, Action::Read),
                "purchases_read": bo.allows(role, Area::Purchases, Action::Read),
            }),
        );
        Ok(ctx)
    }
}

/// The back office's layout around an error page, for a signed-in staff user
/// (`None` for anyone else: they get the bare error page).
pub(crate) async fn error_layout(req: Request) -> Option<ErrorLayout> {
    let ui = Ui::from_request_without_body(&req).await.ok()?;
    let staff = SignedInStaff::from_request_without_body(&req).await.ok()?;
    let mut context = staff.page(&ui, "").await.ok()?;
    context.insert("error_home", "/admin");
    Some(ErrorLayout {
        template: "admin/error.html",
        context,
    })
}
