//! The isolation matrix, generated from the route registry
//! (`portico::app::tenant_site` and `platform_site`): for every route and the
//! access case it is registered with, a caller without the right is refused
//! exactly, another company's ids in the path are "not found", and a portal
//! contact never meets another account's or a hidden branch's records. A route
//! whose path parameters the matrix cannot fill fails the suite, by name.
//!
//! Every id is a real record: beta's (another company) for the "not found"
//! check, alfa's own for the "forbidden" one. A call refused for its empty body
//! (400, 422, 415) is retried with a minimal valid body ([`minimal_body`]), so
//! the id is actually looked up; the calls that stay unreached are printed, and
//! their number is bounded ([`UNREACHED_BELOW`]).

use poem::http::{Method, StatusCode};
use portico_authz::BackOffice;
use portico_data::ContactList;
use portico_domain::{AccountKind, Portal, StaffRole, orders::OrderKind};
use portico_tests::builders::{Company, Grant, invoice_input, payment_input, portal_base};
use portico_tests::{Browser, Page, TestApp, TestDb, backend_tests};
use portico_web::{Access, Routes, routes::Entry};

const BASE: &str = "localhost:8080";
/// Names that must never reach the portal contact of alfa.
const OTHER_ACCOUNT: &str = "Cuenta Ajena";
const HIDDEN_BRANCH: &str = "Sucursal Oculta";
const OTHER_COMPANY_ACCOUNT: &str = "Cliente de Beta";
/// Numbers of invoices the finance contact of alfa must never meet.
const HIDDEN_INVOICE: &str = "FAC-OCULTA-9";
const OTHER_ACCOUNT_INVOICE: &str = "FAC-AJENA-9";
const OTHER_COMPANY_INVOICE: &str = "FAC-B1";
/// Titles of documents: the one the reader contact sees, and those it never meets.
const VISIBLE_DOCUMENT: &str = "Contrato Visible";
const HIDDEN_DOCUMENT: &str = "Contrato de la Sucursal Oculta";
const OTHER_ACCOUNT_DOCUMENT: &str = "Contrato Ajeno";
const UNPUBLISHED_DOCUMENT: &str = "Borrador sin Archivo";
/// Subjects of service requests: the one the service contact sees, and those it never meets.
const VISIBLE_REQUEST: &str = "Solicitud Visible";
const HIDDEN_REQUEST: &str = "Solicitud de la Sucursal Oculta";
const OTHER_ACCOUNT_REQUEST: &str = "Solicitud Ajena";

