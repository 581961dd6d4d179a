//! Every page of every app, in Spanish and in English, as each kind of user, with
//! data on it (the demo company and its year of sales, plus history of every
//! kind, portal access in every state, imports, API keys, portal roles): no
//! page shows an unknown message, a message id or an untranslated state code.
//! The pages come from the route registry (`portico::app::tenant_site` and
//! `platform_site`), so a new page is visited without being listed here; a new
//! page with path parameters fails this test until `urls` below says which
//! records to show on it.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    time::Duration,
};

use mail_parser::MessageParser;
use poem::http::{Method, StatusCode, header};
use portico::demo::{
    DEMO_BRANCH_CONTACT, DEMO_CUSTOMER_CONTACT, DEMO_OPERATOR, DEMO_OWNER, DEMO_PASSWORD,
    DEMO_PURCHASING, DEMO_READ_ONLY, DEMO_SALES, DEMO_SUPPLIER_CONTACT,
};
use portico_data::{ContactList, ImportState, Tenant};
use portico_domain::{AccountKind, Email, Locale, Portal, Slug, StaffRole, sales::InvoiceKind};
use portico_tests::{Browser, FilePart, PASSWORD, Page, TestApp, TestDb, backend_tests};
use portico_web::Lang;

const SITE: &str = "demo.localhost:8080";
const BASE: &str = "localhost:8080";
const ADMIN: &str = "admin@distcaribe.do";
/// The history-rich contact this test creates.
const ROSA: &str = "rosa.almanzar@farmaciacarol.do";
const ROSA_PASSWORD: &str = "una clave bien larga";

/// State codes that must never reach a page as they are stored.
const STATE_CODES: &[&str] = &[
    "invited",
    "active",
    "never_activated",
    "locked",
    "disabled",
    "none",
    "draft",
    "checking",
    "checked",
    "importing",
    "imported",
    "failed",
    "interrupted",
    "suspended",
    "owner",
    "admin",
    "sales",
    "purchasing",
    "read_only",
    "any_of",
    "first_and_last_name",
    "customer",
    "supplier",
    "unchanged",
    "true",
    "false",
];

/// Routes that exist but never show a record, with why: they must never answer
/// 200 (a translated "not found" page, or a refusal or sign-in before it).
const NEVER_FOUND: &[(&str, &str)] = &[(
    "/admin/suppliers/:id/branches/:branch",
    "suppliers have no branches (the accounts' routes are shared by both kinds)",
)];

/// The records whose ids fill the routes' path parameters.
struct Data {
    customer: String,
    branch: String,
    supplier: String,
    rosa: String,
    carolina: String,
    rosa_link: String,
    rosa_branch: String,
    import: String,
    /// Per portal (customer, supplier): a pending invitation, an emailed
    /// sign-in link and a reset link.
    tokens: [[String; 3]; 2],
    /// A staff user's emailed password reset link.
    staff_reset: String,
    /// Farmacia Carol's invoices: a paid one, an open one and the credit note.
    invoices: Vec<String>,
    /// Farmacia Carol's payments: one paying two invoices, one paying part of one.
    payments: Vec<String>,
    /// Farmacia Carol's quotes and orders, in every state the demo has.
    quotes: Vec<String>,
    orders: Vec<String>,
    /// Laboratorios Andinos' purchase orders, in every state the demo has.
    purchase_orders: Vec<String>,
    /// Its invoices (matched, with exceptions), and the orders it may bill.
    supplier_invoices: Vec<String>,
    billable_orders: Vec<String>,
    /// Farmacia Carol's documents: the contract (two versions), the price
    /// list and Sucursal Naco's certificate.
    documents: Vec<String>,
    /// Farmacia Carol's service requests, and one file of José's.
    requests: Vec<String>,
    request_file: (String, String),
    /// The demo company's logo.
    logo: String,
}

