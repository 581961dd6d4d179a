//! The customer and supplier portals through HTTP as a browser (and an API
//! client) uses them: a matrix of contacts × links × grants × branches against
//! every area route, the navigation and `me`; sign-in refusals and lockout;
//! sessions ending when access is revoked; account choice and deep links;
//! isolation between companies; and accepting an invitation. Grants are set up
//! through the data layer, as the back office would.

use std::collections::{BTreeSet, HashMap};

use chrono::Duration;
use poem::http::StatusCode;
use portico_data::{AccountId, BranchId, ContactId, LinkId, PortalStatus, PortalTokenPurpose};
use portico_domain::{AccountFields, AccountKind, ContactFields, Email, Portal};
use portico_tests::builders::{self, Company, portal_base as base, portal_sign_in as try_sign_in};
use portico_tests::password_forms::{assert_weak_passwords_refused, post_password};
use portico_tests::{Browser, PASSWORD, Page, TestApp, TestDb, backend_tests};
use serde_json::Value;
use uuid::Uuid;

/// A company with its accounts (by code) and branches (by name).
struct Site<'a> {
    company: Company<'a>,
    accounts: HashMap<&'static str, AccountId>,
    branches: HashMap<&'static str, BranchId>,
}

impl<'a> std::ops::Deref for Site<'a> {
    type Target = Company<'a>;

    fn deref(&self) -> &Company<'a> {
        &self.company
    }
}

impl Site<'_> {
    fn account(&self, code: &str) -> Uuid {
        self.accounts[code].as_uuid()
    }
}

/// One link's grants: seeded roles (by key), individual permissions, and the
/// visible branches (`None`: all of them).
struct Grant {
    roles: &'static [&'static str],
    permissions: &'static [&'static str],
    branches: Option<&'static [&'static str]>,
}

const ALL: Option<&[&str]> = None;

/// The seeded read-only role on every branch.
const READ_ONLY: Grant = Grant {
    roles: &["read_only"],
    permissions: &[],
    branches: ALL,
};

impl Grant {
    /// The builders' grant, with the branches looked up by name.
    fn of(&self, site: &Site<'_>) -> builders::Grant {
        let grant = match self.branches {
            None => builders::Grant::all_branches(self.permissions),
            Some(names) => {
                let ids: Vec<BranchId> = names.iter().map(|n| site.branches[n]).collect();
                builders::Grant::branches(self.permissions, &ids)
            }
        };
        grant.with_roles(self.roles)
    }
}

/// A company with three customers (the first with branches) and two suppliers.
async fn company<'a>(app: &'a TestApp, slug: &str) -> Site<'a> {
    let company = Company::new(app, slug).await;
    let mut accounts = HashMap::new();
    let mut branches = HashMap::new();
    for (kind, code, name, with_branches) in [
        (AccountKind::Customer, "C-001", "Farmacia Carol", true),
        (AccountKind::Customer, "C-002", "Ferretería Ochoa", false),
        (AccountKind::Customer, "C-003", "Colmado Pérez", false),
        (
            AccountKind::Supplier,
            "P-001",
            "Laboratorios Andinos",
            false,
        ),
        (
            AccountKind::Supplier,
            "P-002",
            "Distribuidora Caribe",
            false,
        ),
    ] {
        let fields = AccountFields {
            code: code.into(),
            name: name.into(),
            branches_enabled: with_branches,
            ..Default::default()
        };
        let account = company.account_with(kind, &fields).await;
        accounts.insert(code, account);
        if with_branches {
            for (code, name) in [
                ("NACO", "Sucursal Naco"),
                ("PIA", "Sucursal Piantini"),
                ("STI", "Sucursal Santiago Centro"),
            ] {
                branches.insert(name, company.branch(account, code, name).await);
            }
        }
    }
    Site {
        company,
        accounts,
        branches,
    }
}

/// A contact with a main email, portal access to `portals` and (when
/// `password`) the test password set.
async fn contact(
    site: &Site<'_>,
    name: &str,
    email: &str,
    portals: &[Portal],
    password: bool,
) -> ContactId {
    let fields = ContactFields {
        first_name: Some(name.into()),
        last_name: Some("Rodríguez Peña".into()),
        email: Some(Email::parse(email).unwrap()),
        ..Default::default()
    };
    site.portal_contact(&fields, portals, password).await
}