/// The ids that fill path parameters: records of *another* company (beta), so
/// alfa's callers must get "not found" for every one of them (or alfa's own,
/// for the callers who lack the right).
struct Ids {
    contact: String,
    customer: String,
    supplier: String,
    branch: String,
    link: String,
    import: String,
    staff: String,
    api_key: String,
    portal_role: String,
    /// An entry of the titles list (`/admin/settings/titles/:id`).
    title: String,
    /// An invoice of `customer` (of `branch`).
    invoice: String,
    /// A payment of `customer` (of `branch`), applied to `invoice`.
    payment: String,
    /// A sent quote and a submitted order of `customer` (of `branch`).
    quote: String,
    order: String,
    /// A document of `customer` (of `branch`) with one version.
    document: String,
    /// A service request of `customer` (of `branch`) and its file.
    request: String,
    request_file: String,
    /// The company's logo (`/logo/:id`: anyone may see it, on its own site).
    logo: String,
    /// A purchase order (sent) of `supplier`.
    purchase_order: String,
    /// A supplier invoice of `supplier`.
    supplier_invoice: String,
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
        ("import", ":id") => &ids.import,
        ("invoices", ":id") => &ids.invoice,
        ("payments", ":id") => &ids.payment,
        ("quotes" | "from-quote", ":id") => &ids.quote,
        ("orders", ":id") => &ids.order,
        ("documents", ":id") => &ids.document,
        ("service_requests" | "service-requests", ":id") => &ids.request,
        ("files", ":file" | ":file_id") => &ids.request_file,
        ("versions", ":n" | ":version") => return Some("1".into()),
        ("logo", ":id") => &ids.logo,
        ("purchase_orders" | "purchase-orders", ":id") => &ids.purchase_order,
        ("supplier_invoices" | "supplier-invoices", ":id") => &ids.supplier_invoice,
        ("staff", ":id") => &ids.staff,
        ("api-keys", ":id") => &ids.api_key,
        ("portal-roles", ":id") => &ids.portal_role,
        ("settings", ":list") => return Some("titles".into()),
        (":list", ":id") => &ids.title,
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

/// A body that passes a route's input validation: form fields (the CSRF
/// token is added), a JSON document, raw bytes of a content type, or (for a
/// GET) a query string.
#[derive(Debug, Clone)]
enum Minimal {
    Form(Vec<(&'static str, String)>),
    Json(serde_json::Value),
    Raw(&'static str, &'static [u8]),
    Query(String),
}

/// A 1×1 PNG, for photo uploads.
const PIXEL: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// The body to retry a call with when the empty one was refused before the
/// id in the path was looked up, by method and route pattern; ids in a body
/// are taken from the same company as the path's (`ids`). `None` when the
/// matrix has none: the call is then counted as unreached.
fn minimal_body(method: &Method, pattern: &str, ids: &Ids) -> Option<Minimal> {
    use serde_json::json;
    let account = json!({ "code": "Z-001", "name": "Cuenta Mínima" });
    let branch = json!({ "code": "Z-S1", "name": "Sucursal Mínima" });
    let role = json!({
        "portal": "customer",
        "name_es": "Rol Mínimo",
        "name_en": "Minimal role",
        "permissions": ["documents.view"],
    });
    let body = match (method.as_str(), pattern) {
        ("POST", "/admin/settings/:list/:id") => {
            Minimal::Form(vec![("name", "Título Nuevo".into())])
        }
        ("POST", "/admin/contacts/:id/access/invite") => {
            Minimal::Form(vec![("portal", "customer".into())])
        }
        ("POST", "/admin/contacts/:id/links") => Minimal::Form(vec![
            ("account_id", ids.customer.clone()),
            ("kind", "customer".into()),
            ("code", String::new()),
            ("back", String::new()),
        ]),
        ("POST", "/admin/portal-roles") => Minimal::Form(vec![
            ("portal", "customer".into()),
            ("name_es", "Rol Mínimo".into()),
            ("name_en", "Minimal role".into()),
            ("permission", "documents.view".into()),
        ]),
        ("PUT", "/api/v1/contacts/:id") => {
            Minimal::Json(json!({ "first_name": "Mínima", "last_name": "Prueba" }))
        }
        ("POST", "/api/v1/contacts/:id/links") => {
            Minimal::Json(json!({ "account_id": ids.customer }))
        }
        ("PUT", "/api/v1/contacts/:id/photo") => Minimal::Raw("image/png", PIXEL),
        ("PUT", "/api/v1/contacts/:id/portal-access/:portal") => {
            Minimal::Json(json!({ "enabled": false }))
        }
        ("GET", "/api/v1/contacts/:id/access/explain") => {
            Minimal::Query(format!("link={}&permission=documents.view", ids.link))
        }
        ("POST", "/api/v1/portal-roles") | ("PUT", "/api/v1/portal-roles/:id") => {
            Minimal::Json(role)
        }
        (
            "PUT",
            "/api/v1/invoices"
            | "/api/v1/payments"
            | "/api/v1/items"
            | "/api/v1/prices"
            | "/api/v1/quotes"
            | "/api/v1/orders"
            | "/api/v1/purchase-orders"
            | "/api/v1/goods-receipts",
        ) => Minimal::Json(json!({ "records": [] })),
        ("POST", "/api/v1/purchase-orders/:id/review") => {
            Minimal::Json(json!({ "decision": "accept" }))
        }
        ("POST", "/supplier/api/v1/purchase-orders/:id/acknowledgement") => {
            Minimal::Json(json!({ "lines": [] }))
        }
        (
            "POST",
            "/supplier/api/v1/supplier-invoice-checks" | "/supplier/api/v1/supplier-invoices",
        ) => Minimal::Json(json!({ "order_id": ids.purchase_order, "number": "F-1",
                                  "issued_on": "2026-11-20", "tax_id": "1", "lines": [] })),
        ("POST", "/api/v1/supplier-invoices/:id/decision") => {
            Minimal::Json(json!({ "decision": "approve" }))
        }
        ("PUT", "/api/v1/quotes/:id") => Minimal::Json(json!({ "lines": [{
            "description": "Mínima", "unit": "u", "quantity": "1", "unit_price": "1", "tax_rate": "0"
        }] })),
        ("POST", "/admin/quotes/:id/edit") => Minimal::Form(vec![
            ("description", "Mínima".into()),
            ("unit", "u".into()),
            ("quantity", "1".into()),
            ("unit_price", "1".into()),
            ("tax_rate", "0".into()),
        ]),
        ("POST", "/portal/api/v1/quotes" | "/portal/api/v1/orders") => {
            Minimal::Json(json!({ "lines": [{ "item_id": uuid::Uuid::nil(), "quantity": "1" }] }))
        }
        ("POST", "/portal/api/v1/quotes/:id/decision" | "/portal/api/v1/orders/:id/decision") => {
            Minimal::Json(json!({ "decision": "authorize" }))
        }
        ("POST", "/portal/quotes/:id/decision" | "/portal/orders/:id/decision") => {
            Minimal::Form(vec![("decision", "authorize".into())])
        }
        ("POST", "/api/v1/documents") | ("PUT", "/api/v1/documents/:id") => Minimal::Json(
            json!({ "customer_id": ids.customer, "title": "Documento Mínimo", "kind": "other" }),
        ),
        ("POST", "/api/v1/service-requests") => Minimal::Json(
            json!({ "customer_id": ids.customer, "subject": "Mínima", "description": "Mínima" }),
        ),
        ("POST", "/portal/api/v1/service-requests") => {
            Minimal::Json(json!({ "subject": "Mínima", "description": "Mínima" }))
        }
        ("POST", "/portal/api/v1/service-requests/:id/comments") => {
            Minimal::Json(json!({ "body": "Mínimo" }))
        }
        (
            "POST",
            "/portal/api/v1/service-requests/:id/files" | "/api/v1/service-requests/:id/files",
        ) => Minimal::Raw("application/octet-stream", b"%PDF-1.4 minimal"),
        ("POST", "/api/v1/documents/:id/versions") => {
            Minimal::Raw("application/octet-stream", b"%PDF-1.4 minimal")
        }
        ("POST", "/api/v1/customers/:id/branches")
        | ("PUT", "/api/v1/customers/:id/branches/:branch_id") => Minimal::Json(branch),
        (
            "POST" | "PUT",
            "/api/v1/customers"
            | "/api/v1/customers/:id"
            | "/api/v1/suppliers"
            | "/api/v1/suppliers/:id",
        ) => Minimal::Json(account),
        _ => return None,
    };
    Some(body)
}

/// Calls `url` with `method` as `browser`: forms carry a token taken from
/// `token_page` and `body`'s fields; API calls send `body`, or an empty JSON
/// object.
async fn call_with(
    browser: &Browser<'_>,
    method: &Method,
    url: &str,
    token_page: &str,
    body: Option<&Minimal>,
) -> Page {
    if *method == Method::GET {
        match body {
            Some(Minimal::Query(query)) => browser.get(&format!("{url}?{query}")).await,
            _ => browser.get(url).await,
        }
    } else if *method == Method::POST && !url.contains("/api/v1") {
        let token = browser.get(token_page).await.csrf();
        let mut fields = vec![("_csrf", token.as_str())];
        if let Some(Minimal::Form(more)) = body {
            fields.extend(more.iter().map(|(k, v)| (*k, v.as_str())));
        }
        browser.post(url, &fields).await
    } else if let Some(Minimal::Raw(content_type, bytes)) = body {
        browser.raw(method.clone(), url, content_type, bytes).await
    } else if let Some(Minimal::Json(json)) = body {
        browser.json(method.clone(), url, Some(json.clone())).await
    } else if *method == Method::DELETE {
        browser.json(method.clone(), url, None).await
    } else {
        browser
            .json(method.clone(), url, Some(serde_json::json!({})))
            .await
    }
}

/// [`call_with`] an empty body.
async fn call(browser: &Browser<'_>, method: &Method, url: &str, token_page: &str) -> Page {
    call_with(browser, method, url, token_page, None).await
}

/// The answer to a call, after a retry with a minimal body if the empty one
/// was refused for its input.
#[derive(Debug)]
struct Outcome {
    status: StatusCode,
    location: Option<String>,
    /// `false`: refused for its body even after the retry (or with no body to
    /// retry with), so the id was never looked up.
    reached: bool,
}

/// Calls `url` as [`call`] does; when the empty body is refused for its input,
/// calls again with the pattern's [`minimal_body`].
async fn reach(
    browser: &Browser<'_>,
    method: &Method,
    url: &str,
    token_page: &str,
    pattern: &str,
    ids: &Ids,
) -> Outcome {
    let mut page = call(browser, method, url, token_page).await;
    if refused_body(method, page.status)
        && let Some(body) = minimal_body(method, pattern, ids)
    {
        page = call_with(browser, method, url, token_page, Some(&body)).await;
    }
    Outcome {
        status: page.status,
        location: page.location().map(str::to_owned),
        reached: !refused_body(method, page.status),
    }
}

/// What the matrix concludes from an entitled caller's call with another
/// company's ids.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// "Not found" (or a method the route does not serve).
    Hidden,
    /// Refused for its body before the id was looked up: proves nothing.
    Unreached,
    /// Anything else: the record (or its absence) showed through.
    Leak(StatusCode),
}

fn other_company_verdict(outcome: &Outcome) -> Verdict {
    if [StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&outcome.status) {
        Verdict::Hidden
    } else if !outcome.reached {
        Verdict::Unreached
    } else {
        Verdict::Leak(outcome.status)
    }
}

/// The calls of each check (another company's ids; anonymous or without the
/// right) that stay unreached — refused for their body even after the
/// [`minimal_body`] retry, so the id was never looked up — must be fewer than
/// this. Each is printed. 1: none is at this commit; a new route whose empty
/// body is refused needs its entry in [`minimal_body`] (raise the bound only
/// for a route that cannot have one, and name it here).
const UNREACHED_BELOW: usize = 1;

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
    /// A second customer contact, of the same branch, who holds what the
    /// first does not (sales and receivables).
    finance_contact: Browser<'a>,
    supplier_contact: Browser<'a>,
    /// A third customer contact, of the same branch, who views orders.
    buyer_contact: Browser<'a>,
    /// A fourth customer contact, of the same branch, who views documents.
    reader_contact: Browser<'a>,
    /// A fifth customer contact, of the same branch, who opens service requests.
    service_contact: Browser<'a>,
    /// A second supplier contact, who views and acknowledges purchase orders.
    po_contact: Browser<'a>,
    /// The permission each portal contact holds: customer, finance,
    /// supplier, buyer, reader, service, purchase orders.
    held: [&'static str; 7],
    /// alfa's own records, for the callers without the right.
    own: Ids,
    /// An account of alfa the customer contact is not linked to.
    other_account: String,
    /// The customer's branch the contacts do not see, and an invoice, a
    /// quote and an order of it.
    hidden_branch: String,
    hidden_invoice: String,
    hidden_quote: String,
    hidden_order: String,
    hidden_document: String,
    hidden_request: String,
    /// An account-level payment of the customer, applied to an invoice of
    /// the visible branch and to the hidden one.
    account_payment: String,
    /// A purchase order of another supplier of alfa, and its number.
    other_supplier_order: (String, String),
}

impl<'a> Callers<'a> {
    /// The portal contacts with the permission each holds.
    fn contacts(&self) -> [(Portal, &'static str, &Browser<'a>); 7] {
        [
            (Portal::Customer, self.held[0], &self.customer_contact),
            (Portal::Customer, self.held[1], &self.finance_contact),
            (Portal::Supplier, self.held[2], &self.supplier_contact),
            (Portal::Customer, self.held[3], &self.buyer_contact),
            (Portal::Customer, self.held[4], &self.reader_contact),
            (Portal::Customer, self.held[5], &self.service_contact),
            (Portal::Supplier, self.held[6], &self.po_contact),
        ]
    }

