//! The isolation matrix, generated from the route registry
//! (`portico::app::tenant_site` and `platform_site`): for every route and the
//! access case it is registered with, a caller without the right is refused
//! exactly, another company's ids in the path are "not found", and a portal
//! contact never meets another account's or a hidden branch's records. A route
//! whose path parameters the matrix cannot fill fails the suite, by name.

use poem::http::{Method, StatusCode};
use portico_authz::BackOffice;
use portico_domain::{AccountKind, Portal, StaffRole};
use portico_tests::builders::{Company, Grant, portal_base};
use portico_tests::{Browser, Page, TestApp, TestDb, backend_tests};
use portico_web::{Access, Routes, routes::Entry};

const BASE: &str = "localhost:8080";
/// Names that must never reach the portal contact of alfa.
const OTHER_ACCOUNT: &str = "Cuenta Ajena";
const HIDDEN_BRANCH: &str = "Sucursal Oculta";
const OTHER_COMPANY_ACCOUNT: &str = "Cliente de Beta";

/// The ids that fill path parameters: records of *another* company (beta), so
/// alfa's callers must get "not found" for every one of them.
struct Ids {
    contact: String,
    customer: String,
    supplier: String,
    branch: String,
    link: String,
    /// An id no record of alfa has, for records the matrix does not build in beta
    /// (imports, portal roles, API keys, staff users, list entries).
    absent: String,
}

/// The value of path parameter `param` after the literal segment `after`, or
/// `None` when the matrix does not know it.
fn slot(ids: &Ids, after: &str, param: &str) -> Option<String> {
    let value = match (after, param) {
        ("contacts", ":id") => &ids.contact,
        ("customers" | "accounts", ":id" | ":account") => &ids.customer,
        ("suppliers", ":id") => &ids.supplier,
        ("branches", ":branch" | ":branch_id") => &ids.branch,
        ("links", ":id") => &ids.link,
        ("access" | "portal-access" | "portal-invitation", ":portal") => {
            return Some("customer".into());
        }
        ("import" | "staff" | "api-keys" | "portal-roles", ":id") => &ids.absent,
        ("settings", ":list") => return Some("titles".into()),
        (":list", ":id") => &ids.absent,
        ("reset" | "link" | "invitation", ":token") => return Some("no-such-link".into()),
        ("tenants", ":slug") => return Some("no-such-company".into()),
        _ => return None,
    };
    Some(value.clone())
}

/// `pattern` with its parameters filled, or `None` when one is unknown.
fn fill(pattern: &str, ids: &Ids) -> Option<String> {
    let segments: Vec<&str> = pattern.split('/').collect();
    let mut out = Vec::with_capacity(segments.len());
    for (at, segment) in segments.iter().enumerate() {
        if segment.starts_with(':') {
            let after = if at == 0 { "" } else { segments[at - 1] };
            out.push(slot(ids, after, segment)?);
        } else {
            out.push((*segment).to_owned());
        }
    }
    Some(out.join("/"))
}

/// The patterns of `routes` the matrix cannot fill.
fn missing(routes: &Routes, ids: &Ids) -> Vec<String> {
    let mut missing: Vec<String> = routes
        .entries()
        .iter()
        .filter(|e| fill(&e.pattern, ids).is_none())
        .map(|e| e.pattern.clone())
        .collect();
    missing.dedup();
    missing
}

/// The methods to call on an entry: its own, or GET and POST when the route
/// takes whichever the endpoint serves (405 answers are skipped).
fn methods(entry: &Entry) -> Vec<Method> {
    entry
        .method
        .clone()
        .map_or_else(|| vec![Method::GET, Method::POST], |m| vec![m])
}

/// The app a page route belongs to: where its sign-in is and where a signed-in
/// caller finds a form token.
fn app_of(pattern: &str) -> (&'static str, &'static str) {
    for (prefix, home) in [
        ("/admin", "/admin"),
        ("/portal", "/portal"),
        ("/supplier", "/supplier"),
    ] {
        if pattern == prefix || pattern.starts_with(&format!("{prefix}/")) {
            return (home, home);
        }
    }
    ("", "/")
}

