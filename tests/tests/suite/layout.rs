//! The layout in a real browser (Chromium over WebDriver), at a phone's width
//! (390 px) and a desktop's (1280 px): with long values (emails, last names,
//! social links, phones, notes) no element of the contact record, the contact
//! list or the portal home sticks out of its container and no page scrolls
//! sideways; on the phone the navigation folds behind "Menú"; "Cancelar" looks
//! like a secondary button.

use fantoccini::{Client, Locator};
use portico_data::Tenant;
use portico_domain::{AccountFields, AccountKind, ContactFields, Email, LinkFields, Portal};
use portico_tests::builders::{Company, Grant};
use portico_tests::{
    PASSWORD, TestApp, TestDb,
    chrome::{ChromeDriver, browser, browser_at, click, fill, served, wait_for_text},
};

const EMAIL: &str = "maria.altagracia.wolfeschlegelsteinhausenbergerdorff@distribuidorafarmaceuticadelcaribe.com.do";

/// Every element whose box sticks out of its parent's (left or right; a
/// `display: contents` parent has no box, so its own parent's), whose
/// content overflows it, and whether the document scrolls sideways. Hidden
/// helpers (absolutely positioned: the skip link, visually hidden text) and
/// what sits inside a scrolling box are left out; a box clipped by an
/// `overflow: hidden` parent still counts, since its content is cut.
const OVERFLOWS: &str = r#"
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
  + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '')
  + ' "' + (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50) + '"';
const positioned = e => { for (let a = e; a && a !== document.body; a = a.parentElement) {
  const p = getComputedStyle(a).position; if (p === 'absolute' || p === 'fixed') return true; } return false; };
const scrolled = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
  const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
const found = [];
for (const e of document.body.querySelectorAll('*')) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (positioned(e) || scrolled(e)) continue;
  let box = e.parentElement;
  while (getComputedStyle(box).display === 'contents') box = box.parentElement;
  const p = box.getBoundingClientRect();
  if (r.right > p.right + 1 || r.left < p.left - 1) found.push(name(e) + ' sticks out of ' + name(box));
  const s = getComputedStyle(e);
  if (s.overflowX === 'visible' && !['INPUT', 'SELECT', 'TEXTAREA'].includes(e.tagName)
      && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) found.push(name(e) + ' has content wider than itself');
}
const width = arguments[0];
if (document.documentElement.scrollWidth > width || window.innerWidth > width) {
  found.push('the document is wider than the screen: ' + document.documentElement.scrollWidth + ' > ' + width);
}
return found;
"#;

/// What overflows on the current page, on a screen `width` px wide (empty
/// when the layout holds). A phone widens its layout viewport to fit a page
/// too wide for it, so the page is measured against the screen's width.
async fn overflows(client: &Client, width: u32) -> Vec<String> {
    let found = client
        .execute(OVERFLOWS, vec![serde_json::json!(width)])
        .await
        .expect("script");
    serde_json::from_value(found).expect("a list of strings")
}

async fn assert_fits(client: &Client, page: &str, width: u32) {
    let found = overflows(client, width).await;
    assert!(
        found.is_empty(),
        "{page} at {width} px:\n{}",
        found.join("\n")
    );
}

/// A company with a customer and a contact with long values, portal access
/// and a password; returns the company and the contact's record path.
async fn long_values(app: &TestApp) -> (Tenant, String) {
    let alfa = Company::new(app, "alfa").await;
    let account = alfa
        .account_with(
            AccountKind::Customer,
            &AccountFields {
                code: "C-000000000001".into(),
                name: "Distribuidora Farmacéutica Internacional del Caribe y Centroamérica, S.R.L."
                    .into(),
                ..Default::default()
            },
        )
        .await;
    let fields = ContactFields {
        first_name: Some("María Altagracia Guadalupe".into()),
        last_name: Some("Wolfeschlegelsteinhausenbergerdorff Rodríguez-Villanueva de la Santísima Trinidad".into()),
        position: Some("Gerente Regional de Compras Institucionales y Licitaciones Públicas".into()),
        department: Some("Departamento de Abastecimiento Hospitalario".into()),
        email: Some(Email::parse(EMAIL).unwrap()),
        personal_email: Some(
            Email::parse("altagracia.wolfeschlegelsteinhausenbergerdorff.personal@correo-electronico-gratuito.example.com")
                .unwrap(),
        ),
        phone: Some("+1 (809) 555-0123 ext. 4567 / +1 (809) 555-0199".into()),
        mobile: Some("+18295550123456789".into()),
        fax: Some("+1 (809) 555-0124".into()),
        facebook_url: Some("https://www.facebook.com/maria.altagracia.wolfeschlegelsteinhausenbergerdorff.rodriguez".into()),
        linkedin_url: Some("https://www.linkedin.com/in/maria-altagracia-wolfeschlegelsteinhausenbergerdorff-rodriguez-villanueva-1234567890".into()),
        x_url: Some("https://x.com/altagraciawolfeschlegelsteinhausenbergerdorff".into()),
        street: Some("Avenida Abraham Lincoln esquina José Amado Soler, Torre Empresarial Piantini, piso 14, suite 1402".into()),
        city: Some("Santo Domingo de Guzmán".into()),
        notes: Some("Prefiere que la llamen por la mañana. Ver https://intranet.distribuidorafarmaceuticadelcaribe.com.do/compras/licitaciones/2026/expediente-000123456789 antes de cotizar.".into()),
        ..Default::default()
    };
    let contact = alfa.contact_with(&fields).await;
    let link = alfa
        .link_with(
            contact,
            account,
            &LinkFields {
                position: Some("Responsable de Compras Institucionales y Licitaciones".into()),
                is_primary: true,
            },
        )
        .await;
    alfa.open_portal(contact, Portal::Customer).await;
    let grant = Grant::all_branches(&["quotes.view", "orders.view"]);
    alfa.regrant(link, Portal::Customer, &grant).await;
    alfa.set_password(contact).await;
    (alfa.tenant.clone(), format!("/admin/contacts/{contact}"))
}