/// Who visits, where, with which password.
#[derive(Clone, Copy)]
enum Visitor {
    Staff(&'static str, &'static str),
    Operator,
    Contact(&'static str, Portal),
    Anonymous(&'static str),
}

impl Visitor {
    fn host(self) -> &'static str {
        match self {
            Visitor::Operator => BASE,
            Visitor::Anonymous(host) => host,
            _ => SITE,
        }
    }

    /// Whether this visitor visits the routes under `pattern` (each signed-in
    /// visitor its own app; anonymous visitors everything on their host).
    fn visits(self, pattern: &str) -> bool {
        match self {
            Visitor::Staff(..) => pattern.starts_with("/admin"),
            Visitor::Contact(_, Portal::Customer) => pattern.starts_with("/portal"),
            Visitor::Contact(_, Portal::Supplier) => pattern.starts_with("/supplier"),
            Visitor::Operator | Visitor::Anonymous(_) => true,
        }
    }

    fn name(self) -> String {
        match self {
            Visitor::Staff(email, _) | Visitor::Contact(email, _) => email.to_owned(),
            Visitor::Operator => "operator".into(),
            Visitor::Anonymous(host) => format!("anonymous on {host}"),
        }
    }
}

backend_tests!(every_page_of_every_app_speaks_the_readers_language);

async fn every_page_of_every_app_speaks_the_readers_language(db: TestDb) {
    let app = TestApp::new(db).await;
    portico::demo::ensure_demo(&app.db.db, &app.state.files)
        .await
        .expect("demo");
    let data = seed(&app).await;
    let ids = message_ids();
    let tenant_routes = portico::app::tenant_site();
    let platform_routes = portico::app::platform_site();
    let visitors = [
        Visitor::Staff(DEMO_OWNER, DEMO_PASSWORD),
        Visitor::Staff(ADMIN, PASSWORD),
        Visitor::Staff(DEMO_SALES, DEMO_PASSWORD),
        Visitor::Staff(DEMO_PURCHASING, DEMO_PASSWORD),
        Visitor::Staff(DEMO_READ_ONLY, DEMO_PASSWORD),
        Visitor::Contact(DEMO_CUSTOMER_CONTACT, Portal::Customer),
        Visitor::Contact(DEMO_BRANCH_CONTACT, Portal::Customer),
        Visitor::Contact(DEMO_SUPPLIER_CONTACT, Portal::Supplier),
        Visitor::Operator,
        Visitor::Anonymous(SITE),
        Visitor::Anonymous(BASE),
    ];
    let mut problems = Vec::new();
    // Per route pattern: the statuses it answered with, to anyone.
    let mut answers: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    let mut pages = 0;
    for lang in ["es", "en"] {
        for visitor in visitors {
            let browser = sign_in(&app, visitor).await;
            browser.set_cookie("portico_lang", lang);
            let routes = match visitor.host() {
                BASE => platform_routes.patterns(),
                _ => tenant_routes.patterns(),
            };
            for pattern in routes.iter().filter(|p| visitor.visits(p)) {
                let Some(urls) = urls(pattern, &data, &browser, &mut problems).await else {
                    continue;
                };
                for url in urls {
                    let page = browser.get(&url).await;
                    let key = format!("{} {pattern}", visitor.host());
                    answers.entry(key).or_default().insert(page.status.as_u16());
                    let at = format!("{url} ({lang}, {})", visitor.name());
                    if page.status.is_server_error() {
                        problems.push(format!("{at}: {}", page.status));
                    }
                    // Nothing but a company's logo may be kept by a browser
                    // or a proxy.
                    let cache = page
                        .headers
                        .get(header::CACHE_CONTROL)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    if *pattern != "/logo/:id" && !cache.contains("no-store") {
                        problems.push(format!("{at}: Cache-Control {cache:?}"));
                    }
                    if is_html(&page) {
                        pages += 1;
                        problems.extend(
                            check(&page.body, &ids)
                                .into_iter()
                                .map(|p| format!("{at}: {p}")),
                        );
                    }
                }
            }
        }
    }
    // Every registered route is a page shown with data (200), a designed
    // redirect, or a route that only takes posts (405 to every GET).
    for (key, statuses) in &answers {
        let shown = statuses.iter().any(|s| (200..400).contains(s));
        let post_only = statuses.iter().all(|s| *s == 405);
        let never_found = NEVER_FOUND
            .iter()
            .any(|(pattern, _)| key.ends_with(&format!(" {pattern}")));
        if never_found && statuses.contains(&200) {
            problems.push(format!("{key} showed something: {statuses:?}"));
        } else if !shown && !post_only && !never_found {
            problems.push(format!("{key} was never shown with data: {statuses:?}"));
        }
    }
    for pattern in tenant_routes.patterns() {
        assert!(
            answers.contains_key(&format!("{SITE} {pattern}")),
            "{pattern} visited"
        );
    }
    for pattern in platform_routes.patterns() {
        assert!(
            answers.contains_key(&format!("{BASE} {pattern}")),
            "{pattern} visited"
        );
    }
    assert!(pages > 300, "only {pages} pages were checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The URLs that show `pattern` with the seeded records. A pattern with path
/// parameters that no URL here fills is probed with a dummy value: a route that
/// only takes posts answers 405 and is skipped; any other is a problem.
async fn urls(
    pattern: &str,
    d: &Data,
    browser: &Browser<'_>,
    problems: &mut Vec<String>,
) -> Option<Vec<String>> {
    let contact = |rest: &str| {
        vec![
            format!("/admin/contacts/{}{rest}", d.rosa),
            format!("/admin/contacts/{}{rest}", d.carolina),
        ]
    };
    let urls = match pattern {
        "/admin/contacts" => vec![
            "/admin/contacts".to_owned(),
            "/admin/contacts?portal=locked".to_owned(),
            "/admin/contacts?portal=invited".to_owned(),
            "/admin/contacts?portal=never_activated".to_owned(),
            "/admin/contacts?archived=1".to_owned(),
        ],
        "/admin/contacts/:id" => contact(""),
        "/admin/contacts/:id/edit" => contact("/edit"),
        "/admin/contacts/:id/delete" => contact("/delete"),
        "/admin/contacts/:id/vcard" => contact("/vcard"),
        "/admin/contacts/:id/photo" => vec![format!("/admin/contacts/{}/photo", d.rosa)],
        "/admin/contacts/:id/photo/thumbnail" => {
            vec![format!("/admin/contacts/{}/photo/thumbnail", d.rosa)]
        }
        "/admin/contacts/:id/preview" => vec![
            format!("/admin/contacts/{}/preview?portal=customer", d.rosa),
            format!("/admin/contacts/{}/preview?portal=supplier", d.rosa),
        ],
        "/admin/contacts/:id/access" => {
            let mut urls = contact("/access");
            urls.push(format!(
                "/admin/contacts/{}/access?link={}&permission=quotes.create&branch={}",
                d.rosa, d.rosa_link, d.rosa_branch
            ));
            urls.push(format!(
                "/admin/contacts/{}/access?link={}&permission=purchase_orders.view",
                d.rosa, d.rosa_link
            ));
            urls
        }
        "/admin/contacts/import/:id" => vec![
            format!("/admin/contacts/import/{}", d.import),
            format!("/admin/contacts/import/{}?action=error", d.import),
        ],
        "/admin/customers/:id" => vec![
            pattern.replace(":id", &d.customer),
            format!("/admin/customers/{}?tab=invoices", d.customer),
            format!("/admin/customers/{}?tab=payments", d.customer),
            format!("/admin/customers/{}?tab=quotes", d.customer),
            format!("/admin/customers/{}?tab=orders", d.customer),
            format!("/admin/customers/{}?tab=documents", d.customer),
            format!("/admin/customers/{}?tab=service-requests", d.customer),
        ],
        "/admin/documents/:id" | "/portal/documents/:id" => d
            .documents
            .iter()
            .map(|id| pattern.replace(":id", id))
            .collect(),
        "/admin/documents/:id/versions/:n" | "/portal/documents/:id/versions/:n" => d
            .documents
            .iter()
            .map(|id| pattern.replace(":id", id).replace(":n", "1"))
            .collect(),
        "/admin/documents" => vec![
            pattern.to_owned(),
            format!("{pattern}?customer={}", d.customer),
        ],
        "/admin/documents/new" | "/admin/service-requests/new" | "/admin/quotes/new" => vec![
            pattern.to_owned(),
            format!("{pattern}?q=carol"),
            format!("{pattern}?q=zzz"),
            format!("{pattern}?customer={}", d.customer),
        ],
        "/admin/service-requests/:id" | "/portal/service_requests/:id" => d
            .requests
            .iter()
            .map(|id| pattern.replace(":id", id))
            .collect(),
        "/admin/service-requests/:id/files/:file" | "/portal/service_requests/:id/files/:file" => {
            vec![
                pattern
                    .replace(":id", &d.request_file.0)
                    .replace(":file", &d.request_file.1),
            ]
        }
        "/admin/service-requests" => vec![
            pattern.to_owned(),
            format!("{pattern}?show=all"),
            format!("{pattern}?customer={}&show=all", d.customer),
        ],
        "/portal/service_requests" => {
            vec![pattern.to_owned(), format!("{pattern}?branch={}", d.branch)]
        }
        "/portal/documents" => {
            vec![pattern.to_owned(), format!("{pattern}?branch={}", d.branch)]
        }
        "/admin/customers/:id/edit" => vec![pattern.replace(":id", &d.customer)],
        "/admin/quotes/:id" | "/admin/quotes/:id/edit" => d
            .quotes
            .iter()
            .map(|id| pattern.replace(":id", id))
            .collect(),
        "/admin/orders/:id" => d
            .orders
            .iter()
            .map(|id| pattern.replace(":id", id))
            .collect(),
        "/admin/items" => vec![pattern.to_owned(), format!("{pattern}?q=med")],
        "/admin/purchase-orders/:id"
        | "/supplier/purchase_orders/:id"
        | "/supplier/purchase_orders/:id/pdf" => d
            .purchase_orders
            .iter()
            .map(|id| pattern.replace(":id", id))
            .collect(),
        "/admin/supplier-invoices/:id" | "/supplier/supplier_invoices/:id" => d
            .supplier_invoices
            .iter()
            .map(|id| pattern.replace(":id", id))
            .collect(),
        "/supplier/supplier_invoices/new" => d
            .billable_orders
            .iter()
            .map(|id| format!("{pattern}?order={id}"))
            .collect(),
        "/admin/supplier-invoices" => vec![
            pattern.to_owned(),
            format!("{pattern}?show=matched"),
            format!("{pattern}?show=all"),
        ],
        "/admin/purchase-orders" => vec![
            pattern.to_owned(),
            format!("{pattern}?show=in_review"),
            format!("{pattern}?show=waiting"),
            format!("{pattern}?supplier={}", d.supplier),
        ],
        "/portal/quotes/:id" | "/portal/quotes/:id/pdf" => d
            .quotes
            .iter()
            .map(|id| pattern.replace(":id", id))
            .collect(),
        "/portal/orders/:id" | "/portal/orders/:id/pdf" => d
            .orders
            .iter()
            .map(|id| pattern.replace(":id", id))
            .collect(),
        "/portal/quotes" | "/portal/orders" => {
            vec![pattern.to_owned(), format!("{pattern}?branch={}", d.branch)]
        }
        "/portal/quotes/new" | "/portal/orders/new" => {
            vec![pattern.to_owned(), format!("{pattern}?q=amox")]
        }
        "/admin/invoices" | "/admin/payments" | "/admin/quotes" | "/admin/orders" => vec![
            pattern.to_owned(),
            format!("{pattern}?customer={}", d.customer),
        ],
        "/admin/customers/:id/branches/:branch" => vec![format!(
            "/admin/customers/{}/branches/{}",
            d.customer, d.branch
        )],
        "/admin/suppliers/:id/branches/:branch" => vec![format!(
            "/admin/suppliers/{}/branches/{}",
            d.supplier, d.branch
        )],
        "/admin/suppliers/:id" | "/admin/suppliers/:id/edit" => {
            vec![pattern.replace(":id", &d.supplier)]
        }
        "/admin/customers" | "/admin/suppliers" => {
            vec![pattern.to_owned(), format!("{pattern}?archived=1")]
        }
        "/admin/password/reset/:token" => vec![
            pattern.replace(":token", &d.staff_reset),
            pattern.replace(":token", "no-such-link"),
        ],
        token if token.ends_with("/:token") => {
            let portal = usize::from(token.starts_with("/supplier"));
            let kind = ["/invitation/", "/sign-in/link/", "/password/reset/"]
                .iter()
                .position(|k| token.contains(k))
                .expect("a known kind of link");
            vec![
                token.replace(":token", &d.tokens[portal][kind]),
                token.replace(":token", "no-such-link"),
            ]
        }
        pdf if pdf.ends_with("/invoices/:id/pdf") => {
            d.invoices.iter().map(|id| pdf.replace(":id", id)).collect()
        }
        "/portal/receivables/statement/pdf" => vec![
            format!("{pattern}?currency=DOP&from=2025-01-01&to=2026-12-31"),
            format!("{pattern}?from=2026-13-01"),
        ],
        invoice if invoice.ends_with("/invoices/:id") => d
            .invoices
            .iter()
            .map(|id| invoice.replace(":id", id))
            .collect(),
        payment if payment.ends_with("/payments/:id") => d
            .payments
            .iter()
            .map(|id| payment.replace(":id", id))
            .collect(),
        "/portal/sales" | "/portal/receivables" => {
            vec![pattern.to_owned(), format!("{pattern}?branch={}", d.branch)]
        }
        "/portal/receivables/statement" => vec![
            pattern.to_owned(),
            format!("{pattern}?currency=DOP&from=2025-01-01&to=2026-12-31"),
            format!("{pattern}?from=2026-13-01&to=2026-01-01"),
        ],
        "/logo/:id" => vec![format!("/logo/{}", d.logo)],
        "/api/v1" => vec!["/api/v1/openapi.json".to_owned()],
        "/portal/api/v1" | "/supplier/api/v1" => vec![format!("{pattern}/openapi.json")],
        plain if !plain.contains(':') => vec![plain.to_owned()],
        _ => {
            let probe: String = pattern
                .split('/')
                .map(|s| if s.starts_with(':') { "0" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let page = browser.get(&probe).await;
            if page.status != StatusCode::METHOD_NOT_ALLOWED {
                problems.push(format!(
                    "{pattern} answers GET ({}): say in `urls` which records to show on it",
                    page.status
                ));
            }
            vec![probe]
        }
    };
    Some(urls)
}

fn is_html(page: &Page) -> bool {
    page.headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// A browser for `visitor`, signed in.
async fn sign_in(app: &TestApp, visitor: Visitor) -> Browser<'_> {
    let browser = app.browser(visitor.host());
    let (page, email, password) = match visitor {
        Visitor::Staff(email, password) => ("/admin/sign-in", email, password),
        Visitor::Operator => ("/sign-in", DEMO_OPERATOR, DEMO_PASSWORD),
        Visitor::Contact(email, Portal::Customer) => ("/portal/sign-in", email, DEMO_PASSWORD),
        Visitor::Contact(email, Portal::Supplier) => ("/supplier/sign-in", email, DEMO_PASSWORD),
        Visitor::Anonymous(_) => return browser,
    };
    let signed = browser
        .submit(page, page, &[("email", email), ("password", password)])
        .await;
    assert_eq!(
        signed.status,
        StatusCode::SEE_OTHER,
        "{email}: {}",
        signed.body
    );
    browser
}

/// Every message id of every `.ftl` file.
fn message_ids() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/web/locales");
    let mut ids = BTreeSet::new();
    for lang in ["es", "en"] {
        for entry in std::fs::read_dir(root.join(lang)).expect("locales") {
            let text = std::fs::read_to_string(entry.expect("file").path()).expect("ftl");
            ids.extend(
                text.lines()
                    .filter(|l| !l.starts_with([' ', '#', '.']) && l.contains(" ="))
                    .filter_map(|l| l.split(" =").next())
                    .map(str::to_owned),
            );
        }
    }
    assert!(ids.len() > 500, "the message ids were read");
    ids
}

/// What a history shows, in either language, for a field or an action that
/// has no message of its own: never expected on a page.
fn history_fallbacks() -> Vec<String> {
    Locale::ALL
        .iter()
        .flat_map(|l| ["history-other-field", "history-other-action"].map(|id| Lang(*l).t(id)))
        .collect()
}

/// What is wrong with a page: an unknown message, a message id or a state code
/// shown as it is stored, or a history entry without its own message.
fn check(html: &str, ids: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    if html.contains("Unknown localization key") {
        problems.push("an unknown localization key".to_owned());
    }
    let fallbacks = history_fallbacks();
    for text in readable(html) {
        if ids.contains(&text) {
            problems.push(format!("the message id {text:?}"));
        }
        if fallbacks.contains(&text) {
            problems.push(format!("a history entry without its own message: {text:?}"));
        }
        let pieces = text.split(['→', '·', ',', ';', ':', '(', ')', '|']);
        for piece in pieces.map(str::trim) {
            if STATE_CODES.contains(&piece) {
                problems.push(format!("the state code {piece:?} in {text:?}"));
            }
        }
    }
    problems
}

/// The text a reader sees or hears: text between tags, and the title,
/// aria-label, placeholder, alt and label attributes and the value of buttons;
/// not scripts, styles or `<code>` (data formats such as import column keys).
fn readable(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&mut out, &rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        rest = &rest[open + close + 1..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if ["script", "style", "code"].contains(&name.as_str()) {
            let end = format!("</{name}");
            rest = rest.find(&end).map_or("", |at| &rest[at..]);
            continue;
        }
        let mut attributes = vec!["title", "aria-label", "placeholder", "alt", "label"];
        let button = name == "button"
            || name == "input"
                && (tag.contains("type=\"submit\"") || tag.contains("type=\"button\""));
        if button {
            attributes.push("value");
        }
        for attribute in attributes {
            let needle = format!(" {attribute}=\"");
            if let Some(at) = tag.find(&needle) {
                let value = &tag[at + needle.len()..];
                push_text(&mut out, value.split('"').next().unwrap_or_default());
            }
        }
    }
    push_text(&mut out, rest);
    out
}

fn push_text(out: &mut Vec<String>, raw: &str) {
    let text = raw
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let text = text.trim();
    if !text.is_empty() {
        out.push(text.to_owned());
    }
}

// ----- the data on the pages -----

async fn demo_tenant(app: &TestApp) -> Tenant {
    let mut platform = app.db.db.platform_tx().await.expect("tx");
    let tenant = platform
        .find_tenant_by_slug(&Slug::parse("demo").expect("slug"))
        .await
        .expect("lookup")
        .expect("the demo company");
    platform.commit().await.expect("commit");
    tenant
}

/// Posts a form from `page` and expects a redirect.
async fn done(browser: &Browser<'_>, page: &str, action: &str, form: &[(&str, &str)]) -> Page {
    let answer = browser.submit(page, action, form).await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "{action}: {}",
        answer.body
    );
    answer
}

/// The demo company with history of every kind, portal access in every state,
/// imports, API keys, portal roles, staff changes and a suspended company.
async fn seed(app: &TestApp) -> Data {
    let tenant = demo_tenant(app).await;
    app.staff(&tenant, ADMIN, StaffRole::Admin).await;
    let owner = sign_in(app, Visitor::Staff(DEMO_OWNER, DEMO_PASSWORD)).await;

    let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
    let customer = tx
        .accounts()
        .find_by_code(AccountKind::Customer, "C-0001")
        .await
        .expect("lookup")
        .expect("Farmacia Carol");
    let supplier = tx
        .accounts()
        .find_by_code(AccountKind::Supplier, "P-0001")
        .await
        .expect("lookup")
        .expect("Laboratorios Andinos");
    let branches = tx.branches().list(customer.id, 10).await.expect("branches");
    let titles = tx
        .lists()
        .entries(ContactList::Titles, 50)
        .await
        .expect("titles");
    let categories = tx
        .lists()
        .entries(ContactList::Categories, 50)
        .await
        .expect("categories");
    let roles = tx.portal_roles().list(None).await.expect("roles");
    let carolina = tx
        .contacts()
        .find_by_email(&Email::parse(DEMO_CUSTOMER_CONTACT).expect("email"))
        .await
        .expect("lookup")
        .expect("Carolina");
    let sales = tx
        .staff()
        .find_by_email(&Email::parse(DEMO_SALES).expect("email"))
        .await
        .expect("lookup")
        .expect("the sales user");
    tx.commit().await.expect("commit");
    let customer_path = format!("/admin/customers/{}", customer.id);
    let branch = branches[0].id.to_string();

    // Settings and lists.
    done(
        &owner,
        "/admin/settings",
        "/admin/settings/titles",
        &[("name", "Arq.")],
    )
    .await;
    done(
        &owner,
        "/admin/settings",
        "/admin/settings/categories",
        &[("name", "Logística")],
    )
    .await;

    // A contact with every kind of field, linked to a customer and a supplier.
    let title = titles[0].id.to_string();
    let category = categories[0].id.to_string();
    let owner_id = sales.id.to_string();
    done(
        &owner,
        "/admin/contacts/new",
        "/admin/contacts",
        &[
            ("title_id", &title),
            ("first_name", "Rosa"),
            ("last_name", "Almánzar"),
            ("email", ROSA),
            ("mobile", "+1 809 555 0111"),
            ("category_id", &category),
            ("owner_id", &owner_id),
            ("preferred_language", "en"),
            ("important_dates", "Cumpleaños: 1985-04-12"),
            ("country", "DO"),
            ("email_opt_out", "1"),
        ],
    )
    .await;
    let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
    let rosa = tx
        .contacts()
        .find_by_email(&Email::parse(ROSA).expect("email"))
        .await
        .expect("lookup")
        .expect("Rosa");
    tx.commit().await.expect("commit");
    let rosa_path = format!("/admin/contacts/{}", rosa.id);
    for (kind, code) in [
        ("customer", "C-0001"),
        ("supplier", "P-0001"),
        ("customer", "C-0003"),
    ] {
        done(
            &owner,
            &rosa_path,
            &format!("{rosa_path}/links"),
            &[("kind", kind), ("code", code)],
        )
        .await;
    }
    // Edited, archived and restored; a photo.
    done(
        &owner,
        &format!("{rosa_path}/edit"),
        &rosa_path,
        &[
            ("title_id", &titles[1].id.to_string()),
            ("first_name", "Rosa María"),
            ("last_name", "Almánzar"),
            ("email", ROSA),
            ("category_id", &categories[1].id.to_string()),
            ("preferred_language", "es"),
            ("country", "DO"),
        ],
    )
    .await;
    done(&owner, &rosa_path, &format!("{rosa_path}/archive"), &[]).await;
    done(&owner, &rosa_path, &format!("{rosa_path}/restore"), &[]).await;
    let token = owner.get(&rosa_path).await.csrf();
    let api = app.browser(SITE).with_header("x-csrf-token", &token);
    api.set_cookie(
        "portico_session",
        &owner.cookie("portico_session").expect("a session"),
    );
    let photo = api
        .raw(
            Method::PUT,
            &format!("/api/v1/contacts/{}/photo", rosa.id),
            "image/png",
            &png(),
        )
        .await;
    assert!(photo.status.is_success(), "photo: {}", photo.body);

    // Its links: updated, one unlinked, grants with roles, permissions, branches.
    let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
    let links = tx.link_grants().of_contact(rosa.id).await.expect("links");
    tx.commit().await.expect("commit");
    let link_to = |code: &str| {
        links
            .iter()
            .find(|l| l.account_code == code)
            .map(|l| l.link_id.to_string())
            .expect("link")
    };
    let rosa_link = link_to("C-0001");
    done(
        &owner,
        &rosa_path,
        &format!("/admin/links/{rosa_link}"),
        &[("link_position", "Compradora"), ("is_primary", "1")],
    )
    .await;
    done(
        &owner,
        &rosa_path,
        &format!("/admin/links/{}/delete", link_to("C-0003")),
        &[],
    )
    .await;
    let customer_role = roles
        .iter()
        .find(|r| r.portal == Portal::Customer)
        .expect("a customer role")
        .id
        .to_string();
    let supplier_role = roles
        .iter()
        .find(|r| r.portal == Portal::Supplier)
        .expect("a supplier role")
        .id
        .to_string();
    let access = format!("{rosa_path}/access");
    done(
        &owner,
        &access,
        &format!("/admin/links/{rosa_link}/access"),
        &[
            ("role", &customer_role),
            ("permission", "quotes.create"),
            ("permission", "documents.view"),
            ("branches", "chosen"),
            ("branch", &branch),
        ],
    )
    .await;
    done(
        &owner,
        &access,
        &format!("/admin/links/{}/access", link_to("P-0001")),
        &[
            ("role", &supplier_role),
            ("permission", "purchase_orders.view"),
        ],
    )
    .await;

    // Portal access: invited, accepted (invited → active), locked out; the
    // supplier portal switched on and off.
    done(
        &owner,
        &access,
        &format!("{access}/customer"),
        &[("enabled", "1")],
    )
    .await;
    let invitation = token_in(&mail_to(app, ROSA, "/invitation/").await, "/invitation/");
    let visitor = app.browser(SITE);
    done(
        &visitor,
        &format!("/portal/invitation/{invitation}"),
        &format!("/portal/invitation/{invitation}"),
        &[
            ("password", ROSA_PASSWORD),
            ("password_confirmation", ROSA_PASSWORD),
        ],
    )
    .await;
    done(
        &owner,
        &access,
        &format!("{access}/supplier"),
        &[("enabled", "1")],
    )
    .await;
    done(
        &owner,
        &access,
        &format!("{access}/supplier"),
        &[("enabled", "0")],
    )
    .await;
    let stranger = app.browser(SITE);
    for _ in 0..5 {
        stranger
            .submit(
                "/portal/sign-in",
                "/portal/sign-in",
                &[("email", ROSA), ("password", "no es la clave")],
            )
            .await;
    }
    owner
        .get(&format!("{rosa_path}/preview?portal=customer"))
        .await;

    // Three more contacts: invited to each portal, and one whose invitation
    // was revoked.
    let mut invitations = Vec::new();
    for (first, email, account, portal, revoke) in [
        (
            "Pablo",
            "pablo.reyes@farmaciacarol.do",
            customer.id,
            "customer",
            false,
        ),
        (
            "Sofía",
            "sofia.rios@labandinos.co",
            supplier.id,
            "supplier",
            false,
        ),
        (
            "Elena",
            "elena.cruz@farmaciacarol.do",
            customer.id,
            "customer",
            true,
        ),
    ] {
        done(
            &owner,
            &format!("/admin/contacts/new?account={account}"),
            "/admin/contacts",
            &[
                ("first_name", first),
                ("last_name", "Prueba"),
                ("email", email),
                ("account_id", &account.to_string()),
            ],
        )
        .await;
        let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
        let id = tx
            .contacts()
            .find_by_email(&Email::parse(email).expect("email"))
            .await
            .expect("lookup")
            .expect("contact")
            .id;
        tx.commit().await.expect("commit");
        let access = format!("/admin/contacts/{id}/access");
        done(
            &owner,
            &access,
            &format!("{access}/{portal}"),
            &[("enabled", "1")],
        )
        .await;
        if revoke {
            done(&owner, &access, &format!("{access}/invite/revoke"), &[]).await;
        } else {
            invitations.push(token_in(
                &mail_to(app, email, "/invitation/").await,
                "/invitation/",
            ));
        }
    }

    // Emailed sign-in and reset links, in each portal.
    let mut tokens = Vec::new();
    for (base, invitation, signing_in, resetting) in [
        (
            "/portal",
            &invitations[0],
            DEMO_CUSTOMER_CONTACT,
            DEMO_BRANCH_CONTACT,
        ),
        (
            "/supplier",
            &invitations[1],
            DEMO_SUPPLIER_CONTACT,
            DEMO_SUPPLIER_CONTACT,
        ),
    ] {
        let link = format!("{base}/sign-in/link");
        let asked = stranger
            .submit(&link, &link, &[("email", signing_in)])
            .await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        let forgot = format!("{base}/password/forgot");
        let asked = stranger
            .submit(&forgot, &forgot, &[("email", resetting)])
            .await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        tokens.push([
            invitation.clone(),
            token_in(
                &mail_to(app, signing_in, &format!("{base}/sign-in/link/")).await,
                "/sign-in/link/",
            ),
            token_in(
                &mail_to(app, resetting, &format!("{base}/password/reset/")).await,
                "/password/reset/",
            ),
        ]);
    }

    // A staff user's password reset link (asked for, not used).
    let forgot = "/admin/password/forgot";
    let asked = stranger
        .submit(forgot, forgot, &[("email", DEMO_READ_ONLY)])
        .await;
    assert!(
        asked.status.is_success() || asked.status.is_redirection(),
        "{}",
        asked.body
    );
    let staff_reset = token_in(
        &mail_to(app, DEMO_READ_ONLY, "/admin/password/reset/").await,
        "/admin/password/reset/",
    );

    // Accounts and branches: edited, archived and restored, a branch added.
    done(
        &owner,
        &format!("{customer_path}/edit"),
        &customer_path,
        &[
            ("code", "C-0001"),
            ("name", "Farmacia Carol"),
            ("legal_name", "Farmacia Carol, S.A."),
            ("tax_id", "1-01-12345-6"),
            ("city", "Santo Domingo"),
            ("country", "DO"),
            ("owner_id", &owner_id),
            ("branches_enabled", "1"),
        ],
    )
    .await;
    done(
        &owner,
        &customer_path,
        &format!("{customer_path}/branches"),
        &[
            ("code", "SUC-ESTE"),
            ("name", "Sucursal Este"),
            ("city", "La Romana"),
        ],
    )
    .await;
    let branch_path = format!("{customer_path}/branches/{branch}");
    done(
        &owner,
        &branch_path,
        &branch_path,
        &[
            ("code", "SUC-NACO"),
            ("name", "Sucursal Naco Norte"),
            ("active", "1"),
        ],
    )
    .await;
    let supplier_path = format!("/admin/suppliers/{}", supplier.id);
    done(
        &owner,
        &supplier_path,
        &format!("{supplier_path}/archive"),
        &[],
    )
    .await;
    done(
        &owner,
        &supplier_path,
        &format!("{supplier_path}/restore"),
        &[],
    )
    .await;

    // The company's rule changed and back; portal roles; API keys; staff.
    for rule in ["first_and_last_name", "any_of"] {
        done(
            &owner,
            "/admin/settings",
            "/admin/settings/rule",
            &[("rule", rule)],
        )
        .await;
    }
    done(
        &owner,
        "/admin/portal-roles",
        "/admin/portal-roles",
        &[
            ("portal", "customer"),
            ("name_es", "Auditor"),
            ("name_en", "Auditor"),
            ("permission", "documents.view"),
            ("permission", "receivables.view"),
        ],
    )
    .await;
    for (name, role) in [("ERP", "sales"), ("Vieja", "read_only")] {
        done(
            &owner,
            "/admin/api-keys",
            "/admin/api-keys",
            &[("name", name), ("role", role)],
        )
        .await;
    }
    let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
    let old_key = tx
        .api_keys()
        .list(10)
        .await
        .expect("keys")
        .into_iter()
        .find(|k| k.name == "Vieja")
        .expect("the old key")
        .id;
    tx.commit().await.expect("commit");
    done(
        &owner,
        "/admin/api-keys",
        &format!("/admin/api-keys/{old_key}/revoke"),
        &[],
    )
    .await;
    done(
        &owner,
        "/admin/staff",
        "/admin/staff",
        &[
            ("name", "Pedro Gómez"),
            ("email", "pedro.gomez@distcaribe.do"),
            ("role", "sales"),
        ],
    )
    .await;
    let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
    let pedro = tx
        .staff()
        .find_by_email(&Email::parse("pedro.gomez@distcaribe.do").expect("email"))
        .await
        .expect("lookup")
        .expect("Pedro");
    tx.commit().await.expect("commit");
    done(
        &owner,
        "/admin/staff",
        &format!("/admin/staff/{}", pedro.id),
        &[("role", "purchasing")],
    )
    .await;

    // Imports: one checked with errors, one imported.
    let import = upload(
        &owner,
        "first_name,last_name,email,customers\n\
         Marta,Suárez,marta.suarez@farmaciacarol.do,C-0001\n\
         Carolina,Méndez,carolina.mendez@farmaciacarol.do,C-0002\n\
         Sin,Correo,no-es-un-correo,C-9999\n",
        app,
        &tenant,
    )
    .await;
    let clean = upload(
        &owner,
        "first_name,last_name,email\nTomás,Peña,tomas.pena@farmaciacarol.do\n",
        app,
        &tenant,
    )
    .await;
    done(
        &owner,
        &format!("/admin/contacts/import/{clean}"),
        &format!("/admin/contacts/import/{clean}/run"),
        &[],
    )
    .await;
    settled(app, &tenant, &clean).await;

    // A second company, suspended by the operator.
    app.company("suspendida").await;
    let operator = sign_in(app, Visitor::Operator).await;
    done(&operator, "/", "/tenants/suspendida/suspend", &[]).await;

    let (invoices, payments) = sales_records(app, &tenant, customer.id).await;
    let (quotes, orders) = order_records(app, &tenant, customer.id).await;
    let purchase_orders = {
        let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
        let rows = tx
            .purchase_orders()
            .list(portico_data::PoFilter::All, Some(supplier.id), None, 50)
            .await
            .expect("purchase orders");
        tx.commit().await.expect("commit");
        assert!(
            rows.len() >= 5,
            "the demo has purchase orders in every state"
        );
        rows.iter()
            .map(|r| r.id.to_string())
            .collect::<Vec<String>>()
    };
    let (supplier_invoices, billable_orders) = {
        let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
        let rows = tx
            .supplier_invoices()
            .list(portico_data::InboxFilter::All, None, 50)
            .await
            .expect("supplier invoices");
        let billable = tx
            .purchase_orders()
            .list(portico_data::PoFilter::All, Some(supplier.id), None, 50)
            .await
            .expect("purchase orders")
            .into_iter()
            .filter(|r| r.status == portico_domain::purchasing::PoStatus::PartiallyReceived)
            .map(|r| r.id.to_string())
            .collect::<Vec<_>>();
        tx.commit().await.expect("commit");
        assert_eq!(
            rows.len(),
            2,
            "the demo has a matched invoice and one with exceptions"
        );
        assert!(!billable.is_empty(), "the demo has orders to invoice");
        (rows.iter().map(|r| r.id.to_string()).collect(), billable)
    };
    let documents = {
        let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
        let rows = tx
            .documents()
            .list(Some(customer.id), None, 50)
            .await
            .expect("documents");
        tx.commit().await.expect("commit");
        assert_eq!(rows.len(), 3, "the demo shares three documents");
        rows.iter().map(|r| r.id.to_string()).collect()
    };
    let (requests, request_file) = {
        let mut tx = app.db.db.tenant_tx(&tenant).await.expect("tx");
        let rows = tx
            .service_requests()
            .list(Some(customer.id), false, None, 50)
            .await
            .expect("requests");
        let mut file = None;
        for row in &rows {
            let detail = tx
                .service_requests()
                .detail(row.id)
                .await
                .expect("detail")
                .expect("found");
            if let Some(f) = detail.files.first() {
                file = Some((row.id.to_string(), f.file_id.to_string()));
            }
        }
        tx.commit().await.expect("commit");
        assert_eq!(rows.len(), 3, "the demo has three service requests");
        (
            rows.iter().map(|r| r.id.to_string()).collect(),
            file.expect("a demo request has a file"),
        )
    };
    Data {
        logo: tenant.logo_id().expect("the demo has a logo").to_string(),
        documents,
        requests,
        request_file,
        invoices,
        payments,
        quotes,
        orders,
        purchase_orders,
        supplier_invoices,
        billable_orders,
        customer: customer.id.to_string(),
        branch,
        supplier: supplier.id.to_string(),
        rosa: rosa.id.to_string(),
        carolina: carolina.id.to_string(),
        rosa_link,
        rosa_branch: branches[1].id.to_string(),
        import,
        tokens: [tokens[0].clone(), tokens[1].clone()],
        staff_reset,
    }
}

/// The demo's sales records of `customer` that [`Data`] names.
async fn sales_records(
    app: &TestApp,
    tenant: &Tenant,
    customer: portico_data::AccountId,
) -> (Vec<String>, Vec<String>) {
    let mut tx = app.db.db.tenant_tx(tenant).await.expect("tx");
    let invoices = tx
        .sales()
        .invoices(Some(customer), None, 500)
        .await
        .expect("invoices");
    let payments = tx
        .sales()
        .payments(Some(customer), None, 500)
        .await
        .expect("payments");
    let mut chosen = Vec::new();
    for paid in [true, false] {
        let invoice = invoices
            .iter()
            .find(|i| i.kind == InvoiceKind::Invoice && i.balance.is_zero() == paid)
            .expect("the demo has paid and open invoices");
        chosen.push(invoice.id.to_string());
    }
    let credit = invoices
        .iter()
        .find(|i| i.kind == InvoiceKind::CreditNote)
        .expect("the demo has a credit note");
    chosen.push(credit.id.to_string());
    let mut paying = Vec::new();
    for payment in &payments {
        let detail = tx
            .sales()
            .payment(payment.id)
            .await
            .expect("payment")
            .expect("found");
        if paying.len() < 2 && (detail.applied.len() == 2) == paying.is_empty() {
            paying.push(payment.id.to_string());
        }
    }
    tx.commit().await.expect("commit");
    assert_eq!(
        paying.len(),
        2,
        "the demo has payments of two and of one invoice"
    );
    (chosen, paying)
}

/// The demo's quotes and orders of `customer`.
async fn order_records(
    app: &TestApp,
    tenant: &Tenant,
    customer: portico_data::AccountId,
) -> (Vec<String>, Vec<String>) {
    use portico_domain::orders::OrderKind;
    let mut tx = app.db.db.tenant_tx(tenant).await.expect("tx");
    let mut ids = Vec::new();
    for kind in [OrderKind::Quote, OrderKind::Order] {
        let rows = tx
            .orders()
            .list(kind, Some(customer), None, 50)
            .await
            .expect("rows");
        assert!(rows.len() >= 3, "the demo has {kind:?}s");
        ids.push(rows.iter().map(|r| r.id.to_string()).collect::<Vec<_>>());
    }
    tx.commit().await.expect("commit");
    let orders = ids.pop().expect("orders");
    (ids.pop().expect("quotes"), orders)
}

/// Uploads a CSV for a dry run and waits for it; the import's id.
async fn upload(owner: &Browser<'_>, csv: &str, app: &TestApp, tenant: &Tenant) -> String {
    let token = owner.get("/admin/contacts/import").await.csrf();
    let answer = owner
        .post_multipart(
            "/admin/contacts/import",
            &[("_csrf", &token)],
            &[FilePart {
                field: "file",
                file_name: "contactos.csv",
                content_type: "text/csv",
                bytes: csv.as_bytes(),
            }],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let id = answer
        .location()
        .and_then(|l| l.rsplit('/').next())
        .expect("the import's page")
        .to_owned();
    settled(app, tenant, &id).await;
    id
}

/// Waits until an import's run is over.
async fn settled(app: &TestApp, tenant: &Tenant, id: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut tx = app.db.db.tenant_tx(tenant).await.expect("tx");
        let import = tx
            .imports()
            .find(id.parse().expect("id"))
            .await
            .expect("lookup")
            .expect("import");
        tx.commit().await.expect("commit");
        if !matches!(import.state, ImportState::Checking | ImportState::Importing) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the import never settled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The text of the newest mail to `to` whose link contains `path`, waiting for it.
async fn mail_to(app: &TestApp, to: &str, path: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let mut found: Vec<(std::time::SystemTime, String)> =
            std::fs::read_dir(app.mail_dir.path())
                .expect("mail folder")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .filter_map(|p| {
                    let raw = std::fs::read(&p).ok()?;
                    let message = MessageParser::default().parse(&raw)?;
                    let addressed = message
                        .to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .is_some_and(|a| a == to);
                    let text = message.body_text(0)?.into_owned();
                    let modified = std::fs::metadata(&p).ok()?.modified().ok()?;
                    (addressed && text.contains(path)).then_some((modified, text))
                })
                .collect();
        found.sort();
        if let Some((_, text)) = found.pop() {
            return text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no mail to {to} with {path}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The token after `path` in a mail's link.
fn token_in(text: &str, path: &str) -> String {
    text.split_whitespace()
        .find_map(|w| w.split_once(path).map(|(_, token)| token.to_owned()))
        .expect("a link")
}

fn png() -> Vec<u8> {
    let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        8,
        8,
        image::Rgb([200, 30, 60]),
    ));
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}
