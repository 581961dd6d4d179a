//! The signed-in pages: the home page, the account picker and switch, and one
//! page per area of the portal. The navigation lists exactly the areas the
//! current account's scope grants; an area without any grant is refused (403),
//! on an error page that keeps the portal's layout.

use poem::{
    FromRequest, IntoResponse, Request, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form, Path, Query, Redirect},
};
use portico_authz::PortalScope;
use portico_data::{PortalAccount, PortalBranch};
use portico_domain::BranchScope;
use portico_web::{AppError, Ui, error::ErrorLayout};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    areas::HomeHook,
    auth::{SignInView, render_sign_in, signed_out_notice},
    session::{PortalSession, SignedInContact, has_principal},
    site::{PortalSite, with_query},
};

/// The area (object) an empty area's page serves (route data).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AreaObject(pub &'static str);

/// What every signed-in page shows, read in one transaction.
pub(crate) struct View {
    name: String,
    /// Every account the contact may act for here, by name.
    accounts: Vec<PortalAccount>,
    /// The branches the current account's scope lets the contact see.
    branches: Vec<PortalBranch>,
}

pub(crate) async fn load(
    me: &PortalSession,
    scope: Option<&PortalScope>,
) -> Result<View, AppError> {
    let ids: Vec<Uuid> = me.accounts().iter().map(|(id, _)| *id).collect();
    let mut tx = me.tx().await?;
    let contact = tx.contacts().find(me.contact).await?;
    let accounts = tx.portal_scope().accounts(me.portal(), &ids).await?;
    let branches = match scope {
        Some(scope) => tx.portal_scope().visible_branches(scope).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    Ok(View {
        name: contact.map(|c| c.display_name).unwrap_or_default(),
        accounts,
        branches,
    })
}

/// The actions a scope grants on an object, translated, in display order.
fn actions(ui: &Ui, scope: &PortalScope, object: &str) -> Vec<String> {
    scope
        .permissions()
        .iter()
        .filter(|p| p.object() == object)
        .map(|p| ui.lang.t(&format!("portal-can-{}", p.action())))
        .collect()
}

/// The layout's values: the portal, the contact, the account it acts for,
/// the accounts it may switch to, the granted areas and the visible branches.
pub(crate) fn context(
    ui: &Ui,
    me: &PortalSession,
    view: &View,
    scope: Option<&PortalScope>,
    current: &str,
) -> tera::Context {
    let site = me.site;
    let company = ui
        .tenant
        .as_ref()
        .map(|t| t.name().to_owned())
        .unwrap_or_default();
    let account = scope.and_then(|s| view.accounts.iter().find(|a| a.id == s.account()));
    let account_name = account.map(|a| a.name.clone()).unwrap_or_default();
    let areas: Vec<Value> = scope
        .map(|scope| {
            scope
                .objects()
                .into_iter()
                .map(|object| {
                    json!({
                        "key": object,
                        "href": with_query(&site.path(&format!("/{object}")), "account", &scope.account().to_string()),
                        "label": ui.lang.t(&format!("portal-area-{object}")),
                        "actions": actions(ui, scope, object).join(", "),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let accounts: Vec<Value> = view
        .accounts
        .iter()
        .map(|a| {
            json!({
                "id": a.id, "code": a.code, "name": a.name,
                "current": scope.is_some_and(|s| s.account() == a.id),
            })
        })
        .collect();
    let with_account = |id: &str| {
        ui.lang
            .t_args(id, &[("account", account_name.clone().into())])
    };
    let branch_note = match scope.map(PortalScope::branches) {
        Some(BranchScope::All) if !view.branches.is_empty() => {
            Some(with_account("portal-branches-all"))
        }
        Some(BranchScope::Only(ids)) if ids.is_empty() => {
            Some(with_account("portal-branches-none"))
        }
        Some(BranchScope::Only(_)) => Some(with_account("portal-branches-only")),
        _ => None,
    };
    // The switch to the company's other portal, for a contact who may use it
    // (its sign-in there is this one: see `session::start`).
    let other = site.other();
    let other_portal = (me.policy.has_portal(other.portal)
        && !me.policy.accounts(other.portal).is_empty())
    .then(|| {
        json!({
            "href": other.base(),
            "label": ui.lang.t_args(
                "portal-go-to-other",
                &[("portal", ui.lang.t(other.name_id()).into())],
            ),
        })
    });
    let mut ctx = ui.context();
    ctx.insert("base", site.base());
    ctx.insert("portal_name", &ui.lang.t(site.name_id()));
    ctx.insert("other_portal", &other_portal);
    ctx.insert("current", current);
    ctx.insert("me", &json!({ "name": view.name }));
    ctx.insert("account", &account);
    ctx.insert("accounts", &accounts);
    ctx.insert("several_accounts", &(view.accounts.len() > 1));
    ctx.insert("areas", &areas);
    ctx.insert(
        "branches",
        &json!({ "note": branch_note, "list": view.branches }),
    );
    ctx.insert(
        "no_areas",
        &ui.lang.t_args(
            "portal-no-areas",
            &[
                ("account", account_name.clone().into()),
                ("company", company.into()),
            ],
        ),
    );
    ctx
}

/// The portal's layout around an error page, for a signed-in contact (`None`
/// for visitors: they get the bare error page). The account is the one the
/// session acts for, not one a failing deep link asked for.
pub(crate) async fn error_layout(req: Request) -> Option<ErrorLayout> {
    let ui = Ui::from_request_without_body(&req).await.ok()?;
    let mut me = PortalSession::from_request_without_body(&req).await.ok()?;
    let scope = me.resolve(None, false).ok()?;
    let view = load(&me, scope.as_ref()).await.ok()?;
    let mut context = context(&ui, &me, &view, scope.as_ref(), "");
    context.insert("error_home", me.site.base());
    Some(ErrorLayout {
        template: "portal/error.html",
        context,
    })
}

#[derive(Deserialize)]
pub(crate) struct HomeQuery {
    signed_out: Option<String>,
}

/// The portal's home: for a signed-in contact, who it is, the account it acts
/// for (with the switcher when it has several) and its areas; for a visitor,
/// the sign-in form.
#[handler]
pub(crate) async fn home(
    req: &Request,
    ui: Ui,
    session: &Session,
    Data(site): Data<&PortalSite>,
    Data(hook): Data<&HomeHook>,
    Query(query): Query<HomeQuery>,
) -> poem::Result<Response> {
    if !has_principal(session, *site) {
        let view = SignInView {
            notice: signed_out_notice(&ui, query.signed_out.as_deref()),
            ..SignInView::default()
        };
        return render_sign_in(&ui, *site, view, StatusCode::OK);
    }
    let signed = SignedInContact::from_request_without_body(req).await?;
    let cards = match hook.0 {
        Some(cards) => cards(&ui, &signed).await?,
        None => None,
    };
    let SignedInContact { session: me, scope } = signed;
    let view = load(&me, Some(&scope)).await?;
    let mut ctx = context(&ui, &me, &view, Some(&scope), "home");
    ctx.insert("home_cards", &cards);
    ctx.insert(
        "greeting",
        &ui.lang
            .t_args("portal-greeting", &[("name", view.name.into())]),
    );
    ctx.insert("title", &ui.lang.t("nav-home"));
    Ok(ui.render("portal/home.html", &ctx)?.into_response())
}

/// The layout of one of a portal crate's area pages: the context every
/// signed-in page has (navigation with `current` marked, the account, the
/// switcher), and the branches the contact's scope sees, for the page's
/// branch selector.
pub async fn area_layout(
    ui: &Ui,
    me: &SignedInContact,
    current: &str,
) -> Result<(tera::Context, Vec<PortalBranch>), AppError> {
    let view = load(&me.session, Some(&me.scope)).await?;
    let ctx = context(ui, &me.session, &view, Some(&me.scope), current);
    Ok((ctx, view.branches))
}

/// An area whose records are not built yet (the shell has already refused it
/// to a contact without any grant on it): an empty state that says what the
/// contact may do there.
#[handler]
pub(crate) async fn area(
    ui: Ui,
    me: SignedInContact,
    Data(area): Data<&AreaObject>,
) -> poem::Result<Response> {
    let object = area.0;
    let view = load(&me.session, Some(&me.scope)).await?;
    let mut ctx = context(&ui, &me.session, &view, Some(&me.scope), object);
    let label = ui.lang.t(&format!("portal-area-{object}"));
    ctx.insert("title", &label);
    ctx.insert(
        "page_area",
        &json!({ "key": object, "label": label, "actions": actions(&ui, &me.scope, object) }),
    );
    Ok(ui.render("portal/area.html", &ctx)?.into_response())
}

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// The account picker: every account the contact may act for here.
#[handler]
pub(crate) async fn account_picker(
    ui: Ui,
    mut me: PortalSession,
    Query(query): Query<NextQuery>,
) -> poem::Result<Response> {
    let scope = me.resolve(None, false)?;
    let view = load(&me, scope.as_ref()).await?;
    let company = ui
        .tenant
        .as_ref()
        .map(|t| t.name().to_owned())
        .unwrap_or_default();
    let mut ctx = context(&ui, &me, &view, scope.as_ref(), "accounts");
    ctx.insert("title", &ui.lang.t("portal-accounts-title"));
    ctx.insert("next", &me.site.local_next(query.next.as_deref()));
    ctx.insert(
        "no_accounts",
        &ui.lang
            .t_args("portal-no-accounts", &[("company", company.into())]),
    );
    Ok(ui.render("portal/accounts.html", &ctx)?.into_response())
}

#[derive(Deserialize)]
pub(crate) struct SwitchForm {
    next: Option<String>,
}

/// Acts for another account: "not found" unless the contact may act for it.
#[handler]
pub(crate) async fn switch_account(
    mut me: PortalSession,
    Path(account): Path<String>,
    Form(form): Form<SwitchForm>,
) -> poem::Result<Response> {
    let id = Uuid::parse_str(&account).map_err(|_| AppError::NotFound)?;
    me.act_for(id).ok_or(AppError::NotFound)?;
    let target = me
        .site
        .local_next(form.next.as_deref())
        .unwrap_or_else(|| me.site.base().to_owned());
    Ok(Redirect::see_other(target).into_response())
}
