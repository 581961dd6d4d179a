//! What both portals' area pages share: the list query (branch selector,
//! cursor), amounts and dates as people read them, and the page layout with
//! the branch selector (`portal/branch_filter.html`) filled in.

use chrono::{Local, NaiveDate};
use portico_authz::PortalScope;
use portico_data::{DateCursor, PortalBranch};
use portico_domain::{
    Locale,
    money::{self, Dec},
};
use portico_web::{AppError, Ui};

use crate::SignedInContact;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

/// Rows per page of every portal list.
pub const PAGE: u64 = 25;

/// A list's query: the branch chosen in the selector and where to continue.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub branch: Option<String>,
    pub after: Option<String>,
}

impl ListQuery {
    /// The cursor to continue after; a malformed one means the first page.
    pub fn after(&self) -> Option<DateCursor> {
        self.after
            .as_deref()
            .and_then(|a| DateCursor::decode(a).ok())
    }
}

/// Today in the server's time zone.
pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// A date as people read it: `15/11/2026` in Spanish, `Nov 15, 2026` in English.
pub fn date(ui: &Ui, date: NaiveDate) -> String {
    match ui.lang.0 {
        Locale::Es => date.format("%d/%m/%Y").to_string(),
        Locale::En => date.format("%b %-d, %Y").to_string(),
    }
}

/// An amount with its currency: `12,500.00 DOP`.
pub fn amount(value: Dec, currency: &str) -> String {
    format!("{} {currency}", money::display(value))
}

/// The scope narrowed to the branch the selector chose, when it is one of
/// `visible`; the whole scope for none, or for a branch not among them.
pub fn narrowed(
    scope: &PortalScope,
    visible: &[PortalBranch],
    chosen: Option<&str>,
) -> (PortalScope, Option<Uuid>) {
    let chosen = chosen
        .and_then(|c| Uuid::parse_str(c.trim()).ok())
        .and_then(|id| visible.iter().find(|b| b.id.as_uuid() == id))
        .and_then(|b| scope.narrowed_to(b.id).map(|s| (s, b.id.as_uuid())));
    match chosen {
        Some((scope, id)) => (scope, Some(id)),
        None => (scope.clone(), None),
    }
}

/// A branch's name among `visible`, or the account-level label.
pub fn branch_name(ui: &Ui, visible: &[PortalBranch], id: Option<Uuid>) -> String {
    match id {
        None => ui.lang.t("customer-account-level"),
        Some(id) => visible
            .iter()
            .find(|b| b.id.as_uuid() == id)
            .map(|b| b.name.clone())
            .unwrap_or_default(),
    }
}

/// An area page's layout, with the branch selector filled in.
pub struct Layout {
    pub ctx: tera::Context,
    /// The branches the contact's scope sees.
    pub visible: Vec<PortalBranch>,
    /// The contact's scope, narrowed to the branch chosen in the selector.
    pub scope: PortalScope,
    /// The branch chosen, when one is.
    pub chosen: Option<Uuid>,
}

/// An area page's layout with the branch selector (`branch_filter`): the
/// branches the scope sees and the one `branch` chooses (ignored when it is
/// not one of them).
pub async fn layout(
    ui: &Ui,
    me: &SignedInContact,
    current: &str,
    title: &str,
    branch: Option<&str>,
) -> Result<Layout, AppError> {
    let (mut ctx, visible) = crate::area_layout(ui, me, current).await?;
    let (scope, chosen) = narrowed(&me.scope, &visible, branch);
    let options: Vec<Value> = visible
        .iter()
        .map(|b| json!({ "id": b.id, "name": b.name, "code": b.code, "chosen": Some(b.id.as_uuid()) == chosen }))
        .collect();
    ctx.insert("title", title);
    ctx.insert("account_id", &me.scope.account());
    ctx.insert(
        "branch_filter",
        &json!({ "options": options, "chosen": chosen }),
    );
    Ok(Layout {
        ctx,
        visible,
        scope,
        chosen,
    })
}