    /// A contact of `portal`, one holding a permission on `object` when
    /// `holds` (else one holding none on it).
    fn contact(
        &self,
        portal: Portal,
        object: Option<&str>,
        holds: bool,
    ) -> Option<(String, &Browser<'a>)> {
        self.contacts()
            .into_iter()
            .find(|(p, held, _)| {
                *p == portal && object.is_none_or(|o| held.starts_with(&format!("{o}.")) == holds)
            })
            .map(|(p, held, b)| (format!("{p} contact with {held}"), b))
    }

    /// A caller who has the right the access case names.
    fn entitled(&self, access: Access) -> Option<&Browser<'a>> {
        match access {
            Access::StaffSignedIn | Access::Staff(..) => Some(&self.owner),
            Access::StaffOrKey(..) => Some(&self.admin_key),
            Access::PortalSignedIn(portal) => self.contact(portal, None, true).map(|(_, b)| b),
            Access::Portal(portal, permission) => self
                .contact(portal, Some(permission.object()), true)
                .map(|(_, b)| b),
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
                self.contact(portal, Some(permission.object()), false)
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
    // Calls with beta's ids answered "not found", and those never reached.
    let mut hidden = 0;
    let mut unreached_other = Vec::new();
    // Calls of the other checks refused for their body (anonymous, no right).
    let mut unreached = Vec::new();
    for entry in tenant.entries() {
        let url = fill(&entry.pattern, &ids).expect("filled");
        let (sign_in_home, token_page) = app_of(&entry.pattern);
        for method in methods(entry) {
            let at = format!("{method} {} ({:?})", entry.pattern, entry.access);
            if entry.access != Access::Anonymous {
                let page = reach(
                    &callers.anonymous,
                    &method,
                    &url,
                    &format!("{sign_in_home}/sign-in"),
                    &entry.pattern,
                    &ids,
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
                            .location
                            .as_deref()
                            .is_some_and(|l| l.starts_with(&format!("{sign_in_home}/sign-in")))
                };
                if !page.reached {
                    unreached.push(format!("{at} anonymous: {}", page.status));
                } else if !refused {
                    problems.push(format!(
                        "{at} anonymous: {} {:?}",
                        page.status, page.location
                    ));
                }
            }
            if let Some((who, browser)) = callers.unentitled(entry.access, &policy) {
                let own = fill(&entry.pattern, &callers.own).expect("filled");
                let page = reach(
                    browser,
                    &method,
                    &own,
                    token_page,
                    &entry.pattern,
                    &callers.own,
                )
                .await;
                if !page.reached {
                    unreached.push(format!("{at} as {who}: {}", page.status));
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
                let page = reach(browser, &method, &url, token_page, &entry.pattern, &ids).await;
                match other_company_verdict(&page) {
                    Verdict::Hidden => hidden += 1,
                    Verdict::Unreached => {
                        unreached_other.push(format!("{at}: {}", page.status));
                    }
                    Verdict::Leak(status) => problems.push(format!(
                        "{at} with beta's ids {url}: {status} (expected 404)"
                    )),
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
        "isolation matrix: {checked} route calls checked over {} routes; {hidden} calls with \
         beta's ids answered \"not found\"; {} calls with beta's ids and {} other calls \
         still refused for their body:",
        tenant.entries().len() + platform.entries().len(),
        unreached_other.len(),
        unreached.len()
    );
    for call in unreached_other.iter().chain(&unreached) {
        println!("  unreached: {call}");
    }
    assert!(checked > 150, "only {checked} calls were checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        unreached_other.len() < UNREACHED_BELOW,
        "{} calls with beta's ids never reach the id (fewer than {UNREACHED_BELOW} allowed); give them a body in `minimal_body`: {unreached_other:#?}",
        unreached_other.len()
    );
    assert!(
        unreached.len() < UNREACHED_BELOW,
        "{} anonymous or unentitled calls are refused for their body before the access check (fewer than {UNREACHED_BELOW} allowed); give them a body in `minimal_body`: {unreached:#?}",
        unreached.len()
    );
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
    let staff = beta.staff_user("bruno@beta.test", StaffRole::Sales).await;
    let request = beta
        .service_request("B-001", Some(branch), "Solicitud de Beta")
        .await;
    Ids {
        contact: contact.to_string(),
        customer: customer.to_string(),
        supplier: supplier.to_string(),
        branch: branch.to_string(),
        link: link.to_string(),
        import: beta.contact_import("contactos-beta.csv").await.to_string(),
        staff: staff.to_string(),
        api_key: beta.api_key_id(StaffRole::ReadOnly).await.to_string(),
        portal_role: beta
            .portal_role(Portal::Customer, "Rol de Beta", &["documents.view"])
            .await
            .to_string(),
        title: beta
            .list_entry(ContactList::Titles, "Título de Beta")
            .await
            .to_string(),
        invoice: beta
            .invoices(&[invoice_input(
                OTHER_COMPANY_INVOICE,
                "B-001",
                Some("B-S1"),
                "2026-01-05",
                "2026-02-04",
                "100",
            )])
            .await[0]
            .to_string(),
        payment: beta
            .payments(&[payment_input(
                "REC-B1",
                "B-001",
                Some("B-S1"),
                "2026-01-20",
                "40",
                &[(OTHER_COMPANY_INVOICE, "40")],
            )])
            .await[0]
            .to_string(),
        quote: beta
            .sales_order(OrderKind::Quote, "B-001", Some(branch), "50")
            .await
            .0
            .to_string(),
        order: beta
            .sales_order(OrderKind::Order, "B-001", Some(branch), "60")
            .await
            .0
            .to_string(),
        document: beta
            .document("B-001", Some(branch), "Documento de Beta", b"beta")
            .await
            .to_string(),
        request: request.0.to_string(),
        request_file: request.1.to_string(),
        logo: beta.logo(40, 20).await.to_string(),
        purchase_order: beta.purchase_order("B-002", "OC-BETA").await.0.to_string(),
        supplier_invoice: beta
            .supplier_invoice("B-002", "OC-BETA-2")
            .await
            .to_string(),
    }
}

/// A contact signed in to `portal`, its API calls carrying the session's
/// CSRF token as a program using the portal API would.
async fn with_token<'a>(alfa: &Company<'a>, portal: Portal, email: &str) -> Browser<'a> {
    let browser = alfa.portal_session(portal, email).await;
    let token = browser.get(portal_base(portal)).await.csrf();
    browser.with_header("x-csrf-token", &token)
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
    let mut staff = Vec::new();
    for role in roles {
        let email = format!("{role}@alfa.test").replace('_', "-");
        staff.push(alfa.staff_user(&email, role).await);
        sessions.push((role, alfa.staff_session(&email).await));
        keys.push((role, alfa.api_client(&alfa.api_key(role).await)));
    }
    let customer = alfa
        .account(AccountKind::Customer, "A-001", "Farmacia Alfa")
        .await;
    let visible = alfa.branch(customer, "A-S1", "Sucursal Visible").await;
    let hidden = alfa.branch(customer, "A-S2", HIDDEN_BRANCH).await;
    let other_account = alfa
        .account(AccountKind::Customer, "A-002", OTHER_ACCOUNT)
        .await;
    let supplier = alfa
        .account(AccountKind::Supplier, "A-003", "Proveedor Alfa")
        .await;
    let held = [
        "quotes.view",
        "sales.view",
        "payables.view",
        "orders.view",
        "documents.view",
        "service_requests.view",
        "purchase_orders.view",
    ];
    let ana = alfa.contact("Ana", "Alfa", "ana@alfa.test").await;
    let link = alfa
        .link(
            ana,
            customer,
            AccountKind::Customer,
            &Grant::branches(&[held[0]], &[visible]),
        )
        .await;
    let bea = alfa.contact("Beatriz", "Alfa", "bea@alfa.test").await;
    alfa.link(
        bea,
        customer,
        AccountKind::Customer,
        &Grant::branches(&[held[1], "receivables.view"], &[visible]),
    )
    .await;
    let olga = alfa.contact("Olga", "Alfa", "olga@alfa.test").await;
    alfa.link(
        olga,
        customer,
        AccountKind::Customer,
        &Grant::branches(&[held[3]], &[visible]),
    )
    .await;
    let dora = alfa.contact("Dora", "Alfa", "dora@alfa.test").await;
    alfa.link(
        dora,
        customer,
        AccountKind::Customer,
        &Grant::branches(&[held[4]], &[visible]),
    )
    .await;
    let sara = alfa.contact("Sara", "Alfa", "sara@alfa.test").await;
    alfa.link(
        sara,
        customer,
        AccountKind::Customer,
        &Grant::branches(&[held[5], "service_requests.create"], &[visible]),
    )
    .await;
    let sam = alfa.contact("Samuel", "Alfa", "sam@alfa.test").await;
    alfa.link(
        sam,
        supplier,
        AccountKind::Supplier,
        &Grant::all_branches(&[held[2]]),
    )
    .await;
    let pia = alfa.contact("Pía", "Alfa", "pia@alfa.test").await;
    alfa.link(
        pia,
        supplier,
        AccountKind::Supplier,
        &Grant::all_branches(&[held[6], "purchase_orders.acknowledge"]),
    )
    .await;
    alfa.account(AccountKind::Supplier, "A-004", "Proveedor Ajeno")
        .await;
    let (purchase_order, _) = alfa.purchase_order("A-003", "OC-ALFA").await;
    let other_supplier_order = alfa.purchase_order("A-004", "OC-AJENA").await;
    let invoices = alfa
        .invoices(&[
            invoice_input(
                "FAC-A1",
                "A-001",
                Some("A-S1"),
                "2026-01-05",
                "2026-02-04",
                "100",
            ),
            invoice_input(
                HIDDEN_INVOICE,
                "A-001",
                Some("A-S2"),
                "2026-01-06",
                "2026-02-05",
                "70",
            ),
            invoice_input(
                OTHER_ACCOUNT_INVOICE,
                "A-002",
                None,
                "2026-01-07",
                "2026-02-06",
                "80",
            ),
        ])
        .await;
    let payments = alfa
        .payments(&[
            payment_input(
                "REC-A1",
                "A-001",
                Some("A-S1"),
                "2026-01-20",
                "40",
                &[("FAC-A1", "40")],
            ),
            // Account-level: the contact sees it, but not what it paid in the hidden branch.
            payment_input(
                "REC-CUENTA",
                "A-001",
                None,
                "2026-01-21",
                "35",
                &[("FAC-A1", "10"), (HIDDEN_INVOICE, "25")],
            ),
        ])
        .await;
    let (quote, _) = alfa
        .sales_order(OrderKind::Quote, "A-001", Some(visible), "10")
        .await;
    let (order, _) = alfa
        .sales_order(OrderKind::Order, "A-001", Some(visible), "20")
        .await;
    let (hidden_quote, _) = alfa
        .sales_order(OrderKind::Quote, "A-001", Some(hidden), "30")
        .await;
    let (hidden_order, _) = alfa
        .sales_order(OrderKind::Order, "A-001", Some(hidden), "40")
        .await;
    alfa.sales_order(OrderKind::Quote, "A-002", None, "50")
        .await;
    alfa.sales_order(OrderKind::Order, "A-002", None, "60")
        .await;
    let document = alfa
        .document("A-001", Some(visible), VISIBLE_DOCUMENT, b"visible")
        .await;
    let hidden_document = alfa
        .document("A-001", Some(hidden), HIDDEN_DOCUMENT, b"hidden")
        .await;
    alfa.document("A-002", None, OTHER_ACCOUNT_DOCUMENT, b"other")
        .await;
    alfa.document("A-001", None, UNPUBLISHED_DOCUMENT, b"")
        .await;
    let request = alfa
        .service_request("A-001", Some(visible), VISIBLE_REQUEST)
        .await;
    let hidden_request = alfa
        .service_request("A-001", Some(hidden), HIDDEN_REQUEST)
        .await;
    alfa.service_request("A-002", None, OTHER_ACCOUNT_REQUEST)
        .await;
    Callers {
        anonymous: app.browser(&alfa.host()),
        owner: alfa.staff_session("owner@alfa.test").await,
        roles: sessions,
        admin_key: alfa.api_client(&alfa.api_key(StaffRole::Admin).await),
        keys,
        customer_contact: with_token(alfa, Portal::Customer, "ana@alfa.test").await,
        finance_contact: with_token(alfa, Portal::Customer, "bea@alfa.test").await,
        supplier_contact: with_token(alfa, Portal::Supplier, "sam@alfa.test").await,
        buyer_contact: with_token(alfa, Portal::Customer, "olga@alfa.test").await,
        reader_contact: with_token(alfa, Portal::Customer, "dora@alfa.test").await,
        service_contact: with_token(alfa, Portal::Customer, "sara@alfa.test").await,
        po_contact: with_token(alfa, Portal::Supplier, "pia@alfa.test").await,
        held,
        own: Ids {
            contact: ana.to_string(),
            customer: customer.to_string(),
            supplier: supplier.to_string(),
            branch: visible.to_string(),
            link: link.to_string(),
            import: alfa.contact_import("contactos-alfa.csv").await.to_string(),
            staff: staff[0].to_string(),
            api_key: alfa.api_key_id(StaffRole::ReadOnly).await.to_string(),
            portal_role: alfa
                .portal_role(Portal::Customer, "Rol de Alfa", &["documents.view"])
                .await
                .to_string(),
            title: alfa
                .list_entry(ContactList::Titles, "Título de Alfa")
                .await
                .to_string(),
            invoice: invoices[0].to_string(),
            payment: payments[0].to_string(),
            quote: quote.to_string(),
            order: order.to_string(),
            document: document.to_string(),
            request: request.0.to_string(),
            request_file: request.1.to_string(),
            logo: alfa.logo(40, 20).await.to_string(),
            purchase_order: purchase_order.to_string(),
            supplier_invoice: alfa
                .supplier_invoice("A-003", "OC-ALFA-2")
                .await
                .to_string(),
        },
        other_account: other_account.to_string(),
        hidden_branch: hidden.to_string(),
        hidden_invoice: invoices[1].to_string(),
        hidden_quote: hidden_quote.to_string(),
        hidden_order: hidden_order.to_string(),
        hidden_document: hidden_document.to_string(),
        hidden_request: hidden_request.0.to_string(),
        account_payment: payments[1].to_string(),
        other_supplier_order: (other_supplier_order.0.to_string(), other_supplier_order.1),
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
    problems.extend(finance_sees_only_its_records(callers).await);
    problems.extend(quotes_and_orders_stay_in_their_branch(callers).await);
    problems.extend(documents_stay_in_their_branch(callers).await);
    problems.extend(requests_stay_in_their_branch(callers).await);
    problems
}

/// The service requests list, page and API, and the home page show the
/// visible branch's request and none of the hidden branch's or the other
/// account's; the hidden one's id is "not found" on its page and the API.
async fn requests_stay_in_their_branch(callers: &Callers<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let base = portal_base(Portal::Customer);
    let sara = &callers.service_contact;
    for path in ["/service_requests", "/api/v1/service-requests", ""] {
        let page = sara.get(&format!("{base}{path}")).await;
        if page.status != StatusCode::OK || !page.body.contains(VISIBLE_REQUEST) {
            problems.push(format!(
                "{base}{path}: {} showing {VISIBLE_REQUEST}",
                page.status
            ));
        }
        for subject in [HIDDEN_REQUEST, OTHER_ACCOUNT_REQUEST] {
            if page.body.contains(subject) {
                problems.push(format!("{base}{path} names {subject}"));
            }
        }
    }
    let hidden = &callers.hidden_request;
    for path in [
        format!("/service_requests/{hidden}"),
        format!("/api/v1/service-requests/{hidden}"),
    ] {
        let page = sara.get(&format!("{base}{path}")).await;
        if page.status != StatusCode::NOT_FOUND {
            problems.push(format!("{base}{path}: {} (expected 404)", page.status));
        }
    }
    let comment = sara
        .json(
            Method::POST,
            &format!("{base}/api/v1/service-requests/{hidden}/comments"),
            Some(serde_json::json!({ "body": "hola" })),
        )
        .await;
    if comment.status != StatusCode::NOT_FOUND {
        problems.push(format!("commenting a hidden request: {}", comment.status));
    }
    problems
}

/// The documents list, page and API, shows the visible branch's document and
/// none of the hidden branch's, the other account's or a document without a
/// file; the hidden one's id is "not found" on its page, its file and the API.
async fn documents_stay_in_their_branch(callers: &Callers<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let base = portal_base(Portal::Customer);
    let dora = &callers.reader_contact;
    for path in ["/documents", "/api/v1/documents"] {
        let page = dora.get(&format!("{base}{path}")).await;
        if page.status != StatusCode::OK || !page.body.contains(VISIBLE_DOCUMENT) {
            problems.push(format!(
                "{base}{path}: {} showing {VISIBLE_DOCUMENT}",
                page.status
            ));
        }
        for title in [
            HIDDEN_DOCUMENT,
            OTHER_ACCOUNT_DOCUMENT,
            UNPUBLISHED_DOCUMENT,
            HIDDEN_BRANCH,
        ] {
            if page.body.contains(title) {
                problems.push(format!("{base}{path} names {title}"));
            }
        }
    }
    let hidden = &callers.hidden_document;
    for path in [
        format!("/documents/{hidden}"),
        format!("/documents/{hidden}/versions/1"),
        format!("/api/v1/documents/{hidden}"),
        format!("/api/v1/documents/{hidden}/versions/1/file"),
    ] {
        let page = dora.get(&format!("{base}{path}")).await;
        if page.status != StatusCode::NOT_FOUND {
            problems.push(format!("{base}{path}: {} (expected 404)", page.status));
        }
    }
    problems
}

/// The quote and order lists, pages and API, show the visible branch's
/// records (numbered `COT-000001`, `PED-000001` in alfa) and none of the
/// hidden branch's or the other account's; their ids are "not found".
async fn quotes_and_orders_stay_in_their_branch(callers: &Callers<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let base = portal_base(Portal::Customer);
    // alfa numbered them in order: visible, hidden, other account.
    for (who, kind, shows, hides) in [
        (
            &callers.customer_contact,
            "quotes",
            "COT-000001",
            ["COT-000002", "COT-000003"],
        ),
        (
            &callers.buyer_contact,
            "orders",
            "PED-000001",
            ["PED-000002", "PED-000003"],
        ),
    ] {
        for path in [format!("/{kind}"), format!("/api/v1/{kind}")] {
            let page = who.get(&format!("{base}{path}")).await;
            if page.status != StatusCode::OK || !page.body.contains(shows) {
                problems.push(format!("{base}{path}: {} showing {shows}", page.status));
            }
            for number in hides {
                if page.body.contains(number) {
                    problems.push(format!("{base}{path} names {number}"));
                }
            }
        }
        let hidden = if kind == "quotes" {
            &callers.hidden_quote
        } else {
            &callers.hidden_order
        };
        for path in [
            format!("/{kind}/{hidden}"),
            format!("/{kind}/{hidden}/pdf"),
            format!("/api/v1/{kind}/{hidden}"),
        ] {
            let page = who.get(&format!("{base}{path}")).await;
            if page.status != StatusCode::NOT_FOUND {
                problems.push(format!("{base}{path}: {} (expected 404)", page.status));
            }
        }
    }
    problems
}

/// The finance contact's sales and receivables, pages and API, show the
/// visible branch's and the account's records and never name the hidden
/// branch's, another account's or another company's; a hidden record's id
/// and the hidden branch in the selector are "not found".
async fn finance_sees_only_its_records(callers: &Callers<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let base = portal_base(Portal::Customer);
    let bea = &callers.finance_contact;
    let statement = "from=2025-01-01&to=2026-12-31&currency=DOP";
    let payment = &callers.account_payment;
    for (path, shows) in [
        ("/sales".to_owned(), "FAC-A1"),
        ("/sales/payments".to_owned(), "REC-CUENTA"),
        (format!("/sales/payments/{payment}"), "FAC-A1"),
        ("/receivables".to_owned(), "FAC-A1"),
        (format!("/receivables/statement?{statement}"), "REC-A1"),
        ("/api/v1/invoices".to_owned(), "FAC-A1"),
        ("/api/v1/payments".to_owned(), "REC-CUENTA"),
        (format!("/api/v1/payments/{payment}"), "FAC-A1"),
        ("/api/v1/receivables".to_owned(), "DOP"),
        ("/api/v1/receivables/open-items".to_owned(), "FAC-A1"),
        (
            format!("/api/v1/receivables/statement?{statement}"),
            "REC-A1",
        ),
    ] {
        let page = bea.get(&format!("{base}{path}")).await;
        if page.status != StatusCode::OK || !page.body.contains(shows) {
            problems.push(format!(
                "{base}{path}: {} for the finance contact, showing {shows}: {}",
                page.status,
                page.body.contains(shows)
            ));
        }
        for name in [
            HIDDEN_INVOICE,
            OTHER_ACCOUNT_INVOICE,
            OTHER_COMPANY_INVOICE,
            HIDDEN_BRANCH,
            OTHER_ACCOUNT,
        ] {
            if page.body.contains(name) {
                problems.push(format!("{base}{path} names {name:?}"));
            }
        }
    }
    let hidden = &callers.hidden_invoice;
    let branch = &callers.hidden_branch;
    for path in [
        format!("/sales/invoices/{hidden}"),
        format!("/api/v1/invoices/{hidden}"),
        format!("/api/v1/invoices?branch={branch}"),
        format!("/api/v1/receivables?branch={branch}"),
    ] {
        let page = bea.get(&format!("{base}{path}")).await;
        if page.status != StatusCode::NOT_FOUND {
            problems.push(format!("{base}{path}: {} (expected 404)", page.status));
        }
    }
    problems.extend(supplier_sees_only_its_orders(callers).await);
    problems
}

/// The supplier contact's pages and API never show another supplier's
/// purchase order; its id is "not found".
async fn supplier_sees_only_its_orders(callers: &Callers<'_>) -> Vec<String> {
    let mut problems = Vec::new();
    let pia = &callers.po_contact;
    let (other, number) = &callers.other_supplier_order;
    for path in [
        "/supplier",
        "/supplier/purchase_orders",
        "/supplier/api/v1/purchase-orders",
    ] {
        let page = pia.get(path).await;
        if page.status != StatusCode::OK {
            problems.push(format!("{path}: {} for the supplier contact", page.status));
        }
        if page.body.contains(number.as_str()) {
            problems.push(format!("{path} shows another supplier's order {number}"));
        }
        if !page.body.contains("OC-") {
            problems.push(format!("{path} does not show the supplier's own order"));
        }
    }
    for path in [
        format!("/supplier/purchase_orders/{other}"),
        format!("/supplier/purchase_orders/{other}/pdf"),
        format!("/supplier/api/v1/purchase-orders/{other}"),
    ] {
        let page = pia.get(&path).await;
        if page.status != StatusCode::NOT_FOUND {
            problems.push(format!("{path}: {} (expected 404)", page.status));
        }
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
        import: "i".into(),
        staff: "u".into(),
        api_key: "k".into(),
        portal_role: "r".into(),
        title: "t".into(),
        invoice: "f".into(),
        payment: "r".into(),
        quote: "q".into(),
        order: "o".into(),
        document: "d".into(),
        request: "s".into(),
        request_file: "f".into(),
        logo: "g".into(),
        purchase_order: "p".into(),
        supplier_invoice: "v".into(),
    };
    assert!(missing(&portico::app::tenant_site(), &ids).is_empty());
    let routes = portico::app::tenant_site().at(
        "/admin/widgets/:id",
        Access::StaffSignedIn,
        poem::get(widget),
    );
    assert_eq!(missing(&routes, &ids), ["/admin/widgets/:id"]);
}

#[test]
fn a_route_that_answers_with_another_companys_id_fails_the_matrix() {
    let outcome = |status, reached| Outcome {
        status,
        location: None,
        reached,
    };
    assert_eq!(
        other_company_verdict(&outcome(StatusCode::OK, true)),
        Verdict::Leak(StatusCode::OK),
        "a 200 with beta's id is a leak"
    );
    assert_eq!(
        other_company_verdict(&outcome(StatusCode::SEE_OTHER, true)),
        Verdict::Leak(StatusCode::SEE_OTHER),
        "so is a form that goes through"
    );
    assert_eq!(
        other_company_verdict(&outcome(StatusCode::FORBIDDEN, true)),
        Verdict::Leak(StatusCode::FORBIDDEN),
        "\"forbidden\" tells that the record exists"
    );
    assert_eq!(
        other_company_verdict(&outcome(StatusCode::NOT_FOUND, true)),
        Verdict::Hidden
    );
    assert_eq!(
        other_company_verdict(&outcome(StatusCode::UNPROCESSABLE_ENTITY, false)),
        Verdict::Unreached
    );
}