/// Ana (`ana@carol.do`, customer portal, the test password) linked to the
/// customer `code` with `grant`.
async fn ana(site: &Site<'_>, code: &str, grant: &Grant) -> (ContactId, LinkId) {
    let ana = contact(site, "Ana", "ana@carol.do", &[Portal::Customer], true).await;
    (ana, link(site, ana, code, grant).await)
}

/// The seeded roles of a company: key → (id, permissions).
async fn roles(app: &TestApp, site: &Site<'_>) -> HashMap<(Portal, String), (Uuid, Vec<String>)> {
    let mut tx = app.db.db.tenant_tx(&site.tenant).await.unwrap();
    let roles = tx.portal_roles().list(None).await.unwrap();
    tx.commit().await.unwrap();
    roles
        .into_iter()
        .filter_map(|r| Some(((r.portal, r.seed_key?), (r.id, r.permissions))))
        .collect()
}

/// The portal of an account code (`C-…` customers, `P-…` suppliers).
fn portal_of(code: &str) -> Portal {
    if code.starts_with('C') {
        Portal::Customer
    } else {
        Portal::Supplier
    }
}

/// Links a contact to an account with grants; returns the link.
async fn link(site: &Site<'_>, contact: ContactId, code: &str, grant: &Grant) -> LinkId {
    site.link_only(
        contact,
        site.accounts[code],
        portal_of(code),
        &grant.of(site),
    )
    .await
}

fn unescape(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
}

/// The areas the main navigation links to (without home), in order.
fn nav_areas(page: &Page, portal: Portal) -> Vec<String> {
    let nav = page
        .body
        .split("<nav class=\"main\"")
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .unwrap_or_default();
    nav.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(unescape)
        .filter_map(|href| {
            href.strip_prefix(&format!("{}/", base(portal)))
                .map(|rest| rest.split('?').next().unwrap_or_default().to_owned())
        })
        .collect()
}

/// The text of the page's error alert.
fn alert(page: &Page) -> String {
    page.body
        .split("role=\"alert\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_default()
        .to_owned()
}

async fn me(browser: &Browser<'_>, portal: Portal, account: Option<Uuid>) -> (StatusCode, Value) {
    let path = match account {
        Some(id) => format!("{}/api/v1/me?account={id}", base(portal)),
        None => format!("{}/api/v1/me", base(portal)),
    };
    let page = browser.get(&path).await;
    let json = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, json)
}

/// What a grant allows: its roles' and its own permissions, in display order.
fn expected(
    roles: &HashMap<(Portal, String), (Uuid, Vec<String>)>,
    portal: Portal,
    grant: &Grant,
) -> Vec<String> {
    let mut granted: BTreeSet<String> = grant.permissions.iter().map(|p| (*p).to_owned()).collect();
    for key in grant.roles {
        granted.extend(roles[&(portal, (*key).to_owned())].1.iter().cloned());
    }
    portal
        .permissions()
        .iter()
        .map(|p| p.name())
        .filter(|name| granted.contains(*name))
        .map(str::to_owned)
        .collect()
}