/// Calls `url` with `method` as `browser`: forms carry a token taken from
/// `token_page`, API calls send an empty JSON object.
async fn call(browser: &Browser<'_>, method: &Method, url: &str, token_page: &str) -> Page {
    if *method == Method::GET {
        browser.get(url).await
    } else if *method == Method::POST && !url.contains("/api/v1") {
        let token = browser.get(token_page).await.csrf();
        browser.post(url, &[("_csrf", token.as_str())]).await
    } else if *method == Method::DELETE {
        browser.json(method.clone(), url, None).await
    } else {
        browser
            .json(method.clone(), url, Some(serde_json::json!({})))
            .await
    }
}

/// Whether a call was refused for its input (the matrix sends an empty form or
/// `{}`, and no query parameters) before any record was looked up: the same
/// answer for any id, so it leaks nothing, but proves nothing either (counted
/// and printed).
fn refused_body(method: &Method, status: StatusCode) -> bool {
    status == StatusCode::BAD_REQUEST
        || ((*method == Method::POST || *method == Method::PUT)
            && (status == StatusCode::UNPROCESSABLE_ENTITY
                || status == StatusCode::UNSUPPORTED_MEDIA_TYPE))
}

/// Every caller the matrix needs in alfa.
struct Callers<'a> {
    anonymous: Browser<'a>,
    owner: Browser<'a>,
    roles: Vec<(StaffRole, Browser<'a>)>,
    admin_key: Browser<'a>,
    keys: Vec<(StaffRole, Browser<'a>)>,
    customer_contact: Browser<'a>,
    supplier_contact: Browser<'a>,
    /// The permissions each portal contact holds.
    held: [&'static str; 2],
    /// alfa's own records, for the callers without the right.
    own: Ids,
    /// An account of alfa the customer contact is not linked to.
    other_account: String,
}

impl<'a> Callers<'a> {
    fn contact(&self, portal: Portal) -> &Browser<'a> {
        match portal {
            Portal::Customer => &self.customer_contact,
            Portal::Supplier => &self.supplier_contact,
        }
    }

    /// A caller who has the right the access case names.
    fn entitled(&self, access: Access) -> Option<&Browser<'a>> {
        match access {
            Access::StaffSignedIn | Access::Staff(..) => Some(&self.owner),
            Access::StaffOrKey(..) => Some(&self.admin_key),
            Access::PortalSignedIn(portal) | Access::Portal(portal, _) => {
                Some(self.contact(portal))
            }
            Access::Anonymous | Access::Operator => None,
        }
    }

    /// A signed-in caller who lacks the right, and who it is.
    fn unentitled(&self, access: Access, policy: &BackOffice) -> Option<(String, &Browser<'a>)> {
        match access {
            Access::Staff(area, action) => self
                .roles
                .iter()
                .find(|(role, _)| !policy.allows(*role, area, action))
                .map(|(role, b)| (format!("staff {role}"), b)),
            Access::StaffOrKey(area, action) => self
                .keys
                .iter()
                .find(|(role, _)| !policy.allows(*role, area, action))
                .map(|(role, b)| (format!("key {role}"), b)),
            Access::Portal(portal, permission) => {
                let held = self.held[usize::from(portal == Portal::Supplier)];
                (!held.starts_with(&format!("{}.", permission.object()))).then(|| {
                    (
                        format!("{portal} contact with {held}"),
                        self.contact(portal),
                    )
                })
            }
            _ => None,
        }
    }
}

backend_tests!(every_route_refuses_callers_without_the_right_and_hides_other_companies);