/// Signs in to the back office as the owner, in Spanish (the browser asks for English).
async fn staff_signs_in(client: &Client, site: &str) {
    client.goto(&format!("{site}/admin/sign-in")).await.unwrap();
    click(client, "button[name=lang]").await;
    wait_for_text(client, "Contraseña").await;
    fill(client, "#email", "owner@alfa.test").await;
    fill(client, "#password", PASSWORD).await;
    click(client, "main button[type=submit]").await;
    wait_for_text(client, "Bienvenido").await;
}

/// Whether the element `css` is displayed.
async fn shown(client: &Client, css: &str) -> bool {
    client
        .find(Locator::Css(css))
        .await
        .expect(css)
        .is_displayed()
        .await
        .expect("displayed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contact_record_the_contact_list_and_the_portal_home_fit_a_phone_and_a_desktop() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(driver) = ChromeDriver::start_or_skip() else {
        return;
    };
    let (app, port, server) = served(TestDb::sqlite().await).await;
    let (_tenant, record) = long_values(&app).await;
    let site = format!("http://alfa.localhost:{port}");

    for width in [390, 1280] {
        let profile = tempfile::tempdir().unwrap();
        let client = browser_at(driver, profile.path(), width).await;
        client.goto(&format!("{site}/admin/sign-in")).await.unwrap();
        let inner: u64 = client
            .execute("return window.innerWidth", Vec::new())
            .await
            .unwrap()
            .as_u64()
            .unwrap();
        assert_eq!(inner, u64::from(width), "the sign-in page's viewport");
        staff_signs_in(&client, &site).await;
        client.goto(&format!("{site}{record}")).await.unwrap();
        wait_for_text(&client, EMAIL).await;
        assert_fits(&client, "the contact record", width).await;
        client
            .goto(&format!("{site}/admin/contacts"))
            .await
            .unwrap();
        wait_for_text(&client, EMAIL).await;
        assert_fits(&client, "the contact list", width).await;

        if width < 500 {
            // The navigation folds behind "Menú" and opens without JavaScript.
            assert!(
                !shown(&client, "nav.main").await,
                "the phone's navigation starts folded"
            );
            click(&client, "label.menu-button").await;
            assert!(
                shown(&client, "nav.main").await,
                "Menú opens the navigation"
            );
            assert!(shown(&client, "form[action='/admin/sign-out'] button").await);
            assert_fits(&client, "the contact list with the menu open", width).await;
        } else {
            assert!(
                !shown(&client, "label.menu-button").await,
                "no Menú on a desktop"
            );
            assert!(shown(&client, "nav.main").await);
        }

        client
            .goto(&format!("{site}/portal/sign-in"))
            .await
            .unwrap();
        fill(&client, "#email", EMAIL).await;
        fill(&client, "#password", PASSWORD).await;
        click(&client, "main button[type=submit]").await;
        wait_for_text(&client, "Centroamérica, S.R.L.").await;
        assert_eq!(client.current_url().await.unwrap().path(), "/portal");
        assert_fits(&client, "the portal home", width).await;

        client.close().await.unwrap();
    }
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_looks_like_a_secondary_button_in_a_real_browser() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(driver) = ChromeDriver::start_or_skip() else {
        return;
    };
    let (app, port, server) = served(TestDb::sqlite().await).await;
    let (_tenant, record) = long_values(&app).await;
    let site = format!("http://alfa.localhost:{port}");
    let profile = tempfile::tempdir().unwrap();
    let client = browser(driver, profile.path()).await;
    staff_signs_in(&client, &site).await;

    for form in [
        format!("{record}/edit"),
        "/admin/contacts/new".to_owned(),
        "/admin/customers/new".to_owned(),
    ] {
        client.goto(&format!("{site}{form}")).await.unwrap();
        wait_for_text(&client, "Cancelar").await;
        let looks = client
            .execute(
                "const bg = e => getComputedStyle(e).backgroundColor;
                 const cancel = [...document.querySelectorAll('main a')].find(a => a.textContent.trim() === 'Cancelar');
                 return [bg(cancel), bg(document.querySelector('button.secondary')), bg([...document.querySelectorAll('main form[method=post] button[type=submit]')].at(-1))];",
                Vec::new(),
            )
            .await
            .unwrap();
        let [cancel, secondary, primary] = serde_json::from_value::<[String; 3]>(looks).unwrap();
        assert_eq!(cancel, secondary, "{form}: Cancelar is a secondary button");
        assert_ne!(cancel, primary, "{form}: not the primary one");
    }
    client.close().await.unwrap();
    server.abort();
}