/// Who is linked to what, with which grants, in the matrix.
struct Person {
    name: &'static str,
    email: &'static str,
    portals: &'static [Portal],
    links: Vec<(&'static str, Grant)>,
}

fn people() -> Vec<Person> {
    vec![
        Person {
            name: "Ana",
            email: "ana@carol.do",
            portals: &[Portal::Customer],
            links: vec![
                (
                    "C-001",
                    Grant {
                        roles: &["buyer"],
                        permissions: &["sales.view"],
                        branches: Some(&["Sucursal Naco", "Sucursal Piantini"]),
                    },
                ),
                (
                    "C-002",
                    Grant {
                        roles: &[],
                        permissions: &["receivables.view"],
                        branches: ALL,
                    },
                ),
            ],
        },
        Person {
            name: "Beto",
            email: "beto@ochoa.do",
            portals: &[Portal::Customer, Portal::Supplier],
            links: vec![
                (
                    "C-001",
                    Grant {
                        roles: &["approver"],
                        permissions: &[],
                        branches: ALL,
                    },
                ),
                (
                    "C-002",
                    Grant {
                        roles: &["service"],
                        permissions: &["documents.view", "quotes.create"],
                        branches: ALL,
                    },
                ),
                (
                    "P-001",
                    Grant {
                        roles: &["billing"],
                        permissions: &[],
                        branches: ALL,
                    },
                ),
                (
                    "P-002",
                    Grant {
                        roles: &[],
                        permissions: &["purchase_orders.view"],
                        branches: ALL,
                    },
                ),
            ],
        },
        Person {
            name: "Carla",
            email: "carla@andinos.do",
            portals: &[Portal::Supplier],
            links: vec![
                (
                    "P-001",
                    Grant {
                        roles: &["sales_rep"],
                        permissions: &["payables.view"],
                        branches: ALL,
                    },
                ),
                (
                    "P-002",
                    Grant {
                        roles: &["read_only"],
                        permissions: &[],
                        branches: ALL,
                    },
                ),
                (
                    "C-001",
                    Grant {
                        roles: &["read_only"],
                        permissions: &[],
                        branches: ALL,
                    },
                ),
            ],
        },
        Person {
            name: "Darío",
            email: "dario@carol.do",
            portals: &[Portal::Customer],
            links: vec![
                (
                    "C-001",
                    Grant {
                        roles: &[],
                        permissions: &[],
                        branches: Some(&["Sucursal Santiago Centro"]),
                    },
                ),
                (
                    "C-002",
                    Grant {
                        roles: &["read_only"],
                        permissions: &[],
                        branches: ALL,
                    },
                ),
            ],
        },
    ]
}

async fn every_route_allows_exactly_what_the_link_grants(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa").await;
    let roles = roles(&app, &alfa).await;
    let people = people();
    for person in &people {
        let id = contact(&alfa, person.name, person.email, person.portals, true).await;
        for (code, grant) in &person.links {
            link(&alfa, id, code, grant).await;
        }
    }
    alfa.settled().await;

    for person in &people {
        for portal in Portal::ALL {
            let links: Vec<&(&str, Grant)> = person
                .links
                .iter()
                .filter(|(code, _)| code.starts_with('C') == (portal == Portal::Customer))
                .collect();
            if !person.portals.contains(&portal) {
                let browser = app.browser(&alfa.host());
                let page = try_sign_in(&browser, portal, person.email, PASSWORD).await;
                assert_eq!(
                    page.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{} has no access to the {portal} portal",
                    person.name
                );
                continue;
            }
            let browser = alfa.portal_session(portal, person.email).await;
            for (code, grant) in links {
                let account = alfa.account(code);
                let allowed = expected(&roles, portal, grant);
                let objects: Vec<String> = portal
                    .objects()
                    .into_iter()
                    .filter(|o| allowed.iter().any(|p| p.starts_with(&format!("{o}."))))
                    .map(str::to_owned)
                    .collect();
                let who = format!("{} at {code}", person.name);

                // Every area route: 200 exactly when some action is granted.
                for object in portal.objects() {
                    let page = browser
                        .get(&format!("{}/{object}?account={account}", base(portal)))
                        .await;
                    let want = if objects.iter().any(|o| o == object) {
                        StatusCode::OK
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(page.status, want, "{who}: {object}");
                    if want == StatusCode::OK {
                        assert_eq!(nav_areas(&page, portal), objects, "{who}: nav on {object}");
                    }
                }

                // The home page's navigation lists exactly the granted areas.
                let home = browser
                    .get(&format!("{}?account={account}", base(portal)))
                    .await;
                assert_eq!(home.status, StatusCode::OK, "{who}: {}", home.body);
                assert_eq!(nav_areas(&home, portal), objects, "{who}: nav");

                // `me` reports the same permissions and exactly the visible branches.
                let (status, json) = me(&browser, portal, Some(account)).await;
                assert_eq!(status, StatusCode::OK, "{who}: {json}");
                let permissions: Vec<String> = json["permissions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(permissions, allowed, "{who}: permissions");
                assert_eq!(json["account"]["id"], account.to_string());
                assert_eq!(json["account"]["code"], *code);
                let branches: Vec<&str> = json["branches"]["list"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b["name"].as_str().unwrap())
                    .collect();
                let visible: Vec<&str> = match (grant.branches, *code) {
                    (Some(chosen), _) => chosen.to_vec(),
                    (None, "C-001") => vec![
                        "Sucursal Naco",
                        "Sucursal Piantini",
                        "Sucursal Santiago Centro",
                    ],
                    (None, _) => vec![],
                };
                assert_eq!(branches, visible, "{who}: branches");
                assert_eq!(json["branches"]["all"], grant.branches.is_none(), "{who}");
                for name in alfa.branches.keys() {
                    assert_eq!(
                        home.body.contains(name),
                        visible.contains(name),
                        "{who}: the home page shows {name} only when visible"
                    );
                }
            }
        }
    }
}

async fn sign_in_refuses_alike_and_locks_out_after_repeated_failures(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa").await;
    let (ana, _) = ana(&alfa, "C-002", &READ_ONLY).await;
    contact(&alfa, "Inés", "ines@carol.do", &[Portal::Customer], false).await;
    let lola = contact(&alfa, "Lola", "lola@andinos.do", &[Portal::Supplier], true).await;
    let carla = contact(
        &alfa,
        "Carla",
        "carla@andinos.do",
        &[Portal::Supplier],
        true,
    )
    .await;
    // (One password per contact: a failure in either portal counts for both.)
    link(&alfa, carla, "C-001", &READ_ONLY).await;
    alfa.settled().await;
    let browser = app.browser(&alfa.host());

    let wrong = try_sign_in(
        &browser,
        Portal::Customer,
        "ana@carol.do",
        "not the password",
    )
    .await;
    let unknown = try_sign_in(&browser, Portal::Customer, "nadie@carol.do", PASSWORD).await;
    let invited = try_sign_in(&browser, Portal::Customer, "ines@carol.do", PASSWORD).await;
    let other_portal = try_sign_in(&browser, Portal::Customer, "carla@andinos.do", PASSWORD).await;
    let no_supplier = try_sign_in(&browser, Portal::Supplier, "ana@carol.do", PASSWORD).await;
    for page in [&wrong, &unknown, &invited, &other_portal, &no_supplier] {
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            alert(page),
            alert(&wrong),
            "the same message, whatever the cause"
        );
    }
    assert!(!alert(&wrong).is_empty(), "{}", wrong.body);
    assert!(
        wrong.body.contains("value=\"ana@carol.do\""),
        "the email is kept"
    );

    // The session id changes at sign-in.
    let fresh = app.browser(&alfa.host());
    fresh.get("/portal/sign-in").await;
    let before = fresh.cookie("portico_session").expect("a session before");
    let page = try_sign_in(&fresh, Portal::Customer, "ana@carol.do", PASSWORD).await;
    assert_eq!(
        page.location(),
        Some("/portal"),
        "one account: straight home"
    );
    let after = fresh.cookie("portico_session").expect("a session after");
    assert_ne!(before, after, "the session id rotates");
    assert_eq!(fresh.get("/portal").await.status, StatusCode::OK);

    // An archived contact cannot sign in.
    alfa.archive(ana, true).await;
    let archived = try_sign_in(
        &app.browser(&alfa.host()),
        Portal::Customer,
        "ana@carol.do",
        PASSWORD,
    )
    .await;
    assert_eq!(archived.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(alert(&archived), alert(&wrong));

    // Five failures lock the contact out, even with the right password after.
    let lola_browser = app.browser(&alfa.host());
    for _ in 0..5 {
        let page = try_sign_in(
            &lola_browser,
            Portal::Supplier,
            "lola@andinos.do",
            "wrong wrong wrong",
        )
        .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locked = try_sign_in(&lola_browser, Portal::Supplier, "lola@andinos.do", PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert!(locked.headers.contains_key("retry-after"));
    assert_ne!(alert(&locked), alert(&wrong));
    let mut tx = app.db.db.tenant_tx(&alfa.tenant).await.unwrap();
    let person = tx.contacts().find(lola).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert!(
        person
            .portal
            .locked_until
            .is_some_and(|t| t > chrono::Utc::now()),
        "the lockout is recorded on the contact"
    );
}

async fn a_revoked_grant_access_or_contact_ends_what_the_session_may_do(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa").await;
    let (ana, carol) = ana(
        &alfa,
        "C-001",
        &Grant {
            roles: &["buyer"],
            permissions: &["sales.view"],
            branches: ALL,
        },
    )
    .await;
    alfa.settled().await;
    let a = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    let b = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    assert_eq!(a.get("/portal/sales").await.status, StatusCode::OK);

    // A grant removed: the area is refused at once; the rest still works.
    let buyer_only = Grant {
        roles: &["buyer"],
        permissions: &[],
        branches: ALL,
    };
    alfa.regrant(carol, Portal::Customer, &buyer_only.of(&alfa))
        .await;
    alfa.settled().await;
    assert_eq!(a.get("/portal/sales").await.status, StatusCode::FORBIDDEN);
    assert_eq!(a.get("/portal/quotes").await.status, StatusCode::OK);
    let (_, json) = me(&b, Portal::Customer, None).await;
    assert!(
        !json["permissions"].to_string().contains("sales.view"),
        "{json}"
    );

    // Access turned off: every session of the contact ends, also one that
    // makes no request before access is back on.
    let c = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    alfa.portal_access(ana, Portal::Customer, false).await;
    alfa.settled().await;
    let page = a.get("/portal/quotes").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().unwrap().starts_with("/portal/sign-in"));
    let (status, json) = me(&b, Portal::Customer, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
    assert_eq!(json["status"], 401);
    alfa.portal_access(ana, Portal::Customer, true).await;
    alfa.settled().await;
    for browser in [&a, &c] {
        assert_eq!(
            browser.get("/portal/quotes").await.status,
            StatusCode::SEE_OTHER,
            "access back on does not revive an ended session"
        );
    }

    // An archived contact's sessions end, and stay ended when it is restored.
    let c = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    let d = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    assert_eq!(c.get("/portal/quotes").await.status, StatusCode::OK);
    alfa.archive(ana, true).await;
    alfa.settled().await;
    assert_eq!(c.get("/portal/quotes").await.status, StatusCode::SEE_OTHER);
    alfa.archive(ana, false).await;
    alfa.settled().await;
    assert_eq!(d.get("/portal/quotes").await.status, StatusCode::SEE_OTHER);

    // Sign out everywhere: this browser and every other one.
    let d = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    let e = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    assert_eq!(e.get("/portal/quotes").await.status, StatusCode::OK);
    let home = d.get("/portal").await;
    let page = d
        .post("/portal/sign-out-everywhere", &[("_csrf", &home.csrf())])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some("/portal/sign-in?signed_out=everywhere")
    );
    assert_eq!(e.get("/portal/quotes").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        me(&e, Portal::Customer, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(d.get("/portal/quotes").await.status, StatusCode::SEE_OTHER);
    let signed_out = d.get("/portal").await;
    assert!(
        signed_out.body.contains("name=\"password\""),
        "home shows the sign-in form"
    );
    assert_eq!(
        alfa.portal_session(Portal::Customer, "ana@carol.do")
            .await
            .get("/portal/quotes")
            .await
            .status,
        StatusCode::OK,
        "signing in again works"
    );

    // Plain sign-out ends this browser's session only.
    let f = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    let g = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    let home = f.get("/portal").await;
    let page = f.post("/portal/sign-out", &[("_csrf", &home.csrf())]).await;
    assert_eq!(page.location(), Some("/portal/sign-in?signed_out=1"));
    assert_eq!(f.get("/portal/quotes").await.status, StatusCode::SEE_OTHER);
    assert_eq!(g.get("/portal/quotes").await.status, StatusCode::OK);
}

async fn a_contact_picks_and_switches_accounts_and_deep_links_carry_the_account(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa").await;
    let beta = company(&app, "beta").await;
    let (ana, _) = ana(
        &alfa,
        "C-001",
        &Grant {
            roles: &["buyer"],
            permissions: &[],
            branches: ALL,
        },
    )
    .await;
    link(
        &alfa,
        ana,
        "C-002",
        &Grant {
            roles: &[],
            permissions: &["receivables.view"],
            branches: ALL,
        },
    )
    .await;
    let elena = contact(&alfa, "Elena", "elena@ochoa.do", &[Portal::Customer], true).await;
    link(&alfa, elena, "C-002", &READ_ONLY).await;
    contact(&alfa, "Nadia", "nadia@ochoa.do", &[Portal::Customer], true).await;
    alfa.settled().await;
    let (carol, ochoa) = (alfa.account("C-001"), alfa.account("C-002"));

    // Two accounts: the picker first; nothing opens before a choice.
    let browser = app.browser(&alfa.host());
    let page = try_sign_in(&browser, Portal::Customer, "ana@carol.do", PASSWORD).await;
    assert_eq!(page.location(), Some("/portal/accounts"));
    let picker = browser.get("/portal/accounts").await;
    assert_eq!(picker.status, StatusCode::OK, "{}", picker.body);
    assert!(picker.body.contains("Farmacia Carol") && picker.body.contains("Ferretería Ochoa"));
    assert!(!picker.body.contains("Colmado Pérez"));
    assert_eq!(
        browser.get("/portal").await.location(),
        Some("/portal/accounts")
    );
    let page = browser.get("/portal/receivables").await;
    assert_eq!(
        page.location(),
        Some("/portal/accounts?next=%2Fportal%2Freceivables")
    );
    let (status, json) = me(&browser, Portal::Customer, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(json["account"].is_null(), "{json}");
    assert_eq!(json["other_accounts"].as_array().unwrap().len(), 2);
    assert_eq!(json["contact"]["email"], "ana@carol.do");
    assert_eq!(json["portal"], "customer");

    // Switching, then back to where the contact was going.
    let page = browser
        .post(
            &format!("/portal/accounts/{ochoa}"),
            &[("_csrf", &picker.csrf()), ("next", "/portal/receivables")],
        )
        .await;
    assert_eq!(page.location(), Some("/portal/receivables"));
    assert_eq!(
        browser.get("/portal/receivables").await.status,
        StatusCode::OK
    );
    let home = browser.get("/portal").await;
    assert!(home.body.contains("Ferretería Ochoa"));
    assert!(
        home.body
            .contains(&format!("action=\"/portal/accounts/{carol}\"")),
        "the switcher offers the other account"
    );
    let (_, json) = me(&browser, Portal::Customer, None).await;
    assert_eq!(json["account"]["name"], "Ferretería Ochoa");
    assert_eq!(json["other_accounts"][0]["name"], "Farmacia Carol");
    assert_eq!(json["permissions"], serde_json::json!(["receivables.view"]));

    // A deep link switches to its account.
    assert_eq!(
        browser.get("/portal/quotes").await.status,
        StatusCode::FORBIDDEN,
        "Ochoa grants no quotes"
    );
    assert_eq!(
        browser
            .get(&format!("/portal/quotes?account={carol}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(browser.get("/portal/quotes").await.status, StatusCode::OK);
    let (_, json) = me(&browser, Portal::Customer, Some(ochoa)).await;
    assert_eq!(
        json["account"]["name"], "Ferretería Ochoa",
        "me reports on the account asked for"
    );
    let (_, json) = me(&browser, Portal::Customer, None).await;
    assert_eq!(
        json["account"]["name"], "Farmacia Carol",
        "without switching to it"
    );

    // Accounts the contact may not act for are "not found", never a hint.
    let beta_account = beta.account("C-001");
    for id in [
        alfa.account("C-003").to_string(),
        alfa.account("P-001").to_string(),
        beta_account.to_string(),
        "not-an-id".to_owned(),
    ] {
        let page = browser.get(&format!("/portal/quotes?account={id}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{id}");
        let page = browser
            .get(&format!("/portal/api/v1/me?account={id}"))
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{id}");
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .contains("problem+json")
        );
        let page = browser
            .post(
                &format!("/portal/accounts/{id}"),
                &[("_csrf", &home.csrf())],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{id}");
    }
    let (_, json) = me(&browser, Portal::Customer, None).await;
    assert_eq!(
        json["account"]["name"], "Farmacia Carol",
        "nothing switched"
    );

    // One account: no picker.
    let page = try_sign_in(
        &app.browser(&alfa.host()),
        Portal::Customer,
        "elena@ochoa.do",
        PASSWORD,
    )
    .await;
    assert_eq!(page.location(), Some("/portal"));
    // No account at all: the picker says so.
    let nadia = alfa
        .portal_session(Portal::Customer, "nadia@ochoa.do")
        .await;
    assert_eq!(
        nadia.get("/portal").await.location(),
        Some("/portal/accounts")
    );
    let picker = nadia.get("/portal/accounts").await;
    assert!(picker.body.contains("class=\"empty\""), "{}", picker.body);

    // Signed out, a deep link comes back after sign-in.
    let later = app.browser(&alfa.host());
    let deep = format!("/portal/quotes?account={carol}");
    let page = later.get(&deep).await;
    let location = page.location().unwrap().to_owned();
    assert!(location.starts_with("/portal/sign-in?next="), "{location}");
    let form = later.get(&location).await;
    let page = later
        .post(
            "/portal/sign-in",
            &[
                ("_csrf", &form.csrf()),
                ("email", "ana@carol.do"),
                ("password", PASSWORD),
                ("next", &deep),
            ],
        )
        .await;
    assert_eq!(page.location(), Some(deep.as_str()));
    assert_eq!(later.get(&deep).await.status, StatusCode::OK);
    let page = later
        .post(
            "/portal/sign-in",
            &[
                ("_csrf", &later.get("/portal/sign-in").await.csrf()),
                ("email", "ana@carol.do"),
                ("password", PASSWORD),
                ("next", "https://evil.example/portal"),
            ],
        )
        .await;
    assert_eq!(
        page.location(),
        Some("/portal/accounts"),
        "no open redirect"
    );

    // A session of one company's site opens nothing on another's.
    let cookie = browser.cookie("portico_session").unwrap();
    let intruder = app.browser(&beta.host());
    intruder.set_cookie("portico_session", &cookie);
    assert_eq!(
        me(&intruder, Portal::Customer, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let page = intruder.get("/portal/quotes").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().unwrap().starts_with("/portal/sign-in"));
    assert_eq!(
        browser.get("/portal/quotes").await.status,
        StatusCode::OK,
        "the session still works on its own site"
    );

    // Without a session the API answers 401 problem JSON.
    let page = app.browser(&alfa.host()).get("/portal/api/v1/me").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("problem+json")
    );
    let spec = app
        .browser(&alfa.host())
        .get("/supplier/api/v1/openapi.json")
        .await;
    assert_eq!(spec.status, StatusCode::OK);
    assert!(spec.body.contains("/me"));
}

async fn an_invitation_sets_the_password_once_and_lands_in_the_portal(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa").await;
    let beta = company(&app, "beta").await;
    let flor = contact(&alfa, "Flor", "flor@ochoa.do", &[Portal::Customer], false).await;
    link(&alfa, flor, "C-002", &READ_ONLY).await;
    alfa.settled().await;
    let token = |ttl: Duration| alfa.token(flor, PortalTokenPurpose::Invitation, ttl);
    let secret = token(Duration::days(7)).await;
    let path = format!("/portal/invitation/{secret}");
    let browser = app.browser(&alfa.host());
    assert_eq!(
        browser.get("/portal/invitation/unknown").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.browser(&beta.host()).get(&path).await.status,
        StatusCode::NOT_FOUND,
        "another company's site knows no such invitation"
    );
    assert_eq!(
        browser
            .get(&format!("/supplier/invitation/{secret}"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "not for a portal whose access is off"
    );

    let form = browser.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Flor"));
    let new_password = "una clave bien larga";
    assert_weak_passwords_refused(&browser, &path, &form.csrf(), "flor@ochoa.do", new_password)
        .await;

    let before = browser.cookie("portico_session");
    let page = post_password(&browser, &path, &form.csrf(), new_password, new_password).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(
        page.location(),
        Some("/portal"),
        "one account: straight home"
    );
    assert_ne!(browser.cookie("portico_session"), before, "a new session");
    let home = browser.get("/portal").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Flor") && home.body.contains("Ferretería Ochoa"));
    let mut tx = app.db.db.tenant_tx(&alfa.tenant).await.unwrap();
    let person = tx.contacts().find(flor).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(person.portal.status, PortalStatus::Active);
    assert!(person.portal.activated_at.is_some() && person.portal.signed_in_at.is_some());

    // Used: refused, and a second submission writes nothing.
    let again = app.browser(&alfa.host());
    let page = again.get(&path).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body.contains(
            &portico_web::Lang(portico_domain::Locale::Es).t("portal-invite-invalid-title")
        )
    );
    let page = post_password(
        &again,
        &path,
        &page.csrf(),
        "otra clave larga",
        "otra clave larga",
    )
    .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        try_sign_in(
            &again,
            Portal::Customer,
            "flor@ochoa.do",
            "otra clave larga"
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        try_sign_in(&again, Portal::Customer, "flor@ochoa.do", new_password)
            .await
            .location(),
        Some("/portal")
    );
    assert_eq!(
        browser.get("/portal").await.status,
        StatusCode::OK,
        "the session lives on"
    );

    // Expired, and replaced by a newer invitation: refused.
    let expired = token(Duration::minutes(-1)).await;
    assert_eq!(
        browser
            .get(&format!("/portal/invitation/{expired}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let first = token(Duration::days(7)).await;
    let second = token(Duration::days(7)).await;
    assert_eq!(
        browser
            .get(&format!("/portal/invitation/{first}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser
            .get(&format!("/portal/invitation/{second}"))
            .await
            .status,
        StatusCode::OK
    );
    let mut tx = app.db.db.tenant_tx(&alfa.tenant).await.unwrap();
    assert_eq!(
        tx.portal_tokens()
            .revoke(flor, PortalTokenPurpose::Invitation)
            .await
            .unwrap(),
        1
    );
    assert!(
        tx.portal_tokens()
            .consume(&second, PortalTokenPurpose::Invitation)
            .await
            .unwrap()
            .is_none(),
        "revoked"
    );
    tx.commit().await.unwrap();
}

async fn the_pages_speak_spanish_and_english(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa").await;
    ana(
        &alfa,
        "C-001",
        &Grant {
            roles: &["read_only"],
            permissions: &[],
            branches: Some(&["Sucursal Naco"]),
        },
    )
    .await;
    alfa.settled().await;
    let browser = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    let es = browser.get("/portal").await;
    assert!(
        es.body.contains("Documentos") && es.body.contains("Ve solo estas sucursales"),
        "{}",
        es.body
    );
    assert!(es.body.contains("<html lang=\"es\">"));
    let en = app
        .browser(&alfa.host())
        .with_header("accept-language", "en");
    let page = try_sign_in(&en, Portal::Customer, "ana@carol.do", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = en.get("/portal").await;
    assert!(
        page.body.contains("Documents") && page.body.contains("You see only these branches"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<html lang=\"en\">"));
    let signed_out = app
        .browser(&alfa.host())
        .with_header("accept-language", "en")
        .get("/supplier")
        .await;
    assert!(signed_out.body.contains("Supplier Portal") && signed_out.body.contains("Sign in"));
}

backend_tests!(
    every_route_allows_exactly_what_the_link_grants,
    sign_in_refuses_alike_and_locks_out_after_repeated_failures,
    a_revoked_grant_access_or_contact_ends_what_the_session_may_do,
    a_contact_picks_and_switches_accounts_and_deep_links_carry_the_account,
    an_invitation_sets_the_password_once_and_lands_in_the_portal,
    the_pages_speak_spanish_and_english,
);