async fn every_route_refuses_callers_without_the_right_and_hides_other_companies(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let beta = Company::new(&app, "beta").await;
    let ids = other_company(&beta).await;
    let callers = callers(&app, &alfa).await;
    let policy = BackOffice::load().await.expect("policy");
    app.operator().await;
    let tenant = portico::app::tenant_site();
    let platform = portico::app::platform_site();
    for routes in [&tenant, &platform] {
        let missing = missing(routes, &ids);
        assert!(
            missing.is_empty(),
            "routes the isolation matrix cannot fill (say in `slot` which records fill them): {missing:?}"
        );
    }

    let mut problems = Vec::new();
    let mut checked = 0;
    let mut bodies_refused = 0;
    for entry in tenant.entries() {
        let url = fill(&entry.pattern, &ids).expect("filled");
        let (sign_in_home, token_page) = app_of(&entry.pattern);
        for method in methods(entry) {
            let at = format!("{method} {} ({:?})", entry.pattern, entry.access);
            if entry.access != Access::Anonymous {
                let page = call(
                    &callers.anonymous,
                    &method,
                    &url,
                    &format!("{sign_in_home}/sign-in"),
                )
                .await;
                if page.status == StatusCode::METHOD_NOT_ALLOWED {
                    continue;
                }
                checked += 1;
                let refused = if entry.api {
                    // An unsafe call with neither a key nor a session is refused
                    // by the CSRF check (403) before authentication.
                    page.status == StatusCode::UNAUTHORIZED
                        || (method != Method::GET && page.status == StatusCode::FORBIDDEN)
                } else {
                    page.status == StatusCode::SEE_OTHER
                        && page
                            .location()
                            .is_some_and(|l| l.starts_with(&format!("{sign_in_home}/sign-in")))
                };
                if refused_body(&method, page.status) {
                    bodies_refused += 1;
                } else if !refused {
                    problems.push(format!(
                        "{at} anonymous: {} {:?}",
                        page.status,
                        page.location()
                    ));
                }
            }
            if let Some((who, browser)) = callers.unentitled(entry.access, &policy) {
                let own = fill(&entry.pattern, &callers.own).expect("filled");
                let page = call(browser, &method, &own, token_page).await;
                if refused_body(&method, page.status) {
                    bodies_refused += 1;
                } else if page.status != StatusCode::FORBIDDEN
                    && page.status != StatusCode::METHOD_NOT_ALLOWED
                {
                    problems.push(format!("{at} as {who}: {} (expected 403)", page.status));
                }
            }
            if entry.pattern.contains("/:")
                && !entry.pattern.contains(":token")
                && let Some(browser) = callers.entitled(entry.access)
            {
                let page = call(browser, &method, &url, token_page).await;
                if refused_body(&method, page.status) {
                    bodies_refused += 1;
                } else if ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED]
                    .contains(&page.status)
                {
                    problems.push(format!(
                        "{at} with beta's ids {url}: {} (expected 404)",
                        page.status
                    ));
                }
            }
        }
    }
    for entry in platform
        .entries()
        .iter()
        .filter(|e| e.access != Access::Anonymous)
    {
        let anonymous = app.browser(BASE);
        let url = fill(&entry.pattern, &ids).expect("filled");
        for method in methods(entry) {
            let page = call(&anonymous, &method, &url, "/sign-in").await;
            if page.status == StatusCode::METHOD_NOT_ALLOWED {
                continue;
            }
            checked += 1;
            if page.status != StatusCode::SEE_OTHER || page.location() != Some("/sign-in") {
                problems.push(format!(
                    "{method} {} anonymous: {} {:?}",
                    entry.pattern,
                    page.status,
                    page.location()
                ));
            }
        }
    }
    problems.extend(portal_sees_only_its_accounts_and_branches(&callers).await);
    println!(
        "isolation matrix: {checked} route calls checked over {} routes; {bodies_refused} calls refused for their empty body first",
        tenant.entries().len() + platform.entries().len()
    );
    assert!(checked > 150, "only {checked} calls were checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// beta's records, whose ids fill alfa's routes.
async fn other_company(beta: &Company<'_>) -> Ids {
    let customer = beta
        .account(AccountKind::Customer, "B-001", OTHER_COMPANY_ACCOUNT)
        .await;
    let supplier = beta
        .account(AccountKind::Supplier, "B-002", "Proveedor de Beta")
        .await;
    let branch = beta.branch(customer, "B-S1", "Sucursal de Beta").await;
    let contact = beta.contact("Berta", "Beta", "berta@beta.test").await;
    let link = beta
        .link(
            contact,
            customer,
            AccountKind::Customer,
            &Grant::all_branches(&["documents.view"]),
        )
        .await;
    Ids {
        contact: contact.to_string(),
        customer: customer.to_string(),
        supplier: supplier.to_string(),
        branch: branch.to_string(),
        link: link.to_string(),
        absent: uuid::Uuid::now_v7().to_string(),
    }
}

/// alfa's callers: staff of every role, API keys of every role, and two portal
/// contacts of one customer branch and one supplier.
async fn callers<'a>(app: &'a TestApp, alfa: &Company<'a>) -> Callers<'a> {
    let roles = [
        StaffRole::ReadOnly,
        StaffRole::Sales,
        StaffRole::Purchasing,
        StaffRole::Admin,
    ];
    let mut sessions = Vec::new();
    let mut keys = Vec::new();
    for role in roles {
        let email = format!("{role}@alfa.test").replace('_', "-");
        alfa.staff(&email, role).await;
        sessions.push((role, alfa.staff_session(&email).await));
        keys.push((role, alfa.api_client(&alfa.api_key(role).await)));
    }
    let customer = alfa
        .account(AccountKind::Customer, "A-001", "Farmacia Alfa")
        .await;
    let visible = alfa.branch(customer, "A-S1", "Sucursal Visible").await;
    alfa.branch(customer, "A-S2", HIDDEN_BRANCH).await;
    let other_account = alfa
        .account(AccountKind::Customer, "A-002", OTHER_ACCOUNT)
        .await;
    let supplier = alfa
        .account(AccountKind::Supplier, "A-003", "Proveedor Alfa")
        .await;
    let held = ["quotes.view", "payables.view"];
    let ana = alfa.contact("Ana", "Alfa", "ana@alfa.test").await;
    let link = alfa
        .link(
            ana,
            customer,
            AccountKind::Customer,
            &Grant::branches(&[held[0]], &[visible]),
        )
        .await;
    let sam = alfa.contact("Samuel", "Alfa", "sam@alfa.test").await;
    alfa.link(
        sam,
        supplier,
        AccountKind::Supplier,
        &Grant::all_branches(&[held[1]]),
    )
    .await;
    Callers {
        anonymous: app.browser(&alfa.host()),
        owner: alfa.staff_session("owner@alfa.test").await,
        roles: sessions,
        admin_key: alfa.api_client(&alfa.api_key(StaffRole::Admin).await),
        keys,
        customer_contact: alfa.portal_session(Portal::Customer, "ana@alfa.test").await,
        supplier_contact: alfa.portal_session(Portal::Supplier, "sam@alfa.test").await,
        held,
        own: Ids {
            contact: ana.to_string(),
            customer: customer.to_string(),
            supplier: supplier.to_string(),
            branch: visible.to_string(),
            link: link.to_string(),
            absent: uuid::Uuid::now_v7().to_string(),
        },
        other_account: other_account.to_string(),
    }
}

/// The portal contact's pages and API never name another account, a hidden
/// branch or another company's account; another account's id is "not found".
async fn portal_sees_only_its_accounts_and_branches(callers: &Callers<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let base = portal_base(Portal::Customer);
    let ana = &callers.customer_contact;
    for path in ["", "/accounts", "/quotes", "/api/v1/me"] {
        let page = ana.get(&format!("{base}{path}")).await;
        if page.status != StatusCode::OK {
            problems.push(format!("{base}{path}: {} for the contact", page.status));
        }
        for name in [OTHER_ACCOUNT, HIDDEN_BRANCH, OTHER_COMPANY_ACCOUNT] {
            if page.body.contains(name) {
                problems.push(format!("{base}{path} names {name:?}"));
            }
        }
    }
    let other = &callers.other_account;
    let me = ana.get(&format!("{base}/api/v1/me?account={other}")).await;
    if me.status != StatusCode::NOT_FOUND {
        problems.push(format!("me for another account: {}", me.status));
    }
    let token = ana.get(base).await.csrf();
    let switch = ana
        .post(
            &format!("{base}/accounts/{other}"),
            &[("_csrf", token.as_str())],
        )
        .await;
    if switch.status != StatusCode::NOT_FOUND {
        problems.push(format!("switching to another account: {}", switch.status));
    }
    problems
}

#[poem::handler]
fn widget() -> &'static str {
    "widget"
}

#[test]
fn a_route_the_matrix_cannot_fill_is_reported_by_name() {
    let ids = Ids {
        contact: "c".into(),
        customer: "a".into(),
        supplier: "s".into(),
        branch: "b".into(),
        link: "l".into(),
        absent: "x".into(),
    };
    assert!(missing(&portico::app::tenant_site(), &ids).is_empty());
    let routes = portico::app::tenant_site().at(
        "/admin/widgets/:id",
        Access::StaffSignedIn,
        poem::get(widget),
    );
    assert_eq!(missing(&routes, &ids), ["/admin/widgets/:id"]);
}
